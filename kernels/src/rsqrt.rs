//! Int8 RSQRT, as TFLM's `RsqrtEvalQuantized` (`elementwise.cc`): the offset input `v` goes
//! through `GetInvSqrtQuantizedMultiplierExp` (the fixed-point Newton-Raphson of
//! L2_NORMALIZATION), `1` is scaled by that multiplier with 20 extra bits, then by the op's
//! multiplier `1 / (sqrt(in_scale) * out_scale)` with those 20 bits taken back, plus the
//! output zero point, saturated. `v == 0` gives 127 (TFLM: "any value close to 0 represents
//! the max output value"); a negative `v` is an error (TFLM fails the invoke).

use crate::l2_normalization::get_inv_sqrt_quantized_multiplier_exp;
use crate::quant::{multiply_by_quantized_multiplier, quantize_ratio};
use crate::KernelError;

/// TFLM's `kShift`: extra bits that keep the intermediate `1 / sqrt(v)` an integer.
const SHIFT: i32 = 20;
/// TFLM's `kReverseShift`.
const REVERSE_SHIFT: i32 = -1;

/// What the int8 RSQRT kernel needs, fixed at prepare.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RsqrtParams {
    /// The input zero point (subtracted).
    pub input_offset: i32,
    /// The output zero point (added).
    pub output_offset: i32,
    /// `1 / (sqrt(in_scale) * out_scale)` as a multiplier.
    pub multiplier: i32,
    /// Its exponent.
    pub shift: i32,
}

/// TFLM's RSQRT set-up: `QuantizeMultiplier(1. / double(sqrtf(in_scale) * out_scale))`, the
/// square root and the product taken in float.
pub fn rsqrt_prepare(
    input_scale: f32,
    input_zero_point: i32,
    output_scale: f32,
    output_zero_point: i32,
) -> RsqrtParams {
    // 1 / double(v) rounded once, on integers.
    let (multiplier, shift) = quantize_ratio(1.0, libm::sqrtf(input_scale) * output_scale);
    RsqrtParams {
        input_offset: input_zero_point,
        output_offset: output_zero_point,
        multiplier,
        shift,
    }
}

/// One int8 RSQRT value; `None` below the input zero point.
#[inline]
fn rsqrt_one(p: &RsqrtParams, q: i8) -> Option<i8> {
    let q = i32::from(q);
    if q < p.input_offset {
        return None;
    }
    let value = q.wrapping_sub(p.input_offset);
    if value == 0 {
        return Some(i8::MAX);
    }
    let (inv_sqrt, inv_shift) = get_inv_sqrt_quantized_multiplier_exp(value, REVERSE_SHIFT);
    let data = multiply_by_quantized_multiplier(1, inv_sqrt, inv_shift.wrapping_add(SHIFT));
    let out = multiply_by_quantized_multiplier(data, p.multiplier, p.shift.wrapping_sub(SHIFT))
        .wrapping_add(p.output_offset);
    Some(out.clamp(i32::from(i8::MIN), i32::from(i8::MAX)) as i8)
}

/// Int8 RSQRT.
///
/// # Errors
/// [`KernelError::ShapeMismatch`] when the slices differ in length;
/// [`KernelError::BadParams`] when an input is below the input zero point (a negative real
/// value), as TFLM fails there; the output is then partly written.
pub fn rsqrt_int8(p: &RsqrtParams, input: &[i8], output: &mut [i8]) -> Result<(), KernelError> {
    if input.len() != output.len() {
        return Err(KernelError::ShapeMismatch);
    }
    for (o, &x) in output.iter_mut().zip(input) {
        *o = rsqrt_one(p, x).ok_or(KernelError::BadParams)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn zero_and_negative() {
        let p = rsqrt_prepare(0.01, -128, 0.05, -128);
        let mut out = [0i8; 1];
        rsqrt_int8(&p, &[-128], &mut out).unwrap();
        assert_eq!(out, [127]);
        let p = rsqrt_prepare(0.01, 0, 0.05, -128);
        assert_eq!(rsqrt_int8(&p, &[-1], &mut out), Err(KernelError::BadParams));
        assert_eq!(
            rsqrt_int8(&p, &[0, 1], &mut out),
            Err(KernelError::ShapeMismatch)
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn close_to_real(
            zi in -128i32..=0, zo in -128i32..=0,
            si in 0.002f32..0.05, so in 0.01f32..0.2,
        ) {
            let p = rsqrt_prepare(si, zi, so, zo);
            let x: Vec<i8> = (zi + 1..=127).map(|v| v as i8).collect();
            let mut got = vec![0i8; x.len()];
            rsqrt_int8(&p, &x, &mut got).unwrap();
            for (&q, &g) in x.iter().zip(&got) {
                let real = 1.0 / ((f64::from(q) - f64::from(zi)) * f64::from(si)).sqrt();
                let want = (real / f64::from(so)).round() + f64::from(zo);
                let want = want.clamp(-128.0, 127.0);
                prop_assert!((f64::from(g) - want).abs() <= 1.0, "{} {} {}", q, g, want);
            }
        }
    }
}
