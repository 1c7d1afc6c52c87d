//! MINIMUM: float32, int8, int16, int32 and int64 (raw values compared, as TFLM), with
//! broadcasting up to rank 4; the glue is MAXIMUM's (`maximum.rs`).

use super::{Io, OpCtx, Registration};
use crate::error::Error;
use crate::schema::BuiltinOperator;

pub(crate) fn registration() -> Registration {
    super::legacy_registration!(BuiltinOperator::MINIMUM, 4, super::maximum::prepare, eval)
}

fn eval(ctx: &OpCtx<'_>, io: &mut Io<'_>, _data: &[i32]) -> Result<(), Error> {
    super::maximum::eval_with(ctx, io, false)
}
