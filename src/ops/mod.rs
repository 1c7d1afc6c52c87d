//! Op glue: one module per TFLite builtin. `prepare` validates everything (shapes, types,
//! quantization, options) and sizes the op's persistent data and scratch; `eval` then runs the
//! kernel from `microlite-kernels` with nothing left to check but what is free to check.

use crate::error::Error;
use crate::flatbuf::Table;
use crate::model::{Model, Operator, SubGraph, Tensor};
use crate::schema::{BuiltinOperator, TensorType};
use microlite_kernels::{Activation, KernelError, Padding};

pub(crate) mod add;
pub(crate) mod arg_max;
pub(crate) mod arg_min;
pub(crate) mod average_pool_2d;
pub(crate) mod concatenation;
pub(crate) mod conv_2d;
pub(crate) mod depth_to_space;
pub(crate) mod depthwise_conv_2d;
pub(crate) mod dequantize;
mod elementwise;
pub(crate) mod expand_dims;
pub(crate) mod fully_connected;
pub(crate) mod hard_swish;
pub(crate) mod l2_normalization;
pub(crate) mod leaky_relu;
pub(crate) mod logistic;
pub(crate) mod max_pool_2d;
pub(crate) mod maximum;
pub(crate) mod mean;
pub(crate) mod minimum;
mod movement;
pub(crate) mod mul;
pub(crate) mod pack;
pub(crate) mod pad;
pub(crate) mod padv2;
mod pool;
pub(crate) mod prelu;
mod quant;
pub(crate) mod quantize;
pub(crate) mod relu;
pub(crate) mod relu6;
pub(crate) mod reshape;
pub(crate) mod resize_bilinear;
pub(crate) mod resize_nearest_neighbor;
pub(crate) mod shape;
pub(crate) mod slice;
pub(crate) mod softmax;
pub(crate) mod space_to_depth;
pub(crate) mod split;
pub(crate) mod split_v;
pub(crate) mod squeeze;
pub(crate) mod strided_slice;
pub(crate) mod sub;
pub(crate) mod tanh;
pub(crate) mod transpose;
pub(crate) mod transpose_conv;
pub(crate) mod unpack;

/// Validates an op and sizes its needs; with `data` given, also fills its persistent data.
pub(crate) type PrepareFn = fn(&OpCtx<'_>, Option<&mut [i32]>) -> Result<OpPlan, Error>;
/// Runs an op on its tensors.
pub(crate) type EvalFn = fn(&OpCtx<'_>, &mut Io<'_>, &[i32]) -> Result<(), Error>;

/// A kernel as the resolver holds it: which builtin, up to which version, and its functions.
#[derive(Clone, Copy)]
pub struct Registration {
    pub(crate) code: BuiltinOperator,
    pub(crate) max_version: i32,
    pub(crate) prepare: PrepareFn,
    pub(crate) eval: EvalFn,
}

impl Registration {
    /// The builtin this kernel implements.
    pub fn code(&self) -> BuiltinOperator {
        self.code
    }
}

impl core::fmt::Debug for Registration {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Registration")
            .field("code", &self.code)
            .field("max_version", &self.max_version)
            .finish()
    }
}

/// What an op needs beyond its tensors.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct OpPlan {
    /// `i32` words of persistent data (multipliers and the like).
    pub data_words: usize,
    /// Bytes of scratch live only while the op runs.
    pub scratch_bytes: usize,
}

/// An operator being prepared or run, with the model it belongs to.
#[derive(Clone, Copy)]
pub(crate) struct OpCtx<'m> {
    pub sg: SubGraph<'m>,
    pub op: Operator<'m>,
    pub index: u32,
}

/// A tensor with its index, for error reports.
#[derive(Clone, Copy)]
pub(crate) struct T<'m> {
    pub index: u32,
    pub t: Tensor<'m>,
}

impl<'m> OpCtx<'m> {
    pub fn new(_model: &Model<'m>, sg: SubGraph<'m>, op: Operator<'m>, index: u32) -> Self {
        OpCtx { sg, op, index }
    }

    fn tensor(&self, i: i32) -> Option<T<'m>> {
        let index = u32::try_from(i).ok()?;
        Some(T {
            index,
            t: self.sg.tensor(index as usize)?,
        })
    }

    /// Input `k`, required.
    pub fn input(&self, k: usize) -> Result<T<'m>, Error> {
        self.tensor(self.op.inputs().get(k))
            .filter(|_| k < self.op.inputs().len())
            .ok_or(self.count_err())
    }

    /// Input `k` when present (absent or `-1` gives `None`).
    pub fn optional_input(&self, k: usize) -> Option<T<'m>> {
        if k >= self.op.inputs().len() {
            return None;
        }
        self.tensor(self.op.inputs().get(k))
    }

    /// Output `k`, required.
    pub fn output(&self, k: usize) -> Result<T<'m>, Error> {
        self.tensor(self.op.outputs().get(k))
            .filter(|_| k < self.op.outputs().len())
            .ok_or(self.count_err())
    }

    /// Checks the numbers of inputs (a range, counting optional ones) and outputs.
    pub fn expect_counts(&self, min_in: usize, max_in: usize, outs: usize) -> Result<(), Error> {
        let n = self.op.inputs().len();
        if n < min_in || n > max_in || self.op.outputs().len() != outs {
            return Err(self.count_err());
        }
        Ok(())
    }

    /// The builtin options table, if its union tag is `tag`.
    pub fn options(&self, tag: u8) -> Option<Table<'m>> {
        if self.op.builtin_options_type() != tag {
            return None;
        }
        self.op.builtin_options()
    }

    pub fn count_err(&self) -> Error {
        Error::OperandCount { op: self.index }
    }
    pub fn shape_err(&self, t: &T<'_>) -> Error {
        Error::ShapeMismatch {
            op: self.index,
            tensor: t.index,
        }
    }
    pub fn type_err(&self, t: &T<'_>) -> Error {
        Error::UnsupportedType {
            op: self.index,
            tensor: t.index,
            ty: t.t.ty() as u8,
        }
    }
    pub fn quant_err(&self, t: &T<'_>) -> Error {
        Error::BadQuantization {
            op: self.index,
            tensor: t.index,
        }
    }
    pub fn options_err(&self) -> Error {
        Error::BadOptions { op: self.index }
    }

    /// Maps a kernel's error (impossible after prepare) onto this op.
    pub fn kernel_err(&self, e: KernelError) -> Error {
        match e {
            KernelError::ShapeMismatch => Error::ShapeMismatch {
                op: self.index,
                tensor: u32::MAX,
            },
            _ => Error::BadOptions { op: self.index },
        }
    }

    /// Requires `t` to have type `ty`.
    pub fn expect_type(&self, t: &T<'_>, ty: TensorType) -> Result<(), Error> {
        if t.t.ty() == ty {
            Ok(())
        } else {
            Err(self.type_err(t))
        }
    }

    /// `t`'s dims as a rank-4 NHWC shape; other ranks are a shape error.
    pub fn shape4(&self, t: &T<'_>) -> Result<[usize; 4], Error> {
        let s = t.t.shape();
        if s.len() != 4 {
            return Err(self.shape_err(t));
        }
        Ok([
            s.get(0) as usize,
            s.get(1) as usize,
            s.get(2) as usize,
            s.get(3) as usize,
        ])
    }

    /// `t`'s dims right-aligned into rank 4 (leading 1s); rank above 4 is a shape error.
    pub fn shape_padded4(&self, t: &T<'_>) -> Result<[usize; 4], Error> {
        let s = t.t.shape();
        if s.len() > 4 {
            return Err(self.shape_err(t));
        }
        let mut out = [1usize; 4];
        let off = 4 - s.len();
        for (i, d) in s.iter().enumerate() {
            if let Some(o) = out.get_mut(off + i) {
                *o = d as usize;
            }
        }
        Ok(out)
    }

    /// Per-tensor quantization `(scale, zero_point)` of `t`; missing or unusable is an error.
    pub fn quant(&self, t: &T<'_>) -> Result<(f32, i32), Error> {
        let q = t.t.quantization().ok_or(self.quant_err(t))?;
        let scale = q.scale(0);
        let zp = q.zero_point(0);
        if !(scale.is_finite() && scale > 0.0)
            || zp < i64::from(i16::MIN)
            || zp > i64::from(u16::MAX)
        {
            return Err(self.quant_err(t));
        }
        Ok((scale, zp as i32))
    }
}

/// Reads a fused activation option.
pub(crate) fn activation(ctx: &OpCtx<'_>, raw: u8) -> Result<Activation, Error> {
    match raw {
        0 => Ok(Activation::None),
        1 => Ok(Activation::Relu),
        2 => Ok(Activation::ReluN1To1),
        3 => Ok(Activation::Relu6),
        _ => Err(ctx.options_err()),
    }
}

/// Reads a padding option.
pub(crate) fn padding(ctx: &OpCtx<'_>, raw: u8) -> Result<Padding, Error> {
    match raw {
        0 => Ok(Padding::Same),
        1 => Ok(Padding::Valid),
        _ => Err(ctx.options_err()),
    }
}

/// A positive stride, dilation or filter size from an `i32` option.
pub(crate) fn positive(ctx: &OpCtx<'_>, v: i32) -> Result<usize, Error> {
    if v >= 1 {
        Ok(v as usize)
    } else {
        Err(ctx.options_err())
    }
}

/// The tensors of one op during eval: constants from the model, activations carved out of the
/// arena so that outputs and scratch are mutable while inputs stay shared.
pub(crate) struct Io<'b> {
    /// Arena pieces not written by this op, with their start offsets.
    pub(crate) shared: [(usize, &'b [u8]); MAX_PIECES],
    /// Output regions, by output index.
    pub(crate) outputs: [&'b mut [u8]; MAX_OUTPUTS],
    pub(crate) scratch: &'b mut [u8],
    /// The interpreter's tensor table (see [`crate::interpreter`]).
    pub(crate) table: crate::interpreter::TensorTable<'b>,
    pub(crate) inputs: crate::model::Ints<'b>,
    /// The model's bytes, where constant inputs live.
    pub(crate) model_bytes: &'b [u8],
    pub(crate) op_index: u32,
}

pub(crate) const MAX_OUTPUTS: usize = 8;
pub(crate) const MAX_PIECES: usize = MAX_OUTPUTS + 2;

/// Element types a tensor's bytes can be viewed as.
pub trait Element: bytemuck::Pod {
    /// The tensor type holding this element.
    const TYPE: TensorType;
}
impl Element for i8 {
    const TYPE: TensorType = TensorType::Int8;
}
impl Element for u8 {
    const TYPE: TensorType = TensorType::UInt8;
}
impl Element for i16 {
    const TYPE: TensorType = TensorType::Int16;
}
impl Element for i32 {
    const TYPE: TensorType = TensorType::Int32;
}
impl Element for u32 {
    const TYPE: TensorType = TensorType::UInt32;
}
impl Element for i64 {
    const TYPE: TensorType = TensorType::Int64;
}
impl Element for f32 {
    const TYPE: TensorType = TensorType::Float32;
}

impl<'b> Io<'b> {
    /// The bytes of input `k`.
    pub fn input_bytes(&self, k: usize) -> Result<&'b [u8], Error> {
        let bad = Error::OperandCount { op: self.op_index };
        if k >= self.inputs.len() {
            return Err(bad);
        }
        let ti = u32::try_from(self.inputs.get(k)).map_err(|_| bad)?;
        // Both lookups come from the tables prepare filled: no model parsing per eval.
        match self.table.region(ti) {
            None => {
                let (at, len) = self.table.constant(ti).ok_or(bad)?;
                self.model_bytes.get(at..at.saturating_add(len)).ok_or(bad)
            }
            Some((off, len)) => {
                let end = off.saturating_add(len);
                for (start, piece) in self.shared.iter() {
                    if off >= *start && end <= start.saturating_add(piece.len()) {
                        return piece.get(off - start..end - start).ok_or(bad);
                    }
                }
                Err(bad)
            }
        }
    }

    /// Input `k` viewed as `E`.
    pub fn input<E: Element>(&self, k: usize) -> Result<&'b [E], Error> {
        let b = self.input_bytes(k)?;
        let ti = self.inputs.get(k) as u32;
        if b.is_empty() {
            return Ok(&[]);
        }
        bytemuck::try_cast_slice(b).map_err(|_| Error::DataMisaligned { tensor: ti })
    }

    /// Optional input `k` viewed as `E` (`None` when absent).
    pub fn optional_input<E: Element>(&self, k: usize) -> Result<Option<&'b [E]>, Error> {
        if k >= self.inputs.len() || self.inputs.get(k) < 0 {
            return Ok(None);
        }
        self.input(k).map(Some)
    }

    /// Output `k` viewed as `E`; each output can be taken once per eval.
    pub fn output<E: Element>(&mut self, k: usize) -> Result<&'b mut [E], Error> {
        let slot = self
            .outputs
            .get_mut(k)
            .ok_or(Error::OperandCount { op: self.op_index })?;
        cast_mut(core::mem::take(slot))
    }

    /// The op's scratch viewed as `E`.
    pub fn scratch<E: Element>(&mut self) -> Result<&'b mut [E], Error> {
        cast_mut(core::mem::take(&mut self.scratch))
    }
}

/// Views arena bytes as `E` (arena pieces are 16-byte aligned; empty views always work).
pub(crate) fn cast_mut<E: Element>(b: &mut [u8]) -> Result<&mut [E], Error> {
    if b.is_empty() {
        return Ok(&mut []);
    }
    bytemuck::try_cast_slice_mut(b).map_err(|_| Error::ArenaMisaligned)
}
