//! Size probe: the baseline. The same runtime as every other binary (semihosting output and
//! exit, HardFault/default/SysTick handlers, panic handler), the same embedded `fc_relu_int8`
//! blobs and a RAM buffer the size of the probes' arena, but no microlite: it only checksums
//! the blobs. Probe minus baseline is microlite's own cost (plus the few instructions that
//! call it).
#![no_std]
#![no_main]

#[path = "../rt.rs"]
mod rt;

use core::hint::black_box;
use core::ptr::addr_of_mut;

use cortex_m_rt::entry;
use cortex_m_semihosting::hprintln;

const BUF_BYTES: usize = 8 * 1024;
static mut BUF: [u8; BUF_BYTES] = [0; BUF_BYTES];

#[entry]
fn main() -> ! {
    let c = rt::case!("fc_relu_int8");
    // SAFETY: the only reference ever taken to BUF, taken once.
    let buf = unsafe { &mut *addr_of_mut!(BUF) };
    let mut sum = 0u32;
    for blob in [c.model, c.input, c.golden] {
        let blob = black_box(blob);
        let n = blob.len().min(BUF_BYTES);
        buf[..n].copy_from_slice(&blob[..n]);
        sum = black_box(&buf[..n])
            .iter()
            .fold(sum, |a, &b| a.wrapping_mul(31).wrapping_add(u32::from(b)));
    }
    hprintln!("read {}: checksum {:#010x}", c.name, sum);
    rt::exit(0)
}
