//! SLA clocks: each metric's target, business time elapsed (less pauses), due instant,
//! state and escalation, and the case's ageing band.

use crate::case::Case;
use crate::engine::Engine;
use crate::issue::{Issue, IssueCode, Subject};
use crate::output::outcome::{Escalation, MetricOutcome, Outcome, SlaState};
use crate::policy::{BandClock, MetricTarget};
use crate::table::{Agg, Found};
use crate::time::Instant;
use crate::time::calendar::{Calendar, Origin, SEARCH_LIMIT_S};

impl Engine {
    pub(super) fn clocks(&self, case: &Case, now: Instant, out: &mut Outcome) {
        let Some(sla) = &self.clocks.sla else { return };
        let opened = case.opened_at.unwrap_or(0);
        let all_done = case.completed.iter().all(Option::is_some);
        out.open = !all_done;
        // Merged, sorted pauses (open pauses end at MAX).
        out.pauses.clear();
        out.pauses.extend(case.pauses.iter().map(|&(f, t)| (f, t.unwrap_or(Instant::MAX))));
        out.pauses.sort_unstable();
        merge(&mut out.pauses);
        let paused_now = out.pauses.iter().any(|&(f, t)| f <= now && now < t);

        let mut hits = core::mem::take(&mut out.hits);
        let found = sla.targets.eval(|s| self.get(case, out, s), &mut hits);
        out.hits = hits;
        let mut calendar = None;
        match found {
            Found::Ambiguous => self.ambiguous(out, 1),
            Found::Nothing => {}
            Found::Default => {
                if let Some((gid, t)) = &sla.targets.default {
                    out.trace.push(*gid);
                    calendar = Some(t.calendar);
                }
            }
            Found::Rules => {
                for &i in &out.hits {
                    if let Some(r) = sla.targets.rules.get(i as usize) {
                        out.trace.push(r.gid);
                        calendar.get_or_insert(r.out.calendar);
                    }
                }
            }
        }
        // Business time from `opened` to a stop, by calendar and stop: running metrics on
        // one calendar, and the ageing band, share the same span.
        let mut spans = Spans::default();
        for m in 0..self.clocks.metrics.len() {
            let target = self.metric_target(found, out, m);
            let mo = match (target, calendar) {
                (Some((t, cal_override)), Some(cal)) => {
                    self.clock(case, m, t, cal_override.unwrap_or(cal), opened, now, paused_now, &mut spans, out)
                }
                _ => None,
            };
            out.sla.push(mo);
        }
        if out.open {
            let age = match (sla.band_clock, calendar.and_then(|c| Some((c, self.clocks.calendars.get(c as usize)?)))) {
                (BandClock::Business, Some((c, (_, cal)))) => {
                    let o = spans.origin(c, cal, opened);
                    spans.get(c, now.max(opened), || business_less_pauses(cal, &o, opened, now, &out.pauses))
                }
                _ => now.saturating_sub(opened).max(0),
            };
            out.band = sla.bands.iter().position(|b| b.under.is_none_or(|u| age < u)).map(|i| i as u32);
        }
    }

    /// The target for metric `m` given the target table's result. With several matching
    /// rules (multi-hit policies), the first rule naming the metric decides, or the
    /// aggregate over every rule naming it.
    fn metric_target<'a>(&'a self, found: Found, out: &Outcome, m: usize) -> Option<(Target<'a>, Option<u32>)> {
        let sla = self.clocks.sla.as_ref()?;
        match found {
            Found::Default => sla
                .targets
                .default
                .as_ref()
                .and_then(|(_, t)| t.metrics.get(m)?.as_ref())
                .map(|t| (Target::One(t), None)),
            // One matching rule (every `first` table): its target, no aggregation.
            Found::Rules if out.hits.len() == 1 => {
                let r = sla.targets.rules.get(*out.hits.first()? as usize)?;
                r.out.metrics.get(m)?.as_ref().map(|t| (Target::One(t), Some(r.out.calendar)))
            }
            Found::Rules => {
                let mut best: Option<(&MetricTarget, u32)> = None;
                let mut sum: i64 = 0;
                let mut n = 0;
                for &i in &out.hits {
                    let Some(r) = sla.targets.rules.get(i as usize) else { continue };
                    let Some(t) = r.out.metrics.get(m).and_then(Option::as_ref) else { continue };
                    n += 1;
                    sum = sum.saturating_add(t.target);
                    best = match (sla.targets.agg, best) {
                        (None, Some(b)) => Some(b),
                        (Some(Agg::Min), Some(b)) if b.0.target <= t.target => Some(b),
                        (Some(Agg::Max), Some(b)) if b.0.target >= t.target => Some(b),
                        (Some(Agg::Sum), Some(b)) => Some(b),
                        _ => Some((t, r.out.calendar)),
                    };
                }
                let (t, cal) = best?;
                if sla.targets.agg == Some(Agg::Sum) && n > 1 {
                    return Some((Target::Sum(sum), Some(cal)));
                }
                Some((Target::One(t), Some(cal)))
            }
            _ => None,
        }
    }

    // In WebAssembly `clock` and `approve` stay functions of their own: V8 runs the
    // columnar batch 6-7% faster than with both inlined into `evaluate`; natively it
    // makes no measurable difference.
    #[allow(clippy::too_many_arguments)]
    #[cfg_attr(target_arch = "wasm32", inline(never))]
    fn clock(
        &self,
        case: &Case,
        m: usize,
        t: Target<'_>,
        cal: u32,
        opened: Instant,
        now: Instant,
        paused_now: bool,
        spans: &mut Spans,
        out: &mut Outcome,
    ) -> Option<MetricOutcome> {
        let sla = self.clocks.sla.as_ref()?;
        let (_, calendar) = self.clocks.calendars.get(cal as usize)?;
        let summed;
        let mt: &MetricTarget = match t {
            Target::One(x) => x,
            Target::Sum(s) => {
                summed = sla.thresholds(s);
                &summed
            }
        };
        let target = mt.target;
        let completed_at = case.completed.get(m).copied().flatten();
        let stop = completed_at.unwrap_or(now).max(opened);
        // Every span of this clock starts at `opened`: its place in the calendar is found once.
        let o = spans.origin(cal, calendar, opened);
        let elapsed = spans.get(cal, stop, || business_less_pauses(calendar, &o, opened, stop, &out.pauses));
        let due = reach(calendar, &o, opened, target, &out.pauses);
        let due = match due {
            Reach::At(d) => Some(d),
            Reach::Paused => None,
            Reach::Never => {
                out.issues.push(Issue::new(IssueCode::NoWorkingTime, Subject::Metric(m as u16)));
                None
            }
        };
        let state = match completed_at {
            Some(_) if elapsed <= target => SlaState::Met,
            Some(_) => SlaState::Missed,
            None if elapsed > target => SlaState::Breached,
            None if paused_now => SlaState::Paused,
            None if elapsed >= mt.warn_from => SlaState::Warning,
            None => SlaState::Ok,
        };
        let escalation = if completed_at.is_none() && !sla.escalation.is_empty() {
            let level = mt.steps.iter().take_while(|&&s| elapsed > s).count();
            let next = sla.escalation.get(level).map(|e| ((level + 1) as u32, e.to));
            let next_at = match (next, mt.steps.get(level)) {
                // A step at 1.0 × target is reached exactly at `due`.
                (Some(_), Some(&s)) if !paused_now && s == target => due,
                (Some(_), Some(&s)) if !paused_now => match reach(calendar, &o, opened, s, &out.pauses) {
                    Reach::At(d) => Some(d),
                    _ => None,
                },
                _ => None,
            };
            Some(Escalation { level: level as u32, next, next_at })
        } else {
            None
        };
        Some(MetricOutcome {
            state,
            calendar: cal,
            target_s: target,
            due,
            elapsed_s: elapsed,
            completed_at,
            escalation,
        })
    }
}

/// What the clocks of one case share, by calendar: the last business span from the
/// case's `opened` (less its pauses) computed, by stop instant; and the place of `opened`.
#[derive(Default)]
struct Spans {
    last: Option<(u32, Instant, i64)>,
    origin: Option<(u32, Origin)>,
}

impl Spans {
    /// The origin of calendar `c` (`cal`) at `opened`.
    #[inline]
    fn origin(&mut self, c: u32, cal: &Calendar, opened: Instant) -> Origin {
        match self.origin {
            Some((k, o)) if k == c => o,
            _ => {
                let o = cal.origin(opened);
                self.origin = Some((c, o));
                o
            }
        }
    }

    /// Business time to `stop` on calendar `cal`: the remembered one, or `compute()`.
    #[inline]
    fn get(&mut self, cal: u32, stop: Instant, compute: impl FnOnce() -> i64) -> i64 {
        match self.last {
            Some((c, s, v)) if c == cal && s == stop => v,
            _ => {
                let v = compute();
                self.last = Some((cal, stop, v));
                v
            }
        }
    }
}

/// A metric's target: one rule's (with precomputed thresholds) or an aggregate sum.
#[derive(Clone, Copy)]
enum Target<'a> {
    One(&'a MetricTarget),
    Sum(i64),
}

/// Sorts are done by the caller; merges overlapping or touching intervals in place.
fn merge(p: &mut alloc::vec::Vec<(Instant, Instant)>) {
    let mut w = 0usize;
    for r in 0..p.len() {
        let Some(&(f, t)) = p.get(r) else { break };
        if w > 0
            && let Some(last) = p.get_mut(w - 1)
            && f <= last.1
        {
            last.1 = last.1.max(t);
            continue;
        }
        if let Some(slot) = p.get_mut(w) {
            *slot = (f, t);
        }
        w += 1;
    }
    p.truncate(w);
}

/// Business time in [a, b) on `cal`, less the parts inside `pauses` (sorted, merged).
pub(crate) fn business_less_pauses(
    cal: &Calendar,
    o: &Origin,
    a: Instant,
    b: Instant,
    pauses: &[(Instant, Instant)],
) -> i64 {
    if b <= a {
        return 0;
    }
    let mut total = cal.business_between_from(o, a, b);
    for &(f, t) in pauses {
        let (f, t) = (f.max(a), t.min(b));
        if f < t {
            total -= cal.business_between_from(o, f, t);
        }
    }
    total.max(0)
}

enum Reach {
    At(Instant),
    Paused,
    Never,
}

/// The earliest instant at which business time from `a`, less pauses, equals `target`.
fn reach(cal: &Calendar, o: &Origin, a: Instant, target: i64, pauses: &[(Instant, Instant)]) -> Reach {
    if target <= 0 {
        return Reach::At(a);
    }
    let mut cur = a;
    let mut rem = target;
    for &(f, t) in pauses {
        if t <= cur {
            continue;
        }
        if f > cur {
            let seg = cal.business_between_from(o, cur, f);
            if seg >= rem {
                break;
            }
            rem -= seg;
        }
        if t == Instant::MAX {
            return Reach::Paused;
        }
        cur = t;
    }
    // The 10-year search horizon counts from the clock's start, pauses included.
    match cal.add_business_from(o, cur, rem) {
        Some(d) if d.saturating_sub(a) <= SEARCH_LIMIT_S => Reach::At(d),
        _ => Reach::Never,
    }
}
