//! A small, safe reader for the FlexBuffer maps TFLM's signal ops keep as `custom_options`.
//!
//! TFLM's `FlexbufferWrapper` reads a map's values *by position*: the values of a FlexBuffer
//! map are stored in ascending byte order of their keys, so value `i` is the `i`-th key
//! alphabetically, read as an integer of the map's byte width whatever its type byte says.
//! Only the `T` attribute (RFFT, IRFFT, OverlapAdd) is looked up by key. This reader does
//! both, and every out-of-range offset is a `None` rather than a read past the buffer.

/// FlexBuffer type codes (the high six bits of a packed type byte).
const FBT_INT: u8 = 1;
const FBT_UINT: u8 = 2;
const FBT_MAP: u8 = 9;
const FBT_BOOL: u8 = 26;

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
        let i = (0..self.len).find(|&i| self.key(i) == Some(key.as_bytes()))?;
        let ty = *self.buf.get(self.data + self.len * self.width + i)? >> 2;
        let at = self.data + i * self.width;
        match ty {
            FBT_INT => Some(read_int(self.buf, at, self.width)? as i32),
            FBT_UINT | FBT_BOOL => Some(read_uint(self.buf, at, self.width)? as i32),
            _ => None,
        }
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
