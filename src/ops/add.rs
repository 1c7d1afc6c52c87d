//! ADD: int8 (TFLM's 20-bit left-shift rescaling) and float32, with broadcasting up to rank 4.

use super::elementwise::{binary, Binary};
use super::{Io, OpCtx, OpPlan, Registration};
use crate::error::Error;
use crate::schema::{options, BuiltinOperator, TensorType};
use microlite_kernels::add::{add_f32, add_int8, add_prepare_int8, AddParamsInt8};
use microlite_kernels::quant::{activation_range_f32, activation_range_i8};

pub(crate) fn registration() -> Registration {
    super::legacy_registration!(BuiltinOperator::ADD, 5)
}

fn params<'m>(ctx: &OpCtx<'m>) -> Result<Binary<'m>, Error> {
    binary(ctx, options::ADD)
}

/// Words of persistent data for int8: the fields of [`AddParamsInt8`], in declaration order.
const WORDS: usize = 12;

fn to_words(k: &AddParamsInt8) -> [i32; WORDS] {
    [
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
    ]
}

fn from_words(w: &[i32]) -> Option<AddParamsInt8> {
    let &[left_shift, input1_offset, input1_multiplier, input1_shift, input2_offset, input2_multiplier, input2_shift, output_offset, output_multiplier, output_shift, act_min, act_max] =
        w.get(..WORDS)?
    else {
        return None;
    };
    Some(AddParamsInt8 {
        left_shift,
        input1_offset,
        input1_multiplier,
        input1_shift,
        input2_offset,
        input2_multiplier,
        input2_shift,
        output_offset,
        output_multiplier,
        output_shift,
        act_min,
        act_max,
    })
}

/// Validates, and for int8 computes TFLM's multipliers once (in f64, costly on an FPU-less or
/// single-precision core) into the op's persistent data.
fn prepare(ctx: &OpCtx<'_>, data: Option<&mut [i32]>) -> Result<OpPlan, Error> {
    let p = params(ctx)?;
    if p.in1.t.ty() != TensorType::Int8 {
        return Ok(OpPlan::default());
    }
    if let Some(data) = data {
        let ((a, za), (b, zb), (o, zo)) = (
            ctx.quant(&p.in1)?,
            ctx.quant(&p.in2)?,
            ctx.quant(&p.output)?,
        );
        let (lo, hi) = activation_range_i8(p.act, o, zo);
        let words = to_words(&add_prepare_int8(a, za, b, zb, o, zo, lo, hi));
        data.get_mut(..WORDS)
            .ok_or(ctx.options_err())?
            .copy_from_slice(&words);
    }
    Ok(OpPlan {
        data_words: WORDS,
        scratch_bytes: 0,
    })
}

fn eval(ctx: &OpCtx<'_>, io: &mut Io<'_>, data: &[i32]) -> Result<(), Error> {
    let p = params(ctx)?;
    match p.in1.t.ty() {
        TensorType::Int8 => {
            let k = from_words(data).ok_or(ctx.options_err())?;
            let (x, y) = (io.input::<i8>(0)?, io.input::<i8>(1)?);
            add_int8(&k, p.s1, x, p.s2, y, p.so, io.output::<i8>(0)?)
        }
        _ => {
            let (lo, hi) = activation_range_f32(p.act);
            let (x, y) = (io.input::<f32>(0)?, io.input::<f32>(1)?);
            add_f32(lo, hi, p.s1, x, p.s2, y, p.so, io.output::<f32>(0)?)
        }
    }
    .map_err(|e| ctx.kernel_err(e))
}
