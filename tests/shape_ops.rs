//! Data-movement ops on synthetic models: the paths the converter-made corpus does not reach
//! (unaliased SQUEEZE / EXPAND_DIMS, int8 PAD's zero-point fill, raw int8 CONCATENATION,
//! int64 SHAPE) and the models prepare must refuse.

mod common;

use common::Aligned;
use microlite::{AllOpsResolver, Error, Interpreter, Model};
use microlite_schema::flatbuffers::FlatBufferBuilder;
use microlite_schema::tflite::{
    self, BuiltinOperator as B, BuiltinOptionsT as O, TensorType as TT,
};

fn tensor(shape: &[i32], ty: TT, buffer: u32) -> tflite::TensorT {
    let mut t = tflite::TensorT::default();
    t.shape = Some(shape.to_vec());
    t.type_ = ty;
    t.buffer = buffer;
    t.name = Some("t".into());
    t
}

fn quantized(shape: &[i32], scale: f32, zp: i64) -> tflite::TensorT {
    let mut t = tensor(shape, TT::INT8, 0);
    let mut q = tflite::QuantizationParametersT::default();
    q.scale = Some(vec![scale]);
    q.zero_point = Some(vec![zp]);
    t.quantization = Some(Box::new(q));
    t
}

fn buffer(data: &[u8]) -> tflite::BufferT {
    let mut b = tflite::BufferT::default();
    b.data = (!data.is_empty()).then(|| data.to_vec());
    b
}

fn ints(v: &[i32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

fn floats(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

/// One op per entry: (code, inputs, outputs, options). Tensors with data take buffers 1...
fn model(
    ops: Vec<(B, Vec<i32>, Vec<i32>, O)>,
    tensors: Vec<tflite::TensorT>,
    buffers: Vec<tflite::BufferT>,
    inputs: &[i32],
    outputs: &[i32],
) -> Aligned {
    let mut codes: Vec<B> = Vec::new();
    let mut operators = Vec::new();
    for (code, i, o, opts) in ops {
        let idx = codes.iter().position(|c| *c == code).unwrap_or_else(|| {
            codes.push(code);
            codes.len() - 1
        });
        let mut op = tflite::OperatorT::default();
        op.opcode_index = idx as u32;
        op.inputs = Some(i);
        op.outputs = Some(o);
        op.builtin_options = opts;
        operators.push(op);
    }
    let mut sg = tflite::SubGraphT::default();
    sg.tensors = Some(tensors);
    sg.inputs = Some(inputs.to_vec());
    sg.outputs = Some(outputs.to_vec());
    sg.operators = Some(operators);
    let mut m = tflite::ModelT::default();
    m.version = 3;
    m.operator_codes = Some(
        codes
            .iter()
            .map(|&c| {
                let mut oc = tflite::OperatorCodeT::default();
                oc.deprecated_builtin_code = c.0.min(127) as i8;
                oc.builtin_code = c;
                oc.version = 1;
                oc
            })
            .collect(),
    );
    m.subgraphs = Some(vec![sg]);
    let mut all = vec![buffer(&[])];
    all.extend(buffers);
    m.buffers = Some(all);
    let mut fbb = FlatBufferBuilder::new();
    let root = m.pack(&mut fbb);
    tflite::finish_model_buffer(&mut fbb, root);
    Aligned::copy_of(fbb.finished_data())
}

fn squeeze_opts(dim: i32) -> O {
    let mut o = tflite::SqueezeOptionsT::default();
    o.squeeze_dims = Some(vec![dim]);
    O::SqueezeOptions(Box::new(o))
}

fn run<F: FnOnce(&mut Interpreter<'_>)>(bytes: &Aligned, f: F) -> Result<(), Error> {
    let model = Model::from_bytes(bytes.as_slice())?;
    let resolver = AllOpsResolver::with_all_ops();
    let mut arena = Aligned::zeroed(16384);
    let mut interp = Interpreter::new(model, &resolver, arena.as_mut_slice())?;
    f(&mut interp);
    Ok(())
}

#[test]
fn squeeze_and_expand_dims_of_a_constant_copy() {
    // A constant input lives in the model, so the planner cannot alias: eval copies.
    let squeeze = squeeze_opts(-1);
    let m = model(
        vec![
            (B::SQUEEZE, vec![0], vec![1], squeeze),
            (B::EXPAND_DIMS, vec![1, 2], vec![3], O::NONE),
        ],
        vec![
            tensor(&[1, 3, 1], TT::FLOAT32, 1),
            tensor(&[1, 3], TT::FLOAT32, 0),
            tensor(&[], TT::INT32, 2),
            tensor(&[1, 1, 3], TT::FLOAT32, 0),
        ],
        vec![buffer(&floats(&[1.5, -2.0, 3.25])), buffer(&ints(&[1]))],
        &[],
        &[1, 3],
    );
    run(&m, |i| {
        i.invoke().unwrap();
        assert_eq!(i.output::<f32>(0).unwrap(), &[1.5, -2.0, 3.25]);
        assert_eq!(i.output::<f32>(1).unwrap(), &[1.5, -2.0, 3.25]);
    })
    .unwrap();
}

#[test]
fn squeeze_of_a_non_unit_dim_is_refused() {
    let squeeze = squeeze_opts(1);
    let m = model(
        vec![(B::SQUEEZE, vec![0], vec![1], squeeze)],
        vec![
            tensor(&[1, 3], TT::FLOAT32, 0),
            tensor(&[1], TT::FLOAT32, 0),
        ],
        vec![],
        &[0],
        &[1],
    );
    assert!(matches!(run(&m, |_| ()), Err(Error::BadOptions { op: 0 })));
}

#[test]
fn pad_int8_fills_with_the_output_zero_point() {
    let m = model(
        vec![(B::PAD, vec![0, 1], vec![2], O::NONE)],
        vec![
            quantized(&[1, 2], 0.1, -3),
            tensor(&[2, 2], TT::INT32, 1),
            quantized(&[2, 5], 0.1, -3),
        ],
        vec![buffer(&ints(&[1, 0, 1, 2]))],
        &[0],
        &[2],
    );
    run(&m, |i| {
        i.set_input(0, &[7i8, -8]).unwrap();
        i.invoke().unwrap();
        assert_eq!(
            i.output::<i8>(0).unwrap(),
            &[-3, -3, -3, -3, -3, -3, 7, -8, -3, -3]
        );
    })
    .unwrap();
}

#[test]
fn padv2_fills_with_a_value_computed_at_run_time() {
    // The value is a graph input, not a constant: eval reads it on every invoke.
    let m = model(
        vec![(B::PADV2, vec![0, 1, 2], vec![3], O::NONE)],
        vec![
            tensor(&[1, 2], TT::FLOAT32, 0),
            tensor(&[2, 2], TT::INT32, 1),
            tensor(&[], TT::FLOAT32, 0),
            tensor(&[1, 4], TT::FLOAT32, 0),
        ],
        vec![buffer(&ints(&[0, 0, 1, 1]))],
        &[0, 2],
        &[3],
    );
    run(&m, |i| {
        i.set_input(0, &[1.5f32, -2.0]).unwrap();
        for fill in [9.0f32, -0.5] {
            i.set_input(1, &[fill]).unwrap();
            i.invoke().unwrap();
            assert_eq!(i.output::<f32>(0).unwrap(), &[fill, 1.5, -2.0, fill]);
        }
    })
    .unwrap();
}

#[test]
fn concatenation_int8_needs_the_outputs_quantization_on_every_input() {
    // TFLM's int8 CONCATENATION never requantizes: it copies raw values and its prepare
    // refuses inputs whose scale or zero point differ from the output's.
    let mut c = tflite::ConcatenationOptionsT::default();
    c.axis = -1;
    let opts = O::ConcatenationOptions(Box::new(c));
    let mk = |zp1: i64| {
        model(
            vec![(B::CONCATENATION, vec![0, 1], vec![2], opts.clone())],
            vec![
                quantized(&[2, 1], 0.5, 4),
                quantized(&[2, 2], 0.5, zp1),
                quantized(&[2, 3], 0.5, 4),
            ],
            vec![],
            &[0, 1],
            &[2],
        )
    };
    assert!(matches!(
        run(&mk(-7), |_| ()),
        Err(Error::BadQuantization { op: 0, tensor: 1 })
    ));
    run(&mk(4), |i| {
        i.set_input(0, &[1i8, 2]).unwrap();
        i.set_input(1, &[3i8, 4, 5, 6]).unwrap();
        i.invoke().unwrap();
        assert_eq!(i.output::<i8>(0).unwrap(), &[1, 3, 4, 2, 5, 6]);
    })
    .unwrap();
}

#[test]
fn shape_as_int64() {
    let mut o = tflite::ShapeOptionsT::default();
    o.out_type = TT::INT64;
    let opts = O::ShapeOptions(Box::new(o));
    let m = model(
        vec![(B::SHAPE, vec![0], vec![1], opts)],
        vec![
            tensor(&[2, 3, 4], TT::FLOAT32, 0),
            tensor(&[3], TT::INT64, 0),
        ],
        vec![],
        &[0],
        &[1],
    );
    run(&m, |i| {
        i.invoke().unwrap();
        assert_eq!(i.output::<i64>(0).unwrap(), &[2, 3, 4]);
    })
    .unwrap();
}

#[test]
fn split_into_more_than_eight_outputs_is_too_complex() {
    let mut o = tflite::SplitOptionsT::default();
    o.num_splits = 9;
    let opts = O::SplitOptions(Box::new(o));
    let mut tensors = vec![tensor(&[], TT::INT32, 1), tensor(&[9], TT::FLOAT32, 0)];
    tensors.extend((0..9).map(|_| tensor(&[1], TT::FLOAT32, 0)));
    let outs: Vec<i32> = (2..11).collect();
    let m = model(
        vec![(B::SPLIT, vec![0, 1], outs.clone(), opts)],
        tensors,
        vec![buffer(&ints(&[0]))],
        &[1],
        &outs,
    );
    assert!(matches!(run(&m, |_| ()), Err(Error::TooComplex)));
}

#[test]
fn strided_slice_that_tflm_would_leave_unwritten_is_refused() {
    // x[1, :] of a [3, 4] walked with stride -1 on the shrunk axis: TFLM's prepare accepts
    // the [4] output but its eval writes nothing.
    let mut o = tflite::StridedSliceOptionsT::default();
    o.shrink_axis_mask = 1;
    let opts = O::StridedSliceOptions(Box::new(o));
    let mk = |stride0: i32| {
        model(
            vec![(B::STRIDED_SLICE, vec![0, 1, 2, 3], vec![4], opts.clone())],
            vec![
                tensor(&[3, 4], TT::FLOAT32, 0),
                tensor(&[2], TT::INT32, 1),
                tensor(&[2], TT::INT32, 2),
                tensor(&[2], TT::INT32, 3),
                tensor(&[4], TT::FLOAT32, 0),
            ],
            vec![
                buffer(&ints(&[1, 0])),
                buffer(&ints(&[2, 4])),
                buffer(&ints(&[stride0, 1])),
            ],
            &[0],
            &[4],
        )
    };
    assert!(matches!(
        run(&mk(-1), |_| ()),
        Err(Error::ShapeMismatch { op: 0, tensor: 4 })
    ));
    run(&mk(1), |i| {
        let x: Vec<f32> = (0..12).map(|v| v as f32).collect();
        i.set_input(0, &x).unwrap();
        i.invoke().unwrap();
        assert_eq!(i.output::<f32>(0).unwrap(), &[4.0, 5.0, 6.0, 7.0]);
    })
    .unwrap();
}

#[test]
fn non_constant_paddings_are_refused() {
    let m = model(
        vec![(B::PAD, vec![0, 1], vec![2], O::NONE)],
        vec![
            tensor(&[2], TT::FLOAT32, 0),
            tensor(&[1, 2], TT::INT32, 0),
            tensor(&[4], TT::FLOAT32, 0),
        ],
        vec![],
        &[0, 1],
        &[2],
    );
    assert!(matches!(
        run(&m, |_| ()),
        Err(Error::ShapeMismatch { op: 0, tensor: 1 })
    ));
}
