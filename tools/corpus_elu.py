"""ELU models for the conformance corpus (op breadth, wave 3b).

Imported by make_corpus.py (which loads every tools/corpus_*.py). `tf.nn.elu` becomes ELU in
float32; in int8 the converter keeps ELU in float between DEQUANTIZE and QUANTIZE, so the
int8 models are raw flatbuffers (`tools/tflite_fb.py`): TFLM's int8 ELU is a 256-entry table
built from the input and output quantization, and the raw models feed it every int8 value
under three quantizations (the output zero point low, as ELU's range is [-1, inf); an input
scale wider than the output's, whose top inputs saturate; equal scales).
"""

import keras
import numpy as np
import tensorflow as tf

import make_corpus
import tflite_fb as tfb
from corpus_svdf import check_outputs_vary
from make_corpus import inp, model
from tflite_fb import fb

make_corpus.ALLOWED_OPS.update({"ELU"})

F = ("f32",)
F32 = np.float32
CONVERTER = "none: flatbuffer built by microlite tools/corpus_elu.py (tflite schema object API)"


def _vary(n, _m, c, _i, o):
    check_outputs_vary(n, c, o, min_distinct=8)


@model("elu_4d", variants=F, check=_vary, rep_range=4.0)
def _():
    x = inp((4, 5, 6))
    return keras.Model(x, keras.layers.Lambda(tf.nn.elu)(x))


@model("elu_after_dense", variants=F, check=_vary, rep_range=2.0)
def _():
    x = inp((12,))
    return keras.Model(x, keras.layers.Lambda(tf.nn.elu)(make_corpus.dense(x, 16)))


def _elu_int8(shape, qin, qout):
    def build(seed):
        g = tfb.Graph()
        x = g.tensor("x", shape, np.int8, scale=F32(qin[0]), zero_point=qin[1])
        o = g.tensor("elu", shape, np.int8, scale=F32(qout[0]), zero_point=qout[1])
        g.op(fb.BuiltinOperator.ELU, [x], [o], version=2)
        return g.finish([x], [o], CONVERTER)
    return build


for _name, _shape, _qin, _qout in [
    ("elu_raw_int8", [2, 8, 16], (0.03, -10), (0.025, -88)),
    ("elu_raw_wide_int8", [256], (0.04, 5), (0.02, -76)),
    ("elu_raw_same_scale_int8", [4, 64], (1 / 16, 0), (1 / 16, 0)),
]:
    model(_name, variants=("",), raw=True, converter=CONVERTER, check=_vary)(
        _elu_int8(_shape, _qin, _qout))
