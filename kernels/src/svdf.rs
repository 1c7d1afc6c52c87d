//! SVDF: a rank-`rank` singular value decomposition filter over a memory of `memory` time steps,
//! as TFLM's `EvalIntegerSvdfReference` (int8 input, int8 or int16 state) and
//! `EvalFloatSvdfReference`.
//!
//! Each invoke shifts the state one time step to the left, writes the feature projection of the
//! input into each filter's newest slot, takes each filter's dot product with its time weights,
//! and sums `rank` consecutive filters (plus bias) into each output unit.

use crate::quant::{multiply_by_quantized_multiplier, QuantizedInt};
use crate::util::{clamp_f32, sat_i8};
use crate::KernelError;

/// The sizes of one SVDF: input `[batches, input_size]`, weights_feature
/// `[filters, input_size]`, weights_time `[filters, memory]`, bias `[filters / rank]`, state
/// `[batches, filters * memory]`, output `[batches, filters / rank]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SvdfShape {
    /// Rows of the input.
    pub batches: usize,
    /// Values per input row.
    pub input_size: usize,
    /// Filters (`units * rank`).
    pub filters: usize,
    /// Time steps each filter remembers (at least 1).
    pub memory: usize,
    /// Filters summed into each output unit (at least 1).
    pub rank: usize,
}

/// The int8 quantization of an SVDF (TFLM's `OpDataSvdf`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SvdfParamsInt8 {
    /// The input zero point.
    pub input_zero_point: i32,
    /// The state's zero point (used on write and on read, as TFLM does).
    pub state_zero_point: i32,
    /// The output zero point.
    pub output_zero_point: i32,
    /// Rescale of the feature projection into the state: `input * weights_feature / state`.
    pub feature_multiplier: i32,
    /// Its exponent (positive: left shift).
    pub feature_shift: i32,
    /// Rescale of each unit's sum into the output: `state * weights_time / output`.
    pub time_multiplier: i32,
    /// Its exponent (positive: left shift).
    pub time_shift: i32,
}

/// Output units, once every length fits the shape.
fn check(
    s: &SvdfShape,
    input: usize,
    weights_feature: usize,
    weights_time: usize,
    bias: Option<usize>,
    state: usize,
    output: usize,
) -> Result<usize, KernelError> {
    let bad = KernelError::ShapeMismatch;
    if s.rank == 0 || s.memory == 0 || !s.filters.is_multiple_of(s.rank) {
        return Err(KernelError::BadParams);
    }
    let units = s.filters / s.rank;
    let mul = |a: usize, b: usize| a.checked_mul(b).ok_or(bad);
    let ok = input == mul(s.batches, s.input_size)?
        && weights_feature == mul(s.filters, s.input_size)?
        && weights_time == mul(s.filters, s.memory)?
        && bias.is_none_or(|b| b == units)
        && state == mul(s.batches, mul(s.filters, s.memory)?)?
        && output == mul(s.batches, units)?;
    if ok {
        Ok(units)
    } else {
        Err(bad)
    }
}

/// One time step: the state moves left by one element as a whole (each filter's oldest value
/// drops out; the slot left at each row's end is overwritten next).
fn shift_state<T: Copy>(state: &mut [T]) {
    if !state.is_empty() {
        state.copy_within(1.., 0);
    }
}

/// Integer SVDF with an int8 (`T = i8`) or int16 (`T = i16`) state and time weights.
///
/// The feature projection is rescaled, clamped to `T`'s range, offset by the state zero point
/// and stored modulo `T`'s width, exactly as TFLM's implicit narrowing does (an int8 state with
/// zero point -50 stores -178 as 78). No fused activation: TFLM's integer path only clamps to
/// int8.
///
/// # Errors
/// [`KernelError::ShapeMismatch`] when a slice does not fit `shape`;
/// [`KernelError::BadParams`] for a zero rank or memory, or filters not a multiple of rank.
#[allow(clippy::too_many_arguments)]
pub fn svdf_int8<T: QuantizedInt>(
    shape: &SvdfShape,
    p: &SvdfParamsInt8,
    input: &[i8],
    weights_feature: &[i8],
    weights_time: &[T],
    bias: Option<&[i32]>,
    state: &mut [T],
    output: &mut [i8],
) -> Result<(), KernelError> {
    let units = check(
        shape,
        input.len(),
        weights_feature.len(),
        weights_time.len(),
        bias.map(|b| b.len()),
        state.len(),
        output.len(),
    )?;
    let SvdfShape {
        batches,
        input_size: n_in,
        filters,
        memory,
        rank,
    } = *shape;
    shift_state(state);
    for b in 0..batches {
        let xs = &input[b * n_in..(b + 1) * n_in];
        let rows = &mut state[b * filters * memory..(b + 1) * filters * memory];
        // The feature projection into each filter's newest slot.
        for f in 0..filters {
            let ws = &weights_feature[f * n_in..(f + 1) * n_in];
            let mut acc: i32 = 0;
            for (&w, &x) in ws.iter().zip(xs) {
                acc = acc.wrapping_add(
                    i32::from(w).wrapping_mul(i32::from(x).wrapping_sub(p.input_zero_point)),
                );
            }
            let v = multiply_by_quantized_multiplier(acc, p.feature_multiplier, p.feature_shift);
            let v = v.clamp(T::MIN, T::MAX);
            rows[f * memory + memory - 1] = T::wrap(p.state_zero_point.wrapping_add(v));
        }
        // Each unit: bias plus its `rank` filters' dot products with their time weights.
        for u in 0..units {
            let mut acc = bias.map_or(0, |bb| bb[u]);
            for f in u * rank..(u + 1) * rank {
                let ws = &weights_time[f * memory..(f + 1) * memory];
                let ss = &rows[f * memory..(f + 1) * memory];
                let mut dot: i32 = 0;
                for (&w, &s) in ws.iter().zip(ss) {
                    dot = dot.wrapping_add(
                        w.widen()
                            .wrapping_mul(s.widen().wrapping_sub(p.state_zero_point)),
                    );
                }
                acc = acc.wrapping_add(dot);
            }
            let v = multiply_by_quantized_multiplier(acc, p.time_multiplier, p.time_shift);
            output[b * units + u] = sat_i8(v.wrapping_add(p.output_zero_point));
        }
    }
    Ok(())
}

/// Float SVDF, in TFLM's order: each filter's projection and time dot product summed from 0.0
/// in index order, each unit's value the bias (or 0.0) plus its filters in order, then clamped
/// to `[act_min, act_max]`.
///
/// # Errors
/// As [`svdf_int8`].
#[allow(clippy::too_many_arguments)]
pub fn svdf_f32(
    shape: &SvdfShape,
    act_min: f32,
    act_max: f32,
    input: &[f32],
    weights_feature: &[f32],
    weights_time: &[f32],
    bias: Option<&[f32]>,
    state: &mut [f32],
    output: &mut [f32],
) -> Result<(), KernelError> {
    let units = check(
        shape,
        input.len(),
        weights_feature.len(),
        weights_time.len(),
        bias.map(|b| b.len()),
        state.len(),
        output.len(),
    )?;
    let SvdfShape {
        batches,
        input_size: n_in,
        filters,
        memory,
        rank,
    } = *shape;
    shift_state(state);
    for b in 0..batches {
        let xs = &input[b * n_in..(b + 1) * n_in];
        let rows = &mut state[b * filters * memory..(b + 1) * filters * memory];
        for f in 0..filters {
            let ws = &weights_feature[f * n_in..(f + 1) * n_in];
            let mut dot = 0.0f32;
            for (&w, &x) in ws.iter().zip(xs) {
                dot += w * x;
            }
            rows[f * memory + memory - 1] = dot;
        }
        for u in 0..units {
            let mut acc = bias.map_or(0.0, |bb| bb[u]);
            for f in u * rank..(u + 1) * rank {
                let ws = &weights_time[f * memory..(f + 1) * memory];
                let ss = &rows[f * memory..(f + 1) * memory];
                let mut dot = 0.0f32;
                for (&w, &s) in ws.iter().zip(ss) {
                    dot += w * s;
                }
                acc += dot;
            }
            output[b * units + u] = clamp_f32(acc, act_min, act_max);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::*;
    use proptest::prelude::*;

    /// The state as TFLM lays it out, stepped by a plain per-row formulation.
    #[allow(clippy::too_many_arguments)]
    fn naive_int8(
        s: &SvdfShape,
        p: &SvdfParamsInt8,
        input: &[i8],
        wf: &[i8],
        wt: &[i8],
        bias: &[i32],
        state: &mut Vec<i8>,
    ) -> Vec<i8> {
        let units = s.filters / s.rank;
        let mut out = vec![0i8; s.batches * units];
        for b in 0..s.batches {
            let mut dots = vec![0i32; s.filters];
            for f in 0..s.filters {
                let row = (b * s.filters + f) * s.memory;
                for j in 0..s.memory - 1 {
                    state[row + j] = state[row + j + 1];
                }
                let mut acc = 0i32;
                for c in 0..s.input_size {
                    acc += wf[f * s.input_size + c] as i32
                        * (input[b * s.input_size + c] as i32 - p.input_zero_point);
                }
                let v = naive_mbqm(acc, p.feature_multiplier, p.feature_shift).clamp(-128, 127);
                state[row + s.memory - 1] = (p.state_zero_point + v) as i8;
                for j in 0..s.memory {
                    dots[f] +=
                        wt[f * s.memory + j] as i32 * (state[row + j] as i32 - p.state_zero_point);
                }
            }
            for u in 0..units {
                let acc: i32 = bias[u] + (0..s.rank).map(|k| dots[u * s.rank + k]).sum::<i32>();
                let v = naive_mbqm(acc, p.time_multiplier, p.time_shift) + p.output_zero_point;
                out[b * units + u] = v.clamp(-128, 127) as i8;
            }
        }
        out
    }

    #[test]
    fn shapes_and_params_are_checked() {
        let s = SvdfShape {
            batches: 1,
            input_size: 2,
            filters: 2,
            memory: 3,
            rank: 1,
        };
        let p = SvdfParamsInt8::default();
        let mut state = [0i8; 6];
        let mut out = [0i8; 2];
        assert_eq!(
            svdf_int8(&s, &p, &[0; 2], &[0; 4], &[0i8; 6], None, &mut state, &mut out),
            Ok(())
        );
        assert_eq!(
            svdf_int8(&s, &p, &[0; 3], &[0; 4], &[0i8; 6], None, &mut state, &mut out),
            Err(KernelError::ShapeMismatch)
        );
        let s0 = SvdfShape { rank: 0, ..s };
        assert_eq!(
            svdf_int8(&s0, &p, &[0; 2], &[0; 4], &[0i8; 6], None, &mut state, &mut out),
            Err(KernelError::BadParams)
        );
        let m0 = SvdfShape { memory: 0, ..s };
        assert_eq!(
            svdf_int8(
                &m0,
                &p,
                &[0; 2],
                &[0; 4],
                &[0i8; 0],
                None,
                &mut [],
                &mut out
            ),
            Err(KernelError::BadParams)
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn int8_matches_naive_over_steps(
            batches in 1usize..3, input_size in 0usize..6, units in 1usize..4, rank in 1usize..3,
            memory in 1usize..5, (m1, s1) in multiplier(), (m2, s2) in multiplier(),
            zi in -128i32..=127, zs in -128i32..=127, zo in -128i32..=127, seed in any::<u64>(),
        ) {
            let s = SvdfShape { batches, input_size, filters: units * rank, memory, rank };
            let p = SvdfParamsInt8 {
                input_zero_point: zi, state_zero_point: zs, output_zero_point: zo,
                feature_multiplier: m1, feature_shift: s1.min(0), time_multiplier: m2, time_shift: s2.min(0),
            };
            let mut rng = seed;
            let mut next = || { rng = rng.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407); (rng >> 33) as i32 };
            let wf: Vec<i8> = (0..s.filters * input_size).map(|_| next() as i8).collect();
            let wt: Vec<i8> = (0..s.filters * memory).map(|_| next() as i8).collect();
            let bias: Vec<i32> = (0..units).map(|_| next() % 5000).collect();
            let mut state = vec![zs as i8; batches * s.filters * memory];
            let mut want_state = state.clone();
            for _ in 0..3 {
                let input: Vec<i8> = (0..batches * input_size).map(|_| next() as i8).collect();
                let mut out = vec![0i8; batches * units];
                svdf_int8(&s, &p, &input, &wf, &wt, Some(&bias), &mut state, &mut out).unwrap();
                let want = naive_int8(&s, &p, &input, &wf, &wt, &bias, &mut want_state);
                prop_assert_eq!(&out, &want);
                prop_assert_eq!(&state, &want_state);
            }
        }
    }
}
