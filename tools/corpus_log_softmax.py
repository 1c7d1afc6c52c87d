"""LOG_SOFTMAX models for the conformance corpus (op breadth, wave 3b).

Imported by make_corpus.py (which loads every tools/corpus_*.py). `tf.nn.log_softmax` becomes
LOG_SOFTMAX in float32 and int8 (the converter fixes the int8 output at scale 16/256, zero
point 127, as TFLM requires): over the last axis of a 3-D input, and after a dense layer
with large weights (gain 4), whose logits spread far enough that some outputs reach the
-128 floor (8% of them).
"""

import keras
import tensorflow as tf

import make_corpus
from corpus_svdf import check_outputs_vary
from make_corpus import inp, model

make_corpus.ALLOWED_OPS.update({"LOG_SOFTMAX"})


def _vary(n, _m, c, _i, o):
    check_outputs_vary(n, c, o, max_sat=0.25)


@model("log_softmax_3d", check=_vary, rep_range=3.0)
def _():
    x = inp((4, 3, 10))
    return keras.Model(x, keras.layers.Lambda(tf.nn.log_softmax)(x))


@model("log_softmax_wide", check=_vary, rep_range=4.0)
def _():
    x = inp((16,))
    y = make_corpus.dense(x, 24, gain=4.0)
    return keras.Model(x, keras.layers.Lambda(tf.nn.log_softmax)(y))
