//! SignalDelay: delays each row of int16 samples by a fixed number of samples (TFLM
//! `signal/micro/kernels/delay.cc`). Stateful: per row, the last `delay` samples.

use crate::KernelError;

/// One row: `output` is the held `state` followed by `input`, cut to `input`'s length; the
/// rest becomes the new `state` (`delay` samples, all zero at first).
///
/// # Errors
/// [`KernelError::ShapeMismatch`] when `output` and `input` differ in length.
pub fn delay(state: &mut [i16], input: &[i16], output: &mut [i16]) -> Result<(), KernelError> {
    let (d, f) = (state.len(), input.len());
    if output.len() != f {
        return Err(KernelError::ShapeMismatch);
    }
    // The sequence state ++ input: the first f values out, the last d kept.
    let at = |i: usize| if i < d { state[i] } else { input[i - d] };
    for (i, o) in output.iter_mut().enumerate() {
        *o = at(i);
    }
    if f >= d {
        state.copy_from_slice(&input[f - d..]);
    } else {
        state.copy_within(f.., 0);
        state[d - f..].copy_from_slice(input);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_short_and_long() {
        let mut state = [0i16; 3];
        let mut out = [0i16; 4];
        delay(&mut state, &[1, 2, 3, 4], &mut out).unwrap();
        assert_eq!((out, state), ([0, 0, 0, 1], [2, 3, 4]));
        let mut out = [0i16; 2];
        delay(&mut state, &[5, 6], &mut out).unwrap();
        assert_eq!((out, state), ([2, 3], [4, 5, 6]));
    }
}
