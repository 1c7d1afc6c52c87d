//! MUL with broadcasting over 4-D shapes (callers left-pad lower ranks with 1s).
//!
//! The int8 path is TFLM's `reference_integer_ops::Mul` / `BroadcastMul4DSlow`: the product
//! of the two offset inputs is rescaled once by `in1_scale * in2_scale / out_scale` (computed
//! in `f64`, `QuantizeMultiplier`, double-rounding `MultiplyByQuantizedMultiplier`). The int16
//! path is the same template on int16 (`Mul<int16_t>` / `BroadcastMul6DSlow`), where TFLM
//! requires every zero point to be 0 (callers check). The float path is `reference_ops::Mul`:
//! `x * y` clamped to the fused activation's range.

use crate::broadcast::binary;
use crate::quant::{multiply_by_quantized_multiplier, quantize_multiplier, QuantizedInt};
use crate::util::{clamp_f32, clamp_i32};
use crate::KernelError;

/// Precomputed int8 (or int16) MUL parameters, as TFLM's `OpDataMul`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MulParamsInt8 {
    /// Minus the first input's zero point.
    pub input1_offset: i32,
    /// Minus the second input's zero point.
    pub input2_offset: i32,
    /// The output zero point.
    pub output_offset: i32,
    /// Multiplier of the product onto the output scale.
    pub output_multiplier: i32,
    /// Exponent of `output_multiplier` (positive is a left shift).
    pub output_shift: i32,
    /// Lower clamp of the output.
    pub act_min: i32,
    /// Upper clamp of the output.
    pub act_max: i32,
}

/// Precomputed int16 MUL parameters: the fields of the int8 ones (offsets 0).
pub type MulParamsInt16 = MulParamsInt8;

/// TFLM's int8 MUL set-up (`CalculateOpDataMul`); `act_min`/`act_max` from
/// [`crate::quant::activation_range_i8`]. The int16 set-up is the same
/// ([`crate::quant::activation_range_i16`] for the range; TFLM requires zero points of 0).
#[allow(clippy::too_many_arguments)]
pub fn mul_prepare_int8(
    in1_scale: f32,
    in1_zp: i32,
    in2_scale: f32,
    in2_zp: i32,
    out_scale: f32,
    out_zp: i32,
    act_min: i32,
    act_max: i32,
) -> MulParamsInt8 {
    let real = f64::from(in1_scale) * f64::from(in2_scale) / f64::from(out_scale);
    let (output_multiplier, output_shift) = quantize_multiplier(real);
    MulParamsInt8 {
        input1_offset: in1_zp.wrapping_neg(),
        input2_offset: in2_zp.wrapping_neg(),
        output_offset: out_zp,
        output_multiplier,
        output_shift,
        act_min,
        act_max,
    }
}

/// One int8 or int16 product, as TFLM's `MulElementwise`.
#[inline]
fn mul_one<T: QuantizedInt>(p: &MulParamsInt8, x: T, y: T) -> T {
    let a = p.input1_offset.wrapping_add(x.widen());
    let b = p.input2_offset.wrapping_add(y.widen());
    let raw = p
        .output_offset
        .wrapping_add(multiply_by_quantized_multiplier(
            a.wrapping_mul(b),
            p.output_multiplier,
            p.output_shift,
        ));
    // std::min(act_max, std::max(act_min, raw)), then the cast to T.
    T::wrap(clamp_i32(raw, p.act_min, p.act_max))
}

/// Int8 MUL with broadcasting; parameters from [`mul_prepare_int8`].
pub fn mul_int8(
    p: &MulParamsInt8,
    in1_shape: [usize; 4],
    in1: &[i8],
    in2_shape: [usize; 4],
    in2: &[i8],
    out_shape: [usize; 4],
    output: &mut [i8],
) -> Result<(), KernelError> {
    binary(in1_shape, in1, in2_shape, in2, out_shape, output, |x, y| {
        mul_one(p, x, y)
    })
}

/// Int16 MUL with broadcasting; parameters from [`mul_prepare_int8`] with int16 zero points
/// (0) and range. Per element: `MultiplyByQuantizedMultiplier((x - zp1) * (y - zp2), m, e)`
/// plus the output zero point, clamped to `[act_min, act_max]`. With zero points of 0 the
/// product, at most 2^30, cannot overflow.
///
/// # Errors
/// `ShapeMismatch` when a slice's length differs from its shape's element count, or the
/// shapes do not broadcast onto `out_shape`.
pub fn mul_int16(
    p: &MulParamsInt16,
    in1_shape: [usize; 4],
    in1: &[i16],
    in2_shape: [usize; 4],
    in2: &[i16],
    out_shape: [usize; 4],
    output: &mut [i16],
) -> Result<(), KernelError> {
    binary(in1_shape, in1, in2_shape, in2, out_shape, output, |x, y| {
        mul_one(p, x, y)
    })
}

/// Float MUL with broadcasting: `x * y` clamped to `[act_min, act_max]`.
#[allow(clippy::too_many_arguments)]
pub fn mul_f32(
    act_min: f32,
    act_max: f32,
    in1_shape: [usize; 4],
    in1: &[f32],
    in2_shape: [usize; 4],
    in2: &[f32],
    out_shape: [usize; 4],
    output: &mut [f32],
) -> Result<(), KernelError> {
    binary(in1_shape, in1, in2_shape, in2, out_shape, output, |x, y| {
        clamp_f32(x * y, act_min, act_max)
    })
}

/// int32 MUL, TFLM's `reference_ops::Mul<int32_t>`: `x * y` (wrapping) clamped to the fused
/// activation's int32 range ([`crate::quant::activation_range_i32`]).
///
/// # Errors
/// [`KernelError::ShapeMismatch`] when the shapes do not broadcast or a slice's length does
/// not match its shape.
#[allow(clippy::too_many_arguments)]
pub fn mul_i32(
    act_min: i32,
    act_max: i32,
    in1_shape: [usize; 4],
    in1: &[i32],
    in2_shape: [usize; 4],
    in2: &[i32],
    out_shape: [usize; 4],
    output: &mut [i32],
) -> Result<(), KernelError> {
    binary(in1_shape, in1, in2_shape, in2, out_shape, output, |x, y| {
        x.wrapping_mul(y).max(act_min).min(act_max)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::broadcast::testing::{coords, index, shapes};
    use crate::testutil::*;
    use proptest::prelude::*;

    #[test]
    fn prepare_values() {
        // 0.5 * 0.25 / 0.5 = 0.25 -> (2^30, -1).
        let p = mul_prepare_int8(0.5, 1, 0.25, -2, 0.5, 3, -128, 127);
        assert_eq!((p.output_multiplier, p.output_shift), (1 << 30, -1));
        assert_eq!(
            (p.input1_offset, p.input2_offset, p.output_offset),
            (-1, 2, 3)
        );
        // (11 - 1) * (2 + 2) * 0.25 = 10 -> + 3 = 13.
        let mut out = [0i8; 1];
        mul_int8(&p, [1; 4], &[11], [1; 4], &[2], [1; 4], &mut out).unwrap();
        assert_eq!(out, [13]);
        // Clamped to the activation range.
        let p = mul_prepare_int8(0.5, 1, 0.25, -2, 0.5, 3, 0, 10);
        mul_int8(&p, [1; 4], &[11], [1; 4], &[2], [1; 4], &mut out).unwrap();
        assert_eq!(out, [10]);
    }

    #[test]
    fn errors() {
        let p = mul_prepare_int8(0.5, 0, 0.5, 0, 0.5, 0, -128, 127);
        let mut out = [0i8; 4];
        let r = mul_int8(
            &p,
            [1, 1, 2, 2],
            &[0; 4],
            [1, 1, 1, 3],
            &[0; 3],
            [1, 1, 2, 2],
            &mut out,
        );
        assert_eq!(r, Err(KernelError::ShapeMismatch));
        let mut outf = [0f32; 3];
        let r = mul_f32(
            0.0,
            1.0,
            [1; 4],
            &[0.0],
            [1, 1, 1, 3],
            &[0.0; 3],
            [1, 1, 1, 4],
            &mut outf,
        );
        assert_eq!(r, Err(KernelError::ShapeMismatch));
    }

    #[test]
    fn int16_values() {
        // 2^-10 * 2^-10 / 2^-12 = 0.25 -> (2^30, -1).
        let s = 1.0 / 1024.0;
        let p = mul_prepare_int8(s, 0, s, 0, 4.0 * s * s, 0, -32768, 32767);
        assert_eq!((p.output_multiplier, p.output_shift), (1 << 30, -1));
        let mut out = [0i16; 4];
        mul_int16(
            &p,
            [1, 1, 1, 4],
            &[100, -7, 32767, -32768],
            [1; 4],
            &[-3],
            [1, 1, 1, 4],
            &mut out,
        )
        .unwrap();
        // -75; 5.25 -> 6 (double rounding: 21/2 = 10.5 -> 11, 11/2 = 5.5 -> 6);
        // -24575.25 -> -24575; 24576.
        assert_eq!(out, [-75, 6, -24575, 24576]);
        // The largest product, 2^30, saturates with a multiplier above 2^-15.
        let p = mul_prepare_int8(s, 0, s, 0, s, 0, 0, 32767);
        mul_int16(
            &p,
            [1; 4],
            &[-32768],
            [1; 4],
            &[-32768],
            [1; 4],
            &mut out[..1],
        )
        .unwrap();
        assert_eq!(out[0], 32767);
        mul_int16(&p, [1; 4], &[-32768], [1; 4], &[3], [1; 4], &mut out[..1]).unwrap();
        assert_eq!(out[0], 0);
        let r = mul_int16(
            &p,
            [1, 1, 1, 2],
            &[0; 2],
            [1, 1, 1, 3],
            &[0; 3],
            [1, 1, 1, 2],
            &mut out[..2],
        );
        assert_eq!(r, Err(KernelError::ShapeMismatch));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn int16_matches_naive(
            ((a, b, out), x, y, s1, s2, ratio, (lo, hi)) in shapes().prop_flat_map(|(a, b, o)| (
                Just((a, b, o)),
                i16_vec(a.iter().product()), i16_vec(b.iter().product()),
                // Rescales up to 1 (so no left shift wraps the largest product).
                1e-5f32..1e-3, 1e-5f32..1e-3, 1e-6f32..0.99, act_range_i16(),
            ))
        ) {
            let so = s1 * s2 / ratio;
            let p = mul_prepare_int8(s1, 0, s2, 0, so, 0, lo, hi);
            let mut got = vec![0i16; out.iter().product()];
            mul_int16(&p, a, &x, b, &y, out, &mut got).unwrap();
            for (k, idx) in coords(out).into_iter().enumerate() {
                let xv = x[index(a, idx)] as i32;
                let yv = y[index(b, idx)] as i32;
                let raw = naive_mbqm(xv * yv, p.output_multiplier, p.output_shift) as i64;
                prop_assert_eq!(got[k], naive_out_i16(raw, lo, hi));
                // Within one step of the real product (before clamping).
                let real = (s1 as f64 * xv as f64) * (s2 as f64 * yv as f64) / so as f64;
                let want = real.round().clamp(lo as f64, hi as f64);
                prop_assert!((got[k] as f64 - want).abs() <= 1.0);
            }
        }

        #[test]
        fn int8_matches_naive(
            ((a, b, out), x, y, s1, s2, so, z1, z2, zo, (lo, hi)) in shapes().prop_flat_map(|(a, b, o)| (
                Just((a, b, o)),
                i8_vec(a.iter().product()), i8_vec(b.iter().product()),
                0.001f32..1.0, 0.001f32..1.0, 0.0005f32..2.0,
                -128i32..=127, -128i32..=127, -128i32..=127, act_range(),
            ))
        ) {
            let p = mul_prepare_int8(s1, z1, s2, z2, so, zo, lo, hi);
            let mut got = vec![0i8; out.iter().product()];
            mul_int8(&p, a, &x, b, &y, out, &mut got).unwrap();
            for (k, idx) in coords(out).into_iter().enumerate() {
                let xv = x[index(a, idx)] as i32 - z1;
                let yv = y[index(b, idx)] as i32 - z2;
                let raw = naive_mbqm(xv * yv, p.output_multiplier, p.output_shift) as i64 + zo as i64;
                prop_assert_eq!(got[k], naive_out_i8(raw, lo, hi));
                // Within one step of the real product (before clamping).
                let real = (s1 as f64 * xv as f64) * (s2 as f64 * yv as f64) / so as f64 + zo as f64;
                let want = real.round().clamp(lo as f64, hi as f64).clamp(-128.0, 127.0);
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
            mul_f32(-1.0, 1.5, a, &x, b, &y, out, &mut got).unwrap();
            for (k, idx) in coords(out).into_iter().enumerate() {
                let want = (x[index(a, idx)] * y[index(b, idx)]).max(-1.0).min(1.5);
                prop_assert_eq!(got[k], want);
            }
        }
    }
}
