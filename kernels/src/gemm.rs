//! Shared building blocks of the fast int8 and float kernels: exact per-channel requantization
//! with its constants hoisted, and register-blocked dot-product tiles.
//!
//! The portable tiles are safe Rust shaped for LLVM's vectorisers: fixed-size tiles (const
//! generics), slices pre-cut to one common length so the inner loops carry no bounds checks,
//! and no branches inside them. The int8 tiles multiply `i16` inputs (the input already widened
//! with its offset added, see [`widen`]) by `i8` weights (`mla`/`smla*` sequences on
//! Cortex-M); the float tiles keep TFLM's summation order for every output (so results equal
//! the reference bit for bit) and only interleave independent outputs to hide latency. On
//! x86-64 the int8 GEMM runs the SSE2 kernel of `arch::x86_64::gemm` instead (`pmaddwd`
//! tiles and vector requantization), proptested equal to the portable one.

use crate::quant::QuantParams;
use crate::util::clamp_i32;

/// `i16` elements of the on-stack buffer that holds widened input rows: 2 KiB of stack on
/// 16- and 32-bit targets (microcontrollers), 8 KiB on 64-bit hosts, where four rows of a
/// 3x3x64 patch fit.
#[cfg(not(target_pointer_width = "64"))]
pub(crate) const WIDE_MAX: usize = 1024;
/// `i16` elements of the on-stack buffer that holds widened input rows: 2 KiB of stack on
/// 16- and 32-bit targets (microcontrollers), 8 KiB on 64-bit hosts, where four rows of a
/// 3x3x64 patch fit.
#[cfg(target_pointer_width = "64")]
pub(crate) const WIDE_MAX: usize = 4096;

/// Input offsets for which `x + offset` is exact in `i16` for every int8 `x`.
#[inline]
pub(crate) fn offset_fits_i16(offset: i32) -> bool {
    (i16::MIN as i32 + 128..=i16::MAX as i32 - 127).contains(&offset)
}

/// `dst[i] = src[i] + offset` in `i16` (exact when [`offset_fits_i16`]).
#[inline(always)]
pub(crate) fn widen(dst: &mut [i16], src: &[i8], offset: i16) {
    for (d, &s) in dst.iter_mut().zip(src) {
        *d = (s as i16).wrapping_add(offset);
    }
}

/// TFLM's `MultiplyByQuantizedMultiplier` for one channel with its shifts precomputed.
///
/// `apply` equals [`multiply_by_quantized_multiplier`] for every input (proptested): the
/// gemmlowp nudge-and-truncate of `SaturatingRoundingDoublingHighMul` is the same as adding
/// `2^30` and shifting right arithmetically, and `RoundingDivideByPOT` is kept in 32 bits
/// (remainder against half the divisor), so a 32-bit core needs one long multiply and no
/// 64-bit shifts per value.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Requant {
    m: i32,
    left: u32,
    /// The right shift, `0..=62` (RoundingDivideByPOT clamps to 62).
    right: u32,
    /// `2^right - 1` and half of it (for `right <= 31`).
    mask: i32,
    half: i32,
}

impl Requant {
    #[inline]
    pub(crate) fn new(multiplier: i32, shift: i32) -> Self {
        let (mut m, mut left) = (multiplier, 0u32);
        if shift > 0 {
            if shift >= 32 {
                m = 0; // x * 2^shift wraps to 0 in 32 bits
            } else {
                left = shift as u32;
            }
        }
        let right = if shift > 0 {
            0
        } else {
            (shift.saturating_neg() as u32).min(62)
        };
        let mask = if right <= 31 {
            ((1u32 << right) - 1) as i32
        } else {
            0
        };
        Requant {
            m,
            left,
            right,
            mask,
            half: mask >> 1,
        }
    }

    /// Whether [`Self::apply_simple`] applies: no left shift, a multiplier that cannot
    /// saturate (only `i32::MIN * i32::MIN` does), and a right shift within 32 bits.
    #[inline(always)]
    pub(crate) fn simple(&self) -> bool {
        self.left == 0 && self.m != i32::MIN && self.right <= 31
    }

    /// SRDHM without its saturating case: `(x * m + 2^30) >> 31`.
    #[inline(always)]
    fn high_mul(x: i32, m: i32) -> i32 {
        ((x as i64 * m as i64 + (1 << 30)) >> 31) as i32
    }

    /// RoundingDivideByPOT by `right <= 31` in 32 bits.
    #[inline(always)]
    fn divide(&self, y: i32) -> i32 {
        let remainder = y & self.mask;
        let threshold = self.half + (y < 0) as i32;
        (y >> self.right) + (remainder > threshold) as i32
    }

    #[inline(always)]
    pub(crate) fn apply(&self, x: i32) -> i32 {
        let a = x.wrapping_shl(self.left);
        // SRDHM: only MIN * MIN reaches 2^31, which saturates.
        let y = if a == i32::MIN && self.m == i32::MIN {
            i32::MAX
        } else {
            Self::high_mul(a, self.m)
        };
        match self.right {
            0..=31 => self.divide(y),
            // |y / 2^right| <= 1/2: only -2^31 / 2^32 rounds (away from zero) to -1.
            32 => -((y == i32::MIN) as i32),
            _ => 0,
        }
    }

    /// [`Self::apply`] when [`Self::simple`].
    #[inline(always)]
    pub(crate) fn apply_simple(&self, x: i32) -> i32 {
        self.divide(Self::high_mul(x, self.m))
    }

    /// `out[i] = clamp(apply(acc[i]) + offset, lo, hi)` over a run sharing this channel's
    /// constants (one branch per run picks the simple form).
    #[inline(always)]
    pub(crate) fn run<'a>(
        &self,
        accs: impl Iterator<Item = i32>,
        outs: impl Iterator<Item = &'a mut i8>,
        offset: i32,
        lo: i32,
        hi: i32,
    ) {
        if self.simple() {
            for (o, a) in outs.zip(accs) {
                *o = clamp_i32(self.apply_simple(a).wrapping_add(offset), lo, hi) as i8;
            }
        } else {
            for (o, a) in outs.zip(accs) {
                *o = clamp_i32(self.apply(a).wrapping_add(offset), lo, hi) as i8;
            }
        }
    }
}

/// Whether every channel of `q` rescales with [`rescale_simple`]: no left shift, a right
/// shift within 32 bits and no `i32::MIN` multiplier (what converters emit).
pub(crate) fn all_simple(q: &QuantParams<'_>) -> bool {
    q.multipliers
        .iter()
        .zip(q.shifts)
        .all(|(&m, &s)| m != i32::MIN && (-31..=0).contains(&s))
}

/// TFLM's `MultiplyByQuantizedMultiplier` for a channel [`all_simple`] accepts, with nothing
/// precomputed: for loops that visit each channel's constants once per output.
#[inline(always)]
pub(crate) fn rescale_simple(x: i32, m: i32, shift: i8) -> i32 {
    let right = (-i32::from(shift)) as u32 & 31;
    let y = Requant::high_mul(x, m);
    let mask = ((1u32 << right) - 1) as i32;
    let threshold = (mask >> 1) + (y < 0) as i32;
    (y >> right) + ((y & mask) > threshold) as i32
}

/// The output stage of the int8 conv-like kernels: bias, rescale, offset, clamp.
#[derive(Clone, Copy)]
pub(crate) struct OutStage<'a> {
    pub q: &'a QuantParams<'a>,
    pub per_channel: bool,
    pub bias: Option<&'a [i32]>,
}

impl OutStage<'_> {
    #[inline(always)]
    pub(crate) fn requant(&self, o: usize) -> Requant {
        let (m, s) = self.q.channel(self.per_channel, o);
        Requant::new(m, s)
    }

    /// Requantizes accumulators of output channel `o` (several pixels) into `outs`.
    #[inline(always)]
    pub(crate) fn store_run<'a>(
        &self,
        o: usize,
        accs: impl Iterator<Item = i32>,
        outs: impl Iterator<Item = &'a mut i8>,
    ) {
        let b = self.bias.map_or(0, |b| b[o]);
        self.requant(o).run(
            accs.map(|a| a.wrapping_add(b)),
            outs,
            self.q.output_offset,
            self.q.act_min,
            self.q.act_max,
        );
    }

    #[inline(always)]
    pub(crate) fn finish(&self, r: &Requant, o: usize, acc: i32) -> i8 {
        let acc = match self.bias {
            Some(b) => acc.wrapping_add(b[o]),
            None => acc,
        };
        let scaled = if r.simple() {
            r.apply_simple(acc)
        } else {
            r.apply(acc)
        };
        let v = scaled.wrapping_add(self.q.output_offset);
        clamp_i32(v, self.q.act_min, self.q.act_max) as i8
    }
}

/// Dot products of `P` widened rows with `C` weight rows, all of length `k`.
///
/// Written as plain reductions over pre-cut slices: LLVM vectorises them (`pmaddwd` on x86)
/// and keeps the `P * C` accumulators in registers.
#[inline(always)]
fn dot_tile<const P: usize, const C: usize>(
    xs: [&[i16]; P],
    fs: [&[i8]; C],
    k: usize,
) -> [[i32; C]; P] {
    let xs = xs.map(|s| &s[..k]);
    let fs = fs.map(|s| &s[..k]);
    let mut acc = [[0i32; C]; P];
    for i in 0..k {
        for p in 0..P {
            let u = xs[p][i] as i32;
            for c in 0..C {
                acc[p][c] = acc[p][c].wrapping_add(u * fs[c][i] as i32);
            }
        }
    }
    acc
}

/// Four widened rows (`wide`, `4 * k` values) against every weight row of `filter` (`oc * k`),
/// written requantized to `out` (`4 * oc`, row-major).
#[inline(never)]
#[cfg_attr(
    any(
        all(target_arch = "x86_64", target_feature = "sse2"),
        microlite_arm_dsp
    ),
    allow(dead_code)
)]
fn four_rows(wide: &[i16], k: usize, filter: &[i8], oc: usize, st: &OutStage<'_>, out: &mut [i8]) {
    const P: usize = 4;
    const C: usize = 2;
    let xs: [&[i16]; P] = core::array::from_fn(|p| &wide[p * k..(p + 1) * k]);
    let mut o = 0;
    for fb in filter.chunks_exact(C * k) {
        let fs: [&[i8]; C] = core::array::from_fn(|c| &fb[c * k..(c + 1) * k]);
        let acc = dot_tile::<P, C>(xs, fs, k);
        for c in 0..C {
            st.store_run(
                o + c,
                acc.iter().map(|a| a[c]),
                out[o + c..].iter_mut().step_by(oc),
            );
        }
        o += C;
    }
    for f in filter.chunks_exact(k).skip(o) {
        let acc = dot_tile::<P, 1>(xs, [f], k);
        st.store_run(o, acc.iter().map(|a| a[0]), out[o..].iter_mut().step_by(oc));
    }
}

/// One widened row (`k` values) against every weight row of `filter`, requantized to `out`.
#[inline(never)]
pub(crate) fn one_row(
    x: &[i16],
    k: usize,
    filter: &[i8],
    oc: usize,
    st: &OutStage<'_>,
    out: &mut [i8],
) {
    // Per-tensor quantization with the simple rescale (the common case): one set of
    // constants and no per-output branch.
    let shared = st.requant(0);
    if !st.per_channel && shared.simple() {
        let q = st.q;
        let (zp, lo, hi) = (q.output_offset, q.act_min, q.act_max);
        let bias = st.bias.unwrap_or(&[]);
        let fin = |o: usize, a: i32| {
            let a = a.wrapping_add(bias.get(o).copied().unwrap_or(0));
            clamp_i32(shared.apply_simple(a).wrapping_add(zp), lo, hi) as i8
        };
        one_row_with(x, k, filter, oc, out, fin);
    } else {
        let rq = |o: usize| {
            if st.per_channel {
                st.requant(o)
            } else {
                shared
            }
        };
        one_row_with(x, k, filter, oc, out, |o, a| st.finish(&rq(o), o, a));
    }
}

/// [`one_row`]'s tiles, with `fin(o, acc)` the output stage of unit `o`.
#[inline(always)]
fn one_row_with(
    x: &[i16],
    k: usize,
    filter: &[i8],
    oc: usize,
    out: &mut [i8],
    fin: impl Fn(usize, i32) -> i8,
) {
    const C: usize = 4;
    let mut o = 0;
    for fb in filter.chunks_exact(C * k) {
        let fs: [&[i8]; C] = core::array::from_fn(|c| &fb[c * k..(c + 1) * k]);
        let [acc] = dot_tile::<1, C>([x], fs, k);
        for (c, &a) in acc.iter().enumerate() {
            out[o + c] = fin(o + c, a);
        }
        o += C;
    }
    for f in filter.chunks_exact(k).skip(o).take(oc - o) {
        let acc = dot_tile::<1, 1>([x], [f], k);
        out[o] = fin(o, acc[0][0]);
        o += 1;
    }
}

/// `rows` widened input rows of length `k > 0` in `wide` (`rows * k` values, which it may
/// reorder) against all `oc` weight rows, requantized into `out` (`rows * oc`).
///
/// On x86-64 the SSE2 kernel ([`crate::arch::x86_64::gemm::gemm_rows_sse2`]); on Armv7E-M the
/// `SMLAD` kernel ([`crate::arch::arm::gemm::gemm_rows`]); elsewhere register tiles of four
/// rows.
#[inline(always)]
pub(crate) fn gemm_rows(
    wide: &mut [i16],
    rows: usize,
    k: usize,
    filter: &[i8],
    oc: usize,
    st: &OutStage<'_>,
    out: &mut [i8],
) {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    crate::arch::x86_64::gemm::gemm_rows_sse2(wide, rows, k, filter, oc, st, out);
    #[cfg(microlite_arm_dsp)]
    crate::arch::arm::gemm::gemm_rows(wide, rows, k, filter, oc, st, out);
    #[cfg(not(any(
        all(target_arch = "x86_64", target_feature = "sse2"),
        microlite_arm_dsp
    )))]
    gemm_rows_portable(wide, rows, k, filter, oc, st, out);
}

/// `rows` widened input rows of length `k > 0` in `wide` (`rows * k` values) against all `oc`
/// weight rows, requantized into `out` (`rows * oc`).
#[cfg_attr(
    any(
        all(target_arch = "x86_64", target_feature = "sse2"),
        microlite_arm_dsp
    ),
    allow(dead_code)
)]
pub(crate) fn gemm_rows_portable(
    wide: &[i16],
    rows: usize,
    k: usize,
    filter: &[i8],
    oc: usize,
    st: &OutStage<'_>,
    out: &mut [i8],
) {
    let mut r = 0;
    while r + 4 <= rows {
        four_rows(
            &wide[r * k..(r + 4) * k],
            k,
            filter,
            oc,
            st,
            &mut out[r * oc..(r + 4) * oc],
        );
        r += 4;
    }
    while r < rows {
        one_row(
            &wide[r * k..(r + 1) * k],
            k,
            filter,
            oc,
            st,
            &mut out[r * oc..(r + 1) * oc],
        );
        r += 1;
    }
}

/// Float dot products of `P` rows with `C` weight rows over `k`, added to `acc` in order
/// (each output keeps its own sequential sum: TFLM's order).
#[inline(always)]
pub(crate) fn dot_tile_f32<const P: usize, const C: usize>(
    acc: &mut [[f32; C]; P],
    xs: [&[f32]; P],
    fs: [&[f32]; C],
    k: usize,
) {
    let xs = xs.map(|s| &s[..k]);
    let fs = fs.map(|s| &s[..k]);
    for i in 0..k {
        for p in 0..P {
            let u = xs[p][i];
            for c in 0..C {
                acc[p][c] += u * fs[c][i];
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quant::multiply_by_quantized_multiplier;
    use proptest::prelude::*;

    /// The steps of `arch::arm::dsp::requant_simple`'s `asm!` loop, in Rust: the doubling
    /// high multiply as `(x·m + 2^30) >> 31` in 64 bits, then for `r = -s >= 1`
    /// `(q >> 1) + (q & 1)` with `q = (y - [y < 0]) >> (r - 1)`.
    fn halving_divide(x: i32, m: i32, s: i32) -> i32 {
        let y = ((x as i64 * m as i64 + (1 << 30)) >> 31) as i32;
        if s == 0 {
            return y;
        }
        let q = y.wrapping_add(y >> 31) >> (!s as u32);
        (q >> 1) + (q & 1)
    }

    /// The steps of `arch::arm::dsp`'s `rescale_right_store!` (one rounding for TFLM's two,
    /// valid for `m >= 0` and a right shift `r = -s`), with the output offset and the `i8`
    /// saturation: `T = x·m + 2^30 - [x < 0]·2^31`; form 2 shifts `T >> 32` by the low byte
    /// of `254 - s` (`r - 2`), form 1 shifts `T >> 31` by that of `!s` (`r - 1`), both as
    /// `ASR` by a register (32 or more: the sign); then `sat8(sat32(q + 1 + 2·off) >> 1)`.
    fn rescale_right(form: u32, x: i32, m: i32, s: i32, off: i32) -> i32 {
        let t = x as i64 * m as i64 + (1 << 30) - if x < 0 { 1 << 31 } else { 0 };
        let (v, amount) = if form == 2 {
            ((t >> 32) as i32, (254 - s) as u32 & 255)
        } else {
            ((t >> 31) as i32, !s as u32 & 255)
        };
        let q = v >> amount.min(31);
        q.saturating_add(1 + 2 * off).clamp(-256, 255) >> 1
    }

    /// What `rescale_right` stands for: TFLM's rescale plus the offset, clamped to `i8`.
    fn rescale_then_clamp(x: i32, m: i32, s: i32, off: i32) -> i32 {
        multiply_by_quantized_multiplier(x, m, s)
            .saturating_add(off)
            .clamp(-128, 127)
    }

    #[test]
    fn rescale_right_edges() {
        let xs = [
            i32::MIN,
            i32::MIN + 1,
            -3,
            -2,
            -1,
            0,
            1,
            2,
            3,
            i32::MAX - 1,
            i32::MAX,
        ];
        let offs = [-(1 << 24), -129, -128, -1, 0, 1, 5, 127, (1 << 24) - 1];
        for (form, lowest) in [(1, -1), (2, -2)] {
            for s in -31..=0 {
                // A multiplier of 0 (TFLM's for a scale below 2^-31) with any shift.
                let ms: &[i32] = if s <= lowest {
                    &[0, 1, 2, 1 << 30, (1 << 30) + 1, i32::MAX - 1, i32::MAX]
                } else {
                    &[0]
                };
                for &m in ms {
                    for x in xs {
                        for off in offs {
                            let want = rescale_then_clamp(x, m, s, off);
                            let got = rescale_right(form, x, m, s, off);
                            assert_eq!(got, want, "form {form} x {x} m {m} s {s} off {off}");
                        }
                    }
                }
            }
        }
        // Ties of the second rounding (y an odd multiple of 2^(r-1)), both signs.
        for s in -31..=-1 {
            let r = -s;
            for m in [1 << 30, 1_518_500_250, i32::MAX] {
                for k in -40i64..40 {
                    let y = k * (1 << r) + (1 << (r - 1));
                    let x0 = (y << 31) / m as i64;
                    for x in x0 - 2..=x0 + 2 {
                        let Ok(x) = i32::try_from(x) else { continue };
                        let want = rescale_then_clamp(x, m, s, -3);
                        assert_eq!(rescale_right(1, x, m, s, -3), want, "x {x} m {m} s {s}");
                        if s <= -2 {
                            assert_eq!(rescale_right(2, x, m, s, -3), want, "x {x} m {m} s {s}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn requant_edges() {
        for &m in &[0, 1, 1 << 30, i32::MAX, i32::MIN, -5, 1_518_500_250] {
            for s in -70..70 {
                let r = Requant::new(m, s);
                for &x in &[
                    0,
                    1,
                    -1,
                    2,
                    -2,
                    3,
                    -3,
                    i32::MAX,
                    i32::MIN,
                    1 << 20,
                    -(1 << 20),
                ] {
                    let want = multiply_by_quantized_multiplier(x, m, s);
                    assert_eq!(r.apply(x), want, "x {x} m {m} s {s}");
                    if r.simple() {
                        assert_eq!(r.apply_simple(x), want, "x {x} m {m} s {s}");
                    }
                }
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4096))]
        #[test]
        fn requant_matches(x in any::<i32>(), m in any::<i32>(), s in -40i32..40) {
            let r = Requant::new(m, s);
            let want = multiply_by_quantized_multiplier(x, m, s);
            prop_assert_eq!(r.apply(x), want);
            if r.simple() {
                prop_assert_eq!(r.apply_simple(x), want);
            }
        }
        #[test]
        fn halving_divide_matches(x in any::<i32>(), m in (i32::MIN + 1)..=i32::MAX, s in -31i32..=0) {
            prop_assert_eq!(halving_divide(x, m, s), multiply_by_quantized_multiplier(x, m, s));
        }
        #[test]
        fn halving_divide_edges(s in -31i32..=0) {
            for x in [i32::MIN, i32::MIN + 1, -1, 0, 1, i32::MAX - 1, i32::MAX] {
                for m in [i32::MIN + 1, -1, 0, 1, 1 << 30, i32::MAX - 1, i32::MAX] {
                    prop_assert_eq!(halving_divide(x, m, s), multiply_by_quantized_multiplier(x, m, s));
                }
            }
        }
        #[test]
        fn rescale_simple_edges(s in -31i32..=0) {
            for x in [i32::MIN, i32::MIN + 1, -1, 0, 1, i32::MAX - 1, i32::MAX] {
                for m in [i32::MIN + 1, -1, 0, 1, 1 << 30, i32::MAX - 1, i32::MAX] {
                    prop_assert_eq!(rescale_simple(x, m, s as i8), multiply_by_quantized_multiplier(x, m, s));
                }
            }
        }
        #[test]
        fn rescale_simple_matches(x in any::<i32>(), m in (i32::MIN + 1)..=i32::MAX, s in -31i32..=0) {
            prop_assert_eq!(rescale_simple(x, m, s as i8), multiply_by_quantized_multiplier(x, m, s));
        }
        #[test]
        fn rescale_right_matches(x in any::<i32>(), m in 0..=i32::MAX, s in -31i32..=-1, off in -(1i32 << 24)..(1 << 24)) {
            let want = rescale_then_clamp(x, m, s, off);
            prop_assert_eq!(rescale_right(1, x, m, s, off), want);
            if s <= -2 {
                prop_assert_eq!(rescale_right(2, x, m, s, off), want);
            }
        }
        #[test]
        fn rescale_right_realistic(x in -(1i32 << 24)..(1 << 24), scale in 1e-4f64..0.49, off in -128i32..128) {
            let ms = crate::quant::quantize_multiplier(scale);
            let want = rescale_then_clamp(x, ms.0, ms.1, off);
            prop_assert_eq!(rescale_right(1, x, ms.0, ms.1, off), want);
            if ms.1 <= -2 {
                prop_assert_eq!(rescale_right(2, x, ms.0, ms.1, off), want);
            }
        }
        #[test]
        fn requant_matches_realistic(x in -(1i32 << 24)..(1 << 24), ms in crate::testutil::multiplier()) {
            prop_assert_eq!(Requant::new(ms.0, ms.1).apply(x), multiply_by_quantized_multiplier(x, ms.0, ms.1));
        }
    }
}
