//! TRANSPOSE: permutes dims by a constant `perm` (int32 or int64), for inputs of up to 6 dims.

use super::movement::{by_size, const_ints, elem_size, head, same_type, sizes, word, words, Dims};
use super::{EvalCtx, OpCtx, PrepareCtx, Registration};
use crate::error::Error;
use crate::schema::BuiltinOperator;
use microlite_kernels::transpose::{transpose, transpose_out_shape, TRANSPOSE_MAX_DIMS};

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::TRANSPOSE, 7, prepare, eval)
}

#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Data {
    /// Bytes per element.
    size: u32,
    rank: u32,
    in_shape: [u32; TRANSPOSE_MAX_DIMS],
    perm: [u32; TRANSPOSE_MAX_DIMS],
}

fn params(ctx: &OpCtx<'_>) -> Result<Data, Error> {
    ctx.expect_counts(2, 2, 1)?;
    let (input, perm_t, output) = (ctx.input(0)?, ctx.input(1)?, ctx.output(0)?);
    same_type(ctx, &input, &output)?;
    let size = elem_size(ctx, &input)?;
    let id = Dims::of(&input);
    if id.rank > TRANSPOSE_MAX_DIMS {
        return Err(ctx.shape_err(&input));
    }
    let (v, n) = const_ints::<TRANSPOSE_MAX_DIMS>(ctx, &perm_t)?;
    if n != id.rank || perm_t.t.shape().len() != 1 {
        return Err(ctx.shape_err(&perm_t));
    }
    let mut perm = [0usize; TRANSPOSE_MAX_DIMS];
    for (o, &x) in perm.iter_mut().zip(head(&v, n)) {
        *o = usize::try_from(x).map_err(|_| ctx.shape_err(&perm_t))?;
    }
    let os =
        transpose_out_shape(id.as_slice(), head(&perm, n)).map_err(|_| ctx.shape_err(&perm_t))?;
    if Dims::of(&output).as_slice() != head(&os, n) {
        return Err(ctx.shape_err(&output));
    }
    Ok(Data {
        size: word(ctx, &input, size)?,
        rank: word(ctx, &input, id.rank)?,
        in_shape: words(ctx, &input, id.as_slice())?,
        perm: words(ctx, &perm_t, &perm)?,
    })
}

fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    let d = params(&ctx.op)?;
    ctx.persist(&d)
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    let d = ctx.data::<Data>()?;
    let r = d.rank as usize;
    let (in_shape, perm) = (sizes(&d.in_shape), sizes(&d.perm));
    by_size!(d.size, E => {
        let x = ctx.input::<E>(0)?;
        transpose(head(&in_shape, r), head(&perm, r), x, ctx.output::<E>(0)?)
            .map_err(|e| ctx.kernel_err(e))
    })
}
