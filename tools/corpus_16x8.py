"""16x8-quantized models for the conformance corpus: int16 activations, int8 weights.

Imported by make_corpus.py (which loads every tools/corpus_*.py). Registers small Keras models
whose variants are converted with TensorFlow's 16x8 scheme:

    optimizations = [tf.lite.Optimize.DEFAULT], a representative dataset (the one an int8
    variant of the model would get), target_spec.supported_ops =
    [EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8]

    "16x8"            int16 input and output (inference_input_type/output_type = tf.int16)
    "16x8_floatio"    16x8 inside, float32 input and output (QUANTIZE / DEQUANTIZE at the ends)
    "16x8_pertensor"  like "16x8" with `_experimental_disable_per_channel = True`

so the corpus names end in `_16x8`, `_16x8_floatio` or `_16x8_pertensor` (`--only _16x8`
selects exactly these). The variants are made by wrapping `make_corpus.convert`, as
corpus_shape.py does; every other variant goes through unchanged.

16x8 activations are symmetric (zero point 0); weights int8 (per-channel unless
`_pertensor`), biases int64. After conversion the script checks that every non-constant tensor
is int16 with zero point 0 (float32 only at the model boundary of `_floatio` models), every
filter int8 and every bias int64, and that no constant is float: a silent float fallback fails
the model. Before anything is written, `check` wants outputs with many distinct values that
rarely saturate, and compares the TFLM goldens with the Keras float model run on the same
(dequantized) inputs, the float output clipped to what the output type can hold: the largest
error must stay within 2 % of the output's range (it is below 1 % for every model).
`relu6_r8` is checked against TFLM's RELU6 semantics instead (see there).

Ops: FULLY_CONNECTED, CONV_2D, DEPTHWISE_CONV_2D, TRANSPOSE_CONV, ADD, SUB, MUL, MAXIMUM,
MINIMUM, AVERAGE_POOL_2D, MAX_POOL_2D, MEAN, SOFTMAX (int16 -> int16), LOGISTIC, TANH,
LEAKY_RELU, RELU, RELU6, PAD, CONCATENATION, STRIDED_SLICE, SLICE, RESHAPE, TRANSPOSE, SPLIT,
SPLIT_V, PACK, UNPACK, RESIZE_NEAREST_NEIGHBOR; QUANTIZE (float32 -> int16, and int16 -> int16
where the converter requantizes a CONCATENATION / PACK input), DEQUANTIZE (int16 -> float32);
and four small networks.

Not here, because the 16x8 converter refuses them ("Quantization to 16x8-bit not yet supported
for op"): PRELU, HARD_SWISH, SPACE_TO_DEPTH, DEPTH_TO_SPACE, ARG_MAX, L2_NORMALIZATION.
`tf.pad` with constant_values (PADV2) converts with a float32 constant_values tensor that TFLM
rejects in Prepare (pad_common.cc: input->type != constant_values->type). RESIZE_BILINEAR
converts, but TFLM fails at invoke ("Output type is 7, requires float or int8"). DEPTHWISE_CONV_2D
with per-tensor weights makes the converter fail ("Quantized dimension for tensor property and
quantization parameters do not match").

int16 inputs are drawn over the whole int16 range (no `int_range`): with zero point 0 and the
scale calibrated on [-r, r] that is the float range the model was calibrated on, so outputs
rarely saturate (at most 1.4 % of elements, in `mean_axis2_keepdims_16x8`; RELU6 / relu6-fused
outputs sit at 6 by design).
"""

import numpy as np
import keras
import tensorflow as tf
from keras import layers as L

import make_corpus
from make_corpus import conv, dense, dwconv, inp, model, relu6

VARIANTS = ("16x8", "16x8_floatio", "16x8_pertensor")
V = ("16x8",)
VF = ("16x8", "16x8_floatio")

make_corpus.ALLOWED_OPS.update({
    "TRANSPOSE_CONV", "SUB", "MUL", "MAXIMUM", "MINIMUM", "LOGISTIC", "TANH", "LEAKY_RELU",
    "RELU", "RELU6", "PAD", "CONCATENATION", "STRIDED_SLICE", "SLICE", "TRANSPOSE", "SPLIT",
    "SPLIT_V", "PACK", "UNPACK", "RESIZE_NEAREST_NEIGHBOR",
})

_fb = make_corpus.fb
_T = _fb.TensorType
_last = {}  # the Keras model of the conversion being built, for `check`


# --------------------------------------------------------------------------
# Conversion
# --------------------------------------------------------------------------

# (filter, bias) input slots of the ops with weights
_WEIGHTS = {"CONV_2D": (1, 2), "DEPTHWISE_CONV_2D": (1, 2), "FULLY_CONNECTED": (1, 2),
            "TRANSPOSE_CONV": (1, 3)}


def _check_dtypes(model_bytes, variant):
    """Every activation int16 with zero point 0 (float32 only at a _floatio boundary), filters
    int8, biases int64, no float constant."""
    m = make_corpus.parse(model_bytes)
    sg = m.subgraphs[0]
    io = set(sg.inputs) | set(sg.outputs)
    for op in sg.operators:
        oc = m.operatorCodes[op.opcodeIndex]
        opname = make_corpus.OP_NAMES[max(oc.builtinCode, oc.deprecatedBuiltinCode)]
        filt, bias = _WEIGHTS.get(opname, (-1, -1))
        slots = list(enumerate(op.inputs)) + [(None, idx) for idx in op.outputs]
        for slot, idx in slots:
            if idx < 0:
                continue
            t = sg.tensors[idx]
            buf = m.buffers[t.buffer] if t.buffer < len(m.buffers) else None
            const = buf is not None and buf.data is not None and len(buf.data) > 0
            ty = t.type
            if slot == filt:
                ok = const and ty == _T.INT8
            elif slot == bias:
                ok = const and ty == _T.INT64
            elif const:
                ok = ty in (_T.INT16, _T.INT32, _T.INT64)
            elif idx in io and variant == "16x8_floatio":
                ok = ty == _T.FLOAT32
            else:
                ok = ty == _T.INT16
                if ok and t.quantization is not None and t.quantization.zeroPoint is not None:
                    ok = all(int(z) == 0 for z in t.quantization.zeroPoint)
            if not ok:
                raise RuntimeError(f"16x8 conversion left {opname} tensor {t.name!r} as "
                                   f"{make_corpus.TYPE_NAMES[ty]} (constant: {const})")


_convert = make_corpus.convert


def _convert_16x8(keras_model, variant, rep_range, seed):
    if variant not in VARIANTS:
        return _convert(keras_model, variant, rep_range, seed)
    c = tf.lite.TFLiteConverter.from_keras_model(keras_model)
    shapes = [tuple(int(d) for d in t.shape) for t in keras_model.inputs]
    ranges = rep_range if isinstance(rep_range, (list, tuple)) else [rep_range] * len(shapes)

    def rep():  # the same representative data an int8 variant of this model would get
        rng = np.random.default_rng(10_000 + seed)
        for _ in range(make_corpus.REP_SAMPLES):
            yield [rng.uniform(-r, r, s).astype(np.float32) for s, r in zip(shapes, ranges)]

    c.optimizations = [tf.lite.Optimize.DEFAULT]
    c.representative_dataset = rep
    c.target_spec.supported_ops = [
        tf.lite.OpsSet.EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8]
    if variant == "16x8_pertensor":
        c._experimental_disable_per_channel = True
    if variant != "16x8_floatio":
        c.inference_input_type = tf.int16
        c.inference_output_type = tf.int16
    out = bytes(c.convert())
    _check_dtypes(out, variant)
    _last["keras"] = keras_model
    return out


make_corpus.convert = _convert_16x8


# --------------------------------------------------------------------------
# Check: varied, unsaturated outputs close to the float model's
# --------------------------------------------------------------------------

def _deq(a, t):
    a = a.astype(np.float64)
    return (a - t["zero_point"][0]) * t["scale"][0] if t["scale"] else a


def _check(tol=0.02, min_distinct=24, max_sat=0.05, exact=None):
    """tol: largest |golden - float model| allowed, as a fraction of the output's range (the
    float output clipped to what the output type can represent). exact: instead of the float
    model, exact(ins, inputs_meta, outputs_meta) gives the raw outputs TFLM must produce."""
    def check(name, model_bytes, cases, inputs_meta, outputs_meta):
        km = _last.pop("keras")
        for j, t in enumerate(outputs_meta):
            vals = np.concatenate([outs[j].ravel() for _, outs in cases])
            need = min(min_distinct, vals.size // 2)
            distinct = len(np.unique(vals))
            if distinct < need:
                raise RuntimeError(f"{name}: output {j} has only {distinct} distinct values")
            if t["dtype"] == "int16":
                sat = np.mean((vals == -32768) | (vals == 32767))
                if sat > max_sat:
                    raise RuntimeError(f"{name}: output {j} saturates on {sat:.1%}")
        if exact is not None:
            for k, (ins, outs) in enumerate(cases):
                for j, (o, want) in enumerate(zip(outs, exact(ins, inputs_meta, outputs_meta))):
                    if not np.array_equal(o, want):
                        raise RuntimeError(f"{name}: case {k} output {j} differs from the "
                                           "expected TFLM semantics")
            return
        for k, (ins, outs) in enumerate(cases):
            x = [tf.constant(_deq(a, t).astype(np.float32)) for a, t in zip(ins, inputs_meta)]
            with make_corpus.captured_fds(make_corpus.LOG_PATH):
                ref = km(x if len(x) > 1 else x[0], training=False)
            ref = [np.asarray(r, np.float64) for r in (ref if isinstance(ref, (list, tuple))
                                                        else [ref])]
            for j, (o, t) in enumerate(zip(outs, outputs_meta)):
                got = _deq(o, t)
                cands = [r for r in ref if r.shape == got.shape]
                if t["scale"]:  # what the output type can hold
                    info = np.iinfo(np.dtype(t["dtype"]))
                    lo, hi = _deq(np.array([info.min, info.max]), t)
                    cands = [np.clip(r, lo, hi) for r in cands]
                if not cands:
                    raise RuntimeError(f"{name}: no float output of shape {got.shape}")
                err = min(np.max(np.abs(got - r)) for r in cands)
                span = max(np.ptp(r) for r in cands) or 1.0
                if err > tol * span:
                    raise RuntimeError(f"{name}: case {k} output {j} differs from the float "
                                       f"model by {err:.4g} (range {span:.4g})")
    return check


def m16(name, variants=V, rep_range=1.0, int_range=None, tol=0.02, min_distinct=24,
        exact=None):
    return model(name, variants=variants, rep_range=rep_range, int_range=int_range,
                 check=_check(tol, min_distinct, exact=exact))


def lam(fn, x):
    return L.Lambda(fn)(x)


def tconv(x, filters, k, s=1, pad="same", act=None, bias=True):
    return L.Conv2DTranspose(filters, k, strides=s, padding=pad, activation=act, use_bias=bias,
                             kernel_initializer=make_corpus.S.kernel(),
                             bias_initializer=make_corpus.S.bias())(x)


# ---- FULLY_CONNECTED -------------------------------------------------------

@m16("fc_bias_relu", variants=VF)
def _():
    i = inp((32,))
    return keras.Model(i, dense(i, 24, act="relu"))


@m16("fc_nobias_24x10")
def _():
    i = inp((24,))
    return keras.Model(i, dense(i, 10, bias=False))


@m16("fc_batch3_relu6")
def _():
    i = inp((20,), batch=3)
    return keras.Model(i, relu6(dense(i, 12)))


@m16("fc_keepdims_6x12", variants=V + ("16x8_pertensor",))
def _():
    i = inp((6, 12))
    return keras.Model(i, dense(i, 7))


# ---- CONV_2D ---------------------------------------------------------------

@m16("conv_k1_s1_valid_c4")
def _():
    i = inp((7, 7, 4))
    return keras.Model(i, conv(i, 6, 1, pad="valid"))


@m16("conv_k3_s1_same_relu_c3", variants=VF)
def _():
    i = inp((9, 9, 3))
    return keras.Model(i, conv(i, 6, 3, act="relu"))


@m16("conv_k3_s2_same_relu6_c5", variants=V + ("16x8_pertensor",))
def _():
    i = inp((12, 12, 5))
    return keras.Model(i, relu6(conv(i, 7, 3, s=2)))


@m16("conv_k3_s2_valid_nobias")
def _():
    i = inp((11, 11, 3))
    return keras.Model(i, conv(i, 8, 3, s=2, pad="valid", bias=False))


@m16("conv_k3_d2_same_relu")
def _():
    i = inp((12, 12, 4))
    return keras.Model(i, conv(i, 6, 3, d=2, act="relu"))


@m16("conv_k5x3_s2x1_valid")
def _():
    i = inp((13, 9, 3))
    return keras.Model(i, conv(i, 5, (5, 3), s=(2, 1), pad="valid"))


# ---- DEPTHWISE_CONV_2D -----------------------------------------------------

@m16("dwconv_dm1_k3_s1_same_relu_c8")
def _():
    i = inp((10, 10, 8))
    return keras.Model(i, dwconv(i, 3, act="relu"))


@m16("dwconv_dm2_k3_s2_valid")
def _():
    i = inp((11, 11, 3))
    return keras.Model(i, dwconv(i, 3, s=2, pad="valid", dm=2))


@m16("dwconv_dm2_k3_d2_same_relu6")
def _():
    i = inp((10, 10, 4))
    return keras.Model(i, relu6(dwconv(i, 3, dm=2, d=2)))


@m16("dwconv_dm1_k5_s2_same_nobias")
def _():
    i = inp((13, 13, 6))
    return keras.Model(i, dwconv(i, 5, s=2, bias=False))


# ---- TRANSPOSE_CONV --------------------------------------------------------

@m16("tconv_k3_s2_same_c5")
def _():
    i = inp((4, 4, 3))
    return keras.Model(i, tconv(i, 5, 3, s=2))


@m16("tconv_k3_s1_valid_relu")
def _():
    i = inp((5, 5, 4))
    return keras.Model(i, tconv(i, 3, 3, pad="valid", act="relu"))


@m16("tconv_k2_s2_valid_nobias_c4")
def _():
    i = inp((3, 4, 2))
    return keras.Model(i, tconv(i, 4, 2, s=2, pad="valid", bias=False))


# ---- ADD / SUB / MUL -------------------------------------------------------

@m16("add_same_shape_r13", rep_range=[1.0, 3.0], variants=VF)
def _():
    a = inp((6, 6, 5), name="in0")
    b = inp((6, 6, 5), name="in1")
    return keras.Model([a, b], keras.ops.add(a, b))


@m16("add_bcast_chan_relu6_r2", rep_range=[2.0, 1.0])
def _():
    a = inp((7, 7, 6), name="in0")
    b = inp((1, 1, 6), name="in1")
    return keras.Model([a, b], relu6(keras.ops.add(a, b)))


@m16("add_bcast_both_relu_r12", rep_range=[1.0, 2.0])
def _():
    a = inp((1, 9, 5), name="in0")
    b = inp((7, 1, 5), name="in1")
    return keras.Model([a, b], L.ReLU()(keras.ops.add(a, b)))


@m16("sub_same_shape_relu", rep_range=[2.0, 1.0])
def _():
    a = inp((6, 6, 5), name="in0")
    b = inp((6, 6, 5), name="in1")
    return keras.Model([a, b], L.ReLU()(L.Subtract()([a, b])))


@m16("sub_bcast_chan_r14", rep_range=[1.0, 4.0])
def _():
    a = inp((7, 7, 6), name="in0")
    b = inp((1, 1, 6), name="in1")
    return keras.Model([a, b], keras.ops.subtract(a, b))


@m16("mul_same_shape_r12", rep_range=[1.0, 2.0], variants=VF)
def _():
    a = inp((6, 6, 5), name="in0")
    b = inp((6, 6, 5), name="in1")
    return keras.Model([a, b], L.Multiply()([a, b]))


@m16("mul_bcast_both_relu6_r33", rep_range=[3.0, 3.0])
def _():
    a = inp((1, 9, 5), name="in0")
    b = inp((7, 1, 5), name="in1")
    return keras.Model([a, b], relu6(keras.ops.multiply(a, b)))


@m16("mul_bcast_chan_relu_r21", rep_range=[2.0, 1.0])
def _():
    a = inp((7, 7, 6), name="in0")
    b = inp((1, 1, 6), name="in1")
    return keras.Model([a, b], L.ReLU()(keras.ops.multiply(a, b)))


# ---- pooling, MEAN ---------------------------------------------------------

@m16("avgpool_p2_s2_valid_c6")
def _():
    i = inp((8, 8, 6))
    return keras.Model(i, L.AveragePooling2D(2, 2, padding="valid")(i))


@m16("avgpool_p3_s2_same_c4", variants=VF)
def _():
    i = inp((11, 11, 4))
    return keras.Model(i, L.AveragePooling2D(3, 2, padding="same")(i))


@m16("maxpool_p2_s2_valid_c6")
def _():
    i = inp((8, 8, 6))
    return keras.Model(i, L.MaxPooling2D(2, 2, padding="valid")(i))


@m16("maxpool_p3_s1_same_c5")
def _():
    i = inp((9, 9, 5))
    return keras.Model(i, L.MaxPooling2D(3, 1, padding="same")(i))


@m16("mean_gap_c16")
def _():
    i = inp((8, 8, 16))
    return keras.Model(i, L.GlobalAveragePooling2D()(i))


@m16("mean_axis2_keepdims")
def _():
    i = inp((6, 9, 4))
    return keras.Model(i, keras.ops.mean(i, axis=2, keepdims=True))


# ---- SOFTMAX and activations ------------------------------------------------

@m16("softmax_40_r6", rep_range=6.0)
def _():
    i = inp((40,))
    return keras.Model(i, L.Softmax()(i))


@m16("softmax_rows_5x16_r3", rep_range=3.0, variants=VF)
def _():
    i = inp((5, 16))
    return keras.Model(i, L.Softmax()(i))


@m16("logistic_r6", rep_range=6.0)
def _():
    i = inp((6, 6, 5))
    return keras.Model(i, L.Activation("sigmoid")(i))


@m16("tanh_r3", rep_range=3.0)
def _():
    i = inp((6, 6, 5))
    return keras.Model(i, L.Activation("tanh")(i))


@m16("leaky_relu_a0p2_r2", rep_range=2.0)
def _():
    i = inp((6, 6, 5))
    return keras.Model(i, L.LeakyReLU(negative_slope=0.2)(i))


@m16("relu_r2", rep_range=2.0)
def _():
    i = inp((6, 6, 5))
    return keras.Model(i, L.ReLU()(i))


def _relu6_tflm(ins, inputs_meta, outputs_meta):
    # A standalone RELU6 gets input scale ~8/32767 and output scale ~6/32767. TFLM clamps the
    # raw input to [zp, 6 in the input's scale] and ignores the output's quantization (as for
    # int8, see tools/README.md), so its golden is 3/4 of the float result (LiteRT rescales).
    # The golden must be exactly that.
    t = inputs_meta[0]
    six = int(np.round(6.0 / np.float32(t["scale"][0]))) + t["zero_point"][0]
    return [np.clip(ins[0], t["zero_point"][0], six).astype(np.int16)]


@m16("relu6_r8", rep_range=8.0, exact=_relu6_tflm)
def _():
    i = inp((6, 6, 5))
    return keras.Model(i, L.ReLU(max_value=6.0)(i))


# ---- data movement -----------------------------------------------------------

@m16("pad_zero2d_c3")
def _():
    i = inp((6, 5, 3))
    return keras.Model(i, L.ZeroPadding2D(((1, 2), (2, 1)))(i))


@m16("concat_chan_r13", rep_range=[1.0, 3.0])
def _():
    a = inp((5, 5, 3), name="in0")
    b = inp((5, 5, 2), name="in1")
    return keras.Model([a, b], L.Concatenate(axis=-1)([a, b]))


@m16("sslice_stride2_rev")
def _():
    i = inp((8, 7, 4))
    return keras.Model(i, lam(lambda t: t[:, 1:7:2, ::-1, 1:], i))


@m16("reshape_6x6x4_to_9x16")
def _():
    i = inp((6, 6, 4))
    return keras.Model(i, L.Reshape((9, 16))(i))


@m16("transpose_0213_c3")
def _():
    i = inp((4, 5, 3))
    return keras.Model(i, keras.ops.transpose(i, (0, 2, 1, 3)))


@m16("split_chan3_c6")
def _():
    i = inp((4, 4, 6))
    return keras.Model(i, lam(lambda t: tf.split(t, 3, axis=-1), i))


@m16("resize_nn_x2_c3")
def _():
    i = inp((4, 5, 3))
    return keras.Model(i, lam(lambda t: tf.image.resize(t, (8, 10), method="nearest"), i))


# ---- small networks ----------------------------------------------------------

@m16("net_dscnn_small", variants=VF)
def _():
    # conv -> depthwise -> pointwise -> average pool -> FC -> softmax.
    i = inp((16, 10, 1))
    x = conv(i, 8, (5, 3), s=2, act="relu")
    x = dwconv(x, 3, act="relu")
    x = conv(x, 8, 1, act="relu")
    x = L.AveragePooling2D(x.shape[1:3])(x)
    x = L.Flatten()(x)
    return keras.Model(i, L.Softmax()(dense(x, 6, gain=16.0)))


@m16("net_residual_block", variants=VF)
def _():
    # conv, then a residual block (two convs + identity ADD + ReLU), global mean, FC.
    i = inp((8, 8, 3))
    x = conv(i, 6, 3, act="relu")
    y = conv(x, 6, 3, act="relu")
    y = conv(y, 6, 3)
    x = L.ReLU()(keras.ops.add(x, y))
    x = L.GlobalAveragePooling2D()(x)
    return keras.Model(i, dense(x, 5))


@m16("net_mlp_tanh_sigmoid")
def _():
    i = inp((16,))
    x = L.Activation("tanh")(dense(i, 24, gain=4.0))
    x = dense(x, 12, act="relu")
    return keras.Model(i, L.Activation("sigmoid")(dense(x, 4, gain=4.0)))


@m16("net_unet_concat")
def _():
    # conv, max pool, conv, TRANSPOSE_CONV back up, skip CONCATENATION, 1x1 conv.
    i = inp((8, 8, 3))
    c1 = conv(i, 4, 3, act="relu")
    c2 = conv(L.MaxPooling2D(2)(c1), 6, 3, act="relu")
    u = tconv(c2, 4, 2, s=2)
    x = L.Concatenate(axis=-1)([u, c1])
    return keras.Model(i, conv(x, 3, 1))


# ---- more ops with an int16 kernel in TFLM -------------------------------------

@m16("maximum_bcast_r12", rep_range=[1.0, 2.0])
def _():
    a = inp((5, 8, 6), name="in0")
    b = inp((1, 8, 1), name="in1")
    return keras.Model([a, b], keras.ops.maximum(a, b))


@m16("minimum_same_shape_r21", rep_range=[2.0, 1.0])
def _():
    a = inp((6, 6, 5), name="in0")
    b = inp((6, 6, 5), name="in1")
    return keras.Model([a, b], L.Minimum()([a, b]))


@m16("slice_rank3_c4")
def _():
    i = inp((6, 7, 4))
    return keras.Model(i, lam(lambda t: tf.slice(t, [0, 1, 2, 0], [1, 4, -1, 3]), i))


@m16("splitv_sizes_142")
def _():
    i = inp((7, 5))
    return keras.Model(i, lam(lambda t: tf.split(t, [1, 4, 2], axis=1), i))


@m16("pack_axis1_r12", rep_range=[1.0, 2.0])
def _():
    a = inp((4, 3), name="in0")
    b = inp((4, 3), name="in1")
    return keras.Model([a, b], keras.ops.stack([a, b], axis=1))


@m16("unpack_axis1_c2")
def _():
    i = inp((3, 4, 2))
    return keras.Model(i, keras.ops.unstack(i, axis=1))
