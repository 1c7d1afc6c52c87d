//! RESIZE_NEAREST_NEIGHBOR: NHWC resize to a constant `[height, width]` (int32), with
//! `align_corners` / `half_pixel_centers`. Raw copies, so any element type works (TFLM:
//! float32, int8, int16).

use super::movement::{by_size, const_ints, elem_size, same_type, Dims};
use super::{Io, OpCtx, OpPlan, Registration};
use crate::error::Error;
use crate::schema::{options, BuiltinOperator, TensorType};
use microlite_kernels::resize_nearest_neighbor::{resize_nearest_neighbor, ResizeParams};

pub(crate) fn registration() -> Registration {
    super::legacy_registration!(BuiltinOperator::RESIZE_NEAREST_NEIGHBOR, 4)
}

/// Checks a resize's input, size tensor and output; returns `(in_shape, out_h, out_w)`
/// (shared with RESIZE_BILINEAR).
pub(super) fn resize_shapes(ctx: &OpCtx<'_>) -> Result<([usize; 4], usize, usize), Error> {
    ctx.expect_counts(2, 2, 1)?;
    let (input, size, output) = (ctx.input(0)?, ctx.input(1)?, ctx.output(0)?);
    same_type(ctx, &input, &output)?;
    ctx.expect_type(&size, TensorType::Int32)?;
    let in_shape = ctx.shape4(&input)?;
    let (hw, n) = const_ints::<2>(ctx, &size)?;
    if n != 2 || size.t.shape().len() != 1 {
        return Err(ctx.shape_err(&size));
    }
    let (oh, ow) = (hw[0], hw[1]);
    if oh < 0 || ow < 0 {
        return Err(ctx.shape_err(&size));
    }
    let (oh, ow) = (oh as usize, ow as usize);
    if Dims::of(&output).as_slice() != [in_shape[0], oh, ow, in_shape[3]] {
        return Err(ctx.shape_err(&output));
    }
    if output.t.element_count() > 0 && (in_shape[1] == 0 || in_shape[2] == 0) {
        return Err(ctx.shape_err(&input));
    }
    Ok((in_shape, oh, ow))
}

fn params(ctx: &OpCtx<'_>) -> Result<(ResizeParams, [usize; 4], usize, usize, usize), Error> {
    let (in_shape, oh, ow) = resize_shapes(ctx)?;
    let size = elem_size(ctx, &ctx.input(0)?)?;
    let p = match ctx.options(options::RESIZE_NEAREST_NEIGHBOR) {
        Some(o) => ResizeParams {
            align_corners: o.bool(0, false)?,
            half_pixel_centers: o.bool(1, false)?,
        },
        None => ResizeParams::default(),
    };
    Ok((p, in_shape, oh, ow, size))
}

fn prepare(ctx: &OpCtx<'_>, _data: Option<&mut [i32]>) -> Result<OpPlan, Error> {
    params(ctx)?;
    Ok(OpPlan::default())
}

fn eval(ctx: &OpCtx<'_>, io: &mut Io<'_>, _data: &[i32]) -> Result<(), Error> {
    let (p, in_shape, oh, ow, size) = params(ctx)?;
    by_size!(ctx, size, E => {
        let x = io.input::<E>(0)?;
        resize_nearest_neighbor(&p, in_shape, x, oh, ow, io.output::<E>(0)?)
            .map_err(|e| ctx.kernel_err(e))
    })
}
