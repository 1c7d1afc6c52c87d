//! L2_POOL_2D: float32 only, as TFLM (`sqrt` of the mean of the squared taps inside the
//! input); the geometry and fused activation are the other pooling ops'.

use super::{pool, EvalCtx, PrepareCtx, Registration};
use crate::error::Error;
use crate::schema::{BuiltinOperator, TensorType};
use microlite_kernels::pooling::l2_pool_f32;
use microlite_kernels::KernelError;

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::L2_POOL_2D, 1, prepare, eval)
}

fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    let op = ctx.op;
    op.expect_counts(1, 1, 1)?;
    let input = op.input(0)?;
    if input.t.ty() != TensorType::Float32 {
        return Err(op.type_err(&input));
    }
    pool::prepare(ctx)
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    // Prepare admits float32 only: the integer kernels are never called.
    pool::eval(
        ctx,
        |_, _, _, _, _, _, _| Err(KernelError::BadParams),
        |_, _, _, _, _, _, _| Err(KernelError::BadParams),
        l2_pool_f32,
    )
}
