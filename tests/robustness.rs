//! Properties across the engine: evaluation never panics on any JSON value as a case; a
//! policy that compiles never makes evaluation fail; a case evaluated alone and inside a
//! batch gives the same outcome; hostile input hits limits, not memory or time.

use docket_core::{Case, Outcome};
use docket_tests::*;
use proptest::prelude::*;
use serde_json::{Value, json};
use std::sync::LazyLock;

/// Compiled once for all cases of the properties.
static ENGINE: LazyLock<docket_core::Engine> = LazyLock::new(example_engine);

/// Arbitrary JSON values, biased toward the keys and shapes a case has.
fn arb_json() -> impl Strategy<Value = Value> {
    let key = prop_oneof![
        Just("id".to_string()),
        Just("kind".to_string()),
        Just("opened_at".to_string()),
        Just("amount".to_string()),
        Just("currency".to_string()),
        Just("paused".to_string()),
        Just("approvals".to_string()),
        Just("evidence".to_string()),
        Just("response_at".to_string()),
        Just("fraud_score".to_string()),
        Just("customer_tier".to_string()),
        Just("promised_at".to_string()),
        Just("split_shipment".to_string()),
        Just("vendor_failures_90d".to_string()),
        Just("requested_by".to_string()),
        "[a-z_]{1,12}",
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|i| json!(i)),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(|f| json!(f)),
        prop_oneof![
            Just("refund".to_string()),
            Just("2026-11-23T08:00:00Z".to_string()),
            Just("1250.00".to_string()),
            Just("USD".to_string()),
            Just("gold".to_string()),
            Just("-0.5".to_string()),
            Just("9999-12-31T23:59:59Z".to_string()),
            Just("0001-01-01T00:00:00Z".to_string()),
            ".{0,20}",
        ]
        .prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key.clone(), inner), 0..10).prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

fn eval_json(e: &docket_core::Engine, text: &str, now: i64) -> Value {
    let mut c = Case::new();
    e.decode_json(text, &mut c);
    let mut o = Outcome::new();
    e.evaluate(&c, now, &mut o);
    serde_json::from_str(&e.outcome_json(&o)).expect("outcome is JSON")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Any JSON value as a case yields one outcome: an `error`, a case not yet open, or a
    /// decision; never a panic.
    #[test]
    fn any_json_value_as_a_case_is_evaluated(v in arb_json(), now in -10_000_000_000i64..300_000_000_000i64) {
        let e = &*ENGINE;
        let o = eval_json(e, &v.to_string(), now);
        prop_assert!(o.get("error").is_some() || o.get("trace").is_some() || o["not_yet_open"] == true);
    }

    /// A well-formed case with arbitrary field values always gets a decision, never an
    /// error; one opened after `now` (clamped into 1970 through 2099) is not yet open and
    /// decides nothing.
    #[test]
    fn a_usable_case_always_gets_a_decision(extra in prop::collection::vec(("[a-z_]{1,20}", arb_json()), 0..8), opened in 0i64..4_000_000_000, now in 0i64..4_000_000_000) {
        let e = &*ENGINE;
        let mut case = json!({"id": "P", "kind": "refund", "opened_at": docket_core::time::Rfc3339(opened).to_string()});
        for (k, v) in extra {
            if !["id", "kind", "opened_at"].contains(&k.as_str()) {
                case[k] = v;
            }
        }
        let o = eval_json(e, &case.to_string(), now);
        prop_assert!(o.get("error").is_none(), "{}", o);
        let clamped = now.clamp(docket_core::time::EARLIEST_CASE_INSTANT, docket_core::time::LATEST_CASE_INSTANT);
        if opened > clamped {
            prop_assert_eq!(&o["not_yet_open"], &json!(true));
            prop_assert!(o.get("queue").is_none() && o.get("sla").is_none() && o.get("issues").is_none(), "{}", o);
        } else {
            prop_assert!(o["queue"].is_string());
            prop_assert!(o.get("not_yet_open").is_none());
        }
    }

    /// The same case alone and inside a batch of arbitrary others gives the same outcome.
    #[test]
    fn alone_equals_in_batch(others in prop::collection::vec(arb_json(), 0..6), pick in 0usize..15, pos in 0usize..7) {
        let e = &*ENGINE;
        let now = t("2026-11-23T10:00:00Z");
        let line = EXAMPLE_CASES.lines().nth(pick).expect("line");
        let alone = eval_json(e, line, now);
        let mut texts: Vec<String> = others.iter().map(Value::to_string).collect();
        let pos = pos.min(texts.len());
        texts.insert(pos, line.to_string());
        let cases: Vec<Case> = texts.iter().map(|s| { let mut c = Case::new(); e.decode_json(s, &mut c); c }).collect();
        let mut outs = vec![Outcome::new(); cases.len()];
        e.evaluate_batch(&cases, now, &mut outs);
        let batched: Value = serde_json::from_str(&e.outcome_json(&outs[pos])).expect("json");
        prop_assert_eq!(alone, batched);
    }
}

#[test]
fn hostile_inputs_hit_limits() {
    let e = &*ENGINE;
    let now = t("2026-11-23T10:00:00Z");
    // Nesting deeper than the JSON parser's recursion limit: an error, not a stack overflow.
    let deep = format!("{{\"id\":\"D\",\"x\":{}1{}}}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(eval_json(e, &deep, now)["error"].is_object());
    // A record over the size limit.
    let big = format!("{{\"id\":\"B\",\"pad\":\"{}\"}}", "x".repeat(2 << 20));
    assert_eq!(eval_json(e, &big, now)["error"]["code"], "too_large");
    // An over-long id is unusable, with its own code (docs/cases-and-outcomes.md); an
    // over-long list is a bad_type issue, not a huge outcome.
    let long_id =
        format!("{{\"id\":\"{}\",\"kind\":\"refund\",\"opened_at\":\"2026-11-23T08:00:00Z\"}}", "i".repeat(5000));
    assert_eq!(eval_json(e, &long_id, now)["error"]["code"], "id_too_long");
    let pauses: Vec<Value> =
        (0..5000).map(|_| json!({"from": "2026-11-23T08:00:00Z", "to": "2026-11-23T08:01:00Z"})).collect();
    let c = json!({"id": "P", "kind": "payment_hold", "order_id": "O", "opened_at": "2026-11-23T08:00:00Z", "paused": pauses});
    let o = eval_json(e, &c.to_string(), now);
    assert!(o["issues"].as_array().unwrap().iter().any(|i| i["code"] == "bad_type" && i["field"] == "paused"));
    // Stamps outside 1970..2099 are malformed (so no case can make a clock walk centuries);
    // an absurd `now` is clamped into that range and evaluation finishes.
    let c = json!({"id": "F", "kind": "payment_hold", "order_id": "O", "opened_at": "9999-12-31T23:00:00Z"});
    assert_eq!(eval_json(e, &c.to_string(), now)["error"]["code"], "bad_opened_at");
    let c = json!({"id": "F", "kind": "refund", "amount": "1", "order_id": "O", "opened_at": "1969-12-31T23:59:59Z"});
    assert_eq!(eval_json(e, &c.to_string(), now)["error"]["code"], "bad_opened_at");
    let c = json!({"id": "F", "kind": "payment_hold", "order_id": "O", "opened_at": "2099-12-31T23:59:59Z"});
    assert!(eval_json(e, &c.to_string(), i64::MAX)["queue"].is_string());
    let c = json!({"id": "F", "kind": "refund", "amount": "1", "order_id": "O", "opened_at": "1970-01-01T00:00:00Z"});
    let o = eval_json(e, &c.to_string(), i64::MAX);
    assert_eq!(o["sla"]["resolution"]["state"], "breached");
}
