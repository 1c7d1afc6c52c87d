"""FLOOR_DIV, FLOOR_MOD and ADD_N models for the conformance corpus (op breadth, wave 3b).

Imported by make_corpus.py (which loads every tools/corpus_*.py). TFLM runs FLOOR_DIV and
FLOOR_MOD in float32 only, so those are float32 converter models (`keras.ops.floor_divide`,
`keras.ops.mod`); ADD_N (`tf.math.add_n`) comes as float32 and int8 from the converter, plus a
raw int8 model with a non-zero input zero point far from the output's (TFLM's int8 sum
carries one extra `-zero_point`, which the goldens then show).

The divisors are kept away from zero inside the model (`abs(y) + 0.3`: TFLM fails FLOOR_DIV on
a zero divisor). `floor_div_halves` divides exact halves (`round(32x) / 2`) by 0.1: the double
quotient of `k / 2` by `0.1f` lies just below `5k`, so TFLM's floor of the double quotient is
`5k - 1` where a float quotient would give `5k`.
"""

import keras
import numpy as np
import tensorflow as tf

import make_corpus
import tflite_fb as tfb
from corpus_svdf import check_outputs_vary
from make_corpus import inp, model
from tflite_fb import fb

make_corpus.ALLOWED_OPS.update({"FLOOR_DIV", "FLOOR_MOD", "ADD_N"})

CONVERTER = "none: flatbuffer built by microlite tools/corpus_arith.py (tflite schema object API)"
F32 = np.float32
F = ("f32",)


def _vary(n, _m, c, _i, o):
    check_outputs_vary(n, c, o)


def _divisor(b):
    return keras.ops.add(keras.ops.abs(b), 0.3)


# ---- FLOOR_DIV / FLOOR_MOD -------------------------------------------------------

@model("floor_div_bcast", variants=F, check=_vary)
def _():
    a = inp((5, 6, 4), name="in0")
    b = inp((1, 6, 1), name="in1")
    return keras.Model([a, b], keras.ops.floor_divide(keras.ops.multiply(a, 5.0), _divisor(b)))


@model("floor_div_halves", variants=F, check=_vary)
def _():
    a = inp((6, 8))
    halves = keras.ops.multiply(keras.ops.round(keras.ops.multiply(a, 32.0)), 0.5)
    return keras.Model(a, [keras.ops.floor_divide(halves, 0.1), halves])


@model("floor_mod_bcast", variants=F, check=_vary)
def _():
    a = inp((5, 6, 4), name="in0")
    b = inp((5, 1, 4), name="in1")
    x = keras.ops.multiply(a, 3.0)
    return keras.Model([a, b], [keras.ops.mod(x, _divisor(b)),
                                keras.ops.mod(x, keras.ops.negative(_divisor(b)))])


# ---- ADD_N ---------------------------------------------------------------------------

@model("add_n_three", variants=F, check=_vary)
def _():
    a = inp((4, 5, 6), name="in0")
    b = inp((4, 5, 6), name="in1")
    c = inp((4, 5, 6), name="in2")
    return keras.Model([a, b, c], keras.layers.Lambda(lambda t: tf.math.add_n(t))([a, b, c]))


def _add_n_int8(seed):
    # Four inputs at zero point 40 (scale 0.02), the output at zero point 5 (scale 0.05): the
    # extra -40 * 0.02 moves every output by 16 steps.
    g = tfb.Graph()
    ins = [g.tensor(f"in{k}", [3, 20], np.int8, scale=F32(0.02), zero_point=40)
           for k in range(4)]
    o = g.tensor("out", [3, 20], np.int8, scale=F32(0.05), zero_point=5)
    g.op(fb.BuiltinOperator.ADD_N, ins, [o])
    return g.finish(ins, [o], CONVERTER)


model("add_n_int8_zero_points", variants=("",), raw=True, converter=CONVERTER,
      int_range=60, check=_vary)(_add_n_int8)
