//! SignalStacker: stacks consecutive int16 frames with left and right context (TFLM
//! `signal/micro/kernels/stacker.cc`). Stateful: a FIFO of frames and a "first frame seen"
//! flag.

use super::framer::Fifo;
use crate::KernelError;

/// The stacker's options.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StackerParams {
    /// Values per frame.
    pub num_channels: usize,
    /// Frames of left context.
    pub left_context: usize,
    /// Frames of right context.
    pub right_context: usize,
    /// Frames dropped after each output.
    pub step: usize,
}

impl StackerParams {
    /// Values per output, and the FIFO capacity: `num_channels * (left + right + 1)`.
    pub fn output_len(&self) -> usize {
        self.num_channels * (self.left_context + self.right_context + 1)
    }
}

/// One frame: pushes `input` (on the first call after a reset, `left_context` more copies
/// of it, TFLM's left padding); when the FIFO is full, writes it to `output`, drops `step`
/// frames and returns `true`; otherwise leaves `output` as it was and returns `false`.
/// `first_seen` is the caller's flag (0 at first).
///
/// # Errors
/// [`KernelError::ShapeMismatch`] when `input` is not one frame or `output` not
/// [`StackerParams::output_len`]; [`KernelError::BadParams`] when `step` is 0 or the FIFO
/// overflows.
pub fn stacker(
    p: &StackerParams,
    fifo: &mut Fifo<'_>,
    first_seen: &mut u32,
    input: &[i16],
    output: &mut [i16],
) -> Result<bool, KernelError> {
    if input.len() != p.num_channels || output.len() != p.output_len() {
        return Err(KernelError::ShapeMismatch);
    }
    if p.step == 0 {
        return Err(KernelError::BadParams);
    }
    fifo.push(input)?;
    if *first_seen == 0 {
        for _ in 0..p.left_context {
            fifo.push(input)?;
        }
        *first_seen = 1;
    }
    match fifo.peek(output.len()) {
        Some(all) => {
            output.copy_from_slice(all);
            fifo.drop_front(p.num_channels * p.step);
            Ok(true)
        }
        None => Ok(false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pads_left_and_waits_for_right() {
        let p = StackerParams {
            num_channels: 2,
            left_context: 1,
            right_context: 1,
            step: 1,
        };
        let (mut buf, mut extra, mut first) = ([0i16; 6], 0u32, 0u32);
        let mut fifo = Fifo {
            buf: &mut buf,
            extra: &mut extra,
            initial: 0,
        };
        let mut out = [0i16; 6];
        assert!(!stacker(&p, &mut fifo, &mut first, &[1, 2], &mut out).unwrap());
        assert!(stacker(&p, &mut fifo, &mut first, &[3, 4], &mut out).unwrap());
        assert_eq!(out, [1, 2, 1, 2, 3, 4]);
        assert!(stacker(&p, &mut fifo, &mut first, &[5, 6], &mut out).unwrap());
        assert_eq!(out, [1, 2, 3, 4, 5, 6]);
    }
}
