//! TANH: int8 (gemmlowp fixed point; the output is read as scale 1/128, zero point 0, as
//! TFLM) and float32. Its int8 data is LOGISTIC's.

use super::elementwise::{unary, LogisticInt8};
use super::{kinds, EvalCtx, PrepareCtx, Registration};
use crate::error::Error;
use crate::schema::{BuiltinOperator, TensorType};
use microlite_kernels::tanh::{tanh_f32, tanh_int8, tanh_prepare_int8};

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::TANH, 3, prepare, eval)
}

kinds! {
    enum Kind { Int8, Float32 }
}

/// What eval needs, fixed at prepare.
#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Data {
    kind: u32,
    /// Int8 input rescaling (zeroed for float32).
    q: LogisticInt8,
}

fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    let op = ctx.op;
    let (input, _) = unary(&op)?;
    let d = match input.t.ty() {
        TensorType::Int8 => {
            let (scale, zp) = op.quant(&input)?;
            let k = tanh_prepare_int8(scale, zp).map_err(|_| op.quant_err(&input))?;
            Data {
                kind: Kind::Int8.tag(),
                q: k.into(),
            }
        }
        TensorType::Float32 => Data {
            kind: Kind::Float32.tag(),
            q: LogisticInt8::default(),
        },
        _ => return Err(op.type_err(&input)),
    };
    ctx.persist(&d)
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    let d = ctx.data::<Data>()?;
    match Kind::from_tag(d.kind)? {
        Kind::Int8 => tanh_int8(&d.q.into(), ctx.input::<i8>(0)?, ctx.output::<i8>(0)?),
        Kind::Float32 => tanh_f32(ctx.input::<f32>(0)?, ctx.output::<f32>(0)?),
    }
    .map_err(|e| ctx.kernel_err(e))
}
