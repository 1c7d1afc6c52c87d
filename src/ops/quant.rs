//! Shared quantization set-up for the conv-like ops (per-channel or per-tensor filters).

use super::{OpCtx, T};
use crate::error::Error;
use microlite_kernels::quant::{fc_per_tensor_multiplier, quantize_multiplier};

/// Validates the filter's scales (one, or one per output channel) and, with `data`, writes
/// `[multiplier; n] ++ [shift; n]` from `in_scale * filter_scale[c] / out_scale` (in f64, as
/// TFLM). A per-tensor FULLY_CONNECTED multiplies the two scales in f32 first (`fc`), as TFLM's
/// `GetQuantizedConvolutionMultipler` does. Returns the number of scales `n`.
pub(crate) fn channel_multipliers(
    ctx: &OpCtx<'_>,
    input: &T<'_>,
    filter: &T<'_>,
    output: &T<'_>,
    channels: usize,
    fc: bool,
    data: Option<&mut [i32]>,
) -> Result<usize, Error> {
    let (in_scale, _) = ctx.quant(input)?;
    let (out_scale, _) = ctx.quant(output)?;
    let q = filter.t.quantization().ok_or(ctx.quant_err(filter))?;
    let n = q.len();
    if n != 1 && n != channels {
        return Err(ctx.quant_err(filter));
    }
    for c in 0..n {
        let s = q.scale(c);
        if !(s.is_finite() && s > 0.0) || q.zero_point(c) != 0 {
            return Err(ctx.quant_err(filter));
        }
    }
    if let Some(data) = data {
        let (mults, shifts) = data.split_at_mut(n.min(data.len()));
        for c in 0..n {
            let (m, s) = if fc && n == 1 {
                fc_per_tensor_multiplier(in_scale, q.scale(c), out_scale)
            } else {
                quantize_multiplier(
                    f64::from(in_scale) * f64::from(q.scale(c)) / f64::from(out_scale),
                )
            };
            if let (Some(dm), Some(ds)) = (mults.get_mut(c), shifts.get_mut(c)) {
                *dm = m;
                *ds = s;
            }
        }
    }
    Ok(n)
}

/// Splits persistent data written by [`channel_multipliers`] into multipliers and shifts.
pub(crate) fn split(data: &[i32]) -> (&[i32], &[i32]) {
    data.split_at(data.len() / 2)
}
