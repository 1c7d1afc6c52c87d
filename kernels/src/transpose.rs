//! TRANSPOSE: permutes the dimensions of an up-to-6-D tensor (TFLM `reference_ops::Transpose`:
//! output dim `i` is input dim `perm[i]`, elements written in output order).

use crate::util::shape_len;
use crate::KernelError;

/// Most dimensions handled (TFLM's `kTransposeMaxDimensions`).
pub const TRANSPOSE_MAX_DIMS: usize = 6;

/// Checks that `perm` is a permutation of `0..in_shape.len()`; returns the output shape.
pub fn transpose_out_shape(
    in_shape: &[usize],
    perm: &[usize],
) -> Result<[usize; TRANSPOSE_MAX_DIMS], KernelError> {
    let rank = in_shape.len();
    if rank > TRANSPOSE_MAX_DIMS || perm.len() != rank {
        return Err(KernelError::BadParams);
    }
    let mut seen = [false; TRANSPOSE_MAX_DIMS];
    let mut out = [1usize; TRANSPOSE_MAX_DIMS];
    for (i, &p) in perm.iter().enumerate() {
        if p >= rank || seen[p] {
            return Err(KernelError::BadParams);
        }
        seen[p] = true;
        out[i] = in_shape[p];
    }
    Ok(out)
}

/// Writes `input` (shape `in_shape`) with its dims permuted by `perm` into `output`.
pub fn transpose<T: Copy>(
    in_shape: &[usize],
    perm: &[usize],
    input: &[T],
    output: &mut [T],
) -> Result<(), KernelError> {
    let out_shape = transpose_out_shape(in_shape, perm)?;
    let rank = in_shape.len();
    if shape_len(in_shape)? != input.len() || input.len() != output.len() {
        return Err(KernelError::ShapeMismatch);
    }
    if input.is_empty() {
        return Ok(());
    }
    // Left-pad to 6 dims so the walk is a fixed nest; padded dims have size 1.
    let pad = TRANSPOSE_MAX_DIMS - rank;
    let mut in_stride = [0usize; TRANSPOSE_MAX_DIMS];
    let mut acc = 1usize;
    for d in (0..rank).rev() {
        in_stride[d] = acc;
        acc *= in_shape[d];
    }
    // For output dim j (padded), the input stride it moves along.
    let mut step = [0usize; TRANSPOSE_MAX_DIMS];
    let mut dims = [1usize; TRANSPOSE_MAX_DIMS];
    for i in 0..rank {
        step[pad + i] = in_stride[perm[i]];
        dims[pad + i] = out_shape[i];
    }
    let mut out = output.iter_mut();
    for a in 0..dims[0] {
        let ia = a * step[0];
        for b in 0..dims[1] {
            let ib = ia + b * step[1];
            for c in 0..dims[2] {
                let ic = ib + c * step[2];
                for d in 0..dims[3] {
                    let id = ic + d * step[3];
                    for e in 0..dims[4] {
                        let ie = id + e * step[4];
                        for f in 0..dims[5] {
                            let src = input
                                .get(ie + f * step[5])
                                .ok_or(KernelError::ShapeMismatch)?;
                            *out.next().ok_or(KernelError::ShapeMismatch)? = *src;
                        }
                    }
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn matrix() {
        let x = [1, 2, 3, 4, 5, 6]; // [2, 3]
        let mut out = [0; 6];
        transpose(&[2, 3], &[1, 0], &x, &mut out).unwrap();
        assert_eq!(out, [1, 4, 2, 5, 3, 6]);
        assert_eq!(
            transpose(&[2, 3], &[1, 1], &x, &mut out),
            Err(KernelError::BadParams)
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn matches_naive(
            shape in proptest::collection::vec(1usize..4, 1..7),
            keys in proptest::collection::vec(any::<u32>(), 6),
        ) {
            let r = shape.len();
            let mut perm: Vec<usize> = (0..r).collect();
            perm.sort_by_key(|&i| keys[i]);
            let n: usize = shape.iter().product();
            let x: Vec<u32> = (0..n as u32).collect();
            let mut out = vec![0u32; n];
            transpose(&shape, &perm, &x, &mut out).unwrap();
            let os: Vec<usize> = perm.iter().map(|&p| shape[p]).collect();
            for (k, &got) in out.iter().enumerate() {
                let mut rem = k;
                let mut oc = vec![0usize; r];
                for d in (0..r).rev() {
                    oc[d] = rem % os[d];
                    rem /= os[d];
                }
                let mut ic = vec![0usize; r];
                for i in 0..r {
                    ic[perm[i]] = oc[i];
                }
                let idx = ic.iter().zip(&shape).fold(0, |a, (&c, &s)| a * s + c);
                prop_assert_eq!(got, x[idx]);
            }
        }
    }
}
