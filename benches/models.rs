//! Whole-model `Interpreter::invoke` benchmarks: the project's own models in
//! `tests/conformance` (always) and the MLPerf Tiny models in `../shared/models` (when the
//! checkout has them beside it).
//!
//! `cargo bench -p microlite --bench models` (add `-- dscnn` to filter by name).

use criterion::{criterion_group, criterion_main, Criterion};
use microlite::{AllOpsResolver, Interpreter, Model};
use std::path::{Path, PathBuf};

const OWN: &[&str] = &[
    "net_dscnn_int8",
    "net_dscnn_f32",
    "net_mobilenet_int8",
    "net_mobilenet_f32",
    "net_resnet_int8",
    "net_resnet_f32",
    "net_mlp_int8",
    "net_mlp_f32",
    "net_convpool_int8",
    "net_convpool_f32",
];

const SHARED: &[&str] = &[
    "kws_dscnn_int8",
    "vww_mobilenet_int8",
    "ic_resnet8_int8",
    "ad_autoencoder_int8",
    "person_detect",
    "kws_dscnn_float32",
    "vww_mobilenet_float32",
    "ic_resnet8_float32",
    "ad_autoencoder_float32",
];

/// Bytes at a 16-byte-aligned address (the model reader and the arena need it).
struct Aligned {
    buf: Vec<u128>,
    len: usize,
}

impl Aligned {
    fn zeroed(len: usize) -> Self {
        Aligned {
            buf: vec![0u128; len.div_ceil(16)],
            len,
        }
    }
    fn bytes(&self) -> &[u8] {
        &bytemuck::cast_slice(&self.buf)[..self.len]
    }
    fn bytes_mut(&mut self) -> &mut [u8] {
        &mut bytemuck::cast_slice_mut(&mut self.buf)[..self.len]
    }
}

fn bench_model(c: &mut Criterion, name: &str, path: &Path) {
    let Ok(raw) = std::fs::read(path) else {
        return;
    };
    let mut model_bytes = Aligned::zeroed(raw.len());
    model_bytes.bytes_mut().copy_from_slice(&raw);
    let model = Model::from_bytes(model_bytes.bytes()).expect("model parses");
    let resolver = AllOpsResolver::with_all_ops();
    let mut big = Aligned::zeroed(16 << 20);
    let need = Interpreter::arena_size(model, &resolver, big.bytes_mut()).expect("model plans");
    let mut arena = Aligned::zeroed(need);
    let mut interp = Interpreter::new(model, &resolver, arena.bytes_mut()).expect("model prepares");
    // A fixed, non-trivial input: bytes 0, 37, 74, ... (valid for int8 and as float bits
    // of small magnitude are not needed: float inputs get values in [-1, 1)).
    for i in 0..interp.input_count() {
        let info = interp.input_info(i).unwrap();
        if info.ty() == microlite::TensorType::Float32 {
            let x = interp.input_mut::<f32>(i).unwrap();
            for (k, v) in x.iter_mut().enumerate() {
                *v = ((k * 37 % 200) as f32 - 100.0) / 100.0;
            }
        } else {
            for (k, v) in interp.input_bytes_mut(i).unwrap().iter_mut().enumerate() {
                *v = (k * 37) as u8;
            }
        }
    }
    c.bench_function(&format!("invoke/{name}"), |b| {
        b.iter(|| interp.invoke().unwrap())
    });
}

fn models(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for name in OWN {
        bench_model(
            c,
            name,
            &root
                .join("tests/conformance")
                .join(name)
                .join("model.tflite"),
        );
    }
    let shared: PathBuf = root.join("../shared/models");
    if shared.is_dir() {
        for name in SHARED {
            bench_model(c, name, &shared.join(name).join("model.tflite"));
        }
    }
}

criterion_group!(benches, models);
criterion_main!(benches);
