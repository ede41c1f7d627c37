//! The constructor's `options`: `{ limits?: { maxPolicyBytes?, maxStringLen?,
//! maxListLen?, maxCaseBytes?, maxCasesPerCall?, maxRulesPerTable?, maxWindowsPerDay?,
//! maxDatesPerCalendar?, maxCalendars?, maxMetrics?, maxEscalationSteps?, maxBands?,
//! maxValuesPerField?, maxMemoryBytes? } }`, each limit a whole number from 0 to
//! `Number.MAX_SAFE_INTEGER` mapped onto `docket_core::Limits` (an omitted one keeps its
//! default). An unknown option or limit is refused, so that a misspelt one is not
//! silently ignored.

use crate::error::{Failure, set};
use crate::read::{Seg, accessor, reflect_get};
use docket_core::Limits;
use js_sys::Object;
use wasm_bindgen::{JsCast, JsValue};

/// The limits by their JS names, in the order of `docket_core::Limits`.
pub(crate) const NAMES: [&str; 14] = [
    "maxPolicyBytes",
    "maxStringLen",
    "maxListLen",
    "maxCaseBytes",
    "maxCasesPerCall",
    "maxRulesPerTable",
    "maxWindowsPerDay",
    "maxDatesPerCalendar",
    "maxCalendars",
    "maxMetrics",
    "maxEscalationSteps",
    "maxBands",
    "maxValuesPerField",
    "maxMemoryBytes",
];

/// The field of `l` named by `NAMES[i]`.
fn field(l: &mut Limits, i: usize) -> Option<&mut usize> {
    Some(match i {
        0 => &mut l.max_policy_bytes,
        1 => &mut l.max_string_len,
        2 => &mut l.max_list_len,
        3 => &mut l.max_case_bytes,
        4 => &mut l.max_cases_per_call,
        5 => &mut l.max_rules_per_table,
        6 => &mut l.max_windows_per_day,
        7 => &mut l.max_dates_per_calendar,
        8 => &mut l.max_calendars,
        9 => &mut l.max_metrics,
        10 => &mut l.max_escalation_steps,
        11 => &mut l.max_bands,
        12 => &mut l.max_values_per_field,
        13 => &mut l.max_memory_bytes,
        _ => return None,
    })
}

/// The largest whole number a JS number holds exactly (`Number.MAX_SAFE_INTEGER`).
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// A limit's value: a whole number from 0 to `Number.MAX_SAFE_INTEGER`; one beyond what
/// a `usize` of this build holds is the largest it holds (no input is that large).
fn limit_value(v: &JsValue) -> Option<usize> {
    let x = v.as_f64()?;
    (x.fract() == 0.0 && (0.0..=MAX_SAFE_INTEGER).contains(&x)).then_some(x as usize)
}

/// The own enumerable keys of an object.
fn keys(v: &JsValue) -> impl Iterator<Item = String> {
    Object::keys(v.unchecked_ref::<Object>()).iter().filter_map(|k| k.as_string()).collect::<Vec<_>>().into_iter()
}

/// Whether `v` is a plain options object (not a function or an array).
fn is_options_object(v: &JsValue) -> bool {
    v.is_object() && !v.is_function() && !js_sys::Array::is_array(v)
}

/// The engine's limits from the constructor's `options` (omitted, `undefined` or
/// `null`: the defaults).
pub(crate) fn limits(options: Option<&JsValue>) -> Result<Limits, Failure> {
    let mut out = Limits::default();
    let Some(options) = options.filter(|v| !v.is_undefined() && !v.is_null()) else {
        return Ok(out);
    };
    if !is_options_object(options) {
        return Err(Failure::argument("options", "`options` must be an object { limits?: { ... } }"));
    }
    for key in keys(options) {
        if key != "limits" {
            let at = accessor("options", &[Seg::Key(key)]);
            return Err(Failure::argument(&at, format!("`{at}` is not an option; the option is `limits`")));
        }
    }
    let given = reflect_get(options, &JsValue::from_str("limits"));
    if given.is_undefined() || given.is_null() {
        return Ok(out);
    }
    if !is_options_object(&given) {
        return Err(Failure::argument(
            "options.limits",
            format!("`options.limits` must be an object of limits ({})", NAMES.join(", ")),
        ));
    }
    for key in keys(&given) {
        let at = accessor("options.limits", &[Seg::Key(key.clone())]);
        let Some(i) = NAMES.iter().position(|n| *n == key) else {
            return Err(Failure::argument(&at, format!("`{at}` is not a limit; the limits are {}", NAMES.join(", "))));
        };
        let v = reflect_get(&given, &JsValue::from_str(&key));
        if v.is_undefined() {
            continue;
        }
        let value = limit_value(&v).ok_or_else(|| {
            Failure::argument(&at, format!("`{at}` must be a whole number from 0 to Number.MAX_SAFE_INTEGER"))
        })?;
        if let Some(slot) = field(&mut out, i) {
            *slot = value;
        }
    }
    Ok(out)
}

/// The limits as `{ maxPolicyBytes, ... }`.
pub(crate) fn limits_js(l: &Limits) -> JsValue {
    let obj = Object::new();
    let mut l = *l;
    for (i, name) in NAMES.iter().enumerate() {
        if let Some(v) = field(&mut l, i) {
            set(&obj, name, &JsValue::from_f64(*v as f64));
        }
    }
    obj.into()
}

/// The dimensions of `report`'s `by` (omitted, `undefined` or `null`: none): an array
/// of field names.
#[inline(never)]
pub(crate) fn report_dimensions(
    engine: &docket_core::Engine,
    by: Option<&JsValue>,
) -> Result<docket_core::Dimensions, Failure> {
    let mut fields: Vec<String> = Vec::new();
    if let Some(by) = by.filter(|v| !v.is_undefined() && !v.is_null()) {
        let names = js_sys::Array::is_array(by).then(|| by.unchecked_ref::<js_sys::Array>().iter());
        for f in names.into_iter().flatten().map(|f| f.as_string()) {
            fields.push(f.ok_or_else(|| Failure::argument("by", "`by` must be an array of field names"))?);
        }
        if !js_sys::Array::is_array(by) {
            return Err(Failure::argument("by", "`by` must be an array of field names"));
        }
    }
    docket_core::Dimensions::new(engine, &fields).map_err(|e| Failure::argument("by", e))
}

/// `report`'s `flow` (omitted, `undefined` or `null`: none): `{since, bucket?}`, `since`
/// as `now` is given, `bucket` `"day"` (the default) or `"week"`.
#[inline(never)]
pub(crate) fn report_flow(
    flow: Option<&JsValue>,
) -> Result<Option<(docket_core::time::Instant, docket_core::Bucket)>, Failure> {
    let Some(flow) = flow.filter(|v| !v.is_undefined() && !v.is_null()) else { return Ok(None) };
    if !flow.is_object() {
        return Err(Failure::argument("flow", "`flow` must be an object {since, bucket}"));
    }
    let since = reflect_get(flow, &JsValue::from_str("since"));
    if since.is_undefined() || since.is_null() {
        return Err(Failure::argument("flow.since", "`flow.since` is required"));
    }
    let since = crate::now::instant(Some(&since)).map_err(|e| match e {
        Failure::Argument { code, message, .. } => {
            Failure::Argument { code, path: "flow.since".into(), message: message.replace("`now`", "`flow.since`") }
        }
        other => other,
    })?;
    let bucket = reflect_get(flow, &JsValue::from_str("bucket"));
    let bucket = match bucket.as_string() {
        _ if bucket.is_undefined() => Some(docket_core::Bucket::Day),
        Some(b) => docket_core::Bucket::parse(&b),
        None => None,
    }
    .ok_or_else(|| Failure::argument("flow.bucket", "`flow.bucket` must be \"day\" or \"week\""))?;
    Ok(Some((since, bucket)))
}

#[cfg(test)]
mod tests {
    use super::{NAMES, field};
    use docket_core::Limits;

    #[test]
    fn every_limit_has_one_js_name() {
        let mut l = Limits::default();
        for i in 0..NAMES.len() {
            if let Some(v) = field(&mut l, i) {
                *v = 1000 + i;
            }
        }
        assert!(field(&mut l, NAMES.len()).is_none());
        // Every field of the core's limits was reached, each once (a field the core adds
        // keeps its default until it has a JS name).
        #[allow(clippy::needless_update)]
        let expected = Limits {
            max_policy_bytes: 1000,
            max_string_len: 1001,
            max_list_len: 1002,
            max_case_bytes: 1003,
            max_cases_per_call: 1004,
            max_rules_per_table: 1005,
            max_windows_per_day: 1006,
            max_dates_per_calendar: 1007,
            max_calendars: 1008,
            max_metrics: 1009,
            max_escalation_steps: 1010,
            max_bands: 1011,
            max_values_per_field: 1012,
            max_memory_bytes: 1013,
            ..Limits::default()
        };
        assert_eq!(l, expected);
    }
}
