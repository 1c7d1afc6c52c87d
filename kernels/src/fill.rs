//! FILL and ZEROS_LIKE: every output element set to one value (FILL's scalar, ZEROS_LIKE's
//! zero), as TFLM's `reference_ops::Fill` and `resetZeros`. Raw copies of any element.

use crate::KernelError;

/// Sets every element of `output` to the one element of `value`.
///
/// # Errors
/// [`KernelError::ShapeMismatch`] when `value` is not one element.
pub fn fill<E: Copy>(value: &[E], output: &mut [E]) -> Result<(), KernelError> {
    match value {
        [v] => {
            output.fill(*v);
            Ok(())
        }
        _ => Err(KernelError::ShapeMismatch),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills() {
        let mut o = [0f32; 3];
        fill(&[2.5], &mut o).unwrap();
        assert_eq!(o, [2.5; 3]);
        assert_eq!(fill(&[1.0, 2.0], &mut o), Err(KernelError::ShapeMismatch));
    }
}
