//! Verify-parses every `shared/models/*/model.tflite` with the flatc-generated
//! bindings and checks the structural facts microlite relies on.
//!
//! Skips (passing) when the shared model folder is absent, except under CI (`CI=true`), where
//! that fails.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use microlite_schema::flatbuffers;
use microlite_schema::tflite::{self, BuiltinOperator};

const MODELS_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/models");

fn model_files() -> Vec<(String, PathBuf)> {
    let dir = Path::new(MODELS_DIR);
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<(String, PathBuf)> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.join("model.tflite").is_file())
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, p.join("model.tflite"))
        })
        .collect();
    out.sort();
    out
}

/// Facts gathered from one model, printed by the test.
#[derive(Default)]
struct Summary {
    ops_in_order: Vec<String>,
    opcode_sources: Vec<String>,
    quantized_dims: BTreeSet<i32>,
    per_channel_tensors: usize,
    qdim_beyond_rank: usize,
    buffers: usize,
    buffers_with_data: usize,
    buffers_with_offset: usize,
    unaligned_data: usize,
}

fn check_model(name: &str, bytes: &[u8]) -> Summary {
    assert!(
        tflite::model_buffer_has_identifier(bytes),
        "{name}: missing TFL3 file identifier"
    );
    let model = tflite::root_as_model(bytes)
        .unwrap_or_else(|e| panic!("{name}: flatbuffer verification failed: {e}"));
    assert_eq!(
        model.version(),
        microlite_schema::SCHEMA_VERSION,
        "{name}: schema version"
    );

    let mut s = Summary::default();

    let opcodes = model.operator_codes().expect("operator_codes");
    let buffers = model.buffers().expect("buffers");
    s.buffers = buffers.len();
    assert!(
        !buffers.is_empty(),
        "{name}: buffers must hold the sentinel buffer 0"
    );
    assert!(
        buffers.get(0).data().map(|d| d.len()).unwrap_or(0) == 0,
        "{name}: buffer 0 must be empty"
    );
    for b in buffers.iter() {
        if let Some(d) = b.data() {
            if !d.is_empty() {
                s.buffers_with_data += 1;
                let off = d.bytes().as_ptr() as usize - bytes.as_ptr() as usize;
                if off & 15 != 0 {
                    s.unaligned_data += 1;
                }
            }
        }
        if b.offset() > 1 || b.size() > 0 {
            s.buffers_with_offset += 1;
            assert!(
                (b.offset() + b.size()) as usize <= bytes.len(),
                "{name}: out-of-flatbuffer buffer exceeds the file"
            );
        }
    }

    // Operator codes resolve to known builtins (or a named custom op).
    for (i, oc) in opcodes.iter().enumerate() {
        let code = microlite_schema::builtin_code(&oc);
        assert!(
            code.variant_name().is_some(),
            "{name}: opcode {i} has unknown builtin code {}",
            code.0
        );
        if code == BuiltinOperator::CUSTOM {
            assert!(
                oc.custom_code().is_some(),
                "{name}: custom opcode {i} without a name"
            );
        }
        let legacy = i32::from(oc.deprecated_builtin_code());
        let ext = oc.builtin_code().0;
        let source = match (legacy, ext) {
            (l, e) if l == e => "both",
            (_, 0) => "deprecated_builtin_code only",
            (127, _) => "builtin_code (legacy=127 placeholder)",
            _ => "builtin_code",
        };
        assert!(
            legacy == ext || ext == 0 || legacy == 127,
            "{name}: opcode {i}: deprecated_builtin_code {legacy} disagrees with builtin_code {ext}"
        );
        s.opcode_sources.push(format!(
            "{}(v{}, {source})",
            code.variant_name().unwrap(),
            oc.version()
        ));
    }

    let subgraphs = model.subgraphs().expect("subgraphs");
    assert_eq!(subgraphs.len(), 1, "{name}: expected exactly one subgraph");
    let sg = subgraphs.get(0);
    let tensors = sg.tensors().expect("tensors");
    let n_tensors = tensors.len() as i32;

    for t in tensors.iter() {
        assert!(
            (t.buffer() as usize) < buffers.len(),
            "{name}: tensor {:?} buffer index {} out of range",
            t.name(),
            t.buffer()
        );
        if let Some(q) = t.quantization() {
            let scales = q.scale().map_or(0, |v| v.len());
            let zps = q.zero_point().map_or(0, |v| v.len());
            if scales > 0 && zps > 0 {
                assert_eq!(scales, zps, "{name}: scale/zero_point length mismatch");
            }
            if scales > 1 {
                s.per_channel_tensors += 1;
                s.quantized_dims.insert(q.quantized_dimension());
                let shape: Vec<i32> = t.shape().map(|v| v.iter().collect()).unwrap_or_default();
                let dim = q.quantized_dimension() as usize;
                // Seen in the wild (person_detect): 1-D conv biases carry the
                // filter's quantized_dimension (3). TFLM never reads it for
                // biases, so accept a rank-1 tensor whose length matches.
                let ok = if dim < shape.len() {
                    shape[dim] as usize == scales
                } else {
                    s.qdim_beyond_rank += 1;
                    shape.len() == 1 && shape[0] as usize == scales
                };
                assert!(
                    ok,
                    "{name}: tensor {:?} shape {shape:?} has {scales} scales but \
                     quantized_dimension {dim}",
                    t.name()
                );
            }
        }
    }

    let in_range =
        |idx: i32, optional: bool| (optional && idx == -1) || (0..n_tensors).contains(&idx);
    for idx in sg.inputs().expect("subgraph inputs") {
        assert!(
            in_range(idx, false),
            "{name}: subgraph input {idx} out of range"
        );
    }
    for idx in sg.outputs().expect("subgraph outputs") {
        assert!(
            in_range(idx, false),
            "{name}: subgraph output {idx} out of range"
        );
    }

    let operators = sg.operators().expect("operators");
    for (i, op) in operators.iter().enumerate() {
        let oi = op.opcode_index() as usize;
        assert!(
            oi < opcodes.len(),
            "{name}: op {i} opcode_index {oi} out of range"
        );
        for idx in op.inputs().expect("op inputs") {
            assert!(
                in_range(idx, true),
                "{name}: op {i} input {idx} out of range"
            );
        }
        for idx in op.outputs().expect("op outputs") {
            assert!(
                in_range(idx, false),
                "{name}: op {i} output {idx} out of range"
            );
        }
        let code = microlite_schema::builtin_code(&opcodes.get(oi));
        s.ops_in_order
            .push(code.variant_name().unwrap().to_string());
    }
    s
}

/// Cross-checks against the model's meta.json (`ops`: sorted unique names,
/// `op_count`, `subgraphs`), when present. Plain string scanning keeps this
/// crate free of a JSON dependency.
fn check_meta(name: &str, dir: &Path, s: &Summary) {
    let Ok(meta) = fs::read_to_string(dir.join("meta.json")) else {
        return;
    };
    let field = |key: &str| -> Option<&str> {
        let start = meta.find(&format!("\"{key}\""))? + key.len() + 2;
        let rest = meta[start..].trim_start().strip_prefix(':')?.trim_start();
        Some(rest)
    };
    if let Some(rest) = field("op_count") {
        let n: usize = rest
            .chars()
            .take_while(|c| c.is_ascii_digit())
            .collect::<String>()
            .parse()
            .expect("op_count");
        assert_eq!(n, s.ops_in_order.len(), "{name}: op_count vs meta.json");
    }
    if let Some(rest) = field("ops") {
        let list = &rest[1..rest.find(']').expect("ops list")];
        let meta_ops: BTreeSet<String> = list
            .split(',')
            .map(|x| x.trim().trim_matches('"').to_string())
            .filter(|x| !x.is_empty())
            .collect();
        let ours: BTreeSet<String> = s.ops_in_order.iter().cloned().collect();
        assert_eq!(ours, meta_ops, "{name}: op set vs meta.json");
    }
}

#[test]
fn parse_shared_models() {
    let models = model_files();
    if models.is_empty() {
        assert!(
            std::env::var("CI").map_or(true, |v| v != "true" && v != "1"),
            "no models under {MODELS_DIR} under CI"
        );
        eprintln!("skipping: no models under {MODELS_DIR}");
        return;
    }
    for (name, path) in &models {
        let bytes = fs::read(path).unwrap();
        let s = check_model(name, &bytes);
        check_meta(name, path.parent().unwrap(), &s);
        let unique: BTreeSet<&str> = s.ops_in_order.iter().map(|x| x.as_str()).collect();
        println!(
            "{name}: {} bytes, {} ops {:?}",
            bytes.len(),
            s.ops_in_order.len(),
            unique
        );
        println!("  opcodes: {}", s.opcode_sources.join(", "));
        println!(
            "  buffers: {} ({} with inline data, {} 16-byte-unaligned, {} using offset/size); \
             per-channel tensors: {} quantized_dimension values {:?} \
             ({} rank-1 tensors with quantized_dimension >= rank)",
            s.buffers,
            s.buffers_with_data,
            s.unaligned_data,
            s.buffers_with_offset,
            s.per_channel_tensors,
            s.quantized_dims,
            s.qdim_beyond_rank
        );
    }
    println!("parsed {} models", models.len());
}

/// The object API round-trips every model: unpack -> pack -> verify-parse
/// again and compare the structure. Proves builders and readers agree.
#[test]
fn object_api_round_trip() {
    let models = model_files();
    if models.is_empty() {
        assert!(
            std::env::var("CI").map_or(true, |v| v != "true" && v != "1"),
            "no models under {MODELS_DIR} under CI"
        );
        eprintln!("skipping: no models under {MODELS_DIR}");
        return;
    }
    for (name, path) in &models {
        let bytes = fs::read(path).unwrap();
        let owned = tflite::root_as_model(&bytes).unwrap().unpack();
        let mut fbb = flatbuffers::FlatBufferBuilder::new();
        let root = owned.pack(&mut fbb);
        tflite::finish_model_buffer(&mut fbb, root);
        let again = tflite::root_as_model(fbb.finished_data())
            .unwrap_or_else(|e| panic!("{name}: repacked model fails verification: {e}"));
        assert!(
            again.unpack() == owned,
            "{name}: object API round trip changed the model"
        );
    }
}
