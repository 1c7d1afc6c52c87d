//! Helpers shared by the elementwise and activation ops (MUL, SUB, MAXIMUM, MINIMUM, PRELU,
//! LOGISTIC, TANH, RELU, RELU6, LEAKY_RELU, HARD_SWISH, L2_NORMALIZATION): broadcast shape
//! checks, same-shape checks, and moving precomputed int8 parameters through the op's
//! persistent data words.

use super::{OpCtx, T};
use crate::error::Error;
use microlite_kernels::KernelError;

/// Rank-4 shapes of a binary op: first input, second input, output.
pub(crate) type Shapes3 = ([usize; 4], [usize; 4], [usize; 4]);

/// Right-aligned rank-4 shapes of two inputs and an output that TFLM's 4-D broadcast accepts:
/// every output dim equals the inputs' dims where they agree, or the non-1 one.
pub(crate) fn broadcast_shapes(
    ctx: &OpCtx<'_>,
    in1: &T<'_>,
    in2: &T<'_>,
    output: &T<'_>,
) -> Result<Shapes3, Error> {
    let (s1, s2, so) = (
        ctx.shape_padded4(in1)?,
        ctx.shape_padded4(in2)?,
        ctx.shape_padded4(output)?,
    );
    for ((&a, &b), &o) in s1.iter().zip(&s2).zip(&so) {
        let expect = if a == b {
            a
        } else if a == 1 {
            b
        } else if b == 1 {
            a
        } else {
            return Err(ctx.shape_err(in2));
        };
        if o != expect {
            return Err(ctx.shape_err(output));
        }
    }
    Ok((s1, s2, so))
}

/// Requires `output` to have `input`'s shape (rank and dims).
pub(crate) fn same_shape(ctx: &OpCtx<'_>, input: &T<'_>, output: &T<'_>) -> Result<(), Error> {
    let (a, b) = (input.t.shape(), output.t.shape());
    if a.len() != b.len() || a.iter().zip(b.iter()).any(|(x, y)| x != y) {
        return Err(ctx.shape_err(output));
    }
    Ok(())
}

/// Requires `t` to have the type of `like`.
pub(crate) fn same_type(ctx: &OpCtx<'_>, like: &T<'_>, t: &T<'_>) -> Result<(), Error> {
    if t.t.ty() == like.t.ty() {
        Ok(())
    } else {
        Err(ctx.type_err(t))
    }
}

/// Writes `words` into the op's persistent data when prepare is given it.
pub(crate) fn store(data: Option<&mut [i32]>, words: &[i32]) {
    if let Some(d) = data {
        for (slot, &w) in d.iter_mut().zip(words) {
            *slot = w;
        }
    }
}

/// Reads back `N` words written by [`store`].
pub(crate) fn load<const N: usize>(ctx: &OpCtx<'_>, data: &[i32]) -> Result<[i32; N], Error> {
    data.get(..N)
        .and_then(|d| <[i32; N]>::try_from(d).ok())
        .ok_or(ctx.kernel_err(KernelError::BadParams))
}

/// The input and output of a one-in, one-out int8/float32 op of unchanged shape; an int8
/// input must carry quantization (the output's is checked by the op when it reads it).
pub(crate) fn unary<'m>(ctx: &OpCtx<'m>) -> Result<(T<'m>, T<'m>), Error> {
    ctx.expect_counts(1, 1, 1)?;
    let (input, output) = (ctx.input(0)?, ctx.output(0)?);
    same_type(ctx, &input, &output)?;
    same_shape(ctx, &input, &output)?;
    match input.t.ty() {
        crate::schema::TensorType::Int8 => {
            ctx.quant(&input)?;
        }
        crate::schema::TensorType::Float32 => {}
        _ => return Err(ctx.type_err(&input)),
    }
    Ok((input, output))
}
