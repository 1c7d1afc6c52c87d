//! FLOOR_DIV with broadcasting over 4-D shapes, as TFLM's `floor_div.cc` (float32 only):
//! `floor((double)x / (double)y)` converted back to float. The quotient is rounded to a double
//! before the floor (so `0.5f / 0.1f` gives 4, where a float quotient would round to 5); this
//! repeats that double rounding on integers ([`Double`]), with no f64 code on the device.

use crate::broadcast::binary;
use crate::double::Double;
use crate::KernelError;

/// `(float)floor((double)x / (double)y)` as C computes it, for `y != 0`.
pub fn floor_div_one(x: f32, y: f32) -> f32 {
    if x.is_nan() || y.is_nan() {
        return x + y;
    }
    let negative = x.is_sign_negative() != y.is_sign_negative();
    let signed = |v: f32| if negative { -v } else { v };
    if x.is_infinite() {
        return if y.is_infinite() {
            f32::NAN
        } else {
            signed(f32::INFINITY)
        };
    }
    if y == 0.0 {
        // IEEE: an infinity, or NaN for 0 / 0 (callers reject zero divisors, as TFLM).
        return x / y;
    }
    if y.is_infinite() || x == 0.0 {
        // A signed zero, which floor keeps.
        return signed(0.0);
    }
    match (Double::from_f32(x.abs()), Double::from_f32(y.abs())) {
        (Some(a), Some(b)) => (a / b).floor_to_f32(negative),
        _ => f32::NAN,
    }
}

/// Float32 FLOOR_DIV: `out = floor(x / y)` over the broadcast of the inputs.
///
/// # Errors
/// [`KernelError::BadParams`] when any divisor is 0 (TFLM's "Division by 0", checked before
/// anything is written); [`KernelError::ShapeMismatch`] when the shapes do not broadcast or a
/// slice's length does not match its shape.
pub fn floor_div_f32(
    in1_shape: [usize; 4],
    in1: &[f32],
    in2_shape: [usize; 4],
    in2: &[f32],
    out_shape: [usize; 4],
    output: &mut [f32],
) -> Result<(), KernelError> {
    // -0.0 too, as C's `==`.
    if in2.contains(&0.0) {
        return Err(KernelError::BadParams);
    }
    binary(
        in1_shape,
        in1,
        in2_shape,
        in2,
        out_shape,
        output,
        floor_div_one,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn reference(x: f32, y: f32) -> f32 {
        (f64::from(x) / f64::from(y)).floor() as f32
    }

    #[test]
    fn double_rounding_and_edges() {
        assert_eq!(floor_div_one(0.5, 0.1), 4.0);
        assert_eq!(floor_div_one(7.0, 2.0), 3.0);
        assert_eq!(floor_div_one(-7.0, 2.0), -4.0);
        assert_eq!(floor_div_one(-0.5, 3.0), -1.0);
        assert_eq!(floor_div_one(6.0, -3.0), -2.0);
        let z = floor_div_one(-0.0, 3.0);
        assert!(z == 0.0 && z.is_sign_negative());
        let z = floor_div_one(-5.0, f32::INFINITY);
        assert!(z == 0.0 && z.is_sign_negative());
        assert_eq!(floor_div_one(f32::MAX, 1e-30), f32::INFINITY);
        assert_eq!(floor_div_one(-f32::MAX, 1e-30), f32::NEG_INFINITY);
        assert_eq!(floor_div_one(f32::NEG_INFINITY, 2.0), f32::NEG_INFINITY);
        assert!(floor_div_one(f32::INFINITY, f32::INFINITY).is_nan());
        assert!(floor_div_one(f32::NAN, 1.0).is_nan());
        assert_eq!(floor_div_one(1e-45, 1e38), 0.0);
        assert_eq!(floor_div_one(-1e-45, 1e38), -1.0);
        assert_eq!(floor_div_one(16_777_217.0 * 4.0, 1.0), 67_108_868.0);
        let mut out = [0f32; 2];
        let r = floor_div_f32(
            [1, 1, 1, 2],
            &[1.0, 2.0],
            [1; 4],
            &[-0.0],
            [1, 1, 1, 2],
            &mut out,
        );
        assert_eq!(r, Err(KernelError::BadParams));
        floor_div_f32(
            [1, 1, 1, 2],
            &[5.0, -5.0],
            [1; 4],
            &[2.0],
            [1, 1, 1, 2],
            &mut out,
        )
        .unwrap();
        assert_eq!(out, [2.0, -3.0]);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn matches_double_floor(xb in any::<u32>(), yb in any::<u32>()) {
            let (x, y) = (f32::from_bits(xb), f32::from_bits(yb));
            prop_assume!(y != 0.0 && !x.is_nan() && !y.is_nan());
            let (got, want) = (floor_div_one(x, y), reference(x, y));
            prop_assert!(got.to_bits() == want.to_bits() || (got.is_nan() && want.is_nan()),
                "{x:e} / {y:e}: {got:e} vs {want:e}");
        }

        #[test]
        fn matches_double_floor_near_integers(a in -1000i32..1000, b in 1i32..1000, s in -3i32..3) {
            // Quotients near integers, where a float quotient would round differently.
            let k = 10f32.powi(s);
            let (x, y) = (a as f32 * k, b as f32 * k * 0.1);
            let (got, want) = (floor_div_one(x, y), reference(x, y));
            prop_assert_eq!(got.to_bits(), want.to_bits());
        }
    }
}
