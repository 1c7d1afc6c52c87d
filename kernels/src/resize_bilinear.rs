//! RESIZE_BILINEAR on NHWC tensors (TFLM `reference_ops::ResizeBilinear` for float32 and
//! `ResizeBilinearInteger` for int8).
//!
//! Float: per output coordinate, `v = x * scale` (or `(x + 0.5) * scale - 0.5` with
//! half-pixel centres), `lo = max(floor(v), 0)`, `hi = min(ceil(v), in - 1)`, and the four
//! neighbours weighted by `1 - (v - lo)` / `(v - lo)`, summed in TFLM's order in `f32`.
//!
//! int8: the same on a 10-bit fixed-point grid: `scale_10 = round(1024 * in / out)` (integer
//! division with `out / 2` added), `v = x * scale_10` (plus `scale_10 / 2 - 512` with
//! half-pixel centres), `lo = max(v / 1024, 0)`, `hi = min((v + 1023) / 1024, in - 1)` (C
//! division, truncating), weights in units of 1/1024, the 20-bit sum rounded half away from
//! zero (`(s ± 2^19) / 2^20`, TFLM built without `TFLITE_SINGLE_ROUNDING`). Raw values are
//! interpolated: input and output quantization are taken to be equal, as TFLM does.

use crate::resize_nearest_neighbor::{ResizeParams, RESIZE_LIMIT};
use crate::util::shape_len;
use crate::KernelError;

fn check(
    in_shape: [usize; 4],
    in_len: usize,
    out_h: usize,
    out_w: usize,
    out_len: usize,
) -> Result<bool, KernelError> {
    let [batch, in_h, in_w, depth] = in_shape;
    if shape_len(&in_shape)? != in_len || shape_len(&[batch, out_h, out_w, depth])? != out_len {
        return Err(KernelError::ShapeMismatch);
    }
    for s in [in_h, in_w, out_h, out_w] {
        if s > RESIZE_LIMIT {
            return Err(KernelError::BadParams);
        }
    }
    if out_len == 0 {
        return Ok(false);
    }
    if in_h == 0 || in_w == 0 {
        return Err(KernelError::ShapeMismatch);
    }
    Ok(true)
}

/// Float source coordinate and its two neighbours (TFLM `ComputeInterpolationValues`).
fn interp_f32(x: usize, scale: f32, half: bool, in_size: usize) -> (f32, usize, usize) {
    let value = x as i32 as f32;
    let v = if half {
        (value + 0.5) * scale - 0.5
    } else {
        value * scale
    };
    let lo = (libm::floorf(v) as i32).max(0);
    let hi = (libm::ceilf(v) as i32).min(in_size as i32 - 1);
    // `lo <= in - 1` always holds here; the cap only guards the index.
    (
        v,
        lo.min(in_size as i32 - 1).max(0) as usize,
        hi.max(0) as usize,
    )
}

fn scale_f32(align: bool, in_size: usize, out_size: usize) -> f32 {
    if align && out_size > 1 {
        (in_size as i32 - 1) as f32 / (out_size as i32 - 1) as f32
    } else {
        in_size as i32 as f32 / out_size as i32 as f32
    }
}

/// Float32 bilinear resize of `input` (`[batch, in_h, in_w, depth]`) into `output`
/// (`[batch, out_h, out_w, depth]`).
pub fn resize_bilinear_f32(
    p: &ResizeParams,
    in_shape: [usize; 4],
    input: &[f32],
    out_h: usize,
    out_w: usize,
    output: &mut [f32],
) -> Result<(), KernelError> {
    if !check(in_shape, input.len(), out_h, out_w, output.len())? {
        return Ok(());
    }
    let [batch, in_h, in_w, depth] = in_shape;
    let hs = scale_f32(p.align_corners, in_h, out_h);
    let ws = scale_f32(p.align_corners, in_w, out_w);
    let at = |b: usize, y: usize, x: usize, c: usize| ((b * in_h + y) * in_w + x) * depth + c;
    let mut out = output.iter_mut();
    for b in 0..batch {
        for y in 0..out_h {
            let (iy, y0, y1) = interp_f32(y, hs, p.half_pixel_centers, in_h);
            let dy = iy - y0 as i32 as f32;
            for x in 0..out_w {
                let (ix, x0, x1) = interp_f32(x, ws, p.half_pixel_centers, in_w);
                let dx = ix - x0 as i32 as f32;
                for c in 0..depth {
                    let get = |yy: usize, xx: usize| input.get(at(b, yy, xx, c)).copied();
                    let (v00, v10, v01, v11) =
                        match (get(y0, x0), get(y1, x0), get(y0, x1), get(y1, x1)) {
                            (Some(a), Some(b), Some(c), Some(d)) => (a, b, c, d),
                            _ => return Err(KernelError::ShapeMismatch),
                        };
                    let v = v00 * (1.0 - dy) * (1.0 - dx)
                        + v10 * dy * (1.0 - dx)
                        + v01 * (1.0 - dy) * dx
                        + v11 * dy * dx
                        + 0.0;
                    *out.next().ok_or(KernelError::ShapeMismatch)? = v;
                }
            }
        }
    }
    Ok(())
}

/// The 10-bit fixed-point scale of one axis.
fn scale_10(align: bool, in_size: usize, out_size: usize) -> i64 {
    let (i, o) = if align && out_size > 1 {
        (in_size as i64 - 1, out_size as i64 - 1)
    } else {
        (in_size as i64, out_size as i64)
    };
    ((1 << 10) * i + o / 2) / o
}

/// Fixed-point source coordinate and its neighbours (TFLM `ComputeInterpolationValuesInteger`).
fn interp_10(x: usize, scale: i64, half: bool, in_size: usize) -> (i64, usize, usize) {
    let v = if half {
        x as i64 * scale + scale / 2 - (1 << 9)
    } else {
        x as i64 * scale
    };
    // i64 division truncates toward zero, as C's int division does.
    let lo = (v / (1 << 10)).max(0);
    let hi = ((v + (1 << 10) - 1) / (1 << 10)).min(in_size as i64 - 1);
    // TFLM does not cap `lo`: when `scale_10` rounds up (e.g. 1 -> 75 pixels) the last
    // outputs' `lo` reaches `in` and TFLM reads past the row. Capping it reads the last
    // pixel instead (the weights still sum to 1024 on it).
    (v, lo.min(in_size as i64 - 1) as usize, hi.max(0) as usize)
}

/// int8 bilinear resize (TFLM's integer-only path).
pub fn resize_bilinear_int8(
    p: &ResizeParams,
    in_shape: [usize; 4],
    input: &[i8],
    out_h: usize,
    out_w: usize,
    output: &mut [i8],
) -> Result<(), KernelError> {
    if !check(in_shape, input.len(), out_h, out_w, output.len())? {
        return Ok(());
    }
    let [batch, in_h, in_w, depth] = in_shape;
    let hs = scale_10(p.align_corners, in_h, out_h);
    let ws = scale_10(p.align_corners, in_w, out_w);
    let at = |b: usize, y: usize, x: usize, c: usize| ((b * in_h + y) * in_w + x) * depth + c;
    let one: i64 = 1 << 10;
    let mut out = output.iter_mut();
    for b in 0..batch {
        for y in 0..out_h {
            let (iy, y0, y1) = interp_10(y, hs, p.half_pixel_centers, in_h);
            let fy = iy - one * y0 as i64;
            for x in 0..out_w {
                let (ix, x0, x1) = interp_10(x, ws, p.half_pixel_centers, in_w);
                let fx = ix - one * x0 as i64;
                for c in 0..depth {
                    let get =
                        |yy: usize, xx: usize| input.get(at(b, yy, xx, c)).map(|&v| i64::from(v));
                    let (v00, v10, v01, v11) =
                        match (get(y0, x0), get(y1, x0), get(y0, x1), get(y1, x1)) {
                            (Some(a), Some(b), Some(c), Some(d)) => (a, b, c, d),
                            _ => return Err(KernelError::ShapeMismatch),
                        };
                    let sum = v00 * (one - fy) * (one - fx)
                        + v10 * fy * (one - fx)
                        + v01 * (one - fy) * fx
                        + v11 * fy * fx;
                    let round = if sum > 0 { 1i64 << 19 } else { -(1i64 << 19) };
                    // static_cast<int8_t>: the value is always in range (a convex mix).
                    *out.next().ok_or(KernelError::ShapeMismatch)? =
                        ((sum + round) / (1 << 20)) as i8;
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::close;
    use proptest::prelude::*;

    #[test]
    fn upsample_2x_plain() {
        // [1, 1, 2, 1] -> [1, 1, 4, 1], no flags: x * 0.5 -> 0, .5, 1, 1.5 (clamped to 1).
        let p = ResizeParams::default();
        let mut out = [0.0f32; 4];
        resize_bilinear_f32(&p, [1, 1, 2, 1], &[0.0, 1.0], 1, 4, &mut out).unwrap();
        assert_eq!(out, [0.0, 0.5, 1.0, 1.0]);
        let mut out = [0i8; 4];
        resize_bilinear_int8(&p, [1, 1, 2, 1], &[0, 100], 1, 4, &mut out).unwrap();
        assert_eq!(out, [0, 50, 100, 100]);
        // Half-pixel on int8 with negative values: -0.25 -> weights extrapolate at the edge
        // onto the same pixel.
        let p = ResizeParams {
            half_pixel_centers: true,
            ..p
        };
        let mut out = [0i8; 4];
        resize_bilinear_int8(&p, [1, 1, 2, 1], &[-100, 101], 1, 4, &mut out).unwrap();
        // v = x*512 + 256 - 512: -256 (edge: -100), 256 (0.25: -49.75 -> -50), 768 (0.75:
        // 50.75 -> 51), 1280 (clamped to pixel 1: 101).
        assert_eq!(out, [-100, -50, 51, 101]);
    }

    /// Plain f64 bilinear sampling with the same grid (coordinates from the f32 rule).
    fn naive_f32(p: &ResizeParams, s: [usize; 4], x: &[f32], oh: usize, ow: usize) -> Vec<f32> {
        let [n, ih, iw, d] = s;
        let hs = scale_f32(p.align_corners, ih, oh);
        let ws = scale_f32(p.align_corners, iw, ow);
        let mut out = Vec::new();
        for b in 0..n {
            for y in 0..oh {
                let (vy, y0, y1) = interp_f32(y, hs, p.half_pixel_centers, ih);
                for xx in 0..ow {
                    let (vx, x0, x1) = interp_f32(xx, ws, p.half_pixel_centers, iw);
                    let (fy, fx) = ((vy - y0 as f32) as f64, (vx - x0 as f32) as f64);
                    for c in 0..d {
                        let g = |yy: usize, xq: usize| x[((b * ih + yy) * iw + xq) * d + c] as f64;
                        let v = g(y0, x0) * (1.0 - fy) * (1.0 - fx)
                            + g(y1, x0) * fy * (1.0 - fx)
                            + g(y0, x1) * (1.0 - fy) * fx
                            + g(y1, x1) * fy * fx;
                        out.push(v as f32);
                    }
                }
            }
        }
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn float_matches_naive(
            ih in 1usize..6, iw in 1usize..6, oh in 1usize..9, ow in 1usize..9, d in 1usize..3,
            flags in 0u8..3, seed in proptest::collection::vec(-2.0f32..2.0, 72),
        ) {
            let p = ResizeParams { align_corners: flags == 1, half_pixel_centers: flags == 2 };
            let x: Vec<f32> = (0..ih * iw * d).map(|i| seed[i % seed.len()]).collect();
            let mut out = vec![0.0f32; oh * ow * d];
            resize_bilinear_f32(&p, [1, ih, iw, d], &x, oh, ow, &mut out).unwrap();
            let want = naive_f32(&p, [1, ih, iw, d], &x, oh, ow);
            for (g, w) in out.iter().zip(&want) {
                prop_assert!(close(*g, *w), "got {} want {}", g, w);
            }
        }

        #[test]
        fn int8_close_to_float_and_in_range(
            ih in 1usize..6, iw in 1usize..6, oh in 1usize..9, ow in 1usize..9,
            flags in 0u8..3, x in proptest::collection::vec(any::<i8>(), 25),
        ) {
            let p = ResizeParams { align_corners: flags == 1, half_pixel_centers: flags == 2 };
            let xi: Vec<i8> = (0..ih * iw).map(|i| x[i % x.len()]).collect();
            let xf: Vec<f32> = xi.iter().map(|&v| v as f32).collect();
            let mut out = vec![0i8; oh * ow];
            resize_bilinear_int8(&p, [1, ih, iw, 1], &xi, oh, ow, &mut out).unwrap();
            let want = naive_f32(&p, [1, ih, iw, 1], &xf, oh, ow);
            for (g, w) in out.iter().zip(&want) {
                // The 10-bit grid differs from the float one by < 1/1024 of a pixel.
                prop_assert!((*g as f32 - w).abs() <= 1.6, "got {} want {}", g, w);
            }
        }
    }
}
