//! ARG_MAX over one constant axis: float32, int8, int16 and int32 inputs; int32 (as TFLM) or
//! int64 output; ties pick the first index. ARG_MIN (`arg_min.rs`) shares this glue.

use super::{Element, Io, OpCtx, OpPlan, Registration};
use crate::error::Error;
use crate::schema::{BuiltinOperator, TensorType};
use microlite_kernels::arg_max::{arg_max, ArgIndex};
use microlite_kernels::arg_min::arg_min;

pub(crate) fn registration() -> Registration {
    super::legacy_registration!(BuiltinOperator::ARG_MAX, 3)
}

/// The input viewed as `[outer, axis_size, inner]`, with the input and output types.
struct Params {
    outer: usize,
    axis_size: usize,
    inner: usize,
    in_ty: TensorType,
    out_ty: TensorType,
}

fn params(ctx: &OpCtx<'_>) -> Result<Params, Error> {
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
    match input.t.ty() {
        TensorType::Float32 | TensorType::Int8 | TensorType::Int16 | TensorType::Int32 => {}
        _ => return Err(ctx.type_err(&input)),
    }
    match output.t.ty() {
        TensorType::Int32 | TensorType::Int64 => {}
        _ => return Err(ctx.type_err(&output)),
    }
    Ok(Params {
        outer,
        axis_size,
        inner,
        in_ty: input.t.ty(),
        out_ty: output.t.ty(),
    })
}

/// Validation shared by ARG_MAX and ARG_MIN.
pub(super) fn prepare(ctx: &OpCtx<'_>, _data: Option<&mut [i32]>) -> Result<OpPlan, Error> {
    params(ctx)?;
    Ok(OpPlan::default())
}

fn run<E: Element + PartialOrd, O: Element + ArgIndex>(
    ctx: &OpCtx<'_>,
    io: &mut Io<'_>,
    p: &Params,
    is_max: bool,
) -> Result<(), Error> {
    let x = io.input::<E>(0)?;
    let out = io.output::<O>(0)?;
    if is_max {
        arg_max(p.outer, p.axis_size, p.inner, x, out)
    } else {
        arg_min(p.outer, p.axis_size, p.inner, x, out)
    }
    .map_err(|e| ctx.kernel_err(e))
}

fn run_out<E: Element + PartialOrd>(
    ctx: &OpCtx<'_>,
    io: &mut Io<'_>,
    p: &Params,
    is_max: bool,
) -> Result<(), Error> {
    if p.out_ty == TensorType::Int64 {
        run::<E, i64>(ctx, io, p, is_max)
    } else {
        run::<E, i32>(ctx, io, p, is_max)
    }
}

/// Eval shared by ARG_MAX (`is_max`) and ARG_MIN.
pub(super) fn eval_with(ctx: &OpCtx<'_>, io: &mut Io<'_>, is_max: bool) -> Result<(), Error> {
    let p = params(ctx)?;
    match p.in_ty {
        TensorType::Float32 => run_out::<f32>(ctx, io, &p, is_max),
        TensorType::Int8 => run_out::<i8>(ctx, io, &p, is_max),
        TensorType::Int16 => run_out::<i16>(ctx, io, &p, is_max),
        _ => run_out::<i32>(ctx, io, &p, is_max),
    }
}

fn eval(ctx: &OpCtx<'_>, io: &mut Io<'_>, _data: &[i32]) -> Result<(), Error> {
    eval_with(ctx, io, true)
}
