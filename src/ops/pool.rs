//! Shared set-up for AVERAGE_POOL_2D and MAX_POOL_2D.

use super::{activation, kinds, padding, positive, EvalCtx, OpCtx, PrepareCtx, T};
use crate::error::Error;
use crate::schema::{options, TensorType};
use microlite_kernels::pooling::{max_average_taps, PoolParams, MAX_AVERAGE_TAPS};
use microlite_kernels::quant::{
    activation_range_f32, activation_range_i8, activation_range_q, compute_padding,
};
use microlite_kernels::KernelError;

pub(crate) struct Pool<'m> {
    pub input: T<'m>,
    pub in_shape: [usize; 4],
    pub out_shape: [usize; 4],
    pub params: PoolParams,
    /// Activation range for int8 or int16 (as i32), or float32.
    pub range_i8: (i32, i32),
    pub range_f32: (f32, f32),
}

/// Validates a pooling op: options, shapes, and equal input/output quantization for int8.
pub(crate) fn params<'m>(ctx: &OpCtx<'m>) -> Result<Pool<'m>, Error> {
    ctx.expect_counts(1, 1, 1)?;
    let (input, output) = (ctx.input(0)?, ctx.output(0)?);
    let o = ctx.options(options::POOL_2D).ok_or(ctx.options_err())?;
    let pad = padding(ctx, o.u8(0, 0)?)?;
    let stride_w = positive(ctx, o.i32(1, 0)?)?;
    let stride_h = positive(ctx, o.i32(2, 0)?)?;
    let filter_w = positive(ctx, o.i32(3, 0)?)?;
    let filter_h = positive(ctx, o.i32(4, 0)?)?;
    let act = activation(ctx, o.u8(5, 0)?)?;
    let in_shape = ctx.shape4(&input)?;
    let out_shape = ctx.shape4(&output)?;
    let (oh, pad_h) = compute_padding(pad, in_shape[1], filter_h, stride_h, 1)
        .map_err(|_| ctx.shape_err(&output))?;
    let (ow, pad_w) = compute_padding(pad, in_shape[2], filter_w, stride_w, 1)
        .map_err(|_| ctx.shape_err(&output))?;
    if out_shape != [in_shape[0], oh, ow, in_shape[3]] {
        return Err(ctx.shape_err(&output));
    }
    if input.t.ty() != output.t.ty() {
        return Err(ctx.type_err(&output));
    }
    let mut range_i8 = (-128, 127);
    match input.t.ty() {
        TensorType::Int8 => {
            let (si, zi) = ctx.quant(&input)?;
            let (so, zo) = ctx.quant(&output)?;
            if si != so || zi != zo {
                return Err(ctx.quant_err(&output));
            }
            range_i8 = activation_range_i8(act, so, zo);
        }
        TensorType::Int16 => {
            // TFLM: scales within 1e-6, equal zero points (no requantization).
            let (si, zi) = ctx.quant(&input)?;
            let (so, zo) = ctx.quant(&output)?;
            // |si - so| > 1e-6 (double): the f32 difference is exact, and no f32 lies
            // between 1e-6f32 and 1e-6, so comparing in f32 decides the same.
            if (si - so).abs() > 1e-6 || zi != zo {
                return Err(ctx.quant_err(&output));
            }
            range_i8 = activation_range_q::<i16>(act, so, zo);
        }
        TensorType::Float32 => {}
        _ => return Err(ctx.type_err(&input)),
    }
    let params = PoolParams {
        stride_h,
        stride_w,
        filter_h,
        filter_w,
        pad_h,
        pad_w,
    };
    Ok(Pool {
        input,
        in_shape,
        out_shape,
        params,
        range_i8,
        range_f32: activation_range_f32(act),
    })
}

type KernelI8 =
    fn(&PoolParams, i32, i32, [usize; 4], &[i8], [usize; 4], &mut [i8]) -> Result<(), KernelError>;
type KernelI16 = fn(
    &PoolParams,
    i32,
    i32,
    [usize; 4],
    &[i16],
    [usize; 4],
    &mut [i16],
) -> Result<(), KernelError>;
type KernelF32 = fn(
    &PoolParams,
    f32,
    f32,
    [usize; 4],
    &[f32],
    [usize; 4],
    &mut [f32],
) -> Result<(), KernelError>;

kinds! {
    enum Kind { Int8, Int16, Float32 }
}

/// Typed op data of a pooling op.
#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Data {
    kind: u32,
    in_shape: [u32; 4],
    out_shape: [u32; 4],
    /// Stride, filter size and padding, each height then width.
    stride: [u32; 2],
    filter: [u32; 2],
    pad: [u32; 2],
    range_i8: [i32; 2],
    range_f32: [f32; 2],
}

/// Runs a pooling kernel pair on the op's tensors.
pub(crate) fn eval(
    ctx: &mut EvalCtx<'_>,
    int8: KernelI8,
    int16: KernelI16,
    float: KernelF32,
) -> Result<(), Error> {
    let d = *ctx.data::<Data>()?;
    let [stride_h, stride_w] = d.stride.map(|v| v as usize);
    let [filter_h, filter_w] = d.filter.map(|v| v as usize);
    let [pad_h, pad_w] = d.pad.map(|v| v as usize);
    let params = PoolParams {
        stride_h,
        stride_w,
        filter_h,
        filter_w,
        pad_h,
        pad_w,
    };
    let (in_shape, out_shape) = (
        d.in_shape.map(|v| v as usize),
        d.out_shape.map(|v| v as usize),
    );
    match Kind::from_tag(d.kind)? {
        Kind::Int8 => {
            let x = ctx.input::<i8>(0)?;
            let [lo, hi] = d.range_i8;
            int8(
                &params,
                lo,
                hi,
                in_shape,
                x,
                out_shape,
                ctx.output::<i8>(0)?,
            )
        }
        Kind::Int16 => {
            let x = ctx.input::<i16>(0)?;
            let [lo, hi] = d.range_i8;
            int16(
                &params,
                lo,
                hi,
                in_shape,
                x,
                out_shape,
                ctx.output::<i16>(0)?,
            )
        }
        Kind::Float32 => {
            let x = ctx.input::<f32>(0)?;
            let [lo, hi] = d.range_f32;
            float(
                &params,
                lo,
                hi,
                in_shape,
                x,
                out_shape,
                ctx.output::<f32>(0)?,
            )
        }
    }
    .map_err(|e| ctx.kernel_err(e))
}

/// Validates and keeps the geometry and activation range (no scratch).
pub(crate) fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    let op = ctx.op;
    let p = params(&op)?;
    let kind = match p.input.t.ty() {
        // The int8 average sums in int32 as TFLM: windows of more taps are refused.
        TensorType::Int8
            if p.params.filter_h.min(p.in_shape[1]) * p.params.filter_w.min(p.in_shape[2])
                > MAX_AVERAGE_TAPS =>
        {
            return Err(op.options_err())
        }
        TensorType::Int8 => Kind::Int8,
        TensorType::Int16
            if p.params.filter_h.min(p.in_shape[1]) * p.params.filter_w.min(p.in_shape[2])
                > max_average_taps::<i16>() =>
        {
            return Err(op.options_err())
        }
        TensorType::Int16 => Kind::Int16,
        TensorType::Float32 => Kind::Float32,
        _ => return Err(op.type_err(&p.input)),
    };
    let word = |v: usize| u32::try_from(v).map_err(|_| op.shape_err(&p.input));
    let pp = &p.params;
    let mut in_shape = [0u32; 4];
    let mut out_shape = [0u32; 4];
    for (o, &v) in in_shape.iter_mut().zip(&p.in_shape) {
        *o = word(v)?;
    }
    for (o, &v) in out_shape.iter_mut().zip(&p.out_shape) {
        *o = word(v)?;
    }
    ctx.persist(&Data {
        kind: kind.tag(),
        in_shape,
        out_shape,
        stride: [word(pp.stride_h)?, word(pp.stride_w)?],
        filter: [word(pp.filter_h)?, word(pp.filter_w)?],
        pad: [word(pp.pad_h)?, word(pp.pad_w)?],
        range_i8: [p.range_i8.0, p.range_i8.1],
        range_f32: [p.range_f32.0, p.range_f32.1],
    })
}
