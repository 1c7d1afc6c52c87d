//! EQUAL, NOT_EQUAL, GREATER, GREATER_EQUAL, LESS and LESS_EQUAL with broadcasting over 4-D
//! shapes, writing bools as bytes 0 and 1 (TFLM's `comparisons.h`).
//!
//! Plain types compare raw values (a float NaN compares unequal to everything, as in C++).
//! Int8 inputs are first brought onto one scale as TFLM's `ComparisonWithScaling` does: the
//! offset value shifted left by 8, then `MultiplyByQuantizedMultiplierSmallerThanOneExp` by its
//! own scale; the two rescaled integers are compared. Bool inputs compare as truth values
//! (any non-zero byte is true).

use crate::broadcast::binary;
use crate::quant::{
    multiply_by_quantized_multiplier_smaller_than_one_exp, quantize_multiplier_f32,
};
use crate::KernelError;

/// TFLM's `kLeftShift` for int8 comparisons.
const LEFT_SHIFT: i32 = 8;

/// Which comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ComparisonOp {
    /// `a == b`.
    Equal,
    /// `a != b`.
    NotEqual,
    /// `a > b`.
    Greater,
    /// `a >= b`.
    GreaterEqual,
    /// `a < b`.
    Less,
    /// `a <= b`.
    LessEqual,
}

/// The int8 rescaling of both inputs, fixed at prepare (TFLM's `ComparisonParams`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ComparisonParamsInt8 {
    /// Left shift applied to each offset input (8).
    pub left_shift: i32,
    /// Minus the first input's zero point.
    pub input1_offset: i32,
    /// The first input's scale as a multiplier.
    pub input1_multiplier: i32,
    /// Its exponent (`<= 0`).
    pub input1_shift: i32,
    /// Minus the second input's zero point.
    pub input2_offset: i32,
    /// The second input's scale as a multiplier.
    pub input2_multiplier: i32,
    /// Its exponent (`<= 0`).
    pub input2_shift: i32,
}

/// TFLM's int8 comparison set-up: each input's scale through
/// `QuantizeMultiplierSmallerThanOneExp` (TFLM aborts unless `0 < scale < 1`; callers check).
pub fn comparison_prepare_int8(
    input1_scale: f32,
    input1_zero_point: i32,
    input2_scale: f32,
    input2_zero_point: i32,
) -> ComparisonParamsInt8 {
    let (m1, s1) = quantize_multiplier_f32(input1_scale);
    let (m2, s2) = quantize_multiplier_f32(input2_scale);
    ComparisonParamsInt8 {
        left_shift: LEFT_SHIFT,
        input1_offset: input1_zero_point.wrapping_neg(),
        input1_multiplier: m1,
        input1_shift: s1,
        input2_offset: input2_zero_point.wrapping_neg(),
        input2_multiplier: m2,
        input2_shift: s2,
    }
}

/// Runs `op` through [`binary`] with the comparison picked once, outside the loop.
macro_rules! dispatch {
    ($op:expr, $s1:expr, $a:expr, $s2:expr, $b:expr, $so:expr, $out:expr, |$x:ident, $y:ident| ($l:expr, $r:expr)) => {
        match $op {
            ComparisonOp::Equal => {
                binary($s1, $a, $s2, $b, $so, $out, |$x, $y| u8::from(($l) == ($r)))
            }
            ComparisonOp::NotEqual => {
                binary($s1, $a, $s2, $b, $so, $out, |$x, $y| u8::from(($l) != ($r)))
            }
            ComparisonOp::Greater => {
                binary($s1, $a, $s2, $b, $so, $out, |$x, $y| u8::from(($l) > ($r)))
            }
            ComparisonOp::GreaterEqual => {
                binary($s1, $a, $s2, $b, $so, $out, |$x, $y| u8::from(($l) >= ($r)))
            }
            ComparisonOp::Less => {
                binary($s1, $a, $s2, $b, $so, $out, |$x, $y| u8::from(($l) < ($r)))
            }
            ComparisonOp::LessEqual => {
                binary($s1, $a, $s2, $b, $so, $out, |$x, $y| u8::from(($l) <= ($r)))
            }
        }
    };
}

/// Compares raw values (TFLM's `*NoScaling`: float32, int32, int64).
///
/// # Errors
/// [`KernelError::ShapeMismatch`] when the shapes do not broadcast or disagree with the slices.
pub fn compare<T: Copy + PartialOrd>(
    op: ComparisonOp,
    in1_shape: [usize; 4],
    in1: &[T],
    in2_shape: [usize; 4],
    in2: &[T],
    out_shape: [usize; 4],
    output: &mut [u8],
) -> Result<(), KernelError> {
    dispatch!(
        op,
        in1_shape,
        in1,
        in2_shape,
        in2,
        out_shape,
        output,
        |x, y| (x, y)
    )
}

/// Compares bools held as bytes, as truth values (`x != 0`).
///
/// # Errors
/// As [`compare`].
pub fn compare_bool(
    op: ComparisonOp,
    in1_shape: [usize; 4],
    in1: &[u8],
    in2_shape: [usize; 4],
    in2: &[u8],
    out_shape: [usize; 4],
    output: &mut [u8],
) -> Result<(), KernelError> {
    dispatch!(
        op,
        in1_shape,
        in1,
        in2_shape,
        in2,
        out_shape,
        output,
        |x, y| (x != 0, y != 0)
    )
}

/// One int8 value on the comparison scale.
#[inline]
fn rescale(q: i8, offset: i32, left_shift: i32, multiplier: i32, shift: i32) -> i32 {
    let shifted = i32::from(q)
        .wrapping_add(offset)
        .wrapping_mul(1i32.wrapping_shl(left_shift as u32));
    multiply_by_quantized_multiplier_smaller_than_one_exp(shifted, multiplier, shift)
}

/// Compares int8 values after rescaling both onto one scale (TFLM's `*WithScaling`).
///
/// # Errors
/// As [`compare`].
#[allow(clippy::too_many_arguments)]
pub fn compare_int8(
    op: ComparisonOp,
    p: &ComparisonParamsInt8,
    in1_shape: [usize; 4],
    in1: &[i8],
    in2_shape: [usize; 4],
    in2: &[i8],
    out_shape: [usize; 4],
    output: &mut [u8],
) -> Result<(), KernelError> {
    let a = |q: i8| {
        rescale(
            q,
            p.input1_offset,
            p.left_shift,
            p.input1_multiplier,
            p.input1_shift,
        )
    };
    let b = |q: i8| {
        rescale(
            q,
            p.input2_offset,
            p.left_shift,
            p.input2_multiplier,
            p.input2_shift,
        )
    };
    dispatch!(
        op,
        in1_shape,
        in1,
        in2_shape,
        in2,
        out_shape,
        output,
        |x, y| (a(x), b(y))
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::broadcast::testing::{coords, index, shapes};
    use crate::testutil::*;
    use proptest::prelude::*;

    const OPS: [ComparisonOp; 6] = [
        ComparisonOp::Equal,
        ComparisonOp::NotEqual,
        ComparisonOp::Greater,
        ComparisonOp::GreaterEqual,
        ComparisonOp::Less,
        ComparisonOp::LessEqual,
    ];

    fn naive<T: PartialOrd>(op: ComparisonOp, a: T, b: T) -> u8 {
        u8::from(match op {
            ComparisonOp::Equal => a == b,
            ComparisonOp::NotEqual => a != b,
            ComparisonOp::Greater => a > b,
            ComparisonOp::GreaterEqual => a >= b,
            ComparisonOp::Less => a < b,
            ComparisonOp::LessEqual => a <= b,
        })
    }

    #[test]
    fn nan_bool_and_errors() {
        let mut out = [9u8; 2];
        compare(
            ComparisonOp::Equal,
            [1, 1, 1, 2],
            &[f32::NAN, 1.0],
            [1; 4],
            &[1.0],
            [1, 1, 1, 2],
            &mut out,
        )
        .unwrap();
        assert_eq!(out, [0, 1]);
        compare(
            ComparisonOp::NotEqual,
            [1, 1, 1, 2],
            &[f32::NAN, 1.0],
            [1; 4],
            &[1.0],
            [1, 1, 1, 2],
            &mut out,
        )
        .unwrap();
        assert_eq!(out, [1, 0]);
        compare_bool(
            ComparisonOp::Equal,
            [1, 1, 1, 2],
            &[2, 0],
            [1, 1, 1, 2],
            &[1, 0],
            [1, 1, 1, 2],
            &mut out,
        )
        .unwrap();
        assert_eq!(out, [1, 1]);
        let r = compare(
            ComparisonOp::Less,
            [1, 1, 1, 2],
            &[0i32; 2],
            [1, 1, 1, 3],
            &[0i32; 3],
            [1, 1, 1, 2],
            &mut out,
        );
        assert_eq!(r, Err(KernelError::ShapeMismatch));
    }

    #[test]
    fn int8_rescales_both_sides() {
        // 0.01 * (1 - 0) = 0.01 against 0.02 * (0 - 3) = -0.06, and so on.
        let p = comparison_prepare_int8(0.01, 0, 0.02, 3);
        let a = [1i8, 5, -3, 100, -100, 0, 7, 3];
        let b = [0i8, 6, -4, 100, 50, 0, -7, 3];
        let mut out = [0u8; 8];
        compare_int8(
            ComparisonOp::Greater,
            &p,
            [1, 1, 1, 8],
            &a,
            [1, 1, 1, 8],
            &b,
            [1, 1, 1, 8],
            &mut out,
        )
        .unwrap();
        assert_eq!(out, [1, 0, 1, 0, 0, 1, 1, 1]);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        #[test]
        fn raw_matches_naive(
            ((a, b, out), x, y) in shapes().prop_flat_map(|(a, b, o)| (
                Just((a, b, o)), i8_vec(a.iter().product()), i8_vec(b.iter().product()),
            )),
            k in 0usize..6,
        ) {
            let op = OPS[k];
            let x: Vec<i32> = x.iter().map(|&v| i32::from(v) / 16).collect();
            let y: Vec<i32> = y.iter().map(|&v| i32::from(v) / 16).collect();
            let mut got = vec![0u8; out.iter().product()];
            compare(op, a, &x, b, &y, out, &mut got).unwrap();
            for (n, idx) in coords(out).into_iter().enumerate() {
                prop_assert_eq!(got[n], naive(op, x[index(a, idx)], y[index(b, idx)]));
            }
        }

        #[test]
        fn int8_same_quantization_is_raw(
            x in i8_vec(24), y in i8_vec(24), k in 0usize..6,
            scale in 0.01f32..0.9, zp in -128i32..=127,
        ) {
            // With one scale of at least 0.01 each step is 2.56 or more rescaled: order kept.
            let op = OPS[k];
            let p = comparison_prepare_int8(scale, zp, scale, zp);
            let s = [1, 1, 1, 24];
            let mut got = vec![0u8; 24];
            compare_int8(op, &p, s, &x, s, &y, s, &mut got).unwrap();
            for i in 0..24 {
                prop_assert_eq!(got[i], naive(op, x[i], y[i]));
            }
        }
    }
}
