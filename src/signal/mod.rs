//! TFLM's signal-library custom ops (the micro_speech audio front end), written against the
//! public custom-op API ([`Registration::custom`], [`PrepareCtx`], [`EvalCtx`]) as a firmware
//! would write its own. Each op is matched by its `custom_code` (`SignalWindow`, ...); its
//! options are the FlexBuffer map the TF converter writes, read by position as TFLM does
//! ([`crate::flexbuf`]). The math is `microlite_kernels::signal`.
//!
//! Register them with [`crate::MutableOpResolver::add_signal_ops`] (or one by one,
//! `add_signal_window` and so on); [`crate::AllOpsResolver`] has them all.
//!
//! State: `SignalFilterBankSpectralSubtraction` (its noise estimate), `SignalFramer`,
//! `SignalStacker`, `SignalDelay` (their FIFOs) and `SignalOverlapAdd` (its accumulators) keep
//! op state ([`PrepareCtx::persist_state`]), zero at start and zeroed by
//! [`crate::Interpreter::reset`], as TFLM's `Reset`; each kernel's all-zero state is its
//! initial one.

pub(crate) mod energy;
pub(crate) mod fft_auto_scale;
pub(crate) mod filter_bank;
pub(crate) mod filter_bank_log;
pub(crate) mod filter_bank_spectral_subtraction;
pub(crate) mod filter_bank_square_root;
pub(crate) mod framer;
pub(crate) mod overlap_add;
pub(crate) mod pcan;
pub(crate) mod rfft;
pub(crate) mod window;

use crate::error::Error;
use crate::flexbuf::FlexMap;
use crate::model::Tensor;
use crate::ops::{EvalCtx, PrepareCtx};
use crate::schema::TensorType;
use microlite_kernels::KernelError;

/// Requires exactly `ins` inputs and `outs` outputs.
fn counts(ctx: &PrepareCtx<'_>, ins: usize, outs: usize) -> Result<(), Error> {
    if ctx.input_count() != ins || ctx.output_count() != outs {
        return Err(Error::OperandCount { op: ctx.op_index() });
    }
    Ok(())
}

/// Input `k`, of type `ty` and (with `Some`) rank `rank`.
fn input<'c>(
    ctx: &PrepareCtx<'c>,
    k: usize,
    ty: TensorType,
    rank: Option<usize>,
) -> Result<Tensor<'c>, Error> {
    check(ctx, ctx.op.input(k)?, ty, rank)
}

/// Output `k`, of type `ty` and (with `Some`) rank `rank`.
fn output<'c>(
    ctx: &PrepareCtx<'c>,
    k: usize,
    ty: TensorType,
    rank: Option<usize>,
) -> Result<Tensor<'c>, Error> {
    check(ctx, ctx.op.output(k)?, ty, rank)
}

fn check<'c>(
    ctx: &PrepareCtx<'c>,
    t: crate::ops::T<'c>,
    ty: TensorType,
    rank: Option<usize>,
) -> Result<Tensor<'c>, Error> {
    if t.t.ty() != ty {
        return Err(ctx.op.type_err(&t));
    }
    if rank.is_some_and(|r| t.t.shape().len() != r) || t.t.byte_size().is_none() {
        return Err(ctx.op.shape_err(&t));
    }
    Ok(t.t)
}

/// The last dimension of `t` (1 for a scalar).
fn last_dim(t: &Tensor<'_>) -> usize {
    let s = t.shape();
    match s.len() {
        0 => 1,
        n => s.get(n - 1).max(0) as usize,
    }
}

/// The op's custom options as a FlexBuffer map.
fn options<'c>(ctx: &PrepareCtx<'c>) -> Result<FlexMap<'c>, Error> {
    FlexMap::parse(ctx.custom_options()).ok_or(ctx.options_error())
}

/// Option `i` (by sorted key position) as an int32; a missing one is a bad option.
fn opt_int(ctx: &PrepareCtx<'_>, map: &FlexMap<'_>, i: usize) -> Result<i32, Error> {
    map.int(i).ok_or(ctx.options_error())
}

/// Option `i` as a value in `range`.
fn opt_in(
    ctx: &PrepareCtx<'_>,
    map: &FlexMap<'_>,
    i: usize,
    range: core::ops::Range<i64>,
) -> Result<u32, Error> {
    let v = opt_int(ctx, map, i)?;
    if !range.contains(&i64::from(v)) {
        return Err(ctx.options_error());
    }
    Ok(v as u32)
}

/// Maps a kernel's refusal at eval onto the op.
fn kernel_err(ctx: &EvalCtx<'_>, e: KernelError) -> Error {
    match e {
        KernelError::ShapeMismatch => Error::ShapeMismatch {
            op: ctx.op_index(),
            tensor: u32::MAX,
        },
        _ => Error::BadOptions { op: ctx.op_index() },
    }
}
