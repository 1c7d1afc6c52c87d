//! SPACE_TO_BATCH_ND and BATCH_TO_SPACE_ND: float32 and int8 tensors of rank 3 or 4, with a
//! constant int32 block shape and paddings (crops), as TFLM (which reads those at eval;
//! microlite needs them at prepare to check the output shape, which TFLM does not). Padded
//! positions are zeros, raw: TFLM pads with `SpaceToBatchParams::output_offset`, which it
//! never sets (its zeroed persistent buffer leaves 0), so an int8 pad is 0, not the zero
//! point. Raw copies.

use super::movement::{by_size, const_ints, elem_size, same_type, word, words, Dims};
use super::{EvalCtx, OpCtx, PrepareCtx, Registration};
use crate::error::Error;
use crate::schema::{BuiltinOperator, TensorType};
use microlite_kernels::batch_space::{batch_to_space_nd, space_to_batch_nd, BlockParams};

pub(crate) fn registration() -> Registration {
    Registration::builtin(
        BuiltinOperator::SPACE_TO_BATCH_ND,
        4,
        prepare_to_batch,
        eval_to_batch,
    )
}

/// BATCH_TO_SPACE_ND: the inverse movement, cropping instead of padding.
pub(crate) fn registration_to_space() -> Registration {
    Registration::builtin(
        BuiltinOperator::BATCH_TO_SPACE_ND,
        4,
        prepare_to_space,
        eval_to_space,
    )
}

#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Data {
    size: u32,
    in_shape: [u32; 4],
    out_shape: [u32; 4],
    block: [u32; 2],
    before: [u32; 2],
}

/// `[batch, height, width, depth]` of a rank-3 (`[batch, height, depth]`) or rank-4 tensor.
fn nhwc(d: &Dims) -> [usize; 4] {
    match *d.as_slice() {
        [b, h, c] => [b, h, 1, c],
        [b, h, w, c] => [b, h, w, c],
        _ => [0; 4],
    }
}

fn params(op: &OpCtx<'_>, to_batch: bool) -> Result<Data, Error> {
    op.expect_counts(3, 3, 1)?;
    let (input, block_t, pads_t, output) =
        (op.input(0)?, op.input(1)?, op.input(2)?, op.output(0)?);
    if !matches!(input.t.ty(), TensorType::Float32 | TensorType::Int8) {
        return Err(op.type_err(&input));
    }
    same_type(op, &input, &output)?;
    let (id, od) = (Dims::of(&input), Dims::of(&output));
    if !(3..=4).contains(&id.rank) {
        return Err(op.shape_err(&input));
    }
    if od.rank != id.rank {
        return Err(op.shape_err(&output));
    }
    let spatial = id.rank - 2;
    op.expect_type(&block_t, TensorType::Int32)?;
    op.expect_type(&pads_t, TensorType::Int32)?;
    let (block, nb) = const_ints::<2>(op, &block_t)?;
    let (pads, np) = const_ints::<4>(op, &pads_t)?;
    if block_t.t.shape().len() != 1 || nb != spatial {
        return Err(op.shape_err(&block_t));
    }
    if pads_t.t.shape().len() != 2 || np != 2 * spatial {
        return Err(op.shape_err(&pads_t));
    }
    let positive = |v: i64| usize::try_from(v).ok().filter(|&v| v > 0);
    let natural = |v: i64| usize::try_from(v).ok();
    let bh = positive(block[0]).ok_or(op.shape_err(&block_t))?;
    let bw = if spatial == 2 {
        positive(block[1]).ok_or(op.shape_err(&block_t))?
    } else {
        1
    };
    let pad = |i: usize| natural(pads.get(i).copied().unwrap_or(0)).ok_or(op.shape_err(&pads_t));
    let (top, bottom) = (pad(0)?, pad(1)?);
    let (left, right) = if spatial == 2 {
        (pad(2)?, pad(3)?)
    } else {
        (0, 0)
    };
    let (space, batch) = if to_batch {
        (nhwc(&id), nhwc(&od))
    } else {
        (nhwc(&od), nhwc(&id))
    };
    // TF's shapes: the padded (uncropped) spatial dims are the block times the batch side's.
    let fits = |s: usize, before: usize, after: usize, blk: usize, b: usize| {
        s.checked_add(before).and_then(|v| v.checked_add(after)) == b.checked_mul(blk)
    };
    let ok = batch[0] == space[0].saturating_mul(bh.saturating_mul(bw))
        && batch[3] == space[3]
        && fits(space[1], top, bottom, bh, batch[1])
        && fits(space[2], left, right, bw, batch[2]);
    if !ok {
        return Err(op.shape_err(&output));
    }
    Ok(Data {
        size: word(op, &input, elem_size(op, &input)?)?,
        in_shape: words(op, &input, &nhwc(&id))?,
        out_shape: words(op, &output, &nhwc(&od))?,
        block: words(op, &block_t, &[bh, bw])?,
        before: words(op, &pads_t, &[top, left])?,
    })
}

fn prepare_to_batch(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    let d = params(&ctx.op, true)?;
    ctx.persist(&d)
}

fn prepare_to_space(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    let d = params(&ctx.op, false)?;
    ctx.persist(&d)
}

fn eval_with(ctx: &mut EvalCtx<'_>, to_batch: bool) -> Result<(), Error> {
    let d = *ctx.data::<Data>()?;
    let p = BlockParams {
        block: d.block.map(|v| v as usize),
        before: d.before.map(|v| v as usize),
    };
    let (is, os) = (
        d.in_shape.map(|v| v as usize),
        d.out_shape.map(|v| v as usize),
    );
    by_size!(d.size, E => {
        let x = ctx.input::<E>(0)?;
        let out = ctx.output::<E>(0)?;
        if to_batch {
            space_to_batch_nd(is, x, &p, os, out)
        } else {
            batch_to_space_nd(is, x, &p, os, out)
        }
        .map_err(|e| ctx.kernel_err(e))
    })
}

fn eval_to_batch(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    eval_with(ctx, true)
}

fn eval_to_space(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    eval_with(ctx, false)
}
