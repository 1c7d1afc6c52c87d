//! `SignalFftAutoScale`: scales int16 samples up to use the int16 range; outputs the
//! scaled samples and the shift (an int32 scalar). No options.

use super::*;
use crate::ops::Registration;
use microlite_kernels::signal::fft_auto_scale;

pub(crate) fn registration() -> Registration {
    Registration::custom("SignalFftAutoScale", prepare, eval)
}

fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    counts(ctx, 1, 2)?;
    let x = input(ctx, 0, TensorType::Int16, Some(1))?;
    let out = output(ctx, 0, TensorType::Int16, Some(1))?;
    let bits = output(ctx, 1, TensorType::Int32, Some(0))?;
    if out.element_count() != x.element_count() || bits.element_count() != 1 {
        return Err(ctx.shape_error(0));
    }
    Ok(())
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    let x = ctx.input::<i16>(0)?;
    let out = ctx.output::<i16>(0)?;
    let bits = fft_auto_scale::fft_auto_scale(x, out).map_err(|e| kernel_err(ctx, e))?;
    if let Some(b) = ctx.output::<i32>(1)?.first_mut() {
        *b = bits;
    }
    Ok(())
}
