//! HARD_SWISH: int8 (TFLM's 16-bit fixed-point "reluish" arithmetic) and float32.

use super::elementwise::unary;
use super::{kinds, EvalCtx, PrepareCtx, Registration};
use crate::error::Error;
use crate::schema::{BuiltinOperator, TensorType};
use microlite_kernels::hard_swish::{
    hard_swish_f32, hard_swish_int8, hard_swish_prepare_int8, HardSwishParamsInt8,
};

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::HARD_SWISH, 1, prepare, eval)
}

kinds! {
    enum Kind { Int8, Float32 }
}

/// The kernel's int8 parameters, as op data (the `i16` fields widened to `i32`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, bytemuck::Pod, bytemuck::Zeroable)]
struct HardSwishInt8 {
    input_zero_point: i32,
    output_zero_point: i32,
    reluish_multiplier_fixedpoint_int16: i32,
    reluish_multiplier_exponent: i32,
    output_multiplier_fixedpoint_int16: i32,
    output_multiplier_exponent: i32,
}

impl From<HardSwishParamsInt8> for HardSwishInt8 {
    fn from(k: HardSwishParamsInt8) -> Self {
        HardSwishInt8 {
            input_zero_point: i32::from(k.input_zero_point),
            output_zero_point: i32::from(k.output_zero_point),
            reluish_multiplier_fixedpoint_int16: i32::from(k.reluish_multiplier_fixedpoint_int16),
            reluish_multiplier_exponent: k.reluish_multiplier_exponent,
            output_multiplier_fixedpoint_int16: i32::from(k.output_multiplier_fixedpoint_int16),
            output_multiplier_exponent: k.output_multiplier_exponent,
        }
    }
}

impl From<HardSwishInt8> for HardSwishParamsInt8 {
    /// The narrowed fields were widened from `i16` values.
    fn from(d: HardSwishInt8) -> Self {
        HardSwishParamsInt8 {
            input_zero_point: d.input_zero_point as i16,
            output_zero_point: d.output_zero_point as i16,
            reluish_multiplier_fixedpoint_int16: d.reluish_multiplier_fixedpoint_int16 as i16,
            reluish_multiplier_exponent: d.reluish_multiplier_exponent,
            output_multiplier_fixedpoint_int16: d.output_multiplier_fixedpoint_int16 as i16,
            output_multiplier_exponent: d.output_multiplier_exponent,
        }
    }
}

/// What eval needs, fixed at prepare.
#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Data {
    kind: u32,
    /// Int8 fixed-point parameters (zeroed for float32).
    q: HardSwishInt8,
}

fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    let op = ctx.op;
    let (input, output) = unary(&op)?;
    let d = match input.t.ty() {
        TensorType::Int8 => {
            let ((si, zi), (so, zo)) = (op.quant(&input)?, op.quant(&output)?);
            // TFLM refuses an output scale more than 128 times finer than the input's.
            let k = hard_swish_prepare_int8(si, zi, so, zo).map_err(|_| op.quant_err(&output))?;
            Data {
                kind: Kind::Int8.tag(),
                q: k.into(),
            }
        }
        TensorType::Float32 => Data {
            kind: Kind::Float32.tag(),
            q: HardSwishInt8::default(),
        },
        _ => return Err(op.type_err(&input)),
    };
    ctx.persist(&d)
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    let d = ctx.data::<Data>()?;
    match Kind::from_tag(d.kind)? {
        Kind::Int8 => hard_swish_int8(&d.q.into(), ctx.input::<i8>(0)?, ctx.output::<i8>(0)?),
        Kind::Float32 => hard_swish_f32(ctx.input::<f32>(0)?, ctx.output::<f32>(0)?),
    }
    .map_err(|e| ctx.kernel_err(e))
}
