//! The policy linter: warnings, each with a stable code and a JSON pointer, about parts of
//! a policy that compile but cannot do what they seem to.
//!
//! - `unused_queue`: a queue no routing output names, which is not `invalid_queue`.
//! - `unreachable_rule`: a rule of a table where one rule decides (`first`, `priority`;
//!   for routing also `rule_order`, `collect`, `output_order`) that never decides,
//!   because the rules before it (in table or rank order) match every case it matches.
//! - `unfillable_step`: an approval step that no role listed under `actions.approve` may
//!   fill (by `approvals.fill`), or may fill only up to a limit below amounts the rule
//!   admits when `approve` has `within_limit`.
//! - `limit_without_value`: a `by_limit` field, or `approve`'s `within_limit` field, that
//!   can be absent when an approval rule adds a step (the rule does not test it and the
//!   kinds it admits do not require it).
//!
//! `unreachable_rule` is decided exactly on the tests' values: every test of a field is a
//! set of its values (symbols, booleans, intervals of numbers, decimals or instants, and
//! absence), a rule is the product of its tests' sets, and a rule is reported when the
//! rules before it cover that product (box subtraction, piece by piece). Integer and
//! timestamp fields are discrete (`> 3` and `>= 4` are the same test), timestamps span
//! the instants a case may carry (1970 through 2099), and every field may be absent. The
//! work is bounded: a rule whose uncovered part splits into more than [`MAX_PIECES`]
//! pieces is not reported, and a table is examined for at most [`MAX_STEPS`] steps (a
//! step: one earlier rule considered, or one value or interval of a test compared); the
//! rules left when the steps run out are not reported. Nothing is reported that does not
//! hold.

use super::RouteOut;
use super::diagnostics::{Diags, PolicyCode, child, index};
use super::queues::Queue;
use super::rights::{Action, ApprovalOut, Fill, Role};
use crate::table::masks::DecBound;
use crate::table::{Atom, Cmp, Cond, Hit, Pred, Schema, Table};
use crate::time::{EARLIEST_CASE_INSTANT, Instant, LATEST_CASE_INSTANT};
use crate::value::FieldType;
use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use core::cmp::Ordering;
use rust_decimal::Decimal;

/// Most pieces the uncovered part of one rule may split into before it is given up.
pub const MAX_PIECES: usize = 256;
/// Most steps `unreachable_rule` spends on one table.
pub const MAX_STEPS: u64 = 500_000;

/// A decision table as the linter reads it: where it is, its hit policy, its rules'
/// tests and ids, and their rank order.
pub(super) struct TableView<'a> {
    pub path: &'static str,
    pub hit: Hit,
    /// Whether the table yields one rule's outputs under a multi-hit policy too (routing:
    /// the first rule of the list decides).
    pub one_decides: bool,
    /// Each rule's global id and tests, in table order.
    pub rules: Vec<(u32, &'a [Cond])>,
    /// Rule indexes in rank order (for `priority` and `output_order`).
    pub order: &'a [u32],
}

/// What the linter reads of a compiled policy.
pub(super) struct Lint<'a> {
    pub schema: &'a Schema,
    pub rule_ids: &'a [String],
    pub kind_slot: u16,
    pub required_any: &'a [u16],
    pub required: &'a [Vec<u16>],
    pub queues: &'a [Queue],
    pub invalid_queue: Option<u32>,
    pub routing: &'a Table<RouteOut>,
    /// Routing, the SLA targets and the approvals tables, those the policy has.
    pub tables: Vec<TableView<'a>>,
    pub approvals: Option<&'a Table<ApprovalOut>>,
    pub roles: &'a [Role],
    pub limit_order: &'a [(u32, DecBound)],
    pub rank: &'a [u32],
    pub fill: Fill,
    pub approve: Option<&'a Action>,
    pub approver: &'a [bool],
}

impl Lint<'_> {
    /// Every warning, in the order of the policy's sections.
    pub(super) fn run(&self, d: &mut Diags) {
        self.unused_queues(d);
        for t in &self.tables {
            // One rule decides under `first` and `priority`, and in routing under every
            // multi-hit policy (the first rule of the list: in rank order for
            // `output_order`).
            let ranked = matches!(t.hit, Hit::Priority | Hit::OutputOrder);
            let first =
                matches!(t.hit, Hit::First) || (t.one_decides && matches!(t.hit, Hit::RuleOrder | Hit::Collect));
            if (ranked && (t.hit == Hit::Priority || t.one_decides)) || first {
                self.unreachable(t, ranked, d);
            }
        }
        if let Some(a) = self.approvals {
            for (k, r) in a.rules.iter().enumerate() {
                self.steps(&r.conds, r.out, &child(&index("/approvals/rules", k), "then"), d);
            }
            if let Some((_, o)) = a.default {
                self.steps(&[], o, "/approvals/default", d);
            }
        }
    }

    fn unused_queues(&self, d: &mut Diags) {
        let mut used = vec![false; self.queues.len()];
        let outs = self.routing.rules.iter().map(|r| r.out).chain(self.routing.default.map(|(_, o)| o));
        for q in outs.map(|o| o.queue).chain(self.invalid_queue) {
            if let Some(u) = used.get_mut(q as usize) {
                *u = true;
            }
        }
        for (q, _) in self.queues.iter().zip(&used).filter(|(_, u)| !**u) {
            d.warn(
                PolicyCode::UnusedQueue,
                &child("/queues", &q.name),
                format!("no routing rule or default sends a case to `{}`, and it is not invalid_queue", q.name),
            );
        }
    }

    /// `unreachable_rule` for one table, its rules taken in rank order when `ranked`,
    /// else in table order.
    fn unreachable(&self, t: &TableView<'_>, ranked: bool, d: &mut Diags) {
        let seq: Vec<usize> =
            if ranked { t.order.iter().map(|&i| i as usize).collect() } else { (0..t.rules.len()).collect() };
        let id = |k: usize| t.rules.get(k).and_then(|(g, _)| self.rule_ids.get(*g as usize)).map_or("", String::as_str);
        // The rules' boxes, and their kinds as a bit mask (two rules whose masks share no
        // bit share no case, which one AND tells), built in deciding order as the rules
        // are reached: a table the steps run out on is not built whole.
        let mut boxes: Vec<(Boxed, u64)> = Vec::with_capacity(seq.len().min(1024));
        let mut steps = 0u64;
        for (p, &j) in seq.iter().enumerate() {
            let bj = self.boxed(t.rules.get(j).map_or(&[][..], |(_, c)| c));
            let kj = self.kind_mask(&bj);
            let mut uncovered: Vec<Boxed> = Vec::new();
            if !self.is_empty(&bj) {
                uncovered.push(bj.clone());
            }
            boxes.push((bj, kj));
            let mut by: Vec<usize> = Vec::new();
            let mut gave_up = false;
            for (q, (bi, ki)) in boxes.iter().enumerate().take(p) {
                if uncovered.is_empty() {
                    break;
                }
                // Most earlier rules share no case with what is left: checked without
                // building anything (first by their kinds).
                steps += 1;
                if ki & kj == 0 || !uncovered.iter().any(|piece| self.overlap(piece, bi, &mut steps)) {
                    if steps > MAX_STEPS {
                        gave_up = true;
                        break;
                    }
                    continue;
                }
                let mut next = Vec::with_capacity(uncovered.len());
                for piece in uncovered {
                    if self.overlap(&piece, bi, &mut steps) {
                        next.extend(self.split(&piece, bi, &mut steps));
                    } else {
                        next.push(piece);
                    }
                }
                by.push(seq.get(q).copied().unwrap_or(0));
                uncovered = next;
                if uncovered.len() > MAX_PIECES || steps > MAX_STEPS {
                    gave_up = true;
                    break;
                }
            }
            if steps > MAX_STEPS {
                return;
            }
            if gave_up || !uncovered.is_empty() {
                continue;
            }
            let message = if by.is_empty() {
                format!("rule `{}` can never match: its tests hold for no case", id(j))
            } else {
                let before = if ranked { "ranked before it" } else { "before it" };
                format!(
                    "rule `{}` can never decide: the rules {before} ({}) match every case it matches",
                    id(j),
                    listed_names(by.iter().map(|&k| id(k)))
                )
            };
            d.warn(PolicyCode::UnreachableRule, &index(&child(t.path, "rules"), j), message);
        }
    }

    /// The warnings of the steps one approval rule (or the default) adds; `then` is the
    /// path of its outputs.
    fn steps(&self, conds: &[Cond], out: ApprovalOut, then: &str, d: &mut Diags) {
        let role_path = child(then, "role");
        let rule_path = then.strip_suffix("/then").unwrap_or(then);
        let b = self.boxed(conds);
        let within = self.approve.and_then(|a| a.within_limit);
        // Each role the rule's step may resolve to, with the values of its limit field
        // that resolve to it (for `by_limit`).
        let mut steps: Vec<(u32, Option<Vec<Iv<Key>>>)> = Vec::new();
        match out {
            ApprovalOut::Role(s) => steps.push((s, None)),
            ApprovalOut::ByLimit(slot) => {
                let vals = self.decimals(&b, slot);
                let mut prev: Bd<Key> = Bd::Inf;
                let mut last: Option<Decimal> = None;
                for &(r, _) in self.limit_order {
                    let Some(limit) = self.roles.get(r as usize).and_then(|x| x.limit) else { continue };
                    if last == Some(limit) {
                        continue; // an equal limit: the first declared takes its values
                    }
                    let band = vec![Iv { lo: prev, hi: Bd::In(Key::D(limit)) }];
                    let hit = intersect_ivs(&vals, &band, None);
                    if !hit.is_empty() {
                        steps.push((r, Some(hit)));
                    }
                    prev = Bd::Ex(Key::D(limit));
                    last = Some(limit);
                }
                let above = intersect_ivs(&vals, &[Iv { lo: prev, hi: Bd::Inf }], None);
                if let (false, Some(top)) = (above.is_empty(), self.roles.iter().position(|r| r.limit.is_none())) {
                    steps.push((top as u32, Some(above)));
                }
                if let Some(kinds) = self.absent_for_some_kind(&b, slot) {
                    d.warn(
                        PolicyCode::LimitWithoutValue,
                        &child(then, "limit_field"),
                        format!(
                            "`{}` can be absent when this rule applies ({kinds}): the step then resolves to no role (no_authority)",
                            self.field_name(slot)
                        ),
                    );
                }
            }
        }
        // A `by_limit` step on the within_limit field itself exists only with a value.
        let own_field = matches!(out, ApprovalOut::ByLimit(f) if Some(f) == within);
        if let (Some(w), false) = (within, own_field)
            && let Some(kinds) = self.absent_for_some_kind(&b, w)
        {
            d.warn(
                PolicyCode::LimitWithoutValue,
                rule_path,
                format!(
                    "`{}` (actions.approve.within_limit) can be absent when this rule adds a step ({kinds}): no role covers an absent value, so no one can fill it",
                    self.field_name(w)
                ),
            );
        }
        for (s, band) in steps {
            let role = self.roles.get(s as usize).map_or("", |r| r.name.as_str());
            let fillers: Vec<u32> = (0..self.roles.len() as u32)
                .filter(|&r| self.approver.get(r as usize).copied().unwrap_or(false) && self.may_fill(r, s))
                .collect();
            if self.approve.is_none() || fillers.is_empty() {
                let why = if self.approve.is_none() {
                    String::from("the policy declares no `approve` action")
                } else {
                    format!("no role listed under actions.approve.roles may fill it (fill: {})", self.fill.as_str())
                };
                d.warn(PolicyCode::UnfillableStep, &role_path, format!("a `{role}` step can never be filled: {why}"));
                continue;
            }
            let Some(w) = within else { continue };
            // The most any filler may cover: unlimited if one has no limit.
            let cap = fillers.iter().try_fold(None::<Decimal>, |m, &r| {
                let l = self.roles.get(r as usize).and_then(|x| x.limit)?;
                Some(Some(m.map_or(l, |m: Decimal| m.max(l))))
            });
            let Some(Some(cap)) = cap else { continue };
            let vals = match (&band, out) {
                (Some(v), ApprovalOut::ByLimit(f)) if f == w => v.clone(),
                _ => self.decimals(&b, w),
            };
            if !intersect_ivs(&vals, &[Iv { lo: Bd::Ex(Key::D(cap)), hi: Bd::Inf }], None).is_empty() {
                d.warn(
                    PolicyCode::UnfillableStep,
                    &role_path,
                    format!(
                        "a `{role}` step for {} above {cap} can never be filled: the roles that may fill it have limits of at most {cap} (actions.approve.within_limit)",
                        self.field_name(w)
                    ),
                );
            }
        }
    }

    fn may_fill(&self, r: u32, step: u32) -> bool {
        r == step
            || (self.fill == Fill::SameOrHigher
                && matches!((self.rank.get(r as usize), self.rank.get(step as usize)), (Some(a), Some(b)) if a > b))
    }

    fn field_name(&self, slot: u16) -> &str {
        self.schema.fields.get(slot as usize).map_or("", |f| f.name.as_str())
    }

    /// The present values of decimal field `slot` a box admits.
    fn decimals(&self, b: &Boxed, slot: u16) -> Vec<Iv<Key>> {
        match b.iter().find(|(s, _)| *s == slot).map(|(_, x)| &x.vals) {
            Some(Vals::Ivs(v)) => v.clone(),
            _ => all(),
        }
    }

    /// When field `slot` can be absent in a case the box admits, although a case of its
    /// kind must carry it when valid: some of those kinds, named for a message.
    fn absent_for_some_kind(&self, b: &Boxed, slot: u16) -> Option<String> {
        if self.required_any.contains(&slot) {
            return None;
        }
        let set = b.iter().find(|(s, _)| *s == slot).map(|(_, x)| x);
        if set.is_some_and(|x| !x.absent) {
            return None;
        }
        let kind_field = self.schema.fields.get(self.kind_slot as usize)?;
        let required = |k: u32| self.required.get(k as usize).is_some_and(|r| r.contains(&slot));
        let kinds = b.iter().find(|(s, _)| *s == self.kind_slot).map(|(_, x)| &x.vals);
        let (neg, listed): (bool, &[u32]) = match kinds {
            Some(Vals::Syms(neg, l)) => (*neg, l),
            _ => (true, &[]),
        };
        let admitted = |k: u32| listed.binary_search(&k).is_ok() != neg;
        let n = kind_field.syms.len() as u32;
        let open: Vec<&str> = (0..n)
            .filter(|&k| admitted(k) && !required(k))
            .filter_map(|k| kind_field.syms.get(k as usize).map(String::as_str))
            .collect();
        // A string `kind` takes values no test names, which no `required` lists either.
        let other = kind_field.ty == FieldType::String && neg;
        if open.is_empty() && !other {
            return None;
        }
        let mut s = if open.is_empty() { String::from("kinds") } else { String::from("kind ") };
        s.push_str(&listed_names(open.iter().copied()));
        if other {
            s.push_str(if open.is_empty() { " no test names" } else { " and others" });
        }
        Some(s)
    }
}

/// Up to four names, in backquotes, with how many more.
fn listed_names<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let all: Vec<&str> = names.collect();
    let mut s = String::new();
    for (i, n) in all.iter().take(4).enumerate() {
        if i > 0 {
            s.push_str(", ");
        }
        s.push('`');
        s.push_str(n);
        s.push('`');
    }
    if all.len() > 4 {
        s.push_str(&format!(" and {} more", all.len() - 4));
    }
    s
}

// ---- Value sets ------------------------------------------------------------------------

/// A bound of an interval: none (-∞ below, +∞ above), inclusive or exclusive.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Bd<T> {
    Inf,
    In(T),
    Ex(T),
}

/// An interval of a totally ordered domain.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Iv<T> {
    lo: Bd<T>,
    hi: Bd<T>,
}

/// The tighter of two lower bounds.
fn max_lo<T: PartialOrd + Copy>(a: Bd<T>, b: Bd<T>) -> Bd<T> {
    match (a, b) {
        (Bd::Inf, x) | (x, Bd::Inf) => x,
        (Bd::In(x) | Bd::Ex(x), Bd::In(y) | Bd::Ex(y)) => match x.partial_cmp(&y) {
            Some(Ordering::Less) => b,
            Some(Ordering::Greater) => a,
            _ => {
                if matches!(a, Bd::Ex(_)) {
                    a
                } else {
                    b
                }
            }
        },
    }
}

/// The tighter of two upper bounds.
fn min_hi<T: PartialOrd + Copy>(a: Bd<T>, b: Bd<T>) -> Bd<T> {
    match (a, b) {
        (Bd::Inf, x) | (x, Bd::Inf) => x,
        (Bd::In(x) | Bd::Ex(x), Bd::In(y) | Bd::Ex(y)) => match x.partial_cmp(&y) {
            Some(Ordering::Less) => a,
            Some(Ordering::Greater) => b,
            _ => {
                if matches!(a, Bd::Ex(_)) {
                    a
                } else {
                    b
                }
            }
        },
    }
}

/// Whether upper bound `a` is below upper bound `b` (ends first).
fn hi_before<T: PartialOrd + Copy>(a: Bd<T>, b: Bd<T>) -> bool {
    match (a, b) {
        (Bd::Inf, _) => false,
        (_, Bd::Inf) => true,
        (Bd::In(x) | Bd::Ex(x), Bd::In(y) | Bd::Ex(y)) => {
            x < y || (x == y && matches!(a, Bd::Ex(_)) && matches!(b, Bd::In(_)))
        }
    }
}

/// Whether lower bound `a` starts before lower bound `b`.
fn lo_before<T: PartialOrd + Copy>(a: Bd<T>, b: Bd<T>) -> bool {
    match (a, b) {
        (_, Bd::Inf) => false,
        (Bd::Inf, _) => true,
        (Bd::In(x) | Bd::Ex(x), Bd::In(y) | Bd::Ex(y)) => {
            x < y || (x == y && matches!(a, Bd::In(_)) && matches!(b, Bd::Ex(_)))
        }
    }
}

impl<T: PartialOrd + Copy> Iv<T> {
    fn is_empty(&self) -> bool {
        match (self.lo, self.hi) {
            (Bd::Inf, _) | (_, Bd::Inf) => false,
            (Bd::In(a), Bd::In(b)) => a > b,
            (Bd::In(a) | Bd::Ex(a), Bd::In(b) | Bd::Ex(b)) => a >= b,
        }
    }
    fn meet(&self, o: &Iv<T>) -> Iv<T> {
        Iv { lo: max_lo(self.lo, o.lo), hi: min_hi(self.hi, o.hi) }
    }
}

/// A value of a numeric field: an exact decimal (integer and money fields), a number, an
/// instant. The values of one field are all of one kind, so values of two kinds are
/// never compared (the derived order would put every decimal first).
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd)]
enum Key {
    D(Decimal),
    N(f64),
    T(Instant),
}

/// Closes an interval of a discrete domain onto its whole values (`> 3` is `>= 4`):
/// `None` when it holds none.
type Close = fn(Iv<Key>) -> Option<Iv<Key>>;

/// Integers: whole decimals.
fn close_int(iv: Iv<Key>) -> Option<Iv<Key>> {
    let lo = match iv.lo {
        Bd::Inf => Bd::Inf,
        Bd::In(Key::D(a)) => Bd::In(Key::D(a.ceil())),
        Bd::Ex(Key::D(a)) => Bd::In(Key::D(a.floor().checked_add(Decimal::ONE)?)),
        other => other,
    };
    let hi = match iv.hi {
        Bd::Inf => Bd::Inf,
        Bd::In(Key::D(b)) => Bd::In(Key::D(b.floor())),
        Bd::Ex(Key::D(b)) => Bd::In(Key::D(b.ceil().checked_sub(Decimal::ONE)?)),
        other => other,
    };
    let iv = Iv { lo, hi };
    (!iv.is_empty()).then_some(iv)
}

/// Instants: whole seconds, and only those a case may carry (1970 through 2099).
fn close_time(iv: Iv<Key>) -> Option<Iv<Key>> {
    let lo = match iv.lo {
        Bd::In(Key::T(a)) => a,
        Bd::Ex(Key::T(a)) => a.checked_add(1)?,
        _ => EARLIEST_CASE_INSTANT,
    }
    .max(EARLIEST_CASE_INSTANT);
    let hi = match iv.hi {
        Bd::In(Key::T(b)) => b,
        Bd::Ex(Key::T(b)) => b.checked_sub(1)?,
        _ => LATEST_CASE_INSTANT,
    }
    .min(LATEST_CASE_INSTANT);
    (lo <= hi).then_some(Iv { lo: Bd::In(Key::T(lo)), hi: Bd::In(Key::T(hi)) })
}

/// The intersection of two sorted lists of disjoint intervals (sorted, disjoint).
fn intersect_ivs(a: &[Iv<Key>], b: &[Iv<Key>], close: Option<Close>) -> Vec<Iv<Key>> {
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    while let (Some(x), Some(y)) = (a.get(i), b.get(j)) {
        let m = x.meet(y);
        if !m.is_empty() {
            match close {
                Some(c) => out.extend(c(m)),
                None => out.push(m),
            }
        }
        if hi_before(x.hi, y.hi) {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

/// The complement of a sorted list of disjoint intervals: the gaps between them.
fn complement_ivs(a: &[Iv<Key>], close: Option<Close>) -> Vec<Iv<Key>> {
    let flip = |b: Bd<Key>| match b {
        Bd::Inf => Bd::Inf,
        Bd::In(x) => Bd::Ex(x),
        Bd::Ex(x) => Bd::In(x),
    };
    let mut out = Vec::new();
    let mut lo = Bd::Inf;
    let mut push = |iv: Iv<Key>| {
        if !iv.is_empty() {
            match close {
                Some(c) => out.extend(c(iv)),
                None => out.push(iv),
            }
        }
    };
    for x in a {
        if x.lo != Bd::Inf {
            push(Iv { lo, hi: flip(x.lo) });
        }
        if x.hi == Bd::Inf {
            return out;
        }
        lo = flip(x.hi);
    }
    push(Iv { lo, hi: Bd::Inf });
    out
}

/// The whole line.
fn all() -> Vec<Iv<Key>> {
    vec![Iv { lo: Bd::Inf, hi: Bd::Inf }]
}

/// The intervals of a numeric test's alternatives (any may hold).
fn atom_ivs<T: Copy>(atoms: &[Atom<T>], key: fn(T) -> Key) -> Vec<Iv<Key>> {
    let mut v = Vec::with_capacity(atoms.len() + 1);
    for a in atoms {
        match *a {
            Atom::Cmp(op, b) => {
                let b = key(b);
                match op {
                    Cmp::Eq => v.push(Iv { lo: Bd::In(b), hi: Bd::In(b) }),
                    Cmp::Ne => {
                        v.push(Iv { lo: Bd::Inf, hi: Bd::Ex(b) });
                        v.push(Iv { lo: Bd::Ex(b), hi: Bd::Inf });
                    }
                    Cmp::Lt => v.push(Iv { lo: Bd::Inf, hi: Bd::Ex(b) }),
                    Cmp::Le => v.push(Iv { lo: Bd::Inf, hi: Bd::In(b) }),
                    Cmp::Gt => v.push(Iv { lo: Bd::Ex(b), hi: Bd::Inf }),
                    Cmp::Ge => v.push(Iv { lo: Bd::In(b), hi: Bd::Inf }),
                }
            }
            Atom::Range { lo, lo_incl, hi, hi_incl } => v.push(Iv {
                lo: if lo_incl { Bd::In(key(lo)) } else { Bd::Ex(key(lo)) },
                hi: if hi_incl { Bd::In(key(hi)) } else { Bd::Ex(key(hi)) },
            }),
        }
    }
    v
}

/// The union of some intervals, as a sorted list of disjoint ones.
fn union_ivs(mut v: Vec<Iv<Key>>, close: Option<Close>) -> Vec<Iv<Key>> {
    if let Some(c) = close {
        v = v.into_iter().filter_map(c).collect();
    }
    v.retain(|iv| !iv.is_empty());
    crate::sort::sort_by(&mut v, |x, y| {
        if lo_before(x.lo, y.lo) {
            Ordering::Less
        } else if lo_before(y.lo, x.lo) {
            Ordering::Greater
        } else {
            Ordering::Equal
        }
    });
    let mut out: Vec<Iv<Key>> = Vec::with_capacity(v.len());
    for iv in v {
        match out.last_mut() {
            // Overlapping, or touching at a value one of them holds: one interval.
            Some(last)
                if !last.meet(&iv).is_empty()
                    || matches!((last.hi, iv.lo), (Bd::In(a), Bd::Ex(b)) | (Bd::Ex(a), Bd::In(b)) if a == b) =>
            {
                if hi_before(last.hi, iv.hi) {
                    last.hi = iv.hi;
                }
            }
            _ => out.push(iv),
        }
    }
    out
}

/// The present values of a field that a test admits.
#[derive(Clone, Debug, PartialEq)]
enum Vals {
    /// Symbols: these (`false`), or every symbol of the field but these (`true`); sorted.
    Syms(bool, Vec<u32>),
    /// Booleans: bit 0 `false`, bit 1 `true`.
    Bools(u8),
    /// Intervals of a numeric field: decimals, numbers or instants.
    Ivs(Vec<Iv<Key>>),
}

/// The values of one field a rule admits: present values, and absence.
#[derive(Clone, Debug, PartialEq)]
struct Set {
    absent: bool,
    vals: Vals,
}

/// A rule as the product of its tests' sets; a field it does not test takes any value.
type Boxed = Vec<(u16, Set)>;

/// Symbol set operations on (all but, symbols) pairs.
fn sym_and(a: (bool, &[u32]), b: (bool, &[u32])) -> (bool, Vec<u32>) {
    let (x, y) = (a.1, b.1);
    match (a.0, b.0) {
        (false, false) => (false, x.iter().copied().filter(|s| y.binary_search(s).is_ok()).collect()),
        (false, true) => (false, x.iter().copied().filter(|s| y.binary_search(s).is_err()).collect()),
        (true, false) => (false, y.iter().copied().filter(|s| x.binary_search(s).is_err()).collect()),
        (true, true) => {
            let mut u: Vec<u32> = x.iter().chain(y).copied().collect();
            crate::sort::sort_by(&mut u, u32::cmp);
            u.dedup();
            (true, u)
        }
    }
}

impl Lint<'_> {
    /// A field's domain: how many symbols it has when they are all known (an enum, or the
    /// derived `queue` and `priority`), and how to close its intervals.
    fn finite_syms(&self, slot: u16) -> Option<usize> {
        let f = self.schema.fields.get(slot as usize)?;
        (f.ty == FieldType::Enum || f.derived).then_some(f.syms.len())
    }

    fn full(&self, slot: u16) -> Set {
        let ty = self.schema.fields.get(slot as usize).map_or(FieldType::String, |f| f.ty);
        let vals = match ty {
            FieldType::Enum | FieldType::String => Vals::Syms(true, Vec::new()),
            FieldType::Bool => Vals::Bools(3),
            FieldType::Integer | FieldType::Money | FieldType::Number => Vals::Ivs(all()),
            FieldType::Timestamp => Vals::Ivs(union_ivs(all(), Some(close_time))),
        };
        Set { absent: true, vals }
    }

    /// How field `slot`'s intervals close onto its values, for a discrete domain.
    fn close(&self, slot: u16) -> Option<Close> {
        match self.schema.fields.get(slot as usize).map(|f| f.ty) {
            Some(FieldType::Integer) => Some(close_int),
            Some(FieldType::Timestamp) => Some(close_time),
            _ => None,
        }
    }

    /// The set of a test.
    fn set(&self, c: &Cond) -> Set {
        let full = self.full(c.slot);
        // What the test holds for among present values, before `not`.
        let held = match &c.pred {
            Pred::Null => None,
            Pred::Sym(s) => Some(Vals::Syms(false, s.iter().collect())),
            Pred::Bool(b) => Some(Vals::Bools(if *b { 2 } else { 1 })),
            Pred::Dec(a) => Some(Vals::Ivs(union_ivs(atom_ivs(a, Key::D), self.close(c.slot)))),
            Pred::Num(a) => Some(Vals::Ivs(union_ivs(atom_ivs(a, Key::N), None))),
            Pred::Time(a) => Some(Vals::Ivs(union_ivs(atom_ivs(a, Key::T), self.close(c.slot)))),
        };
        match (held, c.negate) {
            // `null` holds exactly for absence, `{"not": null}` for every present value.
            (None, false) => Set { absent: true, vals: self.empty_vals(&full.vals) },
            (None, true) => Set { absent: false, vals: full.vals },
            // A test on an absent field does not hold, negated or not.
            (Some(v), false) => Set { absent: false, vals: v },
            (Some(v), true) => Set { absent: false, vals: self.minus_vals(c.slot, &full.vals, &v) },
        }
    }

    fn empty_vals(&self, like: &Vals) -> Vals {
        match like {
            Vals::Syms(..) => Vals::Syms(false, Vec::new()),
            Vals::Bools(_) => Vals::Bools(0),
            Vals::Ivs(_) => Vals::Ivs(Vec::new()),
        }
    }

    /// A rule's box: the sets of the fields it tests, by slot.
    fn boxed(&self, conds: &[Cond]) -> Boxed {
        let mut b: Boxed = conds.iter().map(|c| (c.slot, self.set(c))).collect();
        crate::sort::sort_by_key(&mut b, |(s, _)| *s);
        b
    }

    fn and_vals(&self, slot: u16, a: &Vals, b: &Vals) -> Vals {
        match (a, b) {
            (Vals::Syms(na, x), Vals::Syms(nb, y)) => {
                let (n, l) = sym_and((*na, x), (*nb, y));
                Vals::Syms(n, l)
            }
            (Vals::Bools(x), Vals::Bools(y)) => Vals::Bools(x & y),
            (Vals::Ivs(x), Vals::Ivs(y)) => Vals::Ivs(intersect_ivs(x, y, self.close(slot))),
            // Tests of one field share its type.
            _ => self.empty_vals(a),
        }
    }

    fn minus_vals(&self, slot: u16, a: &Vals, b: &Vals) -> Vals {
        match (a, b) {
            (Vals::Syms(na, x), Vals::Syms(nb, y)) => {
                let (n, l) = sym_and((*na, x), (!*nb, y));
                Vals::Syms(n, l)
            }
            (Vals::Bools(x), Vals::Bools(y)) => Vals::Bools(x & !y & 3),
            (Vals::Ivs(x), Vals::Ivs(y)) => {
                let c = self.close(slot);
                Vals::Ivs(intersect_ivs(x, &complement_ivs(y, c), c))
            }
            _ => a.clone(),
        }
    }

    fn vals_empty(&self, slot: u16, v: &Vals) -> bool {
        match v {
            Vals::Syms(false, l) => l.is_empty(),
            Vals::Syms(true, l) => self.finite_syms(slot).is_some_and(|n| l.len() >= n),
            Vals::Bools(m) => *m & 3 == 0,
            Vals::Ivs(l) => l.is_empty(),
        }
    }

    fn set_empty(&self, slot: u16, s: &Set) -> bool {
        !s.absent && self.vals_empty(slot, &s.vals)
    }

    fn is_empty(&self, b: &Boxed) -> bool {
        b.iter().any(|(slot, s)| self.set_empty(*slot, s))
    }

    /// The cost of an operation on two sets, in steps.
    fn cost(a: &Set, b: &Set) -> u64 {
        let len = |v: &Vals| match v {
            Vals::Syms(_, l) => l.len(),
            Vals::Bools(_) => 1,
            Vals::Ivs(l) => l.len(),
        };
        1 + (len(&a.vals) + len(&b.vals)) as u64
    }

    /// Whether two sets of field `slot` share a value (without building their meet).
    fn overlaps(&self, slot: u16, x: &Set, y: &Set) -> bool {
        if x.absent && y.absent {
            return true;
        }
        match (&x.vals, &y.vals) {
            (Vals::Syms(nx, a), Vals::Syms(ny, b)) => match (nx, ny) {
                (false, false) => a.iter().any(|s| b.binary_search(s).is_ok()),
                (false, true) => a.iter().any(|s| b.binary_search(s).is_err()),
                (true, false) => b.iter().any(|s| a.binary_search(s).is_err()),
                (true, true) => match self.finite_syms(slot) {
                    // Some symbol is in neither list.
                    Some(n) => a.len() + b.iter().filter(|s| a.binary_search(s).is_err()).count() < n,
                    None => true,
                },
            },
            (Vals::Bools(a), Vals::Bools(b)) => a & b & 3 != 0,
            (Vals::Ivs(a), Vals::Ivs(b)) => ivs_meet(a, b, self.close(slot)),
            _ => false,
        }
    }

    /// The kinds a box admits, as a bit mask: bit `k` for the `k`-th value of an enum
    /// `kind` of at most 63 values, bit 63 for a case without one; every bit when the
    /// box does not test `kind` or its values are more or open.
    fn kind_mask(&self, b: &Boxed) -> u64 {
        let n = self.finite_syms(self.kind_slot).filter(|&n| n <= 63);
        match (b.iter().find(|(s, _)| *s == self.kind_slot), n) {
            (Some((_, set)), Some(n)) => {
                let mut m = if set.absent { 1 << 63 } else { 0 };
                match &set.vals {
                    Vals::Syms(false, l) => l.iter().filter(|&&k| k < 63).for_each(|&k| m |= 1 << k),
                    Vals::Syms(true, l) => {
                        (0..n as u32).filter(|k| l.binary_search(k).is_err()).for_each(|k| m |= 1 << k)
                    }
                    _ => m = u64::MAX,
                }
                m
            }
            _ => u64::MAX,
        }
    }

    /// Whether boxes `b` and `a` share a case: every field `a` tests meets `b`'s (any
    /// value, where `b` does not test it). Builds nothing.
    fn overlap(&self, b: &Boxed, a: &Boxed, steps: &mut u64) -> bool {
        a.iter().all(|(slot, sa)| match b.iter().find(|(s, _)| s == slot) {
            Some((_, sb)) => {
                *steps += Self::cost(sb, sa);
                self.overlaps(*slot, sb, sa)
            }
            None => {
                *steps += 1;
                !self.set_empty(*slot, sa)
            }
        })
    }

    /// `b` less `a` (which overlap), as disjoint pieces: field by field, the part of `b`
    /// outside `a` on that field and inside it on the fields before.
    fn split(&self, b: &Boxed, a: &Boxed, steps: &mut u64) -> Vec<Boxed> {
        let mut pieces = Vec::new();
        let mut cur = b.clone();
        for (slot, sa) in a {
            let sb = cur.iter().find(|(s, _)| s == slot).map(|(_, x)| x.clone()).unwrap_or_else(|| self.full(*slot));
            *steps += Self::cost(&sb, sa);
            let rest = Set { absent: sb.absent && !sa.absent, vals: self.minus_vals(*slot, &sb.vals, &sa.vals) };
            if !self.set_empty(*slot, &rest) {
                let mut piece = cur.clone();
                put(&mut piece, *slot, rest);
                pieces.push(piece);
            }
            let meet = Set { absent: sb.absent && sa.absent, vals: self.and_vals(*slot, &sb.vals, &sa.vals) };
            put(&mut cur, *slot, meet);
        }
        pieces
    }
}

/// Whether two sorted lists of disjoint intervals share a value.
fn ivs_meet(a: &[Iv<Key>], b: &[Iv<Key>], close: Option<Close>) -> bool {
    let (mut i, mut j) = (0, 0);
    while let (Some(x), Some(y)) = (a.get(i), b.get(j)) {
        let m = x.meet(y);
        if !m.is_empty() && close.is_none_or(|c| c(m).is_some()) {
            return true;
        }
        if hi_before(x.hi, y.hi) {
            i += 1;
        } else {
            j += 1;
        }
    }
    false
}

/// Sets field `slot` of a box.
fn put(b: &mut Boxed, slot: u16, s: Set) {
    match b.binary_search_by_key(&slot, |(x, _)| *x) {
        Ok(i) => {
            if let Some(e) = b.get_mut(i) {
                e.1 = s;
            }
        }
        Err(i) => b.insert(i, (slot, s)),
    }
}
