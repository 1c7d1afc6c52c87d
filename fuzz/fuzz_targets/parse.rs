//! Bytes -> model: verification must reject or accept without panicking, and every accessor of
//! an accepted model must work.
//! The body is `common::parse`, which `tests/fuzz_regressions.rs` replays kept inputs through.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    common::parse(data);
});
