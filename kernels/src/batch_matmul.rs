//! BATCH_MATMUL, as TFLM's `batch_matmul.cc` over `reference_ops::BatchMatMul`:
//! `out[b] = op(lhs[b]) x op(rhs[b])` for each of up to three broadcast batch dims, where
//! `op` transposes the last two dims when `adj_x` / `adj_y` is set. float32 sums each
//! product in f32 in increasing depth order from 0. int8 sums
//! `(lhs - lhs_zp) * (rhs - rhs_zp)` in a wrapping i32 and rescales as FULLY_CONNECTED;
//! int16 (zero points 0) sums in i64 and rescales with TFLM's 64-bit multiply.

use crate::quant::{multiply_by_quantized_multiplier, multiply_by_quantized_multiplier_i64};
use crate::KernelError;

/// The geometry, fixed at prepare: batch dims right-aligned into three (1 for missing).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BatchMatMulDims {
    /// The lhs batch dims (each 1 or the output's).
    pub lhs_batch: [usize; 3],
    /// The rhs batch dims (each 1 or the output's).
    pub rhs_batch: [usize; 3],
    /// Output rows.
    pub m: usize,
    /// Depth (summed).
    pub k: usize,
    /// Output columns.
    pub n: usize,
    /// The lhs is stored `[k, m]` (TFLM's `adj_x`).
    pub adj_x: bool,
    /// The rhs is stored `[n, k]` (TFLM's `adj_y`).
    pub adj_y: bool,
}

/// The int8 / int16 rescale.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BatchMatMulQuant {
    /// The lhs zero point.
    pub lhs_zero_point: i32,
    /// The rhs zero point.
    pub rhs_zero_point: i32,
    /// The output zero point.
    pub output_zero_point: i32,
    /// `lhs_scale * rhs_scale / output_scale` (the product in f32, as TFLM).
    pub multiplier: i32,
    /// Its shift.
    pub shift: i32,
}

impl BatchMatMulDims {
    fn batch(&self) -> [usize; 3] {
        core::array::from_fn(|i| {
            let (l, r) = (
                self.lhs_batch.get(i).copied().unwrap_or(1),
                self.rhs_batch.get(i).copied().unwrap_or(1),
            );
            if l == 1 {
                r
            } else {
                l
            }
        })
    }

    /// Checks the dims and the slice lengths; the output's batch count.
    fn check(&self, lhs: usize, rhs: usize, out: usize) -> Result<usize, KernelError> {
        let batch = self.batch();
        for i in 0..3 {
            let (l, r, b) = (
                self.lhs_batch.get(i).copied().unwrap_or(1),
                self.rhs_batch.get(i).copied().unwrap_or(1),
                batch.get(i).copied().unwrap_or(1),
            );
            if (l != 1 && l != b) || (r != 1 && r != b) {
                return Err(KernelError::BadParams);
            }
        }
        let prod = |s: &[usize]| s.iter().try_fold(1usize, |a, &d| a.checked_mul(d));
        let lens = (
            prod(&[prod(&self.lhs_batch).unwrap_or(usize::MAX), self.m, self.k]),
            prod(&[prod(&self.rhs_batch).unwrap_or(usize::MAX), self.k, self.n]),
            prod(&[prod(&batch).unwrap_or(usize::MAX), self.m, self.n]),
        );
        if lens != (Some(lhs), Some(rhs), Some(out)) {
            return Err(KernelError::ShapeMismatch);
        }
        prod(&batch).ok_or(KernelError::ShapeMismatch)
    }

    /// For output batch `b` (flat), the flat lhs and rhs matrix indices.
    fn sources(&self, b: usize) -> (usize, usize) {
        let batch = self.batch();
        let (b1, b2) = (batch[1], batch[2]);
        let c = [
            b / (b1 * b2).max(1),
            (b / b2.max(1)) % b1.max(1),
            b % b2.max(1),
        ];
        let at = |dims: &[usize; 3]| {
            let pick = |i: usize| if dims[i] == 1 { 0 } else { c[i] };
            (pick(0) * dims[1] + pick(1)) * dims[2] + pick(2)
        };
        (at(&self.lhs_batch), at(&self.rhs_batch))
    }

    /// Runs `cell(out_index, lhs_index_of(k), rhs_index_of(k))` for every output element.
    fn each(
        &self,
        batches: usize,
        mut cell: impl FnMut(usize, &dyn Fn(usize) -> usize, &dyn Fn(usize) -> usize),
    ) {
        let (m, k, n) = (self.m, self.k, self.n);
        for b in 0..batches {
            let (lb, rb) = self.sources(b);
            let (l0, r0) = (lb * m * k, rb * k * n);
            for i in 0..m {
                for j in 0..n {
                    let li = |d: usize| l0 + if self.adj_x { d * m + i } else { i * k + d };
                    let ri = |d: usize| r0 + if self.adj_y { j * k + d } else { d * n + j };
                    cell((b * m + i) * n + j, &li, &ri);
                }
            }
        }
    }
}

/// float32 BATCH_MATMUL.
///
/// # Errors
/// [`KernelError::BadParams`] when the batch dims do not broadcast;
/// [`KernelError::ShapeMismatch`] when a slice does not fit its dims.
pub fn batch_matmul_f32(
    d: &BatchMatMulDims,
    lhs: &[f32],
    rhs: &[f32],
    output: &mut [f32],
) -> Result<(), KernelError> {
    let batches = d.check(lhs.len(), rhs.len(), output.len())?;
    d.each(batches, |o, li, ri| {
        let mut total = 0.0f32;
        for k in 0..d.k {
            total +=
                lhs.get(li(k)).copied().unwrap_or(0.0) * rhs.get(ri(k)).copied().unwrap_or(0.0);
        }
        if let Some(y) = output.get_mut(o) {
            *y = total;
        }
    });
    Ok(())
}

/// int8 BATCH_MATMUL: TFLM's wrapping i32 sum, 32-bit rescale, output clamped to int8.
///
/// # Errors
/// As [`batch_matmul_f32`].
pub fn batch_matmul_int8(
    d: &BatchMatMulDims,
    q: &BatchMatMulQuant,
    lhs: &[i8],
    rhs: &[i8],
    output: &mut [i8],
) -> Result<(), KernelError> {
    let batches = d.check(lhs.len(), rhs.len(), output.len())?;
    d.each(batches, |o, li, ri| {
        let mut total = 0i32;
        for k in 0..d.k {
            let l = i32::from(lhs.get(li(k)).copied().unwrap_or(0)) - q.lhs_zero_point;
            let r = i32::from(rhs.get(ri(k)).copied().unwrap_or(0)) - q.rhs_zero_point;
            total = total.wrapping_add(l.wrapping_mul(r));
        }
        let v = multiply_by_quantized_multiplier(total, q.multiplier, q.shift)
            .wrapping_add(q.output_zero_point);
        if let Some(y) = output.get_mut(o) {
            *y = v.clamp(-128, 127) as i8;
        }
    });
    Ok(())
}

/// int16 BATCH_MATMUL (zero points 0, checked by the caller): an i64 sum, TFLM's 64-bit
/// rescale, output clamped to int16.
///
/// # Errors
/// As [`batch_matmul_f32`].
pub fn batch_matmul_int16(
    d: &BatchMatMulDims,
    q: &BatchMatMulQuant,
    lhs: &[i16],
    rhs: &[i16],
    output: &mut [i16],
) -> Result<(), KernelError> {
    let batches = d.check(lhs.len(), rhs.len(), output.len())?;
    d.each(batches, |o, li, ri| {
        let mut total = 0i64;
        for k in 0..d.k {
            let l = i64::from(lhs.get(li(k)).copied().unwrap_or(0)) - i64::from(q.lhs_zero_point);
            let r = i64::from(rhs.get(ri(k)).copied().unwrap_or(0)) - i64::from(q.rhs_zero_point);
            total = total.wrapping_add(l.wrapping_mul(r));
        }
        let v = multiply_by_quantized_multiplier_i64(total, q.multiplier, q.shift)
            .wrapping_add(q.output_zero_point);
        if let Some(y) = output.get_mut(o) {
            *y = v.clamp(-32768, 32767) as i16;
        }
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_adjoint_and_broadcast() {
        // lhs [2, 2, 3] (two batches), rhs [3, 2] broadcast.
        let lhs: [f32; 12] = core::array::from_fn(|i| i as f32);
        let rhs = [1.0f32, 0.0, 0.0, 1.0, 1.0, 1.0];
        let d = BatchMatMulDims {
            lhs_batch: [1, 1, 2],
            rhs_batch: [1, 1, 1],
            m: 2,
            k: 3,
            n: 2,
            adj_x: false,
            adj_y: false,
        };
        let mut out = [0f32; 8];
        batch_matmul_f32(&d, &lhs, &rhs, &mut out).unwrap();
        assert_eq!(out, [2.0, 3.0, 8.0, 9.0, 14.0, 15.0, 20.0, 21.0]);
        // The same with rhs stored transposed ([2, 3]).
        let rhs_t = [1.0f32, 0.0, 1.0, 0.0, 1.0, 1.0];
        let dt = BatchMatMulDims { adj_y: true, ..d };
        batch_matmul_f32(&dt, &lhs, &rhs_t, &mut out).unwrap();
        assert_eq!(out, [2.0, 3.0, 8.0, 9.0, 14.0, 15.0, 20.0, 21.0]);
        // int8 with zero points: (x - 1) * (y + 2), multiplier 0.5.
        let q = BatchMatMulQuant {
            lhs_zero_point: 1,
            rhs_zero_point: -2,
            output_zero_point: 3,
            multiplier: 1 << 30,
            shift: 0,
        };
        let d1 = BatchMatMulDims {
            lhs_batch: [1; 3],
            rhs_batch: [1; 3],
            m: 1,
            k: 2,
            n: 1,
            adj_x: false,
            adj_y: false,
        };
        let mut o8 = [0i8; 1];
        batch_matmul_int8(&d1, &q, &[5, 3], &[2, -1], &mut o8).unwrap();
        // (4 * 4 + 2 * 1) * 0.5 + 3 = 12.
        assert_eq!(o8, [12]);
        let bad = BatchMatMulDims {
            lhs_batch: [1, 1, 2],
            rhs_batch: [1, 1, 3],
            ..d
        };
        assert_eq!(
            batch_matmul_f32(&bad, &lhs, &rhs, &mut out),
            Err(KernelError::BadParams)
        );
    }
}
