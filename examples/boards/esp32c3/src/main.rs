//! microlite on an ESP32-C3 (RISC-V, no FPU): the bundled keyword-spotting CNN
//! (`net_dscnn_int8` from the project's conformance corpus: a 25x10 int8 feature map in, 8
//! class scores out) runs once a second; the scores, the winning class and the microseconds
//! per inference are printed over the USB serial JTAG.
#![no_std]
#![no_main]

use esp_backtrace as _;
use esp_hal::delay::Delay;
use esp_hal::time::Instant;
use esp_println::println;
use microlite::{Arena, Error, Interpreter, Model, QuantParams};

// MODEL_ARENA_BYTES, MODEL_STATE_BYTES, MODEL_OPS and model_resolver(), from build.rs.
include!(concat!(env!("OUT_DIR"), "/model_ops.rs"));

// The application descriptor the ESP-IDF second-stage bootloader checks.
esp_bootloader_esp_idf::esp_app_desc!();

/// The model reader needs 16-byte-aligned bytes: `include_bytes!` alone gives no alignment.
#[repr(C, align(16))]
struct Aligned<T: ?Sized>(T);
static MODEL: &Aligned<[u8]> = &Aligned(*include_bytes!(
    "../../../../tests/conformance/net_dscnn_int8/model.tflite"
));

#[esp_hal::main]
fn main() -> ! {
    let _peripherals = esp_hal::init(esp_hal::Config::default());
    // The arena on main's stack frame (main never returns): sized at build time.
    let mut arena = Arena::<MODEL_ARENA_BYTES>::new();
    if let Err(e) = run(&mut arena) {
        panic!("model rejected: {e}");
    }
    loop {}
}

fn run(arena: &mut Arena<MODEL_ARENA_BYTES>) -> Result<(), Error> {
    let model = Model::from_bytes(&MODEL.0)?;
    let resolver = model_resolver()?;
    let mut interp = Interpreter::new(model, &resolver, arena.as_mut_slice())?;
    println!(
        "model ready: arena {} B, interpreter state {} B",
        interp.arena_used_bytes(),
        MODEL_STATE_BYTES
    );
    let q = interp.input_info(0)?.quant().unwrap_or(QuantParams {
        scale: 1.0,
        zero_point: 0,
    });
    let delay = Delay::new();
    for frame in 0u32.. {
        for (i, x) in interp.input_mut::<i8>(0)?.iter_mut().enumerate() {
            let v = ((i as u32 + frame) % 50) as f32 / 25.0 - 1.0;
            *x = q.quantize_i8(v);
        }
        let t0 = Instant::now();
        interp.invoke()?;
        let us = t0.elapsed().as_micros();
        let scores = interp.output::<i8>(0)?;
        let best = scores
            .iter()
            .enumerate()
            .max_by_key(|(_, s)| **s)
            .map_or(0, |(k, _)| k);
        println!("frame {frame}: scores {scores:?}, class {best}, {us} us");
        delay.delay_millis(1000);
    }
    Ok(())
}
