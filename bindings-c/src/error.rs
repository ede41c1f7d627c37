//! The result codes of the C API and the error object that carries the details. The
//! codes are the core's `ErrorCode` (docs/errors.md): `c_result` is the one mapping.

use docket_core::{ColumnError, CompileError, ErrorCode};
use std::fmt::Display;
use std::string::String;

/// The result of every fallible function. Values are stable: a code is never reused
/// for another meaning; retired codes stay reserved.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(non_camel_case_types)]
pub enum docket_result {
    /// Success.
    Ok = 0,
    /// A required pointer argument was NULL.
    NullArgument = 1,
    /// A text argument is not valid UTF-8.
    InvalidUtf8 = 2,
    /// A text argument holds a NUL byte before `len`: the length disagrees with the string.
    LengthMismatch = 3,
    /// A JSON argument is not valid JSON (e.g. truncated); the error's path says where.
    InvalidJson = 4,
    /// The policy does not compile; the error lists every diagnostic.
    InvalidPolicy = 5,
    /// An input exceeds one of the engine's limits (size, number of cases).
    LimitExceeded = 6,
    /// An argument has the wrong shape, is out of range or is inconsistent (unknown list,
    /// bad column, index, a column pointer not aligned for its type).
    InvalidArgument = 7,
    /// A name looked up is not known to the policy.
    NotFound = 8,
    /// A bug inside Docket, caught at the boundary (never unwinds into C); please report
    /// it. `DOCKET_RESULT_PANIC` is another name for it.
    Internal = 9,
}

/// The C result of a core error code: the one place the two vocabularies meet.
pub(crate) fn c_result(code: ErrorCode) -> docket_result {
    match code {
        ErrorCode::NullArgument => docket_result::NullArgument,
        ErrorCode::InvalidUtf8 => docket_result::InvalidUtf8,
        ErrorCode::LengthMismatch => docket_result::LengthMismatch,
        ErrorCode::InvalidJson => docket_result::InvalidJson,
        ErrorCode::InvalidPolicy => docket_result::InvalidPolicy,
        ErrorCode::LimitExceeded => docket_result::LimitExceeded,
        ErrorCode::InvalidArgument => docket_result::InvalidArgument,
        ErrorCode::NotFound => docket_result::NotFound,
        ErrorCode::Internal => docket_result::Internal,
        // `unsupported_runtime` is JavaScript's alone, and a code newer than this library
        // cannot come from the paths it calls: reaching either is a bug.
        _ => docket_result::Internal,
    }
}

/// Error details: a code, a stable string name, a message and a path into the input.
/// Created by a failing call when the caller passed a non-NULL `err`; free it with
/// `docket_error_free`.
#[allow(non_camel_case_types)]
pub struct docket_error {
    pub(crate) code: docket_result,
    /// `ErrorCode::as_str` of the code (`invalid_json`, `invalid_policy`, ...),
    /// NUL-terminated.
    pub(crate) name: String,
    /// Human-readable message, NUL-terminated.
    pub(crate) message: String,
    /// JSON pointer or argument path, NUL-terminated (`""` + NUL when not applicable).
    pub(crate) path: String,
    /// Every diagnostic as a JSON array (policy errors), NUL-terminated.
    pub(crate) diagnostics: String,
}

/// A NUL-terminated copy: interior NULs (from hostile input echoed in a message) become `\0`.
pub(crate) fn c_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 1);
    for ch in s.chars() {
        if ch == '\0' {
            out.push_str("\\0");
        } else {
            out.push(ch);
        }
    }
    out.push('\0');
    out
}

/// The text of a NUL-terminated string, without its terminator.
pub(crate) fn without_nul(s: &str) -> &str {
    s.strip_suffix('\0').unwrap_or(s)
}

/// The binding's error before it crosses the boundary. Its name is always
/// `code.as_str()`, so C sees the same name as every other binding.
#[derive(Debug)]
pub(crate) struct Error {
    pub code: ErrorCode,
    pub message: String,
    pub path: String,
    pub diagnostics: String,
}

impl Error {
    #[cold]
    pub fn new(code: ErrorCode, message: impl Into<String>, path: impl Into<String>) -> Error {
        Error { code, message: message.into(), path: path.into(), diagnostics: String::from("[]") }
    }
    #[cold]
    pub fn null(arg: impl Display) -> Error {
        Error::new(ErrorCode::NullArgument, format!("`{arg}` must not be NULL"), arg.to_string())
    }
    #[cold]
    pub fn arg(path: impl Into<String>, message: impl Into<String>) -> Error {
        Error::new(ErrorCode::InvalidArgument, message, path)
    }
    #[cold]
    pub fn misaligned(arg: impl Display, align: usize) -> Error {
        Error::arg(arg.to_string(), format!("`{arg}` is misaligned: its address must be a multiple of {align}"))
    }
    #[cold]
    pub fn limit(path: &str, message: impl Into<String>) -> Error {
        Error::new(ErrorCode::LimitExceeded, message, path)
    }
    #[cold]
    pub fn internal() -> Error {
        Error::new(ErrorCode::Internal, "Docket hit a bug (a panic, caught at the boundary); please report it", "")
    }
    #[cold]
    pub fn json(path: &str, e: &serde_json::Error) -> Error {
        Error::new(
            ErrorCode::InvalidJson,
            format!("`{path}` is not valid JSON: {e} (line {} column {})", e.line(), e.column()),
            path,
        )
    }
    #[cold]
    pub fn policy(e: &CompileError) -> Error {
        Error {
            code: e.code(),
            message: e.to_string(),
            path: e.path().to_string(),
            diagnostics: docket_core::diagnostics_json(&e.errors),
        }
    }
    #[cold]
    pub fn columns(e: ColumnError) -> Error {
        let path = e.path();
        Error::new(e.code, e.message, path)
    }

    pub fn into_c(self) -> docket_error {
        docket_error {
            code: c_result(self.code),
            name: c_text(self.code.as_str()),
            message: c_text(&self.message),
            path: c_text(&self.path),
            diagnostics: c_text(&self.diagnostics),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_of_the_c_table_maps_to_its_value_and_name() {
        // docs/errors.md: every code but the JavaScript-only one, values 1 to 9 in order.
        let c: Vec<ErrorCode> = ErrorCode::ALL.into_iter().filter(|&c| c != ErrorCode::UnsupportedRuntime).collect();
        assert_eq!(c.len(), 9);
        for (value, code) in (1..).zip(c) {
            assert_eq!(c_result(code) as i32, value, "{code}");
            let e = Error::new(code, "m", "p").into_c();
            assert_eq!(e.name, format!("{}\0", code.as_str()));
        }
        assert_eq!(c_result(ErrorCode::Internal), docket_result::Internal);
    }

    #[test]
    fn a_policy_error_is_named_invalid_policy_and_keeps_its_diagnostics() {
        let Err(e) = docket_core::Engine::compile(r#"{"docket": 2}"#) else {
            unreachable!("a version-2 policy does not compile")
        };
        let c = Error::policy(&e).into_c();
        assert_eq!(c.code, docket_result::InvalidPolicy);
        assert_eq!(c.name, "invalid_policy\0");
        assert_eq!(c.diagnostics, format!("{}\0", docket_core::diagnostics_json(&e.errors)));
        assert!(c.diagnostics.contains("unsupported_version"));
    }
}
