//! RELU, elementwise.
//!
//! The int8 kernel is TFLM's `ReluQuantized`: the input is requantized onto the output's
//! scale (`MultiplyByQuantizedMultiplier` by `input_scale / output_scale`, in `f64`) and
//! clamped below at the output zero point. The int16 kernel is the same template on int16
//! (TFLM requires both zero points to be 0 there; callers check). The float kernel is
//! `x < 0 ? 0 : x`.

use crate::quant::{multiply_by_quantized_multiplier, quantize_multiplier, QuantizedInt};
use crate::util::clamp_i32;
use crate::KernelError;

/// Precomputed int8 RELU parameters, as TFLM's `ReluParams`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReluParamsInt8 {
    /// The input zero point (subtracted).
    pub input_offset: i32,
    /// The output zero point (added).
    pub output_offset: i32,
    /// Multiplier of `input_scale / output_scale`.
    pub output_multiplier: i32,
    /// Exponent of `output_multiplier`.
    pub output_shift: i32,
    /// Lower clamp: `max(-128, output_zero_point + round(0 / output_scale))`.
    pub act_min: i32,
    /// Upper clamp: 127 (RELU has no upper bound).
    pub act_max: i32,
}

/// Precomputed int16 RELU parameters: the fields of the int8 ones.
pub type ReluParamsInt16 = ReluParamsInt8;

/// TFLM's int8 RELU set-up (`CalculateReluOpData<int8_t>`).
pub fn relu_prepare_int8(
    input_scale: f32,
    input_zero_point: i32,
    output_scale: f32,
    output_zero_point: i32,
) -> ReluParamsInt8 {
    relu_prepare::<i8>(
        input_scale,
        input_zero_point,
        output_scale,
        output_zero_point,
    )
}

/// TFLM's int16 RELU set-up (`CalculateReluOpData<int16_t>`): the multiplier of
/// `f64(input_scale) / f64(output_scale)`, `act_min = max(-32768, zp_out + round(0 / so))`,
/// `act_max = 32767`. TFLM requires both zero points to be 0; this does not check.
pub fn relu_prepare_int16(
    input_scale: f32,
    input_zero_point: i32,
    output_scale: f32,
    output_zero_point: i32,
) -> ReluParamsInt16 {
    relu_prepare::<i16>(
        input_scale,
        input_zero_point,
        output_scale,
        output_zero_point,
    )
}

/// `CalculateReluOpData<T>`.
fn relu_prepare<T: QuantizedInt>(
    input_scale: f32,
    input_zero_point: i32,
    output_scale: f32,
    output_zero_point: i32,
) -> ReluParamsInt8 {
    let (output_multiplier, output_shift) =
        quantize_multiplier(f64::from(input_scale) / f64::from(output_scale));
    // std::max(T's min, zp + static_cast<int32_t>(roundf(0.0f / scale))).
    let zero = output_zero_point.saturating_add(libm::roundf(0.0 / output_scale) as i32);
    let act_min = if zero > T::MIN { zero } else { T::MIN };
    ReluParamsInt8 {
        input_offset: input_zero_point,
        output_offset: output_zero_point,
        output_multiplier,
        output_shift,
        act_min,
        act_max: T::MAX,
    }
}

/// Int8 RELU; parameters from [`relu_prepare_int8`].
pub fn relu_int8(p: &ReluParamsInt8, input: &[i8], output: &mut [i8]) -> Result<(), KernelError> {
    relu_quantized(p, input, output)
}

/// Int16 RELU (TFLM's `ReluQuantized<int16_t>`); parameters from [`relu_prepare_int16`].
/// Per element: `zp_out + MultiplyByQuantizedMultiplier(x - zp_in, m, e)` clamped to
/// `[act_min, act_max]` (a full requantization onto the output scale).
///
/// # Errors
/// `ShapeMismatch` when `input` and `output` differ in length.
pub fn relu_int16(
    p: &ReluParamsInt16,
    input: &[i16],
    output: &mut [i16],
) -> Result<(), KernelError> {
    relu_quantized(p, input, output)
}

/// `ReluQuantized<T>`.
#[inline]
fn relu_quantized<T: QuantizedInt>(
    p: &ReluParamsInt8,
    input: &[T],
    output: &mut [T],
) -> Result<(), KernelError> {
    if input.len() != output.len() {
        return Err(KernelError::ShapeMismatch);
    }
    for (o, &x) in output.iter_mut().zip(input) {
        let v = p
            .output_offset
            .wrapping_add(multiply_by_quantized_multiplier(
                x.widen().wrapping_sub(p.input_offset),
                p.output_multiplier,
                p.output_shift,
            ));
        *o = T::wrap(clamp_i32(v, p.act_min, p.act_max));
    }
    Ok(())
}

/// Float RELU: `x < 0 ? 0 : x` (a NaN passes through).
pub fn relu_f32(input: &[f32], output: &mut [f32]) -> Result<(), KernelError> {
    if input.len() != output.len() {
        return Err(KernelError::ShapeMismatch);
    }
    for (o, &x) in output.iter_mut().zip(input) {
        *o = if x < 0.0 { 0.0 } else { x };
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::*;
    use proptest::prelude::*;

    #[test]
    fn known_values() {
        // Same scale: identity above the zero point.
        let p = relu_prepare_int8(0.1, -3, 0.1, -3);
        let mut out = [0i8; 4];
        relu_int8(&p, &[-128, -4, -3, 100], &mut out).unwrap();
        assert_eq!(out, [-3, -3, -3, 100]);
        // Half the scale on the output, zero point -128.
        let p = relu_prepare_int8(0.1, 0, 0.05, -128);
        relu_int8(&p, &[-5, 0, 10, 127], &mut out).unwrap();
        assert_eq!(out, [-128, -128, -108, 126]);
        assert_eq!(
            relu_int8(&p, &[0], &mut out),
            Err(KernelError::ShapeMismatch)
        );
        // Int16: scale 2e-4 onto 1e-4 doubles (and saturates), clamped at 0.
        let p = relu_prepare_int16(2e-4, 0, 1e-4, 0);
        assert_eq!((p.act_min, p.act_max), (0, 32767));
        assert_eq!((p.output_multiplier, p.output_shift), (1 << 30, 2));
        let mut out16 = [0i16; 4];
        relu_int16(&p, &[-32768, -1, 1000, 20000], &mut out16).unwrap();
        assert_eq!(out16, [0, 0, 2000, 32767]);
        assert_eq!(
            relu_int16(&p, &[0], &mut out16),
            Err(KernelError::ShapeMismatch)
        );
        let mut f = [0f32; 3];
        relu_f32(&[-1.0, 2.0, f32::NAN], &mut f).unwrap();
        assert_eq!(&f[..2], &[0.0, 2.0]);
        assert!(f[2].is_nan());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn int8_matches_naive(x in i8_vec(64), si in 0.001f32..1.0, so in 0.001f32..1.0,
                              zi in -128i32..=127, zo in -128i32..=127) {
            let p = relu_prepare_int8(si, zi, so, zo);
            let mut got = vec![0i8; x.len()];
            relu_int8(&p, &x, &mut got).unwrap();
            for (&g, &v) in got.iter().zip(&x) {
                let raw = naive_mbqm(v as i32 - zi, p.output_multiplier, p.output_shift) as i64 + zo as i64;
                prop_assert_eq!(g, naive_out_i8(raw, zo, 127));
            }
        }

        #[test]
        fn int16_matches_naive(x in i16_vec(64), si in 1e-5f32..1e-3, so in 1e-5f32..1e-3) {
            let p = relu_prepare_int16(si, 0, so, 0);
            let mut got = vec![0i16; x.len()];
            relu_int16(&p, &x, &mut got).unwrap();
            for (&g, &v) in got.iter().zip(&x) {
                let raw = naive_mbqm(v as i32, p.output_multiplier, p.output_shift) as i64;
                prop_assert_eq!(g, naive_out_i16(raw, 0, 32767));
                let want = (v as f64 * si as f64 / so as f64).round().clamp(0.0, 32767.0);
                prop_assert!((g as f64 - want).abs() <= 1.0);
            }
        }

        #[test]
        fn f32_matches(x in f32_vec(32)) {
            let mut got = vec![0f32; x.len()];
            relu_f32(&x, &mut got).unwrap();
            for (&g, &v) in got.iter().zip(&x) {
                prop_assert_eq!(g, v.max(0.0));
            }
        }
    }
}
