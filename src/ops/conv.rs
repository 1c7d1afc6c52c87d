//! What CONV_2D, DEPTHWISE_CONV_2D and TRANSPOSE_CONV share: their typed op data, the
//! int8-or-float32 choice, and the prepare that keeps it (with the int8 multipliers after it).

use super::quant::{self, Weighted, WeightedInt8};
use super::{activation, kinds, padding, positive, OpCtx, PrepareCtx, T};
use crate::error::Error;
use crate::schema::options;
use microlite_kernels::conv_2d::ConvParams;
use microlite_kernels::quant::activation_range_f32;
use microlite_kernels::quant::compute_padding;
use microlite_kernels::Activation;

kinds! {
    /// The dtypes of the conv-like ops: int8 activations with int8 weights; 16x8 (int16
    /// activations, int8 weights) with an int64 bias, or an int32 one (CONV_2D only); float32.
    pub(crate) enum Kind { Int8, Int16, Int16Bias32, Float32 }
}

/// A conv-like op's geometry and options, as its parser read them from the model.
pub(crate) struct Geometry<'m> {
    pub input: T<'m>,
    pub filter: T<'m>,
    pub bias: Option<T<'m>>,
    pub output: T<'m>,
    pub in_shape: [usize; 4],
    pub filter_shape: [usize; 4],
    pub out_shape: [usize; 4],
    pub stride: [usize; 2],
    pub dilation: [usize; 2],
    pub pad: [usize; 2],
    pub depth_multiplier: usize,
    pub act: Activation,
    /// Output channels (one multiplier each when per-channel).
    pub channels: usize,
    /// The `quantized_bias_type` option (0 when the op has none): a 16x8 op's accumulator
    /// when it has no bias.
    pub bias_type: u8,
}

/// Reads and checks CONV_2D's (`depthwise` false) or DEPTHWISE_CONV_2D's inputs, options and
/// shapes: one parser for both, whose options differ only in DEPTHWISE's extra
/// `depth_multiplier` field 3 (which TFLM derives from the shapes, as here), and whose filters
/// are `[oc, kh, kw, ic]` and `[1, kh, kw, ic * depth_multiplier]`.
pub(crate) fn geometry<'m>(ctx: &OpCtx<'m>, depthwise: bool) -> Result<Geometry<'m>, Error> {
    ctx.expect_counts(2, 3, 1)?;
    let (input, filter, output) = (ctx.input(0)?, ctx.input(1)?, ctx.output(0)?);
    let bias = ctx.optional_input(2);
    let tag = if depthwise {
        options::DEPTHWISE_CONV_2D
    } else {
        options::CONV_2D
    };
    let o = ctx.options(tag).ok_or(ctx.options_err())?;
    // Fields after stride: DEPTHWISE has `depth_multiplier` first.
    let k = u16::from(depthwise);
    let pad = padding(ctx, o.u8(0, 0)?)?;
    let stride_w = positive(ctx, o.i32(1, 0)?)?;
    let stride_h = positive(ctx, o.i32(2, 0)?)?;
    let act = activation(ctx, o.u8(3 + k, 0)?)?;
    let dilation_w = positive(ctx, o.i32(4 + k, 1)?)?;
    let dilation_h = positive(ctx, o.i32(5 + k, 1)?)?;
    let in_shape = ctx.shape4(&input)?;
    let filter_shape = ctx.shape4(&filter)?;
    let out_shape = ctx.shape4(&output)?;
    let ic = in_shape[3];
    let (oc, filter_ok) = if depthwise {
        let oc = filter_shape[3];
        (oc, filter_shape[0] == 1 && ic != 0 && oc % ic == 0)
    } else {
        (filter_shape[0], filter_shape[3] == ic && ic != 0)
    };
    if !filter_ok {
        return Err(ctx.shape_err(&filter));
    }
    let (oh, pad_h) = compute_padding(pad, in_shape[1], filter_shape[1], stride_h, dilation_h)
        .map_err(|_| ctx.shape_err(&output))?;
    let (ow, pad_w) = compute_padding(pad, in_shape[2], filter_shape[2], stride_w, dilation_w)
        .map_err(|_| ctx.shape_err(&output))?;
    if out_shape != [in_shape[0], oh, ow, oc] {
        return Err(ctx.shape_err(&output));
    }
    if let Some(b) = &bias {
        if b.t.element_count() != oc {
            return Err(ctx.shape_err(b));
        }
    }
    Ok(Geometry {
        input,
        filter,
        bias,
        output,
        in_shape,
        filter_shape,
        out_shape,
        stride: [stride_h, stride_w],
        dilation: [dilation_h, dilation_w],
        pad: [pad_h, pad_w],
        depth_multiplier: if depthwise { oc / ic } else { 1 },
        act,
        channels: oc,
        // CONV_2D's `quantized_bias_type` (field 6); DEPTHWISE reads none.
        bias_type: if depthwise { 0 } else { o.u8(6, 0)? },
    })
}

impl Geometry<'_> {
    /// The kernels' stride, dilation and padding.
    pub(crate) fn conv(&self) -> ConvParams {
        let [stride_h, stride_w] = self.stride;
        let [dilation_h, dilation_w] = self.dilation;
        let [pad_h, pad_w] = self.pad;
        ConvParams {
            stride_h,
            stride_w,
            dilation_h,
            dilation_w,
            pad_h,
            pad_w,
        }
    }
}

/// Typed op data of a conv-like op, 64 bytes; int8 multipliers then shifts follow it.
/// Dimensions and options are kept as `u16` (a model beyond that is `TooComplex`).
#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
pub(crate) struct Data {
    pub kind: u16,
    pub depth_multiplier: u16,
    /// `[n, ih, iw, ic]`.
    input: [u16; 4],
    /// `[oc, kh, kw, fic]` (DEPTHWISE_CONV_2D: `[1, kh, kw, oc]`).
    filter: [u16; 4],
    /// `[oh, ow, oc]`: the output is `[n, oh, ow, oc]`.
    output: [u16; 3],
    /// Height then width.
    stride: [u16; 2],
    dilation: [u16; 2],
    pad: [u16; 2],
    /// Zero (keeps the struct free of padding).
    reserved: u16,
    /// Float32 activation range.
    pub act_min: f32,
    pub act_max: f32,
    /// Int8 or 16x8 quantization ([`WeightedInt8::FLOAT`] for float32).
    pub q: WeightedInt8,
}

impl Data {
    pub(crate) fn in_shape(&self) -> [usize; 4] {
        self.input.map(usize::from)
    }
    pub(crate) fn filter_shape(&self) -> [usize; 4] {
        self.filter.map(usize::from)
    }
    pub(crate) fn out_shape(&self) -> [usize; 4] {
        let [oh, ow, oc] = self.output.map(usize::from);
        [usize::from(self.input[0]), oh, ow, oc]
    }
    pub(crate) fn stride(&self) -> [usize; 2] {
        self.stride.map(usize::from)
    }
    pub(crate) fn pad(&self) -> [usize; 2] {
        self.pad.map(usize::from)
    }
    /// The kernels' stride, dilation and padding.
    pub(crate) fn conv(&self) -> ConvParams {
        let [stride_h, stride_w] = self.stride();
        let [dilation_h, dilation_w] = self.dilation.map(usize::from);
        let [pad_h, pad_w] = self.pad();
        ConvParams {
            stride_h,
            stride_w,
            dilation_h,
            dilation_w,
            pad_h,
            pad_w,
        }
    }
}

fn words<const N: usize>(v: [usize; N]) -> Result<[u16; N], Error> {
    let mut out = [0u16; N];
    for (o, x) in out.iter_mut().zip(v) {
        *o = u16::try_from(x).map_err(|_| Error::TooComplex)?;
    }
    Ok(out)
}

/// Checks types, keeps [`Data`] and, for int8, the multipliers (`int8_only`: refuse float32).
/// Returns the kind chosen.
pub(crate) fn prepare(
    ctx: &mut PrepareCtx<'_>,
    g: &Geometry<'_>,
    int8_only: bool,
) -> Result<Kind, Error> {
    let op = ctx.op;
    let w = quant::check_weighted_types(
        &op,
        &g.input,
        &g.filter,
        g.bias.as_ref(),
        &g.output,
        g.bias_type,
    )?;
    if int8_only && w != Weighted::Int8 {
        return Err(op.type_err(&g.input));
    }
    let (act_min, act_max) = activation_range_f32(g.act);
    let [n, ih, iw, ic] = g.in_shape;
    let [_, oh, ow, oc] = g.out_shape;
    let (depth_multiplier, input, filter) = (
        words([g.depth_multiplier])?[0],
        words([n, ih, iw, ic])?,
        words(g.filter_shape)?,
    );
    let (output, stride, dilation, pad) = (
        words([oh, ow, oc])?,
        words(g.stride)?,
        words(g.dilation)?,
        words(g.pad)?,
    );
    let kind = match w {
        Weighted::Int8 => Kind::Int8,
        Weighted::Int16 { bias64: true } => Kind::Int16,
        Weighted::Int16 { bias64: false } => Kind::Int16Bias32,
        Weighted::Float32 => Kind::Float32,
    };
    let int8 = kind != Kind::Float32;
    let mut q = if int8 {
        quant::weighted_int8(&op, &g.input, &g.filter, &g.output, g.channels, g.act)?
    } else {
        WeightedInt8::FLOAT
    };
    if matches!(kind, Kind::Int16 | Kind::Int16Bias32) {
        // TFLM's int16 conv-like kernels use no zero points (the converter makes them 0).
        q.input_offset = 0;
        q.output_offset = 0;
    }
    let d = Data {
        kind: kind.tag() as u16,
        depth_multiplier,
        input,
        filter,
        output,
        stride,
        dilation,
        pad,
        reserved: 0,
        act_min,
        act_max,
        q,
    };
    ctx.persist(&d)?;
    if int8 {
        quant::persist_multipliers(ctx, &d.q, &g.input, &g.filter, &g.output, g.channels)?;
    }
    Ok(kind)
}
