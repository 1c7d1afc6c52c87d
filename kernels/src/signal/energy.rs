//! SignalEnergy: the squared magnitude of complex int16 bins (TFLM `signal/src/energy.cc`).

use crate::KernelError;

/// `output[i] = re*re + im*im` (wrapping 32-bit, as uint32) for `start <= i < end`, where
/// bin `i` is `input[2i], input[2i+1]`. Bins outside `[start, end)` are not written, as in
/// TFLM.
///
/// # Errors
/// [`KernelError::BadParams`] when `start > end`; [`KernelError::ShapeMismatch`] when `end`
/// is past `output` or bin `end - 1` is past `input`.
pub fn energy(
    input: &[i16],
    start: usize,
    end: usize,
    output: &mut [u32],
) -> Result<(), KernelError> {
    if start > end {
        return Err(KernelError::BadParams);
    }
    if end > output.len() || end > input.len() / 2 {
        return Err(KernelError::ShapeMismatch);
    }
    for (o, c) in output[start..end]
        .iter_mut()
        .zip(input[2 * start..2 * end].chunks_exact(2))
    {
        let (re, im) = (i32::from(c[0]), i32::from(c[1]));
        *o = (re * re).wrapping_add(im * im) as u32;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_in_range_only() {
        let mut out = [7u32; 4];
        energy(&[1, 2, 3, 4, -32768, -32768, 5, 5], 1, 3, &mut out).unwrap();
        assert_eq!(out, [7, 25, 1 << 31, 7]);
        assert_eq!(
            energy(&[0; 4], 0, 3, &mut [0; 3]),
            Err(KernelError::ShapeMismatch)
        );
        assert_eq!(
            energy(&[0; 4], 2, 1, &mut [0; 3]),
            Err(KernelError::BadParams)
        );
    }
}
