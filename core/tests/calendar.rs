//! Integration tests of `docket_core::calendar`. Expected values come from the worked
//! examples of `time-semantics.md` or from the reasoning written beside them.

use docket_core::calendar::{Calendar, DEFAULT_HORIZON, SEARCH_LIMIT_S};
use docket_core::diag::{Diags, PolicyCode};
use docket_core::time::{Instant, days_from_civil, parse_rfc3339};
use proptest::prelude::*;
use serde_json::{Value, json};

fn at(s: &str) -> Instant {
    parse_rfc3339(s).unwrap_or_else(|| panic!("bad timestamp {s}"))
}

fn cal(v: &Value) -> Calendar {
    let mut d = Diags::default();
    let c = Calendar::compile(v, "/calendars/t", &mut d);
    assert!(d.errors.is_empty(), "{:?}", d.errors);
    c.expect("compiles")
}

fn cal_h(v: &Value, from: i64, to: i64) -> Calendar {
    let mut d = Diags::default();
    let c = Calendar::compile_with_horizon(v, "/calendars/t", &mut d, from, to);
    assert!(d.errors.is_empty(), "{:?}", d.errors);
    c.expect("compiles")
}

/// eu_ops of examples/order-ops.policy.json.
fn eu_ops_json() -> Value {
    json!({
        "timezone": "Europe/Berlin",
        "week": {
            "mon": ["08:00-18:00"], "tue": ["08:00-18:00"], "wed": ["08:00-18:00"],
            "thu": ["08:00-18:00"], "fri": ["08:00-12:00", "13:00-17:00"],
            "sat": ["09:00-13:00"]
        },
        "holidays": ["2026-12-25", "2026-12-26", "2027-01-01"],
        "overrides": { "2026-12-24": ["08:00-12:00"], "2026-12-31": ["08:00-12:00"] }
    })
}

/// night_desk of examples/order-ops.policy.json.
fn night_desk_json() -> Value {
    json!({
        "timezone": "America/New_York",
        "week": {
            "mon": ["22:00-06:00"], "tue": ["22:00-06:00"], "wed": ["22:00-06:00"],
            "thu": ["22:00-06:00"], "fri": ["22:00-06:00"]
        }
    })
}

const H: i64 = 3600;

/// Checks `add_business(a, t) == due` and, consistently, `business_between(a, due) == t`.
fn check_due(c: &Calendar, a: &str, t: i64, due: &str) {
    let (a, due) = (at(a), at(due));
    assert_eq!(c.add_business(a, t), Some(due));
    assert_eq!(c.business_between(a, due), t);
}

#[test]
fn worked_examples_eu_ops() {
    let c = cal(&eu_ops_json());
    assert_eq!(c.timezone(), "Europe/Berlin");
    assert!(!c.is_always());
    // 1. Mon 07:00 local, 2h: starts 08:00, due 10:00 local = 09:00Z.
    check_due(&c, "2026-11-23T07:00:00+01:00", 2 * H, "2026-11-23T09:00:00Z");
    // 2. Mon 17:30, 1h: 30m Monday, resumes Tue 08:00 → Tue 08:30 local.
    check_due(&c, "2026-11-23T17:30:00+01:00", H, "2026-11-24T08:30:00+01:00");
    // 3. Mon 16:00, 2h: due exactly at the window end, Mon 18:00 local.
    check_due(&c, "2026-11-23T16:00:00+01:00", 2 * H, "2026-11-23T18:00:00+01:00");
    // 4. Fri 16:30, 2h: 30m Friday, Sat 09:00-10:30.
    check_due(&c, "2026-11-27T16:30:00+01:00", 2 * H, "2026-11-28T10:30:00+01:00");
    // 5. Thu 24 Dec 11:00 (override 08-12), 3h: 1h on the 24th, 25/26 holidays, 27th Sunday,
    //    Mon 28th 08:00-10:00 → 10:00 local = 09:00Z.
    check_due(&c, "2026-12-24T11:00:00+01:00", 3 * H, "2026-12-28T09:00:00Z");
}

#[test]
fn worked_example_night_desk() {
    // 8. Mon 2026-11-23 23:00 New York (EST, UTC-5), 3h → Tue 02:00 local = 07:00Z.
    let c = cal(&night_desk_json());
    check_due(&c, "2026-11-23T23:00:00-05:00", 3 * H, "2026-11-24T07:00:00Z");
}

#[test]
fn eu_ops_week_totals() {
    let c = cal(&eu_ops_json());
    // Week of Mon 2026-11-23: 4 × 10h + 8h + 4h = 52h.
    assert_eq!(c.business_between(at("2026-11-23T00:00:00+01:00"), at("2026-11-30T00:00:00+01:00")), 52 * H);
    // Christmas week Mon 21 .. Sun 27: Mon-Wed 30h, Thu 24 override 4h, Fri/Sat holidays.
    assert_eq!(c.business_between(at("2026-12-21T00:00:00+01:00"), at("2026-12-28T00:00:00+01:00")), 34 * H);
    let mut out = Vec::new();
    c.intervals(at("2026-11-27T00:00:00Z"), at("2026-11-29T00:00:00Z"), &mut out);
    assert_eq!(
        out,
        vec![
            (at("2026-11-27T07:00:00Z"), at("2026-11-27T11:00:00Z")),
            (at("2026-11-27T12:00:00Z"), at("2026-11-27T16:00:00Z")),
            (at("2026-11-28T08:00:00Z"), at("2026-11-28T12:00:00Z")),
        ]
    );
    // Clipped to the query range.
    c.intervals(at("2026-11-27T08:00:00Z"), at("2026-11-27T13:00:00Z"), &mut out);
    assert_eq!(
        out,
        vec![
            (at("2026-11-27T08:00:00Z"), at("2026-11-27T11:00:00Z")),
            (at("2026-11-27T12:00:00Z"), at("2026-11-27T13:00:00Z")),
        ]
    );
}

/// A calendar with no weekly windows and one override on `date`.
fn one_day(tz: &str, date: &str, windows: &[&str]) -> Calendar {
    cal(&json!({ "timezone": tz, "week": {}, "overrides": { date: windows } }))
}

fn total(c: &Calendar) -> i64 {
    c.business_between(at("2025-01-01T00:00:00Z"), at("2028-01-01T00:00:00Z"))
}

fn ivs(c: &Calendar) -> Vec<(Instant, Instant)> {
    let mut out = Vec::new();
    c.intervals(at("2025-01-01T00:00:00Z"), at("2028-01-01T00:00:00Z"), &mut out);
    out
}

#[test]
fn dst_berlin() {
    // 7. Fall back 2026-10-25 (03:00 CEST → 02:00 CET): 00:00-24:00 is 25 real hours.
    assert_eq!(total(&one_day("Europe/Berlin", "2026-10-25", &["00:00-24:00"])), 25 * H);
    // Spring forward 2026-03-29 (02:00 CET → 03:00 CEST): 23 hours.
    assert_eq!(total(&one_day("Europe/Berlin", "2026-03-29", &["00:00-24:00"])), 23 * H);
    // 02:30-05:00 starts at 03:30 CEST (01:30Z), ends 05:00 CEST (03:00Z): 1h30m.
    let c = one_day("Europe/Berlin", "2026-03-29", &["02:30-05:00"]);
    assert_eq!(ivs(&c), vec![(at("2026-03-29T01:30:00Z"), at("2026-03-29T03:00:00Z"))]);
    // 01:00-04:00: 01:00 CET (00:00Z) to 04:00 CEST (02:00Z): 2h.
    let c = one_day("Europe/Berlin", "2026-03-29", &["01:00-04:00"]);
    assert_eq!(ivs(&c), vec![(at("2026-03-29T00:00:00Z"), at("2026-03-29T02:00:00Z"))]);
    // Entirely inside the gap: 02:00 → 03:00 CEST = 01:00Z, 03:00 CEST = 01:00Z: dropped.
    assert_eq!(total(&one_day("Europe/Berlin", "2026-03-29", &["02:00-03:00"])), 0);
    // 02:30-03:00: start 01:30Z, end 01:00Z: not before its end, dropped.
    assert_eq!(total(&one_day("Europe/Berlin", "2026-03-29", &["02:30-03:00"])), 0);
    // Fold: 02:30 occurs twice; the start takes the earlier (02:30 CEST = 00:30Z), and
    // 02:00-04:00 runs 00:00Z (02:00 CEST) to 03:00Z (04:00 CET): 3h.
    let c = one_day("Europe/Berlin", "2026-10-25", &["02:00-04:00"]);
    assert_eq!(ivs(&c), vec![(at("2026-10-25T00:00:00Z"), at("2026-10-25T03:00:00Z"))]);
    // 01:30-02:30: 01:30 CEST (23:30Z the day before) to the earlier 02:30 (00:30Z): 1h.
    let c = one_day("Europe/Berlin", "2026-10-25", &["01:30-02:30"]);
    assert_eq!(ivs(&c), vec![(at("2026-10-24T23:30:00Z"), at("2026-10-25T00:30:00Z"))]);
}

#[test]
fn dst_new_york() {
    // Spring forward 2026-03-08 02:00 EST → 03:00 EDT.
    // 00:00-24:00: 00:00 EST (05:00Z) to 03-09 00:00 EDT (04:00Z): 23h.
    assert_eq!(total(&one_day("America/New_York", "2026-03-08", &["00:00-24:00"])), 23 * H);
    // 02:30-05:00: 02:30 is in the gap → 03:30 EDT (07:30Z); 05:00 EDT = 09:00Z.
    let c = one_day("America/New_York", "2026-03-08", &["02:30-05:00"]);
    assert_eq!(ivs(&c), vec![(at("2026-03-08T07:30:00Z"), at("2026-03-08T09:00:00Z"))]);
    // Fall back 2026-11-01 02:00 EDT → 01:00 EST (01:00-02:00 local occurs twice).
    // 00:00-24:00: 00:00 EDT (04:00Z) to 11-02 00:00 EST (05:00Z): 25h.
    assert_eq!(total(&one_day("America/New_York", "2026-11-01", &["00:00-24:00"])), 25 * H);
    // 00:00-03:00: 00:00 EDT (04:00Z) to 03:00 EST (08:00Z): 4h.
    let c = one_day("America/New_York", "2026-11-01", &["00:00-03:00"]);
    assert_eq!(ivs(&c), vec![(at("2026-11-01T04:00:00Z"), at("2026-11-01T08:00:00Z"))]);
    // 01:30-02:30: start is the earlier 01:30 (EDT, 05:30Z); 02:30 EST = 07:30Z: 2h.
    let c = one_day("America/New_York", "2026-11-01", &["01:30-02:30"]);
    assert_eq!(ivs(&c), vec![(at("2026-11-01T05:30:00Z"), at("2026-11-01T07:30:00Z"))]);
    // Overnight window crossing the spring-forward night: Sat 03-07 22:00 EST (03-08 03:00Z)
    // to Sun 06:00 EDT (10:00Z): 7h.
    let c = cal(&json!({ "timezone": "America/New_York", "week": { "sat": ["22:00-06:00"] } }));
    assert_eq!(c.business_between(at("2026-03-07T00:00:00Z"), at("2026-03-09T00:00:00Z")), 7 * H);
}

#[test]
fn overnight_across_holiday_and_override() {
    let base = |extra: Value| {
        let mut v = json!({
            "timezone": "UTC",
            "week": { "mon": ["22:00-06:00"], "tue": ["22:00-06:00"], "wed": ["22:00-06:00"] }
        });
        if let (Value::Object(m), Value::Object(e)) = (&mut v, extra) {
            m.extend(e);
        }
        cal(&v)
    };
    let (a, b) = (at("2026-11-23T00:00:00Z"), at("2026-11-27T00:00:00Z"));
    let mut out = Vec::new();

    // No exceptions: Mon, Tue, Wed nights, 8h each.
    let c = base(json!({}));
    assert_eq!(c.business_between(a, b), 24 * H);

    // Tue 24th holiday: Monday night's tail (Tue 00:00-06:00) and Tuesday's own window go.
    let c = base(json!({ "holidays": ["2026-11-24"] }));
    c.intervals(a, b, &mut out);
    assert_eq!(
        out,
        vec![
            (at("2026-11-23T22:00:00Z"), at("2026-11-24T00:00:00Z")),
            (at("2026-11-25T22:00:00Z"), at("2026-11-26T06:00:00Z")),
        ]
    );
    // Due across the holiday: from Mon 23:00, 2h: 1h Monday, then Wed 22:00-23:00.
    check_due(&c, "2026-11-23T23:00:00Z", 2 * H, "2026-11-25T23:00:00Z");

    // Override on the 24th: its windows replace Tuesday's, Monday night's tail stays.
    let expect = vec![
        (at("2026-11-23T22:00:00Z"), at("2026-11-24T06:00:00Z")),
        (at("2026-11-24T10:00:00Z"), at("2026-11-24T12:00:00Z")),
        (at("2026-11-25T22:00:00Z"), at("2026-11-26T06:00:00Z")),
    ];
    let c = base(json!({ "overrides": { "2026-11-24": ["10:00-12:00"] } }));
    c.intervals(a, b, &mut out);
    assert_eq!(out, expect);
    // Both a holiday and overridden: follows its override.
    let c = base(json!({ "holidays": ["2026-11-24"], "overrides": { "2026-11-24": ["10:00-12:00"] } }));
    c.intervals(a, b, &mut out);
    assert_eq!(out, expect);

    // An override with an empty list: no windows starting that date (Tuesday night gone),
    // but Monday night's tail stays.
    let c = base(json!({ "overrides": { "2026-11-24": [] } }));
    c.intervals(a, b, &mut out);
    assert_eq!(
        out,
        vec![
            (at("2026-11-23T22:00:00Z"), at("2026-11-24T06:00:00Z")),
            (at("2026-11-25T22:00:00Z"), at("2026-11-26T06:00:00Z")),
        ]
    );

    // In Europe/Berlin the holiday is the local date: Mon 22:00 CET (21:00Z) to local
    // midnight (23:00Z).
    let c = cal(&json!({
        "timezone": "Europe/Berlin", "week": { "mon": ["22:00-06:00"] }, "holidays": ["2026-11-24"]
    }));
    c.intervals(a, b, &mut out);
    assert_eq!(out, vec![(at("2026-11-23T21:00:00Z"), at("2026-11-23T23:00:00Z"))]);
}

#[test]
fn touching_windows_merge() {
    // Sat 00:00-24:00 and Sun 00:00-24:00 and an overnight Fri 20:00-00:00 form one interval.
    let c = cal(&json!({
        "timezone": "UTC",
        "week": { "fri": ["20:00-00:00", "10:00-12:00", "11:00-13:00"], "sat": ["00:00-24:00"], "sun": ["00:00-24:00"] }
    }));
    let mut out = Vec::new();
    c.intervals(at("2026-11-27T00:00:00Z"), at("2026-11-30T00:00:00Z"), &mut out);
    assert_eq!(
        out,
        vec![
            (at("2026-11-27T10:00:00Z"), at("2026-11-27T13:00:00Z")),
            (at("2026-11-27T20:00:00Z"), at("2026-11-30T00:00:00Z")),
        ]
    );
}

#[test]
fn due_at_window_end_and_zero_target() {
    let c = cal(&json!({ "timezone": "UTC", "week": {
        "mon": ["09:00-17:00"], "tue": ["09:00-17:00"], "wed": ["09:00-17:00"],
        "thu": ["09:00-17:00"], "fri": ["09:00-17:00"] } }));
    // 8h from Mon 09:00 on a 9-17 calendar: Mon 17:00, not Tue 09:00.
    check_due(&c, "2026-11-23T09:00:00Z", 8 * H, "2026-11-23T17:00:00Z");
    // 9h: Tue 10:00.
    check_due(&c, "2026-11-23T09:00:00Z", 9 * H, "2026-11-24T10:00:00Z");
    // 40h from Mon 09:00 ends Fri 17:00.
    check_due(&c, "2026-11-23T09:00:00Z", 40 * H, "2026-11-27T17:00:00Z");
    // A zero target is due at the start, even in non-working time (Sunday).
    let sun = at("2026-11-29T12:00:00Z");
    assert_eq!(c.add_business(sun, 0), Some(sun));
    // From inside a non-working period: Sunday noon + 1s → Monday 09:00:01.
    assert_eq!(c.add_business(sun, 1), Some(at("2026-11-30T09:00:01Z")));
    // Negative targets have no due.
    assert_eq!(c.add_business(sun, -1), None);
    assert_eq!(c.business_between(sun, sun), 0);
    assert_eq!(c.business_between(sun, sun - 100), 0);

    let e = cal(&eu_ops_json());
    // Sunday 29 Nov 12:00 local, 1h: Monday 08:00-09:00 local.
    check_due(&e, "2026-11-29T12:00:00+01:00", H, "2026-11-30T09:00:00+01:00");
}

#[test]
fn always_calendar() {
    let c = cal(&json!({ "timezone": "UTC", "week": "24x7" }));
    assert!(c.is_always());
    let a = at("2026-11-23T10:00:00Z");
    assert_eq!(c.business_between(a, a + 12_345), 12_345);
    assert_eq!(c.add_business(a, 12_345), Some(a + 12_345));
    assert_eq!(c.add_business(a, SEARCH_LIMIT_S), Some(a + SEARCH_LIMIT_S));
    assert_eq!(c.add_business(a, SEARCH_LIMIT_S + 1), None);
    let mut out = Vec::new();
    c.intervals(a, a + 10, &mut out);
    assert_eq!(out, vec![(a, a + 10)]);
    // 24x7 with a holiday: everything except that local date.
    let c = cal(&json!({ "timezone": "Europe/Berlin", "week": "24x7", "holidays": ["2026-12-25"] }));
    assert!(!c.is_always());
    assert_eq!(c.business_between(at("2026-12-24T00:00:00+01:00"), at("2026-12-27T00:00:00+01:00")), 48 * H);
    check_due(&c, "2026-12-24T23:00:00+01:00", 2 * H, "2026-12-26T01:00:00+01:00");
}

#[test]
fn no_working_time_and_search_limit() {
    let c = cal(&json!({ "timezone": "Europe/Berlin", "week": { "mon": [] } }));
    let a = at("2026-11-23T10:00:00Z");
    assert_eq!(c.add_business(a, 1), None);
    assert_eq!(c.business_between(a, a + 100 * 86_400), 0);
    // Also outside the horizon (2060 onwards), it answers promptly.
    let far = at("2075-01-01T00:00:00Z");
    let t0 = std::time::Instant::now();
    assert_eq!(c.add_business(far, 1), None);
    assert_eq!(c.business_between(far - 20 * 365 * 86_400, far), 0);
    assert!(t0.elapsed().as_millis() < 2000);
    // Empty weeks with one override far outside the horizon: found by skipping ahead.
    let c = one_day("UTC", "2070-06-01", &["09:00-10:00"]);
    assert_eq!(c.add_business(at("2065-01-01T00:00:00Z"), 1800), Some(at("2070-06-01T09:30:00Z")));
    assert_eq!(c.business_between(at("2065-01-01T00:00:00Z"), at("2075-01-01T00:00:00Z")), H);
    // 2061 → 2070-06 is under ten years; from 2058 or 2059-12 (in the horizon, the search
    // crossing its end) it is over.
    assert_eq!(c.add_business(at("2061-01-01T00:00:00Z"), H), Some(at("2070-06-01T10:00:00Z")));
    assert_eq!(c.add_business(at("2058-01-01T00:00:00Z"), H), None);
    assert_eq!(c.add_business(at("2059-12-01T00:00:00Z"), 1), None);
    assert!(t0.elapsed().as_millis() < 2000);

    // A single working hour on 2030-01-01 (UTC).
    let c = one_day("UTC", "2030-01-01", &["09:00-10:00"]);
    assert_eq!(c.add_business(at("2026-01-01T00:00:00Z"), H), Some(at("2030-01-01T10:00:00Z")));
    // 2019-12-20 → 2029-12-20 is 3653 days (leap days 2020, 2024, 2028); 2030-01-01 10:00 is
    // 12 days later, beyond the limit.
    assert_eq!(SEARCH_LIMIT_S, 3653 * 86_400);
    assert_eq!(c.add_business(at("2019-12-20T00:00:00Z"), H), None);
    // Exactly at the limit: from 2020-01-01T10:00Z, 2030-01-01T10:00Z is 3653 days later.
    assert_eq!(c.add_business(at("2020-01-01T10:00:00Z"), H), Some(at("2030-01-01T10:00:00Z")));
    assert_eq!(c.add_business(at("2020-01-01T09:59:59Z"), H), None);
    // Asking for more than exists.
    assert_eq!(c.add_business(at("2026-01-01T00:00:00Z"), H + 1), None);
}

#[test]
fn extreme_instants_do_not_panic() {
    let c = cal(&eu_ops_json());
    for (a, b) in [(i64::MIN, i64::MAX), (i64::MAX - 5, i64::MAX), (i64::MIN, i64::MIN + 5), (0, 1)] {
        let _ = c.business_between(a, a.saturating_add(1000));
        let _ = c.add_business(a, 1);
        let _ = c.add_business(b, i64::MAX);
        let mut out = Vec::new();
        c.intervals(a, a.saturating_add(86_400 * 30), &mut out);
    }
    let c = cal(&json!({ "timezone": "UTC", "week": "24x7" }));
    assert_eq!(c.business_between(i64::MIN, i64::MAX), i64::MAX);
    assert_eq!(c.add_business(i64::MAX, 1), None);
}

/// Compares two calendars that differ only by horizon on many queries.
fn assert_same(x: &Calendar, y: &Calendar, starts: &[Instant]) {
    let mut ox = Vec::new();
    let mut oy = Vec::new();
    for &a in starts {
        for t in [0, 1, 1800, 3 * H, 10 * H, 50 * H, 400 * H, 3000 * H] {
            let dx = x.add_business(a, t);
            assert_eq!(dx, y.add_business(a, t), "a={a} t={t}");
            if let Some(d) = dx {
                assert_eq!(x.business_between(a, d), t);
                assert_eq!(y.business_between(a, d), t);
            }
        }
        for len in [1, 3600, 86_400, 10 * 86_400, 100 * 86_400, 900 * 86_400] {
            assert_eq!(x.business_between(a, a + len), y.business_between(a, a + len), "a={a} len={len}");
        }
        x.intervals(a, a + 40 * 86_400, &mut ox);
        y.intervals(a, a + 40 * 86_400, &mut oy);
        assert_eq!(ox, oy);
    }
}

#[test]
fn beyond_horizon_fallback() {
    let v = eu_ops_json();
    let full = cal(&v);
    let small = cal_h(&v, days_from_civil(2026, 12, 1), days_from_civil(2027, 1, 1));
    let empty = cal_h(&v, days_from_civil(2026, 12, 1), days_from_civil(2026, 12, 1));
    let past = cal_h(&v, days_from_civil(1990, 1, 1), days_from_civil(1991, 1, 1));
    let mut starts = Vec::new();
    let mut s = at("2026-11-20T05:17:00Z");
    while s < at("2027-01-15T00:00:00Z") {
        starts.push(s);
        s += 7 * H + 13 * 60;
    }
    assert_same(&full, &small, &starts);
    assert_same(&full, &empty, &starts[..40]);
    assert_same(&full, &past, &starts[..40]);
    // Past the default horizon's end (2060): compare with a horizon that covers it.
    let late = cal_h(&v, days_from_civil(2055, 1, 1), days_from_civil(2075, 1, 1));
    let starts: Vec<Instant> = (0..30).map(|i| at("2059-11-20T05:00:00Z") + i * 29 * H).collect();
    assert_same(&full, &late, &starts);
    assert_eq!(DEFAULT_HORIZON, (days_from_civil(1970, 1, 1), days_from_civil(2110, 1, 1)));
    // Past the default horizon's end (2110) and before its start (1970).
    let late2 = cal_h(&v, days_from_civil(2105, 1, 1), days_from_civil(2125, 1, 1));
    let starts2: Vec<Instant> = (0..30).map(|i| at("2109-11-20T05:00:00Z") + i * 29 * H).collect();
    assert_same(&full, &late2, &starts2);
    let early2 = cal_h(&v, days_from_civil(1965, 1, 1), days_from_civil(1971, 1, 1));
    let starts2: Vec<Instant> = (0..30).map(|i| at("1969-11-20T05:00:00Z") + i * 29 * H).collect();
    assert_same(&full, &early2, &starts2);
    // Before the default horizon's start (2000).
    let early = cal_h(&v, days_from_civil(1995, 1, 1), days_from_civil(2001, 1, 1));
    let starts: Vec<Instant> = (0..30).map(|i| at("1999-11-20T05:00:00Z") + i * 29 * H).collect();
    assert_same(&full, &early, &starts);
}

fn errors_of(v: Value) -> Vec<(PolicyCode, String)> {
    let mut d = Diags::default();
    let c = Calendar::compile(&v, "/calendars/eu_ops", &mut d);
    assert!(c.is_none());
    d.errors.into_iter().map(|e| (e.code, e.path)).collect()
}

#[test]
fn compile_errors() {
    use PolicyCode::*;
    let p = |s: &str| format!("/calendars/eu_ops{s}");
    assert_eq!(errors_of(json!({ "timezone": "Mars/Olympus", "week": {} })), vec![(UnknownTimezone, p("/timezone"))]);
    assert_eq!(
        errors_of(json!({ "timezone": "UTC", "week": { "mon": ["08:00-18:00", "25:00-26:00"] } })),
        vec![(BadWindow, p("/week/mon/1"))]
    );
    assert_eq!(
        errors_of(json!({ "timezone": "UTC", "week": { "fri": ["08:00-12:00", "08:00-08:00"] } })),
        vec![(BadWindow, p("/week/fri/1"))]
    );
    assert_eq!(
        errors_of(json!({ "timezone": "UTC", "week": { "tue": ["8-17"] } })),
        vec![(BadWindow, p("/week/tue/0"))]
    );
    assert_eq!(
        errors_of(json!({ "timezone": "UTC", "week": { "funday": ["08:00-17:00"] } })),
        vec![(UnknownKey, p("/week/funday"))]
    );
    assert_eq!(
        errors_of(json!({ "timezone": "UTC", "week": {}, "holidays": ["2026-12-25", "2026-02-30", 5] })),
        vec![(BadDate, p("/holidays/1")), (WrongType, p("/holidays/2"))]
    );
    assert_eq!(
        errors_of(json!({ "timezone": "UTC", "week": {}, "overrides": { "2026-13-01": ["08:00-12:00"], "x/y": [] } })),
        vec![(BadDate, p("/overrides/2026-13-01")), (BadDate, p("/overrides/x~1y"))]
    );
    assert_eq!(
        errors_of(json!({ "timezone": "UTC", "week": {}, "overrides": { "2026-12-24": ["24:00-08:00"] } })),
        vec![(BadWindow, p("/overrides/2026-12-24/0"))]
    );
    assert_eq!(errors_of(json!({ "timezone": "UTC", "week": "24x5" })), vec![(BadWindow, p("/week"))]);
    assert_eq!(errors_of(json!({ "timezone": "UTC", "week": 7 })), vec![(WrongType, p("/week"))]);
    assert_eq!(
        errors_of(json!({ "timezone": "UTC", "week": { "mon": "08:00-17:00", "sun": [1] } })),
        vec![(WrongType, p("/week/mon")), (WrongType, p("/week/sun/0"))]
    );
    assert_eq!(errors_of(json!({ "week": {}, "weekend": [] })), vec![(UnknownKey, p("/weekend")), (MissingKey, p(""))]);
    assert_eq!(errors_of(json!({ "timezone": "UTC" })), vec![(MissingKey, p(""))]);
    assert_eq!(errors_of(json!({ "timezone": 1, "week": {} })), vec![(WrongType, p("/timezone"))]);
    assert_eq!(errors_of(json!([])), vec![(WrongType, p(""))]);
    // Several problems are all reported.
    assert_eq!(
        errors_of(
            json!({ "timezone": "Nowhere", "week": { "mon": ["08:00-24:30", "09:60-10:00"] }, "holidays": ["2026-1-1"] })
        ),
        vec![
            (UnknownTimezone, p("/timezone")),
            (BadWindow, p("/week/mon/0")),
            (BadWindow, p("/week/mon/1")),
            (BadDate, p("/holidays/0")),
        ]
    );
    // Valid edge forms compile.
    let c = cal(&json!({ "timezone": "UTC", "week": { "sun": ["00:00-24:00", "23:00-00:00"], "mon": [] } }));
    assert!(!c.is_always());
}

#[test]
fn send_sync() {
    fn is<T: Send + Sync + Clone>() {}
    is::<Calendar>();
}

/// Brute-force reference for a UTC calendar: is minute `m` (minutes since epoch) working?
fn ref_working(week: &[Vec<(u32, u32)>; 7], holidays: &[i64], overrides: &[(i64, Vec<(u32, u32)>)], m: i64) -> bool {
    let day = m.div_euclid(1440);
    let mm = m.rem_euclid(1440) as u32;
    let wins = |d: i64| -> Vec<(u32, u32)> {
        if let Some(o) = overrides.iter().find(|o| o.0 == d) {
            return o.1.clone();
        }
        if holidays.contains(&d) {
            return vec![];
        }
        week[(d + 3).rem_euclid(7) as usize].clone()
    };
    let is_holiday = holidays.contains(&day) && !overrides.iter().any(|o| o.0 == day);
    if is_holiday {
        return false;
    }
    let today = wins(day).iter().any(|&(s, e)| if e > s { s <= mm && mm < e } else { mm >= s });
    let tail = wins(day - 1).iter().any(|&(s, e)| e <= s && mm < e);
    today || tail
}

/// A random calendar: zone, weekly windows, holidays, overrides (minutes, days).
type Spec = (&'static str, [Vec<(u32, u32)>; 7], Vec<i64>, Vec<(i64, Vec<(u32, u32)>)>);

fn fmt_w(s: u32, e: u32) -> String {
    format!("{:02}:{:02}-{:02}:{:02}", s / 60, s % 60, e / 60, e % 60)
}

prop_compose! {
    fn window()(s in 0u32..96, len in 1u32..40) -> (u32, u32) {
        // Quarter-hour grid; the end wraps past midnight for overnight windows.
        let s = s * 15;
        let e = (s + len * 15) % 1440;
        (s, if e == 0 && s + len * 15 == 1440 { 1440 } else { e })
    }
}

prop_compose! {
    fn calendar_spec()(
        tz in prop::sample::select(vec!["UTC", "Europe/Berlin", "America/New_York"]),
        week in prop::array::uniform7(prop::collection::vec(window(), 0..3)),
        holidays in prop::collection::vec(0i64..(3 * 366), 0..6),
        overrides in prop::collection::vec((0i64..(3 * 366), prop::collection::vec(window(), 0..2)), 0..4),
    ) -> Spec {
        let base = days_from_civil(2025, 1, 1);
        let mut ov: Vec<(i64, Vec<(u32, u32)>)> = Vec::new();
        for (d, w) in overrides {
            if !ov.iter().any(|o| o.0 == base + d) {
                ov.push((base + d, w));
            }
        }
        (tz, week, holidays.into_iter().map(|d| base + d).collect(), ov)
    }
}

fn to_json(spec: &Spec) -> Value {
    let names = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    let date = |d: i64| {
        let (y, m, dd) = docket_core::time::civil_from_days(d);
        format!("{y:04}-{m:02}-{dd:02}")
    };
    let mut week = serde_json::Map::new();
    for (i, ws) in spec.1.iter().enumerate() {
        week.insert(names[i].into(), ws.iter().map(|&(s, e)| Value::from(fmt_w(s, e))).collect());
    }
    let mut ov = serde_json::Map::new();
    for (d, ws) in &spec.3 {
        ov.insert(date(*d), ws.iter().map(|&(s, e)| Value::from(fmt_w(s, e))).collect());
    }
    json!({
        "timezone": spec.0,
        "week": week,
        "holidays": spec.2.iter().map(|&d| date(d)).collect::<Vec<_>>(),
        "overrides": ov,
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn add_and_between_agree(
        spec in calendar_spec(),
        start in 0i64..(3 * 366 * 86_400),
        ts in prop::collection::vec(0i64..(200 * 3600), 1..6),
        cuts in prop::collection::vec(0i64..(30 * 86_400), 2),
    ) {
        let v = to_json(&spec);
        // Horizons: covering the range, and a small one that queries straddle.
        let big = cal_h(&v, days_from_civil(2024, 6, 1), days_from_civil(2029, 1, 1));
        let a = at("2025-01-01T00:00:00Z") + start;
        let mid = a.div_euclid(86_400) + 5;
        let small = cal_h(&v, mid, mid + 20);
        let mut ts = ts;
        ts.sort_unstable();
        let mut prev: Option<Instant> = Some(a);
        for &t in &ts {
            let d = big.add_business(a, t);
            prop_assert_eq!(d, small.add_business(a, t));
            match d {
                Some(d) => {
                    prop_assert!(d >= a);
                    prop_assert_eq!(big.business_between(a, d), t);
                    prop_assert_eq!(small.business_between(a, d), t);
                    // Earliest: one second earlier is short of the target.
                    if t > 0 {
                        prop_assert_eq!(big.business_between(a, d - 1), t - 1);
                    }
                    // Monotone in t.
                    if let Some(p) = prev {
                        prop_assert!(p <= d);
                    }
                    prev = Some(d);
                }
                None => prev = None,
            }
        }
        // Additivity.
        let (b, c) = (a + cuts[0].min(cuts[1]), a + cuts[0].max(cuts[1]));
        let ab = big.business_between(a, b);
        let bc = big.business_between(b, c);
        prop_assert_eq!(big.business_between(a, c), ab + bc);
        prop_assert_eq!(small.business_between(a, c), ab + bc);
        prop_assert_eq!(small.business_between(a, b), ab);
        // Intervals agree with business_between and between horizons.
        let (mut ia, mut ib) = (Vec::new(), Vec::new());
        big.intervals(a, c, &mut ia);
        small.intervals(a, c, &mut ib);
        prop_assert_eq!(&ia, &ib);
        prop_assert_eq!(ia.iter().map(|&(s, e)| e - s).sum::<i64>(), ab + bc);
        for w in ia.windows(2) {
            prop_assert!(w[0].1 < w[1].0);
        }
    }

    #[test]
    fn utc_matches_brute_force(
        spec in calendar_spec(),
        start_day in 0i64..(3 * 366 - 10),
        days in 1i64..6,
    ) {
        let mut spec = spec;
        spec.0 = "UTC";
        let c = cal_h(&to_json(&spec), days_from_civil(2024, 6, 1), days_from_civil(2029, 1, 1));
        let m0 = (days_from_civil(2025, 1, 1) + start_day) * 1440;
        let mut expect = 0i64;
        for m in m0..m0 + days * 1440 {
            if ref_working(&spec.1, &spec.2, &spec.3, m) {
                expect += 60;
            }
        }
        prop_assert_eq!(c.business_between(m0 * 60, (m0 + days * 1440) * 60), expect);
    }
}

/// Timing report (run with `cargo test --release -p docket-core --test calendar -- --ignored --nocapture`).
#[test]
#[ignore]
fn timing() {
    let v = eu_ops_json();
    for (name, v) in [
        ("eu_ops", eu_ops_json()),
        ("night_desk", night_desk_json()),
        ("24x7+holiday", json!({ "timezone": "Europe/Berlin", "week": "24x7", "holidays": ["2026-12-25"] })),
        (
            "dense",
            json!({ "timezone": "America/New_York", "week": {
            "mon": ["08:00-09:00", "10:00-11:00", "12:00-13:00", "14:00-15:00"],
            "tue": ["08:00-09:00", "10:00-11:00", "12:00-13:00", "14:00-15:00"],
            "wed": ["08:00-09:00", "10:00-11:00", "12:00-13:00", "14:00-15:00"],
            "thu": ["08:00-09:00", "10:00-11:00", "12:00-13:00", "14:00-15:00"],
            "fri": ["08:00-09:00", "10:00-11:00", "12:00-13:00", "14:00-15:00"],
            "sat": ["08:00-09:00", "10:00-11:00", "12:00-13:00", "14:00-15:00"],
            "sun": ["08:00-09:00", "10:00-11:00", "12:00-13:00", "14:00-15:00"] } }),
        ),
    ] {
        let t0 = std::time::Instant::now();
        let n = 20;
        for _ in 0..n {
            std::hint::black_box(cal(&v));
        }
        println!("{name}: compile {:?}", t0.elapsed() / n);
    }
    let c = cal(&v);
    let a = at("2026-11-23T07:00:00Z");
    let t0 = std::time::Instant::now();
    let mut x = 0i64;
    for i in 0..1_000_000i64 {
        x += c.business_between(a + i * 37, a + i * 997);
        x += c.add_business(a + i * 37, i % 500_000).unwrap_or(0) & 1;
    }
    println!("1M bb + add: {:?} ({x})", t0.elapsed());
    let t0 = std::time::Instant::now();
    let full = c.business_between(i64::MIN, i64::MAX);
    println!("bb(MIN, MAX) = {full}: {:?}", t0.elapsed());
    let t0 = std::time::Instant::now();
    let r = c.add_business(at("2070-01-01T00:00:00Z"), 5000 * H);
    println!("add 5000h at 2070 = {r:?}: {:?}", t0.elapsed());
}

#[test]
fn whole_day_gap_samoa() {
    // Pacific/Apia skipped 2011-12-30 entirely: 2011-12-29 24:00 (UTC-10) was followed by
    // 2011-12-31 00:00 (UTC+14), a 24h gap starting at 2011-12-30T10:00Z.
    // 09:00-10:00 on the skipped date moves forward by 24h: 2011-12-31 09:00 +14 = 19:00Z.
    let c = one_day("Pacific/Apia", "2011-12-30", &["09:00-10:00"]);
    let mut out = Vec::new();
    c.intervals(at("2011-12-01T00:00:00Z"), at("2012-02-01T00:00:00Z"), &mut out);
    assert_eq!(out, vec![(at("2011-12-30T19:00:00Z"), at("2011-12-30T20:00:00Z"))]);
    // 00:00-24:00 on it: start 10:00Z (moved forward), end 2011-12-31 00:00 +14 = 10:00Z:
    // not before its end, dropped.
    let c = one_day("Pacific/Apia", "2011-12-30", &["00:00-24:00"]);
    assert_eq!(c.business_between(at("2011-12-01T00:00:00Z"), at("2012-02-01T00:00:00Z")), 0);
}
