//! SignalRfft and SignalIrfft: the real FFT TFLM links, kissfft v130 (`kiss_fftr` over
//! `kiss_fft`) built three times: int16 and int32 fixed point (every butterfly input scaled
//! by `1/radix` with a rounding multiply, every product rounded) and float32.
//!
//! A transform of length `N` runs a complex FFT of `n = N/2` points, decimation in time,
//! with kissfft's factor plan (radix 4 first, then 2, 3, 5) and its radix-2/3/4/5
//! butterflies, then kissfft's real-FFT split. The twiddles depend only on `N` and the
//! direction: [`init_twiddles`] computes them once (TFLM does so at Init) into a slice of
//! [`twiddles_len`] scalars the caller keeps. Lengths whose half has a prime factor above
//! 5 are refused, as TFLM's kissfft build cannot run them (its generic butterfly needs a
//! buffer that TFLM's patch never allocates).

use crate::KernelError;

/// Most butterfly stages a plan can have (`2^31` has 16 radix-4 stages).
const MAX_STAGES: usize = 32;

mod sealed {
    pub trait Sealed {}
    impl Sealed for i16 {}
    impl Sealed for i32 {}
    impl Sealed for f32 {}
}

/// A kissfft scalar: int16 or int32 fixed point (Q15 / Q31), or float32.
///
/// The methods are kissfft's scalar macros; they are an implementation detail.
pub trait FftScalar: Copy + Default + sealed::Sealed {
    /// The twiddle for `cos` or `sin` value `v`: `floor(0.5 + SMAX * v)` or `(f32)v`.
    #[doc(hidden)]
    fn twiddle(v: f64) -> Self;
    /// `a + b`, narrowed.
    #[doc(hidden)]
    fn add(a: Self, b: Self) -> Self;
    /// `a - b`, narrowed.
    #[doc(hidden)]
    fn sub(a: Self, b: Self) -> Self;
    /// `-a`, narrowed.
    #[doc(hidden)]
    fn neg(a: Self) -> Self;
    /// `S_MUL`: the rounded product.
    #[doc(hidden)]
    fn smul(a: Self, b: Self) -> Self;
    /// `C_MUL`: the complex product, each part rounded.
    #[doc(hidden)]
    fn cmul(a: [Self; 2], b: [Self; 2]) -> [Self; 2];
    /// `C_FIXDIV`: `x * (SMAX / k)` rounded (the identity for float).
    #[doc(hidden)]
    fn div(x: Self, k: i32) -> Self;
    /// `HALF_OF(x)`: `x >> 1`, or `x * 0.5`.
    #[doc(hidden)]
    fn half(x: Self) -> Self;
    /// `HALF_OF(a + b)` with the sum in C `int` (not narrowed first).
    #[doc(hidden)]
    fn half_sum(a: Self, b: Self) -> Self;
    /// `HALF_OF(a - b)` with the difference in C `int`.
    #[doc(hidden)]
    fn half_diff(a: Self, b: Self) -> Self;
    /// The inverse float transform's final `x / N` (integers are left as they are).
    #[doc(hidden)]
    fn inverse_scale(x: Self, n: usize) -> Self;
}

impl FftScalar for i16 {
    fn twiddle(v: f64) -> Self {
        libm::floor(0.5 + 32767.0 * v) as i16
    }
    fn add(a: Self, b: Self) -> Self {
        a.wrapping_add(b)
    }
    fn sub(a: Self, b: Self) -> Self {
        a.wrapping_sub(b)
    }
    fn neg(a: Self) -> Self {
        a.wrapping_neg()
    }
    fn smul(a: Self, b: Self) -> Self {
        round15(i32::from(a) * i32::from(b))
    }
    fn cmul(a: [Self; 2], b: [Self; 2]) -> [Self; 2] {
        let (ar, ai, br, bi) = (
            i32::from(a[0]),
            i32::from(a[1]),
            i32::from(b[0]),
            i32::from(b[1]),
        );
        [
            round15((ar * br).wrapping_sub(ai * bi)),
            round15((ar * bi).wrapping_add(ai * br)),
        ]
    }
    fn div(x: Self, k: i32) -> Self {
        round15(i32::from(x) * (32767 / k))
    }
    fn half(x: Self) -> Self {
        x >> 1
    }
    fn half_sum(a: Self, b: Self) -> Self {
        ((i32::from(a) + i32::from(b)) >> 1) as i16
    }
    fn half_diff(a: Self, b: Self) -> Self {
        ((i32::from(a) - i32::from(b)) >> 1) as i16
    }
    fn inverse_scale(x: Self, _n: usize) -> Self {
        x
    }
}

/// Q15 rounding of a 32-bit product: `(p + 2^14) >> 15`, narrowed to 16 bits.
fn round15(p: i32) -> i16 {
    (p.wrapping_add(1 << 14) >> 15) as i16
}

/// Q31 rounding of a 64-bit product: `(p + 2^30) >> 31`, narrowed to 32 bits.
fn round31(p: i64) -> i32 {
    (p.wrapping_add(1 << 30) >> 31) as i32
}

impl FftScalar for i32 {
    fn twiddle(v: f64) -> Self {
        libm::floor(0.5 + 2147483647.0 * v) as i32
    }
    fn add(a: Self, b: Self) -> Self {
        a.wrapping_add(b)
    }
    fn sub(a: Self, b: Self) -> Self {
        a.wrapping_sub(b)
    }
    fn neg(a: Self) -> Self {
        a.wrapping_neg()
    }
    fn smul(a: Self, b: Self) -> Self {
        round31(i64::from(a) * i64::from(b))
    }
    fn cmul(a: [Self; 2], b: [Self; 2]) -> [Self; 2] {
        let (ar, ai, br, bi) = (
            i64::from(a[0]),
            i64::from(a[1]),
            i64::from(b[0]),
            i64::from(b[1]),
        );
        [
            round31((ar * br).wrapping_sub(ai * bi)),
            round31((ar * bi).wrapping_add(ai * br)),
        ]
    }
    fn div(x: Self, k: i32) -> Self {
        round31(i64::from(x) * i64::from(i32::MAX / k))
    }
    fn half(x: Self) -> Self {
        x >> 1
    }
    fn half_sum(a: Self, b: Self) -> Self {
        a.wrapping_add(b) >> 1
    }
    fn half_diff(a: Self, b: Self) -> Self {
        a.wrapping_sub(b) >> 1
    }
    fn inverse_scale(x: Self, _n: usize) -> Self {
        x
    }
}

impl FftScalar for f32 {
    fn twiddle(v: f64) -> Self {
        v as f32
    }
    fn add(a: Self, b: Self) -> Self {
        a + b
    }
    fn sub(a: Self, b: Self) -> Self {
        a - b
    }
    fn neg(a: Self) -> Self {
        -a
    }
    fn smul(a: Self, b: Self) -> Self {
        a * b
    }
    fn cmul(a: [Self; 2], b: [Self; 2]) -> [Self; 2] {
        [a[0] * b[0] - a[1] * b[1], a[0] * b[1] + a[1] * b[0]]
    }
    fn div(x: Self, _k: i32) -> Self {
        x
    }
    fn half(x: Self) -> Self {
        x * 0.5
    }
    fn half_sum(a: Self, b: Self) -> Self {
        (a + b) * 0.5
    }
    fn half_diff(a: Self, b: Self) -> Self {
        (a - b) * 0.5
    }
    fn inverse_scale(x: Self, n: usize) -> Self {
        x / n as f32
    }
}

type C<T> = [T; 2];

fn cadd<T: FftScalar>(a: C<T>, b: C<T>) -> C<T> {
    [T::add(a[0], b[0]), T::add(a[1], b[1])]
}
fn csub<T: FftScalar>(a: C<T>, b: C<T>) -> C<T> {
    [T::sub(a[0], b[0]), T::sub(a[1], b[1])]
}
fn cdiv<T: FftScalar>(a: C<T>, k: i32) -> C<T> {
    [T::div(a[0], k), T::div(a[1], k)]
}

/// Complex value `i` of an interleaved slice.
fn get<T: FftScalar>(s: &[T], i: usize) -> C<T> {
    [s[2 * i], s[2 * i + 1]]
}
fn set<T: FftScalar>(s: &mut [T], i: usize, v: C<T>) {
    s[2 * i] = v[0];
    s[2 * i + 1] = v[1];
}

/// kissfft's factor plan of `n`: stages `(radix, remaining)`, radix 4 first, then 2, 3, 5.
struct Plan {
    stages: [(usize, usize); MAX_STAGES],
    len: usize,
}

impl Plan {
    fn new(n: usize) -> Result<Self, KernelError> {
        if !(2..=(1 << 30)).contains(&n) {
            return Err(KernelError::BadParams);
        }
        let mut floor_sqrt = 1usize;
        while (floor_sqrt + 1) * (floor_sqrt + 1) <= n {
            floor_sqrt += 1;
        }
        let mut plan = Plan {
            stages: [(0, 0); MAX_STAGES],
            len: 0,
        };
        let (mut n, mut p) = (n, 4usize);
        loop {
            while n % p != 0 {
                p = match p {
                    4 => 2,
                    2 => 3,
                    _ => p + 2,
                };
                if p > floor_sqrt {
                    p = n;
                }
            }
            if !(2..=5).contains(&p) || plan.len == MAX_STAGES {
                return Err(KernelError::BadParams);
            }
            n /= p;
            plan.stages[plan.len] = (p, n);
            plan.len += 1;
            if n <= 1 {
                return Ok(plan);
            }
        }
    }
}

/// Whether TFLM's kissfft runs a real FFT of `fft_length`: even, at least 4, and its half
/// has no prime factor above 5.
pub fn supported(fft_length: usize) -> bool {
    fft_length.is_multiple_of(2) && Plan::new(fft_length / 2).is_ok()
}

/// Scalars of the twiddle table [`init_twiddles`] fills for `fft_length`: `n` complex
/// twiddles and `n/2` super-twiddles, `n = fft_length / 2`.
pub fn twiddles_len(fft_length: usize) -> usize {
    let n = fft_length / 2;
    2 * (n + n / 2)
}

/// Fills `twiddles` for a forward (`inverse == false`) or inverse transform of `fft_length`,
/// as kissfft's `kiss_fftr_alloc` does (phases in f64, quantized to the scalar type).
///
/// # Errors
/// [`KernelError::BadParams`] when `fft_length` is not [`supported`];
/// [`KernelError::ShapeMismatch`] when `twiddles` is not [`twiddles_len`] long.
pub fn init_twiddles<T: FftScalar>(
    fft_length: usize,
    inverse: bool,
    twiddles: &mut [T],
) -> Result<(), KernelError> {
    if !supported(fft_length) {
        return Err(KernelError::BadParams);
    }
    if twiddles.len() != twiddles_len(fft_length) {
        return Err(KernelError::ShapeMismatch);
    }
    let n = fft_length / 2;
    let sign = if inverse { -1.0 } else { 1.0 };
    let pi = core::f64::consts::PI;
    for k in 0..n {
        let phase = sign * (-2.0 * pi * k as f64 / n as f64);
        set(
            twiddles,
            k,
            [T::twiddle(libm::cos(phase)), T::twiddle(libm::sin(phase))],
        );
    }
    for i in 0..n / 2 {
        let phase = sign * (-pi * ((i + 1) as f64 / n as f64 + 0.5));
        set(
            twiddles,
            n + i,
            [T::twiddle(libm::cos(phase)), T::twiddle(libm::sin(phase))],
        );
    }
    Ok(())
}

/// kissfft's `kf_work`: the complex FFT of `x[xi], x[xi + fstride], ...` into `f[o..]`.
#[allow(clippy::too_many_arguments)]
fn work<T: FftScalar>(
    f: &mut [T],
    o: usize,
    x: &[T],
    xi: usize,
    fstride: usize,
    stages: &[(usize, usize)],
    tw: &[T],
    inverse: bool,
) {
    let Some((&(p, m), rest)) = stages.split_first() else {
        return;
    };
    if m == 1 {
        for k in 0..p {
            set(f, o + k, get(x, xi + k * fstride));
        }
    } else {
        for k in 0..p {
            work(
                f,
                o + k * m,
                x,
                xi + k * fstride,
                fstride * p,
                rest,
                tw,
                inverse,
            );
        }
    }
    match p {
        2 => bfly2(f, o, fstride, m, tw),
        3 => bfly3(f, o, fstride, m, tw),
        4 => bfly4(f, o, fstride, m, tw, inverse),
        _ => bfly5(f, o, fstride, m, tw),
    }
}

fn bfly2<T: FftScalar>(f: &mut [T], o: usize, fstride: usize, m: usize, tw: &[T]) {
    for k in 0..m {
        let a = cdiv(get(f, o + k), 2);
        let b = cdiv(get(f, o + k + m), 2);
        let t = T::cmul(b, get(tw, k * fstride));
        set(f, o + k + m, csub(a, t));
        set(f, o + k, cadd(a, t));
    }
}

fn bfly4<T: FftScalar>(f: &mut [T], o: usize, fstride: usize, m: usize, tw: &[T], inverse: bool) {
    for k in 0..m {
        let f0 = cdiv(get(f, o + k), 4);
        let f1 = cdiv(get(f, o + k + m), 4);
        let f2 = cdiv(get(f, o + k + 2 * m), 4);
        let f3 = cdiv(get(f, o + k + 3 * m), 4);
        let s0 = T::cmul(f1, get(tw, k * fstride));
        let s1 = T::cmul(f2, get(tw, 2 * k * fstride));
        let s2 = T::cmul(f3, get(tw, 3 * k * fstride));
        let s5 = csub(f0, s1);
        let f0 = cadd(f0, s1);
        let s3 = cadd(s0, s2);
        let s4 = csub(s0, s2);
        set(f, o + k + 2 * m, csub(f0, s3));
        set(f, o + k, cadd(f0, s3));
        let (a, b) = if inverse {
            (
                [T::sub(s5[0], s4[1]), T::add(s5[1], s4[0])],
                [T::add(s5[0], s4[1]), T::sub(s5[1], s4[0])],
            )
        } else {
            (
                [T::add(s5[0], s4[1]), T::sub(s5[1], s4[0])],
                [T::sub(s5[0], s4[1]), T::add(s5[1], s4[0])],
            )
        };
        set(f, o + k + m, a);
        set(f, o + k + 3 * m, b);
    }
}

fn bfly3<T: FftScalar>(f: &mut [T], o: usize, fstride: usize, m: usize, tw: &[T]) {
    let e = get(tw, fstride * m);
    for k in 0..m {
        let f0 = cdiv(get(f, o + k), 3);
        let f1 = cdiv(get(f, o + k + m), 3);
        let f2 = cdiv(get(f, o + k + 2 * m), 3);
        let s1 = T::cmul(f1, get(tw, k * fstride));
        let s2 = T::cmul(f2, get(tw, 2 * k * fstride));
        let s3 = cadd(s1, s2);
        let s0 = csub(s1, s2);
        let g = [T::sub(f0[0], T::half(s3[0])), T::sub(f0[1], T::half(s3[1]))];
        let s0 = [T::smul(s0[0], e[1]), T::smul(s0[1], e[1])];
        set(f, o + k, cadd(f0, s3));
        set(f, o + k + 2 * m, [T::add(g[0], s0[1]), T::sub(g[1], s0[0])]);
        set(f, o + k + m, [T::sub(g[0], s0[1]), T::add(g[1], s0[0])]);
    }
}

fn bfly5<T: FftScalar>(f: &mut [T], o: usize, fstride: usize, m: usize, tw: &[T]) {
    let ya = get(tw, fstride * m);
    let yb = get(tw, 2 * fstride * m);
    let s = T::smul;
    for u in 0..m {
        let f0 = cdiv(get(f, o + u), 5);
        let f1 = cdiv(get(f, o + u + m), 5);
        let f2 = cdiv(get(f, o + u + 2 * m), 5);
        let f3 = cdiv(get(f, o + u + 3 * m), 5);
        let f4 = cdiv(get(f, o + u + 4 * m), 5);
        let s1 = T::cmul(f1, get(tw, u * fstride));
        let s2 = T::cmul(f2, get(tw, 2 * u * fstride));
        let s3 = T::cmul(f3, get(tw, 3 * u * fstride));
        let s4 = T::cmul(f4, get(tw, 4 * u * fstride));
        let s7 = cadd(s1, s4);
        let s10 = csub(s1, s4);
        let s8 = cadd(s2, s3);
        let s9 = csub(s2, s3);
        set(
            f,
            o + u,
            [
                T::add(f0[0], T::add(s7[0], s8[0])),
                T::add(f0[1], T::add(s7[1], s8[1])),
            ],
        );
        let s5 = [
            T::add(T::add(f0[0], s(s7[0], ya[0])), s(s8[0], yb[0])),
            T::add(T::add(f0[1], s(s7[1], ya[0])), s(s8[1], yb[0])),
        ];
        let s6 = [
            T::add(s(s10[1], ya[1]), s(s9[1], yb[1])),
            T::sub(T::neg(s(s10[0], ya[1])), s(s9[0], yb[1])),
        ];
        set(f, o + u + m, csub(s5, s6));
        set(f, o + u + 4 * m, cadd(s5, s6));
        let s11 = [
            T::add(T::add(f0[0], s(s7[0], yb[0])), s(s8[0], ya[0])),
            T::add(T::add(f0[1], s(s7[1], yb[0])), s(s8[1], ya[0])),
        ];
        let s12 = [
            T::add(T::neg(s(s10[1], yb[1])), s(s9[1], ya[1])),
            T::sub(s(s10[0], yb[1]), s(s9[0], ya[1])),
        ];
        set(f, o + u + 2 * m, cadd(s11, s12));
        set(f, o + u + 3 * m, csub(s11, s12));
    }
}

/// Checks a transform's buffers: `(n, plan)`.
fn check<T: FftScalar>(
    fft_length: usize,
    twiddles: &[T],
    work: &[T],
) -> Result<(usize, Plan), KernelError> {
    if !fft_length.is_multiple_of(2) {
        return Err(KernelError::BadParams);
    }
    let n = fft_length / 2;
    let plan = Plan::new(n)?;
    if twiddles.len() != twiddles_len(fft_length) || work.len() < fft_length {
        return Err(KernelError::ShapeMismatch);
    }
    Ok((n, plan))
}

/// SignalRfft: the forward real FFT of each row of `input` (rows of `input_length` samples,
/// zero-padded to `fft_length`) into the matching row of `output`: `fft_length / 2 + 1`
/// complex values, interleaved (`fft_length + 2` scalars). `twiddles` come from
/// [`init_twiddles`] (forward); `work` holds `fft_length` scalars.
///
/// The integer variants are scaled by about `1/fft_length` (a constant `c` gives a DC of
/// `c`); the float one is not scaled.
///
/// # Errors
/// [`KernelError::BadParams`] when `fft_length` is not [`supported`];
/// [`KernelError::ShapeMismatch`] when `input_length` is 0 or above `fft_length`, `input` is
/// not whole rows, `output` does not have one row per input row, or `twiddles`/`work` are
/// not sized for `fft_length`.
pub fn rfft<T: FftScalar>(
    fft_length: usize,
    twiddles: &[T],
    input: &[T],
    input_length: usize,
    work: &mut [T],
    output: &mut [T],
) -> Result<(), KernelError> {
    let (n, plan) = check(fft_length, twiddles, work)?;
    if input_length == 0 || input_length > fft_length || !input.len().is_multiple_of(input_length) {
        return Err(KernelError::ShapeMismatch);
    }
    let rows = input.len() / input_length;
    if output.len() != rows * (fft_length + 2) {
        return Err(KernelError::ShapeMismatch);
    }
    let (tw, st) = twiddles.split_at(2 * n);
    let work = &mut work[..fft_length];
    for (row, out) in input
        .chunks_exact(input_length)
        .zip(output.chunks_exact_mut(fft_length + 2))
    {
        work[..input_length].copy_from_slice(row);
        work[input_length..].fill(T::default());
        self::work(out, 0, work, 0, 1, &plan.stages[..plan.len], tw, false);
        // kiss_fftr's split, in place: step k reads Z[k] and Z[n-k], writes X[k], X[n-k].
        let d = cdiv(get(out, 0), 2);
        set(out, 0, [T::add(d[0], d[1]), T::default()]);
        set(out, n, [T::sub(d[0], d[1]), T::default()]);
        for k in 1..=n / 2 {
            let a = cdiv(get(out, k), 2);
            let z = get(out, n - k);
            let b = cdiv([z[0], T::neg(z[1])], 2);
            let f1 = cadd(a, b);
            let f2 = csub(a, b);
            let t = T::cmul(f2, get(st, k - 1));
            set(out, k, [T::half_sum(f1[0], t[0]), T::half_sum(f1[1], t[1])]);
            set(
                out,
                n - k,
                [T::half_diff(f1[0], t[0]), T::half_diff(t[1], f1[1])],
            );
        }
    }
    Ok(())
}

/// SignalIrfft: the inverse real FFT of each row of `input` (`fft_length / 2 + 1` complex
/// values, interleaved) into `fft_length` samples per row of `output`. `twiddles` come from
/// [`init_twiddles`] (inverse); `work` holds `fft_length` scalars.
///
/// The float variant divides by `fft_length` at the end; the integer variants are already
/// scaled by their per-stage divisions (so `irfft(rfft(x))` is about `x / fft_length`).
///
/// # Errors
/// As [`rfft`]: unsupported lengths, and rows that do not match.
pub fn irfft<T: FftScalar>(
    fft_length: usize,
    twiddles: &[T],
    input: &[T],
    work: &mut [T],
    output: &mut [T],
) -> Result<(), KernelError> {
    let (n, plan) = check(fft_length, twiddles, work)?;
    let rows = input.len() / (fft_length + 2);
    if !input.len().is_multiple_of(fft_length + 2) || output.len() != rows * fft_length {
        return Err(KernelError::ShapeMismatch);
    }
    let (tw, st) = twiddles.split_at(2 * n);
    let work = &mut work[..fft_length];
    for (x, out) in input
        .chunks_exact(fft_length + 2)
        .zip(output.chunks_exact_mut(fft_length))
    {
        let (x0, xn) = (get(x, 0), get(x, n));
        set(
            work,
            0,
            cdiv([T::add(x0[0], xn[0]), T::sub(x0[0], xn[0])], 2),
        );
        for k in 1..=n / 2 {
            let a = cdiv(get(x, k), 2);
            let z = get(x, n - k);
            let b = cdiv([z[0], T::neg(z[1])], 2);
            let e = cadd(a, b);
            let od = T::cmul(csub(a, b), get(st, k - 1));
            set(work, k, cadd(e, od));
            let y = csub(e, od);
            set(work, n - k, [y[0], T::neg(y[1])]);
        }
        self::work(out, 0, work, 0, 1, &plan.stages[..plan.len], tw, true);
        for v in out.iter_mut() {
            *v = T::inverse_scale(*v, fft_length);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(n: usize) -> Vec<(usize, usize)> {
        let p = Plan::new(n).unwrap();
        p.stages[..p.len].to_vec()
    }

    #[test]
    fn factor_plans() {
        assert_eq!(plan(256), [(4, 64), (4, 16), (4, 4), (4, 1)]);
        assert_eq!(plan(32), [(4, 8), (4, 2), (2, 1)]);
        assert_eq!(plan(240), [(4, 60), (4, 15), (3, 5), (5, 1)]);
        assert!(!supported(14)); // 7
        assert!(!supported(2));
        assert!(!supported(63));
        assert!(supported(480) && supported(512) && supported(4));
    }

    fn run<T: FftScalar>(n: usize, x: &[T]) -> Vec<T> {
        let mut tw = vec![T::default(); twiddles_len(n)];
        init_twiddles(n, false, &mut tw).unwrap();
        let mut work = vec![T::default(); n];
        let mut out = vec![T::default(); n + 2];
        rfft(n, &tw, x, x.len(), &mut work, &mut out).unwrap();
        out
    }

    #[test]
    fn int16_dc_and_tone() {
        // A constant c comes out as DC c (the 1/N scaling).
        let out = run::<i16>(64, &[1000; 64]);
        assert_eq!(out[0], 1000);
        assert!(out[2..].iter().all(|&v| v.abs() <= 1));
    }

    #[test]
    fn errors() {
        let mut tw = vec![0i16; twiddles_len(8)];
        init_twiddles(8, false, &mut tw).unwrap();
        let mut out = [0i16; 10];
        assert_eq!(
            rfft(8, &tw, &[0; 9], 9, &mut [0; 8], &mut out),
            Err(KernelError::ShapeMismatch)
        );
        assert_eq!(
            rfft(8, &tw, &[0; 8], 8, &mut [0; 8], &mut out[..9]),
            Err(KernelError::ShapeMismatch)
        );
        assert_eq!(
            init_twiddles(14, false, &mut [0i16; 20]),
            Err(KernelError::BadParams)
        );
    }
    /// The Python reference model's test input: an LCG mapped onto `[-amp, amp]`.
    fn lcg(n: usize, amp: i64) -> Vec<i64> {
        let mut s: i64 = 12345;
        (0..n)
            .map(|_| {
                s = (s * 1103515245 + 12345) & 0x7FFF_FFFF;
                (s >> 8) % (2 * amp + 1) - amp
            })
            .collect()
    }

    fn checksum<T: Copy + Into<i64>>(out: &[T]) -> u64 {
        out.iter().enumerate().fold(0u64, |c, (k, &v)| {
            c.wrapping_add(((k + 1) as u64).wrapping_mul(v.into() as u64))
        })
    }

    fn inverse<T: FftScalar>(n: usize, x: &[T]) -> Vec<T> {
        let mut tw = vec![T::default(); twiddles_len(n)];
        init_twiddles(n, true, &mut tw).unwrap();
        let mut work = vec![T::default(); n];
        let mut out = vec![T::default(); n];
        irfft(n, &tw, x, &mut work, &mut out).unwrap();
        out
    }

    // Expected values below come from the Python reference model (sim.py), which matches
    // TFLM's runtime on every case tried.
    #[test]
    fn int16_matches_reference() {
        let x: Vec<i16> = lcg(16, 32767).iter().map(|&v| v as i16).collect();
        let out = run::<i16>(16, &x);
        assert_eq!(
            out,
            [
                -5071, 0, -3501, -1066, 5689, -3131, -1243, 5710, 2826, -1607, 3156, 4303, 6366,
                4058, 1701, -2438, -1271, 0
            ]
        );
        assert_eq!(
            inverse::<i16>(16, &out),
            [
                1477, -1978, -424, 682, -1544, 729, -1565, -593, 1449, 1620, 722, -1602, -1554,
                -519, -1729, -239
            ]
        );
        // Radix 3 (12 = 4 * 3), zero padding 20 -> 24.
        let x: Vec<i16> = lcg(20, 32767).iter().map(|&v| v as i16).collect();
        let out = run::<i16>(24, &x);
        assert_eq!(
            out,
            [
                -3495, 0, 1129, -393, -2003, 3599, 4420, -2448, -2599, 2008, 975, 4503, 469, -2058,
                466, 1069, 4190, 2262, 3476, 5034, 477, -3302, 1659, -3811, 1821, 0
            ]
        );
        assert_eq!(
            inverse::<i16>(24, &out),
            [
                985, -1317, -283, 455, -1030, 486, -1043, -397, 965, 1079, 481, -1067, -1035, -345,
                -1153, -159, -68, -202, 1345, -1189, -1, 1, 1, -1
            ]
        );
        // Radix 5 (10 = 2 * 5).
        let out = run::<i16>(20, &x);
        assert_eq!(
            out,
            [
                -4195, 0, -64, -1406, 2695, 5700, -3794, -2439, -482, 4438, 563, -2471, -368, 1762,
                2031, -386, 7963, -4099, 4287, -2822, 2185, 0
            ]
        );
        let x: Vec<i16> = lcg(480, 32767).iter().map(|&v| v as i16).collect();
        assert_eq!(checksum(&run::<i16>(480, &x)), 6792690);
        assert_eq!(checksum(&run::<i16>(512, &x)), 6191466);
    }

    #[test]
    fn int32_matches_reference() {
        let x: Vec<i32> = lcg(16, i32::MAX as i64).iter().map(|&v| v as i32).collect();
        let out = run::<i32>(16, &x);
        assert_eq!(
            out,
            [
                -2143253514,
                0,
                505789,
                254895,
                282447,
                511289,
                262832,
                528702,
                -611564,
                -91718,
                127904,
                48845,
                -180279,
                624973,
                -60840,
                233816,
                613120,
                0
            ]
        );
        assert_eq!(
            inverse::<i32>(16, &out)[..4],
            [-133874239, -134057916, -133863854, -134161749]
        );
        let x: Vec<i32> = lcg(20, i32::MAX as i64).iter().map(|&v| v as i32).collect();
        assert_eq!(checksum(&run::<i32>(24, &x)), 18446744072588855972);
        assert_eq!(checksum(&run::<i32>(20, &x)), 18446744071597889202);
        let x: Vec<i32> = lcg(480, i32::MAX as i64)
            .iter()
            .map(|&v| v as i32)
            .collect();
        assert_eq!(checksum(&run::<i32>(480, &x)), 18446744072351788653);
        assert_eq!(checksum(&run::<i32>(512, &x)), 18446744058457692904);
    }

    #[test]
    fn float_matches_reference() {
        let x: Vec<f32> = lcg(16, 1000)
            .iter()
            .map(|&v| (v as f64 / 1000.0) as f32)
            .collect();
        let out = run::<f32>(16, &x);
        let want: [f64; 18] = [
            0.21599996089935303,
            0.0,
            0.7206655144691467,
            -3.0641403198242188,
            -0.6961830854415894,
            1.6361448764801025,
            -0.7788045406341553,
            -2.4953179359436035,
            -0.13099992275238037,
            -2.763000011444092,
            2.2039992809295654,
            -0.5035399198532104,
            -1.4358168840408325,
            -0.3138551712036133,
            2.1781396865844727,
            -0.2843623161315918,
            -2.99399995803833,
            0.0,
        ];
        for (g, w) in out.iter().zip(want) {
            assert_eq!(g.to_bits(), (w as f32).to_bits());
        }
        let back = inverse::<f32>(16, &out);
        assert_eq!(back[0].to_bits(), (0.08399993181228638f64 as f32).to_bits());
        assert_eq!(
            back[15].to_bits(),
            (-0.7799999713897705f64 as f32).to_bits()
        );
        let x: Vec<f32> = lcg(20, 1000)
            .iter()
            .map(|&v| (v as f64 / 1000.0) as f32)
            .collect();
        let out = run::<f32>(20, &x);
        assert_eq!(out[2].to_bits(), (1.4850541353225708f64 as f32).to_bits());
        assert_eq!(out[19].to_bits(), (-2.04961895942688f64 as f32).to_bits());
        let back = inverse::<f32>(20, &out);
        assert_eq!(back[19].to_bits(), (-0.606999933719635f64 as f32).to_bits());
    }
}
