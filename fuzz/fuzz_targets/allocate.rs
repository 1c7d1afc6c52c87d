//! Bytes + arena size -> interpreter: planning and prepare must fail cleanly or succeed, and
//! a successful interpreter must invoke without panicking.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use microlite::{AllOpsResolver, Interpreter, Model};

fuzz_target!(|data: &[u8]| {
    if data.len() < 3 {
        return;
    }
    let arena_len = u16::from_le_bytes([data[0], data[1]]) as usize * 16 + data[2] as usize;
    let bytes = &data[3..];
    let (buf, off) = common::aligned(bytes);
    let Ok(model) = Model::from_bytes(&buf[off..off + bytes.len()]) else { return };
    let resolver = AllOpsResolver::with_all_ops();
    let (mut arena, aoff) = common::aligned(&vec![0u8; arena_len]);
    if let Ok(mut interp) = Interpreter::new(model, &resolver, &mut arena[aoff..aoff + arena_len]) {
        let _ = interp.invoke();
    }
});
