//! ASSIGN_VARIABLE: copies input 1 into the resource variable input 0 names. The first one
//! (in TFLM's prepare order) gives the variable its size and its default (the value's zero
//! point), to which `Interpreter::reset` returns it.

use super::{EvalCtx, PrepareCtx, Registration};
use crate::error::Error;
use crate::schema::{BuiltinOperator, TensorType};

pub(crate) fn registration() -> Registration {
    Registration::with_hooks(
        BuiltinOperator::ASSIGN_VARIABLE,
        prepare,
        eval,
        &crate::interpreter::variables::HOOKS,
    )
}

fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    let op = ctx.op;
    op.expect_counts(2, 2, 0)?;
    let handle = op.input(0)?;
    if handle.t.ty() != TensorType::Resource {
        return Err(op.type_err(&handle));
    }
    ctx.state_input(0)
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    let value = ctx.input_bytes(1)?;
    let var = ctx.state::<u8>(0)?;
    if var.len() != value.len() {
        return Err(Error::OperandCount { op: ctx.op_index });
    }
    var.copy_from_slice(value);
    Ok(())
}
