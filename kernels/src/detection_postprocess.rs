//! DETECTION_POSTPROCESS, the SSD tail TFLM ships as the custom op
//! `TFLite_Detection_PostProcess` (`detection_postprocess.cc`): decodes box encodings against
//! anchors (centre-size to corners, in double as TFLM), then non-max suppression, either the
//! fast form (each box's best class, one NMS over all boxes) or the regular one (one NMS per
//! class, merged by score), and writes up to `max_detections` boxes, classes and scores.
//!
//! Every step follows TFLM's order: the score threshold test (`>=`), its stable decreasing
//! sort (a merge sort there, any stable sort gives the same order), the greedy suppression
//! with its IoU test (`>`, 0 when an area is not positive), the partial sort of the regular
//! form (ties by position, which is a stable sort too) and the truncation to
//! `max_detections`. The scratch TFLM requests in Prepare is one caller-provided `[u32]`
//! ([`DetectionPostprocessParams::scratch_words`]).

use crate::KernelError;

/// Coordinates per box.
pub const NUM_COORDS: usize = 4;

/// What DETECTION_POSTPROCESS needs, fixed at prepare.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DetectionPostprocessParams {
    /// Boxes (and anchors).
    pub num_boxes: usize,
    /// Values per box encoding (at least 4: `y, x, h, w`, then anything, e.g. keypoints).
    pub box_stride: usize,
    /// Classes, without the background class.
    pub num_classes: usize,
    /// 1 when the class predictions start with a background column, else 0.
    pub label_offset: usize,
    /// Detections written.
    pub max_detections: usize,
    /// Boxes each class keeps in regular NMS.
    pub detections_per_class: usize,
    /// Regular (per-class) rather than fast NMS.
    pub use_regular_nms: bool,
    /// Scores below it are dropped.
    pub score_threshold: f32,
    /// A box whose IoU with a kept one is above it is suppressed.
    pub iou_threshold: f32,
    /// `y_scale, x_scale, h_scale, w_scale`.
    pub scale: [f32; 4],
}

impl DetectionPostprocessParams {
    /// Class columns per box (`num_classes` plus the background one).
    pub fn classes_with_background(&self) -> usize {
        self.num_classes + self.label_offset
    }

    /// Entries of regular NMS's merged list: the best `max_detections` so far plus one
    /// class's selection.
    fn merged_len(&self) -> Option<usize> {
        self.max_detections
            .checked_add(self.num_boxes.min(self.detections_per_class))
    }

    /// Words (4 bytes) of scratch [`detection_postprocess`] needs; `None` on overflow.
    pub fn scratch_words(&self) -> Option<usize> {
        let nb = self.num_boxes;
        // Decoded boxes, then six per-box arrays (scores, kept scores, kept indices, their
        // sorted order, active flags, selection), then the merge sort's buffer.
        let mut words = nb.checked_mul(NUM_COORDS + 6)?;
        if self.use_regular_nms {
            let merged = self.merged_len()?;
            // Merged indices, scores, their order and the reordered scores.
            words = words.checked_add(merged.checked_mul(4)?)?;
            words.checked_add(nb.max(merged))
        } else {
            words.checked_add(nb)
        }
    }
}

/// The four outputs.
pub struct DetectionOutputs<'a> {
    /// `[max_detections, 4]`: `ymin, xmin, ymax, xmax`.
    pub boxes: &'a mut [f32],
    /// `[max_detections]`: class index (without background) as a float.
    pub classes: &'a mut [f32],
    /// `[max_detections]`.
    pub scores: &'a mut [f32],
    /// `[1]`: how many detections were written.
    pub num_detections: &'a mut [f32],
}

/// C++'s `std::max<float>(a, b)`: `a < b ? b : a` (NaN in `a` stays).
fn cmax(a: f32, b: f32) -> f32 {
    if a < b {
        b
    } else {
        a
    }
}

/// C++'s `std::min<float>(a, b)`: `b < a ? b : a`.
fn cmin(a: f32, b: f32) -> f32 {
    if b < a {
        b
    } else {
        a
    }
}

/// Box `i` of the decoded boxes (`ymin, xmin, ymax, xmax`); zeros past the end.
fn corner(boxes: &[f32], i: usize) -> [f32; 4] {
    let mut b = [0.0; 4];
    if let Some(s) = boxes.get(i * NUM_COORDS..i * NUM_COORDS + NUM_COORDS) {
        b.copy_from_slice(s);
    }
    b
}

/// TFLM's `DecodeCenterSizeBoxes`: centre `y / y_scale * anchor_h + anchor_y` and half
/// height `0.5 * exp(h / h_scale) * anchor_h` in double, each rounded to float, then the
/// corners in float.
fn decode(p: &DetectionPostprocessParams, encodings: &[f32], anchors: &[f32], decoded: &mut [f32]) {
    let [sy, sx, sh, sw] = p.scale.map(f64::from);
    let rows = encodings.chunks_exact(p.box_stride.max(1));
    for ((e, a), out) in rows
        .zip(anchors.chunks_exact(NUM_COORDS))
        .zip(decoded.chunks_exact_mut(NUM_COORDS))
    {
        let e = |k: usize| f64::from(e.get(k).copied().unwrap_or(0.0));
        let a = |k: usize| f64::from(a.get(k).copied().unwrap_or(0.0));
        let ycenter = (e(0) / sy * a(2) + a(0)) as f32;
        let xcenter = (e(1) / sx * a(3) + a(1)) as f32;
        let half_h = (0.5 * libm::exp(e(2) / sh) * a(2)) as f32;
        let half_w = (0.5 * libm::exp(e(3) / sw) * a(3)) as f32;
        out.copy_from_slice(&[
            ycenter - half_h,
            xcenter - half_w,
            ycenter + half_h,
            xcenter + half_w,
        ]);
    }
}

/// TFLM's `ValidateBoxes`: every box has `ymin < ymax` and `xmin < xmax` (or a NaN, which
/// the `>=` test lets through).
fn valid_boxes(decoded: &[f32]) -> bool {
    !decoded
        .chunks_exact(NUM_COORDS)
        .any(|b| b[0] >= b[2] || b[1] >= b[3])
}

/// TFLM's `ComputeIntersectionOverUnion`, in float.
fn iou(decoded: &[f32], i: usize, j: usize) -> f32 {
    let bi = corner(decoded, i);
    let bj = corner(decoded, j);
    let area_i = (bi[2] - bi[0]) * (bi[3] - bi[1]);
    let area_j = (bj[2] - bj[0]) * (bj[3] - bj[1]);
    if area_i <= 0.0 || area_j <= 0.0 {
        return 0.0;
    }
    let ymin = cmax(bi[0], bj[0]);
    let xmin = cmax(bi[1], bj[1]);
    let ymax = cmin(bi[2], bj[2]);
    let xmax = cmin(bi[3], bj[3]);
    let intersection = cmax(ymax - ymin, 0.0) * cmax(xmax - xmin, 0.0);
    intersection / (area_i + area_j - intersection)
}

/// Sorts `order` (indices into `values`) by decreasing value, stably: a bottom-up merge sort
/// through `tmp` (at least as long). A later element moves before an earlier one only when
/// its value is greater, so equal values keep their order (and NaN never moves ahead).
fn stable_sort_decreasing(values: &[f32], order: &mut [u32], tmp: &mut [u32]) {
    let n = order.len().min(tmp.len());
    let v = |i: u32| values.get(i as usize).copied().unwrap_or(f32::NAN);
    let mut width = 1;
    while width < n {
        let mut start = 0;
        while start < n {
            let mid = (start + width).min(n);
            let end = (start + 2 * width).min(n);
            let (mut l, mut r) = (start, mid);
            for slot in &mut tmp[start..end] {
                let take_right = l >= mid || (r < end && v(order[r]) > v(order[l]));
                if take_right {
                    *slot = order[r];
                    r += 1;
                } else {
                    *slot = order[l];
                    l += 1;
                }
            }
            start = end;
        }
        order[..n].copy_from_slice(&tmp[..n]);
        width *= 2;
    }
}

/// Fills `order` with `0, 1, ...`.
fn iota(order: &mut [u32]) {
    for (k, o) in order.iter_mut().enumerate() {
        *o = k as u32;
    }
}

/// The per-box working arrays of one NMS.
struct NmsScratch<'s> {
    keep_scores: &'s mut [f32],
    keep_indices: &'s mut [u32],
    sorted: &'s mut [u32],
    active: &'s mut [u32],
    merge: &'s mut [u32],
}

/// TFLM's `NonMaxSuppressionSingleClassHelper`: the boxes whose score is at least the
/// threshold, by decreasing score; each in turn is selected unless a selected one overlaps
/// it by more than the IoU threshold, until `limit` are selected. Returns how many, their box
/// indices in `selected`.
fn nms_single_class(
    p: &DetectionPostprocessParams,
    decoded: &[f32],
    scores: &[f32],
    limit: usize,
    s: &mut NmsScratch<'_>,
    selected: &mut [u32],
) -> usize {
    let mut kept = 0;
    for (i, &score) in scores.iter().enumerate() {
        if score >= p.score_threshold {
            if let (Some(ks), Some(ki)) =
                (s.keep_scores.get_mut(kept), s.keep_indices.get_mut(kept))
            {
                *ks = score;
                *ki = i as u32;
                kept += 1;
            }
        }
    }
    let sorted = &mut s.sorted[..kept];
    iota(sorted);
    stable_sort_decreasing(&s.keep_scores[..kept], sorted, s.merge);
    let output_size = kept.min(limit).min(selected.len());
    let active = &mut s.active[..kept];
    active.fill(1);
    let mut num_active = kept;
    let mut count = 0;
    for i in 0..kept {
        if num_active == 0 || count >= output_size {
            break;
        }
        if active[i] == 0 {
            continue;
        }
        let box_i = s.keep_indices[sorted[i] as usize] as usize;
        selected[count] = box_i as u32;
        count += 1;
        active[i] = 0;
        num_active -= 1;
        for j in i + 1..kept {
            if active[j] != 0 {
                let box_j = s.keep_indices[sorted[j] as usize] as usize;
                if iou(decoded, box_i, box_j) > p.iou_threshold {
                    active[j] = 0;
                    num_active -= 1;
                }
            }
        }
    }
    count
}

/// TFLM's `DecreasingPartialArgSort` for one class out of a box's scores: the first index of
/// the greatest score (a later one wins only when strictly greater; NaN never wins, a NaN
/// first stays).
fn best_class(scores: &[f32]) -> usize {
    let mut best = 0;
    for (c, &v) in scores.iter().enumerate().skip(1) {
        if scores[best] < v {
            best = c;
        }
    }
    best
}

/// Splits `n` words off the front of `rest`.
fn take<'s>(rest: &mut &'s mut [u32], n: usize) -> Result<&'s mut [u32], KernelError> {
    if rest.len() < n {
        return Err(KernelError::ShapeMismatch);
    }
    let (head, tail) = core::mem::take(rest).split_at_mut(n);
    *rest = tail;
    Ok(head)
}

/// DETECTION_POSTPROCESS over float32 inputs: `encodings` `[num_boxes, box_stride]`,
/// `class_scores` `[num_boxes, num_classes + label_offset]`, `anchors` `[num_boxes, 4]`
/// (`y, x, h, w`). Writes the first `max_detections` entries of each output (what TFLM
/// writes), zeroes the rest (where TFLM's fast form leaves whatever the arena held).
///
/// # Errors
/// [`KernelError::ShapeMismatch`] when a slice is shorter than `p` says or the scratch is
/// smaller than [`DetectionPostprocessParams::scratch_words`]; [`KernelError::BadParams`]
/// when a decoded box has `ymin >= ymax` or `xmin >= xmax` (TFLM's `ValidateBoxes` fails the
/// invoke there too).
pub fn detection_postprocess(
    p: &DetectionPostprocessParams,
    encodings: &[f32],
    class_scores: &[f32],
    anchors: &[f32],
    scratch: &mut [u32],
    out: DetectionOutputs<'_>,
) -> Result<(), KernelError> {
    let nb = p.num_boxes;
    let ncwb = p.classes_with_background();
    let md = p.max_detections;
    let enough = |len: usize, a: usize, b: usize| a.checked_mul(b).is_some_and(|n| len >= n);
    if p.box_stride < NUM_COORDS
        || !enough(encodings.len(), nb, p.box_stride)
        || !enough(class_scores.len(), nb, ncwb)
        || !enough(anchors.len(), nb, NUM_COORDS)
        || !enough(out.boxes.len(), md, NUM_COORDS)
        || out.classes.len() < md
        || out.scores.len() < md
        || out.num_detections.is_empty()
        || p.label_offset > 1
        || p.num_classes == 0
    {
        return Err(KernelError::ShapeMismatch);
    }
    let words = p.scratch_words().ok_or(KernelError::ShapeMismatch)?;
    let mut rest = scratch.get_mut(..words).ok_or(KernelError::ShapeMismatch)?;
    let decoded: &mut [f32] = bytemuck::cast_slice_mut(take(&mut rest, nb * NUM_COORDS)?);
    let per_box: &mut [f32] = bytemuck::cast_slice_mut(take(&mut rest, nb)?);
    let keep_scores: &mut [f32] = bytemuck::cast_slice_mut(take(&mut rest, nb)?);
    let keep_indices = take(&mut rest, nb)?;
    let sorted = take(&mut rest, nb)?;
    let active = take(&mut rest, nb)?;
    let selected = take(&mut rest, nb)?;

    decode(p, encodings, anchors, decoded);
    if !valid_boxes(decoded) {
        return Err(KernelError::BadParams);
    }
    out.boxes.fill(0.0);
    out.classes.fill(0.0);
    out.scores.fill(0.0);
    out.num_detections.fill(0.0);
    let row = |b: usize| &class_scores[b * ncwb + p.label_offset..(b + 1) * ncwb];

    if !p.use_regular_nms {
        let merge = take(&mut rest, nb)?;
        let mut s = NmsScratch {
            keep_scores,
            keep_indices,
            sorted,
            active,
            merge,
        };
        for (b, m) in per_box.iter_mut().enumerate() {
            let scores = row(b);
            *m = scores[best_class(scores)];
        }
        let count = nms_single_class(p, decoded, per_box, md, &mut s, selected);
        for (k, &b) in selected[..count].iter().enumerate() {
            let b = b as usize;
            let scores = row(b);
            let c = best_class(scores);
            out.boxes[k * NUM_COORDS..(k + 1) * NUM_COORDS].copy_from_slice(&corner(decoded, b));
            out.classes[k] = c as f32;
            out.scores[k] = scores[c];
        }
        out.num_detections[0] = count as f32;
        return Ok(());
    }

    let merged = p.merged_len().ok_or(KernelError::ShapeMismatch)?;
    let merged_index = take(&mut rest, merged)?;
    let merged_scores: &mut [f32] = bytemuck::cast_slice_mut(take(&mut rest, merged)?);
    let order = take(&mut rest, merged)?;
    let reordered: &mut [f32] = bytemuck::cast_slice_mut(take(&mut rest, merged)?);
    let merge = take(&mut rest, nb.max(merged))?;
    let mut s = NmsScratch {
        keep_scores,
        keep_indices,
        sorted,
        active,
        merge,
    };
    let mut size = 0;
    for col in 0..p.num_classes {
        for (b, v) in per_box.iter_mut().enumerate() {
            *v = class_scores[b * ncwb + col + p.label_offset];
        }
        let limit = p.detections_per_class;
        let count = nms_single_class(p, decoded, per_box, limit, &mut s, selected);
        // Append this class's selection after the best so far, as flat score indices.
        let mut n = size;
        for &b in &selected[..count] {
            if n < merged {
                merged_index[n] = (b as usize * ncwb + col + p.label_offset) as u32;
                merged_scores[n] = per_box[b as usize];
                n += 1;
            }
        }
        let keep = n.min(md);
        let order = &mut order[..n];
        iota(order);
        stable_sort_decreasing(&merged_scores[..n], order, s.merge);
        for r in 0..keep {
            let from = order[r] as usize;
            order[r] = merged_index[from];
            reordered[r] = merged_scores[from];
        }
        merged_index[..keep].copy_from_slice(&order[..keep]);
        merged_scores[..keep].copy_from_slice(&reordered[..keep]);
        size = keep;
    }
    for k in 0..size {
        let flat = merged_index[k] as usize;
        let anchor = flat / ncwb;
        let class = flat - anchor * ncwb - p.label_offset;
        out.boxes[k * NUM_COORDS..(k + 1) * NUM_COORDS].copy_from_slice(&corner(decoded, anchor));
        out.classes[k] = class as f32;
        out.scores[k] = merged_scores[k];
    }
    out.num_detections[0] = size as f32;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(nb: usize, nc: usize, regular: bool) -> DetectionPostprocessParams {
        DetectionPostprocessParams {
            num_boxes: nb,
            box_stride: 4,
            num_classes: nc,
            label_offset: 1,
            max_detections: 3,
            detections_per_class: 2,
            use_regular_nms: regular,
            score_threshold: 0.3,
            iou_threshold: 0.5,
            scale: [10.0, 10.0, 5.0, 5.0],
        }
    }

    /// Runs the kernel: (boxes, classes, scores, num_detections).
    fn run(
        p: &DetectionPostprocessParams,
        enc: &[f32],
        cls: &[f32],
        anchors: &[f32],
    ) -> Result<(Vec<f32>, Vec<f32>, Vec<f32>, f32), KernelError> {
        let md = p.max_detections;
        let mut scratch = vec![0u32; p.scratch_words().unwrap()];
        let (mut b, mut c, mut s, mut n) = (vec![7.0; md * 4], vec![7.0; md], vec![7.0; md], [7.0]);
        let out = DetectionOutputs {
            boxes: &mut b,
            classes: &mut c,
            scores: &mut s,
            num_detections: &mut n,
        };
        detection_postprocess(p, enc, cls, anchors, &mut scratch, out)?;
        Ok((b, c, s, n[0]))
    }

    /// Four unit anchors: 0 and 1 overlap (IoU 0.6), 2 and 3 apart from everything.
    const ANCHORS: [f32; 16] = [
        0.5, 0.5, 1.0, 1.0, // 0: [0, 0, 1, 1]
        0.5, 0.7, 1.0, 1.0, // 1: [0, 0.2, 1, 1.2]: IoU with 0 is 0.8 / 1.2
        5.5, 5.5, 1.0, 1.0, // 2
        9.5, 9.5, 1.0, 1.0, // 3
    ];

    #[test]
    fn decodes_as_tflm() {
        let p = params(1, 1, false);
        let anchors = [0.5, 0.25, 2.0, 4.0];
        let enc = [1.0, -2.0, 0.5, -0.25];
        let mut decoded = [0.0f32; 4];
        decode(&p, &enc, &anchors, &mut decoded);
        let yc = (1.0f64 / 10.0 * 2.0 + 0.5) as f32;
        let xc = (-2.0f64 / 10.0 * 4.0 + 0.25) as f32;
        let hh = (0.5 * libm::exp(0.5f64 / 5.0) * 2.0) as f32;
        let hw = (0.5 * libm::exp(-0.25f64 / 5.0) * 4.0) as f32;
        assert_eq!(decoded, [yc - hh, xc - hw, yc + hh, xc + hw]);
    }

    #[test]
    fn fast_nms_suppresses_and_skips_background() {
        let p = params(4, 2, false);
        let enc = [0.0; 16];
        // Background column first: never a class.
        let cls = [
            0.99, 0.9, 0.1, // 0: class 0, 0.9
            0.99, 0.2, 0.8, // 1: class 1, 0.8 (suppressed by 0)
            0.99, 0.35, 0.6, // 2: class 1, 0.6
            0.99, 0.1, 0.2, // 3: below the threshold
        ];
        let (b, c, s, n) = run(&p, &enc, &cls, &ANCHORS).unwrap();
        assert_eq!(n, 2.0);
        assert_eq!(c, [0.0, 1.0, 0.0]);
        assert_eq!(s, [0.9, 0.6, 0.0]);
        assert_eq!(b[..8], [0.0, 0.0, 1.0, 1.0, 5.0, 5.0, 6.0, 6.0]);
        assert_eq!(b[8..], [0.0; 4]);
    }

    #[test]
    fn regular_nms_per_class_then_merged() {
        let p = params(4, 2, true);
        let enc = [0.0; 16];
        let cls = [
            0.0, 0.9, 0.1, //
            0.0, 0.2, 0.8, // 1's class 1 survives: class 0 of box 0 does not suppress it
            0.0, 0.85, 0.6, //
            0.0, 0.1, 0.2, //
        ];
        let (_, c, s, n) = run(&p, &enc, &cls, &ANCHORS).unwrap();
        assert_eq!(n, 3.0);
        assert_eq!(s, [0.9, 0.85, 0.8]);
        assert_eq!(c, [0.0, 0.0, 1.0]);
    }

    #[test]
    fn ties_keep_index_order() {
        let mut p = params(4, 1, true);
        p.label_offset = 0;
        p.detections_per_class = 4;
        let enc = [0.0; 16];
        let cls = [0.5, 0.7, 0.7, 0.5];
        let (b, _, s, n) = run(&p, &enc, &cls, &ANCHORS).unwrap();
        // 1 first (tied with 2, earlier), 0 suppressed by 1, then 2, then 3.
        assert_eq!((n, s), (3.0, vec![0.7, 0.7, 0.5]));
        assert_eq!(b[4..8], [5.0, 5.0, 6.0, 6.0]);
        let values = [1.0, 3.0, 2.0, 3.0, 1.0, f32::NAN, 2.0];
        let mut order = [0u32; 7];
        iota(&mut order);
        stable_sort_decreasing(&values, &mut order, &mut [0; 7]);
        assert_eq!(order[..4], [1, 3, 2, 6]);
    }

    #[test]
    fn refuses_degenerate_boxes_and_short_buffers() {
        let p = params(4, 2, false);
        let enc = [0.0; 16];
        let cls = [0.5; 12];
        let mut flat = ANCHORS;
        flat[6] = 0.0; // anchor 1 of height 0: ymin == ymax
        assert_eq!(run(&p, &enc, &cls, &flat), Err(KernelError::BadParams));
        assert_eq!(
            run(&p, &enc[..15], &cls, &ANCHORS),
            Err(KernelError::ShapeMismatch)
        );
        let mut scratch = vec![0u32; p.scratch_words().unwrap() - 1];
        let (mut b, mut c, mut s, mut n) = ([0.0; 12], [0.0; 3], [0.0; 3], [0.0]);
        let out = DetectionOutputs {
            boxes: &mut b,
            classes: &mut c,
            scores: &mut s,
            num_detections: &mut n,
        };
        assert_eq!(
            detection_postprocess(&p, &enc, &cls, &ANCHORS, &mut scratch, out),
            Err(KernelError::ShapeMismatch)
        );
    }

    #[test]
    fn nan_and_infinite_inputs_do_not_panic() {
        for regular in [false, true] {
            let p = params(4, 2, regular);
            let enc = [
                f32::NAN,
                1e30,
                -1e30,
                f32::INFINITY,
                0.0,
                0.0,
                0.0,
                0.0,
                0.1,
                0.2,
                0.0,
                0.0,
                0.0,
                0.0,
                0.0,
                0.0,
            ];
            let cls = [
                f32::NAN,
                f32::NAN,
                0.9,
                0.1,
                f32::INFINITY,
                0.5,
                0.3,
                0.4,
                f32::NAN,
                0.0,
                0.9,
                0.95,
            ];
            let _ = run(&p, &enc, &cls, &ANCHORS);
        }
    }
}
