//! Bytes + arena size -> interpreter: planning and prepare must fail cleanly or succeed, and
//! a successful interpreter must invoke without panicking.
//! The body is `common::allocate`, which `tests/fuzz_regressions.rs` replays kept inputs through.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    common::allocate(data);
});
