//! QUANTIZE: float32 -> int8/int16, and integer requantization between the pairs TFLM's
//! `quantize_common.cc` runs (int8, int16, int32 and uint8; see [`Kind`]). float32 -> uint8,
//! which TFLM's prepare accepts and its eval then refuses, is refused at prepare.

use super::Element;
use super::{kinds, EvalCtx, PrepareCtx, Registration};
use crate::error::Error;
use crate::schema::{BuiltinOperator, TensorType};
use microlite_kernels::quant::QuantizedInt;
use microlite_kernels::quantize::{quantize_f32, requantize, requantize_multiplier};
use microlite_kernels::KernelError;

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::QUANTIZE, 3, prepare, eval)
}

kinds! {
    /// Input and output types.
    enum Kind {
        F32ToI8, F32ToI16,
        I8ToI8, I8ToI16, I8ToI32, I8ToU8, U8ToI8,
        I16ToI8, I16ToI16, I16ToI32, I32ToI8, I32ToI16,
    }
}

/// What eval needs, fixed at prepare.
#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Data {
    kind: u32,
    /// The output's quantization.
    out_scale: f32,
    out_zero_point: i32,
    /// Int8 input: its zero point and the rescale onto the output (zeroed for float32).
    in_zero_point: i32,
    multiplier: i32,
    shift: i32,
}

fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    use TensorType::{Float32, Int16, Int32, Int8, UInt8};
    let op = ctx.op;
    op.expect_counts(1, 1, 1)?;
    let (input, output) = (op.input(0)?, op.output(0)?);
    if input.t.element_count() != output.t.element_count() {
        return Err(op.shape_err(&output));
    }
    let kind = match (input.t.ty(), output.t.ty()) {
        (Float32, Int8) => Kind::F32ToI8,
        (Float32, Int16) => Kind::F32ToI16,
        (Int8, Int8) => Kind::I8ToI8,
        (Int8, Int16) => Kind::I8ToI16,
        (Int8, Int32) => Kind::I8ToI32,
        (Int8, UInt8) => Kind::I8ToU8,
        (UInt8, Int8) => Kind::U8ToI8,
        (Int16, Int8) => Kind::I16ToI8,
        (Int16, Int16) => Kind::I16ToI16,
        (Int16, Int32) => Kind::I16ToI32,
        (Int32, Int8) => Kind::I32ToI8,
        (Int32, Int16) => Kind::I32ToI16,
        (Float32 | Int8 | UInt8 | Int16 | Int32, _) => return Err(op.type_err(&output)),
        _ => return Err(op.type_err(&input)),
    };
    let (out_scale, out_zero_point) = op.quant(&output)?;
    let mut d = Data {
        kind: kind.tag(),
        out_scale,
        out_zero_point,
        in_zero_point: 0,
        multiplier: 0,
        shift: 0,
    };
    if input.t.ty() != Float32 {
        // TFLM: `(double)in_scale / (double)out_scale`, rounded by QuantizeMultiplier.
        let (in_scale, in_zero_point) = op.quant(&input)?;
        (d.multiplier, d.shift) = requantize_multiplier(in_scale, out_scale);
        d.in_zero_point = in_zero_point;
    }
    ctx.persist(&d)
}

/// Requantizes input 0 (`I`) into output 0 (`O`).
fn run<I: Element + QuantizedInt, O: Element + QuantizedInt>(
    ctx: &mut EvalCtx<'_>,
    d: &Data,
) -> Result<(), KernelError> {
    let (Ok(x), Ok(out)) = (ctx.input::<I>(0), ctx.output::<O>(0)) else {
        return Err(KernelError::ShapeMismatch);
    };
    requantize(
        d.multiplier,
        d.shift,
        d.in_zero_point,
        d.out_zero_point,
        x,
        out,
    )
}

/// Quantizes float input 0 into output 0 (`O`).
fn run_f32<O: Element + QuantizedInt>(ctx: &mut EvalCtx<'_>, d: &Data) -> Result<(), KernelError> {
    let (Ok(x), Ok(out)) = (ctx.input::<f32>(0), ctx.output::<O>(0)) else {
        return Err(KernelError::ShapeMismatch);
    };
    quantize_f32(d.out_scale, d.out_zero_point, x, out)
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    let d = *ctx.data::<Data>()?;
    match Kind::from_tag(d.kind)? {
        Kind::F32ToI8 => run_f32::<i8>(ctx, &d),
        Kind::F32ToI16 => run_f32::<i16>(ctx, &d),
        Kind::I8ToI8 => run::<i8, i8>(ctx, &d),
        Kind::I8ToI16 => run::<i8, i16>(ctx, &d),
        Kind::I8ToI32 => run::<i8, i32>(ctx, &d),
        Kind::I8ToU8 => run::<i8, u8>(ctx, &d),
        Kind::U8ToI8 => run::<u8, i8>(ctx, &d),
        Kind::I16ToI8 => run::<i16, i8>(ctx, &d),
        Kind::I16ToI16 => run::<i16, i16>(ctx, &d),
        Kind::I16ToI32 => run::<i16, i32>(ctx, &d),
        Kind::I32ToI8 => run::<i32, i8>(ctx, &d),
        Kind::I32ToI16 => run::<i32, i16>(ctx, &d),
    }
    .map_err(|e| ctx.kernel_err(e))
}
