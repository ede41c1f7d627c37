//! Evaluation of one case: intake validation, routing, SLA clocks, approvals; and the
//! questions asked of a case afterwards (may this actor act on it?). A pure function of
//! (policy, case, now); allocation-free once the outcome is warm.

mod approvals;
pub(crate) use approvals::{Candidate, Ignored, Separation};
pub(crate) mod authorize;
mod clocks;
pub(crate) mod columns;
mod routing;

use crate::case::{Case, Span};
use crate::engine::Engine;
use crate::issue::{Issue, IssueCode, Subject};
use crate::output::outcome::Outcome;
use crate::time::Instant;
use crate::value::Packed;

impl Engine {
    /// Evaluates one case at `now` (seconds since the epoch) into `out`.
    ///
    /// ```
    /// use docket_core::{Case, Engine, Outcome};
    /// let engine = Engine::compile(include_str!("../../../examples/order-ops.policy.json")).unwrap();
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
        self.start(case, now, out);
        if out.error.is_some() || out.not_yet_open {
            return;
        }
        out.issues.extend_from_slice(&case.issues);
        self.route_into(case, out);
        self.clocks(case, now, out);
        out.closed_at = if out.open { None } else { closed_at(case, now) };
        self.approve(case, now, out);
    }

    /// Clears `out` for the evaluation of `case` at `now`.
    fn start(&self, case: &Case, now: Instant, out: &mut Outcome) {
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
        // `waiting` and `deps` are cleared (and read) only for a case that waited.
        out.waited = false;
        out.next_change_at = None;
        let kind = case.packed(self, self.input.kind_slot);
        out.kind = kind.is(crate::value::Kind::Sym).then(|| kind.word());
        out.closed_at = None;
        // A case opened after `now` has not happened yet: nothing is decided.
        out.not_yet_open = out.error.is_none() && out.opened_at > now;
    }

    /// Evaluates a batch: `outcomes[i]` receives the outcome of `cases[i]`. Returns the
    /// number of outcomes written (the shorter of the two slices).
    ///
    /// ```
    /// use docket_core::{Case, Engine, Outcome};
    /// let engine = Engine::compile(include_str!("../../../examples/order-ops.policy.json")).unwrap();
    /// let lines = include_str!("../../../examples/cases.ndjson");
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
        if slot < self.input.queue_slot {
            case.packed(self, slot)
        } else if slot == self.input.queue_slot {
            out.queue.map_or(Packed::ABSENT, Packed::sym)
        } else if slot == self.input.priority_slot {
            out.priority.map_or(Packed::ABSENT, Packed::sym)
        } else {
            case.packed(self, slot)
        }
    }

    fn ambiguous(&self, out: &mut Outcome, table: u8) {
        let mut issue = Issue::new(IssueCode::AmbiguousRules, Subject::Table(table));
        for (i, &r) in out.hits.iter().take(4).enumerate() {
            let gid = match table {
                0 => self.routing.table.rules.get(r as usize).map(|r| r.gid),
                1 => self.clocks.sla.as_ref().and_then(|s| s.targets.rules.get(r as usize)).map(|r| r.gid),
                _ => self.rights.approvals.as_ref().and_then(|a| a.rules.get(r as usize)).map(|r| r.gid),
            };
            if let (Some(slot), Some(g)) = (issue.rules.get_mut(i), gid) {
                *slot = g;
            }
        }
        issue.n_rules = out.hits.len().min(4) as u8;
        out.issues.push(issue);
    }
}

/// The instant a case that is not open stopped being open, as of `now`: its `closed_at`
/// if it was closed by then, else the last completion stamp of its metrics (none: it was
/// never open, `opened_at`); an instant before `opened_at` counts as `opened_at`.
fn closed_at(case: &Case, now: Instant) -> Option<Instant> {
    let opened = case.opened_at?;
    let closed = case.closed_at.filter(|&c| c <= now);
    let last = closed.or_else(|| case.completed.iter().flatten().copied().max()).unwrap_or(opened);
    Some(last.max(opened))
}
