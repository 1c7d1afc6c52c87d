//! SignalFramer: cuts a stream of int16 samples into overlapping frames (TFLM
//! `signal/micro/kernels/framer.cc` over its `CircularBuffer`). Stateful: each row keeps a
//! FIFO of samples between calls.

use crate::KernelError;

/// A FIFO of int16 samples kept by the caller between calls: `buf` (its capacity) and the
/// number of samples held *beyond the initial fill*, so that an all-zero state is the
/// initial state (an empty FIFO, or one pre-filled with zeros).
#[derive(Debug)]
pub struct Fifo<'a> {
    /// The samples, oldest first (`initial + extra` of them are valid).
    pub buf: &'a mut [i16],
    /// Samples held minus the initial fill (wrapping: it may be "negative").
    pub extra: &'a mut u32,
    /// Samples held in the initial state (zeros).
    pub initial: usize,
}

impl Fifo<'_> {
    /// Samples held.
    pub fn len(&self) -> usize {
        (self.initial as u32).wrapping_add(*self.extra) as usize
    }

    /// Whether the FIFO holds nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn set_len(&mut self, len: usize) {
        *self.extra = (len as u32).wrapping_sub(self.initial as u32);
    }

    /// Appends `xs`.
    ///
    /// # Errors
    /// [`KernelError::BadParams`] when they do not fit (TFLM only asserts).
    pub fn push(&mut self, xs: &[i16]) -> Result<(), KernelError> {
        let len = self.len();
        let end = len.checked_add(xs.len()).ok_or(KernelError::BadParams)?;
        let slot = self.buf.get_mut(len..end).ok_or(KernelError::BadParams)?;
        slot.copy_from_slice(xs);
        self.set_len(end);
        Ok(())
    }

    /// The oldest `n` samples, if held.
    pub fn peek(&self, n: usize) -> Option<&[i16]> {
        self.buf.get(..n).filter(|_| n <= self.len())
    }

    /// Drops the oldest `n` samples (all of them when fewer are held).
    pub fn drop_front(&mut self, n: usize) {
        let len = self.len().min(self.buf.len());
        let n = n.min(len);
        self.buf.copy_within(n..len, 0);
        self.set_len(len - n);
    }
}

/// The framer's options.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FramerParams {
    /// Samples per frame.
    pub frame_size: usize,
    /// Samples between frame starts.
    pub frame_step: usize,
    /// Whether the FIFO starts with `frame_size - frame_step` zeros.
    pub prefill: bool,
}

impl FramerParams {
    /// The FIFO capacity TFLM allocates: `ceil(frame_size / frame_step) * frame_step`.
    pub fn capacity(&self) -> usize {
        self.frame_size.div_ceil(self.frame_step.max(1)) * self.frame_step
    }

    /// Samples in a fresh FIFO.
    pub fn initial(&self) -> usize {
        if self.prefill {
            self.frame_size.saturating_sub(self.frame_step)
        } else {
            0
        }
    }
}

/// One row: pushes `input` (`n * frame_step` samples) step by step; after each step with at
/// least `frame_size` samples held, frame `f` of `output` (`n * frame_size`) gets the oldest
/// `frame_size` and `frame_step` are dropped. Returns whether every frame was written (frames
/// not written are left as they were, as in TFLM).
///
/// # Errors
/// [`KernelError::BadParams`] when `frame_size` or `frame_step` is 0 or the FIFO overflows
/// (the caller sizes it with [`FramerParams::capacity`]); [`KernelError::ShapeMismatch`] when `input` is not whole steps or
/// `output` does not have one frame per step.
pub fn framer(
    p: &FramerParams,
    fifo: &mut Fifo<'_>,
    input: &[i16],
    output: &mut [i16],
) -> Result<bool, KernelError> {
    if p.frame_step == 0 || p.frame_size == 0 {
        return Err(KernelError::BadParams);
    }
    if !input.len().is_multiple_of(p.frame_step)
        || output.len() != input.len() / p.frame_step * p.frame_size
    {
        return Err(KernelError::ShapeMismatch);
    }
    let mut valid = true;
    for (step, frame) in input
        .chunks_exact(p.frame_step)
        .zip(output.chunks_exact_mut(p.frame_size))
    {
        fifo.push(step)?;
        match fifo.peek(p.frame_size) {
            Some(f) => {
                frame.copy_from_slice(f);
                fifo.drop_front(p.frame_step);
            }
            None => valid = false,
        }
    }
    Ok(valid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_with_and_without_prefill() {
        let p = FramerParams {
            frame_size: 4,
            frame_step: 2,
            prefill: true,
        };
        let mut buf = [0i16; 4];
        let mut extra = 0u32;
        let mut fifo = Fifo {
            buf: &mut buf,
            extra: &mut extra,
            initial: p.initial(),
        };
        let mut out = [9i16; 8];
        assert!(framer(&p, &mut fifo, &[1, 2, 3, 4], &mut out).unwrap());
        assert_eq!(out, [0, 0, 1, 2, 1, 2, 3, 4]);
        assert!(framer(&p, &mut fifo, &[5, 6, 7, 8], &mut out).unwrap());
        assert_eq!(out, [3, 4, 5, 6, 5, 6, 7, 8]);

        let p = FramerParams {
            prefill: false,
            ..p
        };
        let (mut buf, mut extra) = ([0i16; 4], 0u32);
        let mut fifo = Fifo {
            buf: &mut buf,
            extra: &mut extra,
            initial: p.initial(),
        };
        let mut out = [9i16; 4];
        assert!(!framer(&p, &mut fifo, &[1, 2], &mut out).unwrap());
        assert_eq!(out, [9; 4]);
        assert!(framer(&p, &mut fifo, &[3, 4], &mut out).unwrap());
        assert_eq!(out, [1, 2, 3, 4]);
    }
}
