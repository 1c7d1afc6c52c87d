//! MIRROR_PAD: pads each dim with a mirror image of the input's edge, REFLECT (the edge
//! element not repeated) or SYMMETRIC (repeated), as TFLM's `mirror_pad.cc`: each output
//! element is copied from the input position its coordinates reflect to. Raw copies.

use crate::KernelError;

/// The most dims MIRROR_PAD takes.
pub const MIRROR_PAD_MAX_DIMS: usize = 6;

/// The input coordinate output coordinate `p` of a dim of size `dim` reads, with `left`
/// elements padded before it; `offset` is 1 for REFLECT and 0 for SYMMETRIC.
fn source(p: usize, left: usize, dim: usize, offset: usize) -> Option<usize> {
    if p < left {
        return (left + offset).checked_sub(1 + p);
    }
    let q = p - left;
    if q < dim {
        return Some(q);
    }
    (2 * dim).checked_sub(q + 1 + offset)
}

/// Checks that `pads` (before, after) suit `in_shape` for the mode: each at most `dim - 1`
/// for REFLECT (`offset` 1), `dim` for SYMMETRIC (`offset` 0).
pub fn mirror_pad_check(in_shape: &[usize], pads: &[(usize, usize)], offset: usize) -> bool {
    in_shape.len() == pads.len()
        && offset <= 1
        && in_shape.iter().zip(pads).all(|(&d, &(l, r))| {
            let most = d.saturating_sub(offset);
            l <= most && r <= most
        })
}

/// MIRROR_PAD of `input` (`in_shape`, up to [`MIRROR_PAD_MAX_DIMS`] dims) into `output`
/// (each dim `left + dim + right`).
///
/// # Errors
/// [`KernelError::BadParams`] when the pads do not suit the shape ([`mirror_pad_check`]);
/// [`KernelError::ShapeMismatch`] when a slice does not fit its shape.
pub fn mirror_pad<E: Copy>(
    in_shape: &[usize],
    pads: &[(usize, usize)],
    offset: usize,
    input: &[E],
    output: &mut [E],
) -> Result<(), KernelError> {
    if in_shape.len() > MIRROR_PAD_MAX_DIMS || !mirror_pad_check(in_shape, pads, offset) {
        return Err(KernelError::BadParams);
    }
    let rank = in_shape.len();
    let mut out_shape = [1usize; MIRROR_PAD_MAX_DIMS];
    let mut in_stride = [1usize; MIRROR_PAD_MAX_DIMS];
    let mut in_len = 1usize;
    let mut out_len = 1usize;
    for i in (0..rank).rev() {
        let (&d, &(l, r)) = (
            in_shape.get(i).ok_or(KernelError::BadParams)?,
            pads.get(i).ok_or(KernelError::BadParams)?,
        );
        let o = l
            .checked_add(d)
            .and_then(|v| v.checked_add(r))
            .ok_or(KernelError::ShapeMismatch)?;
        if let (Some(os), Some(is)) = (out_shape.get_mut(i), in_stride.get_mut(i)) {
            *os = o;
            *is = in_len;
        }
        in_len = in_len.checked_mul(d).ok_or(KernelError::ShapeMismatch)?;
        out_len = out_len.checked_mul(o).ok_or(KernelError::ShapeMismatch)?;
    }
    if input.len() != in_len || output.len() != out_len {
        return Err(KernelError::ShapeMismatch);
    }
    if in_len == 0 {
        return if out_len == 0 {
            Ok(())
        } else {
            Err(KernelError::BadParams)
        };
    }
    let mut coord = [0usize; MIRROR_PAD_MAX_DIMS];
    for o in output.iter_mut() {
        let mut flat = 0usize;
        for i in 0..rank {
            let (&c, &d, &(l, _), &s) =
                match (coord.get(i), in_shape.get(i), pads.get(i), in_stride.get(i)) {
                    (Some(c), Some(d), Some(p), Some(s)) => (c, d, p, s),
                    _ => return Err(KernelError::BadParams),
                };
            flat += source(c, l, d, offset).ok_or(KernelError::BadParams)? * s;
        }
        *o = *input.get(flat).ok_or(KernelError::BadParams)?;
        // Next output coordinate, last dim fastest.
        for i in (0..rank).rev() {
            if let (Some(c), Some(&n)) = (coord.get_mut(i), out_shape.get(i)) {
                *c += 1;
                if *c < n {
                    break;
                }
                *c = 0;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reflect_and_symmetric() {
        let x = [1u8, 2, 3];
        let mut o = [0u8; 7];
        mirror_pad(&[3], &[(2, 2)], 1, &x, &mut o).unwrap();
        assert_eq!(o, [3, 2, 1, 2, 3, 2, 1]);
        mirror_pad(&[3], &[(2, 2)], 0, &x, &mut o).unwrap();
        assert_eq!(o, [2, 1, 1, 2, 3, 3, 2]);
        let mut o = [0u8; 9];
        mirror_pad(&[3], &[(3, 3)], 0, &x, &mut o).unwrap();
        assert_eq!(o, [3, 2, 1, 1, 2, 3, 3, 2, 1]);
        assert_eq!(
            mirror_pad(&[3], &[(3, 3)], 1, &x, &mut o),
            Err(KernelError::BadParams)
        );
        // [2, 2] padded by 1 on every side, REFLECT.
        let x = [1u8, 2, 3, 4];
        let mut o = [0u8; 16];
        mirror_pad(&[2, 2], &[(1, 1), (1, 1)], 1, &x, &mut o).unwrap();
        assert_eq!(o, [4, 3, 4, 3, 2, 1, 2, 1, 4, 3, 4, 3, 2, 1, 2, 1]);
        assert_eq!(
            mirror_pad(&[2, 2], &[(1, 1), (1, 1)], 1, &x, &mut o[..15]),
            Err(KernelError::ShapeMismatch)
        );
    }
}
