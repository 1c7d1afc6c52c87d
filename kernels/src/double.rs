//! IEEE double arithmetic on integers, for TFLM's multiplier set-up without f64 on the device.
//!
//! TFLM computes rescale factors in `double` (`(double)in_scale * filter_scale / out_scale`)
//! and then `QuantizeMultiplier` rounds them to 31 bits: two roundings a bit-exact port must
//! repeat. [`Double`] holds a positive double as a 53-bit mantissa and an exponent; its
//! product and quotient round to nearest, ties to even, as IEEE 754 does, so every result is
//! the double TFLM's FPU (or soft-float) would produce. It only ever needs positive finite
//! values: scales are validated positive and finite before they get here.

/// A positive, finite IEEE double: `mantissa * 2^exponent`, `mantissa` in `[2^52, 2^53)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Double {
    mantissa: u64,
    exponent: i32,
}

const TOP: u64 = 1 << 52;

impl Double {
    /// `x` exactly (every f32 is a double); `None` unless `x` is positive and finite.
    #[inline(never)]
    pub fn from_f32(x: f32) -> Option<Double> {
        if !(x.is_finite() && x > 0.0) {
            return None;
        }
        let bits = x.to_bits();
        let biased = ((bits >> 23) & 0xFF) as i32;
        let frac = u64::from(bits & 0x7F_FFFF);
        // value = m * 2^e with m a 24-bit integer (normal) or smaller (subnormal).
        let (m, e) = if biased == 0 {
            (frac, -149)
        } else {
            (frac | 0x80_0000, biased - 150)
        };
        let shift = m.leading_zeros() as i32 - 11; // bring the top bit to bit 52
        Some(Double {
            mantissa: m << shift,
            exponent: e - shift,
        })
    }

    /// The positive, normal double with these IEEE bits (e.g. a `const` computed with
    /// `f64::to_bits` at compile time, so that no soft-float runs on the device); `None`
    /// otherwise.
    pub const fn from_f64_bits(bits: u64) -> Option<Double> {
        let biased = ((bits >> 52) & 0x7FF) as i32;
        if bits >> 63 != 0 || biased == 0 || biased == 0x7FF {
            return None;
        }
        Some(Double {
            mantissa: (bits & (TOP - 1)) | TOP,
            exponent: biased - 1075,
        })
    }

    /// `a * b` exactly (two 24-bit mantissas: the product fits in 48 bits, no rounding);
    /// `None` unless both are positive and finite.
    pub fn product_of(a: f32, b: f32) -> Option<Double> {
        let (a, b) = (Double::from_f32(a)?, Double::from_f32(b)?);
        // Each mantissa is a 24-bit integer shifted up by 29 bits.
        let p = (a.mantissa >> 29) * (b.mantissa >> 29);
        let shift = p.leading_zeros() as i32 - 11;
        Some(Double {
            mantissa: p << shift,
            exponent: a.exponent + b.exponent + 58 - shift,
        })
    }

    /// `2^n` exactly.
    pub fn pow2(n: i32) -> Double {
        Double {
            mantissa: TOP,
            exponent: n - 52,
        }
    }

    /// `self * 2^n` exactly.
    pub fn scale(self, n: i32) -> Double {
        Double {
            mantissa: self.mantissa,
            exponent: self.exponent + n,
        }
    }

    /// Whether `self > other`.
    pub fn greater_than(self, other: Double) -> bool {
        (self.exponent, self.mantissa) > (other.exponent, other.mantissa)
    }

    /// The integer `n > 0` exactly (`n < 2^53`).
    pub fn from_int(n: u64) -> Option<Double> {
        if n == 0 || n >> 53 != 0 {
            return None;
        }
        let shift = n.leading_zeros() as i32 - 11;
        Some(Double {
            mantissa: n << shift,
            exponent: -shift,
        })
    }

    /// The rounded product (round to nearest, ties to even).
    fn product(self, other: Double) -> Double {
        let p = u128::from(self.mantissa) * u128::from(other.mantissa);
        // p is in [2^104, 2^106): keep 53 bits.
        let bits = 128 - p.leading_zeros() as i32;
        let drop = (bits - 53) as u32;
        let kept = (p >> drop) as u64;
        let rest = p & ((1u128 << drop) - 1);
        let half = 1u128 << (drop - 1);
        Double::round(
            kept,
            rest > half,
            rest == half,
            self.exponent + other.exponent + drop as i32,
        )
    }

    /// The rounded quotient (round to nearest, ties to even).
    fn quotient(self, other: Double) -> Double {
        // Long division of the mantissas: 55 quotient bits, then a sticky remainder.
        let (mut rem, d) = (self.mantissa, other.mantissa);
        let mut q = 0u64;
        for _ in 0..55 {
            q <<= 1;
            if rem >= d {
                rem -= d;
                q |= 1;
            }
            rem <<= 1;
        }
        // q = floor(2^54 * a / d) (a/d in (1/2, 2)): 54 or 55 significant bits.
        let exponent = self.exponent - other.exponent - 54;
        let drop = if q >> 54 != 0 { 2 } else { 1 };
        let kept = q >> drop;
        let low = q & ((1 << drop) - 1);
        let half = 1 << (drop - 1);
        let sticky = rem != 0;
        let above = low > half || (low == half && sticky);
        let tie = low == half && !sticky;
        Double::round(kept, above, tie, exponent + drop)
    }

    /// `kept` (53 bits) rounded up when the dropped part was above half, or exactly half and
    /// `kept` odd.
    fn round(kept: u64, above: bool, tie: bool, exponent: i32) -> Double {
        let up = above || (tie && kept & 1 == 1);
        let m = kept + u64::from(up);
        if m >> 53 != 0 {
            Double {
                mantissa: m >> 1,
                exponent: exponent + 1,
            }
        } else {
            Double {
                mantissa: m,
                exponent,
            }
        }
    }

    /// `(float)floor(x)` for `x = -self` (`negative`) or `self`: C's `floor` of the double
    /// then its conversion to float (round to nearest, ties to even; infinity past
    /// `f32::MAX`), on integers. TFLM's float FLOOR_DIV computes this.
    pub fn floor_to_f32(self, negative: bool) -> f32 {
        let (m, e) = (self.mantissa, self.exponent);
        let magnitude = if e >= 0 {
            // An integer already (at least 2^52): round its 53 bits to 24, then scale exactly.
            let mut x = m as f32;
            let mut left = e;
            while left > 0 {
                let step = left.min(100);
                x *= f32::from_bits(((127 + step) as u32) << 23);
                left -= step;
            }
            x
        } else {
            let sh = e.unsigned_abs();
            let int = m.checked_shr(sh).unwrap_or(0);
            let mask = 1u64.checked_shl(sh).unwrap_or(0).wrapping_sub(1);
            let fraction = m & mask != 0;
            // floor(-v) = -ceil(v).
            let int = if negative && fraction { int + 1 } else { int };
            int as f32
        };
        if negative {
            -magnitude
        } else {
            magnitude
        }
    }

    /// TFLM `QuantizeMultiplier`: `(m, shift)` with `self = m * 2^(shift - 31)` rounded half
    /// away from zero, `m` in `[2^30, 2^31)`; values below `2^-32` give `(0, 0)`.
    pub fn quantize_multiplier(self) -> (i32, i32) {
        // frexp: self = q * 2^shift with q = mantissa / 2^53 in [1/2, 1).
        let mut shift = self.exponent + 53;
        // round(q * 2^31) = round(mantissa / 2^22), half away from zero.
        let mut q_fixed = (self.mantissa + (1 << 21)) >> 22;
        if q_fixed == 1 << 31 {
            q_fixed /= 2;
            shift += 1;
        }
        if shift < -31 {
            return (0, 0);
        }
        (q_fixed as i32, shift)
    }
}

impl core::ops::Mul for Double {
    type Output = Double;
    /// The rounded product (round to nearest, ties to even).
    fn mul(self, other: Double) -> Double {
        self.product(other)
    }
}

impl core::ops::Div for Double {
    type Output = Double;
    /// The rounded quotient (round to nearest, ties to even).
    fn div(self, other: Double) -> Double {
        self.quotient(other)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quant::quantize_multiplier;
    use proptest::prelude::*;

    fn to_f64(d: Double) -> f64 {
        d.mantissa as f64 * libm::exp2(f64::from(d.exponent))
    }

    #[test]
    fn from_f64_bits_round_trips() {
        for x in [1.0f64, 10.0 / 65535.0, 3.5e-12, 1.7e300, f64::MIN_POSITIVE] {
            assert_eq!(to_f64(Double::from_f64_bits(x.to_bits()).unwrap()), x);
        }
        for x in [0.0f64, -1.0, f64::INFINITY, f64::NAN, 5e-324] {
            assert_eq!(Double::from_f64_bits(x.to_bits()), None);
        }
    }

    /// Positive finite f32s over the whole range, subnormals included.
    fn scale() -> impl Strategy<Value = f32> {
        prop_oneof![
            (1u32..0x7F80_0000).prop_map(f32::from_bits),
            (1e-6f32..10.0),
            (0.5f32..2.0),
        ]
    }

    #[test]
    fn exact_values() {
        for x in [1.0f32, 0.5, 3.0, 1e-45, f32::MAX, 0.1, 0.003_921_568_6] {
            assert_eq!(to_f64(Double::from_f32(x).unwrap()), f64::from(x));
        }
        assert_eq!(Double::from_f32(0.0), None);
        assert_eq!(Double::from_f32(-1.0), None);
        assert_eq!(Double::from_f32(f32::INFINITY), None);
        assert_eq!(to_f64(Double::pow2(-20)), libm::exp2(-20.0));
    }

    proptest! {
        #[test]
        fn products_and_quotients_match_the_fpu(a in scale(), b in scale(), c in scale()) {
            let (da, db, dc) = (
                Double::from_f32(a).unwrap(),
                Double::from_f32(b).unwrap(),
                Double::from_f32(c).unwrap(),
            );
            let (fa, fb, fc) = (f64::from(a), f64::from(b), f64::from(c));
            prop_assert_eq!(to_f64(da * db), fa * fb);
            prop_assert_eq!(to_f64(da / dc), fa / fc);
            let r = da * db / dc;
            prop_assert_eq!(Double::product_of(a, b), Some(da * db));
            prop_assert_eq!(to_f64(r), fa * fb / fc);
            prop_assert_eq!(to_f64(r * r), (fa * fb / fc) * (fa * fb / fc));
            prop_assert_eq!(r.quantize_multiplier(), quantize_multiplier(fa * fb / fc));
            prop_assert_eq!((da / dc).quantize_multiplier(), quantize_multiplier(fa / fc));
        }

        #[test]
        fn quotients_of_doubles(m1 in (1u64 << 52)..(1u64 << 53), m2 in (1u64 << 52)..(1u64 << 53)) {
            let (x, y) = (
                Double { mantissa: m1, exponent: -52 },
                Double { mantissa: m2, exponent: -52 },
            );
            prop_assert_eq!(to_f64(x / y), to_f64(x) / to_f64(y));
            prop_assert_eq!(to_f64(x * y), to_f64(x) * to_f64(y));
        }
    }
}
