//! Replays every input kept under `fuzz/regressions/TARGET/` through the fuzz target's own body
//! (`fuzz/fuzz_targets/common.rs`, included below): once a crash, now a typed error or a clean
//! run. Each kept input states how far it gets ([`EXPECTED`]), so that a target that stopped
//! reaching the kernels (or a kept file nobody accounted for) fails the test.

#[path = "../fuzz/fuzz_targets/common.rs"]
mod targets;

use std::path::Path;
use targets::Reached;

/// Every kept input and how far it gets: `(target, file, stage)`.
const EXPECTED: &[(&str, &str, Reached)] = &[
    // A verified seed model (fc_relu_int8): every accessor read.
    ("parse", "seed-fc_relu_int8", Reached::Parsed),
    // Its first 200 bytes: rejected at verification.
    ("parse", "truncated-model", Reached::Rejected),
    // The seed with a 256 KiB arena (fuzz/seed.sh's allocate format): planned and invoked.
    ("allocate", "seed-fc_relu_int8", Reached::Invoked),
    // The seed with no arena: ArenaTooSmall from Interpreter::new.
    ("allocate", "seed-fc_relu_int8-no-arena", Reached::Parsed),
    ("allocate", "arena-too-small", Reached::Parsed),
    // Seed 0 (conv_k3_s2_same_relu6_int8), no edit, inputs filled with "microlite".
    ("invoke", "seed-0-no-edit", Reached::Invoked),
    ("invoke", "softmax16-no-edit", Reached::Invoked),
    ("invoke", "svdf-two-edits", Reached::Invoked),
];

/// The kept inputs of `target`, by file name (dot files such as `.keep` left out).
fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/regressions")
        .join(target);
    let rd = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let mut files: Vec<(String, Vec<u8>)> = rd
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .filter_map(|p| {
            let name = p.file_name()?.to_string_lossy().into_owned();
            (!name.starts_with('.')).then(|| (name, std::fs::read(&p).unwrap()))
        })
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{} holds no kept input", dir.display());
    files
}

fn replay(target: &str, body: fn(&[u8]) -> Reached) {
    for (name, data) in inputs(target) {
        let got = body(&data);
        let want = EXPECTED
            .iter()
            .find(|(t, f, _)| *t == target && *f == name)
            .map(|e| e.2)
            .unwrap_or_else(|| {
                panic!("fuzz/regressions/{target}/{name}: add it to EXPECTED (it reaches {got:?})")
            });
        assert_eq!(got, want, "fuzz/regressions/{target}/{name}");
    }
}

#[test]
fn parse_regressions() {
    replay("parse", targets::parse);
}

#[test]
fn allocate_regressions() {
    replay("allocate", targets::allocate);
}

#[test]
fn invoke_regressions() {
    replay("invoke", targets::invoke);
}

#[test]
fn every_expectation_has_its_file() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions");
    for (target, file, _) in EXPECTED {
        assert!(
            root.join(target).join(file).is_file(),
            "fuzz/regressions/{target}/{file} is missing"
        );
    }
}
