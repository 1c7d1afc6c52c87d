//! Armv7E-M fast paths (Cortex-M4/M7, and Armv8-M Mainline with the DSP extension): the int8
//! GEMM of CONV_2D and FULLY_CONNECTED on `SMLAD` dual 16-bit multiply-accumulates, and the
//! multiply-accumulate of DEPTHWISE_CONV_2D on `SXTAB16` and `SMLABB`/`SMLATT`, the
//! requantization of both as `SMULL`-based `asm!` loops, and int8 ADD of same-shape inputs
//! through two 256-entry tables ([`dsp::add_tables`]).
//!
//! Compiled only under `cfg(microlite_arm_dsp)`, which `kernels/build.rs` sets from the target
//! name. `dsp` holds the crate's only Arm `unsafe`: one-instruction `asm!` wrappers and
//! `asm!` loops, each with its `SAFETY` note; everything built on them is safe Rust. The on-target property tests of
//! `examples/cortex-m4` (`--bin dsp-check`) compare these paths with the reference kernels.

pub(crate) mod add;
pub(crate) mod depthwise;
pub(crate) mod dsp;
pub(crate) mod gemm;
