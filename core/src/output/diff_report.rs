//! The impact of a policy change on a batch of cases ([`DiffReport`]): what
//! [`CaseDiff`]s add up to, and the JSON document of a whole comparison ([`DiffRun`]).
//! Names are matched across the two policies by text: queues, roles and rules that both
//! declare are one row, whatever their order in each.

use crate::case::Case;
use crate::engine::Engine;
use crate::issue::IssueCode;
use crate::output::diff::{ASPECTS, Aspect, CaseDiff, Changes, count, field, item};
use crate::output::json::Json;
use crate::output::outcome::Outcome;
use crate::output::report::{QueueReport, Report};
use crate::time::Instant;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

/// What a case can newly become (or stop being) under the new policy, in the order
/// outputs list them.
const STATUSES: [&str; 4] = ["unrouted", "invalid", "error", "no_authority"];

/// Whether the outcome is each of [`STATUSES`].
fn statuses(o: &Outcome) -> [bool; 4] {
    let usable = o.error().is_none();
    [
        usable && o.queue_index().is_none(),
        o.invalid(),
        !usable,
        o.issues().iter().any(|i| i.code == IssueCode::NoAuthority),
    ]
}

/// The impact of a policy change on a batch: the comparisons of its cases added up.
/// Reports of parts of a batch [`merge`](DiffReport::merge) into exactly the report of
/// the whole. Adding a case allocates nothing.
#[derive(Clone, Debug)]
pub struct DiffReport {
    /// The evaluation instant.
    pub now: Instant,
    /// Cases compared.
    pub cases: u64,
    /// Cases with any change.
    pub changed: u64,
    /// Cases changed in each aspect, by [`ASPECTS`] order.
    pub aspects: [u64; ASPECTS.len()],
    /// The backlog report under the old policy.
    pub before: Report,
    /// The backlog report under the new policy.
    pub after: Report,
    /// Cases by (old queue, new queue): row-major, `(old queues + 1) × (new queues + 1)`;
    /// row and column 0 are "no queue".
    matrix: Vec<u64>,
    width: usize,
    /// Cases each rule decided (its id in the trace), by rule index, old and new.
    rules: [Vec<u64>; 2],
    /// Approval steps per role, by role index, old and new.
    steps: [Vec<u64>; 2],
    /// Cases that became, and that stopped being, each of [`STATUSES`].
    newly: [u64; 4],
    no_longer: [u64; 4],
}

impl DiffReport {
    /// An empty report of the change from `old` to `new`, evaluated at `now`.
    pub fn new(old: &Engine, new: &Engine, now: Instant) -> DiffReport {
        let width = new.routing.queues.len() + 1;
        DiffReport {
            now,
            cases: 0,
            changed: 0,
            aspects: [0; ASPECTS.len()],
            before: Report::new(old, now),
            after: Report::new(new, now),
            matrix: vec![0; (old.routing.queues.len() + 1) * width],
            width,
            rules: [vec![0; old.info.rule_ids.len()], vec![0; new.info.rule_ids.len()]],
            steps: [vec![0; old.rights.roles.len()], vec![0; new.rights.roles.len()]],
            newly: [0; 4],
            no_longer: [0; 4],
        }
    }

    /// Adds one compared case.
    pub fn add(&mut self, d: &CaseDiff) {
        let (a, b) = (d.old(), d.new_outcome());
        self.cases += 1;
        let c = d.changes();
        if !c.is_empty() {
            self.changed += 1;
            for x in c.iter() {
                if let Some(n) = self.aspects.get_mut(x.index()) {
                    *n += 1;
                }
            }
        }
        self.before.add(a);
        self.after.add(b);
        let cell = |o: &Outcome| o.queue_index().map_or(0, |q| q as usize + 1);
        if let Some(n) = self.matrix.get_mut(cell(a) * self.width + cell(b)) {
            *n += 1;
        }
        for (side, o) in [a, b].into_iter().enumerate() {
            if let Some(rules) = self.rules.get_mut(side) {
                for &g in o.trace_gids() {
                    if let Some(n) = rules.get_mut(g as usize) {
                        *n += 1;
                    }
                }
            }
            if let Some(steps) = self.steps.get_mut(side) {
                for st in o.steps() {
                    if let Some(n) = steps.get_mut(st.role as usize) {
                        *n += 1;
                    }
                }
            }
        }
        let (was, is) = (statuses(a), statuses(b));
        for k in 0..STATUSES.len() {
            let (w, i) = (was.get(k) == Some(&true), is.get(k) == Some(&true));
            let count = match (w, i) {
                (false, true) => self.newly.get_mut(k),
                (true, false) => self.no_longer.get_mut(k),
                _ => None,
            };
            if let Some(n) = count {
                *n += 1;
            }
        }
    }

    /// Merges the report of another part of the same batch (same engines and `now`).
    pub fn merge(&mut self, o: &DiffReport) {
        self.cases += o.cases;
        self.changed += o.changed;
        add_all(&mut self.aspects, &o.aspects);
        self.before.merge(&o.before);
        self.after.merge(&o.after);
        add_all(&mut self.matrix, &o.matrix);
        for (a, b) in self.rules.iter_mut().zip(&o.rules) {
            add_all(a, b);
        }
        for (a, b) in self.steps.iter_mut().zip(&o.steps) {
            add_all(a, b);
        }
        add_all(&mut self.newly, &o.newly);
        add_all(&mut self.no_longer, &o.no_longer);
    }

    /// Cases changed in aspect `a`.
    pub fn count(&self, a: Aspect) -> u64 {
        self.aspects.get(a.index()).copied().unwrap_or(0)
    }

    /// Whether any case changed in an aspect of `on` (a gate: `docket diff --fail-on`).
    pub fn fails(&self, on: Changes) -> bool {
        on.iter().any(|a| self.count(a) > 0)
    }

    /// Appends the start of the comparison's JSON document: `{"old": {name, version,
    /// fingerprint}, "new": {...}, "now": ..., "changed": [`. The changed cases
    /// ([`CaseDiff::write_json`], separated by commas) and [`DiffReport::write_tail`]
    /// complete it.
    pub fn write_head(&self, old: &Engine, new: &Engine, buf: &mut Vec<u8>) {
        let j = &mut Json::new(buf);
        j.open();
        for (key, e) in [("old", old), ("new", new)] {
            j.key(key);
            j.open();
            field(j, "name", Some(&e.info.name));
            field(j, "version", Some(&e.info.version));
            field(j, "fingerprint", Some(&e.info.fingerprint));
            j.close();
        }
        j.key("now");
        j.instant(self.now);
        j.key("changed");
        j.open_array();
    }

    /// Appends the end of the comparison's JSON document: `], "summary": {...}}`.
    pub fn write_tail(&self, old: &Engine, new: &Engine, buf: &mut Vec<u8>) {
        buf.extend_from_slice(b"],\"summary\":");
        self.write_json(old, new, buf);
        buf.push(b'}');
    }

    /// Appends the summary as JSON: cases compared and changed, cases changed per
    /// aspect, the queue from → to matrix, each queue's backlog before and after,
    /// approval steps per role before and after, the rules whose number of cases
    /// changed (and those that start or stop deciding any), and the cases that newly
    /// become (or stop being) unrouted, invalid, unusable or without authority.
    pub fn write_json(&self, old: &Engine, new: &Engine, buf: &mut Vec<u8>) {
        let j = &mut Json::new(buf);
        j.open();
        count(j, "cases", self.cases);
        count(j, "changed", self.changed);
        j.key("aspects");
        j.open();
        for (a, n) in ASPECTS.iter().zip(&self.aspects) {
            count(j, a.as_str(), *n);
        }
        j.close();

        let qa = names(old.routing.queues.len(), &|i| old.routing.queues.get(i).map(|q| q.name.as_str()));
        let qb = names(new.routing.queues.len(), &|i| new.routing.queues.get(i).map(|q| q.name.as_str()));
        j.key("queue_matrix");
        j.open_array();
        let width = self.width.max(1);
        for (cell, &n) in self.matrix.iter().enumerate() {
            if n == 0 {
                continue;
            }
            // Row and column 0 are no queue.
            let (row, col) = ((cell / width).checked_sub(1), (cell % width).checked_sub(1));
            j.item();
            j.open();
            field(j, "from", row.and_then(|k| qa.get(k).copied()));
            field(j, "to", col.and_then(|k| qb.get(k).copied()));
            count(j, "cases", n);
            j.close();
        }
        j.close_array();

        j.key("queues");
        j.open();
        for (i, k) in union(&qa, &qb) {
            let x = self.before.queues.get(i).filter(|q| q.cases > 0);
            let y = self.after.queues.get(k).filter(|q| q.cases > 0);
            let Some(name) = qa.get(i).or(qb.get(k)) else { continue };
            if x.is_none() && y.is_none() {
                continue;
            }
            j.key_escaped(name);
            j.open();
            j.key("before");
            backlog(j, x);
            j.key("after");
            backlog(j, y);
            j.close();
        }
        j.close();

        let ra = names(old.rights.roles.len(), &|i| old.rights.roles.get(i).map(|r| r.name.as_str()));
        let rb = names(new.rights.roles.len(), &|i| new.rights.roles.get(i).map(|r| r.name.as_str()));
        j.key("approval_steps");
        j.open();
        self.counts(j, [&ra, &rb], &self.steps, false);
        j.close();

        let ra = names(old.info.rule_ids.len(), &|i| old.info.rule_ids.get(i).map(String::as_str));
        let rb = names(new.info.rule_ids.len(), &|i| new.info.rule_ids.get(i).map(String::as_str));
        j.key("rules");
        j.open_array();
        self.counts(j, [&ra, &rb], &self.rules, true);
        j.close_array();
        for (key, started) in [("rules_started", true), ("rules_stopped", false)] {
            j.key(key);
            j.open_array();
            let [r0, r1] = &self.rules;
            for (i, k) in union(&ra, &rb) {
                let (x, y) = (at(r0, i), at(r1, k));
                let (from, to) = if started { (x, y) } else { (y, x) };
                if let (0, 1..) = (from, to)
                    && let Some(id) = ra.get(i).or(rb.get(k))
                {
                    item(j, id);
                }
            }
            j.close_array();
        }

        for (key, counts) in [("newly", &self.newly), ("no_longer", &self.no_longer)] {
            j.key(key);
            j.open();
            for (s, n) in STATUSES.iter().zip(counts) {
                count(j, s, *n);
            }
            j.close();
        }
        j.close();
    }

    /// Counts by name before and after, for every name either side has: as
    /// `{"name": {"before", "after"}}` entries of an open object (those not zero on both
    /// sides), or as `{"rule", "before", "after"}` elements of an open array (`rows`:
    /// those that differ).
    fn counts(&self, j: &mut Json<'_>, names: [&[&str]; 2], counts: &[Vec<u64>; 2], rows: bool) {
        let [a, b] = names;
        let [c0, c1] = counts;
        for (i, k) in union(a, b) {
            let (x, y) = (at(c0, i), at(c1, k));
            let Some(name) = a.get(i).or(b.get(k)) else { continue };
            if (rows && x == y) || (x == 0 && y == 0) {
                continue;
            }
            if rows {
                j.item();
                j.open();
                field(j, "rule", Some(name));
            } else {
                j.key_escaped(name);
                j.open();
            }
            count(j, "before", x);
            count(j, "after", y);
            j.close();
        }
    }
}

/// The `n` names `name` gives.
fn names<'e>(n: usize, name: &dyn Fn(usize) -> Option<&'e str>) -> Vec<&'e str> {
    let mut v = Vec::with_capacity(n);
    for i in 0..n {
        v.push(name(i).unwrap_or(""));
    }
    v
}

/// The count at `i` (0 beyond the counts).
fn at(counts: &[u64], i: usize) -> u64 {
    counts.get(i).copied().unwrap_or(0)
}

fn add_all(a: &mut [u64], b: &[u64]) {
    for (x, y) in a.iter_mut().zip(b) {
        *x += y;
    }
}

/// Every name of `a` and `b` once, `a`'s in order then `b`'s others: its index in `a`
/// and in `b` (`usize::MAX` where it has none). Names are found in `b` by a binary
/// search of its sorted order.
#[inline(never)]
fn union(a: &[&str], b: &[&str]) -> Vec<(usize, usize)> {
    let name = |i: u32| b.get(i as usize).copied().unwrap_or("");
    let sorted = crate::sort::order(b.len(), &mut |x, y| name(x as u32).cmp(name(y as u32)));
    let mut seen = vec![false; b.len()];
    let mut out = Vec::with_capacity(a.len() + b.len());
    for (i, s) in a.iter().enumerate() {
        let at = sorted.partition_point(|&k| name(k) < *s);
        let k = match sorted.get(at) {
            Some(&k) if name(k) == *s => k as usize,
            _ => usize::MAX,
        };
        if let Some(x) = seen.get_mut(k) {
            *x = true;
        }
        out.push((i, k));
    }
    for (k, s) in seen.iter().enumerate() {
        if !s {
            out.push((usize::MAX, k));
        }
    }
    out
}

/// A queue's backlog under one policy, or `null` when it has no case there.
fn backlog(j: &mut Json<'_>, q: Option<&QueueReport>) {
    let Some(q) = q else {
        j.null();
        return;
    };
    j.open();
    for (k, n) in [
        ("cases", q.cases),
        ("open", q.open),
        ("warning", q.warning),
        ("breached", q.breached),
        ("met", q.met),
        ("missed", q.missed),
    ] {
        count(j, k, n);
    }
    j.key("attainment");
    match q.attainment() {
        Some(a) => j.float(round4(a)),
        None => j.null(),
    }
    j.close();
}

/// Rounds a share to four decimals, as the backlog report prints it.
fn round4(x: f64) -> f64 {
    let scaled = x * 10_000.0;
    let r = if scaled - (scaled as i64 as f64) >= 0.5 { scaled as i64 + 1 } else { scaled as i64 };
    r as f64 / 10_000.0
}

/// A whole comparison into its JSON document, case by case: what the C and WebAssembly
/// bindings return. Each case is given decoded by each engine.
pub struct DiffRun<'e> {
    old: &'e Engine,
    new: &'e Engine,
    diff: CaseDiff,
    report: DiffReport,
    json: Vec<u8>,
}

impl<'e> DiffRun<'e> {
    /// A comparison of `old` and `new` at `now`, no case yet.
    pub fn new(old: &'e Engine, new: &'e Engine, now: Instant) -> DiffRun<'e> {
        let report = DiffReport::new(old, new, now);
        let mut json = Vec::with_capacity(4096);
        report.write_head(old, new, &mut json);
        DiffRun { old, new, diff: CaseDiff::new(), report, json }
    }

    /// Compares one case (the same record decoded by the old and the new engine); `line`
    /// is its position in the input, reported with it when it changed.
    pub fn add(&mut self, old_case: &Case, new_case: &Case, line: Option<u64>) {
        self.diff.compare(self.old, old_case, self.new, new_case, self.report.now);
        self.report.add(&self.diff);
        if !self.diff.changes().is_empty() {
            if self.report.changed > 1 {
                self.json.push(b',');
            }
            self.diff.write_json(self.old, self.new, line, &mut self.json);
        }
    }

    /// The summary so far.
    pub fn report(&self) -> &DiffReport {
        &self.report
    }

    /// The JSON document: `{"old", "new", "now", "changed": [each changed case],
    /// "summary"}`.
    pub fn finish(mut self) -> String {
        self.report.write_tail(self.old, self.new, &mut self.json);
        String::from_utf8(self.json).unwrap_or_default()
    }
}
