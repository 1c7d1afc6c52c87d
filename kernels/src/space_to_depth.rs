//! SPACE_TO_DEPTH: moves `block x block` patches of an NHWC tensor into the depth dimension
//! (TFLM `reference_ops::SpaceToDepth`): input `(b, y, x, c)` goes to output
//! `(b, y / block, x / block, ((y % block) * block + x % block) * depth + c)`.

use crate::util::shape_len;
use crate::KernelError;

/// The output shape `[b, h / block, w / block, d * block^2]`; `h` and `w` must divide.
pub fn space_to_depth_out_shape(
    in_shape: [usize; 4],
    block: usize,
) -> Result<[usize; 4], KernelError> {
    let [b, h, w, d] = in_shape;
    if block == 0 || h % block != 0 || w % block != 0 {
        return Err(KernelError::BadParams);
    }
    let depth = block
        .checked_mul(block)
        .and_then(|v| v.checked_mul(d))
        .ok_or(KernelError::BadParams)?;
    Ok([b, h / block, w / block, depth])
}

/// Rearranges `input` (`in_shape`) into `output`.
pub fn space_to_depth<T: Copy>(
    in_shape: [usize; 4],
    block: usize,
    input: &[T],
    output: &mut [T],
) -> Result<(), KernelError> {
    let os = space_to_depth_out_shape(in_shape, block)?;
    if shape_len(&in_shape)? != input.len() || shape_len(&os)? != output.len() {
        return Err(KernelError::ShapeMismatch);
    }
    let [batch, h, w, d] = in_shape;
    if d == 0 {
        return Ok(());
    }
    let mut rows = input.chunks_exact(d);
    for b in 0..batch {
        for y in 0..h {
            for x in 0..w {
                let src = rows.next().ok_or(KernelError::ShapeMismatch)?;
                let oc = ((y % block) * block + x % block) * d;
                let at = ((b * os[1] + y / block) * os[2] + x / block) * os[3] + oc;
                output
                    .get_mut(at..at + d)
                    .ok_or(KernelError::ShapeMismatch)?
                    .copy_from_slice(src);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::depth_to_space::depth_to_space;
    use proptest::prelude::*;

    #[test]
    fn two_by_two() {
        // [1, 2, 2, 1] -> [1, 1, 1, 4] in raster order.
        let mut out = [0i8; 4];
        space_to_depth([1, 2, 2, 1], 2, &[1, 2, 3, 4], &mut out).unwrap();
        assert_eq!(out, [1, 2, 3, 4]);
        assert_eq!(
            space_to_depth_out_shape([1, 3, 2, 1], 2),
            Err(KernelError::BadParams)
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn matches_naive_and_inverts(b in 1usize..3, hb in 1usize..3, wb in 1usize..3, d in 1usize..4, block in 1usize..4) {
            let is = [b, hb * block, wb * block, d];
            let n: usize = is.iter().product();
            let x: Vec<u32> = (0..n as u32).collect();
            let os = space_to_depth_out_shape(is, block).unwrap();
            let mut out = vec![0u32; n];
            space_to_depth(is, block, &x, &mut out).unwrap();
            for bb in 0..b { for y in 0..is[1] { for xx in 0..is[2] { for c in 0..d {
                let o = ((bb * os[1] + y / block) * os[2] + xx / block) * os[3]
                    + ((y % block) * block + xx % block) * d + c;
                prop_assert_eq!(out[o], x[((bb * is[1] + y) * is[2] + xx) * d + c]);
            }}}}
            let mut back = vec![0u32; n];
            depth_to_space(os, block, &out, &mut back).unwrap();
            prop_assert_eq!(back, x);
        }
    }
}
