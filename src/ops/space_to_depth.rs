//! SPACE_TO_DEPTH: `block x block` patches of an NHWC tensor into depth (raw copies). The
//! glue is DEPTH_TO_SPACE's (`depth_to_space.rs`).

use super::depth_to_space::{prepare_with, Data};
use super::movement::by_size;
use super::{EvalCtx, PrepareCtx, Registration};
use crate::error::Error;
use crate::schema::{options, BuiltinOperator};
use microlite_kernels::space_to_depth::{space_to_depth, space_to_depth_out_shape};

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::SPACE_TO_DEPTH, 2, prepare, eval)
}

fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    prepare_with(ctx, options::SPACE_TO_DEPTH, space_to_depth_out_shape)
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    let d = ctx.data::<Data>()?;
    let (in_shape, block) = d.shape();
    by_size!(d.size, E => {
        let x = ctx.input::<E>(0)?;
        space_to_depth(in_shape, block, x, ctx.output::<E>(0)?).map_err(|e| ctx.kernel_err(e))
    })
}
