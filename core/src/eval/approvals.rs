//! Approvals: the steps of the approval chain a case needs, who has filled them, and
//! who is barred from filling the rest (segregation of duties).

use crate::case::{Case, Span};
use crate::engine::Engine;
use crate::issue::{Issue, IssueCode, Subject};
use crate::output::outcome::{Outcome, Step};
use crate::policy::ApprovalOut;
use crate::table::Found;
use crate::value::Val;

impl Engine {
    #[cfg_attr(target_arch = "wasm32", inline(never))]
    pub(super) fn approve(&self, case: &Case, out: &mut Outcome) {
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
        if self.rights.requester_cannot_approve
            && let Some(r) = requester
        {
            let span = Span::push(&mut out.text, r);
            out.barred.push(span);
        }
        // An approval with a malformed `at` fills nothing (it has its `bad_type` issue).
        for a in case.approvals.iter().filter(|a| a.counts) {
            let by = a.by.get(&case.text);
            let Some(si) = out.steps.iter().position(|s| s.role == a.role && s.done_by.is_none()) else { continue };
            let is_requester = self.rights.requester_cannot_approve && requester == Some(by);
            let already = self.rights.distinct_approvers
                && out.steps.iter().any(|s| s.done_by.is_some_and(|d| d.get(&out.text) == by));
            if is_requester || already {
                let mut issue = Issue::new(IssueCode::SeparationViolation, Subject::Approval(a.pos));
                issue.text = Some(Span::push(&mut out.text, by));
                issue.rules[0] = u32::from(is_requester);
                out.issues.push(issue);
                continue;
            }
            let span = Span::push(&mut out.text, by);
            if let Some(s) = out.steps.get_mut(si) {
                s.done_by = Some(span);
            }
            if self.rights.distinct_approvers && !out.barred.iter().any(|b| b.get(&out.text) == by) {
                out.barred.push(span);
            }
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
