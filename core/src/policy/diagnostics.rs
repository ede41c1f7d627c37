//! Compile diagnostics: every problem of a policy, each with a stable code and a JSON
//! pointer into the policy document.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

/// Stable codes of policy compile errors and warnings.
///
/// The string form (`as_str`) is part of the public contract: it never changes meaning.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PolicyCode {
    /// The policy is not valid JSON (or not a JSON object).
    InvalidJson,
    /// `docket` is missing or names a format version this build does not support.
    UnsupportedVersion,
    /// A key that the format does not define.
    UnknownKey,
    /// A required key is missing.
    MissingKey,
    /// A value has the wrong JSON type.
    WrongType,
    /// A value is outside the set the format allows (hit policy, field type, ...).
    BadValue,
    /// A test names a value outside the field's `enum` values.
    NotInEnum,
    /// A test that cannot be parsed for the field's type.
    BadTest,
    /// A range test whose lower bound is above its upper bound, or that holds for no value.
    EmptyRange,
    /// Two rules share an `id`.
    DuplicateRuleId,
    /// An object of the policy text has the same key twice.
    DuplicateKey,
    /// A list of names that must be unique (band names, enum values, metrics, ...) repeats one.
    DuplicateName,
    /// A `when` or `required` entry names a field the policy does not declare.
    UnknownField,
    /// An output names a queue not declared in `queues`.
    UnknownQueue,
    /// An output names a calendar not declared in `calendars`.
    UnknownCalendar,
    /// An output or action names a role not declared in `roles`.
    UnknownRole,
    /// An SLA output names a metric not declared in `sla.metrics`.
    UnknownMetric,
    /// A calendar names a time zone that is not an IANA zone known to this build.
    UnknownTimezone,
    /// A calendar window that is malformed or has zero length.
    BadWindow,
    /// A calendar date that is malformed or does not exist.
    BadDate,
    /// A duration that is malformed (`90m`, `4h`, `2h30m` are valid).
    BadDuration,
    /// A decimal number (money, fx rate, limit) that is malformed or out of range.
    BadDecimal,
    /// An output value that `priority`/`output_order` cannot rank, or an `outputs` list problem.
    BadOutputs,
    /// A policy limit (size, rules per table, windows, calendars, metrics, escalation steps,
    /// values per field, memory) was exceeded.
    LimitExceeded,
    /// A control's `missed_by_cause` or `breached_by_cause` names a cause that is neither
    /// `own` nor a declared dependency.
    UnknownDependency,
    /// Retired: a rule of a `first` table after one that always matches is now reported
    /// as [`PolicyCode::UnreachableRule`]. Never reported.
    MaskedRule,
    /// Reserved: never reported.
    Unused,
    /// Warning: a rule that can never decide, because the rules before it (in table or
    /// rank order) match every case it matches.
    UnreachableRule,
    /// Warning: an approval step that no role listed under `actions.approve` may fill.
    UnfillableStep,
    /// Warning: a queue that no routing output names and that is not `invalid_queue`.
    UnusedQueue,
    /// Warning: a `by_limit` or `within_limit` field that can be absent when an approval
    /// rule adds a step.
    LimitWithoutValue,
}

impl PolicyCode {
    /// The stable string form of the code.
    pub const fn as_str(self) -> &'static str {
        match self {
            PolicyCode::InvalidJson => "invalid_json",
            PolicyCode::UnsupportedVersion => "unsupported_version",
            PolicyCode::UnknownKey => "unknown_key",
            PolicyCode::MissingKey => "missing_key",
            PolicyCode::WrongType => "wrong_type",
            PolicyCode::BadValue => "bad_value",
            PolicyCode::NotInEnum => "not_in_enum",
            PolicyCode::BadTest => "bad_test",
            PolicyCode::EmptyRange => "empty_range",
            PolicyCode::DuplicateRuleId => "duplicate_rule_id",
            PolicyCode::DuplicateKey => "duplicate_key",
            PolicyCode::DuplicateName => "duplicate_name",
            PolicyCode::UnknownField => "unknown_field",
            PolicyCode::UnknownQueue => "unknown_queue",
            PolicyCode::UnknownCalendar => "unknown_calendar",
            PolicyCode::UnknownRole => "unknown_role",
            PolicyCode::UnknownMetric => "unknown_metric",
            PolicyCode::UnknownTimezone => "unknown_timezone",
            PolicyCode::BadWindow => "bad_window",
            PolicyCode::BadDate => "bad_date",
            PolicyCode::BadDuration => "bad_duration",
            PolicyCode::BadDecimal => "bad_decimal",
            PolicyCode::BadOutputs => "bad_outputs",
            PolicyCode::LimitExceeded => "limit_exceeded",
            PolicyCode::UnknownDependency => "unknown_dependency",
            PolicyCode::MaskedRule => "masked_rule",
            PolicyCode::Unused => "unused",
            PolicyCode::UnreachableRule => "unreachable_rule",
            PolicyCode::UnfillableStep => "unfillable_step",
            PolicyCode::UnusedQueue => "unused_queue",
            PolicyCode::LimitWithoutValue => "limit_without_value",
        }
    }
}

impl fmt::Display for PolicyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem found while compiling a policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Stable code.
    pub code: PolicyCode,
    /// JSON pointer (RFC 6901) into the policy document; `""` is the whole document.
    pub path: String,
    /// Human-readable explanation.
    pub message: String,
}

impl serde::Serialize for Diagnostic {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Diagnostic", 3)?;
        st.serialize_field("code", self.code.as_str())?;
        st.serialize_field("path", &self.path)?;
        st.serialize_field("message", &self.message)?;
        st.end()
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = if self.path.is_empty() { "/" } else { &self.path };
        write!(f, "{} at {}: {}", self.code, path, self.message)
    }
}

/// Policy diagnostics as the JSON array every binding reports:
/// `[{"code": "...", "path": "...", "message": "..."}, ...]`.
pub fn diagnostics_json(list: &[Diagnostic]) -> String {
    serde_json::to_string(list).unwrap_or_else(|_| String::from("[]"))
}

/// Collects errors and warnings during compilation.
#[derive(Clone, Debug, Default)]
pub struct Diags {
    /// Problems that prevent compilation.
    pub errors: Vec<Diagnostic>,
    /// Problems that do not prevent compilation.
    pub warnings: Vec<Diagnostic>,
}

impl Diags {
    /// Records an error.
    #[cold]
    pub fn error(&mut self, code: PolicyCode, path: &str, message: impl Into<String>) {
        self.errors.push(Diagnostic { code, path: path.into(), message: message.into() });
    }

    /// Records a warning.
    #[cold]
    pub fn warn(&mut self, code: PolicyCode, path: &str, message: impl Into<String>) {
        self.warnings.push(Diagnostic { code, path: path.into(), message: message.into() });
    }

    /// Number of errors so far.
    pub fn error_count(&self) -> usize {
        self.errors.len()
    }
}

/// Appends one reference token to a JSON pointer, escaping `~` and `/` (RFC 6901).
#[inline(never)]
pub fn child(path: &str, token: &str) -> String {
    let mut s = String::with_capacity(path.len() + token.len() + 1);
    s.push_str(path);
    s.push('/');
    for c in token.chars() {
        match c {
            '~' => s.push_str("~0"),
            '/' => s.push_str("~1"),
            c => s.push(c),
        }
    }
    s
}

/// Appends an array index to a JSON pointer.
#[inline(never)]
pub fn index(path: &str, i: usize) -> String {
    alloc::format!("{path}/{i}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;
    use alloc::vec;

    #[test]
    fn diagnostics_serialize_as_code_path_message() {
        let list = vec![Diagnostic {
            code: PolicyCode::UnknownQueue,
            path: "/routing/rules/0/then/queue".to_string(),
            message: "`x\"y` is not a declared queue".to_string(),
        }];
        assert_eq!(
            diagnostics_json(&list),
            r#"[{"code":"unknown_queue","path":"/routing/rules/0/then/queue","message":"`x\"y` is not a declared queue"}]"#
        );
        assert_eq!(diagnostics_json(&[]), "[]");
    }

    #[test]
    fn pointer_tokens_are_escaped() {
        // RFC 6901: "~" becomes "~0" and "/" becomes "~1".
        assert_eq!(child("/fields", "a/b~c"), "/fields/a~1b~0c");
        assert_eq!(index("/routing/rules", 3), "/routing/rules/3");
    }
}
