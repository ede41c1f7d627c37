//! Routing: the queue and priority of a case, from the routing table (or the invalid
//! queue when intake validation fails).

use crate::case::Case;
use crate::engine::Engine;
use crate::issue::{Issue, IssueCode, Subject};
use crate::output::outcome::{Outcome, Route};
use crate::policy::RouteOut;
use crate::table::Found;
use crate::value::Packed;

impl Engine {
    /// Routes one case alone: the queue, priority, rule and routing issue that
    /// [`Engine::evaluate`] gives it, without SLA clocks or approvals (and without copying
    /// the case's id or issues). `route`'s buffer is reused: warm, nothing is allocated.
    ///
    /// ```
    /// use docket_core::{Case, Engine, Route};
    /// let engine = Engine::compile(include_str!("../../../examples/order-ops.policy.json")).unwrap();
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
            None => match self.decide_route(case) {
                Routing::Invalid(q) => Route::decided(self.routing.invalid_gid, q, None, true),
                Routing::Decided(gid, r) => Route::decided(gid, r.queue, r.priority, false),
                Routing::Ambiguous => Route::undecided(IssueCode::AmbiguousRules),
                Routing::Unrouted => Route::undecided(IssueCode::Unrouted),
            },
        };
    }

    /// The routing decision for a decoded, usable case.
    #[inline]
    fn decide_route(&self, case: &Case) -> Routing {
        if case.invalid
            && let Some(q) = self.routing.invalid_queue
        {
            return Routing::Invalid(q);
        }
        let found = match &self.routing.table.masks {
            Some(_) => {
                let values = case.routing_values(self.input.route_head);
                self.routing.table.decide(|at: u16| at_position(values, at))
            }
            None => self.routing.table.decide(|slot: u16| self.declared(case, slot)),
        };
        let decided = match found {
            Ok(i) => self.routing.table.rules.get(i as usize).map(|r| (r.gid, r.out)),
            Err(Found::Default) => self.routing.table.default,
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
        if slot < self.input.queue_slot { case.packed(self, slot) } else { Packed::ABSENT }
    }

    pub(super) fn route_into(&self, case: &Case, out: &mut Outcome) {
        match self.decide_route(case) {
            Routing::Invalid(q) => {
                out.invalid = true;
                out.queue = Some(q);
                out.trace.push(self.routing.invalid_gid);
            }
            Routing::Decided(gid, r) => {
                out.trace.push(gid);
                out.queue = Some(r.queue);
                out.priority = r.priority;
            }
            Routing::Ambiguous => {
                // The conflicting rules, which the issue names: the table's full result,
                // read as `routing` reads the case.
                match &self.routing.table.masks {
                    Some(_) => {
                        let values = case.routing_values(self.input.route_head);
                        self.routing.table.eval(|at: u16| at_position(values, at), &mut out.hits)
                    }
                    None => self.routing.table.eval(|slot: u16| self.declared(case, slot), &mut out.hits),
                };
                self.ambiguous(out, 0)
            }
            Routing::Unrouted => out.issues.push(Issue::new(IssueCode::Unrouted, Subject::Table(0))),
        }
    }
}

/// A routing table's decision for one case.
enum Routing {
    /// Intake validation failed: the invalid queue.
    Invalid(u32),
    /// A rule (trace id) and its outputs.
    Decided(u32, RouteOut),
    /// Several rules of a `unique`/`any` table disagree (the matching rules are in the hit list).
    Ambiguous,
    /// No rule matches and there is no default.
    Unrouted,
}

/// The value at storage position `at` of `values` (absent beyond them): how the routing
/// masks, relocated to storage positions by `Engine::compile`, read a case.
#[inline(always)]
fn at_position(values: &[Packed], at: u16) -> Packed {
    values.get(usize::from(at)).copied().unwrap_or(Packed::ABSENT)
}
