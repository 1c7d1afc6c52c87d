//! FLOOR: float32 only, as TFLM (`floorf` per element); the glue is `math.rs`'s.

use super::{math, EvalCtx, Registration};
use crate::error::Error;
use crate::schema::BuiltinOperator;
use microlite_kernels::math::floor_f32;

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::FLOOR, 2, math::prepare_f32, eval)
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    math::eval_f32(ctx, floor_f32)
}
