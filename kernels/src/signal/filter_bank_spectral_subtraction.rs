//! SignalFilterBankSpectralSubtraction: subtracts a running noise estimate from each
//! channel (TFLM `signal/src/filter_bank_spectral_subtraction.cc`). Stateful: the noise
//! estimate persists between calls and starts at zero.

use crate::KernelError;

/// The op's options (TFLM's custom options, as uint32 except `clamping`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SpectralSubtractionParams {
    /// Channels processed (the state holds one estimate per channel).
    pub num_channels: u32,
    /// Smoothing weight of even channels (Q `spectral_subtraction_bits`).
    pub smoothing: u32,
    /// `2^spectral_subtraction_bits - smoothing`.
    pub one_minus_smoothing: u32,
    /// Smoothing weight of odd channels.
    pub alternate_smoothing: u32,
    /// `2^spectral_subtraction_bits - alternate_smoothing`.
    pub alternate_one_minus_smoothing: u32,
    /// Fractional bits of the noise estimate.
    pub smoothing_bits: u32,
    /// The floor: the part of the input always kept.
    pub min_signal_remaining: u32,
    /// Whether the estimate is clamped to the signal when above it.
    pub clamping: bool,
    /// Fractional bits of the smoothing weights.
    pub spectral_subtraction_bits: u32,
}

/// One step: updates `noise` (`num_channels` values, all zero at first) from `input` and
/// writes the noise-subtracted channels to `output[..num_channels]`.
///
/// # Errors
/// [`KernelError::ShapeMismatch`] when `noise` is not `num_channels` long or `input` /
/// `output` are shorter; [`KernelError::BadParams`] when `smoothing_bits` is not below 32 or
/// `spectral_subtraction_bits` not below 64.
pub fn filter_bank_spectral_subtraction(
    params: &SpectralSubtractionParams,
    input: &[u32],
    noise: &mut [u32],
    output: &mut [u32],
) -> Result<(), KernelError> {
    let p = params;
    let n = p.num_channels as usize;
    if noise.len() != n || input.len() < n || output.len() < n {
        return Err(KernelError::ShapeMismatch);
    }
    if p.smoothing_bits >= 32 || p.spectral_subtraction_bits >= 64 {
        return Err(KernelError::BadParams);
    }
    let (sb, ssb) = (p.smoothing_bits, p.spectral_subtraction_bits);
    for (i, ((&x, est), o)) in input.iter().zip(noise.iter_mut()).zip(output).enumerate() {
        let (s, oms) = if i % 2 == 0 {
            (p.smoothing, p.one_minus_smoothing)
        } else {
            (p.alternate_smoothing, p.alternate_one_minus_smoothing)
        };
        let up = x << sb;
        let mixed = (u64::from(up) * u64::from(s)).wrapping_add(u64::from(*est) * u64::from(oms));
        *est = (mixed >> ssb) as u32;
        let mut e = *est;
        if e > up {
            e = up;
            if p.clamping {
                *est = up;
            }
        }
        let floor = ((u64::from(x) * u64::from(p.min_signal_remaining)) >> ssb) as u32;
        let sub = (up - e) >> sb;
        *o = sub.max(floor);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) const MICRO_SPEECH: SpectralSubtractionParams = SpectralSubtractionParams {
        num_channels: 4,
        smoothing: 409,
        one_minus_smoothing: 15975,
        alternate_smoothing: 983,
        alternate_one_minus_smoothing: 15401,
        smoothing_bits: 10,
        min_signal_remaining: 819,
        clamping: false,
        spectral_subtraction_bits: 14,
    };

    #[test]
    fn three_steps_match_reference() {
        let mut noise = [0u32; 4];
        let mut out = [0u32; 4];
        // Expected values from the Python reference model (sim.py).
        let steps: [([u32; 4], [u32; 4], [u32; 4]); 3] = [
            (
                [1000, 2000, 30, 0],
                [975, 1880, 29, 0],
                [25562, 122875, 766, 0],
            ),
            (
                [1000, 2000, 30, 0],
                [950, 1767, 28, 0],
                [50486, 238377, 1513, 0],
            ),
            (
                [5, 70000, 30, 9],
                [0, 65581, 27, 8],
                [49353, 4524699, 2242, 552],
            ),
        ];
        for (x, want_out, want_noise) in steps {
            filter_bank_spectral_subtraction(&MICRO_SPEECH, &x, &mut noise, &mut out).unwrap();
            assert_eq!(out, want_out);
            assert_eq!(noise, want_noise);
        }
        let clamp = SpectralSubtractionParams {
            clamping: true,
            ..MICRO_SPEECH
        };
        let mut noise = [u32::MAX; 4];
        filter_bank_spectral_subtraction(&clamp, &[1, 1, 1, 1], &mut noise, &mut out).unwrap();
        assert_eq!(noise, [1024; 4]);
        assert_eq!(
            filter_bank_spectral_subtraction(&MICRO_SPEECH, &[0; 3], &mut [0; 4], &mut [0; 4]),
            Err(KernelError::ShapeMismatch)
        );
    }
}
