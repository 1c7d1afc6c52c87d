//! RSQRT: float32 (`1 / sqrtf(x)`) and int8 (TFLM's fixed-point inverse square root, then
//! `1 / (sqrt(in_scale) * out_scale)`); an int8 input below its zero point fails the invoke,
//! as in TFLM. TFLM has no int16 RSQRT.

use super::elementwise::int8_params;
use super::math::unary_same;
use super::{kinds, EvalCtx, PrepareCtx, Registration};
use crate::error::Error;
use crate::schema::{BuiltinOperator, TensorType};
use microlite_kernels::math::rsqrt_f32;
use microlite_kernels::rsqrt::{rsqrt_int8, rsqrt_prepare, RsqrtParams};

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::RSQRT, 3, prepare, eval)
}

kinds! {
    enum Kind { Float32, Int8 }
}

int8_params! {
    /// The kernel's int8 parameters, as op data.
    struct RsqrtQ for [RsqrtParams] {
        input_offset,
        output_offset,
        multiplier,
        shift,
    }
}

/// What eval needs, fixed at prepare.
#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Data {
    kind: u32,
    /// Int8 parameters (zeroed for float32).
    q: RsqrtQ,
}

fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    let op = ctx.op;
    let (input, output) = unary_same(&op)?;
    let d = match input.t.ty() {
        TensorType::Float32 => Data {
            kind: Kind::Float32.tag(),
            q: RsqrtQ::default(),
        },
        TensorType::Int8 => {
            let ((si, zi), (so, zo)) = (op.quant(&input)?, op.quant(&output)?);
            Data {
                kind: Kind::Int8.tag(),
                q: rsqrt_prepare(si, zi, so, zo).into(),
            }
        }
        _ => return Err(op.type_err(&input)),
    };
    ctx.persist(&d)
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    let d = ctx.data::<Data>()?;
    match Kind::from_tag(d.kind)? {
        Kind::Float32 => rsqrt_f32(ctx.input::<f32>(0)?, ctx.output::<f32>(0)?),
        Kind::Int8 => rsqrt_int8(&d.q.into(), ctx.input::<i8>(0)?, ctx.output::<i8>(0)?),
    }
    .map_err(|e| ctx.kernel_err(e))
}
