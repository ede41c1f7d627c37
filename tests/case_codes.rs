//! What a case's values mean at the edges, and the code each problem gets
//! (docs/cases-and-outcomes.md, docs/time-semantics.md): an approval with an empty
//! approver or a malformed `at`, a leap second, an over-long id, a money value whose fx
//! conversion overflows, an actor over the limits, and `max_case_bytes` on the serde path.

use docket_core::{Actor, Case, CaseError, Cell, Engine, Limits, Outcome};
use docket_tests::*;
use serde_json::{Value, json};

const NOW: &str = "2026-11-23T10:00:00Z";

/// A refund of `amount` EUR under the example policy, with `extra` keys. At 1250.00 its
/// approval steps are ops_manager (A2: `by_limit`, the smallest limit covering 1250 is
/// ops_manager's 2500) and finance_reviewer (A3: amount >= 1000).
fn refund(amount: &str, extra: Value) -> Value {
    let mut c = json!({"id": "C-1", "kind": "refund", "amount": amount, "order_id": "O-1",
                       "opened_at": "2026-11-23T08:00:00Z"});
    for (k, v) in extra.as_object().into_iter().flatten() {
        c[k] = v.clone();
    }
    c
}

fn codes(o: &Value) -> Vec<(String, String)> {
    o["issues"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|i| (i["code"].as_str().unwrap_or("").into(), i["field"].as_str().unwrap_or("").into()))
        .collect()
}

fn pairs(xs: &[(&str, &str)]) -> Vec<(String, String)> {
    xs.iter().map(|(a, b)| ((*a).into(), (*b).into())).collect()
}

#[test]
fn an_approval_with_an_empty_approver_fills_no_step() {
    // `by: ""` names no one: the approval counts for nothing and is a bad_type issue of
    // `approvals/0`; both steps remain. A bad_type issue makes the case invalid, so it goes
    // to `invalid_queue` (policy-format.md, intake validation), as a list of the wrong
    // shape already did.
    let e = example_engine();
    let c = refund("1250.00", json!({"approvals": [{"role": "ops_manager", "by": "", "at": "2026-11-23T09:00:00Z"}]}));
    let o = eval(&e, &c, NOW);
    assert_eq!(o["approvals"]["remaining"], json!(["ops_manager", "finance_reviewer"]));
    assert!(o["approvals"]["steps"][0].get("done_by").is_none(), "{o}");
    assert_eq!(
        o["issues"],
        json!([{"code": "bad_type", "field": "approvals/0",
                "detail": "`by` must name the approver (a non-empty string); this approval does not count"},
               {"code": "approval_ignored", "field": "approvals/0", "reason": "malformed",
                "detail": "`by` is empty: the approval names no approver"}])
    );
    assert_eq!(o["queue"], "data_quality_review");
    // The same approval with an approver fills the first step (the test can tell).
    let c =
        refund("1250.00", json!({"approvals": [{"role": "ops_manager", "by": "u-7", "at": "2026-11-23T09:00:00Z"}]}));
    let o = eval(&e, &c, NOW);
    assert_eq!(o["approvals"]["remaining"], json!(["finance_reviewer"]));
    assert_eq!(o["issues"], json!([]));
}

#[test]
fn an_approver_over_the_string_limit_is_an_issue_of_that_approval() {
    // 4097 bytes is over `max_string_len` (4096): the approval counts for nothing, with a
    // bad_type issue of `approvals/0` that says why.
    let e = example_engine();
    let c = refund("1250.00", json!({"approvals": [{"role": "ops_manager", "by": "b".repeat(4097)}]}));
    let o = eval(&e, &c, NOW);
    assert_eq!(o["approvals"]["remaining"], json!(["ops_manager", "finance_reviewer"]));
    assert_eq!(
        o["issues"],
        json!([{"code": "bad_type", "field": "approvals/0",
                "detail": "`by` is longer than the limit on strings (4096 bytes); this approval does not count"},
               {"code": "approval_ignored", "field": "approvals/0", "reason": "malformed",
                "detail": "`by` is longer than the limit on strings: the approval names no approver"}])
    );
}

#[test]
fn an_approval_with_a_malformed_at_fills_no_step_but_its_approver_approved() {
    // `at` present but not a case timestamp (text, a leap second, after 2099, a number):
    // the approval fills no step and is a bad_type issue of `approvals/0`. Its approver
    // did approve, so `authorize` still counts u-7 as a prior approver (`approve` has
    // not_prior_approver): it fails closed.
    let e = example_engine();
    let actor = Actor { id: "u-7".into(), roles: vec!["ops_manager".into()] };
    for at in [json!("x"), json!("2026-11-23T08:59:60Z"), json!("2100-01-01T00:00:00Z"), json!(5)] {
        let c = refund("1250.00", json!({"approvals": [{"role": "ops_manager", "by": "u-7", "at": at}]}));
        let o = eval(&e, &c, NOW);
        assert_eq!(o["approvals"]["remaining"], json!(["ops_manager", "finance_reviewer"]), "{at}");
        // Its decoding issue, then the evaluation's: the approval counted for nothing.
        assert_eq!(
            o["issues"],
            json!([{"code": "bad_type", "field": "approvals/0",
                    "detail": "`at` must be an RFC 3339 timestamp from 1970 through 2099, or absent; this approval fills no step"},
                   {"code": "approval_ignored", "field": "approvals/0", "reason": "malformed",
                    "detail": "`at` is not an RFC 3339 timestamp from 1970 through 2099"}]),
            "{at}"
        );
        let mut case = Case::new();
        e.decode_json(&c.to_string(), &mut case);
        let d = serde_json::to_value(e.authorize(&case, &actor, "approve", t(NOW))).expect("json");
        assert_eq!(
            (&d["allowed"], &d["reasons"]),
            (
                &json!(false),
                &json!([{"code": "separation_of_duties", "detail": "u-7 already gave an approval of this case"}])
            ),
            "{at}"
        );
    }
    // `at` null or absent is no time at all, which is allowed: the step is filled.
    for extra in [json!({"at": null}), json!({})] {
        let mut a = json!({"role": "ops_manager", "by": "u-7"});
        for (k, v) in extra.as_object().into_iter().flatten() {
            a[k] = v.clone();
        }
        let o = eval(&e, &refund("1250.00", json!({"approvals": [a]})), NOW);
        assert_eq!(o["approvals"]["remaining"], json!(["finance_reviewer"]), "{extra}");
        assert_eq!(o["issues"], json!([]), "{extra}");
    }
}

#[test]
fn approval_issues_name_positions_in_the_given_list() {
    // Entry 0 is not an object (a bad_type issue of the list), entry 1 has an empty
    // approver (approvals/1): both count for nothing as malformed. Entry 2 is the
    // requester's (separation_of_duties at approvals/2, its position in the list, not
    // among the entries kept). Entry 3, a finance_reviewer, fills the first open step it
    // may fill: the example fills "same_or_higher", and 25000 outranks ops_manager's
    // 2500, so it fills ops_manager's (A2), and finance_reviewer's remains. Decoding
    // issues come first, the list's before its entries'; then the approvals in the order
    // they are taken (the malformed ones first).
    let e = example_engine();
    let c = refund(
        "1250.00",
        json!({"requested_by": "agent-17", "approvals": [
            7,
            {"role": "ops_manager", "by": ""},
            {"role": "ops_manager", "by": "agent-17"},
            {"role": "finance_reviewer", "by": "u-8"}]}),
    );
    let o = eval(&e, &c, NOW);
    assert_eq!(
        codes(&o),
        pairs(&[
            ("bad_type", "approvals"),
            ("bad_type", "approvals/1"),
            ("approval_ignored", "approvals/0"),
            ("approval_ignored", "approvals/1"),
            ("approval_ignored", "approvals/2")
        ])
    );
    let reasons: Vec<&str> = o["issues"].as_array().unwrap().iter().filter_map(|i| i["reason"].as_str()).collect();
    assert_eq!(reasons, ["malformed", "malformed", "separation_of_duties"]);
    assert_eq!(o["approvals"]["remaining"], json!(["finance_reviewer"]));
    assert_eq!(o["approvals"]["barred"], json!(["agent-17", "u-8"]));
}

#[test]
fn the_builder_reads_approvals_as_json_does() {
    // The same three approvals set one by one: an empty approver, an `at` in 2100
    // (4102444800 s, after the last instant a case may carry), a good one without `at`.
    // The first two count for nothing (malformed); the third, given at `now` for want of
    // an `at`, is a finance_reviewer's, which outranks ops_manager ("same_or_higher"):
    // it fills the first open step, ops_manager's, and finance_reviewer's remains.
    let e = example_engine();
    let json_case = refund(
        "1250.00",
        json!({"approvals": [
            {"role": "ops_manager", "by": "", "at": "2026-11-23T09:00:00Z"},
            {"role": "ops_manager", "by": "u-7", "at": "2100-01-01T00:00:00Z"},
            {"role": "finance_reviewer", "by": "u-8"}]}),
    );
    let want = eval(&e, &json_case, NOW);
    assert_eq!(
        codes(&want),
        pairs(&[
            ("bad_type", "approvals/0"),
            ("bad_type", "approvals/1"),
            ("approval_ignored", "approvals/0"),
            ("approval_ignored", "approvals/1")
        ])
    );
    assert_eq!(want["approvals"]["remaining"], json!(["finance_reviewer"]));
    let (kind, amount, order) =
        (e.slot("kind").expect("kind"), e.slot("amount").expect("amount"), e.slot("order_id").expect("order_id"));
    let mut case = Case::new();
    let mut b = e.build(&mut case);
    b.id("C-1")
        .enum_index(kind, e.symbol(kind, "refund").expect("refund"))
        .money_str(amount, "1250.00")
        .string(order, "O-1")
        .opened_at(t("2026-11-23T08:00:00Z"))
        .approval("ops_manager", "", Some(t("2026-11-23T09:00:00Z")))
        .approval("ops_manager", "u-7", Some(4_102_444_800))
        .approval("finance_reviewer", "u-8", None);
    b.finish();
    let mut o = Outcome::new();
    e.evaluate(&case, t(NOW), &mut o);
    let got: Value = serde_json::from_str(&e.outcome_json(&o)).expect("json");
    assert_eq!(got, want);
}

#[test]
fn a_leap_second_is_malformed() {
    // 23:59:60 names no instant of a day of 86,400 seconds (time-semantics.md): as
    // `opened_at` the case is unusable; as a completion stamp it is a bad_type issue and
    // the metric runs on. One second earlier is a good stamp (the test can tell).
    let e = example_engine();
    let c = refund("80", json!({"opened_at": "2026-11-22T23:59:60Z"}));
    assert_eq!(eval(&e, &c, NOW)["error"]["code"], "bad_opened_at");
    let c = refund("80", json!({"opened_at": "2026-11-22T23:59:59Z"}));
    assert!(eval(&e, &c, NOW)["error"].is_null());
    let o = eval(&e, &refund("80", json!({"response_at": "2026-11-23T08:59:60Z"})), NOW);
    assert_eq!(codes(&o), pairs(&[("bad_type", "response_at")]));
    assert!(o["sla"]["response"].get("completed_at").is_none(), "{o}");
    let o = eval(&e, &refund("80", json!({"response_at": "2026-11-23T08:59:59Z"})), NOW);
    assert_eq!(o["sla"]["response"]["completed_at"], "2026-11-23T08:59:59Z");
    // A policy test bound is read by the same parser: a leap second there does not compile.
    let p = policy_with(
        json!({"kind": {"type": "enum", "values": ["k"]}, "ts": {"type": "timestamp"}}),
        json!({"hit": "first", "rules": [{"id": "R1", "when": {"ts": "< 2026-12-31T23:59:60Z"}, "then": {"queue": "a"}}]}),
    );
    assert!(Engine::compile_value(&p).is_err());
    let p = policy_with(
        json!({"kind": {"type": "enum", "values": ["k"]}, "ts": {"type": "timestamp"}}),
        json!({"hit": "first", "rules": [{"id": "R1", "when": {"ts": "< 2026-12-31T23:59:59Z"}, "then": {"queue": "a"}}]}),
    );
    assert!(Engine::compile_value(&p).is_ok());
}

#[test]
fn an_id_over_the_string_limit_is_id_too_long() {
    // An id of 4097 bytes is over `max_string_len` (4096): the case is unusable with
    // `id_too_long`, not `bad_id` (which stays for an empty id or one that is not a
    // string); 4096 bytes is a usable id. Every way of filling a case agrees.
    let e = example_engine();
    let with_id = |id: Value| refund("80", json!({"id": id}));
    let o = eval(&e, &with_id(json!("i".repeat(4097))), NOW);
    assert_eq!(o["error"]["code"], "id_too_long");
    assert_eq!(
        o["error"]["message"],
        "`id` is longer than the limit on strings (`max_string_len`, 4096 bytes unless the host sets it)"
    );
    assert!(o["error"].is_object() && o.get("queue").is_none(), "{o}");
    assert_eq!(eval(&e, &with_id(json!("i".repeat(4096))), NOW)["id"], "i".repeat(4096));
    for bad in [json!(""), json!(5)] {
        assert_eq!(eval(&e, &with_id(bad.clone()), NOW)["error"]["code"], "bad_id", "{bad}");
    }
    let long = "i".repeat(4097);
    let mut case = Case::new();
    let code = |c: &Case| c.error().map(CaseError::code);
    for (id, want) in [(long.as_str(), "id_too_long"), ("", "bad_id")] {
        let mut b = e.build(&mut case);
        b.id(id);
        b.finish();
        assert_eq!(code(&case), Some(want));
    }
    let id = e.case_key("id").expect("id");
    let mut d = e.decode_cells(&mut case);
    d.set(id, Cell::Str(&long));
    d.finish();
    assert_eq!(code(&case), Some("id_too_long"));
    // The limit is the engine's: with 8 bytes, a 9-byte id is too long.
    let limits = Limits { max_string_len: 8, ..Limits::default() };
    let small = Engine::compile_with_limits(EXAMPLE_POLICY, limits).expect("compiles");
    assert_eq!(eval(&small, &with_id(json!("123456789")), NOW)["error"]["code"], "id_too_long");
    assert!(eval(&small, &with_id(json!("12345678")), NOW)["error"].is_null());
}

#[test]
fn an_fx_conversion_that_overflows_is_money_overflow() {
    // 7e28 GBP at 1.17 is 8.19e28 EUR, beyond the largest decimal (about 7.92e28): the
    // amount counts as absent with issue money_overflow on `amount`, not missing_field
    // (amount is required for refunds), and the case is invalid (data_quality_review).
    let e = example_engine();
    let big = "70000000000000000000000000000";
    let o = eval(&e, &refund(big, json!({"currency": "GBP"})), NOW);
    let on_amount: Vec<String> = codes(&o).into_iter().filter(|(_, f)| f == "amount").map(|(c, _)| c).collect();
    assert_eq!(on_amount, ["money_overflow"], "{o}");
    assert!(!codes(&o).iter().any(|(c, _)| c == "missing_field"), "{o}");
    assert_eq!(o["queue"], "data_quality_review");
    let issue = o["issues"].as_array().into_iter().flatten().find(|i| i["code"] == "money_overflow").expect("issue");
    assert_eq!(
        issue["detail"],
        "the amount converted to EUR at its fx rate is beyond the range of money values; the field counts as absent"
    );
    // Where amount is not required, the overflow is still said (it used to vanish).
    let c = json!({"id": "C-2", "kind": "payment_hold", "order_id": "O-2", "amount": big, "currency": "GBP",
                   "opened_at": "2026-11-23T08:00:00Z"});
    assert_eq!(codes(&eval(&e, &c, NOW)), pairs(&[("money_overflow", "amount")]));
    // The same amount in USD (at 0.92: 6.44e28) fits: no issue.
    let o = eval(&e, &refund(big, json!({"currency": "USD"})), NOW);
    assert!(codes(&o).iter().all(|(c, _)| c != "money_overflow" && c != "missing_field"), "{o}");
}

#[test]
fn authorize_refuses_actors_over_the_limits() {
    // An actor's id and roles are held to the case limits: an id must be 1 to 4096 bytes,
    // a role at most 4096 bytes, at most 1000 roles (max_list_len). Otherwise the only
    // reason is invalid_actor. Just within the limits, the actor is judged as usual.
    let e = example_engine();
    let mut case = Case::new();
    e.decode_json(&example_case("C-1001"), &mut case);
    let decide = |id: String, roles: Vec<String>| {
        let d = serde_json::to_value(e.authorize(&case, &Actor { id, roles }, "hold", t(NOW))).expect("json");
        json!({"allowed": d["allowed"], "reasons": d["reasons"]})
    };
    let lead = || vec!["team_lead".to_string()];
    let refused = [
        (String::new(), lead(), "the actor's `id` must be a non-empty string"),
        ("u".repeat(4097), lead(), "the actor's `id` is 4097 bytes long; the limit on strings is 4096"),
        ("u-9".into(), vec!["r".repeat(4097)], "the actor's role 0 is 4097 bytes long; the limit on strings is 4096"),
        ("u-9".into(), vec!["team_lead".into(); 1001], "the actor has 1001 roles; the limit on lists is 1000"),
    ];
    for (id, roles, detail) in refused {
        let d = decide(id, roles);
        assert_eq!(d, json!({"allowed": false, "reasons": [{"code": "invalid_actor", "detail": detail}]}));
    }
    // `hold` needs team_lead or ops_manager and nothing else: allowed within the limits.
    for (id, roles) in [("u".repeat(4096), lead()), ("u-9".into(), vec!["team_lead".into(); 1000])] {
        assert_eq!(decide(id, roles), json!({"allowed": true, "reasons": []}));
    }
    assert_eq!(decide("u-9".into(), vec!["r".repeat(4096), "team_lead".into()])["allowed"], true);
    // An unknown action is still the only reason, before the actor is looked at.
    let d = serde_json::to_value(e.authorize(&case, &Actor::default(), "fly", t(NOW))).expect("json");
    assert_eq!(d["reasons"][0]["code"], "unknown_action");
}

#[test]
fn decode_applies_max_case_bytes() {
    // Through serde (JS objects, a parsed JSON value) the limit applies to the record's
    // compact JSON length as counted while reading: 2 MiB of text under a known or an
    // unknown key, or 600,000 numbers (each at least a digit and a comma: 1.2 MB), are
    // too large, as the same record given as JSON text is.
    let e = example_engine();
    let mut case = Case::new();
    let pad = "x".repeat(2 << 20);
    let records = [
        refund("80", json!({"note": pad})),
        refund("80", json!({"order_id": pad})),
        refund("80", json!({"approvals": [{"role": "ops_manager", "by": pad}]})),
        refund("80", json!({"numbers": vec![1; 600_000]})),
    ];
    for r in &records {
        e.decode_json(&r.to_string(), &mut case);
        assert_eq!(case.error(), Some(CaseError::TooLarge));
        assert!(e.decode(r, &mut case).is_err());
        assert_eq!(case.error(), Some(CaseError::TooLarge));
    }
    // A record of strings only is counted to its exact compact length, so around a small
    // limit `decode` and `decode_json` agree byte for byte: usable up to 200 bytes, too
    // large from 201.
    let limits = Limits { max_case_bytes: 200, ..Limits::default() };
    let small = Engine::compile_with_limits(EXAMPLE_POLICY, limits).expect("compiles");
    let (mut a, mut b) = (Case::new(), Case::new());
    let mut seen = [false; 2];
    for n in 0..40 {
        let r = json!({"id": "C-1", "kind": "payment_hold", "order_id": "O-1",
                       "opened_at": "2026-11-23T08:00:00Z", "pad": "p".repeat(70 + n)});
        let text = r.to_string();
        small.decode_json(&text, &mut a);
        let _ = small.decode(&r, &mut b);
        assert_eq!(a.error(), b.error(), "{} bytes", text.len());
        assert_eq!(a.error() == Some(CaseError::TooLarge), text.len() > 200, "{} bytes", text.len());
        seen[usize::from(text.len() > 200)] = true;
    }
    assert_eq!(seen, [true, true]);
}
