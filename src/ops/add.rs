//! ADD: int8 (TFLM's 20-bit left-shift rescaling), int16 (the general-scale path, 15-bit
//! headroom, zero points honoured), int32 (wrapping, no activation, as TFLM) and float32,
//! with broadcasting up to rank 4.
//! The glue is SUB's too ([`super::elementwise::prepare_add_sub`]).

use super::elementwise::{eval_add_sub, prepare_add_sub, AddSubOp};
use super::{EvalCtx, PrepareCtx, Registration};
use crate::error::Error;
use crate::schema::{options, BuiltinOperator};
use microlite_kernels::add::{add_f32, add_i32, add_int16, add_int8};

/// The set-ups and kernels of each dtype.
const OP: AddSubOp = AddSubOp {
    tag: options::ADD,
    int8: add_int8,
    int16: add_int16,
    float: add_f32,
    int32: Some(add_i32),
};

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::ADD, 5, prepare, eval)
}

/// Validates, and for int8 and int16 computes TFLM's multipliers once (double-precision
/// ratios, here on integers).
fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    prepare_add_sub(ctx, &OP)
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    eval_add_sub(ctx, &OP)
}
