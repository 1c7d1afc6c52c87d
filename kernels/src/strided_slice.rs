//! STRIDED_SLICE as TFLM runs it (`reference_ops::StridedSlice` with
//! `strided_slice::StridedSlicePadIndices`, `StridedSliceStartForAxis` and
//! `StridedSliceEndForAxis`), for inputs of up to 5 dimensions.
//!
//! TFLM builds its parameters with `ellipsis_mask` and `new_axis_mask` forced to 0 and without
//! the `offset` flag, so those options have no effect here either. Its prepare checks the
//! output shape with slightly different helpers (`StartForAxis` / `StopForAxis` and a float
//! `ceil`), reproduced by [`strided_slice_tflm_dims`]; [`strided_slice_ranges`] gives what eval
//! actually walks. The two can disagree (a shrunk axis whose index is out of range, or one
//! walked with a negative stride): callers should require both to match the output.

use crate::KernelError;

/// Most dimensions handled (TFLM pads every slice to 5).
pub const SLICE_MAX_DIMS: usize = 5;

/// A strided slice of a tensor of rank `rank` (only the first `rank` entries are used).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StridedSliceParams {
    /// Rank of the input, `0..=5`.
    pub rank: usize,
    /// Input shape.
    pub in_shape: [usize; SLICE_MAX_DIMS],
    /// The `begin` tensor.
    pub begin: [i32; SLICE_MAX_DIMS],
    /// The `end` tensor.
    pub end: [i32; SLICE_MAX_DIMS],
    /// The `strides` tensor (no zeros).
    pub strides: [i32; SLICE_MAX_DIMS],
    /// Bit `i` set: `begin[i]` is ignored (start from the first element in stride order).
    pub begin_mask: u32,
    /// Bit `i` set: `end[i]` is ignored (go to the last element in stride order).
    pub end_mask: u32,
    /// Bit `i` set: axis `i` takes one element and disappears from the output.
    pub shrink_axis_mask: u32,
}

/// What eval walks along one axis: `start`, `start + stride`, ... while not past `stop`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AxisWalk {
    /// First index.
    pub start: i64,
    /// Exclusive bound (in the stride's direction).
    pub stop: i64,
    /// Step, non-zero.
    pub stride: i64,
}

impl AxisWalk {
    /// Number of indices walked.
    pub fn count(&self) -> usize {
        let n = if self.stride > 0 {
            (self.stop - self.start + self.stride - 1) / self.stride
        } else {
            (self.start - self.stop + (-self.stride) - 1) / (-self.stride)
        };
        if n > 0 {
            n as usize
        } else {
            0
        }
    }
}

fn check(p: &StridedSliceParams) -> Result<(), KernelError> {
    if p.rank > SLICE_MAX_DIMS {
        return Err(KernelError::BadParams);
    }
    for d in 0..p.rank {
        if p.strides[d] == 0 || p.in_shape[d] > i32::MAX as usize {
            return Err(KernelError::BadParams);
        }
    }
    Ok(())
}

fn bit(mask: u32, axis: usize) -> bool {
    axis < 32 && mask & (1u32 << axis) != 0
}

fn clamp(v: i64, lo: i64, hi: i64) -> i64 {
    if hi < v {
        hi
    } else if v < lo {
        lo
    } else {
        v
    }
}

/// The walk along each of the 5 padded axes, as TFLM's eval computes it (leading padded
/// axes are `0..1`).
pub fn strided_slice_ranges(
    p: &StridedSliceParams,
) -> Result<[AxisWalk; SLICE_MAX_DIMS], KernelError> {
    check(p)?;
    let pad = SLICE_MAX_DIMS - p.rank;
    let mut walks = [AxisWalk {
        start: 0,
        stop: 1,
        stride: 1,
    }; SLICE_MAX_DIMS];
    for d in 0..p.rank {
        let size = p.in_shape[d] as i64;
        let stride = i64::from(p.strides[d]);
        let (lo, hi) = if stride > 0 {
            (0, size)
        } else {
            (-1, size - 1)
        };
        let mut start = i64::from(p.begin[d]);
        if start < 0 {
            start += size;
        }
        start = clamp(start, lo, hi);
        if bit(p.begin_mask, d) {
            start = if stride > 0 { 0 } else { size - 1 };
        }
        let stop = if bit(p.shrink_axis_mask, d) {
            if start >= size {
                start
            } else {
                start + 1
            }
        } else {
            let mut end = i64::from(p.end[d]);
            if end < 0 {
                end += size;
            }
            end = clamp(end, lo, hi);
            if bit(p.end_mask, d) {
                end = if stride > 0 { size } else { -1 };
            }
            end
        };
        walks[pad + d] = AxisWalk {
            start,
            stop,
            stride,
        };
    }
    Ok(walks)
}

/// The output dims TFLM's prepare (`CheckOutputSize`) expects, shrunk axes left out:
/// `(dims, count)`.
pub fn strided_slice_tflm_dims(
    p: &StridedSliceParams,
) -> Result<([usize; SLICE_MAX_DIMS], usize), KernelError> {
    check(p)?;
    let mut dims = [0usize; SLICE_MAX_DIMS];
    let mut n = 0;
    for d in 0..p.rank {
        let size = p.in_shape[d] as i64;
        let stride = i64::from(p.strides[d]);
        let (lo, hi) = if stride > 0 {
            (0, size)
        } else {
            (-1, size - 1)
        };
        let shrink = bit(p.shrink_axis_mask, d);
        // StartForAxis.
        let begin = if size == 0 {
            0
        } else {
            let mut s = i64::from(p.begin[d]);
            if bit(p.begin_mask, d) {
                s = if stride > 0 {
                    i64::from(i32::MIN)
                } else {
                    i64::from(i32::MAX)
                };
            }
            if s < 0 {
                s += size;
            }
            clamp(s, lo, hi)
        };
        // StopForAxis, then end = begin + 1 for a shrunk axis.
        let end = if shrink {
            begin + 1
        } else if size == 0 {
            0
        } else {
            let mut e = i64::from(p.end[d]);
            if bit(p.end_mask, d) {
                e = if stride > 0 {
                    i64::from(i32::MAX)
                } else {
                    i64::from(i32::MIN)
                };
            }
            if e < 0 {
                e += size;
            }
            clamp(e, lo, hi)
        };
        if !shrink {
            // ceil((end - begin) / (float)stride), as TFLM computes it.
            let q = libm::ceilf((end - begin) as i32 as f32 / stride as i32 as f32);
            dims[n] = if q > 0.0 { q as usize } else { 0 };
            n += 1;
        }
    }
    Ok((dims, n))
}

/// Number of elements eval writes.
pub fn strided_slice_len(p: &StridedSliceParams) -> Result<usize, KernelError> {
    let walks = strided_slice_ranges(p)?;
    let mut n: usize = 1;
    for w in walks.iter() {
        n = n.checked_mul(w.count()).ok_or(KernelError::ShapeMismatch)?;
    }
    Ok(n)
}

/// Runs the slice; `output.len()` must be [`strided_slice_len`].
pub fn strided_slice<T: Copy>(
    p: &StridedSliceParams,
    input: &[T],
    output: &mut [T],
) -> Result<(), KernelError> {
    let walks = strided_slice_ranges(p)?;
    let mut shape = [1usize; SLICE_MAX_DIMS];
    shape[SLICE_MAX_DIMS - p.rank..].copy_from_slice(&p.in_shape[..p.rank]);
    if crate::util::shape_len(&shape)? != input.len() || strided_slice_len(p)? != output.len() {
        return Err(KernelError::ShapeMismatch);
    }
    // Row-major strides of the padded input.
    let mut st = [1usize; SLICE_MAX_DIMS];
    for d in (0..SLICE_MAX_DIMS - 1).rev() {
        st[d] = st[d + 1] * shape[d + 1];
    }
    let idx = |w: &AxisWalk, k: usize| (w.start + k as i64 * w.stride) as usize;
    let [w0, w1, w2, w3, w4] = walks;
    let mut out = output.iter_mut();
    for k0 in 0..w0.count() {
        let b0 = idx(&w0, k0) * st[0];
        for k1 in 0..w1.count() {
            let b1 = b0 + idx(&w1, k1) * st[1];
            for k2 in 0..w2.count() {
                let b2 = b1 + idx(&w2, k2) * st[2];
                for k3 in 0..w3.count() {
                    let b3 = b2 + idx(&w3, k3) * st[3];
                    for k4 in 0..w4.count() {
                        let src = input
                            .get(b3 + idx(&w4, k4))
                            .ok_or(KernelError::ShapeMismatch)?;
                        *out.next().ok_or(KernelError::ShapeMismatch)? = *src;
                    }
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

    fn params(shape: &[usize], b: &[i32], e: &[i32], s: &[i32]) -> StridedSliceParams {
        let mut p = StridedSliceParams {
            rank: shape.len(),
            in_shape: [0; 5],
            begin: [0; 5],
            end: [0; 5],
            strides: [1; 5],
            begin_mask: 0,
            end_mask: 0,
            shrink_axis_mask: 0,
        };
        p.in_shape[..shape.len()].copy_from_slice(shape);
        p.begin[..b.len()].copy_from_slice(b);
        p.end[..e.len()].copy_from_slice(e);
        p.strides[..s.len()].copy_from_slice(s);
        p
    }

    #[test]
    fn reverse_and_step() {
        let x: Vec<i32> = (0..10).collect();
        // x[8:1:-3] = [8, 5, 2]
        let p = params(&[10], &[8], &[1], &[-3]);
        assert_eq!(strided_slice_len(&p), Ok(3));
        let mut out = [0; 3];
        strided_slice(&p, &x, &mut out).unwrap();
        assert_eq!(out, [8, 5, 2]);
        assert_eq!(strided_slice_tflm_dims(&p).unwrap().0[0], 3);
        // x[::-1] via masks, and x[-3:] with negative begin.
        let mut p = params(&[10], &[0], &[0], &[-1]);
        p.begin_mask = 1;
        p.end_mask = 1;
        let mut out = [0; 10];
        strided_slice(&p, &x, &mut out).unwrap();
        assert_eq!(out, [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
        let p = params(&[10], &[-3], &[100], &[1]);
        let mut out = [0; 3];
        strided_slice(&p, &x, &mut out).unwrap();
        assert_eq!(out, [7, 8, 9]);
    }

    #[test]
    fn shrink() {
        // x[1, ::2] of a [3, 4].
        let x: Vec<i32> = (0..12).collect();
        let mut p = params(&[3, 4], &[1, 0], &[2, 4], &[1, 2]);
        p.shrink_axis_mask = 1;
        let (dims, n) = strided_slice_tflm_dims(&p).unwrap();
        assert_eq!((dims[0], n), (2, 1));
        let mut out = [0; 2];
        strided_slice(&p, &x, &mut out).unwrap();
        assert_eq!(out, [4, 6]);
        // Negative shrink index.
        let mut p = params(&[3, 4], &[-1, 0], &[0, 4], &[1, 1]);
        p.shrink_axis_mask = 1;
        let mut out = [0; 4];
        strided_slice(&p, &x, &mut out).unwrap();
        assert_eq!(out, [8, 9, 10, 11]);
        // A shrunk axis walked backwards writes nothing in TFLM's eval.
        let mut p = params(&[3, 4], &[1, 0], &[2, 4], &[-1, 1]);
        p.shrink_axis_mask = 1;
        assert_eq!(strided_slice_len(&p), Ok(0));
        assert_eq!(strided_slice_tflm_dims(&p).unwrap().1, 1);
    }

    #[test]
    fn bad_params() {
        let p = params(&[3], &[0], &[3], &[0]);
        assert_eq!(strided_slice_len(&p), Err(KernelError::BadParams));
        let mut out = [0i8; 2];
        let p = params(&[3], &[0], &[3], &[1]);
        assert_eq!(
            strided_slice(&p, &[1, 2, 3], &mut out),
            Err(KernelError::ShapeMismatch)
        );
    }

    /// Python-style slicing semantics per axis (the TensorFlow definition).
    fn python_indices(size: i64, b: i64, e: i64, s: i64, bm: bool, em: bool) -> Vec<i64> {
        let (lo, hi) = if s > 0 { (0, size) } else { (-1, size - 1) };
        let norm = |v: i64| if v < 0 { v + size } else { v };
        let start = if bm {
            if s > 0 {
                0
            } else {
                size - 1
            }
        } else {
            norm(b).clamp(lo, hi)
        };
        let stop = if em {
            if s > 0 {
                size
            } else {
                -1
            }
        } else {
            norm(e).clamp(lo, hi)
        };
        let mut v = Vec::new();
        let mut i = start;
        while (s > 0 && i < stop) || (s < 0 && i > stop) {
            v.push(i);
            i += s;
        }
        v
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]
        #[test]
        fn matches_python_slicing(
            shape in proptest::collection::vec(1usize..5, 1..5),
            b in proptest::collection::vec(-6i32..6, 5),
            e in proptest::collection::vec(-6i32..6, 5),
            s in proptest::collection::vec(prop_oneof![-3i32..=-1, 1i32..=3], 5),
            bm in 0u32..32, em in 0u32..32,
        ) {
            let r = shape.len();
            let mut p = params(&shape, &b[..r], &e[..r], &s[..r]);
            p.begin_mask = bm;
            p.end_mask = em;
            let axes: Vec<Vec<i64>> = (0..r)
                .map(|d| python_indices(shape[d] as i64, b[d] as i64, e[d] as i64, s[d] as i64,
                                        bm & (1 << d) != 0, em & (1 << d) != 0))
                .collect();
            let n: usize = shape.iter().product();
            let x: Vec<i32> = (0..n as i32).collect();
            let len = strided_slice_len(&p).unwrap();
            prop_assert_eq!(len, axes.iter().map(|a| a.len()).product::<usize>());
            let (dims, nd) = strided_slice_tflm_dims(&p).unwrap();
            prop_assert_eq!(nd, r);
            for d in 0..r {
                prop_assert_eq!(dims[d], axes[d].len());
            }
            let mut out = vec![0; len];
            strided_slice(&p, &x, &mut out).unwrap();
            // Expected: cartesian product in row-major order.
            let mut want = vec![0i64];
            for d in 0..r {
                let mut next = Vec::new();
                for &base in &want {
                    for &i in &axes[d] {
                        next.push(base * shape[d] as i64 + i);
                    }
                }
                want = next;
            }
            let want: Vec<i32> = want.iter().map(|&i| i as i32).collect();
            prop_assert_eq!(out, want);
        }
    }
}
