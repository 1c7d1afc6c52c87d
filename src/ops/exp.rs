//! EXP: float32 only, as TFLM (`expf` per element); the glue is `math.rs`'s.

use super::{math, EvalCtx, Registration};
use crate::error::Error;
use crate::schema::BuiltinOperator;
use microlite_kernels::math::exp_f32;

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::EXP, 2, math::prepare_f32, eval)
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    math::eval_f32(ctx, exp_f32)
}
