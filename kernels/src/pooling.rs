//! AVERAGE_POOL_2D and MAX_POOL_2D on NHWC tensors `[n, h, w, c]`.
//!
//! Matches TFLM's `reference_integer_ops::{AveragePool, MaxPool}` (int8) and
//! `reference_ops::{AveragePool, MaxPool}` (float): the window is clipped to the input, and
//! the average divides by the number of taps actually inside.

use crate::quant::QuantizedInt;
use crate::util::{check_len, check_window, clamp_f32, clamp_i32};
use crate::KernelError;

/// Pooling geometry: strides, window size and padding-before.
#[derive(Clone, Copy, Debug)]
pub struct PoolParams {
    /// Vertical stride.
    pub stride_h: usize,
    /// Horizontal stride.
    pub stride_w: usize,
    /// Window height.
    pub filter_h: usize,
    /// Window width.
    pub filter_w: usize,
    /// Rows of padding before the input.
    pub pad_h: usize,
    /// Columns of padding before the input.
    pub pad_w: usize,
}

/// Validated geometry: `[n, ih, iw, c, oh, ow]`.
struct Geometry {
    n: usize,
    ih: usize,
    iw: usize,
    c: usize,
    oh: usize,
    ow: usize,
}

fn check(
    p: &PoolParams,
    in_shape: [usize; 4],
    in_len: usize,
    out_shape: [usize; 4],
    out_len: usize,
) -> Result<Geometry, KernelError> {
    let [n, ih, iw, c] = in_shape;
    let [on, oh, ow, oc] = out_shape;
    if n != on || c != oc {
        return Err(KernelError::ShapeMismatch);
    }
    check_len(&in_shape, in_len)?;
    check_len(&out_shape, out_len)?;
    check_window(oh, p.stride_h, p.filter_h, 1, p.pad_h, ih)?;
    check_window(ow, p.stride_w, p.filter_w, 1, p.pad_w, iw)?;
    Ok(Geometry {
        n,
        ih,
        iw,
        c,
        oh,
        ow,
    })
}

/// The clipped window `[start, end)` of TFLM: `max(0, -origin) .. min(filter, size - origin)`.
#[inline]
fn window(origin: isize, filter: usize, size: usize) -> (usize, usize) {
    let start = if origin < 0 { -origin } else { 0 };
    let room = size as isize - origin;
    let end = if (filter as isize) < room {
        filter as isize
    } else {
        room
    };
    if end <= start {
        (0, 0)
    } else {
        (start as usize, end as usize)
    }
}

/// Runs `f(out_index, base_offsets)` for every output position with its clipped window.
///
/// The callback receives the output offset of channel 0 and the input offsets (of channel 0)
/// of the window rows, given as `(first pixel offset, columns, rows, row stride)`.
fn for_each_window(
    p: &PoolParams,
    g: &Geometry,
    mut f: impl FnMut(usize, usize, usize, usize, usize) -> Result<(), KernelError>,
) -> Result<(), KernelError> {
    for b in 0..g.n {
        for oy in 0..g.oh {
            let y0 = (oy * p.stride_h) as isize - p.pad_h as isize;
            let (fy0, fy1) = window(y0, p.filter_h, g.ih);
            for ox in 0..g.ow {
                let x0 = (ox * p.stride_w) as isize - p.pad_w as isize;
                let (fx0, fx1) = window(x0, p.filter_w, g.iw);
                let out_base = ((b * g.oh + oy) * g.ow + ox) * g.c;
                let rows = fy1 - fy0;
                let cols = fx1 - fx0;
                let first = if rows > 0 && cols > 0 {
                    let iy = (y0 + fy0 as isize) as usize;
                    let ix = (x0 + fx0 as isize) as usize;
                    ((b * g.ih + iy) * g.iw + ix) * g.c
                } else {
                    0
                };
                f(out_base, first, cols, rows, g.iw * g.c)?;
            }
        }
    }
    Ok(())
}

/// Most taps an int8 average may have: TFLM sums in int32, which holds `2^23` taps of
/// magnitude 128 with room to round.
pub const MAX_AVERAGE_TAPS: usize = 1 << 23;

/// Int8 average pooling: the rounded (half away from zero) mean of the taps inside the
/// input, clamped to `[act_min, act_max]`. A window with no tap inside, or more than
/// [`MAX_AVERAGE_TAPS`] taps, is `BadParams`.
pub fn average_pool_int8(
    p: &PoolParams,
    act_min: i32,
    act_max: i32,
    in_shape: [usize; 4],
    input: &[i8],
    out_shape: [usize; 4],
    output: &mut [i8],
) -> Result<(), KernelError> {
    average_pool_q(p, act_min, act_max, in_shape, input, out_shape, output)
}

/// Int16 average pooling, as [`average_pool_int8`] (TFLM's int16 `AveragePool`); windows of
/// more than `2^15` taps are `BadParams` (the int32 sum).
pub fn average_pool_int16(
    p: &PoolParams,
    act_min: i32,
    act_max: i32,
    in_shape: [usize; 4],
    input: &[i16],
    out_shape: [usize; 4],
    output: &mut [i16],
) -> Result<(), KernelError> {
    average_pool_q(p, act_min, act_max, in_shape, input, out_shape, output)
}

/// Most taps an average of `T` may have: the int32 sum of that many `T`s, rounded, fits.
pub const fn max_average_taps<T: QuantizedInt>() -> usize {
    MAX_AVERAGE_TAPS >> (8 * core::mem::size_of::<T>() - 8)
}

/// Channels one pass over a window accumulates at once: each tap is then one contiguous run
/// (one channel at a time in the compact build: less code).
const CHANNEL_BLOCK: usize = if crate::SMALL { 1 } else { 16 };

/// One window of [`for_each_window`]: first tap (channel 0), taps per row, rows, row stride,
/// channels.
#[derive(Clone, Copy)]
struct Window {
    first: usize,
    cols: usize,
    rows: usize,
    row_stride: usize,
    c: usize,
}

/// Folds each channel's taps of window `w` into one accumulator with `f` (per channel in
/// TFLM's row-then-column order), [`CHANNEL_BLOCK`] channels at a time so that each tap reads
/// a contiguous run, then hands each channel and its accumulator to `emit`.
#[inline]
fn fold_window<T: Copy, A: Copy>(
    input: &[T],
    w: Window,
    init: A,
    f: impl Fn(A, T) -> A,
    mut emit: impl FnMut(usize, A),
) {
    let mut ch0 = 0;
    while ch0 < w.c {
        let n = (w.c - ch0).min(CHANNEL_BLOCK);
        let mut acc = [init; CHANNEL_BLOCK];
        for r in 0..w.rows {
            for k in 0..w.cols {
                let at = w.first + r * w.row_stride + k * w.c + ch0;
                let xs = input.get(at..at.saturating_add(n)).unwrap_or(&[]);
                for (a, &x) in acc.iter_mut().zip(xs) {
                    *a = f(*a, x);
                }
            }
        }
        for (j, &a) in acc.iter().take(n).enumerate() {
            emit(ch0 + j, a);
        }
        ch0 += n;
    }
}

fn average_pool_q<T: QuantizedInt>(
    p: &PoolParams,
    act_min: i32,
    act_max: i32,
    in_shape: [usize; 4],
    input: &[T],
    out_shape: [usize; 4],
    output: &mut [T],
) -> Result<(), KernelError> {
    let g = check(p, in_shape, input.len(), out_shape, output.len())?;
    let c = g.c;
    for_each_window(p, &g, |out_base, first, cols, rows, row_stride| {
        let count = rows * cols;
        if count == 0 {
            return if c == 0 {
                Ok(())
            } else {
                Err(KernelError::BadParams)
            };
        }
        // TFLM sums in int32: up to 2^23 int8 taps the sum and its rounding stay in range.
        if count > max_average_taps::<T>() {
            return Err(KernelError::BadParams);
        }
        let count = count as i32;
        let w = Window {
            first,
            cols,
            rows,
            row_stride,
            c,
        };
        let sum = |a: i32, x: T| a.wrapping_add(x.widen());
        fold_window(input, w, 0i32, sum, |ch, acc| {
            // C integer division truncates toward zero, as Rust's does (`count` is positive
            // and the tap limit keeps the sum in range: neither division can fail).
            let avg = if acc > 0 {
                acc.wrapping_add(count / 2).checked_div(count)
            } else {
                acc.wrapping_sub(count / 2).checked_div(count)
            };
            if let Some(o) = output.get_mut(out_base + ch) {
                *o = T::wrap(clamp_i32(avg.unwrap_or(0), act_min, act_max));
            }
        });
        Ok(())
    })
}

/// Int8 max pooling: the largest tap inside the input (-128 if none), clamped to
/// `[act_min, act_max]` taken as int8 (as TFLM's `std::max<int8_t>`).
pub fn max_pool_int8(
    p: &PoolParams,
    act_min: i32,
    act_max: i32,
    in_shape: [usize; 4],
    input: &[i8],
    out_shape: [usize; 4],
    output: &mut [i8],
) -> Result<(), KernelError> {
    max_pool_q(p, act_min, act_max, in_shape, input, out_shape, output)
}

/// Int16 max pooling, as [`max_pool_int8`] (TFLM's int16 `MaxPool`).
pub fn max_pool_int16(
    p: &PoolParams,
    act_min: i32,
    act_max: i32,
    in_shape: [usize; 4],
    input: &[i16],
    out_shape: [usize; 4],
    output: &mut [i16],
) -> Result<(), KernelError> {
    max_pool_q(p, act_min, act_max, in_shape, input, out_shape, output)
}

fn max_pool_q<T: QuantizedInt>(
    p: &PoolParams,
    act_min: i32,
    act_max: i32,
    in_shape: [usize; 4],
    input: &[T],
    out_shape: [usize; 4],
    output: &mut [T],
) -> Result<(), KernelError> {
    let g = check(p, in_shape, input.len(), out_shape, output.len())?;
    let c = g.c;
    // The bounds taken as the element type, as TFLM's `std::max<T>`.
    let (lo, hi) = (T::wrap(act_min).widen(), T::wrap(act_max).widen());
    for_each_window(p, &g, |out_base, first, cols, rows, row_stride| {
        let w = Window {
            first,
            cols,
            rows,
            row_stride,
            c,
        };
        let larger = |m: i32, x: T| if m < x.widen() { x.widen() } else { m };
        fold_window(input, w, T::MIN, larger, |ch, max| {
            let max = if max < lo { lo } else { max };
            if let Some(o) = output.get_mut(out_base + ch) {
                *o = T::wrap(if hi < max { hi } else { max });
            }
        });
        Ok(())
    })
}

/// Float average pooling: the sum of the taps inside, in row order, divided by their count,
/// clamped. A window with no tap inside is `BadParams`.
pub fn average_pool_f32(
    p: &PoolParams,
    act_min: f32,
    act_max: f32,
    in_shape: [usize; 4],
    input: &[f32],
    out_shape: [usize; 4],
    output: &mut [f32],
) -> Result<(), KernelError> {
    let g = check(p, in_shape, input.len(), out_shape, output.len())?;
    let c = g.c;
    for_each_window(p, &g, |out_base, first, cols, rows, row_stride| {
        if rows * cols == 0 {
            return if c == 0 {
                Ok(())
            } else {
                Err(KernelError::BadParams)
            };
        }
        // TFLM counts taps in a float, one at a time.
        let mut count = 0.0f32;
        for _ in 0..rows * cols {
            count += 1.0;
        }
        let w = Window {
            first,
            cols,
            rows,
            row_stride,
            c,
        };
        fold_window(
            input,
            w,
            0.0f32,
            |t, x| t + x,
            |ch, total| {
                if let Some(o) = output.get_mut(out_base + ch) {
                    *o = clamp_f32(total / count, act_min, act_max);
                }
            },
        );
        Ok(())
    })
}

/// Float L2 pooling (L2_POOL_2D, TFLM's `reference_ops::L2Pool`): the square root of the mean
/// of the squared taps inside the input, clamped. A window with no tap inside is `BadParams`.
pub fn l2_pool_f32(
    p: &PoolParams,
    act_min: f32,
    act_max: f32,
    in_shape: [usize; 4],
    input: &[f32],
    out_shape: [usize; 4],
    output: &mut [f32],
) -> Result<(), KernelError> {
    let g = check(p, in_shape, input.len(), out_shape, output.len())?;
    let c = g.c;
    for_each_window(p, &g, |out_base, first, cols, rows, row_stride| {
        if rows * cols == 0 {
            return if c == 0 {
                Ok(())
            } else {
                Err(KernelError::BadParams)
            };
        }
        for ch in 0..c {
            let mut sum_squares = 0.0f32;
            for r in 0..rows {
                let row = first + r * row_stride + ch;
                for k in 0..cols {
                    let v = input[row + k * c];
                    sum_squares += v * v;
                }
            }
            // TFLM counts the taps in an int and divides in float.
            let mean = sum_squares / (rows * cols) as f32;
            output[out_base + ch] = clamp_f32(libm::sqrtf(mean), act_min, act_max);
        }
        Ok(())
    })
}

/// Float max pooling: the largest tap inside the input (`f32::MIN` if none), clamped.
pub fn max_pool_f32(
    p: &PoolParams,
    act_min: f32,
    act_max: f32,
    in_shape: [usize; 4],
    input: &[f32],
    out_shape: [usize; 4],
    output: &mut [f32],
) -> Result<(), KernelError> {
    let g = check(p, in_shape, input.len(), out_shape, output.len())?;
    let c = g.c;
    for_each_window(p, &g, |out_base, first, cols, rows, row_stride| {
        let w = Window {
            first,
            cols,
            rows,
            row_stride,
            c,
        };
        let larger = |m: f32, x: f32| if m < x { x } else { m };
        fold_window(input, w, f32::MIN, larger, |ch, max| {
            if let Some(o) = output.get_mut(out_base + ch) {
                *o = clamp_f32(max, act_min, act_max);
            }
        });
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::*;
    use proptest::prelude::*;

    fn geometry() -> impl Strategy<Value = (PoolParams, [usize; 4], [usize; 4])> {
        (
            1usize..=2,
            1usize..=8,
            1usize..=8,
            1usize..=3,
            1usize..=3,
            1usize..=3,
            1usize..=3,
            1usize..=3,
            any::<bool>(),
        )
            .prop_filter_map("fits", |(n, ih, iw, c, fh, fw, sh, sw, same)| {
                let pad = if same {
                    crate::Padding::Same
                } else {
                    crate::Padding::Valid
                };
                let (oh, ph) = crate::quant::compute_padding(pad, ih, fh, sh, 1).ok()?;
                let (ow, pw) = crate::quant::compute_padding(pad, iw, fw, sw, 1).ok()?;
                let p = PoolParams {
                    stride_h: sh,
                    stride_w: sw,
                    filter_h: fh,
                    filter_w: fw,
                    pad_h: ph,
                    pad_w: pw,
                };
                Some((p, [n, ih, iw, c], [n, oh, ow, c]))
            })
    }

    /// The taps of output (b, oy, ox) on channel ch that fall inside the input, in row order.
    fn taps<T: Copy>(
        p: &PoolParams,
        ins: [usize; 4],
        input: &[T],
        b: usize,
        oy: usize,
        ox: usize,
        ch: usize,
    ) -> Vec<T> {
        let mut v = Vec::new();
        for fy in 0..p.filter_h {
            for fx in 0..p.filter_w {
                let iy = (oy * p.stride_h + fy) as i64 - p.pad_h as i64;
                let ix = (ox * p.stride_w + fx) as i64 - p.pad_w as i64;
                if iy >= 0 && ix >= 0 && iy < ins[1] as i64 && ix < ins[2] as i64 {
                    v.push(
                        input[((b * ins[1] + iy as usize) * ins[2] + ix as usize) * ins[3] + ch],
                    );
                }
            }
        }
        v
    }

    #[test]
    fn hand_checked() {
        // 1x2x2x1 input, 2x2 window: average of [1, 2, 3, 5] = 2.75 -> 3; of negatives -> -3.
        let p = PoolParams {
            stride_h: 1,
            stride_w: 1,
            filter_h: 2,
            filter_w: 2,
            pad_h: 0,
            pad_w: 0,
        };
        let mut out = [0i8; 1];
        average_pool_int8(
            &p,
            -128,
            127,
            [1, 2, 2, 1],
            &[1, 2, 3, 5],
            [1, 1, 1, 1],
            &mut out,
        )
        .unwrap();
        assert_eq!(out, [3]);
        average_pool_int8(
            &p,
            -128,
            127,
            [1, 2, 2, 1],
            &[-1, -2, -3, -5],
            [1, 1, 1, 1],
            &mut out,
        )
        .unwrap();
        assert_eq!(out, [-3]);
        // -2.5 rounds away from zero to -3; 2.5 to 3.
        average_pool_int8(
            &p,
            -128,
            127,
            [1, 2, 2, 1],
            &[-1, -2, -3, -4],
            [1, 1, 1, 1],
            &mut out,
        )
        .unwrap();
        assert_eq!(out, [-3]);
        average_pool_int8(
            &p,
            -128,
            127,
            [1, 2, 2, 1],
            &[1, 2, 3, 4],
            [1, 1, 1, 1],
            &mut out,
        )
        .unwrap();
        assert_eq!(out, [3]);
        max_pool_int8(
            &p,
            -128,
            127,
            [1, 2, 2, 1],
            &[1, 9, 3, 4],
            [1, 1, 1, 1],
            &mut out,
        )
        .unwrap();
        assert_eq!(out, [9]);
        max_pool_int8(
            &p,
            0,
            5,
            [1, 2, 2, 1],
            &[1, 9, 3, 4],
            [1, 1, 1, 1],
            &mut out,
        )
        .unwrap();
        assert_eq!(out, [5]);
        // A window entirely in the padding.
        let far = PoolParams { pad_h: 5, ..p };
        let r = average_pool_int8(
            &far,
            -128,
            127,
            [1, 2, 2, 1],
            &[1, 2, 3, 4],
            [1, 1, 1, 1],
            &mut out,
        );
        assert_eq!(r, Err(KernelError::BadParams));
        max_pool_int8(
            &far,
            -128,
            127,
            [1, 2, 2, 1],
            &[1, 2, 3, 4],
            [1, 1, 1, 1],
            &mut out,
        )
        .unwrap();
        assert_eq!(out, [-128]);
        let mut f = [0f32; 1];
        average_pool_f32(
            &p,
            f32::MIN,
            f32::MAX,
            [1, 2, 2, 1],
            &[1.0, 2.0, 3.0, 5.0],
            [1, 1, 1, 1],
            &mut f,
        )
        .unwrap();
        assert_eq!(f, [2.75]);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn int8_matches_naive(
            (p, ins, outs, input, act) in geometry().prop_flat_map(|(p, ins, outs)| (
                Just(p), Just(ins), Just(outs), i8_vec(ins.iter().product()), act_range(),
            ))
        ) {
            let n_out: usize = outs.iter().product();
            let mut avg = vec![0i8; n_out];
            let mut max = vec![0i8; n_out];
            // SAME/VALID never produce an empty window.
            average_pool_int8(&p, act.0, act.1, ins, &input, outs, &mut avg).unwrap();
            max_pool_int8(&p, act.0, act.1, ins, &input, outs, &mut max).unwrap();
            for b in 0..outs[0] { for oy in 0..outs[1] { for ox in 0..outs[2] { for ch in 0..outs[3] {
                let t = taps(&p, ins, &input, b, oy, ox, ch);
                let sum: i64 = t.iter().map(|&v| v as i64).sum();
                let n = t.len() as i64;
                // Round half away from zero with exact rational arithmetic.
                let q = (2 * sum.abs() + n) / (2 * n);
                let mean = if sum < 0 { -q } else { q };
                let i = ((b * outs[1] + oy) * outs[2] + ox) * outs[3] + ch;
                prop_assert_eq!(avg[i], naive_out_i8(mean, act.0, act.1));
                let m = *t.iter().max().unwrap() as i64;
                prop_assert_eq!(max[i], naive_out_i8(m, act.0, act.1));
            }}}}
        }

        #[test]
        fn f32_matches_naive(
            (p, ins, outs, input) in geometry().prop_flat_map(|(p, ins, outs)| (
                Just(p), Just(ins), Just(outs), f32_vec(ins.iter().product()),
            ))
        ) {
            let n_out: usize = outs.iter().product();
            let mut avg = vec![0f32; n_out];
            let mut max = vec![0f32; n_out];
            average_pool_f32(&p, -1.0, 1.0, ins, &input, outs, &mut avg).unwrap();
            max_pool_f32(&p, -1.0, 1.0, ins, &input, outs, &mut max).unwrap();
            for b in 0..outs[0] { for oy in 0..outs[1] { for ox in 0..outs[2] { for ch in 0..outs[3] {
                let t = taps(&p, ins, &input, b, oy, ox, ch);
                let mean = t.iter().sum::<f32>() / t.len() as f32;
                let m = t.iter().cloned().fold(f32::MIN, f32::max);
                let i = ((b * outs[1] + oy) * outs[2] + ox) * outs[3] + ch;
                prop_assert!(close(avg[i], mean.max(-1.0).min(1.0)));
                prop_assert_eq!(max[i], m.max(-1.0).min(1.0));
            }}}}
        }
    }
}
