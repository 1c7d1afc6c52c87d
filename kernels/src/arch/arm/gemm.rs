//! The int8 GEMM of CONV_2D and FULLY_CONNECTED on Armv7E-M: widened input rows against `i8`
//! weight rows with `SMLAD`, three rows by one output channel per tile.
//!
//! Each weight word `[f0, f1, f2, f3]` becomes `[f0, f2]` and `[f1, f3]` with two `SXTB16`s,
//! so the input rows are first permuted to `[x0, x2, x1, x3]` in every group of four (once
//! per row, in the scratch that holds them); a group then costs one load per input row, one
//! per weight row, two `SXTB16` per weight row and two `SMLAD` per row and channel. The sums
//! are the portable kernel's, wrapping the same way, so results equal it bit for bit.

use super::dsp::{smlad, sxtb16, sxtb16_ror8};
use crate::gemm::OutStage;

/// Two `i16` as one word, `a` in the low half (one load from consecutive values).
#[inline(always)]
fn pair(a: i16, b: i16) -> u32 {
    (a as u16 as u32) | ((b as u16 as u32) << 16)
}

/// Four `i8` as one little-endian word (one load; Armv7-M allows it unaligned).
#[inline(always)]
fn word(f: &[i8; 4]) -> u32 {
    u32::from_le_bytes(f.map(|b| b as u8))
}

/// Puts every group of four `[x0, x1, x2, x3]` of `row` in `SXTB16` order `[x0, x2, x1, x3]`
/// (a trailing partial group stays as it is).
#[inline(always)]
fn permute(row: &mut [i16]) {
    for g in row.as_chunks_mut::<4>().0 {
        g.swap(1, 2);
    }
}

/// One permuted group of four against expanded weights `(we, wo)`, added to `acc`.
#[inline(always)]
fn mac(acc: i32, g: &[i16; 4], we: u32, wo: u32) -> i32 {
    smlad(wo, pair(g[2], g[3]), smlad(we, pair(g[0], g[1]), acc))
}

/// The weight word of a group as `([f0, f2], [f1, f3])`.
#[inline(always)]
fn expand(w: &[i8; 4]) -> (u32, u32) {
    let w = word(w);
    (sxtb16(w), sxtb16_ror8(w))
}

/// The products of the last `k % 4` values (not permuted) of rows `xs` with weight row `f`.
#[inline(always)]
fn tail<const P: usize>(acc: &mut [i32; P], xs: [&[i16]; P], f: &[i8], k: usize) {
    for i in k & !3..k {
        for p in 0..P {
            acc[p] = acc[p].wrapping_add(xs[p][i] as i32 * f[i] as i32);
        }
    }
}

/// Three permuted rows against one weight row, all `k` long: the main tile. (Zipped walks
/// keep three accumulators, four pointers and the expanded weights in registers: 18
/// instructions per 12 multiply-accumulates. Two weight rows at once spill.)
#[inline(always)]
fn tile3(xs: [&[i16]; 3], f: &[i8], k: usize) -> [i32; 3] {
    let n = k / 4;
    let [x0, x1, x2] = xs.map(|s| &s.as_chunks::<4>().0[..n]);
    let fq = &f.as_chunks::<4>().0[..n];
    let [mut a0, mut a1, mut a2] = [0i32; 3];
    for (((g0, g1), g2), w) in x0.iter().zip(x1).zip(x2).zip(fq) {
        let (we, wo) = expand(w);
        a0 = mac(a0, g0, we, wo);
        a1 = mac(a1, g1, we, wo);
        a2 = mac(a2, g2, we, wo);
    }
    let mut acc = [a0, a1, a2];
    tail(&mut acc, xs, f, k);
    acc
}

/// One or two permuted rows against one weight row (the leftover rows).
#[inline(always)]
fn tile2(xs: [&[i16]; 2], f: &[i8], k: usize) -> [i32; 2] {
    let n = k / 4;
    let [x0, x1] = xs.map(|s| &s.as_chunks::<4>().0[..n]);
    let fq = &f.as_chunks::<4>().0[..n];
    let [mut a0, mut a1] = [0i32; 2];
    for ((g0, g1), w) in x0.iter().zip(x1).zip(fq) {
        let (we, wo) = expand(w);
        a0 = mac(a0, g0, we, wo);
        a1 = mac(a1, g1, we, wo);
    }
    let mut acc = [a0, a1];
    tail(&mut acc, xs, f, k);
    acc
}

/// One permuted row against one weight row.
#[inline(always)]
fn tile1(x: &[i16], f: &[i8], k: usize) -> i32 {
    let n = k / 4;
    let xq = &x.as_chunks::<4>().0[..n];
    let fq = &f.as_chunks::<4>().0[..n];
    let mut a = 0i32;
    for (g, w) in xq.iter().zip(fq) {
        let (we, wo) = expand(w);
        a = mac(a, g, we, wo);
    }
    let mut acc = [a];
    tail(&mut acc, [x], f, k);
    acc[0]
}

/// One permuted row against two weight rows (FULLY_CONNECTED's single row): each input word
/// loaded once for both.
#[inline(always)]
fn tile1x2(x: &[i16], fs: [&[i8]; 2], k: usize) -> [i32; 2] {
    let n = k / 4;
    let xq = &x.as_chunks::<4>().0[..n];
    let [f0, f1] = fs.map(|f| &f.as_chunks::<4>().0[..n]);
    let [mut a0, mut a1] = [0i32; 2];
    for ((g, w0), w1) in xq.iter().zip(f0).zip(f1) {
        let (we, wo) = expand(w0);
        a0 = mac(a0, g, we, wo);
        let (we, wo) = expand(w1);
        a1 = mac(a1, g, we, wo);
    }
    let mut acc = [[a0], [a1]];
    for (a, f) in acc.iter_mut().zip(fs) {
        tail(a, [x], f, k);
    }
    [acc[0][0], acc[1][0]]
}

/// `rows` widened input rows of length `k > 0` in `wide` (`rows * k` values; permuted here)
/// against all `oc` weight rows, requantized into `out` (`rows * oc`).
#[inline(never)]
pub(crate) fn gemm_rows(
    wide: &mut [i16],
    rows: usize,
    k: usize,
    filter: &[i8],
    oc: usize,
    st: &OutStage<'_>,
    out: &mut [i8],
) {
    let wide = &mut wide[..rows * k];
    for row in wide.chunks_exact_mut(k) {
        permute(row);
    }
    let wide = &*wide;
    let row = |r: usize| &wide[r * k..(r + 1) * k];
    if rows == 1 {
        let x = row(0);
        let mut o = 0;
        for fp in filter.chunks_exact(2 * k).take(oc / 2) {
            let acc = tile1x2(x, [&fp[..k], &fp[k..]], k);
            for (c, &a) in acc.iter().enumerate() {
                out[o + c] = st.finish(&st.requant(o + c), o + c, a);
            }
            o += 2;
        }
        if let Some(f) = filter.chunks_exact(k).nth(o).filter(|_| o < oc) {
            out[o] = st.finish(&st.requant(o), o, tile1(x, f, k));
        }
        return;
    }
    for (o, f) in filter.chunks_exact(k).take(oc).enumerate() {
        let rq = st.requant(o);
        let mut r = 0;
        while r + 3 <= rows {
            let acc = tile3([row(r), row(r + 1), row(r + 2)], f, k);
            for (p, &a) in acc.iter().enumerate() {
                out[(r + p) * oc + o] = st.finish(&rq, o, a);
            }
            r += 3;
        }
        if r + 2 <= rows {
            let acc = tile2([row(r), row(r + 1)], f, k);
            for (p, &a) in acc.iter().enumerate() {
                out[(r + p) * oc + o] = st.finish(&rq, o, a);
            }
        } else if r < rows {
            out[r * oc + o] = st.finish(&rq, o, tile1(row(r), f, k));
        }
    }
}
