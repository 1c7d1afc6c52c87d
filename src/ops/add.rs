//! ADD: int8 (TFLM's 20-bit left-shift rescaling) and float32, with broadcasting up to rank 4.
//! The glue is SUB's too ([`super::elementwise::prepare_add_sub`]).

use super::elementwise::{eval_add_sub, prepare_add_sub};
use super::{EvalCtx, PrepareCtx, Registration};
use crate::error::Error;
use crate::schema::{options, BuiltinOperator};
use microlite_kernels::add::{add_f32, add_int8, add_prepare_int8};

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::ADD, 5, prepare, eval)
}

/// Validates, and for int8 computes TFLM's multipliers once (double-precision ratios, here
/// on integers).
fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    prepare_add_sub(ctx, options::ADD, add_prepare_int8)
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    eval_add_sub(ctx, add_int8, add_f32)
}
