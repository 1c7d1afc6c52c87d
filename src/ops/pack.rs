//! PACK: stacks `values_count` same-shaped tensors along a new axis (raw copies, as TFLM's
//! `PackImpl`; int8 inputs are not requantized).

use super::movement::{axis, elem_size, eval_join, persist_bands, same_type, Dims};
use super::{EvalCtx, OpCtx, PrepareCtx, Registration};
use crate::error::Error;
use crate::model::MAX_RANK;
use crate::schema::{options, BuiltinOperator};

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::PACK, 4, prepare, eval)
}

struct Params {
    n: usize,
    size: usize,
    axis: usize,
}

fn params(ctx: &OpCtx<'_>) -> Result<Params, Error> {
    let n = ctx.op.inputs().len();
    ctx.expect_counts(1, usize::MAX, 1)?;
    let output = ctx.output(0)?;
    let (count, raw_axis) = match ctx.options(options::PACK) {
        Some(o) => (o.i32(0, 0)?, o.i32(1, 0)?),
        None => (0, 0),
    };
    if count < 0 || count as usize != n {
        return Err(ctx.options_err());
    }
    let out = Dims::of(&output);
    let axis = axis(ctx, i64::from(raw_axis), out.rank)?;
    let size = elem_size(ctx, &output)?;
    if out.dim(axis) != n {
        return Err(ctx.shape_err(&output));
    }
    for k in 0..n {
        let input = ctx.input(k)?;
        same_type(ctx, &output, &input)?;
        let d = Dims::of(&input);
        // The input is the output without the axis.
        let ok = d.rank + 1 == out.rank && out.without(axis).eq(d.without(MAX_RANK));
        if !ok {
            return Err(ctx.shape_err(&input));
        }
    }
    Ok(Params { n, size, axis })
}

/// The output cut into one band per input.
fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    let op = ctx.op;
    let p = params(&op)?;
    let lens = core::iter::repeat_n(1, p.n);
    persist_bands(ctx, &op.output(0)?, p.size, p.axis, lens)
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    eval_join(ctx)
}
