//! SOFTMAX over the last dimension (`depth`); `rows` is the product of the other dimensions.
//!
//! The int8 kernel is TFLM's `reference_ops::Softmax<int8_t, int8_t>`: gemmlowp fixed-point
//! `exp` on Q5.26 differences, a Q12.19 sum and its fixed-point reciprocal. Its output is
//! always quantized with zero point -128 and scale 1/256 (TFLM refuses anything else).
//!
//! The int16 kernel is TFLM's `reference_ops::SoftmaxInt16`: differences from the row
//! maximum are rescaled so that [-65535, 0] spans [-10, 0], looked up in a 513-entry `exp`
//! table, summed, and normalised with a 513-entry `1/(1+x)` table (both tables built once, in
//! `f32`, by [`softmax_int16_populate_luts`]). Its output has scale 1/32768, zero point 0.

use crate::double::Double;
use crate::quant::{
    exp_on_negative_values, get_reciprocal, multiply_by_quantized_multiplier,
    multiply_by_quantized_multiplier_greater_than_one, rounding_divide_by_pot,
    saturating_rounding_doubling_high_mul, QOut,
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
    softmax_int8_into(p, rows, depth, input, QOut::I8(output))
}

/// Int8 softmax into int16 (scale 1/65536, zero point -32768): TFLM's
/// `Softmax<int8_t, int16_t>`, which differs from the int8 output only in the final shift
/// (`31 - bits`) and the range; it adds the type's minimum, not the tensor's zero point.
///
/// # Errors
/// As [`softmax_int8`].
pub fn softmax_int8_int16(
    p: &SoftmaxParamsInt8,
    rows: usize,
    depth: usize,
    input: &[i8],
    output: &mut [i16],
) -> Result<(), KernelError> {
    softmax_int8_into(p, rows, depth, input, QOut::I16(output))
}

/// [`softmax_int8`] and [`softmax_int8_int16`]: one copy of the loop for both output types
/// (flash), each value stored saturated to its type's range.
fn softmax_int8_into(
    p: &SoftmaxParamsInt8,
    rows: usize,
    depth: usize,
    input: &[i8],
    mut output: QOut<'_>,
) -> Result<(), KernelError> {
    let n = rows.checked_mul(depth).ok_or(KernelError::ShapeMismatch)?;
    if input.len() != n || output.len() != n {
        return Err(KernelError::ShapeMismatch);
    }
    let bits = match output {
        QOut::I8(_) => 8,
        QOut::I16(_) => 16,
    };
    softmax_int8_rows(p, depth, input, bits, &mut output)
}

/// The rows of [`softmax_int8_into`] for an output of `bits` bits.
fn softmax_int8_rows(
    p: &SoftmaxParamsInt8,
    depth: usize,
    input: &[i8],
    bits: i32,
    output: &mut QOut<'_>,
) -> Result<(), KernelError> {
    if depth == 0 {
        return Ok(());
    }
    let (lo, hi) = (-(1i32 << (bits - 1)), (1i32 << (bits - 1)) - 1);
    let scaled_exp = |diff: i32| {
        let scaled = multiply_by_quantized_multiplier_greater_than_one(
            diff,
            p.input_multiplier,
            p.input_left_shift,
        );
        exp_on_negative_values(scaled, SCALED_DIFF_INTEGER_BITS as u32)
    };
    for (r, xs) in input.chunks_exact(depth).enumerate() {
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

        for (k, &x) in xs.iter().enumerate() {
            let diff = x as i32 - max_in_row;
            let v = if diff >= p.diff_min {
                let exp_in_0 = scaled_exp(diff);
                let unsat = rounding_divide_by_pot(
                    saturating_rounding_doubling_high_mul(shifted_scale, exp_in_0),
                    exponent,
                );
                unsat.wrapping_add(lo).clamp(lo, hi)
            } else {
                lo
            };
            output.set(r * depth + k, v);
        }
    }
    Ok(())
}

/// Entries of each int16 softmax table: 512 segments and the end point of the last.
pub const SOFTMAX_INT16_LUT_LEN: usize = 513;

/// Precomputed int16 softmax parameters, as TFLM's `SoftmaxParams` for int16 (the tables are
/// kept apart, see [`softmax_int16_populate_luts`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SoftmaxParamsInt16 {
    /// Multiplier of the differences from the row maximum onto steps of 10/65535.
    pub input_multiplier: i32,
    /// Its `QuantizeMultiplier` exponent (either sign).
    pub input_left_shift: i32,
}

/// TFLM's int16 softmax set-up (`CalculateSoftmaxParams`):
/// `QuantizeMultiplier(input_scale * beta / (10 / 65535))`, with both widened to `f64` first.
///
/// TFLM also requires zero points 0 and an output scale within 0.1% of 1/32768; the op checks
/// those.
///
/// # Errors
/// `BadParams` unless `input_scale` is positive and finite and `beta` finite.
pub fn softmax_prepare_int16(
    beta: f32,
    input_scale: f32,
) -> Result<SoftmaxParamsInt16, KernelError> {
    if !(input_scale.is_finite() && input_scale > 0.0 && beta.is_finite()) {
        return Err(KernelError::BadParams);
    }
    // (double)input_scale * beta / (10.0 / 65535.0), on integers: the constant is folded at
    // compile time, the product is exact and the quotient rounds as the FPU's.
    const TEN_OVER_65535: u64 = (10.0f64 / 65535.0).to_bits();
    if beta < 0.0 {
        return Err(KernelError::BadParams);
    }
    let (input_multiplier, input_left_shift) = match (
        Double::product_of(input_scale, beta),
        Double::from_f64_bits(TEN_OVER_65535),
    ) {
        (Some(p), Some(d)) => (p / d).quantize_multiplier(),
        _ => (0, 0), // beta 0: every exp is 1, as TFLM's zero multiplier gives
    };
    Ok(SoftmaxParamsInt16 {
        input_multiplier,
        input_left_shift,
    })
}

/// TFLM's `LUTPopulateInt16<float>`: a 513-entry table of `f` from the int16 input range
/// `(input_scale, input_zero_point)` to the int16 output range, each entry biased by half the
/// error of linear interpolation at the segment's midpoint. All in `f32`, unfused, in TFLM's
/// order of operations.
fn lut_populate_int16(
    input_scale: f32,
    input_zero_point: i32,
    output_scale: f32,
    output_zero_point: i32,
    f: impl Fn(f32) -> f32,
    lut: &mut [i16; SOFTMAX_INT16_LUT_LEN],
) {
    // Exact: |v| <= 65535 is an f32.
    let int_f32 = |v: i32| v as f32;
    let input_min = input_scale * int_f32(-32768 - input_zero_point);
    let input_max = input_scale * int_f32(32767 - input_zero_point);
    let output_min = output_scale * int_f32(-32768 - output_zero_point);
    let output_max = output_scale * int_f32(32767 - output_zero_point);
    let steps = SOFTMAX_INT16_LUT_LEN - 1;
    let step = (input_max - input_min) / steps as f32;
    let half_step = step / 2.0;
    let inv = 65536.0 / (output_max - output_min);
    // std::min(std::max(v, -32768.0f), 32767.0f), then a conversion of an integral value.
    let to_i16 = |v: f32| {
        let v = if v < -32768.0 { -32768.0 } else { v };
        let v = if v > 32767.0 { 32767.0 } else { v };
        v as i16
    };
    for (i, entry) in lut.iter_mut().take(steps).enumerate() {
        let x = input_min + i as f32 * step;
        let val = f(x);
        let val_midpoint = f(x + half_step);
        let val_next = f(input_min + (i + 1) as f32 * step);
        let sample = libm::roundf(val * inv);
        let midpoint_interp = libm::roundf((val_next * inv + libm::roundf(val * inv)) / 2.0);
        let midpoint = libm::roundf(val_midpoint * inv);
        let bias = libm::roundf((midpoint_interp - midpoint) / 2.0);
        *entry = to_i16(sample - bias);
    }
    lut[steps] = to_i16(libm::roundf(f(input_max) * inv));
}

/// Builds the int16 softmax tables as TFLM's `InitializeLutForInt16` (model-independent):
/// `exp_lut` holds `exp` on [-10, 0] (input scale 10/65535, zero point 32767; output scale
/// 2/65535) and `one_over_one_plus_x_lut` holds `1/(1+x)` on [0, 1] (input scale 1/65535, zero
/// point -32768; same output). Built in `f32` with `expf`, as TFLM: building in `f64` moves two
/// entries of the second table.
///
/// # Errors
/// `ShapeMismatch` unless both slices hold [`SOFTMAX_INT16_LUT_LEN`] entries.
pub fn softmax_int16_populate_luts(
    exp_lut: &mut [i16],
    one_over_one_plus_x_lut: &mut [i16],
) -> Result<(), KernelError> {
    let exp_lut: &mut [i16; SOFTMAX_INT16_LUT_LEN] =
        exp_lut.try_into().map_err(|_| KernelError::ShapeMismatch)?;
    let recip_lut: &mut [i16; SOFTMAX_INT16_LUT_LEN] = one_over_one_plus_x_lut
        .try_into()
        .map_err(|_| KernelError::ShapeMismatch)?;
    // int32 range = 65535, converted to float for `10.0f / range`.
    let range = 65535.0f32;
    lut_populate_int16(10.0 / range, 32767, 2.0 / range, 0, libm::expf, exp_lut);
    lut_populate_int16(
        1.0 / range,
        -32768,
        2.0 / range,
        0,
        |v| 1.0 / (1.0 + v),
        recip_lut,
    );
    Ok(())
}

/// TFLM's `LUTLookup` for int16: the top 9 bits of `value` pick a segment, the low 7 bits
/// interpolate linearly to the next entry (in 16-bit wrapping arithmetic, as TFLM).
#[inline]
fn lut_lookup(value: i16, lut: &[i16; SOFTMAX_INT16_LUT_LEN]) -> i16 {
    // 256 + (value >> 7) is in 0..=511.
    let index = (256 + (i32::from(value) >> 7)) as usize;
    let offset = i32::from(value) & 0x7F;
    let base = lut[index];
    let slope = lut[index + 1].wrapping_sub(base);
    let delta = (i32::from(slope) * offset + 64) >> 7;
    (i32::from(base).wrapping_add(delta)) as i16
}

/// Int16 softmax of `rows` rows of `depth` values (TFLM's `SoftmaxInt16`): output scale
/// 1/32768, zero point 0, in [0, 32767]. The tables come from
/// [`softmax_int16_populate_luts`]. The row's `exp` values are kept in `output` between the
/// two passes, as TFLM does.
///
/// # Errors
/// `ShapeMismatch` when the lengths disagree with `rows * depth` or a table is not
/// [`SOFTMAX_INT16_LUT_LEN`] long; `BadParams` for a row whose sum of `exp` values leaves
/// int32 (only possible with over 65548 values in a row, at most 32762 each; TFLM's int32
/// sum overflows there).
pub fn softmax_int16(
    p: &SoftmaxParamsInt16,
    rows: usize,
    depth: usize,
    input: &[i16],
    output: &mut [i16],
    exp_lut: &[i16],
    one_over_one_plus_x_lut: &[i16],
) -> Result<(), KernelError> {
    let n = rows.checked_mul(depth).ok_or(KernelError::ShapeMismatch)?;
    if input.len() != n || output.len() != n {
        return Err(KernelError::ShapeMismatch);
    }
    let exp_lut: &[i16; SOFTMAX_INT16_LUT_LEN] =
        exp_lut.try_into().map_err(|_| KernelError::ShapeMismatch)?;
    let recip_lut: &[i16; SOFTMAX_INT16_LUT_LEN] = one_over_one_plus_x_lut
        .try_into()
        .map_err(|_| KernelError::ShapeMismatch)?;
    if depth == 0 {
        return Ok(());
    }
    for (xs, out) in input
        .chunks_exact(depth)
        .zip(output.chunks_exact_mut(depth))
    {
        let mut max_in_row = i16::MIN;
        for &x in xs {
            if max_in_row < x {
                max_in_row = x;
            }
        }
        // TFLM sums in int32; a wider sum lets an overflow be refused rather than wrapped.
        let mut sum_of_exps: i64 = 0;
        for (&x, o) in xs.iter().zip(out.iter_mut()) {
            // [-65535, 0] onto [-10, 0] in steps of 10/65535, then recentred onto int16.
            let diff = i32::from(x) - i32::from(max_in_row);
            let scaled =
                multiply_by_quantized_multiplier(diff, p.input_multiplier, p.input_left_shift);
            let sym = scaled.wrapping_add(32767).clamp(-32768, 32767) as i16;
            *o = lut_lookup(sym, exp_lut);
            sum_of_exps += i64::from(*o);
        }
        // The maximum alone contributes 32762, so an int32 sum has 1..=17 leading zeros.
        let sum_of_exps = i32::try_from(sum_of_exps).map_err(|_| KernelError::BadParams)?;
        let headroom_plus_one = (sum_of_exps as u32).leading_zeros() as i32;
        if !(1..=30).contains(&headroom_plus_one) {
            return Err(KernelError::BadParams);
        }
        let shifted_sum = ((i64::from(sum_of_exps) << (headroom_plus_one - 1)) + (1 << 13)) >> 14;
        // 1/(1+x) wants x = sum - 1, recentred from [0, 65535] onto int16.
        let sym_shifted_sum = (shifted_sum - ((1 << 15) + (1 << 16))).clamp(-32768, 32767) as i16;
        let reciprocal = i64::from(lut_lookup(sym_shifted_sum, recip_lut));
        let right_shift = 31 - headroom_plus_one;
        let round = 1i64 << (right_shift - 1);
        for o in out.iter_mut() {
            let r = ((i64::from(*o) * reciprocal + round) >> right_shift) as i32;
            *o = r.clamp(0, 32767) as i16;
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

    fn int16_luts() -> ([i16; SOFTMAX_INT16_LUT_LEN], [i16; SOFTMAX_INT16_LUT_LEN]) {
        let mut e = [0i16; SOFTMAX_INT16_LUT_LEN];
        let mut r = [0i16; SOFTMAX_INT16_LUT_LEN];
        softmax_int16_populate_luts(&mut e, &mut r).unwrap();
        (e, r)
    }

    /// The tables against the validated emulator (`int16-check/sim16.py`, glibc `expf`): its
    /// FNV-1a fingerprints and sums, the note's end entries, and the two entries an `f64`
    /// build gets wrong. So `libm::expf` gives TFLM's exp table.
    #[test]
    fn int16_luts_match_emulator() {
        let (e, r) = int16_luts();
        assert_eq!(&e[..6], &[2; 6]);
        assert_eq!(&e[509..], &[30902, 31512, 32133, 32767]);
        assert_eq!(&e[255..258], &[217, 221, 225]);
        assert_eq!(&r[..6], &[32767, 32704, 32640, 32578, 32514, 32451]);
        assert_eq!(&r[509..], &[16432, 16416, 16400, 16384]);
        assert_eq!((r[160], r[294]), (24966, 20816));
        let sum = |t: &[i16]| t.iter().map(|&v| i64::from(v)).sum::<i64>();
        assert_eq!((sum(&e), sum(&r)), (1_694_030, 11_653_643));
        assert_eq!(crate::testutil::fnv1a_i16(&e), 0x9bfe_1d2e_58c8_973c);
        assert_eq!(crate::testutil::fnv1a_i16(&r), 0x1336_6782_0304_4aa4);
        let mut short = [0i16; 512];
        assert_eq!(
            softmax_int16_populate_luts(&mut short, &mut [0; SOFTMAX_INT16_LUT_LEN]),
            Err(KernelError::ShapeMismatch)
        );
    }

    #[test]
    fn int16_prepare_values() {
        // The note's examples.
        let p = softmax_prepare_int16(1.0, 3.258_212_5e-4).unwrap();
        assert_eq!((p.input_multiplier, p.input_left_shift), (1_146_364_127, 2));
        let p = softmax_prepare_int16(1.0, 3.601_387_1e-4).unwrap();
        assert_eq!((p.input_multiplier, p.input_left_shift), (1_267_106_118, 2));
        assert_eq!(
            softmax_prepare_int16(0.0, 1e-4),
            Ok(SoftmaxParamsInt16::default())
        );
        assert_eq!(softmax_prepare_int16(1.0, 0.0), Err(KernelError::BadParams));
        assert_eq!(
            softmax_prepare_int16(f32::NAN, 1e-4),
            Err(KernelError::BadParams)
        );
    }

    /// Rows against the emulator: input scale and beta bits, the multiplier, input, output.
    #[test]
    fn int16_matches_emulator() {
        #[rustfmt::skip]
        let cases: [(u32, u32, (i32, i32), [i16; 8], [i16; 8]); 20] = [
            (0x393ff9a9, 0x3f800000, (1288304335, 1), [29157, 8198, 12070, 26031, 5130, 18067, 21866, -18009], [16091, 347, 705, 9079, 197, 2112, 4236, 3]),
            (0x393ff9a9, 0x3f800000, (1288304335, 1), [-267, -120, -129, 224, 247, -297, -1, 192], [3911, 4018, 4012, 4279, 4297, 3890, 4106, 4254]),
            (0x393ff9a9, 0x3f800000, (1288304335, 1), [5, 5, 5, 5, 5, 5, 5, 5], [4096, 4096, 4096, 4096, 4096, 4096, 4096, 4096]),
            (0x393ff9a9, 0x3f800000, (1288304335, 1), [32767, -32768, -32768, -32768, -32768, -32768, -32768, -32768], [32753, 2, 2, 2, 2, 2, 2, 2]),
            (0x38c0012a, 0x3f800000, (1288501043, 0), [-24154, 19468, -24964, -2102, 20739, -12909, -10381, -14522], [246, 13326, 228, 1849, 14972, 688, 866, 594]),
            (0x38c0012a, 0x3f800000, (1288501043, 0), [131, -148, 294, -33, -14, 2, 49, 32], [4130, 4026, 4192, 4069, 4076, 4082, 4099, 4093]),
            (0x38c0012a, 0x3f800000, (1288501043, 0), [5, 5, 5, 5, 5, 5, 5, 5], [4096, 4096, 4096, 4096, 4096, 4096, 4096, 4096]),
            (0x38c0012a, 0x3f800000, (1288501043, 0), [32767, -32768, -32768, -32768, -32768, -32768, -32768, -32768], [32211, 80, 80, 80, 80, 80, 80, 80]),
            (0x39aad2fd, 0x3f800000, (1146364127, 2), [619, 32473, 20163, 19179, 13125, 8007, -10419, 32044], [1, 17218, 312, 227, 32, 6, 1, 14972]),
            (0x39aad2fd, 0x3f800000, (1146364127, 2), [-21, -171, 207, -204, 214, 67, -232, -274], [4129, 3933, 4448, 3890, 4458, 4250, 3856, 3803]),
            (0x39aad2fd, 0x3f800000, (1146364127, 2), [5, 5, 5, 5, 5, 5, 5, 5], [4096, 4096, 4096, 4096, 4096, 4096, 4096, 4096]),
            (0x39aad2fd, 0x3f800000, (1146364127, 2), [32767, -32768, -32768, -32768, -32768, -32768, -32768, -32768], [32753, 2, 2, 2, 2, 2, 2, 2]),
            (0x3a83126f, 0x3f000000, (1759191844, 2), [-3621, -30430, -23491, 975, 30819, -2215, 20214, 27339], [2, 2, 2, 2, 27750, 2, 139, 4871]),
            (0x3a83126f, 0x3f000000, (1759191844, 2), [194, 77, -36, 8, -141, -2, -73, -152], [4542, 4284, 4048, 4139, 3841, 4118, 3974, 3820]),
            (0x3a83126f, 0x3f000000, (1759191844, 2), [5, 5, 5, 5, 5, 5, 5, 5], [4096, 4096, 4096, 4096, 4096, 4096, 4096, 4096]),
            (0x3a83126f, 0x3f000000, (1759191844, 2), [32767, -32768, -32768, -32768, -32768, -32768, -32768, -32768], [32753, 2, 2, 2, 2, 2, 2, 2]),
            (0x37a7c5ac, 0x40400000, (1688824048, -1), [32325, -31996, -26399, -20159, 30737, 12585, 25024, -19622], [10929, 231, 322, 469, 9935, 3344, 7053, 484]),
            (0x37a7c5ac, 0x40400000, (1688824048, -1), [132, -79, -7, -298, 70, 198, 98, -208], [4131, 4079, 4097, 4026, 4115, 4147, 4122, 4048]),
            (0x37a7c5ac, 0x40400000, (1688824048, -1), [5, 5, 5, 5, 5, 5, 5, 5], [4096, 4096, 4096, 4096, 4096, 4096, 4096, 4096]),
            (0x37a7c5ac, 0x40400000, (1688824048, -1), [32767, -32768, -32768, -32768, -32768, -32768, -32768, -32768], [28816, 565, 565, 565, 565, 565, 565, 565]),
        ];
        let (e, r) = int16_luts();
        for (scale, beta, mult_shift, x, want) in cases {
            let p = softmax_prepare_int16(f32::from_bits(beta), f32::from_bits(scale)).unwrap();
            assert_eq!((p.input_multiplier, p.input_left_shift), mult_shift);
            let mut out = [0i16; 8];
            softmax_int16(&p, 1, 8, &x, &mut out, &e, &r).unwrap();
            assert_eq!(out, want, "{x:?}");
            // The same row twice, as two rows.
            let (x2, mut out2) = ([x, x].concat(), [0i16; 16]);
            softmax_int16(&p, 2, 8, &x2, &mut out2, &e, &r).unwrap();
            assert_eq!(out2, [want, want].concat()[..]);
        }
    }

    #[test]
    fn int16_errors() {
        let (e, r) = int16_luts();
        let p = softmax_prepare_int16(1.0, 1e-4).unwrap();
        let mut out = [0i16; 4];
        assert_eq!(
            softmax_int16(&p, 2, 3, &[0; 4], &mut out, &e, &r),
            Err(KernelError::ShapeMismatch)
        );
        assert_eq!(
            softmax_int16(&p, 1, 4, &[0; 4], &mut out, &e[..512], &r),
            Err(KernelError::ShapeMismatch)
        );
        assert!(softmax_int16(&p, 0, 0, &[], &mut [], &e, &r).is_ok());
        // 65549 equal values: the sum of exps (32762 each) leaves int32; 65548 fit.
        let x = vec![0i16; 65549];
        let mut out = vec![0i16; 65549];
        assert_eq!(
            softmax_int16(&p, 1, 65549, &x, &mut out, &e, &r),
            Err(KernelError::BadParams)
        );
        assert!(softmax_int16(&p, 1, 65548, &x[..65548], &mut out[..65548], &e, &r).is_ok());
        assert!(out[..65548].iter().all(|&v| v == 0));
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

        /// Within a few steps of the real softmax (scaled by 32768), order-preserving.
        #[test]
        fn int16_close_to_real_softmax(
            (rows, depth, input, scale, beta) in (1usize..=3, 1usize..=64).prop_flat_map(|(r, d)| (
                Just(r), Just(d),
                proptest::collection::vec(any::<i16>(), r * d),
                1e-5f32..1e-3,
                prop_oneof![Just(1.0f32), 0.5f32..2.0],
            ))
        ) {
            let (e, r) = int16_luts();
            let p = softmax_prepare_int16(beta, scale).unwrap();
            let mut out = vec![0i16; rows * depth];
            softmax_int16(&p, rows, depth, &input, &mut out, &e, &r).unwrap();
            for row in 0..rows {
                let xs = &input[row * depth..(row + 1) * depth];
                let ys = &out[row * depth..(row + 1) * depth];
                let max = *xs.iter().max().unwrap() as f64;
                let ex: Vec<f64> = xs.iter().map(|&x| libm::exp((x as f64 - max) * scale as f64 * beta as f64)).collect();
                let s: f64 = ex.iter().sum();
                for c in 0..depth {
                    let want = ex[c] / s * 32768.0;
                    // Below exp(-10) every value reads as exp(-10) (2 steps); the tables and the
                    // 15-bit reciprocal are good to a fraction of a percent.
                    prop_assert!((ys[c] as f64 - want).abs() <= 4.0 + want * 0.01,
                        "got {} want {}", ys[c], want);
                    for d in 0..depth {
                        if xs[c] < xs[d] {
                            prop_assert!(ys[c] <= ys[d]);
                        }
                    }
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
