//! The text the `inspect`, `plan`, `run` and `bench` commands print, built as strings so the
//! tests can check them without a process.

use crate::npy::{Array, DType};
use microlite::{
    check_model, Blocker, BuiltinOperator, Interpreter, Model, OpResolver, OperatorCode,
    QuantParams, SubGraph, Tensor,
};
use std::fmt::Write;

/// `[1, 25, 10, 1]`.
pub fn list<T: std::fmt::Display>(items: impl IntoIterator<Item = T>) -> String {
    let v: Vec<String> = items.into_iter().map(|x| x.to_string()).collect();
    format!("[{}]", v.join(", "))
}

/// The display name of an operator code: `CONV_2D`, `CUSTOM(name)` or `OP_<code>`.
pub fn op_name(code: &OperatorCode<'_>) -> String {
    if code.builtin == BuiltinOperator::CUSTOM {
        return format!("CUSTOM({})", code.custom_code.unwrap_or("?"));
    }
    match code.builtin.name() {
        Some(n) => n.to_string(),
        None => format!("OP_{}", code.builtin.0),
    }
}

/// A tensor's quantization: `-`, `scale S zero_point Z` or `per-channel (N) on dim D`.
pub fn quant_text(t: &Tensor<'_>) -> String {
    match t.quantization() {
        None => "-".into(),
        Some(q) if q.len() == 1 => format!("scale {} zero_point {}", q.scale(0), q.zero_point(0)),
        Some(q) => {
            // Rank-1 tensors (biases) carry one scale per element whatever the field says.
            let dim = if t.shape().len() == 1 {
                0
            } else {
                q.quantized_dimension()
            };
            format!("per-channel ({}) on dim {dim}", q.len())
        }
    }
}

fn subgraph_text(
    out: &mut String,
    model: &Model<'_>,
    _resolver: &dyn OpResolver,
    blockers: &[Blocker],
    s: usize,
) {
    let Some(sg) = model.subgraph(s) else {
        let _ = writeln!(out, "subgraph {s}: unreadable");
        return;
    };
    let _ = writeln!(
        out,
        "subgraph {s} {:?}: {} tensors, {} ops, inputs {}, outputs {}",
        sg.name(),
        sg.tensor_count(),
        sg.operator_count(),
        list(sg.inputs().iter()),
        list(sg.outputs().iter())
    );
    let _ = writeln!(out, "ops:");
    let ops: Vec<(String, String, bool)> = (0..sg.operator_count())
        .filter_map(|i| sg.operator(i).map(|op| (i, op)))
        .map(|(i, op)| {
            let code = model.operator_code(op.opcode_index() as usize);
            let io = format!(
                "{} -> {}",
                list(op.inputs().iter()),
                list(op.outputs().iter())
            );
            // Blockers name global ops: the subgraphs' ops one after another.
            let first: usize = (0..s)
                .filter_map(|k| model.subgraph(k))
                .map(|g| g.operator_count())
                .sum();
            let supported = !blockers.iter().any(|b| b.op as usize == first + i);
            (
                format!("{} v{}", op_name(&code), code.version),
                io,
                supported,
            )
        })
        .collect();
    let w = ops.iter().map(|o| o.0.len()).max().unwrap_or(0);
    for (i, (name, io, supported)) in ops.iter().enumerate() {
        let flag = if *supported { "" } else { "  UNSUPPORTED" };
        let _ = writeln!(out, "  {i:>4}  {name:<w$}  {io}{flag}");
    }
    let _ = writeln!(out, "tensors:");
    let rows: Vec<[String; 5]> = (0..sg.tensor_count())
        .map(|i| match sg.tensor(i) {
            Some(t) => tensor_row(&t),
            None => ["?".into(), "?".into(), "?".into(), "?".into(), "?".into()],
        })
        .collect();
    let width = |k: usize| rows.iter().map(|r| r[k].len()).max().unwrap_or(0);
    let (w0, w1, w2, w3) = (width(0), width(1), width(2), width(3));
    for (i, r) in rows.iter().enumerate() {
        let _ = writeln!(
            out,
            "  {i:>4}  {:<w0$}  {:<w1$}  {:<w2$}  {:<w3$}  {}",
            r[0], r[1], r[2], r[3], r[4]
        );
    }
}

/// `[type, shape, data, quantization, name]` for the tensor table.
fn tensor_row(t: &Tensor<'_>) -> [String; 5] {
    let data = match t.data() {
        Some(d) => format!("const {}B", d.len()),
        None if t.is_variable() => "variable".into(),
        None => "arena".into(),
    };
    [
        t.ty().name().into(),
        list(t.shape().iter()),
        data,
        quant_text(t),
        t.name().into(),
    ]
}

/// The `inspect` report: subgraphs, ops, tensors, buffers, metadata, unsupported ops and every
/// blocker [`microlite::check_model`] finds (the same resolve and prepare `Interpreter::new`
/// runs), with how many blockers there are: 0 when the model runs with `resolver`.
pub fn inspect(model: &Model<'_>, resolver: &dyn OpResolver) -> (String, usize) {
    let mut blockers = Vec::new();
    let mut scratch = crate::Aligned::zeroed(crate::MEASURE_BYTES);
    check_model(*model, resolver, scratch.as_mut_slice(), |b| {
        blockers.push(b)
    });
    let mut out = String::new();
    let _ = writeln!(out, "bytes: {}", model.bytes().len());
    let _ = writeln!(out, "schema_version: {}", model.version());
    let _ = writeln!(out, "description: {:?}", model.description());
    let _ = writeln!(out, "subgraphs: {}", model.subgraph_count());
    for s in 0..model.subgraph_count() {
        subgraph_text(&mut out, model, resolver, &blockers, s);
    }
    let total: usize = (0..model.buffer_count())
        .map(|b| model.buffer(b).len())
        .sum();
    let _ = writeln!(out, "buffers: {} ({total} bytes)", model.buffer_count());
    let names: Vec<&str> = (0..model.metadata_count())
        .filter_map(|i| model.metadata(i))
        .map(|(n, _)| n)
        .collect();
    let _ = writeln!(
        out,
        "metadata: {}",
        if names.is_empty() {
            "none".into()
        } else {
            names.join(", ")
        }
    );
    let missing = missing_ops(model, resolver);
    let _ = writeln!(
        out,
        "unsupported_ops: {}",
        if missing.is_empty() {
            "none".into()
        } else {
            missing.join(", ")
        }
    );
    let _ = writeln!(
        out,
        "blockers: {}",
        if blockers.is_empty() {
            "none: the model runs with this resolver".to_string()
        } else {
            blockers.len().to_string()
        }
    );
    for b in &blockers {
        let name = global_op(model, b.op as usize)
            .map(|op| op_name(&model.operator_code(op.opcode_index() as usize)));
        let _ = match name {
            Some(n) => writeln!(out, "  op {} {n}: {}", b.op, b.error),
            None => writeln!(out, "  model: {}", b.error),
        };
    }
    (out, blockers.len())
}

/// Op `g` of the model, counting the subgraphs' ops one after another (as blockers do).
fn global_op<'m>(model: &Model<'m>, mut g: usize) -> Option<microlite::Operator<'m>> {
    for s in 0..model.subgraph_count() {
        let sg = model.subgraph(s)?;
        if g < sg.operator_count() {
            return sg.operator(g);
        }
        g -= sg.operator_count();
    }
    None
}

fn uses(sg: &SubGraph<'_>, opcode: usize) -> bool {
    (0..sg.operator_count())
        .filter_map(|i| sg.operator(i))
        .any(|op| op.opcode_index() as usize == opcode)
}

/// The `plan` report: each arena tensor's offset, size and lifetime, then the totals.
pub fn plan(interp: &Interpreter<'_>, tflm_total: Option<u64>) -> String {
    let model = interp.model();
    let sg = model.main_subgraph();
    let ops = sg.operator_count();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "arena plan: {} ops, {} tensors (last op {ops} = kept to the end)",
        ops,
        sg.tensor_count()
    );
    let _ = writeln!(
        out,
        "  {:>6}  {:>9}  {:>9}  {:>11}  name",
        "tensor", "offset", "size", "lifetime"
    );
    let mut planned = 0;
    for t in 0..sg.tensor_count() {
        let Some(a) = interp.allocation(t) else {
            continue;
        };
        planned += 1;
        let name = sg.tensor(t).map(|x| x.name()).unwrap_or("?");
        let life = format!("{}..{}", a.first_op, a.last_op);
        let _ = writeln!(
            out,
            "  {t:>6}  {:>9}  {:>9}  {life:>11}  {name}",
            a.offset, a.size
        );
    }
    let _ = writeln!(out, "planned_tensors: {planned}");
    let arena = interp.arena_used_bytes();
    let state = Interpreter::state_bytes();
    let _ = writeln!(out, "head_bytes: {}", interp.head_bytes());
    let _ = writeln!(out, "tail_bytes: {}", interp.tail_bytes());
    let _ = writeln!(out, "arena_bytes: {arena}");
    let _ = writeln!(out, "state_bytes: {state}");
    let _ = writeln!(
        out,
        "state_bytes_32bit: {} (on a 32-bit microcontroller)",
        Interpreter::state_bytes_for(4)
    );
    if let Some(t) = tflm_total {
        let _ = writeln!(out, "tflm_arena_bytes: {t}");
        if t > 0 {
            let _ = writeln!(out, "ratio: {:.3}", (arena + state) as f64 / t as f64);
        }
    }
    out
}

/// `tflm_arena_bytes.total` from the `meta.json` beside a model file, if any.
pub fn tflm_total(model_path: &std::path::Path) -> Option<u64> {
    let dir = model_path.parent()?;
    let meta = crate::conform::meta(if dir.as_os_str().is_empty() {
        std::path::Path::new(".")
    } else {
        dir
    })?;
    meta.get("tflm_arena_bytes")?.get("total")?.as_u64()
}

/// The `resolver:` section of `inspect`: the statements that register exactly the model's
/// ops, as `microlite-build` generates them (`None`: the model has blockers).
pub fn resolver_text(needs: Option<&microlite_build::Needs>) -> String {
    let Some(needs) = needs else {
        return "resolver: none (the model has blockers)\n".into();
    };
    let mut out =
        String::from("resolver: (the ops this model uses; microlite-build generates the same)\n");
    for line in needs.resolver_lines() {
        let _ = writeln!(out, "  {line}");
    }
    out
}

/// `inspect --json`: the same facts as [`inspect`] as one JSON object, with the blocker count.
pub fn inspect_json(
    model: &Model<'_>,
    resolver: &dyn OpResolver,
    needs: Option<&microlite_build::Needs>,
) -> (serde_json::Value, usize) {
    use serde_json::json;
    let mut blockers = Vec::new();
    let mut scratch = crate::Aligned::zeroed(crate::MEASURE_BYTES);
    check_model(*model, resolver, scratch.as_mut_slice(), |b| {
        blockers.push(b)
    });
    let mut subgraphs = Vec::new();
    for s in 0..model.subgraph_count() {
        let Some(sg) = model.subgraph(s) else {
            subgraphs.push(serde_json::Value::Null);
            continue;
        };
        let ops: Vec<serde_json::Value> = (0..sg.operator_count())
            .filter_map(|i| sg.operator(i).map(|op| (i, op)))
            .map(|(i, op)| {
                let code = model.operator_code(op.opcode_index() as usize);
                let supported = if s == 0 {
                    !blockers.iter().any(|b| b.op == i as u32)
                } else {
                    has_kernel(resolver, &code)
                };
                json!({
                    "index": i,
                    "op": op_name(&code),
                    "version": code.version,
                    "inputs": op.inputs().iter().collect::<Vec<_>>(),
                    "outputs": op.outputs().iter().collect::<Vec<_>>(),
                    "supported": supported,
                })
            })
            .collect();
        let tensors: Vec<serde_json::Value> = (0..sg.tensor_count())
            .map(|i| match sg.tensor(i) {
                Some(t) => {
                    let [ty, _, data, quant, name] = tensor_row(&t);
                    json!({
                        "index": i,
                        "type": ty,
                        "shape": t.shape().iter().collect::<Vec<_>>(),
                        "data": data,
                        "quantization": quant,
                        "name": name,
                    })
                }
                None => serde_json::Value::Null,
            })
            .collect();
        subgraphs.push(json!({
            "index": s,
            "name": sg.name(),
            "inputs": sg.inputs().iter().collect::<Vec<_>>(),
            "outputs": sg.outputs().iter().collect::<Vec<_>>(),
            "ops": ops,
            "tensors": tensors,
        }));
    }
    let buffer_bytes: usize = (0..model.buffer_count())
        .map(|b| model.buffer(b).len())
        .sum();
    let metadata: Vec<&str> = (0..model.metadata_count())
        .filter_map(|i| model.metadata(i))
        .map(|(n, _)| n)
        .collect();
    let sg = model.main_subgraph();
    let blocker_list: Vec<serde_json::Value> = blockers
        .iter()
        .map(|b| {
            let name = sg
                .operator(b.op as usize)
                .map(|op| op_name(&model.operator_code(op.opcode_index() as usize)));
            json!({
                "op": sg.operator(b.op as usize).map(|_| b.op),
                "name": name,
                "error": b.error.to_string(),
            })
        })
        .collect();
    let resolver_json = needs.map(|n| {
        json!({
            "capacity": n.capacity(),
            "adders": n.adders,
            "rust": n.resolver_lines(),
        })
    });
    let v = json!({
        "bytes": model.bytes().len(),
        "schema_version": model.version(),
        "description": model.description(),
        "subgraphs": subgraphs,
        "buffers": model.buffer_count(),
        "buffer_bytes": buffer_bytes,
        "metadata": metadata,
        "unsupported_ops": missing_ops(model, resolver),
        "blockers": blocker_list,
        "resolver": resolver_json,
    });
    (v, blockers.len())
}

/// Whether `resolver` has a kernel for `code` (a custom op by its name).
fn has_kernel(resolver: &dyn OpResolver, code: &OperatorCode<'_>) -> bool {
    match code.custom_code {
        Some(name) if code.builtin == BuiltinOperator::CUSTOM => {
            resolver.find_custom(name).is_some()
        }
        _ => resolver.find(code.builtin, code.version).is_some(),
    }
}

/// The operator codes the main graph uses that `resolver` has no kernel for (`CONV_2D v3`;
/// a custom op by its name).
fn missing_ops(model: &Model<'_>, resolver: &dyn OpResolver) -> Vec<String> {
    let mut missing: Vec<String> = Vec::new();
    for i in 0..model.operator_code_count() {
        let code = model.operator_code(i);
        let used = (0..model.subgraph_count())
            .filter_map(|s| model.subgraph(s))
            .any(|sg| uses(&sg, i));
        if used && !has_kernel(resolver, &code) {
            let n = format!("{} v{}", op_name(&code), code.version);
            if !missing.contains(&n) {
                missing.push(n);
            }
        }
    }
    missing
}

/// Memory totals for a target with `pointer_bytes`-wide pointers (`plan --target`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Totals {
    /// Pointer width in bits.
    pub pointer_bits: usize,
    /// The arena the caller supplies (the host's plan: the same on the target with the
    /// default kernels).
    pub arena_bytes: usize,
    /// The interpreter's state outside the arena on that target.
    pub state_bytes: usize,
}

impl Totals {
    /// The totals of `interp`'s plan for a target with `pointer_bits`-wide pointers.
    pub fn of(interp: &Interpreter<'_>, pointer_bits: usize) -> Self {
        Totals {
            pointer_bits,
            arena_bytes: interp.arena_used_bytes(),
            state_bytes: microlite_build::Needs::state_bytes(pointer_bits / 8),
        }
    }
}

/// `plan --json`: every planned tensor and the totals (for `target`, when given).
pub fn plan_json(
    interp: &Interpreter<'_>,
    tflm_total: Option<u64>,
    target: Option<(&str, Totals)>,
) -> serde_json::Value {
    use serde_json::json;
    let sg = interp.model().main_subgraph();
    let tensors: Vec<serde_json::Value> = (0..sg.tensor_count())
        .filter_map(|t| interp.allocation(t).map(|a| (t, a)))
        .map(|(t, a)| {
            json!({
                "tensor": t,
                "offset": a.offset,
                "size": a.size,
                "first_op": a.first_op,
                "last_op": a.last_op,
                "name": sg.tensor(t).map(|x| x.name()).unwrap_or("?"),
            })
        })
        .collect();
    let arena = interp.arena_used_bytes();
    let state = Interpreter::state_bytes();
    let mut v = json!({
        "ops": sg.operator_count(),
        "tensors": tensors,
        "head_bytes": interp.head_bytes(),
        "tail_bytes": interp.tail_bytes(),
        "arena_bytes": arena,
        "state_bytes": state,
        "state_bytes_32bit": Interpreter::state_bytes_for(4),
        "tflm_arena_bytes": tflm_total,
        "ratio": tflm_total.filter(|&t| t > 0).map(|t| (arena + state) as f64 / t as f64),
    });
    if let Some((name, t)) = target {
        v["target"] = json!({
            "name": name,
            "pointer_width": t.pointer_bits,
            "arena_bytes": t.arena_bytes,
            "state_bytes": t.state_bytes,
        });
    }
    v
}

/// The `plan --target` lines.
pub fn target_text(name: &str, t: Totals) -> String {
    format!(
        "target: {name} ({}-bit pointers)\ntarget_arena_bytes: {}\ntarget_state_bytes: {}\n",
        t.pointer_bits, t.arena_bytes, t.state_bytes
    )
}

/// Escapes `&`, `<`, `>`, `"` and `'` for SVG text and attributes.
fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && c != '\t' && c != '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// `plan --svg`: the arena as a picture. x is the op index (one column per op, the last column
/// "kept to the end"), y the byte offset from the arena's start (top) down; one rectangle per
/// planned tensor spanning its lifetime, labelled with its index (and its name when it fits),
/// with the full details in a tooltip.
pub fn plan_svg(interp: &Interpreter<'_>) -> String {
    let model = interp.model();
    let sg = model.main_subgraph();
    let ops = sg.operator_count();
    let arena = interp.arena_used_bytes().max(1);
    let cols = ops + 1;
    let (left, top, right, bottom) = (90.0_f64, 40.0_f64, 90.0_f64, 150.0_f64);
    let col_w = (900.0 / cols as f64).clamp(12.0, 60.0);
    let plot_w = col_w * cols as f64;
    let plot_h = 600.0_f64;
    let y_of = |bytes: usize| top + plot_h * bytes as f64 / arena as f64;
    let (w, h) = (left + plot_w + right, top + plot_h + bottom);
    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w:.0}" height="{h:.0}" viewBox="0 0 {w:.0} {h:.0}" font-family="sans-serif" font-size="10">"#
    );
    let _ = writeln!(out, r#"<rect width="100%" height="100%" fill="white"/>"#);
    let _ = writeln!(
        out,
        r#"<text x="{left}" y="20" font-size="13">arena plan: {} bytes, {ops} ops (x: op index, y: offset)</text>"#,
        interp.arena_used_bytes()
    );
    // The arena's outline and its byte scale.
    let _ = writeln!(
        out,
        r##"<rect x="{left}" y="{top}" width="{plot_w:.1}" height="{plot_h:.1}" fill="#f4f4f4" stroke="#888"/>"##
    );
    // The tail: what the interpreter keeps past the tensors (per-op data, op state).
    let tail = interp.tail_bytes();
    if tail > 0 {
        let y = y_of(arena.saturating_sub(tail));
        let _ = writeln!(
            out,
            r##"<rect x="{left}" y="{y:.1}" width="{plot_w:.1}" height="{:.1}" fill="#ddd" stroke="#888"><title>tail: {tail} bytes</title></rect><text x="{:.1}" y="{:.1}" fill="#555">tail: {tail} bytes (per-op data, state)</text>"##,
            top + plot_h - y,
            left + 4.0,
            y + 13.0
        );
    }
    for k in 0..=4 {
        let bytes = arena * k / 4;
        let y = y_of(bytes);
        let _ = writeln!(
            out,
            r##"<line x1="{:.1}" y1="{y:.1}" x2="{left}" y2="{y:.1}" stroke="#888"/><text x="{:.1}" y="{:.1}" text-anchor="end">{bytes}</text>"##,
            left - 4.0,
            left - 6.0,
            y + 3.0
        );
    }
    // One column label per op, with its type, written downwards below the plot.
    for i in 0..cols {
        let x = left + col_w * (i as f64 + 0.5);
        let name = match interp.op_builtin(i).and_then(|b| b.name()) {
            Some(n) => format!("{i} {n}"),
            None if i == ops => format!("{i} (end)"),
            None => format!("{i}"),
        };
        let y = top + plot_h + 8.0;
        let _ = writeln!(
            out,
            r#"<text x="{x:.1}" y="{y:.1}" transform="rotate(60 {x:.1} {y:.1})">{}</text>"#,
            xml(&name)
        );
    }
    let palette = [
        "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
        "#9c755f", "#bab0ac",
    ];
    for t in 0..sg.tensor_count() {
        let Some(a) = interp.allocation(t) else {
            continue;
        };
        let name = sg.tensor(t).map(|x| x.name()).unwrap_or("?");
        let x = left + col_w * a.first_op as f64;
        let width = col_w * (f64::from(a.last_op.saturating_sub(a.first_op)) + 1.0);
        let y = y_of(a.offset);
        let height = (y_of(a.offset + a.size) - y).max(1.0);
        let fill = palette[t % palette.len()];
        let _ = writeln!(
            out,
            r##"<rect x="{x:.1}" y="{y:.1}" width="{width:.1}" height="{height:.1}" fill="{fill}" fill-opacity="0.75" stroke="#222" stroke-width="0.5"><title>tensor {t} {}: offset {}, {} bytes, ops {}..{}</title></rect>"##,
            xml(name),
            a.offset,
            a.size,
            a.first_op,
            a.last_op
        );
        if height >= 11.0 {
            // The index always; the name when the box is wide enough (about 6 px a character).
            let mut label = format!("t{t}");
            if width > 6.0 * (label.len() + name.len() + 2) as f64 {
                label = format!("t{t} {name}");
            }
            let _ = writeln!(
                out,
                r#"<text x="{:.1}" y="{:.1}">{}</text>"#,
                x + 3.0,
                y + height.min(24.0) / 2.0 + 3.0,
                xml(&label)
            );
        }
    }
    let _ = writeln!(out, "</svg>");
    out
}

/// A small deterministic generator (SplitMix64) for random inputs.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// A float uniform in [-1, 1].
    pub fn unit(&mut self) -> f32 {
        let u = (self.next_u64() >> 40) as f32 / (1u64 << 24) as f32; // [0, 1)
        2.0 * u - 1.0
    }
}

/// `n` random elements of `dtype`: integers over their full range, floats in [-1, 1].
pub fn random_array(dtype: DType, shape: Vec<usize>, rng: &mut Rng) -> Array {
    let n: usize = shape.iter().product();
    let mut data = Vec::with_capacity(n * dtype.size());
    for _ in 0..n {
        let r = rng.next_u64();
        match dtype {
            DType::F32 => data.extend_from_slice(&rng.unit().to_le_bytes()),
            DType::Bool => data.push((r & 1) as u8),
            _ => data.extend_from_slice(&r.to_le_bytes()[..dtype.size()]),
        }
    }
    Array { dtype, shape, data }
}

/// Summary statistics of an array.
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    /// Smallest value (NaNs ignored).
    pub min: f64,
    /// Largest value (NaNs ignored).
    pub max: f64,
    /// Mean of all values.
    pub mean: f64,
    /// Index of the first largest value.
    pub argmax: usize,
}

/// Min, max, mean and argmax of `a`; `None` when it is empty.
pub fn summarize(a: &Array) -> Option<Summary> {
    let n = a.len();
    if n == 0 {
        return None;
    }
    let (mut min, mut max, mut sum, mut argmax) = (f64::INFINITY, f64::NEG_INFINITY, 0.0, 0);
    for i in 0..n {
        let v = a.get_f64(i);
        sum += v;
        if v < min {
            min = v;
        }
        if v > max {
            max = v;
            argmax = i;
        }
    }
    Some(Summary {
        min,
        max,
        mean: sum / n as f64,
        argmax,
    })
}

fn num(dtype: DType, v: f64) -> String {
    if dtype == DType::F32 {
        format!("{}", v as f32)
    } else {
        format!("{v}")
    }
}

/// The lines `run` prints for one output: shape and type, statistics, argmax, first values.
pub fn output_text(
    index: usize,
    name: &str,
    a: &Array,
    quant: Option<QuantParams>,
    first: usize,
) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "output {index}: {name} {} {}",
        a.dtype.name(),
        list(&a.shape)
    );
    let Some(s) = summarize(a) else {
        let _ = writeln!(out, "  empty");
        return out;
    };
    let _ = writeln!(
        out,
        "  min {} max {} mean {:.6}",
        num(a.dtype, s.min),
        num(a.dtype, s.max),
        s.mean
    );
    let mut arg = format!("  argmax {} (value {}", s.argmax, num(a.dtype, s.max));
    if let (Some(q), false) = (quant, a.dtype == DType::F32) {
        let real = f64::from(q.scale) * (s.max - f64::from(q.zero_point));
        let _ = write!(arg, ", dequantized {:.6}", real);
    }
    arg.push(')');
    let _ = writeln!(out, "{arg}");
    let k = first.min(a.len());
    let vals: Vec<String> = (0..k).map(|i| num(a.dtype, a.get_f64(i))).collect();
    let more = if a.len() > k { ", ..." } else { "" };
    let _ = writeln!(out, "  first {k}: [{}{more}]", vals.join(", "));
    out
}

/// Latency statistics over per-invoke times in milliseconds.
#[derive(Clone, Debug, PartialEq)]
pub struct Latency {
    /// Median.
    pub median: f64,
    /// Fastest.
    pub min: f64,
    /// Slowest.
    pub max: f64,
    /// Mean.
    pub mean: f64,
}

/// Median, min, max and mean of `ms`; `None` when empty.
pub fn latency(ms: &[f64]) -> Option<Latency> {
    if ms.is_empty() {
        return None;
    }
    let mut v = ms.to_vec();
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    let median = if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    };
    Some(Latency {
        median,
        min: v[0],
        max: v[n - 1],
        mean: v.iter().sum::<f64>() / n as f64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inspect_flags_unsupported_ops() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/conformance/net_dscnn_int8/model.tflite");
        let bytes = crate::read_model(&path).unwrap();
        let model = Model::from_bytes(bytes.as_slice()).unwrap();
        let mut only_softmax = microlite::MutableOpResolver::<1>::new();
        only_softmax.add_softmax().unwrap();
        let (text, n) = inspect(&model, &only_softmax);
        assert_eq!(n, 7, "{text}");
        let flagged: Vec<&str> = text
            .lines()
            .filter(|l| l.ends_with("UNSUPPORTED"))
            .collect();
        assert_eq!(flagged.len(), 7, "{text}");
        assert!(flagged[0].contains("0  CONV_2D v3") && flagged[0].contains("[0, 12, 11] -> [13]"));
        assert!(text
            .lines()
            .any(|l| l.contains("SOFTMAX v2") && !l.contains("UNSUPPORTED")));
        assert!(
            text.contains("unsupported_ops: CONV_2D v3, DEPTHWISE_CONV_2D v3, AVERAGE_POOL_2D v2, FULLY_CONNECTED v4\n"),
            "{text}"
        );
        let (all, n) = inspect(&model, &microlite::AllOpsResolver::with_all_ops());
        assert!(all.contains("unsupported_ops: none"), "{all}");
        assert!(all.contains("blockers: none"), "{all}");
        assert_eq!(n, 0);
    }

    #[test]
    fn latency_stats() {
        let l = latency(&[3.0, 1.0, 2.0, 10.0]).unwrap();
        assert_eq!(l.median, 2.5);
        assert_eq!((l.min, l.max, l.mean), (1.0, 10.0, 4.0));
        assert_eq!(latency(&[5.0]).unwrap().median, 5.0);
        assert!(latency(&[]).is_none());
    }

    #[test]
    fn random_is_deterministic_and_in_range() {
        let a = random_array(DType::F32, vec![1000], &mut Rng::new(7));
        let b = random_array(DType::F32, vec![1000], &mut Rng::new(7));
        assert_eq!(a, b);
        for i in 0..a.len() {
            let v = a.get_f64(i);
            assert!((-1.0..=1.0).contains(&v));
        }
        let q = random_array(DType::I8, vec![4096], &mut Rng::new(1));
        let s = summarize(&q).unwrap();
        assert_eq!((s.min, s.max), (-128.0, 127.0));
    }

    #[test]
    fn summary_and_text() {
        let a = Array {
            dtype: DType::I8,
            shape: vec![1, 4],
            data: vec![0x80, 5, 0xff, 5],
        };
        let s = summarize(&a).unwrap();
        assert_eq!((s.min, s.max, s.argmax), (-128.0, 5.0, 1));
        let q = QuantParams {
            scale: 0.5,
            zero_point: -1,
        };
        let t = output_text(0, "y", &a, Some(q), 3);
        assert!(
            t.contains("argmax 1 (value 5, dequantized 3.000000)"),
            "{t}"
        );
        assert!(t.contains("first 3: [-128, 5, -1, ...]"), "{t}");
    }
}
