//! SignalFilterBankLog: a fixed-point natural log of each channel, scaled (TFLM
//! `signal/src/filter_bank_log.cc`, `log.cc`).

use super::msb32;
use crate::KernelError;

/// TFLM's log2 interpolation table: 128 segments of the fractional part (plus padding).
const LOG_LUT: [u16; 130] = [
    0, 224, 442, 654, 861, 1063, 1259, 1450, 1636, 1817, 1992, 2163, 2329, 2490, 2646, 2797, 2944,
    3087, 3224, 3358, 3487, 3611, 3732, 3848, 3960, 4068, 4172, 4272, 4368, 4460, 4549, 4633, 4714,
    4791, 4864, 4934, 5001, 5063, 5123, 5178, 5231, 5280, 5326, 5368, 5408, 5444, 5477, 5507, 5533,
    5557, 5578, 5595, 5610, 5622, 5631, 5637, 5640, 5641, 5638, 5633, 5626, 5615, 5602, 5586, 5568,
    5547, 5524, 5498, 5470, 5439, 5406, 5370, 5332, 5291, 5249, 5203, 5156, 5106, 5054, 5000, 4944,
    4885, 4825, 4762, 4697, 4630, 4561, 4490, 4416, 4341, 4264, 4184, 4103, 4020, 3935, 3848, 3759,
    3668, 3575, 3481, 3384, 3286, 3186, 3084, 2981, 2875, 2768, 2659, 2549, 2437, 2323, 2207, 2090,
    1971, 1851, 1729, 1605, 1480, 1353, 1224, 1094, 963, 830, 695, 559, 421, 282, 142, 0, 0,
];

/// `ln(2)` in Q16.
const LOG_2: u64 = 45426;

/// TFLM's `Log2FractionPart`: the fractional part of `log2(x)` in Q16, `log2x` its integer
/// part.
fn log2_fraction(x: u32, log2x: u32) -> u32 {
    let mut frac = (i64::from(x) - (1i64 << log2x)) as i32;
    if log2x < 16 {
        frac = frac.wrapping_shl(16 - log2x);
    } else {
        frac >>= log2x - 16;
    }
    let seg = ((frac as u32) >> 9) as usize;
    let c0 = i32::from(LOG_LUT[seg.min(128)]);
    let c1 = i32::from(LOG_LUT[seg.min(128) + 1]);
    let rel = c1
        .wrapping_sub(c0)
        .wrapping_mul(frac.wrapping_sub(512 * seg as i32))
        >> 16;
    frac.wrapping_add(c0).wrapping_add(rel) as u32
}

/// TFLM's `Log32`: `output_scale * ln(x)` rounded, with `ln` in Q16 (x > 1).
pub fn log32(x: u32, output_scale: u32) -> u32 {
    let integer = msb32(x) - 1;
    let fraction = log2_fraction(x, integer);
    let log2 = (integer << 16).wrapping_add(fraction);
    let loge = ((LOG_2 * u64::from(log2) + 32768) >> 16) as u32;
    output_scale.wrapping_mul(loge).wrapping_add(32768) >> 16
}

/// `output[i] = min(log32(input[i] << input_correction_bits, output_scale), 32767)`, or 0
/// where the shifted value is 0 or 1.
///
/// # Errors
/// [`KernelError::ShapeMismatch`] when `output` and `input` differ in length;
/// [`KernelError::BadParams`] when `input_correction_bits` is not below 32.
pub fn filter_bank_log(
    input: &[u32],
    output_scale: u32,
    input_correction_bits: u32,
    output: &mut [i16],
) -> Result<(), KernelError> {
    if output.len() != input.len() {
        return Err(KernelError::ShapeMismatch);
    }
    if input_correction_bits >= 32 {
        return Err(KernelError::BadParams);
    }
    for (o, &x) in output.iter_mut().zip(input) {
        let s = x << input_correction_bits;
        *o = if s > 1 {
            log32(s, output_scale).min(32767) as i16
        } else {
            0
        };
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logs() {
        let x = [0u32, 1, 2, 3, 100, 65535, 1 << 20, u32::MAX >> 3];
        let mut out = [0i16; 8];
        filter_bank_log(&x, 64, 3, &mut out).unwrap();
        // From the Python reference model (sim.py).
        assert_eq!(out, LOG_WANT);
        assert_eq!(
            filter_bank_log(&x, 64, 32, &mut out),
            Err(KernelError::BadParams)
        );
    }

    const LOG_WANT: [i16; 8] = [0, 133, 177, 203, 428, 843, 1020, 1420];
}
