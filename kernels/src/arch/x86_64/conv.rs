//! CONV_2D's float panels on x86-64: eight output channels as two SSE vectors.

use super::simd::{self, F4};

/// `acc[p][c] += xs[p][t] * panel[t][c]` for `t` in order, with SSE: eight channels as two
/// vectors, each input value broadcast once per pixel. The same IEEE operations in the same
/// order as the portable form, so the same bits.
#[inline(always)]
pub(crate) fn panel_mac<const P: usize>(acc: &mut [[f32; 8]; P], xs: [&[f32]; P], panel: &[f32]) {
    let (panel, _) = panel.as_chunks::<8>();
    let n = panel.len();
    let xs = xs.map(|s| &s[..n]);
    let mut a: [[F4; 2]; P] = core::array::from_fn(|p| simd::load_f32x8(&acc[p]));
    for (t, w) in panel.iter().enumerate() {
        let [w0, w1] = simd::load_f32x8(w);
        for p in 0..P {
            let u = simd::splat_f32(xs[p][t]);
            a[p][0] = simd::mul_add_f32(a[p][0], u, w0);
            a[p][1] = simd::mul_add_f32(a[p][1], u, w1);
        }
    }
    for (p, v) in a.into_iter().enumerate() {
        simd::store_f32x8(v, &mut acc[p]);
    }
}
