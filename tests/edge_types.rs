//! Types at a model's edges and beyond TFLM: uint8 QUANTIZE / DEQUANTIZE (the pairs TFLM runs,
//! `output::<u8>`), on small synthetic models and the corpus.

mod common;

use common::{own_models, Aligned};
use microlite::{AllOpsResolver, Error, Interpreter, Model, TensorType};
use microlite_schema::flatbuffers::FlatBufferBuilder;
use microlite_schema::tflite::{self, BuiltinOperator as B, TensorType as TT};

/// A tensor on buffer 0 (an activation), with per-tensor quantization when given.
fn tensor(shape: &[i32], ty: TT, quant: Option<(f32, i64)>) -> tflite::TensorT {
    let mut t = tflite::TensorT::default();
    t.shape = Some(shape.to_vec());
    t.type_ = ty;
    t.name = Some("t".into());
    if let Some((s, z)) = quant {
        let mut q = tflite::QuantizationParametersT::default();
        q.scale = Some(vec![s]);
        q.zero_point = Some(vec![z]);
        t.quantization = Some(Box::new(q));
    }
    t
}

/// A one-op model: tensor 0 in, tensor 1 out.
fn one_op(code: B, tensors: Vec<tflite::TensorT>) -> Aligned {
    let mut c = tflite::OperatorCodeT::default();
    c.deprecated_builtin_code = code.0.min(127) as i8;
    c.builtin_code = code;
    c.version = 1;
    let mut op = tflite::OperatorT::default();
    op.inputs = Some(vec![0]);
    op.outputs = Some(vec![1]);
    let mut sg = tflite::SubGraphT::default();
    sg.tensors = Some(tensors);
    sg.inputs = Some(vec![0]);
    sg.outputs = Some(vec![1]);
    sg.operators = Some(vec![op]);
    let mut m = tflite::ModelT::default();
    m.version = 3;
    m.operator_codes = Some(vec![c]);
    m.subgraphs = Some(vec![sg]);
    m.buffers = Some(vec![tflite::BufferT::default()]);
    let mut fbb = FlatBufferBuilder::new();
    let root = m.pack(&mut fbb);
    tflite::finish_model_buffer(&mut fbb, root);
    Aligned::copy_of(fbb.finished_data())
}

fn prepare_err(bytes: &Aligned) -> Error {
    let model = Model::from_bytes(bytes.as_slice()).unwrap();
    let resolver = AllOpsResolver::with_all_ops();
    let mut arena = Aligned::zeroed(4096);
    Interpreter::new(model, &resolver, arena.as_mut_slice())
        .err()
        .unwrap()
}

#[test]
fn quantize_uint8_pairs_as_tflm() {
    let q = Some((0.05, 3));
    // TFLM's prepare accepts float32 -> uint8 and its eval refuses it: refused at prepare.
    let m = one_op(
        B::QUANTIZE,
        vec![tensor(&[4], TT::FLOAT32, None), tensor(&[4], TT::UINT8, q)],
    );
    assert!(matches!(
        prepare_err(&m),
        Error::UnsupportedType { tensor: 1, .. }
    ));
    // uint8 -> int16 / uint8: not TFLM's pairs.
    for out in [TT::INT16, TT::UINT8, TT::INT32] {
        let m = one_op(
            B::QUANTIZE,
            vec![tensor(&[4], TT::UINT8, q), tensor(&[4], out, q)],
        );
        assert!(
            matches!(prepare_err(&m), Error::UnsupportedType { tensor: 1, .. }),
            "{out:?}"
        );
    }
}

/// microWakeWord's last op (int8 -> uint8, same scale, zero points -128 -> 0) through the
/// typed accessors: `output::<u8>` hands out the uint8 output, `output::<i8>` refuses it.
#[test]
fn uint8_output_accessor() {
    let m = common::load(&own_models().join("quantize_i8_to_u8/model.tflite"));
    let model = Model::from_bytes(m.as_slice()).unwrap();
    let resolver = AllOpsResolver::with_all_ops();
    let mut arena = Aligned::zeroed(8192);
    let mut interp = Interpreter::new(model, &resolver, arena.as_mut_slice()).unwrap();
    assert_eq!(interp.output_info(0).unwrap().ty(), TensorType::UInt8);
    let x: Vec<i8> = (0..64).map(|i| (i * 4 - 128) as i8).collect();
    interp.set_input(0, &x).unwrap();
    interp.invoke().unwrap();
    let want: Vec<u8> = x.iter().map(|&v| (v as u8) ^ 0x80).collect();
    assert_eq!(interp.output::<u8>(0).unwrap(), &want[..]);
    assert!(matches!(
        interp.output::<i8>(0),
        Err(Error::WrongType { .. })
    ));
}

/// DEQUANTIZE float16 -> float32 (beyond TFLM): every half value exactly, from a graph input.
#[test]
fn dequantize_float16_exact() {
    let m = one_op(
        B::DEQUANTIZE,
        vec![
            tensor(&[6], TT::FLOAT16, None),
            tensor(&[6], TT::FLOAT32, None),
        ],
    );
    let model = Model::from_bytes(m.as_slice()).unwrap();
    let resolver = AllOpsResolver::with_all_ops();
    let mut arena = Aligned::zeroed(4096);
    let mut interp = Interpreter::new(model, &resolver, arena.as_mut_slice()).unwrap();
    let halves: [u16; 6] = [0x3c00, 0x8000, 0x0001, 0x7bff, 0xc248, 0x7c00];
    let bytes: Vec<u8> = halves.iter().flat_map(|h| h.to_le_bytes()).collect();
    interp.input_bytes_mut(0).unwrap().copy_from_slice(&bytes);
    interp.invoke().unwrap();
    let out = interp.output::<f32>(0).unwrap();
    assert_eq!(
        out,
        &[1.0, -0.0, 2f32.powi(-24), 65504.0, -3.140625, f32::INFINITY]
    );
    assert!(out[1].is_sign_negative());
    // float16 -> anything but float32 is refused.
    let m = one_op(
        B::DEQUANTIZE,
        vec![
            tensor(&[6], TT::FLOAT16, None),
            tensor(&[6], TT::INT8, None),
        ],
    );
    assert!(matches!(
        prepare_err(&m),
        Error::UnsupportedType { tensor: 1, .. }
    ));
}
