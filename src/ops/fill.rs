//! FILL: the output set to a scalar value; float32, int32 and int8, as TFLM. The dims input
//! must be a constant 1-D int32 or int64 tensor equal to the output's shape (TFLM also takes
//! int8 and int16 dims tensors; microlite refuses them).

use super::movement::{by_size, const_ints, elem_size, head, same_type, word, Dims};
use super::{EvalCtx, PrepareCtx, Registration};
use crate::error::Error;
use crate::model::MAX_RANK;
use crate::schema::{BuiltinOperator, TensorType};
use microlite_kernels::fill::fill;

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::FILL, 4, prepare, eval)
}

fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    let op = ctx.op;
    op.expect_counts(2, 2, 1)?;
    let (dims_t, value, output) = (op.input(0)?, op.input(1)?, op.output(0)?);
    if !matches!(
        value.t.ty(),
        TensorType::Float32 | TensorType::Int32 | TensorType::Int8
    ) {
        return Err(op.type_err(&value));
    }
    same_type(&op, &value, &output)?;
    if !value.t.shape().is_empty() {
        return Err(op.shape_err(&value));
    }
    let (v, n) = const_ints::<MAX_RANK>(&op, &dims_t)?;
    let od = Dims::of(&output);
    if dims_t.t.shape().len() != 1
        || n != od.rank
        || !head(&v, n)
            .iter()
            .zip(od.as_slice())
            .all(|(&a, &b)| a == b as i64)
    {
        return Err(op.shape_err(&dims_t));
    }
    ctx.persist(&word(&op, &value, elem_size(&op, &value)?)?)
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    let size = *ctx.data::<u32>()?;
    by_size!(size, E => {
        let v = ctx.input::<E>(1)?;
        fill(v, ctx.output::<E>(0)?).map_err(|e| ctx.kernel_err(e))
    })
}
