//! The interpreter: plans a model into a caller's arena, prepares every op, and invokes.
//!
//! Arena layout: planned tensors and scratch from offset 0 (the "head"), and at the end of the
//! caller's slice the bookkeeping tables and per-op persistent data (the "tail"), all as `u32`
//! words. Nothing lives on a heap; the interpreter value itself is a few pointers.

use crate::error::{Error, Malformed};
use crate::model::{Model, SubGraph, Tensor};
use crate::ops::{cast_mut, Element, Io, OpCtx, OpPlan, Registration, MAX_OUTPUTS, MAX_PIECES};
use crate::planner::{self, align_up, Buffers, ALIGN};
use crate::resolver::OpResolver;
use crate::schema::{BuiltinOperator, TensorType};

/// Words per tensor record: offset, size, lifetime (first and last op as two `u16`s), alias,
/// and the planner's link to the next buffer by offset.
const TW: usize = 5;
/// Fields of a tensor record (`T_FIRST` and `T_LAST` are the halves of word 2).
const T_OFF: usize = 0;
const T_SIZE: usize = 1;
const T_FIRST: usize = 2;
const T_LAST: usize = 5;
/// The tensor whose memory this one shares (a RESHAPE-like op's output), or `NONE`.
const T_ALIAS: usize = 3;
/// The planner's "next placed buffer by offset" link (op records use their data-offset word,
/// which is only filled in after planning).
const T_NEXT: usize = 4;
/// The record word holding field `f`.
const fn word_of(f: usize) -> usize {
    if f == T_LAST {
        T_FIRST
    } else {
        f
    }
}
/// Most ops a model may have: lifetimes are stored as `u16`, with `u16::MAX` for "not yet".
const MAX_OPS: usize = u16::MAX as usize - 1;
/// Words per op record: data offset, data length, scratch offset, scratch size.
const OW: usize = 4;
/// Marks "not in the arena" / "not yet".
const NONE: u32 = u32::MAX;

/// Where a tensor lives in the arena and when it is live.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Allocation {
    /// Byte offset in the arena.
    pub offset: usize,
    /// Bytes reserved (16-byte aligned).
    pub size: usize,
    /// First op index that needs it.
    pub first_op: u32,
    /// Last op index that needs it (`op_count` for graph outputs).
    pub last_op: u32,
}

/// A read-only view of the tensor records.
#[derive(Clone, Copy)]
pub(crate) struct TensorTable<'b> {
    words: &'b [u32],
}

impl<'b> TensorTable<'b> {
    /// `(offset, size)` of tensor `t` when it lives in the arena.
    pub(crate) fn region(&self, t: u32) -> Option<(usize, usize)> {
        let base = (t as usize).checked_mul(TW)?;
        let off = *self.words.get(base)?;
        if off == NONE {
            return None;
        }
        Some((off as usize, *self.words.get(base + T_SIZE)? as usize))
    }

    /// `(offset in the model, length)` of constant tensor `t`'s data.
    pub(crate) fn constant(&self, t: u32) -> Option<(usize, usize)> {
        let base = (t as usize).checked_mul(TW)?;
        if *self.words.get(base + T_OFF)? != NONE {
            return None;
        }
        let (at, len) = (
            *self.words.get(base + T_NEXT)?,
            *self.words.get(base + T_ALIAS)?,
        );
        (at != NONE && len != NONE).then_some((at as usize, len as usize))
    }
}

/// Shape and quantization of a graph input or output.
#[derive(Clone, Copy, Debug)]
pub struct TensorInfo<'a> {
    tensor: Tensor<'a>,
}

/// Affine quantization of a tensor: `real = scale * (q - zero_point)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct QuantParams {
    /// The scale.
    pub scale: f32,
    /// The zero point.
    pub zero_point: i32,
}

impl QuantParams {
    /// Quantizes `x` to int8 (round half away from zero, saturating), as TFLM does.
    pub fn quantize_i8(&self, x: f32) -> i8 {
        // `as` saturates (and maps NaN to 0), so no input can overflow here.
        let q = (libm::roundf(x / self.scale) as i64).saturating_add(i64::from(self.zero_point));
        q.clamp(-128, 127) as i8
    }
    /// The real value of int8 `q`.
    pub fn dequantize_i8(&self, q: i8) -> f32 {
        self.scale * (i64::from(q) - i64::from(self.zero_point)) as f32
    }
}

impl<'a> TensorInfo<'a> {
    /// Element type.
    pub fn ty(&self) -> TensorType {
        self.tensor.ty()
    }
    /// Dimensions.
    pub fn shape(&self) -> crate::model::Ints<'a> {
        self.tensor.shape()
    }
    /// Number of elements.
    pub fn element_count(&self) -> usize {
        self.tensor.element_count()
    }
    /// Tensor name.
    pub fn name(&self) -> &'a str {
        self.tensor.name()
    }
    /// Per-tensor quantization, if the tensor is quantized.
    pub fn quant(&self) -> Option<QuantParams> {
        let q = self.tensor.quantization()?;
        Some(QuantParams {
            scale: q.scale(0),
            zero_point: i32::try_from(q.zero_point(0)).ok()?,
        })
    }
}

/// Runs one model in a caller-supplied arena.
///
/// ```no_run
/// # fn main() -> Result<(), microlite::Error> {
/// use microlite::{AllOpsResolver, Interpreter, Model};
/// # static MODEL: &[u8] = &[];
/// let model = Model::from_bytes(MODEL)?;
/// let resolver = AllOpsResolver::with_all_ops();
/// let mut arena = microlite::Arena::<16384>::new();
/// let mut interp = Interpreter::new(model, &resolver, arena.as_mut_slice())?;
/// interp.input_mut::<i8>(0)?.fill(0);
/// interp.invoke()?;
/// let scores: &[i8] = interp.output(0)?;
/// # let _ = scores; Ok(()) }
/// ```
pub struct Interpreter<'a> {
    model: Model<'a>,
    resolver: &'a dyn OpResolver,
    arena: &'a mut [u8],
    head: usize,
    tail_start: usize,
    tail_len: usize,
    tensors: usize,
    ops: usize,
}

/// Sizes of the bookkeeping for a model: words of tables and op data.
struct Layout {
    tensors: usize,
    ops: usize,
    data_words: usize,
}

impl Layout {
    fn tail_bytes(&self) -> usize {
        let words = self
            .tensors
            .saturating_mul(TW)
            .saturating_add(self.ops.saturating_mul(OW))
            .saturating_add(self.data_words);
        align_up(words.saturating_mul(4))
    }
}

/// The planner's view of the tables: tensors first, then one scratch buffer per op.
struct Tables<'w> {
    words: &'w mut [u32],
    tensors: usize,
    ops: usize,
}

impl Tables<'_> {
    fn get(&self, i: usize) -> u32 {
        self.words.get(i).copied().unwrap_or(NONE)
    }
    fn set(&mut self, i: usize, v: u32) {
        if let Some(w) = self.words.get_mut(i) {
            *w = v;
        }
    }
    /// Field `f` of tensor `t`'s record (`NONE` when unset).
    fn t(&self, t: usize, f: usize) -> u32 {
        let w = self.get(t * TW + word_of(f));
        let half = match f {
            T_FIRST => w & 0xFFFF,
            T_LAST => w >> 16,
            _ => return w,
        };
        if half == 0xFFFF {
            NONE
        } else {
            half
        }
    }
    fn set_t(&mut self, t: usize, f: usize, v: u32) {
        let at = t * TW + word_of(f);
        let w = self.get(at);
        let v16 = v.min(0xFFFF);
        let new = match f {
            T_FIRST => (w & 0xFFFF_0000) | v16,
            T_LAST => (w & 0xFFFF) | (v16 << 16),
            _ => v,
        };
        self.set(at, new);
    }
    fn op_base(&self, op: usize) -> usize {
        self.tensors * TW + op * OW
    }
    /// Whether tensor `t` lives in the arena (it has no constant data).
    fn in_arena(&self, t: usize) -> bool {
        self.t(t, T_SIZE) != NONE
    }
    /// Widens tensor `t`'s lifetime to include op `at`.
    fn touch(&mut self, t: usize, at: u32) {
        if self.t(t, T_FIRST) == NONE || at < self.t(t, T_FIRST) {
            self.set_t(t, T_FIRST, at);
        }
        if self.t(t, T_LAST) == NONE || at > self.t(t, T_LAST) {
            self.set_t(t, T_LAST, at);
        }
    }
    /// The tensor owning `t`'s memory (itself unless aliased).
    fn root(&self, mut t: usize) -> usize {
        for _ in 0..self.tensors {
            match self.t(t, T_ALIAS) {
                NONE => break,
                r => t = r as usize,
            }
        }
        t
    }
}

impl Buffers for Tables<'_> {
    fn count(&self) -> usize {
        self.tensors + self.ops
    }
    fn size(&self, i: usize) -> usize {
        if i < self.tensors {
            if self.t(i, T_FIRST) == NONE || self.t(i, T_ALIAS) != NONE {
                0
            } else {
                align_up(self.t(i, T_SIZE) as usize)
            }
        } else {
            self.get(self.op_base(i - self.tensors) + 3) as usize
        }
    }
    fn lifetime(&self, i: usize) -> (u32, u32) {
        if i < self.tensors {
            (self.t(i, T_FIRST), self.t(i, T_LAST))
        } else {
            let op = (i - self.tensors) as u32;
            (op, op)
        }
    }
    fn offset(&self, i: usize) -> Option<usize> {
        let w = if i < self.tensors {
            self.t(i, T_OFF)
        } else {
            self.get(self.op_base(i - self.tensors) + 2)
        };
        (w != NONE).then_some(w as usize)
    }
    fn set_offset(&mut self, i: usize, offset: usize) {
        let at = if i < self.tensors {
            i * TW + T_OFF
        } else {
            self.op_base(i - self.tensors) + 2
        };
        self.set(at, u32::try_from(offset).unwrap_or(NONE));
    }
    fn next(&self, i: usize) -> Option<usize> {
        let w = if i < self.tensors {
            self.t(i, T_NEXT)
        } else {
            self.get(self.op_base(i - self.tensors))
        };
        (w != NONE).then_some(w as usize)
    }
    fn set_next(&mut self, i: usize, next: Option<usize>) {
        let v = next.and_then(|n| u32::try_from(n).ok()).unwrap_or(NONE);
        if i < self.tensors {
            self.set_t(i, T_NEXT, v);
        } else {
            let at = self.op_base(i - self.tensors);
            self.set(at, v);
        }
    }
}

/// Ops whose output is input 0's bytes under another shape: the planner lets them share memory.
fn aliases_input(code: BuiltinOperator) -> bool {
    matches!(
        code,
        BuiltinOperator::RESHAPE | BuiltinOperator::SQUEEZE | BuiltinOperator::EXPAND_DIMS
    )
}

fn u32_of(n: usize) -> Result<u32, Error> {
    u32::try_from(n)
        .ok()
        .filter(|&v| v != NONE)
        .ok_or(Error::TooComplex)
}

/// Finds the registration for op `i` of the main subgraph.
fn registration<'r>(
    model: &Model<'_>,
    sg: &SubGraph<'_>,
    resolver: &'r dyn OpResolver,
    i: usize,
) -> Result<&'r Registration, Error> {
    let op = sg.operator(i).ok_or(Error::TooComplex)?;
    registration_of(model, &op, resolver, i).map(|(r, _)| r)
}

/// The registration of `op` (op `i`) and its builtin code.
fn registration_of<'r>(
    model: &Model<'_>,
    op: &crate::model::Operator<'_>,
    resolver: &'r dyn OpResolver,
    i: usize,
) -> Result<(&'r Registration, BuiltinOperator), Error> {
    let (builtin, version) = model.builtin_and_version(op.opcode_index() as usize);
    let oi = i as u32;
    if builtin == BuiltinOperator::CUSTOM {
        return Err(Error::CustomOp { op: oi });
    }
    resolver
        .find(builtin, version)
        .map(|r| (r, builtin))
        .ok_or(Error::UnsupportedOp {
            op: oi,
            code: builtin.0,
            version,
        })
}

impl<'a> Interpreter<'a> {
    /// Verifies every op against the resolver, plans the arena and prepares the ops.
    ///
    /// # Errors
    /// [`Error::ArenaMisaligned`] when `arena` does not start 16-byte aligned;
    /// [`Error::UnsupportedOp`] / [`Error::CustomOp`] for ops the resolver lacks;
    /// any op's validation error (shape, type, quantization, options);
    /// [`Error::ArenaTooSmall`] naming the bytes needed.
    pub fn new(
        model: Model<'a>,
        resolver: &'a dyn OpResolver,
        arena: &'a mut [u8],
    ) -> Result<Self, Error> {
        if !(arena.as_ptr() as usize).is_multiple_of(ALIGN) {
            return Err(Error::ArenaMisaligned);
        }
        let sg = model.main_subgraph();
        if sg.operator_count() > MAX_OPS {
            return Err(Error::TooComplex);
        }
        let layout = Self::layout(&model, &sg, resolver)?;
        let tail_len = layout.tail_bytes();
        let available = arena.len();
        if tail_len > available {
            // Too small even for the bookkeeping: the planned head is unknown, so report the
            // bookkeeping plus the largest single tensor, a lower bound.
            let largest = (0..sg.tensor_count())
                .filter_map(|t| sg.tensor(t))
                .filter(|t| t.data().is_none())
                .filter_map(|t| t.byte_size())
                .max()
                .unwrap_or(0);
            return Err(Error::ArenaTooSmall {
                needed: tail_len + align_up(largest),
                available,
            });
        }
        let tail_start = (available - tail_len) & !(ALIGN - 1);
        let mut interp = Interpreter {
            model,
            resolver,
            arena,
            head: 0,
            tail_start,
            tail_len,
            tensors: layout.tensors,
            ops: layout.ops,
        };
        interp.plan()?;
        if interp.head > interp.tail_start {
            return Err(Error::ArenaTooSmall {
                needed: interp.head + tail_len,
                available,
            });
        }
        interp.prepare_data()?;
        // Variable tensors and scratch start from zero, as in TFLM.
        if let Some(h) = interp.arena.get_mut(..interp.head) {
            h.fill(0);
        }
        Ok(interp)
    }

    /// The exact arena a model needs with this resolver, computed in `scratch` (any buffer at
    /// least that large; on the host, a generous `Vec`).
    ///
    /// # Errors
    /// As [`Interpreter::new`].
    pub fn arena_size(
        model: Model<'a>,
        resolver: &'a dyn OpResolver,
        scratch: &'a mut [u8],
    ) -> Result<usize, Error> {
        Interpreter::new(model, resolver, scratch).map(|i| i.arena_used_bytes())
    }

    fn layout(
        model: &Model<'a>,
        sg: &SubGraph<'a>,
        resolver: &dyn OpResolver,
    ) -> Result<Layout, Error> {
        let mut data_words = 0usize;
        for i in 0..sg.operator_count() {
            let reg = registration(model, sg, resolver, i)?;
            let op = sg.operator(i).ok_or(Error::TooComplex)?;
            let ctx = OpCtx::new(model, *sg, op, u32_of(i)?);
            let plan = (reg.prepare)(&ctx, None)?;
            data_words = data_words.saturating_add(plan.data_words);
        }
        let l = Layout {
            tensors: sg.tensor_count(),
            ops: sg.operator_count(),
            data_words,
        };
        u32_of(l.tail_bytes())?;
        Ok(l)
    }

    fn tail_words(&mut self) -> Result<&mut [u32], Error> {
        let end = self.tail_start + self.tail_len;
        let bytes = self
            .arena
            .get_mut(self.tail_start..end)
            .ok_or(Error::ArenaMisaligned)?;
        cast_mut::<u32>(bytes).map_err(|_| Error::ArenaMisaligned)
    }

    /// Computes lifetimes and sizes, lets RESHAPE-like outputs alias their inputs, then runs
    /// the greedy planner.
    fn plan(&mut self) -> Result<(), Error> {
        let (model, sg, resolver) = (self.model, self.sg(), self.resolver);
        let (nt, no) = (self.tensors, self.ops);
        let words = self.tail_words()?;
        words.fill(NONE);
        let mut tb = Tables {
            words,
            tensors: nt,
            ops: no,
        };
        let last_step = u32_of(no)?;
        // Sizes; arena tensors are those without constant data.
        for t in 0..nt {
            let tensor = sg.tensor(t).ok_or(Error::TooComplex)?;
            if tensor.data().is_none() {
                let size = tensor.byte_size().ok_or(Error::UnsupportedType {
                    op: NONE,
                    tensor: t as u32,
                    ty: tensor.ty() as u8,
                })?;
                tb.set_t(t, T_SIZE, u32_of(size)?);
            }
        }
        let is_input = |t: i32| sg.inputs().iter().any(|x| x == t);
        let is_variable = |t: usize| sg.tensor(t).is_some_and(|x| x.is_variable());
        for t in sg.inputs().iter() {
            if tb.in_arena(t as usize) {
                tb.touch(t as usize, 0);
            }
        }
        for t in 0..nt {
            if is_variable(t) && tb.in_arena(t) {
                tb.touch(t, 0);
                tb.touch(t, last_step);
            }
        }
        for i in 0..no {
            let op = sg.operator(i).ok_or(Error::TooComplex)?;
            let oi = i as u32;
            for t in op.inputs().iter().filter(|&t| t >= 0) {
                let tu = t as usize;
                if !tb.in_arena(tu) {
                    continue;
                }
                if tb.t(tu, T_FIRST) == NONE {
                    return Err(Malformed::UseBeforeDefinition {
                        op: oi,
                        tensor: t as u32,
                    }
                    .into());
                }
                tb.touch(tu, oi);
            }
            for (k, t) in op.outputs().iter().enumerate() {
                let tu = t as usize;
                if !tb.in_arena(tu) || is_input(t) {
                    return Err(Malformed::WritesConstant {
                        op: oi,
                        tensor: t as u32,
                    }
                    .into());
                }
                // One writer per tensor (state tensors aside), and never an op's own input:
                // kernels read inputs while they write outputs.
                let written = tb.t(tu, T_FIRST) != NONE && !is_variable(tu);
                let own_input = op.inputs().iter().any(|x| x == t);
                let twice = op.outputs().iter().take(k).any(|x| x == t);
                if written || own_input || twice {
                    return Err(Malformed::MultipleWriters {
                        op: oi,
                        tensor: t as u32,
                    }
                    .into());
                }
                tb.touch(tu, oi);
            }
            // Constant inputs must be aligned for their element type (bytemuck views them).
            for t in op.inputs().iter().filter(|&t| t >= 0) {
                let Some(x) = sg.tensor(t as usize) else {
                    continue;
                };
                if let (Some(d), Some(sz)) = (x.data(), x.ty().size()) {
                    if !(d.as_ptr() as usize).is_multiple_of(sz.min(8)) {
                        return Err(Error::DataMisaligned { tensor: t as u32 });
                    }
                }
            }
            // Scratch and persistent data sizes, fixed by the op's prepare.
            let reg = registration(&model, &sg, resolver, i)?;
            let ctx = OpCtx::new(&model, sg, op, oi);
            let OpPlan {
                data_words,
                scratch_bytes,
            } = (reg.prepare)(&ctx, None)?;
            let base = tb.op_base(i);
            tb.set(base + 1, u32_of(data_words)?);
            tb.set(base + 3, u32_of(align_up(scratch_bytes))?);
        }
        for t in sg.outputs().iter() {
            let tu = t as usize;
            if tb.in_arena(tu) {
                if tb.t(tu, T_FIRST) == NONE {
                    return Err(Malformed::UseBeforeDefinition {
                        op: last_step,
                        tensor: t as u32,
                    }
                    .into());
                }
                tb.touch(tu, last_step);
            }
        }
        // RESHAPE-like outputs share their input's memory (TFLM copies): the pair becomes one
        // buffer living as long as either. Both are only read after the op, so sharing is safe.
        for i in 0..no {
            let op = sg.operator(i).ok_or(Error::TooComplex)?;
            let code = model.operator_code(op.opcode_index() as usize).builtin;
            let (src, dst) = (op.inputs().get(0), op.outputs().get(0));
            if !aliases_input(code) || src < 0 || op.outputs().len() != 1 || src == dst {
                continue;
            }
            let (src, dst) = (src as usize, dst as usize);
            if !tb.in_arena(src)
                || is_variable(src)
                || is_variable(dst)
                || tb.t(dst, T_SIZE) > tb.t(src, T_SIZE)
            {
                continue;
            }
            let root = tb.root(src);
            let (first, last) = (tb.t(dst, T_FIRST), tb.t(dst, T_LAST));
            tb.touch(root, first);
            tb.touch(root, last);
            tb.set_t(dst, T_ALIAS, root as u32);
        }
        // Offsets must stay below `NONE`; past the arena is reported by the caller.
        let head = planner::plan(&mut tb, (NONE as usize) - ALIGN).ok_or(Error::TooComplex)?;
        for t in 0..nt {
            if tb.t(t, T_ALIAS) != NONE {
                let off = tb.t(tb.root(t), T_OFF);
                tb.set_t(t, T_OFF, off);
            } else if tb.t(t, T_FIRST) == NONE {
                // Tensors nobody uses take no space.
                tb.set_t(t, T_SIZE, NONE);
            } else if tb.t(t, T_SIZE) == 0 {
                // Empty tensors get an empty region at the start.
                tb.set_t(t, T_OFF, 0);
            }
            // Constants: where their data sits in the model (T_NEXT) and its length (T_ALIAS),
            // words the planner leaves unused for them, so eval needs no model lookups.
            if !tb.in_arena(t) {
                let tensor = sg.tensor(t).ok_or(Error::TooComplex)?;
                if let (Some(d), Some(size)) = (tensor.data(), tensor.byte_size()) {
                    let at = (d.as_ptr() as usize).wrapping_sub(model.bytes().as_ptr() as usize);
                    tb.set_t(t, T_NEXT, u32_of(at)?);
                    tb.set_t(t, T_ALIAS, u32_of(size.min(d.len()))?);
                }
            }
        }
        // Persistent data follows the tables.
        let mut data_at = nt * TW + no * OW;
        for i in 0..no {
            let base = tb.op_base(i);
            tb.set(base, u32_of(data_at)?);
            data_at += tb.get(base + 1) as usize;
        }
        self.head = align_up(head);
        Ok(())
    }

    /// Second prepare pass: ops write their persistent data.
    fn prepare_data(&mut self) -> Result<(), Error> {
        let (model, sg, resolver, nt) = (self.model, self.sg(), self.resolver, self.tensors);
        for i in 0..self.ops {
            let op = sg.operator(i).ok_or(Error::TooComplex)?;
            let reg = registration(&model, &sg, resolver, i)?;
            let words = self.tail_words()?;
            let base = nt * TW + i * OW;
            let (off, len) = (
                words.get(base).copied().unwrap_or(0) as usize,
                words.get(base + 1).copied().unwrap_or(0) as usize,
            );
            let data = words.get_mut(off..off + len).ok_or(Error::TooComplex)?;
            let ctx = OpCtx::new(&model, sg, op, i as u32);
            (reg.prepare)(&ctx, Some(bytemuck::cast_slice_mut(data)))?;
        }
        Ok(())
    }

    /// Runs every op once, in order.
    ///
    /// # Errors
    /// None in practice: prepare has validated everything; errors here mean a kernel
    /// disagreed with its prepare, reported as the op's error.
    pub fn invoke(&mut self) -> Result<(), Error> {
        let sg = self.sg();
        for i in 0..self.ops {
            self.run_op(sg, i)?;
        }
        Ok(())
    }

    /// Number of operators in the main subgraph: the steps of [`Self::invoke_op`].
    pub fn op_count(&self) -> usize {
        self.ops
    }

    /// The builtin operator of op `i` (for profiles and logs), or `None` past the last op.
    pub fn op_builtin(&self, i: usize) -> Option<BuiltinOperator> {
        let op = self.sg().operator(i).filter(|_| i < self.ops)?;
        Some(self.model.operator_code(op.opcode_index() as usize).builtin)
    }

    /// Runs op `i` alone: [`Self::invoke`] is `invoke_op(0)`, `invoke_op(1)`, ... in order.
    /// Stepping lets a caller time each op (a profile) or inspect intermediate tensors.
    ///
    /// ```no_run
    /// # fn main() -> Result<(), microlite::Error> {
    /// # use microlite::{AllOpsResolver, Interpreter, Model};
    /// # static MODEL: &[u8] = &[];
    /// # let model = Model::from_bytes(MODEL)?;
    /// # let resolver = AllOpsResolver::with_all_ops();
    /// # let mut arena = microlite::Arena::<16384>::new();
    /// # let mut interp = Interpreter::new(model, &resolver, arena.as_mut_slice())?;
    /// # fn cycles() -> u32 { 0 }
    /// // A per-op profile with any clock (a cycle counter on a microcontroller).
    /// for i in 0..interp.op_count() {
    ///     let t0 = cycles();
    ///     interp.invoke_op(i)?;
    ///     let name = interp.op_builtin(i).and_then(|b| b.name()).unwrap_or("?");
    ///     let _ = (name, cycles().wrapping_sub(t0));
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::BadIndex`] when `i >= op_count()`; otherwise as [`Self::invoke`].
    pub fn invoke_op(&mut self, i: usize) -> Result<(), Error> {
        if i >= self.ops {
            return Err(Error::BadIndex { index: i });
        }
        self.run_op(self.sg(), i)
    }

    /// Op `i` of `sg` (the main subgraph, derived once per invoke).
    fn run_op(&mut self, sg: SubGraph<'a>, i: usize) -> Result<(), Error> {
        let (model, resolver, nt) = (self.model, self.resolver, self.tensors);
        let (head, tail) = self.arena.split_at_mut(self.tail_start);
        let tail = tail.get(..self.tail_len).ok_or(Error::ArenaMisaligned)?;
        let words: &[u32] = if tail.is_empty() {
            &[]
        } else {
            bytemuck::try_cast_slice(tail).map_err(|_| Error::ArenaMisaligned)?
        };
        let table = TensorTable {
            words: words.get(..nt * TW).unwrap_or(&[]),
        };
        {
            let op = sg.operator(i).ok_or(Error::TooComplex)?;
            let (reg, code) = registration_of(&model, &op, resolver, i)?;
            let base = nt * TW + i * OW;
            let Some(&[off, len, s_off, s_len]) = words.get(base..base + OW) else {
                return Err(Error::TooComplex);
            };
            let (off, len, s_len) = (off as usize, len as usize, s_len as usize);
            let data = words.get(off..off + len).ok_or(Error::TooComplex)?;
            let ctx = OpCtx::new(&model, sg, op, i as u32);
            // An output planned onto its input's bytes (RESHAPE-like) needs no work.
            let (src, dst) = (op.inputs().get(0), op.outputs().get(0));
            if aliases_input(code)
                && src >= 0
                && table
                    .region(src as u32)
                    .is_some_and(|r| table.region(dst as u32) == Some(r))
            {
                return Ok(());
            }
            // Mutable regions: outputs then scratch.
            let mut regions = [(0usize, 0usize, usize::MAX); MAX_OUTPUTS + 1];
            let mut n = 0;
            for (k, t) in op.outputs().iter().enumerate() {
                // Regions are the tensors' exact bytes, not the aligned reservations.
                let (o, s) = table.region(t as u32).ok_or(ctx.count_err())?;
                *regions.get_mut(n).ok_or(Error::TooComplex)? = (o, s, k);
                n += 1;
            }
            if s_len > 0 && s_off != NONE {
                *regions.get_mut(n).ok_or(Error::TooComplex)? =
                    (s_off as usize, s_len, MAX_OUTPUTS);
                n += 1;
            }
            let regions = regions.get_mut(..n).ok_or(Error::TooComplex)?;
            // By offset; at most MAX_OUTPUTS + 1 entries: an insertion sort.
            for j in 1..regions.len() {
                let mut k = j;
                while k > 0 && regions.get(k - 1).map(|r| r.0) > regions.get(k).map(|r| r.0) {
                    regions.swap(k - 1, k);
                    k -= 1;
                }
            }
            let mut io = Io {
                shared: [(0, &[][..]); MAX_PIECES],
                outputs: Default::default(),
                scratch: &mut [],
                table,
                inputs: op.inputs(),
                model_bytes: model.bytes(),
                op_index: i as u32,
            };
            let mut rest: &mut [u8] = &mut *head;
            let mut pos = 0usize;
            let mut pieces = 0;
            for &(o, s, k) in regions.iter() {
                if o < pos {
                    return Err(ctx.count_err());
                }
                let (gap, r) = core::mem::take(&mut rest).split_at_mut(o - pos);
                let (mine, r) = r.split_at_mut(s.min(r.len()));
                *io.shared.get_mut(pieces).ok_or(Error::TooComplex)? = (pos, gap);
                pieces += 1;
                if k == MAX_OUTPUTS {
                    io.scratch = mine;
                } else {
                    *io.outputs.get_mut(k).ok_or(Error::TooComplex)? = mine;
                }
                pos = o + s;
                rest = r;
            }
            *io.shared.get_mut(pieces).ok_or(Error::TooComplex)? = (pos, rest);
            (reg.eval)(&ctx, &mut io, bytemuck::cast_slice(data))?;
        }
        Ok(())
    }

    fn io_tensor(
        &self,
        list: crate::model::Ints<'a>,
        i: usize,
    ) -> Result<(u32, Tensor<'a>), Error> {
        let bad = Error::BadIndex { index: i };
        if i >= list.len() {
            return Err(bad);
        }
        let t = u32::try_from(list.get(i)).map_err(|_| bad)?;
        Ok((t, self.sg().tensor(t as usize).ok_or(bad)?))
    }

    fn region_of(&self, t: u32) -> Option<(usize, usize)> {
        let words = self.tail_len_words()?;
        TensorTable { words }.region(t)
    }

    fn tail_len_words(&self) -> Option<&[u32]> {
        let tail = self
            .arena
            .get(self.tail_start..self.tail_start + self.tensors * TW * 4)?;
        if tail.is_empty() {
            return Some(&[]);
        }
        bytemuck::try_cast_slice(tail).ok()
    }

    fn bytes_of(&self, t: u32, tensor: &Tensor<'a>) -> Option<&[u8]> {
        let size = tensor.byte_size()?;
        match self.region_of(t) {
            Some((o, _)) => self.arena.get(o..o + size),
            None => tensor.data().and_then(|d| d.get(..size)),
        }
    }

    /// The main subgraph (re-read from the model; keeping it would double the state).
    fn sg(&self) -> SubGraph<'a> {
        self.model.main_subgraph()
    }

    /// Number of graph inputs.
    pub fn input_count(&self) -> usize {
        self.sg().inputs().len()
    }
    /// Number of graph outputs.
    pub fn output_count(&self) -> usize {
        self.sg().outputs().len()
    }

    /// Type, shape and quantization of input `i`.
    ///
    /// # Errors
    /// [`Error::BadIndex`] when `i` is out of range.
    pub fn input_info(&self, i: usize) -> Result<TensorInfo<'a>, Error> {
        Ok(TensorInfo {
            tensor: self.io_tensor(self.sg().inputs(), i)?.1,
        })
    }

    /// Type, shape and quantization of output `i`.
    ///
    /// # Errors
    /// [`Error::BadIndex`] when `i` is out of range.
    pub fn output_info(&self, i: usize) -> Result<TensorInfo<'a>, Error> {
        Ok(TensorInfo {
            tensor: self.io_tensor(self.sg().outputs(), i)?.1,
        })
    }

    /// The raw bytes of input `i`, to fill before [`Interpreter::invoke`].
    ///
    /// # Errors
    /// [`Error::BadIndex`] when `i` is out of range or the input is not in the arena.
    pub fn input_bytes_mut(&mut self, i: usize) -> Result<&mut [u8], Error> {
        let (t, tensor) = self.io_tensor(self.sg().inputs(), i)?;
        let size = tensor.byte_size().ok_or(Error::BadIndex { index: i })?;
        let (o, _) = self.region_of(t).ok_or(Error::BadIndex { index: i })?;
        self.arena
            .get_mut(o..o + size)
            .ok_or(Error::BadIndex { index: i })
    }

    /// Input `i` as a typed slice.
    ///
    /// # Errors
    /// [`Error::BadIndex`] for a bad index, [`Error::WrongType`] when `E` is not its type.
    pub fn input_mut<E: Element>(&mut self, i: usize) -> Result<&mut [E], Error> {
        let ty = self.input_info(i)?.ty();
        if ty != E::TYPE {
            return Err(Error::WrongType {
                expected: E::TYPE as u8,
                actual: ty as u8,
            });
        }
        cast_mut(self.input_bytes_mut(i)?)
    }

    /// Copies `values` into input `i`.
    ///
    /// # Errors
    /// As [`Interpreter::input_mut`], and [`Error::WrongLength`] on a length mismatch.
    pub fn set_input<E: Element>(&mut self, i: usize, values: &[E]) -> Result<(), Error> {
        let dst = self.input_mut::<E>(i)?;
        if dst.len() != values.len() {
            return Err(Error::WrongLength {
                expected: dst.len(),
                actual: values.len(),
            });
        }
        dst.copy_from_slice(values);
        Ok(())
    }

    /// The raw bytes of output `i`.
    ///
    /// # Errors
    /// [`Error::BadIndex`] when `i` is out of range.
    pub fn output_bytes(&self, i: usize) -> Result<&[u8], Error> {
        let (t, tensor) = self.io_tensor(self.sg().outputs(), i)?;
        self.bytes_of(t, &tensor)
            .ok_or(Error::BadIndex { index: i })
    }

    /// Output `i` as a typed slice.
    ///
    /// # Errors
    /// [`Error::BadIndex`] for a bad index, [`Error::WrongType`] when `E` is not its type.
    pub fn output<E: Element>(&self, i: usize) -> Result<&[E], Error> {
        let ty = self.output_info(i)?.ty();
        if ty != E::TYPE {
            return Err(Error::WrongType {
                expected: E::TYPE as u8,
                actual: ty as u8,
            });
        }
        let b = self.output_bytes(i)?;
        if b.is_empty() {
            return Ok(&[]);
        }
        bytemuck::try_cast_slice(b).map_err(|_| Error::ArenaMisaligned)
    }

    /// Zeroes every arena tensor (activations and variable/state tensors), as TFLM's
    /// `Reset()` does for state: the next invoke starts fresh.
    pub fn reset(&mut self) {
        if let Some(h) = self.arena.get_mut(..self.head) {
            h.fill(0);
        }
    }

    /// Bytes of the arena in use: the planned head plus the tables and op data.
    pub fn arena_used_bytes(&self) -> usize {
        self.head + self.tail_len
    }

    /// Bytes of the planned head (tensors and scratch).
    pub fn head_bytes(&self) -> usize {
        self.head
    }

    /// Bytes of bookkeeping and per-op persistent data at the end of the arena.
    pub fn tail_bytes(&self) -> usize {
        self.tail_len
    }

    /// Where tensor `t` of the main subgraph lives, if in the arena.
    pub fn allocation(&self, t: usize) -> Option<Allocation> {
        let words = self.tail_len_words()?;
        let start = t.checked_mul(TW)?;
        let &[offset, size, life, _alias, _next] = words.get(start..start.checked_add(TW)?)? else {
            return None;
        };
        if offset == NONE {
            return None;
        }
        Some(Allocation {
            offset: offset as usize,
            size: align_up(size as usize),
            first_op: life & 0xFFFF,
            last_op: life >> 16,
        })
    }

    /// The model being run.
    pub fn model(&self) -> Model<'a> {
        self.model
    }

    /// Bytes of interpreter state outside the arena (the `Interpreter` value itself).
    pub const fn state_bytes() -> usize {
        core::mem::size_of::<Interpreter<'static>>()
    }
}

/// A 16-byte-aligned arena of `N` bytes, e.g. in a `static` or on the stack.
#[repr(C, align(16))]
pub struct Arena<const N: usize>([u8; N]);

impl<const N: usize> Arena<N> {
    /// A zeroed arena.
    pub const fn new() -> Self {
        Arena([0; N])
    }
    /// The arena as the byte slice [`Interpreter::new`] takes.
    pub fn as_mut_slice(&mut self) -> &mut [u8] {
        &mut self.0
    }
}

impl<const N: usize> Default for Arena<N> {
    fn default() -> Self {
        Self::new()
    }
}
