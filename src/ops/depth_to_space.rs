//! DEPTH_TO_SPACE: depth of an NHWC tensor into `block x block` patches (raw copies, TFLM's
//! "DCR" order). SPACE_TO_DEPTH (`space_to_depth.rs`) shares this glue.

use super::movement::{by_size, elem_size, same_type, sizes, word, words};
use super::{EvalCtx, PrepareCtx, Registration};
use crate::error::Error;
use crate::schema::{options, BuiltinOperator};
use microlite_kernels::depth_to_space::{depth_to_space, depth_to_space_out_shape};
use microlite_kernels::KernelError;

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::DEPTH_TO_SPACE, 2, prepare, eval)
}

/// The data of DEPTH_TO_SPACE and SPACE_TO_DEPTH.
#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
pub(super) struct Data {
    /// Bytes per element.
    pub size: u32,
    pub block: u32,
    pub in_shape: [u32; 4],
}

impl Data {
    /// `(in_shape, block)` as the kernels take them.
    pub fn shape(&self) -> ([usize; 4], usize) {
        (sizes(&self.in_shape), self.block as usize)
    }
}

/// Prepare of DEPTH_TO_SPACE and SPACE_TO_DEPTH: `tag` is the options' union tag,
/// `out_shape` the kernel's output shape (an error for a block the input cannot take).
pub(super) fn prepare_with(
    ctx: &mut PrepareCtx<'_>,
    tag: u8,
    out_shape: fn([usize; 4], usize) -> Result<[usize; 4], KernelError>,
) -> Result<(), Error> {
    let op = ctx.op;
    op.expect_counts(1, 1, 1)?;
    let (input, output) = (op.input(0)?, op.output(0)?);
    same_type(&op, &input, &output)?;
    let size = elem_size(&op, &input)?;
    let block = match op.options(tag) {
        Some(o) => o.i32(0, 0)?,
        None => 0,
    };
    let block = super::positive(&op, block)?;
    let in_shape = op.shape4(&input)?;
    let os = out_shape(in_shape, block).map_err(|_| op.shape_err(&input))?;
    if op.shape4(&output)? != os {
        return Err(op.shape_err(&output));
    }
    ctx.persist(&Data {
        size: word(&op, &input, size)?,
        block: word(&op, &input, block)?,
        in_shape: words(&op, &input, &in_shape)?,
    })
}

fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    prepare_with(ctx, options::DEPTH_TO_SPACE, depth_to_space_out_shape)
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    let d = ctx.data::<Data>()?;
    let (in_shape, block) = d.shape();
    by_size!(d.size, E => {
        let x = ctx.input::<E>(0)?;
        depth_to_space(in_shape, block, x, ctx.output::<E>(0)?).map_err(|e| ctx.kernel_err(e))
    })
}
