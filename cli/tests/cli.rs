//! The `microlite` binary end to end: each command on a bundled model, and exit code 2 (never a
//! panic) for missing files, directories, truncated models, bad `.npy` files and bad usage.

use microlite_cli::npy::Array;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_microlite"))
}

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/conformance")
}

fn dscnn() -> PathBuf {
    corpus().join("net_dscnn_int8")
}

fn model() -> String {
    dscnn().join("model.tflite").display().to_string()
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("start the binary")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A fresh temporary directory for one test.
fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("microlite-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Exit code 2 with a `microlite: ...` message and no panic.
fn assert_rejected(o: &Output, what: &str) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(2), "{what}: stderr {err}");
    assert!(err.starts_with("microlite: "), "{what}: stderr {err}");
    assert!(!err.contains("panicked"), "{what}: stderr {err}");
}

/// The value of a `key: value` line.
fn value<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    text.lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix(": "))
}

#[test]
fn inspect_finds_custom_ops_by_name() {
    for name in ["detection_postprocess_fast_f32", "audio_preprocessor_int8"] {
        let path = corpus().join(name).join("model.tflite");
        let o = run(&["inspect", path.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let out = stdout(&o);
        assert_eq!(value(&out, "unsupported_ops"), Some("none"), "{out}");
    }
}

#[test]
fn inspect_lists_ops_and_tensors() {
    let o = run(&["inspect", &model()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    for op in [
        "CONV_2D",
        "DEPTHWISE_CONV_2D",
        "AVERAGE_POOL_2D",
        "FULLY_CONNECTED",
        "SOFTMAX",
    ] {
        assert!(out.contains(op), "missing {op}:\n{out}");
    }
    assert!(out.contains("0  CONV_2D v3"), "{out}");
    assert!(out.contains("-> ["), "{out}");
    assert!(out.contains("per-channel (12) on dim 0"), "{out}");
    assert!(out.contains("scale 0.00390625 zero_point -128"), "{out}");
    assert!(out.contains("subgraphs: 1"), "{out}");
    assert_eq!(value(&out, "unsupported_ops"), Some("none"), "{out}");
    assert!(value(&out, "buffers").is_some(), "{out}");
    assert!(value(&out, "metadata").is_some(), "{out}");
    assert!(!out.contains("UNSUPPORTED"), "{out}");
}

#[test]
fn plan_prints_totals() {
    let o = run(&["plan", &model()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    let num = |k: &str| -> usize {
        value(&out, k)
            .unwrap_or_else(|| panic!("no {k}:\n{out}"))
            .parse()
            .unwrap()
    };
    let arena = num("arena_bytes");
    let state = num("state_bytes");
    let tflm = num("tflm_arena_bytes");
    assert!(arena > 0 && state > 0);
    assert_eq!(arena, num("head_bytes") + num("tail_bytes"));
    let ratio: f64 = value(&out, "ratio").unwrap().parse().unwrap();
    let want = (arena + state) as f64 / tflm as f64;
    assert!((ratio - want).abs() < 0.001, "{ratio} vs {want}");
    // Lifetimes: the graph input from op 0, the graph output to the end (op_count = 8).
    assert!(out.contains(" 0..0 "), "{out}");
    assert!(out.contains(" 7..8 "), "{out}");
}

#[test]
fn plan_without_meta_has_no_ratio() {
    let dir = temp_dir("nometa");
    let m = dir.join("m.tflite");
    std::fs::copy(model(), &m).unwrap();
    let o = run(&["plan", m.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(value(&out, "arena_bytes").is_some());
    assert!(value(&out, "tflm_arena_bytes").is_none());
    assert!(value(&out, "ratio").is_none());
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn run_reproduces_the_golden_output() {
    let dir = temp_dir("run");
    let out_path = dir.join("y.npy");
    let input = dscnn().join("case-0/input-0.npy");
    let o = run(&[
        "run",
        &model(),
        "--input",
        input.to_str().unwrap(),
        "--output",
        out_path.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let got = Array::read(&out_path).unwrap();
    let want = Array::read(&dscnn().join("case-0/output-0.npy")).unwrap();
    assert_eq!(got, want);
    let out = stdout(&o);
    assert!(out.contains("output 0:"), "{out}");
    assert!(out.contains("int8 [1, 8]"), "{out}");
    assert!(out.contains("argmax"), "{out}");
    assert!(out.contains("dequantized"), "{out}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn run_random_is_deterministic() {
    let m = corpus().join("net_mlp_f32/model.tflite");
    let m = m.to_str().unwrap();
    let a = run(&["run", m, "--seed", "3"]);
    let b = run(&["run", m, "--seed", "3"]);
    assert_eq!(a.status.code(), Some(0), "{}", stderr(&a));
    let strip = |o: &Output| {
        stdout(o)
            .lines()
            .filter(|l| !l.starts_with("invoke_ms"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(strip(&a), strip(&b));
    assert!(stdout(&a).contains("float32"));
}

#[test]
fn bench_prints_latency() {
    let o = run(&["bench", &model(), "--runs", "3", "--warmup", "1"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    for k in ["median_ms", "min_ms", "max_ms", "mean_ms"] {
        let v: f64 = value(&out, k)
            .unwrap_or_else(|| panic!("no {k}:\n{out}"))
            .parse()
            .unwrap();
        assert!(v >= 0.0);
    }
    let plan = stdout(&run(&["plan", &model()]));
    assert_eq!(value(&out, "arena_bytes"), value(&plan, "arena_bytes"));
}

#[test]
fn help_per_command() {
    for cmd in ["conform", "inspect", "plan", "run", "bench"] {
        let o = run(&[cmd, "--help"]);
        assert_eq!(o.status.code(), Some(0), "{cmd}");
        assert!(
            stdout(&o).starts_with(&format!("usage: microlite {cmd}")),
            "{cmd}: {}",
            stdout(&o)
        );
    }
    let o = run(&["--help"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("bench MODEL"));
}

#[test]
fn missing_file_and_directory_are_rejected() {
    for cmd in ["inspect", "plan", "run", "bench"] {
        assert_rejected(&run(&[cmd, "/nonexistent/model.tflite"]), cmd);
        assert_rejected(&run(&[cmd, dscnn().to_str().unwrap()]), cmd);
    }
}

#[test]
fn truncated_and_garbage_models_are_rejected() {
    let dir = temp_dir("trunc");
    let bytes = std::fs::read(model()).unwrap();
    let half = dir.join("half.tflite");
    std::fs::write(&half, &bytes[..bytes.len() / 2]).unwrap();
    let empty = dir.join("empty.tflite");
    std::fs::write(&empty, b"").unwrap();
    let junk = dir.join("junk.tflite");
    std::fs::write(&junk, vec![0xA5u8; 4096]).unwrap();
    for m in [&half, &empty, &junk] {
        for cmd in ["inspect", "plan", "run", "bench"] {
            let o = run(&[cmd, m.to_str().unwrap()]);
            assert_rejected(&o, &format!("{cmd} {}", m.display()));
            assert!(
                stderr(&o).contains("malformed model"),
                "{cmd}: {}",
                stderr(&o)
            );
        }
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn bad_inputs_are_rejected() {
    let dir = temp_dir("inputs");
    let garbage = dir.join("garbage.npy");
    std::fs::write(&garbage, b"not numpy at all").unwrap();
    let wrong_len = dscnn().join("case-0/output-0.npy");
    let f32_input = corpus().join("net_mlp_f32/case-0/input-0.npy");
    let good = dscnn().join("case-0/input-0.npy");
    let m = model();
    for (args, what) in [
        (vec!["--input", garbage.to_str().unwrap()], "garbage"),
        (vec!["--input", wrong_len.to_str().unwrap()], "wrong length"),
        (vec!["--input", f32_input.to_str().unwrap()], "wrong dtype"),
        (vec!["--input", dscnn().to_str().unwrap()], "directory"),
        (vec!["--input", "/nonexistent.npy"], "missing"),
        (
            vec![
                "--input",
                good.to_str().unwrap(),
                "--input",
                good.to_str().unwrap(),
            ],
            "too many inputs",
        ),
        (
            vec!["--output", "/nonexistent/dir/y.npy"],
            "unwritable output",
        ),
        (
            vec!["--output", "a.npy", "--output", "b.npy"],
            "too many outputs",
        ),
    ] {
        let mut full = vec!["run", m.as_str()];
        full.extend(args);
        assert_rejected(&run(&full), what);
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn bad_usage_is_rejected() {
    let m = model();
    for args in [
        vec![],
        vec!["frobnicate"],
        vec!["inspect"],
        vec!["inspect", m.as_str(), "extra"],
        vec!["plan", m.as_str(), "--bogus"],
        vec!["run", m.as_str(), "--input"],
        vec!["run", m.as_str(), "--seed", "x"],
        vec!["bench", m.as_str(), "--runs", "0"],
        vec!["bench", m.as_str(), "--runs", "-1"],
        vec!["bench", m.as_str(), "--warmup", "lots"],
        vec!["conform"],
        vec!["plan", m.as_str(), "--target", "z80-unknown-none"],
        vec!["plan", m.as_str(), "--pointer-width", "13"],
        vec![
            "plan",
            m.as_str(),
            "--target",
            "thumbv6m-none-eabi",
            "--pointer-width",
            "32",
        ],
        vec!["plan", m.as_str(), "--svg"],
        vec!["inspect", m.as_str(), "--json=yes"],
    ] {
        let o = run(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("usage: microlite"), "{args:?}");
        assert!(!stderr(&o).contains("panicked"), "{args:?}");
    }
}

#[test]
fn conform_output_format() {
    let dir = temp_dir("conform");
    let set = dir.join("set");
    let case = set.join("one");
    std::fs::create_dir_all(&case).unwrap();
    for entry in ["model.tflite", "meta.json"] {
        std::fs::copy(dscnn().join(entry), case.join(entry)).unwrap();
    }
    std::fs::create_dir_all(case.join("case-0")).unwrap();
    for f in ["input-0.npy", "output-0.npy"] {
        std::fs::copy(dscnn().join("case-0").join(f), case.join("case-0").join(f)).unwrap();
    }
    let o = run(&["conform", set.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "PASS one (1 cases)\n1 passed, 0 failed\n");
    // A wrong golden is a mismatch: exit code 1.
    let golden = case.join("case-0/output-0.npy");
    let mut a = Array::read(&golden).unwrap();
    a.data[0] ^= 1;
    std::fs::write(&golden, a.to_bytes()).unwrap();
    let o = run(&["conform", set.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let out = stdout(&o);
    assert!(
        out.starts_with("FAIL one: case-0 output 0: 1 of 8 elements differ"),
        "{out}"
    );
    assert!(out.ends_with("0 passed, 1 failed\n"), "{out}");
    let _ = std::fs::remove_dir_all(dir);
}

/// The JSON object a command printed.
fn json_of(o: &Output) -> serde_json::Value {
    assert_eq!(o.status.code(), Some(0), "{}", stderr(o));
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(o)))
}

#[test]
fn plan_svg_draws_one_rect_per_tensor() {
    let dir = temp_dir("svg");
    let svg = dir.join("plan.svg");
    let o = run(&["plan", &model(), "--svg", svg.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let planned: usize = value(&stdout(&o), "planned_tensors")
        .unwrap()
        .parse()
        .unwrap();
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(
        text.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""),
        "{text}"
    );
    assert!(text.trim_end().ends_with("</svg>"));
    assert_eq!(text.matches("<title>tensor ").count(), planned, "{text}");
    // Every op labels its column; the graph output lives to the end (op 8, "kept").
    assert!(text.contains(">0 CONV_2D</text>") && text.contains(">7 SOFTMAX</text>"));
    assert!(text.contains("ops 7..8</title>"), "{text}");
    let plan_text = stdout(&o);
    let arena = value(&plan_text, "arena_bytes").unwrap();
    assert!(text.contains(&format!("arena plan: {arena} bytes")));
    // The rectangles stay inside the drawing.
    for r in text.split("<rect ").skip(1) {
        let attr = |k: &str| -> f64 {
            let at = r.find(&format!(" {k}=\"")).map(|i| i + k.len() + 3);
            at.map_or(0.0, |i| {
                r[i..r[i..].find('"').unwrap() + i].parse().unwrap_or(0.0)
            })
        };
        assert!(attr("y") + attr("height") <= 40.0 + 600.0 + 0.01, "{r}");
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn inspect_prints_the_resolver_microlite_build_generates() {
    let o = run(&["inspect", &model()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    let at = out.find("resolver: ").expect("no resolver section");
    let printed: Vec<&str> = out[at..].lines().skip(1).map(str::trim).collect();
    let needs = microlite_build::check(&std::fs::read(model()).unwrap()).unwrap();
    assert_eq!(printed, needs.resolver_lines());
    assert_eq!(
        printed,
        [
            "let mut r = microlite::MutableOpResolver::<5>::new();",
            "r.add_conv_2d()?;",
            "r.add_depthwise_conv_2d()?;",
            "r.add_average_pool_2d()?;",
            "r.add_fully_connected()?;",
            "r.add_softmax()?;",
        ]
    );
    // The generated file holds the same statements.
    let src = microlite_build::source("M", &needs, 4);
    for l in &printed {
        assert!(src.contains(l), "{l} not in\n{src}");
    }
}

#[test]
fn inspect_json() {
    let v = json_of(&run(&["inspect", &model(), "--json"]));
    assert_eq!(v["model"], model().as_str());
    assert_eq!(v["subgraphs"].as_array().unwrap().len(), 1);
    let sg = &v["subgraphs"][0];
    assert_eq!(sg["ops"][0]["op"], "CONV_2D");
    assert_eq!(sg["ops"][0]["version"], 3);
    assert_eq!(sg["ops"][0]["inputs"], serde_json::json!([0, 12, 11]));
    assert_eq!(sg["ops"][0]["supported"], true);
    assert_eq!(sg["tensors"].as_array().unwrap().len(), 21);
    assert_eq!(sg["tensors"][20]["type"], "INT8");
    assert_eq!(sg["tensors"][20]["shape"], serde_json::json!([1, 8]));
    assert_eq!(v["blockers"], serde_json::json!([]));
    assert_eq!(v["unsupported_ops"], serde_json::json!([]));
    assert_eq!(v["resolver"]["capacity"], 5);
    assert_eq!(v["resolver"]["adders"][4], "add_softmax");
    assert_eq!(
        v["bytes"].as_u64().unwrap(),
        std::fs::metadata(model()).unwrap().len()
    );
}

#[test]
fn plan_json_matches_the_text() {
    let text = stdout(&run(&["plan", &model()]));
    let v = json_of(&run(&["plan", &model(), "--json"]));
    for k in [
        "arena_bytes",
        "state_bytes",
        "head_bytes",
        "tail_bytes",
        "tflm_arena_bytes",
    ] {
        assert_eq!(
            v[k].as_u64().map(|n| n.to_string()).as_deref(),
            value(&text, k),
            "{k}"
        );
    }
    let planned: usize = value(&text, "planned_tensors").unwrap().parse().unwrap();
    let tensors = v["tensors"].as_array().unwrap();
    assert_eq!(tensors.len(), planned);
    let out = tensors.iter().find(|t| t["tensor"] == 20).unwrap();
    assert_eq!(
        (out["first_op"].as_u64(), out["last_op"].as_u64()),
        (Some(7), Some(8))
    );
    assert!(v.get("target").is_none());
}

#[test]
fn plan_for_a_target_pointer_width() {
    let want_state = microlite::Interpreter::state_bytes_for(4);
    let o = run(&["plan", &model(), "--target", "thumbv7em-none-eabihf"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert_eq!(
        value(&out, "target"),
        Some("thumbv7em-none-eabihf (32-bit pointers)")
    );
    assert_eq!(
        value(&out, "target_state_bytes"),
        Some(want_state.to_string().as_str())
    );
    assert_eq!(
        value(&out, "target_arena_bytes"),
        value(&out, "arena_bytes")
    );
    // The same as microlite-build generates for that target.
    let needs = microlite_build::check(&std::fs::read(model()).unwrap()).unwrap();
    let src = microlite_build::source("M", &needs, 4);
    assert!(src.contains(&format!("M_STATE_BYTES: usize = {want_state};")));
    assert!(src.contains(&format!(
        "M_ARENA_BYTES: usize = {};",
        value(&out, "target_arena_bytes").unwrap()
    )));
    // --pointer-width says it directly; --json carries it.
    let v = json_of(&run(&["plan", &model(), "--pointer-width", "32", "--json"]));
    assert_eq!(v["target"]["pointer_width"], 32);
    assert_eq!(v["target"]["state_bytes"].as_u64(), Some(want_state as u64));
    let v = json_of(&run(&[
        "plan",
        &model(),
        "--target",
        "riscv32imc-unknown-none-elf",
        "--json",
    ]));
    assert_eq!(v["target"]["name"], "riscv32imc-unknown-none-elf");
    assert_eq!(v["target"]["state_bytes"].as_u64(), Some(want_state as u64));
    let v = json_of(&run(&["plan", &model(), "--pointer-width", "64", "--json"]));
    assert_eq!(v["target"]["state_bytes"], v["state_bytes"]);
}

#[test]
fn bench_json() {
    let v = json_of(&run(&[
        "bench",
        &model(),
        "--runs",
        "3",
        "--warmup",
        "1",
        "--json",
        "--profile",
    ]));
    assert_eq!(v["runs"], 3);
    for k in ["median_ms", "min_ms", "max_ms", "mean_ms"] {
        assert!(v[k].as_f64().unwrap() >= 0.0, "{k}");
    }
    let plan = stdout(&run(&["plan", &model()]));
    assert_eq!(
        v["arena_bytes"].as_u64().map(|n| n.to_string()).as_deref(),
        value(&plan, "arena_bytes")
    );
    let profile = v["profile"].as_array().unwrap();
    assert_eq!(profile.len(), 8);
    assert_eq!(profile[7]["type"], "SOFTMAX");
    let v = json_of(&run(&["bench", &model(), "--runs", "2", "--json"]));
    assert!(v.get("profile").is_none());
}
