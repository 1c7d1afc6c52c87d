//! IF: runs the `then` or the `else` subgraph on inputs `1..`, as input 0 (a bool) says, and
//! copies its outputs to the op's (TFLM copies through the subgraphs' tensors the same way).

use super::control::{check_call, inputs, outputs, persist};
use super::{PrepareCtx, Registration};
use crate::error::Error;
use crate::schema::{BuiltinOperator, TensorType};

/// IfOptions' tag in the builtin options union.
const IF_OPTIONS: u8 = 92;

pub(crate) fn registration() -> Registration {
    Registration::with_hooks(
        BuiltinOperator::IF,
        prepare,
        super::no_eval,
        &crate::interpreter::control::HOOKS,
    )
}

fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    let op = ctx.op;
    let cond = op.input(0)?;
    if cond.t.ty() != TensorType::Bool {
        return Err(op.type_err(&cond));
    }
    if cond.t.element_count() != 1 {
        return Err(op.shape_err(&cond));
    }
    let o = op.options(IF_OPTIONS).ok_or(op.options_err())?;
    let (then, other) = (o.i32(0, 0)?, o.i32(1, 0)?);
    let then = check_call(&op, then, &mut inputs(&op, 1), Some(&mut outputs(&op)))?;
    let other = check_call(&op, other, &mut inputs(&op, 1), Some(&mut outputs(&op)))?;
    persist(ctx, then, other)
}
