//! ADD's int8 output rescale on x86-64: four elements at a time for inputs of the output's
//! shape.

use super::simd::{self, Rq4};
use crate::add::AddParamsInt8;
use crate::gemm::Requant;
use crate::util::clamp_i32;

/// `output[i] = clamp(ro(t1[in1[i]] + t2[in2[i]]) + offset)` over inputs as long as the
/// output (a residual connection), with `ro` the output rescale of `p`, four elements at a
/// time; `false`, with nothing written, when the vector form of `ro` is not exact.
#[inline(always)]
pub(crate) fn add_same_shape_int8(
    p: &AddParamsInt8,
    t1: &[i32; 256],
    t2: &[i32; 256],
    ro: &Requant,
    in1: &[i8],
    in2: &[i8],
    output: &mut [i8],
) -> bool {
    let (off, lo, hi) = (p.output_offset, p.act_min, p.act_max);
    let m = p.output_multiplier;
    let Some(rq) = Rq4::new([m; 4], [0; 4], [p.output_shift; 4], off, lo, hi) else {
        return false;
    };
    let (x4, xr) = in1.as_chunks::<4>();
    let (y4, yr) = in2.as_chunks::<4>();
    let (o4, or) = output.as_chunks_mut::<4>();
    for ((o, x), y) in o4.iter_mut().zip(x4).zip(y4) {
        let sums: [i32; 4] =
            core::array::from_fn(|j| t1[x[j] as u8 as usize].wrapping_add(t2[y[j] as u8 as usize]));
        *o = rq.apply4(simd::from_i32(sums));
    }
    for ((o, &x), &y) in or.iter_mut().zip(xr).zip(yr) {
        let raw_sum = t1[x as u8 as usize].wrapping_add(t2[y as u8 as usize]);
        *o = clamp_i32(ro.apply(raw_sum).wrapping_add(off), lo, hi) as i8;
    }
    true
}
