//! L2_NORMALIZATION over the last dimension: int8 (fixed-point inverse square root; the output
//! is read as scale 1/128, zero point 0, as TFLM) and float32. Rank 1 to 4, no fused
//! activation (TFLM refuses one).

use super::elementwise::unary;
use super::{Io, OpCtx, OpPlan, Registration};
use crate::error::Error;
use crate::schema::{options, BuiltinOperator, TensorType};
use microlite_kernels::l2_normalization::{l2_normalization_f32, l2_normalization_int8};

pub(crate) fn registration() -> Registration {
    super::legacy_registration!(BuiltinOperator::L2_NORMALIZATION, 2)
}

/// `(rows, depth)` after validation.
fn params(ctx: &OpCtx<'_>) -> Result<(usize, usize), Error> {
    let (input, _) = unary(ctx)?;
    if let Some(o) = ctx.options(options::L2_NORMALIZATION) {
        if o.u8(0, 0)? != 0 {
            return Err(ctx.options_err());
        }
    }
    let s = input.t.shape();
    if s.is_empty() || s.len() > 4 {
        return Err(ctx.shape_err(&input));
    }
    let depth = s.get(s.len() - 1) as usize;
    let rows = input.t.element_count().checked_div(depth).unwrap_or(0);
    Ok((rows, depth))
}

fn prepare(ctx: &OpCtx<'_>, _data: Option<&mut [i32]>) -> Result<OpPlan, Error> {
    params(ctx)?;
    Ok(OpPlan::default())
}

fn eval(ctx: &OpCtx<'_>, io: &mut Io<'_>, _data: &[i32]) -> Result<(), Error> {
    let (rows, depth) = params(ctx)?;
    let input = ctx.input(0)?;
    match input.t.ty() {
        TensorType::Int8 => {
            let (_, zp) = ctx.quant(&input)?;
            l2_normalization_int8(zp, rows, depth, io.input::<i8>(0)?, io.output::<i8>(0)?)
        }
        _ => l2_normalization_f32(rows, depth, io.input::<f32>(0)?, io.output::<f32>(0)?),
    }
    .map_err(|e| ctx.kernel_err(e))
}
