//! IEEE 754 binary16 ("half", TFLite's FLOAT16) to binary32, exactly, in software: every half
//! value is representable as a single, so the conversion never rounds.

use crate::KernelError;

/// The `f32` equal to the half-precision value with bits `h`: zeros, subnormals, normals and
/// infinities exactly; a NaN stays a NaN with its sign and payload moved up 13 bits, as a
/// hardware `vcvt` gives it.
#[inline]
pub fn f16_to_f32(h: u16) -> f32 {
    let sign = u32::from(h >> 15) << 31;
    let exp = u32::from((h >> 10) & 0x1f);
    let mant = u32::from(h & 0x3ff);
    let bits = match (exp, mant) {
        (0, 0) => sign,
        // Subnormal: mant * 2^-24, exact (a 10-bit integer times a power of two, normal in f32).
        (0, _) => {
            let v = mant as f32 * (1.0 / 16_777_216.0);
            sign | v.to_bits()
        }
        (0x1f, _) => sign | 0x7f80_0000 | (mant << 13),
        // Normal: rebias the exponent from 15 to 127.
        _ => sign | ((exp + 112) << 23) | (mant << 13),
    };
    f32::from_bits(bits)
}

/// Half-precision values stored little-endian (two bytes each, as in a `.tflite` buffer) to
/// `f32`: DEQUANTIZE float16 -> float32, as TFLite's `Dequantize` of a FLOAT16 tensor.
///
/// # Errors
/// [`KernelError::ShapeMismatch`] when `input` is not two bytes per output element.
pub fn dequantize_f16(input: &[u8], output: &mut [f32]) -> Result<(), KernelError> {
    if input.len() != output.len().saturating_mul(2) {
        return Err(KernelError::ShapeMismatch);
    }
    for (o, b) in output.iter_mut().zip(input.chunks_exact(2)) {
        if let &[lo, hi] = b {
            *o = f16_to_f32(u16::from_le_bytes([lo, hi]));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Plain formulation: sign * mantissa * 2^exponent in f64.
    fn naive(h: u16) -> f64 {
        let s = if h >> 15 == 1 { -1.0 } else { 1.0 };
        let e = i32::from((h >> 10) & 0x1f);
        let m = f64::from(h & 0x3ff);
        match e {
            0 => s * m * 2f64.powi(-24),
            0x1f if m == 0.0 => s * f64::INFINITY,
            0x1f => f64::NAN,
            _ => s * (1.0 + m / 1024.0) * 2f64.powi(e - 15),
        }
    }

    #[test]
    fn every_half_value_exact() {
        for h in 0..=u16::MAX {
            let got = f16_to_f32(h);
            let want = naive(h);
            if want.is_nan() {
                assert!(got.is_nan(), "{h:#06x}");
                assert_eq!(got.to_bits() >> 31, u32::from(h >> 15));
            } else {
                assert_eq!(f64::from(got), want, "{h:#06x}");
                assert_eq!(got.is_sign_negative(), h >> 15 == 1, "{h:#06x}");
            }
        }
        assert_eq!(f16_to_f32(0x3c00), 1.0);
        assert_eq!(f16_to_f32(0xc000), -2.0);
        assert_eq!(f16_to_f32(0x7bff), 65504.0);
        assert_eq!(f16_to_f32(0x0001), 2f32.powi(-24));
    }

    #[test]
    fn slices() {
        let mut out = [0f32; 2];
        dequantize_f16(&[0x00, 0x3c, 0x00, 0xb8], &mut out).unwrap();
        assert_eq!(out, [1.0, -0.5]);
        assert_eq!(
            dequantize_f16(&[0x00, 0x3c, 0x00], &mut out),
            Err(KernelError::ShapeMismatch)
        );
    }
}
