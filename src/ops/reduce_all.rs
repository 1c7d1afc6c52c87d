//! REDUCE_ALL: logical AND of bool tensors over constant axes, with or without keep_dims, as
//! TFLM's `EvalAllHelper`. The geometry is MEAN's (rank up to 4).

use super::mean::reduction;
use super::movement::{sizes, words};
use super::{EvalCtx, PrepareCtx, Registration};
use crate::error::Error;
use crate::schema::{BuiltinOperator, TensorType};
use microlite_kernels::reduce_max::reduce_all;

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::REDUCE_ALL, 1, prepare, eval)
}

#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Data {
    /// The input right-aligned into rank 4.
    in_shape: [u32; 4],
    /// 1 for each reduced dim of `in_shape`.
    axes: [u32; 4],
}

fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    let op = ctx.op;
    let p = reduction(&op)?;
    op.expect_type(&p.input, TensorType::Bool)?;
    op.expect_type(&p.output, TensorType::Bool)?;
    ctx.persist(&Data {
        in_shape: words(&op, &p.input, &p.in_shape)?,
        axes: p.axes.map(u32::from),
    })
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    let d = ctx.data::<Data>()?;
    let (s, axes) = (sizes(&d.in_shape), d.axes.map(|a| a != 0));
    let (x, out) = (ctx.input::<u8>(0)?, ctx.output::<u8>(0)?);
    reduce_all(s, x, axes, out).map_err(|e| ctx.kernel_err(e))
}
