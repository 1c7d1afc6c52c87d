//! "Will this model run?": every op resolved and prepared by the same code `Interpreter::new`
//! runs, every blocker reported, not only the first.

use super::*;

/// One reason a model cannot run with a resolver: the op and the error its resolution or
/// prepare gives (the op is `u32::MAX` for an error of the whole graph, such as planning).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Blocker {
    /// The operator's index (ops of all subgraphs numbered one subgraph after another, the
    /// main subgraph's first), or `u32::MAX`.
    pub op: u32,
    /// Why: [`Error::UnsupportedOp`] / [`Error::CustomOp`] for an op the resolver lacks,
    /// [`Error::UnsupportedType`] naming the tensor and its type, shapes, options, ...
    pub error: Error,
}

/// Checks `model` against `resolver` with the code [`Interpreter::new`] runs: each op of
/// every subgraph is resolved and prepared on its own, so that one op's problem does not hide
/// the next one's, and `each` is called for every op that would stop the model. When no op
/// does, the whole interpreter is built in `scratch` and its error, if any, is reported too
/// (a graph problem, or `scratch` smaller than the arena the model needs). Returns the number
/// of blockers: 0 means `Interpreter::new` succeeds with this resolver and an arena the size
/// of `scratch`.
///
/// Usable from a build script or a test (host code with a generous `scratch`):
///
/// ```
/// # fn main() -> Result<(), microlite::Error> {
/// use microlite::{check_model, Model, MutableOpResolver};
/// # let bytes = std::fs::read("tests/conformance/fc_relu_int8/model.tflite").unwrap();
/// # let mut aligned = vec![0u128; bytes.len().div_ceil(16)];
/// # let buf: &mut [u8] = bytemuck::cast_slice_mut(&mut aligned);
/// # buf[..bytes.len()].copy_from_slice(&bytes);
/// # let model_bytes = &buf[..bytes.len()];
/// let model = Model::from_bytes(model_bytes)?;
/// let mut resolver = MutableOpResolver::<1>::new();
/// resolver.add_softmax()?; // not what this model needs
/// let mut scratch = vec![0u128; 1 << 14];
/// let scratch: &mut [u8] = bytemuck::cast_slice_mut(&mut scratch);
/// let mut found = Vec::new();
/// let n = check_model(model, &resolver, scratch, |b| found.push(b));
/// assert_eq!(n, found.len());
/// assert!(n > 0); // FULLY_CONNECTED is not registered
/// for b in &found {
///     println!("op {}: {}", b.op, b.error);
/// }
/// # Ok(()) }
/// ```
pub fn check_model(
    model: Model<'_>,
    resolver: &dyn OpResolver,
    scratch: &mut [u8],
    mut each: impl FnMut(Blocker),
) -> usize {
    let regs = resolver.registrations();
    let mut count = 0;
    let mut g = 0;
    for s in 0..model.subgraph_count() {
        let Some(sg) = model.subgraph(s) else { break };
        for i in 0..sg.operator_count() {
            if let Err(error) = check_op(&model, sg, regs, i, g, scratch) {
                count += 1;
                let op = u32::try_from(g).unwrap_or(u32::MAX);
                each(Blocker { op, error });
            }
            g += 1;
        }
    }
    if count == 0 {
        if let Err(e) = Interpreter::new(model, resolver, scratch) {
            let op = match e {
                Error::UnsupportedType { op, .. }
                | Error::ShapeMismatch { op, .. }
                | Error::BadQuantization { op, .. }
                | Error::BadOptions { op }
                | Error::OperandCount { op }
                | Error::NotVariable { op, .. }
                | Error::BadSubgraph { op, .. }
                | Error::BadVariable { op, .. } => op,
                _ => u32::MAX,
            };
            count += 1;
            each(Blocker { op, error: e });
        }
    }
    count
}

/// Resolves op `i` of `sg` (global op `g`) and runs its prepare, staging at the start of
/// `scratch`.
fn check_op(
    model: &Model<'_>,
    sg: SubGraph<'_>,
    regs: &[Registration],
    i: usize,
    g: usize,
    scratch: &mut [u8],
) -> Result<(), Error> {
    let op = sg.operator(i).ok_or(Error::TooComplex)?;
    let reg = regs
        .get(resolve(model, &op, regs, g)?)
        .ok_or(Error::TooComplex)?;
    let n = op.inputs().len() + op.outputs().len();
    let data_at = core::mem::size_of::<Operand>() * n;
    let words = scratch.get_mut(..data_at).ok_or(Error::ArenaTooSmall {
        needed: data_at,
        available: 0,
    })?;
    let operands: &mut [Operand] = match words {
        [] => &mut [],
        w => bytemuck::try_cast_slice_mut(w).map_err(|_| Error::ArenaMisaligned)?,
    };
    for (o, t) in operands
        .iter_mut()
        .zip(op.inputs().iter().chain(op.outputs().iter()))
    {
        *o = Operand {
            at: if t < 0 { Operand::ABSENT } else { t as u32 },
            len: 0,
        };
    }
    refuse_sparse(sg, &op, reg.code, g)?;
    let ctx = OpCtx::new(model, sg, op, u32_of(g)?);
    let mut pctx = PrepareCtx::new(ctx, scratch, 0, data_at);
    (reg.prepare)(&mut pctx)
}

/// [`Error::SparseInput`] when op `i` (of builtin `code`) reads a sparse tensor and is not
/// DENSIFY: a sparse constant holds fewer values than its shape, which only DENSIFY expands.
pub(super) fn refuse_sparse(
    sg: SubGraph<'_>,
    op: &crate::model::Operator<'_>,
    code: BuiltinOperator,
    i: usize,
) -> Result<(), Error> {
    if code == BuiltinOperator::DENSIFY {
        return Ok(());
    }
    for t in op.inputs().iter().filter(|&t| t >= 0) {
        if sg.tensor(t as usize).is_some_and(|x| x.is_sparse()) {
            return Err(Error::SparseInput {
                op: u32_of(i)?,
                tensor: t as u32,
            });
        }
    }
    Ok(())
}
