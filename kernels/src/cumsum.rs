//! CUMSUM along one axis, as TFLM's `reference_ops::CumSum`: the tensor seen as
//! `[outer, depth, inner]` (dims before the axis, the axis, dims after), each line summed in
//! order (backwards when `reverse`), each output the sum up to and including its element
//! (excluding it when `exclusive`). float32 sums in f32; int8 rescales as TFLM: every input
//! onto twice its scale with 20 bits of headroom, an i32 running sum that starts at the
//! rescaled `-zero_point` (TFLM's "accumulator = 0" is the rescaled input offset, so each
//! output carries one extra `-zero_point`), then each sum onto the output scale.

use crate::double::Double;
use crate::quant::{
    multiply_by_quantized_multiplier_smaller_than_one_exp as mbqm, quantize_quotient,
};
use crate::KernelError;

/// TFLM's `kCumSumIntegerShift`.
const LEFT_SHIFT: i32 = 20;

/// The int8 rescaling, fixed at prepare.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CumsumParamsInt8 {
    /// `-input zero point`.
    pub input_offset: i32,
    /// The output zero point.
    pub output_offset: i32,
    /// Input onto twice its scale.
    pub input_multiplier: i32,
    /// Its shift.
    pub input_shift: i32,
    /// Twice the input scale over `2^20` output scales.
    pub output_multiplier: i32,
    /// Its shift.
    pub output_shift: i32,
}

/// TFLM's CUMSUM `CalculateOpData`: multipliers computed in double, here on integers.
pub fn cumsum_prepare_int8(
    in_scale: f32,
    in_zero_point: i32,
    out_scale: f32,
    out_zero_point: i32,
) -> CumsumParamsInt8 {
    let twice = Double::from_f32(in_scale).map(|d| d.scale(1));
    let (input_multiplier, input_shift) = quantize_quotient(Double::from_f32(in_scale), twice);
    let (output_multiplier, output_shift) = quantize_quotient(
        twice,
        Double::from_f32(out_scale).map(|d| d.scale(LEFT_SHIFT)),
    );
    CumsumParamsInt8 {
        input_offset: in_zero_point.wrapping_neg(),
        output_offset: out_zero_point,
        input_multiplier,
        input_shift,
        output_multiplier,
        output_shift,
    }
}

/// The lines of a `[outer, depth, inner]` tensor: calls `f(start, step)` for each, where the
/// line's elements are `start + k * step` for `k` in `0..depth`.
fn lines(outer: usize, depth: usize, inner: usize, mut f: impl FnMut(usize, usize)) {
    for o in 0..outer {
        for i in 0..inner {
            f(o * depth * inner + i, inner);
        }
    }
}

fn check(
    outer: usize,
    depth: usize,
    inner: usize,
    n_in: usize,
    n_out: usize,
) -> Result<(), KernelError> {
    let n = outer
        .checked_mul(depth)
        .and_then(|v| v.checked_mul(inner))
        .ok_or(KernelError::ShapeMismatch)?;
    if n != n_in || n != n_out {
        return Err(KernelError::ShapeMismatch);
    }
    Ok(())
}

/// The positions of one line in summing order.
fn order(start: usize, step: usize, depth: usize, reverse: bool) -> impl Iterator<Item = usize> {
    (0..depth).map(move |k| start + step * if reverse { depth - 1 - k } else { k })
}

/// float32 CUMSUM of `input` (`[outer, depth, inner]`) into `output`.
///
/// # Errors
/// [`KernelError::ShapeMismatch`] when a slice does not fit the shape.
#[allow(clippy::too_many_arguments)]
pub fn cumsum_f32(
    outer: usize,
    depth: usize,
    inner: usize,
    exclusive: bool,
    reverse: bool,
    input: &[f32],
    output: &mut [f32],
) -> Result<(), KernelError> {
    check(outer, depth, inner, input.len(), output.len())?;
    lines(outer, depth, inner, |start, step| {
        let mut acc = 0.0f32;
        for p in order(start, step, depth, reverse) {
            let x = input.get(p).copied().unwrap_or(0.0);
            if let Some(o) = output.get_mut(p) {
                if exclusive {
                    *o = acc;
                    acc += x;
                } else {
                    acc += x;
                    *o = acc;
                }
            }
        }
    });
    Ok(())
}

/// int8 CUMSUM of `input` (`[outer, depth, inner]`) into `output`, as TFLM (the i32 running
/// sum wraps, as TFLM's x86-64 build).
///
/// # Errors
/// [`KernelError::ShapeMismatch`] when a slice does not fit the shape.
#[allow(clippy::too_many_arguments)]
pub fn cumsum_int8(
    p: &CumsumParamsInt8,
    outer: usize,
    depth: usize,
    inner: usize,
    exclusive: bool,
    reverse: bool,
    input: &[i8],
    output: &mut [i8],
) -> Result<(), KernelError> {
    check(outer, depth, inner, input.len(), output.len())?;
    let scaled = |v: i32| {
        mbqm(
            v.wrapping_mul(1 << LEFT_SHIFT),
            p.input_multiplier,
            p.input_shift,
        )
    };
    let start_value = scaled(p.input_offset);
    lines(outer, depth, inner, |start, step| {
        let mut acc = start_value;
        for q in order(start, step, depth, reverse) {
            let y = scaled(p.input_offset + i32::from(input.get(q).copied().unwrap_or(0)));
            let sum = if exclusive {
                let s = acc;
                acc = acc.wrapping_add(y);
                s
            } else {
                acc = acc.wrapping_add(y);
                acc
            };
            let raw = mbqm(sum, p.output_multiplier, p.output_shift).wrapping_add(p.output_offset);
            if let Some(o) = output.get_mut(q) {
                *o = raw.clamp(-128, 127) as i8;
            }
        }
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_directions() {
        // [2, 3] along the last axis: outer 2, depth 3, inner 1.
        let x = [1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0];
        let mut o = [0f32; 6];
        cumsum_f32(2, 3, 1, false, false, &x, &mut o).unwrap();
        assert_eq!(o, [1.0, 3.0, 6.0, 4.0, 9.0, 15.0]);
        cumsum_f32(2, 3, 1, true, true, &x, &mut o).unwrap();
        assert_eq!(o, [5.0, 3.0, 0.0, 11.0, 6.0, 0.0]);
        // Along the first axis: outer 1, depth 2, inner 3.
        cumsum_f32(1, 2, 3, false, false, &x, &mut o).unwrap();
        assert_eq!(o, [1.0, 2.0, 3.0, 5.0, 7.0, 9.0]);
    }

    #[test]
    fn int8_carries_one_extra_zero_point() {
        // Scale 0.1, zero point 10 in and out: 20 (real 1.0) three times sums to 3.0 = 40,
        // less one zero point (real 1.0): 30.
        let p = cumsum_prepare_int8(0.1, 10, 0.1, 10);
        let mut o = [0i8; 3];
        cumsum_int8(&p, 1, 3, 1, false, false, &[20, 20, 20], &mut o).unwrap();
        assert_eq!(o, [20, 30, 40].map(|v: i8| v - 10));
        // Zero point 0: the plain running sum.
        let p = cumsum_prepare_int8(0.1, 0, 0.2, 0);
        cumsum_int8(&p, 1, 3, 1, false, false, &[10, 20, -30], &mut o).unwrap();
        assert_eq!(o, [5, 15, 0]);
    }
}
