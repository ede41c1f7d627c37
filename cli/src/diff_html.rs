//! The change-impact page of `docket diff --format html`: one self-contained HTML page
//! (inline SVG, no external assets) for a change board, built from the comparison's
//! JSON (the summary, and one row per changed case).

use crate::diff::{case_rows, change};
use crate::html::esc;
use crate::render::pct;
use serde_json::Value;
use std::fmt::Write;

/// The page's style sheet.
const STYLE: &str = "
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#1d2733;background:#f7f8fa}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:28px 0 8px}
.meta{color:#5b6775;font-size:13px} .cards{display:flex;gap:12px;margin:16px 0;flex-wrap:wrap}
.card{background:#fff;border:1px solid #dde2e8;border-radius:8px;padding:10px 16px;min-width:110px;max-width:190px}
.card b{display:block;font-size:22px} .card span{font-size:12px;color:#5b6775}
table{border-collapse:collapse;background:#fff;font-size:13px} th,td{border:1px solid #dde2e8;padding:5px 9px;text-align:right;vertical-align:top}
th:first-child,td:first-child{text-align:left} th{background:#eef1f5}
td.text{text-align:left} .move{background:#fff3cd;font-weight:600} .worse{color:#c62828;font-weight:600} .better{color:#2e7d32;font-weight:600}
.chg{background:#fff3cd} .tag{display:inline-block;background:#e3e7ed;border-radius:4px;padding:0 5px;margin:1px}
svg text{font-size:12px;fill:#1d2733} .scroll{overflow-x:auto;max-width:100%} #matrix th{font-size:11px}";

fn s(v: &Value) -> String {
    match v {
        Value::String(x) => esc(x),
        Value::Null => "—".into(),
        other => esc(&other.to_string()),
    }
}

fn n(v: &Value) -> u64 {
    v.as_u64().unwrap_or(0)
}

/// One changed case as a table row (one line): id, line, the changed aspects, and each
/// side's values, the ones that differ marked.
pub fn case_row(v: &Value, out: &mut String) {
    let tags: String =
        v["changed"].as_array().into_iter().flatten().map(|a| format!("<span class=\"tag\">{}</span>", s(a))).collect();
    let (mut before, mut after) = (String::new(), String::new());
    for (label, b, a) in case_rows(v) {
        let class = if b == a { "" } else { " class=\"chg\"" };
        let _ = write!(before, "<div{class}>{}: {}</div>", esc(&label), esc(&b));
        let _ = write!(after, "<div{class}>{}: {}</div>", esc(&label), esc(&a));
    }
    let _ = writeln!(
        out,
        "<tr><td>{}</td><td>{}</td><td class=\"text\">{tags}</td><td class=\"text\">{before}</td><td class=\"text\">{after}</td></tr>",
        s(&v["id"]),
        s(&v["line"])
    );
}

/// A count before and after, marked when it grows (`worse`) or shrinks (`better`), for
/// counts where more is worse.
fn count_cell(before: Option<u64>, after: Option<u64>, more_is_worse: bool) -> String {
    let text = |x: Option<u64>| x.map_or("—".into(), |x| x.to_string());
    let class = match (before, after) {
        (Some(b), Some(a)) if a > b && more_is_worse => " class=\"worse\"",
        (Some(b), Some(a)) if a < b && more_is_worse => " class=\"better\"",
        _ => "",
    };
    format!("<td{class}>{}</td>", change(&text(before), &text(after)))
}

/// The page: `doc` is the comparison's JSON without its changed cases, `rows` the rows
/// of the changed cases listed, `more` how many changed cases were not listed.
pub fn page(doc: &Value, rows: &str, more: u64) -> String {
    let sum = &doc["summary"];
    let (old, new) = (&doc["old"], &doc["new"]);
    let aspect = |a: &str| n(&sum["aspects"][a]);
    let cells = sum["queue_matrix"].as_array().cloned().unwrap_or_default();
    let moved: u64 = cells.iter().filter(|c| c["from"] != c["to"]).map(|c| n(&c["cases"])).sum();
    let newly: u64 = sum["newly"].as_object().into_iter().flatten().map(|(_, v)| n(v)).sum();
    let mut p = String::new();
    let _ = write!(
        p,
        r##"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Docket policy change — {name} {ov} → {nv}</title>
<style>{STYLE}
</style></head><body>
<h1>Policy change impact — {name} {ov} → {nv}</h1>
<div class="meta">cases evaluated as of {now} · old policy {oname} {ov} ({ofp}) · new policy {nname} {nv} ({nfp})</div>
<div class="cards" id="cards"><div class="card"><b>{cases}</b><span>cases compared</span></div><div class="card"><b id="changed">{changed}</b><span>cases changed</span></div><div class="card"><b>{moved}</b><span>change queue</span></div><div class="card"><b>{prio}</b><span>change priority</span></div><div class="card"><b>{appr}</b><span>change approval steps</span></div><div class="card"><b>{sla}</b><span>change SLA targets</span></div><div class="card"><b class="{ncls}">{newly}</b><span>newly unrouted, invalid, unusable or without authority</span></div></div>
"##,
        name = s(&new["name"]),
        oname = s(&old["name"]),
        nname = s(&new["name"]),
        ov = s(&old["version"]),
        nv = s(&new["version"]),
        ofp = s(&old["fingerprint"]),
        nfp = s(&new["fingerprint"]),
        now = s(&doc["now"]),
        cases = n(&sum["cases"]),
        changed = n(&sum["changed"]),
        prio = aspect("priority"),
        appr = aspect("approvals"),
        sla = aspect("targets"),
        ncls = if newly > 0 { "worse" } else { "" },
    );

    // Cases changed per aspect.
    p.push_str(
        "<h2>Cases changed, per decision</h2><table id=\"aspects\"><tr><th>decision</th><th>cases changed</th></tr>",
    );
    for (a, c) in sum["aspects"].as_object().into_iter().flatten() {
        let _ = write!(p, "<tr><td>{}</td><td>{}</td></tr>", esc(a), n(c));
    }
    p.push_str("</table>\n");

    matrix(&mut p, &cells);
    backlog(&mut p, sum);

    // Approval steps per role.
    p.push_str(
        "<h2>Approval steps per role</h2><table id=\"roles\"><tr><th>role</th><th>steps, before → after</th></tr>",
    );
    for (role, c) in sum["approval_steps"].as_object().into_iter().flatten() {
        let _ = write!(
            p,
            "<tr><td>{}</td>{}</tr>",
            esc(role),
            count_cell(c["before"].as_u64(), c["after"].as_u64(), false)
        );
    }
    p.push_str("</table>\n");

    // Rules.
    p.push_str("<h2>Rules whose cases change</h2>");
    let rules = sum["rules"].as_array().cloned().unwrap_or_default();
    if rules.is_empty() {
        p.push_str("<p id=\"rules\">None: every rule decides the same number of cases.</p>");
    } else {
        p.push_str("<table id=\"rules\"><tr><th>rule</th><th>cases, before → after</th></tr>");
        for r in &rules {
            let _ = write!(
                p,
                "<tr><td>{}</td>{}</tr>",
                s(&r["rule"]),
                count_cell(r["before"].as_u64(), r["after"].as_u64(), false)
            );
        }
        p.push_str("</table>");
    }
    for (id, key, what) in [("started", "rules_started", "start"), ("stopped", "rules_stopped", "stop")] {
        let ids: Vec<String> = sum[key].as_array().into_iter().flatten().map(s).collect();
        let _ = write!(
            p,
            "<p id=\"{id}\">Rules that {what} deciding any case: {}</p>",
            if ids.is_empty() { "none".into() } else { ids.join(", ") }
        );
    }

    // Cases that newly become (or stop being) a problem.
    p.push_str("\n<h2>Cases that newly become, or stop being…</h2><table id=\"statuses\"><tr><th></th><th>newly</th><th>no longer</th></tr>");
    for (k, v) in sum["newly"].as_object().into_iter().flatten() {
        let label = match k.as_str() {
            "error" => "unusable (error)",
            "no_authority" => "without authority (no_authority)",
            other => other,
        };
        let class = if n(v) > 0 { " class=\"worse\"" } else { "" };
        let _ =
            write!(p, "<tr><td>{}</td><td{class}>{}</td><td>{}</td></tr>", esc(label), n(v), n(&sum["no_longer"][k]));
    }
    p.push_str("</table>\n");

    // The changed cases.
    p.push_str("<h2>Changed cases</h2>");
    if rows.is_empty() {
        p.push_str("<p id=\"cases\">No case changes.</p>");
    } else {
        p.push_str(
            "<table id=\"cases\"><tr><th>case</th><th>line</th><th>changed</th><th>before</th><th>after</th></tr>\n",
        );
        p.push_str(rows);
        p.push_str("</table>");
        if more > 0 {
            let _ = write!(p, "<p id=\"more\">And {more} more changed cases (see --format json).</p>");
        }
    }
    p.push_str("\n</body></html>\n");
    p
}

/// The queue from → to matrix: old queues down, new queues across, cases that move
/// marked.
fn matrix(p: &mut String, cells: &[Value]) {
    let mut from: Vec<&Value> = Vec::new();
    let mut to: Vec<&Value> = Vec::new();
    for c in cells {
        if !from.contains(&&c["from"]) {
            from.push(&c["from"]);
        }
        if !to.contains(&&c["to"]) {
            to.push(&c["to"]);
        }
    }
    let name = |v: &Value| if v.is_null() { "(no queue)".to_string() } else { s(v) };
    p.push_str("<h2>Queues, old → new</h2><div class=\"scroll\"><table id=\"matrix\"><tr><th>old ↓ new →</th>");
    for t in &to {
        let _ = write!(p, "<th>{}</th>", name(t));
    }
    p.push_str("</tr>");
    for f in &from {
        let _ = write!(p, "<tr><td>{}</td>", name(f));
        for t in &to {
            let k = cells.iter().find(|c| &&c["from"] == f && &&c["to"] == t).map_or(0, |c| n(&c["cases"]));
            let class = if k > 0 && f != t { " class=\"move\"" } else { "" };
            let shown = if k == 0 { String::new() } else { k.to_string() };
            let _ = write!(p, "<td{class}>{shown}</td>");
        }
        p.push_str("</tr>");
    }
    p.push_str("</table></div>\n");
}

/// Breached and at-risk cases per queue before and after (a chart and a table).
fn backlog(p: &mut String, sum: &Value) {
    let queues: Vec<(&String, &Value)> = sum["queues"].as_object().into_iter().flatten().collect();
    let (label_w, bar_w, row_h) = (230.0, 420.0, 44.0);
    let most = queues
        .iter()
        .flat_map(|(_, q)| ["before", "after"].map(|k| n(&q[k]["breached"]) + n(&q[k]["warning"])))
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let h = row_h * queues.len() as f64 + 34.0;
    let _ = write!(
        p,
        r##"<h2>Backlog per queue, before and after</h2><svg id="backlog-change" xmlns="http://www.w3.org/2000/svg" width="{}" height="{h}" role="img" aria-label="breached and warning cases per queue before and after the change">"##,
        label_w + bar_w + 120.0
    );
    for (i, (name, q)) in queues.iter().enumerate() {
        let y = 8.0 + row_h * i as f64;
        let _ = write!(p, r##"<text x="0" y="{}">{}</text>"##, y + 24.0, esc(name));
        for (k, (side, dy)) in [("before", 0.0), ("after", 20.0)].into_iter().enumerate() {
            let (breached, warning) = (n(&q[side]["breached"]), n(&q[side]["warning"]));
            let wb = bar_w * breached as f64 / most;
            let ww = bar_w * warning as f64 / most;
            let (cb, cw) = if k == 0 { ("#9e6b6b", "#c9b27a") } else { ("#c62828", "#f9a825") };
            let _ = write!(
                p,
                r##"<text x="{}" y="{}" font-size="10">{side}</text><rect x="{label_w}" y="{}" width="{wb:.1}" height="16" fill="{cb}"><title>{}: {breached} breached {side}</title></rect><rect x="{:.1}" y="{}" width="{ww:.1}" height="16" fill="{cw}"><title>{}: {warning} at warning {side}</title></rect><text x="{:.1}" y="{}">{breached} / {warning}</text>"##,
                label_w - 40.0,
                y + dy + 12.0,
                y + dy,
                esc(name),
                label_w + wb,
                y + dy,
                esc(name),
                label_w + wb + ww + 6.0,
                y + dy + 12.0,
            );
        }
    }
    let ly = h - 10.0;
    let _ = writeln!(
        p,
        r##"<rect x="{label_w}" y="{}" width="12" height="12" fill="#c62828"/><text x="{}" y="{ly}">breached (after; muted: before)</text><rect x="{}" y="{}" width="12" height="12" fill="#f9a825"/><text x="{}" y="{ly}">warning</text></svg>"##,
        ly - 10.0,
        label_w + 16.0,
        label_w + 230.0,
        ly - 10.0,
        label_w + 246.0
    );
    p.push_str("<table id=\"queues\"><tr><th>queue</th><th>cases</th><th>open</th><th>warning</th><th>breached</th><th>attainment</th></tr>");
    for (name, q) in &queues {
        let (b, a) = (&q["before"], &q["after"]);
        let _ = write!(p, "<tr><td>{}</td>", esc(name));
        for (k, worse) in [("cases", false), ("open", false), ("warning", true), ("breached", true)] {
            p.push_str(&count_cell(b.get(k).and_then(Value::as_u64), a.get(k).and_then(Value::as_u64), worse));
        }
        let att = |v: &Value| if v.is_null() { "—".into() } else { pct(v["attainment"].as_f64()) };
        let class = match (b["attainment"].as_f64(), a["attainment"].as_f64()) {
            (Some(x), Some(y)) if y < x => " class=\"worse\"",
            (Some(x), Some(y)) if y > x => " class=\"better\"",
            _ => "",
        };
        let _ = write!(p, "<td{class}>{}</td></tr>", change(&att(b), &att(a)));
    }
    p.push_str("</table>\n");
}
