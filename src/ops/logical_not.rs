//! LOGICAL_NOT: `!a` on a bool tensor, same shape out (TFLM's `elementwise.cc`, bool only).

use super::math::unary_same;
use super::{EvalCtx, PrepareCtx, Registration};
use crate::error::Error;
use crate::schema::{BuiltinOperator, TensorType};
use microlite_kernels::logical::logical_not;

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::LOGICAL_NOT, 1, prepare, eval)
}

fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    let op = ctx.op;
    let (input, _) = unary_same(&op)?;
    op.expect_type(&input, TensorType::Bool)
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    let x = ctx.input::<u8>(0)?;
    let out = ctx.output::<u8>(0)?;
    logical_not(x, out).map_err(|e| ctx.kernel_err(e))
}
