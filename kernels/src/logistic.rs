//! LOGISTIC (sigmoid), elementwise.
//!
//! The int8 kernel is TFLM's `reference_integer_ops::Logistic`: no lookup table but gemmlowp
//! fixed point. The offset input is rescaled into Q4.27 by a multiplier taken straight from
//! `frexp` (not `QuantizeMultiplier`), inputs beyond the "input radius" saturate, the rest go
//! through gemmlowp's `logistic` (Q0.31 result), which is rounded to 1/256 steps and offset by
//! the fixed output zero point -128. The float kernel is `reference_ops::Logistic`, with its
//! cut-offs at 16.619047 and -9.
//!
//! The int16 kernel is TFLM's second `reference_integer_ops::Logistic`: no LUT is built; the
//! input is rescaled to steps of 1/(3·4096) and looked up, with 9 bits of linear
//! interpolation, in the fixed 256-entry table [`SIGMOID_TABLE_UINT16`] (sigmoid(i/24) in
//! unsigned Q0.16). Its output has scale 1/32768 and zero point 0.

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

/// TFLM's `sigmoid_table_uint16` (`kernels/internal/common.h`): sigmoid(i/24) for i in
/// 0..256, unsigned Q0.16 (65535 stands for 1). The values are TFLM's data, not a formula:
/// rounding 65536·σ(i/24) differs in 44 entries. LOGISTIC and TANH int16 interpolate in it.
#[rustfmt::skip]
pub static SIGMOID_TABLE_UINT16: [u16; 256] = [
    32768, 33451, 34133, 34813, 35493, 36169, 36843, 37513, 38180, 38841, 39498, 40149,
    40794, 41432, 42064, 42688, 43304, 43912, 44511, 45102, 45683, 46255, 46817, 47369,
    47911, 48443, 48964, 49475, 49975, 50464, 50942, 51409, 51865, 52311, 52745, 53169,
    53581, 53983, 54374, 54755, 55125, 55485, 55834, 56174, 56503, 56823, 57133, 57433,
    57724, 58007, 58280, 58544, 58800, 59048, 59288, 59519, 59743, 59959, 60168, 60370,
    60565, 60753, 60935, 61110, 61279, 61441, 61599, 61750, 61896, 62036, 62172, 62302,
    62428, 62549, 62666, 62778, 62886, 62990, 63090, 63186, 63279, 63368, 63454, 63536,
    63615, 63691, 63765, 63835, 63903, 63968, 64030, 64090, 64148, 64204, 64257, 64308,
    64357, 64405, 64450, 64494, 64536, 64576, 64614, 64652, 64687, 64721, 64754, 64786,
    64816, 64845, 64873, 64900, 64926, 64950, 64974, 64997, 65019, 65039, 65060, 65079,
    65097, 65115, 65132, 65149, 65164, 65179, 65194, 65208, 65221, 65234, 65246, 65258,
    65269, 65280, 65291, 65301, 65310, 65319, 65328, 65337, 65345, 65352, 65360, 65367,
    65374, 65381, 65387, 65393, 65399, 65404, 65410, 65415, 65420, 65425, 65429, 65433,
    65438, 65442, 65445, 65449, 65453, 65456, 65459, 65462, 65465, 65468, 65471, 65474,
    65476, 65479, 65481, 65483, 65485, 65488, 65489, 65491, 65493, 65495, 65497, 65498,
    65500, 65501, 65503, 65504, 65505, 65507, 65508, 65509, 65510, 65511, 65512, 65513,
    65514, 65515, 65516, 65517, 65517, 65518, 65519, 65520, 65520, 65521, 65522, 65522,
    65523, 65523, 65524, 65524, 65525, 65525, 65526, 65526, 65526, 65527, 65527, 65528,
    65528, 65528, 65529, 65529, 65529, 65529, 65530, 65530, 65530, 65530, 65531, 65531,
    65531, 65531, 65531, 65532, 65532, 65532, 65532, 65532, 65532, 65533, 65533, 65533,
    65533, 65533, 65533, 65533, 65533, 65534, 65534, 65534, 65534, 65534, 65534, 65534,
    65534, 65534, 65534, 65535,
];

/// Precomputed int16 parameters of LOGISTIC (and TANH, which uses the same struct): TFLM's
/// `input_multiplier` and `input_left_shift`.
///
/// A zero multiplier marks a power-of-two input scale: the kernel then multiplies by
/// `3 << input_left_shift` and does not shift.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LogisticParamsInt16 {
    /// Multiplier onto steps of 1/(3·4096) (in (16383.5, 32767] for ordinary scales), or 0.
    pub input_multiplier: i32,
    /// Rounding right shift after the multiplier (the power-of-two shift when it is 0).
    pub input_left_shift: i32,
}

impl LogisticParamsInt16 {
    /// The multiplier, shift and rounding term eval applies, as TFLM's kernels derive them.
    pub(crate) fn effective(&self) -> (i32, i32, i32) {
        let (mut m, mut s) = (self.input_multiplier, self.input_left_shift);
        if m == 0 {
            // Power-of-two case: 3 << shift (C's int shift; wraps for an absurd shift 31).
            m = 3i32.wrapping_shl(s.clamp(0, 31) as u32);
            s = 0;
        }
        let s = s.clamp(0, 31);
        let round = if s > 0 { 1i32 << (s - 1) } else { 0 };
        (m, s, round)
    }

    /// `(x * multiplier + round) >> shift` in int32 (wrapping as C's int arithmetic does).
    #[inline]
    pub(crate) fn rescale(x: i16, (m, s, round): (i32, i32, i32)) -> i32 {
        i32::from(x).wrapping_mul(m).wrapping_add(round) >> s
    }
}

/// TFLM's `CheckedLog2` (`quantization_util.cc`): `l = logf(x) * (1/logf(2))` in `f32`,
/// rounded half away from zero to `k`; `x` counts as a power of two when `|l - k| < 1e-3`
/// (about 0.07 %). Returns `(k, is_power_of_two)`, or `None` unless `x` is positive and
/// finite.
pub fn checked_log2(x: f32) -> Option<(i32, bool)> {
    if !(x.is_finite() && x > 0.0) {
        return None;
    }
    // 1.0f / logf(2.0f), folded by the C++ compiler: ln 2 correctly rounded to f32 is LN_2.
    let l = libm::logf(x) * (1.0 / core::f32::consts::LN_2);
    let r = libm::roundf(l);
    Some((r as i32, (l - r).abs() < 1e-3))
}

/// Whether `scale` passes TFLM's int16 LOGISTIC/TANH output check: `CheckedLog2` finds a
/// power of two with exponent -15 (1/32768, within the 1e-3 tolerance of the log).
pub fn is_int16_output_scale(scale: f32) -> bool {
    checked_log2(scale) == Some((-15, true))
}

/// The int16 set-up shared by LOGISTIC and TANH (`CalculateArithmeticOpDataLogistic` /
/// tanh's `CalculateArithmeticOpData`): a scale that `CheckedLog2` finds to be 2^(k) with
/// `12 + k` in `0..=max_pot_shift` gives the power-of-two marker; any other gives
/// `mult = input_scale·4096·3` in `f64`, doubled while `<= 32767/2` (at most 31 times), and
/// truncated.
pub(crate) fn prepare_int16(
    input_scale: f32,
    max_pot_shift: i32,
) -> Result<LogisticParamsInt16, KernelError> {
    let (k, pot) = checked_log2(input_scale).ok_or(KernelError::BadParams)?;
    let pot_shift = k.saturating_add(12);
    if pot && (0..=max_pot_shift).contains(&pot_shift) {
        return Ok(LogisticParamsInt16 {
            input_multiplier: 0,
            input_left_shift: pot_shift,
        });
    }
    // Exact in f64: a 24-bit mantissa times 3 and powers of two.
    let mut mult = f64::from(input_scale) * 4096.0 * 3.0;
    let mut shift = 0;
    while mult <= 32767.0 / 2.0 && shift <= 30 {
        shift += 1;
        mult *= 2.0;
    }
    // static_cast<int32_t>: truncation (saturating here where C++ is undefined, i.e. for
    // input scales above about 174762). A scale so tiny that this truncates to 0 turns into
    // the power-of-two marker, as in TFLM.
    Ok(LogisticParamsInt16 {
        input_multiplier: mult as i32,
        input_left_shift: shift,
    })
}

/// TFLM's int16 LOGISTIC set-up; the power-of-two path is taken only for an input scale of
/// 2^-12 (within `CheckedLog2`'s tolerance).
///
/// TFLM also requires zero points 0 and an output scale of 1/32768
/// ([`is_int16_output_scale`]); the op checks those.
///
/// # Errors
/// `BadParams` unless `input_scale` is positive and finite.
pub fn logistic_prepare_int16(input_scale: f32) -> Result<LogisticParamsInt16, KernelError> {
    prepare_int16(input_scale, 0)
}

/// Int16 LOGISTIC (TFLM's `reference_integer_ops::Logistic` for int16): output in [1, 32767],
/// scale 1/32768, zero point 0.
///
/// # Errors
/// `ShapeMismatch` when `input` and `output` differ in length.
pub fn logistic_int16(
    p: &LogisticParamsInt16,
    input: &[i16],
    output: &mut [i16],
) -> Result<(), KernelError> {
    if input.len() != output.len() {
        return Err(KernelError::ShapeMismatch);
    }
    let e = p.effective();
    for (o, &x) in output.iter_mut().zip(input) {
        *o = sigmoid_q15(x, e);
    }
    Ok(())
}

/// One int16 sigmoid (Q0.15) of `x` rescaled by `e` ([`LogisticParamsInt16::effective`]):
/// TFLM's table lookup with 9-bit interpolation. Also UNIDIRECTIONAL_SEQUENCE_LSTM's gates.
#[inline]
pub(crate) fn sigmoid_q15(x: i16, e: (i32, i32, i32)) -> i16 {
    let d = LogisticParamsInt16::rescale(x, e);
    let a = d.unsigned_abs();
    let uh = (a >> 9) as usize;
    // uh >= 255 (no pair of entries) saturates.
    let r: u32 = match SIGMOID_TABLE_UINT16.get(uh..uh + 2) {
        Some(&[ua, ub]) => {
            let (ua, ub) = (u32::from(ua), u32::from(ub));
            (ua << 9).wrapping_add((a & 0x1FF).wrapping_mul(ub.wrapping_sub(ua)))
        }
        _ => 0x7FFF << 10,
    };
    let r = if d >= 0 {
        r.wrapping_add(1 << 9)
    } else {
        (1u32 << 25).wrapping_sub(r).wrapping_add((1 << 9) - 1)
    };
    (r >> 10) as i16
}

/// Float LOGISTIC as TFLM's `reference_ops::Logistic`: 1 above 16.619047, `exp(x)` below -9,
/// `1 / (1 + exp(-x))` between.
pub fn logistic_f32(input: &[f32], output: &mut [f32]) -> Result<(), KernelError> {
    if input.len() != output.len() {
        return Err(KernelError::ShapeMismatch);
    }
    for (o, &x) in output.iter_mut().zip(input) {
        *o = sigmoid_f32(x);
    }
    Ok(())
}

/// One float sigmoid as TFLM's `reference_ops::Logistic`.
#[inline]
pub(crate) fn sigmoid_f32(x: f32) -> f32 {
    const CUTOFF_UPPER: f32 = 16.619_047;
    const CUTOFF_LOWER: f32 = -9.0;
    if x > CUTOFF_UPPER {
        1.0
    } else if x < CUTOFF_LOWER {
        libm::expf(x)
    } else {
        1.0 / (1.0 + libm::expf(-x))
    }
}

#[cfg(test)]
pub(crate) mod tests {
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

    #[test]
    fn sigmoid_table_checksum() {
        // The note's check values for TFLM's table.
        let t = &SIGMOID_TABLE_UINT16;
        assert_eq!((t[0], t[1], t[255]), (32768, 33451, 65535));
        assert_eq!(t.iter().map(|&v| u64::from(v)).sum::<u64>(), 15_670_629);
        assert!(t.windows(2).all(|w| w[0] <= w[1]));
    }

    #[test]
    fn checked_log2_values() {
        assert_eq!(libm::logf(2.0), core::f32::consts::LN_2);
        assert_eq!(checked_log2(1.0 / 32768.0), Some((-15, true)));
        assert_eq!(checked_log2(4096.0), Some((12, true)));
        // Within 1e-3 of the log: still a power of two.
        assert_eq!(checked_log2(f32::from_bits(0x3980_1062)), Some((-12, true)));
        assert_eq!(
            checked_log2(f32::from_bits(0x3980_240b)),
            Some((-12, false))
        );
        assert_eq!(checked_log2(0.75), Some((0, false)));
        assert_eq!(checked_log2(0.0), None);
        assert_eq!(checked_log2(-1.0), None);
        assert_eq!(checked_log2(f32::INFINITY), None);
        assert!(is_int16_output_scale(3.051_757_8e-5));
        assert!(!is_int16_output_scale(1.0 / 65536.0));
    }

    /// Whole-range sweeps against the validated emulator (`int16-check/sim16.py`): input scale
    /// bits, its `(multiplier, shift)`, the FNV-1a of the outputs for x = -32768..=32767, and the
    /// outputs at [`PICKS`].
    pub(crate) const PICKS: [i16; 9] = [-32768, -12345, -1000, -1, 0, 1, 1000, 12345, 32767];

    #[test]
    fn int16_matches_emulator() {
        #[rustfmt::skip]
        let cases: [(u32, (i32, i32), u64, [i16; 9]); 12] = [
            (0x394000c7, (18432, 13), 0x5df9fca4a1de9514, [81, 3095, 14888, 16383, 16384, 16385, 17880, 29673, 32687]),
            (0x38c000cf, (18432, 14), 0xa983465f1ec8aae, [1554, 7999, 15634, 16383, 16384, 16385, 17134, 24769, 31214]),
            (0x39800000, (0, 0), 0x9106cb5b158b3d55, [11, 1534, 14394, 16382, 16384, 16386, 18374, 31234, 32757]),
            (0x3a000000, (24576, 12), 0x49c70ed0ac391151, [1, 79, 12462, 16380, 16384, 16388, 20306, 32689, 32767]),
            (0x38d1b717, (20132, 14), 0x45b3dce86842c11a, [1192, 7386, 15565, 16383, 16384, 16385, 17203, 25382, 31576]),
            (0x39000000, (24576, 14), 0x623b6f3d597bed19, [589, 5944, 15385, 16383, 16384, 16385, 17383, 26824, 32178]),
            (0x3c23d70a, (31457, 8), 0x46e315b07372cdb, [1, 1, 1, 16302, 16384, 16466, 32767, 32767, 32767]),
            (0x40000000, (24576, 0), 0x96f1247d9e6e7d55, [1, 1, 1, 3906, 16384, 28862, 32767, 32767, 32767]),
            (0x40400000, (36864, 0), 0xa89f332be06d442b, [1, 1, 1, 1554, 16384, 31214, 32767, 32767, 32767]),
            (0x0da24260, (0, 31), 0x2de5f4b5a8c62325, [16384, 1, 16384, 1, 16384, 1, 16384, 1, 1]),
            (0x39801062, (0, 0), 0x9106cb5b158b3d55, [11, 1534, 14394, 16382, 16384, 16386, 18374, 31234, 32757]),
            (0x3980240b, (24603, 13), 0x162c898f31254e0, [11, 1529, 14392, 16382, 16384, 16386, 18376, 31239, 32757]),
        ];
        let x = all_i16();
        let mut y = vec![0i16; x.len()];
        for (bits, mult_shift, hash, picks) in cases {
            let p = logistic_prepare_int16(f32::from_bits(bits)).unwrap();
            assert_eq!(
                (p.input_multiplier, p.input_left_shift),
                mult_shift,
                "{bits:#x}"
            );
            logistic_int16(&p, &x, &mut y).unwrap();
            assert_eq!(
                PICKS.map(|v| y[(v as i32 + 32768) as usize]),
                picks,
                "{bits:#x}"
            );
            assert_eq!(fnv1a_i16(&y), hash, "{bits:#x}");
        }
    }

    #[test]
    fn int16_prepare_values() {
        // The note's examples.
        let mp = |s: f32| {
            let p = logistic_prepare_int16(s).unwrap();
            (p.input_multiplier, p.input_left_shift)
        };
        assert_eq!(mp(1e-4), (20132, 14));
        assert_eq!(mp(1.0 / 8192.0), (24576, 14));
        assert_eq!(mp(0.01), (31457, 8));
        assert_eq!(mp(2.0), (24576, 0));
        assert_eq!(mp(1.0 / 4096.0), (0, 0));
        assert_eq!(mp(1.0 / 2048.0), (24576, 12)); // TANH would take 2^-11 as a power of two
        assert_eq!(mp(1.4), (17203, 0));
        assert_eq!(logistic_prepare_int16(0.0), Err(KernelError::BadParams));
        assert_eq!(
            logistic_prepare_int16(f32::NAN),
            Err(KernelError::BadParams)
        );
        let mut out = [0i16; 2];
        assert_eq!(
            logistic_int16(&LogisticParamsInt16::default(), &[0], &mut out),
            Err(KernelError::ShapeMismatch)
        );
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

        /// Monotone, within [1, 32767], symmetric about 16384 (up to one step), and within a
        /// few steps of the real sigmoid.
        #[test]
        fn int16_properties(scale in prop_oneof![1e-5f32..0.01, 0.01f32..2.0]) {
            let p = logistic_prepare_int16(scale).unwrap();
            let x = all_i16();
            let mut y = vec![0i16; x.len()];
            logistic_int16(&p, &x, &mut y).unwrap();
            prop_assert!(y.windows(2).all(|w| w[0] <= w[1]));
            prop_assert!(y.iter().all(|&v| (1..=32767).contains(&v)));
            prop_assert_eq!(y[32768], 16384);
            for (i, &v) in x.iter().enumerate().step_by(97) {
                let want = 32768.0 / (1.0 + libm::exp(-(scale as f64) * v as f64));
                prop_assert!((y[i] as f64 - want).abs() <= 8.0, "x={} got={} want={}", v, y[i], want);
                if v > i16::MIN {
                    let mirror = y[(32768 - v as i32) as usize] as i32;
                    prop_assert!((y[i] as i32 + mirror - 32768).abs() <= 1);
                }
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
