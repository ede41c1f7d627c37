//! Evaluation of one case: intake validation, routing, SLA clocks, approvals.
//! A pure function of (policy, case, now); allocation-free once the outcome is warm.

use crate::calendar::{Calendar, Origin};
use crate::case::{Case, Span};
use crate::engine::{ApprovalOut, BandClock, Engine, MetricTarget};
use crate::issue::{Issue, IssueCode, Subject};
use crate::outcome::{Escalation, MetricOutcome, Outcome, Route, SlaState, Step};
use crate::table::Found;
use crate::time::Instant;
use crate::value::{Packed, Val};

impl Engine {
    /// Decodes a JSON case record into `case` (reusing its buffers). Problems with the
    /// record become the case's issues or its `error`; this never fails.
    ///
    /// ```
    /// # let engine = docket_core::Engine::compile(include_str!("../../examples/order-ops.policy.json")).unwrap();
    /// let mut case = docket_core::Case::new();
    /// engine.decode_json(r#"{"id":"C-1","kind":"refund","amount":"80","order_id":"O-1","opened_at":"2026-11-23T08:00:00Z"}"#, &mut case);
    /// assert_eq!(case.id(), Some("C-1"));
    /// assert!(case.error().is_none());
    /// ```
    pub fn decode_json(&self, json: &str, case: &mut Case) {
        case.reset(self);
        if json.len() > self.limits.max_case_bytes {
            case.set_error(crate::case::CaseError::TooLarge);
            return;
        }
        let mut de = serde_json::Deserializer::from_str(json);
        let seed = crate::case::CaseSeed { engine: self, case: &mut *case };
        let res = serde::de::DeserializeSeed::deserialize(seed, &mut de).and_then(|()| de.end());
        match res {
            Ok(()) => case.finish(self, true),
            Err(e) => case.set_error(if e.is_data() {
                crate::case::CaseError::NotAnObject
            } else {
                crate::case::CaseError::BadJson
            }),
        }
    }

    /// Decodes a case from any serde deserializer (e.g. `serde_wasm_bindgen`).
    /// Returns the deserializer's error if the input is structurally unreadable; the case
    /// then carries `error` `not_an_object`.
    pub fn decode<'de, D: serde::Deserializer<'de>>(&self, de: D, case: &mut Case) -> Result<(), D::Error> {
        case.reset(self);
        let seed = crate::case::CaseSeed { engine: self, case: &mut *case };
        match serde::de::DeserializeSeed::deserialize(seed, de) {
            Ok(()) => {
                case.finish(self, true);
                Ok(())
            }
            Err(e) => {
                case.set_error(crate::case::CaseError::NotAnObject);
                Err(e)
            }
        }
    }

    /// Evaluates one case at `now` (seconds since the epoch) into `out`.
    ///
    /// ```
    /// use docket_core::{Case, Engine, Outcome};
    /// let engine = Engine::compile(include_str!("../../examples/order-ops.policy.json")).unwrap();
    /// let mut case = Case::new();
    /// engine.decode_json(r#"{"id":"C-1","kind":"payment_hold","order_id":"O-1","opened_at":"2026-11-23T08:00:00Z"}"#, &mut case);
    /// let mut out = Outcome::new();
    /// let now = docket_core::time::parse_rfc3339("2026-11-23T08:30:00Z").unwrap();
    /// engine.evaluate(&case, now, &mut out);
    /// let json = engine.outcome_json(&out);
    /// assert!(json.contains(r#""queue":"payment_hold_review""#));
    /// ```
    pub fn evaluate(&self, case: &Case, now: Instant, out: &mut Outcome) {
        // `now` outside the range a case may carry is clamped into it (1970 through 2099).
        let now = now.clamp(crate::time::EARLIEST_CASE_INSTANT, crate::time::LATEST_CASE_INSTANT);
        out.text.clear();
        out.id = case.id().map(|id| Span::push(&mut out.text, id));
        out.error = case.error;
        out.now = now;
        out.opened_at = case.opened_at.unwrap_or(0);
        out.queue = None;
        out.priority = None;
        out.invalid = false;
        out.sla.clear();
        out.band = None;
        out.open = false;
        out.has_approvals = false;
        out.steps.clear();
        out.barred.clear();
        out.issues.clear();
        out.trace.clear();
        if out.error.is_some() {
            return;
        }
        out.issues.extend_from_slice(&case.issues);
        self.route_into(case, out);
        self.clocks(case, now, out);
        self.approve(case, out);
    }

    /// Evaluates a batch: `outcomes[i]` receives the outcome of `cases[i]`. Returns the
    /// number of outcomes written (the shorter of the two slices).
    ///
    /// ```
    /// use docket_core::{Case, Engine, Outcome};
    /// let engine = Engine::compile(include_str!("../../examples/order-ops.policy.json")).unwrap();
    /// let lines = include_str!("../../examples/cases.ndjson");
    /// let cases: Vec<Case> = lines.lines().map(|l| { let mut c = Case::new(); engine.decode_json(l, &mut c); c }).collect();
    /// let mut outcomes = vec![Outcome::new(); cases.len()];
    /// let now = docket_core::time::parse_rfc3339("2026-11-23T10:00:00Z").unwrap();
    /// assert_eq!(engine.evaluate_batch(&cases, now, &mut outcomes), 15);
    /// assert_eq!(outcomes[0].id(), Some("C-1001"));
    /// ```
    pub fn evaluate_batch(&self, cases: &[Case], now: Instant, outcomes: &mut [Outcome]) -> usize {
        let mut n = 0;
        for (c, o) in cases.iter().zip(outcomes.iter_mut()) {
            self.evaluate(c, now, o);
            n += 1;
        }
        n
    }

    #[inline(always)]
    fn get(&self, case: &Case, out: &Outcome, slot: u16) -> Packed {
        // Declared fields come first, the derived `queue` and `priority` last: most reads
        // take one comparison.
        if slot < self.queue_slot {
            case.packed(self, slot)
        } else if slot == self.queue_slot {
            out.queue.map_or(Packed::ABSENT, Packed::sym)
        } else if slot == self.priority_slot {
            out.priority.map_or(Packed::ABSENT, Packed::sym)
        } else {
            case.packed(self, slot)
        }
    }

    fn ambiguous(&self, out: &mut Outcome, table: u8) {
        let mut issue = Issue::new(IssueCode::AmbiguousRules, Subject::Table(table));
        for (i, &r) in out.hits.iter().take(4).enumerate() {
            let gid = match table {
                0 => self.routing.rules.get(r as usize).map(|r| r.gid),
                1 => self.sla.as_ref().and_then(|s| s.targets.rules.get(r as usize)).map(|r| r.gid),
                _ => self.approvals.as_ref().and_then(|a| a.rules.get(r as usize)).map(|r| r.gid),
            };
            if let (Some(slot), Some(g)) = (issue.rules.get_mut(i), gid) {
                *slot = g;
            }
        }
        issue.n_rules = out.hits.len().min(4) as u8;
        out.issues.push(issue);
    }

    /// Routes one case alone: the queue, priority, rule and routing issue that
    /// [`Engine::evaluate`] gives it, without SLA clocks or approvals (and without copying
    /// the case's id or issues). `route`'s buffer is reused: warm, nothing is allocated.
    ///
    /// ```
    /// use docket_core::{Case, Engine, Route};
    /// let engine = Engine::compile(include_str!("../../examples/order-ops.policy.json")).unwrap();
    /// let mut case = Case::new();
    /// engine.decode_json(r#"{"id":"C-1","kind":"payment_hold","order_id":"O-1","opened_at":"2026-11-23T08:00:00Z"}"#, &mut case);
    /// let mut route = Route::new();
    /// engine.route(&case, &mut route);
    /// assert_eq!(route.queue_index().and_then(|q| engine.queues().nth(q as usize)), Some("payment_hold_review"));
    /// assert_eq!(route.rule_id(&engine), Some("R03"));
    /// ```
    pub fn route(&self, case: &Case, route: &mut Route) {
        *route = match case.error {
            Some(e) => Route::unusable(e),
            None => match self.routing(case) {
                Routing::Invalid(q) => Route::decided(self.invalid_gid, q, None, true),
                Routing::Decided(gid, r) => Route::decided(gid, r.queue, r.priority, false),
                Routing::Ambiguous => Route::undecided(IssueCode::AmbiguousRules),
                Routing::Unrouted => Route::undecided(IssueCode::Unrouted),
            },
        };
    }

    /// The routing decision for a decoded, usable case.
    #[inline]
    fn routing(&self, case: &Case) -> Routing {
        if case.invalid
            && let Some(q) = self.invalid_queue
        {
            return Routing::Invalid(q);
        }
        let found = match &self.routing.masks {
            Some(_) => {
                let values = case.routing_values(self.route_head);
                self.routing.decide(|at: u16| at_position(values, at))
            }
            None => self.routing.decide(|slot: u16| self.declared(case, slot)),
        };
        let decided = match found {
            Ok(i) => self.routing.rules.get(i as usize).map(|r| (r.gid, r.out)),
            Err(Found::Default) => self.routing.default,
            Err(Found::Ambiguous) => return Routing::Ambiguous,
            Err(Found::Nothing | Found::Rules) => None,
        };
        match decided {
            Some((gid, r)) => Routing::Decided(gid, r),
            None => Routing::Unrouted,
        }
    }

    /// A field as routing reads it rule by rule: declared fields only, the derived queue and priority
    /// not being decided yet (absent).
    #[inline(always)]
    fn declared(&self, case: &Case, slot: u16) -> Packed {
        if slot < self.queue_slot { case.packed(self, slot) } else { Packed::ABSENT }
    }

    fn route_into(&self, case: &Case, out: &mut Outcome) {
        match self.routing(case) {
            Routing::Invalid(q) => {
                out.invalid = true;
                out.queue = Some(q);
                out.trace.push(self.invalid_gid);
            }
            Routing::Decided(gid, r) => {
                out.trace.push(gid);
                out.queue = Some(r.queue);
                out.priority = r.priority;
            }
            Routing::Ambiguous => {
                // The conflicting rules, which the issue names: the table's full result,
                // read as `routing` reads the case.
                match &self.routing.masks {
                    Some(_) => {
                        let values = case.routing_values(self.route_head);
                        self.routing.eval(|at: u16| at_position(values, at), &mut out.hits)
                    }
                    None => self.routing.eval(|slot: u16| self.declared(case, slot), &mut out.hits),
                };
                self.ambiguous(out, 0)
            }
            Routing::Unrouted => out.issues.push(Issue::new(IssueCode::Unrouted, Subject::Table(0))),
        }
    }

    fn clocks(&self, case: &Case, now: Instant, out: &mut Outcome) {
        let Some(sla) = &self.sla else { return };
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
        for m in 0..self.metrics.len() {
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
            let age = match (sla.band_clock, calendar.and_then(|c| Some((c, self.calendars.get(c as usize)?)))) {
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
        let sla = self.sla.as_ref()?;
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
                        (Some(crate::table::Agg::Min), Some(b)) if b.0.target <= t.target => Some(b),
                        (Some(crate::table::Agg::Max), Some(b)) if b.0.target >= t.target => Some(b),
                        (Some(crate::table::Agg::Sum), Some(b)) => Some(b),
                        _ => Some((t, r.out.calendar)),
                    };
                }
                let (t, cal) = best?;
                if sla.targets.agg == Some(crate::table::Agg::Sum) && n > 1 {
                    return Some((Target::Sum(sum), Some(cal)));
                }
                Some((Target::One(t), Some(cal)))
            }
            _ => None,
        }
    }

    // In WebAssembly `clock` and `approve` stay functions of their own: V8 ran the
    // columnar batch 6–7% faster than with both inlined into `evaluate` (BENCHMARKS.md,
    // "What this session changed"); natively the difference was within noise.
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
        let sla = self.sla.as_ref()?;
        let (_, calendar) = self.calendars.get(cal as usize)?;
        let summed;
        let mt: &MetricTarget = match t {
            Target::One(x) => x,
            Target::Sum(s) => {
                summed = crate::engine::thresholds_for(s, sla);
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

    #[cfg_attr(target_arch = "wasm32", inline(never))]
    fn approve(&self, case: &Case, out: &mut Outcome) {
        let Some(table) = &self.approvals else { return };
        out.has_approvals = true;
        let mut hits = core::mem::take(&mut out.hits);
        let found = table.eval(|s| self.get(case, out, s), &mut hits);
        out.hits = hits;
        let add = |out: &mut Outcome, gid: u32, o: ApprovalOut| {
            out.trace.push(gid);
            let role = match o {
                ApprovalOut::Role(r) => Some(r),
                ApprovalOut::ByLimit(slot) => {
                    let v = match self.get(case, out, slot).unpack() {
                        Val::Dec(d) => Some(d),
                        _ => None,
                    };
                    let r = v.and_then(|v| self.by_limit(v));
                    if r.is_none() {
                        out.issues.push(Issue::new(IssueCode::NoAuthority, Subject::Field(slot)));
                    }
                    r
                }
            };
            if let Some(role) = role
                && !out.steps.iter().any(|s| s.role == role)
            {
                out.steps.push(Step { role, gid, done_by: None });
            }
        };
        match found {
            Found::Rules => {
                for k in 0..out.hits.len() {
                    let Some(&i) = out.hits.get(k) else { continue };
                    if let Some(r) = table.rules.get(i as usize) {
                        add(out, r.gid, r.out);
                    }
                }
            }
            Found::Default => {
                if let Some((gid, o)) = table.default {
                    add(out, gid, o);
                }
            }
            Found::Ambiguous => self.ambiguous(out, 2),
            Found::Nothing => {}
        }
        // Requester first, then approvals already given.
        let requester = case.requested_by.map(|s| s.get(&case.text));
        if self.requester_cannot_approve
            && let Some(r) = requester
        {
            let span = Span::push(&mut out.text, r);
            out.barred.push(span);
        }
        for (ai, a) in case.approvals.iter().enumerate() {
            let by = a.by.get(&case.text);
            let Some(si) = out.steps.iter().position(|s| s.role == a.role && s.done_by.is_none()) else { continue };
            let is_requester = self.requester_cannot_approve && requester == Some(by);
            let already =
                self.distinct_approvers && out.steps.iter().any(|s| s.done_by.is_some_and(|d| d.get(&out.text) == by));
            if is_requester || already {
                let mut issue = Issue::new(IssueCode::SeparationViolation, Subject::Approval(ai as u16));
                issue.text = Some(Span::push(&mut out.text, by));
                issue.rules[0] = u32::from(is_requester);
                out.issues.push(issue);
                continue;
            }
            let span = Span::push(&mut out.text, by);
            if let Some(s) = out.steps.get_mut(si) {
                s.done_by = Some(span);
            }
            if self.distinct_approvers && !out.barred.iter().any(|b| b.get(&out.text) == by) {
                out.barred.push(span);
            }
        }
    }

    /// The role a `by_limit` step resolves to: the smallest limit covering `v` (ties by
    /// declaration order), else the first role without a limit.
    pub(crate) fn by_limit(&self, v: rust_decimal::Decimal) -> Option<u32> {
        match self.limit_order.iter().find(|(_, l)| l.covers(v)) {
            Some(&(i, _)) => Some(i),
            None => self.roles.iter().position(|r| r.limit.is_none()).map(|i| i as u32),
        }
    }
}

/// A routing table's decision for one case.
enum Routing {
    /// Intake validation failed: the invalid queue.
    Invalid(u32),
    /// A rule (trace id) and its outputs.
    Decided(u32, crate::engine::RouteOut),
    /// Several rules of a `unique`/`any` table disagree (the matching rules are in the hit list).
    Ambiguous,
    /// No rule matches and there is no default.
    Unrouted,
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
        Some(d) if d.saturating_sub(a) <= crate::calendar::SEARCH_LIMIT_S => Reach::At(d),
        _ => Reach::Never,
    }
}

/// The value at storage position `at` of `values` (absent beyond them): how the routing
/// masks, relocated to storage positions by `Engine::compile`, read a case.
#[inline(always)]
fn at_position(values: &[Packed], at: u16) -> Packed {
    values.get(usize::from(at)).copied().unwrap_or(Packed::ABSENT)
}
