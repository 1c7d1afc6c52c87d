//! microlite on a Cortex-M4 (QEMU `mps2-an386`): runs two of the project's conformance models,
//! a DS-CNN keyword spotter and a MobileNet-style image classifier, on their case-0 inputs and
//! compares the outputs byte for byte with TFLM's goldens.
//!
//! Prints per model `PASS name` or `FAIL name`, the guest instructions of one invoke (the
//! second, like the TFLM figures in the project's docs), and the arena bytes used. Exits 0 only
//! when every model passes; a panic or fault exits non-zero (see `rt.rs`). No allocator.
#![no_std]
#![no_main]

mod check;
mod rt;

use core::ptr::addr_of_mut;

use cortex_m_rt::entry;
use cortex_m_semihosting::hprintln;
use microlite::{Arena, Error, Interpreter, MutableOpResolver};

use rt::case;

/// Generous on purpose: the firmware reports what each model really uses.
const ARENA_BYTES: usize = 64 * 1024;
static mut ARENA: Arena<ARENA_BYTES> = Arena::new();

/// The union of the two models' ops: AVERAGE_POOL_2D, CONV_2D, DEPTHWISE_CONV_2D,
/// FULLY_CONNECTED, MEAN, SOFTMAX.
fn resolver() -> Result<MutableOpResolver<6>, Error> {
    let mut r = MutableOpResolver::<6>::new();
    r.add_average_pool_2d()?
        .add_conv_2d()?
        .add_depthwise_conv_2d()?
        .add_fully_connected()?
        .add_mean()?
        .add_softmax()?;
    Ok(r)
}

#[entry]
fn main() -> ! {
    let cp = cortex_m::Peripherals::take().unwrap();
    rt::start_counter(cp.SYST);
    rt::paint_stack();

    let cases = [case!("net_dscnn_int8"), case!("net_mobilenet_int8")];
    hprintln!(
        "microlite on Cortex-M4 (QEMU mps2-an386, -icount shift=7): {} models",
        cases.len()
    );

    let resolver = match resolver() {
        Ok(r) => r,
        Err(e) => {
            hprintln!("FAIL resolver: {:?}", e);
            rt::exit(1)
        }
    };
    // SAFETY: the only reference ever taken to ARENA, taken once.
    let arena = unsafe { &mut *addr_of_mut!(ARENA) }.as_mut_slice();

    let mut passed = 0;
    for c in &cases {
        match check::run(c, &resolver, arena) {
            Ok(true) => passed += 1,
            Ok(false) => {}
            Err(e) => hprintln!("FAIL {}: {:?}", c.name, e),
        }
    }
    let failed = cases.len() - passed;

    hprintln!(
        "interpreter state outside the arena: {} bytes",
        Interpreter::state_bytes()
    );
    hprintln!(
        "stack peak of the whole run: {} bytes",
        rt::stack_peak_overall()
    );
    hprintln!("{} passed, {} failed", passed, failed);
    rt::exit(if failed == 0 { 0 } else { 1 })
}
