//! UNIDIRECTIONAL_SEQUENCE_LSTM as TFLM's `lstm_eval` (no CIFG, peephole, projection or layer
//! norm): float32; int8 input and hidden state with an int16 cell state (int32 biases); and
//! 16x8 (int16 input and hidden state, int64 biases).
//!
//! Each time step, per row: the forget, input and output gates are sigmoids of an input FC
//! plus a recurrent FC (of the previous hidden state), the cell gate a tanh of the same; the
//! cell state becomes `f * c + i * g` (clipped), the hidden state `o * tanh(c)`, which is also
//! the step's output. Integer gates are Q3.12 before and Q0.15 after their activation.

use crate::logistic::{sigmoid_f32, sigmoid_q15, LogisticParamsInt16};
use crate::quant::{multiply_by_quantized_multiplier, Accumulator, QuantizedInt};
use crate::tanh::tanh_q15;
use crate::util::clamp_f32;
use crate::KernelError;

/// The sizes of one LSTM: input `[batches, time, input]` (`[time, batches, input]` when
/// `time_major`), hidden and cell state `[batches, state]`, output like the input with
/// `state` values per step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LstmShape {
    /// Independent sequences.
    pub batches: usize,
    /// Time steps per invoke.
    pub time: usize,
    /// Values per input step.
    pub input: usize,
    /// Cells (hidden and cell state values per sequence).
    pub state: usize,
    /// Input and output laid out time step first.
    pub time_major: bool,
}

/// The gates, in TFLM's order of their tensors (weights 1-4 and 5-8, biases 12-15).
pub const INPUT_GATE: usize = 0;
/// The forget gate.
pub const FORGET_GATE: usize = 1;
/// The cell gate.
pub const CELL_GATE: usize = 2;
/// The output gate.
pub const OUTPUT_GATE: usize = 3;

/// One integer gate FC: `sum((w + weights_offset) * (x + input_offset))` (+ bias), rescaled
/// to the Q3.12 gate scale.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GateFc {
    /// Minus the FC input's zero point.
    pub input_offset: i32,
    /// Minus the weights' zero point.
    pub weights_offset: i32,
    /// `QuantizeMultiplier(input_scale * weight_scale / 2^-12)`.
    pub multiplier: i32,
    /// Its exponent.
    pub shift: i32,
}

/// An integer LSTM's quantization (TFLM's `OpDataLSTM`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LstmParamsInt {
    /// Per gate: the FC of the input, then the FC of the previous hidden state.
    pub gates: [[GateFc; 2]; 4],
    /// `f * c` back to the cell scale (2^-15).
    pub forget_cell: (i32, i32),
    /// `i * g` to the cell scale.
    pub input_cell: (i32, i32),
    /// `o * tanh(c)` to the hidden state's scale.
    pub hidden: (i32, i32),
    /// The hidden state's zero point.
    pub hidden_zero_point: i32,
    /// The cell clip in cell units, applied when `clip` is set.
    pub cell_clip: i16,
    /// Whether the model clips the cell state.
    pub clip: bool,
    /// `round(log2(cell_scale))`: the tanh of the cell state reads it as `2^power`.
    pub cell_scale_power: i32,
    /// Whether the cell gate is a tanh (TFLM's release builds leave any other activation as
    /// the identity).
    pub cell_tanh: bool,
}

/// TFLM's int16 sigmoid with the LSTM's `(multiplier, shift)` (0 meaning `3 << shift`).
#[inline]
fn sigmoid_int16(x: i16, multiplier: i32, shift: i32) -> i16 {
    let p = LogisticParamsInt16 {
        input_multiplier: multiplier,
        input_left_shift: shift,
    };
    sigmoid_q15(x, p.effective())
}

/// TFLM's int16 tanh with the LSTM's `(multiplier, shift)`.
#[inline]
fn tanh_int16(x: i16, multiplier: i32, shift: i32) -> i16 {
    let p = LogisticParamsInt16 {
        input_multiplier: multiplier,
        input_left_shift: shift,
    };
    tanh_q15(x, p.effective())
}

#[inline]
fn sat16(v: i32) -> i16 {
    v.clamp(i16::MIN as i32, i16::MAX as i32) as i16
}

/// Checks every length against the shape.
fn check(
    s: &LstmShape,
    input: usize,
    weights: [usize; 8],
    biases: [usize; 4],
    hidden: usize,
    cell: usize,
    output: usize,
) -> Result<(), KernelError> {
    let bad = KernelError::ShapeMismatch;
    let mul = |a: usize, b: usize| a.checked_mul(b).ok_or(bad);
    let steps = mul(s.batches, s.time)?;
    let ok = input == mul(steps, s.input)?
        && weights[..4].iter().all(|&w| Ok(w) == mul(s.state, s.input))
        && weights[4..].iter().all(|&w| Ok(w) == mul(s.state, s.state))
        && biases.iter().all(|&b| b == s.state)
        && hidden == mul(s.batches, s.state)?
        && cell == hidden
        && output == mul(steps, s.state)?;
    if ok {
        Ok(())
    } else {
        Err(bad)
    }
}

/// Where step `t` of sequence `b` sits in the input and output (in rows).
#[inline]
fn row(s: &LstmShape, b: usize, t: usize) -> usize {
    if s.time_major {
        t * s.batches + b
    } else {
        b * s.time + t
    }
}

/// One integer gate FC over `x` (row `j` of `w`).
#[inline]
fn gate_fc<X: QuantizedInt, B: Accumulator>(
    fc: &GateFc,
    w: &[i8],
    x: &[X],
    j: usize,
    bias: Option<B>,
) -> i32 {
    let k = x.len();
    let ws = w.get(j * k..(j + 1) * k).unwrap_or(&[]);
    let mut acc = B::default();
    for (&wv, &xv) in ws.iter().zip(x) {
        acc = acc.add_product(
            i32::from(wv)
                .wrapping_add(fc.weights_offset)
                .wrapping_mul(xv.widen().wrapping_add(fc.input_offset)),
        );
    }
    if let Some(b) = bias {
        acc = acc.add(b);
    }
    i32::from(sat16(acc.rescale(fc.multiplier, fc.shift)))
}

/// Integer LSTM over all time steps: `X` is the input and hidden type (i8 with `B = i32`
/// biases, or i16 with `B = i64`), the cell state int16. `weights`: the 4 input then the 4
/// recurrent matrices, `biases` the 4 gate biases (both in gate order [`INPUT_GATE`]..);
/// `scratch`: `4 * state` values.
///
/// # Errors
/// [`KernelError::ShapeMismatch`] when a slice does not fit `shape` or `scratch` is short.
#[allow(clippy::too_many_arguments)]
pub fn lstm_int<X: QuantizedInt, B: Accumulator>(
    shape: &LstmShape,
    p: &LstmParamsInt,
    input: &[X],
    weights: [&[i8]; 8],
    biases: [&[B]; 4],
    hidden: &mut [X],
    cell: &mut [i16],
    output: &mut [X],
    scratch: &mut [i16],
) -> Result<(), KernelError> {
    check(
        shape,
        input.len(),
        weights.map(|w| w.len()),
        biases.map(|b| b.len()),
        hidden.len(),
        cell.len(),
        output.len(),
    )?;
    let n = shape.state;
    let scratch = scratch.get_mut(..4 * n).ok_or(KernelError::ShapeMismatch)?;
    let (gates_ifg, gate_o) = scratch.split_at_mut(3 * n);
    let tanh_in = |pre: i32| tanh_int16(sat16(pre), 3, 0);
    // tanh of the cell state, read as Q(15 + power).
    let ls = 12 + p.cell_scale_power;
    let (cm, cs) = if ls >= 0 { (0, ls) } else { (3, -ls) };
    let (xn, ln) = (shape.input, n);
    for b in 0..shape.batches {
        for t in 0..shape.time {
            let r = row(shape, b, t);
            let x = input
                .get(r * xn..(r + 1) * xn)
                .ok_or(KernelError::ShapeMismatch)?;
            let h = hidden
                .get_mut(b * ln..(b + 1) * ln)
                .ok_or(KernelError::ShapeMismatch)?;
            let c = cell
                .get_mut(b * ln..(b + 1) * ln)
                .ok_or(KernelError::ShapeMismatch)?;
            // Gate pre-activations from the input and the previous hidden state.
            let pre = |g: usize, j: usize, h: &[X]| {
                let fx =
                    gate_fc::<X, B>(&p.gates[g][0], weights[g], x, j, biases[g].get(j).copied());
                let fh = gate_fc::<X, B>(&p.gates[g][1], weights[4 + g], h, j, None);
                fx.wrapping_add(fh)
            };
            for j in 0..ln {
                gates_ifg[j] = sigmoid_int16(sat16(pre(INPUT_GATE, j, h)), 0, 0);
                gates_ifg[n + j] = sigmoid_int16(sat16(pre(FORGET_GATE, j, h)), 0, 0);
                let g = pre(CELL_GATE, j, h);
                gates_ifg[2 * n + j] = if p.cell_tanh { tanh_in(g) } else { sat16(g) };
                gate_o[j] = sigmoid_int16(sat16(pre(OUTPUT_GATE, j, h)), 0, 0);
            }
            for j in 0..ln {
                let (i, f, g) = (gates_ifg[j], gates_ifg[n + j], gates_ifg[2 * n + j]);
                let (m1, s1) = p.forget_cell;
                let c1 = sat16(multiply_by_quantized_multiplier(
                    i32::from(f) * i32::from(c[j]),
                    m1,
                    s1,
                ));
                let (m2, s2) = p.input_cell;
                let ig = sat16(multiply_by_quantized_multiplier(
                    i32::from(i) * i32::from(g),
                    m2,
                    s2,
                ));
                let mut c2 = sat16(i32::from(c1) + i32::from(ig));
                if p.clip {
                    c2 = c2.min(p.cell_clip).max(p.cell_clip.wrapping_neg());
                }
                c[j] = c2;
            }
            let out = output
                .get_mut(r * ln..(r + 1) * ln)
                .ok_or(KernelError::ShapeMismatch)?;
            let (m3, s3) = p.hidden;
            for j in 0..ln {
                let th = tanh_int16(c[j], cm, cs);
                let v =
                    multiply_by_quantized_multiplier(i32::from(th) * i32::from(gate_o[j]), m3, s3);
                h[j] = X::saturate(p.hidden_zero_point.wrapping_add(v));
                out[j] = h[j];
            }
        }
    }
    Ok(())
}

/// One float gate FC row: the dot product in order, plus bias (or 0.0), clamped to the finite
/// range as TFLM's FC is.
#[inline]
fn gate_fc_f32(w: &[f32], x: &[f32], j: usize, bias: f32) -> f32 {
    let k = x.len();
    let ws = w.get(j * k..(j + 1) * k).unwrap_or(&[]);
    let mut tot = 0.0f32;
    for (&wv, &xv) in ws.iter().zip(x) {
        tot += xv * wv;
    }
    clamp_f32(tot + bias, f32::MIN, f32::MAX)
}

/// Float LSTM over all time steps, TFLM's order of operations; `cell_clip > 0` clips the
/// cell state; `cell_tanh`: the cell gate is a tanh (else the identity, as TFLM's release
/// builds). `scratch`: `4 * state` values.
///
/// # Errors
/// [`KernelError::ShapeMismatch`] when a slice does not fit `shape` or `scratch` is short.
#[allow(clippy::too_many_arguments)]
pub fn lstm_f32(
    shape: &LstmShape,
    cell_clip: f32,
    cell_tanh: bool,
    input: &[f32],
    weights: [&[f32]; 8],
    biases: [&[f32]; 4],
    hidden: &mut [f32],
    cell: &mut [f32],
    output: &mut [f32],
    scratch: &mut [f32],
) -> Result<(), KernelError> {
    check(
        shape,
        input.len(),
        weights.map(|w| w.len()),
        biases.map(|b| b.len()),
        hidden.len(),
        cell.len(),
        output.len(),
    )?;
    let n = shape.state;
    let scratch = scratch.get_mut(..4 * n).ok_or(KernelError::ShapeMismatch)?;
    let (gates_ifg, gate_o) = scratch.split_at_mut(3 * n);
    let clamp = |v: f32| clamp_f32(v, f32::MIN, f32::MAX);
    let xn = shape.input;
    for b in 0..shape.batches {
        for t in 0..shape.time {
            let r = row(shape, b, t);
            let x = input
                .get(r * xn..(r + 1) * xn)
                .ok_or(KernelError::ShapeMismatch)?;
            let h = hidden
                .get_mut(b * n..(b + 1) * n)
                .ok_or(KernelError::ShapeMismatch)?;
            let c = cell
                .get_mut(b * n..(b + 1) * n)
                .ok_or(KernelError::ShapeMismatch)?;
            let pre = |g: usize, j: usize, h: &[f32]| {
                let bias = biases[g].get(j).copied().unwrap_or(0.0);
                gate_fc_f32(weights[g], x, j, bias) + gate_fc_f32(weights[4 + g], h, j, 0.0)
            };
            for j in 0..n {
                gates_ifg[j] = sigmoid_f32(pre(INPUT_GATE, j, h));
                gates_ifg[n + j] = sigmoid_f32(pre(FORGET_GATE, j, h));
                let g = pre(CELL_GATE, j, h);
                gates_ifg[2 * n + j] = if cell_tanh { libm::tanhf(g) } else { g };
                gate_o[j] = sigmoid_f32(pre(OUTPUT_GATE, j, h));
            }
            for j in 0..n {
                let (i, f, g) = (gates_ifg[j], gates_ifg[n + j], gates_ifg[2 * n + j]);
                let mut cj = clamp(f * c[j]) + clamp(i * g);
                if cell_clip > 0.0 {
                    cj = cj.min(cell_clip).max(-cell_clip);
                }
                c[j] = cj;
            }
            let out = output
                .get_mut(r * n..(r + 1) * n)
                .ok_or(KernelError::ShapeMismatch)?;
            for j in 0..n {
                h[j] = clamp(libm::tanhf(c[j]) * gate_o[j]);
                out[j] = h[j];
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gate_activations() {
        // sigmoid(0) = 1/2, tanh(0) = 0, both odd-symmetric around there.
        assert_eq!(sigmoid_int16(0, 0, 0), 16384);
        assert_eq!(tanh_int16(0, 3, 0), 0);
        for x in [-32768i16, -20000, -100, 100, 20000, 32767] {
            let (s, t) = (sigmoid_int16(x, 0, 0), tanh_int16(x, 3, 0));
            assert!((1..=32767).contains(&s), "{x} {s}");
            assert!((-32767..=32767).contains(&t), "{x} {t}");
            assert!((i32::from(t) + i32::from(tanh_int16(x.saturating_neg(), 3, 0))).abs() <= 1);
        }
    }
}
