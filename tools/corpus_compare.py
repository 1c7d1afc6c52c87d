"""Comparison, logical and select models for the conformance corpus (op breadth, wave 3).

Imported by make_corpus.py (which loads every tools/corpus_*.py): registers models for EQUAL,
NOT_EQUAL, GREATER, GREATER_EQUAL, LESS, LESS_EQUAL, LOGICAL_AND, LOGICAL_OR, LOGICAL_NOT and
SELECT_V2.

Converter-made models (int8 and float32) compare with broadcasting (one side, both sides, a
constant), build bools from comparisons and combine them with the logical ops, and select with
a broadcast condition. Float equality of random inputs is rare, so EQUAL / NOT_EQUAL compare
rounded values. Raw flatbuffers (`tools/tflite_fb.py`) add what the converter does not choose:
int8 comparisons whose inputs have different scales and zero points, drawn near their zero
points so that equal real values occur (scales 0.02 and 0.04: the rescaled integers then
coincide exactly, as TFLM computes them); int32 and int64 comparisons; bool graph inputs for the
logical ops and for EQUAL / NOT_EQUAL on bools (drawn as random 0/1: the corpus's default
float draw would make nearly every bool true); and int16 SELECT_V2. A check fails every model
whose bool outputs are all true or all false.
"""

import keras
import numpy as np

import make_corpus
import tflite_fb as tfb
from make_corpus import inp, model
from tflite_fb import fb

make_corpus.ALLOWED_OPS.update({
    "EQUAL", "NOT_EQUAL", "GREATER", "GREATER_EQUAL", "LESS", "LESS_EQUAL", "LOGICAL_AND",
    "LOGICAL_OR", "LOGICAL_NOT", "SELECT_V2",
})

CONVERTER = "none: flatbuffer built by microlite tools/corpus_compare.py (tflite schema object API)"
F32 = np.float32
F = ("f32",)


def _check_bools_mixed(name, model_bytes, cases, inputs_meta, outputs_meta):
    for j, t in enumerate(outputs_meta):
        if t["dtype"] != "bool":
            continue
        vals = np.concatenate([outs[j].ravel() for _, outs in cases])
        frac = float(np.mean(vals))
        if not 0.05 <= frac <= 0.95:
            raise RuntimeError(f"{name}: bool output {j} is true on {frac:.0%} of elements")


def _inputs(int_range=None):
    """make_corpus's inputs, with bool inputs drawn as fair 0/1 from the same seed."""
    def fn(seed, inputs_meta):
        arrays = make_corpus.make_inputs(seed, inputs_meta, int_range)
        rng = np.random.default_rng(50_000 + seed)
        return [rng.integers(0, 2, size=a.shape).astype(np.bool_) if a.dtype == np.bool_
                else a for a in arrays]
    return fn


def cmodel(name, variants=("int8", "f32"), rep_range=1.0):
    return model(name, variants=variants, rep_range=rep_range, check=_check_bools_mixed)


# ---- converter-made comparisons ---------------------------------------------

@cmodel("greater_bcast")
def _():
    a = inp((5, 6, 4), name="in0")
    b = inp((1, 6, 1), name="in1")
    return keras.Model([a, b], keras.ops.greater(a, b))


@cmodel("less_equal_same_shape", rep_range=[1.0, 2.0])
def _():
    a = inp((6, 5), name="in0")
    b = inp((6, 5), name="in1")
    return keras.Model([a, b], keras.ops.less_equal(a, b))


@cmodel("greater_equal_bcast_both")
def _():
    a = inp((1, 7, 3), name="in0")
    b = inp((4, 1, 3), name="in1")
    return keras.Model([a, b], keras.ops.greater_equal(a, b))


@cmodel("less_const")
def _():
    a = inp((4, 4, 5))
    return keras.Model(a, keras.ops.less(a, 0.25))


@cmodel("equal_not_equal_rounded", variants=F)
def _():
    a = inp((5, 6, 4), name="in0")
    b = inp((1, 6, 1), name="in1")
    ra, rb = keras.ops.round(a * 2.0), keras.ops.round(b * 2.0)
    return keras.Model([a, b], [keras.ops.equal(ra, rb), keras.ops.not_equal(ra, rb)])


# ---- logical ops on comparison results ----------------------------------------

@cmodel("logical_of_comparisons")
def _():
    a = inp((5, 6, 4), name="in0")
    b = inp((5, 1, 4), name="in1")
    c1 = keras.ops.greater(a, 0.0)
    c2 = keras.ops.less(b, 0.3)
    return keras.Model([a, b], [
        keras.ops.logical_and(c1, c2),
        keras.ops.logical_or(c1, c2),
        keras.ops.logical_not(c1),
        keras.ops.equal(c1, c2),
        keras.ops.not_equal(c1, c2),
    ])


# ---- SELECT_V2 ---------------------------------------------------------------

@cmodel("select_v2_bcast")
def _():
    a = inp((5, 6, 4), name="in0")
    b = inp((1, 1, 4), name="in1")
    cond = keras.ops.greater(keras.ops.mean(a, axis=-1, keepdims=True), 0.0)
    return keras.Model([a, b], keras.ops.where(cond, a, b))


# ---- raw models --------------------------------------------------------------

def raw(name, build, int_range=None):
    model(name, variants=("",), raw=True, converter=CONVERTER, int_range=int_range,
          check=_check_bools_mixed, inputs=_inputs(int_range))(build)


def binary_op(op, shape1, shape2, out_shape, dtype, q1=None, q2=None, out_dtype=np.bool_):
    def build(seed):
        g = tfb.Graph()
        kw = lambda q: dict(scale=q[0], zero_point=q[1]) if q else {}
        x = g.tensor("in0", shape1, dtype, **kw(q1))
        y = g.tensor("in1", shape2, dtype, **kw(q2))
        o = g.tensor("out", out_shape, out_dtype)
        g.op(op, [x, y], [o])
        return g.finish([x, y], [o], CONVERTER)
    return build


B = fb.BuiltinOperator
Q1, Q2 = (F32(0.02), 5), (F32(0.04), -10)
for nm, op in [("equal", B.EQUAL), ("not_equal", B.NOT_EQUAL), ("greater", B.GREATER),
               ("less_equal", B.LESS_EQUAL)]:
    # int8 with different quantizations, near the zero points: equal reals occur.
    raw(f"{nm}_int8_two_scales", binary_op(op, [4, 1, 6], [1, 5, 6], [4, 5, 6], np.int8, Q1, Q2),
        int_range=[4, 2])
for nm, op in [("greater_equal", B.GREATER_EQUAL), ("less", B.LESS), ("equal", B.EQUAL)]:
    raw(f"{nm}_int32", binary_op(op, [3, 8], [3, 8], [3, 8], np.int32), int_range=3)
    raw(f"{nm}_int64", binary_op(op, [2, 1, 9], [2, 4, 9], [2, 4, 9], np.int64), int_range=3)
for nm, op in [("equal", B.EQUAL), ("not_equal", B.NOT_EQUAL), ("logical_and", B.LOGICAL_AND),
               ("logical_or", B.LOGICAL_OR)]:
    raw(f"{nm}_bool_inputs", binary_op(op, [3, 1, 7], [3, 5, 7], [3, 5, 7], np.bool_))


def _logical_not(seed):
    g = tfb.Graph()
    x = g.tensor("in0", [4, 9], np.bool_)
    o = g.tensor("out", [4, 9], np.bool_)
    g.op(B.LOGICAL_NOT, [x], [o])
    return g.finish([x], [o], CONVERTER)


raw("logical_not_bool_input", _logical_not)


def _select_int16(seed):
    g = tfb.Graph()
    c = g.tensor("cond", [3, 1, 6], np.bool_)
    x = g.tensor("x", [1, 4, 6], np.int16, scale=F32(0.001), zero_point=0)
    y = g.tensor("y", [6], np.int16, scale=F32(0.001), zero_point=0)
    o = g.tensor("out", [3, 4, 6], np.int16, scale=F32(0.001), zero_point=0)
    g.op(B.SELECT_V2, [c, x, y], [o])
    return g.finish([c, x, y], [o], CONVERTER)


raw("select_v2_int16_bool_input", _select_int16)
