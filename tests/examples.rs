//! The bundled example policy on every bundled example case, with the expected routing,
//! trace and approvals derived by hand from the policy (reasoning beside each case).

use docket_tests::*;
use serde_json::{Value, json};

const NOW: &str = "2026-11-23T10:00:00Z";

fn outcome(id: &str) -> Value {
    eval_str(&example_engine(), &example_case(id), NOW)
}

fn strs(v: &Value) -> Vec<String> {
    v.as_array().map(|a| a.iter().filter_map(|x| x.as_str().map(String::from)).collect()).unwrap_or_default()
}

fn codes(v: &Value) -> Vec<String> {
    v["issues"]
        .as_array()
        .map(|a| a.iter().filter_map(|x| x["code"].as_str().map(String::from)).collect())
        .unwrap_or_default()
}

/// (case, queue, owner, priority, trace)
type Route = (&'static str, &'static str, &'static str, Option<&'static str>, &'static [&'static str]);

#[rustfmt::skip]
const ROUTES: &[Route] = &[
    // refund 1250.00 EUR: R10 (refund, amount >= 1000) → P1; S05 (P1, region eu); A2 by_limit, A3 refund >= 1000.
    ("C-1001", "refund_validation", "finance_ops", Some("P1"), &["R10", "S05", "A2", "A3"]),
    // shipping_correction 35.50: not >= 1000 so R11 → P2; S06 (P2); A1 (shipping_correction <= 50).
    ("C-1002", "refund_validation", "finance_ops", Some("P2"), &["R11", "S06", "A1"]),
    // fraud_review with score 0.93 >= 0.8: R02 → fraud_review P1; S01 (queue fraud_review).
    ("C-1003", "fraud_review", "risk", Some("P1"), &["R02", "S01"]),
    // payment_hold: R03 → P2; S02 (queue payment_hold_review); no approval rule names payment_hold.
    ("C-1004", "payment_hold_review", "payments", Some("P2"), &["R03", "S02"]),
    // allocation_failure with split_shipment: R04 → P2; S06.
    ("C-1005", "allocation_failure_review", "inventory_ops", Some("P2"), &["R04", "S06"]),
    // shipment_exception, platinum tier: R07 → P2; S06.
    ("C-1006", "shipment_exception_handling", "logistics", Some("P2"), &["R07", "S06"]),
    // return_authorization: R09 → P3; S07 (fallback).
    ("C-1007", "return_authorization_support", "returns", Some("P3"), &["R09", "S07"]),
    // vendor_failure with 4 failures in 90 days: R12 → P2; S06; A4 procurement_lead.
    ("C-1008", "vendor_escalation", "procurement", Some("P2"), &["R12", "S06", "A4"]),
    // service_incident affecting 340 orders: R01 → P1; S01 (queue incident_command); A5 leadership.
    ("C-1009", "incident_command", "ops_leadership", Some("P1"), &["R01", "S01", "A5"]),
    // refund without order_id (required for `*`): intake → data_quality_review, rule `invalid`,
    // no priority; SLA targets: region eu and no priority → S07; A2 (refund, 420 > 50).
    ("C-1010", "data_quality_review", "order_ops", None, &["invalid", "S07", "A2"]),
    // refund with amount "not-a-number": bad_type → invalid; amount counts as absent, so
    // neither A2 nor A3 (tests on an absent field do not hold); S07.
    ("C-1011", "data_quality_review", "order_ops", None, &["invalid", "S07"]),
    // refund 2400.00 USD = 2208.0000 EUR at 0.92 → R10 → P1; region us + P1 → S03; A2, A3.
    ("C-1013", "refund_validation", "finance_ops", Some("P1"), &["R10", "S03", "A2", "A3"]),
    // shipment_exception without a tier: R07's tier test fails on the absent field → R08 P3;
    // region us → S04.
    ("C-1014", "shipment_exception_handling", "logistics", Some("P3"), &["R08", "S04"]),
    // adjustment 2600: R10 → P1; S05; A2 only (A3 is for refunds).
    ("C-1015", "refund_validation", "finance_ops", Some("P1"), &["R10", "S05", "A2"]),
];

#[test]
fn every_example_case_routes_as_reasoned() {
    for (id, queue, owner, priority, trace) in ROUTES {
        let o = outcome(id);
        assert_eq!(o["id"], *id);
        assert_eq!(o["queue"], *queue, "{id} queue");
        assert_eq!(o["owner"], *owner, "{id} owner");
        assert_eq!(o["priority"].as_str(), *priority, "{id} priority");
        assert_eq!(strs(&o["trace"]), *trace, "{id} trace");
        assert_eq!(o["policy"]["name"], "acme-order-ops");
        assert_eq!(o["policy"]["version"], "2026.11.2");
        assert!(o["policy"]["fingerprint"].as_str().is_some_and(|f| f.starts_with("sha256:") && f.len() == 71));
    }
}

#[test]
fn intake_issues_of_the_examples() {
    // C-1010 lacks order_id, required for every kind (`*`).
    let o = outcome("C-1010");
    assert_eq!(
        o["issues"],
        json!([{"code": "missing_field", "field": "order_id", "detail": "required field is absent"}])
    );
    // C-1011's amount is not a decimal: one bad_type issue, and no second missing_field
    // issue for the same field (refunds require amount).
    assert_eq!(codes(&outcome("C-1011")), ["bad_type"]);
    assert_eq!(outcome("C-1011")["issues"][0]["field"], "amount");
    // Valid cases carry no issues.
    for id in ["C-1001", "C-1002", "C-1003", "C-1013", "C-1015"] {
        assert_eq!(codes(&outcome(id)), Vec::<String>::new(), "{id}");
    }
}

#[test]
fn a_case_without_kind_gets_an_error_and_nothing_else() {
    // C-1012 has no `kind`: an outcome with `error`, no queue, and the batch goes on.
    let o = outcome("C-1012");
    assert_eq!(o["id"], "C-1012");
    assert_eq!(o["error"]["code"], "missing_kind");
    assert!(o.get("queue").is_none() && o.get("sla").is_none() && o.get("trace").is_none());
}

#[test]
fn approvals_of_the_examples() {
    // C-1001 (spec): A2 by_limit 1250 → ops_manager (team_lead 250 < 1250 <= 2500), A3 adds
    // finance_reviewer; u-7's ops_manager approval fills the first step; barred: the
    // requester agent-17 and u-7 (distinct approvers).
    assert_eq!(
        outcome("C-1001")["approvals"],
        json!({"steps": [{"role": "ops_manager", "rule": "A2", "done_by": "u-7"}, {"role": "finance_reviewer", "rule": "A3"}],
               "remaining": ["finance_reviewer"], "barred": ["agent-17", "u-7"]})
    );
    // C-1002: A1 team_lead; requester agent-3 barred.
    assert_eq!(
        outcome("C-1002")["approvals"],
        json!({"steps": [{"role": "team_lead", "rule": "A1"}], "remaining": ["team_lead"], "barred": ["agent-3"]})
    );
    // C-1013: 2208.0000 EUR → ops_manager (<= 2500); A3 finance_reviewer.
    assert_eq!(outcome("C-1013")["approvals"]["remaining"], json!(["ops_manager", "finance_reviewer"]));
    // C-1015: 2600 > ops_manager's 2500 → finance_reviewer (25000).
    assert_eq!(outcome("C-1015")["approvals"]["steps"], json!([{"role": "finance_reviewer", "rule": "A2"}]));
    // C-1010: 420 → ops_manager.
    assert_eq!(outcome("C-1010")["approvals"]["remaining"], json!(["ops_manager"]));
    // C-1003: no approval rule matches a fraud review.
    assert_eq!(outcome("C-1003")["approvals"], json!({"steps": [], "remaining": [], "barred": []}));
}

#[test]
fn the_example_policy_compiles_without_warnings() {
    let e = example_engine();
    assert!(e.warnings().is_empty(), "{:?}", e.warnings());
    assert_eq!(e.metrics().collect::<Vec<_>>(), ["response", "resolution"]);
}

#[test]
fn fingerprint_ignores_key_order_and_whitespace() {
    let a: Value = serde_json::from_str(EXAMPLE_POLICY).unwrap();
    // Re-serialize compactly, and with every object's keys reversed.
    fn reverse(v: &Value) -> Value {
        match v {
            Value::Object(m) => {
                let mut r = serde_json::Map::new();
                for (k, x) in m.iter().rev() {
                    r.insert(k.clone(), reverse(x));
                }
                Value::Object(r)
            }
            Value::Array(a) => Value::Array(a.iter().map(reverse).collect()),
            other => other.clone(),
        }
    }
    let compact = a.to_string();
    let reversed = serde_json::to_string_pretty(&reverse(&a)).unwrap();
    assert_ne!(compact, reversed);
    let f0 = example_engine().fingerprint().to_string();
    assert_eq!(docket_core::Engine::compile(&compact).unwrap().fingerprint(), f0);
    assert_eq!(docket_core::Engine::compile(&reversed).unwrap().fingerprint(), f0);
    // Numbers count by value: `1.0` and `1` are the same number.
    let ints = EXAMPLE_POLICY.replace("\"at\": 1.0", "\"at\": 1").replace("\"at\": 2.0", "\"at\": 2");
    assert_ne!(ints, EXAMPLE_POLICY);
    assert_eq!(docket_core::Engine::compile(&ints).unwrap().fingerprint(), f0);
    // A change of meaning changes it.
    let changed = EXAMPLE_POLICY.replace("\"warn_at\": 0.75", "\"warn_at\": 0.8");
    assert_ne!(changed, EXAMPLE_POLICY);
    assert_ne!(docket_core::Engine::compile(&changed).unwrap().fingerprint(), f0);
}

#[test]
fn a_batch_gives_the_same_outcomes_in_input_order() {
    let e = example_engine();
    let cases: Vec<docket_core::Case> = EXAMPLE_CASES
        .lines()
        .map(|l| {
            let mut c = docket_core::Case::new();
            e.decode_json(l, &mut c);
            c
        })
        .collect();
    let mut outs = vec![docket_core::Outcome::new(); cases.len()];
    assert_eq!(e.evaluate_batch(&cases, t(NOW), &mut outs), 15);
    for (line, o) in EXAMPLE_CASES.lines().zip(&outs) {
        let alone = eval_str(&e, line, NOW);
        let batched: Value = serde_json::from_str(&e.outcome_json(o)).unwrap();
        assert_eq!(alone, batched);
    }
}
