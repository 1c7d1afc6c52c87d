//! Bad inputs get their typed errors: truncated models, unsupported ops, short or misaligned
//! arenas, bad indices. None panics.

mod common;

use common::Aligned;
use microlite::{AllOpsResolver, Error, Interpreter, Malformed, Model, MutableOpResolver};
use microlite_schema::flatbuffers::FlatBufferBuilder;
use microlite_schema::tflite::{self, BuiltinOperator as B, TensorType as TT};

fn tensor(name: &str, shape: &[i32], ty: TT, buffer: u32) -> tflite::TensorT {
    let mut t = tflite::TensorT::default();
    t.shape = Some(shape.to_vec());
    t.type_ = ty;
    t.buffer = buffer;
    t.name = Some(name.into());
    t
}

fn buffer(data: &[u8]) -> tflite::BufferT {
    let mut b = tflite::BufferT::default();
    b.data = if data.is_empty() {
        None
    } else {
        Some(data.to_vec())
    };
    b
}

fn opcode(code: B) -> tflite::OperatorCodeT {
    let mut c = tflite::OperatorCodeT::default();
    c.deprecated_builtin_code = code.0 as i8;
    c.builtin_code = code;
    c.version = 1;
    c
}

fn operator(
    inputs: &[i32],
    outputs: &[i32],
    options: tflite::BuiltinOptionsT,
) -> tflite::OperatorT {
    let mut op = tflite::OperatorT::default();
    op.inputs = Some(inputs.to_vec());
    op.outputs = Some(outputs.to_vec());
    op.builtin_options = options;
    op
}

/// A one-subgraph model from its parts.
fn model(
    codes: Vec<tflite::OperatorCodeT>,
    tensors: Vec<tflite::TensorT>,
    inputs: &[i32],
    outputs: &[i32],
    ops: Vec<tflite::OperatorT>,
    buffers: Vec<tflite::BufferT>,
) -> Aligned {
    let mut sg = tflite::SubGraphT::default();
    sg.tensors = Some(tensors);
    sg.inputs = Some(inputs.to_vec());
    sg.outputs = Some(outputs.to_vec());
    sg.operators = Some(ops);
    let mut m = tflite::ModelT::default();
    m.version = 3;
    m.operator_codes = Some(codes);
    m.subgraphs = Some(vec![sg]);
    m.buffers = Some(buffers);
    let mut fbb = FlatBufferBuilder::new();
    let root = m.pack(&mut fbb);
    tflite::finish_model_buffer(&mut fbb, root);
    Aligned::copy_of(fbb.finished_data())
}

/// y = W x + b with float32 weights: input [1,4], output [1,3].
fn fc_model() -> Aligned {
    let w: Vec<u8> = (0..12)
        .flat_map(|i| (i as f32 * 0.25 - 1.0).to_le_bytes())
        .collect();
    let b: Vec<u8> = [0.5f32, -0.5, 1.0]
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    let fc = tflite::BuiltinOptionsT::FullyConnectedOptions(Box::default());
    model(
        vec![opcode(B::FULLY_CONNECTED)],
        vec![
            tensor("x", &[1, 4], TT::FLOAT32, 1),
            tensor("w", &[3, 4], TT::FLOAT32, 2),
            tensor("b", &[3], TT::FLOAT32, 3),
            tensor("y", &[1, 3], TT::FLOAT32, 4),
        ],
        &[0],
        &[3],
        vec![operator(&[0, 1, 2], &[3], fc)],
        vec![
            buffer(&[]),
            buffer(&[]),
            buffer(&w),
            buffer(&b),
            buffer(&[]),
        ],
    )
}

/// A single LSH_PROJECTION op, which this build does not implement (nor does TFLM).
fn unsupported_model() -> Aligned {
    model(
        vec![opcode(B::LSH_PROJECTION)],
        vec![
            tensor("x", &[1, 4], TT::FLOAT32, 0),
            tensor("y", &[1, 4], TT::FLOAT32, 0),
        ],
        &[0],
        &[1],
        vec![operator(&[0], &[1], tflite::BuiltinOptionsT::NONE)],
        vec![buffer(&[])],
    )
}

#[test]
fn synthetic_fc_runs() {
    let bytes = fc_model();
    let model = Model::from_bytes(bytes.as_slice()).unwrap();
    let resolver = AllOpsResolver::with_all_ops();
    let mut arena = Aligned::zeroed(4096);
    let mut interp = Interpreter::new(model, &resolver, arena.as_mut_slice()).unwrap();
    interp.set_input(0, &[1.0f32, 2.0, 3.0, 4.0]).unwrap();
    interp.invoke().unwrap();
    let y = interp.output::<f32>(0).unwrap();
    let want: Vec<f32> = (0..3)
        .map(|o| {
            [0.5f32, -0.5, 1.0][o]
                + (0..4)
                    .map(|i| ((o * 4 + i) as f32 * 0.25 - 1.0) * (i + 1) as f32)
                    .sum::<f32>()
        })
        .collect();
    assert_eq!(y, &want[..]);
}

#[test]
fn truncated_models_are_malformed() {
    let bytes = fc_model();
    let full = bytes.as_slice();
    for cut in 0..full.len() {
        let t = Aligned::copy_of(&full[..cut]);
        match Model::from_bytes(t.as_slice()) {
            Err(Error::Malformed(_)) => {}
            Ok(_) => {} // a prefix may still be a self-consistent buffer; it must not panic
            Err(e) => panic!("cut at {cut}: unexpected {e:?}"),
        }
    }
    assert_eq!(
        Model::from_bytes(&full[..4]).unwrap_err(),
        Error::Malformed(Malformed::TooShort { len: 4 })
    );
    assert!(matches!(
        Model::from_bytes(&full[..full.len() / 2]),
        Err(Error::Malformed(_))
    ));
}

#[test]
fn wrong_identifier() {
    let mut bytes = fc_model();
    bytes.as_mut_slice()[4..8].copy_from_slice(b"TFL2");
    assert_eq!(
        Model::from_bytes(bytes.as_slice()).unwrap_err(),
        Error::Malformed(Malformed::FileIdentifier)
    );
}

#[test]
fn unsupported_op_names_code_and_version() {
    let bytes = unsupported_model();
    let model = Model::from_bytes(bytes.as_slice()).unwrap();
    let resolver = AllOpsResolver::with_all_ops();
    let mut arena = Aligned::zeroed(1024);
    let err = Interpreter::new(model, &resolver, arena.as_mut_slice())
        .err()
        .unwrap();
    assert_eq!(
        err,
        Error::UnsupportedOp {
            op: 0,
            code: 15,
            version: 1
        }
    );
    assert!(err.to_string().contains("LSH_PROJECTION"), "{err}");
}

#[test]
fn op_missing_from_resolver() {
    let bytes = fc_model();
    let model = Model::from_bytes(bytes.as_slice()).unwrap();
    let mut resolver = MutableOpResolver::<1>::new();
    resolver.add_softmax().unwrap();
    assert_eq!(resolver.add_conv_2d().err(), Some(Error::ResolverFull));
    let mut arena = Aligned::zeroed(1024);
    let err = Interpreter::new(model, &resolver, arena.as_mut_slice())
        .err()
        .unwrap();
    assert_eq!(
        err,
        Error::UnsupportedOp {
            op: 0,
            code: 9,
            version: 1
        }
    );
}

#[test]
fn arena_one_byte_short() {
    let bytes = fc_model();
    let model = Model::from_bytes(bytes.as_slice()).unwrap();
    let mut resolver = MutableOpResolver::<1>::new();
    resolver.add_fully_connected().unwrap();
    let mut big = Aligned::zeroed(1 << 16);
    let needed = Interpreter::arena_size(model, &resolver, big.as_mut_slice()).unwrap();
    let mut exact = Aligned::zeroed(needed);
    assert!(Interpreter::new(model, &resolver, exact.as_mut_slice()).is_ok());
    let mut short = Aligned::zeroed(needed - 1);
    let err = Interpreter::new(model, &resolver, short.as_mut_slice())
        .err()
        .unwrap();
    assert_eq!(
        err,
        Error::ArenaTooSmall {
            needed,
            available: needed - 1
        }
    );
}

#[test]
fn misaligned_arena() {
    let bytes = fc_model();
    let model = Model::from_bytes(bytes.as_slice()).unwrap();
    let resolver = AllOpsResolver::with_all_ops();
    let mut arena = Aligned::zeroed(4096);
    let err = Interpreter::new(model, &resolver, arena.misaligned_mut())
        .err()
        .unwrap();
    assert_eq!(err, Error::ArenaMisaligned);
}

#[test]
fn bad_indices_and_types() {
    let bytes = fc_model();
    let model = Model::from_bytes(bytes.as_slice()).unwrap();
    let resolver = AllOpsResolver::with_all_ops();
    let mut arena = Aligned::zeroed(4096);
    let mut interp = Interpreter::new(model, &resolver, arena.as_mut_slice()).unwrap();
    assert_eq!(
        interp.input_mut::<f32>(1).err(),
        Some(Error::BadIndex { index: 1 })
    );
    assert!(matches!(
        interp.input_mut::<i8>(0),
        Err(Error::WrongType { .. })
    ));
    assert_eq!(
        interp.set_input(0, &[1.0f32]).err(),
        Some(Error::WrongLength {
            expected: 4,
            actual: 1
        })
    );
    assert!(interp.output::<f32>(7).is_err());
}

#[test]
fn real_models_arena_one_byte_short() {
    let mut checked = 0;
    for path in common::all_model_files() {
        let bytes = common::load(&path);
        let model = Model::from_bytes(bytes.as_slice()).unwrap();
        let resolver = AllOpsResolver::with_all_ops();
        let mut big = Aligned::zeroed(8 << 20);
        let Ok(needed) = Interpreter::arena_size(model, &resolver, big.as_mut_slice()) else {
            continue;
        };
        let mut short = Aligned::zeroed(needed - 1);
        let err = Interpreter::new(model, &resolver, short.as_mut_slice()).err();
        assert_eq!(
            err,
            Some(Error::ArenaTooSmall {
                needed,
                available: needed - 1
            }),
            "{}",
            path.display()
        );
        checked += 1;
    }
    assert!(checked >= 115, "only {checked} models checked");
}
