"""BROADCAST_TO and BROADCAST_ARGS models for the conformance corpus (op breadth, wave 3b).

Imported by make_corpus.py (which loads every tools/corpus_*.py). `tf.broadcast_to` becomes
BROADCAST_TO (int8 and float32; a row to a 3-D block, and inner size-1 dims to a 5-D shape).
The converter folds BROADCAST_ARGS of static shapes, so its models are raw flatbuffers
(`tools/tflite_fb.py`): two int32 (or int64) shape vectors as graph inputs, drawn per case
so that they broadcast (each entry 1 or the shared size, sizes 2 to 9).
"""

import keras
import numpy as np
import tensorflow as tf

import make_corpus
import tflite_fb as tfb
from corpus_svdf import check_outputs_vary
from make_corpus import inp, model
from tflite_fb import fb

make_corpus.ALLOWED_OPS.update({"BROADCAST_TO", "BROADCAST_ARGS"})

CONVERTER = ("none: flatbuffer built by microlite tools/corpus_broadcast.py "
             "(tflite schema object API)")


def _vary(n, _m, c, _i, o):
    check_outputs_vary(n, c, o)


@model("broadcast_to_rows", check=_vary)
def _():
    x = inp((1, 12))
    return keras.Model(x, keras.layers.Lambda(lambda t: tf.broadcast_to(t, [1, 4, 3, 12]))(x))


@model("broadcast_to_5d", check=_vary)
def _():
    x = inp((3, 1, 4, 1))
    return keras.Model(x, keras.layers.Lambda(
        lambda t: tf.broadcast_to(t, [2, 3, 2, 4, 3]))(keras.ops.reshape(x, (1, 3, 1, 4, 1))))


def _shapes(n1, n2):
    """Two shape vectors that broadcast: right-aligned entries 1 or a shared size."""
    def fn(seed, inputs_meta):
        rng = np.random.default_rng(70_000 + seed)
        n = max(n1, n2)
        sizes = rng.integers(2, 10, n)
        pick = lambda k: np.where(rng.uniform(size=k) < 0.4, 1, sizes[n - k:])
        dt = np.dtype(inputs_meta[0]["dtype"])
        return [pick(n1).astype(dt), pick(n2).astype(dt)]
    return fn


def _broadcast_args(n1, n2, dtype):
    def build(seed):
        g = tfb.Graph()
        a = g.tensor("s0", [n1], dtype)
        b = g.tensor("s1", [n2], dtype)
        o = g.tensor("shape", [max(n1, n2)], dtype)
        g.op(fb.BuiltinOperator.BROADCAST_ARGS, [a, b], [o])
        return g.finish([a, b], [o], CONVERTER)
    return build


for _name, _n1, _n2, _dt in [("broadcast_args_int32", 4, 2, np.int32),
                             ("broadcast_args_int64", 3, 5, np.int64)]:
    model(_name, variants=("",), raw=True, converter=CONVERTER,
          inputs=_shapes(_n1, _n2))(_broadcast_args(_n1, _n2, _dt))
