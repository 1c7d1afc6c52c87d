//! `SignalRfft` and `SignalIrfft`: real FFT and its inverse in int16, int32 or float32 (the
//! `T` option, looked up by key as TFLM does: 7, 2 or 0; missing means float32), with the
//! `fft_length` option second by position. The twiddles are computed once, at prepare,
//! into the op's data; eval uses `fft_length` scalars of scratch (the zero-padded row).

use super::*;
use crate::ops::{Element, Registration};
use microlite_kernels::signal::rfft::{
    init_twiddles, irfft, rfft, supported, twiddles_len, FftScalar,
};

pub(crate) fn registration() -> Registration {
    Registration::custom("SignalRfft", prepare_rfft, eval_rfft)
}

pub(crate) fn registration_irfft() -> Registration {
    Registration::custom("SignalIrfft", prepare_irfft, eval_irfft)
}

#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
#[repr(C)]
struct Params {
    /// The TFLite type number of the scalars.
    ty: u32,
    fft_length: u32,
    /// Samples per input row (forward only).
    input_length: u32,
}

/// The scalar type from option `T`.
fn scalar_type(ctx: &PrepareCtx<'_>, map: &FlexMap<'_>) -> Result<TensorType, Error> {
    match map.lookup_int("T").unwrap_or(0) {
        0 => Ok(TensorType::Float32),
        2 => Ok(TensorType::Int32),
        7 => Ok(TensorType::Int16),
        _ => Err(ctx.options_error()),
    }
}

/// Shared checks; returns the params and keeps the twiddles.
fn prepare(ctx: &mut PrepareCtx<'_>, inverse: bool) -> Result<(), Error> {
    counts(ctx, 1, 1)?;
    let map = options(ctx)?;
    let ty = scalar_type(ctx, &map)?;
    let fft_length = opt_int(ctx, &map, 1)?;
    let n = usize::try_from(fft_length).map_err(|_| ctx.options_error())?;
    if !supported(n) {
        return Err(ctx.options_error());
    }
    let x = input(ctx, 0, ty, None)?;
    let rank = x.shape().len();
    let out = output(ctx, 0, ty, Some(rank))?;
    if rank == 0 {
        return Err(ctx.shape_error(0));
    }
    let (in_last, out_last) = (last_dim(&x), last_dim(&out));
    let (in_row, out_row) = if inverse {
        (n + 2, n)
    } else {
        if in_last == 0 || in_last > n {
            return Err(ctx.shape_error(0));
        }
        (in_last, n + 2)
    };
    let rows = x.element_count() / in_row.max(1);
    if in_last != in_row || out_last != out_row || out.element_count() != rows * out_row {
        return Err(ctx.shape_error(0));
    }
    ctx.persist(&Params {
        ty: ty as u32,
        fft_length: n as u32,
        input_length: in_last as u32,
    })?;
    match ty {
        TensorType::Int16 => keep_twiddles::<i16>(ctx, n, inverse)?,
        TensorType::Int32 => keep_twiddles::<i32>(ctx, n, inverse)?,
        _ => keep_twiddles::<f32>(ctx, n, inverse)?,
    }
    let size = ty.size().unwrap_or(4);
    ctx.request_scratch(n * size);
    Ok(())
}

fn keep_twiddles<T: FftScalar + Element>(
    ctx: &mut PrepareCtx<'_>,
    n: usize,
    inverse: bool,
) -> Result<(), Error> {
    let tw = ctx.persist_zeroed::<T>(twiddles_len(n))?;
    init_twiddles(n, inverse, tw).map_err(|_| Error::TooComplex)
}

fn prepare_rfft(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    prepare(ctx, false)
}

fn prepare_irfft(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    prepare(ctx, true)
}

fn run<T: FftScalar + Element>(ctx: &mut EvalCtx<'_>, inverse: bool) -> Result<(), Error> {
    let (p, tw) = ctx.data_parts::<Params, T>()?;
    let n = p.fft_length as usize;
    let x = ctx.input::<T>(0)?;
    let out = ctx.output::<T>(0)?;
    let work = ctx.scratch::<T>()?;
    let r = if inverse {
        irfft(n, tw, x, work, out)
    } else {
        rfft(n, tw, x, p.input_length as usize, work, out)
    };
    r.map_err(|e| kernel_err(ctx, e))
}

fn eval(ctx: &mut EvalCtx<'_>, inverse: bool) -> Result<(), Error> {
    match ctx.data::<Params>()?.ty {
        t if t == TensorType::Int16 as u32 => run::<i16>(ctx, inverse),
        t if t == TensorType::Int32 as u32 => run::<i32>(ctx, inverse),
        _ => run::<f32>(ctx, inverse),
    }
}

fn eval_rfft(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    eval(ctx, false)
}

fn eval_irfft(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    eval(ctx, true)
}
