//! `docket.Report`: a backlog report that merges exactly, and its state as text, so that
//! reports made in other processes (Spark executors) merge on one machine.

use crate::error::{Failure, Result};
use docket_core::issue::ISSUE_CODES;
use docket_core::{Engine, QueueReport, Report, UndeclaredDependency};
use pyo3::prelude::*;
use serde::{Deserialize, Serialize};
use std::sync::{Arc, Mutex};

/// A backlog report of one engine at one `now`.
#[pyclass(frozen, name = "Report", module = "docket._docket")]
pub(crate) struct PyReport {
    engine: Arc<Engine>,
    report: Mutex<Report>,
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
            let state = self.with(|r| State::of(r))?;
            serde_json::to_string(&state).map_err(|e| Failure::Internal(format!("cannot write the report: {e}")))
        })
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        crate::guard(py, || {
            self.with(|r| format!("<docket.Report {} cases at {}>", r.cases, docket_core::time::Rfc3339(r.now)))
        })
    }
}

/// The counts of a [`Report`], field by field.
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
}

impl State {
    fn of(r: &Report) -> State {
        State {
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
                })
                .collect(),
        }
    }
}

/// A report of `engine` from the text of [`State`]; its shape must be the engine's.
pub(crate) fn from_state(engine: &Engine, text: &str) -> Result<Report> {
    let bad = |m: &str| Failure::argument("state", format!("not the state of a report of this policy: {m}"));
    let s: State = serde_json::from_str(text).map_err(|e| bad(&e.to_string()))?;
    let empty = Report::new(engine, s.now);
    if s.queues.len() != empty.queues.len() {
        return Err(bad("another number of queues"));
    }
    let mut queues = Vec::with_capacity(s.queues.len());
    for (q, e) in s.queues.into_iter().zip(&empty.queues) {
        if q.bands.len() != e.bands.len()
            || q.missed_by_cause.len() != e.missed_by_cause.len()
            || q.breached_by_cause.len() != e.breached_by_cause.len()
            || q.waiting_s.len() != e.waiting_s.len()
        {
            return Err(bad("another number of bands or dependencies"));
        }
        let issues: [u64; ISSUE_CODES.len()] = q.issues.try_into().map_err(|_| bad("another number of issue codes"))?;
        queues.push(QueueReport {
            cases: q.cases,
            open: q.open,
            bands: q.bands,
            warning: q.warning,
            breached: q.breached,
            paused: q.paused,
            met: q.met,
            missed: q.missed,
            oldest_open: q.oldest_open,
            issues,
            missed_by_cause: q.missed_by_cause,
            breached_by_cause: q.breached_by_cause,
            waiting_s: q.waiting_s,
            undeclared: q
                .undeclared
                .into_iter()
                .map(|(name, missed, breached, waiting_s)| UndeclaredDependency { name, missed, breached, waiting_s })
                .collect(),
        });
    }
    Ok(Report {
        now: s.now,
        cases: s.cases,
        errors: s.errors,
        invalid: s.invalid,
        unrouted: s.unrouted,
        not_yet_open: s.not_yet_open,
        queues,
    })
}
