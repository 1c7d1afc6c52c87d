//! LEAKY_RELU: int8 (separate requantization of negative and non-negative inputs, as TFLM)
//! and float32; `alpha` from `LeakyReluOptions`.

use super::elementwise::{load, store, unary};
use super::{Io, OpCtx, OpPlan, Registration};
use crate::error::Error;
use crate::schema::{options, BuiltinOperator, TensorType};
use microlite_kernels::leaky_relu::{
    leaky_relu_f32, leaky_relu_int8, leaky_relu_prepare_int8, LeakyReluParamsInt8,
};

pub(crate) fn registration() -> Registration {
    super::legacy_registration!(BuiltinOperator::LEAKY_RELU, 2)
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

fn prepare(ctx: &OpCtx<'_>, data: Option<&mut [i32]>) -> Result<OpPlan, Error> {
    let (input, output) = unary(ctx)?;
    let a = alpha(ctx)?;
    if input.t.ty() != TensorType::Int8 {
        return Ok(OpPlan::default());
    }
    let ((si, zi), (so, zo)) = (ctx.quant(&input)?, ctx.quant(&output)?);
    let k = leaky_relu_prepare_int8(si, zi, a, so, zo);
    store(
        data,
        &[
            k.input_offset,
            k.output_offset,
            k.output_multiplier_alpha,
            k.output_shift_alpha,
            k.output_multiplier_identity,
            k.output_shift_identity,
        ],
    );
    Ok(OpPlan {
        data_words: 6,
        scratch_bytes: 0,
    })
}

fn eval(ctx: &OpCtx<'_>, io: &mut Io<'_>, data: &[i32]) -> Result<(), Error> {
    let (input, _) = unary(ctx)?;
    match input.t.ty() {
        TensorType::Int8 => {
            let [input_offset, output_offset, output_multiplier_alpha, output_shift_alpha, output_multiplier_identity, output_shift_identity] =
                load::<6>(ctx, data)?;
            let k = LeakyReluParamsInt8 {
                input_offset,
                output_offset,
                output_multiplier_alpha,
                output_shift_alpha,
                output_multiplier_identity,
                output_shift_identity,
            };
            leaky_relu_int8(&k, io.input::<i8>(0)?, io.output::<i8>(0)?)
        }
        _ => leaky_relu_f32(alpha(ctx)?, io.input::<f32>(0)?, io.output::<f32>(0)?),
    }
    .map_err(|e| ctx.kernel_err(e))
}
