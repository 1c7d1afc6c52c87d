//! Running IF, WHILE and CALL_ONCE: their subgraphs' ops are ordinary op records (after the
//! main subgraph's), and values move between the op's tensors and the subgraph's by copies,
//! as TFLM does. `new` has checked every subgraph index, count, type and size, that no
//! subgraph runs itself and that calls nest at most `MAX_DEPTH` deep.

use super::records::*;
use super::*;
use crate::ops::control::ControlData;

/// Runs control-flow op `i` (the registrations of IF, WHILE and CALL_ONCE point here).
pub(crate) fn run(interp: &mut Interpreter<'_>, i: usize) -> Result<(), Error> {
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

/// An operand list in the tail: inputs then outputs, ending at `end`.
#[derive(Clone, Copy)]
struct List {
    end: usize,
    ins: usize,
    outs: usize,
}

impl List {
    fn of(end: usize, counts: u32) -> Self {
        List {
            end,
            ins: (counts & 0xFFFF) as usize,
            outs: (counts >> 16) as usize,
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
        let r = self.sub_record(s)?;
        Ok(List::of(r[S_IO] as usize, r[S_COUNTS]))
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
