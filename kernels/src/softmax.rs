//! SOFTMAX over the last dimension (`depth`); `rows` is the product of the other dimensions.
//!
//! The int8 kernel is TFLM's `reference_ops::Softmax<int8_t, int8_t>`: gemmlowp fixed-point
//! `exp` on Q5.26 differences, a Q12.19 sum and its fixed-point reciprocal. Its output is
//! always quantized with zero point -128 and scale 1/256 (TFLM refuses anything else).

use crate::double::Double;
use crate::quant::{
    exp_on_negative_values, get_reciprocal, multiply_by_quantized_multiplier_greater_than_one,
    rounding_divide_by_pot, saturating_rounding_doubling_high_mul, QuantizedInt,
};
use crate::KernelError;

/// Integer bits of the scaled input differences fed to `exp` (Q5.26).
const SCALED_DIFF_INTEGER_BITS: i32 = 5;
/// Integer bits of the sum of exponentials (Q12.19).
const ACCUMULATION_INTEGER_BITS: i32 = 12;

/// Precomputed int8 softmax parameters, as TFLM's `SoftmaxParams` for int8.
#[derive(Clone, Copy, Debug)]
pub struct SoftmaxParamsInt8 {
    /// Fixed-point multiplier of `beta * input_scale` into Q5.26.
    pub input_multiplier: i32,
    /// Left shift that goes with `input_multiplier`.
    pub input_left_shift: i32,
    /// Differences from the row maximum below this give a zero probability.
    pub diff_min: i32,
}

/// TFLM's int8 softmax set-up: `PreprocessSoftmaxScaling(beta, input_scale, 5)` then
/// `diff_min = -CalculateInputRadius(5, left_shift, 31)`.
///
/// TFLM aborts when `beta * input_scale * 2^26 <= 1`; this computes the same formulas
/// without checking.
pub fn softmax_prepare_int8(beta: f32, input_scale: f32) -> SoftmaxParamsInt8 {
    // beta * input_scale * 2^26 in double precision, capped at 2^31 - 1 (exact on integers).
    let max_real_multiplier = Double::from_int((1 << 31) - 1);
    let real =
        Double::product_of(beta, input_scale).map(|r| r.scale(31 - SCALED_DIFF_INTEGER_BITS));
    let (input_multiplier, input_left_shift) = match (real, max_real_multiplier) {
        (Some(r), Some(max)) if r.greater_than(max) => max.quantize_multiplier(),
        (Some(r), _) => r.quantize_multiplier(),
        // Not positive or not finite: TFLM aborts; the same as a zero multiplier.
        _ => (0, 0),
    };
    // CalculateInputRadius: floor((2^5 - 1) * 2^26 / 2^left_shift), saturated to i32.
    let top = ((1i64 << SCALED_DIFF_INTEGER_BITS) - 1) << (31 - SCALED_DIFF_INTEGER_BITS);
    let radius = match input_left_shift {
        s if s >= 63 => 0,
        s if s >= 0 => top >> s,
        s if s > -32 => (top << -s).min(i64::from(i32::MAX)),
        _ => i64::from(i32::MAX),
    } as i32;
    SoftmaxParamsInt8 {
        input_multiplier,
        input_left_shift,
        diff_min: -radius,
    }
}

/// Int8 softmax of `rows` rows of `depth` values; output zero point -128, scale 1/256.
///
/// Returns `BadParams` for a row whose sum of exponentials leaves TFLM's supported range
/// (TFLM aborts there: about 512 or more equal maxima in one row).
pub fn softmax_int8(
    p: &SoftmaxParamsInt8,
    rows: usize,
    depth: usize,
    input: &[i8],
    output: &mut [i8],
) -> Result<(), KernelError> {
    softmax_int8_to(p, rows, depth, input, output)
}

/// Int8 softmax into int8 (scale 1/256, zero point -128) or int16 (scale 1/65536, zero point
/// -32768) outputs: TFLM's `Softmax<int8_t, OutputT>`, whose only difference is the final
/// shift (`31 - bits`) and the range; it adds the type's minimum, not the tensor's zero point.
///
/// # Errors
/// As [`softmax_int8`].
pub fn softmax_int8_to<O: QuantizedInt>(
    p: &SoftmaxParamsInt8,
    rows: usize,
    depth: usize,
    input: &[i8],
    output: &mut [O],
) -> Result<(), KernelError> {
    let bits = 8 * core::mem::size_of::<O>() as i32;
    let n = rows.checked_mul(depth).ok_or(KernelError::ShapeMismatch)?;
    if input.len() != n || output.len() != n {
        return Err(KernelError::ShapeMismatch);
    }
    if depth == 0 {
        return Ok(());
    }
    let scaled_exp = |diff: i32| {
        let scaled = multiply_by_quantized_multiplier_greater_than_one(
            diff,
            p.input_multiplier,
            p.input_left_shift,
        );
        exp_on_negative_values(scaled, SCALED_DIFF_INTEGER_BITS as u32)
    };
    for (xs, out) in input
        .chunks_exact(depth)
        .zip(output.chunks_exact_mut(depth))
    {
        let mut max_in_row = i8::MIN;
        for &x in xs {
            if max_in_row < x {
                max_in_row = x;
            }
        }
        let max_in_row = max_in_row as i32;

        let mut sum_of_exps: i32 = 0;
        for &x in xs {
            let diff = x as i32 - max_in_row;
            if diff >= p.diff_min {
                // Rescale<12> of a Q0.31 value: a rounding shift right by 12.
                sum_of_exps = sum_of_exps.wrapping_add(rounding_divide_by_pot(
                    scaled_exp(diff),
                    ACCUMULATION_INTEGER_BITS,
                ));
            }
        }

        let (shifted_scale, num_bits_over_unit) =
            get_reciprocal(sum_of_exps, ACCUMULATION_INTEGER_BITS);
        let exponent = num_bits_over_unit.wrapping_add(31 - bits);
        if !(0..=31).contains(&exponent) {
            return Err(KernelError::BadParams);
        }

        for (&x, o) in xs.iter().zip(out.iter_mut()) {
            let diff = x as i32 - max_in_row;
            *o = if diff >= p.diff_min {
                let exp_in_0 = scaled_exp(diff);
                let unsat = rounding_divide_by_pot(
                    saturating_rounding_doubling_high_mul(shifted_scale, exp_in_0),
                    exponent,
                );
                O::saturate(unsat.wrapping_add(O::MIN))
            } else {
                O::saturate(O::MIN)
            };
        }
    }
    Ok(())
}

/// Float softmax as TFLM's `reference_ops::Softmax`: `exp((x - max) * beta)` in `f32`,
/// summed in order, each divided by the sum.
pub fn softmax_f32(
    beta: f32,
    rows: usize,
    depth: usize,
    input: &[f32],
    output: &mut [f32],
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
        let mut max = f32::MIN;
        for &x in xs {
            if max < x {
                max = x;
            }
        }
        let mut sum = 0.0f32;
        for (&x, o) in xs.iter().zip(out.iter_mut()) {
            let e = libm::expf((x - max) * beta);
            *o = e;
            sum += e;
        }
        for o in out.iter_mut() {
            *o /= sum;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// TFLM's `PreprocessSoftmaxScaling` and `CalculateInputRadius` in f64, as written there.
    fn prepare_f64(beta: f32, input_scale: f32) -> SoftmaxParamsInt8 {
        let max_real_multiplier = ((1i64 << 31) - 1) as f64;
        let real = beta as f64 * input_scale as f64 * (1i64 << 26) as f64;
        let real = if max_real_multiplier < real {
            max_real_multiplier
        } else {
            real
        };
        let (input_multiplier, input_left_shift) = crate::quant::quantize_multiplier(real);
        let max_input_rescaled = 31.0 * (1i64 << 26) as f64 / libm::ldexp(1.0, input_left_shift);
        let radius = libm::floor(max_input_rescaled) as i32;
        SoftmaxParamsInt8 {
            input_multiplier,
            input_left_shift,
            diff_min: -(radius as f64) as i32,
        }
    }

    proptest! {
        #[test]
        fn prepare_matches_tflm_in_f64(
            beta in prop_oneof![Just(1.0f32), 1e-3f32..100.0, (1u32..0x7F80_0000).prop_map(f32::from_bits)],
            scale in prop_oneof![1e-6f32..1.0, (1u32..0x7F80_0000).prop_map(f32::from_bits)],
        ) {
            let (a, b) = (softmax_prepare_int8(beta, scale), prepare_f64(beta, scale));
            prop_assert_eq!(
                (a.input_multiplier, a.input_left_shift, a.diff_min),
                (b.input_multiplier, b.input_left_shift, b.diff_min)
            );
        }
    }

    #[test]
    fn prepare_values() {
        // beta 1, scale 1/16: real = 2^22 -> multiplier 2^30, shift 23; radius 31*2^26/2^23 = 248.
        let p = softmax_prepare_int8(1.0, 1.0 / 16.0);
        assert_eq!(
            (p.input_multiplier, p.input_left_shift, p.diff_min),
            (1 << 30, 23, -248)
        );
        // Huge scale: capped at 2^31 - 1 -> multiplier 2^31-1, shift 31; radius floor(31/32) = 0.
        let p = softmax_prepare_int8(1.0, 1000.0);
        assert_eq!(
            (p.input_multiplier, p.input_left_shift, p.diff_min),
            (i32::MAX, 31, 0)
        );
    }

    #[test]
    fn hand_checked_outputs() {
        let p = softmax_prepare_int8(1.0, 0.1);
        let mut out = [0i8; 1];
        // One element: probability 1 -> 256 - 128, saturated to 127.
        softmax_int8(&p, 1, 1, &[-40], &mut out).unwrap();
        assert_eq!(out, [127]);
        // Two equal elements: 0.5 each -> 128 - 128 = 0.
        let mut out = [0i8; 2];
        softmax_int8(&p, 1, 2, &[7, 7], &mut out).unwrap();
        assert_eq!(out, [0, 0]);
        // Four equal: 64 - 128.
        let mut out = [0i8; 8];
        softmax_int8(&p, 2, 4, &[1, 1, 1, 1, -128, -128, -128, -128], &mut out).unwrap();
        assert_eq!(out, [-64; 8]);
        // A far smaller value (diff below diff_min) gives -128.
        let p = softmax_prepare_int8(1.0, 1.0);
        let mut out = [0i8; 2];
        softmax_int8(&p, 1, 2, &[100, -100], &mut out).unwrap();
        assert_eq!(out, [127, -128]);
    }

    #[test]
    fn too_many_maxima_is_an_error() {
        let p = softmax_prepare_int8(1.0, 0.1);
        let input = [5i8; 600];
        let mut out = [0i8; 600];
        assert_eq!(
            softmax_int8(&p, 1, 600, &input, &mut out),
            Err(KernelError::BadParams)
        );
        let mut out = [0i8; 511];
        assert!(softmax_int8(&p, 1, 511, &input[..511], &mut out).is_ok());
        assert_eq!(
            softmax_int8(&p, 2, 3, &input[..5], &mut out[..6]),
            Err(KernelError::ShapeMismatch)
        );
    }

    #[test]
    fn f32_hand_checked() {
        let mut out = [0f32; 3];
        softmax_f32(1.0, 1, 3, &[1.0, 2.0, 3.0], &mut out).unwrap();
        let e = [libm::expf(-2.0), libm::expf(-1.0), 1.0];
        let s = e[0] + e[1] + e[2];
        assert_eq!(out, [e[0] / s, e[1] / s, e[2] / s]);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// The fixed-point result is the correctly rounded probability within one step.
        #[test]
        fn int8_close_to_real_softmax(
            (rows, depth, input, scale, beta) in (1usize..=3, 1usize..=64).prop_flat_map(|(r, d)| (
                Just(r), Just(d),
                proptest::collection::vec(any::<i8>(), r * d),
                0.01f32..0.5,
                prop_oneof![Just(1.0f32), 0.5f32..2.0],
            ))
        ) {
            let p = softmax_prepare_int8(beta, scale);
            let mut out = vec![0i8; rows * depth];
            softmax_int8(&p, rows, depth, &input, &mut out).unwrap();
            for r in 0..rows {
                let xs = &input[r * depth..(r + 1) * depth];
                let max = *xs.iter().max().unwrap() as f64;
                let e: Vec<f64> = xs.iter().map(|&x| libm::exp((x as f64 - max) * scale as f64 * beta as f64)).collect();
                let s: f64 = e.iter().sum();
                for (c, ev) in e.iter().enumerate() {
                    let want = (libm::round(ev / s * 256.0) - 128.0).clamp(-128.0, 127.0);
                    let got = out[r * depth + c] as f64;
                    prop_assert!((got - want).abs() <= 1.0, "got {} want {} (p={})", got, want, ev / s);
                }
            }
        }

        #[test]
        fn f32_sums_to_one(
            (rows, depth, input, beta) in (1usize..=3, 1usize..=32).prop_flat_map(|(r, d)| (
                Just(r), Just(d), proptest::collection::vec(-10.0f32..10.0, r * d), 0.1f32..3.0,
            ))
        ) {
            let mut out = vec![0f32; rows * depth];
            softmax_f32(beta, rows, depth, &input, &mut out).unwrap();
            for r in 0..rows {
                let xs = &input[r * depth..(r + 1) * depth];
                let max = xs.iter().cloned().fold(f32::MIN, f32::max) as f64;
                let s: f64 = xs.iter().map(|&x| libm::exp((x as f64 - max) * beta as f64)).sum();
                for c in 0..depth {
                    let want = (libm::exp((xs[c] as f64 - max) * beta as f64) / s) as f32;
                    prop_assert!(crate::testutil::close(out[r * depth + c], want));
                }
            }
        }
    }
}
