//! `docket.Report`: a backlog report that merges exactly, and its state as text, so that
//! reports made in other processes (Spark executors) merge on one machine.

use crate::error::{Failure, Result};
use docket_core::{Engine, Report, UndeclaredDependency};
use pyo3::prelude::*;
use serde::{Deserialize, Serialize};
use std::sync::{Arc, Mutex};

/// A backlog report of one engine at one `now`.
#[pyclass(frozen, name = "Report", module = "docket._docket")]
pub(crate) struct PyReport {
    engine: Arc<Engine>,
    report: Mutex<Report>,
}

/// An empty report at `now`: split by the fields of `by` (a list of field names), with
/// flow over the period of `flow` (`{"since": instant, "bucket": "day" | "week"}`).
pub(crate) fn new(
    engine: &Engine,
    now: i64,
    by: Option<&Bound<'_, PyAny>>,
    flow: Option<&Bound<'_, PyAny>>,
) -> Result<Report> {
    let fields: Vec<String> = match by.filter(|b| !b.is_none()) {
        None => Vec::new(),
        Some(b) if b.is_instance_of::<pyo3::types::PyString>() => {
            return Err(Failure::argument("by", "`by` must be a list of field names"));
        }
        Some(b) => b.extract().map_err(|_| Failure::argument("by", "`by` must be a list of field names"))?,
    };
    let dims = docket_core::Dimensions::new(engine, &fields).map_err(|m| Failure::argument("by", m))?;
    let report = Report::with_dimensions(engine, now, dims);
    let Some(flow) = flow.filter(|f| !f.is_none()) else { return Ok(report) };
    let flow = flow.cast::<pyo3::types::PyDict>().map_err(|_| {
        Failure::argument("flow", "`flow` must be a dict {\"since\": ..., \"bucket\": \"day\" | \"week\"}")
    })?;
    let since = flow.get_item("since")?.filter(|s| !s.is_none());
    let Some(since) = since else { return Err(Failure::argument("flow.since", "`flow.since` is required")) };
    let since = crate::now_arg(Some(&since)).map_err(|e| match e {
        Failure::Argument { code, message, .. } => {
            Failure::Argument { code, path: "flow.since".into(), message: message.replace("`now`", "`flow.since`") }
        }
        other => other,
    })?;
    let bucket = match flow.get_item("bucket")?.filter(|b| !b.is_none()) {
        None => Some(docket_core::Bucket::Day),
        Some(b) => b.extract::<String>().ok().and_then(|b| docket_core::Bucket::parse(&b)),
    }
    .ok_or_else(|| Failure::argument("flow.bucket", "`flow.bucket` must be \"day\" or \"week\""))?;
    report.with_flow(engine, since, bucket).map_err(|e| Failure::Argument {
        code: e.code(),
        path: "flow.since".into(),
        message: e.to_string(),
    })
}

impl PyReport {
    pub(crate) fn new(engine: Arc<Engine>, report: Report) -> PyReport {
        PyReport { engine, report: Mutex::new(report) }
    }

    fn with<T>(&self, f: impl FnOnce(&mut Report) -> T) -> Result<T> {
        let mut r = self.report.lock().map_err(|_| Failure::Internal("the report is unusable".into()))?;
        Ok(f(&mut r))
    }
}

#[pymethods]
impl PyReport {
    /// Adds the counts of `other` (a report of the same policy at the same `now`) into
    /// this one. Merged reports equal the report of the whole batch.
    fn merge(&self, py: Python<'_>, other: &Bound<'_, PyReport>) -> PyResult<()> {
        crate::guard(py, || {
            let other = other.get();
            if std::ptr::eq(self, other) {
                return Err(Failure::argument("other", "a report cannot be merged into itself"));
            }
            if self.engine.fingerprint() != other.engine.fingerprint() {
                return Err(Failure::argument("other", "reports of different policies cannot be merged"));
            }
            let theirs = other.with(|r| r.clone())?;
            self.with(|r| {
                if r.now != theirs.now {
                    return Err(Failure::argument("other", "reports at different `now` cannot be merged"));
                }
                let same_flow = match (&r.flow, &theirs.flow) {
                    (Some(a), Some(b)) => a.same_period(b),
                    (a, b) => a.is_none() && b.is_none(),
                };
                if !same_flow {
                    return Err(Failure::argument("other", "reports of different flow periods cannot be merged"));
                }
                if r.dimensions != theirs.dimensions {
                    return Err(Failure::argument("other", "reports split by different fields cannot be merged"));
                }
                r.merge(&theirs);
                Ok(())
            })?
        })
    }

    /// The report as JSON text (the batch report format, with the controls that fire).
    fn to_json(&self, py: Python<'_>) -> PyResult<String> {
        crate::guard(py, || self.with(|r| r.to_json(&self.engine)))
    }

    /// The report as a dict (the JSON of `docket report`).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let text = self.to_json(py)?;
        crate::json_to_py(py, &text)
    }

    /// Cases added.
    #[getter]
    fn cases(&self, py: Python<'_>) -> PyResult<u64> {
        crate::guard(py, || self.with(|r| r.cases))
    }

    /// The counts as text, for `Engine._report(state=...)` in another process.
    fn _state(&self, py: Python<'_>) -> PyResult<String> {
        crate::guard(py, || {
            let state = self.with(|r| State::of(r))??;
            serde_json::to_string(&state).map_err(|e| Failure::Internal(format!("cannot write the report: {e}")))
        })
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        crate::guard(py, || {
            self.with(|r| format!("<docket.Report {} cases at {}>", r.cases, docket_core::time::Rfc3339(r.now)))
        })
    }
}

/// The counts of a [`Report`] as this module makes them (no split by dimensions, no
/// flow), field by field.
#[derive(Serialize, Deserialize)]
struct State {
    now: i64,
    cases: u64,
    errors: u64,
    invalid: u64,
    unrouted: u64,
    not_yet_open: u64,
    queues: Vec<QueueState>,
}

#[derive(Serialize, Deserialize)]
struct QueueState {
    cases: u64,
    open: u64,
    bands: Vec<u64>,
    warning: u64,
    breached: u64,
    paused: u64,
    met: u64,
    missed: u64,
    oldest_open: Option<(i64, String)>,
    issues: Vec<u64>,
    missed_by_cause: Vec<u64>,
    breached_by_cause: Vec<u64>,
    waiting_s: Vec<i64>,
    /// (name, missed, breached, waiting_s)
    undeclared: Vec<(String, u64, u64, i64)>,
    at_risk: u64,
    /// Per metric: (met, missed, open, breached_open, at_risk)
    metrics: Vec<(u64, u64, u64, u64, u64)>,
    pending_approvals: Vec<u64>,
    escalated_to: Vec<u64>,
}

impl State {
    fn of(r: &Report) -> Result<State> {
        if r.flow.is_some() || !r.dimensions.is_empty() {
            return Err(Failure::Internal("a report with flow or dimensions has no state here".into()));
        }
        Ok(State {
            now: r.now,
            cases: r.cases,
            errors: r.errors,
            invalid: r.invalid,
            unrouted: r.unrouted,
            not_yet_open: r.not_yet_open,
            queues: r
                .queues
                .iter()
                .map(|q| QueueState {
                    cases: q.cases,
                    open: q.open,
                    bands: q.bands.clone(),
                    warning: q.warning,
                    breached: q.breached,
                    paused: q.paused,
                    met: q.met,
                    missed: q.missed,
                    oldest_open: q.oldest_open.clone(),
                    issues: q.issues.to_vec(),
                    missed_by_cause: q.missed_by_cause.clone(),
                    breached_by_cause: q.breached_by_cause.clone(),
                    waiting_s: q.waiting_s.clone(),
                    undeclared: q
                        .undeclared
                        .iter()
                        .map(|u| (u.name.clone(), u.missed, u.breached, u.waiting_s))
                        .collect(),
                    at_risk: q.at_risk,
                    metrics: q.metrics.iter().map(|m| (m.met, m.missed, m.open, m.breached_open, m.at_risk)).collect(),
                    pending_approvals: q.pending_approvals.clone(),
                    escalated_to: q.escalated_to.clone(),
                })
                .collect(),
        })
    }
}

/// A report of `engine` from the text of [`State`]: an empty report of the engine at the
/// state's `now`, its counts set from the state, whose shape must be the engine's.
pub(crate) fn from_state(engine: &Engine, text: &str) -> Result<Report> {
    let bad = |m: &str| Failure::argument("state", format!("not the state of a report of this policy: {m}"));
    let s: State = serde_json::from_str(text).map_err(|e| bad(&e.to_string()))?;
    let mut r = Report::new(engine, s.now);
    if s.queues.len() != r.queues.len() {
        return Err(bad("another number of queues"));
    }
    (r.cases, r.errors, r.invalid, r.unrouted, r.not_yet_open) =
        (s.cases, s.errors, s.invalid, s.unrouted, s.not_yet_open);
    for (q, e) in s.queues.into_iter().zip(r.queues.iter_mut()) {
        let sized = |a: usize, b: usize| a == b;
        if !sized(q.bands.len(), e.bands.len())
            || !sized(q.missed_by_cause.len(), e.missed_by_cause.len())
            || !sized(q.breached_by_cause.len(), e.breached_by_cause.len())
            || !sized(q.waiting_s.len(), e.waiting_s.len())
            || !sized(q.metrics.len(), e.metrics.len())
            || !sized(q.pending_approvals.len(), e.pending_approvals.len())
            || !sized(q.escalated_to.len(), e.escalated_to.len())
        {
            return Err(bad("another number of bands, dependencies, metrics or roles"));
        }
        e.issues = q.issues.try_into().map_err(|_| bad("another number of issue codes"))?;
        (e.cases, e.open, e.warning, e.breached, e.paused, e.met, e.missed, e.at_risk) =
            (q.cases, q.open, q.warning, q.breached, q.paused, q.met, q.missed, q.at_risk);
        (e.bands, e.oldest_open, e.missed_by_cause, e.breached_by_cause, e.waiting_s) =
            (q.bands, q.oldest_open, q.missed_by_cause, q.breached_by_cause, q.waiting_s);
        (e.pending_approvals, e.escalated_to) = (q.pending_approvals, q.escalated_to);
        e.undeclared = q
            .undeclared
            .into_iter()
            .map(|(name, missed, breached, waiting_s)| UndeclaredDependency { name, missed, breached, waiting_s })
            .collect();
        for (m, (met, missed, open, breached_open, at_risk)) in e.metrics.iter_mut().zip(q.metrics) {
            (m.met, m.missed, m.open, m.breached_open, m.at_risk) = (met, missed, open, breached_open, at_risk);
        }
    }
    Ok(r)
}
