//! x86-64 with SSE2: the hot loops of the int8 and float kernels on vectors.
//!
//! [`simd`] holds the only `unsafe` of the crate (SSE2 intrinsics wrapped in small safe
//! functions, each block with its `SAFETY` note, checked by Miri in CI); the other modules
//! are safe Rust on top of it, each proptested equal to the portable path it replaces.

pub(crate) mod add;
pub(crate) mod conv;
pub(crate) mod depthwise;
pub(crate) mod gemm;
mod simd;
