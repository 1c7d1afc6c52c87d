//! Size probe: microlite with FULLY_CONNECTED for int8 only (`add_fully_connected_int8`: no
//! float kernel), running the project's `fc_relu_int8` model against its golden.
#![no_std]
#![no_main]

#[path = "../probe.rs"]
mod probe;
#[path = "../rt.rs"]
mod rt;

use cortex_m_rt::entry;
use microlite::MutableOpResolver;

#[entry]
fn main() -> ! {
    let mut resolver = MutableOpResolver::<1>::new();
    if resolver.add_fully_connected_int8().is_err() {
        rt::exit(1)
    }
    probe::run_and_exit(&resolver)
}
