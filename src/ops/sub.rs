//! SUB: int8 (TFLM's 20-bit left-shift rescaling, multipliers from `f32` scale ratios) and
//! float32, with broadcasting up to rank 4 and a fused activation. The glue is ADD's
//! ([`super::elementwise::prepare_add_sub`]).

use super::elementwise::{eval_add_sub, prepare_add_sub};
use super::{EvalCtx, PrepareCtx, Registration};
use crate::error::Error;
use crate::schema::{options, BuiltinOperator};
use microlite_kernels::sub::{sub_f32, sub_int8, sub_prepare_int8};

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::SUB, 5, prepare, eval)
}

/// Validates, and for int8 computes TFLM's multipliers once (scale ratios in f32, as TFLM).
fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    prepare_add_sub(ctx, options::SUB, sub_prepare_int8)
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    eval_add_sub(ctx, sub_int8, sub_f32)
}
