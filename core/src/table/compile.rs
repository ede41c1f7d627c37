//! Preparing a decision table for evaluation once the policy's schema is final: its
//! tests compiled to bit masks, or a large `first` table indexed by the values of `kind`.

use super::masks::Masks;
use super::{Candidate, Hit, Schema, Table, ValueIndex};
use crate::value::{FieldType, Val};
use alloc::vec::Vec;

impl<O> Table<O> {
    /// Prepares the table for evaluation once the schema is final: compiles its tests to
    /// masks, or, for a `first` table too large for masks, indexes it on the enum field
    /// `index_slot` (`kind`, which every case carries).
    pub fn prepare(&mut self, schema: &Schema, index_slot: Option<u16>) {
        self.masks = Masks::compile(&self.rules, |slot| schema.fields.get(slot as usize).map(|f| (f.ty, f.syms.len())));
        if self.masks.is_none()
            && let Some(f) = index_slot.and_then(|s| schema.fields.get(s as usize)).filter(|f| f.ty == FieldType::Enum)
        {
            self.index_on(index_slot.unwrap_or(0), f.syms.len());
        }
    }

    /// Builds the per-value candidate index of a `first` table on an enum field with
    /// `n_values` values. Exact: a rule is a candidate for value `k` iff every test it has
    /// on that field holds for `k`; its tests on other fields are kept to be evaluated.
    pub fn index_on(&mut self, slot: u16, n_values: usize) {
        if self.hit != Hit::First || n_values == 0 || n_values > 4096 {
            return;
        }
        let mut ix = ValueIndex { slot, ..ValueIndex::default() };
        // Each rule's tests on other fields, stored once and shared by every value.
        let mut rest_of = Vec::with_capacity(self.rules.len());
        for r in &self.rules {
            let start = ix.rest.len() as u32;
            ix.rest.extend(r.conds.iter().filter(|c| c.slot != slot).cloned());
            rest_of.push((start, ix.rest.len() as u32));
        }
        for k in 0..n_values {
            ix.starts.push(ix.cands.len() as u32);
            let v = Val::Sym(k as u32);
            for (i, (r, &(rest_start, rest_end))) in self.rules.iter().zip(&rest_of).enumerate() {
                if r.conds.iter().filter(|c| c.slot == slot).all(|c| c.holds(v)) {
                    ix.cands.push(Candidate { rule: i as u32, rest_start, rest_end });
                    if rest_start == rest_end {
                        break; // always matches: later rules can never be reached
                    }
                }
            }
        }
        ix.starts.push(ix.cands.len() as u32);
        self.index = Some(ix);
    }
}
