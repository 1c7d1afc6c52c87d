//! DEQUANTIZE: int8/int16 to float, as TFLM's reference `Dequantize`.

use crate::quant::QuantizedInt;
use crate::KernelError;

/// A quantized integer to float: `scale * (x - zero_point)`, the difference converted to `f32`
/// first (TFLM `Dequantize`).
pub fn dequantize<I: QuantizedInt>(
    scale: f32,
    zero_point: i32,
    input: &[I],
    output: &mut [f32],
) -> Result<(), KernelError> {
    if input.len() != output.len() {
        return Err(KernelError::ShapeMismatch);
    }
    for (o, &x) in output.iter_mut().zip(input) {
        *o = scale * x.widen().wrapping_sub(zero_point) as f32;
    }
    Ok(())
}

/// Int8 to float: `scale * (x - zero_point)`.
pub fn dequantize_i8_to_f32(
    scale: f32,
    zero_point: i32,
    input: &[i8],
    output: &mut [f32],
) -> Result<(), KernelError> {
    dequantize(scale, zero_point, input, output)
}

/// Int16 to float: `scale * (x - zero_point)`.
pub fn dequantize_i16_to_f32(
    scale: f32,
    zero_point: i32,
    input: &[i16],
    output: &mut [f32],
) -> Result<(), KernelError> {
    dequantize(scale, zero_point, input, output)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn hand_checked() {
        let mut out = [0f32; 3];
        dequantize_i8_to_f32(0.5, -1, &[-1, 0, 127], &mut out).unwrap();
        assert_eq!(out, [0.0, 0.5, 64.0]);
        let mut out16 = [0f32; 1];
        dequantize_i16_to_f32(0.25, 0, &[-32768], &mut out16).unwrap();
        assert_eq!(out16, [-8192.0]);
        assert_eq!(
            dequantize_i8_to_f32(0.5, 0, &[1, 2], &mut out),
            Err(KernelError::ShapeMismatch)
        );
        dequantize_i8_to_f32(1.0, i32::MIN, &[1, 2, 3], &mut out).unwrap();
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn roundtrip_is_exact(xs in proptest::collection::vec(any::<i8>(), 0..64), scale in 0.001f32..2.0, zp in -128i32..=127) {
            let mut f = vec![0f32; xs.len()];
            dequantize_i8_to_f32(scale, zp, &xs, &mut f).unwrap();
            for (v, &x) in f.iter().zip(&xs) {
                prop_assert_eq!(*v, scale * (x as i32 - zp) as f32);
            }
            let mut back = vec![0i8; xs.len()];
            crate::quantize::quantize_f32_to_i8(scale, zp, &f, &mut back).unwrap();
            // Quantizing the dequantized value gives the original back.
            prop_assert_eq!(back, xs);
        }
    }
}
