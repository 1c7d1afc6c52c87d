//! Typed errors: small, `Copy`, string-free, each naming what went wrong and where.

use core::fmt;

/// What is structurally wrong with a model's bytes (positions are byte offsets in the model).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
#[allow(missing_docs)] // fields are named for what they hold
pub enum Malformed {
    /// Fewer bytes than a FlatBuffer header.
    TooShort { len: u32 },
    /// The file identifier is not `TFL3`.
    FileIdentifier,
    /// An offset points outside the buffer.
    Offset { at: u32 },
    /// A table's vtable is out of bounds or inconsistent.
    VTable { at: u32 },
    /// A field runs past the end of its table.
    Field { at: u32 },
    /// A vector runs past the end of the buffer.
    Vector { at: u32 },
    /// The model has no subgraphs.
    NoSubgraphs,
    /// A tensor has a type this format does not define.
    TensorType { tensor: u32, ty: u8 },
    /// A tensor's buffer index is out of range.
    BufferIndex { tensor: u32, buffer: u32 },
    /// An operator's opcode index is out of range.
    OpcodeIndex { op: u32, index: u32 },
    /// A tensor index in an operator or the graph's input/output list is out of range.
    TensorIndex { op: u32, index: i32 },
    /// A tensor has a negative dimension.
    NegativeDimension { tensor: u32 },
    /// A tensor's byte size does not fit in 32 bits.
    TensorTooLarge { tensor: u32 },
    /// A constant tensor's buffer holds fewer bytes than its shape needs.
    BufferTooShort { tensor: u32, len: u32, needed: u32 },
    /// A sparse tensor's `sparsity` does not fit its shape: a traversal order that is not a
    /// permutation, a block map or dense size that disagrees, segments that decrease or do not
    /// match the positions above them, an index outside its dimension.
    Sparsity { tensor: u32 },
    /// A buffer's `offset`/`size` lies outside the file.
    BufferRange { buffer: u32 },
    /// Scale and zero-point lists disagree, or the quantized dimension is out of range.
    Quantization { tensor: u32 },
    /// An operator reads a tensor that no earlier operator produced and that has no data.
    UseBeforeDefinition { op: u32, tensor: u32 },
    /// An operator writes a constant tensor or a graph input.
    WritesConstant { op: u32, tensor: u32 },
    /// A tensor is written twice (by two ops, twice by one op, or by the op reading it).
    MultipleWriters { op: u32, tensor: u32 },
    /// The model's structure is larger than its bytes could hold without shared tables read
    /// over and over, or a list exceeds its cap.
    Budget,
}

/// A custom op's name as an error carries it: its first 12 bytes (cut at a character
/// boundary), so that [`Error`] stays 16 bytes on a 32-bit target (every `Result` in the
/// library moves one; 32 bytes cost a firmware about 2 KB of flash).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct OpName {
    /// UTF-8, padded with NUL bytes.
    bytes: [u8; 12],
}

impl OpName {
    /// `name`, cut to at most 12 bytes.
    pub fn new(name: &str) -> Self {
        Self::from_bytes(name.as_bytes())
    }

    /// A name as the model stores it (bytes, not checked as UTF-8), cut to at most 12 bytes.
    pub fn from_bytes(name: &[u8]) -> Self {
        let len = name.len().min(12);
        let mut bytes = [0u8; 12];
        if let (Some(d), Some(s)) = (bytes.get_mut(..len), name.get(..len)) {
            d.copy_from_slice(s);
        }
        OpName { bytes }
    }

    /// The name (its first 12 bytes), up to its first byte that is not UTF-8 (a cut in the
    /// middle of a character drops that character).
    pub fn as_str(&self) -> &str {
        let len = self.bytes.iter().position(|&b| b == 0).unwrap_or(12);
        let b = self.bytes.get(..len).unwrap_or(&[]);
        match core::str::from_utf8(b) {
            Ok(s) => s,
            Err(e) => core::str::from_utf8(b.get(..e.valid_up_to()).unwrap_or(&[])).unwrap_or(""),
        }
    }
}

impl fmt::Debug for OpName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for OpName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for OpName {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(f, "{=str}", self.as_str())
    }
}

/// Every way loading, planning or running a model can fail.
///
/// `Display` says what and where in words (`operator 3: tensor 7 has unsupported type int16`);
/// with feature `defmt`, `defmt::Format` logs it from a firmware (`defmt::error!("{}", e)`).
/// It implements `core::error::Error`, so `?` lifts it into a `Box<dyn Error>` on a host. The
/// enum is `#[non_exhaustive]`: match the variants you handle and keep a `_` arm.
///
/// ```
/// use microlite::{Arena, Error, Interpreter, Model, MutableOpResolver};
/// # #[repr(C, align(16))] struct A<T: ?Sized>(T);
/// # static MODEL: &A<[u8]> = &A(*include_bytes!("../tests/conformance/fc_relu_int8/model.tflite"));
/// let model = Model::from_bytes(&MODEL.0)?;
/// let mut ops = MutableOpResolver::<1>::new();
/// ops.add_fully_connected()?;
/// let mut small = Arena::<64>::new();
/// match Interpreter::new(model, &ops, small.as_mut_slice()) {
///     Err(Error::ArenaTooSmall { needed, available }) => {
///         assert_eq!(available, 64);
///         assert!(needed > available); // size the arena with `needed` (or microlite-build)
///     }
///     Err(e) => panic!("{e}"),
///     Ok(_) => unreachable!("64 bytes hold no model"),
/// }
/// // A resolver without the model's op: the error names the op and the method to call.
/// let empty = MutableOpResolver::<1>::new();
/// let mut arena = Arena::<4096>::new();
/// let e = Interpreter::new(model, &empty, arena.as_mut_slice()).err().unwrap();
/// assert!(matches!(e, Error::UnsupportedOp { .. }));
/// assert!(e.to_string().contains("add_fully_connected"), "{e}");
/// # Ok::<(), Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Error {
    /// The model's bytes are not a valid TFLite model.
    Malformed(Malformed),
    /// The resolver has no kernel for this builtin operator.
    UnsupportedOp {
        /// The operator's index in the subgraph.
        op: u32,
        /// Its builtin code (`BuiltinOperator`; `Display` names it).
        code: i32,
        /// Its version as the model states it.
        version: i32,
    },
    /// The resolver has no kernel for this custom operator (named by its `custom_code`).
    CustomOp {
        /// The operator's index (at most 65,534, as for every model microlite plans).
        op: u16,
        /// The first 12 bytes of its `custom_code`.
        name: OpName,
    },
    /// An operator is given a tensor type its kernel does not accept.
    UnsupportedType {
        /// The operator's index.
        op: u32,
        /// The tensor's index.
        tensor: u32,
        /// Its type (`TensorType` as a `u8`; `Display` names it).
        ty: u8,
    },
    /// Tensor shapes do not fit together for an operator.
    ShapeMismatch {
        /// The operator's index.
        op: u32,
        /// The tensor whose shape does not fit (`u32::MAX` when the kernel found it).
        tensor: u32,
    },
    /// A quantization parameter is missing or out of range for an operator.
    BadQuantization {
        /// The operator's index.
        op: u32,
        /// The tensor whose scale or zero point is unusable.
        tensor: u32,
    },
    /// An operator option is out of range (zero stride, unsupported activation, ...).
    BadOptions {
        /// The operator's index.
        op: u32,
    },
    /// An operator has the wrong number of inputs or outputs.
    OperandCount {
        /// The operator's index.
        op: u32,
    },
    /// The arena is smaller than the plan needs.
    ArenaTooSmall {
        /// Bytes the plan needs (a lower bound when prepare itself ran out of room).
        needed: usize,
        /// Bytes the arena has.
        available: usize,
    },
    /// The arena does not start on a 16-byte boundary.
    ArenaMisaligned,
    /// Constant data in the model is not aligned for its type (embed models 16-byte aligned).
    DataMisaligned {
        /// The tensor's index (`u32::MAX` when found at eval).
        tensor: u32,
    },
    /// An operator other than DENSIFY reads a sparse tensor (TFLite's sparse FULLY_CONNECTED
    /// weights, say): only DENSIFY expands one.
    SparseInput {
        /// The operator's index.
        op: u32,
        /// The sparse tensor's index.
        tensor: u32,
    },
    /// An operator's state input (SVDF's activation state, say) is not a variable tensor.
    NotVariable {
        /// The operator's index.
        op: u32,
        /// The tensor's index.
        tensor: u32,
    },
    /// A model needs more than this build supports (subgraphs, rank, tensor count).
    TooComplex,
    /// An input or output index passed to the API is out of range.
    BadIndex {
        /// The index passed.
        index: usize,
    },
    /// A typed accessor was asked for a tensor of another type.
    WrongType {
        /// The type asked for (`TensorType` as a `u8`).
        expected: u8,
        /// The tensor's type.
        actual: u8,
    },
    /// A slice passed in has the wrong length.
    WrongLength {
        /// Elements the tensor has.
        expected: usize,
        /// Elements passed.
        actual: usize,
    },
    /// The resolver is full (its capacity is a const generic).
    ResolverFull,
    /// An IF, WHILE or CALL_ONCE names a subgraph it cannot run: out of range, one that
    /// (through others) runs itself, one nested too deep, or one whose inputs and outputs
    /// do not match the op's.
    BadSubgraph {
        /// The operator's index (ops of all subgraphs are numbered one subgraph after
        /// another, the main subgraph's first).
        op: u32,
        /// The subgraph it names.
        subgraph: u32,
    },
    /// A READ_VARIABLE or ASSIGN_VARIABLE whose resource variable has no VAR_HANDLE in its
    /// subgraph, is read before any ASSIGN_VARIABLE gives it a size, or is used with another
    /// size than the one it was given.
    BadVariable {
        /// The operator's index.
        op: u32,
        /// The resource handle tensor (`u32::MAX` when the op has none).
        tensor: u32,
    },
    /// A WHILE loop ran more iterations in one invoke than the interpreter's limit
    /// (`Interpreter::set_loop_limit`).
    LoopLimit {
        /// The operator's index.
        op: u32,
    },
}

impl From<Malformed> for Error {
    fn from(m: Malformed) -> Self {
        Error::Malformed(m)
    }
}

impl fmt::Display for Malformed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Malformed::TooShort { len } => write!(f, "{len} bytes is too short for a model"),
            Malformed::FileIdentifier => write!(f, "file identifier is not TFL3"),
            Malformed::Offset { at } => write!(f, "offset at byte {at} points outside the model"),
            Malformed::VTable { at } => write!(f, "bad vtable for the table at byte {at}"),
            Malformed::Field { at } => write!(f, "a field of the table at byte {at} runs past it"),
            Malformed::Vector { at } => write!(f, "vector at byte {at} runs past the end"),
            Malformed::NoSubgraphs => write!(f, "the model has no subgraphs"),
            Malformed::TensorType { tensor, ty } => {
                write!(f, "tensor {tensor} has unknown type {ty}")
            }
            Malformed::BufferIndex { tensor, buffer } => {
                write!(f, "tensor {tensor} names buffer {buffer}, out of range")
            }
            Malformed::OpcodeIndex { op, index } => {
                write!(f, "operator {op} names opcode {index}, out of range")
            }
            Malformed::TensorIndex { op, index } => {
                write!(f, "operator {op} names tensor {index}, out of range")
            }
            Malformed::NegativeDimension { tensor } => {
                write!(f, "tensor {tensor} has a negative dimension")
            }
            Malformed::TensorTooLarge { tensor } => write!(f, "tensor {tensor} is too large"),
            Malformed::BufferTooShort {
                tensor,
                len,
                needed,
            } => {
                write!(f, "tensor {tensor} has {len} bytes of data, needs {needed}")
            }
            Malformed::BufferRange { buffer } => write!(f, "buffer {buffer} lies outside the file"),
            Malformed::Sparsity { tensor } => {
                write!(f, "tensor {tensor} has invalid sparsity parameters")
            }
            Malformed::Quantization { tensor } => {
                write!(f, "tensor {tensor} has inconsistent quantization")
            }
            Malformed::UseBeforeDefinition { op, tensor } => {
                write!(
                    f,
                    "operator {op} reads tensor {tensor} before anything writes it"
                )
            }
            Malformed::WritesConstant { op, tensor } => {
                write!(
                    f,
                    "operator {op} writes tensor {tensor}, a constant or graph input"
                )
            }
            Malformed::MultipleWriters { op, tensor } => {
                write!(
                    f,
                    "operator {op} writes tensor {tensor}, already written or read by it"
                )
            }
            Malformed::Budget => write!(f, "model structure too large for its size"),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Error::Malformed(m) => write!(f, "malformed model: {m}"),
            Error::UnsupportedOp { op, code, version } => {
                let known = crate::resolver::IMPLEMENTED.iter().any(|b| b.0 == code);
                match crate::BuiltinOperator::name_of(code) {
                    Some(name) if known => write!(
                        f,
                        "operator {op}: {name} (version {version}) is not registered in the \
                         resolver (microlite has it: MutableOpResolver::add_{})",
                        Lower(name)
                    ),
                    Some(name) => write!(
                        f,
                        "operator {op}: unsupported op {name} (code {code}, version {version})"
                    ),
                    None => write!(
                        f,
                        "operator {op}: unsupported op code {code} (version {version})"
                    ),
                }
            }
            Error::CustomOp { op, name } => {
                // TFLite_Detection_PostProcess (cut to 12 bytes): name its adder.
                let code = crate::ops::detection_postprocess::CUSTOM_CODE;
                match code.get(..12) == Some(name.as_str()) {
                    true => write!(
                        f,
                        "operator {op}: custom op \"{code}\" is not registered in the resolver \
                         (microlite has it: MutableOpResolver::add_detection_postprocess)"
                    ),
                    false => write!(
                        f,
                        "operator {op}: custom op \"{name}\" has no kernel in the resolver \
                         (register one with Registration::custom)"
                    ),
                }
            }
            Error::UnsupportedType { op, tensor, ty } => {
                let name = crate::TensorType::from_u8(ty)
                    .map(|t| t.name())
                    .unwrap_or("unknown");
                write!(
                    f,
                    "operator {op}: tensor {tensor} has unsupported type {name}"
                )
            }
            Error::ShapeMismatch { op, tensor } => {
                write!(f, "operator {op}: tensor {tensor} has a mismatched shape")
            }
            Error::BadQuantization { op, tensor } => {
                write!(
                    f,
                    "operator {op}: tensor {tensor} has unusable quantization parameters"
                )
            }
            Error::BadOptions { op } => write!(f, "operator {op}: options out of range"),
            Error::OperandCount { op } => {
                write!(f, "operator {op}: wrong number of inputs or outputs")
            }
            Error::ArenaTooSmall { needed, available } => {
                write!(
                    f,
                    "arena too small: {needed} bytes needed, {available} available"
                )
            }
            Error::ArenaMisaligned => write!(f, "arena is not 16-byte aligned"),
            Error::DataMisaligned { tensor } => {
                write!(
                    f,
                    "tensor {tensor}: constant data misaligned (embed the model 16-byte aligned)"
                )
            }
            Error::SparseInput { op, tensor } => write!(
                f,
                "operator {op}: tensor {tensor} is stored sparse (only DENSIFY reads sparse tensors)"
            ),
            Error::NotVariable { op, tensor } => {
                write!(
                    f,
                    "operator {op}: state tensor {tensor} is not a variable tensor"
                )
            }
            Error::TooComplex => write!(f, "model exceeds this build's limits"),
            Error::BadIndex { index } => write!(f, "index {index} out of range"),
            Error::WrongType { expected, actual } => {
                let e = crate::TensorType::from_u8(expected)
                    .map(|t| t.name())
                    .unwrap_or("unknown");
                let a = crate::TensorType::from_u8(actual)
                    .map(|t| t.name())
                    .unwrap_or("unknown");
                write!(f, "tensor is {a}, not {e}")
            }
            Error::WrongLength { expected, actual } => {
                write!(f, "expected {expected} elements, got {actual}")
            }
            Error::ResolverFull => write!(f, "op resolver is full"),
            Error::BadSubgraph { op, subgraph } => write!(
                f,
                "operator {op}: cannot run subgraph {subgraph} (missing, recursive, nested too \
                 deep, or its inputs and outputs do not match the op's)"
            ),
            Error::BadVariable { op, tensor } => write!(
                f,
                "operator {op}: resource variable {tensor} has no VAR_HANDLE in this \
                 subgraph, is read before any ASSIGN_VARIABLE sizes it, or has another size"
            ),
            Error::LoopLimit { op } => write!(
                f,
                "operator {op}: WHILE ran past the iteration limit (Interpreter::set_loop_limit)"
            ),
        }
    }
}

/// An op name in lower case (`CONV_2D` -> `conv_2d`), for the resolver method it names.
struct Lower(&'static str);

impl fmt::Display for Lower {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in self.0.chars() {
            fmt::Write::write_char(f, c.to_ascii_lowercase())?;
        }
        Ok(())
    }
}

impl core::error::Error for Error {}
impl core::error::Error for Malformed {}

#[cfg(test)]
mod size_tests {
    /// Every `Result` in the library carries an `Error`: keep it at 16 bytes on 32-bit
    /// targets (and 24 on 64-bit hosts, where `ArenaTooSmall` holds two `usize`s).
    #[test]
    fn error_stays_small() {
        let limit = if cfg!(target_pointer_width = "64") {
            24
        } else {
            16
        };
        assert!(core::mem::size_of::<super::Error>() <= limit);
        assert_eq!(core::mem::size_of::<super::OpName>(), 12);
    }
}
