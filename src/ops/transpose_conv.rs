//! TRANSPOSE_CONV: int8 (per-channel or per-tensor filter, `i32` scratch the size of the
//! output, as TFLM) and float32.
//!
//! Inputs: the output shape (0), the OHWI filter (1), the NHWC input (2) and an optional bias
//! (3). Like TFLM the output tensor's own shape is what counts; a constant input 0 must agree
//! with it. Padding follows TFLM's `ComputePaddingHeightWidth` applied to the *output* size
//! (dilation 1). The fused activation is applied to both types.

use super::{activation, padding, positive, quant, Io, OpCtx, OpPlan, Registration, T};
use crate::error::Error;
use crate::schema::{options, BuiltinOperator, TensorType};
use microlite_kernels::quant::{activation_range_f32, compute_padding};
use microlite_kernels::transpose_conv::{
    transpose_conv_f32, transpose_conv_int8, transpose_conv_scratch_len, TransposeConvParams,
};
use microlite_kernels::Activation;

pub(crate) fn registration() -> Registration {
    super::legacy_registration!(BuiltinOperator::TRANSPOSE_CONV, 5)
}

struct Params<'m> {
    input: T<'m>,
    filter: T<'m>,
    bias: Option<T<'m>>,
    output: T<'m>,
    in_shape: [usize; 4],
    filter_shape: [usize; 4],
    out_shape: [usize; 4],
    conv: TransposeConvParams,
    act: Activation,
}

fn params<'m>(ctx: &OpCtx<'m>) -> Result<Params<'m>, Error> {
    ctx.expect_counts(3, 4, 1)?;
    let (shape_t, filter, input, output) =
        (ctx.input(0)?, ctx.input(1)?, ctx.input(2)?, ctx.output(0)?);
    let bias = ctx.optional_input(3);
    let o = ctx
        .options(options::TRANSPOSE_CONV)
        .ok_or(ctx.options_err())?;
    let pad = padding(ctx, o.u8(0, 0)?)?;
    let stride_w = positive(ctx, o.i32(1, 0)?)?;
    let stride_h = positive(ctx, o.i32(2, 0)?)?;
    let act = activation(ctx, o.u8(3, 0)?)?;
    let in_shape = ctx.shape4(&input)?;
    let filter_shape = ctx.shape4(&filter)?;
    let out_shape = ctx.shape4(&output)?;
    if filter_shape[3] != in_shape[3] {
        return Err(ctx.shape_err(&filter));
    }
    if out_shape[0] != in_shape[0] || out_shape[3] != filter_shape[0] {
        return Err(ctx.shape_err(&output));
    }
    if shape_t.t.data().is_some() {
        let (s, n) = super::movement::const_ints::<4>(ctx, &shape_t)?;
        if n != 4 || s.iter().zip(out_shape).any(|(&s, d)| s != d as i64) {
            return Err(ctx.shape_err(&shape_t));
        }
    }
    if let Some(b) = &bias {
        if b.t.element_count() != filter_shape[0] {
            return Err(ctx.shape_err(b));
        }
    }
    // The padding of the forward convolution that maps the output back onto the input.
    let (_, pad_h) = compute_padding(pad, out_shape[1], filter_shape[1], stride_h, 1)
        .map_err(|_| ctx.shape_err(&output))?;
    let (_, pad_w) = compute_padding(pad, out_shape[2], filter_shape[2], stride_w, 1)
        .map_err(|_| ctx.shape_err(&output))?;
    let conv = TransposeConvParams {
        stride_h,
        stride_w,
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
    if p.input.t.ty() == TensorType::Int8 {
        let q = p.filter.t.quantization().ok_or(ctx.quant_err(&p.filter))?;
        if q.len() > 1 && q.quantized_dimension() != 0 {
            return Err(ctx.quant_err(&p.filter));
        }
    }
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
    let scratch = if p.input.t.ty() == TensorType::Int8 {
        transpose_conv_scratch_len(p.out_shape).saturating_mul(4)
    } else {
        0
    };
    Ok(OpPlan {
        scratch_bytes: scratch,
        ..plan
    })
}

fn eval(ctx: &OpCtx<'_>, io: &mut Io<'_>, data: &[i32]) -> Result<(), Error> {
    let p = params(ctx)?;
    match p.input.t.ty() {
        TensorType::Int8 => {
            let q = quant::int8_params(data)?;
            let (filter, input, bias) = (
                io.input::<i8>(1)?,
                io.input::<i8>(2)?,
                io.optional_input::<i32>(3)?,
            );
            let output = io.output::<i8>(0)?;
            let scratch = io.scratch::<i32>()?;
            transpose_conv_int8(
                &p.conv,
                &q,
                p.in_shape,
                input,
                p.filter_shape,
                filter,
                bias,
                p.out_shape,
                output,
                scratch,
            )
        }
        _ => {
            let (act_min, act_max) = activation_range_f32(p.act);
            let (filter, input, bias) = (
                io.input::<f32>(1)?,
                io.input::<f32>(2)?,
                io.optional_input::<f32>(3)?,
            );
            transpose_conv_f32(
                &p.conv,
                act_min,
                act_max,
                p.in_shape,
                input,
                p.filter_shape,
                filter,
                bias,
                p.out_shape,
                io.output::<f32>(0)?,
            )
        }
    }
    .map_err(|e| ctx.kernel_err(e))
}
