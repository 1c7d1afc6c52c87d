"""REDUCE_MAX and REDUCE_MIN models for the conformance corpus (op breadth, wave 3b).

Imported by make_corpus.py (which loads every tools/corpus_*.py). `keras.ops.max` and
`keras.ops.min` become REDUCE_MAX and REDUCE_MIN (int8 and float32; the int8 conversion gives
the output the input's scale and zero point, which TFLM requires). Axes: one inner axis with
keep_dims, two axes without, the last axis, and all axes of a 4-D tensor. int8 inputs are
drawn within 100 of the zero point, so that maxima over many elements do not all saturate.
"""

import keras

import make_corpus
from corpus_svdf import check_outputs_vary
from make_corpus import inp, model

make_corpus.ALLOWED_OPS.update({"REDUCE_MAX", "REDUCE_MIN"})


def _vary(n, _m, c, _i, o):
    check_outputs_vary(n, c, o, min_distinct=3)


@model("reduce_max_axis2_keep", check=_vary, int_range=100)
def _():
    x = inp((5, 6, 4))
    return keras.Model(x, keras.ops.max(x, axis=2, keepdims=True))


@model("reduce_min_axes12", check=_vary, int_range=100)
def _():
    x = inp((5, 6, 4))
    return keras.Model(x, keras.ops.min(x, axis=(1, 2)))


@model("reduce_max_min_last", check=_vary, int_range=100)
def _():
    x = inp((4, 3, 7))
    return keras.Model(x, [keras.ops.max(x, axis=-1), keras.ops.min(x, axis=-1)])


@model("reduce_max_all", check=_vary, int_range=100)
def _():
    x = inp((3, 4, 5), batch=2)
    return keras.Model(x, keras.ops.max(x, axis=(1, 2, 3)))
