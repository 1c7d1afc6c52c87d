"""Small .tflite models built directly with the flatbuffer object API of the schema module that
ships in tflite-micro (`schema_py_generated`), for ops the TFLite converter does not emit (SVDF)
and quantization set-ups it would not choose (int16 QUANTIZE / DEQUANTIZE / SOFTMAX edges).

Used by tools/corpus_svdf.py and tools/corpus_int16.py. Layout follows what the converter and
TFLM's own examples write: version 3, buffer 0 empty, constant data in their own buffers (16-byte
aligned, as the converter aligns them), activations and variable tensors on buffer 0, one
opcode entry per builtin used, per-tensor quantization. Packing is deterministic.

Also the quantization arithmetic the converter uses (asymmetric int8 activations from a
calibrated min/max that is widened to contain 0, symmetric narrow-range weights, int32 bias
with scale input_scale * weight_scale computed in float32).
"""

import flatbuffers
import numpy as np
from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as fb

TENSOR_TYPE = {
    np.dtype(np.float32): fb.TensorType.FLOAT32,
    np.dtype(np.int8): fb.TensorType.INT8,
    np.dtype(np.uint8): fb.TensorType.UINT8,
    np.dtype(np.float16): fb.TensorType.FLOAT16,
    np.dtype(np.int16): fb.TensorType.INT16,
    np.dtype(np.int32): fb.TensorType.INT32,
    np.dtype(np.int64): fb.TensorType.INT64,
    np.dtype(np.uint32): fb.TensorType.UINT32,
    np.dtype(np.uint64): fb.TensorType.UINT64,
    np.dtype(np.bool_): fb.TensorType.BOOL,
}


class _AlignedBufferT(fb.BufferT):
    """BufferT whose data vector starts on a 16-byte boundary (the converter's force_align)."""

    def Pack(self, builder):
        data = None
        if self.data is not None:
            payload = bytes(self.data)
            builder.StartVector(1, len(payload), 16)
            builder.head = builder.head - len(payload)
            builder.Bytes[builder.head:builder.head + len(payload)] = payload
            builder.vectorNumElems = len(payload)
            data = builder.EndVector()
        fb.BufferStart(builder)
        if data is not None:
            fb.BufferAddData(builder, data)
        return fb.BufferEnd(builder)


class Graph:
    """One subgraph. tensor() returns a tensor index; op() appends an operator in order."""

    def __init__(self):
        self.tensors = []
        self.buffers = [_AlignedBufferT()]  # buffer 0: the empty sentinel
        self.operators = []
        self.opcodes = []                   # [(builtin code, version, custom code or None)]

    def tensor(self, name, shape, dtype, data=None, scale=None, zero_point=None,
               variable=False):
        dtype = np.dtype(dtype)
        t = fb.TensorT()
        t.name = name
        t.shape = np.array(shape, dtype=np.int32)
        t.type = TENSOR_TYPE[dtype]
        t.isVariable = bool(variable)
        if scale is not None:
            q = fb.QuantizationParametersT()
            q.scale = np.array(np.atleast_1d(scale), dtype=np.float32)
            zp = 0 if zero_point is None else zero_point
            q.zeroPoint = np.array(np.atleast_1d(zp), dtype=np.int64)
            q.quantizedDimension = 0
            t.quantization = q
        if data is not None:
            arr = np.ascontiguousarray(np.asarray(data, dtype=dtype).reshape(shape))
            b = _AlignedBufferT()
            b.data = np.frombuffer(arr.astype(dtype.newbyteorder("<")).tobytes(), dtype=np.uint8)
            self.buffers.append(b)
            t.buffer = len(self.buffers) - 1
        else:
            t.buffer = 0
        self.tensors.append(t)
        return len(self.tensors) - 1

    def op(self, code, inputs, outputs, options_type=fb.BuiltinOptions.NONE, options=None,
           version=1):
        key = (code, version, None)
        if key not in self.opcodes:
            self.opcodes.append(key)
        o = fb.OperatorT()
        o.opcodeIndex = self.opcodes.index(key)
        o.inputs = np.array(inputs, dtype=np.int32)
        o.outputs = np.array(outputs, dtype=np.int32)
        o.builtinOptionsType = options_type
        o.builtinOptions = options
        self.operators.append(o)

    def custom(self, name, inputs, outputs, options=None, version=1):
        """A CUSTOM op matched by `name` (its custom_code). `options` (a dict) become the
        FlexBuffer map the TF converter writes as custom_options: keys inserted in sorted
        order, which gives byte for byte the converter's maps (checked for the signal ops)."""
        from flatbuffers import flexbuffers
        key = (fb.BuiltinOperator.CUSTOM, version, name)
        if key not in self.opcodes:
            self.opcodes.append(key)
        o = fb.OperatorT()
        o.opcodeIndex = self.opcodes.index(key)
        o.inputs = np.array(inputs, dtype=np.int32)
        o.outputs = np.array(outputs, dtype=np.int32)
        o.builtinOptionsType = fb.BuiltinOptions.NONE
        opts = dict(sorted((options or {}).items()))
        o.customOptions = list(flexbuffers.Dumps(opts))
        o.customOptionsFormat = fb.CustomOptionsFormat.FLEXBUFFERS
        self.operators.append(o)

    def finish(self, inputs, outputs, description):
        sg = fb.SubGraphT()
        sg.tensors = self.tensors
        sg.inputs = np.array(inputs, dtype=np.int32)
        sg.outputs = np.array(outputs, dtype=np.int32)
        sg.operators = self.operators
        sg.name = "main"
        m = fb.ModelT()
        m.version = 3
        m.description = description
        m.subgraphs = [sg]
        m.buffers = self.buffers
        codes = []
        for code, version, custom in self.opcodes:
            oc = fb.OperatorCodeT()
            oc.builtinCode = code
            oc.deprecatedBuiltinCode = min(code, 127)  # 127: PLACEHOLDER_FOR_GREATER_OP_CODES
            oc.version = version
            if custom is not None:
                oc.customCode = custom
            codes.append(oc)
        m.operatorCodes = codes
        b = flatbuffers.Builder(4096)
        b.Finish(m.Pack(b), file_identifier=b"TFL3")
        return bytes(b.Output())


# ---- options ------------------------------------------------------------------------

def svdf_options(rank, act=fb.ActivationFunctionType.NONE):
    o = fb.SVDFOptionsT()
    o.rank = rank
    o.fusedActivationFunction = act
    o.asymmetricQuantizeInputs = False
    return fb.BuiltinOptions.SVDFOptions, o


def fc_options(act=fb.ActivationFunctionType.NONE):
    o = fb.FullyConnectedOptionsT()
    o.fusedActivationFunction = act
    return fb.BuiltinOptions.FullyConnectedOptions, o


def softmax_options(beta=1.0):
    o = fb.SoftmaxOptionsT()
    o.beta = beta
    return fb.BuiltinOptions.SoftmaxOptions, o


def quantize_options():
    # The converter writes QUANTIZE / DEQUANTIZE without options (keyword_scrambled_8bit too).
    return fb.BuiltinOptions.NONE, None


dequantize_options = quantize_options


# ---- quantization as the converter does it ----------------------------------------

def asym_params(lo, hi, bits=8):
    """Scale (float32) and zero point of an asymmetric activation range, widened to contain 0."""
    lo, hi = min(float(lo), 0.0), max(float(hi), 0.0)
    qmin, qmax = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    scale = np.float32((hi - lo) / (qmax - qmin))
    zp = int(np.clip(np.round(qmin - lo / float(scale)), qmin, qmax))
    return scale, zp


def sym_params(maxabs, bits):
    """Symmetric per-tensor scale (zero point 0), narrow range [-(2^(b-1)-1), 2^(b-1)-1]."""
    return np.float32(float(maxabs) / ((1 << (bits - 1)) - 1))


def quantize(x, scale, zp, dtype):
    info = np.iinfo(dtype)
    q = np.round(np.asarray(x, dtype=np.float64) / float(scale)) + zp
    return np.clip(q, info.min, info.max).astype(dtype)


def quantize_weights(w, bits):
    """Symmetric narrow-range per-tensor weights: (q, scale)."""
    scale = sym_params(np.max(np.abs(w)), bits)
    lim = (1 << (bits - 1)) - 1
    q = np.clip(np.round(np.asarray(w, np.float64) / float(scale)), -lim, lim)
    return q.astype(np.int8 if bits == 8 else np.int16), scale


def quantize_bias(b, scale_a, scale_b):
    """int32 bias with scale = scale_a * scale_b evaluated in float32 (exact equality with what
    TFLM recomputes in its SVDF bias-scale check)."""
    scale = np.float32(np.float32(scale_a) * np.float32(scale_b))
    q = np.round(np.asarray(b, np.float64) / float(scale))
    return np.clip(q, -(2**31 - 1), 2**31 - 1).astype(np.int32), scale
