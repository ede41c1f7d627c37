//! The flow of a report (`--since`, `--bucket`) as a section of the text table and of the
//! HTML page: per queue and bucket the cases received, closed and carried over, and the
//! cycle times of the metrics completed in each bucket. Both show the JSON's numbers.

use crate::escape::text;
use crate::html::esc;
use docket_core::time::Rfc3339;
use docket_core::{Cycles, Engine, Flow, QueueFlow, Report};
use std::fmt::Write;

/// Seconds exactly, as hours, minutes and seconds: `45s`, `20m00s`, `25h00m00s`.
pub fn hms(s: u64) -> String {
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m{:02}s", s / 60, s % 60),
        _ => format!("{}h{:02}m{:02}s", s / 3600, s / 60 % 60, s % 60),
    }
}

/// The queues with cases, with their names and flow.
fn queues<'a>(engine: &'a Engine, rep: &'a Report, f: &'a Flow) -> impl Iterator<Item = (&'a str, &'a QueueFlow)> {
    engine.queues().zip(rep.queues.iter()).zip(&f.queues).filter(|((_, q), _)| q.cases > 0).map(|((n, _), f)| (n, f))
}

/// One line of the period: `day buckets in UTC from ... to ... (since ...)`.
fn period(engine: &Engine, f: &Flow) -> String {
    format!(
        "{} buckets in {} from {} to {} (since {})",
        f.bucket.as_str(),
        engine.report_timezone(),
        Rfc3339(f.edges.first().copied().unwrap_or(f.since)),
        Rfc3339(f.edges.last().copied().unwrap_or(f.since)),
        Rfc3339(f.since)
    )
}

/// A cycle-time cell's kind and metric names.
fn names(engine: &Engine, kind: Option<u32>, metric: u32) -> (&str, &str) {
    let kind = kind.and_then(|k| engine.kinds().get(k as usize)).map_or("—", String::as_str);
    (kind, engine.metrics().nth(metric as usize).unwrap_or(""))
}

/// mean, p50, p90, max.
fn stats(c: &Cycles) -> [String; 4] {
    let d = |v: Option<u64>| v.map_or("—".into(), hms);
    [d(c.mean()), d(c.percentile(50)), d(c.percentile(90)), hms(c.max)]
}

/// The text table's section.
pub fn table(s: &mut String, engine: &Engine, rep: &Report) {
    let Some(f) = &rep.flow else { return };
    let _ = writeln!(s, "\nFlow: {}", text(&period(engine, f)));
    let _ =
        writeln!(s, "{:<30} {:<22} {:>8} {:>7} {:>12}", "queue", "bucket start", "received", "closed", "carried over");
    for (name, q) in queues(engine, rep, f) {
        let _ = writeln!(s, "{:<30} {:<22} {:>8} {:>7} {:>12}", text(name), "(open at start)", "", "", q.open_at_start);
        let rows = f.edges.iter().zip(&q.received).zip(&q.closed).zip(q.carried_over());
        for (((start, r), c), carried) in rows {
            let _ =
                writeln!(s, "{:<30} {:<22} {:>8} {:>7} {:>12}", text(name), Rfc3339(*start).to_string(), r, c, carried);
        }
    }
    let _ = writeln!(
        s,
        "\nCycle times of the metrics completed in each bucket (mean, p50, p90, max; p50 and p90 within 1/128)"
    );
    let _ = writeln!(
        s,
        "{:<30} {:<22} {:<20} {:<12} {:>6}  {:<44}  calendar",
        "queue", "bucket start", "kind", "metric", "count", "business"
    );
    let mut any = false;
    for (name, q) in queues(engine, rep, f) {
        for c in &q.cycles {
            any = true;
            let (kind, metric) = names(engine, c.kind, c.metric);
            let start = f.edges.get(c.bucket as usize).map_or(String::new(), |t| Rfc3339(*t).to_string());
            let _ = writeln!(
                s,
                "{:<30} {:<22} {:<20} {:<12} {:>6}  {:<44}  {}",
                text(name),
                start,
                text(kind),
                text(metric),
                c.business.count,
                stats(&c.business).join(" / "),
                stats(&c.calendar).join(" / ")
            );
        }
    }
    if !any {
        let _ = writeln!(s, "none");
    }
}

/// Colours of the flow chart: received, closed, carried over.
const COLORS: [(&str, &str); 3] = [("received", "#1e88e5"), ("closed", "#43a047"), ("carried over", "#546e7a")];

/// The page's section: a chart of every queue's cases received and closed per bucket with
/// those carried over, a table `#flow` per queue and bucket, and a table `#cycle-times`.
pub fn html(s: &mut String, engine: &Engine, rep: &Report) {
    let Some(f) = &rep.flow else { return };
    let n = f.buckets();
    let total = |pick: &dyn Fn(&QueueFlow) -> Vec<u64>| -> Vec<u64> {
        let mut t = vec![0u64; n];
        for (_, q) in queues(engine, rep, f) {
            for (a, b) in t.iter_mut().zip(pick(q)) {
                *a += b;
            }
        }
        t
    };
    let series = [total(&|q| q.received.clone()), total(&|q| q.closed.clone()), total(&|q| q.carried_over().collect())];
    let max = series.iter().flatten().copied().max().unwrap_or(0).max(1) as f64;
    let (left, plot_w, plot_h) = (40.0, 900.0, 180.0);
    let slot = plot_w / n.max(1) as f64;
    let bar = (slot / 3.0).max(1.0);
    let _ = write!(
        s,
        r##"<h2>Flow: {}</h2><svg id="flow-chart" xmlns="http://www.w3.org/2000/svg" width="{}" height="{}" role="img" aria-label="cases received, closed and carried over per bucket, every queue">"##,
        esc(&period(engine, f)),
        left + plot_w + 20.0,
        plot_h + 60.0
    );
    let _ = write!(s, r##"<text x="0" y="14">{}</text>"##, max as u64);
    for b in 0..n {
        let x0 = left + slot * b as f64;
        let start = f.edges.get(b).map_or(String::new(), |t| Rfc3339(*t).to_string());
        for (k, ((label, color), v)) in
            COLORS.iter().zip(series.iter().map(|v| v.get(b).copied().unwrap_or(0))).enumerate()
        {
            let h = plot_h * v as f64 / max;
            let _ = write!(
                s,
                r##"<rect x="{:.1}" y="{:.1}" width="{bar:.1}" height="{h:.1}" fill="{color}"{}><title>{start}: {v} {label}</title></rect>"##,
                x0 + bar * k as f64,
                10.0 + plot_h - h,
                if k == 2 { r#" fill-opacity="0.45""# } else { "" }
            );
        }
    }
    let ly = plot_h + 45.0;
    let mut lx = left;
    for (label, color) in COLORS {
        let _ = write!(
            s,
            r##"<rect x="{lx}" y="{}" width="12" height="12" fill="{color}"/><text x="{}" y="{ly}">{label}</text>"##,
            ly - 10.0,
            lx + 16.0
        );
        lx += 40.0 + 7.0 * label.len() as f64;
    }
    let _ = writeln!(
        s,
        r##"<text x="{left}" y="{}">{}</text><text x="{}" y="{}" text-anchor="end">{}</text></svg>"##,
        plot_h + 25.0,
        Rfc3339(f.edges.first().copied().unwrap_or(f.since)),
        left + plot_w,
        plot_h + 25.0,
        Rfc3339(f.edges.get(n.saturating_sub(1)).copied().unwrap_or(f.since))
    );
    s.push_str("<table id=\"flow\"><tr><th>queue</th><th>bucket start</th><th>received</th><th>closed</th><th>carried over</th></tr>\n");
    for (name, q) in queues(engine, rep, f) {
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td>(open at start)</td><td></td><td></td><td>{}</td></tr>",
            esc(name),
            q.open_at_start
        );
        let rows = f.edges.iter().zip(&q.received).zip(&q.closed).zip(q.carried_over());
        for (((start, r), c), carried) in rows {
            let _ = writeln!(
                s,
                "<tr><td>{}</td><td>{}</td><td>{r}</td><td>{c}</td><td>{carried}</td></tr>",
                esc(name),
                Rfc3339(*start)
            );
        }
    }
    s.push_str("</table>\n");
    s.push_str("<h2>Cycle times of the metrics completed in each bucket (p50 and p90 within 1/128)</h2><table id=\"cycle-times\"><tr><th>queue</th><th>bucket start</th><th>kind</th><th>metric</th><th>count</th><th>business mean</th><th>p50</th><th>p90</th><th>max</th><th>calendar mean</th><th>p50</th><th>p90</th><th>max</th></tr>\n");
    for (name, q) in queues(engine, rep, f) {
        for c in &q.cycles {
            let (kind, metric) = names(engine, c.kind, c.metric);
            let start = f.edges.get(c.bucket as usize).map_or(String::new(), |t| Rfc3339(*t).to_string());
            let _ = write!(
                s,
                "<tr><td>{}</td><td>{start}</td><td>{}</td><td>{}</td><td>{}</td>",
                esc(name),
                esc(kind),
                esc(metric),
                c.business.count
            );
            for v in stats(&c.business).iter().chain(&stats(&c.calendar)) {
                let _ = write!(s, "<td>{v}</td>");
            }
            s.push_str("</tr>\n");
        }
    }
    s.push_str("</table>\n");
}

#[cfg(test)]
mod tests {
    use super::hms;

    #[test]
    fn seconds_read_exactly() {
        assert_eq!(
            (hms(0), hms(45), hms(1200), hms(90_000), hms(3_661)),
            ("0s".into(), "45s".into(), "20m00s".into(), "25h00m00s".into(), "1h01m01s".into())
        );
    }
}
