//! The interpreter: plans a model into a caller's arena, prepares every op once, and invokes.
//!
//! Arena layout: planned tensors and scratch from offset 0 (the "head"), and at the end of the
//! caller's slice the tail: each op's operands and persistent data, then the tensor table and
//! op records (`records`). Nothing lives on a heap; the interpreter value is a few pointers.
//!
//! - [`records`]: the tail's tables; [`plan`]: lifetimes and the greedy plan;
//! - [`exec`]: `invoke`, a loop over op records; [`io`]: graph inputs and outputs.

mod check;
pub(crate) mod control;
mod exec;
mod io;
mod plan;
mod records;
pub(crate) mod variables;

use crate::error::{Error, Malformed, OpName};
use crate::model::{Model, SubGraph, Tensor};
use crate::ops::{
    cast_mut, Element, EvalCtx, OpCtx, Operand, PrepareCtx, Registration, MAX_OUTPUTS, MAX_PIECES,
    MAX_STATES,
};
use crate::planner::{self, align_up, Buffers, ALIGN};
use crate::resolver::{lookup, OpResolver};
use crate::schema::{BuiltinOperator, TensorType};

pub use check::{check_model, Blocker};
pub use io::{QuantParams, TensorInfo};
pub(crate) use records::TensorTable;
use records::*;

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
    /// Tensors of every subgraph (subgraph `s`'s tensor `t` is global tensor `base(s) + t`;
    /// the main subgraph's come first, so its indices are the model's).
    tensors: usize,
    /// Operators of the main subgraph (the global ops `0..ops`).
    ops: usize,
    /// Operators of every subgraph, numbered as the tensors are.
    all_ops: usize,
    /// Subgraphs in the model.
    subgraphs: usize,
    /// Most iterations one WHILE may run per invoke ([`Interpreter::set_loop_limit`]).
    loop_limit: u32,
}

/// Interpreter code that only some ops need, reached through their registrations
/// ([`Registration::hooks`](crate::ops::Registration)) so that a firmware links it only when it
/// registers one of them: running control flow, laying out called subgraphs, resource
/// variables.
pub(crate) struct Hooks {
    /// Runs the op (IF, WHILE, CALL_ONCE), given its global index.
    pub(crate) control: Option<ControlFn>,
    /// Lays out the time line with called subgraphs inside their callers; returns its length.
    pub(crate) layout: Option<LayoutFn>,
    /// Places resource variables once the time line (of the given length) is laid out.
    pub(crate) variables: Option<VariablesFn>,
    /// Returns resource variables to their defaults (part of `reset`).
    pub(crate) reset: Option<fn(&mut Interpreter<'_>)>,
}

type ControlFn = fn(&mut Interpreter<'_>, usize) -> Result<(), Error>;
type LayoutFn = fn(&Model<'_>, &mut Tables<'_>) -> Result<u32, Error>;
type VariablesFn = fn(&Model<'_>, &mut Tables<'_>, u32) -> Result<(), Error>;

/// Iterations one WHILE op may run per invoke unless [`Interpreter::set_loop_limit`] says
/// otherwise: a model whose loop never ends gets [`Error::LoopLimit`], not a hang.
pub const DEFAULT_LOOP_LIMIT: u32 = 1 << 16;

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

/// Tail bytes of the tensor table, op records and subgraph records.
fn table_bytes(tensors: usize, ops: usize, subgraphs: usize) -> Option<usize> {
    let words = tensors
        .checked_mul(TW)?
        .checked_add(ops.checked_mul(OW)?)?
        .checked_add(subgraphs.checked_mul(SW)?)?;
    let bytes = align_up(words.checked_mul(4)?);
    u32::try_from(bytes).ok()?;
    Some(bytes)
}

/// Stages operands for the tensors `ins` then `outs` of a subgraph whose tensors start at global index
/// `base`: 8-aligned from `at`, each holding the global tensor index until `finish_records`
/// puts where it lives. Returns where they start and end.
fn stage(
    staging: &mut [u8],
    at: usize,
    ins: crate::model::Ints<'_>,
    outs: crate::model::Ints<'_>,
    base: usize,
    sg: &SubGraph<'_>,
    sparse_refused: Option<u32>,
) -> Result<(usize, usize), Error> {
    let ops_at = at.next_multiple_of(8);
    let end = ops_at + core::mem::size_of::<Operand>() * (ins.len() + outs.len());
    let available = staging.len();
    let words = staging.get_mut(ops_at..end).ok_or(Error::ArenaTooSmall {
        needed: end,
        available,
    })?;
    let operands: &mut [Operand] =
        bytemuck::try_cast_slice_mut(words).map_err(|_| Error::ArenaMisaligned)?;
    let n_in = ins.len();
    for (k, o) in operands.iter_mut().enumerate() {
        let t = if k < n_in {
            ins.get(k)
        } else {
            outs.get(k - n_in)
        };
        // Only DENSIFY may read a sparse constant (it holds fewer values than its shape).
        if let Some(op) = sparse_refused {
            if k < n_in && sg.tensor(t as usize).is_some_and(|x| x.is_sparse()) {
                return Err(Error::SparseInput {
                    op,
                    tensor: t as u32,
                });
            }
        }
        *o = Operand {
            // A global index: below the table's size, which fits in a `u32` (`table_bytes`).
            at: match usize::try_from(t) {
                Ok(t) => (base + t) as u32,
                Err(_) => Operand::ABSENT,
            },
            len: 0,
        };
    }
    Ok((ops_at, end))
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
        let name = model.custom_code_bytes(index);
        return lookup(regs, builtin, version, Some(name)).ok_or(Error::CustomOp {
            op: u16::try_from(i).map_err(|_| Error::TooComplex)?,
            name: OpName::from_bytes(name),
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
        let subgraphs = model.subgraph_count();
        if subgraphs > MAX_SUBGRAPHS {
            return Err(Error::TooComplex);
        }
        let (mut nt, mut all) = (0usize, 0usize);
        for s in 0..subgraphs {
            let g = model.subgraph(s).ok_or(Error::TooComplex)?;
            nt = nt.checked_add(g.tensor_count()).ok_or(Error::TooComplex)?;
            all += g.operator_count();
            if all > MAX_OPS {
                return Err(Error::TooComplex);
            }
        }
        let mut interp = Interpreter {
            model,
            regs,
            arena,
            head: 0,
            tail_start: 0,
            tail_len: 0,
            tables_at: 0,
            tensors: nt,
            ops: sg.operator_count(),
            all_ops: all,
            subgraphs,
            loop_limit: DEFAULT_LOOP_LIMIT,
        };
        // Every op of every subgraph must have a kernel before anything is sized (TFLM
        // prepares every subgraph too): the prepare walk, resolving only.
        interp.prepare_all(false)?;
        let tables = table_bytes(nt, all, subgraphs).ok_or(Error::TooComplex)?;
        let available = interp.arena.len();
        let top = available & !(ALIGN - 1);
        // Too small even for the tables: the rest is unknown, so report the tables plus the
        // largest single tensor, a lower bound.
        let lower_bound = |staged: usize| {
            let mut largest = 0;
            for t in 0..sg.tensor_count() {
                if let Some(t) = sg.tensor(t).filter(|t| t.data().is_none()) {
                    largest = largest.max(t.byte_size().unwrap_or(0));
                }
            }
            Error::ArenaTooSmall {
                needed: tables + align_up(staged) + align_up(largest),
                available,
            }
        };
        if tables > top {
            return Err(lower_bound(0));
        }
        let tables_start = top - tables;
        interp.tail_start = tables_start;
        interp.tail_len = tables;
        // Prepare stages operands and persistent data from the arena's start; they move to
        // just below the tables once the head is planned.
        let staged = match interp.prepare_all(true) {
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
        // Tensors and scratch start from zero, variable tensors from their zero point, as
        // TFLM's `AllocateTensors` ends with a reset.
        interp.reset();
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

    /// The tables (tensor records, op records, subgraph records) as words; before the move
    /// they sit at `tail_start`, after it at `tail_start + tables_at`.
    pub(super) fn tables(&self) -> Option<&[u32]> {
        let from = self.tail_start + self.tables_at;
        let bytes = self.arena.get(from..self.tail_start + self.tail_len)?;
        if bytes.is_empty() {
            return Some(&[]);
        }
        bytemuck::try_cast_slice(bytes).ok()
    }

    /// Resolves and prepares each op of every subgraph once, staging its operands and
    /// persistent data from the arena's start and filling its record.
    /// Returns the bytes staged. Without `prepare` (before the tables are placed), only
    /// resolves every op.
    fn prepare_all(&mut self, prepare: bool) -> Result<usize, Error> {
        let (model, regs, nt, no) = (self.model, self.regs, self.tensors, self.all_ops);
        let tables_start = self.tail_start;
        let (staging, rest) = self
            .arena
            .split_at_mut_checked(tables_start)
            .ok_or(Error::TooComplex)?;

        let tables = cast_mut::<u32>(rest.get_mut(..self.tail_len).ok_or(Error::TooComplex)?)
            .map_err(|_| Error::ArenaMisaligned)?;
        crate::fill_bytes(bytemuck::cast_slice_mut(tables), 0xFF); // every word NONE
        let mut tb = Tables {
            words: tables,
            tensors: nt,
            ops: no,
        };
        let mut at = 0usize;
        let (mut tbase, mut obase) = (0usize, 0usize);
        for s in 0..self.subgraphs {
            let sg = model.subgraph(s).ok_or(Error::TooComplex)?;
            let n = sg.operator_count();
            for i in 0..n {
                let g = obase + i;
                let op = sg.operator(i).ok_or(Error::TooComplex)?;
                let reg_index = resolve(&model, &op, regs, g)?;
                let reg = regs.get(reg_index).ok_or(Error::TooComplex)?;
                if !prepare {
                    continue;
                }
                let (ins, outs) = (op.inputs(), op.outputs());
                let dense = reg.code != BuiltinOperator::DENSIFY;
                let (ops_at, data_at) = stage(
                    staging,
                    at,
                    ins,
                    outs,
                    tbase,
                    &sg,
                    dense.then_some(g as u32),
                )?;
                // `g` is below MAX_OPS, `reg_index` below `u16::MAX` (checked by `new`), the
                // counts below MAX_OPERANDS (the reader), so these casts are exact.
                let ctx = OpCtx::new(&model, sg, op, g as u32);
                let mut pctx = PrepareCtx::new(ctx, &mut *staging, ops_at, data_at);
                (reg.prepare)(&mut pctx)?;
                let (data_end, scratch, scratch_want, has_state) = pctx.finish();
                let counts = (ins.len() | (outs.len() << 16)) as u32;
                // The scratch it would like rides in the record's spare bits until planned.
                let want = align_up(scratch_want.max(scratch)) / ALIGN;
                let want = (want.min(WANT_MAX) as u32) << WANT_SHIFT;
                let state = if has_state { F_STATE } else { 0 };
                tb.set_r(g, R_REG, reg_index as u32 | want | state);
                tb.set_r(g, R_COUNTS, counts);
                // The data ends below `NONE`, so its start and length are below it too.
                u32_of(data_end)?;
                tb.set_r(g, R_DATA, data_at as u32);
                tb.set_r(g, R_DATA_LEN, (data_end - data_at) as u32);
                tb.set_r(g, R_SCRATCH_LEN, u32_of(align_up(scratch))?);
                at = data_end;
            }
            tbase += sg.tensor_count();
            obase += n;
        }
        Ok(align_up(at))
    }

    /// Once planned: fills in where every operand lives (ops whose output was planned onto
    /// their input's bytes, RESHAPE-like, were flagged by the plan so that their eval is
    /// skipped).
    fn finish_records(&mut self) -> Result<(), Error> {
        let (no, nt) = (self.all_ops, self.tensors);
        let tables_at = self.tables_at;
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
            let rec = records
                .get_mut(i * OW..(i + 1) * OW)
                .ok_or(Error::TooComplex)?;
            let (Some(&data), Some(&counts)) = (rec.get(R_DATA), rec.get(R_COUNTS)) else {
                return Err(Error::TooComplex);
            };
            let n = ((counts & 0xFFFF) + (counts >> 16)) as usize;
            let operands = staged_operands(staged, data as usize, n)?;
            resolve_operands(&table, operands, i as u32)?;
            let stateless = !cfg!(feature = "small")
                && operands.iter().all(|o| {
                    o.at == Operand::ABSENT
                        || o.at & (Operand::CONSTANT | Operand::STATE) != Operand::STATE
                });
            if let Some(reg) = rec.get_mut(R_REG) {
                if counts >> 16 == 1 && stateless && *reg & F_STATE == 0 {
                    *reg |= F_PLAIN;
                }
            }
        }
        Ok(())
    }
}

/// The `n` operands staged just before `end` in the tail.
fn staged_operands(staged: &mut [u8], end: usize, n: usize) -> Result<&mut [Operand], Error> {
    let size = n * core::mem::size_of::<Operand>();
    let at = end.checked_sub(size).ok_or(Error::TooComplex)?;
    let bytes = staged.get_mut(at..end).ok_or(Error::TooComplex)?;
    bytemuck::try_cast_slice_mut(bytes).map_err(|_| Error::ArenaMisaligned)
}

/// Turns staged operands (global tensor indices) into where each lives: an arena region
/// (flagged [`Operand::STATE`] when the op declared it state), constant data in the model,
/// or nothing for an empty tensor. `op` names the op in errors.
fn resolve_operands(
    table: &TensorTable<'_>,
    operands: &mut [Operand],
    op: u32,
) -> Result<(), Error> {
    for o in operands.iter_mut() {
        let t = o.at; // the tensor index until now
        let state = o.len == Operand::STATE_MARK;
        // Both tables hold `u32` words other than `NONE`, so the casts are exact.
        if let Some((off, len)) = table.region(t) {
            o.at = off as u32;
            o.len = len as u32;
            if state {
                // Written in place by the op: flagged so eval hands it out mutably.
                if o.at & (Operand::STATE | Operand::CONSTANT) != 0 {
                    return Err(Error::TooComplex);
                }
                o.at |= Operand::STATE;
            }
        } else if state {
            return Err(Error::NotVariable { op, tensor: t });
        } else if let Some((off, len)) = table.constant(t) {
            o.at = off as u32 | Operand::CONSTANT;
            o.len = len as u32;
            if o.at == Operand::ABSENT {
                return Err(Error::TooComplex);
            }
        } else if t != Operand::ABSENT {
            // Every other operand is planned (empty tensors at an empty region) or constant.
            return Err(Error::OperandCount { op });
        }
    }
    Ok(())
}

/// A 16-byte-aligned arena of `N` bytes, e.g. in a `static` or on the stack.
///
/// Size it with `microlite plan MODEL` (or [`Interpreter::arena_size`] on the host, or
/// `microlite-build`'s `MODEL_ARENA_BYTES` at build time). On the stack or in a local:
///
/// ```
/// use microlite::{Arena, Interpreter, Model, MutableOpResolver};
/// # #[repr(C, align(16))] struct A<T: ?Sized>(T);
/// # static MODEL: &A<[u8]> = &A(*include_bytes!("../../tests/conformance/fc_relu_int8/model.tflite"));
/// let mut arena = Arena::<4096>::new();
/// let mut resolver = MutableOpResolver::<1>::new();
/// resolver.add_fully_connected()?;
/// let model = Model::from_bytes(&MODEL.0)?;
/// let interp = Interpreter::new(model, &resolver, arena.as_mut_slice())?;
/// assert!(interp.arena_used_bytes() <= 4096);
/// # Ok::<(), microlite::Error>(())
/// ```
///
/// In a firmware it usually lives in a `static` handed out once, so that the interpreter is
/// `Interpreter<'static>` and can sit in a `static` itself, or be owned by a task or an
/// interrupt handler. `new` is a `const fn`, so the arena is zero-initialised `.bss` and never
/// copied through the stack; `static_cell::ConstStaticCell` hands out the `&'static mut` once
/// without `unsafe` (`cortex_m::singleton!` works too):
///
/// ```
/// use microlite::{Arena, Interpreter, Model, MutableOpResolver};
/// use static_cell::{ConstStaticCell, StaticCell};
/// # #[repr(C, align(16))] struct A<T: ?Sized>(T);
/// # static MODEL: &A<[u8]> = &A(*include_bytes!("../../tests/conformance/fc_relu_int8/model.tflite"));
/// static ARENA: ConstStaticCell<Arena<2048>> = ConstStaticCell::new(Arena::new());
/// static OPS: StaticCell<MutableOpResolver<1>> = StaticCell::new();
///
/// fn interpreter() -> Result<Interpreter<'static>, microlite::Error> {
///     let ops = OPS.init(MutableOpResolver::new());
///     ops.add_fully_connected()?;
///     let model = Model::from_bytes(&MODEL.0)?;
///     Interpreter::new(model, ops, ARENA.take().as_mut_slice())
/// }
/// let mut interp = interpreter()?;
/// interp.invoke()?;
/// # Ok::<(), microlite::Error>(())
/// ```
///
/// `examples/boards` has this in firmware: an Embassy task and a SysTick handler owning
/// `Interpreter<'static>`.
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
