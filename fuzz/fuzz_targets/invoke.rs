//! A valid seed model with mutated bytes and random inputs -> invoke. Mutations that keep the
//! model parseable reach prepare and the kernels with odd shapes, types and parameters.
//! The body is `common::invoke`, which `tests/fuzz_regressions.rs` replays kept inputs through.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    common::invoke(data);
});
