"""SPACE_TO_BATCH_ND and BATCH_TO_SPACE_ND models for the conformance corpus (op breadth,
wave 3b).

Imported by make_corpus.py (which loads every tools/corpus_*.py). `tf.space_to_batch_nd` and
`tf.batch_to_space_nd` convert to those ops, float32 and int8: a 4-D input with a 2x2 block
and padding on all sides, a 3-D input (one spatial dim) with a block of 3, a 4-D round trip
with crops. The int8 input's zero point is not 0 (inputs drawn in [-1, 1] after a shift),
so the goldens show what TFLM pads with: 0, not the zero point.
"""

import keras
import tensorflow as tf

import make_corpus
from corpus_svdf import check_outputs_vary
from make_corpus import inp, model

make_corpus.ALLOWED_OPS.update({"SPACE_TO_BATCH_ND", "BATCH_TO_SPACE_ND"})


def _vary(n, _m, c, _i, o):
    check_outputs_vary(n, c, o)


def _lambda(fn, x):
    return keras.layers.Lambda(fn)(x)


@model("space_to_batch_2x2_pad", check=_vary)
def _():
    x = inp((5, 6, 3))
    y = keras.ops.add(x, 0.7)
    return keras.Model(x, _lambda(
        lambda t: tf.space_to_batch_nd(t, [2, 2], [[1, 0], [1, 3]]), y))


@model("space_to_batch_3d", check=_vary)
def _():
    x = inp((7, 4))
    return keras.Model(x, _lambda(lambda t: tf.space_to_batch_nd(t, [3], [[0, 2]]), x))


@model("batch_to_space_crops", check=_vary)
def _():
    x = inp((3, 4, 2), batch=4)
    return keras.Model(x, _lambda(
        lambda t: tf.batch_to_space(t, [2, 2], [[1, 0], [0, 3]]), x))


@model("batch_to_space_3d", check=_vary)
def _():
    x = inp((5, 3), batch=2)
    return keras.Model(x, _lambda(lambda t: tf.batch_to_space(t, [2], [[0, 1]]), x))
