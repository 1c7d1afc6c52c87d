//! SOFTMAX: int8 (gemmlowp fixed-point exp) into int8 (scale 1/256, zero point -128) or int16
//! (scale 1/65536, zero point -32768); int16 into int16 (TFLM's two 513-entry tables, built
//! once at prepare into the op's persistent data; zero points 0, output scale 1/32768); and
//! float32.

use super::elementwise::int8_params;
use super::{kinds, EvalCtx, PrepareCtx, Registration};
use crate::error::Error;
use crate::schema::{options, BuiltinOperator, TensorType};
use microlite_kernels::softmax::{
    softmax_f32, softmax_int16, softmax_int16_populate_luts, softmax_int8, softmax_int8_int16,
    softmax_prepare_int16, softmax_prepare_int8, SoftmaxParamsInt16, SoftmaxParamsInt8,
    SOFTMAX_INT16_LUT_LEN,
};

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::SOFTMAX, 3, prepare, eval)
}

kinds! {
    enum Kind { Int8, Int8ToInt16, Int16, Float32 }
}

int8_params! {
    /// The kernel's int8 parameters, as op data.
    struct SoftmaxInt8 for [SoftmaxParamsInt8] {
        input_multiplier,
        input_left_shift,
        diff_min,
    }
}

int8_params! {
    /// The int16 kernel's parameters, as op data.
    struct SoftmaxInt16 for [SoftmaxParamsInt16] {
        input_multiplier,
        input_left_shift,
    }
}

/// What eval needs, fixed at prepare; for int16 the `exp` and `1/(1+x)` tables follow it
/// (513 `i16` each).
#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Data {
    kind: u32,
    rows: u32,
    depth: u32,
    /// The float32 kernel's beta.
    beta: f32,
    /// Int8 input multiplier and radius (zeroed otherwise).
    q: SoftmaxInt8,
    /// Int16 input multiplier (zeroed otherwise).
    q16: SoftmaxInt16,
}

/// Validates shapes, types and options, and for int8 computes TFLM's input multiplier and
/// radius once (in f64); for int16 its multiplier and its two tables.
fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    let op = ctx.op;
    op.expect_counts(1, 1, 1)?;
    let (input, output) = (op.input(0)?, op.output(0)?);
    let beta = match op.options(options::SOFTMAX) {
        Some(o) => o.f32(0, 0.0)?,
        None => return Err(op.options_err()),
    };
    if !beta.is_finite() {
        return Err(op.options_err());
    }
    let s = input.t.shape();
    if s.is_empty()
        || input.t.element_count() != output.t.element_count()
        || output.t.shape().len() != s.len()
    {
        return Err(op.shape_err(&output));
    }
    let depth = s.get(s.len() - 1) as usize;
    let rows = input.t.element_count().checked_div(depth).unwrap_or(0);
    let (kind, q, q16) = match (input.t.ty(), output.t.ty()) {
        (TensorType::Int8, TensorType::Int8) => {
            let (in_scale, _) = op.quant(&input)?;
            let (scale, zp) = op.quant(&output)?;
            if zp != -128 || scale != 1.0 / 256.0 {
                return Err(op.quant_err(&output));
            }
            (
                Kind::Int8,
                softmax_prepare_int8(beta, in_scale).into(),
                SoftmaxInt16::default(),
            )
        }
        (TensorType::Int8, TensorType::Int16) => {
            let (in_scale, _) = op.quant(&input)?;
            let (scale, zp) = op.quant(&output)?;
            // TFLM: zero point -32768, scale within 0.1% of 1/65536.
            if zp != -32768 || (scale - 1.0 / 65536.0).abs() > 0.001 / 65536.0 {
                return Err(op.quant_err(&output));
            }
            (
                Kind::Int8ToInt16,
                softmax_prepare_int8(beta, in_scale).into(),
                SoftmaxInt16::default(),
            )
        }
        (TensorType::Int16, TensorType::Int16) => {
            let (in_scale, in_zp) = op.quant(&input)?;
            let (scale, zp) = op.quant(&output)?;
            if in_zp != 0 {
                return Err(op.quant_err(&input));
            }
            // TFLM: zero point 0, scale within 0.1% of 1/32768 (compared in f32).
            if zp != 0 || (scale - 1.0 / 32768.0).abs() > 0.001 * (1.0 / 32768.0) {
                return Err(op.quant_err(&output));
            }
            let k = softmax_prepare_int16(beta, in_scale).map_err(|_| op.options_err())?;
            (Kind::Int16, SoftmaxInt8::default(), k.into())
        }
        (TensorType::Float32, TensorType::Float32) => (
            Kind::Float32,
            SoftmaxInt8::default(),
            SoftmaxInt16::default(),
        ),
        (TensorType::Int8 | TensorType::Int16 | TensorType::Float32, _) => {
            return Err(op.type_err(&output))
        }
        _ => return Err(op.type_err(&input)),
    };
    let word = |v: usize| u32::try_from(v).map_err(|_| op.shape_err(&input));
    ctx.persist(&Data {
        kind: kind.tag(),
        rows: word(rows)?,
        depth: word(depth)?,
        beta,
        q,
        q16,
    })?;
    if kind == Kind::Int16 {
        // Built once here (as TFLM's prepare does), never per invoke.
        let luts = ctx.persist_zeroed::<i16>(2 * SOFTMAX_INT16_LUT_LEN)?;
        let (exp_lut, recip_lut) = luts
            .split_at_mut_checked(SOFTMAX_INT16_LUT_LEN)
            .ok_or(Error::TooComplex)?;
        softmax_int16_populate_luts(exp_lut, recip_lut).map_err(|e| op.kernel_err(e))?;
    }
    Ok(())
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    let (d, luts) = ctx.data_parts::<Data, i16>()?;
    let (rows, depth) = (d.rows as usize, d.depth as usize);
    match Kind::from_tag(d.kind)? {
        Kind::Int8 => {
            let (x, out) = (ctx.input::<i8>(0)?, ctx.output::<i8>(0)?);
            softmax_int8(&d.q.into(), rows, depth, x, out)
        }
        Kind::Int8ToInt16 => {
            let (x, out) = (ctx.input::<i8>(0)?, ctx.output::<i16>(0)?);
            softmax_int8_int16(&d.q.into(), rows, depth, x, out)
        }
        Kind::Int16 => {
            let n = SOFTMAX_INT16_LUT_LEN;
            let exp_lut = luts.get(..n).ok_or(Error::TooComplex)?;
            let recip_lut = luts.get(n..2 * n).ok_or(Error::TooComplex)?;
            let (x, out) = (ctx.input::<i16>(0)?, ctx.output::<i16>(0)?);
            softmax_int16(&d.q16.into(), rows, depth, x, out, exp_lut, recip_lut)
        }
        Kind::Float32 => {
            let (x, out) = (ctx.input::<f32>(0)?, ctx.output::<f32>(0)?);
            softmax_f32(d.beta, rows, depth, x, out)
        }
    }
    .map_err(|e| ctx.kernel_err(e))
}
