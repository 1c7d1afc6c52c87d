//! SHAPE: the input's dims as a 1-D int32 (TFLM's only type) or int64 tensor. The input's
//! values are never read: prepare keeps the dims, eval writes them.

use super::movement::{head, word, words, Dims};
use super::{kinds, EvalCtx, PrepareCtx, Registration};
use crate::error::Error;
use crate::model::MAX_RANK;
use crate::schema::{BuiltinOperator, TensorType};

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::SHAPE, 1, prepare, eval)
}

kinds! {
    /// The output type.
    enum Kind { Int32, Int64 }
}

#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Data {
    kind: u32,
    rank: u32,
    dims: [u32; MAX_RANK],
}

fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    let op = ctx.op;
    op.expect_counts(1, 1, 1)?;
    let (input, output) = (op.input(0)?, op.output(0)?);
    let kind = match output.t.ty() {
        TensorType::Int32 => Kind::Int32,
        TensorType::Int64 => Kind::Int64,
        _ => return Err(op.type_err(&output)),
    };
    let (id, od) = (Dims::of(&input), Dims::of(&output));
    if od.rank != 1 || od.d[0] != id.rank {
        return Err(op.shape_err(&output));
    }
    ctx.persist(&Data {
        kind: kind.tag(),
        rank: word(&op, &input, id.rank)?,
        dims: words(&op, &input, id.as_slice())?,
    })
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    let d = ctx.data::<Data>()?;
    let dims = head(&d.dims, d.rank as usize);
    match Kind::from_tag(d.kind)? {
        Kind::Int32 => {
            for (o, &v) in ctx.output::<i32>(0)?.iter_mut().zip(dims) {
                *o = v as i32;
            }
        }
        Kind::Int64 => {
            for (o, &v) in ctx.output::<i64>(0)?.iter_mut().zip(dims) {
                *o = i64::from(v);
            }
        }
    }
    Ok(())
}
