//! SHAPE: the input's dims as a 1-D int32 (TFLM's only type) or int64 tensor. The input's
//! values are never read.

use super::movement::Dims;
use super::{Io, OpCtx, OpPlan, Registration};
use crate::error::Error;
use crate::schema::{BuiltinOperator, TensorType};

pub(crate) fn registration() -> Registration {
    super::legacy_registration!(BuiltinOperator::SHAPE, 1)
}

fn prepare(ctx: &OpCtx<'_>, _data: Option<&mut [i32]>) -> Result<OpPlan, Error> {
    ctx.expect_counts(1, 1, 1)?;
    let (input, output) = (ctx.input(0)?, ctx.output(0)?);
    if !matches!(output.t.ty(), TensorType::Int32 | TensorType::Int64) {
        return Err(ctx.type_err(&output));
    }
    let od = Dims::of(&output);
    if od.rank != 1 || od.d[0] != Dims::of(&input).rank {
        return Err(ctx.shape_err(&output));
    }
    Ok(OpPlan::default())
}

fn eval(ctx: &OpCtx<'_>, io: &mut Io<'_>, _data: &[i32]) -> Result<(), Error> {
    let (input, output) = (ctx.input(0)?, ctx.output(0)?);
    let dims = Dims::of(&input);
    let dims = dims.as_slice();
    match output.t.ty() {
        TensorType::Int32 => {
            for (o, &d) in io.output::<i32>(0)?.iter_mut().zip(dims) {
                *o = d as i32;
            }
        }
        _ => {
            for (o, &d) in io.output::<i64>(0)?.iter_mut().zip(dims) {
                *o = d as i64;
            }
        }
    }
    Ok(())
}
