//! HARD_SWISH: int8 (TFLM's 16-bit fixed-point "reluish" arithmetic) and float32.

use super::elementwise::{load, store, unary};
use super::{Io, OpCtx, OpPlan, Registration};
use crate::error::Error;
use crate::schema::{BuiltinOperator, TensorType};
use microlite_kernels::hard_swish::{
    hard_swish_f32, hard_swish_int8, hard_swish_prepare_int8, HardSwishParamsInt8,
};

pub(crate) fn registration() -> Registration {
    super::legacy_registration!(BuiltinOperator::HARD_SWISH, 1)
}

fn prepare(ctx: &OpCtx<'_>, data: Option<&mut [i32]>) -> Result<OpPlan, Error> {
    let (input, output) = unary(ctx)?;
    if input.t.ty() != TensorType::Int8 {
        return Ok(OpPlan::default());
    }
    let ((si, zi), (so, zo)) = (ctx.quant(&input)?, ctx.quant(&output)?);
    // TFLM refuses an output scale more than 128 times finer than the input's.
    let k = hard_swish_prepare_int8(si, zi, so, zo).map_err(|_| ctx.quant_err(&output))?;
    store(
        data,
        &[
            i32::from(k.input_zero_point),
            i32::from(k.output_zero_point),
            i32::from(k.reluish_multiplier_fixedpoint_int16),
            k.reluish_multiplier_exponent,
            i32::from(k.output_multiplier_fixedpoint_int16),
            k.output_multiplier_exponent,
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
            let [in_zp, out_zp, reluish_m, reluish_e, out_m, out_e] = load::<6>(ctx, data)?;
            // The int16 fields were stored from i16 values.
            let k = HardSwishParamsInt8 {
                input_zero_point: in_zp as i16,
                output_zero_point: out_zp as i16,
                reluish_multiplier_fixedpoint_int16: reluish_m as i16,
                reluish_multiplier_exponent: reluish_e,
                output_multiplier_fixedpoint_int16: out_m as i16,
                output_multiplier_exponent: out_e,
            };
            hard_swish_int8(&k, io.input::<i8>(0)?, io.output::<i8>(0)?)
        }
        _ => hard_swish_f32(io.input::<f32>(0)?, io.output::<f32>(0)?),
    }
    .map_err(|e| ctx.kernel_err(e))
}
