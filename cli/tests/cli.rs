//! The `docket` command end to end: exit codes, NDJSON and array input, malformed lines,
//! reports and authorize.

use std::io::Write;
use std::process::{Command, Output, Stdio};

const POLICY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/order-ops.policy.json");
const CASES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/cases.ndjson");
const NOW: &str = "2026-11-23T10:00:00Z";

fn docket(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_docket"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn docket");
    if let Some(s) = stdin {
        child.stdin.take().expect("stdin").write_all(s.as_bytes()).expect("write stdin");
    }
    drop(child.stdin.take());
    child.wait_with_output().expect("wait")
}

fn lines(o: &Output) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(&o.stdout).lines().map(|l| serde_json::from_str(l).expect("json line")).collect()
}

fn tmp(name: &str, text: &str) -> String {
    let dir = std::env::temp_dir().join(format!("docket-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp dir");
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write tmp");
    p.to_string_lossy().into_owned()
}

#[test]
fn check_exit_codes_and_json() {
    let ok = docket(&["check", POLICY], None);
    assert_eq!(ok.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&ok.stdout).contains("ok: policy acme-order-ops 2026.11.2 compiles"));
    let bad = tmp(
        "bad.json",
        r#"{"docket": 1, "name": "x", "currency": "EUR", "fields": {}, "queues": {}, "routing": {"rules": [{"id": "R", "then": {"queue": "q"}}]}, "zzz": 1}"#,
    );
    let o = docket(&["check", &bad, "--json"], None);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["ok"], false);
    let errs: Vec<(String, String)> = v["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| (e["code"].as_str().unwrap_or("").into(), e["path"].as_str().unwrap_or("").into()))
        .collect();
    assert!(errs.contains(&("unknown_key".into(), "/zzz".into())), "{errs:?}");
    assert!(errs.contains(&("unknown_queue".into(), "/routing/rules/0/then/queue".into())), "{errs:?}");
    // Text output names code and path too.
    let o = docket(&["check", &bad], None);
    assert!(String::from_utf8_lossy(&o.stdout).contains("error[unknown_key] /zzz"));
}

#[test]
fn eval_writes_one_outcome_per_line_in_order() {
    let o = docket(&["eval", "--policy", POLICY, "--cases", CASES, "--now", NOW], None);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let out = lines(&o);
    let ids: Vec<&str> = out.iter().filter_map(|v| v["id"].as_str()).collect();
    let want: Vec<String> = (1001..=1015).map(|i| format!("C-{i}")).collect();
    assert_eq!(ids, want);
    // C-1012 has no kind: an error outcome carrying its line number (12).
    assert_eq!(out[11]["error"]["code"], "missing_kind");
    assert_eq!(out[11]["line"], 12);
}

#[test]
fn malformed_lines_do_not_spoil_the_batch() {
    let input = "{\"id\":\"A\",\"kind\":\"payment_hold\",\"order_id\":\"O\",\"opened_at\":\"2026-11-23T08:00:00Z\"}\n\
                 {\"id\":\"B\",\"kind\":\n\
                 \n\
                 {\"id\":\"C\",\"kind\":\"payment_hold\",\"order_id\":\"O\",\"opened_at\":\"2026-11-23T08:00:00Z\"}\n";
    let o = docket(&["eval", "--policy", POLICY, "--cases", "-", "--now", NOW], Some(input));
    assert_eq!(o.status.code(), Some(0));
    let out = lines(&o);
    assert_eq!(out.len(), 3, "the blank line is skipped");
    assert_eq!(out[0]["queue"], "payment_hold_review");
    assert_eq!(out[1]["error"]["code"], "bad_json");
    assert_eq!(out[1]["line"], 2);
    assert_eq!(out[2]["id"], "C");
    assert_eq!(out[2]["queue"], "payment_hold_review");
}

#[test]
fn eval_reads_a_json_array() {
    let arr = format!("[{}]", std::fs::read_to_string(CASES).expect("cases").lines().collect::<Vec<_>>().join(",\n"));
    let f = tmp("cases.json", &arr);
    let o = docket(&["eval", "--policy", POLICY, "--cases", &f, "--now", NOW], None);
    assert_eq!(o.status.code(), Some(0));
    let out = lines(&o);
    assert_eq!(out.len(), 15);
    assert_eq!(out[0]["queue"], "refund_validation");
}

#[test]
fn unusable_arguments_exit_2() {
    assert_eq!(docket(&["eval", "--cases", CASES], None).status.code(), Some(2));
    assert_eq!(docket(&["eval", "--policy", CASES, "--cases", CASES], None).status.code(), Some(2));
    assert_eq!(docket(&["eval", "--policy", POLICY, "--cases", CASES, "--now", "today"], None).status.code(), Some(2));
    assert_eq!(docket(&["eval", "--policy", POLICY, "--cases", "/nonexistent/x"], None).status.code(), Some(2));
    assert_eq!(docket(&["frobnicate"], None).status.code(), Some(2));
}

#[test]
fn report_counts_and_controls() {
    let o = docket(&["report", "--policy", POLICY, "--cases", CASES, "--now", NOW], None);
    assert_eq!(o.status.code(), Some(0));
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    // 15 cases; C-1012 is an error; C-1010 and C-1011 went to data quality review.
    assert_eq!((r["cases"].as_u64(), r["errors"].as_u64(), r["invalid"].as_u64()), (Some(15), Some(1), Some(2)));
    assert_eq!(r["queues"]["refund_validation"]["cases"], 4);
    assert_eq!(r["queues"]["data_quality_review"]["issues"], serde_json::json!({"missing_field": 1, "bad_type": 1}));
    // BC3 (oldest open >= 72h): refund_validation's C-1001 opened 2026-11-20T09:15Z is
    // 72h45m old; vendor_escalation's C-1008 opened 2026-11-16T08:00Z is 170h old; no other
    // queue has an open case that old (C-1007, opened 2026-11-20T14:00Z, is 68h).
    let fired: Vec<(String, String)> = r["controls"]
        .as_array()
        .expect("controls")
        .iter()
        .map(|c| (c["id"].as_str().unwrap_or("").into(), c["queue"].as_str().unwrap_or("").into()))
        .collect();
    assert_eq!(
        fired,
        [("BC3".to_string(), "refund_validation".to_string()), ("BC3".into(), "vendor_escalation".into())]
    );
    assert_eq!(r["queues"]["refund_validation"]["oldest_open"]["id"], "C-1001");
    let t = docket(&["report", "--policy", POLICY, "--cases", CASES, "--now", NOW, "--format", "table"], None);
    let text = String::from_utf8_lossy(&t.stdout);
    assert!(text.contains("refund_validation") && text.contains("BC3"));
    let h = docket(&["report", "--policy", POLICY, "--cases", CASES, "--now", NOW, "--format", "html"], None);
    let html = String::from_utf8_lossy(&h.stdout);
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("<svg"));
    assert!(!html.contains("<script") && !html.contains("<link"), "self-contained");
}

#[test]
fn authorize_exit_codes() {
    let case = tmp(
        "c1001.json",
        r#"{"id":"C-1001","kind":"refund","amount":"1250.00","order_id":"O-88812","opened_at":"2026-11-20T09:15:00Z","requested_by":"agent-17","approvals":[{"role":"ops_manager","by":"u-7","at":"2026-11-20T11:00:00Z"}],"evidence":["refund_receipt"]}"#,
    );
    // close needs agent/team_lead/ops_manager and, for refunds, a refund_receipt: present.
    let o = docket(
        &[
            "authorize",
            "--policy",
            POLICY,
            "--case",
            &case,
            "--actor",
            r#"{"id":"u-9","roles":["team_lead"]}"#,
            "--action",
            "close",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&o.stdout).expect("json"),
        serde_json::json!({"allowed": true, "reasons": []})
    );
    // approve within_limit amount: team_lead's 250 does not cover 1250.00.
    let o = docket(
        &[
            "authorize",
            "--policy",
            POLICY,
            "--case",
            &case,
            "--actor",
            r#"{"id":"u-9","roles":["team_lead"]}"#,
            "--action",
            "approve",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(
        v["reasons"],
        serde_json::json!([{"code": "over_limit", "detail": "amount 1250.00 > team_lead limit 250"}])
    );
    // A malformed actor is an unusable argument.
    let o = docket(&["authorize", "--policy", POLICY, "--case", &case, "--actor", "u-9", "--action", "close"], None);
    assert_eq!(o.status.code(), Some(2));
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn help_for_docket_and_every_command() {
    let o = docket(&["--help"], None);
    assert_eq!(o.status.code(), Some(0));
    let top = String::from_utf8_lossy(&o.stdout);
    for cmd in ["check", "eval", "report", "authorize"] {
        assert!(top.contains(cmd), "{cmd} listed in\n{top}");
        let o = docket(&[cmd, "--help"], None);
        assert_eq!(o.status.code(), Some(0), "{cmd} --help: {}", stderr(&o));
        assert!(String::from_utf8_lossy(&o.stdout).contains("Usage: docket"), "{cmd}");
    }
    let o = docket(&["eval", "--help"], None);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("--policy") && text.contains("--cases") && text.contains("--now"), "{text}");
    let o = docket(&["report", "--help"], None);
    assert!(String::from_utf8_lossy(&o.stdout).contains("--format"));
    // No command at all: the help, on stderr, as a usage error.
    let o = docket(&[], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("Usage: docket"));
}

#[test]
fn unknown_options_and_stray_arguments_exit_2() {
    for args in [
        &["eval", "--policy", POLICY, "--cases", CASES, "--now", NOW, "--bogus"][..],
        &["check", POLICY, "--verbose"],
        &["eval", "--policy", POLICY, "--cases", CASES, "--now", NOW, "stray"],
        &["check", POLICY, "stray"],
        &["report", "--policy", POLICY, "--cases", CASES, "--now", NOW, "--format", "xml"],
        &["check", POLICY, "--json=x"],
        &["check", POLICY, "--json=true"],
    ] {
        let o = docket(args, None);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(o.stdout.is_empty(), "{args:?}");
        assert!(stderr(&o).starts_with("docket: invalid_argument: "), "{args:?}: {}", stderr(&o));
    }
    let o = docket(&["eval", "--policy", POLICY, "--cases", CASES, "--now", NOW, "stray"], None);
    assert!(stderr(&o).contains("'stray'"), "{}", stderr(&o));
}

#[test]
fn version_names_the_crate_and_the_policy_format() {
    let want = format!("docket {} (policy format {})", env!("CARGO_PKG_VERSION"), docket_core::FORMAT_VERSION);
    for args in [&["--version"][..], &["-V"]] {
        let o = docket(args, None);
        assert_eq!(o.status.code(), Some(0));
        assert_eq!(String::from_utf8_lossy(&o.stdout).trim_end(), want);
    }
}

#[test]
fn an_uncompilable_policy_is_reported_with_its_code() {
    let bad = tmp(
        "bad-policy.json",
        r#"{"docket": 1, "name": "x", "currency": "EUR", "fields": {}, "queues": {}, "zzz": 1}"#,
    );
    let not_json = tmp("not-json.json", "{\"docket\": 1,");
    let case = tmp("c.json", r#"{"id":"C","kind":"refund"}"#);
    let actor = r#"{"id":"u-9","roles":["team_lead"]}"#;
    for (policy, code) in [(&bad, "invalid_policy"), (&not_json, "invalid_json")] {
        for args in [
            &["eval", "--policy", policy, "--cases", CASES, "--now", NOW][..],
            &["report", "--policy", policy, "--cases", CASES, "--now", NOW],
            &["authorize", "--policy", policy, "--case", &case, "--actor", actor, "--action", "close"],
        ] {
            let o = docket(args, None);
            assert_eq!(o.status.code(), Some(2), "{args:?}");
            assert!(o.stdout.is_empty(), "{args:?}");
            let err = stderr(&o);
            assert!(err.starts_with(&format!("docket: {code}: ")), "{args:?}: {err}");
        }
    }
    let o = docket(&["eval", "--policy", &bad, "--cases", CASES, "--now", NOW], None);
    assert!(stderr(&o).contains("/zzz"), "names the path: {}", stderr(&o));
}

#[test]
fn check_json_diagnostics_are_the_cores() {
    let text = r#"{"docket": 1, "name": "x", "currency": "EUR", "fields": {}, "queues": {}, "routing": {"rules": [{"id": "R", "then": {"queue": "q"}}]}, "zzz": 1}"#;
    let bad = tmp("bad-diag.json", text);
    let Err(e) = docket_core::Engine::compile(text) else { panic!("compiles") };
    let o = docket(&["check", &bad, "--json"], None);
    assert_eq!(o.status.code(), Some(1));
    let want = format!(
        r#"{{"ok":false,"errors":{},"warnings":{}}}"#,
        docket_core::diagnostics_json(&e.errors),
        docket_core::diagnostics_json(&e.warnings)
    );
    assert_eq!(String::from_utf8_lossy(&o.stdout).trim_end(), want);
    // A policy that compiles: the same keys in the same order, then the policy.
    let o = docket(&["check", POLICY, "--json"], None);
    assert_eq!(o.status.code(), Some(0));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.starts_with(r#"{"ok":true,"errors":[],"warnings":[],"policy":{"name":"acme-order-ops","#), "{out}");
}

#[test]
fn a_repeated_option_takes_the_last_value() {
    let o = docket(&["eval", "--policy", POLICY, "--cases", CASES, "--now", "today", "--now", NOW], None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(lines(&o).len(), 15);
}
