//! # microlite
//!
//! A `no_std`, heap-free interpreter for TensorFlow Lite models on microcontrollers,
//! compatible with TensorFlow Lite for Microcontrollers (TFLM): the same `.tflite` files, the
//! same tensor-arena model, and bit-identical integer results.
//!
//! ```no_run
//! # fn main() -> Result<(), microlite::Error> {
//! use microlite::{Arena, Interpreter, Model, MutableOpResolver};
//! # static MODEL: &[u8] = &[];
//! let model = Model::from_bytes(MODEL)?;          // verify once
//! let mut resolver = MutableOpResolver::<1>::new();
//! resolver.add_fully_connected()?;                 // link only what the model needs
//! let mut arena = Arena::<2048>::new();
//! let mut interp = Interpreter::new(model, &resolver, arena.as_mut_slice())?;
//! let q = interp.input_info(0)?.quant().unwrap();
//! interp.input_mut::<i8>(0)?[0] = q.quantize_i8(1.5);
//! interp.invoke()?;
//! let y = interp.output_info(0)?.quant().unwrap().dequantize_i8(interp.output::<i8>(0)?[0]);
//! # let _ = y; Ok(()) }
//! ```
#![no_std]
#![forbid(unsafe_code)]
// No panic is reachable from the public API: no unwrap/expect/panic, and no unchecked
// indexing or slicing outside tests (use `get`, iterators, or split borrows).
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        clippy::unreachable,
        clippy::todo,
        clippy::unimplemented
    )
)]
#![warn(missing_docs)]

#[cfg(any(test, feature = "std"))]
extern crate std;

mod error;
mod flatbuf;
mod flexbuf;
mod interpreter;
mod model;
mod ops;
mod planner;
mod resolver;
mod schema;
mod signal;

/// The `Pod` derive a custom kernel's persistent data uses (see [`PrepareCtx::persist`]).
pub use bytemuck;
pub use error::{Error, Malformed, OpName};
pub use interpreter::{
    check_model, Allocation, Arena, Blocker, Interpreter, QuantParams, TensorInfo,
    DEFAULT_LOOP_LIMIT,
};
pub use model::{
    Ints, Model, Operator, OperatorCode, Quantization, SubGraph, Tensor, MAX_OPERANDS, MAX_RANK,
};
pub use ops::{Element, EvalCtx, EvalFn, PrepareCtx, PrepareFn, Registration};
pub use resolver::{AllOpsResolver, MutableOpResolver, OpResolver, ADDERS, ALL_OPS, SIGNAL_OPS};
pub use schema::{BuiltinOperator, TensorType};

/// The README's Rust examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

/// Sets every byte of `dst` to `v`: the one place the core fills memory, so that a firmware
/// links one `memset` entry point (compiler-builtins has four, ~200 bytes each).
#[inline(never)]
pub(crate) fn fill_bytes(dst: &mut [u8], v: u8) {
    dst.fill(v);
}
