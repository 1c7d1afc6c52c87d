//! Op resolvers: which kernels a firmware links, chosen at compile time.

use crate::error::Error;
use crate::ops::Registration;
use crate::schema::BuiltinOperator;

/// The kernels a model may use. [`crate::Interpreter::new`] looks each op up once and keeps
/// the index of its registration; `invoke` calls the kernels through that index.
///
/// Two implementations: [`MutableOpResolver<N>`] holds the kernels a firmware registers (and
/// links only those), [`AllOpsResolver`] every kernel (host tools, tests). Both are plain values
/// with no `unsafe` and no allocation; the interpreter takes `&dyn OpResolver` while it is
/// built and keeps nothing of it for `invoke`.
///
/// ```
/// use microlite::{AllOpsResolver, BuiltinOperator, MutableOpResolver, OpResolver};
/// let mut mine = MutableOpResolver::<1>::new();
/// mine.add_fully_connected()?;
/// let all = AllOpsResolver::with_all_ops();
/// for r in [&mine as &dyn OpResolver, &all] {
///     assert!(r.find(BuiltinOperator::FULLY_CONNECTED, 1).is_some());
/// }
/// assert!(mine.find(BuiltinOperator::SOFTMAX, 1).is_none());
/// assert!(all.find(BuiltinOperator::SOFTMAX, 1).is_some());
/// # Ok::<(), microlite::Error>(())
/// ```
pub trait OpResolver {
    /// Every registered kernel, in lookup order (the first match wins).
    fn registrations(&self) -> &[Registration];

    /// The registration for builtin `code` at `version`, if this resolver has one.
    fn find(&self, code: BuiltinOperator, version: i32) -> Option<&Registration> {
        self.registrations()
            .iter()
            .find(|r| r.serves(code, version, None))
    }

    /// The registration for the custom op named `name`, if this resolver has one.
    fn find_custom(&self, name: &str) -> Option<&Registration> {
        self.registrations()
            .iter()
            .find(|r| r.serves(BuiltinOperator::CUSTOM, 1, Some(name.as_bytes())))
    }
}

/// The index in `regs` of the kernel for an op (`name` is a custom op's custom code).
pub(crate) fn lookup(
    regs: &[Registration],
    code: BuiltinOperator,
    version: i32,
    name: Option<&[u8]>,
) -> Option<usize> {
    regs.iter().position(|r| r.serves(code, version, name))
}

fn unfilled_prepare(_: &mut crate::ops::PrepareCtx<'_>) -> Result<(), Error> {
    Err(Error::TooComplex)
}
fn unfilled_eval(_: &mut crate::ops::EvalCtx<'_>) -> Result<(), Error> {
    Err(Error::TooComplex)
}
/// Fills a resolver's free slots (never returned by `registrations`).
const UNFILLED: Registration =
    Registration::builtin(BuiltinOperator::CUSTOM, 0, unfilled_prepare, unfilled_eval);

/// A resolver with room for `N` kernels; register only what a model needs to save flash.
///
/// Each `add_*` method registers one builtin's kernel (TFLM's `AddFullyConnected()`) and
/// returns the resolver again, so calls chain with `?`; a full resolver says
/// [`Error::ResolverFull`]. `new` is a `const fn`: a resolver can be built in a `static`
/// initializer's place, or by `microlite-build`'s generated `model_resolver()` with exactly a
/// model's ops (`microlite inspect MODEL` prints the same calls).
///
/// ```
/// use microlite::{Error, MutableOpResolver};
/// let mut r = MutableOpResolver::<2>::new();
/// r.add_fully_connected()?.add_softmax()?;
/// assert_eq!(r.add_reshape().err(), Some(Error::ResolverFull));
/// // int8-only variants link no float kernel:
/// let mut int8 = MutableOpResolver::<1>::new();
/// int8.add_fully_connected_int8()?;
/// # Ok::<(), Error>(())
/// ```
#[derive(Clone, Copy)]
pub struct MutableOpResolver<const N: usize> {
    regs: [Registration; N],
    len: usize,
}

impl<const N: usize> Default for MutableOpResolver<N> {
    fn default() -> Self {
        Self::new()
    }
}

macro_rules! adders {
    ($($(#[$doc:meta])* $fn:ident => $module:ident,)*
     @signal $($(#[$sdoc:meta])* $sfn:ident => $smodule:ident :: $sreg:ident,)*
     @custom $($(#[$cdoc:meta])* $cfn:ident => $cmodule:ident,)*) => {
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

            $(
                $(#[$sdoc])*
                ///
                /// # Errors
                /// [`Error::ResolverFull`] when all `N` slots are taken.
                pub fn $sfn(&mut self) -> Result<&mut Self, Error> {
                    self.add(crate::signal::$smodule::$sreg())
                }
            )*

            $(
                $(#[$cdoc])*
                ///
                /// # Errors
                /// [`Error::ResolverFull`] when all `N` slots are taken.
                pub fn $cfn(&mut self) -> Result<&mut Self, Error> {
                    self.add(crate::ops::$cmodule::registration())
                }
            )*

            /// Registers TFLM's signal-library custom ops (the micro_speech audio front
            /// end): `SignalWindow`, `SignalFftAutoScale`, `SignalRfft`, `SignalIrfft`,
            /// `SignalEnergy`, `SignalFilterBank`, `SignalFilterBankSquareRoot`,
            /// `SignalFilterBankSpectralSubtraction`, `SignalPCAN`, `SignalFilterBankLog`,
            /// `SignalFramer`, `SignalStacker`, `SignalDelay`, `SignalOverlapAdd`
            /// ([`SIGNAL_OPS`] kernels).
            ///
            /// # Errors
            /// [`Error::ResolverFull`] when the free slots do not hold them all.
            pub fn add_signal_ops(&mut self) -> Result<&mut Self, Error> {
                $(self.$sfn()?;)*
                Ok(self)
            }

            /// Registers every kernel this build has: every builtin, the signal custom ops
            /// ([`Self::add_signal_ops`]) and TFLM's other custom ops
            /// ([`Self::add_detection_postprocess`]).
            ///
            /// # Errors
            /// [`Error::ResolverFull`] when `N` is smaller than [`ALL_OPS`].
            pub fn add_all(&mut self) -> Result<&mut Self, Error> {
                $(self.$fn()?;)*
                self.add_signal_ops()?;
                $(self.$cfn()?;)*
                Ok(self)
            }
        }

        /// The `MutableOpResolver` method that registers each kernel, in the order
        /// [`MutableOpResolver::add_all`] registers them (its `registrations()[i]` is what
        /// `ADDERS[i]` adds): what a build script needs to generate a resolver that holds
        /// exactly a model's ops.
        pub const ADDERS: [&str; ALL_OPS] =
            [$(stringify!($fn),)* $(stringify!($sfn),)* $(stringify!($cfn),)*];

        /// How many builtin kernels [`MutableOpResolver::add_all`] registers.
        pub(crate) const BUILTIN_OPS: usize = [$(stringify!($fn)),*].len();
        /// How many custom ops [`MutableOpResolver::add_signal_ops`] registers.
        pub const SIGNAL_OPS: usize = [$(stringify!($sfn)),*].len();
        /// How many of TFLM's other custom ops [`MutableOpResolver::add_all`] registers
        /// (`TFLite_Detection_PostProcess`).
        pub(crate) const CUSTOM_OPS: usize = [$(stringify!($cfn)),*].len();
        /// How many kernels [`MutableOpResolver::add_all`] registers (builtins, signal ops
        /// and the other custom ops).
        pub const ALL_OPS: usize = BUILTIN_OPS + SIGNAL_OPS + CUSTOM_OPS;
    };
}

adders! {
    /// Registers ABS (float32, int8, int16).
    add_abs => abs,
    /// Registers ADD.
    add_add => add,
    /// Registers ADD_N (float32, int8).
    add_add_n => add_n,
    /// Registers ASSIGN_VARIABLE (resource variables; any type).
    add_assign_variable => assign_variable,
    /// Registers ARG_MAX.
    add_arg_max => arg_max,
    /// Registers ARG_MIN.
    add_arg_min => arg_min,
    /// Registers AVERAGE_POOL_2D.
    add_average_pool_2d => average_pool_2d,
    /// Registers BATCH_MATMUL (float32, int8, int16).
    add_batch_matmul => batch_matmul,
    /// Registers BATCH_TO_SPACE_ND (float32, int8).
    add_batch_to_space_nd => batch_to_space_nd,
    /// Registers BROADCAST_ARGS (int32, int64).
    add_broadcast_args => broadcast_args,
    /// Registers BROADCAST_TO.
    add_broadcast_to => broadcast_to,
    /// Registers CALL_ONCE (runs an initialization subgraph at the first invoke).
    add_call_once => call_once,
    /// Registers CAST.
    add_cast => cast,
    /// Registers CEIL (float32).
    add_ceil => ceil,
    /// Registers CONCATENATION.
    add_concatenation => concatenation,
    /// Registers CONV_2D.
    add_conv_2d => conv_2d,
    /// Registers COS (float32).
    add_cos => cos,
    /// Registers CUMSUM (float32, int8).
    add_cumsum => cumsum,
    /// Registers DENSIFY (float32, int8, float16; beyond TFLM, as TFLite).
    add_densify => densify,
    /// Registers DEPTH_TO_SPACE.
    add_depth_to_space => depth_to_space,
    /// Registers DEPTHWISE_CONV_2D.
    add_depthwise_conv_2d => depthwise_conv_2d,
    /// Registers DEQUANTIZE.
    add_dequantize => dequantize,
    /// Registers DIV (float32, int32).
    add_div => div,
    /// Registers DYNAMIC_UPDATE_SLICE (float32, int8, int16, int32).
    add_dynamic_update_slice => dynamic_update_slice,
    /// Registers ELU (float32, int8).
    add_elu => elu,
    /// Registers EMBEDDING_LOOKUP (float32, int8, int8 -> float32).
    add_embedding_lookup => embedding_lookup,
    /// Registers EQUAL (bool, float32, int32, int64, int8).
    add_equal => equal,
    /// Registers EXP (float32).
    add_exp => exp,
    /// Registers EXPAND_DIMS.
    add_expand_dims => expand_dims,
    /// Registers FILL (float32, int32, int8).
    add_fill => fill,
    /// Registers FLOOR (float32).
    add_floor => floor,
    /// Registers FLOOR_DIV (float32).
    add_floor_div => floor_div,
    /// Registers FLOOR_MOD (float32).
    add_floor_mod => floor_mod,
    /// Registers FULLY_CONNECTED (int8 and float32).
    add_fully_connected => fully_connected,
    /// Registers GATHER (float32, int8; int32 positions).
    add_gather => gather,
    /// Registers GATHER_ND (float32, int8; int32 indices).
    add_gather_nd => gather_nd,
    /// Registers GREATER (float32, int32, int64, int8).
    add_greater => greater,
    /// Registers GREATER_EQUAL (float32, int32, int64, int8).
    add_greater_equal => greater_equal,
    /// Registers HARD_SWISH.
    add_hard_swish => hard_swish,
    /// Registers IF (runs one of two subgraphs).
    add_if => r#if,
    /// Registers L2_NORMALIZATION.
    add_l2_normalization => l2_normalization,
    /// Registers L2_POOL_2D (float32).
    add_l2_pool_2d => l2_pool_2d,
    /// Registers LEAKY_RELU.
    add_leaky_relu => leaky_relu,
    /// Registers LESS (float32, int32, int64, int8).
    add_less => less,
    /// Registers LESS_EQUAL (float32, int32, int64, int8).
    add_less_equal => less_equal,
    /// Registers LOG (float32).
    add_log => log,
    /// Registers LOG_SOFTMAX (float32, int8).
    add_log_softmax => log_softmax,
    /// Registers LOGICAL_AND (bool).
    add_logical_and => logical_and,
    /// Registers LOGICAL_NOT (bool).
    add_logical_not => logical_not,
    /// Registers LOGICAL_OR (bool).
    add_logical_or => logical_or,
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
    /// Registers MIRROR_PAD (float32, int8).
    add_mirror_pad => mirror_pad,
    /// Registers MUL.
    add_mul => mul,
    /// Registers NEG (float32).
    add_neg => neg,
    /// Registers NOT_EQUAL (bool, float32, int32, int64, int8).
    add_not_equal => not_equal,
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
    /// Registers READ_VARIABLE (resource variables; any type).
    add_read_variable => read_variable,
    /// Registers REDUCE_ALL (bool).
    add_reduce_all => reduce_all,
    /// Registers REDUCE_MAX (float32, int8).
    add_reduce_max => reduce_max,
    /// Registers REDUCE_MIN (float32, int8).
    add_reduce_min => reduce_min,
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
    /// Registers REVERSE_V2.
    add_reverse_v2 => reverse_v2,
    /// Registers ROUND (float32).
    add_round => round,
    /// Registers RSQRT (float32, int8).
    add_rsqrt => rsqrt,
    /// Registers SELECT_V2 (float32, int8, int16).
    add_select_v2 => select_v2,
    /// Registers SHAPE.
    add_shape => shape,
    /// Registers SIN (float32).
    add_sin => sin,
    /// Registers SLICE.
    add_slice => slice,
    /// Registers SQRT (float32).
    add_sqrt => sqrt,
    /// Registers SQUARE (float32).
    add_square => square,
    /// Registers SQUARED_DIFFERENCE (float32, int32, int8, int16).
    add_squared_difference => squared_difference,
    /// Registers SUM (int8, int16, float32).
    add_sum => sum,
    /// Registers SVDF (float32; int8 with an int8 or int16 state).
    add_svdf => svdf,
    /// Registers SOFTMAX.
    add_softmax => softmax,
    /// Registers SPACE_TO_BATCH_ND (float32, int8).
    add_space_to_batch_nd => space_to_batch_nd,
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
    /// Registers UNIDIRECTIONAL_SEQUENCE_LSTM (float32, int8 with an int16 cell state, 16x8).
    add_unidirectional_sequence_lstm => unidirectional_sequence_lstm,
    /// Registers UNPACK.
    add_unpack => unpack,
    /// Registers VAR_HANDLE (resource variables).
    add_var_handle => var_handle,
    /// Registers WHILE (runs a body subgraph while a condition subgraph says so).
    add_while => r#while,
    /// Registers ZEROS_LIKE (int64, int32, int8, float32).
    add_zeros_like => zeros_like,
    @signal
    /// Registers the custom op `SignalWindow`.
    add_signal_window => window::registration,
    /// Registers the custom op `SignalFftAutoScale`.
    add_signal_fft_auto_scale => fft_auto_scale::registration,
    /// Registers the custom op `SignalRfft` (int16, int32, float32).
    add_signal_rfft => rfft::registration,
    /// Registers the custom op `SignalIrfft` (int16, int32, float32).
    add_signal_irfft => rfft::registration_irfft,
    /// Registers the custom op `SignalEnergy`.
    add_signal_energy => energy::registration,
    /// Registers the custom op `SignalFilterBank`.
    add_signal_filter_bank => filter_bank::registration,
    /// Registers the custom op `SignalFilterBankSquareRoot`.
    add_signal_filter_bank_square_root => filter_bank_square_root::registration,
    /// Registers the custom op `SignalFilterBankSpectralSubtraction` (stateful).
    add_signal_filter_bank_spectral_subtraction => filter_bank_spectral_subtraction::registration,
    /// Registers the custom op `SignalPCAN`.
    add_signal_pcan => pcan::registration,
    /// Registers the custom op `SignalFilterBankLog`.
    add_signal_filter_bank_log => filter_bank_log::registration,
    /// Registers the custom op `SignalFramer` (stateful).
    add_signal_framer => framer::registration,
    /// Registers the custom op `SignalStacker` (stateful).
    add_signal_stacker => framer::registration_stacker,
    /// Registers the custom op `SignalDelay` (stateful).
    add_signal_delay => framer::registration_delay,
    /// Registers the custom op `SignalOverlapAdd` (int16, float32; stateful).
    add_signal_overlap_add => overlap_add::registration,
    @custom
    /// Registers DETECTION_POSTPROCESS, TFLM's custom op `TFLite_Detection_PostProcess` (the
    /// SSD tail: box decoding and fast or regular non-max suppression; float32).
    add_detection_postprocess => detection_postprocess,
}

impl<const N: usize> MutableOpResolver<N> {
    /// Registers CONV_2D for int8 only: no float kernel linked. (Registered before
    /// [`Self::add_conv_2d`], it takes precedence.)
    ///
    /// # Errors
    /// [`Error::ResolverFull`] when all `N` slots are taken.
    pub fn add_conv_2d_int8(&mut self) -> Result<&mut Self, Error> {
        self.add(crate::ops::conv_2d::registration_int8())
    }

    /// Registers DEPTHWISE_CONV_2D for int8 only: no float kernel linked. (Registered before
    /// [`Self::add_depthwise_conv_2d`], it takes precedence.)
    ///
    /// # Errors
    /// [`Error::ResolverFull`] when all `N` slots are taken.
    pub fn add_depthwise_conv_2d_int8(&mut self) -> Result<&mut Self, Error> {
        self.add(crate::ops::depthwise_conv_2d::registration_int8())
    }

    /// Registers FULLY_CONNECTED for int8 only: a firmware running int8 models links no
    /// float kernel. (Registered before [`Self::add_fully_connected`], it takes precedence.)
    ///
    /// # Errors
    /// [`Error::ResolverFull`] when all `N` slots are taken.
    pub fn add_fully_connected_int8(&mut self) -> Result<&mut Self, Error> {
        self.add(crate::ops::fully_connected::registration_int8())
    }

    /// An empty resolver.
    pub const fn new() -> Self {
        MutableOpResolver {
            regs: [UNFILLED; N],
            len: 0,
        }
    }

    /// Registers a kernel (a builtin from the `add_*` methods, or a firmware's own
    /// [`Registration::custom`]); registering the same op twice keeps the first.
    ///
    /// # Errors
    /// [`Error::ResolverFull`] when all `N` slots are taken.
    pub fn add(&mut self, reg: Registration) -> Result<&mut Self, Error> {
        if self.registrations().iter().any(|r| same_op(r, &reg)) {
            return Ok(self);
        }
        let slot = self.regs.get_mut(self.len).ok_or(Error::ResolverFull)?;
        *slot = reg;
        self.len += 1;
        Ok(self)
    }

    /// Registers `reg` in place of the kernel registered for the same op (or adds it): a
    /// firmware's own kernel for a builtin.
    ///
    /// # Errors
    /// [`Error::ResolverFull`] when the op is new and all `N` slots are taken.
    pub fn replace(&mut self, reg: Registration) -> Result<&mut Self, Error> {
        let len = self.len;
        if let Some(r) = self.regs.iter_mut().take(len).find(|r| same_op(r, &reg)) {
            *r = reg;
            return Ok(self);
        }
        self.add(reg)
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
        self.registrations().iter().map(|r| r.code)
    }
}

/// Whether two registrations are for the same op (builtin code, or custom name).
fn same_op(a: &Registration, b: &Registration) -> bool {
    a.code == b.code && a.custom == b.custom
}

impl<const N: usize> OpResolver for MutableOpResolver<N> {
    fn registrations(&self) -> &[Registration] {
        self.regs.get(..self.len).unwrap_or(&[])
    }
}

/// Builtin codes this build has a kernel for (what [`MutableOpResolver::add_all`] registers):
/// lets an error tell "not registered in your resolver" from "not implemented".
pub(crate) const IMPLEMENTED: [BuiltinOperator; BUILTIN_OPS] = {
    use BuiltinOperator as B;
    [
        B::ABS,
        B::ADD,
        B::ADD_N,
        B::ASSIGN_VARIABLE,
        B::ARG_MAX,
        B::ARG_MIN,
        B::AVERAGE_POOL_2D,
        B::BATCH_MATMUL,
        B::BATCH_TO_SPACE_ND,
        B::BROADCAST_ARGS,
        B::BROADCAST_TO,
        B::CALL_ONCE,
        B::CAST,
        B::CEIL,
        B::CONCATENATION,
        B::CONV_2D,
        B::COS,
        B::CUMSUM,
        B::DENSIFY,
        B::DEPTH_TO_SPACE,
        B::DEPTHWISE_CONV_2D,
        B::DEQUANTIZE,
        B::DIV,
        B::DYNAMIC_UPDATE_SLICE,
        B::ELU,
        B::EMBEDDING_LOOKUP,
        B::EQUAL,
        B::EXP,
        B::EXPAND_DIMS,
        B::FILL,
        B::FLOOR,
        B::FLOOR_DIV,
        B::FLOOR_MOD,
        B::FULLY_CONNECTED,
        B::GATHER,
        B::GATHER_ND,
        B::GREATER,
        B::GREATER_EQUAL,
        B::HARD_SWISH,
        B::IF,
        B::L2_NORMALIZATION,
        B::L2_POOL_2D,
        B::LEAKY_RELU,
        B::LESS,
        B::LESS_EQUAL,
        B::LOG,
        B::LOGICAL_AND,
        B::LOGICAL_NOT,
        B::LOGICAL_OR,
        B::LOGISTIC,
        B::LOG_SOFTMAX,
        B::MAX_POOL_2D,
        B::MAXIMUM,
        B::MEAN,
        B::MINIMUM,
        B::MIRROR_PAD,
        B::MUL,
        B::NEG,
        B::NOT_EQUAL,
        B::PACK,
        B::PAD,
        B::PADV2,
        B::PRELU,
        B::QUANTIZE,
        B::READ_VARIABLE,
        B::REDUCE_ALL,
        B::REDUCE_MAX,
        B::REDUCE_MIN,
        B::RELU,
        B::RELU6,
        B::RESHAPE,
        B::RESIZE_BILINEAR,
        B::RESIZE_NEAREST_NEIGHBOR,
        B::REVERSE_V2,
        B::ROUND,
        B::RSQRT,
        B::SELECT_V2,
        B::SHAPE,
        B::SIN,
        B::SLICE,
        B::SQRT,
        B::SQUARE,
        B::SQUARED_DIFFERENCE,
        B::SUM,
        B::SVDF,
        B::SOFTMAX,
        B::SPACE_TO_BATCH_ND,
        B::SPACE_TO_DEPTH,
        B::SPLIT,
        B::SPLIT_V,
        B::SQUEEZE,
        B::STRIDED_SLICE,
        B::SUB,
        B::TANH,
        B::TRANSPOSE,
        B::TRANSPOSE_CONV,
        B::UNIDIRECTIONAL_SEQUENCE_LSTM,
        B::UNPACK,
        B::VAR_HANDLE,
        B::WHILE,
        B::ZEROS_LIKE,
    ]
};

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
