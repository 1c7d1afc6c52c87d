//! Invoking: a loop over the op records, each eval handed its tensors, data and scratch.

use super::records::*;
use super::*;

impl<'a> Interpreter<'a> {
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

    /// Sets the most iterations one WHILE op may run in one invoke (default
    /// [`DEFAULT_LOOP_LIMIT`](crate::DEFAULT_LOOP_LIMIT)): past it, invoke
    /// stops with [`Error::LoopLimit`] instead of looping on (a hostile or broken model).
    ///
    /// ```no_run
    /// # fn main() -> Result<(), microlite::Error> {
    /// # use microlite::{AllOpsResolver, Interpreter, Model};
    /// # static MODEL: &[u8] = &[];
    /// # let model = Model::from_bytes(MODEL)?;
    /// # let resolver = AllOpsResolver::with_all_ops();
    /// # let mut arena = microlite::Arena::<16384>::new();
    /// let mut interp = Interpreter::new(model, &resolver, arena.as_mut_slice())?;
    /// interp.set_loop_limit(100); // this model's LSTM runs 49 steps per invoke
    /// match interp.invoke() {
    ///     Err(microlite::Error::LoopLimit { op }) => { /* a broken model: op never ends */ }
    ///     r => r?,
    /// }
    /// # Ok(()) }
    /// ```
    pub fn set_loop_limit(&mut self, iterations: u32) {
        self.loop_limit = iterations;
    }

    /// Number of operators in the main subgraph: the steps of [`Self::invoke_op`].
    pub fn op_count(&self) -> usize {
        self.ops
    }

    /// The builtin operator of op `i` (for profiles and logs), or `None` past the last op.
    pub fn op_builtin(&self, i: usize) -> Option<BuiltinOperator> {
        let op = self.sg().operator(i).filter(|_| i < self.ops)?;
        Some(self.model.builtin_and_version(op.opcode_index() as usize).0)
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

    /// Runs op `i` (a global index: ops of called subgraphs follow the main subgraph's) from
    /// its record: registration index, operands, data and scratch, all fixed by `new`. No
    /// model reads, no resolver lookups. IF / WHILE / CALL_ONCE go to the interpreter's
    /// control code, which runs their subgraphs' ops through here again (nested at most
    /// `MAX_DEPTH` deep, checked by `new`).
    pub(super) fn run_op(&mut self, i: usize) -> Result<(), Error> {
        let rec = self.record(i)?;
        let reg = self
            .regs
            .get((rec[R_REG] & 0xFFFF) as usize)
            .ok_or(Error::TooComplex)?;
        if let Some(control) = reg.hooks.and_then(|h| h.control) {
            return control(self, i);
        }
        self.run_kernel(i, rec, reg)
    }

    /// Runs a kernel's eval on op `i`'s tensors (carved out of the arena), data and scratch.
    fn run_kernel(
        &mut self,
        i: usize,
        [reg, counts, data, data_len, _next, s_off, s_len, _step]: [u32; OW],
        registration: &Registration,
    ) -> Result<(), Error> {
        let model = self.model;
        let (head, tail) = self
            .arena
            .split_at_mut_checked(self.tail_start)
            .ok_or(Error::ArenaMisaligned)?;
        let tail: &mut [u8] = tail
            .get_mut(..self.tail_len)
            .ok_or(Error::ArenaMisaligned)?;
        if reg & F_SKIP != 0 {
            return Ok(());
        }
        let has_state = reg & F_STATE != 0;
        let (n_in, n_out) = ((counts & 0xFFFF) as usize, (counts >> 16) as usize);
        let size = core::mem::size_of::<Operand>() * (n_in + n_out);
        let (data, data_len) = (data as usize, data_len as usize);
        let operands = data.checked_sub(size).ok_or(Error::TooComplex)?;
        // Operands below the data, read-only; the data (with any op state) above, writable.
        let (low, high) = tail.split_at_mut_checked(data).ok_or(Error::TooComplex)?;
        let operands: &[Operand] = match low.get(operands..operands + size) {
            Some([]) => &[],
            Some(b) => bytemuck::try_cast_slice(b).map_err(|_| Error::ArenaMisaligned)?,
            None => return Err(Error::TooComplex),
        };
        let (inputs, outputs) = operands.split_at(n_in.min(operands.len()));
        let data = high.get_mut(..data_len).ok_or(Error::TooComplex)?;
        let (data, op_state) = if has_state {
            split_state(data)?
        } else {
            (&*data, &mut [][..])
        };
        let (s_off, s_len) = (s_off as usize, s_len as usize);
        let count_err = Error::OperandCount { op: i as u32 };
        let scratch = if s_len > 0 && s_off != NONE as usize {
            (s_off, s_len)
        } else {
            (usize::MAX, 0)
        };
        // One output and at most a scratch: two regions, so three shared pieces. The compact
        // build (feature `small`) keeps only the general path below.
        if !cfg!(feature = "small") && reg & F_PLAIN != 0 {
            let [o] = outputs else {
                return Err(count_err);
            };
            if o.at & Operand::CONSTANT != 0 {
                return Err(count_err);
            }
            let out = (o.at as usize, o.len as usize);
            let (first, second) = if scratch.0 < out.0 {
                (scratch, out)
            } else {
                (out, scratch)
            };
            let mut rest: &mut [u8] = head;
            let (g0, p0) = carve(&mut rest, 0, first).ok_or(count_err)?;
            let at1 = first.0.saturating_add(first.1);
            let (g1, p1) = carve(&mut rest, at1, second).ok_or(count_err)?;
            let at2 = second.0.saturating_add(second.1);
            let (out, scratch) = if scratch.0 < out.0 {
                (p1, p0)
            } else {
                (p0, p1)
            };
            let shared = [(0, g0), (at1, g1), (at2, &*rest)];
            let mut outs: [&mut [u8]; MAX_OUTPUTS] = Default::default();
            outs[0] = out;
            let mut ctx = EvalCtx {
                shared: &shared,
                outputs: outs,
                scratch,
                states: &mut [],
                inputs,
                model_bytes: model.bytes(),
                op_index: i as u32,
                data,
                op_state,
            };
            return (registration.eval)(&mut ctx);
        }
        // Mutable regions: outputs then scratch.
        let mut regions = [(0usize, 0usize, usize::MAX); MAX_OUTPUTS + 1 + MAX_STATES];
        let mut n = 0;
        for (k, o) in outputs.iter().enumerate() {
            // Regions are the tensors' exact bytes, not the aligned reservations.
            if o.at & Operand::CONSTANT != 0 {
                return Err(count_err);
            }
            *regions.get_mut(n).ok_or(Error::TooComplex)? = (o.at as usize, o.len as usize, k);
            n += 1;
        }
        // State inputs (tagged past the scratch's tag: MAX_OUTPUTS + 1 + input index).
        for (k, o) in inputs.iter().enumerate() {
            if o.at != Operand::ABSENT
                && o.at & (Operand::CONSTANT | Operand::STATE) == Operand::STATE
            {
                let at = (o.at & !Operand::STATE) as usize;
                *regions.get_mut(n).ok_or(Error::TooComplex)? =
                    (at, o.len as usize, MAX_OUTPUTS + 1 + k);
                n += 1;
            }
        }
        if scratch.1 > 0 {
            *regions.get_mut(n).ok_or(Error::TooComplex)? = (scratch.0, scratch.1, MAX_OUTPUTS);
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
        let mut shared: [(usize, &[u8]); MAX_PIECES] = [(0, &[][..]); MAX_PIECES];
        let mut outs: [&mut [u8]; MAX_OUTPUTS] = Default::default();
        let mut state_ins: [(usize, &mut [u8]); MAX_STATES] =
            core::array::from_fn(|_| (usize::MAX, &mut [][..]));
        let mut scratch: &mut [u8] = &mut [];
        let mut rest: &mut [u8] = head;
        let mut pos = 0usize;
        let mut pieces = 0;
        let mut states = 0;
        for &(o, s, k) in regions.iter() {
            let (gap, mine) = carve(&mut rest, pos, (o, s)).ok_or(count_err)?;
            *shared.get_mut(pieces).ok_or(Error::TooComplex)? = (pos, gap);
            pieces += 1;
            if k == MAX_OUTPUTS {
                scratch = mine;
            } else if k > MAX_OUTPUTS {
                *state_ins.get_mut(states).ok_or(Error::TooComplex)? = (k - MAX_OUTPUTS - 1, mine);
                states += 1;
            } else {
                *outs.get_mut(k).ok_or(Error::TooComplex)? = mine;
            }
            pos = o.saturating_add(s);
        }
        *shared.get_mut(pieces).ok_or(Error::TooComplex)? = (pos, rest);
        let mut ctx = EvalCtx {
            shared: shared.get(..=pieces).ok_or(Error::TooComplex)?,
            outputs: outs,
            scratch,
            states: state_ins.get_mut(..states).ok_or(Error::TooComplex)?,
            inputs,
            model_bytes: model.bytes(),
            op_index: i as u32,
            data,
            op_state,
        };
        (registration.eval)(&mut ctx)
    }
}

/// Splits the region `(at, len)` off `rest`, which starts at arena offset `pos`: the bytes
/// before it (shared with the op's inputs) and the region itself (writable), leaving `rest`
/// after it; clipped at `rest`'s end. `None` when the region starts before `pos` (regions
/// overlap or are out of order).
#[inline(always)]
fn carve<'x>(
    rest: &mut &'x mut [u8],
    pos: usize,
    (at, len): (usize, usize),
) -> Option<(&'x [u8], &'x mut [u8])> {
    let cut = at.checked_sub(pos)?.min(rest.len());
    let (gap, r) = core::mem::take(rest).split_at_mut(cut);
    let (mine, r) = r.split_at_mut(len.min(r.len()));
    *rest = r;
    Some((gap, mine))
}

/// An op's persistent data split at its state ([`crate::PrepareCtx::persist_state`]): the
/// config part (read-only) and the state (writable), found from the two-word footer.
pub(super) fn split_state(data: &mut [u8]) -> Result<(&[u8], &mut [u8]), Error> {
    let footer_at = data
        .len()
        .checked_sub(crate::ops::STATE_FOOTER)
        .ok_or(Error::TooComplex)?;
    let (body, footer) = data.split_at_mut(footer_at);
    let word = |k: usize| -> Result<usize, Error> {
        let b = footer.get(4 * k..4 * k + 4).ok_or(Error::TooComplex)?;
        let w = u32::from_ne_bytes(b.try_into().map_err(|_| Error::TooComplex)?);
        Ok(w as usize)
    };
    let (config_end, state_from) = (word(0)?, word(1)?);
    if config_end > state_from {
        return Err(Error::TooComplex);
    }
    let (config, state) = body
        .split_at_mut_checked(state_from)
        .ok_or(Error::TooComplex)?;
    let config = config.get(..config_end).ok_or(Error::TooComplex)?;
    Ok((config, state))
}
