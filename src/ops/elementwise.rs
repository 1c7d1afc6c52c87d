//! Helpers shared by the elementwise and activation ops (ADD, SUB, MUL, MAXIMUM, MINIMUM,
//! PRELU, LOGISTIC, TANH, RELU, RELU6, LEAKY_RELU, HARD_SWISH, L2_NORMALIZATION): broadcast
//! shape checks kept as typed op data, same-shape checks, and `Pod` copies of the kernels'
//! int8 (and int16: the same structs) parameters.

use super::{activation, kinds, EvalCtx, OpCtx, PrepareCtx, T};
use crate::error::Error;
use crate::schema::TensorType;
use microlite_kernels::add::{add_sub_prepare, AddParamsInt8};
use microlite_kernels::logistic::LogisticParamsInt8;
use microlite_kernels::quant::{activation_range_f32, activation_range_i16, activation_range_i8};
use microlite_kernels::Activation;
use microlite_kernels::KernelError;

/// Rank-4 shapes of a binary op: first input, second input, output.
pub(crate) type Shapes3 = ([usize; 4], [usize; 4], [usize; 4]);

/// The broadcast geometry of a binary op, fixed at prepare: the right-aligned rank-4 shapes of
/// its two inputs and its output.
#[repr(C)]
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable)]
pub(crate) struct Broadcast {
    s1: [u32; 4],
    s2: [u32; 4],
    so: [u32; 4],
}

impl Broadcast {
    /// The kernels' view.
    pub(crate) fn shapes(&self) -> Shapes3 {
        let wide = |s: [u32; 4]| s.map(|d| d as usize);
        (wide(self.s1), wide(self.s2), wide(self.so))
    }
}

/// Validates that TFLM's 4-D broadcast accepts two inputs and an output (every output dim
/// equals the inputs' dims where they agree, or the non-1 one) and returns their geometry.
pub(crate) fn broadcast_shapes(
    ctx: &OpCtx<'_>,
    in1: &T<'_>,
    in2: &T<'_>,
    output: &T<'_>,
) -> Result<Broadcast, Error> {
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
    let narrow = |s: [usize; 4], t: &T<'_>| -> Result<[u32; 4], Error> {
        let mut out = [0u32; 4];
        for (o, d) in out.iter_mut().zip(s) {
            *o = u32::try_from(d).map_err(|_| ctx.shape_err(t))?;
        }
        Ok(out)
    };
    Ok(Broadcast {
        s1: narrow(s1, in1)?,
        s2: narrow(s2, in2)?,
        so: narrow(so, output)?,
    })
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

/// The input and output of a one-in, one-out int8/int16/float32 op of unchanged shape; an
/// int8 or int16 input must carry quantization (the output's is checked by the op when it
/// reads it). Each op then rejects the types it does not support.
pub(crate) fn unary<'m>(ctx: &OpCtx<'m>) -> Result<(T<'m>, T<'m>), Error> {
    ctx.expect_counts(1, 1, 1)?;
    let (input, output) = (ctx.input(0)?, ctx.output(0)?);
    same_type(ctx, &input, &output)?;
    same_shape(ctx, &input, &output)?;
    match input.t.ty() {
        TensorType::Int8 | TensorType::Int16 => {
            ctx.quant(&input)?;
        }
        TensorType::Float32 => {}
        _ => return Err(ctx.type_err(&input)),
    }
    Ok((input, output))
}

/// A validated broadcasting binary op (ADD, SUB, MUL; PRELU without the activation): its
/// tensors, geometry and fused activation.
pub(crate) struct Binary<'m> {
    pub in1: T<'m>,
    pub in2: T<'m>,
    pub output: T<'m>,
    pub shapes: Broadcast,
    pub act: Activation,
}

impl Binary<'_> {
    /// The first input's type: int8, int16, float32 or (where allowed) int32.
    pub(crate) fn ty(&self) -> TensorType {
        self.in1.t.ty()
    }

    /// Per-tensor `(scale, zero_point)` of the two inputs and the output.
    pub(crate) fn quant(&self, ctx: &OpCtx<'_>) -> Result<[(f32, i32); 3], Error> {
        Ok([
            ctx.quant(&self.in1)?,
            ctx.quant(&self.in2)?,
            ctx.quant(&self.output)?,
        ])
    }
}

/// Validates a broadcasting binary op whose options table (union tag `tag`) starts with a
/// fused activation: two inputs and the output of one type, int8 or int16 (each quantized) or
/// float32.
/// With `int32`, plain (unquantized) int32 tensors are allowed too.
pub(crate) fn binary_typed<'m>(ctx: &OpCtx<'m>, tag: u8, int32: bool) -> Result<Binary<'m>, Error> {
    ctx.expect_counts(2, 2, 1)?;
    let (in1, in2, output) = (ctx.input(0)?, ctx.input(1)?, ctx.output(0)?);
    let act = match ctx.options(tag) {
        Some(o) => activation(ctx, o.u8(0, 0)?)?,
        None => Activation::None,
    };
    let shapes = numeric_pair(ctx, &in1, &in2, &output, int32)?;
    Ok(Binary {
        in1,
        in2,
        output,
        shapes,
        act,
    })
}

/// Validates PRELU, a broadcasting binary op without options: as [`binary_typed`], with no
/// activation, except that an int16 input and output take int8 slopes (TFLM's only int16
/// PRELU).
pub(crate) fn binary_prelu<'m>(ctx: &OpCtx<'m>) -> Result<Binary<'m>, Error> {
    ctx.expect_counts(2, 2, 1)?;
    let (in1, in2, output) = (ctx.input(0)?, ctx.input(1)?, ctx.output(0)?);
    let shapes = if in1.t.ty() == TensorType::Int16 {
        let shapes = broadcast_shapes(ctx, &in1, &in2, &output)?;
        same_type(ctx, &in1, &output)?;
        if in2.t.ty() != TensorType::Int8 {
            return Err(ctx.type_err(&in2));
        }
        for t in [&in1, &in2, &output] {
            ctx.quant(t)?;
        }
        shapes
    } else {
        quantized_or_f32_pair(ctx, &in1, &in2, &output)?
    };
    Ok(Binary {
        in1,
        in2,
        output,
        shapes,
        act: Activation::None,
    })
}

/// Broadcast shapes, then one type for all three tensors: int8 or int16 (each quantized) or
/// float32.
fn quantized_or_f32_pair(
    ctx: &OpCtx<'_>,
    in1: &T<'_>,
    in2: &T<'_>,
    output: &T<'_>,
) -> Result<Broadcast, Error> {
    numeric_pair(ctx, in1, in2, output, false)
}

/// As [`quantized_or_f32_pair`], and with `int32` also allows plain int32.
fn numeric_pair(
    ctx: &OpCtx<'_>,
    in1: &T<'_>,
    in2: &T<'_>,
    output: &T<'_>,
    int32: bool,
) -> Result<Broadcast, Error> {
    let shapes = broadcast_shapes(ctx, in1, in2, output)?;
    same_type(ctx, in1, in2)?;
    same_type(ctx, in1, output)?;
    match in1.t.ty() {
        TensorType::Int8 | TensorType::Int16 => {
            for t in [in1, in2, output] {
                ctx.quant(t)?;
            }
        }
        TensorType::Float32 => {}
        TensorType::Int32 if int32 => {}
        _ => return Err(ctx.type_err(in1)),
    }
    Ok(shapes)
}

/// Declares a `Pod` copy of a kernel's int8 parameter struct whose fields are all `i32` (so
/// it can sit in op data), with conversions both ways for each kernel struct in `[..]`.
macro_rules! int8_params {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident for [$($kernel:ident),+] $fields:tt
    ) => {
        $crate::ops::elementwise::int8_params!(@struct $(#[$meta])* $vis $name $fields);
        $($crate::ops::elementwise::int8_params!(@from $name $kernel $fields);)+
    };
    (@struct $(#[$meta:meta])* $vis:vis $name:ident { $($field:ident),+ $(,)? }) => {
        $(#[$meta])*
        #[repr(C)]
        #[derive(Clone, Copy, Debug, Default, bytemuck::Pod, bytemuck::Zeroable)]
        $vis struct $name {
            $($field: i32),+
        }
    };
    (@from $name:ident $kernel:ident { $($field:ident),+ $(,)? }) => {
        impl From<$kernel> for $name {
            fn from(k: $kernel) -> Self {
                $name { $($field: k.$field),+ }
            }
        }
        impl From<$name> for $kernel {
            fn from(d: $name) -> Self {
                Self { $($field: d.$field),+ }
            }
        }
    };
}
pub(crate) use int8_params;

int8_params! {
    /// ADD's and SUB's int8 or int16 parameters: the kernels' `AddParamsInt8`
    /// (`AddParamsInt16`, `SubParamsInt8` and `SubParamsInt16` are the same struct; only the
    /// set-up arithmetic differs).
    pub(crate) struct AddSubInt8 for [AddParamsInt8] {
        left_shift,
        input1_offset,
        input1_multiplier,
        input1_shift,
        input2_offset,
        input2_multiplier,
        input2_shift,
        output_offset,
        output_multiplier,
        output_shift,
        act_min,
        act_max,
    }
}

kinds! {
    /// ADD's and SUB's dtypes.
    enum AddSubKind { Int8, Float32, Int16, Int32 }
}

/// ADD's and SUB's op data, fixed at prepare.
#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct AddSubData {
    kind: u32,
    shapes: Broadcast,
    /// Float32 activation range.
    act_min: f32,
    act_max: f32,
    /// Int8 or int16 rescaling (zeroed for float32).
    q: AddSubInt8,
}

/// An int8 or int16 ADD or SUB kernel.
pub(crate) type AddSubQKernel<Q> = fn(
    &AddParamsInt8,
    [usize; 4],
    &[Q],
    [usize; 4],
    &[Q],
    [usize; 4],
    &mut [Q],
) -> Result<(), KernelError>;
/// A float32 ADD or SUB kernel.
pub(crate) type AddSubF32Kernel = fn(
    f32,
    f32,
    [usize; 4],
    &[f32],
    [usize; 4],
    &[f32],
    [usize; 4],
    &mut [f32],
) -> Result<(), KernelError>;

/// ADD's or SUB's set-up and kernels.
pub(crate) struct AddSubOp {
    /// The options table's union tag.
    pub tag: u8,
    pub int8: AddSubQKernel<i8>,
    pub int16: AddSubQKernel<i16>,
    pub float: AddSubF32Kernel,
    /// The int32 kernel, if the op has one (TFLM's ADD does, its SUB here does not).
    pub int32: Option<AddSubI32Kernel>,
}

/// An int32 ADD kernel (no activation: TFLM clamps int32 ADD to the whole type).
pub(crate) type AddSubI32Kernel =
    fn([usize; 4], &[i32], [usize; 4], &[i32], [usize; 4], &mut [i32]) -> Result<(), KernelError>;

/// ADD's and SUB's prepare: validates and keeps the broadcast shapes, the float range and,
/// for int8 and int16, the multipliers the op's set-up computes once.
pub(crate) fn prepare_add_sub(ctx: &mut PrepareCtx<'_>, k: &AddSubOp) -> Result<(), Error> {
    let op = ctx.op;
    let p = binary_typed(&op, k.tag, k.int32.is_some())?;
    let (act_min, act_max) = activation_range_f32(p.act);
    let mut d = AddSubData {
        kind: AddSubKind::Float32.tag(),
        shapes: p.shapes,
        act_min,
        act_max,
        q: AddSubInt8::default(),
    };
    match p.ty() {
        ty @ (TensorType::Int8 | TensorType::Int16) => {
            // int16: TFLM's general-scale path, non-zero zero points honoured; ADD and SUB
            // share the set-up (20 bits of headroom for int8, 15 for int16).
            let int8 = ty == TensorType::Int8;
            let [(a, za), (b, zb), (o, zo)] = p.quant(&op)?;
            let (kind, shift, (lo, hi)) = if int8 {
                (AddSubKind::Int8, 20, activation_range_i8(p.act, o, zo))
            } else {
                (AddSubKind::Int16, 15, activation_range_i16(p.act, o, zo))
            };
            d.kind = kind.tag();
            d.q = add_sub_prepare(shift, a, za, b, zb, o, zo, lo, hi).into();
        }
        TensorType::Int32 => d.kind = AddSubKind::Int32.tag(),
        _ => {}
    }
    ctx.persist(&d)
}

/// ADD's and SUB's eval: the int8, int16 or float32 kernel on the shapes prepare kept.
pub(crate) fn eval_add_sub(ctx: &mut EvalCtx<'_>, k: &AddSubOp) -> Result<(), Error> {
    let d = ctx.data::<AddSubData>()?;
    let (s1, s2, so) = d.shapes.shapes();
    match AddSubKind::from_tag(d.kind)? {
        AddSubKind::Int8 => {
            let (x, y) = (ctx.input::<i8>(0)?, ctx.input::<i8>(1)?);
            let out = ctx.output::<i8>(0)?;
            (k.int8)(&d.q.into(), s1, x, s2, y, so, out)
        }
        AddSubKind::Int16 => {
            let (x, y) = (ctx.input::<i16>(0)?, ctx.input::<i16>(1)?);
            let out = ctx.output::<i16>(0)?;
            (k.int16)(&d.q.into(), s1, x, s2, y, so, out)
        }
        AddSubKind::Float32 => {
            let (x, y) = (ctx.input::<f32>(0)?, ctx.input::<f32>(1)?);
            let out = ctx.output::<f32>(0)?;
            (k.float)(d.act_min, d.act_max, s1, x, s2, y, so, out)
        }
        AddSubKind::Int32 => {
            let (x, y) = (ctx.input::<i32>(0)?, ctx.input::<i32>(1)?);
            let out = ctx.output::<i32>(0)?;
            let kernel = k.int32.ok_or(Error::TooComplex)?;
            kernel(s1, x, s2, y, so, out)
        }
    }
    .map_err(|e| ctx.kernel_err(e))
}

int8_params! {
    /// LOGISTIC's and TANH's int8 parameters (the kernels share the struct and its set-up).
    pub(crate) struct LogisticInt8 for [LogisticParamsInt8] {
        input_zero_point,
        input_range_radius,
        input_multiplier,
        input_left_shift,
    }
}
