//! LOG_SOFTMAX over the last dimension: float32, and int8 into an output quantized as TFLM
//! requires (scale exactly 16/256, zero point 127), as TFLM's `log_softmax.cc` (see
//! `microlite_kernels::log_softmax`).

use super::math::unary_same;
use super::movement::{word, Dims};
use super::{kinds, EvalCtx, PrepareCtx, Registration};
use crate::error::Error;
use crate::schema::{BuiltinOperator, TensorType};
use microlite_kernels::log_softmax::{
    log_softmax_f32, log_softmax_int8, log_softmax_prepare_int8, LogSoftmaxParamsInt8,
};

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::LOG_SOFTMAX, 2, prepare, eval)
}

kinds! {
    enum Kind { Float32, Int8 }
}

#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Data {
    kind: u32,
    rows: u32,
    depth: u32,
    input_multiplier: i32,
    input_left_shift: i32,
    reverse_scaling_divisor: i32,
    reverse_scaling_shift: i32,
    diff_min: i32,
}

fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    let op = ctx.op;
    let (input, output) = unary_same(&op)?;
    let d = Dims::of(&input);
    if d.rank == 0 {
        return Err(op.shape_err(&input));
    }
    let (rows, _) = d.around(d.rank - 1);
    let (kind, p) = match input.t.ty() {
        TensorType::Float32 => (Kind::Float32, LogSoftmaxParamsInt8::default()),
        TensorType::Int8 => {
            let (si, _) = op.quant(&input)?;
            let (so, zo) = op.quant(&output)?;
            if so != 16.0 / 256.0 || zo != 127 {
                return Err(op.quant_err(&output));
            }
            (Kind::Int8, log_softmax_prepare_int8(si))
        }
        _ => return Err(op.type_err(&input)),
    };
    ctx.persist(&Data {
        kind: kind.tag(),
        rows: word(&op, &input, rows)?,
        depth: word(&op, &input, d.dim(d.rank - 1))?,
        input_multiplier: p.input_multiplier,
        input_left_shift: p.input_left_shift,
        reverse_scaling_divisor: p.reverse_scaling_divisor,
        reverse_scaling_shift: p.reverse_scaling_shift,
        diff_min: p.diff_min,
    })
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    let d = *ctx.data::<Data>()?;
    let (rows, depth) = (d.rows as usize, d.depth as usize);
    match Kind::from_tag(d.kind)? {
        Kind::Float32 => {
            let x = ctx.input::<f32>(0)?;
            log_softmax_f32(rows, depth, x, ctx.output::<f32>(0)?)
        }
        Kind::Int8 => {
            let p = LogSoftmaxParamsInt8 {
                input_multiplier: d.input_multiplier,
                input_left_shift: d.input_left_shift,
                reverse_scaling_divisor: d.reverse_scaling_divisor,
                reverse_scaling_shift: d.reverse_scaling_shift,
                diff_min: d.diff_min,
            };
            let x = ctx.input::<i8>(0)?;
            log_softmax_int8(&p, rows, depth, x, ctx.output::<i8>(0)?)
        }
    }
    .map_err(|e| ctx.kernel_err(e))
}
