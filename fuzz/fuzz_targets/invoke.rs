//! A valid seed model with mutated bytes and random inputs -> invoke. Mutations that keep the
//! model parseable reach prepare and the kernels with odd shapes, types and parameters.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use microlite::{AllOpsResolver, Interpreter, Model};

macro_rules! seeds {
    ($($name:literal),* $(,)?) => {
        &[$(include_bytes!(concat!("../../tests/conformance/", $name, "/model.tflite"))),*]
    };
}

static SEEDS: &[&[u8]] = seeds![
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

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
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
    let (buf, off) = common::aligned(&model_bytes);
    let Ok(model) = Model::from_bytes(&buf[off..off + model_bytes.len()]) else { return };
    let resolver = AllOpsResolver::with_all_ops();
    let (mut big, boff) = common::aligned(&vec![0u8; 1 << 20]);
    let Ok(needed) = Interpreter::arena_size(model, &resolver, &mut big[boff..boff + (1 << 20)]) else { return };
    let (mut arena, aoff) = common::aligned(&vec![0u8; needed]);
    let Ok(mut interp) = Interpreter::new(model, &resolver, &mut arena[aoff..aoff + needed]) else { return };
    for i in 0..interp.input_count() {
        if let Ok(dst) = interp.input_bytes_mut(i) {
            for (k, b) in dst.iter_mut().enumerate() {
                *b = rest.get(k % rest.len().max(1)).copied().unwrap_or(0);
            }
        }
    }
    let _ = interp.invoke();
    for j in 0..interp.output_count() {
        let _ = interp.output_bytes(j);
    }
});
