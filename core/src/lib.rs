//! # Docket core
//!
//! An embedded rules and SLA engine for e-commerce order operations. Compile a policy
//! once into an [`Engine`], then evaluate cases: routing (queue, owner, priority),
//! decision rights (approval steps, segregation of duties,) and
//! SLA clocks on business calendars, plus a backlog report per batch.
//!
//! Evaluation is a pure function of `(policy, case, now)`: no clock reads, no I/O.
//! The crate is `#![no_std]` with `alloc`; the `std` feature (default) only adds
//! `std::error::Error` impls.
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

mod authorize;
mod builder;
pub mod calendar;
mod case;
mod columns;
pub mod diag;
mod engine;
mod error;
mod eval;
pub mod issue;
pub mod json;
mod masks;
mod outcome;
mod render;
mod report;
#[cfg(feature = "schema")]
pub mod schema;
pub mod table;
pub mod time;
pub mod value;

pub use authorize::{Actor, Decision, Reason, ReasonCode};
pub use builder::CaseBuilder;
pub use case::{Case, CaseError, CaseKey, Cell, CellDecoder};
pub use columns::{Column, ColumnError, ColumnTarget, ColumnValues, ColumnWorkspace, Columns};
pub use diag::{Diagnostic, PolicyCode};
pub use error::{ErrorCode, diagnostics_json};
pub use engine::{CompileError, Engine, FORMAT_VERSION, Limits, MAX_FIELDS};
pub use issue::{Issue, IssueCode};
pub use outcome::{Escalation, MetricOutcome, Outcome, Route, SlaState, Step};
pub use render::{IssueField, OutcomeView};
pub use report::{FiredControl, QueueReport, Report, ReportView};
