//! PAD (and, through [`super::padv2`], PADV2): constant padding of an up-to-5-D tensor.
//!
//! As in TFLM: the paddings must be constant (int32 or int64 pairs, one per dim); the fill
//! value is PADV2's scalar third input when present, otherwise 0, or the output zero point
//! for int8 (which must then lie in int8's range). An int8 PADV2 value must share the
//! output's scale and zero point. Values are copied raw, so every fixed-size type works.

use super::movement::{by_size, const_ints, elem_size, head, same_type, sizes, word, words, Dims};
use super::{kinds, EvalCtx, OpCtx, PrepareCtx, Registration, T};
use crate::error::Error;
use crate::schema::{BuiltinOperator, TensorType};
use microlite_kernels::pad::{pad, PadParams, PAD_MAX_DIMS};
use microlite_kernels::KernelError;

pub(crate) fn registration() -> Registration {
    Registration::builtin(BuiltinOperator::PAD, 4, prepare, eval)
}

kinds! {
    /// Where the fill value comes from.
    enum Fill {
        /// Op data: zero, the int8 zero point, or PADV2's constant value.
        Stored,
        /// PADV2's value input, computed at run time.
        Input,
    }
}

/// [`PadParams`] as op data, with the element size and the fill value.
#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Data {
    /// Bytes per element.
    size: u32,
    fill_from: u32,
    /// The fill value's bytes ([`Fill::Stored`]).
    fill: [u32; 2],
    in_shape: [u32; PAD_MAX_DIMS],
    before: [u32; PAD_MAX_DIMS],
    after: [u32; PAD_MAX_DIMS],
}

pub(super) struct Params<'m> {
    output: T<'m>,
    value: Option<T<'m>>,
    size: usize,
    pad: PadParams,
}

pub(super) fn params<'m>(ctx: &OpCtx<'m>) -> Result<Params<'m>, Error> {
    ctx.expect_counts(2, 3, 1)?;
    let (input, paddings, output) = (ctx.input(0)?, ctx.input(1)?, ctx.output(0)?);
    let value = ctx.optional_input(2);
    same_type(ctx, &input, &output)?;
    let size = elem_size(ctx, &input)?;
    let (id, od) = (Dims::of(&input), Dims::of(&output));
    if id.rank > PAD_MAX_DIMS || od.rank != id.rank {
        return Err(ctx.shape_err(&output));
    }
    let (p, n) = const_ints::<{ 2 * PAD_MAX_DIMS }>(ctx, &paddings)?;
    if n != 2 * od.rank {
        return Err(ctx.shape_err(&paddings));
    }
    let off = PAD_MAX_DIMS - id.rank;
    let mut pad = PadParams {
        in_shape: id.padded::<PAD_MAX_DIMS>().ok_or(ctx.shape_err(&input))?,
        before: [0; PAD_MAX_DIMS],
        after: [0; PAD_MAX_DIMS],
    };
    let pairs = p.chunks_exact(2).take(id.rank);
    let dims = id.as_slice().iter().zip(od.as_slice());
    let slots = pad.before.iter_mut().zip(pad.after.iter_mut()).skip(off);
    for ((pair, (&i, &o)), (before, after)) in pairs.zip(dims).zip(slots) {
        let (b, a) = match *pair {
            [b, a] if b >= 0 && a >= 0 => (b, a),
            _ => return Err(ctx.shape_err(&paddings)),
        };
        if i as i64 + b + a != o as i64 {
            return Err(ctx.shape_err(&paddings));
        }
        *before = b as usize;
        *after = a as usize;
    }
    if let Some(v) = &value {
        same_type(ctx, &input, v)?;
        if v.t.element_count() != 1 {
            return Err(ctx.shape_err(v));
        }
    }
    if input.t.ty() == TensorType::Int8 {
        let (scale, zp) = ctx.quant(&output)?;
        match &value {
            None if !(-128..=127).contains(&zp) => return Err(ctx.quant_err(&output)),
            Some(v) if ctx.quant(v)? != (scale, zp) => return Err(ctx.quant_err(v)),
            _ => {}
        }
    }
    Ok(Params {
        output,
        value,
        size,
        pad,
    })
}

/// Prepare of PAD and PADV2.
pub(super) fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    let op = ctx.op;
    let p = params(&op)?;
    // The fill value's bytes: PADV2's scalar, else the int8 zero point, else zero.
    let mut fill = [0u8; 8];
    let mut from = Fill::Stored;
    match &p.value {
        Some(v) => match v.t.data() {
            Some(b) => {
                // The model reader checked constant data against the shape.
                let b = b.get(..p.size).ok_or(op.shape_err(v))?;
                for (d, &s) in fill.iter_mut().zip(b) {
                    *d = s;
                }
            }
            None => from = Fill::Input,
        },
        None if p.output.t.ty() == TensorType::Int8 => {
            fill = [op.quant(&p.output)?.1 as i8 as u8, 0, 0, 0, 0, 0, 0, 0];
        }
        None => {}
    }
    let t = &p.output;
    ctx.persist(&Data {
        size: word(&op, t, p.size)?,
        fill_from: from.tag(),
        fill: bytemuck::cast(fill),
        in_shape: words(&op, t, &p.pad.in_shape)?,
        before: words(&op, t, &p.pad.before)?,
        after: words(&op, t, &p.pad.after)?,
    })
}

/// Eval of PAD and PADV2.
pub(super) fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    let d = ctx.data::<Data>()?;
    let size = d.size as usize;
    let mut fill: [u8; 8] = bytemuck::cast(d.fill);
    match Fill::from_tag(d.fill_from)? {
        Fill::Stored => {}
        Fill::Input => {
            let b = ctx.input_bytes(2)?;
            let b = b
                .get(..size)
                .ok_or(ctx.kernel_err(KernelError::ShapeMismatch))?;
            for (d, &s) in fill.iter_mut().zip(b) {
                *d = s;
            }
        }
    }
    let p = PadParams {
        in_shape: sizes(&d.in_shape),
        before: sizes(&d.before),
        after: sizes(&d.after),
    };
    by_size!(size, E => {
        let value: E = bytemuck::try_pod_read_unaligned(head(&fill, size))
            .map_err(|_| Error::TooComplex)?;
        let x = ctx.input::<E>(0)?;
        pad(&p, x, value, ctx.output::<E>(0)?).map_err(|e| ctx.kernel_err(e))
    })
}
