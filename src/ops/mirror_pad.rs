//! MIRROR_PAD: float32 and int8 (raw copies, as TFLM), REFLECT or SYMMETRIC, with constant
//! int32 or int64 paddings (TFLM reads them at eval; microlite needs them at prepare to check
//! the output shape). Pads beyond what the mode can mirror (more than `dim - 1` for REFLECT,
//! `dim` for SYMMETRIC), where TFLM reads outside the input, are refused.

use super::movement::{by_size, const_ints, elem_size, head, same_type, word, words, Dims};
use super::{EvalCtx, PrepareCtx, Registration};
use crate::error::Error;
use crate::schema::{BuiltinOperator, TensorType};
use microlite_kernels::mirror_pad::{mirror_pad, mirror_pad_check, MIRROR_PAD_MAX_DIMS};

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::MIRROR_PAD, 3, prepare, eval)
}

/// The `BuiltinOptions` union tag of `MirrorPadOptions`.
const MIRROR_PAD_OPTIONS: u8 = 77;

#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Data {
    size: u32,
    rank: u32,
    /// 1 for REFLECT, 0 for SYMMETRIC.
    offset: u32,
    in_shape: [u32; MIRROR_PAD_MAX_DIMS],
    before: [u32; MIRROR_PAD_MAX_DIMS],
    after: [u32; MIRROR_PAD_MAX_DIMS],
}

fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    let op = ctx.op;
    op.expect_counts(2, 2, 1)?;
    let (input, pads_t, output) = (op.input(0)?, op.input(1)?, op.output(0)?);
    if !matches!(input.t.ty(), TensorType::Float32 | TensorType::Int8) {
        return Err(op.type_err(&input));
    }
    same_type(&op, &input, &output)?;
    let offset = match op.options(MIRROR_PAD_OPTIONS) {
        Some(o) => match o.i8(0, 0)? {
            0 => 1,
            1 => 0,
            _ => return Err(op.options_err()),
        },
        // TFLM fails without options.
        None => return Err(op.options_err()),
    };
    let id = Dims::of(&input);
    if id.rank > MIRROR_PAD_MAX_DIMS {
        return Err(op.shape_err(&input));
    }
    let (v, n) = const_ints::<{ 2 * MIRROR_PAD_MAX_DIMS }>(&op, &pads_t)?;
    let ps = pads_t.t.shape();
    if ps.len() != 2 || ps.get(0) as i64 != id.rank as i64 || ps.get(1) != 2 || n != 2 * id.rank {
        return Err(op.shape_err(&pads_t));
    }
    let mut pads = [(0usize, 0usize); MIRROR_PAD_MAX_DIMS];
    for (p, pair) in pads.iter_mut().zip(head(&v, n).chunks_exact(2)) {
        let get = |i: usize| {
            pair.get(i)
                .and_then(|&x| usize::try_from(x).ok())
                .ok_or(op.shape_err(&pads_t))
        };
        *p = (get(0)?, get(1)?);
    }
    let pads = head(&pads, id.rank);
    if !mirror_pad_check(id.as_slice(), pads, offset) {
        return Err(op.shape_err(&pads_t));
    }
    let want = id
        .as_slice()
        .iter()
        .zip(pads)
        .map(|(&d, &(l, r))| l + d + r);
    if !want.eq(Dims::of(&output).as_slice().iter().copied()) {
        return Err(op.shape_err(&output));
    }
    let before: [usize; MIRROR_PAD_MAX_DIMS] =
        core::array::from_fn(|i| pads.get(i).map_or(0, |p| p.0));
    let after: [usize; MIRROR_PAD_MAX_DIMS] =
        core::array::from_fn(|i| pads.get(i).map_or(0, |p| p.1));
    ctx.persist(&Data {
        size: word(&op, &input, elem_size(&op, &input)?)?,
        rank: word(&op, &input, id.rank)?,
        offset: offset as u32,
        in_shape: words(&op, &input, id.as_slice())?,
        before: words(&op, &pads_t, &before)?,
        after: words(&op, &pads_t, &after)?,
    })
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    let d = *ctx.data::<Data>()?;
    let r = (d.rank as usize).min(MIRROR_PAD_MAX_DIMS);
    let in_shape = d.in_shape.map(|v| v as usize);
    let pads: [(usize, usize); MIRROR_PAD_MAX_DIMS] = core::array::from_fn(|i| {
        (
            d.before.get(i).copied().unwrap_or(0) as usize,
            d.after.get(i).copied().unwrap_or(0) as usize,
        )
    });
    by_size!(d.size, E => {
        let x = ctx.input::<E>(0)?;
        mirror_pad(head(&in_shape, r), head(&pads, r), d.offset as usize, x, ctx.output::<E>(0)?)
            .map_err(|e| ctx.kernel_err(e))
    })
}
