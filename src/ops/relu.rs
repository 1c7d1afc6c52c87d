//! RELU: int8 (requantized onto the output scale, as TFLM) and float32.

use super::elementwise::{int8_params, unary};
use super::{kinds, EvalCtx, PrepareCtx, Registration};
use crate::error::Error;
use crate::schema::{BuiltinOperator, TensorType};
use microlite_kernels::relu::{relu_f32, relu_int8, relu_prepare_int8, ReluParamsInt8};

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::RELU, 3, prepare, eval)
}

kinds! {
    enum Kind { Int8, Float32 }
}

int8_params! {
    /// The kernel's int8 parameters, as op data.
    struct ReluInt8 for [ReluParamsInt8] {
        input_offset,
        output_offset,
        output_multiplier,
        output_shift,
        act_min,
        act_max,
    }
}

/// What eval needs, fixed at prepare.
#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Data {
    kind: u32,
    /// Int8 requantization (zeroed for float32).
    q: ReluInt8,
}

fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    let op = ctx.op;
    let (input, output) = unary(&op)?;
    let d = match input.t.ty() {
        TensorType::Int8 => {
            let ((si, zi), (so, zo)) = (op.quant(&input)?, op.quant(&output)?);
            Data {
                kind: Kind::Int8.tag(),
                q: relu_prepare_int8(si, zi, so, zo).into(),
            }
        }
        TensorType::Float32 => Data {
            kind: Kind::Float32.tag(),
            q: ReluInt8::default(),
        },
        _ => return Err(op.type_err(&input)),
    };
    ctx.persist(&d)
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    let d = ctx.data::<Data>()?;
    match Kind::from_tag(d.kind)? {
        Kind::Int8 => relu_int8(&d.q.into(), ctx.input::<i8>(0)?, ctx.output::<i8>(0)?),
        Kind::Float32 => relu_f32(ctx.input::<f32>(0)?, ctx.output::<f32>(0)?),
    }
    .map_err(|e| ctx.kernel_err(e))
}
