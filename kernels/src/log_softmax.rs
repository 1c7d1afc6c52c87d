//! LOG_SOFTMAX over the last dimension (`depth`; `rows` the product of the others).
//!
//! float32 is TFLM's `reference_ops::LogSoftmax`: `x - max - logf(sum expf(x - max))`. int8
//! is `reference_ops::LogSoftmaxQuantized`: Q5.26 differences from the row maximum (those
//! below `diff_min` skipped), gemmlowp `exp` summed in Q12.19, its log in Q5.26 by
//! `log_x_for_x_greater_than_or_equal_to_1`, and `(diff - log_sum) / 2^22 + 127`; differences
//! at or below the rescaled `log_sum` bound give -128. The output is always scale 16/256,
//! zero point 127 (TFLM requires it).

use crate::double::Double;
use crate::quant::{
    exp_on_negative_values, multiply_by_quantized_multiplier, one_over_one_plus_x_for_x_in_0_1,
    quantize_quotient, rounding_divide_by_pot, rounding_half_sum,
    saturating_rounding_doubling_high_mul as mul, saturating_rounding_multiply_by_pot,
};
use crate::softmax::softmax_prepare_int8;
use crate::KernelError;

/// Integer bits of the scaled differences (Q5.26) and of the log output.
const INPUT_INTEGER_BITS: i32 = 5;
/// Integer bits of the sum of exponentials (Q12.19).
const ACCUMULATION_INTEGER_BITS: i32 = 12;
/// Integer bits of the output's fixed-point step.
const OUTPUT_INTEGER_BITS: i32 = 4;

/// The int8 parameters, as TFLM's `LogSoftmaxOpData`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LogSoftmaxParamsInt8 {
    /// `input_scale * 2^26` as a multiplier.
    pub input_multiplier: i32,
    /// Its left shift.
    pub input_left_shift: i32,
    /// The multiplier back from Q5.26 to input units.
    pub reverse_scaling_divisor: i32,
    /// Its shift (`<= 0`: a right shift).
    pub reverse_scaling_shift: i32,
    /// Differences below this are skipped in the sum.
    pub diff_min: i32,
}

/// TFLM's `PreprocessLogSoftmaxScalingExp(1.0, input_scale, 5, ..)` and
/// `diff_min = -CalculateInputRadius(5, left_shift)`, on integers.
pub fn log_softmax_prepare_int8(input_scale: f32) -> LogSoftmaxParamsInt8 {
    let s = softmax_prepare_int8(1.0, input_scale);
    // (1 << (31 - left_shift)) / multiplier in double, then QuantizeMultiplierSmallerThanOneExp.
    let (reverse_scaling_divisor, reverse_scaling_shift) = match 31 - s.input_left_shift {
        e @ 0..=30 => quantize_quotient(
            Double::from_int(1u64 << e),
            Double::from_int(u64::try_from(s.input_multiplier).unwrap_or(0)),
        ),
        _ => (0, 0),
    };
    LogSoftmaxParamsInt8 {
        input_multiplier: s.input_multiplier,
        input_left_shift: s.input_left_shift,
        reverse_scaling_divisor,
        reverse_scaling_shift,
        diff_min: s.diff_min,
    }
}

/// gemmlowp `SaturatingRoundingMultiplyByPOTParam` for the non-negative exponents it takes.
fn shl_sat(x: i32, exponent: i32) -> i32 {
    saturating_rounding_multiply_by_pot(x, exponent)
}

fn sat_add(a: i32, b: i32) -> i32 {
    (i64::from(a) + i64::from(b)).clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32
}

fn sat_sub(a: i32, b: i32) -> i32 {
    (i64::from(a) - i64::from(b)).clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32
}

/// TFLite's `log_x_for_x_greater_than_or_equal_to_1_impl<5, 12>`: `ln(x)` of a Q12.19 `x`
/// as Q5.26 (gemmlowp fixed point: `*` is `SaturatingRoundingDoublingHighMul`, `+` and `-`
/// wrap).
fn log_x_q12_to_q5(input: i32) -> i32 {
    const ACCUM_BITS: i32 = INPUT_INTEGER_BITS + 1;
    const LOG_2: i32 = 1_488_522_236;
    const SQRT_SQRT_HALF: i32 = 1_805_811_301;
    const SQRT_HALF: i32 = 1_518_500_250;
    const ONE_QUARTER: i32 = 536_870_912;
    const ALPHA_N: i32 = 117_049_297;
    const ALPHA_D: i32 = 127_690_142;
    const ALPHA_I: i32 = 1_057_819_769;
    const ALPHA_F: i32 = 638_450_708;
    let shifted_quarter = rounding_divide_by_pot(ONE_QUARTER, ACCUM_BITS);
    let z_a = input;
    let z_a_headroom_plus_1 = (z_a as u32).leading_zeros() as i32;
    let r_a_tmp = shl_sat(z_a, z_a_headroom_plus_1 - 1);
    let r_a_raw = shl_sat(mul(r_a_tmp, SQRT_HALF), 1);
    let z_a_pow_2_adj = sat_add(
        shl_sat(
            ACCUMULATION_INTEGER_BITS - z_a_headroom_plus_1,
            31 - ACCUM_BITS,
        ),
        shifted_quarter,
    );
    let z_b = mul(z_a, SQRT_HALF);
    let z_b_headroom = (z_b as u32).leading_zeros() as i32 - 1;
    let r_b_raw = shl_sat(z_a, z_b_headroom);
    let z_b_pow_2_adj = sat_sub(
        shl_sat(ACCUMULATION_INTEGER_BITS - z_b_headroom, 31 - ACCUM_BITS),
        shifted_quarter,
    );
    let r = r_a_raw.min(r_b_raw);
    let z_pow_2_adj = z_a_pow_2_adj.max(z_b_pow_2_adj);
    let p = rounding_half_sum(r, SQRT_SQRT_HALF);
    let mut q = r.wrapping_sub(SQRT_SQRT_HALF);
    q = q.wrapping_add(q);
    let common_sq = mul(q, q);
    let num = mul(q, r).wrapping_add(mul(mul(q, common_sq), ALPHA_N));
    let denom_minus_one_0 = mul(
        p,
        ALPHA_I
            .wrapping_add(q)
            .wrapping_add(mul(ALPHA_D, common_sq)),
    )
    .wrapping_add(mul(ALPHA_F, q));
    let recip_denom = one_over_one_plus_x_for_x_in_0_1(denom_minus_one_0);
    let num_scaled = rounding_divide_by_pot(num, ACCUM_BITS);
    let sum = mul(z_pow_2_adj, LOG_2).wrapping_add(mul(num_scaled, recip_denom));
    // Rescale<5> from 6 integer bits: a saturating doubling.
    shl_sat(sum, ACCUM_BITS - INPUT_INTEGER_BITS)
}

fn check(rows: usize, depth: usize, n_in: usize, n_out: usize) -> Result<(), KernelError> {
    match rows.checked_mul(depth) {
        Some(n) if n == n_in && n == n_out => Ok(()),
        _ => Err(KernelError::ShapeMismatch),
    }
}

/// float32 LOG_SOFTMAX of `rows` rows of `depth`.
///
/// # Errors
/// [`KernelError::ShapeMismatch`] when a slice is not `rows * depth` long.
pub fn log_softmax_f32(
    rows: usize,
    depth: usize,
    input: &[f32],
    output: &mut [f32],
) -> Result<(), KernelError> {
    check(rows, depth, input.len(), output.len())?;
    if depth == 0 {
        return Ok(());
    }
    for (x, o) in input
        .chunks_exact(depth)
        .zip(output.chunks_exact_mut(depth))
    {
        let max = x.iter().fold(f32::MIN, |m, &v| if v > m { v } else { m });
        let sum = x.iter().fold(0.0f32, |s, &v| s + libm::expf(v - max));
        let log_sum = libm::logf(sum);
        for (y, &v) in o.iter_mut().zip(x) {
            *y = v - max - log_sum;
        }
    }
    Ok(())
}

/// int8 LOG_SOFTMAX of `rows` rows of `depth` (output scale 16/256, zero point 127).
///
/// # Errors
/// [`KernelError::ShapeMismatch`] when a slice is not `rows * depth` long.
pub fn log_softmax_int8(
    p: &LogSoftmaxParamsInt8,
    rows: usize,
    depth: usize,
    input: &[i8],
    output: &mut [i8],
) -> Result<(), KernelError> {
    check(rows, depth, input.len(), output.len())?;
    if depth == 0 {
        return Ok(());
    }
    let scaled =
        |diff: i32| multiply_by_quantized_multiplier(diff, p.input_multiplier, p.input_left_shift);
    for (x, o) in input
        .chunks_exact(depth)
        .zip(output.chunks_exact_mut(depth))
    {
        let max = i32::from(x.iter().copied().max().unwrap_or(i8::MIN));
        let mut sum_of_exps = 0i32;
        for &v in x {
            let diff = i32::from(v) - max;
            if diff >= p.diff_min {
                let e = exp_on_negative_values(scaled(diff), INPUT_INTEGER_BITS as u32);
                sum_of_exps =
                    sum_of_exps.wrapping_add(rounding_divide_by_pot(e, ACCUMULATION_INTEGER_BITS));
            }
        }
        let log_sum = log_x_q12_to_q5(sum_of_exps);
        let shifted_log_sum = log_sum.wrapping_add(i32::MIN);
        let adjusted_diff_min = (p.diff_min - 1).max(multiply_by_quantized_multiplier(
            shifted_log_sum,
            p.reverse_scaling_divisor,
            p.reverse_scaling_shift,
        ));
        for (y, &v) in o.iter_mut().zip(x) {
            let diff = i32::from(v) - max;
            *y = if diff > adjusted_diff_min {
                let out = rounding_divide_by_pot(
                    scaled(diff).wrapping_sub(log_sum),
                    31 - INPUT_INTEGER_BITS - OUTPUT_INTEGER_BITS,
                ) + 127;
                out.clamp(-128, 127) as i8
            } else {
                i8::MIN
            };
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_rows() {
        let mut o = [0f32; 2];
        log_softmax_f32(1, 2, &[0.0, 0.0], &mut o).unwrap();
        assert!((o[0] + core::f32::consts::LN_2).abs() < 1e-7);
    }

    #[test]
    fn int8_uniform_row_and_log() {
        // ln(1) = 0, ln(e^2) = 2 (Q12.19 in, Q5.26 out).
        assert!(log_x_q12_to_q5(1 << 19).abs() <= 2);
        let e2 = (7.389_056 * (1u32 << 19) as f32) as i32;
        assert!((log_x_q12_to_q5(e2) - (2 << 26)).abs() < 1 << 8);
        // Four equal inputs: ln(1/4) = -1.386 -> -1.386 / 0.0625 + 127 = 104.8 -> 105.
        let p = log_softmax_prepare_int8(0.1);
        let mut o = [0i8; 4];
        log_softmax_int8(&p, 1, 4, &[3; 4], &mut o).unwrap();
        assert_eq!(o, [105; 4]);
    }
}
