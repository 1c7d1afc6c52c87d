//! Enumerations of the TFLite schema (`schema/schema.fbs`) that the core needs by value.

/// Element type of a tensor, with the schema's numeric values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
#[allow(missing_docs)]
pub enum TensorType {
    Float32 = 0,
    Float16 = 1,
    Int32 = 2,
    UInt8 = 3,
    Int64 = 4,
    String = 5,
    Bool = 6,
    Int16 = 7,
    Complex64 = 8,
    Int8 = 9,
    Float64 = 10,
    Complex128 = 11,
    UInt64 = 12,
    Resource = 13,
    Variant = 14,
    UInt32 = 15,
    UInt16 = 16,
    Int4 = 17,
    BFloat16 = 18,
    Int2 = 19,
    UInt4 = 20,
    Float8E4M3Fn = 21,
    Float8E5M2 = 22,
}

const TENSOR_TYPES: [TensorType; 23] = [
    TensorType::Float32,
    TensorType::Float16,
    TensorType::Int32,
    TensorType::UInt8,
    TensorType::Int64,
    TensorType::String,
    TensorType::Bool,
    TensorType::Int16,
    TensorType::Complex64,
    TensorType::Int8,
    TensorType::Float64,
    TensorType::Complex128,
    TensorType::UInt64,
    TensorType::Resource,
    TensorType::Variant,
    TensorType::UInt32,
    TensorType::UInt16,
    TensorType::Int4,
    TensorType::BFloat16,
    TensorType::Int2,
    TensorType::UInt4,
    TensorType::Float8E4M3Fn,
    TensorType::Float8E5M2,
];

impl TensorType {
    /// The type with schema value `v`, if the schema defines one.
    pub fn from_u8(v: u8) -> Option<Self> {
        TENSOR_TYPES.get(usize::from(v)).copied()
    }

    /// The schema's name, e.g. `INT8`.
    pub fn name(self) -> &'static str {
        match self {
            TensorType::Float32 => "FLOAT32",
            TensorType::Float16 => "FLOAT16",
            TensorType::Int32 => "INT32",
            TensorType::UInt8 => "UINT8",
            TensorType::Int64 => "INT64",
            TensorType::String => "STRING",
            TensorType::Bool => "BOOL",
            TensorType::Int16 => "INT16",
            TensorType::Complex64 => "COMPLEX64",
            TensorType::Int8 => "INT8",
            TensorType::Float64 => "FLOAT64",
            TensorType::Complex128 => "COMPLEX128",
            TensorType::UInt64 => "UINT64",
            TensorType::Resource => "RESOURCE",
            TensorType::Variant => "VARIANT",
            TensorType::UInt32 => "UINT32",
            TensorType::UInt16 => "UINT16",
            TensorType::Int4 => "INT4",
            TensorType::BFloat16 => "BFLOAT16",
            TensorType::Int2 => "INT2",
            TensorType::UInt4 => "UINT4",
            TensorType::Float8E4M3Fn => "FLOAT8_E4M3FN",
            TensorType::Float8E5M2 => "FLOAT8_E5M2",
        }
    }

    /// Bytes per element for the fixed-size types microlite can hold in an arena.
    pub fn size(self) -> Option<usize> {
        // By schema value (a byte table: less flash than a `match`'s word table); 0: none.
        // Indexing here runs at compile time: an out-of-range index fails the build.
        #[allow(clippy::indexing_slicing)]
        const SIZES: [u8; TENSOR_TYPES.len()] = {
            let mut s = [0u8; TENSOR_TYPES.len()];
            let mut i = 0;
            while i < s.len() {
                s[i] = match TENSOR_TYPES[i] {
                    TensorType::Float32 | TensorType::Int32 | TensorType::UInt32 => 4,
                    TensorType::Float16
                    | TensorType::Int16
                    | TensorType::UInt16
                    | TensorType::BFloat16 => 2,
                    TensorType::UInt8 | TensorType::Int8 | TensorType::Bool => 1,
                    TensorType::Float8E4M3Fn | TensorType::Float8E5M2 => 1,
                    TensorType::Int64
                    | TensorType::UInt64
                    | TensorType::Float64
                    | TensorType::Complex64 => 8,
                    TensorType::Complex128 => 16,
                    TensorType::String | TensorType::Resource | TensorType::Variant => 0,
                    TensorType::Int4 | TensorType::Int2 | TensorType::UInt4 => 0,
                };
                i += 1;
            }
            s
        };
        match SIZES.get(self as usize) {
            Some(&n) if n > 0 => Some(usize::from(n)),
            _ => None,
        }
    }
}

/// A builtin operator code (`BuiltinOperator` in the schema; the list below is generated from
/// `schema/schema.fbs` by `schema/gen_builtins.py`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct BuiltinOperator(pub i32);

macro_rules! builtins {
    ($($name:ident = $v:expr,)*) => {
        #[allow(missing_docs)]
        impl BuiltinOperator {
            $(pub const $name: BuiltinOperator = BuiltinOperator($v);)*
        }
        const BUILTIN_NAMES: &[(i32, &str)] = &[$(($v, stringify!($name)),)*];
    };
}

builtins! {
    ADD = 0, AVERAGE_POOL_2D = 1, CONCATENATION = 2, CONV_2D = 3, DEPTHWISE_CONV_2D = 4,
    DEPTH_TO_SPACE = 5, DEQUANTIZE = 6, EMBEDDING_LOOKUP = 7, FLOOR = 8, FULLY_CONNECTED = 9,
    HASHTABLE_LOOKUP = 10, L2_NORMALIZATION = 11, L2_POOL_2D = 12,
    LOCAL_RESPONSE_NORMALIZATION = 13, LOGISTIC = 14, LSH_PROJECTION = 15, LSTM = 16,
    MAX_POOL_2D = 17, MUL = 18, RELU = 19, RELU_N1_TO_1 = 20, RELU6 = 21, RESHAPE = 22,
    RESIZE_BILINEAR = 23, RNN = 24, SOFTMAX = 25, SPACE_TO_DEPTH = 26, SVDF = 27, TANH = 28,
    CONCAT_EMBEDDINGS = 29, SKIP_GRAM = 30, CALL = 31, CUSTOM = 32,
    EMBEDDING_LOOKUP_SPARSE = 33, PAD = 34, UNIDIRECTIONAL_SEQUENCE_RNN = 35, GATHER = 36,
    BATCH_TO_SPACE_ND = 37, SPACE_TO_BATCH_ND = 38, TRANSPOSE = 39, MEAN = 40, SUB = 41,
    DIV = 42, SQUEEZE = 43, UNIDIRECTIONAL_SEQUENCE_LSTM = 44, STRIDED_SLICE = 45,
    BIDIRECTIONAL_SEQUENCE_RNN = 46, EXP = 47, TOPK_V2 = 48, SPLIT = 49, LOG_SOFTMAX = 50,
    DELEGATE = 51, BIDIRECTIONAL_SEQUENCE_LSTM = 52, CAST = 53, PRELU = 54, MAXIMUM = 55,
    ARG_MAX = 56, MINIMUM = 57, LESS = 58, NEG = 59, PADV2 = 60, GREATER = 61,
    GREATER_EQUAL = 62, LESS_EQUAL = 63, SELECT = 64, SLICE = 65, SIN = 66, TRANSPOSE_CONV = 67,
    SPARSE_TO_DENSE = 68, TILE = 69, EXPAND_DIMS = 70, EQUAL = 71, NOT_EQUAL = 72, LOG = 73,
    SUM = 74, SQRT = 75, RSQRT = 76, SHAPE = 77, POW = 78, ARG_MIN = 79, FAKE_QUANT = 80,
    REDUCE_PROD = 81, REDUCE_MAX = 82, PACK = 83, LOGICAL_OR = 84, ONE_HOT = 85,
    LOGICAL_AND = 86, LOGICAL_NOT = 87, UNPACK = 88, REDUCE_MIN = 89, FLOOR_DIV = 90,
    REDUCE_ANY = 91, SQUARE = 92, ZEROS_LIKE = 93, FILL = 94, FLOOR_MOD = 95, RANGE = 96,
    RESIZE_NEAREST_NEIGHBOR = 97, LEAKY_RELU = 98, SQUARED_DIFFERENCE = 99, MIRROR_PAD = 100,
    ABS = 101, SPLIT_V = 102, UNIQUE = 103, CEIL = 104, REVERSE_V2 = 105, ADD_N = 106,
    GATHER_ND = 107, COS = 108, WHERE = 109, RANK = 110, ELU = 111, REVERSE_SEQUENCE = 112,
    MATRIX_DIAG = 113, QUANTIZE = 114, MATRIX_SET_DIAG = 115, ROUND = 116, HARD_SWISH = 117,
    IF = 118, WHILE = 119, NON_MAX_SUPPRESSION_V4 = 120, NON_MAX_SUPPRESSION_V5 = 121,
    SCATTER_ND = 122, SELECT_V2 = 123, DENSIFY = 124, SEGMENT_SUM = 125, BATCH_MATMUL = 126,
    PLACEHOLDER_FOR_GREATER_OP_CODES = 127, CUMSUM = 128, CALL_ONCE = 129, BROADCAST_TO = 130,
    RFFT2D = 131, CONV_3D = 132, IMAG = 133, REAL = 134, COMPLEX_ABS = 135, HASHTABLE = 136,
    HASHTABLE_FIND = 137, HASHTABLE_IMPORT = 138, HASHTABLE_SIZE = 139, REDUCE_ALL = 140,
    CONV_3D_TRANSPOSE = 141, VAR_HANDLE = 142, READ_VARIABLE = 143, ASSIGN_VARIABLE = 144,
    BROADCAST_ARGS = 145, RANDOM_STANDARD_NORMAL = 146, BUCKETIZE = 147, RANDOM_UNIFORM = 148,
    MULTINOMIAL = 149, GELU = 150, DYNAMIC_UPDATE_SLICE = 151, RELU_0_TO_1 = 152,
    UNSORTED_SEGMENT_PROD = 153, UNSORTED_SEGMENT_MAX = 154, UNSORTED_SEGMENT_SUM = 155,
    ATAN2 = 156, UNSORTED_SEGMENT_MIN = 157, SIGN = 158, BITCAST = 159, BITWISE_XOR = 160,
    RIGHT_SHIFT = 161, STABLEHLO_LOGISTIC = 162, STABLEHLO_ADD = 163, STABLEHLO_DIVIDE = 164,
    STABLEHLO_MULTIPLY = 165, STABLEHLO_MAXIMUM = 166, STABLEHLO_RESHAPE = 167,
    STABLEHLO_CLAMP = 168, STABLEHLO_CONCATENATE = 169, STABLEHLO_BROADCAST_IN_DIM = 170,
    STABLEHLO_CONVOLUTION = 171, STABLEHLO_SLICE = 172, STABLEHLO_CUSTOM_CALL = 173,
    STABLEHLO_REDUCE = 174, STABLEHLO_ABS = 175, STABLEHLO_AND = 176, STABLEHLO_COSINE = 177,
    STABLEHLO_EXPONENTIAL = 178, STABLEHLO_FLOOR = 179, STABLEHLO_LOG = 180,
    STABLEHLO_MINIMUM = 181, STABLEHLO_NEGATE = 182, STABLEHLO_OR = 183, STABLEHLO_POWER = 184,
    STABLEHLO_REMAINDER = 185, STABLEHLO_RSQRT = 186, STABLEHLO_SELECT = 187,
    STABLEHLO_SUBTRACT = 188, STABLEHLO_TANH = 189, STABLEHLO_SCATTER = 190,
    STABLEHLO_COMPARE = 191, STABLEHLO_CONVERT = 192, STABLEHLO_DYNAMIC_SLICE = 193,
    STABLEHLO_DYNAMIC_UPDATE_SLICE = 194, STABLEHLO_PAD = 195, STABLEHLO_IOTA = 196,
    STABLEHLO_DOT_GENERAL = 197, STABLEHLO_REDUCE_WINDOW = 198, STABLEHLO_SORT = 199,
    STABLEHLO_WHILE = 200, STABLEHLO_GATHER = 201, STABLEHLO_TRANSPOSE = 202, DILATE = 203,
    STABLEHLO_RNG_BIT_GENERATOR = 204, REDUCE_WINDOW = 205, STABLEHLO_COMPOSITE = 206,
    STABLEHLO_SHIFT_LEFT = 207, STABLEHLO_CBRT = 208, STABLEHLO_CASE = 209,
}

impl BuiltinOperator {
    /// The schema's name for code `code`, e.g. `CONV_2D`.
    pub fn name_of(code: i32) -> Option<&'static str> {
        BUILTIN_NAMES
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(_, n)| *n)
    }

    /// The schema's name of this operator, if known to this build.
    pub fn name(self) -> Option<&'static str> {
        Self::name_of(self.0)
    }
}

/// `BuiltinOptions` union tags used by the kernels in this crate.
#[allow(missing_docs)]
pub(crate) mod options {
    pub const CONV_2D: u8 = 1;
    pub const DEPTHWISE_CONV_2D: u8 = 2;
    pub const POOL_2D: u8 = 5;
    pub const SVDF: u8 = 6;
    pub const FULLY_CONNECTED: u8 = 8;
    pub const SOFTMAX: u8 = 9;
    pub const CONCATENATION: u8 = 10;
    pub const ADD: u8 = 11;
    pub const L2_NORMALIZATION: u8 = 12;
    pub const RESIZE_BILINEAR: u8 = 15;
    pub const SPACE_TO_DEPTH: u8 = 19;
    pub const MUL: u8 = 21;
    pub const GATHER: u8 = 23;
    pub const REDUCER: u8 = 27;
    pub const SUB: u8 = 28;
    pub const DIV: u8 = 29;
    pub const SQUEEZE: u8 = 30;
    pub const STRIDED_SLICE: u8 = 32;
    pub const SPLIT: u8 = 35;
    pub const TRANSPOSE_CONV: u8 = 49;
    pub const PACK: u8 = 59;
    pub const UNPACK: u8 = 64;
    pub const RESIZE_NEAREST_NEIGHBOR: u8 = 74;
    pub const LEAKY_RELU: u8 = 75;
    pub const SPLIT_V: u8 = 79;
    pub const DEPTH_TO_SPACE: u8 = 94;
}
