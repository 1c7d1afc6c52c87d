//! SPLIT: cuts a tensor into `num_splits` equal parts along a constant axis (inputs: axis,
//! then the tensor). Raw copies, as TFLM's `SplitImpl`. At most 8 outputs
//! ([`super::MAX_OUTPUTS`]); more is `TooComplex`.

use super::movement::{
    axis, check_outputs, const_ints, elem_size, eval_cut, head, persist_bands, same_type, Dims,
};
use super::{EvalCtx, OpCtx, PrepareCtx, Registration};
use crate::error::Error;
use crate::schema::{options, BuiltinOperator};

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::SPLIT, 4, prepare, eval)
}

/// Checks that the outputs tile `input` (`data` index) along `axis` and are otherwise equal
/// to it; returns the outputs' sizes along the axis (shared with SPLIT_V).
pub(super) fn check_parts(
    ctx: &OpCtx<'_>,
    data: usize,
    axis: usize,
    n: usize,
) -> Result<[usize; super::MAX_OUTPUTS], Error> {
    let input = ctx.input(data)?;
    let id = Dims::of(&input);
    let mut lens = [0usize; super::MAX_OUTPUTS];
    let mut total = 0usize;
    for (k, len) in lens.iter_mut().enumerate().take(n) {
        let output = ctx.output(k)?;
        same_type(ctx, &input, &output)?;
        let d = Dims::of(&output);
        if d.rank != id.rank || !d.without(axis).eq(id.without(axis)) {
            return Err(ctx.shape_err(&output));
        }
        *len = d.dim(axis);
        total = total.saturating_add(*len);
    }
    if total != id.dim(axis) {
        return Err(ctx.shape_err(&input));
    }
    Ok(lens)
}

/// Keeps input `data` cut along `axis` into the `lens` bands of the outputs (shared with
/// SPLIT_V).
pub(super) fn persist_parts(
    ctx: &mut PrepareCtx<'_>,
    data: usize,
    axis: usize,
    lens: &[usize],
) -> Result<(), Error> {
    let op = ctx.op;
    let input = op.input(data)?;
    let size = elem_size(&op, &input)?;
    persist_bands(ctx, &input, size, axis, lens.iter().copied())
}

struct Params {
    n: usize,
    axis: usize,
    lens: [usize; super::MAX_OUTPUTS],
}

fn params(ctx: &OpCtx<'_>) -> Result<Params, Error> {
    ctx.expect_counts(2, 2, ctx.op.outputs().len())?;
    let num = match ctx.options(options::SPLIT) {
        Some(o) => o.i32(0, 0)?,
        None => 0,
    };
    let n = usize::try_from(num)
        .ok()
        .filter(|&n| n > 0)
        .ok_or(ctx.options_err())?;
    check_outputs(ctx, n)?;
    let (axis_t, input) = (ctx.input(0)?, ctx.input(1)?);
    elem_size(ctx, &input)?;
    let (a, count) = const_ints::<1>(ctx, &axis_t)?;
    if count != 1 {
        return Err(ctx.shape_err(&axis_t));
    }
    let id = Dims::of(&input);
    let axis = axis(ctx, a[0], id.rank)?;
    if !id.dim(axis).is_multiple_of(n) {
        return Err(ctx.shape_err(&input));
    }
    let lens = check_parts(ctx, 1, axis, n)?;
    if head(&lens, n).iter().any(|&l| l != id.dim(axis) / n) {
        return Err(ctx.shape_err(&ctx.output(0)?));
    }
    Ok(Params { n, axis, lens })
}

fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    let p = params(&ctx.op)?;
    persist_parts(ctx, 1, p.axis, head(&p.lens, p.n))
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    eval_cut(ctx, 1)
}
