//! LOGICAL_AND: `a && b` on bool tensors, broadcasting up to rank 4; the glue is `logical.rs`'s.

use super::{logical, EvalCtx, Registration};
use crate::error::Error;
use crate::schema::BuiltinOperator;

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::LOGICAL_AND, 1, logical::prepare, eval)
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    logical::eval(ctx, microlite_kernels::logical::logical_and)
}
