//! The op-breadth wave 3 ops (unary math, comparisons, logical ops, SELECT_V2, FLOOR_DIV,
//! FLOOR_MOD, ADD_N, GATHER, GATHER_ND, REDUCE_MAX, REDUCE_MIN, ELU, int8 DIV, REVERSE_V2, MIRROR_PAD, FILL, ZEROS_LIKE, SPACE_TO_BATCH_ND, BATCH_TO_SPACE_ND, BROADCAST_TO, BROADCAST_ARGS, EMBEDDING_LOOKUP, CUMSUM, L2_POOL_2D, DYNAMIC_UPDATE_SLICE, BATCH_MATMUL, LOG_SOFTMAX) on small synthetic models: the dtypes TFLM refuses are refused in prepare
//! with a typed error, and what TFLM fails at invoke fails there too.

mod common;

use common::Aligned;
use microlite::{AllOpsResolver, Error, Interpreter, Model};
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

/// A one-op model whose graph inputs are the op's inputs (`0..n`) and whose output is the
/// last tensor.
fn one_op(code: B, tensors: Vec<tflite::TensorT>) -> Aligned {
    one_op_with(code, tensors, tflite::BuiltinOptionsT::NONE)
}

/// [`one_op`] with builtin options.
fn one_op_with(
    code: B,
    tensors: Vec<tflite::TensorT>,
    options: tflite::BuiltinOptionsT,
) -> Aligned {
    let n = tensors.len() as i32;
    let mut c = tflite::OperatorCodeT::default();
    c.deprecated_builtin_code = code.0.min(127) as i8;
    c.builtin_code = code;
    c.version = 1;
    let inputs: Vec<i32> = (0..n - 1).collect();
    let mut op = tflite::OperatorT::default();
    op.inputs = Some(inputs.clone());
    op.outputs = Some(vec![n - 1]);
    op.builtin_options = options;
    let mut sg = tflite::SubGraphT::default();
    sg.tensors = Some(tensors);
    sg.inputs = Some(inputs);
    sg.outputs = Some(vec![n - 1]);
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

fn prepare(bytes: &Aligned, arena: &mut Aligned) -> Result<(), Error> {
    let model = Model::from_bytes(bytes.as_slice()).unwrap();
    let resolver = AllOpsResolver::with_all_ops();
    Interpreter::new(model, &resolver, arena.as_mut_slice()).map(|_| ())
}

fn prepare_err(bytes: &Aligned) -> Error {
    let mut arena = Aligned::zeroed(4096);
    prepare(bytes, &mut arena).err().unwrap()
}

const Q: Option<(f32, i64)> = Some((0.05, 0));

#[test]
fn float_only_math_refuses_integers() {
    for code in [
        B::NEG,
        B::SQUARE,
        B::SQRT,
        B::EXP,
        B::LOG,
        B::SIN,
        B::COS,
        B::FLOOR,
        B::CEIL,
        B::ROUND,
    ] {
        let m = one_op(
            code,
            vec![tensor(&[4], TT::INT8, Q), tensor(&[4], TT::INT8, Q)],
        );
        assert!(
            matches!(prepare_err(&m), Error::UnsupportedType { tensor: 0, .. }),
            "{code:?}"
        );
        let m = one_op(
            code,
            vec![
                tensor(&[4], TT::FLOAT32, None),
                tensor(&[5], TT::FLOAT32, None),
            ],
        );
        assert!(
            matches!(prepare_err(&m), Error::ShapeMismatch { tensor: 1, .. }),
            "{code:?}"
        );
    }
}

#[test]
fn abs_and_rsqrt_dtypes() {
    // TFLM: int16 ABS needs zero points 0; RSQRT has no int16 kernel.
    let m = one_op(
        B::ABS,
        vec![
            tensor(&[4], TT::INT16, Some((0.01, 3))),
            tensor(&[4], TT::INT16, Some((0.01, 0))),
        ],
    );
    assert!(matches!(
        prepare_err(&m),
        Error::BadQuantization { tensor: 0, .. }
    ));
    let m = one_op(
        B::RSQRT,
        vec![tensor(&[4], TT::INT16, Q), tensor(&[4], TT::INT16, Q)],
    );
    assert!(matches!(prepare_err(&m), Error::UnsupportedType { .. }));
    let m = one_op(
        B::ABS,
        vec![tensor(&[4], TT::INT32, None), tensor(&[4], TT::INT32, None)],
    );
    assert!(matches!(prepare_err(&m), Error::UnsupportedType { .. }));
}

#[test]
fn rsqrt_int8_below_zero_point_fails_the_invoke() {
    let m = one_op(
        B::RSQRT,
        vec![
            tensor(&[3], TT::INT8, Some((0.01, -10))),
            tensor(&[3], TT::INT8, Some((0.05, -128))),
        ],
    );
    let model = Model::from_bytes(m.as_slice()).unwrap();
    let resolver = AllOpsResolver::with_all_ops();
    let mut arena = Aligned::zeroed(4096);
    let mut it = Interpreter::new(model, &resolver, arena.as_mut_slice()).unwrap();
    it.set_input(0, &[-10i8, 90, 30]).unwrap();
    it.invoke().unwrap();
    // -10 is the zero point (max output); 1/sqrt(1.0) = 1 -> 20 - 128; 1/sqrt(0.4) -> 31.6.
    assert_eq!(it.output::<i8>(0).unwrap(), &[127, -108, -96]);
    it.set_input(0, &[-10i8, -11, 30]).unwrap();
    assert!(it.invoke().is_err());
}

#[test]
fn comparison_dtypes() {
    // TFLM's int16 GREATER never sets its rescaling (always false): refused, as int16 is for
    // the other comparisons.
    for code in [B::GREATER, B::LESS, B::EQUAL] {
        let m = one_op(
            code,
            vec![
                tensor(&[4], TT::INT16, Q),
                tensor(&[4], TT::INT16, Q),
                tensor(&[4], TT::BOOL, None),
            ],
        );
        assert!(matches!(
            prepare_err(&m),
            Error::UnsupportedType { tensor: 0, .. }
        ));
    }
    // Bool inputs: EQUAL and NOT_EQUAL only.
    let bools = |code| {
        one_op(
            code,
            vec![
                tensor(&[4], TT::BOOL, None),
                tensor(&[4], TT::BOOL, None),
                tensor(&[4], TT::BOOL, None),
            ],
        )
    };
    let mut arena = Aligned::zeroed(4096);
    assert!(prepare(&bools(B::NOT_EQUAL), &mut arena).is_ok());
    assert!(matches!(
        prepare_err(&bools(B::GREATER_EQUAL)),
        Error::UnsupportedType { .. }
    ));
    // An int8 scale of 1 or more aborts TFLM's set-up; the output must be bool.
    let m = one_op(
        B::LESS,
        vec![
            tensor(&[4], TT::INT8, Some((1.5, 0))),
            tensor(&[4], TT::INT8, Q),
            tensor(&[4], TT::BOOL, None),
        ],
    );
    assert!(matches!(
        prepare_err(&m),
        Error::BadQuantization { tensor: 0, .. }
    ));
    let m = one_op(
        B::LESS,
        vec![
            tensor(&[4], TT::FLOAT32, None),
            tensor(&[1], TT::FLOAT32, None),
            tensor(&[4], TT::FLOAT32, None),
        ],
    );
    assert!(matches!(
        prepare_err(&m),
        Error::UnsupportedType { tensor: 2, .. }
    ));
}

#[test]
fn logical_and_select_dtypes() {
    let m = one_op(
        B::LOGICAL_AND,
        vec![
            tensor(&[4], TT::INT8, None),
            tensor(&[4], TT::INT8, None),
            tensor(&[4], TT::INT8, None),
        ],
    );
    assert!(matches!(prepare_err(&m), Error::UnsupportedType { .. }));
    let m = one_op(
        B::SELECT_V2,
        vec![
            tensor(&[2, 1], TT::BOOL, None),
            tensor(&[1, 3], TT::INT32, None),
            tensor(&[1], TT::INT32, None),
            tensor(&[2, 3], TT::INT32, None),
        ],
    );
    assert!(matches!(
        prepare_err(&m),
        Error::UnsupportedType { tensor: 1, .. }
    ));
    let m = one_op(
        B::SELECT_V2,
        vec![
            tensor(&[2, 1], TT::BOOL, None),
            tensor(&[1, 3], TT::FLOAT32, None),
            tensor(&[2], TT::FLOAT32, None),
            tensor(&[2, 3], TT::FLOAT32, None),
        ],
    );
    assert!(matches!(prepare_err(&m), Error::ShapeMismatch { .. }));
}

#[test]
fn select_v2_broadcasts_a_bool_condition() {
    let m = one_op(
        B::SELECT_V2,
        vec![
            tensor(&[2, 1], TT::BOOL, None),
            tensor(&[1, 3], TT::FLOAT32, None),
            tensor(&[1], TT::FLOAT32, None),
            tensor(&[2, 3], TT::FLOAT32, None),
        ],
    );
    let model = Model::from_bytes(m.as_slice()).unwrap();
    let resolver = AllOpsResolver::with_all_ops();
    let mut arena = Aligned::zeroed(4096);
    let mut it = Interpreter::new(model, &resolver, arena.as_mut_slice()).unwrap();
    it.input_bytes_mut(0).unwrap().copy_from_slice(&[0, 1]);
    it.set_input(1, &[1.0f32, 2.0, 3.0]).unwrap();
    it.set_input(2, &[-1.0f32]).unwrap();
    it.invoke().unwrap();
    assert_eq!(
        it.output::<f32>(0).unwrap(),
        &[-1.0, -1.0, -1.0, 1.0, 2.0, 3.0]
    );
}

#[test]
fn squared_difference_int16_needs_zero_points_0() {
    let m = one_op(
        B::SQUARED_DIFFERENCE,
        vec![
            tensor(&[4], TT::INT16, Some((0.01, 0))),
            tensor(&[4], TT::INT16, Some((0.01, 2))),
            tensor(&[4], TT::INT16, Some((0.01, 0))),
        ],
    );
    assert!(matches!(
        prepare_err(&m),
        Error::BadQuantization { tensor: 1, .. }
    ));
    let m = one_op(
        B::SQUARED_DIFFERENCE,
        vec![
            tensor(&[4], TT::INT64, None),
            tensor(&[4], TT::INT64, None),
            tensor(&[4], TT::INT64, None),
        ],
    );
    assert!(matches!(prepare_err(&m), Error::UnsupportedType { .. }));
}

/// A one-op model with float32 inputs of these values, invoked; the output or the error.
fn run_f32(code: B, tensors: Vec<tflite::TensorT>, inputs: &[&[f32]]) -> Result<Vec<f32>, Error> {
    let m = one_op(code, tensors);
    let model = Model::from_bytes(m.as_slice()).unwrap();
    let resolver = AllOpsResolver::with_all_ops();
    let mut arena = Aligned::zeroed(8192);
    let mut it = Interpreter::new(model, &resolver, arena.as_mut_slice())?;
    for (k, x) in inputs.iter().enumerate() {
        it.set_input(k, x).unwrap();
    }
    it.invoke()?;
    Ok(it.output::<f32>(0).unwrap().to_vec())
}

#[test]
fn floor_div_and_floor_mod_are_float32_only() {
    for code in [B::FLOOR_DIV, B::FLOOR_MOD] {
        for ty in [TT::INT32, TT::INT8, TT::INT16] {
            let q = (ty != TT::INT32).then_some((0.05, 0));
            let m = one_op(
                code,
                vec![
                    tensor(&[4], ty, q),
                    tensor(&[4], ty, q),
                    tensor(&[4], ty, q),
                ],
            );
            assert!(
                matches!(prepare_err(&m), Error::UnsupportedType { tensor: 0, .. }),
                "{code:?} {ty:?}"
            );
        }
    }
    let f = |s: &[i32]| tensor(s, TT::FLOAT32, None);
    // floor of the double quotient: 0.5f / 0.1f is just below 5.
    let out = run_f32(
        B::FLOOR_DIV,
        vec![f(&[2, 2]), f(&[1]), f(&[2, 2])],
        &[&[0.5, -7.0, 7.0, -0.0], &[0.1]],
    )
    .unwrap();
    assert_eq!(out, [4.0, -70.0, 69.0, -0.0]);
    let out = run_f32(
        B::FLOOR_MOD,
        vec![f(&[4]), f(&[4]), f(&[4])],
        &[&[7.0, -7.0, 7.0, 1.0], &[3.0, 3.0, -3.0, 0.0]],
    )
    .unwrap();
    assert_eq!(&out[..3], &[1.0, 2.0, -2.0]);
    assert!(out[3].is_nan());
    // TFLM fails FLOOR_DIV at invoke on any zero divisor.
    let r = run_f32(
        B::FLOOR_DIV,
        vec![f(&[2]), f(&[2]), f(&[2])],
        &[&[1.0, 2.0], &[1.0, -0.0]],
    );
    assert!(matches!(r, Err(Error::BadOptions { .. })), "{r:?}");
}

#[test]
fn add_n_dtypes_and_quantization() {
    let f = |s: &[i32]| tensor(s, TT::FLOAT32, None);
    let out = run_f32(
        B::ADD_N,
        vec![f(&[3]), f(&[3]), f(&[3]), f(&[3])],
        &[&[1.0, 2.0, -0.0], &[0.5, 0.25, -0.0], &[-1.0, 4.0, -0.0]],
    )
    .unwrap();
    assert_eq!(out, [0.5, 6.25, 0.0]);
    assert!(out[2].is_sign_positive());
    // One input is not enough; shapes must match; int8 inputs share one quantization.
    let m = one_op(B::ADD_N, vec![f(&[3]), f(&[3])]);
    assert!(matches!(prepare_err(&m), Error::OperandCount { .. }));
    let m = one_op(B::ADD_N, vec![f(&[3]), f(&[1]), f(&[3])]);
    assert!(matches!(
        prepare_err(&m),
        Error::ShapeMismatch { tensor: 1, .. }
    ));
    let m = one_op(
        B::ADD_N,
        vec![
            tensor(&[3], TT::INT8, Some((0.05, 1))),
            tensor(&[3], TT::INT8, Some((0.05, 2))),
            tensor(&[3], TT::INT8, Q),
        ],
    );
    assert!(matches!(
        prepare_err(&m),
        Error::BadQuantization { tensor: 1, .. }
    ));
    for ty in [TT::INT16, TT::INT32] {
        let m = one_op(
            B::ADD_N,
            vec![
                tensor(&[3], ty, Q),
                tensor(&[3], ty, Q),
                tensor(&[3], ty, Q),
            ],
        );
        assert!(matches!(prepare_err(&m), Error::UnsupportedType { .. }));
    }
}

/// GATHER's options.
fn gather_options(axis: i32, batch_dims: i32) -> tflite::BuiltinOptionsT {
    let mut o = tflite::GatherOptionsT::default();
    o.axis = axis;
    o.batch_dims = batch_dims;
    tflite::BuiltinOptionsT::GatherOptions(Box::new(o))
}

/// Invokes a two-input model (int8 values, int32 positions) and returns the int8 output.
fn run_gather(m: &Aligned, values: &[i8], positions: &[i32]) -> Result<Vec<i8>, Error> {
    let model = Model::from_bytes(m.as_slice()).unwrap();
    let resolver = AllOpsResolver::with_all_ops();
    let mut arena = Aligned::zeroed(8192);
    let mut it = Interpreter::new(model, &resolver, arena.as_mut_slice())?;
    it.set_input(0, values).unwrap();
    it.set_input(1, positions).unwrap();
    it.invoke()?;
    Ok(it.output::<i8>(0).unwrap().to_vec())
}

#[test]
fn gather_positions_dtypes_and_shapes() {
    let i8t = |s: &[i32]| tensor(s, TT::INT8, Q);
    let i32t = |s: &[i32]| tensor(s, TT::INT32, None);
    // [2, 3] along axis 1 by [2, 0, 2]: [2, 3].
    let m = one_op_with(
        B::GATHER,
        vec![i8t(&[2, 3]), i32t(&[3]), i8t(&[2, 3])],
        gather_options(1, 0),
    );
    let values = [1i8, 2, 3, 4, 5, 6];
    assert_eq!(
        run_gather(&m, &values, &[2, 0, 2]).unwrap(),
        [3, 1, 3, 6, 4, 6]
    );
    // A position outside the axis fails the invoke (never reads outside the input).
    for bad in [[3, 0, 0], [0, -1, 0]] {
        let r = run_gather(&m, &values, &bad);
        assert!(matches!(r, Err(Error::BadOptions { .. })), "{r:?}");
    }
    // batch_dims 1, axis -1: each row its own positions.
    let m = one_op_with(
        B::GATHER,
        vec![i8t(&[2, 3]), i32t(&[2, 2]), i8t(&[2, 2])],
        gather_options(-1, 1),
    );
    assert_eq!(
        run_gather(&m, &values, &[2, 1, 0, 0]).unwrap(),
        [3, 2, 4, 4]
    );
    // TFLM: int32 positions only; float32 and int8 values only; batch_dims <= axis.
    let m = one_op(
        B::GATHER,
        vec![i8t(&[2, 3]), tensor(&[3], TT::INT64, None), i8t(&[3, 3])],
    );
    assert!(matches!(
        prepare_err(&m),
        Error::UnsupportedType { tensor: 1, .. }
    ));
    let m = one_op(B::GATHER, vec![i32t(&[2, 3]), i32t(&[3]), i32t(&[3, 3])]);
    assert!(matches!(
        prepare_err(&m),
        Error::UnsupportedType { tensor: 0, .. }
    ));
    let m = one_op_with(
        B::GATHER,
        vec![i8t(&[2, 3]), i32t(&[2, 2]), i8t(&[2, 2])],
        gather_options(0, 1),
    );
    assert!(matches!(prepare_err(&m), Error::BadOptions { .. }));
    // The output must have TFLM's shape.
    let m = one_op_with(
        B::GATHER,
        vec![i8t(&[2, 3]), i32t(&[3]), i8t(&[3, 3])],
        gather_options(1, 0),
    );
    assert!(matches!(
        prepare_err(&m),
        Error::ShapeMismatch { tensor: 2, .. }
    ));
}

#[test]
fn gather_nd_checks_the_flat_extent_only() {
    let i8t = |s: &[i32]| tensor(s, TT::INT8, Q);
    let i32t = |s: &[i32]| tensor(s, TT::INT32, None);
    let m = one_op(B::GATHER_ND, vec![i8t(&[2, 3]), i32t(&[2, 2]), i8t(&[2])]);
    let values = [1i8, 2, 3, 4, 5, 6];
    assert_eq!(run_gather(&m, &values, &[1, 2, 0, 1]).unwrap(), [6, 2]);
    // [0, 4] is past dimension 1 but flat position 4 is inside: TFLM reads it.
    assert_eq!(run_gather(&m, &values, &[0, 4, 1, 0]).unwrap(), [5, 4]);
    for bad in [[1, 3, 0, 0], [0, 0, -1, 0]] {
        let r = run_gather(&m, &values, &bad);
        assert!(matches!(r, Err(Error::BadOptions { .. })), "{r:?}");
    }
    // Rows: tuples of 1.
    let m = one_op(
        B::GATHER_ND,
        vec![i8t(&[2, 3]), i32t(&[3, 1]), i8t(&[3, 3])],
    );
    assert_eq!(
        run_gather(&m, &values, &[1, 0, 1]).unwrap(),
        [4, 5, 6, 1, 2, 3, 4, 5, 6]
    );
    // Tuples longer than the params' rank; int64 indices; int16 params; a wrong output.
    let m = one_op(B::GATHER_ND, vec![i8t(&[2, 3]), i32t(&[1, 3]), i8t(&[1])]);
    assert!(matches!(
        prepare_err(&m),
        Error::ShapeMismatch { tensor: 1, .. }
    ));
    let m = one_op(
        B::GATHER_ND,
        vec![i8t(&[2, 3]), tensor(&[1, 2], TT::INT64, None), i8t(&[1])],
    );
    assert!(matches!(
        prepare_err(&m),
        Error::UnsupportedType { tensor: 1, .. }
    ));
    let m = one_op(
        B::GATHER_ND,
        vec![
            tensor(&[2, 3], TT::INT16, Q),
            i32t(&[1, 2]),
            tensor(&[1], TT::INT16, Q),
        ],
    );
    assert!(matches!(
        prepare_err(&m),
        Error::UnsupportedType { tensor: 0, .. }
    ));
    let m = one_op(
        B::GATHER_ND,
        vec![i8t(&[2, 3]), i32t(&[2, 1]), i8t(&[2, 2])],
    );
    assert!(matches!(
        prepare_err(&m),
        Error::ShapeMismatch { tensor: 2, .. }
    ));
}

/// A REDUCE_MAX / REDUCE_MIN model reducing a [2, 3] input over a constant axis 1.
fn reduce_model(code: B, ty: TT, in_q: Option<(f32, i64)>, out_q: Option<(f32, i64)>) -> Aligned {
    let mut tensors = vec![
        tensor(&[2, 3], ty, in_q),
        tensor(&[1], TT::INT32, None),
        tensor(&[2], ty, out_q),
    ];
    tensors[1].buffer = 1;
    let bytes = {
        let m0 = one_op(code, tensors);
        let mut m = tflite::root_as_model(m0.as_slice()).unwrap().unpack();
        let mut axis = tflite::BufferT::default();
        axis.data = Some(1i32.to_le_bytes().to_vec());
        m.buffers.as_mut().unwrap().push(axis);
        let sg = &mut m.subgraphs.as_mut().unwrap()[0];
        sg.inputs = Some(vec![0]);
        sg.operators.as_mut().unwrap()[0].inputs = Some(vec![0, 1]);
        let mut fbb = FlatBufferBuilder::new();
        let root = m.pack(&mut fbb);
        tflite::finish_model_buffer(&mut fbb, root);
        fbb.finished_data().to_vec()
    };
    Aligned::copy_of(&bytes)
}

#[test]
fn reduce_max_min_dtypes_and_start_values() {
    let m = reduce_model(B::REDUCE_MAX, TT::FLOAT32, None, None);
    let model = Model::from_bytes(m.as_slice()).unwrap();
    let resolver = AllOpsResolver::with_all_ops();
    let mut arena = Aligned::zeroed(4096);
    let mut it = Interpreter::new(model, &resolver, arena.as_mut_slice()).unwrap();
    let ninf = f32::NEG_INFINITY;
    it.set_input(0, &[f32::NAN, 1.0, -2.0, ninf, ninf, ninf])
        .unwrap();
    it.invoke().unwrap();
    // TFLM starts at the lowest finite float: NaN never wins, all -inf gives -FLT_MAX.
    assert_eq!(it.output::<f32>(0).unwrap(), &[1.0, f32::MIN]);
    let q = Some((0.05, -3));
    let mut arena = Aligned::zeroed(4096);
    for code in [B::REDUCE_MAX, B::REDUCE_MIN] {
        assert!(prepare(&reduce_model(code, TT::INT8, q, q), &mut arena).is_ok());
        // TFLM: int8 keeps raw values, so the output's quantization must be the input's.
        let m = reduce_model(code, TT::INT8, q, Some((0.05, -2)));
        assert!(matches!(
            prepare_err(&m),
            Error::BadQuantization { tensor: 2, .. }
        ));
        let m = reduce_model(code, TT::INT8, q, Some((0.06, -3)));
        assert!(matches!(
            prepare_err(&m),
            Error::BadQuantization { tensor: 2, .. }
        ));
        for ty in [TT::INT16, TT::INT32] {
            let m = reduce_model(code, ty, q, q);
            assert!(matches!(
                prepare_err(&m),
                Error::UnsupportedType { tensor: 0, .. }
            ));
        }
    }
}

#[test]
fn elu_dtypes_and_int8_table() {
    // TFLM's ELU: float32 and int8 only.
    for ty in [TT::INT16, TT::INT32] {
        let m = one_op(B::ELU, vec![tensor(&[4], ty, Q), tensor(&[4], ty, Q)]);
        assert!(matches!(
            prepare_err(&m),
            Error::UnsupportedType { tensor: 0, .. }
        ));
    }
    let m = one_op(
        B::ELU,
        vec![tensor(&[4], TT::INT8, None), tensor(&[4], TT::INT8, Q)],
    );
    assert!(matches!(
        prepare_err(&m),
        Error::BadQuantization { tensor: 0, .. }
    ));
    let q = Some((1.0 / 16.0, 0));
    let m = one_op(
        B::ELU,
        vec![tensor(&[4], TT::INT8, q), tensor(&[4], TT::INT8, q)],
    );
    let model = Model::from_bytes(m.as_slice()).unwrap();
    let resolver = AllOpsResolver::with_all_ops();
    let mut arena = Aligned::zeroed(4096);
    let mut it = Interpreter::new(model, &resolver, arena.as_mut_slice()).unwrap();
    it.set_input(0, &[-128i8, -16, 0, 127]).unwrap();
    it.invoke().unwrap();
    // round(16 * (e^-8 - 1)) = -16, round(16 * (e^-1 - 1)) = -10.
    assert_eq!(it.output::<i8>(0).unwrap(), &[-16, -10, 0, 127]);
}

#[test]
fn div_int8_is_refused() {
    // TFLM's int8 DIV shifts past 31 bits for numerators near the zero point (its results
    // there depend on the build): refused rather than matched.
    let m = one_op(
        B::DIV,
        vec![
            tensor(&[4], TT::INT8, Q),
            tensor(&[4], TT::INT8, Q),
            tensor(&[4], TT::INT8, Q),
        ],
    );
    assert!(matches!(
        prepare_err(&m),
        Error::UnsupportedType { tensor: 0, .. }
    ));
}

/// [`one_op_with`] where the tensors listed in `consts` are constants with the given bytes
/// (the others stay graph inputs).
fn with_consts(
    code: B,
    tensors: Vec<tflite::TensorT>,
    consts: &[(usize, Vec<u8>)],
    options: tflite::BuiltinOptionsT,
) -> Aligned {
    let n = tensors.len();
    let m0 = one_op_with(code, tensors, options);
    let mut m = tflite::root_as_model(m0.as_slice()).unwrap().unpack();
    let buffers = m.buffers.as_mut().unwrap();
    let sg = &mut m.subgraphs.as_mut().unwrap()[0];
    for (t, bytes) in consts {
        let mut b = tflite::BufferT::default();
        b.data = Some(bytes.clone());
        buffers.push(b);
        sg.tensors.as_mut().unwrap()[*t].buffer = (buffers.len() - 1) as u32;
    }
    sg.inputs = Some(
        (0..n as i32 - 1)
            .filter(|i| !consts.iter().any(|(t, _)| *t == *i as usize))
            .collect(),
    );
    let mut fbb = FlatBufferBuilder::new();
    let root = m.pack(&mut fbb);
    tflite::finish_model_buffer(&mut fbb, root);
    Aligned::copy_of(fbb.finished_data())
}

fn i32_bytes(v: &[i32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

#[test]
fn reverse_v2_needs_contiguous_axes() {
    let rev = |ty: TT, axes: &[i32]| {
        with_consts(
            B::REVERSE_V2,
            vec![
                tensor(&[2, 3, 4], ty, None),
                tensor(&[axes.len() as i32], TT::INT32, None),
                tensor(&[2, 3, 4], ty, None),
            ],
            &[(1, i32_bytes(axes))],
            tflite::BuiltinOptionsT::NONE,
        )
    };
    let mut arena = Aligned::zeroed(4096);
    assert!(prepare(&rev(TT::FLOAT32, &[2, -2]), &mut arena).is_ok());
    assert!(prepare(&rev(TT::BOOL, &[0]), &mut arena).is_ok());
    // TFLM: sorted axes must be consecutive (no gaps, no repeats).
    for axes in [&[0, 2][..], &[1, 1], &[-1, 2]] {
        assert!(matches!(
            prepare_err(&rev(TT::INT8, axes)),
            Error::BadOptions { .. }
        ));
    }
    assert!(matches!(
        prepare_err(&rev(TT::INT8, &[3])),
        Error::BadOptions { .. }
    ));
    assert!(matches!(
        prepare_err(&rev(TT::UINT32, &[0])),
        Error::UnsupportedType { tensor: 0, .. }
    ));
    // Run it: reversing axes 1 and 2 of [1, 2, 2] reverses the four elements.
    let m = with_consts(
        B::REVERSE_V2,
        vec![
            tensor(&[1, 2, 2], TT::INT32, None),
            tensor(&[2], TT::INT32, None),
            tensor(&[1, 2, 2], TT::INT32, None),
        ],
        &[(1, i32_bytes(&[2, 1]))],
        tflite::BuiltinOptionsT::NONE,
    );
    let model = Model::from_bytes(m.as_slice()).unwrap();
    let resolver = AllOpsResolver::with_all_ops();
    let mut it = Interpreter::new(model, &resolver, arena.as_mut_slice()).unwrap();
    it.set_input(0, &[1i32, 2, 3, 4]).unwrap();
    it.invoke().unwrap();
    assert_eq!(it.output::<i32>(0).unwrap(), &[4, 3, 2, 1]);
}

#[test]
fn mirror_pad_checks_pads_and_types() {
    let pad = |ty: TT, mode: tflite::MirrorPadMode, pads: &[i32], out: &[i32]| {
        let mut o = tflite::MirrorPadOptionsT::default();
        o.mode = mode;
        with_consts(
            B::MIRROR_PAD,
            vec![
                tensor(&[3, 2], ty, Q),
                tensor(&[2, 2], TT::INT32, None),
                tensor(out, ty, Q),
            ],
            &[(1, i32_bytes(pads))],
            tflite::BuiltinOptionsT::MirrorPadOptions(Box::new(o)),
        )
    };
    use tflite::MirrorPadMode as M;
    let mut arena = Aligned::zeroed(4096);
    assert!(prepare(
        &pad(TT::INT8, M::REFLECT, &[2, 0, 1, 1], &[5, 4]),
        &mut arena
    )
    .is_ok());
    assert!(prepare(
        &pad(TT::INT8, M::SYMMETRIC, &[3, 0, 2, 2], &[6, 6]),
        &mut arena
    )
    .is_ok());
    // REFLECT can mirror at most dim - 1, SYMMETRIC dim (TFLM would read outside the input).
    assert!(matches!(
        prepare_err(&pad(TT::INT8, M::REFLECT, &[3, 0, 0, 0], &[6, 2])),
        Error::ShapeMismatch { tensor: 1, .. }
    ));
    assert!(matches!(
        prepare_err(&pad(TT::FLOAT32, M::SYMMETRIC, &[0, 0, 0, 3], &[3, 5])),
        Error::ShapeMismatch { tensor: 1, .. }
    ));
    assert!(matches!(
        prepare_err(&pad(TT::FLOAT32, M::REFLECT, &[-1, 0, 0, 0], &[2, 2])),
        Error::ShapeMismatch { tensor: 1, .. }
    ));
    assert!(matches!(
        prepare_err(&pad(TT::INT8, M::REFLECT, &[1, 0, 1, 1], &[5, 4])),
        Error::ShapeMismatch { tensor: 2, .. }
    ));
    assert!(matches!(
        prepare_err(&pad(TT::INT16, M::REFLECT, &[1, 0, 1, 1], &[4, 4])),
        Error::UnsupportedType { tensor: 0, .. }
    ));
}

#[test]
fn fill_and_zeros_like_types_and_shapes() {
    let fill = |ty: TT, dims: &[i32], out: &[i32]| {
        with_consts(
            B::FILL,
            vec![
                tensor(&[dims.len() as i32], TT::INT32, None),
                tensor(&[], ty, None),
                tensor(out, ty, None),
            ],
            &[(0, i32_bytes(dims))],
            tflite::BuiltinOptionsT::NONE,
        )
    };
    let mut arena = Aligned::zeroed(4096);
    let m = fill(TT::FLOAT32, &[2, 3], &[2, 3]);
    let model = Model::from_bytes(m.as_slice()).unwrap();
    let resolver = AllOpsResolver::with_all_ops();
    let mut it = Interpreter::new(model, &resolver, arena.as_mut_slice()).unwrap();
    it.set_input(0, &[1.5f32]).unwrap();
    it.invoke().unwrap();
    assert_eq!(it.output::<f32>(0).unwrap(), &[1.5; 6]);
    assert!(matches!(
        prepare_err(&fill(TT::FLOAT32, &[2, 4], &[2, 3])),
        Error::ShapeMismatch { tensor: 0, .. }
    ));
    assert!(matches!(
        prepare_err(&fill(TT::INT16, &[2, 3], &[2, 3])),
        Error::UnsupportedType { tensor: 1, .. }
    ));
    // ZEROS_LIKE writes raw zeros (not the zero point); no int16 kernel in TFLM.
    let z = |ty: TT| {
        one_op(
            B::ZEROS_LIKE,
            vec![tensor(&[3], ty, Q), tensor(&[3], ty, Q)],
        )
    };
    assert!(matches!(
        prepare_err(&z(TT::INT16)),
        Error::UnsupportedType { tensor: 0, .. }
    ));
    let m = one_op(
        B::ZEROS_LIKE,
        vec![
            tensor(&[3], TT::INT8, Some((0.1, 5))),
            tensor(&[3], TT::INT8, Some((0.1, 5))),
        ],
    );
    let model = Model::from_bytes(m.as_slice()).unwrap();
    let mut it = Interpreter::new(model, &resolver, arena.as_mut_slice()).unwrap();
    it.set_input(0, &[1i8, 2, 3]).unwrap();
    it.invoke().unwrap();
    assert_eq!(it.output::<i8>(0).unwrap(), &[0, 0, 0]);
}

#[test]
fn space_batch_shapes_and_types() {
    let s2b = |ty: TT, block: &[i32], pads: &[i32], out: &[i32]| {
        with_consts(
            B::SPACE_TO_BATCH_ND,
            vec![
                tensor(&[1, 3, 4, 2], ty, Some((0.1, -9))),
                tensor(&[2], TT::INT32, None),
                tensor(&[2, 2], TT::INT32, None),
                tensor(out, ty, Some((0.1, -9))),
            ],
            &[(1, i32_bytes(block)), (2, i32_bytes(pads))],
            tflite::BuiltinOptionsT::NONE,
        )
    };
    let mut arena = Aligned::zeroed(4096);
    let m = s2b(TT::INT8, &[2, 2], &[1, 0, 0, 0], &[4, 2, 2, 2]);
    let model = Model::from_bytes(m.as_slice()).unwrap();
    let resolver = AllOpsResolver::with_all_ops();
    let mut it = Interpreter::new(model, &resolver, arena.as_mut_slice()).unwrap();
    it.set_input(0, &[5i8; 24]).unwrap();
    it.invoke().unwrap();
    // The padded top row is 0, not the zero point -9: TFLM's never-set output_offset.
    let out = it.output::<i8>(0).unwrap();
    assert_eq!(&out[..4], &[0, 0, 0, 0]);
    assert_eq!(out.iter().filter(|&&v| v == 5).count(), 24);
    // The padded spatial dims must be the block times the output's.
    assert!(matches!(
        prepare_err(&s2b(TT::INT8, &[2, 2], &[0, 0, 0, 0], &[4, 2, 2, 2])),
        Error::ShapeMismatch { tensor: 3, .. }
    ));
    assert!(matches!(
        prepare_err(&s2b(TT::FLOAT32, &[0, 2], &[1, 0, 0, 0], &[4, 2, 2, 2])),
        Error::ShapeMismatch { tensor: 1, .. }
    ));
    assert!(matches!(
        prepare_err(&s2b(TT::INT16, &[2, 2], &[1, 0, 0, 0], &[4, 2, 2, 2])),
        Error::UnsupportedType { tensor: 0, .. }
    ));
    let b2s = |crops: &[i32], out: &[i32]| {
        with_consts(
            B::BATCH_TO_SPACE_ND,
            vec![
                tensor(&[4, 2, 2, 2], TT::FLOAT32, None),
                tensor(&[2], TT::INT32, None),
                tensor(&[2, 2], TT::INT32, None),
                tensor(out, TT::FLOAT32, None),
            ],
            &[(1, i32_bytes(&[2, 2])), (2, i32_bytes(crops))],
            tflite::BuiltinOptionsT::NONE,
        )
    };
    assert!(prepare(&b2s(&[1, 0, 0, 1], &[1, 3, 3, 2]), &mut arena).is_ok());
    assert!(matches!(
        prepare_err(&b2s(&[1, 0, 0, 0], &[1, 3, 3, 2])),
        Error::ShapeMismatch { tensor: 3, .. }
    ));
    assert!(matches!(
        prepare_err(&b2s(&[-1, 0, 0, 1], &[1, 5, 3, 2])),
        Error::ShapeMismatch { tensor: 2, .. }
    ));
}

#[test]
fn broadcast_to_and_args() {
    let bt = |in_shape: &[i32], shape: &[i32], out: &[i32]| {
        with_consts(
            B::BROADCAST_TO,
            vec![
                tensor(in_shape, TT::INT16, None),
                tensor(&[shape.len() as i32], TT::INT32, None),
                tensor(out, TT::INT16, None),
            ],
            &[(1, i32_bytes(shape))],
            tflite::BuiltinOptionsT::NONE,
        )
    };
    let mut arena = Aligned::zeroed(4096);
    assert!(prepare(&bt(&[3, 1], &[2, 3, 4], &[2, 3, 4]), &mut arena).is_ok());
    assert!(matches!(
        prepare_err(&bt(&[3, 2], &[2, 3, 4], &[2, 3, 4])),
        Error::ShapeMismatch { tensor: 2, .. }
    ));
    assert!(matches!(
        prepare_err(&bt(&[3, 1], &[2, 3, 5], &[2, 3, 4])),
        Error::ShapeMismatch { tensor: 1, .. }
    ));
    assert!(matches!(
        prepare_err(&bt(&[1], &[1, 1, 1, 1, 1, 2], &[1, 1, 1, 1, 1, 2])),
        Error::ShapeMismatch { .. }
    ));
    // BROADCAST_ARGS: incompatible shapes fail the invoke (TFLM aborts).
    let m = one_op(
        B::BROADCAST_ARGS,
        vec![
            tensor(&[2], TT::INT32, None),
            tensor(&[2], TT::INT32, None),
            tensor(&[2], TT::INT32, None),
        ],
    );
    let model = Model::from_bytes(m.as_slice()).unwrap();
    let resolver = AllOpsResolver::with_all_ops();
    let mut it = Interpreter::new(model, &resolver, arena.as_mut_slice()).unwrap();
    it.set_input(0, &[3i32, 1]).unwrap();
    it.set_input(1, &[1i32, 4]).unwrap();
    it.invoke().unwrap();
    assert_eq!(it.output::<i32>(0).unwrap(), &[3, 4]);
    it.set_input(1, &[2i32, 4]).unwrap();
    assert!(it.invoke().is_err());
    let m = one_op(
        B::BROADCAST_ARGS,
        vec![
            tensor(&[2], TT::INT32, None),
            tensor(&[2], TT::INT64, None),
            tensor(&[2], TT::INT32, None),
        ],
    );
    assert!(matches!(
        prepare_err(&m),
        Error::UnsupportedType { tensor: 1, .. }
    ));
}

#[test]
fn embedding_lookup_types_and_bounds() {
    let el = |table: TT, q: Option<(f32, i64)>, out: TT| {
        with_consts(
            B::EMBEDDING_LOOKUP,
            vec![
                tensor(&[2], TT::INT32, None),
                tensor(&[3, 2], table, q),
                tensor(&[2, 2], out, None),
            ],
            &[(1, vec![1u8; 6 * if table == TT::INT8 { 1 } else { 4 }])],
            tflite::BuiltinOptionsT::NONE,
        )
    };
    let mut arena = Aligned::zeroed(4096);
    let m = el(TT::INT8, Some((0.5, 0)), TT::FLOAT32);
    let model = Model::from_bytes(m.as_slice()).unwrap();
    let resolver = AllOpsResolver::with_all_ops();
    let mut it = Interpreter::new(model, &resolver, arena.as_mut_slice()).unwrap();
    it.set_input(0, &[2i32, 0]).unwrap();
    it.invoke().unwrap();
    assert_eq!(it.output::<f32>(0).unwrap(), &[0.5; 4]);
    // An index outside the table fails the invoke, as TFLM.
    it.set_input(0, &[3i32, 0]).unwrap();
    assert!(it.invoke().is_err());
    it.set_input(0, &[-1i32, 0]).unwrap();
    assert!(it.invoke().is_err());
    // Hybrid needs the table's zero point 0; float32 tables give float32 only.
    assert!(matches!(
        prepare_err(&el(TT::INT8, Some((0.5, 1)), TT::FLOAT32)),
        Error::BadQuantization { tensor: 1, .. }
    ));
    assert!(matches!(
        prepare_err(&el(TT::FLOAT32, None, TT::INT8)),
        Error::UnsupportedType { tensor: 2, .. }
    ));
    assert!(matches!(
        prepare_err(&el(TT::INT16, None, TT::INT16)),
        Error::UnsupportedType { tensor: 1, .. }
    ));
}

#[test]
fn cumsum_and_l2_pool_types() {
    let cs = |ty: TT, axis: i32| {
        with_consts(
            B::CUMSUM,
            vec![
                tensor(&[2, 3], ty, Q),
                tensor(&[1], TT::INT32, None),
                tensor(&[2, 3], ty, Q),
            ],
            &[(1, i32_bytes(&[axis]))],
            tflite::BuiltinOptionsT::NONE,
        )
    };
    let mut arena = Aligned::zeroed(4096);
    assert!(prepare(&cs(TT::INT8, -1), &mut arena).is_ok());
    assert!(matches!(
        prepare_err(&cs(TT::INT8, 2)),
        Error::BadOptions { .. }
    ));
    assert!(matches!(
        prepare_err(&cs(TT::INT16, 0)),
        Error::UnsupportedType { tensor: 0, .. }
    ));
    // TFLM reads the axis at eval; microlite needs it constant.
    let m = one_op(
        B::CUMSUM,
        vec![
            tensor(&[2, 3], TT::FLOAT32, None),
            tensor(&[1], TT::INT32, None),
            tensor(&[2, 3], TT::FLOAT32, None),
        ],
    );
    assert!(matches!(
        prepare_err(&m),
        Error::ShapeMismatch { tensor: 1, .. }
    ));
    // L2_POOL_2D: float32 only.
    let mut o = tflite::Pool2DOptionsT::default();
    o.stride_w = 1;
    o.stride_h = 1;
    o.filter_width = 2;
    o.filter_height = 2;
    o.padding = tflite::Padding::VALID;
    let pool = |ty: TT| {
        one_op_with(
            B::L2_POOL_2D,
            vec![tensor(&[1, 3, 3, 1], ty, Q), tensor(&[1, 2, 2, 1], ty, Q)],
            tflite::BuiltinOptionsT::Pool2DOptions(Box::new(o.clone())),
        )
    };
    assert!(prepare(&pool(TT::FLOAT32), &mut arena).is_ok());
    assert!(matches!(
        prepare_err(&pool(TT::INT8)),
        Error::UnsupportedType { tensor: 0, .. }
    ));
}

#[test]
fn dynamic_update_slice_clamps_and_checks() {
    let dus = |ty: TT, update: &[i32], idx: TT| {
        one_op(
            B::DYNAMIC_UPDATE_SLICE,
            vec![
                tensor(&[3, 4], ty, None),
                tensor(update, ty, None),
                tensor(&[2], idx, None),
                tensor(&[3, 4], ty, None),
            ],
        )
    };
    let mut arena = Aligned::zeroed(4096);
    let m = dus(TT::INT32, &[2, 2], TT::INT64);
    let model = Model::from_bytes(m.as_slice()).unwrap();
    let resolver = AllOpsResolver::with_all_ops();
    let mut it = Interpreter::new(model, &resolver, arena.as_mut_slice()).unwrap();
    it.set_input(0, &[0i32; 12]).unwrap();
    it.set_input(1, &[1i32, 2, 3, 4]).unwrap();
    it.set_input(2, &[7i64, -3]).unwrap();
    it.invoke().unwrap();
    // Row 7 clamps to 1, column -3 to 0.
    assert_eq!(
        it.output::<i32>(0).unwrap(),
        &[0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0, 0]
    );
    assert!(matches!(
        prepare_err(&dus(TT::INT32, &[4, 1], TT::INT32)),
        Error::ShapeMismatch { tensor: 1, .. }
    ));
    assert!(matches!(
        prepare_err(&dus(TT::INT32, &[2, 2], TT::INT16)),
        Error::UnsupportedType { tensor: 2, .. }
    ));
    assert!(matches!(
        prepare_err(&dus(TT::INT64, &[2, 2], TT::INT32)),
        Error::UnsupportedType { tensor: 0, .. }
    ));
}

#[test]
fn batch_matmul_shapes_and_types() {
    let mm = |ty: TT, q: Option<(f32, i64)>, l: &[i32], r: &[i32], o: &[i32]| {
        one_op(
            B::BATCH_MATMUL,
            vec![tensor(l, ty, q), tensor(r, ty, q), tensor(o, ty, q)],
        )
    };
    let mut arena = Aligned::zeroed(4096);
    let q = Some((0.05, 3));
    assert!(prepare(
        &mm(TT::INT8, q, &[2, 3, 4], &[4, 5], &[2, 3, 5]),
        &mut arena
    )
    .is_ok());
    // Depths must agree; batch dims broadcast; the output is [batch.., m, n].
    assert!(matches!(
        prepare_err(&mm(TT::INT8, q, &[2, 3, 4], &[3, 5], &[2, 3, 5])),
        Error::ShapeMismatch { tensor: 1, .. }
    ));
    assert!(matches!(
        prepare_err(&mm(TT::FLOAT32, None, &[2, 3, 4], &[3, 4, 5], &[2, 3, 5])),
        Error::ShapeMismatch { tensor: 1, .. }
    ));
    assert!(matches!(
        prepare_err(&mm(TT::FLOAT32, None, &[2, 3, 4], &[4, 5], &[3, 5])),
        Error::ShapeMismatch { tensor: 2, .. }
    ));
    // TFLM: int16 zero points 0; no int32 kernel.
    assert!(matches!(
        prepare_err(&mm(TT::INT16, q, &[3, 4], &[4, 5], &[3, 5])),
        Error::BadQuantization { tensor: 0, .. }
    ));
    assert!(matches!(
        prepare_err(&mm(TT::INT32, None, &[3, 4], &[4, 5], &[3, 5])),
        Error::UnsupportedType { tensor: 0, .. }
    ));
}

#[test]
fn log_softmax_output_quantization() {
    let ls = |ty: TT, out_q: Option<(f32, i64)>| {
        one_op(
            B::LOG_SOFTMAX,
            vec![
                tensor(&[2, 5], ty, Some((0.1, 3))),
                tensor(&[2, 5], ty, out_q),
            ],
        )
    };
    let mut arena = Aligned::zeroed(4096);
    assert!(prepare(&ls(TT::INT8, Some((16.0 / 256.0, 127))), &mut arena).is_ok());
    // TFLM: the int8 output is exactly scale 16/256, zero point 127.
    for q in [(16.0 / 256.0, 0), (0.07, 127)] {
        assert!(matches!(
            prepare_err(&ls(TT::INT8, Some(q))),
            Error::BadQuantization { tensor: 1, .. }
        ));
    }
    assert!(matches!(
        prepare_err(&ls(TT::INT16, Some((16.0 / 256.0, 127)))),
        Error::UnsupportedType { tensor: 0, .. }
    ));
}
