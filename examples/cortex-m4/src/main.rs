//! microlite on a Cortex-M4 (QEMU `mps2-an386`): runs two of the project's conformance models,
//! a DS-CNN keyword spotter and a MobileNet-style image classifier, on their case-0 inputs and
//! compares the outputs byte for byte with TFLM's goldens.
//!
//! Prints per model `PASS name` or `FAIL name`, the guest instructions of one invoke (the
//! second, like the TFLM figures in the project's docs), and the arena bytes used. Exits 0 only
//! when every model passes; a panic or fault exits non-zero (see `rt.rs`). No allocator.
#![no_std]
#![no_main]

mod rt;

use core::ptr::addr_of_mut;

use cortex_m_rt::entry;
use cortex_m_semihosting::hprintln;
use microlite::{Arena, Error, Interpreter, Model, MutableOpResolver, OpResolver};

use rt::{case, Case};

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
        match run(c, &resolver, arena) {
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

/// Plans `c`'s model in `arena`, invokes it twice on the golden input and checks both outputs.
fn run(c: &Case, resolver: &dyn OpResolver, arena: &mut [u8]) -> Result<bool, Error> {
    let depth = rt::stack_depth();
    rt::paint_stack();
    let (interp, setup) = rt::count(|| -> Result<Interpreter<'_>, Error> {
        let model = Model::from_bytes(c.model)?;
        Interpreter::new(model, resolver, arena)
    });
    let setup_stack = rt::stack_peak();
    let mut interp = interp?;
    let mut invoke_stack = 0;

    let mut ok = true;
    let mut insns = 0;
    for round in 0..2 {
        // The planner may reuse the input's bytes for later tensors: set it before every invoke.
        let input = interp.input_bytes_mut(0)?;
        if input.len() != c.input.len() {
            hprintln!(
                "{}: input is {} bytes, golden input {}",
                c.name,
                input.len(),
                c.input.len()
            );
            return Ok(false);
        }
        input.copy_from_slice(c.input);
        rt::paint_stack();
        let (r, n) = rt::count(|| interp.invoke());
        invoke_stack = invoke_stack.max(rt::stack_peak());
        r?;
        insns = n;
        ok &= matches(c, round, interp.output_bytes(0)?);
    }

    hprintln!("{} {}", if ok { "PASS" } else { "FAIL" }, c.name);
    hprintln!("  instructions per invoke: {}", insns);
    hprintln!(
        "  instructions for Model::from_bytes + Interpreter::new: {}",
        setup
    );
    hprintln!(
        "  arena_used_bytes: {} (head {} + tail {}) of {}",
        interp.arena_used_bytes(),
        interp.head_bytes(),
        interp.tail_bytes(),
        ARENA_BYTES
    );
    hprintln!(
        "  stack below the caller: {} bytes in setup, {} in invoke",
        setup_stack - depth,
        invoke_stack - depth
    );
    Ok(ok)
}

/// Whether `got` equals `c`'s golden output byte for byte; prints the first difference.
fn matches(c: &Case, round: usize, got: &[u8]) -> bool {
    if got.len() != c.golden.len() {
        hprintln!(
            "{} (invoke {}): output is {} bytes, golden {}",
            c.name,
            round + 1,
            got.len(),
            c.golden.len()
        );
        return false;
    }
    match got.iter().zip(c.golden).position(|(g, w)| g != w) {
        None => true,
        Some(i) => {
            hprintln!(
                "{} (invoke {}): output[{}] = {}, golden {}",
                c.name,
                round + 1,
                i,
                got[i] as i8,
                c.golden[i] as i8
            );
            false
        }
    }
}
