//! CONCATENATION: joins up to 10 tensors (TFLM's `kMaxInputNum`) along an axis.
//!
//! TFLM's int8 path copies raw values (`EvalUnquantized<int8_t>`): it never requantizes.
//! Instead its prepare requires every int8 input to have exactly the output's scale and zero
//! point (the converter gives them all the same parameters), and int16 ones zero point 0
//! (their scales are not compared); so does microlite.
//! The fused activation must be NONE.

use super::movement::{axis, elem_size, eval_join, persist_bands, same_type, Dims};
use super::{EvalCtx, OpCtx, PrepareCtx, Registration, T};
use crate::error::Error;
use crate::schema::{options, BuiltinOperator, TensorType};

/// Most inputs, as in TFLM.
const MAX_INPUTS: usize = 10;

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::CONCATENATION, 4, prepare, eval)
}

struct Params {
    n: usize,
    size: usize,
    axis: usize,
    /// The inputs' sizes along the axis.
    lens: [usize; MAX_INPUTS],
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
    let mut lens = [0usize; MAX_INPUTS];
    for (k, len) in lens.iter_mut().enumerate().take(n) {
        let input = ctx.input(k)?;
        same_type(ctx, &output, &input)?;
        let d = Dims::of(&input);
        if d.rank != out.rank {
            return Err(ctx.shape_err(&input));
        }
        if !d.without(axis).eq(out.without(axis)) {
            return Err(ctx.shape_err(&input));
        }
        *len = d.dim(axis);
        total = total.saturating_add(*len);
        let bad = match output.t.ty() {
            TensorType::Int8 => raw_quant(&input) != raw_quant(&output),
            // TFLM: int16 zero points 0, scales not compared (values copied raw).
            TensorType::Int16 => raw_quant(&input).1 != 0 || raw_quant(&output).1 != 0,
            _ => false,
        };
        if bad {
            return Err(ctx.quant_err(&input));
        }
    }
    if total != out.dim(axis) {
        return Err(ctx.shape_err(&output));
    }
    Ok(Params {
        n,
        size,
        axis,
        lens,
    })
}

/// Scale and zero point as TFLM's `params` hold them (0 when absent).
fn raw_quant(t: &T<'_>) -> (f32, i64) {
    t.t.quantization()
        .map(|q| (q.scale(0), q.zero_point(0)))
        .unwrap_or((0.0, 0))
}

fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    let op = ctx.op;
    let p = params(&op)?;
    let lens = p.lens.into_iter().take(p.n);
    persist_bands(ctx, &op.output(0)?, p.size, p.axis, lens)
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    eval_join(ctx)
}
