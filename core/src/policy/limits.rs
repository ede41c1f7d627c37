//! The format version this build reads and the limits on hostile or accidental input.

/// The policy format version this build reads.
pub const FORMAT_VERSION: u64 = 1;

/// Most fields a policy may declare: slots are 16-bit, with room left for the derived
/// `queue` and `priority` and for a position no case has.
pub const MAX_FIELDS: usize = 65_000;

/// Limits on hostile or accidental input. Every limit hit is a specific error, never
/// unbounded memory or time. Hosts may lower or raise them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest policy document in bytes.
    pub max_policy_bytes: usize,
    /// Largest string value kept from a case (ids, actors, string fields).
    pub max_string_len: usize,
    /// Largest `paused`, `approvals` or `evidence` list in a case.
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
        }
    }
}
