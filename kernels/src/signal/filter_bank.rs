//! SignalFilterBank: triangular mel filters over a power spectrum, accumulated in uint64
//! (TFLM `signal/src/filter_bank.cc`).

use crate::KernelError;

/// The filter bank's tables (model constants): `num_channels + 1` channels, the first a
/// scratch channel whose output is dropped.
#[derive(Clone, Copy, Debug)]
pub struct FilterBankTables<'a> {
    /// Weight of each bin for its channel (Q12 in micro_speech).
    pub weights: &'a [i16],
    /// `1 - weight` of each bin, which goes to the next channel.
    pub unweights: &'a [i16],
    /// First spectrum bin of each channel.
    pub channel_frequency_starts: &'a [i16],
    /// First weight of each channel.
    pub channel_weight_starts: &'a [i16],
    /// Bins in each channel.
    pub channel_widths: &'a [i16],
}

/// Writes channel `c + 1`'s energy to `output[c]` for `c < output.len()`. Each channel sums
/// `weight * input` over its bins, plus the `unweight * input` sums its predecessor carried
/// over; all sums wrap in uint64 (int16 tables sign-extended), as TFLM.
///
/// # Errors
/// [`KernelError::ShapeMismatch`] when `output` has more than `num_channels` values, a
/// channel table has fewer than `num_channels + 1`, or a channel's bins or weights run past
/// `input` or the weight tables (or start negative).
pub fn filter_bank(
    input: &[u32],
    tables: &FilterBankTables<'_>,
    num_channels: usize,
    output: &mut [u64],
) -> Result<(), KernelError> {
    let t = tables;
    let channels = num_channels.checked_add(1).ok_or(KernelError::BadParams)?;
    if output.len() > num_channels
        || t.channel_frequency_starts.len() < channels
        || t.channel_weight_starts.len() < channels
        || t.channel_widths.len() < channels
    {
        return Err(KernelError::ShapeMismatch);
    }
    let (mut acc_w, mut acc_u) = (0u64, 0u64);
    for c in 0..channels {
        let width = t.channel_widths[c].max(0) as usize;
        let fs = usize::try_from(t.channel_frequency_starts[c]);
        let ws = usize::try_from(t.channel_weight_starts[c]);
        if width > 0 {
            let (Ok(fs), Ok(ws)) = (fs, ws) else {
                return Err(KernelError::ShapeMismatch);
            };
            let (Some(x), Some(w), Some(u)) = (
                input.get(fs..fs + width),
                t.weights.get(ws..ws + width),
                t.unweights.get(ws..ws + width),
            ) else {
                return Err(KernelError::ShapeMismatch);
            };
            for ((&e, &w), &u) in x.iter().zip(w).zip(u) {
                let e = u64::from(e);
                acc_w = acc_w.wrapping_add((w as i64 as u64).wrapping_mul(e));
                acc_u = acc_u.wrapping_add((u as i64 as u64).wrapping_mul(e));
            }
        }
        if let Some(o) = c.checked_sub(1).and_then(|i| output.get_mut(i)) {
            *o = acc_w;
        }
        acc_w = acc_u;
        acc_u = 0;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_channels() {
        // Channel 0 (scratch) covers bin 0, channel 1 bins 1-2, channel 2 bin 3.
        let tables = FilterBankTables {
            weights: &[4096, 1000, 3000, 2048],
            unweights: &[0, 3096, 1096, 2048],
            channel_frequency_starts: &[0, 1, 3],
            channel_weight_starts: &[0, 1, 3],
            channel_widths: &[1, 2, 1],
        };
        let x = [10u32, 20, 30, 40];
        let mut out = [0u64; 2];
        filter_bank(&x, &tables, 2, &mut out).unwrap();
        assert_eq!(out[0], 1000 * 20 + 3000 * 30);
        assert_eq!(out[1], 3096 * 20 + 1096 * 30 + 2048 * 40);
        // A negative weight wraps the u64 sum.
        let neg = FilterBankTables {
            weights: &[0, -1],
            unweights: &[0, 0],
            channel_frequency_starts: &[0, 1],
            channel_weight_starts: &[0, 1],
            channel_widths: &[1, 1],
        };
        filter_bank(&[0, 5], &neg, 1, &mut out[..1]).unwrap();
        assert_eq!(out[0], 5u64.wrapping_neg());
        assert_eq!(
            filter_bank(&x, &tables, 1, &mut out),
            Err(KernelError::ShapeMismatch)
        );
        let bad = FilterBankTables {
            channel_widths: &[1, 2, 9],
            ..tables
        };
        assert_eq!(
            filter_bank(&x, &bad, 2, &mut out),
            Err(KernelError::ShapeMismatch)
        );
    }
}
