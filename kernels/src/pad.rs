//! PAD / PADV2: copies an up-to-5-D tensor into a larger one and fills the border with one
//! value (TFLM `reference_ops::Pad`).
//!
//! The value is whatever the caller passes: for PAD TFLM uses 0 (float, int16, int32) or the
//! output zero point (int8); PADV2 takes its scalar third input as is. Being a pure copy the
//! kernel is generic over the element type.

use crate::util::shape_len;
use crate::KernelError;

/// Most dimensions PAD handles (TFLM's `PadKernelMaxDimensionCount`).
pub const PAD_MAX_DIMS: usize = 5;

/// Shapes of a pad, all right-aligned into [`PAD_MAX_DIMS`] dimensions (leading dims 1 and
/// unpadded).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PadParams {
    /// The input shape.
    pub in_shape: [usize; PAD_MAX_DIMS],
    /// Elements added before the input along each dimension.
    pub before: [usize; PAD_MAX_DIMS],
    /// Elements added after the input along each dimension.
    pub after: [usize; PAD_MAX_DIMS],
}

impl PadParams {
    /// The output shape `before + in + after`, or `ShapeMismatch` on overflow.
    pub fn out_shape(&self) -> Result<[usize; PAD_MAX_DIMS], KernelError> {
        let mut out = [0usize; PAD_MAX_DIMS];
        for (d, o) in out.iter_mut().enumerate() {
            *o = self.in_shape[d]
                .checked_add(self.before[d])
                .and_then(|v| v.checked_add(self.after[d]))
                .ok_or(KernelError::ShapeMismatch)?;
        }
        Ok(out)
    }
}

/// Pads `input` (shape `p.in_shape`) into `output` (shape [`PadParams::out_shape`]).
pub fn pad<T: Copy>(
    p: &PadParams,
    input: &[T],
    value: T,
    output: &mut [T],
) -> Result<(), KernelError> {
    let os = p.out_shape()?;
    if shape_len(&p.in_shape)? != input.len() || shape_len(&os)? != output.len() {
        return Err(KernelError::ShapeMismatch);
    }
    if output.is_empty() {
        return Ok(());
    }
    let is = p.in_shape;
    // Whether output coordinate `o` along dim `d` lies in the input's range.
    let inside = |d: usize, o: usize| o >= p.before[d] && o - p.before[d] < is[d];
    let row = os[4];
    let mut out_rows = output.chunks_exact_mut(row);
    for o0 in 0..os[0] {
        for o1 in 0..os[1] {
            for o2 in 0..os[2] {
                for o3 in 0..os[3] {
                    let dst = out_rows.next().ok_or(KernelError::ShapeMismatch)?;
                    if !(inside(0, o0) && inside(1, o1) && inside(2, o2) && inside(3, o3)) {
                        dst.fill(value);
                        continue;
                    }
                    let i = [
                        o0 - p.before[0],
                        o1 - p.before[1],
                        o2 - p.before[2],
                        o3 - p.before[3],
                    ];
                    let start = (((i[0] * is[1] + i[1]) * is[2] + i[2]) * is[3] + i[3]) * is[4];
                    let src = input
                        .get(start..start + is[4])
                        .ok_or(KernelError::ShapeMismatch)?;
                    let (head, rest) = dst.split_at_mut(p.before[4]);
                    let (mid, tail) = rest.split_at_mut(is[4]);
                    head.fill(value);
                    mid.copy_from_slice(src);
                    tail.fill(value);
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Output element by element from its coordinates.
    fn naive(p: &PadParams, input: &[i32], value: i32) -> Vec<i32> {
        let os = p.out_shape().unwrap();
        let mut out = Vec::new();
        for o0 in 0..os[0] {
            for o1 in 0..os[1] {
                for o2 in 0..os[2] {
                    for o3 in 0..os[3] {
                        for o4 in 0..os[4] {
                            let o = [o0, o1, o2, o3, o4];
                            let mut idx = 0usize;
                            let mut ok = true;
                            for d in 0..5 {
                                let c = o[d] as i64 - p.before[d] as i64;
                                if c < 0 || c >= p.in_shape[d] as i64 {
                                    ok = false;
                                }
                                idx = idx * p.in_shape[d] + c.max(0) as usize;
                            }
                            out.push(if ok { input[idx] } else { value });
                        }
                    }
                }
            }
        }
        out
    }

    #[test]
    fn pads_2d() {
        let p = PadParams {
            in_shape: [1, 1, 1, 2, 2],
            before: [0, 0, 0, 1, 0],
            after: [0, 0, 0, 0, 1],
        };
        let mut out = [0i8; 9];
        pad(&p, &[1, 2, 3, 4], -5, &mut out).unwrap();
        assert_eq!(out, [-5, -5, -5, 1, 2, -5, 3, 4, -5]);
        assert_eq!(
            pad(&p, &[1, 2, 3], -5, &mut out),
            Err(KernelError::ShapeMismatch)
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn matches_naive(
            dims in proptest::collection::vec(0usize..4, 5),
            before in proptest::collection::vec(0usize..3, 5),
            after in proptest::collection::vec(0usize..3, 5),
            value in any::<i32>(),
        ) {
            let p = PadParams {
                in_shape: [dims[0], dims[1], dims[2], dims[3], dims[4]],
                before: [before[0], before[1], before[2], before[3], before[4]],
                after: [after[0], after[1], after[2], after[3], after[4]],
            };
            let n: usize = dims.iter().product();
            let input: Vec<i32> = (0..n as i32).collect();
            let on: usize = p.out_shape().unwrap().iter().product();
            let mut out = vec![0i32; on];
            pad(&p, &input, value, &mut out).unwrap();
            prop_assert_eq!(out, naive(&p, &input, value));
        }
    }
}
