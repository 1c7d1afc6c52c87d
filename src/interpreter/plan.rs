//! Planning: a time line over every subgraph (a called subgraph runs inside its caller's
//! step), tensor lifetimes on it, resource variables, RESHAPE-like aliasing, then the greedy
//! planner over tensors and op scratch.

use super::records::*;
use super::*;
pub(super) use crate::model::Operator;

/// Ops whose output is input 0's bytes under another shape: the planner lets them share memory.
fn aliases_input(code: BuiltinOperator) -> bool {
    matches!(
        code,
        BuiltinOperator::RESHAPE | BuiltinOperator::SQUEEZE | BuiltinOperator::EXPAND_DIMS
    )
}

/// A constant's T_ALIAS when its data is misaligned for its element type.
const MISALIGNED: u32 = NONE - 1;

impl<'a> Interpreter<'a> {
    /// Lays out the time line, computes lifetimes and sizes, places resource variables, lets
    /// RESHAPE-like outputs alias their inputs, then runs the greedy planner.
    pub(super) fn plan(&mut self) -> Result<(), Error> {
        let (model, regs) = (self.model, self.regs);
        let (nt, no) = (self.tensors, self.all_ops);
        let (from, to) = (
            self.tail_start + self.tables_at,
            self.tail_start + self.tail_len,
        );
        // The staged operands (tensor indices until `finish_records`) below, the tables above.
        let (staging, tables) = self
            .arena
            .split_at_mut_checked(from)
            .ok_or(Error::TooComplex)?;
        let words = tables.get_mut(..to - from).ok_or(Error::ArenaMisaligned)?;
        let words = cast_mut::<u32>(words).map_err(|_| Error::ArenaMisaligned)?;
        let mut tb = Tables {
            words,
            tensors: nt,
            ops: no,
        };
        // Sizes; arena tensors are those without constant data (resource handles get theirs
        // from the variables below). Variable tensors (SVDF, LSTM state) hold values from the
        // start and live across invokes: marked in T_ALIAS (`VARIABLE`).
        let mut t = 0;
        for s in 0..self.subgraphs {
            let sg = model.subgraph(s).ok_or(Error::TooComplex)?;
            for k in 0..sg.tensor_count() {
                let tensor = sg.tensor(k).ok_or(Error::TooComplex)?;
                let (ty, bytes) = (tensor.ty(), tensor.byte_size());
                // Constants: where their data sits in the model (T_NEXT) and its length
                // (T_ALIAS), words the planner never uses for them, so eval needs no model
                // lookups.
                if let Some(d) = tensor.data() {
                    // Constants an op reads must be aligned for their element type (bytemuck
                    // views them); int64 ones only to 4 bytes: converters place 16x8 biases
                    // so, and the ops that read them take them as little-endian bytes
                    // (`kernels::quant::I64Le`). A misaligned one is marked (T_ALIAS
                    // `MISALIGNED`, no data offset) for `touch_op` to refuse.
                    let need = if ty == TensorType::Int64 {
                        4
                    } else {
                        ty.size().unwrap_or(1).min(8)
                    };
                    if !(d.as_ptr() as usize).is_multiple_of(need) {
                        tb.set_t(t, T_ALIAS, MISALIGNED);
                    } else if let Some(size) = bytes {
                        let at =
                            (d.as_ptr() as usize).wrapping_sub(model.bytes().as_ptr() as usize);
                        tb.set_t(t, T_NEXT, u32_of(at)?);
                        // Below 2^31: the reader refuses larger tensors.
                        tb.set_t(t, T_ALIAS, size.min(d.len()) as u32);
                    }
                } else {
                    let size = match bytes {
                        Some(size) => size,
                        None if ty == TensorType::Resource => 0,
                        None => {
                            return Err(Error::UnsupportedType {
                                op: NONE,
                                tensor: t as u32,
                                ty: ty as u8,
                            })
                        }
                    };
                    tb.set_t(t, T_SIZE, size as u32); // below 2^31 (the reader)
                    if tensor.is_variable() {
                        // Live from the start (read before any op writes it); its end is
                        // its last use until every use is laid out. Marked with the byte a
                        // reset fills it with: an int8 one's zero point, else 0.
                        tb.set_t(t, T_FIRST, 0);
                        let zp = match ty {
                            TensorType::Int8 => {
                                tensor.quantization().map_or(0, |q| q.zero_point(0))
                            }
                            _ => 0,
                        };
                        tb.set_t(t, T_ALIAS, VARIABLE | u32::from(zp as i8 as u8));
                    }
                }
                t += 1;
            }
        }
        // The time line: the control-flow ops' layout (a called subgraph inside its caller's
        // op) when the resolver has one, else every subgraph in turn.
        let (mut layout, mut variables) = (None, None);
        for h in regs.iter().filter_map(|r| r.hooks) {
            layout = layout.or(h.layout);
            variables = variables.or(h.variables);
        }
        let last_step = match layout {
            Some(layout) => layout(&model, &mut tb)?,
            None => lay_out_in_order(&model, &mut tb)?,
        };
        if let Some(place) = variables {
            place(&model, &mut tb, last_step)?;
        }
        // RESHAPE-like outputs share their input's memory (TFLM copies): the pair becomes one
        // buffer living as long as either. Both are only read after the op, so sharing is safe.
        // (From the op records and staged operands: no model reads.)
        for g in 0..no {
            let counts = tb.r(g, R_COUNTS);
            let code = regs.get((tb.r(g, R_REG) & 0xFFFF) as usize).map(|r| r.code);
            let n_in = (counts & 0xFFFF) as usize;
            if !code.is_some_and(aliases_input) || n_in == 0 || counts >> 16 != 1 {
                continue;
            }
            let end = tb.r(g, R_DATA) as usize;
            let at = |k: usize| -> Option<usize> {
                let o = end.checked_sub(8 * (n_in + 1 - k))?;
                let b = staging.get(o..o + 4)?;
                let t = u32::from_ne_bytes(b.try_into().ok()?);
                (t != Operand::ABSENT).then_some(t as usize)
            };
            let (Some(s), Some(d)) = (at(0), at(n_in)) else {
                continue;
            };
            // (A variable output has its mark in T_ALIAS.)
            if s == d
                || !tb.in_arena(s)
                || tb.t(d, T_SIZE) > tb.t(s, T_SIZE)
                || tb.t(d, T_ALIAS) != NONE
                || tb.variable(s)
            {
                continue;
            }
            let root = tb.root(s);
            let (first, last) = (tb.t(d, T_FIRST), tb.t(d, T_LAST));
            tb.touch(root, first);
            tb.touch(root, last);
            tb.set_t(d, T_ALIAS, root as u32);
            // Same bytes and length (every tensor of the chain is planned at its root's
            // offset): eval has nothing to do.
            if tb.t(d, T_SIZE) == tb.t(s, T_SIZE) {
                let reg = tb.r(g, R_REG);
                tb.set_r(g, R_REG, reg | F_SKIP);
            }
        }
        // Variable tensors live to the end (`touch_op` has read where their uses end).
        for t in 0..nt {
            if tb.variable(t) {
                tb.touch(t, last_step);
            }
        }
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
                // Both below the planner's limit, `NONE - ALIGN`.
                tb.set_r(i, R_SCRATCH, at as u32);
                tb.set_r(i, R_SCRATCH_LEN, size as u32);
            }
        }
        for t in 0..nt {
            if !tb.in_arena(t) {
                continue; // a constant (placed above)
            }
            if tb.t(t, T_ALIAS) < VARIABLE {
                let off = tb.t(tb.root(t), T_OFF);
                tb.set_t(t, T_OFF, off);
            } else if tb.t(t, T_FIRST) == NONE {
                // Tensors nobody uses take no space.
                tb.set_t(t, T_SIZE, NONE);
            } else if tb.t(t, T_SIZE) == 0 {
                // Empty tensors get an empty region at the start.
                tb.set_t(t, T_OFF, 0);
            }
        }
        self.head = align_up(head);
        Ok(())
    }
}

/// Calls `f(subgraph, its first global tensor, global op index, (subgraph index, op index
/// there), op)` for every op of every subgraph, in global order (TFLM's prepare order).
pub(super) fn for_each_op<'m>(
    model: &Model<'m>,
    mut f: impl FnMut(SubGraph<'m>, usize, usize, (usize, usize), Operator<'m>) -> Result<(), Error>,
) -> Result<(), Error> {
    let (mut base, mut g) = (0, 0);
    for s in 0..model.subgraph_count() {
        let sg = model.subgraph(s).ok_or(Error::TooComplex)?;
        for i in 0..sg.operator_count() {
            f(
                sg,
                base,
                g,
                (s, i),
                sg.operator(i).ok_or(Error::TooComplex)?,
            )?;
            g += 1;
        }
        base += sg.tensor_count();
    }
    Ok(())
}

/// Every subgraph in turn, each op at its own step: the time line when nothing runs a
/// subgraph (no control-flow op is registered). Returns the steps used.
fn lay_out_in_order(model: &Model<'_>, tb: &mut Tables<'_>) -> Result<u32, Error> {
    let (mut step, mut g, mut base) = (0u32, 0usize, 0usize);
    for s in 0..model.subgraph_count() {
        let sg = model.subgraph(s).ok_or(Error::TooComplex)?;
        enter(tb, sg, base, step)?;
        for i in 0..sg.operator_count() {
            let op = sg.operator(i).ok_or(Error::TooComplex)?;
            step = op_step(tb, sg, base, &op, g, step)?;
            g += 1;
        }
        step = leave(tb, sg, base, s, step)?;
        base += sg.tensor_count();
    }
    Ok(step)
}

/// Op `g` runs at `step` (see [`touch_op`]); returns the next step.
pub(super) fn op_step(
    tb: &mut Tables<'_>,
    sg: SubGraph<'_>,
    base: usize,
    op: &Operator<'_>,
    g: usize,
    step: u32,
) -> Result<u32, Error> {
    if step as usize >= MAX_OPS {
        return Err(Error::TooComplex);
    }
    touch_op(tb, sg, base, op, g, step)?;
    tb.set_r(g, R_STEP, step | step << 16);
    Ok(step + 1)
}

/// Subgraph `s` (`sg`, whose tensors start at global index `base`) ends at `step`: its
/// outputs must have been written (or be inputs). Returns the next step: the main subgraph's
/// outputs are read at step `op_count`, as TFLM reports them, others' take a step of their own.
pub(super) fn leave(
    tb: &mut Tables<'_>,
    sg: SubGraph<'_>,
    base: usize,
    s: usize,
    step: u32,
) -> Result<u32, Error> {
    for t in sg.outputs().iter() {
        let tu = base + usize::try_from(t).unwrap_or(usize::MAX);
        if tb.in_arena(tu) {
            // An empty tensor holds nothing to read (the converter leaves RESHAPE's `[]`
            // shape operand unwritten and without data, as in openWakeWord's hey_jarvis).
            if tb.t(tu, T_FIRST) == NONE && tb.t(tu, T_SIZE) != 0 {
                return Err(Malformed::UseBeforeDefinition {
                    op: step,
                    tensor: tu as u32,
                }
                .into());
            }
            tb.touch(tu, step);
        }
    }
    Ok(if s == 0 { step } else { step + 1 })
}

/// A subgraph (`sg`, whose tensors start at global index `base`) starts at `step`: its
/// inputs are written there (by the caller, or the user).
pub(super) fn enter(
    tb: &mut Tables<'_>,
    sg: SubGraph<'_>,
    base: usize,
    step: u32,
) -> Result<(), Error> {
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
pub(super) fn touch_op(
    tb: &mut Tables<'_>,
    sg: SubGraph<'_>,
    base: usize,
    op: &Operator<'_>,
    g: usize,
    step: u32,
) -> Result<(), Error> {
    let oi = g as u32;
    for t in op.inputs().iter().filter(|&t| t >= 0) {
        let tu = base + t as usize;
        if tb.in_arena(tu) {
            // An empty tensor holds nothing to read (the converter leaves RESHAPE's `[]`
            // shape operand unwritten and without data, as in openWakeWord's hey_jarvis).
            if tb.t(tu, T_FIRST) == NONE && tb.t(tu, T_SIZE) != 0 {
                return Err(Malformed::UseBeforeDefinition {
                    op: oi,
                    tensor: tu as u32,
                }
                .into());
            }
            tb.touch(tu, step);
            continue;
        }
        // A constant misaligned for its element type (marked while sizing).
        if tb.t(tu, T_ALIAS) == MISALIGNED {
            return Err(Error::DataMisaligned { tensor: tu as u32 });
        }
    }
    for t in op.outputs().iter() {
        let tu = base + usize::try_from(t).map_err(|_| Error::TooComplex)?;
        if !tb.in_arena(tu) || sg.inputs().iter().any(|x| x == t) {
            return Err(Malformed::WritesConstant {
                op: oi,
                tensor: tu as u32,
            }
            .into());
        }
        // One writer per tensor (state tensors aside), and never an op's own input:
        // kernels read inputs while they write outputs. A tensor this op reads, or lists
        // as an earlier output, has been touched at this step: an ordinary one then has a
        // lifetime (as has one another op wrote), a variable one (whose lifetime starts at
        // 0 and ends at its last use so far) ends here.
        let written = if tb.variable(tu) {
            tb.t(tu, T_LAST) == step
        } else {
            tb.t(tu, T_FIRST) != NONE
        };
        if written {
            return Err(Malformed::MultipleWriters {
                op: oi,
                tensor: tu as u32,
            }
            .into());
        }
        tb.touch(tu, step);
    }
    Ok(())
}
