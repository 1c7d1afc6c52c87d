//! CONCATENATION: joins up to 10 tensors (TFLM's `kMaxInputNum`) along an axis.
//!
//! TFLM's int8 path copies raw values (`EvalUnquantized<int8_t>`): it never requantizes.
//! Instead its prepare requires every int8 / int16 input to have exactly the output's scale
//! and zero point (the converter gives them all the same parameters); so does microlite.
//! The fused activation must be NONE.

use super::movement::{axis, by_size, elem_size, same_type, Dims};
use super::{Io, OpCtx, OpPlan, Registration, T};
use crate::error::Error;
use crate::schema::{options, BuiltinOperator, TensorType};
use microlite_kernels::concatenation::{concatenation_part, AxisBand};

/// Most inputs, as in TFLM.
const MAX_INPUTS: usize = 10;

pub(crate) fn registration() -> Registration {
    super::legacy_registration!(BuiltinOperator::CONCATENATION, 4)
}

struct Params {
    n: usize,
    size: usize,
    axis: usize,
    out: Dims,
}

fn params(ctx: &OpCtx<'_>) -> Result<Params, Error> {
    ctx.expect_counts(1, MAX_INPUTS, 1)?;
    let output = ctx.output(0)?;
    let (raw_axis, act) = match ctx.options(options::CONCATENATION) {
        Some(o) => (o.i32(0, 0)?, o.u8(1, 0)?),
        None => (0, 0),
    };
    if act != 0 {
        return Err(ctx.options_err());
    }
    let size = elem_size(ctx, &output)?;
    let out = Dims::of(&output);
    let axis = axis(ctx, i64::from(raw_axis), out.rank)?;
    let n = ctx.op.inputs().len();
    let mut total = 0usize;
    for k in 0..n {
        let input = ctx.input(k)?;
        same_type(ctx, &output, &input)?;
        let d = Dims::of(&input);
        if d.rank != out.rank {
            return Err(ctx.shape_err(&input));
        }
        if !d.without(axis).eq(out.without(axis)) {
            return Err(ctx.shape_err(&input));
        }
        total = total.saturating_add(d.dim(axis));
        if matches!(output.t.ty(), TensorType::Int8 | TensorType::Int16)
            && raw_quant(&input) != raw_quant(&output)
        {
            return Err(ctx.quant_err(&input));
        }
    }
    if total != out.dim(axis) {
        return Err(ctx.shape_err(&output));
    }
    Ok(Params { n, size, axis, out })
}

/// Scale and zero point as TFLM's `params` hold them (0 when absent).
fn raw_quant(t: &T<'_>) -> (f32, i64) {
    t.t.quantization()
        .map(|q| (q.scale(0), q.zero_point(0)))
        .unwrap_or((0.0, 0))
}

fn prepare(ctx: &OpCtx<'_>, _data: Option<&mut [i32]>) -> Result<OpPlan, Error> {
    params(ctx)?;
    Ok(OpPlan::default())
}

fn eval(ctx: &OpCtx<'_>, io: &mut Io<'_>, _data: &[i32]) -> Result<(), Error> {
    let p = params(ctx)?;
    let (outer, inner) = p.out.around(p.axis);
    by_size!(ctx, p.size, E => {
        let out = io.output::<E>(0)?;
        let mut start = 0;
        for k in 0..p.n {
            let len = Dims::of(&ctx.input(k)?).dim(p.axis);
            let band = AxisBand { outer, axis: p.out.dim(p.axis), inner, start, len };
            concatenation_part(&band, io.input::<E>(k)?, out).map_err(|e| ctx.kernel_err(e))?;
            start += len;
        }
        Ok(())
    })
}
