//! Puts memory.x where the linker finds it, and checks and sizes the bundled model for this
//! target with microlite-build (OUT_DIR/model_ops.rs: MODEL_ARENA_BYTES, MODEL_STATE_BYTES,
//! MODEL_OPS and model_resolver()).

use std::path::PathBuf;

fn main() {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap());
    std::fs::copy("memory.x", out.join("memory.x")).unwrap();
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rerun-if-changed=memory.x");
    microlite_build::generate(
        "../../../tests/conformance/net_dscnn_int8/model.tflite",
        "MODEL",
    )
    .unwrap_or_else(|e| panic!("{e}"));
}
