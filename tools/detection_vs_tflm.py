"""Random DETECTION_POSTPROCESS models against TFLM, beyond the committed corpus.

Writes N one-op models (`tools/corpus_detection.py`'s builder) with random sizes (1-199 boxes,
1-7 classes, with or without background, box stride 4-6, 1-29 detections), random NMS form and
options (score threshold -1 to 0.9, IoU threshold 0.1 to 1, detections per class, scales) and
4 cases each (scores sometimes rounded so that many tie), golden from TFLM's runtime, in the
conformance layout with `"compare": "exact"`. Fast NMS leaves the outputs past
`num_detections` as the arena held them in TFLM; the script zeroes them there, as microlite
writes them. Then:

    tools/.venv/bin/python tools/detection_vs_tflm.py /tmp/detection_vs_tflm 150
    cargo run --release -p microlite-cli -- conform /tmp/detection_vs_tflm
"""

import json
import os
import shutil
import sys

import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
import make_corpus  # noqa: E402
sys.modules.setdefault("make_corpus", make_corpus)
import corpus_detection as cd  # noqa: E402
from tflite_micro.python.tflite_micro import runtime as tflm  # noqa: E402


def tensor(name, shape):
    return dict(name=name, dtype="float32", shape=shape, scale=[], zero_point=[])


def main():
    out, n_models = sys.argv[1], int(sys.argv[2])
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    rng = np.random.default_rng(12345)
    for m in range(n_models):
        nb, nc, bg = int(rng.integers(1, 200)), int(rng.integers(1, 8)), int(rng.integers(0, 2))
        md, regular = int(rng.integers(1, 30)), bool(rng.integers(0, 2))
        stride = int(rng.integers(4, 7))
        opts = dict(nms_score_threshold=float(rng.choice([0.0, 0.1, 0.3, 0.5, 0.9, -1.0])),
                    nms_iou_threshold=float(rng.choice([0.1, 0.3, 0.5, 0.7, 1.0])),
                    detections_per_class=int(rng.integers(1, 50)),
                    y_scale=float(rng.choice([1.0, 10.0])), h_scale=float(rng.choice([1.0, 5.0])))
        tie = rng.choice([None, 0.125, 0.5])
        model_bytes = cd.detection(nb, nc, bg, md, regular, stride=stride, **opts)(m)
        interp = tflm.Interpreter.from_bytes(model_bytes, arena_size=8 << 20)
        d = os.path.join(out, f"detection_{m:03d}")
        os.makedirs(d)
        with open(os.path.join(d, "model.tflite"), "wb") as f:
            f.write(model_bytes)
        ins_meta = [tensor("box_encodings", [1, nb, stride]),
                    tensor("class_predictions", [1, nb, nc + bg])]
        outs_meta = [tensor("detection_boxes", [1, md, 4]), tensor("detection_classes", [1, md]),
                     tensor("detection_scores", [1, md]), tensor("num_detections", [1])]
        for k in range(4):
            ins = cd.det_inputs(tie)(1000 * m + k, ins_meta)
            interp.reset()
            for i, a in enumerate(ins):
                interp.set_input(a, i)
            interp.invoke()
            outs = [np.array(interp.get_output(j), copy=True) for j in range(4)]
            found = int(outs[3][0])
            if not regular:
                for o in outs[:3]:
                    o[0, found:] = 0
            cdir = os.path.join(d, f"case-{k}")
            os.makedirs(cdir)
            for i, a in enumerate(ins):
                np.save(os.path.join(cdir, f"input-{i}.npy"), a, allow_pickle=False)
            for j, a in enumerate(outs):
                np.save(os.path.join(cdir, f"output-{j}.npy"), a, allow_pickle=False)
        meta = dict(name=f"detection_{m:03d}", cases=4, compare="exact", inputs=ins_meta,
                    outputs=outs_meta, ops=[cd.CODE], op_count=1, subgraphs=1,
                    golden_from="tflite-micro (PyPI) reference kernels",
                    source="microlite tools/detection_vs_tflm.py")
        with open(os.path.join(d, "meta.json"), "w") as f:
            json.dump(meta, f, indent=1)
    print(f"{n_models} models -> {out}")


if __name__ == "__main__":
    main()
