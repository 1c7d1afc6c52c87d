//! Planning: tensor lifetimes, RESHAPE-like aliasing, then the greedy planner over tensors
//! and op scratch.

use super::records::*;
use super::*;

/// Ops whose output is input 0's bytes under another shape: the planner lets them share memory.
pub(super) fn aliases_input(code: BuiltinOperator) -> bool {
    matches!(
        code,
        BuiltinOperator::RESHAPE | BuiltinOperator::SQUEEZE | BuiltinOperator::EXPAND_DIMS
    )
}

impl<'a> Interpreter<'a> {
    /// Computes lifetimes and sizes, lets RESHAPE-like outputs alias their inputs, then runs
    /// the greedy planner.
    pub(super) fn plan(&mut self) -> Result<(), Error> {
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
            let (code, _) = model.builtin_and_version(op.opcode_index() as usize);
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
}
