//! Op glue: one module per TFLite builtin. `prepare` validates everything (shapes, types,
//! quantization, options) and sizes the op's persistent data and scratch; `eval` then runs the
//! kernel from `microlite-kernels` with nothing left to check but what is free to check.

use crate::error::Error;
use crate::flatbuf::Table;
use crate::model::{Ints, Model, Operator, SubGraph, Tensor};
use crate::schema::{BuiltinOperator, TensorType};
use microlite_kernels::{Activation, KernelError, Padding};

pub(crate) mod abs;
pub(crate) mod add;
pub(crate) mod add_n;
pub(crate) mod arg_max;
pub(crate) mod arg_min;
pub(crate) mod assign_variable;
pub(crate) mod average_pool_2d;
pub(crate) mod batch_matmul;
pub(crate) mod batch_to_space_nd;
pub(crate) mod broadcast_args;
pub(crate) mod broadcast_to;
pub(crate) mod call_once;
pub(crate) mod cast;
pub(crate) mod ceil;
mod comparison;
pub(crate) mod concatenation;
pub(crate) mod control;
mod conv;
pub(crate) mod conv_2d;
pub(crate) mod cos;
pub(crate) mod cumsum;
pub(crate) mod densify;
pub(crate) mod depth_to_space;
pub(crate) mod depthwise_conv_2d;
pub(crate) mod dequantize;
pub(crate) mod detection_postprocess;
pub(crate) mod div;
pub(crate) mod dynamic_update_slice;
mod elementwise;
pub(crate) mod elu;
pub(crate) mod embedding_lookup;
pub(crate) mod equal;
pub(crate) mod exp;
pub(crate) mod expand_dims;
pub(crate) mod fill;
pub(crate) mod floor;
pub(crate) mod floor_div;
pub(crate) mod floor_mod;
pub(crate) mod fully_connected;
pub(crate) mod gather;
pub(crate) mod gather_nd;
pub(crate) mod greater;
pub(crate) mod greater_equal;
pub(crate) mod hard_swish;
pub(crate) mod r#if;
pub(crate) mod l2_normalization;
pub(crate) mod l2_pool_2d;
pub(crate) mod leaky_relu;
pub(crate) mod less;
pub(crate) mod less_equal;
pub(crate) mod log;
pub(crate) mod log_softmax;
mod logical;
pub(crate) mod logical_and;
pub(crate) mod logical_not;
pub(crate) mod logical_or;
pub(crate) mod logistic;
mod math;
pub(crate) mod max_pool_2d;
pub(crate) mod maximum;
pub(crate) mod mean;
pub(crate) mod minimum;
pub(crate) mod mirror_pad;
mod movement;
pub(crate) mod mul;
pub(crate) mod neg;
pub(crate) mod not_equal;
pub(crate) mod pack;
pub(crate) mod pad;
pub(crate) mod padv2;
mod pool;
pub(crate) mod prelu;
mod quant;
pub(crate) mod quantize;
pub(crate) mod read_variable;
pub(crate) mod reduce_all;
pub(crate) mod reduce_max;
pub(crate) mod reduce_min;
pub(crate) mod relu;
pub(crate) mod relu6;
pub(crate) mod reshape;
pub(crate) mod resize_bilinear;
pub(crate) mod resize_nearest_neighbor;
pub(crate) mod reverse_v2;
pub(crate) mod round;
pub(crate) mod rsqrt;
pub(crate) mod select_v2;
pub(crate) mod shape;
pub(crate) mod sin;
pub(crate) mod slice;
pub(crate) mod softmax;
pub(crate) mod space_to_batch_nd;
pub(crate) mod space_to_depth;
pub(crate) mod split;
pub(crate) mod split_v;
pub(crate) mod sqrt;
pub(crate) mod square;
pub(crate) mod squared_difference;
pub(crate) mod squeeze;
pub(crate) mod strided_slice;
pub(crate) mod sub;
pub(crate) mod sum;
pub(crate) mod svdf;
pub(crate) mod tanh;
pub(crate) mod transpose;
pub(crate) mod transpose_conv;
pub(crate) mod unidirectional_sequence_lstm;
pub(crate) mod unpack;
pub(crate) mod var_handle;
pub(crate) mod r#while;
pub(crate) mod zeros_like;

/// A kernel's prepare: validates the op once, at [`crate::Interpreter::new`], and keeps what
/// eval needs as persistent data ([`PrepareCtx::persist`]) and scratch
/// ([`PrepareCtx::request_scratch`]).
pub type PrepareFn = fn(&mut PrepareCtx<'_>) -> Result<(), Error>;
/// A kernel's eval: runs the op on its tensors from the data its prepare kept.
pub type EvalFn = fn(&mut EvalCtx<'_>) -> Result<(), Error>;

/// An op's dtype choice, made once at prepare and stored as a tag in its typed data: a
/// `match` on it is exhaustive, so adding a variant (int16 is next) makes the compiler list
/// every eval that must handle it.
macro_rules! kinds {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($(#[$vmeta:meta])* $variant:ident),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[repr(u32)]
        $vis enum $name {
            $($(#[$vmeta])* $variant),*
        }

        #[allow(dead_code)]
        impl $name {
            const ALL: &'static [$name] = &[$($name::$variant),*];
            /// The tag kept in op data.
            $vis fn tag(self) -> u32 {
                self as u32
            }
            /// The kind a tag names (prepare wrote it; anything else is an internal error).
            $vis fn from_tag(tag: u32) -> Result<Self, $crate::error::Error> {
                Self::ALL
                    .get(tag as usize)
                    .copied()
                    .ok_or($crate::error::Error::TooComplex)
            }
        }
    };
}
pub(crate) use kinds;

/// A kernel as a resolver holds it: which op (a builtin code, or a custom op's name), up to
/// which version, and its prepare and eval.
///
/// Builtins come from [`crate::MutableOpResolver`]'s `add_*` methods; a firmware's own kernel
/// is a [`Registration::custom`] (or a [`Registration::builtin`] replacing a builtin's kernel).
#[derive(Clone, Copy)]
pub struct Registration {
    pub(crate) code: BuiltinOperator,
    pub(crate) custom: &'static str,
    pub(crate) max_version: i32,
    pub(crate) prepare: PrepareFn,
    pub(crate) eval: EvalFn,
    /// Interpreter code the op needs beyond prepare and eval (control flow, resource
    /// variables): reached only through here, so a firmware links it only with the op.
    pub(crate) hooks: Option<&'static crate::interpreter::Hooks>,
}

impl Registration {
    /// A kernel for builtin `code`, versions `1..=max_version`.
    pub const fn builtin(
        code: BuiltinOperator,
        max_version: i32,
        prepare: PrepareFn,
        eval: EvalFn,
    ) -> Self {
        Registration {
            code,
            custom: "",
            max_version,
            prepare,
            eval,
            hooks: None,
        }
    }

    /// A builtin that needs interpreter code besides its kernel (`hooks`).
    pub(crate) const fn with_hooks(
        code: BuiltinOperator,
        prepare: PrepareFn,
        eval: EvalFn,
        hooks: &'static crate::interpreter::Hooks,
    ) -> Self {
        Registration {
            code,
            custom: "",
            max_version: 1,
            prepare,
            eval,
            hooks: Some(hooks),
        }
    }

    /// A kernel for the CUSTOM op named `name` (the model's `custom_code`), any version.
    ///
    /// ```
    /// use microlite::{EvalCtx, Error, PrepareCtx, Registration, TensorType};
    ///
    /// /// "Double": out = 2 * in, int8, same shape.
    /// fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    ///     let (input, output) = (ctx.input(0)?, ctx.output(0)?);
    ///     if input.ty() != TensorType::Int8 || output.ty() != TensorType::Int8 {
    ///         return Err(ctx.type_error(0));
    ///     }
    ///     ctx.persist(&(input.element_count() as u32))
    /// }
    /// fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    ///     let n = *ctx.data::<u32>()? as usize;
    ///     let input = ctx.input::<i8>(0)?;
    ///     let output = ctx.output::<i8>(0)?;
    ///     for (o, &i) in output.iter_mut().zip(input).take(n) {
    ///         *o = i.saturating_mul(2);
    ///     }
    ///     Ok(())
    /// }
    /// let double = Registration::custom("Double", prepare, eval);
    /// let mut resolver = microlite::MutableOpResolver::<1>::new();
    /// resolver.add(double)?;
    /// # Ok::<(), Error>(())
    /// ```
    pub const fn custom(name: &'static str, prepare: PrepareFn, eval: EvalFn) -> Self {
        Registration {
            code: BuiltinOperator::CUSTOM,
            custom: name,
            max_version: i32::MAX,
            prepare,
            eval,
            hooks: None,
        }
    }

    /// The builtin this kernel implements (`CUSTOM` for a custom op).
    pub fn code(&self) -> BuiltinOperator {
        self.code
    }

    /// The custom op's name, or `None` for a builtin.
    pub fn custom_name(&self) -> Option<&'static str> {
        (self.code == BuiltinOperator::CUSTOM).then_some(self.custom)
    }

    /// Whether this kernel serves `code` at `version` (builtins) or the custom op `name`.
    pub(crate) fn serves(&self, code: BuiltinOperator, version: i32, name: Option<&[u8]>) -> bool {
        if code == BuiltinOperator::CUSTOM {
            self.code == code && name == Some(self.custom.as_bytes())
        } else {
            self.code == code && version >= 1 && version <= self.max_version
        }
    }
}

/// The eval of an op the interpreter runs itself (never called).
pub(crate) fn no_eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    Err(Error::OperandCount { op: ctx.op_index })
}

impl core::fmt::Debug for Registration {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Registration")
            .field("code", &self.code)
            .field("custom", &self.custom)
            .field("max_version", &self.max_version)
            .finish()
    }
}

/// One op being prepared: its tensors and options (read from the model, once) and the
/// persistent data and scratch it asks for.
///
/// Persistent data is appended in the arena's persistent part and handed back, unchanged, to
/// every eval as [`EvalCtx::data`]. Scratch is planned in the arena with the tensors and is
/// live only while the op runs.
pub struct PrepareCtx<'c> {
    pub(crate) op: OpCtx<'c>,
    /// Where persistent data goes: `staging[start..]`, appended at `at`.
    staging: &'c mut [u8],
    /// Where the op's staged operands start in `staging` (inputs then outputs).
    operands: usize,
    at: usize,
    scratch: usize,
    scratch_want: usize,
    /// Set once [`Self::persist_state`] has appended the op's state and footer.
    has_state: bool,
    /// Where the op's persistent data starts in `staging`.
    data_start: usize,
}

/// Bytes of the footer after an op's state: where the config data ends and where the state
/// starts (two `u32`s, from the data's start).
pub(crate) const STATE_FOOTER: usize = 8;

impl<'c> PrepareCtx<'c> {
    pub(crate) fn new(op: OpCtx<'c>, staging: &'c mut [u8], operands: usize, start: usize) -> Self {
        PrepareCtx {
            op,
            staging,
            operands,
            at: start,
            scratch: 0,
            scratch_want: 0,
            has_state: false,
            data_start: start,
        }
    }

    /// `(end of persistent data, scratch bytes needed, scratch bytes wanted, has op state)`
    /// once prepare is done.
    pub(crate) fn finish(&self) -> (usize, usize, usize, bool) {
        (self.at, self.scratch, self.scratch_want, self.has_state)
    }

    /// The op's index in the graph (for errors and logs).
    pub fn op_index(&self) -> u32 {
        self.op.index
    }

    /// Number of inputs, counting absent optional ones.
    pub fn input_count(&self) -> usize {
        self.op.op.inputs().len()
    }

    /// Number of outputs.
    pub fn output_count(&self) -> usize {
        self.op.op.outputs().len()
    }

    /// Input `k` (type, shape, quantization, constant data).
    ///
    /// # Errors
    /// [`Error::OperandCount`] when the op has no input `k` or it is absent.
    pub fn input(&self, k: usize) -> Result<Tensor<'c>, Error> {
        self.op.input(k).map(|t| t.t)
    }

    /// Output `k`.
    ///
    /// # Errors
    /// [`Error::OperandCount`] when the op has no output `k`.
    pub fn output(&self, k: usize) -> Result<Tensor<'c>, Error> {
        self.op.output(k).map(|t| t.t)
    }

    /// The op's `custom_options` bytes (a custom op's own options format; empty when none).
    pub fn custom_options(&self) -> &'c [u8] {
        self.op.op.custom_options()
    }

    /// [`Error::UnsupportedType`] naming input `k` (output `k` when the op has no such input).
    pub fn type_error(&self, k: usize) -> Error {
        match self.op.input(k).or_else(|_| self.op.output(k)) {
            Ok(t) => self.op.type_err(&t),
            Err(e) => e,
        }
    }

    /// [`Error::ShapeMismatch`] naming input `k` (output `k` when the op has no such input).
    pub fn shape_error(&self, k: usize) -> Error {
        match self.op.input(k).or_else(|_| self.op.output(k)) {
            Ok(t) => self.op.shape_err(&t),
            Err(e) => e,
        }
    }

    /// [`Error::BadOptions`] for this op.
    pub fn options_error(&self) -> Error {
        self.op.options_err()
    }

    /// Appends `n` zeroed `E`s to the op's persistent data and returns them to fill.
    ///
    /// # Errors
    /// [`Error::ArenaTooSmall`] when the arena has no room left for them.
    pub fn persist_zeroed<E: bytemuck::Pod>(&mut self, n: usize) -> Result<&mut [E], Error> {
        if self.has_state {
            // The state and its footer close the op's data.
            return Err(Error::TooComplex);
        }
        let align = core::mem::align_of::<E>().max(4);
        let from = self
            .at
            .checked_next_multiple_of(align)
            .ok_or(Error::TooComplex)?;
        let bytes = n
            .checked_mul(core::mem::size_of::<E>())
            .and_then(|b| b.checked_next_multiple_of(4))
            .ok_or(Error::TooComplex)?;
        let to = from.checked_add(bytes).ok_or(Error::TooComplex)?;
        let available = self.staging.len();
        let room = self.staging.get_mut(from..to).ok_or(Error::ArenaTooSmall {
            needed: to,
            available,
        })?;
        crate::fill_bytes(room, 0);
        self.at = to;
        let room = room
            .get_mut(..n * core::mem::size_of::<E>())
            .ok_or(Error::TooComplex)?;
        if room.is_empty() {
            return Ok(&mut []);
        }
        bytemuck::try_cast_slice_mut(room).map_err(|_| Error::ArenaMisaligned)
    }

    /// Appends `values` to the op's persistent data.
    ///
    /// # Errors
    /// As [`Self::persist_zeroed`].
    pub fn persist_slice<E: bytemuck::Pod>(&mut self, values: &[E]) -> Result<(), Error> {
        self.persist_zeroed::<E>(values.len())?
            .copy_from_slice(values);
        Ok(())
    }

    /// Appends `value` to the op's persistent data: eval reads it back with
    /// [`EvalCtx::data`] (or [`EvalCtx::data_parts`] when a slice follows).
    ///
    /// # Errors
    /// As [`Self::persist_zeroed`].
    pub fn persist<D: bytemuck::Pod>(&mut self, value: &D) -> Result<(), Error> {
        self.persist_slice(core::slice::from_ref(value))
    }

    /// Appends `n` `E`s of op state, after everything persisted so far, and closes the op's
    /// persistent data (later `persist*` calls fail). Eval gets the state writable with
    /// [`EvalCtx::op_state`], while [`EvalCtx::data`] sees only what came before it.
    ///
    /// The state lives across invokes, in the arena's tail. It starts all zero, and
    /// [`crate::Interpreter::reset`] zeroes it again (as TFLM's per-op `Reset`): a kernel
    /// designs its state so that all zero is its initial state.
    ///
    /// # Errors
    /// As [`Self::persist_zeroed`]; [`Error::TooComplex`] when called twice.
    pub fn persist_state<E: bytemuck::Pod>(&mut self, n: usize) -> Result<(), Error> {
        let config_end = self.at;
        let align = core::mem::align_of::<E>().max(4);
        let state_from = self
            .at
            .checked_next_multiple_of(align)
            .ok_or(Error::TooComplex)?;
        self.persist_zeroed::<E>(n)?;
        let base = self.data_start;
        let rel = |x: usize| u32::try_from(x - base).map_err(|_| Error::TooComplex);
        let footer = [rel(config_end)?, rel(state_from)?];
        self.persist_slice(&footer)?;
        self.has_state = true;
        Ok(())
    }

    /// Declares input `k` as state this op updates in place (a variable tensor, as SVDF's
    /// activation state): eval then gets it writable with [`EvalCtx::state`] rather than
    /// with [`EvalCtx::input`]. Its bytes live across invokes; `Interpreter::reset` clears them.
    ///
    /// # Errors
    /// [`Error::OperandCount`] when the op has no input `k`; [`Error::NotVariable`] when the
    /// tensor is not a variable tensor.
    pub fn state_input(&mut self, k: usize) -> Result<(), Error> {
        let t = self.op.input(k)?;
        // A resource handle is its variable's bytes (ASSIGN_VARIABLE writes them).
        if !t.t.is_variable() && t.t.ty() != TensorType::Resource {
            return Err(Error::NotVariable {
                op: self.op.index,
                tensor: t.index,
            });
        }
        let at = self.operands + k * core::mem::size_of::<Operand>();
        let bytes = self
            .staging
            .get_mut(at..at + core::mem::size_of::<Operand>())
            .ok_or(Error::TooComplex)?;
        let o: &mut Operand = bytemuck::try_from_bytes_mut(bytes).map_err(|_| Error::TooComplex)?;
        o.len = Operand::STATE_MARK;
        Ok(())
    }

    /// Asks for `bytes` of scratch, valid during each eval ([`EvalCtx::scratch`]). The
    /// largest request of the op wins.
    pub fn request_scratch(&mut self, bytes: usize) {
        self.scratch = self.scratch.max(bytes);
    }

    /// Asks for at least `need` bytes of scratch and up to `want`: the planner gives more than
    /// `need` only where the arena has that room free at this op anyway, so a kernel that
    /// runs faster with a larger buffer (more rows per call) costs no arena. Eval sees the
    /// size it got as the length of [`EvalCtx::scratch`].
    pub fn request_scratch_between(&mut self, need: usize, want: usize) {
        self.scratch = self.scratch.max(need);
        self.scratch_want = self.scratch_want.max(want);
    }
}

/// An operator being prepared or run, with the model it belongs to.
#[derive(Clone, Copy)]
pub(crate) struct OpCtx<'m> {
    pub sg: SubGraph<'m>,
    pub op: Operator<'m>,
    pub index: u32,
}

/// A tensor with its index, for error reports.
#[derive(Clone, Copy)]
pub(crate) struct T<'m> {
    pub index: u32,
    pub t: Tensor<'m>,
}

impl<'m> OpCtx<'m> {
    pub fn new(_model: &Model<'m>, sg: SubGraph<'m>, op: Operator<'m>, index: u32) -> Self {
        OpCtx { sg, op, index }
    }

    fn tensor(&self, i: i32) -> Option<T<'m>> {
        let index = u32::try_from(i).ok()?;
        Some(T {
            index,
            t: self.sg.tensor(index as usize)?,
        })
    }

    /// Input `k`, required.
    #[inline(never)]
    pub fn input(&self, k: usize) -> Result<T<'m>, Error> {
        self.optional_input(k).ok_or(self.count_err())
    }

    /// Input `k` when present (absent or `-1` gives `None`).
    pub fn optional_input(&self, k: usize) -> Option<T<'m>> {
        self.operand(self.op.inputs(), k)
    }

    /// Output `k`, required.
    #[inline(never)]
    pub fn output(&self, k: usize) -> Result<T<'m>, Error> {
        self.operand(self.op.outputs(), k).ok_or(self.count_err())
    }

    /// Entry `k` of an operand list (inputs or outputs), when present.
    fn operand(&self, list: Ints<'m>, k: usize) -> Option<T<'m>> {
        if k >= list.len() {
            return None;
        }
        self.tensor(list.get(k))
    }

    /// Checks the numbers of inputs (a range, counting optional ones) and outputs.
    pub fn expect_counts(&self, min_in: usize, max_in: usize, outs: usize) -> Result<(), Error> {
        let n = self.op.inputs().len();
        if n < min_in || n > max_in || self.op.outputs().len() != outs {
            return Err(self.count_err());
        }
        Ok(())
    }

    /// The builtin options table, if its union tag is `tag`.
    pub fn options(&self, tag: u8) -> Option<Table<'m>> {
        if self.op.builtin_options_type() != tag {
            return None;
        }
        self.op.builtin_options()
    }

    pub fn count_err(&self) -> Error {
        Error::OperandCount { op: self.index }
    }
    pub fn shape_err(&self, t: &T<'_>) -> Error {
        Error::ShapeMismatch {
            op: self.index,
            tensor: t.index,
        }
    }
    pub fn type_err(&self, t: &T<'_>) -> Error {
        Error::UnsupportedType {
            op: self.index,
            tensor: t.index,
            ty: t.t.ty() as u8,
        }
    }
    pub fn quant_err(&self, t: &T<'_>) -> Error {
        Error::BadQuantization {
            op: self.index,
            tensor: t.index,
        }
    }
    pub fn options_err(&self) -> Error {
        Error::BadOptions { op: self.index }
    }

    /// Maps a kernel's error (impossible after prepare) onto this op.
    pub fn kernel_err(&self, e: KernelError) -> Error {
        match e {
            KernelError::ShapeMismatch => Error::ShapeMismatch {
                op: self.index,
                tensor: u32::MAX,
            },
            _ => Error::BadOptions { op: self.index },
        }
    }

    /// Requires `t` to have type `ty`.
    pub fn expect_type(&self, t: &T<'_>, ty: TensorType) -> Result<(), Error> {
        if t.t.ty() == ty {
            Ok(())
        } else {
            Err(self.type_err(t))
        }
    }

    /// `t`'s dims as a rank-4 NHWC shape; other ranks are a shape error.
    pub fn shape4(&self, t: &T<'_>) -> Result<[usize; 4], Error> {
        if t.t.shape().len() != 4 {
            return Err(self.shape_err(t));
        }
        self.shape_padded4(t)
    }

    /// `t`'s dims right-aligned into rank 4 (leading 1s); rank above 4 is a shape error.
    pub fn shape_padded4(&self, t: &T<'_>) -> Result<[usize; 4], Error> {
        let s = t.t.shape();
        if s.len() > 4 {
            return Err(self.shape_err(t));
        }
        let mut out = [1usize; 4];
        let off = 4 - s.len();
        for i in 0..s.len() {
            if let Some(o) = out.get_mut(off + i) {
                *o = s.get(i) as usize;
            }
        }
        Ok(out)
    }

    /// Per-tensor quantization `(scale, zero_point)` of `t`; missing or unusable is an error.
    pub fn quant(&self, t: &T<'_>) -> Result<(f32, i32), Error> {
        let q = t.t.quantization().ok_or(self.quant_err(t))?;
        let scale = q.scale(0);
        let zp = q.zero_point(0);
        if !(scale.is_finite() && scale > 0.0)
            || zp < i64::from(i16::MIN)
            || zp > i64::from(u16::MAX)
        {
            return Err(self.quant_err(t));
        }
        Ok((scale, zp as i32))
    }
}

/// Reads a fused activation option.
pub(crate) fn activation(ctx: &OpCtx<'_>, raw: u8) -> Result<Activation, Error> {
    match raw {
        0 => Ok(Activation::None),
        1 => Ok(Activation::Relu),
        2 => Ok(Activation::ReluN1To1),
        3 => Ok(Activation::Relu6),
        _ => Err(ctx.options_err()),
    }
}

/// Reads a padding option.
pub(crate) fn padding(ctx: &OpCtx<'_>, raw: u8) -> Result<Padding, Error> {
    match raw {
        0 => Ok(Padding::Same),
        1 => Ok(Padding::Valid),
        _ => Err(ctx.options_err()),
    }
}

/// A positive stride, dilation or filter size from an `i32` option.
pub(crate) fn positive(ctx: &OpCtx<'_>, v: i32) -> Result<usize, Error> {
    if v >= 1 {
        Ok(v as usize)
    } else {
        Err(ctx.options_err())
    }
}

/// One op being run: its tensors (constants from the model, activations carved out of the
/// arena so that outputs and scratch are mutable while inputs stay shared) and the persistent
/// data its prepare kept.
pub struct EvalCtx<'b> {
    /// Arena pieces not written by this op, with their start offsets.
    pub(crate) shared: &'b [(usize, &'b [u8])],
    /// Output regions, by output index.
    pub(crate) outputs: [&'b mut [u8]; MAX_OUTPUTS],
    pub(crate) scratch: &'b mut [u8],
    /// State inputs ([`PrepareCtx::state_input`]): the input index and its bytes.
    pub(crate) states: &'b mut [(usize, &'b mut [u8])],
    /// Where each input lives, resolved once after planning.
    pub(crate) inputs: &'b [Operand],
    /// The model's bytes, where constant inputs live (no table of the model is read).
    pub(crate) model_bytes: &'b [u8],
    pub(crate) op_index: u32,
    /// The op's persistent data (without its op state).
    pub(crate) data: &'b [u8],
    /// The op's state ([`PrepareCtx::persist_state`]), writable; taken once per eval.
    pub(crate) op_state: &'b mut [u8],
}

/// Where an op's operand lives, fixed by `Interpreter::new` once the arena is planned
/// (before that, `at` holds the tensor's index).
#[repr(C)]
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable)]
pub(crate) struct Operand {
    /// Byte offset in the arena, or in the model's bytes with [`Operand::CONSTANT`] set;
    /// [`Operand::ABSENT`] for an absent optional input.
    pub at: u32,
    /// Bytes.
    pub len: u32,
}

impl Operand {
    pub(crate) const CONSTANT: u32 = 1 << 31;
    /// An arena operand the op writes in place (a state input).
    pub(crate) const STATE: u32 = 1 << 30;
    pub(crate) const ABSENT: u32 = u32::MAX;
    /// In a staged operand's `len`: the op declared this input as state.
    pub(crate) const STATE_MARK: u32 = u32::MAX;
}

pub(crate) const MAX_OUTPUTS: usize = 8;
/// Most state inputs one op may declare.
pub(crate) const MAX_STATES: usize = 4;
pub(crate) const MAX_PIECES: usize = MAX_OUTPUTS + 2 + MAX_STATES;

/// Element types a tensor's bytes can be viewed as.
pub trait Element: bytemuck::Pod {
    /// The tensor type holding this element.
    const TYPE: TensorType;
}
impl Element for i8 {
    const TYPE: TensorType = TensorType::Int8;
}
impl Element for u8 {
    const TYPE: TensorType = TensorType::UInt8;
}
impl Element for i16 {
    const TYPE: TensorType = TensorType::Int16;
}
impl Element for i32 {
    const TYPE: TensorType = TensorType::Int32;
}
impl Element for u32 {
    const TYPE: TensorType = TensorType::UInt32;
}
impl Element for i64 {
    const TYPE: TensorType = TensorType::Int64;
}
impl Element for u64 {
    const TYPE: TensorType = TensorType::UInt64;
}
impl Element for f32 {
    const TYPE: TensorType = TensorType::Float32;
}

impl<'b> EvalCtx<'b> {
    /// The op's index in the graph.
    pub fn op_index(&self) -> u32 {
        self.op_index
    }

    /// Number of inputs, counting absent optional ones.
    pub fn input_count(&self) -> usize {
        self.inputs.len()
    }

    /// The bytes of input `k`.
    ///
    /// # Errors
    /// [`Error::OperandCount`] when the op has no input `k` (or it is absent).
    pub fn input_bytes(&self, k: usize) -> Result<&'b [u8], Error> {
        let bad = Error::OperandCount { op: self.op_index };
        let &Operand { at, len, .. } = self.inputs.get(k).ok_or(bad)?;
        let (at, len) = (at as usize, len as usize);
        if at as u32 == Operand::ABSENT {
            return Err(bad);
        }
        if at as u32 & Operand::CONSTANT != 0 {
            let at = at & !(Operand::CONSTANT as usize);
            return self.model_bytes.get(at..at.saturating_add(len)).ok_or(bad);
        }
        let end = at.saturating_add(len);
        for (start, piece) in self.shared.iter() {
            if at >= *start && end <= start.saturating_add(piece.len()) {
                return piece.get(at - start..end - start).ok_or(bad);
            }
        }
        Err(bad)
    }

    /// Input `k` viewed as `E`.
    ///
    /// # Errors
    /// As [`Self::input_bytes`]; [`Error::DataMisaligned`] when the bytes cannot be `E`s.
    pub fn input<E: Element>(&self, k: usize) -> Result<&'b [E], Error> {
        let b = self.input_bytes(k)?;
        if b.is_empty() {
            return Ok(&[]);
        }
        bytemuck::try_cast_slice(b).map_err(|_| Error::DataMisaligned { tensor: u32::MAX })
    }

    /// Optional input `k` viewed as `E` (`None` when absent).
    ///
    /// # Errors
    /// As [`Self::input`].
    pub fn optional_input<E: Element>(&self, k: usize) -> Result<Option<&'b [E]>, Error> {
        match self.inputs.get(k) {
            Some(o) if o.at != Operand::ABSENT => self.input(k).map(Some),
            _ => Ok(None),
        }
    }

    /// Output `k` viewed as `E`; each output can be taken once per eval.
    ///
    /// # Errors
    /// [`Error::OperandCount`] when the op has no output `k`; [`Error::ArenaMisaligned`]
    /// when the bytes cannot be `E`s.
    pub fn output<E: Element>(&mut self, k: usize) -> Result<&'b mut [E], Error> {
        let slot = self
            .outputs
            .get_mut(k)
            .ok_or(Error::OperandCount { op: self.op_index })?;
        cast_mut(core::mem::take(slot))
    }

    /// State input `k` ([`PrepareCtx::state_input`]) viewed as `E`, writable; taken once per
    /// eval.
    ///
    /// # Errors
    /// [`Error::OperandCount`] when input `k` was not declared as state; [`Error::ArenaMisaligned`]
    /// when the bytes cannot be `E`s.
    pub fn state<E: Element>(&mut self, k: usize) -> Result<&'b mut [E], Error> {
        let slot = self
            .states
            .iter_mut()
            .find(|(i, _)| *i == k)
            .ok_or(Error::OperandCount { op: self.op_index })?;
        slot.0 = usize::MAX;
        cast_mut(core::mem::take(&mut slot.1))
    }

    /// The op's scratch (as much as prepare asked for) viewed as `E`; taken once per eval.
    ///
    /// # Errors
    /// [`Error::ArenaMisaligned`] when the bytes cannot be `E`s.
    pub fn scratch<E: Element>(&mut self) -> Result<&'b mut [E], Error> {
        cast_mut(core::mem::take(&mut self.scratch))
    }

    /// The op's state ([`PrepareCtx::persist_state`]) viewed as `E`, writable; taken once
    /// per eval (empty when the op keeps none).
    ///
    /// # Errors
    /// [`Error::TooComplex`] when the bytes cannot be `E`s.
    pub fn op_state<E: bytemuck::Pod>(&mut self) -> Result<&'b mut [E], Error> {
        let b = core::mem::take(&mut self.op_state);
        if b.is_empty() {
            return Ok(&mut []);
        }
        bytemuck::try_cast_slice_mut(b).map_err(|_| Error::TooComplex)
    }

    /// The first value prepare persisted ([`PrepareCtx::persist`]).
    ///
    /// # Errors
    /// [`Error::TooComplex`] when prepare kept less than a `D`.
    pub fn data<D: bytemuck::Pod>(&self) -> Result<&'b D, Error> {
        let b = self
            .data
            .get(..core::mem::size_of::<D>())
            .ok_or(Error::TooComplex)?;
        bytemuck::try_from_bytes(b).map_err(|_| Error::TooComplex)
    }

    /// A `D` persisted first and the `E`s persisted after it
    /// ([`PrepareCtx::persist`] then [`PrepareCtx::persist_slice`]).
    ///
    /// # Errors
    /// [`Error::TooComplex`] when prepare kept less than a `D`.
    pub fn data_parts<D: bytemuck::Pod, E: bytemuck::Pod>(
        &self,
    ) -> Result<(&'b D, &'b [E]), Error> {
        let d = self.data::<D>()?;
        let from = core::mem::size_of::<D>().next_multiple_of(core::mem::align_of::<E>().max(4));
        let rest = self.data.get(from..).unwrap_or(&[]);
        let n = rest.len() / core::mem::size_of::<E>().max(1);
        let rest = rest.get(..n * core::mem::size_of::<E>()).unwrap_or(&[]);
        if rest.is_empty() {
            return Ok((d, &[]));
        }
        Ok((
            d,
            bytemuck::try_cast_slice(rest).map_err(|_| Error::TooComplex)?,
        ))
    }

    /// Maps a kernel's error (impossible after prepare) onto this op.
    pub(crate) fn kernel_err(&self, e: KernelError) -> Error {
        match e {
            KernelError::ShapeMismatch => Error::ShapeMismatch {
                op: self.op_index,
                tensor: u32::MAX,
            },
            _ => Error::BadOptions { op: self.op_index },
        }
    }
}

/// Views arena bytes as `E` (arena pieces are 16-byte aligned; empty views always work).
pub(crate) fn cast_mut<E: Element>(b: &mut [u8]) -> Result<&mut [E], Error> {
    if b.is_empty() {
        return Ok(&mut []);
    }
    bytemuck::try_cast_slice_mut(b).map_err(|_| Error::ArenaMisaligned)
}
