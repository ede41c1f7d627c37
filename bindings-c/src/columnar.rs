//! The columnar batch API: struct-of-arrays in, struct-of-arrays out, no JSON.
//!
//! The caller's columns are checked once per call (C-specific promises: every string
//! UTF-8 without NUL, value kinds that fit each column's type), then handed to the core's
//! columnar batch path (`Engine::evaluate_columns`) as borrowed slices: strings borrowed,
//! timestamps and scaled amounts as integers, no text formatted or parsed, cases set in
//! blocks column by column, so a warmed-up workspace evaluates a batch without allocating
//! per case. Values the core can judge per case (enum indexes, timestamps) are left to it.

use crate::engine::{ColumnDef, docket_engine, docket_field_type};
use crate::error::{Error, docket_error, docket_result};
use crate::ffi::{self, ColumnArg, OutputArrays, Values};
use crate::types::*;
use docket_core::{
    Case, CaseError, Cause, Column, ColumnTarget, ColumnValues, ColumnWorkspace, MetricOutcome, Outcome, Report,
    SlaState,
};
use std::ffi::c_char;

/// Reusable per-thread scratch space of the batch API. Not thread-safe: one per thread.
#[allow(non_camel_case_types)]
pub struct docket_workspace {
    columns: ColumnWorkspace,
    /// Emptied string-column buffers of earlier calls, kept for their allocations.
    texts: Vec<Vec<&'static str>>,
}

/// An emptied buffer with its allocation kept, for strings of any later lifetime (the
/// element layout is the same, so collecting reuses the allocation in place).
fn recycle(mut v: Vec<&str>) -> Vec<&'static str> {
    v.clear();
    v.into_iter().map(|_| "").collect()
}

// ---------------------------------------------------------------------------------------
// Validated columns

enum Data<'a> {
    I64(&'a [i64]),
    F64(&'a [f64]),
    Bool(&'a [u8]),
    Enum(&'a [u32]),
    Str(Vec<&'a str>),
    Scaled(&'a [i64], u32),
}

struct Col<'a> {
    def: &'a ColumnDef,
    data: Data<'a>,
    present: Option<&'a [u8]>,
    offsets: Option<&'a [usize]>,
}

fn kind_fits(kind: docket_value_kind, ty: docket_field_type) -> bool {
    use docket_field_type as T;
    use docket_value_kind as K;
    matches!(
        (kind, ty),
        (K::String, T::String | T::Enum | T::Money)
            | (K::EnumIndex, T::Enum)
            | (K::I64, T::Integer | T::Number | T::Money | T::Timestamp)
            | (K::F64, T::Number)
            | (K::Bool, T::Bool)
            | (K::Scaled, T::Money)
    )
}

fn value_kind(k: u32) -> Option<docket_value_kind> {
    Some(match k {
        1 => docket_value_kind::I64,
        2 => docket_value_kind::F64,
        3 => docket_value_kind::Bool,
        4 => docket_value_kind::EnumIndex,
        5 => docket_value_kind::String,
        6 => docket_value_kind::Scaled,
        _ => return None,
    })
}

/// Checks every column completely, so that evaluation cannot fail half-way. Paths are
/// formatted only for an error: a call that succeeds allocates nothing per column but
/// its checked string buffers, taken from `pool`.
fn validate<'a>(
    engine: &'a docket_engine,
    cols: impl ExactSizeIterator<Item = ColumnArg<'a>>,
    pool: &mut Vec<Vec<&'a str>>,
) -> Result<Vec<Col<'a>>, Error> {
    let mut out: Vec<Col<'a>> = Vec::with_capacity(cols.len());
    for c in cols {
        let def = engine.column(c.column()).map_err(|e| Error::arg(c.path("column"), e.message))?;
        if out.iter().any(|o| std::ptr::eq(o.def, def)) {
            return Err(Error::arg(c.path("column"), format!("column `{}` is given twice", def.key())));
        }
        let kind = value_kind(c.kind())
            .ok_or_else(|| Error::arg(c.path("kind"), format!("{} is not a docket_value_kind", c.kind())))?;
        let evidence_index = kind == docket_value_kind::EnumIndex && def.target == ColumnTarget::Evidence;
        if !kind_fits(kind, def.ty) && !evidence_index {
            return Err(Error::arg(
                c.path("kind"),
                format!("column `{}` ({:?}) cannot take {kind:?} values", def.key(), def.ty),
            ));
        }
        // Values are read up to the last offset only; that the offsets do not decrease is
        // checked by the core's `Engine::columns` before any case is set.
        let offsets = match (def.is_list(), c.offsets()?) {
            (true, None) => return Err(Error::null(c.path("offsets"))),
            (false, Some(_)) => {
                return Err(Error::arg(
                    c.path("offsets"),
                    format!("`{}` is not a list column; offsets must be NULL", def.key()),
                ));
            }
            (_, offsets) => offsets,
        };
        if kind == docket_value_kind::Scaled && c.scale() > 18 {
            return Err(Error::arg(c.path("scale"), format!("scale {} is over 18", c.scale())));
        }
        let data = match c.values(kind)? {
            Values::I64(v) => Data::I64(v),
            Values::F64(v) => Data::F64(v),
            Values::Bool(v) => Data::Bool(v),
            Values::Index(v) => Data::Enum(v),
            Values::Scaled(v) => Data::Scaled(v, c.scale()),
            Values::Text(items) => {
                // A buffer of an earlier call, when there is one (no allocation per call).
                let mut v: Vec<&'a str> = pool.pop().unwrap_or_default();
                items.read(&mut v)?;
                Data::Str(v)
            }
        };
        out.push(Col { def, data, present: c.present()?, offsets });
    }
    // List groups (a member needs its lead, with the same items per case) are checked by
    // the core's `Engine::columns`, whose errors carry the same `columns[j]` paths.
    Ok(out)
}

// ---------------------------------------------------------------------------------------
// Outputs

fn index(i: Option<u32>) -> i32 {
    i.and_then(|i| i32::try_from(i).ok()).unwrap_or(DOCKET_NO_INDEX)
}

fn case_error(e: Option<CaseError>) -> docket_case_error {
    match e {
        None => docket_case_error::None,
        Some(CaseError::NotAnObject) => docket_case_error::NotAnObject,
        Some(CaseError::MissingId) => docket_case_error::MissingId,
        Some(CaseError::BadId) => docket_case_error::BadId,
        Some(CaseError::MissingKind) => docket_case_error::MissingKind,
        Some(CaseError::BadKind) => docket_case_error::BadKind,
        Some(CaseError::MissingOpenedAt) => docket_case_error::MissingOpenedAt,
        Some(CaseError::BadOpenedAt) => docket_case_error::BadOpenedAt,
        Some(CaseError::BadJson) => docket_case_error::BadJson,
        Some(CaseError::TooLarge) => docket_case_error::TooLarge,
        Some(CaseError::IdTooLong) => docket_case_error::IdTooLong,
        Some(_) => docket_case_error::Other,
    }
}

fn sla_state(s: SlaState) -> docket_sla_state {
    match s {
        SlaState::Ok => docket_sla_state::Ok,
        SlaState::Warning => docket_sla_state::Warning,
        SlaState::Breached => docket_sla_state::Breached,
        SlaState::Paused => docket_sla_state::Paused,
        SlaState::Met => docket_sla_state::Met,
        SlaState::Missed => docket_sla_state::Missed,
    }
}

/// Writes `v()` at `i` when the output is wanted (the value is computed only then).
#[inline(always)]
fn put<T>(a: &mut Option<&mut [T]>, i: usize, v: impl FnOnce() -> T) {
    if let Some(x) = a.as_mut().and_then(|a| a.get_mut(i)) {
        *x = v();
    }
}

impl OutputArrays<'_> {
    fn wants_metrics(&self) -> bool {
        self.sla_state.is_some()
            || self.sla_due.is_some()
            || self.sla_elapsed.is_some()
            || self.sla_target.is_some()
            || self.escalation_level.is_some()
            || self.escalation_next_at.is_some()
            || self.sla_cause.is_some()
    }

    #[inline]
    fn write(&mut self, i: usize, metrics: usize, per_metric: bool, o: &Outcome) {
        put(&mut self.queue, i, || index(o.queue_index()));
        put(&mut self.priority, i, || index(o.priority_index()));
        put(&mut self.band, i, || index(o.band_index()));
        put(&mut self.status, i, || {
            let s = if o.error().is_some() {
                docket_case_status::Error
            } else if o.not_yet_open() {
                docket_case_status::NotYetOpen
            } else if o.invalid() {
                docket_case_status::Invalid
            } else {
                docket_case_status::Ok
            };
            s as u8
        });
        put(&mut self.error, i, || case_error(o.error()) as u8);
        put(&mut self.issues, i, || o.issues().len() as u32);
        put(&mut self.approvals_required, i, || o.steps().len() as u32);
        put(&mut self.approvals_remaining, i, || o.steps().iter().filter(|s| o.done_by(s).is_none()).count() as u32);
        put(&mut self.next_change_at, i, || o.next_change_at().unwrap_or(DOCKET_NO_TIME));
        if per_metric {
            self.write_metrics(i, metrics, o);
        }
        if self.sla_waiting.is_some() {
            self.write_waiting(i, metrics, o);
        }
    }

    /// Case `i`'s business seconds waiting, per metric and declared dependency.
    fn write_waiting(&mut self, i: usize, metrics: usize, o: &Outcome) {
        let deps = self.dependencies;
        let Some(slots) =
            self.sla_waiting.as_mut().and_then(|a| a.get_mut(i * metrics * deps..(i + 1) * metrics * deps))
        else {
            return;
        };
        slots.fill(0);
        for k in 0..metrics {
            for (d, secs) in o.waiting_s(k) {
                if let Some(x) = slots.get_mut(k * deps + d as usize).filter(|_| (d as usize) < deps) {
                    *x = secs;
                }
            }
        }
    }

    /// The per-metric outputs of case `i`. For the usual two to four metrics the count
    /// is a constant of the code (each wanted output is one fixed-size write, unrolled);
    /// any other count is written metric by metric.
    fn write_metrics(&mut self, i: usize, metrics: usize, o: &Outcome) {
        let (sla, base) = (o.sla(), i * metrics);
        match metrics {
            2 => self.metric_slots::<2>(base, sla, o, 0),
            3 => self.metric_slots::<3>(base, sla, o, 0),
            4 => self.metric_slots::<4>(base, sla, o, 0),
            _ => (0..metrics).for_each(|k| self.metric_slots::<1>(base + k, sla.get(k..).unwrap_or_default(), o, k)),
        }
    }

    /// `N` metrics' outputs at `base..base + N`, from `sla` (a metric past its end: none):
    /// output by output (each wanted one checked once), metric by metric inside.
    #[inline(always)]
    /// `first` is the index of `sla[0]` among the case's metrics.
    fn metric_slots<const N: usize>(&mut self, base: usize, sla: &[Option<MetricOutcome>], o: &Outcome, first: usize) {
        let m = |k: usize| sla.get(k).and_then(Option::as_ref);
        fn each<T, const N: usize>(out: &mut Option<&mut [T]>, base: usize, v: impl Fn(usize) -> T) {
            if let Some(slots) = out.as_mut().and_then(|a| a.get_mut(base..)).and_then(|a| a.first_chunk_mut::<N>()) {
                for (k, x) in slots.iter_mut().enumerate() {
                    *x = v(k);
                }
            }
        }
        each::<_, N>(&mut self.sla_state, base, |k| m(k).map_or(docket_sla_state::None, |m| sla_state(m.state)) as u8);
        each::<_, N>(&mut self.sla_due, base, |k| m(k).and_then(|m| m.due).unwrap_or(DOCKET_NO_TIME));
        each::<_, N>(&mut self.sla_elapsed, base, |k| m(k).map_or(0, |m| m.elapsed_s));
        each::<_, N>(&mut self.sla_target, base, |k| m(k).map_or(0, |m| m.target_s));
        each::<_, N>(&mut self.escalation_level, base, |k| m(k).and_then(|m| m.escalation).map_or(0, |e| e.level));
        each::<_, N>(&mut self.escalation_next_at, base, |k| {
            m(k).and_then(|m| m.escalation).and_then(|e| e.next_at).unwrap_or(DOCKET_NO_TIME)
        });
        let deps = self.dependencies;
        each::<_, N>(&mut self.sla_cause, base, |k| match o.cause(first + k) {
            None => DOCKET_NO_INDEX,
            Some(Cause::Own) => DOCKET_CAUSE_OWN,
            Some(Cause::Dependency(d)) if (d as usize) < deps => d as i32,
            Some(Cause::Dependency(_)) => DOCKET_CAUSE_UNDECLARED,
        });
    }
}

// ---------------------------------------------------------------------------------------
// Functions

/// Creates a workspace: the reusable scratch space of `docket_evaluate_columns`. Use one
/// per thread and keep it across calls.
///
/// # Safety
/// `out` and `err` are writable or NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn docket_workspace_new(
    out: *mut *mut docket_workspace,
    err: *mut *mut docket_error,
) -> docket_result {
    ffi::boundary!(err; out: Out => {
        out.required()?.set_box(docket_workspace { columns: ColumnWorkspace::new(), texts: Vec::new() });
        Ok(())
    })
}

/// Frees a workspace; NULL is a no-op.
///
/// # Safety
/// `ws` is NULL or a workspace from this library, not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn docket_workspace_free(ws: *mut docket_workspace) {
    ffi::boundary!(or (); ws: Owned => ws.free())
}

/// Creates an empty backlog report for `engine` at `now_unix_s`; pass it in
/// `docket_outputs.report` to accumulate batches, merge per-thread reports with
/// `docket_report_merge`, render with `docket_report_to_json`.
///
/// # Safety
/// `engine` is a live engine or NULL; `out` and `err` are writable or NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn docket_report_new(
    engine: *const docket_engine,
    now_unix_s: i64,
    out: *mut *mut docket_report,
    err: *mut *mut docket_error,
) -> docket_result {
    ffi::boundary!(err; engine: Ref, out: Out => {
        let e = engine.get()?;
        let out = out.required()?;
        out.set_box(docket_report { engine: e.id, now: now_unix_s, report: Report::new(&e.core, now_unix_s) });
        Ok(())
    })
}

/// Creates an empty backlog report for `engine` at `now_unix_s` whose queues are also
/// split by the values of the fields named in `by` (UTF-8, `len` bytes, comma-separated
/// enum or bool field names, e.g. `kind,channel`), as `docket report --by`. Add cases with
/// `docket_report_add_json`; `docket_evaluate_columns` refuses such a report
/// (`DOCKET_RESULT_INVALID_ARGUMENT`). A field that cannot split a report fails with
/// `DOCKET_RESULT_INVALID_ARGUMENT`, path `by`.
///
/// # Safety
/// `engine` is a live engine or NULL; `by` is readable for `len` bytes; `out` and `err`
/// are writable or NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn docket_report_new_by(
    engine: *const docket_engine,
    now_unix_s: i64,
    by: *const c_char,
    len: usize,
    out: *mut *mut docket_report,
    err: *mut *mut docket_error,
) -> docket_result {
    ffi::boundary!(err; engine: Ref, by: Bytes(len), out: Out => {
        let e = engine.get()?;
        let text = ffi::utf8(by.get()?, "by")?;
        let out = out.required()?;
        let fields: Vec<&str> = if text.is_empty() { Vec::new() } else { text.split(',').collect() };
        let dims = docket_core::Dimensions::new(&e.core, &fields).map_err(|m| Error::arg("by", m))?;
        let report = Report::with_dimensions(&e.core, now_unix_s, dims);
        out.set_box(docket_report { engine: e.id, now: now_unix_s, report });
        Ok(())
    })
}

/// The length of a report's flow buckets (`docket_report_set_flow`): one of the
/// `DOCKET_BUCKET_*` values. A `uint32_t`, not a C enum, so that any value a caller passes
/// can be received and judged: one out of range is `DOCKET_RESULT_INVALID_ARGUMENT`.
#[repr(transparent)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(non_camel_case_types)]
pub struct docket_bucket(u32);

/// A day, from midnight in the policy's `report.timezone` (default UTC).
pub const DOCKET_BUCKET_DAY: docket_bucket = docket_bucket(0);
/// A week, from Monday 00:00 in the policy's `report.timezone` (default UTC).
pub const DOCKET_BUCKET_WEEK: docket_bucket = docket_bucket(1);

/// Gives an empty report flow over a period, as `docket report --since --bucket`: per
/// queue and bucket the cases received, closed and carried over, and the cycle times of
/// the metrics completed in each bucket, in its JSON's `flow`. The first bucket holds
/// `since_unix_s`, the last the report's `now`. Call it before adding cases (else
/// `DOCKET_RESULT_INVALID_ARGUMENT`, path `report`); reports merge only with reports of
/// the same period. `since_unix_s` after `now` fails with `DOCKET_RESULT_INVALID_ARGUMENT`,
/// more than 400 buckets with `DOCKET_RESULT_LIMIT_EXCEEDED`, both with path `since`; a
/// bucket out of range with `DOCKET_RESULT_INVALID_ARGUMENT`, path `bucket`. On failure
/// the report is unchanged.
///
/// # Safety
/// `engine` is a live engine or NULL; `report` is a live report of this engine (used by
/// this thread only) or NULL; `err` is writable or NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn docket_report_set_flow(
    engine: *const docket_engine,
    report: *mut docket_report,
    since_unix_s: i64,
    bucket: docket_bucket,
    err: *mut *mut docket_error,
) -> docket_result {
    ffi::boundary!(err; engine: Ref, report: Mut => {
        let e = engine.get()?;
        let r = report.get()?;
        if r.engine != e.id {
            return Err(Error::arg("report", "the report was created for another engine"));
        }
        if r.report.cases > 0 {
            return Err(Error::arg("report", "the report already has cases: give it its flow first"));
        }
        let bucket = match bucket {
            DOCKET_BUCKET_DAY => docket_core::Bucket::Day,
            DOCKET_BUCKET_WEEK => docket_core::Bucket::Week,
            docket_bucket(b) => return Err(Error::arg("bucket", format!("bucket {b} is not DOCKET_BUCKET_DAY or DOCKET_BUCKET_WEEK"))),
        };
        let flow = docket_core::Flow::new(&e.core, r.now, since_unix_s, bucket)
            .map_err(|f| Error::new(f.code(), f.to_string(), "since"))?;
        r.report.flow = Some(flow);
        Ok(())
    })
}

/// Frees a report; NULL is a no-op.
///
/// # Safety
/// `report` is NULL or a report from this library, not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn docket_report_free(report: *mut docket_report) {
    ffi::boundary!(or (); report: Owned => report.free())
}

/// Adds the counts of `from` into `into` (same engine, same `now`). Merged reports equal
/// the report of the whole batch.
///
/// # Safety
/// `into` and `from` are live reports (distinct) or NULL; `err` is writable or NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn docket_report_merge(
    into: *mut docket_report,
    from: *const docket_report,
    err: *mut *mut docket_error,
) -> docket_result {
    ffi::boundary!(err; into: Mut, from: Ref => {
        // Checked before either is read: one object cannot be both. Two NULLs are the
        // same pointer but no report: `into` is the first argument missing.
        if into.is(&from) {
            if into.is_null() {
                return Err(Error::null("into"));
            }
            return Err(Error::arg("from", "a report cannot be merged into itself"));
        }
        let from = from.get()?;
        let into = into.get()?;
        if into.engine != from.engine || into.now != from.now {
            return Err(Error::arg("from", "reports of different engines or `now` cannot be merged"));
        }
        let same_flow = match (&into.report.flow, &from.report.flow) {
            (Some(a), Some(b)) => a.same_period(b),
            (a, b) => a.is_none() && b.is_none(),
        };
        if !same_flow {
            return Err(Error::arg("from", "reports of different flow periods cannot be merged"));
        }
        into.report.merge(&from.report);
        Ok(())
    })
}

/// Renders a report as JSON (the batch report format of the spec, with the backlog
/// controls that fire).
///
/// # Safety
/// `engine` and `report` are live or NULL; `out` and `err` are writable or NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn docket_report_to_json(
    engine: *const docket_engine,
    report: *const docket_report,
    out: *mut *mut crate::docket_buffer,
    err: *mut *mut docket_error,
) -> docket_result {
    ffi::boundary!(err; engine: Ref, report: Ref, out: Out => {
        let e = engine.get()?;
        let r = report.get()?;
        let out = out.required()?;
        if r.engine != e.id {
            return Err(Error::arg("report", "the report was created for another engine"));
        }
        out.set_box(crate::docket_buffer::new(r.report.to_json(&e.core).into_bytes()));
        Ok(())
    })
}

/// Evaluates `n_cases` cases given as columns, at `now_unix_s`, into the caller's output
/// arrays. Every column is checked before anything is evaluated: on failure nothing is
/// written. Design for loops of ~10,000 cases per call with one workspace per thread;
/// the engine may be shared by all threads.
///
/// Values are judged case by case, as the same case in JSON: an enum or role index past
/// the column's values is an unknown value (`unknown_enum_value`, or a role the policy
/// does not declare), an evidence index past the policy's items is ignored, a timestamp
/// outside the range a case may carry (1970 through 2099) is malformed (`bad_opened_at`,
/// or a `bad_type` issue); such a row never fails the call.
///
/// Column rules: each column at most once; `kind` must fit the column's type (string
/// and enum columns take `DOCKET_VALUE_STRING`, enums also `DOCKET_VALUE_ENUM_INDEX`, as
/// does `evidence` (items by `docket_engine_enum_find` on it);
/// integer `I64`; number `F64` or `I64`; money `STRING` (decimal), `SCALED` or `I64`
/// (whole units); bool `BOOL`; timestamps `I64` seconds). List columns need `offsets`;
/// `paused_to` needs `paused_from`, `approval_at`/`approval_role` need `approval_by`,
/// with the same item counts per case; `paused_reason` needs `paused_from`; `waiting_from`
/// needs `waiting_on`, and `waiting_to`/`waiting_on` need `waiting_from`, with the same
/// item counts. `waiting_on` and `paused_reason` take dependency names
/// (`DOCKET_VALUE_STRING`) or indexes (`DOCKET_VALUE_ENUM_INDEX`, `DOCKET_LIST_DEPENDENCY`;
/// an index past the declared ones is a dependency the policy does not declare, as an
/// unknown name is: `unknown_dependency`).
///
/// # Safety
/// `engine` is a live engine or NULL; `columns` is NULL or readable for `n_columns`
/// entries and each column's arrays for their documented lengths (an array not aligned
/// for its type is refused, never read); `workspace` is a live workspace not used by
/// another thread, or NULL; `outputs` is NULL or readable, each non-NULL array writable
/// for its documented length and overlapping no other, its `report` NULL or a report not
/// used by another thread; `err` is writable or NULL.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn docket_evaluate_columns(
    engine: *const docket_engine,
    columns: *const docket_column,
    n_columns: usize,
    n_cases: usize,
    now_unix_s: i64,
    workspace: *mut docket_workspace,
    outputs: *const docket_outputs,
    err: *mut *mut docket_error,
) -> docket_result {
    ffi::boundary!(err;
        engine: Ref, columns: ColumnsArg(n_columns, n_cases), workspace: Mut, outputs: OutputsArg(n_cases) => {
        let e = engine.get()?;
        let ws = workspace.get()?;
        let max = e.core.limits().max_cases_per_call;
        if n_cases > max {
            return Err(Error::limit("n_cases", format!("{n_cases} cases in one call; the limit is {max}")));
        }
        // Opened once the case count is within the limit: their lengths follow from it.
        let (mut out, mut report) = outputs.open(e)?;
        if let Some(r) = &report
            && (r.engine != e.id || r.now != now_unix_s)
        {
            return Err(Error::arg("outputs.report", "the report belongs to another engine or `now`"));
        }
        if report.as_ref().is_some_and(|r| !r.report.dimensions.is_empty()) {
            return Err(Error::arg("outputs.report", "a report split by fields takes cases as JSON (docket_report_add_json)"));
        }
        let mut pool: Vec<Vec<&str>> = std::mem::take(&mut ws.texts);
        let cols = validate(e, columns.get()?, &mut pool)?;
        let core_cols = core_columns(&cols);
        let batch = e.core.columns(n_cases, &core_cols).map_err(Error::columns)?;
        let per_metric = out.wants_metrics();
        let m = e.metric_count();
        e.core.evaluate_columns(&batch, now_unix_s, &mut ws.columns, |i, outcome| {
            out.write(i, m, per_metric, outcome);
            if let Some(r) = report.as_mut() {
                r.report.add(outcome);
            }
        });
        drop((batch, core_cols));
        // Keep the string buffers' allocations for the next call.
        for c in cols {
            if let Data::Str(v) = c.data {
                ws.texts.push(recycle(v));
            }
        }
        Ok(())
    })
}

/// The checked C columns as the core's columns (strings already checked; enum and role
/// indexes and timestamps are judged case by case by the core).
fn core_columns<'c>(cols: &'c [Col<'c>]) -> Vec<Column<'c>> {
    cols.iter()
        .map(|c| {
            let values = match &c.data {
                Data::I64(v) => ColumnValues::I64(v),
                Data::F64(v) => ColumnValues::F64(v),
                Data::Bool(v) => ColumnValues::Bool(v),
                Data::Enum(v) => ColumnValues::Index(v),
                Data::Str(v) => ColumnValues::Text(v),
                Data::Scaled(v, scale) => ColumnValues::Scaled(v, *scale),
            };
            Column { target: c.def.target, values, present: c.present, offsets: c.offsets }
        })
        .collect()
}

/// Batch totals of a report (`docket_report_counts`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
#[allow(non_camel_case_types)]
pub struct docket_report_totals {
    /// Cases added.
    pub cases: u64,
    /// Unusable cases.
    pub errors: u64,
    /// Cases routed to the invalid queue by intake validation.
    pub invalid: u64,
    /// Cases no queue owns.
    pub unrouted: u64,
    /// Cases opened after the report's `now` (counted nowhere else).
    pub not_yet_open: u64,
}

/// Backlog figures of one queue (`docket_report_queue`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
#[allow(non_camel_case_types)]
pub struct docket_queue_summary {
    /// Cases routed to the queue.
    pub cases: u64,
    /// Open cases (some metric still running).
    pub open: u64,
    /// Open cases whose worst running clock is warning.
    pub warning: u64,
    /// Open cases whose worst running clock is breached.
    pub breached: u64,
    /// Open cases whose worst running clock is paused.
    pub paused: u64,
    /// Completed metrics met.
    pub met: u64,
    /// Completed metrics missed.
    pub missed: u64,
    /// `opened_at` of the oldest open case, or `DOCKET_NO_TIME`.
    pub oldest_open_at: i64,
    /// Open cases not breached with some running metric at risk (within the policy's
    /// `sla.at_risk` of business time of its target).
    pub at_risk: u64,
}

/// Evaluates cases given as NDJSON or a JSON array (as `docket_evaluate_json`) at the
/// report's `now` and adds their outcomes to `report`. On failure the report is unchanged.
///
/// # Safety
/// `engine` is a live engine or NULL; `cases` is readable for `len` bytes; `report` is a
/// live report of this engine (used by this thread only) or NULL; `err` is writable or NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn docket_report_add_json(
    engine: *const docket_engine,
    cases: *const c_char,
    len: usize,
    report: *mut docket_report,
    err: *mut *mut docket_error,
) -> docket_result {
    ffi::boundary!(err; engine: Ref, cases: Bytes(len), report: Mut => {
        let e = engine.get()?;
        let bytes = cases.get()?;
        let r = report.get()?;
        if r.engine != e.id {
            return Err(Error::arg("report", "the report was created for another engine"));
        }
        let mut part = r.report.like(&e.core);
        let mut case = Case::new();
        let mut outcome = Outcome::new();
        crate::for_each_record(e, bytes, |_, record| {
            crate::decode_record(&e.core, record, &mut case);
            e.core.evaluate(&case, r.now, &mut outcome);
            part.add_case(&e.core, &case, &outcome);
        })?;
        r.report.merge(&part);
        Ok(())
    })
}

/// The batch totals of a report.
///
/// # Safety
/// `report` is a live report or NULL; `out` and `err` are writable or NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn docket_report_counts(
    report: *const docket_report,
    out: *mut docket_report_totals,
    err: *mut *mut docket_error,
) -> docket_result {
    ffi::boundary!(err; report: Ref, out: Out => {
        let r = report.get()?;
        let out = out.required()?;
        let t = &r.report;
        out.set(docket_report_totals {
            cases: t.cases,
            errors: t.errors,
            invalid: t.invalid,
            unrouted: t.unrouted,
            not_yet_open: t.not_yet_open,
        });
        Ok(())
    })
}

/// The backlog figures of queue `queue` (`DOCKET_LIST_QUEUE` index) in a report.
///
/// # Safety
/// `report` is a live report or NULL; `out` and `err` are writable or NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn docket_report_queue(
    report: *const docket_report,
    queue: u32,
    out: *mut docket_queue_summary,
    err: *mut *mut docket_error,
) -> docket_result {
    ffi::boundary!(err; report: Ref, out: Out => {
        let r = report.get()?;
        let out = out.required()?;
        let q = r.report.queues.get(queue as usize).ok_or_else(|| {
            Error::arg("queue", format!("queue {queue} is out of range (0..{})", r.report.queues.len()))
        })?;
        let s = docket_queue_summary {
            cases: q.cases,
            open: q.open,
            warning: q.warning,
            breached: q.breached,
            paused: q.paused,
            met: q.met,
            missed: q.missed,
            oldest_open_at: q.oldest_open.as_ref().map_or(DOCKET_NO_TIME, |(t, _)| *t),
            at_risk: q.at_risk,
        };
        out.set(s);
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::recycle;

    #[test]
    fn recycled_string_buffers_keep_their_allocation() {
        let text = String::from("a b c");
        let mut v: Vec<&str> = Vec::with_capacity(1000);
        v.extend(text.split(' '));
        let (ptr, cap) = (v.as_ptr() as usize, v.capacity());
        let back = recycle(v);
        assert!(back.is_empty());
        assert_eq!((back.as_ptr() as usize, back.capacity()), (ptr, cap));
    }
}
