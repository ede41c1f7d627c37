//! The batch report: backlog per queue, SLA attainment, and the backlog controls that
//! fire. Reports of sub-batches [`merge`](Report::merge) into exactly the report of the
//! whole batch.

use crate::case::Case;
use crate::engine::Engine;
use crate::issue::ISSUE_CODES;
use crate::output::dims::{Dimensions, ValuesView};
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
    /// Open cases not breached with some running metric at risk (see [`Report::at_risk_s`]).
    pub at_risk: u64,
    /// Per metric (policy order).
    pub metrics: Vec<MetricReport>,
    /// Approval steps not yet given of open cases, by role (policy order).
    pub pending_approvals: Vec<u64>,
    /// Open cases by the role their escalation has reached (the role of the last step
    /// passed by the case's most escalated metric; the first such metric on a tie), by role.
    pub escalated_to: Vec<u64>,
    /// The queue's figures split by the report's [`Dimensions`]: (combination, figures),
    /// by combination, for the combinations of values its cases have; empty without
    /// dimensions.
    pub by: Vec<(u32, QueueReport)>,
}

/// The figures of one metric in one queue.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MetricReport {
    /// Completed within target.
    pub met: u64,
    /// Completed after target.
    pub missed: u64,
    /// Open cases whose clock of this metric is running (any running state).
    pub open: u64,
    /// Open cases whose clock of this metric is breached.
    pub breached_open: u64,
    /// Open cases whose clock of this metric runs, is not breached, and has at most the
    /// policy's `sla.at_risk` of business time remaining.
    pub at_risk: u64,
}

impl MetricReport {
    /// `met / (met + missed)`, if any completed.
    pub fn attainment(&self) -> Option<f64> {
        let total = self.met + self.missed;
        (total > 0).then(|| self.met as f64 / total as f64)
    }

    fn merge(&mut self, o: &MetricReport) {
        self.met += o.met;
        self.missed += o.missed;
        self.open += o.open;
        self.breached_open += o.breached_open;
        self.at_risk += o.at_risk;
    }
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
        self.at_risk += o.at_risk;
        if self.metrics.len() < o.metrics.len() {
            self.metrics.resize(o.metrics.len(), MetricReport::default());
        }
        for (a, b) in self.metrics.iter_mut().zip(&o.metrics) {
            a.merge(b);
        }
        add_all(&mut self.pending_approvals, &o.pending_approvals);
        add_all(&mut self.escalated_to, &o.escalated_to);
        for (c, sub) in &o.by {
            if let Some(q) = self.by_mut(*c, false) {
                q.merge(sub);
            }
        }
    }

    /// The figures of combination `c`, kept in order; when new, empty figures sized as
    /// this queue's (`sized`) or no figures at all (a merge grows them).
    fn by_mut(&mut self, c: u32, sized: bool) -> Option<&mut QueueReport> {
        let i = match self.by.binary_search_by_key(&c, |(k, _)| *k) {
            Ok(i) => i,
            Err(i) => {
                let blank = if sized { self.blank() } else { QueueReport::default() };
                self.by.insert(i, (c, blank));
                i
            }
        };
        self.by.get_mut(i).map(|(_, q)| q)
    }

    /// Empty figures sized as these (what a new combination of a split starts from).
    fn blank(&self) -> QueueReport {
        QueueReport {
            bands: vec![0; self.bands.len()],
            missed_by_cause: vec![0; self.missed_by_cause.len()],
            breached_by_cause: vec![0; self.breached_by_cause.len()],
            waiting_s: vec![0; self.waiting_s.len()],
            metrics: vec![MetricReport::default(); self.metrics.len()],
            pending_approvals: vec![0; self.pending_approvals.len()],
            escalated_to: vec![0; self.escalated_to.len()],
            ..QueueReport::default()
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
    /// The policy's `sla.at_risk` horizon in business seconds (`None`: nothing is at risk).
    pub at_risk_s: Option<i64>,
    /// The fields each queue is split by ([`Report::with_dimensions`]).
    pub dimensions: Dimensions,
    /// Flow over a period ([`Report::with_flow`]).
    pub flow: Option<crate::output::flow::Flow>,
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
            metrics: vec![MetricReport::default(); engine.clocks.metrics.len()],
            pending_approvals: vec![0; engine.rights.roles.len()],
            escalated_to: vec![0; engine.rights.roles.len()],
            ..QueueReport::default()
        };
        let at_risk_s = engine.clocks.sla.as_ref().and_then(|s| s.at_risk);
        Report { now, queues: vec![queue; engine.routing.queues.len()], at_risk_s, ..Report::default() }
    }

    /// An empty report whose queues are also split by the values of `dimensions`; add
    /// cases with [`Report::add_case`] (an outcome added alone is counted in its queue only).
    pub fn with_dimensions(engine: &Engine, now: Instant, dimensions: Dimensions) -> Report {
        let mut r = Report::new(engine, now);
        r.dimensions = dimensions;
        r
    }

    /// Adds the outcome of `case` (evaluated by `engine`, the report's), counted in its
    /// queue and in the queue's combination of the case's values of the dimensions.
    pub fn add_case(&mut self, engine: &Engine, case: &Case, o: &Outcome) {
        let c = (!self.dimensions.is_empty()).then(|| self.dimensions.combination(engine, case));
        self.add_in(o, c);
    }

    /// Adds one outcome (of the engine the report was made for).
    pub fn add(&mut self, o: &Outcome) {
        self.add_in(o, None);
    }

    /// Adds one outcome, also to combination `by` of its queue.
    fn add_in(&mut self, o: &Outcome, by: Option<u32>) {
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
        let horizon = self.at_risk_s;
        if let Some(f) = self.flow.as_mut() {
            f.add(o);
        }
        let Some(q) = o.queue.and_then(|q| self.queues.get_mut(q as usize)) else {
            self.unrouted += 1;
            return;
        };
        q.add(o, horizon);
        if let Some(c) = by
            && let Some(q) = q.by_mut(c, true)
        {
            q.add(o, horizon);
        }
    }
}

impl QueueReport {
    /// Adds one outcome routed to this queue.
    fn add(&mut self, o: &Outcome, horizon: Option<i64>) {
        let q = self;
        q.cases += 1;
        for i in &o.issues {
            if let Some(c) = q.issues.get_mut(i.code.index()) {
                *c += 1;
            }
        }
        let mut worst = 0u8;
        let mut at_risk = false;
        // The most escalated metric: (level, role reached).
        let mut reached: Option<(u32, u32)> = None;
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
            if let Some(mr) = q.metrics.get_mut(k) {
                match m.state {
                    SlaState::Met => mr.met += 1,
                    SlaState::Missed => mr.missed += 1,
                    running => {
                        mr.open += 1;
                        if running == SlaState::Breached {
                            mr.breached_open += 1;
                        } else if horizon.is_some_and(|h| m.remaining_s() <= h) {
                            mr.at_risk += 1;
                            at_risk = true;
                        }
                    }
                }
            }
            if let Some(e) = &m.escalation
                && let Some(r) = e.reached
                && reached.is_none_or(|(l, _)| e.level > l)
            {
                reached = Some((e.level, r));
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
            if at_risk && worst < 3 {
                q.at_risk += 1;
            }
            if let Some(n) = reached.and_then(|(_, r)| q.escalated_to.get_mut(r as usize)) {
                *n += 1;
            }
            for st in o.steps.iter().filter(|st| st.done_by.is_none()) {
                if let Some(n) = q.pending_approvals.get_mut(st.role as usize) {
                    *n += 1;
                }
            }
            q.offer_oldest(o.opened_at, o.id().unwrap_or(""));
        }
    }
}

impl Report {
    /// Merges the report of another part of the same batch (same engine, `now`,
    /// dimensions and flow period: see [`crate::Flow::same_period`]).
    pub fn merge(&mut self, other: &Report) {
        if self.dimensions.is_empty() {
            self.dimensions = other.dimensions.clone();
        }
        // An empty report (`Report::default()`) takes the other's horizon.
        if self.queues.is_empty() {
            self.at_risk_s = other.at_risk_s;
        }
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
        crate::output::flow::merge(&mut self.flow, &other.flow);
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
                        m.serialize_entry(&q.name, &QueueView(self.0, qr, Part::Queue(q, self.1)))?;
                    }
                }
                m.end()
            }
        }
        /// A queue (with its owner and its split), or one combination of a queue's split.
        enum Part<'a> {
            Queue(&'a crate::policy::Queue, &'a Report),
            Values(&'a Dimensions, u32),
        }
        struct QueueView<'a>(&'a Engine, &'a QueueReport, Part<'a>);
        struct By<'a>(&'a Engine, &'a QueueReport, &'a Dimensions);
        impl Serialize for By<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut seq = s.serialize_seq(None)?;
                for (c, q) in &self.1.by {
                    seq.serialize_element(&QueueView(self.0, q, Part::Values(self.2, *c)))?;
                }
                seq.end()
            }
        }
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
                struct Metrics<'a>(&'a Engine, &'a QueueReport);
                impl Serialize for Metrics<'_> {
                    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                        let mut m = s.serialize_map(None)?;
                        for (name, x) in self.0.clocks.metrics.iter().zip(&self.1.metrics) {
                            m.serialize_entry(name, &MetricView(x))?;
                        }
                        m.end()
                    }
                }
                struct MetricView<'a>(&'a MetricReport);
                impl Serialize for MetricView<'_> {
                    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                        let x = self.0;
                        let mut m = s.serialize_map(None)?;
                        m.serialize_entry("met", &x.met)?;
                        m.serialize_entry("missed", &x.missed)?;
                        m.serialize_entry("attainment", &x.attainment().map(round4))?;
                        m.serialize_entry("open", &x.open)?;
                        m.serialize_entry("breached_open", &x.breached_open)?;
                        m.serialize_entry("at_risk", &x.at_risk)?;
                        m.end()
                    }
                }
                /// Counts by role, the roles with a count, in policy order.
                struct ByRole<'a>(&'a Engine, &'a [u64]);
                impl Serialize for ByRole<'_> {
                    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                        let mut m = s.serialize_map(None)?;
                        for (r, n) in self.0.rights.roles.iter().zip(self.1) {
                            if *n > 0 {
                                m.serialize_entry(&r.name, n)?;
                            }
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
                match &self.2 {
                    Part::Queue(queue, _) => m.serialize_entry("owner", &queue.owner)?,
                    Part::Values(d, c) => m.serialize_entry("values", &ValuesView(e, d, *c))?,
                }
                m.serialize_entry("cases", &q.cases)?;
                m.serialize_entry("open", &q.open)?;
                m.serialize_entry("bands", &Bands(e, q))?;
                m.serialize_entry("warning", &q.warning)?;
                m.serialize_entry("breached", &q.breached)?;
                m.serialize_entry("paused", &q.paused)?;
                m.serialize_entry("met", &q.met)?;
                m.serialize_entry("missed", &q.missed)?;
                m.serialize_entry("attainment", &q.attainment().map(round4))?;
                m.serialize_entry("at_risk", &q.at_risk)?;
                m.serialize_entry("metrics", &Metrics(e, q))?;
                m.serialize_entry("oldest_open", &q.oldest_open.as_ref().map(Oldest))?;
                m.serialize_entry("missed_by_cause", &ByCause(e, q, true))?;
                m.serialize_entry("breached_by_cause", &ByCause(e, q, false))?;
                m.serialize_entry("waiting_s", &Waiting(e, q))?;
                m.serialize_entry("pending_approvals", &ByRole(e, &q.pending_approvals))?;
                m.serialize_entry("escalated_to", &ByRole(e, &q.escalated_to))?;
                m.serialize_entry("issues", &Issues(&q.issues))?;
                if let Part::Queue(_, r) = &self.2
                    && !r.dimensions.is_empty()
                {
                    m.serialize_entry("by", &By(e, q, &r.dimensions))?;
                }
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
        m.serialize_entry("at_risk_horizon_s", &r.at_risk_s)?;
        if !r.dimensions.is_empty() {
            struct Fields<'a>(&'a Dimensions);
            impl Serialize for Fields<'_> {
                fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                    s.collect_seq(self.0.fields())
                }
            }
            m.serialize_entry("by", &Fields(&r.dimensions))?;
        }
        m.serialize_entry("queues", &Queues(e, r))?;
        if let Some(f) = &r.flow {
            m.serialize_entry("flow", &crate::output::flow::FlowView(e, r, f))?;
        }
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
