//! SQUARED_DIFFERENCE, `(a - b)^2`, with broadcasting over 4-D shapes, as TFLM's
//! `squared_difference.cc`: float32 and int32 (wrapping, where C++ overflow is undefined)
//! directly; int8 and int16 by bringing both inputs onto twice the larger input scale (left
//! shift 7 for int8, 0 for int16, then each input's multiplier below one), squaring the
//! rescaled difference in 32 bits and rescaling once onto the output, saturated.

use crate::broadcast::binary;
use crate::double::Double;
use crate::quant::{
    multiply_by_quantized_multiplier, multiply_by_quantized_multiplier_smaller_than_one_exp,
    quantize_quotient, QuantizedInt,
};
use crate::KernelError;

/// What the quantized kernel needs, fixed at prepare (TFLM's `ArithmeticParams` subset).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SquaredDifferenceParams {
    /// Left shift of each offset input (7 for int8, 0 for int16).
    pub left_shift: i32,
    /// Minus the first input's zero point.
    pub input1_offset: i32,
    /// `in1_scale / (2 * max_scale)` as a multiplier.
    pub input1_multiplier: i32,
    /// Its exponent.
    pub input1_shift: i32,
    /// Minus the second input's zero point.
    pub input2_offset: i32,
    /// `in2_scale / (2 * max_scale)` as a multiplier.
    pub input2_multiplier: i32,
    /// Its exponent.
    pub input2_shift: i32,
    /// The output zero point (added).
    pub output_offset: i32,
    /// `(2 * max_scale)^2 / (2^(2 * left_shift) * out_scale)` as a multiplier.
    pub output_multiplier: i32,
    /// Its exponent.
    pub output_shift: i32,
}

/// TFLM's `PrepareQuantized` for SQUARED_DIFFERENCE: `left_shift` 7 for int8, 0 for int16.
/// The denominator `2^(2 * left_shift) * out_scale` is a float32 product, as in TFLM.
pub fn squared_difference_prepare(
    left_shift: i32,
    input1_scale: f32,
    input1_zero_point: i32,
    input2_scale: f32,
    input2_zero_point: i32,
    output_scale: f32,
    output_zero_point: i32,
) -> SquaredDifferenceParams {
    // In double precision as TFLM, on integers ([`Double`] rounds as the FPU does).
    let q = quantize_quotient;
    let twice_max = Double::from_f32(input1_scale.max(input2_scale)).map(|d| d.scale(1));
    let (m1, s1) = q(Double::from_f32(input1_scale), twice_max);
    let (m2, s2) = q(Double::from_f32(input2_scale), twice_max);
    let pot = 1i32.wrapping_shl(left_shift.wrapping_mul(2) as u32) as f32;
    let (mo, so) = q(
        twice_max.map(|t| t * t),
        Double::from_f32(pot * output_scale),
    );
    SquaredDifferenceParams {
        left_shift,
        input1_offset: input1_zero_point.wrapping_neg(),
        input1_multiplier: m1,
        input1_shift: s1,
        input2_offset: input2_zero_point.wrapping_neg(),
        input2_multiplier: m2,
        input2_shift: s2,
        output_offset: output_zero_point,
        output_multiplier: mo,
        output_shift: so,
    }
}

/// One quantized squared difference.
#[inline]
fn one<Q: QuantizedInt>(p: &SquaredDifferenceParams, x: Q, y: Q) -> Q {
    let shift = 1i32.wrapping_shl(p.left_shift as u32);
    let a = x.widen().wrapping_add(p.input1_offset).wrapping_mul(shift);
    let b = y.widen().wrapping_add(p.input2_offset).wrapping_mul(shift);
    let a = multiply_by_quantized_multiplier_smaller_than_one_exp(
        a,
        p.input1_multiplier,
        p.input1_shift,
    );
    let b = multiply_by_quantized_multiplier_smaller_than_one_exp(
        b,
        p.input2_multiplier,
        p.input2_shift,
    );
    let d = a.wrapping_sub(b);
    let out =
        multiply_by_quantized_multiplier(d.wrapping_mul(d), p.output_multiplier, p.output_shift)
            .wrapping_add(p.output_offset);
    Q::saturate(out)
}

/// Quantized (int8 or int16) SQUARED_DIFFERENCE.
///
/// # Errors
/// [`KernelError::ShapeMismatch`] when the shapes do not broadcast or disagree with the slices.
pub fn squared_difference_quantized<Q: QuantizedInt>(
    p: &SquaredDifferenceParams,
    in1_shape: [usize; 4],
    in1: &[Q],
    in2_shape: [usize; 4],
    in2: &[Q],
    out_shape: [usize; 4],
    output: &mut [Q],
) -> Result<(), KernelError> {
    binary(in1_shape, in1, in2_shape, in2, out_shape, output, |x, y| {
        one(p, x, y)
    })
}

/// Float32 SQUARED_DIFFERENCE: `d = a - b; d * d`.
///
/// # Errors
/// As [`squared_difference_quantized`].
pub fn squared_difference_f32(
    in1_shape: [usize; 4],
    in1: &[f32],
    in2_shape: [usize; 4],
    in2: &[f32],
    out_shape: [usize; 4],
    output: &mut [f32],
) -> Result<(), KernelError> {
    binary(in1_shape, in1, in2_shape, in2, out_shape, output, |x, y| {
        let d = x - y;
        d * d
    })
}

/// Int32 SQUARED_DIFFERENCE, wrapping.
///
/// # Errors
/// As [`squared_difference_quantized`].
pub fn squared_difference_i32(
    in1_shape: [usize; 4],
    in1: &[i32],
    in2_shape: [usize; 4],
    in2: &[i32],
    out_shape: [usize; 4],
    output: &mut [i32],
) -> Result<(), KernelError> {
    binary(
        in1_shape,
        in1,
        in2_shape,
        in2,
        out_shape,
        output,
        |x: i32, y: i32| {
            let d = x.wrapping_sub(y);
            d.wrapping_mul(d)
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::*;
    use proptest::prelude::*;

    #[test]
    fn float_int32_and_errors() {
        let mut out = [0f32; 2];
        squared_difference_f32(
            [1, 1, 1, 2],
            &[1.0, -2.0],
            [1; 4],
            &[0.5],
            [1, 1, 1, 2],
            &mut out,
        )
        .unwrap();
        assert_eq!(out, [0.25, 6.25]);
        let mut o32 = [0i32; 2];
        squared_difference_i32(
            [1, 1, 1, 2],
            &[3, i32::MIN],
            [1; 4],
            &[-4],
            [1, 1, 1, 2],
            &mut o32,
        )
        .unwrap();
        assert_eq!(o32[0], 49);
        let r = squared_difference_i32(
            [1, 1, 1, 2],
            &[0; 2],
            [1, 1, 1, 3],
            &[0; 3],
            [1, 1, 1, 2],
            &mut o32,
        );
        assert_eq!(r, Err(KernelError::ShapeMismatch));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn int8_is_close_to_real(
            x in i8_vec(16), y in i8_vec(16),
            s1 in 0.002f32..0.05, s2 in 0.002f32..0.05, z1 in -128i32..=127, z2 in -128i32..=127,
            so in 0.01f32..2.0, zo in -128i32..=127,
        ) {
            let p = squared_difference_prepare(7, s1, z1, s2, z2, so, zo);
            let s = [1, 1, 1, 16];
            let mut got = vec![0i8; 16];
            squared_difference_quantized(&p, s, &x, s, &y, s, &mut got).unwrap();
            for i in 0..16 {
                let a = (f64::from(x[i]) - f64::from(z1)) * f64::from(s1);
                let b = (f64::from(y[i]) - f64::from(z2)) * f64::from(s2);
                let want = ((a - b) * (a - b) / f64::from(so)).round() + f64::from(zo);
                let want = want.clamp(-128.0, 127.0);
                prop_assert!((f64::from(got[i]) - want).abs() <= 1.5, "{} vs {}", got[i], want);
            }
        }
    }
}
