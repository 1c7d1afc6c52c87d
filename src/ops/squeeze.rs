//! SQUEEZE: drops size-1 dims (those listed in `squeeze_dims`, or all of them when the list is
//! empty). The bytes do not change: the planner lets the output share the input's memory and
//! the interpreter then skips eval; otherwise eval copies.

use super::movement::{axis, copy_through, same_type, Dims};
use super::{EvalCtx, PrepareCtx, Registration};
use crate::error::Error;
use crate::model::MAX_RANK;
use crate::schema::{options, BuiltinOperator};

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::SQUEEZE, 2, prepare, eval)
}

/// Validation only: eval needs nothing but the tensors' bytes.
fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    let op = &ctx.op;
    op.expect_counts(1, 1, 1)?;
    let (input, output) = (op.input(0)?, op.output(0)?);
    same_type(op, &input, &output)?;
    if input.t.byte_size().is_none() {
        return Err(op.type_err(&input));
    }
    let id = Dims::of(&input);
    let mut squeeze = [false; MAX_RANK];
    let listed = match op.options(options::SQUEEZE) {
        Some(o) => o.vector(0, 4)?,
        None => crate::flatbuf::Vector::empty(&[], 4),
    };
    if listed.len() == 0 {
        for (s, &d) in squeeze.iter_mut().zip(id.as_slice()) {
            *s = d == 1;
        }
    } else {
        for k in 0..listed.len() {
            let d = axis(op, i64::from(listed.i32(k)), id.rank)?;
            match squeeze.get_mut(d) {
                Some(s) if id.dim(d) == 1 => *s = true,
                _ => return Err(op.options_err()),
            }
        }
    }
    let od = Dims::of(&output);
    let kept = id
        .as_slice()
        .iter()
        .zip(squeeze)
        .filter(|&(_, s)| !s)
        .map(|(&d, _)| d);
    if !kept.eq(od.as_slice().iter().copied()) {
        return Err(op.shape_err(&output));
    }
    Ok(())
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    copy_through(ctx)
}
