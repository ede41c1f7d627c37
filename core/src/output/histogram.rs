//! A log-linear histogram of whole seconds with fixed bins, for the percentiles of a
//! report's cycle times: merging two histograms adds their bins, so the percentiles of
//! merged reports are those of the whole batch exactly.
//!
//! Values below 128 have a bin each. From 128 on, each power of two `[2^e, 2^(e+1))` is
//! cut into 64 bins of width `2^(e-6)`: a bin is at most 1/64 of its lowest value wide.
//! A percentile is read as the middle of the bin that holds it (`lo + width / 2`, at
//! most the largest value added), which is within `width / 2 <= lo / 128` of any value
//! of the bin: the relative error is at most 1/128 (0.78%). Values from 2^32 s (136
//! years, more than any span of instants a case may carry) share the last bin.

use alloc::vec::Vec;

/// Bits of the sub-bins of a power of two: 64 bins each.
const SUB_BITS: u32 = 6;
/// Values below this have a bin each.
const EXACT: u64 = 2 << SUB_BITS;
/// The largest value with a bin of its own range; larger ones count in the last bin.
const TOP: u64 = (1 << 32) - 1;
/// Bits of a packed entry that hold its count (the bin is above them).
const COUNT_BITS: u32 = 48;
const COUNT_MASK: u64 = (1 << COUNT_BITS) - 1;

/// The bin of `v` (`0..1728`).
pub(crate) fn bin(v: u64) -> u64 {
    let v = v.min(TOP);
    if v < EXACT {
        return v;
    }
    let e = u64::from(63 - v.leading_zeros());
    let sub = (v >> (e - u64::from(SUB_BITS))) - (1 << SUB_BITS);
    EXACT + ((e - u64::from(SUB_BITS) - 1) << SUB_BITS) + sub
}

/// The lowest value of bin `b` and its width.
pub(crate) fn bounds(b: u64) -> (u64, u64) {
    if b < EXACT {
        return (b, 1);
    }
    let k = b - EXACT;
    let shift = (k >> SUB_BITS) + 1;
    let sub = k & ((1 << SUB_BITS) - 1);
    (((1 << SUB_BITS) + sub) << shift, 1 << shift)
}

/// Counts of values by bin: the bins with a count, in order, each packed as
/// `bin << 48 | count` (a count stops growing at 2^48 - 1).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Histogram {
    bins: Vec<u64>,
}

impl Histogram {
    /// Counts `n` more values in bin `b`.
    fn count_in(&mut self, b: u64, n: u64) {
        match self.bins.binary_search_by(|e| (e >> COUNT_BITS).cmp(&b)) {
            Ok(i) => {
                if let Some(e) = self.bins.get_mut(i) {
                    let c = ((*e & COUNT_MASK) + n).min(COUNT_MASK);
                    *e = (b << COUNT_BITS) | c;
                }
            }
            Err(i) => self.bins.insert(i, (b << COUNT_BITS) | n.min(COUNT_MASK)),
        }
    }

    /// Counts one value.
    pub fn add(&mut self, v: u64) {
        self.count_in(bin(v), 1);
    }

    /// Adds the counts of `other`.
    pub fn merge(&mut self, other: &Histogram) {
        for e in &other.bins {
            self.count_in(e >> COUNT_BITS, e & COUNT_MASK);
        }
    }

    /// The nearest-rank quantile `num / den` (the value of rank ⌈num × n / den⌉, from 1, in
    /// sorted order) as the middle of its bin, at most `max`; `None` when empty.
    pub fn quantile(&self, num: u64, den: u64, max: u64) -> Option<u64> {
        let n: u128 = self.bins.iter().map(|e| u128::from(e & COUNT_MASK)).sum();
        let rank = (u128::from(num) * n).div_ceil(u128::from(den.max(1))).max(1);
        let mut seen = 0u128;
        for e in &self.bins {
            seen += u128::from(e & COUNT_MASK);
            if seen >= rank {
                let (lo, w) = bounds(e >> COUNT_BITS);
                return Some((lo + w / 2).min(max));
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_cover_every_value_once_and_are_at_most_a_64th_wide() {
        // Exact below 128; 128..=255 in bins of 2, 256..=511 of 4, ...
        assert_eq!((bin(0), bin(127), bin(128), bin(129), bin(130)), (0, 127, 128, 128, 129));
        assert_eq!(bounds(128), (128, 2));
        assert_eq!(bounds(bin(256)), (256, 4));
        assert_eq!(bin(TOP), 1727);
        assert_eq!(bin(u64::MAX), 1727);
        let mut next = 0u64;
        for b in 0..1728 {
            let (lo, w) = bounds(b);
            assert_eq!(lo, next, "bin {b} starts where the last ended");
            assert!(w == 1 || 64 * w <= lo, "bin {b}: width {w} over lo {lo} / 64");
            assert_eq!((bin(lo), bin(lo + w - 1)), (b, b));
            next = lo + w;
        }
        assert_eq!(next, TOP + 1);
    }

    #[test]
    fn quantiles_by_nearest_rank() {
        let mut h = Histogram::default();
        for v in [10, 20, 30, 40] {
            h.add(v);
        }
        // Rank ⌈0.5 × 4⌉ = 2 (20), ⌈0.9 × 4⌉ = 4 (40): exact below 128.
        assert_eq!((h.quantile(1, 2, 40), h.quantile(9, 10, 40)), (Some(20), Some(40)));
        // 1003 lies in [1000, 1008) (512..1023 in bins of 8): read as the middle, 1004,
        // but never above the largest value added.
        let mut h = Histogram::default();
        h.add(1003);
        assert_eq!(h.quantile(1, 2, 1003), Some(1003));
        h.add(5000);
        assert_eq!(h.quantile(1, 2, 5000), Some(1004));
        assert_eq!(Histogram::default().quantile(1, 2, 0), None);
    }
}
