//! Every compile error code, each with its JSON pointer; every problem reported at once.

use docket_core::Engine;
use docket_tests::*;
use serde_json::{Value, json};

fn errors(p: &Value) -> Vec<(String, String)> {
    match Engine::compile_value(p) {
        Ok(_) => vec![],
        Err(e) => e.errors.iter().map(|d| (d.code.as_str().to_string(), d.path.clone())).collect(),
    }
}

fn base() -> Value {
    policy_with(
        json!({"kind": {"type": "enum", "values": ["k", "j"]}, "n": {"type": "integer"}, "amount": {"type": "money"}}),
        json!({"hit": "first", "rules": [{"id": "R1", "when": {"kind": "k"}, "then": {"queue": "a"}}]}),
    )
}

fn with(path: &[&str], v: Value) -> Value {
    let mut p = base();
    let mut cur = &mut p;
    for (i, k) in path.iter().enumerate() {
        if i + 1 == path.len() {
            cur[*k] = v.clone();
        } else {
            cur = &mut cur[*k];
        }
    }
    p
}

fn rule(when: Value) -> Value {
    with(&["routing", "rules"], json!([{"id": "R1", "when": when, "then": {"queue": "a"}}]))
}

fn one(p: Value, code: &str, path: &str) {
    assert_eq!(errors(&p), vec![(code.to_string(), path.to_string())]);
}

#[test]
fn base_compiles() {
    assert_eq!(errors(&base()), vec![]);
}

#[test]
fn every_code_with_its_path() {
    one(with(&["docket"], json!(2)), "unsupported_version", "/docket");
    one(with(&["colour"], json!("red")), "unknown_key", "/colour");
    one(with(&["fields", "n", "type"], json!("int")), "bad_value", "/fields/n/type");
    one(with(&["fields", "n"], json!("integer")), "wrong_type", "/fields/n");
    one(rule(json!({"kind": "x"})), "not_in_enum", "/routing/rules/0/when/kind");
    one(rule(json!({"n": ">> 5"})), "bad_test", "/routing/rules/0/when/n");
    one(rule(json!({"n": "[10..1]"})), "empty_range", "/routing/rules/0/when/n");
    one(rule(json!({"n": "(3..3]"})), "empty_range", "/routing/rules/0/when/n");
    one(rule(json!({"nn": 5})), "unknown_field", "/routing/rules/0/when/nn");
    one(rule(json!({"amount": ["< 5", "abc"]})), "bad_test", "/routing/rules/0/when/amount/1");
    one(
        with(&["routing", "rules"], json!([{"id": "R1", "then": {"queue": "zz"}}])),
        "unknown_queue",
        "/routing/rules/0/then/queue",
    );
    one(
        with(
            &["routing", "rules"],
            json!([{"id": "R1", "then": {"queue": "a"}}, {"id": "R1", "when": {"n": 1}, "then": {"queue": "b"}}]),
        ),
        "duplicate_rule_id",
        "/routing/rules/1/id",
    );
    one(with(&["routing", "hit"], json!("best")), "bad_value", "/routing/hit");
    one(with(&["invalid_queue"], json!("nowhere")), "unknown_queue", "/invalid_queue");
    one(with(&["fx", "USD"], json!("abc")), "bad_decimal", "/fx/USD");
    one(with(&["required"], json!({"k": ["nope"]})), "unknown_field", "/required/k/0");
    let mut p = base();
    p["calendars"] = json!({"c": {"timezone": "UTC", "week": "24x7"}});
    p["sla"] = json!({"metrics": ["response"], "targets": {"rules": [{"id": "S1", "then": {"calendar": "nope", "response": "1h"}}]}});
    one(p.clone(), "unknown_calendar", "/sla/targets/rules/0/then/calendar");
    p["sla"]["targets"]["rules"][0]["then"] = json!({"calendar": "c", "response": "1 hour"});
    one(p.clone(), "bad_duration", "/sla/targets/rules/0/then/response");
    p["sla"]["targets"]["rules"][0]["then"] = json!({"calendar": "c", "reply": "1h"});
    one(p.clone(), "unknown_metric", "/sla/targets/rules/0/then/reply");
    let mut p = base();
    p["roles"] = json!({"lead": {"limit": "250"}});
    p["approvals"] = json!({"rules": [{"id": "A1", "then": {"role": "king"}}]});
    one(p.clone(), "unknown_role", "/approvals/rules/0/then/role");
    p["roles"] = json!({"lead": {"limit": "lots"}});
    p["approvals"] = json!({"rules": []});
    one(p, "bad_decimal", "/roles/lead/limit");
    one(with(&["routing", "hit"], json!("priority")), "bad_outputs", "/routing");
    assert_eq!(errors(&json!({"docket": 1})).first().map(|e| e.0.as_str()), Some("missing_key"));
    match Engine::compile("{not json") {
        Err(e) => assert_eq!(e.errors[0].code.as_str(), "invalid_json"),
        Ok(_) => panic!("compiled"),
    }
}

#[test]
fn every_problem_is_reported_at_once() {
    let mut p = base();
    p["docket"] = json!(9);
    p["extra"] = json!(1);
    p["routing"]["rules"] = json!([
        {"id": "R1", "when": {"kind": "x", "n": "[9..1]"}, "then": {"queue": "zz"}},
        {"id": "R1", "when": {"nope": 1}, "then": {"queue": "a"}}
    ]);
    let got = errors(&p);
    let want = [
        ("unknown_key", "/extra"),
        ("unsupported_version", "/docket"),
        ("not_in_enum", "/routing/rules/0/when/kind"),
        ("empty_range", "/routing/rules/0/when/n"),
        ("unknown_queue", "/routing/rules/0/then/queue"),
        ("duplicate_rule_id", "/routing/rules/1/id"),
        ("unknown_field", "/routing/rules/1/when/nope"),
    ];
    for (code, path) in want {
        assert!(got.contains(&(code.to_string(), path.to_string())), "missing {code} at {path} in {got:?}");
    }
    assert_eq!(got.len(), want.len(), "{got:?}");
}

#[test]
fn limits_are_specific_errors() {
    let text = base().to_string();
    let limits = docket_core::Limits { max_policy_bytes: 100, ..docket_core::Limits::default() };
    match Engine::compile_with_limits(&text, limits) {
        Err(e) => assert_eq!((e.errors[0].code.as_str(), e.errors[0].path.as_str()), ("limit_exceeded", "")),
        Ok(_) => panic!("a policy over the size limit compiled"),
    }
    // Field slots are 16-bit: 65,001 declared fields exceed the limit of 65,000; 65,000
    // (with the routing table testing the last one) compile and route by it.
    let fields = |n: usize| {
        let mut f = serde_json::Map::new();
        f.insert("kind".into(), json!({"type": "enum", "values": ["k", "j"]}));
        for i in 1..n {
            f.insert(format!("f{i}"), json!({"type": "integer"}));
        }
        Value::Object(f)
    };
    one(with(&["fields"], fields(docket_core::MAX_FIELDS + 1)), "limit_exceeded", "/fields");
    let last = format!("f{}", docket_core::MAX_FIELDS - 1);
    let mut p = with(&["fields"], fields(docket_core::MAX_FIELDS));
    p["routing"] = json!({"hit": "first", "rules": [
        {"id": "R1", "when": {"kind": "k", last.clone(): 7}, "then": {"queue": "a"}},
        {"id": "R2", "then": {"queue": "b"}}]});
    let e = Engine::compile_value(&p).expect("65,000 fields compile");
    let q = |c: &str| {
        let o = eval_str(&e, c, "2026-11-23T10:00:00Z");
        o["queue"].as_str().map(str::to_string)
    };
    let case = |v: i64| format!(r#"{{"id":"C","kind":"k","opened_at":"2026-11-23T08:00:00Z","{last}":{v}}}"#);
    assert_eq!(q(&case(7)).as_deref(), Some("a"));
    assert_eq!(q(&case(8)).as_deref(), Some("b"));
    // 10,001 rules exceed the per-table limit of 10,000.
    let rules: Vec<Value> =
        (0..10_001).map(|i| json!({"id": format!("R{i}"), "when": {"n": i}, "then": {"queue": "a"}})).collect();
    one(with(&["routing", "rules"], Value::Array(rules)), "limit_exceeded", "/routing/rules");
    // The host sets its own limits: two rules over a limit of one.
    let two = with(
        &["routing", "rules"],
        json!([{"id": "R1", "when": {"n": 1}, "then": {"queue": "a"}}, {"id": "R2", "then": {"queue": "b"}}]),
    );
    let tight =
        docket_core::Limits { max_rules_per_table: 1, max_windows_per_day: 1, ..docket_core::Limits::default() };
    assert!(Engine::compile_value_with_limits(&two, docket_core::Limits::default()).is_ok());
    let e = Engine::compile_value_with_limits(&two, tight).expect_err("over the host's limit");
    assert_eq!((e.errors[0].code.as_str(), e.errors[0].path.as_str()), ("limit_exceeded", "/routing/rules"));
    let mut p = base();
    p["calendars"] = json!({"c": {"timezone": "UTC", "week": {"fri": ["08:00-12:00", "13:00-17:00"]}}});
    let e = Engine::compile_value_with_limits(&p, tight).expect_err("over the host's window limit");
    assert_eq!((e.errors[0].code.as_str(), e.errors[0].path.as_str()), ("limit_exceeded", "/calendars/c/week/fri"));
}

#[test]
fn calendar_limits() {
    let mut p = base();
    let windows: Vec<String> =
        (0..49).map(|i| format!("{:02}:{:02}-{:02}:{:02}", i / 2, (i % 2) * 30, i / 2, (i % 2) * 30 + 10)).collect();
    p["calendars"] = json!({"c": {"timezone": "UTC", "week": {"mon": windows}}});
    one(p, "limit_exceeded", "/calendars/c/week/mon");
}

/// Compile errors of policy text: (code, path) each.
fn text_errors(text: &str) -> Vec<(String, String)> {
    match Engine::compile(text) {
        Ok(_) => vec![],
        Err(e) => e.errors.iter().map(|d| (d.code.as_str().to_string(), d.path.clone())).collect(),
    }
}

/// `base()` as text, with `"key": value` (raw JSON text) inserted at the start of the
/// object at JSON pointer `path`.
fn text_with(path: &str, key: &str, value: &str) -> String {
    let p = base();
    let target = p.pointer(path).expect("the object exists");
    // The object's text is unique in the document, so it can be found and patched.
    let inner = target.to_string();
    let patched = format!("{{\"{key}\":{value},{}", &inner[1..]);
    let text = p.to_string();
    assert_eq!(text.matches(&inner).count(), 1, "{inner}");
    text.replacen(&inner, &patched, 1)
}

#[test]
fn duplicate_keys_in_the_text_are_errors_with_their_paths() {
    let dup = |path: &str| vec![("duplicate_key".to_string(), path.to_string())];
    // `"currency"` twice: the text's second value used to replace the first silently.
    let text = text_with("", "currency", "\"USD\"");
    assert_eq!(text.matches("\"currency\"").count(), 2);
    assert_eq!(text_errors(&text), dup("/currency"));
    // In a nested object, inside an array, and a key that needs escaping (RFC 6901).
    assert_eq!(text_errors(&text_with("/fields", "n", r#"{"type": "integer"}"#)), dup("/fields/n"));
    assert_eq!(text_errors(&text_with("/routing/rules/0", "id", "\"R1\"")), dup("/routing/rules/0/id"));
    let text = text_with("/fields", "a/b~", r#"{"type":"integer"}"#);
    let text = text.replacen("\"a/b~\"", "\"a/b~\":{\"type\":\"integer\"},\"a/b~\"", 1);
    assert_eq!(text_errors(&text), dup("/fields/a~1b~0"));
    // Every repeat is reported, in document order, then the other problems of the policy
    // (the unknown key `colour`; the later `"hit": "first"` is a valid hit policy).
    let text = text_with("/routing", "hit", "\"best\"");
    let text = text.replacen("\"docket\":1", "\"docket\":1,\"docket\":1,\"colour\":\"red\"", 1);
    assert_eq!(
        text_errors(&text),
        vec![
            ("duplicate_key".to_string(), "/docket".to_string()),
            ("duplicate_key".to_string(), "/routing/hit".to_string()),
            ("unknown_key".to_string(), "/colour".to_string()),
        ]
    );
    // A parsed value holds one value per key: nothing to report (see `compile_value`).
    let parsed: Value = serde_json::from_str(&text_with("", "currency", "\"USD\"")).unwrap();
    assert_eq!(errors(&parsed), vec![]);
    assert_eq!(parsed["currency"], "EUR");
}

#[test]
fn repeated_names_are_errors_with_their_paths() {
    let dup = |path: &str| vec![("duplicate_name".to_string(), path.to_string())];
    // Ageing bands: two named `aging` would be two equal keys of the report's `bands`.
    let mut p = base();
    p["calendars"] = json!({"c": {"timezone": "UTC", "week": "24x7"}});
    p["sla"] = json!({"metrics": ["response"],
        "bands": {"limits": [{"name": "fresh", "under": "4h"}, {"name": "aging", "under": "8h"},
                             {"name": "aging", "under": "24h"}, {"name": "old"}]},
        "targets": {"rules": [{"id": "S1", "then": {"calendar": "c", "response": "1h"}}]}});
    assert_eq!(errors(&p), dup("/sla/bands/limits/2/name"));
    let mut sla = p.clone();
    sla["sla"]["bands"]["limits"][2]["name"] = json!("stale");
    assert_eq!(errors(&sla), vec![]);
    // Metrics and enum values.
    let mut q = sla.clone();
    q["sla"]["metrics"] = json!(["response", "response"]);
    assert_eq!(errors(&q), dup("/sla/metrics/1"));
    assert_eq!(errors(&with(&["fields", "kind", "values"], json!(["k", "j", "k"]))), dup("/fields/kind/values/2"));
    // A rank list of `outputs`, and a column the table does not output.
    let mut q = base();
    q["routing"]["outputs"] = json!({"queue": ["a", "b", "a"]});
    assert_eq!(errors(&q), dup("/routing/outputs/queue/2"));
    q["routing"]["outputs"] = json!({"queu": ["a", "b"]});
    assert_eq!(errors(&q), vec![("unknown_key".to_string(), "/routing/outputs/queu".to_string())]);
    // `required` fields, an action's roles and its evidence items.
    assert_eq!(errors(&with(&["required"], json!({"k": ["n", "amount", "n"]}))), dup("/required/k/2"));
    let mut q = base();
    q["roles"] = json!({"agent": {}, "lead": {}});
    q["actions"] = json!({"close": {"roles": ["agent", "lead", "agent"]}});
    assert_eq!(errors(&q), dup("/actions/close/roles/2"));
    q["actions"] =
        json!({"close": {"roles": ["agent"], "evidence": {"k": ["photo", "receipt", "photo"], "j": ["photo"]}}});
    assert_eq!(errors(&q), dup("/actions/close/evidence/k/2"));
}

#[test]
fn the_qa_section_is_checked_like_other_tables() {
    // policy-format.md, "qa": each problem its code at its path.
    let sample = |then: Value| with(&["qa"], json!({"sample": {"rules": [{"id": "Q1", "when": {}, "then": then}]}}));
    assert_eq!(errors(&sample(json!({"stratum": "s", "rate": "0.05"}))), vec![]);
    assert_eq!(errors(&sample(json!({"stratum": "s", "rate": 1}))), vec![]);
    one(sample(json!({"stratum": "s", "rate": "1.5"})), "bad_value", "/qa/sample/rules/0/then/rate");
    one(sample(json!({"stratum": "s", "rate": -0.1})), "bad_value", "/qa/sample/rules/0/then/rate");
    one(sample(json!({"stratum": "s", "rate": "a fifth"})), "bad_decimal", "/qa/sample/rules/0/then/rate");
    one(sample(json!({"stratum": "s", "rate": true})), "wrong_type", "/qa/sample/rules/0/then/rate");
    one(sample(json!({"rate": "0.1"})), "missing_key", "/qa/sample/rules/0/then");
    one(sample(json!({"stratum": "s"})), "missing_key", "/qa/sample/rules/0/then");
    one(sample(json!({"stratum": "", "rate": 0})), "bad_value", "/qa/sample/rules/0/then/stratum");
    one(sample(json!({"stratum": "s", "rate": 0, "weight": 2})), "unknown_key", "/qa/sample/rules/0/then/weight");
    // A stratum has one rate.
    let two = with(
        &["qa"],
        json!({"sample": {"rules": [
            {"id": "Q1", "when": {"kind": "k"}, "then": {"stratum": "s", "rate": "0.1"}},
            {"id": "Q2", "when": {}, "then": {"stratum": "s", "rate": "0.2"}}]}}),
    );
    one(two, "bad_value", "/qa/sample/rules/1/then/rate");
    // The same rate written twice ways is one rate.
    let same = with(
        &["qa"],
        json!({"sample": {"rules": [
            {"id": "Q1", "when": {"kind": "k"}, "then": {"stratum": "s", "rate": "0.10"}},
            {"id": "Q2", "when": {}, "then": {"stratum": "s", "rate": 0.1}}]}}),
    );
    assert_eq!(errors(&same), vec![]);
    // Hit `first` only; tests like any table; rule ids shared with the policy.
    let hit = with(&["qa"], json!({"sample": {"hit": "unique", "rules": []}}));
    one(hit, "bad_value", "/qa/sample/hit");
    let when = with(
        &["qa"],
        json!({"sample": {"rules": [{"id": "Q1", "when": {"kind": "x"}, "then": {"stratum": "s", "rate": 0}}]}}),
    );
    one(when, "not_in_enum", "/qa/sample/rules/0/when/kind");
    let dup =
        with(&["qa"], json!({"sample": {"rules": [{"id": "R1", "when": {}, "then": {"stratum": "s", "rate": 0}}]}}));
    one(dup, "duplicate_rule_id", "/qa/sample/rules/0/id");
    one(with(&["qa"], json!({"seed": 42})), "wrong_type", "/qa/seed");
    one(with(&["qa"], json!({"seeds": "x"})), "unknown_key", "/qa/seeds");
    one(with(&["qa"], json!([])), "wrong_type", "/qa");
    // The QA keys of a case are not field names.
    for key in ["worked_queue", "escalations", "closed_by"] {
        one(with(&["fields", key], json!({"type": "string"})), "bad_value", &format!("/fields/{key}"));
    }
}
