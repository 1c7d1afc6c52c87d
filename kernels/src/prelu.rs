//! PRELU with broadcasting over 4-D shapes (callers left-pad lower ranks with 1s): the second
//! input holds the slopes, usually one per channel.
//!
//! The int8 kernel is TFLM's `reference_ops::BroadcastPrelu4DSlow`: a non-negative offset
//! input is requantized by `input_scale / output_scale`; a negative one is multiplied by the
//! offset alpha and requantized by `input_scale * alpha_scale / output_scale` (both in `f64`).
//! The int16 kernel is `BroadcastPrelu4DSlow<int16_t, int8_t>`: the same with int16 input and
//! output and int8 slopes. The float kernel is `x >= 0 ? x : x * alpha`.

use crate::broadcast::binary;
use crate::quant::{multiply_by_quantized_multiplier, quantize_multiplier, QuantizedInt};
use crate::KernelError;

/// Precomputed int8 PRELU parameters, as TFLM's `PreluParams`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PreluParamsInt8 {
    /// Minus the input zero point.
    pub input_offset: i32,
    /// Minus the alpha zero point.
    pub alpha_offset: i32,
    /// The output zero point.
    pub output_offset: i32,
    /// Multiplier of `input_scale / output_scale`.
    pub output_multiplier_1: i32,
    /// Exponent of `output_multiplier_1`.
    pub output_shift_1: i32,
    /// Multiplier of `input_scale * alpha_scale / output_scale`.
    pub output_multiplier_2: i32,
    /// Exponent of `output_multiplier_2`.
    pub output_shift_2: i32,
}

/// Precomputed int16 PRELU parameters (int16 input and output, int8 alpha): the fields of the
/// int8 ones, from the same set-up ([`prelu_prepare_int8`]).
pub type PreluParamsInt16 = PreluParamsInt8;

/// TFLM's int8 PRELU set-up (`CalculatePreluParams`); int16's is the same.
pub fn prelu_prepare_int8(
    input_scale: f32,
    input_zero_point: i32,
    alpha_scale: f32,
    alpha_zero_point: i32,
    output_scale: f32,
    output_zero_point: i32,
) -> PreluParamsInt8 {
    let (si, sa, so) = (
        f64::from(input_scale),
        f64::from(alpha_scale),
        f64::from(output_scale),
    );
    let (output_multiplier_1, output_shift_1) = quantize_multiplier(si / so);
    let (output_multiplier_2, output_shift_2) = quantize_multiplier(si * sa / so);
    PreluParamsInt8 {
        input_offset: input_zero_point.wrapping_neg(),
        alpha_offset: alpha_zero_point.wrapping_neg(),
        output_offset: output_zero_point,
        output_multiplier_1,
        output_shift_1,
        output_multiplier_2,
        output_shift_2,
    }
}

/// Int8 PRELU with broadcasting; parameters from [`prelu_prepare_int8`].
pub fn prelu_int8(
    p: &PreluParamsInt8,
    input_shape: [usize; 4],
    input: &[i8],
    alpha_shape: [usize; 4],
    alpha: &[i8],
    out_shape: [usize; 4],
    output: &mut [i8],
) -> Result<(), KernelError> {
    prelu_quantized(p, input_shape, input, alpha_shape, alpha, out_shape, output)
}

/// Int16 PRELU with int8 slopes and broadcasting (TFLM's `BroadcastPrelu4DSlow<int16_t,
/// int8_t>`); parameters from [`prelu_prepare_int8`] on the int16 tensors' quantization.
/// Per element, with `v = x - zp_in`: `MultiplyByQuantizedMultiplier(v, m1, e1)` for
/// `v >= 0`, else `MultiplyByQuantizedMultiplier(v * (alpha - zp_alpha), m2, e2)`; plus the
/// output zero point, saturated to int16.
///
/// # Errors
/// `ShapeMismatch` when a slice's length differs from its shape's element count, or the
/// shapes do not broadcast onto `out_shape`.
pub fn prelu_int16(
    p: &PreluParamsInt16,
    input_shape: [usize; 4],
    input: &[i16],
    alpha_shape: [usize; 4],
    alpha: &[i8],
    out_shape: [usize; 4],
    output: &mut [i16],
) -> Result<(), KernelError> {
    prelu_quantized(p, input_shape, input, alpha_shape, alpha, out_shape, output)
}

/// `BroadcastPrelu4DSlow<T, int8_t>`.
#[inline]
fn prelu_quantized<T: QuantizedInt>(
    p: &PreluParamsInt8,
    input_shape: [usize; 4],
    input: &[T],
    alpha_shape: [usize; 4],
    alpha: &[i8],
    out_shape: [usize; 4],
    output: &mut [T],
) -> Result<(), KernelError> {
    binary(
        input_shape,
        input,
        alpha_shape,
        alpha,
        out_shape,
        output,
        |x: T, a: i8| {
            let v = p.input_offset.wrapping_add(x.widen());
            let r = if v >= 0 {
                multiply_by_quantized_multiplier(v, p.output_multiplier_1, p.output_shift_1)
            } else {
                let av = p.alpha_offset.wrapping_add(i32::from(a));
                multiply_by_quantized_multiplier(
                    v.wrapping_mul(av),
                    p.output_multiplier_2,
                    p.output_shift_2,
                )
            };
            T::saturate(r.wrapping_add(p.output_offset))
        },
    )
}

/// Float PRELU with broadcasting: `x >= 0 ? x : x * alpha`.
pub fn prelu_f32(
    input_shape: [usize; 4],
    input: &[f32],
    alpha_shape: [usize; 4],
    alpha: &[f32],
    out_shape: [usize; 4],
    output: &mut [f32],
) -> Result<(), KernelError> {
    binary(
        input_shape,
        input,
        alpha_shape,
        alpha,
        out_shape,
        output,
        |x, a| {
            if x >= 0.0 {
                x
            } else {
                x * a
            }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::broadcast::testing::{coords, index, shapes};
    use crate::testutil::*;
    use proptest::prelude::*;

    #[test]
    fn known_values() {
        // Input and output scale 0.1, alpha scale 0.01 (alpha 25 is 0.25).
        let p = prelu_prepare_int8(0.1, 0, 0.01, 0, 0.1, 0);
        let mut out = [0i8; 4];
        prelu_int8(
            &p,
            [1, 1, 2, 2],
            &[-8, 8, -8, 8],
            [1, 1, 1, 2],
            &[25, 50],
            [1, 1, 2, 2],
            &mut out,
        )
        .unwrap();
        assert_eq!(out, [-2, 8, -2, 8]);
        let r = prelu_int8(
            &p,
            [1, 1, 2, 2],
            &[0; 4],
            [1, 1, 1, 3],
            &[0; 3],
            [1, 1, 2, 2],
            &mut out,
        );
        assert_eq!(r, Err(KernelError::ShapeMismatch));
        // Int16 with int8 slopes: alpha 25 * 0.01 = 0.25 on scale 2^-10 in and out.
        let s = 1.0 / 1024.0;
        let p = prelu_prepare_int8(s, 0, 0.01, 0, s, 0);
        let mut out16 = [0i16; 4];
        prelu_int16(
            &p,
            [1, 1, 2, 2],
            &[-800, 800, -32768, 32767],
            [1, 1, 1, 2],
            &[25, 50],
            [1, 1, 2, 2],
            &mut out16,
        )
        .unwrap();
        assert_eq!(out16, [-200, 800, -8192, 32767]);
        let mut f = [0f32; 2];
        prelu_f32(
            [1, 1, 1, 2],
            &[-2.0, 2.0],
            [1; 4],
            &[0.5],
            [1, 1, 1, 2],
            &mut f,
        )
        .unwrap();
        assert_eq!(f, [-1.0, 2.0]);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn int8_matches_naive(
            ((a, b, out), x, al, si, sa, so, zi, za, zo) in shapes().prop_flat_map(|(a, b, o)| (
                Just((a, b, o)),
                i8_vec(a.iter().product()), i8_vec(b.iter().product()),
                0.001f32..1.0, 0.0001f32..0.05, 0.001f32..1.0,
                -128i32..=127, -128i32..=127, -128i32..=127,
            ))
        ) {
            let p = prelu_prepare_int8(si, zi, sa, za, so, zo);
            let mut got = vec![0i8; out.iter().product()];
            prelu_int8(&p, a, &x, b, &al, out, &mut got).unwrap();
            for (k, idx) in coords(out).into_iter().enumerate() {
                let xv = x[index(a, idx)] as i32 - zi;
                let av = al[index(b, idx)] as i32 - za;
                let raw = if xv >= 0 {
                    naive_mbqm(xv, p.output_multiplier_1, p.output_shift_1)
                } else {
                    naive_mbqm(xv * av, p.output_multiplier_2, p.output_shift_2)
                } as i64 + zo as i64;
                prop_assert_eq!(got[k], naive_out_i8(raw, -128, 127));
            }
        }

        #[test]
        fn int16_matches_naive(
            ((a, b, out), x, al, si, sa, so, zi, za, zo) in shapes().prop_flat_map(|(a, b, o)| (
                Just((a, b, o)),
                i16_vec(a.iter().product()), i8_vec(b.iter().product()),
                1e-5f32..1e-3, 0.0001f32..0.05, 1e-5f32..1e-3,
                prop_oneof![Just(0i32), -300i32..300], -128i32..=127,
                prop_oneof![Just(0i32), -300i32..300],
            ))
        ) {
            let p = prelu_prepare_int8(si, zi, sa, za, so, zo);
            let mut got = vec![0i16; out.iter().product()];
            prelu_int16(&p, a, &x, b, &al, out, &mut got).unwrap();
            for (k, idx) in coords(out).into_iter().enumerate() {
                let xv = x[index(a, idx)] as i32 - zi;
                let av = al[index(b, idx)] as i32 - za;
                let raw = if xv >= 0 {
                    naive_mbqm(xv, p.output_multiplier_1, p.output_shift_1)
                } else {
                    naive_mbqm(xv * av, p.output_multiplier_2, p.output_shift_2)
                } as i64 + zo as i64;
                prop_assert_eq!(got[k], naive_out_i16(raw, -32768, 32767));
                let real = if xv >= 0 { xv as f64 } else { xv as f64 * av as f64 * sa as f64 };
                let want = (real * si as f64 / so as f64 + zo as f64).round().clamp(-32768.0, 32767.0);
                prop_assert!((got[k] as f64 - want).abs() <= 1.0);
            }
        }

        #[test]
        fn f32_matches(
            ((a, b, out), x, y) in shapes().prop_flat_map(|(a, b, o)| (
                Just((a, b, o)), f32_vec(a.iter().product()), f32_vec(b.iter().product()),
            ))
        ) {
            let mut got = vec![0f32; out.iter().product()];
            prelu_f32(a, &x, b, &y, out, &mut got).unwrap();
            for (k, idx) in coords(out).into_iter().enumerate() {
                let (xv, yv) = (x[index(a, idx)], y[index(b, idx)]);
                prop_assert_eq!(got[k], if xv >= 0.0 { xv } else { xv * yv });
            }
        }
    }
}
