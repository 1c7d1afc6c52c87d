//! ARG_MAX over one axis, as TFLM's `reference_ops::ArgMinMax` with `std::greater`: the
//! first element of a run starts as the best, and only a strictly greater one replaces it,
//! so ties keep the first index (and a leading float NaN is never replaced).
//!
//! The input is viewed as `[outer, axis_size, inner]`; the output is `[outer, inner]`.

use crate::KernelError;

/// An index type ARG_MAX / ARG_MIN can write (TFLM writes int32; int64 is allowed too).
pub trait ArgIndex: Copy {
    /// The index `i`, which the caller guarantees fits.
    fn from_index(i: usize) -> Self;
}

impl ArgIndex for i32 {
    fn from_index(i: usize) -> Self {
        i as i32
    }
}

impl ArgIndex for i64 {
    fn from_index(i: usize) -> Self {
        i as i64
    }
}

/// The shared ARG_MAX / ARG_MIN walk: `better(candidate, best)` decides a replacement.
pub(crate) fn arg_select<T: Copy, O: ArgIndex>(
    outer: usize,
    axis_size: usize,
    inner: usize,
    input: &[T],
    output: &mut [O],
    better: impl Fn(T, T) -> bool,
) -> Result<(), KernelError> {
    let n_out = outer.checked_mul(inner).ok_or(KernelError::ShapeMismatch)?;
    let n_in = n_out
        .checked_mul(axis_size)
        .ok_or(KernelError::ShapeMismatch)?;
    if input.len() != n_in || output.len() != n_out {
        return Err(KernelError::ShapeMismatch);
    }
    if n_out == 0 {
        return Ok(());
    }
    // TFLM reads element 0 of an empty axis; refuse instead. Indices must fit int32 (the
    // narrowest output type).
    if axis_size == 0 || axis_size > i32::MAX as usize {
        return Err(KernelError::BadParams);
    }
    for o in 0..outer {
        let base = o * axis_size * inner;
        for i in 0..inner {
            let mut best = input[base + i];
            let mut best_index = 0usize;
            for k in 1..axis_size {
                let v = input[base + k * inner + i];
                if better(v, best) {
                    best = v;
                    best_index = k;
                }
            }
            output[o * inner + i] = O::from_index(best_index);
        }
    }
    Ok(())
}

/// Index of the largest value along the axis (first one on ties).
pub fn arg_max<T: Copy + PartialOrd, O: ArgIndex>(
    outer: usize,
    axis_size: usize,
    inner: usize,
    input: &[T],
    output: &mut [O],
) -> Result<(), KernelError> {
    arg_select(outer, axis_size, inner, input, output, |a, b| a > b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::*;
    use proptest::prelude::*;

    #[test]
    fn ties_and_errors() {
        let mut out = [0i32; 2];
        // [2, 3] viewed as outer 1, axis 3, inner 2? No: outer 1, axis 2, inner... use 2x3.
        arg_max(2, 3, 1, &[1i8, 5, 5, 7, 7, 0], &mut out).unwrap();
        assert_eq!(out, [1, 0]);
        let mut out64 = [0i64; 3];
        arg_max(1, 2, 3, &[0.0f32, 1.0, f32::NAN, 1.0, 0.0, 5.0], &mut out64).unwrap();
        assert_eq!(out64, [1, 0, 0]);
        assert_eq!(
            arg_max(1, 2, 3, &[0i8; 5], &mut out64),
            Err(KernelError::ShapeMismatch)
        );
        assert_eq!(
            arg_max(1, 0, 3, &[0i8; 0], &mut out64),
            Err(KernelError::BadParams)
        );
        assert_eq!(
            arg_max(usize::MAX, 2, 2, &[0i8; 0], &mut out64),
            Err(KernelError::ShapeMismatch)
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn matches_naive((outer, axis, inner, x) in (1usize..4, 1usize..6, 1usize..4)
            .prop_flat_map(|(o, a, i)| (Just(o), Just(a), Just(i), i8_vec(o * a * i)))) {
            let mut got = vec![0i32; outer * inner];
            arg_max(outer, axis, inner, &x, &mut got).unwrap();
            for o in 0..outer {
                for i in 0..inner {
                    let vals: Vec<i8> = (0..axis).map(|k| x[(o * axis + k) * inner + i]).collect();
                    let m = *vals.iter().max().unwrap();
                    let first = vals.iter().position(|&v| v == m).unwrap();
                    prop_assert_eq!(got[o * inner + i], first as i32);
                }
            }
        }
    }
}
