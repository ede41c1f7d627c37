//! The backlog report as one self-contained HTML page (inline SVG, no external assets).

use crate::render::{age, by_role, causes, hm, pct, rows, signed, signed_hm, values};
use docket_core::{Engine, QueueReport, Report};
use std::fmt::Write;

/// Text for the page: HTML's special characters as entities, and control characters
/// (which HTML forbids, and which would render as nothing or break a line) written as
/// `\u{1b}`, as the text table shows them.
pub fn esc(s: &str) -> String {
    crate::escape::text(s).replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

const BAND_COLORS: [&str; 6] = ["#4caf50", "#ffc107", "#ff7043", "#c62828", "#6a1b9a", "#37474f"];

/// The page's style sheet.
const STYLE: &str = "
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#1d2733;background:#f7f8fa}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:28px 0 8px}
.meta{color:#5b6775;font-size:13px} .cards{display:flex;gap:12px;margin:16px 0;flex-wrap:wrap}
.card{background:#fff;border:1px solid #dde2e8;border-radius:8px;padding:10px 16px;min-width:110px}
.card b{display:block;font-size:22px} .card span{font-size:12px;color:#5b6775}
table{border-collapse:collapse;background:#fff;font-size:13px} th,td{border:1px solid #dde2e8;padding:5px 9px;text-align:right}
th:first-child,td:first-child{text-align:left} th{background:#eef1f5}
.bad{color:#c62828;font-weight:600} .warn{color:#e65100;font-weight:600} .good{color:#2e7d32;font-weight:600} svg text{font-size:12px;fill:#1d2733}";

/// One self-contained HTML page for operations leaders.
pub fn page(engine: &Engine, rep: &Report, trend: Option<&serde_json::Value>) -> String {
    let bands: Vec<&str> = engine.bands().collect();
    let rows: Vec<_> = rows(engine, rep).collect();
    let now = docket_core::time::Rfc3339(rep.now).to_string();
    let mut s = String::new();
    let _ = write!(
        s,
        r##"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Docket backlog — {name}</title>
<style>{STYLE}
</style></head><body>
<h1>Backlog report — {name} {version}</h1>
<div class="meta">as of {now} · policy fingerprint {fp}</div>
<div class="cards"><div class="card"><b>{cases}</b><span>cases</span></div><div class="card"><b>{open}</b><span>open</span></div><div class="card"><b class="{bcls}">{breached}</b><span>breached</span></div><div class="card"><b class="{rcls}">{at_risk}</b><span>at risk</span></div><div class="card"><b>{errors}</b><span>errors</span></div><div class="card"><b>{invalid}</b><span>invalid (data quality)</span></div><div class="card"><b>{fired}</b><span>controls fired</span></div></div>
"##,
        name = esc(engine.name()),
        version = esc(engine.version()),
        fp = esc(engine.fingerprint()),
        cases = rep.cases,
        open = rows.iter().map(|(_, q)| q.open).sum::<u64>(),
        breached = rows.iter().map(|(_, q)| q.breached).sum::<u64>(),
        bcls = if rows.iter().any(|(_, q)| q.breached > 0) { "bad" } else { "" },
        at_risk = rows.iter().map(|(_, q)| q.at_risk).sum::<u64>(),
        rcls = if rows.iter().any(|(_, q)| q.at_risk > 0) { "warn" } else { "" },
        errors = rep.errors,
        invalid = rep.invalid,
        fired = rep.controls(engine).len(),
    );

    backlog_chart(&mut s, &rows, &bands);
    attainment_chart(&mut s, engine, rep, &rows);
    // Breaches and details.
    s.push_str("<h2>Queues</h2><table id=\"queues\"><tr><th>queue</th><th>cases</th><th>open</th>");
    for b in &bands {
        let _ = write!(s, "<th>{}</th>", esc(b));
    }
    s.push_str("<th>warning</th><th>breached</th><th>at risk</th><th>paused</th><th>met</th><th>missed</th><th>attainment</th><th>oldest open</th><th>issues</th></tr>\n");
    for (name, q) in &rows {
        let _ = write!(s, "<tr><td>{}</td><td>{}</td><td>{}</td>", esc(name), q.cases, q.open);
        for n in &q.bands {
            let _ = write!(s, "<td>{n}</td>");
        }
        let oldest =
            q.oldest_open.as_ref().map_or("—".into(), |(t, id)| format!("{} ({})", esc(id), age(rep.now, *t)));
        let issues: Vec<String> = docket_core::issue::ISSUE_CODES
            .iter()
            .zip(q.issues.iter())
            .filter(|(_, n)| **n > 0)
            .map(|(c, n)| format!("{} {n}", c.as_str()))
            .collect();
        let _ = writeln!(
            s,
            "<td>{}</td><td class=\"{}\">{}</td><td class=\"{}\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            q.warning,
            if q.breached > 0 { "bad" } else { "" },
            q.breached,
            if q.at_risk > 0 { "warn" } else { "" },
            q.at_risk,
            q.paused,
            q.met,
            q.missed,
            pct(q.attainment()),
            oldest,
            esc(&issues.join(", "))
        );
    }
    s.push_str("</table>\n");
    if let Some(t) = trend {
        trend_table(&mut s, t);
    }
    by_table(&mut s, engine, rep);
    metrics_table(&mut s, engine, rep);
    who_table(&mut s, engine, rep);
    causes_table(&mut s, engine, rep);
    crate::flow_view::html(&mut s, engine, rep);
    s.push_str("<h2>Backlog controls fired</h2>");
    let fired = rep.controls(engine);
    if fired.is_empty() {
        s.push_str("<p id=\"controls\">None.</p>");
    } else {
        s.push_str("<table id=\"controls\"><tr><th>control</th><th>queue</th><th>alert</th><th>to</th></tr>");
        for c in fired {
            let _ = write!(
                s,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(c.id),
                esc(c.queue),
                esc(c.alert),
                esc(c.to.unwrap_or("—"))
            );
        }
        s.push_str("</table>");
    }
    s.push_str("\n</body></html>\n");
    s
}

/// Chart dimensions shared by both charts.
const LABEL_W: f64 = 230.0;
const BAR_W: f64 = 520.0;
const ROW_H: f64 = 26.0;

/// Open cases per queue, stacked by ageing band.
fn backlog_chart(s: &mut String, rows: &[(&str, &QueueReport)], bands: &[&str]) {
    let (label_w, bar_w, row_h) = (LABEL_W, BAR_W, ROW_H);
    let max_open = rows.iter().map(|(_, q)| q.open).max().unwrap_or(0).max(1) as f64;
    let h = row_h * rows.len() as f64 + 40.0;
    let _ = write!(
        s,
        r##"<h2>Open cases per queue, by ageing band</h2><svg id="backlog" xmlns="http://www.w3.org/2000/svg" width="{}" height="{h}" role="img" aria-label="open cases per queue by ageing band">"##,
        label_w + bar_w + 60.0
    );
    for (i, (name, q)) in rows.iter().enumerate() {
        let y = 10.0 + row_h * i as f64;
        let _ = write!(s, r##"<text x="0" y="{}">{}</text>"##, y + 15.0, esc(name));
        let mut x = label_w;
        for (b, n) in q.bands.iter().enumerate() {
            if *n == 0 {
                continue;
            }
            let w = bar_w * *n as f64 / max_open;
            let color = BAND_COLORS.get(b).copied().unwrap_or("#90a4ae");
            let band = bands.get(b).copied().unwrap_or("");
            let _ = write!(
                s,
                r##"<rect x="{x:.1}" y="{y}" width="{w:.1}" height="18" fill="{color}"><title>{}: {n} {}</title></rect>"##,
                esc(name),
                esc(band)
            );
            x += w;
        }
        let _ = write!(s, r##"<text x="{:.1}" y="{}">{}</text>"##, x + 6.0, y + 15.0, q.open);
    }
    let ly = h - 12.0;
    let mut lx = label_w;
    for (b, band) in bands.iter().enumerate() {
        let color = BAND_COLORS.get(b).copied().unwrap_or("#90a4ae");
        let _ = write!(
            s,
            r##"<rect x="{lx}" y="{}" width="12" height="12" fill="{color}"/><text x="{}" y="{ly}">{}</text>"##,
            ly - 10.0,
            lx + 16.0,
            esc(band)
        );
        lx += 24.0 + 8.0 * band.len() as f64 + 20.0;
    }
    s.push_str("</svg>\n");
}

/// Colours of a metric's clocks: met, missed, open breached, open at risk, open on track.
const CLOCK_COLORS: [(&str, &str); 5] = [
    ("met", "#2e7d32"),
    ("missed", "#6d1b1b"),
    ("breached (open)", "#e53935"),
    ("at risk (open)", "#ffa000"),
    ("on track (open)", "#b0bec5"),
];

/// Per queue and metric, every clock of the metric in one bar: completed (met, missed) and
/// open (breached, at risk, on track) side by side, with attainment of the completed ones
/// beside it. A queue whose open clocks are all breached shows red, whatever its attainment.
fn attainment_chart(s: &mut String, engine: &Engine, rep: &Report, rows: &[(&str, &QueueReport)]) {
    // Labels name a queue and a metric: wider than the backlog chart's.
    let (label_w, bar_w, row_h) = (LABEL_W + 90.0, BAR_W, ROW_H);
    let metrics: Vec<&str> = engine.metrics().collect();
    let n = rows.len() * metrics.len();
    let max =
        rows.iter().flat_map(|(_, q)| q.metrics.iter().map(|m| m.met + m.missed + m.open)).max().unwrap_or(0).max(1)
            as f64;
    let h = row_h * n as f64 + 40.0;
    let horizon = rep
        .at_risk_s
        .map_or(String::from("no at-risk horizon"), |h| format!("at risk: at most {} business time left", hm(h)));
    let _ = write!(
        s,
        r##"<h2>SLA per queue and metric: attainment of completed clocks, with open clocks breached and at risk ({})</h2><svg id="attainment" xmlns="http://www.w3.org/2000/svg" width="{}" height="{h}" role="img" aria-label="SLA attainment, breached and at-risk clocks per queue and metric">"##,
        esc(&horizon),
        label_w + bar_w + 330.0
    );
    let mut i = 0usize;
    for (name, q) in rows {
        for (metric, m) in metrics.iter().zip(&q.metrics) {
            let y = 10.0 + row_h * i as f64;
            i += 1;
            let _ = write!(s, r##"<text x="0" y="{}">{} · {}</text>"##, y + 15.0, esc(name), esc(metric));
            let on_track = m.open.saturating_sub(m.breached_open + m.at_risk);
            let parts = [m.met, m.missed, m.breached_open, m.at_risk, on_track];
            let mut x = label_w;
            for ((label, color), k) in CLOCK_COLORS.iter().zip(parts) {
                if k == 0 {
                    continue;
                }
                let w = bar_w * k as f64 / max;
                let _ = write!(
                    s,
                    r##"<rect x="{x:.1}" y="{y}" width="{w:.1}" height="18" fill="{color}"><title>{} · {}: {k} {label}</title></rect>"##,
                    esc(name),
                    esc(metric)
                );
                x += w;
            }
            let _ = write!(
                s,
                r##"<text x="{:.1}" y="{}">attainment {} ({}/{}) · {} breached · {} at risk</text>"##,
                label_w + bar_w + 6.0,
                y + 15.0,
                pct(m.attainment()),
                m.met,
                m.met + m.missed,
                m.breached_open,
                m.at_risk
            );
        }
    }
    let ly = h - 12.0;
    let mut lx = label_w;
    for (label, color) in CLOCK_COLORS {
        let _ = write!(
            s,
            r##"<rect x="{lx}" y="{}" width="12" height="12" fill="{color}"/><text x="{}" y="{ly}">{label}</text>"##,
            ly - 10.0,
            lx + 16.0
        );
        lx += 24.0 + 7.0 * label.len() as f64 + 12.0;
    }
    s.push_str("</svg>\n");
}

/// The numbers of the chart above, as a table.
fn metrics_table(s: &mut String, engine: &Engine, rep: &Report) {
    s.push_str("<h2>SLA by metric</h2><table id=\"metrics\"><tr><th>queue</th><th>metric</th><th>met</th><th>missed</th><th>attainment</th><th>open</th><th>breached</th><th>at risk</th></tr>\n");
    for (name, q) in rows(engine, rep) {
        for (metric, m) in engine.metrics().zip(&q.metrics) {
            let _ = writeln!(
                s,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"{}\">{}</td><td class=\"{}\">{}</td></tr>",
                esc(name),
                esc(metric),
                m.met,
                m.missed,
                pct(m.attainment()),
                m.open,
                if m.breached_open > 0 { "bad" } else { "" },
                m.breached_open,
                if m.at_risk > 0 { "warn" } else { "" },
                m.at_risk
            );
        }
    }
    s.push_str("</table>\n");
}

/// Owners, pending approvals by role, escalations reached by role.
fn who_table(s: &mut String, engine: &Engine, rep: &Report) {
    s.push_str("<h2>Who</h2><table id=\"who\"><tr><th>queue</th><th>owner</th><th>pending approvals</th><th>escalated to</th></tr>\n");
    let owners: Vec<&str> = engine.owners().collect();
    for (i, (name, q)) in engine.queues().zip(rep.queues.iter()).enumerate() {
        if q.cases == 0 {
            continue;
        }
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(name),
            esc(owners.get(i).copied().unwrap_or("")),
            esc(&by_role(engine, &q.pending_approvals)),
            esc(&by_role(engine, &q.escalated_to))
        );
    }
    s.push_str("</table>\n");
}

/// Missed and breached metrics by cause, per queue.
fn causes_table(s: &mut String, engine: &Engine, rep: &Report) {
    s.push_str("<h2>Why: missed and breached metrics by cause</h2><table id=\"causes\"><tr><th>queue</th><th>cause</th><th>missed</th><th>breached</th><th>waited (business)</th></tr>\n");
    for (name, q) in rows(engine, rep) {
        for c in causes(engine, q) {
            let _ = writeln!(
                s,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(name),
                esc(c.name),
                c.missed,
                c.breached,
                hm(c.waiting_s)
            );
        }
    }
    s.push_str("</table>\n");
}

/// Per queue and combination of the `--by` fields.
fn by_table(s: &mut String, engine: &Engine, rep: &Report) {
    if rep.dimensions.is_empty() {
        return;
    }
    let fields: Vec<&str> = rep.dimensions.fields().collect();
    let _ = writeln!(
        s,
        "<h2>By {}</h2><table id=\"by\"><tr><th>queue</th><th>values</th><th>cases</th><th>open</th><th>warning</th><th>breached</th><th>at risk</th><th>met</th><th>missed</th><th>attainment</th></tr>",
        esc(&fields.join(", "))
    );
    for (name, q) in rows(engine, rep) {
        for (c, x) in &q.by {
            let _ = writeln!(
                s,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"{}\">{}</td><td class=\"{}\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(name),
                esc(&values(engine, rep, *c)),
                x.cases,
                x.open,
                x.warning,
                if x.breached > 0 { "bad" } else { "" },
                x.breached,
                if x.at_risk > 0 { "warn" } else { "" },
                x.at_risk,
                x.met,
                x.missed,
                pct(x.attainment())
            );
        }
    }
    s.push_str("</table>\n");
}

/// The change of each queue since the baseline report, and its verdict.
fn trend_table(s: &mut String, t: &serde_json::Value) {
    let _ = writeln!(
        s,
        "<h2>Trend since {} ({} later{})</h2><table id=\"trend\"><tr><th>queue</th><th>open</th><th>breached</th><th>at risk</th><th>oldest age</th><th>verdict</th></tr>",
        esc(t["baseline"]["now"].as_str().unwrap_or("?")),
        hm(t["elapsed_s"].as_i64().unwrap_or(0)),
        if t["baseline"]["same_policy"] == true { "" } else { "; the baseline is of another policy" }
    );
    for (name, q) in t["queues"].as_object().into_iter().flatten() {
        let verdict = q["verdict"].as_str().unwrap_or("");
        let cls = match verdict {
            "growing" => "bad",
            "shrinking" => "good",
            _ => "",
        };
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"{cls}\">{}</td></tr>",
            esc(name),
            signed(&q["open"]),
            signed(&q["breached"]),
            signed(&q["at_risk"]),
            signed_hm(&q["oldest_age_s"]),
            esc(verdict)
        );
    }
    s.push_str("</table>\n");
}
