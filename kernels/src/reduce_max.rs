//! REDUCE_MAX and REDUCE_MIN over a set of axes of an up-to-4-D input (callers left-pad lower
//! ranks with 1s), as TFLM's `ReduceGeneric` with its min/max reducers: each output starts at
//! the type's lowest (max) or largest (min) finite value and takes an input only when it is
//! strictly greater (smaller). So for float32 a NaN never wins, an all-`-inf` REDUCE_MAX
//! gives `-f32::MAX`, and an empty reduction leaves the start value.

use crate::mean::{reduce_each, reduced};
use crate::util::shape_len;
use crate::KernelError;

/// An element REDUCE_MAX / REDUCE_MIN can compare, with TFLM's start values.
pub trait MinMax: Copy + PartialOrd {
    /// `std::numeric_limits<T>::lowest()`: REDUCE_MAX's start.
    const LOWEST: Self;
    /// `std::numeric_limits<T>::max()`: REDUCE_MIN's start.
    const HIGHEST: Self;
}

impl MinMax for f32 {
    const LOWEST: f32 = f32::MIN;
    const HIGHEST: f32 = f32::MAX;
}

impl MinMax for i8 {
    const LOWEST: i8 = i8::MIN;
    const HIGHEST: i8 = i8::MAX;
}

/// Reduces with `keep(current, x)` from `init` (shared by max, min and all).
fn reduce<T: Copy>(
    in_shape: [usize; 4],
    input: &[T],
    axes_mask: [bool; 4],
    output: &mut [T],
    init: T,
    keep: impl Fn(T, T) -> T,
) -> Result<(), KernelError> {
    if shape_len(&in_shape)? != input.len() {
        return Err(KernelError::ShapeMismatch);
    }
    let (out_shape, _) = reduced(in_shape, axes_mask)?;
    if shape_len(&out_shape)? != output.len() {
        return Err(KernelError::ShapeMismatch);
    }
    output.fill(init);
    if input.is_empty() {
        return Ok(());
    }
    reduce_each(in_shape, out_shape, axes_mask, input, init, keep, |o, v| {
        if let Some(slot) = output.get_mut(o) {
            *slot = v;
        }
    });
    Ok(())
}

/// REDUCE_MAX over the axes set in `axes_mask` (float32 or int8, raw values).
///
/// # Errors
/// [`KernelError::ShapeMismatch`] when a slice does not fit its shape.
pub fn reduce_max<T: MinMax>(
    in_shape: [usize; 4],
    input: &[T],
    axes_mask: [bool; 4],
    output: &mut [T],
) -> Result<(), KernelError> {
    reduce(in_shape, input, axes_mask, output, T::LOWEST, |c, x| {
        if x > c {
            x
        } else {
            c
        }
    })
}

/// REDUCE_MIN over the axes set in `axes_mask` (float32 or int8, raw values).
///
/// # Errors
/// As [`reduce_max`].
pub fn reduce_min<T: MinMax>(
    in_shape: [usize; 4],
    input: &[T],
    axes_mask: [bool; 4],
    output: &mut [T],
) -> Result<(), KernelError> {
    reduce(in_shape, input, axes_mask, output, T::HIGHEST, |c, x| {
        if x < c {
            x
        } else {
            c
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_values_nan_and_axes() {
        // [2, 3] over axis 1 (rank 4: [1, 1, 2, 3]).
        let x = [
            1.0f32,
            f32::NAN,
            -2.0,
            f32::NEG_INFINITY,
            f32::NEG_INFINITY,
            0.5,
        ];
        let mut out = [0f32; 2];
        reduce_max([1, 1, 2, 3], &x, [false, false, false, true], &mut out).unwrap();
        assert_eq!(out, [1.0, 0.5]);
        reduce_min([1, 1, 2, 3], &x, [false, false, false, true], &mut out).unwrap();
        assert_eq!(out, [-2.0, f32::NEG_INFINITY]);
        let all_neg_inf = [f32::NEG_INFINITY; 3];
        let mut one = [0f32; 1];
        reduce_max([1, 1, 1, 3], &all_neg_inf, [true; 4], &mut one).unwrap();
        assert_eq!(one, [f32::MIN]);
        // Over axis 0 of int8 [2, 3].
        let q = [5i8, -7, 3, -1, 9, 3];
        let mut o8 = [0i8; 3];
        reduce_max([1, 1, 2, 3], &q, [false, false, true, false], &mut o8).unwrap();
        assert_eq!(o8, [5, 9, 3]);
        reduce_min([1, 1, 2, 3], &q, [false, false, true, false], &mut o8).unwrap();
        assert_eq!(o8, [-1, -7, 3]);
        // Empty reductions keep the start value.
        let mut o8 = [0i8; 2];
        reduce_min([1, 1, 2, 0], &[], [false, false, false, true], &mut o8).unwrap();
        assert_eq!(o8, [127, 127]);
        assert_eq!(
            reduce_max([1, 1, 2, 3], &q, [false; 4], &mut o8),
            Err(KernelError::ShapeMismatch)
        );
    }
}

/// REDUCE_ALL over the axes set in `axes_mask`: bools as bytes (0 false, anything else true),
/// each output `1` when every reduced input is true, as TFLM's `ReduceGeneric` from `true`
/// (an empty reduction gives true).
///
/// # Errors
/// [`KernelError::ShapeMismatch`] when a slice does not fit its shape.
pub fn reduce_all(
    in_shape: [usize; 4],
    input: &[u8],
    axes_mask: [bool; 4],
    output: &mut [u8],
) -> Result<(), KernelError> {
    reduce(in_shape, input, axes_mask, output, 1u8, |c, x| {
        u8::from(c != 0 && x != 0)
    })
}
