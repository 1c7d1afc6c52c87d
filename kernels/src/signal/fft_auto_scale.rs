//! SignalFftAutoScale: scales int16 samples up by the largest power of two that keeps the
//! peak below 2^14 (TFLM `signal/src/fft_auto_scale.cc`, `max_abs.cc`).

use super::msb32;
use crate::KernelError;

/// TFLM's `MaxAbs16`: the running maximum of `v` and `-v`, where `-(-32768)` stored back
/// into int16 stays -32768 (so after a -32768 any later greater value replaces it).
fn max_abs16(input: &[i16]) -> i16 {
    let mut m: i16 = 0;
    for &v in input {
        if v > m {
            m = v;
        } else if -i32::from(v) > i32::from(m) {
            m = v.wrapping_neg();
        }
    }
    m
}

/// Writes `input * 2^bits` to `output` and returns `bits`, with
/// `bits = max(0, 15 - MSB32(max_abs))` (a negative max reads as `0xFFFF8000`; all-zero
/// input gives 0, as TFLM's `MSB32(0) = 32`).
///
/// # Errors
/// [`KernelError::ShapeMismatch`] when `output` and `input` differ in length.
pub fn fft_auto_scale(input: &[i16], output: &mut [i16]) -> Result<i32, KernelError> {
    if output.len() != input.len() {
        return Err(KernelError::ShapeMismatch);
    }
    let m = max_abs16(input);
    let bits = (16 - msb32(i32::from(m) as u32) as i32 - 1).max(0);
    for (o, &v) in output.iter_mut().zip(input) {
        *o = (i32::from(v) << bits) as i16;
    }
    Ok(bits)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(x: &[i16]) -> (Vec<i16>, i32) {
        let mut out = vec![0; x.len()];
        let bits = fft_auto_scale(x, &mut out).unwrap();
        (out, bits)
    }

    #[test]
    fn scales_and_quirks() {
        assert_eq!(run(&[0, 0, 0]), (vec![0, 0, 0], 0));
        assert_eq!(run(&[1, -3]), (vec![8192, -24576], 13));
        assert_eq!(run(&[100, -200, 50]), (vec![12800, -25600, 6400], 7));
        // -32768 makes the running max negative: nothing scales.
        assert_eq!(run(&[-32768, 0]), (vec![-32768, 0], 0));
        // ... and a later value greater than -32768 replaces it.
        assert_eq!(run(&[-32768, 5]).1, 12);
        assert_eq!(run(&[-32768, 5]).0, vec![0, 20480]);
        assert_eq!(run(&[16384]), (vec![16384], 0));
        assert_eq!(
            fft_auto_scale(&[1], &mut [0, 0]),
            Err(KernelError::ShapeMismatch)
        );
    }
}
