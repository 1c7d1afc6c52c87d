//! L2_NORMALIZATION over the last dimension (`depth`); `rows` is the product of the others.
//!
//! The int8 kernel is TFLM's `reference_integer_ops::L2Normalization`: the sum of squared
//! offset inputs (int32, wrapping) goes through `GetInvSqrtQuantizedMultiplierExp` (a
//! fixed-point Newton-Raphson inverse square root in Q3.28), and each offset input is scaled
//! by it with `MultiplyByQuantizedMultiplier`, landing on a fixed output scale of 1/128 with
//! zero point 0 (TFLM adds no output zero point). The float kernel is
//! `reference_ops::L2Normalization`: `x / max(sqrt(sum x^2), 1e-6)`.

use crate::quant::{
    multiply_by_quantized_multiplier, rounding_divide_by_pot,
    saturating_rounding_doubling_high_mul, saturating_rounding_multiply_by_pot,
};
use crate::util::sat_i8;
use crate::KernelError;

/// TFLM's `kReverseShift`: turns a right shift into a left shift exponent.
const REVERSE_SHIFT: i32 = -1;
/// Fractional bits of the int8 output (scale 1/128).
const OUTPUT_SCALE_BITS: i32 = 7;

/// TFLM `GetInvSqrtQuantizedMultiplierExp`: `1 / sqrt(input)` as a multiplier and a shift
/// (`reverse_shift` -1 makes it a left-shift exponent). Inputs 0 and 1 give `(i32::MAX, 0)`.
pub fn get_inv_sqrt_quantized_multiplier_exp(input: i32, reverse_shift: i32) -> (i32, i32) {
    if input <= 1 {
        return (i32::MAX, 0);
    }
    let mut input = input;
    let mut shift: i32 = 11;
    while input >= (1 << 29) {
        input /= 4;
        shift += 1;
    }
    // 2 <= input < 2^29, so 3 <= leading zeros <= 30 and at least one bit pair can go.
    let max_left_shift_bits = (input as u32).leading_zeros() - 1;
    let left_shift_bit_pairs = max_left_shift_bits / 2 - 1;
    shift -= left_shift_bit_pairs as i32;
    input <<= 2 * left_shift_bit_pairs;
    // Newton-Raphson for 1/sqrt in Q3.28 (F3), from x = 1, five iterations.
    let mul = saturating_rounding_doubling_high_mul;
    let fixedpoint_input = input >> 1;
    let fixedpoint_half_input = rounding_divide_by_pot(fixedpoint_input, 1);
    let fixedpoint_half_three: i32 = (1 << 28) + (1 << 27);
    let mut x: i32 = 1 << 28;
    for _ in 0..5 {
        // x * x * x is F9; Rescale<3> shifts left by 6, saturating.
        let x3 = saturating_rounding_multiply_by_pot(mul(mul(x, x), x), 6);
        // Both products are F6; Rescale<3> of the difference shifts left by 3.
        x = saturating_rounding_multiply_by_pot(
            mul(fixedpoint_half_three, x).wrapping_sub(mul(fixedpoint_half_input, x3)),
            3,
        );
    }
    const FIXEDPOINT_HALF_SQRT_2: i32 = 1_518_500_250; // Q0.31
    let mut inv_sqrt = mul(x, FIXEDPOINT_HALF_SQRT_2);
    if shift < 0 {
        inv_sqrt = inv_sqrt.wrapping_shl(shift.unsigned_abs());
        shift = 0;
    }
    (inv_sqrt, shift.wrapping_mul(reverse_shift))
}

/// Int8 L2_NORMALIZATION of `rows` rows of `depth` values; the output is read as zero point
/// 0, scale 1/128.
pub fn l2_normalization_int8(
    input_zero_point: i32,
    rows: usize,
    depth: usize,
    input: &[i8],
    output: &mut [i8],
) -> Result<(), KernelError> {
    let n = rows.checked_mul(depth).ok_or(KernelError::ShapeMismatch)?;
    if input.len() != n || output.len() != n {
        return Err(KernelError::ShapeMismatch);
    }
    if depth == 0 {
        return Ok(());
    }
    for (xs, out) in input
        .chunks_exact(depth)
        .zip(output.chunks_exact_mut(depth))
    {
        let mut acc: i32 = 0;
        for &x in xs {
            let v = i32::from(x).wrapping_sub(input_zero_point);
            acc = acc.wrapping_add(v.wrapping_mul(v));
        }
        let (m, shift) = get_inv_sqrt_quantized_multiplier_exp(acc, REVERSE_SHIFT);
        for (o, &x) in out.iter_mut().zip(xs) {
            let v = i32::from(x).wrapping_sub(input_zero_point);
            *o = sat_i8(multiply_by_quantized_multiplier(
                v,
                m,
                shift.wrapping_add(OUTPUT_SCALE_BITS),
            ));
        }
    }
    Ok(())
}

/// Float L2_NORMALIZATION: `x / max(sqrt(sum of x^2 in order), 1e-6)`, all `f32`.
pub fn l2_normalization_f32(
    rows: usize,
    depth: usize,
    input: &[f32],
    output: &mut [f32],
) -> Result<(), KernelError> {
    const EPSILON: f32 = 1e-6;
    let n = rows.checked_mul(depth).ok_or(KernelError::ShapeMismatch)?;
    if input.len() != n || output.len() != n {
        return Err(KernelError::ShapeMismatch);
    }
    if depth == 0 {
        return Ok(());
    }
    for (xs, out) in input
        .chunks_exact(depth)
        .zip(output.chunks_exact_mut(depth))
    {
        let mut sum = 0.0f32;
        for &x in xs {
            sum += x * x;
        }
        let norm = libm::sqrtf(sum);
        // std::max(l2_norm, epsilon) = (l2_norm < epsilon) ? epsilon : l2_norm.
        let norm = if norm < EPSILON { EPSILON } else { norm };
        for (o, &x) in out.iter_mut().zip(xs) {
            *o = x / norm;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::*;
    use proptest::prelude::*;

    #[test]
    fn inv_sqrt_values() {
        assert_eq!(get_inv_sqrt_quantized_multiplier_exp(0, -1), (i32::MAX, 0));
        assert_eq!(get_inv_sqrt_quantized_multiplier_exp(1, -1), (i32::MAX, 0));
        for v in [2i32, 3, 4, 100, 16129, 1 << 20, 1 << 29, i32::MAX] {
            let (m, s) = get_inv_sqrt_quantized_multiplier_exp(v, -1);
            let got = m as f64 / 2147483648.0 * libm::pow(2.0, s as f64);
            let want = 1.0 / libm::sqrt(v as f64);
            assert!(
                (got - want).abs() <= want * 1e-5,
                "v={v} got={got} want={want}"
            );
        }
    }

    #[test]
    fn known_outputs() {
        // (3, 4) / 5 = (0.6, 0.8) -> 76.8, 102.4 -> 77, 102.
        let mut out = [0i8; 4];
        l2_normalization_int8(0, 2, 2, &[3, 4, 0, 0], &mut out).unwrap();
        assert_eq!(&out[..2], &[77, 102]);
        // A zero row: the multiplier is i32::MAX with shift 7: 0 stays 0.
        assert_eq!(&out[2..], &[0, 0]);
        // A single element equal to the zero point plus one: acc 1 -> MAX, x * 2^7.
        let mut one = [0i8; 1];
        l2_normalization_int8(-5, 1, 1, &[-4], &mut one).unwrap();
        assert_eq!(one, [127]);
        assert_eq!(
            l2_normalization_int8(0, 2, 2, &[0; 3], &mut out),
            Err(KernelError::ShapeMismatch)
        );
        let mut f = [0f32; 4];
        l2_normalization_f32(2, 2, &[3.0, 4.0, 0.0, 0.0], &mut f).unwrap();
        assert_eq!(f, [0.6, 0.8, 0.0, 0.0]);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn inv_sqrt_close(v in 2i32..=i32::MAX) {
            let (m, s) = get_inv_sqrt_quantized_multiplier_exp(v, -1);
            let got = m as f64 / 2147483648.0 * libm::pow(2.0, s as f64);
            let want = 1.0 / libm::sqrt(v as f64);
            prop_assert!((got - want).abs() <= want * 1e-5, "v={} got={} want={}", v, got, want);
        }

        #[test]
        fn int8_close_to_real((depth, x) in (1usize..40).prop_flat_map(|d| (Just(d), i8_vec(d * 3))),
                              zp in -128i32..=127) {
            let rows = 3;
            let mut got = vec![0i8; x.len()];
            l2_normalization_int8(zp, rows, depth, &x, &mut got).unwrap();
            for r in 0..rows {
                let row = &x[r * depth..(r + 1) * depth];
                let ss: f64 = row.iter().map(|&v| ((v as i32 - zp) as f64).powi(2)).sum();
                for c in 0..depth {
                    let v = (row[c] as i32 - zp) as f64;
                    let want = if ss <= 1.0 { v * 128.0 } else { v / ss.sqrt() * 128.0 };
                    let want = want.round().clamp(-128.0, 127.0);
                    prop_assert!((got[r * depth + c] as f64 - want).abs() <= 1.0);
                }
            }
        }

        #[test]
        fn f32_matches((depth, x) in (1usize..20).prop_flat_map(|d| (Just(d), f32_vec(d * 2)))) {
            let mut got = vec![0f32; x.len()];
            l2_normalization_f32(2, depth, &x, &mut got).unwrap();
            for r in 0..2 {
                let row = &x[r * depth..(r + 1) * depth];
                let n = row.iter().map(|&v| (v as f64).powi(2)).sum::<f64>().sqrt().max(1e-6);
                for c in 0..depth {
                    prop_assert!(close(got[r * depth + c], (row[c] as f64 / n) as f32));
                }
            }
        }
    }
}
