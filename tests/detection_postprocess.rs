//! DETECTION_POSTPROCESS (`TFLite_Detection_PostProcess`) end to end: a corpus model on a
//! resolver holding only its adder, the error when the adder is missing, and hostile options
//! and shapes refused at `Interpreter::new` with a typed error (never a panic).

mod common;

use common::Aligned;
use microlite::{AllOpsResolver, Error, Interpreter, Model, MutableOpResolver, OpResolver};
use microlite_schema::flatbuffers::FlatBufferBuilder;
use microlite_schema::tflite::{self, BuiltinOperator as B, TensorType as TT};

const CODE: &str = "TFLite_Detection_PostProcess";

/// The data of a little-endian `.npy` file (version 1, C order), as raw bytes.
fn npy(path: &std::path::Path) -> Vec<u8> {
    let b = std::fs::read(path).unwrap();
    assert_eq!(&b[..6], b"\x93NUMPY");
    let header = u16::from_le_bytes([b[8], b[9]]) as usize;
    b[10 + header..].to_vec()
}

/// A FlexBuffer value for [`flex_map`].
#[derive(Clone, Copy)]
enum V {
    I(i64),
    F(f64),
    F32(f32),
    B(bool),
}

/// A FlexBuffer map (keys sorted, as the converter writes them), 8-byte wide, or 4-byte wide
/// when `narrow` (floats then `f32`, as the C++ converter stores them).
fn flex_map(entries: &[(&str, V)], narrow: bool) -> Vec<u8> {
    let w = if narrow { 4 } else { 8 };
    let mut entries = entries.to_vec();
    entries.sort_by_key(|e| e.0);
    let mut b = Vec::new();
    let push = |b: &mut Vec<u8>, v: u64| b.extend_from_slice(&v.to_le_bytes()[..w]);
    let mut keys = Vec::new();
    for (k, _) in &entries {
        keys.push(b.len());
        b.extend_from_slice(k.as_bytes());
        b.push(0);
    }
    while b.len() % w != 0 {
        b.push(0);
    }
    push(&mut b, entries.len() as u64);
    let keys_vec = b.len();
    for &k in &keys {
        let at = b.len();
        push(&mut b, (at - k) as u64);
    }
    let at = b.len();
    push(&mut b, (at - keys_vec) as u64);
    push(&mut b, w as u64);
    push(&mut b, entries.len() as u64);
    let data = b.len();
    let wbits = if narrow { 2 } else { 3 };
    let mut types = Vec::new();
    for (_, v) in &entries {
        let (bits, ty) = match *v {
            V::I(i) => (i as u64, 1),
            V::F(f) if narrow => (u64::from((f as f32).to_bits()), 3),
            V::F(f) => (f.to_bits(), 3),
            V::F32(f) if narrow => (u64::from(f.to_bits()), 3),
            V::F32(f) => (f64::from(f).to_bits(), 3),
            V::B(x) => (u64::from(x), 26),
        };
        push(&mut b, bits);
        types.push((ty << 2) | wbits);
    }
    b.extend_from_slice(&types);
    let root = b.len();
    b.push((root - data) as u8);
    b.push((9 << 2) | wbits);
    b.push(1);
    b
}

/// The options of a working fast-NMS model with 3 classes and 5 detections.
fn good_options() -> Vec<(&'static str, V)> {
    vec![
        ("max_detections", V::I(5)),
        ("max_classes_per_detection", V::I(1)),
        ("detections_per_class", V::I(4)),
        ("use_regular_nms", V::B(false)),
        ("nms_score_threshold", V::F(0.3)),
        ("nms_iou_threshold", V::F(0.5)),
        ("num_classes", V::I(3)),
        ("y_scale", V::F(10.0)),
        ("x_scale", V::F(10.0)),
        ("h_scale", V::F(5.0)),
        ("w_scale", V::F(5.0)),
    ]
}

/// Shapes and types of the op's operands.
#[derive(Clone)]
struct Spec {
    boxes: Vec<i32>,
    scores: Vec<i32>,
    anchors: Vec<i32>,
    outs: [Vec<i32>; 4],
    ty: TT,
}

fn spec(n: i32, columns: i32, max_det: i32) -> Spec {
    Spec {
        boxes: vec![1, n, 4],
        scores: vec![1, n, columns],
        anchors: vec![n, 4],
        outs: [
            vec![1, max_det, 4],
            vec![1, max_det],
            vec![1, max_det],
            vec![1],
        ],
        ty: TT::FLOAT32,
    }
}

fn tensor(shape: &[i32], ty: TT, buffer: u32) -> tflite::TensorT {
    let mut t = tflite::TensorT::default();
    t.shape = Some(shape.to_vec());
    t.type_ = ty;
    t.buffer = buffer;
    t.name = Some("t".into());
    t
}

/// A one-op model: box encodings and class predictions in, anchors constant (unit boxes
/// 1.5 apart on a diagonal), the four outputs out.
fn model(s: &Spec, options: Vec<u8>) -> Aligned {
    let mut code = tflite::OperatorCodeT::default();
    code.deprecated_builtin_code = B::CUSTOM.0 as i8;
    code.builtin_code = B::CUSTOM;
    code.custom_code = Some(CODE.into());
    code.version = 1;
    let mut op = tflite::OperatorT::default();
    op.inputs = Some(vec![0, 1, 2]);
    op.outputs = Some(vec![3, 4, 5, 6]);
    op.custom_options = Some(options);
    let anchors: usize = s.anchors.iter().map(|&d| d.max(0) as usize).product();
    let data: Vec<u8> = (0..anchors)
        .map(|i| match i % 4 {
            0 | 1 => 1.5 * (i / 4) as f32,
            _ => 1.0f32,
        })
        .flat_map(f32::to_le_bytes)
        .collect();
    let mut sg = tflite::SubGraphT::default();
    sg.tensors = Some(vec![
        tensor(&s.boxes, s.ty, 0),
        tensor(&s.scores, s.ty, 0),
        tensor(&s.anchors, TT::FLOAT32, 1),
        tensor(&s.outs[0], TT::FLOAT32, 0),
        tensor(&s.outs[1], TT::FLOAT32, 0),
        tensor(&s.outs[2], TT::FLOAT32, 0),
        tensor(&s.outs[3], TT::FLOAT32, 0),
    ]);
    // No anchors (no boxes) makes no constant: the anchors are then a graph input.
    sg.inputs = Some(if data.is_empty() {
        vec![0, 1, 2]
    } else {
        vec![0, 1]
    });
    sg.outputs = Some(vec![3, 4, 5, 6]);
    sg.operators = Some(vec![op]);
    let mut m = tflite::ModelT::default();
    m.version = 3;
    m.operator_codes = Some(vec![code]);
    m.subgraphs = Some(vec![sg]);
    let mut anchor_buf = tflite::BufferT::default();
    anchor_buf.data = (!data.is_empty()).then_some(data);
    m.buffers = Some(vec![tflite::BufferT::default(), anchor_buf]);
    let mut fbb = FlatBufferBuilder::new();
    let root = m.pack(&mut fbb);
    tflite::finish_model_buffer(&mut fbb, root);
    Aligned::copy_of(fbb.finished_data())
}

fn resolver() -> MutableOpResolver<1> {
    let mut r = MutableOpResolver::new();
    r.add_detection_postprocess().unwrap();
    r
}

/// `Interpreter::new` on `bytes`, then (when it works) one invoke with `scores` as every
/// class prediction and zero box encodings; the invoke's result.
fn try_run(bytes: &Aligned, scores: f32) -> Result<Result<Vec<f32>, Error>, Error> {
    let model = Model::from_bytes(bytes.as_slice())?;
    let ops = resolver();
    let mut arena = Aligned::zeroed(1 << 16);
    let mut interp = Interpreter::new(model, &ops, arena.as_mut_slice())?;
    interp.input_mut::<f32>(1).map(|s| s.fill(scores)).ok();
    Ok(interp
        .invoke()
        .and_then(|()| Ok(interp.output::<f32>(2)?.to_vec())))
}

#[test]
fn a_corpus_model_runs_on_its_adder_alone() {
    let dir = common::own_models().join("detection_postprocess_regular_f32");
    let bytes = common::load(&dir.join("model.tflite"));
    let model = Model::from_bytes(bytes.as_slice()).unwrap();
    let ops = resolver();
    let mut arena = Aligned::zeroed(64 * 1024);
    let mut interp = Interpreter::new(model, &ops, arena.as_mut_slice()).unwrap();
    let case = dir.join("case-1");
    for i in 0..2 {
        let input = npy(&case.join(format!("input-{i}.npy")));
        interp.input_bytes_mut(i).unwrap().copy_from_slice(&input);
    }
    interp.invoke().unwrap();
    for j in 0..4 {
        let want = npy(&case.join(format!("output-{j}.npy")));
        assert_eq!(
            interp.output_bytes(j).unwrap(),
            want.as_slice(),
            "output {j}"
        );
    }
}

#[test]
fn a_resolver_without_the_adder_names_the_op() {
    let bytes = model(&spec(4, 4, 5), flex_map(&good_options(), false));
    let model = Model::from_bytes(bytes.as_slice()).unwrap();
    let mut ops = MutableOpResolver::<2>::new();
    ops.add_signal_window().unwrap().add_softmax().unwrap();
    let mut arena = Aligned::zeroed(1 << 16);
    let err = Interpreter::new(model, &ops, arena.as_mut_slice())
        .err()
        .unwrap();
    let Error::CustomOp { op, name } = err else {
        panic!("{err:?}")
    };
    assert_eq!((op, name.as_str()), (0, "TFLite_Detec"));
    let text = err.to_string();
    assert!(
        text.contains(CODE) && text.contains("add_detection_postprocess"),
        "{text}"
    );
    // Every kernel: it is there.
    assert!(AllOpsResolver::with_all_ops().find_custom(CODE).is_some());
    assert!(microlite::ADDERS.contains(&"add_detection_postprocess"));
}

#[test]
fn good_options_run_in_both_widths() {
    for narrow in [false, true] {
        for regular in [false, true] {
            let mut o = good_options();
            o[3].1 = V::B(regular);
            let bytes = model(&spec(4, 4, 5), flex_map(&o, narrow));
            // Four unit boxes apart, every class at 0.5: fast NMS keeps one per box, regular
            // one per box and class up to max_detections.
            let scores = try_run(&bytes, 0.5).unwrap().unwrap();
            let want = if regular {
                [0.5; 5]
            } else {
                [0.5, 0.5, 0.5, 0.5, 0.0]
            };
            assert_eq!(scores, want, "regular {regular}, narrow {narrow}");
        }
    }
}

#[test]
fn hostile_options_are_refused_at_prepare() {
    let bad = |key: &str, v: Option<V>| {
        let mut o: Vec<_> = good_options().into_iter().filter(|e| e.0 != key).collect();
        if let Some(v) = v {
            o.push((Box::leak(key.to_string().into_boxed_str()), v));
        }
        o
    };
    let cases: Vec<(&str, Vec<(&str, V)>)> = vec![
        ("num_classes 0", bad("num_classes", Some(V::I(0)))),
        ("num_classes huge", bad("num_classes", Some(V::I(1 << 30)))),
        ("num_classes negative", bad("num_classes", Some(V::I(-1)))),
        (
            "num_classes 2 of 4 columns",
            bad("num_classes", Some(V::I(2))),
        ),
        ("num_classes missing", bad("num_classes", None)),
        ("max_detections 0", bad("max_detections", Some(V::I(0)))),
        (
            "max_detections negative",
            bad("max_detections", Some(V::I(-5))),
        ),
        (
            "max_detections past the outputs",
            bad("max_detections", Some(V::I(6))),
        ),
        (
            "max_detections as 2^40",
            bad("max_detections", Some(V::I(1 << 40))),
        ),
        (
            "NaN score threshold",
            bad("nms_score_threshold", Some(V::F(f64::NAN))),
        ),
        (
            "NaN IoU threshold",
            bad("nms_iou_threshold", Some(V::F32(f32::NAN))),
        ),
        ("IoU threshold 0", bad("nms_iou_threshold", Some(V::F(0.0)))),
        (
            "IoU threshold 1.5",
            bad("nms_iou_threshold", Some(V::F(1.5))),
        ),
        ("IoU threshold missing", bad("nms_iou_threshold", None)),
        ("y_scale 0", bad("y_scale", Some(V::F(0.0)))),
        (
            "h_scale infinite",
            bad("h_scale", Some(V::F(f64::INFINITY))),
        ),
        ("w_scale missing", bad("w_scale", None)),
        (
            "max_classes_per_detection 0",
            bad("max_classes_per_detection", Some(V::I(0))),
        ),
        (
            "max_classes_per_detection 2",
            bad("max_classes_per_detection", Some(V::I(2))),
        ),
        (
            "max_classes_per_detection NaN",
            bad("max_classes_per_detection", Some(V::F(f64::NAN))),
        ),
    ];
    for (what, o) in cases {
        for narrow in [false, true] {
            let bytes = model(&spec(4, 4, 5), flex_map(&o, narrow));
            let err = try_run(&bytes, 0.5).err();
            assert!(
                matches!(
                    err,
                    Some(Error::BadOptions { op: 0 } | Error::ShapeMismatch { op: 0, .. })
                ),
                "{what} (narrow {narrow}): {err:?}"
            );
        }
    }
    // Regular NMS needs detections per class; fast NMS ignores it (as TFLM).
    let mut o = bad("detections_per_class", Some(V::I(0)));
    let bytes = model(&spec(4, 4, 5), flex_map(&o, false));
    assert!(try_run(&bytes, 0.5).unwrap().is_ok());
    o.retain(|e| e.0 != "use_regular_nms");
    o.push(("use_regular_nms", V::B(true)));
    let bytes = model(&spec(4, 4, 5), flex_map(&o, false));
    assert_eq!(
        try_run(&bytes, 0.5).err(),
        Some(Error::BadOptions { op: 0 })
    );
    // Not a FlexBuffer map at all, or cut anywhere: an error or (when a cut still parses)
    // a run, never a panic.
    let full = flex_map(&good_options(), false);
    for k in 0..full.len() {
        for cut in [&full[k..], &full[..k]] {
            let _ = try_run(&model(&spec(4, 4, 5), cut.to_vec()), 0.5);
        }
    }
    let bytes = model(&spec(4, 4, 5), vec![1, 2, 3]);
    assert_eq!(
        try_run(&bytes, 0.5).err(),
        Some(Error::BadOptions { op: 0 })
    );
}

#[test]
fn inconsistent_shapes_and_types_are_refused_at_prepare() {
    let o = flex_map(&good_options(), false);
    let mut cases: Vec<(&str, Spec)> = Vec::new();
    let mut s = spec(4, 4, 5);
    s.scores = vec![1, 5, 4];
    cases.push(("scores for 5 boxes", s));
    let mut s = spec(4, 4, 5);
    s.anchors = vec![3, 4];
    cases.push(("3 anchors", s));
    let mut s = spec(4, 4, 5);
    s.anchors = vec![4, 3];
    cases.push(("anchors of 3", s));
    let mut s = spec(4, 4, 5);
    s.boxes = vec![1, 4, 3];
    cases.push(("boxes of 3", s));
    let mut s = spec(4, 4, 5);
    s.boxes = vec![2, 4, 4];
    s.scores = vec![2, 4, 4];
    cases.push(("batch 2", s));
    let mut s = spec(4, 4, 5);
    s.boxes = vec![4, 4];
    cases.push(("boxes rank 2", s));
    let mut s = spec(4, 4, 5);
    s.outs[0] = vec![1, 4, 4];
    cases.push(("boxes output short", s));
    let mut s = spec(4, 4, 5);
    s.outs[3] = vec![0];
    cases.push(("no room for the count", s));
    let mut s = spec(4, 4, 5);
    s.ty = TT::INT8;
    cases.push(("int8 inputs", s));
    let mut s = spec(4, 4, 5);
    s.ty = TT::UINT8;
    cases.push(("uint8 inputs", s));
    for (what, s) in cases {
        let err = try_run(&model(&s, o.clone()), 0.5).err();
        assert!(
            matches!(
                err,
                Some(
                    Error::ShapeMismatch { op: 0, .. }
                        | Error::UnsupportedType { op: 0, .. }
                        | Error::BadOptions { op: 0 }
                )
            ),
            "{what}: {err:?}"
        );
    }
    // No boxes at all: nothing detected.
    let bytes = model(&spec(0, 4, 5), o);
    assert_eq!(try_run(&bytes, 0.5).unwrap().unwrap(), [0.0; 5]);
}

#[test]
fn hostile_inputs_fail_or_run_at_invoke_without_panicking() {
    let bytes = model(&spec(4, 4, 5), flex_map(&good_options(), false));
    let model = Model::from_bytes(bytes.as_slice()).unwrap();
    let ops = resolver();
    let mut arena = Aligned::zeroed(1 << 16);
    let mut interp = Interpreter::new(model, &ops, arena.as_mut_slice()).unwrap();
    // A box encoding whose height underflows to 0: TFLM's ValidateBoxes fails the invoke.
    interp.input_mut::<f32>(0).unwrap()[2] = -1000.0;
    interp.input_mut::<f32>(1).unwrap().fill(0.9);
    assert_eq!(interp.invoke(), Err(Error::BadOptions { op: 0 }));
    // NaN and infinite encodings and scores: a result, whatever it is.
    for v in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY, f32::MAX] {
        interp.input_mut::<f32>(0).unwrap().fill(v);
        interp.input_mut::<f32>(1).unwrap().fill(v);
        let _ = interp.invoke();
        interp.input_mut::<f32>(0).unwrap().fill(0.0);
        let _ = interp.invoke();
    }
}
