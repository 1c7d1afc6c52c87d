//! The int8 GEMM of CONV_2D and FULLY_CONNECTED on Armv7E-M: widened input rows against `i8`
//! weight rows with `SMLAD`.
//!
//! - [`gemm_pairs`]: two rows by two output channels per tile ([`gemm_2x2`]), the rows widened
//!   in pairs straight into its layout; CONV_2D whose patch length is whole words.
//! - [`fully_connected_rows`]: FULLY_CONNECTED three units per pass ([`fc_3units`]) straight
//!   from the `i8` input.
//! - [`gemm_rows`]: three rows by one channel per tile ([`dot3`]), for the other shapes.
//!
//! Each weight word `[f0, f1, f2, f3]` becomes `[f0, f2]` and `[f1, f3]` with two `SXTB16`s,
//! so the input rows are first permuted to `[x0, x2, x1, x3]` in every group of four (once
//! per row, in the scratch that holds them); a group then costs one load per input row, one
//! per weight row, two `SXTB16` per weight row and two `SMLAD` per row and channel. The sums
//! are the portable kernel's, wrapping the same way, so results equal it bit for bit.

use super::dsp::{dot3, smlad, sxtab16, sxtab16_ror8, sxtb16, sxtb16_ror8, word};
use super::dsp::{
    fc_3units, gemm_2x2, requant_simple, requant_simple_call, requant_uniform, right_shifts, Sums,
    PAIR_CHUNK,
};
use crate::gemm::{all_simple, rescale_simple, OutStage};

/// Output channels whose sums the simple-rescale GEMM keeps before rescaling them together.
const CHUNK: usize = 16;
use crate::util::clamp_i32;

/// Puts every group of four `[x0, x1, x2, x3]` of `row` in `SXTB16` order `[x0, x2, x1, x3]`
/// (a trailing partial group stays as it is).
#[inline(always)]
fn permute(row: &mut [i16]) {
    for g in row.as_chunks_mut::<4>().0 {
        g.swap(1, 2);
    }
}

/// One permuted group (as its two words `[x0, x2]`, `[x1, x3]`) against expanded weights
/// `(we, wo)`, added to `acc`.
#[inline(always)]
fn mac(acc: i32, g: &[u32; 2], we: u32, wo: u32) -> i32 {
    smlad(wo, g[1], smlad(we, g[0], acc))
}

/// The weight word of a group as `([f0, f2], [f1, f3])`.
#[inline(always)]
fn expand(w: &[i8; 4]) -> (u32, u32) {
    let w = word(w);
    (sxtb16(w), sxtb16_ror8(w))
}

/// A row of `k` widened values, permuted: its whole groups as word pairs, and its last
/// `k % 4` values.
#[derive(Clone, Copy)]
struct Row<'a> {
    groups: &'a [[u32; 2]],
    tail: &'a [i16],
}

/// The products of the rows' tails with the last `k % 4` weights of `f`.
#[inline(always)]
fn tail<const P: usize>(acc: &mut [i32; P], xs: [Row<'_>; P], f: &[i8]) {
    let n = xs[0].tail.len();
    let f = &f[f.len() - n..];
    for (i, &w) in f.iter().enumerate() {
        for p in 0..P {
            acc[p] = acc[p].wrapping_add(xs[p].tail[i] as i32 * w as i32);
        }
    }
}

/// Three rows against one weight row: the main tile ([`dot3`]: 17 instructions per 12
/// multiply-accumulates; three accumulators, four pointers, the count and three temporaries
/// fill the twelve registers inline `asm!` may use, so a 2x2 tile would not fit).
#[inline(always)]
fn tile3(xs: [Row<'_>; 3], f: &[i8]) -> [i32; 3] {
    let fq = f.as_chunks::<4>().0;
    let mut acc = dot3(xs.map(|r| r.groups), fq);
    tail(&mut acc, xs, f);
    acc
}

/// Two rows against one weight row (leftover rows).
#[inline(always)]
fn tile2(xs: [Row<'_>; 2], f: &[i8]) -> [i32; 2] {
    let n = xs[0].groups.len();
    let [x0, x1] = xs.map(|r| &r.groups[..n]);
    let fq = &f.as_chunks::<4>().0[..n];
    let [mut a0, mut a1] = [0i32; 2];
    for ((g0, g1), w) in x0.iter().zip(x1).zip(fq) {
        let (we, wo) = expand(w);
        a0 = mac(a0, g0, we, wo);
        a1 = mac(a1, g1, we, wo);
    }
    let mut acc = [a0, a1];
    tail(&mut acc, xs, f);
    acc
}

/// One row against one weight row.
#[inline(always)]
fn tile1(x: Row<'_>, f: &[i8]) -> i32 {
    let n = x.groups.len();
    let fq = &f.as_chunks::<4>().0[..n];
    let mut a = 0i32;
    for (g, w) in x.groups.iter().zip(fq) {
        let (we, wo) = expand(w);
        a = mac(a, g, we, wo);
    }
    let mut acc = [a];
    tail(&mut acc, [x], f);
    acc[0]
}

/// One row against two weight rows (a batch of one row: convolutions whose patch fills the
/// buffer alone, as ic_resnet8's 3x3x64): each input word loaded once for both.
#[inline(always)]
fn tile1x2(x: Row<'_>, fs: [&[i8]; 2]) -> [i32; 2] {
    let n = x.groups.len();
    let [f0, f1] = fs.map(|f| &f.as_chunks::<4>().0[..n]);
    let [mut a0, mut a1] = [0i32; 2];
    for ((g, w0), w1) in x.groups.iter().zip(f0).zip(f1) {
        let (we, wo) = expand(w0);
        a0 = mac(a0, g, we, wo);
        let (we, wo) = expand(w1);
        a1 = mac(a1, g, we, wo);
    }
    let mut acc = [[a0], [a1]];
    for (a, f) in acc.iter_mut().zip(fs) {
        tail(a, [x], f);
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
    // The rows are read as words: each starts on a word boundary when `k` is even and the
    // buffer does (the arena's scratch does); otherwise the portable tiles run.
    if !k.is_multiple_of(2) || bytemuck::try_cast_slice::<i16, u32>(wide).is_err() {
        return crate::gemm::gemm_rows_portable(wide, rows, k, filter, oc, st, out);
    }
    for row in wide.chunks_exact_mut(k) {
        permute(row);
    }
    let Ok(words) = bytemuck::try_cast_slice::<i16, u32>(wide) else {
        return;
    };
    let wide = &*wide;
    let (n, kw) = (k / 4, k / 2);
    let row = |r: usize| Row {
        groups: &words[r * kw..r * kw + 2 * n].as_chunks::<2>().0[..n],
        tail: &wide[r * k + 4 * n..(r + 1) * k],
    };
    if rows == 1 {
        let x = row(0);
        let mut o = 0;
        for fp in filter.chunks_exact(2 * k).take(oc / 2) {
            let acc = tile1x2(x, [&fp[..k], &fp[k..]]);
            for (c, &a) in acc.iter().enumerate() {
                out[o + c] = st.finish(&st.requant(o + c), o + c, a);
            }
            o += 2;
        }
        if let Some(f) = filter.chunks_exact(k).nth(o).filter(|_| o < oc) {
            out[o] = st.finish(&st.requant(o), o, tile1(x, f));
        }
        return;
    }
    if all_simple(st.q) {
        // Rows outer, channels inner: each triple of rows is cut once, and each output is
        // rescaled from its channel's multiplier and shift with nothing set up per channel
        // (what small `k`, as MobileNet's first 1x1 layers, is dominated by).
        let q = st.q;
        let (zp, lo, hi) = (q.output_offset, q.act_min, q.act_max);
        let right = right_shifts(q.multipliers, q.shifts);
        let pc = usize::from(st.per_channel);
        let fin = |o: usize, a: i32| {
            let a = a.wrapping_add(st.bias.map_or(0, |b| b[o]));
            let v = rescale_simple(a, q.multipliers[o * pc], q.shifts[o * pc]);
            clamp_i32(v.wrapping_add(zp), lo, hi) as i8
        };
        let mut r = 0;
        while r + 3 <= rows {
            let xs = [row(r), row(r + 1), row(r + 2)];
            let outs = &mut out[r * oc..(r + 3) * oc];
            let (o0, rest) = outs.split_at_mut(oc);
            let (o1, o2) = rest.split_at_mut(oc);
            if st.per_channel {
                // Channels in chunks: the three rows' sums (with bias) kept, then each row
                // rescaled by the `requant_simple` loop.
                let mut acc = [[0i32; CHUNK]; 3];
                let mut c0 = 0;
                while c0 < oc {
                    let n = CHUNK.min(oc - c0);
                    let fs = filter[c0 * k..(c0 + n) * k].chunks_exact(k);
                    for (j, f) in fs.enumerate() {
                        let b = st.bias.map_or(0, |b| b[c0 + j]);
                        let [a0, a1, a2] = tile3(xs, f);
                        acc[0][j] = a0.wrapping_add(b);
                        acc[1][j] = a1.wrapping_add(b);
                        acc[2][j] = a2.wrapping_add(b);
                    }
                    let (ms, ss) = (&q.multipliers[c0..c0 + n], &q.shifts[c0..c0 + n]);
                    for (a, o) in acc.iter().zip([&mut *o0, &mut *o1, &mut *o2]) {
                        requant_simple(&a[..n], ms, ss, &mut o[c0..c0 + n], zp, lo, hi, right);
                    }
                    c0 += n;
                }
                r += 3;
                continue;
            }
            let walk = o0.iter_mut().zip(o1.iter_mut()).zip(o2.iter_mut());
            for (o, (((y0, y1), y2), f)) in walk.zip(filter.chunks_exact(k)).enumerate() {
                let [a0, a1, a2] = tile3(xs, f);
                *y0 = fin(o, a0);
                *y1 = fin(o, a1);
                *y2 = fin(o, a2);
            }
            r += 3;
        }
        while r < rows {
            let x = row(r);
            let outs = &mut out[r * oc..(r + 1) * oc];
            for (o, (y, f)) in outs.iter_mut().zip(filter.chunks_exact(k)).enumerate() {
                *y = fin(o, tile1(x, f));
            }
            r += 1;
        }
        return;
    }
    for (o, f) in filter.chunks_exact(k).take(oc).enumerate() {
        let rq = st.requant(o);
        let mut r = 0;
        while r + 3 <= rows {
            let acc = tile3([row(r), row(r + 1), row(r + 2)], f);
            for (p, &a) in acc.iter().enumerate() {
                out[(r + p) * oc + o] = st.finish(&rq, o, a);
            }
            r += 3;
        }
        if r + 2 <= rows {
            let acc = tile2([row(r), row(r + 1)], f);
            for (p, &a) in acc.iter().enumerate() {
                out[(r + p) * oc + o] = st.finish(&rq, o, a);
            }
        } else if r < rows {
            out[r * oc + o] = st.finish(&rq, o, tile1(row(r), f));
        }
    }
}

/// Two int8 rows of `4 · dst.len()` values, `a` and `b`, widened with the input offset (in
/// both halves of `off2`) into the 2x2 kernel's groups: per four values of each row
/// `[x0, x2]` and `[x1, x3]` as `SXTAB16` gives them.
#[inline(always)]
fn widen_pair(dst: &mut [[u32; 4]], a: &[i8], b: &[i8], off2: u32) {
    let (a, b) = (a.as_chunks::<4>().0, b.as_chunks::<4>().0);
    for ((d, wa), wb) in dst.iter_mut().zip(a).zip(b) {
        let (wa, wb) = (word(wa), word(wb));
        *d = [
            sxtab16(off2, wa),
            sxtab16_ror8(off2, wa),
            sxtab16(off2, wb),
            sxtab16_ror8(off2, wb),
        ];
    }
}

/// Where [`gemm_pairs`] reads its rows of `k` int8 inputs: a 1x1 convolution's pixels as
/// they are, or a convolution's patches gathered into staging bytes.
pub(crate) trait PairRows {
    /// Whether [`row`](PairRows::row) writes into its staging buffer (then `gemm_pairs` keeps
    /// two rows of its scratch for it, and takes `k` not a multiple of 4).
    fn staged(&self) -> bool;
    /// Row `r`: its `k` values, possibly gathered into the front of `stage` (`k` rounded up
    /// to a multiple of 4 bytes), then whatever `stage` holds after them up to that length.
    fn row<'s>(&'s self, r: usize, stage: &'s mut [i8]) -> &'s [i8];
}

/// The scratch (`i16` values) [`gemm_pairs`] needs beyond its widened pairs: two rows of
/// staging bytes, and for `k` not a multiple of 4 the weight rows padded to one (`oc` rows
/// of `k` rounded up, zeros after the weights), as CMSIS-NN pads odd patch lengths.
pub(crate) fn pairs_extra_len(k: usize, oc: usize) -> usize {
    let k4 = k.next_multiple_of(4);
    let padded = if k4 == k {
        0
    } else {
        oc.saturating_mul(k4) / 2
    };
    k4.saturating_add(padded)
}

/// The GEMM of `pixels` rows of `k` int8 inputs (from `src`) against `oc` weight rows,
/// requantized into `out` (`pixels · oc`), two rows by two channels at a time
/// ([`gemm_2x2`]); one instance for both kinds of rows (`dyn`: a call per row, not per
/// multiply). A `k` that is not a multiple of 4 (a 3-channel stem's 27) takes staged
/// rows and weights copied with zeros up to one, the rows' extra values multiplying those
/// zeros. `false`, having written nothing, when it does not apply: such a `k` unstaged,
/// rescaling not [`all_simple`], `buf` (the `i16` scratch) too short for two rows and
/// [`pairs_extra_len`] or not word-aligned, or a slice too short.
#[allow(clippy::too_many_arguments)]
pub(crate) fn gemm_pairs(
    src: &dyn PairRows,
    pixels: usize,
    k: usize,
    filter: &[i8],
    oc: usize,
    st: &OutStage<'_>,
    off: i16,
    buf: &mut [i16],
    out: &mut [i8],
) -> bool {
    let q = st.q;
    let pc = usize::from(st.per_channel);
    let k4 = k.next_multiple_of(4);
    let n = k4 / 4;
    let staged = src.staged();
    let fits = |len: Option<usize>, have: usize| len.is_some_and(|l| l <= have);
    if n == 0
        || (k4 != k && !staged)
        || oc == 0
        || !all_simple(q)
        || !fits(pixels.checked_mul(oc), out.len())
        || !fits(oc.checked_mul(k), filter.len())
        || st.bias.is_some_and(|b| b.len() < oc)
        || q.multipliers.len() < 1 + (oc - 1) * pc
        || q.shifts.len() < 1 + (oc - 1) * pc
    {
        return false;
    }
    // The staging bytes (two rows) and the padded weights at the end of the scratch, the
    // pairs' groups before them.
    let extra = if staged { pairs_extra_len(k, oc) } else { 0 };
    let Some(room) = buf.len().checked_sub(extra) else {
        return false;
    };
    let (head, tail) = buf.split_at_mut(room);
    let whole = room / (2 * k4) * (2 * k4);
    let Ok(groups) = bytemuck::try_cast_slice_mut::<i16, [u32; 4]>(&mut head[..whole]) else {
        return false;
    };
    let Ok(tail) = bytemuck::try_cast_slice_mut::<i16, i8>(tail) else {
        return false;
    };
    let (stage, padded) = tail.split_at_mut(if staged { 2 * k4 } else { 0 });
    stage.fill(0);
    let (stage0, stage1) = stage.split_at_mut(stage.len() / 2);
    let filter = if k4 == k {
        filter
    } else {
        let Some(padded) = padded.get_mut(..oc * k4) else {
            return false;
        };
        for (d, f) in padded.chunks_exact_mut(k4).zip(filter.chunks_exact(k)) {
            let (w, z) = d.split_at_mut(k);
            w.copy_from_slice(f);
            z.fill(0);
        }
        &*padded
    };
    let k = k4;
    let batch = groups.len() / n;
    if batch == 0 {
        return false;
    }
    let off2 = u32::from(off as u16) * 0x0001_0001;
    let (zp, lo, hi) = (q.output_offset, q.act_min, q.act_max);
    let right = right_shifts(q.multipliers, q.shifts);
    // Per-tensor rescaling repeated across a chunk; no bias as zeros.
    let (m_all, s_all) = ([q.multipliers[0]; PAIR_CHUNK], [q.shifts[0]; PAIR_CHUNK]);
    let zeros = [0i32; PAIR_CHUNK];
    let mut acc = [[0i32; PAIR_CHUNK]; 2];
    let mut pix = 0;
    while pix < pixels {
        let rows = (2 * batch).min(pixels - pix);
        let pairs = rows.div_ceil(2);
        // Widen the rows in pairs (an odd last row paired with itself).
        for (p, d) in groups.chunks_exact_mut(n).take(pairs).enumerate() {
            let r0 = pix + 2 * p;
            let r1 = if 2 * p + 1 < rows { r0 + 1 } else { r0 };
            let (a, b) = (src.row(r0, stage0), src.row(r1, stage1));
            widen_pair(d, a, b, off2);
        }
        for (p, x) in groups.chunks_exact(n).take(pairs).enumerate() {
            let r0 = pix + 2 * p;
            let two = 2 * p + 1 < rows;
            let mut c0 = 0;
            while c0 < oc {
                let cn = PAIR_CHUNK.min(oc - c0);
                let bias = st.bias.map_or(&zeros[..cn], |b| &b[c0..c0 + cn]);
                let fs = &filter[c0 * k..(c0 + cn) * k];
                gemm_2x2(x, fs, bias, &mut acc, cn / 2);
                if cn % 2 == 1 {
                    // The chunk's last channel alone.
                    let (c, f) = (cn - 1, &fs[(cn - 1) * k..]);
                    let (mut a0, mut a1) = (bias[c], bias[c]);
                    for (g, w) in x.iter().zip(f.as_chunks::<4>().0) {
                        let (we, wo) = (sxtb16(word(w)), sxtb16_ror8(word(w)));
                        a0 = smlad(wo, g[1], smlad(we, g[0], a0));
                        a1 = smlad(wo, g[3], smlad(we, g[2], a1));
                    }
                    acc[0][c] = a0;
                    acc[1][c] = a1;
                }
                let (ms, ss) = if st.per_channel {
                    (&q.multipliers[c0..c0 + cn], &q.shifts[c0..c0 + cn])
                } else {
                    (&m_all[..cn], &s_all[..cn])
                };
                // Row 0's sums, and row 1's when the pair has a second row.
                let mut finish = |a: &[i32; PAIR_CHUNK], o: usize| {
                    requant_simple(&a[..cn], ms, ss, &mut out[o..o + cn], zp, lo, hi, right);
                };
                let o = r0 * oc + c0;
                finish(&acc[0], o);
                if two {
                    finish(&acc[1], o + oc);
                }
                c0 += cn;
            }
        }
        pix += rows;
    }
    true
}

/// Units per pass of [`fully_connected_rows`]: a multiple of [`fc_3units`]' three, small
/// enough that its sums' buffer costs tiny layers (hello_world's) little to clear.
const FC_CHUNK: usize = 18;

/// The sums' start when a layer has no bias.
static FC_ZEROS: [i32; FC_CHUNK] = [0; FC_CHUNK];

/// `Σ (x + off) · f` over `xs` (`f` as long), wrapping: one unit, four values per step.
#[inline(always)]
fn dot1(xs: &[i8], f: &[i8], off2: u32, off: i32) -> i32 {
    let (x4, x_tail) = xs.as_chunks::<4>();
    let (f4, f_tail) = f.as_chunks::<4>();
    let mut a = 0i32;
    for (x, w) in x4.iter().zip(f4) {
        let (x, w) = (word(x), word(w));
        a = smlad(sxtab16(off2, x), sxtb16(w), a);
        a = smlad(sxtab16_ror8(off2, x), sxtb16_ror8(w), a);
    }
    for (&x, &w) in x_tail.iter().zip(f_tail) {
        a = a.wrapping_add((x as i32 + off) * w as i32);
    }
    a
}

/// Int8 FULLY_CONNECTED without a filter offset: each input row against every unit, three
/// units per `asm!` pass when the depth is whole words ([`fc_3units`]), the sums then
/// rescaled 18 at a time ([`requant_simple`] per channel, [`requant_uniform`] per tensor).
/// `false`, having written nothing, when the rescaling is not [`all_simple`] or is per
/// tensor without a right shift, or the offset does not fit 16 bits; the caller checked the
/// shapes.
pub(crate) fn fully_connected_rows(
    st: &OutStage<'_>,
    batches: usize,
    depth: usize,
    units: usize,
    input: &[i8],
    filter: &[i8],
    output: &mut [i8],
) -> bool {
    let q = st.q;
    if depth == 0 || units == 0 || !all_simple(q) || !crate::gemm::offset_fits_i16(q.input_offset) {
        return false;
    }
    let off = q.input_offset;
    let off2 = u32::from(off as u16) * 0x0001_0001;
    let (zp, lo, hi) = (q.output_offset, q.act_min, q.act_max);
    // Per-tensor rescaling keeps its constants in registers ([`requant_uniform`], which
    // wants a right shift: without one the direct path runs).
    let (m0, r0) = (q.multipliers[0], (-i32::from(q.shifts[0])) as u32);
    if !st.per_channel && r0 == 0 {
        return false;
    }
    let right = right_shifts(q.multipliers, q.shifts);
    let mut sums = Sums::<FC_CHUNK>::new();
    let whole = depth.is_multiple_of(4);
    // Rows split off the front (no division, as `chunks_exact` would take).
    let (mut rows, mut out_rows) = (input, output);
    for _ in 0..batches {
        let (Some((xs, r)), Some((outs, o))) = (
            rows.split_at_checked(depth),
            core::mem::take(&mut out_rows).split_at_mut_checked(units),
        ) else {
            break;
        };
        (rows, out_rows) = (r, o);
        let mut u0 = 0;
        while u0 < units {
            let cn = FC_CHUNK.min(units - u0);
            let bias = st.bias.map_or(&FC_ZEROS[..cn], |b| &b[u0..u0 + cn]);
            let fs = &filter[u0 * depth..(u0 + cn) * depth];
            sums.clear();
            if whole && cn >= 3 {
                fc_3units(xs, fs, bias, &mut sums, cn / 3, off2);
            }
            let done = sums.len();
            if let [x] = xs {
                // One input (a scalar feature, as hello_world's first layer): one product.
                let x = i32::from(*x) + off;
                sums.extend(
                    bias.iter()
                        .zip(fs)
                        .map(|(&b, &f)| b.wrapping_add(x * i32::from(f))),
                );
            } else {
                let units = bias.iter().zip(fs.chunks_exact(depth)).skip(done);
                sums.extend(units.map(|(&b, f)| b.wrapping_add(dot1(xs, f, off2, off))));
            }
            let o = &mut outs[u0..u0 + cn];
            if st.per_channel {
                let (ms, ss) = (&q.multipliers[u0..u0 + cn], &q.shifts[u0..u0 + cn]);
                requant_simple_call(sums.as_slice(), ms, ss, o, zp, lo, hi, right);
            } else {
                requant_uniform(sums.as_slice(), m0, r0, o, zp, lo, hi);
            }
            u0 += cn;
        }
    }
    true
}
