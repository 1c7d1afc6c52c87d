//! The public kernel API from outside the crate: a custom op matched by its `custom_code`, with
//! its options bytes, persistent data and scratch; a builtin's kernel replaced; the error for
//! an unregistered custom op; an `Interpreter` that is `Send`.

mod common;

use common::Aligned;
use microlite::{
    AllOpsResolver, Error, EvalCtx, Interpreter, Model, MutableOpResolver, PrepareCtx,
    Registration, TensorType,
};
use microlite_schema::flatbuffers::FlatBufferBuilder;
use microlite_schema::tflite::{self, BuiltinOperator as B, TensorType as TT};

fn tensor(shape: &[i32], ty: TT) -> tflite::TensorT {
    let mut t = tflite::TensorT::default();
    t.shape = Some(shape.to_vec());
    t.type_ = ty;
    t.name = Some("t".into());
    t
}

/// int8 `[4]` -> CUSTOM `name` (options `[factor]`) -> `[4]` -> RELU -> `[4]`.
fn model(name: &str, factor: u8) -> Aligned {
    let mut custom = tflite::OperatorCodeT::default();
    custom.deprecated_builtin_code = B::CUSTOM.0 as i8;
    custom.builtin_code = B::CUSTOM;
    custom.custom_code = Some(name.into());
    custom.version = 1;
    let mut relu = tflite::OperatorCodeT::default();
    relu.deprecated_builtin_code = B::RELU.0 as i8;
    relu.builtin_code = B::RELU;
    relu.version = 1;
    let mut op0 = tflite::OperatorT::default();
    op0.opcode_index = 0;
    op0.inputs = Some(vec![0]);
    op0.outputs = Some(vec![1]);
    op0.custom_options = Some(vec![factor]);
    let mut op1 = tflite::OperatorT::default();
    op1.opcode_index = 1;
    op1.inputs = Some(vec![1]);
    op1.outputs = Some(vec![2]);
    let mut sg = tflite::SubGraphT::default();
    sg.tensors = Some(vec![
        tensor(&[4], TT::FLOAT32),
        tensor(&[4], TT::FLOAT32),
        tensor(&[4], TT::FLOAT32),
    ]);
    sg.inputs = Some(vec![0]);
    sg.outputs = Some(vec![2]);
    sg.operators = Some(vec![op0, op1]);
    let mut m = tflite::ModelT::default();
    m.version = 3;
    m.operator_codes = Some(vec![custom, relu]);
    m.subgraphs = Some(vec![sg]);
    m.buffers = Some(vec![tflite::BufferT::default()]);
    let mut fbb = FlatBufferBuilder::new();
    let root = m.pack(&mut fbb);
    tflite::finish_model_buffer(&mut fbb, root);
    Aligned::copy_of(fbb.finished_data())
}

/// What the custom kernel keeps from prepare.
#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct ScaleData {
    factor: f32,
    len: u32,
}

/// "Scale": `out = factor * in - 1`, the factor from the op's custom options; the `- 1` goes
/// through scratch to show it is planned and writable.
fn scale_prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    let (input, output) = (ctx.input(0)?, ctx.output(0)?);
    if input.ty() != TensorType::Float32 || output.ty() != TensorType::Float32 {
        return Err(ctx.type_error(0));
    }
    if input.element_count() != output.element_count() {
        return Err(ctx.shape_error(0));
    }
    let &[factor] = ctx.custom_options() else {
        return Err(ctx.options_error());
    };
    let len = input.element_count() as u32;
    ctx.persist(&ScaleData {
        factor: f32::from(factor),
        len,
    })?;
    ctx.request_scratch(4 * len as usize);
    Ok(())
}

fn scale_eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    let d = *ctx.data::<ScaleData>()?;
    let scratch = ctx.scratch::<f32>()?;
    scratch.fill(1.0);
    let input = ctx.input::<f32>(0)?;
    let output = ctx.output::<f32>(0)?;
    for ((o, &x), &s) in output.iter_mut().zip(input).zip(scratch.iter()) {
        *o = d.factor * x - s;
    }
    Ok(())
}

/// A firmware's own RELU: clamps at 1 instead of 0, so the test can tell it ran.
fn relu_prepare(_: &mut PrepareCtx<'_>) -> Result<(), Error> {
    Ok(())
}

fn relu_eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    let input = ctx.input::<f32>(0)?;
    for (o, &x) in ctx.output::<f32>(0)?.iter_mut().zip(input) {
        *o = x.max(1.0);
    }
    Ok(())
}

#[test]
fn a_custom_op_runs_with_its_options_data_and_scratch() {
    let bytes = model("Scale", 3);
    let model = Model::from_bytes(bytes.as_slice()).unwrap();
    let mut resolver = MutableOpResolver::<2>::new();
    resolver
        .add(Registration::custom("Scale", scale_prepare, scale_eval))
        .unwrap()
        .add_relu()
        .unwrap();
    let mut arena = Aligned::zeroed(2048);
    let mut interp = Interpreter::new(model, &resolver, arena.as_mut_slice()).unwrap();
    interp.set_input(0, &[-1.0f32, 0.0, 0.5, 2.0]).unwrap();
    interp.invoke().unwrap();
    // 3x - 1, then RELU.
    assert_eq!(interp.output::<f32>(0).unwrap(), &[0.0, 0.0, 0.5, 5.0]);
    // Twice: data and scratch are the same on every invoke.
    interp.invoke().unwrap();
    assert_eq!(interp.output::<f32>(0).unwrap(), &[0.0, 0.0, 0.5, 5.0]);
}

#[test]
fn a_builtin_kernel_can_be_replaced() {
    let bytes = model("Scale", 1);
    let model = Model::from_bytes(bytes.as_slice()).unwrap();
    let mut resolver = MutableOpResolver::<2>::new();
    resolver
        .add(Registration::custom("Scale", scale_prepare, scale_eval))
        .unwrap()
        .add_relu()
        .unwrap()
        .replace(Registration::builtin(
            B::RELU.into_microlite(),
            1,
            relu_prepare,
            relu_eval,
        ))
        .unwrap();
    assert_eq!(resolver.len(), 2);
    let mut arena = Aligned::zeroed(2048);
    let mut interp = Interpreter::new(model, &resolver, arena.as_mut_slice()).unwrap();
    interp.set_input(0, &[-1.0f32, 0.0, 0.5, 4.0]).unwrap();
    interp.invoke().unwrap();
    assert_eq!(interp.output::<f32>(0).unwrap(), &[1.0, 1.0, 1.0, 3.0]);
}

#[test]
fn an_unregistered_custom_op_is_named() {
    let bytes = model("MyVeryOwnOp", 1);
    let model = Model::from_bytes(bytes.as_slice()).unwrap();
    let resolver = AllOpsResolver::with_all_ops();
    let mut arena = Aligned::zeroed(2048);
    let err = Interpreter::new(model, &resolver, arena.as_mut_slice())
        .err()
        .unwrap();
    let Error::CustomOp { op, name } = err else {
        panic!("{err:?}")
    };
    assert_eq!((op, name.as_str()), (0, "MyVeryOwnOp"));
    assert!(err.to_string().contains("\"MyVeryOwnOp\""), "{err}");
    // A kernel for another name does not match.
    let mut other = MutableOpResolver::<2>::new();
    other
        .add(Registration::custom("Scale", scale_prepare, scale_eval))
        .unwrap();
    let mut arena = Aligned::zeroed(2048);
    assert!(matches!(
        Interpreter::new(model, &other, arena.as_mut_slice()),
        Err(Error::CustomOp { .. })
    ));
}

#[test]
fn custom_prepare_errors_reach_the_caller() {
    let bytes = model("Scale", 1);
    let model = Model::from_bytes(bytes.as_slice()).unwrap();
    let mut resolver = MutableOpResolver::<2>::new();
    fn refuse(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
        Err(ctx.options_error())
    }
    resolver
        .add(Registration::custom("Scale", refuse, scale_eval))
        .unwrap()
        .add_relu()
        .unwrap();
    let mut arena = Aligned::zeroed(2048);
    assert_eq!(
        Interpreter::new(model, &resolver, arena.as_mut_slice()).err(),
        Some(Error::BadOptions { op: 0 })
    );
}

#[test]
fn interpreter_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Interpreter<'static>>();
    assert_send_sync::<MutableOpResolver<4>>();
}

trait IntoMicrolite {
    fn into_microlite(self) -> microlite::BuiltinOperator;
}
impl IntoMicrolite for B {
    fn into_microlite(self) -> microlite::BuiltinOperator {
        microlite::BuiltinOperator(self.0)
    }
}
