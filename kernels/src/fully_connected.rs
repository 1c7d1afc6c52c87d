//! FULLY_CONNECTED: input viewed as `[batches, depth]`, filter `[out_units, depth]`, output
//! `[batches, out_units]`.
//!
//! Matches TFLM's `reference_integer_ops::FullyConnected` / `FullyConnectedPerChannel` (int8)
//! and `reference_ops::FullyConnected` (float).

use crate::gemm::{dot_tile_f32, gemm_rows, offset_fits_i16, widen, OutStage, WIDE_MAX};
pub use crate::quant::QuantParams;
use crate::quant::{Bias16, QIn, QOut};
use crate::util::host_buffer;
use crate::util::{clamp_f32, clamp_i32};
use crate::KernelError;
use crate::SMALL;

fn check(
    batches: usize,
    depth: usize,
    out_units: usize,
    in_len: usize,
    filter_len: usize,
    bias_len: Option<usize>,
    out_len: usize,
) -> Result<(), KernelError> {
    let in_n = batches
        .checked_mul(depth)
        .ok_or(KernelError::ShapeMismatch)?;
    let f_n = out_units
        .checked_mul(depth)
        .ok_or(KernelError::ShapeMismatch)?;
    let out_n = batches
        .checked_mul(out_units)
        .ok_or(KernelError::ShapeMismatch)?;
    if in_len != in_n || filter_len != f_n || out_len != out_n {
        return Err(KernelError::ShapeMismatch);
    }
    if let Some(b) = bias_len {
        if b != out_units {
            return Err(KernelError::ShapeMismatch);
        }
    }
    Ok(())
}

/// Int8 fully connected: `acc = bias + sum((filter + filter_offset) * (input + input_offset))`,
/// then rescaled per output unit (`multipliers.len() == out_units`) or per tensor (len 1).
///
/// `filter_offset` is minus the filter zero point; TFLM's per-channel path ignores it (its
/// filters are symmetric), so pass 0 there. Fast path (`filter_offset == 0`, depth up to
/// 1024): up to four input rows widened to `i16` with the offset added once, then register
/// tiles of rows by units (the `gemm` module); equal to [`reference::fully_connected_int8`].
#[allow(clippy::too_many_arguments)]
pub fn fully_connected_int8(
    q: &QuantParams,
    filter_offset: i32,
    batches: usize,
    depth: usize,
    out_units: usize,
    input: &[i8],
    filter: &[i8],
    bias: Option<&[i32]>,
    output: &mut [i8],
    scratch: &mut [i16],
) -> Result<(), KernelError> {
    let want = fully_connected_int8_scratch_len(batches, depth, out_units);
    host_buffer::<i16, { WIDE_MAX }, _>(scratch, want, |scratch| {
        fully_connected_int8_in(
            q,
            filter_offset,
            batches,
            depth,
            out_units,
            input,
            filter,
            bias,
            output,
            scratch,
        )
    })
}

#[allow(clippy::too_many_arguments)]
fn fully_connected_int8_in(
    q: &QuantParams,
    filter_offset: i32,
    batches: usize,
    depth: usize,
    out_units: usize,
    input: &[i8],
    filter: &[i8],
    bias: Option<&[i32]>,
    output: &mut [i8],
    scratch: &mut [i16],
) -> Result<(), KernelError> {
    check(
        batches,
        depth,
        out_units,
        input.len(),
        filter.len(),
        bias.map(|b| b.len()),
        output.len(),
    )?;
    let per_channel = q.check(out_units)?;
    if SMALL {
        return reference::fully_connected_int8(
            q,
            filter_offset,
            batches,
            depth,
            out_units,
            input,
            filter,
            bias,
            output,
        );
    }
    let st = OutStage {
        q,
        per_channel,
        bias,
    };
    #[cfg(microlite_arm_dsp)]
    if filter_offset == 0
        && crate::arch::arm::gemm::fully_connected_rows(
            &st, batches, depth, out_units, input, filter, output,
        )
    {
        return Ok(());
    }
    // On Armv7E-M the direct path (two units per SMLAD step straight from the `i8` data) is
    // as fast as the widened tiles and keeps the GEMM out of an FULLY_CONNECTED-only firmware.
    if DIRECT_ONLY
        || filter_offset != 0
        || depth == 0
        || depth > WIDE_MAX
        || out_units == 0
        || !offset_fits_i16(q.input_offset)
        || (batches == 1 && (depth * out_units <= DIRECT_MAX || depth < 4))
        || scratch.len() < depth
    {
        direct(
            &st,
            filter_offset,
            batches,
            depth,
            out_units,
            input,
            filter,
            output,
        );
        return Ok(());
    }
    let off = q.input_offset as i16;
    let max_rows = (WIDE_MAX / depth).min(batches).min(scratch.len() / depth);
    let g = Rows {
        off,
        max_rows,
        batches,
        depth,
        out_units,
    };
    tiled(&g, &st, input, filter, output, scratch);
    Ok(())
}

/// The `i16` scratch [`fully_connected_int8`]'s tiled path uses for these shapes (as many
/// widened input rows as fit its buffer); 0 when the direct or reference path runs.
pub fn fully_connected_int8_scratch_len(batches: usize, depth: usize, out_units: usize) -> usize {
    if SMALL
        || DIRECT_ONLY
        || depth == 0
        || depth > WIDE_MAX
        || out_units == 0
        || (batches == 1 && (depth.saturating_mul(out_units) <= DIRECT_MAX || depth < 4))
    {
        return 0;
    }
    (WIDE_MAX / depth).min(batches) * depth
}

/// Float32 FULLY_CONNECTED on 32-bit targets is TFLM's reference loop (as with CMSIS-NN):
/// the four-unit float tiles pay off on hosts and would cost a microcontroller 1.1 KB of
/// flash beside the int8 kernels that are the point there.
const FLOAT_REFERENCE: bool = cfg!(not(target_pointer_width = "64"));

/// Whether every int8 layer takes [`direct`] (Armv7E-M, where it runs on `SMLAD`).
const DIRECT_ONLY: bool = cfg!(microlite_arm_dsp);

/// Largest `depth * out_units` of one row computed without the widened stack buffer
/// (measured on the Cortex-M4: hello_world's 16x1 and 1x16 layers gain, its 16x16 loses).
const DIRECT_MAX: usize = 64;

/// Input rows against every filter row, straight from the `i8` data: for small layers, where
/// setting up the widened row and the register tiles costs more than the products, and for
/// what the tiles do not take (a filter offset, rows longer than the widened buffer).
#[allow(clippy::too_many_arguments)]
fn direct(
    st: &OutStage<'_>,
    filter_offset: i32,
    batches: usize,
    depth: usize,
    out_units: usize,
    input: &[i8],
    filter: &[i8],
    output: &mut [i8],
) {
    // TFLM's int8 filters are symmetric: without an offset the products are one multiply.
    if filter_offset == 0 {
        direct_with::<true>(
            st,
            |f| f as i32,
            batches,
            depth,
            out_units,
            input,
            filter,
            output,
        )
    } else {
        let w = |f: i8| (f as i32).wrapping_add(filter_offset);
        direct_with::<false>(st, w, batches, depth, out_units, input, filter, output)
    }
}

/// [`direct`] with `w(f)` the filter value with its offset (`PLAIN`: none, `w` the identity).
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn direct_with<const PLAIN: bool>(
    st: &OutStage<'_>,
    w: impl Fn(i8) -> i32 + Copy,
    batches: usize,
    depth: usize,
    out_units: usize,
    input: &[i8],
    filter: &[i8],
    output: &mut [i8],
) {
    let q = st.q;
    let shared = st.requant(0);
    let (zp, lo, hi) = (q.output_offset, q.act_min, q.act_max);
    let bias = st.bias.unwrap_or(&[]);
    let rows = (batches, depth, out_units);
    if !st.per_channel && shared.simple() {
        // Per-tensor with the simple rescale, the common case: no per-output branches.
        let fin = |o: usize, acc: i32| {
            let acc = acc.wrapping_add(bias.get(o).copied().unwrap_or(0));
            clamp_i32(shared.apply_simple(acc).wrapping_add(zp), lo, hi) as i8
        };
        direct_rows::<PLAIN>(q.input_offset, w, fin, rows, input, filter, output);
    } else {
        let fin = |o: usize, acc: i32| {
            let r = if st.per_channel {
                st.requant(o)
            } else {
                shared
            };
            st.finish(&r, o, acc)
        };
        direct_rows::<PLAIN>(q.input_offset, w, fin, rows, input, filter, output);
    }
}

/// The loops of [`direct`]: `fin(o, acc)` is unit `o`'s output stage.
#[inline(always)]
fn direct_rows<const PLAIN: bool>(
    off: i32,
    w: impl Fn(i8) -> i32 + Copy,
    fin: impl Fn(usize, i32) -> i8,
    (batches, depth, out_units): (usize, usize, usize),
    input: &[i8],
    filter: &[i8],
    output: &mut [i8],
) {
    const C: usize = 4;
    for b in 0..batches {
        let xs = &input[b * depth..(b + 1) * depth];
        let outs = &mut output[b * out_units..(b + 1) * out_units];
        let mut o = 0;
        // On Armv7E-M without a filter offset: two units at a time, four values per step.
        #[cfg(microlite_arm_dsp)]
        if PLAIN && depth >= 8 && offset_fits_i16(off) {
            while o + 2 <= out_units {
                let f0 = &filter[o * depth..(o + 1) * depth];
                let f1 = &filter[(o + 1) * depth..(o + 2) * depth];
                let [a0, a1] = crate::arch::arm::depthwise::dot2_i8(xs, f0, f1, off as i16);
                outs[o] = fin(o, a0);
                outs[o + 1] = fin(o + 1, a1);
                o += 2;
            }
        }
        // Four units at a time share each input value (offset added once); short rows go
        // one unit at a time, with less set-up.
        if depth >= 8 {
            while o + C <= out_units {
                let fs: [&[i8]; C] =
                    core::array::from_fn(|c| &filter[(o + c) * depth..(o + c + 1) * depth]);
                let mut acc = [0i32; C];
                for (i, &x) in xs.iter().enumerate() {
                    let x = (x as i32).wrapping_add(off);
                    for c in 0..C {
                        acc[c] = acc[c].wrapping_add(x.wrapping_mul(w(fs[c][i])));
                    }
                }
                for (c, &a) in acc.iter().enumerate() {
                    outs[o + c] = fin(o + c, a);
                }
                o += C;
            }
        }
        while o < out_units {
            let fs = &filter[o * depth..(o + 1) * depth];
            let mut acc = 0i32;
            for (&x, &f) in xs.iter().zip(fs) {
                acc = acc.wrapping_add((x as i32).wrapping_add(off).wrapping_mul(w(f)));
            }
            outs[o] = fin(o, acc);
            o += 1;
        }
    }
}

/// The shape of a tiled int8 fully connected run.
#[derive(Clone, Copy)]
struct Rows {
    off: i16,
    max_rows: usize,
    batches: usize,
    depth: usize,
    out_units: usize,
}

/// Widens up to `max_rows` input rows at a time into `buf` (at least `max_rows * depth`
/// long) and multiplies them against every filter row. (Out of line: small layers take
/// [`direct`], whose code stays as compact as without this path.)
#[inline(never)]
fn tiled(
    g: &Rows,
    st: &OutStage<'_>,
    input: &[i8],
    filter: &[i8],
    output: &mut [i8],
    buf: &mut [i16],
) {
    let Rows {
        off,
        max_rows,
        batches,
        depth,
        out_units,
    } = *g;
    let mut b = 0;
    while b < batches {
        let rows = max_rows.min(batches - b);
        widen(
            &mut buf[..rows * depth],
            &input[b * depth..(b + rows) * depth],
            off,
        );
        gemm_rows(
            &mut buf[..rows * depth],
            rows,
            depth,
            filter,
            out_units,
            st,
            &mut output[b * out_units..(b + rows) * out_units],
        );
        b += rows;
    }
}

/// Float fully connected as TFLM's `reference_ops::FullyConnected`: dot product in order,
/// plus bias, clamped to `[act_min, act_max]`. Computes four units at a time, each summed in
/// order: equal to [`reference::fully_connected_f32`] bit for bit.
#[allow(clippy::too_many_arguments)]
pub fn fully_connected_f32(
    act_min: f32,
    act_max: f32,
    batches: usize,
    depth: usize,
    out_units: usize,
    input: &[f32],
    filter: &[f32],
    bias: Option<&[f32]>,
    output: &mut [f32],
) -> Result<(), KernelError> {
    check(
        batches,
        depth,
        out_units,
        input.len(),
        filter.len(),
        bias.map(|b| b.len()),
        output.len(),
    )?;
    if SMALL || FLOAT_REFERENCE || depth == 0 || out_units == 0 {
        return reference::fully_connected_f32(
            act_min, act_max, batches, depth, out_units, input, filter, bias, output,
        );
    }
    const C: usize = 4;
    let finish = |o: usize, total: f32| {
        let bias_value = match bias {
            Some(bias) => bias[o],
            None => 0.0,
        };
        clamp_f32(total + bias_value, act_min, act_max)
    };
    for (xs, out_row) in input
        .chunks_exact(depth)
        .zip(output.chunks_exact_mut(out_units))
    {
        let mut o = 0;
        for fb in filter.chunks_exact(C * depth) {
            let fs: [&[f32]; C] = core::array::from_fn(|c| &fb[c * depth..(c + 1) * depth]);
            let acc = dot_units_f32(xs, fs, depth);
            for (c, &v) in acc.iter().enumerate() {
                out_row[o + c] = finish(o + c, v);
            }
            o += C;
        }
        for f in filter.chunks_exact(depth).skip(o) {
            let mut acc = [[0.0f32; 1]; 1];
            dot_tile_f32::<1, 1>(&mut acc, [xs], [f], depth);
            out_row[o] = finish(o, acc[0][0]);
            o += 1;
        }
    }
    Ok(())
}

/// Four dot products `x . w[c]` over `depth`, each summed in order: blocks of four weights
/// per unit are transposed in registers so every `x` value multiplies the four units as one
/// vector operation.
#[inline(always)]
fn dot_units_f32(xs: &[f32], ws: [&[f32]; 4], depth: usize) -> [f32; 4] {
    let d4 = depth - depth % 4;
    let xs = &xs[..depth];
    let ws = ws.map(|w| &w[..depth]);
    let mut acc = [0.0f32; 4];
    let mut i = 0;
    while i < d4 {
        let w: [[f32; 4]; 4] = core::array::from_fn(|c| core::array::from_fn(|t| ws[c][i + t]));
        for t in 0..4 {
            let u = xs[i + t];
            for c in 0..4 {
                acc[c] += u * w[c][t];
            }
        }
        i += 4;
    }
    for (t, &u) in xs.iter().enumerate().skip(d4) {
        for c in 0..4 {
            acc[c] += u * ws[c][t];
        }
    }
    acc
}

/// 16x8 fully connected (int16 activations, int8 weights) as TFLM's int16
/// `FullyConnected[PerChannel]`: `acc = bias + sum(filter * (input + input_offset))` with the
/// accumulator and rescale the bias type picks ([`Bias16`]), per output unit or per tensor,
/// plus the output offset, clamped.
///
/// # Errors
/// [`KernelError::ShapeMismatch`] when a slice does not fit the shape;
/// [`KernelError::BadParams`] when the multipliers are neither one nor one per unit.
#[allow(clippy::too_many_arguments)]
pub fn fully_connected_int16(
    q: &QuantParams,
    batches: usize,
    depth: usize,
    out_units: usize,
    input: &[i16],
    filter: &[i8],
    bias: Bias16<'_>,
    output: &mut [i16],
) -> Result<(), KernelError> {
    let shape = (batches, depth, out_units);
    fully_connected_q(
        q,
        0,
        shape,
        QIn::I16(input),
        filter,
        bias,
        QOut::I16(output),
    )
}

/// The int8 reference and the 16x8 kernel in one (one copy of the code in a firmware):
/// `acc = bias + sum((filter + filter_offset) * (input + input_offset))`, summed in `i64` and
/// rescaled as the bias type picks ([`Bias16`]: int8 passes its int32 bias, whose wrapping
/// `i32` sum is the `i64` sum cut to 32 bits), plus the output offset, clamped. The shape is
/// `(batches, depth, out_units)`; input and output have one type (int8 or int16).
///
/// # Errors
/// [`KernelError::ShapeMismatch`] when a slice does not fit the shape;
/// [`KernelError::BadParams`] when the multipliers are neither one nor one per unit, or the
/// input and output types differ.
pub fn fully_connected_q(
    q: &QuantParams,
    filter_offset: i32,
    (batches, depth, out_units): (usize, usize, usize),
    input: QIn<'_>,
    filter: &[i8],
    bias: Bias16<'_>,
    mut output: QOut<'_>,
) -> Result<(), KernelError> {
    let (in_len, out_len) = match (&input, &output) {
        (QIn::I8(x), QOut::I8(y)) => (x.len(), y.len()),
        (QIn::I16(x), QOut::I16(y)) => (x.len(), y.len()),
        _ => return Err(KernelError::BadParams),
    };
    check(
        batches,
        depth,
        out_units,
        in_len,
        filter.len(),
        bias.count(),
        out_len,
    )?;
    let per_channel = q.check(out_units)?;
    let product = |x: i32, f: i8| {
        i64::from(
            (i32::from(f).wrapping_add(filter_offset)).wrapping_mul(x.wrapping_add(q.input_offset)),
        )
    };
    // One loop for both input types (the compact build's flash; the fast int8 path does not
    // come here).
    let x_at = |i: usize| match &input {
        QIn::I8(x) => x.get(i).map_or(0, |&v| i32::from(v)),
        QIn::I16(x) => x.get(i).map_or(0, |&v| i32::from(v)),
    };
    for b in 0..batches {
        for o in 0..out_units {
            let fs = filter.get(o * depth..(o + 1) * depth).unwrap_or(&[]);
            let mut acc: i64 = 0;
            for (i, &f) in fs.iter().enumerate() {
                acc = acc.wrapping_add(product(x_at(b * depth + i), f));
            }
            let acc = acc.wrapping_add(bias.get(o));
            let (m, s) = q.channel_get(per_channel, o);
            let v = clamp_i32(
                bias.rescale(acc, m, s).wrapping_add(q.output_offset),
                q.act_min,
                q.act_max,
            );
            output.set(b * out_units + o, v);
        }
    }
    Ok(())
}

/// The straightforward kernels, kept as the oracle of the fast paths and their fallback.
pub mod reference {
    use super::*;

    /// Int8 fully connected: `acc = bias + sum((filter + filter_offset) * (input + input_offset))`,
    /// then rescaled per output unit (`multipliers.len() == out_units`) or per tensor (len 1).
    ///
    /// `filter_offset` is minus the filter zero point; TFLM's per-channel path ignores it (its
    /// filters are symmetric), so pass 0 there.
    #[allow(clippy::too_many_arguments)]
    pub fn fully_connected_int8(
        q: &QuantParams,
        filter_offset: i32,
        batches: usize,
        depth: usize,
        out_units: usize,
        input: &[i8],
        filter: &[i8],
        bias: Option<&[i32]>,
        output: &mut [i8],
    ) -> Result<(), KernelError> {
        fully_connected_q(
            q,
            filter_offset,
            (batches, depth, out_units),
            QIn::I8(input),
            filter,
            Bias16::Int32(bias),
            QOut::I8(output),
        )
    }

    /// Float fully connected as TFLM's `reference_ops::FullyConnected`: dot product in order,
    /// plus bias, clamped to `[act_min, act_max]`.
    #[allow(clippy::too_many_arguments)]
    pub fn fully_connected_f32(
        act_min: f32,
        act_max: f32,
        batches: usize,
        depth: usize,
        out_units: usize,
        input: &[f32],
        filter: &[f32],
        bias: Option<&[f32]>,
        output: &mut [f32],
    ) -> Result<(), KernelError> {
        check(
            batches,
            depth,
            out_units,
            input.len(),
            filter.len(),
            bias.map(|b| b.len()),
            output.len(),
        )?;
        for b in 0..batches {
            let xs = input.get(b * depth..(b + 1) * depth).unwrap_or(&[]);
            for o in 0..out_units {
                let fs = filter.get(o * depth..(o + 1) * depth).unwrap_or(&[]);
                let mut total = 0.0f32;
                for (&x, &f) in xs.iter().zip(fs) {
                    total += x * f;
                }
                let bias_value = bias.and_then(|bb| bb.get(o)).copied().unwrap_or(0.0);
                if let Some(y) = output.get_mut(b * out_units + o) {
                    *y = clamp_f32(total + bias_value, act_min, act_max);
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::*;
    use proptest::prelude::*;

    #[test]
    fn hand_checked() {
        // input [1, 2, 3] with zero point 1 -> [0, 1, 2]; filters [1,1,1], [2,0,-1]; bias [10, 0].
        let q = QuantParams {
            input_offset: -1,
            output_offset: 5,
            act_min: -128,
            act_max: 127,
            multipliers: &[1 << 30],
            shifts: &[1],
        };
        let mut out = [0i8; 2];
        fully_connected_int8(
            &q,
            0,
            1,
            3,
            2,
            &[1, 2, 3],
            &[1, 1, 1, 2, 0, -1],
            Some(&[10, 0]),
            &mut out,
            &mut vec![0i16; crate::fully_connected::fully_connected_int8_scratch_len(1, 3, 2)],
        )
        .unwrap();
        assert_eq!(out, [13 + 5, -2 + 5]);
        // Per-tensor filter zero point 1 -> filter values minus 1.
        fully_connected_int8(
            &q,
            -1,
            1,
            3,
            2,
            &[1, 2, 3],
            &[1, 1, 1, 2, 0, -1],
            None,
            &mut out,
            &mut vec![0i16; crate::fully_connected::fully_connected_int8_scratch_len(1, 3, 2)],
        )
        .unwrap();
        assert_eq!(out, [5, (0 + -1 + -4) + 5]);
        let r = fully_connected_int8(
            &q,
            0,
            1,
            3,
            2,
            &[1, 2],
            &[1, 1, 1, 2, 0, -1],
            None,
            &mut out,
            &mut vec![0i16; crate::fully_connected::fully_connected_int8_scratch_len(1, 3, 2)],
        );
        assert_eq!(r, Err(KernelError::ShapeMismatch));
        let mut f = [0f32; 2];
        fully_connected_f32(
            0.0,
            6.0,
            1,
            3,
            2,
            &[1.0, 2.0, 3.0],
            &[1.0, 1.0, 1.0, 2.0, 0.0, -1.0],
            None,
            &mut f,
        )
        .unwrap();
        assert_eq!(f, [6.0, 0.0]);
        // Zero depth: only the bias.
        fully_connected_int8(
            &q,
            0,
            1,
            0,
            2,
            &[],
            &[],
            Some(&[3, -3]),
            &mut out,
            &mut vec![0i16; crate::fully_connected::fully_connected_int8_scratch_len(1, 0, 2)],
        )
        .unwrap();
        assert_eq!(out, [8, 2]);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn int8_matches_naive(
            (batches, depth, units, input, filter, bias, mults, per_channel, in_zp, f_zp, out_zp, act) in
            (1usize..=3, 1usize..=40, 1usize..=6).prop_flat_map(|(b, d, u)| (
                Just(b), Just(d), Just(u),
                i8_vec(b * d), i8_vec(u * d),
                proptest::option::of(proptest::collection::vec(-20000i32..20000, u)),
                proptest::collection::vec(multiplier(), u),
                any::<bool>(),
                -128i32..=127, -3i32..=3, -128i32..=127,
                act_range(),
            ))
        ) {
            let mults = if per_channel { mults } else { vec![mults[0]] };
            let m: Vec<i32> = mults.iter().map(|x| x.0).collect();
            let s: Vec<i8> = mults.iter().map(|x| crate::quant::clamp_shift(x.1)).collect();
            let q = QuantParams { input_offset: -in_zp, output_offset: out_zp, act_min: act.0, act_max: act.1, multipliers: &m, shifts: &s };
            let mut out = vec![0i8; batches * units];
            fully_connected_int8(&q, -f_zp, batches, depth, units, &input, &filter, bias.as_deref(), &mut out, &mut vec![0i16; crate::fully_connected::fully_connected_int8_scratch_len(batches, depth, units)],).unwrap();
            for b in 0..batches {
                for o in 0..units {
                    let mut acc: i64 = bias.as_ref().map_or(0, |bb| bb[o] as i64);
                    for d in 0..depth {
                        acc += (filter[o * depth + d] as i64 - f_zp as i64) * (input[b * depth + d] as i64 - in_zp as i64);
                    }
                    let (mm, ss) = if mults.len() == 1 { mults[0] } else { mults[o] };
                    let want = naive_out_i8(naive_mbqm(acc as i32, mm, ss) as i64 + out_zp as i64, act.0, act.1);
                    prop_assert_eq!(out[b * units + o], want);
                }
            }
        }

        #[test]
        fn f32_matches_naive(
            (batches, depth, units, input, filter, bias) in
            (1usize..=3, 1usize..=40, 1usize..=6).prop_flat_map(|(b, d, u)| (
                Just(b), Just(d), Just(u),
                f32_vec(b * d), f32_vec(u * d),
                proptest::option::of(f32_vec(u)),
            ))
        ) {
            let mut out = vec![0f32; batches * units];
            fully_connected_f32(f32::MIN, f32::MAX, batches, depth, units, &input, &filter, bias.as_deref(), &mut out).unwrap();
            for b in 0..batches {
                for o in 0..units {
                    let mut acc = 0f32;
                    for d in 0..depth {
                        acc += input[b * depth + d] * filter[o * depth + d];
                    }
                    acc += bias.as_ref().map_or(0.0, |bb| bb[o]);
                    prop_assert!(close(out[b * units + o], acc));
                }
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        /// The fast int8 path equals the reference kernel bit for bit (depths past the
        /// widening buffer and nonzero filter offsets take the reference path).
        #[test]
        fn int8_fast_matches_reference(
            (batches, depth, units, input, filter, bias, mults, per_channel, in_off, f_off, out_zp, act) in
            (1usize..=6, prop_oneof![1usize..=64, 60usize..=300, 4090usize..=4200], 1usize..=21).prop_flat_map(|(b, d, u)| (
                Just(b), Just(d), Just(u),
                i8_vec(b * d), i8_vec(u * d),
                proptest::option::of(proptest::collection::vec(prop_oneof![4 => -20000i32..20000, 1 => any::<i32>()], u)),
                proptest::collection::vec(prop_oneof![4 => (-16.0f64..0.5).prop_map(|e| crate::quant::quantize_multiplier(libm::exp2(e))), 1 => (any::<i32>(), -40i32..40)], u),
                any::<bool>(),
                prop_oneof![4 => -127i32..=128, 1 => any::<i32>()],
                prop_oneof![Just(0i32), -3i32..=3],
                prop_oneof![4 => -128i32..=127, 1 => any::<i32>()],
                act_range(),
            ))
        ) {
            let mults = if per_channel { mults } else { vec![mults[0]] };
            let m: Vec<i32> = mults.iter().map(|x| x.0).collect();
            let s: Vec<i8> = mults.iter().map(|x| crate::quant::clamp_shift(x.1)).collect();
            let q = QuantParams { input_offset: in_off, output_offset: out_zp, act_min: act.0, act_max: act.1, multipliers: &m, shifts: &s };
            let mut got = vec![0i8; batches * units];
            let mut want = got.clone();
            fully_connected_int8(&q, f_off, batches, depth, units, &input, &filter, bias.as_deref(), &mut got, &mut vec![0i16; crate::fully_connected::fully_connected_int8_scratch_len(batches, depth, units)],).unwrap();
            reference::fully_connected_int8(&q, f_off, batches, depth, units, &input, &filter, bias.as_deref(), &mut want).unwrap();
            prop_assert_eq!(got, want);
        }

        /// The fast float path equals the reference kernel bit for bit.
        #[test]
        fn f32_fast_matches_reference_bits(
            (batches, depth, units, input, filter, bias) in
            (1usize..=4, 1usize..=300, 1usize..=21).prop_flat_map(|(b, d, u)| (
                Just(b), Just(d), Just(u),
                f32_vec(b * d), f32_vec(u * d),
                proptest::option::of(f32_vec(u)),
            ))
        ) {
            let mut got = vec![0f32; batches * units];
            let mut want = got.clone();
            fully_connected_f32(f32::MIN, f32::MAX, batches, depth, units, &input, &filter, bias.as_deref(), &mut got).unwrap();
            reference::fully_connected_f32(f32::MIN, f32::MAX, batches, depth, units, &input, &filter, bias.as_deref(), &mut want).unwrap();
            let gb: Vec<u32> = got.iter().map(|v| v.to_bits()).collect();
            let wb: Vec<u32> = want.iter().map(|v| v.to_bits()).collect();
            prop_assert_eq!(gb, wb);
        }
    }
}
