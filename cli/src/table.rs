//! The backlog report as a fixed-width text table (`report --format table`).

use crate::escape::text;
use crate::render::{age, by_role, causes, hm, pct, rows, signed, signed_hm, values};
use docket_core::{Engine, Report};
use std::fmt::Write;

/// A fixed-width text table for a person at a terminal. Every name and id from the policy
/// or the cases is printed with its control characters escaped ([`text`]), so none can
/// move the cursor or start a row.
pub fn table(engine: &Engine, rep: &Report, trend: Option<&serde_json::Value>) -> String {
    let bands: Vec<&str> = engine.bands().collect();
    let mut s = String::new();
    let _ = writeln!(
        s,
        "Backlog at {} — {} cases, {} errors, {} invalid, {} unrouted, {} not yet open",
        docket_core::time::Rfc3339(rep.now),
        rep.cases,
        rep.errors,
        rep.invalid,
        rep.unrouted,
        rep.not_yet_open
    );
    let _ = write!(s, "{:<30} {:>6} {:>6}", "queue", "cases", "open");
    for b in &bands {
        let _ = write!(s, " {:>8}", text(b));
    }
    let _ = writeln!(
        s,
        " {:>7} {:>8} {:>7} {:>6} {:>5} {:>6} {:>8}  oldest open",
        "warning", "breached", "at risk", "paused", "met", "missed", "attain."
    );
    for (name, q) in rows(engine, rep) {
        let _ = write!(s, "{:<30} {:>6} {:>6}", text(name), q.cases, q.open);
        for n in &q.bands {
            let _ = write!(s, " {:>8}", n);
        }
        let oldest = q
            .oldest_open
            .as_ref()
            .map_or(String::from("—"), |(t, id)| format!("{} ({})", text(id), age(rep.now, *t)));
        let _ = writeln!(
            s,
            " {:>7} {:>8} {:>7} {:>6} {:>5} {:>6} {:>8}  {}",
            q.warning,
            q.breached,
            q.at_risk,
            q.paused,
            q.met,
            q.missed,
            pct(q.attainment()),
            oldest
        );
    }
    if let Some(t) = trend {
        trend_section(&mut s, t);
    }
    by(&mut s, engine, rep);
    metrics(&mut s, engine, rep);
    who(&mut s, engine, rep);
    why(&mut s, engine, rep);
    crate::flow_view::table(&mut s, engine, rep);
    let fired = rep.controls(engine);
    if fired.is_empty() {
        let _ = writeln!(s, "\nControls fired: none");
    } else {
        let _ = writeln!(s, "\nControls fired:");
        for c in fired {
            let _ = writeln!(
                s,
                "  {} {} → {} (alert {})",
                text(c.id),
                text(c.queue),
                text(c.to.unwrap_or("—")),
                text(c.alert)
            );
        }
    }
    s
}

/// Per queue and metric: attainment of the completed clocks beside the open ones breached
/// and at risk, so a queue whose open cases are all breached never reads as 100% alone.
fn metrics(s: &mut String, engine: &Engine, rep: &Report) {
    let horizon =
        rep.at_risk_s.map_or("no at-risk horizon".into(), |h| format!("at risk: at most {} business time left", hm(h)));
    let _ =
        writeln!(s, "\nSLA by metric (attainment of completed clocks; open clocks breached and at risk, {horizon})");
    let _ = writeln!(
        s,
        "{:<30} {:<14} {:>5} {:>6} {:>8} {:>6} {:>8} {:>7}",
        "queue", "metric", "met", "missed", "attain.", "open", "breached", "at risk"
    );
    for (name, q) in rows(engine, rep) {
        for (metric, m) in engine.metrics().zip(&q.metrics) {
            let _ = writeln!(
                s,
                "{:<30} {:<14} {:>5} {:>6} {:>8} {:>6} {:>8} {:>7}",
                text(name),
                text(metric),
                m.met,
                m.missed,
                pct(m.attainment()),
                m.open,
                m.breached_open,
                m.at_risk
            );
        }
    }
}

/// Per queue: the owner, the approval steps open cases still need by role, and open
/// cases by the role their escalation has reached.
fn who(s: &mut String, engine: &Engine, rep: &Report) {
    let _ = writeln!(s, "\nWho");
    let _ = writeln!(s, "{:<30} {:<20} {:<34} escalated to", "queue", "owner", "pending approvals");
    let owners: Vec<&str> = engine.owners().collect();
    for (i, (name, q)) in engine.queues().zip(rep.queues.iter()).enumerate() {
        if q.cases == 0 {
            continue;
        }
        let _ = writeln!(
            s,
            "{:<30} {:<20} {:<34} {}",
            text(name),
            text(owners.get(i).copied().unwrap_or("")),
            text(&by_role(engine, &q.pending_approvals)),
            text(&by_role(engine, &q.escalated_to))
        );
    }
}

/// Per queue: missed and breached metrics by cause, and the business time waited on each.
fn why(s: &mut String, engine: &Engine, rep: &Report) {
    let _ = writeln!(s, "\nWhy: missed and breached metrics by cause");
    let _ = writeln!(s, "{:<30} {:<14} {:>6} {:>8} {:>10}", "queue", "cause", "missed", "breached", "waited");
    let mut any = false;
    for (name, q) in rows(engine, rep) {
        for c in causes(engine, q) {
            any = true;
            let _ = writeln!(
                s,
                "{:<30} {:<14} {:>6} {:>8} {:>10}",
                text(name),
                text(c.name),
                c.missed,
                c.breached,
                hm(c.waiting_s)
            );
        }
    }
    if !any {
        let _ = writeln!(s, "none");
    }
}

/// Per queue and combination of the `--by` fields: the main counts (the JSON has all).
fn by(s: &mut String, engine: &Engine, rep: &Report) {
    if rep.dimensions.is_empty() {
        return;
    }
    let fields: Vec<&str> = rep.dimensions.fields().collect();
    let _ = writeln!(s, "\nBy {}", text(&fields.join(", ")));
    let _ = writeln!(
        s,
        "{:<30} {:<36} {:>6} {:>6} {:>7} {:>8} {:>7} {:>5} {:>6} {:>8}",
        "queue", "values", "cases", "open", "warning", "breached", "at risk", "met", "missed", "attain."
    );
    for (name, q) in rows(engine, rep) {
        for (c, x) in &q.by {
            let _ = writeln!(
                s,
                "{:<30} {:<36} {:>6} {:>6} {:>7} {:>8} {:>7} {:>5} {:>6} {:>8}",
                text(name),
                text(&values(engine, rep, *c)),
                x.cases,
                x.open,
                x.warning,
                x.breached,
                x.at_risk,
                x.met,
                x.missed,
                pct(x.attainment())
            );
        }
    }
}

/// The change of each queue since the baseline report, and its verdict.
fn trend_section(s: &mut String, t: &serde_json::Value) {
    let _ = writeln!(
        s,
        "\nTrend since {} ({} later{})",
        text(t["baseline"]["now"].as_str().unwrap_or("?")),
        hm(t["elapsed_s"].as_i64().unwrap_or(0)),
        if t["baseline"]["same_policy"] == true { "" } else { "; the baseline is of another policy" }
    );
    let _ =
        writeln!(s, "{:<30} {:>6} {:>8} {:>7} {:>11}  verdict", "queue", "open", "breached", "at risk", "oldest age");
    for (name, q) in t["queues"].as_object().into_iter().flatten() {
        let _ = writeln!(
            s,
            "{:<30} {:>6} {:>8} {:>7} {:>11}  {}",
            text(name),
            signed(&q["open"]),
            signed(&q["breached"]),
            signed(&q["at_risk"]),
            signed_hm(&q["oldest_age_s"]),
            q["verdict"].as_str().unwrap_or("")
        );
    }
}
