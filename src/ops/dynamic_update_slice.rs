//! DYNAMIC_UPDATE_SLICE: float32, int8, int16 and int32 operands (raw copies, as TFLM), the
//! update written at start indices read at eval (int32 or int64, a graph input or a
//! constant), each clamped into the operand as TFLM.

use super::movement::{by_size, elem_size, head, same_type, word, words, Dims};
use super::{kinds, EvalCtx, PrepareCtx, Registration};
use crate::error::Error;
use crate::schema::{BuiltinOperator, TensorType};
use microlite_kernels::dynamic_update_slice::{
    dynamic_update_slice, DYNAMIC_UPDATE_SLICE_MAX_DIMS as N,
};

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::DYNAMIC_UPDATE_SLICE, 2, prepare, eval)
}

kinds! {
    enum Index { Int32, Int64 }
}

#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Data {
    size: u32,
    rank: u32,
    index: u32,
    shape: [u32; N],
    update_shape: [u32; N],
}

fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    let op = ctx.op;
    op.expect_counts(3, 3, 1)?;
    let (operand, update, start, output) =
        (op.input(0)?, op.input(1)?, op.input(2)?, op.output(0)?);
    if !matches!(
        operand.t.ty(),
        TensorType::Float32 | TensorType::Int8 | TensorType::Int16 | TensorType::Int32
    ) {
        return Err(op.type_err(&operand));
    }
    same_type(&op, &operand, &update)?;
    same_type(&op, &operand, &output)?;
    let index = match start.t.ty() {
        TensorType::Int32 => Index::Int32,
        TensorType::Int64 => Index::Int64,
        _ => return Err(op.type_err(&start)),
    };
    let (od, ud) = (Dims::of(&operand), Dims::of(&update));
    if od.rank == 0 || od.rank > N {
        return Err(op.shape_err(&operand));
    }
    if ud.rank != od.rank || ud.as_slice().iter().zip(od.as_slice()).any(|(u, d)| u > d) {
        return Err(op.shape_err(&update));
    }
    if start.t.shape().len() != 1 || Dims::of(&start).dim(0) != od.rank {
        return Err(op.shape_err(&start));
    }
    if Dims::of(&output) != od {
        return Err(op.shape_err(&output));
    }
    ctx.persist(&Data {
        size: word(&op, &operand, elem_size(&op, &operand)?)?,
        rank: word(&op, &operand, od.rank)?,
        index: index.tag(),
        shape: words(&op, &operand, od.as_slice())?,
        update_shape: words(&op, &update, ud.as_slice())?,
    })
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    let d = *ctx.data::<Data>()?;
    let r = (d.rank as usize).min(N);
    let mut start = [0i64; N];
    match Index::from_tag(d.index)? {
        Index::Int32 => {
            for (s, &v) in start.iter_mut().zip(ctx.input::<i32>(2)?) {
                *s = i64::from(v);
            }
        }
        Index::Int64 => {
            for (s, &v) in start.iter_mut().zip(ctx.input::<i64>(2)?) {
                *s = v;
            }
        }
    }
    let (shape, ushape) = (
        d.shape.map(|v| v as usize),
        d.update_shape.map(|v| v as usize),
    );
    by_size!(d.size, E => {
        let operand = ctx.input::<E>(0)?;
        let update = ctx.input::<E>(1)?;
        dynamic_update_slice(
            head(&shape, r),
            operand,
            head(&ushape, r),
            update,
            head(&start, r),
            ctx.output::<E>(0)?,
        )
        .map_err(|e| ctx.kernel_err(e))
    })
}
