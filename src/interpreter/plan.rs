//! Planning: a time line over every subgraph (a called subgraph runs inside its caller's
//! step), tensor lifetimes on it, resource variables, RESHAPE-like aliasing, then the greedy
//! planner over tensors and op scratch.

use super::records::*;
use super::*;
use crate::model::Operator;

/// Ops whose output is input 0's bytes under another shape: the planner lets them share memory.
pub(super) fn aliases_input(code: BuiltinOperator) -> bool {
    matches!(
        code,
        BuiltinOperator::RESHAPE | BuiltinOperator::SQUEEZE | BuiltinOperator::EXPAND_DIMS
    )
}

/// Builtin options tags of the control-flow ops.
const IF_OPTIONS: u8 = 92;
const WHILE_OPTIONS: u8 = 93;
const CALL_ONCE_OPTIONS: u8 = 103;
/// VAR_HANDLE's options tag.
pub(super) const VAR_HANDLE_OPTIONS: u8 = 111;
/// Most distinct resource variables a model may have.
const MAX_VARIABLES: usize = 256;
/// `T_SIZE` of a resource variable no ASSIGN_VARIABLE has sized yet.
const UNSIZED: u32 = NONE - 1;

/// The subgraphs an op runs: IF's two branches, WHILE's condition and body, CALL_ONCE's
/// initialization (`NONE` for none). Their indices are checked by the op's prepare.
pub(super) fn callees(model: &Model<'_>, op: &Operator<'_>) -> [u32; 2] {
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

impl<'a> Interpreter<'a> {
    /// Lays out the time line, computes lifetimes and sizes, places resource variables, lets
    /// RESHAPE-like outputs alias their inputs, then runs the greedy planner.
    pub(super) fn plan(&mut self) -> Result<(), Error> {
        let model = self.model;
        let (nt, no, subs) = (self.tensors, self.all_ops, self.subgraphs);
        let words = self.tables_mut()?;
        let mut tb = Tables {
            words,
            tensors: nt,
            ops: no,
        };
        // Sizes; arena tensors are those without constant data. Resource handles get theirs
        // from the variables below.
        for t in 0..nt {
            let tensor = tensor_at(&model, t).ok_or(Error::TooComplex)?;
            if tensor.data().is_none() {
                let size = match tensor.byte_size() {
                    Some(size) => size,
                    None if tensor.ty() == TensorType::Resource => 0,
                    None => {
                        return Err(Error::UnsupportedType {
                            op: NONE,
                            tensor: t as u32,
                            ty: tensor.ty() as u8,
                        })
                    }
                };
                tb.set_t(t, T_SIZE, u32_of(size)?);
            }
        }
        // Variable tensors hold values from the start (and live to the end, below).
        let mut base = 0;
        for s in 0..subs {
            let sg = model.subgraph(s).ok_or(Error::TooComplex)?;
            for t in 0..sg.tensor_count() {
                if sg.tensor(t).is_some_and(|x| x.is_variable()) && tb.in_arena(base + t) {
                    tb.touch(base + t, 0);
                }
            }
            base += sg.tensor_count();
        }
        // The main subgraph first, then any subgraph nothing calls (TFLM prepares those too).
        let mut step = 0u32;
        for root in 0..subs {
            if tb.s(root, S_MARK) == 0 {
                step = lay_out(&model, &mut tb, root, step)?;
            }
        }
        let last_step = step;
        // A subgraph run from two places (and what it runs) keeps its tensors and scratch for
        // the whole invoke: its time line slot is only one of the times it runs.
        for _ in 0..=MAX_DEPTH {
            for s in 0..subs {
                if tb.s(s, S_MARK) & S_PINNED == 0 {
                    continue;
                }
                let sg = model.subgraph(s).ok_or(Error::TooComplex)?;
                for i in 0..sg.operator_count() {
                    let op = sg.operator(i).ok_or(Error::TooComplex)?;
                    for c in callees(&model, &op) {
                        if (c as usize) < subs {
                            let m = tb.s(c as usize, S_MARK);
                            tb.set_s(c as usize, S_MARK, m | S_PINNED);
                        }
                    }
                }
            }
        }
        for s in 0..subs {
            let sg = model.subgraph(s).ok_or(Error::TooComplex)?;
            let (ops, base) = (tb.s(s, S_OPS), tb.s(s, S_TENSORS) as usize);
            if tb.s(s, S_MARK) & S_PINNED != 0 {
                for t in base..base + sg.tensor_count() {
                    if tb.in_arena(t) && tb.t(t, T_FIRST) != NONE {
                        tb.touch(t, 0);
                        tb.touch(t, last_step);
                    }
                }
                for g in (ops & 0xFFFF)..(ops & 0xFFFF) + (ops >> 16) {
                    tb.set_r(g as usize, R_STEP, last_step << 16);
                }
            }
            // Variable tensors (SVDF, LSTM state) live across invokes.
            for t in 0..sg.tensor_count() {
                if sg.tensor(t).is_some_and(|x| x.is_variable()) && tb.in_arena(base + t) {
                    tb.touch(base + t, last_step);
                }
            }
        }
        place_variables(&model, &mut tb, last_step)?;
        // RESHAPE-like outputs share their input's memory (TFLM copies): the pair becomes one
        // buffer living as long as either. Both are only read after the op, so sharing is safe.
        for_each_op(&model, |sg, base, _, op| {
            let (code, _) = model.builtin_and_version(op.opcode_index() as usize);
            let (src, dst) = (op.inputs().get(0), op.outputs().get(0));
            if !aliases_input(code) || src < 0 || dst < 0 || op.outputs().len() != 1 || src == dst {
                return Ok(());
            }
            let is_variable = |t: i32| sg.tensor(t as usize).is_some_and(|x| x.is_variable());
            let (s, d) = (base + src as usize, base + dst as usize);
            if !tb.in_arena(s)
                || is_variable(src)
                || is_variable(dst)
                || tb.t(d, T_SIZE) > tb.t(s, T_SIZE)
                || tb.t(d, T_ALIAS) != NONE
            {
                return Ok(());
            }
            let root = tb.root(s);
            let (first, last) = (tb.t(d, T_FIRST), tb.t(d, T_LAST));
            tb.touch(root, first);
            tb.touch(root, last);
            tb.set_t(d, T_ALIAS, root as u32);
            Ok(())
        })?;
        // Offsets must stay below `NONE`; past the arena is reported by the caller.
        let (head, list) =
            planner::plan_list(&mut tb, (NONE as usize) - ALIGN).ok_or(Error::TooComplex)?;
        // Scratch that would like more than it needs gets the widest free region at its op,
        // up to what it wants: more speed where the arena has room, never a larger arena.
        for i in 0..no {
            let need = tb.r(i, R_SCRATCH_LEN);
            let reg = tb.r(i, R_REG);
            tb.set_r(i, R_REG, reg & ((1 << WANT_SHIFT) - 1));
            let want = (reg >> WANT_SHIFT) * ALIGN as u32;
            if want <= need || tb.r(i, R_SCRATCH) == NONE && need > 0 {
                continue;
            }
            let (at, room) = planner::widest_gap(&tb, list, nt + i, head);
            let size = (room & !(ALIGN - 1)).min(want as usize);
            if size > need as usize {
                tb.set_r(i, R_SCRATCH, u32_of(at)?);
                tb.set_r(i, R_SCRATCH_LEN, u32_of(size)?);
            }
        }
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
                let tensor = tensor_at(&model, t).ok_or(Error::TooComplex)?;
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
}

/// Calls `f(subgraph, its first global tensor, global op index, op)` for every op of every
/// subgraph, in global order (TFLM's prepare order).
pub(super) fn for_each_op<'m>(
    model: &Model<'m>,
    mut f: impl FnMut(SubGraph<'m>, usize, usize, Operator<'m>) -> Result<(), Error>,
) -> Result<(), Error> {
    let (mut base, mut g) = (0, 0);
    for s in 0..model.subgraph_count() {
        let sg = model.subgraph(s).ok_or(Error::TooComplex)?;
        for i in 0..sg.operator_count() {
            f(sg, base, g, sg.operator(i).ok_or(Error::TooComplex)?)?;
            g += 1;
        }
        base += sg.tensor_count();
    }
    Ok(())
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
    enter(model, tb, root, step)?;
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
                    enter(model, tb, c, step)?;
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
            // The subgraph ends: its outputs must have been written (or be inputs).
            for t in sg.outputs().iter() {
                let tu = tb.s(s, S_TENSORS) as usize + usize::try_from(t).unwrap_or(usize::MAX);
                if tb.in_arena(tu) {
                    if tb.t(tu, T_FIRST) == NONE {
                        return Err(Malformed::UseBeforeDefinition {
                            op: step,
                            tensor: tu as u32,
                        }
                        .into());
                    }
                    tb.touch(tu, step);
                }
            }
            let mark = tb.s(s, S_MARK);
            tb.set_s(s, S_MARK, (mark & !S_VISITING) | S_DONE);
            // The main subgraph's outputs are read at step `op_count`, as TFLM reports them.
            if s != 0 {
                step += 1;
            }
            if depth == 0 {
                return Ok(step);
            }
            depth -= 1;
            continue;
        }
        if step as usize >= MAX_OPS {
            return Err(Error::TooComplex);
        }
        let op = sg.operator(i).ok_or(Error::TooComplex)?;
        touch_op(tb, sg, tb.s(s, S_TENSORS) as usize, &op, g, step)?;
        tb.set_r(g, R_STEP, step | step << 16);
        step += 1;
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

/// Subgraph `s` starts at `step`: its inputs are written there (by the caller, or the user).
fn enter(model: &Model<'_>, tb: &mut Tables<'_>, s: usize, step: u32) -> Result<(), Error> {
    let sg = model.subgraph(s).ok_or(Error::TooComplex)?;
    let mark = tb.s(s, S_MARK);
    tb.set_s(s, S_MARK, mark | S_VISITING);
    let base = tb.s(s, S_TENSORS) as usize;
    for t in sg.inputs().iter() {
        let t = base + usize::try_from(t).map_err(|_| Error::TooComplex)?;
        if tb.in_arena(t) {
            tb.touch(t, step);
        }
    }
    Ok(())
}

/// Op `g` (an op of `sg`, whose tensors start at global index `base`) runs at `step`: it
/// reads its inputs and writes its outputs.
fn touch_op(
    tb: &mut Tables<'_>,
    sg: SubGraph<'_>,
    base: usize,
    op: &Operator<'_>,
    g: usize,
    step: u32,
) -> Result<(), Error> {
    let oi = g as u32;
    let is_input = |t: i32| sg.inputs().iter().any(|x| x == t);
    let is_variable = |t: usize| sg.tensor(t).is_some_and(|x| x.is_variable());
    for t in op.inputs().iter().filter(|&t| t >= 0) {
        let tu = base + t as usize;
        if !tb.in_arena(tu) {
            continue;
        }
        if tb.t(tu, T_FIRST) == NONE {
            return Err(Malformed::UseBeforeDefinition {
                op: oi,
                tensor: tu as u32,
            }
            .into());
        }
        tb.touch(tu, step);
    }
    for (k, t) in op.outputs().iter().enumerate() {
        let tu = base + usize::try_from(t).map_err(|_| Error::TooComplex)?;
        if !tb.in_arena(tu) || is_input(t) {
            return Err(Malformed::WritesConstant {
                op: oi,
                tensor: tu as u32,
            }
            .into());
        }
        // One writer per tensor (state tensors aside), and never an op's own input:
        // kernels read inputs while they write outputs.
        let written = tb.t(tu, T_FIRST) != NONE && !is_variable(t as usize);
        let own_input = op.inputs().iter().any(|x| x == t);
        let twice = op.outputs().iter().take(k).any(|x| x == t);
        if written || own_input || twice {
            return Err(Malformed::MultipleWriters {
                op: oi,
                tensor: tu as u32,
            }
            .into());
        }
        tb.touch(tu, step);
    }
    // Constant inputs must be aligned for their element type (bytemuck views them);
    // int64 ones only to 4 bytes: converters place 16x8 biases so, and the ops that
    // read them take them as little-endian bytes (`kernels::quant::I64Le`).
    for t in op.inputs().iter().filter(|&t| t >= 0) {
        let Some(x) = sg.tensor(t as usize) else {
            continue;
        };
        if let (Some(d), Some(sz)) = (x.data(), x.ty().size()) {
            let need = if x.ty() == TensorType::Int64 {
                4
            } else {
                sz.min(8)
            };
            if !(d.as_ptr() as usize).is_multiple_of(need) {
                return Err(Error::DataMisaligned {
                    tensor: (base + t as usize) as u32,
                });
            }
        }
    }
    Ok(())
}

/// Resource variables: every VAR_HANDLE naming the same variable (container and shared name)
/// shares one buffer, its first handle's tensor, sized by the first ASSIGN_VARIABLE to it (in
/// TFLM's prepare order) and alive for the whole life of the interpreter. READ_VARIABLE and
/// ASSIGN_VARIABLE then copy between that buffer and their tensors.
fn place_variables(model: &Model<'_>, tb: &mut Tables<'_>, last_step: u32) -> Result<(), Error> {
    // Roots (one per variable) are chained through their T_NEXT word and remember their
    // VAR_HANDLE op in T_OFF until the planner, which needs both words, runs.
    let mut first = NONE;
    let mut count = 0usize;
    for_each_op(model, |_, base, g, op| {
        if model.builtin_and_version(op.opcode_index() as usize).0 != BuiltinOperator::VAR_HANDLE {
            return Ok(());
        }
        let h = base + usize::try_from(op.outputs().get(0)).map_err(|_| Error::TooComplex)?;
        let name = var_name(&op);
        let mut r = first;
        while r != NONE {
            let at = tb.t(r as usize, T_OFF) as usize;
            let (_, _, other) = op_at(model, at).ok_or(Error::TooComplex)?;
            let (c, n) = var_name(&other);
            if n == name.1 && (name.0.is_none() || name.0 == c) {
                tb.set_t(h, T_ALIAS, r);
                return Ok(());
            }
            r = tb.t(r as usize, T_NEXT);
        }
        count += 1;
        if count > MAX_VARIABLES {
            return Err(Error::TooComplex);
        }
        tb.set_t(h, T_SIZE, UNSIZED);
        tb.set_t(h, T_OFF, u32_of(g)?);
        tb.set_t(h, T_NEXT, first);
        first = h as u32;
        Ok(())
    })?;
    // The handle an op names must be a VAR_HANDLE's, in the same subgraph.
    let var_of = |tb: &Tables<'_>, base: usize, g: usize, op: &Operator<'_>| {
        let bad = Error::BadVariable {
            op: g as u32,
            tensor: NONE,
        };
        let h = base + usize::try_from(op.inputs().get(0)).map_err(|_| bad)?;
        let r = tb.root(h);
        if tb.t(r, T_ALIAS) == NONE && tb.t(r, T_OFF) != NONE && tb.t(r, T_SIZE) != NONE {
            Ok((r, h))
        } else {
            Err(Error::BadVariable {
                op: g as u32,
                tensor: h as u32,
            })
        }
    };
    // Sized by ASSIGN_VARIABLE (the first in TFLM's prepare order), then every read and
    // write must agree.
    for write in [true, false] {
        for_each_op(model, |sg, base, g, op| {
            let code = model.builtin_and_version(op.opcode_index() as usize).0;
            let value = match code {
                BuiltinOperator::ASSIGN_VARIABLE if write => op.inputs().get(1),
                BuiltinOperator::ASSIGN_VARIABLE | BuiltinOperator::READ_VARIABLE if !write => {
                    if code == BuiltinOperator::READ_VARIABLE {
                        op.outputs().get(0)
                    } else {
                        op.inputs().get(1)
                    }
                }
                _ => return Ok(()),
            };
            let (r, h) = var_of(tb, base, g, &op)?;
            let bytes = usize::try_from(value)
                .ok()
                .and_then(|v| sg.tensor(v))
                .and_then(|v| v.byte_size())
                .ok_or(Error::OperandCount { op: g as u32 })?;
            let size = tb.t(r, T_SIZE);
            if size == UNSIZED && write {
                tb.set_t(r, T_SIZE, u32_of(bytes)?);
            } else if !write && size as usize != bytes {
                // Read before anything sized it, or sized differently.
                return Err(Error::BadVariable {
                    op: g as u32,
                    tensor: h as u32,
                });
            }
            Ok(())
        })?;
    }
    // Back to planner words; every handle shares its root's bytes, which live throughout.
    let mut r = first;
    while r != NONE {
        let ru = r as usize;
        let next = tb.t(ru, T_NEXT);
        tb.set_t(ru, T_NEXT, NONE);
        tb.set_t(ru, T_OFF, NONE);
        if tb.t(ru, T_SIZE) == UNSIZED {
            tb.set_t(ru, T_SIZE, 0);
        }
        tb.touch(ru, 0);
        tb.touch(ru, last_step);
        r = next;
    }
    for t in 0..tb.tensors {
        if tb.t(t, T_ALIAS) != NONE && tb.t(t, T_SIZE) != NONE {
            let size = tb.t(tb.root(t), T_SIZE);
            tb.set_t(t, T_SIZE, size);
        }
    }
    Ok(())
}

/// A VAR_HANDLE's container and shared name (absent ones as `None`).
fn var_name<'m>(op: &Operator<'m>) -> (Option<&'m [u8]>, Option<&'m [u8]>) {
    match op.builtin_options() {
        Some(t) if op.builtin_options_type() == VAR_HANDLE_OPTIONS => {
            (t.bytes(0).ok(), t.bytes(1).ok())
        }
        _ => (None, None),
    }
}
