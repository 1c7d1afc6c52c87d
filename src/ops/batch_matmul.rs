//! BATCH_MATMUL: float32, int8 and int16 (zero points 0) with `adj_x` / `adj_y` and up to
//! three broadcast batch dims (ranks 2 to 5), as TFLM (see
//! `microlite_kernels::batch_matmul`). The int8/int16 multiplier is TFLM's
//! `lhs_scale * rhs_scale` (in f32) over the output scale; no activation.

use super::movement::{word, Dims};
use super::{kinds, EvalCtx, PrepareCtx, Registration};
use crate::error::Error;
use crate::schema::{BuiltinOperator, TensorType};
use microlite_kernels::batch_matmul::{
    batch_matmul_f32, batch_matmul_int16, batch_matmul_int8, BatchMatMulDims, BatchMatMulQuant,
};
use microlite_kernels::quant::quantize_ratio;

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::BATCH_MATMUL, 4, prepare, eval)
}

/// The `BuiltinOptions` union tag of `BatchMatMulOptions`.
const BATCH_MATMUL_OPTIONS: u8 = 101;

kinds! {
    enum Kind { Float32, Int8, Int16 }
}

#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Data {
    kind: u32,
    lhs_batch: [u32; 3],
    rhs_batch: [u32; 3],
    m: u32,
    k: u32,
    n: u32,
    adj_x: u32,
    adj_y: u32,
    lhs_zero_point: i32,
    rhs_zero_point: i32,
    output_zero_point: i32,
    multiplier: i32,
    shift: i32,
}

/// The batch dims (all but the last two) right-aligned into three.
fn batch3(d: &Dims) -> [usize; 3] {
    let s = d.as_slice();
    let b = s.get(..s.len().saturating_sub(2)).unwrap_or(&[]);
    let mut out = [1usize; 3];
    for (o, &v) in out.iter_mut().rev().zip(b.iter().rev()) {
        *o = v;
    }
    out
}

fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    let op = ctx.op;
    op.expect_counts(2, 2, 1)?;
    let (lhs, rhs, output) = (op.input(0)?, op.input(1)?, op.output(0)?);
    let kind = match lhs.t.ty() {
        TensorType::Float32 => Kind::Float32,
        TensorType::Int8 => Kind::Int8,
        TensorType::Int16 => Kind::Int16,
        _ => return Err(op.type_err(&lhs)),
    };
    if rhs.t.ty() != lhs.t.ty() {
        return Err(op.type_err(&rhs));
    }
    if output.t.ty() != lhs.t.ty() {
        return Err(op.type_err(&output));
    }
    let (ld, rd, od) = (Dims::of(&lhs), Dims::of(&rhs), Dims::of(&output));
    for (t, d) in [(&lhs, &ld), (&rhs, &rd)] {
        if !(2..=5).contains(&d.rank) {
            return Err(op.shape_err(t));
        }
    }
    let (adj_x, adj_y) = match op.options(BATCH_MATMUL_OPTIONS) {
        Some(o) => (o.bool(0, false)?, o.bool(1, false)?),
        None => (false, false),
    };
    let (lr, rr) = (ld.rank, rd.rank);
    let (l0, l1) = (ld.dim(lr - 2), ld.dim(lr - 1));
    let (r0, r1) = (rd.dim(rr - 2), rd.dim(rr - 1));
    let (m, k) = if adj_x { (l1, l0) } else { (l0, l1) };
    let (k2, n) = if adj_y { (r1, r0) } else { (r0, r1) };
    if k != k2 {
        return Err(op.shape_err(&rhs));
    }
    let (lb, rb) = (batch3(&ld), batch3(&rd));
    let mut batch = [1usize; 3];
    for ((b, &l), &r) in batch.iter_mut().zip(&lb).zip(&rb) {
        if l != r && l != 1 && r != 1 {
            return Err(op.shape_err(&rhs));
        }
        *b = if l == 1 { r } else { l };
    }
    // The output: the broadcast batch dims (as many as the larger rank has) and [m, n].
    let rank = lr.max(rr);
    let lead = batch.get(3 - (rank - 2)..).unwrap_or(&[]);
    let want = lead.iter().copied().chain([m, n]);
    if !want.eq(od.as_slice().iter().copied()) {
        return Err(op.shape_err(&output));
    }
    let mut q = BatchMatMulQuant::default();
    if kind != Kind::Float32 {
        let ((sl, zl), (sr, zr), (so, zo)) = (op.quant(&lhs)?, op.quant(&rhs)?, op.quant(&output)?);
        if kind == Kind::Int16 {
            // TFLM: int16 zero points 0.
            for (t, z) in [(&lhs, zl), (&rhs, zr), (&output, zo)] {
                if z != 0 {
                    return Err(op.quant_err(t));
                }
            }
        }
        let (multiplier, shift) = quantize_ratio(sl * sr, so);
        q = BatchMatMulQuant {
            lhs_zero_point: zl,
            rhs_zero_point: zr,
            output_zero_point: zo,
            multiplier,
            shift,
        };
    }
    let w = |v: usize| word(&op, &output, v);
    ctx.persist(&Data {
        kind: kind.tag(),
        lhs_batch: [w(lb[0])?, w(lb[1])?, w(lb[2])?],
        rhs_batch: [w(rb[0])?, w(rb[1])?, w(rb[2])?],
        m: w(m)?,
        k: w(k)?,
        n: w(n)?,
        adj_x: u32::from(adj_x),
        adj_y: u32::from(adj_y),
        lhs_zero_point: q.lhs_zero_point,
        rhs_zero_point: q.rhs_zero_point,
        output_zero_point: q.output_zero_point,
        multiplier: q.multiplier,
        shift: q.shift,
    })
}

fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    let d = *ctx.data::<Data>()?;
    let dims = BatchMatMulDims {
        lhs_batch: d.lhs_batch.map(|v| v as usize),
        rhs_batch: d.rhs_batch.map(|v| v as usize),
        m: d.m as usize,
        k: d.k as usize,
        n: d.n as usize,
        adj_x: d.adj_x != 0,
        adj_y: d.adj_y != 0,
    };
    let q = BatchMatMulQuant {
        lhs_zero_point: d.lhs_zero_point,
        rhs_zero_point: d.rhs_zero_point,
        output_zero_point: d.output_zero_point,
        multiplier: d.multiplier,
        shift: d.shift,
    };
    match Kind::from_tag(d.kind)? {
        Kind::Float32 => {
            let (l, r) = (ctx.input::<f32>(0)?, ctx.input::<f32>(1)?);
            batch_matmul_f32(&dims, l, r, ctx.output::<f32>(0)?)
        }
        Kind::Int8 => {
            let (l, r) = (ctx.input::<i8>(0)?, ctx.input::<i8>(1)?);
            batch_matmul_int8(&dims, &q, l, r, ctx.output::<i8>(0)?)
        }
        Kind::Int16 => {
            let (l, r) = (ctx.input::<i16>(0)?, ctx.input::<i16>(1)?);
            batch_matmul_int16(&dims, &q, l, r, ctx.output::<i16>(0)?)
        }
    }
    .map_err(|e| ctx.kernel_err(e))
}
