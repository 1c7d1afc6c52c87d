//! The usual firmware pattern: the interpreter is set up once in `main`, kept in a `static`
//! (`critical_section::Mutex<RefCell<Option<Interpreter<'static>>>>`, with a `'static` model,
//! resolver and arena), and invoked from an exception handler, here PendSV, which `main`
//! pends with `SCB::set_pendsv()`.
//!
//! The handler takes the interpreter out of its `static` in a short critical section, copies
//! the requested input in and invokes with interrupts enabled, then puts the interpreter back
//! and records the output and the outcome. `main` checks the output against TFLM's golden.

use core::cell::RefCell;

use cortex_m::peripheral::SCB;
use cortex_m_rt::exception;
use cortex_m_semihosting::hprintln;
use critical_section::Mutex;
use microlite::{Error, Interpreter, Model, OpResolver};

use crate::rt::{self, Case};

/// Room for the model's output in the handler's record.
const OUTPUT_MAX: usize = 64;

/// The interpreter PendSV runs; `None` until `main` sets it up (and while PendSV holds it).
static INTERP: Mutex<RefCell<Option<Interpreter<'static>>>> = Mutex::new(RefCell::new(None));

/// One request to PendSV and what it left.
struct Job {
    /// The input to copy in before invoking (an `Option`, `None` being all zero, so that
    /// `JOB` starts in `.bss`, not `.data`).
    input: Option<&'static [u8]>,
    /// The output after the invoke, `len` bytes of it.
    output: [u8; OUTPUT_MAX],
    len: usize,
    outcome: Outcome,
}

/// What PendSV did with the last request (`repr(u8)`: an explicit tag, 0 for `Pending`, so
/// that `JOB` starts all zero).
#[derive(Clone, Copy)]
#[repr(u8)]
enum Outcome {
    /// Not run yet.
    Pending,
    /// Ran, but found no interpreter in the `static`.
    NoInterpreter,
    /// Ran the interpreter: the invoke's result.
    Done(Result<(), Error>),
}

static JOB: Mutex<RefCell<Job>> = Mutex::new(RefCell::new(Job {
    input: None,
    output: [0; OUTPUT_MAX],
    len: 0,
    outcome: Outcome::Pending,
}));

#[exception]
fn PendSV() {
    let (interp, input) =
        critical_section::with(|cs| (INTERP.borrow_ref_mut(cs).take(), JOB.borrow_ref(cs).input));
    let Some(mut interp) = interp else {
        critical_section::with(|cs| JOB.borrow_ref_mut(cs).outcome = Outcome::NoInterpreter);
        return;
    };
    // Interrupts stay enabled during the invoke: only the two hand-overs are critical sections.
    let outcome = (|| {
        // No request reads as an empty input, which the length check refuses.
        let input = input.unwrap_or(&[]);
        let dst = interp.input_bytes_mut(0)?;
        if dst.len() != input.len() {
            return Err(Error::WrongLength {
                expected: dst.len(),
                actual: input.len(),
            });
        }
        dst.copy_from_slice(input);
        interp.invoke()
    })();
    critical_section::with(|cs| {
        let mut job = JOB.borrow_ref_mut(cs);
        let out = interp.output_bytes(0).unwrap_or(&[]);
        let outcome = outcome.and_then(|()| {
            let len = out.len();
            job.output
                .get_mut(..len)
                .ok_or(Error::WrongLength {
                    expected: OUTPUT_MAX,
                    actual: len,
                })?
                .copy_from_slice(out);
            job.len = len;
            Ok(())
        });
        job.outcome = Outcome::Done(outcome);
        *INTERP.borrow_ref_mut(cs) = Some(interp);
    });
}

/// Sets up `c`'s model in the `static`, pends PendSV twice with its golden input and checks
/// each output; prints `PASS static interpreter invoked from PendSV` or `FAIL ...`.
pub fn run(
    c: &Case,
    resolver: &'static dyn OpResolver,
    arena: &'static mut [u8],
) -> Result<bool, Error> {
    let mut interp = Interpreter::new(Model::from_bytes(c.model)?, resolver, arena)?;
    let input_len = interp.input_bytes_mut(0)?.len();
    if input_len != c.input.len() {
        hprintln!(
            "{}: input is {} bytes, golden input {}",
            c.name,
            input_len,
            c.input.len()
        );
        return Ok(false);
    }
    critical_section::with(|cs| *INTERP.borrow_ref_mut(cs) = Some(interp));

    let depth = rt::stack_depth();
    let mut ok = true;
    let mut insns = 0;
    let mut stack = 0;
    for round in 1..=2 {
        critical_section::with(|cs| {
            let mut job = JOB.borrow_ref_mut(cs);
            job.input = Some(c.input);
            job.outcome = Outcome::Pending;
            job.len = 0;
        });
        rt::paint_stack();
        // PendSV is taken as soon as it is pending (thread mode runs at the lowest priority):
        // it has run by the time the instruction barrier completes.
        let ((), n) = rt::count(|| {
            SCB::set_pendsv();
            cortex_m::asm::dsb();
            cortex_m::asm::isb();
        });
        stack = stack.max(rt::stack_peak());
        insns = n;
        let (outcome, output, len) = critical_section::with(|cs| {
            let job = JOB.borrow_ref(cs);
            (job.outcome, job.output, job.len)
        });
        match outcome {
            Outcome::Pending => {
                hprintln!("{} (round {}): PendSV did not run", c.name, round);
                ok = false;
            }
            Outcome::NoInterpreter => {
                hprintln!("{} (round {}): PendSV found no interpreter", c.name, round);
                ok = false;
            }
            Outcome::Done(Err(e)) => return Err(e),
            Outcome::Done(Ok(())) => {
                let got = &output[..len];
                if got != c.golden {
                    let at = got.iter().zip(c.golden).position(|(g, w)| g != w);
                    hprintln!(
                        "{} (round {}): output of {} bytes differs from the golden ({} bytes) at {:?}",
                        c.name,
                        round,
                        len,
                        c.golden.len(),
                        at
                    );
                    ok = false;
                }
            }
        }
    }
    let still_there = critical_section::with(|cs| INTERP.borrow_ref(cs).is_some());
    ok &= still_there;
    hprintln!(
        "{} static interpreter invoked from PendSV",
        if ok { "PASS" } else { "FAIL" }
    );
    hprintln!(
        "  {} against TFLM's golden, twice; set_pendsv to return: {} instructions",
        c.name,
        insns
    );
    hprintln!(
        "  stack below main's frame during PendSV (exception frame + handler + invoke): {} bytes",
        stack - depth
    );
    Ok(ok)
}
