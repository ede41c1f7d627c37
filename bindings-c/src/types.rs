//! The C data types of the columnar API (column descriptions in, caller-owned output
//! arrays out, per-case status and error codes, the report being accumulated) and the
//! engine's limits.

use docket_core::{Limits, Report};
use std::ffi::c_void;

/// `int64_t` outputs with no value (no due time, no next escalation).
pub const DOCKET_NO_TIME: i64 = i64::MIN;
/// `int32_t` index outputs with no value (no queue, priority or band; no cause).
pub const DOCKET_NO_INDEX: i32 = -1;
/// `docket_outputs.sla_cause`: the metric's overrun is the queue's own (`"own"`).
pub const DOCKET_CAUSE_OWN: i32 = -2;
/// `docket_outputs.sla_cause`: a dependency the case named but the policy does not
/// declare (its name is in the case's JSON outcome).
pub const DOCKET_CAUSE_UNDECLARED: i32 = -3;
/// `docket_outputs.qa_closed_without`: the case was closed while approval steps its
/// `close` action requires were open (or could not be determined).
pub const DOCKET_QA_WITHOUT_APPROVALS: u8 = 1;
/// `docket_outputs.qa_closed_without`: the case was closed without evidence its `close`
/// action requires.
pub const DOCKET_QA_WITHOUT_EVIDENCE: u8 = 2;

/// How a column's `values` are laid out.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(non_camel_case_types)]
pub enum docket_value_kind {
    /// `const int64_t *`: integers, and timestamps in seconds since the Unix epoch.
    I64 = 1,
    /// `const double *`: numbers.
    F64 = 2,
    /// `const uint8_t *`: booleans (0 = false).
    Bool = 3,
    /// `const uint32_t *`: index into the column's enum values (`docket_engine_enum_find`).
    EnumIndex = 4,
    /// `const char *const *` with `lens`: UTF-8 strings; money as decimal strings (`"1250.00"`).
    String = 5,
    /// `const int64_t *` with `scale`: money as scaled integers (`125000` with scale 2 = 1250.00).
    Scaled = 6,
}

/// One input column: `n_cases` values (or, for the list columns `paused_from`,
/// `paused_to`, `paused_reason`, `waiting_from`, `waiting_to`, `waiting_on`,
/// `approval_role`, `approval_by`, `approval_at`, `evidence`, `closed_by_roles`,
/// `escalation_level`, `escalation_at`, the items of
/// every case, case `i` owning items `offsets[i]` to `offsets[i+1]`). Every array must be
/// aligned for its element type (`values` for the type its `kind` names, `lens` and
/// `offsets` for `size_t`); a misaligned one fails the call with
/// `DOCKET_RESULT_INVALID_ARGUMENT` and the path `columns[j].values` (or `.lens`,
/// `.offsets`), and is never read.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
#[allow(non_camel_case_types)]
pub struct docket_column {
    /// Column index (`docket_engine_list_find(engine, DOCKET_LIST_COLUMN, name, ...)`).
    pub column: u32,
    /// A `docket_value_kind`.
    pub kind: u32,
    /// The values, laid out as `kind` says.
    pub values: *const c_void,
    /// `DOCKET_VALUE_STRING`: the byte length of every string; otherwise NULL.
    pub lens: *const usize,
    /// NULL: every value present; otherwise one byte per value, 0 = absent (JSON null).
    pub present: *const u8,
    /// List columns: `n_cases + 1` non-decreasing offsets; NULL for scalar columns.
    pub offsets: *const usize,
    /// `DOCKET_VALUE_SCALED`: number of decimals (0..=18).
    pub scale: u32,
}

/// Per-case status (`docket_outputs.status`).
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(non_camel_case_types)]
pub enum docket_case_status {
    /// Evaluated.
    Ok = 0,
    /// Evaluated; intake validation routed it to the policy's invalid queue.
    Invalid = 1,
    /// Unusable (see `docket_outputs.error`); nothing else decided.
    Error = 2,
    /// Opened after `now`: nothing decided yet.
    NotYetOpen = 3,
}

/// Why a case is unusable (`docket_outputs.error`).
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(non_camel_case_types)]
pub enum docket_case_error {
    /// Usable.
    None = 0,
    /// Not an object.
    NotAnObject = 1,
    /// `id` missing.
    MissingId = 2,
    /// `id` not a non-empty string.
    BadId = 3,
    /// `kind` missing.
    MissingKind = 4,
    /// `kind` not a string.
    BadKind = 5,
    /// `opened_at` missing.
    MissingOpenedAt = 6,
    /// `opened_at` unreadable.
    BadOpenedAt = 7,
    /// Not valid JSON.
    BadJson = 8,
    /// Over a limit.
    TooLarge = 9,
    /// `id` longer than the string limit (`max_string_len`).
    IdTooLong = 10,
    /// A reason newer than this header.
    Other = 255,
}

/// State of one SLA clock (`docket_outputs.sla_state`).
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(non_camel_case_types)]
pub enum docket_sla_state {
    /// No target for this metric (or the case is unusable).
    None = 0,
    /// Running, below the warning share.
    Ok = 1,
    /// Running, at or above the warning share.
    Warning = 2,
    /// Running, past target.
    Breached = 3,
    /// Running, paused now.
    Paused = 4,
    /// Completed within target.
    Met = 5,
    /// Completed after target.
    Missed = 6,
}

/// Caller-owned output arrays. Any pointer may be NULL (not wanted). Per-case arrays
/// hold `n_cases` elements; per-metric arrays `n_cases * metric count` elements, case
/// `i` metric `k` at `[i * metrics + k]` (metric order: `DOCKET_LIST_METRIC`);
/// `sla_waiting` `n_cases * metric count * dependency count` elements, dependency `d` of
/// case `i` metric `k` at `[(i * metrics + k) * dependencies + d]` (dependency order:
/// `DOCKET_LIST_DEPENDENCY`). Initialize with `{0}` and set what you want: fields are only
/// ever added at the end.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
#[allow(non_camel_case_types)]
pub struct docket_outputs {
    /// Queue index (`DOCKET_LIST_QUEUE`), or `DOCKET_NO_INDEX`.
    pub queue: *mut i32,
    /// Priority index (`DOCKET_LIST_PRIORITY`), or `DOCKET_NO_INDEX`.
    pub priority: *mut i32,
    /// Ageing band index (`DOCKET_LIST_BAND`), or `DOCKET_NO_INDEX` (closed cases).
    pub band: *mut i32,
    /// A `docket_case_status`.
    pub status: *mut u8,
    /// A `docket_case_error`.
    pub error: *mut u8,
    /// Number of issues on the case.
    pub issues: *mut u32,
    /// Approval steps required.
    pub approvals_required: *mut u32,
    /// Approval steps not yet filled.
    pub approvals_remaining: *mut u32,
    /// Per metric: a `docket_sla_state`.
    pub sla_state: *mut u8,
    /// Per metric: due instant (Unix seconds) or `DOCKET_NO_TIME`.
    pub sla_due: *mut i64,
    /// Per metric: business seconds elapsed, less pauses (0 without a target).
    pub sla_elapsed: *mut i64,
    /// Per metric: target in business seconds (0 without a target).
    pub sla_target: *mut i64,
    /// Per metric: escalation steps passed.
    pub escalation_level: *mut u32,
    /// Per metric: when the next escalation step fires, or `DOCKET_NO_TIME`.
    pub escalation_next_at: *mut i64,
    /// Optional report (same engine, same `now`) to which every outcome is added.
    pub report: *mut docket_report,
    /// The earliest instant after `now` at which the case's evaluation would differ (Unix
    /// seconds), or `DOCKET_NO_TIME`: nothing scheduled, or the case is not open.
    pub next_change_at: *mut i64,
    /// Per metric: why it was missed or is breached: a dependency index
    /// (`DOCKET_LIST_DEPENDENCY`), `DOCKET_CAUSE_OWN`, `DOCKET_CAUSE_UNDECLARED`; else
    /// `DOCKET_NO_INDEX`.
    pub sla_cause: *mut i32,
    /// Per metric and declared dependency: business seconds the metric waited on it
    /// within its running span.
    pub sla_waiting: *mut i64,
    /// QA: 1 when the case was worked by another queue than the one routing chose
    /// (`qa.misrouted`), else 0.
    pub qa_misrouted: *mut u8,
    /// QA: escalation levels due by `now` that came late or not at all
    /// (`qa.late_escalations`).
    pub qa_late_escalations: *mut u32,
    /// QA: `DOCKET_QA_WITHOUT_APPROVALS` and/or `DOCKET_QA_WITHOUT_EVIDENCE` when the
    /// case was closed without what its `close` action requires (`qa.closed_without`), else 0.
    pub qa_closed_without: *mut u8,
    /// QA: 1 when the actor who closed the case may not close it (`qa.closed_by_barred`), else 0.
    pub qa_closed_by_barred: *mut u8,
    /// QA sample: the stratum (`DOCKET_LIST_STRATUM`) of a sampled case, else
    /// `DOCKET_NO_INDEX`.
    pub qa_stratum: *mut i32,
}

/// A backlog report being accumulated (`docket_outputs.report`), for one engine and one `now`.
#[allow(non_camel_case_types)]
pub struct docket_report {
    /// The id of its engine (`docket_engine::id`): never another engine's, even one
    /// allocated where a freed engine was.
    pub(crate) engine: u64,
    pub(crate) now: i64,
    pub(crate) report: Report,
}

/// The limits an engine enforces on hostile or accidental input
/// (`docket_engine_new_with_limits`). Start from `docket_limits_default()` and change the
/// fields you need: a limit hit is always a specific error or a case's issue, never
/// unbounded memory or time. Every field is a count of bytes or items; 0 is a valid
/// limit (nothing is allowed).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(non_camel_case_types)]
pub struct docket_limits {
    /// Largest policy document in bytes (default 4 MiB); over it, compiling fails with
    /// `DOCKET_RESULT_LIMIT_EXCEEDED`.
    pub max_policy_bytes: usize,
    /// Longest string kept from a case, in bytes (default 4096): a longer `id` is the
    /// case's error `id_too_long`; a longer `requested_by`, approver or string field value is a
    /// `bad_type` issue.
    pub max_string_len: usize,
    /// Most items of a case's `paused`, `waiting`, `approvals`, `evidence` or
    /// `escalations` list, or of `closed_by` roles (default 1000): a longer list is a
    /// `bad_type` issue and its extra items are not read.
    pub max_list_len: usize,
    /// Largest case record in bytes (default 1 MiB): a longer NDJSON line or array
    /// element, or list given as JSON text in a column, is not read and makes the case's
    /// error `too_large`.
    pub max_case_bytes: usize,
    /// Most cases in one call (default 1,000,000) of `docket_evaluate_json`,
    /// `docket_report_json`, `docket_report_add_json` and `docket_evaluate_columns`; more
    /// fail the call with `DOCKET_RESULT_LIMIT_EXCEEDED`.
    pub max_cases_per_call: usize,
    /// Most rules in one decision table of the policy (default 10,000); more are a
    /// diagnostic `limit_exceeded` at the table's `rules` (the call fails with
    /// `DOCKET_RESULT_LIMIT_EXCEEDED` when it is the first diagnostic, else
    /// `DOCKET_RESULT_INVALID_POLICY`).
    pub max_rules_per_table: usize,
    /// Most windows in one weekday's or one override's list of a calendar (default 48);
    /// more are a diagnostic `limit_exceeded`, as for `max_rules_per_table`.
    pub max_windows_per_day: usize,
    /// Most holidays, and most overrides, in one calendar (default 20,000); more are a
    /// diagnostic `limit_exceeded`, as for `max_rules_per_table`.
    pub max_dates_per_calendar: usize,
    /// Most calendars in a policy (default 1,000); more are a diagnostic `limit_exceeded`, as for
    /// `max_rules_per_table`.
    pub max_calendars: usize,
    /// Most SLA metrics (default 64); more are a diagnostic `limit_exceeded`, as for
    /// `max_rules_per_table`.
    pub max_metrics: usize,
    /// Most SLA escalation steps (default 64); more are a diagnostic `limit_exceeded`, as for
    /// `max_rules_per_table`.
    pub max_escalation_steps: usize,
    /// Most ageing bands (default 64); more are a diagnostic `limit_exceeded`, as for
    /// `max_rules_per_table`.
    pub max_bands: usize,
    /// Most values of one field: an enum's values or the strings the tables name (default 100,000); more are a diagnostic `limit_exceeded`, as for
    /// `max_rules_per_table`.
    pub max_values_per_field: usize,
    /// Estimated bytes the policy's calendars, SLA thresholds and table indexes may take (default 256 MiB); more are a diagnostic `limit_exceeded`, as for
    /// `max_rules_per_table`.
    pub max_memory_bytes: usize,
}

impl From<Limits> for docket_limits {
    fn from(l: Limits) -> docket_limits {
        docket_limits {
            max_policy_bytes: l.max_policy_bytes,
            max_string_len: l.max_string_len,
            max_list_len: l.max_list_len,
            max_case_bytes: l.max_case_bytes,
            max_cases_per_call: l.max_cases_per_call,
            max_rules_per_table: l.max_rules_per_table,
            max_windows_per_day: l.max_windows_per_day,
            max_dates_per_calendar: l.max_dates_per_calendar,
            max_calendars: l.max_calendars,
            max_metrics: l.max_metrics,
            max_escalation_steps: l.max_escalation_steps,
            max_bands: l.max_bands,
            max_values_per_field: l.max_values_per_field,
            max_memory_bytes: l.max_memory_bytes,
        }
    }
}

impl From<docket_limits> for Limits {
    /// The core's limits: the C fields, and the core's defaults for any limit the C
    /// struct does not carry.
    // The update fills fields the core adds later; today the C struct carries them all.
    #[allow(clippy::needless_update)]
    fn from(l: docket_limits) -> Limits {
        Limits {
            max_policy_bytes: l.max_policy_bytes,
            max_string_len: l.max_string_len,
            max_list_len: l.max_list_len,
            max_case_bytes: l.max_case_bytes,
            max_cases_per_call: l.max_cases_per_call,
            max_rules_per_table: l.max_rules_per_table,
            max_windows_per_day: l.max_windows_per_day,
            max_dates_per_calendar: l.max_dates_per_calendar,
            max_calendars: l.max_calendars,
            max_metrics: l.max_metrics,
            max_escalation_steps: l.max_escalation_steps,
            max_bands: l.max_bands,
            max_values_per_field: l.max_values_per_field,
            max_memory_bytes: l.max_memory_bytes,
            ..Limits::default()
        }
    }
}
