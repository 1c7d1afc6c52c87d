//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The shared real models, when the checkout has `../shared/models` beside it.
pub fn shared_models() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/models");
    p.is_dir().then_some(p)
}

/// The project's own conformance corpus.
pub fn own_models() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance")
}

/// Every `model.tflite` under the shared set and the own corpus.
pub fn all_model_files() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for set in shared_models().into_iter().chain(Some(own_models())) {
        let Ok(rd) = std::fs::read_dir(&set) else {
            continue;
        };
        let mut v: Vec<PathBuf> = rd
            .filter_map(|e| e.ok())
            .map(|e| e.path().join("model.tflite"))
            .filter(|p| p.is_file())
            .collect();
        v.sort();
        out.extend(v);
    }
    out
}

/// 16-byte-aligned bytes.
pub struct Aligned {
    buf: Vec<u8>,
    off: usize,
    len: usize,
}

impl Aligned {
    pub fn zeroed(len: usize) -> Self {
        let buf = vec![0u8; len + 32];
        let off = buf.as_ptr().align_offset(16);
        Aligned { buf, off, len }
    }
    pub fn copy_of(b: &[u8]) -> Self {
        let mut a = Self::zeroed(b.len());
        a.as_mut_slice().copy_from_slice(b);
        a
    }
    pub fn as_slice(&self) -> &[u8] {
        &self.buf[self.off..self.off + self.len]
    }
    pub fn as_mut_slice(&mut self) -> &mut [u8] {
        &mut self.buf[self.off..self.off + self.len]
    }
    /// The same bytes starting one byte past a 16-byte boundary.
    pub fn misaligned_mut(&mut self) -> &mut [u8] {
        &mut self.buf[self.off + 1..self.off + 1 + self.len]
    }
}

pub fn load(path: &Path) -> Aligned {
    Aligned::copy_of(&std::fs::read(path).unwrap())
}
