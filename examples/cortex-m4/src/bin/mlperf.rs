//! microlite on a Cortex-M4 (QEMU `mps2-an386`) with the real models of `../shared/models`
//! (MLPerf Tiny and TFLM's examples): each checked against TFLM's golden byte for byte, its
//! instructions per invoke printed beside TFLM's own on the same board (reference kernels and
//! CMSIS-NN, from the model's `meta.json`). Exits 0 only when every model passes; when
//! `../shared/models` was not beside the checkout at build time, says so and exits 0.
#![no_std]
#![no_main]

#[path = "../check.rs"]
mod check;
#[path = "../rt.rs"]
mod rt;

use core::ptr::addr_of_mut;

use cortex_m_rt::entry;
use cortex_m_semihosting::hprintln;
use microlite::{Arena, Error, MutableOpResolver};

/// Room for the largest of them (vww_mobilenet_int8, about 96 KiB on a 32-bit target).
const ARENA_BYTES: usize = 128 * 1024;
static mut ARENA: Arena<ARENA_BYTES> = Arena::new();

/// The union of the models' ops.
fn resolver() -> Result<MutableOpResolver<7>, Error> {
    let mut r = MutableOpResolver::<7>::new();
    r.add_add()?
        .add_average_pool_2d()?
        .add_conv_2d()?
        .add_depthwise_conv_2d()?
        .add_fully_connected()?
        .add_reshape()?
        .add_softmax()?;
    Ok(r)
}

#[entry]
fn main() -> ! {
    let cp = cortex_m::Peripherals::take().unwrap();
    rt::start_counter(cp.SYST);
    rt::paint_stack();

    let cases: &[rt::Case] = &include!(concat!(env!("OUT_DIR"), "/mlperf_cases.rs"));
    if cases.is_empty() {
        hprintln!("../shared/models was not found at build time: nothing to run");
        rt::exit(0)
    }
    hprintln!(
        "microlite on Cortex-M4 (QEMU mps2-an386, -icount shift=7): {} models of ../shared/models",
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
    for c in cases {
        match check::run(c, &resolver, arena) {
            Ok(true) => passed += 1,
            Ok(false) => {}
            Err(e) => hprintln!("FAIL {}: {:?}", c.name, e),
        }
    }
    let failed = cases.len() - passed;
    hprintln!("{} passed, {} failed", passed, failed);
    rt::exit(if failed == 0 { 0 } else { 1 })
}
