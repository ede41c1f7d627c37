//! The result codes of the C API and the error object that carries the details.

use docket_core::CompileError;
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
    /// An argument is out of range or inconsistent (unknown list, bad column, index).
    InvalidArgument = 7,
    /// A name looked up is not known to the policy.
    NotFound = 8,
    /// Docket panicked (a bug); the call had no effect on its outputs except as documented.
    Panic = 9,
}

/// Error details: a code, a stable string name, a message and a path into the input.
/// Created by a failing call when the caller passed a non-NULL `err`; free it with
/// `docket_error_free`.
#[allow(non_camel_case_types)]
pub struct docket_error {
    pub(crate) code: docket_result,
    /// Stable lower-case name (`invalid_json`, `unknown_field`, ...), NUL-terminated.
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

/// The binding's error before it crosses the boundary.
#[derive(Debug)]
pub(crate) struct Error {
    pub code: docket_result,
    pub name: &'static str,
    pub message: String,
    pub path: String,
    pub diagnostics: String,
}

impl Error {
    #[cold]
    pub fn new(code: docket_result, name: &'static str, message: impl Into<String>, path: impl Into<String>) -> Error {
        Error { code, name, message: message.into(), path: path.into(), diagnostics: String::from("[]") }
    }
    #[cold]
    pub fn null(arg: &str) -> Error {
        Error::new(docket_result::NullArgument, "null_argument", format!("`{arg}` must not be NULL"), arg)
    }
    #[cold]
    pub fn arg(path: impl Into<String>, message: impl Into<String>) -> Error {
        Error::new(docket_result::InvalidArgument, "invalid_argument", message, path)
    }
    #[cold]
    pub fn panic() -> Error {
        Error::new(docket_result::Panic, "panic", "Docket panicked; this is a bug, please report it", "")
    }
    #[cold]
    pub fn json(path: &str, e: &serde_json::Error) -> Error {
        Error::new(
            docket_result::InvalidJson,
            "invalid_json",
            format!("`{path}` is not valid JSON: {e} (line {} column {})", e.line(), e.column()),
            path,
        )
    }
    #[cold]
    pub fn policy(e: &CompileError) -> Error {
        let first = e.errors.first();
        let code = match first.map(|d| d.code.as_str()) {
            Some("invalid_json") => docket_result::InvalidJson,
            Some("limit_exceeded") => docket_result::LimitExceeded,
            _ => docket_result::InvalidPolicy,
        };
        let diags: Vec<serde_json::Value> = e
            .errors
            .iter()
            .map(|d| serde_json::json!({"code": d.code.as_str(), "path": d.path, "message": d.message}))
            .collect();
        Error {
            code,
            name: first.map_or("invalid_policy", |d| d.code.as_str()),
            message: e.to_string(),
            path: first.map(|d| d.path.clone()).unwrap_or_default(),
            diagnostics: serde_json::Value::Array(diags).to_string(),
        }
    }

    pub fn into_c(self) -> docket_error {
        docket_error {
            code: self.code,
            name: c_text(self.name),
            message: c_text(&self.message),
            path: c_text(&self.path),
            diagnostics: c_text(&self.diagnostics),
        }
    }
}
