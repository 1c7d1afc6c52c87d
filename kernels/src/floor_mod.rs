//! FLOOR_MOD with broadcasting over 4-D shapes, as TFLM's `floor_mod.cc` (float32 only): C's
//! `fmodf` (exact), moved by one divisor when its sign differs from the divisor's. A zero
//! divisor is not checked: `fmodf(x, 0)` is NaN, and so is the result.

use crate::broadcast::binary;
use crate::KernelError;

/// TFLM's `FloorMod<float>`: `r = fmodf(x, y)`, then `r + y` when `r != 0` and `r` and `y`
/// have different signs.
pub fn floor_mod_one(x: f32, y: f32) -> f32 {
    let r = libm::fmodf(x, y);
    if r != 0.0 && ((y < 0.0) != (r < 0.0)) {
        r + y
    } else {
        r
    }
}

/// Float32 FLOOR_MOD: `out = x mod y` (the result takes the divisor's sign) over the
/// broadcast of the inputs.
///
/// # Errors
/// [`KernelError::ShapeMismatch`] when the shapes do not broadcast or a slice's length does
/// not match its shape.
pub fn floor_mod_f32(
    in1_shape: [usize; 4],
    in1: &[f32],
    in2_shape: [usize; 4],
    in2: &[f32],
    out_shape: [usize; 4],
    output: &mut [f32],
) -> Result<(), KernelError> {
    binary(
        in1_shape,
        in1,
        in2_shape,
        in2,
        out_shape,
        output,
        floor_mod_one,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_follows_divisor() {
        assert_eq!(floor_mod_one(7.0, 3.0), 1.0);
        assert_eq!(floor_mod_one(-7.0, 3.0), 2.0);
        assert_eq!(floor_mod_one(7.0, -3.0), -2.0);
        assert_eq!(floor_mod_one(-7.0, -3.0), -1.0);
        assert_eq!(floor_mod_one(6.0, -3.0), 0.0);
        assert_eq!(floor_mod_one(0.75, 0.5), 0.25);
        assert!(floor_mod_one(1.0, 0.0).is_nan());
        // -1e-8 mod 1 rounds to 1.0 in float (as in C).
        assert_eq!(floor_mod_one(-1e-8, 1.0), 1.0);
        let mut out = [0f32; 2];
        floor_mod_f32(
            [1, 1, 1, 2],
            &[5.5, -5.5],
            [1; 4],
            &[2.0],
            [1, 1, 1, 2],
            &mut out,
        )
        .unwrap();
        assert_eq!(out, [1.5, 0.5]);
    }
}
