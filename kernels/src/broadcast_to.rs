//! BROADCAST_TO and BROADCAST_ARGS, as TFLM's `reference_ops::BroadcastTo` (raw copies: every
//! output element is the input element at its coordinates, size-1 input dims repeated) and
//! `reference_ops::BroadcastArgs` (the broadcast of two shape vectors).

use crate::KernelError;

/// The most dims BROADCAST_TO takes (TFLM's `kMaxDims`).
pub const BROADCAST_TO_MAX_DIMS: usize = 5;

/// Copies `input` (`in_shape`, right-aligned against `out_shape`; each of its dims 1 or the
/// output's) into `output` (`out_shape`), repeating along the size-1 dims.
///
/// # Errors
/// [`KernelError::BadParams`] when the shapes do not broadcast or exceed
/// [`BROADCAST_TO_MAX_DIMS`] dims; [`KernelError::ShapeMismatch`] when a slice does not fit.
pub fn broadcast_to<E: Copy>(
    in_shape: &[usize],
    input: &[E],
    out_shape: &[usize],
    output: &mut [E],
) -> Result<(), KernelError> {
    const N: usize = BROADCAST_TO_MAX_DIMS;
    if out_shape.len() > N || in_shape.len() > out_shape.len() {
        return Err(KernelError::BadParams);
    }
    // Both shapes right-aligned into N dims; input strides 0 along broadcast dims.
    let (mut ins, mut outs) = ([1usize; N], [1usize; N]);
    for (o, &d) in ins.iter_mut().rev().zip(in_shape.iter().rev()) {
        *o = d;
    }
    for (o, &d) in outs.iter_mut().rev().zip(out_shape.iter().rev()) {
        *o = d;
    }
    let mut stride = [0usize; N];
    let (mut in_len, mut out_len) = (1usize, 1usize);
    for i in (0..N).rev() {
        let (Some(&di), Some(&dout), Some(s)) = (ins.get(i), outs.get(i), stride.get_mut(i)) else {
            return Err(KernelError::BadParams);
        };
        if di != dout && di != 1 {
            return Err(KernelError::BadParams);
        }
        *s = if di == 1 { 0 } else { in_len };
        in_len = in_len.checked_mul(di).ok_or(KernelError::ShapeMismatch)?;
        out_len = out_len
            .checked_mul(dout)
            .ok_or(KernelError::ShapeMismatch)?;
    }
    if input.len() != in_len || output.len() != out_len {
        return Err(KernelError::ShapeMismatch);
    }
    let mut coord = [0usize; N];
    for o in output.iter_mut() {
        let src: usize = coord.iter().zip(&stride).map(|(c, s)| c * s).sum();
        *o = *input.get(src).ok_or(KernelError::ShapeMismatch)?;
        for i in (0..N).rev() {
            if let (Some(c), Some(&n)) = (coord.get_mut(i), outs.get(i)) {
                *c += 1;
                if *c < n {
                    break;
                }
                *c = 0;
            }
        }
    }
    Ok(())
}

/// A shape-vector element: int32 or int64.
pub trait ShapeElem: Copy + PartialEq {
    /// TFLM reads each element into a C `int` (truncating int64).
    fn as_int(self) -> i32;
    /// And stores that `int` back.
    fn from_int(v: i32) -> Self;
}

impl ShapeElem for i32 {
    fn as_int(self) -> i32 {
        self
    }
    fn from_int(v: i32) -> Self {
        v
    }
}

impl ShapeElem for i64 {
    fn as_int(self) -> i32 {
        self as i32
    }
    fn from_int(v: i32) -> Self {
        i64::from(v)
    }
}

/// BROADCAST_ARGS: `output` (its own length; missing leading entries read as 1) is the
/// broadcast of shapes `a` and `b`, right-aligned.
///
/// # Errors
/// [`KernelError::BadParams`] when two entries differ and neither is 1 (TFLM aborts).
pub fn broadcast_args<T: ShapeElem>(a: &[T], b: &[T], output: &mut [T]) -> Result<(), KernelError> {
    let back = |s: &[T], i: usize| {
        s.len()
            .checked_sub(1 + i)
            .and_then(|k| s.get(k))
            .map_or(1, |v| v.as_int())
    };
    let n = output.len();
    for i in 0..n {
        let (x, y) = (back(a, i), back(b, i));
        let v = if x == 1 {
            y
        } else if y == 1 || x == y {
            x
        } else {
            return Err(KernelError::BadParams);
        };
        if let Some(o) = output.get_mut(n - 1 - i) {
            *o = T::from_int(v);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broadcasts() {
        let x = [1u8, 2, 3];
        let mut o = [0u8; 6];
        broadcast_to(&[3], &x, &[2, 3], &mut o).unwrap();
        assert_eq!(o, [1, 2, 3, 1, 2, 3]);
        broadcast_to(&[3, 1], &x, &[3, 2], &mut o).unwrap();
        assert_eq!(o, [1, 1, 2, 2, 3, 3]);
        assert_eq!(
            broadcast_to(&[3], &x, &[3, 2], &mut o),
            Err(KernelError::BadParams)
        );
        let mut s = [0i32; 3];
        broadcast_args(&[4, 1], &[2, 1, 5], &mut s).unwrap();
        assert_eq!(s, [2, 4, 5]);
        assert_eq!(
            broadcast_args(&[4, 3], &[2, 1, 5], &mut s),
            Err(KernelError::BadParams)
        );
        let mut s = [0i64; 2];
        broadcast_args(&[1i64 << 32 | 3], &[1], &mut s).unwrap();
        assert_eq!(s, [1, 3]);
    }
}
