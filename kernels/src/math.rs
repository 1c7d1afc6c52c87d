//! Float32 unary math: ABS, NEG, SQUARE, SQRT, RSQRT, EXP, LOG, SIN, COS, FLOOR, CEIL and ROUND,
//! as TFLM's float kernels (`elementwise.cc`, `neg.cc`, `exp.cc`, `floor.cc`, `ceil.cc`,
//! `round.cc`): one C library call (or one operation) per element, in the same order.
//!
//! `libm` provides the functions (musl's `sqrtf`, `expf`, `logf`, `sinf`, `cosf`, ...); SQRT,
//! FLOOR, CEIL, ROUND, ABS and NEG are exact, so they match TFLM bit for bit; the
//! transcendental ones agree with glibc's to within an ulp or so.

use crate::KernelError;

/// `output[i] = f(input[i])` over equal-length slices.
#[inline]
fn map(input: &[f32], output: &mut [f32], f: impl Fn(f32) -> f32) -> Result<(), KernelError> {
    if input.len() != output.len() {
        return Err(KernelError::ShapeMismatch);
    }
    for (o, &x) in output.iter_mut().zip(input) {
        *o = f(x);
    }
    Ok(())
}

/// TFLM's `reference_ops::RoundToNearest`: round half to even, written as TFLM writes it
/// (`floor`, then the parity of the floor as an `int` on a tie).
pub fn round_to_nearest(value: f32) -> f32 {
    let floor_val = libm::floorf(value);
    let diff = value - floor_val;
    // A tie means |value| < 2^23, so the `as i32` below is exact there.
    if diff < 0.5 || (diff == 0.5 && (floor_val as i32) % 2 == 0) {
        floor_val
    } else {
        floor_val + 1.0
    }
}

macro_rules! unary_f32 {
    ($($(#[$doc:meta])* $name:ident => $f:expr;)*) => {$(
        $(#[$doc])*
        ///
        /// # Errors
        /// [`KernelError::ShapeMismatch`] when the slices differ in length.
        pub fn $name(input: &[f32], output: &mut [f32]) -> Result<(), KernelError> {
            map(input, output, $f)
        }
    )*};
}

unary_f32! {
    /// ABS: `fabsf`.
    abs_f32 => libm::fabsf;
    /// NEG: `-x`.
    neg_f32 => |x: f32| -x;
    /// SQUARE: `x * x`.
    square_f32 => |x: f32| x * x;
    /// SQRT: `sqrtf` (NaN below zero).
    sqrt_f32 => libm::sqrtf;
    /// RSQRT: `1 / sqrtf(x)` (infinity at zero, NaN below).
    rsqrt_f32 => |x: f32| 1.0 / libm::sqrtf(x);
    /// EXP: `expf`.
    exp_f32 => libm::expf;
    /// LOG: `logf` (-infinity at zero, NaN below).
    log_f32 => libm::logf;
    /// SIN: `sinf`.
    sin_f32 => libm::sinf;
    /// COS: `cosf`.
    cos_f32 => libm::cosf;
    /// FLOOR: `floorf`.
    floor_f32 => libm::floorf;
    /// CEIL: `ceilf`.
    ceil_f32 => libm::ceilf;
    /// ROUND: half to even ([`round_to_nearest`]).
    round_f32 => round_to_nearest;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_is_half_to_even() {
        let x = [
            -2.5f32,
            -1.5,
            -0.5,
            0.5,
            1.5,
            2.5,
            0.49,
            -0.51,
            1e30,
            f32::INFINITY,
        ];
        let mut out = [0f32; 10];
        round_f32(&x, &mut out).unwrap();
        assert_eq!(
            out,
            [
                -2.0,
                -2.0,
                -0.0,
                0.0,
                2.0,
                2.0,
                0.0,
                -1.0,
                1e30,
                f32::INFINITY
            ]
        );
        assert!(round_to_nearest(f32::NAN).is_nan());
    }

    #[test]
    fn functions_and_lengths() {
        let x = [4.0f32, 0.25];
        let mut out = [0f32; 2];
        sqrt_f32(&x, &mut out).unwrap();
        assert_eq!(out, [2.0, 0.5]);
        rsqrt_f32(&x, &mut out).unwrap();
        assert_eq!(out, [0.5, 2.0]);
        square_f32(&x, &mut out).unwrap();
        assert_eq!(out, [16.0, 0.0625]);
        neg_f32(&x, &mut out).unwrap();
        assert_eq!(out, [-4.0, -0.25]);
        floor_f32(&[-1.5, 1.5], &mut out).unwrap();
        assert_eq!(out, [-2.0, 1.0]);
        ceil_f32(&[-1.5, 1.5], &mut out).unwrap();
        assert_eq!(out, [-1.0, 2.0]);
        abs_f32(&[-1.5, 1.5], &mut out).unwrap();
        assert_eq!(out, [1.5, 1.5]);
        exp_f32(&[0.0, 1.0], &mut out).unwrap();
        assert_eq!(out[0], 1.0);
        assert!((out[1] - core::f32::consts::E).abs() < 1e-6);
        log_f32(&[1.0, core::f32::consts::E], &mut out).unwrap();
        assert_eq!(out[0], 0.0);
        assert!((out[1] - 1.0).abs() < 1e-6);
        sin_f32(&[0.0, core::f32::consts::FRAC_PI_2], &mut out).unwrap();
        assert_eq!(out, [0.0, 1.0]);
        cos_f32(&[0.0, core::f32::consts::PI], &mut out).unwrap();
        assert_eq!(out, [1.0, -1.0]);
        assert_eq!(
            sqrt_f32(&x, &mut [0f32; 3]),
            Err(KernelError::ShapeMismatch)
        );
    }
}
