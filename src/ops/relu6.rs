//! RELU6: int8 and int16 (the raw input clamped to `[zero, six]` on the input's quantization;
//! TFLM does not read the output's, and does not rescale even when the output scale differs)
//! and float32.

use super::elementwise::unary;
use super::{kinds, EvalCtx, PrepareCtx, Registration};
use crate::error::Error;
use crate::schema::{BuiltinOperator, TensorType};
use microlite_kernels::relu6::{
    relu6_f32, relu6_int16, relu6_int8, relu6_prepare_int16, relu6_prepare_int8, Relu6ParamsInt16,
    Relu6ParamsInt8,
};

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::RELU6, 3, prepare, eval)
}

kinds! {
    enum Kind { Int8, Float32, Int16 }
}

/// What eval needs, fixed at prepare.
#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Data {
    kind: u32,
    /// Int8 or int16 clamp bounds, quantized 0 and 6 (zeroed for float32).
    zero: i32,
    six: i32,
}

fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    let op = ctx.op;
    let (input, _) = unary(&op)?;
    let d = match input.t.ty() {
        TensorType::Int8 => {
            let (scale, zp) = op.quant(&input)?;
            let k = relu6_prepare_int8(scale, zp);
            Data {
                kind: Kind::Int8.tag(),
                zero: i32::from(k.zero),
                six: i32::from(k.six),
            }
        }
        TensorType::Int16 => {
            let (scale, zp) = op.quant(&input)?;
            let k = relu6_prepare_int16(scale, zp);
            Data {
                kind: Kind::Int16.tag(),
                zero: i32::from(k.zero),
                six: i32::from(k.six),
            }
        }
        TensorType::Float32 => Data {
            kind: Kind::Float32.tag(),
            zero: 0,
            six: 0,
        },
        _ => return Err(op.type_err(&input)),
    };
    ctx.persist(&d)
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    let d = ctx.data::<Data>()?;
    match Kind::from_tag(d.kind)? {
        Kind::Int8 => {
            // Both were stored from i8 values.
            let k = Relu6ParamsInt8 {
                zero: d.zero as i8,
                six: d.six as i8,
            };
            relu6_int8(&k, ctx.input::<i8>(0)?, ctx.output::<i8>(0)?)
        }
        Kind::Int16 => {
            // Both were stored from i16 values.
            let k = Relu6ParamsInt16 {
                zero: d.zero as i16,
                six: d.six as i16,
            };
            relu6_int16(&k, ctx.input::<i16>(0)?, ctx.output::<i16>(0)?)
        }
        Kind::Float32 => relu6_f32(ctx.input::<f32>(0)?, ctx.output::<f32>(0)?),
    }
    .map_err(|e| ctx.kernel_err(e))
}
