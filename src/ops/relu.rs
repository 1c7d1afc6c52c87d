//! RELU: int8 (requantized onto the output scale, as TFLM) and float32.

use super::elementwise::{load, store, unary};
use super::{Io, OpCtx, OpPlan, Registration};
use crate::error::Error;
use crate::schema::{BuiltinOperator, TensorType};
use microlite_kernels::relu::{relu_f32, relu_int8, relu_prepare_int8, ReluParamsInt8};

pub(crate) fn registration() -> Registration {
    super::legacy_registration!(BuiltinOperator::RELU, 3)
}

fn prepare(ctx: &OpCtx<'_>, data: Option<&mut [i32]>) -> Result<OpPlan, Error> {
    let (input, output) = unary(ctx)?;
    if input.t.ty() != TensorType::Int8 {
        return Ok(OpPlan::default());
    }
    let ((si, zi), (so, zo)) = (ctx.quant(&input)?, ctx.quant(&output)?);
    let k = relu_prepare_int8(si, zi, so, zo);
    store(
        data,
        &[
            k.input_offset,
            k.output_offset,
            k.output_multiplier,
            k.output_shift,
            k.act_min,
            k.act_max,
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
            let [input_offset, output_offset, output_multiplier, output_shift, act_min, act_max] =
                load::<6>(ctx, data)?;
            let k = ReluParamsInt8 {
                input_offset,
                output_offset,
                output_multiplier,
                output_shift,
                act_min,
                act_max,
            };
            relu_int8(&k, io.input::<i8>(0)?, io.output::<i8>(0)?)
        }
        _ => relu_f32(io.input::<f32>(0)?, io.output::<f32>(0)?),
    }
    .map_err(|e| ctx.kernel_err(e))
}
