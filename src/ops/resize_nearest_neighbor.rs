//! RESIZE_NEAREST_NEIGHBOR: NHWC resize to a constant `[height, width]` (int32), with
//! `align_corners` / `half_pixel_centers`. Raw copies, so any element type works (TFLM:
//! float32, int8, int16).

use super::movement::{by_size, const_ints, elem_size, same_type, sizes, word, words, Dims};
use super::{EvalCtx, OpCtx, PrepareCtx, Registration};
use crate::error::Error;
use crate::schema::{options, BuiltinOperator, TensorType};
use microlite_kernels::resize_nearest_neighbor::{resize_nearest_neighbor, ResizeParams};

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::RESIZE_NEAREST_NEIGHBOR, 4, prepare, eval)
}

/// A resize as op data (shared with RESIZE_BILINEAR): input shape, output size and
/// [`ResizeParams`] (flags as 0 or 1).
#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
pub(super) struct Resize {
    in_shape: [u32; 4],
    out_h: u32,
    out_w: u32,
    align_corners: u32,
    half_pixel_centers: u32,
}

impl Resize {
    /// Keeps `(in_shape, out_h, out_w)` from [`resize_shapes`] with `p`.
    pub fn new(
        ctx: &OpCtx<'_>,
        (in_shape, oh, ow): ([usize; 4], usize, usize),
        p: ResizeParams,
    ) -> Result<Self, Error> {
        let input = ctx.input(0)?;
        Ok(Resize {
            in_shape: words(ctx, &input, &in_shape)?,
            out_h: word(ctx, &input, oh)?,
            out_w: word(ctx, &input, ow)?,
            align_corners: u32::from(p.align_corners),
            half_pixel_centers: u32::from(p.half_pixel_centers),
        })
    }

    /// `(params, in_shape, out_h, out_w)` as the kernels take them.
    pub fn unpack(&self) -> (ResizeParams, [usize; 4], usize, usize) {
        let p = ResizeParams {
            align_corners: self.align_corners != 0,
            half_pixel_centers: self.half_pixel_centers != 0,
        };
        let (oh, ow) = (self.out_h as usize, self.out_w as usize);
        (p, sizes(&self.in_shape), oh, ow)
    }
}

#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Data {
    /// Bytes per element.
    size: u32,
    resize: Resize,
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

fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    let op = ctx.op;
    let shapes = resize_shapes(&op)?;
    let input = op.input(0)?;
    let size = elem_size(&op, &input)?;
    let p = match op.options(options::RESIZE_NEAREST_NEIGHBOR) {
        Some(o) => ResizeParams {
            align_corners: o.bool(0, false)?,
            half_pixel_centers: o.bool(1, false)?,
        },
        None => ResizeParams::default(),
    };
    ctx.persist(&Data {
        size: word(&op, &input, size)?,
        resize: Resize::new(&op, shapes, p)?,
    })
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    let d = ctx.data::<Data>()?;
    let (p, in_shape, oh, ow) = d.resize.unpack();
    by_size!(d.size, E => {
        let x = ctx.input::<E>(0)?;
        resize_nearest_neighbor(&p, in_shape, x, oh, ow, ctx.output::<E>(0)?)
            .map_err(|e| ctx.kernel_err(e))
    })
}
