//! QUANTIZE: float32 -> int8, and int8 -> int8 requantization.

use super::{Io, OpCtx, OpPlan, Registration};
use crate::error::Error;
use crate::schema::{BuiltinOperator, TensorType};
use microlite_kernels::quant::quantize_multiplier;
use microlite_kernels::quantize::{quantize_f32_to_i8, requantize_i8_to_i8};

pub(crate) fn registration() -> Registration {
    super::legacy_registration!(BuiltinOperator::QUANTIZE, 3)
}

fn check(ctx: &OpCtx<'_>) -> Result<(), Error> {
    ctx.expect_counts(1, 1, 1)?;
    let (input, output) = (ctx.input(0)?, ctx.output(0)?);
    if input.t.element_count() != output.t.element_count() {
        return Err(ctx.shape_err(&output));
    }
    ctx.expect_type(&output, TensorType::Int8)?;
    ctx.quant(&output)?;
    match input.t.ty() {
        TensorType::Float32 => Ok(()),
        TensorType::Int8 => ctx.quant(&input).map(|_| ()),
        _ => Err(ctx.type_err(&input)),
    }
}

fn prepare(ctx: &OpCtx<'_>, _data: Option<&mut [i32]>) -> Result<OpPlan, Error> {
    check(ctx)?;
    Ok(OpPlan::default())
}

fn eval(ctx: &OpCtx<'_>, io: &mut Io<'_>, _data: &[i32]) -> Result<(), Error> {
    check(ctx)?;
    let (input, output) = (ctx.input(0)?, ctx.output(0)?);
    let (out_scale, out_zp) = ctx.quant(&output)?;
    match input.t.ty() {
        TensorType::Int8 => {
            let (in_scale, in_zp) = ctx.quant(&input)?;
            let (m, s) = quantize_multiplier(f64::from(in_scale) / f64::from(out_scale));
            let x = io.input::<i8>(0)?;
            requantize_i8_to_i8(m, s, in_zp, out_zp, x, io.output::<i8>(0)?)
        }
        _ => {
            let x = io.input::<f32>(0)?;
            quantize_f32_to_i8(out_scale, out_zp, x, io.output::<i8>(0)?)
        }
    }
    .map_err(|e| ctx.kernel_err(e))
}
