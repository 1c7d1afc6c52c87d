//! SUB with broadcasting over 4-D shapes (callers left-pad lower ranks with 1s).
//!
//! The int8 path is TFLM's `reference_ops::Sub` / `BroadcastQuantSubSlow`: like ADD, both
//! inputs are rescaled to a common scale with 20 bits of headroom, subtracted and rescaled to
//! the output. The int16 path is `reference_ops::Sub(int16)` / `BroadcastQuantSubSlow`: the
//! same arithmetic with 15 bits of headroom. Both set-ups (`CalculateOpDataSub`) are ADD's:
//! every scale widened to `f64` first, as the TFLM runtime that makes the goldens does (its
//! 90b983c source computed `twice_max` and the three ratios in `f32`, which mismatches it on
//! some scales). The float path is `reference_ops::SubWithActivation` / `BroadcastSubSlow`:
//! `x - y` clamped.

use crate::add::{add_sub_prepare, AddParamsInt8};
use crate::broadcast::binary;
use crate::quant::QuantizedInt;
use crate::util::clamp_f32;
use crate::KernelError;

/// Precomputed int8 SUB parameters, as TFLM's `OpDataSub`: the fields of ADD's.
pub type SubParamsInt8 = AddParamsInt8;

/// Precomputed int16 SUB parameters: the fields of ADD's.
pub type SubParamsInt16 = AddParamsInt8;

/// TFLM's int8 SUB set-up (`CalculateOpDataSub`); `act_min`/`act_max` from
/// [`crate::quant::activation_range_i8`].
///
/// The scale arithmetic is ADD's ([`crate::add::add_prepare_int8`]): `twice_max = 2 *
/// max(s1, s2)` and the three ratios in double precision from the widened scales (here on
/// integers), through `QuantizeMultiplierSmallerThanOneExp`.
#[allow(clippy::too_many_arguments)]
pub fn sub_prepare_int8(
    in1_scale: f32,
    in1_zp: i32,
    in2_scale: f32,
    in2_zp: i32,
    out_scale: f32,
    out_zp: i32,
    act_min: i32,
    act_max: i32,
) -> SubParamsInt8 {
    add_sub_prepare(
        20, in1_scale, in1_zp, in2_scale, in2_zp, out_scale, out_zp, act_min, act_max,
    )
}

/// TFLM's int16 SUB set-up (`CalculateOpDataSub` for an int16 output): headroom shift 15,
/// `twice = 2 * max(s1, s2)`, multipliers `s1 / twice`, `s2 / twice`, `twice / (32768 * so)`,
/// every scale widened to `f64` first (the TFLM runtime that makes the goldens does; its
/// 90b983c source divided in `f32`, which mismatches it on some scales). Computed on integers
/// ([`crate::double::Double`]), exactly as [`crate::add::add_prepare_int16`]. `act_min`/`act_max`
/// from [`crate::quant::activation_range_i16`]; zero points are honoured.
///
/// TFLM aborts when a multiplier falls outside (0, 1); this does not check.
#[allow(clippy::too_many_arguments)]
pub fn sub_prepare_int16(
    in1_scale: f32,
    in1_zp: i32,
    in2_scale: f32,
    in2_zp: i32,
    out_scale: f32,
    out_zp: i32,
    act_min: i32,
    act_max: i32,
) -> SubParamsInt16 {
    add_sub_prepare(
        15, in1_scale, in1_zp, in2_scale, in2_zp, out_scale, out_zp, act_min, act_max,
    )
}

/// One int8 or int16 difference, as TFLM's `SubElementwise`.
#[inline]
fn sub_one<T: QuantizedInt>(p: &SubParamsInt8, x: T, y: T) -> T {
    let (a, b) = p.inputs(x, y);
    p.output(a.wrapping_sub(b))
}

/// Int8 SUB with broadcasting; parameters from [`sub_prepare_int8`].
pub fn sub_int8(
    p: &SubParamsInt8,
    in1_shape: [usize; 4],
    in1: &[i8],
    in2_shape: [usize; 4],
    in2: &[i8],
    out_shape: [usize; 4],
    output: &mut [i8],
) -> Result<(), KernelError> {
    binary(in1_shape, in1, in2_shape, in2, out_shape, output, |x, y| {
        sub_one(p, x, y)
    })
}

/// Int16 SUB with broadcasting; parameters from [`sub_prepare_int16`]. Per element as
/// [`crate::add::add_int16`], with the rescaled second input subtracted.
///
/// # Errors
/// `ShapeMismatch` when a slice's length differs from its shape's element count, or the
/// shapes do not broadcast onto `out_shape`.
pub fn sub_int16(
    p: &SubParamsInt16,
    in1_shape: [usize; 4],
    in1: &[i16],
    in2_shape: [usize; 4],
    in2: &[i16],
    out_shape: [usize; 4],
    output: &mut [i16],
) -> Result<(), KernelError> {
    binary(in1_shape, in1, in2_shape, in2, out_shape, output, |x, y| {
        sub_one(p, x, y)
    })
}

/// Float SUB with broadcasting: `x - y` clamped to `[act_min, act_max]`.
#[allow(clippy::too_many_arguments)]
pub fn sub_f32(
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
        clamp_f32(x - y, act_min, act_max)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::broadcast::testing::{coords, index, shapes};
    use crate::quant::quantize_multiplier_smaller_than_one_exp;
    use crate::testutil::*;
    use proptest::prelude::*;

    #[test]
    fn prepare_values() {
        let p = sub_prepare_int8(0.5, 1, 0.25, -2, 1.0, 3, -128, 127);
        assert_eq!((p.input1_multiplier, p.input1_shift), (1 << 30, 0));
        assert_eq!((p.input2_multiplier, p.input2_shift), (1 << 30, -1));
        assert_eq!((p.output_multiplier, p.output_shift), (1 << 30, -19));
        // 0.5*(30-1) - 0.25*(20+2) = 14.5 - 5.5 = 9 -> +3 = 12.
        let mut out = [0i8; 1];
        sub_int8(&p, [1; 4], &[30], [1; 4], &[20], [1; 4], &mut out).unwrap();
        assert_eq!(out, [12]);
    }

    #[test]
    fn prepare_is_f64() {
        // Scales whose f32 and f64 ratios differ in the last place of the multiplier: the f64
        // form is taken.
        let (s1, s2, so) = (0.011_764_706f32, 0.023_529_412f32, 0.031_030_292f32);
        let p = sub_prepare_int8(s1, 0, s2, 0, so, 0, -128, 127);
        let tm = 2.0 * f64::from(s2);
        let want = quantize_multiplier_smaller_than_one_exp(f64::from(s1) / tm);
        assert_eq!((p.input1_multiplier, p.input1_shift), want);
        let want = quantize_multiplier_smaller_than_one_exp(tm / (1048576.0 * f64::from(so)));
        assert_eq!((p.output_multiplier, p.output_shift), want);
        let tm32 = 2.0f32 * s2;
        let f32_form =
            quantize_multiplier_smaller_than_one_exp(f64::from(tm32 / (1048576.0f32 * so)));
        assert_ne!((p.output_multiplier, p.output_shift), f32_form);
    }

    #[test]
    fn prepare_int16_values() {
        // The int16 note's example, and the same f64 set-up as ADD's.
        let p = sub_prepare_int16(
            2.270779e-4,
            0,
            1.319876e-4,
            0,
            2.709377e-4,
            0,
            -32768,
            32767,
        );
        assert_eq!((p.input1_multiplier, p.input1_shift), (1073741824, 0));
        // The note prints the scales to 7 digits: the multipliers agree to about 1e-7.
        assert_eq!(p.input2_shift, -1);
        assert!((p.input2_multiplier - 1248211337).abs() < 200);
        assert_eq!(p.output_shift, -14);
        assert!((p.output_multiplier - 1799845553).abs() < 300);
        assert_eq!(p.left_shift, 15);
        // Scales where the f32 form differs: the f64 one is taken.
        let (s1, s2, so) = (0.011_764_706f32, 0.023_529_412f32, 0.031_030_292f32);
        let p = sub_prepare_int16(s1, 0, s2, 0, so, 0, -32768, 32767);
        let twice = 2.0 * f64::from(s2);
        let want = quantize_multiplier_smaller_than_one_exp(f64::from(s1) / twice);
        assert_eq!((p.input1_multiplier, p.input1_shift), want);
        let want = quantize_multiplier_smaller_than_one_exp(twice / (32768.0 * f64::from(so)));
        assert_eq!((p.output_multiplier, p.output_shift), want);
        // Equal scales 2^-10, output 2^-10, zero points (100, -250, 37), fused RELU at 37:
        // (1000 - 100) - (-2000 + 250) = 2650 -> 2687; (0 - 100) - (0 + 250) -> clamped.
        let s = 1.0 / 1024.0;
        let p = sub_prepare_int16(s, 100, s, -250, s, 37, 37, 32767);
        let mut out = [0i16; 2];
        sub_int16(
            &p,
            [1, 1, 1, 2],
            &[1000, 0],
            [1, 1, 1, 2],
            &[-2000, 0],
            [1, 1, 1, 2],
            &mut out,
        )
        .unwrap();
        assert_eq!(out, [2687, 37]);
        assert_eq!(
            sub_int16(
                &p,
                [1, 1, 1, 2],
                &[0; 2],
                [1, 1, 1, 3],
                &[0; 3],
                [1, 1, 1, 2],
                &mut out
            ),
            Err(KernelError::ShapeMismatch)
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn int16_prepare_matches_f64(
            s1 in prop_oneof![1e-6f32..10.0, (1u32..0x7F80_0000).prop_map(f32::from_bits)],
            s2 in prop_oneof![1e-6f32..10.0, (1u32..0x7F80_0000).prop_map(f32::from_bits)],
            so in prop_oneof![1e-6f32..10.0, (1u32..0x7F80_0000).prop_map(f32::from_bits)],
        ) {
            let p = sub_prepare_int16(s1, 0, s2, 0, so, 0, -32768, 32767);
            prop_assert_eq!(
                [
                    (p.input1_multiplier, p.input1_shift),
                    (p.input2_multiplier, p.input2_shift),
                    (p.output_multiplier, p.output_shift),
                ],
                crate::add::tests::multipliers_f64_shift(s1, s2, so, 15)
            );
        }

        #[test]
        fn int16_matches_naive(
            ((a, b, out), x, y, s1, s2, so, z1, z2, zo, (lo, hi)) in shapes().prop_flat_map(|(a, b, o)| (
                Just((a, b, o)),
                i16_vec(a.iter().product()), i16_vec(b.iter().product()),
                1e-5f32..1e-3, 1e-5f32..1e-3, 1e-5f32..2e-3,
                prop_oneof![Just(0i32), -300i32..300],
                prop_oneof![Just(0i32), -300i32..300],
                prop_oneof![Just(0i32), -300i32..300],
                act_range_i16(),
            ))
        ) {
            let p = sub_prepare_int16(s1, z1, s2, z2, so, zo, lo, hi);
            let mut got = vec![0i16; out.iter().product()];
            sub_int16(&p, a, &x, b, &y, out, &mut got).unwrap();
            for (k, idx) in coords(out).into_iter().enumerate() {
                let xv = x[index(a, idx)] as i32;
                let yv = y[index(b, idx)] as i32;
                let sx = naive_rdbp(naive_srdhm((xv - z1) << 15, p.input1_multiplier), -p.input1_shift);
                let sy = naive_rdbp(naive_srdhm((yv - z2) << 15, p.input2_multiplier), -p.input2_shift);
                let raw = naive_rdbp(naive_srdhm(sx - sy, p.output_multiplier), -p.output_shift) as i64 + zo as i64;
                prop_assert_eq!(got[k], naive_out_i16(raw, lo, hi));
                let real = (s1 as f64 * (xv - z1) as f64 - s2 as f64 * (yv - z2) as f64) / so as f64 + zo as f64;
                let want = real.round().clamp(lo as f64, hi as f64);
                prop_assert!((got[k] as f64 - want).abs() <= 1.0);
            }
        }

        #[test]
        fn int8_matches_naive(
            ((a, b, out), x, y, s1, s2, so, z1, z2, zo, (lo, hi)) in shapes().prop_flat_map(|(a, b, o)| (
                Just((a, b, o)),
                i8_vec(a.iter().product()), i8_vec(b.iter().product()),
                0.001f32..1.0, 0.001f32..1.0, 0.001f32..2.0,
                -128i32..=127, -128i32..=127, -128i32..=127, act_range(),
            ))
        ) {
            let p = sub_prepare_int8(s1, z1, s2, z2, so, zo, lo, hi);
            let mut got = vec![0i8; out.iter().product()];
            sub_int8(&p, a, &x, b, &y, out, &mut got).unwrap();
            for (k, idx) in coords(out).into_iter().enumerate() {
                let xv = x[index(a, idx)] as i32;
                let yv = y[index(b, idx)] as i32;
                let sx = naive_rdbp(naive_srdhm((xv - z1) << 20, p.input1_multiplier), -p.input1_shift);
                let sy = naive_rdbp(naive_srdhm((yv - z2) << 20, p.input2_multiplier), -p.input2_shift);
                let raw = naive_rdbp(naive_srdhm(sx - sy, p.output_multiplier), -p.output_shift) as i64 + zo as i64;
                prop_assert_eq!(got[k], naive_out_i8(raw, lo, hi));
                let real = (s1 as f64 * (xv - z1) as f64 - s2 as f64 * (yv - z2) as f64) / so as f64 + zo as f64;
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
            sub_f32(0.0, 6.0, a, &x, b, &y, out, &mut got).unwrap();
            for (k, idx) in coords(out).into_iter().enumerate() {
                prop_assert_eq!(got[k], (x[index(a, idx)] - y[index(b, idx)]).max(0.0).min(6.0));
            }
        }
    }
}
