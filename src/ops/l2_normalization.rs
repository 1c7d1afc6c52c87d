//! L2_NORMALIZATION over the last dimension: int8 (fixed-point inverse square root; the output
//! is read as scale 1/128, zero point 0, as TFLM) and float32. Rank 1 to 4, no fused
//! activation (TFLM refuses one).

use super::elementwise::unary;
use super::{kinds, EvalCtx, PrepareCtx, Registration};
use crate::error::Error;
use crate::schema::{options, BuiltinOperator, TensorType};
use microlite_kernels::l2_normalization::{l2_normalization_f32, l2_normalization_int8};

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::L2_NORMALIZATION, 2, prepare, eval)
}

kinds! {
    enum Kind { Int8, Float32 }
}

/// What eval needs, fixed at prepare.
#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Data {
    kind: u32,
    rows: u32,
    depth: u32,
    /// The int8 input's zero point (0 for float32).
    input_zero_point: i32,
}

fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    let op = ctx.op;
    let (input, _) = unary(&op)?;
    if let Some(o) = op.options(options::L2_NORMALIZATION) {
        if o.u8(0, 0)? != 0 {
            return Err(op.options_err());
        }
    }
    let s = input.t.shape();
    if s.is_empty() || s.len() > 4 {
        return Err(op.shape_err(&input));
    }
    let depth = s.get(s.len() - 1) as usize;
    let rows = input.t.element_count().checked_div(depth).unwrap_or(0);
    let word = |v: usize| u32::try_from(v).map_err(|_| op.shape_err(&input));
    let (kind, input_zero_point) = match input.t.ty() {
        TensorType::Int8 => (Kind::Int8, op.quant(&input)?.1),
        TensorType::Float32 => (Kind::Float32, 0),
        _ => return Err(op.type_err(&input)),
    };
    ctx.persist(&Data {
        kind: kind.tag(),
        rows: word(rows)?,
        depth: word(depth)?,
        input_zero_point,
    })
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    let d = ctx.data::<Data>()?;
    let (rows, depth) = (d.rows as usize, d.depth as usize);
    match Kind::from_tag(d.kind)? {
        Kind::Int8 => {
            let (x, out) = (ctx.input::<i8>(0)?, ctx.output::<i8>(0)?);
            l2_normalization_int8(d.input_zero_point, rows, depth, x, out)
        }
        Kind::Float32 => {
            l2_normalization_f32(rows, depth, ctx.input::<f32>(0)?, ctx.output::<f32>(0)?)
        }
    }
    .map_err(|e| ctx.kernel_err(e))
}
