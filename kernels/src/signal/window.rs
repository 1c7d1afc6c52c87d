//! SignalWindow: multiplies each row of int16 samples by int16 weights, shifts right and
//! saturates (TFLM `signal/src/window.cc`).

use crate::KernelError;

/// `output[r + i] = sat16((input[r + i] * weights[i]) >> shift)` for every row `r` of
/// `weights.len()` samples.
///
/// # Errors
/// [`KernelError::ShapeMismatch`] when `output` and `input` differ in length, `weights` is
/// empty or `input` is not a whole number of rows; [`KernelError::BadParams`] when `shift`
/// is not in `0..32`.
pub fn window(
    input: &[i16],
    weights: &[i16],
    shift: u32,
    output: &mut [i16],
) -> Result<(), KernelError> {
    if output.len() != input.len()
        || weights.is_empty()
        || !input.len().is_multiple_of(weights.len())
    {
        return Err(KernelError::ShapeMismatch);
    }
    if shift >= 32 {
        return Err(KernelError::BadParams);
    }
    for (out_row, in_row) in output
        .chunks_exact_mut(weights.len())
        .zip(input.chunks_exact(weights.len()))
    {
        for ((o, &x), &w) in out_row.iter_mut().zip(in_row).zip(weights) {
            let v = (i32::from(x) * i32::from(w)) >> shift;
            *o = v.clamp(i32::from(i16::MIN), i32::from(i16::MAX)) as i16;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_shift_and_saturation() {
        let mut out = [0i16; 6];
        window(
            &[100, -100, 32767, -32768, 7, 8],
            &[4096, 2048, 8192],
            12,
            &mut out,
        )
        .unwrap();
        // 100*4096>>12, -100*2048>>12 = -50, 32767*8192>>12 saturates; second row.
        assert_eq!(out, [100, -50, 32767, -32768, 3, 16]);
        assert_eq!(
            window(&[1, 2, 3], &[1, 1], 0, &mut [0; 3]),
            Err(KernelError::ShapeMismatch)
        );
        assert_eq!(
            window(&[1], &[1], 32, &mut [0]),
            Err(KernelError::BadParams)
        );
    }
}
