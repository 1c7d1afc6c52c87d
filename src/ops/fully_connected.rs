//! FULLY_CONNECTED: int8 and 16x8 (per-tensor or per-channel) and float32, optional bias,
//! keep_num_dims.
//!
//! Two registrations: [`registration`] (int8 and float32) and [`registration_int8`], which
//! links no float kernel.

use super::quant::{self, Weighted, WeightedInt8};
use super::{activation, kinds, EvalCtx, OpCtx, PrepareCtx, Registration, T};
use crate::error::Error;
use crate::schema::{options, BuiltinOperator};
use microlite_kernels::fully_connected::{
    fully_connected_f32, fully_connected_int8, fully_connected_int8_scratch_len, fully_connected_q,
};
use microlite_kernels::quant::activation_range_f32;
use microlite_kernels::quant::{Bias16, QIn, QOut};
use microlite_kernels::Activation;

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::FULLY_CONNECTED, 12, prepare, eval)
}

pub(crate) fn registration_int8() -> Registration {
    Registration::builtin(
        BuiltinOperator::FULLY_CONNECTED,
        12,
        prepare_int8,
        eval_int8,
    )
}

kinds! {
    /// int8; 16x8 with an int64 bias (i64 accumulator) or an int32 one; float32.
    enum Kind { Int8, Int16, Int16Bias32, Float32 }
}

/// What eval needs, fixed at prepare; int8 multipliers and shifts follow it.
#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Data {
    kind: u32,
    batches: u32,
    depth: u32,
    units: u32,
    /// Float32 activation range.
    act_min: f32,
    act_max: f32,
    /// Int8 or 16x8 quantization ([`WeightedInt8::FLOAT`] for float32).
    q: WeightedInt8,
}

struct Params<'m> {
    input: T<'m>,
    filter: T<'m>,
    bias: Option<T<'m>>,
    output: T<'m>,
    batches: usize,
    depth: usize,
    units: usize,
    act: Activation,
    /// `quantized_bias_type` (a 16x8 op without bias: its accumulator).
    bias_type: u8,
}

fn params<'m>(ctx: &OpCtx<'m>) -> Result<Params<'m>, Error> {
    ctx.expect_counts(2, 3, 1)?;
    let (input, filter, output) = (ctx.input(0)?, ctx.input(1)?, ctx.output(0)?);
    let bias = ctx.optional_input(2);
    let o = ctx
        .options(options::FULLY_CONNECTED)
        .ok_or(ctx.options_err())?;
    let act = activation(ctx, o.u8(0, 0)?)?;
    if o.u8(1, 0)? != 0 {
        return Err(ctx.options_err()); // shuffled weight formats are not supported
    }
    let fs = filter.t.shape();
    if fs.len() != 2 {
        return Err(ctx.shape_err(&filter));
    }
    let (units, depth) = (fs.get(0) as usize, fs.get(1) as usize);
    let n = input.t.element_count();
    if depth == 0 || n % depth != 0 {
        return Err(ctx.shape_err(&input));
    }
    let batches = n / depth;
    if Some(output.t.element_count()) != batches.checked_mul(units)
        || output
            .t
            .shape()
            .get(output.t.shape().len().saturating_sub(1)) as usize
            != units
    {
        return Err(ctx.shape_err(&output));
    }
    if let Some(b) = &bias {
        if b.t.element_count() != units {
            return Err(ctx.shape_err(b));
        }
    }
    Ok(Params {
        input,
        filter,
        bias,
        output,
        batches,
        depth,
        units,
        act,
        bias_type: o.u8(4, 0)?,
    })
}

/// Validates and keeps [`Data`] (and, for int8, the multipliers); `int8_only` refuses float.
fn prepare_with(ctx: &mut PrepareCtx<'_>, int8_only: bool) -> Result<(), Error> {
    let op = ctx.op;
    let p = params(&op)?;
    let w = quant::check_weighted_types(
        &op,
        &p.input,
        &p.filter,
        p.bias.as_ref(),
        &p.output,
        p.bias_type,
    )?;
    if int8_only && w != Weighted::Int8 {
        return Err(op.type_err(&p.input));
    }
    let kind = match w {
        Weighted::Int8 => Kind::Int8,
        Weighted::Int16 { bias64: true } => Kind::Int16,
        Weighted::Int16 { bias64: false } => Kind::Int16Bias32,
        Weighted::Float32 => Kind::Float32,
    };
    let int8 = kind != Kind::Float32;
    let word = |v: usize| u32::try_from(v).map_err(|_| op.shape_err(&p.input));
    let (act_min, act_max) = activation_range_f32(p.act);
    let q = if int8 {
        quant::weighted_int8(&op, &p.input, &p.filter, &p.output, p.units, p.act)?
    } else {
        WeightedInt8::FLOAT
    };
    let d = Data {
        kind: kind.tag(),
        batches: word(p.batches)?,
        depth: word(p.depth)?,
        units: word(p.units)?,
        act_min,
        act_max,
        q,
    };
    ctx.persist(&d)?;
    if int8 {
        quant::persist_multipliers(ctx, &d.q, &p.input, &p.filter, &p.output, p.units)?;
    }
    if kind == Kind::Int8 {
        // Widened rows where the arena has room for them; else the direct loop runs (TFLM's
        // FULLY_CONNECTED takes no scratch either).
        let want = fully_connected_int8_scratch_len(p.batches, p.depth, p.units);
        ctx.request_scratch_between(0, 2 * want);
    }
    Ok(())
}

fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    prepare_with(ctx, false)
}

fn prepare_int8(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    prepare_with(ctx, true)
}

fn run_int8(ctx: &mut EvalCtx<'_>, d: &Data, rest: &[u8]) -> Result<(), Error> {
    let q = d.q.params(rest)?;
    let (input, filter, bias) = (
        ctx.input::<i8>(0)?,
        ctx.input::<i8>(1)?,
        ctx.optional_input::<i32>(2)?,
    );
    let output = ctx.output::<i8>(0)?;
    let scratch = ctx.scratch::<i16>()?;
    let (b, n, u) = (d.batches as usize, d.depth as usize, d.units as usize);
    fully_connected_int8(&q, 0, b, n, u, input, filter, bias, output, scratch)
        .map_err(|e| ctx.kernel_err(e))
}

fn eval_int8(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    let (d, rest) = ctx.data_parts::<Data, u8>()?;
    run_int8(ctx, d, rest)
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    let (d, rest) = ctx.data_parts::<Data, u8>()?;
    let kind = Kind::from_tag(d.kind)?;
    if kind == Kind::Int8 && !cfg!(feature = "small") {
        // The fast int8 kernels (the compact build runs int8 through the shared loop below).
        return run_int8(ctx, d, rest);
    }
    run_other(ctx, d, rest, kind)
}

/// Float32, 16x8 and (compact build) int8: out of line, so that the fast int8 path above
/// pays nothing for them.
#[inline(never)]
fn run_other<'b>(ctx: &mut EvalCtx<'b>, d: &Data, rest: &'b [u8], kind: Kind) -> Result<(), Error> {
    let (b, n, u) = (d.batches as usize, d.depth as usize, d.units as usize);
    let bias = match kind {
        Kind::Int8 | Kind::Int16Bias32 => Bias16::Int32(ctx.optional_input::<i32>(2)?),
        Kind::Int16 => Bias16::Int64(quant::optional_i64le(ctx, 2)?),
        Kind::Float32 => {
            let (input, filter, bias) = (
                ctx.input::<f32>(0)?,
                ctx.input::<f32>(1)?,
                ctx.optional_input::<f32>(2)?,
            );
            let output = ctx.output::<f32>(0)?;
            return fully_connected_f32(d.act_min, d.act_max, b, n, u, input, filter, bias, output)
                .map_err(|e| ctx.kernel_err(e));
        }
    };
    // int8 (compact build) and 16x8: one kernel, the type matched per row.
    let q = d.q.params(rest)?;
    let filter = ctx.input::<i8>(1)?;
    let (input, output) = if kind == Kind::Int8 {
        (QIn::I8(ctx.input::<i8>(0)?), QOut::I8(ctx.output::<i8>(0)?))
    } else {
        (
            QIn::I16(ctx.input::<i16>(0)?),
            QOut::I16(ctx.output::<i16>(0)?),
        )
    };
    fully_connected_q(&q, 0, (b, n, u), input, filter, bias, output).map_err(|e| ctx.kernel_err(e))
}
