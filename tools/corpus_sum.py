"""SUM models for the conformance corpus: `keras.ops.sum` (tf.reduce_sum) -> TFLite builtin SUM.

Imported by make_corpus.py (which loads every tools/corpus_*.py). Registers small Keras models,
one SUM each, in float32 (`_f32`), int8 (`_int8`) and for some 16x8 (`_16x8`: int16 activations,
converted by the wrapper of tools/corpus_16x8.py, which is imported here so that it is in place
whatever the import order). Axes: the last axis of a 4-D tensor, [1, 2] of a 4-D tensor with and
without keep_dims, axis 0 of a 2-D tensor (batch 7) and a negative axis (-2 of a 4-D tensor; the
converter keeps it negative in the axis constant).

int8 and 16x8 variants are calibrated on inputs in [-1, 1] (the default representative data).
The int8 SUM output gets its own scale, from the calibrated sums, and int8 test inputs are drawn
over the whole type. The 16x8 converter instead gives the SUM output the input's scale (about
1/32767, zero point 0), so sums of inputs drawn over the whole int16 range would mostly saturate:
16x8 inputs are drawn in a narrower `int_range` (see `msum`), and outputs saturate on under 1 %.

`check` fails a model before anything is written unless: the model is exactly one SUM (builtin
code 74) with the intended axis constant and keep_dims; input and output have the dtype the name
says; outputs take many distinct values and rarely saturate; and the goldens agree with a numpy
float64 sum of the (dequantized) inputs (float32 within 1e-4, quantized within 1 output step).
"""

import numpy as np
import keras

import corpus_16x8  # noqa: F401  (installs the 16x8 conversion wrapper)
import make_corpus
from make_corpus import inp, model

make_corpus.ALLOWED_OPS.update({"SUM"})

_fb = make_corpus.fb
_DTYPE = {"f32": "float32", "int8": "int8", "16x8": "int16"}


def _deq(a, t):
    a = a.astype(np.float64)
    return (a - t["zero_point"][0]) * t["scale"][0] if t["scale"] else a


def _check_graph(name, model_bytes, axes, keepdims):
    m = make_corpus.parse(model_bytes)
    sg = m.subgraphs[0]
    if len(m.subgraphs) != 1 or len(sg.operators) != 1:
        raise RuntimeError(f"{name}: expected a single SUM, got {make_corpus.op_names(m)}")
    op = sg.operators[0]
    oc = m.operatorCodes[op.opcodeIndex]
    code = max(oc.builtinCode, oc.deprecatedBuiltinCode)
    if code != _fb.BuiltinOperator.SUM or code != 74:
        raise RuntimeError(f"{name}: op is {make_corpus.OP_NAMES.get(code, code)}, not SUM (74)")
    t = sg.tensors[op.inputs[1]]
    data = m.buffers[t.buffer].data
    if t.type != _fb.TensorType.INT32 or data is None:
        raise RuntimeError(f"{name}: SUM axis is not an int32 constant")
    got = np.frombuffer(bytes(bytearray(data)), dtype="<i4").tolist()
    if got != list(axes):
        raise RuntimeError(f"{name}: SUM axis is {got}, wanted {list(axes)}")
    kd = bool(op.builtinOptions is not None and op.builtinOptions.keepDims)
    if kd != keepdims:
        raise RuntimeError(f"{name}: SUM keep_dims is {kd}, wanted {keepdims}")


def _check(axes, keepdims, min_distinct=24, max_sat=0.02):
    def check(name, model_bytes, cases, inputs_meta, outputs_meta):
        _check_graph(name, model_bytes, axes, keepdims)
        want_dtype = _DTYPE[next(v for v in _DTYPE if name.endswith("_" + v))]
        for t in inputs_meta + outputs_meta:
            if t["dtype"] != want_dtype:
                raise RuntimeError(f"{name}: tensor {t['name']} is {t['dtype']}, "
                                   f"wanted {want_dtype}")
        to = outputs_meta[0]
        vals = np.concatenate([outs[0].ravel() for _, outs in cases])
        need = min(min_distinct, vals.size // 2)
        if len(np.unique(vals)) < need:
            raise RuntimeError(f"{name}: only {len(np.unique(vals))} distinct output values")
        if to["dtype"] != "float32":
            info = np.iinfo(np.dtype(to["dtype"]))
            sat = np.mean((vals == info.min) | (vals == info.max))
            if sat > max_sat:
                raise RuntimeError(f"{name}: output saturates on {sat:.1%}")
        ax = tuple(axes)
        for k, (ins, outs) in enumerate(cases):
            ref = np.sum(_deq(ins[0], inputs_meta[0]), axis=ax, keepdims=keepdims)
            got = outs[0]
            if ref.shape != got.shape:
                raise RuntimeError(f"{name}: output shape {got.shape}, numpy {ref.shape}")
            if to["dtype"] == "float32":
                err = np.max(np.abs(got.astype(np.float64) - ref) / (1e-4 + 1e-4 * np.abs(ref)))
            else:
                q = np.clip(np.round(ref / to["scale"][0]) + to["zero_point"][0],
                            info.min, info.max)
                err = np.max(np.abs(got.astype(np.float64) - q))
            if err > 1:
                raise RuntimeError(f"{name}: case {k} differs from the numpy sum ({err:.3g})")
    return check


def msum(name, axes, keepdims, variants=("f32", "int8"), n=None):
    # n: how many elements each output sums. 16x8 variants draw their int16 inputs in
    # [-r, r] with r = 32767 / (3 sqrt(n / 3)): the sum's standard deviation is then a third of
    # the int16 range (the output has the input's scale). r > 127 leaves int8 inputs alone.
    int_range = None if n is None else int(32767 / (3 * np.sqrt(n / 3)))
    return model(name, variants=variants, int_range=int_range, check=_check(axes, keepdims))


ALL = ("f32", "int8", "16x8")


@msum("sum_axis3_last", [3], False, variants=ALL, n=8)
def _():
    i = inp((6, 6, 8))
    return keras.Model(i, keras.ops.sum(i, axis=3))


@msum("sum_axes12_keepdims", [1, 2], True, variants=ALL, n=35)
def _():
    i = inp((5, 7, 10))
    return keras.Model(i, keras.ops.sum(i, axis=(1, 2), keepdims=True))


@msum("sum_axes12", [1, 2], False)
def _():
    i = inp((6, 5, 12))
    return keras.Model(i, keras.ops.sum(i, axis=(1, 2)))


@msum("sum_axis0_2d", [0], False)
def _():
    i = inp((12,), batch=7)
    return keras.Model(i, keras.ops.sum(i, axis=0))


@msum("sum_axisneg2", [-2], False)
def _():
    i = inp((4, 6, 5))
    return keras.Model(i, keras.ops.sum(i, axis=-2))
