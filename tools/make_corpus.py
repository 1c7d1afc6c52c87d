#!/usr/bin/env python3
"""Builds microlite's own conformance corpus.

For every model below: build a small Keras model with fixed seeds, convert it
with the TFLite converter (int8 full-integer with per-channel weights, float32,
and for some models int8 with float32 input/output), check that it uses only the
ops microlite implements, run three random cases through the TFLM Python
runtime (`tflite_micro.runtime`, reference kernels) and write

    OUT/NAME/model.tflite
    OUT/NAME/meta.json
    OUT/NAME/case-K/input-I.npy
    OUT/NAME/case-K/output-J.npy

in the layout of /work/shared/docs/conformance.md. Models with state (SVDF) also
get streaming cases, OUT/NAME/case-K/step-S/{input-I,output-J}.npy (see `model()`).
Extensions (tools/corpus_*.py) may also register models built directly as
flatbuffers (`raw=True`), which skip the converter.

Usage (from the repository root):
    bash tools/setup.sh && tools/.venv/bin/python tools/make_corpus.py --out tests/conformance

Options: --only SUBSTR (build only models whose name contains SUBSTR; may be
repeated), --list (print the model names and exit), --keep (do not delete
corpus folders of models that are no longer generated).
"""

import argparse
import contextlib
import json
import os
import shutil
import struct
import sys
import tempfile
import time
import zlib

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

CASES = 3
SOURCE = "microlite tools/make_corpus.py"
FLOAT_COMPARE = {"atol": 1e-5, "rtol": 1e-4}
# Models TFLM cannot run (float16, sparse): LiteRT is the oracle, and LiteRT and TFLM differ by up
# to 1.2e-4 on float models both run.
LITERT_COMPARE = {"atol": 1e-3, "rtol": 1e-3}
ALLOWED_OPS = {
    "CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "SOFTMAX",
    "AVERAGE_POOL_2D", "MAX_POOL_2D", "RESHAPE", "ADD", "MEAN",
    "QUANTIZE", "DEQUANTIZE",
}
REP_SAMPLES = 64          # representative-dataset size for int8 calibration
ARENA_BYTES = 4 << 20     # TFLM arena for the golden run (generous; the
                          # recording allocator reports what was actually used)


# --------------------------------------------------------------------------
# Quiet: TensorFlow, the converter and Keras' export write a lot to fd 1/2.
# --------------------------------------------------------------------------

@contextlib.contextmanager
def captured_fds(path):
    """Redirects file descriptors 1 and 2 (C++ and Python) into `path`."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with open(path, "ab") as f:
        os.dup2(f.fileno(), 1)
        os.dup2(f.fileno(), 2)
        try:
            yield
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])


LOG_PATH = os.path.join(tempfile.gettempdir(), "microlite_make_corpus.log")

with captured_fds(LOG_PATH):
    import numpy as np
    import tensorflow as tf
    import keras
    from keras import layers as L
    from tflite_micro.python.tflite_micro import runtime as tflm
    from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as fb

try:
    from importlib.metadata import version as _pkg_version
    TFLM_VERSION = _pkg_version("tflite-micro")
except Exception:  # pragma: no cover
    TFLM_VERSION = "unknown"

OP_NAMES = {v: k for k, v in vars(fb.BuiltinOperator).items() if not k.startswith("_")}
TYPE_NAMES = {v: k.lower() for k, v in vars(fb.TensorType).items() if not k.startswith("_")}


# --------------------------------------------------------------------------
# Deterministic initializers
# --------------------------------------------------------------------------

class Seeds:
    """Hands out seeded initializers; reset per model so builds are repeatable."""

    def __init__(self, base):
        self.n = base * 1000

    def _next(self):
        self.n += 1
        return self.n

    def kernel(self, scale=1.0):
        # scale 1.0 is exactly Glorot uniform.
        return keras.initializers.VarianceScaling(
            scale, mode="fan_avg", distribution="uniform", seed=self._next())

    def bias(self):
        return keras.initializers.RandomUniform(-0.3, 0.3, seed=self._next())


S = Seeds(0)


def inp(shape, batch=1, name=None):
    return keras.Input(shape=shape, batch_size=batch, name=name)


def conv(x, filters, k, s=1, pad="same", d=1, act=None, bias=True):
    return L.Conv2D(filters, k, strides=s, padding=pad, dilation_rate=d,
                    activation=act, use_bias=bias,
                    kernel_initializer=S.kernel(), bias_initializer=S.bias())(x)


def dwconv(x, k, s=1, pad="same", dm=1, d=1, act=None, bias=True):
    return L.DepthwiseConv2D(k, strides=s, padding=pad, depth_multiplier=dm,
                             dilation_rate=d, activation=act, use_bias=bias,
                             depthwise_initializer=S.kernel(),
                             bias_initializer=S.bias())(x)


def dense(x, units, act=None, bias=True, gain=None):
    # gain: a larger weight scale for a network's logits layer, so that its
    # SOFTMAX output is not nearly uniform (random weights, no training).
    k = S.kernel() if gain is None else S.kernel(gain)
    return L.Dense(units, activation=act, use_bias=bias,
                   kernel_initializer=k, bias_initializer=S.bias())(x)


def relu6(x):
    return L.ReLU(max_value=6.0)(x)


# --------------------------------------------------------------------------
# The models.  Each entry: base name -> (builder, options).
#   variants: which conversions to make:
#     "int8"           full-integer, int8 in/out, per-channel weights
#     "f32"            float32, no optimization
#     "int8_floatio"   full-integer inside, float32 in/out (QUANTIZE/DEQUANTIZE)
#     "int8_pertensor" like "int8" but per-tensor weights everywhere
#     "int8_uint8io"   full-integer inside, uint8 in/out (QUANTIZE uint8 <-> int8 at the edges)
#     "f16"            float32 in/out, float16 weights behind DEQUANTIZE (TFLM refuses these:
#                      use with oracle="litert")
#     "f32_sparse"     EXPERIMENTAL_SPARSITY: mostly-zero weights stored sparse (DENSIFY)
#     "f16_sparse"     the same with float16 weights (DENSIFY float16, then DEQUANTIZE)
#   rep_range: representative data is uniform in [-r, r] (per input, list ok)
#   softmax_beta: patch SOFTMAX beta in the converted flatbuffer (the
#                 converter never emits beta != 1 from Keras; see README)
#   raw:          the builder is called as builder(seed) and returns the finished
#                 .tflite bytes (no Keras, no converter); use variants=("",) so
#                 that the corpus name is the registered name itself.
#                 `converter` then says in meta.json how the model was made.
#   stream:       (n, steps): after the CASES ordinary cases, n streaming cases
#                 of `steps` invokes each (reset once per case, not per step).
#   int_range:    integer inputs are drawn in [zp - r, zp + r] (clipped to the
#                 dtype) instead of over the whole dtype (one r, or one per input).
#   check:        check(name, model_bytes, cases, inputs_meta, outputs_meta) is
#                 called after the goldens are made and raises if they are weak.
#   inputs:       inputs(seed, inputs_meta) -> [array, ...] replaces the random
#                 inputs of one invoke (seed as make_inputs: K, or 1000*K + S).
#   oracle:       "litert" for models beyond TFLM (float16, sparse): goldens from LiteRT's
#                 builtin reference kernels, no delegate, compared within LITERT_COMPARE.
# --------------------------------------------------------------------------

MODELS = {}
BOTH = ("int8", "f32")


def model(name, variants=BOTH, rep_range=1.0, softmax_beta=None, raw=False,
          converter=None, stream=None, int_range=None, check=None, inputs=None,
          oracle=None):
    def deco(fn):
        assert name not in MODELS, name
        MODELS[name] = (fn, dict(variants=variants, rep_range=rep_range,
                                 softmax_beta=softmax_beta, raw=raw, converter=converter,
                                 stream=stream, int_range=int_range, check=check,
                                 inputs=inputs, oracle=oracle))
        return fn
    return deco


# ---- CONV_2D -------------------------------------------------------------

@model("conv_k1_s1_valid", variants=BOTH + ("int8_floatio",))
def _():
    i = inp((8, 8, 3))
    return keras.Model(i, conv(i, 8, 1, pad="valid"))


@model("conv_k3_s1_same_relu", variants=BOTH + ("int8_floatio",))
def _():
    i = inp((9, 9, 3))
    return keras.Model(i, conv(i, 5, 3, act="relu"))


@model("conv_k3_s2_same_relu6", variants=BOTH + ("int8_pertensor",))
def _():
    i = inp((12, 12, 5))
    return keras.Model(i, relu6(conv(i, 7, 3, s=2)))


@model("conv_k3_s2_valid")
def _():
    i = inp((11, 11, 3))
    return keras.Model(i, conv(i, 8, 3, s=2, pad="valid"))


@model("conv_k5_s1_same_nobias")
def _():
    i = inp((10, 10, 7))
    return keras.Model(i, conv(i, 12, 5, bias=False))


@model("conv_k5_s2_valid_relu")
def _():
    i = inp((15, 15, 3))
    return keras.Model(i, conv(i, 5, 5, s=2, pad="valid", act="relu"))


@model("conv_k5_s2_same_odd")
def _():
    i = inp((13, 11, 5))
    return keras.Model(i, conv(i, 7, 5, s=2))


@model("conv_k3_d2_same")
def _():
    i = inp((12, 12, 5))
    return keras.Model(i, conv(i, 7, 3, d=2))


@model("conv_k3_d2_valid_relu")
def _():
    i = inp((13, 13, 3))
    return keras.Model(i, conv(i, 8, 3, d=2, pad="valid", act="relu"))


@model("conv_k1_s2_same_relu6_nobias")
def _():
    i = inp((9, 9, 12))
    return keras.Model(i, relu6(conv(i, 5, 1, s=2, bias=False)))


@model("conv_k3x5_s1x2_same")
def _():
    i = inp((10, 14, 3))
    return keras.Model(i, conv(i, 5, (3, 5), s=(1, 2)))


@model("conv_k3_s1_valid_c1")
def _():
    i = inp((16, 16, 1))
    return keras.Model(i, conv(i, 3, 3, pad="valid", act="relu"))


# ---- DEPTHWISE_CONV_2D ---------------------------------------------------

@model("dwconv_dm1_k3_s1_same_relu")
def _():
    i = inp((10, 10, 8))
    return keras.Model(i, dwconv(i, 3, act="relu"))


@model("dwconv_dm2_k3_s1_valid", variants=BOTH + ("int8_pertensor",))
def _():
    i = inp((9, 9, 3))
    return keras.Model(i, dwconv(i, 3, pad="valid", dm=2))


@model("dwconv_dm1_k3_s2_same_relu6")
def _():
    i = inp((12, 12, 5))
    return keras.Model(i, relu6(dwconv(i, 3, s=2)))


@model("dwconv_dm2_k5_s2_valid")
def _():
    i = inp((13, 13, 7))
    return keras.Model(i, dwconv(i, 5, s=2, pad="valid", dm=2))


@model("dwconv_dm1_k3_d2_same")
def _():
    i = inp((12, 12, 12))
    return keras.Model(i, dwconv(i, 3, d=2))


@model("dwconv_dm2_k3_d2_valid_relu")
def _():
    i = inp((11, 11, 5))
    return keras.Model(i, dwconv(i, 3, pad="valid", dm=2, d=2, act="relu"))


@model("dwconv_dm1_k3_s1_same_nobias")
def _():
    i = inp((8, 8, 5))
    return keras.Model(i, dwconv(i, 3, bias=False))


@model("dwconv_dm1_k3x1_s2x1_same")
def _():
    i = inp((15, 9, 7))
    return keras.Model(i, dwconv(i, (3, 1), s=(2, 1)))


# ---- FULLY_CONNECTED -----------------------------------------------------

@model("fc_relu", variants=BOTH + ("int8_floatio", "int8_pertensor"))
def _():
    i = inp((32,))
    return keras.Model(i, dense(i, 16, act="relu"))


@model("fc_nobias")
def _():
    i = inp((20,))
    return keras.Model(i, dense(i, 10, bias=False))


@model("fc_batch4_relu")
def _():
    i = inp((24,), batch=4)
    return keras.Model(i, dense(i, 12, act="relu"))


@model("fc_keepdims", variants=BOTH + ("int8_pertensor",))
def _():
    i = inp((5, 12))
    return keras.Model(i, dense(i, 7))


@model("fc_256x64")
def _():
    i = inp((256,))
    return keras.Model(i, dense(i, 64))


# ---- SOFTMAX -------------------------------------------------------------

@model("softmax_1000", rep_range=32.0)
def _():
    i = inp((1000,))
    return keras.Model(i, L.Softmax()(i))


@model("softmax_rows_6x37", rep_range=6.0)
def _():
    i = inp((6, 37))
    return keras.Model(i, L.Softmax()(i))


@model("softmax_beta0p5_1000", rep_range=32.0, softmax_beta=0.5)
def _():
    i = inp((1000,))
    return keras.Model(i, L.Softmax()(i))


@model("softmax_beta2_10", rep_range=2.0, softmax_beta=2.0)
def _():
    i = inp((10,))
    return keras.Model(i, L.Softmax()(i))


# ---- pooling -------------------------------------------------------------

@model("avgpool_p2_s2_valid")
def _():
    i = inp((8, 8, 5))
    return keras.Model(i, L.AveragePooling2D(2, 2, padding="valid")(i))


@model("avgpool_p3_s1_same")
def _():
    i = inp((9, 9, 3))
    return keras.Model(i, L.AveragePooling2D(3, 1, padding="same")(i))


@model("avgpool_p3_s2_same", variants=BOTH + ("int8_floatio",))
def _():
    i = inp((11, 11, 7))
    return keras.Model(i, L.AveragePooling2D(3, 2, padding="same")(i))


@model("avgpool_p2x3_s2x1_valid")
def _():
    i = inp((10, 9, 8))
    return keras.Model(i, L.AveragePooling2D((2, 3), (2, 1), padding="valid")(i))


@model("maxpool_p2_s2_valid")
def _():
    i = inp((8, 8, 12))
    return keras.Model(i, L.MaxPooling2D(2, 2, padding="valid")(i))


@model("maxpool_p3_s2_same")
def _():
    i = inp((13, 13, 5))
    return keras.Model(i, L.MaxPooling2D(3, 2, padding="same")(i))


@model("maxpool_p3_s1_valid")
def _():
    i = inp((10, 10, 3))
    return keras.Model(i, L.MaxPooling2D(3, 1, padding="valid")(i))


# ---- RESHAPE -------------------------------------------------------------

@model("reshape_8x8x3_to_4x48")
def _():
    i = inp((8, 8, 3))
    return keras.Model(i, L.Reshape((4, 48))(i))


@model("reshape_flatten_fc")
def _():
    i = inp((6, 6, 5))
    x = conv(i, 4, 3, act="relu")
    return keras.Model(i, dense(L.Flatten()(x), 10))


# ---- ADD -----------------------------------------------------------------

@model("add_bcast_chan_relu", variants=BOTH + ("int8_floatio",),
       rep_range=[1.0, 0.5])
def _():
    a = inp((8, 8, 6), name="in0")
    b = inp((1, 1, 6), name="in1")
    return keras.Model([a, b], L.ReLU()(keras.ops.add(a, b)))


@model("add_same_shape", rep_range=[1.0, 3.0])
def _():
    a = inp((8, 8, 6), name="in0")
    b = inp((8, 8, 6), name="in1")
    return keras.Model([a, b], keras.ops.add(a, b))


@model("add_same_shape_relu6", rep_range=[2.0, 4.0])
def _():
    a = inp((7, 7, 5), name="in0")
    b = inp((7, 7, 5), name="in1")
    return keras.Model([a, b], relu6(keras.ops.add(a, b)))


@model("add_bcast_both_relu6", rep_range=[1.0, 2.0])
def _():
    a = inp((1, 9, 5), name="in0")
    b = inp((7, 1, 5), name="in1")
    return keras.Model([a, b], relu6(keras.ops.add(a, b)))


# ---- MEAN ----------------------------------------------------------------

@model("mean_gap")
def _():
    i = inp((8, 8, 5))
    return keras.Model(i, L.GlobalAveragePooling2D()(i))


@model("mean_gap_keepdims")
def _():
    i = inp((9, 9, 7))
    return keras.Model(i, L.GlobalAveragePooling2D(keepdims=True)(i))


@model("mean_axis3_keepdims")
def _():
    i = inp((6, 6, 8))
    return keras.Model(i, keras.ops.mean(i, axis=-1, keepdims=True))


@model("mean_axis1_3d")
def _():
    i = inp((10, 12))
    return keras.Model(i, keras.ops.mean(i, axis=1))


# ---- small whole networks -------------------------------------------------

@model("net_dscnn", variants=BOTH + ("int8_floatio", "int8_pertensor"))
def _():
    # DS-CNN-like keyword spotter (MLPerf Tiny KWS shape, shrunk).
    i = inp((25, 10, 1))
    x = conv(i, 12, (5, 3), s=2, act="relu")
    for _ in range(2):
        x = dwconv(x, 3, act="relu")
        x = conv(x, 12, 1, act="relu")
    x = L.AveragePooling2D(x.shape[1:3])(x)
    x = L.Flatten()(x)
    return keras.Model(i, L.Softmax()(dense(x, 8, gain=16.0)))


@model("net_mobilenet")
def _():
    # MobileNet-style stack of depthwise-separable blocks with relu6.
    i = inp((16, 16, 3))
    x = relu6(conv(i, 8, 3, s=2))
    x = relu6(conv(relu6(dwconv(x, 3)), 12, 1))
    x = relu6(conv(relu6(dwconv(x, 3, s=2)), 16, 1))
    x = relu6(conv(relu6(dwconv(x, 3)), 16, 1))
    x = L.GlobalAveragePooling2D()(x)
    return keras.Model(i, L.Softmax()(dense(x, 5, gain=16.0)))


@model("net_resnet")
def _():
    # Two ResNet blocks: identity skip, then a strided block with 1x1 projection.
    i = inp((12, 12, 5))
    x = conv(i, 8, 3, act="relu")
    y = conv(x, 8, 3, act="relu")
    y = conv(y, 8, 3)
    x = L.ReLU()(keras.ops.add(x, y))
    y = conv(x, 12, 3, s=2, act="relu")
    y = conv(y, 12, 3)
    p = conv(x, 12, 1, s=2)
    x = L.ReLU()(keras.ops.add(p, y))
    x = L.AveragePooling2D(6)(x)
    x = L.Flatten()(x)
    return keras.Model(i, L.Softmax()(dense(x, 4, gain=16.0)))


@model("net_mlp", variants=BOTH + ("int8_floatio", "int8_pertensor"))
def _():
    i = inp((20,))
    x = dense(i, 32, act="relu")
    x = dense(x, 16, act="relu")
    return keras.Model(i, L.Softmax()(dense(x, 6, gain=16.0)))


@model("net_convpool")
def _():
    # Conv + max pool + conv + global mean + FC: a tiny image classifier.
    i = inp((14, 14, 3))
    x = conv(i, 8, 3, act="relu")
    x = L.MaxPooling2D(2)(x)
    x = conv(x, 12, 3, act="relu")
    x = L.GlobalAveragePooling2D()(x)
    return keras.Model(i, dense(x, 7))


# --------------------------------------------------------------------------
# Conversion
# --------------------------------------------------------------------------

def variant_name(base, variant):
    return f"{base}_{variant}" if variant else base


def convert(keras_model, variant, rep_range, seed):
    conv_ = tf.lite.TFLiteConverter.from_keras_model(keras_model)
    if variant in ("int8", "int8_floatio", "int8_pertensor", "int8_uint8io"):
        shapes = [tuple(int(d) for d in t.shape) for t in keras_model.inputs]
        ranges = rep_range if isinstance(rep_range, (list, tuple)) else [rep_range] * len(shapes)

        def rep():
            rng = np.random.default_rng(10_000 + seed)
            for _ in range(REP_SAMPLES):
                yield [rng.uniform(-r, r, s).astype(np.float32) for s, r in zip(shapes, ranges)]

        conv_.optimizations = [tf.lite.Optimize.DEFAULT]
        conv_.representative_dataset = rep
        conv_.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        if variant == "int8_pertensor":
            conv_._experimental_disable_per_channel = True
        if variant == "int8_uint8io":
            conv_.inference_input_type = tf.uint8
            conv_.inference_output_type = tf.uint8
        elif variant != "int8_floatio":
            conv_.inference_input_type = tf.int8
            conv_.inference_output_type = tf.int8
    elif variant == "f16":
        conv_.optimizations = [tf.lite.Optimize.DEFAULT]
        conv_.target_spec.supported_types = [tf.float16]
    elif variant == "f32_sparse":
        conv_.optimizations = [tf.lite.Optimize.EXPERIMENTAL_SPARSITY]
    elif variant == "f16_sparse":
        conv_.optimizations = [tf.lite.Optimize.EXPERIMENTAL_SPARSITY, tf.lite.Optimize.DEFAULT]
        conv_.target_spec.supported_types = [tf.float16]
    elif variant != "f32":
        raise ValueError(variant)
    return bytes(conv_.convert())


def parse(model_bytes):
    return fb.ModelT.InitFromObj(fb.Model.GetRootAsModel(model_bytes, 0))


def op_names(m):
    names = []
    for sg in m.subgraphs:
        for op in sg.operators or []:
            oc = m.operatorCodes[op.opcodeIndex]
            code = max(oc.builtinCode, oc.deprecatedBuiltinCode)
            if code == fb.BuiltinOperator.CUSTOM:
                # A custom op is named by its custom_code (e.g. SignalRfft).
                custom = oc.customCode
                names.append(custom.decode() if isinstance(custom, bytes) else str(custom))
            else:
                names.append(OP_NAMES[code])
    return names


def patch_softmax_beta(model_bytes, beta):
    """Sets SoftmaxOptions.beta of every SOFTMAX op in place (same size)."""
    buf = bytearray(model_bytes)
    m = fb.Model.GetRootAsModel(buf, 0)
    patched = 0
    for s in range(m.SubgraphsLength()):
        sg = m.Subgraphs(s)
        for o in range(sg.OperatorsLength()):
            op = sg.Operators(o)
            oc = m.OperatorCodes(op.OpcodeIndex())
            code = max(oc.BuiltinCode(), oc.DeprecatedBuiltinCode())
            if code != fb.BuiltinOperator.SOFTMAX:
                continue
            table = op.BuiltinOptions()
            opts = fb.SoftmaxOptions()
            opts.Init(table.Bytes, table.Pos)
            field = opts._tab.Offset(4)
            if not field:
                raise RuntimeError("SoftmaxOptions.beta not stored; cannot patch in place")
            struct.pack_into("<f", buf, opts._tab.Pos + field, beta)
            patched += 1
    if not patched:
        raise RuntimeError("no SOFTMAX to patch")
    return bytes(buf)


def tensor_meta(sg, index):
    t = sg.tensors[index]
    q = t.quantization
    scale = [] if q is None or q.scale is None else [float(v) for v in q.scale]
    zp = [] if q is None or q.zeroPoint is None else [int(v) for v in q.zeroPoint]
    name = t.name.decode() if isinstance(t.name, bytes) else str(t.name)
    shape = [] if t.shape is None else [int(d) for d in t.shape]
    return {"name": name, "dtype": TYPE_NAMES[t.type], "shape": shape,
            "scale": scale, "zero_point": zp}


# --------------------------------------------------------------------------
# Goldens
# --------------------------------------------------------------------------

def make_inputs(seed, inputs_meta, int_range=None):
    """Inputs of one invoke: default_rng(K) for ordinary case K, default_rng(1000*K + S) for
    step S of streaming case K. Integer inputs cover the dtype, or [zp - r, zp + r]."""
    rng = np.random.default_rng(seed)
    ranges = int_range if isinstance(int_range, (list, tuple)) else [int_range] * len(inputs_meta)
    arrays = []
    for t, r in zip(inputs_meta, ranges):
        dt = np.dtype(t["dtype"])
        shape = tuple(t["shape"])
        if np.issubdtype(dt, np.integer):
            info = np.iinfo(dt)
            lo, hi = info.min, info.max
            if r is not None:
                zp = t["zero_point"][0] if t["zero_point"] else 0
                lo, hi = max(lo, zp - r), min(hi, zp + r)
            a = rng.integers(lo, hi, size=shape, dtype=dt, endpoint=True)
        else:
            a = rng.uniform(-1.0, 1.0, size=shape).astype(dt)
        arrays.append(np.ascontiguousarray(a))
    return arrays


def parse_allocations(text):
    vals = {}
    for line in text.splitlines():
        for key in ("total", "head", "tail"):
            tag = f"Arena allocation {key} "
            if tag in line:
                vals[key] = int(line.split(tag, 1)[1].split()[0])
    return vals if len(vals) == 3 else None


def invoke_once(interp, ins, outputs_meta):
    for idx, a in enumerate(ins):
        interp.set_input(a, idx)
    interp.invoke()
    outs = []
    for j, t in enumerate(outputs_meta):
        o = np.array(interp.get_output(j), copy=True)
        want = (np.dtype(t["dtype"]), tuple(t["shape"]))
        if (o.dtype, o.shape) != want:
            raise RuntimeError(f"output {j}: got {o.dtype}{o.shape}, model says {want}")
        outs.append(o.copy(order="C"))  # keeps a scalar 0-d (ascontiguousarray makes it 1-d)
    return outs


def run_tflm(model_bytes, inputs_meta, outputs_meta, stream=None, int_range=None,
             input_fn=None):
    """Returns ([case, ...], arena). An ordinary case is (inputs, outputs); a streaming
    case is a list of (inputs, outputs), one per step."""
    if input_fn is None:
        def input_fn(seed, meta):
            return make_inputs(seed, meta, int_range)
    interp = tflm.Interpreter.from_bytes(model_bytes, arena_size=ARENA_BYTES)
    cases = []
    for k in range(CASES):
        interp.reset()
        ins = input_fn(k, inputs_meta)
        cases.append((ins, invoke_once(interp, ins, outputs_meta)))
    n_stream, steps = stream or (0, 0)
    for k in range(CASES, CASES + n_stream):
        interp.reset()  # once per case: the steps share the state
        seq = []
        for s in range(steps):
            ins = input_fn(1000 * k + s, inputs_meta)
            seq.append((ins, invoke_once(interp, ins, outputs_meta)))
        cases.append(seq)
    # print_allocations() writes to the C++ stderr; capture it at fd level.
    with tempfile.NamedTemporaryFile("r+", suffix=".txt") as f:
        with captured_fds(f.name):
            interp.print_allocations()
        f.seek(0)
        arena = parse_allocations(f.read())
    del interp
    return cases, arena


def run_litert(model_bytes, inputs_meta, outputs_meta, int_range=None, input_fn=None):
    """The goldens of a model TFLM cannot run: LiteRT's builtin reference kernels
    (`OpResolverType.BUILTIN_REF`, no XNNPACK or other delegate), a fresh interpreter per case."""
    from ai_edge_litert import interpreter as litert
    if input_fn is None:
        def input_fn(seed, meta):
            return make_inputs(seed, meta, int_range)
    cases = []
    for k in range(CASES):
        interp = litert.Interpreter(
            model_content=model_bytes,
            experimental_op_resolver_type=litert.OpResolverType.BUILTIN_REF)
        interp.allocate_tensors()
        ins = input_fn(k, inputs_meta)
        for d, a in zip(interp.get_input_details(), ins):
            interp.set_tensor(d["index"], a)
        interp.invoke()
        outs = []
        for d, t in zip(interp.get_output_details(), outputs_meta):
            o = np.array(interp.get_tensor(d["index"]), copy=True)
            want = (np.dtype(t["dtype"]), tuple(t["shape"]))
            if (o.dtype, o.shape) != want:
                raise RuntimeError(f"LiteRT output: got {o.dtype}{o.shape}, model says {want}")
            outs.append(o.copy(order="C"))
        cases.append((ins, outs))
        del interp
    return cases, None


# --------------------------------------------------------------------------

def build_one(out_dir, base, variant, seed, opts):
    global S
    name = variant_name(base, variant)
    builder = opts["builder"]
    if opts["raw"]:
        model_bytes = builder(seed)
    else:
        S = Seeds(seed)
        keras.utils.set_random_seed(seed)
        keras.backend.clear_session()
        with captured_fds(LOG_PATH):
            km = builder()
            model_bytes = convert(km, variant, opts["rep_range"], seed)
    if opts["softmax_beta"] is not None:
        model_bytes = patch_softmax_beta(model_bytes, opts["softmax_beta"])

    m = parse(model_bytes)
    ops = op_names(m)
    bad = sorted(set(ops) - ALLOWED_OPS)
    if bad:
        raise RuntimeError(f"{name}: converter emitted ops outside the allowed set: {bad} (all: {ops})")
    sg = m.subgraphs[0]
    inputs_meta = [tensor_meta(sg, i) for i in sg.inputs]
    outputs_meta = [tensor_meta(sg, i) for i in sg.outputs]

    if opts["oracle"] == "litert":
        assert not opts["stream"], "LiteRT goldens: no streaming cases"
        cases, arena = run_litert(model_bytes, inputs_meta, outputs_meta, opts["int_range"],
                                  opts["inputs"])
    else:
        cases, arena = run_tflm(model_bytes, inputs_meta, outputs_meta,
                                opts["stream"], opts["int_range"], opts["inputs"])
    if opts["check"] is not None:
        opts["check"](name, model_bytes, cases, inputs_meta, outputs_meta)
    stream_cases = [k for k, c in enumerate(cases) if isinstance(c, list)]

    int_out = all(np.issubdtype(np.dtype(t["dtype"]), np.integer) for t in outputs_meta)
    meta = {
        "name": name,
        "source": SOURCE,
        "cases": len(cases),
        "stream_cases": stream_cases,
        "compare": "exact" if int_out else dict(FLOAT_COMPARE),
        "golden_from": f"tflite-micro {TFLM_VERSION} (PyPI) reference kernels",
        "tflm_arena_bytes": arena,
        "ops": sorted(set(ops)),
        "op_count": len(ops),
        "subgraphs": len(m.subgraphs),
        "inputs": inputs_meta,
        "outputs": outputs_meta,
        "converter": (opts["converter"]
                      or f"tensorflow {tf.__version__} TFLiteConverter ({variant})"),
    }
    if opts["oracle"] == "litert":
        meta["compare"] = "exact" if int_out else dict(LITERT_COMPARE)
        meta["golden_from"] = (f"LiteRT (ai-edge-litert {litert_version()}) builtin reference "
                               "kernels, no delegate: TFLM refuses this model")
    if arena is None:
        del meta["tflm_arena_bytes"]
    if not stream_cases:
        del meta["stream_cases"]

    d = os.path.join(out_dir, name)
    if os.path.isdir(d):
        shutil.rmtree(d)
    os.makedirs(d)
    with open(os.path.join(d, "model.tflite"), "wb") as f:
        f.write(model_bytes)
    with open(os.path.join(d, "meta.json"), "w") as f:
        json.dump(meta, f, indent=1)
    for k, case in enumerate(cases):
        steps = case if isinstance(case, list) else [case]
        for s, (ins, outs) in enumerate(steps):
            cd = os.path.join(d, f"case-{k}")
            if isinstance(case, list):
                cd = os.path.join(cd, f"step-{s}")
            os.makedirs(cd)
            for i, a in enumerate(ins):
                np.save(os.path.join(cd, f"input-{i}.npy"), a, allow_pickle=False)
            for j, a in enumerate(outs):
                np.save(os.path.join(cd, f"output-{j}.npy"), a, allow_pickle=False)
    return name, meta, len(model_bytes)


def litert_version():
    from importlib.metadata import version
    return version("ai-edge-litert")


def load_extensions():
    """Imports every `tools/corpus_*.py`: each registers more models with `@model` (and may
    add to `ALLOWED_OPS`) by importing this module as `make_corpus`."""
    import importlib
    here = os.path.dirname(os.path.abspath(__file__))
    sys.modules.setdefault("make_corpus", sys.modules[__name__])
    if here not in sys.path:
        sys.path.insert(0, here)
    for fname in sorted(os.listdir(here)):
        if fname.startswith("corpus_") and fname.endswith(".py"):
            importlib.import_module(fname[:-3])


def all_variants():
    load_extensions()
    out = []
    for base, (builder, opts) in MODELS.items():
        seed = zlib.crc32(base.encode()) % 100_000  # stable per model name
        for variant in opts["variants"]:
            o = dict(opts, builder=builder)
            out.append((base, variant, seed, o))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default="tests/conformance")
    ap.add_argument("--only", action="append", default=[])
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()

    todo = all_variants()
    if args.only:
        todo = [t for t in todo if any(s in variant_name(t[0], t[1]) for s in args.only)]
    if args.list:
        for base, variant, _, _ in todo:
            print(variant_name(base, variant))
        return 0

    os.makedirs(args.out, exist_ok=True)
    open(LOG_PATH, "w").close()
    print(f"tensorflow {tf.__version__}, keras {keras.__version__}, numpy {np.__version__}, "
          f"tflite-micro {TFLM_VERSION}; {len(todo)} models -> {args.out} "
          f"(converter log: {LOG_PATH})", flush=True)
    t0 = time.time()
    names = set()
    failures = []
    for n, (base, variant, seed, opts) in enumerate(todo, start=1):
        t1 = time.time()
        try:
            name, meta, size = build_one(args.out, base, variant, seed, opts)
        except Exception as e:  # report and go on; exit non-zero at the end
            failures.append((variant_name(base, variant), repr(e)))
            print(f"[{n:3d}/{len(todo)}] {variant_name(base, variant)}: FAILED: {e!r}", flush=True)
            continue
        names.add(name)
        arena = meta.get("tflm_arena_bytes") or {}
        print(f"[{n:3d}/{len(todo)}] {name}: {size} B, ops {','.join(meta['ops'])} "
              f"(x{meta['op_count']}), arena {arena.get('total', '?')} B, "
              f"{time.time() - t1:.1f}s", flush=True)

    if not args.only and not args.keep and not failures:
        for entry in sorted(os.listdir(args.out)):
            p = os.path.join(args.out, entry)
            if os.path.isdir(p) and entry not in names and os.path.isfile(os.path.join(p, "meta.json")):
                print(f"removing stale {p}")
                shutil.rmtree(p)

    print(f"done: {len(names)} models in {time.time() - t0:.0f}s", flush=True)
    if failures:
        print(f"{len(failures)} FAILED:", flush=True)
        for n, e in failures:
            print(f"  {n}: {e}", flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
