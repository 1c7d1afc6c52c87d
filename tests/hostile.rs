//! Hostile models found in review: each once hung, panicked (debug), or misbehaved; now each
//! gets a typed error or the right answer, in bounded time.
mod common;

use common::Aligned;
use microlite::{AllOpsResolver, Error, Interpreter, Malformed, Model, QuantParams};
use microlite_schema::flatbuffers;
use microlite_schema::flatbuffers::FlatBufferBuilder;
use microlite_schema::tflite::{self, BuiltinOperator as B, TensorType as TT};
use std::time::Duration;

fn tensor(shape: &[i32], ty: TT, buffer: u32) -> tflite::TensorT {
    let mut t = tflite::TensorT::default();
    t.shape = Some(shape.to_vec());
    t.type_ = ty;
    t.buffer = buffer;
    t
}
fn qtensor(shape: &[i32], ty: TT, scale: f32, zp: i64) -> tflite::TensorT {
    let mut t = tensor(shape, ty, 0);
    let mut q = tflite::QuantizationParametersT::default();
    q.scale = Some(vec![scale]);
    q.zero_point = Some(vec![zp]);
    t.quantization = Some(Box::new(q));
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
    code: u32,
    inputs: &[i32],
    outputs: &[i32],
    options: tflite::BuiltinOptionsT,
) -> tflite::OperatorT {
    let mut op = tflite::OperatorT::default();
    op.opcode_index = code;
    op.inputs = Some(inputs.to_vec());
    op.outputs = Some(outputs.to_vec());
    op.builtin_options = options;
    op
}
fn bytes(
    codes: Vec<tflite::OperatorCodeT>,
    tensors: Vec<tflite::TensorT>,
    inputs: &[i32],
    outputs: &[i32],
    ops: Vec<tflite::OperatorT>,
    buffers: Vec<tflite::BufferT>,
) -> Vec<u8> {
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
    fbb.finished_data().to_vec()
}
fn model(
    codes: Vec<tflite::OperatorCodeT>,
    tensors: Vec<tflite::TensorT>,
    inputs: &[i32],
    outputs: &[i32],
    ops: Vec<tflite::OperatorT>,
    buffers: Vec<tflite::BufferT>,
) -> Aligned {
    Aligned::copy_of(&bytes(codes, tensors, inputs, outputs, ops, buffers))
}
fn add_opts() -> tflite::BuiltinOptionsT {
    tflite::BuiltinOptionsT::AddOptions(Box::default())
}

/// Runs `f` on a thread; panics if it does not finish within `secs`.
fn within(secs: u64, f: impl FnOnce() + Send + 'static) {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        f();
        let _ = tx.send(());
    });
    rx.recv_timeout(Duration::from_secs(secs))
        .expect("did not finish in time: a hang");
}

fn many_inputs(n: usize) -> Aligned {
    let tensors = (0..n).map(|_| tensor(&[16], TT::INT8, 0)).collect();
    let idx: Vec<i32> = (0..n as i32).collect();
    model(vec![], tensors, &idx, &idx, vec![], vec![buffer(&[])])
}
fn shared_tensor_model(n: usize, name_len: usize) -> Aligned {
    use tflite::*;
    let mut fbb = FlatBufferBuilder::new();
    let name = fbb.create_string(&"a".repeat(name_len));
    let shape = fbb.create_vector(&[16i32]);
    let t = Tensor::create(
        &mut fbb,
        &TensorArgs {
            shape: Some(shape),
            type_: TensorType::INT8,
            buffer: 0,
            name: Some(name),
            ..Default::default()
        },
    );
    let tensors = fbb.create_vector(&vec![t; n]);
    let idx: Vec<i32> = (0..n as i32).collect();
    let ins = fbb.create_vector(&idx);
    let outs = fbb.create_vector(&idx);
    let ops = fbb.create_vector::<flatbuffers::ForwardsUOffset<Operator>>(&[]);
    let sg = SubGraph::create(
        &mut fbb,
        &SubGraphArgs {
            tensors: Some(tensors),
            inputs: Some(ins),
            outputs: Some(outs),
            operators: Some(ops),
            ..Default::default()
        },
    );
    let sgs = fbb.create_vector(&[sg]);
    let b = Buffer::create(&mut fbb, &BufferArgs::default());
    let bufs = fbb.create_vector(&[b]);
    let codes = fbb.create_vector::<flatbuffers::ForwardsUOffset<OperatorCode>>(&[]);
    let m = tflite::Model::create(
        &mut fbb,
        &ModelArgs {
            version: 3,
            operator_codes: Some(codes),
            subgraphs: Some(sgs),
            buffers: Some(bufs),
            ..Default::default()
        },
    );
    finish_model_buffer(&mut fbb, m);
    Aligned::copy_of(fbb.finished_data())
}
fn shared_op_model(n_ops: usize, n_inputs: usize) -> Aligned {
    use tflite::*;
    let mut fbb = FlatBufferBuilder::new();
    let shape = fbb.create_vector(&[16i32]);
    let t = Tensor::create(
        &mut fbb,
        &TensorArgs {
            shape: Some(shape),
            type_: TensorType::INT8,
            buffer: 0,
            ..Default::default()
        },
    );
    let tensors = fbb.create_vector(&[t, t]);
    let ins = fbb.create_vector(&[0i32]);
    let outs = fbb.create_vector(&[1i32]);
    let op_ins = fbb.create_vector(&vec![-1i32; n_inputs]);
    let op_outs = fbb.create_vector(&[1i32]);
    let op = Operator::create(
        &mut fbb,
        &OperatorArgs {
            opcode_index: 0,
            inputs: Some(op_ins),
            outputs: Some(op_outs),
            ..Default::default()
        },
    );
    let ops = fbb.create_vector(&vec![op; n_ops]);
    let sg = SubGraph::create(
        &mut fbb,
        &SubGraphArgs {
            tensors: Some(tensors),
            inputs: Some(ins),
            outputs: Some(outs),
            operators: Some(ops),
            ..Default::default()
        },
    );
    let sgs = fbb.create_vector(&[sg]);
    let b = Buffer::create(&mut fbb, &BufferArgs::default());
    let bufs = fbb.create_vector(&[b]);
    let c = OperatorCode::create(
        &mut fbb,
        &OperatorCodeArgs {
            builtin_code: BuiltinOperator::ADD,
            deprecated_builtin_code: 0,
            version: 1,
            ..Default::default()
        },
    );
    let codes = fbb.create_vector(&[c]);
    let m = tflite::Model::create(
        &mut fbb,
        &ModelArgs {
            version: 3,
            operator_codes: Some(codes),
            subgraphs: Some(sgs),
            buffers: Some(bufs),
            ..Default::default()
        },
    );
    finish_model_buffer(&mut fbb, m);
    Aligned::copy_of(fbb.finished_data())
}

fn new_err(m: &Aligned) -> Option<Error> {
    let model = match Model::from_bytes(m.as_slice()) {
        Ok(m) => m,
        Err(e) => return Some(e),
    };
    let r = AllOpsResolver::with_all_ops();
    let mut arena = Aligned::zeroed(1 << 16);
    Interpreter::new(model, &r, arena.as_mut_slice()).err()
}

#[test]
fn offsets_past_u32_do_not_hang_the_planner() {
    let n = 2147483632i32;
    let m = model(
        vec![],
        vec![
            tensor(&[n], TT::INT8, 0),
            tensor(&[n], TT::INT8, 0),
            tensor(&[n], TT::INT8, 0),
            tensor(&[n], TT::INT8, 0),
        ],
        &[0, 1, 2, 3],
        &[0, 1, 2, 3],
        vec![],
        vec![buffer(&[])],
    );
    within(60, move || {
        let e = new_err(&m);
        assert!(
            matches!(
                e,
                Some(Error::TooComplex) | Some(Error::ArenaTooSmall { .. })
            ),
            "{e:?}"
        );
    });
}

#[test]
fn many_tensors_plan_in_bounded_time() {
    // A chain of 4000 ADDs (4001 tensors): an O(n^3) planner takes minutes; O(n^2) is well under.
    let n = 4000usize;
    let tensors = (0..=n).map(|_| tensor(&[4], TT::FLOAT32, 0)).collect();
    let ops = (0..n as i32)
        .map(|i| operator(0, &[i, i], &[i + 1], add_opts()))
        .collect();
    let m = model(
        vec![opcode(B::ADD)],
        tensors,
        &[0],
        &[n as i32],
        ops,
        vec![buffer(&[])],
    );
    within(60, move || {
        let model = Model::from_bytes(m.as_slice()).unwrap();
        let r = AllOpsResolver::with_all_ops();
        let mut arena = Aligned::zeroed(1 << 20);
        let i = Interpreter::new(model, &r, arena.as_mut_slice()).unwrap();
        assert_eq!(i.head_bytes(), 2 * 16);
    });
}

#[test]
fn huge_indices_on_accessors() {
    let m = many_inputs(1);
    let model = Model::from_bytes(m.as_slice()).unwrap();
    assert!(model.main_subgraph().tensor(usize::MAX).is_none());
    assert!(model.main_subgraph().operator(usize::MAX).is_none());
    assert!(model.subgraph(usize::MAX).is_none());
    let _ = model.operator_code(usize::MAX);
    let _ = model.metadata(usize::MAX);
    let r = AllOpsResolver::with_all_ops();
    let mut arena = Aligned::zeroed(4096);
    let i = Interpreter::new(model, &r, arena.as_mut_slice()).unwrap();
    assert!(i.allocation(usize::MAX).is_none());
    assert!(i.input_info(usize::MAX).is_err());
}

#[test]
fn quantize_helpers_saturate() {
    let q = QuantParams {
        scale: 0.5,
        zero_point: 3,
    };
    assert_eq!(q.quantize_i8(f32::INFINITY), 127);
    assert_eq!(q.quantize_i8(f32::NEG_INFINITY), -128);
    assert_eq!(q.quantize_i8(f32::NAN), 3);
    let q = QuantParams {
        scale: 1.0,
        zero_point: i32::MIN,
    };
    assert_eq!(q.dequantize_i8(0), 2147483648.0);
    let q = QuantParams {
        scale: 1.0,
        zero_point: i32::MAX,
    };
    assert_eq!(q.quantize_i8(1e30), 127);
}

#[test]
fn zero_points_outside_i32_are_not_truncated() {
    let m = model(
        vec![],
        vec![qtensor(&[4], TT::INT8, 1.0, (1i64 << 32) + 5)],
        &[0],
        &[0],
        vec![],
        vec![buffer(&[])],
    );
    let model = Model::from_bytes(m.as_slice()).unwrap();
    let r = AllOpsResolver::with_all_ops();
    let mut arena = Aligned::zeroed(4096);
    let i = Interpreter::new(model, &r, arena.as_mut_slice()).unwrap();
    assert!(i.output_info(0).unwrap().quant().is_none());
}

#[test]
fn in_place_and_repeated_writers_are_refused() {
    // t = x + x; t = t + x: a second writer of t, and an op reading its own output.
    let m = model(
        vec![opcode(B::ADD)],
        vec![tensor(&[4], TT::FLOAT32, 0), tensor(&[4], TT::FLOAT32, 0)],
        &[0],
        &[1],
        vec![
            operator(0, &[0, 0], &[1], add_opts()),
            operator(0, &[1, 0], &[1], add_opts()),
        ],
        vec![buffer(&[])],
    );
    assert_eq!(
        new_err(&m),
        Some(Error::Malformed(Malformed::MultipleWriters {
            op: 1,
            tensor: 1
        }))
    );
    // A RESHAPE cycle: a = x + x; b = reshape(a); a = reshape(b).
    let m = model(
        vec![opcode(B::ADD), opcode(B::RESHAPE)],
        vec![
            tensor(&[4], TT::FLOAT32, 0),
            tensor(&[4], TT::FLOAT32, 0),
            tensor(&[2, 2], TT::FLOAT32, 0),
        ],
        &[0],
        &[1],
        vec![
            operator(0, &[0, 0], &[1], add_opts()),
            operator(1, &[1], &[2], tflite::BuiltinOptionsT::NONE),
            operator(1, &[2], &[1], tflite::BuiltinOptionsT::NONE),
        ],
        vec![buffer(&[])],
    );
    assert_eq!(
        new_err(&m),
        Some(Error::Malformed(Malformed::MultipleWriters {
            op: 2,
            tensor: 1
        }))
    );
    // SPLIT writing the same tensor twice.
    let axis = 0i32.to_le_bytes();
    let mut so = tflite::SplitOptionsT::default();
    so.num_splits = 2;
    let m = model(
        vec![opcode(B::SPLIT)],
        vec![
            tensor(&[], TT::INT32, 1),
            tensor(&[4], TT::FLOAT32, 0),
            tensor(&[2], TT::FLOAT32, 0),
        ],
        &[1],
        &[2],
        vec![operator(
            0,
            &[0, 1],
            &[2, 2],
            tflite::BuiltinOptionsT::SplitOptions(Box::new(so)),
        )],
        vec![buffer(&[]), buffer(&axis)],
    );
    assert_eq!(
        new_err(&m),
        Some(Error::Malformed(Malformed::MultipleWriters {
            op: 0,
            tensor: 2
        }))
    );
}

#[test]
fn variable_tensor_writers() {
    // Variable tensors may be written by several ops (state), but never by an op reading
    // them nor twice by one op; the first op may write one (live from step 0).
    let var = |shape: &[i32]| {
        let mut t = tensor(shape, TT::FLOAT32, 0);
        t.is_variable = true;
        t
    };
    let ok = model(
        vec![opcode(B::ADD)],
        vec![
            tensor(&[4], TT::FLOAT32, 0),
            var(&[4]),
            tensor(&[4], TT::FLOAT32, 0),
        ],
        &[0],
        &[2],
        vec![
            operator(0, &[0, 0], &[1], add_opts()),
            operator(0, &[1, 0], &[2], add_opts()),
            operator(0, &[0, 0], &[1], add_opts()),
        ],
        vec![buffer(&[])],
    );
    assert_eq!(new_err(&ok), None);
    let own = model(
        vec![opcode(B::ADD)],
        vec![
            tensor(&[4], TT::FLOAT32, 0),
            var(&[4]),
            tensor(&[4], TT::FLOAT32, 0),
        ],
        &[0],
        &[2],
        vec![
            operator(0, &[0, 0], &[2], add_opts()),
            operator(0, &[1, 0], &[1], add_opts()),
        ],
        vec![buffer(&[])],
    );
    assert_eq!(
        new_err(&own),
        Some(Error::Malformed(Malformed::MultipleWriters {
            op: 1,
            tensor: 1
        }))
    );
    let axis = 0i32.to_le_bytes();
    let mut so = tflite::SplitOptionsT::default();
    so.num_splits = 2;
    let twice = model(
        vec![opcode(B::SPLIT)],
        vec![
            tensor(&[], TT::INT32, 1),
            tensor(&[4], TT::FLOAT32, 0),
            var(&[2]),
        ],
        &[1],
        &[2],
        vec![operator(
            0,
            &[0, 1],
            &[2, 2],
            tflite::BuiltinOptionsT::SplitOptions(Box::new(so)),
        )],
        vec![buffer(&[]), buffer(&axis)],
    );
    assert_eq!(
        new_err(&twice),
        Some(Error::Malformed(Malformed::MultipleWriters {
            op: 0,
            tensor: 2
        }))
    );
}

#[test]
fn empty_tensors_run() {
    let m = model(
        vec![opcode(B::ADD)],
        vec![
            tensor(&[0, 4], TT::FLOAT32, 0),
            tensor(&[0, 4], TT::FLOAT32, 0),
        ],
        &[0],
        &[1],
        vec![operator(0, &[0, 0], &[1], add_opts())],
        vec![buffer(&[])],
    );
    let model = Model::from_bytes(m.as_slice()).unwrap();
    let r = AllOpsResolver::with_all_ops();
    let mut arena = Aligned::zeroed(4096);
    let mut i = Interpreter::new(model, &r, arena.as_mut_slice()).unwrap();
    assert_eq!(i.input_bytes_mut(0).map(|b| b.len()), Ok(0));
    assert_eq!(i.invoke(), Ok(()));
    assert_eq!(i.output::<f32>(0).map(|o| o.len()), Ok(0));
}

#[test]
fn misaligned_weights_are_refused_at_new() {
    let w: Vec<u8> = (0..12).flat_map(|i| (i as f32).to_le_bytes()).collect();
    let b = bytes(
        vec![opcode(B::FULLY_CONNECTED)],
        vec![
            tensor(&[1, 4], TT::FLOAT32, 0),
            tensor(&[3, 4], TT::FLOAT32, 1),
            tensor(&[1, 3], TT::FLOAT32, 0),
        ],
        &[0],
        &[2],
        vec![operator(
            0,
            &[0, 1, -1],
            &[2],
            tflite::BuiltinOptionsT::FullyConnectedOptions(Box::default()),
        )],
        vec![buffer(&[]), buffer(&w)],
    );
    let mut shifted = Aligned::zeroed(b.len() + 1);
    shifted.as_mut_slice()[1..].copy_from_slice(&b);
    let model = Model::from_bytes(&shifted.as_slice()[1..]).unwrap();
    let r = AllOpsResolver::with_all_ops();
    let mut arena = Aligned::zeroed(4096);
    assert_eq!(
        Interpreter::new(model, &r, arena.as_mut_slice()).err(),
        Some(Error::DataMisaligned { tensor: 1 })
    );
}

#[test]
fn shared_tables_cannot_amplify_verification() {
    // One tensor table with a 256 KiB name, referenced 16384 times: 4 GiB of apparent names.
    let m = shared_tensor_model(16384, 1 << 18);
    within(60, move || {
        assert_eq!(
            Model::from_bytes(m.as_slice()).err(),
            Some(Error::Malformed(Malformed::Budget))
        )
    });
    // One op table with 1024 inputs, referenced 65536 times.
    let m = shared_op_model(1 << 16, 1024);
    within(60, move || {
        assert_eq!(
            Model::from_bytes(m.as_slice()).err(),
            Some(Error::Malformed(Malformed::Budget))
        )
    });
    // Operand lists past the cap.
    let m = shared_op_model(1, 4096);
    assert_eq!(
        Model::from_bytes(m.as_slice()).err(),
        Some(Error::Malformed(Malformed::Budget))
    );
}
