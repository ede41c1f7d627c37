//! The limits that bound a policy's compile time and memory: the memory budget (calendars,
//! SLA thresholds, the `kind` index) and the limits on calendars, metrics, escalation
//! steps, bands and values per field; each hit, each with its path, none an abort.

use docket_core::{Engine, Limits};
use docket_tests::*;
use serde_json::{Map, Value, json};

fn errors_with(p: &Value, limits: Limits) -> Vec<(String, String)> {
    match Engine::compile_value_with_limits(p, limits) {
        Ok(_) => vec![],
        Err(e) => e.errors.iter().map(|d| (d.code.as_str().to_string(), d.path.clone())).collect(),
    }
}

fn errors(p: &Value) -> Vec<(String, String)> {
    errors_with(p, Limits::default())
}

fn limit(path: &str) -> Vec<(String, String)> {
    vec![("limit_exceeded".to_string(), path.to_string())]
}

fn base() -> Value {
    policy_with(
        json!({"kind": {"type": "enum", "values": ["k", "j"]}, "n": {"type": "integer"}, "tag": {"type": "string"}}),
        json!({"hit": "first", "rules": [{"id": "R1", "when": {"kind": "k"}, "then": {"queue": "a"}}]}),
    )
}

/// `n` calendars named `c0`, `c1`, ... with `spec` each.
fn calendars(n: usize, spec: Value) -> Value {
    let mut m = Map::new();
    for i in 0..n {
        m.insert(format!("c{i}"), spec.clone());
    }
    Value::Object(m)
}

/// `n` windows of ten minutes, every half hour from midnight.
fn windows(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{:02}:{:02}-{:02}:{:02}", i / 2, (i % 2) * 30, i / 2, (i % 2) * 30 + 10)).collect()
}

#[test]
fn calendars_take_their_memory_from_the_budget_before_they_are_computed() {
    // 100 calendars of 48 windows every day (a 487 KB policy once aborted under 4 GB).
    // One such calendar keeps at most 336 windows a week over the 51,134 days of
    // 1970-2110 (7,306 weeks counting the margin): 2,454,816 intervals of 24 bytes
    // (58.9 MB) and a 4-byte index per day (0.2 MB), 59.1 MB; computing them needs 4.5 MB
    // of scratch besides (336 windows a week over a chunk of 209 weeks, 64 bytes each),
    // freed when done. The default budget of 256 MiB (268.4 MB) holds four (the fourth
    // needs 63.6 of the 91.1 MB left), not five (32 MB left): c0..c3 compile, c4..c99
    // are each `limit_exceeded` at their own path.
    let mut p = base();
    let day = windows(48);
    let week: Map<String, Value> =
        ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].iter().map(|d| (d.to_string(), json!(day))).collect();
    p["calendars"] = calendars(100, json!({"timezone": "Europe/Berlin", "week": week}));
    let want: Vec<(String, String)> =
        (4..100).map(|i| ("limit_exceeded".to_string(), format!("/calendars/c{i}"))).collect();
    assert_eq!(errors(&p), want);
    // A host's own budget: 100 MiB holds one of them.
    let small = Limits { max_memory_bytes: 100 << 20, ..Limits::default() };
    p["calendars"] = calendars(2, json!({"timezone": "Europe/Berlin", "week": week}));
    assert_eq!(errors_with(&p, small), limit("/calendars/c1"));
}

#[test]
fn calendar_count_limit() {
    // `24x7` calendars precompute nothing: 1,000 (the default limit) compile, 1,001 do not.
    let mut p = base();
    p["calendars"] = calendars(1000, json!({"timezone": "UTC", "week": "24x7"}));
    assert_eq!(errors(&p), vec![]);
    p["calendars"] = calendars(1001, json!({"timezone": "UTC", "week": "24x7"}));
    assert_eq!(errors(&p), limit("/calendars"));
    let two = Limits { max_calendars: 2, ..Limits::default() };
    p["calendars"] = calendars(3, json!({"timezone": "UTC", "week": "24x7"}));
    assert_eq!(errors_with(&p, two), limit("/calendars"));
}

/// A policy with an SLA section: `rules` target rules that each name all of `metrics`
/// metrics, and `steps` escalation steps.
fn sla(rules: usize, metrics: usize, steps: usize) -> Value {
    let mut p = base();
    let names: Vec<String> = (0..metrics).map(|m| format!("m{m}")).collect();
    let targets: Vec<Value> = (0..rules)
        .map(|i| {
            let mut then = Map::new();
            then.insert("calendar".into(), json!("c"));
            for m in &names {
                then.insert(m.clone(), json!("4h"));
            }
            json!({"id": format!("S{i}"), "when": {"n": i}, "then": Value::Object(then)})
        })
        .collect();
    let ladder: Vec<Value> = (0..steps).map(|s| json!({"at": 1 + s, "to": "lead"})).collect();
    p["calendars"] = json!({"c": {"timezone": "UTC", "week": "24x7"}});
    p["roles"] = json!({"lead": {}});
    p["sla"] = json!({"metrics": names, "escalation": ladder, "targets": {"hit": "first", "rules": targets}});
    p
}

#[test]
fn sla_thresholds_take_their_memory_from_the_budget() {
    // Each target rule keeps a 40-byte slot per metric and, per metric it names, 8 bytes
    // per escalation step: with 8 metrics and 16 steps, 8 × 40 + 8 × 16 × 8 = 1,344 bytes
    // a rule. Under a budget of 1 MiB (1,048,576 bytes) 500 rules (672,000) fit and
    // 1,000 (1,344,000) do not: `limit_exceeded` at the targets table, nothing else.
    let budget = Limits { max_memory_bytes: 1 << 20, ..Limits::default() };
    assert_eq!(errors_with(&sla(500, 8, 16), budget), vec![]);
    assert_eq!(errors_with(&sla(1000, 8, 16), budget), limit("/sla/targets"));
    // The shape that once aborted: 100 metrics (over the limit of 64) and 10,000 steps
    // (over 64), each reported once at its list; nothing is precomputed.
    let e = errors(&sla(200, 100, 10_000));
    assert_eq!(
        e,
        vec![
            ("limit_exceeded".to_string(), "/sla/metrics".to_string()),
            ("limit_exceeded".to_string(), "/sla/escalation".to_string()),
        ]
    );
}

#[test]
fn metric_step_and_band_limits() {
    // Each limit's default admits exactly that many; one more is the error at its list.
    assert_eq!(errors(&sla(1, 64, 64)), vec![]);
    assert_eq!(errors(&sla(1, 65, 1)), limit("/sla/metrics"));
    assert_eq!(errors(&sla(1, 1, 65)), limit("/sla/escalation"));
    let tight = Limits { max_metrics: 2, max_escalation_steps: 3, ..Limits::default() };
    assert_eq!(errors_with(&sla(1, 2, 3), tight), vec![]);
    assert_eq!(errors_with(&sla(1, 3, 3), tight), limit("/sla/metrics"));
    assert_eq!(errors_with(&sla(1, 2, 4), tight), limit("/sla/escalation"));
    let bands = |n: usize| {
        let mut p = sla(1, 1, 1);
        let list: Vec<Value> = (0..n)
            .map(|i| {
                if i + 1 == n {
                    json!({"name": format!("b{i}")})
                } else {
                    json!({"name": format!("b{i}"), "under": format!("{}h", i + 1)})
                }
            })
            .collect();
        p["sla"]["bands"] = json!({"limits": list});
        p
    };
    assert_eq!(errors(&bands(64)), vec![]);
    assert_eq!(errors(&bands(65)), limit("/sla/bands/limits"));
}

#[test]
fn values_per_field_limit_covers_enum_values_and_string_constants() {
    // An enum of 100,000 values (the default limit) compiles and every value decodes to
    // its own symbol; 100,001 values are the error at the list.
    let values: Vec<String> = (0..100_001).map(|i| format!("v{i}")).collect();
    let mut p = base();
    p["fields"]["big"] = json!({"type": "enum", "values": &values[..100_000]});
    let e = engine(&p);
    let slot = e.slot("big").expect("declared");
    for (i, v) in values.iter().take(100_000).enumerate().step_by(997) {
        assert_eq!(e.symbol(slot, v), Some(i as u32), "{v}");
    }
    assert_eq!(e.symbol(slot, "v100000"), None);
    p["fields"]["big"] = json!({"type": "enum", "values": values});
    assert_eq!(errors(&p), limit("/fields/big/values"));
    // String constants: 101 rules each test a list of 1,000 new strings of `tag`; the
    // 100,001st constant is the first of rule 100's list, and the limit is reported once.
    let rules: Vec<Value> = (0..101)
        .map(|r| {
            let list: Vec<String> = (0..1000).map(|j| format!("s{}", r * 1000 + j)).collect();
            json!({"id": format!("R{r}"), "when": {"tag": list}, "then": {"queue": "a"}})
        })
        .collect();
    let mut p = base();
    p["routing"]["rules"] = Value::Array(rules);
    assert_eq!(errors(&p), limit("/routing/rules/100/when/tag/0"));
    // A host's own limit: three values.
    let three = Limits { max_values_per_field: 3, ..Limits::default() };
    let mut p = base();
    p["fields"]["kind"]["values"] = json!(["a", "b", "c", "d"]);
    p["routing"]["rules"] = json!([{"id": "R1", "then": {"queue": "a"}}]);
    assert_eq!(errors_with(&p, three), limit("/fields/kind/values"));
    let mut p = base();
    p["routing"]["rules"] = json!([{"id": "R1", "when": {"tag": ["a", "b", "c", "a", "d"]}, "then": {"queue": "a"}}]);
    assert_eq!(errors_with(&p, three), limit("/routing/rules/0/when/tag/4"));
}

#[test]
fn a_first_table_routes_the_same_with_or_without_its_kind_index() {
    // 100 rules (too many for masks), each testing `kind` and `n`: indexed by `kind`
    // under the default budget, not under a budget of 0 bytes (the table is then scanned
    // rule by rule). Both engines route every case alike, and as the rules say: the first
    // rule whose `kind` and `n` match, else R-default.
    let kinds = ["k", "j"];
    let mut rules: Vec<Value> = (0..100)
        .map(|i| json!({"id": format!("R{i}"), "when": {"kind": kinds[i % 2], "n": i}, "then": {"queue": if i % 3 == 0 { "a" } else { "b" }}}))
        .collect();
    rules.push(json!({"id": "R-default", "then": {"queue": "a"}}));
    let mut p = base();
    p["routing"]["rules"] = Value::Array(rules);
    let indexed = engine(&p);
    let scanned = Engine::compile_value_with_limits(&p, Limits { max_memory_bytes: 0, ..Limits::default() })
        .expect("compiles without the index");
    for n in 0..102 {
        for kind in kinds {
            let case = json!({"id": "C", "kind": kind, "n": n, "opened_at": "2026-11-23T08:00:00Z"});
            let a = eval(&indexed, &case, "2026-11-23T10:00:00Z");
            let b = eval(&scanned, &case, "2026-11-23T10:00:00Z");
            // Rule i matches kind kinds[i % 2] and n == i.
            let want = if n < 100 && kinds[n % 2] == kind { format!("R{n}") } else { "R-default".to_string() };
            assert_eq!(a["trace"][0].as_str(), Some(want.as_str()), "{case}");
            assert_eq!((&a["queue"], &a["trace"]), (&b["queue"], &b["trace"]), "{case}");
        }
    }
}

#[test]
fn deeply_nested_policy_text_is_an_error_not_a_stack_overflow() {
    // The reader that finds repeated keys recurses once per array or object, as deep as
    // serde_json's limit of 128 levels allows: 100,000 levels are `invalid_json`.
    let text = format!(r#"{{"docket": 1, "x": {}{}}}"#, "[".repeat(100_000), "]".repeat(100_000));
    let e = Engine::compile(&text).expect_err("too deep");
    assert_eq!((e.errors[0].code.as_str(), e.errors.len()), ("invalid_json", 1));
    // 100 levels are read (and `x` is then an unknown key).
    let text = format!(r#"{{"docket": 1, "x": {}{}}}"#, "[".repeat(100), "]".repeat(100));
    let e = Engine::compile(&text).expect_err("unknown key");
    assert_eq!(e.errors[0].code.as_str(), "unknown_key");
}
