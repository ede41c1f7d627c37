//! QA: what actually happened against the policy (cases-and-outcomes.md, "What actually
//! happened"; time-semantics.md, "QA: when an escalation level is due") and the
//! reproducible QA sample (reports.md, "The QA sample"). Expected values come from the
//! docs' worked examples and test vectors (computed with Python's `hmac`, see
//! scripts/sample-vectors) or from the reasoning written beside them.

use docket_core::{Case, Column, ColumnTarget, ColumnValues as V, ColumnWorkspace, Engine, Outcome, Report};
use docket_tests::*;
use proptest::prelude::*;
use serde_json::{Value, json};

fn fixture() -> Value {
    let text = include_str!("conformance/qa.json");
    serde_json::from_str(text).expect("qa.json")
}

/// The fixture's policy with `seed` and a sample table of one rule at `rate` (stratum `s`).
fn sampling_policy(seed: &str, rate: &str) -> Value {
    let mut p = fixture()["policy"].clone();
    p["qa"] =
        json!({"seed": seed, "sample": {"rules": [{"id": "Q", "when": {}, "then": {"stratum": "s", "rate": rate}}]}});
    p
}

/// The rows of the test vector table of docs/reports.md: seed, id, hex, x, sampled at
/// 0.05, sampled at 0.3.
fn vectors() -> Vec<(String, String, String, u64, bool, bool)> {
    let doc = include_str!("../docs/reports.md");
    let start = doc.find("| seed | id | first 8 bytes").expect("the vector table");
    let cell = |s: &str| s.trim().trim_matches('`').to_string();
    doc[start..]
        .lines()
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(|l| {
            let c: Vec<&str> = l.split('|').map(str::trim).collect();
            let seed = match c[1] {
                "(empty)" => String::new(),
                "`k` × 100" => "k".repeat(100),
                s => cell(s),
            };
            (seed, cell(c[2]), cell(c[3]), c[4].parse().expect("x"), c[5] == "yes", c[6] == "yes")
        })
        .collect()
}

#[test]
fn the_documented_test_vectors_hold() {
    let rows = vectors();
    assert_eq!(rows.len(), 7, "the table has seven vectors");
    for (seed, id, hex, x, at5, at30) in rows {
        assert_eq!(format!("{x:016x}"), hex, "the table's x is its hex ({id})");
        for (rate, want) in [("0.05", at5), ("0.3", at30)] {
            let e = engine(&sampling_policy(&seed, rate));
            assert_eq!(e.sample_hash(&id), x, "seed {seed:?} id {id}");
            let case = json!({"id": id, "kind": "refund", "opened_at": "2026-11-23T08:00:00Z"});
            let o = eval(&e, &case, "2026-11-23T10:00:00Z");
            let got = !o["qa"]["sample"].is_null();
            assert_eq!(got, want, "seed {seed:?} id {id} rate {rate}");
            if got {
                assert_eq!(o["qa"]["sample"], json!({"stratum": "s", "rate": rate.parse::<f64>().expect("rate")}));
            }
        }
    }
}

#[test]
fn rates_zero_and_one_and_the_exact_bound() {
    // Rate 1: x < 2^64 always; rate 0: never. C-1022's x = 678034354365699063 and
    // 678034354365699063 / 2^64 = 0.036756316001154864...: rate 0.036756316001154864 is
    // below it (not sampled), 0.036756316001154865 above it (sampled): the comparison is
    // exact, not in floating point.
    let id = "C-1022";
    let case = json!({"id": id, "kind": "refund", "opened_at": "2026-11-23T08:00:00Z"});
    for (rate, want) in [("1", true), ("0", false), ("0.036756316001154864", false), ("0.036756316001154865", true)] {
        let e = engine(&sampling_policy("acme-qa-2026", rate));
        let o = eval(&e, &case, "2026-11-23T10:00:00Z");
        assert_eq!(!o["qa"]["sample"].is_null(), want, "rate {rate}");
    }
}

#[test]
fn the_seed_can_be_replaced() {
    // qa.json: with the policy's seed are sampled; with "audit-2026"
    // and Q-7 (the fixture's reasoning).
    let fx = fixture();
    let mut e = engine(&fx["policy"]);
    let sampled = |e: &Engine| -> Vec<String> {
        fx["cases"]
            .as_array()
            .expect("cases")
            .iter()
            .map(|c| eval(e, c, "2026-11-23T10:00:00Z"))
            .filter(|o| !o["qa"]["sample"].is_null())
            .map(|o| o["id"].as_str().unwrap_or("").to_string())
            .collect()
    };
    assert_eq!(sampled(&e), ["Q-5", "Q-6", "Q-7"]);
    e.set_sample_seed("audit-2026");
    assert_eq!(sampled(&e), ["Q-1", "Q-4", "Q-5", "Q-7"]);
    assert_eq!(e.strata().collect::<Vec<_>>(), ["high_value", "refunds", "other"]);
    assert_eq!(e.stratum_rate(1), Some("0.5"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// Whether a case is sampled depends on its id and the seed alone: any batch, any
    /// order, any split agrees with the case evaluated alone.
    #[test]
    fn the_sample_does_not_depend_on_the_batch(ids in prop::collection::vec("[A-Za-z0-9-]{1,12}", 1..30), cut in 0usize..30, seed in ".{0,20}") {
        let e = engine(&sampling_policy(&seed, "0.5"));
        let alone = |id: &str| {
            let c = json!({"id": id, "kind": "refund", "opened_at": "2026-11-23T08:00:00Z"});
            !eval(&e, &c, "2026-11-23T10:00:00Z")["qa"]["sample"].is_null()
        };
        let mut cases: Vec<Case> = ids.iter().map(|id| {
            let mut c = Case::new();
            e.decode_json(&json!({"id": id, "kind": "refund", "opened_at": "2026-11-23T08:00:00Z"}).to_string(), &mut c);
            c
        }).collect();
        cases.reverse();
        let cut = cut.min(cases.len());
        let mut out = Outcome::new();
        let mut parts = [Report::new(&e, t("2026-11-23T10:00:00Z")), Report::new(&e, t("2026-11-23T10:00:00Z"))];
        for (i, c) in cases.iter().enumerate() {
            e.evaluate(c, t("2026-11-23T10:00:00Z"), &mut out);
            let id = c.id().unwrap_or("");
            prop_assert_eq!(out.sampled_stratum().is_some(), alone(id));
            prop_assert_eq!(out.sampled_stratum().is_some(), u128::from(e.sample_hash(id)) < 1u128 << 63);
            parts[usize::from(i >= cut)].add(&out);
        }
        let [mut a, b] = parts;
        a.merge(&b);
        let want = ids.iter().filter(|id| alone(id)).count() as u64;
        prop_assert_eq!(a.sample[0].sampled, want);
        prop_assert_eq!(a.sample[0].cases, ids.len() as u64);
    }
}

/// The calendar eu_ops of time-semantics.md with response 2h and resolution 8h, and a
/// ladder at 1.0x and 1.5x of the target.
fn eu_policy() -> Value {
    let mut p = fixture()["policy"].clone();
    p["calendars"] = json!({"eu_ops": {"timezone": "Europe/Berlin", "week": {
        "mon": ["08:00-18:00"], "tue": ["08:00-18:00"], "wed": ["08:00-18:00"], "thu": ["08:00-18:00"],
        "fri": ["08:00-12:00", "13:00-17:00"], "sat": ["09:00-13:00"]}}});
    p["sla"] = json!({"metrics": ["response", "resolution"],
        "escalation": [{"at": 1.0, "to": "team_lead"}, {"at": 1.5, "to": "ops_manager"}],
        "targets": {"hit": "first", "rules": [{"id": "S1", "when": {},
            "then": {"calendar": "eu_ops", "response": "2h", "resolution": "8h"}}]}});
    p.as_object_mut().expect("policy").remove("qa");
    p
}

#[test]
fn escalation_levels_are_due_as_time_semantics_says() {
    let e = engine(&eu_policy());
    // On time after hours: opened Mon 16:00 CET (15:00Z); step 1 passed Tue 08:00:01 CET
    // (07:00:01Z), step 2 Tue 09:00:01 CET (08:00:01Z); escalated to 1 at Mon 18:30 CET.
    let c = json!({"id": "E-1", "kind": "return", "opened_at": "2026-11-23T15:00:00Z",
                   "escalations": [{"level": 1, "at": "2026-11-23T17:30:00Z"}]});
    let o = eval(&e, &c, "2026-11-24T09:00:00Z");
    assert_eq!(o["sla"]["response"]["escalation"]["level"], 2, "{o}");
    assert_eq!(o["qa"]["late_escalations"], json!([{"level": 2, "due": "2026-11-24T08:00:01Z", "at": null}]));
    // A second earlier than step 2's instant, level 2 is not due yet.
    let o = eval(&e, &c, "2026-11-24T08:00:00Z");
    assert_eq!(o["qa"]["late_escalations"], json!([]), "{o}");
    // A closed case: opened Mon 08:00 CET, closed 12:00 CET without a response: levels 1
    // and 2 due at 10:00:01 and 11:00:01 CET; escalated to 2 at 10:30 CET.
    let c = json!({"id": "E-2", "kind": "return", "opened_at": "2026-11-23T07:00:00Z",
                   "closed_at": "2026-11-23T11:00:00Z",
                   "escalations": [{"level": 2, "at": "2026-11-23T09:30:00Z"}]});
    let o = eval(&e, &c, "2026-11-24T09:00:00Z");
    assert_eq!(
        o["qa"]["late_escalations"],
        json!([{"level": 1, "due": "2026-11-23T09:00:01Z", "at": "2026-11-23T09:30:00Z"}])
    );
    // Without `escalations` nothing is judged late; with `[]` every due level is.
    let mut c = c;
    c.as_object_mut().expect("case").remove("escalations");
    c["worked_queue"] = json!("returns");
    let o = eval(&e, &c, "2026-11-24T09:00:00Z");
    assert_eq!(o["qa"]["late_escalations"], json!([]));
    assert_eq!(o["qa"]["misrouted"], Value::Null);
    c["escalations"] = json!([]);
    let o = eval(&e, &c, "2026-11-24T09:00:00Z");
    let levels: Vec<&Value> =
        o["qa"]["late_escalations"].as_array().expect("list").iter().map(|l| &l["level"]).collect();
    assert_eq!(levels, [&json!(1), &json!(2)]);
}

#[test]
fn qa_keys_of_the_wrong_shape_are_bad_type_issues() {
    let e = engine(&fixture()["policy"]);
    let base = || json!({"id": "B", "kind": "return", "opened_at": "2026-11-23T08:00:00Z"});
    let issues = |o: &Value| -> Vec<(String, String)> {
        o["issues"]
            .as_array()
            .expect("issues")
            .iter()
            .map(|i| (i["code"].as_str().unwrap_or("").into(), i["field"].as_str().unwrap_or("").into()))
            .collect()
    };
    let bad = |k: &str| vec![("bad_type".to_string(), k.to_string())];
    for (key, value) in [
        ("worked_queue", json!(7)),
        ("escalations", json!({"level": 1})),
        ("escalations", json!([{"level": 0, "at": "2026-11-23T09:00:00Z"}])),
        ("escalations", json!([{"level": 1.5, "at": "2026-11-23T09:00:00Z"}])),
        ("escalations", json!([{"level": 1}])),
        ("escalations", json!([{"level": 1, "at": "yesterday"}])),
        ("escalations", json!(["level 1"])),
        ("closed_by", json!("u-1")),
        ("closed_by", json!({"roles": ["agent"]})),
        ("closed_by", json!({"id": "", "roles": []})),
        ("closed_by", json!({"id": "u-1", "roles": "agent"})),
        ("closed_by", json!({"id": "u-1", "roles": [1]})),
    ] {
        let mut c = base();
        c[key] = value.clone();
        let o = eval(&e, &c, "2026-11-23T10:00:00Z");
        assert_eq!(issues(&o), bad(key), "{key}: {value}");
        // A bad_type issue makes the case invalid; the QA checks still run.
        assert!(o["qa"].is_object(), "{key}: {value}");
    }
    // Null is absent: no QA at all.
    let mut c = base();
    c["worked_queue"] = Value::Null;
    c["closed_by"] = Value::Null;
    c["escalations"] = Value::Null;
    assert!(eval(&e, &c, "2026-11-23T10:00:00Z").get("qa").is_some_and(|q| q.get("misrouted").is_none()));
    // An undeclared queue: `unknown_queue`, the case stays valid and is misrouted.
    let mut c = base();
    c["worked_queue"] = json!("nowhere");
    let o = eval(&e, &c, "2026-11-23T10:00:00Z");
    assert_eq!(issues(&o), vec![("unknown_queue".to_string(), "worked_queue".to_string())]);
    assert_eq!(o["queue"], "returns");
    assert_eq!(o["qa"]["misrouted"], json!({"expected": "returns", "actual": "nowhere"}));
    // Undeclared roles of the closer grant nothing; unknown keys of closed_by are ignored.
    let mut c = base();
    c["closed_at"] = json!("2026-11-23T09:00:00Z");
    c["closed_by"] = json!({"id": "u-1", "roles": ["wizard"], "team": "x"});
    let o = eval(&e, &c, "2026-11-23T10:00:00Z");
    assert_eq!(issues(&o), vec![]);
    assert_eq!(o["qa"]["closed_by_barred"], json!({"by": "u-1", "reasons": ["role_not_permitted"]}));
}

fn refs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// The fixture's cases as JSON text, as a `CaseBuilder` builds them, and as columns: the
/// same outcomes.
#[test]
fn every_way_to_give_qa_keys_decodes_alike() {
    let fx = fixture();
    let mut e = engine(&fx["policy"]);
    e.set_sample_seed("audit-2026");
    let now = t("2026-11-23T10:00:00Z");
    let cases: Vec<Value> = fx["cases"].as_array().expect("cases").clone();
    let json_outcomes: Vec<String> = cases
        .iter()
        .map(|c| {
            let (mut k, mut o) = (Case::new(), Outcome::new());
            e.decode_json(&c.to_string(), &mut k);
            e.evaluate(&k, now, &mut o);
            e.outcome_json(&o)
        })
        .collect();
    // The builder.
    let ts = |v: &Value| t(v.as_str().expect("timestamp"));
    for (c, want) in cases.iter().zip(&json_outcomes) {
        let mut k = Case::new();
        let mut b = e.build(&mut k);
        b.id(c["id"].as_str().expect("id"));
        b.string(e.slot("kind").expect("kind"), c["kind"].as_str().expect("kind"));
        if let Some(a) = c["amount"].as_str() {
            b.money_str(e.slot("amount").expect("amount"), a);
        }
        b.opened_at(ts(&c["opened_at"]));
        for (k, m) in [("response_at", 0u16), ("resolution_at", 1)] {
            if let Some(x) = c.get(k) {
                b.completed(m, ts(x));
            }
        }
        if let Some(x) = c.get("closed_at") {
            b.closed_at(ts(x));
        }
        if let Some(r) = c["requested_by"].as_str() {
            b.requested_by(r);
        }
        for a in c["approvals"].as_array().into_iter().flatten() {
            b.approval(a["role"].as_str().expect("role"), a["by"].as_str().expect("by"), Some(ts(&a["at"])));
        }
        for x in c["evidence"].as_array().into_iter().flatten() {
            b.evidence(x.as_str().expect("item"));
        }
        if let Some(q) = c["worked_queue"].as_str() {
            b.worked_queue(q);
        }
        if let Some(list) = c["escalations"].as_array() {
            b.escalations();
            for x in list {
                b.escalation(x["level"].as_u64().expect("level") as u32, ts(&x["at"]));
            }
        }
        if let Some(by) = c.get("closed_by") {
            b.closed_by(by["id"].as_str().expect("id"));
            for r in by["roles"].as_array().into_iter().flatten() {
                b.closed_by_role(r.as_str().expect("role"));
            }
        }
        b.finish();
        let mut o = Outcome::new();
        e.evaluate(&k, now, &mut o);
        assert_eq!(&e.outcome_json(&o), want, "builder, {}", c["id"]);
    }
    // Columns: the QA keys as JSON text per case, and the other keys as JSON cells.
    let texts = |k: &str| -> Vec<String> { cases.iter().map(|c| c[k].to_string()).collect() };
    let present = |k: &str| -> Vec<u8> { cases.iter().map(|c| u8::from(c.get(k).is_some())).collect() };
    let strs = |k: &str| -> Vec<String> {
        cases.iter().map(|c| c[k].as_str().map_or(String::new(), str::to_string)).collect()
    };
    let keys = ["id", "kind", "amount", "opened_at", "response_at", "closed_at", "requested_by", "worked_queue"];
    let scalar: Vec<(Vec<String>, Vec<u8>)> = keys.iter().map(|k| (strs(k), present(k))).collect();
    let lists = ["approvals", "evidence", "escalations", "closed_by"];
    let whole: Vec<(Vec<String>, Vec<u8>)> = lists.iter().map(|k| (texts(k), present(k))).collect();
    let scalar_refs: Vec<Vec<&str>> = scalar.iter().map(|(v, _)| refs(v)).collect();
    let whole_refs: Vec<Vec<&str>> = whole.iter().map(|(v, _)| refs(v)).collect();
    let mut cols: Vec<Column<'_>> = Vec::new();
    for ((k, (_, p)), v) in keys.iter().zip(&scalar).zip(&scalar_refs) {
        cols.push(Column::new(e.column_target(k).expect(k), V::Text(v)).present(p));
    }
    for ((k, (_, p)), v) in lists.iter().zip(&whole).zip(&whole_refs) {
        cols.push(Column::new(e.column_target(k).expect(k), V::Text(v)).present(p));
    }
    let batch = e.columns(cases.len(), &cols).expect("columns");
    let mut got = Vec::new();
    e.evaluate_columns(&batch, now, &mut ColumnWorkspace::new(), |_, o| got.push(e.outcome_json(o)));
    assert_eq!(got, json_outcomes, "columns with JSON text");
    // Typed list columns for escalations and the closer; every case then carries
    // `escalations` (those without any have no level due: see the fixture's reasoning).
    let mut levels = Vec::new();
    let mut ats = Vec::new();
    let mut esc_off = vec![0usize];
    let mut roles: Vec<String> = Vec::new();
    let mut role_off = vec![0usize];
    for c in &cases {
        for x in c["escalations"].as_array().into_iter().flatten() {
            levels.push(x["level"].as_i64().expect("level"));
            ats.push(ts(&x["at"]));
        }
        esc_off.push(levels.len());
        for r in c["closed_by"]["roles"].as_array().into_iter().flatten() {
            roles.push(r.as_str().expect("role").into());
        }
        role_off.push(roles.len());
    }
    let closer: Vec<String> = cases.iter().map(|c| c["closed_by"]["id"].as_str().unwrap_or("").into()).collect();
    let closer_present: Vec<u8> = cases.iter().map(|c| u8::from(c.get("closed_by").is_some())).collect();
    let (closer_refs, role_refs) = (refs(&closer), refs(&roles));
    let mut typed: Vec<Column<'_>> = cols.iter().take(keys.len() + 2).copied().collect();
    typed.push(Column::new(ColumnTarget::EscalationLevel, V::I64(&levels)).offsets(&esc_off));
    typed.push(Column::new(ColumnTarget::EscalationAt, V::I64(&ats)).offsets(&esc_off));
    typed.push(Column::new(ColumnTarget::ClosedById, V::Text(&closer_refs)).present(&closer_present));
    typed.push(Column::new(ColumnTarget::ClosedByRoles, V::Text(&role_refs)).offsets(&role_off));
    let batch = e.columns(cases.len(), &typed).expect("typed columns");
    let mut got = Vec::new();
    e.evaluate_columns(&batch, now, &mut ColumnWorkspace::new(), |_, o| got.push(e.outcome_json(o)));
    assert_eq!(got, json_outcomes, "typed list columns");
    // Shapes: a member without its lead, a list given twice.
    let lone = [typed[0], Column::new(ColumnTarget::EscalationLevel, V::I64(&levels)).offsets(&esc_off)];
    let err = e.columns(cases.len(), &lone).expect_err("escalation_level alone");
    assert_eq!(err.path(), "columns[1].target");
    let twice = [cols[keys.len() + 2], typed[keys.len() + 2], typed[keys.len() + 3]];
    let err = e.columns(cases.len(), &twice).expect_err("escalations twice");
    assert!(err.message.contains("given twice"), "{err}");
}

#[test]
fn the_linter_reads_the_sample_table() {
    // A catch-all rule first: the rules after it can never decide (policy-format.md,
    // "Warnings"); the fixture's own table has none.
    let mut p = fixture()["policy"].clone();
    assert!(engine(&p).warnings().is_empty());
    if let Some(rules) = p["qa"]["sample"]["rules"].as_array_mut() {
        rules.insert(0, json!({"id": "Q0", "when": {}, "then": {"stratum": "all", "rate": 0.1}}));
    }
    let e = engine(&p);
    let got: Vec<(&str, &str)> = e.warnings().iter().map(|w| (w.code.as_str(), w.path.as_str())).collect();
    assert_eq!(
        got,
        [
            ("unreachable_rule", "/qa/sample/rules/1"),
            ("unreachable_rule", "/qa/sample/rules/2"),
            ("unreachable_rule", "/qa/sample/rules/3")
        ]
    );
}
