//! SPACE_TO_DEPTH: `block x block` patches of an NHWC tensor into depth (raw copies).

use super::movement::{by_size, elem_size, same_type};
use super::{Io, OpCtx, OpPlan, Registration};
use crate::error::Error;
use crate::schema::{options, BuiltinOperator};
use microlite_kernels::space_to_depth::{space_to_depth, space_to_depth_out_shape};

pub(crate) fn registration() -> Registration {
    super::legacy_registration!(BuiltinOperator::SPACE_TO_DEPTH, 2)
}

fn params(ctx: &OpCtx<'_>) -> Result<([usize; 4], usize, usize), Error> {
    ctx.expect_counts(1, 1, 1)?;
    let (input, output) = (ctx.input(0)?, ctx.output(0)?);
    same_type(ctx, &input, &output)?;
    let size = elem_size(ctx, &input)?;
    let block = match ctx.options(options::SPACE_TO_DEPTH) {
        Some(o) => o.i32(0, 0)?,
        None => 0,
    };
    let block = super::positive(ctx, block)?;
    let in_shape = ctx.shape4(&input)?;
    let os = space_to_depth_out_shape(in_shape, block).map_err(|_| ctx.shape_err(&input))?;
    if ctx.shape4(&output)? != os {
        return Err(ctx.shape_err(&output));
    }
    Ok((in_shape, block, size))
}

fn prepare(ctx: &OpCtx<'_>, _data: Option<&mut [i32]>) -> Result<OpPlan, Error> {
    params(ctx)?;
    Ok(OpPlan::default())
}

fn eval(ctx: &OpCtx<'_>, io: &mut Io<'_>, _data: &[i32]) -> Result<(), Error> {
    let (in_shape, block, size) = params(ctx)?;
    by_size!(ctx, size, E => {
        let x = io.input::<E>(0)?;
        space_to_depth(in_shape, block, x, io.output::<E>(0)?).map_err(|e| ctx.kernel_err(e))
    })
}
