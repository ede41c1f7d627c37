//! The policy linter: each warning code on small policies built for it, with the reason
//! it holds (or does not) beside each expectation; the bundled example has none.

use docket_tests::*;
use serde_json::{Value, json};

/// The warnings of a policy as (code, path).
fn warnings(p: &Value) -> Vec<(String, String)> {
    engine(p).warnings().iter().map(|w| (w.code.as_str().to_string(), w.path.clone())).collect()
}

fn of(code: &str, p: &Value) -> Vec<String> {
    warnings(p).into_iter().filter(|(c, _)| c == code).map(|(_, path)| path).collect()
}

fn message(p: &Value, path: &str) -> String {
    engine(p).warnings().iter().find(|w| w.path == path).map(|w| w.message.clone()).unwrap_or_default()
}

/// A routing policy over fields of every type; queues a, b, c (all named by `rules`).
fn routing(hit: &str, rules: Value) -> Value {
    json!({
        "docket": 1, "name": "lint", "version": "1", "currency": "EUR",
        "fields": {
            "kind": {"type": "enum", "values": ["a", "b", "c"]},
            "amount": {"type": "money"}, "count": {"type": "integer"}, "score": {"type": "number"},
            "flag": {"type": "bool"}, "carrier": {"type": "string"}, "due": {"type": "timestamp"}
        },
        "queues": {"a": {"owner": "t"}, "b": {"owner": "t"}, "c": {"owner": "t"}},
        "routing": {"hit": hit, "rules": rules, "outputs": {"priority": ["P1", "P2", "P3"]}}
    })
}

fn rule(id: &str, when: Value, queue: &str) -> Value {
    json!({"id": id, "when": when, "then": {"queue": queue, "priority": "P3"}})
}

/// Rules R1..Rn of a `first` table with these tests, then the rule under test, X.
fn first_then(tests: &[Value], x: Value) -> Value {
    let mut rules: Vec<Value> =
        tests.iter().enumerate().map(|(i, w)| rule(&format!("R{}", i + 1), w.clone(), "a")).collect();
    rules.push(rule("X", x, "b"));
    rules.push(rule("Z", json!({}), "c"));
    routing("first", json!(rules))
}

/// Whether rule X (the one before the catch-all Z) is reported unreachable.
fn x_unreachable(tests: &[Value], x: Value) -> bool {
    let p = first_then(tests, x);
    of("unreachable_rule", &p).contains(&format!("/routing/rules/{}", tests.len()))
}

#[test]
fn unreachable_rule_is_decided_on_the_tests_values() {
    // Enum values a, b, c: [a, b] then c cover every kind a case can carry, but a case
    // may lack `kind` (absent), which X = {} also matches; X = not null matches only
    // present kinds.
    let kinds = [json!({"kind": ["a", "b"]}), json!({"kind": "c"})];
    assert!(x_unreachable(&kinds, json!({"kind": {"not": null}})));
    assert!(!x_unreachable(&kinds, json!({})));
    // A union across fields: R1 covers kind a, R2 kind b with amount > 5; X (kind a or b,
    // amount >= 6) lies within them. With amount >= 5, the case kind b, amount 5 is left.
    let two = [json!({"kind": "a"}), json!({"kind": "b", "amount": "> 5"})];
    assert!(x_unreachable(&two, json!({"kind": ["a", "b"], "amount": ">= 6"})));
    assert!(!x_unreachable(&two, json!({"kind": ["a", "b"], "amount": ">= 5"})));
    assert_eq!(
        message(&first_then(&two, json!({"kind": ["a", "b"], "amount": ">= 6"})), "/routing/rules/2"),
        "rule `X` can never decide: the rules before it (`R1`, `R2`) match every case it matches"
    );
    // Integers are whole: <= 3 and >= 4 leave nothing between them. Money is not: 3.5.
    let ints = [json!({"count": "<= 3"}), json!({"count": ">= 4"})];
    assert!(x_unreachable(&ints, json!({"count": {"not": null}})));
    let money = [json!({"amount": "<= 3"}), json!({"amount": ">= 4"})];
    assert!(!x_unreachable(&money, json!({"amount": {"not": null}})));
    assert!(x_unreachable(&money, json!({"amount": "[0..3]"})));
    // `!= 5` and `5` together cover every number; `(1..2)` leaves 1 and 2 out of `[1..2]`.
    assert!(x_unreachable(&[json!({"score": "!= 5"}), json!({"score": 5})], json!({"score": {"not": null}})));
    assert!(!x_unreachable(&[json!({"score": "(1..2)"})], json!({"score": "[1..2]"})));
    // A list test is a union of its alternatives.
    assert!(x_unreachable(&[json!({"score": ["< 0", "[0..10]", "> 10"]})], json!({"score": {"not": null}})));
    // Booleans: true then false cover every present value.
    assert!(x_unreachable(&[json!({"flag": true}), json!({"flag": false})], json!({"flag": {"not": null}})));
    assert!(!x_unreachable(&[json!({"flag": true})], json!({"flag": {"not": null}})));
    // Strings take any value: "DHL" and not "DHL" cover them all, "DHL" and "UPS" do not.
    assert!(x_unreachable(
        &[json!({"carrier": "DHL"}), json!({"carrier": {"not": "DHL"}})],
        json!({"carrier": {"not": null}})
    ));
    assert!(!x_unreachable(&[json!({"carrier": ["DHL", "UPS"]})], json!({"carrier": {"not": null}})));
    // Timestamps are whole seconds: < T and >= T cover them; a case carries instants of
    // 1970 through 2099, so a test before 1970 holds for no case.
    let t = [json!({"due": "< 2026-12-01T00:00:00Z"}), json!({"due": ">= 2026-12-01T00:00:00Z"})];
    assert!(x_unreachable(&t, json!({"due": {"not": null}})));
    let p = first_then(&[], json!({"due": "< 1960-01-01T00:00:00Z"}));
    assert_eq!(of("unreachable_rule", &p), ["/routing/rules/0"]);
    assert_eq!(message(&p, "/routing/rules/0"), "rule `X` can never match: its tests hold for no case");
    // `null` covers absence: null, then not null, cover everything a field can be.
    assert!(x_unreachable(&[json!({"carrier": null}), json!({"carrier": {"not": null}})], json!({})));
}

#[test]
fn unreachable_rule_follows_the_table_s_deciding_order() {
    // priority ranks by the outputs: a catch-all of P1 listed after a narrower P3 rule
    // decides before it, so the narrower one can never decide.
    let rules = json!([
        {"id": "N", "when": {"kind": "a"}, "then": {"queue": "a", "priority": "P3"}},
        {"id": "C", "when": {}, "then": {"queue": "b", "priority": "P1"}},
        {"id": "D", "when": {"kind": "c"}, "then": {"queue": "c", "priority": "P3"}}
    ]);
    let p = routing("priority", rules.clone());
    assert_eq!(of("unreachable_rule", &p), ["/routing/rules/0", "/routing/rules/2"]);
    assert_eq!(
        message(&p, "/routing/rules/0"),
        "rule `N` can never decide: the rules ranked before it (`C`) match every case it matches"
    );
    // Routing takes the first rule of a rule_order or collect list, and the best ranked
    // of an output_order one: the same reports as first and priority.
    assert_eq!(
        of("unreachable_rule", &routing("output_order", rules.clone())),
        ["/routing/rules/0", "/routing/rules/2"]
    );
    let first = json!([rule("C", json!({}), "a"), rule("N", json!({"kind": "a"}), "b"), rule("D", json!({}), "c")]);
    for hit in ["first", "rule_order", "collect"] {
        assert_eq!(
            of("unreachable_rule", &routing(hit, first.clone())),
            ["/routing/rules/1", "/routing/rules/2"],
            "{hit}"
        );
    }
    // unique and any decide by every match: nothing is unreachable there.
    assert_eq!(of("unreachable_rule", &routing("unique", first.clone())), Vec::<String>::new());
    assert_eq!(of("unreachable_rule", &routing("any", first)), Vec::<String>::new());
}

#[test]
fn unreachable_rule_examines_a_bounded_amount() {
    // n disjoint ranges [i..i+1) of `score`, then X = [0..n), which they cover, then the
    // catch-all. Checking X against the earlier rules is one piece at a time; but every
    // earlier rule is first checked against the rules before it, about n²/2 checks of
    // four steps each (the rule considered, and its one test against the other's: one
    // step and one for each interval). With 400 rules that is about 320,000 steps, within
    // the 500,000 a table gets: X is reported. With 2,400 (about 11.5 million) the
    // examination stops before X, and nothing is reported rather than something unproven.
    let ranges = |n: usize| -> Vec<Value> { (0..n).map(|i| json!({"score": format!("[{i}..{})", i + 1)})).collect() };
    assert!(x_unreachable(&ranges(400), json!({"score": "[0..400)"})));
    assert!(!x_unreachable(&ranges(400), json!({"score": "[0..400]"})), "400 itself is left");
    let p = first_then(&ranges(2400), json!({"score": "[0..2400)"}));
    let started = std::time::Instant::now();
    assert_eq!(of("unreachable_rule", &p), Vec::<String>::new());
    // Bounded: far below what a quadratic examination of every pair would take. (A
    // generous ceiling, for a loaded test machine.)
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
}

#[test]
fn unused_queue_names_queues_no_routing_output_names() {
    // Queue c is named by no rule; d only by invalid_queue; e by the default.
    let mut p = routing("first", json!([rule("R1", json!({"kind": "a"}), "a"), rule("R2", json!({}), "b")]));
    p["queues"]["d"] = json!({"owner": "dq"});
    p["queues"]["e"] = json!({"owner": "t"});
    p["invalid_queue"] = json!("d");
    p["routing"]["default"] = json!({"queue": "e"});
    assert_eq!(of("unused_queue", &p), ["/queues/c"]);
    assert_eq!(message(&p, "/queues/c"), "no routing rule or default sends a case to `c`, and it is not invalid_queue");
}

/// A decision-rights policy: roles with limits, approval rules, an approve action.
fn rights(approvals: Value, approve: Value) -> Value {
    json!({
        "docket": 1, "name": "lint", "version": "1", "currency": "EUR",
        "fields": {"kind": {"type": "enum", "values": ["refund", "vendor_failure", "other"]}, "amount": {"type": "money"}},
        "queues": {"q": {"owner": "t"}},
        "required": {"refund": ["amount"]},
        "routing": {"hit": "first", "rules": [{"id": "R", "when": {}, "then": {"queue": "q"}}]},
        "roles": {"lead": {"limit": "250"}, "manager": {"limit": "2500"}, "reviewer": {"limit": "25000"},
                  "cfo": {}, "procurement": {}},
        "approvals": approvals,
        "actions": {"approve": approve}
    })
}

#[test]
fn unfillable_step_by_the_fill_rule_and_the_limits() {
    let rules = json!({"hit": "rule_order", "rules": [
        {"id": "A1", "when": {"kind": "refund", "amount": ">= 1000"}, "then": {"role": "reviewer"}},
        {"id": "A2", "when": {"kind": "vendor_failure"}, "then": {"role": "procurement"}}
    ]});
    // Listing only reviewer and cfo, with the default same_role: procurement's step has
    // no one (A2); reviewer's has its own role.
    let p = rights(rules.clone(), json!({"roles": ["reviewer", "cfo"]}));
    assert_eq!(of("unfillable_step", &p), ["/approvals/rules/1/then/role"]);
    assert_eq!(
        message(&p, "/approvals/rules/1/then/role"),
        "a `procurement` step can never be filled: no role listed under actions.approve.roles may fill it (fill: same_role)"
    );
    // same_or_higher: cfo (no limit) ranks above reviewer, but not above procurement
    // (also no limit: the same rank).
    let mut q = rights(rules.clone(), json!({"roles": ["cfo"]}));
    q["approvals"]["fill"] = json!("same_or_higher");
    assert_eq!(of("unfillable_step", &q), ["/approvals/rules/1/then/role"]);
    // Without an approve action, no step can be filled.
    let mut none = rights(rules.clone(), json!({"roles": ["cfo"]}));
    none.as_object_mut().unwrap().remove("actions");
    assert_eq!(of("unfillable_step", &none), ["/approvals/rules/0/then/role", "/approvals/rules/1/then/role"]);
    // within_limit amount: reviewer's 25000 does not cover the refunds of 1000 and more
    // that A1 admits above it; listing cfo (unlimited) fixes that, and so does bounding A1.
    let limited = rights(rules.clone(), json!({"roles": ["reviewer", "procurement"], "within_limit": "amount"}));
    assert_eq!(of("unfillable_step", &limited), ["/approvals/rules/0/then/role"]);
    assert_eq!(
        message(&limited, "/approvals/rules/0/then/role"),
        "a `reviewer` step for amount above 25000 can never be filled: the roles that may fill it have limits of at most 25000 (actions.approve.within_limit)"
    );
    let mut bounded = limited.clone();
    bounded["approvals"]["rules"][0]["when"]["amount"] = json!("[1000..25000]");
    assert_eq!(of("unfillable_step", &bounded), Vec::<String>::new());
    // by_limit resolves to the role whose band holds the amount: with amount <= 250 only
    // lead's band (up to 250) is reachable, so only lead must be listed.
    let by = json!({"hit": "rule_order", "rules": [
        {"id": "B", "when": {"kind": "refund", "amount": "<= 250"}, "then": {"role": "by_limit", "limit_field": "amount"}}
    ]});
    assert_eq!(of("unfillable_step", &rights(by.clone(), json!({"roles": ["lead"]}))), Vec::<String>::new());
    let mut wide = by.clone();
    wide["rules"][0]["when"]["amount"] = json!("<= 251");
    // 251 falls in manager's band (250, 2500]: unlisted.
    assert_eq!(of("unfillable_step", &rights(wide, json!({"roles": ["lead"]}))), ["/approvals/rules/0/then/role"]);
}

#[test]
fn limit_without_value_where_an_approval_step_meets_an_absent_amount() {
    // by_limit on amount: refunds require it, other kinds do not. Restricted to refunds,
    // or testing the amount, the rule always has one; admitting every kind it does not.
    let by = |when: Value| json!({"hit": "rule_order", "rules": [{"id": "B", "when": when, "then": {"role": "by_limit", "limit_field": "amount"}}]});
    let approve = json!({"roles": ["lead", "manager", "reviewer", "cfo", "procurement"]});
    assert_eq!(
        of("limit_without_value", &rights(by(json!({"kind": "refund"})), approve.clone())),
        Vec::<String>::new()
    );
    assert_eq!(of("limit_without_value", &rights(by(json!({"amount": "> 0"})), approve.clone())), Vec::<String>::new());
    let p = rights(by(json!({})), approve.clone());
    assert_eq!(of("limit_without_value", &p), ["/approvals/rules/0/then/limit_field"]);
    assert_eq!(
        message(&p, "/approvals/rules/0/then/limit_field"),
        "`amount` can be absent when this rule applies (kind `vendor_failure`, `other`): the step then resolves to no role (no_authority)"
    );
    // within_limit amount: a step for vendor failures (which need no amount) can never be
    // filled by anyone, since no limit covers an absent amount.
    let vf = json!({"hit": "rule_order", "rules": [{"id": "V", "when": {"kind": "vendor_failure"}, "then": {"role": "procurement"}}]});
    let mut with_limit = approve.clone();
    with_limit["within_limit"] = json!("amount");
    let p = rights(vf.clone(), with_limit);
    assert_eq!(of("limit_without_value", &p), ["/approvals/rules/0"]);
    assert_eq!(of("limit_without_value", &rights(vf, approve)), Vec::<String>::new());
}

#[test]
fn the_example_policy_has_no_warnings_and_its_earlier_form_had_the_issues_findings() {
    assert_eq!(warnings(&serde_json::from_str(EXAMPLE_POLICY).unwrap()), Vec::<(String, String)>::new());
    // The example as it was (approve with within_limit amount and without procurement_lead
    // and leadership; fill same_role): the
    // procurement_lead (A4) and leadership (A5) steps can never be filled, vendor failures
    // and the kinds A5 admits have no amount for within_limit, and a finance_reviewer
    // step (A3, refunds of 1000 and more) above 25000 has no one to cover it.
    let mut old: Value = serde_json::from_str(EXAMPLE_POLICY).unwrap();
    old["approvals"].as_object_mut().unwrap().remove("fill");
    old["actions"]["approve"] = json!({"roles": ["team_lead", "ops_manager", "finance_reviewer", "cfo"],
                                       "within_limit": "amount", "not_requester": true, "not_prior_approver": true});
    let got = warnings(&old);
    let want = [
        ("unfillable_step", "/approvals/rules/2/then/role"),
        ("limit_without_value", "/approvals/rules/3"),
        ("unfillable_step", "/approvals/rules/3/then/role"),
        ("limit_without_value", "/approvals/rules/4"),
        ("unfillable_step", "/approvals/rules/4/then/role"),
    ];
    assert_eq!(got, want.map(|(c, p)| (c.to_string(), p.to_string())));
}
