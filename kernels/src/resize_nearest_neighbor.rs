//! RESIZE_NEAREST_NEIGHBOR on NHWC tensors (TFLM `reference_ops::ResizeNearestNeighbor`).
//!
//! The source row/column of output index `x` is computed in `f32` exactly as TFLM does:
//! `scale = in / out` (or `(in - 1) / (out - 1)` with `align_corners` and `out > 1`),
//! `v = (x + offset) * scale` with `offset = 0.5` under `half_pixel_centers`, then
//! `round(v)` (half away from zero) with `align_corners` or `floor(v)` without, capped at
//! `in - 1` and, under `half_pixel_centers`, floored at 0. Pure copies, so generic.

use crate::util::shape_len;
use crate::KernelError;

/// Options of a resize (RESIZE_NEAREST_NEIGHBOR and RESIZE_BILINEAR share them).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ResizeParams {
    /// Map the corner pixels' centres onto each other.
    pub align_corners: bool,
    /// Pixel centres at `+0.5`.
    pub half_pixel_centers: bool,
}

/// Largest height or width accepted, so that all index math stays exact and in range.
pub(crate) const RESIZE_LIMIT: usize = 1 << 20;

/// TFLM `GetNearestNeighbor`: the input index feeding output index `x`.
pub fn nearest_index(p: &ResizeParams, x: usize, in_size: usize, out_size: usize) -> usize {
    let scale = if p.align_corners && out_size > 1 {
        (in_size as i32 - 1) as f32 / (out_size as i32 - 1) as f32
    } else {
        in_size as i32 as f32 / out_size as i32 as f32
    };
    let offset = if p.half_pixel_centers { 0.5f32 } else { 0.0 };
    let v = (x as i32 as f32 + offset) * scale;
    let raw = if p.align_corners {
        libm::roundf(v) as i32
    } else {
        libm::floorf(v) as i32
    };
    let mut idx = raw.min(in_size as i32 - 1);
    if p.half_pixel_centers {
        idx = idx.max(0);
    }
    // Without half-pixel centres `v >= 0`; the cap keeps it below `in_size`.
    idx.max(0) as usize
}

/// Resizes `input` (`[batch, in_h, in_w, depth]`) into `output` (`[batch, out_h, out_w, depth]`).
pub fn resize_nearest_neighbor<T: Copy>(
    p: &ResizeParams,
    in_shape: [usize; 4],
    input: &[T],
    out_h: usize,
    out_w: usize,
    output: &mut [T],
) -> Result<(), KernelError> {
    let [batch, in_h, in_w, depth] = in_shape;
    if shape_len(&in_shape)? != input.len()
        || shape_len(&[batch, out_h, out_w, depth])? != output.len()
    {
        return Err(KernelError::ShapeMismatch);
    }
    for s in [in_h, in_w, out_h, out_w] {
        if s > RESIZE_LIMIT {
            return Err(KernelError::BadParams);
        }
    }
    if output.is_empty() {
        return Ok(());
    }
    if in_h == 0 || in_w == 0 {
        return Err(KernelError::ShapeMismatch);
    }
    let mut out = output.chunks_exact_mut(depth);
    for b in 0..batch {
        for y in 0..out_h {
            let iy = nearest_index(p, y, in_h, out_h);
            for x in 0..out_w {
                let ix = nearest_index(p, x, in_w, out_w);
                let at = ((b * in_h + iy) * in_w + ix) * depth;
                let src = input
                    .get(at..at + depth)
                    .ok_or(KernelError::ShapeMismatch)?;
                out.next()
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
    use proptest::prelude::*;

    #[test]
    fn known_indices() {
        let plain = ResizeParams::default();
        let half = ResizeParams {
            half_pixel_centers: true,
            ..plain
        };
        let align = ResizeParams {
            align_corners: true,
            ..plain
        };
        // 2 -> 4 (x2): plain floor(x / 2); half-pixel floor((x + .5) / 2).
        let v: Vec<usize> = (0..4).map(|x| nearest_index(&plain, x, 2, 4)).collect();
        assert_eq!(v, [0, 0, 1, 1]);
        let v: Vec<usize> = (0..4).map(|x| nearest_index(&half, x, 2, 4)).collect();
        assert_eq!(v, [0, 0, 1, 1]);
        // 3 -> 5 align corners: round(x * 0.5) = 0, 1 (0.5 rounds up), 1, 2 (1.5), 2.
        let v: Vec<usize> = (0..5).map(|x| nearest_index(&align, x, 3, 5)).collect();
        assert_eq!(v, [0, 1, 1, 2, 2]);
        // 5 -> 3 half-pixel: floor((x + .5) * 5/3) = 0, 2, 4.
        let v: Vec<usize> = (0..3).map(|x| nearest_index(&half, x, 5, 3)).collect();
        assert_eq!(v, [0, 2, 4]);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn copies_from_the_chosen_pixel(
            in_h in 1usize..6, in_w in 1usize..6, out_h in 1usize..9, out_w in 1usize..9,
            depth in 1usize..4, align in any::<bool>(), half in any::<bool>(),
        ) {
            let p = ResizeParams { align_corners: align, half_pixel_centers: half };
            let x: Vec<u32> = (0..(2 * in_h * in_w * depth) as u32).collect();
            let mut out = vec![0u32; 2 * out_h * out_w * depth];
            resize_nearest_neighbor(&p, [2, in_h, in_w, depth], &x, out_h, out_w, &mut out)
                .unwrap();
            for b in 0..2 {
                for y in 0..out_h {
                    for xx in 0..out_w {
                        // Plain formulation of the same rule (f32, as TFLM defines it).
                        let pick = |i: usize, n_in: usize, n_out: usize| {
                            let s = if align && n_out > 1 {
                                (n_in - 1) as f32 / (n_out - 1) as f32
                            } else {
                                n_in as f32 / n_out as f32
                            };
                            let v = (i as f32 + if half { 0.5 } else { 0.0 }) * s;
                            let r = if align { v.round() } else { v.floor() } as i64;
                            r.min(n_in as i64 - 1).max(0) as usize
                        };
                        let (iy, ix) = (pick(y, in_h, out_h), pick(xx, in_w, out_w));
                        for c in 0..depth {
                            prop_assert_eq!(
                                out[((b * out_h + y) * out_w + xx) * depth + c],
                                x[((b * in_h + iy) * in_w + ix) * depth + c]
                            );
                        }
                    }
                }
            }
        }
    }
}
