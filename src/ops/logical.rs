//! Glue shared by LOGICAL_AND and LOGICAL_OR: two bool inputs broadcast (up to rank 4) onto a
//! bool output. TFLM checks no type there and reads whatever it gets as bools; microlite
//! takes bool tensors only.

use super::elementwise::{broadcast_shapes, Broadcast};
use super::{EvalCtx, PrepareCtx};
use crate::error::Error;
use crate::schema::TensorType;
use microlite_kernels::KernelError;

/// A broadcasting logical kernel from `microlite_kernels::logical`.
pub(crate) type LogicalKernel =
    fn([usize; 4], &[u8], [usize; 4], &[u8], [usize; 4], &mut [u8]) -> Result<(), KernelError>;

/// Validates a binary logical op and keeps its geometry.
pub(crate) fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    let op = ctx.op;
    op.expect_counts(2, 2, 1)?;
    let (in1, in2, output) = (op.input(0)?, op.input(1)?, op.output(0)?);
    let shapes = broadcast_shapes(&op, &in1, &in2, &output)?;
    for t in [&in1, &in2, &output] {
        op.expect_type(t, TensorType::Bool)?;
    }
    ctx.persist(&shapes)
}

/// Runs `kernel` on the geometry prepare kept.
pub(crate) fn eval(ctx: &mut EvalCtx<'_>, kernel: LogicalKernel) -> Result<(), Error> {
    let (s1, s2, so) = ctx.data::<Broadcast>()?.shapes();
    let (x, y) = (ctx.input::<u8>(0)?, ctx.input::<u8>(1)?);
    let out = ctx.output::<u8>(0)?;
    kernel(s1, x, s2, y, so, out).map_err(|e| ctx.kernel_err(e))
}
