//! GATHER: slices of the input picked along one axis by int32 positions, as TFLM's
//! `gather.cc`, with `batch_dims` leading dimensions shared by the input and the positions.
//! Raw element copies (TFLM's `memcpy`), so one kernel serves every element type. TFLM only
//! debug-checks the positions (an out-of-range one reads outside the input); here any
//! position outside `0..axis_size` is an error, found before anything is written.

use crate::KernelError;

/// The geometry of one GATHER, fixed at prepare (TFLM's loop bounds).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GatherDims {
    /// The product of the `batch_dims` leading dimensions.
    pub batch: usize,
    /// The product of the input dimensions between the batch ones and the axis.
    pub outer: usize,
    /// The input's size along the axis (positions must be below it).
    pub axis_size: usize,
    /// Positions per batch: the product of the positions' dimensions after the batch ones.
    pub coords: usize,
    /// The product of the input dimensions after the axis (elements per copied slice).
    pub inner: usize,
}

/// `n` elements, `a * b * ...`, or `None` on overflow.
fn product(dims: &[usize]) -> Option<usize> {
    dims.iter().try_fold(1usize, |a, &d| a.checked_mul(d))
}

/// GATHER: `out[b][o][c][..] = input[b][o][coords[b][c]][..]`.
///
/// # Errors
/// [`KernelError::BadParams`] when a position is negative or not below `axis_size` (nothing is
/// written then); [`KernelError::ShapeMismatch`] when a slice's length disagrees with `d`.
pub fn gather<E: Copy>(
    d: &GatherDims,
    input: &[E],
    coords: &[i32],
    output: &mut [E],
) -> Result<(), KernelError> {
    let sizes = (
        product(&[d.batch, d.outer, d.axis_size, d.inner]),
        product(&[d.batch, d.coords]),
        product(&[d.batch, d.outer, d.coords, d.inner]),
    );
    if sizes != (Some(input.len()), Some(coords.len()), Some(output.len())) {
        return Err(KernelError::ShapeMismatch);
    }
    if coords
        .iter()
        .any(|&c| usize::try_from(c).map_or(true, |c| c >= d.axis_size))
    {
        return Err(KernelError::BadParams);
    }
    if d.inner == 0 {
        return Ok(());
    }
    // In bounds: every position is below axis_size and the lengths match the dims.
    let mut slices = output.chunks_exact_mut(d.inner);
    for b in 0..d.batch {
        let positions = coords.get(b * d.coords..(b + 1) * d.coords).unwrap_or(&[]);
        for o in 0..d.outer {
            let base = (b * d.outer + o) * d.axis_size;
            for &c in positions {
                let from = (base + c as usize) * d.inner;
                let src = input.get(from..from + d.inner);
                if let (Some(dst), Some(src)) = (slices.next(), src) {
                    dst.copy_from_slice(src);
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_batch_and_bad_positions() {
        // input [2, 3, 2], axis 1, positions [2, 0]: out [2, 2, 2].
        let input: Vec<i32> = (0..12).collect();
        let d = GatherDims {
            batch: 1,
            outer: 2,
            axis_size: 3,
            coords: 2,
            inner: 2,
        };
        let mut out = [0i32; 8];
        gather(&d, &input, &[2, 0], &mut out).unwrap();
        assert_eq!(out, [4, 5, 0, 1, 10, 11, 6, 7]);
        // batch_dims 1: each batch its own positions.
        let d = GatherDims {
            batch: 2,
            outer: 1,
            axis_size: 3,
            coords: 1,
            inner: 2,
        };
        let mut out = [0i32; 4];
        gather(&d, &input, &[1, 2], &mut out).unwrap();
        assert_eq!(out, [2, 3, 10, 11]);
        let mut out = [7i32; 4];
        assert_eq!(
            gather(&d, &input, &[1, 3], &mut out),
            Err(KernelError::BadParams)
        );
        assert_eq!(out, [7; 4]);
        assert_eq!(
            gather(&d, &input, &[-1, 0], &mut out),
            Err(KernelError::BadParams)
        );
        assert_eq!(
            gather(&d, &input, &[0], &mut out),
            Err(KernelError::ShapeMismatch)
        );
    }
}
