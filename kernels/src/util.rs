//! Small shared helpers: checked shape products, window bounds and C++-faithful clamps.

use crate::KernelError;

/// Largest coordinate (or size) the windowed kernels accept, so that all coordinate math
/// done in `isize` afterwards is free of overflow on 16-, 32- and 64-bit targets alike.
pub(crate) const COORD_LIMIT: usize = (isize::MAX as usize) / 4;

/// Product of the dims of a shape, or `ShapeMismatch` if it overflows `usize`.
pub(crate) fn shape_len(shape: &[usize]) -> Result<usize, KernelError> {
    let mut n: usize = 1;
    for &d in shape {
        n = n.checked_mul(d).ok_or(KernelError::ShapeMismatch)?;
    }
    Ok(n)
}

/// Checks that a slice of length `len` holds exactly the elements of `shape`.
pub(crate) fn check_len(shape: &[usize], len: usize) -> Result<(), KernelError> {
    if shape_len(shape)? == len {
        Ok(())
    } else {
        Err(KernelError::ShapeMismatch)
    }
}

/// Checks that a window walk over `out` positions (stride, kernel taps, dilation, padding)
/// over an input of size `input` keeps every coordinate well inside `isize`.
pub(crate) fn check_window(
    out: usize,
    stride: usize,
    taps: usize,
    dilation: usize,
    pad: usize,
    input: usize,
) -> Result<(), KernelError> {
    let last_origin = out
        .saturating_sub(1)
        .checked_mul(stride)
        .ok_or(KernelError::BadParams)?;
    let span = taps
        .saturating_sub(1)
        .checked_mul(dilation)
        .ok_or(KernelError::BadParams)?;
    let reach = last_origin
        .checked_add(span)
        .ok_or(KernelError::BadParams)?;
    if reach > COORD_LIMIT || pad > COORD_LIMIT || input > COORD_LIMIT || taps > COORD_LIMIT {
        return Err(KernelError::BadParams);
    }
    Ok(())
}

/// The half-open range of taps `k` in `0..taps` with `0 <= origin + k * dilation < size`.
///
/// The coordinate is monotone in `k`, so the valid taps always form one contiguous range.
/// Callers must have passed [`check_window`] so that the arithmetic cannot overflow.
#[inline]
pub(crate) fn tap_range(
    origin: isize,
    dilation: usize,
    taps: usize,
    size: usize,
) -> (usize, usize) {
    let size = size as isize;
    let dil = dilation as isize;
    let mut lo = taps;
    let mut hi = 0;
    for k in 0..taps {
        let c = origin + (k as isize) * dil;
        if c >= 0 && c < size {
            if lo == taps {
                lo = k;
            }
            hi = k + 1;
        }
    }
    if lo >= hi {
        (0, 0)
    } else {
        (lo, hi)
    }
}

/// `std::min(std::max(x, lo), hi)` with C++'s comparison semantics (a NaN `x` passes through).
#[inline]
pub(crate) fn clamp_f32(x: f32, lo: f32, hi: f32) -> f32 {
    // std::max(a, b) is (a < b) ? b : a; std::min(a, b) is (b < a) ? b : a.
    let y = if x < lo { lo } else { x };
    if hi < y {
        hi
    } else {
        y
    }
}

/// `std::min(std::max(x, lo), hi)` for the quantized range (no panic when `lo > hi`).
#[inline]
pub(crate) fn clamp_i32(x: i32, lo: i32, hi: i32) -> i32 {
    let y = if x < lo { lo } else { x };
    if hi < y {
        hi
    } else {
        y
    }
}

/// Saturates an `i32` into `i8`.
#[inline]
pub(crate) fn sat_i8(x: i32) -> i8 {
    clamp_i32(x, i8::MIN as i32, i8::MAX as i32) as i8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tap_range_basic() {
        // origin -1, 3 taps, size 4: taps 1 and 2 are inside.
        assert_eq!(tap_range(-1, 1, 3, 4), (1, 3));
        assert_eq!(tap_range(2, 1, 3, 4), (0, 2));
        assert_eq!(tap_range(-5, 1, 3, 4), (0, 0));
        assert_eq!(tap_range(-2, 2, 3, 4), (1, 3));
        assert_eq!(tap_range(1, 0, 3, 4), (0, 3));
        assert_eq!(tap_range(4, 0, 3, 4), (0, 0));
    }

    #[test]
    fn clamps_follow_cpp() {
        assert!(clamp_f32(f32::NAN, 0.0, 6.0).is_nan());
        assert_eq!(clamp_f32(7.0, 0.0, 6.0), 6.0);
        assert_eq!(clamp_f32(-1.0, 0.0, 6.0), 0.0);
        // lo > hi: TFLM ends with hi.
        assert_eq!(clamp_i32(5, 10, 0), 0);
        assert_eq!(sat_i8(300), 127);
        assert_eq!(sat_i8(-300), -128);
    }

    #[test]
    fn window_limits() {
        assert!(check_window(10, 2, 3, 1, 1, 20).is_ok());
        assert_eq!(
            check_window(2, usize::MAX, 3, 1, 0, 4),
            Err(KernelError::BadParams)
        );
        assert_eq!(
            check_window(1, 1, 3, 1, usize::MAX, 4),
            Err(KernelError::BadParams)
        );
        assert_eq!(shape_len(&[usize::MAX, 2]), Err(KernelError::ShapeMismatch));
    }
}

/// Calls `f` with `scratch`, or, on 64-bit hosts (ample stack), with an `N`-element stack
/// buffer when `scratch` holds fewer than the `want` elements a fast path would like: the
/// arena-planned scratch serves microcontrollers (where stack is scarce and the planner hands
/// out only free room), hosts keep their fastest paths whatever the arena had room for.
#[inline(always)]
pub(crate) fn host_buffer<T: Copy + Default, const N: usize, R>(
    scratch: &mut [T],
    want: usize,
    f: impl FnOnce(&mut [T]) -> R,
) -> R {
    #[cfg(target_pointer_width = "64")]
    if scratch.len() < want.min(N) {
        let mut local = [T::default(); N];
        return f(&mut local);
    }
    let _ = want;
    f(scratch)
}
