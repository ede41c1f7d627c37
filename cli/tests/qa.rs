//! QA on the command line (docs/reports.md, "QA" and "The QA sample"): `docket sample`,
//! `--seed`, and the QA sections of the report's table and page, on the cases of
//! tests/conformance/qa.json.

use std::process::{Command, Output};

const FIXTURE: &str = include_str!("../../tests/conformance/qa.json");
const NOW: &str = "2026-11-23T10:00:00Z";

fn docket(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_docket")).args(args).output().expect("run docket")
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The fixture's policy and cases (NDJSON), written to files.
fn files(name: &str, extra: &str) -> (String, String) {
    let fx: serde_json::Value = serde_json::from_str(FIXTURE).expect("fixture");
    let dir = std::env::temp_dir().join(format!("docket-cli-qa-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp dir");
    let policy = dir.join("policy.json");
    std::fs::write(&policy, fx["policy"].to_string()).expect("policy");
    let mut cases = String::from(extra);
    for c in fx["cases"].as_array().expect("cases") {
        cases.push_str(&c.to_string());
        cases.push('\n');
    }
    let path = dir.join("cases.ndjson");
    std::fs::write(&path, cases).expect("cases");
    (policy.to_string_lossy().into_owned(), path.to_string_lossy().into_owned())
}

#[test]
fn sample_lists_the_sampled_cases_with_their_stratum_and_probability() {
    let (policy, cases) = files("sample", "");
    // The policy's seed "policy-seed": Q-6 (22a6b683...) and Q-7 (34148f1d...) are below
    // 2^63 (refunds, rate 0.5), Q-1 (c16e...), Q-2 (83ae...), Q-4 (805d...) are not; Q-5 is
    // high_value (rate 1); Q-3 other (rate 0); Q-8 is not yet open.
    let o = docket(&["sample", "--policy", &policy, "--cases", &cases, "--now", NOW]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(out(&o), "Q-5\thigh_value\t1\nQ-6\trefunds\t0.5\nQ-7\trefunds\t0.5\n");
    // --seed "audit-2026": Q-1 (2891...), Q-4 (1354...), Q-7 (7fa7...) and Q-5.
    let o = docket(&["sample", "--policy", &policy, "--cases", &cases, "--now", NOW, "--seed", "audit-2026", "--json"]);
    let lines: Vec<serde_json::Value> = out(&o).lines().map(|l| serde_json::from_str(l).expect("json line")).collect();
    let ids: Vec<&str> = lines.iter().map(|l| l["id"].as_str().unwrap_or("")).collect();
    assert_eq!(ids, ["Q-1", "Q-4", "Q-5", "Q-7"]);
    assert_eq!(lines[2], serde_json::json!({"id": "Q-5", "stratum": "high_value", "probability": 1, "line": 5}));
    assert_eq!(lines[0]["probability"], 0.5);
}

#[test]
fn sample_reads_cases_as_eval_does() {
    // A first line that is not JSON is its own error; the other cases are sampled as ever
    // (one line later).
    let (policy, cases) = files("bad-line", "{\"id\": \n");
    let o = docket(&["sample", "--policy", &policy, "--cases", &cases, "--now", NOW]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        out(&o),
        "# line 1: bad_json: the record is not valid JSON\nQ-5\thigh_value\t1\nQ-6\trefunds\t0.5\nQ-7\trefunds\t0.5\n"
    );
    let o = docket(&["sample", "--policy", &policy, "--cases", &cases, "--now", NOW, "--json"]);
    let first: serde_json::Value = serde_json::from_str(out(&o).lines().next().unwrap_or("")).expect("json");
    assert_eq!(first["line"], 1);
    assert_eq!(first["error"]["code"], "bad_json");
    // A policy without `qa.sample` draws no sample: a usage error.
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/order-ops.policy.json");
    let o = docket(&["sample", "--policy", example, "--cases", &cases, "--now", NOW]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).starts_with("docket: invalid_argument: the policy has no `qa.sample`"));
    // In the help.
    let o = docket(&["--help"]);
    assert!(out(&o).contains("sample"), "{}", out(&o));
    let o = docket(&["sample", "--help"]);
    let help = out(&o);
    assert!(help.contains("--seed") && help.contains("--json") && help.contains("HMAC-SHA256"), "{help}");
}

#[test]
fn seed_changes_eval_and_report_and_the_report_shows_qa_in_every_format() {
    let (policy, cases) = files("report", "");
    let o = docket(&["eval", "--policy", &policy, "--cases", &cases, "--now", NOW, "--seed", "audit-2026"]);
    let q1: serde_json::Value = serde_json::from_str(out(&o).lines().next().unwrap_or("")).expect("json");
    assert_eq!(q1["qa"]["sample"], serde_json::json!({"stratum": "refunds", "rate": 0.5}));
    let o = docket(&["eval", "--policy", &policy, "--cases", &cases, "--now", NOW]);
    let q1: serde_json::Value = serde_json::from_str(out(&o).lines().next().unwrap_or("")).expect("json");
    assert_eq!(q1["qa"]["sample"], serde_json::Value::Null);
    // The fixture's report (its reasoning in tests/conformance/qa.json).
    let args = ["report", "--policy", &policy, "--cases", &cases, "--now", NOW, "--seed", "audit-2026"];
    let o = docket(&args);
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).expect("report");
    assert_eq!(r["queues"]["refunds"]["qa"]["closed_by_barred"], 3);
    assert_eq!(r["sample"]["refunds"], serde_json::json!({"rate": 0.5, "cases": 5, "sampled": 3}));
    let mut table = args.to_vec();
    table.extend(["--format", "table"]);
    let t = out(&docket(&table));
    assert!(t.contains("QA: what actually happened against the policy"), "{t}");
    let row = |name: &str| {
        t.lines().skip_while(|l| !l.starts_with("QA: what actually")).find(|l| l.starts_with(name)).map(str::to_string)
    };
    // queue, checked, misrouted, late escalations, closed without, closed by barred, sampled.
    let refunds = row("refunds").expect("refunds row");
    assert_eq!(refunds.split_whitespace().collect::<Vec<_>>(), ["refunds", "6", "1", "3", "1", "3", "4"]);
    assert!(t.contains("QA sample by stratum"));
    let strata: Vec<Vec<&str>> = t
        .lines()
        .skip_while(|l| !l.starts_with("QA sample by stratum"))
        .skip(2)
        .take(3)
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(
        strata,
        [vec!["high_value", "1", "1", "1"], vec!["refunds", "0.5", "5", "3"], vec!["other", "0", "1", "0"]]
    );
    let mut html = args.to_vec();
    html.extend(["--format", "html"]);
    let h = out(&docket(&html));
    assert!(h.contains("<table id=\"qa\">"), "no #qa");
    assert!(h.contains(
        "<tr><td>returns</td><td>1</td><td class=\"bad\">1</td><td>0</td><td>0</td><td>0</td><td>0</td></tr>"
    ));
    assert!(h.contains("<tr><td>refunds</td><td>0.5</td><td>5</td><td>3</td></tr>"));
}
