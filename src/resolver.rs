//! Op resolvers: which kernels a firmware links, chosen at compile time.

use crate::error::Error;
use crate::ops::Registration;
use crate::schema::BuiltinOperator;

/// Finds the kernel for an operator code.
pub trait OpResolver {
    /// The registration for `code` at `version`, if this resolver has one.
    fn find(&self, code: BuiltinOperator, version: i32) -> Option<&Registration>;
}

/// A resolver with room for `N` kernels; register only what a model needs to save flash.
///
/// ```
/// use microlite::MutableOpResolver;
/// let mut r = MutableOpResolver::<2>::new();
/// r.add_fully_connected().unwrap().add_softmax().unwrap();
/// ```
#[derive(Clone, Copy)]
pub struct MutableOpResolver<const N: usize> {
    regs: [Option<Registration>; N],
    len: usize,
}

impl<const N: usize> Default for MutableOpResolver<N> {
    fn default() -> Self {
        Self::new()
    }
}

macro_rules! adders {
    ($($(#[$doc:meta])* $fn:ident => $module:ident,)*) => {
        impl<const N: usize> MutableOpResolver<N> {
            $(
                $(#[$doc])*
                ///
                /// # Errors
                /// [`Error::ResolverFull`] when all `N` slots are taken.
                pub fn $fn(&mut self) -> Result<&mut Self, Error> {
                    self.add(crate::ops::$module::registration())
                }
            )*

            /// Registers every kernel this build has.
            ///
            /// # Errors
            /// [`Error::ResolverFull`] when `N` is smaller than [`ALL_OPS`].
            pub fn add_all(&mut self) -> Result<&mut Self, Error> {
                $(self.$fn()?;)*
                Ok(self)
            }
        }

        /// How many kernels [`MutableOpResolver::add_all`] registers.
        pub const ALL_OPS: usize = [$(stringify!($fn)),*].len();
    };
}

adders! {
    /// Registers ADD.
    add_add => add,
    /// Registers ARG_MAX.
    add_arg_max => arg_max,
    /// Registers ARG_MIN.
    add_arg_min => arg_min,
    /// Registers AVERAGE_POOL_2D.
    add_average_pool_2d => average_pool_2d,
    /// Registers CONCATENATION.
    add_concatenation => concatenation,
    /// Registers CONV_2D.
    add_conv_2d => conv_2d,
    /// Registers DEPTH_TO_SPACE.
    add_depth_to_space => depth_to_space,
    /// Registers DEPTHWISE_CONV_2D.
    add_depthwise_conv_2d => depthwise_conv_2d,
    /// Registers DEQUANTIZE.
    add_dequantize => dequantize,
    /// Registers EXPAND_DIMS.
    add_expand_dims => expand_dims,
    /// Registers FULLY_CONNECTED.
    add_fully_connected => fully_connected,
    /// Registers HARD_SWISH.
    add_hard_swish => hard_swish,
    /// Registers L2_NORMALIZATION.
    add_l2_normalization => l2_normalization,
    /// Registers LEAKY_RELU.
    add_leaky_relu => leaky_relu,
    /// Registers LOGISTIC.
    add_logistic => logistic,
    /// Registers MAX_POOL_2D.
    add_max_pool_2d => max_pool_2d,
    /// Registers MAXIMUM.
    add_maximum => maximum,
    /// Registers MEAN.
    add_mean => mean,
    /// Registers MINIMUM.
    add_minimum => minimum,
    /// Registers MUL.
    add_mul => mul,
    /// Registers PACK.
    add_pack => pack,
    /// Registers PAD.
    add_pad => pad,
    /// Registers PADV2.
    add_padv2 => padv2,
    /// Registers PRELU.
    add_prelu => prelu,
    /// Registers QUANTIZE.
    add_quantize => quantize,
    /// Registers RELU.
    add_relu => relu,
    /// Registers RELU6.
    add_relu6 => relu6,
    /// Registers RESHAPE.
    add_reshape => reshape,
    /// Registers RESIZE_BILINEAR.
    add_resize_bilinear => resize_bilinear,
    /// Registers RESIZE_NEAREST_NEIGHBOR.
    add_resize_nearest_neighbor => resize_nearest_neighbor,
    /// Registers SHAPE.
    add_shape => shape,
    /// Registers SLICE.
    add_slice => slice,
    /// Registers SOFTMAX.
    add_softmax => softmax,
    /// Registers SPACE_TO_DEPTH.
    add_space_to_depth => space_to_depth,
    /// Registers SPLIT.
    add_split => split,
    /// Registers SPLIT_V.
    add_split_v => split_v,
    /// Registers SQUEEZE.
    add_squeeze => squeeze,
    /// Registers STRIDED_SLICE.
    add_strided_slice => strided_slice,
    /// Registers SUB.
    add_sub => sub,
    /// Registers TANH.
    add_tanh => tanh,
    /// Registers TRANSPOSE.
    add_transpose => transpose,
    /// Registers TRANSPOSE_CONV.
    add_transpose_conv => transpose_conv,
    /// Registers UNPACK.
    add_unpack => unpack,
}

impl<const N: usize> MutableOpResolver<N> {
    /// An empty resolver.
    pub const fn new() -> Self {
        MutableOpResolver {
            regs: [None; N],
            len: 0,
        }
    }

    /// Registers a kernel; registering the same op twice keeps the first.
    ///
    /// # Errors
    /// [`Error::ResolverFull`] when all `N` slots are taken.
    pub fn add(&mut self, reg: Registration) -> Result<&mut Self, Error> {
        if self.regs.iter().flatten().any(|r| r.code == reg.code) {
            return Ok(self);
        }
        let slot = self.regs.get_mut(self.len).ok_or(Error::ResolverFull)?;
        *slot = Some(reg);
        self.len += 1;
        Ok(self)
    }

    /// Number of registered kernels.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no kernel is registered.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The builtins registered, in registration order.
    pub fn codes(&self) -> impl Iterator<Item = BuiltinOperator> + '_ {
        self.regs.iter().flatten().map(|r| r.code)
    }
}

impl<const N: usize> OpResolver for MutableOpResolver<N> {
    fn find(&self, code: BuiltinOperator, version: i32) -> Option<&Registration> {
        self.regs
            .iter()
            .flatten()
            .find(|r| r.code == code && version >= 1 && version <= r.max_version)
    }
}

/// A resolver with every kernel registered.
pub type AllOpsResolver = MutableOpResolver<ALL_OPS>;

impl AllOpsResolver {
    /// A resolver holding every kernel of this build (links them all).
    pub fn with_all_ops() -> Self {
        let mut r = Self::new();
        // Capacity is exactly ALL_OPS, so this cannot fail.
        let _ = r.add_all();
        r
    }
}
