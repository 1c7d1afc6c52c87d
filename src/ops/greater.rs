//! GREATER: float32, int32, int64 and int8 (rescaled, as TFLM), broadcasting up to rank 4, into a bool output; the glue is `comparison.rs`'s.

use super::{comparison, EvalCtx, PrepareCtx, Registration};
use crate::error::Error;
use crate::schema::BuiltinOperator;
use microlite_kernels::comparisons::ComparisonOp;

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::GREATER, 2, prepare, eval)
}

fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    comparison::prepare(ctx, ComparisonOp::Greater)
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    comparison::eval(ctx, ComparisonOp::Greater)
}
