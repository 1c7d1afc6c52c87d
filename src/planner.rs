//! Greedy arena planning over tensor lifetimes, in the manner of TFLM's greedy planner.
//!
//! Buffers are placed largest first at the lowest 16-byte-aligned offset that does not overlap
//! any already placed buffer whose lifetime overlaps. Placed buffers are kept in a list sorted by
//! offset (a "next" link per buffer in the caller's tables), so each placement is one walk of
//! that list: O(n²) in all, with no heap and no scratch memory of the planner's own.

/// Alignment of every buffer in the arena.
pub const ALIGN: usize = 16;

/// Rounds `n` up to the arena alignment (saturating).
pub(crate) fn align_up(n: usize) -> usize {
    n.saturating_add(ALIGN - 1) & !(ALIGN - 1)
}

/// The buffers to plan: sizes (already aligned; 0 means "not in the arena"), lifetimes as
/// inclusive op-index ranges, the offsets the planner writes, and a link slot per buffer.
pub(crate) trait Buffers {
    fn count(&self) -> usize;
    fn size(&self, i: usize) -> usize;
    fn lifetime(&self, i: usize) -> (u32, u32);
    fn offset(&self, i: usize) -> Option<usize>;
    fn set_offset(&mut self, i: usize, offset: usize);
    /// The buffer placed after `i` in offset order.
    fn next(&self, i: usize) -> Option<usize>;
    fn set_next(&mut self, i: usize, next: Option<usize>);
}

fn overlaps(a: (u32, u32), b: (u32, u32)) -> bool {
    a.0 <= b.1 && b.0 <= a.1
}

/// Places every buffer with a non-zero size and returns the bytes the plan spans, or `None`
/// when an offset would pass `limit` (the largest offset the caller can record).
#[cfg(test)]
pub(crate) fn plan<B: Buffers + ?Sized>(b: &mut B, limit: usize) -> Option<usize> {
    plan_list(b, limit).map(|(total, _)| total)
}

/// As [`plan`], also returning the first buffer of the placed list (sorted by offset).
pub(crate) fn plan_list<B: Buffers + ?Sized>(
    b: &mut B,
    limit: usize,
) -> Option<(usize, Option<usize>)> {
    let n = b.count();
    let mut total = 0usize;
    let mut first: Option<usize> = None;
    for _ in 0..n {
        // The largest unplaced buffer; ties go to the later one, as in TFLM.
        let mut pick: Option<(usize, usize)> = None;
        for i in 0..n {
            let s = b.size(i);
            if s == 0 || b.offset(i).is_some() {
                continue;
            }
            if pick.is_none_or(|(_, ps)| s >= ps) {
                pick = Some((i, s));
            }
        }
        let Some((i, size)) = pick else { break };
        let life = b.lifetime(i);
        // Walk placed buffers by offset: the first gap among those live at the same time.
        let mut at = 0usize;
        let mut cur = first;
        let mut steps = 0;
        while let Some(j) = cur {
            steps += 1;
            if steps > n {
                return None; // a broken list; cannot happen with consistent tables
            }
            if overlaps(life, b.lifetime(j)) {
                let o = b.offset(j).unwrap_or(0);
                if o >= at.checked_add(size)? {
                    break;
                }
                at = at.max(o.checked_add(b.size(j))?);
            }
            cur = b.next(j);
        }
        let end = at.checked_add(size)?;
        if end > limit {
            return None;
        }
        b.set_offset(i, at);
        // Insert `i` into the list, keeping it sorted by offset.
        let (mut before, mut after) = (None, first);
        for _ in 0..n {
            let Some(j) = after else { break };
            if b.offset(j).unwrap_or(0) > at {
                break;
            }
            before = Some(j);
            after = b.next(j);
        }
        b.set_next(i, after);
        match before {
            Some(p) => b.set_next(p, Some(i)),
            None => first = Some(i),
        }
        total = total.max(end);
    }
    Some((total, first))
}

/// The widest free region of `[0, limit)` during buffer `i`'s lifetime, walking the placed
/// list from `first`: `(offset, bytes)`. Buffer `i` itself does not count as occupied, so
/// the region is at least as large as its own place.
pub(crate) fn widest_gap<B: Buffers + ?Sized>(
    b: &B,
    first: Option<usize>,
    i: usize,
    limit: usize,
) -> (usize, usize) {
    let life = b.lifetime(i);
    let (mut best, mut at) = ((0, 0), 0usize);
    let mut cur = first;
    for _ in 0..b.count() {
        let Some(j) = cur else { break };
        let size = b.size(j);
        if j != i && size > 0 && overlaps(life, b.lifetime(j)) {
            let o = b.offset(j).unwrap_or(0);
            if o > at && o - at > best.1 {
                best = (at, o - at);
            }
            at = at.max(o.saturating_add(size));
        }
        cur = b.next(j);
    }
    if limit > at && limit - at > best.1 {
        best = (at, limit - at);
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec;
    use std::vec::Vec;

    struct V(Vec<(usize, (u32, u32), Option<usize>, Option<usize>)>);
    impl Buffers for V {
        fn count(&self) -> usize {
            self.0.len()
        }
        fn size(&self, i: usize) -> usize {
            self.0[i].0
        }
        fn lifetime(&self, i: usize) -> (u32, u32) {
            self.0[i].1
        }
        fn offset(&self, i: usize) -> Option<usize> {
            self.0[i].2
        }
        fn set_offset(&mut self, i: usize, o: usize) {
            self.0[i].2 = Some(o);
        }
        fn next(&self, i: usize) -> Option<usize> {
            self.0[i].3
        }
        fn set_next(&mut self, i: usize, n: Option<usize>) {
            self.0[i].3 = n;
        }
    }

    fn v(items: &[(usize, (u32, u32))]) -> V {
        V(items.iter().map(|&(s, l)| (s, l, None, None)).collect())
    }

    /// The plan by exhaustive search over candidate offsets: the definition of "lowest fit".
    fn reference(items: &[(usize, (u32, u32))]) -> Vec<Option<usize>> {
        let mut off: Vec<Option<usize>> = vec![None; items.len()];
        let mut order: Vec<usize> = (0..items.len()).filter(|&i| items[i].0 > 0).collect();
        // Largest first; ties: later index first.
        order.sort_by(|&a, &b| items[b].0.cmp(&items[a].0).then(b.cmp(&a)));
        for &i in &order {
            let (size, life) = items[i];
            let conflicts: Vec<(usize, usize)> = (0..items.len())
                .filter_map(|j| {
                    off[j]
                        .filter(|_| overlaps(life, items[j].1))
                        .map(|o| (o, o + items[j].0))
                })
                .collect();
            let mut cands: Vec<usize> = vec![0];
            cands.extend(conflicts.iter().map(|c| c.1));
            cands.sort();
            let at = cands
                .into_iter()
                .find(|&c| conflicts.iter().all(|&(s, e)| c + size <= s || e <= c))
                .unwrap();
            off[i] = Some(at);
        }
        off
    }

    #[test]
    fn chain_reuses_memory() {
        // a -> b -> c: a and c can share.
        let mut b = v(&[(64, (0, 0)), (32, (0, 1)), (64, (1, 1))]);
        assert_eq!(plan(&mut b, usize::MAX), Some(96));
        assert_eq!(b.0[0].2, Some(0));
        assert_eq!(b.0[2].2, Some(0));
        assert_eq!(b.0[1].2, Some(64));
    }

    #[test]
    fn matches_exhaustive_lowest_fit() {
        let mut seed = 0x1234_5678u32;
        let mut rnd = |m: u32| {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            seed % m
        };
        for _ in 0..200 {
            let n = 1 + rnd(24) as usize;
            let items: Vec<(usize, (u32, u32))> = (0..n)
                .map(|_| {
                    let a = rnd(10);
                    (16 * rnd(6) as usize, (a, a + rnd(4)))
                })
                .collect();
            let mut b = v(&items);
            let total = plan(&mut b, usize::MAX).unwrap();
            let want = reference(&items);
            let got: Vec<Option<usize>> = b.0.iter().map(|x| x.2).collect();
            assert_eq!(got, want, "{items:?}");
            let span = items
                .iter()
                .zip(&want)
                .filter_map(|(it, o)| o.map(|o| o + it.0))
                .max()
                .unwrap_or(0);
            assert_eq!(total, span);
        }
    }

    #[test]
    fn limit_stops_planning() {
        let mut b = v(&[(64, (0, 1)), (64, (0, 1))]);
        assert_eq!(plan(&mut b, 100), None);
        let mut b = v(&[(64, (0, 1)), (64, (0, 1))]);
        assert_eq!(plan(&mut b, 128), Some(128));
    }
}
