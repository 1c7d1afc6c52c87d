//! The fuzz targets' bodies, shared with `tests/fuzz_regressions.rs` (which includes this file
//! with `#[path]`), so that a kept input replays through exactly the code that found it.
//!
//! Input formats:
//! - `parse`: the bytes are a model.
//! - `allocate`: 2 bytes of arena size in 16-byte units (little-endian) plus 1 byte, then the
//!   model.
//! - `invoke`: byte 0 picks a seed model of [`SEEDS`], byte 1 % 8 the number of 4-byte edits
//!   (3 bytes of offset, 1 byte of value) that follow; the remaining bytes fill the inputs.
#![allow(dead_code)]

use microlite::{AllOpsResolver, Interpreter, Model};

/// How far one input got through a target (each stage ran without a panic).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Reached {
    /// Too short for the format, or the model failed verification.
    Rejected,
    /// The model verified (and, for `parse`, every accessor was read).
    Parsed,
    /// `Interpreter::new` succeeded; the invoke returned an error.
    Prepared,
    /// The invoke succeeded.
    Invoked,
}

/// A 16-byte-aligned copy of `bytes` (the reader and arena need alignment).
pub fn aligned(bytes: &[u8]) -> (Vec<u8>, usize) {
    let mut buf = vec![0u8; bytes.len() + 16];
    let off = buf.as_ptr().align_offset(16);
    buf[off..off + bytes.len()].copy_from_slice(bytes);
    (buf, off)
}

/// Bytes -> model: verification must reject or accept without panicking, and every accessor of
/// an accepted model must work.
pub fn parse(data: &[u8]) -> Reached {
    let (buf, off) = aligned(data);
    match Model::from_bytes(&buf[off..off + data.len()]) {
        Ok(model) => {
            std::hint::black_box(walk(&model));
            Reached::Parsed
        }
        Err(_) => Reached::Rejected,
    }
}

/// Bytes + arena size -> interpreter: planning and prepare must fail cleanly or succeed, and a
/// successful interpreter must invoke without panicking.
pub fn allocate(data: &[u8]) -> Reached {
    if data.len() < 3 {
        return Reached::Rejected;
    }
    let arena_len = u16::from_le_bytes([data[0], data[1]]) as usize * 16 + data[2] as usize;
    let bytes = &data[3..];
    let (buf, off) = aligned(bytes);
    let Ok(model) = Model::from_bytes(&buf[off..off + bytes.len()]) else {
        return Reached::Rejected;
    };
    let resolver = AllOpsResolver::with_all_ops();
    let (mut arena, aoff) = aligned(&vec![0u8; arena_len]);
    match Interpreter::new(model, &resolver, &mut arena[aoff..aoff + arena_len]) {
        Ok(mut interp) => match interp.invoke() {
            Ok(()) => Reached::Invoked,
            Err(_) => Reached::Prepared,
        },
        Err(_) => Reached::Parsed,
    }
}

macro_rules! seeds {
    ($($name:literal),* $(,)?) => {
        &[$(include_bytes!(concat!("../../tests/conformance/", $name, "/model.tflite"))),*]
    };
}

/// The `invoke` target's seed models (byte 0 of an input picks one: keep the order).
pub static SEEDS: &[&[u8]] = seeds![
    "conv_k3_s2_same_relu6_int8",
    "conv_k3_d2_valid_relu_f32",
    "dwconv_dm2_k3_d2_valid_relu_int8",
    "fc_keepdims_int8",
    "softmax_rows_6x37_int8",
    "avgpool_p3_s2_same_int8",
    "maxpool_p3_s2_same_f32",
    "add_bcast_both_relu6_int8",
    "mean_axis1_3d_int8",
    "net_mlp_int8_floatio",
    "reshape_flatten_fc_int8",
    "mean_gap_f32",
    "mul_bcast_both_int8",
    "sub_bcast_chan_relu6_int8",
    "logistic_wide_int8",
    "tanh_wide_int8",
    "hard_swish_wide_int8",
    "leaky_relu_a0p2_int8",
    "prelu_per_channel_int8",
    "l2norm_2d_int8",
    "arg_max_axis1_int8",
    "maximum_bcast_int8",
    "relu6_wide_int8",
    "net_se_block_int8",
    "pad_rank3_int8",
    "padv2_const_int8",
    "concat_axis1_three_int8",
    "sslice_shrink_masks_int8",
    "slice_basic_int8",
    "transpose_0312_int8",
    "pack_axis1_int8",
    "unpack_axis1_int8",
    "split_chan3_int8",
    "splitv_sizes_int8",
    "resize_bilinear_halfpix_int8",
    "resize_nn_x2_halfpix_int8",
    "tconv_k3_s2_same_int8",
    "space_to_depth_b2_int8",
    "depth_to_space_b2_int8",
    "chain_squeeze_fc_int8",
    "chain_expand_conv_int8",
    "shape_dynamic_f32",
    "svdf_b2_r2_m10_int8",
    "svdf_b1_r1_m4_int16state",
    "svdf_chain2_f32",
    "svdf_kws_pipeline_int8",
    "quantize_i16_to_i32",
    "softmax_i8_to_i16",
    "lstm_b1_t8_int8",
    "lstm_tm_b2_t4_clip_16x8",
    "lstm_b2_t5_clip_f32",
    "audio_preprocessor_int8",
    "signal_rfft_int16_n64_batch2",
    "conv_k3_s2_same_relu6_c5_16x8",
    "net_residual_block_16x8",
    "sum_axes12_keepdims_16x8",
];

/// A valid seed model with mutated bytes and random inputs -> invoke. Mutations that keep the
/// model parseable reach prepare and the kernels with odd shapes, types and parameters.
pub fn invoke(data: &[u8]) -> Reached {
    if data.len() < 2 {
        return Reached::Rejected;
    }
    let seed = SEEDS[data[0] as usize % SEEDS.len()];
    let edits = data[1] as usize % 8;
    let mut model_bytes = seed.to_vec();
    let mut rest = &data[2..];
    for _ in 0..edits {
        if rest.len() < 4 {
            break;
        }
        let at = u32::from_le_bytes([rest[0], rest[1], rest[2], 0]) as usize % model_bytes.len();
        model_bytes[at] = rest[3];
        rest = &rest[4..];
    }
    let (buf, off) = aligned(&model_bytes);
    let Ok(model) = Model::from_bytes(&buf[off..off + model_bytes.len()]) else {
        return Reached::Rejected;
    };
    let resolver = AllOpsResolver::with_all_ops();
    let (mut big, boff) = aligned(&vec![0u8; 1 << 20]);
    let Ok(needed) = Interpreter::arena_size(model, &resolver, &mut big[boff..boff + (1 << 20)])
    else {
        return Reached::Parsed;
    };
    let (mut arena, aoff) = aligned(&vec![0u8; needed]);
    let Ok(mut interp) = Interpreter::new(model, &resolver, &mut arena[aoff..aoff + needed]) else {
        return Reached::Parsed;
    };
    for i in 0..interp.input_count() {
        if let Ok(dst) = interp.input_bytes_mut(i) {
            for (k, b) in dst.iter_mut().enumerate() {
                *b = rest.get(k % rest.len().max(1)).copied().unwrap_or(0);
            }
        }
    }
    let reached = match interp.invoke() {
        Ok(()) => Reached::Invoked,
        Err(_) => Reached::Prepared,
    };
    for j in 0..interp.output_count() {
        let _ = interp.output_bytes(j);
    }
    reached
}

/// Reads everything a verified model exposes; none of it may panic. The sum only keeps the
/// reads from being optimised away: it wraps (zero points are negative, sizes large).
pub fn walk(model: &Model<'_>) -> usize {
    let mut n = 0usize;
    let mut add = |v: usize| n = n.wrapping_add(v);
    add(model.version() as usize);
    add(model.description().len());
    for i in 0..model.operator_code_count() + 1 {
        let c = model.operator_code(i);
        add(c.version as usize);
        add(c.builtin.0 as usize);
    }
    for i in 0..model.buffer_count() + 1 {
        add(model.buffer(i).len());
    }
    for i in 0..model.metadata_count() + 1 {
        add(model.metadata(i).map_or(0, |(k, v)| k.len() + v.len()));
    }
    for s in 0..model.subgraph_count() + 1 {
        let Some(sg) = model.subgraph(s) else {
            continue;
        };
        add(sg.name().len());
        add(sg.inputs().iter().count() + sg.outputs().iter().count());
        for t in 0..sg.tensor_count() + 1 {
            let Some(t) = sg.tensor(t) else { continue };
            add(t.name().len());
            add(t.element_count());
            add(t.byte_size().unwrap_or(0));
            add(t.data().map_or(0, |d| d.len()));
            if let Some(q) = t.quantization() {
                for k in 0..q.len() + 1 {
                    add(q.scale(k).to_bits() as usize);
                    add(q.zero_point(k) as usize);
                }
            }
        }
        for o in 0..sg.operator_count() + 1 {
            let Some(op) = sg.operator(o) else { continue };
            add(op.inputs().iter().count() + op.outputs().iter().count());
            add(op.builtin_options_type() as usize);
        }
    }
    n
}
