//! `docket diff` end to end: the worked example of docs/policy-changes.md in each
//! format, --fail-on, input forms, and many cases over several workers giving the
//! core's document exactly.

use docket_core::{Case, DiffRun, Engine};
use serde_json::{Value, json};
mod common;

use common::*;
use std::process::Output;

fn diff(extra: &[&str]) -> Output {
    let mut args = vec!["diff", "--old", POLICY, "--new", R10_1500, "--cases", CASES, "--now", NOW];
    args.extend_from_slice(extra);
    docket(&args, None)
}

fn text(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The core's document for these cases (decoded by each engine, compared in order).
fn core_document(old: &str, new: &str, lines: &[String]) -> Value {
    let old = Engine::compile(&std::fs::read_to_string(old).expect("old")).expect("compiles");
    let new = Engine::compile(&std::fs::read_to_string(new).expect("new")).expect("compiles");
    let mut run = DiffRun::new(&old, &new, docket_core::time::parse_rfc3339(NOW).expect("now"));
    let (mut a, mut b) = (Case::new(), Case::new());
    for (i, l) in lines.iter().enumerate() {
        old.decode_json(l, &mut a);
        new.decode_json(l, &mut b);
        run.add(&a, &b, Some(i as u64 + 1));
    }
    serde_json::from_str(&run.finish()).expect("json")
}

fn example_lines() -> Vec<String> {
    std::fs::read_to_string(CASES).expect("cases").lines().map(str::to_string).collect()
}

#[test]
fn the_table_names_the_changed_case_and_the_impact() {
    // docs/policy-changes.md derives each value: C-1001 (1250 EUR) falls from R10 to R11,
    // P1 to P2, S05's 1h/8h to S06's 2h/16h; the resolution clock, 12h45m in, is due Mon
    // 14:15 CET and at warning instead of breached.
    let o = diff(&[]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let out = text(&o);
    let want = "C-1001 (line 1): priority, targets, due, state\n\
                \x20   queue              refund_validation\n\
                \x20   priority           P1 → P2\n\
                \x20   sla.response       eu_ops 1h, due 2026-11-20T10:15:00Z, met → eu_ops 2h, due 2026-11-20T12:15:00Z, met\n\
                \x20   sla.resolution     eu_ops 8h, due 2026-11-21T10:15:00Z, breached → eu_ops 16h, due 2026-11-23T13:15:00Z, warning\n\
                \x20   rules              R10 S05 A2 A3 → R11 S06 A2 A3\n";
    assert!(out.starts_with(want), "{out}");
    for line in [
        "15 cases compared, 1 changed\n",
        "  cases by changed aspect: priority 1, targets 1, due 1, state 1\n",
        "Queue moves (old → new): 15 stayed in their queue\n  none\n",
        // Four open cases; warning 0 → 1 and breached 4 → 3: C-1001.
        "  refund_validation                          4             4         0 → 1         4 → 3            100.0%\n",
        "Rules whose cases changed (before → after): R10 3 → 2, R11 1 → 2, S05 2 → 1, S06 4 → 5\n",
        "Rules that start deciding cases: none; that stop: none\n",
        "Cases that newly become: unrouted 0, invalid 0, error 0, no_authority 0\n",
    ] {
        assert!(out.contains(line), "missing {line:?} in\n{out}");
    }
}

#[test]
fn the_json_is_the_cores_document() {
    let o = diff(&["--format", "json"]);
    assert_eq!(o.status.code(), Some(0));
    let doc: Value = serde_json::from_slice(&o.stdout).expect("one JSON document");
    assert_eq!(doc, core_document(POLICY, R10_1500, &example_lines()));
    assert_eq!(doc["changed"].as_array().map(Vec::len), Some(1));
    assert_eq!(doc["changed"][0]["id"], "C-1001");
    assert_eq!(doc["changed"][0]["after"]["priority"], "P2");
    // A policy against itself: no changed case, an empty list.
    let o =
        docket(&["diff", "--old", POLICY, "--new", POLICY, "--cases", CASES, "--now", NOW, "--format", "json"], None);
    let doc: Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!((doc["changed"].clone(), doc["summary"]["changed"].clone()), (json!([]), json!(0)));
}

#[test]
fn fail_on_gates_on_the_aspects_named() {
    // The change moves a priority and SLA targets, no queue and no approval step.
    for (on, code) in [
        ("queue", 0),
        ("approvals", 0),
        ("queue,approvals,owner,issues,band,error", 0),
        ("priority", 1),
        ("sla", 1),
        ("state", 1),
        ("queue,priority,approvals,sla", 1),
        ("any", 1),
    ] {
        let o = diff(&["--fail-on", on]);
        assert_eq!(o.status.code(), Some(code), "--fail-on {on}");
        if code == 1 {
            assert!(String::from_utf8_lossy(&o.stderr).contains("(--fail-on)"));
        }
    }
    let o = diff(&["--fail-on", "queues"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("`queues` is not one of"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // Nothing changes between a policy and itself, whatever the gate.
    let o =
        docket(&["diff", "--old", POLICY, "--new", POLICY, "--cases", CASES, "--now", NOW, "--fail-on", "any"], None);
    assert_eq!(o.status.code(), Some(0));
    assert!(text(&o).starts_with("\nPolicy change "), "no changed case is listed: {}", text(&o));
}

#[test]
fn unusable_input_exits_2() {
    for args in [
        vec!["diff", "--old", POLICY, "--cases", CASES],
        vec!["diff", "--old", POLICY, "--new", CASES, "--cases", CASES],
        vec!["diff", "--old", POLICY, "--new", POLICY, "--cases", "/nonexistent"],
        vec!["diff", "--old", POLICY, "--new", POLICY, "--cases", CASES, "--now", "today"],
        vec!["diff", "--old", POLICY, "--new", POLICY, "--cases", CASES, "--format", "xml"],
    ] {
        assert_eq!(docket(&args, None).status.code(), Some(2), "{args:?}");
    }
}

#[test]
fn the_html_page_holds_the_impact() {
    let o = diff(&["--format", "html"]);
    assert_eq!(o.status.code(), Some(0));
    let page = text(&o);
    assert!(page.starts_with("<!DOCTYPE html>") && page.ends_with("</body></html>\n"));
    for part in [
        "<b id=\"changed\">1</b>",
        "<table id=\"matrix\">",
        "<svg id=\"backlog-change\"",
        "<tr><td>refund_validation</td><td>4</td><td>4</td><td class=\"worse\">0 → 1</td><td class=\"better\">4 → 3</td>",
        "<tr><td>R10</td><td>3 → 2</td></tr>",
        "<td>C-1001</td><td>1</td>",
        "<div class=\"chg\">priority: P1</div>",
    ] {
        assert!(page.contains(part), "missing {part}");
    }
    // Self-contained: no external asset.
    assert!(!page.contains("src=\"http") && !page.contains("href=\"http"));
}

/// `n` cases: the example cases again and again, each with its own id.
fn many(n: usize) -> Vec<String> {
    let lines = example_lines();
    (0..n)
        .map(|i| {
            let mut v: Value = serde_json::from_str(&lines[i % lines.len()]).expect("case");
            v["id"] = json!(format!("C-{i}"));
            v.to_string()
        })
        .collect()
}

#[test]
fn many_cases_over_every_worker_give_the_cores_document() {
    // Several batches (1024 records each) on every core, written in input order, the
    // workers' reports merged: exactly the document of one comparison after another.
    let lines = many(5000);
    let input = lines.join("\n") + "\n";
    let o = docket(
        &["diff", "--old", POLICY, "--new", R10_1500, "--cases", "-", "--now", NOW, "--format", "json"],
        Some(&input),
    );
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let doc: Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(doc, core_document(POLICY, R10_1500, &lines));
    // One case in 15 is a C-1001.
    assert_eq!(doc["summary"]["changed"], 334);
    // The same cases as one JSON array.
    let array = format!("[{}]", lines.join(",\n"));
    let o = docket(
        &["diff", "--old", POLICY, "--new", R10_1500, "--cases", "-", "--now", NOW, "--format", "json"],
        Some(&array),
    );
    let from_array: Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(from_array["summary"], doc["summary"]);
    assert_eq!(from_array["changed"][0]["line"], 1);
}
