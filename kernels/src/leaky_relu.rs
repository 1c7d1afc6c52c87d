//! LEAKY_RELU, elementwise.
//!
//! The int8 kernel is TFLM's `QuantizeLeakyRelu`: non-negative offset inputs are requantized
//! by `input_scale / output_scale`, negative ones by `input_scale * alpha / output_scale`. TFLM
//! computes both ratios in `f64` from the widened scales (a negative alpha gives a negative
//! multiplier, which works). The int16 kernel is the same template on int16 (the same set-up;
//! zero points honoured, no fused activation, the result saturated to int16). The float kernel
//! is `x > 0 ? x : x * alpha`.

use crate::quant::{multiply_by_quantized_multiplier, quantize_multiplier, QuantizedInt};
use crate::KernelError;

/// Precomputed int8 LEAKY_RELU parameters, as TFLM's `LeakyReluOpData`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LeakyReluParamsInt8 {
    /// The input zero point (subtracted).
    pub input_offset: i32,
    /// The output zero point (added).
    pub output_offset: i32,
    /// Multiplier of `input_scale * alpha / output_scale` (for negative inputs).
    pub output_multiplier_alpha: i32,
    /// Exponent of `output_multiplier_alpha`.
    pub output_shift_alpha: i32,
    /// Multiplier of `input_scale / output_scale` (for non-negative inputs).
    pub output_multiplier_identity: i32,
    /// Exponent of `output_multiplier_identity`.
    pub output_shift_identity: i32,
}

/// Precomputed int16 LEAKY_RELU parameters: the fields of the int8 ones.
pub type LeakyReluParamsInt16 = LeakyReluParamsInt8;

/// TFLM's int8 LEAKY_RELU set-up (`CalculateOpDataLeakyRelu`); int16's is the same
/// ([`leaky_relu_prepare_int16`]).
pub fn leaky_relu_prepare_int8(
    input_scale: f32,
    input_zero_point: i32,
    alpha: f32,
    output_scale: f32,
    output_zero_point: i32,
) -> LeakyReluParamsInt8 {
    // input->params.scale * params->alpha / output->params.scale, each widened to double
    // first as the TFLM runtime that makes the goldens does (its 90b983c source multiplied in
    // float; on scales where the two differ, only the double form matches TFLM's outputs).
    let (si, sa, so) = (
        f64::from(input_scale),
        f64::from(alpha),
        f64::from(output_scale),
    );
    let (output_multiplier_alpha, output_shift_alpha) = quantize_multiplier(si * sa / so);
    let (output_multiplier_identity, output_shift_identity) = quantize_multiplier(si / so);
    LeakyReluParamsInt8 {
        input_offset: input_zero_point,
        output_offset: output_zero_point,
        output_multiplier_alpha,
        output_shift_alpha,
        output_multiplier_identity,
        output_shift_identity,
    }
}

/// TFLM's int16 LEAKY_RELU set-up (`CalculateOpDataLeakyRelu`, the same as int8's):
/// `QuantizeMultiplier(f64(in_s) * f64(alpha) / f64(out_s))` and
/// `QuantizeMultiplier(f64(in_s) / f64(out_s))`, with both zero points kept.
pub fn leaky_relu_prepare_int16(
    input_scale: f32,
    input_zero_point: i32,
    alpha: f32,
    output_scale: f32,
    output_zero_point: i32,
) -> LeakyReluParamsInt16 {
    leaky_relu_prepare_int8(
        input_scale,
        input_zero_point,
        alpha,
        output_scale,
        output_zero_point,
    )
}

/// Int8 LEAKY_RELU; parameters from [`leaky_relu_prepare_int8`].
pub fn leaky_relu_int8(
    p: &LeakyReluParamsInt8,
    input: &[i8],
    output: &mut [i8],
) -> Result<(), KernelError> {
    leaky_relu_quantized(p, input, output)
}

/// Int16 LEAKY_RELU (TFLM's `QuantizeLeakyRelu<int16_t>`); parameters from
/// [`leaky_relu_prepare_int16`]. Per element, with `v = x - zp_in`: `zp_out` plus
/// `MultiplyByQuantizedMultiplier(v, ..)` by the identity multiplier for `v >= 0`, by the
/// alpha one otherwise, saturated to int16.
///
/// # Errors
/// `ShapeMismatch` when `input` and `output` differ in length.
pub fn leaky_relu_int16(
    p: &LeakyReluParamsInt16,
    input: &[i16],
    output: &mut [i16],
) -> Result<(), KernelError> {
    leaky_relu_quantized(p, input, output)
}

/// `QuantizeLeakyRelu` on int8 or int16.
#[inline]
fn leaky_relu_quantized<T: QuantizedInt>(
    p: &LeakyReluParamsInt8,
    input: &[T],
    output: &mut [T],
) -> Result<(), KernelError> {
    if input.len() != output.len() {
        return Err(KernelError::ShapeMismatch);
    }
    for (o, &x) in output.iter_mut().zip(input) {
        let v = x.widen().wrapping_sub(p.input_offset);
        let (m, s) = if v >= 0 {
            (p.output_multiplier_identity, p.output_shift_identity)
        } else {
            (p.output_multiplier_alpha, p.output_shift_alpha)
        };
        *o = T::saturate(
            p.output_offset
                .wrapping_add(multiply_by_quantized_multiplier(v, m, s)),
        );
    }
    Ok(())
}

/// Float LEAKY_RELU: `x > 0 ? x : x * alpha`.
pub fn leaky_relu_f32(alpha: f32, input: &[f32], output: &mut [f32]) -> Result<(), KernelError> {
    if input.len() != output.len() {
        return Err(KernelError::ShapeMismatch);
    }
    for (o, &x) in output.iter_mut().zip(input) {
        *o = if x > 0.0 { x } else { x * alpha };
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
        // Same scales, alpha 0.5: negative offsets halve (rounding half away from zero is not
        // what SRDHM does: -3 * 0.5 = -1.5 -> -1).
        let p = leaky_relu_prepare_int8(0.1, 0, 0.5, 0.1, 0);
        let mut out = [0i8; 4];
        leaky_relu_int8(&p, &[-4, -3, 0, 7], &mut out).unwrap();
        assert_eq!(out, [-2, -1, 0, 7]);
        // Negative alpha flips the sign of negative inputs.
        let p = leaky_relu_prepare_int8(0.1, 0, -1.0, 0.1, 0);
        leaky_relu_int8(&p, &[-4, -3, 0, 7], &mut out).unwrap();
        assert_eq!(out, [4, 3, 0, 7]);
        assert_eq!(
            leaky_relu_int8(&p, &[0], &mut out),
            Err(KernelError::ShapeMismatch)
        );
        // Int16: the note's example, alpha 0.2 with equal scales.
        let p = leaky_relu_prepare_int16(3.0e-4, 0, 0.2, 3.0e-4, 0);
        assert_eq!(
            (p.output_multiplier_alpha, p.output_shift_alpha),
            (1717986944, -2)
        );
        assert_eq!(
            (p.output_multiplier_identity, p.output_shift_identity),
            (1 << 30, 1)
        );
        let mut out16 = [0i16; 4];
        leaky_relu_int16(&p, &[-32768, -7, 0, 32767], &mut out16).unwrap();
        // -6553.6 -> -6554; -1.4 -> -2 (double rounding: -7 * 0.8 = -5.6 -> -6, then
        // -6 / 4 = -1.5 -> -2).
        assert_eq!(out16, [-6554, -2, 0, 32767]);
        // Zero points honoured; output saturates.
        let p = leaky_relu_prepare_int16(2e-4, 100, 0.5, 1e-4, -50);
        leaky_relu_int16(&p, &[100, 90, 20000, -32768], &mut out16).unwrap();
        assert_eq!(out16, [-50, -60, 32767, -32768]);
        assert_eq!(
            leaky_relu_int16(&p, &[0], &mut out16),
            Err(KernelError::ShapeMismatch)
        );
        let mut f = [0f32; 3];
        leaky_relu_f32(0.2, &[-1.0, 0.0, 3.0], &mut f).unwrap();
        assert_eq!(f, [-0.2, 0.0, 3.0]);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn int8_matches_naive(x in i8_vec(64), si in 0.001f32..1.0, so in 0.001f32..1.0,
                              zi in -128i32..=127, zo in -128i32..=127, alpha in -2.0f32..2.0) {
            let p = leaky_relu_prepare_int8(si, zi, alpha, so, zo);
            let mut got = vec![0i8; x.len()];
            leaky_relu_int8(&p, &x, &mut got).unwrap();
            for (&g, &v) in got.iter().zip(&x) {
                let d = v as i32 - zi;
                let (m, s) = if d >= 0 {
                    (p.output_multiplier_identity, p.output_shift_identity)
                } else {
                    (p.output_multiplier_alpha, p.output_shift_alpha)
                };
                let raw = naive_mbqm(d, m, s) as i64 + zo as i64;
                prop_assert_eq!(g, naive_out_i8(raw, -128, 127));
                let real = if d >= 0 { d as f64 } else { d as f64 * alpha as f64 };
                let want = (real * si as f64 / so as f64 + zo as f64).round().clamp(-128.0, 127.0);
                prop_assert!((g as f64 - want).abs() <= 1.0);
            }
        }

        #[test]
        fn int16_matches_naive(x in i16_vec(64), si in 1e-5f32..1e-3, so in 1e-5f32..1e-3,
                               zi in prop_oneof![Just(0i32), -300i32..300],
                               zo in prop_oneof![Just(0i32), -300i32..300],
                               alpha in -2.0f32..2.0) {
            let p = leaky_relu_prepare_int16(si, zi, alpha, so, zo);
            let mut got = vec![0i16; x.len()];
            leaky_relu_int16(&p, &x, &mut got).unwrap();
            for (&g, &v) in got.iter().zip(&x) {
                let d = v as i32 - zi;
                let (m, s) = if d >= 0 {
                    (p.output_multiplier_identity, p.output_shift_identity)
                } else {
                    (p.output_multiplier_alpha, p.output_shift_alpha)
                };
                let raw = naive_mbqm(d, m, s) as i64 + zo as i64;
                prop_assert_eq!(g, naive_out_i16(raw, -32768, 32767));
                let real = if d >= 0 { d as f64 } else { d as f64 * alpha as f64 };
                let want = (real * si as f64 / so as f64 + zo as f64).round().clamp(-32768.0, 32767.0);
                prop_assert!((g as f64 - want).abs() <= 1.0);
            }
        }

        #[test]
        fn f32_matches(x in f32_vec(32), alpha in -1.0f32..1.0) {
            let mut got = vec![0f32; x.len()];
            leaky_relu_f32(alpha, &x, &mut got).unwrap();
            for (&g, &v) in got.iter().zip(&x) {
                prop_assert_eq!(g, if v > 0.0 { v } else { v * alpha });
            }
        }
    }
}
