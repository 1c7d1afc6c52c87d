//! SELECT_V2: `condition ? x : y` with a bool condition and float32, int8 or int16 values (raw
//! copies: TFLM never requantizes here), the three inputs broadcast onto the output up to
//! rank 4.

use super::elementwise::same_type;
use super::{kinds, Element, EvalCtx, OpCtx, PrepareCtx, Registration, T};
use crate::error::Error;
use crate::schema::{BuiltinOperator, TensorType};
use microlite_kernels::select::select_v2;

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::SELECT_V2, 2, prepare, eval)
}

kinds! {
    enum Kind { Float32, Int8, Int16 }
}

/// What eval needs, fixed at prepare: the value type and the right-aligned rank-4 shapes of
/// the condition, `x`, `y` and the output.
#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Data {
    kind: u32,
    shapes: [[u32; 4]; 4],
}

/// The broadcast geometry of the three inputs (TFLM's `CheckBroadcastShape`: each dimension
/// is 1 or the largest of the three, which the output must have).
fn shapes(op: &OpCtx<'_>, ins: [&T<'_>; 3], output: &T<'_>) -> Result<[[u32; 4]; 4], Error> {
    let mut padded = [[1usize; 4]; 4];
    for (p, t) in padded.iter_mut().zip(ins.iter().copied().chain([output])) {
        *p = op.shape_padded4(t)?;
    }
    let [c, x, y, o] = padded;
    for i in 0..4 {
        let dims = [c, x, y].map(|s| s.get(i).copied().unwrap_or(1));
        let max = dims.iter().copied().max().unwrap_or(1);
        // TFLM: with a 0 dimension, the others must be 0 or 1 and the output 0.
        let max = if dims.contains(&0) { 0 } else { max };
        for (d, t) in dims.iter().zip(ins) {
            if *d != 1 && *d != max {
                return Err(op.shape_err(t));
            }
        }
        if o.get(i).copied() != Some(max) {
            return Err(op.shape_err(output));
        }
    }
    let mut out = [[0u32; 4]; 4];
    for ((n, p), t) in out
        .iter_mut()
        .zip(padded)
        .zip(ins.iter().copied().chain([output]))
    {
        for (d, &v) in n.iter_mut().zip(&p) {
            *d = u32::try_from(v).map_err(|_| op.shape_err(t))?;
        }
    }
    Ok(out)
}

fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    let op = ctx.op;
    op.expect_counts(3, 3, 1)?;
    let (cond, x, y, output) = (op.input(0)?, op.input(1)?, op.input(2)?, op.output(0)?);
    op.expect_type(&cond, TensorType::Bool)?;
    same_type(&op, &x, &y)?;
    same_type(&op, &x, &output)?;
    let kind = match x.t.ty() {
        TensorType::Float32 => Kind::Float32,
        TensorType::Int8 => Kind::Int8,
        TensorType::Int16 => Kind::Int16,
        _ => return Err(op.type_err(&x)),
    };
    let shapes = shapes(&op, [&cond, &x, &y], &output)?;
    ctx.persist(&Data {
        kind: kind.tag(),
        shapes,
    })
}

fn run<E: Element>(ctx: &mut EvalCtx<'_>, d: &Data) -> Result<(), Error> {
    let [sc, sx, sy, so] = d.shapes.map(|s| s.map(|v| v as usize));
    let (cond, x, y) = (ctx.input::<u8>(0)?, ctx.input::<E>(1)?, ctx.input::<E>(2)?);
    let out = ctx.output::<E>(0)?;
    select_v2(sc, cond, sx, x, sy, y, so, out).map_err(|e| ctx.kernel_err(e))
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    let d = *ctx.data::<Data>()?;
    match Kind::from_tag(d.kind)? {
        Kind::Float32 => run::<f32>(ctx, &d),
        Kind::Int8 => run::<i8>(ctx, &d),
        Kind::Int16 => run::<i16>(ctx, &d),
    }
}
