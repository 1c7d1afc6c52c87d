//! `SignalEnergy`: squared magnitudes of int16 complex bins into uint32 (options:
//! `end_index`, `start_index`).

use super::*;
use crate::ops::Registration;
use microlite_kernels::signal::energy;

pub(crate) fn registration() -> Registration {
    Registration::custom("SignalEnergy", prepare, eval)
}

#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
#[repr(C)]
struct Params {
    start: u32,
    end: u32,
}

fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    counts(ctx, 1, 1)?;
    let x = input(ctx, 0, TensorType::Int16, Some(1))?;
    let out = output(ctx, 0, TensorType::UInt32, Some(1))?;
    let map = options(ctx)?;
    let end = opt_in(ctx, &map, 0, 0..i64::from(i32::MAX))?;
    let start = opt_in(ctx, &map, 1, 0..i64::from(end) + 1)?;
    if end as usize > out.element_count() || end as usize > x.element_count() / 2 {
        return Err(ctx.options_error());
    }
    ctx.persist(&Params { start, end })
}

/// Bins outside `[start, end)` are set to zero (TFLM leaves whatever the arena held there;
/// the preprocessor graph masks them).
fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    let p = *ctx.data::<Params>()?;
    let x = ctx.input::<i16>(0)?;
    let out = ctx.output::<u32>(0)?;
    let (start, end) = (p.start as usize, p.end as usize);
    energy::energy(x, start, end, out).map_err(|e| kernel_err(ctx, e))?;
    if let Some(head) = out.get_mut(..start) {
        head.fill(0);
    }
    if let Some(tail) = out.get_mut(end..) {
        tail.fill(0);
    }
    Ok(())
}
