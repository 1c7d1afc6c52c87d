//! RESIZE_BILINEAR: NHWC resize to a constant `[height, width]`, float32 or int8 (TFLM's
//! integer-only path on raw values; `half_pixel_centers` excludes `align_corners`).

use super::resize_nearest_neighbor::{resize_shapes, Resize};
use super::{kinds, EvalCtx, PrepareCtx, Registration};
use crate::error::Error;
use crate::schema::{options, BuiltinOperator, TensorType};
use microlite_kernels::resize_bilinear::{resize_bilinear_f32, resize_bilinear_int8};
use microlite_kernels::resize_nearest_neighbor::ResizeParams;

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::RESIZE_BILINEAR, 4, prepare, eval)
}

kinds! {
    enum Kind { Int8, Float32 }
}

#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Data {
    kind: u32,
    resize: Resize,
}

fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    let op = ctx.op;
    let shapes = resize_shapes(&op)?;
    let input = op.input(0)?;
    let kind = match input.t.ty() {
        TensorType::Int8 => Kind::Int8,
        TensorType::Float32 => Kind::Float32,
        _ => return Err(op.type_err(&input)),
    };
    let p = match op.options(options::RESIZE_BILINEAR) {
        Some(o) => ResizeParams {
            align_corners: o.bool(2, false)?,
            half_pixel_centers: o.bool(3, false)?,
        },
        None => ResizeParams::default(),
    };
    if p.align_corners && p.half_pixel_centers {
        return Err(op.options_err());
    }
    ctx.persist(&Data {
        kind: kind.tag(),
        resize: Resize::new(&op, shapes, p)?,
    })
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    let d = ctx.data::<Data>()?;
    let (p, in_shape, oh, ow) = d.resize.unpack();
    match Kind::from_tag(d.kind)? {
        Kind::Int8 => {
            let x = ctx.input::<i8>(0)?;
            resize_bilinear_int8(&p, in_shape, x, oh, ow, ctx.output::<i8>(0)?)
        }
        Kind::Float32 => {
            let x = ctx.input::<f32>(0)?;
            resize_bilinear_f32(&p, in_shape, x, oh, ow, ctx.output::<f32>(0)?)
        }
    }
    .map_err(|e| ctx.kernel_err(e))
}
