//! SVDF: float32, and int8 with an int8 or int16 state (TFLM's `svdf.cc` / `svdf_common.cc`).
//!
//! Inputs: input `[batches, input_size]`, weights_feature `[filters, input_size]`,
//! weights_time `[filters, memory]`, bias `[units]` (optional), activation state
//! `[batches, filters * memory]` (a variable tensor, kept across invokes and cleared by
//! `Interpreter::reset`). Output `[batches, units]`, `units = filters / rank`.

use super::{activation, kinds, EvalCtx, OpCtx, PrepareCtx, Registration, T};
use crate::error::Error;
use crate::schema::{options, BuiltinOperator, TensorType};
use microlite_kernels::quant::{activation_range_f32, conv_channel_multiplier};
use microlite_kernels::svdf::{svdf_f32, svdf_int8, SvdfParamsInt8, SvdfShape};

pub(crate) fn registration() -> Registration {
    // v1 float, v3 int8; v2 and v4 (hybrid: float input, int8 weights) fail the type checks.
    Registration::builtin(BuiltinOperator::SVDF, 4, prepare, eval)
}

kinds! {
    /// Float32, or int8 with the state (and time weights) int8 or int16.
    enum Kind { Float32, Int8, Int8State16 }
}

/// Input 4, the state.
const STATE: usize = 4;

/// What eval needs, fixed at prepare.
#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Data {
    kind: u32,
    batches: u32,
    input_size: u32,
    filters: u32,
    memory: u32,
    rank: u32,
    /// Float32 activation range.
    act_min: f32,
    act_max: f32,
    /// Int8 quantization (zeroed for float32).
    input_zero_point: i32,
    state_zero_point: i32,
    output_zero_point: i32,
    feature_multiplier: i32,
    feature_shift: i32,
    time_multiplier: i32,
    time_shift: i32,
}

/// A rank-2 tensor's dimensions.
fn dims2(ctx: &OpCtx<'_>, t: &T<'_>) -> Result<(usize, usize), Error> {
    let s = t.t.shape();
    if s.len() != 2 || s.get(0) < 0 || s.get(1) < 0 {
        return Err(ctx.shape_err(t));
    }
    Ok((s.get(0) as usize, s.get(1) as usize))
}

fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    let op = ctx.op;
    op.expect_counts(5, 5, 1)?;
    let (input, wf, wt, state, output) = (
        op.input(0)?,
        op.input(1)?,
        op.input(2)?,
        op.input(STATE)?,
        op.output(0)?,
    );
    let bias = op.optional_input(3);
    let o = op.options(options::SVDF).ok_or(op.options_err())?;
    let rank = o.i32(0, 0)?;
    let act = activation(&op, o.u8(1, 0)?)?;
    let (batches, input_size) = dims2(&op, &input)?;
    let (filters, wf_in) = dims2(&op, &wf)?;
    let (wt_filters, memory) = dims2(&op, &wt)?;
    if rank <= 0 || !filters.is_multiple_of(rank as usize) || memory == 0 {
        return Err(op.options_err());
    }
    let units = filters / rank as usize;
    if wf_in != input_size {
        return Err(op.shape_err(&wf));
    }
    if wt_filters != filters {
        return Err(op.shape_err(&wt));
    }
    if dims2(&op, &output)? != (batches, units) {
        return Err(op.shape_err(&output));
    }
    if let Some(b) = &bias {
        if b.t.shape().len() != 1 || b.t.element_count() != units {
            return Err(op.shape_err(b));
        }
    }
    if Some(dims2(&op, &state)?) != filters.checked_mul(memory).map(|n| (batches, n)) {
        return Err(op.shape_err(&state));
    }
    if state.index == output.index {
        return Err(op.count_err());
    }
    ctx.state_input(STATE)?;
    let word = |v: usize| u32::try_from(v).map_err(|_| op.shape_err(&input));
    let (act_min, act_max) = activation_range_f32(act);
    let mut d = Data {
        kind: Kind::Float32.tag(),
        batches: word(batches)?,
        input_size: word(input_size)?,
        filters: word(filters)?,
        memory: word(memory)?,
        rank: word(rank as usize)?,
        act_min,
        act_max,
        input_zero_point: 0,
        state_zero_point: 0,
        output_zero_point: 0,
        feature_multiplier: 0,
        feature_shift: 0,
        time_multiplier: 0,
        time_shift: 0,
    };
    match input.t.ty() {
        TensorType::Float32 => {
            for t in [&wf, &wt, &state, &output].into_iter().chain(bias.as_ref()) {
                op.expect_type(t, TensorType::Float32)?;
            }
        }
        TensorType::Int8 => {
            op.expect_type(&wf, TensorType::Int8)?;
            op.expect_type(&output, TensorType::Int8)?;
            // The state is read as the time weights' type (TFLM's template parameter): the two
            // must agree.
            d.kind = match wt.t.ty() {
                TensorType::Int8 => Kind::Int8,
                TensorType::Int16 => Kind::Int8State16,
                _ => return Err(op.type_err(&wt)),
            }
            .tag();
            op.expect_type(&state, wt.t.ty())?;
            let (in_s, in_zp) = op.quant(&input)?;
            let (wf_s, _) = op.quant(&wf)?;
            let (wt_s, _) = op.quant(&wt)?;
            let (st_s, st_zp) = op.quant(&state)?;
            let (out_s, out_zp) = op.quant(&output)?;
            if let Some(b) = &bias {
                op.expect_type(b, TensorType::Int32)?;
                let (b_s, _) = op.quant(b)?;
                // TFLM: the bias scale is state scale times time-weights scale, within 1e-5.
                if (f64::from(b_s) - f64::from(st_s * wt_s)).abs() >= 1e-5 {
                    return Err(op.quant_err(b));
                }
            }
            // Both rescales in double from the widened scales, as the TFLM runtime that makes
            // the goldens does (its 90b983c source computed them in float).
            (d.feature_multiplier, d.feature_shift) = conv_channel_multiplier(in_s, wf_s, st_s);
            (d.time_multiplier, d.time_shift) = conv_channel_multiplier(st_s, wt_s, out_s);
            d.input_zero_point = in_zp;
            d.state_zero_point = st_zp;
            d.output_zero_point = out_zp;
        }
        _ => return Err(op.type_err(&input)),
    }
    ctx.persist(&d)
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    let d = ctx.data::<Data>()?;
    let shape = SvdfShape {
        batches: d.batches as usize,
        input_size: d.input_size as usize,
        filters: d.filters as usize,
        memory: d.memory as usize,
        rank: d.rank as usize,
    };
    let p = SvdfParamsInt8 {
        input_zero_point: d.input_zero_point,
        state_zero_point: d.state_zero_point,
        output_zero_point: d.output_zero_point,
        feature_multiplier: d.feature_multiplier,
        feature_shift: d.feature_shift,
        time_multiplier: d.time_multiplier,
        time_shift: d.time_shift,
    };
    match Kind::from_tag(d.kind)? {
        Kind::Float32 => {
            let (x, wf, wt) = (
                ctx.input::<f32>(0)?,
                ctx.input::<f32>(1)?,
                ctx.input::<f32>(2)?,
            );
            let bias = ctx.optional_input::<f32>(3)?;
            let state = ctx.state::<f32>(STATE)?;
            let out = ctx.output::<f32>(0)?;
            svdf_f32(&shape, d.act_min, d.act_max, x, wf, wt, bias, state, out)
        }
        Kind::Int8 => {
            let (x, wf, wt) = (
                ctx.input::<i8>(0)?,
                ctx.input::<i8>(1)?,
                ctx.input::<i8>(2)?,
            );
            let bias = ctx.optional_input::<i32>(3)?;
            let state = ctx.state::<i8>(STATE)?;
            let out = ctx.output::<i8>(0)?;
            svdf_int8(&shape, &p, x, wf, wt, bias, state, out)
        }
        Kind::Int8State16 => {
            let (x, wf, wt) = (
                ctx.input::<i8>(0)?,
                ctx.input::<i8>(1)?,
                ctx.input::<i16>(2)?,
            );
            let bias = ctx.optional_input::<i32>(3)?;
            let state = ctx.state::<i16>(STATE)?;
            let out = ctx.output::<i8>(0)?;
            svdf_int8(&shape, &p, x, wf, wt, bias, state, out)
        }
    }
    .map_err(|e| ctx.kernel_err(e))
}
