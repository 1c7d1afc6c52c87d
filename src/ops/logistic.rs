//! LOGISTIC: int8 (gemmlowp fixed point, output zero point -128) and float32.

use super::elementwise::{load, store, unary};
use super::{Io, OpCtx, OpPlan, Registration};
use crate::error::Error;
use crate::schema::{BuiltinOperator, TensorType};
use microlite_kernels::logistic::{
    logistic_f32, logistic_int8, logistic_prepare_int8, LogisticParamsInt8,
};

pub(crate) fn registration() -> Registration {
    super::legacy_registration!(BuiltinOperator::LOGISTIC, 3)
}

fn prepare(ctx: &OpCtx<'_>, data: Option<&mut [i32]>) -> Result<OpPlan, Error> {
    let (input, output) = unary(ctx)?;
    if input.t.ty() != TensorType::Int8 {
        return Ok(OpPlan::default());
    }
    // TFLM requires the output zero point -128 (the scale is taken to be 1/256).
    let (_, out_zp) = ctx.quant(&output)?;
    if out_zp != -128 {
        return Err(ctx.quant_err(&output));
    }
    let (scale, zp) = ctx.quant(&input)?;
    let k = logistic_prepare_int8(scale, zp).map_err(|_| ctx.quant_err(&input))?;
    store(
        data,
        &[
            k.input_zero_point,
            k.input_range_radius,
            k.input_multiplier,
            k.input_left_shift,
        ],
    );
    Ok(OpPlan {
        data_words: 4,
        scratch_bytes: 0,
    })
}

fn eval(ctx: &OpCtx<'_>, io: &mut Io<'_>, data: &[i32]) -> Result<(), Error> {
    let (input, _) = unary(ctx)?;
    match input.t.ty() {
        TensorType::Int8 => {
            let [input_zero_point, input_range_radius, input_multiplier, input_left_shift] =
                load::<4>(ctx, data)?;
            let k = LogisticParamsInt8 {
                input_zero_point,
                input_range_radius,
                input_multiplier,
                input_left_shift,
            };
            logistic_int8(&k, io.input::<i8>(0)?, io.output::<i8>(0)?)
        }
        _ => logistic_f32(io.input::<f32>(0)?, io.output::<f32>(0)?),
    }
    .map_err(|e| ctx.kernel_err(e))
}
