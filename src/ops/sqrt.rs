//! SQRT: float32 only, as TFLM (`sqrtf` per element); the glue is `math.rs`'s.

use super::{math, EvalCtx, Registration};
use crate::error::Error;
use crate::schema::BuiltinOperator;
use microlite_kernels::math::sqrt_f32;

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::SQRT, 1, math::prepare_f32, eval)
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    math::eval_f32(ctx, sqrt_f32)
}
