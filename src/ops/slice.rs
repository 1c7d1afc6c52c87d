//! SLICE: a box of an up-to-5-D tensor, from constant `begin` and `size` (int32 or int64;
//! `size` -1 means "to the end"), validated as TFLM's `GetValidatedBeginAndSizeVectors`.

use super::movement::{by_size, const_ints, elem_size, head, same_type, sizes, word, words, Dims};
use super::{EvalCtx, OpCtx, PrepareCtx, Registration};
use crate::error::Error;
use crate::schema::BuiltinOperator;
use microlite_kernels::slice::{slice, slice_out_dims};
use microlite_kernels::strided_slice::SLICE_MAX_DIMS;

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::SLICE, 6, prepare, eval)
}

/// The box, with sizes resolved (no -1 left).
#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Data {
    /// Bytes per element.
    elem: u32,
    rank: u32,
    in_shape: [u32; SLICE_MAX_DIMS],
    begin: [u32; SLICE_MAX_DIMS],
    size: [u32; SLICE_MAX_DIMS],
}

fn params(ctx: &OpCtx<'_>) -> Result<Data, Error> {
    ctx.expect_counts(3, 3, 1)?;
    let (input, begin_t, size_t, output) =
        (ctx.input(0)?, ctx.input(1)?, ctx.input(2)?, ctx.output(0)?);
    same_type(ctx, &input, &output)?;
    same_type(ctx, &begin_t, &size_t)?;
    let elem = elem_size(ctx, &input)?;
    let id = Dims::of(&input);
    if id.rank > SLICE_MAX_DIMS {
        return Err(ctx.shape_err(&input));
    }
    let (begin, nb) = const_ints::<SLICE_MAX_DIMS>(ctx, &begin_t)?;
    let (size, ns) = const_ints::<SLICE_MAX_DIMS>(ctx, &size_t)?;
    if nb != id.rank || begin_t.t.shape().len() != 1 {
        return Err(ctx.shape_err(&begin_t));
    }
    if ns != id.rank || size_t.t.shape().len() != 1 {
        return Err(ctx.shape_err(&size_t));
    }
    let dims = slice_out_dims(id.as_slice(), head(&begin, nb), head(&size, ns))
        .map_err(|_| ctx.shape_err(&begin_t))?;
    if Dims::of(&output).as_slice() != head(&dims, id.rank) {
        return Err(ctx.shape_err(&output));
    }
    // slice_out_dims bounded begin by the dim.
    let mut b = [0usize; SLICE_MAX_DIMS];
    for (o, &v) in b.iter_mut().zip(head(&begin, nb)) {
        *o = usize::try_from(v).map_err(|_| ctx.shape_err(&begin_t))?;
    }
    Ok(Data {
        elem: word(ctx, &input, elem)?,
        rank: word(ctx, &input, id.rank)?,
        in_shape: words(ctx, &input, id.as_slice())?,
        begin: words(ctx, &begin_t, &b)?,
        size: words(ctx, &output, &dims)?,
    })
}

fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    let d = params(&ctx.op)?;
    ctx.persist(&d)
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    let d = ctx.data::<Data>()?;
    let r = d.rank as usize;
    let (begin, size) = (d.begin.map(i64::from), d.size.map(i64::from));
    by_size!(d.elem, E => {
        let x = ctx.input::<E>(0)?;
        let out = ctx.output::<E>(0)?;
        slice(head(&sizes(&d.in_shape), r), head(&begin, r), head(&size, r), x, out)
            .map_err(|e| ctx.kernel_err(e))
    })
}
