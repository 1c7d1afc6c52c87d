//! `SignalFilterBankSpectralSubtraction`: noise-estimate subtraction on uint32 channels;
//! outputs the channels and a copy of the noise estimate, which is the op's state (zeroed
//! by `Interpreter::reset`). Options, by sorted key: `alternate_one_minus_smoothing`,
//! `alternate_smoothing`, `clamping`, `min_signal_remaining`, `num_channels`,
//! `one_minus_smoothing`, `smoothing`, `smoothing_bits`, `spectral_subtraction_bits`.

use super::*;
use crate::ops::Registration;
use microlite_kernels::signal::filter_bank_spectral_subtraction::{
    filter_bank_spectral_subtraction, SpectralSubtractionParams,
};

pub(crate) fn registration() -> Registration {
    Registration::custom("SignalFilterBankSpectralSubtraction", prepare, eval)
}

/// The options as kept in the op's data (`clamping` as 0/1).
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
#[repr(C)]
struct Params {
    num_channels: u32,
    smoothing: u32,
    one_minus_smoothing: u32,
    alternate_smoothing: u32,
    alternate_one_minus_smoothing: u32,
    smoothing_bits: u32,
    min_signal_remaining: u32,
    clamping: u32,
    spectral_subtraction_bits: u32,
}

fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    counts(ctx, 1, 2)?;
    let x = input(ctx, 0, TensorType::UInt32, Some(1))?;
    let out = output(ctx, 0, TensorType::UInt32, Some(1))?;
    let noise = output(ctx, 1, TensorType::UInt32, Some(1))?;
    let map = options(ctx)?;
    let u = |i: usize| opt_int(ctx, &map, i).map(|v| v as u32);
    let p = Params {
        alternate_one_minus_smoothing: u(0)?,
        alternate_smoothing: u(1)?,
        clamping: u32::from(map.bool(2).ok_or(ctx.options_error())?),
        min_signal_remaining: u(3)?,
        num_channels: u(4)?,
        one_minus_smoothing: u(5)?,
        smoothing: u(6)?,
        smoothing_bits: u(7)?,
        spectral_subtraction_bits: u(8)?,
    };
    let n = p.num_channels as usize;
    if p.smoothing_bits >= 32 || p.spectral_subtraction_bits >= 64 {
        return Err(ctx.options_error());
    }
    if x.element_count() < n || out.element_count() < n || noise.element_count() > n {
        return Err(ctx.shape_error(0));
    }
    ctx.persist(&p)?;
    ctx.persist_state::<u32>(n)
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    let p = *ctx.data::<Params>()?;
    let params = SpectralSubtractionParams {
        num_channels: p.num_channels,
        smoothing: p.smoothing,
        one_minus_smoothing: p.one_minus_smoothing,
        alternate_smoothing: p.alternate_smoothing,
        alternate_one_minus_smoothing: p.alternate_one_minus_smoothing,
        smoothing_bits: p.smoothing_bits,
        min_signal_remaining: p.min_signal_remaining,
        clamping: p.clamping != 0,
        spectral_subtraction_bits: p.spectral_subtraction_bits,
    };
    let x = ctx.input::<u32>(0)?;
    let state = ctx.op_state::<u32>()?;
    let out = ctx.output::<u32>(0)?;
    filter_bank_spectral_subtraction(&params, x, state, out).map_err(|e| kernel_err(ctx, e))?;
    let noise = ctx.output::<u32>(1)?;
    for (o, &s) in noise.iter_mut().zip(state.iter()) {
        *o = s;
    }
    Ok(())
}
