"""Elementwise and activation models for the conformance corpus (op breadth, wave 2).

Imported by make_corpus.py (which loads every tools/corpus_*.py): registers models for MUL,
SUB, MAXIMUM, MINIMUM, LOGISTIC, TANH, RELU, RELU6, LEAKY_RELU, HARD_SWISH, PRELU,
L2_NORMALIZATION, ARG_MAX and ARG_MIN, each in int8 and float32.

Float inputs of the corpus are uniform in [-1, 1]; models that need a wider float range
(TANH, LOGISTIC, HARD_SWISH, RELU6) scale the input with a MUL first and keep that product as
a second output, so that the converter cannot fuse the activation into the MUL. Their int8
variants are calibrated on the same [-1, 1] inputs, so the activation sees [-k, k].
"""

import keras
import tensorflow as tf
from keras import layers as L

import make_corpus
from make_corpus import inp, model

make_corpus.ALLOWED_OPS.update({
    "MUL", "SUB", "MAXIMUM", "MINIMUM", "LOGISTIC", "TANH", "RELU", "RELU6", "LEAKY_RELU",
    "HARD_SWISH", "PRELU", "L2_NORMALIZATION", "ARG_MAX", "ARG_MIN",
})


def _uniform(lo, hi, seed):
    return keras.initializers.RandomUniform(lo, hi, seed=seed)


def _scaled(x, k):
    """`x * k` as its own MUL (kept as a model output so nothing fuses into it)."""
    return keras.ops.multiply(x, k)


# ---- MUL -------------------------------------------------------------------

@model("mul_same_shape", rep_range=[1.0, 2.0])
def _():
    a = inp((6, 6, 5), name="in0")
    b = inp((6, 6, 5), name="in1")
    return keras.Model([a, b], L.Multiply()([a, b]))


@model("mul_bcast_chan_relu", variants=("int8", "f32", "int8_floatio"), rep_range=[2.0, 1.0])
def _():
    a = inp((7, 7, 6), name="in0")
    b = inp((1, 1, 6), name="in1")
    return keras.Model([a, b], L.ReLU()(keras.ops.multiply(a, b)))


@model("mul_bcast_both", rep_range=[1.0, 3.0])
def _():
    a = inp((1, 9, 5), name="in0")
    b = inp((7, 1, 5), name="in1")
    return keras.Model([a, b], keras.ops.multiply(a, b))


@model("mul_const_scalar_relu6")
def _():
    i = inp((5, 5, 4))
    return keras.Model(i, L.ReLU(max_value=6.0)(keras.ops.multiply(i, 7.5)))


# ---- SUB -------------------------------------------------------------------

@model("sub_same_shape", rep_range=[1.0, 3.0])
def _():
    a = inp((6, 6, 5), name="in0")
    b = inp((6, 6, 5), name="in1")
    return keras.Model([a, b], L.Subtract()([a, b]))


@model("sub_bcast_chan_relu6", rep_range=[4.0, 1.0])
def _():
    a = inp((7, 7, 6), name="in0")
    b = inp((1, 1, 6), name="in1")
    return keras.Model([a, b], L.ReLU(max_value=6.0)(keras.ops.subtract(a, b)))


@model("sub_bcast_both_relu", rep_range=[1.0, 2.0])
def _():
    a = inp((1, 9, 5), name="in0")
    b = inp((7, 1, 5), name="in1")
    return keras.Model([a, b], L.ReLU()(keras.ops.subtract(a, b)))


# ---- MAXIMUM / MINIMUM -----------------------------------------------------

@model("maximum_same_shape", rep_range=[1.0, 2.0])
def _():
    a = inp((6, 6, 5), name="in0")
    b = inp((6, 6, 5), name="in1")
    return keras.Model([a, b], L.Maximum()([a, b]))


@model("maximum_bcast", rep_range=[1.0, 1.0])
def _():
    a = inp((5, 8, 6), name="in0")
    b = inp((1, 8, 1), name="in1")
    return keras.Model([a, b], keras.ops.maximum(a, b))


@model("minimum_same_shape", rep_range=[2.0, 1.0])
def _():
    a = inp((6, 6, 5), name="in0")
    b = inp((6, 6, 5), name="in1")
    return keras.Model([a, b], L.Minimum()([a, b]))


@model("minimum_bcast", rep_range=[1.0, 1.0])
def _():
    a = inp((1, 7, 6), name="in0")
    b = inp((4, 1, 6), name="in1")
    return keras.Model([a, b], keras.ops.minimum(a, b))


# ---- LOGISTIC / TANH -------------------------------------------------------

@model("logistic_wide")
def _():
    i = inp((8, 8, 4))
    x = _scaled(i, 8.0)
    return keras.Model(i, [x, L.Activation("sigmoid")(x)])


@model("logistic_narrow", rep_range=0.5)
def _():
    i = inp((6, 6, 5))
    return keras.Model(i, L.Activation("sigmoid")(i))


@model("tanh_wide")
def _():
    i = inp((8, 8, 4))
    x = _scaled(i, 6.0)
    return keras.Model(i, [x, L.Activation("tanh")(x)])


@model("tanh_narrow", rep_range=0.5)
def _():
    i = inp((6, 6, 5))
    return keras.Model(i, L.Activation("tanh")(i))


# ---- RELU / RELU6 / LEAKY_RELU / HARD_SWISH ---------------------------------

@model("relu_plain", rep_range=2.0)
def _():
    i = inp((6, 6, 5))
    return keras.Model(i, L.ReLU()(i))


@model("relu6_wide")
def _():
    i = inp((6, 6, 5))
    x = _scaled(i, 8.0)
    return keras.Model(i, [x, L.ReLU(max_value=6.0)(x)])


@model("relu6_plain", rep_range=4.0)
def _():
    i = inp((6, 6, 5))
    return keras.Model(i, L.ReLU(max_value=6.0)(i))


@model("leaky_relu_a0p2", rep_range=2.0)
def _():
    i = inp((6, 6, 5))
    return keras.Model(i, L.LeakyReLU(negative_slope=0.2)(i))


@model("leaky_relu_a0p01", rep_range=3.0)
def _():
    i = inp((6, 6, 5))
    return keras.Model(i, L.LeakyReLU(negative_slope=0.01)(i))


@model("leaky_relu_a0p7", rep_range=1.0)
def _():
    i = inp((4, 4, 7))
    return keras.Model(i, L.LeakyReLU(negative_slope=0.7)(i))


@model("hard_swish_wide")
def _():
    i = inp((8, 8, 4))
    x = _scaled(i, 5.0)
    return keras.Model(i, [x, keras.ops.hard_swish(x)])


@model("hard_swish_narrow", rep_range=1.0)
def _():
    i = inp((6, 6, 5))
    return keras.Model(i, keras.ops.hard_swish(i))


# ---- PRELU -----------------------------------------------------------------

@model("prelu_per_channel", rep_range=2.0)
def _():
    i = inp((6, 6, 5))
    return keras.Model(i, L.PReLU(alpha_initializer=_uniform(-0.5, 1.0, 11),
                                  shared_axes=[1, 2])(i))


@model("prelu_full_alpha", rep_range=1.0)
def _():
    i = inp((4, 5, 3))
    return keras.Model(i, L.PReLU(alpha_initializer=_uniform(0.0, 0.6, 12))(i))


# ---- L2_NORMALIZATION ------------------------------------------------------

@model("l2norm_last_axis", rep_range=1.0)
def _():
    i = inp((5, 5, 8))
    return keras.Model(i, L.Lambda(lambda x: tf.math.l2_normalize(x, axis=-1))(i))


@model("l2norm_2d", rep_range=2.0)
def _():
    i = inp((24,))
    return keras.Model(i, L.Lambda(lambda x: tf.math.l2_normalize(x, axis=-1))(i))


# ---- ARG_MAX / ARG_MIN -----------------------------------------------------

@model("arg_max_last_axis")
def _():
    i = inp((6, 6, 7))
    return keras.Model(i, L.Lambda(lambda x: tf.argmax(x, axis=-1, output_type=tf.int32))(i))


@model("arg_max_axis1")
def _():
    i = inp((9, 5, 4))
    return keras.Model(i, L.Lambda(lambda x: tf.argmax(x, axis=1, output_type=tf.int32))(i))


@model("arg_min_last_axis")
def _():
    i = inp((6, 6, 7))
    return keras.Model(i, L.Lambda(lambda x: tf.argmin(x, axis=-1, output_type=tf.int32))(i))


@model("arg_min_axis2")
def _():
    i = inp((4, 8, 5))
    return keras.Model(i, L.Lambda(lambda x: tf.argmin(x, axis=2, output_type=tf.int32))(i))


# ---- a small network using several of them ---------------------------------

@model("net_se_block")
def _():
    # MobileNetV3-style block: conv + hard-swish, then squeeze-and-excitation (global mean,
    # 1x1 convs, sigmoid gate multiplied back onto the features), then a 1x1 projection.
    i = inp((8, 8, 3))
    x = keras.ops.hard_swish(make_corpus.conv(i, 8, 3))
    g = keras.ops.mean(x, axis=(1, 2), keepdims=True)
    g = make_corpus.conv(g, 4, 1, act="relu")
    g = L.Activation("sigmoid")(make_corpus.conv(g, 8, 1))
    return keras.Model(i, make_corpus.conv(keras.ops.multiply(x, g), 6, 1))
