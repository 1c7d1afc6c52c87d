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
use microlite::{Arena, Error, Interpreter, Model, MutableOpResolver};

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

static MS_KWS: &rt::Aligned<[u8]> = &rt::Aligned(*include_bytes!(concat!(
    env!("OUT_DIR"),
    "/micro_speech_quantized.tflite"
)));
static MS_AUDIO: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/ms_audio.bin"));
static MS_SCORES: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/ms_scores.bin"));

/// micro_speech from raw audio: the audio preprocessor over 49 windows of 480 samples,
/// 320 apart (state kept between windows), its 40 features per window stacked oldest first,
/// then the keyword model; the scores checked against TFLM's for the same audio.
fn micro_speech(
    resolver: &MutableOpResolver<{ 20 + microlite::SIGNAL_OPS }>,
    arena: &mut [u8],
) -> Result<bool, Error> {
    let pre = rt::case!("audio_preprocessor_int8").model;
    let mut features = [0u8; 49 * 40];
    let ((), front) = {
        let mut interp = Interpreter::new(Model::from_bytes(pre)?, resolver, &mut *arena)?;
        interp.reset();
        let mut r = Ok(());
        let ((), n) = rt::count(|| {
            for w in 0..49 {
                let at = w * 320 * 2;
                let (Some(x), Ok(dst)) =
                    (MS_AUDIO.get(at..at + 480 * 2), interp.input_bytes_mut(0))
                else {
                    r = Err(Error::TooComplex);
                    return;
                };
                dst.copy_from_slice(x);
                if let Err(e) = interp.invoke() {
                    r = Err(e);
                    return;
                }
                if let (Ok(y), Some(f)) = (
                    interp.output_bytes(0),
                    features.get_mut(w * 40..w * 40 + 40),
                ) {
                    f.copy_from_slice(y);
                }
            }
        });
        r?;
        ((), n)
    };
    let mut interp = Interpreter::new(Model::from_bytes(&MS_KWS.0)?, resolver, arena)?;
    interp.input_bytes_mut(0)?.copy_from_slice(&features);
    let (r, kws) = rt::count(|| interp.invoke());
    r?;
    let ok = interp.output_bytes(0)? == MS_SCORES;
    hprintln!(
        "{} micro_speech end to end (1 s of audio -> 49 x 40 features -> scores)",
        if ok { "PASS" } else { "FAIL" }
    );
    hprintln!(
        "  instructions: audio front end {} for 49 windows, keyword model {}",
        front,
        kws
    );
    Ok(ok)
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
    let mut total = cases.len();
    if MS_KWS.0.is_empty() {
        hprintln!("micro_speech end to end: ../shared/models not found at build time, skipped");
    } else {
        total += 1;
        match micro_speech(&resolver, arena) {
            Ok(true) => passed += 1,
            Ok(false) => {}
            Err(e) => hprintln!("FAIL micro_speech end to end: {:?}", e),
        }
    }
    let failed = total - passed;
    hprintln!("{} passed, {} failed", passed, failed);
    rt::exit(if failed == 0 { 0 } else { 1 })
}
