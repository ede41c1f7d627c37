//! `docket diff`: every case under an old and a new policy, the cases whose decisions
//! change and the impact of the change on the batch.
//!
//! The cases stream through the pipeline of `eval` ([`pipeline::run`]): each worker
//! decodes a record under both engines, compares the outcomes ([`CaseDiff`]), adds the
//! comparison to its own [`DiffReport`] and renders the changed cases in the format
//! asked for; the reports of the workers are merged at the end. Memory stays flat: the
//! JSON and the table stream every changed case, the HTML page lists the first
//! [`HTML_CASES`].

use crate::input::{self, InputFormat};
use crate::pipeline::{self, Work};
use crate::{Failure, diff_html, escape};
use docket_core::{Case, CaseDiff, CaseError, Changes, DiffReport, Engine};
use serde_json::Value;
use std::fmt::Write as _;
use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

/// Changed cases the HTML page lists (the rest are counted).
pub const HTML_CASES: usize = 1000;

/// How `docket diff` writes the comparison.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    /// Text for a terminal: each changed case, then the summary.
    Table,
    /// One JSON document: {"old", "new", "now", "changed": [...], "summary": {...}}.
    Json,
    /// One self-contained HTML page: the change-impact page for a change board.
    Html,
}

/// What `docket diff` compares, and how it answers.
pub struct Diff<'a> {
    pub old: &'a Engine,
    pub new: &'a Engine,
    pub cases: &'a str,
    pub input_format: InputFormat,
    pub now: i64,
    pub format: DiffFormat,
    /// Exit 1 when any case changes in one of these aspects.
    pub fail_on: Changes,
    pub workers: usize,
}

/// One worker: both decoded cases, the comparison, what it adds up to.
struct Worker<'e> {
    old: &'e Engine,
    new: &'e Engine,
    now: i64,
    format: DiffFormat,
    a: Case,
    b: Case,
    diff: CaseDiff,
    report: DiffReport,
    json: Vec<u8>,
}

impl Work for Worker<'_> {
    fn record(&mut self, number: u64, record: Result<&str, CaseError>, out: &mut Vec<u8>) {
        input::decode(self.old, record, &mut self.a);
        input::decode(self.new, record, &mut self.b);
        self.diff.compare(self.old, &self.a, self.new, &self.b, self.now);
        self.report.add(&self.diff);
        if self.diff.changes().is_empty() {
            return;
        }
        self.json.clear();
        self.diff.write_json(self.old, self.new, Some(number), &mut self.json);
        match self.format {
            // Each case after a comma; the writer drops the first one.
            DiffFormat::Json => {
                out.extend_from_slice(b",\n");
                out.extend_from_slice(&escape::json(&self.json));
            }
            DiffFormat::Table | DiffFormat::Html => {
                let Ok(v) = serde_json::from_slice::<Value>(&self.json) else { return };
                let mut s = String::new();
                if self.format == DiffFormat::Table {
                    case_text(&v, &mut s);
                } else {
                    diff_html::case_row(&v, &mut s);
                }
                out.extend_from_slice(s.as_bytes());
            }
        }
    }
}

/// Runs `docket diff`.
pub fn run(d: &Diff<'_>) -> Result<ExitCode, Failure> {
    let workers = (0..d.workers.max(1))
        .map(|_| Worker {
            old: d.old,
            new: d.new,
            now: d.now,
            format: d.format,
            a: Case::new(),
            b: Case::new(),
            diff: CaseDiff::new(),
            report: DiffReport::new(d.old, d.new, d.now),
            json: Vec::new(),
        })
        .collect();
    let mut report = DiffReport::new(d.old, d.new, d.now);
    let mut stdout = BufWriter::with_capacity(1 << 16, io::stdout());
    let mut tail = Vec::new();
    match d.format {
        DiffFormat::Json => {
            let mut head = Vec::new();
            report.write_head(d.old, d.new, &mut head);
            stdout.write_all(&escape::json(&head)).map_err(Failure::output)?;
            let mut w = FirstCommaDropped { inner: &mut stdout, first: true };
            merge(&mut report, pipeline::run(d.old, d.cases, d.input_format, workers, &mut w)?);
            let mut json = b"\n".to_vec();
            report.write_tail(d.old, d.new, &mut json);
            json.push(b'\n');
            tail.extend_from_slice(&escape::json(&json));
        }
        DiffFormat::Table => {
            merge(&mut report, pipeline::run(d.old, d.cases, d.input_format, workers, &mut stdout)?);
            tail.extend_from_slice(summary_text(d.old, d.new, &report).as_bytes());
        }
        DiffFormat::Html => {
            let mut rows = Rows { text: Vec::new(), kept: 0, more: 0 };
            merge(&mut report, pipeline::run(d.old, d.cases, d.input_format, workers, &mut rows)?);
            let summary = summary_value(d.old, d.new, &report);
            tail.extend_from_slice(
                diff_html::page(&summary, &String::from_utf8_lossy(&rows.text), rows.more).as_bytes(),
            );
        }
    }
    stdout.write_all(&tail).and_then(|()| stdout.flush()).map_err(Failure::output)?;
    if report.fails(d.fail_on) {
        let hit: Vec<String> = d
            .fail_on
            .iter()
            .filter(|a| report.count(*a) > 0)
            .map(|a| format!("{} {}", a.as_str(), report.count(a)))
            .collect();
        eprintln!("docket: diff: cases changed in {} (--fail-on)", hit.join(", "));
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

fn merge(into: &mut DiffReport, workers: Vec<Worker<'_>>) {
    for w in &workers {
        into.merge(&w.report);
    }
}

/// The summary as a JSON value (the core's text, parsed), for the table and the page.
fn summary_value(old: &Engine, new: &Engine, report: &DiffReport) -> Value {
    let mut buf = Vec::new();
    report.write_head(old, new, &mut buf);
    report.write_tail(old, new, &mut buf);
    serde_json::from_slice(&buf).unwrap_or(Value::Null)
}

/// A writer that drops the first byte written when it is a comma: the changed cases of
/// the JSON document each come after a comma, and the first after none.
struct FirstCommaDropped<'w> {
    inner: &'w mut (dyn Write + Send),
    first: bool,
}

impl Write for FirstCommaDropped<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.first && !buf.is_empty() {
            self.first = false;
            if let Some(rest) = buf.strip_prefix(b",") {
                self.inner.write_all(rest)?;
                return Ok(buf.len());
            }
        }
        self.inner.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// The rows of the HTML page: the first [`HTML_CASES`] lines kept, the others counted.
struct Rows {
    text: Vec<u8>,
    kept: usize,
    more: u64,
}

impl Write for Rows {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        for line in buf.split_inclusive(|&b| b == b'\n') {
            if self.kept < HTML_CASES {
                self.text.extend_from_slice(line);
                self.kept += usize::from(line.ends_with(b"\n"));
            } else {
                self.more += 1;
            }
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

// ---- text ---------------------------------------------------------------------------

/// A duration of business seconds as `8h`, `2h30m`, `45m`, `90s`.
pub fn duration(s: i64) -> String {
    let (h, m, sec) = (s / 3600, s / 60 % 60, s % 60);
    let mut out = String::new();
    if h != 0 {
        let _ = write!(out, "{h}h");
    }
    if m != 0 {
        let _ = write!(out, "{m}m");
    }
    if sec != 0 || out.is_empty() {
        let _ = write!(out, "{sec}s");
    }
    out
}

/// A string of the comparison, escaped for a terminal; `—` for null or absent.
fn text(v: &Value) -> String {
    match v {
        Value::String(s) => escape::text(s).into_owned(),
        Value::Null => "—".into(),
        other => other.to_string(),
    }
}

/// One value of a side of a changed case, as text: `key` says how to read it.
pub fn value_text(key: &str, v: Option<&Value>) -> String {
    let Some(v) = v else { return "—".into() };
    let list = |items: Vec<String>| if items.is_empty() { "none".to_string() } else { items.join(", ") };
    match (key, v) {
        ("approvals", Value::Array(steps)) => list(
            steps
                .iter()
                .map(|s| {
                    let by = s.get("done_by").map_or(String::new(), |b| format!(", done by {}", text(b)));
                    format!("{} ({}{by})", text(&s["role"]), text(&s["rule"]))
                })
                .collect(),
        ),
        ("issues", Value::Array(issues)) => list(
            issues
                .iter()
                .map(|i| match i.get("field") {
                    Some(f) => format!("{} {}", text(&i["code"]), text(f)),
                    None => text(&i["code"]),
                })
                .collect(),
        ),
        ("rules", Value::Array(ids)) => ids.iter().map(text).collect::<Vec<_>>().join(" "),
        ("metric", Value::Object(m)) => format!(
            "{} {}, due {}, {}",
            text(&m["calendar"]),
            m["target_s"].as_i64().map_or("?".into(), duration),
            text(&m["due"]),
            text(&m["state"])
        ),
        ("metric", Value::Null) => "no target".into(),
        _ => text(v),
    }
}

/// The rows of a changed case: (label, before, after), each value as text, in the order
/// the comparison lists aspects; the deciding rules last.
pub fn case_rows(v: &Value) -> Vec<(String, String, String)> {
    let (b, a) = (&v["before"], &v["after"]);
    let mut rows = Vec::new();
    let mut row = |label: String, key: &str, x: Option<&Value>, y: Option<&Value>| {
        rows.push((label, value_text(key, x), value_text(key, y)));
    };
    for key in ["error", "queue", "owner", "priority", "approvals"] {
        if b.get(key).is_some() || a.get(key).is_some() {
            row(key.into(), key, b.get(key), a.get(key));
        }
    }
    let mut metrics: Vec<&String> = b["sla"].as_object().map(|m| m.keys().collect()).unwrap_or_default();
    for k in a["sla"].as_object().map(|m| m.keys().collect::<Vec<_>>()).unwrap_or_default() {
        if !metrics.contains(&k) {
            metrics.push(k);
        }
    }
    for m in metrics {
        row(format!("sla.{}", escape::text(m)), "metric", b["sla"].get(m), a["sla"].get(m));
    }
    for key in ["band", "issues", "rules"] {
        if b.get(key).is_some() || a.get(key).is_some() {
            row(key.into(), key, b.get(key), a.get(key));
        }
    }
    rows
}

/// `before → after`, or the value once when it did not change.
pub fn change(before: &str, after: &str) -> String {
    if before == after { before.to_string() } else { format!("{before} → {after}") }
}

/// A changed case as lines of text.
fn case_text(v: &Value, s: &mut String) {
    let changed: Vec<String> = v["changed"].as_array().map_or(Vec::new(), |a| a.iter().map(text).collect());
    let line = v["line"].as_u64().map_or(String::new(), |l| format!(" (line {l})"));
    let _ = writeln!(s, "{}{line}: {}", text(&v["id"]), changed.join(", "));
    for (label, before, after) in case_rows(v) {
        let _ = writeln!(s, "    {label:<18} {}", change(&before, &after));
    }
}

/// A count before and after: `3 → 2`, or `3` unchanged.
fn counts(v: &Value) -> String {
    change(&text(&v["before"]), &text(&v["after"]))
}

/// The summary as text.
fn summary_text(old: &Engine, new: &Engine, report: &DiffReport) -> String {
    let v = summary_value(old, new, report);
    let sum = &v["summary"];
    let mut s = String::new();
    let policy = |p: &Value| format!("{} {}", text(&p["name"]), text(&p["version"]));
    let _ = writeln!(s, "\nPolicy change {} → {}, at {}", policy(&v["old"]), policy(&v["new"]), text(&v["now"]));
    let _ = writeln!(s, "  old {}\n  new {}", text(&v["old"]["fingerprint"]), text(&v["new"]["fingerprint"]));
    let _ = writeln!(s, "{} cases compared, {} changed", sum["cases"], sum["changed"]);
    let aspects: Vec<String> = sum["aspects"]
        .as_object()
        .map(|m| m.iter().filter(|(_, n)| n.as_u64() != Some(0)).map(|(k, n)| format!("{k} {n}")).collect())
        .unwrap_or_default();
    let _ = writeln!(
        s,
        "  cases by changed aspect: {}",
        if aspects.is_empty() { "none".into() } else { aspects.join(", ") }
    );

    let cells = sum["queue_matrix"].as_array().cloned().unwrap_or_default();
    let (moves, stay): (Vec<&Value>, Vec<&Value>) = cells.iter().partition(|c| c["from"] != c["to"]);
    let stayed: u64 = stay.iter().filter_map(|c| c["cases"].as_u64()).sum();
    let _ = writeln!(s, "\nQueue moves (old → new): {} stayed in their queue", stayed);
    for c in &moves {
        let _ = writeln!(s, "  {:>6}  {} → {}", c["cases"], text(&c["from"]), text(&c["to"]));
    }
    if moves.is_empty() {
        let _ = writeln!(s, "  none");
    }

    let _ = writeln!(s, "\nBacklog per queue (before → after)");
    let _ = writeln!(
        s,
        "  {:<30} {:>13} {:>13} {:>13} {:>13} {:>17}",
        "queue", "cases", "open", "warning", "breached", "attainment"
    );
    let side = |q: &Value, k: &str| match k {
        "attainment" => {
            if q.is_null() {
                "—".to_string()
            } else {
                crate::render::pct(q["attainment"].as_f64())
            }
        }
        _ => q.get(k).map_or("—".into(), text),
    };
    for (name, q) in sum["queues"].as_object().into_iter().flatten() {
        let cell = |k: &str| change(&side(&q["before"], k), &side(&q["after"], k));
        let _ = writeln!(
            s,
            "  {:<30} {:>13} {:>13} {:>13} {:>13} {:>17}",
            escape::text(name),
            cell("cases"),
            cell("open"),
            cell("warning"),
            cell("breached"),
            cell("attainment")
        );
    }

    let pairs = |m: &Value| -> String {
        let items: Vec<String> =
            m.as_object().into_iter().flatten().map(|(k, v)| format!("{} {}", escape::text(k), counts(v))).collect();
        if items.is_empty() { "none".into() } else { items.join(", ") }
    };
    let _ = writeln!(s, "\nApproval steps per role (before → after): {}", pairs(&sum["approval_steps"]));
    let rules: Vec<String> =
        sum["rules"].as_array().into_iter().flatten().map(|r| format!("{} {}", text(&r["rule"]), counts(r))).collect();
    let _ = writeln!(
        s,
        "Rules whose cases changed (before → after): {}",
        if rules.is_empty() { "none".into() } else { rules.join(", ") }
    );
    let ids = |k: &str| -> String {
        let v: Vec<String> = sum[k].as_array().into_iter().flatten().map(text).collect();
        if v.is_empty() { "none".into() } else { v.join(", ") }
    };
    let _ =
        writeln!(s, "Rules that start deciding cases: {}; that stop: {}", ids("rules_started"), ids("rules_stopped"));
    let statuses = |k: &str| -> String {
        sum[k].as_object().into_iter().flatten().map(|(k, n)| format!("{k} {n}")).collect::<Vec<_>>().join(", ")
    };
    let _ = writeln!(s, "Cases that newly become: {}", statuses("newly"));
    let _ = writeln!(s, "Cases that stop being: {}", statuses("no_longer"));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_hours_and_minutes() {
        assert_eq!(duration(28800), "8h");
        assert_eq!(duration(9000), "2h30m");
        assert_eq!(duration(2700), "45m");
        assert_eq!(duration(0), "0s");
        assert_eq!(duration(3661), "1h1m1s");
    }

    #[test]
    fn the_first_comma_is_dropped_once() {
        let mut out: Vec<u8> = Vec::new();
        {
            let mut w = FirstCommaDropped { inner: &mut out, first: true };
            w.write_all(b",\n{\"a\":1}").and_then(|()| w.write_all(b",\n{\"b\":2}")).expect("write");
        }
        assert_eq!(out, b"\n{\"a\":1},\n{\"b\":2}");
    }

    #[test]
    fn the_page_keeps_the_first_rows_and_counts_the_rest() {
        let mut rows = Rows { text: Vec::new(), kept: HTML_CASES - 1, more: 0 };
        rows.write_all(b"<tr>a</tr>\n<tr>b</tr>\n<tr>c</tr>\n").expect("write");
        assert_eq!((rows.text, rows.more), (b"<tr>a</tr>\n".to_vec(), 2));
    }
}
