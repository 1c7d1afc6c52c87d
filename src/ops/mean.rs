//! MEAN: int8 and float32 reduction over constant axes, with or without keep_dims.

use super::{Io, OpCtx, OpPlan, Registration, T};
use crate::error::Error;
use crate::schema::{options, BuiltinOperator, TensorType};
use microlite_kernels::mean::{mean_f32, mean_int8};

pub(crate) fn registration() -> Registration {
    super::legacy_registration!(BuiltinOperator::MEAN, 3)
}

struct Params<'m> {
    input: T<'m>,
    output: T<'m>,
    in_shape: [usize; 4],
    axes: [bool; 4],
}

fn params<'m>(ctx: &OpCtx<'m>) -> Result<Params<'m>, Error> {
    ctx.expect_counts(2, 2, 1)?;
    let (input, axis, output) = (ctx.input(0)?, ctx.input(1)?, ctx.output(0)?);
    let keep_dims = match ctx.options(options::REDUCER) {
        Some(o) => o.bool(0, false)?,
        None => false,
    };
    let in_shape = ctx.shape_padded4(&input)?;
    let rank = input.t.shape().len();
    ctx.expect_type(&axis, TensorType::Int32)?;
    let data = axis.t.data().ok_or(ctx.shape_err(&axis))?;
    let mut axes = [false; 4];
    // TFLM accepts repeated axes; more entries than a rank-4 input could name are refused.
    if axis.t.element_count() > 2 * 4 {
        return Err(ctx.shape_err(&axis));
    }
    for k in 0..axis.t.element_count() {
        let b = data
            .get(4 * k..4 * k + 4)
            .and_then(|b| <[u8; 4]>::try_from(b).ok());
        let a = i32::from_le_bytes(b.ok_or(ctx.shape_err(&axis))?);
        let a = if a < 0 { a + rank as i32 } else { a };
        if a < 0 || a as usize >= rank {
            return Err(ctx.shape_err(&axis));
        }
        *axes
            .get_mut(4 - rank + a as usize)
            .ok_or(ctx.shape_err(&axis))? = true;
    }
    // The expected output shape: reduced dims become 1 (keep_dims) or disappear.
    let s = input.t.shape();
    let os = output.t.shape();
    let mut j = 0;
    for (i, d) in s.iter().enumerate() {
        let reduced = axes.get(4 - rank + i).copied().unwrap_or(false);
        if reduced && !keep_dims {
            continue;
        }
        let want = if reduced { 1 } else { d };
        if j >= os.len() || os.get(j) != want {
            return Err(ctx.shape_err(&output));
        }
        j += 1;
    }
    if j != os.len() {
        return Err(ctx.shape_err(&output));
    }
    if input.t.ty() != output.t.ty() {
        return Err(ctx.type_err(&output));
    }
    match input.t.ty() {
        TensorType::Int8 => {
            ctx.quant(&input)?;
            ctx.quant(&output)?;
        }
        TensorType::Float32 => {}
        _ => return Err(ctx.type_err(&input)),
    }
    Ok(Params {
        input,
        output,
        in_shape,
        axes,
    })
}

fn prepare(ctx: &OpCtx<'_>, _data: Option<&mut [i32]>) -> Result<OpPlan, Error> {
    let p = params(ctx)?;
    Ok(OpPlan {
        data_words: 0,
        scratch_bytes: 4 * p.output.t.element_count(),
    })
}

fn eval(ctx: &OpCtx<'_>, io: &mut Io<'_>, _data: &[i32]) -> Result<(), Error> {
    let p = params(ctx)?;
    match p.input.t.ty() {
        TensorType::Int8 => {
            let ((si, zi), (so, zo)) = (ctx.quant(&p.input)?, ctx.quant(&p.output)?);
            let x = io.input::<i8>(0)?;
            let scratch = io.scratch::<i32>()?;
            mean_int8(
                p.in_shape,
                x,
                si,
                zi,
                p.axes,
                so,
                zo,
                io.output::<i8>(0)?,
                scratch,
            )
        }
        _ => {
            let x = io.input::<f32>(0)?;
            let scratch = io.scratch::<f32>()?;
            mean_f32(p.in_shape, x, p.axes, io.output::<f32>(0)?, scratch)
        }
    }
    .map_err(|e| ctx.kernel_err(e))
}
