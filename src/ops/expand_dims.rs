//! EXPAND_DIMS: inserts a size-1 dim at a constant axis (`-rank - 1 ..= rank`). The bytes do
//! not change: the planner lets the output share the input's memory and the interpreter then
//! skips eval; otherwise eval copies.

use super::movement::{const_ints, copy_through, same_type, Dims};
use super::{EvalCtx, PrepareCtx, Registration};
use crate::error::Error;
use crate::model::MAX_RANK;
use crate::schema::BuiltinOperator;

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::EXPAND_DIMS, 3, prepare, eval)
}

/// Validation only: eval needs nothing but the tensors' bytes.
fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    let op = &ctx.op;
    op.expect_counts(2, 2, 1)?;
    let (input, axis_t, output) = (op.input(0)?, op.input(1)?, op.output(0)?);
    same_type(op, &input, &output)?;
    if input.t.byte_size().is_none() {
        return Err(op.type_err(&input));
    }
    let (a, n) = const_ints::<1>(op, &axis_t)?;
    if n != 1 || axis_t.t.shape().len() > 1 {
        return Err(op.shape_err(&axis_t));
    }
    let id = Dims::of(&input);
    let rank = id.rank as i64;
    let a = if a[0] < 0 { a[0] + rank + 1 } else { a[0] };
    if a < 0 || a > rank {
        return Err(op.options_err());
    }
    let a = a as usize;
    let od = Dims::of(&output);
    let ok = od.rank == id.rank + 1 && od.dim(a) == 1 && od.without(a).eq(id.without(MAX_RANK));
    if !ok {
        return Err(op.shape_err(&output));
    }
    Ok(())
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    copy_through(ctx)
}
