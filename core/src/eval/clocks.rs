//! SLA clocks as of `now`: each metric's target, business time elapsed (less pauses),
//! due instant, state and escalation, time spent waiting on dependencies and the cause of
//! a miss; the case's ageing band; the next instant any of it changes.

use crate::case::{Case, Span};
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
        // What had happened by `now`: a stamp after it has not happened yet (`after_now`).
        let closed = match case.closed_at {
            Some(c) if c > now => {
                after_now(out, Subject::Key("closed_at"));
                None
            }
            c => c,
        };
        let mut all_done = true;
        for (m, c) in case.completed.iter().enumerate() {
            match *c {
                Some(t) if t <= now => {}
                Some(_) => {
                    after_now(out, Subject::Metric(m as u16));
                    all_done = false;
                }
                None => all_done = false,
            }
        }
        // A closed case is not open, whatever its metrics.
        out.open = closed.is_none() && !all_done;
        // Merged, sorted pauses as of `now`: one not begun is left out, one not ended by
        // `now` is still running (open pauses end at MAX).
        out.pauses.clear();
        for p in &case.pauses {
            if p.from > now {
                after_now(out, Subject::Item("paused", p.pos));
                continue;
            }
            let to = match p.to {
                Some(t) if t <= now => t,
                Some(_) => {
                    after_now(out, Subject::Item("paused", p.pos));
                    Instant::MAX
                }
                None => Instant::MAX,
            };
            out.pauses.push((p.from, to));
        }
        out.pauses.sort_unstable();
        merge(&mut out.pauses);
        let paused_now = out.pauses.iter().any(|&(f, t)| f <= now && now < t);
        let waits = !case.waits.is_empty() && waits_as_of(case, now, out);

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
        let at = Asof { now, opened, closed, paused_now, waits };
        // Business time from `opened` to a stop, by calendar and stop: running metrics on
        // one calendar, and the ageing band, share the same span.
        let mut spans = Spans::default();
        // The next change of the running clocks: the least business time, from `opened`
        // and less pauses, at which one changes state (by calendar; most cases have one).
        let mut next = Next::default();
        for m in 0..self.clocks.metrics.len() {
            let target = self.metric_target(found, out, m);
            match (target, calendar) {
                (Some((t, cal_override)), Some(cal)) => {
                    let cal = cal_override.unwrap_or(cal);
                    // Pushes the metric's outcome (`None` without its calendar).
                    if let Some(x) = self.clock(case, m, t, cal, &at, &mut spans, out) {
                        next.offer(cal, x, |c, y| self.reach_at(c, opened, y, &out.pauses));
                    }
                }
                _ => out.sla.push(None),
            }
        }
        out.next_change_at = None;
        if out.open {
            let band_cal = match sla.band_clock {
                BandClock::Business => calendar.and_then(|c| Some((c, &self.clocks.calendars.get(c as usize)?.1))),
                BandClock::Calendar => None,
            };
            let age = match band_cal {
                Some((c, cal)) => {
                    let o = spans.origin(c, cal, opened);
                    spans.get(c, now, || business_less_pauses(cal, &o, opened, now, &out.pauses))
                }
                None => now.saturating_sub(opened).max(0),
            };
            let band = sla.bands.iter().position(|b| b.under.is_none_or(|u| age < u));
            out.band = band.map(|i| i as u32);
            // The next band: when the age reaches this band's limit.
            if let Some(under) = band.and_then(|i| sla.bands.get(i)).and_then(|b| b.under) {
                match band_cal {
                    Some((c, _)) if !paused_now => {
                        next.offer(c, (under, age), |c, y| self.reach_at(c, opened, y, &out.pauses))
                    }
                    Some(_) => {}
                    None => next.at = earliest(next.at, opened.checked_add(under)),
                }
            }
            // Business time accrues no faster than time: a threshold `y` that is `y - e`
            // ahead cannot be reached before `now + (y - e)`; past a known change, no search.
            if let Some((c, y, e)) = next.pending
                && next.at.is_none_or(|b| now.saturating_add(y.saturating_sub(e)) < b)
                && let Some((_, cal)) = self.clocks.calendars.get(c as usize)
                && let Reach::At(d) = reach(cal, &spans.origin(c, cal, opened), opened, y, &out.pauses)
            {
                next.at = earliest(next.at, Some(d));
            }
            out.next_change_at = next.at;
        }
    }

    /// The instant the clocks on calendar `cal` from `opened`, less `pauses`, reach `y`
    /// of business time (within the search horizon).
    #[cold]
    #[inline(never)]
    fn reach_at(&self, cal: u32, opened: Instant, y: i64, pauses: &[(Instant, Instant)]) -> Option<Instant> {
        let (_, calendar) = self.clocks.calendars.get(cal as usize)?;
        match reach(calendar, &calendar.origin(opened), opened, y, pauses) {
            Reach::At(d) => Some(d),
            _ => None,
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
                    return Some((Target::Sum(sum, t.ladder), Some(cal)));
                }
                Some((Target::One(t), Some(cal)))
            }
            _ => None,
        }
    }

    // In WebAssembly `clock` and `approve` stay functions of their own: V8 runs the
    // columnar batch 6-7% faster than with both inlined into `evaluate`; natively it
    // makes no measurable difference.
    /// Pushes metric `m`'s clock to the outcome; for a running one, returns the least
    /// business time at which its state or escalation level would change (warning, breach,
    /// the next step).
    #[allow(clippy::too_many_arguments)]
    #[cfg_attr(target_arch = "wasm32", inline(never))]
    fn clock(
        &self,
        case: &Case,
        m: usize,
        t: Target<'_>,
        cal: u32,
        at: &Asof,
        spans: &mut Spans,
        out: &mut Outcome,
    ) -> Option<(i64, i64)> {
        let (Some(sla), Some((_, calendar))) = (self.clocks.sla.as_ref(), self.clocks.calendars.get(cal as usize))
        else {
            out.sla.push(None);
            return None;
        };
        let summed;
        let mt: &MetricTarget = match t {
            Target::One(x) => x,
            Target::Sum(s, ladder) => {
                summed = sla.thresholds(s, ladder);
                &summed
            }
        };
        let (opened, paused_now) = (at.opened, at.paused_now);
        let target = mt.target;
        // The clock stops at the metric's own stamp, else at the closing, else runs.
        let stopped_at = case.completed.get(m).copied().flatten().filter(|&c| c <= at.now).or(at.closed);
        let stop = stopped_at.unwrap_or(at.now).max(opened);
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
        let (state, escalation, change) = match stopped_at {
            Some(_) => (if elapsed <= target { SlaState::Met } else { SlaState::Missed }, None, None),
            None => {
                let state = if elapsed > target {
                    SlaState::Breached
                } else if paused_now {
                    SlaState::Paused
                } else if elapsed >= mt.warn_from {
                    SlaState::Warning
                } else {
                    SlaState::Ok
                };
                let ladder = sla.steps(mt.ladder);
                let level = mt.steps.iter().take_while(|&&s| elapsed > s).count();
                let step = if ladder.is_empty() { None } else { mt.steps.get(level).copied() };
                let escalation = (!ladder.is_empty()).then(|| {
                    let next = ladder.get(level).map(|e| ((level + 1) as u32, e.to));
                    let next_at = match step {
                        _ if paused_now => None,
                        // A step at 1.0 × target is reached exactly at `due`.
                        Some(s) if s == target => due,
                        Some(s) => match reach(calendar, &o, opened, s, &out.pauses) {
                            Reach::At(d) => Some(d),
                            _ => None,
                        },
                        None => None,
                    };
                    let reached = level.checked_sub(1).and_then(|i| ladder.get(i)).map(|e| e.to);
                    Escalation { level: level as u32, next, next_at, reached }
                });
                // Not paused, the clock changes when its elapsed time reaches the warning
                // share, then passes the target, then the next step (elapsed > s from
                // s + 1 on): the least of these ahead.
                let change = if paused_now {
                    None
                } else {
                    let warn = if elapsed < mt.warn_from && mt.warn_from <= target { mt.warn_from } else { i64::MAX };
                    let breach = if elapsed <= target { target.saturating_add(1) } else { i64::MAX };
                    let step = step.map_or(i64::MAX, |s| s.saturating_add(1));
                    Some((warn.min(breach).min(step), elapsed)).filter(|&(x, _)| x != i64::MAX)
                };
                (state, escalation, change)
            }
        };
        if at.waits {
            self.waiting(case, m, calendar, &o, stop, at, out);
        }
        out.sla.push(Some(MetricOutcome {
            state,
            calendar: cal,
            target_s: target,
            due,
            elapsed_s: elapsed,
            completed_at: stopped_at,
            escalation,
        }));
        change
    }

    /// Metric `m`'s business time waiting on each dependency within its running span
    /// `[opened, stop)`, less pauses, pushed to `out.waiting` when not zero (dependency
    /// order: the declared ones, then the case's own names).
    #[allow(clippy::too_many_arguments)]
    #[cold]
    #[inline(never)]
    fn waiting(&self, case: &Case, m: usize, cal: &Calendar, o: &Origin, stop: Instant, at: &Asof, out: &mut Outcome) {
        let deps = self.clocks.dependencies.len() + case.undeclared.len();
        let mut iv = core::mem::take(&mut out.waits);
        for d in 0..deps as u32 {
            iv.clear();
            for w in case.waits.iter().filter(|w| w.dep == d && w.from <= at.now) {
                let (f, t) = (w.from.max(at.opened), w.to.filter(|&t| t <= at.now).unwrap_or(Instant::MAX).min(stop));
                if f < t {
                    iv.push((f, t));
                }
            }
            if iv.is_empty() {
                continue;
            }
            iv.sort_unstable();
            merge(&mut iv);
            let secs: i64 = iv.iter().map(|&(f, t)| business_less_pauses(cal, o, f, t, &out.pauses)).sum();
            if secs > 0 {
                out.waiting.push((m as u16, d, secs));
            }
        }
        out.waits = iv;
    }
}

/// Records the issue `after_now` of `subject`.
#[cold]
#[inline(never)]
fn after_now(out: &mut Outcome, subject: Subject) {
    out.issues.push(Issue::new(IssueCode::AfterNow, subject));
}

/// The case's waits as of `now`, as its pauses: `after_now` for one that begins or ends
/// later; whether any had begun by `now` (then the case's own dependency names are kept
/// in the outcome).
#[cold]
#[inline(never)]
fn waits_as_of(case: &Case, now: Instant, out: &mut Outcome) -> bool {
    out.waiting.clear();
    out.deps.clear();
    let mut waits = false;
    for w in &case.waits {
        if w.from > now || w.to.is_some_and(|t| t > now) {
            after_now(out, Subject::Item("waiting", w.pos));
        }
        waits |= w.from <= now;
    }
    out.waited = waits;
    if waits {
        for &name in &case.undeclared {
            let name = Span::push(&mut out.text, name.get(&case.text));
            out.deps.push(name);
        }
    }
    waits
}

/// What evaluation as of `now` knows of a case: its opening and closing (`None`: not
/// closed by `now`), whether a pause is running at `now`, whether it waited on anything.
struct Asof {
    now: Instant,
    opened: Instant,
    closed: Option<Instant>,
    paused_now: bool,
    waits: bool,
}

/// The next change of a case being found: the earliest instant so far, and the least
/// threshold of business time not yet turned into an instant, with its calendar.
#[derive(Default)]
struct Next {
    at: Option<Instant>,
    /// Calendar, least threshold, and the business time its clocks have at `now`.
    pending: Option<(u32, i64, i64)>,
}

impl Next {
    /// Offers threshold `x` (with the business time `e` at `now`) on calendar `cal`; a
    /// threshold of another calendar first turns the pending one into an instant (with
    /// `reach`).
    #[inline(always)]
    fn offer(&mut self, cal: u32, (x, e): (i64, i64), reach: impl FnOnce(u32, i64) -> Option<Instant>) {
        self.pending = match self.pending {
            None => Some((cal, x, e)),
            Some((c, y, e)) if c == cal => Some((c, y.min(x), e)),
            Some((c, y, _)) => {
                self.at = earliest(self.at, reach(c, y));
                Some((cal, x, e))
            }
        };
    }
}

/// The earlier of two instants, either possibly absent.
fn earliest(a: Option<Instant>, b: Option<Instant>) -> Option<Instant> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
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

/// A metric's target: one rule's (with precomputed thresholds) or an aggregate sum, with
/// the ladder of the first rule naming the metric.
#[derive(Clone, Copy)]
enum Target<'a> {
    One(&'a MetricTarget),
    Sum(i64, u32),
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
