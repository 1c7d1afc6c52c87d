//! microlite on an STM32F411: the bundled keyword-spotting CNN (`net_dscnn_int8` from the
//! project's conformance corpus: a 25x10 int8 feature map in, 8 class scores out) runs from
//! the SysTick interrupt, ten times a second, with the interpreter in a `static`. The scores,
//! the winning class and the cycles per inference go to the defmt log over RTT.
#![no_std]
#![no_main]

use core::cell::RefCell;

use cortex_m::peripheral::syst::SystClkSource;
use cortex_m_rt::{entry, exception};
use critical_section::Mutex;
use defmt_rtt as _;
use microlite::{Arena, Error, Interpreter, Model, MutableOpResolver, QuantParams};
use panic_probe as _;
use static_cell::{ConstStaticCell, StaticCell};
use stm32f4xx_hal::{pac, prelude::*, rcc::Config};

// MODEL_ARENA_BYTES, MODEL_STATE_BYTES, MODEL_OPS and model_resolver(), from build.rs.
include!(concat!(env!("OUT_DIR"), "/model_ops.rs"));

/// The model reader needs 16-byte-aligned bytes: `include_bytes!` alone gives no alignment.
#[repr(C, align(16))]
struct Aligned<T: ?Sized>(T);
static MODEL: &Aligned<[u8]> = &Aligned(*include_bytes!(
    "../../../../tests/conformance/net_dscnn_int8/model.tflite"
));

/// The arena, sized at build time for exactly this model.
static ARENA: ConstStaticCell<Arena<MODEL_ARENA_BYTES>> = ConstStaticCell::new(Arena::new());
static RESOLVER: StaticCell<MutableOpResolver<MODEL_OPS>> = StaticCell::new();
/// The interpreter, shared with the interrupt handler.
static INTERP: Mutex<RefCell<Option<Interpreter<'static>>>> = Mutex::new(RefCell::new(None));

fn interpreter() -> Result<Interpreter<'static>, Error> {
    let model = Model::from_bytes(&MODEL.0)?;
    let resolver = RESOLVER.init(model_resolver()?);
    Interpreter::new(model, resolver, ARENA.take().as_mut_slice())
}

#[entry]
fn main() -> ! {
    let Some(dp) = pac::Peripherals::take() else {
        defmt::panic!("peripherals taken twice")
    };
    let Some(cp) = cortex_m::Peripherals::take() else {
        defmt::panic!("core peripherals taken twice")
    };
    // 100 MHz from the internal oscillator (the Black Pill's 25 MHz crystal works too:
    // Config::hse(25.MHz())).
    let rcc = dp.RCC.freeze(Config::hsi().sysclk(100.MHz()));
    let hz = rcc.clocks.sysclk().raw();

    match interpreter() {
        Ok(interp) => {
            defmt::info!(
                "model ready: arena {=usize} B, interpreter state {=usize} B",
                interp.arena_used_bytes(),
                MODEL_STATE_BYTES
            );
            critical_section::with(|cs| INTERP.borrow_ref_mut(cs).replace(interp));
        }
        Err(e) => defmt::panic!("model rejected: {}", e),
    }

    // SysTick fires every 100 ms; the handler runs one inference.
    let mut syst = cp.SYST;
    syst.set_clock_source(SystClkSource::Core);
    syst.set_reload(hz / 10 - 1);
    syst.clear_current();
    syst.enable_counter();
    syst.enable_interrupt();
    loop {
        cortex_m::asm::wfi();
    }
}

#[exception]
fn SysTick() {
    static mut FRAME: u32 = 0;
    *FRAME = FRAME.wrapping_add(1);
    let frame = *FRAME;
    critical_section::with(|cs| {
        if let Some(interp) = INTERP.borrow_ref_mut(cs).as_mut() {
            if let Err(e) = classify(interp, frame) {
                defmt::error!("inference failed: {}", e);
            }
        }
    });
}

/// Fills the input with a synthetic feature map (a ramp that moves with `frame`), invokes and
/// logs the scores.
fn classify(interp: &mut Interpreter<'static>, frame: u32) -> Result<(), Error> {
    // The input's scale and zero point (a float model would have none: identity).
    let q = interp.input_info(0)?.quant().unwrap_or(QuantParams {
        scale: 1.0,
        zero_point: 0,
    });
    for (i, x) in interp.input_mut::<i8>(0)?.iter_mut().enumerate() {
        let v = ((i as u32 + frame) % 50) as f32 / 25.0 - 1.0;
        *x = q.quantize_i8(v);
    }
    interp.invoke()?;
    let scores = interp.output::<i8>(0)?;
    let best = scores
        .iter()
        .enumerate()
        .max_by_key(|(_, s)| **s)
        .map_or(0, |(k, _)| k);
    defmt::info!(
        "frame {=u32}: scores {}, class {=usize}",
        frame,
        scores,
        best
    );
    Ok(())
}
