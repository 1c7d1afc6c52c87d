//! FLOOR_DIV: `floor(x / y)` with broadcasting up to rank 4, float32 only as TFLM (the double
//! quotient floored, then rounded to float). A zero divisor is an error at invoke, as TFLM's
//! "Division by 0".

use super::elementwise::{broadcast_shapes, same_type, Broadcast};
use super::{EvalCtx, PrepareCtx, Registration};
use crate::error::Error;
use crate::schema::{BuiltinOperator, TensorType};
use microlite_kernels::floor_div::floor_div_f32;

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::FLOOR_DIV, 3, prepare, eval)
}

/// Float32 inputs and output of one type, broadcast shapes as op data (FLOOR_MOD's too).
pub(super) fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    let op = ctx.op;
    op.expect_counts(2, 2, 1)?;
    let (in1, in2, output) = (op.input(0)?, op.input(1)?, op.output(0)?);
    same_type(&op, &in1, &in2)?;
    same_type(&op, &in1, &output)?;
    op.expect_type(&in1, TensorType::Float32)?;
    let shapes = broadcast_shapes(&op, &in1, &in2, &output)?;
    ctx.persist(&shapes)
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    let (s1, s2, so) = ctx.data::<Broadcast>()?.shapes();
    let (x, y) = (ctx.input::<f32>(0)?, ctx.input::<f32>(1)?);
    let out = ctx.output::<f32>(0)?;
    floor_div_f32(s1, x, s2, y, so, out).map_err(|e| ctx.kernel_err(e))
}
