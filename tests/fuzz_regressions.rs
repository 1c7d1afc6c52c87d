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
    let inputs = inputs("parse");
    assert!(!inputs.is_empty(), "fuzz/regressions/parse is empty");
    for data in inputs {
        let b = Aligned::copy_of(&data);
        let _ = Model::from_bytes(b.as_slice());
    }
}

#[test]
fn allocate_regressions() {
    let inputs = inputs("allocate");
    assert!(!inputs.is_empty(), "fuzz/regressions/allocate is empty");
    for data in inputs {
        if data.len() >= 3 {
            let arena_len = u16::from_le_bytes([data[0], data[1]]) as usize * 16 + data[2] as usize;
            run_model(&data[3..], arena_len);
        }
    }
}

/// The invoke target's seed models, read from its source so that both stay one list.
fn invoke_seeds() -> Vec<Vec<u8>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let src = std::fs::read_to_string(root.join("fuzz/fuzz_targets/invoke.rs")).unwrap();
    let list = &src[src.find("static SEEDS").unwrap()..];
    let list = &list[..list.find("];").unwrap()];
    let seeds: Vec<Vec<u8>> = list
        .lines()
        .filter_map(|l| l.trim().strip_prefix('"')?.split('"').next())
        .map(|name| {
            std::fs::read(
                root.join("tests/conformance")
                    .join(name)
                    .join("model.tflite"),
            )
            .unwrap()
        })
        .collect();
    assert!(
        seeds.len() > 10,
        "seed list not found in fuzz/fuzz_targets/invoke.rs"
    );
    seeds
}

#[test]
fn invoke_regressions() {
    // As the fuzz target: byte 0 picks a seed model, byte 1 the number of 4-byte edits (3
    // bytes of offset, 1 of value), the rest fills the inputs; then plan, invoke, read.
    let seeds = invoke_seeds();
    let inputs = inputs("invoke");
    assert!(!inputs.is_empty(), "fuzz/regressions/invoke is empty");
    for data in inputs {
        if data.len() < 2 {
            continue;
        }
        let mut model = seeds[data[0] as usize % seeds.len()].clone();
        let mut rest = &data[2..];
        for _ in 0..data[1] as usize % 8 {
            if rest.len() < 4 {
                break;
            }
            let at = u32::from_le_bytes([rest[0], rest[1], rest[2], 0]) as usize % model.len();
            model[at] = rest[3];
            rest = &rest[4..];
        }
        let b = Aligned::copy_of(&model);
        let Ok(m) = Model::from_bytes(b.as_slice()) else {
            continue;
        };
        let resolver = AllOpsResolver::with_all_ops();
        let mut big = Aligned::zeroed(1 << 20);
        let Ok(needed) = Interpreter::arena_size(m, &resolver, big.as_mut_slice()) else {
            continue;
        };
        let mut arena = Aligned::zeroed(needed);
        let Ok(mut interp) = Interpreter::new(m, &resolver, arena.as_mut_slice()) else {
            continue;
        };
        for i in 0..interp.input_count() {
            if let Ok(dst) = interp.input_bytes_mut(i) {
                for (k, v) in dst.iter_mut().enumerate() {
                    *v = rest.get(k % rest.len().max(1)).copied().unwrap_or(0);
                }
            }
        }
        let _ = interp.invoke();
        for j in 0..interp.output_count() {
            let _ = interp.output_bytes(j);
        }
    }
}
