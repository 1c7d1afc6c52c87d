//! TANH, elementwise.
//!
//! The int8 kernel is TFLM's `reference_integer_ops::Tanh`: the set-up of LOGISTIC (a raw
//! `frexp` multiplier into Q4.27 and an input radius beyond which the output saturates), then
//! gemmlowp's fixed-point `tanh` (Q0.31), rounded to 1/128 steps. TFLM adds no output zero
//! point: the output is taken to be quantized with zero point 0 and scale 1/128. The float
//! kernel is `reference_ops::Tanh`, `std::tanh`.

use crate::logistic::{logistic_prepare_int8, LogisticParamsInt8, INPUT_INTEGER_BITS};
use crate::quant::{
    exp_on_negative_values, multiply_by_quantized_multiplier, reciprocal_one_plus_x_q2,
    rounding_divide_by_pot, saturating_rounding_multiply_by_pot,
};
use crate::util::sat_i8;
use crate::KernelError;

/// Precomputed int8 TANH parameters: the same as LOGISTIC's.
pub type TanhParamsInt8 = LogisticParamsInt8;

/// TFLM's int8 TANH set-up (`CalculateArithmeticOpData` in `tanh.cc`), identical to
/// [`logistic_prepare_int8`].
pub fn tanh_prepare_int8(
    input_scale: f32,
    input_zero_point: i32,
) -> Result<TanhParamsInt8, KernelError> {
    logistic_prepare_int8(input_scale, input_zero_point)
}

/// gemmlowp `one_minus_x_over_one_plus_x_for_x_in_0_1`: `(1 - a) / (1 + a)`, Q0.31.
fn one_minus_x_over_one_plus_x_for_x_in_0_1(a: i32) -> i32 {
    // Rescale<0>(x - F2::One()): a saturating shift left by 2 of the Q2.29 difference.
    saturating_rounding_multiply_by_pot(reciprocal_one_plus_x_q2(a).wrapping_sub(1 << 29), 2)
}

/// gemmlowp `tanh` of a Q(`integer_bits`) value, as Q0.31.
pub fn tanh_fixed(a: i32, integer_bits: u32) -> i32 {
    if a == 0 {
        return 0;
    }
    let negative = a < 0;
    let n = if negative { a } else { a.wrapping_neg() };
    // neg_tanh_on_negative_values(n) = (1 - exp(2n)) / (1 + exp(2n)); ExactMulByPot<1>
    // doubles n by giving it one more integer bit, same raw value.
    let t = one_minus_x_over_one_plus_x_for_x_in_0_1(exp_on_negative_values(
        n,
        integer_bits.saturating_add(1),
    ));
    if negative {
        t.wrapping_neg()
    } else {
        t
    }
}

/// Int8 TANH; the output is read as zero point 0, scale 1/128.
pub fn tanh_int8(p: &TanhParamsInt8, input: &[i8], output: &mut [i8]) -> Result<(), KernelError> {
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
            let q0 = tanh_fixed(q4, INPUT_INTEGER_BITS as u32);
            sat_i8(rounding_divide_by_pot(q0, 31 - 7))
        };
    }
    Ok(())
}

/// Float TANH: `tanh(x)`.
pub fn tanh_f32(input: &[f32], output: &mut [f32]) -> Result<(), KernelError> {
    if input.len() != output.len() {
        return Err(KernelError::ShapeMismatch);
    }
    for (o, &x) in output.iter_mut().zip(input) {
        *o = libm::tanhf(x);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::*;
    use proptest::prelude::*;

    #[test]
    fn fixed_point_values() {
        assert_eq!(tanh_fixed(0, 4), 0);
        for a in [1, 1000, 1 << 20, 1 << 27, 3 << 27, i32::MAX] {
            assert_eq!(tanh_fixed(-a, 4), -tanh_fixed(a, 4));
        }
        let _ = tanh_fixed(i32::MIN, 4);
    }

    #[test]
    fn known_outputs() {
        // scale 1/16, zero point 0: x = 16 is 1.0 -> tanh 0.7616 * 128 = 97.5 -> 97 or 98.
        let p = tanh_prepare_int8(1.0 / 16.0, 0).unwrap();
        let mut out = [0i8; 4];
        tanh_int8(&p, &[0, 16, 127, -128], &mut out).unwrap();
        assert_eq!(out[0], 0);
        assert!(out[1] == 97 || out[1] == 98);
        assert_eq!(&out[2..], &[127, -128]);
        assert_eq!(
            tanh_int8(&p, &[0], &mut out),
            Err(KernelError::ShapeMismatch)
        );
        let mut f = [0f32; 2];
        tanh_f32(&[0.0, 1.0], &mut f).unwrap();
        assert_eq!(f[0], 0.0);
        assert!(close(f[1], 0.761_594_2));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn fixed_point_close_to_real(a in any::<i32>()) {
            let got = tanh_fixed(a, 4) as f64 / 2147483648.0;
            let want = libm::tanh(a as f64 / (1u64 << 27) as f64);
            prop_assert!((got - want).abs() < 2e-6, "a={} got={} want={}", a, got, want);
        }

        #[test]
        fn int8_close_to_real(x in i8_vec(64), scale in 0.001f32..0.5, zp in -128i32..=127) {
            let p = tanh_prepare_int8(scale, zp).unwrap();
            let mut got = vec![0i8; x.len()];
            tanh_int8(&p, &x, &mut got).unwrap();
            for (&g, &v) in got.iter().zip(&x) {
                let real = scale as f64 * (v as i32 - zp) as f64;
                let want = (128.0 * libm::tanh(real)).round().clamp(-128.0, 127.0);
                prop_assert!((g as f64 - want).abs() <= 1.0, "x={} got={} want={}", v, g, want);
            }
        }

        #[test]
        fn f32_close_to_real(x in f32_vec(32)) {
            let mut got = vec![0f32; x.len()];
            tanh_f32(&x, &mut got).unwrap();
            for (&g, &v) in got.iter().zip(&x) {
                prop_assert!(close(g, libm::tanh(v as f64) as f32));
            }
        }
    }
}
