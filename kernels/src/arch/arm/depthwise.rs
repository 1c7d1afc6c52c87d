//! Int8 DEPTHWISE_CONV_2D on Armv7E-M: each pixel's channels, four at a time, summed in
//! registers over its window ([`depthwise_fours_i8`], depth multiplier 1 or in fours); the
//! portable row kernel's multiply-accumulate for the other depth multipliers ([`mac_i8`]: one
//! tap over a pixel's channels, four channels per step); and the same `i8`-direct products for small
//! FULLY_CONNECTED layers ([`dot2_i8`]).
//!
//! Per four channels: one word of input and one of weights; `SXTAB16` adds the input offset
//! to bytes 0/2 and 1/3 (one instruction each), `SXTB16` expands the weights, and
//! `SMLABB`/`SMLATT` (which LLVM forms from the halves' products) add the four products to
//! the accumulators. The sums wrap like the portable loop's, so results are equal.

use super::dsp::{
    dw_pixel, dw_pixel_bcast, dw_row, dw_row_bcast, requant_simple, right_shifts, smlad, sxtab16,
    sxtab16_ror8, sxtb16, sxtb16_ror8, word,
};
use crate::conv_2d::{ConvParams, Geometry};
use crate::gemm::{all_simple, rescale_simple, Requant};
use crate::quant::QuantParams;
use crate::util::{clamp_i32, tap_range};

/// `acc + lo(a) * lo(b)` (`SMLABB`).
#[inline(always)]
fn mla_bottom(acc: i32, a: u32, b: u32) -> i32 {
    acc.wrapping_add((a as i16 as i32) * (b as i16 as i32))
}

/// `acc + hi(a) * hi(b)` (`SMLATT`).
#[inline(always)]
fn mla_top(acc: i32, a: u32, b: u32) -> i32 {
    acc.wrapping_add(((a >> 16) as i16 as i32) * ((b >> 16) as i16 as i32))
}

/// `a[j] += (x[j] + off) · f[j]` for the four bytes of input word `x` and weight word `f`
/// (`offsets` holds `off` in both halves).
#[inline(always)]
fn mac4(a: &mut [i32; 4], x: u32, f: u32, offsets: u32) {
    let (xe, xo) = (sxtab16(offsets, x), sxtab16_ror8(offsets, x));
    let (fe, fo) = (sxtb16(f), sxtb16_ror8(f));
    a[0] = mla_bottom(a[0], xe, fe);
    a[1] = mla_bottom(a[1], xo, fo);
    a[2] = mla_top(a[2], xe, fe);
    a[3] = mla_top(a[3], xo, fo);
}

/// `acc[j] += (x[j] + off) * f[j]` over `acc.len()` channels (`x`, `f` at least as long);
/// `off` must keep `x + off` within `i16` (`offset_fits_i16`).
#[inline(always)]
pub(crate) fn mac_i8(acc: &mut [i32], xs: &[i8], fs: &[i8], off: i16) {
    let n = acc.len();
    let (xs, fs) = (&xs[..n], &fs[..n]);
    let offsets = (off as u16 as u32).wrapping_mul(0x1_0001);
    let (a4, a_tail) = acc.as_chunks_mut::<4>();
    let (x4, x_tail) = xs.as_chunks::<4>();
    let (f4, f_tail) = fs.as_chunks::<4>();
    for ((a, x), f) in a4.iter_mut().zip(x4).zip(f4) {
        mac4(a, word(x), word(f), offsets);
    }
    for ((a, &x), &f) in a_tail.iter_mut().zip(x_tail).zip(f_tail) {
        *a = a.wrapping_add((x as i16).wrapping_add(off) as i32 * f as i32);
    }
}

/// `[Σ (x[i] + off) · f0[i], Σ (x[i] + off) · f1[i]]` over `xs.len()` values (`f0`, `f1` at
/// least as long), wrapping: two FULLY_CONNECTED units straight from the `i8` data, four
/// values per step (`SXTAB16` adds the offset; `SMLAD` pairs the products).
#[inline(always)]
pub(crate) fn dot2_i8(xs: &[i8], f0: &[i8], f1: &[i8], off: i16) -> [i32; 2] {
    let n = xs.len();
    let (f0, f1) = (&f0[..n], &f1[..n]);
    let offsets = (off as u16 as u32).wrapping_mul(0x1_0001);
    let (x4, x_tail) = xs.as_chunks::<4>();
    let (g0, g0_tail) = f0.as_chunks::<4>();
    let (g1, g1_tail) = f1.as_chunks::<4>();
    let [mut a0, mut a1] = [0i32; 2];
    for ((x, w0), w1) in x4.iter().zip(g0).zip(g1) {
        let x = word(x);
        let (xe, xo) = (sxtab16(offsets, x), sxtab16_ror8(offsets, x));
        let w = word(w0);
        a0 = smlad(xo, sxtb16_ror8(w), smlad(xe, sxtb16(w), a0));
        let w = word(w1);
        a1 = smlad(xo, sxtb16_ror8(w), smlad(xe, sxtb16(w), a1));
    }
    for ((&x, &w0), &w1) in x_tail.iter().zip(g0_tail).zip(g1_tail) {
        let x = (x as i16).wrapping_add(off) as i32;
        a0 = a0.wrapping_add(x * w0 as i32);
        a1 = a1.wrapping_add(x * w1 as i32);
    }
    [a0, a1]
}

/// Int8 DEPTHWISE_CONV_2D with channels in fours and a depth multiplier of 1 or a multiple of
/// 4. For a segment of an output row (as many pixels as `acc` holds), each pixel's
/// four-channel groups sum their taps in registers — a 3-wide filter's window (clipped to 2
/// or 3 columns) in one block for all groups of the pixel ([`dw_pixel`], depth multiplier 1)
/// or of each input channel ([`dw_pixel_bcast`], in fours: one input byte for four
/// channels); other windows row by row ([`dw_row`], [`dw_row_bcast`]); tap by tap when
/// dilated or wider than 3 — into `acc`; then the segment is rescaled. Padding taps
/// are skipped by clipping each pixel's window. Equal to the reference kernel bit for bit (the
/// sums wrap as its do). `acc` must hold at least one pixel (`oc` values). `ONE` says the
/// depth multiplier is 1 (an instance of its own, as the hot loops differ).
#[allow(clippy::too_many_arguments)]
#[inline(never)]
pub(crate) fn depthwise_fours_i8<const ONE: bool>(
    p: &ConvParams,
    g: &Geometry,
    dm: usize,
    q: &QuantParams<'_>,
    per_channel: bool,
    input: &[i8],
    filter: &[i8],
    bias: Option<&[i32]>,
    output: &mut [i8],
    acc: &mut [i32],
) {
    let offsets = (q.input_offset as i16 as u16 as u32).wrapping_mul(0x1_0001);
    let (out_off, lo, hi) = (q.output_offset, q.act_min, q.act_max);
    let oc = g.oc;
    let seg = (acc.len() / oc.max(1)).max(1);
    let ic = g.ic;
    let (col_in, row_in) = (p.dilation_w * ic, p.dilation_h * g.iw * ic);
    // Window rows go to `dw_row` when their taps are adjacent (no dilation) and at most 3;
    // a 3-wide filter's windows of 2 or 3 columns, all channels, to `dw_pixel` (depth
    // multiplier 1); rows of taps at most 3 to `dw_row_bcast` (depth multiplier in fours).
    let rows = g.kw <= 3 && (!ONE || p.dilation_w == 1);
    let wide3 = rows && g.kw == 3;
    let simple = all_simple(q);
    let right = right_shifts(q.multipliers, q.shifts);
    let (m0, s0) = (
        q.multipliers.first().copied().unwrap_or(0),
        q.shifts.first().copied().unwrap_or(0),
    );
    for b in 0..g.n {
        for oy in 0..g.oh {
            let y0 = (oy * p.stride_h) as isize - p.pad_h as isize;
            let (ky_lo, ky_hi) = tap_range(y0, p.dilation_h, g.kh, g.ih);
            let mut ox0 = 0;
            while ox0 < g.ow {
                let ox1 = (ox0 + seg).min(g.ow);
                let (Some(accs), Some(bs)) = (
                    acc.get_mut(..(ox1 - ox0) * oc),
                    bias.map_or(Some(&[][..]), |b| b.get(..oc)),
                ) else {
                    return;
                };
                for (ox, px) in (ox0..ox1).zip(accs.chunks_exact_mut(oc)) {
                    let x0 = (ox * p.stride_w) as isize - p.pad_w as isize;
                    let (kx_lo, kx_hi) = tap_range(x0, p.dilation_w, g.kw, g.iw);
                    let taps = if rows { kx_hi - kx_lo } else { 0 };
                    // The window's first tap (channel 0) in the input and the weights.
                    let iy = (y0 + (ky_lo * p.dilation_h) as isize) as usize;
                    let ix = (x0 + (kx_lo * p.dilation_w) as isize) as usize;
                    let first_in = ((b * g.ih + iy) * g.iw + ix) * ic;
                    let first_f = (ky_lo * g.kw + kx_lo) * oc;
                    if ONE
                        && wide3
                        && dw_pixel(
                            px,
                            bias.and(Some(bs)),
                            input.get(first_in..).unwrap_or(&[]),
                            filter.get(first_f..).unwrap_or(&[]),
                            (oc, row_in),
                            (ky_hi - ky_lo, taps),
                            offsets,
                        )
                    {
                        continue;
                    }
                    // Depth multiplier in fours: each input channel's `dm` outputs in one
                    // block (the rest of the pixel only if every block ran).
                    if !ONE && wide3 {
                        let all = px.chunks_exact_mut(dm).enumerate().all(|(ci, chunk)| {
                            dw_pixel_bcast(
                                chunk,
                                bias.and(bs.get(ci * dm..(ci + 1) * dm)),
                                input.get(first_in + ci..).unwrap_or(&[]),
                                filter.get(first_f + ci * dm..).unwrap_or(&[]),
                                (col_in, oc, row_in),
                                (ky_hi - ky_lo, taps),
                                q.input_offset,
                            )
                        });
                        if all {
                            continue;
                        }
                    }
                    for (c, a4) in (0..oc).step_by(4).zip(px.as_chunks_mut::<4>().0) {
                        let mut a = match bs.get(c..c + 4) {
                            Some(&[b0, b1, b2, b3]) => [b0, b1, b2, b3],
                            _ => [0; 4],
                        };
                        let xs = input
                            .get(first_in + if ONE { c } else { c / dm }..)
                            .unwrap_or(&[]);
                        let fs = filter.get(first_f + c..).unwrap_or(&[]);
                        for r in 0..ky_hi - ky_lo {
                            let xs = xs.get(r * row_in..).unwrap_or(&[]);
                            let fs = fs.get(r * g.kw * oc..).unwrap_or(&[]);
                            let row = if ONE {
                                dw_row(a, xs, fs, oc, taps, offsets)
                            } else {
                                dw_row_bcast(a, xs, fs, (col_in, oc), taps, q.input_offset)
                            };
                            if let Some(r) = row {
                                a = r;
                                continue;
                            }
                            for k in 0..kx_hi - kx_lo {
                                // One input word (depth multiplier 1), or one input byte for
                                // the four (depth multiplier in fours).
                                let xw = if ONE {
                                    xs.get(k * col_in..k * col_in + 4)
                                        .and_then(|s| <&[i8; 4]>::try_from(s).ok())
                                        .map(word)
                                } else {
                                    xs.get(k * col_in).map(|&x| (x as u8 as u32) * 0x0101_0101)
                                };
                                let f = fs
                                    .get(k * oc..k * oc + 4)
                                    .and_then(|s| <&[i8; 4]>::try_from(s).ok());
                                let (Some(x), Some(f)) = (xw, f) else {
                                    return;
                                };
                                mac4(&mut a, x, word(f), offsets);
                            }
                        }
                        *a4 = a;
                    }
                }
                // Rescale the segment: pixel by pixel with each channel's constants read as
                // they are used when every channel is simple, else channel by channel.
                let at = ((b * g.oh + oy) * g.ow + ox0) * oc;
                let n = (ox1 - ox0) * oc;
                let (Some(outs), Some(accs)) = (output.get_mut(at..at + n), acc.get(..n)) else {
                    return;
                };
                if simple {
                    for (outs, accs) in outs.chunks_exact_mut(oc).zip(accs.chunks_exact(oc)) {
                        if per_channel {
                            requant_simple(
                                accs,
                                q.multipliers,
                                q.shifts,
                                outs,
                                out_off,
                                lo,
                                hi,
                                right,
                            );
                        } else {
                            for (o, &a) in outs.iter_mut().zip(accs) {
                                let v = rescale_simple(a, m0, s0).wrapping_add(out_off);
                                *o = clamp_i32(v, lo, hi) as i8;
                            }
                        }
                    }
                } else {
                    for c in 0..oc {
                        let (m, s) = q.channel_get(per_channel, c);
                        Requant::new(m, s).run(
                            accs.iter().skip(c).step_by(oc).copied(),
                            outs.iter_mut().skip(c).step_by(oc),
                            out_off,
                            lo,
                            hi,
                        );
                    }
                }
                ox0 = ox1;
            }
        }
    }
}
