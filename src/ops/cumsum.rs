//! CUMSUM: float32 and int8 cumulative sums along a constant int32 axis, `exclusive` and
//! `reverse` from `CumsumOptions`, as TFLM (int8: see `microlite_kernels::cumsum`, whose sum
//! carries TFLM's one extra `-zero_point`). TFLM reads the axis at eval; microlite needs it
//! constant.

use super::movement::{axis, const_ints, same_type, word, Dims};
use super::{kinds, EvalCtx, PrepareCtx, Registration};
use crate::error::Error;
use crate::schema::{BuiltinOperator, TensorType};
use microlite_kernels::cumsum::{cumsum_f32, cumsum_int8, cumsum_prepare_int8, CumsumParamsInt8};

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::CUMSUM, 1, prepare, eval)
}

/// The `BuiltinOptions` union tag of `CumsumOptions`.
const CUMSUM_OPTIONS: u8 = 102;

kinds! {
    enum Kind { Float32, Int8 }
}

#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Data {
    kind: u32,
    outer: u32,
    depth: u32,
    inner: u32,
    exclusive: u32,
    reverse: u32,
    input_offset: i32,
    output_offset: i32,
    input_multiplier: i32,
    input_shift: i32,
    output_multiplier: i32,
    output_shift: i32,
}

fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    let op = ctx.op;
    op.expect_counts(2, 2, 1)?;
    let (input, axis_t, output) = (op.input(0)?, op.input(1)?, op.output(0)?);
    same_type(&op, &input, &output)?;
    op.expect_type(&axis_t, TensorType::Int32)?;
    let id = Dims::of(&input);
    if id.rank == 0 {
        return Err(op.shape_err(&input));
    }
    if Dims::of(&output) != id {
        return Err(op.shape_err(&output));
    }
    let (v, n) = const_ints::<1>(&op, &axis_t)?;
    if n != 1 {
        return Err(op.shape_err(&axis_t));
    }
    let ax = axis(&op, v[0], id.rank)?;
    let (exclusive, reverse) = match op.options(CUMSUM_OPTIONS) {
        Some(o) => (o.bool(0, false)?, o.bool(1, false)?),
        None => (false, false),
    };
    let (kind, q) = match input.t.ty() {
        TensorType::Float32 => (Kind::Float32, CumsumParamsInt8::default()),
        TensorType::Int8 => {
            let ((si, zi), (so, zo)) = (op.quant(&input)?, op.quant(&output)?);
            (Kind::Int8, cumsum_prepare_int8(si, zi, so, zo))
        }
        _ => return Err(op.type_err(&input)),
    };
    let (outer, inner) = id.around(ax);
    ctx.persist(&Data {
        kind: kind.tag(),
        outer: word(&op, &input, outer)?,
        depth: word(&op, &input, id.dim(ax))?,
        inner: word(&op, &input, inner)?,
        exclusive: u32::from(exclusive),
        reverse: u32::from(reverse),
        input_offset: q.input_offset,
        output_offset: q.output_offset,
        input_multiplier: q.input_multiplier,
        input_shift: q.input_shift,
        output_multiplier: q.output_multiplier,
        output_shift: q.output_shift,
    })
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    let d = *ctx.data::<Data>()?;
    let (outer, depth, inner) = (d.outer as usize, d.depth as usize, d.inner as usize);
    let (exclusive, reverse) = (d.exclusive != 0, d.reverse != 0);
    match Kind::from_tag(d.kind)? {
        Kind::Float32 => {
            let x = ctx.input::<f32>(0)?;
            cumsum_f32(
                outer,
                depth,
                inner,
                exclusive,
                reverse,
                x,
                ctx.output::<f32>(0)?,
            )
        }
        Kind::Int8 => {
            let p = CumsumParamsInt8 {
                input_offset: d.input_offset,
                output_offset: d.output_offset,
                input_multiplier: d.input_multiplier,
                input_shift: d.input_shift,
                output_multiplier: d.output_multiplier,
                output_shift: d.output_shift,
            };
            let x = ctx.input::<i8>(0)?;
            cumsum_int8(
                &p,
                outer,
                depth,
                inner,
                exclusive,
                reverse,
                x,
                ctx.output::<i8>(0)?,
            )
        }
    }
    .map_err(|e| ctx.kernel_err(e))
}
