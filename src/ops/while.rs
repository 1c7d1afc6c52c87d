//! WHILE: runs the condition subgraph on the loop values and, while its output 0 is true,
//! the body subgraph, whose outputs become the next loop values (the op's outputs). As TFLM,
//! every value is copied between the op's tensors and the subgraphs'. The interpreter stops a
//! loop that runs past its limit (`Interpreter::set_loop_limit`).

use super::control::{check_call, inputs, outputs, persist};
use super::{PrepareCtx, Registration};
use crate::error::Error;
use crate::schema::BuiltinOperator;

/// WhileOptions' tag in the builtin options union.
const WHILE_OPTIONS: u8 = 93;

pub(crate) fn registration() -> Registration {
    Registration::with_hooks(
        BuiltinOperator::WHILE,
        prepare,
        super::no_eval,
        &crate::interpreter::control::HOOKS,
    )
}

fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    let op = ctx.op;
    let n = op.op.inputs().len();
    if op.op.outputs().len() != n {
        return Err(op.count_err());
    }
    // The inputs are copied to the outputs before the first iteration.
    for k in 0..n {
        let (i, o) = (op.input(k)?, op.output(k)?);
        if i.t.ty() != o.t.ty() || i.t.byte_size() != o.t.byte_size() {
            return Err(op.shape_err(&o));
        }
    }
    let o = op.options(WHILE_OPTIONS).ok_or(op.options_err())?;
    let (cond, body) = (o.i32(0, 0)?, o.i32(1, 0)?);
    let cond = check_call(&op, cond, &mut inputs(&op, 0), None)?;
    let body = check_call(&op, body, &mut outputs(&op), Some(&mut outputs(&op)))?;
    persist(ctx, cond, body)
}
