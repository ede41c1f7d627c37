//! Python exceptions. Every failure this module reports is a `docket.DocketError` (or a
//! subclass) whose `code` is a name of the one error vocabulary (`docket_core::ErrorCode`,
//! table in `docs/errors.md`) and whose `path` says where the fault is:
//!
//! - `PolicyError`: the policy does not compile. `code` is `CompileError::code`
//!   (`invalid_json`, `limit_exceeded` or `invalid_policy`), `path` the JSON pointer of the
//!   first diagnostic, `errors` and `warnings` the diagnostics as lists of
//!   `{code, path, message}` dicts.
//! - `ArgumentError`: an argument is malformed (`invalid_argument`) or over a limit
//!   (`limit_exceeded`); `path` names the argument (`cases`, `now`, `actor.id`) or the
//!   column at fault (`columns.amount`).
//! - `DocketError` with code `internal`: a bug, caught at the boundary.

use docket_core::{CompileError, Diagnostic, ErrorCode, diagnostics_json};
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::PyList;

pyo3::create_exception!(
    docket,
    DocketError,
    PyException,
    "Base class of every error Docket raises: `code` (a stable name, docs/errors.md) and `path` (where the fault is)."
);
pyo3::create_exception!(
    docket,
    PolicyError,
    DocketError,
    "The policy does not compile: `code` is `invalid_policy`, `invalid_json` or `limit_exceeded`; `errors` lists every problem."
);
pyo3::create_exception!(
    docket,
    ArgumentError,
    DocketError,
    "An argument has the wrong shape (`invalid_argument`) or is over a limit (`limit_exceeded`); `path` names it."
);

/// What went wrong, before it becomes a Python exception.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The policy does not compile.
    Policy(CompileError),
    /// An argument is malformed or over a limit.
    Argument {
        /// [`ErrorCode::InvalidArgument`] or [`ErrorCode::LimitExceeded`].
        code: ErrorCode,
        /// The argument, or the part of it, at fault.
        path: String,
        message: String,
    },
    /// A bug (a result that cannot be built); reported, never a panic.
    Internal(String),
    /// An exception raised by Python code the call ran (a `__arrow_c_stream__` method, a
    /// stream producer), passed on as it is.
    Python(PyErr),
}

impl Failure {
    /// A malformed argument (`invalid_argument`) at `path`.
    pub(crate) fn argument(path: impl Into<String>, msg: impl Into<String>) -> Failure {
        Failure::Argument { code: ErrorCode::InvalidArgument, path: path.into(), message: msg.into() }
    }

    /// The Python exception.
    pub(crate) fn into_py(self, py: Python<'_>) -> PyErr {
        let (err, code, path) = match self {
            Failure::Python(e) => return e,
            Failure::Policy(e) => {
                let mut msg = format!("the policy has {} error(s)", e.errors.len());
                for d in e.errors.iter().take(5) {
                    msg.push_str("\n  ");
                    msg.push_str(&d.to_string());
                }
                if e.errors.len() > 5 {
                    msg.push_str(&format!("\n  ... and {} more (see .errors)", e.errors.len() - 5));
                }
                let err = PolicyError::new_err(msg);
                let value = err.value(py);
                let _ = value.setattr("errors", diagnostics(py, &e.errors));
                let _ = value.setattr("warnings", diagnostics(py, &e.warnings));
                (err, e.code(), e.path().to_owned())
            }
            Failure::Argument { code, path, message } => (ArgumentError::new_err(message), code, path),
            Failure::Internal(m) => (DocketError::new_err(m), ErrorCode::Internal, String::new()),
        };
        let value = err.value(py);
        let _ = value.setattr("code", code.as_str());
        let _ = value.setattr("path", path);
        err
    }
}

impl From<PyErr> for Failure {
    fn from(e: PyErr) -> Failure {
        Failure::Python(e)
    }
}

/// Diagnostics as a list of `{code, path, message}` dicts, serialized by the core's one
/// function (`docket check --json`, C and npm alike).
pub(crate) fn diagnostics<'py>(py: Python<'py>, ds: &[Diagnostic]) -> Bound<'py, PyAny> {
    let parsed = crate::json_to_py(py, &diagnostics_json(ds));
    parsed.unwrap_or_else(|_| PyList::empty(py).into_any())
}

/// A result of this module: a [`Failure`] until it reaches Python.
pub(crate) type Result<T> = std::result::Result<T, Failure>;
