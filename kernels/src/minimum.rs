//! MINIMUM with broadcasting over 4-D shapes, as TFLM's `MaximumMinimumBroadcastSlow` with
//! `el1 < el2 ? el1 : el2`: raw values are compared (int8 inputs and output share one
//! quantization, so no rescaling happens), and a float NaN in `el1` yields `el2`.

use crate::broadcast::binary;
use crate::KernelError;

/// Elementwise minimum of any comparable element type (TFLM: f32, i8, i16, i32, i64).
pub fn minimum<T: Copy + PartialOrd>(
    in1_shape: [usize; 4],
    in1: &[T],
    in2_shape: [usize; 4],
    in2: &[T],
    out_shape: [usize; 4],
    output: &mut [T],
) -> Result<(), KernelError> {
    binary(in1_shape, in1, in2_shape, in2, out_shape, output, |a, b| {
        if a < b {
            a
        } else {
            b
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::broadcast::testing::{coords, index, shapes};
    use crate::testutil::*;
    use proptest::prelude::*;

    #[test]
    fn nan_and_errors() {
        let mut out = [0f32; 2];
        minimum(
            [1, 1, 1, 2],
            &[f32::NAN, 1.0],
            [1; 4],
            &[0.5],
            [1, 1, 1, 2],
            &mut out,
        )
        .unwrap();
        assert_eq!(out, [0.5, 0.5]);
        let r = minimum(
            [1, 1, 1, 2],
            &[0i8; 2],
            [1, 1, 1, 3],
            &[0i8; 3],
            [1, 1, 1, 2],
            &mut [0i8; 2],
        );
        assert_eq!(r, Err(KernelError::ShapeMismatch));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        #[test]
        fn int8_matches(
            ((a, b, out), x, y) in shapes().prop_flat_map(|(a, b, o)| (
                Just((a, b, o)), i8_vec(a.iter().product()), i8_vec(b.iter().product()),
            ))
        ) {
            let mut got = vec![0i8; out.iter().product()];
            minimum(a, &x, b, &y, out, &mut got).unwrap();
            for (k, idx) in coords(out).into_iter().enumerate() {
                prop_assert_eq!(got[k], x[index(a, idx)].min(y[index(b, idx)]));
            }
        }

        #[test]
        fn f32_matches(
            ((a, b, out), x, y) in shapes().prop_flat_map(|(a, b, o)| (
                Just((a, b, o)), f32_vec(a.iter().product()), f32_vec(b.iter().product()),
            ))
        ) {
            let mut got = vec![0f32; out.iter().product()];
            minimum(a, &x, b, &y, out, &mut got).unwrap();
            for (k, idx) in coords(out).into_iter().enumerate() {
                prop_assert_eq!(got[k], x[index(a, idx)].min(y[index(b, idx)]));
            }
        }
    }
}
