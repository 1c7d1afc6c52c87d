//! RESHAPE: same bytes, new shape (a copy, as in TFLM; shapes are static after conversion).

use super::movement::copy_through;
use super::{EvalCtx, PrepareCtx, Registration};
use crate::error::Error;
use crate::schema::BuiltinOperator;

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::RESHAPE, 2, prepare, eval)
}

/// Validation only: eval needs nothing but the tensors' bytes.
fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    let op = &ctx.op;
    op.expect_counts(1, 2, 1)?;
    let (input, output) = (op.input(0)?, op.output(0)?);
    if input.t.ty() != output.t.ty() {
        return Err(op.type_err(&output));
    }
    if input.t.byte_size().is_none() || input.t.element_count() != output.t.element_count() {
        return Err(op.shape_err(&output));
    }
    Ok(())
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    copy_through(ctx)
}
