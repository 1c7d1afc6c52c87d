//! PRELU: int8 (two requantizations, as TFLM) and float32; the slopes (second input) broadcast
//! against the input up to rank 4.

use super::elementwise::{broadcast_shapes, load, same_type, store};
use super::{Io, OpCtx, OpPlan, Registration, T};
use crate::error::Error;
use crate::schema::{BuiltinOperator, TensorType};
use microlite_kernels::prelu::{prelu_f32, prelu_int8, prelu_prepare_int8, PreluParamsInt8};

pub(crate) fn registration() -> Registration {
    super::legacy_registration!(BuiltinOperator::PRELU, 1)
}

/// Persistent words of the int8 parameters.
const WORDS: usize = 7;

struct Params<'m> {
    input: T<'m>,
    alpha: T<'m>,
    output: T<'m>,
    si: [usize; 4],
    sa: [usize; 4],
    so: [usize; 4],
}

fn params<'m>(ctx: &OpCtx<'m>) -> Result<Params<'m>, Error> {
    ctx.expect_counts(2, 2, 1)?;
    let (input, alpha, output) = (ctx.input(0)?, ctx.input(1)?, ctx.output(0)?);
    let (si, sa, so) = broadcast_shapes(ctx, &input, &alpha, &output)?;
    same_type(ctx, &input, &alpha)?;
    same_type(ctx, &input, &output)?;
    match input.t.ty() {
        TensorType::Int8 => {
            for t in [&input, &alpha, &output] {
                ctx.quant(t)?;
            }
        }
        TensorType::Float32 => {}
        _ => return Err(ctx.type_err(&input)),
    }
    Ok(Params {
        input,
        alpha,
        output,
        si,
        sa,
        so,
    })
}

fn prepare(ctx: &OpCtx<'_>, data: Option<&mut [i32]>) -> Result<OpPlan, Error> {
    let p = params(ctx)?;
    if p.input.t.ty() != TensorType::Int8 {
        return Ok(OpPlan::default());
    }
    // Per-tensor scales; like TFLM, a per-channel alpha contributes its first scale.
    let ((si, zi), (sa, za), (so, zo)) = (
        ctx.quant(&p.input)?,
        ctx.quant(&p.alpha)?,
        ctx.quant(&p.output)?,
    );
    let k = prelu_prepare_int8(si, zi, sa, za, so, zo);
    store(
        data,
        &[
            k.input_offset,
            k.alpha_offset,
            k.output_offset,
            k.output_multiplier_1,
            k.output_shift_1,
            k.output_multiplier_2,
            k.output_shift_2,
        ],
    );
    Ok(OpPlan {
        data_words: WORDS,
        scratch_bytes: 0,
    })
}

fn eval(ctx: &OpCtx<'_>, io: &mut Io<'_>, data: &[i32]) -> Result<(), Error> {
    let p = params(ctx)?;
    match p.input.t.ty() {
        TensorType::Int8 => {
            let [input_offset, alpha_offset, output_offset, output_multiplier_1, output_shift_1, output_multiplier_2, output_shift_2] =
                load::<WORDS>(ctx, data)?;
            let k = PreluParamsInt8 {
                input_offset,
                alpha_offset,
                output_offset,
                output_multiplier_1,
                output_shift_1,
                output_multiplier_2,
                output_shift_2,
            };
            let (x, a) = (io.input::<i8>(0)?, io.input::<i8>(1)?);
            prelu_int8(&k, p.si, x, p.sa, a, p.so, io.output::<i8>(0)?)
        }
        _ => {
            let (x, a) = (io.input::<f32>(0)?, io.input::<f32>(1)?);
            prelu_f32(p.si, x, p.sa, a, p.so, io.output::<f32>(0)?)
        }
    }
    .map_err(|e| ctx.kernel_err(e))
}
