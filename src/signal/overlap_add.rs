//! `SignalOverlapAdd`: overlap-adds int16 (saturating) or float32 frames into a stream
//! (options: `T`, by key, 7 or 0; `frame_step` second by position). The per-row
//! accumulators are op state, zeroed by `Interpreter::reset`.

use super::*;
use crate::ops::{Element, Registration};
use microlite_kernels::signal::overlap_add::{overlap_add, OverlapAddSample};

pub(crate) fn registration() -> Registration {
    Registration::custom("SignalOverlapAdd", prepare, eval)
}

#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
#[repr(C)]
struct Data {
    ty: u32,
    frame_size: u32,
    frame_step: u32,
    outer: u32,
}

fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    counts(ctx, 1, 1)?;
    let map = options(ctx)?;
    let ty = match map.lookup_int("T").unwrap_or(0) {
        0 => TensorType::Float32,
        7 => TensorType::Int16,
        _ => return Err(ctx.options_error()),
    };
    let frame_step = opt_in(ctx, &map, 1, 1..i64::from(i32::MAX))?;
    let x = input(ctx, 0, ty, None)?;
    let rank = x.shape().len();
    if rank < 2 {
        return Err(ctx.shape_error(0));
    }
    let out = output(ctx, 0, ty, Some(rank - 1))?;
    let frame_size = last_dim(&x);
    let frames = x.shape().get(rank - 2).max(0) as usize;
    if frame_size < frame_step as usize || frames == 0 {
        return Err(ctx.shape_error(0));
    }
    let outer = x.element_count() / (frames * frame_size);
    if out.element_count() != outer * frames * frame_step as usize
        || last_dim(&out) != frames * frame_step as usize
    {
        return Err(ctx.shape_error(0));
    }
    let d = Data {
        ty: ty as u32,
        frame_size: frame_size as u32,
        frame_step,
        outer: u32::try_from(outer).map_err(|_| ctx.shape_error(0))?,
    };
    let n = outer.checked_mul(frame_size).ok_or(ctx.options_error())?;
    ctx.persist(&d)?;
    if ty == TensorType::Int16 {
        ctx.persist_state::<i16>(n)
    } else {
        ctx.persist_state::<f32>(n)
    }
}

fn run<T: OverlapAddSample + Element>(ctx: &mut EvalCtx<'_>, d: &Data) -> Result<(), Error> {
    let x = ctx.input::<T>(0)?;
    let out = ctx.output::<T>(0)?;
    let acc = ctx.op_state::<T>()?;
    let outer = (d.outer as usize).max(1);
    let (in_row, out_row) = (x.len() / outer, out.len() / outer);
    for ((row, o), a) in x
        .chunks_exact(in_row.max(1))
        .zip(out.chunks_exact_mut(out_row.max(1)))
        .zip(acc.chunks_exact_mut((d.frame_size as usize).max(1)))
    {
        overlap_add(a, d.frame_step as usize, row, o).map_err(|e| kernel_err(ctx, e))?;
    }
    Ok(())
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    let d = *ctx.data::<Data>()?;
    if d.ty == TensorType::Int16 as u32 {
        run::<i16>(ctx, &d)
    } else {
        run::<f32>(ctx, &d)
    }
}
