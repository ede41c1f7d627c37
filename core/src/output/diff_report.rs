//! The impact of a policy change on a batch of cases ([`DiffReport`]): what
//! [`CaseDiff`]s add up to, and the JSON document of a whole comparison ([`DiffRun`]).
//! Names are matched across the two policies by text: queues, roles and rules that both
//! declare are one row, whatever their order in each.

use crate::case::Case;
use crate::engine::Engine;
use crate::issue::IssueCode;
use crate::output::diff::{ASPECTS, Aspect, CaseDiff, Changes, role};
use crate::output::json::Json;
use crate::output::outcome::Outcome;
use crate::output::report::{QueueReport, Report};
use crate::table::NameIndex;
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
        j.key("old");
        policy(j, old);
        j.key("new");
        policy(j, new);
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
        j.key("cases");
        j.uint(self.cases);
        j.key("changed");
        j.uint(self.changed);
        j.key("aspects");
        j.open();
        for (a, n) in ASPECTS.iter().zip(&self.aspects) {
            j.key(a.as_str());
            j.uint(*n);
        }
        j.close();
        self.matrix(j, old, new);
        self.queues(j, old, new);
        self.roles(j, old, new);
        self.rules(j, old, new);
        for (key, counts) in [("newly", &self.newly), ("no_longer", &self.no_longer)] {
            j.key(key);
            j.open();
            for (s, n) in STATUSES.iter().zip(counts) {
                j.key(s);
                j.uint(*n);
            }
            j.close();
        }
        j.close();
    }

    fn matrix(&self, j: &mut Json<'_>, old: &Engine, new: &Engine) {
        fn name(e: &Engine, i: usize) -> Option<&str> {
            i.checked_sub(1).and_then(|q| e.routing.queues.get(q)).map(|q| q.name.as_str())
        }
        j.key("queue_matrix");
        j.open_array();
        for (cell, &n) in self.matrix.iter().enumerate() {
            if n == 0 {
                continue;
            }
            let (row, col) = (cell / self.width.max(1), cell % self.width.max(1));
            j.item();
            j.open();
            j.key("from");
            j.opt_string(name(old, row));
            j.key("to");
            j.opt_string(name(new, col));
            j.key("cases");
            j.uint(n);
            j.close();
        }
        j.close_array();
    }

    fn queues(&self, j: &mut Json<'_>, old: &Engine, new: &Engine) {
        fn names(e: &Engine) -> Vec<&str> {
            e.routing.queues.iter().map(|q| q.name.as_str()).collect()
        }
        let (a, b) = (names(old), names(new));
        j.key("queues");
        j.open();
        for (name, i, k) in union(&a, &b) {
            let x = i.and_then(|i| self.before.queues.get(i)).filter(|q| q.cases > 0);
            let y = k.and_then(|k| self.after.queues.get(k)).filter(|q| q.cases > 0);
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
    }

    fn roles(&self, j: &mut Json<'_>, old: &Engine, new: &Engine) {
        fn names(e: &Engine) -> Vec<&str> {
            (0..e.rights.roles.len() as u32).map(|r| role(e, r)).collect()
        }
        let (a, b) = (names(old), names(new));
        let [sa, sb] = &self.steps;
        j.key("approval_steps");
        j.open();
        for (name, i, k) in union(&a, &b) {
            let x = i.and_then(|i| sa.get(i)).copied().unwrap_or(0);
            let y = k.and_then(|k| sb.get(k)).copied().unwrap_or(0);
            if x == 0 && y == 0 {
                continue;
            }
            j.key_escaped(name);
            j.open();
            j.key("before");
            j.uint(x);
            j.key("after");
            j.uint(y);
            j.close();
        }
        j.close();
    }

    fn rules(&self, j: &mut Json<'_>, old: &Engine, new: &Engine) {
        fn names(e: &Engine) -> Vec<&str> {
            e.info.rule_ids.iter().map(String::as_str).collect()
        }
        let (a, b) = (names(old), names(new));
        let [ra, rb] = &self.rules;
        let rows: Vec<(&str, u64, u64)> = union(&a, &b)
            .map(|(id, i, k)| {
                let x = i.and_then(|i| ra.get(i)).copied().unwrap_or(0);
                let y = k.and_then(|k| rb.get(k)).copied().unwrap_or(0);
                (id, x, y)
            })
            .filter(|(_, x, y)| x != y)
            .collect();
        j.key("rules");
        j.open_array();
        for (id, x, y) in &rows {
            j.item();
            j.open();
            j.key("rule");
            j.string(id);
            j.key("before");
            j.uint(*x);
            j.key("after");
            j.uint(*y);
            j.close();
        }
        j.close_array();
        for (key, pick) in [("rules_started", (0, 1)), ("rules_stopped", (1, 0))] {
            j.key(key);
            j.open_array();
            for (id, x, y) in &rows {
                let (from, to) = if pick == (0, 1) { (*x, *y) } else { (*y, *x) };
                if from == 0 && to > 0 {
                    j.item();
                    j.string(id);
                }
            }
            j.close_array();
        }
    }
}

fn add_all(a: &mut [u64], b: &[u64]) {
    for (x, y) in a.iter_mut().zip(b) {
        *x += y;
    }
}

/// Every name of `a` and `b` once, `a`'s in order then `b`'s others, with its index in
/// each.
fn union<'a>(a: &'a [&'a str], b: &'a [&'a str]) -> impl Iterator<Item = (&'a str, Option<usize>, Option<usize>)> {
    let ia = NameIndex::new(a.len(), &|i| a.get(i).copied().unwrap_or(""));
    let ib = NameIndex::new(b.len(), &|i| b.get(i).copied().unwrap_or(""));
    let find = move |index: &NameIndex, names: &'a [&'a str], s: &str| {
        index.find(s, |i| names.get(i).copied()).map(|i| i as usize)
    };
    let first = a.iter().enumerate().map(move |(i, s)| (*s, Some(i), find(&ib, b, s)));
    let rest = b.iter().enumerate().filter(move |(_, s)| find(&ia, a, s).is_none()).map(|(k, s)| (*s, None, Some(k)));
    first.chain(rest)
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
        j.key(k);
        j.uint(n);
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

/// `{name, version, fingerprint}` of a policy.
fn policy(j: &mut Json<'_>, e: &Engine) {
    j.open();
    j.key("name");
    j.string(&e.info.name);
    j.key("version");
    j.string(&e.info.version);
    j.key("fingerprint");
    j.string(&e.info.fingerprint);
    j.close();
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
