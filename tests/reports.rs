//! Reports that answer a leader's questions (docs/reports.md): attainment per metric with
//! breached and at-risk open clocks, owners, pending approvals and escalations reached,
//! misses and breaches by cause; and the merge property over every part of a report.

use docket_core::{Case, Engine, Outcome, Report};
use docket_tests::*;
use proptest::prelude::*;
use serde_json::{Value, json};
use std::sync::LazyLock;

/// Two queues on the 24x7 UTC calendar `always` (business time = wall-clock time):
/// refunds (owner finance_ops) and holds (owner payments); response 1h, resolution 8h,
/// warning at 0.75, at risk within 2h; escalation to team_lead at 1.0× and ops_manager at
/// 1.5×; every refund needs finance_reviewer, an amount over 1000 also ops_manager (both
/// roles may approve: an approval counts only for a role listed under `approve`).
fn report_policy() -> Value {
    let example: Value = serde_json::from_str(EXAMPLE_POLICY).unwrap();
    json!({
        "docket": 1, "name": "reports", "version": "1", "currency": "EUR",
        "fields": {"kind": {"type": "enum", "values": ["refund", "hold"]}, "amount": {"type": "money"},
                   "channel": {"type": "enum", "values": ["web", "phone"]}, "vip": {"type": "bool"}},
        "queues": {"refunds": {"owner": "finance_ops"}, "holds": {"owner": "payments"}},
        "routing": {"hit": "first", "rules": [
            {"id": "R1", "when": {"kind": "refund"}, "then": {"queue": "refunds", "priority": "P2"}},
            {"id": "R2", "when": {}, "then": {"queue": "holds", "priority": "P2"}}]},
        "calendars": {"always": example["calendars"]["always"].clone()},
        "dependencies": ["warehouse", "carrier"],
        "roles": {"team_lead": {"limit": "250"}, "ops_manager": {"limit": "5000"}, "finance_reviewer": {}},
        "approvals": {"hit": "rule_order", "rules": [
            {"id": "A1", "when": {"kind": "refund"}, "then": {"role": "finance_reviewer"}},
            {"id": "A2", "when": {"amount": "> 1000"}, "then": {"role": "ops_manager"}}]},
        "actions": {"approve": {"roles": ["ops_manager", "finance_reviewer"]}},
        "sla": {
            "metrics": ["response", "resolution"],
            "warn_at": 0.75,
            "at_risk": "2h",
            "escalation": [{"at": 1.0, "to": "team_lead"}, {"at": 1.5, "to": "ops_manager"}],
            "bands": {"clock": "calendar", "limits": [{"name": "fresh", "under": "4h"}, {"name": "old"}]},
            "targets": {"hit": "first", "rules": [
                {"id": "S1", "when": {}, "then": {"calendar": "always", "response": "1h", "resolution": "8h"}}]}
        }
    })
}

static ENGINE: LazyLock<Engine> = LazyLock::new(|| engine(&report_policy()));

/// The same policy with a `close` action (team_lead or ops_manager, not the requester,
/// every step filled, a receipt for a refund) and a QA sample in two strata: the QA checks
/// and the sample in every figure of the merge property.
static QA_ENGINE: LazyLock<Engine> = LazyLock::new(|| {
    let mut p = report_policy();
    p["actions"]["close"] = json!({"roles": ["team_lead", "ops_manager"], "not_requester": true,
                                   "requires": ["approvals"], "evidence": {"refund": ["receipt"]}});
    p["qa"] = json!({"seed": "merge", "sample": {"rules": [
        {"id": "Q1", "when": {"channel": "web"}, "then": {"stratum": "web", "rate": "0.5"}},
        {"id": "Q2", "when": {}, "then": {"stratum": "rest", "rate": "0.25"}}]}});
    engine(&p)
});

const NOW: &str = "2026-11-23T10:00:00Z";

/// The worked example of docs/reports.md, at 2026-11-23T10:00Z.
fn worked_cases() -> Vec<Value> {
    vec![
        // Opened 10h ago, nothing done: response 10h > 1h and resolution 10h > 8h are
        // breached; response passed 1.0× (1h) and 1.5× (1h30m): level 2, ops_manager;
        // resolution passed 1.0× (8h) only: level 1. Most escalated: ops_manager.
        json!({"id": "R-1", "kind": "refund", "amount": "100", "opened_at": "2026-11-23T00:00:00Z"}),
        // 7h ago, responded after 30m (met); resolution 7h: warning (≥ 6h) and 1h left
        // (≤ 2h): at risk. Needs finance_reviewer and ops_manager; ops_manager given.
        json!({"id": "R-2", "kind": "refund", "amount": "2000", "opened_at": "2026-11-23T03:00:00Z",
               "response_at": "2026-11-23T03:30:00Z",
               "approvals": [{"role": "ops_manager", "by": "u-1", "at": "2026-11-23T04:00:00Z"}]}),
        // 6h ago: exactly 2h left, at risk (the horizon is inclusive); warning.
        json!({"id": "R-3", "kind": "refund", "amount": "100", "opened_at": "2026-11-23T04:00:00Z",
               "response_at": "2026-11-23T04:30:00Z"}),
        // 5h59m ago: 2h01m left, not at risk; 5h59m < 6h: ok.
        json!({"id": "R-4", "kind": "refund", "amount": "100", "opened_at": "2026-11-23T04:01:00Z",
               "response_at": "2026-11-23T04:10:00Z"}),
        // Responded after 2h (missed), closed after 9h: resolution missed; not open, so
        // its missing finance_reviewer approval is not pending work.
        json!({"id": "R-5", "kind": "refund", "amount": "100", "opened_at": "2026-11-23T00:00:00Z",
               "response_at": "2026-11-23T02:00:00Z", "closed_at": "2026-11-23T09:00:00Z"}),
        // A hold 30m old: response 30m left (at risk, ok: 30m < 45m), resolution 7h30m left.
        json!({"id": "H-1", "kind": "hold", "opened_at": "2026-11-23T09:30:00Z"}),
    ]
}

#[test]
fn attainment_per_metric_beside_breached_and_at_risk() {
    let r = report(&ENGINE, &worked_cases(), NOW);
    assert_eq!(r["at_risk_horizon_s"], 7200);
    let q = &r["queues"]["refunds"];
    // Open R-1..R-4; R-1 breached; warning and at risk.
    assert_eq!((q["cases"].as_u64(), q["open"].as_u64()), (Some(5), Some(4)));
    assert_eq!((q["breached"].as_u64(), q["warning"].as_u64(), q["at_risk"].as_u64()), (Some(1), Some(2), Some(2)));
    // Response: met by, missed by R-5 (3/4); running only on R-1, breached.
    assert_eq!(
        q["metrics"]["response"],
        json!({"met": 3, "missed": 1, "attainment": 0.75, "open": 1, "breached_open": 1, "at_risk": 0})
    );
    // Resolution: missed by R-5 (0/1); running on R-1 (breached), R-2, R-3 (at risk), R-4.
    assert_eq!(
        q["metrics"]["resolution"],
        json!({"met": 0, "missed": 1, "attainment": 0.0, "open": 4, "breached_open": 1, "at_risk": 2})
    );
    // Every metric together, as before: 3 met, 2 missed.
    assert_eq!(q["attainment"], 0.6);
    let h = &r["queues"]["holds"];
    assert_eq!(h["at_risk"], 1);
    assert_eq!(h["metrics"]["response"]["at_risk"], 1);
    assert_eq!(h["metrics"]["resolution"]["at_risk"], 0);
}

#[test]
fn a_queue_whose_open_cases_are_all_breached_is_not_a_clean_100_percent() {
    // Two refunds both responded in time (response attainment 100%), both open past 8h.
    let cases: Vec<Value> = ["A", "B"]
        .iter()
        .map(|id| {
            json!({"id": id, "kind": "refund", "amount": "10", "opened_at": "2026-11-22T20:00:00Z",
                   "response_at": "2026-11-22T20:10:00Z"})
        })
        .collect();
    let r = report(&ENGINE, &cases, NOW);
    let q = &r["queues"]["refunds"];
    assert_eq!(q["attainment"], 1.0);
    assert_eq!((q["open"].as_u64(), q["breached"].as_u64()), (Some(2), Some(2)));
    assert_eq!(q["metrics"]["resolution"]["breached_open"], 2);
    assert_eq!(q["metrics"]["resolution"]["attainment"], Value::Null);
}

#[test]
fn without_a_horizon_nothing_is_at_risk() {
    let mut p = report_policy();
    p["sla"].as_object_mut().unwrap().remove("at_risk");
    let r = report(&engine(&p), &worked_cases(), NOW);
    assert_eq!(r["at_risk_horizon_s"], Value::Null);
    assert_eq!(r["queues"]["refunds"]["at_risk"], 0);
    assert_eq!(r["queues"]["refunds"]["metrics"]["resolution"]["at_risk"], 0);
    // A horizon that is not a duration is a compile error at its path.
    p["sla"]["at_risk"] = json!("soon");
    let err = Engine::compile_value(&p).unwrap_err();
    assert_eq!((err.errors[0].code.as_str(), err.path()), ("bad_duration", "/sla/at_risk"));
}

#[test]
fn who_owns_approves_and_has_been_escalated_to() {
    let r = report(&ENGINE, &worked_cases(), NOW);
    let q = &r["queues"]["refunds"];
    assert_eq!(q["owner"], "finance_ops");
    assert_eq!(r["queues"]["holds"]["owner"], "payments");
    // finance_reviewer is missing on R-1..R-4 (R-5 is closed); R-2's ops_manager was given.
    assert_eq!(q["pending_approvals"], json!({"finance_reviewer": 4}));
    // R-1 reached ops_manager (its response, level 2); no other case passed a step.
    assert_eq!(q["escalated_to"], json!({"ops_manager": 1}));
    assert_eq!(r["queues"]["holds"]["escalated_to"], json!({}));
    // One level each: the first metric's role wins the tie. Opened 1h30m ago: response
    // 1h30m (passed 1.0×, not 1.5× = 1h30m, which needs more): team_lead.
    let c = json!({"id": "T", "kind": "hold", "opened_at": "2026-11-23T08:30:00Z"});
    let r = report(&ENGINE, &[c], NOW);
    assert_eq!(r["queues"]["holds"]["escalated_to"], json!({"team_lead": 1}));
}

#[test]
fn misses_and_breaches_by_cause() {
    // A hold that waited on the carrier for all its 10h: both breaches are the carrier's;
    // R-1 (own) breached both metrics; R-5 missed both (own).
    let mut cases = worked_cases();
    cases.push(json!({"id": "H-2", "kind": "hold", "opened_at": "2026-11-23T00:00:00Z",
                      "waiting": [{"from": "2026-11-23T00:00:00Z", "on": "carrier"}]}));
    let r = report(&ENGINE, &cases, NOW);
    assert_eq!(r["queues"]["refunds"]["missed_by_cause"], json!({"own": 2, "warehouse": 0, "carrier": 0}));
    assert_eq!(r["queues"]["refunds"]["breached_by_cause"], json!({"own": 2, "warehouse": 0, "carrier": 0}));
    assert_eq!(r["queues"]["holds"]["breached_by_cause"], json!({"own": 0, "warehouse": 0, "carrier": 2}));
    assert_eq!(r["queues"]["holds"]["waiting_s"], json!({"warehouse": 0, "carrier": 72000}));
}

// ---------------------------------------------------------------------------------------
// The merge property: the report of a batch equals the merge of the reports of any split.

const BASE: i64 = 1_795_046_400; // 2026-11-19T00:00:00Z

fn ts(x: i64) -> String {
    docket_core::time::Rfc3339(x).to_string()
}

/// A generated case: kind, amount, channel, opened within a week before `now`, optional
/// stamps, closing, a wait, an approval; ids from a small set so ties and repeats occur;
/// and what actually happened (worked queue, escalations, closer), for QA.
fn arb_case() -> impl Strategy<Value = Value> {
    (arb_backlog_case(), arb_qa()).prop_map(|(mut c, (worked, escalations, closer))| {
        if let Some(q) = worked {
            c["worked_queue"] = json!(q);
        }
        if let Some(list) = escalations {
            let opened = t(c["opened_at"].as_str().unwrap_or_default());
            c["escalations"] =
                json!(list.iter().map(|&(l, m)| json!({"level": l, "at": ts(opened + m * 60)})).collect::<Vec<_>>());
        }
        if let Some((id, role)) = closer {
            c["closed_by"] = json!({"id": id, "roles": [role]});
        }
        c
    })
}

/// What actually happened: a worked queue (one undeclared), escalations (level, minutes
/// after the opening), a closer.
#[allow(clippy::type_complexity)]
fn arb_qa()
-> impl Strategy<Value = (Option<&'static str>, Option<Vec<(u32, i64)>>, Option<(&'static str, &'static str)>)> {
    (
        prop::option::weighted(0.3, prop_oneof![Just("refunds"), Just("holds"), Just("elsewhere")]),
        prop::option::weighted(0.3, prop::collection::vec((1u32..4, 0i64..900), 0..3)),
        prop::option::weighted(
            0.3,
            (prop_oneof![Just("u-1"), Just("u-2")], prop_oneof![Just("team_lead"), Just("finance_reviewer")]),
        ),
    )
}

fn arb_backlog_case() -> impl Strategy<Value = Value> {
    let minute = 0i64..(7 * 24 * 60);
    (
        0u8..6,
        prop_oneof![Just("refund"), Just("hold")],
        prop_oneof![Just("10"), Just("2000"), Just("x")],
        prop_oneof![Just("web"), Just("phone")],
        any::<bool>(),
        minute.clone(),
        prop::option::weighted(0.5, 0i64..600),
        prop::option::weighted(0.3, 0i64..3000),
        prop::option::weighted(0.2, 0i64..3000),
        prop::option::weighted(0.3, (0i64..600, prop_oneof![Just("warehouse"), Just("carrier"), Just("legal")])),
        prop::option::weighted(0.3, prop_oneof![Just("ops_manager"), Just("finance_reviewer")]),
    )
        .prop_map(|(id, kind, amount, channel, vip, opened, resp, resol, closed, wait, appr)| {
            let at = |m: i64| ts(BASE + m * 60);
            let mut c = json!({"id": format!("C-{id}"), "kind": kind, "amount": amount, "channel": channel,
                               "vip": vip, "opened_at": at(opened)});
            if let Some(d) = resp {
                c["response_at"] = json!(at(opened + d));
            }
            if let Some(d) = resol {
                c["resolution_at"] = json!(at(opened + d));
            }
            if let Some(d) = closed {
                c["closed_at"] = json!(at(opened + d));
            }
            if let Some((d, on)) = wait {
                c["waiting"] = json!([{"from": at(opened + d), "on": on}]);
            }
            if let Some(role) = appr {
                c["approvals"] = json!([{"role": role, "by": "u-1", "at": at(opened)}]);
            }
            c
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any split of a batch into parts, reported apart and merged in any order, gives the
    /// report of the whole batch: every figure (`Report` equality) and the JSON, split by
    /// kind, channel and vip too, with the flow over its week (counts, cycle-time sums,
    /// maxima and histograms).
    #[test]
    fn the_merge_of_any_split_is_the_whole(
        cases in prop::collection::vec(arb_case(), 0..40),
        cuts in prop::collection::vec(0usize..40, 0..4),
        reverse in any::<bool>(),
        qa in any::<bool>(),
    ) {
        let e = if qa { &*QA_ENGINE } else { &*ENGINE };
        let now = BASE + 7 * 86_400;
        let decoded: Vec<Case> = cases.iter().map(|c| { let mut k = Case::new(); e.decode_json(&c.to_string(), &mut k); k }).collect();
        let outs: Vec<Outcome> = decoded.iter().map(|k| { let mut o = Outcome::new(); e.evaluate(k, now, &mut o); o }).collect();
        let dims = || docket_core::Dimensions::new(e, &["kind", "channel", "vip"]).unwrap();
        // Flow over the week of the cases, in day buckets (`since` mid-day: the first
        // bucket is its whole day).
        let new = || Report::with_dimensions(e, now, dims()).with_flow(e, BASE + 43_200, docket_core::Bucket::Day).unwrap();
        let mut whole = new();
        decoded.iter().zip(&outs).for_each(|(k, o)| whole.add_case(e, k, o));
        let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(outs.len())).collect();
        cuts.push(0);
        cuts.push(outs.len());
        cuts.sort_unstable();
        let mut parts: Vec<Report> = cuts
            .windows(2)
            .map(|w| {
                let mut r = new();
                for i in w[0]..w[1] {
                    r.add_case(e, &decoded[i], &outs[i]);
                }
                r
            })
            .collect();
        if reverse {
            parts.reverse();
        }
        let mut merged = new();
        for p in &parts {
            merged.merge(p);
        }
        prop_assert_eq!(&merged, &whole);
        prop_assert_eq!(merged.to_json(e), whole.to_json(e));
        // Merged into an empty `Report::default()` (with its `now`), the same.
        let mut from_default = Report { now, ..Report::default() };
        for p in &parts {
            from_default.merge(p);
        }
        prop_assert_eq!(from_default.to_json(e), whole.to_json(e));
        // An empty report like a part (`Report::like`) merges to the same.
        let mut like = parts.first().map_or_else(new, |p| p.like(e));
        for p in &parts {
            like.merge(p);
        }
        prop_assert_eq!(&like, &whole);
        let flow = whole.flow.as_ref().unwrap();
        prop_assert_eq!(flow.buckets(), 8);
    }
}

#[test]
fn dimensions_split_every_count_of_a_queue() {
    let e = &*ENGINE;
    let dims = docket_core::Dimensions::new(e, &["channel", "vip"]).unwrap();
    let now = t(NOW);
    let mut cases = worked_cases();
    // by phone, R-3 by web and vip, R-4 and R-5 without a channel.
    cases[0]["channel"] = json!("phone");
    cases[1]["channel"] = json!("phone");
    cases[2]["channel"] = json!("web");
    cases[2]["vip"] = json!(true);
    let mut r = Report::with_dimensions(e, now, dims);
    for c in &cases {
        let mut case = Case::new();
        e.decode_json(&c.to_string(), &mut case);
        let mut o = Outcome::new();
        e.evaluate(&case, now, &mut o);
        r.add_case(e, &case, &o);
    }
    let r: Value = serde_json::from_str(&r.to_json(e)).unwrap();
    assert_eq!(r["by"], json!(["channel", "vip"]));
    let by = r["queues"]["refunds"]["by"].as_array().unwrap();
    let values: Vec<&Value> = by.iter().map(|b| &b["values"]).collect();
    // Ordered by channel (absent, web, phone: the policy's order), then vip (absent,
    // false, true).
    assert_eq!(
        values,
        [
            &json!({"channel": null, "vip": null}),
            &json!({"channel": "web", "vip": true}),
            &json!({"channel": "phone", "vip": null})
        ]
    );
    // Absent channel: R-4 (open, ok, response met) and R-5 (closed, both missed).
    assert_eq!((by[0]["cases"].as_u64(), by[0]["open"].as_u64(), by[0]["met"].as_u64()), (Some(2), Some(1), Some(1)));
    assert_eq!(by[0]["missed"], 2);
    // web + vip: R-3, at risk.
    assert_eq!((by[1]["cases"].as_u64(), by[1]["at_risk"].as_u64()), (Some(1), Some(1)));
    // phone: R-1 (breached, reached ops_manager) and R-2 (at risk); both need finance_reviewer.
    assert_eq!((by[2]["breached"].as_u64(), by[2]["at_risk"].as_u64()), (Some(1), Some(1)));
    assert_eq!(by[2]["escalated_to"], json!({"ops_manager": 1}));
    assert_eq!(by[2]["pending_approvals"], json!({"finance_reviewer": 2}));
    assert_eq!(by[2]["metrics"]["resolution"]["breached_open"], 1);
    // The parts add up to the queue.
    let sum = |k: &str| by.iter().map(|b| b[k].as_u64().unwrap()).sum::<u64>();
    for k in ["cases", "open", "breached", "warning", "at_risk", "met", "missed"] {
        assert_eq!(Some(sum(k)), r["queues"]["refunds"][k].as_u64(), "{k}");
    }
    // Without dimensions there is no `by`.
    assert!(report(e, &cases, NOW)["queues"]["refunds"].get("by").is_none());
}

#[test]
fn dimensions_are_enum_or_bool_fields_given_once() {
    let e = &*ENGINE;
    let err = |f: &[&str]| docket_core::Dimensions::new(e, f).unwrap_err();
    assert_eq!(err(&["amount"]), "`amount` is a money field; reports split by enum and bool fields");
    assert_eq!(err(&["nope"]), "`nope` is not a field of the policy");
    assert_eq!(err(&["kind", "kind"]), "`kind` is given twice");
    assert!(docket_core::Dimensions::new(e, &["kind", "channel", "vip"]).is_ok());
}

#[test]
fn trend_deltas_and_verdicts_by_the_documented_rule() {
    use docket_core::Verdict;
    // The rule (docs/reports.md, "Trend"): growing when breached grew or breached + at
    // risk grew; else shrinking when open or breached + at risk shrank; else contained.
    assert_eq!(Verdict::of(0, 1, -1), Verdict::Growing); // a case turned from at risk to breached
    assert_eq!(Verdict::of(-5, 0, 1), Verdict::Growing); // fewer cases, more at risk
    assert_eq!(Verdict::of(3, 0, 0), Verdict::Contained); // more cases, no more risk
    assert_eq!(Verdict::of(0, 0, 0), Verdict::Contained);
    assert_eq!(Verdict::of(-1, 0, 0), Verdict::Shrinking);
    assert_eq!(Verdict::of(2, -1, 0), Verdict::Shrinking); // risk down though volume up
    // Reports of the worked example 6 hours apart.
    let cases = worked_cases();
    let earlier = report(&ENGINE, &cases, "2026-11-23T04:00:00Z");
    let now = report(&ENGINE, &cases, NOW);
    let t = docket_core::trend(&now, &earlier).unwrap();
    assert_eq!(t["elapsed_s"], 6 * 3600);
    assert_eq!(t["baseline"], json!({"now": "2026-11-23T04:00:00Z", "same_policy": true}));
    // refunds at 04:00: R-1 (response 4h > 1h: breached), R-2 (responded, resolution 7h
    // left), R-3 (opened at that very instant; its 04:30 response has not happened: 1h
    // left, at risk), R-5 (response missed, closing at 09:00 not yet: resolution 4h left)
    // are open; R-4 is not yet open. Oldest: at 00:00 (R-1 by id), 4h old.
    let q0 = &earlier["queues"]["refunds"];
    assert_eq!((q0["open"].as_i64(), q0["breached"].as_i64(), q0["at_risk"].as_i64()), (Some(4), Some(1), Some(1)));
    // At 10:00: open 4, breached 1, at risk 2; oldest R-1, 10h old. Risk
    // (breached + at risk) grew by one: growing.
    assert_eq!(
        t["queues"]["refunds"],
        json!({"open": 0, "breached": 0, "at_risk": 1, "oldest_age_s": 6 * 3600, "verdict": "growing"})
    );
    // holds: H-1 (09:30) had not happened at 04:00: 0 cases then (absent from the earlier
    // report), 1 open at risk now; oldest age 30m against 0.
    assert!(earlier["queues"].get("holds").is_none());
    assert_eq!(
        t["queues"]["holds"],
        json!({"open": 1, "breached": 0, "at_risk": 1, "oldest_age_s": 1800, "verdict": "growing"})
    );
    // The other way round the queue is gone from the current report: it shrank.
    let back = docket_core::trend(&earlier, &now).unwrap();
    assert_eq!(back["queues"]["holds"]["verdict"], "shrinking");
    assert_eq!(back["elapsed_s"], -6 * 3600);
    // Not a report.
    assert!(docket_core::trend(&now, &json!({"queues": {}})).is_err());
    assert!(docket_core::trend(&now, &json!({"now": "2026-11-23T04:00:00Z"})).is_err());
}

// ---------------------------------------------------------------------------------------
// Flow over a period (docs/reports.md, "Flow"): the worked example's cases and figures.

/// The worked example of the flow: refunds F-1..F-6 and holds H-1, H-2 at 2026-11-23T10:00Z.
fn flow_cases() -> Vec<Value> {
    vec![
        // Opened before the period; responded 20:30 (1800 s); resolved 11-21 03:00 (7h):
        // every metric stamped, so closed at 03:00 (day 0).
        json!({"id": "F-1", "kind": "refund", "amount": "10", "opened_at": "2026-11-20T20:00:00Z",
               "response_at": "2026-11-20T20:30:00Z", "resolution_at": "2026-11-21T03:00:00Z"}),
        // Day 0: responded after 20m; paused 2h; resolved at 18:00: 9h of calendar time, 7h
        // of business time.
        json!({"id": "F-2", "kind": "refund", "amount": "10", "opened_at": "2026-11-21T09:00:00Z",
               "response_at": "2026-11-21T09:20:00Z", "resolution_at": "2026-11-21T18:00:00Z",
               "paused": [{"from": "2026-11-21T10:00:00Z", "to": "2026-11-21T12:00:00Z"}]}),
        // Day 1: responded after 2h; closed on day 2 at 09:00 without a resolution stamp: the
        // resolution stops at the closing, 25h.
        json!({"id": "F-3", "kind": "refund", "amount": "10", "opened_at": "2026-11-22T08:00:00Z",
               "response_at": "2026-11-22T10:00:00Z", "closed_at": "2026-11-23T09:00:00Z"}),
        // Day 1, 23:00: responded on day 2 after 1h30m; open.
        json!({"id": "F-4", "kind": "refund", "amount": "10", "opened_at": "2026-11-22T23:00:00Z",
               "response_at": "2026-11-23T00:30:00Z"}),
        // Day 2: open.
        json!({"id": "F-5", "kind": "refund", "amount": "10", "opened_at": "2026-11-23T09:30:00Z"}),
        // Day 2: its response at 11:00 has not happened by now: open, no cycle time.
        json!({"id": "F-6", "kind": "refund", "amount": "10", "opened_at": "2026-11-23T09:00:00Z",
               "response_at": "2026-11-23T11:00:00Z"}),
        // A hold closed before the period: nowhere in the flow.
        json!({"id": "H-1", "kind": "hold", "opened_at": "2026-11-19T00:00:00Z", "closed_at": "2026-11-20T00:00:00Z"}),
        // Day 1: a hold responded after 10m; open.
        json!({"id": "H-2", "kind": "hold", "opened_at": "2026-11-22T12:00:00Z", "response_at": "2026-11-22T12:10:00Z"}),
    ]
}

fn flow_report(e: &Engine, cases: &[Value], since: &str, bucket: docket_core::Bucket) -> Value {
    let now = t(NOW);
    let mut r = Report::new(e, now).with_flow(e, t(since), bucket).unwrap();
    for c in cases {
        r.add(&outcome(e, c, now));
    }
    serde_json::from_str(&r.to_json(e)).unwrap()
}

/// One cycle-time entry of a bucket: kind, metric, count, business and calendar figures.
fn cell(kind: &str, metric: &str, count: u64, business: Value, calendar: Value) -> Value {
    json!({"kind": kind, "metric": metric, "count": count, "business": business, "calendar": calendar})
}

/// `{mean_s, p50_s, p90_s, max_s}`.
fn cyc(mean: u64, p50: u64, p90: u64, max: u64) -> Value {
    json!({"mean_s": mean, "p50_s": p50, "p90_s": p90, "max_s": max})
}

#[test]
fn flow_per_day_received_closed_carried_over_and_cycle_times() {
    use docket_core::Bucket;
    let r = flow_report(&ENGINE, &flow_cases(), "2026-11-21T12:00:00Z", Bucket::Day);
    let f = &r["flow"];
    // The first bucket is the day holding `since`; the last holds now (11-23 10:00).
    assert_eq!(
        (&f["since"], &f["bucket"], &f["timezone"], &f["start"], &f["end"]),
        (
            &json!("2026-11-21T12:00:00Z"),
            &json!("day"),
            &json!("UTC"),
            &json!("2026-11-21T00:00:00Z"),
            &json!("2026-11-24T00:00:00Z")
        )
    );
    let q = &f["queues"]["refunds"];
    // Open at 11-21 00:00: F-1 only (opened 11-20, closed 11-21 03:00).
    assert_eq!(q["open_at_start"], 1);
    let b = q["buckets"].as_array().unwrap();
    let counts: Vec<(&str, u64, u64, u64)> = b
        .iter()
        .map(|x| {
            (
                x["start"].as_str().unwrap(),
                x["received"].as_u64().unwrap(),
                x["closed"].as_u64().unwrap(),
                x["carried_over"].as_u64().unwrap(),
            )
        })
        .collect();
    // Day 0: F-2 in; F-1 and F-2 out: 1 + 1 - 2 = 0. Day 1: F-3, F-4 in: 2. Day 2: F-5, F-6
    // in, F-3 out: 2 + 2 - 1 = 3, the queue's open cases now.
    assert_eq!(
        counts,
        [("2026-11-21T00:00:00Z", 1, 2, 0), ("2026-11-22T00:00:00Z", 2, 0, 2), ("2026-11-23T00:00:00Z", 2, 1, 3)]
    );
    assert_eq!(r["queues"]["refunds"]["open"], 3);
    // Day 0: F-2's response (1200 s); F-1's resolution (7h = 25200 s) and F-2's (business
    // 7h, calendar 9h = 32400 s). 25200 lies in the bin [25088, 25344) (width 256), read
    // 25216 when the largest value is above it; 32400 in [32256, 32512), read 32384.
    assert_eq!(
        b[0]["cycle_times"],
        json!([
            cell("refund", "response", 1, cyc(1200, 1200, 1200, 1200), cyc(1200, 1200, 1200, 1200)),
            cell("refund", "resolution", 2, cyc(25200, 25200, 25200, 25200), cyc(28800, 25216, 32384, 32400))
        ])
    );
    // Day 1: F-3's response (2h, 7200 s: the middle of [7168, 7232)).
    assert_eq!(
        b[1]["cycle_times"],
        json!([cell("refund", "response", 1, cyc(7200, 7200, 7200, 7200), cyc(7200, 7200, 7200, 7200))])
    );
    // Day 2: F-4's response (5400 s, capped at the largest); F-3's resolution stopped by
    // its closing (25h = 90000 s: the middle of [89088, 90112) is 89600, 0.44% low).
    assert_eq!(
        b[2]["cycle_times"],
        json!([
            cell("refund", "response", 1, cyc(5400, 5400, 5400, 5400), cyc(5400, 5400, 5400, 5400)),
            cell("refund", "resolution", 1, cyc(90000, 89600, 89600, 90000), cyc(90000, 89600, 89600, 90000))
        ])
    );
    // holds: H-1 closed before the period; H-2 received on day 1, responded in 600 s.
    let h = &f["queues"]["holds"];
    assert_eq!(h["open_at_start"], 0);
    let hb: Vec<(u64, u64, u64)> = h["buckets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| (x["received"].as_u64().unwrap(), x["closed"].as_u64().unwrap(), x["carried_over"].as_u64().unwrap()))
        .collect();
    assert_eq!(hb, [(0, 0, 0), (1, 0, 1), (0, 0, 1)]);
    assert_eq!(h["buckets"][1]["cycle_times"][0]["kind"], "hold");
    assert_eq!(h["buckets"][1]["cycle_times"][0]["business"], cyc(600, 600, 600, 600));
    // Without --since there is no flow.
    assert!(report(&ENGINE, &flow_cases(), NOW).get("flow").is_none());
}

#[test]
fn flow_weeks_start_on_monday_midnight_in_the_report_timezone() {
    use docket_core::Bucket;
    let mut p = report_policy();
    p["report"] = json!({"timezone": "Europe/Berlin"});
    let e = engine(&p);
    // Since Wed 11-18: its week starts Mon 11-16 00:00 CET = 11-15T23:00Z; the next Mon
    // 11-23 00:00 CET = 11-22T23:00Z holds now; it ends 11-29T23:00Z.
    let r = flow_report(&e, &flow_cases(), "2026-11-18T12:00:00Z", Bucket::Week);
    let f = &r["flow"];
    assert_eq!(
        (&f["timezone"], &f["start"], &f["end"]),
        (&json!("Europe/Berlin"), &json!("2026-11-15T23:00:00Z"), &json!("2026-11-29T23:00:00Z"))
    );
    let q = &f["queues"]["refunds"];
    assert_eq!(q["open_at_start"], 0);
    let b = q["buckets"].as_array().unwrap();
    // Week 0: F-1, F-2, F-3 in; F-1, F-2 out: 1. Week 1 (from 11-22T23:00Z, where F-4 was
    // opened: Monday in Berlin): F-4, F-5, F-6 in; F-3 out: 1 + 3 - 1 = 3.
    assert_eq!(b[0]["start"], "2026-11-15T23:00:00Z");
    assert_eq!(
        (b[0]["received"].as_u64(), b[0]["closed"].as_u64(), b[0]["carried_over"].as_u64()),
        (Some(3), Some(2), Some(1))
    );
    assert_eq!(b[1]["start"], "2026-11-22T23:00:00Z");
    assert_eq!(
        (b[1]["received"].as_u64(), b[1]["closed"].as_u64(), b[1]["carried_over"].as_u64()),
        (Some(3), Some(1), Some(3))
    );
    // Week 0's responses: F-1 1800 s, F-2 1200 s, F-3 7200 s: mean 3400; p50 the 2nd of 3
    // (1800, the middle of [1792, 1808)); p90 the 3rd (7200).
    assert_eq!(b[0]["cycle_times"][0]["metric"], "response");
    assert_eq!(b[0]["cycle_times"][0]["count"], 3);
    assert_eq!(b[0]["cycle_times"][0]["business"], cyc(3400, 1800, 7200, 7200));

    // Days in Berlin across the end of summer time: 2026-10-25 has 25 hours, from
    // 10-24T22:00Z (00:00 CEST) to 10-25T23:00Z (00:00 CET).
    let now = t("2026-10-26T12:00:00Z");
    let f = docket_core::Flow::new(&e, now, t("2026-10-25T12:00:00Z"), Bucket::Day).unwrap();
    assert_eq!(f.edges, [t("2026-10-24T22:00:00Z"), t("2026-10-25T23:00:00Z"), t("2026-10-26T23:00:00Z")]);
}

#[test]
fn flow_periods_are_bounded_and_start_by_now() {
    use docket_core::{Bucket, ErrorCode, Flow, FlowError, MAX_FLOW_BUCKETS};
    let e = &*ENGINE;
    let now = t(NOW);
    // 399 days before now: the days 0..=399 hold since and now, 400 buckets; one day more is
    // one bucket over the limit.
    let day = 86_400;
    assert_eq!(Flow::new(e, now, now - 399 * day, Bucket::Day).unwrap().edges.len(), MAX_FLOW_BUCKETS + 1);
    let err = Flow::new(e, now, now - 400 * day, Bucket::Day).unwrap_err();
    assert_eq!((err, err.code()), (FlowError::TooManyBuckets, ErrorCode::LimitExceeded));
    // Weeks: 399 weeks before a Monday is the 400th week; 400 weeks, the 401st.
    assert!(Flow::new(e, now, now - 399 * 7 * day, Bucket::Week).is_ok());
    assert_eq!(Flow::new(e, now, now - 400 * 7 * day, Bucket::Week).unwrap_err(), FlowError::TooManyBuckets);
    // Since after now.
    let err = Flow::new(e, now, now + 1, Bucket::Day).unwrap_err();
    assert_eq!((err, err.code()), (FlowError::SinceAfterNow, ErrorCode::InvalidArgument));
    // Since == now: one bucket.
    assert_eq!(Flow::new(e, now, now, Bucket::Day).unwrap().buckets(), 1);
    assert_eq!((Bucket::parse("week"), Bucket::parse("month")), (Some(Bucket::Week), None));
}

#[test]
fn the_report_timezone_is_an_iana_zone() {
    let mut p = report_policy();
    p["report"] = json!({"timezone": "Mars/Olympus"});
    let err = Engine::compile_value(&p).unwrap_err();
    assert_eq!((err.errors[0].code.as_str(), err.path()), ("unknown_timezone", "/report/timezone"));
    p["report"] = json!({"timezone": 3});
    assert_eq!(Engine::compile_value(&p).unwrap_err().path(), "/report/timezone");
    p["report"] = json!({"zone": "UTC"});
    let err = Engine::compile_value(&p).unwrap_err();
    assert_eq!((err.errors[0].code.as_str(), err.path()), ("unknown_key", "/report/zone"));
    // Without a timezone: UTC.
    p["report"] = json!({});
    assert!(Engine::compile_value(&p).is_ok());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Percentiles read from the histogram are within 1/128 of the exact nearest-rank
    /// percentiles (the value of rank ⌈p × n / 100⌉ in sorted order), whatever the values;
    /// count, mean and max are exact.
    #[test]
    fn histogram_percentiles_are_within_a_128th_of_the_exact_ones(
        values in prop::collection::vec(prop_oneof![0u64..200, 0u64..100_000, 0u64..5_000_000_000], 1..300),
        p in 1u64..=100,
    ) {
        let mut h = docket_core::Histogram::default();
        for &v in &values {
            h.add(v);
        }
        let mut sorted = values.clone();
        sorted.sort_unstable();
        let max = *sorted.last().unwrap();
        let n = sorted.len() as u64;
        let rank = (p * n).div_ceil(100).max(1);
        let exact = sorted[(rank - 1) as usize];
        let got = h.quantile(p, 100, max).unwrap();
        // 2^32 - 1 and above share the last bin: the bound holds up to it.
        if exact < 1 << 32 {
            prop_assert!(128 * got.abs_diff(exact) <= exact, "p{p}: got {got}, exact {exact}");
        }
        prop_assert!(got <= max);
    }
}
