//! Glue shared by EQUAL, NOT_EQUAL, GREATER, GREATER_EQUAL, LESS and LESS_EQUAL: two inputs of
//! one type broadcast (up to rank 4) onto a bool output. TFLM's dtypes: float32, int32, int64
//! and int8 (rescaled onto one scale) for all six, and bool for EQUAL and NOT_EQUAL.
//!
//! TFLM's GREATER also has an int16 case, but its prepare computes the rescaling for int8
//! only, so int16 compares `0 > 0` (all false in the TFLM runtime): not offered here.

use super::elementwise::{broadcast_shapes, same_type, Broadcast};
use super::{kinds, EvalCtx, PrepareCtx};
use crate::error::Error;
use crate::schema::TensorType;
use microlite_kernels::comparisons::{
    compare, compare_bool, compare_int8, comparison_prepare_int8, ComparisonOp,
    ComparisonParamsInt8,
};

kinds! {
    enum Kind { Bool, Float32, Int32, Int64, Int8 }
}

super::elementwise::int8_params! {
    /// The kernel's int8 rescaling, as op data.
    struct CompareQ for [ComparisonParamsInt8] {
        left_shift,
        input1_offset,
        input1_multiplier,
        input1_shift,
        input2_offset,
        input2_multiplier,
        input2_shift,
    }
}

/// What eval needs, fixed at prepare.
#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Data {
    kind: u32,
    shapes: Broadcast,
    /// Int8 rescaling (zeroed otherwise).
    q: CompareQ,
}

/// Validates a comparison `op` and keeps its kind, geometry and int8 rescaling.
pub(crate) fn prepare(ctx: &mut PrepareCtx<'_>, op_kind: ComparisonOp) -> Result<(), Error> {
    let op = ctx.op;
    op.expect_counts(2, 2, 1)?;
    let (in1, in2, output) = (op.input(0)?, op.input(1)?, op.output(0)?);
    let shapes = broadcast_shapes(&op, &in1, &in2, &output)?;
    same_type(&op, &in1, &in2)?;
    op.expect_type(&output, TensorType::Bool)?;
    let equality = matches!(op_kind, ComparisonOp::Equal | ComparisonOp::NotEqual);
    let mut q = CompareQ::default();
    let kind = match in1.t.ty() {
        TensorType::Bool if equality => Kind::Bool,
        TensorType::Float32 => Kind::Float32,
        TensorType::Int32 => Kind::Int32,
        TensorType::Int64 => Kind::Int64,
        TensorType::Int8 => {
            let ((s1, z1), (s2, z2)) = (op.quant(&in1)?, op.quant(&in2)?);
            // TFLM's QuantizeMultiplierSmallerThanOneExp aborts on a scale of 1 or more.
            if s1 >= 1.0 {
                return Err(op.quant_err(&in1));
            }
            if s2 >= 1.0 {
                return Err(op.quant_err(&in2));
            }
            q = comparison_prepare_int8(s1, z1, s2, z2).into();
            Kind::Int8
        }
        _ => return Err(op.type_err(&in1)),
    };
    ctx.persist(&Data {
        kind: kind.tag(),
        shapes,
        q,
    })
}

/// Runs comparison `op` on the kind and shapes prepare kept.
pub(crate) fn eval(ctx: &mut EvalCtx<'_>, op: ComparisonOp) -> Result<(), Error> {
    let d = ctx.data::<Data>()?;
    let (s1, s2, so) = d.shapes.shapes();
    let out = ctx.output::<u8>(0)?;
    match Kind::from_tag(d.kind)? {
        Kind::Bool => compare_bool(
            op,
            s1,
            ctx.input::<u8>(0)?,
            s2,
            ctx.input::<u8>(1)?,
            so,
            out,
        ),
        Kind::Float32 => compare(
            op,
            s1,
            ctx.input::<f32>(0)?,
            s2,
            ctx.input::<f32>(1)?,
            so,
            out,
        ),
        Kind::Int32 => compare(
            op,
            s1,
            ctx.input::<i32>(0)?,
            s2,
            ctx.input::<i32>(1)?,
            so,
            out,
        ),
        Kind::Int64 => compare(
            op,
            s1,
            ctx.input::<i64>(0)?,
            s2,
            ctx.input::<i64>(1)?,
            so,
            out,
        ),
        Kind::Int8 => {
            let (x, y) = (ctx.input::<i8>(0)?, ctx.input::<i8>(1)?);
            compare_int8(op, &d.q.into(), s1, x, s2, y, so, out)
        }
    }
    .map_err(|e| ctx.kernel_err(e))
}
