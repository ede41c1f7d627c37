//! Decision rights: approval steps, separation of duties and authorize, with expectations
//! derived by hand from the example policy (roles: agent 0, team_lead 250, ops_manager
//! 2500, finance_reviewer 25000, then unlimited cfo, procurement_lead, leadership,
//! client_sponsor in that order; fx USD 0.92, GBP 1.17).

use docket_core::{Actor, Case};
use docket_tests::*;
use serde_json::{Value, json};

const NOW: &str = "2026-11-23T10:00:00Z";

fn refund(amount: &str, extra: Value) -> Value {
    let mut c =
        json!({"id": "R", "kind": "refund", "amount": amount, "order_id": "O", "opened_at": "2026-11-23T08:00:00Z"});
    if let Value::Object(m) = extra {
        for (k, v) in m {
            c[k] = v;
        }
    }
    c
}

fn approvals(case: &Value) -> Value {
    eval(&example_engine(), case, NOW)["approvals"].clone()
}

fn roles(v: &Value) -> Vec<String> {
    v["steps"].as_array().unwrap().iter().map(|s| s["role"].as_str().unwrap().to_string()).collect()
}

#[test]
fn by_limit_at_exact_boundaries() {
    // A2 applies to refunds over 50. 250.00 is covered by team_lead's 250 exactly;
    // 250.01 is not, so the next smallest limit, ops_manager (2500), takes it.
    assert_eq!(roles(&approvals(&refund("250.00", json!({})))), ["team_lead"]);
    assert_eq!(roles(&approvals(&refund("250", json!({})))), ["team_lead"]);
    assert_eq!(roles(&approvals(&refund("250.01", json!({})))), ["ops_manager"]);
    // 2500.00 → ops_manager; 2500.01 → finance_reviewer, and A3 (>= 1000) adds
    // finance_reviewer again, which is not repeated.
    assert_eq!(roles(&approvals(&refund("2500.00", json!({})))), ["ops_manager", "finance_reviewer"]);
    assert_eq!(roles(&approvals(&refund("2500.01", json!({})))), ["finance_reviewer"]);
    // Above every limit: the first role without a limit (cfo) ranks above all limited ones.
    assert_eq!(roles(&approvals(&refund("25000.01", json!({})))), ["cfo", "finance_reviewer"]);
}

#[test]
fn by_limit_after_fx_conversion() {
    // 271.74 USD × 0.92 = 250.0008 EUR > 250 → ops_manager; 271.73 USD = 249.9916 EUR → team_lead.
    assert_eq!(roles(&approvals(&refund("271.74", json!({"currency": "USD"})))), ["ops_manager"]);
    assert_eq!(roles(&approvals(&refund("271.73", json!({"currency": "USD"})))), ["team_lead"]);
    // 213.68 GBP × 1.17 = 250.0056 EUR → ops_manager.
    assert_eq!(roles(&approvals(&refund("213.68", json!({"currency": "GBP"})))), ["ops_manager"]);
}

#[test]
fn no_authority_without_an_unlimited_role() {
    let mut p: Value = serde_json::from_str(EXAMPLE_POLICY).unwrap();
    p["roles"] = json!({"agent": {"limit": "0"}, "team_lead": {"limit": "250"}, "ops_manager": {"limit": "2500"}, "finance_reviewer": {"limit": "25000"}, "procurement_lead": {"limit": "1"}, "leadership": {"limit": "1"}, "client_sponsor": {"limit": "1"}, "cfo": {"limit": "1"}});
    let e = engine(&p);
    let o = eval(&e, &refund("30000", json!({})), NOW);
    // A2 cannot be resolved (no limit covers 30000): no_authority on `amount`; A3 still adds
    // finance_reviewer.
    assert_eq!(o["issues"][0]["code"], "no_authority");
    assert_eq!(o["issues"][0]["field"], "amount");
    assert_eq!(roles(&o["approvals"]), ["finance_reviewer"]);
}

/// The example policy with `approve.within_limit` set to `amount`: the limit check of
/// the format, which the example itself leaves to the steps' roles.
fn with_within_limit() -> docket_core::Engine {
    let mut p: Value = serde_json::from_str(EXAMPLE_POLICY).unwrap();
    p["actions"]["approve"]["within_limit"] = json!("amount");
    engine(&p)
}

/// The example policy with `approvals.fill` set to `fill`.
fn with_fill(fill: &str) -> docket_core::Engine {
    let mut p: Value = serde_json::from_str(EXAMPLE_POLICY).unwrap();
    p["approvals"]["fill"] = json!(fill);
    engine(&p)
}

fn issue_reasons(o: &Value) -> Vec<(String, String)> {
    o["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["field"].as_str().unwrap_or("").to_string(), i["reason"].as_str().unwrap_or("").to_string()))
        .collect()
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
}

#[test]
fn requester_trying_to_approve() {
    // agent-17 requested the case and records an ops_manager approval: separation of
    // duties (requester_cannot_approve) makes it count for nothing; the step remains;
    // agent-17 is barred.
    let c = refund(
        "1250.00",
        json!({"requested_by": "agent-17", "approvals": [{"role": "ops_manager", "by": "agent-17", "at": "2026-11-23T09:00:00Z"}]}),
    );
    let o = eval(&example_engine(), &c, NOW);
    assert_eq!(o["approvals"]["remaining"], json!(["ops_manager", "finance_reviewer"]));
    assert_eq!(o["approvals"]["barred"], json!(["agent-17"]));
    assert_eq!(
        o["issues"],
        json!([{"code": "approval_ignored", "field": "approvals/0", "reason": "separation_of_duties",
                "detail": "agent-17 requested this case and may not approve it"}])
    );
}

#[test]
fn the_same_actor_filling_two_steps() {
    // u-7 approves as ops_manager, then as finance_reviewer: the second counts for nothing
    // (approve.not_prior_approver: u-7 already gave an approval); u-7 is barred from the
    // remaining step.
    let c = refund(
        "1250.00",
        json!({"requested_by": "agent-17", "approvals": [
        {"role": "ops_manager", "by": "u-7", "at": "2026-11-23T09:00:00Z"},
        {"role": "finance_reviewer", "by": "u-7", "at": "2026-11-23T09:05:00Z"}]}),
    );
    let o = eval(&example_engine(), &c, NOW);
    assert_eq!(o["approvals"]["steps"][0]["done_by"], "u-7");
    assert!(o["approvals"]["steps"][1].get("done_by").is_none());
    assert_eq!(o["approvals"]["remaining"], json!(["finance_reviewer"]));
    assert_eq!(o["approvals"]["barred"], json!(["agent-17", "u-7"]));
    assert_eq!(issue_reasons(&o), pairs(&[("approvals/1", "separation_of_duties")]));
    assert_eq!(o["issues"][0]["detail"], "u-7 already gave an approval of this case");
    // A different actor fills it.
    let c = refund(
        "1250.00",
        json!({"approvals": [
        {"role": "ops_manager", "by": "u-7", "at": "2026-11-23T09:00:00Z"},
        {"role": "finance_reviewer", "by": "u-8", "at": "2026-11-23T09:05:00Z"}]}),
    );
    let o = eval(&example_engine(), &c, NOW);
    assert_eq!(o["approvals"]["remaining"], json!([]));
    assert_eq!(o["issues"], json!([]));
    // A team_lead (limit 250) ranks below both steps' roles (2500, 25000): no open step it
    // may fill, so it counts for nothing, and says so.
    let c = refund("1250.00", json!({"approvals": [{"role": "team_lead", "by": "u-3", "at": "2026-11-23T09:00:00Z"}]}));
    let o = eval(&example_engine(), &c, NOW);
    assert_eq!(o["approvals"]["remaining"], json!(["ops_manager", "finance_reviewer"]));
    assert_eq!(issue_reasons(&o), pairs(&[("approvals/0", "no_open_step")]));
}

#[test]
fn a_higher_role_fills_the_first_open_step_it_outranks() {
    // The example fills "same_or_higher". A cfo (no limit: above every limited role) on a
    // 1250.00 refund fills the first open step in rule order, ops_manager (A2); the
    // finance_reviewer step (A3) remains for someone else.
    let c = refund("1250.00", json!({"approvals": [{"role": "cfo", "by": "u-1", "at": "2026-11-23T09:00:00Z"}]}));
    let o = eval(&example_engine(), &c, NOW);
    assert_eq!(o["approvals"]["steps"][0], json!({"role": "ops_manager", "rule": "A2", "done_by": "u-1"}));
    assert_eq!(o["approvals"]["remaining"], json!(["finance_reviewer"]));
    assert_eq!(o["issues"], json!([]));
    // A finance_reviewer (25000) outranks ops_manager (2500) too: the first open step.
    let c = refund(
        "1250.00",
        json!({"approvals": [{"role": "finance_reviewer", "by": "u-2", "at": "2026-11-23T09:00:00Z"}]}),
    );
    assert_eq!(approvals(&c)["remaining"], json!(["finance_reviewer"]));
    // With "same_role" a role fills only its own step: the cfo fills nothing.
    let same = with_fill("same_role");
    let c = refund("1250.00", json!({"approvals": [{"role": "cfo", "by": "u-1", "at": "2026-11-23T09:00:00Z"}]}));
    let o = eval(&same, &c, NOW);
    assert_eq!(o["approvals"]["remaining"], json!(["ops_manager", "finance_reviewer"]));
    assert_eq!(issue_reasons(&o), pairs(&[("approvals/0", "no_open_step")]));
    assert_eq!(o["issues"][0]["detail"], "no open step that `cfo` may fill (fill: same_role)");
    // ...and a finance_reviewer fills its own step (A3), not ops_manager's.
    let c = refund(
        "1250.00",
        json!({"approvals": [{"role": "finance_reviewer", "by": "u-2", "at": "2026-11-23T09:00:00Z"}]}),
    );
    assert_eq!(eval(&same, &c, NOW)["approvals"]["remaining"], json!(["ops_manager"]));
    // Two roles without a limit rank alike: neither is higher, so a cfo cannot stand in
    // for procurement_lead (A4, vendor failures).
    let v = json!({"id": "V", "kind": "vendor_failure", "vendor_failures_90d": 4, "order_id": "O",
                   "opened_at": "2026-11-23T08:00:00Z",
                   "approvals": [{"role": "cfo", "by": "u-1", "at": "2026-11-23T09:00:00Z"}]});
    let o = eval(&example_engine(), &v, NOW);
    assert_eq!(o["approvals"]["remaining"], json!(["procurement_lead"]));
    assert_eq!(issue_reasons(&o), pairs(&[("approvals/0", "no_open_step")]));
}

#[test]
fn approvals_count_as_of_their_time() {
    let e = example_engine();
    // Opened 08:00, now 10:00. Given at 10:30: after now, it counts for nothing yet; at
    // 07:00: before the case was opened, never. Evaluated at 11:00, the 10:30 one counts.
    let c = refund(
        "1250.00",
        json!({"approvals": [
            {"role": "ops_manager", "by": "u-7", "at": "2026-11-23T10:30:00Z"},
            {"role": "finance_reviewer", "by": "u-8", "at": "2026-11-23T07:00:00Z"}]}),
    );
    let o = eval(&e, &c, NOW);
    assert_eq!(o["approvals"]["remaining"], json!(["ops_manager", "finance_reviewer"]));
    // Taken in order of `at`: the 07:00 one first.
    assert_eq!(issue_reasons(&o), pairs(&[("approvals/1", "before_opened"), ("approvals/0", "after_now")]));
    assert_eq!(
        o["issues"][1]["detail"],
        "given at 2026-11-23T10:30:00Z, after the evaluation instant 2026-11-23T10:00:00Z"
    );
    assert_eq!(
        o["issues"][0]["detail"],
        "given at 2026-11-23T07:00:00Z, before the case was opened at 2026-11-23T08:00:00Z"
    );
    // The approvals of the evaluation barred u-8 (a prior approver, though it counted for
    // nothing); u-7's is not given yet at 10:00.
    assert_eq!(o["approvals"]["barred"], json!(["u-8"]));
    let later = eval(&e, &c, "2026-11-23T11:00:00Z");
    assert_eq!(later["approvals"]["remaining"], json!(["finance_reviewer"]));
    assert_eq!(issue_reasons(&later), pairs(&[("approvals/1", "before_opened")]));
    // In order of `at`, not of the list: u-9 (cfo) at 09:10 is listed first but u-7
    // (ops_manager) at 09:00 takes the ops_manager step first; the cfo then fills the
    // first step still open that it outranks, finance_reviewer's.
    let c = refund(
        "1250.00",
        json!({"approvals": [
            {"role": "cfo", "by": "u-9", "at": "2026-11-23T09:10:00Z"},
            {"role": "ops_manager", "by": "u-7", "at": "2026-11-23T09:00:00Z"}]}),
    );
    let o = eval(&e, &c, NOW);
    assert_eq!(o["approvals"]["steps"][0]["done_by"], "u-7");
    assert_eq!(o["approvals"]["steps"][1]["done_by"], "u-9");
    // An approval without `at` counts as given at `now`.
    let c = refund("1250.00", json!({"approvals": [{"role": "ops_manager", "by": "u-7"}]}));
    assert_eq!(approvals(&c)["remaining"], json!(["finance_reviewer"]));
}

#[test]
fn malformed_and_repeated_approvals_count_for_nothing() {
    let e = example_engine();
    // Entry 0: an empty approver; 1: a role the policy does not declare; 2: `at` is not a
    // timestamp; 3: not an object; 4: fills the ops_manager step; 5: the same record as
    // 4 again. Each that counts for nothing says why, the malformed ones first.
    let c = refund(
        "1250.00",
        json!({"approvals": [
            {"role": "ops_manager", "by": "", "at": "2026-11-23T09:00:00Z"},
            {"role": "superuser", "by": "u-5", "at": "2026-11-23T09:00:00Z"},
            {"role": "ops_manager", "by": "u-6", "at": "yesterday"},
            42,
            {"role": "ops_manager", "by": "u-7", "at": "2026-11-23T09:00:00Z"},
            {"role": "ops_manager", "by": "u-7", "at": "2026-11-23T09:00:00Z"}]}),
    );
    let o = eval(&e, &c, NOW);
    let ignored: Vec<(String, String)> = issue_reasons(&o).into_iter().filter(|(_, r)| !r.is_empty()).collect();
    // Entries 0, 2 and 3 cannot count at all (taken first); entry 1 is taken at 09:00
    // in list order with 4 and 5. Entry 5 repeats entry 4: not_prior_approver already
    // bars u-7 (separation comes before duplicate).
    assert_eq!(
        ignored,
        pairs(&[
            ("approvals/0", "malformed"),
            ("approvals/2", "malformed"),
            ("approvals/3", "malformed"),
            ("approvals/1", "malformed"),
            ("approvals/5", "separation_of_duties"),
        ])
    );
    assert_eq!(o["approvals"]["remaining"], json!(["finance_reviewer"]));
    // Without not_prior_approver or distinct_approvers, u-7 may fill two steps, but a
    // repeated record is one approval.
    let mut p: Value = serde_json::from_str(EXAMPLE_POLICY).unwrap();
    p["actions"]["approve"]["not_prior_approver"] = json!(false);
    p["separation"]["distinct_approvers"] = json!(false);
    let lax = engine(&p);
    let c = refund(
        "1250.00",
        json!({"approvals": [
            {"role": "cfo", "by": "u-7", "at": "2026-11-23T09:00:00Z"},
            {"role": "cfo", "by": "u-7", "at": "2026-11-23T09:00:00Z"}]}),
    );
    let o = eval(&lax, &c, NOW);
    assert_eq!(o["approvals"]["remaining"], json!(["finance_reviewer"]));
    assert_eq!(issue_reasons(&o), pairs(&[("approvals/1", "duplicate")]));
    assert_eq!(o["issues"][0]["detail"], "repeats approvals/0 (same role, approver and time)");
    // The same approver in the same role a minute later is a second approval: it fills
    // the next step the cfo outranks.
    let c = refund(
        "1250.00",
        json!({"approvals": [
            {"role": "cfo", "by": "u-7", "at": "2026-11-23T09:00:00Z"},
            {"role": "cfo", "by": "u-7", "at": "2026-11-23T09:01:00Z"}]}),
    );
    assert_eq!(eval(&lax, &c, NOW)["approvals"]["remaining"], json!([]));
}

fn authorize_with(e: &docket_core::Engine, case: &Value, id: &str, roles: &[&str], action: &str, now: &str) -> Value {
    let mut c = Case::new();
    e.decode_json(&case.to_string(), &mut c);
    let actor = Actor { id: id.into(), roles: roles.iter().map(|r| r.to_string()).collect() };
    serde_json::to_value(e.authorize(&c, &actor, action, t(now))).unwrap()
}

fn authorize(case: &Value, id: &str, roles: &[&str], action: &str) -> Value {
    authorize_with(&example_engine(), case, id, roles, action, NOW)
}

fn reason_codes(d: &Value) -> Vec<String> {
    d["reasons"].as_array().unwrap().iter().map(|x| x["code"].as_str().unwrap().to_string()).collect()
}

#[test]
fn authorize_reasons_as_the_spec_words_them() {
    let c = refund("1250.00", json!({"requested_by": "agent-17"}));
    // The spec's example, under a policy whose approve has within_limit: team_lead
    // approving 1250.00 is over its 250 limit (then no step is looked for).
    let d = authorize_with(&with_within_limit(), &c, "u-9", &["team_lead"], "approve", NOW);
    assert_eq!(d["allowed"], false);
    assert_eq!(d["reasons"], json!([{"code": "over_limit", "detail": "amount 1250.00 > team_lead limit 250"}]));
    // The example leaves authority to the steps' roles: a team_lead may fill neither the
    // ops_manager step nor the finance_reviewer one.
    assert_eq!(reason_codes(&authorize(&c, "u-9", &["team_lead"], "approve")), ["no_open_step"]);
    // Closing a refund without its receipt while both steps are open: approvals_pending
    // with the open steps' roles (rule order), then missing_evidence with the item.
    assert_eq!(
        authorize(&c, "u-9", &["team_lead"], "close")["reasons"],
        json!([{"code": "approvals_pending",
                "detail": "`close` requires every approval step filled; open: ops_manager, finance_reviewer",
                "roles": ["ops_manager", "finance_reviewer"]},
               {"code": "missing_evidence", "items": ["refund_receipt"]}])
    );
    // With the receipt and both steps filled before now, it is allowed.
    let done = refund(
        "1250.00",
        json!({"evidence": ["refund_receipt"], "approvals": [
            {"role": "ops_manager", "by": "u-7", "at": "2026-11-23T09:00:00Z"},
            {"role": "finance_reviewer", "by": "u-8", "at": "2026-11-23T09:30:00Z"}]}),
    );
    let d = authorize(&done, "u-9", &["team_lead"], "close");
    assert_eq!((d["allowed"].clone(), d["reasons"].clone()), (json!(true), json!([])));
    // As of 09:15 the finance_reviewer approval is not given yet.
    let d = authorize_with(&example_engine(), &done, "u-9", &["team_lead"], "close", "2026-11-23T09:15:00Z");
    assert_eq!(d["reasons"][0]["roles"], json!(["finance_reviewer"]));
    // A return needs rma_number and inspection_note, reported in the policy's order; it
    // has no approval step, so nothing is pending.
    let ret = json!({"id": "R", "kind": "return_authorization", "order_id": "O", "opened_at": "2026-11-23T08:00:00Z", "evidence": ["inspection_note"]});
    assert_eq!(
        authorize(&ret, "u-1", &["agent"], "close")["reasons"],
        json!([{"code": "missing_evidence", "items": ["rma_number"]}])
    );
    // Unknown action: the only reason.
    assert_eq!(reason_codes(&authorize(&c, "u-9", &["team_lead"], "delete")), ["unknown_action"]);
    // Requester cancelling: role ok (ops_manager), separation_of_duties.
    assert_eq!(reason_codes(&authorize(&c, "agent-17", &["ops_manager"], "cancel")), ["separation_of_duties"]);
    // Every reason at once, in order: an agent (not listed for approve) who requested it.
    // Neither over_limit nor no_open_step: the actor holds no listed role.
    assert_eq!(
        reason_codes(&authorize(&c, "agent-17", &["agent"], "approve")),
        ["role_not_permitted", "separation_of_duties"]
    );
    // The requester closing: separation_of_duties, before approvals_pending.
    assert_eq!(
        reason_codes(&authorize(&c, "agent-17", &["agent"], "close")),
        ["separation_of_duties", "approvals_pending", "missing_evidence"]
    );
    // A prior approver may not approve again: u-9's team_lead approval of 100.00 filled
    // its one step (A2: team_lead), so no step is open either.
    let c2 = refund("100", json!({"approvals": [{"role": "team_lead", "by": "u-9", "at": "2026-11-23T09:00:00Z"}]}));
    assert_eq!(
        reason_codes(&authorize(&c2, "u-9", &["team_lead"], "approve")),
        ["separation_of_duties", "no_open_step"]
    );
}

#[test]
fn several_roles_where_only_one_permits() {
    let c = refund("1250.00", json!({}));
    // agent and finance_reviewer: only finance_reviewer is listed for approve, and it
    // outranks the first open step's role (ops_manager, A2), which it fills.
    let d = authorize(&c, "u-5", &["agent", "finance_reviewer"], "approve");
    assert_eq!(d["allowed"], true);
    assert_eq!(d["fills"], json!({"role": "ops_manager", "rule": "A2", "as": "finance_reviewer"}));
    // team_lead and ops_manager: ops_manager fills its own step.
    let d = authorize(&c, "u-5", &["team_lead", "ops_manager"], "approve");
    assert_eq!(d["fills"], json!({"role": "ops_manager", "rule": "A2", "as": "ops_manager"}));
    // Holding both a role that outranks the step and the step's own role: the own role.
    let d = authorize(&c, "u-5", &["cfo", "ops_manager"], "approve");
    assert_eq!(d["fills"]["as"], "ops_manager");
    // agent and a role the policy does not know: nothing grants approve.
    assert_eq!(reason_codes(&authorize(&c, "u-5", &["agent", "superuser"], "approve")), ["role_not_permitted"]);
    // cfo above every limit: 999999 resolves A2 to cfo, whose step it fills.
    assert_eq!(authorize(&refund("999999", json!({})), "u-5", &["cfo"], "approve")["fills"]["role"], "cfo");
    // An adjustment without an amount gets no step (A2 tests amount > 50): nothing to fill.
    let no_amount = json!({"id": "R", "kind": "adjustment", "order_id": "O", "opened_at": "2026-11-23T08:00:00Z"});
    assert_eq!(reason_codes(&authorize(&no_amount, "u-5", &["cfo"], "approve")), ["no_open_step"]);
    // Under within_limit, an absent amount is covered by no role (fail closed).
    let wl = with_within_limit();
    assert_eq!(reason_codes(&authorize_with(&wl, &no_amount, "u-5", &["cfo"], "approve", NOW)), ["over_limit"]);
    // Limits compare after fx: 271.74 USD = 250.0008 EUR is over team_lead's 250...
    let usd = |a: &str| refund(a, json!({"currency": "USD"}));
    assert_eq!(
        reason_codes(&authorize_with(&wl, &usd("271.74"), "u-5", &["team_lead"], "approve", NOW)),
        ["over_limit"]
    );
    // ...and resolves A2 to ops_manager, whose step a team_lead may not fill.
    assert_eq!(reason_codes(&authorize(&usd("271.74"), "u-5", &["team_lead"], "approve")), ["no_open_step"]);
    // 271.73 USD = 249.9916 EUR: team_lead's step, and within its limit.
    assert_eq!(authorize_with(&wl, &usd("271.73"), "u-5", &["team_lead"], "approve", NOW)["allowed"], true);
    assert_eq!(authorize(&usd("271.73"), "u-5", &["team_lead"], "approve")["allowed"], true);
    // An unusable case denies everything.
    let broken = json!({"id": "R", "opened_at": "2026-11-23T08:00:00Z"});
    assert_eq!(reason_codes(&authorize(&broken, "u-5", &["cfo"], "hold")), ["invalid_case"]);
}

#[test]
fn the_issue_stories_on_the_bundled_example() {
    let e = example_engine();
    let c1013: Value = serde_json::from_str(&example_case("C-1013")).unwrap();
    // C-1013: USD 2,400 refund requested by agent-40, both steps open. With its receipt,
    // agent-40 may not close it: they requested it, and the approvals are pending.
    let mut with_receipt = c1013.clone();
    with_receipt["evidence"] = json!(["refund_receipt"]);
    let d = authorize_with(&e, &with_receipt, "agent-40", &["agent"], "close", NOW);
    assert_eq!(reason_codes(&d), ["separation_of_duties", "approvals_pending"]);
    assert_eq!(d["reasons"][1]["roles"], json!(["ops_manager", "finance_reviewer"]));
    // A cfo may approve it, filling the ops_manager step (A2): 2208.0000 EUR resolves to
    // ops_manager, and the cfo outranks it.
    let d = authorize_with(&e, &c1013, "u-1", &["cfo"], "approve", NOW);
    assert_eq!(d["fills"], json!({"role": "ops_manager", "rule": "A2", "as": "cfo"}));
    // Recording that approval at now fills exactly that step.
    let mut approved = c1013.clone();
    approved["approvals"] = json!([{"role": "cfo", "by": "u-1", "at": NOW}]);
    let o = eval(&e, &approved, NOW);
    assert_eq!(o["approvals"]["remaining"], json!(["finance_reviewer"]));
    assert_eq!(o["approvals"]["steps"][0]["done_by"], "u-1");
    // C-1008: the procurement_lead step (A4) can be filled, by a procurement_lead.
    let c1008: Value = serde_json::from_str(&example_case("C-1008")).unwrap();
    let d = authorize_with(&e, &c1008, "u-4", &["procurement_lead"], "approve", NOW);
    assert_eq!(d["fills"], json!({"role": "procurement_lead", "rule": "A4", "as": "procurement_lead"}));
}

#[test]
fn authorize_answers_a_decision_record() {
    let e = example_engine();
    let c = refund("1250.00", json!({"requested_by": "agent-17"}));
    let d = authorize_with(&e, &c, "u-7", &["ops_manager"], "approve", NOW);
    assert_eq!(
        d,
        json!({
            "case": "R", "actor": "u-7", "action": "approve", "now": NOW, "allowed": true, "reasons": [],
            "fills": {"role": "ops_manager", "rule": "A2", "as": "ops_manager"},
            "policy": {"name": "acme-order-ops", "version": "2026.11.2", "fingerprint": e.fingerprint()}
        })
    );
    // A refusal has no `fills`; an actor whose id is not usable is not echoed; `now`
    // beyond the range of case instants is clamped as evaluation clamps it.
    let d = authorize_with(&e, &c, "", &["ops_manager"], "approve", "2150-01-01T00:00:00Z");
    assert_eq!(d["actor"], Value::Null);
    assert_eq!(d["now"], "2099-12-31T23:59:59Z");
    assert!(d.get("fills").is_none());
    assert_eq!(reason_codes(&d), ["invalid_actor"]);
    // Before the case is opened, no step is open yet.
    let d = authorize_with(&e, &c, "u-7", &["ops_manager"], "approve", "2026-11-23T07:00:00Z");
    assert_eq!(
        d["reasons"],
        json!([{"code": "no_open_step", "detail": "no step is open before the case is opened at 2026-11-23T08:00:00Z"}])
    );
}

#[test]
fn action_gates_require_approvals_and_bar_approvers() {
    let mut p: Value = serde_json::from_str(EXAMPLE_POLICY).unwrap();
    p["actions"]["release"] = json!({"roles": ["ops_manager"], "requires": ["approvals"], "not_approver": true});
    let e = engine(&p);
    let approved = refund(
        "1250.00",
        json!({"approvals": [
            {"role": "ops_manager", "by": "u-7", "at": "2026-11-23T09:00:00Z"},
            {"role": "finance_reviewer", "by": "u-8", "at": "2026-11-23T09:30:00Z"}]}),
    );
    // u-7 gave a counted approval: barred from releasing; u-6 is not.
    assert_eq!(
        reason_codes(&authorize_with(&e, &approved, "u-7", &["ops_manager"], "release", NOW)),
        ["separation_of_duties"]
    );
    assert_eq!(authorize_with(&e, &approved, "u-6", &["ops_manager"], "release", NOW)["allowed"], true);
    // An approval that counted for nothing does not bar under not_approver: u-3's
    // team_lead approval filled no step.
    let tried =
        refund("1250.00", json!({"approvals": [{"role": "team_lead", "by": "u-3", "at": "2026-11-23T09:00:00Z"}]}));
    assert_eq!(
        reason_codes(&authorize_with(&e, &tried, "u-3", &["ops_manager"], "release", NOW)),
        ["approvals_pending"]
    );
    // A by_limit step that no role covers (no_authority: every role has a limit, the
    // largest cfo's 30000) leaves the steps undetermined, which fails closed: pending.
    let mut q: Value = serde_json::from_str(EXAMPLE_POLICY).unwrap();
    q["roles"] = json!({"agent": {"limit": "0"}, "team_lead": {"limit": "250"}, "ops_manager": {"limit": "2500"},
                        "finance_reviewer": {"limit": "25000"}, "cfo": {"limit": "30000"}, "procurement_lead": {"limit": "1"},
                        "leadership": {"limit": "1"}, "client_sponsor": {"limit": "1"}});
    let e = engine(&q);
    let big = refund("40000", json!({"evidence": ["refund_receipt"]}));
    let d = authorize_with(&e, &big, "u-9", &["team_lead"], "close", NOW);
    // A3 still adds finance_reviewer, open; A2 has no_authority.
    assert_eq!(reason_codes(&d), ["approvals_pending"]);
    assert!(d["reasons"][0]["detail"].as_str().unwrap().contains("cannot be determined"));
}

/// A policy with the example's roles and approval rules and nothing else to slow it down
/// (no calendars), its decision rights set by the flags the property test varies.
fn rights_policy(v: &Variant) -> Value {
    let mut approve = json!({"roles": ["team_lead", "ops_manager", "finance_reviewer", "cfo", "procurement_lead", "leadership"],
                             "not_requester": v.not_requester, "not_prior_approver": v.not_prior_approver,
                             "not_approver": v.not_approver});
    if v.within_limit {
        approve["within_limit"] = json!("amount");
    }
    json!({
        "docket": 1, "name": "rights", "version": "1", "currency": "EUR",
        "fields": {
            "kind": {"type": "enum", "values": ["refund", "adjustment", "shipping_correction", "vendor_failure", "service_incident", "payment_hold"]},
            "amount": {"type": "money"}, "vendor_failures_90d": {"type": "integer"}, "orders_affected": {"type": "integer"}
        },
        "queues": {"q": {"owner": "o"}},
        "routing": {"hit": "first", "rules": [{"id": "R1", "when": {}, "then": {"queue": "q"}}]},
        "roles": {"agent": {"limit": "0"}, "team_lead": {"limit": "250"}, "ops_manager": {"limit": "2500"},
                  "finance_reviewer": {"limit": "25000"}, "cfo": {}, "procurement_lead": {}, "leadership": {}},
        "approvals": {
            "fill": v.fill, "hit": "rule_order",
            "rules": [
                {"id": "A1", "when": {"kind": "shipping_correction", "amount": "<= 50"}, "then": {"role": "team_lead"}},
                {"id": "A2", "when": {"kind": ["refund", "adjustment", "shipping_correction"], "amount": "> 50"},
                 "then": {"role": "by_limit", "limit_field": "amount"}},
                {"id": "A3", "when": {"kind": "refund", "amount": ">= 1000"}, "then": {"role": "finance_reviewer"}},
                {"id": "A4", "when": {"kind": "vendor_failure"}, "then": {"role": "procurement_lead"}},
                {"id": "A5", "when": {"orders_affected": ">= 100"}, "then": {"role": "leadership"}}
            ]
        },
        "separation": {"requester_cannot_approve": v.requester_cannot_approve, "distinct_approvers": v.distinct_approvers},
        "actions": {"approve": approve}
    })
}

#[derive(Clone, Debug)]
struct Variant {
    fill: &'static str,
    requester_cannot_approve: bool,
    distinct_approvers: bool,
    not_requester: bool,
    not_prior_approver: bool,
    not_approver: bool,
    within_limit: bool,
}

mod property {
    use super::*;
    use proptest::prelude::*;

    const ROLES: [&str; 8] =
        ["agent", "team_lead", "ops_manager", "finance_reviewer", "cfo", "procurement_lead", "leadership", "superuser"];
    const PEOPLE: [&str; 4] = ["u-1", "u-2", "u-3", "agent-17"];
    /// Around the case's opening (08:00) and `now` (10:00, or 07:30, before the opening).
    const ATS: [Option<&str>; 7] = [
        None,
        Some("2026-11-23T07:00:00Z"),
        Some("2026-11-23T09:00:00Z"),
        Some("2026-11-23T09:30:00Z"),
        Some("2026-11-23T10:00:00Z"),
        Some("2026-11-23T10:30:00Z"),
        Some("yesterday"),
    ];

    fn variant() -> impl Strategy<Value = Variant> {
        (prop::sample::select(vec!["same_role", "same_or_higher"]), any::<[bool; 6]>()).prop_map(|(fill, b)| Variant {
            fill,
            requester_cannot_approve: b[0],
            distinct_approvers: b[1],
            not_requester: b[2],
            not_prior_approver: b[3],
            not_approver: b[4],
            within_limit: b[5],
        })
    }

    fn approval() -> impl Strategy<Value = Value> {
        (0..ROLES.len(), prop::sample::select(vec!["u-1", "u-2", "u-3", "agent-17", ""]), 0..ATS.len()).prop_map(
            |(r, by, at)| {
                let mut a = json!({"role": ROLES[r], "by": by});
                if let Some(t) = ATS[at] {
                    a["at"] = json!(t);
                }
                a
            },
        )
    }

    fn case() -> impl Strategy<Value = Value> {
        (
            prop::sample::select(vec![
                "refund",
                "adjustment",
                "shipping_correction",
                "vendor_failure",
                "service_incident",
                "payment_hold",
            ]),
            prop::sample::select(vec![None, Some("30"), Some("250"), Some("1250.00"), Some("2600"), Some("30000")]),
            any::<bool>(),
            prop::option::of(prop::sample::select(PEOPLE.to_vec())),
            prop::collection::vec(approval(), 0..6),
        )
            .prop_map(|(kind, amount, many, requester, approvals)| {
                let mut c = json!({"id": "P", "kind": kind, "opened_at": "2026-11-23T08:00:00Z",
                                   "vendor_failures_90d": 4, "approvals": approvals});
                if let Some(a) = amount {
                    c["amount"] = json!(a);
                }
                if many {
                    c["orders_affected"] = json!(150);
                }
                if let Some(r) = requester {
                    c["requested_by"] = json!(r);
                }
                c
            })
    }

    fn actor() -> impl Strategy<Value = (String, Vec<String>)> {
        (
            prop::sample::select(vec!["u-1", "u-2", "u-3", "agent-17", ""]),
            prop::collection::vec(prop::sample::select(ROLES.to_vec()), 0..3),
        )
            .prop_map(|(id, roles)| (id.to_string(), roles.into_iter().map(String::from).collect()))
    }

    fn remaining(o: &Value) -> usize {
        o["approvals"]["remaining"].as_array().map_or(0, Vec::len)
    }

    /// The reason evaluation gives the approval at `index`, if it counts for nothing.
    fn reason_of(o: &Value, index: usize) -> Option<String> {
        let field = format!("approvals/{index}");
        o["issues"]
            .as_array()?
            .iter()
            .find(|i| i["code"] == "approval_ignored" && i["field"] == field.as_str())
            .and_then(|i| i["reason"].as_str().map(String::from))
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        /// authorize(approve) is allowed if and only if recording that approval at `now`
        /// reduces `remaining` by exactly one: allowed, the approval it describes fills
        /// the step it names; refused, an approval by the actor in any role it holds
        /// fills nothing, and (for one role) for the reason authorize gave first.
        #[test]
        fn authorize_approve_agrees_with_counting_the_approval(
            v in variant(),
            case in case(),
            (id, roles) in actor(),
            early in any::<bool>(),
        ) {
            let e = engine(&rights_policy(&v));
            // `now` is 10:00, or 07:30: before the case is opened.
            let now = if early { "2026-11-23T07:30:00Z" } else { NOW };
            let before = eval(&e, &case, now);
            let d = authorize_with(&e, &case, &id, &roles.iter().map(String::as_str).collect::<Vec<_>>(), "approve", now);
            let n = case["approvals"].as_array().map_or(0, Vec::len);
            let with = |role: &str| {
                let mut c = case.clone();
                c["approvals"].as_array_mut().unwrap().push(json!({"role": role, "by": id, "at": now}));
                eval(&e, &c, now)
            };
            if d["allowed"] == true {
                let fills = &d["fills"];
                let after = with(fills["as"].as_str().unwrap());
                prop_assert_eq!(remaining(&after) + 1, remaining(&before), "{} then {}", d, after);
                prop_assert_eq!(reason_of(&after, n), None);
                // The step it names is the one filled, by the actor; the others are as before.
                let (b, a) = (before["approvals"]["steps"].as_array().unwrap(), after["approvals"]["steps"].as_array().unwrap());
                prop_assert_eq!(a.len(), b.len());
                for (x, y) in b.iter().zip(a) {
                    if x != y {
                        prop_assert_eq!(&y["role"], &fills["role"]);
                        prop_assert_eq!(&y["rule"], &fills["rule"]);
                        prop_assert_eq!(&y["done_by"], &json!(id));
                    }
                }
            } else {
                prop_assert!(d.get("fills").is_none());
                let first = d["reasons"][0]["code"].as_str().unwrap().to_string();
                if before["not_yet_open"] == true {
                    // At 07:30 the case (opened at 08:00) has not happened yet: evaluation
                    // decides nothing, with or without the approval (time-semantics.md,
                    // "not_yet_open"); authorize refused it (no step is open yet, or the
                    // actor fails an earlier check).
                    for r in &roles {
                        prop_assert_eq!(&with(r)["not_yet_open"], &json!(true));
                    }
                    return Ok(());
                }
                for r in &roles {
                    let after = with(r);
                    prop_assert_eq!(remaining(&after), remaining(&before), "{} then {}", d, after);
                    prop_assert_eq!(&after["approvals"]["steps"], &before["approvals"]["steps"]);
                    let why = reason_of(&after, n);
                    prop_assert!(why.is_some(), "{}", after);
                    if roles.len() == 1 {
                        // Evaluation names the same cause, in its own words where the
                        // record says more: before_opened for no step open yet, malformed
                        // for a record without an approver or with an undeclared role.
                        let why = why.unwrap();
                        let same = why == first
                            || (why == "before_opened" && first == "no_open_step")
                            || (why == "malformed" && (first == "invalid_actor" || first == "role_not_permitted"));
                        prop_assert!(same, "authorize {} / evaluation {}: {} then {}", first, why, d, after);
                    }
                }
            }
        }
    }
}
