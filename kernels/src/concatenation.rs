//! CONCATENATION and PACK: each input fills one band of the output along an axis
//! (TFLM `reference_ops::Concatenation`, `PackImpl`).
//!
//! A tensor is viewed as `[outer, axis, inner]` around the axis. An input with `len` entries
//! along the axis lands at entries `start..start + len` of the output's `axis` entries, for
//! every outer index. Callers run [`concatenation_part`] once per input; PACK is the same with
//! `len = 1` per input. Pure copies, so generic over the element type (TFLM's int8 path copies
//! raw values too: it never requantizes).

use crate::KernelError;

/// Where one input goes in the output, in elements of the `[outer, axis, inner]` view.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AxisBand {
    /// Product of the dims before the axis.
    pub outer: usize,
    /// The output's (concatenation) or input's (split) size along the axis.
    pub axis: usize,
    /// Product of the dims after the axis.
    pub inner: usize,
    /// First axis entry of the band.
    pub start: usize,
    /// Axis entries in the band.
    pub len: usize,
}

impl AxisBand {
    /// Checks the band against the whole tensor's and the part's lengths; returns
    /// `(part_row, whole_row, offset)` in elements.
    pub(crate) fn rows(
        &self,
        whole: usize,
        part: usize,
    ) -> Result<(usize, usize, usize), KernelError> {
        let bad = KernelError::ShapeMismatch;
        let end = self.start.checked_add(self.len).ok_or(bad)?;
        if end > self.axis {
            return Err(bad);
        }
        let part_row = self.len.checked_mul(self.inner).ok_or(bad)?;
        let whole_row = self.axis.checked_mul(self.inner).ok_or(bad)?;
        if self.outer.checked_mul(part_row) != Some(part)
            || self.outer.checked_mul(whole_row) != Some(whole)
        {
            return Err(bad);
        }
        Ok((part_row, whole_row, self.start * self.inner))
    }
}

/// Copies `input` (`[outer, len, inner]`) into its band of `output` (`[outer, axis, inner]`).
pub fn concatenation_part<T: Copy>(
    band: &AxisBand,
    input: &[T],
    output: &mut [T],
) -> Result<(), KernelError> {
    let (part_row, whole_row, offset) = band.rows(output.len(), input.len())?;
    if part_row == 0 {
        return Ok(());
    }
    for (src, dst) in input
        .chunks_exact(part_row)
        .zip(output.chunks_exact_mut(whole_row))
    {
        dst[offset..offset + part_row].copy_from_slice(src);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn two_parts() {
        // [2, 1] ++ [2, 2] along axis 1.
        let mut out = [0i8; 6];
        let a = AxisBand {
            outer: 2,
            axis: 3,
            inner: 1,
            start: 0,
            len: 1,
        };
        concatenation_part(&a, &[1, 2], &mut out).unwrap();
        let b = AxisBand {
            start: 1,
            len: 2,
            ..a
        };
        concatenation_part(&b, &[3, 4, 5, 6], &mut out).unwrap();
        assert_eq!(out, [1, 3, 4, 2, 5, 6]);
        let c = AxisBand {
            start: 2,
            len: 2,
            ..a
        };
        assert_eq!(
            concatenation_part(&c, &[3, 4, 5, 6], &mut out),
            Err(KernelError::ShapeMismatch)
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn matches_naive(
            outer in 0usize..4,
            inner in 0usize..4,
            lens in proptest::collection::vec(0usize..4, 1..5),
        ) {
            let axis: usize = lens.iter().sum();
            let mut out = vec![-1i32; outer * axis * inner];
            let mut start = 0;
            let mut parts = Vec::new();
            for (k, &len) in lens.iter().enumerate() {
                let part: Vec<i32> =
                    (0..outer * len * inner).map(|i| (k * 1000 + i) as i32).collect();
                let band = AxisBand { outer, axis, inner, start, len };
                concatenation_part(&band, &part, &mut out).unwrap();
                parts.push((start, len, part));
                start += len;
            }
            for o in 0..outer {
                for a in 0..axis {
                    for i in 0..inner {
                        let (s, len, part) =
                            parts.iter().find(|(s, len, _)| a >= *s && a < s + len).unwrap();
                        let want = part[(o * len + (a - s)) * inner + i];
                        prop_assert_eq!(out[(o * axis + a) * inner + i], want);
                    }
                }
            }
        }
    }
}
