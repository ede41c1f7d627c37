//! The backlog report as a fixed-width text table (`report --format table`).

use crate::escape::text;
use crate::render::{age, pct, rows};
use docket_core::{Engine, Report};
use std::fmt::Write;

/// A fixed-width text table for a person at a terminal. Every name and id from the policy
/// or the cases is printed with its control characters escaped ([`text`]), so none can
/// move the cursor or start a row.
pub fn table(engine: &Engine, rep: &Report) -> String {
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
        " {:>7} {:>8} {:>6} {:>5} {:>6} {:>8}  oldest open",
        "warning", "breached", "paused", "met", "missed", "attain."
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
            " {:>7} {:>8} {:>6} {:>5} {:>6} {:>8}  {}",
            q.warning,
            q.breached,
            q.paused,
            q.met,
            q.missed,
            pct(q.attainment()),
            oldest
        );
    }
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
