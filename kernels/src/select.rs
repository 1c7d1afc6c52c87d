//! SELECT_V2: `output = condition ? x : y` with the condition, `x` and `y` broadcast onto the
//! output over 4-D shapes (TFLM's `BroadcastSelect5DSlow` / `Select`, which visit the output in
//! row-major order). The condition is bools held as bytes (non-zero is true); `x` and `y` are
//! copied raw (TFLM never requantizes int8 or int16 here).

use crate::util::shape_len;
use crate::KernelError;

/// Element strides of a shape over the output (0 where the dimension is 1, so broadcast).
fn strides(s: [usize; 4]) -> [usize; 4] {
    let mut st = [0usize; 4];
    let mut acc = 1usize;
    for i in (0..4).rev() {
        st[i] = if s[i] == 1 { 0 } else { acc };
        // No overflow: the caller checked the product of `s` first.
        acc *= s[i];
    }
    st
}

/// `output[i] = cond[i'] != 0 ? x[i''] : y[i''']` over the broadcast of the three inputs.
///
/// # Errors
/// [`KernelError::ShapeMismatch`] when a shape does not broadcast onto the output (each
/// dimension 1 or the output's) or disagrees with its slice.
#[allow(clippy::too_many_arguments)]
pub fn select_v2<T: Copy>(
    cond_shape: [usize; 4],
    cond: &[u8],
    x_shape: [usize; 4],
    x: &[T],
    y_shape: [usize; 4],
    y: &[T],
    out_shape: [usize; 4],
    output: &mut [T],
) -> Result<(), KernelError> {
    let shapes = [cond_shape, x_shape, y_shape];
    let lens = [cond.len(), x.len(), y.len()];
    for (s, len) in shapes.iter().zip(lens) {
        if shape_len(s)? != len {
            return Err(KernelError::ShapeMismatch);
        }
        if s.iter().zip(&out_shape).any(|(&d, &o)| d != 1 && d != o) {
            return Err(KernelError::ShapeMismatch);
        }
    }
    if shape_len(&out_shape)? != output.len() {
        return Err(KernelError::ShapeMismatch);
    }
    if cond_shape == out_shape && x_shape == out_shape && y_shape == out_shape {
        for (((o, &c), &a), &b) in output.iter_mut().zip(cond).zip(x).zip(y) {
            *o = if c != 0 { a } else { b };
        }
        return Ok(());
    }
    let (sc, sx, sy) = (strides(cond_shape), strides(x_shape), strides(y_shape));
    let [d0, d1, d2, d3] = out_shape;
    let mut out = output.iter_mut();
    for i0 in 0..d0 {
        for i1 in 0..d1 {
            for i2 in 0..d2 {
                let at = |st: &[usize; 4]| i0 * st[0] + i1 * st[1] + i2 * st[2];
                let (c0, x0, y0) = (at(&sc), at(&sx), at(&sy));
                for i3 in 0..d3 {
                    let c = cond.get(c0 + i3 * sc[3]).copied().unwrap_or(0);
                    let v = if c != 0 {
                        x.get(x0 + i3 * sx[3])
                    } else {
                        y.get(y0 + i3 * sy[3])
                    };
                    if let (Some(o), Some(&v)) = (out.next(), v) {
                        *o = v;
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
    use crate::broadcast::testing::{coords, index};
    use proptest::prelude::*;

    #[test]
    fn broadcasts_and_errors() {
        // cond [2,1], x [1,3], y scalar -> [2,3].
        let mut out = [0i8; 6];
        select_v2(
            [1, 1, 2, 1],
            &[1, 0],
            [1, 1, 1, 3],
            &[1i8, 2, 3],
            [1; 4],
            &[-9],
            [1, 1, 2, 3],
            &mut out,
        )
        .unwrap();
        assert_eq!(out, [1, 2, 3, -9, -9, -9]);
        let r = select_v2(
            [1, 1, 2, 1],
            &[1, 0],
            [1, 1, 1, 2],
            &[1i8, 2],
            [1; 4],
            &[-9],
            [1, 1, 2, 3],
            &mut out,
        );
        assert_eq!(r, Err(KernelError::ShapeMismatch));
        let r = select_v2(
            [1; 4],
            &[1, 0],
            [1; 4],
            &[1i8],
            [1; 4],
            &[-9],
            [1; 4],
            &mut out[..1],
        );
        assert_eq!(r, Err(KernelError::ShapeMismatch));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        #[test]
        fn matches_naive(out in proptest::array::uniform4(1usize..=3), modes in proptest::array::uniform4(0u8..8), seed in any::<u64>()) {
            // Each dimension of each input is the output's or 1 (bit k of the mode: input k).
            let mut s = [out; 3];
            for i in 0..4 {
                for (k, sk) in s.iter_mut().enumerate() {
                    if modes[i] >> k & 1 == 1 {
                        sk[i] = 1;
                    }
                }
            }
            let n = |sh: [usize; 4]| sh.iter().product::<usize>();
            let cond: Vec<u8> = (0..n(s[0])).map(|i| ((seed >> (i % 64)) & 1) as u8).collect();
            let x: Vec<i32> = (0..n(s[1]) as i32).collect();
            let y: Vec<i32> = (0..n(s[2]) as i32).map(|v| -1 - v).collect();
            let mut got = vec![0i32; n(out)];
            select_v2(s[0], &cond, s[1], &x, s[2], &y, out, &mut got).unwrap();
            for (k, idx) in coords(out).into_iter().enumerate() {
                let want = if cond[index(s[0], idx)] != 0 { x[index(s[1], idx)] } else { y[index(s[2], idx)] };
                prop_assert_eq!(got[k], want);
            }
        }
    }
}
