//! The multiply-accumulate of int8 DEPTHWISE_CONV_2D's row kernel (depth multiplier 1) on
//! Armv7E-M: one tap over a pixel's channels, four channels per step; and the same
//! `i8`-direct products for small FULLY_CONNECTED layers ([`dot2_i8`]).
//!
//! Per four channels: one word of input and one of weights; `SXTAB16` adds the input offset
//! to bytes 0/2 and 1/3 (one instruction each), `SXTB16` expands the weights, and
//! `SMLABB`/`SMLATT` (which LLVM forms from the halves' products) add the four products to
//! the accumulators. The sums wrap like the portable loop's, so results are equal.

use super::dsp::{smlad, sxtab16, sxtab16_ror8, sxtb16, sxtb16_ror8, word};

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
        let (x, f) = (word(x), word(f));
        let (xe, xo) = (sxtab16(offsets, x), sxtab16_ror8(offsets, x));
        let (fe, fo) = (sxtb16(f), sxtb16_ror8(f));
        a[0] = mla_bottom(a[0], xe, fe);
        a[1] = mla_bottom(a[1], xo, fo);
        a[2] = mla_top(a[2], xe, fe);
        a[3] = mla_top(a[3], xo, fo);
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
