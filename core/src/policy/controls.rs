//! `controls`: backlog controls, tests over a batch's per-queue measures that raise an
//! alert (optionally to a role) when they hold.

use super::Compiler;
use super::diagnostics::{Diags, PolicyCode, child, index};
use super::json;
use super::tables::{atoms, parse_dec_bound};
use crate::table::Atom;
use crate::time::parse_duration;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;
use rust_decimal::Decimal;
use serde_json::{Map, Value};

/// A backlog measure a control can test.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Measure {
    Open,
    Breached,
    Warning,
    Paused,
    Missed,
    Met,
    OldestAge,
    Attainment,
    /// Missed metrics whose cause is `own` (0) or dependency `d` (`1 + d`).
    MissedBy(u32),
    /// Breached metrics of open cases by cause, as `MissedBy`.
    BreachedBy(u32),
}

#[derive(Clone, Debug)]
pub(crate) struct Control {
    pub id: String,
    pub queues: Option<(Vec<u32>, bool)>,
    pub tests: Vec<(Measure, Vec<Atom<Decimal>>, bool)>,
    pub alert: String,
    pub to: Option<u32>,
}

/// `controls`, in policy order; a control's `id` shares the rule ids' namespace.
pub(super) fn controls(
    top: &Map<String, Value>,
    cx: &mut Compiler<'_>,
    queue_index: &impl Fn(&str) -> Option<u32>,
    role_index: &impl Fn(&str) -> Option<u32>,
    dependencies: &[String],
) -> Vec<Control> {
    let mut controls = Vec::new();
    let Some(a) = top.get("controls").and_then(|c| json::array(c, "/controls", cx.d)) else { return controls };
    for (i, c) in a.iter().enumerate() {
        let p = index("/controls", i);
        let Some(m) = json::object(c, &p, &["id", "when", "then", "description"], cx.d) else { continue };
        let id =
            json::required(m, "id", &p, cx.d).and_then(|x| json::string(x, &child(&p, "id"), cx.d)).unwrap_or_default();
        if !id.is_empty() {
            cx.tables().add_id(id, &child(&p, "id"));
        }
        let d = &mut *cx.d;
        let (queues, tests) = match m.get("when").and_then(|w| json::map(w, &child(&p, "when"), d)) {
            Some(wm) => when(wm, &child(&p, "when"), d, queue_index, dependencies),
            None => (None, Vec::new()),
        };
        let mut alert = String::new();
        let mut to = None;
        if let Some(tm) =
            json::required(m, "then", &p, d).and_then(|t| json::object(t, &child(&p, "then"), &["alert", "to"], d))
        {
            alert = json::required(tm, "alert", &child(&p, "then"), d)
                .and_then(|a| json::string(a, &child(&p, "then/alert"), d))
                .unwrap_or_default()
                .to_string();
            to = tm.get("to").and_then(|t| json::string(t, &child(&p, "then/to"), d)).and_then(|t| {
                let r = role_index(t);
                if r.is_none() {
                    d.error(PolicyCode::UnknownRole, &format!("{p}/then/to"), format!("`{t}` is not a declared role"));
                }
                r
            });
        }
        controls.push(Control { id: id.to_string(), queues, tests, alert, to });
    }
    controls
}

type Tests = Vec<(Measure, Vec<Atom<Decimal>>, bool)>;

/// A control's `when`: its queue test, if any, and its measure tests.
fn when(
    wm: &Map<String, Value>,
    path: &str,
    d: &mut Diags,
    queue_index: &impl Fn(&str) -> Option<u32>,
    dependencies: &[String],
) -> (Option<(Vec<u32>, bool)>, Tests) {
    let mut queues_test = None;
    let mut tests = Vec::new();
    for (k, t) in wm {
        let tp = child(path, k);
        if k == "queue" {
            let (inner, negate) = match t {
                Value::Object(o) if o.len() == 1 && o.contains_key("not") => {
                    (o.get("not").unwrap_or(&Value::Null), true)
                }
                t => (t, false),
            };
            let names: Vec<&Value> = match inner {
                Value::Array(a) => a.iter().collect(),
                one => vec![one],
            };
            let mut qs = Vec::new();
            for n in names {
                match n.as_str().and_then(queue_index) {
                    Some(q) => qs.push(q),
                    None => d.error(PolicyCode::UnknownQueue, &tp, format!("{n} is not a declared queue")),
                }
            }
            queues_test = Some((qs, negate));
            continue;
        }
        if k == "missed_by_cause" || k == "breached_by_cause" {
            // `{cause: test}`: a test of the count of each cause named.
            let Some(by) = json::map(t, &tp, d) else { continue };
            for (cause, ct) in by {
                let cp = child(&tp, cause);
                let c = match cause.as_str() {
                    "own" => Some(0),
                    name => dependencies.iter().position(|x| x == name).map(|i| i as u32 + 1),
                };
                let Some(c) = c else {
                    d.error(
                        PolicyCode::UnknownDependency,
                        &cp,
                        format!("`{cause}` is neither `own` nor a declared dependency"),
                    );
                    continue;
                };
                let m = if k == "missed_by_cause" { Measure::MissedBy(c) } else { Measure::BreachedBy(c) };
                if let Some((atoms, negate)) = measure_test(ct, m, &cp, d) {
                    tests.push((m, atoms, negate));
                }
            }
            continue;
        }
        let measure = match k.as_str() {
            "open" => Measure::Open,
            "breached" => Measure::Breached,
            "warning" => Measure::Warning,
            "paused" => Measure::Paused,
            "missed" => Measure::Missed,
            "met" => Measure::Met,
            "oldest_age" => Measure::OldestAge,
            "attainment" => Measure::Attainment,
            other => {
                d.error(PolicyCode::UnknownField, &tp, format!("`{other}` is not a backlog measure (open, breached, warning, paused, missed, met, oldest_age, attainment, missed_by_cause, breached_by_cause) or `queue`"));
                continue;
            }
        };
        if let Some((atoms, negate)) = measure_test(t, measure, &tp, d) {
            tests.push((measure, atoms, negate));
        }
    }
    (queues_test, tests)
}

fn measure_test(t: &Value, m: Measure, path: &str, d: &mut Diags) -> Option<(Vec<Atom<Decimal>>, bool)> {
    let (t, negate) = match t {
        Value::Object(o) if o.len() == 1 && o.contains_key("not") => (o.get("not").unwrap_or(&Value::Null), true),
        t => (t, false),
    };
    // The same test forms as decision tables; `oldest_age` bounds are durations.
    let atoms = if m == Measure::OldestAge {
        atoms(t, path, d, |v| match v {
            Value::String(s) => parse_duration(s.trim()).map(Decimal::from),
            _ => None,
        })
    } else {
        atoms(t, path, d, parse_dec_bound)
    };
    atoms.map(|a| (a, negate))
}
