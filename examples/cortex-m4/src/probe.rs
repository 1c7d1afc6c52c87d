//! What the size probes share: run `fc_relu_int8`'s golden case with the given resolver, print
//! `PASS`/`FAIL` and exit. Errors print no detail on purpose: `{:?}` of `microlite::Error`
//! would add its formatting code to the measured library cost.
#![allow(dead_code)]

use core::ptr::addr_of_mut;

use cortex_m_semihosting::hprintln;
use microlite::{Arena, Error, Interpreter, Model, OpResolver};

use crate::rt::{self, case};

/// The probes' arena; the baseline has a buffer of the same size so that the RAM difference
/// is microlite's own.
pub const ARENA_BYTES: usize = 8 * 1024;
static mut ARENA: Arena<ARENA_BYTES> = Arena::new();

/// Runs the FULLY_CONNECTED model with `resolver` and exits 0 when it matches TFLM.
pub fn run_and_exit(resolver: &dyn OpResolver) -> ! {
    let c = case!("fc_relu_int8");
    // SAFETY: the only reference ever taken to ARENA, taken once.
    let arena = unsafe { &mut *addr_of_mut!(ARENA) }.as_mut_slice();
    let ok = run(c.model, c.input, c.golden, resolver, arena);
    match ok {
        Ok(true) => {
            hprintln!("PASS {}", c.name);
            rt::exit(0)
        }
        Ok(false) => hprintln!("FAIL {}: output differs", c.name),
        Err(_) => hprintln!("FAIL {}: error", c.name),
    }
    rt::exit(1)
}

fn run(
    model: &[u8],
    input: &[u8],
    golden: &[u8],
    resolver: &dyn OpResolver,
    arena: &mut [u8],
) -> Result<bool, Error> {
    let mut interp = Interpreter::new(Model::from_bytes(model)?, resolver, arena)?;
    let x = interp.input_bytes_mut(0)?;
    if x.len() != input.len() {
        return Ok(false);
    }
    x.copy_from_slice(input);
    interp.invoke()?;
    Ok(interp.output_bytes(0)? == golden)
}
