//! ARG_MAX over one constant axis: float32, int8, int16 and int32 inputs; int32 (as TFLM) or
//! int64 output; ties pick the first index. ARG_MIN (`arg_min.rs`) shares this glue.

use super::movement::word;
use super::{kinds, Element, EvalCtx, OpCtx, PrepareCtx, Registration};
use crate::error::Error;
use crate::schema::{BuiltinOperator, TensorType};
use microlite_kernels::arg_max::{arg_max, ArgIndex};
use microlite_kernels::arg_min::arg_min;

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::ARG_MAX, 3, prepare, eval)
}

kinds! {
    /// The input type.
    enum In { Float32, Int8, Int16, Int32 }
}

kinds! {
    /// The output (index) type.
    enum Out { Int32, Int64 }
}

/// The input viewed as `[outer, axis_size, inner]`, with the input and output types.
#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Data {
    outer: u32,
    axis_size: u32,
    inner: u32,
    in_kind: u32,
    out_kind: u32,
}

fn params(ctx: &OpCtx<'_>) -> Result<Data, Error> {
    ctx.expect_counts(2, 2, 1)?;
    let (input, axis, output) = (ctx.input(0)?, ctx.input(1)?, ctx.output(0)?);
    // The axis: a constant int32 tensor; TFLM reads its first element.
    ctx.expect_type(&axis, TensorType::Int32)?;
    let a = axis
        .t
        .data()
        .and_then(|d| d.get(..4))
        .and_then(|b| <[u8; 4]>::try_from(b).ok())
        .map(i32::from_le_bytes)
        .ok_or(ctx.shape_err(&axis))?;
    let s = input.t.shape();
    let rank = s.len() as i64;
    let a = if a < 0 {
        i64::from(a) + rank
    } else {
        i64::from(a)
    };
    if rank == 0 || a < 0 || a >= rank {
        return Err(ctx.shape_err(&axis));
    }
    let a = a as usize;
    // The output shape is the input's without the axis.
    let os = output.t.shape();
    if os.len() + 1 != s.len() {
        return Err(ctx.shape_err(&output));
    }
    let (mut outer, mut inner) = (1usize, 1usize);
    for (i, d) in s.iter().enumerate() {
        let d = d as usize;
        if i < a {
            outer = outer.checked_mul(d).ok_or(ctx.shape_err(&input))?;
        } else if i > a {
            inner = inner.checked_mul(d).ok_or(ctx.shape_err(&input))?;
        }
        let want = match i.cmp(&a) {
            core::cmp::Ordering::Less => Some(i),
            core::cmp::Ordering::Equal => None,
            core::cmp::Ordering::Greater => Some(i - 1),
        };
        if let Some(j) = want {
            if os.get(j) as usize != d {
                return Err(ctx.shape_err(&output));
            }
        }
    }
    let axis_size = s.get(a) as usize;
    // An empty axis has no first element (TFLM would read out of bounds).
    if axis_size == 0 && outer.saturating_mul(inner) != 0 {
        return Err(ctx.shape_err(&input));
    }
    if axis_size > i32::MAX as usize {
        return Err(ctx.shape_err(&input));
    }
    let in_kind = match input.t.ty() {
        TensorType::Float32 => In::Float32,
        TensorType::Int8 => In::Int8,
        TensorType::Int16 => In::Int16,
        TensorType::Int32 => In::Int32,
        _ => return Err(ctx.type_err(&input)),
    };
    let out_kind = match output.t.ty() {
        TensorType::Int32 => Out::Int32,
        TensorType::Int64 => Out::Int64,
        _ => return Err(ctx.type_err(&output)),
    };
    // An empty input has an empty output: its dims around the axis do not matter.
    if input.t.element_count() == 0 {
        (outer, inner) = (0, 0);
    }
    Ok(Data {
        outer: word(ctx, &input, outer)?,
        axis_size: word(ctx, &input, axis_size)?,
        inner: word(ctx, &input, inner)?,
        in_kind: in_kind.tag(),
        out_kind: out_kind.tag(),
    })
}

/// Prepare of ARG_MAX and ARG_MIN.
pub(super) fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    let d = params(&ctx.op)?;
    ctx.persist(&d)
}

fn run<E: Element + PartialOrd, O: Element + ArgIndex>(
    ctx: &mut EvalCtx<'_>,
    d: &Data,
    is_max: bool,
) -> Result<(), Error> {
    let x = ctx.input::<E>(0)?;
    let out = ctx.output::<O>(0)?;
    let (outer, axis_size, inner) = (d.outer as usize, d.axis_size as usize, d.inner as usize);
    if is_max {
        arg_max(outer, axis_size, inner, x, out)
    } else {
        arg_min(outer, axis_size, inner, x, out)
    }
    .map_err(|e| ctx.kernel_err(e))
}

fn run_out<E: Element + PartialOrd>(
    ctx: &mut EvalCtx<'_>,
    d: &Data,
    is_max: bool,
) -> Result<(), Error> {
    match Out::from_tag(d.out_kind)? {
        Out::Int32 => run::<E, i32>(ctx, d, is_max),
        Out::Int64 => run::<E, i64>(ctx, d, is_max),
    }
}

/// Eval shared by ARG_MAX (`is_max`) and ARG_MIN.
pub(super) fn eval_with(ctx: &mut EvalCtx<'_>, is_max: bool) -> Result<(), Error> {
    let d = ctx.data::<Data>()?;
    match In::from_tag(d.in_kind)? {
        In::Float32 => run_out::<f32>(ctx, d, is_max),
        In::Int8 => run_out::<i8>(ctx, d, is_max),
        In::Int16 => run_out::<i16>(ctx, d, is_max),
        In::Int32 => run_out::<i32>(ctx, d, is_max),
    }
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    eval_with(ctx, true)
}
