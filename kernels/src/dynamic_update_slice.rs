//! DYNAMIC_UPDATE_SLICE, as TFLM's `dynamic_update_slice.cc`: the output is the operand with
//! the update written over it at a start position given at run time, each start index
//! clamped into `0..=operand_dim - update_dim`. Raw copies of any element.

use crate::KernelError;

/// The most dims DYNAMIC_UPDATE_SLICE takes here.
pub const DYNAMIC_UPDATE_SLICE_MAX_DIMS: usize = 6;

/// Copies `operand` (`shape`) to `output` and writes `update` (`update_shape`, each dim at
/// most the operand's) over it from `start` (one index per dim, clamped as TFLM).
///
/// # Errors
/// [`KernelError::BadParams`] when the ranks disagree, exceed
/// [`DYNAMIC_UPDATE_SLICE_MAX_DIMS`] or an update dim exceeds the operand's;
/// [`KernelError::ShapeMismatch`] when a slice does not fit its shape.
pub fn dynamic_update_slice<E: Copy>(
    shape: &[usize],
    operand: &[E],
    update_shape: &[usize],
    update: &[E],
    start: &[i64],
    output: &mut [E],
) -> Result<(), KernelError> {
    const N: usize = DYNAMIC_UPDATE_SLICE_MAX_DIMS;
    let rank = shape.len();
    if rank > N || update_shape.len() != rank || start.len() != rank {
        return Err(KernelError::BadParams);
    }
    if shape.iter().zip(update_shape).any(|(&d, &u)| u > d) {
        return Err(KernelError::BadParams);
    }
    let count = |s: &[usize]| s.iter().try_fold(1usize, |a, &d| a.checked_mul(d));
    let (n, nu) = (count(shape), count(update_shape));
    if n != Some(operand.len()) || n != Some(output.len()) || nu != Some(update.len()) {
        return Err(KernelError::ShapeMismatch);
    }
    if operand.len() == update.len() {
        output.copy_from_slice(update);
        return Ok(());
    }
    output.copy_from_slice(operand);
    if update.is_empty() {
        return Ok(());
    }
    let mut begin = [0usize; N];
    let mut stride = [1usize; N];
    let mut acc = 1usize;
    for i in (0..rank).rev() {
        let (Some(&d), Some(&u), Some(&s), Some(b), Some(st)) = (
            shape.get(i),
            update_shape.get(i),
            start.get(i),
            begin.get_mut(i),
            stride.get_mut(i),
        ) else {
            return Err(KernelError::BadParams);
        };
        // min(max(0, start), dim - update_dim): both bounds fit, as u <= d.
        *b = s.clamp(0, (d - u) as i64) as usize;
        *st = acc;
        acc *= d;
    }
    let last = rank - 1;
    let row = update_shape.get(last).copied().unwrap_or(1);
    if row == 0 {
        return Ok(());
    }
    // One update row at a time: the coordinates of the row's first element.
    let mut coord = [0usize; N];
    for src in update.chunks_exact(row) {
        let at: usize = (0..rank)
            .map(|i| {
                (begin.get(i).copied().unwrap_or(0) + coord.get(i).copied().unwrap_or(0))
                    * stride.get(i).copied().unwrap_or(0)
            })
            .sum();
        output
            .get_mut(at..at + row)
            .ok_or(KernelError::ShapeMismatch)?
            .copy_from_slice(src);
        for i in (0..last).rev() {
            if let (Some(c), Some(&u)) = (coord.get_mut(i), update_shape.get(i)) {
                *c += 1;
                if *c < u {
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
    fn clamps_and_writes() {
        let x = [0u8; 12];
        let mut o = [9u8; 12];
        // [3, 4] operand, [2, 2] update at (1, 3): the column clamps to 2.
        dynamic_update_slice(&[3, 4], &x, &[2, 2], &[1, 2, 3, 4], &[1, 3], &mut o).unwrap();
        assert_eq!(o, [0, 0, 0, 0, 0, 0, 1, 2, 0, 0, 3, 4]);
        dynamic_update_slice(&[3, 4], &x, &[1, 4], &[5, 6, 7, 8], &[-5, 2], &mut o).unwrap();
        assert_eq!(o, [5, 6, 7, 8, 0, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(
            dynamic_update_slice(&[3, 4], &x, &[4, 1], &[1; 4], &[0, 0], &mut o),
            Err(KernelError::BadParams)
        );
    }
}
