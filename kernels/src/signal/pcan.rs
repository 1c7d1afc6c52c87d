//! SignalPCAN: per-channel amplitude normalization, a gain looked up from the noise
//! estimate and a compressing "shrink" (TFLM `signal/src/pcan_argc_fixed.cc`).

use super::msb32;
use crate::KernelError;

/// Entries of the gain lookup table PCAN reads (`lut[0..=2]` and 4 per interval 2..=32,
/// the last one dropped).
pub const LUT_LEN: usize = 125;

/// TFLM's `WideDynamicFunction`: the gain for noise estimate `x`, a quadratic per octave
/// from `lut`. `lut` must hold [`LUT_LEN`] entries (the caller checks).
fn wide_dynamic_function(x: u32, lut: &[i16]) -> i16 {
    if x <= 2 {
        return lut[x as usize];
    }
    let interval = msb32(x);
    let base = (4 * interval - 6) as usize;
    let frac = if interval < 11 {
        x << (11 - interval)
    } else {
        x >> (interval - 11)
    } & 0x3FF;
    let frac = frac as i32;
    let mut r = (i32::from(lut[base + 2]) * frac) >> 5;
    r = r.wrapping_add(((lut[base + 1] as i32 as u32) << 5) as i32);
    r = r.wrapping_mul(frac);
    r = r.wrapping_add(1 << 14) >> 15;
    r = r.wrapping_add(i32::from(lut[base]));
    r as i16
}

/// TFLM's `PcanShrink`: `x` (Q12) to Q6, squared below 2.0 and linear above.
fn shrink(x: u32) -> u32 {
    if x < (2 << 12) {
        (x * x) >> 20
    } else {
        (x >> 6).wrapping_sub(64)
    }
}

/// `output[i] = shrink((input[i] * gain(noise[i])) >> snr_shift)`, the gain's int16 LUT
/// value sign-extended, the product in uint64.
///
/// # Errors
/// [`KernelError::ShapeMismatch`] when `output` or `noise` differ from `input` in length or
/// `lut` has fewer than [`LUT_LEN`] entries; [`KernelError::BadParams`] when `snr_shift` is
/// not below 64.
pub fn pcan(
    input: &[u32],
    noise: &[u32],
    lut: &[i16],
    snr_shift: u32,
    output: &mut [u32],
) -> Result<(), KernelError> {
    if output.len() != input.len() || noise.len() != input.len() || lut.len() < LUT_LEN {
        return Err(KernelError::ShapeMismatch);
    }
    if snr_shift >= 64 {
        return Err(KernelError::BadParams);
    }
    for ((o, &x), &n) in output.iter_mut().zip(input).zip(noise) {
        let gain = wide_dynamic_function(n, lut) as i32 as u32;
        let snr = ((u64::from(x) * u64::from(gain)) >> snr_shift) as u32;
        *o = shrink(snr);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// micro_speech's gain LUT (strength 0.95, offset 80, input bits 7, gain bits 21).
    pub(crate) const MICRO_SPEECH_LUT: [i16; LUT_LEN] = [
        32636, 32633, 32630, -6, 0, 0, 32624, -12, 0, 0, 32612, -23, -2, 0, 32587, -48, 0, 0,
        32539, -96, 0, 0, 32443, -190, 0, 0, 32253, -378, 4, 0, 31879, -739, 18, 0, 31158, -1409,
        62, 0, 29811, -2567, 202, 0, 27446, -4301, 562, 0, 23707, -6265, 1230, 0, 18672, -7458,
        1952, 0, 13166, -7030, 2212, 0, 8348, -5342, 1868, 0, 4874, -3459, 1282, 0, 2697, -2025,
        774, 0, 1446, -1120, 436, 0, 762, -596, 232, 0, 398, -313, 122, 0, 207, -164, 64, 0, 107,
        -85, 34, 0, 56, -45, 18, 0, 29, -22, 8, 0, 15, -13, 6, 0, 8, -8, 4, 0, 4, -2, 0, 0, 2, -3,
        2, 0, 1, 0, 0, 0, 1, -3, 2, 0, 0, 0, 0,
    ];

    #[test]
    fn gains_and_shrink() {
        assert_eq!(shrink(100), 0);
        assert_eq!(shrink(8191), (8191 * 8191) >> 20);
        assert_eq!(shrink(8192), 64);
        let x = [0u32, 100, 5000, 70000, 1 << 20];
        let noise = [0u32, 3, 100, 5000, 1 << 31];
        let mut out = [0u32; 5];
        pcan(&x, &noise, &MICRO_SPEECH_LUT, 6, &mut out).unwrap();
        // From the Python reference model (sim.py).
        assert_eq!(out, PCAN_WANT);
        assert_eq!(
            pcan(&x, &noise, &MICRO_SPEECH_LUT[..124], 6, &mut out),
            Err(KernelError::ShapeMismatch)
        );
    }

    const PCAN_WANT: [u32; 5] = [0, 732, 39408, 382475, 0];
}
