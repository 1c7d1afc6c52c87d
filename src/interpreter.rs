//! The interpreter: plans a model into a caller's arena, prepares every op, and invokes.
//!
//! Arena layout: planned tensors and scratch from offset 0 (the "head"), and at the end of the
//! caller's slice the bookkeeping tables and per-op persistent data (the "tail"), all as `u32`
//! words. Nothing lives on a heap; the interpreter value itself is a few pointers.

use crate::error::{Error, Malformed};
use crate::model::{Model, SubGraph, Tensor};
use crate::ops::{
    cast_mut, Element, EvalCtx, OpCtx, Operand, PrepareCtx, Registration, MAX_OUTPUTS,
    MAX_PIECES,
};
use crate::planner::{self, align_up, Buffers, ALIGN};
use crate::error::OpName;
use crate::resolver::{lookup, OpResolver};
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
/// Words per op record (one per op, made once by `Interpreter::new`; invoke reads only these):
const OW: usize = 8;
/// The registration's index in the resolver (low 16 bits) and flags (high 16 bits).
const R_REG: usize = 0;
/// Byte offset (from the tail's start) of the op's operands: inputs then outputs, as `i32`s.
const R_OPERANDS: usize = 1;
/// Number of inputs (low 16 bits) and outputs (high 16 bits).
const R_COUNTS: usize = 2;
/// Byte offset (from the tail's start) and length of the op's persistent data.
const R_DATA: usize = 3;
const R_DATA_LEN: usize = 4;
/// The planner's link to the next buffer by offset (scratch is a planned buffer).
const R_NEXT: usize = 5;
/// Offset of the op's scratch in the head, and its size.
const R_SCRATCH: usize = 6;
const R_SCRATCH_LEN: usize = 7;
/// Record flag: the op's output was planned onto its input's bytes, so eval is skipped.
const F_SKIP: u32 = 1 << 16;
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
///
/// It holds no trait object: the kernels are reached through the resolver's registration
/// slice, so an `Interpreter` is `Send` and `Sync` and can live in a `static`
/// (`critical_section::Mutex<RefCell<Option<Interpreter<'static>>>>`).
pub struct Interpreter<'a> {
    model: Model<'a>,
    regs: &'a [Registration],
    arena: &'a mut [u8],
    head: usize,
    /// The tail: op operands and persistent data, then the tensor table and op records.
    tail_start: usize,
    tail_len: usize,
    /// Where the tensor table starts, from `tail_start`.
    tables_at: usize,
    tensors: usize,
    ops: usize,
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
    fn r(&self, op: usize, f: usize) -> u32 {
        self.get(self.op_base(op) + f)
    }
    fn set_r(&mut self, op: usize, f: usize, v: u32) {
        let at = self.op_base(op) + f;
        self.set(at, v);
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
            self.r(i - self.tensors, R_SCRATCH_LEN) as usize
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
            self.r(i - self.tensors, R_SCRATCH)
        };
        (w != NONE).then_some(w as usize)
    }
    fn set_offset(&mut self, i: usize, offset: usize) {
        let at = if i < self.tensors {
            i * TW + T_OFF
        } else {
            self.op_base(i - self.tensors) + R_SCRATCH
        };
        self.set(at, u32::try_from(offset).unwrap_or(NONE));
    }
    fn next(&self, i: usize) -> Option<usize> {
        let w = if i < self.tensors {
            self.t(i, T_NEXT)
        } else {
            self.r(i - self.tensors, R_NEXT)
        };
        (w != NONE).then_some(w as usize)
    }
    fn set_next(&mut self, i: usize, next: Option<usize>) {
        let v = next.and_then(|n| u32::try_from(n).ok()).unwrap_or(NONE);
        if i < self.tensors {
            self.set_t(i, T_NEXT, v);
        } else {
            self.set_r(i - self.tensors, R_NEXT, v);
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

/// Moves `arena[..len]` up to `arena[to..to + len]` in chunks that do not overlap, so that
/// only `memcpy` is linked (`copy_within` brings a 1.5 KB `memmove` into a firmware).
fn move_up(arena: &mut [u8], len: usize, to: usize) -> Result<(), Error> {
    if to == 0 {
        return Ok(());
    }
    let mut end = len;
    while end > 0 {
        let start = end.saturating_sub(to);
        let (low, high) = arena
            .split_at_mut_checked(start + to)
            .ok_or(Error::TooComplex)?;
        let src = low.get(start..end).ok_or(Error::TooComplex)?;
        high.get_mut(..end - start)
            .ok_or(Error::TooComplex)?
            .copy_from_slice(src);
        end = start;
    }
    Ok(())
}

/// Tail bytes of the tensor table and op records.
fn table_bytes(tensors: usize, ops: usize) -> Option<usize> {
    let words = tensors.checked_mul(TW)?.checked_add(ops.checked_mul(OW)?)?;
    let bytes = align_up(words.checked_mul(4)?);
    u32::try_from(bytes).ok()?;
    Some(bytes)
}

/// The registration index for op `i`: the one place ops meet the resolver.
fn resolve(
    model: &Model<'_>,
    op: &crate::model::Operator<'_>,
    regs: &[Registration],
    i: usize,
) -> Result<usize, Error> {
    let index = op.opcode_index() as usize;
    let (builtin, version) = model.builtin_and_version(index);
    let oi = i as u32;
    if builtin == BuiltinOperator::CUSTOM {
        let name = model.operator_code(index).custom_code.unwrap_or("");
        return lookup(regs, builtin, version, Some(name)).ok_or(Error::CustomOp {
            op: oi,
            name: OpName::new(name),
        });
    }
    lookup(regs, builtin, version, None).ok_or(Error::UnsupportedOp {
        op: oi,
        code: builtin.0,
        version,
    })
}

impl<'a> Interpreter<'a> {
    /// Resolves and prepares every op once, plans the arena, and keeps one record per op in
    /// the arena's tail: `invoke` then runs from those records alone.
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
        let regs = resolver.registrations();
        if regs.len() > usize::from(u16::MAX) {
            return Err(Error::TooComplex);
        }
        let sg = model.main_subgraph();
        let (nt, no) = (sg.tensor_count(), sg.operator_count());
        if no > MAX_OPS {
            return Err(Error::TooComplex);
        }
        // Every op must have a kernel before anything is sized.
        for i in 0..no {
            let op = sg.operator(i).ok_or(Error::TooComplex)?;
            resolve(&model, &op, regs, i)?;
        }
        let tables = table_bytes(nt, no).ok_or(Error::TooComplex)?;
        let available = arena.len();
        let top = available & !(ALIGN - 1);
        // Too small even for the tables: the rest is unknown, so report the tables plus the
        // largest single tensor, a lower bound.
        let lower_bound = |staged: usize| {
            let largest = (0..nt)
                .filter_map(|t| sg.tensor(t))
                .filter(|t| t.data().is_none())
                .filter_map(|t| t.byte_size())
                .max()
                .unwrap_or(0);
            Error::ArenaTooSmall {
                needed: tables + align_up(staged) + align_up(largest),
                available,
            }
        };
        if tables > top {
            return Err(lower_bound(0));
        }
        let tables_start = top - tables;
        let mut interp = Interpreter {
            model,
            regs,
            arena,
            head: 0,
            tail_start: tables_start,
            tail_len: tables,
            tables_at: 0,
            tensors: nt,
            ops: no,
        };
        // Prepare stages operands and persistent data from the arena's start; they move to
        // just below the tables once the head is planned.
        let staged = match interp.prepare_all() {
            Err(Error::ArenaTooSmall { needed, .. }) => return Err(lower_bound(needed)),
            r => align_up(r?),
        };
        interp.plan()?;
        let tail_start = tables_start.saturating_sub(staged);
        if interp.head > tail_start || staged > tables_start {
            return Err(Error::ArenaTooSmall {
                needed: interp.head + staged + tables,
                available,
            });
        }
        move_up(interp.arena, staged, tail_start)?;
        interp.tail_start = tail_start;
        interp.tail_len = staged + tables;
        interp.tables_at = staged;
        interp.finish_records()?;
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

    /// The tables (tensor records, then op records) as words; before the move, they sit at
    /// `tail_start`, after it at `tail_start + tables_at`.
    fn tables_mut(&mut self) -> Result<&mut [u32], Error> {
        let from = self.tail_start + self.tables_at;
        let to = self.tail_start + self.tail_len;
        let bytes = self.arena.get_mut(from..to).ok_or(Error::ArenaMisaligned)?;
        cast_mut::<u32>(bytes).map_err(|_| Error::ArenaMisaligned)
    }

    fn tables(&self) -> Option<&[u32]> {
        let from = self.tail_start + self.tables_at;
        let bytes = self.arena.get(from..self.tail_start + self.tail_len)?;
        if bytes.is_empty() {
            return Some(&[]);
        }
        bytemuck::try_cast_slice(bytes).ok()
    }

    /// Resolves and prepares each op once, staging its operands and persistent data from the
    /// arena's start and filling its record. Returns the bytes staged.
    fn prepare_all(&mut self) -> Result<usize, Error> {
        let (model, regs, nt, no) = (self.model, self.regs, self.tensors, self.ops);
        let sg = model.main_subgraph();
        let tables_start = self.tail_start;
        let (staging, rest) = self
            .arena
            .split_at_mut_checked(tables_start)
            .ok_or(Error::TooComplex)?;
        let tables = cast_mut::<u32>(rest.get_mut(..self.tail_len).ok_or(Error::TooComplex)?)
            .map_err(|_| Error::ArenaMisaligned)?;
        tables.fill(NONE);
        let mut tb = Tables {
            words: tables,
            tensors: nt,
            ops: no,
        };
        let mut at = 0usize;
        let room = staging.len();
        for i in 0..no {
            let op = sg.operator(i).ok_or(Error::TooComplex)?;
            let reg_index = resolve(&model, &op, regs, i)?;
            let reg = regs.get(reg_index).ok_or(Error::TooComplex)?;
            let (ins, outs) = (op.inputs(), op.outputs());
            let n = ins.len() + outs.len();
            // Operands, inputs then outputs: the tensor index now, where it lives after
            // planning (`resolve_operands`).
            let end = at + core::mem::size_of::<Operand>() * n;
            let words = staging.get_mut(at..end).ok_or(Error::ArenaTooSmall {
                needed: end,
                available: room,
            })?;
            let operands: &mut [Operand] =
                bytemuck::try_cast_slice_mut(words).map_err(|_| Error::ArenaMisaligned)?;
            for (o, t) in operands.iter_mut().zip(ins.iter().chain(outs.iter())) {
                *o = Operand {
                    at: Operand::ABSENT,
                    len: 0,
                    tensor: t as u32,
                };
            }
            let data_at = align_up(end);
            let ctx = OpCtx::new(&model, sg, op, u32_of(i)?);
            let mut pctx = PrepareCtx::new(ctx, &mut *staging, data_at);
            (reg.prepare)(&mut pctx)?;
            let (data_end, scratch) = pctx.finish();
            let counts = u32_of(ins.len() | (outs.len() << 16))?;
            tb.set_r(i, R_REG, u32_of(reg_index)?);
            tb.set_r(i, R_OPERANDS, u32_of(at)?);
            tb.set_r(i, R_COUNTS, counts);
            tb.set_r(i, R_DATA, u32_of(data_at)?);
            tb.set_r(i, R_DATA_LEN, u32_of(data_end - data_at)?);
            tb.set_r(i, R_SCRATCH_LEN, u32_of(align_up(scratch))?);
            at = align_up(data_end);
        }
        Ok(at)
    }

    /// Once planned: fills in where every operand lives, and flags ops whose output was
    /// planned onto their input's bytes (RESHAPE-like) so that their eval is skipped.
    fn finish_records(&mut self) -> Result<(), Error> {
        let (model, no, nt, tables_at) = (self.model, self.ops, self.tensors, self.tables_at);
        let sg = model.main_subgraph();
        let tail = self
            .arena
            .get_mut(self.tail_start..self.tail_start + self.tail_len)
            .ok_or(Error::ArenaMisaligned)?;
        let (staged, tables) = tail.split_at_mut(tables_at.min(tail.len()));
        let tables = cast_mut::<u32>(tables).map_err(|_| Error::ArenaMisaligned)?;
        let (tensor_words, records) = tables.split_at_mut((nt * TW).min(tables.len()));
        let table = TensorTable {
            words: tensor_words,
        };
        for i in 0..no {
            let rec = records.get_mut(i * OW..(i + 1) * OW).ok_or(Error::TooComplex)?;
            let (Some(&at), Some(&counts)) = (rec.get(R_OPERANDS), rec.get(R_COUNTS)) else {
                return Err(Error::TooComplex);
            };
            let n = ((counts & 0xFFFF) + (counts >> 16)) as usize;
            let at = at as usize;
            let bytes = staged
                .get_mut(at..at + n * core::mem::size_of::<Operand>())
                .ok_or(Error::TooComplex)?;
            let operands: &mut [Operand] =
                bytemuck::try_cast_slice_mut(bytes).map_err(|_| Error::ArenaMisaligned)?;
            for o in operands.iter_mut() {
                let t = o.tensor;
                if let Some((off, len)) = table.region(t) {
                    o.at = u32_of(off)?;
                    o.len = u32_of(len)?;
                } else if let Some((off, len)) = table.constant(t) {
                    o.at = u32_of(off)? | Operand::CONSTANT;
                    o.len = u32_of(len)?;
                    if o.at == Operand::ABSENT {
                        return Err(Error::TooComplex);
                    }
                } else if t != Operand::ABSENT {
                    let tensor = sg.tensor(t as usize).ok_or(Error::TooComplex)?;
                    if tensor.byte_size() != Some(0) {
                        return Err(Error::OperandCount { op: i as u32 });
                    }
                    o.at = 0; // an empty tensor: no bytes anywhere
                }
            }
            let op = sg.operator(i).ok_or(Error::TooComplex)?;
            let code = model.operator_code(op.opcode_index() as usize).builtin;
            let (src, dst) = (op.inputs().get(0), op.outputs().get(0));
            if aliases_input(code)
                && src >= 0
                && dst >= 0
                && table
                    .region(src as u32)
                    .is_some_and(|r| table.region(dst as u32) == Some(r))
            {
                if let Some(r) = rec.get_mut(R_REG) {
                    *r |= F_SKIP;
                }
            }
        }
        Ok(())
    }

    /// Computes lifetimes and sizes, lets RESHAPE-like outputs alias their inputs, then runs
    /// the greedy planner.
    fn plan(&mut self) -> Result<(), Error> {
        let (model, sg) = (self.model, self.sg());
        let (nt, no) = (self.tensors, self.ops);
        let words = self.tables_mut()?;
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
        self.head = align_up(head);
        Ok(())
    }

    /// Runs every op once, in order.
    ///
    /// # Errors
    /// None in practice: prepare has validated everything; errors here mean a kernel
    /// disagreed with its prepare, reported as the op's error.
    pub fn invoke(&mut self) -> Result<(), Error> {
        for i in 0..self.ops {
            self.run_op(i)?;
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
        self.run_op(i)
    }

    /// Runs op `i` from its record: registration index, operands, data and scratch, all
    /// fixed by `new`. No model reads, no resolver lookups.
    fn run_op(&mut self, i: usize) -> Result<(), Error> {
        let (nt, regs, model) = (self.tensors, self.regs, self.model);
        let (head, tail) = self
            .arena
            .split_at_mut_checked(self.tail_start)
            .ok_or(Error::ArenaMisaligned)?;
        let tail: &[u8] = tail.get(..self.tail_len).ok_or(Error::ArenaMisaligned)?;
        let words: &[u32] = match tail.get(self.tables_at..) {
            Some([]) | None => &[],
            Some(b) => bytemuck::try_cast_slice(b).map_err(|_| Error::ArenaMisaligned)?,
        };
        let base = nt * TW + i * OW;
        let Some(&[reg, operands, counts, data, data_len, _next, s_off, s_len]) =
            words.get(base..base + OW)
        else {
            return Err(Error::TooComplex);
        };
        if reg & F_SKIP != 0 {
            return Ok(());
        }
        let reg = regs
            .get((reg & 0xFFFF) as usize)
            .ok_or(Error::TooComplex)?;
        let (n_in, n_out) = ((counts & 0xFFFF) as usize, (counts >> 16) as usize);
        let operands = operands as usize;
        let size = core::mem::size_of::<Operand>();
        let operands: &[Operand] = match tail.get(operands..operands + size * (n_in + n_out)) {
            Some([]) => &[],
            Some(b) => bytemuck::try_cast_slice(b).map_err(|_| Error::ArenaMisaligned)?,
            None => return Err(Error::TooComplex),
        };
        let (inputs, outputs) = operands.split_at(n_in.min(operands.len()));
        let data = tail
            .get(data as usize..(data as usize).saturating_add(data_len as usize))
            .ok_or(Error::TooComplex)?;
        let (s_off, s_len) = (s_off as usize, s_len as usize);
        let count_err = Error::OperandCount { op: i as u32 };
        // Mutable regions: outputs then scratch.
        let mut regions = [(0usize, 0usize, usize::MAX); MAX_OUTPUTS + 1];
        let mut n = 0;
        for (k, o) in outputs.iter().enumerate() {
            // Regions are the tensors' exact bytes, not the aligned reservations.
            if o.at & Operand::CONSTANT != 0 {
                return Err(count_err);
            }
            *regions.get_mut(n).ok_or(Error::TooComplex)? = (o.at as usize, o.len as usize, k);
            n += 1;
        }
        if s_len > 0 && s_off != NONE as usize {
            *regions.get_mut(n).ok_or(Error::TooComplex)? = (s_off, s_len, MAX_OUTPUTS);
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
        let mut ctx = EvalCtx {
            shared: [(0, &[][..]); MAX_PIECES],
            outputs: Default::default(),
            scratch: &mut [],
            inputs,
            model_bytes: model.bytes(),
            op_index: i as u32,
            data,
        };
        let mut rest: &mut [u8] = head;
        let mut pos = 0usize;
        let mut pieces = 0;
        for &(o, s, k) in regions.iter() {
            if o < pos {
                return Err(count_err);
            }
            let cut = (o - pos).min(rest.len());
            let (gap, r) = core::mem::take(&mut rest).split_at_mut(cut);
            let (mine, r) = r.split_at_mut(s.min(r.len()));
            *ctx.shared.get_mut(pieces).ok_or(Error::TooComplex)? = (pos, gap);
            pieces += 1;
            if k == MAX_OUTPUTS {
                ctx.scratch = mine;
            } else {
                *ctx.outputs.get_mut(k).ok_or(Error::TooComplex)? = mine;
            }
            pos = o + s;
            rest = r;
        }
        *ctx.shared.get_mut(pieces).ok_or(Error::TooComplex)? = (pos, rest);
        (reg.eval)(&mut ctx)
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
        let words = self.tensor_words()?;
        TensorTable { words }.region(t)
    }

    fn tensor_words(&self) -> Option<&[u32]> {
        self.tables()?.get(..self.tensors * TW)
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
        let words = self.tensor_words()?;
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
