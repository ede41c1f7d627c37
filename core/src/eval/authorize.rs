//! Action authorization: may this actor perform this action on this case?

use crate::case::Case;
use crate::engine::Engine;
use crate::policy::limits::Limits;
use crate::value::Val;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

/// Who wants to act: an id and the roles they hold. [`Engine::authorize`] refuses an
/// actor whose id is empty or longer than the engine's `max_string_len`, who lists more
/// roles than `max_list_len`, or a role longer than `max_string_len` (reason
/// `invalid_actor`).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Actor {
    /// The actor's id (compared with `requested_by` and approvals' `by`).
    pub id: String,
    /// Role names; unknown roles grant nothing.
    #[serde(default)]
    pub roles: Vec<String>,
}

/// Why an action is denied. The string forms are the public contract.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReasonCode {
    /// The action is not declared (then it is the only reason).
    UnknownAction,
    /// The case itself is unusable (missing id/kind/opened_at); nothing is allowed on it.
    InvalidCase,
    /// The actor is over the engine's limits (an empty or over-long id, an over-long
    /// role, too many roles); then it is the only reason.
    InvalidActor,
    /// None of the actor's roles is listed for the action.
    RoleNotPermitted,
    /// None of the actor's listed roles has a limit covering the case's value.
    OverLimit,
    /// The actor requested the case, or already approved it.
    SeparationOfDuties,
    /// Evidence required for the case's kind is missing.
    MissingEvidence,
}

impl ReasonCode {
    /// Stable string form.
    pub const fn as_str(self) -> &'static str {
        match self {
            ReasonCode::UnknownAction => "unknown_action",
            ReasonCode::InvalidCase => "invalid_case",
            ReasonCode::InvalidActor => "invalid_actor",
            ReasonCode::RoleNotPermitted => "role_not_permitted",
            ReasonCode::OverLimit => "over_limit",
            ReasonCode::SeparationOfDuties => "separation_of_duties",
            ReasonCode::MissingEvidence => "missing_evidence",
        }
    }
}

/// One reason for a denial.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reason {
    /// Stable code.
    pub code: ReasonCode,
    /// Human-readable detail (empty for `missing_evidence`, which lists `items`).
    pub detail: String,
    /// Missing evidence items, in the policy's order.
    pub items: Vec<String>,
}

/// The answer of [`Engine::authorize`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    /// Whether the action is allowed (no reasons).
    pub allowed: bool,
    /// Every reason that applies, in the spec's order.
    pub reasons: Vec<Reason>,
}

impl Serialize for Decision {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        struct Reasons<'a>(&'a [Reason]);
        impl Serialize for Reasons<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut seq = s.serialize_seq(Some(self.0.len()))?;
                for r in self.0 {
                    seq.serialize_element(&R(r))?;
                }
                seq.end()
            }
        }
        struct R<'a>(&'a Reason);
        impl Serialize for R<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut m = s.serialize_map(None)?;
                m.serialize_entry("code", self.0.code.as_str())?;
                if self.0.code == ReasonCode::MissingEvidence {
                    m.serialize_entry("items", &self.0.items)?;
                } else {
                    m.serialize_entry("detail", &self.0.detail)?;
                }
                m.end()
            }
        }
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("allowed", &self.allowed)?;
        m.serialize_entry("reasons", &Reasons(&self.reasons))?;
        m.end()
    }
}

fn reason(code: ReasonCode, detail: String) -> Reason {
    Reason { code, detail, items: Vec::new() }
}

impl Engine {
    /// Decides whether `actor` may perform `action` on `case`, with every reason that
    /// applies. Fails closed: an unknown action, an actor over the limits, an unusable
    /// case, unknown roles or an absent limit value all deny.
    ///
    /// ```
    /// use docket_core::{Actor, Case, Engine};
    /// let engine = Engine::compile(include_str!("../../../examples/order-ops.policy.json")).unwrap();
    /// let mut case = Case::new();
    /// engine.decode_json(r#"{"id":"C-1","kind":"refund","amount":"1250.00","order_id":"O-1","opened_at":"2026-11-20T09:15:00Z"}"#, &mut case);
    /// let actor = Actor { id: "u-9".into(), roles: vec!["team_lead".into()] };
    /// let d = engine.authorize(&case, &actor, "close");
    /// assert!(!d.allowed);
    /// assert_eq!(d.reasons[0].code.as_str(), "missing_evidence");
    /// assert_eq!(d.reasons[0].items, ["refund_receipt"]);
    /// ```
    pub fn authorize(&self, case: &Case, actor: &Actor, action: &str) -> Decision {
        let mut reasons = Vec::new();
        let Some(a) = self.rights.actions.iter().find(|a| a.name == action) else {
            reasons.push(reason(ReasonCode::UnknownAction, format!("`{action}` is not a declared action")));
            return Decision { allowed: false, reasons };
        };
        if let Some(detail) = self.actor_problem(actor) {
            reasons.push(reason(ReasonCode::InvalidActor, detail));
            return Decision { allowed: false, reasons };
        }
        if let Some(e) = case.error {
            reasons.push(reason(ReasonCode::InvalidCase, e.message().to_string()));
            return Decision { allowed: false, reasons };
        }
        let held: Vec<u32> =
            actor.roles.iter().filter_map(|r| self.rights.role_index(r)).filter(|r| a.roles.contains(r)).collect();
        if held.is_empty() {
            let listed: Vec<&str> =
                a.roles.iter().filter_map(|&r| self.rights.roles.get(r as usize)).map(|r| r.name.as_str()).collect();
            reasons
                .push(reason(ReasonCode::RoleNotPermitted, format!("`{action}` needs one of: {}", listed.join(", "))));
        }
        if let (Some(slot), false) = (a.within_limit, held.is_empty()) {
            let field = self.input.field_name(slot);
            let value = match case.value(self, slot) {
                Val::Dec(d) => Some(d),
                _ => None,
            };
            // A role without a limit covers any value; an absent value is covered by none.
            let covered = value.is_some_and(|v| {
                held.iter().filter_map(|&r| self.rights.roles.get(r as usize)).any(|r| r.limit.is_none_or(|l| v <= l))
            });
            if !covered {
                // Name the most senior listed role the actor holds.
                let best =
                    held.iter().filter_map(|&r| self.rights.roles.get(r as usize)).max_by(|x, y| x.limit.cmp(&y.limit));
                let detail = match (value, best) {
                    (Some(v), Some(r)) => format!("{field} {v} > {} limit {}", r.name, r.limit.unwrap_or_default()),
                    (None, _) => format!("{field} is absent, so no limit covers it"),
                    _ => format!("{field} is not covered"),
                };
                reasons.push(reason(ReasonCode::OverLimit, detail));
            }
        }
        let requester = case.requested_by.map(|s| s.get(&case.text));
        if a.not_requester && requester == Some(actor.id.as_str()) {
            reasons.push(reason(
                ReasonCode::SeparationOfDuties,
                format!("{} requested this case and may not {action} it", actor.id),
            ));
        } else if a.not_prior_approver && case.approvals.iter().any(|x| x.by.get(&case.text) == actor.id) {
            // Every approval the case records, even one whose `at` is malformed (it fills
            // no step, but its approver did approve): this check fails closed.
            reasons.push(reason(ReasonCode::SeparationOfDuties, format!("{} already approved this case", actor.id)));
        }
        let kind = match case.value(self, self.input.kind_slot) {
            Val::Sym(k) => Some(k),
            _ => None,
        };
        if let Some((_, items)) = a.evidence.iter().find(|(k, _)| Some(*k) == kind) {
            let missing: Vec<String> = items
                .iter()
                .filter(|i| !case.evidence.contains(i))
                .filter_map(|&i| self.rights.evidence_names.get(i as usize).cloned())
                .collect();
            if !missing.is_empty() {
                reasons.push(Reason { code: ReasonCode::MissingEvidence, detail: String::new(), items: missing });
            }
        }
        Decision { allowed: reasons.is_empty(), reasons }
    }

    /// What makes `actor` unacceptable, if anything: the limits on strings and lists
    /// apply to an actor as to a case (its id is compared with `requested_by` and `by`).
    fn actor_problem(&self, actor: &Actor) -> Option<String> {
        let Limits { max_string_len: max, max_list_len, .. } = self.info.limits;
        if actor.id.is_empty() {
            return Some("the actor's `id` must be a non-empty string".to_string());
        }
        if actor.id.len() > max {
            return Some(format!("the actor's `id` is {} bytes long; the limit on strings is {max}", actor.id.len()));
        }
        if actor.roles.len() > max_list_len {
            return Some(format!("the actor has {} roles; the limit on lists is {max_list_len}", actor.roles.len()));
        }
        let (i, r) = actor.roles.iter().enumerate().find(|(_, r)| r.len() > max)?;
        Some(format!("the actor's role {i} is {} bytes long; the limit on strings is {max}", r.len()))
    }

    /// [`Engine::authorize`] on a JSON case and a JSON actor, answering JSON. Malformed
    /// input answers `allowed: false` with reason `invalid_case`.
    pub fn authorize_json(&self, case_json: &str, actor_json: &str, action: &str) -> Result<Decision, String> {
        let actor: Actor = serde_json::from_str(actor_json).map_err(|e| format!("bad actor: {e}"))?;
        let mut case = Case::new();
        self.decode_json(case_json, &mut case);
        Ok(self.authorize(&case, &actor, action))
    }
}
