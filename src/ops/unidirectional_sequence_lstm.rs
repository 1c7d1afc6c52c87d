//! UNIDIRECTIONAL_SEQUENCE_LSTM (TFLM's `unidirectional_sequence_lstm.cc`): float32; int8
//! input and hidden state with an int16 cell state; 16x8 (int16 input and hidden state).
//! The hidden (input 18) and cell (input 19) states are variable tensors kept across invokes.
//! As TFLM: no CIFG, peephole, projection or layer norm; per-tensor weights.

use super::{kinds, EvalCtx, OpCtx, PrepareCtx, Registration, T};
use crate::error::Error;
use crate::schema::{BuiltinOperator, TensorType};
use microlite_kernels::lstm::{lstm_f32, lstm_int, GateFc, LstmParamsInt, LstmShape};
use microlite_kernels::quant::{conv_channel_multiplier, Accumulator, QuantizedInt};

pub(crate) fn registration() -> Registration {
    Registration::builtin(
        BuiltinOperator::UNIDIRECTIONAL_SEQUENCE_LSTM,
        4,
        prepare,
        eval,
    )
}

/// `UnidirectionalSequenceLSTMOptions` in the options union.
const OPTIONS: u8 = 71;
const HIDDEN: usize = 18;
const CELL: usize = 19;
/// The gates' weights (input FC 1-4, recurrent FC 5-8) and biases (12-15), gate order
/// input, forget, cell, output.
const WEIGHTS: [usize; 8] = [1, 2, 3, 4, 5, 6, 7, 8];
const BIASES: [usize; 4] = [12, 13, 14, 15];
/// Peephole, projection and layer-norm inputs: TFLM refuses them.
const UNSUPPORTED: [usize; 9] = [9, 10, 11, 16, 17, 20, 21, 22, 23];
/// Gate pre-activations are Q3.12, gate outputs Q0.15 (TFLM's fixed scales).
const GATE_SCALE: f32 = 1.0 / 4096.0;
const GATE_OUT_SCALE: f32 = 1.0 / 32768.0;

kinds! {
    /// float32; int8 (int32 biases, int16 cell); 16x8 (int64 biases, int16 cell).
    enum Kind { Float32, Int8, Int16 }
}

/// What eval needs, fixed at prepare.
#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Data {
    kind: u32,
    batches: u32,
    time: u32,
    input: u32,
    state: u32,
    time_major: u32,
    cell_tanh: u32,
    clip: u32,
    cell_clip: f32,
    quantized_cell_clip: i32,
    cell_scale_power: i32,
    hidden_zero_point: i32,
    /// Per gate, input FC then recurrent FC: input offset, weights offset, multiplier, shift.
    gates: [[i32; 4]; 8],
    forget_cell: [i32; 2],
    input_cell: [i32; 2],
    hidden: [i32; 2],
}

fn dims(ctx: &OpCtx<'_>, t: &T<'_>, rank: usize) -> Result<[usize; 3], Error> {
    let s = t.t.shape();
    if s.len() != rank {
        return Err(ctx.shape_err(t));
    }
    let mut out = [0usize; 3];
    for (i, o) in out.iter_mut().enumerate().take(rank) {
        *o = usize::try_from(s.get(i)).map_err(|_| ctx.shape_err(t))?;
    }
    Ok(out)
}

/// TFLM's `CheckedLog2` exponent: `round(log(x) / log(2))` in f32 (whether `x` is a power of
/// two is not checked, as TFLM's LSTM does not).
fn log2_round(x: f32) -> i32 {
    libm::roundf(libm::logf(x) * (1.0 / libm::logf(2.0))) as i32
}

fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    let op = ctx.op;
    op.expect_counts(24, 24, 1)?;
    let (x, h, c, out) = (
        op.input(0)?,
        op.input(HIDDEN)?,
        op.input(CELL)?,
        op.output(0)?,
    );
    let weights = WEIGHTS.map(|k| op.input(k));
    let biases = BIASES.map(|k| op.input(k));
    for k in UNSUPPORTED {
        if let Some(t) = op.optional_input(k) {
            return Err(op.type_err(&t));
        }
    }
    let o = op.options(OPTIONS);
    let (act, cell_clip, time_major) = match o {
        Some(o) => (o.u8(0, 0)?, o.f32(1, 0.0)?, o.bool(3, false)?),
        None => (0, 0.0, false),
    };
    // Sizes.
    let xd = dims(&op, &x, 3)?;
    let (batches, time) = if time_major {
        (xd[1], xd[0])
    } else {
        (xd[0], xd[1])
    };
    let n_in = xd[2];
    let [hb, n, _] = dims(&op, &h, 2)?;
    if hb != batches || c.t.element_count() != batches * n {
        return Err(op.shape_err(&c));
    }
    for (k, w) in weights.iter().enumerate() {
        let w = w.as_ref().map_err(|e| *e)?;
        let want = if k < 4 { n_in } else { n };
        if dims(&op, w, 2)?[..2] != [n, want] {
            return Err(op.shape_err(w));
        }
    }
    for b in &biases {
        let b = b.as_ref().map_err(|e| *e)?;
        if dims(&op, b, 1)?[0] != n {
            return Err(op.shape_err(b));
        }
    }
    if dims(&op, &out, 3)? != [xd[0], xd[1], n] {
        return Err(op.shape_err(&out));
    }
    if !cell_clip.is_finite() {
        return Err(op.options_err());
    }
    // Types: the three combinations TFLM runs.
    let (kind, w_ty, b_ty, c_ty) = match x.t.ty() {
        TensorType::Float32 => (
            Kind::Float32,
            TensorType::Float32,
            TensorType::Float32,
            TensorType::Float32,
        ),
        TensorType::Int8 => (
            Kind::Int8,
            TensorType::Int8,
            TensorType::Int32,
            TensorType::Int16,
        ),
        TensorType::Int16 => (
            Kind::Int16,
            TensorType::Int8,
            TensorType::Int64,
            TensorType::Int16,
        ),
        _ => return Err(op.type_err(&x)),
    };
    for w in weights.iter().flatten() {
        op.expect_type(w, w_ty)?;
    }
    for b in biases.iter().flatten() {
        op.expect_type(b, b_ty)?;
    }
    op.expect_type(&h, x.t.ty())?;
    op.expect_type(&out, x.t.ty())?;
    op.expect_type(&c, c_ty)?;
    if h.index == c.index || h.index == out.index || c.index == out.index {
        return Err(op.count_err());
    }
    ctx.state_input(HIDDEN)?;
    ctx.state_input(CELL)?;
    let word = |v: usize| u32::try_from(v).map_err(|_| op.shape_err(&x));
    let mut d = Data {
        kind: kind.tag(),
        batches: word(batches)?,
        time: word(time)?,
        input: word(n_in)?,
        state: word(n)?,
        time_major: u32::from(time_major),
        // ActivationFunctionType TANH; TFLM's release builds leave any other as the identity.
        cell_tanh: u32::from(act == 4),
        clip: u32::from(cell_clip > 0.0),
        cell_clip,
        quantized_cell_clip: 0,
        cell_scale_power: 0,
        hidden_zero_point: 0,
        gates: [[0; 4]; 8],
        forget_cell: [0; 2],
        input_cell: [0; 2],
        hidden: [0; 2],
    };
    if kind != Kind::Float32 {
        let (sx, zx) = op.quant(&x)?;
        let (sh, zh) = op.quant(&h)?;
        let (sc, _) = op.quant(&c)?;
        for (k, w) in weights.iter().enumerate() {
            let w = w.as_ref().map_err(|e| *e)?;
            let q = w.t.quantization().ok_or(op.quant_err(w))?;
            if q.len() != 1 {
                return Err(op.quant_err(w)); // TFLM's LSTM reads per-tensor multipliers only
            }
            let (sw, zw) = op.quant(w)?;
            let (s_in, z_in) = if k < 4 { (sx, zx) } else { (sh, zh) };
            let (m, s) = conv_channel_multiplier(s_in, sw, GATE_SCALE);
            // Gate order in `gates`: input FC of gate g at 2g, recurrent at 2g + 1.
            let slot = 2 * (k % 4) + k / 4;
            if let Some(g) = d.gates.get_mut(slot) {
                *g = [z_in.wrapping_neg(), zw.wrapping_neg(), m, s];
            }
        }
        let mul = |a: f32, b: f32, o: f32| {
            let (m, s) = conv_channel_multiplier(a, b, o);
            [m, s]
        };
        d.forget_cell = mul(GATE_OUT_SCALE, sc, sc);
        d.input_cell = mul(GATE_OUT_SCALE, GATE_OUT_SCALE, sc);
        d.hidden = mul(GATE_OUT_SCALE, GATE_OUT_SCALE, sh);
        d.hidden_zero_point = zh;
        d.cell_scale_power = log2_round(sc);
        let q = (f64::from(cell_clip) / f64::from(sc)).clamp(-32768.0, 32767.0);
        d.quantized_cell_clip = q as i32;
    }
    ctx.persist(&d)?;
    let cell_bytes = if kind == Kind::Float32 { 4 } else { 2 };
    ctx.request_scratch(4 * n * cell_bytes);
    Ok(())
}

fn shape(d: &Data) -> LstmShape {
    LstmShape {
        batches: d.batches as usize,
        time: d.time as usize,
        input: d.input as usize,
        state: d.state as usize,
        time_major: d.time_major != 0,
    }
}

fn params(d: &Data) -> LstmParamsInt {
    let fc = |g: [i32; 4]| GateFc {
        input_offset: g[0],
        weights_offset: g[1],
        multiplier: g[2],
        shift: g[3],
    };
    let gate = |i: usize| fc(d.gates.get(i).copied().unwrap_or_default());
    let pair = |k: usize| [gate(2 * k), gate(2 * k + 1)];
    LstmParamsInt {
        gates: [pair(0), pair(1), pair(2), pair(3)],
        forget_cell: (d.forget_cell[0], d.forget_cell[1]),
        input_cell: (d.input_cell[0], d.input_cell[1]),
        hidden: (d.hidden[0], d.hidden[1]),
        hidden_zero_point: d.hidden_zero_point,
        cell_clip: d.quantized_cell_clip as i16,
        clip: d.clip != 0,
        cell_scale_power: d.cell_scale_power,
        cell_tanh: d.cell_tanh != 0,
    }
}

/// The integer LSTM with input/hidden type `X` and bias type `B`.
fn run_int<X, B>(ctx: &mut EvalCtx<'_>, d: &Data) -> Result<(), Error>
where
    X: super::Element + QuantizedInt,
    B: super::Element + Accumulator,
{
    let x = ctx.input::<X>(0)?;
    let mut w: [&[i8]; 8] = [&[]; 8];
    for (slot, k) in w.iter_mut().zip(WEIGHTS) {
        *slot = ctx.input::<i8>(k)?;
    }
    let mut b: [&[B]; 4] = [&[]; 4];
    for (slot, k) in b.iter_mut().zip(BIASES) {
        *slot = ctx.input::<B>(k)?;
    }
    let h = ctx.state::<X>(HIDDEN)?;
    let c = ctx.state::<i16>(CELL)?;
    let out = ctx.output::<X>(0)?;
    let scratch = ctx.scratch::<i16>()?;
    lstm_int(&shape(d), &params(d), x, w, b, h, c, out, scratch).map_err(|e| ctx.kernel_err(e))
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    let d = *ctx.data::<Data>()?;
    match Kind::from_tag(d.kind)? {
        Kind::Int8 => run_int::<i8, i32>(ctx, &d),
        Kind::Int16 => run_int::<i16, i64>(ctx, &d),
        Kind::Float32 => {
            let x = ctx.input::<f32>(0)?;
            let mut w: [&[f32]; 8] = [&[]; 8];
            for (slot, k) in w.iter_mut().zip(WEIGHTS) {
                *slot = ctx.input::<f32>(k)?;
            }
            let mut b: [&[f32]; 4] = [&[]; 4];
            for (slot, k) in b.iter_mut().zip(BIASES) {
                *slot = ctx.input::<f32>(k)?;
            }
            let h = ctx.state::<f32>(HIDDEN)?;
            let c = ctx.state::<f32>(CELL)?;
            let out = ctx.output::<f32>(0)?;
            let scratch = ctx.scratch::<f32>()?;
            let tanh = d.cell_tanh != 0;
            lstm_f32(&shape(&d), d.cell_clip, tanh, x, w, b, h, c, out, scratch)
                .map_err(|e| ctx.kernel_err(e))
        }
    }
}
