"""DETECTION_POSTPROCESS (TFLM's `TFLite_Detection_PostProcess` custom op, the SSD tail) for
the conformance corpus, built directly as flatbuffers (tools/tflite_fb.py, `Graph.custom`):
the converter emits the op only from TF Object Detection API graphs, so no converter is
involved. Options are the FlexBuffer map the converter writes; Python's builder stores a
float as a float32 when it is one exactly and as a double otherwise, so models with
thresholds like 0.5 get a 4-byte map and models with 0.3 an 8-byte one (both read as TFLM's
`AsFloat`).

Each model: box encodings [1, N, 4 or more] and class predictions [1, N, C (+1)] as graph
inputs, anchors [N, 4] constant, four float32 outputs. Anchors are a jittered grid of boxes
whose neighbours overlap (IoU around 0.2-0.6), so NMS suppresses some and keeps others; box
encodings are small offsets (normal, sd 0.5) and class scores uniform in [0, 1), so the
detections change from case to case. Fast NMS leaves the outputs past `num_detections` as
the arena held them in TFLM, so the fast models are checked to fill all `max_detections`
(their goldens are then fully defined). One model rounds its scores to 1/8 so that many tie:
TFLM's sorts are stable merge sorts or break ties by index, so even tied results are defined.
TFLM accepts float32 only (its quantized inputs fail at eval), so every model is float32.
"""

import numpy as np

import make_corpus
import tflite_fb as tfb
from make_corpus import model

CODE = "TFLite_Detection_PostProcess"
make_corpus.ALLOWED_OPS.add(CODE)

CONVERTER = "none: flatbuffer built by microlite tools/corpus_detection.py (tflite schema object API, flexbuffer custom options)"


def anchors(n, seed):
    """`n` anchors (y, x, h, w) on a jittered grid whose cells overlap."""
    rng = np.random.default_rng(seed)
    side = int(np.ceil(np.sqrt(n)))
    k = np.arange(n)
    step = 1.0 / side
    y = (k // side + 0.5) * step + rng.normal(0, 0.1 * step, n)
    x = (k % side + 0.5) * step + rng.normal(0, 0.1 * step, n)
    h = step * rng.uniform(1.2, 2.0, n)
    w = step * rng.uniform(1.2, 2.0, n)
    return np.stack([y, x, h, w], axis=1).astype(np.float32)


def detection(n, classes, background, max_det, regular, stride=4, **opts):
    def build(seed):
        g = tfb.Graph()
        enc = g.tensor("box_encodings", [1, n, stride], np.float32)
        cls = g.tensor("class_predictions", [1, n, classes + background], np.float32)
        anc = g.tensor("anchors", [n, 4], np.float32, data=anchors(n, seed))
        outs = [
            g.tensor("detection_boxes", [1, max_det, 4], np.float32),
            g.tensor("detection_classes", [1, max_det], np.float32),
            g.tensor("detection_scores", [1, max_det], np.float32),
            g.tensor("num_detections", [1], np.float32),
        ]
        o = dict(max_detections=max_det, max_classes_per_detection=1, num_classes=classes,
                 use_regular_nms=regular, nms_score_threshold=0.3, nms_iou_threshold=0.5,
                 y_scale=10.0, x_scale=10.0, h_scale=5.0, w_scale=5.0)
        o.update(opts)
        o = {k: v for k, v in o.items() if v is not None}  # None: leave the key out
        g.custom(CODE, [enc, cls, anc], outs, o)
        return g.finish([enc, cls], outs, CONVERTER)
    return build


def det_inputs(tie_step=None):
    def fn(seed, meta):
        rng = np.random.default_rng(seed)
        enc = rng.normal(0, 0.5, size=tuple(meta[0]["shape"])).astype(np.float32)
        cls = rng.uniform(0, 1, size=tuple(meta[1]["shape"]))
        if tie_step:
            cls = np.floor(cls / tie_step) * tie_step
        return [enc, cls.astype(np.float32)]
    return fn


def fills(name, model_bytes, cases, inputs_meta, outputs_meta):
    """Fast NMS: every case fills all max_detections (TFLM leaves the rest undefined)."""
    for k, (ins, outs) in enumerate(cases):
        want = outputs_meta[1]["shape"][-1]
        if outs[3][0] != want:
            raise RuntimeError(f"{name} case {k}: {outs[3][0]} detections, want {want}")


def varied(name, model_bytes, cases, inputs_meta, outputs_meta):
    """Regular NMS: the detected classes differ between cases."""
    classes = [tuple(c[1][1].ravel()) for c in cases]
    if len(set(classes)) < 2:
        raise RuntimeError(f"{name}: classes do not vary")


def det(name, build, check, tie_step=None):
    model(name, variants=("",), raw=True, converter=CONVERTER, check=check,
          inputs=det_inputs(tie_step))(build)


det("detection_postprocess_fast_f32",
    detection(64, 5, 1, 10, False), fills)
det("detection_postprocess_fast_nobg_stride6_f32",
    detection(49, 3, 0, 8, False, stride=6, nms_score_threshold=0.25, nms_iou_threshold=0.4,
              h_scale=4.0, w_scale=4.0), fills)
det("detection_postprocess_fast_ties_f32",
    detection(40, 4, 1, 12, False, nms_iou_threshold=0.6), fills, tie_step=0.125)
det("detection_postprocess_regular_f32",
    detection(64, 4, 1, 12, True, detections_per_class=5), varied)
det("detection_postprocess_regular_default_dpc_f32",
    detection(100, 3, 1, 20, True, nms_score_threshold=0.75, nms_iou_threshold=0.45,
              detections_per_class=None), varied)
det("detection_postprocess_regular_ties_nobg_f32",
    detection(36, 6, 0, 24, True, detections_per_class=3, nms_score_threshold=0.5),
    varied, tie_step=0.125)
det("detection_postprocess_regular_many_f32",
    detection(300, 2, 1, 25, True, detections_per_class=40, nms_score_threshold=0.1,
              nms_iou_threshold=0.3, y_scale=8.0, x_scale=8.0), varied)
