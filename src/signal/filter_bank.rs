//! `SignalFilterBank`: mel filter bank over a uint32 power spectrum into uint64 channels
//! (five int16 tables as inputs; options: `num_channels`).

use super::*;
use crate::ops::Registration;
use microlite_kernels::signal::filter_bank::{filter_bank, FilterBankTables};

pub(crate) fn registration() -> Registration {
    Registration::custom("SignalFilterBank", prepare, eval)
}

fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    counts(ctx, 6, 1)?;
    input(ctx, 0, TensorType::UInt32, Some(1))?;
    for k in 1..6 {
        input(ctx, k, TensorType::Int16, Some(1))?;
    }
    let out = output(ctx, 0, TensorType::UInt64, Some(1))?;
    let map = options(ctx)?;
    let n = opt_in(ctx, &map, 0, 0..i64::from(i32::MAX))?;
    if out.element_count() > n as usize {
        return Err(ctx.shape_error(0));
    }
    for k in 3..6 {
        if ctx.input(k)?.element_count() <= n as usize {
            return Err(ctx.shape_error(k));
        }
    }
    ctx.persist(&n)
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    let n = *ctx.data::<u32>()? as usize;
    let x = ctx.input::<u32>(0)?;
    let tables = FilterBankTables {
        weights: ctx.input::<i16>(1)?,
        unweights: ctx.input::<i16>(2)?,
        channel_frequency_starts: ctx.input::<i16>(3)?,
        channel_weight_starts: ctx.input::<i16>(4)?,
        channel_widths: ctx.input::<i16>(5)?,
    };
    let out = ctx.output::<u64>(0)?;
    filter_bank(x, &tables, n, out).map_err(|e| kernel_err(ctx, e))
}
