//! ADD's int8 path on Armv7E-M for inputs of the output's shape (a residual connection): the
//! two per-input tables and the output rescale in one `asm!` loop ([`add_tables`]: 20
//! instructions per element with the whole int8 range, against 42 through the broadcasting
//! loop).

use super::dsp::add_tables;
use crate::add::AddParamsInt8;

/// `output[i] = clamp(rescale(t[0][in1[i]] + t[1][in2[i]]) + offset)` over inputs as long as
/// the output, with the output rescale of `p`; `false`, with nothing written, when that
/// rescale is not a plain right shift ([`add_tables`] wants a shift of 1..=31 and a
/// multiplier other than `i32::MIN`, whose doubling product can saturate) or a length
/// differs.
#[inline(always)]
pub(crate) fn add_same_shape_int8(
    p: &AddParamsInt8,
    t: &[[i32; 256]; 2],
    in1: &[i8],
    in2: &[i8],
    output: &mut [i8],
) -> bool {
    let (m, shift) = (p.output_multiplier, p.output_shift);
    if m == i32::MIN
        || !(-31..=-1).contains(&shift)
        || in1.len() != output.len()
        || in2.len() != output.len()
    {
        return false;
    }
    let (off, lo, hi) = (p.output_offset, p.act_min, p.act_max);
    add_tables(t, m, (-shift) as u32, in1, in2, output, off, lo, hi);
    true
}
