//! Decision tables of at most 64 rules compiled to bit masks.
//!
//! For every field a table tests, the values a case can carry fall into a few classes
//! within which every test of the table on that field has the same result: each symbol of
//! an enum or string field, `true` and `false`, and for ordered fields each bound named by
//! a test and each open interval between consecutive bounds; plus "absent" and "of another
//! type". For each class the compiler stores the mask of rules whose tests on that field
//! hold. Evaluating the table is then one class lookup per field and an AND of the masks:
//! the set bits are exactly the rules whose tests all hold. There are no data-dependent
//! branches on which rules exist or which fields they test, so a batch of cases of mixed
//! kinds runs without branch mispredictions on the rules.
//!
//! The masks are computed with [`Cond::holds`] itself (for symbols, bounds and the special
//! classes) and, for open intervals, with [`Atom::holds_between`], whose result is the same
//! for every value of the interval because no bound lies inside it.

use crate::table::{Atom, Cond, Pred, Rule};
use crate::value::{FieldType, Kind, Packed, Val};
use alloc::vec::Vec;
use core::cmp::Ordering;
use rust_decimal::Decimal;

/// Most rules in a table compiled to masks (one bit each).
pub const MAX_RULES: usize = 64;
/// Most distinct bounds the tests of one table name on one ordered field.
pub const MAX_BOUNDS: usize = 64;
/// Scales a decimal can carry (0 through 28).
const SCALES: usize = 29;

/// A table's tests as masks per field, grouped by the field's type so that evaluation
/// runs one loop per type with a trip count fixed by the table (no dispatch per field).
///
/// Each field's mask list ends with three special classes, in this order: absent, a value
/// of another type, and (numbers) NaN; see [`Special`].
#[derive(Clone, Debug, Default)]
pub struct Masks {
    /// A bit per rule.
    all: u64,
    syms: Vec<SymField>,
    bools: Vec<OrdField<()>>,
    /// Decimal fields; their `bounds` hold every bound's key at scale 0, then at scale 1,
    /// and so on through scale 28.
    decs: Vec<OrdField<DecKey>>,
    nums: Vec<OrdField<f64>>,
    times: Vec<OrdField<i64>>,
}

/// The special classes appended to every field's masks.
#[derive(Clone, Copy)]
enum Special {
    Absent = 0,
    Mismatch = 1,
    Nan = 2,
}

/// An enum or string field: `masks[k]` for symbol `k`, `masks[n]` for every symbol beyond
/// (a string no test names), then the special classes.
#[derive(Clone, Debug)]
struct SymField {
    slot: u16,
    n: usize,
    masks: Vec<u64>,
}

/// An ordered field (bool: no bounds, classes false/true): class `2i` is the open interval
/// below bound `i`, `2i + 1` bound `i` itself; then the special classes from `base`.
#[derive(Clone, Debug)]
struct OrdField<B> {
    slot: u16,
    bounds: Vec<B>,
    masks: Vec<u64>,
    /// Index of the first special class (after the value classes).
    base: usize,
}

impl<B> OrdField<B> {
    #[inline(always)]
    fn special(&self, s: Special) -> usize {
        self.base + s as usize
    }
    #[inline(always)]
    fn at(&self, class: usize) -> u64 {
        self.masks.get(class).copied().unwrap_or(0)
    }
}

/// A decimal bound `b` seen at scale `s`: a value with mantissa `m` and scale `s` is
/// greater than `b` iff `m > floor`, and equal iff `exact && m == floor`, where
/// `floor = ⌊b × 10^s⌋` (saturated: mantissas have at most 96 bits, so a saturated key
/// still orders them correctly) and `exact` says the product is an integer.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct DecKey {
    floor: i128,
    exact: bool,
}

/// A decimal bound keyed at every scale: compared with a value by one integer comparison
/// of the value's mantissa (no rescaling of either side).
#[derive(Clone, Debug)]
pub(crate) struct DecBound(Vec<DecKey>);

impl DecBound {
    pub(crate) fn new(b: Decimal) -> DecBound {
        DecBound((0..SCALES as u32).map(|s| DecKey::new(b, s)).collect())
    }

    /// Whether `v` is at most the bound.
    #[inline]
    pub(crate) fn covers(&self, v: Decimal) -> bool {
        // `v > b` iff its mantissa exceeds the key's floor at its scale (see [`DecKey`]).
        self.0.get(v.scale() as usize).is_some_and(|k| v.mantissa() <= k.floor)
    }
}

impl DecKey {
    fn new(b: Decimal, s: u32) -> DecKey {
        let (m, bs) = (b.mantissa(), b.scale());
        if s >= bs {
            match 10i128.checked_pow(s - bs).and_then(|p| m.checked_mul(p)) {
                Some(floor) => DecKey { floor, exact: true },
                None => DecKey { floor: if m > 0 { i128::MAX } else { i128::MIN }, exact: false },
            }
        } else {
            // bs - s ≤ 28, so the power fits.
            let p = 10i128.pow(bs - s);
            let (q, r) = (m / p, m % p);
            DecKey { floor: if r < 0 { q - 1 } else { q }, exact: r == 0 }
        }
    }
}

/// Class of an ordered value among sorted distinct bounds: `2i` for the open interval
/// below bound `i` (above bound `i - 1`), `2i + 1` for bound `i` itself.
#[inline(always)]
fn class(below: usize, equal: bool) -> usize {
    2 * below + equal as usize
}

/// Class of `x` among sorted distinct `bounds`, in one pass without branches.
#[inline(always)]
fn class_among<T: PartialOrd + Copy>(bounds: &[T], x: T) -> usize {
    let (mut below, mut equal) = (0, false);
    for &b in bounds {
        below += (x > b) as usize;
        equal |= x == b;
    }
    class(below, equal)
}

impl Masks {
    /// Re-addresses the fields: [`Masks::matching`] then asks `get` for `to(slot)` instead
    /// of `slot` (the routing table reads a case's values by storage position).
    pub(crate) fn relocate(&mut self, to: impl Fn(u16) -> u16) {
        self.syms.iter_mut().for_each(|f| f.slot = to(f.slot));
        self.bools.iter_mut().for_each(|f| f.slot = to(f.slot));
        self.decs.iter_mut().for_each(|f| f.slot = to(f.slot));
        self.nums.iter_mut().for_each(|f| f.slot = to(f.slot));
        self.times.iter_mut().for_each(|f| f.slot = to(f.slot));
    }

    /// The set of rules (bit `i` for rule `i`) whose tests all hold for the case `get` reads.
    /// Branch-free in the values: absent fields and classes select masks by index.
    #[inline(always)]
    pub fn matching(&self, get: &impl Fn(u16) -> Packed) -> u64 {
        let mut set = self.all;
        for f in &self.syms {
            let v = get(f.slot);
            let i = if v.is(Kind::Sym) {
                (v.word() as usize).min(f.n)
            } else if v.is(Kind::Absent) {
                f.n + 1 + Special::Absent as usize
            } else {
                f.n + 1 + Special::Mismatch as usize
            };
            set &= f.masks.get(i).copied().unwrap_or(0);
        }
        for f in &self.bools {
            let v = get(f.slot);
            let i = if v.is(Kind::Bool) {
                usize::from(v.word() != 0)
            } else if v.is(Kind::Absent) {
                f.special(Special::Absent)
            } else {
                f.special(Special::Mismatch)
            };
            set &= f.at(i);
        }
        for f in &self.decs {
            let v = get(f.slot);
            let i = if v.is(Kind::Dec) {
                // The bounds' keys at the value's scale: `n` floors, then `exact` bits.
                let (m, s) = v.mantissa_scale();
                let s = s as usize;
                let n = f.bounds.len() / SCALES;
                let keys = f.bounds.get(s * n..(s + 1) * n).unwrap_or(&[]);
                let (mut below, mut equal) = (0, false);
                for k in keys {
                    below += (m > k.floor) as usize;
                    equal |= k.exact & (m == k.floor);
                }
                class(below, equal)
            } else if v.is(Kind::Absent) {
                f.special(Special::Absent)
            } else {
                f.special(Special::Mismatch)
            };
            set &= f.at(i);
        }
        for f in &self.nums {
            let v = get(f.slot);
            let i = if v.is(Kind::Num) {
                let x = f64::from_bits(v.wide());
                if x.is_nan() { f.special(Special::Nan) } else { class_among(&f.bounds, x) }
            } else if v.is(Kind::Absent) {
                f.special(Special::Absent)
            } else {
                f.special(Special::Mismatch)
            };
            set &= f.at(i);
        }
        for f in &self.times {
            let v = get(f.slot);
            let i = if v.is(Kind::Time) {
                class_among(&f.bounds, v.wide() as i64)
            } else if v.is(Kind::Absent) {
                f.special(Special::Absent)
            } else {
                f.special(Special::Mismatch)
            };
            set &= f.at(i);
        }
        set
    }

    /// Compiles the rules' tests, given each field's type and number of symbols; `None`
    /// when the table is too large for masks (more than [`MAX_RULES`] rules or more than
    /// [`MAX_BOUNDS`] bounds on a field).
    pub fn compile<O>(rules: &[Rule<O>], field: impl Fn(u16) -> Option<(FieldType, usize)>) -> Option<Masks> {
        if rules.len() > MAX_RULES {
            return None;
        }
        // The tests alone: one compiled copy of what follows serves every table's rules.
        let conds: Vec<&[Cond]> = rules.iter().map(|r| r.conds.as_slice()).collect();
        Masks::compile_tests(&conds, &field)
    }

    /// [`Masks::compile`] of each rule's tests (at most [`MAX_RULES`] rules).
    fn compile_tests(rules: &[&[Cond]], field: &dyn Fn(u16) -> Option<(FieldType, usize)>) -> Option<Masks> {
        let all = if rules.len() == MAX_RULES { u64::MAX } else { (1u64 << rules.len()) - 1 };
        let mut slots: Vec<u16> = rules.iter().flat_map(|r| r.iter().map(|c| c.slot)).collect();
        crate::sort::sort_by(&mut slots, u16::cmp);
        slots.dedup();
        let mut masks = Masks { all, ..Masks::default() };
        for slot in slots {
            let (ty, n_syms) = field(slot)?;
            // The mask of rules whose tests on this field all satisfy `ok`.
            let mask = |ok: &dyn Fn(&Cond) -> bool| {
                rules.iter().enumerate().fold(0u64, |m, (i, r)| {
                    let holds = r.iter().filter(|c| c.slot == slot).all(ok);
                    m | ((holds as u64) << i)
                })
            };
            let of = |v: Val| mask(&|c: &Cond| c.holds(v));
            let tests = || rules.iter().flat_map(|r| r.iter()).filter(|c| c.slot == slot);
            // The special classes, in `Special` order; any value of another type will do.
            let other = if matches!(ty, FieldType::Enum | FieldType::String) { Val::Bool(false) } else { Val::Sym(0) };
            let special = [of(Val::Absent), of(other), of(Val::Num(f64::NAN))];
            match ty {
                FieldType::Enum | FieldType::String => {
                    let mut m: Vec<u64> = (0..n_syms).map(|k| of(Val::Sym(k as u32))).collect();
                    m.push(of(Val::Sym(crate::value::OTHER_SYM)));
                    m.extend(special);
                    masks.syms.push(SymField { slot, n: n_syms, masks: m });
                }
                FieldType::Bool => {
                    // As an ordered field without bounds: class 0 is false, 1 is true.
                    let mut m = Vec::from([of(Val::Bool(false)), of(Val::Bool(true))]);
                    m.extend(special);
                    masks.bools.push(OrdField { slot, bounds: Vec::new(), masks: m, base: 2 });
                }
                FieldType::Integer | FieldType::Money => {
                    let (bounds, m, base) = ordered(tests(), dec_atoms, Val::Dec, &of, &mask, special)?;
                    // Keys by scale, then bound: the keys of one scale are contiguous.
                    let keys =
                        (0..SCALES as u32).flat_map(|s| bounds.iter().map(move |&b| DecKey::new(b, s))).collect();
                    masks.decs.push(OrdField { slot, bounds: keys, masks: m, base });
                }
                FieldType::Number => {
                    let (bounds, m, base) = ordered(tests(), num_atoms, Val::Num, &of, &mask, special)?;
                    masks.nums.push(OrdField { slot, bounds, masks: m, base });
                }
                FieldType::Timestamp => {
                    let (bounds, m, base) = ordered(tests(), time_atoms, Val::Time, &of, &mask, special)?;
                    masks.times.push(OrdField { slot, bounds, masks: m, base });
                }
            }
        }
        Some(masks)
    }
}

/// The distinct bounds named by a field's tests, sorted; `None` beyond [`MAX_BOUNDS`].
fn sorted_bounds<'a, T: PartialOrd + Copy + 'a>(atoms: impl Iterator<Item = &'a [Atom<T>]>) -> Option<Vec<T>> {
    let mut b = Vec::new();
    for a in atoms.flatten() {
        match *a {
            Atom::Cmp(_, x) => b.push(x),
            Atom::Range { lo, hi, .. } => {
                b.push(lo);
                b.push(hi);
            }
        }
        if b.len() > 4 * MAX_BOUNDS {
            return None;
        }
    }
    crate::sort::sort_by(&mut b, |x, y| x.partial_cmp(y).unwrap_or(Ordering::Equal));
    b.dedup_by(|x, y| x == y);
    (b.len() <= MAX_BOUNDS).then_some(b)
}

fn dec_atoms(p: &Pred) -> Option<&[Atom<Decimal>]> {
    if let Pred::Dec(a) = p { Some(a) } else { None }
}
fn num_atoms(p: &Pred) -> Option<&[Atom<f64>]> {
    if let Pred::Num(a) = p { Some(a) } else { None }
}
fn time_atoms(p: &Pred) -> Option<&[Atom<i64>]> {
    if let Pred::Time(a) = p { Some(a) } else { None }
}

/// An ordered field's sorted bounds and masks: for each open interval around the bounds,
/// the rules whose tests hold inside it, and for each bound those whose tests hold at it
/// (`of` a value); then the `special` classes, from the returned index. `atoms` reads a
/// test's atoms (`None`: a test of another type, which never holds, negated or not, like
/// `Cond::holds`; a present value makes `null` false). `None` beyond [`MAX_BOUNDS`].
#[allow(clippy::type_complexity)] // `mask` takes the predicate a rule's tests must meet
fn ordered<'r, T: PartialOrd + Copy + 'r>(
    tests: impl Iterator<Item = &'r Cond>,
    atoms: fn(&Pred) -> Option<&[Atom<T>]>,
    val: fn(T) -> Val,
    of: &dyn Fn(Val) -> u64,
    mask: &dyn Fn(&dyn Fn(&Cond) -> bool) -> u64,
    special: [u64; 3],
) -> Option<(Vec<T>, Vec<u64>, usize)> {
    let bounds = sorted_bounds(tests.filter_map(|c| atoms(&c.pred)))?;
    let mut out = Vec::with_capacity(2 * bounds.len() + 1 + special.len());
    for i in 0..=bounds.len() {
        let lo = i.checked_sub(1).and_then(|j| bounds.get(j)).copied();
        out.push(mask(&|c: &Cond| match &c.pred {
            Pred::Null => c.negate,
            p => atoms(p).is_some_and(|a| a.iter().any(|t| t.holds_between(lo)) != c.negate),
        }));
        if let Some(&b) = bounds.get(i) {
            out.push(of(val(b)));
        }
    }
    let base = out.len();
    out.extend(special);
    Some((bounds, out, base))
}

impl<T: PartialOrd + Copy> Atom<T> {
    /// Whether the test holds for the values of an open interval whose lower end is `lo`
    /// (`None`: unbounded below) and inside which none of the test's bounds lies: then it
    /// holds for all of them or for none.
    pub fn holds_between(&self, lo: Option<T>) -> bool {
        // The interval lies above a bound `b` iff `b <= lo`; otherwise it lies below `b`.
        let above = |b: T| lo.is_some_and(|l| b <= l);
        match *self {
            Atom::Cmp(op, b) => {
                use crate::table::Cmp;
                match op {
                    Cmp::Eq => false,
                    Cmp::Ne => true,
                    Cmp::Lt | Cmp::Le => !above(b),
                    Cmp::Gt | Cmp::Ge => above(b),
                }
            }
            Atom::Range { lo: a, hi: b, .. } => above(a) && !above(b),
        }
    }
}

#[cfg(test)]
mod tests {
    //! Differential test: for random tables and random cases, the masks select exactly the
    //! rules whose tests all hold by [`Cond::holds`], the definition of a match.
    use super::*;
    use crate::table::{Cmp, SymSet};
    use proptest::prelude::*;

    /// Field types by slot: enum (5 values), string (3 named values), bool, decimal,
    /// number, timestamp.
    const TYPES: [(FieldType, usize); 6] = [
        (FieldType::Enum, 5),
        (FieldType::String, 3),
        (FieldType::Bool, 0),
        (FieldType::Money, 0),
        (FieldType::Number, 0),
        (FieldType::Timestamp, 0),
    ];
    const DECS: [&str; 6] = ["-5", "0", "1", "999.99", "1000", "1000.5"];
    const NUMS: [f64; 4] = [-1.5, 0.0, 0.8, 100.0];
    const TIMES: [i64; 4] = [0, 100, 101, 1000];

    fn dec(i: usize) -> Decimal {
        DECS[i % DECS.len()].parse().unwrap_or_default()
    }

    fn cmp_op(i: u8) -> Cmp {
        [Cmp::Eq, Cmp::Ne, Cmp::Lt, Cmp::Le, Cmp::Gt, Cmp::Ge][(i % 6) as usize]
    }

    fn atom<T: PartialOrd + Copy>(op: u8, a: T, b: T, flags: u8) -> Atom<T> {
        if op < 6 {
            Atom::Cmp(cmp_op(op), a)
        } else {
            let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
            let (lo_incl, hi_incl) = if lo == hi { (true, true) } else { (flags & 1 == 1, flags & 2 == 2) };
            Atom::Range { lo, lo_incl, hi, hi_incl }
        }
    }

    /// One test on `slot` from raw numbers.
    fn cond(slot: u16, kind: u8, negate: bool, raw: &[(u8, usize, usize, u8)], syms: u64) -> Cond {
        let pred = if kind.is_multiple_of(5) {
            Pred::Null
        } else {
            match TYPES[slot as usize].0 {
                FieldType::Enum | FieldType::String => {
                    let mut s = SymSet::default();
                    for k in 0..6 {
                        if syms >> k & 1 == 1 {
                            s.insert(k);
                        }
                    }
                    Pred::Sym(s)
                }
                FieldType::Bool => Pred::Bool(syms & 1 == 1),
                FieldType::Money | FieldType::Integer => {
                    Pred::Dec(raw.iter().map(|&(op, a, b, f)| atom(op % 7, dec(a), dec(b), f)).collect())
                }
                FieldType::Number => {
                    Pred::Num(raw.iter().map(|&(op, a, b, f)| atom(op % 7, NUMS[a % 4], NUMS[b % 4], f)).collect())
                }
                FieldType::Timestamp => {
                    Pred::Time(raw.iter().map(|&(op, a, b, f)| atom(op % 7, TIMES[a % 4], TIMES[b % 4], f)).collect())
                }
            }
        };
        Cond { slot, pred, negate }
    }

    /// A case value for `slot`: absent, another type, a named value, a value next to one,
    /// or a named value at another scale.
    fn value(slot: u16, pick: u8, i: usize) -> Val {
        if pick.is_multiple_of(8) {
            return Val::Absent;
        }
        if pick % 8 == 1 {
            return if slot == 0 || slot == 1 { Val::Num(1.0) } else { Val::Sym(0) };
        }
        let delta = (pick % 8) as i64 - 4; // -2..=3 steps around a named value
        match TYPES[slot as usize].0 {
            FieldType::Enum => Val::Sym((i % 5) as u32),
            FieldType::String => Val::Sym(if i % 4 == 3 { crate::value::OTHER_SYM } else { (i % 3) as u32 }),
            FieldType::Bool => Val::Bool(i.is_multiple_of(2)),
            FieldType::Money | FieldType::Integer => {
                let mut d = dec(i) + Decimal::new(delta, 2);
                if delta == 0 {
                    d.rescale(((i % 4) as u32) * 3); // the same value with more decimals
                }
                Val::Dec(d)
            }
            FieldType::Number => {
                if delta == 3 {
                    Val::Num(f64::NAN)
                } else {
                    Val::Num(NUMS[i % 4] + delta as f64 * 0.25)
                }
            }
            FieldType::Timestamp => Val::Time(TIMES[i % 4] + delta),
        }
    }

    type RawRule = Vec<(u16, u8, bool, Vec<(u8, usize, usize, u8)>, u64)>;

    fn rule_strategy() -> impl Strategy<Value = RawRule> {
        proptest::collection::vec(
            (
                0u16..6,
                any::<u8>(),
                any::<bool>(),
                proptest::collection::vec((0u8..7, 0usize..6, 0usize..6, 0u8..4), 1..3),
                any::<u64>(),
            ),
            0..4,
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]
        #[test]
        fn masks_select_exactly_the_matching_rules(
            raw in proptest::collection::vec(rule_strategy(), 1..=64),
            cases in proptest::collection::vec(proptest::collection::vec((any::<u8>(), any::<usize>()), 6), 16),
        ) {
            let rules: Vec<Rule<()>> = raw
                .iter()
                .enumerate()
                .map(|(i, conds)| {
                    let mut conds: Vec<Cond> =
                        conds.iter().map(|(slot, kind, neg, atoms, syms)| cond(*slot, *kind, *neg, atoms, *syms)).collect();
                    // A `when` object names each field once.
                    conds.sort_by_key(|c| c.slot);
                    conds.dedup_by_key(|c| c.slot);
                    Rule { gid: i as u32, conds, out: () }
                })
                .collect();
            let masks = Masks::compile(&rules, |s| TYPES.get(s as usize).copied());
            prop_assert!(masks.is_some());
            let masks = masks.unwrap_or_else(|| unreachable!());
            for case in &cases {
                let vals: Vec<Val> =
                    case.iter().enumerate().map(|(slot, &(pick, i))| value(slot as u16, pick, i)).collect();
                let get = |s: u16| Packed::pack(vals.get(s as usize).copied().unwrap_or(Val::Absent));
                let expected = rules.iter().enumerate().fold(0u64, |m, (i, r)| {
                    m | (u64::from(r.conds.iter().all(|c| c.holds(get(c.slot).unpack()))) << i)
                });
                prop_assert_eq!(masks.matching(&get), expected, "case {:?}", vals);
            }
        }

        /// Every hit policy gives the same result through masks as rule by rule (and, for
        /// `first`, as through the kind index used for tables beyond 64 rules).
        #[test]
        fn tables_evaluate_alike_through_masks_scan_and_index(
            raw in proptest::collection::vec(rule_strategy(), 1..=64),
            outs in proptest::collection::vec(0u8..3, 64),
            cases in proptest::collection::vec(proptest::collection::vec((any::<u8>(), any::<usize>()), 6), 8),
        ) {
            use crate::table::{Found, Hit, Table};
            let rules: Vec<Rule<u8>> = raw
                .iter()
                .enumerate()
                .map(|(i, conds)| {
                    let mut conds: Vec<Cond> =
                        conds.iter().map(|(slot, kind, neg, atoms, syms)| cond(*slot, *kind, *neg, atoms, *syms)).collect();
                    conds.sort_by_key(|c| c.slot);
                    conds.dedup_by_key(|c| c.slot);
                    Rule { gid: i as u32, conds, out: outs.get(i).copied().unwrap_or(0) }
                })
                .collect();
            let mut schema = crate::table::Schema::default();
            for (i, &(ty, n)) in TYPES.iter().enumerate() {
                let mut f = crate::table::Field::new(alloc::format!("f{i}"), ty, false);
                for k in 0..n {
                    f.intern(&alloc::format!("s{k}"));
                }
                schema.push(f);
            }
            for hit in [Hit::Unique, Hit::Any, Hit::Priority, Hit::First, Hit::RuleOrder, Hit::OutputOrder, Hit::Collect] {
                // Rank order: by output value, then rule order.
                let mut order: Vec<u32> = (0..rules.len() as u32).collect();
                order.sort_by_key(|&i| rules.get(i as usize).map(|r| r.out));
                let plain = Table { hit, agg: None, rules: rules.clone(), order, default: None, masks: None, index: None };
                let mut masked = plain.clone();
                masked.prepare(&schema, Some(0), usize::MAX);
                prop_assert!(masked.masks.is_some());
                let mut indexed = plain.clone();
                indexed.index_on(0, 5);
                for case in &cases {
                    let vals: Vec<Val> =
                        case.iter().enumerate().map(|(slot, &(pick, i))| value(slot as u16, pick, i)).collect();
                    let get = |s: u16| Packed::pack(vals.get(s as usize).copied().unwrap_or(Val::Absent));
                    let (mut a, mut b, mut c) = (Vec::new(), Vec::new(), Vec::new());
                    let fa: Found = plain.eval(get, &mut a);
                    let fb = masked.eval(get, &mut b);
                    let fc = indexed.eval(get, &mut c);
                    prop_assert_eq!((fa, &a), (fb, &b), "{:?} masks, case {:?}", hit, vals);
                    prop_assert_eq!((fa, &a), (fc, &c), "{:?} index, case {:?}", hit, vals);
                    if hit == Hit::First {
                        prop_assert_eq!(masked.first(get), Some(a.first().copied()));
                        prop_assert_eq!(indexed.first(get), Some(a.first().copied()));
                    }
                }
            }
        }
    }

    proptest! {
        /// `DecBound::covers(v)` is `v <= bound` for any bound and value: mantissas up to
        /// 96 bits, signs and scales 0 through 28 on both sides.
        #[test]
        fn decimal_bounds_cover_exactly_the_values_at_most_them(
            b in (any::<i64>(), any::<u32>(), 0u32..=28),
            vs in proptest::collection::vec((any::<i64>(), any::<u32>(), 0u32..=28), 1..16),
        ) {
            let dec = |(lo, hi, s): (i64, u32, u32)| {
                // Up to 94 bits, either sign.
                let m = i128::from(lo) << (hi % 32);
                Decimal::try_from_i128_with_scale(m, s).unwrap_or_default()
            };
            let bound = dec(b);
            let keyed = DecBound::new(bound);
            // Values equal to the bound at other scales, and its neighbours, besides the random ones.
            let mut values: Vec<Decimal> = vs.into_iter().map(dec).collect();
            values.push(bound);
            for s in 0..=28u32 {
                let mut v = bound;
                v.rescale(s);
                if v == bound {
                    values.push(v);
                }
            }
            let ulp = Decimal::new(1, bound.scale());
            values.extend(bound.checked_add(ulp));
            values.extend(bound.checked_sub(ulp));
            for v in values {
                prop_assert_eq!(keyed.covers(v), v <= bound, "bound {} value {}", bound, v);
            }
        }
    }

    #[test]
    fn decimal_keys_order_values_at_every_scale() {
        // 1000.5 seen at scale 0: floor 1000, not exact; at scale 2: 100050, exact.
        let b: Decimal = "1000.5".parse().unwrap_or_default();
        let k0 = DecKey::new(b, 0);
        assert_eq!((k0.floor, k0.exact), (1000, false));
        let k2 = DecKey::new(b, 2);
        assert_eq!((k2.floor, k2.exact), (100_050, true));
        // -0.5 at scale 0: floor is -1 (toward −∞), not exact.
        let n: Decimal = "-0.5".parse().unwrap_or_default();
        let kn = DecKey::new(n, 0);
        assert_eq!((kn.floor, kn.exact), (-1, false));
        // A bound too large to scale saturates: every 96-bit mantissa is below it.
        let big = Decimal::MAX;
        let kb = DecKey::new(big, 28);
        assert_eq!((kb.floor, kb.exact), (i128::MAX, false));
    }
}
