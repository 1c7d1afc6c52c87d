//! REVERSE_V2: reverses a tensor along constant int32 axes, which must form one contiguous
//! run once sorted (TFLM refuses others); int32, float32, uint8, int8, int16, int64 and bool,
//! as TFLM. Raw copies.

use super::movement::{axis, by_size, const_ints, elem_size, head, same_type, word, Dims};
use super::{EvalCtx, PrepareCtx, Registration};
use crate::error::Error;
use crate::model::MAX_RANK;
use crate::schema::{BuiltinOperator, TensorType};
use microlite_kernels::reverse::reverse;

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::REVERSE_V2, 3, prepare, eval)
}

/// What eval needs: the element size and the tensor seen as `[outer, middle, inner]`.
#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Data {
    size: u32,
    outer: u32,
    middle: u32,
    inner: u32,
}

fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    let op = ctx.op;
    op.expect_counts(2, 2, 1)?;
    let (input, axes_t, output) = (op.input(0)?, op.input(1)?, op.output(0)?);
    use TensorType as TT;
    if !matches!(
        input.t.ty(),
        TT::Int32 | TT::Float32 | TT::UInt8 | TT::Int8 | TT::Int16 | TT::Int64 | TT::Bool
    ) {
        return Err(op.type_err(&input));
    }
    same_type(&op, &input, &output)?;
    op.expect_type(&axes_t, TT::Int32)?;
    let id = Dims::of(&input);
    if Dims::of(&output) != id {
        return Err(op.shape_err(&output));
    }
    let (v, n) = const_ints::<MAX_RANK>(&op, &axes_t)?;
    // TFLM: a 1-D axis tensor of at most rank entries; no axes would read before its array.
    if axes_t.t.shape().len() != 1 || n == 0 || n > id.rank {
        return Err(op.shape_err(&axes_t));
    }
    let mut axes = [0usize; MAX_RANK];
    for (o, &a) in axes.iter_mut().zip(head(&v, n)) {
        *o = axis(&op, a, id.rank)?;
    }
    let axes = head(&axes, n);
    let (lo, hi) = (
        axes.iter().copied().min().unwrap_or(0),
        axes.iter().copied().max().unwrap_or(0),
    );
    // Sorted, the axes must be consecutive: as many distinct values as the run is long.
    let distinct = (lo..=hi).filter(|a| axes.contains(a)).count();
    if distinct != n || hi - lo + 1 != n {
        return Err(op.options_err());
    }
    let dims = id.as_slice();
    let prod = |s: &[usize]| s.iter().fold(1usize, |a, &d| a.saturating_mul(d));
    ctx.persist(&Data {
        size: word(&op, &input, elem_size(&op, &input)?)?,
        outer: word(&op, &input, prod(head(dims, lo)))?,
        middle: word(&op, &input, prod(dims.get(lo..=hi).unwrap_or(&[])))?,
        inner: word(&op, &input, prod(dims.get(hi + 1..).unwrap_or(&[])))?,
    })
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    let d = *ctx.data::<Data>()?;
    let (outer, middle, inner) = (d.outer as usize, d.middle as usize, d.inner as usize);
    by_size!(d.size, E => {
        let x = ctx.input::<E>(0)?;
        reverse(outer, middle, inner, x, ctx.output::<E>(0)?).map_err(|e| ctx.kernel_err(e))
    })
}
