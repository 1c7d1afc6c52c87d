//! ZEROS_LIKE: an output of the input's type and shape set to raw zeros (an int8 output gets 0,
//! not its zero point); int64, int32, int8 and float32, as TFLM.

use super::movement::{by_size, elem_size, same_type, word, Dims};
use super::{EvalCtx, PrepareCtx, Registration};
use crate::error::Error;
use crate::schema::{BuiltinOperator, TensorType};
use microlite_kernels::fill::fill;

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::ZEROS_LIKE, 1, prepare, eval)
}

fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    let op = ctx.op;
    op.expect_counts(1, 1, 1)?;
    let (input, output) = (op.input(0)?, op.output(0)?);
    if !matches!(
        input.t.ty(),
        TensorType::Int64 | TensorType::Int32 | TensorType::Int8 | TensorType::Float32
    ) {
        return Err(op.type_err(&input));
    }
    same_type(&op, &input, &output)?;
    if Dims::of(&input) != Dims::of(&output) {
        return Err(op.shape_err(&output));
    }
    ctx.persist(&word(&op, &input, elem_size(&op, &input)?)?)
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    let size = *ctx.data::<u32>()?;
    by_size!(size, E => {
        let zero: [E; 1] = bytemuck::Zeroable::zeroed();
        fill(&zero, ctx.output::<E>(0)?).map_err(|e| ctx.kernel_err(e))
    })
}
