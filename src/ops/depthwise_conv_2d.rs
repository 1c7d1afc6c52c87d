//! DEPTHWISE_CONV_2D: int8 (per-channel) and float32, with depth multipliers.
//! [`registration_int8`] links no float kernel.

use super::conv::{self, Data, Kind};
use super::{EvalCtx, PrepareCtx, Registration};
use crate::error::Error;
use crate::schema::BuiltinOperator;
use microlite_kernels::depthwise_conv_2d::{
    depthwise_conv_2d_f32, depthwise_conv_2d_int16, depthwise_conv_2d_int8,
    depthwise_conv_2d_scratch_len, depthwise_conv_2d_scratch_min,
};

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::DEPTHWISE_CONV_2D, 7, prepare, eval)
}

pub(crate) fn registration_int8() -> Registration {
    Registration::builtin(
        BuiltinOperator::DEPTHWISE_CONV_2D,
        7,
        prepare_int8,
        eval_int8,
    )
}

/// Validates, keeps the op data and asks for the kernel's accumulator scratch (`i32` or
/// `f32`, four bytes either way).
fn prepare_with(ctx: &mut PrepareCtx<'_>, int8_only: bool) -> Result<(), Error> {
    let g = conv::geometry(&ctx.op, true)?;
    let shapes = (g.depth_multiplier, g.in_shape, g.filter_shape, g.out_shape);
    let (need, want) = (
        depthwise_conv_2d_scratch_min(shapes.0, shapes.1, shapes.2, shapes.3),
        depthwise_conv_2d_scratch_len(shapes.0, shapes.1, shapes.2, shapes.3),
    );
    match conv::prepare(ctx, &g, int8_only)? {
        // One pixel's channels at least, whole row segments where the arena has room.
        Kind::Int8 | Kind::Float32 => ctx.request_scratch_between(4 * need, 4 * want),
        Kind::Int16 => {}
        // TFLM reads a 16x8 depthwise bias as int64 whatever its type: refuse int32.
        Kind::Int16Bias32 => {
            return Err(match &g.bias {
                Some(b) => ctx.op.type_err(b),
                None => ctx.op.type_err(&g.input),
            })
        }
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
    let scratch = ctx.scratch::<i32>()?;
    depthwise_conv_2d_int8(
        &d.conv(),
        usize::from(d.depth_multiplier),
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

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    let (d, rest) = ctx.data_parts::<Data, u8>()?;
    match Kind::from_tag(u32::from(d.kind))? {
        Kind::Int8 => run_int8(ctx, d, rest),
        Kind::Int16 => {
            let q = d.q.params(rest)?;
            let bias = super::quant::optional_i64le(ctx, 2)?;
            let (input, filter) = (ctx.input::<i16>(0)?, ctx.input::<i8>(1)?);
            let output = ctx.output::<i16>(0)?;
            depthwise_conv_2d_int16(
                &d.conv(),
                usize::from(d.depth_multiplier),
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
        Kind::Int16Bias32 => Err(Error::TooComplex),
        Kind::Float32 => {
            let (input, filter, bias) = (
                ctx.input::<f32>(0)?,
                ctx.input::<f32>(1)?,
                ctx.optional_input::<f32>(2)?,
            );
            let output = ctx.output::<f32>(0)?;
            let scratch = ctx.scratch::<f32>()?;
            depthwise_conv_2d_f32(
                &d.conv(),
                usize::from(d.depth_multiplier),
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
