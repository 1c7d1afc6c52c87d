//! MAXIMUM: float32, int8, int16, int32 and int64 (raw values compared, as TFLM), with
//! broadcasting up to rank 4. MINIMUM (`minimum.rs`) shares this glue.

use super::elementwise::{broadcast_shapes, same_type, Broadcast};
use super::{kinds, Element, EvalCtx, PrepareCtx, Registration};
use crate::error::Error;
use crate::schema::{BuiltinOperator, TensorType};
use microlite_kernels::maximum::maximum;
use microlite_kernels::minimum::minimum;

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::MAXIMUM, 4, prepare, eval)
}

kinds! {
    enum Kind { Float32, Int8, Int16, Int32, Int64 }
}

/// What eval needs, fixed at prepare (TFLM rescales nothing).
#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Data {
    kind: u32,
    shapes: Broadcast,
}

/// Validation shared by MAXIMUM and MINIMUM.
pub(super) fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    let op = ctx.op;
    op.expect_counts(2, 2, 1)?;
    let (in1, in2, output) = (op.input(0)?, op.input(1)?, op.output(0)?);
    let shapes = broadcast_shapes(&op, &in1, &in2, &output)?;
    same_type(&op, &in1, &in2)?;
    same_type(&op, &in1, &output)?;
    let kind = match in1.t.ty() {
        TensorType::Float32 => Kind::Float32,
        TensorType::Int8 => Kind::Int8,
        TensorType::Int16 => Kind::Int16,
        TensorType::Int32 => Kind::Int32,
        TensorType::Int64 => Kind::Int64,
        _ => return Err(op.type_err(&in1)),
    };
    ctx.persist(&Data {
        kind: kind.tag(),
        shapes,
    })
}

fn run<E: Element + PartialOrd>(
    ctx: &mut EvalCtx<'_>,
    d: &Data,
    is_max: bool,
) -> Result<(), Error> {
    let (s1, s2, so) = d.shapes.shapes();
    let (x, y) = (ctx.input::<E>(0)?, ctx.input::<E>(1)?);
    let out = ctx.output::<E>(0)?;
    if is_max {
        maximum(s1, x, s2, y, so, out)
    } else {
        minimum(s1, x, s2, y, so, out)
    }
    .map_err(|e| ctx.kernel_err(e))
}

/// Eval shared by MAXIMUM (`is_max`) and MINIMUM.
pub(super) fn eval_with(ctx: &mut EvalCtx<'_>, is_max: bool) -> Result<(), Error> {
    let d = ctx.data::<Data>()?;
    match Kind::from_tag(d.kind)? {
        Kind::Float32 => run::<f32>(ctx, d, is_max),
        Kind::Int8 => run::<i8>(ctx, d, is_max),
        Kind::Int16 => run::<i16>(ctx, d, is_max),
        Kind::Int32 => run::<i32>(ctx, d, is_max),
        Kind::Int64 => run::<i64>(ctx, d, is_max),
    }
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    eval_with(ctx, true)
}
