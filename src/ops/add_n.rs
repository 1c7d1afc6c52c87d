//! ADD_N: the elementwise sum of two or more tensors of one shape, float32 and int8 as TFLM
//! (int8 inputs share one scale and zero point; the sum is rescaled onto the output as TFLM's
//! `AddN`, extra `-zero_point` included).

use super::elementwise::{int8_params, same_shape, same_type};
use super::{kinds, EvalCtx, PrepareCtx, Registration};
use crate::error::Error;
use crate::schema::{BuiltinOperator, TensorType};
use microlite_kernels::add_n::{add_n_f32, add_n_int8, add_n_prepare, AddNParams};

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::ADD_N, 1, prepare, eval)
}

kinds! {
    enum Kind { Float32, Int8 }
}

int8_params! {
    /// The kernel's int8 parameters, as op data.
    struct AddNQ for [AddNParams] {
        input_offset,
        input_multiplier,
        input_shift,
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
    /// Int8 rescaling (zeroed for float32).
    q: AddNQ,
}

fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    let op = ctx.op;
    op.expect_counts(2, usize::MAX, 1)?;
    let (first, output) = (op.input(0)?, op.output(0)?);
    same_type(&op, &first, &output)?;
    same_shape(&op, &first, &output)?;
    let n = ctx.input_count();
    for k in 1..n {
        let t = op.input(k)?;
        same_type(&op, &first, &t)?;
        same_shape(&op, &first, &t)?;
    }
    let (kind, q) = match first.t.ty() {
        TensorType::Float32 => (Kind::Float32, AddNQ::default()),
        TensorType::Int8 => {
            let (s, z) = op.quant(&first)?;
            // TFLM: every input has the first one's scale and zero point.
            for k in 1..n {
                let t = op.input(k)?;
                if op.quant(&t)? != (s, z) {
                    return Err(op.quant_err(&t));
                }
            }
            let (so, zo) = op.quant(&output)?;
            let p = add_n_prepare(s, z, so, zo).map_err(|_| op.quant_err(&output))?;
            (Kind::Int8, p.into())
        }
        _ => return Err(op.type_err(&first)),
    };
    ctx.persist(&Data {
        kind: kind.tag(),
        q,
    })
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    let d = *ctx.data::<Data>()?;
    let n = ctx.input_count();
    match Kind::from_tag(d.kind)? {
        Kind::Float32 => {
            let out = ctx.output::<f32>(0)?;
            add_n_f32(n, |j| ctx.input::<f32>(j).ok(), out)
        }
        Kind::Int8 => {
            let out = ctx.output::<i8>(0)?;
            add_n_int8(&d.q.into(), n, |j| ctx.input::<i8>(j).ok(), out)
        }
    }
    .map_err(|e| ctx.kernel_err(e))
}
