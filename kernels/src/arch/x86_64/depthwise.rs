//! The depthwise fast paths on x86-64 with SSE2 ([`super::simd`]): int8 and float, for depth
//! multiplier 1 or a multiple of 8 and channels in multiples of 8; equal to
//! [`crate::depthwise_conv_2d::reference`] bit for bit (proptested there).

use super::simd::{self, Rq4, F4, V};
use crate::conv_2d::{ConvParams, Geometry};
use crate::depthwise_conv_2d::valid_columns;
use crate::gemm::Requant;
use crate::quant::QuantParams;
use crate::util::{clamp_f32, clamp_i32, tap_range};

/// Filter taps (`kh * kw`) and filter columns the stack tables hold.
pub(crate) const MAX_TAPS: usize = 64;

/// The walk of the SSE2 paths: channels in blocks of 8 (`block(c)` sets up a block once
/// per layer: its filter taps as vectors and output constants), output pixels four at a
/// time with their accumulators in registers; for each pixel, `tap(block, acc, t, pixel)`
/// for every tap `t` inside the input in TFLM's order (rows, then columns; padding taps
/// skipped), with `pixel` the input pixel's index; then `store(block, acc, at)` with `at`
/// the output index of the pixel's first channel of the block.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn walk8<A: Copy, B>(
    p: &ConvParams,
    g: &Geometry,
    zero: A,
    mut block: impl FnMut(usize) -> B,
    tap: impl Fn(&B, &mut A, usize, usize),
    mut store: impl FnMut(&B, &A, usize),
) {
    // Output columns [lo, hi) whose tap column kx lies inside the input (same every row).
    let mut cols = [(0usize, 0usize); MAX_TAPS];
    for (kx, c) in cols[..g.kw].iter_mut().enumerate() {
        *c = valid_columns(p, g, kx, 0, g.ow);
    }
    for c in (0..g.oc).step_by(8) {
        let blk = block(c);
        for b in 0..g.n {
            for oy in 0..g.oh {
                let y0 = (oy * p.stride_h) as isize - p.pad_h as isize;
                let (ky_lo, ky_hi) = tap_range(y0, p.dilation_h, g.kh, g.ih);
                let out_row = (b * g.oh + oy) * g.ow;
                let mut ox = 0;
                while ox < g.ow {
                    let np = (g.ow - ox).min(4);
                    let mut acc = [zero; 4];
                    for ky in ky_lo..ky_hi {
                        let iy = (y0 + (ky * p.dilation_h) as isize) as usize;
                        let row = (b * g.ih + iy) * g.iw;
                        for (kx, &(lo, hi)) in cols[..g.kw].iter().enumerate() {
                            let t = ky * g.kw + kx;
                            for (px, a) in acc.iter_mut().enumerate() {
                                let o = ox + px;
                                if o >= lo && o < hi {
                                    let ix = o * p.stride_w + kx * p.dilation_w - p.pad_w;
                                    tap(&blk, a, t, row + ix);
                                }
                            }
                        }
                    }
                    for (px, a) in acc[..np].iter().enumerate() {
                        store(&blk, a, (out_row + ox + px) * g.oc + c);
                    }
                    ox += np;
                }
            }
        }
    }
}

/// Int8 with SSE2. `BROADCAST`: a depth multiplier that is a multiple of 8, so the eight
/// output channels read one input channel; else multiplier 1 (eight input channels).
/// `acc += (x + input_offset) * f` per tap as 16-bit multiplies with 32-bit products, then
/// the eight channels rescaled as two vectors.
#[allow(clippy::too_many_arguments)]
#[inline(never)]
pub(crate) fn depthwise_int8_sse2<const BROADCAST: bool>(
    p: &ConvParams,
    g: &Geometry,
    q: &QuantParams,
    per_channel: bool,
    input: &[i8],
    filter: &[i8],
    bias: Option<&[i32]>,
    output: &mut [i8],
) {
    let off16 = q.input_offset as i16;
    let off = simd::splat_i16(off16);
    let dm = g.oc / g.ic.max(1);
    let taps = g.kh * g.kw;
    type Block = (
        [V; MAX_TAPS],
        [(i32, i32, i32); 8],
        Option<(Rq4, Rq4)>,
        usize,
    );
    let block = |c: usize| -> Block {
        let mut fv = [simd::zero(); MAX_TAPS];
        for (t, f) in fv[..taps].iter_mut().enumerate() {
            *f = simd::load_i8_widen(&filter[t * g.oc..(t + 1) * g.oc].as_chunks::<8>().0[c / 8]);
        }
        let lane = |j: usize| {
            let (m, s) = q.channel(per_channel, c + j);
            (m, s, bias.map_or(0, |b| b[c + j]))
        };
        let l: [(i32, i32, i32); 8] = core::array::from_fn(lane);
        let rq = |h: usize| {
            Rq4::new(
                core::array::from_fn(|j| l[h + j].0),
                core::array::from_fn(|j| l[h + j].2),
                core::array::from_fn(|j| l[h + j].1),
                q.output_offset,
                q.act_min,
                q.act_max,
            )
        };
        (fv, l, rq(0).zip(rq(4)), c)
    };
    walk8(
        p,
        g,
        (simd::zero(), simd::zero()),
        block,
        |blk: &Block, a, t, pixel| {
            let (f, c) = (blk.0[t], blk.3);
            if BROADCAST {
                let x = input[pixel * g.ic + c / dm] as i16;
                simd::mul_acc(a, simd::splat_i16(x.wrapping_add(off16)), f);
            } else if let Some(x) = input[pixel * g.ic + c..].first_chunk::<8>() {
                simd::mul_acc(a, simd::load_i8_widen_add(x, off), f);
            }
        },
        |blk: &Block, a, at| {
            let out = &mut output[at..at + 8];
            match &blk.2 {
                Some((r0, r1)) => out.copy_from_slice(&r0.apply8(a.0, r1, a.1)),
                None => scalar(&blk.1, q, [simd::to_i32(a.0), simd::to_i32(a.1)], out),
            }
        },
    );
}

/// Float with SSE, as [`crate::depthwise_conv_2d::reference::depthwise_conv_2d_f32`] bit for bit: each
/// output's taps summed from 0 in TFLM's order (products rounded, then added: the same
/// IEEE operations), then the bias added and the clamp. `BROADCAST` as for int8.
#[allow(clippy::too_many_arguments)]
#[inline(never)]
pub(crate) fn depthwise_f32_sse2<const BROADCAST: bool>(
    p: &ConvParams,
    g: &Geometry,
    act_min: f32,
    act_max: f32,
    input: &[f32],
    filter: &[f32],
    bias: Option<&[f32]>,
    output: &mut [f32],
) {
    let dm = g.oc / g.ic.max(1);
    let taps = g.kh * g.kw;
    type Block = ([[F4; 2]; MAX_TAPS], usize);
    let block = |c: usize| -> Block {
        let mut fv = [[simd::splat_f32(0.0); 2]; MAX_TAPS];
        for (t, f) in fv[..taps].iter_mut().enumerate() {
            *f = simd::load_f32x8(&filter[t * g.oc..(t + 1) * g.oc].as_chunks::<8>().0[c / 8]);
        }
        (fv, c)
    };
    let zero = [simd::splat_f32(0.0); 2];
    walk8(
        p,
        g,
        zero,
        block,
        |blk: &Block, a, t, pixel| {
            let ([f0, f1], c) = (blk.0[t], blk.1);
            if BROADCAST {
                let x = simd::splat_f32(input[pixel * g.ic + c / dm]);
                a[0] = simd::mul_add_f32(a[0], x, f0);
                a[1] = simd::mul_add_f32(a[1], x, f1);
            } else if let Some(x) = input[pixel * g.ic + c..].first_chunk::<8>() {
                let [x0, x1] = simd::load_f32x8(x);
                a[0] = simd::mul_add_f32(a[0], x0, f0);
                a[1] = simd::mul_add_f32(a[1], x1, f1);
            }
        },
        |blk: &Block, a, at| {
            let mut sums = [0.0f32; 8];
            simd::store_f32x8(*a, &mut sums);
            let c = blk.1;
            for (j, (o, &v)) in output[at..at + 8].iter_mut().zip(&sums).enumerate() {
                let b = bias.map_or(0.0, |b| b[c + j]);
                *o = clamp_f32(v + b, act_min, act_max);
            }
        },
    );
}

/// The exact scalar rescale of eight channels (constants outside the vector form's range).
fn scalar(l: &[(i32, i32, i32); 8], q: &QuantParams, acc: [[i32; 4]; 2], out: &mut [i8]) {
    for (j, (o, &(m, s, b))) in out.iter_mut().zip(l).enumerate() {
        let a = acc[j / 4][j % 4].wrapping_add(b);
        let v = Requant::new(m, s).apply(a).wrapping_add(q.output_offset);
        *o = clamp_i32(v, q.act_min, q.act_max) as i8;
    }
}
