//! The Armv7E-M DSP instructions the int8 kernels need, as one-instruction `asm!` blocks.
//!
//! Why: stable Rust has no Arm DSP intrinsics, and LLVM's Arm parallel-DSP pass forms `SMLAD`
//! only from some loop shapes at opt-level 3 (none at "s", and not from an `i8` operand).
//! With them the int8 GEMM's inner loop does two multiply-accumulates per `SMLAD`: kws_dscnn's
//! 1x1 CONV_2D (512,000 MACs) takes 1,609,523 instructions against the portable tiles'
//! 2,206,703 (`cargo run --release --bin dsp-check` in examples/cortex-m4, with and without
//! `MICROLITE_PORTABLE=1`).
//!
//! Soundness: this module is compiled only for targets with the DSP extension
//! (`cfg(microlite_arm_dsp)`, set by `kernels/build.rs` for Armv7E-M and for Armv8-M Mainline
//! built with `+dsp`), where these instructions exist. Each block reads only its register
//! operands and writes one register: no memory, no stack. `SMLAD` may set the sticky Q flag
//! (nothing reads it), so no block claims `preserves_flags`.
#![allow(unsafe_code)]

use core::arch::asm;

/// `acc + lo(x) * lo(y) + hi(x) * hi(y)`, the halves as `i16`, wrapping (`SMLAD`).
#[inline(always)]
pub(crate) fn smlad(x: u32, y: u32, acc: i32) -> i32 {
    let r: i32;
    // SAFETY: SMLAD is an Armv7E-M DSP instruction (module cfg); registers only, no memory.
    unsafe {
        asm!(
            "smlad {r}, {x}, {y}, {a}",
            r = lateout(reg) r,
            x = in(reg) x,
            y = in(reg) y,
            a = in(reg) acc,
            options(pure, nomem, nostack)
        );
    }
    r
}

/// Bytes 0 and 2 of `x` sign-extended into the low and high halves (`SXTB16`).
#[inline(always)]
pub(crate) fn sxtb16(x: u32) -> u32 {
    let r: u32;
    // SAFETY: SXTB16 is an Armv7E-M DSP instruction (module cfg); registers only, no memory.
    unsafe {
        asm!(
            "sxtb16 {r}, {x}",
            r = lateout(reg) r,
            x = in(reg) x,
            options(pure, nomem, nostack)
        );
    }
    r
}

/// Bytes 1 and 3 of `x` sign-extended into the low and high halves (`SXTB16 ..., ROR #8`).
#[inline(always)]
pub(crate) fn sxtb16_ror8(x: u32) -> u32 {
    let r: u32;
    // SAFETY: SXTB16 is an Armv7E-M DSP instruction (module cfg); registers only, no memory.
    unsafe {
        asm!(
            "sxtb16 {r}, {x}, ror #8",
            r = lateout(reg) r,
            x = in(reg) x,
            options(pure, nomem, nostack)
        );
    }
    r
}

/// `a + SXTB16(x)`: bytes 0 and 2 of `x` sign-extended and added to the halves of `a`
/// (`SXTAB16`; each half wraps at 16 bits).
#[inline(always)]
pub(crate) fn sxtab16(a: u32, x: u32) -> u32 {
    let r: u32;
    // SAFETY: SXTAB16 is an Armv7E-M DSP instruction (module cfg); registers only, no memory.
    unsafe {
        asm!(
            "sxtab16 {r}, {a}, {x}",
            r = lateout(reg) r,
            a = in(reg) a,
            x = in(reg) x,
            options(pure, nomem, nostack)
        );
    }
    r
}

/// `a + SXTB16(x ROR 8)`: bytes 1 and 3 of `x` sign-extended and added to the halves of `a`.
#[inline(always)]
pub(crate) fn sxtab16_ror8(a: u32, x: u32) -> u32 {
    let r: u32;
    // SAFETY: SXTAB16 is an Armv7E-M DSP instruction (module cfg); registers only, no memory.
    unsafe {
        asm!(
            "sxtab16 {r}, {a}, {x}, ror #8",
            r = lateout(reg) r,
            a = in(reg) a,
            x = in(reg) x,
            options(pure, nomem, nostack)
        );
    }
    r
}
