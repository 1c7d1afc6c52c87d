//! Shared helpers of the data-movement ops (PAD, CONCATENATION, slices, splits, TRANSPOSE,
//! resizes, ...): dims, element sizes, constant index tensors and axes.
//!
//! Data movement never looks at values, so those ops run on raw elements of the tensor's size
//! (`u8`, `i16`, `u32` or `i64`): one code path serves float32, int8, int16, int32, bool, ...

use super::{EvalCtx, OpCtx, PrepareCtx, T};
use crate::error::Error;
use crate::model::MAX_RANK;
use crate::schema::TensorType;
use microlite_kernels::concatenation::{concatenation_part, AxisBand};
use microlite_kernels::split::split_part;

/// A tensor's dims and rank.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Dims {
    pub d: [usize; MAX_RANK],
    pub rank: usize,
}

impl Dims {
    /// `t`'s dims (rank at most [`MAX_RANK`], checked when the model was read).
    pub fn of(t: &T<'_>) -> Self {
        let s = t.t.shape();
        let mut d = [0usize; MAX_RANK];
        for (o, v) in d.iter_mut().zip(s.iter()) {
            *o = v.max(0) as usize;
        }
        Dims {
            d,
            rank: s.len().min(MAX_RANK),
        }
    }

    pub fn as_slice(&self) -> &[usize] {
        head(&self.d, self.rank)
    }

    /// Dim `i` (0 past the rank).
    pub fn dim(&self, i: usize) -> usize {
        self.as_slice().get(i).copied().unwrap_or(0)
    }

    /// The dims without `axis`.
    pub fn without(&self, axis: usize) -> impl Iterator<Item = usize> + '_ {
        self.as_slice()
            .iter()
            .enumerate()
            .filter(move |&(i, _)| i != axis)
            .map(|(_, &d)| d)
    }

    /// The product of the dims before `axis` and after it.
    pub fn around(&self, axis: usize) -> (usize, usize) {
        let prod = |s: &[usize]| s.iter().fold(1usize, |a, &v| a.saturating_mul(v));
        let s = self.as_slice();
        let axis = axis.min(s.len());
        (prod(head(s, axis)), prod(s.get(axis + 1..).unwrap_or(&[])))
    }

    /// Right-aligned into `N` dims with leading 1s; `None` if the rank exceeds `N`.
    pub fn padded<const N: usize>(&self) -> Option<[usize; N]> {
        if self.rank > N {
            return None;
        }
        let mut out = [1usize; N];
        for (o, &d) in out.iter_mut().skip(N - self.rank).zip(self.as_slice()) {
            *o = d;
        }
        Some(out)
    }
}

/// Bytes per element of `t` when raw copies can move it (1, 2, 4 or 8).
pub(crate) fn elem_size(ctx: &OpCtx<'_>, t: &T<'_>) -> Result<usize, Error> {
    match t.t.ty().size() {
        Some(s @ (1 | 2 | 4 | 8)) => Ok(s),
        _ => Err(ctx.type_err(t)),
    }
}

/// Requires `t` to have the same type as `like`.
pub(crate) fn same_type(ctx: &OpCtx<'_>, like: &T<'_>, t: &T<'_>) -> Result<(), Error> {
    if like.t.ty() == t.t.ty() {
        Ok(())
    } else {
        Err(ctx.type_err(t))
    }
}

/// The values of a constant int32 or int64 tensor stored in the model (up to `N` of them),
/// as `(values, count)`. A tensor computed at run time is a shape error: microlite, like TFLM,
/// needs these parameters at prepare time.
pub(crate) fn const_ints<const N: usize>(
    ctx: &OpCtx<'_>,
    t: &T<'_>,
) -> Result<([i64; N], usize), Error> {
    let width = match t.t.ty() {
        TensorType::Int32 => 4,
        TensorType::Int64 => 8,
        _ => return Err(ctx.type_err(t)),
    };
    let data = t.t.data().ok_or(ctx.shape_err(t))?;
    let n = t.t.element_count();
    if n > N {
        return Err(ctx.shape_err(t));
    }
    let mut out = [0i64; N];
    for (k, o) in out.iter_mut().take(n).enumerate() {
        let b = data
            .get(width * k..width * k + width)
            .ok_or(ctx.shape_err(t))?;
        let bad = |_| ctx.shape_err(t);
        *o = if width == 4 {
            i64::from(i32::from_le_bytes(<[u8; 4]>::try_from(b).map_err(bad)?))
        } else {
            i64::from_le_bytes(<[u8; 8]>::try_from(b).map_err(bad)?)
        };
    }
    Ok((out, n))
}

/// An axis in `-rank..rank` made non-negative.
pub(crate) fn axis(ctx: &OpCtx<'_>, a: i64, rank: usize) -> Result<usize, Error> {
    let r = rank as i64;
    let a = if a < 0 { a + r } else { a };
    if a < 0 || a >= r {
        return Err(ctx.options_err());
    }
    Ok(a as usize)
}

/// The first `n` elements of `s` (all of them if `n` is larger).
pub(crate) fn head<T>(s: &[T], n: usize) -> &[T] {
    s.get(..n).unwrap_or(s)
}

/// Checks the op's output count against what [`EvalCtx`] can hand out.
pub(crate) fn check_outputs(ctx: &OpCtx<'_>, n: usize) -> Result<(), Error> {
    if n > super::MAX_OUTPUTS {
        return Err(Error::TooComplex);
    }
    if ctx.op.outputs().len() != n {
        return Err(ctx.count_err());
    }
    Ok(())
}

/// Runs `$body` with `$E` bound to the raw element type of `$size` bytes (an element size
/// prepare stored; any other value is an internal error).
macro_rules! by_size {
    ($size:expr, $E:ident => $body:expr) => {
        match $size {
            1 => {
                type $E = u8;
                $body
            }
            2 => {
                type $E = i16;
                $body
            }
            4 => {
                type $E = u32;
                $body
            }
            8 => {
                type $E = i64;
                $body
            }
            _ => Err($crate::error::Error::TooComplex),
        }
    };
}
pub(crate) use by_size;

/// `v` as a word of op data; too large is a shape error on `t` (tensors are checked below
/// 2^31 bytes when the model is read, so only degenerate empty tensors get here).
pub(crate) fn word(ctx: &OpCtx<'_>, t: &T<'_>, v: usize) -> Result<u32, Error> {
    u32::try_from(v).map_err(|_| ctx.shape_err(t))
}

/// The first `N` of `dims` as words of op data (missing ones 0).
pub(crate) fn words<const N: usize>(
    ctx: &OpCtx<'_>,
    t: &T<'_>,
    dims: &[usize],
) -> Result<[u32; N], Error> {
    let mut out = [0u32; N];
    for (o, &d) in out.iter_mut().zip(dims) {
        *o = word(ctx, t, d)?;
    }
    Ok(out)
}

/// Words of op data back to sizes.
pub(crate) fn sizes<const N: usize>(w: &[u32; N]) -> [usize; N] {
    w.map(|v| v as usize)
}

/// The data of CONCATENATION, PACK, SPLIT, SPLIT_V and UNPACK: the whole tensor (the joined
/// output or the cut input) viewed as `[outer, axis, inner]`, cut into `count` bands along the
/// axis whose lengths (`u32`s) follow in op data.
#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
pub(crate) struct Bands {
    /// Bytes per element.
    size: u32,
    outer: u32,
    axis: u32,
    inner: u32,
    count: u32,
}

impl Bands {
    fn band(&self, start: usize, len: u32) -> AxisBand {
        AxisBand {
            outer: self.outer as usize,
            axis: self.axis as usize,
            inner: self.inner as usize,
            start,
            len: len as usize,
        }
    }
}

/// Keeps the [`Bands`] of tensor `t` (elements of `size` bytes) cut along `axis` into bands
/// of `lens`.
pub(crate) fn persist_bands(
    ctx: &mut PrepareCtx<'_>,
    t: &T<'_>,
    size: usize,
    axis: usize,
    lens: impl ExactSizeIterator<Item = usize>,
) -> Result<(), Error> {
    let op = ctx.op;
    let n = lens.len();
    let whole = Dims::of(t);
    // An empty tensor moves nothing: its bands are empty whatever the other dims.
    let (outer, inner) = if t.t.element_count() == 0 {
        (0, 0)
    } else {
        whole.around(axis)
    };
    ctx.persist(&Bands {
        size: word(&op, t, size)?,
        outer: word(&op, t, outer)?,
        axis: word(&op, t, whole.dim(axis))?,
        inner: word(&op, t, inner)?,
        count: word(&op, t, n)?,
    })?;
    let out = ctx.persist_zeroed::<u32>(n)?;
    for (o, len) in out.iter_mut().zip(lens) {
        *o = word(&op, t, len)?;
    }
    Ok(())
}

/// Eval of CONCATENATION and PACK: each input fills its band of output 0.
pub(crate) fn eval_join(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    let (b, lens) = ctx.data_parts::<Bands, u32>()?;
    let lens = head(lens, b.count as usize);
    by_size!(b.size, E => {
        let out = ctx.output::<E>(0)?;
        let mut start = 0usize;
        for (k, &len) in lens.iter().enumerate() {
            concatenation_part(&b.band(start, len), ctx.input::<E>(k)?, out)
                .map_err(|e| ctx.kernel_err(e))?;
            start = start.saturating_add(len as usize);
        }
        Ok(())
    })
}

/// Eval of SPLIT, SPLIT_V and UNPACK: output `k` takes band `k` of input `source`.
pub(crate) fn eval_cut(ctx: &mut EvalCtx<'_>, source: usize) -> Result<(), Error> {
    let (b, lens) = ctx.data_parts::<Bands, u32>()?;
    let lens = head(lens, b.count as usize);
    by_size!(b.size, E => {
        let x = ctx.input::<E>(source)?;
        let mut start = 0usize;
        for (k, &len) in lens.iter().enumerate() {
            split_part(&b.band(start, len), x, ctx.output::<E>(k)?)
                .map_err(|e| ctx.kernel_err(e))?;
            start = start.saturating_add(len as usize);
        }
        Ok(())
    })
}

/// Copies input 0's bytes to output 0 (RESHAPE-like ops that the planner did not alias).
pub(crate) fn copy_through(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    let src = ctx.input_bytes(0)?;
    let dst = ctx.output::<u8>(0)?;
    let n = src.len().min(dst.len());
    if let (Some(d), Some(s)) = (dst.get_mut(..n), src.get(..n)) {
        d.copy_from_slice(s);
    }
    Ok(())
}
