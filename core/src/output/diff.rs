//! Comparing one case under two policies ([`CaseDiff`]): which decisions differ between
//! the outcome under an old engine and the outcome under a new one. Everything is
//! compared by the text it renders as (queue, owner, priority, role, calendar, band,
//! metric and rule names), never by index, so two policies that declare the same names
//! in another order compare equal. Warm, a comparison allocates nothing.

use crate::case::Case;
use crate::engine::Engine;
use crate::issue::{Issue, IssueCode, Subject};
use crate::output::json::Json;
use crate::output::outcome::{MetricOutcome, Outcome};
use crate::output::render::IssueField;
use crate::time::Instant;
use alloc::string::String;
use alloc::vec::Vec;

/// One decision a policy change can alter for a case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Aspect {
    /// Whether the case is usable, and why not (`error`).
    Error,
    /// The queue.
    Queue,
    /// The queue's owning team.
    Owner,
    /// The priority.
    Priority,
    /// The approval steps: their roles in order and who filled each.
    Approvals,
    /// An SLA metric's target: its calendar and business seconds (or whether it has one).
    Targets,
    /// An SLA metric's due instant.
    Due,
    /// An SLA metric's state (`ok`, `warning`, `breached`, `met`, ...).
    State,
    /// The ageing band.
    Band,
    /// The issues: their codes and fields, in order.
    Issues,
}

/// Every aspect, in the order outputs list them.
pub const ASPECTS: [Aspect; 10] = [
    Aspect::Error,
    Aspect::Queue,
    Aspect::Owner,
    Aspect::Priority,
    Aspect::Approvals,
    Aspect::Targets,
    Aspect::Due,
    Aspect::State,
    Aspect::Band,
    Aspect::Issues,
];

impl Aspect {
    /// The stable name (`queue`, `approvals`, `targets`, ...).
    pub const fn as_str(self) -> &'static str {
        match self {
            Aspect::Error => "error",
            Aspect::Queue => "queue",
            Aspect::Owner => "owner",
            Aspect::Priority => "priority",
            Aspect::Approvals => "approvals",
            Aspect::Targets => "targets",
            Aspect::Due => "due",
            Aspect::State => "state",
            Aspect::Band => "band",
            Aspect::Issues => "issues",
        }
    }

    /// The aspect of that name.
    pub fn from_name(name: &str) -> Option<Aspect> {
        ASPECTS.iter().copied().find(|a| a.as_str() == name)
    }

    /// Index in [`ASPECTS`].
    pub const fn index(self) -> usize {
        self as usize
    }
}

/// A set of [`Aspect`]s.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Changes(u16);

impl Changes {
    /// No aspect.
    pub const NONE: Changes = Changes(0);
    /// Every aspect.
    pub const ALL: Changes = Changes((1 << ASPECTS.len()) - 1);
    /// The SLA aspects: targets, due, state and band.
    pub const SLA: Changes = Changes(
        1 << Aspect::Targets as u16 | 1 << Aspect::Due as u16 | 1 << Aspect::State as u16 | 1 << Aspect::Band as u16,
    );

    /// The set of one aspect.
    pub const fn of(a: Aspect) -> Changes {
        Changes(1 << a as u16)
    }
    /// This set with `a` added.
    #[must_use]
    pub const fn with(self, a: Aspect) -> Changes {
        Changes(self.0 | 1 << a as u16)
    }
    /// Both sets together.
    #[must_use]
    pub const fn union(self, o: Changes) -> Changes {
        Changes(self.0 | o.0)
    }
    /// Whether `a` is in the set.
    pub const fn contains(self, a: Aspect) -> bool {
        self.0 & 1 << a as u16 != 0
    }
    /// Whether the sets share an aspect.
    pub const fn intersects(self, o: Changes) -> bool {
        self.0 & o.0 != 0
    }
    /// Whether the set is empty.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }
    /// The aspects of the set, in [`ASPECTS`] order.
    pub fn iter(self) -> impl Iterator<Item = Aspect> {
        ASPECTS.into_iter().filter(move |a| self.contains(*a))
    }
    /// A comma-separated list of aspect names, `sla` (targets, due, state, band) and
    /// `any`; the first name that is none of these is the error.
    pub fn parse(list: &str) -> Result<Changes, &str> {
        let mut c = Changes::NONE;
        for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            c = c.union(match name {
                "sla" => Changes::SLA,
                "any" => Changes::ALL,
                _ => Changes::of(Aspect::from_name(name).ok_or(name)?),
            });
        }
        Ok(c)
    }
}

/// A metric of either policy, matched by name, and what changed in its clock.
#[derive(Clone, Copy, Debug)]
struct MetricPair {
    /// Its index in the old and the new policy.
    old: Option<u16>,
    new: Option<u16>,
    /// What differs in this case (targets, due, state).
    changes: Changes,
}

/// One case compared under an old and a new policy: both outcomes and the aspects in
/// which they differ. Create once with [`CaseDiff::new`], then let
/// [`CaseDiff::compare`] overwrite it for every case: warm, it allocates nothing.
///
/// ```
/// use docket_core::{Aspect, Case, CaseDiff, Engine};
/// let policy = include_str!("../../../examples/order-ops.policy.json");
/// let old = Engine::compile(policy).unwrap();
/// let new = Engine::compile(&policy.replace(r#""amount": ">= 1000"},
///         "then": {"queue": "refund_validation""#, r#""amount": ">= 1500"},
///         "then": {"queue": "refund_validation""#)).unwrap();
/// let case = r#"{"id":"C-1","kind":"refund","amount":"1250.00","order_id":"O-1","region":"eu","opened_at":"2026-11-23T08:00:00Z"}"#;
/// let (mut a, mut b, mut diff) = (Case::new(), Case::new(), CaseDiff::new());
/// old.decode_json(case, &mut a);
/// new.decode_json(case, &mut b);
/// diff.compare(&old, &a, &new, &b, docket_core::time::parse_rfc3339("2026-11-23T09:00:00Z").unwrap());
/// assert!(diff.changes().contains(Aspect::Priority)); // P1 under R10, P2 under R11
/// assert!(!diff.changes().contains(Aspect::Queue)); // refund_validation either way
/// ```
#[derive(Clone, Debug, Default)]
pub struct CaseDiff {
    old: Outcome,
    new: Outcome,
    changes: Changes,
    /// Every metric of either policy: the old policy's in order, then the new policy's
    /// others. Rebuilt when the pair of policies changes.
    metrics: Vec<MetricPair>,
    /// The fingerprints of the pair `metrics` was matched for.
    pair: (String, String),
}

impl CaseDiff {
    /// An empty comparison buffer.
    pub fn new() -> CaseDiff {
        CaseDiff::default()
    }

    /// Evaluates `old_case` under `old` and `new_case` under `new` at `now`, and compares
    /// the outcomes. The two cases are the same record decoded by each engine (a
    /// [`Case`] belongs to the engine that decoded it).
    pub fn compare(&mut self, old: &Engine, old_case: &Case, new: &Engine, new_case: &Case, now: Instant) {
        old.evaluate(old_case, now, &mut self.old);
        new.evaluate(new_case, now, &mut self.new);
        self.match_metrics(old, new);
        let (a, b) = (&self.old, &self.new);
        let mut c = Changes::NONE;
        if a.error() != b.error() {
            c = c.with(Aspect::Error);
        }
        let (qa, qb) = (queue(old, a), queue(new, b));
        if qa.map(|q| q.0) != qb.map(|q| q.0) {
            c = c.with(Aspect::Queue);
        }
        if qa.map(|q| q.1) != qb.map(|q| q.1) {
            c = c.with(Aspect::Owner);
        }
        if priority(old, a) != priority(new, b) {
            c = c.with(Aspect::Priority);
        }
        if !same_steps(old, a, new, b) {
            c = c.with(Aspect::Approvals);
        }
        for m in &mut self.metrics {
            let x = m.old.and_then(|i| a.sla().get(usize::from(i)).copied().flatten());
            let y = m.new.and_then(|i| b.sla().get(usize::from(i)).copied().flatten());
            m.changes = metric_changes(old, x.as_ref(), new, y.as_ref());
            c = c.union(m.changes);
        }
        if band(old, a) != band(new, b) {
            c = c.with(Aspect::Band);
        }
        if !same_issues(old, a, new, b) {
            c = c.with(Aspect::Issues);
        }
        self.changes = c;
    }

    /// The aspects in which the two outcomes differ (empty: the change does not touch
    /// this case).
    pub fn changes(&self) -> Changes {
        self.changes
    }
    /// The outcome under the old policy.
    pub fn old(&self) -> &Outcome {
        &self.old
    }
    /// The outcome under the new policy.
    pub fn new_outcome(&self) -> &Outcome {
        &self.new
    }

    /// Matches the metrics of the two policies by name, unless this pair was matched last.
    fn match_metrics(&mut self, old: &Engine, new: &Engine) {
        if self.pair.0 == old.fingerprint() && self.pair.1 == new.fingerprint() && !self.pair.0.is_empty() {
            return;
        }
        self.pair.0.clear();
        self.pair.0.push_str(old.fingerprint());
        self.pair.1.clear();
        self.pair.1.push_str(new.fingerprint());
        self.metrics.clear();
        let find = |name: &str| new.clocks.metrics.iter().position(|m| m == name).map(|i| i as u16);
        for (i, name) in old.clocks.metrics.iter().enumerate() {
            self.metrics.push(MetricPair { old: Some(i as u16), new: find(name), changes: Changes::NONE });
        }
        for (j, name) in new.clocks.metrics.iter().enumerate() {
            if !old.clocks.metrics.contains(name) {
                self.metrics.push(MetricPair { old: None, new: Some(j as u16), changes: Changes::NONE });
            }
        }
    }

    /// Appends the comparison as one line of compact JSON to `buf`: the case's `id`, its
    /// `line` when given, the `changed` aspects, and `before` and `after`, each with the
    /// queue, priority and deciding rules (`rules`, the trace) under that policy and the
    /// value of every changed aspect (`sla` holds the metrics whose target, due or state
    /// changed). Allocates nothing once `buf` has room.
    pub fn write_json(&self, old: &Engine, new: &Engine, line: Option<u64>, buf: &mut Vec<u8>) {
        let j = &mut Json::new(buf);
        j.open();
        field(j, "id", self.old.id().or(self.new.id()));
        if let Some(l) = line {
            count(j, "line", l);
        }
        j.key("changed");
        j.open_array();
        for a in ASPECTS {
            if self.changes.contains(a) {
                item(j, a.as_str());
            }
        }
        j.close_array();
        j.key("before");
        self.side(j, [old, new], &self.old, |m| m.old);
        j.key("after");
        self.side(j, [new, old], &self.new, |m| m.new);
        j.close();
    }

    /// One side of [`CaseDiff::write_json`]: `engines` are this side's and the other's
    /// (which names a metric this side lacks), `index` a metric's index on this side.
    fn side(&self, j: &mut Json<'_>, engines: [&Engine; 2], o: &Outcome, index: fn(&MetricPair) -> Option<u16>) {
        let [e, other] = engines;
        let c = self.changes;
        j.open();
        if c.contains(Aspect::Error) {
            field(j, "error", o.error().map(|x| x.code()));
        }
        let q = queue(e, o);
        field(j, "queue", q.map(|q| q.0));
        if c.contains(Aspect::Owner) {
            field(j, "owner", q.map(|q| q.1));
        }
        field(j, "priority", priority(e, o));
        if c.contains(Aspect::Approvals) {
            j.key("approvals");
            j.open_array();
            for st in o.steps() {
                j.item();
                j.open();
                field(j, "role", Some(role(e, st.role)));
                field(j, "rule", Some(e.rule_id(st.gid)));
                if let Some(by) = o.done_by(st) {
                    field(j, "done_by", Some(by));
                }
                j.close();
            }
            j.close_array();
        }
        if self.metrics.iter().any(|m| !m.changes.is_empty()) {
            j.key("sla");
            j.open();
            for m in &self.metrics {
                if m.changes.is_empty() {
                    continue;
                }
                // Named by this side's policy, else by the other (then its index is the
                // one of the pair that is set).
                let Some(name) = metric_name(e, index(m)).or_else(|| metric_name(other, m.old.or(m.new))) else {
                    continue;
                };
                j.key_escaped(name);
                match index(m).and_then(|i| o.sla().get(usize::from(i)).copied().flatten()) {
                    Some(mo) => metric(j, e, &mo),
                    None => j.null(),
                }
            }
            j.close();
        }
        if c.contains(Aspect::Band) {
            field(j, "band", band(e, o));
        }
        if c.contains(Aspect::Issues) {
            j.key("issues");
            j.open_array();
            for i in o.issues() {
                j.item();
                j.open();
                field(j, "code", Some(i.code.as_str()));
                if let Some(f) = e.issue_field(o, i) {
                    j.key("field");
                    j.display(|w| write!(w, "{f}"));
                }
                j.close();
            }
            j.close_array();
        }
        j.key("rules");
        j.open_array();
        for &g in o.trace_gids() {
            item(j, e.rule_id(g));
        }
        j.close_array();
        j.close();
    }
}

/// `"key": value` (a string or null). Not inlined: the comparison's JSON writes many
/// fields, and one copy serves them all (the npm package pays for every copy).
#[inline(never)]
pub(crate) fn field(j: &mut Json<'_>, key: &str, value: Option<&str>) {
    j.key(key);
    j.opt_string(value);
}

/// `"key": n`.
#[inline(never)]
pub(crate) fn count(j: &mut Json<'_>, key: &str, n: u64) {
    j.key(key);
    j.uint(n);
}

/// A string element of the open array.
#[inline(never)]
pub(crate) fn item(j: &mut Json<'_>, s: &str) {
    j.item();
    j.string(s);
}

impl Engine {
    /// The rules of every decision table, in policy order: `(table, rule id)` with the
    /// table `routing`, `sla.targets` or `approvals`, and a table's default last, as its
    /// trace names it (`routing.default`). What a test suite's coverage is measured
    /// against.
    pub fn table_rules(&self) -> Vec<(&'static str, &str)> {
        let mut rules = Vec::new();
        let mut add = |table: &'static str, gids: &mut dyn Iterator<Item = u32>| {
            rules.extend(gids.map(|g| (table, self.rule_id(g))));
        };
        let t = &self.routing.table;
        add("routing", &mut t.rules.iter().map(|r| r.gid).chain(t.default.as_ref().map(|d| d.0)));
        if let Some(t) = self.clocks.sla.as_ref().map(|s| &s.targets) {
            add("sla.targets", &mut t.rules.iter().map(|r| r.gid).chain(t.default.as_ref().map(|d| d.0)));
        }
        if let Some(t) = &self.rights.approvals {
            add("approvals", &mut t.rules.iter().map(|r| r.gid).chain(t.default.as_ref().map(|d| d.0)));
        }
        rules
    }
}

/// A metric's clock as a comparison shows it: what its target, due and state are.
fn metric(j: &mut Json<'_>, e: &Engine, mo: &MetricOutcome) {
    j.open();
    field(j, "calendar", Some(calendar(e, mo.calendar)));
    j.key("target_s");
    j.int(mo.target_s);
    j.key("due");
    match mo.due {
        Some(d) => j.instant(d),
        None => j.null(),
    }
    field(j, "state", Some(mo.state.as_str()));
    j.close();
}

/// The queue's name and owner.
pub(crate) fn queue<'e>(e: &'e Engine, o: &Outcome) -> Option<(&'e str, &'e str)> {
    o.queue_index().and_then(|q| e.routing.queues.get(q as usize)).map(|q| (q.name.as_str(), q.owner.as_str()))
}

pub(crate) fn priority<'e>(e: &'e Engine, o: &Outcome) -> Option<&'e str> {
    o.priority_index().and_then(|p| e.priorities().get(p as usize)).map(String::as_str)
}

fn band<'e>(e: &'e Engine, o: &Outcome) -> Option<&'e str> {
    let bands = e.clocks.sla.as_ref().map_or(&[][..], |s| s.bands.as_slice());
    o.band_index().and_then(|b| bands.get(b as usize)).map(|b| b.name.as_str())
}

pub(crate) fn role(e: &Engine, r: u32) -> &str {
    e.rights.roles.get(r as usize).map_or("", |x| x.name.as_str())
}

fn calendar(e: &Engine, c: u32) -> &str {
    e.clocks.calendars.get(c as usize).map_or("", |c| c.0.as_str())
}

fn metric_name(e: &Engine, i: Option<u16>) -> Option<&str> {
    i.and_then(|i| e.clocks.metrics.get(usize::from(i))).map(String::as_str)
}

/// Whether the approval steps are the same roles in the same order, filled by the same
/// actors.
fn same_steps(ea: &Engine, a: &Outcome, eb: &Engine, b: &Outcome) -> bool {
    a.steps().len() == b.steps().len()
        && a.steps()
            .iter()
            .zip(b.steps())
            .all(|(x, y)| role(ea, x.role) == role(eb, y.role) && a.done_by(x) == b.done_by(y))
}

/// What differs in one metric's clock: its target (calendar and seconds, or having
/// one at all), due instant and state.
fn metric_changes(ea: &Engine, x: Option<&MetricOutcome>, eb: &Engine, y: Option<&MetricOutcome>) -> Changes {
    match (x, y) {
        (None, None) => Changes::NONE,
        (Some(_), None) | (None, Some(_)) => Changes::of(Aspect::Targets).with(Aspect::Due).with(Aspect::State),
        (Some(x), Some(y)) => {
            let mut c = Changes::NONE;
            if x.target_s != y.target_s || calendar(ea, x.calendar) != calendar(eb, y.calendar) {
                c = c.with(Aspect::Targets);
            }
            if x.due != y.due {
                c = c.with(Aspect::Due);
            }
            if x.state != y.state {
                c = c.with(Aspect::State);
            }
            c
        }
    }
}

/// Whether the issues are the same codes about the same fields, in the same order.
fn same_issues(ea: &Engine, a: &Outcome, eb: &Engine, b: &Outcome) -> bool {
    a.issues().len() == b.issues().len()
        && a.issues().iter().zip(b.issues()).all(|(x, y)| same_issue(ea, a, x, eb, b, y))
}

fn same_issue(ea: &Engine, a: &Outcome, x: &Issue, eb: &Engine, b: &Outcome, y: &Issue) -> bool {
    if x.code != y.code {
        return false;
    }
    if x.code == IssueCode::AmbiguousRules {
        // Which table was ambiguous (the rules it names are the policy's own).
        return match (x.subject, y.subject) {
            (Subject::Table(p), Subject::Table(q)) => p == q,
            (p, q) => p == q,
        };
    }
    match (ea.issue_field(a, x), eb.issue_field(b, y)) {
        (None, None) => true,
        (Some(IssueField::Name(p)), Some(IssueField::Name(q))) => p == q,
        (Some(IssueField::MetricAt(p, s)), Some(IssueField::MetricAt(q, t))) => p == q && s == t,
        (Some(IssueField::Approval(p)), Some(IssueField::Approval(q))) => p == q,
        _ => false,
    }
}
