//! SQUARED_DIFFERENCE: `(a - b)^2` with broadcasting up to rank 4. Float32 and int32 (wrapping)
//! as TFLM; int8 (zero points within int8) and int16 (zero points 0) rescaled as TFLM's
//! `PrepareQuantized`.

use super::elementwise::{broadcast_shapes, int8_params, same_type, Broadcast};
use super::{kinds, EvalCtx, PrepareCtx, Registration};
use crate::error::Error;
use crate::schema::{BuiltinOperator, TensorType};
use microlite_kernels::squared_difference::{
    squared_difference_f32, squared_difference_i32, squared_difference_prepare,
    squared_difference_quantized, SquaredDifferenceParams,
};

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::SQUARED_DIFFERENCE, 2, prepare, eval)
}

kinds! {
    enum Kind { Float32, Int32, Int8, Int16 }
}

int8_params! {
    /// The kernel's quantized parameters, as op data.
    struct SqDiffQ for [SquaredDifferenceParams] {
        left_shift,
        input1_offset,
        input1_multiplier,
        input1_shift,
        input2_offset,
        input2_multiplier,
        input2_shift,
        output_offset,
        output_multiplier,
        output_shift,
    }
}

/// What eval needs, fixed at prepare.
#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Data {
    kind: u32,
    shapes: Broadcast,
    /// Int8 or int16 rescaling (zeroed otherwise).
    q: SqDiffQ,
}

fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    let op = ctx.op;
    op.expect_counts(2, 2, 1)?;
    let (in1, in2, output) = (op.input(0)?, op.input(1)?, op.output(0)?);
    let shapes = broadcast_shapes(&op, &in1, &in2, &output)?;
    same_type(&op, &in1, &in2)?;
    same_type(&op, &in1, &output)?;
    let mut q = SqDiffQ::default();
    let kind = match in1.t.ty() {
        TensorType::Float32 => Kind::Float32,
        TensorType::Int32 => Kind::Int32,
        ty @ (TensorType::Int8 | TensorType::Int16) => {
            let int8 = ty == TensorType::Int8;
            let mut qs = [(0f32, 0i32); 3];
            for (slot, t) in qs.iter_mut().zip([&in1, &in2, &output]) {
                *slot = op.quant(t)?;
                // TFLM: int8 zero points within int8; int16 zero points 0.
                let ok = if int8 {
                    (-128..=127).contains(&slot.1)
                } else {
                    slot.1 == 0
                };
                if !ok {
                    return Err(op.quant_err(t));
                }
            }
            let [(s1, z1), (s2, z2), (so, zo)] = qs;
            let left_shift = if int8 { 7 } else { 0 };
            q = squared_difference_prepare(left_shift, s1, z1, s2, z2, so, zo).into();
            if int8 {
                Kind::Int8
            } else {
                Kind::Int16
            }
        }
        _ => return Err(op.type_err(&in1)),
    };
    ctx.persist(&Data {
        kind: kind.tag(),
        shapes,
        q,
    })
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    let d = ctx.data::<Data>()?;
    let (s1, s2, so) = d.shapes.shapes();
    let p: SquaredDifferenceParams = d.q.into();
    match Kind::from_tag(d.kind)? {
        Kind::Float32 => {
            let (x, y) = (ctx.input::<f32>(0)?, ctx.input::<f32>(1)?);
            squared_difference_f32(s1, x, s2, y, so, ctx.output::<f32>(0)?)
        }
        Kind::Int32 => {
            let (x, y) = (ctx.input::<i32>(0)?, ctx.input::<i32>(1)?);
            squared_difference_i32(s1, x, s2, y, so, ctx.output::<i32>(0)?)
        }
        Kind::Int8 => {
            let (x, y) = (ctx.input::<i8>(0)?, ctx.input::<i8>(1)?);
            squared_difference_quantized(&p, s1, x, s2, y, so, ctx.output::<i8>(0)?)
        }
        Kind::Int16 => {
            let (x, y) = (ctx.input::<i16>(0)?, ctx.input::<i16>(1)?);
            squared_difference_quantized(&p, s1, x, s2, y, so, ctx.output::<i16>(0)?)
        }
    }
    .map_err(|e| ctx.kernel_err(e))
}
