//! GATHER_ND: params slices picked by int32 index tuples (the indices' last dimension, at
//! most 5 long), float32 and int8 params as TFLM; the output shape is
//! `indices[:-1] + params[nd:]`. As TFLM, only a slice outside the params' flat extent is an
//! error (at invoke); an index past its own dimension that stays inside reads on.

use super::movement::{by_size, elem_size, same_type, Dims};
use super::{EvalCtx, PrepareCtx, Registration};
use crate::error::Error;
use crate::schema::{BuiltinOperator, TensorType};
use microlite_kernels::gather_nd::{gather_nd, gather_nd_strides, MAX_INDICES_ND};

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::GATHER_ND, 5, prepare, eval)
}

/// What eval needs, fixed at prepare.
#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Data {
    size: u32,
    /// Index tuple length.
    nd: u32,
    /// Elements per slice.
    slice: u32,
    /// TFLM's `dims_to_count` (the first `nd` used).
    strides: [u32; MAX_INDICES_ND],
}

fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    let op = ctx.op;
    op.expect_counts(2, 2, 1)?;
    let (params, indices, output) = (op.input(0)?, op.input(1)?, op.output(0)?);
    if !matches!(params.t.ty(), TensorType::Float32 | TensorType::Int8) {
        return Err(op.type_err(&params));
    }
    op.expect_type(&indices, TensorType::Int32)?;
    same_type(&op, &params, &output)?;
    let (pd, id, od) = (Dims::of(&params), Dims::of(&indices), Dims::of(&output));
    if pd.rank < 1 {
        return Err(op.shape_err(&params));
    }
    // TFLM: indices at least a vector, tuples no longer than the params' rank or 5.
    let (nd, lead) = match id.as_slice().split_last() {
        Some((&nd, lead)) if nd <= pd.rank && nd <= MAX_INDICES_ND => (nd, lead),
        _ => return Err(op.shape_err(&indices)),
    };
    let rest = pd.as_slice().get(nd..).unwrap_or(&[]);
    if !lead.iter().chain(rest).eq(od.as_slice().iter()) {
        return Err(op.shape_err(&output));
    }
    let word = |v: usize| u32::try_from(v).map_err(|_| op.shape_err(&params));
    let slice = rest.iter().fold(1usize, |a, &d| a.saturating_mul(d));
    let mut strides = [0u32; MAX_INDICES_ND];
    for (o, s) in strides.iter_mut().zip(gather_nd_strides(pd.as_slice(), nd)) {
        *o = word(s)?;
    }
    ctx.persist(&Data {
        size: word(elem_size(&op, &params)?)?,
        nd: word(nd)?,
        slice: word(slice)?,
        strides,
    })
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    let d = *ctx.data::<Data>()?;
    let strides = d.strides.map(|s| s as usize);
    let strides = strides.get(..d.nd as usize).unwrap_or(&[]);
    let indices = ctx.input::<i32>(1)?;
    by_size!(d.size, E => {
        let params = ctx.input::<E>(0)?;
        let out = ctx.output::<E>(0)?;
        gather_nd(params, indices, strides, d.slice as usize, out).map_err(|e| ctx.kernel_err(e))
    })
}
