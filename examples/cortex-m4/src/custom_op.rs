//! A custom op defined in the firmware, outside microlite: "ScaleShift", registered with
//! `Registration::custom` and run in `build.rs`'s model (int8 `[1, 1, 8, 1]` -> CUSTOM
//! "ScaleShift" -> AVERAGE_POOL_2D 1x2 -> `[1, 1, 4, 1]`). The expected output is computed here
//! from the same parameters, independently of the kernel.

use cortex_m_semihosting::hprintln;
use microlite::{
    Error, EvalCtx, Interpreter, Model, OpResolver, PrepareCtx, Registration, TensorType,
};

use crate::rt::Aligned;
use crate::scale_shift_params::{
    SCALE_SHIFT_ADD, SCALE_SHIFT_INPUT, SCALE_SHIFT_MUL, SCALE_SHIFT_NAME, SCALE_SHIFT_SHIFT,
};

/// The model `build.rs` wrote, 16-byte aligned as `Model::from_bytes` requires.
static MODEL: &Aligned<[u8]> = &Aligned(*include_bytes!(concat!(
    env!("OUT_DIR"),
    "/scale_shift.tflite"
)));

/// The kernel the firmware's resolver registers for the model's CUSTOM "ScaleShift" op.
pub const SCALE_SHIFT: Registration = Registration::custom(SCALE_SHIFT_NAME, prepare, eval);

/// Checks the op once (int8 in and out, as many elements, three option bytes
/// `[mul as u8, shift, add as u8]` with `shift < 16`) and keeps `[mul, shift, add]`.
fn prepare(ctx: &mut PrepareCtx<'_>) -> Result<(), Error> {
    let (input, output) = (ctx.input(0)?, ctx.output(0)?);
    if input.ty() != TensorType::Int8 || output.ty() != TensorType::Int8 {
        return Err(ctx.type_error(0));
    }
    if input.element_count() != output.element_count() {
        return Err(ctx.shape_error(0));
    }
    let &[mul, shift, add] = ctx.custom_options() else {
        return Err(ctx.options_error());
    };
    if shift >= 16 {
        return Err(ctx.options_error());
    }
    ctx.persist(&[i32::from(mul as i8), i32::from(shift), i32::from(add as i8)])
}

/// `out = saturate_i8(((x * mul) >> shift) + add)` (arithmetic shift: floor).
fn eval(ctx: &mut EvalCtx<'_>) -> Result<(), Error> {
    let &[mul, shift, add] = ctx.data::<[i32; 3]>()?;
    let input = ctx.input::<i8>(0)?;
    let output = ctx.output::<i8>(0)?;
    for (o, &x) in output.iter_mut().zip(input) {
        *o = (((i32::from(x) * mul) >> shift) + add).clamp(-128, 127) as i8;
    }
    Ok(())
}

/// What the model should output for `SCALE_SHIFT_INPUT`: ScaleShift element by element, then
/// the average of each pair rounded half away from zero (TFLM's int8 AVERAGE_POOL_2D).
fn expected() -> [i8; 4] {
    let mut scaled = [0i32; 8];
    for (s, &x) in scaled.iter_mut().zip(&SCALE_SHIFT_INPUT) {
        let v = (i32::from(x) * i32::from(SCALE_SHIFT_MUL)).div_euclid(1 << SCALE_SHIFT_SHIFT)
            + i32::from(SCALE_SHIFT_ADD);
        *s = v.clamp(i32::from(i8::MIN), i32::from(i8::MAX));
    }
    let mut out = [0i8; 4];
    for (o, pair) in out.iter_mut().zip(scaled.chunks_exact(2)) {
        let sum = pair[0] + pair[1];
        *o = (if sum > 0 {
            (sum + 1) / 2
        } else {
            (sum - 1) / 2
        }) as i8;
    }
    out
}

/// Runs the model twice with `resolver` (which must hold `SCALE_SHIFT` and AVERAGE_POOL_2D)
/// and prints `PASS custom_op` or `FAIL custom_op`.
pub fn run(resolver: &dyn OpResolver, arena: &mut [u8]) -> Result<bool, Error> {
    let model = Model::from_bytes(&MODEL.0)?;
    let mut interp = Interpreter::new(model, resolver, arena)?;
    let want = expected();
    let mut ok = true;
    for _ in 0..2 {
        interp.set_input(0, &SCALE_SHIFT_INPUT)?;
        interp.invoke()?;
        let got = interp.output::<i8>(0)?;
        if got != want {
            hprintln!("custom_op: output {:?}, expected {:?}", got, want);
            ok = false;
        }
    }
    hprintln!("{} custom_op", if ok { "PASS" } else { "FAIL" });
    hprintln!(
        "  CUSTOM \"{}\" (x * {} >> {}) + {} from the firmware, then AVERAGE_POOL_2D 1x2: {:?} -> {:?}",
        SCALE_SHIFT_NAME,
        SCALE_SHIFT_MUL,
        SCALE_SHIFT_SHIFT,
        SCALE_SHIFT_ADD,
        SCALE_SHIFT_INPUT,
        interp.output::<i8>(0)?
    );
    hprintln!("  arena_used_bytes: {}", interp.arena_used_bytes());
    Ok(ok)
}
