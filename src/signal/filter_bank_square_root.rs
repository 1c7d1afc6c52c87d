//! `SignalFilterBankSquareRoot`: integer square roots of uint64 channels, shifted down by an
//! int32 scalar input (FftAutoScale's shift). No options.

use super::*;
use crate::ops::Registration;
use microlite_kernels::signal::filter_bank_square_root::filter_bank_square_root;

pub(crate) fn registration() -> Registration {
    Registration::custom("SignalFilterBankSquareRoot", prepare, eval)
}

fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    counts(ctx, 2, 1)?;
    let x = input(ctx, 0, TensorType::UInt64, Some(1))?;
    let bits = input(ctx, 1, TensorType::Int32, Some(0))?;
    let out = output(ctx, 0, TensorType::UInt32, Some(1))?;
    if out.element_count() != x.element_count() || bits.element_count() != 1 {
        return Err(ctx.shape_error(0));
    }
    Ok(())
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    let x = ctx.input::<u64>(0)?;
    let bits = ctx.input::<i32>(1)?.first().copied().unwrap_or(0);
    let out = ctx.output::<u32>(0)?;
    filter_bank_square_root(x, bits, out).map_err(|e| kernel_err(ctx, e))
}
