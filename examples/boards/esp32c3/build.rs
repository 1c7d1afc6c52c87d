//! Checks and sizes the bundled model for this target with microlite-build
//! (OUT_DIR/model_ops.rs: MODEL_ARENA_BYTES, MODEL_STATE_BYTES, MODEL_OPS and
//! model_resolver()). esp-hal brings its own linker scripts.

fn main() {
    microlite_build::generate(
        "../../../tests/conformance/net_dscnn_int8/model.tflite",
        "MODEL",
    )
    .unwrap_or_else(|e| panic!("{e}"));
}
