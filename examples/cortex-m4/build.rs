//! Build script: puts the memory map where the linker finds it and turns the embedded models'
//! golden `.npy` files into raw bytes in `OUT_DIR`.
//!
//! For every model NAME below it writes `OUT_DIR/NAME.tflite` (the model, byte for byte),
//! `OUT_DIR/NAME.input-0.bin` and `OUT_DIR/NAME.output-0.bin` (the case-0 tensors' data, C
//! order, header stripped). Integer tensors (int8, int16, int32, little-endian) are accepted:
//! the firmware compares raw bytes.
//!
//! It also builds `OUT_DIR/scale_shift.tflite`, a small int8 model with a CUSTOM op, with the
//! project's schema crate (see `scale_shift_model`).

use std::env;
use std::fs;
use std::path::{Path, PathBuf};

use microlite_schema::flatbuffers::FlatBufferBuilder;
use microlite_schema::tflite::{self, BuiltinOperator as B, TensorType as TT};

/// The custom op's name, parameters and input, shared with the firmware.
#[allow(dead_code)]
mod params {
    include!("src/scale_shift_params.rs");
}
use params::{SCALE_SHIFT_NAME, SCALE_SHIFT_OPTIONS};

/// The project's own conformance models the firmware binaries embed.
const MODELS: &[&str] = &["net_dscnn_int8", "net_mobilenet_int8", "fc_relu_int8"];
/// The MLPerf Tiny / TFLM example models of `../shared/models` the `mlperf` binary embeds
/// (those with TFLM Cortex-M4 figures in their `meta.json`).
const SHARED: &[&str] = &[
    "hello_world_int8",
    "ad_autoencoder_int8",
    "kws_dscnn_int8",
    "ic_resnet8_int8",
    "vww_mobilenet_int8",
    "person_detect",
];
/// 16x8 models and models with state the `extended` binary embeds: (folder, name). `keyword_scrambled_8bit`
/// (TFLM's SVDF benchmark model) and `mnist_lstm_int8` (TFLM's LSTM example), from
/// `../shared/models-lstm-svdf` when present, and the project's own SVDF models.
const EXTENDED: &[(&str, &str)] = &[
    ("../../../shared/models-lstm-svdf", "keyword_scrambled_8bit"),
    ("../../../shared/models-lstm-svdf", "mnist_lstm_int8"),
    ("../../tests/conformance", "svdf_kws_pipeline_int8"),
    ("../../tests/conformance", "svdf_b2_r2_m10_int8"),
    ("../../tests/conformance", "svdf_b2_r2_m10_int16state"),
    ("../../tests/conformance", "net_dscnn_small_16x8"),
    ("../../tests/conformance", "net_residual_block_16x8"),
    ("../../tests/conformance", "audio_preprocessor_int8"),
];
/// The golden case embedded for each model.
const CASE: &str = "case-0";

fn main() {
    let manifest = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("OUT_DIR"));

    // The memory map lives in memory/ (not the package root, where the linker would find it
    // first and silently prefer it) and is copied to OUT_DIR/memory.x for cortex-m-rt's link.x.
    let map = manifest.join("memory/mps2-an386.x");
    fs::copy(&map, out.join("memory.x")).expect("copy memory map");
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rerun-if-changed={}", map.display());
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=src/scale_shift_params.rs");
    fs::write(out.join("scale_shift.tflite"), scale_shift_model())
        .expect("write scale_shift.tflite");

    // Build-time check and sizing of one model for this target (the firmware compares the
    // generated constants with what the device measures).
    microlite_build::generate(
        manifest.join("../../tests/conformance/net_dscnn_int8/model.tflite"),
        "NET_DSCNN",
    )
    .unwrap_or_else(|e| panic!("{e}"));

    let corpus = manifest.join("../../tests/conformance");
    for name in MODELS {
        embed(&corpus.join(name), name, &out);
    }

    // `mlperf_cases.rs`: the `mlperf` binary's case list, empty when `../shared/models` is
    // not beside the checkout (the binary then says so and exits 0).
    // `MLPERF_ONLY=NAME` keeps only the models whose name contains NAME (for profile.sh).
    let shared = manifest.join("../../../shared/models");
    println!("cargo:rerun-if-changed={}", shared.display());
    println!("cargo:rerun-if-env-changed=MLPERF_ONLY");
    let only = env::var("MLPERF_ONLY").unwrap_or_default();
    let mut cases = String::from("[\n");
    if shared.is_dir() {
        for name in SHARED.iter().filter(|n| n.contains(only.as_str())) {
            let dir = shared.join(name);
            embed(&dir, name, &out);
            let meta = fs::read_to_string(dir.join("meta.json")).unwrap_or_default();
            let tflm = match (
                instructions_after(&meta, "\"reference_kernels\""),
                instructions_after(&meta, "\"cmsis_nn_kernels\""),
            ) {
                (Some(r), Some(c)) => format!("Some(({r}, {c}))"),
                _ => "None".to_string(),
            };
            cases.push_str(&format!("    crate::rt::case!(\"{name}\", {tflm}),\n"));
        }
    }
    cases.push(']');
    fs::write(out.join("mlperf_cases.rs"), cases).expect("write mlperf_cases.rs");

    // `extended_cases.rs`: the `extended` binary's list (models whose folder is missing are
    // left out).
    let mut cases = String::from("[\n");
    for (root, name) in EXTENDED {
        let dir = manifest.join(root).join(name);
        println!("cargo:rerun-if-changed={}", dir.display());
        if dir.join("model.tflite").is_file() {
            embed(&dir, name, &out);
            cases.push_str(&format!("    crate::rt::case!(\"{name}\"),\n"));
        }
    }
    cases.push(']');
    fs::write(out.join("extended_cases.rs"), cases).expect("write extended_cases.rs");

    // micro_speech end to end: one second of audio (tests/micro_speech_e2e/clip-2), TFLM's
    // scores for it, and the keyword model of ../shared/models (when present).
    let e2e = manifest.join("../../tests/micro_speech_e2e/clip-2");
    let kws = manifest.join("../../../shared/models/micro_speech_quantized/model.tflite");
    println!("cargo:rerun-if-changed={}", e2e.display());
    println!("cargo:rerun-if-changed={}", kws.display());
    let present = kws.is_file() && e2e.join("audio.npy").is_file();
    if present {
        fs::copy(&kws, out.join("micro_speech_quantized.tflite")).expect("copy keyword model");
        fs::write(out.join("ms_audio.bin"), npy_data(&e2e.join("audio.npy"))).expect("audio");
        fs::write(out.join("ms_scores.bin"), npy_data(&e2e.join("scores.npy"))).expect("scores");
    } else {
        for f in [
            "micro_speech_quantized.tflite",
            "ms_audio.bin",
            "ms_scores.bin",
        ] {
            fs::write(out.join(f), b"").expect("placeholder");
        }
    }
}

/// int8 `[1, 1, 8, 1]` -> CUSTOM "ScaleShift" (custom options `SCALE_SHIFT_OPTIONS`) ->
/// `[1, 1, 8, 1]` -> AVERAGE_POOL_2D (1x2, stride 2, VALID) -> `[1, 1, 4, 1]`; every tensor
/// scale 0.5, zero point 0 (the pool requires equal input and output quantization).
fn scale_shift_model() -> Vec<u8> {
    let tensor = |name: &str, shape: &[i32]| {
        let mut q = tflite::QuantizationParametersT::default();
        q.scale = Some(vec![0.5]);
        q.zero_point = Some(vec![0]);
        let mut t = tflite::TensorT::default();
        t.name = Some(name.into());
        t.shape = Some(shape.to_vec());
        t.type_ = TT::INT8;
        t.quantization = Some(Box::new(q));
        t
    };
    let mut custom = tflite::OperatorCodeT::default();
    custom.deprecated_builtin_code = B::CUSTOM.0 as i8;
    custom.builtin_code = B::CUSTOM;
    custom.custom_code = Some(SCALE_SHIFT_NAME.into());
    custom.version = 1;
    let mut pool = tflite::OperatorCodeT::default();
    pool.deprecated_builtin_code = B::AVERAGE_POOL_2D.0 as i8;
    pool.builtin_code = B::AVERAGE_POOL_2D;
    pool.version = 1;

    let mut op0 = tflite::OperatorT::default();
    op0.opcode_index = 0;
    op0.inputs = Some(vec![0]);
    op0.outputs = Some(vec![1]);
    op0.custom_options = Some(SCALE_SHIFT_OPTIONS.to_vec());
    let mut op1 = tflite::OperatorT::default();
    op1.opcode_index = 1;
    op1.inputs = Some(vec![1]);
    op1.outputs = Some(vec![2]);
    let mut pool_options = tflite::Pool2DOptionsT::default();
    pool_options.padding = tflite::Padding::VALID;
    pool_options.stride_w = 2;
    pool_options.stride_h = 1;
    pool_options.filter_width = 2;
    pool_options.filter_height = 1;
    pool_options.fused_activation_function = tflite::ActivationFunctionType::NONE;
    op1.builtin_options = tflite::BuiltinOptionsT::Pool2DOptions(Box::new(pool_options));

    let mut sg = tflite::SubGraphT::default();
    sg.tensors = Some(vec![
        tensor("input", &[1, 1, 8, 1]),
        tensor("scale_shift", &[1, 1, 8, 1]),
        tensor("output", &[1, 1, 4, 1]),
    ]);
    sg.inputs = Some(vec![0]);
    sg.outputs = Some(vec![2]);
    sg.operators = Some(vec![op0, op1]);
    sg.name = Some("main".into());
    let mut m = tflite::ModelT::default();
    m.version = microlite_schema::SCHEMA_VERSION;
    m.description = Some("microlite cortex-m4 firmware: custom op demo".into());
    m.operator_codes = Some(vec![custom, pool]);
    m.subgraphs = Some(vec![sg]);
    m.buffers = Some(vec![tflite::BufferT::default()]);
    let mut fbb = FlatBufferBuilder::new();
    let root = m.pack(&mut fbb);
    tflite::finish_model_buffer(&mut fbb, root);
    fbb.finished_data().to_vec()
}

/// The first `"instructions_per_invoke": N` after `key` in a `meta.json` text.
fn instructions_after(meta: &str, key: &str) -> Option<u64> {
    let rest = &meta[meta.find(key)?..];
    let rest = &rest[rest.find("\"instructions_per_invoke\"")?..];
    let digits: String = rest
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(|c| c.is_ascii_digit())
        .collect();
    digits.parse().ok()
}

/// Copies model `dir/model.tflite` and its case tensors into `out` under `name`.
fn embed(dir: &Path, name: &str, out: &Path) {
    {
        let model = dir.join("model.tflite");
        fs::copy(&model, out.join(format!("{name}.tflite")))
            .unwrap_or_else(|e| panic!("copy {}: {e}", model.display()));
        println!("cargo:rerun-if-changed={}", model.display());
        for tensor in ["input-0", "output-0"] {
            let npy = dir.join(CASE).join(format!("{tensor}.npy"));
            let raw = npy_data(&npy);
            fs::write(out.join(format!("{name}.{tensor}.bin")), raw).expect("write raw tensor");
            println!("cargo:rerun-if-changed={}", npy.display());
        }
    }
}

/// The data of an integer `.npy` file (int8, int16 or int32 little-endian; format 1.0, 2.0 or
/// 3.0, C order), checked against its shape.
fn npy_data(path: &Path) -> Vec<u8> {
    let bytes = fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    let fail = |why: &str| -> ! { panic!("{}: {why}", path.display()) };
    if bytes.len() < 10 || &bytes[..6] != b"\x93NUMPY" {
        fail("not a .npy file");
    }
    let (header_len, start) = match bytes[6] {
        1 => (u16::from_le_bytes([bytes[8], bytes[9]]) as usize, 10),
        2 | 3 if bytes.len() >= 12 => (
            u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize,
            12,
        ),
        _ => fail("unsupported .npy version"),
    };
    let data_start = start + header_len;
    if data_start > bytes.len() {
        fail("header runs past the end");
    }
    let header = std::str::from_utf8(&bytes[start..data_start]).unwrap_or_else(|_| fail("header"));
    let width = if header.contains("'descr': '|i1'") {
        1
    } else if header.contains("'descr': '<i2'") {
        2
    } else if header.contains("'descr': '<i4'") {
        4
    } else {
        fail("dtype is not int8, int16 or int32")
    };
    if !header.contains("'fortran_order': False") {
        fail("not C order");
    }
    let shape = header
        .split("'shape': (")
        .nth(1)
        .and_then(|s| s.split(')').next())
        .unwrap_or_else(|| fail("no shape"));
    let count: usize = shape
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.parse::<usize>().unwrap_or_else(|_| fail("bad shape")))
        .product();
    let data = &bytes[data_start..];
    if data.len() != count * width {
        fail("data length does not match the shape");
    }
    data.to_vec()
}
