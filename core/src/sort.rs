//! The compiler's one sort. The standard library's sort is generic: each element type
//! and comparison it is used with is another copy of several kilobytes of code, which
//! the WebAssembly package pays for in size. Compile-time sorts go through [`order`],
//! one instantiation that sorts positions with a comparison called through `dyn`;
//! [`sort_by`] applies such an order to a vector of any type. Evaluation sorts nothing
//! with these: a `dyn` call a comparison is for compiling only.

use alloc::vec::Vec;
use core::cmp::Ordering;

/// The positions `0..n`, stably sorted by `cmp` (equal elements keep their order).
#[inline(never)]
pub(crate) fn order(n: usize, cmp: &mut dyn FnMut(usize, usize) -> Ordering) -> Vec<u32> {
    // Policies are bounded far below u32::MAX elements of anything (`Limits`).
    let mut o: Vec<u32> = (0..u32::try_from(n).unwrap_or(u32::MAX)).collect();
    o.sort_by(|&a, &b| cmp(a as usize, b as usize));
    o
}

/// Sorts `v` stably by `cmp`.
pub(crate) fn sort_by<T>(v: &mut Vec<T>, mut cmp: impl FnMut(&T, &T) -> Ordering) {
    let o = order(v.len(), &mut |a, b| match (v.get(a), v.get(b)) {
        (Some(x), Some(y)) => cmp(x, y),
        _ => Ordering::Equal,
    });
    let mut slots: Vec<Option<T>> = v.drain(..).map(Some).collect();
    v.extend(o.iter().filter_map(|&i| slots.get_mut(i as usize).and_then(Option::take)));
}

/// Sorts `v` stably by the key `key` gives each element.
pub(crate) fn sort_by_key<T, K: Ord>(v: &mut Vec<T>, mut key: impl FnMut(&T) -> K) {
    sort_by(v, |a, b| key(a).cmp(&key(b)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_stably() {
        // Sorted by the number alone: the two 1s and the two 3s keep their input order.
        let mut v = alloc::vec![(3, 'a'), (1, 'b'), (2, 'c'), (1, 'd'), (3, 'e'), (0, 'f')];
        sort_by_key(&mut v, |p| p.0);
        assert_eq!(v, [(0, 'f'), (1, 'b'), (1, 'd'), (2, 'c'), (3, 'a'), (3, 'e')]);
        let mut empty: Vec<u8> = Vec::new();
        sort_by(&mut empty, u8::cmp);
        assert!(empty.is_empty());
    }

    #[test]
    fn order_is_a_permutation() {
        let keys = [5, 1, 4, 1, 5, 9, 2, 6];
        let o = order(keys.len(), &mut |a, b| keys[a].cmp(&keys[b]));
        assert_eq!(o, [1, 3, 6, 2, 0, 4, 7, 5]);
    }
}
