//! `microlite`: run conformance sets, inspect models and plans, run and benchmark models.
//!
//! Exit codes: 0 success, 1 mismatch (conformance failures), 2 usage error or model rejected.

use microlite::{AllOpsResolver, Interpreter, Model};
use microlite_cli::args::Args;
use microlite_cli::npy::{Array, DType};
use microlite_cli::report::{self, Rng};
use microlite_cli::{arena_needed, conform, read_model, Aligned};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

const USAGE: &str = "usage: microlite <command> [options]

commands:
  conform DIR        run every DIR/NAME/model.tflite against its golden cases
  inspect MODEL      list subgraphs, ops, tensors, buffers, metadata, unsupported ops and
                     the resolver the model needs
  plan MODEL         show the arena plan and the memory totals (--svg: draw it)
  run MODEL          invoke once on .npy or random inputs and summarise the outputs
  bench MODEL        time repeated invokes

`microlite <command> --help` describes each command.
exit codes: 0 success, 1 conformance mismatch, 2 usage error or model rejected";

const CONFORM_HELP: &str = "usage: microlite conform DIR

Runs every DIR/NAME/model.tflite against DIR/NAME/case-K/{input,output}-I.npy, comparing
exactly or with the tolerance in DIR/NAME/meta.json (DIR may also be one model's folder). A
streaming case holds case-K/step-S/ folders: the interpreter is reset once, then invoked once
per step in order, every step's outputs compared. Prints PASS/FAIL per model and
`N passed, M failed`. Exit code 1 when any model fails (or none passes).";

const INSPECT_HELP: &str = "usage: microlite inspect MODEL [--json]

Prints the model's subgraphs; its ops (index, name, version, input -> output tensors; ops the
full resolver cannot run are marked UNSUPPORTED); its tensors (index, type, shape, where the
data lives, quantization, name); buffer count and bytes; metadata names; the unsupported ops;
every blocker: each op resolved and prepared as `Interpreter::new` would (types, shapes,
options, quantization), all listed at once (microlite::check_model); and the resolver that
registers exactly the model's ops (`MutableOpResolver::<N>::new()` and its `add_*` calls, as
microlite-build generates). Exits 2 when there is any blocker.

--json  the same as one JSON object on stdout.";

const PLAN_HELP: &str =
    "usage: microlite plan MODEL [--svg FILE] [--target TRIPLE | --pointer-width BITS] [--json]

Plans the model's arena and prints each arena tensor's offset, size and lifetime (first..last
op), then:
  arena_bytes: N        the arena the caller must supply
  state_bytes: M        interpreter state outside the arena (on this host)
When MODEL's directory holds a meta.json with tflm_arena_bytes.total, also:
  tflm_arena_bytes: T
  ratio: (N+M)/T

--svg FILE            also draw the plan into FILE: x = op index, y = offset, one rectangle
                      per tensor over its lifetime
--target TRIPLE       also print the arena and state bytes on that target (its pointer width:
                      thumbv7em-none-eabihf -> 32), as microlite-build sizes them
--pointer-width BITS  the same for a pointer width given directly (16, 32 or 64)
--json                print everything as one JSON object";

const RUN_HELP: &str =
    "usage: microlite run MODEL [--input X.npy]... [--output Y.npy]... [--seed S]

Invokes the model once. The K-th --input fills input K (dtype and element count must match);
inputs not given are random (seeded by --seed, default 0: integers over their full range,
floats in [-1, 1]). The K-th --output path receives output K as .npy. Every output is
summarised: shape, dtype, min/max/mean, argmax (and its dequantized value), first values.";

const BENCH_HELP: &str =
    "usage: microlite bench MODEL [--runs N] [--warmup K] [--input X.npy]... [--seed S] [--profile] [--json]

Times N invokes (default 100) after K warm-up invokes (default 10) on the given or random
inputs and prints median_ms, min_ms, max_ms, mean_ms and arena_bytes. Shows progress on
stderr when it is a terminal and the run takes more than about a second.

--profile  also times every op on its own (Interpreter::invoke_op) and prints, per op and per
           operator type, the median microseconds and the share of the summed medians.
--json     print the results as one JSON object (times in ms, the profile's in us).";

/// A failure with its exit code.
struct Fail {
    code: u8,
    msg: String,
}

fn usage(msg: impl Into<String>, help: &str) -> Fail {
    let first = help.lines().next().unwrap_or("");
    Fail {
        code: 2,
        msg: format!("{}\n{first}", msg.into()),
    }
}

fn rejected(msg: impl std::fmt::Display) -> Fail {
    Fail {
        code: 2,
        msg: msg.to_string(),
    }
}

/// Prints to stdout, ignoring a closed pipe (`microlite inspect m | head`).
fn say(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    if !text.ends_with('\n') {
        let _ = out.write_all(b"\n");
    }
    let _ = out.flush();
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (cmd, rest) = match args.split_first() {
        Some((c, r)) => (c.as_str(), r),
        None => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let result = match cmd {
        "conform" => cmd_conform(rest),
        "inspect" => cmd_inspect(rest),
        "plan" => cmd_plan(rest),
        "run" => cmd_run(rest),
        "bench" => cmd_bench(rest),
        "-h" | "--help" | "help" => match rest.first().map(String::as_str) {
            None => {
                say(USAGE);
                Ok(())
            }
            Some(c) => match help_of(c) {
                Some(h) => {
                    say(h);
                    Ok(())
                }
                None => Err(usage(format!("unknown command {c:?}"), USAGE)),
            },
        },
        other => Err(usage(format!("unknown command {other:?}"), USAGE)),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            if !f.msg.is_empty() {
                eprintln!("microlite: {}", f.msg);
            }
            ExitCode::from(f.code)
        }
    }
}

fn help_of(cmd: &str) -> Option<&'static str> {
    Some(match cmd {
        "conform" => CONFORM_HELP,
        "inspect" => INSPECT_HELP,
        "plan" => PLAN_HELP,
        "run" => RUN_HELP,
        "bench" => BENCH_HELP,
        _ => return None,
    })
}

/// Parses a command's arguments; `Ok(None)` when `--help` was asked for (and printed).
fn parse(
    rest: &[String],
    valued: &[&str],
    help: &str,
    positional: usize,
) -> Result<Option<Args>, Fail> {
    parse_flags(rest, valued, &[], help, positional)
}

fn parse_flags(
    rest: &[String],
    valued: &[&str],
    flags: &[&str],
    help: &str,
    positional: usize,
) -> Result<Option<Args>, Fail> {
    let a = Args::parse_with_flags(rest, valued, flags).map_err(|e| usage(e, help))?;
    if a.help {
        say(help);
        return Ok(None);
    }
    if a.positional.len() != positional {
        let what = if a.positional.len() < positional {
            "missing argument"
        } else {
            "too many arguments"
        };
        return Err(usage(what, help));
    }
    Ok(Some(a))
}

fn cmd_conform(rest: &[String]) -> Result<(), Fail> {
    let Some(a) = parse(rest, &[], CONFORM_HELP, 1)? else {
        return Ok(());
    };
    let dir = Path::new(&a.positional[0]);
    let (pass, fail) = conform::run_set(dir, |name, outcome| say(&conform::line(name, outcome)))
        .map_err(rejected)?;
    say(&format!("{pass} passed, {fail} failed"));
    if fail == 0 && pass > 0 {
        Ok(())
    } else {
        // The summary line says it all; stdout stays exactly as before.
        Err(Fail {
            code: 1,
            msg: String::new(),
        })
    }
}

/// A model file read into aligned memory and verified.
fn load(path: &str) -> Result<Aligned, Fail> {
    let p = Path::new(path);
    if p.is_dir() {
        return Err(rejected(format!(
            "{path}: is a directory, not a model file"
        )));
    }
    let bytes = read_model(p).map_err(rejected)?;
    Model::from_bytes(bytes.as_slice()).map_err(rejected)?;
    Ok(bytes)
}

fn cmd_inspect(rest: &[String]) -> Result<(), Fail> {
    let Some(a) = parse_flags(rest, &[], &["json"], INSPECT_HELP, 1)? else {
        return Ok(());
    };
    let bytes = load(&a.positional[0])?;
    let model = Model::from_bytes(bytes.as_slice()).map_err(rejected)?;
    let resolver = AllOpsResolver::with_all_ops();
    let needs = microlite_build::check(bytes.as_slice()).ok();
    let blockers = if a.flag("json") {
        let (mut v, blockers) = report::inspect_json(&model, &resolver, needs.as_ref());
        v["model"] = serde_json::Value::from(a.positional[0].as_str());
        say(&json_text(&v));
        blockers
    } else {
        say(&format!("model: {}", a.positional[0]));
        let (text, blockers) = report::inspect(&model, &resolver);
        say(&text);
        say(&report::resolver_text(needs.as_ref()));
        blockers
    };
    if blockers > 0 {
        return Err(rejected(format!(
            "{blockers} blocker(s): the model does not run with this build"
        )));
    }
    Ok(())
}

/// Pretty-printed JSON.
fn json_text(v: &serde_json::Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

/// A model with its interpreter in an arena of exactly the size it needs.
struct Loaded {
    bytes: Aligned,
    resolver: AllOpsResolver,
    arena: Aligned,
}

impl Loaded {
    fn new(path: &str) -> Result<Self, Fail> {
        let bytes = load(path)?;
        let resolver = AllOpsResolver::with_all_ops();
        let model = Model::from_bytes(bytes.as_slice()).map_err(rejected)?;
        let needed = arena_needed(model, &resolver).map_err(rejected)?;
        Ok(Loaded {
            bytes,
            resolver,
            arena: Aligned::zeroed(needed),
        })
    }

    fn interpreter(&mut self) -> Result<Interpreter<'_>, Fail> {
        let model = Model::from_bytes(self.bytes.as_slice()).map_err(rejected)?;
        Interpreter::new(model, &self.resolver, self.arena.as_mut_slice()).map_err(rejected)
    }
}

fn cmd_plan(rest: &[String]) -> Result<(), Fail> {
    let valued = ["svg", "target", "pointer-width"];
    let Some(a) = parse_flags(rest, &valued, &["json"], PLAN_HELP, 1)? else {
        return Ok(());
    };
    let target = match (a.all("target").last(), a.all("pointer-width").last()) {
        (Some(_), Some(_)) => {
            return Err(usage(
                "give --target or --pointer-width, not both",
                PLAN_HELP,
            ))
        }
        (Some(t), None) => {
            let bits = microlite_build::pointer_width_of(t).ok_or_else(|| {
                usage(
                    format!("unknown target {t:?}: give --pointer-width instead"),
                    PLAN_HELP,
                )
            })?;
            Some(((*t).to_string(), bits))
        }
        (None, Some(_)) => {
            let bits = a
                .number("pointer-width", 0)
                .map_err(|e| usage(e, PLAN_HELP))?;
            if ![16, 32, 64].contains(&bits) {
                return Err(usage("--pointer-width must be 16, 32 or 64", PLAN_HELP));
            }
            Some((format!("{bits}-bit"), bits as usize))
        }
        (None, None) => None,
    };
    let path = &a.positional[0];
    let mut loaded = Loaded::new(path)?;
    let interp = loaded.interpreter()?;
    let tflm = report::tflm_total(Path::new(path));
    let totals = target
        .as_ref()
        .map(|(name, bits)| (name.as_str(), report::Totals::of(&interp, *bits)));
    if let Some(file) = a.all("svg").last() {
        std::fs::write(file, report::plan_svg(&interp))
            .map_err(|e| rejected(format!("{file}: {e}")))?;
    }
    if a.flag("json") {
        let mut v = report::plan_json(&interp, tflm, totals);
        v["model"] = serde_json::Value::from(path.as_str());
        say(&json_text(&v));
        return Ok(());
    }
    say(&format!("model: {path}"));
    say(&report::plan(&interp, tflm));
    if let Some((name, t)) = totals {
        say(&report::target_text(name, t));
    }
    Ok(())
}

/// Fills the interpreter's inputs from `.npy` files in order, the rest at random.
/// Returns one description line per input.
fn fill_inputs(
    interp: &mut Interpreter<'_>,
    files: &[&str],
    seed: u64,
) -> Result<Vec<String>, Fail> {
    let n = interp.input_count();
    if files.len() > n {
        return Err(rejected(format!(
            "{} --input files given, the model has {n} input(s)",
            files.len()
        )));
    }
    let mut rng = Rng::new(seed);
    let mut lines = Vec::new();
    for i in 0..n {
        let info = interp.input_info(i).map_err(rejected)?;
        let dtype = DType::of(info.ty()).ok_or_else(|| {
            rejected(format!(
                "input {i} has type {}, which the CLI cannot fill",
                info.ty().name()
            ))
        })?;
        let shape: Vec<usize> = info.shape().iter().map(|d| d.max(0) as usize).collect();
        let (array, from) = match files.get(i) {
            Some(f) => {
                let a = Array::read(Path::new(f)).map_err(rejected)?;
                if a.dtype != dtype || a.len() != info.element_count() {
                    return Err(rejected(format!(
                        "{f}: input {i} is {} with {} elements, the model wants {} with {} elements {}",
                        a.dtype.name(),
                        a.len(),
                        dtype.name(),
                        info.element_count(),
                        report::list(&shape)
                    )));
                }
                (a, (*f).to_string())
            }
            None => (
                report::random_array(dtype, shape.clone(), &mut rng),
                format!("random (seed {seed})"),
            ),
        };
        let dst = interp.input_bytes_mut(i).map_err(rejected)?;
        if dst.len() != array.data.len() {
            return Err(rejected(format!("input {i}: size mismatch")));
        }
        dst.copy_from_slice(&array.data);
        lines.push(format!(
            "input {i}: {} {} {} from {from}",
            info.name(),
            dtype.name(),
            report::list(&shape)
        ));
    }
    Ok(lines)
}

fn cmd_run(rest: &[String]) -> Result<(), Fail> {
    let Some(a) = parse(rest, &["input", "output", "seed"], RUN_HELP, 1)? else {
        return Ok(());
    };
    let seed = a.number("seed", 0).map_err(|e| usage(e, RUN_HELP))?;
    let path = &a.positional[0];
    let outputs: Vec<PathBuf> = a.all("output").iter().map(PathBuf::from).collect();
    let mut loaded = Loaded::new(path)?;
    let mut interp = loaded.interpreter()?;
    if outputs.len() > interp.output_count() {
        return Err(rejected(format!(
            "{} --output paths given, the model has {} output(s)",
            outputs.len(),
            interp.output_count()
        )));
    }
    let mut text = format!("model: {path}\n");
    for l in fill_inputs(&mut interp, &a.all("input"), seed)? {
        text.push_str(&l);
        text.push('\n');
    }
    let t0 = Instant::now();
    interp.invoke().map_err(rejected)?;
    let ms = t0.elapsed().as_secs_f64() * 1e3;
    text.push_str(&format!("invoke_ms: {ms:.3}\n"));
    for j in 0..interp.output_count() {
        let info = interp.output_info(j).map_err(rejected)?;
        let dtype = DType::of(info.ty())
            .ok_or_else(|| rejected(format!("output {j} has type {}", info.ty().name())))?;
        let array = Array {
            dtype,
            shape: info.shape().iter().map(|d| d.max(0) as usize).collect(),
            data: interp.output_bytes(j).map_err(rejected)?.to_vec(),
        };
        text.push_str(&report::output_text(
            j,
            info.name(),
            &array,
            info.quant(),
            8,
        ));
        if let Some(p) = outputs.get(j) {
            std::fs::write(p, array.to_bytes())
                .map_err(|e| rejected(format!("{}: {e}", p.display())))?;
            text.push_str(&format!("  written to {}\n", p.display()));
        }
    }
    say(&text);
    Ok(())
}

fn cmd_bench(rest: &[String]) -> Result<(), Fail> {
    let valued = ["runs", "warmup", "input", "seed"];
    let Some(a) = parse_flags(rest, &valued, &["profile", "json"], BENCH_HELP, 1)? else {
        return Ok(());
    };
    let runs = a.number("runs", 100).map_err(|e| usage(e, BENCH_HELP))?;
    let warmup = a.number("warmup", 10).map_err(|e| usage(e, BENCH_HELP))?;
    let seed = a.number("seed", 0).map_err(|e| usage(e, BENCH_HELP))?;
    if runs == 0 {
        return Err(usage("--runs must be at least 1", BENCH_HELP));
    }
    let runs = usize::try_from(runs).map_err(|_| usage("--runs is too large", BENCH_HELP))?;
    if runs > 100_000_000 {
        return Err(usage("--runs is too large (at most 100000000)", BENCH_HELP));
    }
    let path = &a.positional[0];
    let mut loaded = Loaded::new(path)?;
    let mut interp = loaded.interpreter()?;
    let arena = interp.arena_used_bytes();
    fill_inputs(&mut interp, &a.all("input"), seed)?;
    for _ in 0..warmup {
        interp.invoke().map_err(rejected)?;
    }
    let tty = std::io::stderr().is_terminal();
    let mut progress = Progress::new(tty, runs);
    let mut ms = Vec::with_capacity(runs);
    for i in 0..runs {
        let t0 = Instant::now();
        interp.invoke().map_err(rejected)?;
        ms.push(t0.elapsed().as_secs_f64() * 1e3);
        progress.tick(i + 1);
    }
    progress.finish();
    let l = report::latency(&ms).ok_or_else(|| rejected("no runs"))?;
    if a.flag("json") {
        let mut v = serde_json::json!({
            "model": path,
            "runs": runs,
            "warmup": warmup,
            "median_ms": l.median,
            "min_ms": l.min,
            "max_ms": l.max,
            "mean_ms": l.mean,
            "arena_bytes": arena,
        });
        if a.flag("profile") {
            let ops = profile_medians(&mut interp, runs)?;
            v["profile"] = ops
                .iter()
                .enumerate()
                .map(|(i, (name, us))| serde_json::json!({"op": i, "type": name, "median_us": us}))
                .collect();
        }
        say(&json_text(&v));
        return Ok(());
    }
    say(&format!(
        "model: {path}\nruns: {runs}\nwarmup: {warmup}\nmedian_ms: {:.4}\nmin_ms: {:.4}\nmax_ms: {:.4}\nmean_ms: {:.4}\narena_bytes: {arena}",
        l.median, l.min, l.max, l.mean
    ));
    if a.flag("profile") {
        profile(&mut interp, runs)?;
    }
    Ok(())
}

/// Times each op on its own over `runs` invokes: each op's type name and median microseconds.
fn profile_medians(interp: &mut Interpreter<'_>, runs: usize) -> Result<Vec<(String, f64)>, Fail> {
    let n = interp.op_count();
    let mut us = vec![Vec::with_capacity(runs); n];
    for _ in 0..runs {
        for (i, t) in us.iter_mut().enumerate() {
            let t0 = Instant::now();
            interp.invoke_op(i).map_err(rejected)?;
            t.push(t0.elapsed().as_secs_f64() * 1e6);
        }
    }
    let names: Vec<String> = (0..n)
        .map(|i| match interp.op_builtin(i).and_then(|b| b.name()) {
            Some(name) => name.to_string(),
            None => format!("OP_{i}"),
        })
        .collect();
    let medians = us
        .iter()
        .map(|t| report::latency(t).map_or(0.0, |l| l.median));
    Ok(names.into_iter().zip(medians).collect())
}

/// Times each op on its own over `runs` invokes and prints the per-op and per-type table.
fn profile(interp: &mut Interpreter<'_>, runs: usize) -> Result<(), Fail> {
    let ops = profile_medians(interp, runs)?;
    let n = ops.len();
    let (names, medians): (Vec<String>, Vec<f64>) = ops.into_iter().unzip();
    let total: f64 = medians.iter().sum::<f64>().max(f64::MIN_POSITIVE);
    say(&format!("profile: {n} ops, summed medians {total:.1} us\n op  type                       median_us  share"));
    for (i, (name, m)) in names.iter().zip(&medians).enumerate() {
        say(&format!(
            "{i:>3}  {name:<26} {m:>9.2}  {:>4.1}%",
            100.0 * m / total
        ));
    }
    let mut by_type: Vec<(String, f64, usize)> = Vec::new();
    for (name, &m) in names.iter().zip(&medians) {
        match by_type.iter_mut().find(|e| &e.0 == name) {
            Some(e) => {
                e.1 += m;
                e.2 += 1;
            }
            None => by_type.push((name.clone(), m, 1)),
        }
    }
    by_type.sort_by(|a, b| b.1.total_cmp(&a.1));
    say("by type:                        median_us  share  ops");
    for (name, m, count) in by_type {
        say(&format!(
            "     {name:<26} {m:>9.2}  {:>4.1}%  {count:>3}",
            100.0 * m / total
        ));
    }
    Ok(())
}

/// A one-line progress indicator on stderr: only on a terminal, only when the whole run is
/// expected to exceed a second, and at most ten updates a second.
struct Progress {
    on: bool,
    runs: usize,
    start: Instant,
    last: Option<Instant>,
    shown: bool,
}

impl Progress {
    fn new(on: bool, runs: usize) -> Self {
        Progress {
            on,
            runs,
            start: Instant::now(),
            last: None,
            shown: false,
        }
    }

    fn tick(&mut self, done: usize) {
        if !self.on {
            return;
        }
        let now = Instant::now();
        let since = now.duration_since(self.last.unwrap_or(self.start));
        if since < Duration::from_millis(100) {
            return;
        }
        let elapsed = now.duration_since(self.start).as_secs_f64();
        let expected = elapsed / done as f64 * self.runs as f64;
        if expected <= 1.0 {
            return;
        }
        self.last = Some(now);
        self.shown = true;
        let mut e = std::io::stderr().lock();
        let _ = write!(
            e,
            "\rbench: {done}/{} runs, {:.1}s left   ",
            self.runs,
            (expected - elapsed).max(0.0)
        );
        let _ = e.flush();
    }

    fn finish(&mut self) {
        if self.shown {
            let mut e = std::io::stderr().lock();
            let _ = write!(e, "\r{:60}\r", "");
            let _ = e.flush();
        }
    }
}
