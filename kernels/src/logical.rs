//! LOGICAL_AND, LOGICAL_OR (broadcasting over 4-D shapes) and LOGICAL_NOT on bools held as
//! bytes, as TFLM's `logical.cc` and `elementwise.cc`: any non-zero byte reads as true, and
//! the output is 0 or 1.

use crate::broadcast::binary;
use crate::KernelError;

/// `a && b`.
///
/// # Errors
/// [`KernelError::ShapeMismatch`] when the shapes do not broadcast or disagree with the slices.
pub fn logical_and(
    in1_shape: [usize; 4],
    in1: &[u8],
    in2_shape: [usize; 4],
    in2: &[u8],
    out_shape: [usize; 4],
    output: &mut [u8],
) -> Result<(), KernelError> {
    binary(in1_shape, in1, in2_shape, in2, out_shape, output, |a, b| {
        u8::from(a != 0 && b != 0)
    })
}

/// `a || b`.
///
/// # Errors
/// As [`logical_and`].
pub fn logical_or(
    in1_shape: [usize; 4],
    in1: &[u8],
    in2_shape: [usize; 4],
    in2: &[u8],
    out_shape: [usize; 4],
    output: &mut [u8],
) -> Result<(), KernelError> {
    binary(in1_shape, in1, in2_shape, in2, out_shape, output, |a, b| {
        u8::from(a != 0 || b != 0)
    })
}

/// `!a`.
///
/// # Errors
/// [`KernelError::ShapeMismatch`] when the slices differ in length.
pub fn logical_not(input: &[u8], output: &mut [u8]) -> Result<(), KernelError> {
    if input.len() != output.len() {
        return Err(KernelError::ShapeMismatch);
    }
    for (o, &x) in output.iter_mut().zip(input) {
        *o = u8::from(x == 0);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truth_tables_and_broadcast() {
        let mut out = [9u8; 4];
        logical_and(
            [1, 1, 1, 4],
            &[0, 1, 0, 2],
            [1, 1, 1, 4],
            &[0, 0, 1, 1],
            [1, 1, 1, 4],
            &mut out,
        )
        .unwrap();
        assert_eq!(out, [0, 0, 0, 1]);
        logical_or(
            [1, 1, 1, 4],
            &[0, 1, 0, 2],
            [1, 1, 1, 4],
            &[0, 0, 1, 1],
            [1, 1, 1, 4],
            &mut out,
        )
        .unwrap();
        assert_eq!(out, [0, 1, 1, 1]);
        logical_or(
            [1, 1, 2, 1],
            &[0, 1],
            [1, 1, 1, 2],
            &[0, 1],
            [1, 1, 2, 2],
            &mut out,
        )
        .unwrap();
        assert_eq!(out, [0, 1, 1, 1]);
        logical_not(&[0, 1, 7, 0], &mut out).unwrap();
        assert_eq!(out, [1, 0, 0, 1]);
        assert_eq!(logical_not(&[0], &mut out), Err(KernelError::ShapeMismatch));
    }
}
