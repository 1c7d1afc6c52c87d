//! The README's table of supported ops and the resolver's registration list stay in step.

use microlite::{AllOpsResolver, BuiltinOperator, OpResolver, ALL_OPS};
use std::collections::BTreeSet;

#[test]
fn readme_table_matches_all_ops_resolver() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let start = readme
        .find("## Supported ops")
        .expect("README has a Supported ops section");
    let table: BTreeSet<String> = readme[start..]
        .lines()
        .skip_while(|l| !l.starts_with("| op "))
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(|l| l.split('|').nth(1).unwrap().trim().to_string())
        .collect();
    let resolver = AllOpsResolver::with_all_ops();
    // Builtins, and TFLM's DETECTION_POSTPROCESS under its builtin-style name; the signal
    // custom ops have their own README section.
    let mut registered: BTreeSet<String> = resolver
        .codes()
        .filter(|c| *c != BuiltinOperator::CUSTOM)
        .map(|c| BuiltinOperator::name_of(c.0).unwrap().to_string())
        .collect();
    for r in resolver.registrations() {
        match r.custom_name() {
            Some("TFLite_Detection_PostProcess") => {
                registered.insert("DETECTION_POSTPROCESS".into());
            }
            Some(name) => assert!(name.starts_with("Signal"), "custom op {name}"),
            None => {}
        }
    }
    assert_eq!(resolver.len(), ALL_OPS);
    assert_eq!(table, registered, "README table vs. AllOpsResolver");
}

#[test]
fn unregistered_op_errors_name_the_resolver_method() {
    // Every op microlite has is "not registered" when missing from a resolver, naming the
    // `add_*` method that exists; an op microlite lacks (HASHTABLE_LOOKUP) stays "unsupported".
    let resolver = AllOpsResolver::with_all_ops();
    for c in resolver.codes().filter(|c| *c != BuiltinOperator::CUSTOM) {
        let e = microlite::Error::UnsupportedOp {
            op: 0,
            code: c.0,
            version: 1,
        };
        let text = e.to_string();
        let name = BuiltinOperator::name_of(c.0).unwrap().to_ascii_lowercase();
        assert!(text.contains(&format!("add_{name}")), "{text}");
    }
    let lookup = microlite::Error::UnsupportedOp {
        op: 0,
        code: 10,
        version: 1,
    }; // HASHTABLE_LOOKUP
    assert!(lookup.to_string().contains("unsupported op"), "{lookup}");
}

/// Every builtin TFLM's `MicroMutableOpResolver` can register
/// (tensorflow/lite/micro/micro_mutable_op_resolver.h at tflite-micro 90b983c, 2026-08-20:
/// its `AddBuiltin` calls). Its custom ops are `TFLite_Detection_PostProcess` and the signal
/// ops (here too), `CIRCULAR_BUFFER`, `TFLM_DECODE` and `ETHOSU` (not here).
const TFLM_BUILTINS: &[&str] = &[
    "ABS",
    "ADD",
    "ADD_N",
    "ARG_MAX",
    "ARG_MIN",
    "ASSIGN_VARIABLE",
    "AVERAGE_POOL_2D",
    "BATCH_MATMUL",
    "BATCH_TO_SPACE_ND",
    "BROADCAST_ARGS",
    "BROADCAST_TO",
    "CALL_ONCE",
    "CAST",
    "CEIL",
    "CONCATENATION",
    "CONV_2D",
    "COS",
    "CUMSUM",
    "DEPTHWISE_CONV_2D",
    "DEPTH_TO_SPACE",
    "DEQUANTIZE",
    "DIV",
    "DYNAMIC_UPDATE_SLICE",
    "ELU",
    "EMBEDDING_LOOKUP",
    "EQUAL",
    "EXP",
    "EXPAND_DIMS",
    "FILL",
    "FLOOR",
    "FLOOR_DIV",
    "FLOOR_MOD",
    "FULLY_CONNECTED",
    "GATHER",
    "GATHER_ND",
    "GREATER",
    "GREATER_EQUAL",
    "HARD_SWISH",
    "IF",
    "L2_NORMALIZATION",
    "L2_POOL_2D",
    "LEAKY_RELU",
    "LESS",
    "LESS_EQUAL",
    "LOG",
    "LOGICAL_AND",
    "LOGICAL_NOT",
    "LOGICAL_OR",
    "LOGISTIC",
    "LOG_SOFTMAX",
    "MAXIMUM",
    "MAX_POOL_2D",
    "MEAN",
    "MINIMUM",
    "MIRROR_PAD",
    "MUL",
    "NEG",
    "NOT_EQUAL",
    "PACK",
    "PAD",
    "PADV2",
    "PRELU",
    "QUANTIZE",
    "READ_VARIABLE",
    "REDUCE_ALL",
    "REDUCE_MAX",
    "REDUCE_MIN",
    "RELU",
    "RELU6",
    "RESHAPE",
    "RESIZE_BILINEAR",
    "RESIZE_NEAREST_NEIGHBOR",
    "REVERSE_V2",
    "ROUND",
    "RSQRT",
    "SELECT_V2",
    "SHAPE",
    "SIN",
    "SLICE",
    "SOFTMAX",
    "SPACE_TO_BATCH_ND",
    "SPACE_TO_DEPTH",
    "SPLIT",
    "SPLIT_V",
    "SQRT",
    "SQUARE",
    "SQUARED_DIFFERENCE",
    "SQUEEZE",
    "STRIDED_SLICE",
    "SUB",
    "SUM",
    "SVDF",
    "TANH",
    "TRANSPOSE",
    "TRANSPOSE_CONV",
    "UNIDIRECTIONAL_SEQUENCE_LSTM",
    "UNPACK",
    "VAR_HANDLE",
    "WHILE",
    "ZEROS_LIKE",
];

#[test]
fn every_tflm_builtin_has_a_kernel() {
    let resolver = AllOpsResolver::with_all_ops();
    let ours: BTreeSet<&str> = resolver
        .codes()
        .filter_map(|c| BuiltinOperator::name_of(c.0))
        .collect();
    let missing: Vec<&str> = TFLM_BUILTINS
        .iter()
        .copied()
        .filter(|b| !ours.contains(b))
        .collect();
    assert!(
        missing.is_empty(),
        "TFLM builtins without a kernel: {missing:?}"
    );
    assert_eq!(TFLM_BUILTINS.len(), 100);
    // And the SSD custom op TFLM ships.
    assert!(resolver
        .find_custom("TFLite_Detection_PostProcess")
        .is_some());
}
