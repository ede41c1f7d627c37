//! Shared helpers for the integration tests.

use docket_core::issue::Subject;
use docket_core::{Case, Engine, IssueCode, Outcome, Report, Route};
use serde_json::Value;

/// The bundled example policy.
pub const EXAMPLE_POLICY: &str = include_str!("../examples/order-ops.policy.json");
/// The bundled example cases.
pub const EXAMPLE_CASES: &str = include_str!("../examples/cases.ndjson");

/// Seconds since the epoch of an RFC 3339 timestamp (panics on bad input: tests only).
pub fn t(s: &str) -> i64 {
    docket_core::time::parse_rfc3339(s).unwrap_or_else(|| panic!("bad timestamp {s}"))
}

/// Compiles a policy given as a JSON value, panicking with every error.
pub fn engine(policy: &Value) -> Engine {
    match Engine::compile_value(policy) {
        Ok(e) => e,
        Err(e) => panic!("policy does not compile: {e}"),
    }
}

/// The example engine.
pub fn example_engine() -> Engine {
    Engine::compile(EXAMPLE_POLICY).unwrap_or_else(|e| panic!("{e}"))
}

/// Evaluates one JSON case and returns the outcome as a JSON value.
pub fn eval(engine: &Engine, case: &Value, now: &str) -> Value {
    eval_str(engine, &case.to_string(), now)
}

/// Evaluates one JSON case text and returns the outcome as a JSON value. Every call also
/// checks that [`Engine::route`] decides the case as the full evaluation does.
pub fn eval_str(engine: &Engine, case: &str, now: &str) -> Value {
    let mut c = Case::new();
    engine.decode_json(case, &mut c);
    let mut o = Outcome::new();
    engine.evaluate(&c, t(now), &mut o);
    // A case not yet open decides nothing; routing alone does not know `now`.
    if !o.not_yet_open() {
        assert_route_agrees(engine, &c, &o);
    }
    serde_json::from_str(&engine.outcome_json(&o)).unwrap_or_else(|e| panic!("outcome is not JSON: {e}"))
}

/// `Engine::route` gives `case` the queue, priority, invalid flag, deciding rule (the
/// first trace entry, routing being decided first) and routing issue of its outcome `o`.
pub fn assert_route_agrees(engine: &Engine, case: &Case, o: &Outcome) {
    let mut r = Route::new();
    // A used buffer first: nothing of an earlier case may leak into this one.
    let mut other = Case::new();
    engine.decode_json(r#"{"id":"Z","kind":"refund","amount":"5","opened_at":"2026-11-23T08:00:00Z"}"#, &mut other);
    engine.route(&other, &mut r);
    engine.route(case, &mut r);
    let at = format!("case {:?}", case.id());
    assert_eq!(r.error(), o.error(), "{at}");
    assert_eq!(
        (r.queue_index(), r.priority_index(), r.invalid()),
        (o.queue_index(), o.priority_index(), o.invalid()),
        "{at}"
    );
    let routing_issue = o.issues().iter().find(|i| i.subject == Subject::Table(0)).map(|i| i.code);
    assert_eq!(r.issue(), routing_issue, "{at}");
    assert!(matches!(r.issue(), None | Some(IssueCode::Unrouted | IssueCode::AmbiguousRules)), "{at}");
    match r.rule_id(engine) {
        Some(id) => {
            let first = o.trace_gids().first().map(|&g| engine.trace_id(g));
            assert_eq!(Some(id), first, "{at}");
        }
        None => assert!(r.queue_index().is_none(), "{at}"),
    }
}

/// The example case with the given id, as JSON text.
pub fn example_case(id: &str) -> String {
    EXAMPLE_CASES
        .lines()
        .find(|l| l.contains(&format!("\"id\":\"{id}\"")))
        .unwrap_or_else(|| panic!("no example case {id}"))
        .to_string()
}

/// A minimal policy with the given fields and routing table, for table tests.
pub fn policy_with(fields: Value, routing: Value) -> Value {
    serde_json::json!({
        "docket": 1, "name": "t", "version": "1", "currency": "EUR",
        "fx": {"USD": "0.92"},
        "fields": fields,
        "queues": {"a": {"owner": "ta"}, "b": {"owner": "tb"}, "c": {"owner": "tc"}, "invalid": {"owner": "dq"}},
        "routing": routing
    })
}

/// Routes a case under a policy and returns (queue, priority, trace ids, issue codes).
pub fn route(engine: &Engine, case: Value) -> (Option<String>, Option<String>, Vec<String>, Vec<String>) {
    let mut case = case;
    if let Some(m) = case.as_object_mut() {
        m.entry("id").or_insert("X".into());
        m.entry("opened_at").or_insert("2026-11-23T08:00:00Z".into());
        m.entry("kind").or_insert("k".into());
    }
    let o = eval(engine, &case, "2026-11-23T09:00:00Z");
    let s = |v: &Value| v.as_str().map(String::from);
    let list = |v: &Value, key: Option<&str>| -> Vec<String> {
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| {
                        match key {
                            Some(k) => x[k].as_str(),
                            None => x.as_str(),
                        }
                        .map(String::from)
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    (s(&o["queue"]), s(&o["priority"]), list(&o["trace"], None), list(&o["issues"], Some("code")))
}

/// The outcome of one case (JSON) evaluated at `now` (seconds since the epoch).
pub fn outcome(e: &Engine, c: &Value, now: i64) -> Outcome {
    let mut case = Case::new();
    e.decode_json(&c.to_string(), &mut case);
    let mut o = Outcome::new();
    e.evaluate(&case, now, &mut o);
    o
}

/// The report of `cases` evaluated at `now` (RFC 3339), as JSON.
pub fn report(e: &Engine, cases: &[Value], now: &str) -> Value {
    let now = t(now);
    let mut r = Report::new(e, now);
    for c in cases {
        r.add(&outcome(e, c, now));
    }
    serde_json::from_str(&r.to_json(e)).unwrap()
}
