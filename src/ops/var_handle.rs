//! VAR_HANDLE: names a resource variable (container and shared name). Every handle of one
//! variable shares that variable's bytes, which the interpreter plans once for the
//! interpreter's life; the op itself does nothing at invoke.

use super::{EvalCtx, PrepareCtx, Registration};
use crate::error::Error;
use crate::schema::{BuiltinOperator, TensorType};

pub(crate) fn registration() -> Registration {
    Registration::with_hooks(
        BuiltinOperator::VAR_HANDLE,
        prepare,
        eval,
        &crate::interpreter::variables::HOOKS,
    )
}

fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    let op = ctx.op;
    op.expect_counts(0, 0, 1)?;
    let handle = op.output(0)?;
    if handle.t.ty() != TensorType::Resource {
        return Err(op.type_err(&handle));
    }
    Ok(())
}

fn eval(_: &mut EvalCtx<'_>) -> Result<(), Error> {
    Ok(())
}
