//! Size probe: microlite with every op (`AllOpsResolver::with_all_ops`), running the project's
//! `fc_relu_int8` model against its golden.
#![no_std]
#![no_main]

#[path = "../probe.rs"]
mod probe;
#[path = "../rt.rs"]
mod rt;

use cortex_m_rt::entry;
use microlite::AllOpsResolver;

#[entry]
fn main() -> ! {
    probe::run_and_exit(&AllOpsResolver::with_all_ops())
}
