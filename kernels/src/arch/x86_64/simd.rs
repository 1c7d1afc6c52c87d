//! SSE2 building blocks of the int8 kernels on x86-64: the only `unsafe` in microlite.
//!
//! Why: LLVM does not form `pmaddwd`'s pairwise multiply-add (eight `i16` products summed
//! into four `i32` lanes per instruction) from portable Rust; it uses the instruction as a
//! plain 4-lane multiply, and it has no vector form of the 64-bit rescaling multiply at all.
//! Written by hand, both cut the instructions of the int8 GEMM and requantization by 2-4x
//! (`cargo bench -p microlite-kernels --bench kernels`; docs/performance.md).
//!
//! Soundness: this module is compiled only where SSE2 (and so SSE) is enabled at build time
//! (`target_feature = "sse2"`: part of the x86-64 baseline, so every x86-64 target), which
//! makes executing SSE2 instructions sound. Every `unsafe` block below is one such intrinsic
//! call; the three that touch memory read exactly the bytes of the reference they are given
//! (`loadu`/`loadl` have no alignment requirement). Nothing here writes memory.
#![allow(unsafe_code)]

use core::arch::x86_64::{
    __m128, __m128i, _mm_add_epi16, _mm_add_epi32, _mm_add_epi64, _mm_add_ps, _mm_and_si128,
    _mm_cmpgt_epi32, _mm_cvtsi128_si32, _mm_cvtsi128_si64, _mm_cvtsi32_si128, _mm_loadl_epi64,
    _mm_loadu_ps, _mm_loadu_si128, _mm_madd_epi16, _mm_max_epi16, _mm_min_epi16, _mm_mul_epu32,
    _mm_mul_ps, _mm_mulhi_epi16, _mm_mullo_epi16, _mm_or_si128, _mm_packs_epi16, _mm_packs_epi32,
    _mm_set1_epi16, _mm_set1_epi32, _mm_set1_epi64x, _mm_set1_ps, _mm_set_epi32, _mm_setzero_si128,
    _mm_shuffle_epi32, _mm_sll_epi32, _mm_slli_epi16, _mm_sra_epi32, _mm_srai_epi16,
    _mm_srai_epi32, _mm_srli_epi64, _mm_storeu_ps, _mm_storeu_si128, _mm_sub_epi32,
    _mm_unpackhi_epi16, _mm_unpackhi_epi32, _mm_unpackhi_epi64, _mm_unpacklo_epi16,
    _mm_unpacklo_epi32, _mm_unpacklo_epi64, _mm_unpacklo_epi8,
};

/// Four `i32` or eight `i16` lanes.
#[derive(Clone, Copy)]
pub(super) struct V(__m128i);

/// All lanes zero.
#[inline(always)]
pub(super) fn zero() -> V {
    // SAFETY: SSE2 is enabled (module cfg); no memory is touched.
    V(unsafe { _mm_setzero_si128() })
}

/// Eight `i16` values.
#[inline(always)]
pub(super) fn load_i16(a: &[i16; 8]) -> V {
    // SAFETY: SSE2 is enabled; `a` is 16 readable bytes and `loadu` needs no alignment.
    V(unsafe { _mm_loadu_si128(a.as_ptr().cast()) })
}

/// Eight `i8` values sign-extended to `i16` lanes.
#[inline(always)]
pub(super) fn load_i8_widen(a: &[i8; 8]) -> V {
    // SAFETY: SSE2 is enabled; `a` is 8 readable bytes and `loadl` reads exactly 8, unaligned.
    // The rest are value-only intrinsics: each byte is duplicated into both halves of an
    // `i16` lane, then shifted down arithmetically (sign extension).
    V(unsafe {
        let v = _mm_loadl_epi64(a.as_ptr().cast());
        _mm_srai_epi16::<8>(_mm_unpacklo_epi8(v, v))
    })
}

/// Sixteen `i8` values as two vectors of sign-extended `i16`: bytes `0, 2, .., 14` and bytes
/// `1, 3, .., 15` (pairs with an input laid out by [`deinterleave16`]).
#[inline(always)]
pub(super) fn load_i8x16_even_odd(a: &[i8; 16]) -> (V, V) {
    // SAFETY: SSE2 is enabled; `a` is 16 readable bytes and `loadu` needs no alignment.
    // Each little-endian `i16` lane holds bytes (2j, 2j + 1): shifting it right by 8
    // sign-extends the odd byte; shifting left by 8 first does the same for the even one.
    unsafe {
        let v = _mm_loadu_si128(a.as_ptr().cast());
        (
            V(_mm_srai_epi16::<8>(_mm_slli_epi16::<8>(v))),
            V(_mm_srai_epi16::<8>(v)),
        )
    }
}

/// Eight `i8` values sign-extended to `i16` lanes plus `off` (lane-wise, wrapping).
#[inline(always)]
pub(super) fn load_i8_widen_add(a: &[i8; 8], off: V) -> V {
    // SAFETY: SSE2 is enabled; no memory is touched beyond `load_i8_widen`'s.
    V(unsafe { _mm_add_epi16(load_i8_widen(a).0, off.0) })
}

/// `v` in all eight `i16` lanes.
#[inline(always)]
pub(super) fn splat_i16(v: i16) -> V {
    // SAFETY: SSE2 is enabled; no memory is touched.
    V(unsafe { _mm_set1_epi16(v) })
}

/// `acc[j] += a[j] * b[j]` for eight `i16` lanes with `i32` products: lanes 0-3 in `acc.0`,
/// 4-7 in `acc.1` (wrapping sums).
#[inline(always)]
pub(super) fn mul_acc(acc: &mut (V, V), a: V, b: V) {
    // SAFETY: SSE2 is enabled; no memory is touched. The low and high halves of each 32-bit
    // product, interleaved, are the products themselves.
    unsafe {
        let lo = _mm_mullo_epi16(a.0, b.0);
        let hi = _mm_mulhi_epi16(a.0, b.0);
        acc.0 = V(_mm_add_epi32(acc.0 .0, _mm_unpacklo_epi16(lo, hi)));
        acc.1 = V(_mm_add_epi32(acc.1 .0, _mm_unpackhi_epi16(lo, hi)));
    }
}

/// `acc + pmaddwd(a, b)`: lane `j` gains `a[2j] * b[2j] + a[2j+1] * b[2j+1]` (wrapping).
#[inline(always)]
pub(super) fn madd(acc: V, a: V, b: V) -> V {
    // SAFETY: SSE2 is enabled; no memory is touched.
    V(unsafe { _mm_add_epi32(acc.0, _mm_madd_epi16(a.0, b.0)) })
}

/// The sums of the four lanes of `a`, `b`, `c` and `d`, as the four lanes of one vector.
#[inline(always)]
pub(super) fn sum4(a: V, b: V, c: V, d: V) -> V {
    // SAFETY: SSE2 is enabled; no memory is touched. A 4x4 transpose folded into the adds.
    V(unsafe {
        let ab = _mm_add_epi32(_mm_unpacklo_epi32(a.0, b.0), _mm_unpackhi_epi32(a.0, b.0));
        let cd = _mm_add_epi32(_mm_unpacklo_epi32(c.0, d.0), _mm_unpackhi_epi32(c.0, d.0));
        _mm_add_epi32(_mm_unpacklo_epi64(ab, cd), _mm_unpackhi_epi64(ab, cd))
    })
}

/// The four `i32` lanes, lane 0 first.
#[inline(always)]
pub(super) fn to_i32(v: V) -> [i32; 4] {
    let mut out = [0i32; 4];
    // SAFETY: SSE2 is enabled; `out` is 16 writable bytes and `storeu` needs no alignment.
    unsafe { _mm_storeu_si128(out.as_mut_ptr().cast(), v.0) };
    out
}

/// Four `i32` lanes, `a[0]` in lane 0.
#[inline(always)]
pub(super) fn from_i32(a: [i32; 4]) -> V {
    // SAFETY: SSE2 is enabled; no memory is touched.
    V(unsafe { _mm_set_epi32(a[3], a[2], a[1], a[0]) })
}

/// Four `f32` lanes.
#[derive(Clone, Copy)]
pub(super) struct F4(__m128);

/// Eight `f32` values as two vectors (lanes 0-3, 4-7).
#[inline(always)]
pub(super) fn load_f32x8(a: &[f32; 8]) -> [F4; 2] {
    // SAFETY: SSE is enabled (SSE2 implies it); `a` is 32 readable bytes, each `loadu` reads
    // 16 of them (offsets 0 and 16) with no alignment requirement.
    unsafe {
        let p = a.as_ptr();
        [F4(_mm_loadu_ps(p)), F4(_mm_loadu_ps(p.add(4)))]
    }
}

/// Stores two vectors as eight `f32` values.
#[inline(always)]
pub(super) fn store_f32x8(v: [F4; 2], out: &mut [f32; 8]) {
    // SAFETY: SSE is enabled; `out` is 32 writable bytes, each `storeu` writes 16 of them
    // (offsets 0 and 16) with no alignment requirement.
    unsafe {
        let p = out.as_mut_ptr();
        _mm_storeu_ps(p, v[0].0);
        _mm_storeu_ps(p.add(4), v[1].0);
    }
}

/// `x` in all four lanes.
#[inline(always)]
pub(super) fn splat_f32(x: f32) -> F4 {
    // SAFETY: SSE is enabled; no memory is touched.
    F4(unsafe { _mm_set1_ps(x) })
}

/// `acc + a * b` lane-wise, the product rounded before the sum (not fused): the same two
/// IEEE operations as scalar `acc + a * b`.
#[inline(always)]
pub(super) fn mul_add_f32(acc: F4, a: F4, b: F4) -> F4 {
    // SAFETY: SSE is enabled; no memory is touched.
    F4(unsafe { _mm_add_ps(acc.0, _mm_mul_ps(a.0, b.0)) })
}

/// `src` (a multiple of 16 long) rearranged per 16 values as the 8 even-indexed then the 8
/// odd-indexed ones, into `dst` (same length): the layout [`load_i8x16_even_odd`] pairs with.
#[inline]
pub(super) fn deinterleave16(dst: &mut [i16], src: &[i16]) {
    for (d, s) in dst.chunks_exact_mut(16).zip(src.chunks_exact(16)) {
        for j in 0..8 {
            d[j] = s[2 * j];
            d[8 + j] = s[2 * j + 1];
        }
    }
}

/// TFLM's `MultiplyByQuantizedMultiplier` on four lanes, then output offset, clamp and
/// narrowing to `i8`: bit for bit [`crate::gemm::Requant`] (proptested).
///
/// Each lane has its own multiplier; the shift is shared. Built only when the vector form is
/// exact: multipliers `>= 0` (so the doubling high multiply cannot saturate), a right shift of
/// at most 31 (gemmlowp's range), and a clamp range inside `i8`.
#[derive(Clone, Copy)]
pub(super) struct Rq4 {
    bias: __m128i,
    m: __m128i,
    m_odd: __m128i,
    two_m: __m128i,
    round: __m128i,
    left: __m128i,
    right: [__m128i; 4],
    lanes: [__m128i; 4],
    uniform: bool,
    mask: __m128i,
    thr: __m128i,
    one: __m128i,
    offset: __m128i,
    lo: __m128i,
    hi: __m128i,
}

impl Rq4 {
    /// Constants for lanes with multipliers `ms` and the shared `shift`; `None` when the
    /// vector form would not be exact (use the scalar one).
    #[inline(always)]
    pub(super) fn new(
        ms: [i32; 4],
        bias: [i32; 4],
        shifts: [i32; 4],
        offset: i32,
        lo: i32,
        hi: i32,
    ) -> Option<Rq4> {
        if ms.iter().any(|&m| m < 0) || shifts.iter().any(|s| !(-31..=31).contains(s)) {
            return None;
        }
        let i8_range = i8::MIN as i32..=i8::MAX as i32;
        if !i8_range.contains(&lo) || !i8_range.contains(&hi) {
            return None;
        }
        // Left shifts (positive exponents) must agree; right shifts may differ per lane.
        let left = shifts[0].max(0);
        if shifts.iter().any(|&s| s.max(0) != left) {
            return None;
        }
        let right = shifts.map(|s| (-s).max(0));
        let mask = right.map(|r| ((1u32 << r) - 1) as i32);
        let uniform = right.iter().all(|&r| r == right[0]);
        let set = |a: [i32; 4]| {
            // SAFETY: SSE2 is enabled; no memory is touched.
            unsafe { _mm_set_epi32(a[3], a[2], a[1], a[0]) }
        };
        let lane = |j: usize| set(core::array::from_fn(|i| if i == j { -1 } else { 0 }));
        // SAFETY: SSE2 is enabled; no memory is touched (constants only).
        unsafe {
            Some(Rq4 {
                bias: set(bias),
                m: _mm_set_epi32(0, ms[2], 0, ms[0]),
                m_odd: _mm_set_epi32(0, ms[3], 0, ms[1]),
                two_m: set(ms.map(|m| m.wrapping_mul(2))),
                round: _mm_set1_epi64x(1 << 30),
                left: _mm_cvtsi32_si128(left),
                right: right.map(|r| _mm_cvtsi32_si128(r)),
                lanes: [lane(0), lane(1), lane(2), lane(3)],
                uniform,
                mask: set(mask),
                thr: set(mask.map(|m| m >> 1)),
                one: _mm_set1_epi32(1),
                offset: _mm_set1_epi32(offset),
                lo: _mm_set1_epi16(lo as i16),
                hi: _mm_set1_epi16(hi as i16),
            })
        }
    }

    /// The rescaled, offset `i32` lanes (before clamping) of accumulators `acc` plus bias.
    #[inline(always)]
    fn rescale(&self, acc: V) -> __m128i {
        // SAFETY: SSE2 is enabled; no memory is touched.
        unsafe {
            // x * 2^left, wrapping as `wrapping_shl` (left < 32).
            let a = _mm_sll_epi32(_mm_add_epi32(acc.0, self.bias), self.left);
            // (a * m + 2^30) >> 31 per lane. `pmuludq` multiplies lanes 0 and 2 as unsigned;
            // m >= 0, so only a negative `a` differs from its unsigned reading, by
            // m * 2^32 in the product: 2m after the shift, subtracted below.
            let p02 = _mm_mul_epu32(a, self.m);
            let p13 = _mm_mul_epu32(_mm_srli_epi64::<32>(a), self.m_odd);
            let r02 = _mm_srli_epi64::<31>(_mm_add_epi64(p02, self.round));
            let r13 = _mm_srli_epi64::<31>(_mm_add_epi64(p13, self.round));
            let r = _mm_unpacklo_epi32(
                _mm_shuffle_epi32::<0b1000>(r02),
                _mm_shuffle_epi32::<0b1000>(r13),
            );
            let y = _mm_sub_epi32(r, _mm_and_si128(_mm_srai_epi32::<31>(a), self.two_m));
            // gemmlowp RoundingDivideByPOT: (y >> right) + (rem > (mask >> 1) + (y < 0)).
            let q = if self.uniform {
                _mm_sra_epi32(y, self.right[0])
            } else {
                let [r0, r1, r2, r3] = self.right;
                let [l0, l1, l2, l3] = self.lanes;
                _mm_or_si128(
                    _mm_or_si128(
                        _mm_and_si128(_mm_sra_epi32(y, r0), l0),
                        _mm_and_si128(_mm_sra_epi32(y, r1), l1),
                    ),
                    _mm_or_si128(
                        _mm_and_si128(_mm_sra_epi32(y, r2), l2),
                        _mm_and_si128(_mm_sra_epi32(y, r3), l3),
                    ),
                )
            };
            let rem = _mm_and_si128(y, self.mask);
            let thr = _mm_add_epi32(self.thr, _mm_and_si128(_mm_srai_epi32::<31>(y), self.one));
            let q = _mm_sub_epi32(q, _mm_cmpgt_epi32(rem, thr));
            _mm_add_epi32(q, self.offset)
        }
    }

    /// Saturates two `i32` vectors to `i16`, clamps them to `[lo, hi]` (equal to clamping
    /// the `i32` values: saturation is monotonic and `[lo, hi]` lies inside `i16`).
    #[inline(always)]
    fn clamp8(&self, a: __m128i, b: __m128i) -> __m128i {
        // SAFETY: SSE2 is enabled; no memory is touched.
        unsafe { _mm_min_epi16(_mm_max_epi16(_mm_packs_epi32(a, b), self.lo), self.hi) }
    }

    /// Eight accumulators to eight output bytes: lanes of `a` rescaled by `self`, lanes of
    /// `b` by `hi` (both must share the output offset and clamp range).
    #[inline(always)]
    pub(super) fn apply8(&self, a: V, hi: &Rq4, b: V) -> [i8; 8] {
        let c = self.clamp8(self.rescale(a), hi.rescale(b));
        // SAFETY: SSE2 is enabled; no memory is touched. As in `apply4`, the pack is exact.
        let bytes = unsafe { _mm_cvtsi128_si64(_mm_packs_epi16(c, c)) };
        bytes.to_le_bytes().map(|b| b as i8)
    }

    /// Four accumulators to four output bytes.
    #[inline(always)]
    pub(super) fn apply4(&self, acc: V) -> [i8; 4] {
        let v = self.rescale(acc);
        let c = self.clamp8(v, v);
        // SAFETY: SSE2 is enabled; no memory is touched. The clamped `i16` values lie in
        // `i8`'s range, so the saturating pack is exact.
        let bytes = unsafe { _mm_cvtsi128_si32(_mm_packs_epi16(c, c)) };
        bytes.to_le_bytes().map(|b| b as i8)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gemm::Requant;
    use crate::util::clamp_i32;
    use proptest::prelude::*;

    fn check(acc: [i32; 4], m: [i32; 4], b: [i32; 4], s: [i32; 4], off: i32, lo: i32, hi: i32) {
        let Some(rq) = Rq4::new(m, b, s, off, lo, hi) else {
            return;
        };
        let got = rq.apply4(from_i32(acc));
        for j in 0..4 {
            let want = clamp_i32(
                Requant::new(m[j], s[j])
                    .apply(acc[j].wrapping_add(b[j]))
                    .wrapping_add(off),
                lo,
                hi,
            ) as i8;
            assert_eq!(
                got[j], want,
                "lane {j}: acc {acc:?} m {m:?} b {b:?} s {s:?} off {off}"
            );
        }
    }

    #[test]
    fn edges() {
        let xs = [0, 1, -1, i32::MAX, i32::MIN, 1 << 20, -(1 << 20), 3, -3];
        for &m in &[0, 1, 1 << 30, i32::MAX, 1_518_500_250] {
            for s in -31i32..=31 {
                for &off in &[0, -128, 127, 5, i32::MAX] {
                    let v = [s, -s.abs(), -(s.abs() / 2), 0];
                    let (lanes, same) = ([xs[8], xs[3], xs[4], xs[0]], [s; 4]);
                    check(
                        [xs[0], xs[1], xs[2], xs[3]],
                        [m; 4],
                        [0; 4],
                        same,
                        off,
                        -128,
                        127,
                    );
                    check(
                        [xs[4], xs[5], xs[6], xs[7]],
                        [m; 4],
                        [7; 4],
                        same,
                        off,
                        -128,
                        127,
                    );
                    check(lanes, [m; 4], [i32::MAX; 4], v, off, 0, 6);
                    check(lanes, [m, 1 << 30, m, 5], [-9; 4], v, off, -7, 100);
                }
            }
        }
    }

    #[test]
    fn madd_and_sum4() {
        let a: [i16; 8] = [1, -2, 3, -4, i16::MIN, i16::MIN, i16::MAX, 7];
        let b: [i16; 8] = [5, 6, -7, 8, i16::MIN, i16::MIN, -1, 2];
        let v = madd(zero(), load_i16(&a), load_i16(&b));
        let want: [i32; 4] = core::array::from_fn(|j| {
            (a[2 * j] as i32 * b[2 * j] as i32)
                .wrapping_add(a[2 * j + 1] as i32 * b[2 * j + 1] as i32)
        });
        assert_eq!(to_i32(v), want);
        let s = sum4(
            v,
            from_i32([1, 2, 3, 4]),
            zero(),
            from_i32([i32::MAX, 1, 0, 0]),
        );
        assert_eq!(
            to_i32(s),
            [
                want.iter().fold(0i32, |s, &x| s.wrapping_add(x)),
                10,
                0,
                i32::MIN
            ]
        );
        let w = load_i8_widen(&[-128, 127, -1, 0, 1, 2, -3, 4]);
        let one = load_i16(&[1; 8]);
        assert_eq!(to_i32(madd(zero(), w, one)), [-1, -1, 3, 1]);
        let bytes: [i8; 16] = core::array::from_fn(|i| (i as i8 - 8) * 16);
        let (e, o) = load_i8x16_even_odd(&bytes);
        let lane0 = [1, 0, 0, 0, 0, 0, 0, 0];
        assert_eq!(
            to_i32(madd(zero(), e, load_i16(&lane0)))[0],
            bytes[0] as i32
        );
        assert_eq!(
            to_i32(madd(zero(), o, load_i16(&lane0)))[0],
            bytes[1] as i32
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4096))]
        #[test]
        fn rq4_matches_scalar(
            acc in any::<[i32; 4]>(),
            m in any::<[i32; 4]>(),
            b in any::<[i32; 4]>(),
            s in any::<[i8; 4]>(),
            off in any::<i32>(),
            lo in -200i32..200,
            hi in -200i32..200,
        ) {
            check(acc, m, b, s.map(|v| v as i32 / 3), off, lo, hi);
        }
        #[test]
        fn rq4_matches_scalar_per_lane(
            acc in any::<[i32; 4]>(),
            ms in proptest::array::uniform4(crate::testutil::multiplier()),
            b in -(1i32 << 20)..(1 << 20),
            off in -128i32..128,
        ) {
            check(acc, ms.map(|m| m.0), [b; 4], ms.map(|m| m.1), off, -128, 127);
        }
        #[test]
        fn rq4_matches_scalar_realistic(
            acc in any::<[i32; 4]>(),
            ms in crate::testutil::multiplier(),
            b in -(1i32 << 20)..(1 << 20),
            off in -128i32..128,
        ) {
            check(acc, [ms.0; 4], [b; 4], [ms.1; 4], off, -128, 127);
        }
    }
}
