//! SOFTMAX: int8 (gemmlowp fixed-point exp, output scale 1/256 and zero point -128) and float32.

use super::{Io, OpCtx, OpPlan, Registration};
use crate::error::Error;
use crate::schema::{options, BuiltinOperator, TensorType};
use microlite_kernels::softmax::{
    softmax_f32, softmax_int8, softmax_prepare_int8, SoftmaxParamsInt8,
};

pub(crate) fn registration() -> Registration {
    super::legacy_registration!(BuiltinOperator::SOFTMAX, 3)
}

/// `(beta, rows, depth)`, after validating shapes and types.
fn params(ctx: &OpCtx<'_>) -> Result<(f32, usize, usize), Error> {
    ctx.expect_counts(1, 1, 1)?;
    let (input, output) = (ctx.input(0)?, ctx.output(0)?);
    let beta = match ctx.options(options::SOFTMAX) {
        Some(o) => o.f32(0, 0.0)?,
        None => return Err(ctx.options_err()),
    };
    if !beta.is_finite() {
        return Err(ctx.options_err());
    }
    let s = input.t.shape();
    if s.is_empty()
        || input.t.element_count() != output.t.element_count()
        || output.t.shape().len() != s.len()
    {
        return Err(ctx.shape_err(&output));
    }
    let depth = s.get(s.len() - 1) as usize;
    let rows = input.t.element_count().checked_div(depth).unwrap_or(0);
    if input.t.ty() != output.t.ty() {
        return Err(ctx.type_err(&output));
    }
    match input.t.ty() {
        TensorType::Int8 => {
            ctx.quant(&input)?;
            let (scale, zp) = ctx.quant(&output)?;
            if zp != -128 || scale != 1.0 / 256.0 {
                return Err(ctx.quant_err(&output));
            }
        }
        TensorType::Float32 => {}
        _ => return Err(ctx.type_err(&input)),
    }
    Ok((beta, rows, depth))
}

/// Validates, and for int8 computes TFLM's input multiplier and radius once (in f64) into the
/// op's persistent data: `[input_multiplier, input_left_shift, diff_min]`.
fn prepare(ctx: &OpCtx<'_>, data: Option<&mut [i32]>) -> Result<OpPlan, Error> {
    let (beta, _, _) = params(ctx)?;
    let input = ctx.input(0)?;
    if input.t.ty() != TensorType::Int8 {
        return Ok(OpPlan::default());
    }
    if let Some(data) = data {
        let (in_scale, _) = ctx.quant(&input)?;
        let p = softmax_prepare_int8(beta, in_scale);
        let words = [p.input_multiplier, p.input_left_shift, p.diff_min];
        data.get_mut(..3)
            .ok_or(ctx.options_err())?
            .copy_from_slice(&words);
    }
    Ok(OpPlan {
        data_words: 3,
        scratch_bytes: 0,
    })
}

fn eval(ctx: &OpCtx<'_>, io: &mut Io<'_>, data: &[i32]) -> Result<(), Error> {
    let (beta, rows, depth) = params(ctx)?;
    match ctx.input(0)?.t.ty() {
        TensorType::Int8 => {
            let &[input_multiplier, input_left_shift, diff_min] =
                data.get(..3).ok_or(ctx.options_err())?
            else {
                return Err(ctx.options_err());
            };
            let p = SoftmaxParamsInt8 {
                input_multiplier,
                input_left_shift,
                diff_min,
            };
            let x = io.input::<i8>(0)?;
            softmax_int8(&p, rows, depth, x, io.output::<i8>(0)?)
        }
        _ => {
            let x = io.input::<f32>(0)?;
            softmax_f32(beta, rows, depth, x, io.output::<f32>(0)?)
        }
    }
    .map_err(|e| ctx.kernel_err(e))
}
