//! Size probe: microlite with the seven ops of TFLM's CNN size figure (CONV_2D,
//! DEPTHWISE_CONV_2D, FULLY_CONNECTED, SOFTMAX, AVERAGE_POOL_2D, RESHAPE, ADD), running the
//! project's `fc_relu_int8` model against its golden.
#![no_std]
#![no_main]

#[path = "../probe.rs"]
mod probe;
#[path = "../rt.rs"]
mod rt;

use cortex_m_rt::entry;
use microlite::{Error, MutableOpResolver};

fn resolver() -> Result<MutableOpResolver<7>, Error> {
    let mut r = MutableOpResolver::<7>::new();
    r.add_conv_2d()?
        .add_depthwise_conv_2d()?
        .add_fully_connected()?
        .add_softmax()?
        .add_average_pool_2d()?
        .add_reshape()?
        .add_add()?;
    Ok(r)
}

#[entry]
fn main() -> ! {
    match resolver() {
        Ok(r) => probe::run_and_exit(&r),
        Err(_) => rt::exit(1),
    }
}
