//! DIV: float32 and int32 (C's truncating `/`), with broadcasting up to rank 4 and a fused
//! activation, as TFLM's `reference_ops::Div` / `BroadcastDivSlow`. An int32 divisor of 0 is
//! an error at invoke (TFLM's x86 build traps on it). int8 is refused: TFLM's int8 DIV
//! (`DivElementwise`) rounds with `RoundingDivideByPOT` by more than 31 bits whenever the
//! numerator is near its zero point, which C leaves undefined (its x86-64 build saturates
//! there, Arm builds give other values), so there is no one result to match.

use super::elementwise::{binary_typed, Broadcast};
use super::{kinds, EvalCtx, PrepareCtx, Registration};
use crate::error::Error;
use crate::schema::{options, BuiltinOperator, TensorType};
use microlite_kernels::div::{div_f32, div_i32};
use microlite_kernels::quant::{activation_range_f32, activation_range_i32};

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::DIV, 2, prepare, eval)
}

kinds! {
    enum Kind { Float32, Int32 }
}

#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Data {
    kind: u32,
    shapes: Broadcast,
    act_min_f32: f32,
    act_max_f32: f32,
    act_min_i32: i32,
    act_max_i32: i32,
}

fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    let op = ctx.op;
    let p = binary_typed(&op, options::DIV, true)?;
    let kind = match p.ty() {
        TensorType::Float32 => Kind::Float32,
        TensorType::Int32 => Kind::Int32,
        _ => return Err(op.type_err(&p.in1)),
    };
    let (act_min_f32, act_max_f32) = activation_range_f32(p.act);
    let (act_min_i32, act_max_i32) = activation_range_i32(p.act);
    ctx.persist(&Data {
        kind: kind.tag(),
        shapes: p.shapes,
        act_min_f32,
        act_max_f32,
        act_min_i32,
        act_max_i32,
    })
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    let d = ctx.data::<Data>()?;
    let (s1, s2, so) = d.shapes.shapes();
    match Kind::from_tag(d.kind)? {
        Kind::Float32 => {
            let (x, y) = (ctx.input::<f32>(0)?, ctx.input::<f32>(1)?);
            let out = ctx.output::<f32>(0)?;
            div_f32(d.act_min_f32, d.act_max_f32, s1, x, s2, y, so, out)
        }
        Kind::Int32 => {
            let (x, y) = (ctx.input::<i32>(0)?, ctx.input::<i32>(1)?);
            let out = ctx.output::<i32>(0)?;
            div_i32(d.act_min_i32, d.act_max_i32, s1, x, s2, y, so, out)
        }
    }
    .map_err(|e| ctx.kernel_err(e))
}
