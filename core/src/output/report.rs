//! The batch report: backlog per queue, SLA attainment, and the backlog controls that
//! fire. Reports of sub-batches [`merge`](Report::merge) into exactly the report of the
//! whole batch.

use crate::engine::Engine;
use crate::issue::ISSUE_CODES;
use crate::output::outcome::{Cause, Outcome, SlaState};
use crate::policy::Measure;
use crate::time::{Instant, Rfc3339};
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use rust_decimal::Decimal;
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

/// Backlog figures of one queue.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct QueueReport {
    /// Cases routed here.
    pub cases: u64,
    /// Open cases (some metric still running).
    pub open: u64,
    /// Open cases per ageing band (policy order).
    pub bands: Vec<u64>,
    /// Open cases whose worst running clock is `warning`.
    pub warning: u64,
    /// Open cases whose worst running clock is `breached`.
    pub breached: u64,
    /// Open cases whose worst running clock is `paused`.
    pub paused: u64,
    /// Completed metrics met.
    pub met: u64,
    /// Completed metrics missed.
    pub missed: u64,
    /// The oldest open case: (opened_at, id). Ties go to the smaller id.
    pub oldest_open: Option<(Instant, String)>,
    /// Issue counts by [`ISSUE_CODES`] order.
    pub issues: [u64; ISSUE_CODES.len()],
    /// Missed metrics by cause: `[0]` the queue's own, `[1 + d]` declared dependency `d`.
    pub missed_by_cause: Vec<u64>,
    /// Breached metrics (of open cases) by cause, as `missed_by_cause`.
    pub breached_by_cause: Vec<u64>,
    /// Business seconds the metrics of the queue's cases waited on each declared
    /// dependency (summed over metrics: a wait during two running clocks counts twice).
    pub waiting_s: Vec<i64>,
    /// The same for names the cases gave that the policy does not declare, sorted by name.
    pub undeclared: Vec<UndeclaredDependency>,
}

/// Report figures of a dependency the cases named but the policy does not declare.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UndeclaredDependency {
    /// The name the cases gave.
    pub name: String,
    /// Missed metrics it caused.
    pub missed: u64,
    /// Breached metrics it caused.
    pub breached: u64,
    /// Business seconds waited on it.
    pub waiting_s: i64,
}

impl QueueReport {
    /// `met / (met + missed)`, if any metric completed.
    pub fn attainment(&self) -> Option<f64> {
        let total = self.met + self.missed;
        (total > 0).then(|| self.met as f64 / total as f64)
    }

    fn merge(&mut self, o: &QueueReport) {
        self.cases += o.cases;
        self.open += o.open;
        if self.bands.len() < o.bands.len() {
            self.bands.resize(o.bands.len(), 0);
        }
        for (a, b) in self.bands.iter_mut().zip(&o.bands) {
            *a += b;
        }
        self.warning += o.warning;
        self.breached += o.breached;
        self.paused += o.paused;
        self.met += o.met;
        self.missed += o.missed;
        for (a, b) in self.issues.iter_mut().zip(o.issues.iter()) {
            *a += b;
        }
        add_all(&mut self.missed_by_cause, &o.missed_by_cause);
        add_all(&mut self.breached_by_cause, &o.breached_by_cause);
        if self.waiting_s.len() < o.waiting_s.len() {
            self.waiting_s.resize(o.waiting_s.len(), 0);
        }
        for (a, b) in self.waiting_s.iter_mut().zip(&o.waiting_s) {
            *a = a.saturating_add(*b);
        }
        for u in &o.undeclared {
            if let Some(x) = self.undeclared_mut(&u.name) {
                x.missed += u.missed;
                x.breached += u.breached;
                x.waiting_s = x.waiting_s.saturating_add(u.waiting_s);
            }
        }
        if let Some((t, id)) = &o.oldest_open {
            self.offer_oldest(*t, id);
        }
    }

    /// The figures of the undeclared dependency `name` (added in name order when new).
    fn undeclared_mut(&mut self, name: &str) -> Option<&mut UndeclaredDependency> {
        let i = match self.undeclared.binary_search_by(|u| u.name.as_str().cmp(name)) {
            Ok(i) => i,
            Err(i) => {
                self.undeclared.insert(i, UndeclaredDependency { name: name.into(), ..Default::default() });
                i
            }
        };
        self.undeclared.get_mut(i)
    }

    fn offer_oldest(&mut self, t: Instant, id: &str) {
        let older = match &self.oldest_open {
            None => true,
            Some((t0, id0)) => (t, id) < (*t0, id0.as_str()),
        };
        if older {
            let mut s = self.oldest_open.take().map(|(_, s)| s).unwrap_or_default();
            s.clear();
            s.push_str(id);
            self.oldest_open = Some((t, s));
        }
    }
}

/// A backlog report over a batch of outcomes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// The evaluation instant.
    pub now: Instant,
    /// Outcomes added.
    pub cases: u64,
    /// Outcomes with `error`.
    pub errors: u64,
    /// Outcomes routed to the invalid queue by intake validation.
    pub invalid: u64,
    /// Outcomes that no queue owns (`unrouted`, `ambiguous_rules`).
    pub unrouted: u64,
    /// Outcomes of cases opened after `now` (counted nowhere else).
    pub not_yet_open: u64,
    /// Per queue, by queue index (policy order).
    pub queues: Vec<QueueReport>,
}

/// A backlog control that fired for a queue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FiredControl<'a> {
    /// Control id.
    pub id: &'a str,
    /// Queue name.
    pub queue: &'a str,
    /// Alert name.
    pub alert: &'a str,
    /// Role alerted.
    pub to: Option<&'a str>,
}

impl Report {
    /// An empty report for `engine` at `now`.
    pub fn new(engine: &Engine, now: Instant) -> Report {
        let bands = engine.bands().count();
        let deps = engine.clocks.dependencies.len();
        let queue = QueueReport {
            bands: vec![0; bands],
            missed_by_cause: vec![0; deps + 1],
            breached_by_cause: vec![0; deps + 1],
            waiting_s: vec![0; deps],
            ..QueueReport::default()
        };
        Report { now, queues: vec![queue; engine.routing.queues.len()], ..Report::default() }
    }

    /// Adds one outcome (of the engine the report was made for).
    pub fn add(&mut self, o: &Outcome) {
        self.cases += 1;
        if o.error.is_some() {
            self.errors += 1;
            return;
        }
        if o.not_yet_open {
            self.not_yet_open += 1;
            return;
        }
        if o.invalid {
            self.invalid += 1;
        }
        let Some(q) = o.queue.and_then(|q| self.queues.get_mut(q as usize)) else {
            self.unrouted += 1;
            return;
        };
        q.cases += 1;
        for i in &o.issues {
            if let Some(c) = q.issues.get_mut(i.code.index()) {
                *c += 1;
            }
        }
        let mut worst = 0u8;
        let deps = q.waiting_s.len() as u32;
        for (k, m) in o.sla.iter().enumerate().filter_map(|(k, m)| Some((k, m.as_ref()?))) {
            match m.state {
                SlaState::Met => q.met += 1,
                SlaState::Missed => q.missed += 1,
                SlaState::Breached => worst = worst.max(3),
                SlaState::Warning => worst = worst.max(2),
                SlaState::Paused => worst = worst.max(1),
                SlaState::Ok => {}
            }
            let Some(cause) = o.cause(k) else { continue };
            let missed = m.state == SlaState::Missed;
            let c = match cause {
                Cause::Own => 0,
                Cause::Dependency(d) if d < deps => d + 1,
                Cause::Dependency(d) => {
                    if let Some(u) = q.undeclared_mut(o.dependency_name_in(deps, d)) {
                        if missed { u.missed += 1 } else { u.breached += 1 }
                    }
                    continue;
                }
            };
            let by = if missed { &mut q.missed_by_cause } else { &mut q.breached_by_cause };
            if let Some(n) = by.get_mut(c as usize) {
                *n += 1;
            }
        }
        let waiting: &[(u16, u32, i64)] = if o.waited { &o.waiting } else { &[] };
        for &(_, d, secs) in waiting {
            match q.waiting_s.get_mut(d as usize) {
                Some(w) => *w = w.saturating_add(secs),
                None => {
                    if let Some(u) = q.undeclared_mut(o.dependency_name_in(deps, d)) {
                        u.waiting_s = u.waiting_s.saturating_add(secs);
                    }
                }
            }
        }
        if o.open {
            q.open += 1;
            if let Some(b) = o.band.and_then(|b| q.bands.get_mut(b as usize)) {
                *b += 1;
            }
            match worst {
                3 => q.breached += 1,
                2 => q.warning += 1,
                1 => q.paused += 1,
                _ => {}
            }
            q.offer_oldest(o.opened_at, o.id().unwrap_or(""));
        }
    }

    /// Merges the report of another part of the same batch (same engine and `now`).
    pub fn merge(&mut self, other: &Report) {
        self.cases += other.cases;
        self.errors += other.errors;
        self.invalid += other.invalid;
        self.unrouted += other.unrouted;
        self.not_yet_open += other.not_yet_open;
        if self.queues.len() < other.queues.len() {
            self.queues.resize(other.queues.len(), QueueReport::default());
        }
        for (a, b) in self.queues.iter_mut().zip(&other.queues) {
            a.merge(b);
        }
    }

    /// The backlog controls that fire, control by control, queue by queue.
    pub fn controls<'a>(&self, engine: &'a Engine) -> Vec<FiredControl<'a>> {
        let mut fired = Vec::new();
        for c in &engine.controls {
            for (qi, (q, qr)) in engine.routing.queues.iter().zip(&self.queues).enumerate() {
                if let Some((qs, negate)) = &c.queues
                    && qs.contains(&(qi as u32)) == *negate
                {
                    continue;
                }
                let holds = c.tests.iter().all(|(m, atoms, negate)| {
                    let v = match m {
                        Measure::Open => Some(Decimal::from(qr.open)),
                        Measure::Breached => Some(Decimal::from(qr.breached)),
                        Measure::Warning => Some(Decimal::from(qr.warning)),
                        Measure::Paused => Some(Decimal::from(qr.paused)),
                        Measure::Missed => Some(Decimal::from(qr.missed)),
                        Measure::Met => Some(Decimal::from(qr.met)),
                        Measure::OldestAge => {
                            qr.oldest_open.as_ref().map(|(t, _)| Decimal::from(self.now.saturating_sub(*t)))
                        }
                        Measure::Attainment => {
                            let total = qr.met + qr.missed;
                            (total > 0).then(|| Decimal::from(qr.met) / Decimal::from(total))
                        }
                        Measure::MissedBy(c) => qr.missed_by_cause.get(*c as usize).map(|&n| Decimal::from(n)),
                        Measure::BreachedBy(c) => qr.breached_by_cause.get(*c as usize).map(|&n| Decimal::from(n)),
                    };
                    v.is_some_and(|v| atoms.iter().any(|a| a.holds(v)) != *negate)
                });
                if holds && qr.cases > 0 {
                    fired.push(FiredControl {
                        id: &c.id,
                        queue: &q.name,
                        alert: &c.alert,
                        to: c.to.and_then(|r| engine.rights.roles.get(r as usize)).map(|r| r.name.as_str()),
                    });
                }
            }
        }
        fired
    }

    /// The report as JSON, with the controls that fire.
    pub fn to_json(&self, engine: &Engine) -> String {
        serde_json::to_string(&ReportView { engine, report: self }).unwrap_or_default()
    }
}

/// A report with its engine, serializable with serde.
pub struct ReportView<'a> {
    /// The engine.
    pub engine: &'a Engine,
    /// The report.
    pub report: &'a Report,
}

impl Serialize for ReportView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (e, r) = (self.engine, self.report);
        struct Queues<'a>(&'a Engine, &'a Report);
        impl Serialize for Queues<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut m = s.serialize_map(None)?;
                for (q, qr) in self.0.routing.queues.iter().zip(&self.1.queues) {
                    if qr.cases > 0 {
                        m.serialize_entry(&q.name, &QueueView(self.0, qr))?;
                    }
                }
                m.end()
            }
        }
        struct QueueView<'a>(&'a Engine, &'a QueueReport);
        impl Serialize for QueueView<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let (e, q) = (self.0, self.1);
                struct Bands<'a>(&'a Engine, &'a QueueReport);
                impl Serialize for Bands<'_> {
                    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                        let mut m = s.serialize_map(None)?;
                        for (name, n) in self.0.bands().zip(&self.1.bands) {
                            m.serialize_entry(name, n)?;
                        }
                        m.end()
                    }
                }
                struct Oldest<'a>(&'a (Instant, String));
                impl Serialize for Oldest<'_> {
                    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                        let mut m = s.serialize_map(Some(2))?;
                        m.serialize_entry("id", &self.0.1)?;
                        m.serialize_entry("opened_at", &Rfc3339(self.0.0))?;
                        m.end()
                    }
                }
                struct Issues<'a>(&'a [u64]);
                impl Serialize for Issues<'_> {
                    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                        let mut m = s.serialize_map(None)?;
                        for (code, n) in ISSUE_CODES.iter().zip(self.0) {
                            if *n > 0 {
                                m.serialize_entry(code.as_str(), n)?;
                            }
                        }
                        m.end()
                    }
                }
                /// Counts by cause: `own`, the declared dependencies, the undeclared names.
                struct ByCause<'a>(&'a Engine, &'a QueueReport, bool);
                impl Serialize for ByCause<'_> {
                    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                        let (e, q, missed) = (self.0, self.1, self.2);
                        let by = if missed { &q.missed_by_cause } else { &q.breached_by_cause };
                        let mut m = s.serialize_map(None)?;
                        m.serialize_entry("own", by.first().unwrap_or(&0))?;
                        for (d, n) in e.clocks.dependencies.iter().zip(by.iter().skip(1)) {
                            m.serialize_entry(d, n)?;
                        }
                        for u in &q.undeclared {
                            m.serialize_entry(&u.name, if missed { &u.missed } else { &u.breached })?;
                        }
                        m.end()
                    }
                }
                struct Waiting<'a>(&'a Engine, &'a QueueReport);
                impl Serialize for Waiting<'_> {
                    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                        let mut m = s.serialize_map(None)?;
                        for (d, n) in self.0.clocks.dependencies.iter().zip(&self.1.waiting_s) {
                            m.serialize_entry(d, n)?;
                        }
                        for u in &self.1.undeclared {
                            m.serialize_entry(&u.name, &u.waiting_s)?;
                        }
                        m.end()
                    }
                }
                let mut m = s.serialize_map(None)?;
                m.serialize_entry("cases", &q.cases)?;
                m.serialize_entry("open", &q.open)?;
                m.serialize_entry("bands", &Bands(e, q))?;
                m.serialize_entry("warning", &q.warning)?;
                m.serialize_entry("breached", &q.breached)?;
                m.serialize_entry("paused", &q.paused)?;
                m.serialize_entry("met", &q.met)?;
                m.serialize_entry("missed", &q.missed)?;
                m.serialize_entry("attainment", &q.attainment().map(round4))?;
                m.serialize_entry("oldest_open", &q.oldest_open.as_ref().map(Oldest))?;
                m.serialize_entry("missed_by_cause", &ByCause(e, q, true))?;
                m.serialize_entry("breached_by_cause", &ByCause(e, q, false))?;
                m.serialize_entry("waiting_s", &Waiting(e, q))?;
                m.serialize_entry("issues", &Issues(&q.issues))?;
                m.end()
            }
        }
        struct Controls<'a>(Vec<FiredControl<'a>>);
        impl Serialize for Controls<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut seq = s.serialize_seq(Some(self.0.len()))?;
                for c in &self.0 {
                    seq.serialize_element(&C(c))?;
                }
                seq.end()
            }
        }
        struct C<'a, 'b>(&'b FiredControl<'a>);
        impl Serialize for C<'_, '_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut m = s.serialize_map(None)?;
                m.serialize_entry("id", self.0.id)?;
                m.serialize_entry("queue", self.0.queue)?;
                m.serialize_entry("alert", self.0.alert)?;
                if let Some(to) = self.0.to {
                    m.serialize_entry("to", to)?;
                }
                m.end()
            }
        }
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("now", &Rfc3339(r.now))?;
        m.serialize_entry("cases", &r.cases)?;
        m.serialize_entry("errors", &r.errors)?;
        m.serialize_entry("invalid", &r.invalid)?;
        m.serialize_entry("unrouted", &r.unrouted)?;
        m.serialize_entry("not_yet_open", &r.not_yet_open)?;
        m.serialize_entry("queues", &Queues(e, r))?;
        m.serialize_entry("controls", &Controls(r.controls(e)))?;
        m.serialize_entry("policy", &crate::output::render::PolicyRef(e))?;
        m.end()
    }
}

/// Adds `b` into `a` element by element (growing `a` to `b`'s length).
fn add_all(a: &mut Vec<u64>, b: &[u64]) {
    if a.len() < b.len() {
        a.resize(b.len(), 0);
    }
    for (x, y) in a.iter_mut().zip(b) {
        *x += y;
    }
}

/// Rounds a share to four decimals, as the report prints it.
fn round4(x: f64) -> f64 {
    let scaled = x * 10_000.0;
    let r = if scaled - (scaled as i64 as f64) >= 0.5 { scaled as i64 + 1 } else { scaled as i64 };
    r as f64 / 10_000.0
}
