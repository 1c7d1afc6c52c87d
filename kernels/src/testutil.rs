//! Naive, obviously-correct formulations used as oracles by the tests (wide integers,
//! explicit rounding rules) and shared proptest strategies.

#![allow(dead_code)]

use proptest::prelude::*;

/// `a * b / 2^31` rounded half toward +infinity, saturated: the definition of SRDHM.
pub fn naive_srdhm(a: i32, b: i32) -> i32 {
    let p = a as i128 * b as i128;
    let q = (p + (1i128 << 30)).div_euclid(1i128 << 31);
    q.clamp(i32::MIN as i128, i32::MAX as i128) as i32
}

/// `x / 2^e` rounded half away from zero.
pub fn naive_rdbp(x: i32, e: i32) -> i32 {
    if e <= 0 {
        return x;
    }
    let a = (x as i128).abs();
    let r = (a + (1i128 << (e - 1))) >> e;
    (if x < 0 { -r } else { r }) as i32
}

/// Double-rounding multiply: wrap `x * 2^left` to 32 bits, SRDHM, then round right.
pub fn naive_mbqm(x: i32, m: i32, shift: i32) -> i32 {
    let left = shift.max(0);
    let right = (-shift).max(0);
    let shifted = if left >= 32 {
        0
    } else {
        ((x as i64) << left) as i32
    };
    naive_rdbp(naive_srdhm(shifted, m), right)
}

/// Clamp to the activation range, then to int8.
pub fn naive_out_i8(v: i64, act_min: i32, act_max: i32) -> i8 {
    v.max(act_min as i64).min(act_max as i64).clamp(-128, 127) as i8
}

/// Clamp to the activation range, then to int16.
pub fn naive_out_i16(v: i64, act_min: i32, act_max: i32) -> i16 {
    v.max(act_min as i64)
        .min(act_max as i64)
        .clamp(-32768, 32767) as i16
}

/// An int16 activation range: mostly the full range, sometimes narrower.
pub fn act_range_i16() -> impl Strategy<Value = (i32, i32)> {
    prop_oneof![Just((-32768, 32767)), (-32768i32..0, 0i32..32767)]
}

/// Float comparison used for float kernels: 1e-5 absolute plus 1e-4 relative.
pub fn close(got: f32, want: f32) -> bool {
    (got - want).abs() <= 1e-5 + 1e-4 * want.abs() || (got.is_nan() && want.is_nan())
}

/// A realistic output multiplier and shift: the quantization of a scale in [1e-4, 1.5].
pub fn multiplier() -> impl Strategy<Value = (i32, i32)> {
    (1e-4f64..1.5).prop_map(crate::quant::quantize_multiplier)
}

/// A vector of `n` int8 values.
pub fn i8_vec(n: usize) -> impl Strategy<Value = Vec<i8>> {
    proptest::collection::vec(any::<i8>(), n)
}

/// A vector of `n` int16 values: full range, or small ones (near zero points and clamps).
pub fn i16_vec(n: usize) -> impl Strategy<Value = Vec<i16>> {
    proptest::collection::vec(prop_oneof![any::<i16>(), -300i16..300], n)
}

/// A vector of `n` floats in [-2, 2].
pub fn f32_vec(n: usize) -> impl Strategy<Value = Vec<f32>> {
    proptest::collection::vec(-2.0f32..2.0, n)
}

/// An activation range: mostly the full int8 range, sometimes narrower.
pub fn act_range() -> impl Strategy<Value = (i32, i32)> {
    prop_oneof![Just((-128, 127)), (-128i32..0, 0i32..127)]
}

/// FNV-1a (64-bit) over the little-endian bytes of `vals`: a fingerprint of a whole output
/// sweep, compared with the same hash computed by an external reference.
pub fn fnv1a_i16(vals: &[i16]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for v in vals {
        for b in v.to_le_bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// Every int16 value, in order.
pub fn all_i16() -> Vec<i16> {
    (i16::MIN..=i16::MAX).collect()
}
