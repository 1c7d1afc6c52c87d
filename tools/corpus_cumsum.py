"""CUMSUM and L2_POOL_2D models for the conformance corpus (op breadth, wave 3b).

Imported by make_corpus.py (which loads every tools/corpus_*.py). `tf.math.cumsum` becomes
CUMSUM in float32 (inclusive along an inner axis; exclusive and reversed along the last).
The converter keeps CUMSUM in float in its int8 models, and TensorFlow has no L2 pooling op,
so the int8 CUMSUMs and the L2_POOL_2Ds (float32 only in TFLM) are raw flatbuffers
(`tools/tflite_fb.py`). The int8 CUMSUMs draw their inputs within 40 of the zero point, so
that running sums over a few elements stay inside the output range; their goldens show
TFLM's extra `-zero_point` in every sum.
"""

import keras
import numpy as np
import tensorflow as tf

import make_corpus
import tflite_fb as tfb
from corpus_svdf import check_outputs_vary
from make_corpus import inp, model
from tflite_fb import fb

make_corpus.ALLOWED_OPS.update({"CUMSUM", "L2_POOL_2D"})

F = ("f32",)
F32 = np.float32
CONVERTER = ("none: flatbuffer built by microlite tools/corpus_cumsum.py "
             "(tflite schema object API)")


def _vary(n, _m, c, _i, o):
    check_outputs_vary(n, c, o)


@model("cumsum_axis1", variants=F, check=_vary)
def _():
    x = inp((6, 5))
    return keras.Model(x, keras.layers.Lambda(lambda t: tf.math.cumsum(t, axis=1))(x))


@model("cumsum_exclusive_reverse", variants=F, check=_vary)
def _():
    x = inp((3, 4, 7))
    return keras.Model(x, keras.layers.Lambda(
        lambda t: tf.math.cumsum(t, axis=-1, exclusive=True, reverse=True))(x))


def _cumsum_int8(shape, ax, exclusive, reverse, qin, qout):
    def build(seed):
        g = tfb.Graph()
        x = g.tensor("x", shape, np.int8, scale=F32(qin[0]), zero_point=qin[1])
        a = g.tensor("axis", [1], np.int32, data=np.array([ax], np.int32))
        o = g.tensor("cumsum", shape, np.int8, scale=F32(qout[0]), zero_point=qout[1])
        opt = fb.CumsumOptionsT()
        opt.exclusive = exclusive
        opt.reverse = reverse
        g.op(fb.BuiltinOperator.CUMSUM, [x, a], [o], fb.BuiltinOptions.CumsumOptions, opt)
        return g.finish([x], [o], CONVERTER)
    return build


def _l2_pool(shape, filt, stride, padding, out_shape, act=fb.ActivationFunctionType.NONE):
    def build(seed):
        g = tfb.Graph()
        x = g.tensor("x", shape, np.float32)
        o = g.tensor("l2", out_shape, np.float32)
        opt = fb.Pool2DOptionsT()
        opt.padding = padding
        opt.strideH, opt.strideW = stride
        opt.filterHeight, opt.filterWidth = filt
        opt.fusedActivationFunction = act
        g.op(fb.BuiltinOperator.L2_POOL_2D, [x], [o], fb.BuiltinOptions.Pool2DOptions, opt)
        return g.finish([x], [o], CONVERTER)
    return build


def _raw(name, build, int_range=None):
    model(name, variants=("",), raw=True, converter=CONVERTER, check=_vary,
          int_range=int_range)(build)


_raw("cumsum_raw_int8", _cumsum_int8([4, 6], 1, False, False, (0.05, -6), (0.1, 2)), 40)
_raw("cumsum_raw_exclusive_reverse_int8",
     _cumsum_int8([5, 3, 2], 0, True, True, (0.04, 9), (0.06, -20)), 40)
_raw("l2_pool_valid_f32", _l2_pool([1, 6, 7, 3], (2, 3), (2, 2), fb.Padding.VALID, [1, 3, 3, 3]))
_raw("l2_pool_same_relu6_f32",
     _l2_pool([2, 5, 5, 2], (3, 3), (2, 2), fb.Padding.SAME, [2, 3, 3, 2],
              fb.ActivationFunctionType.RELU6))
