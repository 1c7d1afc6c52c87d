//! BROADCAST_ARGS: the broadcast of two 1-D int32 or int64 shape tensors (graph inputs or
//! constants), as TFLM's `reference_ops::BroadcastArgs`: the output's own length, entries
//! right-aligned, missing ones read as 1, int64 entries read through a C `int`. Two entries
//! that differ with neither 1 fail the invoke (TFLM aborts).

use super::{kinds, EvalCtx, PrepareCtx, Registration};
use crate::error::Error;
use crate::schema::{BuiltinOperator, TensorType};
use microlite_kernels::broadcast_to::broadcast_args;

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::BROADCAST_ARGS, 1, prepare, eval)
}

kinds! {
    enum Kind { Int32, Int64 }
}

fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    let op = ctx.op;
    op.expect_counts(2, 2, 1)?;
    let (a, b, output) = (op.input(0)?, op.input(1)?, op.output(0)?);
    let kind = match a.t.ty() {
        TensorType::Int32 => Kind::Int32,
        TensorType::Int64 => Kind::Int64,
        _ => return Err(op.type_err(&a)),
    };
    for t in [&b, &output] {
        if t.t.ty() != a.t.ty() {
            return Err(op.type_err(t));
        }
        if t.t.shape().len() != 1 {
            return Err(op.shape_err(t));
        }
    }
    if a.t.shape().len() != 1 {
        return Err(op.shape_err(&a));
    }
    ctx.persist(&kind.tag())
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    let kind = Kind::from_tag(*ctx.data::<u32>()?)?;
    match kind {
        Kind::Int32 => {
            let (a, b) = (ctx.input::<i32>(0)?, ctx.input::<i32>(1)?);
            broadcast_args(a, b, ctx.output::<i32>(0)?)
        }
        Kind::Int64 => {
            let (a, b) = (ctx.input::<i64>(0)?, ctx.input::<i64>(1)?);
            broadcast_args(a, b, ctx.output::<i64>(0)?)
        }
    }
    .map_err(|e| ctx.kernel_err(e))
}
