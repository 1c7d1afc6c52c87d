"""Unary math models for the conformance corpus (op breadth, wave 3).

Imported by make_corpus.py (which loads every tools/corpus_*.py): registers models for ABS,
NEG, SQUARE, SQRT, RSQRT, EXP, LOG, SIN, COS, FLOOR, CEIL, ROUND and SQUARED_DIFFERENCE
(float32 and int8 from the converter, raw int16 and int32). TFLM runs all of them in
float32; only ABS (int8, int16) and RSQRT (int8) have quantized kernels, so only those get int8
variants or hand-made int16 models.

Float inputs of the corpus are uniform in [-1, 1]. Ops that need another domain get it inside
the model: SQRT and RSQRT see `abs(x)` (plus 0.02 for RSQRT), LOG `x^2 + 0.01`, EXP, SIN, COS,
FLOOR and CEIL a multiple of `x` (a MUL by a constant), and ROUND both `5x` and the exact
halves `floor(8x) / 2`, so that ties (rounded to even) are tested.

The converter keeps `keras.ops.abs/negative/square/sqrt/rsqrt/exp/log/sin/cos/floor/ceil/round`
as the one builtin each. Its int8 ABS gets an output scale different from its input's (TFLM's
rescale path); the raw models (`tools/tflite_fb.py`) add an int8 ABS with equal scales (no
rescale), int16 ABS with zero points 0 (rescaled and not) and without quantization, and an
int8 RSQRT whose input zero point is -128, so that every input is valid and the input at the
zero point (TFLM's "max output" case) occurs.
"""

import keras
import numpy as np
import tensorflow as tf

import make_corpus
import tflite_fb as tfb
from corpus_svdf import check_outputs_vary
from make_corpus import inp, model
from tflite_fb import fb

make_corpus.ALLOWED_OPS.update({
    "ABS", "NEG", "SQUARE", "SQRT", "RSQRT", "EXP", "LOG", "SIN", "COS", "FLOOR", "CEIL",
    "ROUND", "SQUARED_DIFFERENCE",
})

CONVERTER = "none: flatbuffer built by microlite tools/corpus_math.py (tflite schema object API)"
F32 = np.float32
F = ("f32",)


def _scaled(x, k):
    return keras.ops.multiply(x, k)


# ---- ABS / NEG / SQUARE ----------------------------------------------------

@model("abs")
def _():
    i = inp((6, 6, 5))
    return keras.Model(i, keras.ops.abs(i))


@model("neg", variants=F)
def _():
    i = inp((4, 7, 5))
    return keras.Model(i, keras.ops.negative(i))


@model("square", variants=F)
def _():
    i = inp((5, 9))
    return keras.Model(i, keras.ops.square(i))


# ---- SQRT / RSQRT / LOG / EXP ---------------------------------------------

@model("sqrt_of_abs", variants=F)
def _():
    i = inp((6, 6, 4))
    return keras.Model(i, keras.ops.sqrt(keras.ops.abs(i)))


@model("rsqrt_of_abs")
def _():
    i = inp((6, 6, 4))
    return keras.Model(i, keras.ops.rsqrt(keras.ops.abs(i) + 0.02))


@model("log_of_square", variants=F)
def _():
    i = inp((3, 8, 5))
    return keras.Model(i, keras.ops.log(keras.ops.square(i) + 0.01))


@model("exp_wide", variants=F)
def _():
    i = inp((4, 4, 6))
    x = _scaled(i, 3.0)
    return keras.Model(i, [keras.ops.exp(x), x])


# ---- SIN / COS -------------------------------------------------------------

@model("sin_wide", variants=F)
def _():
    i = inp((4, 4, 6))
    x = _scaled(i, 4.0)
    return keras.Model(i, [keras.ops.sin(x), x])


@model("cos_wide", variants=F)
def _():
    i = inp((4, 4, 6))
    x = _scaled(i, 4.0)
    return keras.Model(i, [keras.ops.cos(x), x])


# ---- FLOOR / CEIL / ROUND --------------------------------------------------

@model("floor_ceil_wide", variants=F)
def _():
    i = inp((5, 5, 4))
    x = _scaled(i, 5.0)
    return keras.Model(i, [keras.ops.floor(x), keras.ops.ceil(x), x])


@model("round_ties", variants=F)
def _():
    i = inp((5, 5, 4))
    x = _scaled(i, 5.0)
    halves = _scaled(keras.ops.floor(_scaled(i, 8.0)), 0.5)
    return keras.Model(i, [keras.ops.round(x), keras.ops.round(halves), x])


# ---- SQUARED_DIFFERENCE ------------------------------------------------------

@model("squared_difference_bcast", rep_range=[1.0, 0.5])
def _():
    a = inp((5, 6, 4), name="in0")
    b = inp((1, 6, 1), name="in1")
    return keras.Model([a, b], keras.layers.Lambda(
        lambda t: tf.math.squared_difference(t[0], t[1]))([a, b]))


# ---- raw quantized ABS / RSQRT ---------------------------------------------

def one_op(name, op, version, shape, dtype, in_q, out_q, int_range=None, check=None):
    """A model of one operator: input (dtype, (scale, zp) or None) -> output of that dtype."""
    def build(seed):
        g = tfb.Graph()
        kw_in = dict(scale=in_q[0], zero_point=in_q[1]) if in_q else {}
        kw_out = dict(scale=out_q[0], zero_point=out_q[1]) if out_q else {}
        x = g.tensor("input", shape, dtype, **kw_in)
        y = g.tensor("output", shape, dtype, **kw_out)
        g.op(op, [x], [y], version=version)
        return g.finish([x], [y], CONVERTER)

    model(name, variants=("",), raw=True, converter=CONVERTER, int_range=int_range,
          check=check or (lambda n, _m, c, _i, o: check_outputs_vary(n, c, o)))(build)


ABS = fb.BuiltinOperator.ABS
RSQRT = fb.BuiltinOperator.RSQRT
# int8 ABS, equal scales (no rescale), zero points -20 -> -128.
one_op("abs_int8_same_scale", ABS, 2, [4, 30], np.int8, (F32(0.02), -20), (F32(0.02), -128))
# int16 ABS, zero points 0: scale ratio 1.7 (multiplier > 1), inputs in +-20000 so a few
# saturate; and equal scales over the whole range (-32768 saturates to 32767).
one_op("abs_int16_rescale", ABS, 3, [3, 40], np.int16, (F32(0.0017), 0), (F32(0.001), 0),
       int_range=20000)
one_op("abs_int16_same_scale", ABS, 3, [3, 40], np.int16, (F32(0.001), 0), (F32(0.001), 0))
# int16 ABS without quantization: TFLM's plain std::abs.
one_op("abs_int16_noquant", ABS, 4, [2, 50], np.int16, None, None)
# int8 RSQRT with input zero point -128 (every input valid; -128 itself gives 127).
one_op("rsqrt_int8_zp_min", RSQRT, 2, [4, 32], np.int8, (F32(0.01), -128), (F32(0.04), -128))


def two_in(name, op, shape1, shape2, out_shape, dtype, q1, q2, qo, int_range=None):
    """A model of one binary operator of one dtype (quantization (scale, zp) or None)."""
    def build(seed):
        g = tfb.Graph()
        kw = lambda q: dict(scale=q[0], zero_point=q[1]) if q else {}
        x = g.tensor("in0", shape1, dtype, **kw(q1))
        y = g.tensor("in1", shape2, dtype, **kw(q2))
        o = g.tensor("out", out_shape, dtype, **kw(qo))
        g.op(op, [x, y], [o], version=2)
        return g.finish([x, y], [o], CONVERTER)

    model(name, variants=("",), raw=True, converter=CONVERTER, int_range=int_range,
          check=lambda n, _m, c, _i, o: check_outputs_vary(n, c, o))(build)


SQD = fb.BuiltinOperator.SQUARED_DIFFERENCE
# int16 (zero points 0, TFLM's left shift 0): inputs in +-1000 steps of 0.001 and 0.0005, the
# output step 0.0001 (squares up to 2.25 saturate above 3.2767).
two_in("squared_difference_int16", SQD, [3, 1, 8], [3, 5, 8], [3, 5, 8], np.int16,
       (F32(0.001), 0), (F32(0.0005), 0), (F32(0.0001), 0), int_range=1000)
# int32: plain integer squares.
two_in("squared_difference_int32", SQD, [4, 9], [1, 9], [4, 9], np.int32, None, None, None,
       int_range=1000)
