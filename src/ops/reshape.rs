//! RESHAPE: same bytes, new shape (a copy, as in TFLM; shapes are static after conversion).

use super::{Io, OpCtx, OpPlan, Registration};
use crate::error::Error;
use crate::schema::BuiltinOperator;

pub(crate) fn registration() -> Registration {
    super::legacy_registration!(BuiltinOperator::RESHAPE, 2)
}

fn prepare(ctx: &OpCtx<'_>, _data: Option<&mut [i32]>) -> Result<OpPlan, Error> {
    ctx.expect_counts(1, 2, 1)?;
    let (input, output) = (ctx.input(0)?, ctx.output(0)?);
    if input.t.ty() != output.t.ty() {
        return Err(ctx.type_err(&output));
    }
    if input.t.byte_size().is_none() || input.t.element_count() != output.t.element_count() {
        return Err(ctx.shape_err(&output));
    }
    Ok(OpPlan::default())
}

fn eval(_ctx: &OpCtx<'_>, io: &mut Io<'_>, _data: &[i32]) -> Result<(), Error> {
    let src = io.input_bytes(0)?;
    let dst = io.output::<u8>(0)?;
    let n = src.len().min(dst.len());
    if let (Some(d), Some(s)) = (dst.get_mut(..n), src.get(..n)) {
        d.copy_from_slice(s);
    }
    Ok(())
}
