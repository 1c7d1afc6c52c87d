"""Corpus models that keep what tools/check_real_models.py found on real models tested without
the network.

Imported by make_corpus.py (which loads every tools/corpus_*.py). Raw flatbuffers
(`tools/tflite_fb.py`):

- `reshape_empty_shape_*`: RESHAPE to a scalar whose shape operand is an empty INT32 `[0]`
  tensor with no data that no op writes, as the converter left it in openWakeWord's
  hey_jarvis classifier (`[1, 1]` bool -> `[]`, the condition of its IF). TFLM runs it (an
  empty tensor has nothing to read; RESHAPE takes the output's own shape); microlite used to
  call the model malformed ("reads tensor 25 before anything writes it"). The bool model
  computes its condition with GREATER_EQUAL as hey_jarvis does, and both of its RESHAPEs share
  the one empty operand.
"""

import numpy as np

import make_corpus
import tflite_fb as tfb
from make_corpus import model
from tflite_fb import fb

make_corpus.ALLOWED_OPS.update({"RESHAPE", "GREATER_EQUAL"})

CONVERTER = ("none: flatbuffer built by microlite tools/corpus_real.py "
             "(tflite schema object API)")


def _reshape_bool(_seed):
    g = tfb.Graph()
    x = g.tensor("x", [1, 1], np.float32)
    zero = g.tensor("threshold", [], np.float32, data=np.float32(0.0))
    shape = g.tensor("empty_shape", [0], np.int32)   # no data, never written
    ge = g.tensor("ge", [1, 1], np.bool_)
    cond = g.tensor("cond", [], np.bool_)
    y = g.tensor("y", [], np.float32)
    g.op(fb.BuiltinOperator.GREATER_EQUAL, [x, zero], [ge])
    g.op(fb.BuiltinOperator.RESHAPE, [ge, shape], [cond])
    g.op(fb.BuiltinOperator.RESHAPE, [x, shape], [y])
    return g.finish([x], [cond, y], "RESHAPE to a scalar with an unwritten empty shape operand")


def _reshape_int8(_seed):
    g = tfb.Graph()
    x = g.tensor("x", [1, 1], np.int8, scale=0.05, zero_point=3)
    shape = g.tensor("empty_shape", [0], np.int32)
    y = g.tensor("y", [], np.int8, scale=0.05, zero_point=3)
    g.op(fb.BuiltinOperator.RESHAPE, [x, shape], [y])
    return g.finish([x], [y], "RESHAPE to a scalar with an unwritten empty shape operand")


def _vary(name, _m, cases, _i, outputs_meta):
    for j in range(len(outputs_meta)):
        vals = {np.asarray(outs[j]).item() for _, outs in cases}
        if len(vals) < 2:
            raise RuntimeError(f"{name}: output {j} is the same in every case")


model("reshape_empty_shape_bool", variants=("",), raw=True, converter=CONVERTER,
      check=_vary)(_reshape_bool)
model("reshape_empty_shape_int8", variants=("",), raw=True, converter=CONVERTER,
      check=_vary)(_reshape_int8)
