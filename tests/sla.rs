//! SLA clocks through the whole engine: the spec's worked examples (time-semantics.md),
//! the spec's C-1001 outcome, pauses, zero targets, bad stamps, escalation, bands, and
//! the report merge property.

use docket_core::{Case, Engine, Outcome, Report};
use docket_tests::*;
use proptest::prelude::*;
use serde_json::{Value, json};

/// The example policy with one target rule: `calendar`, `response` = `target`.
fn policy_with_target(calendar: &str, target: &str) -> Engine {
    let mut p: Value = serde_json::from_str(EXAMPLE_POLICY).unwrap();
    p["sla"]["targets"] =
        json!({"hit": "first", "rules": [{"id": "S", "when": {}, "then": {"calendar": calendar, "response": target}}]});
    engine(&p)
}

fn response(e: &Engine, opened: &str, extra: Value, now: &str) -> Value {
    let mut case = json!({"id": "X", "kind": "payment_hold", "order_id": "O", "opened_at": opened});
    if let Value::Object(m) = extra {
        for (k, v) in m {
            case[k] = v;
        }
    }
    let o = eval(e, &case, now);
    o["sla"]["response"].clone()
}

#[test]
fn worked_examples_1_to_5_and_8() {
    // (calendar, opened (UTC), target, due (UTC)) — the spec's local times converted with
    // CET = UTC+1 (Berlin, winter) and EST = UTC-5 (New York, winter).
    let cases = [
        // 1. Mon 07:00 local, 2h: starts 08:00, due 10:00 local.
        ("eu_ops", "2026-11-23T06:00:00Z", "2h", "2026-11-23T09:00:00Z"),
        // 2. Mon 17:30 local, 1h: 30m Monday, resumes Tue 08:00, due Tue 08:30 local.
        ("eu_ops", "2026-11-23T16:30:00Z", "1h", "2026-11-24T07:30:00Z"),
        // 3. Mon 16:00 local, 2h: due at the end of the window, 18:00 local.
        ("eu_ops", "2026-11-23T15:00:00Z", "2h", "2026-11-23T17:00:00Z"),
        // 4. Fri 16:30 local, 2h: 30m Friday, Sat 09:00-10:30.
        ("eu_ops", "2026-11-27T15:30:00Z", "2h", "2026-11-28T09:30:00Z"),
        // 5. Thu 24 Dec 11:00 local (override 08-12), 3h: 1h, holidays, Sunday, Mon 28th 10:00 local.
        ("eu_ops", "2026-12-24T10:00:00Z", "3h", "2026-12-28T09:00:00Z"),
        // 8. New York Mon 23:00 local (night desk 22:00-06:00), 3h: Tue 02:00 local.
        ("night_desk", "2026-11-24T04:00:00Z", "3h", "2026-11-24T07:00:00Z"),
    ];
    // `now` after every opening (a case opened after `now` is not yet open); the due
    // instant does not depend on `now`.
    for (cal, opened, target, due) in cases {
        let e = policy_with_target(cal, target);
        let r = response(&e, opened, json!({}), "2027-01-04T00:00:00Z");
        assert_eq!(r["due"], due, "{cal} {opened} {target}");
        assert_eq!(r["calendar"], cal);
    }
}

#[test]
fn worked_example_6_pauses() {
    let e = policy_with_target("eu_ops", "2h");
    // Opened Mon 08:00 local (07:00Z), paused 09:00-11:00 local (08:00Z-10:00Z): due 12:00 local.
    let closed = json!({"paused": [{"from": "2026-11-23T08:00:00Z", "to": "2026-11-23T10:00:00Z"}]});
    let r = response(&e, "2026-11-23T07:00:00Z", closed, "2026-11-23T12:00:00Z");
    assert_eq!(r["due"], "2026-11-23T11:00:00Z");
    // At 13:00 local (12:00Z): 5h since opening less the 2h pause = 3h elapsed > 2h.
    assert_eq!(r["elapsed_s"], 3 * 3600);
    assert_eq!(r["state"], "breached");
    // Same case with the pause still open at now = Mon 10:00 local: paused, 1h, due null.
    let open = json!({"paused": [{"from": "2026-11-23T08:00:00Z"}]});
    let r = response(&e, "2026-11-23T07:00:00Z", open.clone(), "2026-11-23T09:00:00Z");
    assert_eq!((r["state"].as_str(), r["elapsed_s"].as_i64(), r["due"].is_null()), (Some("paused"), Some(3600), true));
    assert_eq!(r["escalation"]["next_at"], Value::Null, "next_at is null while paused");
    let open_to_null = json!({"paused": [{"from": "2026-11-23T08:00:00Z", "to": null}]});
    assert_eq!(response(&e, "2026-11-23T07:00:00Z", open_to_null, "2026-11-23T09:00:00Z"), r);
}

#[test]
fn the_spec_outcome_of_c_1001() {
    let o = eval_str(&example_engine(), &example_case("C-1001"), "2026-11-23T10:00:00Z");
    // cases-and-outcomes.md, verbatim (the fingerprint aside).
    assert_eq!(
        o["sla"],
        json!({
            "response":   { "state": "met", "calendar": "eu_ops", "target_s": 3600,
                            "due": "2026-11-20T10:15:00Z", "elapsed_s": 2700, "remaining_s": 900,
                            "consumed": 0.75, "completed_at": "2026-11-20T10:00:00Z", "waiting_s": {} },
            "resolution": { "state": "breached", "calendar": "eu_ops", "target_s": 28800,
                            "due": "2026-11-21T10:15:00Z", "elapsed_s": 45900, "remaining_s": -17100,
                            "consumed": 1.59375,
                            "escalation": { "level": 2, "next_level": 3, "next_to": "client_sponsor",
                                            "next_at": "2026-11-23T13:15:00Z" },
                            "waiting_s": {}, "cause": "own" }
        })
    );
    assert_eq!(o["band"], "critical");
    // The next change: step 3 (200% = 16h) passes once elapsed > 57600 s, one business
    // second after it is reached at Mon 14:15 CET; the band is already the last one.
    assert_eq!(o["next_change_at"], "2026-11-23T13:15:01Z");
    assert_eq!(o["issues"], json!([]));
}

#[test]
fn clocks_of_other_example_cases() {
    let e = example_engine();
    let now = "2026-11-23T10:00:00Z";
    // C-1003: fraud review on `always`, opened 08:40Z, 15m response target: by 10:00Z, 80m
    // elapsed > 15m → breached. S01's own ladder (1×, 2×, 8×: team_lead, ops_manager,
    // leadership): 80m > 30m, < 120m → level 2; leadership at 08:40Z + 2h. (The
    // policy-wide ladder, meant for multi-day refunds, had it at client_sponsor.)
    let o = eval_str(&e, &example_case("C-1003"), now);
    assert_eq!(o["sla"]["response"]["state"], "breached");
    assert_eq!(
        o["sla"]["response"]["escalation"],
        json!({"level": 2, "next_level": 3, "next_to": "leadership", "next_at": "2026-11-23T10:40:00Z"})
    );
    // resolution 4h: 80m elapsed, due 12:40Z; 80/240 = 1/3 < S01's warn_at 0.5 → ok; band:
    // 1h20m → fresh.
    assert_eq!(o["sla"]["resolution"]["due"], "2026-11-23T12:40:00Z");
    assert_eq!(o["sla"]["resolution"]["state"], "ok");
    assert_eq!(o["band"], "fresh");
    // C-1014: us_ops, opened 03:00Z (22:00 Sunday NY), paused since 04:00Z and still open:
    // no working time has passed (Monday 09:00 NY = 14:00Z), so elapsed 0 and paused.
    let o = eval_str(&e, &example_case("C-1014"), now);
    assert_eq!(o["sla"]["response"]["state"], "paused");
    assert_eq!(o["sla"]["response"]["elapsed_s"], 0);
    assert_eq!(o["sla"]["response"]["due"], Value::Null);
    // C-1006: every metric completed → no band.
    let o = eval_str(&e, &example_case("C-1006"), now);
    assert!(o.get("band").is_none());
    assert_eq!(o["sla"]["response"]["state"], "met");
}

#[test]
fn zero_targets_and_bad_stamps() {
    let e = policy_with_target("eu_ops", "0m");
    // A zero target is due at opened_at, even outside working time.
    let r = response(&e, "2026-11-22T12:00:00Z", json!({}), "2026-11-22T13:00:00Z");
    assert_eq!(r["due"], "2026-11-22T12:00:00Z");
    assert_eq!(r["consumed"], Value::Null);
    // Sunday: no business time elapsed, so not breached (0 > 0 is false).
    assert_eq!(r["state"], "warning");
    let e = policy_with_target("always", "1h");
    // A completion stamp before opened_at: issue bad_timestamp, counted as opened_at → met.
    let case = json!({"id": "X", "kind": "payment_hold", "order_id": "O", "opened_at": "2026-11-23T08:00:00Z", "response_at": "2026-11-23T07:00:00Z"});
    let o = eval(&e, &case, "2026-11-23T09:00:00Z");
    assert_eq!(o["sla"]["response"]["state"], "met");
    assert_eq!(o["sla"]["response"]["elapsed_s"], 0);
    assert_eq!(o["issues"][0]["code"], "bad_timestamp");
    assert_eq!(o["issues"][0]["field"], "response_at");
}

#[test]
fn warning_and_escalation_thresholds_are_exact() {
    let e = policy_with_target("always", "1h");
    let at = |now: &str| response(&e, "2026-11-23T08:00:00Z", json!({}), now);
    // warn_at 0.75 × 3600 = 2700 s: 44m59s is ok, 45m is warning.
    assert_eq!(at("2026-11-23T08:44:59Z")["state"], "ok");
    assert_eq!(at("2026-11-23T08:45:00Z")["state"], "warning");
    // Exactly the target is not breached; one second more is.
    assert_eq!(at("2026-11-23T09:00:00Z")["state"], "warning");
    assert_eq!(at("2026-11-23T09:00:01Z")["state"], "breached");
    // Step 1 (at 1.0) passes once elapsed > 3600; next is step 2 at 1.5 × 3600 = 5400 s.
    assert_eq!(
        at("2026-11-23T09:00:00Z")["escalation"],
        json!({"level": 0, "next_level": 1, "next_to": "team_lead", "next_at": "2026-11-23T09:00:00Z"})
    );
    assert_eq!(
        at("2026-11-23T09:00:01Z")["escalation"],
        json!({"level": 1, "next_level": 2, "next_to": "ops_manager", "next_at": "2026-11-23T09:30:00Z"})
    );
}

#[test]
fn collect_targets_aggregate() {
    let mut p: Value = serde_json::from_str(EXAMPLE_POLICY).unwrap();
    p["sla"]["targets"] = json!({"hit": "collect", "aggregate": "min", "rules": [
        {"id": "T1", "when": {}, "then": {"calendar": "always", "response": "4h", "resolution": "8h"}},
        {"id": "T2", "when": {"priority": "P2"}, "then": {"calendar": "always", "response": "1h"}}]});
    let e = engine(&p);
    // payment_hold routes with P2: both rules match; min response 1h, resolution only from T1.
    let o = eval(
        &e,
        &json!({"id": "X", "kind": "payment_hold", "order_id": "O", "opened_at": "2026-11-23T08:00:00Z"}),
        "2026-11-23T08:10:00Z",
    );
    assert_eq!(o["sla"]["response"]["target_s"], 3600);
    assert_eq!(o["sla"]["resolution"]["target_s"], 8 * 3600);
    assert_eq!(o["trace"], json!(["R03", "T1", "T2"]));
    p["sla"]["targets"]["aggregate"] = json!("sum");
    let e = engine(&p);
    let o = eval(
        &e,
        &json!({"id": "X", "kind": "payment_hold", "order_id": "O", "opened_at": "2026-11-23T08:00:00Z"}),
        "2026-11-23T08:10:00Z",
    );
    assert_eq!(o["sla"]["response"]["target_s"], 5 * 3600);
}

fn report_of(e: &Engine, lines: &[&str], now: i64) -> Report {
    let mut r = Report::new(e, now);
    let mut c = Case::new();
    let mut o = Outcome::new();
    for l in lines {
        e.decode_json(l, &mut c);
        e.evaluate(&c, now, &mut o);
        r.add(&o);
    }
    r
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// A report is the same whether the batch is evaluated in one call or split anywhere
    /// into parts whose reports are merged, in any grouping.
    #[test]
    fn report_merge_is_exact(a in 0usize..=15, b in 0usize..=15, now_h in 0i64..200) {
        let e = example_engine();
        let lines: Vec<&str> = EXAMPLE_CASES.lines().collect();
        let now = t("2026-11-16T00:00:00Z") + now_h * 3600;
        let (a, b) = (a.min(b), a.max(b));
        let whole = report_of(&e, &lines, now);
        let p1 = report_of(&e, &lines[..a], now);
        let p2 = report_of(&e, &lines[a..b], now);
        let p3 = report_of(&e, &lines[b..], now);
        let mut left = p1.clone();
        left.merge(&p2);
        left.merge(&p3);
        let mut right = p2.clone();
        right.merge(&p3);
        let mut right2 = p1.clone();
        right2.merge(&right);
        prop_assert_eq!(&left, &whole);
        prop_assert_eq!(&right2, &whole);
        prop_assert_eq!(left.to_json(&e), whole.to_json(&e));
    }
}

fn eu_ops() -> docket_core::calendar::Calendar {
    let p: Value = serde_json::from_str(EXAMPLE_POLICY).unwrap();
    let mut d = docket_core::diag::Diags::default();
    docket_core::calendar::Calendar::compile(&p["calendars"]["eu_ops"], "/calendars/eu_ops", &mut d).expect("eu_ops")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    /// Through the engine, on eu_ops: `elapsed(opened, due) == target`, due is the earliest
    /// such instant, and a closed pause of business length p moves due by exactly p of
    /// business time (or not at all when it starts at or after the unpaused due).
    #[test]
    fn pauses_move_due_by_their_business_length(
        opened_min in 0i64..(60 * 24 * 60),
        target_min in 1i64..(60 * 60),
        pause_start_min in 0i64..(30 * 24 * 60),
        pause_len_min in 1i64..(5 * 24 * 60),
    ) {
        let cal = eu_ops();
        let opened = t("2026-11-01T00:00:00Z") + opened_min * 60;
        let target = target_min * 60;
        let (pf, pt) = (opened + pause_start_min * 60, opened + (pause_start_min + pause_len_min) * 60);
        let e = policy_with_target("eu_ops", &format!("{target_min}m"));
        let ts = |x: i64| docket_core::time::Rfc3339(x).to_string();
        let later = ts(opened + 400 * 86_400);
        let due0 = t(response(&e, &ts(opened), json!({}), &later)["due"].as_str().unwrap());
        let paused = json!({"paused": [{"from": ts(pf), "to": ts(pt)}]});
        let due = t(response(&e, &ts(opened), paused.clone(), &later)["due"].as_str().unwrap());
        // Elapsed at due is exactly the target; one second earlier it is less.
        prop_assert_eq!(response(&e, &ts(opened), paused.clone(), &ts(due))["elapsed_s"].as_i64(), Some(target));
        prop_assert!(response(&e, &ts(opened), paused, &ts(due - 1))["elapsed_s"].as_i64().unwrap() < target);
        if pf >= due0 {
            prop_assert_eq!(due, due0);
        } else {
            prop_assert_eq!(cal.business_between(due0, due), cal.business_between(pf, pt));
        }
    }
}

fn calendar(name: &str) -> docket_core::calendar::Calendar {
    let p: Value = serde_json::from_str(EXAMPLE_POLICY).unwrap();
    let mut d = docket_core::diag::Diags::default();
    docket_core::calendar::Calendar::compile(&p["calendars"][name], &format!("/calendars/{name}"), &mut d).expect(name)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    /// An origin only saves finding where its instant lies: spans and due instants from it
    /// equal those computed without it, for instants inside and outside the precomputed
    /// horizon, and an origin of another calendar or another instant changes nothing.
    #[test]
    fn origins_change_no_span_and_no_due(
        a in -2_000_000_000i64..8_000_000_000,
        len in 0i64..(400 * 86_400),
        t in 0i64..(300 * 3_600),
        other in -2_000_000_000i64..8_000_000_000,
    ) {
        let (eu, ny) = (calendar("eu_ops"), calendar("night_desk"));
        for (cal, foreign) in [(&eu, &ny), (&ny, &eu)] {
            let own = cal.origin(a);
            for o in [own, foreign.origin(a), cal.origin(other), docket_core::calendar::Origin::NONE] {
                prop_assert_eq!(cal.business_between_from(&o, a, a + len), cal.business_between(a, a + len));
                prop_assert_eq!(cal.add_business_from(&o, a, t), cal.add_business(a, t));
            }
        }
    }
}

/// Business seconds in `[a, b)` summed from the calendar's working intervals
/// (`Calendar::intervals`, which enumerates them without the cumulative index the fast
/// paths search): the reference for spans and due instants.
fn business_by_intervals(cal: &docket_core::calendar::Calendar, a: i64, b: i64) -> i64 {
    let mut iv = Vec::new();
    cal.intervals(a, b, &mut iv);
    iv.iter().map(|&(s, e)| e - s).sum()
}

/// A calendar with four short windows on weekdays (several intervals a day) and a
/// Saturday morning, in a zone with daylight saving time.
fn many_windows() -> docket_core::calendar::Calendar {
    let four = json!(["07:00-08:30", "10:00-11:00", "12:15-13:45", "16:00-19:00"]);
    let spec = json!({"timezone": "Europe/Lisbon", "week": {
        "mon": four, "tue": four, "wed": four, "thu": four, "fri": four, "sat": ["09:00-12:00"]
    }, "holidays": ["2026-12-08", "2027-04-02"]});
    let mut d = docket_core::diag::Diags::default();
    docket_core::calendar::Calendar::compile(&spec, "/calendars/many", &mut d).expect("many_windows")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    /// Spans and due instants equal the interval-by-interval reference: `business_between`
    /// is the sum of the working intervals' lengths, and `add_business(a, t)` is the
    /// earliest `d` whose span from `a` is `t`. Targets run from seconds to 100 working
    /// days, so the due lies in the same window, a few windows on, or far beyond the
    /// searches' first window of intervals; calendars have one, two (Friday, night shifts)
    /// and four windows a day.
    #[test]
    fn spans_and_due_equal_the_interval_sum(
        a in 1_767_225_600i64..1_830_297_600, // 2026-01-01 .. 2028-01-01
        len in 0i64..(90 * 86_400),
        t in prop_oneof![1i64..3_600, 3_600i64..(40 * 3_600), (40 * 3_600i64)..(1_000 * 3_600)],
    ) {
        for cal in [calendar("eu_ops"), calendar("night_desk"), many_windows()] {
            prop_assert_eq!(cal.business_between(a, a + len), business_by_intervals(&cal, a, a + len));
            let d = cal.add_business(a, t).expect("due within the search horizon");
            prop_assert_eq!(business_by_intervals(&cal, a, d), t, "span to due");
            prop_assert!(business_by_intervals(&cal, a, d - 1) < t, "due is the earliest such instant");
            // A target used up exactly at the end of a window is due at that end, not at the
            // next window's start (time semantics): every window end within `len`.
            let mut iv = Vec::new();
            cal.intervals(a, a + len, &mut iv);
            let mut sum = 0;
            for &(s, e) in iv.iter().take(60) {
                sum += e - s;
                prop_assert_eq!(cal.add_business(a, sum), Some(e), "a target ending with a window");
            }
        }
    }
}
