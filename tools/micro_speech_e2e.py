"""End-to-end micro_speech goldens: raw audio -> features -> keyword scores, from TFLM.

For each of a few deterministic synthetic 1 s clips of 16 kHz int16 audio, this runs the own
corpus' preprocessor (tests/conformance/audio_preprocessor_int8/model.tflite) with the TFLM
Python runtime over 49 windows of 480 samples advancing 320 (reset once per clip, none between
windows, so the noise estimate carries over as in micro_speech), stacks the 49 x 40 int8
features oldest first into [1, 1960], runs ../shared/models/micro_speech_quantized/model.tflite
on them, and writes

    tests/micro_speech_e2e/clip-K/audio.npy     int16 [16000]
    tests/micro_speech_e2e/clip-K/features.npy  int8  [1, 1960]
    tests/micro_speech_e2e/clip-K/scores.npy    int8  [1, 4]

tests/micro_speech_e2e.rs checks microlite against them. Run from the repository root:

    tools/.venv/bin/python tools/micro_speech_e2e.py [--out tests/micro_speech_e2e]

Deterministic: running it again gives byte-identical files.
"""

import argparse
import os
import sys

import numpy as np
from tflite_micro.python.tflite_micro import runtime as tflm

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PREPROCESSOR = os.path.join(ROOT, "tests/conformance/audio_preprocessor_int8/model.tflite")
KEYWORD_MODEL = os.path.join(ROOT, "../shared/models/micro_speech_quantized/model.tflite")

SAMPLE_RATE = 16000
CLIP = 16000  # 1 s
WINDOW = 480  # 30 ms
STRIDE = 320  # 20 ms
FRAMES = 49  # (16000 - 480) // 320 + 1
FEATURES = 40
ARENA_BYTES = 1 << 20

assert (CLIP - WINDOW) // STRIDE + 1 == FRAMES


def to_int16(x):
    return np.clip(np.round(x * 32767), -32768, 32767).astype(np.int16)


def clip_sweep():
    """A logarithmic tone sweep, 150 Hz -> 5 kHz, with 50 ms fades."""
    t = np.arange(CLIP) / SAMPLE_RATE
    f0, f1, dur = 150.0, 5000.0, CLIP / SAMPLE_RATE
    k = np.log(f1 / f0) / dur
    phase = 2 * np.pi * f0 * (np.exp(k * t) - 1) / k
    env = np.minimum(1.0, np.minimum(t, dur - t) / 0.05)
    return to_int16(0.4 * env * np.sin(phase))


def clip_noise():
    """White Gaussian noise, seeded."""
    return to_int16(0.08 * np.random.default_rng(1).normal(size=CLIP))


def clip_tone_noise():
    """A 0.5 s harmonic burst (220 Hz with vibrato) in the middle of the clip, over quiet
    noise: loud, voiced-like frames after a noise-only stretch."""
    t = np.arange(CLIP) / SAMPLE_RATE
    f0 = 220.0 * (1 + 0.02 * np.sin(2 * np.pi * 5 * t))
    phase = 2 * np.pi * np.cumsum(f0) / SAMPLE_RATE
    tone = sum(a * np.sin(h * phase) for h, a in enumerate([1.0, 0.6, 0.4, 0.25, 0.15], 1))
    env = np.clip(np.minimum(t - 0.25, 0.75 - t) / 0.03, 0.0, 1.0)
    noise = 0.01 * np.random.default_rng(2).normal(size=CLIP)
    return to_int16(0.3 * env * tone / 2.4 + noise)


CLIPS = [clip_sweep, clip_noise, clip_tone_noise]


def features(pre, audio):
    """The 49 feature frames of one clip, oldest first, as int8 [1, 1960]."""
    pre.reset()  # once per clip; the windows share the spectral-subtraction state
    frames = []
    for i in range(FRAMES):
        window = audio[i * STRIDE : i * STRIDE + WINDOW].reshape(1, WINDOW)
        pre.set_input(np.ascontiguousarray(window), 0)
        pre.invoke()
        out = pre.get_output(0)
        assert out.dtype == np.int8 and out.shape == (FEATURES,), (out.dtype, out.shape)
        frames.append(out.copy())
    return np.concatenate(frames).reshape(1, FRAMES * FEATURES)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=os.path.join(ROOT, "tests/micro_speech_e2e"))
    args = ap.parse_args()
    if not os.path.isfile(KEYWORD_MODEL):
        sys.exit(f"{KEYWORD_MODEL} not found")
    with open(PREPROCESSOR, "rb") as f:
        pre = tflm.Interpreter.from_bytes(f.read(), arena_size=ARENA_BYTES)
    with open(KEYWORD_MODEL, "rb") as f:
        kws = tflm.Interpreter.from_bytes(f.read(), arena_size=ARENA_BYTES)

    all_scores = []
    for k, make in enumerate(CLIPS):
        audio = make()
        assert audio.shape == (CLIP,) and audio.dtype == np.int16
        feats = features(pre, audio)
        kws.reset()
        kws.set_input(feats, 0)
        kws.invoke()
        scores = kws.get_output(0).copy()
        assert scores.dtype == np.int8 and scores.shape == (1, 4), (scores.dtype, scores.shape)
        if len(np.unique(feats)) < 20:
            sys.exit(f"clip-{k}: only {len(np.unique(feats))} distinct feature values")
        d = os.path.join(args.out, f"clip-{k}")
        os.makedirs(d, exist_ok=True)
        np.save(os.path.join(d, "audio.npy"), audio)
        np.save(os.path.join(d, "features.npy"), feats)
        np.save(os.path.join(d, "scores.npy"), scores)
        print(f"clip-{k} ({make.__name__}): features {feats.min()}..{feats.max()} "
              f"({len(np.unique(feats))} distinct), scores {scores.ravel().tolist()}")
        all_scores.append(scores)
    if all(np.array_equal(all_scores[0], s) for s in all_scores[1:]):
        sys.exit("every clip gives the same scores")


if __name__ == "__main__":
    main()
