//! ROUND: float32 only, as TFLM (half to even, as `reference_ops::RoundToNearest`); the glue
//! is `math.rs`'s.

use super::{math, EvalCtx, Registration};
use crate::error::Error;
use crate::schema::BuiltinOperator;
use microlite_kernels::math::round_f32;

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::ROUND, 1, math::prepare_f32, eval)
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    math::eval_f32(ctx, round_f32)
}
