"""float16 constants (beyond TFLM, which refuses them): DEQUANTIZE float16 -> float32 of weights,
as MediaPipe's models keep them. Goldens from LiteRT (`oracle="litert"`: builtin reference
kernels, no delegate), compared within 1e-3 + 1e-3 relative.

Imported by make_corpus.py. Converter-made models use the `f16` variant (`optimizations =
[DEFAULT]`, `supported_types = [tf.float16]`): every weight and bias becomes a FLOAT16 constant
behind its own DEQUANTIZE. A raw flatbuffer (`dequantize_f16_special_values`) adds a float16
constant holding the values a converter rarely writes (subnormals, -0, the largest half, values
that round in half precision) to a float32 input with ADD. The check wants varied outputs, at
least one FLOAT16 tensor, and goldens within the tolerance of the float64 reference where there
is one.
"""

import numpy as np

import tflite_fb as tfb
from make_corpus import conv, dense, dwconv, inp, keras, model, parse
from tflite_fb import fb

LITERT = dict(oracle="litert")


def _check_f16(name, model_bytes, cases, inputs_meta, outputs_meta):
    m = parse(model_bytes)
    if not any(t.type == fb.TensorType.FLOAT16 for t in m.subgraphs[0].tensors):
        raise RuntimeError(f"{name}: no FLOAT16 tensor")
    for j in range(len(outputs_meta)):
        vals = np.concatenate([outs[j].ravel() for _, outs in cases])
        if len(np.unique(vals)) < min(20, vals.size // 2):
            raise RuntimeError(f"{name}: output {j} takes few distinct values")


@model("fc_relu_mlp", variants=("f16",), check=_check_f16, **LITERT)
def _():
    i = inp((20,))
    x = dense(i, 32, act="relu")
    return keras.Model(i, dense(x, 10))


@model("net_conv_dw_fc", variants=("f16",), check=_check_f16, **LITERT)
def _():
    i = inp((8, 8, 3))
    x = conv(i, 8, 3, act="relu")
    x = dwconv(x, 3, s=2, act="relu")
    x = conv(x, 6, 1)
    x = keras.layers.Flatten()(x)
    return keras.Model(i, dense(x, 7))


def _special_values():
    """Subnormals, zeros of both signs, the extremes and ordinary halves."""
    bits = np.array([0x0000, 0x8000, 0x0001, 0x8001, 0x03ff, 0x0400, 0x7bff, 0xfbff,
                     0x3c00, 0xbc00, 0x3555, 0x4248, 0x1234, 0x9abc, 0x5640, 0xd640],
                    dtype=np.uint16)
    rng = np.random.default_rng(16)
    more = rng.uniform(-4.0, 4.0, 32).astype(np.float16).view(np.uint16)
    return np.concatenate([bits, more]).view(np.float16)


def _check_special(name, model_bytes, cases, inputs_meta, outputs_meta):
    want_c = _special_values().astype(np.float64)
    for ins, outs in cases:
        want = ins[0].astype(np.float64) + want_c
        err = np.max(np.abs(outs[0] - want) / (1.0 + np.abs(want)))
        if err > 1e-6:
            raise RuntimeError(f"{name}: golden differs from float64 by {err}")


@model("dequantize_f16_special_values", variants=("",), raw=True, check=_check_special,
       converter="none: flatbuffer built by microlite tools/corpus_float16.py", **LITERT)
def _(seed):
    g = tfb.Graph()
    c = _special_values()
    x = g.tensor("input", [48], np.float32)
    w16 = g.tensor("const_f16", [48], np.float16, data=c)
    w = g.tensor("const_f32", [48], np.float32)
    y = g.tensor("output", [48], np.float32)
    g.op(fb.BuiltinOperator.DEQUANTIZE, [w16], [w], version=3)
    g.op(fb.BuiltinOperator.ADD, [x, w], [y], fb.BuiltinOptions.AddOptions, fb.AddOptionsT())
    return g.finish([x], [y], "none: flatbuffer built by microlite tools/corpus_float16.py")
