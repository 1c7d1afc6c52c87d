//! MUL: int8 (one rescale of the product, as TFLM) and float32, with broadcasting up to
//! rank 4 and a fused activation.

use super::elementwise::{binary, load, store, Binary};
use super::{Io, OpCtx, OpPlan, Registration};
use crate::error::Error;
use crate::schema::{options, BuiltinOperator, TensorType};
use microlite_kernels::mul::{mul_f32, mul_int8, mul_prepare_int8, MulParamsInt8};
use microlite_kernels::quant::{activation_range_f32, activation_range_i8};

pub(crate) fn registration() -> Registration {
    super::legacy_registration!(BuiltinOperator::MUL, 7)
}

/// Persistent words of the int8 parameters.
const WORDS: usize = 7;

fn params<'m>(ctx: &OpCtx<'m>) -> Result<Binary<'m>, Error> {
    binary(ctx, options::MUL)
}

fn prepare(ctx: &OpCtx<'_>, data: Option<&mut [i32]>) -> Result<OpPlan, Error> {
    let p = params(ctx)?;
    if p.in1.t.ty() != TensorType::Int8 {
        return Ok(OpPlan::default());
    }
    let ((a, za), (b, zb), (o, zo)) = (
        ctx.quant(&p.in1)?,
        ctx.quant(&p.in2)?,
        ctx.quant(&p.output)?,
    );
    let (lo, hi) = activation_range_i8(p.act, o, zo);
    let k = mul_prepare_int8(a, za, b, zb, o, zo, lo, hi);
    store(
        data,
        &[
            k.input1_offset,
            k.input2_offset,
            k.output_offset,
            k.output_multiplier,
            k.output_shift,
            k.act_min,
            k.act_max,
        ],
    );
    Ok(OpPlan {
        data_words: WORDS,
        scratch_bytes: 0,
    })
}

fn eval(ctx: &OpCtx<'_>, io: &mut Io<'_>, data: &[i32]) -> Result<(), Error> {
    let p = params(ctx)?;
    match p.in1.t.ty() {
        TensorType::Int8 => {
            let [input1_offset, input2_offset, output_offset, output_multiplier, output_shift, act_min, act_max] =
                load::<WORDS>(ctx, data)?;
            let k = MulParamsInt8 {
                input1_offset,
                input2_offset,
                output_offset,
                output_multiplier,
                output_shift,
                act_min,
                act_max,
            };
            let (x, y) = (io.input::<i8>(0)?, io.input::<i8>(1)?);
            mul_int8(&k, p.s1, x, p.s2, y, p.so, io.output::<i8>(0)?)
        }
        _ => {
            let (lo, hi) = activation_range_f32(p.act);
            let (x, y) = (io.input::<f32>(0)?, io.input::<f32>(1)?);
            mul_f32(lo, hi, p.s1, x, p.s2, y, p.so, io.output::<f32>(0)?)
        }
    }
    .map_err(|e| ctx.kernel_err(e))
}
