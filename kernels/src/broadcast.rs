//! Elementwise broadcasting over 4-D shapes, shared by the binary kernels (ADD, SUB, MUL,
//! MAXIMUM, MINIMUM, PRELU).
//!
//! Callers left-pad lower ranks with 1s (TFLM's `RuntimeShape::ExtendedShape(4, ..)`). A
//! dimension broadcasts when it is 1 on one side; otherwise both inputs must match the
//! output, as TFLM's `NdArrayDescsForElementwiseBroadcast` walk requires. The output is
//! visited in row-major order, which is the order TFLM's `*4DSlow` loops write it in.

use crate::util::shape_len;
use crate::KernelError;

/// Per-dimension element strides of each input over the output (0 where broadcast).
pub(crate) struct Broadcast {
    out: [usize; 4],
    s1: [usize; 4],
    s2: [usize; 4],
    same: bool,
}

/// Validates the shapes against the slice lengths and computes the strides.
pub(crate) fn broadcast(
    a: [usize; 4],
    a_len: usize,
    b: [usize; 4],
    b_len: usize,
    out: [usize; 4],
    out_len: usize,
) -> Result<Broadcast, KernelError> {
    if shape_len(&a)? != a_len || shape_len(&b)? != b_len || shape_len(&out)? != out_len {
        return Err(KernelError::ShapeMismatch);
    }
    for i in 0..4 {
        let ok = (a[i] == out[i] || a[i] == 1)
            && (b[i] == out[i] || b[i] == 1)
            && (a[i] == out[i] || b[i] == out[i]);
        if !ok {
            return Err(KernelError::ShapeMismatch);
        }
    }
    // No overflow: each running product is bounded by a checked shape length above.
    let strides = |s: [usize; 4]| {
        let mut st = [0usize; 4];
        let mut acc = 1usize;
        for i in (0..4).rev() {
            st[i] = if s[i] == 1 { 0 } else { acc };
            acc *= s[i];
        }
        st
    };
    Ok(Broadcast {
        out,
        s1: strides(a),
        s2: strides(b),
        same: a == b,
    })
}

/// Walks the output in order, calling `f(out_index, in1_index, in2_index)`.
///
/// Every index is within the lengths checked by [`broadcast`].
#[inline]
pub(crate) fn for_each(bc: &Broadcast, mut f: impl FnMut(usize, usize, usize)) {
    let [d0, d1, d2, d3] = bc.out;
    let mut o = 0;
    for i0 in 0..d0 {
        let (a0, b0) = (i0 * bc.s1[0], i0 * bc.s2[0]);
        for i1 in 0..d1 {
            let (a1, b1) = (a0 + i1 * bc.s1[1], b0 + i1 * bc.s2[1]);
            for i2 in 0..d2 {
                let (a2, b2) = (a1 + i2 * bc.s1[2], b1 + i2 * bc.s2[2]);
                for i3 in 0..d3 {
                    f(o, a2 + i3 * bc.s1[3], b2 + i3 * bc.s2[3]);
                    o += 1;
                }
            }
        }
    }
}

/// `out[i] = f(a[i'], b[i''])` over the broadcast of `a` and `b` onto `out_shape`.
#[inline]
pub(crate) fn binary<A: Copy, B: Copy, O>(
    a_shape: [usize; 4],
    a: &[A],
    b_shape: [usize; 4],
    b: &[B],
    out_shape: [usize; 4],
    out: &mut [O],
    mut f: impl FnMut(A, B) -> O,
) -> Result<(), KernelError> {
    let bc = broadcast(a_shape, a.len(), b_shape, b.len(), out_shape, out.len())?;
    if bc.same {
        for ((o, &x), &y) in out.iter_mut().zip(a).zip(b) {
            *o = f(x, y);
        }
    } else {
        for_each(&bc, |o, i, j| {
            if let (Some(slot), Some(&x), Some(&y)) = (out.get_mut(o), a.get(i), b.get(j)) {
                *slot = f(x, y);
            }
        });
    }
    Ok(())
}

/// Test helpers: shape strategies and a naive broadcast index.
#[cfg(test)]
pub(crate) mod testing {
    use proptest::prelude::*;

    /// `(a, b, out)` shapes where each dimension of `a` or `b` is either the output's or 1.
    pub fn shapes() -> impl Strategy<Value = ([usize; 4], [usize; 4], [usize; 4])> {
        (
            proptest::array::uniform4(1usize..=3),
            proptest::array::uniform4(0u8..3),
        )
            .prop_map(|(out, mode)| {
                let mut a = out;
                let mut b = out;
                for i in 0..4 {
                    match mode[i] {
                        1 => a[i] = 1,
                        2 => b[i] = 1,
                        _ => {}
                    }
                }
                (a, b, out)
            })
    }

    /// The flat index into a tensor of `shape` read at output coordinate `idx`.
    pub fn index(shape: [usize; 4], idx: [usize; 4]) -> usize {
        let mut o = 0;
        for i in 0..4 {
            o = o * shape[i] + if shape[i] == 1 { 0 } else { idx[i] };
        }
        o
    }

    /// All output coordinates of `out` in row-major order.
    pub fn coords(out: [usize; 4]) -> Vec<[usize; 4]> {
        let mut v = Vec::new();
        for i0 in 0..out[0] {
            for i1 in 0..out[1] {
                for i2 in 0..out[2] {
                    for i3 in 0..out[3] {
                        v.push([i0, i1, i2, i3]);
                    }
                }
            }
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::testing::*;
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn rejects_bad_shapes() {
        let mut out = [0i32; 6];
        let r = binary(
            [1, 1, 2, 2],
            &[0i32; 4],
            [1, 1, 1, 3],
            &[0i32; 3],
            [1, 1, 2, 3],
            &mut out,
            |a, b| a + b,
        );
        assert_eq!(r, Err(KernelError::ShapeMismatch));
        let r = binary(
            [1, 1, 1, 1],
            &[0i32; 1],
            [1, 1, 1, 1],
            &[0i32; 1],
            [1, 1, 2, 3],
            &mut out,
            |a, b| a + b,
        );
        assert_eq!(r, Err(KernelError::ShapeMismatch));
        let r = binary(
            [1, 1, 2, 3],
            &[0i32; 5],
            [1, 1, 2, 3],
            &[0i32; 6],
            [1, 1, 2, 3],
            &mut out,
            |a, b| a + b,
        );
        assert_eq!(r, Err(KernelError::ShapeMismatch));
        let r = binary(
            [usize::MAX, 2, 1, 1],
            &[0i32; 0],
            [1, 1, 1, 1],
            &[0i32; 1],
            [1, 1, 1, 1],
            &mut out[..1],
            |a, b| a + b,
        );
        assert_eq!(r, Err(KernelError::ShapeMismatch));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn pairs_match_naive_indexing((a, b, out) in shapes()) {
            let na: usize = a.iter().product();
            let nb: usize = b.iter().product();
            let xa: Vec<usize> = (0..na).collect();
            let xb: Vec<usize> = (0..nb).collect();
            let mut got = vec![(0usize, 0usize); out.iter().product()];
            binary(a, &xa, b, &xb, out, &mut got, |i, j| (i, j)).unwrap();
            for (k, idx) in coords(out).into_iter().enumerate() {
                prop_assert_eq!(got[k], (index(a, idx), index(b, idx)));
            }
        }
    }
}
