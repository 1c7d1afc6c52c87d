//! TRANSPOSE_CONV (NHWC input, OHWI filter) as TFLM's reference kernels compute it: a
//! "scatter" over input elements in order (batch, y, x, input channel), each adding
//! `input * filter` to the outputs it touches (`out = in * stride - pad + filter tap`), then
//! bias, rescaling and clamping per output element.
//!
//! int8 (`reference_integer_ops::TransposeConv`): `(input + input_offset) * filter` summed
//! into an `i32` scratch buffer the size of the output (as TFLM's arena scratch), then
//! `MultiplyByQuantizedMultiplier` per output channel, `+ output_offset`, clamped. The filter
//! zero point is not used (int8 filters are symmetric). float32 (`reference_ops::TransposeConv`)
//! accumulates in the output itself in the same order, then adds the bias and clamps.

use crate::quant::{Accumulator, I64Le, QuantizedInt};
use crate::util::{check_len, clamp_f32, clamp_i32, COORD_LIMIT};
use crate::{KernelError, QuantParams};

/// Geometry of a transpose convolution: strides and the padding before (top/left), as TFLM's
/// `ComputePaddingHeightWidth` gives it from the *output* size (see
/// [`crate::quant::compute_padding`] with `in_size` = the output's height or width).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TransposeConvParams {
    /// Vertical stride.
    pub stride_h: usize,
    /// Horizontal stride.
    pub stride_w: usize,
    /// Rows of padding removed at the top.
    pub pad_h: usize,
    /// Columns of padding removed at the left.
    pub pad_w: usize,
}

#[allow(clippy::too_many_arguments)]
fn check_shapes(
    p: &TransposeConvParams,
    in_shape: [usize; 4],
    in_len: usize,
    filter_shape: [usize; 4],
    filter_len: usize,
    bias_len: Option<usize>,
    out_shape: [usize; 4],
    out_len: usize,
) -> Result<(), KernelError> {
    check_len(&in_shape, in_len)?;
    check_len(&filter_shape, filter_len)?;
    check_len(&out_shape, out_len)?;
    if in_shape[0] != out_shape[0]
        || in_shape[3] != filter_shape[3]
        || filter_shape[0] != out_shape[3]
    {
        return Err(KernelError::ShapeMismatch);
    }
    if let Some(n) = bias_len {
        if n != out_shape[3] {
            return Err(KernelError::ShapeMismatch);
        }
    }
    if p.stride_h == 0 || p.stride_w == 0 {
        return Err(KernelError::BadParams);
    }
    for (i, s, k, pad) in [
        (in_shape[1], p.stride_h, filter_shape[1], p.pad_h),
        (in_shape[2], p.stride_w, filter_shape[2], p.pad_w),
    ] {
        let reach = i
            .checked_mul(s)
            .and_then(|v| v.checked_add(k))
            .ok_or(KernelError::BadParams)?;
        if reach > COORD_LIMIT || pad > COORD_LIMIT {
            return Err(KernelError::BadParams);
        }
    }
    Ok(())
}

/// Visits, in TFLM's scatter order, every (input index, filter index, output index) triple
/// that lands inside the output.
#[inline]
fn scatter(
    p: &TransposeConvParams,
    in_shape: [usize; 4],
    filter_shape: [usize; 4],
    out_shape: [usize; 4],
    mut f: impl FnMut(usize, usize, usize),
) {
    let [batches, in_h, in_w, in_d] = in_shape;
    let [out_d, fh, fw, _] = filter_shape;
    let (oh, ow) = (out_shape[1] as isize, out_shape[2] as isize);
    for b in 0..batches {
        for iy in 0..in_h {
            for ix in 0..in_w {
                for ic in 0..in_d {
                    let i_idx = ((b * in_h + iy) * in_w + ix) * in_d + ic;
                    let oy0 = (iy * p.stride_h) as isize - p.pad_h as isize;
                    let ox0 = (ix * p.stride_w) as isize - p.pad_w as isize;
                    for ky in 0..fh {
                        let oy = oy0 + ky as isize;
                        for kx in 0..fw {
                            let ox = ox0 + kx as isize;
                            if oy < 0 || oy >= oh || ox < 0 || ox >= ow {
                                continue;
                            }
                            let o_base = ((b * out_shape[1] + oy as usize) * out_shape[2]
                                + ox as usize)
                                * out_d;
                            for oc in 0..out_d {
                                let f_idx = ((oc * fh + ky) * fw + kx) * in_d + ic;
                                f(i_idx, f_idx, o_base + oc);
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Scratch `i32` elements [`transpose_conv_int8`] needs: one per output element.
pub fn transpose_conv_scratch_len(out_shape: [usize; 4]) -> usize {
    out_shape.iter().fold(1usize, |a, &d| a.saturating_mul(d))
}

/// int8 transpose convolution with per-channel (or per-tensor) requantization.
#[allow(clippy::too_many_arguments)]
pub fn transpose_conv_int8(
    p: &TransposeConvParams,
    q: &QuantParams<'_>,
    in_shape: [usize; 4],
    input: &[i8],
    filter_shape: [usize; 4],
    filter: &[i8],
    bias: Option<&[i32]>,
    out_shape: [usize; 4],
    output: &mut [i8],
    scratch: &mut [i32],
) -> Result<(), KernelError> {
    let shapes = (in_shape, filter_shape, out_shape);
    transpose_conv_q(p, q, shapes, input, filter, bias, output, scratch)
}

/// 16x8 transpose convolution (int16 activations, int8 weights, int64 bias) as TFLM's int16
/// `TransposeConv`: products summed in `i64` scratch (one per output element), the bias
/// added, the 64-bit rescale per channel, no zero points (TFLM ignores them for int16).
///
/// # Errors
/// [`KernelError::ShapeMismatch`] when a slice does not fit its shape or `scratch` is shorter
/// than the output; [`KernelError::BadParams`] for multipliers neither one nor one per channel.
#[allow(clippy::too_many_arguments)]
pub fn transpose_conv_int16(
    p: &TransposeConvParams,
    q: &QuantParams<'_>,
    in_shape: [usize; 4],
    input: &[i16],
    filter_shape: [usize; 4],
    filter: &[i8],
    bias: Option<&[I64Le]>,
    out_shape: [usize; 4],
    output: &mut [i16],
    scratch: &mut [i64],
) -> Result<(), KernelError> {
    let shapes = (in_shape, filter_shape, out_shape);
    transpose_conv_q(p, q, shapes, input, filter, bias, output, scratch)
}

/// Both quantized transpose convolutions: `(input + input_offset) * filter` scattered into
/// the accumulator `B` of the bias type (`i32` for int8, `i64` for 16x8, whose input offset
/// is 0), then the bias, `B`'s rescale per channel, the output offset and the clamp.
#[allow(clippy::too_many_arguments)]
fn transpose_conv_q<X: QuantizedInt, B: Accumulator>(
    p: &TransposeConvParams,
    q: &QuantParams<'_>,
    (in_shape, filter_shape, out_shape): ([usize; 4], [usize; 4], [usize; 4]),
    input: &[X],
    filter: &[i8],
    bias: Option<&[B::Stored]>,
    output: &mut [X],
    scratch: &mut [B],
) -> Result<(), KernelError> {
    check_shapes(
        p,
        in_shape,
        input.len(),
        filter_shape,
        filter.len(),
        bias.map(|b| b.len()),
        out_shape,
        output.len(),
    )?;
    let per_channel = q.check(out_shape[3])?;
    let acc = scratch
        .get_mut(..output.len())
        .ok_or(KernelError::ShapeMismatch)?;
    acc.fill(B::default());
    let mut bad = false;
    scatter(p, in_shape, filter_shape, out_shape, |i, f, o| {
        match (input.get(i), filter.get(f), acc.get_mut(o)) {
            (Some(&x), Some(&w), Some(a)) => {
                let prod = x
                    .widen()
                    .wrapping_add(q.input_offset)
                    .wrapping_mul(i32::from(w));
                *a = a.add_product(prod);
            }
            _ => bad = true,
        }
    });
    if bad {
        return Err(KernelError::ShapeMismatch);
    }
    let depth = out_shape[3];
    if depth == 0 {
        return Ok(());
    }
    for (out_row, acc_row) in output.chunks_exact_mut(depth).zip(acc.chunks_exact(depth)) {
        for (c, (o, &a)) in out_row.iter_mut().zip(acc_row).enumerate() {
            let v = match bias.and_then(|b| b.get(c)) {
                Some(&b) => a.add(B::load(b)),
                None => a,
            };
            let (m, s) = q.channel(per_channel, c);
            let v = v.rescale(m, s).wrapping_add(q.output_offset);
            *o = X::wrap(clamp_i32(v, q.act_min, q.act_max));
        }
    }
    Ok(())
}

/// float32 transpose convolution; `act_min`/`act_max` from the fused activation.
#[allow(clippy::too_many_arguments)]
pub fn transpose_conv_f32(
    p: &TransposeConvParams,
    act_min: f32,
    act_max: f32,
    in_shape: [usize; 4],
    input: &[f32],
    filter_shape: [usize; 4],
    filter: &[f32],
    bias: Option<&[f32]>,
    out_shape: [usize; 4],
    output: &mut [f32],
) -> Result<(), KernelError> {
    check_shapes(
        p,
        in_shape,
        input.len(),
        filter_shape,
        filter.len(),
        bias.map(|b| b.len()),
        out_shape,
        output.len(),
    )?;
    output.fill(0.0);
    let mut bad = false;
    scatter(p, in_shape, filter_shape, out_shape, |i, f, o| {
        match (input.get(i), filter.get(f), output.get_mut(o)) {
            (Some(&x), Some(&w), Some(a)) => *a += x * w,
            _ => bad = true,
        }
    });
    if bad {
        return Err(KernelError::ShapeMismatch);
    }
    let depth = out_shape[3];
    if depth == 0 {
        return Ok(());
    }
    for row in output.chunks_exact_mut(depth) {
        for (c, o) in row.iter_mut().enumerate() {
            let mut v = *o;
            if let Some(b) = bias {
                v += b[c];
            }
            *o = clamp_f32(v, act_min, act_max);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quant::quantize_multiplier;
    use crate::testutil::*;
    use proptest::prelude::*;

    /// Gather formulation: output (oy, ox, oc) sums over every input pixel and tap that maps
    /// onto it, in wide integers.
    #[allow(clippy::too_many_arguments)]
    fn naive_acc(
        p: &TransposeConvParams,
        is: [usize; 4],
        x: &[i8],
        fs: [usize; 4],
        w: &[i8],
        os: [usize; 4],
        in_off: i32,
    ) -> Vec<i64> {
        let mut out = vec![0i64; os.iter().product()];
        for b in 0..os[0] {
            for oy in 0..os[1] {
                for ox in 0..os[2] {
                    for oc in 0..os[3] {
                        let mut acc = 0i64;
                        for iy in 0..is[1] {
                            for ix in 0..is[2] {
                                let ky = oy as i64 + p.pad_h as i64 - (iy * p.stride_h) as i64;
                                let kx = ox as i64 + p.pad_w as i64 - (ix * p.stride_w) as i64;
                                if ky < 0 || kx < 0 || ky >= fs[1] as i64 || kx >= fs[2] as i64 {
                                    continue;
                                }
                                for ic in 0..is[3] {
                                    let xv = x[((b * is[1] + iy) * is[2] + ix) * is[3] + ic] as i64;
                                    let wv = w[((oc * fs[1] + ky as usize) * fs[2] + kx as usize)
                                        * fs[3]
                                        + ic] as i64;
                                    acc += (xv + in_off as i64) * wv;
                                }
                            }
                        }
                        out[((b * os[1] + oy) * os[2] + ox) * os[3] + oc] = acc;
                    }
                }
            }
        }
        out
    }

    fn geometry() -> impl Strategy<Value = (TransposeConvParams, [usize; 4], [usize; 4], [usize; 4])>
    {
        (
            1usize..4,
            1usize..4,
            1usize..4,
            1usize..4,
            1usize..4,
            1usize..4,
            1usize..3,
            1usize..3,
            0usize..3,
        )
            .prop_map(|(ih, iw, ic, oc, kh, kw, sh, sw, pad)| {
                let p = TransposeConvParams {
                    stride_h: sh,
                    stride_w: sw,
                    pad_h: pad.min(kh - 1),
                    pad_w: pad.min(kw - 1),
                };
                let oh = (ih - 1) * sh + kh - p.pad_h;
                let ow = (iw - 1) * sw + kw - p.pad_w;
                (p, [1, ih, iw, ic], [oc, kh, kw, ic], [1, oh, ow, oc])
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn int8_matches_naive(
            (p, is, fs, os) in geometry(),
            xs in i8_vec(64), ws in i8_vec(64), in_off in -127i32..128,
            mults in proptest::collection::vec(multiplier(), 3), out_off in -20i32..20,
            with_bias in any::<bool>(), bias_seed in -5000i32..5000,
        ) {
            let x: Vec<i8> = (0..is.iter().product::<usize>()).map(|i| xs[i % 64]).collect();
            let w: Vec<i8> = (0..fs.iter().product::<usize>()).map(|i| ws[(i * 7) % 64]).collect();
            let oc = os[3];
            let m: Vec<i32> = (0..oc).map(|c| mults[c % 3].0).collect();
            let s: Vec<i8> = (0..oc).map(|c| crate::quant::clamp_shift(mults[c % 3].1)).collect();
            let bias: Vec<i32> = (0..oc).map(|c| bias_seed + 37 * c as i32).collect();
            let q = QuantParams { input_offset: in_off, output_offset: out_off, act_min: -128, act_max: 127, multipliers: &m, shifts: &s };
            let n = os.iter().product::<usize>();
            let mut out = vec![0i8; n];
            let mut scratch = vec![7i32; n];
            transpose_conv_int8(&p, &q, is, &x, fs, &w, with_bias.then_some(&bias[..]), os, &mut out, &mut scratch).unwrap();
            let acc = naive_acc(&p, is, &x, fs, &w, os, in_off);
            for (k, (&got, &a)) in out.iter().zip(&acc).enumerate() {
                let c = k % oc;
                let a = a + if with_bias { bias[c] as i64 } else { 0 };
                let v = naive_mbqm(a as i32, m[c], i32::from(s[c])) as i64 + out_off as i64;
                prop_assert_eq!(got, naive_out_i8(v, -128, 127));
            }
        }

        #[test]
        fn f32_matches_naive((p, is, fs, os) in geometry(), xs in f32_vec(64), ws in f32_vec(64), relu in any::<bool>()) {
            let x: Vec<f32> = (0..is.iter().product::<usize>()).map(|i| xs[i % 64]).collect();
            let w: Vec<f32> = (0..fs.iter().product::<usize>()).map(|i| ws[(i * 5) % 64]).collect();
            let bias: Vec<f32> = (0..os[3]).map(|c| 0.1 * c as f32 - 0.2).collect();
            let n = os.iter().product::<usize>();
            let mut out = vec![0.0f32; n];
            let lo = if relu { 0.0 } else { f32::MIN };
            transpose_conv_f32(&p, lo, f32::MAX, is, &x, fs, &w, Some(&bias), os, &mut out).unwrap();
            // Same sums through the integer oracle's index map, in f64.
            for b in 0..1 {
                for oy in 0..os[1] {
                    for ox in 0..os[2] {
                        for oc in 0..os[3] {
                            let mut acc = bias[oc] as f64;
                            for iy in 0..is[1] {
                                for ix in 0..is[2] {
                                    let ky = oy as i64 + p.pad_h as i64 - (iy * p.stride_h) as i64;
                                    let kx = ox as i64 + p.pad_w as i64 - (ix * p.stride_w) as i64;
                                    if ky < 0 || kx < 0 || ky >= fs[1] as i64 || kx >= fs[2] as i64 { continue; }
                                    for ic in 0..is[3] {
                                        acc += x[((b * is[1] + iy) * is[2] + ix) * is[3] + ic] as f64
                                            * w[((oc * fs[1] + ky as usize) * fs[2] + kx as usize) * fs[3] + ic] as f64;
                                    }
                                }
                            }
                            let want = if relu { acc.max(0.0) } else { acc } as f32;
                            let got = out[((b * os[1] + oy) * os[2] + ox) * os[3] + oc];
                            prop_assert!(close(got, want), "got {} want {}", got, want);
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn rejects_bad_shapes() {
        let p = TransposeConvParams {
            stride_h: 1,
            stride_w: 1,
            pad_h: 0,
            pad_w: 0,
        };
        let (m, s) = quantize_multiplier(0.5);
        let q = QuantParams {
            input_offset: 0,
            output_offset: 0,
            act_min: -128,
            act_max: 127,
            multipliers: &[m],
            shifts: &[crate::quant::clamp_shift(s)],
        };
        let mut out = [0i8; 4];
        let mut scratch = [0i32; 3];
        assert_eq!(
            transpose_conv_int8(
                &p,
                &q,
                [1, 1, 1, 1],
                &[1],
                [1, 2, 2, 1],
                &[1; 4],
                None,
                [1, 2, 2, 1],
                &mut out,
                &mut scratch
            ),
            Err(KernelError::ShapeMismatch)
        );
        let mut scratch = [0i32; 4];
        transpose_conv_int8(
            &p,
            &q,
            [1, 1, 1, 1],
            &[4],
            [1, 2, 2, 1],
            &[1, 2, 3, 4],
            None,
            [1, 2, 2, 1],
            &mut out,
            &mut scratch,
        )
        .unwrap();
        assert_eq!(out, [2, 4, 6, 8]);
    }
}
