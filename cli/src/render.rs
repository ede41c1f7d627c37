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

/// A business duration in hours and minutes (`2h00m`).
pub fn hm(s: i64) -> String {
    let s = s.max(0);
    format!("{}h{:02}m", s / 3600, s / 60 % 60)
}

/// Counts by role, the roles with a count in policy order: `finance_reviewer 3, team_lead 1`,
/// or a dash.
pub fn by_role(engine: &Engine, counts: &[u64]) -> String {
    let parts: Vec<String> =
        engine.roles().zip(counts).filter(|(_, n)| **n > 0).map(|(r, n)| format!("{r} {n}")).collect();
    if parts.is_empty() { "—".into() } else { parts.join(", ") }
}

/// One cause of a queue's misses and breaches: its name (`own`, a dependency), the missed
/// and breached metrics it caused, and the business seconds waited on it.
pub struct CauseRow<'a> {
    pub name: &'a str,
    pub missed: u64,
    pub breached: u64,
    pub waiting_s: i64,
}

/// The causes of a queue with any count: `own`, the declared dependencies, the names the
/// cases gave that the policy does not declare.
pub fn causes<'a>(engine: &'a Engine, q: &'a QueueReport) -> Vec<CauseRow<'a>> {
    let n = |v: &[u64], i: usize| v.get(i).copied().unwrap_or(0);
    let mut rows = vec![CauseRow {
        name: "own",
        missed: n(&q.missed_by_cause, 0),
        breached: n(&q.breached_by_cause, 0),
        waiting_s: 0,
    }];
    for (d, name) in engine.dependencies().enumerate() {
        rows.push(CauseRow {
            name,
            missed: n(&q.missed_by_cause, d + 1),
            breached: n(&q.breached_by_cause, d + 1),
            waiting_s: q.waiting_s.get(d).copied().unwrap_or(0),
        });
    }
    for u in &q.undeclared {
        rows.push(CauseRow { name: &u.name, missed: u.missed, breached: u.breached, waiting_s: u.waiting_s });
    }
    rows.retain(|r| r.missed > 0 || r.breached > 0 || r.waiting_s > 0);
    rows
}

/// `kind=refund, channel=web` of combination `c` (`—` for an absent value).
pub fn values(engine: &Engine, rep: &Report, c: u32) -> String {
    let parts: Vec<String> = rep
        .dimensions
        .values(engine, c)
        .map(|(f, v)| format!("{f}={}", v.map_or("—".to_string(), |v| v.to_string())))
        .collect();
    parts.join(", ")
}

/// A delta with its sign (`+3`, `-1`, `0`), or a dash when unknown.
pub fn signed(v: &serde_json::Value) -> String {
    v.as_i64().map_or("—".into(), |n| if n > 0 { format!("+{n}") } else { n.to_string() })
}

/// A delta of seconds as signed hours and minutes (`+1h30m`, `-0h05m`, `0h00m`).
pub fn signed_hm(v: &serde_json::Value) -> String {
    v.as_i64().map_or("—".into(), |n| match n {
        0 => hm(0),
        n if n > 0 => format!("+{}", hm(n)),
        n => format!("-{}", hm(n.saturating_neg())),
    })
}
