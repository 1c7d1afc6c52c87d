//! RELU6, elementwise.
//!
//! The int8 kernel is TFLM's `Relu6Quantized`: the raw input is clamped to
//! `[input_zero_point, quantize(6.0)]` on the *input's* quantization and written out as is.
//! TFLM never reads the output tensor's quantization here (the converter may give it another
//! one; the bytes are still the clamped input). The int16 kernel is the same template on
//! int16, with the same quirk: a converter-made int16 RELU6 often has an output scale of
//! 6/32767 that differs from its input's, and TFLM still writes the raw clamped input. The
//! float kernel clamps to `[0, 6]`.

use crate::quant::QuantizedInt;
use crate::KernelError;

/// Precomputed int8 or int16 RELU6 bounds, as TFLM's `Relu6OpData<T>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Relu6Params<T> {
    /// Lower bound: the input zero point (truncated to `T` as TFLM stores it).
    pub zero: T,
    /// Upper bound: `FloatToQuantizedType<T>(6.0, input_scale, input_zero_point)`.
    pub six: T,
}

/// Precomputed int8 RELU6 bounds.
pub type Relu6ParamsInt8 = Relu6Params<i8>;
/// Precomputed int16 RELU6 bounds.
pub type Relu6ParamsInt16 = Relu6Params<i16>;

/// TFLM's int8 RELU6 set-up (`Relu6Prepare`): `six = clamp(round(6 / scale) + zp, -128, 127)`.
pub fn relu6_prepare_int8(input_scale: f32, input_zero_point: i32) -> Relu6ParamsInt8 {
    relu6_prepare(input_scale, input_zero_point)
}

/// TFLM's int16 RELU6 set-up (`Relu6Prepare`): `zero = zp`, `six = clamp(round(6 / scale) +
/// zp, -32768, 32767)`, both on the *input's* quantization (the output's is never read).
pub fn relu6_prepare_int16(input_scale: f32, input_zero_point: i32) -> Relu6ParamsInt16 {
    relu6_prepare(input_scale, input_zero_point)
}

/// `Relu6Prepare` for `T`.
fn relu6_prepare<T: QuantizedInt>(input_scale: f32, input_zero_point: i32) -> Relu6Params<T> {
    // int32_t result = round(value / scale) + zero_point: the sum is in floating point, then
    // converted (saturating here where C++ would be undefined).
    let q = (libm::roundf(6.0 / input_scale) as f64 + f64::from(input_zero_point)) as i32;
    Relu6Params {
        zero: T::wrap(input_zero_point),
        six: T::saturate(q),
    }
}

/// Int8 RELU6: `val > six ? six : val < zero ? zero : val`.
pub fn relu6_int8(p: &Relu6ParamsInt8, input: &[i8], output: &mut [i8]) -> Result<(), KernelError> {
    relu6_quantized(p, input, output)
}

/// Int16 RELU6 (TFLM's `Relu6Quantized<int16_t>`): `val > six ? six : val < zero ? zero : val`
/// on raw values, bounds from [`relu6_prepare_int16`]. No requantization.
///
/// # Errors
/// `ShapeMismatch` when `input` and `output` differ in length.
pub fn relu6_int16(
    p: &Relu6ParamsInt16,
    input: &[i16],
    output: &mut [i16],
) -> Result<(), KernelError> {
    relu6_quantized(p, input, output)
}

/// `Relu6Quantized<T>`.
// Not `clamp`: TFLM's order of tests is kept, and `zero > six` must not panic.
#[allow(clippy::manual_clamp)]
#[inline]
fn relu6_quantized<T: Copy + PartialOrd>(
    p: &Relu6Params<T>,
    input: &[T],
    output: &mut [T],
) -> Result<(), KernelError> {
    if input.len() != output.len() {
        return Err(KernelError::ShapeMismatch);
    }
    for (o, &x) in output.iter_mut().zip(input) {
        *o = if x > p.six {
            p.six
        } else if x < p.zero {
            p.zero
        } else {
            x
        };
    }
    Ok(())
}

/// Float RELU6: `x > 6 ? 6 : x < 0 ? 0 : x` (a NaN passes through).
pub fn relu6_f32(input: &[f32], output: &mut [f32]) -> Result<(), KernelError> {
    if input.len() != output.len() {
        return Err(KernelError::ShapeMismatch);
    }
    for (o, &x) in output.iter_mut().zip(input) {
        // Same as the C++ chain of tests for every input, NaN included.
        *o = x.clamp(0.0, 6.0);
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
        // 6 / 0.05 = 120 -> -128 + 120 = -8.
        assert_eq!(
            relu6_prepare_int8(0.05, -128),
            Relu6ParamsInt8 {
                zero: -128,
                six: -8
            }
        );
        // Saturates at 127: 6 / 0.01 = 600.
        assert_eq!(relu6_prepare_int8(0.01, 0).six, 127);
        // 6 / 0.4f = 14.9999998 -> 15.
        assert_eq!(relu6_prepare_int8(0.4, 0).six, 15);
        let p = relu6_prepare_int8(0.05, -128);
        let mut out = [0i8; 3];
        relu6_int8(&p, &[-128, -20, 100], &mut out).unwrap();
        assert_eq!(out, [-128, -20, -8]);
        assert_eq!(
            relu6_int8(&p, &[0], &mut out),
            Err(KernelError::ShapeMismatch)
        );
        // Int16: the note's example, input scale 3.428e-4: six = 17503 + zp.
        assert_eq!(
            relu6_prepare_int16(3.428e-4, 0),
            Relu6ParamsInt16 {
                zero: 0,
                six: 17503
            }
        );
        assert_eq!(relu6_prepare_int16(1e-4, 0).six, 32767);
        assert_eq!(relu6_prepare_int16(1e-4, -40000).zero, 25536);
        let p = relu6_prepare_int16(1.0 / 4096.0, -100);
        assert_eq!(
            p,
            Relu6ParamsInt16 {
                zero: -100,
                six: 24476
            }
        );
        let mut out16 = [0i16; 4];
        relu6_int16(&p, &[-32768, -50, 24477, 32767], &mut out16).unwrap();
        assert_eq!(out16, [-100, -50, 24476, 24476]);
        assert_eq!(
            relu6_int16(&p, &[0], &mut out16),
            Err(KernelError::ShapeMismatch)
        );
        let mut f = [0f32; 3];
        relu6_f32(&[-1.0, 2.0, 7.0], &mut f).unwrap();
        assert_eq!(f, [0.0, 2.0, 6.0]);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn int8_matches_naive(x in i8_vec(64), s in 0.001f32..1.0, z in -128i32..=127) {
            let p = relu6_prepare_int8(s, z);
            let six = ((6.0f32 / s).round() as i64 + z as i64).clamp(-128, 127) as i8;
            prop_assert_eq!(p.six, six);
            let mut got = vec![0i8; x.len()];
            relu6_int8(&p, &x, &mut got).unwrap();
            for (&g, &v) in got.iter().zip(&x) {
                prop_assert_eq!(g, v.min(six).max(z as i8));
            }
        }

        #[test]
        fn int16_matches_naive(x in i16_vec(64), s in 1e-5f32..1e-2, z in -300i32..300) {
            let p = relu6_prepare_int16(s, z);
            let six = ((6.0f32 / s).round() as i64 + z as i64).clamp(-32768, 32767) as i16;
            prop_assert_eq!(p.six, six);
            let mut got = vec![0i16; x.len()];
            relu6_int16(&p, &x, &mut got).unwrap();
            for (&g, &v) in got.iter().zip(&x) {
                prop_assert_eq!(g, v.min(six).max(z as i16));
            }
        }

        #[test]
        fn f32_matches(x in proptest::collection::vec(-10.0f32..10.0, 32)) {
            let mut got = vec![0f32; x.len()];
            relu6_f32(&x, &mut got).unwrap();
            for (&g, &v) in got.iter().zip(&x) {
                prop_assert_eq!(g, v.max(0.0).min(6.0));
            }
        }
    }
}
