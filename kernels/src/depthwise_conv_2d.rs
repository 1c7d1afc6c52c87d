//! DEPTHWISE_CONV_2D: NHWC input `[n, h, w, in_c]`, filter `[1, kh, kw, out_c]` with
//! `out_c = in_c * depth_multiplier`; output channel `ic * depth_multiplier + m` reads input
//! channel `ic`.
//!
//! Matches TFLM's `reference_integer_ops::DepthwiseConvPerChannel` (int8) and
//! `reference_ops::DepthwiseConv` (float).

#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
use crate::arch::x86_64::depthwise as x86;
pub use crate::conv_2d::ConvParams;
use crate::conv_2d::{check_shapes, Geometry};
use crate::gemm::{all_simple, offset_fits_i16, rescale_simple, Requant};
pub use crate::quant::QuantParams;
use crate::quant::{QIn, QOut};
use crate::util::{clamp_f32, clamp_i32, host_buffer, tap_range};
use crate::KernelError;
use crate::SMALL;

/// DEPTHWISE_CONV_2D's [`check_shapes`].
#[allow(clippy::too_many_arguments)]
fn check(
    p: &ConvParams,
    depth_multiplier: usize,
    in_shape: [usize; 4],
    in_len: usize,
    filter_shape: [usize; 4],
    filter_len: usize,
    bias_len: Option<usize>,
    out_shape: [usize; 4],
    out_len: usize,
) -> Result<Geometry, KernelError> {
    check_shapes(
        p,
        Some(depth_multiplier),
        in_shape,
        in_len,
        filter_shape,
        filter_len,
        bias_len,
        out_shape,
        out_len,
    )
}

/// Accumulators of the fast depthwise paths (one output row segment by a channel chunk):
/// up to 8 KiB of scratch on 64-bit hosts, 1 KiB on microcontrollers.
#[cfg(target_pointer_width = "64")]
const ROW_ACC: usize = 2048;
/// Accumulators of the fast depthwise paths (one output row segment by a channel chunk):
/// up to 8 KiB of scratch on 64-bit hosts, 1 KiB on microcontrollers.
#[cfg(not(target_pointer_width = "64"))]
const ROW_ACC: usize = 256;

/// How the fast paths cut the work: output channels in chunks of `n` (whole depth-multiplier
/// groups), each output row in segments of `w` pixels, so that `w * n <= ROW_ACC`.
#[derive(Clone, Copy)]
struct Tiling {
    n: usize,
    w: usize,
}

/// The accumulator scratch (`i32` for int8, `f32` for float32) the fast depthwise paths use
/// for these shapes; 0 when none is used (the x86-64 vector paths, the reference path).
pub fn depthwise_conv_2d_scratch_len(
    depth_multiplier: usize,
    in_shape: [usize; 4],
    filter_shape: [usize; 4],
    out_shape: [usize; 4],
) -> usize {
    let [_, kh, kw, oc] = filter_shape;
    let g = Geometry {
        n: in_shape[0],
        ih: in_shape[1],
        iw: in_shape[2],
        ic: in_shape[3],
        oc,
        kh,
        kw,
        fic: 1,
        oh: out_shape[1],
        ow: out_shape[2],
        filters_per_group: depth_multiplier,
    };
    if SMALL {
        return 0;
    }
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    if oc.is_multiple_of(8)
        && kh.saturating_mul(kw) <= x86::MAX_TAPS
        && kw <= x86::MAX_TAPS
        && (depth_multiplier == 1 || depth_multiplier.is_multiple_of(8))
    {
        return 0;
    }
    tiling(&g, depth_multiplier).map_or(0, |t| t.n * t.w)
}

/// The least scratch [`depthwise_conv_2d_int8`] / [`depthwise_conv_2d_f32`] run their fast
/// paths with (one output pixel of a channel chunk); less runs the reference path.
pub fn depthwise_conv_2d_scratch_min(
    depth_multiplier: usize,
    in_shape: [usize; 4],
    filter_shape: [usize; 4],
    out_shape: [usize; 4],
) -> usize {
    let want = depthwise_conv_2d_scratch_len(depth_multiplier, in_shape, filter_shape, out_shape);
    let g = Geometry {
        n: in_shape[0],
        ih: in_shape[1],
        iw: in_shape[2],
        ic: in_shape[3],
        oc: filter_shape[3],
        kh: filter_shape[1],
        kw: filter_shape[2],
        fic: 1,
        oh: out_shape[1],
        ow: out_shape[2],
        filters_per_group: depth_multiplier,
    };
    match tiling(&g, depth_multiplier) {
        Some(t) if want > 0 => t.n,
        _ => 0,
    }
}

/// [`tiling`] for the scratch given: fewer pixels per row segment when it is short.
fn tiling_in(g: &Geometry, dm: usize, scratch: usize) -> Option<Tiling> {
    let t = tiling(g, dm)?;
    let w = t.w.min(scratch / t.n.max(1));
    (w > 0).then_some(Tiling { n: t.n, w })
}

fn tiling(g: &Geometry, dm: usize) -> Option<Tiling> {
    if dm == 0 || dm > ROW_ACC || g.oc == 0 || g.ow == 0 {
        return None;
    }
    // All channels at once when a few pixels fit, else the widest multiple of 8 groups.
    let n = if g.oc * 4 <= ROW_ACC {
        g.oc
    } else {
        let groups = (ROW_ACC / 4 / dm).max(1);
        let groups = if groups >= 8 { groups / 8 * 8 } else { groups };
        (groups * dm).min(g.oc)
    };
    let w = (ROW_ACC / n.max(1)).min(g.ow).max(1);
    Some(Tiling { n, w })
}

/// The output columns `ox` in `[lo, hi)` whose tap `kx` lands inside the input row, and for
/// each the input column `ox * stride + kx * dilation - pad`.
#[inline(always)]
pub(crate) fn valid_columns(
    p: &ConvParams,
    g: &Geometry,
    kx: usize,
    lo: usize,
    hi: usize,
) -> (usize, usize) {
    // ix >= 0  <=>  ox * s >= pad - kx * d;   ix < iw  <=>  ox * s < iw + pad - kx * d.
    let shift = (kx * p.dilation_w) as isize - p.pad_w as isize;
    let s = p.stride_w as isize;
    let first = if shift >= 0 { 0 } else { (-shift + s - 1) / s } as usize;
    let end = g.iw as isize - shift;
    let last = if end <= 0 {
        0
    } else {
        ((end + s - 1) / s) as usize
    };
    (first.max(lo), last.min(hi).max(first.max(lo)))
}

#[cfg(microlite_arm_dsp)]
use crate::arch::arm::depthwise::mac_i8;

/// `acc[j] += (x[j] + off) * f[j]` over a pixel's `n` channels (`dm == 1`), 8 at a time.
#[cfg(not(microlite_arm_dsp))]
#[inline(always)]
fn mac_i8(acc: &mut [i32], xs: &[i8], fs: &[i8], off: i16) {
    let n = acc.len();
    let (xs, fs) = (&xs[..n], &fs[..n]);
    let n8 = n - n % 8;
    for ((a, x), f) in acc[..n8]
        .chunks_exact_mut(8)
        .zip(xs.chunks_exact(8))
        .zip(fs.chunks_exact(8))
    {
        for j in 0..8 {
            let v = (x[j] as i16).wrapping_add(off) as i32 * f[j] as i32;
            a[j] = a[j].wrapping_add(v);
        }
    }
    for ((a, &x), &f) in acc[n8..].iter_mut().zip(&xs[n8..]).zip(&fs[n8..]) {
        *a = a.wrapping_add((x as i16).wrapping_add(off) as i32 * f as i32);
    }
}

/// `acc[j] += x[j] * f[j]` over a pixel's `n` channels (`dm == 1`), 8 at a time.
#[inline(always)]
fn mac_f32(acc: &mut [f32], xs: &[f32], fs: &[f32]) {
    let n = acc.len();
    let (xs, fs) = (&xs[..n], &fs[..n]);
    let n8 = n - n % 8;
    for ((a, x), f) in acc[..n8]
        .chunks_exact_mut(8)
        .zip(xs.chunks_exact(8))
        .zip(fs.chunks_exact(8))
    {
        for j in 0..8 {
            a[j] += x[j] * f[j];
        }
    }
    for ((a, &x), &f) in acc[n8..].iter_mut().zip(&xs[n8..]).zip(&fs[n8..]) {
        *a += x * f;
    }
}

/// Walks the output in row segments for the fast paths: for each channel chunk `c0..c0 + n`
/// and segment of `w` output pixels, `init(acc)`, then `tap(acc_pixel, input_offset,
/// filter_offset)` for every (tap, pixel) with the tap inside the input — taps in TFLM's
/// row-then-column order for every pixel — then `done(acc, output_offset, pixels)`.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn walk_rows<A: Copy>(
    p: &ConvParams,
    g: &Geometry,
    t: Tiling,
    acc: &mut [A],
    mut init: impl FnMut(&mut [A], usize, usize),
    mut tap: impl FnMut(&mut [A], usize, usize, usize),
    mut done: impl FnMut(&[A], usize, usize, usize),
) {
    let Tiling { n, w } = t;
    let mut c0 = 0;
    while c0 < g.oc {
        let n = n.min(g.oc - c0);
        for b in 0..g.n {
            for oy in 0..g.oh {
                let y0 = (oy * p.stride_h) as isize - p.pad_h as isize;
                let (ky_lo, ky_hi) = tap_range(y0, p.dilation_h, g.kh, g.ih);
                let mut ox0 = 0;
                while ox0 < g.ow {
                    let ox1 = (ox0 + w).min(g.ow);
                    let seg = &mut acc[..(ox1 - ox0) * n];
                    init(seg, c0, n);
                    for ky in ky_lo..ky_hi {
                        let iy = (y0 + (ky * p.dilation_h) as isize) as usize;
                        let row = (b * g.ih + iy) * g.iw;
                        for kx in 0..g.kw {
                            let (lo, hi) = valid_columns(p, g, kx, ox0, ox1);
                            let fi = (ky * g.kw + kx) * g.oc + c0;
                            for ox in lo..hi {
                                let ix = ox * p.stride_w + kx * p.dilation_w - p.pad_w;
                                let a = &mut seg[(ox - ox0) * n..(ox - ox0 + 1) * n];
                                tap(a, (row + ix) * g.ic, fi, c0);
                            }
                        }
                    }
                    done(
                        seg,
                        ((b * g.oh + oy) * g.ow + ox0) * g.oc + c0,
                        ox1 - ox0,
                        n,
                    );
                    ox0 = ox1;
                }
            }
        }
        c0 += n;
    }
}

/// Int8 depthwise convolution with per-channel (or per-tensor) requantization, as TFLM's
/// `DepthwiseConvPerChannel`; padding taps are skipped.
///
/// Fast path: a segment of an output row accumulates at once, tap by tap, over contiguous
/// channels as vector operations (the input offset added in `i16`, exact), then is rescaled
/// with each channel's constants hoisted; equal to [`reference::depthwise_conv_2d_int8`]
/// bit for bit.
#[allow(clippy::too_many_arguments)]
pub fn depthwise_conv_2d_int8(
    p: &ConvParams,
    depth_multiplier: usize,
    q: &QuantParams,
    in_shape: [usize; 4],
    input: &[i8],
    filter_shape: [usize; 4],
    filter: &[i8],
    bias: Option<&[i32]>,
    out_shape: [usize; 4],
    output: &mut [i8],
    scratch: &mut [i32],
) -> Result<(), KernelError> {
    let want = depthwise_conv_2d_scratch_len(depth_multiplier, in_shape, filter_shape, out_shape);
    host_buffer::<i32, { ROW_ACC }, _>(scratch, want, |scratch| {
        depthwise_conv_2d_int8_in(
            p,
            depth_multiplier,
            q,
            in_shape,
            input,
            filter_shape,
            filter,
            bias,
            out_shape,
            output,
            scratch,
        )
    })
}

#[allow(clippy::too_many_arguments)]
fn depthwise_conv_2d_int8_in(
    p: &ConvParams,
    depth_multiplier: usize,
    q: &QuantParams,
    in_shape: [usize; 4],
    input: &[i8],
    filter_shape: [usize; 4],
    filter: &[i8],
    bias: Option<&[i32]>,
    out_shape: [usize; 4],
    output: &mut [i8],
    scratch: &mut [i32],
) -> Result<(), KernelError> {
    let g = check(
        p,
        depth_multiplier,
        in_shape,
        input.len(),
        filter_shape,
        filter.len(),
        bias.map(|b| b.len()),
        out_shape,
        output.len(),
    )?;
    let per_channel = q.check(g.oc)?;
    let dm = depth_multiplier;
    macro_rules! fallback {
        () => {
            reference::depthwise_conv_2d_int8(
                p,
                depth_multiplier,
                q,
                in_shape,
                input,
                filter_shape,
                filter,
                bias,
                out_shape,
                output,
            )
        };
    }
    if SMALL || tiling(&g, dm).is_none() || !offset_fits_i16(q.input_offset) {
        return fallback!();
    }
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    if g.oc.is_multiple_of(8) && g.kh * g.kw <= x86::MAX_TAPS && g.kw <= x86::MAX_TAPS {
        if dm == 1 {
            x86::depthwise_int8_sse2::<false>(p, &g, q, per_channel, input, filter, bias, output);
            return Ok(());
        }
        if dm.is_multiple_of(8) {
            x86::depthwise_int8_sse2::<true>(p, &g, q, per_channel, input, filter, bias, output);
            return Ok(());
        }
    }
    #[cfg(microlite_arm_dsp)]
    if (dm == 1 || dm.is_multiple_of(4)) && g.oc.is_multiple_of(4) && scratch.len() >= g.oc {
        use crate::arch::arm::depthwise::depthwise_fours_i8 as fours;
        let run = if dm == 1 {
            fours::<true>
        } else {
            fours::<false>
        };
        run(
            p,
            &g,
            dm,
            q,
            per_channel,
            input,
            filter,
            bias,
            output,
            scratch,
        );
        return Ok(());
    }
    // The portable path: accumulators tiled to the scratch given.
    let Some(t) = tiling_in(&g, dm, scratch.len()) else {
        return fallback!();
    };
    let off = q.input_offset as i16;
    let (out_off, lo, hi) = (q.output_offset, q.act_min, q.act_max);
    let simple = all_simple(q);
    walk_rows(
        p,
        &g,
        t,
        scratch,
        // Accumulators start from the bias (wrapping sums: the order does not matter).
        |seg, c0, n| {
            for px in seg.chunks_exact_mut(n) {
                match bias {
                    Some(b) => px.copy_from_slice(&b[c0..c0 + n]),
                    None => px.fill(0),
                }
            }
        },
        |a, xi, fi, c0| {
            let n = a.len();
            let fs = &filter[fi..fi + n];
            if dm == 1 {
                mac_i8(a, &input[xi + c0..xi + c0 + n], fs, off);
            } else if dm.is_multiple_of(8) {
                // Each input value feeds `dm` outputs: broadcast it over blocks of 8.
                let xs = &input[xi + c0 / dm..xi + c0 / dm + n / dm];
                for ((ag, &x), fg) in a.chunks_exact_mut(dm).zip(xs).zip(fs.chunks_exact(dm)) {
                    let x = (x as i16).wrapping_add(off) as i32;
                    for (a8, f8) in ag.chunks_exact_mut(8).zip(fg.chunks_exact(8)) {
                        for j in 0..8 {
                            a8[j] = a8[j].wrapping_add(x * f8[j] as i32);
                        }
                    }
                }
            } else {
                let xs = &input[xi + c0 / dm..xi + c0 / dm + n / dm];
                for ((ag, &x), fg) in a.chunks_exact_mut(dm).zip(xs).zip(fs.chunks_exact(dm)) {
                    let x = (x as i16).wrapping_add(off) as i32;
                    for (v, &f) in ag.iter_mut().zip(fg) {
                        *v = v.wrapping_add(x * f as i32);
                    }
                }
            }
        },
        |seg, at, pixels, n| {
            let c0 = at % g.oc;
            if simple {
                // Pixel by pixel, each channel's constants read as they are used: no per
                // channel set-up, which short row segments would pay again and again.
                let pc = usize::from(per_channel);
                for (p, accs) in seg.chunks_exact(n).take(pixels).enumerate() {
                    let outs = &mut output[at + p * g.oc..at + p * g.oc + n];
                    for (c, (o, &a)) in outs.iter_mut().zip(accs).enumerate() {
                        let k = (c0 + c) * pc;
                        let v = rescale_simple(a, q.multipliers[k], q.shifts[k]);
                        *o = clamp_i32(v.wrapping_add(out_off), lo, hi) as i8;
                    }
                }
                return;
            }
            let outs = &mut output[at..at + (pixels - 1) * g.oc + n];
            for (c, o) in (c0..c0 + n).enumerate() {
                let (m, s) = q.channel(per_channel, o);
                Requant::new(m, s).run(
                    seg[c..].iter().step_by(n).copied(),
                    outs[c..].iter_mut().step_by(g.oc),
                    out_off,
                    lo,
                    hi,
                );
            }
        },
    );
    Ok(())
}

/// Float depthwise convolution as TFLM's `reference_ops::DepthwiseConv`: per output, the
/// sum over rows then columns, plus bias, clamped to `[act_min, act_max]`.
///
/// Fast path: output row segments accumulate tap by tap over contiguous channels, each
/// output summing its taps in TFLM's order, so results equal
/// [`reference::depthwise_conv_2d_f32`] bit for bit.
#[allow(clippy::too_many_arguments)]
pub fn depthwise_conv_2d_f32(
    p: &ConvParams,
    depth_multiplier: usize,
    act_min: f32,
    act_max: f32,
    in_shape: [usize; 4],
    input: &[f32],
    filter_shape: [usize; 4],
    filter: &[f32],
    bias: Option<&[f32]>,
    out_shape: [usize; 4],
    output: &mut [f32],
    scratch: &mut [f32],
) -> Result<(), KernelError> {
    let want = depthwise_conv_2d_scratch_len(depth_multiplier, in_shape, filter_shape, out_shape);
    host_buffer::<f32, { ROW_ACC }, _>(scratch, want, |scratch| {
        depthwise_conv_2d_f32_in(
            p,
            depth_multiplier,
            act_min,
            act_max,
            in_shape,
            input,
            filter_shape,
            filter,
            bias,
            out_shape,
            output,
            scratch,
        )
    })
}

#[allow(clippy::too_many_arguments)]
fn depthwise_conv_2d_f32_in(
    p: &ConvParams,
    depth_multiplier: usize,
    act_min: f32,
    act_max: f32,
    in_shape: [usize; 4],
    input: &[f32],
    filter_shape: [usize; 4],
    filter: &[f32],
    bias: Option<&[f32]>,
    out_shape: [usize; 4],
    output: &mut [f32],
    scratch: &mut [f32],
) -> Result<(), KernelError> {
    let g = check(
        p,
        depth_multiplier,
        in_shape,
        input.len(),
        filter_shape,
        filter.len(),
        bias.map(|b| b.len()),
        out_shape,
        output.len(),
    )?;
    let dm = depth_multiplier;
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    if !SMALL && g.oc.is_multiple_of(8) && g.kh * g.kw <= x86::MAX_TAPS && g.kw <= x86::MAX_TAPS {
        let (i, f, o) = (input, filter, &mut *output);
        if dm == 1 {
            x86::depthwise_f32_sse2::<false>(p, &g, act_min, act_max, i, f, bias, o);
            return Ok(());
        }
        if dm.is_multiple_of(8) {
            x86::depthwise_f32_sse2::<true>(p, &g, act_min, act_max, i, f, bias, o);
            return Ok(());
        }
    }
    let Some(t) = tiling_in(&g, dm, scratch.len()).filter(|_| !SMALL) else {
        return reference::depthwise_conv_2d_f32(
            p,
            depth_multiplier,
            act_min,
            act_max,
            in_shape,
            input,
            filter_shape,
            filter,
            bias,
            out_shape,
            output,
        );
    };
    walk_rows(
        p,
        &g,
        t,
        scratch,
        |seg, _, _| seg.fill(0.0),
        |a, xi, fi, c0| {
            let n = a.len();
            let fs = &filter[fi..fi + n];
            if dm == 1 {
                mac_f32(a, &input[xi + c0..xi + c0 + n], fs);
            } else {
                let xs = &input[xi + c0 / dm..xi + c0 / dm + n / dm];
                for ((ag, &x), fg) in a.chunks_exact_mut(dm).zip(xs).zip(fs.chunks_exact(dm)) {
                    for (v, &f) in ag.iter_mut().zip(fg) {
                        *v += x * f;
                    }
                }
            }
        },
        |seg, at, pixels, n| {
            let c0 = at % g.oc;
            for px in 0..pixels {
                let outs = &mut output[at + px * g.oc..at + px * g.oc + n];
                for (c, (o, &v)) in outs.iter_mut().zip(&seg[px * n..]).enumerate() {
                    let bias_value = match bias {
                        Some(bias) => bias[c0 + c],
                        None => 0.0,
                    };
                    *o = clamp_f32(v + bias_value, act_min, act_max);
                }
            }
        },
    );
    Ok(())
}

/// 16x8 depthwise convolution (int16 activations, int8 weights, int64 bias) as TFLM's int16
/// `DepthwiseConvPerChannel`: `i64` sums, the 64-bit rescale per channel, no zero points (TFLM
/// ignores them for int16), clamped to the activation range. (TFLM reads any bias as int64.)
///
/// # Errors
/// [`KernelError::ShapeMismatch`] when a slice does not fit its shape;
/// [`KernelError::BadParams`] for multipliers neither one nor one per output channel.
#[allow(clippy::too_many_arguments)]
pub fn depthwise_conv_2d_int16(
    p: &ConvParams,
    depth_multiplier: usize,
    q: &QuantParams,
    in_shape: [usize; 4],
    input: &[i16],
    filter_shape: [usize; 4],
    filter: &[i8],
    bias: Option<&[crate::quant::I64Le]>,
    out_shape: [usize; 4],
    output: &mut [i16],
) -> Result<(), KernelError> {
    let shapes = (in_shape, filter_shape, out_shape);
    let bias = crate::quant::Bias16::Int64(bias);
    depthwise_q(
        p,
        depth_multiplier,
        q,
        shapes,
        QIn::I16(input),
        filter,
        bias,
        QOut::I16(output),
    )
}

/// The int8 reference and the 16x8 depthwise convolution in one (one copy of the loops): as
/// `conv_2d`'s `conv_q`, per input channel and depth multiplier.
#[allow(clippy::too_many_arguments)]
fn depthwise_q(
    p: &ConvParams,
    depth_multiplier: usize,
    q: &QuantParams,
    (in_shape, filter_shape, out_shape): ([usize; 4], [usize; 4], [usize; 4]),
    input: QIn<'_>,
    filter: &[i8],
    bias: crate::quant::Bias16<'_>,
    mut output: QOut<'_>,
) -> Result<(), KernelError> {
    let (in_len, out_len) = match (&input, &output) {
        (QIn::I8(x), QOut::I8(y)) => (x.len(), y.len()),
        (QIn::I16(x), QOut::I16(y)) => (x.len(), y.len()),
        _ => return Err(KernelError::BadParams),
    };
    let g = check(
        p,
        depth_multiplier,
        in_shape,
        in_len,
        filter_shape,
        filter.len(),
        bias.count(),
        out_shape,
        out_len,
    )?;
    let per_channel = q.check(g.oc)?;
    let in_off = q.input_offset;
    for b in 0..g.n {
        for oy in 0..g.oh {
            let y0 = (oy * p.stride_h) as isize - p.pad_h as isize;
            let (ky_lo, ky_hi) = tap_range(y0, p.dilation_h, g.kh, g.ih);
            for ox in 0..g.ow {
                let x0 = (ox * p.stride_w) as isize - p.pad_w as isize;
                let (kx_lo, kx_hi) = tap_range(x0, p.dilation_w, g.kw, g.iw);
                let out_base = ((b * g.oh + oy) * g.ow + ox) * g.oc;
                for ic in 0..g.ic {
                    for m in 0..depth_multiplier {
                        let o = ic * depth_multiplier + m;
                        let mut acc: i64 = 0;
                        for ky in ky_lo..ky_hi {
                            let iy = (y0 + (ky * p.dilation_h) as isize) as usize;
                            let in_row = (b * g.ih + iy) * g.iw;
                            let f_row = ky * g.kw;
                            for kx in kx_lo..kx_hi {
                                let ix = (x0 + (kx * p.dilation_w) as isize) as usize;
                                let at = (in_row + ix) * g.ic + ic;
                                let x = match &input {
                                    QIn::I8(x) => x.get(at).map_or(0, |&v| i32::from(v)),
                                    QIn::I16(x) => x.get(at).map_or(0, |&v| i32::from(v)),
                                };
                                let f = filter
                                    .get((f_row + kx) * g.oc + o)
                                    .map_or(0, |&v| i32::from(v));
                                acc = acc.wrapping_add(i64::from(
                                    f.wrapping_mul(x.wrapping_add(in_off)),
                                ));
                            }
                        }
                        acc = acc.wrapping_add(bias.get(o));
                        let (mul, s) = q.channel_get(per_channel, o);
                        let v = clamp_i32(
                            bias.rescale(acc, mul, s).wrapping_add(q.output_offset),
                            q.act_min,
                            q.act_max,
                        );
                        output.set(out_base + o, v);
                    }
                }
            }
        }
    }
    Ok(())
}

/// The straightforward kernels, kept as the oracle of the fast paths and their fallback.
pub mod reference {
    use super::*;

    /// Int8 depthwise convolution with per-channel (or per-tensor) requantization, as TFLM's
    /// `DepthwiseConvPerChannel`; padding taps are skipped.
    #[allow(clippy::too_many_arguments)]
    pub fn depthwise_conv_2d_int8(
        p: &ConvParams,
        depth_multiplier: usize,
        q: &QuantParams,
        in_shape: [usize; 4],
        input: &[i8],
        filter_shape: [usize; 4],
        filter: &[i8],
        bias: Option<&[i32]>,
        out_shape: [usize; 4],
        output: &mut [i8],
    ) -> Result<(), KernelError> {
        let shapes = (in_shape, filter_shape, out_shape);
        let bias = crate::quant::Bias16::Int32(bias);
        depthwise_q(
            p,
            depth_multiplier,
            q,
            shapes,
            QIn::I8(input),
            filter,
            bias,
            QOut::I8(output),
        )
    }

    /// Float depthwise convolution as TFLM's `reference_ops::DepthwiseConv`: per output, the
    /// sum over rows then columns, plus bias, clamped to `[act_min, act_max]`.
    #[allow(clippy::too_many_arguments)]
    pub fn depthwise_conv_2d_f32(
        p: &ConvParams,
        depth_multiplier: usize,
        act_min: f32,
        act_max: f32,
        in_shape: [usize; 4],
        input: &[f32],
        filter_shape: [usize; 4],
        filter: &[f32],
        bias: Option<&[f32]>,
        out_shape: [usize; 4],
        output: &mut [f32],
    ) -> Result<(), KernelError> {
        let g = check(
            p,
            depth_multiplier,
            in_shape,
            input.len(),
            filter_shape,
            filter.len(),
            bias.map(|b| b.len()),
            out_shape,
            output.len(),
        )?;
        for b in 0..g.n {
            for oy in 0..g.oh {
                let y0 = (oy * p.stride_h) as isize - p.pad_h as isize;
                let (ky_lo, ky_hi) = tap_range(y0, p.dilation_h, g.kh, g.ih);
                for ox in 0..g.ow {
                    let x0 = (ox * p.stride_w) as isize - p.pad_w as isize;
                    let (kx_lo, kx_hi) = tap_range(x0, p.dilation_w, g.kw, g.iw);
                    let out_base = ((b * g.oh + oy) * g.ow + ox) * g.oc;
                    for ic in 0..g.ic {
                        for m in 0..depth_multiplier {
                            let o = ic * depth_multiplier + m;
                            let mut total = 0.0f32;
                            for ky in ky_lo..ky_hi {
                                let iy = (y0 + (ky * p.dilation_h) as isize) as usize;
                                let in_row = (b * g.ih + iy) * g.iw;
                                let f_row = ky * g.kw;
                                for kx in kx_lo..kx_hi {
                                    let ix = (x0 + (kx * p.dilation_w) as isize) as usize;
                                    let x = input.get((in_row + ix) * g.ic + ic);
                                    let f = filter.get((f_row + kx) * g.oc + o);
                                    total += x.copied().unwrap_or(0.0) * f.copied().unwrap_or(0.0);
                                }
                            }
                            let bias_value = bias.and_then(|b| b.get(o)).copied().unwrap_or(0.0);
                            if let Some(y) = output.get_mut(out_base + o) {
                                *y = clamp_f32(total + bias_value, act_min, act_max);
                            }
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::*;
    use proptest::prelude::*;

    /// Geometry: (params, depth multiplier, in_shape, filter_shape, out_shape).
    fn geometry() -> impl Strategy<Value = (ConvParams, usize, [usize; 4], [usize; 4], [usize; 4])>
    {
        (
            1usize..=2,
            1usize..=7,
            1usize..=7,
            1usize..=4,
            1usize..=3,
            1usize..=3,
            1usize..=3,
            1usize..=2,
            1usize..=2,
            1usize..=2,
            1usize..=2,
            any::<bool>(),
        )
            .prop_filter_map(
                "window fits",
                |(n, ih, iw, ic, dm, kh, kw, sh, sw, dh, dw, same)| {
                    let pad = if same {
                        crate::Padding::Same
                    } else {
                        crate::Padding::Valid
                    };
                    let (oh, ph) = crate::quant::compute_padding(pad, ih, kh, sh, dh).ok()?;
                    let (ow, pw) = crate::quant::compute_padding(pad, iw, kw, sw, dw).ok()?;
                    let p = ConvParams {
                        stride_h: sh,
                        stride_w: sw,
                        dilation_h: dh,
                        dilation_w: dw,
                        pad_h: ph,
                        pad_w: pw,
                    };
                    Some((
                        p,
                        dm,
                        [n, ih, iw, ic],
                        [1, kh, kw, ic * dm],
                        [n, oh, ow, ic * dm],
                    ))
                },
            )
    }

    /// The input value under tap (ky, kx) of output (b, oy, ox) on channel c, if inside.
    fn tap<T: Copy>(
        p: &ConvParams,
        ins: [usize; 4],
        input: &[T],
        b: usize,
        oy: usize,
        ox: usize,
        ky: usize,
        kx: usize,
        c: usize,
    ) -> Option<T> {
        let iy = (oy * p.stride_h + ky * p.dilation_h) as i64 - p.pad_h as i64;
        let ix = (ox * p.stride_w + kx * p.dilation_w) as i64 - p.pad_w as i64;
        if iy < 0 || ix < 0 || iy >= ins[1] as i64 || ix >= ins[2] as i64 {
            return None;
        }
        Some(input[((b * ins[1] + iy as usize) * ins[2] + ix as usize) * ins[3] + c])
    }

    #[test]
    fn hand_checked() {
        // 1x2x2x2 input, depth multiplier 2, 1x1 filter: out[c*2+m] = in[c] * f[c*2+m].
        let input = [1i8, 2, 3, 4, 5, 6, 7, 8];
        let filter = [1i8, -1, 2, -2];
        let p = ConvParams {
            stride_h: 1,
            stride_w: 1,
            dilation_h: 1,
            dilation_w: 1,
            pad_h: 0,
            pad_w: 0,
        };
        let q = QuantParams {
            input_offset: 0,
            output_offset: 0,
            act_min: -128,
            act_max: 127,
            multipliers: &[1 << 30],
            shifts: &[1],
        };
        let mut out = [0i8; 16];
        depthwise_conv_2d_int8(
            &p,
            2,
            &q,
            [1, 2, 2, 2],
            &input,
            [1, 1, 1, 4],
            &filter,
            None,
            [1, 2, 2, 4],
            &mut out,
            &mut vec![
                0i32;
                crate::depthwise_conv_2d::depthwise_conv_2d_scratch_len(
                    2,
                    [1, 2, 2, 2],
                    [1, 1, 1, 4],
                    [1, 2, 2, 4]
                )
            ],
        )
        .unwrap();
        assert_eq!(&out[..8], &[1, -1, 4, -4, 3, -3, 8, -8]);
        let r = depthwise_conv_2d_int8(
            &p,
            3,
            &q,
            [1, 2, 2, 2],
            &input,
            [1, 1, 1, 4],
            &filter,
            None,
            [1, 2, 2, 4],
            &mut out,
            &mut vec![
                0i32;
                crate::depthwise_conv_2d::depthwise_conv_2d_scratch_len(
                    3,
                    [1, 2, 2, 2],
                    [1, 1, 1, 4],
                    [1, 2, 2, 4]
                )
            ],
        );
        assert_eq!(r, Err(KernelError::ShapeMismatch));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn int8_matches_naive(
            (p, dm, ins, fs, outs, input, filter, bias, mults, per_channel, (in_zp, out_zp), act) in geometry().prop_flat_map(|(p, dm, ins, fs, outs)| {
                let oc = fs[3];
                (
                    Just(p), Just(dm), Just(ins), Just(fs), Just(outs),
                    i8_vec(ins.iter().product()),
                    i8_vec(fs.iter().product()),
                    proptest::option::of(proptest::collection::vec(-5000i32..5000, oc)),
                    proptest::collection::vec(multiplier(), oc),
                    any::<bool>(),
                    (-128i32..=127, -128i32..=127),
                    act_range(),
                )
            })
        ) {
            let mults = if per_channel { mults } else { vec![mults[0]] };
            let m: Vec<i32> = mults.iter().map(|x| x.0).collect();
            let s: Vec<i8> = mults.iter().map(|x| crate::quant::clamp_shift(x.1)).collect();
            let q = QuantParams { input_offset: -in_zp, output_offset: out_zp, act_min: act.0, act_max: act.1, multipliers: &m, shifts: &s };
            let mut out = vec![0i8; outs.iter().product()];
            depthwise_conv_2d_int8(&p, dm, &q, ins, &input, fs, &filter, bias.as_deref(), outs, &mut out, &mut vec![0i32; crate::depthwise_conv_2d::depthwise_conv_2d_scratch_len(dm, ins, fs, outs)],).unwrap();
            let oc = fs[3];
            for b in 0..outs[0] { for oy in 0..outs[1] { for ox in 0..outs[2] { for o in 0..oc {
                let c = o / dm;
                let mut acc: i64 = bias.as_ref().map_or(0, |bb| bb[o] as i64);
                for ky in 0..fs[1] { for kx in 0..fs[2] {
                    if let Some(x) = tap(&p, ins, &input, b, oy, ox, ky, kx, c) {
                        acc += filter[(ky * fs[2] + kx) * oc + o] as i64 * (x as i64 - in_zp as i64);
                    }
                }}
                let (mm, ss) = if mults.len() == 1 { mults[0] } else { mults[o] };
                let want = naive_out_i8(naive_mbqm(acc as i32, mm, ss) as i64 + out_zp as i64, act.0, act.1);
                prop_assert_eq!(out[((b * outs[1] + oy) * outs[2] + ox) * oc + o], want);
            }}}}
        }

        #[test]
        fn f32_matches_naive(
            (p, dm, ins, fs, outs, input, filter, bias) in geometry().prop_flat_map(|(p, dm, ins, fs, outs)| {
                (
                    Just(p), Just(dm), Just(ins), Just(fs), Just(outs),
                    f32_vec(ins.iter().product()),
                    f32_vec(fs.iter().product()),
                    proptest::option::of(f32_vec(fs[3])),
                )
            })
        ) {
            let mut out = vec![0f32; outs.iter().product()];
            depthwise_conv_2d_f32(&p, dm, -1.5, 1.5, ins, &input, fs, &filter, bias.as_deref(), outs, &mut out, &mut vec![0.0f32; crate::depthwise_conv_2d::depthwise_conv_2d_scratch_len(dm, ins, fs, outs)],).unwrap();
            let oc = fs[3];
            for b in 0..outs[0] { for oy in 0..outs[1] { for ox in 0..outs[2] { for o in 0..oc {
                let mut acc = 0f32;
                for ky in 0..fs[1] { for kx in 0..fs[2] {
                    if let Some(x) = tap(&p, ins, &input, b, oy, ox, ky, kx, o / dm) {
                        acc += x * filter[(ky * fs[2] + kx) * oc + o];
                    }
                }}
                acc += bias.as_ref().map_or(0.0, |bb| bb[o]);
                let want = acc.max(-1.5).min(1.5);
                let got = out[((b * outs[1] + oy) * outs[2] + ox) * oc + o];
                prop_assert!(close(got, want), "got {} want {}", got, want);
            }}}}
        }
    }

    /// Geometry for the fast paths: up to 40 input channels (chunks of 32 plus remainders).
    fn fast_geometry(
    ) -> impl Strategy<Value = (ConvParams, usize, [usize; 4], [usize; 4], [usize; 4])> {
        (
            (
                1usize..=2,
                1usize..=8,
                1usize..=8,
                // Multiples of 8 channels with multiplier 1 take the SSE2 path on x86-64.
                prop_oneof![3 => 1usize..=40, 2 => (1usize..=6).prop_map(|k| 8 * k), 1 => 500usize..=700],
                prop_oneof![2 => Just(1usize), 1 => 1usize..=9],
            ),
            (
                1usize..=4,
                1usize..=4,
                1usize..=2,
                1usize..=2,
                1usize..=2,
                1usize..=2,
            ),
            any::<bool>(),
        )
            .prop_filter_map(
                "window fits",
                |((n, ih, iw, ic, dm), (kh, kw, sh, sw, dh, dw), same)| {
                    let pad = if same {
                        crate::Padding::Same
                    } else {
                        crate::Padding::Valid
                    };
                    let (oh, ph) = crate::quant::compute_padding(pad, ih, kh, sh, dh).ok()?;
                    let (ow, pw) = crate::quant::compute_padding(pad, iw, kw, sw, dw).ok()?;
                    let p = ConvParams {
                        stride_h: sh,
                        stride_w: sw,
                        dilation_h: dh,
                        dilation_w: dw,
                        pad_h: ph,
                        pad_w: pw,
                    };
                    Some((
                        p,
                        dm,
                        [n, ih, iw, ic],
                        [1, kh, kw, ic * dm],
                        [n, oh, ow, ic * dm],
                    ))
                },
            )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        /// The fast int8 path equals the reference kernel bit for bit.
        #[test]
        fn int8_fast_matches_reference(
            ((p, dm, ins, fs, outs), input, filter, bias, mults, per_channel, in_off, out_zp, act) in fast_geometry().prop_flat_map(|(p, dm, ins, fs, outs)| {
                let oc = fs[3];
                (
                    Just((p, dm, ins, fs, outs)),
                    i8_vec(ins.iter().product()),
                    i8_vec(fs.iter().product()),
                    proptest::option::of(proptest::collection::vec(prop_oneof![4 => -20000i32..20000, 1 => any::<i32>()], oc)),
                    proptest::collection::vec(prop_oneof![4 => multiplier(), 1 => (any::<i32>(), -40i32..40)], oc),
                    any::<bool>(),
                    prop_oneof![4 => -127i32..=128, 1 => -32000i32..32000, 1 => any::<i32>()],
                    prop_oneof![4 => -128i32..=127, 1 => any::<i32>()],
                    act_range(),
                )
            })
        ) {
            let mults = if per_channel { mults } else { vec![mults[0]] };
            let m: Vec<i32> = mults.iter().map(|x| x.0).collect();
            let s: Vec<i8> = mults.iter().map(|x| crate::quant::clamp_shift(x.1)).collect();
            let q = QuantParams { input_offset: in_off, output_offset: out_zp, act_min: act.0, act_max: act.1, multipliers: &m, shifts: &s };
            let mut got = vec![0i8; outs.iter().product()];
            let mut want = got.clone();
            depthwise_conv_2d_int8(&p, dm, &q, ins, &input, fs, &filter, bias.as_deref(), outs, &mut got, &mut vec![0i32; crate::depthwise_conv_2d::depthwise_conv_2d_scratch_len(dm, ins, fs, outs)],).unwrap();
            reference::depthwise_conv_2d_int8(&p, dm, &q, ins, &input, fs, &filter, bias.as_deref(), outs, &mut want).unwrap();
            prop_assert_eq!(got, want);
        }

        /// The fast float path equals the reference kernel bit for bit.
        #[test]
        fn f32_fast_matches_reference_bits(
            (p, dm, ins, fs, outs, input, filter, bias, relu6) in fast_geometry().prop_flat_map(|(p, dm, ins, fs, outs)| {
                (
                    Just(p), Just(dm), Just(ins), Just(fs), Just(outs),
                    f32_vec(ins.iter().product()),
                    f32_vec(fs.iter().product()),
                    proptest::option::of(f32_vec(fs[3])),
                    any::<bool>(),
                )
            })
        ) {
            let act = if relu6 { (0.0, 6.0) } else { (f32::MIN, f32::MAX) };
            let mut got = vec![0f32; outs.iter().product()];
            let mut want = got.clone();
            depthwise_conv_2d_f32(&p, dm, act.0, act.1, ins, &input, fs, &filter, bias.as_deref(), outs, &mut got, &mut vec![0.0f32; crate::depthwise_conv_2d::depthwise_conv_2d_scratch_len(dm, ins, fs, outs)],).unwrap();
            reference::depthwise_conv_2d_f32(&p, dm, act.0, act.1, ins, &input, fs, &filter, bias.as_deref(), outs, &mut want).unwrap();
            let gb: Vec<u32> = got.iter().map(|v| v.to_bits()).collect();
            let wb: Vec<u32> = want.iter().map(|v| v.to_bits()).collect();
            prop_assert_eq!(gb, wb);
        }
    }
}
