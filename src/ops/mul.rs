//! MUL: int8 and int16 (one rescale of the product, as TFLM; int16 requires zero points of 0),
//! int32 (wrapping product, activation clamp) and float32, with broadcasting up to rank 4 and a fused activation.

use super::elementwise::{binary_typed, int8_params, Broadcast};
use super::{kinds, EvalCtx, PrepareCtx, Registration};
use crate::error::Error;
use crate::schema::{options, BuiltinOperator, TensorType};
use microlite_kernels::mul::{
    mul_f32, mul_i32, mul_int16, mul_int8, mul_prepare_int8, MulParamsInt8,
};
use microlite_kernels::quant::{
    activation_range_f32, activation_range_i16, activation_range_i32, activation_range_i8,
};

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::MUL, 7, prepare, eval)
}

kinds! {
    enum Kind { Int8, Float32, Int16, Int32 }
}

int8_params! {
    /// The kernel's int8 (or int16) parameters, as op data.
    struct MulInt8 for [MulParamsInt8] {
        input1_offset,
        input2_offset,
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
    shapes: Broadcast,
    /// Float32 activation range.
    act_min: f32,
    act_max: f32,
    /// Int8 or int16 rescaling (zeroed for float32).
    q: MulInt8,
}

fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    let op = ctx.op;
    let p = binary_typed(&op, options::MUL, true)?;
    let (act_min, act_max) = activation_range_f32(p.act);
    let mut d = Data {
        kind: Kind::Float32.tag(),
        shapes: p.shapes,
        act_min,
        act_max,
        q: MulInt8::default(),
    };
    match p.ty() {
        TensorType::Int8 => {
            let [(a, za), (b, zb), (o, zo)] = p.quant(&op)?;
            let (lo, hi) = activation_range_i8(p.act, o, zo);
            d.kind = Kind::Int8.tag();
            d.q = mul_prepare_int8(a, za, b, zb, o, zo, lo, hi).into();
        }
        TensorType::Int16 => {
            let [(a, za), (b, zb), (o, zo)] = p.quant(&op)?;
            // TFLM requires every int16 zero point to be 0.
            for (t, zp) in [(&p.in1, za), (&p.in2, zb), (&p.output, zo)] {
                if zp != 0 {
                    return Err(op.quant_err(t));
                }
            }
            let (lo, hi) = activation_range_i16(p.act, o, zo);
            d.kind = Kind::Int16.tag();
            d.q = mul_prepare_int8(a, za, b, zb, o, zo, lo, hi).into();
        }
        TensorType::Int32 => {
            let (lo, hi) = activation_range_i32(p.act);
            d.kind = Kind::Int32.tag();
            d.q.act_min = lo;
            d.q.act_max = hi;
        }
        _ => {}
    }
    ctx.persist(&d)
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    let d = ctx.data::<Data>()?;
    let (s1, s2, so) = d.shapes.shapes();
    match Kind::from_tag(d.kind)? {
        Kind::Int8 => {
            let (x, y) = (ctx.input::<i8>(0)?, ctx.input::<i8>(1)?);
            let out = ctx.output::<i8>(0)?;
            mul_int8(&d.q.into(), s1, x, s2, y, so, out)
        }
        Kind::Int16 => {
            let (x, y) = (ctx.input::<i16>(0)?, ctx.input::<i16>(1)?);
            let out = ctx.output::<i16>(0)?;
            mul_int16(&d.q.into(), s1, x, s2, y, so, out)
        }
        Kind::Float32 => {
            let (x, y) = (ctx.input::<f32>(0)?, ctx.input::<f32>(1)?);
            let out = ctx.output::<f32>(0)?;
            mul_f32(d.act_min, d.act_max, s1, x, s2, y, so, out)
        }
        Kind::Int32 => {
            let (x, y) = (ctx.input::<i32>(0)?, ctx.input::<i32>(1)?);
            let out = ctx.output::<i32>(0)?;
            mul_i32(d.q.act_min, d.q.act_max, s1, x, s2, y, so, out)
        }
    }
    .map_err(|e| ctx.kernel_err(e))
}
