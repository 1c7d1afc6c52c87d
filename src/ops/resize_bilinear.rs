//! RESIZE_BILINEAR: NHWC resize to a constant `[height, width]`, float32 or int8 (TFLM's
//! integer-only path on raw values; `half_pixel_centers` excludes `align_corners`).

use super::resize_nearest_neighbor::resize_shapes;
use super::{Io, OpCtx, OpPlan, Registration};
use crate::error::Error;
use crate::schema::{options, BuiltinOperator, TensorType};
use microlite_kernels::resize_bilinear::{resize_bilinear_f32, resize_bilinear_int8};
use microlite_kernels::resize_nearest_neighbor::ResizeParams;

pub(crate) fn registration() -> Registration {
    super::legacy_registration!(BuiltinOperator::RESIZE_BILINEAR, 4)
}

fn params(ctx: &OpCtx<'_>) -> Result<(ResizeParams, [usize; 4], usize, usize), Error> {
    let (in_shape, oh, ow) = resize_shapes(ctx)?;
    let input = ctx.input(0)?;
    if !matches!(input.t.ty(), TensorType::Float32 | TensorType::Int8) {
        return Err(ctx.type_err(&input));
    }
    let p = match ctx.options(options::RESIZE_BILINEAR) {
        Some(o) => ResizeParams {
            align_corners: o.bool(2, false)?,
            half_pixel_centers: o.bool(3, false)?,
        },
        None => ResizeParams::default(),
    };
    if p.align_corners && p.half_pixel_centers {
        return Err(ctx.options_err());
    }
    Ok((p, in_shape, oh, ow))
}

fn prepare(ctx: &OpCtx<'_>, _data: Option<&mut [i32]>) -> Result<OpPlan, Error> {
    params(ctx)?;
    Ok(OpPlan::default())
}

fn eval(ctx: &OpCtx<'_>, io: &mut Io<'_>, _data: &[i32]) -> Result<(), Error> {
    let (p, in_shape, oh, ow) = params(ctx)?;
    match ctx.input(0)?.t.ty() {
        TensorType::Int8 => {
            let x = io.input::<i8>(0)?;
            resize_bilinear_int8(&p, in_shape, x, oh, ow, io.output::<i8>(0)?)
        }
        _ => {
            let x = io.input::<f32>(0)?;
            resize_bilinear_f32(&p, in_shape, x, oh, ow, io.output::<f32>(0)?)
        }
    }
    .map_err(|e| ctx.kernel_err(e))
}
