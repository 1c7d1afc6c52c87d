//! ARG_MIN over one axis, as TFLM's `reference_ops::ArgMinMax` with `std::less`: ties keep
//! the first index. The input is viewed as `[outer, axis_size, inner]`; the output is
//! `[outer, inner]`. See [`crate::arg_max`] for the shared walk and index types.

use crate::arg_max::{arg_select, ArgIndex};
use crate::KernelError;

/// Index of the smallest value along the axis (first one on ties).
pub fn arg_min<T: Copy + PartialOrd, O: ArgIndex>(
    outer: usize,
    axis_size: usize,
    inner: usize,
    input: &[T],
    output: &mut [O],
) -> Result<(), KernelError> {
    arg_select(outer, axis_size, inner, input, output, |a, b| a < b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::*;
    use proptest::prelude::*;

    #[test]
    fn ties_first() {
        let mut out = [0i32; 2];
        arg_min(2, 3, 1, &[1i8, 0, 0, 7, 7, 9], &mut out).unwrap();
        assert_eq!(out, [1, 0]);
        let mut outf = [0i64; 2];
        arg_min(1, 3, 2, &[0.5f32, 1.0, -1.0, 1.0, -1.0, 0.0], &mut outf).unwrap();
        assert_eq!(outf, [1, 2]);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn matches_naive((outer, axis, inner, x) in (1usize..4, 1usize..6, 1usize..4)
            .prop_flat_map(|(o, a, i)| (Just(o), Just(a), Just(i), f32_vec(o * a * i)))) {
            let mut got = vec![0i64; outer * inner];
            arg_min(outer, axis, inner, &x, &mut got).unwrap();
            for o in 0..outer {
                for i in 0..inner {
                    let vals: Vec<f32> = (0..axis).map(|k| x[(o * axis + k) * inner + i]).collect();
                    let m = vals.iter().cloned().fold(f32::INFINITY, f32::min);
                    let first = vals.iter().position(|&v| v == m).unwrap();
                    prop_assert_eq!(got[o * inner + i], first as i64);
                }
            }
        }
    }
}
