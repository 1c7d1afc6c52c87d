//! Glue shared by the float32-only unary math ops (NEG, SQUARE, SQRT, EXP, LOG, SIN, COS,
//! FLOOR, CEIL, ROUND; ABS and RSQRT use it for their float32 case): one input and one
//! output, both float32, of one shape. TFLM has no integer kernel for any of them.

use super::elementwise::same_shape;
use super::{EvalCtx, OpCtx, PrepareCtx, T};
use crate::error::Error;
use crate::schema::TensorType;
use microlite_kernels::KernelError;

/// A float32 unary kernel from `microlite_kernels::math`.
pub(crate) type UnaryF32 = fn(&[f32], &mut [f32]) -> Result<(), KernelError>;

/// The input and output of a one-in, one-out op: same type, same shape (the type is left to
/// the op).
pub(crate) fn unary_same<'m>(op: &OpCtx<'m>) -> Result<(T<'m>, T<'m>), Error> {
    op.expect_counts(1, 1, 1)?;
    let (input, output) = (op.input(0)?, op.output(0)?);
    if input.t.ty() != output.t.ty() {
        return Err(op.type_err(&output));
    }
    same_shape(op, &input, &output)?;
    Ok((input, output))
}

/// Prepare of a float32-only unary op: nothing to keep.
pub(crate) fn prepare_f32(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    let op = ctx.op;
    let (input, _) = unary_same(&op)?;
    if input.t.ty() != TensorType::Float32 {
        return Err(op.type_err(&input));
    }
    Ok(())
}

/// Eval of a float32 unary op: `f` over the whole tensor.
pub(crate) fn eval_f32(ctx: &mut EvalCtx<'_>, f: UnaryF32) -> Result<(), Error> {
    let x = ctx.input::<f32>(0)?;
    let out = ctx.output::<f32>(0)?;
    f(x, out).map_err(|e| ctx.kernel_err(e))
}
