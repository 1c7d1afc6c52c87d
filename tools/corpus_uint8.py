"""uint8 at the model's edges, as TFLM has it: QUANTIZE int8 -> uint8 and uint8 -> int8 (TFLM's
`Requantize`, whose same-scale, zero-point-128 case is its `x ^ 0x80` fast path) and DEQUANTIZE
uint8 -> float32. TFLM's QUANTIZE runs no other uint8 pair (float32 -> uint8 passes its prepare
and fails its eval), so microlite refuses the others at prepare.

Imported by make_corpus.py. One-op flatbuffers (tools/tflite_fb.py; the converter never chooses
these quantizations on its own) and converter-made networks with uint8 input and output
(`inference_input_type = inference_output_type = tf.uint8`: QUANTIZE uint8 -> int8 first and
int8 -> uint8 last, as microWakeWord's models end after their LOGISTIC).
"""

import numpy as np

import tflite_fb as tfb
from corpus_int16 import F32, REQ, _check, _dequantize_ref, one_op
from make_corpus import L, conv, dense, inp, keras, model
from tflite_fb import fb

Q = fb.BuiltinOperator.QUANTIZE

# microWakeWord's last op: LOGISTIC's int8 (1/256, -128) -> uint8 (1/256, 0): TFLM's fast path.
one_op("quantize_i8_to_u8", Q, 2, [1, 64], np.int8, (F32(1.0 / 256), -128),
       np.uint8, (F32(1.0 / 256), 0), check=REQ)
# uint8 (0.0078, zp 128) -> int8 (same scale, zp 0): the fast path the other way.
one_op("quantize_u8_to_i8", Q, 2, [2, 32], np.uint8, (F32(0.0078), 128),
       np.int8, (F32(0.0078), 0), check=REQ)
# int8 (0.05, zp 10) -> uint8 (0.0523, zp 130): multiplier just below 1, a few saturate at 0.
one_op("quantize_i8_to_u8_rescale", Q, 2, [3, 20], np.int8, (F32(0.05), 10),
       np.uint8, (F32(0.0523), 130), check=REQ)
# uint8 (0.02, zp 100) -> int8 (0.013, zp -5): multiplier about 1.54 (left shift); inputs within
# 80 of the zero point so that only a few saturate.
one_op("quantize_u8_to_i8_rescale", Q, 2, [4, 16], np.uint8, (F32(0.02), 100),
       np.int8, (F32(0.013), -5), int_range=80, check=REQ)
# uint8 (0.0312, zp 77) -> float32, the whole uint8 range.
one_op("dequantize_u8_to_f32", fb.BuiltinOperator.DEQUANTIZE, 2, [3, 11], np.uint8,
       (F32(0.0312), 77), np.float32, None, check=_check(_dequantize_ref, 1e-6))


@model("net_mlp_sigmoid", variants=("int8_uint8io",))
def _():
    """Dense -> ReLU -> Dense -> sigmoid, uint8 in and out (a wake-word head)."""
    i = inp((24,))
    x = dense(i, 16, act="relu")
    x = dense(x, 4, gain=4.0)
    return keras.Model(i, L.Activation("sigmoid")(x))


@model("conv_k3_same_relu_c4", variants=("int8_uint8io",))
def _():
    i = inp((6, 6, 3))
    return keras.Model(i, conv(i, 4, 3, act="relu"))
