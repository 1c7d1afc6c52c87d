//! Differential test: microlite's own zero-copy reader against the flatc-generated bindings
//! (the official `flatbuffers` crate) on every real and own model.

mod common;

use microlite::Model;
use microlite_schema::tflite;

#[test]
fn reader_matches_generated_bindings() {
    let files = common::all_model_files();
    assert!(!files.is_empty(), "no models found");
    for path in files {
        let bytes = common::load(&path);
        let ours = Model::from_bytes(bytes.as_slice())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let theirs = tflite::root_as_model(bytes.as_slice()).unwrap();
        let name = path.display();
        assert_eq!(ours.version(), theirs.version(), "{name}");
        let codes = theirs.operator_codes().unwrap();
        assert_eq!(ours.operator_code_count(), codes.len(), "{name}");
        for (i, c) in codes.iter().enumerate() {
            let o = ours.operator_code(i);
            assert_eq!(
                o.builtin.0,
                microlite_schema::builtin_code(&c).0,
                "{name} opcode {i}"
            );
            assert_eq!(o.version, c.version(), "{name} opcode {i}");
        }
        let bufs = theirs.buffers().unwrap();
        assert_eq!(ours.buffer_count(), bufs.len());
        for (i, b) in bufs.iter().enumerate() {
            let want = b.data().map(|d| d.bytes()).unwrap_or(&[]);
            assert_eq!(ours.buffer(i), want, "{name} buffer {i}");
        }
        let sgs = theirs.subgraphs().unwrap();
        assert_eq!(ours.subgraph_count(), sgs.len());
        for (s, sg) in sgs.iter().enumerate() {
            let mine = ours.subgraph(s).unwrap();
            let tensors = sg.tensors().unwrap();
            assert_eq!(mine.tensor_count(), tensors.len());
            for (i, t) in tensors.iter().enumerate() {
                let m = mine.tensor(i).unwrap();
                assert_eq!(m.name(), t.name().unwrap_or(""), "{name} tensor {i}");
                assert_eq!(m.ty() as u8 as i8, t.type_().0, "{name} tensor {i}");
                assert_eq!(m.buffer_index(), t.buffer(), "{name} tensor {i}");
                let shape: Vec<i32> = t.shape().map(|v| v.iter().collect()).unwrap_or_default();
                assert_eq!(
                    m.shape().iter().collect::<Vec<_>>(),
                    shape,
                    "{name} tensor {i}"
                );
                let q = t
                    .quantization()
                    .and_then(|q| q.scale().map(|s| (q, s)))
                    .filter(|(_, s)| !s.is_empty());
                match (m.quantization(), q) {
                    (None, None) => {}
                    (Some(mq), Some((tq, scales))) => {
                        assert_eq!(mq.len(), scales.len());
                        for k in 0..mq.len() {
                            assert_eq!(mq.scale(k).to_bits(), scales.get(k).to_bits());
                            let zp = tq.zero_point().map(|z| z.get(k)).unwrap_or(0);
                            assert_eq!(mq.zero_point(k), zp);
                        }
                        assert_eq!(mq.quantized_dimension(), tq.quantized_dimension());
                    }
                    (a, b) => panic!(
                        "{name} tensor {i}: quantization {:?} vs {:?}",
                        a.is_some(),
                        b.is_some()
                    ),
                }
            }
            let ins: Vec<i32> = sg.inputs().unwrap().iter().collect();
            assert_eq!(mine.inputs().iter().collect::<Vec<_>>(), ins);
            let outs: Vec<i32> = sg.outputs().unwrap().iter().collect();
            assert_eq!(mine.outputs().iter().collect::<Vec<_>>(), outs);
            let ops = sg.operators().unwrap();
            assert_eq!(mine.operator_count(), ops.len());
            for (i, op) in ops.iter().enumerate() {
                let m = mine.operator(i).unwrap();
                assert_eq!(m.opcode_index(), op.opcode_index());
                assert_eq!(
                    m.inputs().iter().collect::<Vec<_>>(),
                    op.inputs().unwrap().iter().collect::<Vec<_>>()
                );
                assert_eq!(
                    m.outputs().iter().collect::<Vec<_>>(),
                    op.outputs().unwrap().iter().collect::<Vec<_>>()
                );
                assert_eq!(m.builtin_options_type(), op.builtin_options_type().0);
            }
        }
    }
}
