//! FLOOR_MOD: `x mod y` taking the divisor's sign, with broadcasting up to rank 4, float32 only
//! as TFLM. A zero divisor gives NaN (TFLM does not check it).

use super::elementwise::Broadcast;
use super::floor_div::prepare;
use super::{EvalCtx, Registration};
use crate::error::Error;
use crate::schema::BuiltinOperator;
use microlite_kernels::floor_mod::floor_mod_f32;

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::FLOOR_MOD, 2, prepare, eval)
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    let (s1, s2, so) = ctx.data::<Broadcast>()?.shapes();
    let (x, y) = (ctx.input::<f32>(0)?, ctx.input::<f32>(1)?);
    let out = ctx.output::<f32>(0)?;
    floor_mod_f32(s1, x, s2, y, so, out).map_err(|e| ctx.kernel_err(e))
}
