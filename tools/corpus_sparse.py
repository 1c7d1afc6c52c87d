"""Sparse tensors and DENSIFY (beyond TFLM, which has no sparse tensors): goldens from LiteRT
(`oracle="litert"`, builtin reference kernels, no delegate), within 1e-3 + 1e-3 relative.

Imported by make_corpus.py. Raw flatbuffers cover the layouts TFLite's `SparsityParameters`
allow, encoded here as TFLite's `FormatConverter::DenseToSparse` does (a sparse level keeps the
indices whose sub-block holds a nonzero, a dense level keeps every index, zeros included): CSR
rows, 1x4, 4x1 and 2x3 blocks, a 3-D tensor walked in a permuted order with its two block
dimensions swapped, index vectors of each width (Uint8, Uint16, Int32), and float32, int8 and
float16 values. Each DENSIFY feeds an ADD with a graph input (so the golden shows the dense
tensor) or a FULLY_CONNECTED. Converter-made models (`EXPERIMENTAL_SPARSITY` on weights that are
80 % zeros, elementwise: the converter then emits DENSIFY; 1x4-blocked float weights it leaves
sparse on FULLY_CONNECTED itself, which microlite refuses) add DENSIFY -> FULLY_CONNECTED /
CONV_2D, and a float16 one DENSIFY -> DEQUANTIZE. The check compares each golden with a float64
reference built from the dense weights.
"""

import numpy as np

import make_corpus
import tflite_fb as tfb
from make_corpus import conv, dense, inp, keras, model
from tflite_fb import fb

make_corpus.ALLOWED_OPS |= {"DENSIFY"}
LITERT = dict(oracle="litert")
RAW = "none: flatbuffer built by microlite tools/corpus_sparse.py (tflite schema object API)"
IDX = {np.uint8: (fb.SparseIndexVector.Uint8Vector, fb.Uint8VectorT),
       np.uint16: (fb.SparseIndexVector.Uint16Vector, fb.Uint16VectorT),
       np.int32: (fb.SparseIndexVector.Int32Vector, fb.Int32VectorT)}


def encode(w, order, formats, block_map=(), block_sizes=()):
    """Dense `w` -> (values, [levels]) as TFLite's DenseToSparse: levels in traversal order,
    each ("dense", size) or ("csr", segments, indices)."""
    n = w.ndim
    shape, pos, a = [], {}, 0
    for d in range(n):
        pos[d] = a
        a += 1
        if d in block_map:
            b = list(block_map).index(d)
            bs = block_sizes[b]
            assert w.shape[d] % bs == 0
            shape += [w.shape[d] // bs, bs]
            pos[n + b] = a
            a += 1
        else:
            shape.append(w.shape[d])
    t = w.reshape(shape).transpose([pos[o] for o in order])
    levels = [("dense", t.shape[j]) if f == "dense" else ["csr", [0], []]
              for j, f in enumerate(formats)]
    values = []

    def walk(sub, j):
        if j == len(order):
            values.append(sub)
            return
        if formats[j] == "dense":
            for i in range(sub.shape[0]):
                walk(sub[i], j + 1)
        else:
            lv = levels[j]
            for i in range(sub.shape[0]):
                if np.any(sub[i] != 0):
                    lv[2].append(i)
                    walk(sub[i], j + 1)
            lv[1].append(len(lv[2]))
    walk(t, 0)
    return np.array(values, dtype=w.dtype), levels


def sparse_const(g, name, w, order, formats, block_map=(), block_sizes=(), idx=np.int32,
                 **quant):
    """A sparse constant tensor holding `w`."""
    values, levels = encode(w, order, formats, block_map, block_sizes)
    t = g.tensor(name, list(w.shape), w.dtype, **quant)
    sp = fb.SparsityParametersT()
    sp.traversalOrder = np.array(order, dtype=np.int32)
    sp.blockMap = np.array(block_map, dtype=np.int32) if len(block_map) else None
    metas = []
    for lv in levels:
        m = fb.DimensionMetadataT()
        if lv[0] == "dense":
            m.format, m.denseSize = fb.DimensionType.DENSE, int(lv[1])
        else:
            m.format = fb.DimensionType.SPARSE_CSR
            tag, cls = IDX[idx]
            seg, ind = cls(), cls()
            seg.values = np.array(lv[1], dtype=idx)
            ind.values = np.array(lv[2], dtype=idx)
            assert np.array_equal(seg.values, lv[1]) and np.array_equal(ind.values, lv[2])
            m.arraySegmentsType, m.arraySegments = tag, seg
            m.arrayIndicesType, m.arrayIndices = tag, ind
        metas.append(m)
    sp.dimMetadata = metas
    g.tensors[t].sparsity = sp
    b = tfb._AlignedBufferT()
    b.data = np.frombuffer(values.astype(values.dtype.newbyteorder("<")).tobytes(), np.uint8)
    g.buffers.append(b)
    g.tensors[t].buffer = len(g.buffers) - 1
    return t


def sparse_weights(rng, shape, zero=0.75, block=None, dtype=np.float32):
    """Random weights with `zero` of them (or of their blocks) set to 0."""
    w = rng.uniform(-1.0, 1.0, shape)
    if block is None:
        w[rng.random(shape) < zero] = 0.0
    else:
        mask = rng.random([s // b for s, b in zip(shape, block)]) >= zero
        for ax, b in enumerate(block):
            mask = np.repeat(mask, b, axis=ax)
        w = w * mask
    return w.astype(dtype)


def _check_ref(ref):
    """The golden within 1e-4 (+1e-4 relative) of the float64 reference ref(inputs)."""
    def check(name, model_bytes, cases, inputs_meta, outputs_meta):
        m = make_corpus.parse(model_bytes)
        if not any(t.sparsity is not None for t in m.subgraphs[0].tensors):
            raise RuntimeError(f"{name}: no sparse tensor")
        for ins, outs in cases:
            want = ref(ins)
            got = outs[0].astype(np.float64)
            if np.issubdtype(outs[0].dtype, np.integer):
                if not np.array_equal(got, want):
                    raise RuntimeError(f"{name}: golden differs from the reference")
                continue
            err = np.max(np.abs(got - want) / (1e-4 + 1e-4 * np.abs(want)))
            if err > 1.0:
                raise RuntimeError(f"{name}: golden differs from the reference ({err:.3g})")
    return check


def add_model(name, w, order, formats, block_map=(), block_sizes=(), idx=np.int32):
    """DENSIFY(sparse w) + input -> output (float32)."""
    def build(seed):
        g = tfb.Graph()
        x = g.tensor("input", list(w.shape), np.float32)
        s = sparse_const(g, "sparse", w, order, formats, block_map, block_sizes, idx)
        d = g.tensor("dense", list(w.shape), np.float32)
        y = g.tensor("output", list(w.shape), np.float32)
        g.op(fb.BuiltinOperator.DENSIFY, [s], [d])
        g.op(fb.BuiltinOperator.ADD, [x, d], [y], fb.BuiltinOptions.AddOptions, fb.AddOptionsT())
        return g.finish([x], [y], RAW)
    model(name, variants=("",), raw=True, converter=RAW,
          check=_check_ref(lambda ins: ins[0].astype(np.float64) + w), **LITERT)(build)


def fc_model(name, w, order, formats, block_map=(), block_sizes=(), idx=np.int32, batch=3):
    """input [batch, in] x DENSIFY(sparse w [out, in]) -> FULLY_CONNECTED (float32)."""
    def build(seed):
        g = tfb.Graph()
        x = g.tensor("input", [batch, w.shape[1]], np.float32)
        s = sparse_const(g, "sparse_weights", w, order, formats, block_map, block_sizes, idx)
        d = g.tensor("weights", list(w.shape), np.float32)
        y = g.tensor("output", [batch, w.shape[0]], np.float32)
        g.op(fb.BuiltinOperator.DENSIFY, [s], [d])
        g.op(fb.BuiltinOperator.FULLY_CONNECTED, [x, d, -1], [y], *tfb.fc_options())
        return g.finish([x], [y], RAW)
    model(name, variants=("",), raw=True, converter=RAW,
          check=_check_ref(lambda ins: ins[0].astype(np.float64) @ w.T.astype(np.float64)),
          **LITERT)(build)


R = np.random.default_rng(1234)
# CSR rows, Uint8 index vectors.
add_model("densify_csr_u8idx_f32", sparse_weights(R, (16, 24)), [0, 1], ["dense", "csr"],
          idx=np.uint8)
# 1x4 blocks (block_map [1]), Uint16 index vectors.
add_model("densify_block1x4_u16idx_f32", sparse_weights(R, (8, 32), block=(1, 4)),
          [0, 1, 2], ["dense", "csr", "dense"], [1], [4], idx=np.uint16)
# 4x1 blocks (block_map [0]), Int32 index vectors, into FULLY_CONNECTED.
fc_model("densify_block4x1_fc_f32", sparse_weights(R, (16, 12), block=(4, 1)),
         [0, 1, 2], ["dense", "csr", "dense"], [0], [4])
# 2x3 blocks, both block dims, both outer dims sparse (CSR of CSR).
add_model("densify_block2x3_csr2_f32", sparse_weights(R, (8, 12), zero=0.6, block=(2, 3)),
          [0, 1, 2, 3], ["csr", "csr", "dense", "dense"], [0, 1], [2, 3], idx=np.uint8)
# 3-D, walked dim 2 first, blocks on dims 1 (size 3) and 2 (size 2) walked in swapped order.
add_model("densify_3d_permuted_blocks_f32",
          sparse_weights(R, (4, 6, 8), zero=0.6, block=(1, 3, 2)),
          [2, 0, 1, 4, 3], ["dense", "csr", "csr", "dense", "dense"], [1, 2], [3, 2],
          idx=np.uint16)


def _int8_model(name, w, order, formats, block_map=(), block_sizes=(), idx=np.int32):
    """int8 DENSIFY + int8 input (one quantization for all three: ADD is then exact)."""
    q = dict(scale=np.float32(0.02), zero_point=-3)
    ref_zp, ref_s = -3, 0.02

    def build(seed):
        g = tfb.Graph()
        x = g.tensor("input", list(w.shape), np.int8, **q)
        s = sparse_const(g, "sparse", w, order, formats, block_map, block_sizes, idx, **q)
        d = g.tensor("dense", list(w.shape), np.int8, **q)
        y = g.tensor("output", list(w.shape), np.int8, **q)
        g.op(fb.BuiltinOperator.DENSIFY, [s], [d])
        g.op(fb.BuiltinOperator.ADD, [x, d], [y], fb.BuiltinOptions.AddOptions, fb.AddOptionsT(),
             version=2)
        return g.finish([x], [y], RAW)

    def ref(ins):
        real = (ins[0].astype(np.float64) - ref_zp) * ref_s + (w.astype(np.float64) - ref_zp) * ref_s
        return np.clip(np.round(real / ref_s) + ref_zp, -128, 127)

    def check(name_, model_bytes, cases, inputs_meta, outputs_meta):
        for ins, outs in cases:
            err = np.max(np.abs(outs[0].astype(np.float64) - ref(ins)))
            if err > 1:
                raise RuntimeError(f"{name_}: golden differs from the reference by {err}")
    model(name, variants=("",), raw=True, converter=RAW, int_range=60, check=check,
          **LITERT)(build)


# int8 (stored zero is the raw 0, as TFLite densifies): CSR with Int32 index vectors and 1x4.
W8 = sparse_weights(R, (10, 20), zero=0.7) * 60
_int8_model("densify_csr_int8", np.round(W8).astype(np.int8), [0, 1], ["dense", "csr"])
W8b = sparse_weights(R, (6, 16), zero=0.6, block=(1, 4)) * 60
_int8_model("densify_block1x4_int8", np.round(W8b).astype(np.int8), [0, 1, 2],
            ["dense", "csr", "dense"], [1], [4], idx=np.uint8)


@model("densify_f16_dequantize", variants=("",), raw=True, converter=RAW, **LITERT,
       check=_check_ref(lambda ins: ins[0].astype(np.float64)
                        + _W16.astype(np.float32).astype(np.float64)))
def _(seed):
    g = tfb.Graph()
    x = g.tensor("input", list(_W16.shape), np.float32)
    s = sparse_const(g, "sparse_f16", _W16, [0, 1, 2], ["dense", "csr", "dense"], [1], [4],
                     idx=np.uint16)
    d16 = g.tensor("dense_f16", list(_W16.shape), np.float16)
    d = g.tensor("dense", list(_W16.shape), np.float32)
    y = g.tensor("output", list(_W16.shape), np.float32)
    g.op(fb.BuiltinOperator.DENSIFY, [s], [d16])
    g.op(fb.BuiltinOperator.DEQUANTIZE, [d16], [d], version=3)
    g.op(fb.BuiltinOperator.ADD, [x, d], [y], fb.BuiltinOptions.AddOptions, fb.AddOptionsT())
    return g.finish([x], [y], RAW)


_W16 = sparse_weights(R, (8, 16), zero=0.6, block=(1, 4), dtype=np.float16)


# ---- converter-made: EXPERIMENTAL_SPARSITY on weights that are mostly zeros -------------------

def _zero_out(layer, frac, seed):
    rng = np.random.default_rng(seed)
    ws = layer.get_weights()
    k = ws[0]
    k[rng.random(k.shape) < frac] = 0.0
    layer.set_weights([k] + ws[1:])


@model("sparse_mlp", variants=("f32_sparse", "f16_sparse"), **LITERT)
def _():
    i = inp((32,))
    d1 = keras.layers.Dense(48, activation="relu", kernel_initializer=make_corpus.S.kernel(),
                            bias_initializer=make_corpus.S.bias())
    d2 = keras.layers.Dense(10, kernel_initializer=make_corpus.S.kernel(2.0),
                            bias_initializer=make_corpus.S.bias())
    out = d2(d1(i))
    _zero_out(d1, 0.8, 1)
    _zero_out(d2, 0.8, 2)
    return keras.Model(i, out)


@model("sparse_conv", variants=("f32_sparse",), **LITERT)
def _():
    i = inp((8, 8, 4))
    c = keras.layers.Conv2D(12, 3, padding="same", activation="relu",
                            kernel_initializer=make_corpus.S.kernel(),
                            bias_initializer=make_corpus.S.bias())
    out = c(i)
    _zero_out(c, 0.8, 3)
    return keras.Model(i, out)
