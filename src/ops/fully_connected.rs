//! FULLY_CONNECTED: int8 (per-tensor or per-channel) and float32, optional bias, keep_num_dims.

use super::{activation, quant, Io, OpCtx, OpPlan, Registration, T};
use crate::error::Error;
use crate::schema::{options, BuiltinOperator, TensorType};
use microlite_kernels::fully_connected::{fully_connected_f32, fully_connected_int8};
use microlite_kernels::quant::activation_range_f32;
use microlite_kernels::Activation;

pub(crate) fn registration() -> Registration {
    super::legacy_registration!(BuiltinOperator::FULLY_CONNECTED, 12)
}

struct Params<'m> {
    input: T<'m>,
    filter: T<'m>,
    bias: Option<T<'m>>,
    output: T<'m>,
    batches: usize,
    depth: usize,
    units: usize,
    act: Activation,
}

fn params<'m>(ctx: &OpCtx<'m>) -> Result<Params<'m>, Error> {
    ctx.expect_counts(2, 3, 1)?;
    let (input, filter, output) = (ctx.input(0)?, ctx.input(1)?, ctx.output(0)?);
    let bias = ctx.optional_input(2);
    let o = ctx
        .options(options::FULLY_CONNECTED)
        .ok_or(ctx.options_err())?;
    let act = activation(ctx, o.u8(0, 0)?)?;
    if o.u8(1, 0)? != 0 {
        return Err(ctx.options_err()); // shuffled weight formats are not supported
    }
    let fs = filter.t.shape();
    if fs.len() != 2 {
        return Err(ctx.shape_err(&filter));
    }
    let (units, depth) = (fs.get(0) as usize, fs.get(1) as usize);
    let n = input.t.element_count();
    if depth == 0 || n % depth != 0 {
        return Err(ctx.shape_err(&input));
    }
    let batches = n / depth;
    if Some(output.t.element_count()) != batches.checked_mul(units)
        || output
            .t
            .shape()
            .get(output.t.shape().len().saturating_sub(1)) as usize
            != units
    {
        return Err(ctx.shape_err(&output));
    }
    if let Some(b) = &bias {
        if b.t.element_count() != units {
            return Err(ctx.shape_err(b));
        }
    }
    Ok(Params {
        input,
        filter,
        bias,
        output,
        batches,
        depth,
        units,
        act,
    })
}

/// Words of int8 geometry (batches, depth, units) before the quantization in persistent data.
const GEOMETRY: usize = 3;

fn prepare(ctx: &OpCtx<'_>, data: Option<&mut [i32]>) -> Result<OpPlan, Error> {
    let p = params(ctx)?;
    let int8 = p.input.t.ty() == TensorType::Int8;
    let g = if int8 { GEOMETRY } else { 0 };
    let (geometry, data) = match data {
        Some(d) if d.len() >= g => {
            let (a, b) = d.split_at_mut(g);
            (Some(a), Some(b))
        }
        _ => (None, None),
    };
    let plan = quant::prepare_weighted(
        ctx,
        &p.input,
        &p.filter,
        p.bias.as_ref(),
        &p.output,
        p.units,
        true,
        p.act,
        data,
    )?;
    if let Some(geometry) = geometry.filter(|_| int8) {
        let word = |v: usize| i32::try_from(v).map_err(|_| ctx.shape_err(&p.input));
        geometry.copy_from_slice(&[word(p.batches)?, word(p.depth)?, word(p.units)?]);
    }
    Ok(OpPlan {
        data_words: plan.data_words + g,
        ..plan
    })
}

fn eval(ctx: &OpCtx<'_>, io: &mut Io<'_>, data: &[i32]) -> Result<(), Error> {
    // int8 runs from its prepared data alone (geometry and quantization; only float ops
    // have none): no model reads per invoke.
    if let Some((&geometry, rest)) = data.split_first_chunk::<GEOMETRY>() {
        let [batches, depth, units] = geometry.map(|v| v as usize);
        let q = quant::int8_params(rest)?;
        let (input, filter, bias) = (
            io.input::<i8>(0)?,
            io.input::<i8>(1)?,
            io.optional_input::<i32>(2)?,
        );
        let output = io.output::<i8>(0)?;
        return fully_connected_int8(&q, 0, batches, depth, units, input, filter, bias, output)
            .map_err(|e| ctx.kernel_err(e));
    }
    let p = params(ctx)?;
    if p.input.t.ty() == TensorType::Int8 {
        return Err(Error::TooComplex); // prepare wrote no int8 data: never after a prepare
    }
    let (act_min, act_max) = activation_range_f32(p.act);
    let (input, filter, bias) = (
        io.input::<f32>(0)?,
        io.input::<f32>(1)?,
        io.optional_input::<f32>(2)?,
    );
    let output = io.output::<f32>(0)?;
    fully_connected_f32(
        act_min, act_max, p.batches, p.depth, p.units, input, filter, bias, output,
    )
    .map_err(|e| ctx.kernel_err(e))
}
