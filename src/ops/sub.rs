//! SUB: int8 (TFLM's 20-bit left-shift rescaling, multipliers from `f32` scale ratios) and
//! float32, with broadcasting up to rank 4 and a fused activation.

use super::elementwise::{binary, load, store, Binary};
use super::{Io, OpCtx, OpPlan, Registration};
use crate::error::Error;
use crate::schema::{options, BuiltinOperator, TensorType};
use microlite_kernels::quant::{activation_range_f32, activation_range_i8};
use microlite_kernels::sub::{sub_f32, sub_int8, sub_prepare_int8, SubParamsInt8};

pub(crate) fn registration() -> Registration {
    super::legacy_registration!(BuiltinOperator::SUB, 5)
}

/// Persistent words of the int8 parameters.
const WORDS: usize = 12;

fn params<'m>(ctx: &OpCtx<'m>) -> Result<Binary<'m>, Error> {
    binary(ctx, options::SUB)
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
    let k = sub_prepare_int8(a, za, b, zb, o, zo, lo, hi);
    store(
        data,
        &[
            k.left_shift,
            k.input1_offset,
            k.input1_multiplier,
            k.input1_shift,
            k.input2_offset,
            k.input2_multiplier,
            k.input2_shift,
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
            let w = load::<WORDS>(ctx, data)?;
            let k = SubParamsInt8 {
                left_shift: w[0],
                input1_offset: w[1],
                input1_multiplier: w[2],
                input1_shift: w[3],
                input2_offset: w[4],
                input2_multiplier: w[5],
                input2_shift: w[6],
                output_offset: w[7],
                output_multiplier: w[8],
                output_shift: w[9],
                act_min: w[10],
                act_max: w[11],
            };
            let (x, y) = (io.input::<i8>(0)?, io.input::<i8>(1)?);
            sub_int8(&k, p.s1, x, p.s2, y, p.so, io.output::<i8>(0)?)
        }
        _ => {
            let (lo, hi) = activation_range_f32(p.act);
            let (x, y) = (io.input::<f32>(0)?, io.input::<f32>(1)?);
            sub_f32(lo, hi, p.s1, x, p.s2, y, p.so, io.output::<f32>(0)?)
        }
    }
    .map_err(|e| ctx.kernel_err(e))
}
