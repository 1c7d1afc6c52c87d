//! REDUCE_MAX and REDUCE_MIN: float32 and int8 reductions over constant axes, with or without
//! keep_dims, as TFLM's `EvalMinMaxHelper` (int8 raw values: the input and output must share
//! one scale and zero point, never requantized). The geometry is MEAN's (rank up to 4).

use super::mean::reduction;
use super::movement::{sizes, words};
use super::{kinds, EvalCtx, OpCtx, PrepareCtx, Registration, T};
use crate::error::Error;
use crate::schema::{BuiltinOperator, TensorType};
use microlite_kernels::reduce_max::{reduce_max, reduce_min};

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::REDUCE_MAX, 3, prepare, eval_max)
}

/// REDUCE_MIN: the same reduction keeping the smallest value.
pub(crate) fn registration_min() -> Registration {
    Registration::builtin(BuiltinOperator::REDUCE_MIN, 3, prepare, eval_min)
}

kinds! {
    enum Kind { Float32, Int8 }
}

#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Data {
    kind: u32,
    /// The input right-aligned into rank 4.
    in_shape: [u32; 4],
    /// 1 for each reduced dim of `in_shape`.
    axes: [u32; 4],
}

/// A tensor's first scale and zero point as TFLM reads them (0 and 0 without quantization).
fn raw_quant(t: &T<'_>) -> (f32, i64) {
    t.t.quantization()
        .map_or((0.0, 0), |q| (q.scale(0), q.zero_point(0)))
}

fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    let op: OpCtx<'_> = ctx.op;
    let p = reduction(&op)?;
    let kind = match p.input.t.ty() {
        TensorType::Float32 => Kind::Float32,
        TensorType::Int8 => {
            // TFLM: int8 input and output scales equal (as doubles) and zero points equal.
            if raw_quant(&p.input) != raw_quant(&p.output) {
                return Err(op.quant_err(&p.output));
            }
            Kind::Int8
        }
        _ => return Err(op.type_err(&p.input)),
    };
    ctx.persist(&Data {
        kind: kind.tag(),
        in_shape: words(&op, &p.input, &p.in_shape)?,
        axes: p.axes.map(u32::from),
    })
}

fn eval_with(ctx: &mut EvalCtx<'_>, max: bool) -> Result<(), Error> {
    let d = ctx.data::<Data>()?;
    let (s, axes) = (sizes(&d.in_shape), d.axes.map(|a| a != 0));
    match Kind::from_tag(d.kind)? {
        Kind::Float32 => {
            let (x, out) = (ctx.input::<f32>(0)?, ctx.output::<f32>(0)?);
            if max {
                reduce_max(s, x, axes, out)
            } else {
                reduce_min(s, x, axes, out)
            }
        }
        Kind::Int8 => {
            let (x, out) = (ctx.input::<i8>(0)?, ctx.output::<i8>(0)?);
            if max {
                reduce_max(s, x, axes, out)
            } else {
                reduce_min(s, x, axes, out)
            }
        }
    }
    .map_err(|e| ctx.kernel_err(e))
}

fn eval_max(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    eval_with(ctx, true)
}

fn eval_min(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    eval_with(ctx, false)
}
