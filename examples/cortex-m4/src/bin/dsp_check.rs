//! The int8 fast paths against the reference kernels on the Cortex-M4 itself. On `thumbv7em`
//! they are the Armv7E-M kernels of `microlite_kernels::arch::arm` (what the host proptests
//! cannot run): CONV_2D's `SMLAD` GEMM (the 2-row x 2-channel `asm!` tile: a third of the
//! cases 1x1 with channels in fours, a quarter 3x3 over 36-64 channels, the rest any patch
//! length, padded to a multiple of 4), FULLY_CONNECTED's direct `SMLAD` path,
//! DEPTHWISE_CONV_2D's per-pixel and row kernels, the requantization loops (right shifts only
//! in two thirds of the cases, the one-rounding loop) and int8 ADD's table loop. Here they are
//! fed random shapes, strides, paddings, dilations, offsets, multipliers and activation ranges
//! and compared byte for byte with `reference::*`; then fixed layers (kws_dscnn's 1x1 CONV_2D
//! and 3x3 DEPTHWISE_CONV_2D, 3x3 CONV_2Ds, person_detect's first depthwise layer, an
//! ad_autoencoder-sized FULLY_CONNECTED, ic_resnet8's first ADD) are counted, fast and
//! reference. Exits 0 only when every case matches.
#![no_std]
#![no_main]

#[path = "../rt.rs"]
#[allow(unused)]
mod rt;

use cortex_m_rt::entry;
use cortex_m_semihosting::hprintln;
use microlite_kernels::add;
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
        // Shifts of 0 and 1 (no right shift) possible in a third of the cases; the others
        // right shifts only, which take `requant_simple`'s one-rounding loop when their range
        // is the whole of int8.
        let top = if rng.next() % 3 == 0 { 1 } else { -1 };
        for i in 0..n {
            q.multipliers[i] = (1 << 30) + (rng.next() >> 2) as i32;
            q.shifts[i] = rng.range(-12, top) as i8;
        }
        // Now and then a channel whose scale is below 2^-31: TFLM gives it multiplier 0 and
        // shift 0 (its outputs are the output offset), which the fast loops take too.
        if rng.next() % 8 == 0 {
            let i = rng.range(0, n as i32 - 1) as usize;
            (q.multipliers[i], q.shifts[i]) = (0, 0);
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
/// Random int8 ADD parameters: offsets and activation ranges anywhere in int8, multipliers in
/// [2^30, 2^31) with right shifts (TFLM's are below one), the output's shift 0 a fifth of the
/// time.
fn random_add(rng: &mut Rng) -> add::AddParamsInt8 {
    let mult = |rng: &mut Rng| (1 << 30) + (rng.next() >> 2) as i32;
    let (a, b) = (rng.range(-128, 127), rng.range(-128, 127));
    let (lo, hi) = if rng.next() % 3 == 0 { (a.min(b), a.max(b)) } else { (-128, 127) };
    add::AddParamsInt8 {
        left_shift: 20,
        input1_offset: rng.range(-127, 128),
        input1_multiplier: mult(rng),
        input1_shift: rng.range(-12, 0),
        input2_offset: rng.range(-127, 128),
        input2_multiplier: mult(rng),
        input2_shift: rng.range(-12, 0),
        output_offset: rng.range(-128, 127),
        output_multiplier: mult(rng),
        output_shift: if rng.next() % 5 == 0 { 0 } else { rng.range(-24, -1) },
        act_min: lo,
        act_max: hi,
    }
}

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
    // A quarter of the CONV_2D cases are 3x3 over 36 to 64 channels in fours: patches of
    // 324 to 576 values, one pair of them in the pair kernel's scratch at a time.
    let deep = !depthwise && rng.next() % 4 == 0;
    // Half the depthwise cases have channels in fours (the register-window path).
    let ic = if deep {
        4 * rng.range(9, 16) as usize
    } else if depthwise && rng.next() % 2 == 0 {
        4 * rng.range(1, 7) as usize
    } else {
        rng.range(1, if depthwise { 24 } else { 40 }) as usize
    };
    // A third of the depthwise cases multiply each channel by 2, 4 or 8 (in fours: the
    // broadcast path), with at most 64 output channels (the bias buffer).
    let mult = if depthwise && rng.next() % 3 == 0 {
        [2, 4, 8][(rng.next() % 3) as usize]
    } else {
        1
    };
    let ic = if mult > 1 {
        rng.range(1, (64 / mult) as i32) as usize
    } else {
        ic
    };
    let oc = if depthwise {
        ic * mult
    } else {
        rng.range(1, 20) as usize
    };
    let (ih, iw) = (rng.range(1, 12) as usize, rng.range(1, 12) as usize);
    // A third of the CONV_2D cases are 1x1, stride 1, unpadded, with input channels in
    // fours (the 2-row x 2-channel kernel), up to 64 output channels (over its 32-channel
    // chunks, odd counts too).
    if !depthwise && !deep && rng.next() % 3 == 0 {
        let ic = 4 * rng.range(1, 33) as usize;
        let oc = rng.range(1, 64) as usize;
        let p = ConvParams {
            stride_h: 1,
            stride_w: 1,
            dilation_h: 1,
            dilation_w: 1,
            pad_h: 0,
            pad_w: 0,
        };
        let (input, out) = ([1, ih, iw, ic], [1, ih, iw, oc]);
        if ih * iw * ic > BUF || ih * iw * oc > BUF || oc * ic > BUF {
            return None;
        }
        return Some((p, input, [oc, 1, 1, ic], out, 1));
    }
    // Depthwise: half 3x3 (the windows the register path takes whole).
    let (kh, kw) = if deep || (depthwise && rng.next() % 2 == 0) {
        (3, 3)
    } else {
        (rng.range(1, 4) as usize, rng.range(1, 4) as usize)
    };
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

/// The buffers every case shares.
struct Bufs {
    input: &'static mut [i8; BUF],
    filter: &'static mut [i8; BUF],
    out_fast: &'static mut [i8; BUF],
    out_ref: &'static mut [i8; BUF],
    s16: &'static mut [i16; 2048],
    s32: &'static mut [i32; 1024],
}

/// One CONV_2D or DEPTHWISE_CONV_2D layer over the first elements of the input and filter
/// buffers.
struct Layer<'a> {
    p: ConvParams,
    q: &'a Quant,
    ins: [usize; 4],
    fs: [usize; 4],
    os: [usize; 4],
    bias: Option<&'a [i32]>,
    depthwise: bool,
}

impl<'a> Layer<'a> {
    /// A CONV_2D layer.
    fn conv(
        p: ConvParams,
        q: &'a Quant,
        ins: [usize; 4],
        fs: [usize; 4],
        os: [usize; 4],
        bias: Option<&'a [i32]>,
    ) -> Self {
        Layer {
            p,
            q,
            ins,
            fs,
            os,
            bias,
            depthwise: false,
        }
    }
}

/// Runs `l` through the fast path and the reference kernel: whether both agree (results and
/// outputs), and the instructions of each.
fn run_layer(l: &Layer, b: &mut Bufs) -> (bool, u64, u64) {
    let (ni, nf, no): (usize, usize, usize) = (
        l.ins.iter().product(),
        l.fs.iter().product(),
        l.os.iter().product(),
    );
    let (input, filter) = (&b.input[..ni], &b.filter[..nf]);
    let (out_fast, out_ref) = (&mut b.out_fast[..no], &mut b.out_ref[..no]);
    let q = l.q.params();
    let (p, ins, fs, os, bias) = (&l.p, l.ins, l.fs, l.os, l.bias);
    let ((r1, fast), (r2, slow)) = if l.depthwise {
        let dm = fs[3] / ins[3].max(1);
        let want = depthwise_conv_2d::depthwise_conv_2d_scratch_len(dm, ins, fs, os);
        let s32 = &mut b.s32[..want.min(1024)];
        (
            rt::count(|| {
                depthwise_conv_2d::depthwise_conv_2d_int8(
                    p, dm, &q, ins, input, fs, filter, bias, os, out_fast, s32,
                )
            }),
            rt::count(|| {
                depthwise_conv_2d::reference::depthwise_conv_2d_int8(
                    p, dm, &q, ins, input, fs, filter, bias, os, out_ref,
                )
            }),
        )
    } else {
        let want = conv_2d::conv_2d_int8_scratch_len(ins, fs, os);
        let s16 = &mut b.s16[..want.min(2048)];
        (
            rt::count(|| {
                conv_2d::conv_2d_int8(p, &q, ins, input, fs, filter, bias, os, out_fast, s16)
            }),
            rt::count(|| {
                conv_2d::reference::conv_2d_int8(p, &q, ins, input, fs, filter, bias, os, out_ref)
            }),
        )
    };
    (r1.is_ok() && r1 == r2 && out_fast == out_ref, fast, slow)
}

#[entry]
fn main() -> ! {
    let cp = cortex_m::Peripherals::take().unwrap();
    rt::start_counter(cp.SYST);
    // SAFETY: main runs once and nothing else touches these buffers.
    let mut bufs = unsafe {
        Bufs {
            input: &mut *core::ptr::addr_of_mut!(INPUT),
            filter: &mut *core::ptr::addr_of_mut!(FILTER),
            out_fast: &mut *core::ptr::addr_of_mut!(OUT_FAST),
            out_ref: &mut *core::ptr::addr_of_mut!(OUT_REF),
            s16: &mut (*core::ptr::addr_of_mut!(SCRATCH16)).0,
            s32: &mut *core::ptr::addr_of_mut!(SCRATCH32),
        }
    };
    let mut rng = Rng(0x2545_f491);
    let mut bias = [0i32; 64];
    let mut failed = 0;
    let (mut conv_n, mut dw_n, mut fc_n) = (0, 0, 0);
    while conv_n + dw_n < 2 * CASES {
        let depthwise = conv_n >= CASES;
        let Some((p, ins, fs, os, _)) = random_conv(&mut rng, depthwise) else {
            continue;
        };
        let channels = if depthwise { fs[3] } else { fs[0] };
        let q = Quant::random(&mut rng, channels);
        rng.fill(&mut bufs.input[..ins.iter().product()]);
        rng.fill(&mut bufs.filter[..fs.iter().product()]);
        for b in &mut bias[..channels] {
            *b = rng.range(-40_000, 40_000);
        }
        let with_bias = rng.next() % 4 != 0;
        let b = with_bias.then_some(&bias[..channels]);
        let l = Layer {
            depthwise,
            ..Layer::conv(p, &q, ins, fs, os, b)
        };
        if !run_layer(&l, &mut bufs).0 {
            let (op, n) = if depthwise {
                ("depthwise", dw_n)
            } else {
                ("conv", conv_n)
            };
            hprintln!(
                "FAIL {} case {}: in {:?} filter {:?} out {:?}",
                op,
                n,
                ins,
                fs,
                os
            );
            failed += 1;
        }
        if depthwise {
            dw_n += 1;
        } else {
            conv_n += 1;
        }
    }
    let Bufs {
        input,
        filter,
        out_fast,
        out_ref,
        s16,
        ..
    } = &mut bufs;
    while fc_n < CASES {
        let batches = rng.range(1, 6) as usize;
        // Half the depths are whole words (the three-unit asm kernel).
        let depth = if rng.next() % 2 == 0 {
            4 * rng.range(1, 75) as usize
        } else {
            rng.range(1, 300) as usize
        };
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
    // ADD of two tensors of the output's shape (the tables and the `asm!` rescale), against
    // TFLM's element-by-element arithmetic; a fifth of the cases with an output shift of 0
    // (the broadcasting loop) and a third with a narrower activation range.
    let mut add_n = 0;
    while add_n < CASES {
        let shape = [1, rng.range(1, 24) as usize, rng.range(1, 24) as usize, rng.range(1, 32) as usize];
        let n: usize = shape.iter().product();
        if n > BUF {
            continue;
        }
        let p = random_add(&mut rng);
        rng.fill(&mut input[..n]);
        rng.fill(&mut filter[..n]);
        let (x, y) = (&input[..n], &filter[..n]);
        let r1 = add::add_int8(&p, shape, x, shape, y, shape, &mut out_fast[..n]);
        let r2 = add::reference::add_int8(&p, shape, x, shape, y, shape, &mut out_ref[..n]);
        if r1 != r2 || out_fast[..n] != out_ref[..n] {
            hprintln!("FAIL add case {}: shape {:?} params {:?}", add_n, shape, p);
            failed += 1;
        }
        add_n += 1;
    }
    hprintln!(
        "random cases: CONV_2D {}, DEPTHWISE_CONV_2D {}, FULLY_CONNECTED {}, ADD {}; {} failed",
        conv_n,
        dw_n,
        fc_n,
        add_n,
        failed
    );

    // Fixed layers: instructions of the fast path and of the reference.
    // Per-channel, right shifts of 2 to 12 and the whole int8 range (as converters make
    // them: scales of 2^-12 to 1/4, a ReLU output's zero point -128).
    let mut q = Quant::random(&mut Rng(7), 64);
    (q.act_min, q.act_max) = (-128, 127);
    for i in 0..64 {
        q.multipliers[i] = (1 << 30) + (rng.next() >> 2) as i32;
        q.shifts[i] = rng.range(-12, -2) as i8;
    }
    let q = Quant { n: 64, ..q };
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
    let q16 = Quant { n: 16, ..q };
    let q8 = Quant { n: 8, ..q };
    let b64 = Some(&bias[..64]);
    let (kws, wide) = ([1, 25, 5, 64], [1, 25, 5, 128]);
    let layers = [
        (
            "CONV_2D 1x1 25x5x64 -> 64 (kws_dscnn; 512,000 MACs)",
            Layer::conv(one, &q, kws, [64, 1, 1, 64], kws, b64),
        ),
        (
            "CONV_2D 1x1 25x5x128 -> 64 (1,024,000 MACs)",
            Layer::conv(one, &q, wide, [64, 1, 1, 128], kws, b64),
        ),
        (
            "CONV_2D 3x3 12x12x16 -> 16, padded (331,776 MACs)",
            Layer::conv(
                same3,
                &q16,
                [1, 12, 12, 16],
                [16, 3, 3, 16],
                [1, 12, 12, 16],
                Some(&bias[..16]),
            ),
        ),
        (
            "CONV_2D 3x3 8x8x64 -> 16, padded (ic_resnet8's last 3x3, a quarter of its channels; 589,824 MACs)",
            Layer::conv(
                same3,
                &q16,
                [1, 8, 8, 64],
                [16, 3, 3, 64],
                [1, 8, 8, 16],
                Some(&bias[..16]),
            ),
        ),
        (
            "DEPTHWISE_CONV_2D 3x3 25x5x64, padded (kws_dscnn; 72,000 MACs)",
            Layer {
                depthwise: true,
                ..Layer::conv(same3, &q, kws, [1, 3, 3, 64], kws, b64)
            },
        ),
        (
            "DEPTHWISE_CONV_2D 3x3 /2 64x64x1 x8 (person_detect's first layer, smaller; 73,728 MACs)",
            Layer {
                depthwise: true,
                ..Layer::conv(
                    ConvParams {
                        stride_h: 2,
                        stride_w: 2,
                        ..one
                    },
                    &q8,
                    [1, 64, 64, 1],
                    [1, 3, 3, 8],
                    [1, 32, 32, 8],
                    Some(&bias[..8]),
                )
            },
        ),
    ];
    for (name, l) in &layers {
        rng.fill(&mut bufs.input[..l.ins.iter().product()]);
        rng.fill(&mut bufs.filter[..l.fs.iter().product()]);
        let (ok, fast, slow) = run_layer(l, &mut bufs);
        if !ok {
            failed += 1;
        }
        hprintln!("{}: {} instructions ({} reference)", name, fast, slow);
    }
    let Bufs {
        input,
        filter,
        out_fast,
        out_ref,
        s16,
        ..
    } = &mut bufs;
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
    // ic_resnet8's first ADD: two 32x32x16 tensors.
    let shape = [1, 32, 32, 16];
    let p = add::AddParamsInt8 {
        output_shift: -19,
        act_min: -128,
        act_max: 127,
        ..random_add(&mut rng)
    };
    rng.fill(&mut input[..16384]);
    rng.fill(&mut filter[..16384]);
    let (x, y) = (&input[..16384], &filter[..16384]);
    let (r, fast) = rt::count(|| add::add_int8(&p, shape, x, shape, y, shape, &mut out_fast[..16384]));
    let (_, slow) = rt::count(|| {
        add::reference::add_int8(&p, shape, x, shape, y, shape, &mut out_ref[..16384])
    });
    if r.is_err() || out_fast[..16384] != out_ref[..16384] {
        failed += 1;
    }
    hprintln!(
        "ADD 32x32x16 + 32x32x16 (ic_resnet8's first; 16,384 elements): {} instructions ({} reference)",
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
