//! The tail's tables: one record per tensor and one per op, as `u32` words, and the
//! planner's view of them. `Interpreter::new` fills them once; invoke reads only op records.

use super::*;

/// Words per tensor record: offset, size, lifetime (first and last op as two `u16`s), alias,
/// and the planner's link to the next buffer by offset.
pub(super) const TW: usize = 5;
/// Fields of a tensor record (`T_FIRST` and `T_LAST` are the halves of word 2).
pub(super) const T_OFF: usize = 0;
pub(super) const T_SIZE: usize = 1;
pub(super) const T_FIRST: usize = 2;
pub(super) const T_LAST: usize = 5;
/// The tensor whose memory this one shares (a RESHAPE-like op's output), or `NONE`; for a
/// variable tensor (SVDF, LSTM state), `VARIABLE` with the byte a reset fills it with in the
/// low 8 bits (kept after planning: `Interpreter::reset` walks the table for them).
pub(super) const T_ALIAS: usize = 3;
/// A variable tensor's T_ALIAS, with its reset byte in bits 0-7 (above any tensor index).
pub(super) const VARIABLE: u32 = 0xFFFF_FD00;
/// The planner's "next placed buffer by offset" link (op records use their data-offset word,
/// which is only filled in after planning).
pub(super) const T_NEXT: usize = 4;
/// The record word holding field `f`.
pub(super) const fn word_of(f: usize) -> usize {
    if f == T_LAST {
        T_FIRST
    } else {
        f
    }
}
/// Most ops a model may have: lifetimes are stored as `u16`, with `u16::MAX` for "not yet".
pub(super) const MAX_OPS: usize = u16::MAX as usize - 1;
/// Most subgraphs a model may have.
pub(super) const MAX_SUBGRAPHS: usize = 1 << 12;
/// Deepest nesting of subgraph calls (IF / WHILE / CALL_ONCE in a subgraph another one calls):
/// bounds the interpreter's recursion at invoke.
pub(super) const MAX_DEPTH: usize = 4;
/// Words per op record (one per op of every subgraph, made once by `Interpreter::new`; invoke
/// reads only these):
pub(super) const OW: usize = 8;
/// The registration's index in the resolver (bits 0-15), the skip flag (bit 16), the op-state
/// flag (bit 17) and, until the plan is made, the scratch the op would like in 16-byte units
/// (bits 18-31).
pub(super) const R_REG: usize = 0;
/// Where the wanted scratch sits in `R_REG`, and its largest value (in 16-byte units).
pub(super) const WANT_SHIFT: u32 = 18;
pub(super) const WANT_MAX: usize = (1 << 14) - 1;
/// Number of inputs (low 16 bits) and outputs (high 16 bits).
pub(super) const R_COUNTS: usize = 1;
/// Byte offset (from the tail's start) and length of the op's persistent data. Its operands
/// (inputs then outputs, one [`Operand`] each) sit just before the data.
pub(super) const R_DATA: usize = 2;
pub(super) const R_DATA_LEN: usize = 3;
/// The planner's link to the next buffer by offset (scratch is a planned buffer).
pub(super) const R_NEXT: usize = 4;
/// Offset of the op's scratch in the head, and its size.
pub(super) const R_SCRATCH: usize = 5;
pub(super) const R_SCRATCH_LEN: usize = 6;
/// The op's place on the plan's time line: its first step (low 16 bits) and last (high 16
/// bits; later than the first for IF / WHILE / CALL_ONCE, whose subgraphs run inside them).
pub(super) const R_STEP: usize = 7;
/// Words per subgraph record (after the op records; filled by the control-flow layout, the
/// only reader):
pub(super) const SW: usize = 3;
/// Its first op's global index (low 16 bits) and its op count (high 16 bits).
pub(super) const S_OPS: usize = 0;
/// Its first tensor's global index.
pub(super) const S_TENSORS: usize = 1;
/// While planning: how far the time line has visited it (`S_VISITING`, `S_DONE`) and whether
/// it runs at more than one place (`S_PINNED`).
pub(super) const S_MARK: usize = 2;
pub(super) const S_VISITING: u32 = 1;
pub(super) const S_DONE: u32 = 2;
pub(super) const S_PINNED: u32 = 4;
/// Record flag: the op's output was planned onto its input's bytes, so eval is skipped.
pub(super) const F_SKIP: u32 = 1 << 16;
/// Record flag: the op's persistent data ends with op state ([`crate::PrepareCtx::persist_state`])
/// and its two-word footer; `Interpreter::reset` zeroes that state.
pub(super) const F_STATE: u32 = 1 << 17;
/// Record flag (set by `finish_records`, after the plan has cleared the wanted scratch): one
/// output, no state input and no op state, so eval's arena pieces are the output's and the
/// scratch's neighbours ([`crate::interpreter::Interpreter::run_op`]'s short path).
pub(super) const F_PLAIN: u32 = 1 << 18;
/// Marks "not in the arena" / "not yet".
pub(super) const NONE: u32 = u32::MAX;

/// A read-only view of the tensor records.
#[derive(Clone, Copy)]
pub(crate) struct TensorTable<'b> {
    pub(super) words: &'b [u32],
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

/// The planner's view of the tables: tensors first, then one scratch buffer per op (the
/// subgraph records follow the op records and are not buffers).
pub(crate) struct Tables<'w> {
    pub(super) words: &'w mut [u32],
    pub(super) tensors: usize,
    pub(super) ops: usize,
}

impl Tables<'_> {
    pub(super) fn get(&self, i: usize) -> u32 {
        self.words.get(i).copied().unwrap_or(NONE)
    }
    pub(super) fn set(&mut self, i: usize, v: u32) {
        if let Some(w) = self.words.get_mut(i) {
            *w = v;
        }
    }
    /// Field `f` of tensor `t`'s record (`NONE` when unset).
    #[inline(never)]
    pub(super) fn t(&self, t: usize, f: usize) -> u32 {
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
    #[inline(never)]
    pub(super) fn set_t(&mut self, t: usize, f: usize, v: u32) {
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
    pub(super) fn op_base(&self, op: usize) -> usize {
        self.tensors * TW + op * OW
    }
    #[inline(never)]
    pub(super) fn r(&self, op: usize, f: usize) -> u32 {
        self.get(self.op_base(op) + f)
    }
    #[inline(never)]
    pub(super) fn set_r(&mut self, op: usize, f: usize, v: u32) {
        let at = self.op_base(op) + f;
        self.set(at, v);
    }
    /// Field `f` of subgraph `s`'s record.
    pub(super) fn s(&self, s: usize, f: usize) -> u32 {
        self.get(self.op_base(self.ops) + s * SW + f)
    }
    pub(super) fn set_s(&mut self, s: usize, f: usize, v: u32) {
        let at = self.op_base(self.ops) + s * SW + f;
        self.set(at, v);
    }
    /// Whether tensor `t` lives in the arena (it has no constant data).
    #[inline(never)]
    pub(super) fn in_arena(&self, t: usize) -> bool {
        self.t(t, T_SIZE) != NONE
    }
    /// Widens tensor `t`'s lifetime to include op `at`.
    #[inline(never)]
    pub(super) fn touch(&mut self, t: usize, at: u32) {
        if self.t(t, T_FIRST) == NONE || at < self.t(t, T_FIRST) {
            self.set_t(t, T_FIRST, at);
        }
        if self.t(t, T_LAST) == NONE || at > self.t(t, T_LAST) {
            self.set_t(t, T_LAST, at);
        }
    }
    /// The tensor owning `t`'s memory (itself unless aliased).
    pub(super) fn root(&self, mut t: usize) -> usize {
        for _ in 0..self.tensors {
            match self.t(t, T_ALIAS) {
                r if r >= VARIABLE => break,
                r => t = r as usize,
            }
        }
        t
    }
    /// Whether tensor `t` is a variable tensor (marked while sizing).
    pub(super) fn variable(&self, t: usize) -> bool {
        self.t(t, T_ALIAS) >> 8 == VARIABLE >> 8
    }
}

impl Buffers for Tables<'_> {
    fn count(&self) -> usize {
        self.tensors + self.ops
    }
    fn size(&self, i: usize) -> usize {
        if i < self.tensors {
            if self.t(i, T_FIRST) == NONE || self.t(i, T_ALIAS) < VARIABLE {
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
            let step = self.r(i - self.tensors, R_STEP);
            (step & 0xFFFF, step >> 16)
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
