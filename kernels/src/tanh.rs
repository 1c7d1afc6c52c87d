//! TANH, elementwise.
//!
//! The int8 kernel is TFLM's `reference_integer_ops::Tanh`: the set-up of LOGISTIC (a raw
//! `frexp` multiplier into Q4.27 and an input radius beyond which the output saturates), then
//! gemmlowp's fixed-point `tanh` (Q0.31), rounded to 1/128 steps. TFLM adds no output zero
//! point: the output is taken to be quantized with zero point 0 and scale 1/128. The float
//! kernel is `reference_ops::Tanh`, `std::tanh`.
//!
//! The int16 kernel is TFLM's second `reference_integer_ops::Tanh`: LOGISTIC's int16
//! rescaling and sigmoid table, read with one bit less (`tanh(x) = 2σ(2x) - 1`) and 8 bits of
//! interpolation. Its output has scale 1/32768 and zero point 0.

use crate::logistic::{
    logistic_prepare_int8, prepare_int16, LogisticParamsInt16, LogisticParamsInt8,
    INPUT_INTEGER_BITS, SIGMOID_TABLE_UINT16,
};
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

/// Precomputed int16 TANH parameters: LOGISTIC's struct.
pub type TanhParamsInt16 = LogisticParamsInt16;

/// TFLM's int16 TANH set-up: as [`crate::logistic::logistic_prepare_int16`], except that the
/// power-of-two path is taken for input scales 2^-12 and 2^-11 (multiplier 3 or 6 at eval).
///
/// # Errors
/// `BadParams` unless `input_scale` is positive and finite.
pub fn tanh_prepare_int16(input_scale: f32) -> Result<TanhParamsInt16, KernelError> {
    prepare_int16(input_scale, 1)
}

/// Int16 TANH (TFLM's `reference_integer_ops::Tanh` for int16): output in [-32767, 32767],
/// scale 1/32768, zero point 0.
///
/// # Errors
/// `ShapeMismatch` when `input` and `output` differ in length.
pub fn tanh_int16(
    p: &TanhParamsInt16,
    input: &[i16],
    output: &mut [i16],
) -> Result<(), KernelError> {
    if input.len() != output.len() {
        return Err(KernelError::ShapeMismatch);
    }
    let e = p.effective();
    for (o, &x) in output.iter_mut().zip(input) {
        *o = tanh_q15(x, e);
    }
    Ok(())
}

/// One int16 tanh (Q0.15) of `x` rescaled by `e` ([`TanhParamsInt16::effective`]): TFLM's
/// sigmoid table read with 8-bit interpolation. Also UNIDIRECTIONAL_SEQUENCE_LSTM's cells.
#[inline]
pub(crate) fn tanh_q15(x: i16, e: (i32, i32, i32)) -> i16 {
    let d = TanhParamsInt16::rescale(x, e);
    let a = d.unsigned_abs();
    let uh = (a >> 8) as usize;
    // uh >= 255 (no pair of entries) saturates.
    let r: i32 = match SIGMOID_TABLE_UINT16.get(uh..uh + 2) {
        Some(&[ua, ub]) => {
            let (ua, ub) = (u32::from(ua), u32::from(ub));
            (ua << 8).wrapping_add((a & 0xFF).wrapping_mul(ub.wrapping_sub(ua))) as i32
        }
        _ => 0xFFFF << 8,
    };
    let r = if d >= 0 {
        r.wrapping_sub(1 << 23).wrapping_add(1 << 7)
    } else {
        r.wrapping_neg()
            .wrapping_add(1 << 23)
            .wrapping_add((1 << 7) - 1)
    };
    (r >> 8) as i16
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

    /// Whole-range sweeps against the validated emulator, as LOGISTIC's.
    #[test]
    fn int16_matches_emulator() {
        use crate::logistic::tests::PICKS;
        #[rustfmt::skip]
        let cases: [(u32, (i32, i32), u64, [i16; 9]); 12] = [
            (0x394000c7, (18432, 13), 0x81dceac0a5ae9962, [-32767, -32063, -5934, -5, 0, 5, 5934, 32063, 32767]),
            (0x38c000cf, (18432, 14), 0x66f9a4aa04906869, [-32606, -26578, -2992, -3, 0, 3, 2992, 26578, 32606]),
            (0x39800000, (0, 0), 0x15d109ac75954965, [-32767, -32611, -7845, -8, 0, 8, 7845, 32611, 32767]),
            (0x3a000000, (0, 1), 0x96ae7b0d20810061, [-32767, -32767, -14838, -16, 0, 16, 14838, 32767, 32767]),
            (0x38d1b717, (20132, 14), 0x1bd909ac809573bc, [-32675, -27652, -3266, -3, 0, 3, 3266, 27652, 32675]),
            (0x39000000, (24576, 14), 0x38a86de18211e974, [-32746, -29700, -3980, -3, 0, 5, 3980, 29701, 32746]),
            (0x3c23d70a, (31457, 8), 0x82f84f701c50f54, [-32767, -32767, -32767, -328, 0, 328, 32767, 32767, 32767]),
            (0x40000000, (24576, 0), 0xbbd2536d17c67e21, [-32767, -32767, -32767, -31589, 0, 31589, 32767, 32767, 32767]),
            (0x40400000, (36864, 0), 0xe3993e55dbdf9a1, [-32767, -32767, -32767, -32606, 0, 32606, 32767, 32767, 32767]),
            (0x0da24260, (0, 31), 0x89f5cc8acac62325, [0, -32767, 0, -32767, 0, -32767, 0, -32767, -32767]),
            (0x39801062, (0, 0), 0x15d109ac75954965, [-32767, -32611, -7845, -8, 0, 8, 7845, 32611, 32767]),
            (0x3980240b, (24603, 13), 0x8117467eb50e3534, [-32767, -32612, -7852, -8, 0, 8, 7852, 32612, 32767]),
        ];
        let x = all_i16();
        let mut y = vec![0i16; x.len()];
        for (bits, mult_shift, hash, picks) in cases {
            let p = tanh_prepare_int16(f32::from_bits(bits)).unwrap();
            assert_eq!(
                (p.input_multiplier, p.input_left_shift),
                mult_shift,
                "{bits:#x}"
            );
            tanh_int16(&p, &x, &mut y).unwrap();
            assert_eq!(
                PICKS.map(|v| y[(v as i32 + 32768) as usize]),
                picks,
                "{bits:#x}"
            );
            assert_eq!(fnv1a_i16(&y), hash, "{bits:#x}");
        }
        assert_eq!(
            tanh_int16(&TanhParamsInt16::default(), &[0, 1], &mut y[..1]),
            Err(KernelError::ShapeMismatch)
        );
        assert_eq!(tanh_prepare_int16(-1.0), Err(KernelError::BadParams));
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

        /// Monotone, within [-32767, 32767], 0 at 0, and within a few steps of the real tanh.
        #[test]
        fn int16_properties(scale in prop_oneof![1e-5f32..0.01, 0.01f32..2.0]) {
            let p = tanh_prepare_int16(scale).unwrap();
            let x = all_i16();
            let mut y = vec![0i16; x.len()];
            tanh_int16(&p, &x, &mut y).unwrap();
            prop_assert!(y.windows(2).all(|w| w[0] <= w[1]));
            prop_assert!(y.iter().all(|&v| (-32767..=32767).contains(&v)));
            prop_assert_eq!(y[32768], 0);
            for (i, &v) in x.iter().enumerate().step_by(97) {
                let want = 32768.0 * libm::tanh(scale as f64 * v as f64);
                prop_assert!((y[i] as f64 - want).abs() <= 16.0, "x={} got={} want={}", v, y[i], want);
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
