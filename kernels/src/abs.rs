//! Quantized ABS, as TFLM's `AbsEvalQuantized` (`elementwise.cc`): `|q - zp_in|`, rescaled by
//! `MultiplyByQuantizedMultiplier(in_scale / out_scale)` only when the two scales differ, plus
//! the output zero point, saturated to the type. Int8 with any zero points; int16 with zero
//! points 0 (TFLM's prepare requires them). TFLM also runs an int16 ABS without quantization
//! as a plain `std::abs` cut to 16 bits: [`abs_int16_raw`].

use crate::quant::{multiply_by_quantized_multiplier, quantize_multiplier_f32, QuantizedInt};
use crate::KernelError;

/// What the quantized ABS kernel needs, fixed at prepare.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AbsParams {
    /// The input zero point (subtracted).
    pub input_offset: i32,
    /// The output zero point (added).
    pub output_offset: i32,
    /// `in_scale / out_scale` as a multiplier (unused without `needs_rescale`).
    pub multiplier: i32,
    /// Its exponent.
    pub shift: i32,
    /// 1 when the input and output scales differ (TFLM's `needs_rescale`), else 0.
    pub needs_rescale: i32,
}

/// TFLM's ABS set-up: the rescale is `QuantizeMultiplier(double(in_scale / out_scale))`, the
/// ratio taken in float, and only used when the scales are not equal as floats.
pub fn abs_prepare(
    input_scale: f32,
    input_zero_point: i32,
    output_scale: f32,
    output_zero_point: i32,
) -> AbsParams {
    let needs_rescale = input_scale != output_scale;
    let (multiplier, shift) = if needs_rescale {
        quantize_multiplier_f32(input_scale / output_scale)
    } else {
        (0, 0)
    };
    AbsParams {
        input_offset: input_zero_point,
        output_offset: output_zero_point,
        multiplier,
        shift,
        needs_rescale: i32::from(needs_rescale),
    }
}

/// One quantized ABS value.
#[inline]
fn abs_one<Q: QuantizedInt>(p: &AbsParams, q: Q) -> Q {
    let value = q.widen().wrapping_sub(p.input_offset).wrapping_abs();
    let out = if p.needs_rescale == 0 {
        value
    } else {
        multiply_by_quantized_multiplier(value, p.multiplier, p.shift)
    };
    Q::saturate(out.wrapping_add(p.output_offset))
}

fn abs_quantized<Q: QuantizedInt>(
    p: &AbsParams,
    input: &[Q],
    output: &mut [Q],
) -> Result<(), KernelError> {
    if input.len() != output.len() {
        return Err(KernelError::ShapeMismatch);
    }
    for (o, &x) in output.iter_mut().zip(input) {
        *o = abs_one(p, x);
    }
    Ok(())
}

/// Int8 ABS.
///
/// # Errors
/// [`KernelError::ShapeMismatch`] when the slices differ in length.
pub fn abs_int8(p: &AbsParams, input: &[i8], output: &mut [i8]) -> Result<(), KernelError> {
    abs_quantized(p, input, output)
}

/// Int16 ABS (quantized, zero points 0 in TFLM).
///
/// # Errors
/// [`KernelError::ShapeMismatch`] when the slices differ in length.
pub fn abs_int16(p: &AbsParams, input: &[i16], output: &mut [i16]) -> Result<(), KernelError> {
    abs_quantized(p, input, output)
}

/// Int16 ABS of a tensor without quantization: `std::abs` on the value widened to `int`, cut
/// back to 16 bits (so -32768 stays -32768).
///
/// # Errors
/// [`KernelError::ShapeMismatch`] when the slices differ in length.
pub fn abs_int16_raw(input: &[i16], output: &mut [i16]) -> Result<(), KernelError> {
    if input.len() != output.len() {
        return Err(KernelError::ShapeMismatch);
    }
    for (o, &x) in output.iter_mut().zip(input) {
        *o = x.wrapping_abs();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::*;
    use proptest::prelude::*;

    #[test]
    fn same_scale_and_raw() {
        let p = abs_prepare(0.5, -3, 0.5, -128);
        assert_eq!(p.needs_rescale, 0);
        let mut out = [0i8; 4];
        abs_int8(&p, &[-3, -128, 127, 0], &mut out).unwrap();
        assert_eq!(out, [-128, -3, 2, -125]);
        let mut out16 = [0i16; 3];
        abs_int16_raw(&[-32768, -5, 7], &mut out16).unwrap();
        assert_eq!(out16, [-32768, 5, 7]);
        let p16 = abs_prepare(1.0, 0, 1.0, 0);
        abs_int16(&p16, &[-32768, -5, 7], &mut out16).unwrap();
        assert_eq!(out16, [32767, 5, 7]);
        assert_eq!(
            abs_int8(&p, &[0; 2], &mut out),
            Err(KernelError::ShapeMismatch)
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn int8_rescaled_is_close(
            x in i8_vec(32), zi in -128i32..=127, zo in -128i32..=127,
            si in 0.001f32..0.1, so in 0.001f32..0.1,
        ) {
            let p = abs_prepare(si, zi, so, zo);
            let mut got = vec![0i8; x.len()];
            abs_int8(&p, &x, &mut got).unwrap();
            for (&q, &g) in x.iter().zip(&got) {
                let real = (f64::from(q) - f64::from(zi)).abs() * f64::from(si);
                let want = (real / f64::from(so)).round() + f64::from(zo);
                let want = want.clamp(-128.0, 127.0);
                prop_assert!((f64::from(g) - want).abs() <= 1.0, "{} {} {}", q, g, want);
            }
        }
    }
}
