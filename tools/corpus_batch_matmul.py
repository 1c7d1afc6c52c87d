"""BATCH_MATMUL models for the conformance corpus (op breadth, wave 3b).

Imported by make_corpus.py (which loads every tools/corpus_*.py). `tf.matmul` of two graph
inputs becomes BATCH_MATMUL in float32: equal batch dims, a broadcast batch (the rhs one
matrix, 4-D lhs), and transposed operands (`adjoint_a` / `adjoint_b`, which the converter
keeps as `adj_x` / `adj_y`). The converter's int8 calibration of these two-input models
fails (TFLite's prepare sees the inputs swapped), so the int8 models, the same three
geometries with zero points away from 0, and the int16 ones (zero points 0, as TFLM
requires) are raw flatbuffers (`tools/tflite_fb.py`).
"""

import keras
import numpy as np
import tensorflow as tf

import make_corpus
import tflite_fb as tfb
from corpus_svdf import check_outputs_vary
from make_corpus import inp, model
from tflite_fb import fb

make_corpus.ALLOWED_OPS.update({"BATCH_MATMUL"})

F = ("f32",)
F32 = np.float32
CONVERTER = ("none: flatbuffer built by microlite tools/corpus_batch_matmul.py "
             "(tflite schema object API)")


def _vary(n, _m, c, _i, o):
    check_outputs_vary(n, c, o)


def _mm(a, b, **kw):
    return keras.layers.Lambda(lambda t: tf.matmul(t[0], t[1], **kw))([a, b])


@model("batch_matmul_batched", variants=F, check=_vary)
def _():
    a, b = inp((3, 4, 6)), inp((3, 6, 5))
    return keras.Model([a, b], _mm(a, b))


@model("batch_matmul_broadcast", variants=F, check=_vary)
def _():
    a, b = inp((2, 3, 4, 7)), inp((7, 5))
    return keras.Model([a, b], _mm(a, b))


@model("batch_matmul_adjoint", variants=F, check=_vary)
def _():
    a, b = inp((2, 6, 4)), inp((2, 3, 6))
    return keras.Model([a, b], _mm(a, b, adjoint_a=True, adjoint_b=True))


def _raw(lhs, rhs, out, adj, q, dtype):
    """q: (scale, zero point) of lhs, rhs and output."""
    def build(seed):
        g = tfb.Graph()
        l = g.tensor("lhs", lhs, dtype, scale=F32(q[0][0]), zero_point=q[0][1])
        r = g.tensor("rhs", rhs, dtype, scale=F32(q[1][0]), zero_point=q[1][1])
        o = g.tensor("out", out, dtype, scale=F32(q[2][0]), zero_point=q[2][1])
        opt = fb.BatchMatMulOptionsT()
        opt.adjX, opt.adjY = adj
        g.op(fb.BuiltinOperator.BATCH_MATMUL, [l, r], [o], fb.BuiltinOptions.BatchMatMulOptions,
             opt)
        return g.finish([l, r], [o], CONVERTER)
    return build


for _name, _l, _r, _o, _adj, _q, _dt in [
    ("batch_matmul_raw_int8", [3, 4, 6], [3, 6, 5], [3, 4, 5], (False, False),
     ((0.02, -5), (0.03, 7), (0.4, 3)), np.int8),
    ("batch_matmul_raw_bcast_int8", [2, 3, 4, 7], [7, 5], [2, 3, 4, 5], (False, False),
     ((0.01, 12), (0.02, -3), (0.3, -10)), np.int8),
    ("batch_matmul_raw_adj_int8", [2, 6, 4], [2, 3, 6], [2, 4, 3], (True, True),
     ((0.015, 0), (0.025, -20), (0.35, 4)), np.int8),
    ("batch_matmul_raw_int16", [2, 3, 5], [2, 5, 4], [2, 3, 4], (False, False),
     ((1 / 4096, 0), (1 / 2048, 0), (0.25, 0)), np.int16),
    ("batch_matmul_raw_adj_int16", [4, 3], [1, 6, 4], [1, 3, 6], (True, True),
     ((1 / 1024, 0), (1 / 4096, 0), (0.02, 0)), np.int16),
]:
    model(_name, variants=("",), raw=True, converter=CONVERTER, check=_vary)(
        _raw(_l, _r, _o, _adj, _q, _dt))
