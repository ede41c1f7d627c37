//! # Docket core
//!
//! An embedded rules and SLA engine for e-commerce order operations. Compile a policy
//! once into an [`Engine`], then evaluate cases: routing (queue, owner, priority),
//! decision rights (approval steps, segregation of duties) and
//! SLA clocks on business calendars, plus a backlog report per batch.
//!
//! Evaluation is a pure function of `(policy, case, now)`: no clock reads, no I/O.
//! The crate is `#![no_std]` with `alloc`; the `std` feature (default) only adds
//! `std::error::Error` impls.
//!
//! The modules follow the data: a policy document is compiled by `policy` (one file a
//! section, with the decision tables of `table`) into an [`Engine`]; a case is decoded
//! by `case` from JSON, cells, setters or columns; `eval` decides it into an
//! [`Outcome`]; `output` renders outcomes and reports. `DESIGN.md` at the repository's
//! root explains why it is built this way.
//!
//! ```
//! use docket_core::{Case, Engine, Outcome};
//! let engine = Engine::compile(include_str!("../../examples/order-ops.policy.json")).unwrap();
//! let mut case = Case::new();
//! engine.decode_json(r#"{"id":"C-1","kind":"refund","amount":"1250.00","order_id":"O-1","region":"eu","opened_at":"2026-11-23T08:00:00Z"}"#, &mut case);
//! let mut out = Outcome::new();
//! engine.evaluate(&case, docket_core::time::parse_rfc3339("2026-11-23T09:00:00Z").unwrap(), &mut out);
//! let queue = out.queue_index().and_then(|q| engine.queues().nth(q as usize));
//! assert_eq!(queue, Some("refund_validation"));
//! ```
#![no_std]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing))]
#![deny(missing_docs)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

mod case;
mod engine;
mod error;
mod eval;
pub mod issue;
mod output;
mod policy;
mod sort;
mod table;
pub mod time;
mod value;

/// Policy compile diagnostics: [`Diagnostic`], [`PolicyCode`] and the collector
/// [`diag::Diags`] that [`time::calendar::Calendar::compile`] reports into.
pub mod diag {
    pub use crate::policy::diagnostics::{Diagnostic, Diags, PolicyCode, child, diagnostics_json, index};
}
/// The JSON Schema of the policy format.
#[cfg(feature = "schema")]
pub use policy::schema;
/// Business calendars (also at [`time::calendar`]).
pub use time::calendar;

pub use case::builder::CaseBuilder;
pub use case::cells::{CaseKey, Cell, CellDecoder};
pub use case::columns::{Column, ColumnError, ColumnTarget, ColumnValues, Columns};
pub use case::{Case, CaseError};
pub use engine::Engine;
pub use error::ErrorCode;
pub use eval::authorize::{Actor, Decision, Fills, PolicyInfo, Reason, ReasonCode};
pub use eval::columns::ColumnWorkspace;
pub use issue::{Issue, IssueCode};
pub use output::diff::{ASPECTS, Aspect, CaseDiff, Changes};
pub use output::diff_report::{DiffReport, DiffRun};
pub use output::dims::{DimValue, Dimensions, MAX_COMBINATIONS};
pub use output::flow::{Bucket, CycleCell, Cycles, Flow, FlowError, MAX_FLOW_BUCKETS, QueueFlow};
pub use output::histogram::Histogram;
pub use output::outcome::{Cause, Escalation, MetricOutcome, Outcome, Route, SlaState, Step};
pub use output::render::{IssueField, OutcomeView};
pub use output::report::{FiredControl, MetricReport, QueueReport, Report, ReportView, UndeclaredDependency};
pub use output::trend::{Verdict, trend};
pub use policy::CompileError;
pub use policy::diagnostics::{Diagnostic, PolicyCode, diagnostics_json};
pub use policy::limits::{FORMAT_VERSION, Limits, MAX_DEPENDENCIES, MAX_FIELDS};
pub use value::FieldType;
