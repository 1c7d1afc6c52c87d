"""UNIDIRECTIONAL_SEQUENCE_LSTM models for the conformance corpus, built directly as flatbuffers
(tools/tflite_fb.py), the way corpus_svdf.py builds SVDF models.

Imported by make_corpus.py (which loads every tools/corpus_*.py). TFLM's LSTM kernel is the
"integer LSTM without intermediates" of /work/notes/lstm.md: 24 inputs, the input gate present
(no CIFG), no peephole, no projection, no layer norm; per-tensor weights; hidden state (input 18)
and cell state (input 19) are variable tensors; cell-gate activation TANH (the option's
`fused_activation_function`), optional `cell_clip`, batch-major or `time_major`. Op version 1, as
the converter writes it for float and int8 alike. No `intermediates` (TFLM never reads them).
Three kinds, by the name's suffix:

- `_f32`: everything float32.
- `_int8`: int8 input / hidden state / output (asymmetric, from calibration), int8 weights
  (symmetric, zero point 0), int32 biases, int16 cell state with a power-of-two scale.
- `_16x8`: int16 input / hidden state / output (symmetric, zero point 0), int8 weights, int64
  biases, int16 cell state with a power-of-two scale.

Two network heads on top of the LSTM, float32 and int8 each: `lstm_net_flatten_*` (LSTM [1,T,S]
-> RESHAPE [1,T*S] -> FULLY_CONNECTED -> SOFTMAX, like TFLM's mnist LSTM example) and
`lstm_net_frames_*` (LSTM [B,T,S] -> FULLY_CONNECTED with keep_num_dims [B,T,C] -> SOFTMAX: one
class distribution per time step).

Weights are random (seeded by the model name): W_x uniform with variance ~ gain_x^2 / I, W_h
uniform with variance ~ gain_h^2 / S, biases uniform in [-0.3, 0.3] except the forget bias
(centred on `forget_bias`, as Keras' unit_forget_bias) and the cell bias (spread `cell_bias`):
together they set how far the cell state wanders, so how large its calibrated range is.

Integer models are quantized as the TFLite converter quantizes an LSTM: a float64 reference of
the graph (TFLM's float semantics, notes §4-§5) runs on a seeded calibration stream (the same
input range as the test cases, reset every few invokes so that both fresh and warm state are
seen) and
- the input gets an asymmetric int8 range from the calibration range [-0.5, 1.0] (zero point not
  0), or for 16x8 a symmetric int16 scale from [-1, 1];
- the hidden state and the LSTM output share one quantization (they are the same bytes): int8
  asymmetric from the observed min/max of h (so a nonzero zero point when h is lopsided), int16
  symmetric from its max |h|;
- the cell state is int16 with scale 2^pot / 32768, pot = the smallest non-negative integer with
  2^pot >= max |c| (the converter's GetPowerOfTwoScale), zero point 0;
- each of the 8 weight matrices is symmetric narrow-range per-tensor int8 (zero point 0);
- each gate bias has scale = input_scale * W_x scale (the input FC's product, in float32),
  int32 (int8 models) or int64 (16x8);
- the heads: FULLY_CONNECTED int8 with bias scale = input_scale * weight_scale, output from the
  calibrated logits range; SOFTMAX int8 output scale 1/256, zero point -128; RESHAPE keeps its
  input's quantization.
Each model states which cell-scale power it expects (`cell_pow`); the build fails if calibration
gives another, so a change of weights cannot silently move a model off the power it covers.

Every model has 3 ordinary cases and 1 streaming case of 5 steps (make_corpus `stream`). A check
runs after the goldens are made and fails the model unless:
- outputs take many distinct values over all cases and steps and rarely saturate;
- every streaming step after the first differs from a reset-then-single-invoke on the same input
  (the state carries over between invokes), and step 0 equals it;
- float goldens match the float64 numpy reference (atol 1e-4), and dequantized integer goldens
  are within a few output steps of it (a consistency check of the quantization set-up);
- in `clip` models the reference cell state reaches the clip on a fair share of updates and the
  int16 clip value is below 32767 (so the clip acts in the integer kernel too);
- integer models have the expected cell-scale power, and where a model asks for it
  (`hidden_zp`), a nonzero hidden-state zero point.
"""

import math

import numpy as np

import make_corpus
import tflite_fb as tfb
from corpus_svdf import _deq, _steps, check_outputs_vary, check_state_matters
from make_corpus import model
from tflite_fb import fb

make_corpus.ALLOWED_OPS.add("UNIDIRECTIONAL_SEQUENCE_LSTM")
tfb.TENSOR_TYPE.setdefault(np.dtype(np.int64), fb.TensorType.INT64)   # 16x8 biases

CONVERTER = "none: flatbuffer built by microlite tools/corpus_lstm.py (tflite schema object API)"
GATES = ("i", "f", "c", "o")      # input, forget, cell, output: the slot order 1-4, 5-8, 12-15
INT8_CAL = (-0.5, 1.0)            # float input range of int8 models (calibration and cases)
INT16_CAL = (-1.0, 1.0)           # symmetric float input range of 16x8 models
STREAM_STEPS = 5
CHECK_NOTES = {}

# ---- float reference -------------------------------------------------------------------------

def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def init_weights(spec, seed):
    rng = np.random.default_rng(seed)
    n_in, s = spec["n_in"], spec["units"]
    w = {}
    for g in GATES:
        w["wx_" + g] = rng.uniform(-1, 1, (s, n_in)) * math.sqrt(3.0 / n_in) * spec["gain_x"]
        w["wh_" + g] = rng.uniform(-1, 1, (s, s)) * math.sqrt(3.0 / s) * spec["gain_h"]
    for g in GATES:
        w["b_" + g] = rng.uniform(-0.3, 0.3, s)
    w["b_f"] = w["b_f"] + spec["forget_bias"]
    w["b_c"] = rng.uniform(-1, 1, s) * spec["cell_bias"] + spec["cell_bias_mean"]
    w["b_o"] = w["b_o"] + spec["output_bias"]
    head = spec.get("head")
    if head:
        n = spec["time"] * s if head == "flatten" else s
        c = spec["classes"]
        w["fc_w"] = rng.uniform(-1, 1, (c, n)) * math.sqrt(3.0 / n) * spec["head_gain"]
        w["fc_b"] = rng.uniform(-0.3, 0.3, c)
    return w


class FloatGraph:
    """float64 reference of the graph, TFLM's float LSTM semantics (lstm.md §4, §5): gates
    sigma(W_x x + b + W_h h), cell gate tanh, c = f*c + i*g then the clip if cell_clip > 0,
    h = o * tanh(c); the state persists across invokes. `ranges` collects min/max for
    calibration; `clip_hits` counts cell entries at the clip."""

    def __init__(self, spec, w):
        self.spec, self.w = spec, w
        self.ranges = {}
        self.cell_updates = 0
        self.clip_hits = 0
        self.reset()

    def reset(self):
        b, s = self.spec["batch"], self.spec["units"]
        self.h = np.zeros((b, s))
        self.c = np.zeros((b, s))

    def _see(self, key, x):
        lo, hi = self.ranges.get(key, (np.inf, -np.inf))
        self.ranges[key] = (min(lo, float(x.min())), max(hi, float(x.max())))

    def invoke(self, x):
        sp, w = self.spec, self.w
        x = np.asarray(x, np.float64)
        self._see("in", x)
        xb = x.transpose(1, 0, 2) if sp["time_major"] else x      # -> [B, T, I]
        out = np.zeros(xb.shape[:2] + (sp["units"],))
        clip = sp["cell_clip"]
        for t in range(xb.shape[1]):
            xt, h = xb[:, t], self.h
            pre = {g: xt @ w["wx_" + g].T + w["b_" + g] + h @ w["wh_" + g].T for g in GATES}
            i, f, o = sigmoid(pre["i"]), sigmoid(pre["f"]), sigmoid(pre["o"])
            g = np.tanh(pre["c"])
            c = f * self.c + i * g
            if clip > 0:
                self.clip_hits += int(np.sum(np.abs(c) >= clip))
                c = np.clip(c, -clip, clip)
            self.cell_updates += c.size
            self.c = c
            self.h = o * np.tanh(c)
            self._see("c", self.c)
            self._see("h", self.h)
            out[:, t] = self.h
        y = out.transpose(1, 0, 2) if sp["time_major"] else out   # back to the model's layout
        head = sp.get("head")
        if head:
            z = y.reshape(y.shape[0], -1) if head == "flatten" else y
            z = z @ w["fc_w"].T + w["fc_b"]
            self._see("logits", z)
            e = np.exp(z - z.max(-1, keepdims=True))
            y = e / e.sum(-1, keepdims=True)
        return y


def input_shape(spec):
    b, t, i = spec["batch"], spec["time"], spec["n_in"]
    return [t, b, i] if spec["time_major"] else [b, t, i]


def output_shape(spec):
    b, t, s = spec["batch"], spec["time"], spec["units"]
    return [t, b, s] if spec["time_major"] else [b, t, s]


def calibrate(spec, w, seed, cal_range):
    g = FloatGraph(spec, w)
    rng = np.random.default_rng(seed + 7)
    for _ in range(24):
        g.reset()
        for _ in range(STREAM_STEPS + 3):
            g.invoke(rng.uniform(*cal_range, input_shape(spec)))
    return g.ranges


def cell_pot(maxabs):
    """The converter's GetPowerOfTwoScale: the cell scale is 2^pot / 32768."""
    pot = 0
    for _ in range(10):
        if 2.0 ** pot < maxabs:
            pot += 1
    return pot


# ---- flatbuffer emitters ---------------------------------------------------------------------

def lstm_options(spec):
    o = fb.UnidirectionalSequenceLSTMOptionsT()
    o.fusedActivationFunction = fb.ActivationFunctionType.TANH
    o.cellClip = float(spec["cell_clip"])
    o.projClip = 0.0
    o.timeMajor = bool(spec["time_major"])
    o.asymmetricQuantizeInputs = False
    o.diagonalRecurrentTensors = False
    return fb.BuiltinOptions.UnidirectionalSequenceLSTMOptions, o


def reshape_options(shape):
    o = fb.ReshapeOptionsT()
    o.newShape = [int(d) for d in shape]
    return fb.BuiltinOptions.ReshapeOptions, o


def fc_options(keep_num_dims=False):
    t, o = tfb.fc_options()
    o.keepNumDims = bool(keep_num_dims)
    return t, o


def quantize_bias64(b, scale_a, scale_b):
    """int64 bias (16x8) with scale = scale_a * scale_b in float32, as the converter writes it."""
    scale = np.float32(np.float32(scale_a) * np.float32(scale_b))
    q = np.round(np.asarray(b, np.float64) / float(scale))
    return q.astype(np.int64), scale


def build_graph(spec, w, ranges):
    """The whole graph; `ranges` is None for float32. Returns (model bytes, quantization info)."""
    kind = spec["kind"]
    g = tfb.Graph()
    b, s = spec["batch"], spec["units"]
    n_in = spec["n_in"]
    info = {}
    if kind == "f32":
        act_t, qx, qh = np.float32, {}, {}
    elif kind == "int8":
        act_t = np.int8
        xs, xz = tfb.asym_params(*INT8_CAL)
        hs, hz = tfb.asym_params(*ranges["h"])
        qx, qh = dict(scale=xs, zero_point=xz), dict(scale=hs, zero_point=hz)
    else:
        act_t = np.int16
        xs = tfb.sym_params(max(abs(v) for v in INT16_CAL), 16)
        hs = tfb.sym_params(max(-ranges["h"][0], ranges["h"][1]), 16)
        qx, qh = dict(scale=xs, zero_point=0), dict(scale=hs, zero_point=0)
    x = g.tensor("input", input_shape(spec), act_t, **qx)
    slots = [x]
    wq = {}
    for part, width in (("wx", n_in), ("wh", s)):
        for gate in GATES:
            key = f"{part}_{gate}"
            name = f"lstm/{'input' if part == 'wx' else 'recurrent'}_to_{gate}_weights"
            if kind == "f32":
                slots.append(g.tensor(name, [s, width], np.float32, w[key]))
            else:
                q, sc = tfb.quantize_weights(w[key], 8)
                wq[key] = float(sc)
                slots.append(g.tensor(name, [s, width], np.int8, q, scale=sc, zero_point=0))
    slots += [-1, -1, -1]                                  # 9-11: no peephole
    for gate in GATES:
        name = f"lstm/{gate}_gate_bias"
        if kind == "f32":
            slots.append(g.tensor(name, [s], np.float32, w["b_" + gate]))
        elif kind == "int8":
            q, sc = tfb.quantize_bias(w["b_" + gate], xs, wq["wx_" + gate])
            slots.append(g.tensor(name, [s], np.int32, q, scale=sc, zero_point=0))
        else:
            q, sc = quantize_bias64(w["b_" + gate], xs, wq["wx_" + gate])
            slots.append(g.tensor(name, [s], np.int64, q, scale=sc, zero_point=0))
    slots += [-1, -1]                                      # 16-17: no projection
    h = g.tensor("lstm/hidden_state", [b, s], act_t, variable=True, **qh)
    if kind == "f32":
        c = g.tensor("lstm/cell_state", [b, s], np.float32, variable=True)
    else:
        pot = cell_pot(max(-ranges["c"][0], ranges["c"][1]))
        cs = np.float32(2.0 ** (pot - 15))
        c = g.tensor("lstm/cell_state", [b, s], np.int16, variable=True, scale=cs, zero_point=0)
        info.update(cell_pow=pot - 15, cell_scale=float(cs), hidden=(float(qh["scale"]),
                    qh["zero_point"]), input=(float(xs), qx["zero_point"]),
                    qclip=int(np.clip(np.float64(np.float32(spec["cell_clip"])) / float(cs),
                                      -32768, 32767)))
    slots += [h, c] + [-1] * 4                             # 20-23: no layer norm
    assert len(slots) == 24
    y = g.tensor("lstm/output", output_shape(spec), act_t, **qh)
    g.op(fb.BuiltinOperator.UNIDIRECTIONAL_SEQUENCE_LSTM, slots, [y], *lstm_options(spec),
         version=1)
    head = spec.get("head")
    if head:
        assert kind in ("f32", "int8")
        cls = spec["classes"]
        if head == "flatten":
            shape = [b, spec["time"] * s]
            shp = g.tensor("flatten/shape", [2], np.int32, np.array(shape, np.int32))
            z = g.tensor("flatten", shape, act_t, **qh)
            g.op(fb.BuiltinOperator.RESHAPE, [y, shp], [z], *reshape_options(shape), version=1)
            fc_out, keep = [b, cls], False
        else:
            z, fc_out, keep = y, output_shape(spec)[:2] + [cls], True
        width = int(g.tensors[z].shape[-1])
        if kind == "f32":
            fw = g.tensor("fc/weights", [cls, width], np.float32, w["fc_w"])
            fbias = g.tensor("fc/bias", [cls], np.float32, w["fc_b"])
            logits = g.tensor("fc/output", fc_out, np.float32)
            g.op(fb.BuiltinOperator.FULLY_CONNECTED, [z, fw, fbias], [logits],
                 *fc_options(keep), version=1)
            out = g.tensor("softmax", fc_out, np.float32)
            g.op(fb.BuiltinOperator.SOFTMAX, [logits], [out], *tfb.softmax_options(1.0),
                 version=1)
        else:
            q, sc = tfb.quantize_weights(w["fc_w"], 8)
            fw = g.tensor("fc/weights", [cls, width], np.int8, q, scale=sc, zero_point=0)
            bq, bs = tfb.quantize_bias(w["fc_b"], qh["scale"], sc)
            fbias = g.tensor("fc/bias", [cls], np.int32, bq, scale=bs, zero_point=0)
            ls, lz = tfb.asym_params(*ranges["logits"])
            logits = g.tensor("fc/output", fc_out, np.int8, scale=ls, zero_point=lz)
            g.op(fb.BuiltinOperator.FULLY_CONNECTED, [z, fw, fbias], [logits],
                 *fc_options(keep), version=4)
            out = g.tensor("softmax", fc_out, np.int8, scale=np.float32(1.0 / 256),
                           zero_point=-128)
            g.op(fb.BuiltinOperator.SOFTMAX, [logits], [out], *tfb.softmax_options(1.0),
                 version=2)
        y = out
    return g.finish([x], [y], CONVERTER), info


# ---- checks -----------------------------------------------------------------------------------

def check_against_float(name, spec, w, cases, inputs_meta, outputs_meta, tol):
    """Float goldens within 1e-4 of the float64 reference; integer goldens dequantized within
    `tol` = (mean, max) int8 output steps of it (for an int16 output: steps of an int8 output
    over the same range, 256 int16 steps). Returns the reference graph (its clip counters)."""
    g = FloatGraph(spec, w)
    errs = []
    for c in cases:
        seq = c if isinstance(c, list) else [c]
        g.reset()
        for ins, outs in seq:
            want = g.invoke(_deq(ins[0], inputs_meta[0]))
            got = _deq(outs[0], outputs_meta[0])
            if spec["kind"] == "f32":
                err = float(np.max(np.abs(got - want)))
                if err > 1e-4:
                    raise RuntimeError(f"{name}: float golden differs from the numpy reference "
                                       f"by {err:.3g}")
                errs.append(err)
            else:
                errs.append(np.abs(got - want).ravel())
    if spec["kind"] == "f32":
        CHECK_NOTES[name] = f"vs float64 reference: max {max(errs):.2g}"
    else:
        # In steps of an int8 output over the same range (an int16 step is 1/256 of that),
        # so that one tolerance serves int8 and 16x8.
        e = np.concatenate(errs)
        wide = outputs_meta[0]["dtype"] == "int16"
        step = outputs_meta[0]["scale"][0] * (256 if wide else 1)
        mean, mx = float(e.mean() / step), float(e.max() / step)
        if mean > tol[0] or mx > tol[1]:
            raise RuntimeError(f"{name}: integer golden far from the float reference "
                               f"(mean {mean:.2f}, max {mx:.1f} int8 output steps)")
        CHECK_NOTES[name] = (f"vs float reference: mean {mean:.2f}, max {mx:.2f} "
                             f"{'int8-equivalent ' if wide else ''}output steps")
    return g


# ---- registry ---------------------------------------------------------------------------------

def lstm_model(name, kind, batch, time, n_in, units, time_major=False, cell_clip=0.0,
               gain_x=1.0, gain_h=1.0, forget_bias=1.0, cell_bias=0.3, cell_bias_mean=0.0,
               output_bias=0.0, cell_pow=None, hidden_zp=False, head=None, classes=None,
               head_gain=1.0, tol=(1.5, 8.0), min_distinct=60):
    """Registers one model. cell_pow: the cell-state scale power calibration must give (integer
    models); hidden_zp: require a nonzero hidden-state zero point; head: None, "flatten" or
    "frames" (with `classes` and the logits weight gain `head_gain`); tol: (mean, max) error
    vs the float reference in int8 output steps; min_distinct: distinct output values wanted."""
    assert name.startswith("lstm_") and name.endswith("_" + kind), name
    spec = dict(kind=kind, batch=batch, time=time, n_in=n_in, units=units,
                time_major=time_major, cell_clip=cell_clip, gain_x=gain_x, gain_h=gain_h,
                forget_bias=forget_bias, cell_bias=cell_bias, cell_bias_mean=cell_bias_mean,
                output_bias=output_bias, head=head, classes=classes,
                head_gain=head_gain)
    holder = {}

    def build(seed):
        w = init_weights(spec, seed)
        holder["w"] = w
        if kind == "f32":
            mb, info = build_graph(spec, w, None)
        else:
            ranges = calibrate(spec, w, seed, INT8_CAL if kind == "int8" else INT16_CAL)
            mb, info = build_graph(spec, w, ranges)
            if cell_pow is not None and info["cell_pow"] != cell_pow:
                top = max(map(abs, ranges["c"]))
                raise RuntimeError(f"{name}: calibrated cell scale is 2^{info['cell_pow']}, "
                                   f"expected 2^{cell_pow} (max |c| {top:.3g})")
            if hidden_zp and info["hidden"][1] == 0:
                raise RuntimeError(f"{name}: hidden-state zero point came out 0")
            if cell_clip > 0 and info["qclip"] >= 32767:
                raise RuntimeError(f"{name}: cell_clip {cell_clip} is not below the int16 "
                                   f"cell range ({info['qclip']})")
        holder["info"] = info
        return mb

    def check(nm, model_bytes, cases, inputs_meta, outputs_meta):
        check_outputs_vary(nm, cases, outputs_meta, min_distinct=min_distinct, max_sat=0.05)
        check_state_matters(nm, model_bytes, cases, outputs_meta, True)
        g = check_against_float(nm, spec, holder["w"], cases, inputs_meta, outputs_meta, tol)
        if cell_clip > 0:
            share = g.clip_hits / g.cell_updates
            if share < 0.02:
                raise RuntimeError(f"{nm}: the cell clip acts on only {share:.1%} of updates")
            CHECK_NOTES[nm] += f"; clip on {share:.0%} of cell updates"
        vals = np.concatenate([outs[0].ravel() for _, _, (_, outs) in _steps(cases)])
        CHECK_NOTES[nm] += f"; {len(np.unique(vals))} distinct of {vals.size}"
        dt = np.dtype(outputs_meta[0]["dtype"])
        if np.issubdtype(dt, np.integer):
            lim = np.iinfo(dt)
            CHECK_NOTES[nm] += (f", at min {np.mean(vals == lim.min):.1%}"
                                f", at max {np.mean(vals == lim.max):.1%}")
        info = holder["info"]
        if info:
            CHECK_NOTES[nm] += (f"; cell 2^{info['cell_pow']}, hidden scale "
                                f"{info['hidden'][0]:.4g} zp {info['hidden'][1]}, "
                                f"qclip {info['qclip']}")

    model(name, variants=("",), raw=True, converter=CONVERTER, stream=(1, STREAM_STEPS),
          check=check)(build)


# float32: both layouts, with and without cell_clip
lstm_model("lstm_b1_t6_f32", "f32", 1, 6, 5, 8, forget_bias=1.0)
lstm_model("lstm_b2_t5_clip_f32", "f32", 2, 5, 4, 6, cell_clip=0.75, forget_bias=2.0,
           cell_bias=1.0)
lstm_model("lstm_tm_b3_t4_f32", "f32", 3, 4, 6, 5, time_major=True)
lstm_model("lstm_tm_b2_t3_clip_f32", "f32", 2, 3, 3, 7, time_major=True, cell_clip=0.6,
           forget_bias=2.0, cell_bias=1.0, gain_x=1.5)
# int8 (8x8 -> 16): batch 1 / 2, time 1 / 5+, both layouts, nonzero hidden zero point, clip
lstm_model("lstm_b1_t1_int8", "int8", 1, 1, 8, 8, forget_bias=1.0, hidden_zp=True, cell_pow=-14)
lstm_model("lstm_b1_t8_int8", "int8", 1, 8, 5, 10, forget_bias=2.0, cell_bias=1.0,
           cell_bias_mean=1.3, output_bias=1.0, hidden_zp=True, cell_pow=-11)
lstm_model("lstm_b2_t5_clip_int8", "int8", 2, 5, 4, 6, cell_clip=0.75, forget_bias=2.0,
           cell_bias=1.0, cell_pow=-15)
lstm_model("lstm_tm_b2_t6_int8", "int8", 2, 6, 6, 8, time_major=True, forget_bias=1.5,
           cell_bias=1.5, hidden_zp=True, cell_pow=-12)
# 16x8: int16 input / hidden / output, int64 biases
lstm_model("lstm_b1_t5_16x8", "16x8", 1, 5, 6, 8, forget_bias=1.5, cell_bias=1.0, cell_pow=-13)
lstm_model("lstm_tm_b2_t4_clip_16x8", "16x8", 2, 4, 5, 6, time_major=True, cell_clip=0.8,
           forget_bias=2.0, cell_bias=1.0, cell_pow=-15)
# small networks
lstm_model("lstm_net_flatten_f32", "f32", 1, 6, 8, 8, head="flatten", classes=6,
           head_gain=3.0)
lstm_model("lstm_net_flatten_int8", "int8", 1, 6, 8, 8, head="flatten", classes=6,
           head_gain=3.0, cell_pow=-13)
lstm_model("lstm_net_frames_f32", "f32", 2, 5, 6, 8, head="frames", classes=5, head_gain=3.0)
lstm_model("lstm_net_frames_int8", "int8", 2, 5, 6, 8, head="frames", classes=5,
           head_gain=3.0, cell_pow=-13)
