//! DETECTION_POSTPROCESS: the SSD tail TFLM ships as the custom op
//! `TFLite_Detection_PostProcess` (`Register_DETECTION_POSTPROCESS()`), written against the
//! public custom-op API. Inputs: box encodings `[1, boxes, >= 4]`, class predictions
//! `[1, boxes, classes (+ 1 background)]` and anchors `[boxes, 4]`, all float32 (TFLM's eval
//! refuses any other type: its dequantizer is never called); outputs: float32 boxes
//! `[1, max_detections, 4]`, classes and scores `[1, max_detections]` and the count `[1]`.
//! The math is `microlite_kernels::detection_postprocess`.
//!
//! Options are the converter's FlexBuffer map, looked up by key as TFLM's `Init` does (a
//! missing key reads as 0; `detections_per_class` defaults to 100, `use_regular_nms` to
//! false). What TFLM finds wrong only at eval, or never, is a [`Error::BadOptions`] here at
//! prepare: `max_detections` below 1, `num_classes` below 1 or not the class columns (or one
//! fewer), an IoU threshold outside (0, 1], a NaN score threshold, a zero or non-finite scale,
//! `detections_per_class` below 1 (regular NMS) or `max_classes_per_detection` below 1 (fast
//! NMS). Fast NMS with more than one class per detection is refused too: TFLM's fast path
//! then writes its outputs at `ncpa * k + col` with `k` counting every entry, past the end of
//! its outputs and leaving gaps, so there is no defined result to match.

use super::{EvalCtx, PrepareCtx, Registration};
use crate::error::Error;
use crate::flexbuf::{FlexMap, FlexValue};
use crate::model::Tensor;
use crate::schema::TensorType;
use microlite_kernels::detection_postprocess::{
    detection_postprocess, DetectionOutputs, DetectionPostprocessParams, NUM_COORDS,
};

/// The custom code TFLM registers the op under.
pub(crate) const CUSTOM_CODE: &str = "TFLite_Detection_PostProcess";

pub(crate) fn registration() -> Registration {
    Registration::custom(CUSTOM_CODE, prepare, eval)
}

/// TFLM's `kNumDetectionsPerClass`: `detections_per_class` when the map has none.
const DEFAULT_DETECTIONS_PER_CLASS: i32 = 100;

#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Data {
    num_boxes: u32,
    box_stride: u32,
    num_classes: u32,
    label_offset: u32,
    max_detections: u32,
    detections_per_class: u32,
    use_regular_nms: u32,
    score_threshold: f32,
    iou_threshold: f32,
    scale: [f32; 4],
}

impl Data {
    fn params(&self) -> DetectionPostprocessParams {
        DetectionPostprocessParams {
            num_boxes: self.num_boxes as usize,
            box_stride: self.box_stride as usize,
            num_classes: self.num_classes as usize,
            label_offset: self.label_offset as usize,
            max_detections: self.max_detections as usize,
            detections_per_class: self.detections_per_class as usize,
            use_regular_nms: self.use_regular_nms != 0,
            score_threshold: self.score_threshold,
            iou_threshold: self.iou_threshold,
            scale: self.scale,
        }
    }
}

/// The options as TFLM's `Init` reads them.
struct Options {
    max_detections: i32,
    max_classes_per_detection: i32,
    detections_per_class: i32,
    use_regular_nms: bool,
    score_threshold: f32,
    iou_threshold: f32,
    num_classes: i32,
    scale: [f32; 4],
}

fn options(ctx: &PrepareCtx<'_>) -> Result<Options, Error> {
    let bad = ctx.options_error();
    let map = FlexMap::parse(ctx.custom_options()).ok_or(bad)?;
    // `Map[key]`: null when absent; a value this reader cannot convert is a bad option.
    let get = |key: &str| match map.lookup(key) {
        None => Ok(FlexValue::Null),
        Some(v) => v.ok_or(bad),
    };
    let int = |key: &str| get(key)?.as_i32().ok_or(bad);
    let float = |key: &str| get(key).map(FlexValue::as_f32);
    let detections_per_class = match get("detections_per_class")? {
        FlexValue::Null => DEFAULT_DETECTIONS_PER_CLASS,
        v => v.as_i32().ok_or(bad)?,
    };
    Ok(Options {
        max_detections: int("max_detections")?,
        max_classes_per_detection: int("max_classes_per_detection")?,
        detections_per_class,
        use_regular_nms: get("use_regular_nms")?.as_bool().ok_or(bad)?,
        score_threshold: float("nms_score_threshold")?,
        iou_threshold: float("nms_iou_threshold")?,
        num_classes: int("num_classes")?,
        scale: [
            float("y_scale")?,
            float("x_scale")?,
            float("h_scale")?,
            float("w_scale")?,
        ],
    })
}

/// Input `k`, float32 of rank `rank`.
fn float_input<'c>(ctx: &PrepareCtx<'c>, k: usize, rank: usize) -> Result<Tensor<'c>, Error> {
    let t = ctx.input(k)?;
    if t.ty() != TensorType::Float32 {
        return Err(ctx.type_error(k));
    }
    if t.shape().len() != rank || t.byte_size().is_none() {
        return Err(ctx.shape_error(k));
    }
    Ok(t)
}

/// Output `k`, float32 with at least `want` elements.
fn float_output(ctx: &PrepareCtx<'_>, k: usize, want: usize) -> Result<(), Error> {
    let t = ctx.op.output(k)?;
    if t.t.ty() != TensorType::Float32 {
        return Err(ctx.op.type_err(&t));
    }
    if t.t.byte_size().is_none() || t.t.element_count() < want {
        return Err(ctx.op.shape_err(&t));
    }
    Ok(())
}

fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    if ctx.input_count() != 3 || ctx.output_count() != 4 {
        return Err(Error::OperandCount { op: ctx.op_index() });
    }
    let o = options(ctx)?;
    let encodings = float_input(ctx, 0, 3)?;
    let predictions = float_input(ctx, 1, 3)?;
    let anchors = float_input(ctx, 2, 2)?;
    let dim = |t: &Tensor<'_>, i: usize| t.shape().get(i).max(0) as usize;
    let num_boxes = dim(&encodings, 1);
    let box_stride = dim(&encodings, 2);
    if dim(&encodings, 0) != 1 || box_stride < NUM_COORDS {
        return Err(ctx.shape_error(0));
    }
    if dim(&predictions, 0) != 1 || dim(&predictions, 1) != num_boxes {
        return Err(ctx.shape_error(1));
    }
    if dim(&anchors, 0) != num_boxes || dim(&anchors, 1) != NUM_COORDS {
        return Err(ctx.shape_error(2));
    }
    let with_background = dim(&predictions, 2);
    let bad = ctx.options_error();
    let num_classes = usize::try_from(o.num_classes).map_err(|_| bad)?;
    let label_offset = with_background.checked_sub(num_classes).ok_or(bad)?;
    if num_classes == 0 || label_offset > 1 {
        return Err(bad);
    }
    let max_detections = usize::try_from(o.max_detections).map_err(|_| bad)?;
    let iou_ok = o.iou_threshold > 0.0 && o.iou_threshold <= 1.0;
    let scales_ok = o.scale.iter().all(|s| s.is_finite() && *s != 0.0);
    if max_detections == 0 || !iou_ok || o.score_threshold.is_nan() || !scales_ok {
        return Err(bad);
    }
    if o.use_regular_nms {
        if o.detections_per_class < 1 {
            return Err(bad);
        }
    } else if o.max_classes_per_detection < 1 || o.max_classes_per_detection.min(o.num_classes) > 1
    {
        return Err(bad);
    }
    // Each output holds at least what TFLM writes to it.
    let wants = [
        max_detections.checked_mul(NUM_COORDS).ok_or(bad)?,
        max_detections,
        max_detections,
        1,
    ];
    for (k, want) in wants.into_iter().enumerate() {
        float_output(ctx, k, want)?;
    }
    let too_big = |_| Error::TooComplex;
    let data = Data {
        num_boxes: u32::try_from(num_boxes).map_err(too_big)?,
        box_stride: u32::try_from(box_stride).map_err(too_big)?,
        num_classes: num_classes as u32,
        label_offset: label_offset as u32,
        max_detections: u32::try_from(max_detections).map_err(too_big)?,
        detections_per_class: o.detections_per_class.max(1) as u32,
        use_regular_nms: u32::from(o.use_regular_nms),
        score_threshold: o.score_threshold,
        iou_threshold: o.iou_threshold,
        scale: o.scale,
    };
    let bytes = data
        .params()
        .scratch_words()
        .and_then(|w| w.checked_mul(4))
        .ok_or(Error::TooComplex)?;
    ctx.request_scratch(bytes);
    ctx.persist(&data)
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    let p = ctx.data::<Data>()?.params();
    let encodings = ctx.input::<f32>(0)?;
    let predictions = ctx.input::<f32>(1)?;
    let anchors = ctx.input::<f32>(2)?;
    let scratch = ctx.scratch::<u32>()?;
    let out = DetectionOutputs {
        boxes: ctx.output::<f32>(0)?,
        classes: ctx.output::<f32>(1)?,
        scores: ctx.output::<f32>(2)?,
        num_detections: ctx.output::<f32>(3)?,
    };
    detection_postprocess(&p, encodings, predictions, anchors, scratch, out)
        .map_err(|e| ctx.kernel_err(e))
}
