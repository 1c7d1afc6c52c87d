//! `SignalFilterBankLog`: scaled fixed-point natural log of uint32 channels into int16
//! (options: `input_correction_bits`, `output_scale`).

use super::*;
use crate::ops::Registration;
use microlite_kernels::signal::filter_bank_log::filter_bank_log;

pub(crate) fn registration() -> Registration {
    Registration::custom("SignalFilterBankLog", prepare, eval)
}

#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
#[repr(C)]
struct Params {
    input_correction_bits: u32,
    output_scale: u32,
}

fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    counts(ctx, 1, 1)?;
    let x = input(ctx, 0, TensorType::UInt32, Some(1))?;
    let out = output(ctx, 0, TensorType::Int16, Some(1))?;
    if out.element_count() != x.element_count() {
        return Err(ctx.shape_error(0));
    }
    let map = options(ctx)?;
    let input_correction_bits = opt_in(ctx, &map, 0, 0..32)?;
    let output_scale = opt_int(ctx, &map, 1)? as u32;
    ctx.persist(&Params {
        input_correction_bits,
        output_scale,
    })
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    let p = *ctx.data::<Params>()?;
    let x = ctx.input::<u32>(0)?;
    let out = ctx.output::<i16>(0)?;
    filter_bank_log(x, p.output_scale, p.input_correction_bits, out).map_err(|e| kernel_err(ctx, e))
}
