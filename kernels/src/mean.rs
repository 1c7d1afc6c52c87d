//! MEAN over a set of axes of an up-to-4-D input (callers left-pad lower ranks with 1s and
//! map axes accordingly). The output holds the kept dimensions in order; `keep_dims` does
//! not change its layout.
//!
//! int8 follows TFLM's current `EvalIntegerMean` (`reference_ops::QuantizedMeanOrSum`): an
//! `i32` sum per output, minus `zero_point * count`, rescaled with the `input_scale /
//! output_scale` multiplier into which `1 / count` has been folded. Float follows
//! `reference_ops::Mean`: an `f32` sum in input order divided by the count.
//!
//! Older TFLM releases (before 2023) took a different int8 path for 4-D inputs reduced over
//! axes {1, 2} with `keep_dims`; [`mean_int8_hw_legacy`] reproduces that one on request.

use crate::quant::{multiply_by_quantized_multiplier, quantize_ratio, QuantizedInt};
use crate::util::{clamp_i32, shape_len};
use crate::KernelError;

/// Scratch (in elements) that [`mean_int8`] and [`mean_f32`] need: none, both compute each
/// output in one pass. (TFLM itself reserves `output_len * 4` bytes of arena for int8.)
pub fn mean_scratch_len(_in_shape: [usize; 4], _axes_mask: [bool; 4]) -> usize {
    0
}

/// The output shape (reduced dims set to 1) and the number of elements reduced per output.
pub(crate) fn reduced(
    in_shape: [usize; 4],
    axes_mask: [bool; 4],
) -> Result<([usize; 4], usize), KernelError> {
    let mut out = in_shape;
    let mut count: usize = 1;
    for i in 0..4 {
        if axes_mask[i] {
            out[i] = 1;
            count = count
                .checked_mul(in_shape[i])
                .ok_or(KernelError::ShapeMismatch)?;
        }
    }
    Ok((out, count))
}

/// Folds the elements of each output (in increasing input order) with `step` from `init`,
/// then hands the result to `emit(out_index, acc)`; outputs come in order.
#[inline]
pub(crate) fn reduce_each<T: Copy, A: Copy>(
    in_shape: [usize; 4],
    out_shape: [usize; 4],
    axes_mask: [bool; 4],
    input: &[T],
    init: A,
    step: impl Fn(A, T) -> A,
    mut emit: impl FnMut(usize, A),
) {
    let [_, d1, d2, d3] = in_shape;
    // Row-major input strides.
    let st = [d1 * d2 * d3, d2 * d3, d3, 1];
    let range = |i: usize, o: usize| {
        if axes_mask[i] {
            0..in_shape[i]
        } else {
            o..o + 1
        }
    };
    let mut out_index = 0;
    for o0 in 0..out_shape[0] {
        for o1 in 0..out_shape[1] {
            for o2 in 0..out_shape[2] {
                for o3 in 0..out_shape[3] {
                    let mut acc = init;
                    for i0 in range(0, o0) {
                        for i1 in range(1, o1) {
                            for i2 in range(2, o2) {
                                let base = i0 * st[0] + i1 * st[1] + i2 * st[2];
                                for &x in &input[base + range(3, o3).start..base + range(3, o3).end]
                                {
                                    acc = step(acc, x);
                                }
                            }
                        }
                    }
                    emit(out_index, acc);
                    out_index += 1;
                }
            }
        }
    }
}

/// Int8 MEAN over the axes set in `axes_mask`, requantized from (`in_scale`, `in_zp`) to
/// (`out_scale`, `out_zp`). `scratch` is unused (see [`mean_scratch_len`]); pass `&mut []`.
///
/// An input with a zero-sized dimension gives an all-zero output, as in TFLM.
#[allow(clippy::too_many_arguments)]
pub fn mean_int8(
    in_shape: [usize; 4],
    input: &[i8],
    in_scale: f32,
    in_zp: i32,
    axes_mask: [bool; 4],
    out_scale: f32,
    out_zp: i32,
    output: &mut [i8],
    scratch: &mut [i32],
) -> Result<(), KernelError> {
    let _ = scratch;
    let q = (in_scale, in_zp, out_scale, out_zp);
    reduce_q(in_shape, input, axes_mask, q, true, output)
}

/// Int16 MEAN, as [`mean_int8`] (TFLM's `QuantizedMeanOrSum<int16_t>`).
///
/// # Errors
/// [`KernelError::ShapeMismatch`] when a slice does not fit its shape.
#[allow(clippy::too_many_arguments)]
pub fn mean_int16(
    in_shape: [usize; 4],
    input: &[i16],
    in_scale: f32,
    in_zp: i32,
    axes_mask: [bool; 4],
    out_scale: f32,
    out_zp: i32,
    output: &mut [i16],
) -> Result<(), KernelError> {
    let q = (in_scale, in_zp, out_scale, out_zp);
    reduce_q(in_shape, input, axes_mask, q, true, output)
}

/// Quantized SUM (int8 or int16) over the axes set in `axes_mask`: TFLM's
/// `QuantizedMeanOrSum` with `compute_sum` (the zero-point-corrected sum rescaled by
/// `in_scale / out_scale`, no division), from `(in_scale, in_zp, out_scale, out_zp)`.
///
/// # Errors
/// [`KernelError::ShapeMismatch`] when a slice does not fit its shape.
pub fn sum_q<T: QuantizedInt>(
    in_shape: [usize; 4],
    input: &[T],
    axes_mask: [bool; 4],
    q: (f32, i32, f32, i32),
    output: &mut [T],
) -> Result<(), KernelError> {
    reduce_q(in_shape, input, axes_mask, q, false, output)
}

/// MEAN (`mean`: 1/count folded into the multiplier) or SUM of a quantized input.
fn reduce_q<T: QuantizedInt>(
    in_shape: [usize; 4],
    input: &[T],
    axes_mask: [bool; 4],
    (in_scale, in_zp, out_scale, out_zp): (f32, i32, f32, i32),
    mean: bool,
    output: &mut [T],
) -> Result<(), KernelError> {
    if shape_len(&in_shape)? != input.len() {
        return Err(KernelError::ShapeMismatch);
    }
    let (out_shape, count) = reduced(in_shape, axes_mask)?;
    if shape_len(&out_shape)? != output.len() {
        return Err(KernelError::ShapeMismatch);
    }
    // Outputs start at T() = 0; an empty input leaves them there.
    if input.is_empty() || count == 0 {
        output.iter_mut().for_each(|o| *o = T::default());
        return Ok(());
    }
    // (double)in_scale / out_scale, on integers (no f64 on the device).
    let (multiplier, shift) = quantize_ratio(in_scale, out_scale);
    let count = count as i64;
    // Fold 1/count into the multiplier: shift = floor(log2(count)), capped.
    let (multiplier, shift) = if mean {
        let mut fold = 63 - (count as u64).leading_zeros() as i32;
        fold = fold.min(32);
        fold = fold.min(31i32.saturating_add(shift));
        let fold = fold.max(0);
        (
            (((multiplier as i64) << fold) / count) as i32,
            shift.wrapping_sub(fold),
        )
    } else {
        (multiplier, shift)
    };
    let zp_total = (in_zp as i64).wrapping_mul(count);

    reduce_each(
        in_shape,
        out_shape,
        axes_mask,
        input,
        0i32,
        |acc, x: T| acc.wrapping_add(x.widen()),
        |o, sum| output[o] = T::saturate(finish(sum, zp_total, multiplier, shift, out_zp)),
    );
    Ok(())
}

/// Rescales one output of `QuantizedMeanOrSum`.
#[inline]
fn finish(sum: i32, zp_total: i64, multiplier: i32, shift: i32, out_zp: i32) -> i32 {
    let shifted_sum = (sum as i64).wrapping_sub(zp_total) as i32;
    multiply_by_quantized_multiplier(shifted_sum, multiplier, shift).wrapping_add(out_zp)
}

/// Pre-2023 TFLM int8 MEAN of a 4-D input over axes {1, 2} with `keep_dims`
/// (`reference_integer_ops::Mean`): rescale the zero-point-corrected sum, then divide by the
/// count rounding half away from zero. Output `[n, 1, 1, c]`.
#[allow(clippy::too_many_arguments)]
pub fn mean_int8_hw_legacy(
    in_shape: [usize; 4],
    input: &[i8],
    in_scale: f32,
    in_zp: i32,
    out_scale: f32,
    out_zp: i32,
    output: &mut [i8],
) -> Result<(), KernelError> {
    let [n, h, w, c] = in_shape;
    if shape_len(&in_shape)? != input.len() || shape_len(&[n, c])? != output.len() {
        return Err(KernelError::ShapeMismatch);
    }
    let count = h.checked_mul(w).ok_or(KernelError::ShapeMismatch)?;
    if count == 0 || count > i32::MAX as usize {
        return Err(KernelError::BadParams);
    }
    let count = count as i32;
    // (double)in_scale / out_scale, on integers (no f64 on the device).
    let (multiplier, shift) = quantize_ratio(in_scale, out_scale);
    for b in 0..n {
        for ch in 0..c {
            let mut acc: i32 = 0;
            for y in 0..h {
                for x in 0..w {
                    acc = acc.wrapping_add(
                        (input[((b * h + y) * w + x) * c + ch] as i32).wrapping_sub(in_zp),
                    );
                }
            }
            acc = multiply_by_quantized_multiplier(acc, multiplier, shift);
            acc = if acc > 0 {
                acc.wrapping_add(count / 2) / count
            } else {
                acc.wrapping_sub(count / 2) / count
            };
            let v = acc.wrapping_add(out_zp);
            output[b * c + ch] = clamp_i32(v, i8::MIN as i32, i8::MAX as i32) as i8;
        }
    }
    Ok(())
}

/// Float MEAN over the axes set in `axes_mask`: per output, the `f32` sum of its elements in
/// input order divided by their count. `scratch` is unused; pass `&mut []`.
pub fn mean_f32(
    in_shape: [usize; 4],
    input: &[f32],
    axes_mask: [bool; 4],
    output: &mut [f32],
    scratch: &mut [f32],
) -> Result<(), KernelError> {
    let _ = scratch;
    if shape_len(&in_shape)? != input.len() {
        return Err(KernelError::ShapeMismatch);
    }
    let (out_shape, count) = reduced(in_shape, axes_mask)?;
    if shape_len(&out_shape)? != output.len() {
        return Err(KernelError::ShapeMismatch);
    }
    if input.is_empty() || count == 0 {
        output.iter_mut().for_each(|o| *o = 0.0);
        return Ok(());
    }
    let n = count as f32;
    reduce_each(
        in_shape,
        out_shape,
        axes_mask,
        input,
        0.0f32,
        |acc, x: f32| acc + x,
        |o, sum| output[o] = sum / n,
    );
    Ok(())
}

/// Float SUM over the axes set in `axes_mask`: each output's inputs added in input order.
///
/// # Errors
/// [`KernelError::ShapeMismatch`] when a slice does not fit its shape.
pub fn sum_f32(
    in_shape: [usize; 4],
    input: &[f32],
    axes_mask: [bool; 4],
    output: &mut [f32],
) -> Result<(), KernelError> {
    if shape_len(&in_shape)? != input.len() {
        return Err(KernelError::ShapeMismatch);
    }
    let (out_shape, _) = reduced(in_shape, axes_mask)?;
    if shape_len(&out_shape)? != output.len() {
        return Err(KernelError::ShapeMismatch);
    }
    output.iter_mut().for_each(|o| *o = 0.0);
    reduce_each(
        in_shape,
        out_shape,
        axes_mask,
        input,
        0.0f32,
        |acc, x: f32| acc + x,
        |o, sum| output[o] = sum,
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quant::quantize_multiplier;
    use crate::testutil::*;
    use proptest::prelude::*;

    #[test]
    fn hand_checked() {
        // 1x2x2x1 over {1, 2}: mean of [1, 2, 3, 5] = 2.75 with equal scales -> 3.
        let mut out = [0i8; 1];
        mean_int8(
            [1, 2, 2, 1],
            &[1, 2, 3, 5],
            0.5,
            0,
            [false, true, true, false],
            0.5,
            0,
            &mut out,
            &mut [],
        )
        .unwrap();
        assert_eq!(out, [3]);
        // Over the last axis of [[1, 2], [3, 5]] with zero point 1 on input and 2 on output.
        let mut out = [0i8; 2];
        mean_int8(
            [1, 1, 2, 2],
            &[1, 2, 3, 5],
            1.0,
            1,
            [false, false, false, true],
            1.0,
            2,
            &mut out,
            &mut [],
        )
        .unwrap();
        // (1-1 + 2-1)/2 = 0.5 -> 1, +2 = 3 ; (3-1 + 5-1)/2 = 3 -> 5.
        assert_eq!(out, [3, 5]);
        let mut f = [0f32; 2];
        mean_f32(
            [1, 1, 2, 2],
            &[1.0, 2.0, 3.0, 5.0],
            [false, false, true, false],
            &mut f,
            &mut [],
        )
        .unwrap();
        assert_eq!(f, [2.0, 3.5]);
        let r = mean_f32(
            [1, 1, 2, 2],
            &[1.0, 2.0, 3.0, 5.0],
            [false, false, true, false],
            &mut [0.0; 3],
            &mut [],
        );
        assert_eq!(r, Err(KernelError::ShapeMismatch));
        // Empty input: zeros.
        let mut out = [9i8; 2];
        mean_int8(
            [1, 0, 1, 2],
            &[],
            1.0,
            3,
            [false, true, false, false],
            1.0,
            4,
            &mut out,
            &mut [],
        )
        .unwrap();
        assert_eq!(out, [0, 0]);
        // Legacy path: rescale first, then divide.
        let mut out = [0i8; 1];
        mean_int8_hw_legacy([1, 2, 2, 1], &[1, 2, 3, 5], 0.5, 0, 0.5, 0, &mut out).unwrap();
        assert_eq!(out, [3]);
        assert_eq!(
            mean_scratch_len([1, 2, 2, 1], [false, true, true, false]),
            0
        );
    }

    fn case() -> impl Strategy<Value = ([usize; 4], [bool; 4])> {
        (
            proptest::array::uniform4(1usize..=4),
            proptest::array::uniform4(any::<bool>()),
        )
    }

    /// Elements of `input` reduced into output `o` (by brute force over all input indices).
    fn members<T: Copy>(shape: [usize; 4], mask: [bool; 4], input: &[T], o: usize) -> Vec<T> {
        let out_shape: Vec<usize> = (0..4).map(|i| if mask[i] { 1 } else { shape[i] }).collect();
        let mut v = Vec::new();
        let mut k = 0;
        for i0 in 0..shape[0] {
            for i1 in 0..shape[1] {
                for i2 in 0..shape[2] {
                    for i3 in 0..shape[3] {
                        let idx = [i0, i1, i2, i3];
                        let mut oi = 0;
                        for d in 0..4 {
                            oi = oi * out_shape[d] + if mask[d] { 0 } else { idx[d] };
                        }
                        if oi == o {
                            v.push(input[k]);
                        }
                        k += 1;
                    }
                }
            }
        }
        v
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn int8_matches_naive(
            ((shape, mask), input, s_in, s_out, zi, zo) in case().prop_flat_map(|(s, m)| (
                Just((s, m)), i8_vec(s.iter().product()), 0.01f32..1.0, 0.01f32..1.0, -128i32..=127, -128i32..=127,
            ))
        ) {
            let n_out: usize = (0..4).map(|i| if mask[i] { 1 } else { shape[i] }).product();
            let mut out = vec![0i8; n_out];
            mean_int8(shape, &input, s_in, zi, mask, s_out, zo, &mut out, &mut []).unwrap();
            let (m, s) = quantize_multiplier(s_in as f64 / s_out as f64);
            for o in 0..n_out {
                let xs = members(shape, mask, &input, o);
                let n = xs.len() as i64;
                let sum: i64 = xs.iter().map(|&x| x as i64).sum::<i64>() - zi as i64 * n;
                // Fold 1/n into the multiplier exactly as specified by QuantizedMeanOrSum.
                let fold = (63 - (n as u64).leading_zeros() as i64).min(32).min(31 + s as i64);
                let m2 = (((m as i128) << fold) / n as i128) as i32;
                let want = naive_out_i8(naive_mbqm(sum as i32, m2, s - fold as i32) as i64 + zo as i64, -128, 127);
                prop_assert_eq!(out[o], want);
                // And close to the real mean.
                let real = (sum as f64 / n as f64) * s_in as f64 / s_out as f64 + zo as f64;
                prop_assert!((out[o] as f64 - real.round().clamp(-128.0, 127.0)).abs() <= 1.0);
            }
        }

        #[test]
        fn f32_matches_naive(
            ((shape, mask), input) in case().prop_flat_map(|(s, m)| (Just((s, m)), f32_vec(s.iter().product())))
        ) {
            let n_out: usize = (0..4).map(|i| if mask[i] { 1 } else { shape[i] }).product();
            let mut out = vec![0f32; n_out];
            mean_f32(shape, &input, mask, &mut out, &mut []).unwrap();
            for o in 0..n_out {
                let xs = members(shape, mask, &input, o);
                let mut sum = 0f32;
                for x in &xs {
                    sum += *x;
                }
                prop_assert_eq!(out[o], sum / xs.len() as f32);
            }
        }

        #[test]
        fn legacy_close_to_real(
            (shape, input, s_in, s_out, zi, zo) in proptest::array::uniform4(1usize..=4).prop_flat_map(|s| (
                Just(s), i8_vec(s.iter().product()), 0.01f32..1.0, 0.01f32..1.0, -128i32..=127, -128i32..=127,
            ))
        ) {
            let mut out = vec![0i8; shape[0] * shape[3]];
            mean_int8_hw_legacy(shape, &input, s_in, zi, s_out, zo, &mut out).unwrap();
            let n = (shape[1] * shape[2]) as f64;
            for b in 0..shape[0] { for c in 0..shape[3] {
                let mut sum = 0f64;
                for y in 0..shape[1] { for x in 0..shape[2] {
                    sum += input[((b * shape[1] + y) * shape[2] + x) * shape[3] + c] as f64 - zi as f64;
                }}
                let real = sum / n * s_in as f64 / s_out as f64 + zo as f64;
                prop_assert!((out[b * shape[3] + c] as f64 - real.round().clamp(-128.0, 127.0)).abs() <= 1.0);
            }}
        }
    }
}
