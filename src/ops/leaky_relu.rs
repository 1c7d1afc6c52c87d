//! LEAKY_RELU: int8 and int16 (separate requantization of negative and non-negative inputs,
//! as TFLM; zero points honoured) and float32; `alpha` from `LeakyReluOptions`.

use super::elementwise::{int8_params, unary};
use super::{kinds, EvalCtx, OpCtx, PrepareCtx, Registration};
use crate::error::Error;
use crate::schema::{options, BuiltinOperator, TensorType};
use microlite_kernels::leaky_relu::{
    leaky_relu_f32, leaky_relu_int16, leaky_relu_int8, leaky_relu_prepare_int16,
    leaky_relu_prepare_int8, LeakyReluParamsInt8,
};

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::LEAKY_RELU, 2, prepare, eval)
}

kinds! {
    enum Kind { Int8, Float32, Int16 }
}

int8_params! {
    /// The kernel's int8 (or int16) parameters, as op data.
    struct LeakyReluInt8 for [LeakyReluParamsInt8] {
        input_offset,
        output_offset,
        output_multiplier_alpha,
        output_shift_alpha,
        output_multiplier_identity,
        output_shift_identity,
    }
}

/// What eval needs, fixed at prepare.
#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Data {
    kind: u32,
    /// The float32 slope for negative inputs.
    alpha: f32,
    /// Int8 or int16 requantization (zeroed for float32).
    q: LeakyReluInt8,
}

/// The slope for negative inputs (the schema's default is 0).
fn alpha(ctx: &OpCtx<'_>) -> Result<f32, Error> {
    let a = match ctx.options(options::LEAKY_RELU) {
        Some(o) => o.f32(0, 0.0)?,
        None => 0.0,
    };
    if a.is_finite() {
        Ok(a)
    } else {
        Err(ctx.options_err())
    }
}

fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    let op = ctx.op;
    let (input, output) = unary(&op)?;
    let alpha = alpha(&op)?;
    let d = match input.t.ty() {
        TensorType::Int8 => {
            let ((si, zi), (so, zo)) = (op.quant(&input)?, op.quant(&output)?);
            Data {
                kind: Kind::Int8.tag(),
                alpha,
                q: leaky_relu_prepare_int8(si, zi, alpha, so, zo).into(),
            }
        }
        TensorType::Int16 => {
            let ((si, zi), (so, zo)) = (op.quant(&input)?, op.quant(&output)?);
            Data {
                kind: Kind::Int16.tag(),
                alpha,
                q: leaky_relu_prepare_int16(si, zi, alpha, so, zo).into(),
            }
        }
        TensorType::Float32 => Data {
            kind: Kind::Float32.tag(),
            alpha,
            q: LeakyReluInt8::default(),
        },
        _ => return Err(op.type_err(&input)),
    };
    ctx.persist(&d)
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    let d = ctx.data::<Data>()?;
    match Kind::from_tag(d.kind)? {
        Kind::Int8 => leaky_relu_int8(&d.q.into(), ctx.input::<i8>(0)?, ctx.output::<i8>(0)?),
        Kind::Int16 => leaky_relu_int16(&d.q.into(), ctx.input::<i16>(0)?, ctx.output::<i16>(0)?),
        Kind::Float32 => leaky_relu_f32(d.alpha, ctx.input::<f32>(0)?, ctx.output::<f32>(0)?),
    }
    .map_err(|e| ctx.kernel_err(e))
}
