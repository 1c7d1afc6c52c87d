//! A small, safe reader for the FlexBuffer maps custom ops keep as `custom_options` (TFLM's
//! signal ops, `TFLite_Detection_PostProcess`).
//!
//! TFLM's `FlexbufferWrapper` reads a map's values *by position*: the values of a FlexBuffer
//! map are stored in ascending byte order of their keys, so value `i` is the `i`-th key
//! alphabetically, read as an integer of the map's byte width whatever its type byte says.
//! Only the `T` attribute (RFFT, IRFFT, OverlapAdd) is looked up by key. Detection
//! post-processing looks every option up by key and reads it as `flexbuffers::Reference`'s
//! `AsInt32` / `AsFloat` / `AsBool` convert it ([`FlexValue`]). This reader does all of it,
//! and every out-of-range offset is a `None` rather than a read past the buffer.

/// FlexBuffer type codes (the high six bits of a packed type byte).
const FBT_NULL: u8 = 0;
const FBT_INT: u8 = 1;
const FBT_UINT: u8 = 2;
const FBT_FLOAT: u8 = 3;
const FBT_INDIRECT_INT: u8 = 6;
const FBT_INDIRECT_UINT: u8 = 7;
const FBT_INDIRECT_FLOAT: u8 = 8;
const FBT_MAP: u8 = 9;
const FBT_BOOL: u8 = 26;

/// A scalar map value, as its type byte says it is stored.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum FlexValue {
    /// `FBT_NULL`.
    Null,
    /// `FBT_INT` or `FBT_INDIRECT_INT`.
    Int(i64),
    /// `FBT_UINT` or `FBT_INDIRECT_UINT`.
    UInt(u64),
    /// `FBT_FLOAT` or `FBT_INDIRECT_FLOAT` (4 or 8 bytes).
    Float(f64),
    /// `FBT_BOOL` (its stored integer).
    Bool(u64),
}

/// 2^63 and 2^64 as doubles: the ends of C++'s defined float-to-integer casts.
const TWO_63: f64 = 9_223_372_036_854_775_808.0;
const TWO_64: f64 = 18_446_744_073_709_551_616.0;

impl FlexValue {
    /// `AsInt32()`: integers truncated to 32 bits, floats toward zero, null 0; `None` for a
    /// float that C++ could not convert (NaN, infinite or beyond `i64`).
    pub(crate) fn as_i32(self) -> Option<i32> {
        Some(match self {
            FlexValue::Null => 0,
            FlexValue::Int(v) => v as i32,
            FlexValue::UInt(v) => v as i32,
            FlexValue::Bool(v) => v as i32,
            FlexValue::Float(f) => {
                if !(-TWO_63..TWO_63).contains(&f) {
                    return None;
                }
                f as i64 as i32
            }
        })
    }

    /// `AsFloat()`: the value as a double, rounded to `f32`; null 0.
    pub(crate) fn as_f32(self) -> f32 {
        match self {
            FlexValue::Null => 0.0,
            FlexValue::Int(v) => v as f64 as f32,
            FlexValue::UInt(v) => v as f64 as f32,
            FlexValue::Bool(v) => v as f64 as f32,
            FlexValue::Float(f) => f as f32,
        }
    }

    /// `AsBool()`: not zero; `None` for a float C++ could not convert to an integer.
    pub(crate) fn as_bool(self) -> Option<bool> {
        match self {
            FlexValue::Float(f) => {
                if !(f > -1.0 && f < TWO_64) {
                    return None;
                }
                Some(f as u64 != 0)
            }
            FlexValue::Null => Some(false),
            FlexValue::Int(v) => Some(v != 0),
            FlexValue::UInt(v) => Some(v != 0),
            FlexValue::Bool(v) => Some(v != 0),
        }
    }
}

/// The root map of a FlexBuffer.
#[derive(Clone, Copy, Debug)]
pub(crate) struct FlexMap<'a> {
    buf: &'a [u8],
    /// Where the values start.
    data: usize,
    /// The map's byte width (of its values and its header fields).
    width: usize,
    /// Number of entries.
    len: usize,
    /// Where the keys vector starts, and its byte width.
    keys: usize,
    keys_width: usize,
}

/// The little-endian unsigned integer of `width` bytes at `at`.
fn read_uint(buf: &[u8], at: usize, width: usize) -> Option<u64> {
    let bytes = buf.get(at..at.checked_add(width)?)?;
    Some(
        bytes
            .iter()
            .rev()
            .fold(0u64, |acc, &b| (acc << 8) | u64::from(b)),
    )
}

/// The little-endian signed integer of `width` bytes at `at`, sign-extended.
fn read_int(buf: &[u8], at: usize, width: usize) -> Option<i64> {
    let u = read_uint(buf, at, width)?;
    let bits = 8 * width as u32;
    if bits >= 64 {
        return Some(u as i64);
    }
    let shift = 64 - bits;
    Some(((u << shift) as i64) >> shift)
}

/// A valid FlexBuffer byte width.
fn width(w: u64) -> Option<usize> {
    matches!(w, 1 | 2 | 4 | 8).then_some(w as usize)
}

impl<'a> FlexMap<'a> {
    /// Parses `buf` as a FlexBuffer whose root is a map.
    pub(crate) fn parse(buf: &'a [u8]) -> Option<Self> {
        let n = buf.len();
        let root_width = width(u64::from(*buf.last()?))?;
        let packed = *buf.get(n.checked_sub(2)?)?;
        if packed >> 2 != FBT_MAP {
            return None;
        }
        let w = 1usize << (packed & 3);
        let root_at = n.checked_sub(2)?.checked_sub(root_width)?;
        let offset = usize::try_from(read_uint(buf, root_at, root_width)?).ok()?;
        let data = root_at.checked_sub(offset)?;
        let len = usize::try_from(read_uint(buf, data.checked_sub(w)?, w)?).ok()?;
        let keys_width = width(read_uint(buf, data.checked_sub(2 * w)?, w)?)?;
        let keys_field = data.checked_sub(3 * w)?;
        let keys_off = usize::try_from(read_uint(buf, keys_field, w)?).ok()?;
        let keys = keys_field.checked_sub(keys_off)?;
        // Values and their type bytes must lie inside the buffer.
        let end = data.checked_add(len.checked_mul(w)?)?.checked_add(len)?;
        if end > n {
            return None;
        }
        Some(FlexMap {
            buf,
            data,
            width: w,
            len,
            keys,
            keys_width,
        })
    }

    /// Number of entries.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// TFLM's `ElementAsInt32(i)`: value `i`'s bytes as a signed integer of the map's width,
    /// truncated to 32 bits (its type byte is not looked at).
    pub(crate) fn int(&self, i: usize) -> Option<i32> {
        if i >= self.len {
            return None;
        }
        let v = read_int(self.buf, self.data + i * self.width, self.width)?;
        Some(v as i32)
    }

    /// TFLM's `ElementAsBool(i)`: value `i`'s bytes, unsigned, not zero.
    pub(crate) fn bool(&self, i: usize) -> Option<bool> {
        if i >= self.len {
            return None;
        }
        Some(read_uint(self.buf, self.data + i * self.width, self.width)? != 0)
    }

    /// The key of entry `i`.
    fn key(&self, i: usize) -> Option<&'a [u8]> {
        let at = self.keys.checked_add(i.checked_mul(self.keys_width)?)?;
        let off = usize::try_from(read_uint(self.buf, at, self.keys_width)?).ok()?;
        let start = at.checked_sub(off)?;
        let rest = self.buf.get(start..)?;
        let end = rest.iter().position(|&b| b == 0)?;
        rest.get(..end)
    }

    /// The value under `key` as an int32 (`flexbuffers::Map[key].AsInt32()` for int, uint and
    /// bool values); `None` when the key is absent or holds another type.
    pub(crate) fn lookup_int(&self, key: &str) -> Option<i32> {
        match self.lookup(key)?? {
            v @ (FlexValue::Int(_) | FlexValue::UInt(_) | FlexValue::Bool(_)) => v.as_i32(),
            _ => None,
        }
    }

    /// The scalar under `key`: `None` when the key is absent (`Map[key]` is then null to
    /// TFLM), `Some(None)` when its value is not a scalar this reader knows (a string, a
    /// vector, a float narrower than 4 bytes) or lies outside the buffer.
    pub(crate) fn lookup(&self, key: &str) -> Option<Option<FlexValue>> {
        let i = (0..self.len).find(|&i| self.key(i) == Some(key.as_bytes()))?;
        Some(self.value(i))
    }

    /// Value `i` by its type byte.
    fn value(&self, i: usize) -> Option<FlexValue> {
        let packed = *self.buf.get(self.data + self.len * self.width + i)?;
        let at = self.data + i * self.width;
        // An indirect scalar: an offset back to it, its width in the type byte.
        let indirect = || -> Option<(usize, usize)> {
            let off = usize::try_from(read_uint(self.buf, at, self.width)?).ok()?;
            Some((at.checked_sub(off)?, 1usize << (packed & 3)))
        };
        let float = |at: usize, w: usize| -> Option<f64> {
            let bits = read_uint(self.buf, at, w)?;
            match w {
                4 => Some(f64::from(f32::from_bits(bits as u32))),
                8 => Some(f64::from_bits(bits)),
                _ => None,
            }
        };
        Some(match packed >> 2 {
            FBT_NULL => FlexValue::Null,
            FBT_INT => FlexValue::Int(read_int(self.buf, at, self.width)?),
            FBT_UINT => FlexValue::UInt(read_uint(self.buf, at, self.width)?),
            FBT_BOOL => FlexValue::Bool(read_uint(self.buf, at, self.width)?),
            FBT_FLOAT => FlexValue::Float(float(at, self.width)?),
            FBT_INDIRECT_INT => {
                let (to, w) = indirect()?;
                FlexValue::Int(read_int(self.buf, to, w)?)
            }
            FBT_INDIRECT_UINT => {
                let (to, w) = indirect()?;
                FlexValue::UInt(read_uint(self.buf, to, w)?)
            }
            FBT_INDIRECT_FLOAT => {
                let (to, w) = indirect()?;
                FlexValue::Float(float(to, w)?)
            }
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `flexbuffers.Dumps({"end_index": 241, "start_index": 5})` (keys sorted, as the
    /// converter writes them): width 2 because 241 does not fit a signed byte.
    const ENERGY: &[u8] = &[
        101, 110, 100, 95, 105, 110, 100, 101, 120, 0, 115, 116, 97, 114, 116, 95, 105, 110, 100,
        101, 120, 0, 2, 23, 14, 0, 3, 0, 1, 0, 2, 0, 241, 0, 5, 0, 5, 5, 6, 37, 1,
    ];
    /// `flexbuffers.Dumps({"T": 7, "fft_length": 512})`.
    const RFFT: &[u8] = &[
        84, 0, 102, 102, 116, 95, 108, 101, 110, 103, 116, 104, 0, 2, 14, 13, 2, 0, 1, 0, 2, 0, 7,
        0, 0, 2, 5, 5, 6, 37, 1,
    ];

    /// `flexbuffers.Dumps({"flag": True, "iou": 0.5, "n": -3, "s": 10.0})`: width 4, floats
    /// as `f32` (as the TF converter writes detection post-processing's options).
    const MIXED4: &[u8] = &[
        102, 108, 97, 103, 0, 105, 111, 117, 0, 110, 0, 115, 0, 4, 14, 10, 7, 6, 0, 0, 6, 0, 0, 0,
        1, 0, 0, 0, 4, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 63, 253, 255, 255, 255, 0, 0, 32, 65, 106, 14,
        6, 14, 20, 38, 1,
    ];
    /// `flexbuffers.Dumps({"big": 70000, "score": 0.3, "yes": False})`: width 8, the float
    /// as a double.
    const MIXED8: &[u8] = &[
        98, 105, 103, 0, 115, 99, 111, 114, 101, 0, 121, 101, 115, 0, 3, 15, 12, 7, 0, 0, 0, 0, 0,
        0, 9, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 112, 17, 1, 0,
        0, 0, 0, 0, 51, 51, 51, 51, 51, 51, 211, 63, 0, 0, 0, 0, 0, 0, 0, 0, 7, 15, 107, 27, 39, 1,
    ];
    /// A map of `IndirectFloat(2.5)` under "f", `IndirectInt(-7)` under "i" and the string
    /// "x" under "s" (Python's `flexbuffers.Builder`).
    const INDIRECT: &[u8] = &[
        102, 0, 0, 0, 0, 0, 32, 64, 105, 0, 249, 115, 0, 1, 120, 0, 3, 17, 10, 8, 3, 1, 3, 19, 14,
        11, 34, 24, 20, 6, 36, 1,
    ];

    #[test]
    fn typed_lookups() {
        let m = FlexMap::parse(MIXED4).unwrap();
        assert_eq!(m.lookup("flag"), Some(Some(FlexValue::Bool(1))));
        assert_eq!(m.lookup("iou"), Some(Some(FlexValue::Float(0.5))));
        assert_eq!(m.lookup("n"), Some(Some(FlexValue::Int(-3))));
        assert_eq!(
            m.lookup("s").and_then(|v| v).map(FlexValue::as_f32),
            Some(10.0)
        );
        assert_eq!(
            m.lookup("s").and_then(|v| v).and_then(FlexValue::as_i32),
            Some(10)
        );
        assert_eq!(
            m.lookup("n").and_then(|v| v).map(FlexValue::as_f32),
            Some(-3.0)
        );
        assert_eq!(
            m.lookup("flag")
                .and_then(|v| v)
                .and_then(FlexValue::as_bool),
            Some(true)
        );
        assert_eq!(m.lookup("missing"), None);
        assert_eq!(m.lookup_int("n"), Some(-3));
        assert_eq!(m.lookup_int("iou"), None);
        let m = FlexMap::parse(MIXED8).unwrap();
        assert_eq!(
            m.lookup("big").and_then(|v| v).and_then(FlexValue::as_i32),
            Some(70000)
        );
        assert_eq!(
            m.lookup("score").and_then(|v| v).map(FlexValue::as_f32),
            Some(0.3)
        );
        assert_eq!(
            m.lookup("yes").and_then(|v| v).and_then(FlexValue::as_bool),
            Some(false)
        );
        let m = FlexMap::parse(INDIRECT).unwrap();
        assert_eq!(m.lookup("f"), Some(Some(FlexValue::Float(2.5))));
        assert_eq!(m.lookup("i"), Some(Some(FlexValue::Int(-7))));
        assert_eq!(m.lookup("s"), Some(None));
        // C++'s casts: NaN and out-of-range floats are refused, not wrapped.
        assert_eq!(FlexValue::Float(f64::NAN).as_i32(), None);
        assert_eq!(FlexValue::Float(1e19).as_i32(), None);
        assert_eq!(FlexValue::Float(-2.9).as_i32(), Some(-2));
        assert_eq!(FlexValue::Float(-0.5).as_bool(), Some(false));
        assert_eq!(FlexValue::Float(-1.0).as_bool(), None);
        assert_eq!(FlexValue::Int(1 << 32).as_i32(), Some(0));
        assert_eq!(FlexValue::Null.as_f32(), 0.0);
        for buf in [MIXED4, MIXED8, INDIRECT] {
            for k in 0..buf.len() {
                for b in [&buf[k..], &buf[..k]] {
                    if let Some(m) = FlexMap::parse(b) {
                        for key in ["flag", "iou", "n", "s", "big", "score", "yes", "f", "i"] {
                            let _ = m.lookup(key);
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn reads_by_position_and_by_key() {
        let m = FlexMap::parse(ENERGY).unwrap();
        assert_eq!(m.len(), 2);
        assert_eq!(m.int(0), Some(241));
        assert_eq!(m.int(1), Some(5));
        assert_eq!(m.int(2), None);
        assert_eq!(m.lookup_int("start_index"), Some(5));
        assert_eq!(m.lookup_int("T"), None);
        assert!(m.bool(0).unwrap());
        let r = FlexMap::parse(RFFT).unwrap();
        assert_eq!((r.int(0), r.int(1)), (Some(7), Some(512)));
        assert_eq!(r.lookup_int("T"), Some(7));
        assert_eq!(r.lookup_int("fft_length"), Some(512));
        // Empty map.
        let e = FlexMap::parse(&[0, 0, 1, 0, 0, 36, 1]).unwrap();
        assert_eq!(e.len(), 0);
        // Truncations never panic.
        for k in 0..ENERGY.len() {
            let _ = FlexMap::parse(&ENERGY[k..]).map(|m| (m.int(1), m.lookup_int("x")));
            let _ = FlexMap::parse(&ENERGY[..k]);
        }
    }
}
