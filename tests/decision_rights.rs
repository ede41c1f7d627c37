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

#[test]
fn requester_trying_to_approve() {
    // agent-17 requested the case and records an ops_manager approval: it does not count
    // and is a separation_violation; the step remains; agent-17 is barred.
    let c = refund(
        "1250.00",
        json!({"requested_by": "agent-17", "approvals": [{"role": "ops_manager", "by": "agent-17", "at": "2026-11-23T09:00:00Z"}]}),
    );
    let o = eval(&example_engine(), &c, NOW);
    assert_eq!(o["approvals"]["remaining"], json!(["ops_manager", "finance_reviewer"]));
    assert_eq!(o["approvals"]["barred"], json!(["agent-17"]));
    assert_eq!(
        o["issues"],
        json!([{"code": "separation_violation", "field": "approvals/0", "detail": "approval by agent-17 does not count: the requester cannot approve"}])
    );
}

#[test]
fn the_same_actor_filling_two_steps() {
    // u-7 approves as ops_manager, then as finance_reviewer: with distinct_approvers the
    // second does not count (separation_violation); u-7 is barred from the remaining step.
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
    assert_eq!(o["issues"][0]["code"], "separation_violation");
    assert_eq!(o["issues"][0]["field"], "approvals/1");
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
    // An approval whose role does not match a step does not fill it.
    let c = refund("1250.00", json!({"approvals": [{"role": "team_lead", "by": "u-3", "at": "2026-11-23T09:00:00Z"}]}));
    assert_eq!(approvals(&c)["remaining"], json!(["ops_manager", "finance_reviewer"]));
}

fn authorize(case: &Value, id: &str, roles: &[&str], action: &str) -> Value {
    let e = example_engine();
    let mut c = Case::new();
    e.decode_json(&case.to_string(), &mut c);
    let actor = Actor { id: id.into(), roles: roles.iter().map(|r| r.to_string()).collect() };
    serde_json::to_value(e.authorize(&c, &actor, action)).unwrap()
}

#[test]
fn authorize_reasons_as_the_spec_words_them() {
    let c = refund("1250.00", json!({"requested_by": "agent-17"}));
    // The spec's example: team_lead approving 1250.00 is over its 250 limit.
    assert_eq!(
        authorize(&c, "u-9", &["team_lead"], "approve"),
        json!({"allowed": false, "reasons": [{"code": "over_limit", "detail": "amount 1250.00 > team_lead limit 250"}]})
    );
    // Closing a refund without its receipt: missing_evidence with the item.
    assert_eq!(
        authorize(&c, "u-9", &["team_lead"], "close"),
        json!({"allowed": false, "reasons": [{"code": "missing_evidence", "items": ["refund_receipt"]}]})
    );
    // With the receipt it is allowed.
    let with_receipt = refund("1250.00", json!({"evidence": ["refund_receipt"]}));
    assert_eq!(authorize(&with_receipt, "u-9", &["team_lead"], "close"), json!({"allowed": true, "reasons": []}));
    // A return needs rma_number and inspection_note, reported in the policy's order.
    let ret = json!({"id": "R", "kind": "return_authorization", "order_id": "O", "opened_at": "2026-11-23T08:00:00Z", "evidence": ["inspection_note"]});
    assert_eq!(
        authorize(&ret, "u-1", &["agent"], "close")["reasons"],
        json!([{"code": "missing_evidence", "items": ["rma_number"]}])
    );
    // Unknown action: the only reason.
    assert_eq!(authorize(&c, "u-9", &["team_lead"], "delete")["reasons"].as_array().unwrap().len(), 1);
    assert_eq!(authorize(&c, "u-9", &["team_lead"], "delete")["reasons"][0]["code"], "unknown_action");
    // Requester cancelling: role ok (ops_manager), separation_of_duties.
    let r = authorize(&c, "agent-17", &["ops_manager"], "cancel");
    assert_eq!(
        r["reasons"].as_array().unwrap().iter().map(|x| x["code"].as_str().unwrap()).collect::<Vec<_>>(),
        ["separation_of_duties"]
    );
    // Every reason at once, in order: an agent (not listed for approve) who requested it.
    // over_limit is not reported because the actor holds no listed role.
    let r = authorize(&c, "agent-17", &["agent"], "approve");
    assert_eq!(
        r["reasons"].as_array().unwrap().iter().map(|x| x["code"].as_str().unwrap()).collect::<Vec<_>>(),
        ["role_not_permitted", "separation_of_duties"]
    );
    // A prior approver may not approve again.
    let c2 = refund("100", json!({"approvals": [{"role": "team_lead", "by": "u-9", "at": "2026-11-23T09:00:00Z"}]}));
    assert_eq!(authorize(&c2, "u-9", &["team_lead"], "approve")["reasons"][0]["code"], "separation_of_duties");
}

#[test]
fn several_roles_where_only_one_permits() {
    let c = refund("1250.00", json!({}));
    // agent and finance_reviewer: only finance_reviewer is listed for approve, and its
    // 25000 covers 1250.00.
    assert_eq!(
        authorize(&c, "u-5", &["agent", "finance_reviewer"], "approve"),
        json!({"allowed": true, "reasons": []})
    );
    // team_lead and ops_manager: ops_manager's 2500 covers it even though team_lead's does not.
    assert_eq!(authorize(&c, "u-5", &["team_lead", "ops_manager"], "approve")["allowed"], true);
    // agent and a role the policy does not know: nothing grants approve.
    assert_eq!(authorize(&c, "u-5", &["agent", "superuser"], "approve")["reasons"][0]["code"], "role_not_permitted");
    // cfo has no limit: covers anything present...
    assert_eq!(authorize(&refund("999999", json!({})), "u-5", &["cfo"], "approve")["allowed"], true);
    // ...but an absent amount is covered by no role (fail closed).
    let no_amount = json!({"id": "R", "kind": "adjustment", "order_id": "O", "opened_at": "2026-11-23T08:00:00Z"});
    assert_eq!(authorize(&no_amount, "u-5", &["cfo"], "approve")["reasons"][0]["code"], "over_limit");
    // Limits compare after fx: 271.74 USD = 250.0008 EUR is over team_lead's 250.
    assert_eq!(
        authorize(&refund("271.74", json!({"currency": "USD"})), "u-5", &["team_lead"], "approve")["reasons"][0]["code"],
        "over_limit"
    );
    assert_eq!(
        authorize(&refund("271.73", json!({"currency": "USD"})), "u-5", &["team_lead"], "approve")["allowed"],
        true
    );
    // An unusable case denies everything.
    let broken = json!({"id": "R", "opened_at": "2026-11-23T08:00:00Z"});
    assert_eq!(authorize(&broken, "u-5", &["cfo"], "hold")["reasons"][0]["code"], "invalid_case");
}
