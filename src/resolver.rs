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
    /// Registers AVERAGE_POOL_2D.
    add_average_pool_2d => average_pool_2d,
    /// Registers CONV_2D.
    add_conv_2d => conv_2d,
    /// Registers DEPTHWISE_CONV_2D.
    add_depthwise_conv_2d => depthwise_conv_2d,
    /// Registers DEQUANTIZE.
    add_dequantize => dequantize,
    /// Registers FULLY_CONNECTED.
    add_fully_connected => fully_connected,
    /// Registers MAX_POOL_2D.
    add_max_pool_2d => max_pool_2d,
    /// Registers MEAN.
    add_mean => mean,
    /// Registers QUANTIZE.
    add_quantize => quantize,
    /// Registers RESHAPE.
    add_reshape => reshape,
    /// Registers SOFTMAX.
    add_softmax => softmax,
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
