//! The Armv7E-M DSP instructions the int8 kernels need: one-instruction `asm!` wrappers, and
//! the kernels' inner loops as whole `asm!` blocks where LLVM's code for the wrappers spilled.
//!
//! Why: stable Rust has no Arm DSP intrinsics, and LLVM's Arm parallel-DSP pass forms `SMLAD`
//! only from some loop shapes at opt-level 3 (none at "s", and not from an `i8` operand).
//! With them the int8 GEMM's inner loop does two multiply-accumulates per `SMLAD`: kws_dscnn's
//! 1x1 CONV_2D (512,000 MACs) takes 695,540 instructions through [`gemm_2x2`], its
//! requantization included (commit 0c69980), against the portable tiles' 2,000,798 (57aa09a;
//! `cargo run --release --bin dsp-check` in examples/cortex-m4, with and without
//! `MICROLITE_PORTABLE=1`).
//!
//! Soundness: this module is compiled only for targets with the DSP extension
//! (`cfg(microlite_arm_dsp)`, set by `kernels/build.rs` for Armv7E-M and for Armv8-M Mainline
//! built with `+dsp`), where these instructions exist. The one-instruction wrappers read only
//! their register operands and write one register: no memory, no stack. Each loop's `SAFETY`
//! note bounds the memory it reads and writes by its slices' lengths; [`gemm_2x2`],
//! [`fc_3units`] and [`dw_pixel`] also push and pop on the stack (to borrow `r6` and `r7`). `SMLAD` may set the
//! sticky Q flag (nothing reads it), so no block claims `preserves_flags`.
#![allow(unsafe_code)]

use core::arch::asm;
use core::mem::MaybeUninit;

/// Up to `N` sums on the stack, each written before it is read: a zeroed buffer would cost
/// every FULLY_CONNECTED a `memclr` call (about 50 instructions, a tenth of a tiny layer).
pub(crate) struct Sums<const N: usize> {
    buf: [MaybeUninit<i32>; N],
    /// The first `len` entries are written.
    len: usize,
}

impl<const N: usize> Sums<N> {
    /// No sums yet (nothing is stored).
    #[inline(always)]
    pub(crate) fn new() -> Self {
        Sums {
            buf: [const { MaybeUninit::uninit() }; N],
            len: 0,
        }
    }

    /// Forgets the sums (the next are written over them).
    #[inline(always)]
    pub(crate) fn clear(&mut self) {
        self.len = 0;
    }

    /// How many sums are written.
    #[inline(always)]
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Appends the values of `vs` while there is room.
    #[inline(always)]
    pub(crate) fn extend(&mut self, vs: impl Iterator<Item = i32>) {
        let mut n = self.len;
        for (slot, v) in self.buf.get_mut(n..).unwrap_or(&mut []).iter_mut().zip(vs) {
            slot.write(v);
            n += 1;
        }
        self.len = n;
    }

    /// The written sums.
    #[inline(always)]
    pub(crate) fn as_slice(&self) -> &[i32] {
        let len = self.len.min(N);
        // SAFETY: the first `len <= N` entries of `buf` are initialised (`extend` and
        // `fc_3units` advance `len` only over entries they wrote); `MaybeUninit<i32>` has
        // `i32`'s layout, and the slice borrows `self`.
        unsafe { core::slice::from_raw_parts(self.buf.as_ptr().cast::<i32>(), len) }
    }
}

/// Four `i8` as one little-endian word (one load; Armv7-M allows it unaligned).
#[inline(always)]
pub(crate) fn word(b: &[i8; 4]) -> u32 {
    u32::from_le_bytes(b.map(|v| v as u8))
}

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

/// Three rows of permuted word pairs (`[x0, x2]`, `[x1, x3]` per group of four) against one
/// row of weight words, over the groups all four slices have: `[Σ x·f; 3]`, wrapping.
///
/// The GEMM's main tile as one `asm!` loop: 17 instructions per 12 multiply-accumulates
/// (one weight load, two `SXTB16`, six input loads, six `SMLAD`, the count), where the same
/// loop written with the wrappers above takes 23 (LLVM keeps its bounds on the stack).
#[inline(always)]
pub(crate) fn dot3(xs: [&[[u32; 2]]; 3], f: &[[i8; 4]]) -> [i32; 3] {
    let n = xs.iter().map(|x| x.len()).fold(f.len(), usize::min);
    let (mut a0, mut a1, mut a2) = (0i32, 0i32, 0i32);
    if n == 0 {
        return [a0, a1, a2];
    }
    let (mut p0, mut p1, mut p2) = (xs[0].as_ptr(), xs[1].as_ptr(), xs[2].as_ptr());
    let mut pf = f.as_ptr();
    let mut count = n;
    // SAFETY: the loop runs `n >= 1` times; each pass reads 8 bytes at `p0`, `p1`, `p2` and
    // 4 at `pf` and advances them by that much, so it reads exactly the first `n` elements
    // of each slice (`n` is the shortest length), all within bounds. The input rows are
    // `u32`s (aligned); the weight words may be unaligned, which Armv7-M's LDR allows (as
    // LLVM's own word loads here assume). Registers are all operands; it writes no memory
    // and uses no stack; it sets the flags (no `preserves_flags`).
    unsafe {
        asm!(
            "2:",
            "ldr {w}, [{pf}], #4",
            "sxtb16 {we}, {w}",
            "sxtb16 {w}, {w}, ror #8",
            "ldr {x}, [{p0}], #4",
            "smlad {a0}, {we}, {x}, {a0}",
            "ldr {x}, [{p0}], #4",
            "smlad {a0}, {w}, {x}, {a0}",
            "ldr {x}, [{p1}], #4",
            "smlad {a1}, {we}, {x}, {a1}",
            "ldr {x}, [{p1}], #4",
            "smlad {a1}, {w}, {x}, {a1}",
            "ldr {x}, [{p2}], #4",
            "smlad {a2}, {we}, {x}, {a2}",
            "ldr {x}, [{p2}], #4",
            "smlad {a2}, {w}, {x}, {a2}",
            "subs {count}, {count}, #1",
            "bne 2b",
            pf = inout(reg) pf,
            p0 = inout(reg) p0,
            p1 = inout(reg) p1,
            p2 = inout(reg) p2,
            count = inout(reg) count,
            a0 = inout(reg) a0,
            a1 = inout(reg) a1,
            a2 = inout(reg) a2,
            w = out(reg) _,
            we = out(reg) _,
            x = out(reg) _,
            options(readonly, nostack)
        );
    }
    let _ = (p0, p1, p2, pf, count);
    [a0, a1, a2]
}

/// One depthwise tap of four channels at `[{px}…]` / `[{pf}…]` (an operand list for both):
/// `a[j] += (x[j] + off) · f[j]` with three scratch registers (`{x}` is loaded twice rather
/// than kept, so that a whole window fits the registers an `asm!` block gets). The named
/// operands, or with a last argument `r` the fixed registers of [`dw_pixel`].
#[rustfmt::skip]
macro_rules! dw_tap {
    ($px:literal, $pf:literal) => {
        dw_tap!($px, $pf, "{x}", "{f}", "{t}", "{off}", "{a0}", "{a1}", "{a2}", "{a3}")
    };
    ($px:literal, $pf:literal, r) => {
        dw_tap!($px, $pf, "r4", "r5", "r6", "lr", "r0", "r1", "r2", "r3")
    };
    ($px:literal, $pf:literal, $x:literal, $f:literal, $t:literal, $off:literal,
     $a0:literal, $a1:literal, $a2:literal, $a3:literal) => {
        concat!(
            "ldr ", $f, ", ", $pf, "\n",
            "sxtb16 ", $t, ", ", $f, "\n",
            "ldr ", $x, ", ", $px, "\n",
            "sxtab16 ", $x, ", ", $off, ", ", $x, "\n",
            "smlabb ", $a0, ", ", $x, ", ", $t, ", ", $a0, "\n",
            "smlatt ", $a2, ", ", $x, ", ", $t, ", ", $a2, "\n",
            "sxtb16 ", $t, ", ", $f, ", ror #8\n",
            "ldr ", $x, ", ", $px, "\n",
            "sxtab16 ", $x, ", ", $off, ", ", $x, ", ror #8\n",
            "smlabb ", $a1, ", ", $x, ", ", $t, ", ", $a1, "\n",
            "smlatt ", $a3, ", ", $x, ", ", $t, ", ", $a3, "\n",
        )
    };
}

/// The taps of one window row, `{step}` bytes apart: 1, 2 or 3 of them; with `r`, 2 or 3 at
/// [`dw_pixel`]'s registers (`r8` input, `r9` weights, `r11` step).
macro_rules! dw_taps {
    (1) => {
        dw_tap!("[{px}]", "[{pf}]")
    };
    (2) => {
        concat!(
            dw_tap!("[{px}]", "[{pf}]"),
            dw_tap!("[{px}, {step}]", "[{pf}, {step}]")
        )
    };
    (3) => {
        concat!(
            dw_tap!("[{px}]", "[{pf}]"),
            dw_tap!("[{px}, {step}]", "[{pf}, {step}]"),
            dw_tap!("[{px}, {step}, lsl #1]", "[{pf}, {step}, lsl #1]"),
        )
    };
    (2, r) => {
        concat!(
            dw_tap!("[r8]", "[r9]", r),
            dw_tap!("[r8, r11]", "[r9, r11]", r)
        )
    };
    (3, r) => {
        concat!(
            dw_tap!("[r8]", "[r9]", r),
            dw_tap!("[r8, r11]", "[r9, r11]", r),
            dw_tap!("[r8, r11, lsl #1]", "[r9, r11, lsl #1]", r),
        )
    };
}

/// One output pixel of a depthwise convolution with a 3-wide filter, depth multiplier 1:
/// for each group of four channels, `acc[c] = bias[c] + Σ (x + off) · f` over a window of
/// `rows` rows (`row` bytes apart in `xs`, `3·step` in `fs`) by `taps` taps (2 or 3, `step`
/// bytes apart in both), the groups 4 bytes apart; `offsets` holds the input offset in both
/// halves. No bias: zeros. Wrapping sums. `false` (nothing written) for another shape, or
/// when `acc` is not whole groups or a slice is shorter than the window needs.
///
/// One `asm!` loop over the groups, the four sums in registers: 11 instructions per tap
/// (three loads, four extends, four multiply-adds), five per row and 12 per group. It needs
/// 14 registers: it borrows `r6` and `r7` on the stack as [`gemm_2x2`] does.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
pub(crate) fn dw_pixel(
    acc: &mut [i32],
    bias: Option<&[i32]>,
    xs: &[i8],
    fs: &[i8],
    (step, row): (usize, usize),
    (rows, taps): (usize, usize),
    offsets: u32,
) -> bool {
    // The last group's window ends `(n - 1)·4 + (rows - 1)·row + (taps - 1)·step + 4` bytes
    // into `xs`, `… + 3(rows - 1)·step …` into `fs`.
    let fits = || {
        let spread = step.checked_mul(taps - 1)?.checked_add(acc.len())?;
        let x = row.checked_mul(rows - 1)?.checked_add(spread)?;
        let f = step
            .checked_mul(3)?
            .checked_mul(rows - 1)?
            .checked_add(spread)?;
        Some(xs.len() >= x && fs.len() >= f)
    };
    if acc.is_empty()
        || !acc.len().is_multiple_of(4)
        || rows == 0
        || !(2..=3).contains(&taps)
        || bias.is_some_and(|b| b.len() < acc.len())
        || fits() != Some(true)
    {
        return false;
    }
    let pb = match bias {
        Some(b) => b.as_ptr(),
        None => {
            acc.fill(0);
            acc.as_ptr()
        }
    };
    let end = acc.as_ptr_range().end;
    macro_rules! run {
        ($taps:expr) => {
            asm!(
                "push {{r0, r1, r2, r3, r4, r5, r6, r7}}",
                "2:",
                "ldr r4, [sp, #8]",
                "ldm r4!, {{r0, r1, r2, r3}}",
                "str r4, [sp, #8]",
                "ldrd r8, r9, [sp]",
                "add r4, r8, #4",
                "add r5, r9, #4",
                "strd r4, r5, [sp]",
                "ldr r7, [sp, #16]",
                "3:",
                $taps,
                "add r8, r8, r12",
                "add r9, r9, r11, lsl #1",
                "add r9, r9, r11",
                "subs r7, r7, #1",
                "bne 3b",
                "stm r10!, {{r0, r1, r2, r3}}",
                "ldr r4, [sp, #12]",
                "cmp r10, r4",
                "bne 2b",
                "pop {{r0, r1, r2, r3, r4, r5, r6, r7}}",
                inout("r0") xs.as_ptr() => _,
                inout("r1") fs.as_ptr() => _,
                inout("r2") pb => _,
                inout("r3") end => _,
                inout("r4") rows => _,
                out("r5") _,
                out("r8") _,
                out("r9") _,
                inout("r10") acc.as_mut_ptr() => _,
                in("r11") step,
                in("r12") row,
                in("lr") offsets,
            )
        };
    }
    // SAFETY: the outer loop runs once per group `g < n = acc.len() / 4` (until the
    // accumulator pointer `r10` reaches `end`, 16 bytes per pass; `n >= 1`), the inner loop
    // `rows >= 1` times. Group `g` reads four words at `pb + 16g` (the bias, which holds `4n`
    // values, or `acc` itself, zeroed above and read before its group is written), 4-byte
    // words of `xs` at `4g + r·row + t·step` and of `fs` at `4g + 3r·step + t·step` for
    // `r < rows`, `t < taps`: within the lengths checked above. It writes the group's four
    // words of `acc`. `LDM`/`STM` need word alignment, which `i32` slices give; the `i8`
    // words may be unaligned (`LDR`, which Armv7-M allows). The block pushes its five inputs
    // and the reserved `r6` (base pointer) and `r7` (frame pointer) and pops them all before
    // it ends, so those hold their values on exit and the stack pointer is restored; every
    // other register it writes is an output. `acc` is borrowed mutably, so nothing else sees
    // the writes. It sets the flags (no `preserves_flags`).
    unsafe {
        if taps == 2 {
            run!(dw_taps!(2, r))
        } else {
            run!(dw_taps!(3, r))
        }
    }
    true
}

/// One row of a depthwise window, 1 to 3 taps `step` bytes apart in both slices, over four
/// channels (as [`dw_pixel`]'s rows). `None` when `taps` is not 1 to 3 or a slice is
/// shorter than `(taps - 1)·step + 4`.
#[inline(always)]
pub(crate) fn dw_row(
    a: [i32; 4],
    xs: &[i8],
    fs: &[i8],
    step: usize,
    taps: usize,
    offsets: u32,
) -> Option<[i32; 4]> {
    let need = step.checked_mul(taps.checked_sub(1)?)?.checked_add(4)?;
    if xs.len() < need || fs.len() < need {
        return None;
    }
    let [mut a0, mut a1, mut a2, mut a3] = a;
    let (px, pf) = (xs.as_ptr(), fs.as_ptr());
    macro_rules! run {
        ($($t:expr),*) => {
            asm!(
                $($t,)*
                px = in(reg) px,
                pf = in(reg) pf,
                step = in(reg) step,
                off = in(reg) offsets,
                a0 = inout(reg) a0,
                a1 = inout(reg) a1,
                a2 = inout(reg) a2,
                a3 = inout(reg) a3,
                x = out(reg) _,
                f = out(reg) _,
                t = out(reg) _,
                options(readonly, nostack, preserves_flags)
            )
        };
    }
    // SAFETY: tap `t` reads 4 bytes at offset `t·step` of `xs` and of `fs`, within their
    // first `(taps - 1)·step + 4` bytes, which both slices have (checked above). Word loads
    // may be unaligned, which Armv7-M's LDR allows. Registers only otherwise; no stack;
    // flags untouched.
    unsafe {
        match taps {
            1 => run!("/* {step} */", dw_taps!(1)),
            2 => run!(dw_taps!(2)),
            3 => run!(dw_taps!(3)),
            _ => return None,
        }
    }
    Some([a0, a1, a2, a3])
}

/// The doubling high multiply of `{a}` by the multiplier register `$mul` into `{m}` (`(a·m + 2^30) >> 31`: `SMULL`
/// and a 64-bit add; `{a}` is clobbered).
macro_rules! doubling_high_mul {
    ($mul:literal) => {
        concat!(
            "smull {a}, {m}, {a}, ",
            $mul,
            "\n",
            "adds {a}, {a}, #0x40000000\n",
            "adc {m}, {m}, #0\n",
            "lsls {m}, {m}, #1\n",
            "orr {m}, {m}, {a}, lsr #31\n",
        )
    };
}

/// The rounding divide of `{m}` by `2^r` given `{s} = r - 1` (`(q >> 1) + (q & 1)` with
/// `q = (y - [y < 0]) >> (r - 1)`; `{a}` is clobbered).
macro_rules! rounding_divide {
    () => {
        concat!(
            "add {m}, {m}, {m}, asr #31\n",
            "asr {m}, {m}, {s}\n",
            "and {a}, {m}, #1\n",
            "add {m}, {a}, {m}, asr #1\n",
        )
    };
}

/// Adds the output offset to `{m}`, clamps it to `{lo}..={hi}` and stores its byte at
/// `[{po}]`, advancing `{po}`; the whole int8 range (`FULL`) is one `SSAT`.
macro_rules! offset_clamp_store {
    (full) => {
        concat!(
            "add {m}, {m}, {off}\n",
            "ssat {m}, #8, {m}\n",
            "strb {m}, [{po}], #1\n",
        )
    };
    (range) => {
        concat!(
            "add {m}, {m}, {off}\n",
            "cmp {m}, {lo}\n",
            "it lt\n",
            "movlt {m}, {lo}\n",
            "cmp {m}, {hi}\n",
            "it gt\n",
            "movgt {m}, {hi}\n",
            "strb {m}, [{po}], #1\n",
        )
    };
}

/// One pass of [`requant_simple`]'s loop, its clamp `full` or `range`.
macro_rules! requant_simple_loop {
    ($clamp:tt) => {
        concat!(
            "2:\n",
            "ldr {a}, [{pa}], #4\n",
            "ldr {m}, [{pm}], #4\n",
            "ldrsb {s}, [{ps}], #1\n",
            doubling_high_mul!("{m}"),
            "cmp {s}, #0\n",
            "beq 3f\n",
            "mvn {s}, {s}\n",
            rounding_divide!(),
            "3:\n",
            offset_clamp_store!($clamp),
            "subs {n}, {n}, #1\n",
            "bne 2b\n",
        )
    };
}

/// The rescale of `{a}` by the multiplier `$mul` and a right shift `r`, plus the output
/// offset, saturated to `i8` and stored at `[{po}]` (advanced), with `{k} = 2^30` and
/// `{c} = 1 + 2·off` in registers. TFLM's two roundings as one: with
/// `T = a·m + 2^30 - [a < 0]·2^31` (64 bits, `SMLAL` onto a preset pair) the result is
/// `((T >> (30 + r)) + 1) >> 1` when `m >= 0` (`gemm::tests::rescale_right` checks the
/// identity against TFLM's steps), the offset added before that last halving (`QADD`,
/// saturating, then `SSAT` with its `ASR #1`). Form `2` (7 instructions) shifts `T`'s high
/// word by `$sh = r - 2` (so `r >= 2`); form `1` (9) shifts `T >> 31` by `$sh = r - 1`. A
/// multiplier of 0 gives the offset whatever the shift register holds (`ASR` by 32 or more
/// keeps the sign of 0 or -1), as TFLM's does.
#[rustfmt::skip]
macro_rules! rescale_right_store {
    (2, $mul:literal, $sh:literal) => {
        concat!(
            "asr {h}, {a}, #31\n",
            "orr {t}, {k}, {h}, lsl #31\n",
            "smlal {t}, {h}, {a}, ", $mul, "\n",
            "asr {h}, {h}, ", $sh, "\n",
            "qadd {h}, {h}, {c}\n",
            "ssat {h}, #8, {h}, asr #1\n",
            "strb {h}, [{po}], #1\n",
        )
    };
    (1, $mul:literal, $sh:literal) => {
        concat!(
            "asr {h}, {a}, #31\n",
            "orr {t}, {k}, {h}, lsl #31\n",
            "smlal {t}, {h}, {a}, ", $mul, "\n",
            "lsl {h}, {h}, #1\n",
            "orr {h}, {h}, {t}, lsr #31\n",
            "asr {h}, {h}, ", $sh, "\n",
            "qadd {h}, {h}, {c}\n",
            "ssat {h}, #8, {h}, asr #1\n",
            "strb {h}, [{po}], #1\n",
        )
    };
}

/// Which form of [`rescale_right_store!`] a layer's channels take, decided once per layer
/// ([`right_shifts`]).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shifts {
    /// Every channel's multiplier 0, or above 0 with a right shift of 2 to 31 (most layers).
    Two,
    /// The same with right shifts from 1.
    One,
    /// Another simple channel: a shift of 0 with a multiplier, or a negative multiplier.
    Any,
}

/// The [`Shifts`] of a layer's multipliers and (TFLM) shifts; a multiplier of 0 (TFLM's for a
/// scale below 2^-31) fits any form.
pub(crate) fn right_shifts(ms: &[i32], ss: &[i8]) -> Shifts {
    let mut form = Shifts::Two;
    for (&m, &s) in ms.iter().zip(ss) {
        match (m, s) {
            (0, -31..=0) => {}
            (1.., -31..=-2) => {}
            (1.., -1) => form = Shifts::One,
            _ => return Shifts::Any,
        }
    }
    form
}

/// `1 + 2·off` for [`rescale_right_store!`], when the output offset is small enough that it
/// cannot overflow.
fn twice_offset(off: i32) -> Option<i32> {
    (-(1 << 24)..1 << 24).contains(&off).then_some(1 + 2 * off)
}

/// One pass of a per-channel [`rescale_right_store!`] loop: the form, and the instruction
/// turning the loaded TFLM shift `{s}` into the form's shift register (only its low byte
/// counts: `254 - s` is `r - 2` there, `!s` is `r - 1`).
macro_rules! requant_right_loop {
    ($form:tt, $to_shift:literal) => {
        concat!(
            "2:\n",
            "ldr {a}, [{pa}], #4\n",
            "ldr {m}, [{pm}], #4\n",
            "ldrsb {s}, [{ps}], #1\n",
            $to_shift,
            rescale_right_store!($form, "{m}", "{s}"),
            "subs {n}, {n}, #1\n",
            "bne 2b\n",
        )
    };
}

/// `outs[i] = clamp(rescale(accs[i], ms[i], ss[i]) + off, lo, hi)` over the shortest of the
/// four slices: TFLM's `MultiplyByQuantizedMultiplier` for simple channels
/// ([`all_simple`](crate::gemm::all_simple): shifts in -31..=0, no `i32::MIN` multiplier),
/// one output per channel (a pixel's channels).
///
/// When every channel takes form `2` of [`rescale_right_store!`] (`shifts`, decided once per
/// layer by the caller) and the range is the whole of int8: one `asm!` loop inlined here, 13
/// instructions per output. Otherwise a call to [`requant_simple_call`].
#[allow(clippy::too_many_arguments)]
#[inline(always)]
pub(crate) fn requant_simple(
    accs: &[i32],
    ms: &[i32],
    ss: &[i8],
    outs: &mut [i8],
    off: i32,
    lo: i32,
    hi: i32,
    shifts: Shifts,
) {
    let n = accs.len().min(ms.len()).min(ss.len()).min(outs.len());
    let full = lo == -128 && hi == 127;
    let (Shifts::Two, true, Some(c), true) = (shifts, full, twice_offset(off), n > 0) else {
        requant_simple_call(accs, ms, ss, outs, off, lo, hi, shifts);
        return;
    };
    // SAFETY: the loop runs `n >= 1` times; each pass reads one `i32` at `pa` and at `pm`,
    // one `i8` at `ps`, writes one `i8` at `po`, and advances each by its element: it touches
    // exactly the first `n` elements of each slice (`n` is the shortest length), in bounds;
    // `outs` is borrowed mutably, so nothing else sees the writes. No stack; it sets the
    // flags (no `preserves_flags`). A channel outside the form (a caller's wrong `shifts`)
    // gives a wrong value, never an access.
    unsafe {
        asm!(
            requant_right_loop!(2, "rsb {s}, {s}, #254\n"),
            pa = inout(reg) accs.as_ptr() => _,
            pm = inout(reg) ms.as_ptr() => _,
            ps = inout(reg) ss.as_ptr() => _,
            po = inout(reg) outs.as_mut_ptr() => _,
            n = inout(reg) n => _,
            k = in(reg) 1u32 << 30,
            c = in(reg) c,
            a = out(reg) _,
            m = out(reg) _,
            s = out(reg) _,
            h = out(reg) _,
            t = out(reg) _,
            options(nostack)
        );
    }
}

/// [`requant_simple`] out of line, for any simple channels (FULLY_CONNECTED calls this, as its
/// per-tensor layers, most, never need it inlined): with the whole int8 range, its loop for
/// form `2`, 15 instructions per output for form `1` of [`rescale_right_store!`]; else 19
/// per output with the whole int8 range (one `SSAT`), 24 with a narrower one: the doubling high multiply (`(a·m + 2^30) >> 31`, `SMULL` and a 64-bit add), the
/// rounding divide by `2^r` as `(q >> 1) + (q & 1)` with `q = (y - [y < 0]) >> (r - 1)`,
/// skipped when `r = 0` (the same steps in Rust, `gemm::tests::halving_divide`, are
/// proptested equal to TFLM's).
#[allow(clippy::too_many_arguments)]
#[inline(never)]
pub(crate) fn requant_simple_call(
    accs: &[i32],
    ms: &[i32],
    ss: &[i8],
    outs: &mut [i8],
    off: i32,
    lo: i32,
    hi: i32,
    shifts: Shifts,
) {
    let n = accs.len().min(ms.len()).min(ss.len()).min(outs.len());
    if n == 0 {
        return;
    }
    let full = lo == -128 && hi == 127;
    match (shifts, full, twice_offset(off)) {
        (Shifts::Two, true, Some(_)) => {
            requant_simple(accs, ms, ss, outs, off, lo, hi, shifts);
            return;
        }
        (Shifts::One, true, Some(c)) => {
            // SAFETY: as the loop of `requant_simple` (the same pointers, advanced the same
            // way).
            unsafe {
                asm!(
                    requant_right_loop!(1, "mvn {s}, {s}\n"),
                    pa = inout(reg) accs.as_ptr() => _,
                    pm = inout(reg) ms.as_ptr() => _,
                    ps = inout(reg) ss.as_ptr() => _,
                    po = inout(reg) outs.as_mut_ptr() => _,
                    n = inout(reg) n => _,
                    k = in(reg) 1u32 << 30,
                    c = in(reg) c,
                    a = out(reg) _,
                    m = out(reg) _,
                    s = out(reg) _,
                    h = out(reg) _,
                    t = out(reg) _,
                    options(nostack)
                );
            }
            return;
        }
        _ => {}
    }
    if full {
        // SAFETY: as the block below, without `lo` and `hi` (the clamp is `SSAT` to 8 bits,
        // which is `lo..=hi` here).
        unsafe {
            asm!(
                requant_simple_loop!(full),
                pa = inout(reg) accs.as_ptr() => _,
                pm = inout(reg) ms.as_ptr() => _,
                ps = inout(reg) ss.as_ptr() => _,
                po = inout(reg) outs.as_mut_ptr() => _,
                n = inout(reg) n => _,
                off = in(reg) off,
                a = out(reg) _,
                m = out(reg) _,
                s = out(reg) _,
                options(nostack)
            );
        }
        return;
    }
    // SAFETY: the loop runs `n >= 1` times; each pass reads one `i32` at `pa` and at `pm`,
    // one `i8` at `ps`, writes one `i8` at `po`, and advances each by its element: it touches
    // exactly the first `n` elements of each slice (`n` is the shortest length), in bounds;
    // `outs` is borrowed mutably, so nothing else sees the writes. No stack; it sets the
    // flags (no `preserves_flags`).
    unsafe {
        asm!(
            requant_simple_loop!(range),
            pa = inout(reg) accs.as_ptr() => _,
            pm = inout(reg) ms.as_ptr() => _,
            ps = inout(reg) ss.as_ptr() => _,
            po = inout(reg) outs.as_mut_ptr() => _,
            n = inout(reg) n => _,
            off = in(reg) off,
            lo = in(reg) lo,
            hi = in(reg) hi,
            a = out(reg) _,
            m = out(reg) _,
            s = out(reg) _,
            options(nostack)
        );
    }
}

/// One depthwise tap of four output channels that read one input channel (a depth
/// multiplier in fours): `a[j] += (x + off) · f[j]` with the input byte `x` at `[{px}…]` and
/// the weights' word at `[{pf}…]`.
#[rustfmt::skip]
macro_rules! dw_tap_bcast {
    ($px:literal, $pf:literal) => {
        dw_tap_bcast!($px, $pf, "{x}", "{f}", "{t}", "{off}", "{a0}", "{a1}", "{a2}", "{a3}")
    };
    ($px:literal, $pf:literal, r) => {
        dw_tap_bcast!($px, $pf, "r4", "r5", "r6", "lr", "r0", "r1", "r2", "r3")
    };
    ($px:literal, $pf:literal, $x:literal, $f:literal, $t:literal, $off:literal,
     $a0:literal, $a1:literal, $a2:literal, $a3:literal) => {
        concat!(
            "ldrsb ", $x, ", ", $px, "\n",
            "ldr ", $f, ", ", $pf, "\n",
            "add ", $x, ", ", $x, ", ", $off, "\n",
            "sxtb16 ", $t, ", ", $f, "\n",
            "smlabb ", $a0, ", ", $x, ", ", $t, ", ", $a0, "\n",
            "smlabt ", $a2, ", ", $x, ", ", $t, ", ", $a2, "\n",
            "sxtb16 ", $t, ", ", $f, ", ror #8\n",
            "smlabb ", $a1, ", ", $x, ", ", $t, ", ", $a1, "\n",
            "smlabt ", $a3, ", ", $x, ", ", $t, ", ", $a3, "\n",
        )
    };
}

/// One output pixel of a depthwise convolution with a 3-wide filter and a depth multiplier in
/// fours, for the output channels of one input channel (`acc.len()` of them, whole groups of
/// four): `acc[c] = bias[c] + Σ (x + off) · f[c]` over a window of `rows` rows (`xrow` bytes
/// apart in `xs`, `3·fstep` in `fs`) by `taps` taps (2 or 3; `xstep` bytes apart in `xs`,
/// `fstep` in `fs`), the one input byte of each tap feeding the four channels of a group, the
/// groups 4 bytes apart in `fs`. No bias: zeros. Wrapping sums. `false` (nothing written) for
/// another shape, an offset beyond 16 bits, or a slice shorter than the window needs.
///
/// One `asm!` loop over the groups: 9 instructions per tap, seven per row (the row count kept
/// on the stack), 13 per group; 14 registers, `r6` and `r7` borrowed as in [`dw_pixel`].
#[allow(clippy::too_many_arguments)]
#[inline(always)]
pub(crate) fn dw_pixel_bcast(
    acc: &mut [i32],
    bias: Option<&[i32]>,
    xs: &[i8],
    fs: &[i8],
    (xstep, fstep, xrow): (usize, usize, usize),
    (rows, taps): (usize, usize),
    off: i32,
) -> bool {
    // The last tap's input byte is `(rows - 1)·xrow + (taps - 1)·xstep` into `xs`; the last
    // group's weights end `acc.len() + 3(rows - 1)·fstep + (taps - 1)·fstep` into `fs`.
    let fits = || {
        let x = xrow
            .checked_mul(rows - 1)?
            .checked_add(xstep.checked_mul(taps - 1)?)?;
        let f = fstep
            .checked_mul(3)?
            .checked_mul(rows - 1)?
            .checked_add(fstep.checked_mul(taps - 1)?)?
            .checked_add(acc.len())?;
        Some(xs.len() > x && fs.len() >= f)
    };
    if acc.is_empty()
        || !acc.len().is_multiple_of(4)
        || rows == 0
        || !(2..=3).contains(&taps)
        || i16::try_from(off).is_err()
        || bias.is_some_and(|b| b.len() < acc.len())
        || fits() != Some(true)
    {
        return false;
    }
    let pb = match bias {
        Some(b) => b.as_ptr(),
        None => {
            acc.fill(0);
            acc.as_ptr()
        }
    };
    let end = acc.as_ptr_range().end;
    macro_rules! run {
        ($taps:expr) => {
            asm!(
                "push {{r0, r1, r2, r3, r4, r5, r6, r7}}",
                "mov r7, r5",
                "2:",
                "ldr r4, [sp, #8]",
                "ldm r4!, {{r0, r1, r2, r3}}",
                "str r4, [sp, #8]",
                "ldr r8, [sp]",
                "ldr r9, [sp, #4]",
                "add r4, r9, #4",
                "str r4, [sp, #4]",
                "ldr r4, [sp, #16]",
                "str r4, [sp, #20]",
                "3:",
                $taps,
                "add r8, r8, r7",
                "add r9, r9, r12, lsl #1",
                "add r9, r9, r12",
                "ldr r4, [sp, #20]",
                "subs r4, r4, #1",
                "str r4, [sp, #20]",
                "bne 3b",
                "stm r10!, {{r0, r1, r2, r3}}",
                "ldr r4, [sp, #12]",
                "cmp r10, r4",
                "bne 2b",
                "pop {{r0, r1, r2, r3, r4, r5, r6, r7}}",
                inout("r0") xs.as_ptr() => _,
                inout("r1") fs.as_ptr() => _,
                inout("r2") pb => _,
                inout("r3") end => _,
                inout("r4") rows => _,
                inout("r5") xrow => _,
                out("r8") _,
                out("r9") _,
                inout("r10") acc.as_mut_ptr() => _,
                in("r11") xstep,
                in("r12") fstep,
                in("lr") off,
            )
        };
    }
    // SAFETY: the outer loop runs once per group `g < n = acc.len() / 4` (until `r10`, the
    // accumulator pointer, reaches `end`, 16 bytes per pass; `n >= 1`), the inner loop
    // `rows >= 1` times (its count in the stack slot of the pushed `r5`). Group `g` reads four
    // words at `pb + 16g` (the bias, which holds `4n` values, or `acc` itself, zeroed above
    // and read before its group is written), input bytes at `r·xrow + t·xstep` and weight
    // words at `4g + 3r·fstep + t·fstep` for `r < rows`, `t < taps`: within the lengths
    // checked above. It writes the group's four words of `acc`. `LDM`/`STM` need word
    // alignment, which `i32` slices give; the weight words may be unaligned (`LDR`, which
    // Armv7-M allows). `x + off` fits 16 bits (the input byte, and `off` checked), as the
    // halfword multiplies need. The block pushes its six inputs in `r0`-`r5` and the
    // reserved `r6` (base pointer) and `r7` (frame pointer) and pops them all before it ends,
    // so those hold their values on exit and the stack pointer is restored; every other
    // register it writes is an output. `acc` is borrowed mutably, so nothing else sees the
    // writes. It sets the flags (no `preserves_flags`).
    unsafe {
        if taps == 2 {
            run!(concat!(
                dw_tap_bcast!("[r8]", "[r9]", r),
                dw_tap_bcast!("[r8, r11]", "[r9, r12]", r)
            ))
        } else {
            run!(concat!(
                dw_tap_bcast!("[r8]", "[r9]", r),
                dw_tap_bcast!("[r8, r11]", "[r9, r12]", r),
                dw_tap_bcast!("[r8, r11, lsl #1]", "[r9, r12, lsl #1]", r)
            ))
        }
    }
    true
}

/// One window row of 1 to 3 depthwise taps for four output channels of one input channel
/// (depth multiplier a multiple of 4): `a[j] += Σ_t (x[t·xstep] + off) · f[t·fstep + j]`,
/// wrapping; `off` is the input offset. `None` when `taps` is not 1 to 3, `off` does not fit
/// 16 bits, or a slice is shorter than its last tap.
///
/// One `asm!` block, 9 instructions per tap (the input byte is loaded once for the four).
#[inline(always)]
pub(crate) fn dw_row_bcast(
    a: [i32; 4],
    xs: &[i8],
    fs: &[i8],
    (xstep, fstep): (usize, usize),
    taps: usize,
    off: i32,
) -> Option<[i32; 4]> {
    let last = taps.checked_sub(1)?;
    let x_need = xstep.checked_mul(last)?.checked_add(1)?;
    let f_need = fstep.checked_mul(last)?.checked_add(4)?;
    if xs.len() < x_need || fs.len() < f_need || i16::try_from(off).is_err() {
        return None;
    }
    let [mut a0, mut a1, mut a2, mut a3] = a;
    let (px, pf) = (xs.as_ptr(), fs.as_ptr());
    macro_rules! run {
        ($($t:expr),*) => {
            asm!(
                $($t,)*
                px = in(reg) px,
                pf = in(reg) pf,
                xstep = in(reg) xstep,
                fstep = in(reg) fstep,
                off = in(reg) off,
                a0 = inout(reg) a0,
                a1 = inout(reg) a1,
                a2 = inout(reg) a2,
                a3 = inout(reg) a3,
                x = out(reg) _,
                f = out(reg) _,
                t = out(reg) _,
                options(readonly, nostack, preserves_flags)
            )
        };
    }
    // SAFETY: tap `t` reads the byte at `t·xstep` of `xs` and 4 bytes at `t·fstep` of `fs`:
    // within the first `(taps - 1)·xstep + 1` and `(taps - 1)·fstep + 4` bytes, which the
    // slices have (checked above). The `x + off` sums fit 16 bits (checked), as the
    // halfword multiplies need. Word loads may be unaligned, which Armv7-M's LDR allows.
    // Registers only otherwise; no stack; flags untouched.
    unsafe {
        match taps {
            1 => run!("/* {xstep} {fstep} */", dw_tap_bcast!("[{px}]", "[{pf}]")),
            2 => run!(
                dw_tap_bcast!("[{px}]", "[{pf}]"),
                dw_tap_bcast!("[{px}, {xstep}]", "[{pf}, {fstep}]")
            ),
            3 => run!(
                dw_tap_bcast!("[{px}]", "[{pf}]"),
                dw_tap_bcast!("[{px}, {xstep}]", "[{pf}, {fstep}]"),
                dw_tap_bcast!("[{px}, {xstep}, lsl #1]", "[{pf}, {fstep}, lsl #1]")
            ),
            _ => return None,
        }
    }
    Some([a0, a1, a2, a3])
}

/// Output channels the 2x2 kernel ([`gemm_2x2`]) sums per call: its accumulator rows.
pub(crate) const PAIR_CHUNK: usize = 32;

/// Two input rows, interleaved in groups (`x[g] = [r0 (x0,x2), r0 (x1,x3), r1 (x0,x2),
/// r1 (x1,x3)]`, offsets added), against `pairs` pairs of consecutive weight rows of
/// `k = 4 · x.len()` bytes: `acc[r][c] = bias[c] + Σ x_r · f_c` for `c < 2 · pairs`, wrapping.
/// Nothing is written when a slice is too short or `pairs` is 0 or over `PAIR_CHUNK / 2`.
///
/// The GEMM's 2x2 tile as one `asm!` loop over the channel pairs: 16 instructions per 16
/// multiply-accumulates (one `LDM` of the four input words, two weight loads, four `SXTB16`,
/// eight `SMLAD`, the count per two groups) and 21 more per pair of channels. It needs 14 registers, two
/// more than `asm!` may take as operands: it saves `r6` and `r7` on the stack and restores
/// them, and keeps its outer-loop state there.
#[inline(always)]
pub(crate) fn gemm_2x2(
    x: &[[u32; 4]],
    f: &[i8],
    bias: &[i32],
    acc: &mut [[i32; PAIR_CHUNK]; 2],
    pairs: usize,
) {
    let n = x.len();
    let k = 4 * n;
    if n == 0 || pairs == 0 || 2 * pairs > PAIR_CHUNK || bias.len() < 2 * pairs {
        return;
    }
    let Some(f) = f.get(..2 * pairs * k) else {
        return;
    };
    let f_end = f.as_ptr_range().end;
    // SAFETY: the outer loop runs `pairs >= 1` times (until the weight pointer reaches
    // `f_end`); each pass reads the `n >= 1` groups of `x` (16 bytes each through `r10`, which
    // is moved back by `16n` after the pass; the inner loop runs `⌈n/2⌉` times over two groups
    // each, entering at the second when `n` is odd, so exactly `n` groups and `n` words of
    // each weight row), the next two weight rows of `k = 4n` bytes
    // (`r8`, `r9`; within `f`, which holds `2 · pairs · k`), two bias words (`bias` holds
    // `2 · pairs`) and writes two words of each accumulator row at the pass's column
    // (`2 · pairs <= PAIR_CHUNK`; row 1 is 128 bytes after row 0, as `[[i32; 32]; 2]` lays
    // them out). `LDM`, `LDRD` and `STRD` need word alignment, which `[u32; 4]`, `i32` and
    // the array give; the weight words may be unaligned (`LDR`, which Armv7-M allows, as
    // LLVM's own word loads here assume). The block pushes its four inputs and the
    // reserved `r6` (base pointer) and `r7` (frame pointer) and pops them all before it
    // ends, so those two hold their values on exit and the stack pointer is restored; every
    // other register it writes is an output. `acc` is borrowed mutably, so nothing else
    // sees the writes. It sets the flags (no `preserves_flags`).
    unsafe {
        asm!(
            "push {{r0, r1, r2, r3, r6, r7}}",
            "mov r11, r0",
            "2:",
            "ldr lr, [sp, #8]",
            "ldrd r0, r1, [lr], #8",
            "str lr, [sp, #8]",
            "mov r2, r0",
            "mov r3, r1",
            "add r9, r8, r11, lsl #2",
            // Two groups per inner pass: `r11` counts pairs of groups, and an odd count
            // enters at the second group (label 4).
            "tst r11, #1",
            "add r11, r11, #1",
            "lsr r11, r11, #1",
            "bne 4f",
            "3:",
            "ldm r10!, {{r4, r5, r6, r7}}",
            "ldr r12, [r8], #4",
            "sxtb16 lr, r12",
            "smlad r0, lr, r4, r0",
            "smlad r2, lr, r6, r2",
            "sxtb16 r12, r12, ror #8",
            "smlad r0, r12, r5, r0",
            "smlad r2, r12, r7, r2",
            "ldr r12, [r9], #4",
            "sxtb16 lr, r12",
            "smlad r1, lr, r4, r1",
            "smlad r3, lr, r6, r3",
            "sxtb16 r12, r12, ror #8",
            "smlad r1, r12, r5, r1",
            "smlad r3, r12, r7, r3",
            "4:",
            "ldm r10!, {{r4, r5, r6, r7}}",
            "ldr r12, [r8], #4",
            "sxtb16 lr, r12",
            "smlad r0, lr, r4, r0",
            "smlad r2, lr, r6, r2",
            "sxtb16 r12, r12, ror #8",
            "smlad r0, r12, r5, r0",
            "smlad r2, r12, r7, r2",
            "ldr r12, [r9], #4",
            "sxtb16 lr, r12",
            "smlad r1, lr, r4, r1",
            "smlad r3, lr, r6, r3",
            "sxtb16 r12, r12, ror #8",
            "smlad r1, r12, r5, r1",
            "smlad r3, r12, r7, r3",
            "subs r11, r11, #1",
            "bne 3b",
            "ldr lr, [sp, #4]",
            "strd r2, r3, [lr, #128]",
            "strd r0, r1, [lr], #8",
            "str lr, [sp, #4]",
            "mov r8, r9",
            "ldr r11, [sp]",
            "sub r10, r10, r11, lsl #4",
            "ldr lr, [sp, #12]",
            "cmp r8, lr",
            "bne 2b",
            "pop {{r0, r1, r2, r3, r6, r7}}",
            inout("r0") n => _,
            inout("r1") acc.as_mut_ptr() => _,
            inout("r2") bias.as_ptr() => _,
            inout("r3") f_end => _,
            out("r4") _,
            out("r5") _,
            inout("r8") f.as_ptr() => _,
            out("r9") _,
            inout("r10") x.as_ptr() => _,
            out("r11") _,
            out("r12") _,
            out("lr") _,
        );
    }
}

/// Three FULLY_CONNECTED units per pass, straight from the `i8` data: for `u < 3 · triples`,
/// appends `bias[u] + Σ (x + off) · f_u` over `x`'s `4n` values to `sums` (`off2` holds the
/// input offset in both halves), the units' weight rows consecutive in `f`, wrapping. Nothing
/// is written when `x` is empty or not whole words, `triples` is 0, a slice is too short or
/// `sums` has no room for `3 · triples` more.
///
/// One `asm!` loop over the triples: 19 instructions per 12 multiply-accumulates (an input
/// word widened once by two `SXTAB16` for the three units, then per unit a weight load, two
/// `SXTB16`, two `SMLAD`; the loop counted per two words) and 17 more per triple. Its 13 registers take `r7`, saved on the
/// stack with `r6` as in [`gemm_2x2`].
#[inline(always)]
pub(crate) fn fc_3units<const N: usize>(
    x: &[i8],
    f: &[i8],
    bias: &[i32],
    sums: &mut Sums<N>,
    triples: usize,
    off2: u32,
) {
    let n = x.len() / 4;
    let k = 4 * n;
    let start = sums.len;
    if n == 0
        || k != x.len()
        || triples == 0
        || bias.len() < 3 * triples
        || N.saturating_sub(start) < 3 * triples
    {
        return;
    }
    let Some(f) = f.get(..3 * triples * k) else {
        return;
    };
    let acc = sums.buf.get_mut(start..).unwrap_or(&mut []);
    let f_end = f.as_ptr_range().end;
    // SAFETY: the outer loop runs `triples >= 1` times (until the third weight pointer reaches
    // `f_end`); each pass reads the `n >= 1` words of `x` (through `r12`, moved back by `4n`
    // after the pass; the inner loop runs `⌈n/2⌉` times over two words each, entering at the
    // second when `n` is odd, so exactly `n` words and as many from each weight row), the next three weight rows of `k = 4n` bytes (`r8`, `r9`, `r10`;
    // within `f`, which holds `3 · triples · k`), three bias words (`bias` holds
    // `3 · triples`) and writes the next three words of `acc` (the unwritten part of `sums`,
    // at least `3 · triples` entries, checked above), each pointer kept
    // on the stack between passes. `LDM`/`STM` need word alignment, which `i32` gives; the
    // input and weight words may be unaligned (`LDR`, which Armv7-M allows, as LLVM's own
    // word loads here assume). The block pushes its three pointer inputs and the reserved
    // `r6` and `r7` and pops them all before it ends, so those two hold their values on
    // exit and the stack pointer is restored; every other register it writes is an output.
    // `acc` is borrowed mutably, so nothing else sees the writes. It sets the flags.
    unsafe {
        asm!(
            "push {{r0, r1, r2, r6, r7}}",
            "mov r10, r8",
            "2:",
            "ldr r6, [sp, #4]",
            "ldm r6!, {{r0, r1, r2}}",
            "str r6, [sp, #4]",
            "mov r8, r10",
            "add r9, r8, lr, lsl #2",
            "add r10, r9, lr, lsl #2",
            // Two words per inner pass: `r11` counts pairs, and an odd count enters at the
            // second word (label 4).
            "add r11, lr, #1",
            "lsr r11, r11, #1",
            "tst lr, #1",
            "bne 4f",
            "3:",
            "ldr r5, [r12], #4",
            "sxtab16 r4, r3, r5",
            "sxtab16 r5, r3, r5, ror #8",
            "ldr r6, [r8], #4",
            "sxtb16 r7, r6",
            "smlad r0, r7, r4, r0",
            "sxtb16 r6, r6, ror #8",
            "smlad r0, r6, r5, r0",
            "ldr r6, [r9], #4",
            "sxtb16 r7, r6",
            "smlad r1, r7, r4, r1",
            "sxtb16 r6, r6, ror #8",
            "smlad r1, r6, r5, r1",
            "ldr r6, [r10], #4",
            "sxtb16 r7, r6",
            "smlad r2, r7, r4, r2",
            "sxtb16 r6, r6, ror #8",
            "smlad r2, r6, r5, r2",
            "4:",
            "ldr r5, [r12], #4",
            "sxtab16 r4, r3, r5",
            "sxtab16 r5, r3, r5, ror #8",
            "ldr r6, [r8], #4",
            "sxtb16 r7, r6",
            "smlad r0, r7, r4, r0",
            "sxtb16 r6, r6, ror #8",
            "smlad r0, r6, r5, r0",
            "ldr r6, [r9], #4",
            "sxtb16 r7, r6",
            "smlad r1, r7, r4, r1",
            "sxtb16 r6, r6, ror #8",
            "smlad r1, r6, r5, r1",
            "ldr r6, [r10], #4",
            "sxtb16 r7, r6",
            "smlad r2, r7, r4, r2",
            "sxtb16 r6, r6, ror #8",
            "smlad r2, r6, r5, r2",
            "subs r11, r11, #1",
            "bne 3b",
            "ldr r6, [sp]",
            "stm r6!, {{r0, r1, r2}}",
            "str r6, [sp]",
            "sub r12, r12, lr, lsl #2",
            "ldr r6, [sp, #8]",
            "cmp r10, r6",
            "bne 2b",
            "pop {{r0, r1, r2, r6, r7}}",
            inout("r0") acc.as_mut_ptr() => _,
            inout("r1") bias.as_ptr() => _,
            inout("r2") f_end => _,
            in("r3") off2,
            out("r4") _,
            out("r5") _,
            inout("r8") f.as_ptr() => _,
            out("r9") _,
            out("r10") _,
            out("r11") _,
            inout("r12") x.as_ptr() => _,
            in("lr") n,
        );
    }
    // Those `3 · triples` entries after `start` are now written.
    sums.len = start + 3 * triples;
}

/// One pass of [`requant_uniform`]'s loop, its clamp `full` or `range`.
macro_rules! requant_uniform_loop {
    ($clamp:tt) => {
        concat!(
            "2:\n",
            "ldr {a}, [{pa}], #4\n",
            doubling_high_mul!("{mul}"),
            rounding_divide!(),
            offset_clamp_store!($clamp),
            "subs {n}, {n}, #1\n",
            "bne 2b\n",
        )
    };
}

/// [`requant_simple`] for one multiplier `m` and a right shift `r` in 1..=31 shared by every
/// output (per-tensor rescaling), both kept in registers: 16 instructions per output with the
/// whole int8 range, 20 with a narrower one; 10 with the whole range, `m >= 0` and `r >= 2`
/// (form `2` of [`rescale_right_store!`]).
#[inline(always)]
pub(crate) fn requant_uniform(
    accs: &[i32],
    m: i32,
    r: u32,
    outs: &mut [i8],
    off: i32,
    lo: i32,
    hi: i32,
) {
    let n = accs.len().min(outs.len());
    if n == 0 || !(1..=31).contains(&r) {
        return;
    }
    let full = lo == -128 && hi == 127;
    if let (true, true, Some(c)) = (m >= 0 && r >= 2, full, twice_offset(off)) {
        // SAFETY: as the last block below (the same pointers, advanced the same way; the
        // clamp is `SSAT` to 8 bits, which is `lo..=hi` here).
        unsafe {
            asm!(
                "2:",
                "ldr {a}, [{pa}], #4",
                rescale_right_store!(2, "{mul}", "{s}"),
                "subs {n}, {n}, #1",
                "bne 2b",
                pa = inout(reg) accs.as_ptr() => _,
                po = inout(reg) outs.as_mut_ptr() => _,
                n = inout(reg) n => _,
                mul = in(reg) m,
                s = in(reg) r - 2,
                k = in(reg) 1u32 << 30,
                c = in(reg) c,
                a = out(reg) _,
                h = out(reg) _,
                t = out(reg) _,
                options(nostack)
            );
        }
        return;
    }
    if full {
        // SAFETY: as the block below, without `lo` and `hi` (the clamp is `SSAT` to 8 bits,
        // which is `lo..=hi` here).
        unsafe {
            asm!(
                requant_uniform_loop!(full),
                pa = inout(reg) accs.as_ptr() => _,
                po = inout(reg) outs.as_mut_ptr() => _,
                n = inout(reg) n => _,
                mul = in(reg) m,
                s = in(reg) r - 1,
                off = in(reg) off,
                a = out(reg) _,
                m = out(reg) _,
                options(nostack)
            );
        }
        return;
    }
    // SAFETY: the loop runs `n >= 1` times; each pass reads one `i32` at `pa` and writes one
    // `i8` at `po`, advancing each by its element: it touches exactly the first `n` elements
    // of both slices (`n` is the shorter length), in bounds; `outs` is borrowed mutably, so
    // nothing else sees the writes. `r - 1` is 0..=30, a valid shift. No stack; it sets the
    // flags (no `preserves_flags`).
    unsafe {
        asm!(
            requant_uniform_loop!(range),
            pa = inout(reg) accs.as_ptr() => _,
            po = inout(reg) outs.as_mut_ptr() => _,
            n = inout(reg) n => _,
            mul = in(reg) m,
            s = in(reg) r - 1,
            off = in(reg) off,
            lo = in(reg) lo,
            hi = in(reg) hi,
            a = out(reg) _,
            m = out(reg) _,
            options(nostack)
        );
    }
}

/// One pass of [`add_tables`]'s loop: both bytes looked up (the second input's table 256
/// words on), summed, then [`requant_uniform`]'s rescale, offset and clamp.
macro_rules! add_tables_loop {
    ($clamp:tt) => {
        concat!(
            "2:\n",
            "ldrb {a}, [{px}], #1\n",
            "ldrb {m}, [{py}], #1\n",
            "ldr {a}, [{t}, {a}, lsl #2]\n",
            "add {m}, {m}, #256\n",
            "ldr {m}, [{t}, {m}, lsl #2]\n",
            "add {a}, {a}, {m}\n",
            doubling_high_mul!("{mul}"),
            rounding_divide!(),
            offset_clamp_store!($clamp),
            "subs {n}, {n}, #1\n",
            "bne 2b\n",
        )
    };
}

/// `outs[i] = clamp(rescale(t[0][xs[i]] + t[1][ys[i]]) + off, lo, hi)` over the shortest of
/// the three slices, the rescale [`requant_uniform`]'s (one multiplier `m`, a right shift `r`
/// in 1..=31): ADD of two int8 tensors through its per-input tables, 20 instructions per
/// element with the whole int8 range (one `SSAT`), 25 with a narrower one.
#[inline(never)]
#[allow(clippy::too_many_arguments)]
pub(crate) fn add_tables(
    t: &[[i32; 256]; 2],
    m: i32,
    r: u32,
    xs: &[i8],
    ys: &[i8],
    outs: &mut [i8],
    off: i32,
    lo: i32,
    hi: i32,
) {
    let n = xs.len().min(ys.len()).min(outs.len());
    if n == 0 || !(1..=31).contains(&r) {
        return;
    }
    if lo == -128 && hi == 127 {
        // SAFETY: as the block below, without `lo` and `hi` (the clamp is `SSAT` to 8 bits,
        // which is `lo..=hi` here).
        unsafe {
            asm!(
                add_tables_loop!(full),
                px = inout(reg) xs.as_ptr() => _,
                py = inout(reg) ys.as_ptr() => _,
                po = inout(reg) outs.as_mut_ptr() => _,
                n = inout(reg) n => _,
                t = in(reg) t.as_ptr(),
                mul = in(reg) m,
                s = in(reg) r - 1,
                off = in(reg) off,
                a = out(reg) _,
                m = out(reg) _,
                options(nostack)
            );
        }
        return;
    }
    // SAFETY: the loop runs `n >= 1` times; each pass reads one byte at `px` and one at
    // `py` and writes one at `po`, advancing each by one: it touches exactly the first `n`
    // bytes of the three slices (`n` is the shortest length), in bounds. The table reads are
    // word `b` (a byte, 0..=255) and word `256 + b` of `t`, which holds 512 contiguous words
    // (`[[i32; 256]; 2]`), so in bounds too. `outs` is borrowed mutably, so nothing else sees
    // the writes. `r - 1` is 0..=30, a valid shift. No stack; it sets the flags.
    unsafe {
        asm!(
            add_tables_loop!(range),
            px = inout(reg) xs.as_ptr() => _,
            py = inout(reg) ys.as_ptr() => _,
            po = inout(reg) outs.as_mut_ptr() => _,
            n = inout(reg) n => _,
            t = in(reg) t.as_ptr(),
            mul = in(reg) m,
            s = in(reg) r - 1,
            off = in(reg) off,
            lo = in(reg) lo,
            hi = in(reg) hi,
            a = out(reg) _,
            m = out(reg) _,
            options(nostack)
        );
    }
}
