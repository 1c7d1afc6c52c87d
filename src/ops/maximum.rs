//! MAXIMUM: float32, int8, int16, int32 and int64 (raw values compared, as TFLM), with
//! broadcasting up to rank 4. MINIMUM (`minimum.rs`) shares this glue.

use super::elementwise::{broadcast_shapes, same_type, Shapes3};
use super::{Element, Io, OpCtx, OpPlan, Registration};
use crate::error::Error;
use crate::schema::{BuiltinOperator, TensorType};
use microlite_kernels::maximum::maximum;
use microlite_kernels::minimum::minimum;

pub(crate) fn registration() -> Registration {
    super::legacy_registration!(BuiltinOperator::MAXIMUM, 4)
}

/// The broadcast shapes and the element type, after validation.
fn params(ctx: &OpCtx<'_>) -> Result<(Shapes3, TensorType), Error> {
    ctx.expect_counts(2, 2, 1)?;
    let (in1, in2, output) = (ctx.input(0)?, ctx.input(1)?, ctx.output(0)?);
    let (s1, s2, so) = broadcast_shapes(ctx, &in1, &in2, &output)?;
    same_type(ctx, &in1, &in2)?;
    same_type(ctx, &in1, &output)?;
    match in1.t.ty() {
        TensorType::Float32
        | TensorType::Int8
        | TensorType::Int16
        | TensorType::Int32
        | TensorType::Int64 => Ok(((s1, s2, so), in1.t.ty())),
        _ => Err(ctx.type_err(&in1)),
    }
}

/// Validation shared by MAXIMUM and MINIMUM (no persistent data: TFLM rescales nothing).
pub(super) fn prepare(ctx: &OpCtx<'_>, _data: Option<&mut [i32]>) -> Result<OpPlan, Error> {
    params(ctx)?;
    Ok(OpPlan::default())
}

fn run<E: Element + PartialOrd>(
    ctx: &OpCtx<'_>,
    io: &mut Io<'_>,
    (s1, s2, so): Shapes3,
    is_max: bool,
) -> Result<(), Error> {
    let (x, y) = (io.input::<E>(0)?, io.input::<E>(1)?);
    let out = io.output::<E>(0)?;
    if is_max {
        maximum(s1, x, s2, y, so, out)
    } else {
        minimum(s1, x, s2, y, so, out)
    }
    .map_err(|e| ctx.kernel_err(e))
}

/// Eval shared by MAXIMUM (`is_max`) and MINIMUM.
pub(super) fn eval_with(ctx: &OpCtx<'_>, io: &mut Io<'_>, is_max: bool) -> Result<(), Error> {
    let (shapes, ty) = params(ctx)?;
    match ty {
        TensorType::Float32 => run::<f32>(ctx, io, shapes, is_max),
        TensorType::Int8 => run::<i8>(ctx, io, shapes, is_max),
        TensorType::Int16 => run::<i16>(ctx, io, shapes, is_max),
        TensorType::Int32 => run::<i32>(ctx, io, shapes, is_max),
        _ => run::<i64>(ctx, io, shapes, is_max),
    }
}

fn eval(ctx: &OpCtx<'_>, io: &mut Io<'_>, _data: &[i32]) -> Result<(), Error> {
    eval_with(ctx, io, true)
}
