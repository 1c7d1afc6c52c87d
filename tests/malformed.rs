//! A malformed-model suite generated from a real model: each defect gets its specific typed
//! error, and nothing panics.

mod common;

use common::Aligned;
use microlite::{AllOpsResolver, Error, Interpreter, Malformed, Model};
use microlite_schema::flatbuffers::FlatBufferBuilder;
use microlite_schema::tflite;

const BASE: &str = "net_dscnn_int8";

fn base_bytes() -> Aligned {
    common::load(&common::own_models().join(BASE).join("model.tflite"))
}

fn unpacked() -> tflite::ModelT {
    let b = base_bytes();
    tflite::root_as_model(b.as_slice()).unwrap().unpack()
}

fn pack(m: &tflite::ModelT) -> Aligned {
    let mut fbb = FlatBufferBuilder::new();
    let root = m.pack(&mut fbb);
    tflite::finish_model_buffer(&mut fbb, root);
    Aligned::copy_of(fbb.finished_data())
}

fn sg(m: &mut tflite::ModelT) -> &mut tflite::SubGraphT {
    &mut m.subgraphs.as_mut().unwrap()[0]
}

/// Parses and, if that succeeds, builds an interpreter: the first error.
fn load_err(bytes: &Aligned) -> Option<Error> {
    let model = match Model::from_bytes(bytes.as_slice()) {
        Ok(m) => m,
        Err(e) => return Some(e),
    };
    let resolver = AllOpsResolver::with_all_ops();
    let mut arena = Aligned::zeroed(1 << 20);
    Interpreter::new(model, &resolver, arena.as_mut_slice()).err()
}

#[test]
fn repacked_base_is_fine() {
    assert_eq!(load_err(&pack(&unpacked())), None);
}

#[test]
fn truncation_everywhere() {
    let b = base_bytes();
    let full = b.as_slice();
    let step = (full.len() / 97).max(1);
    for cut in (0..full.len()).step_by(step) {
        let t = Aligned::copy_of(&full[..cut]);
        // Every cut either fails to parse (a typed Malformed) or fails later with a typed error.
        if let Some(e) = load_err(&t) {
            let _ = e.to_string();
        }
    }
    assert!(matches!(
        load_err(&Aligned::copy_of(&full[..full.len() / 3])),
        Some(Error::Malformed(_))
    ));
}

#[test]
fn corrupted_root_and_vtable_offsets() {
    let b = base_bytes();
    let mut bad_root = Aligned::copy_of(b.as_slice());
    bad_root.as_mut_slice()[0..4].copy_from_slice(&u32::MAX.to_le_bytes());
    assert_eq!(
        load_err(&bad_root),
        Some(Error::Malformed(Malformed::Offset { at: 0 }))
    );
    // The root table's soffset to its vtable, pointed outside the file.
    let root = u32::from_le_bytes(b.as_slice()[0..4].try_into().unwrap()) as usize;
    let mut bad_vt = Aligned::copy_of(b.as_slice());
    bad_vt.as_mut_slice()[root..root + 4].copy_from_slice(&i32::MIN.to_le_bytes());
    assert_eq!(
        load_err(&bad_vt),
        Some(Error::Malformed(Malformed::VTable { at: root as u32 }))
    );
    // A vtable claiming a huge size.
    let soff = i32::from_le_bytes(b.as_slice()[root..root + 4].try_into().unwrap());
    let vt = (root as i64 - soff as i64) as usize;
    let mut big_vt = Aligned::copy_of(b.as_slice());
    big_vt.as_mut_slice()[vt..vt + 2].copy_from_slice(&0xFFFEu16.to_le_bytes());
    assert!(matches!(
        load_err(&big_vt),
        Some(Error::Malformed(Malformed::VTable { .. }))
    ));
}

#[test]
fn wrong_file_identifier() {
    let mut b = base_bytes();
    b.as_mut_slice()[4..8].copy_from_slice(b"XXXX");
    assert_eq!(
        load_err(&b),
        Some(Error::Malformed(Malformed::FileIdentifier))
    );
}

#[test]
fn zero_subgraphs() {
    let mut m = unpacked();
    m.subgraphs = Some(vec![]);
    assert_eq!(
        load_err(&pack(&m)),
        Some(Error::Malformed(Malformed::NoSubgraphs))
    );
}

#[test]
fn out_of_range_indices() {
    let mut m = unpacked();
    let n = sg(&mut m).tensors.as_ref().unwrap().len() as i32;
    sg(&mut m).operators.as_mut().unwrap()[2]
        .inputs
        .as_mut()
        .unwrap()[0] = n + 5;
    assert_eq!(
        load_err(&pack(&m)),
        Some(Error::Malformed(Malformed::TensorIndex {
            op: 2,
            index: n + 5
        }))
    );

    let mut m = unpacked();
    sg(&mut m).inputs = Some(vec![-3]);
    assert!(matches!(
        load_err(&pack(&m)),
        Some(Error::Malformed(Malformed::TensorIndex { index: -3, .. }))
    ));

    let mut m = unpacked();
    let nb = m.buffers.as_ref().unwrap().len() as u32;
    sg(&mut m).tensors.as_mut().unwrap()[1].buffer = nb + 1;
    assert_eq!(
        load_err(&pack(&m)),
        Some(Error::Malformed(Malformed::BufferIndex {
            tensor: 1,
            buffer: nb + 1
        }))
    );

    let mut m = unpacked();
    let no = m.operator_codes.as_ref().unwrap().len() as u32;
    sg(&mut m).operators.as_mut().unwrap()[0].opcode_index = no;
    assert_eq!(
        load_err(&pack(&m)),
        Some(Error::Malformed(Malformed::OpcodeIndex {
            op: 0,
            index: no
        }))
    );
}

#[test]
fn negative_and_huge_dimensions() {
    let mut m = unpacked();
    let input = sg(&mut m).inputs.as_ref().unwrap()[0] as usize;
    sg(&mut m).tensors.as_mut().unwrap()[input].shape = Some(vec![1, -4, 10, 1]);
    assert_eq!(
        load_err(&pack(&m)),
        Some(Error::Malformed(Malformed::NegativeDimension {
            tensor: input as u32
        }))
    );

    let mut m = unpacked();
    sg(&mut m).tensors.as_mut().unwrap()[input].shape = Some(vec![i32::MAX, i32::MAX, i32::MAX, 4]);
    assert_eq!(
        load_err(&pack(&m)),
        Some(Error::Malformed(Malformed::TensorTooLarge {
            tensor: input as u32
        }))
    );

    let mut m = unpacked();
    sg(&mut m).tensors.as_mut().unwrap()[input].shape = Some(vec![65536, 65536]);
    assert_eq!(
        load_err(&pack(&m)),
        Some(Error::Malformed(Malformed::TensorTooLarge {
            tensor: input as u32
        }))
    );
}

/// The first constant tensor (with buffer data) in the base model.
fn first_constant(m: &mut tflite::ModelT) -> usize {
    let bufs = m.buffers.clone().unwrap();
    sg(m)
        .tensors
        .as_ref()
        .unwrap()
        .iter()
        .position(|t| {
            bufs[t.buffer as usize]
                .data
                .as_ref()
                .is_some_and(|d| !d.is_empty())
        })
        .unwrap()
}

#[test]
fn buffer_shorter_than_tensor() {
    let mut m = unpacked();
    let t = first_constant(&mut m);
    let b = sg(&mut m).tensors.as_ref().unwrap()[t].buffer as usize;
    let data = m.buffers.as_mut().unwrap()[b].data.as_mut().unwrap();
    let len = data.len();
    data.truncate(len - 1);
    assert!(matches!(
        load_err(&pack(&m)),
        Some(Error::Malformed(Malformed::BufferTooShort { tensor, .. })) if tensor == t as u32
    ));
}

#[test]
fn tensor_type_the_op_rejects() {
    let mut m = unpacked();
    let input = sg(&mut m).inputs.as_ref().unwrap()[0] as usize;
    sg(&mut m).tensors.as_mut().unwrap()[input].type_ = tflite::TensorType::INT16;
    assert!(matches!(
        load_err(&pack(&m)),
        Some(Error::UnsupportedType { op: 0, .. })
    ));
    let mut m = unpacked();
    sg(&mut m).tensors.as_mut().unwrap()[input].type_ = tflite::TensorType(99);
    assert_eq!(
        load_err(&pack(&m)),
        Some(Error::Malformed(Malformed::TensorType {
            tensor: input as u32,
            ty: 99
        }))
    );
}

#[test]
fn op_reads_a_tensor_produced_later() {
    let mut m = unpacked();
    let ops = sg(&mut m).operators.as_mut().unwrap();
    let later = ops[3].outputs.as_ref().unwrap()[0];
    ops[1].inputs.as_mut().unwrap()[0] = later;
    assert!(matches!(
        load_err(&pack(&m)),
        Some(Error::Malformed(Malformed::UseBeforeDefinition {
            op: 1,
            ..
        })) | Some(Error::ShapeMismatch { op: 1, .. })
    ));
    // Same shape, so only the ordering is wrong: swap two ops of a chain.
    let mut m = unpacked();
    let ops = sg(&mut m).operators.as_mut().unwrap();
    ops.swap(0, 1);
    assert!(matches!(
        load_err(&pack(&m)),
        Some(Error::Malformed(Malformed::UseBeforeDefinition {
            op: 0,
            ..
        }))
    ));
}

#[test]
fn op_writing_a_constant_or_input() {
    let mut m = unpacked();
    let input = sg(&mut m).inputs.as_ref().unwrap()[0];
    sg(&mut m).operators.as_mut().unwrap()[0].outputs = Some(vec![input]);
    assert!(matches!(
        load_err(&pack(&m)),
        Some(Error::Malformed(Malformed::WritesConstant { op: 0, .. }))
            | Some(Error::ShapeMismatch { op: 0, .. })
    ));
}

#[test]
fn unsupported_op_version() {
    let mut m = unpacked();
    m.operator_codes.as_mut().unwrap()[0].version = 999;
    assert!(matches!(
        load_err(&pack(&m)),
        Some(Error::UnsupportedOp { version: 999, .. })
    ));
}

#[test]
fn custom_op() {
    let mut m = unpacked();
    let c = &mut m.operator_codes.as_mut().unwrap()[0];
    c.builtin_code = tflite::BuiltinOperator::CUSTOM;
    c.deprecated_builtin_code = 32;
    c.custom_code = Some("MyOp".into());
    assert!(matches!(load_err(&pack(&m)), Some(Error::CustomOp { .. })));
}

#[test]
fn arena_one_byte_short_and_misaligned() {
    let b = base_bytes();
    let model = Model::from_bytes(b.as_slice()).unwrap();
    let resolver = AllOpsResolver::with_all_ops();
    let mut big = Aligned::zeroed(1 << 20);
    let needed = Interpreter::arena_size(model, &resolver, big.as_mut_slice()).unwrap();
    let mut short = Aligned::zeroed(needed - 1);
    assert_eq!(
        Interpreter::new(model, &resolver, short.as_mut_slice()).err(),
        Some(Error::ArenaTooSmall {
            needed,
            available: needed - 1
        })
    );
    let mut tiny = Aligned::zeroed(8);
    assert!(matches!(
        Interpreter::new(model, &resolver, tiny.as_mut_slice()).err(),
        Some(Error::ArenaTooSmall { .. })
    ));
    let mut mis = Aligned::zeroed(needed + 16);
    assert_eq!(
        Interpreter::new(model, &resolver, mis.misaligned_mut()).err(),
        Some(Error::ArenaMisaligned)
    );
}

#[test]
fn bad_quantization() {
    let mut m = unpacked();
    let input = sg(&mut m).inputs.as_ref().unwrap()[0] as usize;
    let q = sg(&mut m).tensors.as_mut().unwrap()[input]
        .quantization
        .as_mut()
        .unwrap();
    q.scale = Some(vec![0.0]);
    assert!(matches!(
        load_err(&pack(&m)),
        Some(Error::BadQuantization { op: 0, .. })
    ));
    let mut m = unpacked();
    let q = sg(&mut m).tensors.as_mut().unwrap()[input]
        .quantization
        .as_mut()
        .unwrap();
    q.zero_point = Some(vec![1, 2, 3]);
    assert!(matches!(
        load_err(&pack(&m)),
        Some(Error::Malformed(Malformed::Quantization { .. }))
    ));
}

#[test]
fn names_that_are_not_utf8_are_bytes() {
    // Strings are bytes to TFLM (the FlatBuffers verifier checks bounds, not UTF-8): a name
    // that is not UTF-8 still loads and runs; the text accessors give "" for it.
    let mut m = unpacked();
    sg(&mut m).tensors.as_mut().unwrap()[0].name = Some("\u{1}NAME\u{1}".into());
    let mut bytes = pack(&m);
    let raw = bytes.as_mut_slice();
    let at = raw.windows(6).position(|w| w == b"\x01NAME\x01").unwrap();
    raw[at] = 0xFF;
    assert_eq!(load_err(&bytes), None);
    let model = Model::from_bytes(bytes.as_slice()).unwrap();
    assert_eq!(model.main_subgraph().tensor(0).unwrap().name(), "");
}

#[test]
fn custom_code_that_is_not_utf8_is_named_by_its_bytes() {
    let mut m = unpacked();
    let c = &mut m.operator_codes.as_mut().unwrap()[0];
    c.builtin_code = tflite::BuiltinOperator::CUSTOM;
    c.deprecated_builtin_code = 32;
    c.custom_code = Some("Op\u{1}".into());
    let mut bytes = pack(&m);
    let raw = bytes.as_mut_slice();
    let at = raw.windows(3).position(|w| w == b"Op\x01").unwrap();
    raw[at + 2] = 0xFF;
    match load_err(&bytes) {
        Some(Error::CustomOp { name, .. }) => assert_eq!(name.as_str(), "Op"),
        e => panic!("{e:?}"),
    }
}
