//! SignalOverlapAdd: overlap-adds frames into a stream (TFLM
//! `signal/micro/kernels/overlap_add.cc`), int16 (saturating) or float32. Stateful: per row,
//! a `frame_size` accumulator (all zero at first).

use crate::KernelError;

/// An overlap-add sample type.
pub trait OverlapAddSample: Copy + Default {
    /// `a + b`: saturating for int16, IEEE for float32.
    fn add(a: Self, b: Self) -> Self;
}

impl OverlapAddSample for i16 {
    fn add(a: Self, b: Self) -> Self {
        a.saturating_add(b)
    }
}

impl OverlapAddSample for f32 {
    fn add(a: Self, b: Self) -> Self {
        a + b
    }
}

/// One row: for each frame of `input` (`frame_size = acc.len()` samples), adds it into
/// `acc`, emits `acc[..frame_step]` to `output`, shifts `acc` left by `frame_step` and zeroes
/// its tail.
///
/// # Errors
/// [`KernelError::BadParams`] when `frame_step` is 0 or above `frame_size`;
/// [`KernelError::ShapeMismatch`] when `input` is not whole frames or `output` not
/// `frame_step` per frame.
pub fn overlap_add<T: OverlapAddSample>(
    acc: &mut [T],
    frame_step: usize,
    input: &[T],
    output: &mut [T],
) -> Result<(), KernelError> {
    let n = acc.len();
    if frame_step == 0 || frame_step > n {
        return Err(KernelError::BadParams);
    }
    if !input.len().is_multiple_of(n) || output.len() != input.len() / n * frame_step {
        return Err(KernelError::ShapeMismatch);
    }
    for (frame, out) in input
        .chunks_exact(n)
        .zip(output.chunks_exact_mut(frame_step))
    {
        for (a, &x) in acc.iter_mut().zip(frame) {
            *a = T::add(*a, x);
        }
        out.copy_from_slice(&acc[..frame_step]);
        acc.copy_within(frame_step.., 0);
        acc[n - frame_step..].fill(T::default());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adds_and_saturates() {
        let mut acc = [0i16; 4];
        let mut out = [0i16; 4];
        overlap_add(&mut acc, 2, &[1, 2, 3, 4, 10, 20, 30, 32767], &mut out).unwrap();
        assert_eq!(out, [1, 2, 13, 24]);
        assert_eq!(acc, [30, 32767, 0, 0]);
        let mut acc = [0f32; 2];
        let mut out = [0f32; 1];
        overlap_add(&mut acc, 1, &[0.5, 0.25], &mut out).unwrap();
        assert_eq!((out, acc), ([0.5], [0.25, 0.0]));
    }
}
