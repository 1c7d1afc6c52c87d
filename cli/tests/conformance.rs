//! Conformance: the project's own corpus always, and `../shared/models` and `../shared/models-lstm-svdf`
//! when present (required under CI).

use microlite_cli::conform::{line, run_set};
use std::path::Path;

fn run(set: &Path) -> (usize, usize) {
    let mut lines = Vec::new();
    let (pass, fail) = run_set(set, |name, outcome| lines.push(line(name, outcome))).unwrap();
    for l in &lines {
        println!("{l}");
    }
    println!("{pass} passed, {fail} failed");
    let failures: Vec<&String> = lines.iter().filter(|l| l.starts_with("FAIL")).collect();
    assert!(
        failures.is_empty(),
        "{} of {} models failed:\n{}",
        fail,
        pass + fail,
        failures
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
    (pass, fail)
}

/// A set of `../shared`, or `None` (skipped) when it is not beside the checkout; under CI
/// (`CI=true`) a missing set fails instead of passing silently.
fn shared(name: &str) -> Option<std::path::PathBuf> {
    let set = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared")
        .join(name);
    if set.is_dir() {
        return Some(set);
    }
    assert!(
        std::env::var("CI").map_or(true, |v| v != "true" && v != "1"),
        "{} not found under CI",
        set.display()
    );
    eprintln!("skipping: {} not found", set.display());
    None
}

#[test]
fn shared_models() {
    let Some(set) = shared("models") else { return };
    let (pass, _) = run(&set);
    assert_eq!(pass, 14);
}

/// SVDF and LSTM models (streaming cases included).
#[test]
fn shared_models_lstm_svdf() {
    let Some(set) = shared("models-lstm-svdf") else {
        return;
    };
    let (pass, _) = run(&set);
    assert_eq!(pass, 3);
}

#[test]
fn own_corpus() {
    let set = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/conformance");
    let (pass, _) = run(&set);
    assert!(pass >= 1, "the own corpus is empty");
}
