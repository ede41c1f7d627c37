//! The format version this build reads and the limits on hostile or accidental input.

use super::diagnostics::{Diags, PolicyCode};
use alloc::format;

/// The policy format version this build reads.
pub const FORMAT_VERSION: u64 = 1;

/// Most fields a policy may declare: slots are 16-bit, with room left for the derived
/// `queue` and `priority` and for a position no case has.
pub const MAX_FIELDS: usize = 65_000;

/// Most dependencies a policy may declare (`dependencies`): a case's waiting time is
/// kept per dependency in fixed-size storage.
pub const MAX_DEPENDENCIES: usize = 32;

/// Limits on hostile or accidental input. Every limit hit is a specific error, never
/// unbounded memory or time. Hosts may lower or raise them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest policy document in bytes.
    pub max_policy_bytes: usize,
    /// Largest string value kept from a case (ids, actors, string fields).
    pub max_string_len: usize,
    /// Largest `paused`, `waiting`, `approvals`, `evidence` or `escalations` list (or `closed_by` roles) in a case.
    pub max_list_len: usize,
    /// Largest single case record in bytes (JSON entry points).
    pub max_case_bytes: usize,
    /// Most cases accepted by one call of a JSON entry point.
    pub max_cases_per_call: usize,
    /// Most rules in one decision table.
    pub max_rules_per_table: usize,
    /// Most windows in one weekday's or one override's list of a calendar.
    pub max_windows_per_day: usize,
    /// Most holidays, and most overrides, in one calendar.
    pub max_dates_per_calendar: usize,
    /// Most calendars in a policy.
    pub max_calendars: usize,
    /// Most SLA metrics (`sla.metrics`); every case runs a clock per metric.
    pub max_metrics: usize,
    /// Most steps of the SLA escalation ladder (`sla.escalation`).
    pub max_escalation_steps: usize,
    /// Most ageing bands (`sla.bands.limits`).
    pub max_bands: usize,
    /// Most symbols of one field: the values of an enum, or the distinct constants the
    /// tests of a string field name.
    pub max_values_per_field: usize,
    /// Estimated bytes the compiled parts that grow faster than the policy text may take:
    /// the calendars' precomputed working intervals, the SLA thresholds (target rules ×
    /// metrics × escalation steps) and the `kind` index of large `first` tables. Each is
    /// estimated before it is allocated.
    pub max_memory_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_policy_bytes: 4 << 20,
            max_string_len: 4096,
            max_list_len: 1000,
            max_case_bytes: 1 << 20,
            max_cases_per_call: 1_000_000,
            max_rules_per_table: 10_000,
            max_windows_per_day: 48,
            max_dates_per_calendar: 20_000,
            max_calendars: 1_000,
            max_metrics: 64,
            max_escalation_steps: 64,
            max_bands: 64,
            max_values_per_field: 100_000,
            max_memory_bytes: 256 << 20,
        }
    }
}

/// What is left of [`Limits::max_memory_bytes`] while a policy compiles.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Budget {
    left: usize,
    limit: usize,
}

impl Budget {
    pub(crate) fn new(limits: &Limits) -> Budget {
        Budget { left: limits.max_memory_bytes, limit: limits.max_memory_bytes }
    }

    /// The bytes still free.
    pub(crate) fn left(&self) -> usize {
        self.left
    }

    /// Takes `bytes` (an estimate made before allocating) for `what` at `path`; when they
    /// do not fit, reports `limit_exceeded` at `path` and takes nothing.
    pub(crate) fn take(&mut self, bytes: usize, path: &str, what: &str, d: &mut Diags) -> bool {
        if bytes <= self.left {
            self.left -= bytes;
            return true;
        }
        d.error(
            PolicyCode::LimitExceeded,
            path,
            format!(
                "{what} would take about {} MiB, more than the {} MiB left of the memory limit of {} MiB (max_memory_bytes)",
                mib(bytes),
                mib(self.left),
                mib(self.limit)
            ),
        );
        false
    }

    /// Returns `bytes` taken earlier (scratch space freed again).
    pub(crate) fn give_back(&mut self, bytes: usize) {
        self.left = self.left.saturating_add(bytes).min(self.limit);
    }

    /// Takes `bytes` that are already known to fit (see [`Budget::left`]).
    pub(crate) fn spend(&mut self, bytes: usize) {
        self.left = self.left.saturating_sub(bytes);
    }
}

/// Bytes in MiB, rounded up, for messages.
fn mib(bytes: usize) -> usize {
    bytes.div_ceil(1 << 20)
}
