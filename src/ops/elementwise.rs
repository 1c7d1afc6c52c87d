//! Helpers shared by the elementwise and activation ops (MUL, SUB, MAXIMUM, MINIMUM, PRELU,
//! LOGISTIC, TANH, RELU, RELU6, LEAKY_RELU, HARD_SWISH, L2_NORMALIZATION): broadcast shape
//! checks, same-shape checks, and moving precomputed int8 parameters through the op's
//! persistent data words.

use super::{activation, OpCtx, T};
use crate::error::Error;
use crate::schema::TensorType;
use microlite_kernels::Activation;
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

/// A validated broadcasting binary op (ADD, SUB, MUL): its tensors, rank-4 shapes and fused
/// activation.
pub(crate) struct Binary<'m> {
    pub in1: T<'m>,
    pub in2: T<'m>,
    pub output: T<'m>,
    pub s1: [usize; 4],
    pub s2: [usize; 4],
    pub so: [usize; 4],
    pub act: Activation,
}

/// Validates a broadcasting binary op whose options table (union tag `tag`) starts with a
/// fused activation: two inputs and the output of one type, int8 (each quantized) or float32.
pub(crate) fn binary<'m>(ctx: &OpCtx<'m>, tag: u8) -> Result<Binary<'m>, Error> {
    ctx.expect_counts(2, 2, 1)?;
    let (in1, in2, output) = (ctx.input(0)?, ctx.input(1)?, ctx.output(0)?);
    let act = match ctx.options(tag) {
        Some(o) => activation(ctx, o.u8(0, 0)?)?,
        None => Activation::None,
    };
    let (s1, s2, so) = broadcast_shapes(ctx, &in1, &in2, &output)?;
    same_type(ctx, &in1, &in2)?;
    same_type(ctx, &in1, &output)?;
    match in1.t.ty() {
        TensorType::Int8 => {
            for t in [&in1, &in2, &output] {
                ctx.quant(t)?;
            }
        }
        TensorType::Float32 => {}
        _ => return Err(ctx.type_err(&in1)),
    }
    Ok(Binary {
        in1,
        in2,
        output,
        s1,
        s2,
        so,
        act,
    })
}
