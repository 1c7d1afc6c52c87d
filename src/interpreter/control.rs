//! Running IF, WHILE and CALL_ONCE: their subgraphs' ops are ordinary op records (after the
//! main subgraph's), and values move between the op's tensors and the subgraph's by copies,
//! as TFLM does. `new` has checked every subgraph index, count, type and size, that no
//! subgraph runs itself and that calls nest at most `MAX_DEPTH` deep.

use super::plan::{enter, leave, op_step, Operator};
use super::records::*;
use super::*;
use crate::ops::control::ControlData;

/// The interpreter code of IF, WHILE and CALL_ONCE.
pub(crate) static HOOKS: Hooks = Hooks {
    control: Some(run),
    layout: Some(lay_out_all),
    variables: None,
    reset: None,
};

/// The time line with called subgraphs: the main subgraph first (each called subgraph inside
/// the op that runs it), then any subgraph nothing runs (TFLM prepares those too). A subgraph
/// run from two places, and what it runs, keeps its tensors and scratch for the whole invoke:
/// its slot on the time line is only one of the times it runs. Returns the steps used.
fn lay_out_all(model: &Model<'_>, tb: &mut Tables<'_>) -> Result<u32, Error> {
    let subs = model.subgraph_count();
    // The subgraph records (only control flow reads them).
    let (mut tbase, mut obase) = (0usize, 0usize);
    for s in 0..subs {
        let sg = model.subgraph(s).ok_or(Error::TooComplex)?;
        let n = sg.operator_count();
        tb.set_s(s, S_OPS, u32_of(obase | n << 16)?);
        tb.set_s(s, S_TENSORS, u32_of(tbase)?);
        tb.set_s(s, S_MARK, 0);
        tbase += sg.tensor_count();
        obase += n;
    }
    let mut step = 0u32;
    for root in 0..subs {
        if tb.s(root, S_MARK) == 0 {
            step = lay_out(model, tb, root, step)?;
        }
    }
    for _ in 0..=MAX_DEPTH {
        for s in 0..subs {
            if tb.s(s, S_MARK) & S_PINNED == 0 {
                continue;
            }
            let sg = model.subgraph(s).ok_or(Error::TooComplex)?;
            for i in 0..sg.operator_count() {
                let op = sg.operator(i).ok_or(Error::TooComplex)?;
                for c in callees(model, &op) {
                    if (c as usize) < subs {
                        let m = tb.s(c as usize, S_MARK);
                        tb.set_s(c as usize, S_MARK, m | S_PINNED);
                    }
                }
            }
        }
    }
    for s in 0..subs {
        if tb.s(s, S_MARK) & S_PINNED == 0 {
            continue;
        }
        let sg = model.subgraph(s).ok_or(Error::TooComplex)?;
        let (ops, base) = (tb.s(s, S_OPS), tb.s(s, S_TENSORS) as usize);
        for t in base..base + sg.tensor_count() {
            if tb.in_arena(t) && tb.t(t, T_FIRST) != NONE {
                tb.touch(t, 0);
                tb.touch(t, step);
            }
        }
        for g in (ops & 0xFFFF)..(ops & 0xFFFF) + (ops >> 16) {
            tb.set_r(g as usize, R_STEP, step << 16);
        }
    }
    Ok(step)
}

/// [`enter`], marking the subgraph as being laid out.
fn enter_marked(model: &Model<'_>, tb: &mut Tables<'_>, s: usize, step: u32) -> Result<(), Error> {
    let mark = tb.s(s, S_MARK);
    tb.set_s(s, S_MARK, mark | S_VISITING);
    let sg = model.subgraph(s).ok_or(Error::TooComplex)?;
    enter(tb, sg, tb.s(s, S_TENSORS) as usize, step)
}

/// Builtin options tags of the control-flow ops.
const IF_OPTIONS: u8 = 92;
const WHILE_OPTIONS: u8 = 93;
const CALL_ONCE_OPTIONS: u8 = 103;

/// The subgraphs an op runs: IF's two branches, WHILE's condition and body, CALL_ONCE's
/// initialization (`NONE` for none). Their indices are checked by the op's prepare.
fn callees(model: &Model<'_>, op: &Operator<'_>) -> [u32; 2] {
    let (code, _) = model.builtin_and_version(op.opcode_index() as usize);
    let (tag, n) = match code {
        BuiltinOperator::IF => (IF_OPTIONS, 2),
        BuiltinOperator::WHILE => (WHILE_OPTIONS, 2),
        BuiltinOperator::CALL_ONCE => (CALL_ONCE_OPTIONS, 1),
        _ => return [NONE; 2],
    };
    let mut out = [NONE; 2];
    if op.builtin_options_type() == tag {
        if let Some(t) = op.builtin_options() {
            for (k, o) in out.iter_mut().enumerate().take(n) {
                *o = t
                    .i32(k as u16, 0)
                    .ok()
                    .and_then(|v| u32::try_from(v).ok())
                    .unwrap_or(NONE);
            }
        }
    }
    out
}

/// One subgraph on the time line's stack: which, its next op, and (while the op at `op` runs
/// its subgraphs) the next of those to lay out.
#[derive(Clone, Copy)]
struct Frame {
    s: usize,
    op: usize,
    callee: usize,
}

/// Lays `root` and every subgraph it runs out on the time line from `step`, each op at its own
/// step and a called subgraph inside its caller's op; marks every tensor's first and last
/// step and checks the graph's data flow. Returns the next free step.
///
/// A subgraph is laid out once, at the first op that runs it; a second caller pins it
/// (`S_PINNED`). Calls nest at most [`MAX_DEPTH`] deep and never recurse: both would give
/// [`Error::BadSubgraph`], so no model makes this or invoke loop or recurse without end.
fn lay_out(
    model: &Model<'_>,
    tb: &mut Tables<'_>,
    root: usize,
    mut step: u32,
) -> Result<u32, Error> {
    let subs = model.subgraph_count();
    let mut stack = [Frame {
        s: root,
        op: 0,
        callee: usize::MAX,
    }; MAX_DEPTH + 1];
    let mut depth = 0usize;
    enter_marked(model, tb, root, step)?;
    loop {
        let Some(&Frame { s, op: i, callee }) = stack.get(depth) else {
            return Err(Error::TooComplex);
        };
        let sg = model.subgraph(s).ok_or(Error::TooComplex)?;
        let ops = tb.s(s, S_OPS);
        let g = ((ops & 0xFFFF) as usize) + i;
        if callee != usize::MAX {
            // Op `i` runs its subgraphs: lay out the next one inside it, or finish the op.
            let op = sg.operator(i).ok_or(Error::TooComplex)?;
            let next = callees(model, &op).get(callee).copied().unwrap_or(NONE);
            if let Some(frame) = stack.get_mut(depth) {
                frame.callee += 1;
            }
            if next != NONE {
                let c = next as usize;
                let bad = Error::BadSubgraph {
                    op: g as u32,
                    subgraph: next,
                };
                if c >= subs {
                    return Err(bad);
                }
                let mark = tb.s(c, S_MARK);
                if mark & S_DONE != 0 {
                    tb.set_s(c, S_MARK, mark | S_PINNED);
                } else if mark & S_VISITING != 0 || depth == MAX_DEPTH {
                    return Err(bad); // it calls itself, or nests too deep
                } else {
                    depth += 1;
                    *stack.get_mut(depth).ok_or(Error::TooComplex)? = Frame {
                        s: c,
                        op: 0,
                        callee: usize::MAX,
                    };
                    enter_marked(model, tb, c, step)?;
                }
                continue;
            }
            if callee < 2 {
                continue;
            }
            // Its operands live through everything it ran.
            let end = step.saturating_sub(1);
            for t in op.inputs().iter().chain(op.outputs().iter()) {
                if let Ok(t) = usize::try_from(t) {
                    let t = tb.s(s, S_TENSORS) as usize + t;
                    if tb.in_arena(t) {
                        tb.touch(t, end);
                    }
                }
            }
            let begin = tb.r(g, R_STEP) & 0xFFFF;
            tb.set_r(g, R_STEP, begin | end << 16);
            if let Some(frame) = stack.get_mut(depth) {
                *frame = Frame {
                    s,
                    op: i + 1,
                    callee: usize::MAX,
                };
            }
            continue;
        }
        if i == (ops >> 16) as usize {
            step = leave(tb, sg, tb.s(s, S_TENSORS) as usize, s, step)?;
            let mark = tb.s(s, S_MARK);
            tb.set_s(s, S_MARK, (mark & !S_VISITING) | S_DONE);
            if depth == 0 {
                return Ok(step);
            }
            depth -= 1;
            continue;
        }
        let op = sg.operator(i).ok_or(Error::TooComplex)?;
        step = op_step(tb, sg, tb.s(s, S_TENSORS) as usize, &op, g, step)?;
        if let Some(frame) = stack.get_mut(depth) {
            let runs = callees(model, &op)[0] != NONE;
            *frame = Frame {
                s,
                op: if runs { i } else { i + 1 },
                callee: if runs { 0 } else { usize::MAX },
            };
        }
    }
}

/// Runs control-flow op `i` (the registrations of IF, WHILE and CALL_ONCE point here).
fn run(interp: &mut Interpreter<'_>, i: usize) -> Result<(), Error> {
    let op = i as u32;
    let rec = interp.record(i)?;
    let code = interp
        .regs
        .get((rec[R_REG] & 0xFFFF) as usize)
        .map(|r| r.code)
        .ok_or(Error::TooComplex)?;
    let (data, counts) = (rec[R_DATA] as usize, rec[R_COUNTS]);
    let [a, b, flag] = interp.control_data(data)?;
    let mine = List::of(data, counts);
    match code {
        BuiltinOperator::CALL_ONCE => {
            if flag == 0 {
                interp.run_subgraph(a)?;
                interp.set_tail_word(data + 8, 1)?;
            }
            Ok(())
        }
        BuiltinOperator::IF => {
            let cond = interp.byte(interp.operand(mine, 0)?)?;
            let branch = if cond != 0 { a } else { b };
            let sub = interp.sub_list(branch)?;
            for k in 1..mine.ins {
                let (from, to) = (interp.operand(mine, k)?, interp.operand(sub, k - 1)?);
                interp.copy(op, from, to)?;
            }
            interp.run_subgraph(branch)?;
            interp.copy_outputs(op, sub, mine)
        }
        BuiltinOperator::WHILE => {
            let (cond, body) = (interp.sub_list(a)?, interp.sub_list(b)?);
            for k in 0..mine.ins {
                let from = interp.operand(mine, k)?;
                interp.copy(op, from, interp.operand(cond, k)?)?;
                interp.copy(op, from, interp.operand(mine, mine.ins + k)?)?;
            }
            let mut iterations = 0u32;
            loop {
                interp.run_subgraph(a)?;
                if interp.byte(interp.operand(cond, cond.ins)?)? == 0 {
                    return Ok(());
                }
                iterations += 1;
                if iterations > interp.loop_limit {
                    return Err(Error::LoopLimit { op });
                }
                for k in 0..mine.outs {
                    let from = interp.operand(mine, mine.ins + k)?;
                    interp.copy(op, from, interp.operand(body, k)?)?;
                }
                interp.run_subgraph(b)?;
                interp.copy_outputs(op, body, mine)?;
                for k in 0..mine.outs {
                    let from = interp.operand(mine, mine.ins + k)?;
                    interp.copy(op, from, interp.operand(cond, k)?)?;
                }
            }
        }
        _ => Err(Error::OperandCount { op }),
    }
}

/// Inputs then outputs: an op's operands staged in the tail (ending at `end`), or a
/// subgraph's (`sub`; its tensors' places come from the tensor table).
#[derive(Clone, Copy)]
struct List {
    end: usize,
    ins: usize,
    outs: usize,
    sub: u32,
}

impl List {
    fn of(end: usize, counts: u32) -> Self {
        List {
            end,
            ins: (counts & 0xFFFF) as usize,
            outs: (counts >> 16) as usize,
            sub: NONE,
        }
    }
}

impl Interpreter<'_> {
    /// Op `i`'s record.
    pub(super) fn record(&self, i: usize) -> Result<[u32; OW], Error> {
        let base = self.tensors * TW + i * OW;
        self.tables()
            .and_then(|w| w.get(base..base + OW))
            .and_then(|w| <[u32; OW]>::try_from(w).ok())
            .ok_or(Error::TooComplex)
    }

    /// Subgraph `s`'s record.
    fn sub_record(&self, s: u32) -> Result<[u32; SW], Error> {
        let base = self.tensors * TW + self.all_ops * OW + (s as usize) * SW;
        self.tables()
            .and_then(|w| w.get(base..base + SW))
            .and_then(|w| <[u32; SW]>::try_from(w).ok())
            .ok_or(Error::TooComplex)
    }

    /// Subgraph `s`'s inputs and outputs.
    fn sub_list(&self, s: u32) -> Result<List, Error> {
        let sg = self.model.subgraph(s as usize).ok_or(Error::TooComplex)?;
        Ok(List {
            end: 0,
            ins: sg.inputs().len(),
            outs: sg.outputs().len(),
            sub: s,
        })
    }

    /// Runs every op of subgraph `s` once, in order.
    fn run_subgraph(&mut self, s: u32) -> Result<(), Error> {
        let ops = self.sub_record(s)?[S_OPS];
        let first = (ops & 0xFFFF) as usize;
        for g in first..first + (ops >> 16) as usize {
            self.run_op(g)?;
        }
        Ok(())
    }

    /// A control-flow op's data, at byte `at` of the tail.
    fn control_data(&self, at: usize) -> Result<ControlData, Error> {
        let from = self.tail_start + at;
        let n = core::mem::size_of::<ControlData>();
        let bytes = self.arena.get(from..from + n).ok_or(Error::TooComplex)?;
        bytemuck::try_pod_read_unaligned(bytes).map_err(|_| Error::TooComplex)
    }

    fn set_tail_word(&mut self, at: usize, v: u32) -> Result<(), Error> {
        let from = self.tail_start + at;
        self.arena
            .get_mut(from..from + 4)
            .ok_or(Error::TooComplex)?
            .copy_from_slice(&v.to_ne_bytes());
        Ok(())
    }

    /// Operand `k` of `list`.
    fn operand(&self, list: List, k: usize) -> Result<Operand, Error> {
        if list.sub != NONE {
            let sg = self
                .model
                .subgraph(list.sub as usize)
                .ok_or(Error::TooComplex)?;
            let t = match k.checked_sub(list.ins) {
                None => sg.inputs().get(k),
                Some(j) => sg.outputs().get(j),
            };
            let base = self.sub_record(list.sub)?[S_TENSORS];
            let t = u32::try_from(t).map_err(|_| Error::TooComplex)? + base;
            let words = self.tensor_words().ok_or(Error::TooComplex)?;
            let table = TensorTable { words };
            return match (table.region(t), table.constant(t)) {
                (Some((at, len)), _) => Ok(Operand {
                    at: at as u32,
                    len: len as u32,
                }),
                (None, Some((at, len))) => Ok(Operand {
                    at: at as u32 | Operand::CONSTANT,
                    len: len as u32,
                }),
                _ => Err(Error::TooComplex),
            };
        }
        let size = core::mem::size_of::<Operand>();
        let at = (self.tail_start + list.end)
            .checked_sub(size * (list.ins + list.outs - k))
            .ok_or(Error::TooComplex)?;
        let bytes = self.arena.get(at..at + size).ok_or(Error::TooComplex)?;
        bytemuck::try_pod_read_unaligned(bytes).map_err(|_| Error::TooComplex)
    }

    /// The bytes an operand names: in the arena's head, or constant data in the model.
    fn operand_bytes(&self, o: Operand) -> Option<&[u8]> {
        let (at, len) = (
            (o.at & !(Operand::CONSTANT | Operand::STATE)) as usize,
            o.len as usize,
        );
        if o.at == Operand::ABSENT {
            None
        } else if o.at & Operand::CONSTANT != 0 {
            self.model.bytes().get(at..at.checked_add(len)?)
        } else {
            self.arena
                .get(..self.tail_start)?
                .get(at..at.checked_add(len)?)
        }
    }

    /// The first byte of a bool operand (a condition).
    fn byte(&self, o: Operand) -> Result<u8, Error> {
        self.operand_bytes(o)
            .and_then(|b| b.first().copied())
            .ok_or(Error::TooComplex)
    }

    /// Copies operand `from` into arena operand `to` (nothing when they are the same bytes).
    fn copy(&mut self, op: u32, from: Operand, to: Operand) -> Result<(), Error> {
        let bad = Error::OperandCount { op };
        if to.at == Operand::ABSENT || to.at & Operand::CONSTANT != 0 || from.len != to.len {
            return Err(bad);
        }
        let (dst, len) = ((to.at & !Operand::STATE) as usize, to.len as usize);
        let head = self.arena.get_mut(..self.tail_start).ok_or(bad)?;
        if from.at & Operand::CONSTANT != 0 && from.at != Operand::ABSENT {
            let src = (from.at & !Operand::CONSTANT) as usize;
            let bytes = self.model.bytes().get(src..src + len).ok_or(bad)?;
            head.get_mut(dst..dst + len)
                .ok_or(bad)?
                .copy_from_slice(bytes);
            return Ok(());
        }
        if from.at == Operand::ABSENT {
            return Err(bad);
        }
        let src = (from.at & !Operand::STATE) as usize;
        if src == dst || len == 0 {
            return Ok(());
        }
        // Distinct live tensors never overlap; split between them to copy without memmove.
        let (lo, hi, up) = if src < dst {
            (src, dst, true)
        } else {
            (dst, src, false)
        };
        if lo + len > hi {
            return Err(bad);
        }
        let (low, high) = head.split_at_mut_checked(hi).ok_or(bad)?;
        let (a, b) = (
            low.get_mut(lo..lo + len).ok_or(bad)?,
            high.get_mut(..len).ok_or(bad)?,
        );
        if up {
            b.copy_from_slice(a);
        } else {
            a.copy_from_slice(b);
        }
        Ok(())
    }

    /// Copies subgraph list `sub`'s outputs to the op's (`mine`) outputs.
    fn copy_outputs(&mut self, op: u32, sub: List, mine: List) -> Result<(), Error> {
        for k in 0..mine.outs {
            let from = self.operand(sub, sub.ins + k)?;
            let to = self.operand(mine, mine.ins + k)?;
            self.copy(op, from, to)?;
        }
        Ok(())
    }
}
