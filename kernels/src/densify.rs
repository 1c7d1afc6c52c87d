//! DENSIFY: a sparse constant (TFLite's `SparsityParameters`: a traversal order over the
//! tensor's dimensions and its block dimensions, each level DENSE or SPARSE_CSR) to its dense
//! form, with the semantics of TFLite's `FormatConverter::SparseToDense`, and the checks of
//! TFLite's model verifier (plus the ones that keep the walk inside the output).
//!
//! No heap and no recursion: the walk keeps one cursor per level in fixed arrays.

use crate::KernelError;

/// Most dimensions of a sparse tensor (as the interpreter's largest rank).
pub const MAX_DIMS: usize = 6;
/// Most levels: every dimension, and one block dimension per dimension.
pub const MAX_LEVELS: usize = 2 * MAX_DIMS;

/// A `SparseIndexVector`'s values as stored in the model (little-endian bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IndexVector<'a> {
    /// `Int32Vector`: four bytes per value.
    Int32(&'a [u8]),
    /// `Uint16Vector`: two bytes per value.
    Uint16(&'a [u8]),
    /// `Uint8Vector`: one byte per value.
    Uint8(&'a [u8]),
}

impl IndexVector<'_> {
    /// Number of values.
    pub fn len(&self) -> usize {
        match *self {
            IndexVector::Int32(b) => b.len() / 4,
            IndexVector::Uint16(b) => b.len() / 2,
            IndexVector::Uint8(b) => b.len(),
        }
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Value `i` (`None` past the end).
    pub fn get(&self, i: usize) -> Option<i64> {
        match *self {
            IndexVector::Int32(b) => {
                let at = i.checked_mul(4)?;
                let w = b.get(at..at.checked_add(4)?)?;
                let mut a = [0u8; 4];
                a.copy_from_slice(w);
                Some(i64::from(i32::from_le_bytes(a)))
            }
            IndexVector::Uint16(b) => {
                let at = i.checked_mul(2)?;
                match b.get(at..at.checked_add(2)?)? {
                    &[lo, hi] => Some(i64::from(u16::from_le_bytes([lo, hi]))),
                    _ => None,
                }
            }
            IndexVector::Uint8(b) => b.get(i).map(|&v| i64::from(v)),
        }
    }
}

/// One level of the traversal: a `DimensionMetadata`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DimLevel<'a> {
    /// Every index of the dimension is stored: its `dense_size`.
    Dense(i32),
    /// Compressed: for each position of the levels above, `segments[p]..segments[p + 1]`
    /// delimits that position's stored indices in `indices`.
    SparseCsr {
        /// `array_segments`.
        segments: IndexVector<'a>,
        /// `array_indices`.
        indices: IndexVector<'a>,
    },
}

/// A verified sparse layout: what [`densify`] walks.
///
/// A block's size is the dense size of the level that walks it (TFLite's verifier; its
/// converter reads `dim_metadata[traversal_order[rank + b]]`, the same level whenever the
/// block dimensions' order is its own inverse, as for every one or two block dimensions).
#[derive(Clone, Copy, Debug)]
pub struct SparseLayout<'a> {
    rank: usize,
    shape: [usize; MAX_DIMS],
    levels: usize,
    /// Per level: the (expanded) dimension it walks.
    order: [usize; MAX_LEVELS],
    dims: [DimLevel<'a>; MAX_LEVELS],
    /// Per block dimension: the dimension it splits, and its size.
    block_map: [usize; MAX_DIMS],
    block_size: [usize; MAX_DIMS],
    /// Number of values the layout stores.
    values: usize,
}

impl<'a> SparseLayout<'a> {
    /// Checks a tensor's sparsity against its `shape` and returns the layout.
    ///
    /// The checks are TFLite's verifier's (the first `rank` entries of `traversal_order` a
    /// permutation of the dimensions and the rest of the block dimensions; one block map entry
    /// per block dimension; dense sizes equal to the (blocked) dimension; segments
    /// non-negative, non-decreasing, one more than the positions above them and ending at the
    /// number of indices; indices inside their dimension), and: block sizes positive, each
    /// dimension blocked at most once, the block map increasing.
    ///
    /// # Errors
    /// [`KernelError::BadParams`] for any of those; [`KernelError::ShapeMismatch`] when the
    /// ranks exceed [`MAX_DIMS`] / [`MAX_LEVELS`].
    pub fn new(
        shape: &[i32],
        traversal_order: &[i32],
        block_map: &[i32],
        dims: &[DimLevel<'a>],
    ) -> Result<Self, KernelError> {
        let bad = KernelError::BadParams;
        let (rank, levels) = (shape.len(), traversal_order.len());
        if rank > MAX_DIMS || levels > MAX_LEVELS {
            return Err(KernelError::ShapeMismatch);
        }
        if levels < rank || dims.len() != levels {
            return Err(bad);
        }
        let blocks = levels - rank;
        // TFLite ignores a block map when there are no block dimensions.
        let block_map = if blocks == 0 { &[][..] } else { block_map };
        if block_map.len() != blocks || blocks > MAX_DIMS {
            return Err(bad);
        }
        let mut l = SparseLayout {
            rank,
            shape: [0; MAX_DIMS],
            levels,
            order: [0; MAX_LEVELS],
            dims: [DimLevel::Dense(0); MAX_LEVELS],
            block_map: [0; MAX_DIMS],
            block_size: [0; MAX_DIMS],
            values: 0,
        };
        for (s, &d) in l.shape.iter_mut().zip(shape) {
            *s = usize::try_from(d).map_err(|_| bad)?;
        }
        // The traversal order: original dimensions first, then block dimensions.
        let mut seen = [false; MAX_LEVELS];
        for (j, (o, &t)) in l.order.iter_mut().zip(traversal_order).enumerate() {
            let t = usize::try_from(t).map_err(|_| bad)?;
            let ok = if j < rank {
                t < rank
            } else {
                t >= rank && t < levels
            };
            let s = seen.get_mut(t).ok_or(bad)?;
            if !ok || *s {
                return Err(bad);
            }
            *s = true;
            *o = t;
        }
        for (d, &s) in l.dims.iter_mut().zip(dims) {
            *d = s;
        }
        // Expanded sizes: a blocked dimension holds shape / block of its blocks.
        let mut size = [0usize; MAX_LEVELS];
        size.get_mut(..rank)
            .ok_or(bad)?
            .copy_from_slice(l.shape.get(..rank).ok_or(bad)?);
        let mut prev: Option<usize> = None;
        for b in 0..blocks {
            let m = usize::try_from(*block_map.get(b).ok_or(bad)?).map_err(|_| bad)?;
            if m >= rank || prev.is_some_and(|p| m <= p) {
                return Err(bad);
            }
            prev = Some(m);
            // The level that walks block dimension `rank + b` gives the block's size.
            let level = l.order.iter().position(|&o| o == rank + b).ok_or(bad)?;
            let bs = match l.dims.get(level).ok_or(bad)? {
                DimLevel::Dense(n) => usize::try_from(*n).map_err(|_| bad)?,
                DimLevel::SparseCsr { .. } => return Err(bad),
            };
            if bs == 0 {
                return Err(bad);
            }
            *l.block_map.get_mut(b).ok_or(bad)? = m;
            *l.block_size.get_mut(b).ok_or(bad)? = bs;
            *size.get_mut(rank + b).ok_or(bad)? = bs;
            let s = size.get_mut(m).ok_or(bad)?;
            *s /= bs;
        }
        // Walk the levels as TFLite's verifier counts them.
        let mut count: usize = 1;
        for j in 0..levels {
            let dim_size = *size.get(*l.order.get(j).ok_or(bad)?).ok_or(bad)?;
            match *l.dims.get(j).ok_or(bad)? {
                DimLevel::Dense(n) => {
                    if usize::try_from(n).ok() != Some(dim_size) {
                        return Err(bad);
                    }
                    count = count.checked_mul(dim_size).ok_or(bad)?;
                }
                DimLevel::SparseCsr { segments, indices } => {
                    if segments.len() != count.checked_add(1).ok_or(bad)? {
                        return Err(bad);
                    }
                    let mut last = 0i64;
                    for p in 0..segments.len() {
                        let s = segments.get(p).ok_or(bad)?;
                        if s < 0 || (p > 0 && s < last) {
                            return Err(bad);
                        }
                        last = s;
                    }
                    if usize::try_from(last).ok() != Some(indices.len()) {
                        return Err(bad);
                    }
                    for p in 0..indices.len() {
                        let v = indices.get(p).ok_or(bad)?;
                        if v < 0 || usize::try_from(v).map_or(true, |v| v >= dim_size) {
                            return Err(bad);
                        }
                    }
                    count = indices.len();
                }
            }
        }
        l.values = count;
        Ok(l)
    }

    /// Number of values stored (what the tensor's buffer must hold).
    pub fn value_count(&self) -> usize {
        self.values
    }

    /// Number of elements of the dense tensor.
    pub fn dense_count(&self) -> usize {
        self.shape
            .iter()
            .take(self.rank)
            .fold(1usize, |a, &d| a.saturating_mul(d))
    }

    /// The dense flat index of a leaf whose level coordinates are `coord`.
    fn flat_index(&self, coord: &[usize; MAX_LEVELS]) -> Option<usize> {
        let mut idx = [0usize; MAX_DIMS];
        for j in 0..self.levels {
            let (o, c) = (*self.order.get(j)?, *coord.get(j)?);
            if j < self.rank {
                *idx.get_mut(o)? = c;
            } else {
                let b = o - self.rank;
                let m = *self.block_map.get(b)?;
                let x = idx.get_mut(m)?;
                *x = x.checked_mul(*self.block_size.get(b)?)?.checked_add(c)?;
            }
        }
        let mut flat = 0usize;
        for d in 0..self.rank {
            flat = flat
                .checked_mul(*self.shape.get(d)?)?
                .checked_add(*idx.get(d)?)?;
        }
        Some(flat)
    }
}

/// Writes the dense form of `values` (elements `width` bytes wide, `layout.value_count()` of
/// them) into `output` (`layout.dense_count()` elements): zero bytes everywhere, then each
/// stored value at its place, in TFLite's traversal order (a later value wins a repeated
/// place). A zero of float32, float16 and int8 is all zero bytes.
///
/// # Errors
/// [`KernelError::ShapeMismatch`] when `values` or `output` have the wrong length.
pub fn densify(
    layout: &SparseLayout<'_>,
    width: usize,
    values: &[u8],
    output: &mut [u8],
) -> Result<(), KernelError> {
    let shape = KernelError::ShapeMismatch;
    if width == 0
        || Some(values.len()) != layout.values.checked_mul(width)
        || Some(output.len()) != layout.dense_count().checked_mul(width)
    {
        return Err(shape);
    }
    output.fill(0);
    if layout.dense_count() == 0 {
        return Ok(());
    }
    let levels = layout.levels;
    // Per level: the position range being walked and the current position.
    let mut start = [0usize; MAX_LEVELS];
    let mut pos = [0usize; MAX_LEVELS];
    let mut end = [0usize; MAX_LEVELS];
    let mut coord = [0usize; MAX_LEVELS];
    let mut next = 0usize; // the next stored value
                           // Positions of level `j` under parent position `parent`.
    let range = |j: usize, parent: usize| -> Option<(usize, usize)> {
        match *layout.dims.get(j)? {
            DimLevel::Dense(n) => {
                let n = usize::try_from(n).ok()?;
                let from = parent.checked_mul(n)?;
                Some((from, from.checked_add(n)?))
            }
            DimLevel::SparseCsr { segments, .. } => {
                let a = usize::try_from(segments.get(parent)?).ok()?;
                let b = usize::try_from(segments.get(parent.checked_add(1)?)?).ok()?;
                Some((a, b))
            }
        }
    };
    if levels == 0 {
        // A scalar: one value.
        output.copy_from_slice(values.get(..width).ok_or(shape)?);
        return Ok(());
    }
    let (a, b) = range(0, 0).ok_or(shape)?;
    (start[0], pos[0], end[0]) = (a, a, b);
    let mut j = 0usize;
    loop {
        let (p, e) = (*pos.get(j).ok_or(shape)?, *end.get(j).ok_or(shape)?);
        if p >= e {
            // This level is done: back to the one above.
            if j == 0 {
                break;
            }
            j -= 1;
            *pos.get_mut(j).ok_or(shape)? += 1;
            continue;
        }
        let c = match *layout.dims.get(j).ok_or(shape)? {
            DimLevel::Dense(_) => p - *start.get(j).ok_or(shape)?,
            DimLevel::SparseCsr { indices, .. } => {
                usize::try_from(indices.get(p).ok_or(shape)?).map_err(|_| shape)?
            }
        };
        *coord.get_mut(j).ok_or(shape)? = c;
        if j + 1 == levels {
            // A leaf: place the next stored value.
            let at = layout.flat_index(&coord).ok_or(shape)?;
            let dst = at
                .checked_mul(width)
                .and_then(|s| output.get_mut(s..s.checked_add(width)?))
                .ok_or(shape)?;
            let src = next
                .checked_mul(width)
                .and_then(|s| values.get(s..s.checked_add(width)?))
                .ok_or(shape)?;
            dst.copy_from_slice(src);
            next += 1;
            *pos.get_mut(j).ok_or(shape)? += 1;
        } else {
            let (a, b) = range(j + 1, p).ok_or(shape)?;
            j += 1;
            *start.get_mut(j).ok_or(shape)? = a;
            *pos.get_mut(j).ok_or(shape)? = a;
            *end.get_mut(j).ok_or(shape)? = b;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn i32s(v: &[i32]) -> Vec<u8> {
        v.iter().flat_map(|x| x.to_le_bytes()).collect()
    }

    /// A 4x4 matrix in 2x2 blocks: block rows dense, block columns CSR, blocks dense.
    #[test]
    fn blocks_2x2() {
        // Blocks (0, 1) and (1, 0) stored; values row-major inside each block.
        let (seg, idx) = (i32s(&[0, 1, 2]), i32s(&[1, 0]));
        let levels = [
            DimLevel::Dense(2),
            DimLevel::SparseCsr {
                segments: IndexVector::Int32(&seg),
                indices: IndexVector::Int32(&idx),
            },
            DimLevel::Dense(2),
            DimLevel::Dense(2),
        ];
        let l = SparseLayout::new(&[4, 4], &[0, 1, 2, 3], &[0, 1], &levels).unwrap();
        assert_eq!((l.value_count(), l.dense_count()), (8, 16));
        let values: Vec<u8> = (1..=8).collect();
        let mut out = [0xAAu8; 16];
        densify(&l, 1, &values, &mut out).unwrap();
        #[rustfmt::skip]
        let want = [
            0, 0, 1, 2,
            0, 0, 3, 4,
            5, 6, 0, 0,
            7, 8, 0, 0,
        ];
        assert_eq!(out, want);
        // Wrong lengths are errors, not panics.
        assert_eq!(
            densify(&l, 1, &values[..7], &mut out),
            Err(KernelError::ShapeMismatch)
        );
        assert_eq!(
            densify(&l, 2, &values, &mut out),
            Err(KernelError::ShapeMismatch)
        );
    }

    #[test]
    fn column_major_traversal_and_bad_layouts() {
        // A 2x3 matrix walked column first: columns dense, rows CSR.
        let (seg, idx) = ([0u8, 1, 1, 3], [1u8, 0, 1]);
        let levels = [
            DimLevel::Dense(3),
            DimLevel::SparseCsr {
                segments: IndexVector::Uint8(&seg),
                indices: IndexVector::Uint8(&idx),
            },
        ];
        let l = SparseLayout::new(&[2, 3], &[1, 0], &[], &levels).unwrap();
        let mut out = [0u8; 6];
        densify(&l, 1, &[7, 8, 9], &mut out).unwrap();
        assert_eq!(out, [0, 0, 8, 7, 0, 9]);
        let bad = Err(KernelError::BadParams);
        // Not a permutation; a dense size that is not the dimension; an index past it.
        assert_eq!(
            SparseLayout::new(&[2, 3], &[1, 1], &[], &levels).map(|_| ()),
            bad
        );
        let d = [DimLevel::Dense(4), levels[1]];
        assert_eq!(
            SparseLayout::new(&[2, 3], &[1, 0], &[], &d).map(|_| ()),
            bad
        );
        let idx2 = [2u8, 0, 1];
        let d = [
            levels[0],
            DimLevel::SparseCsr {
                segments: IndexVector::Uint8(&seg),
                indices: IndexVector::Uint8(&idx2),
            },
        ];
        assert_eq!(
            SparseLayout::new(&[2, 3], &[1, 0], &[], &d).map(|_| ()),
            bad
        );
        // Decreasing segments.
        let seg2 = [0u8, 2, 1, 3];
        let d = [
            levels[0],
            DimLevel::SparseCsr {
                segments: IndexVector::Uint8(&seg2),
                indices: IndexVector::Uint8(&idx),
            },
        ];
        assert_eq!(
            SparseLayout::new(&[2, 3], &[1, 0], &[], &d).map(|_| ()),
            bad
        );
    }
}
