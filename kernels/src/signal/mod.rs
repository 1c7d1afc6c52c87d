//! TFLM's signal library (`signal/src`): the arithmetic behind the `Signal*` custom ops of
//! the micro_speech audio front end, bit-exact with TFLM's reference build.
//!
//! Each op is a function on plain slices, as the rest of this crate. The stateful ops
//! ([`filter_bank_spectral_subtraction`], [`framer`], [`stacker`], [`delay`], [`overlap_add`])
//! take their state as a slice the caller keeps between calls; an all-zero state is each
//! op's initial state (what TFLM's `Prepare` and `Reset` set up).

pub mod delay;
pub mod energy;
pub mod fft_auto_scale;
pub mod filter_bank;
pub mod filter_bank_log;
pub mod filter_bank_spectral_subtraction;
pub mod filter_bank_square_root;
pub mod framer;
pub mod overlap_add;
pub mod pcan;
pub mod rfft;
pub mod stacker;
pub mod window;

/// `MostSignificantBit32` as TFLM's GCC/Clang build computes it: the bit length of `x`, and
/// 32 for `x == 0` (the builtin-based path's quirk, which FftAutoScale's silence case shows).
pub fn msb32(x: u32) -> u32 {
    if x == 0 {
        32
    } else {
        32 - x.leading_zeros()
    }
}

/// `MostSignificantBit64`: the bit length of `x`, and 64 for `x == 0`.
pub fn msb64(x: u64) -> u32 {
    if x == 0 {
        64
    } else {
        64 - x.leading_zeros()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn msb() {
        assert_eq!(msb32(0), 32);
        assert_eq!(msb32(1), 1);
        assert_eq!(msb32(0x8000), 16);
        assert_eq!(msb32(u32::MAX), 32);
        assert_eq!(msb64(0), 64);
        assert_eq!(msb64(1 << 40), 41);
    }
}
