//! SUB: int8 (TFLM's 20-bit left-shift rescaling), int16 (15-bit headroom, zero points
//! honoured), multipliers from `f64` scale ratios as ADD's, and float32, with broadcasting up
//! to rank 4 and a fused activation. The glue is ADD's
//! ([`super::elementwise::prepare_add_sub`]).

use super::elementwise::{eval_add_sub, prepare_add_sub, AddSubOp};
use super::{EvalCtx, PrepareCtx, Registration};
use crate::error::Error;
use crate::schema::{options, BuiltinOperator};
use microlite_kernels::sub::{sub_f32, sub_int16, sub_int8};

/// The set-ups and kernels of each dtype.
const OP: AddSubOp = AddSubOp {
    tag: options::SUB,
    int8: sub_int8,
    int16: sub_int16,
    float: sub_f32,
    int32: None,
};

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::SUB, 5, prepare, eval)
}

/// Validates, and for int8 and int16 computes TFLM's multipliers once.
fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    prepare_add_sub(ctx, &OP)
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    eval_add_sub(ctx, &OP)
}
