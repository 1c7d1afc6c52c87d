//! Bytes -> model: verification must reject or accept without panicking, and every accessor of
//! an accepted model must work.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use microlite::Model;

fuzz_target!(|data: &[u8]| {
    let (buf, off) = common::aligned(data);
    if let Ok(model) = Model::from_bytes(&buf[off..off + data.len()]) {
        std::hint::black_box(common::walk(&model));
    }
});
