//! GATHER_ND: slices of the params picked by index tuples (the last dimension of the indices),
//! as TFLM's `gather_nd.cc`. Raw element copies, so one kernel serves every element type.
//! TFLM checks only that each slice lies within the params' flat extent (an index past its
//! own dimension but still inside the tensor is accepted and reads the flat position it
//! names); so does this, and any other slice is an error, found before anything is written.

use crate::KernelError;

/// TFLM's `MAX_INDICES_ND`: the longest index tuple.
pub const MAX_INDICES_ND: usize = 5;

/// GATHER_ND: slice `i` of `out` (`slice` elements) is the params from flat position
/// `sum_j indices[i * nd + j] * strides[j]` on. `strides` holds one stride per tuple element
/// (TFLM's `dims_to_count`): `nd` is `strides.len()`.
///
/// # Errors
/// [`KernelError::BadParams`] when a slice would start below 0 or end past the params
/// (nothing is written then); [`KernelError::ShapeMismatch`] when `strides` is longer than
/// [`MAX_INDICES_ND`] or the lengths disagree (`out` must hold one slice per index tuple).
pub fn gather_nd<E: Copy>(
    params: &[E],
    indices: &[i32],
    strides: &[usize],
    slice: usize,
    output: &mut [E],
) -> Result<(), KernelError> {
    let nd = strides.len();
    if nd > MAX_INDICES_ND {
        return Err(KernelError::ShapeMismatch);
    }
    // Empty tuples (nd 0) each pick the whole params: count them by the output.
    let n = match indices.len().checked_div(nd) {
        Some(n) => n,
        None => output.len().checked_div(slice).unwrap_or(0),
    };
    if n.checked_mul(nd) != Some(indices.len()) || n.checked_mul(slice) != Some(output.len()) {
        return Err(KernelError::ShapeMismatch);
    }
    let start = |i: usize| -> Option<usize> {
        let mut at = 0i64;
        for (j, &s) in strides.iter().enumerate() {
            let index = i64::from(*indices.get(i * nd + j)?);
            at = at.checked_add(index.checked_mul(i64::try_from(s).ok()?)?)?;
        }
        let at = usize::try_from(at).ok()?;
        (at.checked_add(slice)? <= params.len()).then_some(at)
    };
    if (0..n).any(|i| start(i).is_none()) {
        return Err(KernelError::BadParams);
    }
    if slice == 0 {
        return Ok(());
    }
    for (i, dst) in output.chunks_exact_mut(slice).enumerate() {
        if let Some(src) = start(i).and_then(|at| params.get(at..at + slice)) {
            dst.copy_from_slice(src);
        }
    }
    Ok(())
}

/// TFLM's `dims_to_count` for the first `nd` params dimensions: the elements spanned by one
/// step along each (the flat size divided down dimension by dimension; 0 past a zero
/// dimension, where TFLM would divide by zero).
pub fn gather_nd_strides(params_dims: &[usize], nd: usize) -> [usize; MAX_INDICES_ND] {
    let mut out = [0usize; MAX_INDICES_ND];
    let mut remain = params_dims
        .iter()
        .try_fold(1usize, |a, &d| a.checked_mul(d))
        .unwrap_or(0);
    for (o, &d) in out.iter_mut().zip(params_dims).take(nd) {
        remain = remain.checked_div(d).unwrap_or(0);
        *o = remain;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elements_slices_and_flat_bounds() {
        // params [3, 4].
        let params: Vec<i32> = (0..12).collect();
        let st = gather_nd_strides(&[3, 4], 2);
        assert_eq!(&st[..2], &[4, 1]);
        let mut out = [0i32; 3];
        gather_nd(&params, &[2, 1, 0, 3, 1, 0], &st[..2], 1, &mut out).unwrap();
        assert_eq!(out, [9, 3, 4]);
        // Rows: nd 1, slices of 4.
        let st = gather_nd_strides(&[3, 4], 1);
        let mut out = [0i32; 8];
        gather_nd(&params, &[2, 0], &st[..1], 4, &mut out).unwrap();
        assert_eq!(out, [8, 9, 10, 11, 0, 1, 2, 3]);
        // TFLM: [0, 5] is flat position 5, inside the tensor: accepted.
        let st = gather_nd_strides(&[3, 4], 2);
        let mut out = [0i32; 1];
        gather_nd(&params, &[0, 5], &st[..2], 1, &mut out).unwrap();
        assert_eq!(out, [5]);
        let mut out = [-1i32; 2];
        for bad in [[2, 4, 0, 0], [0, -1, 0, 0], [i32::MAX, i32::MAX, 0, 0]] {
            assert_eq!(
                gather_nd(&params, &bad, &st[..2], 1, &mut out),
                Err(KernelError::BadParams)
            );
        }
        assert_eq!(out, [-1, -1]);
        assert_eq!(
            gather_nd(&params, &[0, 0, 0], &st[..2], 1, &mut out),
            Err(KernelError::ShapeMismatch)
        );
        assert_eq!(gather_nd_strides(&[3, 0, 2], 3), [0; 5]);
    }
}
