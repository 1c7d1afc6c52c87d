"""GATHER, GATHER_ND and EMBEDDING_LOOKUP models for the conformance corpus (op breadth, wave 3b).

Imported by make_corpus.py (which loads every tools/corpus_*.py). TFLM's GATHER and GATHER_ND
take float32 and int8 values with int32 positions. Converter models (int8 and float32) gather
with constant positions (`tf.gather` along an inner axis, with `batch_dims`, and
`tf.gather_nd` of elements and of rows); raw flatbuffers (`tools/tflite_fb.py`) take the
positions as a graph input, drawn per case inside their valid range by the model's `inputs`,
so that the kernels see positions that change from case to case. `gather_nd_flat_int8` draws
its second index past its own dimension (up to 6 where the dimension is 5) while the slice
stays inside the params: TFLM checks only the flat extent and reads on, and the goldens show
it. EMBEDDING_LOOKUP models are raw (Keras' Embedding converts to GATHER): a constant
float32 or int8 table looked up by int32 indices given as a graph input (float32, int8 raw
rows, and int8 -> float32, TFLM's hybrid dequantizing path).
"""

import keras
import numpy as np
import tensorflow as tf

import make_corpus
import tflite_fb as tfb
from corpus_svdf import check_outputs_vary
from make_corpus import inp, model
from tflite_fb import fb

make_corpus.ALLOWED_OPS.update({"GATHER", "GATHER_ND"})

CONVERTER = "none: flatbuffer built by microlite tools/corpus_gather.py (tflite schema object API)"
F32 = np.float32


def _vary(n, _m, c, _i, o):
    check_outputs_vary(n, c, o)


def _lambda(fn, *xs):
    return keras.layers.Lambda(fn)(list(xs) if len(xs) > 1 else xs[0])


# ---- converter-made, constant positions ---------------------------------------------

@model("gather_axis2", check=_vary)
def _():
    x = inp((6, 7, 4))
    return keras.Model(x, _lambda(lambda t: tf.gather(t, [3, 0, 6, 6, 5], axis=2), x))


@model("gather_axis_last_2d_positions", check=_vary)
def _():
    x = inp((5, 9))
    idx = np.array([[8, 0, 4], [1, 1, 7]], np.int32)
    return keras.Model(x, _lambda(lambda t: tf.gather(t, idx, axis=-1), x))


@model("gather_batch_dims", check=_vary)
def _():
    x = inp((4, 6, 3), batch=2)
    idx = np.array([[5, 0, 2, 2], [1, 3, 4, 0]], np.int32)
    return keras.Model(x, _lambda(lambda t: tf.gather(t, idx, axis=2, batch_dims=1), x))


@model("gather_nd_elements", check=_vary)
def _():
    x = inp((5, 6, 3))
    r = np.random.default_rng(7)
    idx = np.stack([np.zeros(24, np.int64), r.integers(0, 5, 24), r.integers(0, 6, 24),
                    r.integers(0, 3, 24)], axis=1).astype(np.int32)
    return keras.Model(x, _lambda(lambda t: tf.gather_nd(t, idx), x))


@model("gather_nd_rows", check=_vary)
def _():
    x = inp((5, 6, 3))
    idx = np.array([[[0, 4], [0, 1]], [[0, 0], [0, 3]], [[0, 2], [0, 2]]], np.int32)
    return keras.Model(x, _lambda(lambda t: tf.gather_nd(t, idx), x))


# ---- raw: positions as a graph input -------------------------------------------------

def _positions(highs):
    """make_corpus's inputs, with each int32 input k drawn in [0, highs[k]) per element
    (highs[k] a number, or a list per last-dimension entry)."""
    def fn(seed, inputs_meta):
        arrays = make_corpus.make_inputs(seed, inputs_meta)
        rng = np.random.default_rng(60_000 + seed)
        out, k = [], 0
        for a in arrays:
            if a.dtype == np.int32:
                hi = np.broadcast_to(np.asarray(highs[k]), a.shape)
                a = np.floor(rng.uniform(size=a.shape) * hi).astype(np.int32)
                k += 1
            out.append(a)
        return out
    return fn


def _raw(name, build, highs):
    model(name, variants=("",), raw=True, converter=CONVERTER, check=_vary,
          inputs=_positions(highs))(build)


def _gather_options(axis, batch_dims=0):
    o = fb.GatherOptionsT()
    o.axis = axis
    o.batchDims = batch_dims
    return fb.BuiltinOptions.GatherOptions, o


def _gather(shape, pos_shape, out_shape, dtype, axis, batch_dims=0, q=None):
    def build(seed):
        g = tfb.Graph()
        kw = dict(scale=q[0], zero_point=q[1]) if q else {}
        x = g.tensor("params", shape, dtype, **kw)
        p = g.tensor("positions", pos_shape, np.int32)
        o = g.tensor("out", out_shape, dtype, **kw)
        g.op(fb.BuiltinOperator.GATHER, [x, p], [o], *_gather_options(axis, batch_dims))
        return g.finish([x, p], [o], CONVERTER)
    return build


def _gather_nd(shape, idx_shape, out_shape, dtype, q=None):
    def build(seed):
        g = tfb.Graph()
        kw = dict(scale=q[0], zero_point=q[1]) if q else {}
        x = g.tensor("params", shape, dtype, **kw)
        p = g.tensor("indices", idx_shape, np.int32)
        o = g.tensor("out", out_shape, dtype, **kw)
        g.op(fb.BuiltinOperator.GATHER_ND, [x, p], [o])
        return g.finish([x, p], [o], CONVERTER)
    return build


Q8 = (F32(0.02), -3)
# float32, axis 0 of [7, 5], 12 positions in [0, 7).
_raw("gather_runtime_axis0_f32", _gather([7, 5], [3, 4], [3, 4, 5], np.float32, 0), [7])
# int8, axis -1 of [2, 3, 8] with batch_dims 1: positions [2, 5] in [0, 8).
_raw("gather_runtime_batch_int8",
     _gather([2, 3, 8], [2, 5], [2, 3, 5], np.int8, -1, batch_dims=1, q=Q8), [8])
# float32 GATHER_ND of [4, 5, 3] by pairs: slices of 3.
_raw("gather_nd_runtime_pairs_f32", _gather_nd([4, 5, 3], [6, 2], [6, 3], np.float32),
     [[4, 5]])
# int8 GATHER_ND of [4, 5] by pairs whose second index runs to 6 (past the dimension 5) and
# first to 2, so that every flat position (at most 2 * 5 + 6) is inside the 20 elements.
_raw("gather_nd_flat_int8", _gather_nd([4, 5], [3, 8, 2], [3, 8], np.int8, q=Q8), [[3, 7]])


# ---- EMBEDDING_LOOKUP (raw: Keras' Embedding converts to GATHER) --------------------

make_corpus.ALLOWED_OPS.update({"EMBEDDING_LOOKUP"})


def _embedding(rows, row_shape, n, value_dtype, out_dtype, q=None):
    """A constant table of `rows` rows of `row_shape`, looked up by `n` int32 indices (a
    graph input). int8 -> float32 is TFLM's hybrid path (table zero point 0)."""
    def build(seed):
        g = tfb.Graph()
        r = np.random.default_rng(seed + 77)
        shape = [rows] + row_shape
        if value_dtype == np.int8:
            data = r.integers(-128, 128, shape).astype(np.int8)
        else:
            data = r.uniform(-2.0, 2.0, shape).astype(np.float32)
        kw = dict(scale=q[0], zero_point=q[1]) if q else {}
        lookup = g.tensor("lookup", [n], np.int32)
        table = g.tensor("table", shape, value_dtype, data=data, **kw)
        out_kw = kw if out_dtype == np.int8 else {}
        o = g.tensor("rows", [n] + row_shape, out_dtype, **out_kw)
        g.op(fb.BuiltinOperator.EMBEDDING_LOOKUP, [lookup, table], [o])
        return g.finish([lookup], [o], CONVERTER)
    return build


_raw("embedding_lookup_f32", _embedding(9, [4], 6, np.float32, np.float32), [9])
_raw("embedding_lookup_int8", _embedding(7, [2, 3], 5, np.int8, np.int8, (F32(0.03), 4)), [7])
_raw("embedding_lookup_hybrid_int8", _embedding(11, [5], 8, np.int8, np.float32,
                                                (F32(0.0125), 0)), [11])
