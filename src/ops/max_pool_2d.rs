//! MAX_POOL_2D: int8 and float32.

use super::{pool, EvalCtx, Registration};
use crate::error::Error;
use crate::schema::BuiltinOperator;
use microlite_kernels::pooling::{max_pool_f32, max_pool_int16, max_pool_int8};

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::MAX_POOL_2D, 3, pool::prepare, eval)
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    pool::eval(ctx, max_pool_int8, max_pool_int16, max_pool_f32)
}
