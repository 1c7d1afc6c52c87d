//! ARG_MIN over one constant axis: float32, int8, int16 and int32 inputs; int32 (as TFLM) or
//! int64 output; ties pick the first index. The glue is ARG_MAX's (`arg_max.rs`).

use super::{EvalCtx, Registration};
use crate::error::Error;
use crate::schema::BuiltinOperator;

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::ARG_MIN, 3, super::arg_max::prepare, eval)
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    super::arg_max::eval_with(ctx, false)
}
