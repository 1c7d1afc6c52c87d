//! The kernels against TFLM's own outputs: a minimal graph walker (host-only, using the
//! flatc schema bindings) runs each model of `../shared/models` through this crate's kernels
//! and compares with the golden vectors TFLM produced. Skipped when the models are absent.

use microlite_kernels::add::{add_f32, add_int8, add_prepare_int8};
use microlite_kernels::conv_2d::{conv_2d_f32, conv_2d_int8, ConvParams};
use microlite_kernels::depthwise_conv_2d::{depthwise_conv_2d_f32, depthwise_conv_2d_int8};
use microlite_kernels::fully_connected::{fully_connected_f32, fully_connected_int8};
use microlite_kernels::pooling::{
    average_pool_f32, average_pool_int8, max_pool_f32, max_pool_int8, PoolParams,
};
use microlite_kernels::quant::{
    activation_range_f32, activation_range_i8, compute_padding, conv_channel_multiplier,
};
use microlite_kernels::softmax::{softmax_f32, softmax_int8, softmax_prepare_int8};
use microlite_kernels::{Activation, Padding, QuantParams};
use microlite_schema::tflite;
use std::path::{Path, PathBuf};

#[derive(Clone, Debug)]
enum Data {
    I8(Vec<i8>),
    I32(Vec<i32>),
    F32(Vec<f32>),
}

impl Data {
    fn i8(&self) -> &[i8] {
        match self {
            Data::I8(v) => v,
            _ => panic!("not int8"),
        }
    }
    fn f32(&self) -> &[f32] {
        match self {
            Data::F32(v) => v,
            _ => panic!("not float"),
        }
    }
    fn i32(&self) -> &[i32] {
        match self {
            Data::I32(v) => v,
            _ => panic!("not int32"),
        }
    }
}

struct TensorInfo {
    shape: Vec<usize>,
    ty: tflite::TensorType,
    scales: Vec<f32>,
    zps: Vec<i64>,
}

impl TensorInfo {
    fn scale(&self) -> f32 {
        self.scales[0]
    }
    fn zp(&self) -> i32 {
        self.zps[0] as i32
    }
    fn len(&self) -> usize {
        self.shape.iter().product()
    }
    fn shape4(&self) -> [usize; 4] {
        let mut s = [1usize; 4];
        let n = self.shape.len();
        for i in 0..n {
            s[4 - n + i] = self.shape[i];
        }
        s
    }
}

/// Reads a little-endian numpy `.npy` (v1) file: (shape, raw bytes, dtype descr).
fn read_npy(path: &Path) -> (Vec<usize>, Vec<u8>, String) {
    let b = std::fs::read(path).unwrap();
    assert_eq!(&b[..6], b"\x93NUMPY");
    let (hlen, start) = if b[6] == 1 {
        (u16::from_le_bytes([b[8], b[9]]) as usize, 10)
    } else {
        (u32::from_le_bytes([b[8], b[9], b[10], b[11]]) as usize, 12)
    };
    let header = std::str::from_utf8(&b[start..start + hlen]).unwrap();
    let descr = header
        .split("'descr':")
        .nth(1)
        .unwrap()
        .split('\'')
        .nth(1)
        .unwrap()
        .to_string();
    let shape_str = header.split("'shape':").nth(1).unwrap();
    let shape_str = &shape_str[shape_str.find('(').unwrap() + 1..shape_str.find(')').unwrap()];
    let shape = shape_str
        .split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|s| s.trim().parse().unwrap())
        .collect();
    (shape, b[start + hlen..].to_vec(), descr)
}

fn npy_data(path: &Path) -> Data {
    let (_, raw, descr) = read_npy(path);
    match descr.as_str() {
        "|i1" => Data::I8(raw.iter().map(|&x| x as i8).collect()),
        "<f4" => Data::F32(
            raw.chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect(),
        ),
        d => panic!("unsupported npy dtype {d}"),
    }
}

fn activation(a: tflite::ActivationFunctionType) -> Activation {
    match a {
        tflite::ActivationFunctionType::NONE => Activation::None,
        tflite::ActivationFunctionType::RELU => Activation::Relu,
        tflite::ActivationFunctionType::RELU_N1_TO_1 => Activation::ReluN1To1,
        tflite::ActivationFunctionType::RELU6 => Activation::Relu6,
        other => panic!("unsupported activation {other:?}"),
    }
}

fn padding(p: tflite::Padding) -> Padding {
    if p == tflite::Padding::SAME {
        Padding::Same
    } else {
        Padding::Valid
    }
}

/// Per-channel multipliers for a conv-like op (one per output channel).
fn channel_mults(
    input: &TensorInfo,
    filter: &TensorInfo,
    output: &TensorInfo,
    channels: usize,
) -> (Vec<i32>, Vec<i8>) {
    (0..channels)
        .map(|c| {
            let fs = if filter.scales.len() == 1 {
                filter.scales[0]
            } else {
                filter.scales[c]
            };
            let (m, s) = conv_channel_multiplier(input.scale(), fs, output.scale());
            (m, microlite_kernels::quant::clamp_shift(s))
        })
        .unzip()
}

/// Runs subgraph 0 of `model` on `inputs`; returns the graph outputs.
fn run(model_bytes: &[u8], inputs: Vec<Data>) -> Vec<Data> {
    let model = tflite::root_as_model(model_bytes).unwrap();
    let buffers = model.buffers().unwrap();
    let codes = model.operator_codes().unwrap();
    let sg = model.subgraphs().unwrap().get(0);
    let tensors = sg.tensors().unwrap();
    let infos: Vec<TensorInfo> = tensors
        .iter()
        .map(|t| {
            let q = t.quantization();
            TensorInfo {
                shape: t
                    .shape()
                    .map(|s| s.iter().map(|d| d as usize).collect())
                    .unwrap_or_default(),
                ty: t.type_(),
                scales: q
                    .and_then(|q| q.scale())
                    .map(|s| s.iter().collect())
                    .unwrap_or_default(),
                zps: q
                    .and_then(|q| q.zero_point())
                    .map(|s| s.iter().collect())
                    .unwrap_or_default(),
            }
        })
        .collect();
    let mut values: Vec<Option<Data>> = tensors
        .iter()
        .map(|t| {
            let data = buffers.get(t.buffer() as usize).data()?;
            let bytes = data.bytes();
            if bytes.is_empty() {
                return None;
            }
            Some(match t.type_() {
                tflite::TensorType::INT8 => Data::I8(bytes.iter().map(|&x| x as i8).collect()),
                tflite::TensorType::INT32 => Data::I32(
                    bytes
                        .chunks_exact(4)
                        .map(|c| i32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                        .collect(),
                ),
                tflite::TensorType::FLOAT32 => Data::F32(
                    bytes
                        .chunks_exact(4)
                        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                        .collect(),
                ),
                _ => return None,
            })
        })
        .collect();
    for (i, d) in sg.inputs().unwrap().iter().zip(inputs) {
        values[i as usize] = Some(d);
    }
    for op in sg.operators().unwrap() {
        let code = microlite_schema::builtin_code(&codes.get(op.opcode_index() as usize));
        let ins: Vec<i32> = op.inputs().unwrap().iter().collect();
        let out = op.outputs().unwrap().get(0) as usize;
        let oi = &infos[out];
        let get = |i: i32| values[i as usize].as_ref().unwrap();
        let opt_bias = |i: usize| {
            ins.get(i)
                .filter(|&&t| t >= 0)
                .map(|&t| values[t as usize].as_ref().unwrap())
        };
        let result = match code {
            tflite::BuiltinOperator::CONV_2D | tflite::BuiltinOperator::DEPTHWISE_CONV_2D => {
                let (ii, fi) = (&infos[ins[0] as usize], &infos[ins[1] as usize]);
                let depthwise = code == tflite::BuiltinOperator::DEPTHWISE_CONV_2D;
                let (pad, sw, sh, dw, dh, act, dm) = if depthwise {
                    let o = op.builtin_options_as_depthwise_conv_2_doptions().unwrap();
                    let dm = fi.shape[3] / ii.shape[3];
                    (
                        o.padding(),
                        o.stride_w(),
                        o.stride_h(),
                        o.dilation_w_factor(),
                        o.dilation_h_factor(),
                        o.fused_activation_function(),
                        dm,
                    )
                } else {
                    let o = op.builtin_options_as_conv_2_doptions().unwrap();
                    (
                        o.padding(),
                        o.stride_w(),
                        o.stride_h(),
                        o.dilation_w_factor(),
                        o.dilation_h_factor(),
                        o.fused_activation_function(),
                        1,
                    )
                };
                let (ins4, fs4, outs4) = (ii.shape4(), fi.shape4(), oi.shape4());
                let (oh, ph) =
                    compute_padding(padding(pad), ins4[1], fs4[1], sh as usize, dh as usize)
                        .unwrap();
                let (ow, pw) =
                    compute_padding(padding(pad), ins4[2], fs4[2], sw as usize, dw as usize)
                        .unwrap();
                assert_eq!((oh, ow), (outs4[1], outs4[2]));
                let p = ConvParams {
                    stride_h: sh as usize,
                    stride_w: sw as usize,
                    dilation_h: dh as usize,
                    dilation_w: dw as usize,
                    pad_h: ph,
                    pad_w: pw,
                };
                let act = activation(act);
                let channels = outs4[3];
                if oi.ty == tflite::TensorType::INT8 {
                    let (m, s) = channel_mults(ii, fi, oi, channels);
                    let (lo, hi) = activation_range_i8(act, oi.scale(), oi.zp());
                    let q = QuantParams {
                        input_offset: -ii.zp(),
                        output_offset: oi.zp(),
                        act_min: lo,
                        act_max: hi,
                        multipliers: &m,
                        shifts: &s,
                    };
                    let mut o = vec![0i8; oi.len()];
                    let bias = opt_bias(2).map(|b| b.i32());
                    if depthwise {
                        depthwise_conv_2d_int8(
                            &p,
                            dm,
                            &q,
                            ins4,
                            get(ins[0]).i8(),
                            fs4,
                            get(ins[1]).i8(),
                            bias,
                            outs4,
                            &mut o, &mut vec![0i32; microlite_kernels::depthwise_conv_2d::depthwise_conv_2d_scratch_len(dm, ins4, fs4, outs4)],
                        )
                    } else {
                        conv_2d_int8(
                            &p,
                            &q,
                            ins4,
                            get(ins[0]).i8(),
                            fs4,
                            get(ins[1]).i8(),
                            bias,
                            outs4,
                            &mut o, &mut vec![0i16; microlite_kernels::conv_2d::conv_2d_int8_scratch_len(ins4, fs4, outs4)],
                        )
                    }
                    .unwrap();
                    Data::I8(o)
                } else {
                    let (lo, hi) = activation_range_f32(act);
                    let mut o = vec![0f32; oi.len()];
                    let bias = opt_bias(2).map(|b| b.f32());
                    if depthwise {
                        depthwise_conv_2d_f32(
                            &p,
                            dm,
                            lo,
                            hi,
                            ins4,
                            get(ins[0]).f32(),
                            fs4,
                            get(ins[1]).f32(),
                            bias,
                            outs4,
                            &mut o, &mut vec![0.0f32; microlite_kernels::depthwise_conv_2d::depthwise_conv_2d_scratch_len(dm, ins4, fs4, outs4)],
                        )
                    } else {
                        conv_2d_f32(
                            &p,
                            lo,
                            hi,
                            ins4,
                            get(ins[0]).f32(),
                            fs4,
                            get(ins[1]).f32(),
                            bias,
                            outs4,
                            &mut o, &mut vec![0.0f32; microlite_kernels::conv_2d::conv_2d_f32_scratch_len(&p, ins4, fs4)],
                        )
                    }
                    .unwrap();
                    Data::F32(o)
                }
            }
            tflite::BuiltinOperator::FULLY_CONNECTED => {
                let o_ = op.builtin_options_as_fully_connected_options().unwrap();
                let act = activation(o_.fused_activation_function());
                let (ii, fi) = (&infos[ins[0] as usize], &infos[ins[1] as usize]);
                let (units, depth) = (fi.shape[0], fi.shape[1]);
                let batches = ii.len() / depth;
                if oi.ty == tflite::TensorType::INT8 {
                    let (m, s): (Vec<i32>, Vec<i8>) = if fi.scales.len() > 1 {
                        channel_mults(ii, fi, oi, units)
                    } else {
                        let (m, s) = conv_channel_multiplier(ii.scale(), fi.scale(), oi.scale());
                        (vec![m], vec![microlite_kernels::quant::clamp_shift(s)])
                    };
                    let (lo, hi) = activation_range_i8(act, oi.scale(), oi.zp());
                    let q = QuantParams {
                        input_offset: -ii.zp(),
                        output_offset: oi.zp(),
                        act_min: lo,
                        act_max: hi,
                        multipliers: &m,
                        shifts: &s,
                    };
                    let mut o = vec![0i8; batches * units];
                    let bias = opt_bias(2).map(|b| b.i32());
                    fully_connected_int8(
                        &q,
                        -fi.zp(),
                        batches,
                        depth,
                        units,
                        get(ins[0]).i8(),
                        get(ins[1]).i8(),
                        bias,
                        &mut o, &mut vec![0i16; microlite_kernels::fully_connected::fully_connected_int8_scratch_len(batches, depth, units)],
                    )
                    .unwrap();
                    Data::I8(o)
                } else {
                    let (lo, hi) = activation_range_f32(act);
                    let mut o = vec![0f32; batches * units];
                    let bias = opt_bias(2).map(|b| b.f32());
                    fully_connected_f32(
                        lo,
                        hi,
                        batches,
                        depth,
                        units,
                        get(ins[0]).f32(),
                        get(ins[1]).f32(),
                        bias,
                        &mut o,
                    )
                    .unwrap();
                    Data::F32(o)
                }
            }
            tflite::BuiltinOperator::AVERAGE_POOL_2D | tflite::BuiltinOperator::MAX_POOL_2D => {
                let o_ = op.builtin_options_as_pool_2_doptions().unwrap();
                let ii = &infos[ins[0] as usize];
                let (ins4, outs4) = (ii.shape4(), oi.shape4());
                let (fh, fw) = (o_.filter_height() as usize, o_.filter_width() as usize);
                let (sh, sw) = (o_.stride_h() as usize, o_.stride_w() as usize);
                let (_, ph) = compute_padding(padding(o_.padding()), ins4[1], fh, sh, 1).unwrap();
                let (_, pw) = compute_padding(padding(o_.padding()), ins4[2], fw, sw, 1).unwrap();
                let p = PoolParams {
                    stride_h: sh,
                    stride_w: sw,
                    filter_h: fh,
                    filter_w: fw,
                    pad_h: ph,
                    pad_w: pw,
                };
                let act = activation(o_.fused_activation_function());
                let avg = code == tflite::BuiltinOperator::AVERAGE_POOL_2D;
                if oi.ty == tflite::TensorType::INT8 {
                    let (lo, hi) = activation_range_i8(act, oi.scale(), oi.zp());
                    let mut o = vec![0i8; oi.len()];
                    if avg {
                        average_pool_int8(&p, lo, hi, ins4, get(ins[0]).i8(), outs4, &mut o)
                    } else {
                        max_pool_int8(&p, lo, hi, ins4, get(ins[0]).i8(), outs4, &mut o)
                    }
                    .unwrap();
                    Data::I8(o)
                } else {
                    let (lo, hi) = activation_range_f32(act);
                    let mut o = vec![0f32; oi.len()];
                    if avg {
                        average_pool_f32(&p, lo, hi, ins4, get(ins[0]).f32(), outs4, &mut o)
                    } else {
                        max_pool_f32(&p, lo, hi, ins4, get(ins[0]).f32(), outs4, &mut o)
                    }
                    .unwrap();
                    Data::F32(o)
                }
            }
            tflite::BuiltinOperator::RESHAPE => get(ins[0]).clone(),
            tflite::BuiltinOperator::SOFTMAX => {
                let beta = op.builtin_options_as_softmax_options().unwrap().beta();
                let ii = &infos[ins[0] as usize];
                let depth = *ii.shape.last().unwrap();
                let rows = ii.len() / depth;
                if oi.ty == tflite::TensorType::INT8 {
                    assert_eq!((oi.zp(), oi.scale()), (-128, 1.0 / 256.0));
                    let p = softmax_prepare_int8(beta, ii.scale());
                    let mut o = vec![0i8; ii.len()];
                    softmax_int8(&p, rows, depth, get(ins[0]).i8(), &mut o).unwrap();
                    Data::I8(o)
                } else {
                    let mut o = vec![0f32; ii.len()];
                    softmax_f32(beta, rows, depth, get(ins[0]).f32(), &mut o).unwrap();
                    Data::F32(o)
                }
            }
            tflite::BuiltinOperator::ADD => {
                let act = activation(
                    op.builtin_options_as_add_options()
                        .unwrap()
                        .fused_activation_function(),
                );
                let (a, b) = (&infos[ins[0] as usize], &infos[ins[1] as usize]);
                if oi.ty == tflite::TensorType::INT8 {
                    let (lo, hi) = activation_range_i8(act, oi.scale(), oi.zp());
                    let p = add_prepare_int8(
                        a.scale(),
                        a.zp(),
                        b.scale(),
                        b.zp(),
                        oi.scale(),
                        oi.zp(),
                        lo,
                        hi,
                    );
                    let mut o = vec![0i8; oi.len()];
                    add_int8(
                        &p,
                        a.shape4(),
                        get(ins[0]).i8(),
                        b.shape4(),
                        get(ins[1]).i8(),
                        oi.shape4(),
                        &mut o,
                    )
                    .unwrap();
                    Data::I8(o)
                } else {
                    let (lo, hi) = activation_range_f32(act);
                    let mut o = vec![0f32; oi.len()];
                    add_f32(
                        lo,
                        hi,
                        a.shape4(),
                        get(ins[0]).f32(),
                        b.shape4(),
                        get(ins[1]).f32(),
                        oi.shape4(),
                        &mut o,
                    )
                    .unwrap();
                    Data::F32(o)
                }
            }
            other => panic!("op {other:?} not covered by this test"),
        };
        values[out] = Some(result);
    }
    sg.outputs()
        .unwrap()
        .iter()
        .map(|i| values[i as usize].clone().unwrap())
        .collect()
}

fn models_dir() -> Option<PathBuf> {
    let d = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/models");
    if d.is_dir() {
        return Some(d);
    }
    // Under CI (`CI=true`) the shared models must be there: a skip would pass silently.
    assert!(
        std::env::var("CI").map_or(true, |v| v != "true" && v != "1"),
        "{} not found under CI",
        d.display()
    );
    None
}

/// Runs every case of one model; returns how many cases ran.
fn check_model(name: &str) -> usize {
    let Some(dir) = models_dir() else {
        eprintln!("../shared/models not found; skipping {name}");
        return 0;
    };
    let dir = dir.join(name);
    let bytes = std::fs::read(dir.join("model.tflite")).unwrap();
    let meta = std::fs::read_to_string(dir.join("meta.json")).unwrap();
    let exact = meta.contains("\"compare\": \"exact\"");
    let mut cases = 0;
    for k in 0.. {
        let case = dir.join(format!("case-{k}"));
        if !case.is_dir() {
            break;
        }
        let mut inputs = Vec::new();
        for i in 0.. {
            let f = case.join(format!("input-{i}.npy"));
            if !f.exists() {
                break;
            }
            inputs.push(npy_data(&f));
        }
        let outputs = run(&bytes, inputs);
        for (j, got) in outputs.iter().enumerate() {
            let want = npy_data(&case.join(format!("output-{j}.npy")));
            match (got, &want) {
                (Data::I8(g), Data::I8(w)) => {
                    assert!(exact);
                    let diffs = g.iter().zip(w).filter(|(a, b)| a != b).count();
                    assert_eq!(
                        diffs,
                        0,
                        "{name} case {k} output {j}: {diffs} of {} differ\n got {g:?}\nwant {w:?}",
                        g.len()
                    );
                }
                (Data::F32(g), Data::F32(w)) => {
                    for (a, b) in g.iter().zip(w) {
                        assert!(
                            (a - b).abs() <= 1e-5 + 1e-4 * b.abs(),
                            "{name} case {k} output {j}: {a} vs {b}"
                        );
                    }
                }
                _ => panic!("output type mismatch"),
            }
        }
        cases += 1;
        eprintln!("{name} case {k} ok ({} outputs)", outputs.len());
    }
    cases
}

macro_rules! golden {
    ($($test:ident => $name:literal),* $(,)?) => {
        $(
            #[test]
            fn $test() {
                let n = check_model($name);
                assert!(n > 0 || models_dir().is_none(), "no cases ran for {}", $name);
            }
        )*
    };
}

golden! {
    hello_world_int8 => "hello_world_int8",
    hello_world_float => "hello_world_float",
    ad_autoencoder_int8 => "ad_autoencoder_int8",
    ad_autoencoder_float32 => "ad_autoencoder_float32",
    micro_speech_quantized => "micro_speech_quantized",
    simple_add_int8 => "simple_add_int8",
    kws_dscnn_int8 => "kws_dscnn_int8",
    kws_dscnn_float32 => "kws_dscnn_float32",
    sww_ref_int8 => "sww_ref_int8",
    ic_resnet8_int8 => "ic_resnet8_int8",
    ic_resnet8_float32 => "ic_resnet8_float32",
    person_detect => "person_detect",
    vww_mobilenet_int8 => "vww_mobilenet_int8",
    vww_mobilenet_float32 => "vww_mobilenet_float32",
}
