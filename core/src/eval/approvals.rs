//! Approvals: the steps of the approval chain a case needs, and which of the approvals
//! given fill them.
//!
//! One rule decides who fills a step, here and in `authorize` alike ([`Engine::judge`]):
//! an approval fills the first open step, in rule order, that its role may fill, if the
//! `approve` action and `separation` let its approver approve at that instant. Evaluation
//! takes the case's approvals in the order they were given and judges each as `authorize`
//! would have judged its approver, holding its role, at that instant.

use crate::case::{Case, Form, GivenApproval, Span, bad_approval};
use crate::engine::Engine;
use crate::issue::{Issue, IssueCode, Subject};
use crate::output::outcome::{Outcome, Step};
use crate::policy::ApprovalOut;
use crate::table::Found;
use crate::time::Instant;
use crate::value::Val;

/// Why an approval counts for nothing: the `reason` of the issue `approval_ignored`.
/// The first that applies is reported: `malformed`, `after_now`, then what `authorize`
/// would answer first at the approval's instant (`role_not_permitted`, `over_limit`,
/// `separation_of_duties`, `duplicate`, `no_open_step`), where `no_open_step` because
/// the case was not open yet is `before_opened`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ignored {
    /// It names no approver, its `at` is not a timestamp, or its role is not declared.
    Malformed = 0,
    /// Given after the evaluation instant: not yet.
    AfterNow = 1,
    /// Given before the case was opened.
    BeforeOpened = 2,
    /// Its role may not approve (the `approve` action does not list it, or there is none).
    RoleNotPermitted = 3,
    /// Its role's limit does not cover the case's `within_limit` value.
    OverLimit = 4,
    /// Its approver is barred by separation of duties.
    SeparationOfDuties = 5,
    /// It repeats an approval given before it (same role, approver and `at`).
    Duplicate = 6,
    /// No open step that its role may fill.
    NoOpenStep = 7,
}

impl Ignored {
    pub(crate) const ALL: [Ignored; 8] = [
        Ignored::Malformed,
        Ignored::AfterNow,
        Ignored::BeforeOpened,
        Ignored::RoleNotPermitted,
        Ignored::OverLimit,
        Ignored::SeparationOfDuties,
        Ignored::Duplicate,
        Ignored::NoOpenStep,
    ];
    /// The stable string form.
    pub(crate) const fn as_str(self) -> &'static str {
        match self {
            Ignored::Malformed => "malformed",
            Ignored::AfterNow => "after_now",
            Ignored::BeforeOpened => "before_opened",
            Ignored::RoleNotPermitted => "role_not_permitted",
            Ignored::OverLimit => "over_limit",
            Ignored::SeparationOfDuties => "separation_of_duties",
            Ignored::Duplicate => "duplicate",
            Ignored::NoOpenStep => "no_open_step",
        }
    }
    pub(crate) fn from_u32(x: u32) -> Option<Ignored> {
        Ignored::ALL.get(x as usize).copied()
    }
}

/// Why separation of duties bars an approver.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Separation {
    /// They requested the case (`requester_cannot_approve`, or `approve.not_requester`).
    Requester = 0,
    /// They already gave one of the case's approvals (`approve.not_prior_approver`).
    PriorApprover = 1,
    /// They already filled a step (`distinct_approvers`, or `approve.not_approver`).
    Filled = 2,
}

/// An approver asking to fill a step at one instant: a recorded approval, or an actor
/// asking `authorize`.
pub(crate) struct Candidate<'a> {
    pub by: &'a str,
    pub hash: u64,
    /// The roles they approve in (declared roles; a recorded approval has one).
    pub roles: &'a [u32],
    /// The instant they are judged at.
    pub t: Instant,
    /// Their `at` as recorded (an actor asking `authorize` would be recorded at `now`).
    pub at: Option<Instant>,
    /// Their place among approvals given at the same instant: the list position, or
    /// `u32::MAX` for one appended after every recorded approval.
    pub pos: u32,
}

/// What stands between a [`Candidate`] and a step, with the state of the steps at its
/// instant. `authorize` reports every part that refuses; evaluation the first.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Judged {
    /// One of the roles is listed under `approve`.
    pub listed: bool,
    /// One of the listed roles covers the case's `within_limit` value (or there is none).
    pub covered: bool,
    /// Separation of duties bars the approver.
    pub separation: Option<Separation>,
    /// One of the listed, covering roles would not repeat an approval given before.
    pub fresh: bool,
    /// The list position of the approval that a listed, covering role repeats (the first
    /// such role's).
    pub repeats: Option<u32>,
    /// The instant is not before the case was opened.
    pub opened: bool,
    /// The step filled (its index in the outcome's steps) and the role filling it: the
    /// first open step, in rule order, that a listed, covering, fresh role may fill.
    pub fills: Option<(usize, u32)>,
}

impl Engine {
    /// The index of role `r` as an approval records it: `u32::MAX` for a role the policy
    /// does not declare (or one longer than `max_string_len`, which no actor may hold).
    pub(crate) fn approval_role(&self, r: &str) -> u32 {
        if r.len() > self.info.limits.max_string_len {
            return u32::MAX;
        }
        self.rights.role_index(r).unwrap_or(u32::MAX)
    }

    /// Whether role `r` covers the case's value of the `approve` action's `within_limit`
    /// field (always, without one). A role without a limit covers any value; an absent
    /// value is covered by none.
    pub(crate) fn covers(&self, case: &Case, within_limit: Option<u16>, r: u32) -> bool {
        let Some(slot) = within_limit else { return true };
        match case.value(self, slot) {
            Val::Dec(v) => self.rights.roles.get(r as usize).is_some_and(|x| x.limit.is_none_or(|l| v <= l)),
            _ => false,
        }
    }

    /// The one rule of who fills a step: judges candidate `c` against the steps of `out`
    /// as they stand at its instant (filled by the approvals taken before it).
    #[inline]
    pub(crate) fn judge(&self, case: &Case, out: &Outcome, c: &Candidate<'_>, now: Instant) -> Judged {
        let rights = &self.rights;
        let within_limit = rights.approve_action().and_then(|a| a.within_limit);
        let mut j = Judged { opened: case.opened_at.is_some_and(|o| c.t >= o), ..Judged::default() };
        for &r in c.roles {
            if !rights.approver.get(r as usize).copied().unwrap_or(false) {
                continue;
            }
            j.listed = true;
            if !self.covers(case, within_limit, r) {
                continue;
            }
            j.covered = true;
            if let Some(p) = self.repeats(case, c, r, now) {
                j.repeats = j.repeats.or(Some(p));
                continue;
            }
            j.fresh = true;
            if !j.opened {
                continue;
            }
            let open = out.steps.iter().position(|s| s.done_by.is_none() && rights.may_fill(r, s.role));
            if let Some(i) = open {
                j.fills = match j.fills {
                    Some((bi, br)) if bi < i || (bi == i && !self.rather(r, br, out.steps.get(i))) => Some((bi, br)),
                    _ => Some((i, r)),
                };
            }
        }
        j.separation = self.separation(case, out, c, now);
        j
    }

    /// [`Engine::judge`] for one recorded approval in its one role, stopping at the first
    /// reason it counts for nothing (the same predicates, in `authorize`'s order): the
    /// step it fills, or why not (with what the issue's detail names).
    #[inline]
    fn judge_one(&self, case: &Case, out: &Outcome, c: &Candidate<'_>, now: Instant) -> Result<usize, (Ignored, u32)> {
        let rights = &self.rights;
        let r = c.roles.first().copied().unwrap_or(u32::MAX);
        if !rights.approver.get(r as usize).copied().unwrap_or(false) {
            return Err((Ignored::RoleNotPermitted, r));
        }
        if !self.covers(case, rights.approve_action().and_then(|a| a.within_limit), r) {
            return Err((Ignored::OverLimit, r));
        }
        if let Some(s) = self.separation(case, out, c, now) {
            return Err((Ignored::SeparationOfDuties, s as u32));
        }
        if let Some(p) = self.repeats(case, c, r, now) {
            return Err((Ignored::Duplicate, p));
        }
        // No step is open before the case is: the record says when it was given.
        if case.opened_at.is_none_or(|o| c.t < o) {
            return Err((Ignored::BeforeOpened, 0));
        }
        out.steps.iter().position(|s| s.done_by.is_none() && rights.may_fill(r, s.role)).ok_or((Ignored::NoOpenStep, r))
    }

    /// Whether role `a` rather than `b` should fill `step` (both may): its own role
    /// first, then the least senior, then policy order.
    fn rather(&self, a: u32, b: u32, step: Option<&Step>) -> bool {
        let own = |r: u32| step.is_some_and(|s| s.role == r);
        let rank = |r: u32| self.rights.rank.get(r as usize).copied().unwrap_or(u32::MAX);
        (!own(a), rank(a), a) < (!own(b), rank(b), b)
    }

    /// Whether separation of duties bars the candidate's approver at its instant.
    #[inline]
    fn separation(&self, case: &Case, out: &Outcome, c: &Candidate<'_>, now: Instant) -> Option<Separation> {
        let rights = &self.rights;
        let approve = rights.approve_action();
        let flag = |f: fn(&crate::policy::Action) -> bool| approve.is_some_and(f);
        if (rights.requester_cannot_approve || flag(|a| a.not_requester))
            && case.requested_by.is_some_and(|r| r.get(&case.text) == c.by)
        {
            return Some(Separation::Requester);
        }
        if flag(|a| a.not_prior_approver) && self.prior_approver(case, c.by, c.hash, (c.t, c.pos), now) {
            return Some(Separation::PriorApprover);
        }
        if (rights.distinct_approvers || flag(|a| a.not_approver)) && self.filled_by(case, out, c.by, c.hash) {
            return Some(Separation::Filled);
        }
        None
    }

    /// Whether `by` gave one of the case's approvals before `(t, pos)` (every approval
    /// naming an approver counts, filling a step or not; one whose `at` is malformed
    /// counts at every instant: it fails closed).
    pub(crate) fn prior_approver(
        &self,
        case: &Case,
        by: &str,
        hash: u64,
        before: (Instant, u32),
        now: Instant,
    ) -> bool {
        case.approvals.iter().any(|a| {
            (a.form == Form::BadAt || (a.form == Form::Usable && (a.effective(now), a.pos) < before))
                && a.by_is(&case.text, by, hash)
        })
    }

    /// Whether `by` filled one of the steps of `out` (filled from `case`'s approvals).
    pub(crate) fn filled_by(&self, case: &Case, out: &Outcome, by: &str, hash: u64) -> bool {
        out.steps.iter().any(|s| {
            s.done_by.is_some() && case.approvals.get(s.filler as usize).is_some_and(|a| a.by_is(&case.text, by, hash))
        })
    }

    /// The list position of an approval given before candidate `c` that a record of `c`
    /// in role `r` would repeat: same role, approver and `at`.
    fn repeats(&self, case: &Case, c: &Candidate<'_>, r: u32, now: Instant) -> Option<u32> {
        case.approvals
            .iter()
            .find(|a| {
                a.form == Form::Usable
                    && a.role == r
                    && a.at == c.at
                    && (a.effective(now), a.pos) < (c.t, c.pos)
                    && a.by_is(&case.text, c.by, c.hash)
            })
            .map(|a| a.pos)
    }

    /// The approval steps of a case and which of its approvals fill them, as of `now`.
    #[cfg_attr(target_arch = "wasm32", inline(never))]
    pub(super) fn approve(&self, case: &Case, now: Instant, out: &mut Outcome) {
        let Some(table) = &self.rights.approvals else { return };
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
                out.steps.push(Step { role, gid, done_by: None, filler: u32::MAX });
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
        // The requester first, then the approvers, in the order their approvals are taken.
        let approve = self.rights.approve_action();
        if (self.rights.requester_cannot_approve || approve.is_some_and(|a| a.not_requester))
            && let Some(r) = case.requested_by
        {
            let span = Span::push(&mut out.text, r.get(&case.text));
            out.barred.push(span);
        }
        let list = &case.approvals;
        // Most often every approval is usable and given before `now`: then the list's
        // own (sorted) order is the order they are taken in.
        let simple = list.first().is_some_and(|f| f.form == Form::Usable)
            && list.last().is_some_and(|l| l.at.is_some_and(|t| t < now));
        if simple {
            for k in 0..list.len() {
                self.take(case, now, out, k);
            }
        } else if !list.is_empty() {
            self.take_in_order(case, now, out);
        }
    }

    /// Takes the case's approvals in the order of `at` (the case keeps them sorted: see
    /// `Case::finish`): those that cannot count, then by `at`, list order breaking ties;
    /// one without `at` counts as given at `now`, so it is taken among those given at
    /// `now`, by position; those given after `now` last (they count for nothing yet).
    #[inline(never)]
    fn take_in_order(&self, case: &Case, now: Instant, out: &mut Outcome) {
        let list = &case.approvals;
        let len = list.len();
        let from = |k: usize| list.get(k..).unwrap_or(&[]);
        let usable = list.partition_point(|a| a.form != Form::Usable);
        let at_now = usable + from(usable).partition_point(|a| a.at.is_some_and(|t| t < now));
        let after = at_now + from(at_now).partition_point(|a| a.at.is_some_and(|t| t <= now));
        let undated = after + from(after).partition_point(|a| a.at.is_some());
        for k in 0..at_now {
            self.take(case, now, out, k);
        }
        let (mut i, mut j) = (at_now, undated);
        while i < after || j < len {
            let pos = |k: usize| list.get(k).map_or(u32::MAX, |a| a.pos);
            if i < after && (j >= len || pos(i) < pos(j)) {
                self.take(case, now, out, i);
                i += 1;
            } else {
                self.take(case, now, out, j);
                j += 1;
            }
        }
        for k in after..undated {
            self.take(case, now, out, k);
        }
    }

    /// Takes approval `k` of the case (in its sorted order): fills the step it fills, or
    /// records why it counts for nothing; bars its approver from later steps as the
    /// policy says.
    fn take(&self, case: &Case, now: Instant, out: &mut Outcome, k: usize) {
        let Some(a) = case.approvals.get(k) else { return };
        let by = a.by.get(&case.text);
        let after_now = a.at.is_some_and(|t| t > now);
        let judged = match a.form {
            Form::NoApprover(why) => Err((Ignored::Malformed, why)),
            Form::BadAt => Err((Ignored::Malformed, bad_approval::BAD_AT)),
            Form::Usable if a.role == u32::MAX => Err((Ignored::Malformed, bad_approval::UNDECLARED_ROLE)),
            Form::Usable if after_now => Err((Ignored::AfterNow, 0)),
            Form::Usable => {
                let roles = [a.role];
                let c = Candidate { by, hash: a.by_hash, roles: &roles, t: a.effective(now), at: a.at, pos: a.pos };
                self.judge_one(case, out, &c, now)
            }
        };
        let span = match judged {
            Ok(step) => {
                let span = Span::push(&mut out.text, by);
                if let Some(s) = out.steps.get_mut(step) {
                    s.done_by = Some(span);
                    s.filler = k as u32;
                }
                Some(span)
            }
            Err((reason, aux)) => {
                let issue = ignored(out, a, by, reason, aux);
                out.issues.push(issue);
                None
            }
        };
        // Whoever gave an approval by now is a prior approver from then on; whoever
        // filled a step is barred from the others under distinct approvers.
        let approve = self.rights.approve_action();
        let named = matches!(a.form, Form::BadAt | Form::Usable) && !after_now;
        let prior = named && approve.is_some_and(|x| x.not_prior_approver);
        let filler = span.is_some() && (self.rights.distinct_approvers || approve.is_some_and(|x| x.not_approver));
        if (prior || filler) && !out.barred.iter().any(|b| b.get(&out.text) == by) {
            let span = span.unwrap_or_else(|| Span::push(&mut out.text, by));
            out.barred.push(span);
        }
    }

    /// The role a `by_limit` step resolves to: the smallest limit covering `v` (ties by
    /// declaration order), else the first role without a limit.
    pub(crate) fn by_limit(&self, v: rust_decimal::Decimal) -> Option<u32> {
        match self.rights.limit_order.iter().find(|(_, l)| l.covers(v)) {
            Some(&(i, _)) => Some(i),
            None => self.rights.roles.iter().position(|r| r.limit.is_none()).map(|i| i as u32),
        }
    }
}

/// The issue `approval_ignored` of approval `a`, for `reason` (`aux`: what its detail
/// names: why it is malformed, the role, the separation, or the approval repeated).
fn ignored(out: &mut Outcome, a: &GivenApproval, by: &str, reason: Ignored, aux: u32) -> Issue {
    let pos = u16::try_from(a.pos).unwrap_or(u16::MAX);
    let mut issue = Issue::new(IssueCode::ApprovalIgnored, Subject::Approval(pos));
    let at = a.at.unwrap_or(out.now);
    issue.rules = [reason as u32, aux, at as u32, (at >> 32) as u32];
    if reason == Ignored::SeparationOfDuties {
        issue.text = Some(Span::push(&mut out.text, by));
    }
    issue
}
