//! The int8 fast paths against the reference kernels on the Cortex-M4 itself: on
//! `thumbv7em` CONV_2D and FULLY_CONNECTED run the `SMLAD` GEMM of
//! `microlite_kernels::arch::arm` (what the host proptests cannot run), DEPTHWISE_CONV_2D the
//! portable row kernel; here they are fed random shapes, strides, paddings, dilations,
//! offsets, multipliers and activation ranges, and compared byte for byte with
//! `reference::*`. Then the instructions
//! of three fixed layers (kws_dscnn's 1x1 CONV_2D and 3x3 DEPTHWISE_CONV_2D, a 3x3 CONV_2D)
//! fast and reference. Exits 0 only when every case matches.
#![no_std]
#![no_main]

#[path = "../rt.rs"]
#[allow(unused)]
mod rt;

use cortex_m_rt::entry;
use cortex_m_semihosting::hprintln;
use microlite_kernels::conv_2d::{self, ConvParams};
use microlite_kernels::depthwise_conv_2d;
use microlite_kernels::fully_connected;
use microlite_kernels::QuantParams;

/// Cases per kernel (each a fresh random shape).
const CASES: usize = 150;
const BUF: usize = 16 * 1024;

static mut INPUT: [i8; BUF] = [0; BUF];
static mut FILTER: [i8; BUF] = [0; BUF];
static mut OUT_FAST: [i8; BUF] = [0; BUF];
static mut OUT_REF: [i8; BUF] = [0; BUF];
/// Word-aligned, as the arena's scratch is (the Armv7E-M GEMM reads its rows as words).
#[repr(C, align(16))]
struct Scratch16([i16; 2048]);
static mut SCRATCH16: Scratch16 = Scratch16([0; 2048]);
static mut SCRATCH32: [i32; 1024] = [0; 1024];

/// xorshift32: the same cases every run.
struct Rng(u32);

impl Rng {
    fn next(&mut self) -> u32 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.0 = x;
        x
    }
    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: i32, hi: i32) -> i32 {
        lo + (self.next() % ((hi - lo + 1) as u32)) as i32
    }
    fn fill(&mut self, s: &mut [i8]) {
        for v in s {
            *v = self.next() as i8;
        }
    }
}

/// Random per-tensor or per-channel rescaling for `channels` outputs, as a converter makes
/// them (multiplier in [2^30, 2^31), shifts mostly right).
struct Quant {
    multipliers: [i32; 64],
    shifts: [i8; 64],
    n: usize,
    input_offset: i32,
    output_offset: i32,
    act_min: i32,
    act_max: i32,
}

impl Quant {
    fn random(rng: &mut Rng, channels: usize) -> Quant {
        let n = if rng.next() % 2 == 0 { 1 } else { channels };
        let mut q = Quant {
            multipliers: [0; 64],
            shifts: [0; 64],
            n,
            input_offset: rng.range(-127, 128),
            output_offset: rng.range(-128, 127),
            act_min: -128,
            act_max: 127,
        };
        for i in 0..n {
            q.multipliers[i] = (1 << 30) + (rng.next() >> 2) as i32;
            q.shifts[i] = rng.range(-12, 1) as i8;
        }
        if rng.next() % 3 == 0 {
            q.act_min = rng.range(-128, 0);
            q.act_max = rng.range(q.act_min, 127);
        }
        q
    }
    fn params(&self) -> QuantParams<'_> {
        QuantParams {
            input_offset: self.input_offset,
            output_offset: self.output_offset,
            act_min: self.act_min,
            act_max: self.act_max,
            multipliers: &self.multipliers[..self.n],
            shifts: &self.shifts[..self.n],
        }
    }
}

/// Output size of a padded ("same") or unpadded ("valid") window.
fn out_size(size: usize, k: usize, stride: usize, dilation: usize, same: bool) -> (usize, usize) {
    let eff = (k - 1) * dilation + 1;
    if same {
        let o = size.div_ceil(stride);
        let pad = ((o - 1) * stride + eff).saturating_sub(size) / 2;
        (o, pad)
    } else if size >= eff {
        ((size - eff) / stride + 1, 0)
    } else {
        (0, 0)
    }
}

#[allow(clippy::type_complexity)]
fn random_conv(
    rng: &mut Rng,
    depthwise: bool,
) -> Option<(ConvParams, [usize; 4], [usize; 4], [usize; 4], usize)> {
    let ic = rng.range(1, if depthwise { 24 } else { 40 }) as usize;
    let mult = if depthwise {
        rng.range(1, 2) as usize
    } else {
        1
    };
    let oc = if depthwise {
        ic * mult
    } else {
        rng.range(1, 20) as usize
    };
    let (ih, iw) = (rng.range(1, 12) as usize, rng.range(1, 12) as usize);
    let (kh, kw) = (rng.range(1, 4) as usize, rng.range(1, 4) as usize);
    let (sh, sw) = (rng.range(1, 2) as usize, rng.range(1, 2) as usize);
    let dil = if rng.next() % 5 == 0 { 2 } else { 1 };
    let same = rng.next() % 2 == 0;
    let (oh, pad_h) = out_size(ih, kh, sh, dil, same);
    let (ow, pad_w) = out_size(iw, kw, sw, dil, same);
    if oh == 0 || ow == 0 {
        return None;
    }
    let filter = if depthwise {
        [1, kh, kw, oc]
    } else {
        [oc, kh, kw, ic]
    };
    let p = ConvParams {
        stride_h: sh,
        stride_w: sw,
        dilation_h: dil,
        dilation_w: if rng.next() % 2 == 0 { dil } else { 1 },
        pad_h,
        pad_w,
    };
    // dilation_w may have changed the output width: recompute with it.
    let (ow, pad_w) = out_size(iw, kw, sw, p.dilation_w, same);
    if ow == 0 {
        return None;
    }
    let p = ConvParams { pad_w, ..p };
    let (input, out) = ([1, ih, iw, ic], [1, oh, ow, oc]);
    if ih * iw * ic > BUF || oh * ow * oc > BUF || filter.iter().product::<usize>() > BUF {
        return None;
    }
    Some((p, input, filter, out, mult))
}

#[entry]
fn main() -> ! {
    let cp = cortex_m::Peripherals::take().unwrap();
    rt::start_counter(cp.SYST);
    // SAFETY: main runs once and nothing else touches these buffers.
    let (input, filter, out_fast, out_ref, s16, s32) = unsafe {
        (
            &mut *core::ptr::addr_of_mut!(INPUT),
            &mut *core::ptr::addr_of_mut!(FILTER),
            &mut *core::ptr::addr_of_mut!(OUT_FAST),
            &mut *core::ptr::addr_of_mut!(OUT_REF),
            &mut (*core::ptr::addr_of_mut!(SCRATCH16)).0,
            &mut *core::ptr::addr_of_mut!(SCRATCH32),
        )
    };
    let mut rng = Rng(0x2545_f491);
    let mut bias = [0i32; 64];
    let mut failed = 0;
    let (mut conv_n, mut dw_n, mut fc_n) = (0, 0, 0);
    while conv_n < CASES {
        let Some((p, ins, fs, os, _)) = random_conv(&mut rng, false) else {
            continue;
        };
        let q = Quant::random(&mut rng, fs[0]);
        let (ni, nf, no) = (
            ins.iter().product(),
            fs.iter().product(),
            os.iter().product(),
        );
        rng.fill(&mut input[..ni]);
        rng.fill(&mut filter[..nf]);
        for b in &mut bias[..fs[0]] {
            *b = rng.range(-40_000, 40_000);
        }
        let b = if rng.next() % 4 == 0 {
            None
        } else {
            Some(&bias[..fs[0]])
        };
        let want = conv_2d::conv_2d_int8_scratch_len(ins, fs, os).min(s16.len());
        let r1 = conv_2d::conv_2d_int8(
            &p,
            &q.params(),
            ins,
            &input[..ni],
            fs,
            &filter[..nf],
            b,
            os,
            &mut out_fast[..no],
            &mut s16[..want],
        );
        let r2 = conv_2d::reference::conv_2d_int8(
            &p,
            &q.params(),
            ins,
            &input[..ni],
            fs,
            &filter[..nf],
            b,
            os,
            &mut out_ref[..no],
        );
        if r1 != r2 || out_fast[..no] != out_ref[..no] {
            hprintln!(
                "FAIL conv case {}: in {:?} filter {:?} out {:?}",
                conv_n,
                ins,
                fs,
                os
            );
            failed += 1;
        }
        conv_n += 1;
    }
    while dw_n < CASES {
        let Some((p, ins, fs, os, mult)) = random_conv(&mut rng, true) else {
            continue;
        };
        let q = Quant::random(&mut rng, fs[3]);
        let (ni, nf, no) = (
            ins.iter().product(),
            fs.iter().product(),
            os.iter().product(),
        );
        rng.fill(&mut input[..ni]);
        rng.fill(&mut filter[..nf]);
        for b in &mut bias[..fs[3]] {
            *b = rng.range(-40_000, 40_000);
        }
        let b = if rng.next() % 4 == 0 {
            None
        } else {
            Some(&bias[..fs[3]])
        };
        let want =
            depthwise_conv_2d::depthwise_conv_2d_scratch_len(mult, ins, fs, os).min(s32.len());
        let r1 = depthwise_conv_2d::depthwise_conv_2d_int8(
            &p,
            mult,
            &q.params(),
            ins,
            &input[..ni],
            fs,
            &filter[..nf],
            b,
            os,
            &mut out_fast[..no],
            &mut s32[..want],
        );
        let r2 = depthwise_conv_2d::reference::depthwise_conv_2d_int8(
            &p,
            mult,
            &q.params(),
            ins,
            &input[..ni],
            fs,
            &filter[..nf],
            b,
            os,
            &mut out_ref[..no],
        );
        if r1 != r2 || out_fast[..no] != out_ref[..no] {
            hprintln!(
                "FAIL depthwise case {}: in {:?} filter {:?} out {:?}",
                dw_n,
                ins,
                fs,
                os
            );
            failed += 1;
        }
        dw_n += 1;
    }
    while fc_n < CASES {
        let batches = rng.range(1, 6) as usize;
        let depth = rng.range(1, 300) as usize;
        let units = rng.range(1, 40) as usize;
        if batches * depth > BUF || depth * units > BUF || batches * units > BUF {
            continue;
        }
        let q = Quant::random(&mut rng, units.min(64));
        if q.n != 1 && units > 64 {
            continue;
        }
        let q = Quant {
            n: if q.n == 1 { 1 } else { units },
            ..q
        };
        rng.fill(&mut input[..batches * depth]);
        rng.fill(&mut filter[..depth * units]);
        for b in &mut bias[..units.min(64)] {
            *b = rng.range(-40_000, 40_000);
        }
        let b = if rng.next() % 4 == 0 || units > 64 {
            None
        } else {
            Some(&bias[..units])
        };
        let no = batches * units;
        let want =
            fully_connected::fully_connected_int8_scratch_len(batches, depth, units).min(s16.len());
        // Half the cases without scratch: the direct path (what small layers get in a tight
        // arena).
        let want = if rng.next() % 2 == 0 { 0 } else { want };
        let (i, f) = (&input[..batches * depth], &filter[..depth * units]);
        let r1 = fully_connected::fully_connected_int8(
            &q.params(),
            0,
            batches,
            depth,
            units,
            i,
            f,
            b,
            &mut out_fast[..no],
            &mut s16[..want],
        );
        let r2 = fully_connected::reference::fully_connected_int8(
            &q.params(),
            0,
            batches,
            depth,
            units,
            i,
            f,
            b,
            &mut out_ref[..no],
        );
        if r1 != r2 || out_fast[..no] != out_ref[..no] {
            hprintln!(
                "FAIL fully_connected case {}: batches {} depth {} units {}",
                fc_n,
                batches,
                depth,
                units
            );
            failed += 1;
        }
        fc_n += 1;
    }
    hprintln!(
        "random cases: CONV_2D {}, DEPTHWISE_CONV_2D {}, FULLY_CONNECTED {}; {} failed",
        conv_n,
        dw_n,
        fc_n,
        failed
    );

    // Fixed layers: instructions of the fast path and of the reference.
    // Per-channel, right shifts only (as converters make them).
    let mut q = Quant::random(&mut Rng(7), 64);
    for i in 0..64 {
        q.multipliers[i] = (1 << 30) + (rng.next() >> 2) as i32;
        q.shifts[i] = rng.range(-12, -1) as i8;
    }
    let q = Quant { n: 64, ..q };
    rng.fill(&mut input[..125 * 64]);
    rng.fill(&mut filter[..4096]);
    let one = ConvParams {
        stride_h: 1,
        stride_w: 1,
        dilation_h: 1,
        dilation_w: 1,
        pad_h: 0,
        pad_w: 0,
    };
    let same3 = ConvParams {
        pad_h: 1,
        pad_w: 1,
        ..one
    };
    let b = Some(&bias[..64]);
    // kws_dscnn's pointwise layer: 25x5 pixels, 64 -> 64.
    let (ins, fs, os) = ([1, 25, 5, 64], [64, 1, 1, 64], [1, 25, 5, 64]);
    let want = conv_2d::conv_2d_int8_scratch_len(ins, fs, os).min(s16.len());
    let (r, fast) = rt::count(|| {
        conv_2d::conv_2d_int8(
            &one,
            &q.params(),
            ins,
            &input[..8000],
            fs,
            &filter[..4096],
            b,
            os,
            &mut out_fast[..8000],
            &mut s16[..want],
        )
    });
    let (_, slow) = rt::count(|| {
        conv_2d::reference::conv_2d_int8(
            &one,
            &q.params(),
            ins,
            &input[..8000],
            fs,
            &filter[..4096],
            b,
            os,
            &mut out_ref[..8000],
        )
    });
    if r.is_err() || out_fast[..8000] != out_ref[..8000] {
        failed += 1;
    }
    hprintln!(
        "CONV_2D 1x1 25x5x64 -> 64 (512,000 MACs): {} instructions ({} reference)",
        fast,
        slow
    );
    // The same with 128 input channels: twice the MACs, the same outputs.
    rng.fill(&mut input[..16000]);
    rng.fill(&mut filter[..8192]);
    let (ins, fs, os) = ([1, 25, 5, 128], [64, 1, 1, 128], [1, 25, 5, 64]);
    let want = conv_2d::conv_2d_int8_scratch_len(ins, fs, os).min(s16.len());
    let (r, fast) = rt::count(|| {
        conv_2d::conv_2d_int8(
            &one,
            &q.params(),
            ins,
            &input[..16000],
            fs,
            &filter[..8192],
            b,
            os,
            &mut out_fast[..8000],
            &mut s16[..want],
        )
    });
    let (_, slow) = rt::count(|| {
        conv_2d::reference::conv_2d_int8(
            &one,
            &q.params(),
            ins,
            &input[..16000],
            fs,
            &filter[..8192],
            b,
            os,
            &mut out_ref[..8000],
        )
    });
    if r.is_err() || out_fast[..8000] != out_ref[..8000] {
        failed += 1;
    }
    hprintln!(
        "CONV_2D 1x1 25x5x128 -> 64 (1,024,000 MACs): {} instructions ({} reference)",
        fast,
        slow
    );
    // A 3x3 convolution: 12x12x16 -> 16, padded.
    let q = Quant { n: 16, ..q };
    let (ins, fs, os) = ([1, 12, 12, 16], [16, 3, 3, 16], [1, 12, 12, 16]);
    let want = conv_2d::conv_2d_int8_scratch_len(ins, fs, os).min(s16.len());
    let (r, fast) = rt::count(|| {
        conv_2d::conv_2d_int8(
            &same3,
            &q.params(),
            ins,
            &input[..2304],
            fs,
            &filter[..2304],
            Some(&bias[..16]),
            os,
            &mut out_fast[..2304],
            &mut s16[..want],
        )
    });
    let (_, slow) = rt::count(|| {
        conv_2d::reference::conv_2d_int8(
            &same3,
            &q.params(),
            ins,
            &input[..2304],
            fs,
            &filter[..2304],
            Some(&bias[..16]),
            os,
            &mut out_ref[..2304],
        )
    });
    if r.is_err() || out_fast[..2304] != out_ref[..2304] {
        failed += 1;
    }
    hprintln!(
        "CONV_2D 3x3 12x12x16 -> 16 (331,776 MACs): {} instructions ({} reference)",
        fast,
        slow
    );
    // kws_dscnn's depthwise layer: 25x5x64, 3x3, padded.
    let q = Quant { n: 64, ..q };
    let (ins, fs, os) = ([1, 25, 5, 64], [1, 3, 3, 64], [1, 25, 5, 64]);
    let want = depthwise_conv_2d::depthwise_conv_2d_scratch_len(1, ins, fs, os).min(s32.len());
    let (r, fast) = rt::count(|| {
        depthwise_conv_2d::depthwise_conv_2d_int8(
            &same3,
            1,
            &q.params(),
            ins,
            &input[..8000],
            fs,
            &filter[..576],
            b,
            os,
            &mut out_fast[..8000],
            &mut s32[..want],
        )
    });
    let (_, slow) = rt::count(|| {
        depthwise_conv_2d::reference::depthwise_conv_2d_int8(
            &same3,
            1,
            &q.params(),
            ins,
            &input[..8000],
            fs,
            &filter[..576],
            b,
            os,
            &mut out_ref[..8000],
        )
    });
    if r.is_err() || out_fast[..8000] != out_ref[..8000] {
        failed += 1;
    }
    hprintln!(
        "DEPTHWISE_CONV_2D 3x3 25x5x64 (72,000 MACs): {} instructions ({} reference)",
        fast,
        slow
    );
    // ad_autoencoder's first layer: FULLY_CONNECTED 640 -> 128 (one row, per-tensor), here
    // as 20 layers of 640 -> 6 (the weights do not fit the buffer at once).
    let qt = Quant { n: 1, ..q };
    rng.fill(&mut input[..640]);
    let want = fully_connected::fully_connected_int8_scratch_len(1, 640, 6).min(s16.len());
    let (mut fast, mut slow) = (0, 0);
    for _ in 0..20 {
        rng.fill(&mut filter[..3840]);
        let (i, f) = (&input[..640], &filter[..3840]);
        let b = Some(&bias[..6]);
        let (r, n) = rt::count(|| {
            fully_connected::fully_connected_int8(
                &qt.params(),
                0,
                1,
                640,
                6,
                i,
                f,
                b,
                &mut out_fast[..6],
                &mut s16[..want],
            )
        });
        let (_, m) = rt::count(|| {
            fully_connected::reference::fully_connected_int8(
                &qt.params(),
                0,
                1,
                640,
                6,
                i,
                f,
                b,
                &mut out_ref[..6],
            )
        });
        if r.is_err() || out_fast[..6] != out_ref[..6] {
            failed += 1;
        }
        fast += n;
        slow += m;
    }
    hprintln!(
        "FULLY_CONNECTED 640 -> 6, 20 times (76,800 MACs): {} instructions ({} reference)",
        fast,
        slow
    );
    hprintln!(
        "{}",
        if failed == 0 {
            "PASS dsp-check"
        } else {
            "FAIL dsp-check"
        }
    );
    rt::exit(if failed == 0 { 0 } else { 1 })
}
