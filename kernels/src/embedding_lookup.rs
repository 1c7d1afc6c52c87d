//! EMBEDDING_LOOKUP's hybrid path, as TFLM's `EvalHybrid`: int8 rows (zero point 0)
//! dequantized into float32 (`x * scale`). The plain path (float32 or int8 rows copied raw)
//! is [`crate::gather::gather`] along axis 0.

use crate::KernelError;

/// Writes `output[i] = value[lookup[i]] * scale` row by row (`rows` rows of `cols`).
///
/// # Errors
/// [`KernelError::BadParams`] when a lookup index is outside `0..rows` (TFLM fails the
/// invoke; nothing is written here); [`KernelError::ShapeMismatch`] when a slice does not fit.
pub fn embedding_lookup_hybrid(
    rows: usize,
    cols: usize,
    scale: f32,
    value: &[i8],
    lookup: &[i32],
    output: &mut [f32],
) -> Result<(), KernelError> {
    if rows.checked_mul(cols) != Some(value.len())
        || lookup.len().checked_mul(cols) != Some(output.len())
    {
        return Err(KernelError::ShapeMismatch);
    }
    if lookup
        .iter()
        .any(|&i| usize::try_from(i).map_or(true, |i| i >= rows))
    {
        return Err(KernelError::BadParams);
    }
    if cols == 0 {
        return Ok(());
    }
    for (o, &i) in output.chunks_exact_mut(cols).zip(lookup) {
        let start = i as usize * cols;
        let row = value
            .get(start..start + cols)
            .ok_or(KernelError::BadParams)?;
        for (y, &x) in o.iter_mut().zip(row) {
            *y = f32::from(x) * scale;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dequantizes_rows() {
        let v = [1i8, 2, -3, 4, 5, -128];
        let mut o = [0f32; 4];
        embedding_lookup_hybrid(3, 2, 0.5, &v, &[2, 0], &mut o).unwrap();
        assert_eq!(o, [2.5, -64.0, 0.5, 1.0]);
        assert_eq!(
            embedding_lookup_hybrid(3, 2, 0.5, &v, &[3, 0], &mut o),
            Err(KernelError::BadParams)
        );
    }
}
