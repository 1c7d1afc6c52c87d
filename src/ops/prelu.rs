//! PRELU: int8, int16 with int8 slopes (two requantizations, as TFLM) and float32; the slopes
//! (second input) broadcast against the input up to rank 4.

use super::elementwise::{binary_prelu, int8_params, Broadcast};
use super::{kinds, EvalCtx, PrepareCtx, Registration};
use crate::error::Error;
use crate::schema::{BuiltinOperator, TensorType};
use microlite_kernels::prelu::{
    prelu_f32, prelu_int16, prelu_int8, prelu_prepare_int8, PreluParamsInt8,
};

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::PRELU, 1, prepare, eval)
}

kinds! {
    enum Kind { Int8, Float32, Int16 }
}

int8_params! {
    /// The kernel's int8 (or int16) parameters, as op data.
    struct PreluInt8 for [PreluParamsInt8] {
        input_offset,
        alpha_offset,
        output_offset,
        output_multiplier_1,
        output_shift_1,
        output_multiplier_2,
        output_shift_2,
    }
}

/// What eval needs, fixed at prepare.
#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Data {
    kind: u32,
    /// Input, alpha and output shapes.
    shapes: Broadcast,
    /// Int8 or int16 requantization (zeroed for float32).
    q: PreluInt8,
}

fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    let op = ctx.op;
    let p = binary_prelu(&op)?;
    let mut d = Data {
        kind: Kind::Float32.tag(),
        shapes: p.shapes,
        q: PreluInt8::default(),
    };
    let kind = match p.ty() {
        TensorType::Int8 => Kind::Int8,
        // int8 slopes ([`binary_prelu`] checked).
        TensorType::Int16 => Kind::Int16,
        _ => Kind::Float32,
    };
    if kind != Kind::Float32 {
        // Per-tensor scales; like TFLM, a per-channel alpha contributes its first scale.
        let [(si, zi), (sa, za), (so, zo)] = p.quant(&op)?;
        d.kind = kind.tag();
        d.q = prelu_prepare_int8(si, zi, sa, za, so, zo).into();
    }
    ctx.persist(&d)
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    let d = ctx.data::<Data>()?;
    let (si, sa, so) = d.shapes.shapes();
    match Kind::from_tag(d.kind)? {
        Kind::Int8 => {
            let (x, a) = (ctx.input::<i8>(0)?, ctx.input::<i8>(1)?);
            prelu_int8(&d.q.into(), si, x, sa, a, so, ctx.output::<i8>(0)?)
        }
        Kind::Int16 => {
            let (x, a) = (ctx.input::<i16>(0)?, ctx.input::<i8>(1)?);
            prelu_int16(&d.q.into(), si, x, sa, a, so, ctx.output::<i16>(0)?)
        }
        Kind::Float32 => {
            let (x, a) = (ctx.input::<f32>(0)?, ctx.input::<f32>(1)?);
            prelu_f32(si, x, sa, a, so, ctx.output::<f32>(0)?)
        }
    }
    .map_err(|e| ctx.kernel_err(e))
}
