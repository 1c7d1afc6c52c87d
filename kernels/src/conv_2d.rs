//! CONV_2D: NHWC input `[n, h, w, c]`, OHWI filter `[out_c, kh, kw, in_c / groups]`, NHWC output.
//!
//! Matches TFLM's `reference_integer_ops::ConvPerChannel` (int8) and `reference_ops::Conv`
//! (float), including grouped convolution (`in_c` a multiple of the filter's depth). Taps that
//! fall in the padding are skipped, not zero-filled after the input offset.

use crate::gemm::{gemm_rows, offset_fits_i16, widen, OutStage, WIDE_MAX};
pub use crate::quant::QuantParams;
use crate::quant::{QIn, QOut};
use crate::util::host_buffer;
use crate::util::{check_len, check_window, clamp_f32, tap_range};
use crate::KernelError;
use crate::SMALL;

/// Geometry of a convolution: strides, dilations and padding-before (from [`crate::quant::compute_padding`]).
#[derive(Clone, Copy, Debug)]
pub struct ConvParams {
    /// Vertical stride.
    pub stride_h: usize,
    /// Horizontal stride.
    pub stride_w: usize,
    /// Vertical dilation factor.
    pub dilation_h: usize,
    /// Horizontal dilation factor.
    pub dilation_w: usize,
    /// Rows of padding before the input.
    pub pad_h: usize,
    /// Columns of padding before the input.
    pub pad_w: usize,
}

/// Validated shapes of CONV_2D and DEPTHWISE_CONV_2D, shared by their int8 and float kernels
/// (and the x86-64 depthwise paths).
pub(crate) struct Geometry {
    pub(crate) n: usize,
    pub(crate) ih: usize,
    pub(crate) iw: usize,
    pub(crate) ic: usize,
    pub(crate) oc: usize,
    pub(crate) kh: usize,
    pub(crate) kw: usize,
    pub(crate) oh: usize,
    pub(crate) ow: usize,
    /// CONV_2D's filter depth (`in_c / groups`); 1 for DEPTHWISE_CONV_2D.
    pub(crate) fic: usize,
    /// CONV_2D's output channels per group; the depth multiplier for DEPTHWISE_CONV_2D.
    pub(crate) filters_per_group: usize,
}

/// CONV_2D's [`check_shapes`].
#[allow(clippy::too_many_arguments)]
fn check(
    p: &ConvParams,
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
        None,
        in_shape,
        in_len,
        filter_shape,
        filter_len,
        bias_len,
        out_shape,
        out_len,
    )
}

/// Checks the shapes and slice lengths of a convolution and returns its [`Geometry`]: a
/// CONV_2D (OHWI filter `[out_c, kh, kw, in_c / groups]`) when `depth_multiplier` is `None`,
/// else a DEPTHWISE_CONV_2D (filter `[1, kh, kw, in_c * depth_multiplier]`).
///
/// Every shape disagreement is `ShapeMismatch`, checked before the window bounds
/// (`BadParams`). Inlined into each kernel's own `check`.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
pub(crate) fn check_shapes(
    p: &ConvParams,
    depth_multiplier: Option<usize>,
    in_shape: [usize; 4],
    in_len: usize,
    filter_shape: [usize; 4],
    filter_len: usize,
    bias_len: Option<usize>,
    out_shape: [usize; 4],
    out_len: usize,
) -> Result<Geometry, KernelError> {
    let [n, ih, iw, ic] = in_shape;
    let [on, oh, ow, occ] = out_shape;
    let (oc, kh, kw, fic, filters_per_group) = match depth_multiplier {
        None => {
            let [oc, kh, kw, fic] = filter_shape;
            // Grouped convolution: in_c = groups * filter depth, out_c = groups * filters
            // per group.
            if fic == 0 || ic % fic != 0 {
                return Err(KernelError::ShapeMismatch);
            }
            let groups = ic / fic;
            if groups == 0 || oc % groups != 0 {
                return Err(KernelError::ShapeMismatch);
            }
            (oc, kh, kw, fic, oc / groups)
        }
        Some(dm) => {
            let [f1, kh, kw, oc] = filter_shape;
            if f1 != 1 || ic.checked_mul(dm) != Some(oc) {
                return Err(KernelError::ShapeMismatch);
            }
            (oc, kh, kw, 1, dm)
        }
    };
    if n != on || oc != occ {
        return Err(KernelError::ShapeMismatch);
    }
    check_len(&in_shape, in_len)?;
    check_len(&filter_shape, filter_len)?;
    check_len(&out_shape, out_len)?;
    if let Some(b) = bias_len {
        if b != oc {
            return Err(KernelError::ShapeMismatch);
        }
    }
    check_window(oh, p.stride_h, kh, p.dilation_h, p.pad_h, ih)?;
    check_window(ow, p.stride_w, kw, p.dilation_w, p.pad_w, iw)?;
    Ok(Geometry {
        n,
        ih,
        iw,
        ic,
        oc,
        kh,
        kw,
        fic,
        oh,
        ow,
        filters_per_group,
    })
}

/// Output pixels whose patches (`k` values each) go through the GEMM together, given room
/// for `fit` patches: a multiple of the 4-row tiles when at least 4 fit.
fn patch_rows(fit: usize) -> usize {
    match fit {
        r if r >= 4 => r / 4 * 4,
        r => r,
    }
}

/// The `i16` scratch [`conv_2d_int8`]'s fast path uses for these shapes (CMSIS-NN's
/// `get_buffer_size`): patches of as many output pixels as fit the GEMM's buffer, at most all
/// of them; 0 when the reference path runs.
pub fn conv_2d_int8_scratch_len(
    in_shape: [usize; 4],
    filter_shape: [usize; 4],
    out_shape: [usize; 4],
) -> usize {
    let [n, _, _, ic] = in_shape;
    let [oc, kh, kw, fic] = filter_shape;
    let [_, oh, ow, _] = out_shape;
    let k = kh.saturating_mul(kw).saturating_mul(fic);
    if SMALL || fic != ic || k == 0 || k > WIDE_MAX || oc == 0 {
        return 0;
    }
    let pixels = n.saturating_mul(oh).saturating_mul(ow);
    let rows = patch_rows(WIDE_MAX / k);
    #[cfg(microlite_arm_dsp)]
    if kh * kw > 1 {
        // The Armv7E-M pair kernel: patches two by two (at least one pair, as CMSIS-NN's
        // two-column im2col buffer: ic_resnet8's 3x3x64 patches would otherwise run one at a
        // time through the portable tiles), each padded to a multiple of 4 values, two rows
        // of staging bytes and, for such padding, the weights padded alike.
        let k4 = k.next_multiple_of(4);
        let pairs = (WIDE_MAX.saturating_sub(k4) / (2 * k4)).max(1);
        let rows = (2 * pairs).min(pixels.saturating_add(1) & !1);
        return rows * k4 + crate::arch::arm::gemm::pairs_extra_len(k, oc);
    }
    rows.min(pixels).saturating_mul(k)
}

/// Int8 convolution with per-channel (or per-tensor) requantization, as TFLM's
/// `ConvPerChannel`: `acc = bias + sum(filter * (input + input_offset))`, then rescale.
///
/// The filter zero point is taken as 0 (TFLM's int8 conv ignores it). Taps in the padding
/// are skipped. Fast path: up to four output pixels at a time have their patches gathered
/// into an on-stack `i16` buffer with the input offset already added (padding taps become
/// 0, contributing nothing, exactly as skipping them), then multiplied against all filters
/// in register tiles (the `gemm` module); equal to [`reference::conv_2d_int8`] bit for bit.
#[allow(clippy::too_many_arguments)]
pub fn conv_2d_int8(
    p: &ConvParams,
    q: &QuantParams,
    in_shape: [usize; 4],
    input: &[i8],
    filter_shape: [usize; 4],
    filter: &[i8],
    bias: Option<&[i32]>,
    out_shape: [usize; 4],
    output: &mut [i8],
    scratch: &mut [i16],
) -> Result<(), KernelError> {
    let want = conv_2d_int8_scratch_len(in_shape, filter_shape, out_shape);
    host_buffer::<i16, { WIDE_MAX }, _>(scratch, want, |scratch| {
        conv_2d_int8_in(
            p,
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
fn conv_2d_int8_in(
    p: &ConvParams,
    q: &QuantParams,
    in_shape: [usize; 4],
    input: &[i8],
    filter_shape: [usize; 4],
    filter: &[i8],
    bias: Option<&[i32]>,
    out_shape: [usize; 4],
    output: &mut [i8],
    scratch: &mut [i16],
) -> Result<(), KernelError> {
    let g = check(
        p,
        in_shape,
        input.len(),
        filter_shape,
        filter.len(),
        bias.map(|b| b.len()),
        out_shape,
        output.len(),
    )?;
    let per_channel = q.check(g.oc)?;
    // check() proved kh * kw * fic (the filter's length over oc) fits.
    let k = g.kh * g.kw * g.fic;
    if SMALL
        || g.fic != g.ic
        || k == 0
        || k > WIDE_MAX
        || g.oc == 0
        || !offset_fits_i16(q.input_offset)
    {
        return reference::conv_2d_int8(
            p,
            q,
            in_shape,
            input,
            filter_shape,
            filter,
            bias,
            out_shape,
            output,
        );
    }
    let st = OutStage {
        q,
        per_channel,
        bias,
    };
    let off = q.input_offset as i16;
    // As many output pixels at a time as their patches fit the buffer: the GEMM sets up each
    // channel's weights and rescale once per batch of rows.
    // (A multiple of the 4-row tiles, so leftover rows come only at the end of the image.)
    let max_rows = patch_rows((WIDE_MAX / k).min(scratch.len() / k));
    if max_rows == 0 {
        // Less scratch than one patch (prepare asked for conv_2d_int8_scratch_len).
        return reference::conv_2d_int8(
            p,
            q,
            in_shape,
            input,
            filter_shape,
            filter,
            bias,
            out_shape,
            output,
        );
    }
    let buf = scratch;
    let pointwise = g.kh == 1
        && g.kw == 1
        && p.stride_h == 1
        && p.stride_w == 1
        && p.pad_h == 0
        && p.pad_w == 0
        && (g.oh, g.ow) == (g.ih, g.iw);
    if pointwise {
        // A 1x1 convolution is a matrix product over contiguous pixels: no patches to gather.
        let pixels = g.n * g.oh * g.ow;
        #[cfg(microlite_arm_dsp)]
        {
            let src = Pixels { input, k };
            let (f, o) = (filter, &mut *output);
            if crate::arch::arm::gemm::gemm_pairs(&src, pixels, k, f, g.oc, &st, off, buf, o) {
                return Ok(());
            }
        }
        let mut pix = 0;
        while pix < pixels {
            let rows = max_rows.min(pixels - pix);
            widen(&mut buf[..rows * k], &input[pix * k..(pix + rows) * k], off);
            gemm_rows(
                &mut buf[..rows * k],
                rows,
                k,
                filter,
                g.oc,
                &st,
                &mut output[pix * g.oc..(pix + rows) * g.oc],
            );
            pix += rows;
        }
        return Ok(());
    }
    // Output pixels in flat (batch, row, column) order, `max_rows` at a time: their outputs
    // are contiguous, so groups run across output rows.
    let pixels = g.n * g.oh * g.ow;
    #[cfg(microlite_arm_dsp)]
    if -q.input_offset >= i8::MIN as i32 && -q.input_offset <= i8::MAX as i32 {
        // Padding taps as the input zero point, which the offset turns into 0.
        let src = Patches {
            p,
            g: &g,
            input,
            pad: -q.input_offset as i8,
        };
        if crate::arch::arm::gemm::gemm_pairs(&src, pixels, k, filter, g.oc, &st, off, buf, output)
        {
            return Ok(());
        }
    }
    let mut pix = 0;
    while pix < pixels {
        let rows = max_rows.min(pixels - pix);
        for (r, patch) in buf[..rows * k].chunks_exact_mut(k).enumerate() {
            gather_patch(patch, pix + r, p, &g, input, 0, |d, s| widen(d, s, off));
        }
        gemm_rows(
            &mut buf[..rows * k],
            rows,
            k,
            filter,
            g.oc,
            &st,
            &mut output[pix * g.oc..(pix + rows) * g.oc],
        );
        pix += rows;
    }
    Ok(())
}

/// Gathers output pixel `flat`'s patch (`kh · kw · ic` values, filter order) into `patch`:
/// `put` copies (or widens) a run of input values, `pad` fills the taps outside the image.
#[inline(always)]
fn gather_patch<T: Copy>(
    patch: &mut [T],
    flat: usize,
    p: &ConvParams,
    g: &Geometry,
    input: &[i8],
    pad: T,
    put: impl Fn(&mut [T], &[i8]),
) {
    let row_len = g.kw * g.ic;
    let image_len = g.ih * g.iw * g.ic;
    let (b, oy, ox) = (flat / (g.oh * g.ow), flat / g.ow % g.oh, flat % g.ow);
    let image = &input[b * image_len..(b + 1) * image_len];
    let y0 = (oy * p.stride_h) as isize - p.pad_h as isize;
    let x0 = (ox * p.stride_w) as isize - p.pad_w as isize;
    let inside = |o: isize, d: usize, taps: usize, size: usize| {
        o >= 0 && (o as usize) + (taps - 1) * d < size
    };
    if p.dilation_w == 1 && inside(y0, p.dilation_h, g.kh, g.ih) && inside(x0, 1, g.kw, g.iw) {
        // The whole window is inside the image (most pixels): one contiguous run of
        // `kw * ic` values per filter row.
        let (y0, x0) = (y0 as usize, x0 as usize);
        for (ky, seg) in patch.chunks_exact_mut(row_len).enumerate() {
            let at = ((y0 + ky * p.dilation_h) * g.iw + x0) * g.ic;
            put(seg, &image[at..at + row_len]);
        }
        return;
    }
    let (ky_lo, ky_hi) = tap_range(y0, p.dilation_h, g.kh, g.ih);
    let (kx_lo, kx_hi) = tap_range(x0, p.dilation_w, g.kw, g.iw);
    for (ky, seg) in patch.chunks_exact_mut(row_len).enumerate() {
        if ky < ky_lo || ky >= ky_hi || kx_lo >= kx_hi {
            seg.fill(pad);
            continue;
        }
        let iy = (y0 + (ky * p.dilation_h) as isize) as usize;
        let in_row = &image[iy * g.iw * g.ic..(iy + 1) * g.iw * g.ic];
        let (head, rest) = seg.split_at_mut(kx_lo * g.ic);
        let (mid, tail) = rest.split_at_mut((kx_hi - kx_lo) * g.ic);
        head.fill(pad);
        tail.fill(pad);
        let ix0 = (x0 + (kx_lo * p.dilation_w) as isize) as usize;
        if p.dilation_w == 1 {
            put(mid, &in_row[ix0 * g.ic..ix0 * g.ic + mid.len()]);
        } else {
            for (t, d) in mid.chunks_exact_mut(g.ic).enumerate() {
                let ix = ix0 + t * p.dilation_w;
                put(d, &in_row[ix * g.ic..(ix + 1) * g.ic]);
            }
        }
    }
}

/// The int8 patches of a CONV_2D, one output pixel per row, for the Armv7E-M pair kernel.
#[cfg(microlite_arm_dsp)]
struct Patches<'a> {
    p: &'a ConvParams,
    g: &'a Geometry,
    input: &'a [i8],
    /// The input zero point: what padding taps read.
    pad: i8,
}

#[cfg(microlite_arm_dsp)]
impl crate::arch::arm::gemm::PairRows for Patches<'_> {
    fn staged(&self) -> bool {
        true
    }
    fn row<'s>(&'s self, r: usize, stage: &'s mut [i8]) -> &'s [i8] {
        // The patch's `k` values at the front; the padding after them stays as it is.
        let k = self.g.kh * self.g.kw * self.g.ic;
        if let Some(patch) = stage.get_mut(..k) {
            gather_patch(patch, r, self.p, self.g, self.input, self.pad, |d, s| {
                d.copy_from_slice(s)
            });
        }
        stage
    }
}

/// The rows of a 1x1 stride-1 CONV_2D: its input pixels as they are.
#[cfg(microlite_arm_dsp)]
struct Pixels<'a> {
    input: &'a [i8],
    k: usize,
}

#[cfg(microlite_arm_dsp)]
impl crate::arch::arm::gemm::PairRows for Pixels<'_> {
    fn staged(&self) -> bool {
        false
    }
    fn row<'s>(&'s self, r: usize, _: &'s mut [i8]) -> &'s [i8] {
        &self.input[r * self.k..(r + 1) * self.k]
    }
}

/// Float convolution as TFLM's `reference_ops::Conv`: per output, the sum over rows, columns
/// and channels in that order, plus bias, clamped to `[act_min, act_max]`.
///
/// Fast path (ungrouped, no horizontal dilation, filters up to 1152 values on 64-bit hosts and
/// 128 on microcontrollers): four output channels and up to four pixels accumulate together
/// from filter panels interleaved on the stack, each output still summed in TFLM's order, so
/// results equal [`reference::conv_2d_f32`] bit for bit.
#[allow(clippy::too_many_arguments)]
pub fn conv_2d_f32(
    p: &ConvParams,
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
    let want = conv_2d_f32_scratch_len(p, in_shape, filter_shape);
    host_buffer::<f32, { PANEL_K * LANES }, _>(scratch, want, |scratch| {
        conv_2d_f32_in(
            p,
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
fn conv_2d_f32_in(
    p: &ConvParams,
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
        in_shape,
        input.len(),
        filter_shape,
        filter.len(),
        bias.map(|b| b.len()),
        out_shape,
        output.len(),
    )?;
    let k = g.kh * g.kw * g.fic;
    if SMALL || g.fic != g.ic || k == 0 || g.oc == 0 {
        return reference::conv_2d_f32(
            p,
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
    }
    let finish = |o: usize, total: f32| {
        let bias_value = match bias {
            Some(bias) => bias[o],
            None => 0.0,
        };
        clamp_f32(total + bias_value, act_min, act_max)
    };
    if k <= PANEL_K && p.dilation_w == 1 && scratch.len() >= k * LANES {
        conv_f32_panels(p, &g, input, filter, k, output, &finish, scratch);
        return Ok(());
    }
    reference::conv_2d_f32(
        p,
        act_min,
        act_max,
        in_shape,
        input,
        filter_shape,
        filter,
        bias,
        out_shape,
        output,
    )
}

/// The `f32` scratch [`conv_2d_f32`]'s panel path uses: one panel of `LANES` filters; 0
/// when another path runs.
pub fn conv_2d_f32_scratch_len(
    p: &ConvParams,
    in_shape: [usize; 4],
    filter_shape: [usize; 4],
) -> usize {
    let [oc, kh, kw, fic] = filter_shape;
    let k = kh.saturating_mul(kw).saturating_mul(fic);
    if SMALL || fic != in_shape[3] || k == 0 || oc == 0 || k > PANEL_K || p.dilation_w != 1 {
        return 0;
    }
    k * LANES
}

/// Longest filter (`kh * kw * in_c`) the float panel path takes: 18 KiB of scratch on 64-bit
/// hosts, 2 KiB on microcontrollers.
#[cfg(target_pointer_width = "64")]
const PANEL_K: usize = 1152;
/// Longest filter (`kh * kw * in_c`) the float panel path takes: 18 KiB of scratch on 64-bit
/// hosts, 2 KiB on microcontrollers.
#[cfg(not(target_pointer_width = "64"))]
const PANEL_K: usize = 128;
/// Output channels per float panel: two SSE vectors of `f32` on x86-64 (eight independent
/// sums per pixel hide the add latency), four elsewhere.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
const LANES: usize = 8;
/// Output channels per float panel: two SSE vectors of `f32` on x86-64 (eight independent
/// sums per pixel hide the add latency), four elsewhere.
#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
const LANES: usize = 4;

/// Float convolution by panels: four filters interleaved on the stack (`panel[t][c]`), so each
/// input value multiplies four outputs as one vector operation; up to four pixels share each
/// panel load. Every output still sums its taps in TFLM's order (rows, columns, channels,
/// padding skipped), so results equal the reference bit for bit.
#[allow(clippy::too_many_arguments)]
fn conv_f32_panels(
    p: &ConvParams,
    g: &Geometry,
    input: &[f32],
    filter: &[f32],
    k: usize,
    output: &mut [f32],
    finish: &impl Fn(usize, f32) -> f32,
    panel_buf: &mut [f32],
) {
    let image_len = g.ih * g.iw * g.ic;
    let seg = g.kw * g.ic;
    let mut o0 = 0;
    while o0 < g.oc {
        let cn = LANES.min(g.oc - o0);
        for (t, row) in panel_buf[..k * LANES].chunks_exact_mut(LANES).enumerate() {
            for (c, v) in row.iter_mut().enumerate() {
                *v = if c < cn {
                    filter[(o0 + c) * k + t]
                } else {
                    0.0
                };
            }
        }
        let panel = &panel_buf[..k * LANES];
        let store = |out: &mut [f32], acc: &[f32; LANES]| {
            for (c, (o, &v)) in out.iter_mut().zip(acc).enumerate() {
                *o = finish(o0 + c, v);
            }
        };
        for b in 0..g.n {
            let image = &input[b * image_len..(b + 1) * image_len];
            for oy in 0..g.oh {
                let y0 = (oy * p.stride_h) as isize - p.pad_h as isize;
                let (ky_lo, ky_hi) = tap_range(y0, p.dilation_h, g.kh, g.ih);
                let row_base = (b * g.oh + oy) * g.ow;
                let full = |x0: isize| x0 >= 0 && x0 as usize + g.kw <= g.iw;
                let mut ox = 0;
                while ox < g.ow {
                    let x0 = (ox * p.stride_w) as isize - p.pad_w as isize;
                    if ox + 4 <= g.ow && full(x0) && full(x0 + (3 * p.stride_w) as isize) {
                        let mut acc = [[0.0f32; LANES]; 4];
                        for ky in ky_lo..ky_hi {
                            let iy = (y0 + (ky * p.dilation_h) as isize) as usize;
                            let xs: [&[f32]; 4] = core::array::from_fn(|r| {
                                let ix = x0 as usize + r * p.stride_w;
                                &image[(iy * g.iw + ix) * g.ic..][..seg]
                            });
                            panel_mac(&mut acc, xs, &panel[ky * seg * LANES..][..seg * LANES]);
                        }
                        for (r, a) in acc.iter().enumerate() {
                            let at = (row_base + ox + r) * g.oc + o0;
                            store(&mut output[at..at + cn], a);
                        }
                        ox += 4;
                        continue;
                    }
                    let (kx_lo, kx_hi) = tap_range(x0, 1, g.kw, g.iw);
                    let mut acc = [[0.0f32; LANES]; 1];
                    if kx_lo < kx_hi {
                        let n = (kx_hi - kx_lo) * g.ic;
                        let ix = (x0 + kx_lo as isize) as usize;
                        for ky in ky_lo..ky_hi {
                            let iy = (y0 + (ky * p.dilation_h) as isize) as usize;
                            let xs = &image[(iy * g.iw + ix) * g.ic..][..n];
                            let at = (ky * seg + kx_lo * g.ic) * LANES;
                            panel_mac(&mut acc, [xs], &panel[at..][..n * LANES]);
                        }
                    }
                    let at = (row_base + ox) * g.oc + o0;
                    store(&mut output[at..at + cn], &acc[0]);
                    ox += 1;
                }
            }
        }
        o0 += cn;
    }
}

/// `acc[p][c] += xs[p][t] * panel[t][c]` for `t` in order, with SSE on x86-64.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
use crate::arch::x86_64::conv::panel_mac;

/// `acc[p][c] += xs[p][t] * panel[t][c]` for `t` in order.
#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
#[inline(always)]
fn panel_mac<const P: usize>(acc: &mut [[f32; LANES]; P], xs: [&[f32]; P], panel: &[f32]) {
    let n = panel.len() / LANES;
    let xs = xs.map(|s| &s[..n]);
    for (t, w) in panel.chunks_exact(LANES).enumerate() {
        for p in 0..P {
            let u = xs[p][t];
            for c in 0..LANES {
                acc[p][c] += u * w[c];
            }
        }
    }
}

/// 16x8 convolution (int16 activations, int8 weights) as TFLM's int16 `ConvPerChannel`:
/// `acc = bias + sum(filter * input)` with the accumulator and rescale the bias type picks
/// ([`crate::quant::Bias16`]), per channel; zero points are not used (TFLM ignores them
/// for int16), then clamped to the activation range.
///
/// # Errors
/// [`KernelError::ShapeMismatch`] when a slice does not fit its shape;
/// [`KernelError::BadParams`] for multipliers neither one nor one per output channel.
#[allow(clippy::too_many_arguments)]
pub fn conv_2d_int16(
    p: &ConvParams,
    q: &QuantParams,
    in_shape: [usize; 4],
    input: &[i16],
    filter_shape: [usize; 4],
    filter: &[i8],
    bias: crate::quant::Bias16<'_>,
    out_shape: [usize; 4],
    output: &mut [i16],
) -> Result<(), KernelError> {
    let shapes = (in_shape, filter_shape, out_shape);
    conv_q(
        p,
        q,
        shapes,
        QIn::I16(input),
        filter,
        bias,
        QOut::I16(output),
    )
}

/// The int8 reference and the 16x8 convolution in one (one copy of the loops in a firmware):
/// `acc = bias + sum(filter * (input + input_offset))` summed in `i64`, rescaled as the bias
/// type picks ([`crate::quant::Bias16`]: int8 passes its int32 bias, whose wrapping `i32` sum
/// is the `i64` sum cut to 32 bits), plus the output offset, clamped. 16x8 passes zero
/// offsets (TFLM ignores its zero points).
fn conv_q(
    p: &ConvParams,
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
                for o in 0..g.oc {
                    let in_c0 = (o / g.filters_per_group.max(1)) * g.fic;
                    let mut acc: i64 = 0;
                    for ky in ky_lo..ky_hi {
                        let iy = (y0 + (ky * p.dilation_h) as isize) as usize;
                        for kx in kx_lo..kx_hi {
                            let ix = (x0 + (kx * p.dilation_w) as isize) as usize;
                            let i0 = ((b * g.ih + iy) * g.iw + ix) * g.ic + in_c0;
                            let f0 = ((o * g.kh + ky) * g.kw + kx) * g.fic;
                            // (`check` made every range valid: the `else`s never run.)
                            let Some(fs) = filter.get(f0..f0 + g.fic) else {
                                continue;
                            };
                            let mut part: i32 = 0;
                            match &input {
                                QIn::I8(x) => {
                                    let Some(xs) = x.get(i0..i0 + g.fic) else {
                                        continue;
                                    };
                                    for (&x, &f) in xs.iter().zip(fs) {
                                        part = part.wrapping_add(
                                            i32::from(f)
                                                .wrapping_mul(i32::from(x).wrapping_add(in_off)),
                                        );
                                    }
                                }
                                QIn::I16(x) => {
                                    let Some(xs) = x.get(i0..i0 + g.fic) else {
                                        continue;
                                    };
                                    for (&x, &f) in xs.iter().zip(fs) {
                                        acc = acc.wrapping_add(i64::from(
                                            i32::from(f)
                                                .wrapping_mul(i32::from(x).wrapping_add(in_off)),
                                        ));
                                    }
                                }
                            }
                            acc = acc.wrapping_add(i64::from(part));
                        }
                    }
                    acc = acc.wrapping_add(bias.get(o));
                    let (m, s) = q.channel_get(per_channel, o);
                    let v = crate::util::clamp_i32(
                        bias.rescale(acc, m, s).wrapping_add(q.output_offset),
                        q.act_min,
                        q.act_max,
                    );
                    output.set(out_base + o, v);
                }
            }
        }
    }
    Ok(())
}

/// The straightforward kernels, kept as the oracle of the fast paths (and their fallback for
/// shapes the fast paths do not take: grouped convolution, patches over 1024 values,
/// input offsets outside `i16`).
pub mod reference {
    use super::*;

    /// Int8 convolution with per-channel (or per-tensor) requantization, as TFLM's
    /// `ConvPerChannel`: `acc = bias + sum(filter * (input + input_offset))`, then rescale.
    ///
    /// The filter zero point is taken as 0 (TFLM's int8 conv ignores it).
    #[allow(clippy::too_many_arguments)]
    pub fn conv_2d_int8(
        p: &ConvParams,
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
        conv_q(p, q, shapes, QIn::I8(input), filter, bias, QOut::I8(output))
    }

    /// Float convolution as TFLM's `reference_ops::Conv`: per output, the sum over rows, columns
    /// and channels in that order, plus bias, clamped to `[act_min, act_max]`.
    #[allow(clippy::too_many_arguments)]
    pub fn conv_2d_f32(
        p: &ConvParams,
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
                    for o in 0..g.oc {
                        let in_c0 = (o / g.filters_per_group.max(1)) * g.fic;
                        let mut total = 0.0f32;
                        for ky in ky_lo..ky_hi {
                            let iy = (y0 + (ky * p.dilation_h) as isize) as usize;
                            for kx in kx_lo..kx_hi {
                                let ix = (x0 + (kx * p.dilation_w) as isize) as usize;
                                let i0 = ((b * g.ih + iy) * g.iw + ix) * g.ic + in_c0;
                                let f0 = ((o * g.kh + ky) * g.kw + kx) * g.fic;
                                let xs = input.get(i0..i0 + g.fic).unwrap_or(&[]);
                                let fs = filter.get(f0..f0 + g.fic).unwrap_or(&[]);
                                for (&x, &f) in xs.iter().zip(fs) {
                                    total += x * f;
                                }
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
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::*;
    use proptest::prelude::*;

    /// Straight from the definition: i64 sums over the taps that land inside the input.
    #[allow(clippy::too_many_arguments)]
    fn naive_int8(
        p: &ConvParams,
        in_off: i32,
        out_off: i32,
        act: (i32, i32),
        mults: &[(i32, i32)],
        ins: [usize; 4],
        input: &[i8],
        fs: [usize; 4],
        filter: &[i8],
        bias: Option<&[i32]>,
        outs: [usize; 4],
    ) -> Vec<i8> {
        let mut out = vec![0i8; outs.iter().product()];
        let groups = ins[3] / fs[3];
        let fpg = fs[0] / groups;
        for b in 0..outs[0] {
            for oy in 0..outs[1] {
                for ox in 0..outs[2] {
                    for o in 0..outs[3] {
                        let g = o / fpg;
                        let mut acc: i64 = bias.map_or(0, |bb| bb[o] as i64);
                        for ky in 0..fs[1] {
                            for kx in 0..fs[2] {
                                let iy =
                                    (oy * p.stride_h + ky * p.dilation_h) as i64 - p.pad_h as i64;
                                let ix =
                                    (ox * p.stride_w + kx * p.dilation_w) as i64 - p.pad_w as i64;
                                if iy < 0 || ix < 0 || iy >= ins[1] as i64 || ix >= ins[2] as i64 {
                                    continue;
                                }
                                for c in 0..fs[3] {
                                    let x = input[((b * ins[1] + iy as usize) * ins[2]
                                        + ix as usize)
                                        * ins[3]
                                        + g * fs[3]
                                        + c] as i64;
                                    let f =
                                        filter[((o * fs[1] + ky) * fs[2] + kx) * fs[3] + c] as i64;
                                    acc += f * (x + in_off as i64);
                                }
                            }
                        }
                        let (m, s) = if mults.len() == 1 { mults[0] } else { mults[o] };
                        let v = naive_mbqm(acc as i32, m, s) as i64 + out_off as i64;
                        out[((b * outs[1] + oy) * outs[2] + ox) * outs[3] + o] =
                            naive_out_i8(v, act.0, act.1);
                    }
                }
            }
        }
        out
    }

    #[allow(clippy::too_many_arguments)]
    fn naive_f32(
        p: &ConvParams,
        act: (f32, f32),
        ins: [usize; 4],
        input: &[f32],
        fs: [usize; 4],
        filter: &[f32],
        bias: Option<&[f32]>,
        outs: [usize; 4],
    ) -> Vec<f32> {
        let mut out = vec![0f32; outs.iter().product()];
        let groups = ins[3] / fs[3];
        let fpg = fs[0] / groups;
        for b in 0..outs[0] {
            for oy in 0..outs[1] {
                for ox in 0..outs[2] {
                    for o in 0..outs[3] {
                        let g = o / fpg;
                        // Same summation order as TFLM: rows, columns, channels.
                        let mut acc = 0f32;
                        for ky in 0..fs[1] {
                            for kx in 0..fs[2] {
                                let iy =
                                    (oy * p.stride_h + ky * p.dilation_h) as i64 - p.pad_h as i64;
                                let ix =
                                    (ox * p.stride_w + kx * p.dilation_w) as i64 - p.pad_w as i64;
                                if iy < 0 || ix < 0 || iy >= ins[1] as i64 || ix >= ins[2] as i64 {
                                    continue;
                                }
                                for c in 0..fs[3] {
                                    let x = input[((b * ins[1] + iy as usize) * ins[2]
                                        + ix as usize)
                                        * ins[3]
                                        + g * fs[3]
                                        + c];
                                    let f = filter[((o * fs[1] + ky) * fs[2] + kx) * fs[3] + c];
                                    acc += x * f;
                                }
                            }
                        }
                        acc += bias.map_or(0.0, |bb| bb[o]);
                        out[((b * outs[1] + oy) * outs[2] + ox) * outs[3] + o] =
                            acc.max(act.0).min(act.1);
                    }
                }
            }
        }
        out
    }

    /// (params, in_shape, filter_shape, out_shape) with SAME or VALID geometry.
    fn geometry() -> impl Strategy<Value = (ConvParams, [usize; 4], [usize; 4], [usize; 4])> {
        (
            (1usize..=2, 1usize..=7, 1usize..=7, 1usize..=3, 1usize..=3),
            (
                1usize..=3,
                1usize..=3,
                1usize..=2,
                1usize..=2,
                1usize..=2,
                1usize..=2,
            ),
            (any::<bool>(), 1usize..=4),
        )
            .prop_filter_map(
                "window fits",
                |((n, ih, iw, fic, groups), (kh, kw, sh, sw, dh, dw), (same, fpg))| {
                    let pad = if same {
                        crate::Padding::Same
                    } else {
                        crate::Padding::Valid
                    };
                    let (oh, ph) = crate::quant::compute_padding(pad, ih, kh, sh, dh).ok()?;
                    let (ow, pw) = crate::quant::compute_padding(pad, iw, kw, sw, dw).ok()?;
                    let oc = groups * fpg;
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
                        [n, ih, iw, fic * groups],
                        [oc, kh, kw, fic],
                        [n, oh, ow, oc],
                    ))
                },
            )
    }

    #[test]
    fn hand_checked_3x3() {
        // 1x3x3x1 input 1..9, 2x2 filter of ones, VALID stride 1, multiplier 1.0 (2^30, shift 1).
        let input: Vec<i8> = (1..=9).collect();
        let filter = [1i8; 4];
        let mut out = [0i8; 4];
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
        conv_2d_int8(
            &p,
            &q,
            [1, 3, 3, 1],
            &input,
            [1, 2, 2, 1],
            &filter,
            Some(&[1]),
            [1, 2, 2, 1],
            &mut out,
            &mut vec![
                0i16;
                crate::conv_2d::conv_2d_int8_scratch_len(
                    [1, 3, 3, 1],
                    [1, 2, 2, 1],
                    [1, 2, 2, 1]
                )
            ],
        )
        .unwrap();
        assert_eq!(out, [13, 17, 25, 29]);
        // SAME padding with pad 1 and input offset 1: border taps are skipped, not counted.
        let mut out9 = [0i8; 9];
        let p = ConvParams {
            pad_h: 1,
            pad_w: 1,
            ..p
        };
        let q = QuantParams {
            input_offset: 1,
            ..q
        };
        let filter9 = [1i8; 9];
        conv_2d_int8(
            &p,
            &q,
            [1, 3, 3, 1],
            &input,
            [1, 3, 3, 1],
            &filter9,
            None,
            [1, 3, 3, 1],
            &mut out9,
            &mut vec![
                0i16;
                crate::conv_2d::conv_2d_int8_scratch_len(
                    [1, 3, 3, 1],
                    [1, 3, 3, 1],
                    [1, 3, 3, 1]
                )
            ],
        )
        .unwrap();
        // Top-left: taps (0,0),(0,1),(1,0),(1,1) = 1+2+4+5 + 4*1 = 16.
        assert_eq!(out9[0], 16);
        // Centre: all 9 taps: 45 + 9 = 54.
        assert_eq!(out9[4], 54);
    }

    #[test]
    fn rejects_bad_shapes() {
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
            multipliers: &[1],
            shifts: &[0],
        };
        let mut out = [0i8; 4];
        let r = conv_2d_int8(
            &p,
            &q,
            [1, 3, 3, 1],
            &[0; 8],
            [1, 2, 2, 1],
            &[0; 4],
            None,
            [1, 2, 2, 1],
            &mut out,
            &mut vec![
                0i16;
                crate::conv_2d::conv_2d_int8_scratch_len(
                    [1, 3, 3, 1],
                    [1, 2, 2, 1],
                    [1, 2, 2, 1]
                )
            ],
        );
        assert_eq!(r, Err(KernelError::ShapeMismatch));
        let r = conv_2d_int8(
            &p,
            &q,
            [1, 3, 3, 2],
            &[0; 18],
            [1, 2, 2, 3],
            &[0; 12],
            None,
            [1, 2, 2, 1],
            &mut out,
            &mut vec![
                0i16;
                crate::conv_2d::conv_2d_int8_scratch_len(
                    [1, 3, 3, 2],
                    [1, 2, 2, 3],
                    [1, 2, 2, 1]
                )
            ],
        );
        assert_eq!(r, Err(KernelError::ShapeMismatch));
        let q2 = QuantParams {
            multipliers: &[1, 2],
            shifts: &[0, 0],
            ..q
        };
        let r = conv_2d_int8(
            &p,
            &q2,
            [1, 3, 3, 1],
            &[0; 9],
            [1, 2, 2, 1],
            &[0; 4],
            None,
            [1, 2, 2, 1],
            &mut out,
            &mut vec![
                0i16;
                crate::conv_2d::conv_2d_int8_scratch_len(
                    [1, 3, 3, 1],
                    [1, 2, 2, 1],
                    [1, 2, 2, 1]
                )
            ],
        );
        assert_eq!(r, Err(KernelError::BadParams));
        let huge = ConvParams {
            stride_h: usize::MAX,
            ..p
        };
        let r = conv_2d_int8(
            &huge,
            &q,
            [1, 3, 3, 1],
            &[0; 9],
            [1, 2, 2, 1],
            &[0; 4],
            None,
            [1, 2, 2, 1],
            &mut out,
            &mut vec![
                0i16;
                crate::conv_2d::conv_2d_int8_scratch_len(
                    [1, 3, 3, 1],
                    [1, 2, 2, 1],
                    [1, 2, 2, 1]
                )
            ],
        );
        assert_eq!(r, Err(KernelError::BadParams));
        let r = conv_2d_int8(
            &p,
            &q,
            [1, 3, 3, 1],
            &[0; 9],
            [1, 2, 2, 1],
            &[0; 4],
            Some(&[0, 0]),
            [1, 2, 2, 1],
            &mut out,
            &mut vec![
                0i16;
                crate::conv_2d::conv_2d_int8_scratch_len(
                    [1, 3, 3, 1],
                    [1, 2, 2, 1],
                    [1, 2, 2, 1]
                )
            ],
        );
        assert_eq!(r, Err(KernelError::ShapeMismatch));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn int8_matches_naive(
            (p, ins, fs, outs, input, filter, bias, mults, per_channel, in_zp, out_zp, act) in geometry().prop_flat_map(|(p, ins, fs, outs)| {
                let oc = fs[0];
                (
                    Just(p), Just(ins), Just(fs), Just(outs),
                    i8_vec(ins.iter().product()),
                    i8_vec(fs.iter().product()),
                    proptest::option::of(proptest::collection::vec(-5000i32..5000, oc)),
                    proptest::collection::vec(multiplier(), oc),
                    any::<bool>(),
                    -128i32..=127,
                    -128i32..=127,
                    act_range(),
                )
            })
        ) {
            let mults = if per_channel { mults } else { vec![mults[0]] };
            let m: Vec<i32> = mults.iter().map(|x| x.0).collect();
            let s: Vec<i8> = mults.iter().map(|x| crate::quant::clamp_shift(x.1)).collect();
            let q = QuantParams { input_offset: -in_zp, output_offset: out_zp, act_min: act.0, act_max: act.1, multipliers: &m, shifts: &s };
            let mut out = vec![0i8; outs.iter().product()];
            conv_2d_int8(&p, &q, ins, &input, fs, &filter, bias.as_deref(), outs, &mut out, &mut vec![0i16; crate::conv_2d::conv_2d_int8_scratch_len(ins, fs, outs)],).unwrap();
            let want = naive_int8(&p, -in_zp, out_zp, act, &mults, ins, &input, fs, &filter, bias.as_deref(), outs);
            prop_assert_eq!(out, want);
        }

        #[test]
        fn f32_matches_naive(
            (p, ins, fs, outs, input, filter, bias, relu6) in geometry().prop_flat_map(|(p, ins, fs, outs)| {
                (
                    Just(p), Just(ins), Just(fs), Just(outs),
                    f32_vec(ins.iter().product()),
                    f32_vec(fs.iter().product()),
                    proptest::option::of(f32_vec(fs[0])),
                    any::<bool>(),
                )
            })
        ) {
            let act = if relu6 { (0.0, 6.0) } else { (f32::MIN, f32::MAX) };
            let mut out = vec![0f32; outs.iter().product()];
            conv_2d_f32(&p, act.0, act.1, ins, &input, fs, &filter, bias.as_deref(), outs, &mut out, &mut vec![0.0f32; crate::conv_2d::conv_2d_f32_scratch_len(&p, ins, fs)],).unwrap();
            let want = naive_f32(&p, act, ins, &input, fs, &filter, bias.as_deref(), outs);
            for (g, w) in out.iter().zip(&want) {
                prop_assert!(close(*g, *w), "got {} want {}", g, w);
            }
        }
    }

    /// Geometry for the fast paths: ungrouped, more channels, up to 5x5 windows.
    fn fast_geometry() -> impl Strategy<Value = (ConvParams, [usize; 4], [usize; 4], [usize; 4])> {
        (
            (1usize..=2, 1usize..=9, 1usize..=9, 1usize..=20, 1usize..=13),
            (
                1usize..=5,
                1usize..=5,
                1usize..=3,
                1usize..=3,
                1usize..=2,
                1usize..=2,
            ),
            any::<bool>(),
        )
            .prop_filter_map(
                "window fits",
                |((n, ih, iw, ic, oc), (kh, kw, sh, sw, dh, dw), same)| {
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
                    Some((p, [n, ih, iw, ic], [oc, kh, kw, ic], [n, oh, ow, oc]))
                },
            )
    }

    #[test]
    fn big_patch_falls_back() {
        // One pixel whose patch (5000 values) is over the widening buffer: reference path.
        let p = ConvParams {
            stride_h: 1,
            stride_w: 1,
            dilation_h: 1,
            dilation_w: 1,
            pad_h: 0,
            pad_w: 0,
        };
        let input: Vec<i8> = (0..5000).map(|i| (i % 251) as i8).collect();
        let filter: Vec<i8> = (0..10000).map(|i| (i % 13) as i8 - 6).collect();
        let q = QuantParams {
            input_offset: 3,
            output_offset: -1,
            act_min: -128,
            act_max: 127,
            multipliers: &[1 << 30],
            shifts: &[-8],
        };
        let (mut a, mut b) = ([0i8; 2], [0i8; 2]);
        conv_2d_int8(
            &p,
            &q,
            [1, 1, 1, 5000],
            &input,
            [2, 1, 1, 5000],
            &filter,
            None,
            [1, 1, 1, 2],
            &mut a,
            &mut vec![
                0i16;
                crate::conv_2d::conv_2d_int8_scratch_len(
                    [1, 1, 1, 5000],
                    [2, 1, 1, 5000],
                    [1, 1, 1, 2]
                )
            ],
        )
        .unwrap();
        reference::conv_2d_int8(
            &p,
            &q,
            [1, 1, 1, 5000],
            &input,
            [2, 1, 1, 5000],
            &filter,
            None,
            [1, 1, 1, 2],
            &mut b,
        )
        .unwrap();
        assert_eq!(a, b);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        /// The fast int8 path equals the reference kernel bit for bit.
        #[test]
        fn int8_fast_matches_reference(
            (p, ins, fs, outs, input, filter, bias, mults, per_channel, in_off, out_zp, act) in fast_geometry().prop_flat_map(|(p, ins, fs, outs)| {
                let oc = fs[0];
                (
                    Just(p), Just(ins), Just(fs), Just(outs),
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
            conv_2d_int8(&p, &q, ins, &input, fs, &filter, bias.as_deref(), outs, &mut got, &mut vec![0i16; crate::conv_2d::conv_2d_int8_scratch_len(ins, fs, outs)],).unwrap();
            reference::conv_2d_int8(&p, &q, ins, &input, fs, &filter, bias.as_deref(), outs, &mut want).unwrap();
            prop_assert_eq!(got, want);
        }

        /// The fast float path equals the reference kernel bit for bit (same order of sums).
        #[test]
        fn f32_fast_matches_reference_bits(
            (p, ins, fs, outs, input, filter, bias, relu6) in fast_geometry().prop_flat_map(|(p, ins, fs, outs)| {
                (
                    Just(p), Just(ins), Just(fs), Just(outs),
                    f32_vec(ins.iter().product()),
                    f32_vec(fs.iter().product()),
                    proptest::option::of(f32_vec(fs[0])),
                    any::<bool>(),
                )
            })
        ) {
            let act = if relu6 { (0.0, 6.0) } else { (f32::MIN, f32::MAX) };
            let mut got = vec![0f32; outs.iter().product()];
            let mut want = got.clone();
            conv_2d_f32(&p, act.0, act.1, ins, &input, fs, &filter, bias.as_deref(), outs, &mut got, &mut vec![0.0f32; crate::conv_2d::conv_2d_f32_scratch_len(&p, ins, fs)],).unwrap();
            reference::conv_2d_f32(&p, act.0, act.1, ins, &input, fs, &filter, bias.as_deref(), outs, &mut want).unwrap();
            let gb: Vec<u32> = got.iter().map(|v| v.to_bits()).collect();
            let wb: Vec<u32> = want.iter().map(|v| v.to_bits()).collect();
            prop_assert_eq!(gb, wb);
        }
    }
}
