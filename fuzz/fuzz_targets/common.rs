//! Shared by the fuzz targets: aligned copies and a full walk of a model's accessors.
#![allow(dead_code)]

use microlite::Model;

/// A 16-byte-aligned copy of `bytes` (the reader and arena need alignment).
pub fn aligned(bytes: &[u8]) -> (Vec<u8>, usize) {
    let mut buf = vec![0u8; bytes.len() + 16];
    let off = buf.as_ptr().align_offset(16);
    buf[off..off + bytes.len()].copy_from_slice(bytes);
    (buf, off)
}

/// Reads everything a verified model exposes; none of it may panic.
pub fn walk(model: &Model<'_>) -> usize {
    let mut n = model.version() as usize + model.description().len();
    for i in 0..model.operator_code_count() + 1 {
        let c = model.operator_code(i);
        n += c.version as usize + c.builtin.0 as usize;
    }
    for i in 0..model.buffer_count() + 1 {
        n += model.buffer(i).len();
    }
    for i in 0..model.metadata_count() + 1 {
        n += model.metadata(i).map_or(0, |(k, v)| k.len() + v.len());
    }
    for s in 0..model.subgraph_count() + 1 {
        let Some(sg) = model.subgraph(s) else { continue };
        n += sg.name().len() + sg.inputs().iter().count() + sg.outputs().iter().count();
        for t in 0..sg.tensor_count() + 1 {
            let Some(t) = sg.tensor(t) else { continue };
            n += t.name().len() + t.element_count() + t.byte_size().unwrap_or(0) + t.data().map_or(0, |d| d.len());
            if let Some(q) = t.quantization() {
                for k in 0..q.len() + 1 {
                    n += q.scale(k) as usize + q.zero_point(k) as usize;
                }
            }
        }
        for o in 0..sg.operator_count() + 1 {
            let Some(op) = sg.operator(o) else { continue };
            n += op.inputs().iter().count() + op.outputs().iter().count() + op.builtin_options_type() as usize;
        }
    }
    n
}
