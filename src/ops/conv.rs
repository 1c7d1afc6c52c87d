//! What CONV_2D, DEPTHWISE_CONV_2D and TRANSPOSE_CONV share: their typed op data, the
//! int8-or-float32 choice, and the prepare that keeps it (with the int8 multipliers after it).

use super::quant::{self, WeightedInt8};
use super::{kinds, OpCtx, PrepareCtx, T};
use crate::error::Error;
use microlite_kernels::conv_2d::ConvParams;
use microlite_kernels::quant::activation_range_f32;
use microlite_kernels::Activation;

kinds! {
    /// The dtypes of the conv-like ops: int8 activations with int8 weights, or float32.
    pub(crate) enum Kind { Int8, Float32 }
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

/// Typed op data of a conv-like op; int8 multipliers then shifts follow it.
#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
pub(crate) struct Data {
    pub kind: u32,
    pub in_shape: [u32; 4],
    pub filter_shape: [u32; 4],
    pub out_shape: [u32; 4],
    /// Height then width.
    pub stride: [u32; 2],
    pub dilation: [u32; 2],
    pub pad: [u32; 2],
    pub depth_multiplier: u32,
    /// Float32 activation range.
    pub act_min: f32,
    pub act_max: f32,
    /// Int8 quantization (zeroed for float32).
    pub q: WeightedInt8,
}

impl Data {
    pub(crate) fn in_shape(&self) -> [usize; 4] {
        self.in_shape.map(|d| d as usize)
    }
    pub(crate) fn filter_shape(&self) -> [usize; 4] {
        self.filter_shape.map(|d| d as usize)
    }
    pub(crate) fn out_shape(&self) -> [usize; 4] {
        self.out_shape.map(|d| d as usize)
    }
    /// The kernels' stride, dilation and padding.
    pub(crate) fn conv(&self) -> ConvParams {
        let [stride_h, stride_w] = self.stride.map(|v| v as usize);
        let [dilation_h, dilation_w] = self.dilation.map(|v| v as usize);
        let [pad_h, pad_w] = self.pad.map(|v| v as usize);
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

fn words<const N: usize>(ctx: &OpCtx<'_>, t: &T<'_>, v: [usize; N]) -> Result<[u32; N], Error> {
    let mut out = [0u32; N];
    for (o, x) in out.iter_mut().zip(v) {
        *o = u32::try_from(x).map_err(|_| ctx.shape_err(t))?;
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
    let int8 = quant::check_weighted_types(&op, &g.input, &g.filter, g.bias.as_ref(), &g.output)?;
    if int8_only && !int8 {
        return Err(op.type_err(&g.input));
    }
    let (act_min, act_max) = activation_range_f32(g.act);
    let mut d = Data {
        kind: Kind::Float32.tag(),
        in_shape: words(&op, &g.input, g.in_shape)?,
        filter_shape: words(&op, &g.filter, g.filter_shape)?,
        out_shape: words(&op, &g.output, g.out_shape)?,
        stride: words(&op, &g.input, g.stride)?,
        dilation: words(&op, &g.input, g.dilation)?,
        pad: words(&op, &g.input, g.pad)?,
        depth_multiplier: words(&op, &g.filter, [g.depth_multiplier])?[0],
        act_min,
        act_max,
        q: WeightedInt8::default(),
    };
    let kind = if int8 { Kind::Int8 } else { Kind::Float32 };
    if int8 {
        d.kind = kind.tag();
        d.q = quant::weighted_int8(&op, &g.input, &g.filter, &g.output, g.channels, g.act)?;
    }
    ctx.persist(&d)?;
    if int8 {
        quant::persist_multipliers(ctx, &g.input, &g.filter, &g.output, g.channels, false)?;
    }
    Ok(kind)
}
