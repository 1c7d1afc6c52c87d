//! DEQUANTIZE: int8 -> float32.

use super::{Io, OpCtx, OpPlan, Registration};
use crate::error::Error;
use crate::schema::{BuiltinOperator, TensorType};
use microlite_kernels::dequantize::dequantize_i8_to_f32;

pub(crate) fn registration() -> Registration {
    super::legacy_registration!(BuiltinOperator::DEQUANTIZE, 6)
}

fn check(ctx: &OpCtx<'_>) -> Result<(f32, i32), Error> {
    ctx.expect_counts(1, 1, 1)?;
    let (input, output) = (ctx.input(0)?, ctx.output(0)?);
    if input.t.element_count() != output.t.element_count() {
        return Err(ctx.shape_err(&output));
    }
    ctx.expect_type(&input, TensorType::Int8)?;
    ctx.expect_type(&output, TensorType::Float32)?;
    ctx.quant(&input)
}

fn prepare(ctx: &OpCtx<'_>, _data: Option<&mut [i32]>) -> Result<OpPlan, Error> {
    check(ctx)?;
    Ok(OpPlan::default())
}

fn eval(ctx: &OpCtx<'_>, io: &mut Io<'_>, _data: &[i32]) -> Result<(), Error> {
    let (scale, zp) = check(ctx)?;
    let x = io.input::<i8>(0)?;
    dequantize_i8_to_f32(scale, zp, x, io.output::<f32>(0)?).map_err(|e| ctx.kernel_err(e))
}
