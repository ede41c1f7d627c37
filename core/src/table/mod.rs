//! Decision tables: tests on fields, rules, hit policies, compiled so that evaluation
//! resolves no names and allocates nothing.

mod compile;
mod eval;
pub(crate) mod masks;

use crate::value::{FieldType, Val};
use alloc::string::String;
use alloc::vec::Vec;
use masks::Masks;
use rust_decimal::Decimal;

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
