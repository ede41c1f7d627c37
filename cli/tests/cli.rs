//! The `docket` command end to end: exit codes, NDJSON and array input, malformed lines,
//! reports and authorize.

use serde_json::json;
mod common;

use common::*;
use std::io::Write;
use std::process::{Command, Output, Stdio};

fn lines(o: &Output) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(&o.stdout).lines().map(|l| serde_json::from_str(l).expect("json line")).collect()
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
fn check_deny_warnings_exits_1_on_any_warning() {
    // The example policy has no warning: it passes under --deny-warnings.
    let o = docket(&["check", POLICY, "--deny-warnings"], None);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stdout));
    assert!(String::from_utf8_lossy(&o.stdout).contains("(0 warning(s))"));
    // The same policy with a queue no routing rule names: one unused_queue warning, with
    // its pointer. It compiles (exit 0) unless warnings are denied (exit 1).
    let mut p: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(POLICY).expect("policy")).expect("json");
    p["queues"]["spare"] = json!({"owner": "nobody"});
    let spare = tmp("spare.json", &p.to_string());
    let o = docket(&["check", &spare], None);
    assert_eq!(o.status.code(), Some(0));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("warning[unused_queue] /queues/spare: "), "{text}");
    let o = docket(&["check", &spare, "--deny-warnings"], None);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stdout).contains("--deny-warnings: 1 warning(s) fail the check"));
    let o = docket(&["check", &spare, "--deny-warnings", "--json"], None);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["warnings"][0]["code"], "unused_queue");
    assert_eq!(v["warnings"][0]["path"], "/queues/spare");
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
    // C-1001 with both of its steps filled (ops_manager by u-7, finance_reviewer by u-8)
    // and its refund_receipt.
    let case = tmp(
        "c1001.json",
        r#"{"id":"C-1001","kind":"refund","amount":"1250.00","order_id":"O-88812","opened_at":"2026-11-20T09:15:00Z","requested_by":"agent-17","approvals":[{"role":"ops_manager","by":"u-7","at":"2026-11-20T11:00:00Z"},{"role":"finance_reviewer","by":"u-8","at":"2026-11-21T09:00:00Z"}],"evidence":["refund_receipt"]}"#,
    );
    let authorize = |actor: &str, action: &str, now: Option<&str>| {
        let mut args = vec!["authorize", "--policy", POLICY, "--case", &case, "--actor", actor, "--action", action];
        if let Some(n) = now {
            args.extend(["--now", n]);
        }
        let o = docket(&args, None);
        let v = serde_json::from_slice::<serde_json::Value>(&o.stdout).unwrap_or_default();
        (o.status.code(), v)
    };
    let lead = r#"{"id":"u-9","roles":["team_lead"]}"#;
    // close: team_lead may, the receipt is there, every step is filled by now, u-9 did not
    // request it: allowed, and the answer is a decision record.
    let (code, v) = authorize(lead, "close", Some(NOW));
    assert_eq!(code, Some(0));
    assert_eq!(
        (&v["case"], &v["actor"], &v["action"], &v["now"], &v["allowed"], &v["reasons"]),
        (&json!("C-1001"), &json!("u-9"), &json!("close"), &json!(NOW), &json!(true), &json!([]))
    );
    assert_eq!(v["policy"]["name"], "acme-order-ops");
    assert!(v["policy"]["fingerprint"].as_str().is_some_and(|f| f.starts_with("sha256:")));
    // As of 2026-11-21T08:00:00Z the finance_reviewer approval is not given yet: pending.
    let (code, v) = authorize(lead, "close", Some("2026-11-21T08:00:00Z"));
    assert_eq!(code, Some(1));
    assert_eq!(v["reasons"][0]["code"], "approvals_pending");
    assert_eq!(v["reasons"][0]["roles"], json!(["finance_reviewer"]));
    // approve: no step is open any more for a team_lead (both are filled).
    let (code, v) = authorize(lead, "approve", Some(NOW));
    assert_eq!(code, Some(1));
    assert_eq!(v["reasons"][0]["code"], "no_open_step");
    // Before u-7's approval (11:00) the ops_manager step is open: another ops_manager
    // fills it, and the record names the step.
    let (code, v) = authorize(r#"{"id":"u-6","roles":["ops_manager"]}"#, "approve", Some("2026-11-20T10:30:00Z"));
    assert_eq!(code, Some(0));
    assert_eq!(v["fills"], json!({"role": "ops_manager", "rule": "A2", "as": "ops_manager"}));
    assert_eq!(v["now"], "2026-11-20T10:30:00Z");
    // Without --now, the current time: some instant, written as RFC 3339.
    let (_, v) = authorize(lead, "hold", None);
    assert!(v["now"].as_str().is_some_and(|n| n.ends_with('Z') && n.len() == 20), "{v}");
    // A --now that is not RFC 3339 is an unusable argument.
    let o = docket(
        &["authorize", "--policy", POLICY, "--case", &case, "--actor", lead, "--action", "close", "--now", "noon"],
        None,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).starts_with("docket: invalid_argument: "), "{}", stderr(&o));
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

// ---------------------------------------------------------------------------------------
// Bad records, input formats, limits and terminal-safe output.

/// Runs docket with `stdin` written from another thread, so a large input cannot block
/// against the outcomes docket writes meanwhile.
fn docket_bytes(args: &[&str], stdin: Vec<u8>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_docket"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn docket");
    let mut pipe = child.stdin.take().expect("stdin");
    // docket may stop reading early (a failure); a broken pipe is then expected.
    let writer = std::thread::spawn(move || {
        let _ = pipe.write_all(&stdin);
    });
    let out = child.wait_with_output().expect("wait");
    writer.join().expect("writer");
    out
}

fn tmp_bytes(name: &str, bytes: &[u8]) -> String {
    let dir = std::env::temp_dir().join(format!("docket-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp dir");
    let p = dir.join(name);
    std::fs::write(&p, bytes).expect("write tmp");
    p.to_string_lossy().into_owned()
}

/// A usable case, routed to `payment_hold_review`.
fn good(id: &str) -> String {
    format!(r#"{{"id":"{id}","kind":"payment_hold","order_id":"O","opened_at":"2026-11-23T08:00:00Z"}}"#)
}

/// A usable case of exactly `len` bytes (a `note` pads it).
fn good_of_len(id: &str, len: usize) -> String {
    let bare = good(id).len() + r#","note":"""#.len();
    let c = format!(
        r#"{{"id":"{id}","kind":"payment_hold","order_id":"O","opened_at":"2026-11-23T08:00:00Z","note":"{}"}}"#,
        "x".repeat(len - bare)
    );
    assert_eq!(c.len(), len);
    c
}

/// Each outcome as (id, error code, line); `line` is only given with an error.
fn summary(o: &Output) -> Vec<(Option<String>, Option<String>, Option<u64>)> {
    lines(o)
        .iter()
        .map(|v| {
            (v["id"].as_str().map(String::from), v["error"]["code"].as_str().map(String::from), v["line"].as_u64())
        })
        .collect()
}

fn ok(id: &str) -> (Option<String>, Option<String>, Option<u64>) {
    (Some(id.into()), None, None)
}

fn err(code: &str, line: u64) -> (Option<String>, Option<String>, Option<u64>) {
    (None, Some(code.into()), Some(line))
}

const EVAL: [&str; 7] = ["eval", "--policy", POLICY, "--cases", "-", "--now", NOW];
const REPORT: [&str; 7] = ["report", "--policy", POLICY, "--cases", "-", "--now", NOW];

fn with<'a>(base: &[&'a str], more: &[&'a str]) -> Vec<&'a str> {
    base.iter().chain(more).copied().collect()
}

#[test]
fn invalid_utf8_and_nul_bytes_are_only_their_own_records_error() {
    let mut input = Vec::new();
    for line in [
        good("A").into_bytes(),
        b"{\"id\":\"\xff\xfe\",\"kind\":\"payment_hold\"}".to_vec(),
        good("B").into_bytes(),
        b"{\"id\":\"N\0\",\"kind\":\"payment_hold\",\"order_id\":\"O\",\"opened_at\":\"2026-11-23T08:00:00Z\"}"
            .to_vec(),
        b"\0".to_vec(),
        b"\xc3".to_vec(),
        good("C").into_bytes(),
    ] {
        input.extend_from_slice(&line);
        input.push(b'\n');
    }
    let want =
        [ok("A"), err("bad_json", 2), ok("B"), err("bad_json", 4), err("bad_json", 5), err("bad_json", 6), ok("C")];
    let o = docket_bytes(&EVAL, input.clone());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(summary(&o), want);
    let f = tmp_bytes("bad-bytes.ndjson", &input);
    let o = docket(&["eval", "--policy", POLICY, "--cases", &f, "--now", NOW], None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(summary(&o), want);
    assert!(lines(&o).iter().filter(|v| v["error"].is_null()).all(|v| v["queue"] == "payment_hold_review"));
    let o = docket_bytes(&REPORT, input);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!((r["cases"].as_u64(), r["errors"].as_u64()), (Some(7), Some(4)));
    // In a JSON array, from a file and from a pipe.
    let mut arr = format!("[{},", good("A")).into_bytes();
    arr.extend_from_slice(b"{\"id\":\"\xff\"}, \"N\0\",");
    arr.extend_from_slice(format!("{}]", good("B")).as_bytes());
    let f = tmp_bytes("bad-bytes.json", &arr);
    let o = docket(&["eval", "--policy", POLICY, "--cases", &f, "--now", NOW], None);
    assert_eq!(summary(&o), [ok("A"), err("bad_json", 2), err("bad_json", 3), ok("B")]);
    let o = docket_bytes(&EVAL, arr);
    assert_eq!(summary(&o), [ok("A"), err("bad_json", 2), err("bad_json", 3), ok("B")]);
    assert_eq!(r["queues"]["payment_hold_review"]["cases"], 3);
}

#[test]
fn a_line_over_max_case_bytes_is_too_large_alone() {
    let max = 4096;
    let huge = good_of_len("H", 4 << 20);
    let input = [
        good("A"),
        huge.clone(),
        good_of_len("EXACT", max),
        good_of_len("OVER", max + 1),
        format!("  \t{}   \r", good_of_len("PADDED", max)),
        good("B"),
    ]
    .join("\n");
    let args = with(&EVAL, &["--max-case-bytes", "4096"]);
    let o = docket_bytes(&args, input.clone().into_bytes());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(summary(&o), [ok("A"), err("too_large", 2), ok("EXACT"), err("too_large", 4), ok("PADDED"), ok("B")]);
    // The same from a file, and in the report.
    let f = tmp("long-line.ndjson", &input);
    let o = docket(&["eval", "--policy", POLICY, "--cases", &f, "--now", NOW, "--max-case-bytes", "4096"], None);
    assert_eq!(summary(&o), [ok("A"), err("too_large", 2), ok("EXACT"), err("too_large", 4), ok("PADDED"), ok("B")]);
    let o = docket_bytes(&with(&REPORT, &["--max-case-bytes", "4096"]), input.into_bytes());
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!((r["cases"].as_u64(), r["errors"].as_u64()), (Some(6), Some(2)));
    // Under the default limit (1 MiB) the 4 MiB line is too large too; the rest is not.
    let o = docket_bytes(&EVAL, format!("{}\n{huge}\n{}\n", good("A"), good_of_len("X", 1 << 20)).into_bytes());
    assert_eq!(summary(&o), [ok("A"), err("too_large", 2), ok("X")]);
}

#[test]
fn a_first_line_of_brackets_does_not_make_ndjson_an_array() {
    for first in ["[]", "[1, 2]", " [ ] ", "[{\"id\":\"Z\"}]"] {
        let input = format!("{first}\n{}\n\n{}\n", good("A"), good("B"));
        let want = [err("not_an_object", 1), ok("A"), ok("B")];
        let o = docket(&EVAL, Some(&input));
        assert_eq!(o.status.code(), Some(0), "{first}: {}", stderr(&o));
        assert_eq!(summary(&o), want, "{first} from stdin");
        let f = tmp("brackets.ndjson", &input);
        let o = docket(&["eval", "--policy", POLICY, "--cases", &f, "--now", NOW], None);
        assert_eq!(o.status.code(), Some(0), "{first}: {}", stderr(&o));
        assert_eq!(summary(&o), want, "{first} from a file");
        // Said to be an array, it is not one.
        let o = docket(&["eval", "--policy", POLICY, "--cases", &f, "--now", NOW, "--input-format", "array"], None);
        assert_eq!(o.status.code(), Some(2), "{first}");
        assert!(o.stdout.is_empty(), "{first}");
        assert!(stderr(&o).starts_with("docket: invalid_json: "), "{first}: {}", stderr(&o));
    }
    // An array over several lines, after blank lines, is an array; its elements are
    // numbered by position.
    let arr = format!("\n\n  [\n  {},\n  5,\n  {}\n]\n\n", good("A"), good("B"));
    let want = [ok("A"), err("not_an_object", 2), ok("B")];
    assert_eq!(summary(&docket(&EVAL, Some(&arr))), want);
    let f = tmp("multi-line.json", &arr);
    assert_eq!(summary(&docket(&["eval", "--policy", POLICY, "--cases", &f, "--now", NOW], None)), want);
    let o = docket(&with(&EVAL, &["--input-format", "array"]), Some(&arr));
    assert_eq!(summary(&o), want);
    // Said to be NDJSON, a one-line array is one record.
    let one_line = format!("[{},{}]\n", good("A"), good("B"));
    let o = docket(&with(&EVAL, &["--input-format", "ndjson"]), Some(&one_line));
    assert_eq!(summary(&o), [err("not_an_object", 1)]);
    assert_eq!(summary(&docket(&EVAL, Some(&one_line))), [ok("A"), ok("B")]);
}

#[test]
fn a_broken_array_fails_with_invalid_json() {
    let broken = format!("[{},\n{}\n", good("A"), good("B"));
    // A file is checked before anything is written.
    let f = tmp("broken.json", &broken);
    let o = docket(&["eval", "--policy", POLICY, "--cases", &f, "--now", NOW, "--input-format", "array"], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(o.stdout.is_empty());
    assert!(stderr(&o).starts_with("docket: invalid_json: "), "{}", stderr(&o));
    // A pipe said to be an array is streamed: the elements before the fault are written.
    let o = docket(&with(&EVAL, &["--input-format", "array"]), Some(&broken));
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(summary(&o), [ok("A")]);
    assert!(stderr(&o).contains("the input ends before the array closes"), "{}", stderr(&o));
    // Under auto, a broken array is not an array: NDJSON, line by line.
    let o = docket(&EVAL, Some(&broken));
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(summary(&o), [err("not_an_object", 1), ok("B")]);
}

#[test]
fn an_array_element_over_max_case_bytes_is_too_large_alone() {
    let max = 4096;
    let arr = format!(
        "[{}, {}, {} ,\n{}, {}]",
        good("A"),
        good_of_len("BIG", 3 * max),
        good_of_len("EXACT", max),
        good_of_len("OVER", max + 1),
        good("B")
    );
    let want = [ok("A"), err("too_large", 2), ok("EXACT"), err("too_large", 4), ok("B")];
    let f = tmp("big-element.json", &arr);
    for args in [
        vec!["eval", "--policy", POLICY, "--cases", &f, "--now", NOW, "--max-case-bytes", "4096"],
        with(&EVAL, &["--max-case-bytes", "4096"]),
        with(&EVAL, &["--max-case-bytes", "4096", "--input-format", "array"]),
    ] {
        let o = docket(&args, Some(&arr));
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
        assert_eq!(summary(&o), want, "{args:?}");
    }
    // The same case as an NDJSON line: too large as well.
    let o = docket(&with(&EVAL, &["--max-case-bytes", "4096"]), Some(&good_of_len("BIG", 3 * max)));
    assert_eq!(summary(&o), [err("too_large", 1)]);
    // An element of 2 MiB is over the default limit (1 MiB).
    let o = docket(&EVAL, Some(&format!("[{}, {}]", good_of_len("BIG", 2 << 20), good("A"))));
    assert_eq!(summary(&o), [err("too_large", 1), ok("A")]);
}

#[test]
fn a_pipe_that_starts_with_a_bracket_is_told_apart_within_64_mib() {
    // `[]`, then a line of 65 MiB, then a case: from a pipe, auto cannot tell without
    // holding more than 64 MiB, and says so; told it is NDJSON, each line is its own.
    let mut input = b"[]\n{\"id\":\"L\",\"note\":\"".to_vec();
    input.resize(input.len() + (65 << 20), b'x');
    input.extend_from_slice(format!("\"}}\n{}\n", good("A")).as_bytes());
    let o = docket_bytes(&EVAL, input.clone());
    assert_eq!(o.status.code(), Some(2));
    assert!(o.stdout.is_empty());
    let e = stderr(&o);
    assert!(e.starts_with("docket: limit_exceeded: ") && e.contains("--input-format"), "{e}");
    let o = docket_bytes(&with(&EVAL, &["--input-format", "ndjson"]), input);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(summary(&o), [err("not_an_object", 1), err("too_large", 2), ok("A")]);
}

#[test]
fn max_string_len_and_max_list_len() {
    // C-1001: id of 6 bytes, order_id "O-88812" of 7, one approval, one evidence item.
    let c1001 = std::fs::read_to_string(CASES).expect("cases").lines().next().expect("C-1001").to_string();
    let issues = |o: &Output| -> Vec<(String, String)> {
        lines(o)[0]["issues"]
            .as_array()
            .expect("issues")
            .iter()
            .map(|i| (i["code"].as_str().unwrap_or("").into(), i["field"].as_str().unwrap_or("").into()))
            .collect()
    };
    let bad_type = |f: &str| ("bad_type".to_string(), f.to_string());
    let o = docket(&with(&EVAL, &["--max-string-len", "7"]), Some(&c1001));
    assert_eq!(summary(&o), [ok("C-1001")]);
    assert!(!issues(&o).contains(&bad_type("order_id")), "{:?}", issues(&o));
    let o = docket(&with(&EVAL, &["--max-string-len", "6"]), Some(&c1001));
    assert_eq!(summary(&o), [ok("C-1001")]);
    assert!(issues(&o).contains(&bad_type("order_id")), "{:?}", issues(&o));
    let o = docket(&with(&EVAL, &["--max-string-len", "5"]), Some(&c1001));
    assert_eq!(summary(&o), [err("id_too_long", 1)]);

    let o = docket(&with(&EVAL, &["--max-list-len", "1"]), Some(&c1001));
    assert!(!issues(&o).iter().any(|(c, _)| c == "bad_type"), "{:?}", issues(&o));
    assert_eq!(lines(&o)[0]["approvals"]["steps"][0]["done_by"], "u-7");
    let o = docket(&with(&EVAL, &["--max-list-len", "0"]), Some(&c1001));
    let got = issues(&o);
    assert!(got.contains(&bad_type("approvals")) && got.contains(&bad_type("evidence")), "{got:?}");
}

#[test]
fn max_cases_limits_an_array_not_ndjson() {
    let cases = [good("A"), good("B"), good("C")];
    let arr = format!("[{}]", cases.join(","));
    let f = tmp("three.json", &arr);
    let file = |n: &'static str| vec!["eval", "--policy", POLICY, "--cases", &f, "--now", NOW, "--max-cases", n];
    let o = docket(&file("3"), None);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(summary(&o), [ok("A"), ok("B"), ok("C")]);
    // A file is counted before anything is written.
    let o = docket(&file("2"), None);
    assert_eq!(o.status.code(), Some(2));
    assert!(o.stdout.is_empty());
    assert!(stderr(&o).starts_with("docket: limit_exceeded: "), "{}", stderr(&o));
    // A pipe: counted as it is read (auto holds it to tell its format, so it is counted first).
    let o = docket(&with(&EVAL, &["--max-cases", "2"]), Some(&arr));
    assert_eq!(o.status.code(), Some(2));
    assert!(o.stdout.is_empty());
    let o = docket(&with(&EVAL, &["--max-cases", "2", "--input-format", "array"]), Some(&arr));
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(summary(&o), [ok("A"), ok("B")]);
    assert!(stderr(&o).starts_with("docket: limit_exceeded: "), "{}", stderr(&o));
    let o = docket(&with(&REPORT, &["--max-cases", "2"]), Some(&arr));
    assert_eq!(o.status.code(), Some(2));
    // NDJSON is streamed and not limited.
    let o = docket(&with(&EVAL, &["--max-cases", "2"]), Some(&cases.join("\n")));
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(summary(&o), [ok("A"), ok("B"), ok("C")]);
}

#[test]
fn policy_limit_flags() {
    let size = std::fs::metadata(POLICY).expect("policy").len().to_string();
    let under = (std::fs::metadata(POLICY).expect("policy").len() - 1).to_string();
    // Each limit at the policy's own size compiles; one below does not. The example has
    // 14 routing rules, two windows on Friday in eu_ops and three holidays in eu_ops.
    for (flag, fits, over, path) in [
        ("--max-policy-bytes", size.as_str(), under.as_str(), "/"),
        ("--max-rules-per-table", "14", "13", "/routing/rules"),
        ("--max-windows-per-day", "2", "1", "/calendars/eu_ops/week/fri"),
        ("--max-dates-per-calendar", "3", "2", "/calendars/eu_ops/holidays"),
        // 4 calendars, 2 metrics, 3 escalation steps, 4 bands, 12 values of `kind` (the
        // example's largest enum); eu_ops, the first calendar, needs far more than 1,000
        // bytes of working intervals and fits in the default budget.
        ("--max-calendars", "4", "3", "/calendars"),
        ("--max-metrics", "2", "1", "/sla/metrics"),
        ("--max-escalation-steps", "3", "2", "/sla/escalation"),
        ("--max-bands", "4", "3", "/sla/bands/limits"),
        ("--max-values-per-field", "12", "11", "/fields/kind/values"),
        ("--max-memory-bytes", "268435456", "1000", "/calendars/eu_ops"),
    ] {
        let o = docket(&["check", POLICY, flag, fits], None);
        assert_eq!(o.status.code(), Some(0), "{flag} {fits}: {}", String::from_utf8_lossy(&o.stdout));
        let o = docket(&["check", POLICY, flag, over], None);
        assert_eq!(o.status.code(), Some(1), "{flag} {over}");
        let out = String::from_utf8_lossy(&o.stdout);
        assert!(out.contains(&format!("error[limit_exceeded] {path}: ")), "{flag} {over}: {out}");
        for cmd in ["eval", "report"] {
            let o = docket(&[cmd, "--policy", POLICY, "--cases", CASES, "--now", NOW, flag, over], None);
            assert_eq!(o.status.code(), Some(2), "{cmd} {flag} {over}");
            assert!(stderr(&o).starts_with("docket: limit_exceeded: "), "{cmd} {flag}: {}", stderr(&o));
            let o = docket(&[cmd, "--policy", POLICY, "--cases", CASES, "--now", NOW, flag, fits], None);
            assert_eq!(o.status.code(), Some(0), "{cmd} {flag} {fits}: {}", stderr(&o));
        }
    }
    // A policy from stdin over the limit is not read further.
    let text = std::fs::read_to_string(POLICY).expect("policy");
    let o = docket(&["check", "-", "--json", "--max-policy-bytes", &under], Some(&text));
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["errors"][0]["code"], "limit_exceeded");
    assert_eq!(v["errors"][0]["path"], "");
    // authorize takes the limits too.
    let case = tmp("authorize-case.json", &good("A"));
    let actor = r#"{"id":"u-9","roles":["team_lead"]}"#;
    let args = ["authorize", "--policy", POLICY, "--case", &case, "--actor", actor, "--action", "hold"];
    let o = docket(&with(&args, &["--max-policy-bytes", &under]), None);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).starts_with("docket: limit_exceeded: "), "{}", stderr(&o));
    let o = docket(&with(&args, &["--max-case-bytes", "20"]), None);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["reasons"][0]["code"], "invalid_case", "{v}");
    let o = docket(&with(&args, &["--max-case-bytes", &good("A").len().to_string()]), None);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert!(!v["reasons"].as_array().expect("reasons").iter().any(|r| r["code"] == "invalid_case"), "{v}");
}

#[test]
fn limit_flags_are_in_the_help() {
    for (cmd, flags) in [
        (
            "check",
            &["--max-policy-bytes", "--max-rules-per-table", "--max-windows-per-day", "--max-dates-per-calendar"][..],
        ),
        (
            "eval",
            &[
                "--input-format",
                "--max-cases",
                "--max-case-bytes",
                "--max-string-len",
                "--max-list-len",
                "--max-policy-bytes",
            ],
        ),
        ("report", &["--input-format", "--max-cases", "--max-case-bytes", "--max-string-len", "--max-list-len"]),
        ("authorize", &["--max-case-bytes", "--max-string-len", "--max-list-len", "--max-policy-bytes"]),
    ] {
        let o = docket(&[cmd, "--help"], None);
        let text = String::from_utf8_lossy(&o.stdout);
        for f in flags {
            assert!(text.contains(f), "{cmd} --help lacks {f}");
        }
    }
    let o = docket(&["eval", "--policy", POLICY, "--cases", CASES, "--max-case-bytes", "lots"], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).starts_with("docket: invalid_argument: "), "{}", stderr(&o));
}

#[test]
fn control_characters_in_ids_and_names_are_escaped() {
    // The only case of its queue, so its id is the queue's oldest open case.
    let id = "C-9\u{1b}[2J\u{1b}[1;1H\rfake_queue 99 99\nX\u{9b}31m\u{202e}";
    let case =
        serde_json::json!({"id": id, "kind": "payment_hold", "order_id": "O", "opened_at": "2026-11-23T08:00:00Z"});
    let input = case.to_string();
    let t = docket(&with(&REPORT, &["--format", "table"]), Some(&input));
    assert_eq!(t.status.code(), Some(0), "{}", stderr(&t));
    let text = String::from_utf8(t.stdout.clone()).expect("utf-8");
    assert!(!text.chars().any(|c| c.is_control() && c != '\n'), "{text:?}");
    assert!(!text.contains('\u{202e}'), "{text:?}");
    assert!(text.contains(r"C-9\u{1b}[2J\u{1b}[1;1H\u{d}fake_queue 99 99\u{a}X\u{9b}31m\u{202e} ("), "{text}");
    assert!(!text.lines().any(|l| l.starts_with("fake_queue")), "{text}");
    let plain = docket(&with(&REPORT, &["--format", "table"]), Some(&good("A")));
    let rows = |s: &str| s.lines().count();
    assert_eq!(rows(&text), rows(&String::from_utf8_lossy(&plain.stdout)), "one row, as for a plain id");
    // The HTML page shows the same escapes.
    let h = docket(&with(&REPORT, &["--format", "html"]), Some(&input));
    let html = String::from_utf8(h.stdout).expect("utf-8");
    assert!(!html.chars().any(|c| (c.is_control() && c != '\n') || c == '\u{202e}'), "control characters in the page");
    assert!(html.contains(r"C-9\u{1b}[2J"), "escaped id in the page");
    // JSON output: C0 is escaped by JSON; C1 and the bidirectional override as \u escapes
    // too, and the id reads back unchanged.
    for out in [docket(&EVAL, Some(&input)).stdout, docket(&REPORT, Some(&input)).stdout] {
        let s = String::from_utf8(out).expect("utf-8");
        assert!(!s.chars().any(|c| (c.is_control() && c != '\n') || c == '\u{202e}'), "{s:?}");
        assert!(s.contains(r"\u009b") && s.contains(r"\u202e"), "{s}");
        let v: serde_json::Value = serde_json::from_str(s.trim_end()).expect("json");
        let got = v.get("id").or_else(|| v["queues"]["payment_hold_review"]["oldest_open"].get("id"));
        assert_eq!(got.and_then(|i| i.as_str()), Some(id));
    }
    // Policy text: check's text output and the failure message on stderr.
    let bad = tmp(
        "control-policy.json",
        r#"{"docket": 1, "name": "x", "currency": "EUR", "fields": {}, "queues": {}, "z\u001b[2J\rz": 1}"#,
    );
    let o = docket(&["check", &bad], None);
    let out = String::from_utf8(o.stdout).expect("utf-8");
    assert!(out.contains(r"error[unknown_key] /z\u{1b}[2J\u{d}z: "), "{out}");
    assert!(!out.chars().any(|c| c.is_control() && c != '\n'), "{out:?}");
    let o = docket(&["eval", "--policy", &bad, "--cases", CASES, "--now", NOW], None);
    let e = stderr(&o);
    assert!(e.starts_with("docket: invalid_policy: ") && e.contains(r"/z\u{1b}[2J\u{d}z"), "{e}");
    assert!(!e.chars().any(|c| c.is_control() && c != '\n'), "{e:?}");
}

/// The JSON report of the example, and its table and HTML page.
fn example_report() -> (serde_json::Value, String, String) {
    let run = |format: &str| {
        let o = docket(&["report", "--policy", POLICY, "--cases", CASES, "--now", NOW, "--format", format], None);
        assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8(o.stdout).expect("utf-8")
    };
    (serde_json::from_str(&run("json")).expect("json"), run("table"), run("html"))
}

#[test]
fn table_and_page_carry_the_numbers_of_the_json_report() {
    let (r, table, html) = example_report();
    let queues = r["queues"].as_object().expect("queues");
    for (name, q) in queues {
        for (metric, m) in q["metrics"].as_object().expect("metrics") {
            let n = |k: &str| m[k].as_u64().expect("count").to_string();
            let attain = m["attainment"].as_f64().map_or("—".to_string(), |a| format!("{:.1}%", a * 100.0));
            // Table: `queue metric met missed attain. open breached at-risk`.
            let row: Vec<String> = [name.as_str(), metric]
                .iter()
                .map(|s| s.to_string())
                .chain([n("met"), n("missed"), attain.clone(), n("open"), n("breached_open"), n("at_risk")])
                .collect();
            assert!(table.lines().any(|l| l.split_whitespace().collect::<Vec<_>>() == row), "table lacks {row:?}");
            // Page: the same row of <table id="metrics">.
            let cells: String = row.iter().map(|c| format!("<td>{c}</td>")).collect();
            let plain = html
                .replace("<td class=\"bad\">", "<td>")
                .replace("<td class=\"warn\">", "<td>")
                .replace("<td class=\"\">", "<td>");
            assert!(plain.contains(&format!("<tr>{cells}</tr>")), "page lacks {cells}");
        }
        // Who: the owner, in the table and the page.
        let owner = q["owner"].as_str().expect("owner");
        assert!(table.lines().any(|l| l.starts_with(name.as_str()) && l.contains(owner)), "{name} {owner}");
        assert!(html.contains(&format!("<tr><td>{name}</td><td>{owner}</td>")), "{name} {owner}");
    }
    // The example's refund_validation: its completed clocks all met (100%), yet its open
    // clocks are breached; the chart draws them red beside the green, and says so.
    let m = &r["queues"]["refund_validation"]["metrics"]["response"];
    assert_eq!(m["attainment"], 1.0);
    let breached = m["breached_open"].as_u64().expect("count");
    assert!(breached > 0);
    assert!(html.contains(&format!("refund_validation · response: {breached} breached (open)</title>")));
    assert!(html.contains(&format!("attainment 100.0% (1/1) · {breached} breached")));
    // Who, as the example decides it: C-1001 (refund 1250 EUR) reached level 2 of its
    // resolution ladder (ops_manager) and still needs finance_reviewer (A3).
    let q = &r["queues"]["refund_validation"];
    assert!(q["escalated_to"]["ops_manager"].as_u64() >= Some(1));
    assert!(q["pending_approvals"]["finance_reviewer"].as_u64() >= Some(1));
    assert!(html.contains("<table id=\"who\"") && html.contains("<table id=\"causes\""));
    // Why: every breach of the example is the queue's own (no case waits on anything).
    for (name, q) in queues {
        let own = q["breached_by_cause"]["own"].as_u64().expect("own");
        if own > 0 {
            assert!(
                table.lines().any(|l| l.split_whitespace().collect::<Vec<_>>()
                    == [name.as_str(), "own", "0", &own.to_string(), "0h00m"]),
                "why row of {name}"
            );
        }
    }
}

#[test]
fn report_by_splits_every_queue_in_every_format() {
    let args = |format: &'static str| {
        vec!["report", "--policy", POLICY, "--cases", CASES, "--now", NOW, "--by", "kind,channel", "--format", format]
    };
    let out = |format| {
        let o = docket(&args(format), None);
        assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8(o.stdout).expect("utf-8")
    };
    let r: serde_json::Value = serde_json::from_str(&out("json")).expect("json");
    let (table, html) = (out("table"), out("html"));
    assert_eq!(r["by"], serde_json::json!(["kind", "channel"]));
    // refund_validation holds C-1001 (refund, web), C-1002 (shipping_correction, app),
    // C-1013 (refund, no channel) and C-1015 (adjustment, no channel): four combinations.
    let by = r["queues"]["refund_validation"]["by"].as_array().expect("by");
    let mut values: Vec<String> = by.iter().map(|b| b["values"].to_string()).collect();
    values.sort();
    assert_eq!(
        values,
        [
            r#"{"kind":"adjustment","channel":null}"#,
            r#"{"kind":"refund","channel":"web"}"#,
            r#"{"kind":"refund","channel":null}"#,
            r#"{"kind":"shipping_correction","channel":"app"}"#
        ]
    );
    for (name, q) in r["queues"].as_object().expect("queues") {
        for b in q["by"].as_array().expect("by") {
            let v = b["values"].as_object().expect("values");
            let show = |k: &str| v[k].as_str().unwrap_or("—").to_string();
            let label = format!("kind={}, channel={}", show("kind"), show("channel"));
            let n = |k: &str| b[k].as_u64().expect("count").to_string();
            let attain = b["attainment"].as_f64().map_or("—".to_string(), |a| format!("{:.1}%", a * 100.0));
            let line = format!(
                "{} {} {} {} {} {} {} {} {} {}",
                name,
                label,
                n("cases"),
                n("open"),
                n("warning"),
                n("breached"),
                n("at_risk"),
                n("met"),
                n("missed"),
                attain
            );
            let norm = |l: &str| l.split_whitespace().collect::<Vec<_>>().join(" ");
            assert!(table.lines().any(|l| norm(l) == norm(&line)), "table lacks {line}");
            assert!(
                html.contains(&format!("<tr><td>{name}</td><td>{label}</td><td>{}</td>", n("cases"))),
                "page lacks {line}"
            );
        }
    }
    // A field that cannot split a report is a usage error naming it.
    let o = docket(&["report", "--policy", POLICY, "--cases", CASES, "--now", NOW, "--by", "amount"], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--by: `amount` is a money field"), "{}", stderr(&o));
}

#[test]
fn report_baseline_adds_a_trend_in_every_format() {
    let base = docket(&["report", "--policy", POLICY, "--cases", CASES, "--now", "2026-11-22T10:00:00Z"], None);
    let base_path = tmp("baseline.json", &String::from_utf8_lossy(&base.stdout));
    let run = |format: &str| {
        let o = docket(
            &[
                "report",
                "--policy",
                POLICY,
                "--cases",
                CASES,
                "--now",
                NOW,
                "--baseline",
                &base_path,
                "--format",
                format,
            ],
            None,
        );
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        String::from_utf8(o.stdout).expect("utf-8")
    };
    let r: serde_json::Value = serde_json::from_str(&run("json")).expect("json");
    let (table, html) = (run("table"), run("html"));
    let t = &r["trend"];
    assert_eq!(t["elapsed_s"], 86_400);
    // refund_validation a day earlier: C-1001 (opened Fri 2026-11-20) and C-1013 (Fri)
    // were open and breached; C-1002 and C-1015 (opened Mon 2026-11-23) had not happened.
    // Now all four are open and breached: +2 open, +2 breached, growing; its oldest case
    // (C-1001 both times) is a day older.
    assert_eq!(
        t["queues"]["refund_validation"],
        serde_json::json!({"open": 2, "breached": 2, "at_risk": 0, "oldest_age_s": 86_400, "verdict": "growing"})
    );
    for (name, q) in t["queues"].as_object().expect("queues") {
        let v = q["verdict"].as_str().expect("verdict");
        assert!(table.lines().any(|l| l.starts_with(name.as_str()) && l.ends_with(v)), "table: {name} {v}");
        assert!(html.contains(&format!("<tr><td>{name}</td>")) && html.contains(&format!(">{v}</td></tr>")));
    }
    assert!(html.contains("<table id=\"trend\""));
    // A baseline that is not a report is a usage error.
    let bad = tmp("bad-baseline.json", "{\"queues\": {}}");
    let o = docket(&["report", "--policy", POLICY, "--cases", CASES, "--now", NOW, "--baseline", &bad], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--baseline: the baseline is not a report"), "{}", stderr(&o));
}

#[test]
fn many_batches_come_out_in_input_order_with_their_lines() {
    // 6,000 records: several batches of the evaluation pipeline (1,024 records each), so
    // the workers finish them in any order. Every 7th line is not JSON and every 11th is
    // blank (skipped, but counted in the line numbers). Each outcome must be the one of
    // its own line, in input order: ids carry the line they were written on.
    let mut text = String::new();
    let mut want = Vec::new();
    for line in 1..=6000u64 {
        if line % 11 == 0 {
            text.push('\n');
        } else if line % 7 == 0 {
            text.push_str("{\"id\": \n");
            want.push(err("bad_json", line));
        } else {
            let id = format!("L-{line}");
            text.push_str(&good(&id));
            text.push('\n');
            want.push(ok(&id));
        }
    }
    let cases = tmp("many-batches.ndjson", &text);
    let o = docket(&["eval", "--policy", POLICY, "--cases", &cases, "--now", NOW], None);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(summary(&o), want);
    // From a pipe, the same.
    let piped = docket(&["eval", "--policy", POLICY, "--cases", "-", "--now", NOW], Some(&text));
    assert_eq!(piped.stdout, o.stdout);
}

#[test]
fn report_since_adds_the_flow_in_every_format() {
    let run = |format: &str, extra: &[&str]| {
        let mut args = vec!["report", "--policy", POLICY, "--cases", CASES, "--now", NOW, "--format", format];
        args.extend_from_slice(extra);
        docket(&args, None)
    };
    let since = ["--since", "2026-11-20T10:00:00Z"];
    let o = run("json", &since);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    // Days in UTC (the example has no report.timezone) from the day of since to the day of
    // now. refund_validation received C-1001 and C-1013 on 11-20, C-1002 and C-1015 on
    // 11-23, and closed none: its 4 open cases are carried over (docs/reports.md, "Flow").
    let f = &r["flow"];
    assert_eq!(
        (&f["bucket"], &f["start"], &f["end"]),
        (&json!("day"), &json!("2026-11-20T00:00:00Z"), &json!("2026-11-24T00:00:00Z"))
    );
    let counts: Vec<_> = f["queues"]["refund_validation"]["buckets"]
        .as_array()
        .expect("buckets")
        .iter()
        .map(|b| (b["received"].as_u64(), b["closed"].as_u64(), b["carried_over"].as_u64()))
        .collect();
    let n = |a, b, c| (Some(a), Some(b), Some(c));
    assert_eq!(counts, [n(2, 0, 2), n(0, 0, 2), n(0, 0, 2), n(2, 0, 4)]);
    // The table and the page carry the same rows; C-1001's response took 45m.
    let table = String::from_utf8(run("table", &since).stdout).expect("utf-8");
    assert!(table.contains("Flow: day buckets in UTC from 2026-11-20T00:00:00Z to 2026-11-24T00:00:00Z"), "{table}");
    let row = |l: &str, cells: &[&str]| l.split_whitespace().collect::<Vec<_>>() == cells;
    assert!(table.lines().any(|l| row(l, &["refund_validation", "2026-11-23T00:00:00Z", "2", "0", "4"])), "{table}");
    assert!(table.lines().any(|l| l.starts_with("refund_validation") && l.contains("refund") && l.contains("45m00s")));
    let html = String::from_utf8(run("html", &since).stdout).expect("utf-8");
    assert!(
        html.contains("<tr><td>refund_validation</td><td>2026-11-23T00:00:00Z</td><td>2</td><td>0</td><td>4</td></tr>")
    );
    assert!(html.contains("<svg id=\"flow-chart\"") && html.contains("<table id=\"cycle-times\""));
    // Weeks; bad periods are usage errors with their code.
    let o = run("json", &["--since", "2026-11-20T10:00:00Z", "--bucket", "week"]);
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(r["flow"]["start"], "2026-11-16T00:00:00Z");
    let o = run("json", &["--since", "2026-11-24T00:00:00Z"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("invalid_argument: --since: `since` is after `now`"), "{}", stderr(&o));
    let o = run("json", &["--since", "2025-10-19T10:00:00Z"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("limit_exceeded: --since: from `since` to `now` there are more than 400 buckets"),
        "{}",
        stderr(&o)
    );
    let o = run("json", &["--since", "yesterday"]);
    assert!(o.status.code() == Some(2) && stderr(&o).contains("is not an RFC 3339 timestamp"));
    let o = run("json", &["--bucket", "week"]);
    assert_eq!(o.status.code(), Some(2), "--bucket needs --since");
}
