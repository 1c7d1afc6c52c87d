//! microlite on a Cortex-M4 (QEMU `mps2-an386`): runs two of the project's conformance models,
//! a DS-CNN keyword spotter and a MobileNet-style image classifier, on their case-0 inputs and
//! compares the outputs byte for byte with TFLM's goldens.
//!
//! Prints per model `PASS name` or `FAIL name`, the guest instructions of one invoke (the
//! second, like the TFLM figures in the project's docs), and the arena bytes used. Then two
//! demonstrations: a custom op defined here (`custom_op.rs`, `PASS custom_op`), and an
//! interpreter kept in a `static` and invoked from the PendSV handler (`static_interp.rs`,
//! `PASS static interpreter invoked from PendSV`). Exits 0 only when every check passes; a
//! panic or fault exits non-zero (see `rt.rs`). No allocator.
#![no_std]
#![no_main]

mod check;
mod custom_op;
mod rt;
#[allow(dead_code)]
mod scale_shift_params;
mod static_interp;

use core::ptr::addr_of_mut;

use cortex_m_rt::entry;
use cortex_m_semihosting::hprintln;
use microlite::{Arena, Error, Interpreter, MutableOpResolver};

use rt::case;

/// Generous on purpose: the firmware reports what each model really uses.
const ARENA_BYTES: usize = 64 * 1024;
static mut ARENA: Arena<ARENA_BYTES> = Arena::new();

/// The union of the two models' ops: AVERAGE_POOL_2D, CONV_2D, DEPTHWISE_CONV_2D,
/// FULLY_CONNECTED, MEAN, SOFTMAX; and the firmware's own CUSTOM "ScaleShift" kernel.
fn resolver() -> Result<MutableOpResolver<7>, Error> {
    let mut r = MutableOpResolver::<7>::new();
    r.add_average_pool_2d()?
        .add_conv_2d()?
        .add_depthwise_conv_2d()?
        .add_fully_connected()?
        .add_mean()?
        .add_softmax()?
        .add(custom_op::SCALE_SHIFT)?;
    Ok(r)
}

include!(concat!(env!("OUT_DIR"), "/net_dscnn_ops.rs"));

/// `NET_DSCNN_ARENA_BYTES` / `NET_DSCNN_STATE_BYTES` and `net_dscnn_resolver()` (written by
/// `microlite_build::generate` in build.rs) against the interpreter on this device.
fn build_time_sizing(arena: &mut [u8]) -> Result<bool, microlite::Error> {
    let resolver = net_dscnn_resolver()?;
    let model = microlite::Model::from_bytes(case!("net_dscnn_int8").model)?;
    let arena = arena
        .get_mut(..NET_DSCNN_ARENA_BYTES)
        .ok_or(microlite::Error::TooComplex)?;
    let interp = Interpreter::new(model, &resolver, arena)?;
    // The generated arena is the host's plan of the default kernels: exact for them here, an
    // upper bound for feature `small` (whose reference kernels plan less scratch).
    let ok = interp.arena_used_bytes() <= NET_DSCNN_ARENA_BYTES
        && Interpreter::state_bytes() == NET_DSCNN_STATE_BYTES;
    hprintln!(
        "{} build-time sizing (microlite-build): arena {} of {} generated, state {} of {}",
        if ok { "PASS" } else { "FAIL" },
        interp.arena_used_bytes(),
        NET_DSCNN_ARENA_BYTES,
        Interpreter::state_bytes(),
        NET_DSCNN_STATE_BYTES
    );
    Ok(ok)
}

#[entry]
fn main() -> ! {
    // cortex-m-rt turns a `static mut` declared here into a safe `&'static mut`: the resolver
    // lives as long as the `static` interpreter that borrows it.
    static mut RESOLVER: Option<MutableOpResolver<7>> = None;

    let cp = cortex_m::Peripherals::take().unwrap();
    rt::start_counter(cp.SYST);
    rt::paint_stack();

    let cases = [case!("net_dscnn_int8"), case!("net_mobilenet_int8")];
    hprintln!(
        "microlite on Cortex-M4 (QEMU mps2-an386, -icount shift=7): {} models",
        cases.len()
    );

    let resolver: &'static MutableOpResolver<7> = match resolver() {
        Ok(r) => RESOLVER.insert(r),
        Err(e) => {
            hprintln!("FAIL resolver: {:?}", e);
            rt::exit(1)
        }
    };
    // SAFETY: the only reference ever taken to ARENA, taken once.
    let arena = unsafe { &mut *addr_of_mut!(ARENA) }.as_mut_slice();

    let mut passed = 0;
    for c in &cases {
        match check::run(c, resolver, arena) {
            Ok(true) => passed += 1,
            Ok(false) => {}
            Err(e) => hprintln!("FAIL {}: {:?}", c.name, e),
        }
    }
    let mut checks = cases.len();

    // The firmware's own CUSTOM op, in a model build.rs wrote.
    checks += 1;
    match custom_op::run(resolver, arena) {
        Ok(true) => passed += 1,
        Ok(false) => {}
        Err(e) => hprintln!("FAIL custom_op: {:?}", e),
    }

    // microlite-build's constants, generated on the host for this target, against the device.
    checks += 1;
    match build_time_sizing(arena) {
        Ok(true) => passed += 1,
        Ok(false) => {}
        Err(e) => hprintln!("FAIL build-time sizing: {:?}", e),
    }

    // Last, as it keeps the arena for good: an interpreter in a `static`, invoked from PendSV.
    checks += 1;
    match static_interp::run(&case!("fc_relu_int8"), resolver, arena) {
        Ok(true) => passed += 1,
        Ok(false) => {}
        Err(e) => hprintln!("FAIL static interpreter invoked from PendSV: {:?}", e),
    }
    let failed = checks - passed;

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
