//! Preparing a decision table for evaluation once the policy's schema is final: its
//! tests compiled to bit masks, or a large `first` table indexed by the values of `kind`.

use super::masks::Masks;
use super::{Candidate, Cond, Hit, Pred, Schema, SymSet, Table, ValueIndex};
use crate::value::{FieldType, Val};
use alloc::vec;
use alloc::vec::Vec;

/// Most values of the field a `first` table is indexed on.
const MAX_INDEXED_VALUES: usize = 4096;

/// The values of the indexed field one rule's tests on it accept.
enum Accept<'a> {
    All,
    Nothing,
    Set(&'a SymSet),
    Except(&'a SymSet),
    /// Several tests on the field (not from a policy): test each value.
    Each(&'a [Cond]),
}

impl<O> Table<O> {
    /// Prepares the table for evaluation once the schema is final: compiles its tests to
    /// masks, or, for a `first` table too large for masks, indexes it on the enum field
    /// `index_slot` (`kind`, which every case carries) when the index takes at most `room`
    /// bytes. Returns the bytes the index takes (0 without one).
    pub fn prepare(&mut self, schema: &Schema, index_slot: Option<u16>, room: usize) -> usize {
        self.masks = Masks::compile(&self.rules, |slot| schema.fields.get(slot as usize).map(|f| (f.ty, f.syms.len())));
        match index_slot {
            Some(slot) if self.masks.is_none() => match schema.fields.get(slot as usize) {
                Some(f) if f.ty == FieldType::Enum => self.index_within(slot, f.syms.len(), room),
                _ => 0,
            },
            _ => 0,
        }
    }

    /// Builds the per-value candidate index of a `first` table on an enum field with
    /// `n_values` values. Exact: a rule is a candidate for value `k` iff every test it has
    /// on that field holds for `k`; its tests on other fields are kept to be evaluated.
    #[cfg(test)]
    pub fn index_on(&mut self, slot: u16, n_values: usize) {
        self.index_within(slot, n_values, usize::MAX);
    }

    /// [`Table::index_on`] when the index takes at most `room` bytes (its size is counted
    /// before anything is allocated); the bytes it takes, 0 when it is not built.
    ///
    /// Time and memory are linear in the rules, their tests and the index itself: each
    /// rule visits only the values it is a candidate for (and values that an always
    /// matching rule has closed are dropped from further visits).
    pub fn index_within(&mut self, slot: u16, n_values: usize, room: usize) -> usize {
        if self.hit != Hit::First || n_values == 0 || n_values > MAX_INDEXED_VALUES {
            return 0;
        }
        // Each rule's tests on other fields, stored once and shared by every value.
        let rest_len: usize = self.rules.iter().map(|r| r.conds.iter().filter(|c| c.slot != slot).count()).sum();
        let mut counts = vec![0u32; n_values];
        let cands = self.walk(slot, n_values, |k, _| {
            if let Some(c) = counts.get_mut(k as usize) {
                *c += 1;
            }
        });
        let bytes = cands
            .saturating_mul(core::mem::size_of::<Candidate>())
            .saturating_add(rest_len.saturating_mul(core::mem::size_of::<Cond>()))
            .saturating_add((n_values + 1) * core::mem::size_of::<u32>());
        if bytes > room || u32::try_from(cands).is_err() {
            return 0;
        }
        let mut ix = ValueIndex { slot, ..ValueIndex::default() };
        ix.rest.reserve_exact(rest_len);
        let mut rest_of = Vec::with_capacity(self.rules.len());
        for r in &self.rules {
            let start = ix.rest.len() as u32;
            ix.rest.extend(r.conds.iter().filter(|c| c.slot != slot).cloned());
            rest_of.push((start, ix.rest.len() as u32));
        }
        ix.starts.reserve_exact(n_values + 1);
        let mut at = 0u32;
        for c in &mut counts {
            ix.starts.push(at);
            at += *c;
            *c = ix.starts.last().copied().unwrap_or(0); // now: value k's next free place
        }
        ix.starts.push(at);
        let filler = Candidate { rule: 0, rest_start: 0, rest_end: 0 };
        ix.cands = vec![filler; cands];
        self.walk(slot, n_values, |k, i| {
            let (rest_start, rest_end) = rest_of.get(i).copied().unwrap_or((0, 0));
            if let Some(next) = counts.get_mut(k as usize)
                && let Some(c) = ix.cands.get_mut(*next as usize)
            {
                *c = Candidate { rule: i as u32, rest_start, rest_end };
                *next += 1;
            }
        });
        self.index = Some(ix);
        bytes
    }

    /// Visits, rule by rule in table order, each value `k` the rule is a candidate for:
    /// its tests on `slot` hold for `k`, and no earlier candidate of `k` always matches
    /// (has no other test). Returns the number of visits.
    fn walk(&self, slot: u16, n_values: usize, mut visit: impl FnMut(u32, usize)) -> usize {
        let n = n_values as u32;
        let mut closed = vec![false; n_values];
        // The values not closed yet, compacted lazily.
        let mut open: Vec<u32> = (0..n).collect();
        let mut visits = 0usize;
        for (i, r) in self.rules.iter().enumerate() {
            let always = r.conds.iter().all(|c| c.slot == slot);
            let mut on = r.conds.iter().filter(|c| c.slot == slot);
            let accept = match (on.next(), on.next()) {
                (None, _) => Accept::All,
                (Some(c), None) => match (&c.pred, c.negate) {
                    (Pred::Sym(s), false) => Accept::Set(s),
                    (Pred::Sym(s), true) => Accept::Except(s),
                    // `null` holds only for an absent value, `{"not": null}` for any value;
                    // a test of another type holds for no symbol, negated or not.
                    (Pred::Null, true) => Accept::All,
                    _ => Accept::Nothing,
                },
                _ => Accept::Each(r.conds.as_slice()),
            };
            let mut take = |k: u32, closed: &mut Vec<bool>| {
                visit(k, i);
                visits += 1;
                if always && let Some(c) = closed.get_mut(k as usize) {
                    *c = true;
                }
            };
            match accept {
                Accept::Nothing => {}
                Accept::Set(s) => {
                    for k in s.iter().take_while(|&k| k < n) {
                        if !closed.get(k as usize).copied().unwrap_or(true) {
                            take(k, &mut closed);
                        }
                    }
                }
                Accept::All | Accept::Except(_) | Accept::Each(_) => {
                    open.retain(|&k| !closed.get(k as usize).copied().unwrap_or(true));
                    for &k in &open {
                        let holds = match accept {
                            Accept::Except(s) => !s.contains(k),
                            Accept::Each(conds) => {
                                conds.iter().filter(|c| c.slot == slot).all(|c| c.holds(Val::Sym(k)))
                            }
                            _ => true,
                        };
                        if holds {
                            take(k, &mut closed);
                        }
                    }
                }
            }
        }
        visits
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::Rule;

    fn kind_in(ks: &[u32]) -> Cond {
        let mut s = SymSet::default();
        ks.iter().for_each(|&k| s.insert(k));
        Cond { slot: 0, pred: Pred::Sym(s), negate: false }
    }

    #[test]
    fn the_index_is_built_only_within_its_room_and_stops_at_an_always_matching_rule() {
        // Four values of `kind` (slot 0). R0: kind 1 and a test of slot 1; R1: no test
        // (always matches); R2: kind 0. Candidates: value 0 [R1] (R2 is masked by R1),
        // value 1 [R0, R1], values 2 and 3 [R1]: five, and one kept test (R0's).
        let other = Cond { slot: 1, pred: Pred::Bool(true), negate: false };
        let rules = alloc::vec![
            Rule { gid: 0, conds: alloc::vec![kind_in(&[1]), other], out: () },
            Rule { gid: 1, conds: Vec::new(), out: () },
            Rule { gid: 2, conds: alloc::vec![kind_in(&[0])], out: () },
        ];
        let mut t =
            Table { hit: Hit::First, agg: None, rules, order: Vec::new(), default: None, masks: None, index: None };
        let bytes = 5 * core::mem::size_of::<Candidate>() + core::mem::size_of::<Cond>() + 5 * 4;
        assert_eq!(t.index_within(0, 4, bytes - 1), 0);
        assert!(t.index.is_none());
        assert_eq!(t.index_within(0, 4, bytes), bytes);
        let ix = t.index.as_ref().unwrap();
        assert_eq!(ix.starts, [0, 1, 3, 4, 5]);
        let rules: Vec<u32> = ix.cands.iter().map(|c| c.rule).collect();
        assert_eq!(rules, [1, 0, 1, 1, 1]);
        assert_eq!(ix.rest.len(), 1);
    }
}
