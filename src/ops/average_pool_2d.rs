//! AVERAGE_POOL_2D: int8 (average rounded half away from zero, as TFLM) and float32.

use super::{pool, EvalCtx, Registration};
use crate::error::Error;
use crate::schema::BuiltinOperator;
use microlite_kernels::pooling::{average_pool_f32, average_pool_int16, average_pool_int8};

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::AVERAGE_POOL_2D, 3, pool::prepare, eval)
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    pool::eval(ctx, average_pool_int8, average_pool_int16, average_pool_f32)
}
