//! The conformance runner: every `SET/NAME/model.tflite` against every `case-K` golden, in the
//! layout of `shared/docs/conformance.md`.

use crate::npy::{Array, DType};
use crate::{arena_needed, read_model, Aligned};
use microlite::{AllOpsResolver, Interpreter, Model};
use std::path::{Path, PathBuf};

/// How outputs are compared.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Compare {
    /// Every element equal.
    Exact,
    /// `|got - want| <= atol + rtol * |want|`.
    Tolerance { atol: f64, rtol: f64 },
}

/// The outcome for one model.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// All cases passed.
    Pass { cases: usize },
    /// The reason the model failed.
    Fail(String),
}

/// The models of a conformance set, sorted by name (or the one model when `set` is itself a
/// model's folder).
pub fn models(set: &Path) -> Result<Vec<PathBuf>, String> {
    if set.join("model.tflite").is_file() {
        return Ok(vec![set.to_path_buf()]);
    }
    let rd = std::fs::read_dir(set).map_err(|e| format!("{}: {e}", set.display()))?;
    let mut dirs: Vec<PathBuf> = rd
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.join("model.tflite").is_file())
        .collect();
    dirs.sort();
    Ok(dirs)
}

fn compare_of(meta: &serde_json::Value) -> Compare {
    match meta.get("compare") {
        Some(serde_json::Value::Object(o)) => Compare::Tolerance {
            atol: o.get("atol").and_then(|v| v.as_f64()).unwrap_or(0.0),
            rtol: o.get("rtol").and_then(|v| v.as_f64()).unwrap_or(0.0),
        },
        _ => Compare::Exact,
    }
}

/// Reads `meta.json` beside a model, if present.
pub fn meta(dir: &Path) -> Option<serde_json::Value> {
    let text = std::fs::read_to_string(dir.join("meta.json")).ok()?;
    serde_json::from_str(&text).ok()
}

/// The numbered subfolders `PREFIX-N` of `dir`, in numeric order.
fn numbered(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    let number = |p: &Path| {
        p.file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_prefix(prefix))
            .and_then(|n| n.parse::<u64>().ok())
    };
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    v.retain(|p| p.is_dir() && number(p).is_some());
    v.sort_by_key(|p| number(p));
    v
}

fn cases(dir: &Path) -> Vec<PathBuf> {
    numbered(dir, "case-")
}

/// A case's invokes: its `step-S` folders in order (a streaming case), or the case itself.
fn steps(case: &Path) -> Vec<PathBuf> {
    let steps = numbered(case, "step-");
    if steps.is_empty() {
        vec![case.to_path_buf()]
    } else {
        steps
    }
}

/// Compares one output; `Err` describes the first mismatch.
pub fn compare(got: &Array, want: &Array, how: Compare) -> Result<(), String> {
    if got.dtype != want.dtype {
        return Err(format!(
            "dtype {} vs golden {}",
            got.dtype.name(),
            want.dtype.name()
        ));
    }
    if got.len() != want.len() {
        return Err(format!("{} elements vs golden {}", got.len(), want.len()));
    }
    let float = want.dtype == DType::F32;
    let mut worst: Option<(usize, f64, f64)> = None;
    let mut bad = 0usize;
    for i in 0..want.len() {
        let (g, w) = (got.get_f64(i), want.get_f64(i));
        let s = want.dtype.size();
        let ok = match how {
            // Equal values (infinities included) pass before the tolerance formula.
            Compare::Tolerance { atol, rtol } if float => {
                g == w || (g - w).abs() <= atol + rtol * w.abs() || (g.is_nan() && w.is_nan())
            }
            // Integers compare bit for bit (int64 is not exact through f64).
            _ if !float => got.data.get(i * s..i * s + s) == want.data.get(i * s..i * s + s),
            _ => g == w || (g.is_nan() && w.is_nan()),
        };
        if !ok {
            bad += 1;
            if worst.is_none_or(|(_, wg, ww)| (g - w).abs() > (wg - ww).abs()) {
                worst = Some((i, g, w));
            }
        }
    }
    match worst {
        None => Ok(()),
        Some((i, g, w)) => Err(format!(
            "{bad} of {} elements differ; worst at [{i}]: got {g}, want {w}",
            want.len()
        )),
    }
}

/// Runs one model directory against all its cases.
pub fn run_model(dir: &Path) -> Outcome {
    match run_model_inner(dir) {
        Ok(cases) => Outcome::Pass { cases },
        Err(e) => Outcome::Fail(e),
    }
}

fn run_model_inner(dir: &Path) -> Result<usize, String> {
    let bytes = read_model(&dir.join("model.tflite"))?;
    let model = Model::from_bytes(bytes.as_slice()).map_err(|e| e.to_string())?;
    let how = meta(dir).map(|m| compare_of(&m)).unwrap_or(Compare::Exact);
    let resolver = AllOpsResolver::with_all_ops();
    let needed = arena_needed(model, &resolver).map_err(|e| e.to_string())?;
    let mut arena = Aligned::zeroed(needed);
    let mut interp =
        Interpreter::new(model, &resolver, arena.as_mut_slice()).map_err(|e| e.to_string())?;
    let cases = cases(dir);
    if cases.is_empty() {
        return Err("no cases".into());
    }
    for case in &cases {
        let cname = case
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("case")
            .to_string();
        // Fresh state per case, as the goldens were made (TFLM `reset()` before each case);
        // a streaming case then invokes once per step, keeping the state between steps.
        interp.reset();
        let steps = steps(case);
        for step in &steps {
            let name = if steps.len() > 1 {
                let s = step.file_name().and_then(|n| n.to_str()).unwrap_or("step");
                format!("{cname}/{s}")
            } else {
                cname.clone()
            };
            run_step(&mut interp, step, &name, how)?;
        }
    }
    Ok(cases.len())
}

/// Sets the inputs of `dir`, invokes once and compares every output with its golden.
fn run_step(
    interp: &mut Interpreter<'_>,
    dir: &Path,
    cname: &str,
    how: Compare,
) -> Result<(), String> {
    for i in 0..interp.input_count() {
        let a = Array::read(&dir.join(format!("input-{i}.npy"))).map_err(|e| e.to_string())?;
        let info = interp.input_info(i).map_err(|e| e.to_string())?;
        if DType::of(info.ty()) != Some(a.dtype) || a.len() != info.element_count() {
            return Err(format!(
                "{cname}: input {i} is {} x{}, model wants {} x{}",
                a.dtype.name(),
                a.len(),
                info.ty().name(),
                info.element_count()
            ));
        }
        interp
            .input_bytes_mut(i)
            .map_err(|e| e.to_string())?
            .copy_from_slice(&a.data);
    }
    interp.invoke().map_err(|e| format!("{cname}: {e}"))?;
    for j in 0..interp.output_count() {
        let want = Array::read(&dir.join(format!("output-{j}.npy"))).map_err(|e| e.to_string())?;
        let info = interp.output_info(j).map_err(|e| e.to_string())?;
        let dtype =
            DType::of(info.ty()).ok_or(format!("output {j} has type {}", info.ty().name()))?;
        let data = interp.output_bytes(j).map_err(|e| e.to_string())?.to_vec();
        let shape: Vec<usize> = info.shape().iter().map(|d| d.max(0) as usize).collect();
        if want.shape != shape && want.len() == info.element_count() && !want.shape.is_empty() {
            return Err(format!(
                "{cname} output {j}: shape {shape:?} vs golden {:?}",
                want.shape
            ));
        }
        let got = Array { dtype, shape, data };
        compare(&got, &want, how).map_err(|e| format!("{cname} output {j}: {e}"))?;
    }
    Ok(())
}

/// The report line for one model, as `microlite conform` prints it.
pub fn line(name: &str, outcome: &Outcome) -> String {
    match outcome {
        Outcome::Pass { cases } => format!("PASS {name} ({cases} cases)"),
        Outcome::Fail(why) => format!("FAIL {name}: {why}"),
    }
}

/// Runs a whole set, calling `report` per model; returns `(passed, failed)`.
pub fn run_set(
    set: &Path,
    mut report: impl FnMut(&str, &Outcome),
) -> Result<(usize, usize), String> {
    let (mut pass, mut fail) = (0, 0);
    for dir in models(set)? {
        let name = dir
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("?")
            .to_string();
        let outcome = run_model(&dir);
        match outcome {
            Outcome::Pass { .. } => pass += 1,
            Outcome::Fail(_) => fail += 1,
        }
        report(&name, &outcome);
    }
    Ok((pass, fail))
}
