//! BROADCAST_TO: the input repeated along its size-1 dims into the output's shape (up to 5
//! dims), given as a constant 1-D int32 or int64 tensor that must equal the output's shape,
//! as TFLM. Raw copies of any fixed-size type.

use super::movement::{by_size, const_ints, elem_size, head, same_type, word, words, Dims};
use super::{EvalCtx, PrepareCtx, Registration};
use crate::error::Error;
use crate::schema::BuiltinOperator;
use microlite_kernels::broadcast_to::{broadcast_to, BROADCAST_TO_MAX_DIMS};

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::BROADCAST_TO, 3, prepare, eval)
}

#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Data {
    size: u32,
    in_rank: u32,
    out_rank: u32,
    in_shape: [u32; BROADCAST_TO_MAX_DIMS],
    out_shape: [u32; BROADCAST_TO_MAX_DIMS],
}

fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    let op = ctx.op;
    op.expect_counts(2, 2, 1)?;
    let (input, shape_t, output) = (op.input(0)?, op.input(1)?, op.output(0)?);
    same_type(&op, &input, &output)?;
    let size = elem_size(&op, &input)?;
    let (id, od) = (Dims::of(&input), Dims::of(&output));
    if id.rank > BROADCAST_TO_MAX_DIMS {
        return Err(op.shape_err(&input));
    }
    if od.rank > BROADCAST_TO_MAX_DIMS || id.rank > od.rank {
        return Err(op.shape_err(&output));
    }
    let (v, n) = const_ints::<BROADCAST_TO_MAX_DIMS>(&op, &shape_t)?;
    let same = head(&v, n)
        .iter()
        .zip(od.as_slice())
        .all(|(&a, &b)| a == b as i64);
    if shape_t.t.shape().len() != 1 || n != od.rank || !same {
        return Err(op.shape_err(&shape_t));
    }
    let lead = od.rank - id.rank;
    let fits = id
        .as_slice()
        .iter()
        .zip(od.as_slice().get(lead..).unwrap_or(&[]))
        .all(|(&i, &o)| i == 1 || i == o);
    if !fits {
        return Err(op.shape_err(&output));
    }
    ctx.persist(&Data {
        size: word(&op, &input, size)?,
        in_rank: word(&op, &input, id.rank)?,
        out_rank: word(&op, &output, od.rank)?,
        in_shape: words(&op, &input, id.as_slice())?,
        out_shape: words(&op, &output, od.as_slice())?,
    })
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    let d = *ctx.data::<Data>()?;
    let (is, os) = (
        d.in_shape.map(|v| v as usize),
        d.out_shape.map(|v| v as usize),
    );
    let (ir, or) = (d.in_rank as usize, d.out_rank as usize);
    by_size!(d.size, E => {
        let x = ctx.input::<E>(0)?;
        broadcast_to(head(&is, ir), x, head(&os, or), ctx.output::<E>(0)?)
            .map_err(|e| ctx.kernel_err(e))
    })
}
