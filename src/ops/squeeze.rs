//! SQUEEZE: drops size-1 dims (those listed in `squeeze_dims`, or all of them when the list is
//! empty). The bytes do not change: the planner lets the output share the input's memory and
//! the interpreter then skips eval; otherwise eval copies.

use super::movement::{axis, copy_through, same_type, Dims};
use super::{Io, OpCtx, OpPlan, Registration};
use crate::error::Error;
use crate::model::MAX_RANK;
use crate::schema::{options, BuiltinOperator};

pub(crate) fn registration() -> Registration {
    super::legacy_registration!(BuiltinOperator::SQUEEZE, 2)
}

fn prepare(ctx: &OpCtx<'_>, _data: Option<&mut [i32]>) -> Result<OpPlan, Error> {
    ctx.expect_counts(1, 1, 1)?;
    let (input, output) = (ctx.input(0)?, ctx.output(0)?);
    same_type(ctx, &input, &output)?;
    if input.t.byte_size().is_none() {
        return Err(ctx.type_err(&input));
    }
    let id = Dims::of(&input);
    let mut squeeze = [false; MAX_RANK];
    let listed = match ctx.options(options::SQUEEZE) {
        Some(o) => o.vector(0, 4)?,
        None => crate::flatbuf::Vector::empty(&[], 4),
    };
    if listed.len() == 0 {
        for (s, &d) in squeeze.iter_mut().zip(id.as_slice()) {
            *s = d == 1;
        }
    } else {
        for k in 0..listed.len() {
            let d = axis(ctx, i64::from(listed.i32(k)), id.rank)?;
            match squeeze.get_mut(d) {
                Some(s) if id.dim(d) == 1 => *s = true,
                _ => return Err(ctx.options_err()),
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
        return Err(ctx.shape_err(&output));
    }
    Ok(OpPlan::default())
}

fn eval(_ctx: &OpCtx<'_>, io: &mut Io<'_>, _data: &[i32]) -> Result<(), Error> {
    copy_through(io)
}
