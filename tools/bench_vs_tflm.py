#!/usr/bin/env python3
"""Side-by-side latency of microlite, TFLM and LiteRT on the same models, machine and inputs.

Each model is timed by every engine in turn, several rounds alternating the engines, so that
machine load (other processes, frequency changes) hits them alike. Per round and engine:
`--warmup` untimed invokes, then `--runs` timed invokes; the per-invoke median of each round is
kept, and the table shows the median of those round medians. Ratios are engine / microlite
(above 1: microlite is faster).

Engines:
  TFLM       tflite_micro.runtime (the `tflite-micro` wheel: TFLM's reference kernels), one
             interpreter per model, timed around `invoke()` from Python.
  LiteRT     ai_edge_litert Interpreter, num_threads=1, BUILTIN_WITHOUT_DEFAULT_DELEGATES
             (XNNPACK off: LiteRT's own builtin kernels); `--xnnpack` adds a column with the
             default delegate on.
  microlite  `microlite bench MODEL --input X.npy --runs N --warmup W` (timed in Rust around
             `Interpreter::invoke`), built with `cargo build --release -p microlite-cli`.
  tract      only with `--tract PATH`: `tract-bench MODEL --input X.npy --runs N --warmup W`, the
             tools/tract-bench crate (Sonos' tract through tract-tflite, single-threaded, model
             optimized with `into_optimized`, timed in Rust around each `run` of one spawned
             state). It is a standalone cargo project, not built by this script:
               cd tools/tract-bench && CARGO_TARGET_DIR=$PWD/target cargo build --release
             then pass `--tract tools/tract-bench/target/release/tract-bench`. Models that tract
             cannot load or run show `n/a`. Its int8 outputs are wrong (tract-tflite 0.23.9
             requantizes twice; float32 matches), see tools/tract-bench/README.md.

All engines get the same input (numpy default_rng(0): int8 uniform over the whole range, float
uniform in [-1, 1)). Python timing adds the call overhead of `invoke()` (about a microsecond)
to TFLM and LiteRT.

Usage (from the repository root, after `bash tools/setup.sh`):
  tools/.venv/bin/python tools/bench_vs_tflm.py [--models a,b,c] [--runs 200] [--rounds 3]
      [--tract tools/tract-bench/target/release/tract-bench]
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

DEFAULT_MODELS = [
    "kws_dscnn_int8",
    "vww_mobilenet_int8",
    "ic_resnet8_int8",
    "ad_autoencoder_int8",
    "person_detect",
    "kws_dscnn_float32",
    "vww_mobilenet_float32",
    "ic_resnet8_float32",
    "ad_autoencoder_float32",
]


def median_invoke_ms(invoke, runs, warmup):
    for _ in range(warmup):
        invoke()
    times = []
    clock = time.perf_counter
    for _ in range(runs):
        t0 = clock()
        invoke()
        times.append(clock() - t0)
    return statistics.median(times) * 1e3


def make_input(shape, dtype):
    rng = np.random.default_rng(0)
    if np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        return rng.integers(info.min, info.max, size=shape, endpoint=True).astype(dtype)
    return rng.uniform(-1.0, 1.0, size=shape).astype(dtype)


class Tflm:
    name = "TFLM"

    def __init__(self, model_bytes, x):
        from tflite_micro.python.tflite_micro import runtime

        self.it = runtime.Interpreter.from_bytes(model_bytes, arena_size=8 << 20)
        self.it.set_input(x, 0)

    def time(self, runs, warmup):
        return median_invoke_ms(self.it.invoke, runs, warmup)


class LiteRt:
    def __init__(self, path, x, xnnpack=False):
        from ai_edge_litert import interpreter as litert

        kind = (
            litert.OpResolverType.AUTO
            if xnnpack
            else litert.OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES
        )
        self.name = "LiteRT+XNNPACK" if xnnpack else "LiteRT"
        self.it = litert.Interpreter(
            model_path=path, num_threads=1, experimental_op_resolver_type=kind
        )
        self.it.allocate_tensors()
        self.it.set_tensor(self.it.get_input_details()[0]["index"], x)

    def time(self, runs, warmup):
        return median_invoke_ms(self.it.invoke, runs, warmup)


class Microlite:
    name = "microlite"

    def __init__(self, binary, path, npy):
        self.cmd = [binary, "bench", path, "--input", npy]

    def time(self, runs, warmup):
        out = subprocess.run(
            self.cmd + ["--runs", str(runs), "--warmup", str(warmup)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        for line in out.splitlines():
            if line.startswith("median_ms:"):
                return float(line.split(":", 1)[1])
        raise RuntimeError("no median_ms in microlite bench output:\n" + out)


class Tract:
    name = "tract"

    def __init__(self, binary, path, npy):
        self.cmd = [binary, path, "--input", npy]
        # One untimed invoke: tract-bench exits 2 when tract cannot load or run the model.
        probe = subprocess.run(self.cmd + ["--runs", "1", "--warmup", "0"], capture_output=True, text=True)
        if probe.returncode == 2:
            raise ValueError(probe.stderr.strip())
        probe.check_returncode()

    def time(self, runs, warmup):
        out = subprocess.run(
            self.cmd + ["--runs", str(runs), "--warmup", str(warmup)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        for line in out.splitlines():
            if line.startswith("median_ms:"):
                return float(line.split(":", 1)[1])
        raise RuntimeError("no median_ms in tract-bench output:\n" + out)


def load_avg():
    try:
        return os.getloadavg()[0]
    except OSError:
        return float("nan")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", default=",".join(DEFAULT_MODELS), help="comma-separated model names")
    ap.add_argument("--models-dir", default=os.path.join(ROOT, "..", "shared", "models"))
    ap.add_argument("--runs", type=int, default=200, help="timed invokes per round and engine")
    ap.add_argument("--warmup", type=int, default=20, help="untimed invokes before each round")
    ap.add_argument("--rounds", type=int, default=3, help="alternating rounds per model")
    ap.add_argument("--microlite", default=os.path.join(ROOT, "target", "release", "microlite"))
    ap.add_argument("--no-build", action="store_true", help="do not run cargo build first")
    ap.add_argument("--xnnpack", action="store_true", help="add LiteRT with its default XNNPACK delegate")
    ap.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    ap.add_argument("--tract", metavar="PATH", help="also time tract with this tract-bench binary (tools/tract-bench)")
    args = ap.parse_args()
    if args.tract is not None and not os.path.isfile(args.tract):
        ap.error(f"--tract: no file {args.tract} (build tools/tract-bench first)")

    if not args.no_build:
        subprocess.run(["cargo", "build", "--release", "-q", "-p", "microlite-cli"], cwd=ROOT, check=True)
        if not os.environ.get("CARGO_TARGET_DIR"):
            args.microlite = os.path.join(ROOT, "target", "release", "microlite")
        else:
            args.microlite = os.path.join(os.environ["CARGO_TARGET_DIR"], "release", "microlite")

    rows = []
    tmp = tempfile.mkdtemp(prefix="bench_vs_tflm_")
    for name in [m for m in args.models.split(",") if m]:
        path = os.path.join(args.models_dir, name, "model.tflite")
        if not os.path.isfile(path):
            print(f"skip {name}: no {path}", file=sys.stderr)
            continue
        with open(path, "rb") as f:
            model_bytes = f.read()
        # Input shape and type from TFLM's view of the model.
        from tflite_micro.python.tflite_micro import runtime

        d = runtime.Interpreter.from_bytes(model_bytes, arena_size=8 << 20).get_input_details(0)
        x = make_input(tuple(d["shape"]), d["dtype"])
        npy = os.path.join(tmp, name + ".npy")
        np.save(npy, x)
        engines = [Tflm(model_bytes, x)]
        for xnn in [False, True] if args.xnnpack else [False]:
            try:
                engines.append(LiteRt(path, x, xnnpack=xnn))
            except ValueError as e:  # LiteRT rejects some models TFLM runs
                print(f"{name}: LiteRT refuses the model: {str(e)[:120]}", file=sys.stderr)
        if args.tract is not None:
            try:
                engines.append(Tract(args.tract, path, npy))
            except ValueError as e:  # tract-bench exits 2: tract cannot load or run the model
                print(f"{name}: tract refuses the model: {str(e)[:200]}", file=sys.stderr)
        engines.append(Microlite(args.microlite, path, npy))
        got = {e.name: [] for e in engines}
        loads = []
        for _ in range(args.rounds):
            loads.append(load_avg())
            for e in engines:
                got[e.name].append(e.time(args.runs, args.warmup))
        med = {k: statistics.median(v) for k, v in got.items()}
        rows.append((name, med, max(loads)))
        ml = med["microlite"]
        print(
            f"{name}: " + "  ".join(f"{k} {v:.4f} ms" for k, v in med.items())
            + f"  TFLM/microlite {med['TFLM'] / ml:.2f}x  (load {max(loads):.2f})",
            file=sys.stderr,
        )

    names = []
    for _, med, _ in rows:
        names += [e for e in med if e != "microlite" and e not in names]
    if args.tract is not None and "tract" not in names:
        names.append("tract")  # the column stays, all n/a, when tract refused every model
    header = ["model"] + [f"{n} ms" for n in names] + ["microlite ms"] + [f"{n}/microlite" for n in names] + ["load"]
    table = []
    for name, med, load in rows:
        ml = med["microlite"]
        table.append(
            [name]
            + [f"{med[n]:.4f}" if n in med else "n/a" for n in names]
            + [f"{ml:.4f}"]
            + [f"{med[n] / ml:.2f}x" if n in med else "n/a" for n in names]
            + [f"{load:.1f}"]
        )
    if args.markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|")
        for r in table:
            print("| " + " | ".join(r) + " |")
    else:
        widths = [max(len(h), *(len(r[i]) for r in table)) for i, h in enumerate(header)]
        print("  ".join(h.ljust(w) if i == 0 else h.rjust(w) for i, (h, w) in enumerate(zip(header, widths))))
        for r in table:
            print("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))))
    print(
        f"\nruns {args.runs}, warmup {args.warmup}, rounds {args.rounds} (median of round medians); "
        f"load = highest 1-minute load average seen while timing",
    )


if __name__ == "__main__":
    main()
