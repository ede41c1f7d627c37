//! JS errors. Every failure this binding reports is a thrown JS `Error` subclass with a
//! stable `code`: `PolicyError` (code `invalid_policy`, with every diagnostic and its
//! JSON path) and `ArgumentError` (code `invalid_argument`), both subclasses of
//! `DocketError`. The classes are defined in the package's `errors.js` / `errors.cjs`
//! and handed to the module once at load through `__setErrorFactory`; without a
//! factory (the raw wasm-bindgen glue used directly) a plain `Error` with `name`,
//! `code` and the same properties is thrown instead.

use core::cell::RefCell;
use docket_core::Diagnostic;
use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::prelude::*;

thread_local! {
    static FACTORY: RefCell<Option<Function>> = const { RefCell::new(None) };
}

/// Installs the function that builds error objects:
/// `(kind: "policy" | "argument" | "internal", code, message, details) => Error`.
/// Called once by the package entry points; not part of the public API.
#[wasm_bindgen(js_name = "__setErrorFactory", skip_typescript)]
pub fn set_error_factory(factory: Function) {
    FACTORY.with(|f| *f.borrow_mut() = Some(factory));
}

/// What went wrong, before it becomes a JS value.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The policy does not compile.
    Policy { errors: Vec<Diagnostic>, warnings: Vec<Diagnostic> },
    /// An argument has the wrong shape.
    Argument(String),
    /// Cannot happen (a serializer failure); reported, never a panic.
    Internal(String),
}

impl Failure {
    pub(crate) fn argument(msg: impl Into<String>) -> Failure {
        Failure::Argument(msg.into())
    }

    fn parts(&self) -> (&'static str, &'static str, String) {
        match self {
            Failure::Policy { errors, .. } => {
                let mut msg = format!("the policy has {} error(s)", errors.len());
                for e in errors.iter().take(5) {
                    msg.push_str("\n  ");
                    msg.push_str(&e.to_string());
                }
                if errors.len() > 5 {
                    msg.push_str(&format!("\n  ... and {} more (see .errors)", errors.len() - 5));
                }
                ("policy", "invalid_policy", msg)
            }
            Failure::Argument(m) => ("argument", "invalid_argument", m.clone()),
            Failure::Internal(m) => ("internal", "internal", m.clone()),
        }
    }
}

/// Diagnostics as `[{code, path, message}]`.
pub(crate) fn diagnostics(list: &[Diagnostic]) -> Array {
    let out = Array::new_with_length(list.len() as u32);
    for (i, d) in list.iter().enumerate() {
        let o = Object::new();
        set(&o, "code", &JsValue::from_str(d.code.as_str()));
        set(&o, "path", &JsValue::from_str(&d.path));
        set(&o, "message", &JsValue::from_str(&d.message));
        out.set(i as u32, o.into());
    }
    out
}

pub(crate) fn set(target: &Object, key: &str, value: &JsValue) {
    // Setting a data property on a fresh plain object cannot fail.
    let _ = Reflect::set(target, &JsValue::from_str(key), value);
}

impl From<Failure> for JsValue {
    fn from(f: Failure) -> JsValue {
        let (kind, code, message) = f.parts();
        let details = Object::new();
        if let Failure::Policy { errors, warnings } = &f {
            set(&details, "errors", &diagnostics(errors));
            set(&details, "warnings", &diagnostics(warnings));
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
