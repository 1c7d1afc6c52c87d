//! SignalFilterBankSquareRoot: integer square roots of uint64 channel energies, shifted
//! down (TFLM `signal/src/square_root_32.cc`, `square_root_64.cc`).

use super::{msb32, msb64};
use crate::KernelError;

/// TFLM's `Sqrt32`: bit-by-bit integer square root rounded to nearest (never past 0xFFFF).
pub fn sqrt32(num: u32) -> u16 {
    if num == 0 {
        return 0;
    }
    let mut num = num;
    let mut res: u32 = 0;
    let max_bit_number = (32 - msb32(num)) | 1;
    let mut bit: u32 = 1 << (31 - max_bit_number);
    for _ in 0..(31 - max_bit_number) / 2 + 1 {
        if num >= res + bit {
            num -= res + bit;
            res = (res >> 1) + bit;
        } else {
            res >>= 1;
        }
        bit >>= 2;
    }
    if num > res && res != 0xFFFF {
        res += 1;
    }
    res as u16
}

/// TFLM's `Sqrt64`: [`sqrt32`] when the high half is zero, else the same loop in 64 bits.
pub fn sqrt64(num: u64) -> u32 {
    if num >> 32 == 0 {
        return u32::from(sqrt32(num as u32));
    }
    let mut num = num;
    let mut res: u64 = 0;
    let max_bit_number = (64 - msb64(num)) | 1;
    let mut bit: u64 = 1 << (63 - max_bit_number);
    for _ in 0..(63 - max_bit_number) / 2 + 1 {
        if num >= res + bit {
            num -= res + bit;
            res = (res >> 1) + bit;
        } else {
            res >>= 1;
        }
        bit >>= 2;
    }
    if num > res && res != 0xFFFF_FFFF {
        res += 1;
    }
    res as u32
}

/// `output[i] = sqrt64(input[i]) >> scale_bits`.
///
/// # Errors
/// [`KernelError::ShapeMismatch`] when `output` and `input` differ in length;
/// [`KernelError::BadParams`] when `scale_bits` is not in `0..32`.
pub fn filter_bank_square_root(
    input: &[u64],
    scale_bits: i32,
    output: &mut [u32],
) -> Result<(), KernelError> {
    if output.len() != input.len() {
        return Err(KernelError::ShapeMismatch);
    }
    if !(0..32).contains(&scale_bits) {
        return Err(KernelError::BadParams);
    }
    for (o, &x) in output.iter_mut().zip(input) {
        *o = sqrt64(x) >> scale_bits;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roots() {
        // Values from the Python reference model (sim.py).
        let cases: [(u64, u32); 10] = [
            (0, 0),
            (1, 1),
            (2, 1),
            (3, 2),
            (99, 10),
            (0xFFFF_FFFF, 0xFFFF),
            (0x1_0000_0000, 65536),
            (0xFFFF_FFFF_FFFF_FFFF, 0xFFFF_FFFF),
            (1_000_000_007, 31623),
            (123_456_789_012_345, 11_111_111),
        ];
        for (x, want) in cases {
            assert_eq!(sqrt64(x), want, "sqrt64({x})");
        }
        let mut out = [0u32; 2];
        filter_bank_square_root(&[100, 10_000], 2, &mut out).unwrap();
        assert_eq!(out, [2, 25]);
        assert_eq!(
            filter_bank_square_root(&[1], 32, &mut [0]),
            Err(KernelError::BadParams)
        );
    }
}
