//! What actually happened to a case, for QA: the queue that worked it (`worked_queue`),
//! the escalations it got (`escalations`) and who closed it (`closed_by`). A case that
//! carries none of them costs one flag; QA checks run only on one that carries some.

use super::{Case, Span, id_hash};
use crate::engine::Engine;
use crate::issue::{IssueCode, Subject};
use crate::time::Instant;
use alloc::vec::Vec;

/// The queue a case says worked it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Worked {
    /// A declared queue, by index.
    Queue(u32),
    /// A name the policy does not declare (issue `unknown_queue`), in the case's text.
    Unknown(Span),
}

/// One entry of `escalations`: the case reached escalation `level` at `at`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct GivenEscalation {
    pub level: u32,
    pub at: Instant,
    /// Position in the case's `escalations` list (what an issue's `escalations/<i>` names).
    pub pos: u16,
}

/// The QA keys of a case.
#[derive(Clone, Debug, Default)]
pub(crate) struct Given {
    /// Whether the case carries any QA key (not null), well formed or not.
    pub any: bool,
    pub worked: Option<Worked>,
    /// Whether `escalations` was given (a list, even empty).
    pub escalations_given: bool,
    pub escalations: Vec<GivenEscalation>,
    /// Entries of `escalations` offered so far (the next one's position).
    pub escalation_items: usize,
    /// The actor who closed the case, its id's hash, and the declared roles they held.
    pub closed_by: Option<Span>,
    pub closed_by_hash: u64,
    pub closed_by_roles: Vec<u32>,
    /// Roles of `closed_by` offered so far.
    pub closed_by_items: usize,
}

impl Given {
    #[cold]
    #[inline(never)]
    pub(crate) fn clear(&mut self) {
        self.any = false;
        self.worked = None;
        self.escalations_given = false;
        self.escalations.clear();
        self.escalation_items = 0;
        self.closed_by = None;
        self.closed_by_hash = 0;
        self.closed_by_roles.clear();
        self.closed_by_items = 0;
    }
}

impl Case {
    /// `worked_queue` by name: a declared queue, or an undeclared name (the issue
    /// `unknown_queue`; it is still the queue that worked the case). Over
    /// `max_string_len`: a `bad_type` issue.
    pub(crate) fn worked_queue(&mut self, engine: &Engine, name: &str) {
        self.qa.any = true;
        if name.len() > engine.info.limits.max_string_len {
            return self.bad_key("worked_queue");
        }
        self.qa.worked = Some(match engine.queue_index(name) {
            Some(q) => Worked::Queue(q),
            None => {
                self.issue(IssueCode::UnknownQueue, Subject::Key("worked_queue"));
                Worked::Unknown(Span::push(&mut self.text, name))
            }
        });
    }

    /// `worked_queue` by index (see [`Engine::queues`]); an index past them names no queue:
    /// `unknown_queue`, named by its decimal digits.
    pub(crate) fn worked_queue_index(&mut self, engine: &Engine, q: u32) {
        if (q as usize) < engine.routing.queues.len() {
            self.qa.any = true;
            self.qa.worked = Some(Worked::Queue(q));
        } else {
            let mut digits = [0u8; 10];
            let name = super::decimal(q, &mut digits);
            self.worked_queue(engine, name);
        }
    }

    /// Marks `escalations` as given (a list, possibly empty).
    pub(crate) fn escalations_given(&mut self) {
        self.qa.any = true;
        self.qa.escalations_given = true;
    }

    /// Records the next entry of `escalations`: `None` for one of the wrong shape (a
    /// `bad_type` issue of the list; the entry counts for nothing).
    pub(crate) fn escalation(&mut self, engine: &Engine, entry: Option<(u32, Instant)>) {
        self.escalations_given();
        let pos = self.qa.escalation_items;
        self.qa.escalation_items += 1;
        let Some((level, at)) = entry.filter(|&(l, _)| l >= 1).filter(|_| pos < engine.info.limits.max_list_len) else {
            return self.bad_key("escalations");
        };
        let pos = pos.min(usize::from(u16::MAX)) as u16;
        self.qa.escalations.push(GivenEscalation { level, at, pos });
    }

    /// `closed_by`'s id (empty or over `max_string_len`: a `bad_type` issue, and no closer).
    pub(crate) fn closed_by(&mut self, engine: &Engine, id: &str) -> bool {
        self.qa.any = true;
        if id.is_empty() || id.len() > engine.info.limits.max_string_len {
            self.qa.closed_by = None;
            self.bad_key("closed_by");
            return false;
        }
        self.qa.closed_by = Some(Span::push(&mut self.text, id));
        self.qa.closed_by_hash = id_hash(id);
        true
    }

    /// One role `closed_by` held, by index (`None`, or an index past the declared roles:
    /// a role the policy does not declare, which grants nothing); `false` past
    /// `max_list_len` roles (the wrong shape).
    pub(crate) fn closed_by_role(&mut self, engine: &Engine, role: Option<u32>) -> bool {
        self.qa.any = true;
        let nth = self.qa.closed_by_items;
        self.qa.closed_by_items += 1;
        if nth >= engine.info.limits.max_list_len {
            return false;
        }
        if let Some(r) = role.filter(|&r| (r as usize) < engine.rights.roles.len())
            && !self.qa.closed_by_roles.contains(&r)
        {
            self.qa.closed_by_roles.push(r);
        }
        true
    }
}

/// An escalation's `level`: a whole number from 1 (`None` for anything else).
pub(super) fn level(v: &super::json::Scalar<'_>) -> Option<u32> {
    use super::json::Scalar;
    match *v {
        Scalar::I64(i) => u32::try_from(i).ok(),
        Scalar::U64(u) => u32::try_from(u).ok(),
        Scalar::F64(x) if x >= 1.0 && x <= f64::from(u32::MAX) && x == (x as u32) as f64 => Some(x as u32),
        _ => None,
    }
    .filter(|&l| l >= 1)
}

/// Reads `closed_by`, the actor object `{"id": string, "roles": [string]}` (other keys
/// are ignored), into `case`; `false` when it has another shape (the caller records the
/// `bad_type` issue, and the case has no closer).
pub(super) fn closer<'de, A: serde::de::MapAccess<'de>>(
    engine: &Engine,
    case: &mut Case,
    budget: super::json::Budget<'_>,
    mut map: A,
) -> Result<bool, A::Error> {
    use super::json::{KeyStr, ScalarSeed, Skip};
    case.qa.any = true;
    budget.spend(1)?;
    let mut ok = true;
    let mut id = false;
    let max = engine.info.limits.max_string_len;
    case.qa.closed_by_roles.clear();
    case.qa.closed_by_items = 0;
    while let Some(KeyStr(k)) = map.next_key()? {
        budget.spend(k.len().saturating_add(4))?;
        match &*k {
            "id" => {
                let v = map.next_value_seed(ScalarSeed(budget))?;
                id = match v.as_str() {
                    Some(s) if !s.is_empty() && s.len() <= max => {
                        case.qa.closed_by = Some(Span::push(&mut case.text, s));
                        case.qa.closed_by_hash = id_hash(s);
                        true
                    }
                    _ => false,
                };
            }
            "roles" => {
                let what = super::json::List::CloserRoles;
                ok &= map.next_value_seed(super::json::ListSeed { engine, case: &mut *case, what, budget })?;
            }
            _ => map.next_value_seed(Skip(budget))?,
        }
    }
    if !(ok && id) {
        case.qa.closed_by = None;
        case.qa.closed_by_roles.clear();
    }
    Ok(ok && id)
}
