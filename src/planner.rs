//! Greedy arena planning over tensor lifetimes, in the manner of TFLM's greedy planner.
//!
//! Buffers are placed largest first at the lowest 16-byte-aligned offset that does not overlap
//! any already placed buffer whose lifetime overlaps. The planner keeps no state of its own:
//! sizes, lifetimes and offsets live in the caller's tables, so it needs no heap and no
//! scratch memory.

/// Alignment of every buffer in the arena.
pub const ALIGN: usize = 16;

/// Rounds `n` up to the arena alignment (saturating).
pub(crate) fn align_up(n: usize) -> usize {
    n.saturating_add(ALIGN - 1) & !(ALIGN - 1)
}

/// The buffers to plan: sizes (already aligned; 0 means "not in the arena"), lifetimes as
/// inclusive op-index ranges, and the offsets the planner writes.
pub(crate) trait Buffers {
    fn count(&self) -> usize;
    fn size(&self, i: usize) -> usize;
    fn lifetime(&self, i: usize) -> (u32, u32);
    fn offset(&self, i: usize) -> Option<usize>;
    fn set_offset(&mut self, i: usize, offset: usize);
}

fn overlaps(a: (u32, u32), b: (u32, u32)) -> bool {
    a.0 <= b.1 && b.0 <= a.1
}

/// Places every buffer with a non-zero size and returns the bytes the plan spans.
pub(crate) fn plan<B: Buffers + ?Sized>(b: &mut B) -> usize {
    let n = b.count();
    let mut total = 0usize;
    loop {
        // The largest unplaced buffer; ties go to the later one, as in TFLM.
        let mut pick: Option<(usize, usize)> = None;
        for i in 0..n {
            let s = b.size(i);
            if s == 0 || b.offset(i).is_some() {
                continue;
            }
            if pick.map_or(true, |(_, ps)| s >= ps) {
                pick = Some((i, s));
            }
        }
        let Some((i, size)) = pick else { break };
        let life = b.lifetime(i);
        // The lowest feasible offset is 0 or the end of a conflicting placed buffer.
        let fits = |b: &B, at: usize| {
            (0..n).all(|j| match b.offset(j) {
                Some(o) if overlaps(life, b.lifetime(j)) => {
                    at.saturating_add(size) <= o || o.saturating_add(b.size(j)) <= at
                }
                _ => true,
            })
        };
        let mut best = if fits(b, 0) { Some(0) } else { None };
        for j in 0..n {
            let Some(o) = b.offset(j) else { continue };
            if !overlaps(life, b.lifetime(j)) {
                continue;
            }
            let cand = o.saturating_add(b.size(j));
            if best.map_or(true, |bo| cand < bo) && fits(b, cand) {
                best = Some(cand);
            }
        }
        let at = best.unwrap_or(total);
        b.set_offset(i, at);
        total = total.max(at.saturating_add(size));
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec;
    use std::vec::Vec;

    struct V(Vec<(usize, (u32, u32), Option<usize>)>);
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
    }

    #[test]
    fn chain_reuses_memory() {
        // a -> b -> c: a and c can share.
        let mut v = V(vec![
            (64, (0, 0), None),
            (32, (0, 1), None),
            (64, (1, 1), None),
        ]);
        let total = plan(&mut v);
        assert_eq!(total, 96);
        assert_eq!(v.0[0].2, Some(0));
        assert_eq!(v.0[2].2, Some(0));
        assert_eq!(v.0[1].2, Some(64));
    }

    #[test]
    fn no_live_overlap() {
        let mut v = V((0..20u32)
            .map(|i| {
                (
                    16 * (1 + (i as usize * 7) % 5),
                    (i % 6, i % 6 + i % 3),
                    None,
                )
            })
            .collect());
        plan(&mut v);
        for a in 0..20 {
            for b in 0..a {
                let (sa, la, oa) = v.0[a];
                let (sb, lb, ob) = v.0[b];
                if overlaps(la, lb) {
                    let (oa, ob) = (oa.unwrap(), ob.unwrap());
                    assert!(oa + sa <= ob || ob + sb <= oa);
                }
            }
        }
    }
}
