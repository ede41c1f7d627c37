//! The one error vocabulary of every binding: a failure that a call can report (as
//! opposed to a case's own error or issue, which is part of its outcome) has one
//! [`ErrorCode`], whose string form is the same in Rust, C (`docket_error_name`) and
//! JavaScript (`error.code`). The table of codes is `docs/errors.md`.

use core::fmt;

/// Why a call failed. The string form ([`ErrorCode::as_str`]) is part of the public
/// contract: a code never changes meaning, and a retired one is never reused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// A required pointer argument was NULL (C only).
    NullArgument,
    /// A text argument is not valid UTF-8 (C only).
    InvalidUtf8,
    /// A text argument holds a NUL byte before its stated length (C only).
    LengthMismatch,
    /// A JSON argument (a policy, a case list, an actor) is not valid JSON.
    InvalidJson,
    /// The policy does not compile; the diagnostics list every problem.
    InvalidPolicy,
    /// An input exceeds one of the engine's [`crate::Limits`].
    LimitExceeded,
    /// An argument has the wrong shape, is out of range or is inconsistent.
    InvalidArgument,
    /// A name looked up is not known to the policy.
    NotFound,
    /// The JavaScript runtime lacks what the package needs (JavaScript only).
    UnsupportedRuntime,
    /// Docket hit a bug (a panic caught at the boundary); please report it.
    Internal,
}

impl ErrorCode {
    /// Every code, in the order of the table in `docs/errors.md`.
    pub const ALL: [ErrorCode; 10] = [
        ErrorCode::NullArgument,
        ErrorCode::InvalidUtf8,
        ErrorCode::LengthMismatch,
        ErrorCode::InvalidJson,
        ErrorCode::InvalidPolicy,
        ErrorCode::LimitExceeded,
        ErrorCode::InvalidArgument,
        ErrorCode::NotFound,
        ErrorCode::UnsupportedRuntime,
        ErrorCode::Internal,
    ];

    /// The stable string form of the code.
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::NullArgument => "null_argument",
            ErrorCode::InvalidUtf8 => "invalid_utf8",
            ErrorCode::LengthMismatch => "length_mismatch",
            ErrorCode::InvalidJson => "invalid_json",
            ErrorCode::InvalidPolicy => "invalid_policy",
            ErrorCode::LimitExceeded => "limit_exceeded",
            ErrorCode::InvalidArgument => "invalid_argument",
            ErrorCode::NotFound => "not_found",
            ErrorCode::UnsupportedRuntime => "unsupported_runtime",
            ErrorCode::Internal => "internal",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_distinct_snake_case_names() {
        let names: alloc::vec::Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        for (i, n) in names.iter().enumerate() {
            assert!(n.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'), "{n}");
            assert!(!names.iter().skip(i + 1).any(|m| m == n), "{n} twice");
        }
    }
}
