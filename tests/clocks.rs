//! SLA clocks v2 (docs/time-semantics.md, docs/cases-and-outcomes.md): evaluation as of
//! `now`, closing, ladders per target rule, time waiting on dependencies and the cause of
//! a miss, the next instant anything changes. The worked examples of the docs, then
//! properties over generated cases.

use docket_core::{Engine, Outcome, Report};
use docket_tests::*;
use proptest::prelude::*;
use serde_json::{Value, json};
use std::sync::LazyLock;

/// A policy of three kinds, each with its own target rule: `a` on eu_ops (2h/8h), `b` on
/// always (15m/4h, its own `warn_at` 0.5 and ladder), `c` on night_desk (2h/16h, no
/// ladder); calendar-clock bands (`business` when asked); three dependencies.
fn clock_policy(business_bands: bool) -> Value {
    let example: Value = serde_json::from_str(EXAMPLE_POLICY).unwrap();
    let cal = |n: &str| example["calendars"][n].clone();
    json!({
        "docket": 1, "name": "clocks", "version": "1", "currency": "EUR",
        "fields": {"kind": {"type": "enum", "values": ["a", "b", "c"]}},
        "queues": {"qa": {"owner": "ta"}, "qb": {"owner": "tb"}, "qc": {"owner": "tc"}},
        "routing": {"hit": "first", "rules": [
            {"id": "RA", "when": {"kind": "a"}, "then": {"queue": "qa", "priority": "P1"}},
            {"id": "RB", "when": {"kind": "b"}, "then": {"queue": "qb", "priority": "P1"}},
            {"id": "RC", "when": {}, "then": {"queue": "qc", "priority": "P2"}}]},
        "calendars": {"eu_ops": cal("eu_ops"), "always": cal("always"), "night_desk": cal("night_desk")},
        "dependencies": ["warehouse", "finance", "carrier"],
        "roles": {"team_lead": {}, "ops_manager": {}, "leadership": {}},
        "sla": {
            "metrics": ["response", "resolution"],
            "warn_at": 0.75,
            "escalation": [{"at": 1.0, "to": "team_lead"}, {"at": 1.5, "to": "ops_manager"}],
            "bands": {"clock": if business_bands { "business" } else { "calendar" }, "limits": [
                {"name": "fresh", "under": "4h"}, {"name": "aging", "under": "24h"}, {"name": "old"}]},
            "targets": {"hit": "first", "rules": [
                {"id": "SA", "when": {"kind": "a"}, "then": {"calendar": "eu_ops", "response": "2h", "resolution": "8h"}},
                {"id": "SB", "when": {"kind": "b"}, "then": {"calendar": "always", "response": "15m", "resolution": "4h",
                    "warn_at": 0.5, "escalation": [{"at": 1.0, "to": "team_lead"}, {"at": 2.0, "to": "ops_manager"},
                                                   {"at": 8.0, "to": "leadership"}]}},
                {"id": "SC", "when": {}, "then": {"calendar": "night_desk", "response": "2h", "resolution": "16h",
                    "escalation": []}}]}
        },
        "controls": [
            {"id": "W1", "when": {"missed_by_cause": {"warehouse": ">= 1"}}, "then": {"alert": "warehouse_review"}},
            {"id": "O1", "when": {"breached_by_cause": {"own": ">= 2"}}, "then": {"alert": "own_backlog"}}
        ]
    })
}

static ENGINE: LazyLock<Engine> = LazyLock::new(|| engine(&clock_policy(false)));
static BUSINESS: LazyLock<Engine> = LazyLock::new(|| engine(&clock_policy(true)));

/// A case of kind `kind` opened at `opened`, with `extra` keys.
fn case(kind: &str, opened: &str, extra: Value) -> Value {
    let mut c = json!({"id": "X", "kind": kind, "opened_at": opened});
    if let Value::Object(m) = extra {
        for (k, v) in m {
            c[k] = v;
        }
    }
    c
}

fn issues(o: &Value) -> Vec<(String, String)> {
    o["issues"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|i| (i["code"].as_str().unwrap_or("").into(), i["field"].as_str().unwrap_or("").into()))
                .collect()
        })
        .unwrap_or_default()
}

// Mon 2026-11-23, Europe/Berlin in winter (CET = UTC+1): eu_ops works 08:00-18:00.

#[test]
fn a_stamp_after_now_has_not_happened() {
    // Opened Mon 08:00 CET, responded 11:00 CET; at now = 09:30 CET the response has not
    // happened: the clock runs, 1h30m elapsed = 0.75 × 2h → warning; issue after_now.
    let c = case("a", "2026-11-23T07:00:00Z", json!({"response_at": "2026-11-23T10:00:00Z"}));
    let o = eval(&ENGINE, &c, "2026-11-23T08:30:00Z");
    let r = &o["sla"]["response"];
    assert_eq!((r["state"].as_str(), r["elapsed_s"].as_i64()), (Some("warning"), Some(5400)));
    assert!(r.get("completed_at").is_none());
    assert_eq!(issues(&o), [("after_now".to_string(), "response_at".to_string())]);
    // At 11:00 CET it has: 3h elapsed > 2h → missed, and no issue.
    let o = eval(&ENGINE, &c, "2026-11-23T10:00:00Z");
    assert_eq!(o["sla"]["response"]["state"], "missed");
    assert_eq!(o["issues"], json!([]));
}

#[test]
fn a_case_opened_after_now_is_not_yet_open() {
    let c = case("a", "2026-11-23T12:00:00Z", json!({"amount": "x"}));
    let o = eval(&ENGINE, &c, "2026-11-23T10:00:00Z");
    let keys: Vec<&str> = o.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["id", "not_yet_open", "policy"]);
    assert_eq!(o["not_yet_open"], true);
    // Opened exactly at now: it has happened.
    let o = eval(&ENGINE, &c, "2026-11-23T12:00:00Z");
    assert_eq!(o["queue"], "qa");
    // Reports count it under `not_yet_open` only.
    let r = report(&ENGINE, &[c.clone(), case("a", "2026-11-23T07:00:00Z", json!({}))], "2026-11-23T10:00:00Z");
    assert_eq!(r["not_yet_open"], 1);
    assert_eq!((r["cases"].as_u64(), r["errors"].as_u64(), r["unrouted"].as_u64()), (Some(2), Some(0), Some(0)));
    assert_eq!(r["queues"]["qa"]["cases"], 1);
}

#[test]
fn pauses_as_of_now() {
    // Worked example 6 with the pause's end after now: paused 09:00-11:00 CET, now 10:00
    // CET: the pause is still running (paused, 1h elapsed, due null), issue after_now.
    let c = case(
        "a",
        "2026-11-23T07:00:00Z",
        json!({"paused": [{"from": "2026-11-23T08:00:00Z", "to": "2026-11-23T10:00:00Z", "reason": "finance"}]}),
    );
    let o = eval(&ENGINE, &c, "2026-11-23T09:00:00Z");
    let r = &o["sla"]["response"];
    assert_eq!((r["state"].as_str(), r["elapsed_s"].as_i64(), r["due"].is_null()), (Some("paused"), Some(3600), true));
    assert_eq!(issues(&o), [("after_now".to_string(), "paused/0".to_string())]);
    // A pause that begins after now has not begun: at 08:30 CET the clock runs (30m).
    let o = eval(&ENGINE, &c, "2026-11-23T07:30:00Z");
    assert_eq!(
        (o["sla"]["response"]["state"].as_str(), o["sla"]["response"]["elapsed_s"].as_i64()),
        (Some("ok"), Some(1800))
    );
    assert_eq!(o["sla"]["response"]["due"], "2026-11-23T09:00:00Z", "due as if no pause were known");
    // After its end, the due instant of example 6: 12:00 CET.
    let o = eval(&ENGINE, &c, "2026-11-23T12:00:00Z");
    assert_eq!(o["sla"]["response"]["due"], "2026-11-23T11:00:00Z");
    assert_eq!(o["issues"], json!([]));
}

#[test]
fn closing_stops_every_clock_without_its_own_stamp() {
    // Opened Mon 08:00 CET, responded 08:45 CET, closed 09:30 CET, no resolution stamp:
    // response met by its stamp (45m); resolution stopped at the closing (1h30m ≤ 8h: met,
    // completed_at = closed_at). Not open: no band, no next_change_at.
    let c = case(
        "a",
        "2026-11-23T07:00:00Z",
        json!({"response_at": "2026-11-23T07:45:00Z", "closed_at": "2026-11-23T08:30:00Z"}),
    );
    let o = eval(&ENGINE, &c, "2026-11-25T10:00:00Z");
    assert_eq!(o["sla"]["response"]["elapsed_s"], 2700);
    let r = &o["sla"]["resolution"];
    assert_eq!((r["state"].as_str(), r["elapsed_s"].as_i64()), (Some("met"), Some(5400)));
    assert_eq!(r["completed_at"], "2026-11-23T08:30:00Z");
    assert!(r.get("escalation").is_none());
    assert!(o.get("band").is_none() && o.get("next_change_at").is_none());
    // Closed after its 2h response target without responding: missed by the closing.
    let c = case("a", "2026-11-23T07:00:00Z", json!({"closed_at": "2026-11-23T09:30:00Z"}));
    let o = eval(&ENGINE, &c, "2026-11-25T10:00:00Z");
    assert_eq!(
        (o["sla"]["response"]["state"].as_str(), o["sla"]["response"]["cause"].as_str()),
        (Some("missed"), Some("own"))
    );
    // Reports: a closed case is not in the backlog.
    let r = report(&ENGINE, std::slice::from_ref(&c), "2026-11-25T10:00:00Z");
    assert_eq!((r["queues"]["qa"]["open"].as_u64(), r["queues"]["qa"]["missed"].as_u64()), (Some(0), Some(1)));
    // closed_at after now has not happened: the case is still open.
    let o = eval(&ENGINE, &c, "2026-11-23T09:00:00Z");
    assert_eq!(o["band"], "fresh");
    assert_eq!(o["sla"]["response"]["state"], "warning");
    assert_eq!(issues(&o), [("after_now".to_string(), "closed_at".to_string())]);
    // Closed before it opened: bad_timestamp, counts as the opening (0 elapsed, met).
    let c = case("a", "2026-11-23T07:00:00Z", json!({"closed_at": "2026-11-23T06:00:00Z"}));
    let o = eval(&ENGINE, &c, "2026-11-25T10:00:00Z");
    assert_eq!(
        (o["sla"]["response"]["state"].as_str(), o["sla"]["response"]["elapsed_s"].as_i64()),
        (Some("met"), Some(0))
    );
    assert_eq!(issues(&o), [("bad_timestamp".to_string(), "closed_at".to_string())]);
    // A malformed closed_at is a bad_type issue (the case is invalid).
    let o = eval(&ENGINE, &case("a", "2026-11-23T07:00:00Z", json!({"closed_at": "soon"})), "2026-11-25T10:00:00Z");
    assert_eq!(issues(&o), [("bad_type".to_string(), "closed_at".to_string())]);
}

#[test]
fn a_target_rule_carries_its_own_ladder() {
    // Kind b: always, 15m response with warn_at 0.5 and steps at 1×, 2×, 8×. Opened 08:40Z,
    // now 10:00Z: 80m elapsed > 30m (2×), < 120m (8×): level 2, next leadership at
    // 08:40 + 2h = 10:40Z. The policy-wide ladder would give level 2 of 2 (ops_manager).
    let o = eval(&ENGINE, &case("b", "2026-11-23T08:40:00Z", json!({})), "2026-11-23T10:00:00Z");
    assert_eq!(
        o["sla"]["response"]["escalation"],
        json!({"level": 2, "next_level": 3, "next_to": "leadership", "next_at": "2026-11-23T10:40:00Z"})
    );
    // Its 4h resolution warns at 0.5 × 4h = 2h (10:40Z), not 3h: 80m is ok.
    assert_eq!(o["sla"]["resolution"]["state"], "ok");
    let o = eval(&ENGINE, &case("b", "2026-11-23T08:40:00Z", json!({})), "2026-11-23T10:40:00Z");
    assert_eq!(o["sla"]["resolution"]["state"], "warning");
    // Kind c's rule has an empty ladder: no escalation at all.
    let o = eval(&ENGINE, &case("c", "2026-11-23T03:00:00Z", json!({})), "2026-11-25T10:00:00Z");
    assert_eq!(o["sla"]["response"]["state"], "breached");
    assert!(o["sla"]["response"].get("escalation").is_none());
    // Kind a uses the policy-wide ladder and warn_at.
    let o = eval(&ENGINE, &case("a", "2026-11-23T07:00:00Z", json!({})), "2026-11-23T10:00:00Z");
    assert_eq!(o["sla"]["response"]["escalation"]["next_to"], "ops_manager");
}

#[test]
fn waiting_on_dependencies_and_the_cause_of_a_miss() {
    // Opened Mon 08:00 CET, 2h response on eu_ops, responded 10:30 CET: 2h30m elapsed,
    // missed by 30m (overrun 1800). Waited on the warehouse 08:30-09:30 CET (3600 ≥ 1800)
    // and on finance 08:15-08:45 CET (1800 ≥ 1800): the larger wait is the cause.
    let c = case(
        "a",
        "2026-11-23T07:00:00Z",
        json!({"response_at": "2026-11-23T09:30:00Z", "waiting": [
            {"from": "2026-11-23T07:30:00Z", "to": "2026-11-23T08:30:00Z", "on": "warehouse"},
            {"from": "2026-11-23T07:15:00Z", "to": "2026-11-23T07:45:00Z", "on": "finance"}]}),
    );
    let o = eval(&ENGINE, &c, "2026-11-23T12:00:00Z");
    let r = &o["sla"]["response"];
    assert_eq!(r["state"], "missed");
    assert_eq!(r["waiting_s"], json!({"warehouse": 3600, "finance": 1800}));
    assert_eq!(r["cause"], "warehouse");
    // Resolution (8h) is running at 13:00 CET: 5h elapsed, the same waits in its span.
    assert_eq!(o["sla"]["resolution"]["waiting_s"], json!({"warehouse": 3600, "finance": 1800}));
    assert!(o["sla"]["resolution"].get("cause").is_none());
    // Equal waits: the first declared wins (warehouse before finance).
    let c = case(
        "a",
        "2026-11-23T07:00:00Z",
        json!({"response_at": "2026-11-23T09:30:00Z", "waiting": [
            {"from": "2026-11-23T07:15:00Z", "to": "2026-11-23T07:45:00Z", "on": "finance"},
            {"from": "2026-11-23T08:00:00Z", "to": "2026-11-23T08:30:00Z", "on": "warehouse"}]}),
    );
    assert_eq!(eval(&ENGINE, &c, "2026-11-23T12:00:00Z")["sla"]["response"]["cause"], "warehouse");
    // A wait shorter than the overrun explains nothing: own.
    let c = case(
        "a",
        "2026-11-23T07:00:00Z",
        json!({"response_at": "2026-11-23T09:30:00Z", "waiting": [
            {"from": "2026-11-23T07:30:00Z", "to": "2026-11-23T07:50:00Z", "on": "carrier"}]}),
    );
    let o = eval(&ENGINE, &c, "2026-11-23T12:00:00Z");
    assert_eq!(o["sla"]["response"]["waiting_s"], json!({"carrier": 1200}));
    assert_eq!(o["sla"]["response"]["cause"], "own");
    // Paused time is not waiting time (the clock does not run): waited 08:30-09:30 CET,
    // paused 09:00-09:30 CET; responded 11:00 CET: elapsed 3h - 30m = 2h30m, overrun
    // 1800, waiting 1800 → warehouse. Overlapping waits on one dependency count once;
    // time outside the span (after the response) does not count.
    let c = case(
        "a",
        "2026-11-23T07:00:00Z",
        json!({"response_at": "2026-11-23T10:00:00Z",
               "paused": [{"from": "2026-11-23T08:00:00Z", "to": "2026-11-23T08:30:00Z", "reason": "warehouse"}],
               "waiting": [
            {"from": "2026-11-23T07:30:00Z", "to": "2026-11-23T08:30:00Z", "on": "warehouse"},
            {"from": "2026-11-23T07:40:00Z", "to": "2026-11-23T08:10:00Z", "on": "warehouse"},
            {"from": "2026-11-23T10:00:00Z", "on": "finance"}]}),
    );
    let o = eval(&ENGINE, &c, "2026-11-23T12:00:00Z");
    let r = &o["sla"]["response"];
    assert_eq!((r["elapsed_s"].as_i64(), r["cause"].as_str()), (Some(9000), Some("warehouse")));
    assert_eq!(r["waiting_s"], json!({"warehouse": 1800}));
    // The resolution clock still runs: finance since 11:00 CET, 2h by 13:00 CET.
    assert_eq!(o["sla"]["resolution"]["waiting_s"], json!({"warehouse": 1800, "finance": 7200}));
    // A breached running clock gets its cause too: 2h target, 3h elapsed at 11:00 CET,
    // still waiting on the carrier since 08:30 CET (2h30m ≥ 1h).
    let c = case(
        "a",
        "2026-11-23T07:00:00Z",
        json!({"waiting": [{"from": "2026-11-23T07:30:00Z", "to": null, "on": "carrier"}]}),
    );
    let o = eval(&ENGINE, &c, "2026-11-23T10:00:00Z");
    assert_eq!(
        (o["sla"]["response"]["state"].as_str(), o["sla"]["response"]["cause"].as_str()),
        (Some("breached"), Some("carrier"))
    );
    assert_eq!(o["sla"]["response"]["waiting_s"], json!({"carrier": 9000}));
}

#[test]
fn undeclared_dependencies_are_issues_and_still_count() {
    let c = case(
        "a",
        "2026-11-23T07:00:00Z",
        json!({"response_at": "2026-11-23T09:30:00Z",
               "paused": [{"from": "2026-11-23T11:00:00Z", "to": "2026-11-23T11:30:00Z", "reason": "lunch"}],
               "waiting": [{"from": "2026-11-23T07:30:00Z", "to": "2026-11-23T08:30:00Z", "on": "legal"}]}),
    );
    let o = eval(&ENGINE, &c, "2026-11-23T12:00:00Z");
    assert_eq!(
        issues(&o),
        [
            ("unknown_dependency".to_string(), "paused/0".to_string()),
            ("unknown_dependency".to_string(), "waiting/0".to_string())
        ]
    );
    assert_eq!(o["sla"]["response"]["waiting_s"], json!({"legal": 3600}));
    assert_eq!(o["sla"]["response"]["cause"], "legal");
    // The pause still applies: resolution 5h elapsed at 13:00 CET, less 30m.
    assert_eq!(o["sla"]["resolution"]["elapsed_s"], 4 * 3600 + 1800);
    // A waiting entry without `on`, or with a malformed interval, is the wrong shape.
    let c = case("a", "2026-11-23T07:00:00Z", json!({"waiting": [{"from": "2026-11-23T07:30:00Z"}]}));
    assert_eq!(issues(&eval(&ENGINE, &c, "2026-11-23T12:00:00Z")), [("bad_type".to_string(), "waiting".to_string())]);
}

#[test]
fn reports_count_by_cause_and_sum_waiting() {
    let missed_warehouse = case(
        "a",
        "2026-11-23T07:00:00Z",
        json!({"id": "M1", "response_at": "2026-11-23T09:30:00Z", "resolution_at": "2026-11-23T09:30:00Z",
               "waiting": [{"from": "2026-11-23T07:30:00Z", "to": "2026-11-23T08:30:00Z", "on": "warehouse"}]}),
    );
    let breached_own = |id: &str| case("a", "2026-11-23T07:00:00Z", json!({"id": id}));
    let undeclared = case(
        "a",
        "2026-11-23T07:00:00Z",
        json!({"id": "U1", "waiting": [{"from": "2026-11-23T07:00:00Z", "on": "legal"}]}),
    );
    let cases = [missed_warehouse, breached_own("B1"), breached_own("B2"), undeclared];
    // At 18:00 CET: M1's response missed (warehouse), resolution met (2h30m ≤ 8h). B1,
    // B2, U1: response breached (10h > 2h), resolution breached (10h > 8h): B1 and B2
    // own (2 each); U1 waited on `legal` all 10h: both its metrics caused by it.
    let r = report(&ENGINE, &cases, "2026-11-23T17:00:00Z");
    let q = &r["queues"]["qa"];
    assert_eq!(q["missed_by_cause"], json!({"own": 0, "warehouse": 1, "finance": 0, "carrier": 0, "legal": 0}));
    assert_eq!(q["breached_by_cause"], json!({"own": 4, "warehouse": 0, "finance": 0, "carrier": 0, "legal": 2}));
    // Waiting summed over metrics: M1 3600 in each of its two clocks; U1 10h in each.
    assert_eq!(q["waiting_s"], json!({"warehouse": 7200, "finance": 0, "carrier": 0, "legal": 72000}));
    // Controls by cause: W1 (a warehouse miss) and O1 (≥ 2 breaches of the queue's own).
    let fired: Vec<&str> = r["controls"].as_array().unwrap().iter().filter_map(|c| c["id"].as_str()).collect();
    assert_eq!(fired, ["W1", "O1"]);
    // Merging parts gives the whole.
    let e = &*ENGINE;
    let now = t("2026-11-23T17:00:00Z");
    let outs: Vec<Outcome> = cases.iter().map(|c| outcome(e, c, now)).collect();
    let mut whole = Report::new(e, now);
    outs.iter().for_each(|o| whole.add(o));
    let (mut a, mut b) = (Report::new(e, now), Report::new(e, now));
    outs.iter().take(3).for_each(|o| b.add(o));
    outs.iter().skip(3).for_each(|o| a.add(o));
    a.merge(&b);
    assert_eq!(a.to_json(e), whole.to_json(e));
}

#[test]
fn controls_by_cause_name_declared_causes() {
    let mut p = clock_policy(false);
    p["controls"] = json!([{"id": "X1", "when": {"missed_by_cause": {"legal": ">= 1"}}, "then": {"alert": "x"}}]);
    let err = Engine::compile_value(&p).unwrap_err();
    assert_eq!(
        (err.errors[0].code.as_str(), err.path()),
        ("unknown_dependency", "/controls/0/when/missed_by_cause/legal")
    );
    let mut p = clock_policy(false);
    p["dependencies"] = json!(["warehouse", "own", "warehouse", ""]);
    let err = Engine::compile_value(&p).unwrap_err();
    let codes: Vec<(&str, &str)> = err.errors.iter().map(|d| (d.code.as_str(), d.path.as_str())).collect();
    assert_eq!(
        codes,
        [("bad_value", "/dependencies/1"), ("duplicate_name", "/dependencies/2"), ("bad_value", "/dependencies/3")]
    );
    p["dependencies"] = json!((0..33).map(|i| format!("d{i}")).collect::<Vec<_>>());
    let err = Engine::compile_value(&p).unwrap_err();
    assert_eq!((err.errors[0].code.as_str(), err.path()), ("limit_exceeded", "/dependencies"));
}

#[test]
fn next_change_at_worked_examples() {
    // Opened Mon 08:00 CET (eu_ops, 2h/8h), now 08:30 CET: the response turns warning at
    // 1h30m (09:30 CET), before the band (12:00 CET) and the resolution's warning (6h).
    let o = eval(&ENGINE, &case("a", "2026-11-23T07:00:00Z", json!({})), "2026-11-23T07:30:00Z");
    assert_eq!(o["next_change_at"], "2026-11-23T08:30:00Z");
    // Opened Mon 16:00 CET, now 17:45 CET: the response (warning) is reached at 18:00 CET,
    // the window's end, and turns breached one working second later, Tue 08:00:01 CET;
    // the band turns `aging` first, at 4h of age (20:00 CET).
    let c = case("a", "2026-11-23T15:00:00Z", json!({}));
    let o = eval(&ENGINE, &c, "2026-11-23T16:45:00Z");
    assert_eq!(
        (o["sla"]["response"]["due"].as_str(), o["next_change_at"].as_str()),
        (Some("2026-11-23T17:00:00Z"), Some("2026-11-23T19:00:00Z"))
    );
    // With business-clock bands (age on eu_ops, 1h45m < 4h), the breach comes first.
    let o = eval(&BUSINESS, &c, "2026-11-23T16:45:00Z");
    assert_eq!(o["next_change_at"], "2026-11-24T07:00:01Z");
    assert_eq!(eval(&BUSINESS, &c, "2026-11-24T07:00:00Z")["sla"]["response"]["state"], "warning");
    assert_eq!(eval(&BUSINESS, &c, "2026-11-24T07:00:01Z")["sla"]["response"]["state"], "breached");
    // Paused with business bands: nothing advances, nothing is scheduled.
    let c = case("a", "2026-11-23T07:00:00Z", json!({"paused": [{"from": "2026-11-23T08:00:00Z"}]}));
    let o = eval(&BUSINESS, &c, "2026-11-23T10:00:00Z");
    assert_eq!((o["sla"]["response"]["state"].as_str(), o["next_change_at"].clone()), (Some("paused"), Value::Null));
    // With calendar bands the paused case still ages: `aging` at 4h (12:00 CET).
    assert_eq!(eval(&ENGINE, &c, "2026-11-23T10:00:00Z")["next_change_at"], "2026-11-23T11:00:00Z");
    // Not open: no next_change_at.
    let c = case("a", "2026-11-23T07:00:00Z", json!({"closed_at": "2026-11-23T08:00:00Z"}));
    assert!(eval(&ENGINE, &c, "2026-11-23T10:00:00Z").get("next_change_at").is_none());
}

// ---------------------------------------------------------------------------------------
// Properties

const BASE: i64 = 1_795_046_400; // 2026-11-19T00:00:00Z, a Thursday

fn ts(x: i64) -> String {
    docket_core::time::Rfc3339(x).to_string()
}

/// A generated case: opened in a two-week window, stamps, closing, pauses and waits
/// anywhere from before its opening to two weeks later (many after any `t`), on the
/// declared dependencies. Offsets are minutes from `BASE`.
#[derive(Clone, Debug)]
struct Gen {
    kind: &'static str,
    opened: i64,
    response: Option<i64>,
    resolution: Option<i64>,
    closed: Option<i64>,
    pauses: Vec<(i64, Option<i64>, Option<&'static str>)>,
    waits: Vec<(i64, Option<i64>, &'static str)>,
}

fn arb_case() -> impl Strategy<Value = Gen> {
    let minute = 0i64..(21 * 24 * 60);
    let interval = (minute.clone(), prop::option::weighted(0.7, 0i64..(3 * 24 * 60)));
    let dep = prop_oneof![Just("warehouse"), Just("finance"), Just("carrier")];
    (
        prop_oneof![Just("a"), Just("b"), Just("c")],
        0i64..(14 * 24 * 60),
        prop::option::weighted(0.5, minute.clone()),
        prop::option::weighted(0.4, minute.clone()),
        prop::option::weighted(0.3, minute.clone()),
        prop::collection::vec((interval.clone(), prop::option::of(dep.clone())), 0..3),
        prop::collection::vec((interval, dep), 0..4),
    )
        .prop_map(|(kind, opened, response, resolution, closed, pauses, waits)| Gen {
            kind,
            opened,
            response,
            resolution,
            closed,
            pauses: pauses.into_iter().map(|((f, l), r)| (f, l.map(|l| f + l), r)).collect(),
            waits: waits.into_iter().map(|((f, l), d)| (f, l.map(|l| f + l), d)).collect(),
        })
}

impl Gen {
    fn json(&self) -> Value {
        let at = |m: i64| ts(BASE + m * 60);
        let mut c = json!({"id": "G", "kind": self.kind, "opened_at": at(self.opened)});
        if let Some(r) = self.response {
            c["response_at"] = json!(at(r));
        }
        if let Some(r) = self.resolution {
            c["resolution_at"] = json!(at(r));
        }
        if let Some(r) = self.closed {
            c["closed_at"] = json!(at(r));
        }
        if !self.pauses.is_empty() {
            c["paused"] =
                self.pauses.iter().map(|&(f, t, r)| json!({"from": at(f), "to": t.map(at), "reason": r})).collect();
        }
        if !self.waits.is_empty() {
            c["waiting"] =
                self.waits.iter().map(|&(f, t, d)| json!({"from": at(f), "to": t.map(at), "on": d})).collect();
        }
        c
    }

    /// The case as it stood at minute `m`: every stamp after `m` removed, every pause and
    /// wait begun after `m` removed, every one ended after `m` still running.
    fn as_of(&self, m: i64) -> Gen {
        let keep = |x: Option<i64>| x.filter(|&x| x <= m);
        Gen {
            response: keep(self.response),
            resolution: keep(self.resolution),
            closed: keep(self.closed),
            pauses: self.pauses.iter().filter(|p| p.0 <= m).map(|&(f, t, r)| (f, keep(t), r)).collect(),
            waits: self.waits.iter().filter(|w| w.0 <= m).map(|&(f, t, d)| (f, keep(t), d)).collect(),
            ..self.clone()
        }
    }
}

/// The outcome without its `after_now` issues (what only the fuller case can say).
fn without_after_now(mut o: Value) -> Value {
    if let Some(a) = o.get_mut("issues").and_then(Value::as_array_mut) {
        a.retain(|i| i["code"] != "after_now");
    }
    o
}

/// What `next_change_at` promises to keep until it: each metric's state and escalation
/// level, the band, whether the case is open.
fn states(o: &Value) -> Value {
    let sla: Vec<Value> = ["response", "resolution"]
        .iter()
        .map(|m| json!([o["sla"][m]["state"], o["sla"][m]["escalation"]["level"]]))
        .collect();
    json!({"sla": sla, "band": o["band"], "open": o.get("next_change_at").is_some()})
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Evaluating a case at `t` equals evaluating, at `t`, the same case with every event
    /// after `t` removed (the outcome's `after_now` issues aside: they name what was
    /// removed), for calendar and business ageing.
    #[test]
    fn evaluation_as_of_now_sees_only_what_had_happened(g in arb_case(), m in 0i64..(21 * 24 * 60)) {
        let now = ts(BASE + m * 60);
        for e in [&*ENGINE, &*BUSINESS] {
            let full = eval(e, &g.json(), &now);
            let past = eval(e, &g.as_of(m).json(), &now);
            prop_assert!(past["issues"].as_array().is_none_or(|a| a.iter().all(|i| i["code"] != "after_now")));
            prop_assert_eq!(without_after_now(full), past);
        }
    }

    /// At `next_change_at - 1s` every state is as at `now`; at `next_change_at` one
    /// differs. With nothing scheduled (null), the states hold for weeks.
    #[test]
    fn next_change_at_is_the_next_change(g in arb_case(), m in 0i64..(21 * 24 * 60)) {
        // The case as it stood at `now`: nothing it says happens later (later stamps are
        // unknown to `next_change_at`, see the property above).
        let g = g.as_of(m);
        let now = BASE + m * 60;
        for e in [&*ENGINE, &*BUSINESS] {
            let o = eval(e, &g.json(), &ts(now));
            let here = states(&o);
            match o.get("next_change_at") {
                None => prop_assert!(o["not_yet_open"] == true || o["sla"].is_object()),
                Some(Value::String(at)) => {
                    let at = t(at);
                    prop_assert!(at > now);
                    prop_assert_eq!(&states(&eval(e, &g.json(), &ts(at - 1))), &here, "{} at {}", g.json(), ts(at - 1));
                    prop_assert_ne!(&states(&eval(e, &g.json(), &ts(at))), &here, "{} at {}", g.json(), ts(at));
                }
                Some(_) => {
                    for later in [3_600, 86_400, 30 * 86_400] {
                        prop_assert_eq!(&states(&eval(e, &g.json(), &ts(now + later))), &here);
                    }
                }
            }
        }
    }
}
