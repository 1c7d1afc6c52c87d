//! ELU: float32 (`expm1f`) and int8 (a 256-entry table built at prepare in float32), as
//! TFLM's `elu.cc`.

use super::elementwise::unary;
use super::{kinds, EvalCtx, PrepareCtx, Registration};
use crate::error::Error;
use crate::schema::{BuiltinOperator, TensorType};
use microlite_kernels::elu::{elu_f32, elu_int8, elu_table_int8};

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::ELU, 2, prepare, eval)
}

kinds! {
    enum Kind { Float32, Int8 }
}

/// What eval needs, fixed at prepare.
#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Data {
    kind: u32,
    /// The int8 output for each input byte (zeroed for float32).
    table: [i8; 256],
}

fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    let op = ctx.op;
    let (input, output) = unary(&op)?;
    let d = match input.t.ty() {
        TensorType::Float32 => Data {
            kind: Kind::Float32.tag(),
            table: [0; 256],
        },
        TensorType::Int8 => {
            let ((si, zi), (so, zo)) = (op.quant(&input)?, op.quant(&output)?);
            Data {
                kind: Kind::Int8.tag(),
                table: elu_table_int8(si, zi, so, zo),
            }
        }
        _ => return Err(op.type_err(&input)),
    };
    ctx.persist(&d)
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    let d = ctx.data::<Data>()?;
    match Kind::from_tag(d.kind)? {
        Kind::Float32 => {
            let x = ctx.input::<f32>(0)?;
            elu_f32(x, ctx.output::<f32>(0)?)
        }
        Kind::Int8 => {
            let table = d.table;
            let x = ctx.input::<i8>(0)?;
            elu_int8(&table, x, ctx.output::<i8>(0)?)
        }
    }
    .map_err(|e| ctx.kernel_err(e))
}
