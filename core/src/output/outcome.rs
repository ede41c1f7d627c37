//! Outcomes: what Docket decided for one case. Reusable buffers; rendering to JSON
//! ([`Engine::write_outcome`](crate::Engine::write_outcome), or [`OutcomeView`](crate::OutcomeView) with
//! serde_json) names everything from the engine.

use crate::case::{CaseError, Span};
use crate::issue::{Issue, IssueCode};
use crate::time::Instant;
use alloc::string::String;
use alloc::vec::Vec;

/// State of one SLA clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SlaState {
    /// Completed within target.
    Met,
    /// Completed after target.
    Missed,
    /// Running, below the warning share.
    Ok,
    /// Running, at or above the warning share.
    Warning,
    /// Running, past target.
    Breached,
    /// Running, a pause is open at `now` (and not breached).
    Paused,
}

impl SlaState {
    /// The stable string form.
    pub const fn as_str(self) -> &'static str {
        match self {
            SlaState::Met => "met",
            SlaState::Missed => "missed",
            SlaState::Ok => "ok",
            SlaState::Warning => "warning",
            SlaState::Breached => "breached",
            SlaState::Paused => "paused",
        }
    }
    /// Whether the metric is completed.
    pub const fn completed(self) -> bool {
        matches!(self, SlaState::Met | SlaState::Missed)
    }
}

/// Escalation status of a running clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Escalation {
    /// Steps passed.
    pub level: u32,
    /// The next step (1-based) and the role it goes to, if any step is left.
    pub next: Option<(u32, u32)>,
    /// When the next step is reached (null while paused or beyond the search horizon).
    pub next_at: Option<Instant>,
    /// The role of the last step passed (`None` at level 0): whom the case has reached.
    pub reached: Option<u32>,
}

/// Why a metric was missed or is breached (see the time semantics).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Cause {
    /// No wait on a dependency explains the overrun: the queue's own time.
    Own,
    /// The dependency whose wait explains it: the index of a declared one
    /// ([`Engine::dependencies`](crate::Engine::dependencies)), or, from their count on,
    /// a name the case gave that the policy does not declare
    /// ([`Outcome::dependency_name`]).
    Dependency(u32),
}

/// One SLA clock of one case.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MetricOutcome {
    /// Clock state.
    pub state: SlaState,
    /// Calendar index (policy order).
    pub calendar: u32,
    /// Target in business seconds.
    pub target_s: i64,
    /// Due instant (see the time semantics for when it is null).
    pub due: Option<Instant>,
    /// Business seconds elapsed, less pauses.
    pub elapsed_s: i64,
    /// The instant the clock stopped: the metric's completion stamp, or the case's
    /// `closed_at` for a metric closed without one.
    pub completed_at: Option<Instant>,
    /// Escalation (running clocks of policies with a ladder).
    pub escalation: Option<Escalation>,
}

impl MetricOutcome {
    /// `target_s - elapsed_s`.
    pub fn remaining_s(&self) -> i64 {
        self.target_s.saturating_sub(self.elapsed_s)
    }
    /// `elapsed / target` (`None` for a zero target).
    pub fn consumed(&self) -> Option<f64> {
        (self.target_s != 0).then(|| self.elapsed_s as f64 / self.target_s as f64)
    }
}

/// One approval step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Step {
    /// Role index (policy order).
    pub role: u32,
    /// Trace id index of the rule that added it.
    pub(crate) gid: u32,
    /// The actor who filled it (outcome text span).
    pub(crate) done_by: Option<Span>,
    /// The approval that filled it: its index in the case's approvals (as the case keeps
    /// them), `u32::MAX` while open.
    pub(crate) filler: u32,
}

/// The outcome of one case. Create once with [`Outcome::new`], then let
/// [`Engine::evaluate`](crate::Engine::evaluate) overwrite it for every case: its buffers
/// keep their capacity, so a warmed-up outcome is filled without allocating.
#[derive(Clone, Debug, Default)]
pub struct Outcome {
    pub(crate) text: String,
    pub(crate) id: Option<Span>,
    pub(crate) error: Option<CaseError>,
    pub(crate) now: Instant,
    pub(crate) opened_at: Instant,
    pub(crate) queue: Option<u32>,
    pub(crate) priority: Option<u32>,
    pub(crate) invalid: bool,
    pub(crate) sla: Vec<Option<MetricOutcome>>,
    pub(crate) band: Option<u32>,
    pub(crate) open: bool,
    pub(crate) has_approvals: bool,
    pub(crate) steps: Vec<Step>,
    pub(crate) barred: Vec<Span>,
    pub(crate) issues: Vec<Issue>,
    pub(crate) trace: Vec<u32>,
    pub(crate) hits: Vec<u32>,
    pub(crate) pauses: Vec<(Instant, Instant)>,
    /// Opened after `now`: nothing else is decided.
    pub(crate) not_yet_open: bool,
    pub(crate) next_change_at: Option<Instant>,
    /// Whether the case had waited on anything by `now` (else `waiting` and `deps` are
    /// stale: not cleared, not read).
    pub(crate) waited: bool,
    /// Business seconds each metric waited on each dependency, when not zero:
    /// `(metric, dependency, seconds)`, by metric then dependency.
    pub(crate) waiting: Vec<(u16, u32, i64)>,
    /// The names the case waited on that the policy does not declare (outcome text).
    pub(crate) deps: Vec<Span>,
    /// Scratch: one dependency's waits, merged.
    pub(crate) waits: Vec<(Instant, Instant)>,
    /// The case's `kind`: a symbol of the `kind` field (`None`: not one).
    pub(crate) kind: Option<u32>,
    /// A case that is not open: the instant it stopped being open (see [`Outcome::closed_at`]).
    pub(crate) closed_at: Option<Instant>,
}

impl Outcome {
    /// An empty outcome buffer.
    pub fn new() -> Outcome {
        Outcome::default()
    }
    /// Whether the outcome has an `approvals` object, as its JSON does: the policy has
    /// approval rules and the case is usable and opened by `now`.
    pub fn has_approvals(&self) -> bool {
        self.has_approvals
    }
    /// The case id (absent when the case had no usable id).
    pub fn id(&self) -> Option<&str> {
        self.id.map(|s| s.get(&self.text))
    }
    /// Why the case was unusable, if it was.
    pub fn error(&self) -> Option<CaseError> {
        self.error
    }
    /// Queue index (see [`Engine::queues`](crate::Engine::queues)).
    pub fn queue_index(&self) -> Option<u32> {
        self.queue
    }
    /// Priority index (see [`Engine::priorities`](crate::Engine::priorities)).
    pub fn priority_index(&self) -> Option<u32> {
        self.priority
    }
    /// Whether intake validation routed the case to the invalid queue.
    pub fn invalid(&self) -> bool {
        self.invalid
    }
    /// SLA clocks by metric index (`None` = no target for that metric).
    pub fn sla(&self) -> &[Option<MetricOutcome>] {
        &self.sla
    }
    /// Ageing band index, for open cases.
    pub fn band_index(&self) -> Option<u32> {
        self.band
    }
    /// Whether the case is open: not closed by `now` and some metric still running.
    pub fn is_open(&self) -> bool {
        self.open
    }
    /// For a case that is not open (and was opened by `now`): the instant it stopped being
    /// open, its `closed_at` if it was closed by `now`, else the last completion stamp of
    /// its metrics (`opened_at` for a case never open: a policy without metrics), never
    /// before `opened_at`.
    pub fn closed_at(&self) -> Option<Instant> {
        self.closed_at
    }
    /// Whether the case was opened after `now` (then nothing else is decided).
    pub fn not_yet_open(&self) -> bool {
        self.not_yet_open
    }
    /// The earliest instant after `now` at which the case's evaluation would differ (a
    /// metric turns warning or breached, the next escalation step, the next ageing band)
    /// if nothing else happens; `None` for a case that is not open or when nothing is
    /// scheduled.
    pub fn next_change_at(&self) -> Option<Instant> {
        self.next_change_at
    }
    /// Business seconds metric `metric` spent waiting on each dependency within its
    /// running span, for those it waited on: `(dependency, seconds)`, dependencies in
    /// order (see [`Cause::Dependency`] for what the index means).
    pub fn waiting_s(&self, metric: usize) -> impl Iterator<Item = (u32, i64)> + '_ {
        let waiting = if self.waited { self.waiting.as_slice() } else { &[] };
        waiting.iter().filter(move |w| usize::from(w.0) == metric).map(|w| (w.1, w.2))
    }
    /// Why metric `metric` was missed or is breached (`None` in any other state): the
    /// dependency whose wait alone explains the overrun (`elapsed_s - target_s`), the
    /// largest such wait, ties to the first dependency; else the queue's own.
    pub fn cause(&self, metric: usize) -> Option<Cause> {
        let mo = self.sla.get(metric)?.as_ref()?;
        if !matches!(mo.state, SlaState::Missed | SlaState::Breached) {
            return None;
        }
        let overrun = mo.elapsed_s.saturating_sub(mo.target_s);
        let mut best: Option<(u32, i64)> = None;
        for (d, w) in self.waiting_s(metric) {
            if w >= overrun && best.is_none_or(|(_, b)| w > b) {
                best = Some((d, w));
            }
        }
        Some(best.map_or(Cause::Own, |(d, _)| Cause::Dependency(d)))
    }
    /// The name of dependency `dep` ([`Cause::Dependency`], [`Outcome::waiting_s`]).
    pub fn dependency_name<'a>(&'a self, engine: &'a crate::Engine, dep: u32) -> &'a str {
        match engine.clocks.dependencies.get(dep as usize) {
            Some(d) => d,
            None => self.dependency_name_in(engine.clocks.dependencies.len() as u32, dep),
        }
    }
    /// The name of an undeclared dependency `dep` of a policy declaring `declared`.
    pub(crate) fn dependency_name_in(&self, declared: u32, dep: u32) -> &str {
        let deps = if self.waited { self.deps.as_slice() } else { &[] };
        dep.checked_sub(declared).and_then(|k| deps.get(k as usize)).map_or("", |s| s.get(&self.text))
    }
    /// Approval steps in order.
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }
    /// The actor who filled a step.
    pub fn done_by(&self, step: &Step) -> Option<&str> {
        step.done_by.map(|s| s.get(&self.text))
    }
    /// Actors barred from approving, in order.
    pub fn barred(&self) -> impl Iterator<Item = &str> {
        self.barred.iter().map(|s| s.get(&self.text))
    }
    /// Issues.
    pub fn issues(&self) -> &[Issue] {
        &self.issues
    }
    /// Trace: ids of the rules that decided, as indexes (see [`OutcomeView`](crate::OutcomeView)).
    pub fn trace_gids(&self) -> &[u32] {
        &self.trace
    }
    /// The instant the case was evaluated at.
    pub fn now(&self) -> Instant {
        self.now
    }
    /// The case's `opened_at`.
    pub fn opened_at(&self) -> Instant {
        self.opened_at
    }
}

/// The routing decision alone for one case ([`Engine::route`](crate::Engine::route)):
/// what [`Outcome`] says of queue, priority, the deciding rule and routing problems.
///
/// A plain 16-byte value (`Copy`, nothing on the heap): a batch's routes fill four to a
/// cache line. [`Engine::route`](crate::Engine::route) overwrites all of it.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Route {
    // Indexes, `NONE` for none.
    queue: u32,
    priority: u32,
    rule: u32,
    error: Option<CaseError>,
    invalid: bool,
    issue: Option<IssueCode>,
}

/// No index (queues, priorities and rules number far fewer: see the policy limits).
const NONE: u32 = u32::MAX;

fn index(i: u32) -> Option<u32> {
    (i != NONE).then_some(i)
}

impl Default for Route {
    fn default() -> Route {
        Route::new()
    }
}

impl core::fmt::Debug for Route {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Route")
            .field("error", &self.error)
            .field("queue", &self.queue_index())
            .field("priority", &self.priority_index())
            .field("rule", &index(self.rule))
            .field("invalid", &self.invalid)
            .field("issue", &self.issue)
            .finish()
    }
}

impl Route {
    /// A routing buffer that says nothing yet: no queue, priority, rule, error or issue.
    pub const fn new() -> Route {
        Route { queue: NONE, priority: NONE, rule: NONE, error: None, invalid: false, issue: None }
    }

    /// The decision for an unusable case.
    pub(crate) const fn unusable(error: CaseError) -> Route {
        Route { error: Some(error), ..Route::new() }
    }

    /// A decision by rule `rule` (a trace gid): its queue and priority; `invalid` for
    /// intake validation.
    pub(crate) fn decided(rule: u32, queue: u32, priority: Option<u32>, invalid: bool) -> Route {
        Route { queue, priority: priority.unwrap_or(NONE), rule, invalid, ..Route::new() }
    }

    /// No decision, for the reason `issue`.
    pub(crate) const fn undecided(issue: IssueCode) -> Route {
        Route { issue: Some(issue), ..Route::new() }
    }

    /// Why the case was unusable (then nothing was routed).
    pub fn error(&self) -> Option<CaseError> {
        self.error
    }
    /// Queue index (see [`Engine::queues`](crate::Engine::queues)).
    pub fn queue_index(&self) -> Option<u32> {
        index(self.queue)
    }
    /// Priority index (see [`Engine::priorities`](crate::Engine::priorities)).
    pub fn priority_index(&self) -> Option<u32> {
        index(self.priority)
    }
    /// Whether intake validation routed the case to the invalid queue.
    pub fn invalid(&self) -> bool {
        self.invalid
    }
    /// `unrouted` (no rule matches, no default) or `ambiguous_rules`, when the case has no queue
    /// for that reason.
    pub fn issue(&self) -> Option<IssueCode> {
        self.issue
    }
    /// The id of the rule that decided (`default` for a table default, `invalid` for intake
    /// validation), as the outcome's trace names it.
    pub fn rule_id<'e>(&self, engine: &'e crate::Engine) -> Option<&'e str> {
        index(self.rule).map(|g| engine.rule_id(g))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_route_is_sixteen_bytes_and_starts_empty() {
        // Four routes to a 64-byte cache line: the batch routing path writes them in a stream.
        assert_eq!(core::mem::size_of::<Route>(), 16);
        let r = Route::default();
        assert_eq!(
            (r.queue_index(), r.priority_index(), r.error(), r.issue(), r.invalid()),
            (None, None, None, None, false)
        );
        // The sentinel never shows: Debug prints the indexes as options.
        let shown = alloc::format!("{:?}", Route::decided(3, 2, None, false));
        assert!(
            shown.contains("queue: Some(2)") && shown.contains("priority: None") && shown.contains("rule: Some(3)"),
            "{shown}"
        );
    }
}
