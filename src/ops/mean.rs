//! MEAN and SUM: int8, int16 and float32 reductions over constant axes, with or without
//! keep_dims (TFLM's `QuantizedMeanOrSum` for the integer types).

use super::movement::{sizes, words};
use super::{kinds, EvalCtx, OpCtx, PrepareCtx, Registration, T};
use crate::error::Error;
use crate::schema::{options, BuiltinOperator, TensorType};
use microlite_kernels::mean::{mean_f32, mean_int16, mean_int8, sum_f32, sum_q};

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::MEAN, 3, prepare, eval)
}

/// SUM: the same reduction without the division.
pub(crate) fn registration_sum() -> Registration {
    Registration::builtin(BuiltinOperator::SUM, 2, prepare_sum, eval)
}

kinds! {
    enum Kind { Int8, Int16, Float32 }
}

#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Data {
    kind: u32,
    /// The input right-aligned into rank 4.
    in_shape: [u32; 4],
    /// 1 for each reduced dim of `in_shape`.
    axes: [u32; 4],
    /// Int8 quantization (zeroed for float32).
    in_scale: f32,
    in_zp: i32,
    out_scale: f32,
    out_zp: i32,
    /// 1 for SUM.
    sum: u32,
}

/// A validated reduction (shared with REDUCE_MAX and REDUCE_MIN): its tensors, the input
/// right-aligned into rank 4 and the reduced dims of that shape.
pub(crate) struct Params<'m> {
    pub input: T<'m>,
    pub output: T<'m>,
    pub in_shape: [usize; 4],
    pub axes: [bool; 4],
}

/// Validates a reduction's geometry: an input of rank up to 4, a constant int32 axis tensor,
/// keep_dims, and the output's shape and type (the input's); each op checks the dtypes.
pub(crate) fn reduction<'m>(ctx: &OpCtx<'m>) -> Result<Params<'m>, Error> {
    ctx.expect_counts(2, 2, 1)?;
    let (input, axis, output) = (ctx.input(0)?, ctx.input(1)?, ctx.output(0)?);
    let keep_dims = match ctx.options(options::REDUCER) {
        Some(o) => o.bool(0, false)?,
        None => false,
    };
    let in_shape = ctx.shape_padded4(&input)?;
    let rank = input.t.shape().len();
    ctx.expect_type(&axis, TensorType::Int32)?;
    let data = axis.t.data().ok_or(ctx.shape_err(&axis))?;
    let mut axes = [false; 4];
    // TFLM accepts repeated axes; more entries than a rank-4 input could name are refused.
    if axis.t.element_count() > 2 * 4 {
        return Err(ctx.shape_err(&axis));
    }
    for k in 0..axis.t.element_count() {
        let b = data
            .get(4 * k..4 * k + 4)
            .and_then(|b| <[u8; 4]>::try_from(b).ok());
        let a = i32::from_le_bytes(b.ok_or(ctx.shape_err(&axis))?);
        let a = if a < 0 { a + rank as i32 } else { a };
        if a < 0 || a as usize >= rank {
            return Err(ctx.shape_err(&axis));
        }
        *axes
            .get_mut(4 - rank + a as usize)
            .ok_or(ctx.shape_err(&axis))? = true;
    }
    // The expected output shape: reduced dims become 1 (keep_dims) or disappear.
    let s = input.t.shape();
    let os = output.t.shape();
    let mut j = 0;
    for (i, d) in s.iter().enumerate() {
        let reduced = axes.get(4 - rank + i).copied().unwrap_or(false);
        if reduced && !keep_dims {
            continue;
        }
        let want = if reduced { 1 } else { d };
        if j >= os.len() || os.get(j) != want {
            return Err(ctx.shape_err(&output));
        }
        j += 1;
    }
    if j != os.len() {
        return Err(ctx.shape_err(&output));
    }
    if input.t.ty() != output.t.ty() {
        return Err(ctx.type_err(&output));
    }
    Ok(Params {
        input,
        output,
        in_shape,
        axes,
    })
}

/// MEAN's and SUM's reduction: int8 and int16 (each quantized) or float32.
fn params<'m>(ctx: &OpCtx<'m>) -> Result<Params<'m>, Error> {
    let p = reduction(ctx)?;
    let (input, output) = (&p.input, &p.output);
    match input.t.ty() {
        TensorType::Int8 | TensorType::Int16 => {
            ctx.quant(input)?;
            ctx.quant(output)?;
        }
        TensorType::Float32 => {}
        _ => return Err(ctx.type_err(input)),
    }
    Ok(p)
}

fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    prepare_with(ctx, false)
}

fn prepare_sum(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    prepare_with(ctx, true)
}

fn prepare_with(ctx: &mut PrepareCtx<'_>, sum: bool) -> Result<(), Error> {
    let op = ctx.op;
    let p = params(&op)?;
    let mut d = Data {
        kind: Kind::Float32.tag(),
        in_shape: words(&op, &p.input, &p.in_shape)?,
        axes: p.axes.map(u32::from),
        in_scale: 0.0,
        in_zp: 0,
        out_scale: 0.0,
        out_zp: 0,
        sum: u32::from(sum),
    };
    if matches!(p.input.t.ty(), TensorType::Int8 | TensorType::Int16) {
        d.kind = if p.input.t.ty() == TensorType::Int8 {
            Kind::Int8
        } else {
            Kind::Int16
        }
        .tag();
        (d.in_scale, d.in_zp) = op.quant(&p.input)?;
        (d.out_scale, d.out_zp) = op.quant(&p.output)?;
    }
    ctx.persist(&d)?;
    // As before: 4 bytes per output, TFLM's int8 reservation (the kernels use none).
    ctx.request_scratch(4 * p.output.t.element_count());
    Ok(())
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    let d = ctx.data::<Data>()?;
    let (in_shape, axes) = (sizes(&d.in_shape), d.axes.map(|a| a != 0));
    let q = (d.in_scale, d.in_zp, d.out_scale, d.out_zp);
    if d.sum != 0 {
        return match Kind::from_tag(d.kind)? {
            Kind::Int8 => {
                let x = ctx.input::<i8>(0)?;
                sum_q(in_shape, x, axes, q, ctx.output::<i8>(0)?)
            }
            Kind::Int16 => {
                let x = ctx.input::<i16>(0)?;
                sum_q(in_shape, x, axes, q, ctx.output::<i16>(0)?)
            }
            Kind::Float32 => {
                let x = ctx.input::<f32>(0)?;
                sum_f32(in_shape, x, axes, ctx.output::<f32>(0)?)
            }
        }
        .map_err(|e| ctx.kernel_err(e));
    }
    match Kind::from_tag(d.kind)? {
        Kind::Int8 => {
            let x = ctx.input::<i8>(0)?;
            let scratch = ctx.scratch::<i32>()?;
            let out = ctx.output::<i8>(0)?;
            let (si, zi, so, zo) = (d.in_scale, d.in_zp, d.out_scale, d.out_zp);
            mean_int8(in_shape, x, si, zi, axes, so, zo, out, scratch)
        }
        Kind::Int16 => {
            let x = ctx.input::<i16>(0)?;
            let out = ctx.output::<i16>(0)?;
            let (si, zi, so, zo) = (d.in_scale, d.in_zp, d.out_scale, d.out_zp);
            mean_int16(in_shape, x, si, zi, axes, so, zo, out)
        }
        Kind::Float32 => {
            let x = ctx.input::<f32>(0)?;
            let scratch = ctx.scratch::<f32>()?;
            mean_f32(in_shape, x, axes, ctx.output::<f32>(0)?, scratch)
        }
    }
    .map_err(|e| ctx.kernel_err(e))
}
