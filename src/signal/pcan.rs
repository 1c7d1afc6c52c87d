//! `SignalPCAN`: per-channel amplitude normalization of uint32 channels by a gain looked up
//! from the noise estimate (inputs: channels, noise estimate, int16 gain LUT; options:
//! `snr_shift`).

use super::*;
use crate::ops::Registration;
use microlite_kernels::signal::pcan::{pcan, LUT_LEN};

pub(crate) fn registration() -> Registration {
    Registration::custom("SignalPCAN", prepare, eval)
}

fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    counts(ctx, 3, 1)?;
    let x = input(ctx, 0, TensorType::UInt32, Some(1))?;
    let noise = input(ctx, 1, TensorType::UInt32, Some(1))?;
    let lut = input(ctx, 2, TensorType::Int16, Some(1))?;
    let out = output(ctx, 0, TensorType::UInt32, Some(1))?;
    let n = x.element_count();
    if out.element_count() != n || noise.element_count() < n {
        return Err(ctx.shape_error(1));
    }
    if lut.element_count() < LUT_LEN {
        return Err(ctx.shape_error(2));
    }
    let map = options(ctx)?;
    let shift = opt_in(ctx, &map, 0, 0..64)?;
    ctx.persist(&shift)
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    let shift = *ctx.data::<u32>()?;
    let x = ctx.input::<u32>(0)?;
    let noise = ctx.input::<u32>(1)?;
    let noise = noise.get(..x.len()).ok_or(Error::ShapeMismatch {
        op: ctx.op_index(),
        tensor: u32::MAX,
    })?;
    let lut = ctx.input::<i16>(2)?;
    let out = ctx.output::<u32>(0)?;
    pcan(x, noise, lut, shift, out).map_err(|e| kernel_err(ctx, e))
}
