//! Build-time model check and sizing for firmware using microlite.
//!
//! A firmware's `build.rs` calls [`generate`] on its `.tflite`: the build fails with every
//! blocker listed when the model would not run ([`microlite::check_model`], the code
//! `Interpreter::new` runs), and otherwise `OUT_DIR` gets a Rust file with the model's arena
//! and state sizes for the *target* and a resolver holding exactly the model's ops:
//!
//! ```ignore
//! // build.rs
//! fn main() {
//!     microlite_build::generate("model.tflite", "MODEL").unwrap();
//! }
//! // src/main.rs:
//! //   include!(concat!(env!("OUT_DIR"), "/model_ops.rs"));
//! //   static ARENA: ConstStaticCell<microlite::Arena<MODEL_ARENA_BYTES>> = ...;
//! //   static RESOLVER: StaticCell<microlite::MutableOpResolver<MODEL_OPS>> = ...;
//! //   let resolver = model_resolver()?;
//! ```

#![warn(missing_docs)]

use microlite::{check_model, AllOpsResolver, Interpreter, Model, OpResolver, ADDERS};
use std::fmt::Write as _;
use std::path::Path;

/// What a model needs, as [`check`] found it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Needs {
    /// Arena bytes (`Interpreter::arena_used_bytes` of the host's plan with the default
    /// kernels; enough on the device, where feature `small` may plan less scratch).
    pub arena_bytes: usize,
    /// The `MutableOpResolver` methods that register exactly the model's ops, in model order.
    pub adders: Vec<&'static str>,
}

/// Checks `model` with every kernel microlite has and returns what it needs, or every
/// blocker as a line of text (op index, op, error).
///
/// # Errors
/// The blockers, when the model is malformed or an op cannot run.
pub fn check(model: &[u8]) -> Result<Needs, Vec<String>> {
    // 16-byte alignment for the model and the arena: `u128` buffers viewed as bytes.
    let mut words = vec![0u128; model.len().div_ceil(16) + 1];
    let buf: &mut [u8] = bytemuck::cast_slice_mut(&mut words);
    buf[..model.len()].copy_from_slice(model);
    let bytes = &buf[..model.len()];
    let m = Model::from_bytes(bytes).map_err(|e| vec![format!("model: {e}")])?;
    let resolver = AllOpsResolver::with_all_ops();
    let mut scratch_words = vec![0u128; (64 << 20) / 16];
    let scratch: &mut [u8] = bytemuck::cast_slice_mut(&mut scratch_words);
    let mut blockers = Vec::new();
    check_model(m, &resolver, scratch, |b| {
        blockers.push(format!("op {}: {}", b.op, b.error))
    });
    if !blockers.is_empty() {
        return Err(blockers);
    }
    let interp = Interpreter::new(m, &resolver, scratch).map_err(|e| vec![e.to_string()])?;
    let arena_bytes = interp.arena_used_bytes();
    let regs = resolver.registrations();
    let mut adders = Vec::new();
    // Every subgraph's ops (IF / WHILE / CALL_ONCE run the others).
    let all = (0..m.subgraph_count())
        .filter_map(|s| m.subgraph(s))
        .flat_map(|sg| (0..sg.operator_count()).filter_map(move |i| sg.operator(i)));
    for op in all {
        let code = m.operator_code(op.opcode_index() as usize);
        let found = match code.custom_code {
            Some(name) if code.builtin == microlite::BuiltinOperator::CUSTOM => {
                resolver.find_custom(name)
            }
            _ => resolver.find(code.builtin, code.version),
        };
        let Some(r) = found else { continue };
        if let Some(k) = regs.iter().position(|x| std::ptr::eq(x, r)) {
            let name = ADDERS[k];
            if !adders.contains(&name) {
                adders.push(name);
            }
        }
    }
    Ok(Needs {
        arena_bytes,
        adders,
    })
}

impl Needs {
    /// The MutableOpResolver capacity the generated resolver uses: one slot per adder.
    pub fn capacity(&self) -> usize {
        self.adders.len().max(1)
    }

    /// Interpreter state outside the arena on a target with `pointer_bytes`-wide pointers.
    pub fn state_bytes(pointer_bytes: usize) -> usize {
        Interpreter::state_bytes_for(pointer_bytes)
    }

    /// The resolver's construction as Rust statements: `let mut r =
    /// microlite::MutableOpResolver::<N>::new();` then one `r.add_*()?;` per op kind.
    pub fn resolver_lines(&self) -> Vec<String> {
        let mut v = vec![format!(
            "let mut r = microlite::MutableOpResolver::<{}>::new();",
            self.capacity()
        )];
        v.extend(self.adders.iter().map(|a| format!("r.{a}()?;")));
        v
    }
}

/// The pointer width in bits of a target triple (`thumbv7em-none-eabihf` -> 32), for the
/// targets microcontroller firmware is built for and the usual hosts; `None` when unknown.
pub fn pointer_width_of(target: &str) -> Option<usize> {
    let arch = target.split('-').next()?;
    const BITS_16: &[&str] = &["msp430", "avr"];
    const BITS_32: &[&str] = &[
        "thumbv", "armv", "arm", "riscv32", "xtensa", "i586", "i686", "wasm32", "mips", "csky",
        "hexagon", "powerpc", "sparc", "m68k",
    ];
    const BITS_64: &[&str] = &[
        "x86_64",
        "aarch64",
        "arm64",
        "riscv64",
        "wasm64",
        "mips64",
        "powerpc64",
        "sparc64",
        "s390x",
        "loongarch64",
    ];
    // Longest prefixes first: `mips64` before `mips`, `armv` before `arm`.
    let mut all: Vec<(&str, usize)> = BITS_16
        .iter()
        .map(|p| (*p, 16))
        .chain(BITS_32.iter().map(|p| (*p, 32)))
        .chain(BITS_64.iter().map(|p| (*p, 64)))
        .collect();
    all.sort_by_key(|(p, _)| std::cmp::Reverse(p.len()));
    let bits = all.iter().find(|(p, _)| arch.starts_with(p))?.1;
    // `x86_64-unknown-linux-gnux32` and `aarch64-*-ilp32` have 32-bit pointers.
    if target.ends_with("x32") || target.contains("ilp32") {
        return Some(32);
    }
    Some(bits)
}

/// Checks the model at `path` (relative to the crate being built) and writes
/// `OUT_DIR/<lowercase name>_ops.rs` with `<NAME>_ARENA_BYTES`, `<NAME>_STATE_BYTES` (for the
/// target's pointer width, from `CARGO_CFG_TARGET_POINTER_WIDTH`), `<NAME>_OPS` (the resolver's
/// capacity) and `fn <lowercase name>_resolver()`; prints the `cargo:rerun-if-changed` line.
///
/// # Errors
/// Every blocker, or an I/O problem, as text (a build script `unwrap`s it to fail the build
/// with the list).
pub fn generate(path: impl AsRef<Path>, name: &str) -> Result<(), String> {
    let path = path.as_ref();
    println!("cargo:rerun-if-changed={}", path.display());
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let needs = check(&bytes).map_err(|b| {
        format!(
            "{} does not run with microlite:\n  {}",
            path.display(),
            b.join("\n  ")
        )
    })?;
    let width: usize = std::env::var("CARGO_CFG_TARGET_POINTER_WIDTH")
        .ok()
        .and_then(|w| w.parse().ok())
        .or_else(|| pointer_width_of(&std::env::var("TARGET").ok()?))
        .unwrap_or(8 * std::mem::size_of::<usize>());
    let out = std::env::var("OUT_DIR").map_err(|_| "OUT_DIR is not set".to_string())?;
    let file = Path::new(&out).join(format!("{}_ops.rs", name.to_lowercase()));
    std::fs::write(&file, source(name, &needs, width / 8)).map_err(|e| e.to_string())
}

/// The generated source for `needs` on a target with `pointer_bytes`-wide pointers.
pub fn source(name: &str, needs: &Needs, pointer_bytes: usize) -> String {
    let upper = name.to_uppercase();
    let lower = name.to_lowercase();
    let mut s = String::new();
    let _ = writeln!(s, "// Generated by microlite-build: do not edit.");
    let _ = writeln!(s, "/// Arena bytes the model needs.");
    let _ = writeln!(
        s,
        "pub const {upper}_ARENA_BYTES: usize = {};",
        needs.arena_bytes
    );
    let _ = writeln!(s, "/// Interpreter state outside the arena on this target.");
    let _ = writeln!(
        s,
        "pub const {upper}_STATE_BYTES: usize = {};",
        Needs::state_bytes(pointer_bytes)
    );
    let n = needs.capacity();
    let _ = writeln!(
        s,
        "/// The resolver's capacity: `microlite::MutableOpResolver<{upper}_OPS>` names its type."
    );
    let _ = writeln!(s, "pub const {upper}_OPS: usize = {n};");
    let _ = writeln!(s, "/// A resolver with exactly the model's ops.");
    let _ = writeln!(s, "///");
    let _ = writeln!(s, "/// # Errors");
    let _ = writeln!(
        s,
        "/// None in practice: its capacity is the number of ops it adds."
    );
    let _ = writeln!(
        s,
        "pub fn {lower}_resolver() -> Result<microlite::MutableOpResolver<{upper}_OPS>, microlite::Error> {{"
    );
    for line in needs.resolver_lines() {
        let _ = writeln!(s, "    {line}");
    }
    let _ = writeln!(s, "    Ok(r)");
    let _ = writeln!(s, "}}");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(name: &str) -> Vec<u8> {
        let p = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/conformance")
            .join(name)
            .join("model.tflite");
        std::fs::read(p).unwrap()
    }

    #[test]
    fn sizes_and_resolver_of_a_cnn() {
        let needs = check(&model("net_dscnn_int8")).unwrap();
        assert!(needs.arena_bytes > 0);
        assert!(needs.adders.contains(&"add_conv_2d"));
        assert!(needs.adders.contains(&"add_softmax"));
        let src = source("KWS", &needs, 4);
        assert!(src.contains("pub const KWS_ARENA_BYTES: usize"));
        assert!(src.contains(&format!(
            "pub const KWS_STATE_BYTES: usize = {};",
            Interpreter::state_bytes_for(4)
        )));
        assert!(src.contains("pub fn kws_resolver()"));
        assert!(src.contains(&format!(
            "pub const KWS_OPS: usize = {};",
            needs.adders.len()
        )));
    }

    #[test]
    fn custom_signal_ops_get_their_adders() {
        let needs = check(&model("audio_preprocessor_int8")).unwrap();
        assert!(
            needs.adders.contains(&"add_signal_window"),
            "{:?}",
            needs.adders
        );
    }

    #[test]
    fn pointer_widths() {
        assert_eq!(pointer_width_of("thumbv7em-none-eabihf"), Some(32));
        assert_eq!(pointer_width_of("thumbv6m-none-eabi"), Some(32));
        assert_eq!(pointer_width_of("riscv32imc-unknown-none-elf"), Some(32));
        assert_eq!(pointer_width_of("xtensa-esp32-none-elf"), Some(32));
        assert_eq!(pointer_width_of("x86_64-unknown-linux-gnu"), Some(64));
        assert_eq!(pointer_width_of("x86_64-unknown-linux-gnux32"), Some(32));
        assert_eq!(
            pointer_width_of("mips64el-unknown-linux-gnuabi64"),
            Some(64)
        );
        assert_eq!(pointer_width_of("avr-none"), Some(16));
        assert_eq!(pointer_width_of("z80-none"), None);
    }

    #[test]
    fn every_blocker_is_listed() {
        let mut bytes = model("net_dscnn_int8");
        bytes.truncate(bytes.len() / 2);
        let err = check(&bytes).unwrap_err();
        assert!(!err.is_empty());
    }
}
