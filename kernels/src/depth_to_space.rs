//! DEPTH_TO_SPACE: the inverse of SPACE_TO_DEPTH (TFLM `reference_ops::DepthToSpace`, "DCR"
//! order): output `(b, y, x, c)` reads input
//! `(b, y / block, x / block, ((y % block) * block + x % block) * out_depth + c)`.

use crate::util::shape_len;
use crate::KernelError;

/// The output shape `[b, h * block, w * block, d / block^2]`; `d` must divide.
pub fn depth_to_space_out_shape(
    in_shape: [usize; 4],
    block: usize,
) -> Result<[usize; 4], KernelError> {
    let [b, h, w, d] = in_shape;
    let bb = block.checked_mul(block).ok_or(KernelError::BadParams)?;
    if block == 0 || d % bb != 0 {
        return Err(KernelError::BadParams);
    }
    let oh = h.checked_mul(block).ok_or(KernelError::BadParams)?;
    let ow = w.checked_mul(block).ok_or(KernelError::BadParams)?;
    Ok([b, oh, ow, d / bb])
}

/// Rearranges `input` (`in_shape`) into `output`.
pub fn depth_to_space<T: Copy>(
    in_shape: [usize; 4],
    block: usize,
    input: &[T],
    output: &mut [T],
) -> Result<(), KernelError> {
    let os = depth_to_space_out_shape(in_shape, block)?;
    if shape_len(&in_shape)? != input.len() || shape_len(&os)? != output.len() {
        return Err(KernelError::ShapeMismatch);
    }
    let [batch, oh, ow, od] = os;
    if od == 0 {
        return Ok(());
    }
    let mut rows = output.chunks_exact_mut(od);
    for b in 0..batch {
        for y in 0..oh {
            for x in 0..ow {
                let dst = rows.next().ok_or(KernelError::ShapeMismatch)?;
                let ic = ((y % block) * block + x % block) * od;
                let at =
                    ((b * in_shape[1] + y / block) * in_shape[2] + x / block) * in_shape[3] + ic;
                dst.copy_from_slice(input.get(at..at + od).ok_or(KernelError::ShapeMismatch)?);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn two_by_two() {
        // [1, 1, 1, 8] -> [1, 2, 2, 2].
        let x: Vec<i8> = (0..8).collect();
        let mut out = [0i8; 8];
        depth_to_space([1, 1, 1, 8], 2, &x, &mut out).unwrap();
        assert_eq!(out, [0, 1, 2, 3, 4, 5, 6, 7]);
        assert_eq!(
            depth_to_space_out_shape([1, 1, 1, 6], 2),
            Err(KernelError::BadParams)
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn matches_naive(b in 1usize..3, h in 1usize..3, w in 1usize..3, od in 1usize..3, block in 1usize..4) {
            let is = [b, h, w, od * block * block];
            let n: usize = is.iter().product();
            let x: Vec<u16> = (0..n as u16).collect();
            let os = depth_to_space_out_shape(is, block).unwrap();
            let mut out = vec![0u16; n];
            depth_to_space(is, block, &x, &mut out).unwrap();
            for bb in 0..b { for y in 0..os[1] { for xx in 0..os[2] { for c in 0..od {
                let i = ((bb * h + y / block) * w + xx / block) * is[3]
                    + ((y % block) * block + xx % block) * od + c;
                prop_assert_eq!(out[((bb * os[1] + y) * os[2] + xx) * od + c], x[i]);
            }}}}
        }
    }
}
