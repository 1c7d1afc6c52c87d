//! ADD: int8 (TFLM's 20-bit left-shift rescaling) and float32, with broadcasting up to rank 4.

use super::{activation, Io, OpCtx, OpPlan, Registration, T};
use crate::error::Error;
use crate::schema::{options, BuiltinOperator, TensorType};
use microlite_kernels::add::{add_f32, add_int8, add_prepare_int8};
use microlite_kernels::quant::{activation_range_f32, activation_range_i8};
use microlite_kernels::Activation;

pub(crate) fn registration() -> Registration {
    Registration {
        code: BuiltinOperator::ADD,
        max_version: 5,
        prepare,
        eval,
    }
}

struct Params<'m> {
    in1: T<'m>,
    in2: T<'m>,
    output: T<'m>,
    s1: [usize; 4],
    s2: [usize; 4],
    so: [usize; 4],
    act: Activation,
}

fn params<'m>(ctx: &OpCtx<'m>) -> Result<Params<'m>, Error> {
    ctx.expect_counts(2, 2, 1)?;
    let (in1, in2, output) = (ctx.input(0)?, ctx.input(1)?, ctx.output(0)?);
    let act = match ctx.options(options::ADD) {
        Some(o) => super::activation(ctx, o.u8(0, 0)?)?,
        None => activation(ctx, 0)?,
    };
    let (s1, s2, so) = (
        ctx.shape_padded4(&in1)?,
        ctx.shape_padded4(&in2)?,
        ctx.shape_padded4(&output)?,
    );
    for ((&a, &b), &o) in s1.iter().zip(&s2).zip(&so) {
        let expect = if a == b {
            a
        } else if a == 1 {
            b
        } else if b == 1 {
            a
        } else {
            return Err(ctx.shape_err(&in2));
        };
        if o != expect {
            return Err(ctx.shape_err(&output));
        }
    }
    for t in [&in2, &output] {
        if t.t.ty() != in1.t.ty() {
            return Err(ctx.type_err(t));
        }
    }
    match in1.t.ty() {
        TensorType::Int8 => {
            for t in [&in1, &in2, &output] {
                ctx.quant(t)?;
            }
        }
        TensorType::Float32 => {}
        _ => return Err(ctx.type_err(&in1)),
    }
    Ok(Params {
        in1,
        in2,
        output,
        s1,
        s2,
        so,
        act,
    })
}

fn prepare(ctx: &OpCtx<'_>, _data: Option<&mut [i32]>) -> Result<OpPlan, Error> {
    params(ctx)?;
    Ok(OpPlan::default())
}

fn eval(ctx: &OpCtx<'_>, io: &mut Io<'_>, _data: &[i32]) -> Result<(), Error> {
    let p = params(ctx)?;
    match p.in1.t.ty() {
        TensorType::Int8 => {
            let ((a, za), (b, zb), (o, zo)) = (
                ctx.quant(&p.in1)?,
                ctx.quant(&p.in2)?,
                ctx.quant(&p.output)?,
            );
            let (lo, hi) = activation_range_i8(p.act, o, zo);
            let k = add_prepare_int8(a, za, b, zb, o, zo, lo, hi);
            let (x, y) = (io.input::<i8>(0)?, io.input::<i8>(1)?);
            add_int8(&k, p.s1, x, p.s2, y, p.so, io.output::<i8>(0)?)
        }
        _ => {
            let (lo, hi) = activation_range_f32(p.act);
            let (x, y) = (io.input::<f32>(0)?, io.input::<f32>(1)?);
            add_f32(lo, hi, p.s1, x, p.s2, y, p.so, io.output::<f32>(0)?)
        }
    }
    .map_err(|e| ctx.kernel_err(e))
}
