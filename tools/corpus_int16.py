"""int16 edge models for the conformance corpus, built directly as flatbuffers
(tools/tflite_fb.py): QUANTIZE between int8 / int16 / int32 (TFLM's Requantize) and from float32
to int16, DEQUANTIZE int16 -> float32, and SOFTMAX int8 -> int16 (the keyword-spotting
benchmark's ops; the converter only makes them inside 16x8 or hand-made models).

Imported by make_corpus.py (which loads every tools/corpus_*.py). One op per model, per-tensor
quantization, 3 ordinary cases each (these ops have no state). Scales are chosen so that the
requantize multipliers are not powers of two and some are greater than 1 (left shift); int16
inputs are drawn in a range (`int_range`) that keeps most outputs inside the output type, with a
few saturating. `check` fails a model unless its outputs take many distinct values, rarely
saturate, and agree with a float numpy reference (QUANTIZE within 1 step, DEQUANTIZE within
float rounding, SOFTMAX within 3e-4 in probability).
"""

import numpy as np

import make_corpus
import tflite_fb as tfb
from corpus_svdf import check_outputs_vary
from make_corpus import model
from tflite_fb import fb

CONVERTER = "none: flatbuffer built by microlite tools/corpus_int16.py (tflite schema object API)"
F32 = np.float32


def _deq(a, t):
    return (a.astype(np.float64) - t["zero_point"][0]) * t["scale"][0] if t["scale"] else \
        a.astype(np.float64)


def _check(reference, tol):
    def check(name, model_bytes, cases, inputs_meta, outputs_meta):
        check_outputs_vary(name, cases, outputs_meta)
        for ins, outs in cases:
            want = reference(ins[0], inputs_meta[0], outputs_meta[0])
            got = outs[0].astype(np.float64)
            err = np.max(np.abs(got - want))
            if err > tol:
                raise RuntimeError(f"{name}: golden differs from the numpy reference by {err}")
    return check


def _requantize_ref(x, ti, to):
    """What QUANTIZE computes, in float: round to the output step, add zp, clamp."""
    real = _deq(x, ti)
    q = np.round(real / to["scale"][0]) + to["zero_point"][0]
    info = np.iinfo(np.dtype(to["dtype"]))
    return np.clip(q, info.min, info.max)


def _dequantize_ref(x, ti, to):
    return _deq(x, ti)


def _softmax_ref(beta):
    def ref(x, ti, to):
        real = _deq(x, ti) * beta
        e = np.exp(real - real.max(-1, keepdims=True))
        p = e / e.sum(-1, keepdims=True)
        return p  # compared after dequantizing the golden, see _check_softmax
    return ref


def _check_softmax(beta, tol=3e-4):
    ref = _softmax_ref(beta)

    def check(name, model_bytes, cases, inputs_meta, outputs_meta):
        check_outputs_vary(name, cases, outputs_meta)
        for ins, outs in cases:
            want = ref(ins[0], inputs_meta[0], outputs_meta[0])
            got = _deq(outs[0], outputs_meta[0])
            err = np.max(np.abs(got - want))
            if err > tol:
                raise RuntimeError(f"{name}: softmax golden differs from numpy by {err:.3g}")
    return check


def one_op(name, op, version, shape, in_t, in_q, out_t, out_q,
           options=(fb.BuiltinOptions.NONE, None), int_range=None, check=None):
    """Registers a model of one operator: input (dtype, (scale, zp) or None) -> output."""
    def build(seed):
        g = tfb.Graph()
        kw_in = dict(scale=in_q[0], zero_point=in_q[1]) if in_q else {}
        kw_out = dict(scale=out_q[0], zero_point=out_q[1]) if out_q else {}
        x = g.tensor("input", shape, in_t, **kw_in)
        y = g.tensor("output", shape, out_t, **kw_out)
        g.op(op, [x], [y], *options, version=version)
        return g.finish([x], [y], CONVERTER)

    model(name, variants=("",), raw=True, converter=CONVERTER, int_range=int_range,
          check=check)(build)


Q = fb.BuiltinOperator.QUANTIZE
REQ = _check(_requantize_ref, 1.0)

# int16 (symmetric, +-3.0) -> int8 (asymmetric [-1.8, 2.5], zp -21): multiplier < 1. Inputs in
# +-2.0 so that about 5 % saturate at -128.
one_op("quantize_i16_to_i8", Q, 1, [2, 40], np.int16, (F32(3.0 / 32767), 0),
       np.int8, tfb.asym_params(-1.8, 2.5), int_range=21845, check=REQ)
# int8 (scale 0.05, zp 10) -> int16 (scale 1/4096): multiplier 204.8 (left shift 8).
one_op("quantize_i8_to_i16", Q, 2, [3, 17], np.int8, (F32(0.05), 10),
       np.int16, (F32(1.0 / 4096), 0), check=REQ)
# int16 -> int16 with a scale ratio of about 1.7 (multiplier > 1); inputs in +-20000 so that
# a few (about 4 %) saturate.
one_op("quantize_i16_to_i16", Q, 2, [1, 64], np.int16, (F32(0.00041), 0),
       np.int16, (F32(0.00024), 0), int_range=20000, check=REQ)
# int16 (softmax-like: scale 1/65535, zp -32768) -> int32 (scale 1/32767): ratio just below 0.5,
# as in keyword_scrambled_8bit's last op.
one_op("quantize_i16_to_i32", Q, 1, [2, 25], np.int16, (F32(1.0 / 65535), -32768),
       np.int32, (F32(1.0 / 32767), 0), check=REQ)
# int8 (scale 0.0235, zp -7) -> int32 (scale 0.0009, zp 0): multiplier about 26.1.
one_op("quantize_i8_to_i32", Q, 1, [4, 9], np.int8, (F32(0.0235), -7),
       np.int32, (F32(0.0009), 0), check=REQ)
# float32 in [-1, 1] -> int16 (scale 0.93/32767): |x| > 0.93 saturates (about 7 %).
one_op("quantize_f32_to_i16", Q, 2, [1, 50], np.float32, None,
       np.int16, (F32(0.93 / 32767), 0), check=REQ)
# int16 (scale 0.00042, zp 0) -> float32, whole int16 range.
one_op("dequantize_i16_to_f32", fb.BuiltinOperator.DEQUANTIZE, 3, [3, 7], np.int16,
       (F32(0.00042), 0), np.float32, None, check=_check(_dequantize_ref, 1e-6))
# SOFTMAX int8 -> int16: output zp -32768, scale 1/65536 (what TFLM requires).
one_op("softmax_i8_to_i16", fb.BuiltinOperator.SOFTMAX, 2, [1, 10], np.int8, (F32(0.05), -3),
       np.int16, (F32(1.0 / 65536), -32768), options=tfb.softmax_options(1.0),
       check=_check_softmax(1.0))
one_op("softmax_i8_to_i16_beta0p5_rank3", fb.BuiltinOperator.SOFTMAX, 2, [2, 3, 16], np.int8,
       (F32(0.1), 5), np.int16, (F32(1.0 / 65536), -32768), options=tfb.softmax_options(0.5),
       check=_check_softmax(0.5))
