//! HARD_SWISH, elementwise: `x * relu6(x + 3) / 6`.
//!
//! The int8 kernel is TFLM's `reference_ops::HardSwish<int8_t>`, which works in 16-bit fixed
//! point: the offset input is moved to a "hires" scale (`* 128`), multiplied onto the output
//! scale with an int16 multiplier (rounding `SaturatingRoundingDoublingHighMul`), and
//! separately mapped to a "reluish" value in [-1, 1] (3.0 is 32768) by a second int16
//! multiplier with a careful saturating left shift, shifted into [0, 1], and the two are
//! multiplied with a *truncating* doubling high multiply before the final rounding shift.
//! The set-up divides the scales in `f32` and rounds the int32 multipliers to int16
//! (`DownScaleInt32ToInt16Multiplier`). The float kernel is
//! `in * min(6, max(0, in + 3)) / 6` in `f32`.

use crate::quant::quantize_multiplier;
use crate::KernelError;

/// Precomputed int8 HARD_SWISH parameters, as TFLM's `HardSwishParams`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HardSwishParamsInt8 {
    /// The input zero point.
    pub input_zero_point: i16,
    /// The output zero point.
    pub output_zero_point: i16,
    /// Int16 multiplier of `(input_scale / 128) / (3 / 32768)`.
    pub reluish_multiplier_fixedpoint_int16: i16,
    /// Exponent of the reluish multiplier (positive is a left shift).
    pub reluish_multiplier_exponent: i32,
    /// Int16 multiplier of `(input_scale / 128) / output_scale`.
    pub output_multiplier_fixedpoint_int16: i16,
    /// Exponent of the output multiplier (never positive).
    pub output_multiplier_exponent: i32,
}

/// TFLM `DownScaleInt32ToInt16Multiplier`: rounds a Q0.31 multiplier to Q0.15.
fn downscale_int32_to_int16_multiplier(m: i32) -> i16 {
    const ROUNDING_OFFSET: i32 = 1 << 15;
    if m >= i32::MAX - ROUNDING_OFFSET {
        return i16::MAX;
    }
    // m >= 0 for positive scales; a negative m (impossible here) wraps as C would.
    (m.wrapping_add(ROUNDING_OFFSET) >> 16) as i16
}

/// TFLM's int8 HARD_SWISH set-up (`HardSwishPrepare`).
///
/// `BadParams` when the output multiplier's exponent is positive (TFLM refuses that: the
/// output scale is more than 128 times smaller than the input's) or a scale is not a positive
/// finite number.
pub fn hard_swish_prepare_int8(
    input_scale: f32,
    input_zero_point: i32,
    output_scale: f32,
    output_zero_point: i32,
) -> Result<HardSwishParamsInt8, KernelError> {
    let ok = |s: f32| s.is_finite() && s > 0.0;
    if !ok(input_scale) || !ok(output_scale) {
        return Err(KernelError::BadParams);
    }
    let hires_input_scale: f32 = (1.0f32 / 128.0) * input_scale;
    let reluish_scale: f32 = 3.0f32 / 32768.0;
    let (out_m, output_multiplier_exponent) =
        quantize_multiplier(f64::from(hires_input_scale / output_scale));
    if output_multiplier_exponent > 0 {
        return Err(KernelError::BadParams);
    }
    let (reluish_m, reluish_multiplier_exponent) =
        quantize_multiplier(f64::from(hires_input_scale / reluish_scale));
    Ok(HardSwishParamsInt8 {
        // Stored as int16_t by TFLM.
        input_zero_point: input_zero_point as i16,
        output_zero_point: output_zero_point as i16,
        reluish_multiplier_fixedpoint_int16: downscale_int32_to_int16_multiplier(reluish_m),
        reluish_multiplier_exponent,
        output_multiplier_fixedpoint_int16: downscale_int32_to_int16_multiplier(out_m),
        output_multiplier_exponent,
    })
}

/// gemmlowp `SaturatingRoundingDoublingHighMul` for int16 (ARM `VQRDMULH`).
fn srdhm16(a: i16, b: i16) -> i16 {
    if a == b && a == i16::MIN {
        return i16::MAX;
    }
    let ab = i32::from(a) * i32::from(b);
    let nudge: i32 = if ab >= 0 { 1 << 14 } else { 1 - (1 << 14) };
    // C division truncates toward zero; the quotient fits int16 once MIN*MIN is excluded.
    ((ab + nudge) / (1 << 15)) as i16
}

/// TFLM's `SaturatingDoublingHighMul` for int16: as [`srdhm16`] but truncating (`SQDMULH`).
fn sdhm16(a: i16, b: i16) -> i16 {
    if a == b && a == i16::MIN {
        return i16::MAX;
    }
    ((i32::from(a) * i32::from(b)) / (1 << 15)) as i16
}

/// TFLM's `SaturatingLeftShift` for int16: `value * 2^amount`, saturated to int16.
fn saturating_left_shift16(value: i16, amount: i32) -> i16 {
    let amount = amount.clamp(0, 32) as u32;
    let r = i64::from(value) * (1i64 << amount);
    r.clamp(i64::from(i16::MIN), i64::from(i16::MAX)) as i16
}

/// gemmlowp `RoundingDivideByPOT` instantiated for int16, including its arithmetic on int16
/// masks (exponents of 16 and above make the mask -1, as the C++ does). `exponent` is taken
/// in `0..=31` (TFLM asserts that range).
fn rdbp16(x: i16, exponent: i32) -> i16 {
    let e = exponent.clamp(0, 31) as u32;
    let mask = ((1i64 << e) - 1) as i16;
    let remainder = x & mask;
    let threshold = (mask >> 1).wrapping_add(i16::from(x < 0));
    let shifted = (i32::from(x) >> e) as i16;
    shifted.wrapping_add(i16::from(remainder > threshold))
}

/// One int8 value, as TFLM's `HardSwish<int8_t>` loop body.
fn hard_swish_one(p: &HardSwishParamsInt8, x: i8) -> i8 {
    let input_value = (i32::from(x) - i32::from(p.input_zero_point)) as i16;
    let hires = (i32::from(input_value) * (1 << 7)) as i16;
    let preshift_output_scale = srdhm16(hires, p.output_multiplier_fixedpoint_int16);
    let mut reluish = hires;
    if p.reluish_multiplier_exponent > 0 {
        reluish = saturating_left_shift16(reluish, p.reluish_multiplier_exponent - 1);
    }
    reluish = srdhm16(reluish, p.reluish_multiplier_fixedpoint_int16);
    if p.reluish_multiplier_exponent > 0 {
        reluish = saturating_left_shift16(reluish, 1);
    }
    if p.reluish_multiplier_exponent < 0 {
        reluish = rdbp16(reluish, p.reluish_multiplier_exponent.saturating_neg());
    }
    // From [-1, 1] to [0, 1]: (reluish + 2^15) >> 1 in int.
    let reluish = ((i32::from(reluish) + (1 << 15)) >> 1) as i16;
    let preshift_output = sdhm16(reluish, preshift_output_scale);
    let out = rdbp16(
        preshift_output,
        p.output_multiplier_exponent.saturating_neg(),
    )
    .wrapping_add(p.output_zero_point);
    out.clamp(i16::from(i8::MIN), i16::from(i8::MAX)) as i8
}

/// Int8 HARD_SWISH; parameters from [`hard_swish_prepare_int8`].
pub fn hard_swish_int8(
    p: &HardSwishParamsInt8,
    input: &[i8],
    output: &mut [i8],
) -> Result<(), KernelError> {
    if input.len() != output.len() {
        return Err(KernelError::ShapeMismatch);
    }
    for (o, &x) in output.iter_mut().zip(input) {
        *o = hard_swish_one(p, x);
    }
    Ok(())
}

/// Float HARD_SWISH: `in * min(6, max(0, in + 3)) / 6` with C++'s `std::min`/`std::max`.
pub fn hard_swish_f32(input: &[f32], output: &mut [f32]) -> Result<(), KernelError> {
    if input.len() != output.len() {
        return Err(KernelError::ShapeMismatch);
    }
    for (o, &x) in output.iter_mut().zip(input) {
        let y = x + 3.0;
        // std::max(0.f, y) = (0 < y) ? y : 0; std::min(6.f, m) = (m < 6) ? m : 6.
        let m = if 0.0 < y { y } else { 0.0 };
        let m = if m < 6.0 { m } else { 6.0 };
        *o = x * m / 6.0;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::*;
    use proptest::prelude::*;

    #[test]
    fn int16_helpers() {
        assert_eq!(srdhm16(i16::MIN, i16::MIN), i16::MAX);
        assert_eq!(srdhm16(16384, 16384), 8192);
        assert_eq!(srdhm16(-3, 16384), -1); // -1.5 -> ties toward +inf
        assert_eq!(sdhm16(-3, 16384), -1); // truncation
        assert_eq!(sdhm16(3, 16384), 1);
        assert_eq!(saturating_left_shift16(20000, 1), i16::MAX);
        assert_eq!(saturating_left_shift16(-20000, 1), i16::MIN);
        assert_eq!(rdbp16(5, 1), 3);
        assert_eq!(rdbp16(-5, 1), -3);
        assert_eq!(rdbp16(-4, 1), -2);
        // Exponents of 16 and more: the int16 mask is -1.
        assert_eq!(rdbp16(0, 16), 1);
        assert_eq!(rdbp16(100, 20), 1);
        assert_eq!(rdbp16(-100, 20), -1);
        assert_eq!(downscale_int32_to_int16_multiplier(1 << 30), 1 << 14);
        assert_eq!(downscale_int32_to_int16_multiplier(i32::MAX), i16::MAX);
        assert_eq!(
            downscale_int32_to_int16_multiplier(i32::MAX - (1 << 15) - 1),
            i16::MAX
        );
    }

    #[test]
    fn prepare_checks() {
        assert_eq!(
            hard_swish_prepare_int8(1.0, 0, 0.001, 0),
            Err(KernelError::BadParams)
        );
        assert_eq!(
            hard_swish_prepare_int8(0.0, 0, 0.1, 0),
            Err(KernelError::BadParams)
        );
        assert!(hard_swish_prepare_int8(0.05, -10, 0.03, -100).is_ok());
    }

    #[test]
    fn float_values() {
        let mut f = [0f32; 4];
        hard_swish_f32(&[-4.0, -1.5, 1.0, 5.0], &mut f).unwrap();
        assert_eq!(f, [0.0, -1.5 * 1.5 / 6.0, 4.0 / 6.0, 5.0]);
        assert_eq!(
            hard_swish_f32(&[0.0], &mut f),
            Err(KernelError::ShapeMismatch)
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn int8_close_to_real(x in i8_vec(64), si in 0.005f32..0.2, so in 0.005f32..0.2,
                              zi in -128i32..=127, zo in -128i32..=127) {
            prop_assume!(si / 128.0 / so <= 1.0);
            let p = hard_swish_prepare_int8(si, zi, so, zo).unwrap();
            let mut got = vec![0i8; x.len()];
            hard_swish_int8(&p, &x, &mut got).unwrap();
            for (&g, &v) in got.iter().zip(&x) {
                let r = si as f64 * (v as i32 - zi) as f64;
                let real = r * (r + 3.0).clamp(0.0, 6.0) / 6.0;
                let want = (real / so as f64 + zo as f64).round().clamp(-128.0, 127.0);
                // 16-bit intermediates: a couple of output steps of error.
                prop_assert!((g as f64 - want).abs() <= 2.0, "x={} got={} want={}", v, g, want);
            }
        }

        #[test]
        fn f32_matches(x in proptest::collection::vec(-8.0f32..8.0, 32)) {
            let mut got = vec![0f32; x.len()];
            hard_swish_f32(&x, &mut got).unwrap();
            for (&g, &v) in got.iter().zip(&x) {
                let want = v as f64 * (v as f64 + 3.0).clamp(0.0, 6.0) / 6.0;
                prop_assert!(close(g, want as f32));
            }
        }
    }
}
