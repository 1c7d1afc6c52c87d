//! microlite on an nRF52840 with Embassy: an async task owns the interpreter, which lives in a
//! `static` with its arena and resolver, and classifies a synthetic feature map once a second
//! with the bundled keyword-spotting CNN (`net_dscnn_int8` from the project's conformance
//! corpus: 25x10 int8 in, 8 class scores out). The scores, the winning class and the time per
//! inference go to the defmt log over RTT.
#![no_std]
#![no_main]

use defmt_rtt as _;
use embassy_executor::Spawner;
use embassy_time::{Instant, Timer};
use microlite::{Arena, Error, Interpreter, Model, MutableOpResolver, QuantParams};
use panic_probe as _;
use static_cell::{ConstStaticCell, StaticCell};

// MODEL_ARENA_BYTES, MODEL_STATE_BYTES, MODEL_OPS and model_resolver(), from build.rs.
include!(concat!(env!("OUT_DIR"), "/model_ops.rs"));

/// The model reader needs 16-byte-aligned bytes: `include_bytes!` alone gives no alignment.
#[repr(C, align(16))]
struct Aligned<T: ?Sized>(T);
static MODEL: &Aligned<[u8]> = &Aligned(*include_bytes!(
    "../../../../tests/conformance/net_dscnn_int8/model.tflite"
));

/// The arena, sized at build time for exactly this model, and the resolver: both `'static`,
/// so the interpreter is too and a task can own it.
static ARENA: ConstStaticCell<Arena<MODEL_ARENA_BYTES>> = ConstStaticCell::new(Arena::new());
static RESOLVER: StaticCell<MutableOpResolver<MODEL_OPS>> = StaticCell::new();
static INTERP: StaticCell<Interpreter<'static>> = StaticCell::new();

fn interpreter() -> Result<&'static mut Interpreter<'static>, Error> {
    let model = Model::from_bytes(&MODEL.0)?;
    let resolver = RESOLVER.init(model_resolver()?);
    let interp = Interpreter::new(model, resolver, ARENA.take().as_mut_slice())?;
    Ok(INTERP.init(interp))
}

#[embassy_executor::main]
async fn main(spawner: Spawner) {
    let _p = embassy_nrf::init(Default::default());
    let interp = match interpreter() {
        Ok(i) => i,
        Err(e) => defmt::panic!("model rejected: {}", e),
    };
    defmt::info!(
        "model ready: arena {=usize} B, interpreter state {=usize} B",
        interp.arena_used_bytes(),
        MODEL_STATE_BYTES
    );
    match classifier(interp) {
        Ok(task) => spawner.spawn(task),
        Err(e) => defmt::panic!("cannot spawn the classifier: {}", e),
    }
}

/// Infers once a second, forever.
#[embassy_executor::task]
async fn classifier(interp: &'static mut Interpreter<'static>) {
    let mut frame = 0u32;
    loop {
        let t0 = Instant::now();
        match classify(interp, frame) {
            Ok((scores, best)) => defmt::info!(
                "frame {=u32}: scores {}, class {=usize}, {=u64} us",
                frame,
                scores,
                best,
                t0.elapsed().as_micros()
            ),
            Err(e) => defmt::error!("inference failed: {}", e),
        }
        frame = frame.wrapping_add(1);
        Timer::after_secs(1).await;
    }
}

/// Fills the input with a synthetic feature map (a ramp that moves with `frame`), invokes and
/// returns the scores and the winning class.
fn classify(interp: &mut Interpreter<'static>, frame: u32) -> Result<([i8; 8], usize), Error> {
    let q = interp.input_info(0)?.quant().unwrap_or(QuantParams {
        scale: 1.0,
        zero_point: 0,
    });
    for (i, x) in interp.input_mut::<i8>(0)?.iter_mut().enumerate() {
        let v = ((i as u32 + frame) % 50) as f32 / 25.0 - 1.0;
        *x = q.quantize_i8(v);
    }
    interp.invoke()?;
    let mut scores = [0i8; 8];
    for (s, &o) in scores.iter_mut().zip(interp.output::<i8>(0)?) {
        *s = o;
    }
    let best = scores
        .iter()
        .enumerate()
        .max_by_key(|(_, s)| **s)
        .map_or(0, |(k, _)| k);
    Ok((scores, best))
}
