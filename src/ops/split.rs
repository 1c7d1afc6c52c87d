//! SPLIT: cuts a tensor into `num_splits` equal parts along a constant axis (inputs: axis,
//! then the tensor). Raw copies, as TFLM's `SplitImpl`. At most 8 outputs
//! ([`super::MAX_OUTPUTS`]); more is `TooComplex`.

use super::movement::{axis, by_size, check_outputs, const_ints, elem_size, head, same_type, Dims};
use super::{Io, OpCtx, OpPlan, Registration};
use crate::error::Error;
use crate::schema::{options, BuiltinOperator};
use microlite_kernels::concatenation::AxisBand;
use microlite_kernels::split::split_part;

pub(crate) fn registration() -> Registration {
    super::legacy_registration!(BuiltinOperator::SPLIT, 4)
}

/// Checks that the outputs tile `input` (`data` index) along `axis` and are otherwise equal
/// to it; returns the outputs' sizes along the axis (shared with SPLIT_V).
pub(super) fn check_parts(
    ctx: &OpCtx<'_>,
    data: usize,
    axis: usize,
    n: usize,
) -> Result<[usize; super::MAX_OUTPUTS], Error> {
    let input = ctx.input(data)?;
    let id = Dims::of(&input);
    let mut lens = [0usize; super::MAX_OUTPUTS];
    let mut total = 0usize;
    for (k, len) in lens.iter_mut().enumerate().take(n) {
        let output = ctx.output(k)?;
        same_type(ctx, &input, &output)?;
        let d = Dims::of(&output);
        if d.rank != id.rank || !d.without(axis).eq(id.without(axis)) {
            return Err(ctx.shape_err(&output));
        }
        *len = d.dim(axis);
        total = total.saturating_add(*len);
    }
    if total != id.dim(axis) {
        return Err(ctx.shape_err(&input));
    }
    Ok(lens)
}

/// Copies each output's band out of input `data`.
pub(super) fn run(
    ctx: &OpCtx<'_>,
    io: &mut Io<'_>,
    data: usize,
    axis: usize,
    lens: &[usize],
) -> Result<(), Error> {
    let input = ctx.input(data)?;
    let id = Dims::of(&input);
    let (outer, inner) = id.around(axis);
    by_size!(ctx, elem_size(ctx, &input)?, E => {
        let x = io.input::<E>(data)?;
        let mut start = 0;
        for (k, &len) in lens.iter().enumerate() {
            let band = AxisBand { outer, axis: id.dim(axis), inner, start, len };
            split_part(&band, x, io.output::<E>(k)?).map_err(|e| ctx.kernel_err(e))?;
            start += len;
        }
        Ok(())
    })
}

struct Params {
    n: usize,
    axis: usize,
    lens: [usize; super::MAX_OUTPUTS],
}

fn params(ctx: &OpCtx<'_>) -> Result<Params, Error> {
    ctx.expect_counts(2, 2, ctx.op.outputs().len())?;
    let num = match ctx.options(options::SPLIT) {
        Some(o) => o.i32(0, 0)?,
        None => 0,
    };
    let n = usize::try_from(num)
        .ok()
        .filter(|&n| n > 0)
        .ok_or(ctx.options_err())?;
    check_outputs(ctx, n)?;
    let (axis_t, input) = (ctx.input(0)?, ctx.input(1)?);
    elem_size(ctx, &input)?;
    let (a, count) = const_ints::<1>(ctx, &axis_t)?;
    if count != 1 {
        return Err(ctx.shape_err(&axis_t));
    }
    let id = Dims::of(&input);
    let axis = axis(ctx, a[0], id.rank)?;
    if !id.dim(axis).is_multiple_of(n) {
        return Err(ctx.shape_err(&input));
    }
    let lens = check_parts(ctx, 1, axis, n)?;
    if head(&lens, n).iter().any(|&l| l != id.dim(axis) / n) {
        return Err(ctx.shape_err(&ctx.output(0)?));
    }
    Ok(Params { n, axis, lens })
}

fn prepare(ctx: &OpCtx<'_>, _data: Option<&mut [i32]>) -> Result<OpPlan, Error> {
    params(ctx)?;
    Ok(OpPlan::default())
}

fn eval(ctx: &OpCtx<'_>, io: &mut Io<'_>, _data: &[i32]) -> Result<(), Error> {
    let p = params(ctx)?;
    run(ctx, io, 1, p.axis, head(&p.lens, p.n))
}
