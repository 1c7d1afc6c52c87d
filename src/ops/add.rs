//! ADD: int8 (TFLM's 20-bit left-shift rescaling) and float32, with broadcasting up to rank 4.

use super::elementwise::{binary, AddSubInt8, Broadcast};
use super::{kinds, EvalCtx, PrepareCtx, Registration};
use crate::error::Error;
use crate::schema::{options, BuiltinOperator};
use microlite_kernels::add::{add_f32, add_int8, add_prepare_int8};
use microlite_kernels::quant::{activation_range_f32, activation_range_i8};

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::ADD, 5, prepare, eval)
}

kinds! {
    enum Kind { Int8, Float32 }
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
    /// Int8 rescaling (zeroed for float32).
    q: AddSubInt8,
}

/// Validates, and for int8 computes TFLM's multipliers once (in f64, costly on an FPU-less or
/// single-precision core).
fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    let op = ctx.op;
    let p = binary(&op, options::ADD)?;
    let (act_min, act_max) = activation_range_f32(p.act);
    let mut d = Data {
        kind: Kind::Float32.tag(),
        shapes: p.shapes,
        act_min,
        act_max,
        q: AddSubInt8::default(),
    };
    if p.is_int8() {
        let [(a, za), (b, zb), (o, zo)] = p.quant(&op)?;
        let (lo, hi) = activation_range_i8(p.act, o, zo);
        d.kind = Kind::Int8.tag();
        d.q = add_prepare_int8(a, za, b, zb, o, zo, lo, hi).into();
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
            add_int8(&d.q.into(), s1, x, s2, y, so, out)
        }
        Kind::Float32 => {
            let (x, y) = (ctx.input::<f32>(0)?, ctx.input::<f32>(1)?);
            let out = ctx.output::<f32>(0)?;
            add_f32(d.act_min, d.act_max, s1, x, s2, y, so, out)
        }
    }
    .map_err(|e| ctx.kernel_err(e))
}
