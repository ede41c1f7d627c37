//! Cell formatting shared by the text table and the HTML page, so both show the same
//! numbers the same way.

use docket_core::{Engine, QueueReport, Report};

/// A share as a percentage with one decimal; a dash when there is nothing to measure.
pub fn pct(x: Option<f64>) -> String {
    x.map_or("—".into(), |a| format!("{:.1}%", a * 100.0))
}

/// How long before `now` the instant `t` was, as hours and minutes (`72h45m`).
pub fn age(now: i64, t: i64) -> String {
    let s = (now - t).max(0);
    format!("{}h{:02}m", s / 3600, s / 60 % 60)
}

/// Queues with at least one case, with their names.
pub fn rows<'a>(engine: &'a Engine, rep: &'a Report) -> impl Iterator<Item = (&'a str, &'a QueueReport)> {
    engine.queues().zip(rep.queues.iter()).filter(|(_, q)| q.cases > 0)
}
