//! REVERSE_V2 over a run of contiguous axes, as TFLM's `reference_ops::Reverse` (TFLM takes
//! only contiguous axes): the tensor seen as `[outer, middle, inner]`, where `middle` is the
//! product of the reversed dims, has its `middle` index reversed. Raw copies of any element.

use crate::KernelError;

/// Copies `input` (`[outer, middle, inner]`) to `output` with the middle index reversed.
///
/// # Errors
/// [`KernelError::ShapeMismatch`] when a slice's length is not `outer * middle * inner`.
pub fn reverse<E: Copy>(
    outer: usize,
    middle: usize,
    inner: usize,
    input: &[E],
    output: &mut [E],
) -> Result<(), KernelError> {
    let block = middle
        .checked_mul(inner)
        .ok_or(KernelError::ShapeMismatch)?;
    let total = outer.checked_mul(block).ok_or(KernelError::ShapeMismatch)?;
    if input.len() != total || output.len() != total {
        return Err(KernelError::ShapeMismatch);
    }
    if block == 0 || inner == 0 {
        return Ok(());
    }
    for (src, dst) in input
        .chunks_exact(block)
        .zip(output.chunks_exact_mut(block))
    {
        for (s, d) in src
            .chunks_exact(inner)
            .zip(dst.chunks_exact_mut(inner).rev())
        {
            d.copy_from_slice(s);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reverses_the_middle() {
        // [2, 3, 2] reversing axis 1.
        let x: [u8; 12] = core::array::from_fn(|i| i as u8);
        let mut o = [0u8; 12];
        reverse(2, 3, 2, &x, &mut o).unwrap();
        assert_eq!(o, [4, 5, 2, 3, 0, 1, 10, 11, 8, 9, 6, 7]);
        reverse(1, 12, 1, &x, &mut o).unwrap();
        assert_eq!(o, core::array::from_fn(|i| 11 - i as u8));
        assert_eq!(
            reverse(2, 3, 3, &x, &mut o),
            Err(KernelError::ShapeMismatch)
        );
    }
}
