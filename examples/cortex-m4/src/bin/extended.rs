//! microlite on a Cortex-M4 (QEMU `mps2-an386`) beyond int8 CNNs: two 16x8 nets (int16
//! activations: conv, depthwise, pooling, FC, SOFTMAX; a residual ADD block with MEAN), and
//! micro_speech's audio front end (`audio_preprocessor_int8`: TFLM's signal ops, one 30 ms
//! window of int16 audio to 40 int8 features), and models that keep state across invokes:
//! TFLM's SVDF keyword model (`keyword_scrambled_8bit`: int16 input, SVDF with int8 state,
//! int16 SOFTMAX output, int32 output), TFLM's LSTM example (`mnist_lstm_int8`: 28 steps of
//! UNIDIRECTIONAL_SEQUENCE_LSTM with an int16 cell state) and the project's own SVDF models. Each is checked against TFLM's golden byte for byte from a fresh state, with its
//! instructions per invoke. Exits 0 only when every model passes.
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

const ARENA_BYTES: usize = 32 * 1024;
static mut ARENA: Arena<ARENA_BYTES> = Arena::new();

/// The union of the models' ops.
fn resolver() -> Result<MutableOpResolver<{ 20 + microlite::SIGNAL_OPS }>, Error> {
    let mut r = MutableOpResolver::<{ 20 + microlite::SIGNAL_OPS }>::new();
    // micro_speech's audio front end: the signal ops and its graph's builtins.
    r.add_signal_ops()?
        .add_cast()?
        .add_strided_slice()?
        .add_concatenation()?
        .add_mul()?
        .add_div()?
        .add_minimum()?
        .add_maximum()?;
    r.add_conv_2d()?
        .add_depthwise_conv_2d()?
        .add_average_pool_2d()?
        .add_add()?
        .add_mean()?
        .add_svdf()?
        .add_unidirectional_sequence_lstm()?
        .add_fully_connected()?
        .add_reshape()?
        .add_softmax()?
        .add_quantize()?;
    Ok(r)
}

#[entry]
fn main() -> ! {
    let cp = cortex_m::Peripherals::take().unwrap();
    rt::start_counter(cp.SYST);
    rt::paint_stack();

    let cases: &[rt::Case] = &include!(concat!(env!("OUT_DIR"), "/extended_cases.rs"));
    hprintln!(
        "microlite on Cortex-M4 (QEMU mps2-an386, -icount shift=7): {} 16x8 and stateful models",
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
