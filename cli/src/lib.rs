//! Host-side support for the `microlite` CLI: aligned model loading, `.npy` files and the
//! conformance runner shared by `microlite conform` and the test suite, the argument parser and
//! the reports of `inspect`, `plan`, `run` and `bench`.

pub mod args;
pub mod conform;
pub mod npy;
pub mod report;

use microlite::{AllOpsResolver, Error, Interpreter, Model};

/// Bytes placed at a 16-byte-aligned address, as the interpreter's arena and a model need.
pub struct Aligned {
    buf: Vec<u8>,
    off: usize,
    len: usize,
}

impl Aligned {
    /// `len` zero bytes, 16-byte aligned.
    pub fn zeroed(len: usize) -> Self {
        let buf = vec![0u8; len + 16];
        let off = buf.as_ptr().align_offset(16);
        Aligned { buf, off, len }
    }

    /// A 16-byte-aligned copy of `bytes`.
    pub fn copy_of(bytes: &[u8]) -> Self {
        let mut a = Aligned::zeroed(bytes.len());
        a.as_mut_slice().copy_from_slice(bytes);
        a
    }

    /// The bytes.
    pub fn as_slice(&self) -> &[u8] {
        &self.buf[self.off..self.off + self.len]
    }

    /// The bytes, mutably.
    pub fn as_mut_slice(&mut self) -> &mut [u8] {
        &mut self.buf[self.off..self.off + self.len]
    }
}

/// Reads a model file into aligned memory.
pub fn read_model(path: &std::path::Path) -> Result<Aligned, String> {
    std::fs::read(path)
        .map(|b| Aligned::copy_of(&b))
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// Bytes of arena scratch used to measure a model's exact need.
pub(crate) const MEASURE_BYTES: usize = 64 << 20;

/// The exact arena `model` needs with every kernel registered.
///
/// # Errors
/// The model's typed error.
pub fn arena_needed(model: Model<'_>, resolver: &AllOpsResolver) -> Result<usize, Error> {
    let mut scratch = Aligned::zeroed(MEASURE_BYTES);
    Interpreter::arena_size(model, resolver, scratch.as_mut_slice())
}
