//! RELU: int8 and int16 (requantized onto the output scale, as TFLM; int16 requires zero points
//! of 0) and float32.

use super::elementwise::{int8_params, unary};
use super::{kinds, EvalCtx, PrepareCtx, Registration};
use crate::error::Error;
use crate::schema::{BuiltinOperator, TensorType};
use microlite_kernels::relu::{
    relu_f32, relu_int16, relu_int8, relu_prepare_int16, relu_prepare_int8, ReluParamsInt8,
};

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::RELU, 3, prepare, eval)
}

kinds! {
    enum Kind { Int8, Float32, Int16 }
}

int8_params! {
    /// The kernel's int8 (or int16) parameters, as op data.
    struct ReluInt8 for [ReluParamsInt8] {
        input_offset,
        output_offset,
        output_multiplier,
        output_shift,
        act_min,
        act_max,
    }
}

/// What eval needs, fixed at prepare.
#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Data {
    kind: u32,
    /// Int8 or int16 requantization (zeroed for float32).
    q: ReluInt8,
}

fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    let op = ctx.op;
    let (input, output) = unary(&op)?;
    let d = match input.t.ty() {
        TensorType::Int8 => {
            let ((si, zi), (so, zo)) = (op.quant(&input)?, op.quant(&output)?);
            Data {
                kind: Kind::Int8.tag(),
                q: relu_prepare_int8(si, zi, so, zo).into(),
            }
        }
        TensorType::Int16 => {
            let ((si, zi), (so, zo)) = (op.quant(&input)?, op.quant(&output)?);
            // TFLM requires both int16 zero points to be 0.
            if zi != 0 {
                return Err(op.quant_err(&input));
            }
            if zo != 0 {
                return Err(op.quant_err(&output));
            }
            Data {
                kind: Kind::Int16.tag(),
                q: relu_prepare_int16(si, zi, so, zo).into(),
            }
        }
        TensorType::Float32 => Data {
            kind: Kind::Float32.tag(),
            q: ReluInt8::default(),
        },
        _ => return Err(op.type_err(&input)),
    };
    ctx.persist(&d)
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    let d = ctx.data::<Data>()?;
    match Kind::from_tag(d.kind)? {
        Kind::Int8 => relu_int8(&d.q.into(), ctx.input::<i8>(0)?, ctx.output::<i8>(0)?),
        Kind::Int16 => relu_int16(&d.q.into(), ctx.input::<i16>(0)?, ctx.output::<i16>(0)?),
        Kind::Float32 => relu_f32(ctx.input::<f32>(0)?, ctx.output::<f32>(0)?),
    }
    .map_err(|e| ctx.kernel_err(e))
}
