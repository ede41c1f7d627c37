//! Helpers for walking a `serde_json::Value` policy with JSON pointer paths.

// The policy compiler calls these helpers in hundreds of places: kept out of line, they
// cost one copy each instead of one per call site (compile speed is not at stake).
use super::diagnostics::{Diags, PolicyCode, child};
use alloc::format;
use alloc::string::String;
use serde_json::{Map, Value};

/// JSON type name used in messages.
pub fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Expects an object whose keys are all in `allowed`; reports each unknown key.
#[inline(never)]
pub fn object<'v>(v: &'v Value, path: &str, allowed: &[&str], d: &mut Diags) -> Option<&'v Map<String, Value>> {
    match v {
        Value::Object(m) => {
            for k in m.keys() {
                if !allowed.contains(&k.as_str()) {
                    d.error(
                        PolicyCode::UnknownKey,
                        &child(path, k),
                        format!("unknown key `{k}` (expected one of: {})", allowed.join(", ")),
                    );
                }
            }
            Some(m)
        }
        other => {
            wrong_type(path, "an object", other, d);
            None
        }
    }
}

/// Expects any object (free-form keys).
#[inline(never)]
pub fn map<'v>(v: &'v Value, path: &str, d: &mut Diags) -> Option<&'v Map<String, Value>> {
    match v {
        Value::Object(m) => Some(m),
        other => {
            wrong_type(path, "an object", other, d);
            None
        }
    }
}

/// Expects a string.
#[inline(never)]
pub fn string<'v>(v: &'v Value, path: &str, d: &mut Diags) -> Option<&'v str> {
    match v {
        Value::String(s) => Some(s),
        other => {
            wrong_type(path, "a string", other, d);
            None
        }
    }
}

/// Expects an array.
#[inline(never)]
pub fn array<'v>(v: &'v Value, path: &str, d: &mut Diags) -> Option<&'v [Value]> {
    match v {
        Value::Array(a) => Some(a),
        other => {
            wrong_type(path, "an array", other, d);
            None
        }
    }
}

/// Expects a boolean.
#[inline(never)]
pub fn boolean(v: &Value, path: &str, d: &mut Diags) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        other => {
            wrong_type(path, "a boolean", other, d);
            None
        }
    }
}

/// Reports a wrong JSON type.
#[cold]
pub fn wrong_type(path: &str, expected: &str, got: &Value, d: &mut Diags) {
    d.error(PolicyCode::WrongType, path, format!("expected {expected}, found {}", type_name(got)));
}

/// Looks up a required key, reporting `missing_key` when absent.
#[inline(never)]
pub fn required<'v>(m: &'v Map<String, Value>, key: &str, path: &str, d: &mut Diags) -> Option<&'v Value> {
    let v = m.get(key);
    if v.is_none() {
        d.error(PolicyCode::MissingKey, path, format!("missing required key `{key}`"));
    }
    v
}
