//! TANH: int8 (gemmlowp fixed point; the output is read as scale 1/128, zero point 0, as
//! TFLM), int16 (LOGISTIC's sigmoid table; zero points 0, output scale 1/32768) and float32.
//! Its int8 and int16 data are LOGISTIC's.

use super::elementwise::LogisticInt8;
use super::logistic::{operands, prepare_int16, LogisticInt16};
use super::{kinds, EvalCtx, PrepareCtx, Registration};
use crate::error::Error;
use crate::schema::{BuiltinOperator, TensorType};
use microlite_kernels::tanh::{
    tanh_f32, tanh_int16, tanh_int8, tanh_prepare_int16, tanh_prepare_int8,
};

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::TANH, 3, prepare, eval)
}

kinds! {
    enum Kind { Int8, Int16, Float32 }
}

/// What eval needs, fixed at prepare.
#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Data {
    kind: u32,
    /// Int8 input rescaling (zeroed otherwise).
    q: LogisticInt8,
    /// Int16 input rescaling (zeroed otherwise).
    q16: LogisticInt16,
}

fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    let op = ctx.op;
    let (input, output) = operands(&op)?;
    let d = match input.t.ty() {
        TensorType::Int8 => {
            let (scale, zp) = op.quant(&input)?;
            let k = tanh_prepare_int8(scale, zp).map_err(|_| op.quant_err(&input))?;
            Data {
                kind: Kind::Int8.tag(),
                q: k.into(),
                q16: LogisticInt16::default(),
            }
        }
        TensorType::Int16 => Data {
            kind: Kind::Int16.tag(),
            q: LogisticInt8::default(),
            q16: prepare_int16(&op, &input, &output, tanh_prepare_int16)?,
        },
        TensorType::Float32 => Data {
            kind: Kind::Float32.tag(),
            q: LogisticInt8::default(),
            q16: LogisticInt16::default(),
        },
        _ => return Err(op.type_err(&input)),
    };
    ctx.persist(&d)
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    let d = ctx.data::<Data>()?;
    match Kind::from_tag(d.kind)? {
        Kind::Int8 => tanh_int8(&d.q.into(), ctx.input::<i8>(0)?, ctx.output::<i8>(0)?),
        Kind::Int16 => tanh_int16(&d.q16.into(), ctx.input::<i16>(0)?, ctx.output::<i16>(0)?),
        Kind::Float32 => tanh_f32(ctx.input::<f32>(0)?, ctx.output::<f32>(0)?),
    }
    .map_err(|e| ctx.kernel_err(e))
}
