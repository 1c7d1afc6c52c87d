//! LOGISTIC (sigmoid), elementwise.
//!
//! The int8 kernel is TFLM's `reference_integer_ops::Logistic`: no lookup table but gemmlowp
//! fixed point. The offset input is rescaled into Q4.27 by a multiplier taken straight from
//! `frexp` (not `QuantizeMultiplier`), inputs beyond the "input radius" saturate, the rest go
//! through gemmlowp's `logistic` (Q0.31 result), which is rounded to 1/256 steps and offset by
//! the fixed output zero point -128. The float kernel is `reference_ops::Logistic`, with its
//! cut-offs at 16.619047 and -9.

use crate::quant::{
    exp_on_negative_values, multiply_by_quantized_multiplier, one_over_one_plus_x_for_x_in_0_1,
    rounding_divide_by_pot,
};
use crate::util::sat_i8;
use crate::KernelError;

/// Integer bits of the rescaled input (Q4.27), shared by LOGISTIC and TANH.
pub(crate) const INPUT_INTEGER_BITS: i32 = 4;

/// Precomputed int8 parameters of LOGISTIC (and TANH, which uses the same set-up).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LogisticParamsInt8 {
    /// The input zero point.
    pub input_zero_point: i32,
    /// Offset inputs at or beyond `±input_range_radius` saturate the output.
    pub input_range_radius: i32,
    /// `frexp` mantissa of `input_scale * 2^27`, as Q0.31.
    pub input_multiplier: i32,
    /// `frexp` exponent of `input_scale * 2^27` (a left shift).
    pub input_left_shift: i32,
}

/// TFLM's int8 set-up of LOGISTIC and TANH (`CalculateArithmeticOpDataLogistic`):
/// `(q, shift) = frexp(input_scale * 2^27)` in `f64`, `multiplier = round(q * 2^31)`,
/// `radius = floor(15 * 2^27 / 2^shift)` (`CalculateInputRadius(4, shift, 31)`).
///
/// `BadParams` when the shift is negative or above 62 (an input scale below about 2^-28 or
/// above 2^35), where TFLM's own arithmetic is undefined.
pub fn logistic_prepare_int8(
    input_scale: f32,
    input_zero_point: i32,
) -> Result<LogisticParamsInt8, KernelError> {
    let real = f64::from(input_scale) * (1i64 << (31 - INPUT_INTEGER_BITS)) as f64;
    if !(real.is_finite() && real > 0.0) {
        return Err(KernelError::BadParams);
    }
    let (q, shift) = libm::frexp(real);
    if !(0..=62).contains(&shift) {
        return Err(KernelError::BadParams);
    }
    // TfLiteRound(q * 2^31): an f32 scale has 24 significant bits, so this stays below 2^31.
    let m = libm::round(q * (1i64 << 31) as f64);
    let input_multiplier = if m >= (1i64 << 31) as f64 {
        i32::MAX
    } else {
        m as i32
    };
    let max_input_rescaled = ((1i64 << INPUT_INTEGER_BITS) - 1) as f64
        * (1i64 << (31 - INPUT_INTEGER_BITS)) as f64
        / (1i64 << shift) as f64;
    Ok(LogisticParamsInt8 {
        input_zero_point,
        input_range_radius: libm::floor(max_input_rescaled) as i32,
        input_multiplier,
        input_left_shift: shift,
    })
}

/// gemmlowp `logistic` of a Q(`integer_bits`) value, as Q0.31 (`1 << 30` is 0.5).
pub fn logistic_fixed(a: i32, integer_bits: u32) -> i32 {
    if a == 0 {
        return 1 << 30;
    }
    let abs_input = if a > 0 { a } else { a.wrapping_neg() };
    // logistic_on_positive_values: 1 / (1 + exp(-|a|)).
    let positive = one_over_one_plus_x_for_x_in_0_1(exp_on_negative_values(
        abs_input.wrapping_neg(),
        integer_bits,
    ));
    if a > 0 {
        positive
    } else {
        // ResultF::One() - result_if_positive, with One() = i32::MAX.
        i32::MAX.wrapping_sub(positive)
    }
}

/// Int8 LOGISTIC; output zero point -128 and scale 1/256 (TFLM requires the zero point).
pub fn logistic_int8(
    p: &LogisticParamsInt8,
    input: &[i8],
    output: &mut [i8],
) -> Result<(), KernelError> {
    if input.len() != output.len() {
        return Err(KernelError::ShapeMismatch);
    }
    for (o, &x) in output.iter_mut().zip(input) {
        let v = i32::from(x).wrapping_sub(p.input_zero_point);
        *o = if v <= p.input_range_radius.wrapping_neg() {
            i8::MIN
        } else if v >= p.input_range_radius {
            i8::MAX
        } else {
            let q4 = multiply_by_quantized_multiplier(v, p.input_multiplier, p.input_left_shift);
            let q0 = logistic_fixed(q4, INPUT_INTEGER_BITS as u32);
            sat_i8(rounding_divide_by_pot(q0, 31 - 8).wrapping_add(-128))
        };
    }
    Ok(())
}

/// Float LOGISTIC as TFLM's `reference_ops::Logistic`: 1 above 16.619047, `exp(x)` below -9,
/// `1 / (1 + exp(-x))` between.
pub fn logistic_f32(input: &[f32], output: &mut [f32]) -> Result<(), KernelError> {
    if input.len() != output.len() {
        return Err(KernelError::ShapeMismatch);
    }
    const CUTOFF_UPPER: f32 = 16.619_047;
    const CUTOFF_LOWER: f32 = -9.0;
    for (o, &x) in output.iter_mut().zip(input) {
        *o = if x > CUTOFF_UPPER {
            1.0
        } else if x < CUTOFF_LOWER {
            libm::expf(x)
        } else {
            1.0 / (1.0 + libm::expf(-x))
        };
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::*;
    use proptest::prelude::*;

    #[test]
    fn prepare_values() {
        // scale 1/16: 2^-4 * 2^27 = 2^23 = 0.5 * 2^24 -> multiplier 2^30, shift 24;
        // radius floor(15 * 2^27 / 2^24) = 120.
        let p = logistic_prepare_int8(1.0 / 16.0, 3).unwrap();
        assert_eq!(
            p,
            LogisticParamsInt8 {
                input_zero_point: 3,
                input_range_radius: 120,
                input_multiplier: 1 << 30,
                input_left_shift: 24,
            }
        );
        assert_eq!(logistic_prepare_int8(1e-12, 0), Err(KernelError::BadParams));
        assert_eq!(logistic_prepare_int8(0.0, 0), Err(KernelError::BadParams));
        assert_eq!(
            logistic_prepare_int8(f32::NAN, 0),
            Err(KernelError::BadParams)
        );
        // A huge scale: radius 0, so zero saturates low and everything else saturates.
        let p = logistic_prepare_int8(64.0, 0).unwrap();
        assert_eq!(p.input_range_radius, 0);
        let mut out = [0i8; 3];
        logistic_int8(&p, &[-1, 0, 1], &mut out).unwrap();
        assert_eq!(out, [-128, -128, 127]);
    }

    #[test]
    fn fixed_point_values() {
        assert_eq!(logistic_fixed(0, 4), 1 << 30);
        // Symmetry: logistic(-x) = 1 - logistic(x) exactly in raw terms.
        for a in [1, 1000, 1 << 20, 1 << 27, 3 << 27, i32::MAX] {
            assert_eq!(logistic_fixed(-a, 4), i32::MAX - logistic_fixed(a, 4));
        }
        let _ = logistic_fixed(i32::MIN, 4);
    }

    #[test]
    fn known_outputs() {
        // scale 1/16, zero point 0: x = 16 is 1.0 -> sigmoid 0.731 -> 187.2 - 128 = 59.
        let p = logistic_prepare_int8(1.0 / 16.0, 0).unwrap();
        let mut out = [0i8; 5];
        logistic_int8(&p, &[0, 16, -16, 127, -128], &mut out).unwrap();
        assert_eq!(out, [0, 59, -59, 127, -128]);
        assert_eq!(
            logistic_int8(&p, &[0, 1], &mut out),
            Err(KernelError::ShapeMismatch)
        );
        let mut f = [0f32; 4];
        logistic_f32(&[0.0, 20.0, -10.0, 1.0], &mut f).unwrap();
        assert_eq!(f[0], 0.5);
        assert_eq!(f[1], 1.0);
        assert!(close(f[2], libm::expf(-10.0)));
        assert!(close(f[3], 0.731_058_6));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn fixed_point_close_to_real(a in any::<i32>()) {
            let got = logistic_fixed(a, 4) as f64 / 2147483648.0;
            let x = a as f64 / (1u64 << 27) as f64;
            let want = 1.0 / (1.0 + libm::exp(-x));
            prop_assert!((got - want).abs() < 1e-6, "a={} got={} want={}", a, got, want);
        }

        #[test]
        fn int8_close_to_real(x in i8_vec(64), scale in 0.001f32..0.5, zp in -128i32..=127) {
            let p = logistic_prepare_int8(scale, zp).unwrap();
            let mut got = vec![0i8; x.len()];
            logistic_int8(&p, &x, &mut got).unwrap();
            for (&g, &v) in got.iter().zip(&x) {
                let real = scale as f64 * (v as i32 - zp) as f64;
                let want = (256.0 / (1.0 + libm::exp(-real)) - 128.0).round().clamp(-128.0, 127.0);
                prop_assert!((g as f64 - want).abs() <= 1.0, "x={} got={} want={}", v, g, want);
            }
        }

        #[test]
        fn f32_close_to_real(x in f32_vec(32)) {
            let mut got = vec![0f32; x.len()];
            logistic_f32(&x, &mut got).unwrap();
            for (&g, &v) in got.iter().zip(&x) {
                let want = 1.0 / (1.0 + libm::exp(-(v as f64)));
                prop_assert!(close(g, want as f32));
            }
        }
    }
}
