//! Target-specific fast paths, selected by `cfg`: the portable kernels call into them under
//! the same gates and run safe portable Rust on every other target.
//!
//! - `x86_64` (SSE2, the x86-64 baseline): the SSE2 intrinsics wrappers (`simd`, the crate's
//!   only `unsafe`) and the int8 GEMM, depthwise, float conv panel and ADD paths built on
//!   them.
//! - `arm` (Armv7E-M, `cfg(microlite_arm_dsp)` from `kernels/build.rs`): one-instruction `asm!`
//!   wrappers of `SMLAD`/`SXTB16` and `asm!` loops (`dsp`, the only Arm `unsafe`), and the
//!   int8 GEMM, depthwise and ADD paths built on them.

#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
pub(crate) mod x86_64;

#[cfg(microlite_arm_dsp)]
pub(crate) mod arm;
