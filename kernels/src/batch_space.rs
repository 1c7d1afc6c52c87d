//! SPACE_TO_BATCH_ND and BATCH_TO_SPACE_ND on `[batch, height, width, depth]` tensors (3-D
//! tensors are `[batch, height, 1, depth]`), as TFLM's reference kernels: spatial blocks of
//! `block_h x block_w` move between the spatial dims and the batch (the block index outermost
//! in the batch), with padding (zeros: TFLM pads with a never-set `output_offset`, which its
//! zeroed arena leaves 0) or cropping at the top and left. Raw copies of whole depth rows.

use crate::KernelError;

/// One side's geometry: `[batch, height, width, depth]`.
pub type Nhwc = [usize; 4];

/// The block and the top/left padding (SPACE_TO_BATCH_ND) or cropping (BATCH_TO_SPACE_ND).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlockParams {
    /// Block height and width (width 1 for 3-D tensors).
    pub block: [usize; 2],
    /// Rows and columns padded (cropped) before the data.
    pub before: [usize; 2],
}

fn len(s: &Nhwc) -> Result<usize, KernelError> {
    s.iter()
        .try_fold(1usize, |a, &d| a.checked_mul(d))
        .ok_or(KernelError::ShapeMismatch)
}

/// Checks the slices against the shapes and the shapes against each other: the space side
/// `s` (padded, or uncropped: `b` spatial dims times the block, less `s`'s own extent) and
/// the batch side `b` (`s`'s batch times the block area).
fn check(
    space: &Nhwc,
    batch: &Nhwc,
    p: &BlockParams,
    space_len: usize,
    batch_len: usize,
) -> Result<(), KernelError> {
    let [bh, bw] = p.block;
    if bh == 0 || bw == 0 {
        return Err(KernelError::BadParams);
    }
    let area = bh.checked_mul(bw).ok_or(KernelError::BadParams)?;
    let want_batch = space[0].checked_mul(area).ok_or(KernelError::BadParams)?;
    let fits = batch[0] == want_batch
        && batch[3] == space[3]
        && batch[1]
            .checked_mul(bh)
            .is_some_and(|h| h >= space[1].saturating_add(p.before[0]))
        && batch[2]
            .checked_mul(bw)
            .is_some_and(|w| w >= space[2].saturating_add(p.before[1]));
    if !fits {
        return Err(KernelError::BadParams);
    }
    if len(space)? != space_len || len(batch)? != batch_len {
        return Err(KernelError::ShapeMismatch);
    }
    Ok(())
}

/// Visits every batch-side row `(batch-side offset, Some(space-side offset) or None for
/// padding)`, in batch-side order; offsets count whole depth rows.
fn rows(space: &Nhwc, batch: &Nhwc, p: &BlockParams, mut f: impl FnMut(usize, Option<usize>)) {
    let [bh, bw] = p.block;
    let [top, left] = p.before;
    let mut row = 0usize;
    for out_b in 0..batch[0] {
        let in_b = out_b % space[0].max(1);
        let shift = out_b / space[0].max(1);
        let (shift_h, shift_w) = (shift / bw, shift % bw);
        for out_h in 0..batch[1] {
            let h = (out_h * bh + shift_h)
                .checked_sub(top)
                .filter(|&h| h < space[1]);
            for out_w in 0..batch[2] {
                let w = (out_w * bw + shift_w)
                    .checked_sub(left)
                    .filter(|&w| w < space[2]);
                let src = match (h, w) {
                    (Some(h), Some(w)) => Some((in_b * space[1] + h) * space[2] + w),
                    _ => None,
                };
                f(row, src);
                row += 1;
            }
        }
    }
}

/// SPACE_TO_BATCH_ND: `input` (`in_shape`) into `output` (`out_shape`), padded positions 0.
///
/// # Errors
/// [`KernelError::BadParams`] when the shapes do not agree with the block and padding;
/// [`KernelError::ShapeMismatch`] when a slice does not fit its shape.
pub fn space_to_batch_nd<E: Copy + Default>(
    in_shape: Nhwc,
    input: &[E],
    p: &BlockParams,
    out_shape: Nhwc,
    output: &mut [E],
) -> Result<(), KernelError> {
    check(&in_shape, &out_shape, p, input.len(), output.len())?;
    let depth = in_shape[3];
    if depth == 0 {
        return Ok(());
    }
    let mut outs = output.chunks_exact_mut(depth);
    rows(&in_shape, &out_shape, p, |_, src| {
        if let Some(o) = outs.next() {
            match src.and_then(|s| input.get(s * depth..(s + 1) * depth)) {
                Some(i) => o.copy_from_slice(i),
                None => o.fill(E::default()),
            }
        }
    });
    Ok(())
}

/// BATCH_TO_SPACE_ND: `input` (`in_shape`) into `output` (`out_shape`), cropping
/// `p.before` rows and columns at the top and left (and whatever exceeds `out_shape` after).
///
/// # Errors
/// As [`space_to_batch_nd`].
pub fn batch_to_space_nd<E: Copy>(
    in_shape: Nhwc,
    input: &[E],
    p: &BlockParams,
    out_shape: Nhwc,
    output: &mut [E],
) -> Result<(), KernelError> {
    check(&out_shape, &in_shape, p, output.len(), input.len())?;
    let depth = in_shape[3];
    if depth == 0 {
        return Ok(());
    }
    rows(&out_shape, &in_shape, p, |row, dst| {
        if let Some(d) = dst {
            if let (Some(o), Some(i)) = (
                output.get_mut(d * depth..(d + 1) * depth),
                input.get(row * depth..(row + 1) * depth),
            ) {
                o.copy_from_slice(i);
            }
        }
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_with_padding() {
        // [1, 3, 4, 1], block 2x2, one row padded on top (and one at the bottom).
        let x: [u8; 12] = core::array::from_fn(|i| i as u8 + 1);
        let p = BlockParams {
            block: [2, 2],
            before: [1, 0],
        };
        let mut b = [9u8; 16];
        space_to_batch_nd([1, 3, 4, 1], &x, &p, [4, 2, 2, 1], &mut b).unwrap();
        assert_eq!(b, [0, 0, 5, 7, 0, 0, 6, 8, 1, 3, 9, 11, 2, 4, 10, 12]);
        let mut back = [0u8; 12];
        batch_to_space_nd([4, 2, 2, 1], &b, &p, [1, 3, 4, 1], &mut back).unwrap();
        assert_eq!(back, x);
        // The batch must be the block area times the space side's.
        assert_eq!(
            space_to_batch_nd([1, 3, 4, 1], &x, &p, [2, 4, 2, 1], &mut b),
            Err(KernelError::BadParams)
        );
        assert_eq!(
            space_to_batch_nd([1, 3, 4, 1], &x, &p, [4, 2, 2, 1], &mut b[..15]),
            Err(KernelError::ShapeMismatch)
        );
    }
}
