//! TRANSPOSE: permutes dims by a constant `perm` (int32 or int64), for inputs of up to 6 dims.

use super::movement::{by_size, const_ints, elem_size, head, same_type, Dims};
use super::{Io, OpCtx, OpPlan, Registration};
use crate::error::Error;
use crate::schema::BuiltinOperator;
use microlite_kernels::transpose::{transpose, transpose_out_shape, TRANSPOSE_MAX_DIMS};

pub(crate) fn registration() -> Registration {
    super::legacy_registration!(BuiltinOperator::TRANSPOSE, 7)
}

struct Params {
    input: Dims,
    perm: [usize; TRANSPOSE_MAX_DIMS],
    size: usize,
}

fn params(ctx: &OpCtx<'_>) -> Result<Params, Error> {
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
    Ok(Params {
        input: id,
        perm,
        size,
    })
}

fn prepare(ctx: &OpCtx<'_>, _data: Option<&mut [i32]>) -> Result<OpPlan, Error> {
    params(ctx)?;
    Ok(OpPlan::default())
}

fn eval(ctx: &OpCtx<'_>, io: &mut Io<'_>, _data: &[i32]) -> Result<(), Error> {
    let p = params(ctx)?;
    let r = p.input.rank;
    by_size!(ctx, p.size, E => {
        let x = io.input::<E>(0)?;
        transpose(p.input.as_slice(), head(&p.perm, r), x, io.output::<E>(0)?)
            .map_err(|e| ctx.kernel_err(e))
    })
}
