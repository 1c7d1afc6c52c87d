//! SPLIT_V: cuts a tensor into parts of given sizes along a constant axis (inputs: the tensor,
//! `size_splits`, axis). As TFLM, the parts' sizes come from the output shapes; a constant
//! `size_splits` must agree with them (one entry may be -1). At most 8 outputs.

use super::movement::{axis, check_outputs, const_ints, elem_size, eval_cut, head, Dims};
use super::split::{check_parts, persist_parts};
use super::{EvalCtx, OpCtx, PrepareCtx, Registration};
use crate::error::Error;
use crate::schema::{options, BuiltinOperator};

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::SPLIT_V, 2, prepare, eval)
}

struct Params {
    n: usize,
    axis: usize,
    lens: [usize; super::MAX_OUTPUTS],
}

fn params(ctx: &OpCtx<'_>) -> Result<Params, Error> {
    ctx.expect_counts(3, 3, ctx.op.outputs().len())?;
    let n = ctx.op.outputs().len();
    check_outputs(ctx, n)?;
    if let Some(o) = ctx.options(options::SPLIT_V) {
        let num = o.i32(0, 0)?;
        if num < 0 || num as usize != n {
            return Err(ctx.options_err());
        }
    }
    let (input, sizes, axis_t) = (ctx.input(0)?, ctx.input(1)?, ctx.input(2)?);
    elem_size(ctx, &input)?;
    let (a, count) = const_ints::<1>(ctx, &axis_t)?;
    if count != 1 {
        return Err(ctx.shape_err(&axis_t));
    }
    let axis = axis(ctx, a[0], Dims::of(&input).rank)?;
    let lens = check_parts(ctx, 0, axis, n)?;
    if sizes.t.data().is_some() {
        let (s, count) = const_ints::<{ super::MAX_OUTPUTS }>(ctx, &sizes)?;
        let agree = s
            .iter()
            .zip(head(&lens, n))
            .all(|(&s, &l)| s == -1 || s == l as i64);
        if count != n || !agree {
            return Err(ctx.shape_err(&sizes));
        }
    }
    Ok(Params { n, axis, lens })
}

fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    let p = params(&ctx.op)?;
    persist_parts(ctx, 0, p.axis, head(&p.lens, p.n))
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    eval_cut(ctx, 0)
}
