//! CAST: TFLM's per-element `static_cast` from int8, int16, int32, uint32, float32 or bool to
//! int8, int16, int32, uint32 or float32 (same element count; see
//! `microlite_kernels::cast` for float-to-int outside the target's range).

use super::{EvalCtx, PrepareCtx, Registration};
use crate::error::Error;
use crate::schema::{BuiltinOperator, TensorType};
use microlite_kernels::cast::{cast, CastSource};

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::CAST, 6, prepare, eval)
}

#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Data {
    from: u32,
    to: u32,
}

fn source(ty: TensorType) -> bool {
    matches!(
        ty,
        TensorType::Int8
            | TensorType::Int16
            | TensorType::Int32
            | TensorType::UInt32
            | TensorType::Float32
            | TensorType::Bool
    )
}

fn target(ty: TensorType) -> bool {
    matches!(
        ty,
        TensorType::Int8
            | TensorType::Int16
            | TensorType::Int32
            | TensorType::UInt32
            | TensorType::Float32
    )
}

fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    let op = ctx.op;
    op.expect_counts(1, 1, 1)?;
    let (input, output) = (op.input(0)?, op.output(0)?);
    if !source(input.t.ty()) {
        return Err(op.type_err(&input));
    }
    if !target(output.t.ty()) {
        return Err(op.type_err(&output));
    }
    if input.t.byte_size().is_none() || input.t.element_count() != output.t.element_count() {
        return Err(op.shape_err(&output));
    }
    ctx.persist(&Data {
        from: input.t.ty() as u32,
        to: output.t.ty() as u32,
    })
}

fn run<I: CastSource + bytemuck::Pod + super::Element>(
    ctx: &mut EvalCtx<'_>,
    to: u32,
) -> Result<(), Error> {
    let x = ctx.input::<I>(0)?;
    let r = match to {
        t if t == TensorType::Int8 as u32 => cast(x, ctx.output::<i8>(0)?),
        t if t == TensorType::Int16 as u32 => cast(x, ctx.output::<i16>(0)?),
        t if t == TensorType::Int32 as u32 => cast(x, ctx.output::<i32>(0)?),
        t if t == TensorType::UInt32 as u32 => cast(x, ctx.output::<u32>(0)?),
        t if t == TensorType::Float32 as u32 => cast(x, ctx.output::<f32>(0)?),
        _ => return Err(Error::TooComplex),
    };
    r.map_err(|e| ctx.kernel_err(e))
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    let d = *ctx.data::<Data>()?;
    match d.from {
        t if t == TensorType::Int8 as u32 => run::<i8>(ctx, d.to),
        t if t == TensorType::Int16 as u32 => run::<i16>(ctx, d.to),
        t if t == TensorType::Int32 as u32 => run::<i32>(ctx, d.to),
        t if t == TensorType::UInt32 as u32 => run::<u32>(ctx, d.to),
        t if t == TensorType::Float32 as u32 => run::<f32>(ctx, d.to),
        // A bool tensor's bytes (0 or 1).
        t if t == TensorType::Bool as u32 => run::<u8>(ctx, d.to),
        _ => Err(Error::TooComplex),
    }
}
