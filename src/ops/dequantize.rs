//! DEQUANTIZE: int8, int16 and uint8 -> float32 as TFLM, and float16 -> float32 (beyond TFLM,
//! as LiteRT: MediaPipe models keep float16 weights behind it), converted exactly.

use super::{kinds, EvalCtx, PrepareCtx, Registration};
use crate::error::Error;
use crate::schema::{BuiltinOperator, TensorType};
use microlite_kernels::dequantize::dequantize;
use microlite_kernels::float16::dequantize_f16;

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::DEQUANTIZE, 6, prepare, eval)
}

kinds! {
    /// The input's type (the output is float32).
    enum Kind { Int8, Int16, UInt8, Float16 }
}

/// What eval needs, fixed at prepare: the input's quantization.
#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Data {
    kind: u32,
    scale: f32,
    zero_point: i32,
}

fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    let op = ctx.op;
    op.expect_counts(1, 1, 1)?;
    let (input, output) = (op.input(0)?, op.output(0)?);
    if input.t.element_count() != output.t.element_count() {
        return Err(op.shape_err(&output));
    }
    let kind = match input.t.ty() {
        TensorType::Int8 => Kind::Int8,
        TensorType::Int16 => Kind::Int16,
        TensorType::UInt8 => Kind::UInt8,
        TensorType::Float16 => Kind::Float16,
        _ => return Err(op.type_err(&input)),
    };
    op.expect_type(&output, TensorType::Float32)?;
    let (scale, zero_point) = match kind {
        Kind::Float16 => (1.0, 0),
        _ => op.quant(&input)?,
    };
    ctx.persist(&Data {
        kind: kind.tag(),
        scale,
        zero_point,
    })
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    let d = ctx.data::<Data>()?;
    match Kind::from_tag(d.kind)? {
        Kind::Int8 => {
            let (x, out) = (ctx.input::<i8>(0)?, ctx.output::<f32>(0)?);
            dequantize(d.scale, d.zero_point, x, out)
        }
        Kind::Int16 => {
            let (x, out) = (ctx.input::<i16>(0)?, ctx.output::<f32>(0)?);
            dequantize(d.scale, d.zero_point, x, out)
        }
        Kind::UInt8 => {
            let (x, out) = (ctx.input::<u8>(0)?, ctx.output::<f32>(0)?);
            dequantize(d.scale, d.zero_point, x, out)
        }
        Kind::Float16 => {
            let (x, out) = (ctx.input_bytes(0)?, ctx.output::<f32>(0)?);
            dequantize_f16(x, out)
        }
    }
    .map_err(|e| ctx.kernel_err(e))
}
