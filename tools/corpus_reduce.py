"""REDUCE_MAX and REDUCE_MIN models for the conformance corpus (op breadth, wave 3b).

Imported by make_corpus.py (which loads every tools/corpus_*.py). `keras.ops.max` and
`keras.ops.min` become REDUCE_MAX and REDUCE_MIN (int8 and float32; the int8 conversion gives
the output the input's scale and zero point, which TFLM requires). Axes: one inner axis with
keep_dims, two axes without, the last axis, and all axes of a 4-D tensor. int8 inputs are
drawn within 100 of the zero point, so that maxima over many elements do not all saturate.
REDUCE_ALL (bool only in TFLM) comes from `keras.ops.all` over `x > t`: a threshold low
enough that some reductions are all true and some not.
"""

import keras

import make_corpus
from corpus_svdf import check_outputs_vary
from make_corpus import inp, model

make_corpus.ALLOWED_OPS.update({"REDUCE_MAX", "REDUCE_MIN", "REDUCE_ALL", "GREATER", "CAST"})


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


def _both(n, _m, cases, _i, _o):
    """A bool output must be true somewhere and false somewhere."""
    import numpy as np
    seen = np.concatenate([np.ravel(o) for _, outs in cases for o in outs])
    if seen.all() or not seen.any():
        raise RuntimeError(f"{n}: bool output is constant over the cases")


# float32 only: the int8 conversion keeps the comparison in float.
@model("reduce_all_axis1_keep", variants=("f32",), check=_both)
def _():
    x = inp((3, 4, 2))
    return keras.Model(x, keras.ops.all(x > -0.6, axis=1, keepdims=True))


@model("reduce_all_axes02", variants=("f32",), check=_both)
def _():
    x = inp((3, 2, 5))
    return keras.Model(x, keras.ops.all(x > -0.8, axis=(0, 2)))
