//! PACK: stacks `values_count` same-shaped tensors along a new axis (raw copies, as TFLM's
//! `PackImpl`; int8 inputs are not requantized).

use super::movement::{axis, by_size, elem_size, same_type, Dims};
use super::{Io, OpCtx, OpPlan, Registration};
use crate::error::Error;
use crate::model::MAX_RANK;
use crate::schema::{options, BuiltinOperator};
use microlite_kernels::concatenation::{concatenation_part, AxisBand};

pub(crate) fn registration() -> Registration {
    super::legacy_registration!(BuiltinOperator::PACK, 4)
}

struct Params {
    n: usize,
    size: usize,
    axis: usize,
    out: Dims,
}

fn params(ctx: &OpCtx<'_>) -> Result<Params, Error> {
    let n = ctx.op.inputs().len();
    ctx.expect_counts(1, usize::MAX, 1)?;
    let output = ctx.output(0)?;
    let (count, raw_axis) = match ctx.options(options::PACK) {
        Some(o) => (o.i32(0, 0)?, o.i32(1, 0)?),
        None => (0, 0),
    };
    if count < 0 || count as usize != n {
        return Err(ctx.options_err());
    }
    let out = Dims::of(&output);
    let axis = axis(ctx, i64::from(raw_axis), out.rank)?;
    let size = elem_size(ctx, &output)?;
    if out.dim(axis) != n {
        return Err(ctx.shape_err(&output));
    }
    for k in 0..n {
        let input = ctx.input(k)?;
        same_type(ctx, &output, &input)?;
        let d = Dims::of(&input);
        // The input is the output without the axis.
        let ok = d.rank + 1 == out.rank && out.without(axis).eq(d.without(MAX_RANK));
        if !ok {
            return Err(ctx.shape_err(&input));
        }
    }
    Ok(Params { n, size, axis, out })
}

fn prepare(ctx: &OpCtx<'_>, _data: Option<&mut [i32]>) -> Result<OpPlan, Error> {
    params(ctx)?;
    Ok(OpPlan::default())
}

fn eval(ctx: &OpCtx<'_>, io: &mut Io<'_>, _data: &[i32]) -> Result<(), Error> {
    let p = params(ctx)?;
    let (outer, inner) = p.out.around(p.axis);
    by_size!(ctx, p.size, E => {
        let out = io.output::<E>(0)?;
        for k in 0..p.n {
            let band = AxisBand { outer, axis: p.n, inner, start: k, len: 1 };
            concatenation_part(&band, io.input::<E>(k)?, out).map_err(|e| ctx.kernel_err(e))?;
        }
        Ok(())
    })
}
