//! MINIMUM: float32, int8, int16, int32 and int64 (raw values compared, as TFLM), with
//! broadcasting up to rank 4; the glue and its op data are MAXIMUM's (`maximum.rs`).

use super::{EvalCtx, Registration};
use crate::error::Error;
use crate::schema::BuiltinOperator;

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::MINIMUM, 4, super::maximum::prepare, eval)
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    super::maximum::eval_with(ctx, false)
}
