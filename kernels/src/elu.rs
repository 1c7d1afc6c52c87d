//! ELU: `x < 0 ? exp(x) - 1 : x`. float32 as TFLM's `reference_ops::Elu` (`expm1f`); int8 as
//! TFLM's `elu.cc`, through a 256-entry table built once in float32: each input value
//! dequantized, transformed with `expf(x) - 1`, divided by the output scale (multiplied by
//! its float32 inverse), rounded half away from zero, offset by the output zero point and
//! clamped.

use crate::cast::f32_to_i32;
use crate::KernelError;

/// float32 ELU over the whole tensor.
///
/// # Errors
/// [`KernelError::ShapeMismatch`] when the slices differ in length.
pub fn elu_f32(input: &[f32], output: &mut [f32]) -> Result<(), KernelError> {
    if input.len() != output.len() {
        return Err(KernelError::ShapeMismatch);
    }
    for (o, &x) in output.iter_mut().zip(input) {
        *o = if x < 0.0 { libm::expm1f(x) } else { x };
    }
    Ok(())
}

/// The int8 table, indexed by the input's raw byte (`x as u8`), as TFLM's
/// `PopulateLookupTable`: every step in float32, the final cast as TFLM's x86-64 build
/// (`cvttss2si`: out of range or NaN gives `i32::MIN`, so -128 after the clamp).
pub fn elu_table_int8(
    in_scale: f32,
    in_zero_point: i32,
    out_scale: f32,
    out_zero_point: i32,
) -> [i8; 256] {
    let inverse_scale = 1.0 / out_scale;
    let mut table = [0i8; 256];
    for v in i8::MIN..=i8::MAX {
        let dequantized = in_scale * (i32::from(v).wrapping_sub(in_zero_point)) as f32;
        let transformed = if dequantized < 0.0 {
            libm::expf(dequantized) - 1.0
        } else {
            dequantized
        };
        let rescaled = libm::roundf(transformed * inverse_scale);
        let q = f32_to_i32(rescaled + out_zero_point as f32);
        if let Some(slot) = table.get_mut(usize::from(v as u8)) {
            *slot = q.clamp(-128, 127) as i8;
        }
    }
    table
}

/// int8 ELU: each element looked up in `table` ([`elu_table_int8`]).
///
/// # Errors
/// [`KernelError::ShapeMismatch`] when the slices differ in length.
pub fn elu_int8(table: &[i8; 256], input: &[i8], output: &mut [i8]) -> Result<(), KernelError> {
    if input.len() != output.len() {
        return Err(KernelError::ShapeMismatch);
    }
    for (o, &x) in output.iter_mut().zip(input) {
        *o = table.get(usize::from(x as u8)).copied().unwrap_or(0);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_and_table() {
        let mut out = [0f32; 4];
        elu_f32(&[-1.0, 0.0, 2.5, f32::NEG_INFINITY], &mut out).unwrap();
        assert!((out[0] - (-0.632_120_56)).abs() < 1e-7);
        assert_eq!(out[1..], [0.0, 2.5, -1.0]);
        // Scale 1/16, zero point 0 in and out: positives map to themselves, -128 (x = -8)
        // to round(16 * (e^-8 - 1)) = -16.
        let t = elu_table_int8(1.0 / 16.0, 0, 1.0 / 16.0, 0);
        let mut o = [0i8; 4];
        elu_int8(&t, &[5, 0, -128, 127], &mut o).unwrap();
        assert_eq!(o, [5, 0, -16, 127]);
        // A tiny output scale sends every positive value out of range: `cvttss2si` gives
        // i32::MIN, so -128, as TFLM's x86-64 build.
        let t = elu_table_int8(1.0, 0, 1e-12, 0);
        assert_eq!(t[100], -128);
        assert_eq!(elu_int8(&t, &[1], &mut o), Err(KernelError::ShapeMismatch));
    }
}
