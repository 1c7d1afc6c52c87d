//! TRANSPOSE_CONV: int8 (per-channel or per-tensor filter, `i32` scratch the size of the
//! output, as TFLM) and float32.
//!
//! Inputs: the output shape (0), the OHWI filter (1), the NHWC input (2) and an optional bias
//! (3). Like TFLM the output tensor's own shape is what counts; a constant input 0 must agree
//! with it. Padding follows TFLM's `ComputePaddingHeightWidth` applied to the *output* size
//! (dilation 1). The fused activation is applied to both types.

use super::conv::{self, Data, Geometry, Kind};
use super::{activation, padding, positive, EvalCtx, OpCtx, PrepareCtx, Registration};
use crate::error::Error;
use crate::schema::{options, BuiltinOperator, TensorType};
use microlite_kernels::quant::compute_padding;
use microlite_kernels::transpose_conv::{
    transpose_conv_f32, transpose_conv_int16, transpose_conv_int8, transpose_conv_scratch_len,
    TransposeConvParams,
};

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::TRANSPOSE_CONV, 5, prepare, eval)
}

fn geometry<'m>(ctx: &OpCtx<'m>) -> Result<Geometry<'m>, Error> {
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
    Ok(Geometry {
        input,
        filter,
        bias,
        output,
        in_shape,
        filter_shape,
        out_shape,
        stride: [stride_h, stride_w],
        dilation: [1, 1],
        pad: [pad_h, pad_w],
        depth_multiplier: 1,
        act,
        channels: filter_shape[0],
        bias_type: o.u8(4, 0)?,
    })
}

fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    let op = ctx.op;
    let g = geometry(&op)?;
    if g.input.t.ty() == TensorType::Int8 {
        let q = g.filter.t.quantization().ok_or(op.quant_err(&g.filter))?;
        if q.len() > 1 && q.quantized_dimension() != 0 {
            return Err(op.quant_err(&g.filter));
        }
    }
    match conv::prepare(ctx, &g, false)? {
        Kind::Int8 => {
            ctx.request_scratch(transpose_conv_scratch_len(g.out_shape).saturating_mul(4));
        }
        Kind::Int16 => {
            ctx.request_scratch(transpose_conv_scratch_len(g.out_shape).saturating_mul(8));
        }
        // TFLM reads a 16x8 bias as int64 whatever its type: refuse int32.
        Kind::Int16Bias32 => {
            return Err(match &g.bias {
                Some(b) => op.type_err(b),
                None => op.type_err(&g.input),
            })
        }
        Kind::Float32 => {}
    }
    Ok(())
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    let (d, rest) = ctx.data_parts::<Data, u8>()?;
    let [stride_h, stride_w] = d.stride();
    let [pad_h, pad_w] = d.pad();
    let params = TransposeConvParams {
        stride_h,
        stride_w,
        pad_h,
        pad_w,
    };
    match Kind::from_tag(u32::from(d.kind))? {
        Kind::Int8 => {
            let q = d.q.params(rest)?;
            let (filter, input, bias) = (
                ctx.input::<i8>(1)?,
                ctx.input::<i8>(2)?,
                ctx.optional_input::<i32>(3)?,
            );
            let output = ctx.output::<i8>(0)?;
            let scratch = ctx.scratch::<i32>()?;
            transpose_conv_int8(
                &params,
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
        }
        Kind::Int16 => {
            let q = d.q.params(rest)?;
            let bias = super::quant::optional_i64le(ctx, 3)?;
            let (filter, input) = (ctx.input::<i8>(1)?, ctx.input::<i16>(2)?);
            let output = ctx.output::<i16>(0)?;
            let scratch = ctx.scratch::<i64>()?;
            transpose_conv_int16(
                &params,
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
        }
        Kind::Int16Bias32 => return Err(Error::TooComplex),
        Kind::Float32 => {
            let (filter, input, bias) = (
                ctx.input::<f32>(1)?,
                ctx.input::<f32>(2)?,
                ctx.optional_input::<f32>(3)?,
            );
            transpose_conv_f32(
                &params,
                d.act_min,
                d.act_max,
                d.in_shape(),
                input,
                d.filter_shape(),
                filter,
                bias,
                d.out_shape(),
                ctx.output::<f32>(0)?,
            )
        }
    }
    .map_err(|e| ctx.kernel_err(e))
}
