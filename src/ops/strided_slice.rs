//! STRIDED_SLICE on inputs of up to 5 dims, with constant begin/end/strides.
//!
//! As TFLM: `ellipsis_mask`, `new_axis_mask` and `offset` are ignored (TFLM zeroes them when it
//! builds its parameters), and the output shape must match TFLM's prepare-time computation.
//! microlite also requires eval to write exactly the output's elements (TFLM would leave an
//! output partly unwritten, e.g. for a shrunk axis walked with a negative stride).

use super::movement::{by_size, const_ints, elem_size, head, same_type, sizes, word, words, Dims};
use super::{EvalCtx, OpCtx, PrepareCtx, Registration};
use crate::error::Error;
use crate::schema::{options, BuiltinOperator};
use microlite_kernels::strided_slice::{
    strided_slice, strided_slice_len, strided_slice_tflm_dims, StridedSliceParams, SLICE_MAX_DIMS,
};

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::STRIDED_SLICE, 8, prepare, eval)
}

/// [`StridedSliceParams`] as op data, with the element size.
#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Data {
    /// Bytes per element.
    size: u32,
    rank: u32,
    in_shape: [u32; SLICE_MAX_DIMS],
    begin: [i32; SLICE_MAX_DIMS],
    end: [i32; SLICE_MAX_DIMS],
    strides: [i32; SLICE_MAX_DIMS],
    begin_mask: u32,
    end_mask: u32,
    shrink_axis_mask: u32,
}

impl Data {
    fn params(&self) -> StridedSliceParams {
        StridedSliceParams {
            rank: self.rank as usize,
            in_shape: sizes(&self.in_shape),
            begin: self.begin,
            end: self.end,
            strides: self.strides,
            begin_mask: self.begin_mask,
            end_mask: self.end_mask,
            shrink_axis_mask: self.shrink_axis_mask,
        }
    }
}

fn params(ctx: &OpCtx<'_>) -> Result<(StridedSliceParams, usize), Error> {
    ctx.expect_counts(4, 4, 1)?;
    let (input, output) = (ctx.input(0)?, ctx.output(0)?);
    same_type(ctx, &input, &output)?;
    let size = elem_size(ctx, &input)?;
    let id = Dims::of(&input);
    if id.rank > SLICE_MAX_DIMS {
        return Err(ctx.shape_err(&input));
    }
    let (begin_mask, end_mask, shrink) = match ctx.options(options::STRIDED_SLICE) {
        Some(o) => (o.i32(0, 0)?, o.i32(1, 0)?, o.i32(4, 0)?),
        None => (0, 0, 0),
    };
    let mut p = StridedSliceParams {
        rank: id.rank,
        in_shape: [0; SLICE_MAX_DIMS],
        begin: [0; SLICE_MAX_DIMS],
        end: [0; SLICE_MAX_DIMS],
        strides: [0; SLICE_MAX_DIMS],
        begin_mask: begin_mask as u32,
        end_mask: end_mask as u32,
        shrink_axis_mask: shrink as u32,
    };
    for (o, &d) in p.in_shape.iter_mut().zip(id.as_slice()) {
        *o = d;
    }
    for (k, dst) in [(1, &mut p.begin), (2, &mut p.end), (3, &mut p.strides)] {
        let t = ctx.input(k)?;
        let (v, n) = const_ints::<SLICE_MAX_DIMS>(ctx, &t)?;
        if n != id.rank {
            return Err(ctx.shape_err(&t));
        }
        for (o, &x) in dst.iter_mut().zip(head(&v, n)) {
            *o = i32::try_from(x).map_err(|_| ctx.shape_err(&t))?;
        }
    }
    if head(&p.strides, id.rank).contains(&0) {
        return Err(ctx.shape_err(&ctx.input(3)?));
    }
    let (dims, n) = strided_slice_tflm_dims(&p).map_err(|e| ctx.kernel_err(e))?;
    let od = Dims::of(&output);
    if od.as_slice() != head(&dims, n)
        || strided_slice_len(&p).map_err(|e| ctx.kernel_err(e))? != output.t.element_count()
    {
        return Err(ctx.shape_err(&output));
    }
    Ok((p, size))
}

fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    let op = ctx.op;
    let (p, size) = params(&op)?;
    let input = op.input(0)?;
    ctx.persist(&Data {
        size: word(&op, &input, size)?,
        rank: word(&op, &input, p.rank)?,
        in_shape: words(&op, &input, &p.in_shape)?,
        begin: p.begin,
        end: p.end,
        strides: p.strides,
        begin_mask: p.begin_mask,
        end_mask: p.end_mask,
        shrink_axis_mask: p.shrink_axis_mask,
    })
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    let d = ctx.data::<Data>()?;
    let p = d.params();
    by_size!(d.size, E => {
        let x = ctx.input::<E>(0)?;
        strided_slice(&p, x, ctx.output::<E>(0)?).map_err(|e| ctx.kernel_err(e))
    })
}
