//! UNPACK: splits a tensor into `num` tensors along an axis, dropping that axis (raw copies, as
//! TFLM's `UnpackImpl`). At most 8 outputs ([`super::MAX_OUTPUTS`]); more is `TooComplex`.

use super::movement::{axis, check_outputs, elem_size, eval_cut, persist_bands, same_type, Dims};
use super::{EvalCtx, OpCtx, PrepareCtx, Registration};
use crate::error::Error;
use crate::model::MAX_RANK;
use crate::schema::{options, BuiltinOperator};

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::UNPACK, 4, prepare, eval)
}

struct Params {
    n: usize,
    size: usize,
    axis: usize,
}

fn params(ctx: &OpCtx<'_>) -> Result<Params, Error> {
    ctx.expect_counts(1, 1, ctx.op.outputs().len())?;
    let input = ctx.input(0)?;
    let (num, raw_axis) = match ctx.options(options::UNPACK) {
        Some(o) => (o.i32(0, 0)?, o.i32(1, 0)?),
        None => (0, 0),
    };
    let n = usize::try_from(num).map_err(|_| ctx.options_err())?;
    check_outputs(ctx, n)?;
    let id = Dims::of(&input);
    let axis = axis(ctx, i64::from(raw_axis), id.rank)?;
    if id.dim(axis) != n {
        return Err(ctx.shape_err(&input));
    }
    let size = elem_size(ctx, &input)?;
    for k in 0..n {
        let output = ctx.output(k)?;
        same_type(ctx, &input, &output)?;
        let d = Dims::of(&output);
        let ok = d.rank + 1 == id.rank && id.without(axis).eq(d.without(MAX_RANK));
        if !ok {
            return Err(ctx.shape_err(&output));
        }
    }
    Ok(Params { n, size, axis })
}

/// The input cut into one band per output.
fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    let op = ctx.op;
    let p = params(&op)?;
    let lens = core::iter::repeat_n(1, p.n);
    persist_bands(ctx, &op.input(0)?, p.size, p.axis, lens)
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    eval_cut(ctx, 0)
}
