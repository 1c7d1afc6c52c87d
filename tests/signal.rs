//! The signal custom ops end to end: micro_speech's audio preprocessor (from the own corpus)
//! on a resolver holding only what it needs, its noise-estimate state carried across invokes
//! and cleared by `Interpreter::reset`, and the resolver calls the README shows.

mod common;

use microlite::{AllOpsResolver, Interpreter, Model, MutableOpResolver, SIGNAL_OPS};
use std::path::{Path, PathBuf};

/// The data of a little-endian `.npy` file (version 1, C order), as raw bytes.
fn npy(path: &Path) -> Vec<u8> {
    let b = std::fs::read(path).unwrap();
    assert_eq!(&b[..6], b"\x93NUMPY");
    let header = u16::from_le_bytes([b[8], b[9]]) as usize;
    b[10 + header..].to_vec()
}

fn preprocessor(variant: &str) -> PathBuf {
    common::own_models().join(format!("audio_preprocessor_{variant}"))
}

fn resolver() -> MutableOpResolver<{ SIGNAL_OPS + 9 }> {
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

#[test]
fn preprocessor_streams_and_resets() {
    for variant in ["int8", "float"] {
        let dir = preprocessor(variant);
        let bytes = common::load(&dir.join("model.tflite"));
        let model = Model::from_bytes(bytes.as_slice()).unwrap();
        let ops = resolver();
        let mut arena = common::Aligned::zeroed(64 * 1024);
        let mut interp = Interpreter::new(model, &ops, arena.as_mut_slice()).unwrap();
        let case = dir.join("case-3");
        let step = |s: usize| case.join(format!("step-{s}"));
        let run = |interp: &mut Interpreter<'_>, s: usize| -> Vec<u8> {
            let input = npy(&step(s).join("input-0.npy"));
            interp.input_bytes_mut(0).unwrap().copy_from_slice(&input);
            interp.invoke().unwrap();
            interp.output_bytes(0).unwrap().to_vec()
        };
        let golden = |s: usize| npy(&step(s).join("output-0.npy"));
        // 16 consecutive windows: each depends on the noise estimate the earlier ones left.
        for s in 0..16 {
            assert_eq!(run(&mut interp, s), golden(s), "{variant} step {s}");
        }
        // Without a reset, the first window again meets the grown noise estimate ...
        assert_ne!(
            run(&mut interp, 0),
            golden(0),
            "{variant}: state carried over"
        );
        // ... and after one it is the first window again.
        interp.reset();
        assert_eq!(run(&mut interp, 0), golden(0), "{variant}: after reset");
        assert_eq!(
            run(&mut interp, 1),
            golden(1),
            "{variant}: after reset, step 1"
        );
    }
}

#[test]
fn all_ops_resolver_has_the_signal_ops() {
    let ops = AllOpsResolver::with_all_ops();
    for name in [
        "SignalWindow",
        "SignalFftAutoScale",
        "SignalRfft",
        "SignalIrfft",
        "SignalEnergy",
        "SignalFilterBank",
        "SignalFilterBankSquareRoot",
        "SignalFilterBankSpectralSubtraction",
        "SignalPCAN",
        "SignalFilterBankLog",
        "SignalFramer",
        "SignalStacker",
        "SignalDelay",
        "SignalOverlapAdd",
    ] {
        use microlite::OpResolver;
        assert!(ops.find_custom(name).is_some(), "{name}");
    }
    let mut only = MutableOpResolver::<SIGNAL_OPS>::new();
    only.add_signal_ops().unwrap();
    assert_eq!(only.len(), SIGNAL_OPS);
}
