//! Trend: a report compared with an earlier one of the same queues (`docket report
//! --baseline EARLIER.json`), per queue the change of open, breached and at-risk cases and
//! of the oldest open case's age, and a verdict (docs/reports.md, "Trend").

use alloc::string::String;
use serde_json::{Map, Value, json};

/// What a queue's figures say of its risk since the baseline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Breached cases grew, or breached and at-risk cases together grew.
    Growing,
    /// Not growing, and open cases or breached and at-risk cases together shrank.
    Shrinking,
    /// Neither.
    Contained,
}

impl Verdict {
    /// The verdict's name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Verdict::Growing => "growing",
            Verdict::Shrinking => "shrinking",
            Verdict::Contained => "contained",
        }
    }

    /// The verdict of the changes of open, breached and at-risk cases.
    pub fn of(open: i64, breached: i64, at_risk: i64) -> Verdict {
        let risk = breached.saturating_add(at_risk);
        if breached > 0 || risk > 0 {
            Verdict::Growing
        } else if open < 0 || risk < 0 {
            Verdict::Shrinking
        } else {
            Verdict::Contained
        }
    }
}

/// The `trend` of the report `current` (its JSON) since `baseline` (an earlier report's
/// JSON), or why the baseline is not a report: `{"baseline": {"now", "same_policy"},
/// "elapsed_s", "queues": {name: {"open", "breached", "at_risk", "oldest_age_s",
/// "verdict"}}}`, every queue of either report, in the current report's order then the
/// baseline's. A queue absent from a report had no case there: its counts are 0 and its
/// oldest age null. A delta of a figure either report lacks is null (and counts as 0 for
/// the verdict); the oldest age of a queue without open cases is 0.
pub fn trend(current: &Value, baseline: &Value) -> Result<Value, String> {
    let now = |r: &Value| r.get("now").and_then(Value::as_str).and_then(crate::time::parse_rfc3339);
    let (Some(t1), Some(t0)) = (now(current), now(baseline)) else {
        return Err("the baseline is not a report: it has no `now`".into());
    };
    let empty = Map::new();
    let queues = |r: &Value| r.get("queues").and_then(Value::as_object).unwrap_or(&empty).clone();
    let (q1, q0) = (queues(current), queues(baseline));
    if baseline.get("queues").and_then(Value::as_object).is_none() {
        return Err("the baseline is not a report: it has no `queues`".into());
    }
    let fp = |r: &Value| r.pointer("/policy/fingerprint").cloned();
    let mut out = Map::new();
    let names = q1.keys().chain(q0.keys().filter(|k| !q1.contains_key(*k)));
    for name in names {
        let (a, b) = (q1.get(name), q0.get(name));
        let count = |q: Option<&Value>, k: &str| match q {
            None => Some(0i64),
            Some(q) => q.get(k).and_then(Value::as_i64),
        };
        let delta = |k: &str| match (count(a, k), count(b, k)) {
            (Some(x), Some(y)) => Some(x.saturating_sub(y)),
            _ => None,
        };
        // The oldest open case's age; 0 for a queue without open cases.
        let age = |q: Option<&Value>, t: i64| {
            q.and_then(|q| q.pointer("/oldest_open/opened_at"))
                .and_then(Value::as_str)
                .and_then(crate::time::parse_rfc3339)
                .map_or(0, |o| t.saturating_sub(o))
        };
        let oldest = age(a, t1).saturating_sub(age(b, t0));
        let (open, breached, at_risk) = (delta("open"), delta("breached"), delta("at_risk"));
        let verdict = Verdict::of(open.unwrap_or(0), breached.unwrap_or(0), at_risk.unwrap_or(0));
        out.insert(
            name.clone(),
            json!({"open": open, "breached": breached, "at_risk": at_risk, "oldest_age_s": oldest, "verdict": verdict.as_str()}),
        );
    }
    Ok(json!({
        "baseline": {"now": baseline.get("now"), "same_policy": fp(current).is_some() && fp(current) == fp(baseline)},
        "elapsed_s": t1.saturating_sub(t0),
        "queues": out,
    }))
}
