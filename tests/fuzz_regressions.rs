//! Replays every input kept under `fuzz/regressions/TARGET/` through the same path as the fuzz
//! target that found it: once a crash, now a typed error or a clean run.

mod common;

use common::Aligned;
use microlite::{AllOpsResolver, Interpreter, Model};
use std::path::Path;

fn inputs(target: &str) -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/regressions")
        .join(target);
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<_> = rd
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    files.retain(|p| {
        !p.file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'))
    });
    files.sort();
    files.iter().map(|p| std::fs::read(p).unwrap()).collect()
}

fn run_model(bytes: &[u8], arena_len: usize) {
    let b = Aligned::copy_of(bytes);
    let Ok(model) = Model::from_bytes(b.as_slice()) else {
        return;
    };
    let resolver = AllOpsResolver::with_all_ops();
    let mut arena = Aligned::zeroed(arena_len);
    if let Ok(mut interp) = Interpreter::new(model, &resolver, arena.as_mut_slice()) {
        let _ = interp.invoke();
    }
}

#[test]
fn parse_regressions() {
    for data in inputs("parse") {
        let b = Aligned::copy_of(&data);
        let _ = Model::from_bytes(b.as_slice());
    }
}

#[test]
fn allocate_regressions() {
    for data in inputs("allocate") {
        if data.len() >= 3 {
            let arena_len = u16::from_le_bytes([data[0], data[1]]) as usize * 16 + data[2] as usize;
            run_model(&data[3..], arena_len);
        }
    }
}

#[test]
fn invoke_regressions() {
    // Invoke inputs name a seed model and byte edits; they are replayed by the fuzz target
    // itself (`cargo +nightly fuzz run invoke fuzz/regressions/invoke/*`); here any kept
    // input that is a whole model runs with a generous arena.
    for data in inputs("invoke") {
        run_model(&data, 1 << 20);
    }
}
