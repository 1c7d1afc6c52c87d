//! The elementwise and activation ops on small synthetic models: options and constant inputs
//! are read, and what TFLM refuses is refused in prepare with a typed error.

mod common;

use common::Aligned;
use microlite::{AllOpsResolver, Error, Interpreter, Model};
use microlite_schema::flatbuffers::FlatBufferBuilder;
use microlite_schema::tflite::{self, BuiltinOperator as B, TensorType as TT};

fn tensor(shape: &[i32], ty: TT, buffer: u32, quant: Option<(f32, i64)>) -> tflite::TensorT {
    let mut t = tflite::TensorT::default();
    t.shape = Some(shape.to_vec());
    t.type_ = ty;
    t.buffer = buffer;
    t.name = Some("t".into());
    if let Some((s, z)) = quant {
        let mut q = tflite::QuantizationParametersT::default();
        q.scale = Some(vec![s]);
        q.zero_point = Some(vec![z]);
        t.quantization = Some(Box::new(q));
    }
    t
}

/// A one-op model: tensors (buffer 0 means none, else `buffers[k - 1]`), inputs and outputs
/// of the graph and of the op.
fn one_op(
    code: B,
    tensors: Vec<tflite::TensorT>,
    op_inputs: &[i32],
    graph_inputs: &[i32],
    outputs: &[i32],
    options: tflite::BuiltinOptionsT,
    buffers: &[&[u8]],
) -> Aligned {
    let mut c = tflite::OperatorCodeT::default();
    c.deprecated_builtin_code = code.0 as i8;
    c.builtin_code = code;
    c.version = 1;
    let mut op = tflite::OperatorT::default();
    op.inputs = Some(op_inputs.to_vec());
    op.outputs = Some(outputs.to_vec());
    op.builtin_options = options;
    let mut sg = tflite::SubGraphT::default();
    sg.tensors = Some(tensors);
    sg.inputs = Some(graph_inputs.to_vec());
    sg.outputs = Some(outputs.to_vec());
    sg.operators = Some(vec![op]);
    let mut bufs = vec![tflite::BufferT::default()];
    for b in buffers {
        let mut buf = tflite::BufferT::default();
        buf.data = Some(b.to_vec());
        bufs.push(buf);
    }
    let mut m = tflite::ModelT::default();
    m.version = 3;
    m.operator_codes = Some(vec![c]);
    m.subgraphs = Some(vec![sg]);
    m.buffers = Some(bufs);
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

const NONE: tflite::BuiltinOptionsT = tflite::BuiltinOptionsT::NONE;

#[test]
fn arg_max_reads_its_constant_axis() {
    let axis = 1i32.to_le_bytes();
    for out_ty in [TT::INT32, TT::INT64] {
        let bytes = one_op(
            B::ARG_MAX,
            vec![
                tensor(&[2, 3], TT::FLOAT32, 0, None),
                tensor(&[1], TT::INT32, 1, None),
                tensor(&[2], out_ty, 0, None),
            ],
            &[0, 1],
            &[0],
            &[2],
            NONE,
            &[&axis],
        );
        let model = Model::from_bytes(bytes.as_slice()).unwrap();
        let resolver = AllOpsResolver::with_all_ops();
        let mut arena = Aligned::zeroed(4096);
        let mut it = Interpreter::new(model, &resolver, arena.as_mut_slice()).unwrap();
        it.set_input(0, &[1.0f32, 3.0, 3.0, -1.0, -2.0, -0.5])
            .unwrap();
        it.invoke().unwrap();
        if out_ty == TT::INT32 {
            assert_eq!(it.output::<i32>(0).unwrap(), &[1, 2]);
        } else {
            assert_eq!(it.output::<i64>(0).unwrap(), &[1, 2]);
        }
    }
}

#[test]
fn arg_min_refuses_a_non_constant_or_bad_axis() {
    // The axis is a graph input: not known at prepare.
    let bytes = one_op(
        B::ARG_MIN,
        vec![
            tensor(&[2, 3], TT::FLOAT32, 0, None),
            tensor(&[1], TT::INT32, 0, None),
            tensor(&[2], TT::INT32, 0, None),
        ],
        &[0, 1],
        &[0, 1],
        &[2],
        NONE,
        &[],
    );
    assert!(matches!(
        prepare_err(&bytes),
        Error::ShapeMismatch { op: 0, .. }
    ));
    // Axis 2 of a rank-2 input.
    let axis = 2i32.to_le_bytes();
    let bytes = one_op(
        B::ARG_MIN,
        vec![
            tensor(&[2, 3], TT::FLOAT32, 0, None),
            tensor(&[1], TT::INT32, 1, None),
            tensor(&[2], TT::INT32, 0, None),
        ],
        &[0, 1],
        &[0],
        &[2],
        NONE,
        &[&axis],
    );
    assert!(matches!(
        prepare_err(&bytes),
        Error::ShapeMismatch { op: 0, .. }
    ));
}

#[test]
fn logistic_int8_needs_output_zero_point_minus_128() {
    let bytes = one_op(
        B::LOGISTIC,
        vec![
            tensor(&[1, 4], TT::INT8, 0, Some((0.05, 0))),
            tensor(&[1, 4], TT::INT8, 0, Some((1.0 / 256.0, 0))),
        ],
        &[0],
        &[0],
        &[1],
        NONE,
        &[],
    );
    assert_eq!(
        prepare_err(&bytes),
        Error::BadQuantization { op: 0, tensor: 1 }
    );
}

#[test]
fn l2_normalization_refuses_a_fused_activation() {
    let mut o = tflite::L2NormOptionsT::default();
    o.fused_activation_function = tflite::ActivationFunctionType::RELU;
    let bytes = one_op(
        B::L2_NORMALIZATION,
        vec![
            tensor(&[1, 4], TT::FLOAT32, 0, None),
            tensor(&[1, 4], TT::FLOAT32, 0, None),
        ],
        &[0],
        &[0],
        &[1],
        tflite::BuiltinOptionsT::L2NormOptions(Box::new(o)),
        &[],
    );
    assert_eq!(prepare_err(&bytes), Error::BadOptions { op: 0 });
}

#[test]
fn mul_broadcasts_a_constant_and_fuses_relu6() {
    let k: Vec<u8> = [2.0f32, -1.0, 4.0]
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    let mut o = tflite::MulOptionsT::default();
    o.fused_activation_function = tflite::ActivationFunctionType::RELU6;
    let bytes = one_op(
        B::MUL,
        vec![
            tensor(&[2, 3], TT::FLOAT32, 0, None),
            tensor(&[3], TT::FLOAT32, 1, None),
            tensor(&[2, 3], TT::FLOAT32, 0, None),
        ],
        &[0, 1],
        &[0],
        &[2],
        tflite::BuiltinOptionsT::MulOptions(Box::new(o)),
        &[&k],
    );
    let model = Model::from_bytes(bytes.as_slice()).unwrap();
    let resolver = AllOpsResolver::with_all_ops();
    let mut arena = Aligned::zeroed(4096);
    let mut it = Interpreter::new(model, &resolver, arena.as_mut_slice()).unwrap();
    it.set_input(0, &[1.0f32, 1.0, 1.0, 2.0, 3.0, 0.5]).unwrap();
    it.invoke().unwrap();
    assert_eq!(
        it.output::<f32>(0).unwrap(),
        &[2.0, 0.0, 4.0, 4.0, 0.0, 2.0]
    );
}

#[test]
fn leaky_relu_reads_alpha_and_shapes_must_match() {
    let mut o = tflite::LeakyReluOptionsT::default();
    o.alpha = 0.25;
    let opts = || tflite::BuiltinOptionsT::LeakyReluOptions(Box::new(o.clone()));
    let bytes = one_op(
        B::LEAKY_RELU,
        vec![
            tensor(&[1, 3], TT::FLOAT32, 0, None),
            tensor(&[1, 3], TT::FLOAT32, 0, None),
        ],
        &[0],
        &[0],
        &[1],
        opts(),
        &[],
    );
    let model = Model::from_bytes(bytes.as_slice()).unwrap();
    let resolver = AllOpsResolver::with_all_ops();
    let mut arena = Aligned::zeroed(4096);
    let mut it = Interpreter::new(model, &resolver, arena.as_mut_slice()).unwrap();
    it.set_input(0, &[-4.0f32, 0.0, 2.0]).unwrap();
    it.invoke().unwrap();
    assert_eq!(it.output::<f32>(0).unwrap(), &[-1.0, 0.0, 2.0]);

    let bytes = one_op(
        B::LEAKY_RELU,
        vec![
            tensor(&[1, 3], TT::FLOAT32, 0, None),
            tensor(&[3, 1], TT::FLOAT32, 0, None),
        ],
        &[0],
        &[0],
        &[1],
        opts(),
        &[],
    );
    assert_eq!(
        prepare_err(&bytes),
        Error::ShapeMismatch { op: 0, tensor: 1 }
    );
}

#[test]
fn binary_ops_refuse_mixed_types_and_bad_broadcasts() {
    for code in [B::SUB, B::MAXIMUM, B::PRELU] {
        let bytes = one_op(
            code,
            vec![
                tensor(&[2, 3], TT::FLOAT32, 0, None),
                tensor(&[2, 3], TT::INT32, 0, None),
                tensor(&[2, 3], TT::FLOAT32, 0, None),
            ],
            &[0, 1],
            &[0, 1],
            &[2],
            NONE,
            &[],
        );
        assert!(
            matches!(prepare_err(&bytes), Error::UnsupportedType { op: 0, .. }),
            "{code:?}"
        );
        let bytes = one_op(
            code,
            vec![
                tensor(&[2, 3], TT::FLOAT32, 0, None),
                tensor(&[2, 2], TT::FLOAT32, 0, None),
                tensor(&[2, 3], TT::FLOAT32, 0, None),
            ],
            &[0, 1],
            &[0, 1],
            &[2],
            NONE,
            &[],
        );
        assert!(
            matches!(prepare_err(&bytes), Error::ShapeMismatch { op: 0, .. }),
            "{code:?}"
        );
    }
}

/// An int16 LOGISTIC or TANH model `[1, 4]` with the given quantizations.
fn int16_activation(code: B, input: (f32, i64), output: (f32, i64)) -> Aligned {
    one_op(
        code,
        vec![
            tensor(&[1, 4], TT::INT16, 0, Some(input)),
            tensor(&[1, 4], TT::INT16, 0, Some(output)),
        ],
        &[0],
        &[0],
        &[1],
        NONE,
        &[],
    )
}

#[test]
fn logistic_and_tanh_int16_run_and_refuse_what_tflm_refuses() {
    const Q15: f32 = 1.0 / 32768.0;
    // Input scale 2^-12 (the power-of-two path); outputs from the validated emulator.
    for (code, want) in [
        (B::LOGISTIC, [11i16, 14394, 16384, 31234]),
        (B::TANH, [-32767, -7845, 0, 32611]),
    ] {
        let bytes = int16_activation(code, (1.0 / 4096.0, 0), (Q15, 0));
        let model = Model::from_bytes(bytes.as_slice()).unwrap();
        let resolver = AllOpsResolver::with_all_ops();
        let mut arena = Aligned::zeroed(4096);
        let mut it = Interpreter::new(model, &resolver, arena.as_mut_slice()).unwrap();
        it.set_input(0, &[-32768i16, -1000, 0, 12345]).unwrap();
        it.invoke().unwrap();
        assert_eq!(it.output::<i16>(0).unwrap(), &want, "{code:?}");

        // TFLM: zero points 0, output scale 1/32768 (by CheckedLog2).
        for (input, output, tensor) in [
            ((1e-4, 1), (Q15, 0), 0),
            ((1e-4, 0), (Q15, 3), 1),
            ((1e-4, 0), (1.0 / 65536.0, 0), 1),
            ((1e-4, 0), (1.0 / 32000.0, 0), 1),
        ] {
            let bytes = int16_activation(code, input, output);
            assert_eq!(
                prepare_err(&bytes),
                Error::BadQuantization { op: 0, tensor },
                "{code:?} {input:?} {output:?}"
            );
        }
        // int16 in, int8 out.
        let bytes = one_op(
            code,
            vec![
                tensor(&[1, 4], TT::INT16, 0, Some((1e-4, 0))),
                tensor(&[1, 4], TT::INT8, 0, Some((1.0 / 256.0, -128))),
            ],
            &[0],
            &[0],
            &[1],
            NONE,
            &[],
        );
        assert!(matches!(
            prepare_err(&bytes),
            Error::UnsupportedType {
                op: 0,
                tensor: 1,
                ..
            }
        ));
    }
}

/// An int16 SOFTMAX model `[2, 8]`, beta 1.
fn int16_softmax(input: (f32, i64), out_ty: TT, output: (f32, i64)) -> Aligned {
    let mut o = tflite::SoftmaxOptionsT::default();
    o.beta = 1.0;
    one_op(
        B::SOFTMAX,
        vec![
            tensor(&[2, 8], TT::INT16, 0, Some(input)),
            tensor(&[2, 8], out_ty, 0, Some(output)),
        ],
        &[0],
        &[0],
        &[1],
        tflite::BuiltinOptionsT::SoftmaxOptions(Box::new(o)),
        &[],
    )
}

#[test]
fn softmax_int16_runs_and_refuses_what_tflm_refuses() {
    const Q15: f32 = 1.0 / 32768.0;
    let in_scale = f32::from_bits(0x393f_f9a9);
    let bytes = int16_softmax((in_scale, 0), TT::INT16, (Q15, 0));
    let model = Model::from_bytes(bytes.as_slice()).unwrap();
    let resolver = AllOpsResolver::with_all_ops();
    let mut arena = Aligned::zeroed(8192);
    let mut it = Interpreter::new(model, &resolver, arena.as_mut_slice()).unwrap();
    // Rows and outputs from the validated emulator; twice, as the tables are built once.
    let x: [i16; 16] = [
        29157, 8198, 12070, 26031, 5130, 18067, 21866, -18009, //
        -267, -120, -129, 224, 247, -297, -1, 192,
    ];
    let want: [i16; 16] = [
        16091, 347, 705, 9079, 197, 2112, 4236, 3, //
        3911, 4018, 4012, 4279, 4297, 3890, 4106, 4254,
    ];
    for _ in 0..2 {
        it.set_input(0, &x).unwrap();
        it.invoke().unwrap();
        assert_eq!(it.output::<i16>(0).unwrap(), &want);
    }

    // TFLM: zero points 0 and an output scale within 0.1% of 1/32768.
    for (input, output, tensor) in [
        ((in_scale, 2), (Q15, 0), 0),
        ((in_scale, 0), (Q15, -32768), 1),
        ((in_scale, 0), (1.0 / 65536.0, 0), 1),
        ((in_scale, 0), (Q15 * 1.002, 0), 1),
    ] {
        assert_eq!(
            prepare_err(&int16_softmax(input, TT::INT16, output)),
            Error::BadQuantization { op: 0, tensor },
            "{input:?} {output:?}"
        );
    }
    assert!(Interpreter::new(
        Model::from_bytes(int16_softmax((in_scale, 0), TT::INT16, (Q15 * 1.0009, 0)).as_slice())
            .unwrap(),
        &resolver,
        Aligned::zeroed(8192).as_mut_slice(),
    )
    .is_ok());
    // int16 in, int8 out.
    assert!(matches!(
        prepare_err(&int16_softmax((in_scale, 0), TT::INT8, (1.0 / 256.0, -128))),
        Error::UnsupportedType {
            op: 0,
            tensor: 1,
            ..
        }
    ));
}

#[test]
fn prelu_int16_takes_int8_slopes() {
    // Slopes 0.25 and 0.5 (int8, scale 0.01) on an int16 input and output of scale 2^-10.
    let s = 1.0 / 1024.0;
    let alpha: Vec<u8> = [25i8, 50, 25, 50].iter().map(|&v| v as u8).collect();
    let bytes = one_op(
        B::PRELU,
        vec![
            tensor(&[1, 4], TT::INT16, 0, Some((s, 0))),
            tensor(&[4], TT::INT8, 1, Some((0.01, 0))),
            tensor(&[1, 4], TT::INT16, 0, Some((s, 0))),
        ],
        &[0, 1],
        &[0],
        &[2],
        NONE,
        &[&alpha],
    );
    let model = Model::from_bytes(bytes.as_slice()).unwrap();
    let resolver = AllOpsResolver::with_all_ops();
    let mut arena = Aligned::zeroed(4096);
    let mut it = Interpreter::new(model, &resolver, arena.as_mut_slice()).unwrap();
    it.set_input(0, &[-800i16, 800, -32768, 32767]).unwrap();
    it.invoke().unwrap();
    assert_eq!(it.output::<i16>(0).unwrap(), &[-200, 800, -8192, 32767]);

    // int16 slopes: TFLM's int16 PRELU takes int8 ones only.
    let bytes = one_op(
        B::PRELU,
        vec![
            tensor(&[1, 4], TT::INT16, 0, Some((s, 0))),
            tensor(&[4], TT::INT16, 0, Some((0.01, 0))),
            tensor(&[1, 4], TT::INT16, 0, Some((s, 0))),
        ],
        &[0, 1],
        &[0, 1],
        &[2],
        NONE,
        &[],
    );
    assert_eq!(
        prepare_err(&bytes),
        Error::UnsupportedType {
            op: 0,
            tensor: 1,
            ty: TT::INT16.0 as u8
        }
    );
}

#[test]
fn int16_mul_and_relu_need_zero_points_0() {
    // MUL: any non-zero int16 zero point is refused (TFLM ENSUREs all three are 0).
    for (k, zps) in [[5i64, 0, 0], [0, -3, 0], [0, 0, 1]]
        .into_iter()
        .enumerate()
    {
        let bytes = one_op(
            B::MUL,
            vec![
                tensor(&[2, 3], TT::INT16, 0, Some((1e-4, zps[0]))),
                tensor(&[2, 3], TT::INT16, 0, Some((1e-4, zps[1]))),
                tensor(&[2, 3], TT::INT16, 0, Some((1e-4, zps[2]))),
            ],
            &[0, 1],
            &[0, 1],
            &[2],
            NONE,
            &[],
        );
        assert_eq!(
            prepare_err(&bytes),
            Error::BadQuantization {
                op: 0,
                tensor: k as u32
            }
        );
    }
    for (k, zps) in [[7i64, 0], [0, -7]].into_iter().enumerate() {
        let bytes = one_op(
            B::RELU,
            vec![
                tensor(&[2, 3], TT::INT16, 0, Some((1e-4, zps[0]))),
                tensor(&[2, 3], TT::INT16, 0, Some((1e-4, zps[1]))),
            ],
            &[0],
            &[0],
            &[1],
            NONE,
            &[],
        );
        assert_eq!(
            prepare_err(&bytes),
            Error::BadQuantization {
                op: 0,
                tensor: k as u32
            }
        );
    }
    // ADD takes non-zero int16 zero points (TFLM honours them): 2^-10 scales, output 2^-9.
    let s = 1.0 / 1024.0;
    let bytes = one_op(
        B::ADD,
        vec![
            tensor(&[1, 2], TT::INT16, 0, Some((s, 100))),
            tensor(&[1, 2], TT::INT16, 0, Some((s, -250))),
            tensor(&[1, 2], TT::INT16, 0, Some((2.0 * s, 37))),
        ],
        &[0, 1],
        &[0, 1],
        &[2],
        NONE,
        &[],
    );
    let model = Model::from_bytes(bytes.as_slice()).unwrap();
    let resolver = AllOpsResolver::with_all_ops();
    let mut arena = Aligned::zeroed(4096);
    let mut it = Interpreter::new(model, &resolver, arena.as_mut_slice()).unwrap();
    it.set_input(0, &[1000i16, 100]).unwrap();
    it.set_input(1, &[-2000i16, -250]).unwrap();
    it.invoke().unwrap();
    // (900 - 1750) / 2 + 37 = -388; zero + zero -> the output zero point.
    assert_eq!(it.output::<i16>(0).unwrap(), &[-388, 37]);
}
