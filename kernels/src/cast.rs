//! CAST: TFLM's `static_cast` per element between int8, int16, int32, uint32, float32 and
//! (as input) bool.
//!
//! Integer to integer wraps (two's complement truncation or sign extension), integer to
//! float rounds to nearest. Float to integer truncates toward zero; where C leaves it
//! undefined (NaN, out of range) this follows TFLM's x86-64 build: `cvttss2si` gives
//! `i32::MIN` for a 32-bit (or narrower, then truncated) target and `i64::MIN` truncated to 32
//! bits (so 0) for uint32.

use crate::KernelError;

/// A value read from a CAST input.
#[derive(Clone, Copy, Debug)]
pub enum CastValue {
    /// Any integer (or bool) input.
    Int(i64),
    /// A float32 input.
    Float(f32),
}

/// An element type CAST reads.
pub trait CastSource: Copy {
    /// The element's value.
    fn value(self) -> CastValue;
}

/// An element type CAST writes.
pub trait CastTarget: Copy {
    /// `static_cast<Self>(v)`.
    fn cast(v: CastValue) -> Self;
}

macro_rules! int_source {
    ($($t:ty),*) => {$(
        impl CastSource for $t {
            fn value(self) -> CastValue {
                CastValue::Int(i64::from(self))
            }
        }
    )*};
}
// `u8` stands for a bool tensor's bytes: TFLM's `bool` is 0 or 1.
int_source!(i8, i16, i32, u32, u8);

impl CastSource for f32 {
    fn value(self) -> CastValue {
        CastValue::Float(self)
    }
}

/// x86-64's `cvttss2si` to 32 bits: truncation, `i32::MIN` when NaN or out of range.
pub(crate) fn f32_to_i32(f: f32) -> i32 {
    if f.is_nan() || !(-2147483648.0..2147483648.0).contains(&f) {
        i32::MIN
    } else {
        f as i32
    }
}

/// x86-64's `cvttss2si` to 64 bits: truncation, `i64::MIN` when NaN or out of range.
fn f32_to_i64(f: f32) -> i64 {
    if f.is_nan() || !(-9.223372e18..9.223372e18).contains(&f) {
        i64::MIN
    } else {
        f as i64
    }
}

macro_rules! narrow_target {
    ($($t:ty),*) => {$(
        impl CastTarget for $t {
            fn cast(v: CastValue) -> Self {
                match v {
                    CastValue::Int(i) => i as $t,
                    CastValue::Float(f) => f32_to_i32(f) as $t,
                }
            }
        }
    )*};
}
narrow_target!(i8, i16, i32);

impl CastTarget for u32 {
    fn cast(v: CastValue) -> Self {
        match v {
            CastValue::Int(i) => i as u32,
            CastValue::Float(f) => f32_to_i64(f) as u32,
        }
    }
}

impl CastTarget for f32 {
    fn cast(v: CastValue) -> Self {
        match v {
            CastValue::Int(i) => i as f32,
            CastValue::Float(f) => f,
        }
    }
}

/// `output[i] = static_cast<O>(input[i])`.
///
/// # Errors
/// [`KernelError::ShapeMismatch`] when the lengths differ.
pub fn cast<I: CastSource, O: CastTarget>(
    input: &[I],
    output: &mut [O],
) -> Result<(), KernelError> {
    if input.len() != output.len() {
        return Err(KernelError::ShapeMismatch);
    }
    for (o, &x) in output.iter_mut().zip(input) {
        *o = O::cast(x.value());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one<I: CastSource, O: CastTarget>(x: I) -> O {
        let mut o = [O::cast(CastValue::Int(0))];
        cast(&[x], &mut o).unwrap();
        o[0]
    }

    #[test]
    fn casts() {
        assert_eq!(one::<u32, i32>(0xFFFF_FFFF), -1);
        assert_eq!(one::<i32, u32>(-1), 0xFFFF_FFFF);
        assert_eq!(one::<i16, i32>(-300), -300);
        assert_eq!(one::<i32, i8>(300), 44);
        assert_eq!(one::<i32, i8>(-129), 127);
        assert_eq!(one::<i16, f32>(-32768), -32768.0);
        assert_eq!(one::<f32, i32>(-2.7), -2);
        assert_eq!(one::<f32, i32>(3e9), i32::MIN);
        assert_eq!(one::<f32, i32>(f32::NAN), i32::MIN);
        assert_eq!(one::<f32, i8>(200.5), -56);
        assert_eq!(one::<f32, u32>(3e9), 3_000_000_000);
        assert_eq!(one::<f32, u32>(-1.0), 0xFFFF_FFFF);
        assert_eq!(one::<u32, f32>(0xFFFF_FFFF), 4294967296.0);
        assert_eq!(one::<u8, i32>(1), 1);
        assert_eq!(
            cast::<i8, i8>(&[1], &mut []),
            Err(KernelError::ShapeMismatch)
        );
    }
}
