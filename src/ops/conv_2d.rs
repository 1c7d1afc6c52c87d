//! CONV_2D: int8 (per-channel) and float32.

use super::{activation, padding, positive, quant, Io, OpCtx, OpPlan, Registration, T};
use crate::error::Error;
use crate::schema::{options, BuiltinOperator, TensorType};
use microlite_kernels::conv_2d::{conv_2d_f32, conv_2d_int8, ConvParams};
use microlite_kernels::quant::{activation_range_f32, compute_padding};
use microlite_kernels::Activation;

pub(crate) fn registration() -> Registration {
    super::legacy_registration!(BuiltinOperator::CONV_2D, 8)
}

struct Params<'m> {
    input: T<'m>,
    filter: T<'m>,
    bias: Option<T<'m>>,
    output: T<'m>,
    in_shape: [usize; 4],
    filter_shape: [usize; 4],
    out_shape: [usize; 4],
    conv: ConvParams,
    act: Activation,
}

fn params<'m>(ctx: &OpCtx<'m>) -> Result<Params<'m>, Error> {
    ctx.expect_counts(2, 3, 1)?;
    let (input, filter, output) = (ctx.input(0)?, ctx.input(1)?, ctx.output(0)?);
    let bias = ctx.optional_input(2);
    let o = ctx.options(options::CONV_2D).ok_or(ctx.options_err())?;
    let pad = padding(ctx, o.u8(0, 0)?)?;
    let stride_w = positive(ctx, o.i32(1, 0)?)?;
    let stride_h = positive(ctx, o.i32(2, 0)?)?;
    let act = activation(ctx, o.u8(3, 0)?)?;
    let dilation_w = positive(ctx, o.i32(4, 1)?)?;
    let dilation_h = positive(ctx, o.i32(5, 1)?)?;
    let in_shape = ctx.shape4(&input)?;
    let filter_shape = ctx.shape4(&filter)?;
    let out_shape = ctx.shape4(&output)?;
    if filter_shape[3] != in_shape[3] || filter_shape[3] == 0 {
        return Err(ctx.shape_err(&filter));
    }
    let (oh, pad_h) = compute_padding(pad, in_shape[1], filter_shape[1], stride_h, dilation_h)
        .map_err(|_| ctx.shape_err(&output))?;
    let (ow, pad_w) = compute_padding(pad, in_shape[2], filter_shape[2], stride_w, dilation_w)
        .map_err(|_| ctx.shape_err(&output))?;
    if out_shape != [in_shape[0], oh, ow, filter_shape[0]] {
        return Err(ctx.shape_err(&output));
    }
    if let Some(b) = &bias {
        if b.t.element_count() != filter_shape[0] {
            return Err(ctx.shape_err(b));
        }
    }
    let conv = ConvParams {
        stride_h,
        stride_w,
        dilation_h,
        dilation_w,
        pad_h,
        pad_w,
    };
    Ok(Params {
        input,
        filter,
        bias,
        output,
        in_shape,
        filter_shape,
        out_shape,
        conv,
        act,
    })
}

fn prepare(ctx: &OpCtx<'_>, data: Option<&mut [i32]>) -> Result<OpPlan, Error> {
    let p = params(ctx)?;
    let plan = quant::prepare_weighted(
        ctx,
        &p.input,
        &p.filter,
        p.bias.as_ref(),
        &p.output,
        p.filter_shape[0],
        false,
        p.act,
        data,
    )?;
    Ok(plan)
}

fn eval(ctx: &OpCtx<'_>, io: &mut Io<'_>, data: &[i32]) -> Result<(), Error> {
    let p = params(ctx)?;
    match p.input.t.ty() {
        TensorType::Int8 => {
            let q = quant::int8_params(data)?;
            let (input, filter, bias) = (
                io.input::<i8>(0)?,
                io.input::<i8>(1)?,
                io.optional_input::<i32>(2)?,
            );
            let output = io.output::<i8>(0)?;
            conv_2d_int8(
                &p.conv,
                &q,
                p.in_shape,
                input,
                p.filter_shape,
                filter,
                bias,
                p.out_shape,
                output,
            )
        }
        _ => {
            let (act_min, act_max) = activation_range_f32(p.act);
            let (input, filter, bias) = (
                io.input::<f32>(0)?,
                io.input::<f32>(1)?,
                io.optional_input::<f32>(2)?,
            );
            let output = io.output::<f32>(0)?;
            conv_2d_f32(
                &p.conv,
                act_min,
                act_max,
                p.in_shape,
                input,
                p.filter_shape,
                filter,
                bias,
                p.out_shape,
                output,
            )
        }
    }
    .map_err(|e| ctx.kernel_err(e))
}
