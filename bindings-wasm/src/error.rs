//! JS errors. Every failure this binding reports is a thrown JS `Error` subclass whose
//! `code` is a name of the one error vocabulary (`docket_core::ErrorCode`, table in
//! `docs/errors.md`) and whose `path` says where the fault is:
//!
//! - `PolicyError`: the policy does not compile. `code` is `CompileError::code`
//!   (`invalid_json`, `limit_exceeded` or `invalid_policy`), `path` the JSON pointer of
//!   the first diagnostic, `errors` and `warnings` the diagnostics as serialized by
//!   `docket_core::diagnostics_json`.
//! - `ArgumentError`: an argument is malformed (`invalid_argument`) or over a limit
//!   (`limit_exceeded`); `path` names the argument (`cases`, `now`, `actor`) or the part
//!   of a columnar batch (`columns.amount`, `offsets.paused`).
//! - `DocketError` with code `internal`: a bug, caught at the boundary.
//!
//! The classes are defined in the package's `errors.js` / `errors.cjs` and handed to the
//! module once at load through `__setErrorFactory`; without a factory (the raw
//! wasm-bindgen glue used directly) a plain `Error` with `name`, `code`, `path` and the
//! same properties is thrown instead.

use core::cell::RefCell;
use docket_core::{CompileError, Diagnostic, ErrorCode, diagnostics_json};
use js_sys::{Array, Function, JSON, Object, Reflect};
use wasm_bindgen::prelude::*;

thread_local! {
    static FACTORY: RefCell<Option<Function>> = const { RefCell::new(None) };
}

/// Installs the function that builds error objects:
/// `(kind: "policy" | "argument" | "internal", code, message, details) => Error`, where
/// `details` is `{ path }`, plus `errors` and `warnings` for a policy.
/// Called once by the package entry points; not part of the public API.
#[wasm_bindgen(js_name = "__setErrorFactory", skip_typescript)]
pub fn set_error_factory(factory: Function) {
    FACTORY.with(|f| *f.borrow_mut() = Some(factory));
}

/// What went wrong, before it becomes a JS value.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The policy does not compile.
    Policy(CompileError),
    /// An argument is malformed or over a limit.
    Argument {
        /// [`ErrorCode::InvalidArgument`] or [`ErrorCode::LimitExceeded`].
        code: ErrorCode,
        /// The argument, or the part of it, at fault (`cases`, `columns.amount`).
        path: String,
        message: String,
    },
    /// Cannot happen (a serializer failure); reported, never a panic.
    Internal(String),
}

impl Failure {
    /// A malformed argument (`invalid_argument`) at `path`.
    pub(crate) fn argument(path: impl Into<String>, msg: impl Into<String>) -> Failure {
        Failure::Argument { code: ErrorCode::InvalidArgument, path: path.into(), message: msg.into() }
    }

    /// An argument over one of the engine's limits (`limit_exceeded`) at `path`.
    pub(crate) fn limit(path: impl Into<String>, msg: impl Into<String>) -> Failure {
        Failure::Argument { code: ErrorCode::LimitExceeded, path: path.into(), message: msg.into() }
    }

    /// The factory's `kind`, the code, and the message.
    fn parts(&self) -> (&'static str, ErrorCode, String) {
        match self {
            Failure::Policy(e) => {
                let mut msg = format!("the policy has {} error(s)", e.errors.len());
                for d in e.errors.iter().take(5) {
                    msg.push_str("\n  ");
                    msg.push_str(&d.to_string());
                }
                if e.errors.len() > 5 {
                    msg.push_str(&format!("\n  ... and {} more (see .errors)", e.errors.len() - 5));
                }
                ("policy", e.code(), msg)
            }
            Failure::Argument { code, message, .. } => ("argument", *code, message.clone()),
            Failure::Internal(m) => ("internal", ErrorCode::Internal, m.clone()),
        }
    }

    fn path(&self) -> &str {
        match self {
            Failure::Policy(e) => e.path(),
            Failure::Argument { path, .. } => path,
            Failure::Internal(_) => "",
        }
    }
}

/// Diagnostics as `[{code, path, message}]`, parsed from the core's one serializer
/// ([`diagnostics_json`]) so that every binding reports the same objects.
pub(crate) fn diagnostics(list: &[Diagnostic]) -> Array {
    JSON::parse(&diagnostics_json(list)).ok().and_then(|v| v.dyn_into::<Array>().ok()).unwrap_or_default()
}

/// Sets an own data property of a fresh plain object. `__proto__` (a policy may name a
/// metric so) is defined, not assigned: an assignment would set the prototype instead.
pub(crate) fn set(target: &Object, key: &str, value: &JsValue) {
    if key == "__proto__" {
        let d = Object::new();
        for (k, v) in [
            ("value", value.clone()),
            ("writable", true.into()),
            ("enumerable", true.into()),
            ("configurable", true.into()),
        ] {
            let _ = Reflect::set(&d, &JsValue::from_str(k), &v);
        }
        Object::define_property(target, &JsValue::from_str(key), &d);
        return;
    }
    // Setting a data property on a fresh plain object cannot fail.
    let _ = Reflect::set(target, &JsValue::from_str(key), value);
}

impl From<Failure> for JsValue {
    fn from(f: Failure) -> JsValue {
        let (kind, code, message) = f.parts();
        let code = code.as_str();
        let details = Object::new();
        set(&details, "path", &JsValue::from_str(f.path()));
        if let Failure::Policy(e) = &f {
            set(&details, "errors", &diagnostics(&e.errors));
            set(&details, "warnings", &diagnostics(&e.warnings));
        }
        let built = FACTORY.with(|fac| {
            fac.borrow().as_ref().and_then(|fac| {
                let args = Array::of4(&kind.into(), &code.into(), &message.as_str().into(), &details);
                fac.apply(&JsValue::NULL, &args).ok().filter(|v| v.is_object())
            })
        });
        if let Some(e) = built {
            return e;
        }
        let e = js_sys::Error::new(&message);
        e.set_name(match kind {
            "policy" => "PolicyError",
            "argument" => "ArgumentError",
            _ => "DocketError",
        });
        let obj: &Object = e.as_ref();
        set(obj, "code", &code.into());
        let _ = Object::assign(obj, &details);
        e.into()
    }
}

#[cfg(test)]
mod tests {
    use super::Failure;
    use docket_core::{Engine, ErrorCode, Limits};

    fn policy_failure(text: &str, limits: Limits) -> Failure {
        match Engine::compile_with_limits(text, limits) {
            Err(e) => Failure::Policy(e),
            Ok(_) => unreachable!("the policy must not compile"),
        }
    }

    #[test]
    fn policy_failures_take_the_compile_errors_code_and_first_path() {
        let f = policy_failure("{\"docket\": 1,", Limits::default());
        let (kind, code, msg) = f.parts();
        assert_eq!((kind, code, f.path()), ("policy", ErrorCode::InvalidJson, ""));
        assert!(msg.starts_with("the policy has 1 error(s)"), "{msg}");

        let small = Limits { max_policy_bytes: 4, ..Limits::default() };
        let f = policy_failure("{\"docket\": 1}", small);
        assert_eq!(f.parts().1, ErrorCode::LimitExceeded);

        let f = policy_failure("{\"docket\": 1}", Limits::default());
        assert_eq!(f.parts().1, ErrorCode::InvalidPolicy);
        let Failure::Policy(e) = &f else { unreachable!("a policy failure") };
        assert_eq!(f.path(), e.errors.first().map_or("", |d| d.path.as_str()));
    }

    #[test]
    fn argument_failures_keep_their_code_and_path() {
        let f = Failure::limit("cases", "too many");
        assert_eq!((f.parts().0, f.parts().1, f.path()), ("argument", ErrorCode::LimitExceeded, "cases"));
        let f = Failure::argument("now", "bad");
        assert_eq!((f.parts().1, f.path()), (ErrorCode::InvalidArgument, "now"));
        let f = Failure::Internal("x".into());
        assert_eq!((f.parts().0, f.parts().1, f.path()), ("internal", ErrorCode::Internal, ""));
    }
}
