//! Building a case field by field gives exactly the outcome of decoding its JSON.

use docket_core::FieldType;
use docket_core::time::parse_rfc3339;
use docket_core::{Case, Cell, Engine, Outcome};
use docket_tests::*;
use serde_json::Value;

/// Feeds a JSON case through the builder, by the policy's field types.
fn build(e: &Engine, v: &Value, case: &mut Case) {
    let mut b = e.build(case);
    let ts = |x: &Value| x.as_str().and_then(parse_rfc3339);
    for (k, x) in v.as_object().expect("object") {
        match k.as_str() {
            "id" => {
                b.id(x.as_str().unwrap_or(""));
            }
            "opened_at" => {
                if let Some(t) = ts(x) {
                    b.opened_at(t);
                }
            }
            "currency" => {
                b.currency(x.as_str().unwrap_or(""));
            }
            "requested_by" => {
                b.requested_by(x.as_str().unwrap_or(""));
            }
            "evidence" => {
                for i in x.as_array().into_iter().flatten() {
                    b.evidence(i.as_str().unwrap_or(""));
                }
            }
            "paused" => {
                for p in x.as_array().into_iter().flatten() {
                    b.pause(ts(&p["from"]).unwrap_or(0), ts(&p["to"]));
                }
            }
            "approvals" => {
                for a in x.as_array().into_iter().flatten() {
                    b.approval(a["role"].as_str().unwrap_or(""), a["by"].as_str().unwrap_or(""), ts(&a["at"]));
                }
            }
            k if k.ends_with("_at") && e.metric(k.trim_end_matches("_at")).is_some() => {
                if let (Some(m), Some(t)) = (e.metric(k.trim_end_matches("_at")), ts(x)) {
                    b.completed(m, t);
                }
            }
            k => {
                let Some(slot) = e.slot(k) else { continue };
                match (e.field_type(slot), x) {
                    (_, Value::Null) => {}
                    (Some(FieldType::Enum | FieldType::String), Value::String(s)) => {
                        b.string(slot, s);
                    }
                    (Some(FieldType::Money), Value::String(s)) => {
                        b.money_str(slot, s);
                    }
                    (Some(FieldType::Money), Value::Number(n)) => {
                        b.money_str(slot, &n.to_string());
                    }
                    (Some(FieldType::Integer), Value::Number(n)) => {
                        b.integer(slot, n.as_i64().unwrap_or(0));
                    }
                    (Some(FieldType::Number), Value::Number(n)) => {
                        b.number(slot, n.as_f64().unwrap_or(f64::NAN));
                    }
                    (Some(FieldType::Bool), Value::Bool(v)) => {
                        b.boolean(slot, *v);
                    }
                    (Some(FieldType::Timestamp), x) => {
                        b.timestamp(slot, ts(x).unwrap_or(i64::MIN));
                    }
                    // A wrong JSON type: give the builder a wrong-typed value too.
                    (_, _) => {
                        b.boolean(slot, true);
                    }
                }
            }
        }
    }
    b.finish();
}

#[test]
fn builder_equals_json_decoding_on_every_example_case() {
    let e = example_engine();
    let now = t("2026-11-23T10:00:00Z");
    let (mut c1, mut c2, mut o1, mut o2) = (Case::new(), Case::new(), Outcome::new(), Outcome::new());
    for line in EXAMPLE_CASES.lines() {
        let v: Value = serde_json::from_str(line).expect("json");
        e.decode_json(line, &mut c1);
        build(&e, &v, &mut c2);
        e.evaluate(&c1, now, &mut o1);
        e.evaluate(&c2, now, &mut o2);
        assert_eq!(e.outcome_json(&o2), e.outcome_json(&o1), "{line}");
    }
}

#[test]
fn builder_checks_types_and_enum_indexes() {
    let e = example_engine();
    let kind = e.slot("kind").expect("kind");
    let tier = e.slot("customer_tier").expect("tier");
    let mut case = Case::new();
    let mut b = e.build(&mut case);
    b.id("X").enum_index(kind, e.symbol(kind, "payment_hold").expect("value")).opened_at(t("2026-11-23T08:00:00Z"));
    b.string(e.slot("order_id").expect("order_id"), "O").enum_index(tier, 99);
    b.finish();
    let mut o = Outcome::new();
    e.evaluate(&case, t("2026-11-23T09:00:00Z"), &mut o);
    let v: Value = serde_json::from_str(&e.outcome_json(&o)).expect("json");
    // Index 99 is outside customer_tier's three values: unknown_enum_value → invalid queue.
    assert_eq!(v["issues"][0]["code"], "unknown_enum_value");
    assert_eq!(v["queue"], "data_quality_review");
    // Without opened_at the case is unusable.
    let mut b = e.build(&mut case);
    b.id("Y").enum_index(kind, 0);
    b.finish();
    assert_eq!(case.error().map(|x| x.code()), Some("missing_opened_at"));
}

/// Feeds a JSON case through the cell decoder: scalars as cells (timestamps that parse as
/// `Cell::Instant` when `instants`), lists and objects as JSON text.
fn cells(e: &Engine, v: &Value, case: &mut Case, instants: bool) {
    let mut d = e.decode_cells(case);
    let timestamp_key = |k: &str| {
        k == "opened_at"
            || e.metric(k.trim_end_matches("_at")).is_some() && k.ends_with("_at")
            || e.slot(k).and_then(|s| e.field_type(s)) == Some(FieldType::Timestamp)
    };
    for (k, x) in v.as_object().expect("object") {
        let Some(key) = e.case_key(k) else { continue };
        match x {
            Value::Array(_) | Value::Object(_) => {
                d.set_json(key, &x.to_string());
            }
            Value::Null => {
                d.set(key, Cell::Null);
            }
            Value::Bool(b) => {
                d.set(key, Cell::Bool(*b));
            }
            Value::Number(n) => {
                d.set(key, n.as_i64().map_or_else(|| Cell::Num(n.as_f64().unwrap_or(f64::NAN)), Cell::Int));
            }
            Value::String(s) => match parse_rfc3339(s) {
                Some(t) if instants && timestamp_key(k) => {
                    d.set(key, Cell::Instant(t));
                }
                _ => {
                    d.set(key, Cell::Str(s));
                }
            },
        }
    }
    d.finish();
}

#[test]
fn cell_decoding_equals_json_decoding() {
    let e = example_engine();
    let now = t("2026-11-23T10:00:00Z");
    // The example cases, and records with every kind of wrong or odd value.
    let odd = [
        r#"{"id":7,"kind":"refund","opened_at":"2026-11-23T08:00:00Z","order_id":"O"}"#,
        r#"{"id":"A","kind":5,"opened_at":"2026-11-23T08:00:00Z","order_id":"O"}"#,
        r#"{"id":"A","kind":"refund","opened_at":"1969-12-31T23:59:59Z","order_id":"O"}"#,
        r#"{"id":"A","kind":"refund","opened_at":"2150-01-01T00:00:00Z","order_id":"O"}"#,
        r#"{"id":"A","kind":"refund","opened_at":12,"order_id":"O","amount":12.5,"currency":"USD"}"#,
        r#"{"id":"A","kind":"refund","opened_at":"2026-11-23T08:00:00Z","order_id":3,"amount":"x"}"#,
        r#"{"id":"A","kind":"fraud_review","opened_at":"2026-11-23T08:00:00Z","order_id":"O","fraud_score":"0.9"}"#,
        r#"{"id":"A","kind":"vendor_failure","opened_at":"2026-11-23T08:00:00Z","order_id":"O","vendor_failures_90d":3.5}"#,
        r#"{"id":"A","kind":"allocation_failure","opened_at":"2026-11-23T08:00:00Z","order_id":"O","split_shipment":1}"#,
        r#"{"id":"A","kind":"refund","opened_at":"2026-11-23T08:00:00Z","order_id":"O","paused":5,"evidence":null}"#,
        r#"{"id":"A","kind":"refund","opened_at":"2026-11-23T08:00:00Z","order_id":"O","approvals":{"a":1},"evidence":[1,"refund_receipt"]}"#,
        r#"{"id":"A","kind":"refund","opened_at":"2026-11-23T08:00:00Z","order_id":"O","paused":[{"from":"2026-11-23T08:10:00Z","to":null}],"response_at":"bad"}"#,
        r#"{"id":"A","kind":"refund","opened_at":"2026-11-23T08:00:00Z","order_id":"O","customer_tier":{"x":1},"region":["eu"],"unknown":[1,2]}"#,
        r#"{"id":"A","kind":"refund","opened_at":"2026-11-23T08:00:00Z","order_id":"O","currency":"TOO-LONG-A-CURRENCY-CODE","requested_by":false}"#,
    ];
    let (mut c1, mut c2, mut o1, mut o2) = (Case::new(), Case::new(), Outcome::new(), Outcome::new());
    for line in EXAMPLE_CASES.lines().chain(odd) {
        let v: Value = serde_json::from_str(line).expect("json");
        e.decode_json(line, &mut c1);
        e.evaluate(&c1, now, &mut o1);
        for instants in [false, true] {
            cells(&e, &v, &mut c2, instants);
            e.evaluate(&c2, now, &mut o2);
            assert_eq!(e.outcome_json(&o2), e.outcome_json(&o1), "{line} (instants: {instants})");
        }
    }
}

#[test]
fn cell_decoding_rejects_list_text_that_is_not_json() {
    let e = example_engine();
    let mut case = Case::new();
    let [id, kind, opened, paused] = ["id", "kind", "opened_at", "paused"].map(|k| e.case_key(k).expect("key"));
    let mut d = e.decode_cells(&mut case);
    d.set(id, Cell::Str("A")).set(kind, Cell::Str("refund")).set(opened, Cell::Instant(t("2026-11-23T08:00:00Z")));
    d.set_json(paused, "[{\"from\":");
    d.finish();
    // As a record that does not parse: the case is unusable.
    assert_eq!(case.error().map(|x| x.code()), Some("not_an_object"));
    assert_eq!(e.case_key("no_such_key"), None);
}
