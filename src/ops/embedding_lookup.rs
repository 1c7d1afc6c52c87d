//! EMBEDDING_LOOKUP: rows of a float32 or int8 table (rank >= 2) picked by a 1-D int32
//! lookup, as TFLM: float32 -> float32 and int8 -> int8 copy rows raw (GATHER along axis 0);
//! int8 -> float32 (hybrid; the table's zero point must be 0) dequantizes them as
//! `x * scale`. An index outside the table fails the invoke, as TFLM (except that TFLM's
//! plain path copies nothing from a table of no rows, so it is not checked there).

use super::movement::{by_size, elem_size, word, Dims};
use super::{kinds, EvalCtx, PrepareCtx, Registration};
use crate::error::Error;
use crate::schema::{BuiltinOperator, TensorType};
use microlite_kernels::embedding_lookup::embedding_lookup_hybrid;
use microlite_kernels::gather::{gather, GatherDims};

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::EMBEDDING_LOOKUP, 3, prepare, eval)
}

kinds! {
    enum Kind { Copy, Hybrid }
}

#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Data {
    kind: u32,
    size: u32,
    rows: u32,
    cols: u32,
    lookups: u32,
    scale: f32,
}

fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    let op = ctx.op;
    op.expect_counts(2, 2, 1)?;
    let (lookup, value, output) = (op.input(0)?, op.input(1)?, op.output(0)?);
    op.expect_type(&lookup, TensorType::Int32)?;
    let (ld, vd, od) = (Dims::of(&lookup), Dims::of(&value), Dims::of(&output));
    if ld.rank != 1 {
        return Err(op.shape_err(&lookup));
    }
    if vd.rank < 2 {
        return Err(op.shape_err(&value));
    }
    let (kind, scale) = match (value.t.ty(), output.t.ty()) {
        (TensorType::Float32, TensorType::Float32) | (TensorType::Int8, TensorType::Int8) => {
            (Kind::Copy, 0.0)
        }
        (TensorType::Int8, TensorType::Float32) => {
            let (scale, zero_point) = value
                .t
                .quantization()
                .map_or((0.0, 0), |q| (q.scale(0), q.zero_point(0)));
            if zero_point != 0 {
                return Err(op.quant_err(&value));
            }
            (Kind::Hybrid, scale)
        }
        (TensorType::Float32 | TensorType::Int8, _) => return Err(op.type_err(&output)),
        _ => return Err(op.type_err(&value)),
    };
    // The output is [lookups] + the table's dims after the first.
    let want = core::iter::once(ld.dim(0)).chain(vd.as_slice().iter().skip(1).copied());
    if !want.eq(od.as_slice().iter().copied()) {
        return Err(op.shape_err(&output));
    }
    let (_, cols) = vd.around(0);
    ctx.persist(&Data {
        kind: kind.tag(),
        size: word(&op, &value, elem_size(&op, &value)?)?,
        rows: word(&op, &value, vd.dim(0))?,
        cols: word(&op, &value, cols)?,
        lookups: word(&op, &lookup, ld.dim(0))?,
        scale,
    })
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    let d = *ctx.data::<Data>()?;
    let lookup = ctx.input::<i32>(0)?;
    match Kind::from_tag(d.kind)? {
        // TFLM copies nothing from an empty table, whatever the lookup.
        Kind::Copy if d.rows == 0 => Ok(()),
        Kind::Copy => {
            let dims = GatherDims {
                batch: 1,
                outer: 1,
                axis_size: d.rows as usize,
                coords: d.lookups as usize,
                inner: d.cols as usize,
            };
            by_size!(d.size, E => {
                let value = ctx.input::<E>(1)?;
                gather(&dims, value, lookup, ctx.output::<E>(0)?).map_err(|e| ctx.kernel_err(e))
            })
        }
        Kind::Hybrid => {
            let value = ctx.input::<i8>(1)?;
            embedding_lookup_hybrid(
                d.rows as usize,
                d.cols as usize,
                d.scale,
                value,
                lookup,
                ctx.output::<f32>(0)?,
            )
            .map_err(|e| ctx.kernel_err(e))
        }
    }
}
