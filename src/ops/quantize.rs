//! QUANTIZE: float32 -> int8, and int8 -> int8 requantization.

use super::{kinds, EvalCtx, PrepareCtx, Registration};
use crate::error::Error;
use crate::schema::{BuiltinOperator, TensorType};
use microlite_kernels::quant::quantize_multiplier;
use microlite_kernels::quantize::{quantize_f32_to_i8, requantize_i8_to_i8};

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::QUANTIZE, 3, prepare, eval)
}

kinds! {
    /// The input's type (the output is int8).
    enum Kind { Float32, Int8 }
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
    let op = ctx.op;
    op.expect_counts(1, 1, 1)?;
    let (input, output) = (op.input(0)?, op.output(0)?);
    if input.t.element_count() != output.t.element_count() {
        return Err(op.shape_err(&output));
    }
    op.expect_type(&output, TensorType::Int8)?;
    let (out_scale, out_zero_point) = op.quant(&output)?;
    let mut d = Data {
        kind: Kind::Float32.tag(),
        out_scale,
        out_zero_point,
        in_zero_point: 0,
        multiplier: 0,
        shift: 0,
    };
    match input.t.ty() {
        TensorType::Float32 => {}
        TensorType::Int8 => {
            let (in_scale, in_zero_point) = op.quant(&input)?;
            let (m, s) = quantize_multiplier(f64::from(in_scale) / f64::from(out_scale));
            d.kind = Kind::Int8.tag();
            d.in_zero_point = in_zero_point;
            d.multiplier = m;
            d.shift = s;
        }
        _ => return Err(op.type_err(&input)),
    }
    ctx.persist(&d)
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    let d = ctx.data::<Data>()?;
    match Kind::from_tag(d.kind)? {
        Kind::Int8 => {
            let (x, out) = (ctx.input::<i8>(0)?, ctx.output::<i8>(0)?);
            requantize_i8_to_i8(
                d.multiplier,
                d.shift,
                d.in_zero_point,
                d.out_zero_point,
                x,
                out,
            )
        }
        Kind::Float32 => {
            let (x, out) = (ctx.input::<f32>(0)?, ctx.output::<i8>(0)?);
            quantize_f32_to_i8(d.out_scale, d.out_zero_point, x, out)
        }
    }
    .map_err(|e| ctx.kernel_err(e))
}
