//! `check_model`: every blocker at once, from the same resolve and prepare `Interpreter::new`
//! runs.

mod common;

use common::Aligned;
use microlite::{check_model, AllOpsResolver, Blocker, Error, Model, MutableOpResolver};
use microlite_schema::flatbuffers::FlatBufferBuilder;
use microlite_schema::tflite;

fn model_bytes(name: &str) -> Aligned {
    common::load(&common::own_models().join(name).join("model.tflite"))
}

fn blockers(bytes: &Aligned, resolver: &dyn microlite::OpResolver) -> Vec<Blocker> {
    let model = Model::from_bytes(bytes.as_slice()).unwrap();
    let mut scratch = Aligned::zeroed(1 << 22);
    let mut found = Vec::new();
    let n = check_model(model, resolver, scratch.as_mut_slice(), |b| found.push(b));
    assert_eq!(n, found.len());
    found
}

#[test]
fn a_model_that_runs_has_none() {
    let bytes = model_bytes("net_dscnn_int8");
    assert_eq!(blockers(&bytes, &AllOpsResolver::with_all_ops()), vec![]);
}

#[test]
fn every_missing_op_is_listed() {
    let bytes = model_bytes("net_dscnn_int8");
    let mut r = MutableOpResolver::<2>::new();
    r.add_softmax().unwrap().add_fully_connected().unwrap();
    let found = blockers(&bytes, &r);
    // 3 CONV_2D, 2 DEPTHWISE_CONV_2D, 1 AVERAGE_POOL_2D: each named by its own index.
    assert_eq!(found.len(), 6, "{found:?}");
    for b in &found {
        assert!(
            matches!(b.error, Error::UnsupportedOp { op, .. } if op == b.op),
            "{b:?}"
        );
    }
}

#[test]
fn type_errors_and_custom_ops_are_listed_together() {
    let b = model_bytes("net_dscnn_int8");
    let mut m = tflite::root_as_model(b.as_slice()).unwrap().unpack();
    let sg = &mut m.subgraphs.as_mut().unwrap()[0];
    let ops = sg.operators.as_ref().unwrap().clone();
    // The last op (SOFTMAX) gets an int16 output with int8 quantization (its prepare refuses
    // it), and op 1's code becomes a custom op with no kernel (op 3 shares that code).
    let last = ops.last().unwrap().outputs.as_ref().unwrap()[0] as usize;
    sg.tensors.as_mut().unwrap()[last].type_ = tflite::TensorType::INT16;
    let codes = m.operator_codes.as_mut().unwrap();
    let op1_code = ops[1].opcode_index as usize;
    codes[op1_code].builtin_code = tflite::BuiltinOperator::CUSTOM;
    codes[op1_code].deprecated_builtin_code = 32;
    codes[op1_code].custom_code = Some("MyOp".into());
    let mut fbb = FlatBufferBuilder::new();
    let root = m.pack(&mut fbb);
    tflite::finish_model_buffer(&mut fbb, root);
    let bytes = Aligned::copy_of(fbb.finished_data());
    let found = blockers(&bytes, &AllOpsResolver::with_all_ops());
    let customs = found
        .iter()
        .filter(|b| matches!(b.error, Error::CustomOp { name, .. } if name.as_str() == "MyOp"))
        .count();
    assert!(customs >= 1, "{found:?}");
    let last_op = (ops.len() - 1) as u32;
    assert!(
        found.iter().any(|b| b.op == last_op
            && matches!(b.error, Error::BadQuantization { op, .. } if op == last_op)),
        "{found:?}"
    );
    assert_eq!(found.len(), customs + 1, "{found:?}");
}
