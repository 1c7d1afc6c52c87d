//! GATHER: input slices picked along `axis` by int32 positions, with `batch_dims` leading
//! dimensions shared by the input and the positions; float32 and int8 inputs, as TFLM. The
//! output shape is TFLM's (`input[:axis] + positions[batch_dims:] + input[axis + 1:]`). A
//! position outside the axis is an error at invoke (TFLM only debug-checks it).

use super::movement::{axis, by_size, elem_size, same_type, Dims};
use super::{EvalCtx, PrepareCtx, Registration};
use crate::error::Error;
use crate::schema::{options, BuiltinOperator, TensorType};
use microlite_kernels::gather::{gather, GatherDims};

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::GATHER, 7, prepare, eval)
}

/// What eval needs, fixed at prepare: the element size and the loop bounds.
#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Data {
    size: u32,
    batch: u32,
    outer: u32,
    axis_size: u32,
    coords: u32,
    inner: u32,
}

fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    let op = ctx.op;
    op.expect_counts(2, 2, 1)?;
    let (input, coords, output) = (op.input(0)?, op.input(1)?, op.output(0)?);
    op.expect_type(&coords, TensorType::Int32)?;
    if !matches!(input.t.ty(), TensorType::Float32 | TensorType::Int8) {
        return Err(op.type_err(&input));
    }
    same_type(&op, &input, &output)?;
    let (raw_axis, raw_batch) = match op.options(options::GATHER) {
        Some(o) => (o.i32(0, 0)?, o.i32(1, 0)?),
        None => (0, 0),
    };
    let (id, cd, od) = (Dims::of(&input), Dims::of(&coords), Dims::of(&output));
    let axis = axis(&op, i64::from(raw_axis), id.rank)?;
    let batch_dims = if raw_batch < 0 {
        i64::from(raw_batch) + cd.rank as i64
    } else {
        i64::from(raw_batch)
    };
    // TFLM: 0 <= batch_dims <= axis, batch_dims < input rank, batch_dims <= positions rank,
    // and the batch dimensions agree.
    let batch_dims = usize::try_from(batch_dims).map_err(|_| op.options_err())?;
    if batch_dims > axis || batch_dims > cd.rank {
        return Err(op.options_err());
    }
    if id.as_slice().get(..batch_dims) != cd.as_slice().get(..batch_dims) {
        return Err(op.shape_err(&coords));
    }
    let (dims, cdims) = (id.as_slice(), cd.as_slice());
    let before = dims.get(..axis).unwrap_or(&[]);
    let after = dims.get(axis + 1..).unwrap_or(&[]);
    let batch = dims.get(..batch_dims).unwrap_or(&[]);
    let between = dims.get(batch_dims..axis).unwrap_or(&[]);
    let positions = cdims.get(batch_dims..).unwrap_or(&[]);
    let want = before.iter().chain(positions).chain(after);
    if !want.eq(od.as_slice().iter()) {
        return Err(op.shape_err(&output));
    }
    let prod = |s: &[usize]| s.iter().fold(1usize, |a, &d| a.saturating_mul(d));
    let word = |v: usize| u32::try_from(v).map_err(|_| op.shape_err(&input));
    ctx.persist(&Data {
        size: word(elem_size(&op, &input)?)?,
        batch: word(prod(batch))?,
        outer: word(prod(between))?,
        axis_size: word(id.dim(axis))?,
        coords: word(prod(positions))?,
        inner: word(prod(after))?,
    })
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    let d = *ctx.data::<Data>()?;
    let dims = GatherDims {
        batch: d.batch as usize,
        outer: d.outer as usize,
        axis_size: d.axis_size as usize,
        coords: d.coords as usize,
        inner: d.inner as usize,
    };
    let coords = ctx.input::<i32>(1)?;
    by_size!(d.size, E => {
        let input = ctx.input::<E>(0)?;
        let out = ctx.output::<E>(0)?;
        gather(&dims, input, coords, out).map_err(|e| ctx.kernel_err(e))
    })
}
