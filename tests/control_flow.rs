//! IF, WHILE, CALL_ONCE and resource variables on hand-built models: results, `reset`, and
//! the hostile shapes control flow invites (recursion, deep nesting, loops that never end,
//! subgraphs that do not fit, variables nothing sizes), each a typed error in bounded time.
mod common;

use common::Aligned;
use microlite::{AllOpsResolver, Error, Interpreter, Model, MutableOpResolver, OpResolver};
use microlite_schema::flatbuffers::FlatBufferBuilder;
use microlite_schema::tflite::{
    self, BuiltinOperator as B, BuiltinOptionsT as O, TensorType as TT,
};
use std::time::Duration;

/// The opcodes every model here uses, by index.
const CODES: [B; 9] = [
    B::WHILE,
    B::IF,
    B::CALL_ONCE,
    B::ADD,
    B::LESS,
    B::VAR_HANDLE,
    B::READ_VARIABLE,
    B::ASSIGN_VARIABLE,
    B::RESHAPE,
];
fn code(b: B) -> u32 {
    CODES.iter().position(|&c| c == b).unwrap() as u32
}

/// A model under construction: buffers shared by every subgraph.
#[derive(Default)]
struct M {
    subgraphs: Vec<tflite::SubGraphT>,
    buffers: Vec<tflite::BufferT>,
}

/// One subgraph under construction.
#[derive(Default)]
struct Sg {
    tensors: Vec<tflite::TensorT>,
    ops: Vec<tflite::OperatorT>,
}

impl Sg {
    fn tensor(&mut self, m: &mut M, shape: &[i32], ty: TT, data: Option<Vec<u8>>) -> i32 {
        let mut t = tflite::TensorT::default();
        t.shape = Some(shape.to_vec());
        t.type_ = ty;
        t.name = Some(format!("t{}", self.tensors.len()));
        if let Some(d) = data {
            let mut b = tflite::BufferT::default();
            b.data = Some(d);
            m.buffers.push(b);
            t.buffer = (m.buffers.len() - 1) as u32;
        }
        self.tensors.push(t);
        (self.tensors.len() - 1) as i32
    }
    fn f32(&mut self, m: &mut M, v: Option<f32>) -> i32 {
        self.tensor(m, &[1], TT::FLOAT32, v.map(|v| v.to_le_bytes().to_vec()))
    }
    fn op(&mut self, b: B, ins: &[i32], outs: &[i32], options: O) {
        let mut op = tflite::OperatorT::default();
        op.opcode_index = code(b);
        op.inputs = Some(ins.to_vec());
        op.outputs = Some(outs.to_vec());
        op.builtin_options = options;
        self.ops.push(op);
    }
    fn finish(self, m: &mut M, ins: &[i32], outs: &[i32]) -> usize {
        let mut sg = tflite::SubGraphT::default();
        sg.tensors = Some(self.tensors);
        sg.operators = Some(self.ops);
        sg.inputs = Some(ins.to_vec());
        sg.outputs = Some(outs.to_vec());
        m.subgraphs.push(sg);
        m.subgraphs.len() - 1
    }
}

impl M {
    fn new() -> Self {
        let mut m = M::default();
        m.buffers.push(tflite::BufferT::default());
        m
    }
    /// Reserves subgraph slots so that they can be filled in any order.
    fn bytes(self) -> Aligned {
        let mut model = tflite::ModelT::default();
        model.version = 3;
        model.operator_codes = Some(
            CODES
                .iter()
                .map(|&b| {
                    let mut c = tflite::OperatorCodeT::default();
                    c.deprecated_builtin_code = b.0.min(127) as i8;
                    c.builtin_code = b;
                    c.version = 1;
                    c
                })
                .collect(),
        );
        model.subgraphs = Some(self.subgraphs);
        model.buffers = Some(self.buffers);
        let mut fbb = FlatBufferBuilder::new();
        let root = model.pack(&mut fbb);
        tflite::finish_model_buffer(&mut fbb, root);
        Aligned::copy_of(fbb.finished_data())
    }
}

fn while_opts(cond: i32, body: i32) -> O {
    let mut o = tflite::WhileOptionsT::default();
    o.cond_subgraph_index = cond;
    o.body_subgraph_index = body;
    O::WhileOptions(Box::new(o))
}
fn if_opts(then: i32, other: i32) -> O {
    let mut o = tflite::IfOptionsT::default();
    o.then_subgraph_index = then;
    o.else_subgraph_index = other;
    O::IfOptions(Box::new(o))
}
fn call_once_opts(init: i32) -> O {
    let mut o = tflite::CallOnceOptionsT::default();
    o.init_subgraph_index = init;
    O::CallOnceOptions(Box::new(o))
}
fn var_opts(name: &str) -> O {
    let mut o = tflite::VarHandleOptionsT::default();
    o.shared_name = Some(name.into());
    O::VarHandleOptions(Box::new(o))
}
fn add_opts() -> O {
    O::AddOptions(Box::default())
}

/// main: y = WHILE(x) with cond `x < limit` (or a constant `true`) and body `x + 1`.
fn counting_loop(limit: Option<f32>, cond_index: i32, body_index: i32) -> Aligned {
    let mut m = M::new();
    let mut main = Sg::default();
    let (x, y) = (main.f32(&mut m, None), main.f32(&mut m, None));
    main.op(B::WHILE, &[x], &[y], while_opts(cond_index, body_index));
    main.finish(&mut m, &[x], &[y]);
    let mut cond = Sg::default();
    let cx = cond.f32(&mut m, None);
    let out = match limit {
        Some(l) => {
            let lim = cond.f32(&mut m, Some(l));
            let out = cond.tensor(&mut m, &[1], TT::BOOL, None);
            cond.op(B::LESS, &[cx, lim], &[out], O::NONE);
            out
        }
        None => cond.tensor(&mut m, &[1], TT::BOOL, Some(vec![1])),
    };
    cond.finish(&mut m, &[cx], &[out]);
    let mut body = Sg::default();
    let (bx, one, by) = (
        body.f32(&mut m, None),
        body.f32(&mut m, Some(1.0)),
        body.f32(&mut m, None),
    );
    body.op(B::ADD, &[bx, one], &[by], add_opts());
    body.finish(&mut m, &[bx], &[by]);
    m.bytes()
}

fn build(bytes: &Aligned) -> Result<(), Error> {
    build_in(bytes, 1 << 16)
}

fn build_in(bytes: &Aligned, arena_bytes: usize) -> Result<(), Error> {
    let model = Model::from_bytes(bytes.as_slice())?;
    let resolver = AllOpsResolver::with_all_ops();
    let mut arena = vec![0u128; arena_bytes / 16];
    let arena: &mut [u8] = bytemuck::cast_slice_mut(&mut arena);
    Interpreter::new(model, &resolver, arena).map(|_| ())
}

/// Runs `f` on an interpreter for `bytes` with `resolver`, in a 16 KiB arena.
fn with_interp(bytes: &Aligned, resolver: &dyn OpResolver, f: impl FnOnce(&mut Interpreter<'_>)) {
    let model = Model::from_bytes(bytes.as_slice()).unwrap();
    let mut arena = vec![0u128; 1024];
    let arena: &mut [u8] = bytemuck::cast_slice_mut(&mut arena);
    f(&mut Interpreter::new(model, resolver, arena).unwrap());
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

#[test]
fn while_counts_up_to_its_limit() {
    let bytes = counting_loop(Some(5.0), 1, 2);
    let mut r = MutableOpResolver::<3>::new();
    r.add_while()
        .unwrap()
        .add_less()
        .unwrap()
        .add_add()
        .unwrap();
    with_interp(&bytes, &r, |interp| {
        for (x, want) in [(0.5f32, 5.5f32), (7.0, 7.0), (-2.25, 5.75)] {
            interp.input_mut::<f32>(0).unwrap()[0] = x;
            interp.invoke().unwrap();
            assert_eq!(interp.output::<f32>(0).unwrap()[0], want, "from {x}");
        }
        // The loop limit counts body runs: 0.5 -> 5.5 takes five.
        interp.set_loop_limit(4);
        interp.input_mut::<f32>(0).unwrap()[0] = 0.5;
        assert_eq!(interp.invoke(), Err(Error::LoopLimit { op: 0 }));
        interp.set_loop_limit(5);
        interp.input_mut::<f32>(0).unwrap()[0] = 0.5;
        interp.invoke().unwrap();
    });
}

#[test]
fn a_loop_that_never_ends_stops_at_the_limit() {
    within(30, || {
        let bytes = counting_loop(None, 1, 2);
        with_interp(&bytes, &AllOpsResolver::with_all_ops(), |interp| {
            assert_eq!(interp.invoke(), Err(Error::LoopLimit { op: 0 }));
            interp.set_loop_limit(3);
            assert_eq!(interp.invoke(), Err(Error::LoopLimit { op: 0 }));
        });
    });
}

#[test]
fn subgraphs_that_do_not_exist_or_run_themselves_are_refused() {
    // Condition index out of range; negative; the main subgraph as the body (it runs the
    // WHILE itself); the condition also the body (run from two places: allowed in TFLM, but
    // here its input and output types differ: bool vs float).
    for (cond, body) in [(9, 2), (-1, 2), (1, 0)] {
        let e = build(&counting_loop(Some(3.0), cond, body)).unwrap_err();
        assert!(
            matches!(e, Error::BadSubgraph { op: 0, .. }),
            "{cond} {body}: {e:?}"
        );
    }
    let e = build(&counting_loop(Some(3.0), 1, 1)).unwrap_err();
    assert!(matches!(e, Error::BadSubgraph { op: 0, .. }), "{e:?}");
}

/// A chain: subgraph k runs subgraph k + 1 with CALL_ONCE, `depth` calls deep.
fn call_chain(depth: usize) -> Aligned {
    let mut m = M::new();
    let mut main = Sg::default();
    let (x, y) = (main.f32(&mut m, None), main.f32(&mut m, None));
    main.op(B::CALL_ONCE, &[], &[], call_once_opts(1));
    main.op(B::RESHAPE, &[x], &[y], O::NONE);
    main.finish(&mut m, &[x], &[y]);
    for k in 1..=depth {
        let mut s = Sg::default();
        if k < depth {
            s.op(B::CALL_ONCE, &[], &[], call_once_opts(k as i32 + 1));
        }
        s.finish(&mut m, &[], &[]);
    }
    m.bytes()
}

#[test]
fn calls_nest_at_most_four_deep() {
    build(&call_chain(4)).unwrap();
    let e = build(&call_chain(5)).unwrap_err();
    assert!(matches!(e, Error::BadSubgraph { .. }), "{e:?}");
    // A long chain is refused as quickly.
    within(30, || {
        let e = build_in(&call_chain(3000), 1 << 20).unwrap_err();
        assert!(matches!(e, Error::BadSubgraph { .. }), "{e:?}");
    });
}

#[test]
fn a_cycle_of_subgraphs_is_refused() {
    // main -> 1 -> 2 -> 1.
    let mut m = M::new();
    let mut main = Sg::default();
    let (x, y) = (main.f32(&mut m, None), main.f32(&mut m, None));
    main.op(B::CALL_ONCE, &[], &[], call_once_opts(1));
    main.op(B::RESHAPE, &[x], &[y], O::NONE);
    main.finish(&mut m, &[x], &[y]);
    for next in [2, 1] {
        let mut s = Sg::default();
        s.op(B::CALL_ONCE, &[], &[], call_once_opts(next));
        s.finish(&mut m, &[], &[]);
    }
    let e = build(&m.bytes()).unwrap_err();
    assert!(matches!(e, Error::BadSubgraph { .. }), "{e:?}");
}

#[test]
fn if_branches_must_take_the_ops_tensors() {
    // IF(cond, x) -> y with a then branch taking two inputs.
    let mut m = M::new();
    let mut main = Sg::default();
    let (c, x, y) = (
        main.tensor(&mut m, &[1], TT::BOOL, None),
        main.f32(&mut m, None),
        main.f32(&mut m, None),
    );
    main.op(B::IF, &[c, x], &[y], if_opts(1, 2));
    main.finish(&mut m, &[c, x], &[y]);
    let mut then = Sg::default();
    let (a, b, o) = (
        then.f32(&mut m, None),
        then.f32(&mut m, None),
        then.f32(&mut m, None),
    );
    then.op(B::ADD, &[a, b], &[o], add_opts());
    then.finish(&mut m, &[a, b], &[o]);
    let mut other = Sg::default();
    let a = other.f32(&mut m, None);
    other.finish(&mut m, &[a], &[a]);
    let e = build(&m.bytes()).unwrap_err();
    assert_eq!(e, Error::BadSubgraph { op: 0, subgraph: 1 });
}

#[test]
fn if_runs_the_branch_its_condition_names() {
    // IF(cond, x) -> y: then = x + x, else = x (a subgraph without ops).
    let mut m = M::new();
    let mut main = Sg::default();
    let (c, x, y) = (
        main.tensor(&mut m, &[1], TT::BOOL, None),
        main.f32(&mut m, None),
        main.f32(&mut m, None),
    );
    main.op(B::IF, &[c, x], &[y], if_opts(1, 2));
    main.finish(&mut m, &[c, x], &[y]);
    let mut then = Sg::default();
    let (a, o) = (then.f32(&mut m, None), then.f32(&mut m, None));
    then.op(B::ADD, &[a, a], &[o], add_opts());
    then.finish(&mut m, &[a], &[o]);
    let mut other = Sg::default();
    let a = other.f32(&mut m, None);
    other.finish(&mut m, &[a], &[a]);
    let bytes = m.bytes();
    with_interp(&bytes, &AllOpsResolver::with_all_ops(), |interp| {
        for (cond, want) in [(1u8, 3.0f32), (0, 1.5)] {
            interp.input_bytes_mut(0).unwrap()[0] = cond;
            interp.input_mut::<f32>(1).unwrap()[0] = 1.5;
            interp.invoke().unwrap();
            assert_eq!(interp.output::<f32>(0).unwrap()[0], want);
        }
    });
}

/// main: CALL_ONCE(init); h = VAR_HANDLE("v"); r = READ(h); s = r + x; ASSIGN(h, s); out s.
/// init: h = VAR_HANDLE("v"); ASSIGN(h, 10.0).
fn accumulator(init: bool, read_size: i32) -> Aligned {
    let mut m = M::new();
    let mut main = Sg::default();
    let x = main.f32(&mut m, None);
    let h = main.tensor(&mut m, &[], TT::RESOURCE, None);
    let r = main.tensor(&mut m, &[read_size], TT::FLOAT32, None);
    let s = main.f32(&mut m, None);
    if init {
        main.op(B::CALL_ONCE, &[], &[], call_once_opts(1));
    }
    main.op(B::VAR_HANDLE, &[], &[h], var_opts("v"));
    main.op(B::READ_VARIABLE, &[h], &[r], O::NONE);
    main.op(B::ADD, &[r, x], &[s], add_opts());
    main.op(B::ASSIGN_VARIABLE, &[h, s], &[], O::NONE);
    main.finish(&mut m, &[x], &[s]);
    let mut i = Sg::default();
    let h = i.tensor(&mut m, &[], TT::RESOURCE, None);
    let ten = i.f32(&mut m, Some(10.0));
    i.op(B::VAR_HANDLE, &[], &[h], var_opts("v"));
    i.op(B::ASSIGN_VARIABLE, &[h, ten], &[], O::NONE);
    i.finish(&mut m, &[], &[]);
    m.bytes()
}

#[test]
fn variables_keep_their_value_across_invokes_and_reset_to_zero() {
    let bytes = accumulator(true, 1);
    let mut r = MutableOpResolver::<5>::new();
    r.add_call_once().unwrap().add_var_handle().unwrap();
    r.add_read_variable()
        .unwrap()
        .add_assign_variable()
        .unwrap();
    r.add_add().unwrap();
    with_interp(&bytes, &r, |interp| {
        let mut got = Vec::new();
        for _ in 0..3 {
            interp.input_mut::<f32>(0).unwrap()[0] = 1.0;
            interp.invoke().unwrap();
            got.push(interp.output::<f32>(0).unwrap()[0]);
        }
        // The initialization ran once (10), then each invoke adds 1.
        assert_eq!(got, [11.0, 12.0, 13.0]);
        // As TFLM: reset zeroes the variable and CALL_ONCE does not run again.
        interp.reset();
        interp.input_mut::<f32>(0).unwrap()[0] = 1.0;
        interp.invoke().unwrap();
        assert_eq!(interp.output::<f32>(0).unwrap()[0], 1.0);
    });
}

#[test]
fn variables_nothing_sizes_or_of_another_size_are_refused() {
    // No ASSIGN in the init subgraph and ... the main one still assigns: sized by it.
    build(&accumulator(false, 1)).unwrap();
    // Read with another size than the assignment gives.
    let mut m = M::new();
    let mut main = Sg::default();
    let x = main.f32(&mut m, None);
    let h = main.tensor(&mut m, &[], TT::RESOURCE, None);
    let r = main.tensor(&mut m, &[2], TT::FLOAT32, None);
    main.op(B::VAR_HANDLE, &[], &[h], var_opts("v"));
    main.op(B::ASSIGN_VARIABLE, &[h, x], &[], O::NONE);
    main.op(B::READ_VARIABLE, &[h], &[r], O::NONE);
    main.finish(&mut m, &[x], &[r]);
    let e = build(&m.bytes()).unwrap_err();
    assert_eq!(e, Error::BadVariable { op: 2, tensor: 1 });
    // A READ_VARIABLE of a handle no VAR_HANDLE made (a graph input).
    let mut m = M::new();
    let mut main = Sg::default();
    let h = main.tensor(&mut m, &[], TT::RESOURCE, None);
    let r = main.f32(&mut m, None);
    main.op(B::READ_VARIABLE, &[h], &[r], O::NONE);
    main.finish(&mut m, &[h], &[r]);
    let e = build(&m.bytes()).unwrap_err();
    assert!(matches!(e, Error::BadVariable { op: 0, .. }), "{e:?}");
}

#[test]
fn many_subgraphs_are_refused_quickly() {
    within(30, || {
        let mut m = M::new();
        for _ in 0..5000 {
            let mut s = Sg::default();
            let a = s.f32(&mut m, None);
            s.finish(&mut m, &[a], &[a]);
        }
        assert_eq!(build(&m.bytes()), Err(Error::TooComplex));
    });
}

#[test]
fn a_subgraph_run_from_two_places_keeps_its_tensors() {
    // Two IFs share one branch (y = x + x) and a WHILE body: the shared subgraph's tensors
    // are planned for the whole invoke, so neither caller's values are overwritten.
    let mut m = M::new();
    let mut main = Sg::default();
    let (c, x) = (
        main.tensor(&mut m, &[1], TT::BOOL, None),
        main.f32(&mut m, None),
    );
    let (y, z, w) = (
        main.f32(&mut m, None),
        main.f32(&mut m, None),
        main.f32(&mut m, None),
    );
    main.op(B::IF, &[c, x], &[y], if_opts(1, 1));
    main.op(B::IF, &[c, y], &[z], if_opts(1, 1));
    main.op(B::ADD, &[z, x], &[w], add_opts());
    main.finish(&mut m, &[c, x], &[w]);
    let mut double = Sg::default();
    let (a, o) = (double.f32(&mut m, None), double.f32(&mut m, None));
    double.op(B::ADD, &[a, a], &[o], add_opts());
    double.finish(&mut m, &[a], &[o]);
    let bytes = m.bytes();
    with_interp(&bytes, &AllOpsResolver::with_all_ops(), |interp| {
        interp.input_bytes_mut(0).unwrap()[0] = 1;
        interp.input_mut::<f32>(1).unwrap()[0] = 1.25;
        interp.invoke().unwrap();
        assert_eq!(interp.output::<f32>(0).unwrap()[0], 1.25 * 4.0 + 1.25);
    });
}

#[test]
fn many_handles_of_one_variable_plan_and_reset_in_bounded_time() {
    // 3,000 subgraphs, each assigning the variable main reads: placing the handles and
    // resetting the variable walk each op once (no per-op search over the subgraphs).
    within(60, || {
        let mut m = M::new();
        let mut main = Sg::default();
        let x = main.f32(&mut m, None);
        let h = main.tensor(&mut m, &[], TT::RESOURCE, None);
        let r = main.f32(&mut m, None);
        let y = main.f32(&mut m, None);
        main.op(B::VAR_HANDLE, &[], &[h], var_opts("v"));
        main.op(B::READ_VARIABLE, &[h], &[r], O::NONE);
        main.op(B::ADD, &[r, x], &[y], add_opts());
        main.finish(&mut m, &[x], &[y]);
        for k in 0..3000 {
            let mut s = Sg::default();
            let h = s.tensor(&mut m, &[], TT::RESOURCE, None);
            let v = s.f32(&mut m, Some(k as f32));
            s.op(B::VAR_HANDLE, &[], &[h], var_opts("v"));
            s.op(B::ASSIGN_VARIABLE, &[h, v], &[], O::NONE);
            s.finish(&mut m, &[], &[]);
        }
        let bytes = m.bytes();
        let model = Model::from_bytes(bytes.as_slice()).unwrap();
        let resolver = AllOpsResolver::with_all_ops();
        let mut arena = vec![0u128; 1 << 16];
        let arena: &mut [u8] = bytemuck::cast_slice_mut(&mut arena);
        let mut interp = Interpreter::new(model, &resolver, arena).unwrap();
        interp.input_mut::<f32>(0).unwrap()[0] = 2.0;
        interp.invoke().unwrap();
        // Nothing runs the subgraphs that assign: the variable holds its reset value, 0.
        assert_eq!(interp.output::<f32>(0).unwrap()[0], 2.0);
        interp.reset();
    });
}
