//! Resource variables (VAR_HANDLE, READ_VARIABLE, ASSIGN_VARIABLE): placed in the plan and
//! returned to their defaults by `reset`. Reached through those ops' registrations only.

use super::plan::{for_each_op, Operator};
use super::records::*;
use super::*;

/// The interpreter code of VAR_HANDLE, READ_VARIABLE and ASSIGN_VARIABLE.
pub(crate) static HOOKS: Hooks = Hooks {
    control: None,
    layout: None,
    variables: Some(place_variables),
    reset: Some(reset_variables),
};

/// VAR_HANDLE's options tag.
const VAR_HANDLE_OPTIONS: u8 = 111;
/// Most distinct resource variables a model may have.
const MAX_VARIABLES: usize = 256;
/// `T_SIZE` of a resource variable no ASSIGN_VARIABLE has sized yet.
const UNSIZED: u32 = NONE - 1;

/// Resource variables: every VAR_HANDLE naming the same variable (container and shared name)
/// shares one buffer, its first handle's tensor, sized by the first ASSIGN_VARIABLE to it (in
/// TFLM's prepare order) and alive for the whole life of the interpreter. READ_VARIABLE and
/// ASSIGN_VARIABLE then copy between that buffer and their tensors.
fn place_variables(model: &Model<'_>, tb: &mut Tables<'_>, last_step: u32) -> Result<(), Error> {
    // Roots (one per variable) are chained through their T_NEXT word and remember their
    // VAR_HANDLE op (subgraph << 16 | op index there) in T_OFF until the planner, which
    // needs both words, runs.
    let mut first = NONE;
    let mut count = 0usize;
    for_each_op(model, |_, base, _, (s, i), op| {
        if model.builtin_and_version(op.opcode_index() as usize).0 != BuiltinOperator::VAR_HANDLE {
            return Ok(());
        }
        let h = base + usize::try_from(op.outputs().get(0)).map_err(|_| Error::TooComplex)?;
        let name = var_name(&op);
        let mut r = first;
        while r != NONE {
            let at = tb.t(r as usize, T_OFF) as usize;
            let other = model
                .subgraph(at >> 16)
                .and_then(|sg| sg.operator(at & 0xFFFF))
                .ok_or(Error::TooComplex)?;
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
        // Fewer than 2^12 subgraphs of fewer than 2^16 ops: never `NONE`.
        tb.set_t(h, T_OFF, u32_of(s << 16 | i)?);
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
        if tb.in_arena(h)
            && tb.t(r, T_ALIAS) >= VARIABLE
            && tb.t(r, T_OFF) != NONE
            && tb.t(r, T_SIZE) != NONE
        {
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
        for_each_op(model, |sg, base, g, _, op| {
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
        if tb.t(t, T_ALIAS) < VARIABLE && tb.t(t, T_SIZE) != NONE {
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

/// Fills each resource variable with its default: as TFLM, the zero point of the value the
/// first ASSIGN_VARIABLE to it writes, as a byte (0 for an unquantized value). Last to first,
/// so that the first ASSIGN_VARIABLE of each variable has the last word.
fn reset_variables(interp: &mut Interpreter<'_>) {
    let model = interp.model;
    let mut end = interp.tensors;
    for s in (0..model.subgraph_count()).rev() {
        let Some(sg) = model.subgraph(s) else {
            return;
        };
        let base = end.saturating_sub(sg.tensor_count());
        end = base;
        for i in (0..sg.operator_count()).rev() {
            let Some(op) = sg.operator(i) else {
                continue;
            };
            let code = model.builtin_and_version(op.opcode_index() as usize).0;
            if code != BuiltinOperator::ASSIGN_VARIABLE {
                continue;
            }
            let (h, v) = (op.inputs().get(0), op.inputs().get(1));
            let value = usize::try_from(v).ok().and_then(|v| sg.tensor(v));
            let zp = value
                .and_then(|v| v.quantization())
                .map_or(0, |q| q.zero_point(0));
            if let Ok(h) = usize::try_from(h) {
                interp.fill_tensor((base + h) as u32, zp as i8 as u8);
            }
        }
    }
}
