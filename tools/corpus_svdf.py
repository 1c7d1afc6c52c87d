"""SVDF models for the conformance corpus, built directly as flatbuffers (tools/tflite_fb.py):
the TFLite converter never emits SVDF.

Imported by make_corpus.py (which loads every tools/corpus_*.py). Each model is a small graph of
SVDF layers (optionally followed by a FULLY_CONNECTED, or wrapped in the keyword-spotting
pipeline QUANTIZE int16->int8 ... SOFTMAX int8->int16 -> QUANTIZE int16->int32) with random
float weights drawn from the model's seed. Three kinds:

- `_f32`: everything float32.
- `_int8`: int8 input, int8 weights_feature, int8 weights_time, int8 state (asymmetric, nonzero
  zero point), int32 bias, int8 output.
- `_int16state`: like `_int8` but int16 weights_time and int16 state (symmetric, zero point 0).

Integer models are quantized the way the converter quantizes: the float graph is run on a
seeded calibration stream (the same input range as the test cases) and every activation and
state tensor gets an asymmetric int8 range (widened to contain 0) from the observed min/max;
weights are symmetric narrow-range per-tensor; bias scale = state_scale * weights_time_scale
exactly in float32 (TFLM checks it); weight zero points 0. The calibration input range is
asymmetric ([-0.5, 1.0]) so that the input and state zero points are not 0.

Every model has 3 ordinary cases and 1 streaming case (make_corpus `stream`), long enough to
fill and roll the state (max(6, memory_size + 2) steps). A check (`check` in `svdf_model`) runs
after the goldens are made and fails the model unless: outputs take many distinct values and
rarely saturate, every streaming step's output differs from what a reset-then-single-invoke
gives for the same input (step 0 equal), except for memory_size 1 graphs where they must be
equal (the state is fully overwritten every invoke); float goldens match a numpy float reference
of the same graph; and integer goldens match it to within a few output steps after
dequantization.

`svdf_b2_r1_m4_statewrap_int8` is the exception: its int8 state range is calibrated with the
maximum shrunk (state zero point +89), so about a third of the new state entries leave int8 and
wrap around, as TFLM stores zp_state + clamp(acc, -128, 127) with a plain narrowing cast. Its
check counts the wraps (an exact integer emulation of that step, `count_state_wraps`, which was
checked against TFLM's state tensor read back with kPreserveAllTensors) instead of comparing with
the float reference. In the other int8 models the state stays in range (one clamp in
`svdf_b1_r1_m1_relu_int8`).

No model without bias: TFLM (the PyPI runtime, source commit 90b983c2) segfaults in SVDF
Prepare when the bias slot is -1, float or int8 alike: PrepareSvdf ends with
`DeallocateTempTfLiteTensor(bias)` on the null tensor (svdf_common.cc, TODO #1751), and the int8
branch also reads `bias->params.scale` unchecked. So there is no golden for that case.
"""

import math

import numpy as np

import make_corpus
import tflite_fb as tfb
from make_corpus import model
from tflite_fb import fb

make_corpus.ALLOWED_OPS.add("SVDF")

A = fb.ActivationFunctionType
ACT = {"none": A.NONE, "relu": A.RELU, "relu6": A.RELU6}
CONVERTER = "none: flatbuffer built by microlite tools/corpus_svdf.py (tflite schema object API)"
CAL_RANGE = (-0.5, 1.0)   # float input range of integer models (calibration and test cases)


# ---- float graph -----------------------------------------------------------------------

def svdf(filters, rank, memory, act="none", bias=True, gain=1.0):
    return dict(kind="svdf", filters=filters, rank=rank, memory=memory, act=act, bias=bias,
                gain=gain)


def fc(units, act="none", gain=1.0):
    return dict(kind="fc", units=units, act=act, bias=True, gain=gain)


def init_weights(spec, seed):
    """Float weights of every layer: uniform, scaled so activations stay near unit size."""
    rng = np.random.default_rng(seed)
    n_in = spec["n_in"]
    layers = []
    for l in spec["layers"]:
        l = dict(l)
        if l["kind"] == "svdf":
            f, m, r = l["filters"], l["memory"], l["rank"]
            l["wf"] = rng.uniform(-1, 1, (f, n_in)) * math.sqrt(3.0 / n_in) * 1.5
            l["wt"] = rng.uniform(-1, 1, (f, m)) * math.sqrt(3.0 / (m * r)) * l["gain"]
            l["b"] = rng.uniform(-0.3, 0.3, f // r) if l["bias"] else None
            n_in = f // r
        else:
            l["w"] = rng.uniform(-1, 1, (l["units"], n_in)) * math.sqrt(3.0 / n_in) * l["gain"]
            l["b"] = rng.uniform(-0.3, 0.3, l["units"])
            n_in = l["units"]
        layers.append(l)
    return layers


def act_f(x, act):
    if act == "relu":
        return np.maximum(x, 0)
    if act == "relu6":
        return np.clip(x, 0, 6)
    return x


class FloatGraph:
    """Float reference of the graph (TFLM's float SVDF semantics, spec in /work/notes/svdf.md).
    `ranges` collects min/max of every tensor for calibration."""

    def __init__(self, spec, layers, dtype=np.float64):
        self.spec, self.layers, self.dtype = spec, layers, dtype
        self.ranges = {}
        self.reset()

    def reset(self):
        b = self.spec["batch"]
        self.states = [np.zeros((b, l["filters"], l["memory"]), self.dtype)
                       if l["kind"] == "svdf" else None for l in self.layers]

    def _see(self, key, x):
        lo, hi = self.ranges.get(key, (np.inf, -np.inf))
        self.ranges[key] = (min(lo, float(x.min())), max(hi, float(x.max())))

    def invoke(self, x):
        dt = self.dtype
        x = np.asarray(x, dt)
        self._see("in", x)
        for i, l in enumerate(self.layers):
            if l["kind"] == "svdf":
                st = self.states[i]
                st[:, :, :-1] = st[:, :, 1:].copy()
                st[:, :, -1] = x @ l["wf"].astype(dt).T
                self._see(("state", i), st[:, :, -1])
                per_filter = np.sum(st * l["wt"].astype(dt)[None], axis=-1)
                y = per_filter.reshape(x.shape[0], -1, l["rank"]).sum(-1)
            else:
                y = x @ l["w"].astype(dt).T
            if l["b"] is not None:
                y = y + l["b"].astype(dt)[None]
            x = act_f(y, l["act"]).astype(dt)
            self._see(("out", i), x)
        if self.spec.get("softmax"):
            e = np.exp(x - x.max(-1, keepdims=True))
            x = e / e.sum(-1, keepdims=True)
        return x


def calibrate(spec, layers, seed):
    g = FloatGraph(spec, layers)
    rng = np.random.default_rng(seed + 7)
    mem = max(l.get("memory", 1) for l in layers)
    shape = (spec["batch"], spec["n_in"])
    for _ in range(16):
        g.reset()
        for _ in range(3 * mem + 8):
            g.invoke(rng.uniform(*spec["cal_range"], shape))
    return g.ranges


# ---- flatbuffer emitters ---------------------------------------------------------------

def build_f32(spec, layers):
    g = tfb.Graph()
    b = spec["batch"]
    x = g.tensor("input", [b, spec["n_in"]], np.float32)
    first = x
    for i, l in enumerate(layers):
        p = f"l{i}_{l['kind']}"
        if l["kind"] == "svdf":
            f, m, r = l["filters"], l["memory"], l["rank"]
            wf = g.tensor(f"{p}/weights_feature", [f, x_width(g, x)], np.float32, l["wf"])
            wt = g.tensor(f"{p}/weights_time", [f, m], np.float32, l["wt"])
            bi = g.tensor(f"{p}/bias", [f // r], np.float32, l["b"]) if l["b"] is not None else -1
            st = g.tensor(f"{p}/state", [b, f * m], np.float32, variable=True)
            y = g.tensor(f"{p}/output", [b, f // r], np.float32)
            g.op(fb.BuiltinOperator.SVDF, [x, wf, wt, bi, st], [y],
                 *tfb.svdf_options(r, ACT[l["act"]]), version=1)
        else:
            u = l["units"]
            w = g.tensor(f"{p}/weights", [u, x_width(g, x)], np.float32, l["w"])
            bi = g.tensor(f"{p}/bias", [u], np.float32, l["b"])
            y = g.tensor(f"{p}/output", [b, u], np.float32)
            g.op(fb.BuiltinOperator.FULLY_CONNECTED, [x, w, bi], [y],
                 *tfb.fc_options(ACT[l["act"]]), version=1)
        x = y
    return g.finish([first], [x], CONVERTER)


def x_width(g, t):
    return int(g.tensors[t].shape[-1])


def build_int(spec, layers, ranges, state_bits):
    """Integer graph: int8 activations; SVDF state and weights_time int8 or int16."""
    g = tfb.Graph()
    b = spec["batch"]
    in_s, in_zp = tfb.asym_params(*ranges["in"])
    pipeline = spec.get("pipeline")
    if pipeline:
        # keyword-spotting front: int16 input (symmetric, zp 0) -> QUANTIZE -> int8
        lim = max(-spec["cal_range"][0], spec["cal_range"][1]) * 1.25
        first = g.tensor("input_int16", [b, spec["n_in"]], np.int16,
                         scale=tfb.sym_params(lim, 16), zero_point=0)
        x = g.tensor("input_int8", [b, spec["n_in"]], np.int8, scale=in_s, zero_point=in_zp)
        g.op(fb.BuiltinOperator.QUANTIZE, [first], [x], *tfb.quantize_options(), version=1)
    else:
        x = g.tensor("input", [b, spec["n_in"]], np.int8, scale=in_s, zero_point=in_zp)
        first = x
    x_s = in_s
    qparams = []
    for i, l in enumerate(layers):
        p = f"l{i}_{l['kind']}"
        out_s, out_zp = tfb.asym_params(*ranges[("out", i)])
        if l["kind"] == "svdf":
            f, m, r = l["filters"], l["memory"], l["rank"]
            wf_q, wf_s = tfb.quantize_weights(l["wf"], 8)
            wt_q, wt_s = tfb.quantize_weights(l["wt"], state_bits)
            if state_bits == 8:
                st_s, st_zp = tfb.asym_params(*ranges[("state", i)])
                st_t = np.int8
            else:
                lo, hi = ranges[("state", i)]
                st_s, st_zp = tfb.sym_params(max(-lo, hi), 16), 0
                st_t = np.int16
            b_q, b_s = tfb.quantize_bias(l["b"], st_s, wt_s)
            wf = g.tensor(f"{p}/weights_feature", [f, x_width(g, x)], np.int8, wf_q,
                          scale=wf_s, zero_point=0)
            wt = g.tensor(f"{p}/weights_time", [f, m], st_t, wt_q, scale=wt_s, zero_point=0)
            bi = g.tensor(f"{p}/bias", [f // r], np.int32, b_q, scale=b_s, zero_point=0)
            st = g.tensor(f"{p}/state", [b, f * m], st_t, scale=st_s, zero_point=st_zp,
                          variable=True)
            y = g.tensor(f"{p}/output", [b, f // r], np.int8, scale=out_s, zero_point=out_zp)
            g.op(fb.BuiltinOperator.SVDF, [x, wf, wt, bi, st], [y],
                 *tfb.svdf_options(r, ACT[l["act"]]), version=3)
            qparams.append(dict(state=(float(st_s), st_zp), wt_s=float(wt_s), bias_s=float(b_s)))
        else:
            u = l["units"]
            w_q, w_s = tfb.quantize_weights(l["w"], 8)
            b_q, b_s = tfb.quantize_bias(l["b"], x_s, w_s)
            w = g.tensor(f"{p}/weights", [u, x_width(g, x)], np.int8, w_q, scale=w_s,
                         zero_point=0)
            bi = g.tensor(f"{p}/bias", [u], np.int32, b_q, scale=b_s, zero_point=0)
            y = g.tensor(f"{p}/output", [b, u], np.int8, scale=out_s, zero_point=out_zp)
            g.op(fb.BuiltinOperator.FULLY_CONNECTED, [x, w, bi], [y],
                 *tfb.fc_options(ACT[l["act"]]), version=4)
            qparams.append({})
        x, x_s = y, out_s
    if pipeline:
        sm = g.tensor("softmax_int16", [b, x_width(g, x)], np.int16,
                      scale=np.float32(1.0 / 65536), zero_point=-32768)
        g.op(fb.BuiltinOperator.SOFTMAX, [x], [sm], *tfb.softmax_options(1.0), version=2)
        out = g.tensor("output_int32", [b, x_width(g, x)], np.int32,
                       scale=np.float32(1.0 / 32768), zero_point=0)
        g.op(fb.BuiltinOperator.QUANTIZE, [sm], [out], *tfb.quantize_options(), version=1)
        x = out
    return g.finish([first], [x], CONVERTER), qparams


# ---- checks ------------------------------------------------------------------------------

def _deq(a, t):
    if not t["scale"]:
        return a.astype(np.float64)
    return (a.astype(np.float64) - t["zero_point"][0]) * t["scale"][0]


def _steps(cases):
    for k, c in enumerate(cases):
        if isinstance(c, list):
            for s, step in enumerate(c):
                yield k, s, step
        else:
            yield k, None, c


def check_outputs_vary(name, cases, outputs_meta, min_distinct=20, max_sat=0.10):
    for j, t in enumerate(outputs_meta):
        vals = np.concatenate([outs[j].ravel() for _, _, (_, outs) in _steps(cases)])
        distinct = len(np.unique(vals))
        need = min(min_distinct, vals.size // 2)
        if distinct < need:
            raise RuntimeError(f"{name}: output {j} has only {distinct} distinct values "
                               f"over {vals.size} elements")
        dt = np.dtype(t["dtype"])
        if np.issubdtype(dt, np.integer) and dt != np.int32:
            info = np.iinfo(dt)
            # int16 softmax outputs legitimately sit at -32768 (probability 0): only the top counts
            sat = np.mean(vals == info.max) if t["zero_point"] == [info.min] else \
                np.mean((vals == info.min) | (vals == info.max))
            if sat > max_sat:
                raise RuntimeError(f"{name}: output {j} saturates on {sat:.0%} of elements")
    for k, c in enumerate(cases):
        if isinstance(c, list):
            for s in range(1, len(c)):
                if all(np.array_equal(a, b) for a, b in zip(c[s][1], c[s - 1][1])):
                    raise RuntimeError(f"{name}: case {k} steps {s - 1} and {s} give equal outputs")


def check_state_matters(name, model_bytes, cases, outputs_meta, stateful):
    """Each streaming step vs a reset-then-single-invoke on the same input."""
    interp = make_corpus.tflm.Interpreter.from_bytes(model_bytes,
                                                     arena_size=make_corpus.ARENA_BYTES)
    for k, c in enumerate(cases):
        if not isinstance(c, list):
            continue
        for s, (ins, outs) in enumerate(c):
            interp.reset()
            fresh = make_corpus.invoke_once(interp, ins, outputs_meta)
            same = all(np.array_equal(a, b) for a, b in zip(fresh, outs))
            if s == 0 and not same:
                raise RuntimeError(f"{name}: case {k} step 0 differs from a fresh invoke")
            if s > 0 and stateful and same:
                raise RuntimeError(f"{name}: case {k} step {s} equals a fresh invoke: "
                                   "the state does not matter")
            if s > 0 and not stateful and not same:
                raise RuntimeError(f"{name}: case {k} step {s} differs from a fresh invoke "
                                   "although every memory_size is 1")
    del interp


def check_against_float(name, spec, layers, cases, inputs_meta, outputs_meta, f32):
    """Float goldens: within 1e-4 of a float64 numpy reference. Integer goldens: dequantized,
    within a few output steps of it (a consistency check of the quantization set-up)."""
    g = FloatGraph(spec, layers)
    errs = []
    for c in cases:
        seq = c if isinstance(c, list) else [c]
        g.reset()
        for ins, outs in seq:
            want = g.invoke(_deq(ins[0], inputs_meta[0]))
            got = _deq(outs[0], outputs_meta[0])
            if f32:
                if not np.allclose(got, want, atol=1e-4, rtol=1e-4):
                    raise RuntimeError(f"{name}: float golden differs from the numpy reference "
                                       f"by {np.max(np.abs(got - want)):.3g}")
            else:
                errs.append(np.abs(got - want).ravel())
    if not f32:
        e = np.concatenate(errs)
        step = outputs_meta[0]["scale"][0]
        if spec.get("pipeline"):
            step = 1.0 / 256  # softmax probabilities through int8 logits
        mean, mx = float(e.mean() / step), float(e.max() / step)
        if mean > 3.0 or mx > 24.0:
            raise RuntimeError(f"{name}: integer golden far from the float reference "
                               f"(mean {mean:.2f}, max {mx:.1f} output steps)")
        CHECK_NOTES[name] = f"vs float: mean {mean:.2f}, max {mx:.1f} output steps"


CHECK_NOTES = {}


def _quantize_multiplier(d):
    """TFLM QuantizeMultiplier (double rounding build)."""
    if d == 0:
        return 0, 0
    q, e = math.frexp(d)
    qf = int(math.floor(abs(q) * (1 << 31) + 0.5)) * (1 if q >= 0 else -1)
    if qf == 1 << 31:
        qf //= 2
        e += 1
    return qf, e


def _mbqm(x, m, e):
    """MultiplyByQuantizedMultiplier (int32 overload, gemmlowp double rounding), vectorised."""
    x = np.asarray(x, np.int64) * (1 << max(e, 0))
    p = x * m
    p = p + np.where(p >= 0, 1 << 30, 1 - (1 << 30))
    hi = np.where(p >= 0, p >> 31, -((-p) >> 31))          # division truncating toward 0
    n = max(-e, 0)
    if n == 0:
        return hi
    mask = (1 << n) - 1
    rem = hi & mask
    thr = (mask >> 1) + (hi < 0)
    return (hi >> n) + (rem > thr)


def count_state_wraps(model_bytes, cases):
    """How often the first int8 SVDF's new state entry (zp_state + clamp(acc, -128, 127)) leaves
    int8 and wraps around (TFLM narrows with an implicit cast, /work/notes/svdf.md section 3).
    Only for an SVDF fed directly by the graph input. Returns (entries, clamped, wrapped)."""
    m = make_corpus.parse(model_bytes)
    sg = m.subgraphs[0]
    T = sg.tensors
    for op in sg.operators:
        if m.operatorCodes[op.opcodeIndex].builtinCode != fb.BuiltinOperator.SVDF:
            continue
        x, wf, _, _, st = [int(i) for i in op.inputs]
        if x != int(sg.inputs[0]) or T[st].type != fb.TensorType.INT8:
            return None
        W = np.frombuffer(bytes(m.buffers[T[wf].buffer].data), np.int8).astype(np.int64)
        W = W.reshape([int(d) for d in T[wf].shape])
        sc = lambda t: np.float32(T[t].quantization.scale[0])
        zi, zs = int(T[x].quantization.zeroPoint[0]), int(T[st].quantization.zeroPoint[0])
        eff = float(np.float32(np.float32(sc(x) * sc(wf)) / sc(st)))
        mult, shift = _quantize_multiplier(eff)
        n = clamped = wrapped = 0
        for _, _, (ins, _) in _steps(cases):
            acc = _mbqm((ins[0].astype(np.int64) - zi) @ W.T, mult, shift)
            c = np.clip(acc, -128, 127)
            n += acc.size
            clamped += int(np.sum(c != acc))
            wrapped += int(np.sum((c + zs < -128) | (c + zs > 127)))
        return n, clamped, wrapped
    return None


# ---- registry ------------------------------------------------------------------------------

def svdf_model(name, batch, n_in, layers, kind, pipeline=False, state_range_scale=None):
    """state_range_scale (lo_factor, hi_factor): int8 state range calibrated on other data (the
    calibrated min and max times these), so that the test inputs push the state out of it. With
    a shrunk max the state zero point is large and positive, and every new state entry above the
    range wraps around in TFLM (zp_state + clamp(acc, -128, 127) narrowed to int8). Such a model
    is not compared with the float reference but must show wraps."""
    # The pipeline's int16 input is symmetric: it is calibrated on [-1, 1].
    spec = dict(batch=batch, n_in=n_in, layers=layers, pipeline=pipeline, softmax=pipeline,
                cal_range=(-1.0, 1.0) if pipeline else CAL_RANGE)
    mem = max(l.get("memory", 1) for l in layers)
    stateful = mem > 1
    steps = max(6, mem + 2)
    holder = {}

    def build(seed):
        # Seed from the name (make_corpus passes the CRC of the registered name).
        ws = init_weights(spec, seed)
        holder["layers"] = ws
        if kind == "f32":
            return build_f32(spec, ws)
        ranges = calibrate(spec, ws, seed)
        if state_range_scale:
            for key in ranges:
                if key[0] == "state":
                    ranges[key] = tuple(v * f for v, f in zip(ranges[key], state_range_scale))
        mb, q = build_int(spec, ws, ranges, 8 if kind == "int8" else 16)
        for p in q:
            if kind == "int8" and p and p["state"][1] == 0:
                raise RuntimeError(f"{name}: int8 state zero point came out 0")
            if p:
                assert np.float32(p["bias_s"]) == np.float32(
                    np.float32(p["state"][0]) * np.float32(p["wt_s"]))
        return mb

    def check(nm, model_bytes, cases, inputs_meta, outputs_meta):
        check_outputs_vary(nm, cases, outputs_meta, max_sat=0.25 if state_range_scale else 0.10)
        check_state_matters(nm, model_bytes, cases, outputs_meta, stateful)
        if not state_range_scale:
            check_against_float(nm, spec, holder["layers"], cases, inputs_meta, outputs_meta,
                                kind == "f32")
        w = count_state_wraps(model_bytes, cases) if kind == "int8" else None
        if w is not None:
            CHECK_NOTES[nm] = (CHECK_NOTES.get(nm, "") +
                               f"; state entries {w[0]}, clamped {w[1]}, wrapped {w[2]}")
            if state_range_scale and w[2] < 10:
                raise RuntimeError(f"{nm}: only {w[2]} state wrap-arounds")

    # int8 inputs over their whole range are exactly the calibrated float range; the
    # pipeline's int16 input (calibrated range * 1.25) is drawn over the calibrated range.
    int_range = None
    if pipeline:
        int_range = int(32767 / 1.25)
    model(name, variants=("",), raw=True, converter=CONVERTER, stream=(1, steps),
          int_range=int_range, check=check)(build)


# float32
svdf_model("svdf_b1_r1_m4_f32", 1, 8, [svdf(6, 1, 4)], "f32")
svdf_model("svdf_b2_r2_m10_relu_f32", 2, 5, [svdf(8, 2, 10, "relu")], "f32")
svdf_model("svdf_b1_r1_m1_relu6_f32", 1, 12, [svdf(8, 1, 1, "relu6", gain=5.0)], "f32")
svdf_model("svdf_b1_r2_m4_in40_f32", 1, 40, [svdf(24, 2, 4)], "f32")
svdf_model("svdf_b2_r1_m10_relu6_f32", 2, 9, [svdf(4, 1, 10, "relu6", gain=5.0)], "f32")
svdf_model("svdf_chain2_f32", 1, 10, [svdf(8, 1, 4, "relu"), svdf(6, 2, 10)], "f32")
svdf_model("svdf_fc_f32", 2, 6, [svdf(12, 1, 10, "relu"), fc(4)], "f32")
# int8 state (asymmetric, nonzero zero point)
svdf_model("svdf_b1_r1_m4_int8", 1, 8, [svdf(6, 1, 4)], "int8")
svdf_model("svdf_b2_r2_m10_int8", 2, 5, [svdf(8, 2, 10)], "int8")
svdf_model("svdf_b1_r1_m1_relu_int8", 1, 12, [svdf(5, 1, 1, "relu")], "int8")
svdf_model("svdf_b1_r2_m4_in40_int8", 1, 40, [svdf(24, 2, 4)], "int8")
svdf_model("svdf_chain2_int8", 1, 10, [svdf(8, 1, 4, "relu"), svdf(6, 2, 10)], "int8")
svdf_model("svdf_fc_int8", 2, 6, [svdf(12, 1, 10, "relu"), fc(4)], "int8")
svdf_model("svdf_b2_r1_m4_statewrap_int8", 2, 8, [svdf(16, 1, 4)], "int8",
           state_range_scale=(1.0, 0.2))
svdf_model("svdf_kws_pipeline_int8", 1, 16, [svdf(16, 1, 8, "relu"), fc(5, gain=2.0)], "int8",
           pipeline=True)
# int16 weights_time and state (zero point 0)
svdf_model("svdf_b1_r1_m4_int16state", 1, 8, [svdf(6, 1, 4)], "int16state")
svdf_model("svdf_b2_r2_m10_int16state", 2, 5, [svdf(8, 2, 10)], "int16state")
svdf_model("svdf_chain2_int16state", 1, 10, [svdf(8, 2, 4, "relu"), svdf(4, 1, 1)],
           "int16state")
svdf_model("svdf_fc_int16state", 2, 6, [svdf(12, 1, 10, "relu"), fc(4)], "int16state")
