//! CALL_ONCE: runs its initialization subgraph (no inputs or outputs; it assigns resource
//! variables) at the first invoke only. As TFLM, `Interpreter::reset` does not make it run
//! again: the variables go back to their default instead.

use super::control::{check_call, persist};
use super::{PrepareCtx, Registration};
use crate::error::Error;
use crate::schema::BuiltinOperator;

/// CallOnceOptions' tag in the builtin options union.
const CALL_ONCE_OPTIONS: u8 = 103;

pub(crate) fn registration() -> Registration {
    Registration::with_hooks(
        BuiltinOperator::CALL_ONCE,
        prepare,
        super::no_eval,
        &crate::interpreter::control::HOOKS,
    )
}

fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    let op = ctx.op;
    op.expect_counts(0, 0, 0)?;
    let o = op.options(CALL_ONCE_OPTIONS).ok_or(op.options_err())?;
    let init = check_call(
        &op,
        o.i32(0, 0)?,
        &mut core::iter::empty(),
        Some(&mut core::iter::empty()),
    )?;
    persist(ctx, init, u32::MAX)
}
