//! Comparing cases under two policies (`CaseDiff`, `DiffReport`, `DiffRun`): the worked
//! example of docs/policy-changes.md (rule R10's refund threshold raised from 1000 to
//! 1500), names matched by text, every aspect, exact merges, and no allocation per case
//! once warm. Expected values are derived by hand from the policies, beside them.

use docket_core::{Aspect, Case, CaseDiff, Changes, DiffReport, DiffRun, Engine, Limits};
use docket_tests::{EXAMPLE_CASES, EXAMPLE_POLICY, engine, example_engine, t};
use serde_json::{Value, json};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

const R10_1500: &str = include_str!("../examples/order-ops.r10-1500.policy.json");
const NOW: &str = "2026-11-23T10:00:00Z";

struct Counting;

thread_local! {
    static ALLOCS: Cell<u64> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let _ = ALLOCS.try_with(|c| c.set(c.get() + 1));
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, n: usize) -> *mut u8 {
        let _ = ALLOCS.try_with(|c| c.set(c.get() + 1));
        unsafe { System.realloc(p, l, n) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn example_value() -> Value {
    serde_json::from_str(EXAMPLE_POLICY).expect("example policy")
}

fn r10_engine() -> Engine {
    Engine::compile(R10_1500).unwrap_or_else(|e| panic!("{e}"))
}

/// The comparison document of the example cases under `old` and `new` at `now`.
fn diff_doc(old: &Engine, new: &Engine, now: &str) -> Value {
    let mut run = DiffRun::new(old, new, t(now));
    let (mut a, mut b) = (Case::new(), Case::new());
    for (i, line) in EXAMPLE_CASES.lines().enumerate() {
        old.decode_json(line, &mut a);
        new.decode_json(line, &mut b);
        run.add(&a, &b, Some(i as u64 + 1));
    }
    serde_json::from_str(&run.finish()).expect("the document is JSON")
}

#[test]
fn the_r10_change_is_the_example_policy_with_one_threshold_raised() {
    // examples/order-ops.r10-1500.policy.json is the bundled policy with R10's amount test
    // raised and its version label moved on, nothing else. When the example policy
    // changes, write it again: docs/policy-changes.md says how.
    let mut want = example_value();
    let r10 = &mut want["routing"]["rules"][9];
    assert_eq!(r10["id"], "R10");
    assert_eq!(r10["when"]["amount"], ">= 1000");
    r10["when"]["amount"] = json!(">= 1500");
    want["version"] = json!("2026.11.3");
    let got: Value = serde_json::from_str(R10_1500).expect("r10 policy");
    assert_eq!(got, want, "examples/order-ops.r10-1500.policy.json drifted from the example policy");
}

#[test]
fn raising_r10_to_1500_changes_only_c1001() {
    let (old, new) = (example_engine(), r10_engine());
    let doc = diff_doc(&old, &new, NOW);
    assert_eq!(doc["old"]["version"], "2026.11.2");
    assert_eq!(doc["new"]["version"], "2026.11.3");
    assert_eq!(doc["now"], NOW);
    // Only refunds and adjustments of 1000 to 1500 EUR leave R10. C-1001 (1250.00 EUR)
    // does; C-1013 (2400 USD = 2208 EUR at 0.92) and C-1015 (2600 EUR) stay at or above
    // 1500; C-1010 (420) and C-1011 (no amount) are invalid either way (intake first).
    //
    // C-1001 falls to R11: refund_validation at P2, whose targets are S06 (eu_ops, 2h
    // response, 16h resolution) instead of S05 (1h, 8h). It opened Fri 2026-11-20 10:15
    // CET; eu_ops works Fri 08-12 and 13-17, Sat 09-13, Mon 08-18.
    // - response, answered 11:00 CET (45 min): met under both. Due 1h later is Fri
    //   11:15 CET (10:15Z); 2h later is 1h45m to 12:00 and 15m after 13:00, Fri 13:15 CET
    //   (12:15Z). The target and due change, the state does not.
    // - resolution, still running at Mon 11:00 CET: 5h45m on Fri, 4h on Sat and 3h on Mon
    //   is 12h45m = 45900 s. 8h was reached Sat 11:15 CET (10:15Z): breached. 16h is
    //   9h45m by Saturday's close and 6h15m on Monday, Mon 14:15 CET (13:15Z); 45900 /
    //   57600 = 0.797 is past warn_at 0.75 and short of 1: warning.
    // Approvals stay A2 (by_limit: 1250 → ops_manager, filled by u-7) and A3 (a refund of
    // 1000 or more → finance_reviewer): A3 tests the amount itself, not R10. Band: 72h45m
    // old, critical either way.
    let want = json!([{
        "id": "C-1001", "line": 1, "changed": ["priority", "targets", "due", "state"],
        "before": {
            "queue": "refund_validation", "priority": "P1",
            "sla": {
                "response": {"calendar": "eu_ops", "target_s": 3600, "due": "2026-11-20T10:15:00Z", "state": "met"},
                "resolution": {"calendar": "eu_ops", "target_s": 28800, "due": "2026-11-21T10:15:00Z", "state": "breached"}
            },
            "rules": ["R10", "S05", "A2", "A3"]
        },
        "after": {
            "queue": "refund_validation", "priority": "P2",
            "sla": {
                "response": {"calendar": "eu_ops", "target_s": 7200, "due": "2026-11-20T12:15:00Z", "state": "met"},
                "resolution": {"calendar": "eu_ops", "target_s": 57600, "due": "2026-11-23T13:15:00Z", "state": "warning"}
            },
            "rules": ["R11", "S06", "A2", "A3"]
        }
    }]);
    assert_eq!(doc["changed"], want);

    let s = &doc["summary"];
    assert_eq!((s["cases"].as_u64(), s["changed"].as_u64()), (Some(15), Some(1)));
    assert_eq!(
        s["aspects"],
        json!({"error": 0, "queue": 0, "owner": 0, "priority": 1, "approvals": 0, "targets": 1, "due": 1,
               "state": 1, "band": 0, "issues": 0})
    );
    // No case changes queue: the matrix is its diagonal, from the outcomes' queues (C-1012
    // has no kind: no queue under either), rows in the old policy's queue order.
    let cell = |q: Option<&str>, n: u64| json!({"from": q, "to": q, "cases": n});
    assert_eq!(
        s["queue_matrix"],
        json!([
            cell(None, 1),
            cell(Some("payment_hold_review"), 1),          // C-1004
            cell(Some("fraud_review"), 1),                 // C-1003
            cell(Some("allocation_failure_review"), 1),    // C-1005
            cell(Some("shipment_exception_handling"), 2),  // C-1006, C-1014
            cell(Some("return_authorization_support"), 1), // C-1007
            cell(Some("refund_validation"), 4),            // C-1001, C-1002, C-1013, C-1015
            cell(Some("vendor_escalation"), 1),            // C-1008
            cell(Some("incident_command"), 1),             // C-1009
            cell(Some("data_quality_review"), 2),          // C-1010, C-1011
        ])
    );
    // refund_validation: all four open. Before, each one's worst running clock is
    // breached (C-1001 resolution; C-1002, C-1013 and C-1015 response); after, C-1001's
    // only running clock is at warning. One completed metric, C-1001's response: met.
    assert_eq!(
        s["queues"]["refund_validation"],
        json!({
            "before": {"cases": 4, "open": 4, "warning": 0, "breached": 4, "met": 1, "missed": 0, "attainment": 1.0},
            "after": {"cases": 4, "open": 4, "warning": 1, "breached": 3, "met": 1, "missed": 0, "attainment": 1.0}
        })
    );
    let queues = s["queues"].as_object().expect("queues");
    assert_eq!(queues.len(), 9, "the queues with cases");
    for (name, q) in queues.iter().filter(|(n, _)| *n != "refund_validation") {
        assert_eq!(q["before"], q["after"], "{name} is not touched");
    }
    // Steps by role, the same before and after: ops_manager (C-1001, C-1010 at 420, C-1013
    // at 2208), finance_reviewer (C-1001 and C-1013 by A3; C-1015's 2600 by limit),
    // team_lead (C-1002, 35.50 by A1), procurement_lead (C-1008), leadership (C-1009).
    let same = |n: u64| json!({"before": n, "after": n});
    assert_eq!(
        s["approval_steps"],
        json!({"team_lead": same(1), "ops_manager": same(3), "finance_reviewer": same(3),
               "procurement_lead": same(1), "leadership": same(1)})
    );
    // R10 decided C-1001, C-1013, C-1015, then two; R11 C-1002, then C-1001 too. S05 (P1 in
    // the EU) C-1001 and C-1015, then C-1015; S06 (P2) C-1002, C-1005, C-1006, C-1008, then
    // C-1001 too. No rule starts or stops deciding cases.
    let row = |r: &str, a: u64, b: u64| json!({"rule": r, "before": a, "after": b});
    assert_eq!(s["rules"], json!([row("R10", 3, 2), row("R11", 1, 2), row("S05", 2, 1), row("S06", 4, 5)]));
    assert_eq!((s["rules_started"].clone(), s["rules_stopped"].clone()), (json!([]), json!([])));
    let none = json!({"unrouted": 0, "invalid": 0, "error": 0, "no_authority": 0});
    assert_eq!((s["newly"].clone(), s["no_longer"].clone()), (none.clone(), none));
}

#[test]
fn the_same_policy_changes_nothing_and_names_match_by_text() {
    let old = example_engine();
    // The same policy with its queues, metrics and calendars declared in reverse order:
    // every index differs, no name does.
    let mut p = example_value();
    for key in ["queues", "calendars"] {
        let m = p[key].as_object().expect(key).clone();
        p[key] = Value::Object(m.into_iter().rev().collect());
    }
    p["sla"]["metrics"] = json!(["resolution", "response"]);
    let reordered = engine(&p);
    assert_ne!(old.queues().next(), reordered.queues().next());
    for new in [&old, &reordered] {
        let doc = diff_doc(&old, new, NOW);
        assert_eq!(doc["changed"], json!([]));
        assert_eq!(doc["summary"]["changed"], 0);
        assert_eq!(doc["summary"]["rules"], json!([]));
        // Diagonal only, and every queue's backlog is the same on both sides.
        for cell in doc["summary"]["queue_matrix"].as_array().expect("matrix") {
            assert_eq!(cell["from"], cell["to"]);
        }
        for q in doc["summary"]["queues"].as_object().expect("queues").values() {
            assert_eq!(q["before"], q["after"]);
        }
    }
}

/// The changes of one case under the example and under `policy`.
fn changes(policy: &Value, case: &str, limits: Option<Limits>) -> (Changes, Value) {
    let old = example_engine();
    let new = match limits {
        Some(l) => Engine::compile_with_limits(&policy.to_string(), l).expect("compiles"),
        None => engine(policy),
    };
    let (mut a, mut b, mut d) = (Case::new(), Case::new(), CaseDiff::new());
    old.decode_json(case, &mut a);
    new.decode_json(case, &mut b);
    d.compare(&old, &a, &new, &b, t(NOW));
    let mut buf = Vec::new();
    d.write_json(&old, &new, None, &mut buf);
    (d.changes(), serde_json::from_slice(&buf).expect("json"))
}

fn only(a: &[Aspect]) -> Changes {
    a.iter().fold(Changes::NONE, |c, x| c.with(*x))
}

#[test]
fn each_aspect_is_told_apart() {
    let refund = r#"{"id":"X","kind":"refund","amount":"400","order_id":"O","region":"eu","opened_at":"2026-11-23T07:30:00Z","requested_by":"a"}"#;
    // A refund of 400 EUR opened Mon 08:30 CET, now 11:00 CET (2h30m of working time on
    // eu_ops): R11 → refund_validation, P2; S06 (2h/16h): response breached, resolution
    // ok; A2 by_limit 400 → ops_manager. 2h30m old: fresh.
    let base = example_value();

    // The owner of refund_validation renamed: only `owner`.
    let mut p = base.clone();
    p["queues"]["refund_validation"]["owner"] = json!("finance_controls");
    let (c, doc) = changes(&p, refund, None);
    assert_eq!(c, only(&[Aspect::Owner]));
    assert_eq!(
        (doc["before"]["owner"].clone(), doc["after"]["owner"].clone()),
        (json!("finance_ops"), json!("finance_controls"))
    );

    // R11 sends to another queue at P3: queue, owner, priority; S07 (4h/40h) replaces S06:
    // targets and due, and the response (2h30m of 4h = 0.625) is ok instead of breached.
    let mut p = base.clone();
    p["routing"]["rules"][10]["then"] = json!({"queue": "new_order_review", "priority": "P3"});
    let (c, _) = changes(&p, refund, None);
    assert_eq!(c, only(&[Aspect::Queue, Aspect::Owner, Aspect::Priority, Aspect::Targets, Aspect::Due, Aspect::State]));

    // team_lead's limit raised to 500: by_limit 400 now resolves to team_lead.
    let mut p = base.clone();
    p["roles"]["team_lead"]["limit"] = json!("500");
    let (c, doc) = changes(&p, refund, None);
    assert_eq!(c, only(&[Aspect::Approvals]));
    assert_eq!(doc["before"]["approvals"], json!([{"role": "ops_manager", "rule": "A2"}]));
    assert_eq!(doc["after"]["approvals"], json!([{"role": "team_lead", "rule": "A2"}]));

    // "fresh" up to 1h instead of 4h: 2h30m old is aging.
    let mut p = base.clone();
    p["sla"]["bands"]["limits"][0]["under"] = json!("1h");
    let (c, doc) = changes(&p, refund, None);
    assert_eq!(c, only(&[Aspect::Band]));
    assert_eq!((doc["before"]["band"].clone(), doc["after"]["band"].clone()), (json!("fresh"), json!("aging")));

    // A refund now requires `channel`, which this case lacks: missing_field makes it
    // invalid, so data_quality_review (owner order_ops), no priority, S07's targets, and
    // the issue; the intake rule `invalid` decides.
    let mut p = base.clone();
    p["required"]["refund"] = json!(["amount", "channel"]);
    let (c, doc) = changes(&p, refund, None);
    assert!(c.contains(Aspect::Issues) && c.contains(Aspect::Queue), "{c:?}");
    assert_eq!(doc["after"]["issues"], json!([{"code": "missing_field", "field": "channel"}]));
    assert_eq!(doc["before"]["issues"], json!([]));
    assert_eq!(doc["after"]["rules"][0], "invalid");

    // A metric only the new policy has: its targets, due and state, named by that policy.
    let mut p = base.clone();
    p["sla"]["metrics"] = json!(["response", "resolution", "pickup"]);
    p["sla"]["targets"]["rules"][5]["then"]["pickup"] = json!("1h");
    let (c, doc) = changes(&p, refund, None);
    assert_eq!(c, only(&[Aspect::Targets, Aspect::Due, Aspect::State]));
    assert_eq!(doc["before"]["sla"], json!({"pickup": null}));
    assert_eq!(doc["after"]["sla"]["pickup"]["target_s"], 3600);

    // A shorter limit on strings: the same record is unusable under the new engine.
    let limits = Limits { max_string_len: 0, ..Limits::default() };
    let (c, doc) = changes(&base, refund, Some(limits));
    assert!(c.contains(Aspect::Error) && c.contains(Aspect::Queue), "{c:?}");
    assert_eq!((doc["before"]["error"].clone(), doc["after"]["error"].clone()), (Value::Null, json!("id_too_long")));
}

#[test]
fn aspect_lists_parse() {
    assert_eq!(
        Changes::parse("queue, priority,approvals,sla"),
        Ok(only(&[
            Aspect::Queue,
            Aspect::Priority,
            Aspect::Approvals,
            Aspect::Targets,
            Aspect::Due,
            Aspect::State,
            Aspect::Band
        ]))
    );
    assert_eq!(Changes::parse("any"), Ok(Changes::ALL));
    assert_eq!(Changes::parse("queue,sla_target"), Err("sla_target"));
    assert!(Changes::parse("").is_ok_and(Changes::is_empty));
}

#[test]
fn reports_of_parts_merge_into_the_whole() {
    let (old, new) = (example_engine(), r10_engine());
    let now = t(NOW);
    let lines: Vec<&str> = EXAMPLE_CASES.lines().collect();
    let (mut a, mut b, mut d) = (Case::new(), Case::new(), CaseDiff::new());
    let mut part = |range: &[&str]| {
        let mut r = DiffReport::new(&old, &new, now);
        for l in range {
            old.decode_json(l, &mut a);
            new.decode_json(l, &mut b);
            d.compare(&old, &a, &new, &b, now);
            r.add(&d);
        }
        r
    };
    let whole = part(&lines);
    let mut merged = part(&lines[..6]);
    merged.merge(&part(&lines[6..]));
    let json = |r: &DiffReport| {
        let mut buf = Vec::new();
        r.write_json(&old, &new, &mut buf);
        String::from_utf8(buf).expect("utf-8")
    };
    assert_eq!(json(&merged), json(&whole));
    assert!(whole.fails(Changes::of(Aspect::Priority)) && !whole.fails(Changes::of(Aspect::Queue)));
}

#[test]
fn a_comparison_allocates_nothing_once_warm() {
    let (old, new) = (example_engine(), r10_engine());
    let now = t(NOW);
    let lines: Vec<&str> = EXAMPLE_CASES.lines().collect();
    let (mut a, mut b) = (Case::new(), Case::new());
    let mut report = DiffReport::new(&old, &new, now);
    let mut buf = Vec::new();
    let mut round = |d: &mut CaseDiff| {
        let before = ALLOCS.with(Cell::get);
        for l in &lines {
            old.decode_json(l, &mut a);
            new.decode_json(l, &mut b);
            d.compare(&old, &a, &new, &b, now);
            report.add(d);
            buf.clear();
            d.write_json(&old, &new, Some(1), &mut buf);
        }
        ALLOCS.with(Cell::get) - before
    };
    let mut d = CaseDiff::new();
    round(&mut d);
    assert_eq!(round(&mut d), 0, "allocations in a warm round of 15 comparisons");
    // The counter counts: a round with fresh buffers allocates.
    assert!(round(&mut CaseDiff::new()) > 0);
}

#[test]
fn the_c_library_returns_the_cores_document_byte_for_byte() {
    use docket::{
        docket_buffer_data, docket_buffer_free, docket_buffer_len, docket_diff_json, docket_engine_free,
        docket_engine_new, docket_result,
    };
    use std::ptr::null_mut;
    let (old, new) = (example_engine(), r10_engine());
    let mut run = DiffRun::new(&old, &new, t(NOW));
    let (mut a, mut b) = (Case::new(), Case::new());
    for (i, line) in EXAMPLE_CASES.lines().enumerate() {
        old.decode_json(line, &mut a);
        new.decode_json(line, &mut b);
        run.add(&a, &b, Some(i as u64 + 1));
    }
    let want = run.finish();
    let compile = |p: &str| {
        let (mut e, mut err) = (null_mut(), null_mut());
        let r = unsafe { docket_engine_new(p.as_ptr().cast(), p.len(), &mut e, &mut err) };
        assert_eq!(r, docket_result::Ok);
        e
    };
    let (co, cn) = (compile(EXAMPLE_POLICY), compile(R10_1500));
    let (mut out, mut err) = (null_mut(), null_mut());
    let r = unsafe {
        docket_diff_json(co, cn, EXAMPLE_CASES.as_ptr().cast(), EXAMPLE_CASES.len(), t(NOW), &mut out, &mut err)
    };
    assert_eq!(r, docket_result::Ok);
    let got = unsafe { std::slice::from_raw_parts(docket_buffer_data(out).cast::<u8>(), docket_buffer_len(out)) };
    assert_eq!(std::str::from_utf8(got), Ok(want.as_str()));
    unsafe {
        docket_buffer_free(out);
        docket_engine_free(co);
        docket_engine_free(cn);
    }
}
