"""REVERSE_V2, MIRROR_PAD, FILL, ZEROS_LIKE and DYNAMIC_UPDATE_SLICE models for the conformance corpus (op breadth,
wave 3b).

Imported by make_corpus.py (which loads every tools/corpus_*.py). `tf.reverse` becomes
REVERSE_V2 (one axis and two contiguous axes; TFLM refuses non-contiguous ones) and
`tf.pad(mode="REFLECT" / "SYMMETRIC")` MIRROR_PAD, float32 and int8. `tf.fill` with a value
computed from the input (a mean, a scalar) becomes FILL with constant dims. The converter
folds ZEROS_LIKE of a static shape into a constant, so ZEROS_LIKE (and the int8 and int32
FILLs) are raw flatbuffers (`tools/tflite_fb.py`), whose second output passes the input
through so that the model's outputs vary (the zeros cannot); the raw FILLs fill with the
random scalar input of each case. DYNAMIC_UPDATE_SLICE models are raw too (float32, int8,
int16, int32; int32 and int64 start indices), the start indices a graph input drawn per case
from -2 to 2 past each dim, so that TFLM's clamping of them shows.
"""

import keras
import numpy as np
import tensorflow as tf

import make_corpus
import tflite_fb as tfb
from corpus_svdf import check_outputs_vary
from make_corpus import inp, model
from tflite_fb import fb

make_corpus.ALLOWED_OPS.update({"REVERSE_V2", "MIRROR_PAD", "FILL", "ZEROS_LIKE"})

F32 = np.float32
CONVERTER = ("none: flatbuffer built by microlite tools/corpus_movement.py "
             "(tflite schema object API)")


def _vary(n, _m, c, _i, o):
    check_outputs_vary(n, c, o)


def _lambda(fn, x):
    return keras.layers.Lambda(fn)(x)


@model("reverse_axis1", check=_vary)
def _():
    x = inp((5, 4, 3))
    return keras.Model(x, _lambda(lambda t: tf.reverse(t, axis=[1]), x))


@model("reverse_axes23", check=_vary)
def _():
    x = inp((3, 4, 5))
    return keras.Model(x, _lambda(lambda t: tf.reverse(t, axis=[3, 2]), x))


@model("mirror_pad_reflect", check=_vary)
def _():
    x = inp((5, 6, 3))
    return keras.Model(x, _lambda(
        lambda t: tf.pad(t, [[0, 0], [2, 1], [0, 3], [0, 0]], mode="REFLECT"), x))


@model("mirror_pad_symmetric", check=_vary)
def _():
    x = inp((4, 7))
    return keras.Model(x, _lambda(
        lambda t: tf.pad(t, [[0, 0], [4, 0], [3, 7]], mode="SYMMETRIC"), x))


@model("fill_from_mean")
def _():
    x = inp((6, 5))
    m = _lambda(lambda t: tf.fill([3, 4], tf.reduce_mean(t)), x)
    return keras.Model(x, [m, keras.ops.multiply(x, 2.0)])


def _pass_through(g, x, shape, dtype, q):
    """A second output: `x` through RESHAPE to itself, so that the model's outputs vary."""
    kw = dict(scale=F32(q[0]), zero_point=q[1]) if q else {}
    s = g.tensor("shape", [len(shape)], np.int32, data=np.array(shape, np.int32))
    y = g.tensor("x_copy", shape, dtype, **kw)
    g.op(fb.BuiltinOperator.RESHAPE, [x, s], [y])
    return y


def _zeros_like(shape, dtype, q=None):
    def build(seed):
        g = tfb.Graph()
        kw = dict(scale=F32(q[0]), zero_point=q[1]) if q else {}
        x = g.tensor("x", shape, dtype, **kw)
        o = g.tensor("zeros", shape, dtype, **kw)
        g.op(fb.BuiltinOperator.ZEROS_LIKE, [x], [o])
        y = _pass_through(g, x, shape, dtype, q)
        return g.finish([x], [o, y], CONVERTER)
    return build


def _fill(out_shape, dtype, q=None):
    def build(seed):
        g = tfb.Graph()
        kw = dict(scale=F32(q[0]), zero_point=q[1]) if q else {}
        v = g.tensor("value", [], dtype, **kw)
        d = g.tensor("dims", [len(out_shape)], np.int32, data=np.array(out_shape, np.int32))
        o = g.tensor("filled", out_shape, dtype, **kw)
        g.op(fb.BuiltinOperator.FILL, [d, v], [o])
        return g.finish([v], [o], CONVERTER)
    return build


def _scalar_inputs(seed, inputs_meta):
    """make_corpus's inputs, kept 0-d for FILL's scalar value (make_inputs makes them 1-d)."""
    return [a.reshape(t["shape"]).copy() for a, t in
            zip(make_corpus.make_inputs(seed, inputs_meta), inputs_meta)]


def _raw(name, build, inputs=None):
    model(name, variants=("",), raw=True, converter=CONVERTER, inputs=inputs)(build)


_raw("zeros_like_int8", _zeros_like([3, 5], np.int8, (0.05, -7)))
_raw("zeros_like_f32", _zeros_like([2, 3, 4], np.float32))
_raw("zeros_like_int32", _zeros_like([7], np.int32))
_raw("fill_int8", _fill([2, 3, 4], np.int8, (0.1, 3)), _scalar_inputs)
_raw("fill_int32", _fill([5, 2], np.int32), _scalar_inputs)


# ---- DYNAMIC_UPDATE_SLICE (raw: start indices as a graph input) ---------------------

make_corpus.ALLOWED_OPS.update({"DYNAMIC_UPDATE_SLICE"})


def _starts(operand_shape):
    """make_corpus's inputs, with the start indices (the last input) drawn per case from
    -2 to 2 past each dim, so that TFLM's clamping shows in the goldens."""
    def fn(seed, inputs_meta):
        arrays = make_corpus.make_inputs(seed, inputs_meta)
        rng = np.random.default_rng(80_000 + seed)
        hi = np.array(operand_shape) + 3
        starts = np.floor(rng.uniform(size=len(operand_shape)) * (hi + 2)) - 2
        arrays[-1] = starts.astype(np.dtype(inputs_meta[-1]["dtype"]))
        return arrays
    return fn


def _dus(shape, update_shape, dtype, index_dtype, q=None):
    def build(seed):
        g = tfb.Graph()
        kw = dict(scale=F32(q[0]), zero_point=q[1]) if q else {}
        x = g.tensor("operand", shape, dtype, **kw)
        u = g.tensor("update", update_shape, dtype, **kw)
        s = g.tensor("start", [len(shape)], index_dtype)
        o = g.tensor("updated", shape, dtype, **kw)
        g.op(fb.BuiltinOperator.DYNAMIC_UPDATE_SLICE, [x, u, s], [o])
        return g.finish([x, u, s], [o], CONVERTER)
    return build


for _name, _shape, _ushape, _dt, _it, _q in [
    ("dynamic_update_slice_f32", [4, 5, 3], [2, 3, 3], np.float32, np.int32, None),
    ("dynamic_update_slice_int8", [6, 7], [3, 2], np.int8, np.int64, (0.02, 5)),
    ("dynamic_update_slice_int16", [2, 3, 4, 5], [1, 2, 2, 3], np.int16, np.int32, (0.001, 0)),
    ("dynamic_update_slice_int32", [9], [4], np.int32, np.int32, None),
]:
    model(_name, variants=("",), raw=True, converter=CONVERTER, check=_vary,
          inputs=_starts(_shape))(_dus(_shape, _ushape, _dt, _it, _q))
