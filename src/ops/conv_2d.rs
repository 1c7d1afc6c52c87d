//! CONV_2D: int8 and 16x8 (per-channel) and float32. [`registration_int8`] links no float
//! kernel.

use super::conv::{self, Data, Kind};
use super::{EvalCtx, PrepareCtx, Registration};
use crate::error::Error;
use crate::schema::BuiltinOperator;
use microlite_kernels::conv_2d::{
    conv_2d_f32, conv_2d_f32_scratch_len, conv_2d_int16, conv_2d_int8, conv_2d_int8_scratch_len,
};
use microlite_kernels::quant::Bias16;

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::CONV_2D, 8, prepare, eval)
}

pub(crate) fn registration_int8() -> Registration {
    Registration::builtin(BuiltinOperator::CONV_2D, 8, prepare_int8, eval_int8)
}

/// Validates, keeps the op data and asks for the kernel's scratch (its patch buffer, or the
/// float path's filter panel).
fn prepare_with(ctx: &mut PrepareCtx<'_>, int8_only: bool) -> Result<(), Error> {
    let g = conv::geometry(&ctx.op, false)?;
    // int8: four patches at least (one GEMM tile of `kh * kw * in_c` values each), the
    // patches of many output pixels per call where the arena has room at this op. float32:
    // its filter panel where there is room, else the reference loop.
    let (need, want) = match conv::prepare(ctx, &g, int8_only)? {
        Kind::Int8 => {
            let want = conv_2d_int8_scratch_len(g.in_shape, g.filter_shape, g.out_shape);
            let patch = g.filter_shape[1] * g.filter_shape[2] * g.filter_shape[3];
            (2 * (4 * patch).min(want), 2 * want)
        }
        Kind::Float32 => (
            0,
            4 * conv_2d_f32_scratch_len(&g.conv(), g.in_shape, g.filter_shape),
        ),
        Kind::Int16 | Kind::Int16Bias32 => (0, 0),
    };
    ctx.request_scratch_between(need, want);
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
    conv_2d_int8(
        &d.conv(),
        &q,
        d.in_shape(),
        input,
        d.filter_shape(),
        filter,
        bias,
        d.out_shape(),
        output,
        scratch,
    )
    .map_err(|e| ctx.kernel_err(e))
}

fn eval_int8(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    let (d, rest) = ctx.data_parts::<Data, u8>()?;
    run_int8(ctx, d, rest)
}

/// 16x8, with the accumulator of the bias type `B`.
fn run_int16<'b>(
    ctx: &mut EvalCtx<'b>,
    d: &Data,
    rest: &'b [u8],
    bias: Bias16<'b>,
) -> Result<(), Error> {
    let q = d.q.params(rest)?;
    let (input, filter) = (ctx.input::<i16>(0)?, ctx.input::<i8>(1)?);
    let output = ctx.output::<i16>(0)?;
    conv_2d_int16(
        &d.conv(),
        &q,
        d.in_shape(),
        input,
        d.filter_shape(),
        filter,
        bias,
        d.out_shape(),
        output,
    )
    .map_err(|e| ctx.kernel_err(e))
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    let (d, rest) = ctx.data_parts::<Data, u8>()?;
    match Kind::from_tag(u32::from(d.kind))? {
        Kind::Int8 => run_int8(ctx, d, rest),
        Kind::Int16 => {
            let bias = super::quant::optional_i64le(ctx, 2)?;
            run_int16(ctx, d, rest, Bias16::Int64(bias))
        }
        Kind::Int16Bias32 => {
            let bias = ctx.optional_input::<i32>(2)?;
            run_int16(ctx, d, rest, Bias16::Int32(bias))
        }
        Kind::Float32 => {
            let (input, filter, bias) = (
                ctx.input::<f32>(0)?,
                ctx.input::<f32>(1)?,
                ctx.optional_input::<f32>(2)?,
            );
            let output = ctx.output::<f32>(0)?;
            let scratch = ctx.scratch::<f32>()?;
            conv_2d_f32(
                &d.conv(),
                d.act_min,
                d.act_max,
                d.in_shape(),
                input,
                d.filter_shape(),
                filter,
                bias,
                d.out_shape(),
                output,
                scratch,
            )
            .map_err(|e| ctx.kernel_err(e))
        }
    }
}
