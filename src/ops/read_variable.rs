//! READ_VARIABLE: copies a resource variable's bytes to the output. The interpreter checks
//! that an ASSIGN_VARIABLE gave the variable the output's size.

use super::{EvalCtx, PrepareCtx, Registration};
use crate::error::Error;
use crate::schema::{BuiltinOperator, TensorType};

pub(crate) fn registration() -> Registration {
    Registration::with_hooks(
        BuiltinOperator::READ_VARIABLE,
        prepare,
        eval,
        &crate::interpreter::variables::HOOKS,
    )
}

fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    let op = ctx.op;
    op.expect_counts(1, 1, 1)?;
    let handle = op.input(0)?;
    if handle.t.ty() != TensorType::Resource {
        return Err(op.type_err(&handle));
    }
    Ok(())
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    let value = ctx.input_bytes(0)?;
    let out = ctx.output::<u8>(0)?;
    if out.len() != value.len() {
        return Err(Error::OperandCount { op: ctx.op_index });
    }
    out.copy_from_slice(value);
    Ok(())
}
