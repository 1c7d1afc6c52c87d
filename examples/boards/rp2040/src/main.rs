//! microlite on an RP2040 (Cortex-M0+, no FPU): the bundled keyword-spotting CNN
//! (`net_dscnn_int8` from the project's conformance corpus: a 25x10 int8 feature map in, 8
//! class scores out) runs once a second; the scores, the winning class and the microseconds
//! per inference go to the defmt log over RTT.
#![no_std]
#![no_main]

use defmt_rtt as _;
use microlite::{Arena, Error, Interpreter, Model, QuantParams};
use panic_probe as _;
use rp2040_hal::{self as hal, pac};

// MODEL_ARENA_BYTES, MODEL_STATE_BYTES, MODEL_OPS and model_resolver(), from build.rs.
include!(concat!(env!("OUT_DIR"), "/model_ops.rs"));

/// The second-stage bootloader for the Pico's W25Q080 flash.
#[link_section = ".boot2"]
#[used]
pub static BOOT2_FIRMWARE: [u8; 256] = rp2040_boot2::BOOT_LOADER_W25Q080;

/// The Pico's crystal.
const XTAL_HZ: u32 = 12_000_000;

/// The model reader needs 16-byte-aligned bytes: `include_bytes!` alone gives no alignment.
#[repr(C, align(16))]
struct Aligned<T: ?Sized>(T);
static MODEL: &Aligned<[u8]> = &Aligned(*include_bytes!(
    "../../../../tests/conformance/net_dscnn_int8/model.tflite"
));

#[hal::entry]
fn main() -> ! {
    let Some(mut p) = pac::Peripherals::take() else {
        defmt::panic!("peripherals taken twice")
    };
    let mut watchdog = hal::Watchdog::new(p.WATCHDOG);
    let Ok(clocks) = hal::clocks::init_clocks_and_plls(
        XTAL_HZ,
        p.XOSC,
        p.CLOCKS,
        p.PLL_SYS,
        p.PLL_USB,
        &mut p.RESETS,
        &mut watchdog,
    ) else {
        defmt::panic!("clock setup failed")
    };
    let timer = hal::Timer::new(p.TIMER, &mut p.RESETS, &clocks);

    // The arena on main's stack frame (main never returns): sized at build time.
    let mut arena = Arena::<MODEL_ARENA_BYTES>::new();
    let result = run(&timer, &mut arena);
    if let Err(e) = result {
        defmt::panic!("model rejected: {}", e);
    }
    loop {
        cortex_m::asm::wfi();
    }
}

fn run(timer: &hal::Timer, arena: &mut Arena<MODEL_ARENA_BYTES>) -> Result<(), Error> {
    let model = Model::from_bytes(&MODEL.0)?;
    let resolver = model_resolver()?;
    let mut interp = Interpreter::new(model, &resolver, arena.as_mut_slice())?;
    defmt::info!(
        "model ready: arena {=usize} B, interpreter state {=usize} B",
        interp.arena_used_bytes(),
        MODEL_STATE_BYTES
    );
    let q = interp.input_info(0)?.quant().unwrap_or(QuantParams {
        scale: 1.0,
        zero_point: 0,
    });
    for frame in 0u32.. {
        for (i, x) in interp.input_mut::<i8>(0)?.iter_mut().enumerate() {
            let v = ((i as u32 + frame) % 50) as f32 / 25.0 - 1.0;
            *x = q.quantize_i8(v);
        }
        let t0 = timer.get_counter();
        interp.invoke()?;
        let us = (timer.get_counter() - t0).to_micros();
        let scores = interp.output::<i8>(0)?;
        let best = scores
            .iter()
            .enumerate()
            .max_by_key(|(_, s)| **s)
            .map_or(0, |(k, _)| k);
        defmt::info!(
            "frame {=u32}: scores {}, class {=usize}, {=u64} us",
            frame,
            scores,
            best,
            us
        );
        let wait = timer.get_counter();
        while (timer.get_counter() - wait).to_millis() < 1000 {}
    }
    Ok(())
}
