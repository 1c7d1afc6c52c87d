//! A bounds-checked, zero-copy reader for the subset of the FlatBuffers wire format TFLite uses.
//!
//! Every primitive returns a typed error instead of reading out of bounds; [`crate::Model`]
//! walks the whole model once with these, so later accessors can treat failures as impossible
//! and fall back to defaults without ever panicking.

use crate::error::{Error, Malformed};

/// Reads `N` bytes at `pos`, or `None` when they run past the end.
#[inline]
fn bytes<const N: usize>(buf: &[u8], pos: usize) -> Option<[u8; N]> {
    let end = pos.checked_add(N)?;
    let s = buf.get(pos..end)?;
    let mut out = [0u8; N];
    out.copy_from_slice(s);
    Some(out)
}

#[inline]
pub(crate) fn read_u16(buf: &[u8], pos: usize) -> Option<u16> {
    bytes::<2>(buf, pos).map(u16::from_le_bytes)
}
#[inline]
pub(crate) fn read_u32(buf: &[u8], pos: usize) -> Option<u32> {
    bytes::<4>(buf, pos).map(u32::from_le_bytes)
}
#[inline]
pub(crate) fn read_i32(buf: &[u8], pos: usize) -> Option<i32> {
    bytes::<4>(buf, pos).map(i32::from_le_bytes)
}
#[inline]
pub(crate) fn read_i64(buf: &[u8], pos: usize) -> Option<i64> {
    bytes::<8>(buf, pos).map(i64::from_le_bytes)
}
#[inline]
pub(crate) fn read_u64(buf: &[u8], pos: usize) -> Option<u64> {
    bytes::<8>(buf, pos).map(u64::from_le_bytes)
}
#[inline]
pub(crate) fn read_f32(buf: &[u8], pos: usize) -> Option<f32> {
    bytes::<4>(buf, pos).map(f32::from_le_bytes)
}

fn at(pos: usize) -> u32 {
    u32::try_from(pos).unwrap_or(u32::MAX)
}

/// A verified table: its vtable and inline size lie inside the buffer.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Table<'a> {
    buf: &'a [u8],
    pos: usize,
    vtable: usize,
    vtable_len: usize,
    table_len: usize,
}

impl<'a> Table<'a> {
    /// Checks the table header at `pos`: its vtable offset, vtable size and inline size.
    pub(crate) fn at(buf: &'a [u8], pos: usize) -> Result<Self, Error> {
        let bad = |_| Error::Malformed(Malformed::VTable { at: at(pos) });
        let soffset =
            read_i32(buf, pos).ok_or(Error::Malformed(Malformed::Offset { at: at(pos) }))?;
        let vt = (pos as i64)
            .checked_sub(i64::from(soffset))
            .ok_or(())
            .map_err(bad)?;
        let vtable = usize::try_from(vt).map_err(|_| ()).map_err(bad)?;
        let vtable_len = usize::from(read_u16(buf, vtable).ok_or(()).map_err(bad)?);
        let table_len = usize::from(read_u16(buf, vtable + 2).ok_or(()).map_err(bad)?);
        if vtable_len < 4 || vtable_len % 2 != 0 || vtable + vtable_len > buf.len() {
            return Err(bad(()));
        }
        if table_len < 4 || pos + table_len > buf.len() {
            return Err(bad(()));
        }
        Ok(Table {
            buf,
            pos,
            vtable,
            vtable_len,
            table_len,
        })
    }

    /// The byte position of field `id` inside the buffer, if present and `size` bytes fit.
    fn field(&self, id: u16, size: usize) -> Result<Option<usize>, Error> {
        let slot = 4 + 2 * usize::from(id);
        if slot + 2 > self.vtable_len {
            return Ok(None);
        }
        let off = usize::from(read_u16(self.buf, self.vtable + slot).unwrap_or(0));
        if off == 0 {
            return Ok(None);
        }
        if off + size > self.table_len {
            return Err(Error::Malformed(Malformed::Field { at: at(self.pos) }));
        }
        Ok(Some(self.pos + off))
    }

    pub(crate) fn u8(&self, id: u16, default: u8) -> Result<u8, Error> {
        Ok(match self.field(id, 1)? {
            Some(p) => self.buf.get(p).copied().unwrap_or(default),
            None => default,
        })
    }
    pub(crate) fn i8(&self, id: u16, default: i8) -> Result<i8, Error> {
        Ok(self.u8(id, default as u8)? as i8)
    }
    pub(crate) fn bool(&self, id: u16, default: bool) -> Result<bool, Error> {
        Ok(self.u8(id, u8::from(default))? != 0)
    }
    /// A 4-byte scalar field's bits (one copy of the read for `i32`, `u32` and `f32`).
    fn word(&self, id: u16, default: u32) -> Result<u32, Error> {
        Ok(match self.field(id, 4)? {
            Some(p) => read_u32(self.buf, p).unwrap_or(default),
            None => default,
        })
    }
    pub(crate) fn i32(&self, id: u16, default: i32) -> Result<i32, Error> {
        Ok(self.word(id, default as u32)? as i32)
    }
    pub(crate) fn u32(&self, id: u16, default: u32) -> Result<u32, Error> {
        self.word(id, default)
    }
    pub(crate) fn u64(&self, id: u16, default: u64) -> Result<u64, Error> {
        Ok(match self.field(id, 8)? {
            Some(p) => read_u64(self.buf, p).unwrap_or(default),
            None => default,
        })
    }
    pub(crate) fn f32(&self, id: u16, default: f32) -> Result<f32, Error> {
        Ok(f32::from_bits(self.word(id, default.to_bits())?))
    }

    /// Follows the offset stored in field `id`.
    fn indirect(&self, id: u16) -> Result<Option<usize>, Error> {
        let Some(p) = self.field(id, 4)? else {
            return Ok(None);
        };
        let rel = read_u32(self.buf, p).unwrap_or(0) as usize;
        let target = p
            .checked_add(rel)
            .filter(|&t| rel != 0 && t < self.buf.len());
        match target {
            Some(t) => Ok(Some(t)),
            None => Err(Error::Malformed(Malformed::Offset { at: at(p) })),
        }
    }

    pub(crate) fn table(&self, id: u16) -> Result<Option<Table<'a>>, Error> {
        match self.indirect(id)? {
            Some(t) => Table::at(self.buf, t).map(Some),
            None => Ok(None),
        }
    }

    /// A vector of `elem`-byte elements in field `id`; absent reads as empty.
    pub(crate) fn vector(&self, id: u16, elem: usize) -> Result<Vector<'a>, Error> {
        let Some(v) = self.indirect(id)? else {
            return Ok(Vector::empty(self.buf, elem));
        };
        Vector::at(self.buf, v, elem)
    }

    pub(crate) fn bytes(&self, id: u16) -> Result<&'a [u8], Error> {
        Ok(self.vector(id, 1)?.raw())
    }

    /// String field `id` as text: `None` when absent past its bounds or not UTF-8. Models
    /// are verified with [`Self::bytes`] (strings are bytes to TFLM), so only hosts that ask
    /// for a name link UTF-8 validation.
    pub(crate) fn string(&self, id: u16) -> Option<&'a str> {
        core::str::from_utf8(self.bytes(id).ok()?).ok()
    }

    /// Position of the table in the buffer (for error reports).
    pub(crate) fn pos(&self) -> usize {
        self.pos
    }
}

/// A verified vector: its length word and elements lie inside the buffer.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Vector<'a> {
    buf: &'a [u8],
    start: usize,
    len: usize,
    elem: usize,
}

impl<'a> Vector<'a> {
    pub(crate) fn empty(buf: &'a [u8], elem: usize) -> Self {
        Vector {
            buf,
            start: 0,
            len: 0,
            elem,
        }
    }

    fn at(buf: &'a [u8], pos: usize, elem: usize) -> Result<Self, Error> {
        let bad = Error::Malformed(Malformed::Vector { at: at(pos) });
        let len = read_u32(buf, pos).ok_or(bad)? as usize;
        let start = pos + 4;
        let end = len
            .checked_mul(elem)
            .and_then(|n| n.checked_add(start))
            .ok_or(bad)?;
        if end > buf.len() {
            return Err(bad);
        }
        Ok(Vector {
            buf,
            start,
            len,
            elem,
        })
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The elements' bytes.
    pub(crate) fn raw(&self) -> &'a [u8] {
        self.buf
            .get(self.start..self.start + self.len * self.elem)
            .unwrap_or(&[])
    }

    pub(crate) fn i32(&self, i: usize) -> i32 {
        if i >= self.len {
            return 0;
        }
        read_i32(self.buf, self.start + 4 * i).unwrap_or(0)
    }
    pub(crate) fn f32(&self, i: usize) -> f32 {
        if i >= self.len {
            return 0.0;
        }
        read_f32(self.buf, self.start + 4 * i).unwrap_or(0.0)
    }
    pub(crate) fn i64(&self, i: usize) -> i64 {
        if i >= self.len {
            return 0;
        }
        read_i64(self.buf, self.start + 8 * i).unwrap_or(0)
    }

    /// Element `i` of a vector of tables.
    pub(crate) fn table(&self, i: usize) -> Result<Table<'a>, Error> {
        if i >= self.len {
            return Err(Error::Malformed(Malformed::Offset { at: at(self.start) }));
        }
        let p = self.start + 4 * i;
        let bad = Error::Malformed(Malformed::Offset { at: at(p) });
        let rel = read_u32(self.buf, p).ok_or(bad)? as usize;
        let t = p.checked_add(rel).filter(|_| rel != 0).ok_or(bad)?;
        Table::at(self.buf, t)
    }
}

/// Checks the 8-byte header and returns the root table.
pub(crate) fn root<'a>(buf: &'a [u8], ident: &[u8; 4]) -> Result<Table<'a>, Error> {
    if buf.len() < 8 {
        return Err(Error::Malformed(Malformed::TooShort { len: at(buf.len()) }));
    }
    if buf.get(4..8) != Some(&ident[..]) {
        return Err(Error::Malformed(Malformed::FileIdentifier));
    }
    let rel = read_u32(buf, 0).unwrap_or(0) as usize;
    if rel < 8 || rel >= buf.len() {
        return Err(Error::Malformed(Malformed::Offset { at: 0 }));
    }
    Table::at(buf, rel)
}
