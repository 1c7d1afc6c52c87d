//! LOGISTIC: int8 (gemmlowp fixed point, output zero point -128), int16 (TFLM's fixed sigmoid
//! table with interpolation; zero points 0, output scale 1/32768) and float32.

use super::elementwise::{int8_params, same_shape, same_type, unary, LogisticInt8};
use super::{kinds, EvalCtx, OpCtx, PrepareCtx, Registration, T};
use crate::error::Error;
use crate::schema::{BuiltinOperator, TensorType};
use microlite_kernels::logistic::{
    is_int16_output_scale, logistic_f32, logistic_int16, logistic_int8, logistic_prepare_int16,
    logistic_prepare_int8, LogisticParamsInt16,
};
use microlite_kernels::KernelError;

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::LOGISTIC, 3, prepare, eval)
}

kinds! {
    enum Kind { Int8, Int16, Float32 }
}

int8_params! {
    /// LOGISTIC's and TANH's int16 parameters (the kernels share the struct).
    pub(crate) struct LogisticInt16 for [LogisticParamsInt16] {
        input_multiplier,
        input_left_shift,
    }
}

/// The operands of LOGISTIC and TANH: one input and one output of the same type and shape;
/// int8 and float32 as [`unary`] checks them, and int16.
pub(crate) fn operands<'m>(op: &OpCtx<'m>) -> Result<(T<'m>, T<'m>), Error> {
    op.expect_counts(1, 1, 1)?;
    let (input, output) = (op.input(0)?, op.output(0)?);
    if input.t.ty() != TensorType::Int16 {
        return unary(op);
    }
    same_type(op, &input, &output)?;
    same_shape(op, &input, &output)?;
    Ok((input, output))
}

/// The int16 set-up of LOGISTIC and TANH: TFLM requires both zero points to be 0 and the
/// output scale to be 1/32768 (`CheckedLog2` exponent -15), then `set_up` rescales the input.
pub(crate) fn prepare_int16(
    op: &OpCtx<'_>,
    input: &T<'_>,
    output: &T<'_>,
    set_up: fn(f32) -> Result<LogisticParamsInt16, KernelError>,
) -> Result<LogisticInt16, Error> {
    let (in_scale, in_zp) = op.quant(input)?;
    let (out_scale, out_zp) = op.quant(output)?;
    if in_zp != 0 {
        return Err(op.quant_err(input));
    }
    if out_zp != 0 || !is_int16_output_scale(out_scale) {
        return Err(op.quant_err(output));
    }
    set_up(in_scale)
        .map(Into::into)
        .map_err(|_| op.quant_err(input))
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
                q16: LogisticInt16::default(),
            }
        }
        TensorType::Int16 => Data {
            kind: Kind::Int16.tag(),
            q: LogisticInt8::default(),
            q16: prepare_int16(&op, &input, &output, logistic_prepare_int16)?,
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
        Kind::Int8 => logistic_int8(&d.q.into(), ctx.input::<i8>(0)?, ctx.output::<i8>(0)?),
        Kind::Int16 => logistic_int16(&d.q16.into(), ctx.input::<i16>(0)?, ctx.output::<i16>(0)?),
        Kind::Float32 => logistic_f32(ctx.input::<f32>(0)?, ctx.output::<f32>(0)?),
    }
    .map_err(|e| ctx.kernel_err(e))
}
