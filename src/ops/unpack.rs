//! UNPACK: splits a tensor into `num` tensors along an axis, dropping that axis (raw copies, as
//! TFLM's `UnpackImpl`). At most 8 outputs ([`super::MAX_OUTPUTS`]); more is `TooComplex`.

use super::movement::{axis, by_size, check_outputs, elem_size, same_type, Dims};
use super::{Io, OpCtx, OpPlan, Registration};
use crate::error::Error;
use crate::model::MAX_RANK;
use crate::schema::{options, BuiltinOperator};
use microlite_kernels::concatenation::AxisBand;
use microlite_kernels::split::split_part;

pub(crate) fn registration() -> Registration {
    super::legacy_registration!(BuiltinOperator::UNPACK, 4)
}

struct Params {
    n: usize,
    size: usize,
    axis: usize,
    input: Dims,
}

fn params(ctx: &OpCtx<'_>) -> Result<Params, Error> {
    ctx.expect_counts(1, 1, ctx.op.outputs().len())?;
    let input = ctx.input(0)?;
    let (num, raw_axis) = match ctx.options(options::UNPACK) {
        Some(o) => (o.i32(0, 0)?, o.i32(1, 0)?),
        None => (0, 0),
    };
    let n = usize::try_from(num).map_err(|_| ctx.options_err())?;
    check_outputs(ctx, n)?;
    let id = Dims::of(&input);
    let axis = axis(ctx, i64::from(raw_axis), id.rank)?;
    if id.dim(axis) != n {
        return Err(ctx.shape_err(&input));
    }
    let size = elem_size(ctx, &input)?;
    for k in 0..n {
        let output = ctx.output(k)?;
        same_type(ctx, &input, &output)?;
        let d = Dims::of(&output);
        let ok = d.rank + 1 == id.rank && id.without(axis).eq(d.without(MAX_RANK));
        if !ok {
            return Err(ctx.shape_err(&output));
        }
    }
    Ok(Params {
        n,
        size,
        axis,
        input: id,
    })
}

fn prepare(ctx: &OpCtx<'_>, _data: Option<&mut [i32]>) -> Result<OpPlan, Error> {
    params(ctx)?;
    Ok(OpPlan::default())
}

fn eval(ctx: &OpCtx<'_>, io: &mut Io<'_>, _data: &[i32]) -> Result<(), Error> {
    let p = params(ctx)?;
    let (outer, inner) = p.input.around(p.axis);
    by_size!(ctx, p.size, E => {
        let x = io.input::<E>(0)?;
        for k in 0..p.n {
            let band = AxisBand { outer, axis: p.n, inner, start: k, len: 1 };
            split_part(&band, x, io.output::<E>(k)?).map_err(|e| ctx.kernel_err(e))?;
        }
        Ok(())
    })
}
