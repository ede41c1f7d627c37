//! Decision tables: every hit policy, every test form, money and fx, intake validation.
//! Expected values follow from the policy format's rules, stated beside each check.

use docket_tests::*;
use serde_json::{Value, json};

fn fields() -> Value {
    json!({
        "kind": {"type": "enum", "values": ["k", "j"]},
        "tier": {"type": "enum", "values": ["std", "gold", "plat"]},
        "s": {"type": "string"},
        "n": {"type": "integer"},
        "x": {"type": "number"},
        "amount": {"type": "money"},
        "flag": {"type": "bool"},
        "ts": {"type": "timestamp"}
    })
}

/// Whether `test` on `field` holds for a case with `value` (absent when `Value::Null` is
/// passed as `None`): the rule routes to `a`, the default to `b`.
fn holds(field: &str, test: Value, value: Option<Value>) -> bool {
    let e = engine(&policy_with(
        fields(),
        json!({"hit": "first", "rules": [{"id": "T", "when": {field: test}, "then": {"queue": "a"}}], "default": {"queue": "b"}}),
    ));
    let mut case = json!({});
    if let Some(v) = value {
        case[field] = v;
    }
    let (q, _, trace, issues) = route(&e, case);
    assert!(issues.is_empty(), "unexpected issues {issues:?}");
    match q.as_deref() {
        Some("a") => {
            assert_eq!(trace, ["T"]);
            true
        }
        Some("b") => {
            assert_eq!(trace, ["routing.default"]);
            false
        }
        other => panic!("unexpected queue {other:?}"),
    }
}

#[test]
fn enum_and_string_tests() {
    assert!(holds("tier", json!("gold"), Some(json!("gold"))));
    assert!(!holds("tier", json!("gold"), Some(json!("std"))));
    assert!(holds("tier", json!(["gold", "plat"]), Some(json!("plat"))));
    assert!(!holds("tier", json!(["gold", "plat"]), Some(json!("std"))));
    assert!(holds("tier", json!({"not": "gold"}), Some(json!("std"))));
    assert!(!holds("tier", json!({"not": ["gold", "std"]}), Some(json!("std"))));
    // A test on an absent field does not hold, negated or not; only `null` does.
    assert!(!holds("tier", json!({"not": "gold"}), None));
    assert!(holds("tier", json!(null), None));
    assert!(!holds("tier", json!(null), Some(json!("gold"))));
    assert!(holds("tier", json!({"not": null}), Some(json!("gold"))));
    // Strings: a value no test names still compares correctly.
    assert!(holds("s", json!("DHL"), Some(json!("DHL"))));
    assert!(!holds("s", json!("DHL"), Some(json!("UPS"))));
    assert!(holds("s", json!({"not": "DHL"}), Some(json!("UPS"))));
    assert!(holds("s", json!(["DHL", "UPS"]), Some(json!("UPS"))));
}

#[test]
fn numeric_tests_and_ranges() {
    let n = |test: Value, v: i64| holds("n", test, Some(json!(v)));
    assert!(n(json!(5), 5) && !n(json!(5), 4));
    assert!(n(json!("< 5"), 4) && !n(json!("< 5"), 5));
    assert!(n(json!("<= 5"), 5) && !n(json!("<= 5"), 6));
    assert!(n(json!("> 5"), 6) && !n(json!("> 5"), 5));
    assert!(n(json!(">= 5"), 5) && !n(json!(">= 5"), 4));
    assert!(n(json!("!= 5"), 4) && !n(json!("!= 5"), 5));
    // [1..10] includes both ends; ( and ) exclude them.
    assert!(n(json!("[1..10]"), 1) && n(json!("[1..10]"), 10) && !n(json!("[1..10]"), 11));
    assert!(n(json!("[1..10)"), 1) && !n(json!("[1..10)"), 10));
    assert!(!n(json!("(1..10]"), 1) && n(json!("(1..10]"), 10));
    assert!(!n(json!("(1..10)"), 1) && n(json!("(1..10)"), 2) && !n(json!("(1..10)"), 10));
    // A list: any alternative holds.
    assert!(
        n(json!(["< 0", "[5..6]", 9]), 9) && n(json!(["< 0", "[5..6]", 9]), 6) && !n(json!(["< 0", "[5..6]", 9]), 7)
    );
    assert!(n(json!({"not": "[1..10]"}), 11) && !n(json!({"not": "[1..10]"}), 3));
    // Numbers compare numerically: 0.93 >= 0.8.
    assert!(holds("x", json!(">= 0.8"), Some(json!(0.93))));
    assert!(!holds("x", json!(">= 0.8"), Some(json!(0.79))));
    assert!(holds("x", json!("(0..1)"), Some(json!(0.5))));
    // An integer given as 3.0 is still the integer 3.
    assert!(n(json!(3), 3) && holds("n", json!(3), Some(json!(3.0))));
}

#[test]
fn bool_and_timestamp_tests() {
    assert!(holds("flag", json!(true), Some(json!(true))));
    assert!(!holds("flag", json!(true), Some(json!(false))));
    assert!(holds("flag", json!(false), Some(json!(false))));
    assert!(!holds("flag", json!(false), None));
    let ts = |test: Value, v: &str| holds("ts", test, Some(json!(v)));
    assert!(ts(json!("< 2026-12-01T00:00:00Z"), "2026-11-30T23:59:59Z"));
    assert!(!ts(json!("< 2026-12-01T00:00:00Z"), "2026-12-01T00:00:00Z"));
    // Offsets are honoured: 01:00+01:00 is 00:00Z.
    assert!(ts(json!(">= 2026-12-01T00:00:00Z"), "2026-12-01T01:00:00+01:00"));
    assert!(ts(json!("[2026-11-01T00:00:00Z..2026-12-01T00:00:00Z)"), "2026-11-15T12:00:00Z"));
    assert!(!ts(json!("[2026-11-01T00:00:00Z..2026-12-01T00:00:00Z)"), "2026-12-01T00:00:00Z"));
}

#[test]
fn money_is_exact_and_converted() {
    let m = |test: Value, v: Value, cur: Option<&str>| {
        let e = engine(&policy_with(
            fields(),
            json!({"hit": "first", "rules": [{"id": "T", "when": {"amount": test}, "then": {"queue": "a"}}], "default": {"queue": "b"}}),
        ));
        let mut case = json!({"amount": v});
        if let Some(c) = cur {
            case["currency"] = json!(c);
        }
        let (q, _, _, issues) = route(&e, case);
        (q.as_deref() == Some("a"), issues)
    };
    // 1000.00 equals 1000.
    assert_eq!(m(json!(">= 1000"), json!("1000.00"), None), (true, vec![]));
    assert_eq!(m(json!(1000), json!("1000.00"), None), (true, vec![]));
    assert_eq!(m(json!(">= 1000"), json!("999.999"), None), (false, vec![]));
    // Decimal edges: 250.01 > 250, 0.1 + nothing lost from a JSON number.
    assert_eq!(m(json!("> 250"), json!("250.01"), None), (true, vec![]));
    assert_eq!(m(json!("<= 250"), json!(250.00), None), (true, vec![]));
    assert_eq!(m(json!("0.1"), json!(0.1), None), (true, vec![]));
    // USD at 0.92: 1087 USD = 1000.04 EUR >= 1000; 1086.95 USD = 999.9940 EUR < 1000.
    assert_eq!(m(json!(">= 1000"), json!("1087"), Some("USD")), (true, vec![]));
    assert_eq!(m(json!(">= 1000"), json!("1086.95"), Some("USD")), (false, vec![]));
    // 1086.9565 USD * 0.92 = 999.99998 — still below, exactly.
    assert_eq!(m(json!(">= 1000"), json!("1086.9565"), Some("USD")), (false, vec![]));
    // The policy currency needs no rate.
    assert_eq!(m(json!(">= 1000"), json!("1000"), Some("EUR")), (true, vec![]));
    // An unknown currency: issue, and money counts as absent (so `null` would hold).
    assert_eq!(m(json!(">= 0"), json!("5"), Some("JPY")), (false, vec!["unknown_currency".to_string()]));
    assert_eq!(m(json!(null), json!("5"), Some("JPY")), (true, vec!["unknown_currency".to_string()]));
}

fn table(hit: Value, rules: Value, extra: Value) -> docket_core::Engine {
    let mut r = json!({"rules": rules});
    if !hit.is_null() {
        r["hit"] = hit;
    }
    if let Value::Object(m) = extra {
        for (k, v) in m {
            r[k] = v;
        }
    }
    engine(&policy_with(fields(), r))
}

/// `unique` rules: U1 and U3 both match n >= 7.
fn unique_rules() -> Value {
    json!([
        {"id": "U1", "when": {"n": ">= 5"}, "then": {"queue": "a", "priority": "P1"}},
        {"id": "U2", "when": {"n": "< 5"}, "then": {"queue": "b", "priority": "P2"}},
        {"id": "U3", "when": {"n": ">= 7"}, "then": {"queue": "c", "priority": "P1"}}
    ])
}

/// `any` rules: A1 and A2 agree, A3 (n >= 7) does not.
fn any_rules() -> Value {
    json!([
        {"id": "A1", "when": {"n": ">= 5"}, "then": {"queue": "a", "priority": "P1"}},
        {"id": "A2", "when": {"n": ">= 6"}, "then": {"queue": "a", "priority": "P1"}},
        {"id": "A3", "when": {"n": ">= 7"}, "then": {"queue": "b", "priority": "P1"}}
    ])
}

/// A catch-all L, then H and M ranked by priority P1 < P2 < P3.
fn ranked_rules() -> Value {
    json!([
        {"id": "L", "when": {}, "then": {"queue": "c", "priority": "P3"}},
        {"id": "H", "when": {"n": ">= 5"}, "then": {"queue": "a", "priority": "P1"}},
        {"id": "M", "when": {"n": ">= 3"}, "then": {"queue": "b", "priority": "P2"}}
    ])
}

#[test]
fn hit_unique_and_any() {
    let rules = unique_rules();
    // `unique` is the default hit policy: one match decides...
    let e = table(Value::Null, rules.clone(), json!({}));
    assert_eq!(route(&e, json!({"n": 6})), (Some("a".into()), Some("P1".into()), vec!["U1".into()], vec![]));
    assert_eq!(route(&e, json!({"n": 1})).0.as_deref(), Some("b"));
    // ...two matches are `ambiguous_rules` and decide nothing.
    let (q, _, trace, issues) = route(&e, json!({"n": 8}));
    assert_eq!((q, trace, issues), (None, vec![], vec!["ambiguous_rules".to_string()]));
    let o =
        eval(&e, &json!({"id": "X", "kind": "k", "opened_at": "2026-11-23T08:00:00Z", "n": 8}), "2026-11-23T09:00:00Z");
    assert!(o["issues"][0]["detail"].as_str().unwrap().contains("U1, U3"));
    // `any`: equal outputs are fine (first decides), unequal ones are ambiguous.
    let any_rules = any_rules();
    let e = table(json!("any"), any_rules, json!({}));
    assert_eq!(route(&e, json!({"n": 6})).0.as_deref(), Some("a"));
    assert_eq!(route(&e, json!({"n": 6})).2, ["A1"]);
    assert_eq!(route(&e, json!({"n": 7})).3, ["ambiguous_rules"]);
}

#[test]
fn hit_priority_first_rule_order_output_order() {
    let rules = ranked_rules();
    let outputs = json!({"outputs": {"priority": ["P1", "P2", "P3"]}});
    // priority: the matching rule whose priority ranks first.
    let e = table(json!("priority"), rules.clone(), outputs.clone());
    assert_eq!(route(&e, json!({"n": 6})).2, ["H"]);
    assert_eq!(route(&e, json!({"n": 4})).2, ["M"]);
    assert_eq!(route(&e, json!({"n": 1})).2, ["L"]);
    // output_order: every match sorted by rank; routing takes the first.
    let e = table(json!("output_order"), rules.clone(), outputs);
    assert_eq!(route(&e, json!({"n": 4})).0.as_deref(), Some("b"));
    // first: table order, so the catch-all L always wins: H and M can never decide
    // (unreachable_rule, by L). Under priority (above) L ranks last and all three decide.
    let e = table(json!("first"), rules.clone(), json!({}));
    assert_eq!(route(&e, json!({"n": 6})).2, ["L"]);
    let unreachable = |e: &docket_core::Engine| -> Vec<(String, String)> {
        e.warnings()
            .iter()
            .filter(|w| w.code.as_str() == "unreachable_rule")
            .map(|w| (w.path.clone(), w.message.clone()))
            .collect()
    };
    assert_eq!(
        unreachable(&e),
        [
            (
                "/routing/rules/1".to_string(),
                "rule `H` can never decide: the rules before it (`L`) match every case it matches".to_string()
            ),
            (
                "/routing/rules/2".to_string(),
                "rule `M` can never decide: the rules before it (`L`) match every case it matches".to_string()
            ),
        ]
    );
    let e = table(json!("priority"), rules.clone(), json!({"outputs": {"priority": ["P1", "P2", "P3"]}}));
    assert_eq!(unreachable(&e), []);
    // rule_order and collect: every match in table order; routing takes the first.
    for hit in ["rule_order", "collect"] {
        let e = table(json!(hit), rules.clone(), json!({}));
        assert_eq!(route(&e, json!({"n": 6})).0.as_deref(), Some("c"), "{hit}");
    }
}

/// `rules` followed by 64 rules no case below matches (`n < -1000`): more than the 64 rules
/// a table compiles to masks, so the table is evaluated rule by rule.
fn padded(rules: &Value) -> Value {
    let mut all = rules.as_array().cloned().unwrap_or_default();
    all.extend(
        (0..64).map(
            |i| json!({"id": format!("F{i}"), "when": {"n": "< -1000"}, "then": {"queue": "c", "priority": "P3"}}),
        ),
    );
    Value::Array(all)
}

#[test]
fn hit_policies_decide_alike_rule_by_rule() {
    // The tables of the two tests above, too large for masks: the same decisions (each
    // `route` call also checks that `Engine::route` agrees with the full evaluation).
    let unique = unique_rules();
    let e = table(Value::Null, padded(&unique), json!({}));
    assert_eq!(route(&e, json!({"n": 6})), (Some("a".into()), Some("P1".into()), vec!["U1".into()], vec![]));
    assert_eq!(route(&e, json!({"n": 1})).2, ["U2"]);
    let (q, _, trace, issues) = route(&e, json!({"n": 8}));
    assert_eq!((q, trace, issues), (None, vec![], vec!["ambiguous_rules".to_string()]));
    let o =
        eval(&e, &json!({"id": "X", "kind": "k", "opened_at": "2026-11-23T08:00:00Z", "n": 8}), "2026-11-23T09:00:00Z");
    assert!(o["issues"][0]["detail"].as_str().unwrap().contains("U1, U3"));
    // No rule matches (n < -1000 matches U2 and every filler: ambiguous too).
    assert_eq!(route(&e, json!({})).3, ["unrouted"]);
    assert_eq!(route(&e, json!({"n": -2000})).3, ["ambiguous_rules"]);
    let any = any_rules();
    let e = table(json!("any"), padded(&any), json!({}));
    assert_eq!(route(&e, json!({"n": 6})).2, ["A1"]);
    assert_eq!(route(&e, json!({"n": 7})).3, ["ambiguous_rules"]);
    let ranked = ranked_rules();
    let outputs = json!({"outputs": {"priority": ["P1", "P2", "P3"]}});
    let e = table(json!("priority"), padded(&ranked), outputs.clone());
    assert_eq!(route(&e, json!({"n": 6})).2, ["H"]);
    assert_eq!(route(&e, json!({"n": 4})).2, ["M"]);
    assert_eq!(route(&e, json!({"n": 1})).2, ["L"]);
    let e = table(json!("output_order"), padded(&ranked), outputs);
    assert_eq!(route(&e, json!({"n": 4})).0.as_deref(), Some("b"));
}

#[test]
fn defaults_and_unrouted() {
    let rules = json!([{"id": "R1", "when": {"tier": "gold"}, "then": {"queue": "a"}}]);
    let e = table(json!("first"), rules.clone(), json!({"default": {"queue": "b", "priority": "P9"}}));
    assert_eq!(
        route(&e, json!({"tier": "std"})),
        (Some("b".into()), Some("P9".into()), vec!["routing.default".into()], vec![])
    );
    let e = table(json!("first"), rules, json!({}));
    assert_eq!(route(&e, json!({"tier": "std"})), (None, None, vec![], vec!["unrouted".into()]));
}

#[test]
fn later_tables_test_routing_outputs() {
    // Approvals may test `queue` and `priority`, which routing set.
    let mut p = policy_with(
        fields(),
        json!({"hit": "first", "rules": [
            {"id": "R1", "when": {"n": ">= 5"}, "then": {"queue": "a", "priority": "P1"}},
            {"id": "R2", "when": {}, "then": {"queue": "b", "priority": "P2"}}]}),
    );
    p["roles"] = json!({"lead": {}, "boss": {}});
    p["approvals"] = json!({"hit": "collect", "rules": [
        {"id": "A1", "when": {"queue": "a"}, "then": {"role": "lead"}},
        {"id": "A2", "when": {"priority": "P2"}, "then": {"role": "boss"}}]});
    let e = engine(&p);
    assert_eq!(route(&e, json!({"n": 9})).2, ["R1", "A1"]);
    assert_eq!(route(&e, json!({"n": 1})).2, ["R2", "A2"]);
}

#[test]
fn intake_validation() {
    let mut p = policy_with(
        fields(),
        json!({"hit": "first", "rules": [{"id": "R", "when": {}, "then": {"queue": "a", "priority": "P1"}}]}),
    );
    p["required"] = json!({"*": ["s"], "k": ["n"]});
    p["invalid_queue"] = json!("invalid");
    let e = engine(&p);
    // Complete: routed normally.
    assert_eq!(route(&e, json!({"kind": "k", "s": "x", "n": 1})).2, ["R"]);
    // Missing a field required for its kind → invalid queue, rule `invalid`.
    assert_eq!(
        route(&e, json!({"kind": "k", "s": "x"})),
        (Some("invalid".into()), None, vec!["invalid".into()], vec!["missing_field".into()])
    );
    // `j` does not require n.
    assert_eq!(route(&e, json!({"kind": "j", "s": "x"})).0.as_deref(), Some("a"));
    // Wrong type and unknown enum value: one issue per problem.
    let (q, _, _, issues) = route(&e, json!({"kind": "k", "s": 5, "n": "x", "tier": "bronze"}));
    assert_eq!(q.as_deref(), Some("invalid"));
    assert_eq!(issues, ["bad_type", "bad_type", "unknown_enum_value"]);
    // Unknown keys are ignored; a null is absent.
    assert_eq!(route(&e, json!({"kind": "k", "s": "x", "n": 1, "whatever": [1, 2], "tier": null})).2, ["R"]);
    // An unknown kind is an intake problem (unknown_enum_value), not a batch failure.
    assert_eq!(route(&e, json!({"kind": "zz", "s": "x"})).3, ["unknown_enum_value"]);
}

#[test]
fn unusable_cases_get_errors() {
    let e = example_engine();
    let err = |case: &str| eval_str(&e, case, "2026-11-23T09:00:00Z")["error"]["code"].as_str().map(String::from);
    assert_eq!(err(r#"{"kind":"refund","opened_at":"2026-11-23T08:00:00Z"}"#).as_deref(), Some("missing_id"));
    assert_eq!(err(r#"{"id":7,"kind":"refund","opened_at":"2026-11-23T08:00:00Z"}"#).as_deref(), Some("bad_id"));
    assert_eq!(err(r#"{"id":"A","kind":3,"opened_at":"2026-11-23T08:00:00Z"}"#).as_deref(), Some("bad_kind"));
    assert_eq!(err(r#"{"id":"A","kind":"refund"}"#).as_deref(), Some("missing_opened_at"));
    assert_eq!(err(r#"{"id":"A","kind":"refund","opened_at":"yesterday"}"#).as_deref(), Some("bad_opened_at"));
    assert_eq!(err(r#"[1,2]"#).as_deref(), Some("not_an_object"));
    assert_eq!(err(r#"{"id":"A","kind":"#).as_deref(), Some("bad_json"));
}

/// A routing table testing twelve fields, read by their storage positions (`Engine::store`,
/// relocated masks): each integer field decides one rule, so every field must be read
/// from its own place. Rule `Ri` tests
/// `fi = i` (first hit); a case with only `fi = i` set takes `Ri`, one with `fi = i + 1`
/// takes none (the default). The same with more than 64 rules, where the table is
/// evaluated rule by rule instead of by masks.
#[test]
fn routing_reads_each_of_many_fields_from_its_own_place() {
    for extra in [0usize, 70] {
        let mut fields = serde_json::Map::new();
        fields.insert("kind".into(), json!({"type": "enum", "values": ["k", "j"]}));
        for i in 0..12 {
            fields.insert(format!("f{i}"), json!({"type": "integer"}));
        }
        let mut rules: Vec<Value> = (0..12)
            .map(|i| json!({"id": format!("R{i}"), "when": {format!("f{i}"): i}, "then": {"queue": "a"}}))
            .collect();
        // Never matching (`kind` is never "j" below): only there to pass the mask limit.
        rules.extend((0..extra).map(|i| json!({"id": format!("X{i}"), "when": {"kind": "j"}, "then": {"queue": "c"}})));
        let e = engine(&policy_with(
            Value::Object(fields),
            json!({"hit": "first", "rules": rules, "default": {"queue": "b"}}),
        ));
        for i in 0..12i64 {
            let (q, _, trace, _) = route(&e, json!({format!("f{i}"): i}));
            assert_eq!((q.as_deref(), trace), (Some("a"), vec![format!("R{i}")]), "f{i} = {i}, {extra} extra rules");
            let (q, _, trace, _) = route(&e, json!({format!("f{i}"): i + 1}));
            assert_eq!((q.as_deref(), trace), (Some("b"), vec!["routing.default".to_string()]), "f{i} = {}", i + 1);
        }
    }
}
