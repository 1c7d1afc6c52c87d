//! Shared quantization set-up for the conv-like ops (per-channel or per-tensor filters).

use super::{EvalCtx, OpCtx, PrepareCtx, T};
use crate::error::Error;
use crate::schema::TensorType;
use microlite_kernels::quant::{activation_range_i8, activation_range_q};
use microlite_kernels::quant::{clamp_shift, conv_channel_multiplier, I64Le};
use microlite_kernels::{Activation, QuantParams};

/// Validates the filter's scales (one, or one per output channel) and, with `data`, writes
/// `n` `i32` multipliers then `n` `i8` shifts (as bytes) from
/// `in_scale * filter_scale[c] / out_scale` (TFLM's double-precision rounding, on integers;
/// shifts clamped to what rescales the same, `clamp_shift`), for per-tensor FULLY_CONNECTED
/// too: the TFLM runtime that makes the goldens widens each scale to double first (the older
/// `GetQuantizedConvolutionMultipler` source multiplied two in f32). Returns the number of
/// scales `n`.
pub(crate) fn channel_multipliers(
    ctx: &OpCtx<'_>,
    input: &T<'_>,
    filter: &T<'_>,
    output: &T<'_>,
    channels: usize,
    data: Option<&mut [u8]>,
) -> Result<usize, Error> {
    let (in_scale, _) = ctx.quant(input)?;
    let (out_scale, _) = ctx.quant(output)?;
    let q = filter.t.quantization().ok_or(ctx.quant_err(filter))?;
    let n = q.len();
    if n != 1 && n != channels {
        return Err(ctx.quant_err(filter));
    }
    for c in 0..n {
        let s = q.scale(c);
        if !(s.is_finite() && s > 0.0) || q.zero_point(c) != 0 {
            return Err(ctx.quant_err(filter));
        }
    }
    if let Some(data) = data {
        let (mults, shifts) = data.split_at_mut((4 * n).min(data.len()));
        let mults: &mut [i32] = match mults {
            [] => &mut [],
            m => bytemuck::try_cast_slice_mut(m).map_err(|_| Error::ArenaMisaligned)?,
        };
        for c in 0..n {
            // Per-tensor FULLY_CONNECTED too: the TFLM runtime that makes the goldens widens
            // each scale to double before multiplying (its older source multiplied in float).
            let (m, s) = conv_channel_multiplier(in_scale, q.scale(c), out_scale);
            if let (Some(dm), Some(ds)) = (mults.get_mut(c), shifts.get_mut(c)) {
                *dm = m;
                *ds = clamp_shift(s) as u8;
            }
        }
    }
    Ok(n)
}

/// The int8 quantization of a weighted op (CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED,
/// TRANSPOSE_CONV), fixed at prepare; `channels` `i32` multipliers then as many `i8` shifts
/// follow it in the op's persistent data.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, bytemuck::Pod, bytemuck::Zeroable)]
pub(crate) struct WeightedInt8 {
    /// Minus the input zero point.
    pub input_offset: i32,
    /// The output zero point.
    pub output_offset: i32,
    pub act_min: i32,
    pub act_max: i32,
    /// Number of multipliers (1 per tensor, or one per output channel).
    pub channels: u32,
}

impl WeightedInt8 {
    /// What a float32 op keeps: no quantization, no clamp. (Not all zero on purpose: the
    /// compiler would clear it with a `memclr` routine a firmware need not otherwise link.)
    pub(crate) const FLOAT: WeightedInt8 = WeightedInt8 {
        input_offset: 0,
        output_offset: 0,
        act_min: i32::MIN,
        act_max: i32::MAX,
        channels: 0,
    };

    /// The kernels' view, with the multipliers and shifts that follow the header.
    pub(crate) fn params<'d>(&self, rest: &'d [u8]) -> Result<QuantParams<'d>, Error> {
        let n = self.channels as usize;
        let multipliers: &[i32] = match rest.get(..4 * n).ok_or(Error::TooComplex)? {
            [] => &[],
            m => bytemuck::try_cast_slice(m).map_err(|_| Error::TooComplex)?,
        };
        let shifts: &[i8] = bytemuck::cast_slice(rest.get(4 * n..5 * n).ok_or(Error::TooComplex)?);
        Ok(QuantParams {
            input_offset: self.input_offset,
            output_offset: self.output_offset,
            act_min: self.act_min,
            act_max: self.act_max,
            multipliers,
            shifts,
        })
    }
}

/// Optional input `k` (a 16x8 op's int64 bias) as stored in the model: converters align
/// such biases to 4 bytes only, so the kernels read them as little-endian [`I64Le`] bytes.
pub(crate) fn optional_i64le<'b>(
    ctx: &EvalCtx<'b>,
    k: usize,
) -> Result<Option<&'b [I64Le]>, Error> {
    match ctx.optional_input::<u8>(k)? {
        Some(b) => bytemuck::try_cast_slice(b)
            .map(Some)
            .map_err(|_| Error::DataMisaligned { tensor: u32::MAX }),
        None => Ok(None),
    }
}

/// The dtypes of a weighted op (CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, TRANSPOSE_CONV).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Weighted {
    /// int8 activations, int8 weights, int32 bias.
    Int8,
    /// 16x8: int16 activations, int8 weights; the bias (int64, or int32) picks the
    /// accumulator as TFLM's templates do (`bias64`: `i64` and the 64-bit rescale).
    Int16 { bias64: bool },
    /// float32 throughout.
    Float32,
}

/// Validates a weighted op's types: int8 activations with int8 weights and an int32 bias,
/// 16x8 (int16 activations, int8 weights, an int64 or int32 bias), or float32 throughout.
/// `bias_type` is the op's `quantized_bias_type` option, which picks a 16x8 op's accumulator
/// when it has no bias (TFLM: int32 when it says INT32, else int64).
pub(crate) fn check_weighted_types(
    ctx: &OpCtx<'_>,
    input: &T<'_>,
    filter: &T<'_>,
    bias: Option<&T<'_>>,
    output: &T<'_>,
    bias_type: u8,
) -> Result<Weighted, Error> {
    let kind = match input.t.ty() {
        TensorType::Int8 => Weighted::Int8,
        TensorType::Int16 => Weighted::Int16 {
            bias64: match bias.map(|b| b.t.ty()) {
                Some(TensorType::Int32) => false,
                Some(_) => true,
                None => bias_type != TensorType::Int32 as u8,
            },
        },
        TensorType::Float32 => Weighted::Float32,
        _ => return Err(ctx.type_err(input)),
    };
    let (weights, bias_ty) = match kind {
        Weighted::Int8 => (TensorType::Int8, TensorType::Int32),
        Weighted::Int16 { bias64: true } => (TensorType::Int8, TensorType::Int64),
        Weighted::Int16 { bias64: false } => (TensorType::Int8, TensorType::Int32),
        Weighted::Float32 => (TensorType::Float32, TensorType::Float32),
    };
    ctx.expect_type(filter, weights)?;
    ctx.expect_type(output, input.t.ty())?;
    if let Some(b) = bias {
        ctx.expect_type(b, bias_ty)?;
    }
    Ok(kind)
}

/// The int8 prepare of a weighted op: validates the quantization and returns the header the
/// op keeps in its typed data. The op then persists its data, then calls
/// [`persist_multipliers`].
pub(crate) fn weighted_int8(
    ctx: &OpCtx<'_>,
    input: &T<'_>,
    filter: &T<'_>,
    output: &T<'_>,
    channels: usize,
    act: Activation,
) -> Result<WeightedInt8, Error> {
    let n = channel_multipliers(ctx, input, filter, output, channels, None)?;
    let (_, in_zp) = ctx.quant(input)?;
    let (out_scale, out_zp) = ctx.quant(output)?;
    let (act_min, act_max) = if output.t.ty() == TensorType::Int16 {
        activation_range_q::<i16>(act, out_scale, out_zp)
    } else {
        activation_range_i8(act, out_scale, out_zp)
    };
    Ok(WeightedInt8 {
        input_offset: in_zp.wrapping_neg(),
        output_offset: out_zp,
        act_min,
        act_max,
        channels: u32::try_from(n).map_err(|_| ctx.quant_err(filter))?,
    })
}

/// Appends the multipliers then the shifts of a weighted int8 op to its persistent data, one
/// per scale `header` counted ([`weighted_int8`] validated them).
pub(crate) fn persist_multipliers(
    ctx: &mut PrepareCtx<'_>,
    header: &WeightedInt8,
    input: &T<'_>,
    filter: &T<'_>,
    output: &T<'_>,
    channels: usize,
) -> Result<(), Error> {
    let op = ctx.op;
    let n = header.channels as usize;
    // Multipliers 4-aligned (the data before them is whole words), then one byte per shift.
    let bytes = ctx.persist_zeroed::<u8>(5 * n)?;
    channel_multipliers(&op, input, filter, output, channels, Some(bytes))?;
    Ok(())
}
