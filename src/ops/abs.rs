//! ABS: float32; int8 (any zero points) and int16 (zero points 0), rescaled only when the
//! input and output scales differ, as TFLM; and int16 without quantization, TFLM's plain
//! `std::abs` path.

use super::elementwise::int8_params;
use super::math::unary_same;
use super::{kinds, EvalCtx, PrepareCtx, Registration};
use crate::error::Error;
use crate::schema::{BuiltinOperator, TensorType};
use microlite_kernels::abs::{abs_int16, abs_int16_raw, abs_int8, abs_prepare, AbsParams};
use microlite_kernels::math::abs_f32;

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::ABS, 5, prepare, eval)
}

kinds! {
    enum Kind { Float32, Int8, Int16, Int16Raw }
}

int8_params! {
    /// The kernel's quantized parameters, as op data.
    struct AbsQ for [AbsParams] {
        input_offset,
        output_offset,
        multiplier,
        shift,
        needs_rescale,
    }
}

/// What eval needs, fixed at prepare.
#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Data {
    kind: u32,
    /// Int8 or int16 parameters (zeroed otherwise).
    q: AbsQ,
}

fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    let op = ctx.op;
    let (input, output) = unary_same(&op)?;
    let (kind, q) = match input.t.ty() {
        TensorType::Float32 => (Kind::Float32, AbsQ::default()),
        // TFLM: an int16 input without quantization takes the plain path.
        TensorType::Int16 if input.t.quantization().is_none() => (Kind::Int16Raw, AbsQ::default()),
        ty @ (TensorType::Int8 | TensorType::Int16) => {
            let ((si, zi), (so, zo)) = (op.quant(&input)?, op.quant(&output)?);
            if ty == TensorType::Int16 {
                // TFLM requires both int16 zero points to be 0.
                if zi != 0 {
                    return Err(op.quant_err(&input));
                }
                if zo != 0 {
                    return Err(op.quant_err(&output));
                }
            }
            let kind = if ty == TensorType::Int8 {
                Kind::Int8
            } else {
                Kind::Int16
            };
            (kind, abs_prepare(si, zi, so, zo).into())
        }
        _ => return Err(op.type_err(&input)),
    };
    ctx.persist(&Data {
        kind: kind.tag(),
        q,
    })
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    let d = ctx.data::<Data>()?;
    let p = d.q.into();
    match Kind::from_tag(d.kind)? {
        Kind::Float32 => abs_f32(ctx.input::<f32>(0)?, ctx.output::<f32>(0)?),
        Kind::Int8 => abs_int8(&p, ctx.input::<i8>(0)?, ctx.output::<i8>(0)?),
        Kind::Int16 => abs_int16(&p, ctx.input::<i16>(0)?, ctx.output::<i16>(0)?),
        Kind::Int16Raw => abs_int16_raw(ctx.input::<i16>(0)?, ctx.output::<i16>(0)?),
    }
    .map_err(|e| ctx.kernel_err(e))
}
