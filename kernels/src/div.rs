//! DIV with broadcasting over 4-D shapes (callers left-pad lower ranks with 1s): TFLM's
//! `reference_ops::Div<T>` / `BroadcastDivSlow<T>` for float32 and int32, `x / y` clamped to
//! the fused activation's range. int32 division truncates toward zero, as C's `/`.

use crate::broadcast::binary;
use crate::util::clamp_f32;
use crate::KernelError;

/// float32 DIV: `x / y` (IEEE, so `x / 0` is an infinity or NaN) clamped to
/// `[act_min, act_max]` with C++'s `min(max(..))` semantics.
///
/// # Errors
/// [`KernelError::ShapeMismatch`] when the shapes do not broadcast or a slice's length does
/// not match its shape.
#[allow(clippy::too_many_arguments)]
pub fn div_f32(
    act_min: f32,
    act_max: f32,
    in1_shape: [usize; 4],
    in1: &[f32],
    in2_shape: [usize; 4],
    in2: &[f32],
    out_shape: [usize; 4],
    output: &mut [f32],
) -> Result<(), KernelError> {
    binary(in1_shape, in1, in2_shape, in2, out_shape, output, |x, y| {
        clamp_f32(x / y, act_min, act_max)
    })
}

/// int32 DIV: `x / y` truncated toward zero, clamped to `[act_min, act_max]`.
/// `i32::MIN / -1` wraps to `i32::MIN` (C leaves it undefined).
///
/// # Errors
/// [`KernelError::BadParams`] when a divisor is 0 (undefined in C: TFLM's x86 build traps);
/// [`KernelError::ShapeMismatch`] as [`div_f32`].
#[allow(clippy::too_many_arguments)]
pub fn div_i32(
    act_min: i32,
    act_max: i32,
    in1_shape: [usize; 4],
    in1: &[i32],
    in2_shape: [usize; 4],
    in2: &[i32],
    out_shape: [usize; 4],
    output: &mut [i32],
) -> Result<(), KernelError> {
    if in2.contains(&0) {
        return Err(KernelError::BadParams);
    }
    binary(in1_shape, in1, in2_shape, in2, out_shape, output, |x, y| {
        x.checked_div(y)
            .unwrap_or(x.wrapping_neg())
            .max(act_min)
            .min(act_max)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn int32_truncates_and_broadcasts() {
        let mut out = [0i32; 4];
        div_i32(
            i32::MIN,
            i32::MAX,
            [1, 1, 1, 4],
            &[7, -7, 1332, i32::MIN],
            [1, 1, 1, 1],
            &[-2],
            [1, 1, 1, 4],
            &mut out,
        )
        .unwrap();
        assert_eq!(out, [-3, 3, -666, 1 << 30]);
        div_i32(
            0,
            6,
            [1, 1, 1, 2],
            &[100, -100],
            [1, 1, 1, 2],
            &[7, 7],
            [1, 1, 1, 2],
            &mut out[..2],
        )
        .unwrap();
        assert_eq!(out[..2], [6, 0]);
        assert_eq!(
            div_i32(0, 1, [1; 4], &[1], [1; 4], &[0], [1; 4], &mut out[..1]),
            Err(KernelError::BadParams)
        );
        let mut o = [0i32];
        div_i32(
            i32::MIN,
            i32::MAX,
            [1; 4],
            &[i32::MIN],
            [1; 4],
            &[-1],
            [1; 4],
            &mut o,
        )
        .unwrap();
        assert_eq!(o, [i32::MIN]);
    }

    #[test]
    fn float_divides_and_clamps() {
        let mut out = [0f32; 3];
        div_f32(
            f32::MIN,
            f32::MAX,
            [1, 1, 1, 3],
            &[1.0, -3.0, 1.0],
            [1, 1, 1, 3],
            &[4.0, 2.0, 0.0],
            [1, 1, 1, 3],
            &mut out,
        )
        .unwrap();
        assert_eq!(out, [0.25, -1.5, f32::MAX]);
    }
}
