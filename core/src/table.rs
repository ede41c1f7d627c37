//! Decision tables: tests on fields, rules, hit policies, compiled so that evaluation
//! resolves no names and allocates nothing.

use crate::diag::{Diags, PolicyCode, child, index};
use crate::json;
use crate::masks::Masks;
use crate::time::parse_rfc3339;
use crate::value::{FieldType, Packed, Val, parse_decimal};
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use rust_decimal::Decimal;
use serde_json::{Map, Value};

/// Largest number of alternatives in one list test.
pub const MAX_LIST_TEST: usize = 1_000;

/// A field of the case schema (declared, or one of the routing outputs `queue`/`priority`).
#[derive(Clone, Debug)]
pub struct Field {
    /// Field name.
    pub name: String,
    /// Declared type.
    pub ty: FieldType,
    /// Symbol table of an enum (its values) or string field (every constant a test names).
    pub syms: Vec<String>,
    /// Set by routing rather than decoded from the case.
    pub derived: bool,
}

impl Field {
    /// Index of a symbol.
    pub fn sym(&self, s: &str) -> Option<u32> {
        self.syms.iter().position(|x| x == s).and_then(|i| u32::try_from(i).ok())
    }
}

/// The fields a table may test, by slot.
#[derive(Clone, Debug, Default)]
pub struct Schema {
    /// Fields by slot.
    pub fields: Vec<Field>,
}

impl Schema {
    /// Slot of a field name.
    pub fn slot(&self, name: &str) -> Option<u16> {
        self.fields.iter().position(|f| f.name == name).and_then(|i| u16::try_from(i).ok())
    }
}

/// A comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cmp {
    /// `=` (a bare value)
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

/// One comparison or range test.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Atom<T> {
    /// `op bound`
    Cmp(Cmp, T),
    /// `[lo..hi]` with inclusive flags.
    Range {
        /// Lower bound.
        lo: T,
        /// `[` rather than `(`.
        lo_incl: bool,
        /// Upper bound.
        hi: T,
        /// `]` rather than `)`.
        hi_incl: bool,
    },
}

impl<T: PartialOrd + Copy> Atom<T> {
    /// Whether the test holds for `v`.
    #[inline]
    pub fn holds(&self, v: T) -> bool {
        match *self {
            Atom::Cmp(op, b) => match op {
                Cmp::Eq => v == b,
                Cmp::Ne => v != b,
                Cmp::Lt => v < b,
                Cmp::Le => v <= b,
                Cmp::Gt => v > b,
                Cmp::Ge => v >= b,
            },
            Atom::Range { lo, lo_incl, hi, hi_incl } => {
                (if lo_incl { v >= lo } else { v > lo }) && (if hi_incl { v <= hi } else { v < hi })
            }
        }
    }
}

/// A set of symbols: a bit mask for the first 64 symbols, a sorted list beyond.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SymSet {
    mask: u64,
    big: Vec<u32>,
}

impl SymSet {
    pub(crate) fn insert(&mut self, s: u32) {
        if s < 64 {
            self.mask |= 1 << s;
        } else if let Err(i) = self.big.binary_search(&s) {
            self.big.insert(i, s);
        }
    }
    #[inline]
    fn contains(&self, s: u32) -> bool {
        if s < 64 { self.mask & (1 << s) != 0 } else { self.big.binary_search(&s).is_ok() }
    }
}

/// The predicate of a test, typed by the field.
#[derive(Clone, Debug, PartialEq)]
pub enum Pred {
    /// `null`: holds exactly when the field is absent.
    Null,
    /// Membership of an enum/string value.
    Sym(SymSet),
    /// Boolean equality.
    Bool(bool),
    /// Exact decimal tests (integer, money); any may hold.
    Dec(Vec<Atom<Decimal>>),
    /// Number tests; any may hold.
    Num(Vec<Atom<f64>>),
    /// Timestamp tests; any may hold.
    Time(Vec<Atom<i64>>),
}

/// A compiled test of one field.
#[derive(Clone, Debug, PartialEq)]
pub struct Cond {
    /// Field slot.
    pub slot: u16,
    /// What must hold.
    pub pred: Pred,
    /// `{"not": ...}`.
    pub negate: bool,
}

impl Cond {
    /// Whether the test holds for a value. A test on an absent field does not hold,
    /// negated or not; only `null` (and `{"not": null}`) look at absence.
    #[inline]
    pub fn holds(&self, v: Val) -> bool {
        let r = match (&self.pred, v) {
            (Pred::Null, Val::Absent) => true,
            (Pred::Null, _) => false,
            (_, Val::Absent) => return false,
            (Pred::Sym(s), Val::Sym(x)) => s.contains(x),
            (Pred::Bool(b), Val::Bool(x)) => *b == x,
            (Pred::Dec(a), Val::Dec(x)) => a.iter().any(|t| t.holds(x)),
            (Pred::Num(a), Val::Num(x)) => a.iter().any(|t| t.holds(x)),
            (Pred::Time(a), Val::Time(x)) => a.iter().any(|t| t.holds(x)),
            _ => return false,
        };
        r != self.negate
    }
}

/// A table's hit policy (DMN).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hit {
    /// Exactly one rule may match (the default).
    Unique,
    /// Several may match if their outputs are equal.
    Any,
    /// The matching rule whose outputs rank first.
    Priority,
    /// The first matching rule.
    First,
    /// Every matching rule in table order.
    RuleOrder,
    /// Every matching rule sorted by output rank.
    OutputOrder,
    /// Every matching rule, optionally aggregated.
    Collect,
}

impl Hit {
    fn parse(s: &str) -> Option<Hit> {
        Some(match s {
            "unique" => Hit::Unique,
            "any" => Hit::Any,
            "priority" => Hit::Priority,
            "first" => Hit::First,
            "rule_order" => Hit::RuleOrder,
            "output_order" => Hit::OutputOrder,
            "collect" => Hit::Collect,
            _ => return None,
        })
    }
    /// Whether the policy yields at most one rule.
    pub fn single(self) -> bool {
        matches!(self, Hit::Unique | Hit::Any | Hit::Priority | Hit::First)
    }
}

/// `collect` aggregation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Agg {
    /// Sum of the outputs.
    Sum,
    /// Smallest output.
    Min,
    /// Largest output.
    Max,
    /// Number of matching rules.
    Count,
}

/// One rule.
#[derive(Clone, Debug)]
pub struct Rule<O> {
    /// Index of the rule's id in the engine's id list.
    pub gid: u32,
    /// Tests, all of which must hold.
    pub conds: Vec<Cond>,
    /// The rule's outputs.
    pub out: O,
    /// Always matches (no tests).
    pub always: bool,
}

/// A compiled decision table with outputs `O`.
#[derive(Clone, Debug)]
pub struct Table<O> {
    /// Hit policy.
    pub hit: Hit,
    /// Aggregation for `collect`.
    pub agg: Option<Agg>,
    /// Rules in table order.
    pub rules: Vec<Rule<O>>,
    /// Rule indexes sorted by output rank (for `priority` and `output_order`).
    pub order: Vec<u32>,
    /// Output when no rule matches, with its trace id.
    pub default: Option<(u32, O)>,
    /// The tests compiled to bit masks (tables of at most 64 rules).
    pub masks: Option<Masks>,
    /// For larger `first` tables: the candidate rules per value of an enum field (`kind`).
    pub index: Option<ValueIndex>,
}

/// The rules of a `first` table that can match, per value of one enum field, flattened so
/// that a lookup touches three contiguous arrays and tests only what the value leaves open.
#[derive(Clone, Debug, Default)]
pub struct ValueIndex {
    /// The indexed field's slot.
    slot: u16,
    /// `cands[starts[k]..starts[k + 1]]` are value `k`'s candidates.
    starts: Vec<u32>,
    /// Candidates in table order; the list of a value ends at its first candidate with no
    /// remaining test (that one always matches).
    cands: Vec<Candidate>,
    /// Each candidate's tests on fields other than the indexed one.
    rest: Vec<Cond>,
}

#[derive(Clone, Copy, Debug)]
struct Candidate {
    rule: u32,
    rest_start: u32,
    rest_end: u32,
}

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

/// What a table evaluation found; the matching rule indexes are in the caller's buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Found {
    /// No rule matched and there is no default.
    Nothing,
    /// Rules matched; their indexes are in the buffer, in result order.
    Rules,
    /// No rule matched; the default applies.
    Default,
    /// The hit policy was violated; the conflicting rules are in the buffer.
    Ambiguous,
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
    /// hit buffer.
    #[inline]
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

    /// The output of rule `i`.
    pub fn out(&self, i: u32) -> Option<&O> {
        self.rules.get(i as usize).map(|r| &r.out)
    }
}

/// The raw output values of one rule that ranking may look at: (column, value text).
pub type RankKeys = Vec<(String, String)>;

/// Context for compiling the tables of one policy.
pub struct TableCx<'a> {
    /// Fields by slot (string fields gain symbols as tests name them).
    pub schema: &'a mut Schema,
    /// Every rule id of the policy so far (ids are unique within a policy).
    pub ids: &'a mut Vec<String>,
    /// Where each id was declared, for duplicate messages.
    pub id_paths: &'a mut Vec<String>,
    /// Diagnostics.
    pub d: &'a mut Diags,
    /// Most rules accepted in one table ([`crate::Limits::max_rules_per_table`]).
    pub max_rules: usize,
}

impl TableCx<'_> {
    /// Registers a trace id, reporting duplicates.
    pub fn add_id(&mut self, id: &str, path: &str) -> u32 {
        if let Some(i) = self.ids.iter().position(|x| x == id) {
            let first = self.id_paths.get(i).cloned().unwrap_or_default();
            self.d.error(PolicyCode::DuplicateRuleId, path, format!("rule id `{id}` is already used at {first}"));
        }
        self.ids.push(id.to_string());
        self.id_paths.push(path.to_string());
        (self.ids.len() - 1) as u32
    }

    /// Compiles a table at `path`. `out` parses one rule's (or the default's) `then`.
    pub fn table<O>(
        &mut self,
        v: &Value,
        path: &str,
        name: &str,
        aggregatable: bool,
        mut out: impl FnMut(&mut Self, &Value, &str) -> Option<(O, RankKeys)>,
    ) -> Option<Table<O>> {
        let errors = self.d.error_count();
        let m = json::object(v, path, &["hit", "aggregate", "outputs", "rules", "default"], self.d)?;
        let hit = match m.get("hit") {
            None => Hit::Unique,
            Some(h) => {
                let p = child(path, "hit");
                match json::string(h, &p, self.d).map(|s| (s, Hit::parse(s))) {
                    Some((_, Some(h))) => h,
                    Some((s, None)) => {
                        self.d.error(PolicyCode::BadValue, &p, format!("unknown hit policy `{s}` (expected unique, any, priority, first, rule_order, output_order or collect)"));
                        Hit::Unique
                    }
                    None => Hit::Unique,
                }
            }
        };
        let agg = m.get("aggregate").and_then(|a| {
            let p = child(path, "aggregate");
            let s = json::string(a, &p, self.d)?;
            let agg = match s {
                "sum" => Agg::Sum,
                "min" => Agg::Min,
                "max" => Agg::Max,
                "count" => Agg::Count,
                _ => {
                    self.d.error(
                        PolicyCode::BadValue,
                        &p,
                        format!("unknown aggregate `{s}` (expected sum, min, max or count)"),
                    );
                    return None;
                }
            };
            if hit != Hit::Collect {
                self.d.error(PolicyCode::BadValue, &p, "`aggregate` requires `\"hit\": \"collect\"`");
            } else if !aggregatable || agg == Agg::Count {
                self.d.error(
                    PolicyCode::BadValue,
                    &p,
                    format!("the {name} table has no single numeric output to aggregate with `{s}`"),
                );
            }
            Some(agg)
        });
        let ranking: Vec<(String, Vec<String>)> = match m.get("outputs") {
            None => Vec::new(),
            Some(o) => {
                let p = child(path, "outputs");
                let mut r = Vec::new();
                if let Some(om) = json::map(o, &p, self.d) {
                    for (col, vals) in om {
                        let cp = child(&p, col);
                        let Some(arr) = json::array(vals, &cp, self.d) else { continue };
                        let mut names = Vec::new();
                        for (i, x) in arr.iter().enumerate() {
                            if let Some(s) = json::string(x, &index(&cp, i), self.d) {
                                names.push(s.to_string());
                            }
                        }
                        r.push((col.clone(), names));
                    }
                }
                r
            }
        };
        if matches!(hit, Hit::Priority | Hit::OutputOrder) && ranking.is_empty() {
            self.d.error(PolicyCode::BadOutputs, path, "hit policies `priority` and `output_order` need `outputs` listing each output column's values in rank order");
        }
        let rules_path = child(path, "rules");
        let raw_rules =
            json::required(m, "rules", path, self.d).and_then(|r| json::array(r, &rules_path, self.d)).unwrap_or(&[]);
        if raw_rules.len() > self.max_rules {
            self.d.error(
                PolicyCode::LimitExceeded,
                &rules_path,
                format!("{} rules exceed the limit of {} per table", raw_rules.len(), self.max_rules),
            );
            return None;
        }
        let mut rules = Vec::with_capacity(raw_rules.len());
        let mut keys: Vec<RankKeys> = Vec::with_capacity(raw_rules.len());
        let mut masked_by: Option<String> = None;
        for (i, r) in raw_rules.iter().enumerate() {
            let rp = index(&rules_path, i);
            let Some(rm) = json::object(r, &rp, &["id", "when", "then", "description"], self.d) else { continue };
            let id = json::required(rm, "id", &rp, self.d).and_then(|x| json::string(x, &child(&rp, "id"), self.d));
            let gid = match id {
                Some("") => {
                    self.d.error(PolicyCode::BadValue, &child(&rp, "id"), "rule id must not be empty");
                    0
                }
                Some(id) => self.add_id(id, &child(&rp, "id")),
                None => 0,
            };
            let conds = match rm.get("when") {
                Some(w) => self.when(w, &child(&rp, "when")),
                None => Vec::new(),
            };
            let then = json::required(rm, "then", &rp, self.d).and_then(|t| out(self, t, &child(&rp, "then")));
            let always = rm.get("when").is_none_or(|w| w.as_object().is_some_and(|o| o.is_empty()));
            if let (Some(by), Some(id)) = (&masked_by, id) {
                self.d.warn(
                    PolicyCode::MaskedRule,
                    &rp,
                    format!("rule `{id}` can never match: rule `{by}` before it in this `first` table always matches"),
                );
            }
            if always && hit == Hit::First && masked_by.is_none() {
                masked_by = id.map(ToString::to_string);
            }
            if let Some((o, k)) = then {
                rules.push(Rule { gid, conds, out: o, always });
                keys.push(k);
            }
        }
        let default = m.get("default").and_then(|dv| {
            let p = child(path, "default");
            let gid = self.add_id(&format!("{name}.default"), &p);
            out(self, dv, &p).map(|(o, _)| (gid, o))
        });
        // Rank order: by each ranked column's value position, column by column, then rule order.
        let mut ranks: Vec<(Vec<usize>, u32)> = Vec::with_capacity(keys.len());
        for (i, k) in keys.iter().enumerate() {
            let mut rank = Vec::with_capacity(ranking.len());
            for (col, order) in &ranking {
                let val = k.iter().find(|(c, _)| c == col).map(|(_, v)| v.as_str());
                match val.and_then(|v| order.iter().position(|x| x == v)) {
                    Some(p) => rank.push(p),
                    None => {
                        if matches!(hit, Hit::Priority | Hit::OutputOrder) {
                            let rp = child(&index(&rules_path, i), "then");
                            self.d.error(
                                PolicyCode::BadOutputs,
                                &rp,
                                format!(
                                    "output `{col}` = {} is not listed in `outputs.{col}`, so it cannot be ranked",
                                    val.map_or("(none)".to_string(), |v| format!("`{v}`"))
                                ),
                            );
                        }
                        rank.push(usize::MAX);
                    }
                }
            }
            ranks.push((rank, i as u32));
        }
        ranks.sort();
        let order = ranks.into_iter().map(|(_, i)| i).collect();
        if self.d.error_count() > errors {
            return None;
        }
        Some(Table { hit, agg, rules, order, default, masks: None, index: None })
    }

    /// Compiles a `when` object into tests.
    pub fn when(&mut self, w: &Value, path: &str) -> Vec<Cond> {
        let mut conds = Vec::new();
        let Some(m) = json::map(w, path, self.d) else { return conds };
        for (name, test) in m {
            let p = child(path, name);
            let Some(slot) = self.schema.slot(name) else {
                self.d.error(
                    PolicyCode::UnknownField,
                    &p,
                    format!("`{name}` is not a declared field (declare it under `fields`)"),
                );
                continue;
            };
            if let Some(c) = self.test(slot, test, &p) {
                conds.push(c);
            }
        }
        conds
    }

    fn test(&mut self, slot: u16, t: &Value, path: &str) -> Option<Cond> {
        let (t, negate) = match t {
            Value::Object(o) => {
                let inner = not_only(o, path, self.d)?;
                if matches!(inner, Value::Object(_)) {
                    self.d.error(PolicyCode::BadTest, path, "`not` cannot be nested");
                    return None;
                }
                (inner, true)
            }
            t => (t, false),
        };
        if t.is_null() {
            return Some(Cond { slot, pred: Pred::Null, negate });
        }
        let field = self.schema.fields.get_mut(slot as usize)?;
        let pred = match field.ty {
            FieldType::Enum | FieldType::String => {
                let mut set = SymSet::default();
                let mut one = |s: &Value, p: &str, d: &mut Diags| match s {
                    Value::String(s) => match field.sym(s) {
                        Some(i) => set.insert(i),
                        None if field.ty == FieldType::String && !field.derived => {
                            field.syms.push(s.clone());
                            set.insert((field.syms.len() - 1) as u32);
                        }
                        None => {
                            let code =
                                if field.name == "queue" { PolicyCode::UnknownQueue } else { PolicyCode::NotInEnum };
                            d.error(
                                code,
                                p,
                                format!(
                                    "`{s}` is not one of the values of `{}` ({})",
                                    field.name,
                                    field.syms.join(", ")
                                ),
                            );
                        }
                    },
                    other => json::wrong_type(p, "a string", other, d),
                };
                match t {
                    Value::Array(a) => {
                        if a.is_empty() || a.len() > MAX_LIST_TEST {
                            self.d.error(PolicyCode::BadTest, path, "a list test needs 1 to 1000 values");
                        }
                        for (i, s) in a.iter().enumerate() {
                            one(s, &index(path, i), self.d);
                        }
                    }
                    s => one(s, path, self.d),
                }
                Pred::Sym(set)
            }
            FieldType::Bool => match t {
                Value::Bool(b) => Pred::Bool(*b),
                other => {
                    json::wrong_type(path, "true, false or null", other, self.d);
                    return None;
                }
            },
            FieldType::Integer | FieldType::Money => Pred::Dec(atoms(t, path, self.d, parse_dec_bound)?),
            FieldType::Number => Pred::Num(atoms(t, path, self.d, parse_f64_bound)?),
            FieldType::Timestamp => Pred::Time(atoms(t, path, self.d, |v| match v {
                Value::String(s) => parse_rfc3339(s.trim()),
                _ => None,
            })?),
        };
        Some(Cond { slot, pred, negate })
    }
}

fn not_only<'v>(o: &'v Map<String, Value>, path: &str, d: &mut Diags) -> Option<&'v Value> {
    match (o.len(), o.get("not")) {
        (1, Some(v)) => Some(v),
        _ => {
            d.error(PolicyCode::BadTest, path, "an object test must be exactly `{\"not\": ...}`");
            None
        }
    }
}

pub(crate) fn parse_dec_bound(v: &Value) -> Option<Decimal> {
    match v {
        Value::String(s) => parse_decimal(s.trim()),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Some(Decimal::from(i))
            } else {
                n.as_f64().and_then(crate::value::decimal_from_f64)
            }
        }
        _ => None,
    }
}

fn parse_f64_bound(v: &Value) -> Option<f64> {
    match v {
        Value::String(s) => s.trim().parse::<f64>().ok().filter(|f| f.is_finite()),
        Value::Number(n) => n.as_f64(),
        _ => None,
    }
}

/// Parses a numeric/timestamp test: a bare value, `"op value"`, a range, or a list of these.
pub(crate) fn atoms<T: PartialOrd + Copy>(
    t: &Value,
    path: &str,
    d: &mut Diags,
    bound: impl Fn(&Value) -> Option<T>,
) -> Option<Vec<Atom<T>>> {
    let items: &[Value] = match t {
        Value::Array(a) if a.is_empty() || a.len() > MAX_LIST_TEST => {
            d.error(PolicyCode::BadTest, path, "a list test needs 1 to 1000 alternatives");
            return None;
        }
        Value::Array(a) => a,
        one => core::slice::from_ref(one),
    };
    let list = matches!(t, Value::Array(_));
    let mut out = Vec::with_capacity(items.len());
    let mut ok = true;
    for (i, it) in items.iter().enumerate() {
        let p = if list { index(path, i) } else { path.to_string() };
        match atom(it, &bound) {
            Ok(a) => out.push(a),
            Err(code) => {
                ok = false;
                let shown = match it {
                    Value::String(s) => format!("`{s}`"),
                    other => other.to_string(),
                };
                let msg = if code == PolicyCode::EmptyRange {
                    format!("range {shown} holds for no value")
                } else {
                    format!(
                        "cannot parse test {shown} (expected a value, `< v`, `<= v`, `> v`, `>= v`, `!= v` or a range like `[1..10)`)"
                    )
                };
                d.error(code, &p, msg);
            }
        }
    }
    ok.then_some(out)
}

fn atom<T: PartialOrd + Copy>(v: &Value, bound: &impl Fn(&Value) -> Option<T>) -> Result<Atom<T>, PolicyCode> {
    let bad = PolicyCode::BadTest;
    let Value::String(s) = v else {
        return bound(v).map(|b| Atom::Cmp(Cmp::Eq, b)).ok_or(bad);
    };
    let s = s.trim();
    let first = s.as_bytes().first().copied();
    if let Some(open @ (b'[' | b'(')) = first {
        let close = s.as_bytes().last().copied();
        let hi_incl = match close {
            Some(b']') => true,
            Some(b')') => false,
            _ => return Err(bad),
        };
        let inner = s.get(1..s.len() - 1).ok_or(bad)?;
        let (lo, hi) = inner.split_once("..").ok_or(bad)?;
        let lo = bound(&Value::String(lo.trim().to_string())).ok_or(bad)?;
        let hi = bound(&Value::String(hi.trim().to_string())).ok_or(bad)?;
        let lo_incl = open == b'[';
        if lo > hi || (lo == hi && !(lo_incl && hi_incl)) {
            return Err(PolicyCode::EmptyRange);
        }
        return Ok(Atom::Range { lo, lo_incl, hi, hi_incl });
    }
    let (op, rest) = if let Some(r) = s.strip_prefix("<=") {
        (Cmp::Le, r)
    } else if let Some(r) = s.strip_prefix(">=") {
        (Cmp::Ge, r)
    } else if let Some(r) = s.strip_prefix("!=") {
        (Cmp::Ne, r)
    } else if let Some(r) = s.strip_prefix('<') {
        (Cmp::Lt, r)
    } else if let Some(r) = s.strip_prefix('>') {
        (Cmp::Gt, r)
    } else if let Some(r) = s.strip_prefix('=') {
        (Cmp::Eq, r)
    } else {
        (Cmp::Eq, s)
    };
    let b = bound(&Value::String(rest.trim().to_string())).ok_or(bad)?;
    Ok(Atom::Cmp(op, b))
}
