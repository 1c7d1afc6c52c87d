//! Fixed-point primitives of TFLM's integer kernels (gemmlowp double rounding), multiplier
//! quantization, activation ranges and padding.
//!
//! Where TFLM's C++ relies on 32-bit two's-complement wrap-around (or has undefined behaviour
//! for inputs its callers never pass), these functions wrap or pick a documented value
//! instead of panicking.

use crate::double::Double;
use crate::{Activation, KernelError, Padding};

/// Quantization parameters of an int8 conv, depthwise conv or fully connected op.
///
/// `multipliers`/`shifts` hold one entry per output channel, or a single entry applied to
/// every channel (per-tensor quantization).
#[derive(Clone, Copy, Debug)]
pub struct QuantParams<'a> {
    /// Added to every input value: minus the input zero point.
    pub input_offset: i32,
    /// Added after rescaling: the output zero point.
    pub output_offset: i32,
    /// Lower clamp of the output (from [`activation_range_i8`]).
    pub act_min: i32,
    /// Upper clamp of the output.
    pub act_max: i32,
    /// Fixed-point multipliers, as from [`quantize_multiplier`].
    pub multipliers: &'a [i32],
    /// Exponents matching `multipliers` (positive is a left shift). `i8` is enough: any
    /// shift of 32 or more rescales everything to 0, and right shifts stop at 62 (see
    /// [`clamp_shift`]).
    pub shifts: &'a [i8],
}

impl QuantParams<'_> {
    /// Checks the multiplier arrays for `channels` outputs; returns whether they are per channel.
    pub(crate) fn check(&self, channels: usize) -> Result<bool, KernelError> {
        let n = self.multipliers.len();
        if n != self.shifts.len() {
            return Err(KernelError::BadParams);
        }
        if n == channels && n != 1 {
            Ok(true)
        } else if n == 1 {
            Ok(false)
        } else if n == 0 && channels == 0 {
            Ok(true)
        } else {
            Err(KernelError::BadParams)
        }
    }

    /// The (multiplier, shift) for output channel `c`; `per_channel` from [`Self::check`].
    #[inline]
    pub(crate) fn channel(&self, per_channel: bool, c: usize) -> (i32, i32) {
        if per_channel {
            (self.multipliers[c], i32::from(self.shifts[c]))
        } else {
            (self.multipliers[0], i32::from(self.shifts[0]))
        }
    }

    /// As [`Self::channel`], with `get` rather than indexing (`check` made every index valid):
    /// the reference kernels use it so that no panic path is linked.
    #[inline]
    pub(crate) fn channel_get(&self, per_channel: bool, c: usize) -> (i32, i32) {
        let c = if per_channel { c } else { 0 };
        let m = self.multipliers.get(c).copied().unwrap_or(0);
        (m, i32::from(self.shifts.get(c).copied().unwrap_or(0)))
    }
}

/// A quantized integer type of TFLM's kernels (int8, int16, int32, uint8): widened to `i32` for the
/// arithmetic, narrowed back with saturation to its own range.
pub trait QuantizedInt: Copy + Default + 'static {
    /// The type's smallest value, as `i32`.
    const MIN: i32;
    /// The type's largest value, as `i32`.
    const MAX: i32;
    /// The value as `i32`.
    fn widen(self) -> i32;
    /// `v` clamped to the type's range.
    fn saturate(v: i32) -> Self;
    /// `v` cut to the type's width (C++'s integral conversion: modulo 2^bits).
    fn wrap(v: i32) -> Self;
}

macro_rules! quantized_int {
    ($($t:ty),*) => {$(
        impl QuantizedInt for $t {
            const MIN: i32 = <$t>::MIN as i32;
            const MAX: i32 = <$t>::MAX as i32;
            #[inline]
            fn widen(self) -> i32 {
                self as i32
            }
            #[inline]
            fn wrap(v: i32) -> Self {
                v as $t
            }
            #[inline]
            fn saturate(v: i32) -> Self {
                let (lo, hi) = (<Self as QuantizedInt>::MIN, <Self as QuantizedInt>::MAX);
                (if v < lo { lo } else if v > hi { hi } else { v }) as $t
            }
        }
    )*};
}
quantized_int!(i8, i16, i32, u8);

/// TFLM's 64-bit `MultiplyByQuantizedMultiplier(int64_t x, ...)` (16x8 ops with an int64 bias):
/// only the top 16 bits of `multiplier` (rounded) are used, then one rounding shift right by
/// `15 - shift`; the result is cut to `i32` (TFLM does not saturate).
#[inline]
pub fn multiply_by_quantized_multiplier_i64(x: i64, multiplier: i32, shift: i32) -> i32 {
    let reduced: i64 = if multiplier < 0x7FFF_0000 {
        (i64::from(multiplier) + (1 << 15)) >> 16
    } else {
        0x7FFF
    };
    // TFLM asserts -31 <= shift < 8 (a total shift of 8..=46); kept in 1..=62 here so that no
    // input can overflow a shift.
    let total = (15 - shift).clamp(1, 62) as u32;
    let r = x.wrapping_mul(reduced).wrapping_add(1i64 << (total - 1));
    (r >> total) as i32
}

/// The accumulator of a 16x8 weighted op, chosen by its bias type as TFLM's templates are:
/// an int64 bias sums in `i64` and rescales with [`multiply_by_quantized_multiplier_i64`], an
/// int32 bias sums in `i32` (wrapping) and rescales with [`multiply_by_quantized_multiplier`].
pub trait Accumulator: Copy + Default + 'static {
    /// A bias value as the model stores it ([`I64Le`] for `i64`).
    type Stored: Copy;
    /// The bias value `s` as an accumulator.
    fn load(s: Self::Stored) -> Self;
    /// `self + p`, for one `weight * input` product (an `i32`).
    fn add_product(self, p: i32) -> Self;
    /// `self + b`.
    fn add(self, b: Self) -> Self;
    /// The rescaled value.
    fn rescale(self, multiplier: i32, shift: i32) -> i32;
}

impl Accumulator for i32 {
    type Stored = i32;
    #[inline]
    fn load(s: i32) -> Self {
        s
    }
    #[inline]
    fn add_product(self, p: i32) -> Self {
        self.wrapping_add(p)
    }
    #[inline]
    fn add(self, b: Self) -> Self {
        self.wrapping_add(b)
    }
    #[inline]
    fn rescale(self, multiplier: i32, shift: i32) -> i32 {
        multiply_by_quantized_multiplier(self, multiplier, shift)
    }
}

impl Accumulator for i64 {
    type Stored = I64Le;
    #[inline]
    fn load(s: I64Le) -> Self {
        i64::from_le_bytes(s)
    }
    #[inline]
    fn add_product(self, p: i32) -> Self {
        self.wrapping_add(i64::from(p))
    }
    #[inline]
    fn add(self, b: Self) -> Self {
        self.wrapping_add(b)
    }
    #[inline]
    fn rescale(self, multiplier: i32, shift: i32) -> i32 {
        multiply_by_quantized_multiplier_i64(self, multiplier, shift)
    }
}

/// An int64 as a model stores it: little-endian bytes, which converters align to 4 only (16x8
/// biases), so the kernels read them through this and never need an aligned copy.
pub type I64Le = [u8; 8];

/// The bias of a 16x8 weighted op (FULLY_CONNECTED, CONV_2D), which picks TFLM's accumulator:
/// an int64 bias (or none, by default) rescales an `i64` sum with the 64-bit
/// [`multiply_by_quantized_multiplier_i64`]; an int32 bias rescales the sum cut to `i32` (as
/// TFLM's wrapping `int32_t` accumulator) with [`multiply_by_quantized_multiplier`]. One
/// kernel serves both, summing in `i64`.
#[derive(Clone, Copy, Debug)]
pub enum Bias16<'a> {
    /// An int64 bias, if any (as stored: [`I64Le`]).
    Int64(Option<&'a [I64Le]>),
    /// An int32 bias, if any.
    Int32(Option<&'a [i32]>),
}

impl Bias16<'_> {
    /// The number of bias values (`None` without a bias).
    pub fn count(&self) -> Option<usize> {
        match self {
            Bias16::Int64(b) => b.map(|b| b.len()),
            Bias16::Int32(b) => b.map(|b| b.len()),
        }
    }
    /// Bias `o` (0 without a bias).
    #[inline]
    pub fn get(&self, o: usize) -> i64 {
        match self {
            Bias16::Int64(b) => b
                .and_then(|b| b.get(o))
                .map_or(0, |&v| i64::from_le_bytes(v)),
            Bias16::Int32(b) => b.and_then(|b| b.get(o)).map_or(0, |&v| i64::from(v)),
        }
    }
    /// The rescaled sum.
    #[inline]
    pub fn rescale(&self, acc: i64, multiplier: i32, shift: i32) -> i32 {
        match self {
            Bias16::Int64(_) => multiply_by_quantized_multiplier_i64(acc, multiplier, shift),
            Bias16::Int32(_) => multiply_by_quantized_multiplier(acc as i32, multiplier, shift),
        }
    }
}

/// A `QuantizeMultiplier` exponent as an `i8` that rescales exactly the same: left shifts of
/// 32 or more wrap every input to 0 (so 32 stands for them all) and `RoundingDivideByPOT`
/// stops at 62 (so -63 stands for every larger right shift).
pub fn clamp_shift(shift: i32) -> i8 {
    shift.clamp(-63, 32) as i8
}

/// gemmlowp `SaturatingRoundingDoublingHighMul`: `a * b / 2^31`, rounded, `MIN*MIN` saturated.
///
/// This is ARM's `VQRDMULH`; ties round toward positive infinity.
#[inline]
pub fn saturating_rounding_doubling_high_mul(a: i32, b: i32) -> i32 {
    if a == b && a == i32::MIN {
        return i32::MAX;
    }
    // gemmlowp adds 2^30 (1 - 2^30 for negatives) and truncates toward zero: for every
    // product that is adding 2^30 and flooring (one long multiply-accumulate on a 32-bit core).
    ((a as i64 * b as i64 + (1 << 30)) >> 31) as i32
}

/// gemmlowp `RoundingDivideByPOT`: `x / 2^exponent` rounded half away from zero.
///
/// TFLM only passes exponents in `0..=31`; a negative exponent returns `x` unchanged and
/// exponents above 31 behave as the exact rounding of the real quotient would.
#[inline]
pub fn rounding_divide_by_pot(x: i32, exponent: i32) -> i32 {
    match exponent {
        ..=0 => x,
        1..=31 => {
            let mask = ((1u32 << exponent) - 1) as i32;
            let remainder = x & mask;
            let threshold = (mask >> 1) + (x < 0) as i32;
            (x >> exponent) + (remainder > threshold) as i32
        }
        // |x / 2^exponent| <= 1/2: only -2^31 / 2^32 rounds (away from zero) to -1.
        32 => -((x == i32::MIN) as i32),
        _ => 0,
    }
}

/// `x * 2^s` with C's two's-complement wrap (`x * (1 << s)`); 0 for `s >= 32`.
#[inline]
fn shl_wrapping(x: i32, s: i32) -> i32 {
    if s <= 0 {
        x
    } else if s >= 32 {
        0
    } else {
        x.wrapping_shl(s as u32)
    }
}

/// TFLM `MultiplyByQuantizedMultiplier` (double rounding): `x * m * 2^(shift - 31)`, rounded.
#[inline]
pub fn multiply_by_quantized_multiplier(x: i32, multiplier: i32, shift: i32) -> i32 {
    let left = if shift > 0 { shift } else { 0 };
    let right = if shift > 0 { 0 } else { shift.saturating_neg() };
    rounding_divide_by_pot(
        saturating_rounding_doubling_high_mul(shl_wrapping(x, left), multiplier),
        right,
    )
}

/// TFLM `MultiplyByQuantizedMultiplierSmallerThanOneExp`: `SRDHM(x, m)` then a rounding right
/// shift by `-left_shift` (`left_shift <= 0`, as ADD uses it).
///
/// A positive `left_shift` (outside TFLM's contract) is treated as
/// [`multiply_by_quantized_multiplier`] would.
#[inline]
pub fn multiply_by_quantized_multiplier_smaller_than_one_exp(
    x: i32,
    m: i32,
    left_shift: i32,
) -> i32 {
    if left_shift > 0 {
        return multiply_by_quantized_multiplier(x, m, left_shift);
    }
    rounding_divide_by_pot(
        saturating_rounding_doubling_high_mul(x, m),
        left_shift.saturating_neg(),
    )
}

/// TFLM `MultiplyByQuantizedMultiplierGreaterThanOne`: `SRDHM(x * 2^left_shift, m)` (SOFTMAX).
///
/// A negative `left_shift` (outside TFLM's contract) is treated as
/// [`multiply_by_quantized_multiplier`] would.
#[inline]
pub fn multiply_by_quantized_multiplier_greater_than_one(x: i32, m: i32, left_shift: i32) -> i32 {
    if left_shift < 0 {
        return multiply_by_quantized_multiplier(x, m, left_shift);
    }
    saturating_rounding_doubling_high_mul(shl_wrapping(x, left_shift), m)
}

/// TFLM `QuantizeMultiplier`: `d = m * 2^(shift - 31)` with `m` in `[2^30, 2^31)`.
///
/// `d == 0` gives `(0, 0)`, and so do tiny values (`shift < -31`) as in TFLM. Non-finite `d`
/// (TFLM would abort) also gives `(0, 0)`.
pub fn quantize_multiplier(d: f64) -> (i32, i32) {
    if d == 0.0 || !d.is_finite() {
        return (0, 0);
    }
    let (q, mut shift) = libm::frexp(d);
    // TfLiteRound is std::round: half away from zero.
    let mut q_fixed = libm::round(q * (1i64 << 31) as f64) as i64;
    if q_fixed == 1i64 << 31 {
        q_fixed /= 2;
        shift += 1;
    }
    if shift < -31 {
        shift = 0;
        q_fixed = 0;
    }
    (q_fixed as i32, shift)
}

/// TFLM `QuantizeMultiplierSmallerThanOneExp`: as [`quantize_multiplier`], for `0 < d < 1`
/// (the exponent is then `<= 0`). TFLM aborts outside that range; this does not check.
pub fn quantize_multiplier_smaller_than_one_exp(d: f64) -> (i32, i32) {
    quantize_multiplier(d)
}

/// TFLM `QuantizeMultiplierGreaterThanOne`: as [`quantize_multiplier`], for `d > 1`.
pub fn quantize_multiplier_greater_than_one(d: f64) -> (i32, i32) {
    quantize_multiplier(d)
}

/// Per-channel conv/depthwise/FC rescale of TFLM (`PopulateConvolutionQuantizationParams`):
/// `quantize_multiplier(in as f64 * filter as f64 / out as f64)`, computed on integers
/// ([`Double`]: the same roundings, no f64 code on the device). Non-positive or non-finite
/// scales give `(0, 0)`.
pub fn conv_channel_multiplier(
    input_scale: f32,
    filter_scale: f32,
    output_scale: f32,
) -> (i32, i32) {
    match (
        Double::product_of(input_scale, filter_scale),
        Double::from_f32(output_scale),
    ) {
        (Some(p), Some(o)) => (p / o).quantize_multiplier(),
        _ => (0, 0),
    }
}

/// `quantize_multiplier(x as f64)` on integers ([`Double`]: no f64 code on the device);
/// `(0, 0)` unless `x` is positive and finite.
pub fn quantize_multiplier_f32(x: f32) -> (i32, i32) {
    Double::from_f32(x).map_or((0, 0), Double::quantize_multiplier)
}

/// `quantize_multiplier(a as f64 / b as f64)` on integers; `(0, 0)` unless both are positive
/// and finite.
pub fn quantize_ratio(a: f32, b: f32) -> (i32, i32) {
    quantize_quotient(Double::from_f32(a), Double::from_f32(b))
}

/// `quantize_multiplier(num / den)` of two doubles, the quotient rounded once as the FPU
/// does; `(0, 0)` when either is missing (not positive and finite).
pub(crate) fn quantize_quotient(num: Option<Double>, den: Option<Double>) -> (i32, i32) {
    match (num, den) {
        (Some(n), Some(d)) => (n / d).quantize_multiplier(),
        _ => (0, 0),
    }
}

/// TFLM `CalculateActivationRangeQuantized` for an int8 output with `scale` and `zero_point`.
pub fn activation_range_i8(act: Activation, scale: f32, zero_point: i32) -> (i32, i32) {
    activation_range_q::<i8>(act, scale, zero_point)
}

/// TFLM `CalculateActivationRangeQuantized` for an int16 output with `scale` and
/// `zero_point`: as [`activation_range_i8`], within `[-32768, 32767]`.
pub fn activation_range_i16(act: Activation, scale: f32, zero_point: i32) -> (i32, i32) {
    activation_range_q::<i16>(act, scale, zero_point)
}

/// TFLM `CalculateActivationRangeQuantized` for an output of type `O` (int8 or int16).
#[inline]
pub fn activation_range_q<O: QuantizedInt>(
    act: Activation,
    scale: f32,
    zero_point: i32,
) -> (i32, i32) {
    activation_range_in(act, scale, zero_point, O::MIN, O::MAX)
}

/// [`activation_range_q`] for the range `[qmin, qmax]` (one copy of the code for every type).
#[inline(never)]
fn activation_range_in(
    act: Activation,
    scale: f32,
    zero_point: i32,
    qmin: i32,
    qmax: i32,
) -> (i32, i32) {
    // zero_point + static_cast<int32_t>(TfLiteRound(f / scale)), in float; one copy of it
    // for both bounds (flash).
    let (lo, hi) = match act {
        Activation::None => (None, None),
        Activation::Relu => (Some(0.0), None),
        Activation::Relu6 => (Some(0.0), Some(6.0)),
        Activation::ReluN1To1 => (Some(-1.0), Some(1.0)),
    };
    let bound = |f: Option<f32>, q: i32, keep_larger: bool| match f {
        None => q,
        Some(f) => {
            let v = zero_point.saturating_add(libm::roundf(f / scale) as i32);
            if (v > q) == keep_larger {
                v
            } else {
                q
            }
        }
    };
    (bound(lo, qmin, true), bound(hi, qmax, false))
}

/// TFLM `CalculateActivationRange` for int32: the clamp bounds of a fused activation.
pub fn activation_range_i32(act: Activation) -> (i32, i32) {
    match act {
        Activation::None => (i32::MIN, i32::MAX),
        Activation::Relu => (0, i32::MAX),
        Activation::ReluN1To1 => (-1, 1),
        Activation::Relu6 => (0, 6),
    }
}

/// TFLM `CalculateActivationRange` for float: the clamp bounds of a fused activation.
pub fn activation_range_f32(act: Activation) -> (f32, f32) {
    match act {
        Activation::None => (f32::MIN, f32::MAX),
        Activation::Relu => (0.0, f32::MAX),
        Activation::ReluN1To1 => (-1.0, 1.0),
        Activation::Relu6 => (0.0, 6.0),
    }
}

/// SAME/VALID output size and padding-before, per TFLM (`ComputeOutSize` and
/// `ComputePaddingWithOffset`): returns `(out, pad_before)`.
///
/// Zero stride, dilation or filter size is `BadParams`, and so is a VALID window larger
/// than the input (TFLM would compute a negative size). The padding after is
/// `pad_before + total % 2`, see [`compute_padding_with_offset`].
pub fn compute_padding(
    padding: Padding,
    in_size: usize,
    filter: usize,
    stride: usize,
    dilation: usize,
) -> Result<(usize, usize), KernelError> {
    let (out, pad, _) = compute_padding_with_offset(padding, in_size, filter, stride, dilation)?;
    Ok((out, pad))
}

/// As [`compute_padding`], also returning TFLM's padding offset (`total % 2`, the extra
/// padding after): `(out, pad_before, offset)`.
pub fn compute_padding_with_offset(
    padding: Padding,
    in_size: usize,
    filter: usize,
    stride: usize,
    dilation: usize,
) -> Result<(usize, usize, usize), KernelError> {
    if stride == 0 || dilation == 0 || filter == 0 {
        return Err(KernelError::BadParams);
    }
    let lim = i32::MAX as usize;
    if in_size > lim || filter > lim || stride > lim || dilation > lim {
        return Err(KernelError::BadParams);
    }
    let (in_size, filter, stride, dilation) = (
        in_size as i64,
        filter as i64,
        stride as i64,
        dilation as i64,
    );
    let effective = (filter - 1) * dilation + 1;
    // Numerators below 2^32 and positive strides: the divisions fit `u32` (no 64-bit
    // division routine on a 32-bit core).
    let div = |num: i64| (num as u32 / stride as u32) as i64;
    let out = match padding {
        Padding::Same => div(in_size + stride - 1),
        // C division truncates toward zero: a numerator in (-stride, 0) gives 0.
        Padding::Valid => match in_size + stride - effective {
            n if n >= 0 => div(n),
            n if n > -stride => 0,
            _ => return Err(KernelError::BadParams),
        },
    };
    let total = (out - 1) * stride + effective - in_size;
    let total = if total > 0 { total } else { 0 };
    if out > lim as i64 || total > lim as i64 {
        return Err(KernelError::BadParams);
    }
    Ok((out as usize, (total / 2) as usize, (total % 2) as usize))
}

/// gemmlowp `RoundingHalfSum` for `i32`: `(a + b) / 2` rounded half away from zero.
#[inline]
pub fn rounding_half_sum(a: i32, b: i32) -> i32 {
    let sum = a as i64 + b as i64;
    let sign = if sum >= 0 { 1 } else { -1 };
    ((sum + sign) / 2) as i32
}

/// gemmlowp `SaturatingRoundingMultiplyByPOT`: `x * 2^exponent`, saturating when
/// `exponent > 0`, rounding (as [`rounding_divide_by_pot`]) when `exponent < 0`.
#[inline]
pub fn saturating_rounding_multiply_by_pot(x: i32, exponent: i32) -> i32 {
    if exponent == 0 {
        x
    } else if exponent < 0 {
        rounding_divide_by_pot(x, exponent.saturating_neg())
    } else {
        let e = if exponent > 31 { 31 } else { exponent };
        let threshold = (1i64 << (31 - e)) - 1;
        let x64 = x as i64;
        if x64 > threshold {
            i32::MAX
        } else if x64 < -threshold {
            i32::MIN
        } else {
            (x64 << e) as i32
        }
    }
}

/// gemmlowp `exp_on_interval_between_negative_one_quarter_and_0_excl` on Q0.31 values.
fn exp_on_interval_between_negative_one_quarter_and_0_excl(a: i32) -> i32 {
    const CONSTANT_TERM: i32 = 1_895_147_668; // exp(-1/8)
    const CONSTANT_1_OVER_3: i32 = 715_827_883;
    let mul = saturating_rounding_doubling_high_mul;
    // Taylor expansion around -1/8: x = a + 1/8 (1/8 is 1 << 28 in Q0.31).
    let x = a.wrapping_add(1 << 28);
    let x2 = mul(x, x);
    let x3 = mul(x2, x);
    let x4 = mul(x2, x2);
    let x4_over_4 = rounding_divide_by_pot(x4, 2);
    let poly = rounding_divide_by_pot(
        mul(x4_over_4.wrapping_add(x3), CONSTANT_1_OVER_3).wrapping_add(x2),
        1,
    );
    CONSTANT_TERM.wrapping_add(mul(CONSTANT_TERM, x.wrapping_add(poly)))
}

/// gemmlowp `exp_on_negative_values`: `exp(a)` for `a <= 0` given in Q(`integer_bits`), as
/// Q0.31 (`i32::MAX` is 1.0). SOFTMAX uses `integer_bits = 5`, LOGISTIC 4.
///
/// `integer_bits` must be in `0..=29` (it is clamped into that range).
pub fn exp_on_negative_values(a: i32, integer_bits: u32) -> i32 {
    let ib = if integer_bits > 29 { 29 } else { integer_bits } as i32;
    let frac = 31 - ib;
    let one_quarter: i32 = 1 << (frac - 2);
    let mask = one_quarter - 1;
    let a_mod_quarter_minus_one_quarter = (a & mask).wrapping_sub(one_quarter);
    let mut result = exp_on_interval_between_negative_one_quarter_and_0_excl(
        saturating_rounding_multiply_by_pot(a_mod_quarter_minus_one_quarter, ib),
    );
    let remainder = a_mod_quarter_minus_one_quarter.wrapping_sub(a);
    // Barrel shifter: multiply in exp(-2^e) for every bit e of the remainder.
    const MULTIPLIERS: [(i32, i32); 7] = [
        (-2, 1_672_461_947),
        (-1, 1_302_514_674),
        (0, 790_015_084),
        (1, 290_630_308),
        (2, 39_332_535),
        (3, 720_401),
        (4, 242),
    ];
    for &(exponent, multiplier) in MULTIPLIERS.iter() {
        if ib > exponent {
            let shift = frac + exponent;
            if remainder & (1i32 << shift) != 0 {
                result = saturating_rounding_doubling_high_mul(result, multiplier);
            }
        }
    }
    if ib > 5 {
        let clamp_b = 36 - ib;
        let clamp = -(1i32 << clamp_b);
        if a < clamp {
            result = 0;
        }
    }
    if a == 0 {
        result = i32::MAX;
    }
    result
}

/// The Newton-Raphson division shared by gemmlowp's `one_over_one_plus_x_for_x_in_0_1` and
/// `one_minus_x_over_one_plus_x_for_x_in_0_1`: `1 / (1 + a)` for Q0.31 `a` in `[0, 1)`, as
/// Q2.29 (three iterations from the 48/17 and -32/17 starting guess).
pub(crate) fn reciprocal_one_plus_x_q2(a: i32) -> i32 {
    const CONSTANT_48_OVER_17: i32 = 1_515_870_810; // Q2.29
    const CONSTANT_NEG_32_OVER_17: i32 = -1_010_580_540; // Q2.29
    const F2_ONE: i32 = 1 << 29;
    let mul = saturating_rounding_doubling_high_mul;
    let half_denominator = rounding_half_sum(a, i32::MAX);
    let mut x = CONSTANT_48_OVER_17.wrapping_add(mul(half_denominator, CONSTANT_NEG_32_OVER_17));
    for _ in 0..3 {
        let half_denominator_times_x = mul(half_denominator, x);
        let one_minus_half_denominator_times_x = F2_ONE.wrapping_sub(half_denominator_times_x);
        // Q2 * Q2 = Q4, rescaled back to Q2: a saturating shift left by 2.
        x = x.wrapping_add(saturating_rounding_multiply_by_pot(
            mul(x, one_minus_half_denominator_times_x),
            2,
        ));
    }
    x
}

/// gemmlowp `one_over_one_plus_x_for_x_in_0_1`: `1 / (1 + a)` for Q0.31 `a` in `[0, 1)`,
/// as Q0.31 (Newton-Raphson with the 48/17 and -32/17 constants).
pub fn one_over_one_plus_x_for_x_in_0_1(a: i32) -> i32 {
    // ExactMulByPot<-1> (Q2 -> Q1, same raw) then Rescale<0> (saturating shift left by 1).
    saturating_rounding_multiply_by_pot(reciprocal_one_plus_x_q2(a), 1)
}

/// TFLM `GetReciprocal`: for `x` in Q(`x_integer_digits`) returns `(1/x scaled, num_bits_over_unit)`
/// such that `1/x = result / 2^31 / 2^num_bits_over_unit` (Q0.31 result).
pub fn get_reciprocal(x: i32, x_integer_digits: i32) -> (i32, i32) {
    let headroom_plus_one = (x as u32).leading_zeros();
    let num_bits_over_unit = x_integer_digits.wrapping_sub(headroom_plus_one as i32);
    let shifted = (x as u32).checked_shl(headroom_plus_one).unwrap_or(0);
    let shifted_sum_minus_one = shifted.wrapping_sub(1u32 << 31) as i32;
    (
        one_over_one_plus_x_for_x_in_0_1(shifted_sum_minus_one),
        num_bits_over_unit,
    )
}

/// A quantized tensor's values, int8 or int16: one copy of a loop serves both (flash), the
/// type matched outside the innermost loop.
#[derive(Clone, Copy, Debug)]
pub enum QIn<'a> {
    /// int8 values.
    I8(&'a [i8]),
    /// int16 values.
    I16(&'a [i16]),
}

#[allow(clippy::len_without_is_empty)]
impl QIn<'_> {
    /// Number of values.
    pub fn len(&self) -> usize {
        match self {
            QIn::I8(x) => x.len(),
            QIn::I16(x) => x.len(),
        }
    }
}

/// A quantized output, int8 or int16 (see [`QIn`]).
#[derive(Debug)]
pub enum QOut<'a> {
    /// int8 values.
    I8(&'a mut [i8]),
    /// int16 values.
    I16(&'a mut [i16]),
}

#[allow(clippy::len_without_is_empty)]
impl QOut<'_> {
    /// Number of values.
    pub fn len(&self) -> usize {
        match self {
            QOut::I8(x) => x.len(),
            QOut::I16(x) => x.len(),
        }
    }
    /// Stores `v` cut to the element type at `i` (nothing when out of range).
    #[inline]
    pub fn set(&mut self, i: usize, v: i32) {
        match self {
            QOut::I8(y) => {
                if let Some(y) = y.get_mut(i) {
                    *y = v as i8;
                }
            }
            QOut::I16(y) => {
                if let Some(y) = y.get_mut(i) {
                    *y = v as i16;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::*;
    use proptest::prelude::*;

    /// gemmlowp's formulations, in 64 bits as written there: the oracles of the 32-bit forms.
    fn srdhm_gemmlowp(a: i32, b: i32) -> i32 {
        if a == b && a == i32::MIN {
            return i32::MAX;
        }
        let ab = a as i64 * b as i64;
        let nudge: i64 = if ab >= 0 { 1 << 30 } else { 1 - (1 << 30) };
        ((ab + nudge) / (1i64 << 31)) as i32
    }
    fn rdbpot_gemmlowp(x: i32, exponent: i32) -> i32 {
        if exponent <= 0 {
            return x;
        }
        let e = exponent.min(62) as u32;
        let x = x as i64;
        let mask = (1i64 << e) - 1;
        let remainder = x & mask;
        let threshold = (mask >> 1) + (x < 0) as i64;
        ((x >> e) + (remainder > threshold) as i64) as i32
    }

    proptest! {
        #[test]
        fn clamped_shifts_rescale_the_same(
            x in any::<i32>(),
            m in prop_oneof![any::<i32>(), (1i32 << 30)..i32::MAX],
            shift in prop_oneof![-100i32..100, any::<i32>()],
        ) {
            let c = i32::from(clamp_shift(shift));
            prop_assert_eq!(
                multiply_by_quantized_multiplier(x, m, shift),
                multiply_by_quantized_multiplier(x, m, c)
            );
            prop_assert_eq!(
                crate::gemm::Requant::new(m, shift).apply(x),
                crate::gemm::Requant::new(m, c).apply(x)
            );
        }

        #[test]
        fn srdhm_and_rdbpot_match_gemmlowp(
            a in any::<i32>(),
            b in prop_oneof![any::<i32>(), Just(i32::MIN), Just(1 << 30), Just(i32::MAX)],
            e in -3i32..70,
        ) {
            prop_assert_eq!(saturating_rounding_doubling_high_mul(a, b), srdhm_gemmlowp(a, b));
            prop_assert_eq!(rounding_divide_by_pot(a, e), rdbpot_gemmlowp(a, e));
            prop_assert_eq!(rounding_divide_by_pot(i32::MIN, e), rdbpot_gemmlowp(i32::MIN, e));
            prop_assert_eq!(rounding_divide_by_pot(-1, e), rdbpot_gemmlowp(-1, e));
            let shift = e - 33;
            let left = shift.max(0);
            let xs = if left >= 32 { 0 } else { a.wrapping_shl(left as u32) };
            prop_assert_eq!(
                multiply_by_quantized_multiplier(a, b, shift),
                rdbpot_gemmlowp(srdhm_gemmlowp(xs, b), (-shift).max(0))
            );
        }
    }

    #[test]
    fn srdhm_known_values() {
        assert_eq!(
            saturating_rounding_doubling_high_mul(i32::MIN, i32::MIN),
            i32::MAX
        );
        assert_eq!(
            saturating_rounding_doubling_high_mul(i32::MAX, i32::MAX),
            i32::MAX - 1
        );
        assert_eq!(
            saturating_rounding_doubling_high_mul(1 << 30, 1 << 30),
            1 << 29
        );
        assert_eq!(
            saturating_rounding_doubling_high_mul(i32::MIN, i32::MAX),
            -i32::MAX
        );
        // 3 * 2^30 / 2^31 = 1.5 -> 2 ; -1.5 -> -1 (ties toward +inf).
        assert_eq!(saturating_rounding_doubling_high_mul(3, 1 << 30), 2);
        assert_eq!(saturating_rounding_doubling_high_mul(-3, 1 << 30), -1);
        assert_eq!(saturating_rounding_doubling_high_mul(1, 1 << 30), 1);
        assert_eq!(saturating_rounding_doubling_high_mul(-1, 1 << 30), 0);
        assert_eq!(saturating_rounding_doubling_high_mul(0, i32::MIN), 0);
    }

    #[test]
    fn rdbp_known_values() {
        assert_eq!(rounding_divide_by_pot(5, 1), 3);
        assert_eq!(rounding_divide_by_pot(-5, 1), -3);
        assert_eq!(rounding_divide_by_pot(4, 1), 2);
        assert_eq!(rounding_divide_by_pot(-4, 1), -2);
        assert_eq!(rounding_divide_by_pot(-6, 2), -2); // -1.5 -> -2
        assert_eq!(rounding_divide_by_pot(-5, 2), -1); // -1.25 -> -1
        assert_eq!(rounding_divide_by_pot(-7, 2), -2); // -1.75 -> -2
        assert_eq!(rounding_divide_by_pot(6, 2), 2); // 1.5 -> 2
        assert_eq!(rounding_divide_by_pot(-1, 1), -1); // -0.5 -> -1
        assert_eq!(rounding_divide_by_pot(1, 1), 1);
        assert_eq!(rounding_divide_by_pot(i32::MIN, 31), -1);
        assert_eq!(rounding_divide_by_pot(i32::MAX, 31), 1);
        assert_eq!(rounding_divide_by_pot(i32::MIN, 0), i32::MIN);
        assert_eq!(rounding_divide_by_pot(12345, 0), 12345);
        assert_eq!(rounding_divide_by_pot(-(1 << 30), 31), -1); // -0.5 -> -1
        assert_eq!(rounding_divide_by_pot((1 << 30) - 1, 31), 0);
    }

    #[test]
    fn quantize_multiplier_known_values() {
        // TFLM's 64-bit rescale (the examples of the spec, checked against TFLM).
        assert_eq!(
            multiply_by_quantized_multiplier_i64(123456789, 1215507968, -14),
            4265
        );
        assert_eq!(
            multiply_by_quantized_multiplier_i64(-123456789, 1215507968, -14),
            -4265
        );
        assert_eq!(
            multiply_by_quantized_multiplier_i64(-(1i64 << 40), 2147450881, -10),
            -1073709056
        );
        assert_eq!(quantize_multiplier(0.5), (1 << 30, 0));
        assert_eq!(quantize_multiplier(0.0), (0, 0));
        assert_eq!(quantize_multiplier(1.0), (1 << 30, 1));
        assert_eq!(quantize_multiplier(0.25), (1 << 30, -1));
        assert_eq!(quantize_multiplier(2.0), (1 << 30, 2));
        assert_eq!(quantize_multiplier(0.75), (3 << 29, 0));
        // Rounds up to 2^31: renormalised.
        assert_eq!(quantize_multiplier(1.0 - 1e-12), (1 << 30, 1));
        // Below 2^-32: flushed to zero.
        assert_eq!(quantize_multiplier(1e-12), (0, 0));
        assert_eq!(quantize_multiplier(f64::NAN), (0, 0));
        assert_eq!(quantize_multiplier(f64::INFINITY), (0, 0));
        assert_eq!(quantize_multiplier(-0.5), (-(1 << 30), 0));
        // 1/3: 0.666.. * 2^31 = 1431655765.33 -> 1431655765, shift -1.
        assert_eq!(quantize_multiplier(1.0 / 3.0), (1_431_655_765, -1));
    }

    #[test]
    fn mbqm_known_values() {
        // 100 * 0.5
        assert_eq!(multiply_by_quantized_multiplier(100, 1 << 30, 0), 50);
        // 101 * 0.5 = 50.5 -> 51 ; -101 * 0.5 = -50.5 -> -50: with no right shift only SRDHM
        // rounds, and its ties go toward +infinity.
        assert_eq!(multiply_by_quantized_multiplier(101, 1 << 30, 0), 51);
        assert_eq!(multiply_by_quantized_multiplier(-101, 1 << 30, 0), -50);
        // With a right shift the final rounding is half away from zero: -101 * 0.25.
        assert_eq!(multiply_by_quantized_multiplier(-101, 1 << 30, -1), -25);
        assert_eq!(multiply_by_quantized_multiplier(-102, 1 << 30, -1), -26);
        // 3 * 2 = 6 with a left shift.
        assert_eq!(multiply_by_quantized_multiplier(3, 1 << 30, 2), 6);
        // Double rounding: x=5, m=0.75, shift -1 -> SRDHM = round(3.75)=4, /2 -> 2
        // whereas single rounding of 1.875 gives 2 as well; x=3: SRDHM(3,0.75)=2.25->2, /2=1
        assert_eq!(multiply_by_quantized_multiplier(3, 3 << 29, -1), 1);
        // A case where double rounding differs from single rounding:
        // x*m/2^31 = 2.5 exactly -> SRDHM 3 -> 3/2 = 1.5 -> 2 (single: 1.25 -> 1).
        assert_eq!(multiply_by_quantized_multiplier(5, 1 << 30, -1), 2);
    }

    #[test]
    fn activation_ranges() {
        assert_eq!(activation_range_i8(Activation::None, 0.1, 3), (-128, 127));
        assert_eq!(activation_range_i8(Activation::Relu, 0.1, -5), (-5, 127));
        assert_eq!(
            activation_range_i8(Activation::Relu6, 0.05, -128),
            (-128, -8)
        );
        assert_eq!(activation_range_i8(Activation::Relu6, 0.01, 0), (0, 127));
        assert_eq!(
            activation_range_i8(Activation::ReluN1To1, 0.1, 0),
            (-10, 10)
        );
        // 6 / 0.4f = 14.9999998 -> 15.
        assert_eq!(activation_range_i8(Activation::Relu6, 0.4, 0), (0, 15));
        assert_eq!(activation_range_i8(Activation::Relu6, 0.0, 0).0, 0);
        assert_eq!(
            activation_range_i16(Activation::None, 0.1, 3),
            (-32768, 32767)
        );
        assert_eq!(activation_range_i16(Activation::Relu, 1e-4, 0), (0, 32767));
        // 6 / 2^-12 = 24576, 6 / 1e-4 = 60000 (capped).
        assert_eq!(
            activation_range_i16(Activation::Relu6, 1.0 / 4096.0, -10),
            (-10, 24566)
        );
        assert_eq!(activation_range_i16(Activation::Relu6, 1e-4, 0), (0, 32767));
        assert_eq!(
            activation_range_i16(Activation::ReluN1To1, 1.0 / 8192.0, 0),
            (-8192, 8192)
        );
        assert_eq!(activation_range_f32(Activation::Relu6), (0.0, 6.0));
        assert_eq!(activation_range_f32(Activation::None), (f32::MIN, f32::MAX));
    }

    #[test]
    fn padding_values() {
        // SAME: in 5, k 3, s 2 -> out 3, total (2*2+3-5)=2 -> 1 before.
        assert_eq!(compute_padding(Padding::Same, 5, 3, 2, 1), Ok((3, 1)));
        // SAME: in 4, k 3, s 2 -> out 2, total (2+3-4)=1 -> 0 before, offset 1.
        assert_eq!(
            compute_padding_with_offset(Padding::Same, 4, 3, 2, 1),
            Ok((2, 0, 1))
        );
        // SAME, stride 1, k 3 -> pad 1.
        assert_eq!(compute_padding(Padding::Same, 96, 3, 1, 1), Ok((96, 1)));
        // VALID: in 5, k 3, s 2 -> out 2, no pad.
        assert_eq!(compute_padding(Padding::Valid, 5, 3, 2, 1), Ok((2, 0)));
        assert_eq!(compute_padding(Padding::Valid, 10, 3, 1, 2), Ok((6, 0)));
        assert_eq!(compute_padding(Padding::Same, 10, 3, 1, 2), Ok((10, 2)));
        // VALID with a window wider than the input by less than a stride: out 0.
        assert_eq!(compute_padding(Padding::Valid, 2, 3, 2, 1), Ok((0, 0)));
        assert_eq!(
            compute_padding(Padding::Valid, 2, 5, 1, 1),
            Err(KernelError::BadParams)
        );
        assert_eq!(
            compute_padding(Padding::Same, 2, 5, 0, 1),
            Err(KernelError::BadParams)
        );
    }

    #[test]
    fn exp_matches_libm() {
        // Q5.26 inputs from 0 down to -31.
        let mut a: i64 = 0;
        while a > -(31i64 << 26) {
            let got = exp_on_negative_values(a as i32, 5) as f64 / 2147483648.0;
            let want = libm::exp(a as f64 / (1u64 << 26) as f64);
            assert!((got - want).abs() < 2e-7, "a={a} got={got} want={want}");
            a -= 1_234_567;
        }
        assert_eq!(exp_on_negative_values(0, 5), i32::MAX);
        // Q0.31 input (no integer bits): -0.5.
        let got = exp_on_negative_values(-(1 << 30), 0) as f64 / 2147483648.0;
        assert!((got - libm::exp(-0.5)).abs() < 2e-7);
        // Q8: values below -32 are clamped to 0.
        assert_eq!(exp_on_negative_values(-(40 << 23), 8), 0);
    }

    #[test]
    fn reciprocal_matches() {
        let mut x: i64 = 0;
        while x < (1i64 << 31) {
            let got = one_over_one_plus_x_for_x_in_0_1(x as i32) as f64 / 2147483648.0;
            let want = 1.0 / (1.0 + x as f64 / 2147483648.0);
            assert!((got - want).abs() < 1e-8, "x={x} got={got} want={want}");
            x += 7_654_321;
        }
        // 2.0 in Q12.19: 1/2 = 1.0 (Q0.31 ~ 2^31) / 2^1.
        let (r, bits) = get_reciprocal(2 << 19, 12);
        assert_eq!(bits, 1);
        assert!(r > i32::MAX - 8);
        assert_eq!(get_reciprocal(0, 12).1, 12 - 32);
    }

    #[test]
    fn srmbp_values() {
        assert_eq!(saturating_rounding_multiply_by_pot(3, 2), 12);
        assert_eq!(saturating_rounding_multiply_by_pot(1 << 29, 2), i32::MAX);
        assert_eq!(saturating_rounding_multiply_by_pot(-(1 << 29), 2), i32::MIN);
        assert_eq!(
            saturating_rounding_multiply_by_pot(-(1 << 29) + 1, 2),
            i32::MIN + 4
        );
        assert_eq!(
            saturating_rounding_multiply_by_pot(-(1 << 29) - 1, 2),
            i32::MIN
        );
        assert_eq!(saturating_rounding_multiply_by_pot(-6, -2), -2);
        assert_eq!(rounding_half_sum(3, 4), 4);
        assert_eq!(rounding_half_sum(-3, -4), -4);
        assert_eq!(rounding_half_sum(i32::MAX, i32::MAX), i32::MAX);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn srdhm_matches_naive(a in any::<i32>(), b in any::<i32>()) {
            prop_assert_eq!(saturating_rounding_doubling_high_mul(a, b), naive_srdhm(a, b));
        }

        #[test]
        fn rdbp_matches_naive(x in any::<i32>(), e in 0i32..=31) {
            prop_assert_eq!(rounding_divide_by_pot(x, e), naive_rdbp(x, e));
        }

        #[test]
        fn mbqm_matches_naive(x in any::<i32>(), m in (1i32 << 30)..=i32::MAX, s in -31i32..=10) {
            prop_assert_eq!(multiply_by_quantized_multiplier(x, m, s), naive_mbqm(x, m, s));
        }

        #[test]
        fn mbqm_close_to_real(x in -100_000i32..100_000, d in 1e-6f64..4.0) {
            let (m, s) = quantize_multiplier(d);
            let got = multiply_by_quantized_multiplier(x, m, s) as f64;
            prop_assert!((got - x as f64 * d).abs() <= 1.0 + 1e-6 * (x as f64 * d).abs());
        }

        #[test]
        fn quantize_multiplier_reconstructs(d in 1e-9f64..1e6) {
            let (m, s) = quantize_multiplier(d);
            prop_assert!(m >= 1 << 30);
            let back = m as f64 * libm::pow(2.0, (s - 31) as f64);
            prop_assert!((back - d).abs() <= d * 1e-9);
        }

        #[test]
        fn no_panics_anywhere(x in any::<i32>(), m in any::<i32>(), s in any::<i32>()) {
            let _ = multiply_by_quantized_multiplier(x, m, s);
            let _ = multiply_by_quantized_multiplier_smaller_than_one_exp(x, m, s);
            let _ = multiply_by_quantized_multiplier_greater_than_one(x, m, s);
            let _ = rounding_divide_by_pot(x, s);
            let _ = saturating_rounding_multiply_by_pot(x, s);
            let _ = exp_on_negative_values(x, (s as u32) % 40);
            let _ = one_over_one_plus_x_for_x_in_0_1(x);
            let _ = get_reciprocal(x, s);
        }
    }
}
