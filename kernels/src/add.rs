//! ADD with broadcasting over 4-D shapes (callers left-pad lower ranks with 1s).
//!
//! A dimension broadcasts when it is 1 on one side; otherwise both inputs must match the
//! output. The int8 path is TFLM's `reference_integer_ops::AddFunc` (each input rescaled
//! to a common scale with 20 bits of headroom, summed, rescaled to the output). The int16
//! path is TFLM's `reference_ops::AddElementwise` on the general-scale path (TFLM never takes
//! the power-of-two one): the same arithmetic with 15 bits of headroom. The float path is
//! `reference_ops::Add` / `BroadcastAdd4DSlow`.

use crate::broadcast::binary;
use crate::double::Double;
use crate::gemm::Requant;
use crate::quant::{
    multiply_by_quantized_multiplier_smaller_than_one_exp, quantize_quotient, QuantizedInt,
};
use crate::util::{clamp_f32, clamp_i32};
use crate::KernelError;

/// Precomputed int8 or int16 ADD and SUB parameters, as TFLM's `OpDataAdd` / `OpDataSub` /
/// `ArithmeticParams` (the same fields for both ops and both types: [`add_prepare_int8`],
/// [`add_prepare_int16`], [`crate::sub::sub_prepare_int8`], [`crate::sub::sub_prepare_int16`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AddParamsInt8 {
    /// Headroom shift applied to both inputs (20 for int8, 15 for int16).
    pub left_shift: i32,
    /// Minus the first input's zero point.
    pub input1_offset: i32,
    /// Multiplier of the first input onto the common scale.
    pub input1_multiplier: i32,
    /// Exponent (<= 0) of `input1_multiplier`.
    pub input1_shift: i32,
    /// Minus the second input's zero point.
    pub input2_offset: i32,
    /// Multiplier of the second input onto the common scale.
    pub input2_multiplier: i32,
    /// Exponent (<= 0) of `input2_multiplier`.
    pub input2_shift: i32,
    /// The output zero point.
    pub output_offset: i32,
    /// Multiplier of the sum (or difference) onto the output scale.
    pub output_multiplier: i32,
    /// Exponent (<= 0) of `output_multiplier`.
    pub output_shift: i32,
    /// Lower clamp of the output.
    pub act_min: i32,
    /// Upper clamp of the output.
    pub act_max: i32,
}

/// Precomputed int16 ADD and SUB parameters: the fields of the int8 ones.
pub type AddParamsInt16 = AddParamsInt8;

impl AddParamsInt8 {
    /// `v << left_shift` as TFLM's headroom shift (none for `left_shift <= 0`, 0 from 32 on).
    #[inline(always)]
    fn shifted(&self, v: i32) -> i32 {
        if self.left_shift <= 0 {
            v
        } else if self.left_shift >= 32 {
            0
        } else {
            v.wrapping_shl(self.left_shift as u32)
        }
    }

    /// Both inputs on the common scale: offsets added, shifted, rescaled.
    #[inline(always)]
    pub(crate) fn inputs<T: QuantizedInt>(&self, x: T, y: T) -> (i32, i32) {
        let a = self.shifted(self.input1_offset.wrapping_add(x.widen()));
        let b = self.shifted(self.input2_offset.wrapping_add(y.widen()));
        let a = multiply_by_quantized_multiplier_smaller_than_one_exp(
            a,
            self.input1_multiplier,
            self.input1_shift,
        );
        let b = multiply_by_quantized_multiplier_smaller_than_one_exp(
            b,
            self.input2_multiplier,
            self.input2_shift,
        );
        (a, b)
    }

    /// A sum (or difference) on the common scale to the output: rescaled, offset, clamped
    /// (then cut to `T`, as C++'s cast: the activation range lies within `T`'s).
    #[inline(always)]
    pub(crate) fn output<T: QuantizedInt>(&self, raw: i32) -> T {
        let raw_output = multiply_by_quantized_multiplier_smaller_than_one_exp(
            raw,
            self.output_multiplier,
            self.output_shift,
        )
        .wrapping_add(self.output_offset);
        T::wrap(clamp_i32(raw_output, self.act_min, self.act_max))
    }
}

/// TFLM's int8 ADD set-up (`CalculateOpDataAdd`): scales in double precision (here exact
/// integer emulation, [`Double`]), multipliers through
/// `QuantizeMultiplierSmallerThanOneExp`; `act_min`/`act_max` from
/// [`crate::quant::activation_range_i8`].
///
/// TFLM aborts when a multiplier falls outside (0, 1) (an output scale more than 2^-20 times
/// smaller than the inputs'); this computes the same formulas without checking.
#[allow(clippy::too_many_arguments)]
pub fn add_prepare_int8(
    in1_scale: f32,
    in1_zp: i32,
    in2_scale: f32,
    in2_zp: i32,
    out_scale: f32,
    out_zp: i32,
    act_min: i32,
    act_max: i32,
) -> AddParamsInt8 {
    add_sub_prepare(
        20, in1_scale, in1_zp, in2_scale, in2_zp, out_scale, out_zp, act_min, act_max,
    )
}

/// TFLM's int16 ADD set-up (`CalculateOpDataAdd` for an int16 output): as
/// [`add_prepare_int8`] with a headroom shift of 15, so the output multiplier is
/// `2 * max(s1, s2) / (32768 * so)`; `act_min`/`act_max` from
/// [`crate::quant::activation_range_i16`]. Zero points may be non-zero (they are honoured).
///
/// TFLM aborts when a multiplier falls outside (0, 1) (an output scale below
/// `max(s1, s2) / 16384`, or a zero scale); this computes the same formulas without checking.
#[allow(clippy::too_many_arguments)]
pub fn add_prepare_int16(
    in1_scale: f32,
    in1_zp: i32,
    in2_scale: f32,
    in2_zp: i32,
    out_scale: f32,
    out_zp: i32,
    act_min: i32,
    act_max: i32,
) -> AddParamsInt16 {
    add_sub_prepare(
        15, in1_scale, in1_zp, in2_scale, in2_zp, out_scale, out_zp, act_min, act_max,
    )
}

/// `CalculateOpDataAdd` (and, in the TFLM runtime that makes the goldens, `CalculateOpDataSub`)
/// with headroom `left_shift`: every scale widened to double first.
#[allow(clippy::too_many_arguments)]
pub fn add_sub_prepare(
    left_shift: i32,
    in1_scale: f32,
    in1_zp: i32,
    in2_scale: f32,
    in2_zp: i32,
    out_scale: f32,
    out_zp: i32,
    act_min: i32,
    act_max: i32,
) -> AddParamsInt8 {
    // std::max(float, float): (a < b) ? b : a.
    let max_scale = if in1_scale < in2_scale {
        in2_scale
    } else {
        in1_scale
    };
    // In double precision as TFLM (on integers: `Double` rounds as the FPU does).
    let q = quantize_quotient;
    let twice_max_input_scale = Double::from_f32(max_scale).map(|d| d.scale(1));
    let (input1_multiplier, input1_shift) = q(Double::from_f32(in1_scale), twice_max_input_scale);
    let (input2_multiplier, input2_shift) = q(Double::from_f32(in2_scale), twice_max_input_scale);
    let (output_multiplier, output_shift) = q(
        twice_max_input_scale,
        Double::from_f32(out_scale).map(|d| d.scale(left_shift)),
    );
    AddParamsInt8 {
        left_shift,
        input1_offset: in1_zp.wrapping_neg(),
        input1_multiplier,
        input1_shift,
        input2_offset: in2_zp.wrapping_neg(),
        input2_multiplier,
        input2_shift,
        output_offset: out_zp,
        output_multiplier,
        output_shift,
        act_min,
        act_max,
    }
}

/// One int8 or int16 sum, as TFLM's `AddFunc` / `AddElementwise`.
#[inline]
fn add_one<T: QuantizedInt>(p: &AddParamsInt8, x: T, y: T) -> T {
    let (a, b) = p.inputs(x, y);
    p.output(a.wrapping_add(b))
}

/// Int8 ADD with broadcasting; parameters from [`add_prepare_int8`].
pub fn add_int8(
    p: &AddParamsInt8,
    in1_shape: [usize; 4],
    in1: &[i8],
    in2_shape: [usize; 4],
    in2: &[i8],
    out_shape: [usize; 4],
    output: &mut [i8],
) -> Result<(), KernelError> {
    if crate::SMALL || output.len() < 512 {
        return binary(in1_shape, in1, in2_shape, in2, out_shape, output, |x, y| {
            add_one(p, x, y)
        });
    }
    // Fast path for large tensors: each input's rescaled value depends on its byte alone, so
    // tabulate both (2 KiB of stack), then only the output rescale runs per element. Equal
    // to `add_one` for every input (`Requant` is exact; proptested below).
    let (r1, r2) = (
        Requant::new(p.input1_multiplier, p.input1_shift),
        Requant::new(p.input2_multiplier, p.input2_shift),
    );
    // One array (the Armv7E-M loop reads both tables from one base).
    let t: [[i32; 256]; 2] = [
        core::array::from_fn(|b| {
            r1.apply(p.shifted(p.input1_offset.wrapping_add(b as u8 as i8 as i32)))
        }),
        core::array::from_fn(|b| {
            r2.apply(p.shifted(p.input2_offset.wrapping_add(b as u8 as i8 as i32)))
        }),
    ];
    let [t1, t2] = &t;
    let ro = Requant::new(p.output_multiplier, p.output_shift);
    let (off, lo, hi) = (p.output_offset, p.act_min, p.act_max);
    // Same shapes (a residual connection): on x86-64 the output rescale four elements at a
    // time, on Armv7E-M in an `asm!` loop over chunks of sums.
    #[cfg(microlite_arm_dsp)]
    if in1_shape == out_shape
        && in2_shape == out_shape
        && crate::util::check_len(&out_shape, output.len()).is_ok()
        && crate::arch::arm::add::add_same_shape_int8(p, &t, in1, in2, output)
    {
        return Ok(());
    }
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    if in1_shape == out_shape
        && in2_shape == out_shape
        && crate::util::check_len(&out_shape, output.len()).is_ok()
        && in1.len() == output.len()
        && in2.len() == output.len()
        && crate::arch::x86_64::add::add_same_shape_int8(p, t1, t2, &ro, in1, in2, output)
    {
        return Ok(());
    }
    binary(in1_shape, in1, in2_shape, in2, out_shape, output, |x, y| {
        let raw_sum = t1[x as u8 as usize].wrapping_add(t2[y as u8 as usize]);
        clamp_i32(ro.apply(raw_sum).wrapping_add(off), lo, hi) as i8
    })
}

/// TFLM's element-by-element int8 ADD, without the tables or any target's fast path: what the
/// on-target checks compare [`add_int8`] with.
pub mod reference {
    use super::*;

    /// Int8 ADD with broadcasting, each element through TFLM's `AddFunc`.
    ///
    /// # Errors
    /// `ShapeMismatch` when a slice's length differs from its shape's element count, or the
    /// shapes do not broadcast onto `out_shape`.
    pub fn add_int8(
        p: &AddParamsInt8,
        in1_shape: [usize; 4],
        in1: &[i8],
        in2_shape: [usize; 4],
        in2: &[i8],
        out_shape: [usize; 4],
        output: &mut [i8],
    ) -> Result<(), KernelError> {
        binary(in1_shape, in1, in2_shape, in2, out_shape, output, |x, y| {
            add_one(p, x, y)
        })
    }
}

/// Int16 ADD with broadcasting; parameters from [`add_prepare_int16`]. Per element:
/// `(x - zp1) << 15` and `(y - zp2) << 15` each rescaled by `RDPOT(SRDHM(v, m), -e)`,
/// summed, rescaled the same way by the output multiplier, offset and clamped.
///
/// # Errors
/// `ShapeMismatch` when a slice's length differs from its shape's element count, or the
/// shapes do not broadcast onto `out_shape`.
pub fn add_int16(
    p: &AddParamsInt16,
    in1_shape: [usize; 4],
    in1: &[i16],
    in2_shape: [usize; 4],
    in2: &[i16],
    out_shape: [usize; 4],
    output: &mut [i16],
) -> Result<(), KernelError> {
    binary(in1_shape, in1, in2_shape, in2, out_shape, output, |x, y| {
        add_one(p, x, y)
    })
}

/// Float ADD with broadcasting: `x + y` clamped to `[act_min, act_max]`.
#[allow(clippy::too_many_arguments)]
pub fn add_f32(
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
        clamp_f32(x + y, act_min, act_max)
    })
}

/// int32 ADD, TFLM's `reference_ops::Add<int32_t>` / `BroadcastAdd4DSlow`: `x + y`, wrapping
/// (TFLM clamps to the whole int32 range, so its fused activation is ignored).
///
/// # Errors
/// [`KernelError::ShapeMismatch`] when the shapes do not broadcast or a slice's length does
/// not match its shape.
pub fn add_i32(
    in1_shape: [usize; 4],
    in1: &[i32],
    in2_shape: [usize; 4],
    in2: &[i32],
    out_shape: [usize; 4],
    output: &mut [i32],
) -> Result<(), KernelError> {
    binary(in1_shape, in1, in2_shape, in2, out_shape, output, |x, y| {
        x.wrapping_add(y)
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::testutil::*;
    use proptest::prelude::*;

    /// TFLM's `CalculateOpDataAdd` in f64, as written there: the oracle of the integer set-up.
    fn multipliers_f64(s1: f32, s2: f32, so: f32) -> [(i32, i32); 3] {
        multipliers_f64_shift(s1, s2, so, 20)
    }

    /// As [`multipliers_f64`] with headroom `left_shift` (15 for int16).
    pub(crate) fn multipliers_f64_shift(
        s1: f32,
        s2: f32,
        so: f32,
        left_shift: u32,
    ) -> [(i32, i32); 3] {
        use crate::quant::quantize_multiplier;
        let max_scale = if s1 < s2 { s2 } else { s1 };
        let twice = 2.0 * max_scale as f64;
        [
            quantize_multiplier(s1 as f64 / twice),
            quantize_multiplier(s2 as f64 / twice),
            quantize_multiplier(twice / ((1i64 << left_shift) as f64 * so as f64)),
        ]
    }

    proptest! {
        #[test]
        fn prepare_matches_tflm_in_f64(
            s1 in prop_oneof![1e-6f32..10.0, (1u32..0x7F80_0000).prop_map(f32::from_bits)],
            s2 in prop_oneof![1e-6f32..10.0, (1u32..0x7F80_0000).prop_map(f32::from_bits)],
            so in prop_oneof![1e-6f32..10.0, (1u32..0x7F80_0000).prop_map(f32::from_bits)],
        ) {
            let p = add_prepare_int8(s1, 0, s2, 0, so, 0, -128, 127);
            prop_assert_eq!(
                [
                    (p.input1_multiplier, p.input1_shift),
                    (p.input2_multiplier, p.input2_shift),
                    (p.output_multiplier, p.output_shift),
                ],
                multipliers_f64(s1, s2, so)
            );
            let p = add_prepare_int16(s1, 0, s2, 0, so, 0, -32768, 32767);
            prop_assert_eq!(p.left_shift, 15);
            prop_assert_eq!(
                [
                    (p.input1_multiplier, p.input1_shift),
                    (p.input2_multiplier, p.input2_shift),
                    (p.output_multiplier, p.output_shift),
                ],
                multipliers_f64_shift(s1, s2, so, 15)
            );
        }
    }

    #[test]
    fn prepare_int16_values() {
        // The int16 note's example (scales of a converter-made model, printed rounded).
        let p = add_prepare_int16(
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
        // Equal scales 2^-10, output 2^-9, zero points (100, -250, 37): real
        // (1000 - 100) + (-2000 + 250) = -850 units of 2^-10 -> -425 + 37 = -388.
        let s = 1.0 / 1024.0;
        let p = add_prepare_int16(s, 100, s, -250, 2.0 * s, 37, -32768, 32767);
        let mut out = [0i16; 2];
        add_int16(
            &p,
            [1, 1, 1, 2],
            &[1000, 32767],
            [1; 4],
            &[-2000],
            [1, 1, 1, 2],
            &mut out,
        )
        .unwrap();
        // Second: (32667 - 1750) / 2 = 15458.5 -> rounded in two steps.
        assert_eq!(out[0], -388);
        assert!((out[1] - (15458 + 37)).abs() <= 1);
        // Clamped to the activation range.
        let p = add_prepare_int16(s, 0, s, 0, 2.0 * s, 0, 0, 100);
        add_int16(
            &p,
            [1, 1, 1, 2],
            &[1000, -5000],
            [1; 4],
            &[-2000],
            [1, 1, 1, 2],
            &mut out,
        )
        .unwrap();
        assert_eq!(out, [0, 0]);
        add_int16(
            &p,
            [1, 1, 1, 2],
            &[1000, 5000],
            [1; 4],
            &[-2000],
            [1, 1, 1, 2],
            &mut out,
        )
        .unwrap();
        assert_eq!(out, [0, 100]);
        assert_eq!(
            add_int16(
                &p,
                [1, 1, 1, 3],
                &[0; 3],
                [1; 4],
                &[0],
                [1, 1, 1, 2],
                &mut out
            ),
            Err(KernelError::ShapeMismatch)
        );
    }

    #[test]
    fn prepare_values() {
        let p = add_prepare_int8(0.5, 1, 0.25, -2, 1.0, 3, -128, 127);
        // twice_max = 1.0: input1 0.5 -> (2^30, 0), input2 0.25 -> (2^30, -1),
        // output 1 / 2^20 -> (2^30, -19).
        assert_eq!((p.input1_multiplier, p.input1_shift), (1 << 30, 0));
        assert_eq!((p.input2_multiplier, p.input2_shift), (1 << 30, -1));
        assert_eq!((p.output_multiplier, p.output_shift), (1 << 30, -19));
        assert_eq!(
            (p.input1_offset, p.input2_offset, p.output_offset),
            (-1, 2, 3)
        );
        // 0.5*(10-1) + 0.25*(20+2) = 4.5 + 5.5 = 10 -> +3 = 13.
        let mut out = [0i8; 1];
        add_int8(
            &p,
            [1, 1, 1, 1],
            &[10],
            [1, 1, 1, 1],
            &[20],
            [1, 1, 1, 1],
            &mut out,
        )
        .unwrap();
        assert_eq!(out, [13]);
    }

    #[test]
    fn broadcasting_and_errors() {
        let mut out = [0f32; 6];
        add_f32(
            f32::MIN,
            f32::MAX,
            [1, 1, 2, 3],
            &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
            [1, 1, 1, 3],
            &[10.0, 20.0, 30.0],
            [1, 1, 2, 3],
            &mut out,
        )
        .unwrap();
        assert_eq!(out, [11.0, 22.0, 33.0, 14.0, 25.0, 36.0]);
        add_f32(
            f32::MIN,
            f32::MAX,
            [1, 1, 2, 1],
            &[1.0, 2.0],
            [1, 1, 1, 3],
            &[10.0, 20.0, 30.0],
            [1, 1, 2, 3],
            &mut out,
        )
        .unwrap();
        assert_eq!(out, [11.0, 21.0, 31.0, 12.0, 22.0, 32.0]);
        let r = add_f32(
            0.0,
            1.0,
            [1, 1, 2, 2],
            &[0.0; 4],
            [1, 1, 1, 3],
            &[0.0; 3],
            [1, 1, 2, 3],
            &mut out,
        );
        assert_eq!(r, Err(KernelError::ShapeMismatch));
        let r = add_f32(
            0.0,
            1.0,
            [1, 1, 1, 1],
            &[0.0; 1],
            [1, 1, 1, 1],
            &[0.0; 1],
            [1, 1, 2, 3],
            &mut out,
        );
        assert_eq!(r, Err(KernelError::ShapeMismatch));
    }

    fn shapes() -> impl Strategy<Value = ([usize; 4], [usize; 4], [usize; 4])> {
        (
            proptest::array::uniform4(1usize..=3),
            proptest::array::uniform4(0u8..3),
        )
            .prop_map(|(out, mode)| {
                let mut a = out;
                let mut b = out;
                for i in 0..4 {
                    match mode[i] {
                        1 => a[i] = 1,
                        2 => b[i] = 1,
                        _ => {}
                    }
                }
                (a, b, out)
            })
    }

    fn index(shape: [usize; 4], idx: [usize; 4]) -> usize {
        let mut o = 0;
        for i in 0..4 {
            o = o * shape[i] + if shape[i] == 1 { 0 } else { idx[i] };
        }
        o
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn int8_matches_real_math(
            ((a, b, out), x, y, s1, s2, so, z1, z2, zo) in shapes().prop_flat_map(|(a, b, o)| (
                Just((a, b, o)),
                i8_vec(a.iter().product()), i8_vec(b.iter().product()),
                0.001f32..1.0, 0.001f32..1.0, 0.001f32..2.0,
                -128i32..=127, -128i32..=127, -128i32..=127,
            ))
        ) {
            let p = add_prepare_int8(s1, z1, s2, z2, so, zo, -128, 127);
            let mut got = vec![0i8; out.iter().product()];
            add_int8(&p, a, &x, b, &y, out, &mut got).unwrap();
            let mut k = 0;
            for i0 in 0..out[0] { for i1 in 0..out[1] { for i2 in 0..out[2] { for i3 in 0..out[3] {
                let idx = [i0, i1, i2, i3];
                let xv = x[index(a, idx)] as i32;
                let yv = y[index(b, idx)] as i32;
                // Naive restatement of AddFunc in wide integers.
                let sx = naive_rdbp(naive_srdhm((xv - z1) << 20, p.input1_multiplier), -p.input1_shift);
                let sy = naive_rdbp(naive_srdhm((yv - z2) << 20, p.input2_multiplier), -p.input2_shift);
                let raw = naive_rdbp(naive_srdhm(sx + sy, p.output_multiplier), -p.output_shift) as i64 + zo as i64;
                prop_assert_eq!(got[k], naive_out_i8(raw, -128, 127));
                // And it is the real sum within one step.
                let real = (s1 as f64 * (xv - z1) as f64 + s2 as f64 * (yv - z2) as f64) / so as f64 + zo as f64;
                let want = real.round().clamp(-128.0, 127.0);
                prop_assert!((got[k] as f64 - want).abs() <= 1.0);
                k += 1;
            }}}}
        }

        /// Large tensors take the tabulated path: equal to `add_one` element by element,
        /// for any parameters (shifts and offsets outside TFLM's ranges too).
        #[test]
        fn int8_tables_match_add_one(
            ((a, b, out), x, y, mults, offs, act) in (
                proptest::array::uniform4(1usize..=12),
                // Equal shapes a third of the time: the vector path on x86-64.
                prop_oneof![1 => Just([0u8; 4]), 2 => proptest::array::uniform4(0u8..3)],
            )
                .prop_filter("large", |(o, _)| o.iter().product::<usize>() >= 512)
                .prop_map(|(out, mode)| {
                    let (mut a, mut b) = (out, out);
                    for i in 0..4 {
                        match mode[i] {
                            1 => a[i] = 1,
                            2 => b[i] = 1,
                            _ => {}
                        }
                    }
                    (a, b, out)
                })
                .prop_flat_map(|(a, b, o)| (
                    Just((a, b, o)),
                    i8_vec(a.iter().product()), i8_vec(b.iter().product()),
                    proptest::array::uniform3((any::<i32>(), -40i32..8)),
                    proptest::array::uniform4(prop_oneof![3 => -128i32..=127, 1 => any::<i32>()]),
                    act_range(),
                ))
        ) {
            let p = AddParamsInt8 {
                left_shift: offs[3].rem_euclid(40) - 4,
                input1_offset: offs[0],
                input1_multiplier: mults[0].0,
                input1_shift: mults[0].1,
                input2_offset: offs[1],
                input2_multiplier: mults[1].0,
                input2_shift: mults[1].1,
                output_offset: offs[2],
                output_multiplier: mults[2].0,
                output_shift: mults[2].1,
                act_min: act.0,
                act_max: act.1,
            };
            let mut got = vec![0i8; out.iter().product()];
            add_int8(&p, a, &x, b, &y, out, &mut got).unwrap();
            let mut k = 0;
            for i0 in 0..out[0] { for i1 in 0..out[1] { for i2 in 0..out[2] { for i3 in 0..out[3] {
                let idx = [i0, i1, i2, i3];
                prop_assert_eq!(got[k], add_one(&p, x[index(a, idx)], y[index(b, idx)]));
                k += 1;
            }}}}
        }

        #[test]
        fn int16_matches_real_math(
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
            let p = add_prepare_int16(s1, z1, s2, z2, so, zo, lo, hi);
            let mut got = vec![0i16; out.iter().product()];
            add_int16(&p, a, &x, b, &y, out, &mut got).unwrap();
            let mut k = 0;
            for i0 in 0..out[0] { for i1 in 0..out[1] { for i2 in 0..out[2] { for i3 in 0..out[3] {
                let idx = [i0, i1, i2, i3];
                let xv = x[index(a, idx)] as i32;
                let yv = y[index(b, idx)] as i32;
                // Naive restatement of AddElementwise in wide integers.
                let sx = naive_rdbp(naive_srdhm((xv - z1) << 15, p.input1_multiplier), -p.input1_shift);
                let sy = naive_rdbp(naive_srdhm((yv - z2) << 15, p.input2_multiplier), -p.input2_shift);
                let raw = naive_rdbp(naive_srdhm(sx + sy, p.output_multiplier), -p.output_shift) as i64 + zo as i64;
                prop_assert_eq!(got[k], naive_out_i16(raw, lo, hi));
                // And it is the real sum within one step.
                let real = (s1 as f64 * (xv - z1) as f64 + s2 as f64 * (yv - z2) as f64) / so as f64 + zo as f64;
                let want = real.round().clamp(lo as f64, hi as f64);
                prop_assert!((got[k] as f64 - want).abs() <= 1.0, "{} vs {}", got[k], real);
                k += 1;
            }}}}
        }

        #[test]
        fn f32_matches(
            ((a, b, out), x, y) in shapes().prop_flat_map(|(a, b, o)| (
                Just((a, b, o)), f32_vec(a.iter().product()), f32_vec(b.iter().product()),
            ))
        ) {
            let mut got = vec![0f32; out.iter().product()];
            add_f32(-1.0, 1.0, a, &x, b, &y, out, &mut got).unwrap();
            let mut k = 0;
            for i0 in 0..out[0] { for i1 in 0..out[1] { for i2 in 0..out[2] { for i3 in 0..out[3] {
                let idx = [i0, i1, i2, i3];
                prop_assert_eq!(got[k], (x[index(a, idx)] + y[index(b, idx)]).max(-1.0).min(1.0));
                k += 1;
            }}}}
        }
    }
}
