//! Evaluating a decision table: the rules that match a case, under the table's hit policy.

use super::{Found, Hit, Rule, Table, ValueIndex};
use crate::value::{Packed, Val};
use alloc::vec::Vec;

impl ValueIndex {
    /// The first candidate rule for value `k` whose remaining tests hold.
    #[inline]
    fn first(&self, k: u32, get: &impl Fn(u16) -> Packed) -> Option<Option<u32>> {
        let k = k as usize;
        let (&s, &e) = (self.starts.get(k)?, self.starts.get(k + 1)?);
        let cands = self.cands.get(s as usize..e as usize)?;
        Some(cands.iter().find_map(|c| {
            let rest = self.rest.get(c.rest_start as usize..c.rest_end as usize).unwrap_or(&[]);
            rest.iter().all(|t| t.holds(get(t.slot).unpack())).then_some(c.rule)
        }))
    }
}

impl<O> Rule<O> {
    /// Whether all the rule's tests hold for the case `get` reads (by field slot).
    #[inline]
    fn holds(&self, get: &impl Fn(u16) -> Packed) -> bool {
        self.conds.iter().all(|c| c.holds(get(c.slot).unpack()))
    }
}

/// The set bits of a mask, lowest first.
struct Bits(u64);

impl Iterator for Bits {
    type Item = u32;
    #[inline]
    fn next(&mut self) -> Option<u32> {
        (self.0 != 0).then(|| {
            let i = self.0.trailing_zeros();
            self.0 &= self.0 - 1;
            i
        })
    }
}

impl<O> Table<O> {
    /// The field slots the table's tests read.
    pub(crate) fn rules_slots(&self) -> Vec<u16> {
        self.rules.iter().flat_map(|r| r.conds.iter().map(|c| c.slot)).collect()
    }
}

impl<O: PartialEq> Table<O> {
    /// Evaluates the table. `get` reads a field slot. `hits` is cleared and receives rule
    /// indexes; it is not reallocated once it can hold every rule.
    #[inline]
    pub fn eval(&self, get: impl Fn(u16) -> Packed, hits: &mut Vec<u32>) -> Found {
        hits.clear();
        match (&self.masks, self.hit) {
            (_, Hit::First) => hits.extend(self.first_match(&get)),
            (Some(m), Hit::Priority | Hit::OutputOrder) => {
                let set = m.matching(&get);
                self.ranked(hits, |i| set.checked_shr(i).is_some_and(|b| b & 1 == 1));
            }
            (Some(m), _) => hits.extend(Bits(m.matching(&get))),
            (None, _) => self.scan(&get, hits),
        }
        if matches!(self.hit, Hit::Unique | Hit::Any) && hits.len() > 1 {
            let conflict = match self.hit {
                Hit::Unique => true,
                _ => {
                    let first = hits.first().and_then(|&i| self.rules.get(i as usize));
                    hits.iter().any(|&i| self.rules.get(i as usize).map(|r| &r.out) != first.map(|r| &r.out))
                }
            };
            if conflict {
                return Found::Ambiguous;
            }
            hits.truncate(1);
        }
        if !hits.is_empty() {
            Found::Rules
        } else if self.default.is_some() {
            Found::Default
        } else {
            Found::Nothing
        }
    }

    /// For a `first` table: the index of the first matching rule (`Some(None)`: none
    /// matches); `None` for other hit policies. Same result as [`Table::eval`] without the
    /// hit buffer (the masks' tests compare the two).
    #[cfg(test)]
    pub fn first(&self, get: impl Fn(u16) -> Packed) -> Option<Option<u32>> {
        (self.hit == Hit::First).then(|| self.first_match(&get))
    }

    /// The rule whose outputs a single-decision table (routing) takes: the first of
    /// [`Table::eval`]'s result, or why there is none (`Default`, `Nothing`, `Ambiguous`).
    /// Needs no hit buffer, whatever the hit policy: through the masks it works on the set
    /// of matching rules, rule by rule it stops at the first match (`unique` and `any` go
    /// on only to look for a conflicting one).
    #[inline(always)]
    pub fn decide(&self, get: impl Fn(u16) -> Packed) -> Result<u32, Found> {
        let decided = match &self.masks {
            Some(m) => {
                let set = m.matching(&get);
                let holds = |i: u32| set.checked_shr(i).is_some_and(|b| b & 1 == 1);
                // The matching rules after the first: the set less its lowest bit.
                let later = || Bits(set & set.wrapping_sub(1));
                self.decide_among(holds, set.trailing_zeros(), later)
            }
            None if self.hit == Hit::First => self.scan_first(&get).ok_or(Found::Nothing),
            None => {
                let matches = |i: u32| self.rules.get(i as usize).is_some_and(|r| r.holds(&get));
                let first = (0..self.rules.len() as u32).find(|&i| matches(i)).unwrap_or(u32::MAX);
                let later = || (first.saturating_add(1)..self.rules.len() as u32).filter(|&i| matches(i));
                self.decide_among(matches, first, later)
            }
        };
        match decided {
            Err(Found::Nothing) if self.default.is_some() => Err(Found::Default),
            d => d,
        }
    }

    /// [`Table::decide`] given which rules match (`holds`), the first of them in table
    /// order (`first`; the number of rules or more when none does) and the others in table
    /// order (`later`).
    #[inline(always)]
    fn decide_among<L: Iterator<Item = u32>>(
        &self,
        holds: impl Fn(u32) -> bool,
        first: u32,
        later: impl Fn() -> L,
    ) -> Result<u32, Found> {
        if (first as usize) >= self.rules.len() {
            return Err(Found::Nothing);
        }
        match self.hit {
            Hit::First | Hit::RuleOrder | Hit::Collect => Ok(first),
            Hit::Priority | Hit::OutputOrder => self.order.iter().copied().find(|&i| holds(i)).ok_or(Found::Nothing),
            Hit::Unique if later().next().is_some() => Err(Found::Ambiguous),
            Hit::Any => {
                let out = |i: u32| self.rules.get(i as usize).map(|r| &r.out);
                if later().any(|i| out(i) != out(first)) { Err(Found::Ambiguous) } else { Ok(first) }
            }
            Hit::Unique => Ok(first),
        }
    }

    /// The first matching rule in table order, through the masks or rule by rule.
    #[inline]
    fn first_match(&self, get: &impl Fn(u16) -> Packed) -> Option<u32> {
        match &self.masks {
            Some(m) => {
                let set = m.matching(get);
                (set != 0).then(|| set.trailing_zeros())
            }
            None => self.scan_first(get),
        }
    }

    /// The first matching rule, testing rule by rule (through the kind index if any).
    fn scan_first(&self, get: &impl Fn(u16) -> Packed) -> Option<u32> {
        // With an index, only the rules whose tests on the indexed field hold for the case's
        // value are candidates; their other tests decide. An absent value or one beyond the
        // index (a string no test names) takes the full scan.
        let indexed = match (&self.index, self.index.as_ref().map(|x| get(x.slot).unpack())) {
            (Some(ix), Some(Val::Sym(k))) => ix.first(k, get),
            _ => None,
        };
        indexed.unwrap_or_else(|| self.rules.iter().position(|r| r.holds(get)).map(|i| i as u32))
    }

    /// `priority` / `output_order`: the rules for which `holds` is true, in rank order (only
    /// the first for `priority`).
    fn ranked(&self, hits: &mut Vec<u32>, holds: impl Fn(u32) -> bool) {
        for &i in &self.order {
            if holds(i) {
                hits.push(i);
                if self.hit == Hit::Priority {
                    break;
                }
            }
        }
    }

    /// The matching rules of a table of any hit policy but `first`, in result order, found
    /// by testing rule by rule (tables too large for masks).
    fn scan(&self, get: &impl Fn(u16) -> Packed, hits: &mut Vec<u32>) {
        let matches = |r: &Rule<O>| r.holds(get);
        if matches!(self.hit, Hit::Priority | Hit::OutputOrder) {
            self.ranked(hits, |i| self.rules.get(i as usize).is_some_and(matches));
        } else {
            hits.extend(self.rules.iter().enumerate().filter(|(_, r)| matches(r)).map(|(i, _)| i as u32));
        }
    }
}
