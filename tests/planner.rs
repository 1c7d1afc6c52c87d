//! The arena plan: live tensors never overlap, RESHAPE-like ops share memory, and the total
//! stays within TFLM's recorded arena for every model that has one.

mod common;

use common::Aligned;
use microlite::{AllOpsResolver, BuiltinOperator, Interpreter, Model};

fn interp_for<'a>(
    model: Model<'a>,
    resolver: &'a AllOpsResolver,
    arena: &'a mut Aligned,
) -> Interpreter<'a> {
    Interpreter::new(model, resolver, arena.as_mut_slice()).unwrap()
}

#[test]
fn live_tensors_never_overlap() {
    let resolver = AllOpsResolver::with_all_ops();
    let mut checked = 0;
    for path in common::all_model_files() {
        let bytes = common::load(&path);
        let model = Model::from_bytes(bytes.as_slice()).unwrap();
        let mut arena = Aligned::zeroed(8 << 20);
        let Ok(interp) = Interpreter::new(model, &resolver, arena.as_mut_slice()) else {
            continue;
        };
        let sg = model.main_subgraph();
        // Pairs a RESHAPE-like op joins may share bytes.
        let mut shared = Vec::new();
        for i in 0..sg.operator_count() {
            let op = sg.operator(i).unwrap();
            let code = model.operator_code(op.opcode_index() as usize).builtin;
            if [
                BuiltinOperator::RESHAPE,
                BuiltinOperator::SQUEEZE,
                BuiltinOperator::EXPAND_DIMS,
            ]
            .contains(&code)
            {
                shared.push((op.inputs().get(0) as usize, op.outputs().get(0) as usize));
            }
        }
        let mut root: Vec<usize> = (0..sg.tensor_count()).collect();
        for &(x, y) in &shared {
            let r = root[x];
            root[y] = r;
        }
        let allocs: Vec<_> = (0..sg.tensor_count())
            .filter_map(|t| interp.allocation(t).map(|a| (t, a)))
            .collect();
        for (i, &(ta, a)) in allocs.iter().enumerate() {
            assert!(
                a.offset + a.size <= interp.head_bytes(),
                "{}: tensor {ta} past the head",
                path.display()
            );
            for &(tb, b) in &allocs[..i] {
                let live = a.first_op <= b.last_op && b.first_op <= a.last_op;
                let disjoint = a.offset + a.size <= b.offset || b.offset + b.size <= a.offset;
                let joined = a.offset == b.offset && root[ta] == root[tb];
                assert!(
                    !live || disjoint || joined,
                    "{}: tensors {ta} and {tb} overlap while live",
                    path.display()
                );
            }
        }
        checked += 1;
    }
    assert!(checked >= 115);
}

#[test]
fn reshape_aliases_its_input() {
    let path = common::own_models().join("reshape_8x8x3_to_4x48_int8/model.tflite");
    let bytes = common::load(&path);
    let model = Model::from_bytes(bytes.as_slice()).unwrap();
    let resolver = AllOpsResolver::with_all_ops();
    let mut arena = Aligned::zeroed(1 << 16);
    let interp = interp_for(model, &resolver, &mut arena);
    let sg = model.main_subgraph();
    let (x, y) = (sg.inputs().get(0) as usize, sg.outputs().get(0) as usize);
    let (ax, ay) = (interp.allocation(x).unwrap(), interp.allocation(y).unwrap());
    assert_eq!(ax.offset, ay.offset);
    // One 192-byte buffer serves both: TFLM would need two.
    assert_eq!(interp.head_bytes(), 192);
}

#[test]
fn within_tflm_arena() {
    let Some(shared) = common::shared_models() else {
        return;
    };
    let resolver = AllOpsResolver::with_all_ops();
    for dir in std::fs::read_dir(shared)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
    {
        let Ok(meta) = std::fs::read_to_string(dir.join("meta.json")) else {
            continue;
        };
        let key = "\"total\":";
        let Some(at) = meta.find(key) else { continue };
        let total: usize = meta[at + key.len()..]
            .trim_start()
            .split(|c: char| !c.is_ascii_digit())
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let bytes = common::load(&dir.join("model.tflite"));
        let model = Model::from_bytes(bytes.as_slice()).unwrap();
        let mut big = Aligned::zeroed(8 << 20);
        let needed = Interpreter::arena_size(model, &resolver, big.as_mut_slice()).unwrap();
        let ours = needed + Interpreter::state_bytes();
        assert!(ours <= total, "{}: {ours} > TFLM's {total}", dir.display());
    }
}
