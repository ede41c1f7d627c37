//! # `docket._docket`: the compiled half of the `docket` Python package
//!
//! The package's Python layer (`python/docket/__init__.py`) gives the public API and its
//! docs; this module does the work: compiling a policy, decoding cases from Python
//! records or Arrow columns, evaluating them on the core's columnar path, and writing
//! outcomes as Arrow record batches.
//!
//! Conventions:
//!
//! 1. Every failure is a `docket.DocketError` subclass with a `code` of the one error
//!    vocabulary (`docket_core::ErrorCode`) and a `path` ([`error`]).
//! 2. A bad case is only its own row (`error`, `issues`); no case fails a call.
//! 3. No Rust panic reaches Python: the lints below deny the panicking shortcuts, and
//!    every method's body returns a [`error::Failure`] instead.
//! 4. Arrow input is read in place ([`ffi`], [`arrow_in`]); evaluation of Arrow batches
//!    runs without the GIL, so other Python threads run meanwhile.
#![deny(missing_docs)]
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
#![deny(clippy::undocumented_unsafe_blocks)]

mod arrow_in;
mod arrow_out;
mod error;
mod ffi;
mod record;
mod report;

use arrow_array::RecordBatch;
use arrow_out::{Layout, Out};
use docket_core::{Actor, Case, CaseError, ColumnWorkspace, Engine as CoreEngine, Limits, Outcome};
use error::{ArgumentError, DocketError, Failure, PolicyError, Result};
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyDict, PyList, PyString, PyTuple};
use record::{Fault, Reader};
use serde::Deserialize;
use std::sync::{Arc, Mutex};

/// Rows per output batch: large enough that per-batch costs vanish, small enough that a
/// batch's columns stay in cache while they are written.
const CHUNK: usize = 32_768;

/// Parses JSON text into Python objects with the standard library's `json.loads`.
pub(crate) fn json_to_py<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
    py.import("json")?.call_method1("loads", (text,))
}

/// Decoding and evaluation buffers, reused across calls.
#[derive(Default)]
struct Bufs {
    case: Case,
    out: Outcome,
    columns: ColumnWorkspace,
}

/// A compiled policy (the `docket.Engine` of the Python layer).
#[pyclass(frozen, name = "_Engine", module = "docket._docket")]
struct PyEngine {
    core: Arc<CoreEngine>,
    layout: Arc<Layout>,
    /// Idle buffers: a call takes one set (or makes one) and gives it back.
    pool: Mutex<Vec<Bufs>>,
}

impl PyEngine {
    fn take(&self) -> Bufs {
        self.pool.lock().ok().and_then(|mut p| p.pop()).unwrap_or_default()
    }

    fn give(&self, b: Bufs) {
        if let Ok(mut p) = self.pool.lock()
            && p.len() < 8
        {
            p.push(b);
        }
    }

    /// Decodes one record (a dict, or JSON text) into `case`.
    fn load(&self, value: &Bound<'_, PyAny>, case: &mut Case) {
        if let Ok(s) = value.cast::<PyString>() {
            match ffi::str_text(s) {
                Some(text) => self.core.decode_json(text, case),
                None => {
                    self.core.decode_json("", case);
                    case.set_error(CaseError::BadJson);
                }
            }
        } else if value.cast::<PyDict>().is_ok() {
            let reader = Reader::new(false);
            // An error leaves the case unusable (`not_an_object`); its outcome says so.
            let _ = self.core.decode(reader.de(value), case);
            match reader.fault() {
                Some(Fault::TooDeep) => case.set_error(CaseError::TooLarge),
                Some(Fault::NotUnicode) => case.set_error(CaseError::BadJson),
                Some(Fault::NotJson) | None => {}
            }
        } else {
            // Lists, scalars and other objects are not case records.
            self.core.decode_json("null", case);
        }
    }

    /// Runs `each` on the outcome of every case of `cases` (a list of records, or Arrow
    /// data), chunk by chunk: `start(n)` before the `n` outcomes of a chunk, `done()`
    /// after them. Arrow data is evaluated without the GIL.
    #[allow(clippy::too_many_arguments)]
    fn run<S: Send>(
        &self,
        py: Python<'_>,
        cases: &Bound<'_, PyAny>,
        now: i64,
        state: &mut S,
        start: impl Fn(&mut S, usize) + Sync,
        each: impl Fn(&mut S, &CoreEngine, Option<&Case>, &Outcome) + Sync,
        done: impl Fn(&mut S) -> Result<()> + Sync,
    ) -> Result<()> {
        let mut b = self.take();
        let res = if ffi::is_arrow(cases) {
            let mut batches = ffi::batches(cases)?;
            let core = &*self.core;
            let bufs = &mut b;
            let start_chunk = &start;
            py.detach(|| -> Result<()> {
                while let Some(batch) = batches.next_batch() {
                    let batch = batch?;
                    let mut start = 0;
                    while start < batch.num_rows() {
                        let n = CHUNK.min(batch.num_rows() - start);
                        start_chunk(state, n);
                        evaluate_batch(core, &batch.slice(start, n), now, &mut bufs.columns, |o| {
                            each(state, core, None, o)
                        })?;
                        done(state)?;
                        start += n;
                    }
                }
                Ok(())
            })
        } else {
            let list: Vec<Bound<'_, PyAny>> = match cases.cast::<PyList>() {
                Ok(l) => l.iter().collect(),
                Err(_) => match cases.cast::<PyTuple>() {
                    Ok(t) => t.iter().collect(),
                    Err(_) => {
                        self.give(b);
                        return Err(Failure::argument(
                            "cases",
                            "`cases` must be a list of dicts, a pyarrow Table or RecordBatch, or an object with `__arrow_c_stream__`",
                        ));
                    }
                },
            };
            for chunk in list.chunks(CHUNK) {
                start(state, chunk.len());
                for c in chunk {
                    self.load(c, &mut b.case);
                    self.core.evaluate(&b.case, now, &mut b.out);
                    each(state, &self.core, Some(&b.case), &b.out);
                }
                if let Err(e) = done(state) {
                    self.give(b);
                    return Err(e);
                }
            }
            Ok(())
        };
        self.give(b);
        res
    }
}

/// Evaluates one record batch on the core's columnar path.
fn evaluate_batch(
    core: &CoreEngine,
    batch: &RecordBatch,
    now: i64,
    ws: &mut ColumnWorkspace,
    mut each: impl FnMut(&Outcome),
) -> Result<()> {
    let prepared = arrow_in::Prepared::new(core, batch)?;
    let texts = prepared.texts();
    let cols = prepared.columns(&texts);
    let checked = core.columns(prepared.len, &cols).map_err(|e| {
        let path = e.column.map_or_else(|| "cases".to_owned(), |j| format!("columns.{}", prepared.name(j)));
        Failure::Argument { code: e.code, path, message: e.to_string() }
    })?;
    core.evaluate_columns(&checked, now, ws, |_, o| each(o));
    Ok(())
}

/// The instant `now` stands for: `None` the current time; an RFC 3339 string; a
/// `datetime` (a naive one in UTC); whole seconds since the epoch (a float floored).
pub(crate) fn now_arg(now: Option<&Bound<'_, PyAny>>) -> Result<i64> {
    let bad = || Failure::argument("now", "`now` must be an RFC 3339 string, a datetime, or seconds since the epoch");
    let Some(v) = now.filter(|v| !v.is_none()) else {
        let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_err(|_| bad())?;
        return i64::try_from(t.as_secs()).map_err(|_| bad());
    };
    if let Ok(s) = v.cast::<PyString>() {
        let text = ffi::str_text(s).ok_or_else(bad)?;
        return docket_core::time::parse_rfc3339(text).ok_or_else(|| {
            Failure::argument(
                "now",
                format!("`now` must be an RFC 3339 timestamp such as 2026-11-23T10:00:00Z, got {text:?}"),
            )
        });
    }
    if v.is_instance_of::<pyo3::types::PyBool>() {
        return Err(bad());
    }
    if let Ok(i) = v.extract::<i64>() {
        return Ok(i);
    }
    if let Ok(x) = v.extract::<f64>() {
        // JavaScript's Date range, as the core reads numbers as instants.
        if x.is_finite() && x.abs() <= 8.64e12 {
            return Ok(x.floor() as i64);
        }
        return Err(Failure::argument("now", "`now` is not a valid instant"));
    }
    if record::is_datetime(v) {
        return record::datetime_seconds(v).map_err(|_| bad());
    }
    Err(bad())
}

/// Limits from a dict of `Limits` field names (`max_case_bytes`, ...).
fn limits_arg(limits: Option<&Bound<'_, PyDict>>) -> Result<Limits> {
    let mut l = Limits::default();
    let Some(d) = limits else { return Ok(l) };
    for (k, v) in d.iter() {
        let key: String = k.extract().map_err(|_| Failure::argument("limits", "limit names must be strings"))?;
        let path = format!("limits.{key}");
        let n: usize =
            v.extract().map_err(|_| Failure::argument(&path, format!("`{key}` must be a whole number >= 0")))?;
        let slot = match key.as_str() {
            "max_policy_bytes" => &mut l.max_policy_bytes,
            "max_string_len" => &mut l.max_string_len,
            "max_list_len" => &mut l.max_list_len,
            "max_case_bytes" => &mut l.max_case_bytes,
            "max_cases_per_call" => &mut l.max_cases_per_call,
            "max_rules_per_table" => &mut l.max_rules_per_table,
            "max_windows_per_day" => &mut l.max_windows_per_day,
            "max_dates_per_calendar" => &mut l.max_dates_per_calendar,
            "max_calendars" => &mut l.max_calendars,
            "max_metrics" => &mut l.max_metrics,
            "max_escalation_steps" => &mut l.max_escalation_steps,
            "max_bands" => &mut l.max_bands,
            "max_values_per_field" => &mut l.max_values_per_field,
            "max_memory_bytes" => &mut l.max_memory_bytes,
            _ => return Err(Failure::argument(&path, format!("`{key}` is not a limit of the engine"))),
        };
        *slot = n;
    }
    Ok(l)
}

/// Wraps a method body: a [`Failure`] becomes the Python exception.
fn guard<T>(py: Python<'_>, f: impl FnOnce() -> Result<T>) -> PyResult<T> {
    f().map_err(|e| e.into_py(py))
}

/// A stream of outcome batches, read once through `__arrow_c_stream__` by
/// `pyarrow.RecordBatchReader.from_stream` (or any Arrow consumer).
#[pyclass(frozen, name = "_Outcomes", module = "docket._docket")]
struct Outcomes {
    schema: arrow_schema::SchemaRef,
    batches: Mutex<Option<Vec<RecordBatch>>>,
}

#[pymethods]
impl Outcomes {
    /// The outcomes as an `arrow_array_stream` capsule (the Arrow PyCapsule interface).
    #[pyo3(signature = (requested_schema = None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        let _ = requested_schema;
        let batches = self.batches.lock().ok().and_then(|mut b| b.take()).ok_or_else(|| {
            Failure::argument("outcomes", "the outcomes were read already: a result streams once").into_py(py)
        })?;
        ffi::stream_capsule(py, self.schema.clone(), batches)
    }
}

#[pymethods]
impl PyEngine {
    #[new]
    #[pyo3(signature = (policy, limits = None, seed = None))]
    fn new(
        py: Python<'_>,
        policy: &Bound<'_, PyAny>,
        limits: Option<&Bound<'_, PyDict>>,
        seed: Option<&Bound<'_, PyString>>,
    ) -> PyResult<PyEngine> {
        guard(py, || {
            let limits = limits_arg(limits)?;
            let mut core = if let Ok(s) = policy.cast::<PyString>() {
                let text = ffi::str_text(s).ok_or_else(|| {
                    Failure::argument("policy", "the policy text is not valid Unicode (a lone surrogate)")
                })?;
                CoreEngine::compile_with_limits(text, limits)
            } else if policy.cast::<PyDict>().is_ok() {
                let reader = Reader::new(true);
                let value = serde_json::Value::deserialize(reader.de(policy)).map_err(|e| {
                    let at = reader.failed_at("policy");
                    match reader.fault() {
                        Some(Fault::TooDeep) => Failure::Policy(too_deep(reader.pointer())),
                        _ => Failure::argument(&at, format!("`{at}` cannot be read as JSON: {e}")),
                    }
                })?;
                CoreEngine::compile_value_with_limits(&value, limits)
            } else {
                return Err(Failure::argument("policy", "`policy` must be JSON text (str) or a dict"));
            }
            .map_err(Failure::Policy)?;
            if let Some(seed) = seed {
                let seed = ffi::str_text(seed)
                    .ok_or_else(|| Failure::argument("seed", "the seed is not valid Unicode (a lone surrogate)"))?;
                core.set_sample_seed(seed);
            }
            let layout = Arc::new(Layout::new(&core));
            Ok(PyEngine { core: Arc::new(core), layout, pool: Mutex::new(Vec::new()) })
        })
    }

    /// Evaluates every case: a stream of outcome batches.
    #[pyo3(signature = (cases, now = None))]
    fn evaluate(&self, py: Python<'_>, cases: &Bound<'_, PyAny>, now: Option<&Bound<'_, PyAny>>) -> PyResult<Outcomes> {
        guard(py, || {
            let now = now_arg(now)?;
            let layout = &*self.layout;
            let mut state = (Out::new(layout, 0), Vec::new());
            self.run(
                py,
                cases,
                now,
                &mut state,
                |(out, _), n| *out = Out::new(layout, n),
                |(out, _), core, _, o| out.push(layout, core, o),
                |(out, batches)| {
                    let full = std::mem::replace(out, Out::new(layout, 0));
                    batches.push(full.finish(layout)?);
                    Ok(())
                },
            )?;
            let batches = state.1.into_iter().filter(|b| b.num_rows() > 0).collect();
            Ok(Outcomes { schema: layout.schema.clone(), batches: Mutex::new(Some(batches)) })
        })
    }

    /// Every outcome as JSON text, one JSON array (the records `docket eval` prints).
    #[pyo3(signature = (cases, now = None))]
    fn outcomes_json(
        &self,
        py: Python<'_>,
        cases: &Bound<'_, PyAny>,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<String> {
        guard(py, || {
            let now = now_arg(now)?;
            let mut buf: Vec<u8> = vec![b'['];
            self.run(
                py,
                cases,
                now,
                &mut buf,
                |_, _| {},
                |buf, core, _, o| {
                    if buf.len() > 1 {
                        buf.push(b',');
                    }
                    core.write_outcome(o, None, buf);
                },
                |_| Ok(()),
            )?;
            buf.push(b']');
            String::from_utf8(buf).map_err(|_| Failure::Internal("an outcome is not UTF-8".into()))
        })
    }

    /// The backlog report of the cases, optionally split by fields (`by`, records only)
    /// and with flow over a period (`flow`: `{"since": ..., "bucket": "day" | "week"}`).
    #[pyo3(signature = (cases, now = None, by = None, flow = None))]
    fn report(
        &self,
        py: Python<'_>,
        cases: &Bound<'_, PyAny>,
        now: Option<&Bound<'_, PyAny>>,
        by: Option<&Bound<'_, PyAny>>,
        flow: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<report::PyReport> {
        guard(py, || {
            let now = now_arg(now)?;
            let mut r = report::new(&self.core, now, by, flow)?;
            if !r.dimensions.is_empty() && ffi::is_arrow(cases) {
                return Err(Failure::argument(
                    "by",
                    "a report split by fields takes cases as records (a list of dicts), as each case's fields are read",
                ));
            }
            self.run(
                py,
                cases,
                now,
                &mut r,
                |_, _| {},
                |r, core, case, o| match case {
                    Some(c) => r.add_case(core, c, o),
                    None => r.add(o),
                },
                |_| Ok(()),
            )?;
            Ok(report::PyReport::new(self.core.clone(), r))
        })
    }

    /// An empty report at `now`, or one restored from the state of `Report._state()`.
    #[pyo3(signature = (now = None, state = None))]
    fn _report(
        &self,
        py: Python<'_>,
        now: Option<&Bound<'_, PyAny>>,
        state: Option<&str>,
    ) -> PyResult<report::PyReport> {
        guard(py, || {
            let r = match state {
                Some(s) => report::from_state(&self.core, s)?,
                None => docket_core::Report::new(&self.core, now_arg(now)?),
            };
            Ok(report::PyReport::new(self.core.clone(), r))
        })
    }

    /// The decision record, as JSON text.
    #[pyo3(signature = (case, actor, action, now = None))]
    fn authorize(
        &self,
        py: Python<'_>,
        case: &Bound<'_, PyAny>,
        actor: &Bound<'_, PyAny>,
        action: &Bound<'_, PyAny>,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<String> {
        guard(py, || {
            let now = now_arg(now)?;
            let action = action
                .cast::<PyString>()
                .ok()
                .and_then(ffi::str_text)
                .ok_or_else(|| Failure::argument("action", "`action` must be a string such as \"approve\""))?;
            if actor.cast::<PyDict>().is_err() {
                return Err(Failure::argument("actor", "`actor` must be a dict {\"id\": str, \"roles\": [str]}"));
            }
            let reader = Reader::new(true);
            let actor = Actor::deserialize(reader.de(actor)).map_err(|e| {
                let at = reader.failed_at("actor");
                Failure::argument(&at, format!("`actor` must be {{\"id\": str, \"roles\": [str]}}: {e}"))
            })?;
            let mut b = self.take();
            self.load(case, &mut b.case);
            let decision = self.core.authorize(&b.case, &actor, action, now);
            self.give(b);
            serde_json::to_string(&decision).map_err(|e| Failure::Internal(format!("cannot build the decision: {e}")))
        })
    }

    /// The compile warnings, as `{code, path, message}` dicts.
    fn check<'py>(&self, py: Python<'py>) -> Bound<'py, PyAny> {
        error::diagnostics(py, self.core.warnings())
    }

    #[getter]
    fn name(&self) -> &str {
        self.core.name()
    }
    #[getter]
    fn version(&self) -> &str {
        self.core.version()
    }
    #[getter]
    fn fingerprint(&self) -> &str {
        self.core.fingerprint()
    }
    #[getter]
    fn queues(&self) -> Vec<&str> {
        self.core.queues().collect()
    }
    #[getter]
    fn priorities(&self) -> Vec<&str> {
        self.core.priorities().iter().map(String::as_str).collect()
    }
    #[getter]
    fn bands(&self) -> Vec<&str> {
        self.core.bands().collect()
    }
    #[getter]
    fn metrics(&self) -> Vec<&str> {
        self.core.metrics().collect()
    }
    #[getter]
    fn dependencies(&self) -> Vec<&str> {
        self.core.dependencies().collect()
    }
    #[getter]
    fn roles(&self) -> Vec<&str> {
        self.core.roles().collect()
    }
    /// The outcome table's schema, as an `arrow_schema` capsule.
    fn _schema<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyCapsule>> {
        ffi::stream_capsule(py, self.layout.schema.clone(), Vec::new())
    }
}

/// A policy nested deeper than the reader goes: over a limit (`limit_exceeded`), at the
/// JSON pointer of the value too deep.
fn too_deep(pointer: String) -> docket_core::CompileError {
    let message = format!("the policy is nested deeper than {} levels (or inside itself)", record::MAX_DEPTH);
    let d = docket_core::Diagnostic { code: docket_core::PolicyCode::LimitExceeded, path: pointer, message };
    docket_core::CompileError { errors: vec![d], warnings: Vec::new() }
}

/// `now` as seconds since the epoch, as every method reads it (`None`: the current time).
#[pyfunction]
#[pyo3(signature = (now = None))]
fn _instant(py: Python<'_>, now: Option<&Bound<'_, PyAny>>) -> PyResult<i64> {
    guard(py, || now_arg(now))
}

/// The compiled module.
#[pymodule]
fn _docket(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add_function(wrap_pyfunction!(_instant, m)?)?;
    m.add_class::<PyEngine>()?;
    m.add_class::<Outcomes>()?;
    m.add_class::<report::PyReport>()?;
    m.add("DocketError", py.get_type::<DocketError>())?;
    m.add("PolicyError", py.get_type::<PolicyError>())?;
    m.add("ArgumentError", py.get_type::<ArgumentError>())?;
    m.add("FORMAT_VERSION", docket_core::FORMAT_VERSION)?;
    Ok(())
}
