//! TANH: int8 (gemmlowp fixed point; the output is read as scale 1/128, zero point 0, as
//! TFLM) and float32.

use super::elementwise::{load, store, unary};
use super::{Io, OpCtx, OpPlan, Registration};
use crate::error::Error;
use crate::schema::{BuiltinOperator, TensorType};
use microlite_kernels::tanh::{tanh_f32, tanh_int8, tanh_prepare_int8, TanhParamsInt8};

pub(crate) fn registration() -> Registration {
    super::legacy_registration!(BuiltinOperator::TANH, 3)
}

fn prepare(ctx: &OpCtx<'_>, data: Option<&mut [i32]>) -> Result<OpPlan, Error> {
    let (input, _) = unary(ctx)?;
    if input.t.ty() != TensorType::Int8 {
        return Ok(OpPlan::default());
    }
    let (scale, zp) = ctx.quant(&input)?;
    let k = tanh_prepare_int8(scale, zp).map_err(|_| ctx.quant_err(&input))?;
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
            let k = TanhParamsInt8 {
                input_zero_point,
                input_range_radius,
                input_multiplier,
                input_left_shift,
            };
            tanh_int8(&k, io.input::<i8>(0)?, io.output::<i8>(0)?)
        }
        _ => tanh_f32(io.input::<f32>(0)?, io.output::<f32>(0)?),
    }
    .map_err(|e| ctx.kernel_err(e))
}
