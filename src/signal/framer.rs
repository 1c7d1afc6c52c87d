//! `SignalFramer`, `SignalStacker` and `SignalDelay`: the int16 FIFO ops (options by
//! position: framer `frame_size`, `frame_step`, `prefill`; stacker `num_channels`,
//! `stacker_left_context`, `stacker_right_context`, `stacker_step`; delay `delay_length`).
//! Their FIFOs are op state (all zero is each one's initial state), zeroed by
//! `Interpreter::reset`.

use super::*;
use crate::ops::Registration;
use microlite_kernels::signal::delay::delay;
use microlite_kernels::signal::framer::{framer, Fifo, FramerParams};
use microlite_kernels::signal::stacker::{stacker, StackerParams};

pub(crate) fn registration() -> Registration {
    Registration::custom("SignalFramer", prepare_framer, eval_framer)
}

pub(crate) fn registration_stacker() -> Registration {
    Registration::custom("SignalStacker", prepare_stacker, eval_stacker)
}

pub(crate) fn registration_delay() -> Registration {
    Registration::custom("SignalDelay", prepare_delay, eval_delay)
}

/// The op state as `words` u32 header words and int16 samples after them.
fn split(state: &mut [u8], words: usize) -> Result<(&mut [u32], &mut [i16]), Error> {
    let (head, rest) = state
        .split_at_mut_checked(4 * words)
        .ok_or(Error::TooComplex)?;
    let head: &mut [u32] = if head.is_empty() {
        &mut []
    } else {
        bytemuck::try_cast_slice_mut(head).map_err(|_| Error::TooComplex)?
    };
    let rest: &mut [i16] = if rest.is_empty() {
        &mut []
    } else {
        bytemuck::try_cast_slice_mut(rest).map_err(|_| Error::TooComplex)?
    };
    Ok((head, rest))
}

/// Bytes of `words` header words and `samples` int16 samples (rounded up to 4).
fn state_bytes(ctx: &PrepareCtx<'_>, words: usize, samples: usize) -> Result<usize, Error> {
    samples
        .checked_mul(2)
        .and_then(|s| s.checked_next_multiple_of(4))
        .and_then(|s| s.checked_add(4 * words))
        .ok_or(ctx.options_error())
}

#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
#[repr(C)]
struct FramerData {
    frame_size: u32,
    frame_step: u32,
    prefill: u32,
    /// Rows (each with its own FIFO).
    outer: u32,
}

fn framer_params(d: &FramerData) -> FramerParams {
    FramerParams {
        frame_size: d.frame_size as usize,
        frame_step: d.frame_step as usize,
        prefill: d.prefill != 0,
    }
}

fn prepare_framer(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    counts(ctx, 1, 2)?;
    let x = input(ctx, 0, TensorType::Int16, None)?;
    let out = output(ctx, 0, TensorType::Int16, Some(x.shape().len() + 1))?;
    output(ctx, 1, TensorType::Bool, Some(0))?;
    let map = options(ctx)?;
    let frame_size = opt_in(ctx, &map, 0, 1..i64::from(i32::MAX))?;
    let frame_step = opt_in(ctx, &map, 1, 1..i64::from(i32::MAX))?;
    let prefill = map.bool(2).ok_or(ctx.options_error())?;
    let len = last_dim(&x);
    if x.shape().is_empty() || len < frame_step as usize || !len.is_multiple_of(frame_step as usize)
    {
        return Err(ctx.shape_error(0));
    }
    let outer = x.element_count() / len;
    let frames = len / frame_step as usize;
    if last_dim(&out) != frame_size as usize
        || out.element_count() != outer * frames * frame_size as usize
    {
        return Err(ctx.shape_error(0));
    }
    let d = FramerData {
        frame_size,
        frame_step,
        prefill: u32::from(prefill),
        outer: u32::try_from(outer).map_err(|_| ctx.shape_error(0))?,
    };
    let cap = framer_params(&d).capacity();
    let bytes = state_bytes(
        ctx,
        outer,
        outer.checked_mul(cap).ok_or(ctx.options_error())?,
    )?;
    ctx.persist(&d)?;
    ctx.persist_state::<u8>(bytes)
}

fn eval_framer(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    let d = *ctx.data::<FramerData>()?;
    let p = framer_params(&d);
    let outer = d.outer as usize;
    let x = ctx.input::<i16>(0)?;
    let out = ctx.output::<i16>(0)?;
    let (extras, samples) = split(ctx.op_state::<u8>()?, outer)?;
    let cap = p.capacity();
    let rows = x.len() / outer.max(1);
    let out_rows = out.len() / outer.max(1);
    let mut valid = true;
    for (((row, o), extra), buf) in x
        .chunks_exact(rows.max(1))
        .zip(out.chunks_exact_mut(out_rows.max(1)))
        .zip(extras.iter_mut())
        .zip(samples.chunks_exact_mut(cap.max(1)))
    {
        let mut fifo = Fifo {
            buf,
            extra,
            initial: p.initial(),
        };
        valid &= framer(&p, &mut fifo, row, o).map_err(|e| kernel_err(ctx, e))?;
    }
    if let Some(v) = ctx.output::<u8>(1)?.first_mut() {
        *v = u8::from(valid);
    }
    Ok(())
}

#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
#[repr(C)]
struct StackerData {
    num_channels: u32,
    left: u32,
    right: u32,
    step: u32,
}

fn stacker_params(d: &StackerData) -> StackerParams {
    StackerParams {
        num_channels: d.num_channels as usize,
        left_context: d.left as usize,
        right_context: d.right as usize,
        step: d.step as usize,
    }
}

fn prepare_stacker(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    counts(ctx, 1, 2)?;
    let x = input(ctx, 0, TensorType::Int16, Some(1))?;
    let out = output(ctx, 0, TensorType::Int16, Some(1))?;
    output(ctx, 1, TensorType::Bool, Some(0))?;
    let map = options(ctx)?;
    let small = 0..i64::from(u16::MAX);
    let d = StackerData {
        num_channels: opt_in(ctx, &map, 0, small.clone())?,
        left: opt_in(ctx, &map, 1, small.clone())?,
        right: opt_in(ctx, &map, 2, small.clone())?,
        step: opt_in(ctx, &map, 3, 1..i64::from(u16::MAX))?,
    };
    let p = stacker_params(&d);
    if x.element_count() != p.num_channels || out.element_count() != p.output_len() {
        return Err(ctx.shape_error(0));
    }
    let bytes = state_bytes(ctx, 2, p.output_len())?;
    ctx.persist(&d)?;
    ctx.persist_state::<u8>(bytes)
}

fn eval_stacker(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    let p = stacker_params(ctx.data::<StackerData>()?);
    let x = ctx.input::<i16>(0)?;
    let out = ctx.output::<i16>(0)?;
    let (head, buf) = split(ctx.op_state::<u8>()?, 2)?;
    let [first, extra] = head else {
        return Err(Error::TooComplex);
    };
    let mut fifo = Fifo {
        buf,
        extra,
        initial: 0,
    };
    let valid = stacker(&p, &mut fifo, first, x, out).map_err(|e| kernel_err(ctx, e))?;
    if let Some(v) = ctx.output::<u8>(1)?.first_mut() {
        *v = u8::from(valid);
    }
    Ok(())
}

#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
#[repr(C)]
struct DelayData {
    delay: u32,
    outer: u32,
}

fn prepare_delay(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    counts(ctx, 1, 1)?;
    let x = input(ctx, 0, TensorType::Int16, None)?;
    let out = output(ctx, 0, TensorType::Int16, None)?;
    let map = options(ctx)?;
    let delay = opt_in(ctx, &map, 0, 0..i64::from(i32::MAX))?;
    let len = last_dim(&x);
    if len == 0 || out.element_count() != x.element_count() || last_dim(&out) != len {
        return Err(ctx.shape_error(0));
    }
    let outer = x.element_count() / len;
    let samples = outer
        .checked_mul(delay as usize)
        .ok_or(ctx.options_error())?;
    let bytes = state_bytes(ctx, 0, samples)?;
    ctx.persist(&DelayData {
        delay,
        outer: u32::try_from(outer).map_err(|_| ctx.shape_error(0))?,
    })?;
    ctx.persist_state::<u8>(bytes)
}

fn eval_delay(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    let d = *ctx.data::<DelayData>()?;
    let x = ctx.input::<i16>(0)?;
    let out = ctx.output::<i16>(0)?;
    let (_, samples) = split(ctx.op_state::<u8>()?, 0)?;
    let len = x.len() / (d.outer as usize).max(1);
    let delay_len = d.delay as usize;
    if delay_len == 0 {
        out.copy_from_slice(x);
        return Ok(());
    }
    for ((row, o), state) in x
        .chunks_exact(len.max(1))
        .zip(out.chunks_exact_mut(len.max(1)))
        .zip(samples.chunks_exact_mut(delay_len))
    {
        delay(state, row, o).map_err(|e| kernel_err(ctx, e))?;
    }
    Ok(())
}
