//! What IF, WHILE and CALL_ONCE share: checking that a subgraph they run takes their tensors.
//! The interpreter runs them (`interpreter::control`); their prepares only check and keep the
//! subgraph indices as `[u32; 3]` data (two subgraphs and a flag word).

use super::{OpCtx, PrepareCtx, T};
use crate::error::Error;
use crate::model::Ints;

/// Op data of a control-flow op: its subgraphs (`u32::MAX` for none) and a flag word
/// (CALL_ONCE's "has run").
pub(crate) type ControlData = [u32; 3];

/// Checks that subgraph `callee` exists and that its inputs match `ins` and its outputs
/// `outs` (the same count, and each pair of the same type and byte size: the interpreter
/// copies between them). `outs` of `None` checks only that output 0 is a bool (WHILE's
/// condition).
pub(crate) fn check_call<'m>(
    op: &OpCtx<'m>,
    callee: i32,
    ins: &mut dyn ExactSizeIterator<Item = Option<T<'m>>>,
    outs: Option<&mut dyn ExactSizeIterator<Item = Option<T<'m>>>>,
) -> Result<u32, Error> {
    let bad = Error::BadSubgraph {
        op: op.index,
        subgraph: callee as u32,
    };
    let model = op.sg.model();
    let c = usize::try_from(callee).map_err(|_| bad)?;
    let sg = model.subgraph(c).ok_or(bad)?;
    let same = |list: Ints<'_>, theirs: &mut dyn ExactSizeIterator<Item = Option<T<'m>>>| {
        if list.len() != theirs.len() {
            return false;
        }
        list.iter().zip(theirs).all(|(t, mine)| {
            let t = usize::try_from(t).ok().and_then(|t| sg.tensor(t));
            match (t, mine) {
                (Some(t), Some(m)) => t.ty() == m.t.ty() && t.byte_size() == m.t.byte_size(),
                _ => false,
            }
        })
    };
    if !same(sg.inputs(), ins) {
        return Err(bad);
    }
    match outs {
        Some(outs) => {
            if !same(sg.outputs(), outs) {
                return Err(bad);
            }
        }
        None => {
            let cond = usize::try_from(sg.outputs().get(0))
                .ok()
                .and_then(|t| sg.tensor(t))
                .filter(|_| !sg.outputs().is_empty());
            if !cond.is_some_and(|t| {
                t.ty() == crate::schema::TensorType::Bool && t.element_count() >= 1
            }) {
                return Err(bad);
            }
        }
    }
    Ok(c as u32)
}

/// The op's inputs `from..` as an iterator for [`check_call`].
pub(crate) fn inputs<'m>(
    op: &OpCtx<'m>,
    from: usize,
) -> impl ExactSizeIterator<Item = Option<T<'m>>> + 'm {
    let op = *op;
    (from..op.op.inputs().len().max(from)).map(move |k| op.optional_input(k))
}

/// The op's outputs as an iterator for [`check_call`].
pub(crate) fn outputs<'m>(op: &OpCtx<'m>) -> impl ExactSizeIterator<Item = Option<T<'m>>> + 'm {
    let op = *op;
    (0..op.op.outputs().len()).map(move |k| op.output(k).ok())
}

/// Keeps the checked subgraphs as the op's data.
pub(crate) fn persist(ctx: &mut PrepareCtx<'_>, a: u32, b: u32) -> Result<(), Error> {
    ctx.persist(&[a, b, 0u32])
}
