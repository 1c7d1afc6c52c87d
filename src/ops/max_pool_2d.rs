//! MAX_POOL_2D: int8 and float32.

use super::{pool, Io, OpCtx, Registration};
use crate::error::Error;
use crate::schema::BuiltinOperator;
use microlite_kernels::pooling::{max_pool_f32, max_pool_int8};

pub(crate) fn registration() -> Registration {
    super::legacy_registration!(BuiltinOperator::MAX_POOL_2D, 3, pool::prepare, eval)
}

fn eval(ctx: &OpCtx<'_>, io: &mut Io<'_>, _data: &[i32]) -> Result<(), Error> {
    pool::eval(ctx, io, max_pool_int8, max_pool_f32)
}
