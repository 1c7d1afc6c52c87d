//! Shared set-up for AVERAGE_POOL_2D and MAX_POOL_2D.

use super::{activation, padding, positive, Io, OpCtx, OpPlan, T};
use crate::error::Error;
use crate::schema::{options, TensorType};
use microlite_kernels::pooling::PoolParams;
use microlite_kernels::quant::{activation_range_f32, activation_range_i8, compute_padding};
use microlite_kernels::KernelError;

pub(crate) struct Pool<'m> {
    pub input: T<'m>,
    pub in_shape: [usize; 4],
    pub out_shape: [usize; 4],
    pub params: PoolParams,
    /// Activation range for int8 (as i32) or float32.
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
type KernelF32 = fn(
    &PoolParams,
    f32,
    f32,
    [usize; 4],
    &[f32],
    [usize; 4],
    &mut [f32],
) -> Result<(), KernelError>;

/// Runs a pooling kernel pair on the op's tensors.
pub(crate) fn eval(
    ctx: &OpCtx<'_>,
    io: &mut Io<'_>,
    int8: KernelI8,
    float: KernelF32,
) -> Result<(), Error> {
    let p = params(ctx)?;
    match p.input.t.ty() {
        TensorType::Int8 => {
            let x = io.input::<i8>(0)?;
            let (lo, hi) = p.range_i8;
            int8(
                &p.params,
                lo,
                hi,
                p.in_shape,
                x,
                p.out_shape,
                io.output::<i8>(0)?,
            )
        }
        _ => {
            let x = io.input::<f32>(0)?;
            let (lo, hi) = p.range_f32;
            float(
                &p.params,
                lo,
                hi,
                p.in_shape,
                x,
                p.out_shape,
                io.output::<f32>(0)?,
            )
        }
    }
    .map_err(|e| ctx.kernel_err(e))
}

/// Validation only: pooling has no persistent data or scratch.
pub(crate) fn prepare(ctx: &OpCtx<'_>, _data: Option<&mut [i32]>) -> Result<OpPlan, Error> {
    params(ctx)?;
    Ok(OpPlan::default())
}
