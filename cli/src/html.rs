//! The backlog report as one self-contained HTML page (inline SVG, no external assets).

use crate::render::{age, pct, rows};
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
.bad{color:#c62828;font-weight:600} svg text{font-size:12px;fill:#1d2733}";

/// One self-contained HTML page for operations leaders.
pub fn page(engine: &Engine, rep: &Report) -> String {
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
<div class="cards"><div class="card"><b>{cases}</b><span>cases</span></div><div class="card"><b>{open}</b><span>open</span></div><div class="card"><b class="{bcls}">{breached}</b><span>breached</span></div><div class="card"><b>{errors}</b><span>errors</span></div><div class="card"><b>{invalid}</b><span>invalid (data quality)</span></div><div class="card"><b>{fired}</b><span>controls fired</span></div></div>
"##,
        name = esc(engine.name()),
        version = esc(engine.version()),
        fp = esc(engine.fingerprint()),
        cases = rep.cases,
        open = rows.iter().map(|(_, q)| q.open).sum::<u64>(),
        breached = rows.iter().map(|(_, q)| q.breached).sum::<u64>(),
        bcls = if rows.iter().any(|(_, q)| q.breached > 0) { "bad" } else { "" },
        errors = rep.errors,
        invalid = rep.invalid,
        fired = rep.controls(engine).len(),
    );

    backlog_chart(&mut s, &rows, &bands);
    attainment_chart(&mut s, &rows);
    // Breaches and details.
    s.push_str("<h2>Queues</h2><table id=\"queues\"><tr><th>queue</th><th>cases</th><th>open</th>");
    for b in &bands {
        let _ = write!(s, "<th>{}</th>", esc(b));
    }
    s.push_str("<th>warning</th><th>breached</th><th>paused</th><th>met</th><th>missed</th><th>attainment</th><th>oldest open</th><th>issues</th></tr>\n");
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
            "<td>{}</td><td class=\"{}\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            q.warning,
            if q.breached > 0 { "bad" } else { "" },
            q.breached,
            q.paused,
            q.met,
            q.missed,
            pct(q.attainment()),
            oldest,
            esc(&issues.join(", "))
        );
    }
    s.push_str("</table>\n<h2>Backlog controls fired</h2>");
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

/// SLA attainment per queue.
fn attainment_chart(s: &mut String, rows: &[(&str, &QueueReport)]) {
    let (label_w, bar_w, row_h) = (LABEL_W, BAR_W, ROW_H);
    let h2 = row_h * rows.len() as f64 + 20.0;
    let _ = write!(
        s,
        r##"<h2>SLA attainment per queue (completed metrics met)</h2><svg id="attainment" xmlns="http://www.w3.org/2000/svg" width="{}" height="{h2}" role="img" aria-label="SLA attainment per queue">"##,
        label_w + bar_w + 150.0
    );
    for (i, (name, q)) in rows.iter().enumerate() {
        let y = 10.0 + row_h * i as f64;
        let _ = write!(
            s,
            r##"<text x="0" y="{}">{}</text><rect x="{label_w}" y="{y}" width="{bar_w}" height="18" fill="#e3e7ed"/>"##,
            y + 15.0,
            esc(name)
        );
        if let Some(a) = q.attainment() {
            let color = if a >= 0.95 {
                "#2e7d32"
            } else if a >= 0.8 {
                "#f9a825"
            } else {
                "#c62828"
            };
            let _ = write!(s, r##"<rect x="{label_w}" y="{y}" width="{:.1}" height="18" fill="{color}"/>"##, bar_w * a);
        }
        let _ = write!(
            s,
            r##"<text x="{}" y="{}">{} ({}/{})</text>"##,
            label_w + bar_w + 6.0,
            y + 15.0,
            pct(q.attainment()),
            q.met,
            q.met + q.missed
        );
    }
    s.push_str("</svg>\n");
}
