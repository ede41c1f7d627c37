//! QA of one case as of `now`: what actually happened (`worked_queue`, `escalations`,
//! `closed_by`, the closing) against what the policy decided, and the case's place in
//! the reproducible QA sample (`qa.sample`, drawn with a keyed hash of the case id).
//!
//! A case without QA keys under a policy without a sample costs one test; the checks are
//! out of line.

use super::clocks::{Reach, reach};
use crate::case::Case;
use crate::case::qa::Worked;
use crate::engine::Engine;
use crate::issue::{Issue, IssueCode, Subject};
use crate::output::outcome::Outcome;
use crate::output::qa::{Actual, Late, QaOutcome, barred};
use crate::policy::Action;
use crate::table::Rule;
use crate::time::Instant;
use crate::time::calendar::{Calendar, Origin};
use crate::value::Span;

impl Engine {
    /// The sample's stratum and the QA checks, when there is anything to do.
    #[inline]
    pub(super) fn qa(&self, case: &Case, now: Instant, out: &mut Outcome) {
        if self.qa.sample.is_some() {
            self.sample(case, out);
        }
        if case.qa.any {
            self.checks(case, now, out);
        }
    }

    /// The case's stratum (the first matching rule of `qa.sample`, else its default), and
    /// whether the case is sampled: the first 8 bytes of HMAC-SHA256(seed, id),
    /// big-endian, below `rate × 2^64`. The table is read rule by rule (a sample table has
    /// few rules; the npm package is smaller without a copy of the table machinery for it).
    #[inline(never)]
    fn sample(&self, case: &Case, out: &mut Outcome) {
        let Some(table) = &self.qa.sample else { return };
        let holds = |r: &&Rule<u32>| r.conds.iter().all(|c| c.holds(self.get(case, out, c.slot).unpack()));
        let decided = table.rules.iter().find(holds).map(|r| (r.gid, r.out)).or(table.default);
        let Some((gid, s)) = decided else { return };
        out.trace.push(gid);
        let Some(stratum) = self.qa.strata.get(s as usize) else { return };
        let id = case.id().unwrap_or("");
        out.qa.dirty = true;
        out.qa.stratum = Some(s);
        out.qa.sampled = u128::from(self.qa.key.hash(id)) < stratum.bound;
    }

    /// The QA checks of a case that carries what actually happened.
    #[cold]
    #[inline(never)]
    fn checks(&self, case: &Case, now: Instant, out: &mut Outcome) {
        out.qa.dirty = true;
        out.qa.checked = true;
        if let Some(w) = case.qa.worked {
            out.qa.misrouted = match w {
                Worked::Queue(q) if Some(q) == out.queue => None,
                Worked::Queue(q) => Some(Actual::Queue(q)),
                Worked::Unknown(s) => Some(Actual::Name(Span::push(&mut out.text, s.get(&case.text)))),
            };
        }
        if case.qa.escalations_given {
            for e in case.qa.escalations.iter().filter(|e| e.at > now) {
                out.issues.push(Issue::new(IssueCode::AfterNow, Subject::Item("escalations", e.pos)));
            }
            let qa = &mut out.qa;
            for (k, due) in qa.dues.iter().enumerate() {
                let Some(due) = *due else { continue };
                let level = k as u32 + 1;
                // Reaching a level reaches every level below it.
                let at = case.qa.escalations.iter().filter(|e| e.level >= level && e.at <= now).map(|e| e.at).min();
                if at.is_none_or(|a| a > due) {
                    qa.late.push(Late { level, due, at });
                }
            }
        }
        let closed = case.closed_at.filter(|&c| c <= now);
        if let (Some(at), Some(a)) = (closed, self.rights.actions.iter().find(|a| a.name == "close")) {
            self.closing(case, a, at, out);
        }
    }

    /// The gates of the `close` action as `authorize(case, closed_by, "close", at)` judges
    /// them at the closing instant `at`: approvals open then and evidence missing
    /// (`closed_without`); the closer's roles, limit and separation of duties
    /// (`closed_by_barred`).
    fn closing(&self, case: &Case, a: &Action, at: Instant, out: &mut Outcome) {
        // The approval steps as they stood at the closing.
        let mut s = out.qa.at_close.take().unwrap_or_default();
        s.text.clear();
        s.now = at;
        s.opened_at = out.opened_at;
        s.queue = out.queue;
        s.priority = out.priority;
        s.steps.clear();
        s.barred.clear();
        s.issues.clear();
        s.trace.clear();
        if a.requires_approvals || a.not_approver {
            self.approve(case, at, &mut s);
        }
        if a.requires_approvals && self.approvals_pending(&s).is_some() {
            out.qa.without_approvals = true;
            out.qa.open_roles.extend(s.steps.iter().filter(|st| st.done_by.is_none()).map(|st| st.role));
        }
        out.qa.missing_evidence.extend(self.missing_evidence(case, a));
        if let Some(span) = case.qa.closed_by {
            let by = span.get(&case.text);
            let (not_permitted, over_limit) = self.role_gates(case, a, &case.qa.closed_by_roles);
            let separation = self.action_separation(case, a, by, case.qa.closed_by_hash, at, &s);
            let bits = (if not_permitted { barred::ROLE_NOT_PERMITTED } else { 0 })
                | (if over_limit { barred::OVER_LIMIT } else { 0 })
                | (if separation.is_some() { barred::SEPARATION_OF_DUTIES } else { 0 });
            if bits != 0 {
                out.qa.barred = bits;
                out.qa.closer = Some(Span::push(&mut out.text, by));
            }
        }
        out.qa.at_close = Some(s);
    }

    /// The strata of the QA sample (`qa.sample`'s outputs), in order of first appearance
    /// in the table: the indexes of [`Outcome::sampled_stratum`].
    pub fn strata(&self) -> impl Iterator<Item = &str> {
        self.qa.strata.iter().map(|s| s.name.as_str())
    }

    /// The rate of stratum `i` (its inclusion probability) as the decimal text the
    /// policy gives, normalized (`0.05`, `1`).
    pub fn stratum_rate(&self, i: u32) -> Option<&str> {
        self.qa.strata.get(i as usize).map(|s| s.text.as_str())
    }

    /// Whether the policy draws a QA sample (`qa.sample`).
    pub fn samples(&self) -> bool {
        self.qa.sample.is_some()
    }

    /// Replaces the seed of the QA sample (the policy's `qa.seed`; the empty string
    /// without one): the key of the HMAC-SHA256 that decides which cases are sampled. The
    /// command line's `--seed`, the C library's `docket_engine_set_seed` and the npm
    /// package's `seed` option set it.
    pub fn set_sample_seed(&mut self, seed: &str) {
        self.qa.key = crate::policy::qa::SampleKey::new(seed.as_bytes());
    }

    /// The keyed hash the QA sample draws with: the first 8 bytes of HMAC-SHA256 keyed
    /// with the seed (its UTF-8 bytes) of `id` (its UTF-8 bytes), read as a big-endian
    /// number. A case whose stratum has rate `r` is sampled when this is below `r × 2^64`.
    ///
    /// ```
    /// let policy = r#"{"docket": 1, "name": "p", "currency": "EUR", "fields": {}, "queues": {"q": {"owner": "t"}},
    ///   "routing": {"rules": [{"id": "R", "when": {}, "then": {"queue": "q"}}]}, "qa": {"seed": "acme-qa-2026"}}"#;
    /// let engine = docket_core::Engine::compile(policy).unwrap();
    /// // HMAC-SHA256("acme-qa-2026", "C-1022") = 0968dca7257a93f7...: below 0.05 × 2^64.
    /// assert_eq!(engine.sample_hash("C-1022"), 0x0968_dca7_257a_93f7);
    /// ```
    pub fn sample_hash(&self, id: &str) -> u64 {
        self.qa.key.hash(id)
    }

    /// The index of queue `name` (see [`Engine::queues`]).
    pub(crate) fn queue_index(&self, name: &str) -> Option<u32> {
        self.qa.queue_order.find(name, |i| self.routing.queues.get(i).map(|q| q.name.as_str()))
    }
}

/// Records, for each escalation step a clock (on `cal` from `opened`, less `pauses`) had
/// passed with `elapsed` of business time at its stop, the instant it passed it (elapsed
/// reached the step's threshold + 1 s), keeping per level the earliest of the case's
/// clocks.
#[cold]
#[inline(never)]
pub(super) fn passed_steps(
    cal: &Calendar,
    o: &Origin,
    opened: Instant,
    steps: &[i64],
    elapsed: i64,
    pauses: &[(Instant, Instant)],
    qa: &mut QaOutcome,
) {
    qa.dirty = true;
    for (k, &s) in steps.iter().enumerate().take_while(|&(_, &s)| elapsed > s) {
        let Reach::At(d) = reach(cal, o, opened, s.saturating_add(1), pauses) else { continue };
        if qa.dues.len() <= k {
            qa.dues.resize(k + 1, None);
        }
        if let Some(slot) = qa.dues.get_mut(k) {
            *slot = Some(slot.map_or(d, |x| x.min(d)));
        }
    }
}
