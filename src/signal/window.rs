//! `SignalWindow`: int16 samples times an int16 window, shifted (options: `shift`).

use super::*;
use crate::ops::Registration;
use microlite_kernels::signal::window;

pub(crate) fn registration() -> Registration {
    Registration::custom("SignalWindow", prepare, eval)
}

fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    counts(ctx, 2, 1)?;
    let x = input(ctx, 0, TensorType::Int16, None)?;
    let w = input(ctx, 1, TensorType::Int16, Some(1))?;
    let out = output(ctx, 0, TensorType::Int16, Some(x.shape().len()))?;
    let (n, wn) = (x.element_count(), w.element_count());
    if x.shape().is_empty() || out.element_count() != n || wn == 0 || n % wn != 0 {
        return Err(ctx.shape_error(0));
    }
    let map = options(ctx)?;
    let shift = opt_in(ctx, &map, 0, 0..32)?;
    ctx.persist(&shift)
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    let shift = *ctx.data::<u32>()?;
    let x = ctx.input::<i16>(0)?;
    let w = ctx.input::<i16>(1)?;
    let out = ctx.output::<i16>(0)?;
    window::window(x, w, shift, out).map_err(|e| kernel_err(ctx, e))
}
