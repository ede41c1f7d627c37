//! The `now` argument: a `Date`, an RFC 3339 string or epoch milliseconds, truncated
//! toward the past to whole seconds (the spec's resolution).

use crate::error::Failure;
use docket_core::time::{Instant, parse_rfc3339};
use wasm_bindgen::{JsCast, JsValue};

/// Largest |epoch ms| a JS `Date` can hold (±100,000,000 days).
const MAX_DATE_MS: f64 = 8.64e15;

/// Converts the `now` argument; `None` (omitted, `undefined` or `null`) is the host's
/// current time, read here at the binding's edge (the core never reads a clock).
pub(crate) fn instant(now: Option<&JsValue>) -> Result<Instant, Failure> {
    let Some(v) = now.filter(|v| !v.is_undefined() && !v.is_null()) else {
        return from_ms(js_sys::Date::now(), "the current time");
    };
    if let Some(ms) = v.as_f64() {
        return from_ms(ms, "`now` (epoch milliseconds)");
    }
    if let Some(s) = v.as_string() {
        return parse_rfc3339(&s).ok_or_else(|| {
            Failure::argument(
                "now",
                format!("`now` must be an RFC 3339 timestamp such as 2026-11-23T10:00:00Z, got {s:?}"),
            )
        });
    }
    if let Some(d) = v.dyn_ref::<js_sys::Date>() {
        return from_ms(d.get_time(), "`now` (a Date)");
    }
    Err(Failure::argument("now", "`now` must be a Date, an RFC 3339 string or epoch milliseconds"))
}

pub(crate) fn from_ms(ms: f64, what: &str) -> Result<Instant, Failure> {
    if !ms.is_finite() || ms.abs() > MAX_DATE_MS {
        return Err(Failure::argument("now", format!("{what} is not a valid instant")));
    }
    Ok((ms / 1000.0).floor() as Instant)
}

#[cfg(test)]
mod tests {
    use super::from_ms;

    #[test]
    fn milliseconds_truncate_toward_the_past() {
        // 2026-11-23T10:00:00Z = 1795428000 s.
        assert_eq!(from_ms(1_795_428_000_000.0, "t").ok(), Some(1_795_428_000));
        assert_eq!(from_ms(1_795_428_000_999.0, "t").ok(), Some(1_795_428_000));
        // Before 1970 the floor is the earlier second, not the one toward zero.
        assert_eq!(from_ms(-1.0, "t").ok(), Some(-1));
        assert_eq!(from_ms(-1000.0, "t").ok(), Some(-1));
        assert_eq!(from_ms(-1001.0, "t").ok(), Some(-2));
    }

    #[test]
    fn non_finite_and_out_of_range_are_refused() {
        assert!(from_ms(f64::NAN, "t").is_err());
        assert!(from_ms(f64::INFINITY, "t").is_err());
        assert!(from_ms(8.64e15 + 1.0, "t").is_err());
        assert!(from_ms(-8.64e15, "t").is_ok());
    }
}
