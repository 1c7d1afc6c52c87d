//! QUANTIZE: float to int8/int16 (`AffineQuantize`) and integer requantization
//! (`Requantize`), as TFLM's reference quantize kernel.

use crate::quant::{multiply_by_quantized_multiplier, quantize_ratio, QuantizedInt};
use crate::KernelError;

/// `round(x / scale) + zero_point` as TFLM computes it: division in `f32`, `roundf`
/// (half away from zero), conversion to `i32` (saturating here, undefined in C++).
#[inline]
fn affine(x: f32, scale: f32, zero_point: i32) -> i32 {
    (libm::roundf(x / scale) as i32).saturating_add(zero_point)
}

/// Float to a quantized integer: `clamp(round(x / scale) + zero_point)` to the type's range
/// (TFLM `AffineQuantize`).
pub fn quantize_f32<O: QuantizedInt>(
    scale: f32,
    zero_point: i32,
    input: &[f32],
    output: &mut [O],
) -> Result<(), KernelError> {
    if input.len() != output.len() {
        return Err(KernelError::ShapeMismatch);
    }
    for (o, &x) in output.iter_mut().zip(input) {
        *o = O::saturate(affine(x, scale, zero_point));
    }
    Ok(())
}

/// Float to int8: `clamp(round(x / scale) + zero_point, -128, 127)`.
pub fn quantize_f32_to_i8(
    scale: f32,
    zero_point: i32,
    input: &[f32],
    output: &mut [i8],
) -> Result<(), KernelError> {
    quantize_f32(scale, zero_point, input, output)
}

/// Float to int16: `clamp(round(x / scale) + zero_point, -32768, 32767)`.
pub fn quantize_f32_to_i16(
    scale: f32,
    zero_point: i32,
    input: &[f32],
    output: &mut [i16],
) -> Result<(), KernelError> {
    quantize_f32(scale, zero_point, input, output)
}

/// The (multiplier, shift) TFLM's QUANTIZE uses to requantize: `in_scale / out_scale` in
/// double precision (on integers, [`quantize_ratio`]).
pub fn requantize_multiplier(in_scale: f32, out_scale: f32) -> (i32, i32) {
    quantize_ratio(in_scale, out_scale)
}

/// Integer requantization between any two of int8, int16 and int32 (TFLM `Requantize`):
/// `clamp(MBQM(x - in_zp, multiplier, shift) + out_zp)` to the output type's range, with
/// `multiplier`/`shift` from [`requantize_multiplier`].
pub fn requantize<I: QuantizedInt, O: QuantizedInt>(
    multiplier: i32,
    shift: i32,
    in_zp: i32,
    out_zp: i32,
    input: &[I],
    output: &mut [O],
) -> Result<(), KernelError> {
    if input.len() != output.len() {
        return Err(KernelError::ShapeMismatch);
    }
    for (o, &x) in output.iter_mut().zip(input) {
        let v = multiply_by_quantized_multiplier(x.widen().wrapping_sub(in_zp), multiplier, shift);
        *o = O::saturate(v.wrapping_add(out_zp));
    }
    Ok(())
}

/// Int8 to int8 requantization (TFLM `Requantize`), with `multiplier`/`shift` from
/// [`requantize_multiplier`].
pub fn requantize_i8_to_i8(
    multiplier: i32,
    shift: i32,
    in_zp: i32,
    out_zp: i32,
    input: &[i8],
    output: &mut [i8],
) -> Result<(), KernelError> {
    requantize(multiplier, shift, in_zp, out_zp, input, output)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::*;
    use proptest::prelude::*;

    #[test]
    fn hand_checked() {
        let mut out = [0i8; 7];
        quantize_f32_to_i8(
            0.5,
            -1,
            &[0.0, 0.25, -0.25, 0.75, 100.0, -100.0, 1.0],
            &mut out,
        )
        .unwrap();
        // 0.5 -> 1 (away from zero), -0.5 -> -1, 1.5 -> 2.
        assert_eq!(out, [-1, 0, -2, 1, 127, -128, 1]);
        let mut out16 = [0i16; 2];
        quantize_f32_to_i16(0.001, 0, &[1.0, -100.0], &mut out16).unwrap();
        assert_eq!(out16, [1000, -32768]);
        // NaN and infinities do not panic.
        quantize_f32_to_i8(
            0.0,
            0,
            &[f32::NAN, 1.0, -1.0, 0.0, f32::INFINITY, 1e30, -1e30],
            &mut out,
        )
        .unwrap();
        assert_eq!(&out[..3], &[0, 127, -128]);
        // Requantize by 0.5 with zero points: (10 - 2) * 0.5 + 3 = 7.
        let (m, s) = requantize_multiplier(0.5, 1.0);
        let mut o = [0i8; 2];
        requantize_i8_to_i8(m, s, 2, 3, &[10, 11], &mut o).unwrap();
        assert_eq!(o, [7, 8]); // 4.5 rounds up
        assert_eq!(
            requantize_i8_to_i8(m, s, 0, 0, &[1], &mut o),
            Err(KernelError::ShapeMismatch)
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn quantize_matches_naive(xs in proptest::collection::vec(-200.0f32..200.0, 0..64), scale in 0.001f32..2.0, zp in -128i32..=127) {
            let mut out = vec![0i8; xs.len()];
            quantize_f32_to_i8(scale, zp, &xs, &mut out).unwrap();
            for (o, x) in out.iter().zip(&xs) {
                let q = (x / scale).round() as i64 + zp as i64;
                prop_assert_eq!(*o, q.clamp(-128, 127) as i8);
            }
        }

        #[test]
        fn requantize_matches_naive(xs in i8_vec(32), (m, s) in multiplier(), zi in -128i32..=127, zo in -128i32..=127) {
            let mut out = vec![0i8; 32];
            requantize_i8_to_i8(m, s, zi, zo, &xs, &mut out).unwrap();
            let mut out16 = vec![0i16; 32];
            requantize(m, s, zi, zo, &xs, &mut out16).unwrap();
            for ((o, o16), &x) in out.iter().zip(&out16).zip(&xs) {
                let v = naive_mbqm(x as i32 - zi, m, s) as i64 + zo as i64;
                prop_assert_eq!(*o, v.clamp(-128, 127) as i8);
                prop_assert_eq!(*o16 as i64, v);
            }
        }
    }
}
