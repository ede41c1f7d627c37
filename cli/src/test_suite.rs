//! `docket test`: test suites for a policy. A suite (JSON) pins an instant and lists
//! cases with the part of their outcome they must get, `authorize` questions with the
//! part of the decision they must get, and the part of the batch report the cases must
//! add up to. Expectations match by subset; a failure names every field that differs,
//! expected against got. `--record` writes a suite from today's outcomes; `--coverage`
//! lists the rules no case of the suites decided by; `--junit` writes JUnit XML.
//!
//! ```jsonc
//! {
//!   "name": "...", "fingerprint": "sha256:...",        // optional: the policy it was written for
//!   "now": "2026-11-23T10:00:00Z",
//!   "cases": [ { "name": "...", "why": "...", "now": "...",   // name, why, now optional
//!                "case": { ... }, "expect": { ...subset of the outcome... } } ],
//!   "authorize": [ { "name": "...", "why": "...", "case": { ... }, "actor": { "id": "u-9", "roles": [...] },
//!                    "action": "close", "expect": { ...subset of the decision... } } ],
//!   "report": { ...subset of the report of the cases... }
//! }
//! ```

use crate::input::{self, InputFormat};
use crate::{Failure, escape, parse_now};
use docket_core::{Actor, Case, Decision, Engine, ErrorCode, Outcome, Report};
use serde_json::{Map, Value, json};
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io::{self, Write};
use std::process::ExitCode;

/// The outcome fields `--record` keeps unless `--fields` says which.
pub const DEFAULT_FIELDS: &str =
    "error,queue,owner,priority,sla.*.state,sla.*.due,band,approvals.remaining,issues.*.code,trace";
/// The report fields `--record` keeps.
const REPORT_FIELDS: &str = "cases,errors,invalid,unrouted,queues.*.cases,queues.*.open,queues.*.warning,\
queues.*.breached,queues.*.attainment,controls";
/// The keys a suite may have.
const SUITE_KEYS: &[&str] = &["name", "description", "fingerprint", "now", "cases", "authorize", "report"];
const CASE_KEYS: &[&str] = &["name", "why", "now", "case", "expect"];
const AUTHORIZE_KEYS: &[&str] = &["name", "why", "now", "case", "actor", "action", "expect"];

/// What `docket test` was asked.
pub struct Options<'a> {
    pub policy: &'a str,
    pub suites: &'a [String],
    pub junit: Option<&'a str>,
    pub coverage: bool,
    pub record: bool,
    pub cases: Option<&'a str>,
    pub input_format: InputFormat,
    pub fields: Option<&'a str>,
    pub now: Option<&'a str>,
}

/// A case of a suite.
struct CaseTest {
    name: String,
    case: Value,
    now: i64,
    expect: Value,
}

/// An `authorize` question of a suite.
struct AuthTest {
    name: String,
    case: Value,
    actor: Actor,
    action: String,
    now: i64,
    expect: Value,
}

/// A suite, read and checked.
struct Suite {
    path: String,
    fingerprint: Option<String>,
    now: i64,
    cases: Vec<CaseTest>,
    authorize: Vec<AuthTest>,
    report: Option<Value>,
}

/// A field that differs: where, what the suite expects, what the policy gives.
#[derive(Debug, PartialEq, Eq)]
pub struct Mismatch {
    pub path: String,
    pub expected: String,
    pub got: String,
}

/// One test's result.
struct TestResult {
    name: String,
    mismatches: Vec<Mismatch>,
}

/// Runs `docket test`.
pub fn run(engine: &Engine, o: &Options<'_>) -> Result<ExitCode, Failure> {
    if o.record {
        return record(engine, o);
    }
    if o.cases.is_some() || o.fields.is_some() || o.now.is_some() {
        return Err(Failure::argument("--cases, --fields and --now go with --record"));
    }
    if o.suites.is_empty() {
        return Err(Failure::argument("give at least one SUITE file (or --record)"));
    }
    // Every suite is read before any runs: one that cannot be used stops the run.
    let suites: Vec<Suite> = o.suites.iter().map(|p| load(p)).collect::<Result<_, _>>()?;
    let mut fired = BTreeSet::new();
    let mut results = Vec::new();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "docket test: policy {} {} ({})",
        escape::text(engine.name()),
        escape::text(engine.version()),
        engine.fingerprint()
    );
    let (mut passed, mut failed) = (0usize, 0usize);
    for suite in &suites {
        if let Some(fp) = suite.fingerprint.as_deref().filter(|fp| *fp != engine.fingerprint()) {
            eprintln!(
                "docket: warning: {} was written for policy fingerprint {}; {} is {}",
                escape::text(&suite.path),
                escape::text(fp),
                escape::text(o.policy),
                engine.fingerprint()
            );
        }
        let r = run_suite(engine, suite, &mut fired);
        let _ = writeln!(out, "{}", escape::text(&suite.path));
        for t in &r {
            if t.mismatches.is_empty() {
                passed += 1;
                let _ = writeln!(out, "  ok    {}", escape::text(&t.name));
            } else {
                failed += 1;
                let _ = writeln!(out, "  FAIL  {}", escape::text(&t.name));
                for m in &t.mismatches {
                    let _ = writeln!(out, "          {}", escape::text(&mismatch_line(m)));
                }
            }
        }
        results.push(r);
    }
    let _ = writeln!(out, "{passed} passed, {failed} failed");
    if o.coverage {
        out.push_str(&coverage(engine, &fired, suites.len()));
    }
    io::stdout().write_all(out.as_bytes()).map_err(Failure::output)?;
    if let Some(path) = o.junit {
        std::fs::write(path, junit(engine, &suites, &results))
            .map_err(|e| Failure::argument(format!("cannot write {path}: {e}")))?;
    }
    Ok(if failed == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// `path: expected X, got Y`.
fn mismatch_line(m: &Mismatch) -> String {
    format!("{}: expected {}, got {}", m.path, m.expected, m.got)
}

/// The test's name: `cases[3]`, then its `name` or the case's id.
fn test_name(kind: &str, i: usize, name: Option<&Value>, case: &Value) -> String {
    let label = name.and_then(Value::as_str).or_else(|| case.get("id").and_then(Value::as_str));
    match label {
        Some(l) => format!("{kind}[{i}] {l}"),
        None => format!("{kind}[{i}]"),
    }
}

// ---- reading a suite ----------------------------------------------------------------

fn unusable(path: &str, at: &str, why: impl std::fmt::Display) -> Failure {
    Failure::new(ErrorCode::InvalidArgument, format!("{path}: {at}: {why}"))
}

/// Checks that `v` is an object with only `keys`.
fn object<'v>(path: &str, at: &str, v: &'v Value, keys: &[&str]) -> Result<&'v Map<String, Value>, Failure> {
    let m = v.as_object().ok_or_else(|| unusable(path, at, "must be an object"))?;
    if let Some(k) = m.keys().find(|k| !keys.contains(&k.as_str())) {
        return Err(unusable(
            path,
            &format!("{at}/{k}"),
            format!("unknown key (expected one of: {})", keys.join(", ")),
        ));
    }
    Ok(m)
}

fn instant(path: &str, at: &str, v: &Value) -> Result<i64, Failure> {
    v.as_str()
        .and_then(docket_core::time::parse_rfc3339)
        .ok_or_else(|| unusable(path, at, "must be an RFC 3339 timestamp such as \"2026-11-23T10:00:00Z\""))
}

fn read_json(path: &str) -> Result<Value, Failure> {
    let text = std::fs::read_to_string(path).map_err(|e| Failure::argument(format!("cannot read {path}: {e}")))?;
    serde_json::from_str(&text).map_err(|e| Failure::new(ErrorCode::InvalidJson, format!("{path} is not JSON: {e}")))
}

/// Reads and checks a suite: its shape, instants and actors.
fn load(path: &str) -> Result<Suite, Failure> {
    let v = read_json(path)?;
    let top = object(path, "/", &v, SUITE_KEYS)?;
    let now = instant(path, "/now", top.get("now").unwrap_or(&Value::Null))?;
    let fingerprint = match top.get("fingerprint") {
        None => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err(unusable(path, "/fingerprint", "must be a string (sha256:...)")),
    };
    let list = |key: &str| -> Result<&[Value], Failure> {
        match top.get(key) {
            None => Ok(&[]),
            Some(Value::Array(a)) => Ok(a),
            Some(_) => Err(unusable(path, &format!("/{key}"), "must be an array")),
        }
    };
    let expect = |m: &Map<String, Value>, at: &str| -> Result<Value, Failure> {
        match m.get("expect") {
            Some(e @ Value::Object(_)) => Ok(e.clone()),
            _ => Err(unusable(path, &format!("{at}/expect"), "must be an object: the expected part of the result")),
        }
    };
    let own_now = |m: &Map<String, Value>, at: &str| match m.get("now") {
        Some(t) => instant(path, &format!("{at}/now"), t),
        None => Ok(now),
    };
    let mut cases = Vec::new();
    for (i, c) in list("cases")?.iter().enumerate() {
        let at = format!("/cases/{i}");
        let m = object(path, &at, c, CASE_KEYS)?;
        let case = m.get("case").ok_or_else(|| unusable(path, &at, "has no `case`"))?.clone();
        cases.push(CaseTest {
            name: test_name("cases", i, m.get("name"), &case),
            now: own_now(m, &at)?,
            expect: expect(m, &at)?,
            case,
        });
    }
    let mut authorize = Vec::new();
    for (i, a) in list("authorize")?.iter().enumerate() {
        let at = format!("/authorize/{i}");
        let m = object(path, &at, a, AUTHORIZE_KEYS)?;
        let case = m.get("case").ok_or_else(|| unusable(path, &at, "has no `case`"))?.clone();
        let actor: Actor = serde_json::from_value(m.get("actor").cloned().unwrap_or(Value::Null)).map_err(|e| {
            unusable(path, &format!("{at}/actor"), format!("must be {{\"id\": ..., \"roles\": [...]}}: {e}"))
        })?;
        let action = m
            .get("action")
            .and_then(Value::as_str)
            .ok_or_else(|| unusable(path, &format!("{at}/action"), "must be a string such as \"close\""))?
            .to_string();
        authorize.push(AuthTest {
            name: test_name("authorize", i, m.get("name"), &case),
            now: own_now(m, &at)?,
            expect: expect(m, &at)?,
            case,
            actor,
            action,
        });
    }
    let report = match top.get("report") {
        None => None,
        Some(Value::Object(r)) => {
            // `why` explains the expectation; the report itself has no such key.
            let mut r = r.clone();
            r.remove("why");
            Some(Value::Object(r))
        }
        Some(_) => return Err(unusable(path, "/report", "must be an object: the expected part of the report")),
    };
    Ok(Suite { path: path.to_string(), fingerprint, now, cases, authorize, report })
}

// ---- running a suite ----------------------------------------------------------------

/// A suite's case as record text: an object as its JSON; a string is the record's text
/// as it is given (so a suite can hold records that are not JSON, or not objects).
fn record_text(case: &Value) -> String {
    match case {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Evaluates a suite's case into `out`.
fn evaluate(engine: &Engine, case: &Value, now: i64, c: &mut Case, out: &mut Outcome) {
    engine.decode_json(&record_text(case), c);
    engine.evaluate(c, now, out);
}

/// The decision on an `authorize` question, as of the suite's `now`.
fn decide(engine: &Engine, t: &AuthTest, now: i64) -> Decision {
    let mut c = Case::new();
    engine.decode_json(&record_text(&t.case), &mut c);
    engine.authorize(&c, &t.actor, &t.action, now)
}

fn decision_value(d: &Decision) -> Value {
    serde_json::to_value(d).unwrap_or(Value::Null)
}

fn run_suite(engine: &Engine, suite: &Suite, fired: &mut BTreeSet<String>) -> Vec<TestResult> {
    let mut results = Vec::new();
    let (mut c, mut out) = (Case::new(), Outcome::new());
    let mut report = Report::new(engine, suite.now);
    for t in &suite.cases {
        evaluate(engine, &t.case, t.now, &mut c, &mut out);
        report.add(&out);
        fired.extend(out.trace_gids().iter().map(|&g| engine.trace_id(g).to_string()));
        let got: Value = serde_json::from_str(&engine.outcome_json(&out)).unwrap_or(Value::Null);
        results.push(TestResult { name: t.name.clone(), mismatches: compare(&t.expect, &got) });
    }
    for t in &suite.authorize {
        let got = decision_value(&decide(engine, t, t.now));
        results.push(TestResult { name: t.name.clone(), mismatches: compare(&t.expect, &got) });
    }
    if let Some(expect) = &suite.report {
        let got: Value = serde_json::from_str(&report.to_json(engine)).unwrap_or(Value::Null);
        results.push(TestResult { name: "report".into(), mismatches: compare(expect, &got) });
    }
    results
}

/// Every field of `expected` that `actual` does not match: an object matches when every
/// key it names matches (others are ignored); `null` matches null or absent; an array
/// matches one of the same length whose elements match in order; numbers compare by
/// value; other values compare equal.
pub fn compare(expected: &Value, actual: &Value) -> Vec<Mismatch> {
    let mut out = Vec::new();
    walk(expected, Some(actual), "", &mut out);
    out
}

fn walk(expected: &Value, actual: Option<&Value>, path: &str, out: &mut Vec<Mismatch>) {
    let child = |k: &str| if path.is_empty() { k.to_string() } else { format!("{path}.{k}") };
    match (expected, actual) {
        (Value::Null, None | Some(Value::Null)) => {}
        (Value::Object(e), Some(Value::Object(a))) => {
            for (k, v) in e {
                walk(v, a.get(k), &child(k), out);
            }
        }
        (Value::Array(e), Some(Value::Array(a))) if e.len() == a.len() => {
            for (i, (x, y)) in e.iter().zip(a).enumerate() {
                walk(x, Some(y), &format!("{path}[{i}]"), out);
            }
        }
        (Value::Number(e), Some(Value::Number(a))) if same_number(e, a) => {}
        (e, Some(a)) if e == a => {}
        (e, a) => out.push(Mismatch {
            path: if path.is_empty() { "(the whole result)".into() } else { path.to_string() },
            expected: e.to_string(),
            got: a.map_or("absent".into(), Value::to_string),
        }),
    }
}

fn same_number(a: &serde_json::Number, b: &serde_json::Number) -> bool {
    match (a.as_i64(), b.as_i64()) {
        (Some(x), Some(y)) => x == y,
        _ => match (a.as_u64(), b.as_u64()) {
            (Some(x), Some(y)) => x == y,
            _ => a.as_f64() == b.as_f64(),
        },
    }
}

// ---- coverage -----------------------------------------------------------------------

/// The rules of each table that no case of the suites was decided by.
fn coverage(engine: &Engine, fired: &BTreeSet<String>, suites: usize) -> String {
    let rules = engine.table_rules();
    let hit = rules.iter().filter(|(_, id)| fired.contains(*id)).count();
    let mut s = format!("coverage: {hit} of {} rules decided a case of the {suites} suite(s)\n", rules.len());
    let mut tables: Vec<&str> = Vec::new();
    for (t, _) in &rules {
        if !tables.contains(t) {
            tables.push(t);
        }
    }
    for t in tables {
        let missed: Vec<String> = rules
            .iter()
            .filter(|(table, id)| *table == t && !fired.contains(*id))
            .map(|(_, id)| escape::text(id).into_owned())
            .collect();
        if missed.is_empty() {
            let _ = writeln!(s, "  {t:<12} every rule fired");
        } else {
            let _ = writeln!(s, "  {t:<12} never fired: {}", missed.join(", "));
        }
    }
    s
}

// ---- JUnit XML ----------------------------------------------------------------------

/// Text for XML: control characters other than line breaks as `\u{1b}` (XML 1.0
/// forbids most of them), the special characters as entities.
fn xml(s: &str) -> String {
    escape::lines(s)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

fn junit(engine: &Engine, suites: &[Suite], results: &[Vec<TestResult>]) -> String {
    let count = |r: &[TestResult]| (r.len(), r.iter().filter(|t| !t.mismatches.is_empty()).count());
    let (tests, failures) = results.iter().map(|r| count(r)).fold((0, 0), |(a, b), (c, d)| (a + c, b + d));
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(x, "<testsuites name=\"docket test\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\">");
    for (suite, r) in suites.iter().zip(results) {
        let (n, f) = count(r);
        let _ = writeln!(x, "  <testsuite name=\"{}\" tests=\"{n}\" failures=\"{f}\" errors=\"0\">", xml(&suite.path));
        let _ = writeln!(
            x,
            "    <properties><property name=\"policy\" value=\"{} {}\"/><property name=\"fingerprint\" value=\"{}\"/>{}</properties>",
            xml(engine.name()),
            xml(engine.version()),
            xml(engine.fingerprint()),
            suite
                .fingerprint
                .as_deref()
                .map_or(String::new(), |p| format!("<property name=\"pinned_fingerprint\" value=\"{}\"/>", xml(p)))
        );
        for t in r {
            let _ = write!(x, "    <testcase classname=\"{}\" name=\"{}\"", xml(&suite.path), xml(&t.name));
            if t.mismatches.is_empty() {
                x.push_str("/>\n");
                continue;
            }
            let lines: Vec<String> = t.mismatches.iter().map(mismatch_line).collect();
            let _ = writeln!(
                x,
                "><failure type=\"mismatch\" message=\"{} field(s) differ\">{}</failure></testcase>",
                t.mismatches.len(),
                xml(&lines.join("\n"))
            );
        }
        x.push_str("  </testsuite>\n");
    }
    x.push_str("</testsuites>\n");
    x
}

// ---- recording ----------------------------------------------------------------------

/// Field paths: dotted keys, `*` for every key of an object or element of an array.
fn fields(list: &str) -> Result<Vec<Vec<String>>, Failure> {
    let paths: Vec<Vec<String>> = list
        .split(',')
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .map(|f| f.split('.').map(str::to_string).collect())
        .collect();
    if paths.is_empty() || paths.iter().flatten().any(String::is_empty) {
        return Err(Failure::argument(format!("--fields `{list}`: expected paths such as queue,sla.*.state")));
    }
    Ok(paths)
}

/// The part of `v` that `path` selects, under the keys that lead to it; an absent last
/// key is `null` (which expects it absent).
fn pick(v: &Value, path: &[String]) -> Option<Value> {
    let Some((first, rest)) = path.split_first() else { return Some(v.clone()) };
    match (first.as_str(), v) {
        ("*", Value::Object(m)) => {
            Some(Value::Object(m.iter().filter_map(|(k, x)| pick(x, rest).map(|p| (k.clone(), p))).collect()))
        }
        // Every element, so the array keeps its length; `{}` matches any object.
        ("*", Value::Array(a)) => {
            Some(Value::Array(a.iter().map(|x| pick(x, rest).unwrap_or_else(|| json!({}))).collect()))
        }
        (k, Value::Object(m)) => {
            let inner = match m.get(k) {
                Some(x) => pick(x, rest)?,
                None if rest.is_empty() => Value::Null,
                None => return None,
            };
            Some(json!({ k: inner }))
        }
        _ => None,
    }
}

/// `add` merged into `into`: objects key by key, arrays of one length element by element.
fn merge(into: &mut Value, add: Value) {
    match (into, add) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                match a.get_mut(&k) {
                    Some(x) => merge(x, v),
                    None => {
                        a.insert(k, v);
                    }
                }
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (x, y) in a.iter_mut().zip(b) {
                merge(x, y);
            }
        }
        (slot, v) => *slot = v,
    }
}

/// The fields `paths` of `v`, as one object.
fn project(v: &Value, paths: &[Vec<String>]) -> Value {
    let mut out = json!({});
    for p in paths {
        if let Some(part) = pick(v, p) {
            merge(&mut out, part);
        }
    }
    out
}

fn outcome_value(engine: &Engine, out: &Outcome) -> Value {
    serde_json::from_str(&engine.outcome_json(out)).unwrap_or(Value::Null)
}

fn report_value(engine: &Engine, report: &Report) -> Value {
    let paths = fields(REPORT_FIELDS).unwrap_or_default();
    project(&serde_json::from_str(&report.to_json(engine)).unwrap_or(Value::Null), &paths)
}

fn recorded_decision(d: &Decision) -> Value {
    let reasons: Vec<Value> = d.reasons.iter().map(|r| json!({"code": r.code.as_str()})).collect();
    json!({"allowed": d.allowed, "reasons": reasons})
}

/// `--record`: a suite from today's outcomes, on stdout.
fn record(engine: &Engine, o: &Options<'_>) -> Result<ExitCode, Failure> {
    if o.junit.is_some() || o.coverage {
        return Err(Failure::argument("--record writes a suite; --junit and --coverage go with running suites"));
    }
    let paths = fields(o.fields.unwrap_or(DEFAULT_FIELDS))?;
    let (mut c, mut out) = (Case::new(), Outcome::new());
    let suite = match (o.cases, o.suites) {
        (Some(path), []) => {
            let now = parse_now(o.now)?;
            let mut report = Report::new(engine, now);
            let mut cases = Vec::new();
            let mut skipped = 0u64;
            input::for_each_record(engine, path, o.input_format, |_, record| {
                let Ok(text) = record else {
                    skipped += 1;
                    return Ok(());
                };
                let case: Value = serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_string()));
                evaluate(engine, &case, now, &mut c, &mut out);
                report.add(&out);
                cases.push(json!({"case": case, "expect": project(&outcome_value(engine, &out), &paths)}));
                Ok(())
            })?;
            if skipped > 0 {
                eprintln!("docket: warning: {skipped} record(s) too large or not UTF-8 left out of the suite");
            }
            let now = docket_core::time::Rfc3339(now).to_string();
            json!({"fingerprint": engine.fingerprint(), "now": now, "cases": cases, "report": report_value(engine, &report)})
        }
        (None, [path]) => {
            let parsed = load(path)?;
            let mut v = read_json(path)?;
            let mut report = Report::new(engine, parsed.now);
            if let Some(cases) = v.get_mut("cases").and_then(Value::as_array_mut) {
                for (entry, t) in cases.iter_mut().zip(&parsed.cases) {
                    evaluate(engine, &t.case, t.now, &mut c, &mut out);
                    report.add(&out);
                    entry["expect"] = project(&outcome_value(engine, &out), &paths);
                }
            }
            if let Some(asks) = v.get_mut("authorize").and_then(Value::as_array_mut) {
                for (entry, t) in asks.iter_mut().zip(&parsed.authorize) {
                    entry["expect"] = recorded_decision(&decide(engine, t, t.now));
                }
            }
            if v.get("report").is_some() {
                v["report"] = report_value(engine, &report);
            }
            v["fingerprint"] = json!(engine.fingerprint());
            v
        }
        _ => {
            return Err(Failure::argument(
                "--record needs either --cases FILE (a new suite) or exactly one SUITE (its expectations recorded again)",
            ));
        }
    };
    let text = serde_json::to_string_pretty(&suite).map_err(|e| Failure::new(ErrorCode::Internal, e.to_string()))?;
    let text = escape::json(text.as_bytes()).into_owned();
    let mut stdout = io::stdout().lock();
    stdout.write_all(&text).and_then(|()| stdout.write_all(b"\n")).map_err(Failure::output)?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subset_matching_names_every_field_that_differs() {
        let got = json!({"queue": "q", "priority": "P2", "sla": {"r": {"state": "ok", "target_s": 3600}},
                         "trace": ["R1", "S1"], "consumed": 0.5});
        assert_eq!(
            compare(&json!({"queue": "q", "band": null, "consumed": 0.50, "sla": {"r": {"target_s": 3600.0}}}), &got),
            []
        );
        let m =
            compare(&json!({"priority": "P1", "sla": {"r": {"state": "breached"}, "x": {}}, "trace": ["R1"]}), &got);
        let lines: Vec<String> = m.iter().map(mismatch_line).collect();
        assert_eq!(
            lines,
            [
                "priority: expected \"P1\", got \"P2\"",
                "sla.r.state: expected \"breached\", got \"ok\"",
                "sla.x: expected {}, got absent",
                "trace: expected [\"R1\"], got [\"R1\",\"S1\"]",
            ]
        );
        assert_eq!(compare(&json!({"trace": ["R1", "S2"]}), &got)[0].path, "trace[1]");
    }

    #[test]
    fn recording_keeps_the_fields_asked_for() {
        let outcome = json!({"id": "C", "queue": "q", "sla": {"response": {"state": "met", "due": "t"},
                             "resolution": {"state": "ok", "due": "u"}},
                             "issues": [{"code": "missing_field", "field": "x", "detail": "d"}], "trace": ["R1"]});
        let Ok(paths) = fields("queue,sla.*.state,band,issues.*.code,error.code") else { panic!("fields") };
        assert_eq!(
            project(&outcome, &paths),
            json!({"queue": "q", "sla": {"response": {"state": "met"}, "resolution": {"state": "ok"}},
                   "band": null, "issues": [{"code": "missing_field"}]})
        );
        assert!(fields("queue,,").is_ok() && fields("a..b").is_err() && fields("").is_err());
    }

    #[test]
    fn junit_text_is_escaped() {
        assert_eq!(xml("a<b & \"c\" \u{1b}"), "a&lt;b &amp; &quot;c&quot; \\u{1b}");
    }
}
