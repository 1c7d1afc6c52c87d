"""Control flow and resource variables for the conformance corpus (op breadth, wave 3):
IF, WHILE, CALL_ONCE, VAR_HANDLE, READ_VARIABLE and ASSIGN_VARIABLE.

Imported by make_corpus.py (which loads every tools/corpus_*.py). The models are
`tf.function`s converted by the real TFLite converter: `tf.while_loop` becomes WHILE (with
condition and body subgraphs), `tf.cond` IF, and a `tf.Variable` updated inside the function
(with `experimental_enable_resource_variables`) a CALL_ONCE initialization subgraph plus
VAR_HANDLE / READ_VARIABLE / ASSIGN_VARIABLE. The int8 variants are full-integer conversions
with int8 inputs and outputs (the converter keeps some float inside control flow: goldens are
whatever TFLM computes). A Keras LSTM layer also converts to a WHILE loop (float32 only; its
int8 conversion crashes the converter here).

The variable models have streaming cases: the goldens of later steps depend on the state the
earlier steps left. As in TFLM, CALL_ONCE's initialization runs only at the first invoke of an
interpreter; `reset()` returns the variables to zero (their zero point) without running it
again, so case 0 starts from the initial values and later cases from zeros.
"""

import numpy as np
import tensorflow as tf
import keras

import make_corpus
from corpus_svdf import check_outputs_vary
from make_corpus import inp, model

make_corpus.ALLOWED_OPS.update({
    "WHILE", "IF", "CALL_ONCE", "VAR_HANDLE", "READ_VARIABLE", "ASSIGN_VARIABLE",
    "LESS", "GREATER", "SUM", "TANH", "MUL", "ADD", "SUB", "FULLY_CONNECTED",
    "BATCH_MATMUL", "REDUCE_MAX", "LOGISTIC", "CONCATENATION", "STRIDED_SLICE",
    "GATHER", "RESHAPE", "TRANSPOSE", "UNPACK", "PACK", "SLICE", "SPLIT", "MAXIMUM",
})

F32 = np.float32
CONVERTER = "tensorflow {tf} TFLiteConverter from a tf.function ({variant}), resource variables on"


def _vary(n, _m, c, _i, o):
    check_outputs_vary(n, c, o, min_distinct=8)


def _convert(fn, specs, variant, seed, obj=None):
    c = tf.lite.TFLiteConverter.from_concrete_functions([fn.get_concrete_function(*specs)], obj)
    c.experimental_enable_resource_variables = True
    if variant == "int8":
        def rep():
            rng = np.random.default_rng(10_000 + seed)
            for _ in range(make_corpus.REP_SAMPLES):
                yield [rng.uniform(-1, 1, s.shape).astype(np.float32) for s in specs]
        c.optimizations = [tf.lite.Optimize.DEFAULT]
        c.representative_dataset = rep
        c.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        c.inference_input_type = tf.int8
        c.inference_output_type = tf.int8
    return bytes(c.convert())


def _weights(seed, shape, gain=0.6):
    return tf.constant(np.random.default_rng(seed).normal(0, gain, shape).astype(np.float32))


def _fn_model(name, make, specs, variants=("f32", "int8"), stream=None, vary=True):
    """Registers `name_<variant>` for a builder `make(seed) -> (tf.function, trackable)`."""
    for variant in variants:
        def build(seed, variant=variant):
            with make_corpus.captured_fds(make_corpus.LOG_PATH):
                fn, obj = make(seed)
                return _convert(fn, specs, variant, seed, obj)
        model(f"{name}_{variant}", variants=("",), raw=True,
              converter=CONVERTER.format(tf=tf.__version__, variant=variant),
              stream=stream, check=_vary if vary else None)(build)


# ---- WHILE ----------------------------------------------------------------

def _while_fixed(seed):
    w = _weights(seed, (6, 6))

    @tf.function
    def f(x):
        def body(i, h):
            return i + 1, tf.tanh(tf.matmul(h, w) + 0.1)
        _, y = tf.while_loop(lambda i, h: i < 4, body, [tf.constant(0), x])
        return y
    return f, None


def _while_data(seed):
    """A loop whose iteration count depends on the input (0 to about 6)."""
    w = _weights(seed, (5, 5), 0.3)

    @tf.function
    def f(x):
        def body(h, n):
            return h * 1.4 + tf.matmul(h, w) * 0.2 + 0.05, n + 1.0
        y, n = tf.while_loop(lambda h, n: tf.reduce_max(h) < 2.0, body,
                             [x, tf.zeros((1, 1))], maximum_iterations=12)
        return tf.concat([y, n], axis=1)
    return f, None


_fn_model("while_fixed_loop", _while_fixed, [tf.TensorSpec((1, 6), tf.float32)])
_fn_model("while_data_dependent", _while_data, [tf.TensorSpec((1, 5), tf.float32)])


@model("while_keras_lstm", variants=("f32",), check=_vary)
def _():
    x = inp((5, 3))
    return keras.Model(x, keras.layers.LSTM(4, kernel_initializer=make_corpus.S.kernel(),
                                            recurrent_initializer=make_corpus.S.kernel(),
                                            bias_initializer=make_corpus.S.bias())(x))


# ---- IF -------------------------------------------------------------------

def _if_branch(seed):
    w = _weights(seed, (4, 4))

    @tf.function
    def f(x):
        return tf.cond(tf.reduce_sum(x) > 0.0,
                       lambda: tf.nn.relu(tf.matmul(x, w)),
                       lambda: tf.tanh(x) * 2.0 - 0.5)
    return f, None


def _if_nested_while(seed):
    """An IF whose then branch runs a WHILE: subgraphs two deep."""
    w = _weights(seed, (4, 4), 0.5)

    @tf.function
    def f(x):
        def loop():
            _, y = tf.while_loop(lambda i, h: i < 3,
                                 lambda i, h: (i + 1, tf.tanh(tf.matmul(h, w))),
                                 [tf.constant(0), x])
            return y
        return tf.cond(tf.reduce_max(x) > 0.3, loop, lambda: x * 0.5)
    return f, None


_fn_model("if_branch", _if_branch, [tf.TensorSpec((1, 4), tf.float32)])
# float32 only: the converter's int8 conversion of this one crashes (segfault) here.
_fn_model("if_nested_while", _if_nested_while, [tf.TensorSpec((1, 4), tf.float32)],
          variants=("f32",))


# ---- Resource variables ---------------------------------------------------

class _Smoother(tf.Module):
    """An exponential moving average kept in a variable (initially non-zero)."""

    def __init__(self, seed):
        super().__init__()
        self.w = _weights(seed, (4, 3))
        self.v = tf.Variable(np.full((1, 4), 0.25, np.float32))

    @tf.function
    def __call__(self, x):
        s = self.v * 0.6 + x * 0.4
        self.v.assign(s)
        return tf.matmul(s, self.w)


class _Window(tf.Module):
    """A streaming window: the last three frames in a variable (as streaming wake-word
    models keep theirs), shifted by one frame per invoke."""

    def __init__(self, seed):
        super().__init__()
        self.w = _weights(seed, (12, 3), 0.4)
        self.v = tf.Variable(tf.zeros((1, 3, 4)))

    @tf.function
    def __call__(self, x):
        win = tf.concat([self.v[:, 1:, :], tf.reshape(x, (1, 1, 4))], axis=1)
        self.v.assign(win)
        return tf.matmul(tf.reshape(win, (1, 12)), self.w)


def _module(cls):
    def make(seed):
        m = cls(seed)
        return m.__call__, m
    return make


_fn_model("var_moving_average", _module(_Smoother), [tf.TensorSpec((1, 4), tf.float32)],
          stream=(2, 6))
_fn_model("var_window", _module(_Window), [tf.TensorSpec((1, 4), tf.float32)],
          stream=(2, 6))
