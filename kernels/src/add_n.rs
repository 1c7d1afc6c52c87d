//! ADD_N, the elementwise sum of two or more same-shaped tensors, as TFLM's `add_n.cc`:
//! float32 summed in input order from `0.0`; int8 (every input with one scale and zero
//! point) brought onto twice the input scale with a left shift of 20, accumulated in 32 bits
//! and rescaled once onto the output. TFLM starts the int8 accumulator at the rescaled input
//! offset (`-zero_point`, its "x = 0"), so a non-zero input zero point adds one more
//! `-zero_point` to the sum; this repeats that.

use crate::double::Double;
use crate::quant::{multiply_by_quantized_multiplier_smaller_than_one_exp, quantize_quotient};
use crate::KernelError;

/// TFLM's `kAddNIntegerShift`.
const LEFT_SHIFT: i32 = 20;

/// Elements accumulated per pass over the inputs (the int8 accumulators live on the stack).
const CHUNK: usize = 32;

/// What the int8 kernel needs, fixed at prepare (TFLM's `OpData`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AddNParams {
    /// Minus the inputs' zero point.
    pub input_offset: i32,
    /// `in_scale / (2 * in_scale)` as a multiplier (one half).
    pub input_multiplier: i32,
    /// Its exponent.
    pub input_shift: i32,
    /// The output zero point (added).
    pub output_offset: i32,
    /// `2 * in_scale / (2^20 * out_scale)` as a multiplier.
    pub output_multiplier: i32,
    /// Its exponent (at most 0).
    pub output_shift: i32,
}

/// TFLM's int8 `CalculateOpData` for ADD_N, the doubles computed on integers ([`Double`]).
///
/// # Errors
/// [`KernelError::BadParams`] when a scale is not positive and finite, the input zero point
/// is outside int8, or the output multiplier is not below one (TFLM's
/// `QuantizeMultiplierSmallerThanOneExp` contract).
pub fn add_n_prepare(
    input_scale: f32,
    input_zero_point: i32,
    output_scale: f32,
    output_zero_point: i32,
) -> Result<AddNParams, KernelError> {
    let (s_in, s_out) = (
        Double::from_f32(input_scale),
        Double::from_f32(output_scale),
    );
    if s_in.is_none() || s_out.is_none() || !(-128..=127).contains(&input_zero_point) {
        return Err(KernelError::BadParams);
    }
    let twice = s_in.map(|d| d.scale(1));
    let (input_multiplier, input_shift) = quantize_quotient(s_in, twice);
    let (output_multiplier, output_shift) =
        quantize_quotient(twice, s_out.map(|d| d.scale(LEFT_SHIFT)));
    if output_shift > 0 || output_multiplier == 0 {
        return Err(KernelError::BadParams);
    }
    Ok(AddNParams {
        input_offset: input_zero_point.wrapping_neg(),
        input_multiplier,
        input_shift,
        output_offset: output_zero_point,
        output_multiplier,
        output_shift,
    })
}

/// One offset int8 value, shifted left and rescaled onto the common scale.
#[inline]
fn scaled(p: &AddNParams, offset_value: i32) -> i32 {
    multiply_by_quantized_multiplier_smaller_than_one_exp(
        offset_value.wrapping_mul(1 << LEFT_SHIFT),
        p.input_multiplier,
        p.input_shift,
    )
}

/// Int8 ADD_N of `n` inputs (`n >= 2`), `input(j)` giving input `j`.
///
/// # Errors
/// [`KernelError::ShapeMismatch`] when fewer than two inputs are given or an input is missing
/// or not as long as the output.
pub fn add_n_int8<'a>(
    p: &AddNParams,
    n: usize,
    input: impl Fn(usize) -> Option<&'a [i8]>,
    output: &mut [i8],
) -> Result<(), KernelError> {
    check(n, &input, output.len())?;
    let start = scaled(p, p.input_offset);
    let mut done = 0;
    for out in output.chunks_mut(CHUNK) {
        let mut acc = [start; CHUNK];
        for j in 0..n {
            let x = input(j)
                .and_then(|s| s.get(done..done + out.len()))
                .ok_or(KernelError::ShapeMismatch)?;
            for (a, &q) in acc.iter_mut().zip(x) {
                *a = a.wrapping_add(scaled(p, p.input_offset.wrapping_add(i32::from(q))));
            }
        }
        for (o, &a) in out.iter_mut().zip(&acc) {
            let v = multiply_by_quantized_multiplier_smaller_than_one_exp(
                a,
                p.output_multiplier,
                p.output_shift,
            )
            .wrapping_add(p.output_offset);
            *o = v.clamp(-128, 127) as i8;
        }
        done += out.len();
    }
    Ok(())
}

/// Float32 ADD_N of `n` inputs (`n >= 2`): `out[i] = ((0 + in0[i]) + in1[i]) + ...`.
///
/// # Errors
/// As [`add_n_int8`].
pub fn add_n_f32<'a>(
    n: usize,
    input: impl Fn(usize) -> Option<&'a [f32]>,
    output: &mut [f32],
) -> Result<(), KernelError> {
    check(n, &input, output.len())?;
    output.fill(0.0);
    for j in 0..n {
        let x = input(j).ok_or(KernelError::ShapeMismatch)?;
        for (o, &v) in output.iter_mut().zip(x) {
            *o += v;
        }
    }
    Ok(())
}

/// Every one of the `n >= 2` inputs is there and `len` long.
fn check<'a, E: 'a>(
    n: usize,
    input: &impl Fn(usize) -> Option<&'a [E]>,
    len: usize,
) -> Result<(), KernelError> {
    if n < 2 || (0..n).any(|j| input(j).map(<[E]>::len) != Some(len)) {
        return Err(KernelError::ShapeMismatch);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::*;
    use proptest::prelude::*;

    #[test]
    fn float_sums_in_order_and_checks_lengths() {
        let (a, b, c) = (
            [1.0f32, -0.0, 1e8],
            [2.0f32, -0.0, 1.0],
            [3.0f32, -0.0, -1e8],
        );
        let ins = [&a[..], &b[..], &c[..]];
        let mut out = [9f32; 3];
        add_n_f32(3, |j| ins.get(j).copied(), &mut out).unwrap();
        assert_eq!(out, [6.0, 0.0, 0.0]);
        assert!(out[1].is_sign_positive());
        let r = add_n_f32(1, |j| ins.get(j).copied(), &mut out);
        assert_eq!(r, Err(KernelError::ShapeMismatch));
        let r = add_n_f32(2, |j| ins.get(j).copied(), &mut out[..2]);
        assert_eq!(r, Err(KernelError::ShapeMismatch));
    }

    #[test]
    fn prepare_rejects_what_tflm_cannot_run() {
        assert!(add_n_prepare(0.1, 0, 0.1, 0).is_ok());
        assert_eq!(add_n_prepare(0.1, 200, 0.1, 0), Err(KernelError::BadParams));
        assert_eq!(add_n_prepare(1.0, 0, 1e-7, 0), Err(KernelError::BadParams));
        assert_eq!(add_n_prepare(0.0, 0, 0.1, 0), Err(KernelError::BadParams));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn int8_is_close_to_real(
            x in i8_vec(40), y in i8_vec(40), z in i8_vec(40),
            s in 0.002f32..0.05, zp in -128i32..=127, so in 0.01f32..0.2, zo in -128i32..=127,
        ) {
            let p = add_n_prepare(s, zp, so, zo).unwrap();
            let ins = [&x[..], &y[..], &z[..]];
            let mut got = vec![0i8; 40];
            add_n_int8(&p, 3, |j| ins.get(j).copied(), &mut got).unwrap();
            for i in 0..40 {
                // TFLM's sum carries one extra -zero_point.
                let sum: f64 = ins.iter().map(|v| f64::from(v[i]) - f64::from(zp)).sum::<f64>()
                    - f64::from(zp);
                let want = (sum * f64::from(s) / f64::from(so)).round() + f64::from(zo);
                let want = want.clamp(-128.0, 127.0);
                prop_assert!((f64::from(got[i]) - want).abs() <= 1.5, "{} vs {}", got[i], want);
            }
        }
    }
}
