//! Minimal `.npy` (v1-v3, C order, little-endian) reading and writing.

use std::fmt;

/// Element types the conformance sets use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DType {
    I8,
    U8,
    I16,
    I32,
    U32,
    I64,
    U64,
    F32,
    Bool,
}

impl DType {
    fn parse(descr: &str) -> Option<Self> {
        Some(match descr.trim_start_matches(['<', '|', '=']) {
            "i1" => DType::I8,
            "u1" => DType::U8,
            "i2" => DType::I16,
            "i4" => DType::I32,
            "u4" => DType::U32,
            "i8" => DType::I64,
            "u8" => DType::U64,
            "f4" => DType::F32,
            "b1" => DType::Bool,
            _ => return None,
        })
    }
    /// Bytes per element.
    pub fn size(self) -> usize {
        match self {
            DType::I8 | DType::U8 | DType::Bool => 1,
            DType::I16 => 2,
            DType::I32 | DType::U32 | DType::F32 => 4,
            DType::I64 | DType::U64 => 8,
        }
    }
    /// The numpy descriptor.
    pub fn descr(self) -> &'static str {
        match self {
            DType::I8 => "|i1",
            DType::U8 => "|u1",
            DType::I16 => "<i2",
            DType::I32 => "<i4",
            DType::U32 => "<u4",
            DType::I64 => "<i8",
            DType::U64 => "<u8",
            DType::F32 => "<f4",
            DType::Bool => "|b1",
        }
    }
    /// The numpy name (`int8`, ...), as in `meta.json`.
    pub fn name(self) -> &'static str {
        match self {
            DType::I8 => "int8",
            DType::U8 => "uint8",
            DType::I16 => "int16",
            DType::I32 => "int32",
            DType::U32 => "uint32",
            DType::I64 => "int64",
            DType::U64 => "uint64",
            DType::F32 => "float32",
            DType::Bool => "bool",
        }
    }
    /// The dtype holding a microlite tensor type.
    pub fn of(ty: microlite::TensorType) -> Option<Self> {
        use microlite::TensorType as T;
        Some(match ty {
            T::Int8 => DType::I8,
            T::UInt8 => DType::U8,
            T::Int16 => DType::I16,
            T::Int32 => DType::I32,
            T::UInt32 => DType::U32,
            T::Int64 => DType::I64,
            T::UInt64 => DType::U64,
            T::Float32 => DType::F32,
            T::Bool => DType::Bool,
            _ => return None,
        })
    }
}

/// An array read from a `.npy` file: dtype, shape and raw little-endian bytes.
#[derive(Clone, Debug, PartialEq)]
pub struct Array {
    pub dtype: DType,
    pub shape: Vec<usize>,
    pub data: Vec<u8>,
}

/// Why a `.npy` could not be read.
#[derive(Debug)]
pub struct NpyError(pub String);

impl fmt::Display for NpyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn err<T>(m: impl Into<String>) -> Result<T, NpyError> {
    Err(NpyError(m.into()))
}

/// Value of `key` in the header dict, as raw text up to the next top-level comma.
fn field<'h>(header: &'h str, key: &str) -> Option<&'h str> {
    let at = header.find(&format!("'{key}'"))?;
    let rest = header[at + key.len() + 2..]
        .trim_start()
        .strip_prefix(':')?
        .trim_start();
    let end = if rest.starts_with('(') {
        rest.find(')')? + 1
    } else {
        rest.find([',', '}']).unwrap_or(rest.len())
    };
    Some(rest[..end].trim())
}

impl Array {
    /// Parses `.npy` bytes.
    pub fn parse(bytes: &[u8]) -> Result<Array, NpyError> {
        if bytes.len() < 10 || &bytes[..6] != b"\x93NUMPY" {
            return err("not a .npy file");
        }
        let (hlen, start): (usize, usize) = match bytes[6] {
            1 => (u16::from_le_bytes([bytes[8], bytes[9]]) as usize, 10),
            2 | 3 if bytes.len() >= 12 => (
                u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize,
                12,
            ),
            v => return err(format!("unsupported .npy version {v}")),
        };
        let data_at = start
            .checked_add(hlen)
            .ok_or(NpyError("truncated header".into()))?;
        let header = bytes
            .get(start..data_at)
            .ok_or(NpyError("truncated header".into()))?;
        let header =
            std::str::from_utf8(header).map_err(|_| NpyError("header is not text".into()))?;
        let descr = field(header, "descr")
            .ok_or(NpyError("no descr".into()))?
            .trim_matches(['\'', '"']);
        let dtype = DType::parse(descr).ok_or(NpyError(format!("unsupported dtype {descr}")))?;
        if descr.starts_with('>') && dtype.size() > 1 {
            return err("big-endian arrays are not supported");
        }
        if field(header, "fortran_order") != Some("False") {
            return err("Fortran-order arrays are not supported");
        }
        let shape_txt = field(header, "shape").ok_or(NpyError("no shape".into()))?;
        let shape = shape_txt
            .trim_matches(['(', ')'])
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse::<usize>()
                    .map_err(|_| NpyError(format!("bad shape {shape_txt}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let n = shape
            .iter()
            .try_fold(dtype.size(), |a, &d| a.checked_mul(d))
            .ok_or(NpyError(format!("shape {shape_txt} is too large")))?;
        let data = bytes.get(data_at..).unwrap_or(&[]);
        if data.len() != n {
            return err(format!("expected {n} data bytes, found {}", data.len()));
        }
        Ok(Array {
            dtype,
            shape,
            data: data.to_vec(),
        })
    }

    /// Reads a `.npy` file.
    pub fn read(path: &std::path::Path) -> Result<Array, NpyError> {
        let bytes =
            std::fs::read(path).map_err(|e| NpyError(format!("{}: {e}", path.display())))?;
        Array::parse(&bytes).map_err(|e| NpyError(format!("{}: {e}", path.display())))
    }

    /// Serialises as `.npy` v1.0.
    pub fn to_bytes(&self) -> Vec<u8> {
        let shape = match self.shape.len() {
            1 => format!("({},)", self.shape[0]),
            _ => format!(
                "({})",
                self.shape
                    .iter()
                    .map(|d| d.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        let mut header = format!(
            "{{'descr': '{}', 'fortran_order': False, 'shape': {}, }}",
            self.dtype.descr(),
            shape
        );
        let total = 10 + header.len() + 1;
        header.push_str(&" ".repeat((64 - total % 64) % 64));
        header.push('\n');
        let mut out = b"\x93NUMPY\x01\x00".to_vec();
        out.extend_from_slice(&(header.len() as u16).to_le_bytes());
        out.extend_from_slice(header.as_bytes());
        out.extend_from_slice(&self.data);
        out
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.shape.iter().product()
    }

    /// Whether the array has no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Element `i` as f64 (for summaries and float comparisons).
    pub fn get_f64(&self, i: usize) -> f64 {
        let s = self.dtype.size();
        let b = &self.data[i * s..i * s + s];
        match self.dtype {
            DType::I8 => b[0] as i8 as f64,
            DType::U8 | DType::Bool => b[0] as f64,
            DType::I16 => i16::from_le_bytes([b[0], b[1]]) as f64,
            DType::I32 => i32::from_le_bytes([b[0], b[1], b[2], b[3]]) as f64,
            DType::U32 => u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as f64,
            DType::I64 => i64::from_le_bytes(b.try_into().unwrap_or([0; 8])) as f64,
            DType::U64 => u64::from_le_bytes(b.try_into().unwrap_or([0; 8])) as f64,
            DType::F32 => f32::from_le_bytes([b[0], b[1], b[2], b[3]]) as f64,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let a = Array {
            dtype: DType::F32,
            shape: vec![2, 3],
            data: (0..24).collect(),
        };
        assert_eq!(Array::parse(&a.to_bytes()).unwrap(), a);
        let b = Array {
            dtype: DType::I8,
            shape: vec![5],
            data: vec![1, 2, 3, 4, 5],
        };
        assert_eq!(Array::parse(&b.to_bytes()).unwrap(), b);
    }
}
