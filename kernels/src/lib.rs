//! Pure math kernels for microlite, bit-exact with TensorFlow Lite Micro's reference kernels.
//!
//! Every kernel works on plain slices and parameter structs: no model types, no heap. Each one
//! checks its slice lengths against its shapes on entry (O(1)) and returns [`KernelError`]
//! instead of panicking; no input can make a kernel panic or overflow. Target-specific fast
//! paths live in the private `arch` module, chosen by `cfg`: on x86-64, `arch::x86_64` (SSE2
//! GEMM, depthwise, float conv panels and ADD) over `arch::x86_64::simd`, the crate's only
//! `unsafe` (intrinsic calls, each with its `SAFETY` note, and covered by Miri in CI); every
//! other target runs portable safe Rust.
//!
//! Integer math follows TFLM built without `TFLITE_SINGLE_ROUNDING` (gemmlowp double rounding);
//! float kernels follow TFLM's reference order of operations.
#![cfg_attr(not(test), no_std)]
// `unsafe` only in `arch::x86_64::simd` (SSE2 intrinsics, each block with its SAFETY note).
#![deny(unsafe_code)]
// No panic reachable: no unwrap/expect/panic!. Indexing is the documented exception: each
// kernel checks every slice length against its shapes once, on entry (O(1)), and returns
// `KernelError` on a mismatch; inner loops then index within those proven bounds, which keeps
// them free of per-element branches. Proptests against plain formulations and the `invoke`
// fuzz target (hostile shapes and parameters through the interpreter) check that claim.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::unreachable,
        clippy::todo,
        clippy::unimplemented
    )
)]
#![warn(missing_docs)]
#![cfg_attr(
    test,
    allow(
        clippy::needless_range_loop,
        clippy::manual_clamp,
        clippy::too_many_arguments,
        clippy::identity_op
    )
)]

pub mod abs;
pub mod add;
pub mod add_n;
pub mod arg_max;
pub mod arg_min;
pub mod batch_matmul;
pub mod batch_space;
pub mod broadcast_to;
pub mod cast;
pub mod comparisons;
pub mod concatenation;
pub mod conv_2d;
pub mod cumsum;
pub mod densify;
pub mod depth_to_space;
pub mod depthwise_conv_2d;
pub mod dequantize;
pub mod detection_postprocess;
pub mod div;
pub mod double;
pub mod dynamic_update_slice;
pub mod elu;
pub mod embedding_lookup;
pub mod fill;
pub mod float16;
pub mod floor_div;
pub mod floor_mod;
pub mod fully_connected;
pub mod gather;
pub mod gather_nd;
pub mod hard_swish;
pub mod l2_normalization;
pub mod leaky_relu;
pub mod log_softmax;
pub mod logical;
pub mod logistic;
pub mod lstm;
pub mod math;
pub mod maximum;
pub mod mean;
pub mod minimum;
pub mod mirror_pad;
pub mod mul;
pub mod pad;
pub mod pooling;
pub mod prelu;
pub mod quant;
pub mod quantize;
pub mod reduce_max;
pub mod relu;
pub mod relu6;
pub mod resize_bilinear;
pub mod resize_nearest_neighbor;
pub mod reverse;
pub mod rsqrt;
pub mod select;
pub mod signal;
pub mod slice;
pub mod softmax;
pub mod space_to_depth;
pub mod split;
pub mod squared_difference;
pub mod strided_slice;
pub mod sub;
pub mod svdf;
pub mod tanh;
pub mod transpose;
pub mod transpose_conv;

mod arch;
mod broadcast;
mod gemm;
mod util;

#[cfg(test)]
mod testutil;

pub use quant::QuantParams;

/// With the `small` feature, the conv, depthwise and fully connected kernels take their compact
/// reference paths only (same results bit for bit), for firmware where flash matters more
/// than speed.
pub(crate) const SMALL: bool = cfg!(feature = "small");

/// Why a kernel refused to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KernelError {
    /// A slice length or a shape does not agree with the others.
    ShapeMismatch,
    /// A parameter is out of the range the kernel (or TFLM) supports.
    BadParams,
}

impl core::fmt::Display for KernelError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            KernelError::ShapeMismatch => {
                f.write_str("tensor shapes or buffer lengths do not match")
            }
            KernelError::BadParams => f.write_str("kernel parameters out of range"),
        }
    }
}

/// A fused activation function, as TFLite's `ActivationFunctionType` (minus TANH/SIGN_BIT).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Activation {
    /// No clamping beyond the type's range.
    None,
    /// Clamp below at 0.
    Relu,
    /// Clamp to [-1, 1].
    ReluN1To1,
    /// Clamp to [0, 6].
    Relu6,
}

/// TFLite's padding scheme for convolutions and pooling.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Padding {
    /// Output size `ceil(in / stride)`, padding split with the smaller half before.
    Same,
    /// No padding; only windows that fit entirely.
    Valid,
}
