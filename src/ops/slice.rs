//! SLICE: a box of an up-to-5-D tensor, from constant `begin` and `size` (int32 or int64;
//! `size` -1 means "to the end"), validated as TFLM's `GetValidatedBeginAndSizeVectors`.

use super::movement::{by_size, const_ints, elem_size, head, same_type, Dims};
use super::{Io, OpCtx, OpPlan, Registration};
use crate::error::Error;
use crate::schema::BuiltinOperator;
use microlite_kernels::slice::{slice, slice_out_dims};
use microlite_kernels::strided_slice::SLICE_MAX_DIMS;

pub(crate) fn registration() -> Registration {
    super::legacy_registration!(BuiltinOperator::SLICE, 6)
}

struct Params {
    input: Dims,
    begin: [i64; SLICE_MAX_DIMS],
    size: [i64; SLICE_MAX_DIMS],
    elem: usize,
}

fn params(ctx: &OpCtx<'_>) -> Result<Params, Error> {
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
    Ok(Params {
        input: id,
        begin,
        size,
        elem,
    })
}

fn prepare(ctx: &OpCtx<'_>, _data: Option<&mut [i32]>) -> Result<OpPlan, Error> {
    params(ctx)?;
    Ok(OpPlan::default())
}

fn eval(ctx: &OpCtx<'_>, io: &mut Io<'_>, _data: &[i32]) -> Result<(), Error> {
    let p = params(ctx)?;
    let r = p.input.rank;
    by_size!(ctx, p.elem, E => {
        let x = io.input::<E>(0)?;
        slice(p.input.as_slice(), head(&p.begin, r), head(&p.size, r), x, io.output::<E>(0)?)
            .map_err(|e| ctx.kernel_err(e))
    })
}
