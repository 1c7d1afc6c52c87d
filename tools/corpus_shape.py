"""Data-movement and resampling models for the conformance corpus (op breadth, wave 2).

Imported by make_corpus.py (which loads every tools/corpus_*.py): registers models for PAD,
PADV2, CONCATENATION, STRIDED_SLICE, SLICE, TRANSPOSE, SQUEEZE, EXPAND_DIMS, SHAPE, PACK,
UNPACK, SPLIT, SPLIT_V, RESIZE_NEAREST_NEIGHBOR, RESIZE_BILINEAR, TRANSPOSE_CONV,
SPACE_TO_DEPTH and DEPTH_TO_SPACE, each in int8 and float32, and a few networks with
RESHAPE / SQUEEZE / EXPAND_DIMS between other ops (so that aliasing is exercised).

TensorFlow ops without a Keras layer go through `keras.layers.Lambda` (the TensorFlow backend
traces them). Keras' UpSampling2D(interpolation="nearest") is a pair of repeats, not a resize,
so the resize models call `tf.image.resize` / `tf.compat.v1.image.resize_*` directly.
Every op acts on a model input or on an activation, never on a constant, so that the
converter cannot fold it away.
"""

import struct

import keras
import tensorflow as tf
from keras import layers as L

import make_corpus
from make_corpus import conv, dense, inp, model

make_corpus.ALLOWED_OPS.update({
    "PAD", "PADV2", "CONCATENATION", "STRIDED_SLICE", "SLICE", "TRANSPOSE", "SQUEEZE",
    "EXPAND_DIMS", "SHAPE", "PACK", "UNPACK", "SPLIT", "SPLIT_V", "RESIZE_NEAREST_NEIGHBOR",
    "RESIZE_BILINEAR", "TRANSPOSE_CONV", "SPACE_TO_DEPTH", "DEPTH_TO_SPACE",
})


def lam(fn, x):
    return L.Lambda(fn)(x)


# ---- models with unknown dims ----------------------------------------------------
# With static shapes the converter turns SQUEEZE and EXPAND_DIMS into RESHAPE and folds SHAPE
# away; an unknown dimension keeps them. The converter stores such a dim as 1 in the tensor's
# `shape` (and -1 in `shape_signature`), so these models would only move single elements.
# `dynamic(n)` marks a Keras model so that, after conversion, every -1 of every tensor's
# shape_signature becomes `n` in its `shape` (patched in place: same bytes otherwise; TFLM
# reads `shape`). All unknown dims of such a model must therefore stand for the same size.
# The int8 variants need a static representative dataset, so these models are float32 only.

def dynamic(n, km):
    km._microlite_dynamic_dim = n
    return km


def _set_dynamic_dims(model_bytes, n):
    buf = bytearray(model_bytes)
    m = make_corpus.fb.Model.GetRootAsModel(buf, 0)
    for s in range(m.SubgraphsLength()):
        sg = m.Subgraphs(s)
        for i in range(sg.TensorsLength()):
            t = sg.Tensors(i)
            field = t._tab.Offset(4)  # Tensor.shape
            if not field or t.ShapeSignatureLength() != t.ShapeLength():
                continue
            start = t._tab.Vector(field)
            for j in range(t.ShapeLength()):
                if t.ShapeSignature(j) == -1:
                    struct.pack_into("<i", buf, start + 4 * j, n)
    return bytes(buf)


_convert = make_corpus.convert


def _convert_with_dims(keras_model, variant, rep_range, seed):
    out = _convert(keras_model, variant, rep_range, seed)
    n = getattr(keras_model, "_microlite_dynamic_dim", None)
    return out if n is None else _set_dynamic_dims(out, n)


make_corpus.convert = _convert_with_dims


def tconv(x, filters, k, s=1, pad="same", act=None, bias=True):
    return L.Conv2DTranspose(filters, k, strides=s, padding=pad, activation=act, use_bias=bias,
                             kernel_initializer=make_corpus.S.kernel(),
                             bias_initializer=make_corpus.S.bias())(x)


# ---- PAD / PADV2 -----------------------------------------------------------

@model("pad_zero2d")
def _():
    i = inp((6, 5, 3))
    return keras.Model(i, L.ZeroPadding2D(((1, 2), (2, 1)))(i))


@model("pad_after_relu_conv")
def _():
    # The ReLU'd conv output has zero point -128: int8 PAD must pad with it.
    i = inp((6, 6, 3))
    x = conv(i, 4, 3, act="relu")
    x = L.ZeroPadding2D(((2, 1), (0, 3)))(x)
    return keras.Model(i, x)


@model("pad_rank3")
def _():
    i = inp((5, 4))
    return keras.Model(i, lam(lambda t: tf.pad(t, [[0, 0], [1, 2], [3, 0]]), i))


@model("padv2_const")
def _():
    i = inp((4, 5, 3))
    return keras.Model(i, lam(lambda t: tf.pad(t, [[0, 0], [1, 1], [2, 0], [0, 0]],
                                               constant_values=0.5), i))


@model("padv2_rank2_neg")
def _():
    i = inp((7,))
    return keras.Model(i, lam(lambda t: tf.pad(t, [[1, 0], [2, 3]], constant_values=-0.25), i))


# ---- CONCATENATION ---------------------------------------------------------

@model("concat_chan", rep_range=[1.0, 3.0])
def _():
    a = inp((5, 5, 3), name="in0")
    b = inp((5, 5, 2), name="in1")
    return keras.Model([a, b], L.Concatenate(axis=-1)([a, b]))


@model("concat_axis1_three", rep_range=[1.0, 0.5, 2.0])
def _():
    a = inp((2, 6), name="in0")
    b = inp((3, 6), name="in1")
    c = inp((1, 6), name="in2")
    return keras.Model([a, b, c], L.Concatenate(axis=1)([a, b, c]))


@model("concat_convs_axis2")
def _():
    i = inp((6, 6, 3))
    x = conv(i, 4, 3, act="relu")
    y = conv(i, 4, 1)
    return keras.Model(i, L.Concatenate(axis=2)([x, y]))


# ---- STRIDED_SLICE / SLICE -------------------------------------------------

@model("sslice_neg_stride")
def _():
    i = inp((8, 7, 4))
    return keras.Model(i, lam(lambda t: t[:, 1:7:2, ::-1, :], i))


@model("sslice_shrink_masks")
def _():
    i = inp((6, 7, 5))
    return keras.Model(i, lam(lambda t: t[:, 2, :5, 1:4], i))


@model("sslice_explicit")
def _():
    i = inp((9, 8))
    return keras.Model(i, lam(lambda t: tf.strided_slice(
        t, [0, -2, 7], [1, -9, 0], [1, -3, -2], begin_mask=1, end_mask=0), i))


@model("sslice_rank4_begin_end_mask")
def _():
    i = inp((6, 6, 6))
    return keras.Model(i, lam(lambda t: tf.strided_slice(
        t, [0, 1, 2, 3], [1, 5, 4, 6], [1, 2, 1, 3], begin_mask=0b0100, end_mask=0b1000), i))


@model("slice_basic")
def _():
    i = inp((6, 7, 4))
    return keras.Model(i, lam(lambda t: tf.slice(t, [0, 1, 2, 0], [1, 4, -1, 3]), i))


@model("slice_rank2")
def _():
    i = inp((20,))
    return keras.Model(i, lam(lambda t: tf.slice(t, [0, 5], [1, 9]), i))


# ---- TRANSPOSE -------------------------------------------------------------

@model("transpose_0213")
def _():
    i = inp((4, 5, 3))
    return keras.Model(i, keras.ops.transpose(i, (0, 2, 1, 3)))


@model("transpose_permute_3d")
def _():
    i = inp((6, 4))
    return keras.Model(i, L.Permute((2, 1))(i))


@model("transpose_0312")
def _():
    i = inp((3, 4, 5))
    return keras.Model(i, keras.ops.transpose(i, (0, 3, 1, 2)))


# ---- SQUEEZE / EXPAND_DIMS / SHAPE ---------------------------------------------

@model("squeeze_dynamic", variants=("f32",))
def _():
    i = keras.Input(shape=(None, 1, None), batch_size=1)
    return dynamic(5, keras.Model(i, lam(lambda t: tf.squeeze(t, axis=2), i)))


@model("expand_dims_dynamic", variants=("f32",))
def _():
    i = keras.Input(shape=(None, 5), batch_size=1)
    return dynamic(6, keras.Model(i, lam(lambda t: tf.expand_dims(t, -1), i)))


@model("chain_dynamic_squeeze_expand_conv", variants=("f32",))
def _():
    i = keras.Input(shape=(None, 1, None), batch_size=1)
    x = lam(lambda t: tf.squeeze(t, axis=2), i)   # [1, n, m]
    x = lam(lambda t: tf.expand_dims(t, 3), x)    # [1, n, m, 1]
    return dynamic(6, keras.Model(i, conv(x, 4, 3, act="relu")))


@model("shape_dynamic", variants=("f32",))
def _():
    i = keras.Input(shape=(None, 4), batch_size=1)
    return dynamic(7, keras.Model(i, lam(lambda t: tf.shape(t), i)))


# ---- PACK / UNPACK ---------------------------------------------------------

@model("pack_axis1", rep_range=[1.0, 2.0])
def _():
    a = inp((4, 3), name="in0")
    b = inp((4, 3), name="in1")
    return keras.Model([a, b], keras.ops.stack([a, b], axis=1))


@model("pack_axis_last_three")
def _():
    a = inp((5,), name="in0")
    b = inp((5,), name="in1")
    c = inp((5,), name="in2")
    return keras.Model([a, b, c], keras.ops.stack([a, b, c], axis=-1))


@model("unpack_axis1")
def _():
    i = inp((3, 4, 2))
    return keras.Model(i, keras.ops.unstack(i, axis=1))


@model("unpack_axis_last")
def _():
    i = inp((5, 4))
    return keras.Model(i, keras.ops.unstack(i, axis=-1))


# ---- SPLIT / SPLIT_V -------------------------------------------------------

@model("split_chan3")
def _():
    i = inp((4, 4, 6))
    return keras.Model(i, lam(lambda t: tf.split(t, 3, axis=-1), i))


@model("split_axis1_two")
def _():
    i = inp((8, 3))
    return keras.Model(i, lam(lambda t: tf.split(t, 2, axis=1), i))


@model("splitv_sizes")
def _():
    i = inp((7, 5))
    return keras.Model(i, lam(lambda t: tf.split(t, [1, 4, 2], axis=1), i))


@model("splitv_neg_one")
def _():
    i = inp((3, 4, 9))
    return keras.Model(i, lam(lambda t: tf.split(t, [2, -1, 3], axis=3), i))


# ---- RESIZE_NEAREST_NEIGHBOR / RESIZE_BILINEAR -------------------------------

@model("resize_nn_x2_halfpix")
def _():
    i = inp((4, 5, 3))
    return keras.Model(i, lam(lambda t: tf.image.resize(t, (8, 10), method="nearest"), i))


@model("resize_nn_align_corners")
def _():
    i = inp((5, 4, 2))
    return keras.Model(i, lam(lambda t: tf.compat.v1.image.resize_nearest_neighbor(
        t, (9, 7), align_corners=True), i))


@model("resize_nn_down_plain")
def _():
    i = inp((9, 7, 3))
    return keras.Model(i, lam(lambda t: tf.compat.v1.image.resize_nearest_neighbor(
        t, (5, 3)), i))


@model("resize_bilinear_halfpix")
def _():
    i = inp((4, 5, 3))
    return keras.Model(i, lam(lambda t: tf.image.resize(t, (7, 11), method="bilinear"), i))


@model("resize_bilinear_align_corners")
def _():
    i = inp((5, 4, 2))
    return keras.Model(i, lam(lambda t: tf.compat.v1.image.resize_bilinear(
        t, (9, 6), align_corners=True), i))


@model("resize_bilinear_plain_down")
def _():
    i = inp((9, 8, 3))
    return keras.Model(i, lam(lambda t: tf.compat.v1.image.resize_bilinear(t, (4, 5)), i))


@model("resize_bilinear_upsampling2d")
def _():
    i = inp((4, 4, 3))
    x = conv(i, 4, 3, act="relu")
    return keras.Model(i, L.UpSampling2D(2, interpolation="bilinear")(x))


# ---- TRANSPOSE_CONV --------------------------------------------------------

@model("tconv_k3_s2_same", variants=("int8", "f32", "int8_pertensor"))
def _():
    i = inp((4, 4, 3))
    return keras.Model(i, tconv(i, 5, 3, s=2))


@model("tconv_k3_s1_valid")
def _():
    i = inp((5, 5, 4))
    return keras.Model(i, tconv(i, 3, 3, pad="valid"))


@model("tconv_k2_s2_valid_nobias")
def _():
    i = inp((3, 4, 2))
    return keras.Model(i, tconv(i, 4, 2, s=2, pad="valid", bias=False))


@model("tconv_k4_s1_same")
def _():
    i = inp((5, 5, 3))
    return keras.Model(i, tconv(i, 6, 4))


@model("tconv_k3_s2_valid_relu")
def _():
    i = inp((4, 3, 3))
    return keras.Model(i, tconv(i, 4, 3, s=2, pad="valid", act="relu"))


# ---- SPACE_TO_DEPTH / DEPTH_TO_SPACE -----------------------------------------

@model("space_to_depth_b2")
def _():
    i = inp((6, 4, 3))
    return keras.Model(i, lam(lambda t: tf.nn.space_to_depth(t, 2), i))


@model("depth_to_space_b2")
def _():
    i = inp((3, 2, 8))
    return keras.Model(i, lam(lambda t: tf.nn.depth_to_space(t, 2), i))


@model("space_to_depth_b3_conv")
def _():
    i = inp((6, 6, 2))
    x = lam(lambda t: tf.nn.space_to_depth(t, 3), i)
    x = conv(x, 4, 1)
    return keras.Model(i, lam(lambda t: tf.nn.depth_to_space(t, 2), x))


# ---- chains: reshape-like ops between other ops ------------------------------

@model("chain_squeeze_fc")
def _():
    i = inp((6, 6, 3))
    x = conv(i, 8, 3, s=2, act="relu")
    x = L.AveragePooling2D(3)(x)                 # [1, 1, 1, 8]
    x = lam(lambda t: tf.squeeze(t, axis=[1, 2]), x)
    return keras.Model(i, dense(x, 5))


@model("chain_expand_conv")
def _():
    i = inp((10, 4))
    x = dense(i, 6, act="relu")                  # [1, 10, 6]
    x = lam(lambda t: tf.expand_dims(t, 2), x)   # [1, 10, 1, 6]
    x = conv(x, 5, (3, 1), act="relu")
    x = lam(lambda t: tf.squeeze(t, axis=2), x)  # [1, 10, 5]
    return keras.Model(i, dense(x, 3))


@model("chain_reshape_transpose_concat")
def _():
    i = inp((4, 4, 6))
    x = conv(i, 6, 1, act="relu")
    y = L.Reshape((4, 4, 2, 3))(x)
    y = keras.ops.transpose(y, (0, 1, 2, 4, 3))
    y = L.Reshape((4, 4, 6))(y)
    return keras.Model(i, L.Concatenate(axis=-1)([x, y]))


@model("sslice_ellipsis")
def _():
    i = inp((5, 6, 7))
    return keras.Model(i, lam(lambda t: t[..., 1:6:2], i))


@model("sslice_new_axis")
def _():
    i = inp((5, 6))
    return keras.Model(i, lam(lambda t: t[:, tf.newaxis, 1:4, ::2], i))


@model("tconv_k2x3_s1x2_same")
def _():
    i = inp((4, 3, 3))
    return keras.Model(i, tconv(i, 4, (2, 3), s=(1, 2)))


@model("net_unet_tiny")
def _():
    # Encoder conv, pool, conv; TRANSPOSE_CONV back up and a skip CONCATENATION.
    i = inp((8, 8, 3))
    c1 = conv(i, 6, 3, act="relu")
    c2 = conv(L.MaxPooling2D(2)(c1), 8, 3, act="relu")
    u = tconv(c2, 6, 2, s=2)
    x = L.Concatenate(axis=-1)([u, c1])
    return keras.Model(i, conv(x, 4, 1))
