//! Action authorization: may this actor perform this action on this case?

use super::{Candidate, Separation};
use crate::case::{Case, id_hash};
use crate::engine::Engine;
use crate::issue::IssueCode;
use crate::output::outcome::Outcome;
use crate::policy::Action;
use crate::policy::limits::Limits;
use crate::time::{Instant, Rfc3339};
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

/// Why an action is denied. The string forms are the public contract; every reason that
/// applies is given, in this order.
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
    /// Separation of duties bars the actor: they requested the case, already approved
    /// it, or gave one of its counted approvals.
    SeparationOfDuties,
    /// `approve`: every approval the actor could record now repeats one already recorded
    /// (same role, approver and time).
    Duplicate,
    /// `approve`: no open step that the actor may fill now.
    NoOpenStep,
    /// The action requires every approval step filled, and some are open.
    ApprovalsPending,
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
            ReasonCode::Duplicate => "duplicate",
            ReasonCode::NoOpenStep => "no_open_step",
            ReasonCode::ApprovalsPending => "approvals_pending",
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
    /// `missing_evidence`: the missing items, in the policy's order; `approvals_pending`:
    /// the roles of the open steps, in rule order.
    pub items: Vec<String>,
}

/// The step an allowed `approve` fills.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fills {
    /// The step's role.
    pub role: String,
    /// The id of the approval rule that added the step.
    pub rule: String,
    /// The actor's role that fills it: the role to record with the approval (the step's
    /// own role when the actor holds it).
    pub as_role: String,
}

/// The answer of [`Engine::authorize`]: a decision record, ready to append to an audit
/// log as it is. Its JSON (`serde`) is the same from every binding:
/// `{"case", "actor", "action", "now", "allowed", "reasons", "fills"?, "policy"}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    /// The case's id (`None` for an unusable case without one).
    pub case: Option<String>,
    /// The actor's id (`None` when it is empty or over `max_string_len`: `invalid_actor`).
    pub actor: Option<String>,
    /// The action asked for.
    pub action: String,
    /// The instant the decision was made as of (seconds since the epoch; clamped into
    /// 1970 through 2099 as evaluation clamps it).
    pub now: Instant,
    /// Whether the action is allowed (no reasons).
    pub allowed: bool,
    /// Every reason that applies, in the documented order.
    pub reasons: Vec<Reason>,
    /// For an allowed `approve`: the step it fills.
    pub fills: Option<Fills>,
    /// The policy's name, version and fingerprint.
    pub policy: PolicyInfo,
}

/// Which policy decided: its `name`, `version` and fingerprint.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PolicyInfo {
    /// The policy's `name`.
    pub name: String,
    /// The policy's `version` label.
    pub version: String,
    /// The policy's fingerprint (`sha256:` and 64 hex digits).
    pub fingerprint: String,
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
                match self.0.code {
                    ReasonCode::MissingEvidence => m.serialize_entry("items", &self.0.items)?,
                    ReasonCode::ApprovalsPending => {
                        m.serialize_entry("detail", &self.0.detail)?;
                        m.serialize_entry("roles", &self.0.items)?;
                    }
                    _ => m.serialize_entry("detail", &self.0.detail)?,
                }
                m.end()
            }
        }
        struct F<'a>(&'a Fills);
        impl Serialize for F<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut m = s.serialize_map(Some(3))?;
                m.serialize_entry("role", &self.0.role)?;
                m.serialize_entry("rule", &self.0.rule)?;
                m.serialize_entry("as", &self.0.as_role)?;
                m.end()
            }
        }
        struct P<'a>(&'a PolicyInfo);
        impl Serialize for P<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut m = s.serialize_map(Some(3))?;
                m.serialize_entry("name", &self.0.name)?;
                m.serialize_entry("version", &self.0.version)?;
                m.serialize_entry("fingerprint", &self.0.fingerprint)?;
                m.end()
            }
        }
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("case", &self.case)?;
        m.serialize_entry("actor", &self.actor)?;
        m.serialize_entry("action", &self.action)?;
        m.serialize_entry("now", &Rfc3339(self.now))?;
        m.serialize_entry("allowed", &self.allowed)?;
        m.serialize_entry("reasons", &Reasons(&self.reasons))?;
        if let Some(f) = &self.fills {
            m.serialize_entry("fills", &F(f))?;
        }
        m.serialize_entry("policy", &P(&self.policy))?;
        m.end()
    }
}

fn reason(code: ReasonCode, detail: String) -> Reason {
    Reason { code, detail, items: Vec::new() }
}

impl Engine {
    /// Decides whether `actor` may perform `action` on `case` at `now` (seconds since the
    /// epoch), with every reason that applies: a decision record naming the case, the
    /// actor, the action, the instant and the policy. Fails closed: an unknown action, an
    /// actor over the limits, an unusable case, unknown roles or an absent limit value
    /// all deny.
    ///
    /// `approve` is allowed only when the actor may fill an open approval step now, by
    /// the one rule evaluation also counts approvals with ([`Fills`] names the step):
    /// recording the approval `{"role": fills.as, "by": actor.id, "at": now}` in the
    /// case's `approvals` fills exactly that step.
    ///
    /// ```
    /// use docket_core::{Actor, Case, Engine};
    /// let engine = Engine::compile(include_str!("../../../examples/order-ops.policy.json")).unwrap();
    /// let mut case = Case::new();
    /// engine.decode_json(r#"{"id":"C-1","kind":"refund","amount":"1250.00","order_id":"O-1","opened_at":"2026-11-20T09:15:00Z"}"#, &mut case);
    /// let now = docket_core::time::parse_rfc3339("2026-11-23T10:00:00Z").unwrap();
    /// let lead = Actor { id: "u-9".into(), roles: vec!["team_lead".into()] };
    /// let d = engine.authorize(&case, &lead, "close", now);
    /// assert!(!d.allowed);
    /// let codes: Vec<&str> = d.reasons.iter().map(|r| r.code.as_str()).collect();
    /// assert_eq!(codes, ["approvals_pending", "missing_evidence"]);
    /// // An ops_manager may fill the first step (A2 resolves 1250.00 to ops_manager).
    /// let manager = Actor { id: "u-7".into(), roles: vec!["ops_manager".into()] };
    /// let d = engine.authorize(&case, &manager, "approve", now);
    /// assert!(d.allowed);
    /// assert_eq!(d.fills.map(|f| (f.role, f.rule)), Some(("ops_manager".into(), "A2".into())));
    /// ```
    pub fn authorize(&self, case: &Case, actor: &Actor, action: &str, now: Instant) -> Decision {
        let now = now.clamp(crate::time::EARLIEST_CASE_INSTANT, crate::time::LATEST_CASE_INSTANT);
        let info = &self.info;
        let mut d = Decision {
            case: case.id().map(ToString::to_string),
            actor: (!actor.id.is_empty() && actor.id.len() <= info.limits.max_string_len).then(|| actor.id.clone()),
            action: action.to_string(),
            now,
            allowed: false,
            reasons: Vec::new(),
            fills: None,
            policy: PolicyInfo {
                name: info.name.clone(),
                version: info.version.clone(),
                fingerprint: info.fingerprint.clone(),
            },
        };
        self.decide(case, actor, action, now, &mut d);
        d.allowed = d.reasons.is_empty();
        if !d.allowed {
            d.fills = None;
        }
        d
    }

    /// The reasons of a decision, and the step an allowed `approve` fills.
    fn decide(&self, case: &Case, actor: &Actor, action: &str, now: Instant, d: &mut Decision) {
        let reasons = &mut d.reasons;
        let Some((ai, a)) = self.rights.actions.iter().enumerate().find(|(_, a)| a.name == action) else {
            reasons.push(reason(ReasonCode::UnknownAction, format!("`{action}` is not a declared action")));
            return;
        };
        if let Some(detail) = self.actor_problem(actor) {
            reasons.push(reason(ReasonCode::InvalidActor, detail));
            return;
        }
        if let Some(e) = case.error {
            reasons.push(reason(ReasonCode::InvalidCase, e.message().to_string()));
            return;
        }
        let is_approve = self.rights.approve == Some(ai);
        let held: Vec<u32> =
            actor.roles.iter().filter_map(|r| self.rights.role_index(r)).filter(|r| a.roles.contains(r)).collect();
        let (not_permitted, over_limit) = self.role_gates(case, a, &held);
        if not_permitted {
            let listed: Vec<&str> =
                a.roles.iter().filter_map(|&r| self.rights.roles.get(r as usize)).map(|r| r.name.as_str()).collect();
            reasons
                .push(reason(ReasonCode::RoleNotPermitted, format!("`{action}` needs one of: {}", listed.join(", "))));
        }
        let covering: Vec<u32> = held.iter().copied().filter(|&r| self.covers(case, a.within_limit, r)).collect();
        if let (Some(slot), true) = (a.within_limit, over_limit) {
            let field = self.input.field_name(slot);
            let value = match case.value(self, slot) {
                Val::Dec(d) => Some(d),
                _ => None,
            };
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
        // The approval steps as they stand at `now`, for what depends on them: the case
        // evaluated at `now` (its clocks too, which cost little beside what an answer
        // allocates; evaluation keeps one path, inlined, for its hot loop).
        let mut out = Outcome::new();
        if is_approve || a.requires_approvals || a.not_approver {
            self.evaluate(case, now, &mut out);
        }
        let by = actor.id.as_str();
        let hash = id_hash(by);
        if is_approve {
            // The one rule evaluation counts approvals by, for an approval recorded now
            // (after every approval recorded up to now).
            let c = Candidate { by, hash, roles: &covering, t: now, at: Some(now), pos: u32::MAX };
            let j = self.judge(case, &out, &c, now);
            if let Some(sep) = j.separation {
                reasons.push(reason(ReasonCode::SeparationOfDuties, separation_detail(sep, by)));
            }
            if j.covered && !j.fresh {
                let p = j.repeats.unwrap_or(0);
                reasons.push(reason(
                    ReasonCode::Duplicate,
                    format!("{by} already recorded this approval at {} (approvals/{p})", Rfc3339(now)),
                ));
            }
            if j.fresh && j.fills.is_none() {
                let detail = match case.opened_at {
                    Some(o) if now < o => format!("no step is open before the case is opened at {}", Rfc3339(o)),
                    _ => format!(
                        "no open approval step that {by}'s roles may fill (fill: {})",
                        self.rights.fill.as_str()
                    ),
                };
                reasons.push(reason(ReasonCode::NoOpenStep, detail));
            }
            if let Some((i, r)) = j.fills {
                let role = |r: u32| self.rights.roles.get(r as usize).map_or("", |x| x.name.as_str()).to_string();
                d.fills = out.steps.get(i).map(|s| Fills {
                    role: role(s.role),
                    rule: self.rule_id(s.gid).to_string(),
                    as_role: role(r),
                });
            }
        } else if let Some(sep) = self.action_separation(case, a, by, hash, now, &out) {
            reasons.push(reason(ReasonCode::SeparationOfDuties, separation_detail(sep, by)));
        }
        if a.requires_approvals
            && let Some(undetermined) = self.approvals_pending(&out)
        {
            let open: Vec<String> = out
                .steps
                .iter()
                .filter(|s| s.done_by.is_none())
                .filter_map(|s| self.rights.roles.get(s.role as usize))
                .map(|r| r.name.clone())
                .collect();
            let detail = if undetermined {
                "the approval steps cannot be determined (no_authority or ambiguous_rules), so they are not complete"
                    .to_string()
            } else {
                format!("`{action}` requires every approval step filled; open: {}", open.join(", "))
            };
            reasons.push(Reason { code: ReasonCode::ApprovalsPending, detail, items: open });
        }
        let missing: Vec<String> = self
            .missing_evidence(case, a)
            .filter_map(|i| self.rights.evidence_names.get(i as usize).cloned())
            .collect();
        if !missing.is_empty() {
            reasons.push(Reason { code: ReasonCode::MissingEvidence, detail: String::new(), items: missing });
        }
    }

    /// The reasons `role_not_permitted` and `over_limit` of action `a` for an actor
    /// holding the declared roles `roles`: none of them is listed for the action; the
    /// action has `within_limit`, one is listed, and no listed one covers the case's value.
    pub(crate) fn role_gates(&self, case: &Case, a: &Action, roles: &[u32]) -> (bool, bool) {
        let listed = roles.iter().any(|r| a.roles.contains(r));
        let covered = roles.iter().any(|&r| a.roles.contains(&r) && self.covers(case, a.within_limit, r));
        (!listed, a.within_limit.is_some() && listed && !covered)
    }

    /// Separation of duties for an action other than `approve`, for actor `by` (whose id
    /// hashes to `hash`) at `now`, `steps` holding the approval steps as they stand then:
    /// the requester under `not_requester`, an approver by `now` under
    /// `not_prior_approver`, or the approver of a counted approval under `not_approver`.
    pub(crate) fn action_separation(
        &self,
        case: &Case,
        a: &Action,
        by: &str,
        hash: u64,
        now: Instant,
        steps: &Outcome,
    ) -> Option<Separation> {
        let requester = case.requested_by.map(|s| s.get(&case.text));
        if a.not_requester && requester == Some(by) {
            Some(Separation::Requester)
        } else if a.not_prior_approver && self.prior_approver(case, by, hash, (now, u32::MAX), now) {
            Some(Separation::PriorApprover)
        } else if a.not_approver && self.filled_by(case, steps, by, hash) {
            Some(Separation::Filled)
        } else {
            None
        }
    }

    /// `approvals_pending` of an action that requires approvals, with the steps of
    /// `steps`: `Some` when a step is open or the steps cannot be determined (`true`: no
    /// role covers a `by_limit` value, or the approvals table is ambiguous: this fails
    /// closed).
    pub(crate) fn approvals_pending(&self, steps: &Outcome) -> Option<bool> {
        let open = steps.steps.iter().any(|s| s.done_by.is_none());
        let undetermined = steps.issues.iter().any(|i| {
            i.code == IssueCode::NoAuthority
                || (i.code == IssueCode::AmbiguousRules && i.subject == crate::issue::Subject::Table(2))
        });
        (open || undetermined).then_some(undetermined)
    }

    /// The evidence items action `a` requires for the case's `kind` that the case lacks,
    /// in the policy's order.
    pub(crate) fn missing_evidence<'a>(&'a self, case: &'a Case, a: &'a Action) -> impl Iterator<Item = u32> + 'a {
        let kind = match case.value(self, self.input.kind_slot) {
            Val::Sym(k) => Some(k),
            _ => None,
        };
        let items = a.evidence.iter().find(|(k, _)| Some(*k) == kind).map_or(&[][..], |(_, items)| items.as_slice());
        items.iter().copied().filter(|i| !case.evidence.contains(i))
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

    /// [`Engine::authorize`] on a JSON case and a JSON actor. An actor of the wrong shape
    /// is an error; a case that is not usable answers `allowed: false` with reason
    /// `invalid_case`.
    pub fn authorize_json(
        &self,
        case_json: &str,
        actor_json: &str,
        action: &str,
        now: Instant,
    ) -> Result<Decision, String> {
        let actor: Actor = serde_json::from_str(actor_json).map_err(|e| format!("bad actor: {e}"))?;
        let mut case = Case::new();
        self.decode_json(case_json, &mut case);
        Ok(self.authorize(&case, &actor, action, now))
    }
}

/// The detail of `separation_of_duties`.
fn separation_detail(s: Separation, by: &str) -> String {
    match s {
        Separation::Requester => format!("{by} requested this case"),
        Separation::PriorApprover => format!("{by} already gave an approval of this case"),
        Separation::Filled => format!("{by} gave one of the approvals counted on this case"),
    }
}
