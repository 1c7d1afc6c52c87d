//! SLICE: a contiguous box `begin[d] .. begin[d] + size[d]` of an up-to-5-D tensor
//! (TFLM `reference_ops::Slice`; a size of -1 means "to the end"). Runs as a unit-stride
//! [`crate::strided_slice`].

use crate::strided_slice::{strided_slice, StridedSliceParams, SLICE_MAX_DIMS};
use crate::KernelError;

/// Resolves `size` (-1: the rest of the axis) and checks `begin`/`size` against the shape as
/// TFLM's `GetValidatedBeginAndSizeVectors` does: `0 <= begin <= dim` and
/// `0 <= size <= dim - begin`. Returns the output dims.
pub fn slice_out_dims(
    in_shape: &[usize],
    begin: &[i64],
    size: &[i64],
) -> Result<[usize; SLICE_MAX_DIMS], KernelError> {
    let rank = in_shape.len();
    if rank > SLICE_MAX_DIMS || begin.len() != rank || size.len() != rank {
        return Err(KernelError::BadParams);
    }
    let mut out = [0usize; SLICE_MAX_DIMS];
    for d in 0..rank {
        let dim = i64::try_from(in_shape[d]).map_err(|_| KernelError::BadParams)?;
        if dim > i64::from(i32::MAX) || begin[d] < 0 || begin[d] > dim {
            return Err(KernelError::BadParams);
        }
        let rest = dim - begin[d];
        let s = if size[d] == -1 { rest } else { size[d] };
        if s < 0 || s > rest {
            return Err(KernelError::BadParams);
        }
        out[d] = s as usize;
    }
    Ok(out)
}

/// Copies the box of `input` (shape `in_shape`) starting at `begin` with dims `size` (as
/// given to [`slice_out_dims`]) into `output`.
pub fn slice<T: Copy>(
    in_shape: &[usize],
    begin: &[i64],
    size: &[i64],
    input: &[T],
    output: &mut [T],
) -> Result<(), KernelError> {
    let dims = slice_out_dims(in_shape, begin, size)?;
    let rank = in_shape.len();
    let mut p = StridedSliceParams {
        rank,
        in_shape: [0; SLICE_MAX_DIMS],
        begin: [0; SLICE_MAX_DIMS],
        end: [0; SLICE_MAX_DIMS],
        strides: [1; SLICE_MAX_DIMS],
        begin_mask: 0,
        end_mask: 0,
        shrink_axis_mask: 0,
    };
    for d in 0..rank {
        p.in_shape[d] = in_shape[d];
        // Both fit in i32: slice_out_dims bounds them by the dim.
        p.begin[d] = begin[d] as i32;
        p.end[d] = (begin[d] + dims[d] as i64) as i32;
    }
    strided_slice(&p, input, output)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn box_of_3d() {
        let x: Vec<i32> = (0..24).collect(); // [2, 3, 4]
        let mut out = [0; 4];
        slice(&[2, 3, 4], &[1, 1, 2], &[1, -1, 2], &x, &mut out).unwrap();
        assert_eq!(out, [18, 19, 22, 23]);
        assert_eq!(
            slice_out_dims(&[2, 3, 4], &[1, 1, 3], &[1, 1, 2]),
            Err(KernelError::BadParams)
        );
        assert_eq!(
            slice_out_dims(&[2, 3, 4], &[-1, 1, 0], &[1, 1, 2]),
            Err(KernelError::BadParams)
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn matches_naive(
            shape in proptest::collection::vec(1usize..5, 1..6),
            seed in proptest::collection::vec((0.0f64..1.0, 0.0f64..1.0, any::<bool>()), 5),
        ) {
            let r = shape.len();
            let mut begin = vec![0i64; r];
            let mut size = vec![0i64; r];
            for d in 0..r {
                let (a, b, rest) = seed[d];
                begin[d] = (a * shape[d] as f64) as i64;
                let room = shape[d] as i64 - begin[d];
                size[d] = if rest { -1 } else { (b * (room + 1) as f64) as i64 };
            }
            let dims = slice_out_dims(&shape, &begin, &size).unwrap();
            let n: usize = shape.iter().product();
            let x: Vec<u16> = (0..n as u16).collect();
            let on: usize = dims[..r].iter().product();
            let mut out = vec![0u16; on];
            slice(&shape, &begin, &size, &x, &mut out).unwrap();
            // Naive: walk output coordinates.
            for (k, &got) in out.iter().enumerate() {
                let mut rem = k;
                let mut idx = 0usize;
                let mut coords = vec![0usize; r];
                for d in (0..r).rev() {
                    coords[d] = rem % dims[d];
                    rem /= dims[d];
                }
                for d in 0..r {
                    idx = idx * shape[d] + begin[d] as usize + coords[d];
                }
                prop_assert_eq!(got, x[idx]);
            }
        }
    }
}
