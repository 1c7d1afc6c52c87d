//! Conformance: the project's own corpus always, and `../shared/models` when present.

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

#[test]
fn shared_models() {
    let set = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/models");
    if !set.is_dir() {
        eprintln!("skipping: {} not found", set.display());
        return;
    }
    let (pass, _) = run(&set);
    assert_eq!(pass, 14);
}

#[test]
fn own_corpus() {
    let set = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/conformance");
    let (pass, _) = run(&set);
    assert!(pass >= 1, "the own corpus is empty");
}
