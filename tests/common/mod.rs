//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// Whether this is a CI run (`CI=true`), where a missing `../shared` set is a failure.
pub fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// The shared real models, when the checkout has `../shared/models` beside it (`None`, and the
/// tests that need it skip); under CI a missing folder fails instead of passing silently.
pub fn shared_models() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/models");
    if p.is_dir() {
        return Some(p);
    }
    assert!(!under_ci(), "{} not found under CI", p.display());
    eprintln!("skipping: {} not found", p.display());
    None
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

/// A `.npy` file (versions 1 to 3, C order) of int8 or int16, the dtypes the integration
/// tests read: its shape, element width and values widened to `i32`.
pub struct Npy {
    pub shape: Vec<usize>,
    pub bits: u32,
    pub values: Vec<i32>,
}

impl Npy {
    pub fn read(path: &Path) -> Npy {
        let b = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(&b[..6], b"\x93NUMPY", "{}: not a .npy file", path.display());
        let (len, start) = match b[6] {
            1 => (u16::from_le_bytes([b[8], b[9]]) as usize, 10),
            _ => (u32::from_le_bytes([b[8], b[9], b[10], b[11]]) as usize, 12),
        };
        let header = std::str::from_utf8(&b[start..start + len]).unwrap();
        let data = &b[start + len..];
        let field = |key: &str| {
            let at = header
                .find(key)
                .unwrap_or_else(|| panic!("{header}: no {key}"));
            header[at + key.len()..].trim_start_matches([':', ' ', '\''])
        };
        assert!(
            field("'fortran_order'").starts_with("False"),
            "{}: Fortran order",
            path.display()
        );
        let shape_text = field("'shape'");
        let shape: Vec<usize> = shape_text[1..shape_text.find(')').unwrap()]
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| s.parse().unwrap())
            .collect();
        let descr = field("'descr'");
        let (bits, values): (u32, Vec<i32>) = if descr.starts_with("|i1") {
            (8, data.iter().map(|&v| i32::from(v as i8)).collect())
        } else if descr.starts_with("<i2") {
            let v = data.chunks_exact(2);
            (
                16,
                v.map(|c| i32::from(i16::from_le_bytes([c[0], c[1]])))
                    .collect(),
            )
        } else {
            panic!("{}: dtype {descr} (int8 or int16 only)", path.display())
        };
        assert_eq!(
            values.len(),
            shape.iter().product::<usize>(),
            "{}: data length",
            path.display()
        );
        Npy {
            shape,
            bits,
            values,
        }
    }

    pub fn i8s(&self) -> Vec<i8> {
        assert_eq!(self.bits, 8, "not an int8 array");
        self.values
            .iter()
            .map(|&v| i8::try_from(v).unwrap())
            .collect()
    }

    pub fn i16s(&self) -> Vec<i16> {
        assert_eq!(self.bits, 16, "not an int16 array");
        self.values
            .iter()
            .map(|&v| i16::try_from(v).unwrap())
            .collect()
    }
}
