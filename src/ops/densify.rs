//! DENSIFY: a sparse constant (float32, int8 or float16) to its dense form, as TFLite's
//! (beyond TFLM, which has no sparse tensors). The work is done once, at prepare, into the
//! op's persistent data; eval copies it to the output.

use super::{EvalCtx, PrepareCtx, Registration};
use crate::error::Error;
use crate::schema::{BuiltinOperator, TensorType};
use microlite_kernels::densify::densify;

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::DENSIFY, 1, prepare, eval)
}

fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    let op = ctx.op;
    op.expect_counts(1, 1, 1)?;
    let (input, output) = (op.input(0)?, op.output(0)?);
    let width = match input.t.ty() {
        TensorType::Float32 => 4,
        TensorType::Float16 => 2,
        TensorType::Int8 => 1,
        _ => return Err(op.type_err(&input)),
    };
    op.expect_type(&output, input.t.ty())?;
    // TFLite's DENSIFY takes a sparse constant and gives its shape to the output.
    if !input.t.is_sparse() || input.t.data().is_none() {
        return Err(op.shape_err(&input));
    }
    let (layout, values) = input.t.sparse_values(input.index)?;
    if !input.t.shape().iter().eq(output.t.shape().iter()) {
        return Err(op.shape_err(&output));
    }
    let dense_bytes = layout
        .dense_count()
        .checked_mul(width)
        .ok_or(Error::TooComplex)?;
    let len = u32::try_from(dense_bytes).map_err(|_| Error::TooComplex)?;
    ctx.persist(&len)?;
    let dense = ctx.persist_zeroed::<u8>(dense_bytes)?;
    densify(&layout, width, values, dense).map_err(|e| op.kernel_err(e))
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    let (&len, dense) = ctx.data_parts::<u32, u8>()?;
    let dense = dense.get(..len as usize).ok_or(Error::TooComplex)?;
    let out = ctx.output::<u8>(0)?;
    if out.len() != dense.len() {
        return Err(ctx.kernel_err(microlite_kernels::KernelError::ShapeMismatch));
    }
    out.copy_from_slice(dense);
    Ok(())
}
