//! The firmware's check of one model: plan it, invoke it twice on the golden input, compare
//! both outputs with TFLM's golden byte for byte, and print instructions, arena and stack.

use cortex_m_semihosting::hprintln;
use microlite::{Error, Interpreter, Model, OpResolver};

use crate::rt::{self, Case};

/// Plans `c`'s model in `arena`, invokes it twice on the golden input and checks both outputs.
pub fn run(c: &Case, resolver: &dyn OpResolver, arena: &mut [u8]) -> Result<bool, Error> {
    let arena_len = arena.len();
    let depth = rt::stack_depth();
    rt::paint_stack();
    let (interp, setup) = rt::count(|| -> Result<Interpreter<'_>, Error> {
        let model = Model::from_bytes(c.model)?;
        Interpreter::new(model, resolver, arena)
    });
    let setup_stack = rt::stack_peak();
    let mut interp = interp?;
    let mut invoke_stack = 0;

    let mut ok = true;
    let mut insns = 0;
    for round in 0..2 {
        // Both rounds from a fresh state (models with variable tensors, SVDF's, remember).
        interp.reset();
        // The planner may reuse the input's bytes for later tensors: set it before every invoke.
        let input = interp.input_bytes_mut(0)?;
        if input.len() != c.input.len() {
            hprintln!(
                "{}: input is {} bytes, golden input {}",
                c.name,
                input.len(),
                c.input.len()
            );
            return Ok(false);
        }
        input.copy_from_slice(c.input);
        rt::paint_stack();
        let (r, n) = rt::count(|| interp.invoke());
        invoke_stack = invoke_stack.max(rt::stack_peak());
        r?;
        insns = n;
        ok &= matches(c, round, interp.output_bytes(0)?);
    }

    hprintln!("{} {}", if ok { "PASS" } else { "FAIL" }, c.name);
    hprintln!("  instructions per invoke: {}", insns);
    if let Some((reference, cmsis)) = c.tflm {
        // Ratios in hundredths, integer math only.
        let ratio = |t: u64| t * 100 / insns.max(1);
        let r = ratio(reference);
        let n = ratio(cmsis);
        hprintln!(
            "  TFLM on the same QEMU board: reference kernels {} ({}.{:02}x microlite's), CMSIS-NN {} ({}.{:02}x)",
            reference,
            r / 100,
            r % 100,
            cmsis,
            n / 100,
            n % 100
        );
    }
    // A profile: the same invoke once more, op by op, summed per operator type.
    let mut types: [(i32, u32, u64); 16] = [(-1, 0, 0); 16];
    let mut stepped = 0;
    for i in 0..interp.op_count() {
        let (r, n) = rt::count(|| interp.invoke_op(i));
        r?;
        stepped += n;
        let code = interp.op_builtin(i).map_or(-1, |b| b.0);
        if interp.op_count() <= 40 {
            let name = microlite::BuiltinOperator(code).name().unwrap_or("?");
            hprintln!("    op {} {}: {} instructions", i, name, n);
        }
        if let Some(e) = types.iter_mut().find(|e| e.0 == code || e.0 == -1) {
            *e = (code, e.1 + 1, e.2 + n);
        }
    }
    hprintln!(
        "  op by op (Interpreter::invoke_op): {} instructions",
        stepped
    );
    for &(code, ops, n) in types.iter().filter(|e| e.0 >= 0) {
        let name = microlite::BuiltinOperator(code).name().unwrap_or("?");
        hprintln!("    {:<20} {:>3} ops {:>11} instructions", name, ops, n);
    }
    hprintln!(
        "  instructions for Model::from_bytes + Interpreter::new: {}",
        setup
    );
    hprintln!(
        "  arena_used_bytes: {} (head {} + tail {}) of {}",
        interp.arena_used_bytes(),
        interp.head_bytes(),
        interp.tail_bytes(),
        arena_len
    );
    hprintln!(
        "  stack below the caller: {} bytes in setup, {} in invoke",
        setup_stack - depth,
        invoke_stack - depth
    );
    Ok(ok)
}

/// Whether `got` equals `c`'s golden output byte for byte; prints the first difference.
fn matches(c: &Case, round: usize, got: &[u8]) -> bool {
    if got.len() != c.golden.len() {
        hprintln!(
            "{} (invoke {}): output is {} bytes, golden {}",
            c.name,
            round + 1,
            got.len(),
            c.golden.len()
        );
        return false;
    }
    match got.iter().zip(c.golden).position(|(g, w)| g != w) {
        None => true,
        Some(i) => {
            hprintln!(
                "{} (invoke {}): output[{}] = {}, golden {}",
                c.name,
                round + 1,
                i,
                got[i] as i8,
                c.golden[i] as i8
            );
            false
        }
    }
}
