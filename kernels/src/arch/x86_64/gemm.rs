//! The int8 GEMM tiles with SSE2 `pmaddwd` and vector requantization ([`super::simd`]):
//! [`crate::gemm::gemm_rows`] on x86-64, proptested equal to the portable tiles.

use super::simd::{self, Rq4, V};
use crate::gemm::{one_row, OutStage, WIDE_MAX};

/// `[T; N]` chunks of `s` and the rest, zero-padded to one more chunk.
#[inline(always)]
fn chunks<T: Copy + Default, const N: usize>(s: &[T]) -> (&[[T; N]], [T; N]) {
    let (c, rest) = s.as_chunks::<N>();
    let mut t = [T::default(); N];
    for (d, &v) in t.iter_mut().zip(rest) {
        *d = v;
    }
    (c, t)
}

/// Four rows of `xs` (each `n` chunks and a zero-padded rest) against up to `C` weight
/// rows: the accumulators, lane sums still to be taken.
#[inline(always)]
fn tile<const C: usize>(
    xs: &[(&[[i16; 8]], [i16; 8]); 4],
    fs: &[(&[[i8; 8]], [i8; 8]); C],
    n: usize,
    tail: bool,
) -> [[V; C]; 4] {
    let xs = xs.map(|(c, t)| (&c[..n], t));
    let fs = fs.map(|(c, t)| (&c[..n], t));
    let mut acc = [[simd::zero(); C]; 4];
    for j in 0..n {
        let w: [V; C] = core::array::from_fn(|c| simd::load_i8_widen(&fs[c].0[j]));
        for p in 0..4 {
            let x = simd::load_i16(&xs[p].0[j]);
            for c in 0..C {
                acc[p][c] = simd::madd(acc[p][c], x, w[c]);
            }
        }
    }
    if tail {
        let w: [V; C] = core::array::from_fn(|c| simd::load_i8_widen(&fs[c].1));
        for p in 0..4 {
            let x = simd::load_i16(&xs[p].1);
            for c in 0..C {
                acc[p][c] = simd::madd(acc[p][c], x, w[c]);
            }
        }
    }
    acc
}

/// The requantization of channel `o` for four pixels at a time, if its vector form is
/// exact (else the scalar path is used).
#[inline(always)]
fn channel_rq(st: &OutStage<'_>, o: usize) -> Option<Rq4> {
    let (m, s) = st.q.channel(st.per_channel, o);
    let b = st.bias.map_or(0, |b| b[o]);
    let q = st.q;
    Rq4::new(
        [m; 4],
        [b; 4],
        [s; 4],
        q.output_offset,
        q.act_min,
        q.act_max,
    )
}

/// Writes channel `o`'s accumulators of four pixels (`acc`, one lane per pixel) to
/// `out[p * oc + o]`.
#[inline(always)]
fn store4(st: &OutStage<'_>, rq: &Option<Rq4>, o: usize, acc: V, oc: usize, out: &mut [i8]) {
    let out = &mut out[o..o + 3 * oc + 1];
    match rq {
        Some(rq) => {
            let [a, b, c, d] = rq.apply4(acc);
            out[0] = a;
            out[oc] = b;
            out[2 * oc] = c;
            out[3 * oc] = d;
        }
        None => st.store_run(o, simd::to_i32(acc).into_iter(), out.iter_mut().step_by(oc)),
    }
}

/// [`crate::gemm::gemm_rows_portable`] with `pmaddwd`: channels in pairs on the outside (their
/// weights and rescale constants set up once per call), tiles of four rows inside, 8
/// values at a time (the last, partial 8 zero-padded); leftover rows as [`one_row_sse2`].
#[inline(never)]
pub(crate) fn gemm_rows_sse2(
    wide: &[i16],
    rows: usize,
    k: usize,
    filter: &[i8],
    oc: usize,
    st: &OutStage<'_>,
    out: &mut [i8],
) {
    let (n, tail) = (k / 8, !k.is_multiple_of(8));
    let tiles = rows / 4;
    let xs = |t: usize| -> [(&[[i16; 8]], [i16; 8]); 4] {
        core::array::from_fn(|p| chunks(&wide[(4 * t + p) * k..(4 * t + p + 1) * k]))
    };
    // Channels in blocks of 8: their rescale constants set up once per call, each tile's
    // rows cut once per block.
    const B: usize = 8;
    let mut c0 = 0;
    while tiles > 0 && c0 < oc {
        let nb = B.min(oc - c0);
        let rq: [Option<Rq4>; B] =
            core::array::from_fn(|c| if c < nb { channel_rq(st, c0 + c) } else { None });
        // The block's weight rows, cut (and their partial last 8 padded) once per call.
        let empty: &[[i8; 8]] = &[];
        let fb: [(&[[i8; 8]], [i8; 8]); B] = core::array::from_fn(|c| {
            if c < nb {
                chunks(&filter[(c0 + c) * k..(c0 + c + 1) * k])
            } else {
                (empty, [0; 8])
            }
        });
        for t in 0..tiles {
            let x = xs(t);
            let out = &mut out[4 * t * oc..(4 * t + 4) * oc];
            let mut c = 0;
            while c + 2 <= nb {
                let o = c0 + c;
                let acc = tile::<2>(&x, &[fb[c], fb[c + 1]], n, tail);
                for j in 0..2 {
                    let v = simd::sum4(acc[0][j], acc[1][j], acc[2][j], acc[3][j]);
                    store4(st, &rq[c + j], o + j, v, oc, out);
                }
                c += 2;
            }
            if c < nb {
                let o = c0 + c;
                let [[a], [b], [cc], [d]] = tile::<1>(&x, &[fb[c]], n, tail);
                store4(st, &rq[c], o, simd::sum4(a, b, cc, d), oc, out);
            }
        }
        c0 += nb;
    }
    for r in 4 * tiles..rows {
        one_row_sse2(
            &wide[r * k..(r + 1) * k],
            k,
            filter,
            oc,
            st,
            &mut out[r * oc..(r + 1) * oc],
        );
    }
}

/// Dot products of the deinterleaved row `xd` ([`simd::deinterleave16`], `n` chunks of
/// 16) with `C` weight rows, each given as `n` chunks of 16 and a zero-padded rest.
#[inline(always)]
fn dots<const C: usize>(
    xd: &[[i16; 8]],
    fs: [(&[[i8; 16]], [i8; 16]); C],
    n: usize,
    tail: bool,
) -> [V; C] {
    let xd = &xd[..2 * n + 2];
    let fs = fs.map(|(c, t)| (&c[..n], t));
    let mut acc = [simd::zero(); C];
    for j in 0..n {
        let (xe, xo) = (simd::load_i16(&xd[2 * j]), simd::load_i16(&xd[2 * j + 1]));
        for c in 0..C {
            let (we, wo) = simd::load_i8x16_even_odd(&fs[c].0[j]);
            acc[c] = simd::madd(simd::madd(acc[c], xe, we), xo, wo);
        }
    }
    if tail {
        let (xe, xo) = (simd::load_i16(&xd[2 * n]), simd::load_i16(&xd[2 * n + 1]));
        for c in 0..C {
            let (we, wo) = simd::load_i8x16_even_odd(&fs[c].1);
            acc[c] = simd::madd(simd::madd(acc[c], xe, we), xo, wo);
        }
    }
    acc
}

/// [`crate::gemm::one_row`] with `pmaddwd`: the row deinterleaved once (16 values at a time, so
/// each weight load serves 16 products), four channels at a time.
#[inline(never)]
fn one_row_sse2(x: &[i16], k: usize, filter: &[i8], oc: usize, st: &OutStage<'_>, out: &mut [i8]) {
    // Rows shorter than one 16-value chunk: the portable tiles do less setup.
    if k < 16 {
        return one_row(x, k, filter, oc, st, out);
    }
    // Sized to the row: the buffer is zeroed on every call.
    if k <= 48 {
        one_row_buf::<64>(x, k, filter, oc, st, out)
    } else if k <= 240 {
        one_row_buf::<256>(x, k, filter, oc, st, out)
    } else if k <= 1008 {
        one_row_buf::<1024>(x, k, filter, oc, st, out)
    } else {
        one_row_buf::<{ WIDE_MAX + 16 }>(x, k, filter, oc, st, out)
    }
}

#[inline(always)]
fn one_row_buf<const N: usize>(
    x: &[i16],
    k: usize,
    filter: &[i8],
    oc: usize,
    st: &OutStage<'_>,
    out: &mut [i8],
) {
    let n = k / 16;
    let tail = !k.is_multiple_of(16);
    let mut buf = [0i16; N];
    let mut padded = [0i16; 16];
    padded[..k % 16].copy_from_slice(&x[n * 16..k]);
    simd::deinterleave16(&mut buf[..n * 16], &x[..n * 16]);
    simd::deinterleave16(&mut buf[n * 16..n * 16 + 16], &padded);
    let xd = &buf.as_chunks::<8>().0[..2 * n + 2];
    let q = st.q;
    let mut o = 0;
    while o + 4 <= oc {
        let fs: [_; 4] = core::array::from_fn(|c| chunks(&filter[(o + c) * k..(o + c + 1) * k]));
        let acc = dots::<4>(xd, fs, n, tail);
        let v = simd::sum4(acc[0], acc[1], acc[2], acc[3]);
        let (m, s): ([i32; 4], [i32; 4]) = (
            core::array::from_fn(|c| st.q.channel(st.per_channel, o + c).0),
            core::array::from_fn(|c| st.q.channel(st.per_channel, o + c).1),
        );
        let b: [i32; 4] = core::array::from_fn(|c| st.bias.map_or(0, |b| b[o + c]));
        match Rq4::new(m, b, s, q.output_offset, q.act_min, q.act_max) {
            Some(rq) => out[o..o + 4].copy_from_slice(&rq.apply4(v)),
            None => {
                for (c, &a) in simd::to_i32(v).iter().enumerate() {
                    out[o + c] = st.finish(&st.requant(o + c), o + c, a);
                }
            }
        }
        o += 4;
    }
    while o < oc {
        let [acc] = dots::<1>(xd, [chunks(&filter[o * k..(o + 1) * k])], n, tail);
        let a = simd::to_i32(acc)
            .iter()
            .fold(0i32, |s, &v| s.wrapping_add(v));
        out[o] = st.finish(&st.requant(o), o, a);
        o += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gemm::gemm_rows_portable;
    use crate::quant::QuantParams;
    use proptest::prelude::*;

    /// The SSE2 tiles equal the portable ones (which the Cortex-M builds use) bit for bit.
    fn tiles_agree(
        rows: usize,
        k: usize,
        oc: usize,
        seed: u64,
        per_channel: bool,
        shifts: (i32, i32),
        act: (i32, i32),
    ) {
        let mut r = seed | 1;
        let mut next = || {
            r ^= r << 13;
            r ^= r >> 7;
            r ^= r << 17;
            r
        };
        let wide: Vec<i16> = (0..rows * k).map(|_| (next() % 511) as i16 - 255).collect();
        let filter: Vec<i8> = (0..oc * k).map(|_| next() as i8).collect();
        let bias: Vec<i32> = (0..oc)
            .map(|_| (next() % 200_001) as i32 - 100_000)
            .collect();
        let n = if per_channel { oc } else { 1 };
        let ms: Vec<i32> = (0..n)
            .map(|_| (1 << 30) + (next() % (1 << 30)) as i32)
            .collect();
        let ss: Vec<i8> = (0..n)
            .map(|i| crate::quant::clamp_shift(if i % 3 == 0 { shifts.0 } else { shifts.1 }))
            .collect();
        let q = QuantParams {
            input_offset: 0,
            output_offset: (next() % 256) as i32 - 128,
            act_min: act.0,
            act_max: act.1,
            multipliers: &ms,
            shifts: &ss,
        };
        let st = OutStage {
            q: &q,
            per_channel,
            bias: Some(&bias),
        };
        let (mut a, mut b) = (vec![0i8; rows * oc], vec![0i8; rows * oc]);
        gemm_rows_portable(&wide, rows, k, &filter, oc, &st, &mut a);
        gemm_rows_sse2(&wide, rows, k, &filter, oc, &st, &mut b);
        assert_eq!(a, b, "rows {rows}, k {k} oc {oc}");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4096))]
        #[test]
        fn sse2_tiles_match_portable(
            rows in 1usize..14,
            k in 1usize..300,
            oc in 1usize..20,
            seed in any::<u64>(),
            per_channel in any::<bool>(),
            shifts in (-12i32..3, -12i32..3),
            act in (-128i32..128, -128i32..128),
        ) {
            tiles_agree(rows, k, oc, seed, per_channel, shifts, act);
        }
    }
}
