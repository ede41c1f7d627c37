//! `docket test` end to end: the example suite, failures that name every field, JUnit
//! XML, unusable suites, a pinned fingerprint, --record and --coverage.

mod common;

use common::{CASES, NOW, POLICY, R10_1500, tmp};
use serde_json::{Value, json};
use std::process::{Command, Output};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
const SUITE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/order-ops.suite.json");

fn docket(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_docket")).args(args).current_dir(ROOT).output().expect("run docket")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn example_case(id: &str) -> Value {
    std::fs::read_to_string(CASES)
        .expect("cases")
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).expect("case"))
        .find(|c| c["id"] == id)
        .expect("example case")
}

#[test]
fn the_example_suite_passes() {
    // Its expectations are derived by hand in each `why` of examples/order-ops.suite.json:
    // 13 cases, 3 authorize questions and the report.
    let o = docket(&["test", POLICY, SUITE]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).ends_with("17 passed, 0 failed\n"), "{}", stdout(&o));
    assert!(stdout(&o).contains("  ok    cases[0] C-1001\n"), "{}", stdout(&o));
}

#[test]
fn a_failure_names_every_field_that_differs_and_junit_says_so() {
    // C-1001 is P1 with a breached resolution (the example suite says why); this suite
    // expects P2 and ok, a band it has and a trace of one rule.
    let suite = json!({
        "now": NOW,
        "cases": [
            {"name": "C-1001 as if R10 started at 1500", "case": example_case("C-1001"),
             "expect": {"queue": "refund_validation", "priority": "P2",
                        "sla": {"resolution": {"state": "ok", "calendar": "eu_ops"}},
                        "band": null, "trace": ["R11"]}},
            {"case": example_case("C-1002"), "expect": {"priority": "P2"}}
        ],
        "authorize": [
            {"case": example_case("C-1015"), "actor": {"id": "u-9", "roles": ["ops_manager"]}, "action": "cancel",
             "expect": {"allowed": true}}
        ]
    });
    let path = tmp("failing.json", &suite.to_string());
    let junit = tmp("junit.xml", "");
    let o = docket(&["test", POLICY, &path, "--junit", &junit]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = stdout(&o);
    let want = "  FAIL  cases[0] C-1001 as if R10 started at 1500\n\
                \x20         priority: expected \"P2\", got \"P1\"\n\
                \x20         sla.resolution.state: expected \"ok\", got \"breached\"\n\
                \x20         band: expected null, got \"critical\"\n\
                \x20         trace: expected [\"R11\"], got [\"R10\",\"S05\",\"A2\",\"A3\"]\n\
                \x20 ok    cases[1] C-1002\n\
                \x20 FAIL  authorize[0] C-1015\n\
                \x20         allowed: expected true, got false\n\
                1 passed, 2 failed\n";
    assert!(out.ends_with(want), "{out}");
    let xml = std::fs::read_to_string(&junit).expect("junit written");
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"docket test\" tests=\"3\" failures=\"2\" errors=\"0\">"), "{xml}");
    assert!(xml.contains("tests=\"3\" failures=\"2\" errors=\"0\">\n    <properties>"), "{xml}");
    assert!(xml.contains("name=\"cases[1] C-1002\"/>"), "{xml}");
    assert!(
        xml.contains("name=\"cases[0] C-1001 as if R10 started at 1500\"><failure type=\"mismatch\" message=\"4 field(s) differ\">priority: expected &quot;P2&quot;, got &quot;P1&quot;\nsla.resolution.state: expected &quot;ok&quot;, got &quot;breached&quot;\n"),
        "{xml}"
    );
    assert!(xml.trim_end().ends_with("</testsuite>\n</testsuites>"), "{xml}");
    assert_eq!(xml.matches("<testcase ").count(), 3);
    assert_eq!(xml.matches("</failure></testcase>").count(), 2);
}

#[test]
fn unusable_suites_exit_2_and_say_where() {
    for (name, text, says) in [
        ("not-json.json", "{\"now\": ", "is not JSON"),
        ("no-now.json", r#"{"cases": []}"#, "/now: must be an RFC 3339 timestamp"),
        (
            "typo.json",
            r#"{"now": "2026-11-23T10:00:00Z", "cases": [{"case": {}, "expects": {}}]}"#,
            "/cases/0/expects: unknown key",
        ),
        (
            "no-expect.json",
            r#"{"now": "2026-11-23T10:00:00Z", "cases": [{"case": {}}]}"#,
            "/cases/0/expect: must be an object",
        ),
        (
            "bad-actor.json",
            r#"{"now": "2026-11-23T10:00:00Z", "authorize": [{"case": {}, "actor": {"name": "x"}, "action": "hold", "expect": {}}]}"#,
            "/authorize/0/actor: must be",
        ),
    ] {
        let path = tmp(name, text);
        let o = docket(&["test", POLICY, SUITE, &path]);
        assert_eq!(o.status.code(), Some(2), "{name}: {}", stdout(&o));
        assert!(stderr(&o).contains(says), "{name}: {}", stderr(&o));
        assert!(stdout(&o).is_empty(), "no suite runs when one cannot be used: {}", stdout(&o));
    }
    assert_eq!(docket(&["test", POLICY, "/nonexistent/suite.json"]).status.code(), Some(2));
    assert_eq!(docket(&["test", POLICY]).status.code(), Some(2), "no suite");
    assert_eq!(docket(&["test", CASES, SUITE]).status.code(), Some(2), "a policy that is not one");
}

#[test]
fn a_pinned_fingerprint_that_differs_is_a_warning() {
    // The example suite pins the example policy; under the R10 change its one case at
    // 1000-1500 EUR fails, and the pin warns.
    let o = docket(&["test", R10_1500, SUITE]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("docket: warning: "), "{}", stderr(&o));
    // The pin is the example policy's fingerprint (sha256:9528...: the policy with its
    // reports' `sla.at_risk` horizon of 2h; the suite's `fingerprint` follows the policy).
    assert!(stderr(&o).contains("was written for policy fingerprint sha256:9528"), "{}", stderr(&o));
    // C-1001 falls to R11 at P2 and S06's 2h/16h (docs/policy-changes.md derives each
    // value); C-1013 (2208 EUR) and C-1015 (2600) stay with R10. Every field the suite
    // expects of C-1001 that differs is named, in the order the suite lists them.
    let out = stdout(&o);
    let want = "  FAIL  cases[0] C-1001\n\
                \x20         priority: expected \"P1\", got \"P2\"\n\
                \x20         sla.response.due: expected \"2026-11-20T10:15:00Z\", got \"2026-11-20T12:15:00Z\"\n\
                \x20         sla.response.target_s: expected 3600, got 7200\n\
                \x20         sla.resolution.state: expected \"breached\", got \"warning\"\n\
                \x20         sla.resolution.due: expected \"2026-11-21T10:15:00Z\", got \"2026-11-23T13:15:00Z\"\n\
                \x20         sla.resolution.target_s: expected 28800, got 57600\n\
                \x20         trace[0]: expected \"R10\", got \"R11\"\n\
                \x20         trace[1]: expected \"S05\", got \"S06\"\n\
                \x20 ok    cases[1] C-1002\n";
    assert!(out.contains(want), "{out}");
    assert!(out.contains("  ok    cases[10] C-1013\n") && out.contains("  ok    cases[12] C-1015\n"), "{out}");
    // The report too: refund_validation has C-1001 at warning, no longer breached.
    assert!(
        out.ends_with(
            "  FAIL  report\n          queues.refund_validation.breached: expected 4, got 3\n          \
             queues.refund_validation.warning: expected 0, got 1\n15 passed, 2 failed\n"
        ),
        "{out}"
    );
    // The same policy, the same fingerprint: no warning.
    assert!(stderr(&docket(&["test", POLICY, SUITE])).is_empty());
}

#[test]
fn a_recorded_suite_passes_and_catches_a_change() {
    let o = docket(&["test", POLICY, "--record", "--cases", CASES, "--now", NOW, "--fields", "queue,priority"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let suite: Value = serde_json::from_slice(&o.stdout).expect("a suite");
    assert_eq!(suite["now"], NOW);
    let cases = suite["cases"].as_array().expect("cases");
    assert_eq!(cases.len(), 15);
    // Only the fields asked for; C-1012 has no queue and no priority (no kind).
    assert_eq!(cases[0]["expect"], json!({"queue": "refund_validation", "priority": "P1"}));
    assert_eq!(cases[11]["expect"], json!({"queue": null, "priority": null}));
    assert_eq!(cases[0]["case"], example_case("C-1001"));
    assert_eq!(suite["report"]["cases"], 15);
    let path = tmp("recorded.json", &suite.to_string());
    let o = docket(&["test", POLICY, &path]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).ends_with("16 passed, 0 failed\n"));
    // Under the R10 change exactly C-1001's priority moves, and with it refund_validation's
    // backlog: C-1001's running resolution clock is at warning instead of breached
    // (docs/policy-changes.md).
    let o = docket(&["test", R10_1500, &path]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(
        out.contains("  FAIL  cases[0] C-1001\n          priority: expected \"P1\", got \"P2\"\n  ok    cases[1]"),
        "{out}"
    );
    assert!(
        out.ends_with(
            "  FAIL  report\n          queues.refund_validation.warning: expected 0, got 1\n          \
             queues.refund_validation.breached: expected 4, got 3\n14 passed, 2 failed\n"
        ),
        "{out}"
    );
}

#[test]
fn recording_a_suite_again_keeps_its_cases() {
    let o = docket(&["test", POLICY, "--record", SUITE]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let again: Value = serde_json::from_slice(&o.stdout).expect("a suite");
    let before: Value = serde_json::from_str(&std::fs::read_to_string(SUITE).expect("suite")).expect("json");
    assert_eq!(again["cases"].as_array().map(Vec::len), Some(13));
    assert_eq!(again["cases"][4]["why"], before["cases"][4]["why"]);
    assert_eq!(again["cases"][4]["case"], before["cases"][4]["case"]);
    // C-1006 is completed: no band (null), both metrics met; the default fields.
    assert_eq!(again["cases"][4]["expect"]["band"], Value::Null);
    assert_eq!(again["cases"][4]["expect"]["sla"]["resolution"]["state"], "met");
    assert_eq!(
        again["authorize"][1]["expect"],
        json!({"allowed": false, "reasons": [{"code": "separation_of_duties"}]})
    );
    let path = tmp("again.json", &again.to_string());
    let o = docket(&["test", POLICY, &path]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    // --record needs exactly one source.
    assert_eq!(docket(&["test", POLICY, "--record"]).status.code(), Some(2));
    assert_eq!(docket(&["test", POLICY, SUITE, "--record", "--cases", CASES]).status.code(), Some(2));
}

#[test]
fn coverage_lists_the_rules_no_case_fired() {
    // The suite's cases are decided by R01, R02, R03, R07, R08, R09, R10, R11 and R12 (see
    // their traces), every target rule S01-S07 and every approval rule A1-A5: of the 14
    // routing rules R04 (split allocation), R05 (allocation), R06 (fulfillment release),
    // R13 (vendor failure below 3 or service incident below 100) and R99 (the rest) never
    // decide one. 9 + 7 + 5 = 21 of 26.
    let o = docket(&["test", POLICY, SUITE, "--coverage"]);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    let want = "coverage: 21 of 26 rules decided a case of the 1 suite(s)\n\
                \x20 routing      never fired: R04, R05, R06, R13, R99\n\
                \x20 sla.targets  every rule fired\n\
                \x20 approvals    every rule fired\n";
    assert!(out.ends_with(want), "{out}");
}
