//! micro_speech end to end, bit-exact with TFLM: raw 16 kHz audio -> the audio preprocessor
//! (own corpus, signal ops) over 49 windows of 480 samples advancing 320 -> the stacked
//! `[1, 1960]` int8 features -> `micro_speech_quantized` (from `../shared/models`) -> the
//! keyword scores. Goldens in `tests/micro_speech_e2e/clip-K/` come from the TFLM runtime
//! (`tools/micro_speech_e2e.py`).

mod common;

use common::{Aligned, Npy};
use microlite::{Interpreter, Model, MutableOpResolver, SIGNAL_OPS};
use std::path::{Path, PathBuf};

const WINDOW: usize = 480;
const STRIDE: usize = 320;
const FEATURES: usize = 40;
const FRAMES: usize = 49;

fn clips() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/micro_speech_e2e");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.join("audio.npy").is_file())
        .collect();
    v.sort();
    assert!(v.len() >= 3, "expected 3 clips in {}", dir.display());
    v
}

/// `../shared/models/NAME`, or `None` (skipped) when it is not beside the checkout; under CI
/// (`CI=true`) a missing model fails instead of passing silently.
fn shared_model(name: &str) -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/models")
        .join(name);
    if dir.join("model.tflite").is_file() {
        return Some(dir);
    }
    assert!(
        std::env::var("CI").map_or(true, |v| v != "true" && v != "1"),
        "{} not found under CI",
        dir.display()
    );
    eprintln!("skipping the keyword model: {} not found", dir.display());
    None
}

/// The preprocessor's ops, as the README lists them.
fn preprocessor_ops() -> MutableOpResolver<{ SIGNAL_OPS + 9 }> {
    let mut r = MutableOpResolver::new();
    r.add_signal_ops().unwrap();
    r.add_reshape().unwrap();
    r.add_cast().unwrap();
    r.add_strided_slice().unwrap();
    r.add_concatenation().unwrap();
    r.add_mul().unwrap();
    r.add_add().unwrap();
    r.add_div().unwrap();
    r.add_minimum().unwrap();
    r.add_maximum().unwrap();
    r
}

fn keyword_ops() -> MutableOpResolver<4> {
    let mut r = MutableOpResolver::new();
    r.add_depthwise_conv_2d().unwrap();
    r.add_fully_connected().unwrap();
    r.add_reshape().unwrap();
    r.add_softmax().unwrap();
    r
}

#[test]
fn audio_to_features_to_scores() {
    let pre_bytes =
        common::load(&common::own_models().join("audio_preprocessor_int8/model.tflite"));
    let pre_ops = preprocessor_ops();
    let mut pre_arena = Aligned::zeroed(64 * 1024);
    let mut pre = Interpreter::new(
        Model::from_bytes(pre_bytes.as_slice()).unwrap(),
        &pre_ops,
        pre_arena.as_mut_slice(),
    )
    .unwrap();

    let kws_dir = shared_model("micro_speech_quantized");
    let kws_bytes = kws_dir.map(|d| common::load(&d.join("model.tflite")));
    let kws_ops = keyword_ops();
    let mut kws_arena = Aligned::zeroed(64 * 1024);
    let mut kws = kws_bytes.as_ref().map(|b| {
        let model = Model::from_bytes(b.as_slice()).unwrap();
        Interpreter::new(model, &kws_ops, kws_arena.as_mut_slice()).unwrap()
    });

    let mut golden_scores = Vec::new();
    for clip in clips() {
        let name = clip.file_name().unwrap().to_string_lossy().into_owned();
        let audio = Npy::read(&clip.join("audio.npy"));
        assert_eq!(audio.shape, [16000], "{name}: audio shape");
        let audio = audio.i16s();
        assert_eq!((audio.len() - WINDOW) / STRIDE + 1, FRAMES);
        let golden = Npy::read(&clip.join("features.npy"));
        assert_eq!(
            golden.shape,
            [1, FRAMES * FEATURES],
            "{name}: features shape"
        );
        let golden = golden.i8s();

        // Reset once per clip; the windows share the noise estimate.
        pre.reset();
        let mut features = Vec::with_capacity(FRAMES * FEATURES);
        for w in 0..FRAMES {
            pre.set_input::<i16>(0, &audio[w * STRIDE..w * STRIDE + WINDOW])
                .unwrap();
            pre.invoke().unwrap();
            let out = pre.output::<i8>(0).unwrap();
            assert_eq!(
                out,
                &golden[w * FEATURES..(w + 1) * FEATURES],
                "{name}: window {w}"
            );
            features.extend_from_slice(out);
        }
        assert_eq!(features, golden, "{name}: stacked features");

        let scores = Npy::read(&clip.join("scores.npy"));
        assert_eq!(scores.shape, [1, 4], "{name}: scores shape");
        let scores = scores.i8s();
        if let Some(kws) = kws.as_mut() {
            kws.reset();
            kws.set_input::<i8>(0, &features).unwrap();
            kws.invoke().unwrap();
            assert_eq!(kws.output::<i8>(0).unwrap(), &scores[..], "{name}: scores");
        }
        golden_scores.push(scores);
    }
    // The clips must tell the keyword model different things.
    assert!(
        golden_scores.iter().any(|s| *s != golden_scores[0]),
        "every clip has the same golden scores"
    );
}
