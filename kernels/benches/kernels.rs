//! Per-kernel benchmarks at the layer shapes of the MLPerf Tiny models (kws_dscnn, vww_mobilenet,
//! ic_resnet8, ad_autoencoder, person_detect), int8 and float32, fast path against the
//! reference kernels it replaced.
//!
//! `cargo bench -p microlite-kernels --bench kernels` (add `-- conv` to filter by name).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use microlite_kernels::add::{add_f32, add_int8, add_prepare_int8};
use microlite_kernels::conv_2d::{self, ConvParams};
use microlite_kernels::depthwise_conv_2d;
use microlite_kernels::fully_connected;
use microlite_kernels::pooling::{average_pool_f32, average_pool_int8, PoolParams};
use microlite_kernels::quant::{compute_padding, quantize_multiplier};
use microlite_kernels::softmax::{softmax_f32, softmax_int8, softmax_prepare_int8};
use microlite_kernels::{Padding, QuantParams};
use std::hint::black_box;

/// Deterministic pseudo-random bytes (xorshift), so runs compare.
fn bytes(n: usize, seed: u32) -> Vec<i8> {
    let mut s = seed.wrapping_mul(2_654_435_761).max(1);
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 17;
            s ^= s << 5;
            (s >> 24) as i8
        })
        .collect()
}

fn floats(n: usize, seed: u32) -> Vec<f32> {
    bytes(n, seed)
        .into_iter()
        .map(|b| b as f32 / 64.0)
        .collect()
}

/// A conv layer: name, input NHWC, filter OHWI (depthwise: 1HWC), stride, depth multiplier.
struct Layer {
    name: &'static str,
    input: [usize; 4],
    filter: [usize; 4],
    stride: usize,
    dm: usize,
}

const CONV: &[Layer] = &[
    // kws_dscnn: first conv 10x4 on the 49x10 spectrogram, then 1x1 pointwise.
    Layer {
        name: "kws_conv_10x4_s2",
        input: [1, 49, 10, 1],
        filter: [64, 10, 4, 1],
        stride: 2,
        dm: 1,
    },
    Layer {
        name: "kws_pw_64x64",
        input: [1, 25, 5, 64],
        filter: [64, 1, 1, 64],
        stride: 1,
        dm: 1,
    },
    // vww_mobilenet / person_detect: stem and pointwise layers.
    Layer {
        name: "vww_conv_3x3x3_s2",
        input: [1, 96, 96, 3],
        filter: [8, 3, 3, 3],
        stride: 2,
        dm: 1,
    },
    Layer {
        name: "vww_pw_48x48_8to16",
        input: [1, 48, 48, 8],
        filter: [16, 1, 1, 8],
        stride: 1,
        dm: 1,
    },
    Layer {
        name: "vww_pw_12x12_64to64",
        input: [1, 12, 12, 64],
        filter: [64, 1, 1, 64],
        stride: 1,
        dm: 1,
    },
    Layer {
        name: "vww_pw_6x6_128to128",
        input: [1, 6, 6, 128],
        filter: [128, 1, 1, 128],
        stride: 1,
        dm: 1,
    },
    // ic_resnet8: 3x3 convolutions and the strided 1x1 shortcut.
    Layer {
        name: "resnet_3x3_32x32_16",
        input: [1, 32, 32, 16],
        filter: [16, 3, 3, 16],
        stride: 1,
        dm: 1,
    },
    Layer {
        name: "resnet_3x3_s2_16to32",
        input: [1, 32, 32, 16],
        filter: [32, 3, 3, 16],
        stride: 2,
        dm: 1,
    },
    Layer {
        name: "resnet_3x3_8x8_64",
        input: [1, 8, 8, 64],
        filter: [64, 3, 3, 64],
        stride: 1,
        dm: 1,
    },
    Layer {
        name: "resnet_1x1_s2_16to32",
        input: [1, 32, 32, 16],
        filter: [32, 1, 1, 16],
        stride: 2,
        dm: 1,
    },
];

const DEPTHWISE: &[Layer] = &[
    Layer {
        name: "kws_dw_25x5_64",
        input: [1, 25, 5, 64],
        filter: [1, 3, 3, 64],
        stride: 1,
        dm: 1,
    },
    Layer {
        name: "vww_dw_48x48_8",
        input: [1, 48, 48, 8],
        filter: [1, 3, 3, 8],
        stride: 1,
        dm: 1,
    },
    Layer {
        name: "vww_dw_s2_48x48_16",
        input: [1, 48, 48, 16],
        filter: [1, 3, 3, 16],
        stride: 2,
        dm: 1,
    },
    Layer {
        name: "vww_dw_6x6_128",
        input: [1, 6, 6, 128],
        filter: [1, 3, 3, 128],
        stride: 1,
        dm: 1,
    },
    Layer {
        name: "person_dw_dm8_s2",
        input: [1, 96, 96, 1],
        filter: [1, 3, 3, 8],
        stride: 2,
        dm: 8,
    },
];

/// (name, batches, depth, units) of fully connected layers.
const FC: &[(&str, usize, usize, usize)] = &[
    ("ad_fc_640to128", 1, 640, 128),
    ("ad_fc_128to128", 1, 128, 128),
    ("ad_fc_128to640", 1, 128, 640),
    ("kws_fc_64to12", 1, 64, 12),
];

fn geometry(l: &Layer) -> (ConvParams, [usize; 4]) {
    let (oh, pad_h) = compute_padding(Padding::Same, l.input[1], l.filter[1], l.stride, 1).unwrap();
    let (ow, pad_w) = compute_padding(Padding::Same, l.input[2], l.filter[2], l.stride, 1).unwrap();
    let oc = if l.dm == 1 && l.filter[0] != 1 {
        l.filter[0]
    } else {
        l.filter[3]
    };
    let p = ConvParams {
        stride_h: l.stride,
        stride_w: l.stride,
        dilation_h: 1,
        dilation_w: 1,
        pad_h,
        pad_w,
    };
    (p, [l.input[0], oh, ow, oc])
}

fn macs(l: &Layer, out: [usize; 4]) -> u64 {
    let per = if l.filter[0] == 1 {
        l.filter[1] * l.filter[2]
    } else {
        l.filter[1] * l.filter[2] * l.filter[3]
    };
    (out.iter().product::<usize>() * per) as u64
}

/// Per-channel multipliers as a converter makes them (scales around 1e-3).
fn mults(n: usize) -> (Vec<i32>, Vec<i8>) {
    (0..n)
        .map(|c| {
            let (m, s) = quantize_multiplier(0.0008 + 0.0001 * (c % 7) as f64);
            (m, s as i8)
        })
        .unzip()
}

fn bench_conv(cr: &mut Criterion) {
    let mut g = cr.benchmark_group("conv_2d");
    for l in CONV {
        let (p, out_shape) = geometry(l);
        let oc = out_shape[3];
        let input = bytes(l.input.iter().product(), 1);
        let filter = bytes(l.filter.iter().product(), 2);
        let bias: Vec<i32> = (0..oc as i32).map(|c| c * 37 - 500).collect();
        let (m, s) = mults(oc);
        let q = QuantParams {
            input_offset: 128,
            output_offset: -128,
            act_min: -128,
            act_max: 127,
            multipliers: &m,
            shifts: &s,
        };
        let mut out = vec![0i8; out_shape.iter().product()];
        let mut scratch =
            vec![
                0i16;
                microlite_kernels::conv_2d::conv_2d_int8_scratch_len(l.input, l.filter, out_shape)
            ];
        g.throughput(Throughput::Elements(macs(l, out_shape)));
        g.bench_function(BenchmarkId::new("int8", l.name), |b| {
            b.iter(|| {
                conv_2d::conv_2d_int8(
                    &p,
                    &q,
                    l.input,
                    black_box(&input),
                    l.filter,
                    &filter,
                    Some(&bias),
                    out_shape,
                    &mut out,
                    &mut scratch,
                )
                .unwrap()
            })
        });
        g.bench_function(BenchmarkId::new("int8_reference", l.name), |b| {
            b.iter(|| {
                conv_2d::reference::conv_2d_int8(
                    &p,
                    &q,
                    l.input,
                    black_box(&input),
                    l.filter,
                    &filter,
                    Some(&bias),
                    out_shape,
                    &mut out,
                )
                .unwrap()
            })
        });
        let (fin, ff, fb) = (
            floats(input.len(), 3),
            floats(filter.len(), 4),
            floats(oc, 5),
        );
        let mut fo = vec![0f32; out.len()];
        let mut scratch =
            vec![
                0.0f32;
                microlite_kernels::conv_2d::conv_2d_f32_scratch_len(&p, l.input, l.filter)
            ];
        g.bench_function(BenchmarkId::new("f32", l.name), |b| {
            b.iter(|| {
                conv_2d::conv_2d_f32(
                    &p,
                    0.0,
                    6.0,
                    l.input,
                    black_box(&fin),
                    l.filter,
                    &ff,
                    Some(&fb),
                    out_shape,
                    &mut fo,
                    &mut scratch,
                )
                .unwrap()
            })
        });
        g.bench_function(BenchmarkId::new("f32_reference", l.name), |b| {
            b.iter(|| {
                conv_2d::reference::conv_2d_f32(
                    &p,
                    0.0,
                    6.0,
                    l.input,
                    black_box(&fin),
                    l.filter,
                    &ff,
                    Some(&fb),
                    out_shape,
                    &mut fo,
                )
                .unwrap()
            })
        });
    }
    g.finish();
}

fn bench_depthwise(cr: &mut Criterion) {
    let mut g = cr.benchmark_group("depthwise_conv_2d");
    for l in DEPTHWISE {
        let (p, out_shape) = geometry(l);
        let oc = out_shape[3];
        let input = bytes(l.input.iter().product(), 6);
        let filter = bytes(l.filter.iter().product(), 7);
        let bias: Vec<i32> = (0..oc as i32).map(|c| c * 37 - 500).collect();
        let (m, s) = mults(oc);
        let q = QuantParams {
            input_offset: 128,
            output_offset: -128,
            act_min: -128,
            act_max: 127,
            multipliers: &m,
            shifts: &s,
        };
        let mut out = vec![0i8; out_shape.iter().product()];
        let mut scratch = vec![
            0i32;
            microlite_kernels::depthwise_conv_2d::depthwise_conv_2d_scratch_len(
                l.dm, l.input, l.filter, out_shape
            )
        ];
        g.throughput(Throughput::Elements(macs(l, out_shape)));
        g.bench_function(BenchmarkId::new("int8", l.name), |b| {
            b.iter(|| {
                depthwise_conv_2d::depthwise_conv_2d_int8(
                    &p,
                    l.dm,
                    &q,
                    l.input,
                    black_box(&input),
                    l.filter,
                    &filter,
                    Some(&bias),
                    out_shape,
                    &mut out,
                    &mut scratch,
                )
                .unwrap()
            })
        });
        g.bench_function(BenchmarkId::new("int8_reference", l.name), |b| {
            b.iter(|| {
                depthwise_conv_2d::reference::depthwise_conv_2d_int8(
                    &p,
                    l.dm,
                    &q,
                    l.input,
                    black_box(&input),
                    l.filter,
                    &filter,
                    Some(&bias),
                    out_shape,
                    &mut out,
                )
                .unwrap()
            })
        });
        let (fin, ff, fb) = (
            floats(input.len(), 8),
            floats(filter.len(), 9),
            floats(oc, 10),
        );
        let mut fo = vec![0f32; out.len()];
        let mut scratch = vec![
            0.0f32;
            microlite_kernels::depthwise_conv_2d::depthwise_conv_2d_scratch_len(
                l.dm, l.input, l.filter, out_shape
            )
        ];
        g.bench_function(BenchmarkId::new("f32", l.name), |b| {
            b.iter(|| {
                depthwise_conv_2d::depthwise_conv_2d_f32(
                    &p,
                    l.dm,
                    0.0,
                    6.0,
                    l.input,
                    black_box(&fin),
                    l.filter,
                    &ff,
                    Some(&fb),
                    out_shape,
                    &mut fo,
                    &mut scratch,
                )
                .unwrap()
            })
        });
        g.bench_function(BenchmarkId::new("f32_reference", l.name), |b| {
            b.iter(|| {
                depthwise_conv_2d::reference::depthwise_conv_2d_f32(
                    &p,
                    l.dm,
                    0.0,
                    6.0,
                    l.input,
                    black_box(&fin),
                    l.filter,
                    &ff,
                    Some(&fb),
                    out_shape,
                    &mut fo,
                )
                .unwrap()
            })
        });
    }
    g.finish();
}

fn bench_fc(cr: &mut Criterion) {
    let mut g = cr.benchmark_group("fully_connected");
    for &(name, batches, depth, units) in FC {
        let input = bytes(batches * depth, 11);
        let filter = bytes(units * depth, 12);
        let bias: Vec<i32> = (0..units as i32).map(|c| c * 37 - 500).collect();
        let (m, s) = mults(units);
        let q = QuantParams {
            input_offset: 128,
            output_offset: -128,
            act_min: -128,
            act_max: 127,
            multipliers: &m,
            shifts: &s,
        };
        let mut out = vec![0i8; batches * units];
        let mut scratch = vec![
            0i16;
            microlite_kernels::fully_connected::fully_connected_int8_scratch_len(
                batches, depth, units
            )
        ];
        g.throughput(Throughput::Elements((batches * depth * units) as u64));
        g.bench_function(BenchmarkId::new("int8", name), |b| {
            b.iter(|| {
                fully_connected::fully_connected_int8(
                    &q,
                    0,
                    batches,
                    depth,
                    units,
                    black_box(&input),
                    &filter,
                    Some(&bias),
                    &mut out,
                    &mut scratch,
                )
                .unwrap()
            })
        });
        g.bench_function(BenchmarkId::new("int8_reference", name), |b| {
            b.iter(|| {
                fully_connected::reference::fully_connected_int8(
                    &q,
                    0,
                    batches,
                    depth,
                    units,
                    black_box(&input),
                    &filter,
                    Some(&bias),
                    &mut out,
                )
                .unwrap()
            })
        });
        let (fin, ff, fb) = (
            floats(input.len(), 13),
            floats(filter.len(), 14),
            floats(units, 15),
        );
        let mut fo = vec![0f32; out.len()];
        g.bench_function(BenchmarkId::new("f32", name), |b| {
            b.iter(|| {
                fully_connected::fully_connected_f32(
                    0.0,
                    f32::MAX,
                    batches,
                    depth,
                    units,
                    black_box(&fin),
                    &ff,
                    Some(&fb),
                    &mut fo,
                )
                .unwrap()
            })
        });
        g.bench_function(BenchmarkId::new("f32_reference", name), |b| {
            b.iter(|| {
                fully_connected::reference::fully_connected_f32(
                    0.0,
                    f32::MAX,
                    batches,
                    depth,
                    units,
                    black_box(&fin),
                    &ff,
                    Some(&fb),
                    &mut fo,
                )
                .unwrap()
            })
        });
    }
    g.finish();
}

fn bench_small(cr: &mut Criterion) {
    // SOFTMAX over the kws (12) and resnet (10) class logits.
    let mut g = cr.benchmark_group("softmax");
    let sp = softmax_prepare_int8(1.0, 0.144_692_5);
    for depth in [12usize, 10] {
        let input = bytes(depth, 16);
        let mut out = vec![0i8; depth];
        g.bench_function(BenchmarkId::new("int8", depth), |b| {
            b.iter(|| softmax_int8(&sp, 1, depth, black_box(&input), &mut out).unwrap())
        });
        let fin = floats(depth, 17);
        let mut fo = vec![0f32; depth];
        g.bench_function(BenchmarkId::new("f32", depth), |b| {
            b.iter(|| softmax_f32(1.0, 1, depth, black_box(&fin), &mut fo).unwrap())
        });
    }
    g.finish();

    // AVERAGE_POOL_2D: the global pools of kws (25x5x64) and resnet (8x8x64).
    let mut g = cr.benchmark_group("average_pool_2d");
    for (name, shape) in [
        ("kws_25x5x64", [1usize, 25, 5, 64]),
        ("resnet_8x8x64", [1, 8, 8, 64]),
    ] {
        let p = PoolParams {
            stride_h: shape[1],
            stride_w: shape[2],
            filter_h: shape[1],
            filter_w: shape[2],
            pad_h: 0,
            pad_w: 0,
        };
        let out_shape = [1, 1, 1, shape[3]];
        let input = bytes(shape.iter().product(), 18);
        let mut out = vec![0i8; shape[3]];
        g.bench_function(BenchmarkId::new("int8", name), |b| {
            b.iter(|| {
                average_pool_int8(&p, -128, 127, shape, black_box(&input), out_shape, &mut out)
                    .unwrap()
            })
        });
        let fin = floats(input.len(), 19);
        let mut fo = vec![0f32; shape[3]];
        g.bench_function(BenchmarkId::new("f32", name), |b| {
            b.iter(|| {
                average_pool_f32(
                    &p,
                    f32::MIN,
                    f32::MAX,
                    shape,
                    black_box(&fin),
                    out_shape,
                    &mut fo,
                )
                .unwrap()
            })
        });
    }
    g.finish();

    // ADD: the resnet residual joins.
    let mut g = cr.benchmark_group("add");
    for (name, shape) in [
        ("resnet_32x32x16", [1usize, 32, 32, 16]),
        ("resnet_8x8x64", [1, 8, 8, 64]),
    ] {
        let n: usize = shape.iter().product();
        let (a, b2) = (bytes(n, 20), bytes(n, 21));
        let ap = add_prepare_int8(0.05, -3, 0.07, 5, 0.09, -10, -128, 127);
        let mut out = vec![0i8; n];
        g.throughput(Throughput::Elements(n as u64));
        g.bench_function(BenchmarkId::new("int8", name), |b| {
            b.iter(|| add_int8(&ap, shape, black_box(&a), shape, &b2, shape, &mut out).unwrap())
        });
        let (fa, fb) = (floats(n, 22), floats(n, 23));
        let mut fo = vec![0f32; n];
        g.bench_function(BenchmarkId::new("f32", name), |b| {
            b.iter(|| {
                add_f32(
                    0.0,
                    f32::MAX,
                    shape,
                    black_box(&fa),
                    shape,
                    &fb,
                    shape,
                    &mut fo,
                )
                .unwrap()
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench_conv, bench_depthwise, bench_fc, bench_small);
criterion_main!(benches);
