//! SPLIT, SPLIT_V and UNPACK: each output takes one band of the input along an axis
//! (TFLM `SplitImpl`, `UnpackImpl`). The inverse of [`crate::concatenation`]; UNPACK is a
//! split into bands of one entry (the output drops the axis, which changes no element order).

use crate::concatenation::AxisBand;
use crate::KernelError;

/// Copies the band of `input` (`[outer, axis, inner]`) into `output` (`[outer, len, inner]`).
pub fn split_part<T: Copy>(
    band: &AxisBand,
    input: &[T],
    output: &mut [T],
) -> Result<(), KernelError> {
    let (part_row, whole_row, offset) = band.rows(input.len(), output.len())?;
    if part_row == 0 {
        return Ok(());
    }
    for (dst, src) in output
        .chunks_exact_mut(part_row)
        .zip(input.chunks_exact(whole_row))
    {
        dst.copy_from_slice(&src[offset..offset + part_row]);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::concatenation::concatenation_part;
    use proptest::prelude::*;

    #[test]
    fn unpack_middle_axis() {
        // [2, 3, 2] unpacked along axis 1: output k is x[:, k, :].
        let x: Vec<i16> = (0..12).collect();
        let mut out = [0i16; 4];
        let band = AxisBand {
            outer: 2,
            axis: 3,
            inner: 2,
            start: 1,
            len: 1,
        };
        split_part(&band, &x, &mut out).unwrap();
        assert_eq!(out, [2, 3, 8, 9]);
        let mut short = [0i16; 3];
        assert_eq!(
            split_part(&band, &x, &mut short),
            Err(KernelError::ShapeMismatch)
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn split_then_concat_is_identity(
            outer in 0usize..4,
            inner in 0usize..4,
            lens in proptest::collection::vec(0usize..4, 1..5),
        ) {
            let axis: usize = lens.iter().sum();
            let x: Vec<u32> = (0..(outer * axis * inner) as u32).collect();
            let mut back = vec![u32::MAX; x.len()];
            let mut start = 0;
            for &len in &lens {
                let band = AxisBand { outer, axis, inner, start, len };
                let mut part = vec![0u32; outer * len * inner];
                split_part(&band, &x, &mut part).unwrap();
                for o in 0..outer {
                    for a in 0..len {
                        for i in 0..inner {
                            prop_assert_eq!(
                                part[(o * len + a) * inner + i],
                                x[(o * axis + start + a) * inner + i]
                            );
                        }
                    }
                }
                concatenation_part(&band, &part, &mut back).unwrap();
                start += len;
            }
            prop_assert_eq!(back, x);
        }
    }
}
