//! LOGISTIC: int8 (gemmlowp fixed point, output zero point -128) and float32.

use super::elementwise::{unary, LogisticInt8};
use super::{kinds, EvalCtx, PrepareCtx, Registration};
use crate::error::Error;
use crate::schema::{BuiltinOperator, TensorType};
use microlite_kernels::logistic::{logistic_f32, logistic_int8, logistic_prepare_int8};

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::LOGISTIC, 3, prepare, eval)
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
    let (input, output) = unary(&op)?;
    let d = match input.t.ty() {
        TensorType::Int8 => {
            // TFLM requires the output zero point -128 (the scale is taken to be 1/256).
            let (_, out_zp) = op.quant(&output)?;
            if out_zp != -128 {
                return Err(op.quant_err(&output));
            }
            let (scale, zp) = op.quant(&input)?;
            let k = logistic_prepare_int8(scale, zp).map_err(|_| op.quant_err(&input))?;
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
        Kind::Int8 => logistic_int8(&d.q.into(), ctx.input::<i8>(0)?, ctx.output::<i8>(0)?),
        Kind::Float32 => logistic_f32(ctx.input::<f32>(0)?, ctx.output::<f32>(0)?),
    }
    .map_err(|e| ctx.kernel_err(e))
}
