"""TFLM signal-library custom ops (the micro_speech audio front end) for the conformance
corpus, built directly as flatbuffers (tools/tflite_fb.py, `Graph.custom`): the ops come from
TF custom-op libraries that the pip packages do not ship, so no converter is involved.

Imported by make_corpus.py (which loads every tools/corpus_*.py). Two groups:

- `signal_*`: one small model per op with varied options (int16 / int32 / float32 RFFT and
  IRFFT over radix-2/3/4/5 lengths with batching and zero padding; the stateful spectral
  subtraction, framer, stacker, delay and overlap-add with streaming cases, ...). Inputs are random but shaped so the arithmetic is
  exercised (e.g. FftAutoScale gets quiet rows so that it shifts).
- `audio_preprocessor_int8` / `_float`: micro_speech's preprocessor graph (one 30 ms window of
  int16 audio at 16 kHz -> 40 features), rebuilt from its parameters as TFLM's
  `audio_preprocessor.py` sets them: Hann window (shift 12), FftAutoScale, 512-point int16
  RFFT, Energy over bins [5, 241), CAST/STRIDED_SLICE/CONCATENATION/CAST masking the other
  bins, a 40-channel mel filter bank (alignment 4, block 4, weight bits 12, 125-7500 Hz),
  square root, spectral subtraction (state across invokes), PCAN (strength 0.95, offset 80,
  gain bits 21), log (correction bits 3, scale 64), then int8 quantization through int32
  MUL/ADD/DIV/ADD/MINIMUM/MAXIMUM/CAST (or CAST to float32 and MUL by 1/25.6). Inputs are
  synthetic audio (tones plus noise, seeded), and the streaming cases run 16 consecutive
  windows advancing 20 ms, as micro_speech's host loop does, so the noise estimate carries
  over.

The float32 helpers the table generators use in C (`log1pf`, `powf`) are called from libm
through ctypes so the tables match TFLM's bit for bit. Goldens come from the TFLM runtime,
which registers the signal ops itself.
"""

import ctypes

import numpy as np

import make_corpus
import tflite_fb as tfb
from make_corpus import model
from tflite_fb import fb

SIGNAL_OPS = {
    "SignalWindow", "SignalFftAutoScale", "SignalRfft", "SignalIrfft", "SignalEnergy",
    "SignalFilterBank", "SignalFilterBankSquareRoot", "SignalFilterBankSpectralSubtraction",
    "SignalPCAN", "SignalFilterBankLog", "SignalFramer", "SignalStacker", "SignalDelay",
    "SignalOverlapAdd",
}
make_corpus.ALLOWED_OPS.update(SIGNAL_OPS | {
    "RESHAPE", "CAST", "STRIDED_SLICE", "CONCATENATION", "MUL", "ADD", "DIV", "MINIMUM",
    "MAXIMUM",
})

CONVERTER = "none: flatbuffer built by microlite tools/corpus_signal.py (tflite schema object API, flexbuffer custom options)"
F32 = np.float32
T_INT16, T_INT32, T_FLOAT32 = fb.TensorType.INT16, fb.TensorType.INT32, fb.TensorType.FLOAT32

_libm = ctypes.CDLL("libm.so.6")
_libm.log1pf.restype = ctypes.c_float
_libm.log1pf.argtypes = [ctypes.c_float]
_libm.powf.restype = ctypes.c_float
_libm.powf.argtypes = [ctypes.c_float, ctypes.c_float]


def raw(name, **kw):
    return model(name, variants=("",), raw=True, converter=CONVERTER, **kw)


def const(g, name, values, dtype):
    a = np.asarray(values, dtype=dtype)
    return g.tensor(name, list(a.shape), dtype, data=a)


def single(op, ins, outs, options=None, consts=()):
    """A one-op graph: `ins` and `outs` are (name, shape, dtype); `consts` are
    (position, name, values, dtype) inserted among the inputs."""
    g = tfb.Graph()
    graph_in = [g.tensor(n, s, d) for n, s, d in ins]
    inputs = list(graph_in)
    for pos, n, v, d in consts:
        inputs.insert(pos, const(g, n, v, d))
    outputs = [g.tensor(n, s, d) for n, s, d in outs]
    g.custom(op, inputs, outputs, options)
    return g.finish(graph_in, outputs, CONVERTER)


def uniform_inputs(specs):
    """An `inputs` function drawing each input from its own integer range (lo, hi)."""
    def fn(seed, meta):
        rng = np.random.default_rng(seed)
        out = []
        for t, (lo, hi) in zip(meta, specs):
            dt = np.dtype(t["dtype"])
            out.append(rng.integers(lo, hi, size=tuple(t["shape"]), dtype=dt, endpoint=True))
        return out
    return fn


def scaled_rows(seed, meta):
    """int16 rows whose peak varies per row (and per seed): FftAutoScale and RFFT see both
    quiet rows (large shifts) and loud ones."""
    rng = np.random.default_rng(seed)
    out = []
    for t in meta:
        shape = tuple(t["shape"])
        a = rng.normal(size=shape)
        rows = a.reshape(-1, shape[-1])
        for r, row in enumerate(rows):
            peak = [3, 40, 700, 9000, 32767][(seed + r) % 5]
            row *= peak / max(1e-9, np.max(np.abs(row)))
        out.append(np.clip(np.round(a), -32768, 32767).astype(np.int16))
    return out


# ---- per-op models ------------------------------------------------------------------

def hann(n, shift):
    k = np.arange(n)
    return np.round((0.5 - 0.5 * np.cos(2 * np.pi / n * (k + 0.5))) * (1 << shift)).astype(np.int16)


@raw("signal_window_shift12")
def _(seed):
    return single("SignalWindow", [("x", [2, 48], np.int16)], [("y", [2, 48], np.int16)],
                  {"shift": 12}, [(1, "hann", hann(48, 12), np.int16)])


@raw("signal_window_rows_shift3")
def _(seed):
    w = np.random.default_rng(seed).integers(-2000, 2000, size=16).astype(np.int16)
    return single("SignalWindow", [("x", [64], np.int16)], [("y", [64], np.int16)],
                  {"shift": 3}, [(1, "w", w, np.int16)])


@raw("signal_fft_auto_scale", inputs=scaled_rows)
def _(seed):
    return single("SignalFftAutoScale", [("x", [96], np.int16)],
                  [("y", [96], np.int16), ("scale_bits", [], np.int32)])


def rfft_model(n, rows, length, dtype, t):
    def build(seed):
        shape = [length] if rows is None else [rows, length]
        out = [n + 2] if rows is None else [rows, n + 2]
        return single("SignalRfft", [("x", shape, dtype)], [("y", out, dtype)],
                      {"T": t, "fft_length": n})
    return build


def float_rows(seed, meta):
    rng = np.random.default_rng(seed)
    return [rng.uniform(-1, 1, size=tuple(t["shape"])).astype(np.float32) for t in meta]


raw("signal_rfft_int16_n64_batch2", inputs=scaled_rows)(rfft_model(64, 2, 64, np.int16, T_INT16))
raw("signal_rfft_int16_n512_pad480", inputs=scaled_rows)(rfft_model(512, None, 480, np.int16, T_INT16))
raw("signal_rfft_int16_n480_radix35", inputs=scaled_rows)(rfft_model(480, 1, 400, np.int16, T_INT16))
raw("signal_rfft_int16_n24_radix3")(rfft_model(24, 3, 24, np.int16, T_INT16))
raw("signal_rfft_int32_n128")(rfft_model(128, 2, 128, np.int32, T_INT32))
raw("signal_rfft_int32_n240_pad200")(rfft_model(240, None, 200, np.int32, T_INT32))
raw("signal_rfft_f32_n160_batch3", inputs=float_rows)(rfft_model(160, 3, 160, np.float32, T_FLOAT32))
raw("signal_rfft_f32_n256", inputs=float_rows)(rfft_model(256, None, 256, np.float32, T_FLOAT32))


def irfft_model(n, rows, dtype, t):
    def build(seed):
        return single("SignalIrfft", [("x", [rows, n + 2], dtype)], [("y", [rows, n], dtype)],
                      {"T": t, "fft_length": n})
    return build


raw("signal_irfft_int16_n64", inputs=scaled_rows)(irfft_model(64, 2, np.int16, T_INT16))
raw("signal_irfft_int16_n80_radix5", inputs=scaled_rows)(irfft_model(80, 1, np.int16, T_INT16))
raw("signal_irfft_int32_n128")(irfft_model(128, 2, np.int32, T_INT32))
raw("signal_irfft_f32_n96", inputs=float_rows)(irfft_model(96, 2, np.float32, T_FLOAT32))


@raw("signal_energy")
def _(seed):
    # The whole output range: TFLM leaves bins outside [start, end) as the arena held them.
    return single("SignalEnergy", [("x", [130], np.int16)], [("y", [65], np.uint32)],
                  {"end_index": 65, "start_index": 0})


@raw("signal_filter_bank_square_root",
     inputs=uniform_inputs([(0, 2**64 - 1), (0, 15)]))
def _(seed):
    return single("SignalFilterBankSquareRoot",
                  [("x", [40], np.uint64), ("scale_bits", [], np.int32)],
                  [("y", [40], np.uint32)])


@raw("signal_filter_bank_log_c3_s64", inputs=uniform_inputs([(0, 2**29)]))
def _(seed):
    return single("SignalFilterBankLog", [("x", [40], np.uint32)], [("y", [40], np.int16)],
                  {"input_correction_bits": 3, "output_scale": 64})


@raw("signal_filter_bank_log_c0_s1000", inputs=uniform_inputs([(0, 2**32 - 1)]))
def _(seed):
    return single("SignalFilterBankLog", [("x", [32], np.uint32)], [("y", [32], np.int16)],
                  {"input_correction_bits": 0, "output_scale": 1000})


def wide_inputs(seed, meta):
    """uint32 channels spread over many octaves (PCAN's gain is per octave)."""
    rng = np.random.default_rng(seed)
    out = []
    for t in meta:
        bits = rng.integers(0, 32, size=tuple(t["shape"]))
        v = rng.integers(0, 2**32 - 1, size=tuple(t["shape"]), dtype=np.uint64, endpoint=True)
        out.append((v >> (32 - bits).astype(np.uint64)).astype(np.uint32))
    return out


def ss_options(n, smoothing, alt, bits, ssb, min_remaining, clamping):
    one = 1 << ssb
    return {
        "num_channels": n,
        "smoothing": int(smoothing * one), "one_minus_smoothing": one - int(smoothing * one),
        "alternate_smoothing": int(alt * one),
        "alternate_one_minus_smoothing": one - int(alt * one),
        "smoothing_bits": bits, "min_signal_remaining": int(min_remaining * one),
        "clamping": clamping, "spectral_subtraction_bits": ssb,
    }


@raw("signal_spectral_subtraction_micro_speech", inputs=wide_inputs, stream=(2, 8))
def _(seed):
    return single("SignalFilterBankSpectralSubtraction", [("x", [40], np.uint32)],
                  [("y", [40], np.uint32), ("noise", [40], np.uint32)],
                  ss_options(40, 0.025, 0.06, 10, 14, 0.05, False))


@raw("signal_spectral_subtraction_clamp", inputs=wide_inputs, stream=(2, 8))
def _(seed):
    return single("SignalFilterBankSpectralSubtraction", [("x", [24], np.uint32)],
                  [("y", [24], np.uint32), ("noise", [24], np.uint32)],
                  ss_options(24, 0.3, 0.1, 4, 12, 0.2, True))


# ---- the FIFO ops (stateful; streaming cases) ---------------------------------------------
# Configurations whose every invoke writes its outputs: where TFLM leaves an output
# untouched, its golden would be whatever the arena held.

@raw("signal_framer_prefill", stream=(2, 6))
def _(seed):
    return single("SignalFramer", [("x", [2, 64], np.int16)],
                  [("y", [2, 2, 96], np.int16), ("valid", [], np.bool_)],
                  {"frame_size": 96, "frame_step": 32, "prefill": True})


@raw("signal_framer_no_overlap", stream=(1, 4))
def _(seed):
    return single("SignalFramer", [("x", [96], np.int16)],
                  [("y", [3, 32], np.int16), ("valid", [], np.bool_)],
                  {"frame_size": 32, "frame_step": 32, "prefill": False})


@raw("signal_stacker_left2", stream=(2, 6))
def _(seed):
    return single("SignalStacker", [("x", [8], np.int16)],
                  [("y", [24], np.int16), ("valid", [], np.bool_)],
                  {"num_channels": 8, "stacker_left_context": 2, "stacker_right_context": 0,
                   "stacker_step": 1})


@raw("signal_delay_short", stream=(2, 5))
def _(seed):
    return single("SignalDelay", [("x", [2, 20], np.int16)], [("y", [2, 20], np.int16)],
                  {"delay_length": 7})


@raw("signal_delay_long", stream=(1, 6))
def _(seed):
    return single("SignalDelay", [("x", [12], np.int16)], [("y", [12], np.int16)],
                  {"delay_length": 30})


@raw("signal_overlap_add_int16", stream=(2, 5))
def _(seed):
    return single("SignalOverlapAdd", [("x", [2, 3, 16], np.int16)],
                  [("y", [2, 24], np.int16)], {"T": T_INT16, "frame_step": 8})


@raw("signal_overlap_add_f32", inputs=float_rows, stream=(2, 5))
def _(seed):
    return single("SignalOverlapAdd", [("x", [3, 12], np.float32)],
                  [("y", [12], np.float32)], {"T": T_FLOAT32, "frame_step": 4})


# ---- micro_speech's tables ------------------------------------------------------------

SAMPLE_RATE, WINDOW, STRIDE = 16000, 480, 320
FFT_LEN, FFT_BITS = 512, 9
NCH, LO_HZ, HI_HZ = 40, 125.0, 7500.0
WEIGHT_BITS = 12
CORRECTION_BITS = FFT_BITS - WEIGHT_BITS // 2


def mel(freq):
    """TFLM's FreqToMel in float32: 1127 * log1pf(freq / 700)."""
    return F32(F32(1127.0) * F32(_libm.log1pf(F32(F32(freq) / F32(700.0)))))


def filter_bank_tables(alignment, block):
    """(start, end, weights, unweights, freq_starts, weight_starts, widths) as TFLM's
    filter_bank_ops computes them for a 257-bin spectrum (float32 throughout)."""
    bins = FFT_LEN // 2 + 1
    hz_per_bin = (SAMPLE_RATE / 2) / (bins - 1)
    step = 1 if alignment < 2 else alignment // 2
    lo, hi = mel(LO_HZ), mel(HI_HZ)
    spacing = (hi - lo) / F32(NCH + 1)
    centres = lo + spacing * np.arange(1, NCH + 2, dtype=np.float32)
    start = round(1 + LO_HZ / hz_per_bin)
    n = NCH + 1
    fstart, wstart, width = (np.zeros(n, np.int16) for _ in range(3))
    first, count = [0] * n, [0] * n
    b, w_at, zeros_at = start, 0, None
    for c in range(n):
        k = b
        while mel(k * hz_per_bin) <= centres[c]:
            k += 1
        first[c], count[c] = b, k - b
        if k == b:
            # An empty channel reads one shared block of zero weights at the front.
            fstart[c], wstart[c], width[c] = 0, 0, block
            if zeros_at is None:
                zeros_at = c
                wstart[:c] += block
                w_at += block
        else:
            aligned = (b // step) * step
            padded = ((b - aligned + count[c] - 1) // block + 1) * block
            fstart[c], wstart[c], width[c] = aligned, w_at, padded
            w_at += padded
        b = k
    weights, unweights = np.zeros(w_at, np.int16), np.zeros(w_at, np.int16)
    end = 0
    for c in range(n):
        prev = lo if c == 0 else centres[c - 1]
        for j in range(count[c]):
            k = first[c] + j
            wt = F32(centres[c] - mel(k * hz_per_bin)) / F32(centres[c] - prev)
            at = wstart[c] + (first[c] - fstart[c]) + j
            weights[at] = int(wt * (1 << WEIGHT_BITS))
            unweights[at] = int((1 - wt) * (1 << WEIGHT_BITS))
        end = max(end, first[c] + count[c])
    return start, end, weights, unweights, fstart, wstart, width


def wrap16(x):
    return ((x + 0x8000) & 0xFFFF) - 0x8000


def pcan_lut(strength=0.95, offset=80.0, input_bits=10 - CORRECTION_BITS, gain_bits=21):
    """The 125-entry gain table of SignalPCAN: per octave, y0 and a quadratic through the gain
    at 1, 1.5 and 2 times its start (float32 gain function, libm powf)."""
    def gain(x):
        xf = F32(F32(x) / F32(1 << input_bits))
        g = F32(F32(1 << gain_bits) * F32(_libm.powf(F32(xf + F32(offset)), F32(-F32(strength)))))
        return 32767 if g > F32(32767) else int(F32(g + F32(0.5)))
    lut = [gain(0), gain(1)] + [0] * 124
    for v in range(2, 33):
        x0 = 1 << (v - 1)
        x1 = x0 + x0 // 2
        x2 = x0 + x0 - 1 if v == 32 else 2 * x0
        y0, y1, y2 = gain(x0), gain(x1), gain(x2)
        a1 = 4 * (y1 - y0) - (y2 - y0)
        a2 = (y2 - y0) - a1
        lut[4 * v - 6:4 * v - 2] = [y0, wrap16(a1), wrap16(a2), 0]
    return np.array(lut[:125], np.int16)


@raw("signal_filter_bank_micro_speech", inputs=uniform_inputs([(0, 2**32 - 1)]))
def _(seed):
    _, _, w, u, fs, ws, cw = filter_bank_tables(4, 4)
    tables = [(k + 1, n, v, np.int16) for k, (n, v) in
              enumerate([("weights", w), ("unweights", u), ("freq_starts", fs),
                         ("weight_starts", ws), ("widths", cw)])]
    return single("SignalFilterBank", [("x", [FFT_LEN // 2 + 1], np.uint32)],
                  [("y", [NCH], np.uint64)], {"num_channels": NCH}, tables)


@raw("signal_pcan_micro_speech", inputs=wide_inputs)
def _(seed):
    return single("SignalPCAN", [("x", [NCH], np.uint32), ("noise", [NCH], np.uint32)],
                  [("y", [NCH], np.uint32)], {"snr_shift": 6},
                  [(2, "lut", pcan_lut(), np.int16)])


# ---- the preprocessor -----------------------------------------------------------------

def preprocessor(float_output):
    def build(seed):
        start, end, *_ = filter_bank_tables(1, 1)
        _, _, w, u, fs, ws, cw = filter_bank_tables(4, 4)
        bins = FFT_LEN // 2 + 1
        g = tfb.Graph()
        i16, i32, u32 = np.int16, np.int32, np.uint32
        audio = g.tensor("audio", [1, WINDOW], i16)
        win = g.tensor("window", [1, WINDOW], i16)
        g.custom("SignalWindow", [audio, const(g, "hann", hann(WINDOW, 12), i16)], [win],
                 {"shift": 12})
        flat = g.tensor("window_flat", [WINDOW], i16)
        g.op(fb.BuiltinOperator.RESHAPE, [win, const(g, "shape", [-1], i32)], [flat])
        scaled = g.tensor("scaled", [WINDOW], i16)
        bits = g.tensor("scale_bits", [], i32)
        g.custom("SignalFftAutoScale", [flat], [scaled, bits])
        spec = g.tensor("spectrum", [FFT_LEN + 2], i16)
        g.custom("SignalRfft", [scaled], [spec], {"T": T_INT16, "fft_length": FFT_LEN})
        energy = g.tensor("energy", [bins], u32)
        g.custom("SignalEnergy", [spec], [energy], {"end_index": end, "start_index": start})
        # Energy leaves bins outside [start, end) unwritten: the graph rebuilds the vector
        # with zeros there.
        e32 = g.tensor("energy_i32", [bins], i32)
        g.op(fb.BuiltinOperator.CAST, [energy], [e32])
        mid = g.tensor("energy_used", [end - start], i32)
        g.op(fb.BuiltinOperator.STRIDED_SLICE,
             [e32, const(g, "begin", [start], i32), const(g, "end", [end], i32),
              const(g, "strides", [1], i32)], [mid],
             fb.BuiltinOptions.StridedSliceOptions, fb.StridedSliceOptionsT())
        joined = g.tensor("energy_masked", [bins], i32)
        co = fb.ConcatenationOptionsT()
        co.axis = 0
        g.op(fb.BuiltinOperator.CONCATENATION,
             [const(g, "zeros_head", np.zeros(start), i32), mid,
              const(g, "zeros_tail", np.zeros(bins - end), i32)], [joined],
             fb.BuiltinOptions.ConcatenationOptions, co)
        masked = g.tensor("energy_u32", [bins], u32)
        g.op(fb.BuiltinOperator.CAST, [joined], [masked])
        bank = g.tensor("filter_bank", [NCH], np.uint64)
        g.custom("SignalFilterBank",
                 [masked] + [const(g, n, v, i16) for n, v in
                             [("weights", w), ("unweights", u), ("freq_starts", fs),
                              ("weight_starts", ws), ("widths", cw)]],
                 [bank], {"num_channels": NCH})
        root = g.tensor("sqrt", [NCH], u32)
        g.custom("SignalFilterBankSquareRoot", [bank, bits], [root])
        sub = g.tensor("spectral_subtraction", [NCH], u32)
        noise = g.tensor("noise_estimate", [NCH], u32)
        g.custom("SignalFilterBankSpectralSubtraction", [root], [sub, noise],
                 ss_options(NCH, 0.025, 0.06, 10, 14, 0.05, False))
        pcan = g.tensor("pcan", [NCH], u32)
        g.custom("SignalPCAN", [sub, noise, const(g, "gain_lut", pcan_lut(), i16)], [pcan],
                 {"snr_shift": 6})
        log = g.tensor("log", [NCH], i16)
        g.custom("SignalFilterBankLog", [pcan], [log],
                 {"input_correction_bits": CORRECTION_BITS, "output_scale": 64})
        if float_output:
            logf = g.tensor("log_f32", [NCH], np.float32)
            g.op(fb.BuiltinOperator.CAST, [log], [logf])
            out = g.tensor("features", [NCH], np.float32)
            g.op(fb.BuiltinOperator.MUL, [logf, const(g, "scale", F32(1 / 25.6), np.float32)],
                 [out], fb.BuiltinOptions.MulOptions, fb.MulOptionsT())
            return g.finish([audio], [out], CONVERTER)
        x = g.tensor("log_i32", [NCH], i32)
        g.op(fb.BuiltinOperator.CAST, [log], [x])
        steps = [
            (fb.BuiltinOperator.MUL, 256, fb.BuiltinOptions.MulOptions, fb.MulOptionsT()),
            (fb.BuiltinOperator.ADD, 333, fb.BuiltinOptions.AddOptions, fb.AddOptionsT()),
            (fb.BuiltinOperator.DIV, 666, fb.BuiltinOptions.DivOptions, fb.DivOptionsT()),
            (fb.BuiltinOperator.ADD, -128, fb.BuiltinOptions.AddOptions, fb.AddOptionsT()),
            (fb.BuiltinOperator.MINIMUM, 127, fb.BuiltinOptions.NONE, None),
            (fb.BuiltinOperator.MAXIMUM, -128, fb.BuiltinOptions.NONE, None),
        ]
        for k, (code, c, opt_type, opt) in enumerate(steps):
            y = g.tensor(f"q{k}", [NCH], i32)
            g.op(code, [x, const(g, f"q{k}_const", c, i32)], [y], opt_type, opt)
            x = y
        out = g.tensor("features", [NCH], np.int8)
        g.op(fb.BuiltinOperator.CAST, [x], [out])
        return g.finish([audio], [out], CONVERTER)
    return build


def audio(seed, meta):
    """One 30 ms window of synthetic 16 kHz audio: a clip of tones (a few harmonics with a
    slow vibrato) plus noise, both set by the case; step S of a streaming case is the window
    starting at 20 ms * S of the case's clip, so consecutive invokes overlap as in
    micro_speech."""
    case, step = divmod(seed, 1000)
    rng = np.random.default_rng(case)
    f0 = rng.uniform(90, 900)
    amp = [0.02, 0.3, 0.9, 0.005][case % 4]
    noise = [0.002, 0.02, 0.05, 0.0005][case % 4]
    t = (np.arange(WINDOW) + step * STRIDE) / SAMPLE_RATE
    x = np.zeros(WINDOW)
    for h, a in enumerate(rng.uniform(0.2, 1.0, size=4), start=1):
        x += a * np.sin(2 * np.pi * f0 * h * t * (1 + 0.01 * np.sin(2 * np.pi * 3 * t)))
    x *= amp / 2.5 * (0.5 + 0.5 * np.sin(2 * np.pi * 1.5 * t + case))
    x += noise * np.random.default_rng(seed + 77).normal(size=WINDOW)
    q = np.clip(np.round(x * 32767), -32768, 32767).astype(np.int16)
    return [q.reshape(tuple(meta[0]["shape"]))]


def check_features(name, model_bytes, cases, inputs_meta, outputs_meta):
    """The features must vary: many distinct values over the streaming cases."""
    outs = np.concatenate([o[0].ravel() for c in cases if isinstance(c, list) for _, o in c])
    if len(np.unique(outs)) < 40:
        raise RuntimeError(f"{name}: only {len(np.unique(outs))} distinct feature values")


raw("audio_preprocessor_int8", inputs=audio, stream=(3, 16),
    check=check_features)(preprocessor(False))
raw("audio_preprocessor_float", inputs=audio, stream=(3, 16),
    check=check_features)(preprocessor(True))
