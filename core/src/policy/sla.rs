//! `sla`: the metrics whose clocks run, their targets by decision table, warning and
//! escalation thresholds, and the ageing bands. Compiles to [`Clocks`] with the
//! calendars the targets name.

use super::Compiler;
use super::diagnostics::{Diags, PolicyCode, child, index};
use super::json;
use super::limits::MAX_DEPENDENCIES;
use super::tables::RankKeys;
use crate::table::Table;
use crate::time::calendar::Calendar;
use crate::time::parse_duration;
use crate::value::{decimal_from_f64, parse_decimal};
use alloc::collections::BTreeSet;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;
use rust_decimal::Decimal;
use serde_json::{Map, Value};

/// One metric's target under one SLA target rule, with thresholds precomputed in seconds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct MetricTarget {
    pub target: i64,
    /// Smallest elapsed that is a warning: ceil(warn_at × target).
    pub warn_from: i64,
    /// Escalation step k is passed when elapsed > floor(at_k × target).
    pub steps: Vec<i64>,
    /// The ladder these thresholds come from (an index of [`Sla::ladders`]).
    pub ladder: u32,
}

/// A warning share and an escalation ladder: the policy-wide ones (`sla.warn_at`,
/// `sla.escalation`) or a target rule's own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Ladder {
    pub warn_at: Decimal,
    pub steps: Vec<Escalation>,
}

/// SLA target outputs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TargetOut {
    pub calendar: u32,
    pub metrics: Vec<Option<MetricTarget>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BandClock {
    Calendar,
    Business,
}

#[derive(Clone, Debug)]
pub(crate) struct Band {
    pub name: String,
    pub under: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Escalation {
    pub at: Decimal,
    pub to: u32,
}

#[derive(Clone, Debug)]
pub(crate) struct Sla {
    /// Ladder 0 is the policy-wide one; then one for each target rule that has its own
    /// `warn_at` or `escalation`.
    pub ladders: Vec<Ladder>,
    pub band_clock: BandClock,
    pub bands: Vec<Band>,
    pub targets: Table<TargetOut>,
    /// `at_risk`: a running metric whose remaining business time is at most this is at
    /// risk (reports only).
    pub at_risk: Option<i64>,
}

/// The compiled clocks: calendars, metric names, the dependencies cases may wait on and
/// the SLA section, if any.
#[derive(Debug)]
pub(crate) struct Clocks {
    pub calendars: Vec<(String, Calendar)>,
    pub metrics: Vec<String>,
    /// `dependencies`, in declaration order (at most [`MAX_DEPENDENCIES`]).
    pub dependencies: Vec<String>,
    pub sla: Option<Sla>,
    /// `report.timezone`: the zone a report's flow buckets are in (`None`: UTC).
    pub report_tz: Option<(chrono_tz::Tz, String)>,
}

impl Clocks {
    /// The index of a declared dependency.
    pub(crate) fn dependency(&self, name: &str) -> Option<u32> {
        self.dependencies.iter().position(|d| d == name).map(|i| i as u32)
    }
}

impl Sla {
    /// Thresholds of a summed target (collect + sum) on ladder `ladder`.
    pub(crate) fn thresholds(&self, target: i64, ladder: u32) -> MetricTarget {
        match self.ladders.get(ladder as usize) {
            Some(l) => thresholds(target, l, ladder),
            None => MetricTarget { target, warn_from: target, steps: Vec::new(), ladder: 0 },
        }
    }

    /// The escalation steps of ladder `ladder`.
    pub(crate) fn steps(&self, ladder: u32) -> &[Escalation] {
        self.ladders.get(ladder as usize).map_or(&[], |l| l.steps.as_slice())
    }
}

/// Precomputes warning and escalation thresholds in whole seconds.
fn thresholds(target: i64, ladder: &Ladder, index: u32) -> MetricTarget {
    let t = Decimal::from(target);
    let to_i64 = |x: Decimal| -> i64 { i64::try_from(x).unwrap_or(i64::MAX) };
    MetricTarget {
        target,
        warn_from: to_i64((ladder.warn_at * t).ceil()),
        steps: ladder.steps.iter().map(|e| to_i64((e.at * t).floor())).collect(),
        ladder: index,
    }
}

/// `dependencies`: the names of those a case may wait on (`waiting`, a pause's `reason`),
/// unique, not empty, not `own` (the cause of a miss no dependency explains), at most
/// [`MAX_DEPENDENCIES`].
pub(super) fn dependencies(top: &Map<String, Value>, d: &mut Diags) -> Vec<String> {
    let mut deps: Vec<String> = Vec::new();
    let Some(a) = top.get("dependencies").and_then(|v| json::array(v, "/dependencies", d)) else { return deps };
    if a.len() > MAX_DEPENDENCIES {
        d.error(
            PolicyCode::LimitExceeded,
            "/dependencies",
            format!("{} dependencies exceed the limit of {MAX_DEPENDENCIES}", a.len()),
        );
        return deps;
    }
    for (i, x) in a.iter().enumerate() {
        let p = index("/dependencies", i);
        let Some(s) = json::string(x, &p, d) else { continue };
        if deps.iter().any(|e| e == s) {
            d.error(PolicyCode::DuplicateName, &p, format!("dependency `{s}` is listed twice"));
        } else if s.is_empty() || s == "own" {
            d.error(
                PolicyCode::BadValue,
                &p,
                "a dependency name is not empty and not `own` (the cause of a miss no dependency explains)",
            );
        } else {
            deps.push(s.to_string());
        }
    }
    deps
}

/// `sla.metrics`: the metric names (needed before the rest, for the case keys
/// `<metric>_at`); `None` when they are more than `max_metrics` (reported: nothing that
/// names metrics is compiled then).
pub(super) fn metrics(top: &Map<String, Value>, cx: &mut Compiler<'_>) -> Option<Vec<String>> {
    let mut metrics: Vec<String> = Vec::new();
    let d = &mut *cx.d;
    if let Some(ms) = top.get("sla").and_then(Value::as_object).and_then(|m| m.get("metrics"))
        && let Some(a) = json::array(ms, "/sla/metrics", d)
    {
        let max = cx.limits.max_metrics;
        if a.len() > max {
            d.error(
                PolicyCode::LimitExceeded,
                "/sla/metrics",
                format!("{} metrics exceed the limit of {max} (max_metrics)", a.len()),
            );
            return None;
        }
        let mut seen = BTreeSet::new();
        for (i, x) in a.iter().enumerate() {
            let p = index("/sla/metrics", i);
            if let Some(s) = json::string(x, &p, d) {
                if !seen.insert(s) {
                    d.error(PolicyCode::DuplicateName, &p, format!("metric `{s}` is listed twice"));
                } else if s.is_empty()
                    || cx.schema.slot(&format!("{s}_at")).is_some()
                    || matches!(s, "calendar" | "warn_at" | "escalation" | "closed")
                {
                    d.error(
                        PolicyCode::BadValue,
                        &p,
                        format!(
                            "metric `{s}` is empty, clashes with a field named `{s}_at`, or is a key of a target rule's `then` (calendar, warn_at, escalation) or `closed`"
                        ),
                    );
                }
                metrics.push(s.to_string());
            }
        }
    }
    Some(metrics)
}

/// The `sla` section, if the policy has one; `role_index` resolves escalation targets.
/// Without `metrics` (over their limit) the targets are not compiled.
pub(super) fn sla(
    top: &Map<String, Value>,
    cx: &mut Compiler<'_>,
    metrics: Option<&[String]>,
    calendars: &[(String, Calendar)],
    role_index: &impl Fn(&str) -> Option<u32>,
) -> Option<Sla> {
    let sla_v = top.get("sla")?;
    let sla = compile(sla_v, cx, metrics, calendars, top, role_index);
    if sla.is_none() && cx.d.errors.is_empty() {
        cx.d.error(PolicyCode::BadValue, "/sla", "the sla section could not be compiled");
    }
    sla
}

fn compile(
    s: &Value,
    cx: &mut Compiler<'_>,
    metrics: Option<&[String]>,
    calendars: &[(String, Calendar)],
    top: &Map<String, Value>,
    role_index: &impl Fn(&str) -> Option<u32>,
) -> Option<Sla> {
    let m = json::object(s, "/sla", &["metrics", "warn_at", "escalation", "bands", "targets", "at_risk"], cx.d)?;
    let at_risk = m.get("at_risk").and_then(|v| {
        let s = json::string(v, "/sla/at_risk", cx.d)?;
        let d = parse_duration(s);
        if d.is_none() {
            cx.d.error(
                PolicyCode::BadDuration,
                "/sla/at_risk",
                format!("cannot parse duration `{s}` (e.g. 90m, 4h, 2h30m)"),
            );
        }
        d
    });
    let warn_at = match m.get("warn_at") {
        Some(w) => ratio(w, "/sla/warn_at", cx.d).unwrap_or(Decimal::ONE),
        None => Decimal::ONE,
    };
    let steps = escalation(m.get("escalation"), "/sla/escalation", cx.d, role_index, cx.limits.max_escalation_steps);
    let (band_clock, bands) = bands(m, cx.d, cx.limits.max_bands);
    let metrics = metrics?;
    let calendar_declared =
        |name: &str| top.get("calendars").and_then(Value::as_object).is_some_and(|m| m.contains_key(name));
    let calendar_ix = super::name_index(calendars.iter().map(|(n, _)| n.as_str()));
    let metric_ix = super::name_index(metrics.iter().map(String::as_str));
    let t = json::required(m, "targets", "/sla", cx.d)?;
    let bytes = thresholds_bytes(t, metrics.len(), steps.len());
    let mut ladders = vec![Ladder { warn_at, steps }];
    if !cx.budget.take(bytes, "/sla/targets", "the SLA thresholds (target rules × metrics × escalation steps)", cx.d)
    {
        return None;
    }
    let column = |c: &str| c == "calendar" || metric_ix.contains_key(c);
    let max_steps = cx.limits.max_escalation_steps;
    let mut tcx = cx.tables();
    let targets = tcx.table(t, "/sla/targets", "targets", true, &column, |cx, then, p| {
        let tm = json::map(then, p, cx.d)?;
        let mut keys = RankKeys::new();
        let mut calendar = None;
        let mut out = vec![None; metrics.len()];
        // The rule's own ladder, when it has `warn_at` or `escalation`: what it does not
        // give comes from the policy-wide one.
        let mut ladder = 0u32;
        if tm.contains_key("warn_at") || tm.contains_key("escalation") {
            let base = ladders.first().cloned().unwrap_or(Ladder { warn_at: Decimal::ONE, steps: Vec::new() });
            let warn_at = match tm.get("warn_at") {
                Some(w) => ratio(w, &child(p, "warn_at"), cx.d).unwrap_or(base.warn_at),
                None => base.warn_at,
            };
            let steps = match tm.get("escalation") {
                Some(e) => escalation(Some(e), &child(p, "escalation"), cx.d, role_index, max_steps),
                None => base.steps,
            };
            let own = Ladder { warn_at, steps };
            // Rules with the same ladder share it.
            ladder = match ladders.iter().position(|l| *l == own) {
                Some(i) => i as u32,
                None => {
                    ladders.push(own);
                    (ladders.len() - 1) as u32
                }
            };
            if let Some(l) = ladders.get(ladder as usize) {
                keys.push(("warn_at".into(), l.warn_at.to_string()));
                let steps: Vec<String> = l.steps.iter().map(|s| format!("{}:{}", s.at, s.to)).collect();
                keys.push(("escalation".into(), steps.join(",")));
            }
        }
        for (k, v) in tm {
            let kp = child(p, k);
            if k == "warn_at" || k == "escalation" {
                continue;
            }
            if k == "calendar" {
                let c = json::string(v, &kp, cx.d)?;
                keys.push(("calendar".into(), c.to_string()));
                calendar = calendar_ix.get(c).copied();
                if calendar.is_none() && !calendar_declared(c) {
                    cx.d.error(PolicyCode::UnknownCalendar, &kp, format!("`{c}` is not a declared calendar"));
                }
            } else if let Some(mi) = metric_ix.get(k.as_str()).map(|&i| i as usize) {
                let s = json::string(v, &kp, cx.d)?;
                keys.push((k.clone(), s.to_string()));
                match parse_duration(s) {
                    Some(t) => {
                        if let Some(o) = out.get_mut(mi) {
                            *o = Some(t);
                        }
                    }
                    None => cx.d.error(
                        PolicyCode::BadDuration,
                        &kp,
                        format!("cannot parse duration `{s}` (e.g. 90m, 4h, 2h30m)"),
                    ),
                }
            } else {
                cx.d.error(
                    PolicyCode::UnknownMetric,
                    &kp,
                    format!("`{k}` is neither `calendar`, `warn_at`, `escalation` nor a metric of `sla.metrics`"),
                );
            }
        }
        if tm.get("calendar").is_none() {
            cx.d.error(PolicyCode::MissingKey, p, "missing required key `calendar`");
        }
        let calendar = calendar?;
        let l = ladders.get(ladder as usize)?;
        let metrics_out = out.into_iter().map(|t| t.map(|t| thresholds(t, l, ladder))).collect();
        Some((TargetOut { calendar, metrics: metrics_out }, keys))
    })?;
    Some(Sla { ladders, band_clock, bands, targets, at_risk })
}

/// A share of the target (`warn_at`, an escalation step's `at`).
fn ratio(v: &Value, p: &str, d: &mut Diags) -> Option<Decimal> {
    let r = match v {
        Value::Number(n) => n.as_i64().map(Decimal::from).or_else(|| n.as_f64().and_then(decimal_from_f64)),
        Value::String(s) => parse_decimal(s),
        _ => None,
    };
    match r {
        Some(r) if r >= Decimal::ZERO && r <= Decimal::from(1000) => Some(r),
        _ => {
            d.error(PolicyCode::BadValue, p, "expected a non-negative share of the target, e.g. 0.75");
            None
        }
    }
}

/// An upper bound on the bytes of the thresholds the target table `t` compiles to, counted
/// before they are allocated: for each rule and the default, a slot per metric, and for
/// each metric a rule names, its escalation thresholds.
fn thresholds_bytes(t: &Value, metrics: usize, steps: usize) -> usize {
    let thens = t
        .get("rules")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|r| r.get("then"))
        .chain(t.get("default"))
        .filter_map(Value::as_object);
    let (mut outputs, mut named_steps) = (0usize, 0usize);
    for then in thens {
        outputs += 1;
        // A rule with its own ladder has its own steps (and the ladder itself).
        let own = then.get("escalation").and_then(Value::as_array).map(Vec::len);
        let rule_steps = own.unwrap_or(steps);
        let ladder = own.map_or(0, |n| n.saturating_mul(core::mem::size_of::<Escalation>()));
        named_steps =
            named_steps.saturating_add(then.len().min(metrics).saturating_mul(rule_steps)).saturating_add(ladder);
    }
    let per_output = metrics.saturating_mul(core::mem::size_of::<Option<MetricTarget>>());
    outputs.saturating_mul(per_output).saturating_add(named_steps.saturating_mul(core::mem::size_of::<i64>()))
}

/// An escalation ladder (`sla.escalation`, or a target rule's own at `path`): steps of
/// increasing `at`, each to a declared role; at most `max`.
fn escalation(
    v: Option<&Value>,
    path: &str,
    d: &mut Diags,
    role_index: &impl Fn(&str) -> Option<u32>,
    max: usize,
) -> Vec<Escalation> {
    let mut escalation: Vec<Escalation> = Vec::new();
    let Some(a) = v.and_then(|e| json::array(e, path, d)) else {
        return escalation;
    };
    if a.len() > max {
        d.error(
            PolicyCode::LimitExceeded,
            path,
            format!("{} escalation steps exceed the limit of {max} (max_escalation_steps)", a.len()),
        );
        return escalation;
    }
    for (i, step) in a.iter().enumerate() {
        let p = index(path, i);
        let Some(sm) = json::object(step, &p, &["at", "to"], d) else { continue };
        let at = json::required(sm, "at", &p, d).and_then(|a| ratio(a, &child(&p, "at"), d));
        let to = json::required(sm, "to", &p, d).and_then(|t| json::string(t, &child(&p, "to"), d)).and_then(|t| {
            let r = role_index(t);
            if r.is_none() {
                d.error(PolicyCode::UnknownRole, &child(&p, "to"), format!("`{t}` is not a declared role"));
            }
            r
        });
        if let (Some(at), Some(to)) = (at, to) {
            if escalation.last().is_some_and(|l| l.at >= at) {
                d.error(PolicyCode::BadValue, &child(&p, "at"), "escalation steps must have increasing `at`");
            }
            escalation.push(Escalation { at, to });
        }
    }
    escalation
}

/// `sla.bands`: the ageing bands (at most `max`) and the clock they read.
fn bands(m: &Map<String, Value>, d: &mut Diags, max: usize) -> (BandClock, Vec<Band>) {
    let mut band_clock = BandClock::Calendar;
    let mut bands = Vec::new();
    let mut names = BTreeSet::new();
    let Some(bm) = m.get("bands").and_then(|b| json::object(b, "/sla/bands", &["clock", "limits"], d)) else {
        return (band_clock, bands);
    };
    if let Some(c) = bm.get("clock").and_then(|c| json::string(c, "/sla/bands/clock", d)) {
        band_clock = match c {
            "calendar" => BandClock::Calendar,
            "business" => BandClock::Business,
            other => {
                d.error(
                    PolicyCode::BadValue,
                    "/sla/bands/clock",
                    format!("unknown band clock `{other}` (expected calendar or business)"),
                );
                BandClock::Calendar
            }
        };
    }
    let Some(a) = json::required(bm, "limits", "/sla/bands", d).and_then(|l| json::array(l, "/sla/bands/limits", d))
    else {
        return (band_clock, bands);
    };
    if a.len() > max {
        d.error(
            PolicyCode::LimitExceeded,
            "/sla/bands/limits",
            format!("{} bands exceed the limit of {max} (max_bands)", a.len()),
        );
        return (band_clock, bands);
    }
    for (i, b) in a.iter().enumerate() {
        let p = index("/sla/bands/limits", i);
        let Some(bm) = json::object(b, &p, &["name", "under"], d) else { continue };
        let name = json::required(bm, "name", &p, d).and_then(|n| json::string(n, &child(&p, "name"), d));
        if let Some(n) = name
            && !names.insert(n)
        {
            d.error(PolicyCode::DuplicateName, &child(&p, "name"), format!("band name `{n}` is listed twice"));
        }
        let name = name.unwrap_or_default();
        let under = bm.get("under").and_then(|u| {
            let up = child(&p, "under");
            let s = json::string(u, &up, d)?;
            let v = parse_duration(s);
            if v.is_none() {
                d.error(PolicyCode::BadDuration, &up, format!("cannot parse duration `{s}` (e.g. 90m, 4h, 2h30m)"));
            }
            v
        });
        let last = i + 1 == a.len();
        if under.is_none() && !last && bm.get("under").is_none() {
            d.error(PolicyCode::BadValue, &p, "only the last band may omit `under`");
        }
        if last && bm.get("under").is_some() {
            d.error(
                PolicyCode::BadValue,
                &child(&p, "under"),
                "the last band has no `under` (it takes every older case)",
            );
        }
        if let (Some(u), Some(prev)) = (under, bands.last().and_then(|b: &Band| b.under))
            && u <= prev
        {
            d.error(PolicyCode::BadValue, &child(&p, "under"), "band limits must increase");
        }
        bands.push(Band { name: name.to_string(), under });
    }
    (band_clock, bands)
}
