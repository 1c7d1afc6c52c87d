//! RELU6: int8 (the raw input clamped to `[zero, six]` on the input's quantization; TFLM does
//! not read the output's) and float32.

use super::elementwise::{load, store, unary};
use super::{Io, OpCtx, OpPlan, Registration};
use crate::error::Error;
use crate::schema::{BuiltinOperator, TensorType};
use microlite_kernels::relu6::{relu6_f32, relu6_int8, relu6_prepare_int8, Relu6ParamsInt8};

pub(crate) fn registration() -> Registration {
    super::legacy_registration!(BuiltinOperator::RELU6, 3)
}

fn prepare(ctx: &OpCtx<'_>, data: Option<&mut [i32]>) -> Result<OpPlan, Error> {
    let (input, _) = unary(ctx)?;
    if input.t.ty() != TensorType::Int8 {
        return Ok(OpPlan::default());
    }
    let (scale, zp) = ctx.quant(&input)?;
    let k = relu6_prepare_int8(scale, zp);
    store(data, &[i32::from(k.zero), i32::from(k.six)]);
    Ok(OpPlan {
        data_words: 2,
        scratch_bytes: 0,
    })
}

fn eval(ctx: &OpCtx<'_>, io: &mut Io<'_>, data: &[i32]) -> Result<(), Error> {
    let (input, _) = unary(ctx)?;
    match input.t.ty() {
        TensorType::Int8 => {
            let [zero, six] = load::<2>(ctx, data)?;
            // Both were stored from i8 values.
            let k = Relu6ParamsInt8 {
                zero: zero as i8,
                six: six as i8,
            };
            relu6_int8(&k, io.input::<i8>(0)?, io.output::<i8>(0)?)
        }
        _ => relu6_f32(io.input::<f32>(0)?, io.output::<f32>(0)?),
    }
    .map_err(|e| ctx.kernel_err(e))
}
