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

// ---- sparse tensors and DENSIFY ---------------------------------------------------------------

use microlite::Malformed;
use tflite::{DimensionMetadataT, DimensionType, Int32VectorT, SparseIndexVectorT, Uint8VectorT};

fn dense_level(n: i32) -> DimensionMetadataT {
    let mut m = DimensionMetadataT::default();
    m.format = DimensionType::DENSE;
    m.dense_size = n;
    m
}

fn csr_level(segments: &[i32], indices: &[i32]) -> DimensionMetadataT {
    let v = |x: &[i32]| {
        let mut t = Int32VectorT::default();
        t.values = Some(x.to_vec());
        SparseIndexVectorT::Int32Vector(Box::new(t))
    };
    let mut m = DimensionMetadataT::default();
    m.format = DimensionType::SPARSE_CSR;
    m.array_segments = v(segments);
    m.array_indices = v(indices);
    m
}

/// A [4, 6] float32 matrix stored as CSR rows (row r: columns `IDX[SEG[r]..SEG[r + 1]]`).
const SEG: [i32; 5] = [0, 2, 2, 5, 6];
const IDX: [i32; 6] = [1, 4, 0, 2, 5, 3];
const VALUES: [f32; 6] = [1.0, -2.0, 3.0, 0.5, 7.0, -1.5];

/// DENSIFY of a sparse constant `[rows, cols]` (tensor 0) into a graph output (tensor 1);
/// with `fc`, FULLY_CONNECTED reads the sparse constant directly instead.
fn densify_model(sp: tflite::SparsityParametersT, values: &[f32], fc: bool) -> Aligned {
    let mut s = tensor(&[4, 6], TT::FLOAT32, None);
    s.sparsity = Some(Box::new(sp));
    s.buffer = 1;
    let mut buf = tflite::BufferT::default();
    buf.data = Some(values.iter().flat_map(|v| v.to_le_bytes()).collect());
    let mut c = tflite::OperatorCodeT::default();
    let code = if fc { B::FULLY_CONNECTED } else { B::DENSIFY };
    c.deprecated_builtin_code = code.0.min(127) as i8;
    c.builtin_code = code;
    c.version = 1;
    let mut op = tflite::OperatorT::default();
    let mut tensors = vec![s, tensor(&[4, 6], TT::FLOAT32, None)];
    if fc {
        tensors = vec![tensors.remove(0), tensor(&[1, 6], TT::FLOAT32, None)];
        tensors.push(tensor(&[1, 4], TT::FLOAT32, None));
        op.inputs = Some(vec![1, 0, -1]);
        op.outputs = Some(vec![2]);
    } else {
        op.inputs = Some(vec![0]);
        op.outputs = Some(vec![1]);
    }
    let mut sg = tflite::SubGraphT::default();
    sg.inputs = Some(if fc { vec![1] } else { vec![] });
    sg.outputs = op.outputs.clone();
    sg.tensors = Some(tensors);
    sg.operators = Some(vec![op]);
    let mut m = tflite::ModelT::default();
    m.version = 3;
    m.operator_codes = Some(vec![c]);
    m.subgraphs = Some(vec![sg]);
    m.buffers = Some(vec![tflite::BufferT::default(), buf]);
    let mut fbb = FlatBufferBuilder::new();
    let root = m.pack(&mut fbb);
    tflite::finish_model_buffer(&mut fbb, root);
    Aligned::copy_of(fbb.finished_data())
}

fn csr(order: &[i32], levels: Vec<DimensionMetadataT>) -> tflite::SparsityParametersT {
    let mut sp = tflite::SparsityParametersT::default();
    sp.traversal_order = Some(order.to_vec());
    sp.dim_metadata = Some(levels);
    sp
}

fn rows() -> tflite::SparsityParametersT {
    csr(&[0, 1], vec![dense_level(4), csr_level(&SEG, &IDX)])
}

#[test]
fn densify_csr_rows() {
    let m = densify_model(rows(), &VALUES, false);
    let model = Model::from_bytes(m.as_slice()).unwrap();
    let t = model.main_subgraph().tensor(0).unwrap();
    assert_eq!(t.sparsity().unwrap().value_count(), 6);
    let resolver = AllOpsResolver::with_all_ops();
    let mut arena = Aligned::zeroed(4096);
    let mut interp = Interpreter::new(model, &resolver, arena.as_mut_slice()).unwrap();
    interp.invoke().unwrap();
    let mut want = [0f32; 24];
    for r in 0..4 {
        for k in SEG[r]..SEG[r + 1] {
            want[r * 6 + IDX[k as usize] as usize] = VALUES[k as usize];
        }
    }
    assert_eq!(interp.output::<f32>(0).unwrap(), &want[..]);
    // The same layout with Uint8 index vectors.
    let u8v = |x: &[i32]| {
        let mut t = Uint8VectorT::default();
        t.values = Some(x.iter().map(|&v| v as u8).collect());
        SparseIndexVectorT::Uint8Vector(Box::new(t))
    };
    let mut l = csr_level(&SEG, &IDX);
    (l.array_segments, l.array_indices) = (u8v(&SEG), u8v(&IDX));
    let m = densify_model(csr(&[0, 1], vec![dense_level(4), l]), &VALUES, false);
    let model = Model::from_bytes(m.as_slice()).unwrap();
    let mut arena = Aligned::zeroed(4096);
    let mut interp = Interpreter::new(model, &resolver, arena.as_mut_slice()).unwrap();
    interp.invoke().unwrap();
    assert_eq!(interp.output::<f32>(0).unwrap(), &want[..]);
}

/// A valid sparse tensor is never "malformed" for holding fewer bytes than its shape; an op
/// other than DENSIFY reading it gets a typed error at prepare.
#[test]
fn sparse_input_outside_densify_is_refused() {
    let m = densify_model(rows(), &VALUES, true);
    let model = Model::from_bytes(m.as_slice()).unwrap();
    let resolver = AllOpsResolver::with_all_ops();
    let mut arena = Aligned::zeroed(4096);
    assert_eq!(
        Interpreter::new(model, &resolver, arena.as_mut_slice()).err(),
        Some(Error::SparseInput { op: 0, tensor: 0 })
    );
}

/// The reader leaves sparse layouts to DENSIFY (a firmware without it links none of the
/// checks): a bad one is malformed when DENSIFY prepares.
#[test]
fn bad_sparsity_is_malformed() {
    let sparsity_err = |sp: tflite::SparsityParametersT, values: &[f32]| {
        let m = densify_model(sp, values, false);
        let model = Model::from_bytes(m.as_slice()).unwrap();
        let resolver = AllOpsResolver::with_all_ops();
        let mut arena = Aligned::zeroed(1 << 14);
        Interpreter::new(model, &resolver, arena.as_mut_slice()).err()
    };
    let want = Some(Error::Malformed(Malformed::Sparsity { tensor: 0 }));
    // An index outside its dimension.
    let l = csr_level(&SEG, &[1, 4, 0, 2, 6, 3]);
    assert_eq!(
        sparsity_err(csr(&[0, 1], vec![dense_level(4), l]), &VALUES),
        want
    );
    let l = csr_level(&SEG, &[1, 4, 0, -1, 5, 3]);
    assert_eq!(
        sparsity_err(csr(&[0, 1], vec![dense_level(4), l]), &VALUES),
        want
    );
    // Segments that decrease, or do not end at the number of indices.
    let l = csr_level(&[0, 3, 2, 5, 6], &IDX);
    assert_eq!(
        sparsity_err(csr(&[0, 1], vec![dense_level(4), l]), &VALUES),
        want
    );
    let l = csr_level(&[0, 2, 2, 5, 5], &IDX);
    assert_eq!(
        sparsity_err(csr(&[0, 1], vec![dense_level(4), l]), &VALUES),
        want
    );
    // One segment too few for the positions above.
    let l = csr_level(&[0, 2, 5, 6], &IDX);
    assert_eq!(
        sparsity_err(csr(&[0, 1], vec![dense_level(4), l]), &VALUES),
        want
    );
    // A dense size that is not the dimension's.
    let l = csr_level(&SEG, &IDX);
    assert_eq!(
        sparsity_err(csr(&[0, 1], vec![dense_level(5), l]), &VALUES),
        want
    );
    // Traversal order not a permutation; levels and order of different lengths.
    let l = csr_level(&SEG, &IDX);
    assert_eq!(
        sparsity_err(csr(&[0, 0], vec![dense_level(4), l]), &VALUES),
        want
    );
    assert_eq!(
        sparsity_err(csr(&[0, 1], vec![dense_level(4)]), &VALUES),
        want
    );
    // A block dimension without a block map, or with a zero block size.
    let mut sp = csr(
        &[0, 1, 2],
        vec![
            dense_level(4),
            csr_level(&SEG, &[0, 1, 0, 0, 1, 1]),
            dense_level(3),
        ],
    );
    assert_eq!(sparsity_err(sp.clone(), &[0.0; 18]), want);
    sp.block_map = Some(vec![1]);
    assert_eq!(sparsity_err(sp.clone(), &[0.0; 18]), None);
    sp.block_map = Some(vec![2]);
    assert_eq!(sparsity_err(sp.clone(), &[0.0; 18]), want);
    // A missing index vector.
    let mut l = csr_level(&SEG, &IDX);
    l.array_indices = SparseIndexVectorT::NONE;
    assert_eq!(
        sparsity_err(csr(&[0, 1], vec![dense_level(4), l]), &VALUES),
        want
    );
    // Fewer values than the layout stores: the buffer is too short.
    assert!(matches!(
        sparsity_err(rows(), &VALUES[..5]),
        Some(Error::Malformed(Malformed::BufferTooShort {
            tensor: 0,
            needed: 24,
            ..
        }))
    ));
}
