//! The runtime every binary of this crate shares: exit codes over semihosting, fault and panic
//! handlers, a SysTick instruction counter, stack painting and the embedded blobs.
//!
//! Included as a module (`mod rt;` / `#[path = "../rt.rs"] mod rt;`) rather than as a library
//! so that the exception handlers are certainly linked into every binary, identically: the size
//! probes then differ from the baseline only by what they use of microlite.
#![allow(dead_code)]

use core::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};

use cortex_m::peripheral::syst::SystClkSource;
use cortex_m::peripheral::{SCB, SYST};
use cortex_m_rt::{exception, ExceptionFrame};
use cortex_m_semihosting::hprintln;

/// Exit status of a panic.
pub const EXIT_PANIC: u32 = 101;
/// Exit status of a HardFault.
pub const EXIT_HARDFAULT: u32 = 102;
/// Exit status of an unexpected exception or interrupt.
pub const EXIT_EXCEPTION: u32 = 103;

/// Ends the emulation with `code` as QEMU's exit status (semihosting `SYS_EXIT_EXTENDED`, whose
/// block is `[ADP_Stopped_ApplicationExit, code]`; plain `SYS_EXIT` can only say 0 or 1).
pub fn exit(code: u32) -> ! {
    const SYS_EXIT_EXTENDED: usize = 0x20;
    const ADP_STOPPED_APPLICATION_EXIT: u32 = 0x2_0026;
    let block = [ADP_STOPPED_APPLICATION_EXIT, code];
    // SAFETY: a semihosting call with a valid parameter block; QEMU ends the run here.
    unsafe {
        cortex_m_semihosting::syscall1(SYS_EXIT_EXTENDED, block.as_ptr() as usize);
    }
    // Without a debugger or emulator to catch it we end up here: stop.
    loop {
        cortex_m::asm::bkpt();
    }
}

#[exception]
unsafe fn HardFault(ef: &ExceptionFrame) -> ! {
    hprintln!("HardFault at pc {:#010x} (lr {:#010x})", ef.pc(), ef.lr());
    exit(EXIT_HARDFAULT)
}

#[exception]
unsafe fn DefaultHandler(irqn: i16) {
    hprintln!("unexpected exception or interrupt {}", irqn);
    exit(EXIT_EXCEPTION)
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    hprintln!("panic: {}", info);
    exit(EXIT_PANIC)
}

// ---- Instruction counting -------------------------------------------------------------------
//
// QEMU does not model DWT.CYCCNT. With `-icount shift=7` every guest instruction advances
// virtual time by 2^7 ns = 128 ns and the mps2 SysTick (25 MHz core clock, 40 ns per tick)
// counts 3.2 ticks per instruction, so instructions = round(ticks * 40 / 128), exactly and
// repeatably. SysTick is a 24-bit down-counter: wraps are counted in its exception handler.

/// SysTick wraps (periods of 2^24 ticks) since `start_counter`.
static WRAPS: AtomicU32 = AtomicU32::new(0);
const RELOAD: u32 = 0x00FF_FFFF;

#[exception]
fn SysTick() {
    // Load + store rather than fetch_add: thumbv6m has no atomic read-modify-write, and only
    // this handler writes.
    WRAPS.store(
        WRAPS.load(Ordering::Relaxed).wrapping_add(1),
        Ordering::Relaxed,
    );
}

/// Starts SysTick free-running from the core clock with its wrap interrupt on.
pub fn start_counter(mut syst: SYST) {
    syst.disable_counter();
    syst.set_clock_source(SystClkSource::Core);
    syst.set_reload(RELOAD);
    syst.clear_current();
    syst.enable_interrupt();
    syst.enable_counter();
}

/// SysTick ticks since `start_counter` (64-bit, wraps included).
pub fn ticks() -> u64 {
    loop {
        let w = WRAPS.load(Ordering::Relaxed);
        let v = SYST::get_current();
        let pending = SCB::is_pendst_pending();
        if WRAPS.load(Ordering::Relaxed) != w {
            continue; // the handler ran in between: read again
        }
        // Wrapped but the handler has not run yet: the count restarted near the top.
        let wraps = if pending && v > RELOAD / 2 { w + 1 } else { w };
        return (u64::from(wraps) << 24) + u64::from(RELOAD - v);
    }
}

/// Guest instructions in `ticks` SysTick ticks: round(ticks * 40 / 128).
pub fn instructions(ticks: u64) -> u64 {
    (ticks * 40 + 64) / 128
}

/// Instructions executed by `f`, less the cost of reading the counter twice.
pub fn count<R>(f: impl FnOnce() -> R) -> (R, u64) {
    let overhead = {
        let a = ticks();
        let b = ticks();
        b - a
    };
    let a = ticks();
    marker_start();
    let r = f();
    marker_end();
    let b = ticks();
    (r, instructions((b - a).saturating_sub(overhead)))
}

/// With feature `insn-markers`: `mov r8, r8`, the start marker of `../shared/tools/qemu-insn`'s
/// QEMU plugin (an architectural no-op), to cross-check the SysTick counts.
#[inline(always)]
fn marker_start() {
    #[cfg(feature = "insn-markers")]
    // SAFETY: a register move onto itself.
    unsafe {
        core::arch::asm!("mov r8, r8", options(nomem, nostack, preserves_flags))
    };
}

/// With feature `insn-markers`: `mov r9, r9`, the plugin's end marker.
#[inline(always)]
fn marker_end() {
    #[cfg(feature = "insn-markers")]
    // SAFETY: a register move onto itself.
    unsafe {
        core::arch::asm!("mov r9, r9", options(nomem, nostack, preserves_flags))
    };
}

// ---- Stack high-water mark ------------------------------------------------------------------

const PAINT: u32 = 0xA5C3_5A3C;
/// How far below the current stack pointer `paint_stack` paints (and so the largest peak it
/// can see).
const PAINT_WINDOW: usize = 256 * 1024;

extern "C" {
    static _stack_start: u32;
    static __sheap: u32;
}

fn paint_bounds() -> (usize, usize) {
    // SAFETY: only the addresses of the linker's symbols are taken (safe since Rust 1.82).
    #[allow(unused_unsafe)]
    let (top, heap) = unsafe {
        (
            core::ptr::addr_of!(_stack_start) as usize,
            core::ptr::addr_of!(__sheap) as usize,
        )
    };
    let sp = cortex_m::register::msp::read() as usize;
    let hi = (sp - 256) & !3; // leave this function's own frame alone
    let lo = core::cmp::max(heap, top.saturating_sub(PAINT_WINDOW)).next_multiple_of(4);
    (lo, hi)
}

/// Deepest stack seen by earlier paintings (`paint_stack` repaints).
static EARLIER_PEAK: AtomicUsize = AtomicUsize::new(0);
static PAINTED: AtomicBool = AtomicBool::new(false);

/// Fills the unused stack below the current frame with a pattern (call early in `main`, and
/// again to measure a region on its own).
#[inline(never)]
pub fn paint_stack() {
    if PAINTED.load(Ordering::Relaxed) {
        EARLIER_PEAK.store(stack_peak_overall(), Ordering::Relaxed);
    }
    PAINTED.store(true, Ordering::Relaxed);
    let (lo, hi) = paint_bounds();
    let mut p = lo;
    while p < hi {
        // SAFETY: [lo, hi) is free RAM between the end of .bss/.uninit and below the live stack.
        unsafe { core::ptr::write_volatile(p as *mut u32, PAINT) };
        p += 4;
    }
}

/// Current stack depth in bytes below the initial stack pointer.
#[inline(always)]
pub fn stack_depth() -> usize {
    // SAFETY: only the address of the linker's symbol is taken (safe since Rust 1.82).
    #[allow(unused_unsafe)]
    let top = unsafe { core::ptr::addr_of!(_stack_start) as usize };
    top - cortex_m::register::msp::read() as usize
}

/// Deepest stack use since the first `paint_stack`, in bytes below the initial stack pointer.
pub fn stack_peak_overall() -> usize {
    core::cmp::max(EARLIER_PEAK.load(Ordering::Relaxed), stack_peak())
}

/// Deepest stack use since the last `paint_stack`, in bytes below the initial stack pointer.
#[inline(never)]
pub fn stack_peak() -> usize {
    let (lo, _) = paint_bounds();
    // SAFETY: only the address of the linker's symbol is taken (safe since Rust 1.82).
    #[allow(unused_unsafe)]
    let top = unsafe { core::ptr::addr_of!(_stack_start) as usize };
    let mut p = lo;
    // SAFETY: reads of RAM painted by `paint_stack`.
    while p < top && unsafe { core::ptr::read_volatile(p as *const u32) } == PAINT {
        p += 4;
    }
    top - p
}

// ---- Embedded blobs -------------------------------------------------------------------------

/// Aligns its contents to 16 bytes, as `microlite::Model::from_bytes` requires.
#[repr(C, align(16))]
pub struct Aligned<T: ?Sized>(pub T);

/// One model of the project's conformance corpus with its case-0 input and TFLM's output,
/// as `build.rs` left them in `OUT_DIR`.
pub struct Case {
    pub name: &'static str,
    pub model: &'static [u8],
    pub input: &'static [u8],
    pub golden: &'static [u8],
    /// TFLM's instructions per invoke on the same board (reference kernels, CMSIS-NN), when
    /// known (the MLPerf Tiny models' `meta.json`).
    pub tflm: Option<(u64, u64)>,
}

/// `Case` for `tests/conformance/NAME`: `case!("NAME")`.
macro_rules! case {
    ($name:literal) => {
        $crate::rt::case!($name, None)
    };
    ($name:literal, $tflm:expr) => {{
        static MODEL: &$crate::rt::Aligned<[u8]> = &$crate::rt::Aligned(*include_bytes!(concat!(
            env!("OUT_DIR"),
            "/",
            $name,
            ".tflite"
        )));
        $crate::rt::Case {
            name: $name,
            model: &MODEL.0,
            input: include_bytes!(concat!(env!("OUT_DIR"), "/", $name, ".input-0.bin")),
            golden: include_bytes!(concat!(env!("OUT_DIR"), "/", $name, ".output-0.bin")),
            tflm: $tflm,
        }
    }};
}
pub(crate) use case;
