//! tract-bench: time the tract inference engine (tract-tflite) on a .tflite model.
//!
//! Usage: tract-bench MODEL.tflite [--input X.npy] [--runs N] [--warmup K] [--check GOLDEN.npy]
//!
//! Prints `median_ms`, `min_ms`, `mean_ms` (per `run` call, 4 decimals) and, with `--check`,
//! `max_abs_diff` between output 0 and the golden array. Exit 2 when tract cannot load or run
//! the model (one line on stderr), 1 on a usage or file error.

use std::process::exit;
use std::time::Instant;

use tract_tflite::prelude::*;

/// What the command line asked for.
struct Args {
    model: String,
    input: Option<String>,
    check: Option<String>,
    runs: usize,
    warmup: usize,
}

const USAGE: &str =
    "usage: tract-bench MODEL.tflite [--input X.npy] [--runs N] [--warmup K] [--check GOLDEN.npy]";

fn usage_error(msg: &str) -> ! {
    eprintln!("tract-bench: {msg}\n{USAGE}");
    exit(1)
}

fn parse_args() -> Args {
    let mut model = None;
    let mut input = None;
    let mut check = None;
    let mut runs = 100usize;
    let mut warmup = 10usize;
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = |flag: &str| {
            it.next()
                .unwrap_or_else(|| usage_error(&format!("{flag} needs a value")))
        };
        match a.as_str() {
            "--input" => input = Some(value("--input")),
            "--check" => check = Some(value("--check")),
            "--runs" => {
                runs = value("--runs")
                    .parse()
                    .unwrap_or_else(|_| usage_error("--runs takes a number"))
            }
            "--warmup" => {
                warmup = value("--warmup")
                    .parse()
                    .unwrap_or_else(|_| usage_error("--warmup takes a number"))
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                exit(0)
            }
            s if s.starts_with('-') => usage_error(&format!("unknown option {s}")),
            s => {
                if model.replace(s.to_string()).is_some() {
                    usage_error("more than one model given")
                }
            }
        }
    }
    let model = model.unwrap_or_else(|| usage_error("no model given"));
    if runs == 0 {
        usage_error("--runs must be at least 1")
    }
    Args {
        model,
        input,
        check,
        runs,
        warmup,
    }
}

/// Element types this tool reads from and compares against .npy files.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    I8,
    U8,
    I32,
    F32,
}

impl Kind {
    fn size(self) -> usize {
        match self {
            Kind::I8 | Kind::U8 => 1,
            Kind::I32 | Kind::F32 => 4,
        }
    }

    fn is_integer(self) -> bool {
        self != Kind::F32
    }

    /// The kind of a tract datum type, quantized or not.
    fn of_datum(dt: DatumType) -> Option<Kind> {
        match dt.unquantized() {
            DatumType::I8 => Some(Kind::I8),
            DatumType::U8 => Some(Kind::U8),
            DatumType::I32 => Some(Kind::I32),
            DatumType::F32 => Some(Kind::F32),
            _ => None,
        }
    }

    /// One element (little-endian bytes) as f64.
    fn value(self, b: &[u8]) -> f64 {
        match self {
            Kind::I8 => b[0] as i8 as f64,
            Kind::U8 => b[0] as f64,
            Kind::I32 => i32::from_le_bytes([b[0], b[1], b[2], b[3]]) as f64,
            Kind::F32 => f32::from_le_bytes([b[0], b[1], b[2], b[3]]) as f64,
        }
    }
}

/// A C-order array read from a .npy file: shape, element kind and raw little-endian bytes.
struct Npy {
    shape: Vec<usize>,
    kind: Kind,
    data: Vec<u8>,
}

/// The text between the quotes (or parentheses) after `key` in a .npy header dict.
fn header_field<'a>(header: &'a str, key: &str) -> Result<&'a str, String> {
    let at = header
        .find(&format!("'{key}'"))
        .ok_or(format!("no '{key}' in npy header"))?;
    let rest = header[at + key.len() + 2..]
        .trim_start()
        .strip_prefix(':')
        .ok_or("malformed npy header")?;
    let rest = rest.trim_start();
    let (open, close) = match rest.chars().next() {
        Some('\'') => ('\'', '\''),
        Some('(') => ('(', ')'),
        _ => {
            // A bare word (True/False).
            let end = rest.find([',', '}']).unwrap_or(rest.len());
            return Ok(rest[..end].trim());
        }
    };
    let body = &rest[open.len_utf8()..];
    let end = body.find(close).ok_or("malformed npy header")?;
    Ok(&body[..end])
}

fn read_npy(path: &str) -> Result<Npy, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    if bytes.len() < 10 || &bytes[..6] != b"\x93NUMPY" {
        return Err(format!("{path}: not a .npy file"));
    }
    let (header_len, start) = match bytes[6] {
        1 => (u16::from_le_bytes([bytes[8], bytes[9]]) as usize, 10),
        2 | 3 if bytes.len() >= 12 => (
            u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize,
            12,
        ),
        v => return Err(format!("{path}: unsupported npy version {v}")),
    };
    let header = bytes
        .get(start..start + header_len)
        .and_then(|h| std::str::from_utf8(h).ok())
        .ok_or(format!("{path}: bad npy header"))?;
    let kind = match header_field(header, "descr")? {
        "|i1" | "<i1" => Kind::I8,
        "|u1" | "<u1" => Kind::U8,
        "<i4" => Kind::I32,
        "<f4" => Kind::F32,
        d => {
            return Err(format!(
                "{path}: unsupported npy dtype {d} (want |i1, |u1, <i4 or <f4)"
            ))
        }
    };
    if header_field(header, "fortran_order")? != "False" {
        return Err(format!("{path}: Fortran-order npy is not supported"));
    }
    let shape = header_field(header, "shape")?
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<usize>()
                .map_err(|_| format!("{path}: bad shape entry {s}"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let data = bytes[start + header_len..].to_vec();
    let want = shape.iter().product::<usize>() * kind.size();
    if data.len() != want {
        return Err(format!(
            "{path}: {} data bytes, shape {shape:?} needs {want}",
            data.len()
        ));
    }
    Ok(Npy { shape, kind, data })
}

/// tract failed on the model: one line on stderr, exit 2.
fn tract_error(what: &str, e: TractError) -> ! {
    // The root cause is usually the informative part (an unsupported operator, a shape error).
    let chain: Vec<String> = e
        .chain()
        .map(|c| c.to_string().replace('\n', " "))
        .collect();
    let mut msg = chain.first().cloned().unwrap_or_default();
    if let Some(root) = chain.last().filter(|_| chain.len() > 1) {
        msg = format!("{msg}: {root}");
    }
    if msg.len() > 400 {
        let mut cut = 400;
        while !msg.is_char_boundary(cut) {
            cut -= 1;
        }
        msg.truncate(cut);
        msg.push_str("...");
    }
    eprintln!("tract-bench: tract cannot {what}: {msg}");
    exit(2)
}

fn file_error(msg: String) -> ! {
    eprintln!("tract-bench: {msg}");
    exit(1)
}

fn main() {
    let args = parse_args();

    let model = tract_tflite::tflite()
        .model_for_path(&args.model)
        .unwrap_or_else(|e| tract_error(&format!("load {}", args.model), e));
    let fact = model
        .input_fact(0)
        .cloned()
        .unwrap_or_else(|e| tract_error("find the model's input", e));
    let dt = fact.datum_type;
    let shape: Vec<usize> = match fact.shape.as_concrete() {
        Some(s) => s.to_vec(),
        None => {
            eprintln!(
                "tract-bench: tract cannot fix the input shape: {:?} is not concrete",
                fact.shape
            );
            exit(2)
        }
    };
    let plan = model
        .into_optimized()
        .and_then(|m| m.into_runnable())
        .unwrap_or_else(|e| tract_error("optimize the model", e));

    // Input: the .npy bytes laid into a tensor of the model's (possibly quantized) type.
    let mut input =
        Tensor::zero_dt(dt, &shape).unwrap_or_else(|e| tract_error("make the input tensor", e));
    if dt.is_quantized() {
        // zero_dt fills with the zero point; "zeros" here means integer 0 as for the other engines.
        input.as_bytes_mut().fill(0);
    }
    if let Some(path) = &args.input {
        let npy = read_npy(path).unwrap_or_else(|e| file_error(e));
        let want = Kind::of_datum(dt);
        if want != Some(npy.kind) {
            file_error(format!(
                "{path}: {:?} data, the model's input is {dt:?}",
                npy.kind
            ));
        }
        if npy.shape.iter().product::<usize>() != shape.iter().product::<usize>() {
            file_error(format!(
                "{path}: shape {:?}, the model's input is {shape:?}",
                npy.shape
            ));
        }
        input.as_bytes_mut().copy_from_slice(&npy.data);
    }
    let input = input.into_tvalue();

    let mut state = plan
        .spawn()
        .unwrap_or_else(|e| tract_error("prepare a run", e));
    let mut outputs = TVec::new();
    for _ in 0..args.warmup {
        outputs = state
            .run(tvec![input.clone()])
            .unwrap_or_else(|e| tract_error("run the model", e));
    }
    let mut times = Vec::with_capacity(args.runs);
    for _ in 0..args.runs {
        let inputs = tvec![input.clone()];
        let t0 = Instant::now();
        let out = state.run(inputs);
        let dt = t0.elapsed();
        outputs = out.unwrap_or_else(|e| tract_error("run the model", e));
        times.push(dt.as_secs_f64() * 1e3);
    }
    times.sort_by(|a, b| a.total_cmp(b));
    let n = times.len();
    let median = if n % 2 == 1 {
        times[n / 2]
    } else {
        (times[n / 2 - 1] + times[n / 2]) / 2.0
    };
    let mean = times.iter().sum::<f64>() / n as f64;
    println!("median_ms: {median:.4}");
    println!("min_ms: {:.4}", times[0]);
    println!("mean_ms: {mean:.4}");

    if let Some(path) = &args.check {
        check(path, &outputs);
    }
}

/// Print `max_abs_diff` between output 0 and the golden .npy; problems are reported on stderr
/// (with `max_abs_diff: nan`) and never change the exit status.
fn check(path: &str, outputs: &TVec<TValue>) {
    let golden = match read_npy(path) {
        Ok(g) => g,
        Err(e) => {
            eprintln!("tract-bench: check: {e}");
            println!("max_abs_diff: nan");
            return;
        }
    };
    let Some(out) = outputs.first() else {
        eprintln!("tract-bench: check: the model produced no output");
        println!("max_abs_diff: nan");
        return;
    };
    let dt = out.datum_type();
    let Some(kind) = Kind::of_datum(dt) else {
        eprintln!("tract-bench: check: output type {dt:?} is not supported");
        println!("max_abs_diff: nan");
        return;
    };
    if out.len() != golden.shape.iter().product::<usize>() {
        eprintln!(
            "tract-bench: check: output shape {:?}, golden shape {:?}",
            out.shape(),
            golden.shape
        );
        println!("max_abs_diff: nan");
        return;
    }
    if kind != golden.kind {
        eprintln!(
            "tract-bench: check: output is {dt:?}, golden is {:?}; comparing values",
            golden.kind
        );
    }
    let got = out
        .as_bytes()
        .chunks_exact(kind.size())
        .map(|b| kind.value(b));
    let want = golden
        .data
        .chunks_exact(golden.kind.size())
        .map(|b| golden.kind.value(b));
    let diff = got
        .zip(want)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0f64, |m, d| if d.is_nan() || d > m { d } else { m });
    if kind.is_integer() && golden.kind.is_integer() {
        println!("max_abs_diff: {diff:.0}");
    } else {
        println!("max_abs_diff: {diff:e}");
    }
}
