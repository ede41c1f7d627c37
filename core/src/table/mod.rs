//! Decision tables: tests on fields, rules, hit policies, compiled so that evaluation
//! resolves no names and allocates nothing.

mod compile;
mod eval;
pub(crate) mod masks;

use crate::value::{FieldType, Val};
use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use core::cmp::Ordering;
use masks::Masks;
use rust_decimal::Decimal;

/// Largest number of alternatives in one list test.
pub const MAX_LIST_TEST: usize = 1_000;

/// Names longer than this many bytes share one range of a [`NameIndex`]'s directory.
const DIRECT_LEN: usize = 64;
/// A [`NameIndex`] search tests at most this many names for equality, having halved
/// the range to them.
const FEW: usize = 4;

/// Positions of names sorted by length, then bytes, with a directory by length: finding
/// a name reads the range of names of its length (usually one or two) and binary-searches
/// it by bytes. O(log n) comparisons, no allocation.
#[derive(Clone, Debug, Default)]
pub(crate) struct NameIndex {
    /// Positions of the names, sorted by (length, bytes).
    order: Vec<u32>,
    /// `starts[l]`: the first place in `order` of a name of length `l` or more, for `l`
    /// up to the longest name's length + 1, at most [`DIRECT_LEN`] + 1.
    starts: Vec<u32>,
}

impl NameIndex {
    /// The index of `n` names; `name(i)` is the `i`-th.
    pub(crate) fn new<'a>(n: usize, name: &dyn Fn(usize) -> &'a str) -> NameIndex {
        let order = crate::sort::order(n, &mut |a, b| {
            let (a, b) = (name(a), name(b));
            a.len().cmp(&b.len()).then_with(|| a.cmp(b))
        });
        let longest = order.last().map_or(0, |&i| name(i as usize).len());
        let top = longest.min(DIRECT_LEN) + 1;
        let starts = (0..=top).map(|l| order.partition_point(|&i| name(i as usize).len() < l) as u32).collect();
        NameIndex { order, starts }
    }

    /// The position of the name equal to `s` (names are distinct).
    #[inline]
    pub(crate) fn find<'a>(&self, s: &str, name: impl Fn(usize) -> Option<&'a str>) -> Option<u32> {
        let l = s.len();
        let top = self.starts.len().checked_sub(1)?;
        // The names of `s`'s length; beyond the directory, all the longest names.
        let (lo, hi) = if l < top {
            (*self.starts.get(l)?, *self.starts.get(l + 1)?)
        } else if top > DIRECT_LEN {
            (*self.starts.get(top)?, self.order.len() as u32)
        } else {
            return None; // longer than every name
        };
        let (mut lo, mut hi) = (lo as usize, hi as usize);
        // Halve the range by (length, bytes) down to a few names, then test those for
        // equality (a length and one `memcmp` each): cheaper than ordering them.
        while hi - lo > FEW {
            let mid = lo + (hi - lo) / 2;
            let i = *self.order.get(mid)?;
            let n = name(i as usize)?;
            match n.len().cmp(&l).then_with(|| n.as_bytes().cmp(s.as_bytes())) {
                Ordering::Less => lo = mid + 1,
                Ordering::Greater => hi = mid,
                Ordering::Equal => return Some(i),
            }
        }
        self.order.get(lo..hi)?.iter().copied().find(|&i| name(i as usize) == Some(s))
    }
}

/// A field of the case schema (declared, or one of the routing outputs `queue`/`priority`).
#[derive(Clone, Debug)]
pub struct Field {
    /// Field name.
    pub name: String,
    /// Declared type.
    pub ty: FieldType,
    /// Symbol table of an enum (its values) or string field (every constant a test names),
    /// by symbol. Read freely; add symbols only with [`Field::intern`], which keeps the
    /// index by text in step.
    pub syms: Vec<String>,
    /// Set by routing rather than decoded from the case.
    pub derived: bool,
    /// Each symbol by its text while the policy compiles (symbols come one at a time).
    building: BTreeMap<String, u32>,
    /// Once [`Field::seal`]ed, the symbols' index that cases are decoded with.
    index: NameIndex,
    sealed: bool,
}

impl Field {
    /// A field without symbols.
    pub fn new(name: String, ty: FieldType, derived: bool) -> Field {
        Field {
            name,
            ty,
            syms: Vec::new(),
            derived,
            building: BTreeMap::new(),
            index: NameIndex::default(),
            sealed: false,
        }
    }

    /// Index of a symbol: O(log n) comparisons, no allocation.
    #[inline]
    pub fn sym(&self, s: &str) -> Option<u32> {
        if self.sealed {
            self.index.find(s, |i| self.syms.get(i).map(String::as_str))
        } else {
            self.building.get(s).copied()
        }
    }

    /// The symbol of `s`, added to the table when it is new; `(symbol, added)`.
    pub fn intern(&mut self, s: &str) -> (u32, bool) {
        if let Some(i) = self.sym(s) {
            return (i, false);
        }
        let i = u32::try_from(self.syms.len()).unwrap_or(u32::MAX);
        self.syms.push(String::from(s));
        if self.sealed {
            // Not while compiling (the index is built once, by `seal`): rebuilt whole.
            self.index = NameIndex::new(self.syms.len(), &|j| self.syms.get(j).map_or("", String::as_str));
        } else {
            self.building.insert(String::from(s), i);
        }
        (i, true)
    }

    /// Replaces the index built while compiling by the one cases are decoded with, which
    /// compares lengths before bytes and keeps no second copy of the symbols.
    pub fn seal(&mut self) {
        if !self.sealed {
            self.index = NameIndex::new(self.syms.len(), &|i| self.syms.get(i).map_or("", String::as_str));
            self.building = BTreeMap::new();
            self.sealed = true;
        }
    }
}

/// The fields a table may test, by slot.
#[derive(Clone, Debug, Default)]
pub struct Schema {
    /// Fields by slot. Read freely; add fields only with [`Schema::push`].
    pub fields: Vec<Field>,
    /// Each field's slot by name (the first field of a name).
    by_name: BTreeMap<String, u16>,
}

impl Schema {
    /// Slot of a field name: O(log n), no allocation.
    pub fn slot(&self, name: &str) -> Option<u16> {
        self.by_name.get(name).copied()
    }

    /// Adds a field; its slot.
    pub fn push(&mut self, f: Field) -> u16 {
        let slot = u16::try_from(self.fields.len()).unwrap_or(u16::MAX);
        self.by_name.entry(f.name.clone()).or_insert(slot);
        self.fields.push(f);
        slot
    }

    /// Seals every field's symbols ([`Field::seal`]) once the tables have named them all.
    pub fn seal(&mut self) {
        self.fields.iter_mut().for_each(Field::seal);
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
    /// The symbols of the set, ascending.
    pub(crate) fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        (0..64u32).filter(|&s| self.mask & (1 << s) != 0).chain(self.big.iter().copied())
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
    pub(crate) fn parse(s: &str) -> Option<Hit> {
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
    pub(crate) slot: u16,
    /// `cands[starts[k]..starts[k + 1]]` are value `k`'s candidates.
    pub(crate) starts: Vec<u32>,
    /// Candidates in table order; the list of a value ends at its first candidate with no
    /// remaining test (that one always matches).
    pub(crate) cands: Vec<Candidate>,
    /// Each candidate's tests on fields other than the indexed one.
    pub(crate) rest: Vec<Cond>,
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct Candidate {
    pub(crate) rule: u32,
    pub(crate) rest_start: u32,
    pub(crate) rest_end: u32,
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

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;

    #[test]
    fn a_name_index_finds_what_a_scan_finds() {
        // Names of one length in bulk (a binary search of that range), lengths with one
        // name each, the empty name, and names past the directory's 64 bytes (one range
        // searched by length, then bytes).
        let mut names: Vec<String> = (0..300).map(|i| format!("v{i:04}")).collect();
        names.extend(["", "a", "refund", "gold"].map(String::from));
        names.extend((60..75).map(|n| "x".repeat(n)));
        names.extend((0..20).map(|i| format!("{}{i:02}", "y".repeat(70))));
        let ix = NameIndex::new(names.len(), &|i| names.get(i).map_or("", String::as_str));
        let get = |i: usize| names.get(i).map(String::as_str);
        for (i, n) in names.iter().enumerate() {
            assert_eq!(ix.find(n, get), Some(i as u32), "{n:?}");
        }
        for absent in ["v0300", "v", "b", "refunds", "gol", &"x".repeat(59), &"x".repeat(75), &"y".repeat(72), "v00000"]
        {
            assert_eq!(ix.find(absent, get), None, "{absent:?}");
        }
        assert_eq!(NameIndex::default().find("a", get), None);
    }

    #[test]
    fn a_field_finds_its_symbols_while_compiling_and_once_sealed() {
        let mut f = Field::new("f".into(), FieldType::String, false);
        assert_eq!(f.intern("b"), (0, true));
        assert_eq!(f.intern("a"), (1, true));
        assert_eq!(f.intern("b"), (0, false));
        f.seal();
        assert_eq!((f.sym("a"), f.sym("b"), f.sym("c")), (Some(1), Some(0), None));
        // A symbol added after sealing is found too.
        assert_eq!(f.intern("c"), (2, true));
        assert_eq!((f.sym("a"), f.sym("b"), f.sym("c")), (Some(1), Some(0), Some(2)));
    }
}
