//! QA in outcomes and reports: what evaluation found when it checked what actually
//! happened to a case against what the policy decided (`qa` of an outcome), its place in
//! the QA sample, and the counts a report keeps of both.

use crate::case::Span;
use crate::engine::Engine;
use crate::output::json::Json;
use crate::output::outcome::Outcome;
use crate::time::Instant;
use alloc::boxed::Box;
use alloc::vec::Vec;
use serde::ser::{Serialize, SerializeMap, Serializer};

/// `closed_by_barred`: what bars the closer (bits).
pub(crate) mod barred {
    /// None of the closer's roles is listed under the `close` action.
    pub const ROLE_NOT_PERMITTED: u8 = 1;
    /// None of the closer's listed roles covers the action's `within_limit` value.
    pub const OVER_LIMIT: u8 = 2;
    /// Separation of duties bars the closer.
    pub const SEPARATION_OF_DUTIES: u8 = 4;
}

/// An escalation level that was due by `now` and was late or never happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Late {
    pub level: u32,
    pub due: Instant,
    pub at: Option<Instant>,
}

/// The queue that worked a case (outcome text for a name the policy does not declare).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Actual {
    Queue(u32),
    Name(Span),
}

/// What QA found for one case.
#[derive(Clone, Debug, Default)]
pub(crate) struct QaOutcome {
    /// Whether anything below is set (else nothing needs clearing).
    pub dirty: bool,
    /// The case carried a QA key: the checks ran.
    pub checked: bool,
    /// `misrouted`: the queue that worked the case, when it is not the one routing chose.
    pub misrouted: Option<Actual>,
    /// Escalation levels due by `now`, late or missing, by level.
    pub late: Vec<Late>,
    /// `closed_without.approvals`: the close action required every step and some were
    /// open at the closing (or could not be determined).
    pub without_approvals: bool,
    /// The roles of the steps open at the closing.
    pub open_roles: Vec<u32>,
    /// `closed_without.evidence`: the items missing.
    pub missing_evidence: Vec<u32>,
    /// `closed_by_barred`: what bars the closer ([`barred`] bits; 0: nothing).
    pub barred: u8,
    /// The closer's id (outcome text), when `barred` is set.
    pub closer: Option<Span>,
    /// The case's stratum (the sample table's output), sampled or not.
    pub stratum: Option<u32>,
    /// Whether the case is sampled.
    pub sampled: bool,
    /// Scratch: per escalation level from 1, the earliest instant a clock passed it.
    pub dues: Vec<Option<Instant>>,
    /// Scratch: the approval steps as they stood at the closing.
    pub at_close: Option<Box<Outcome>>,
}

impl QaOutcome {
    /// Clears what the last case set (cheap when it set nothing).
    #[inline]
    pub(crate) fn clear(&mut self) {
        if self.dirty {
            self.reset();
        }
    }

    #[cold]
    #[inline(never)]
    fn reset(&mut self) {
        self.dirty = false;
        self.checked = false;
        self.misrouted = None;
        self.late.clear();
        self.without_approvals = false;
        self.open_roles.clear();
        self.missing_evidence.clear();
        self.barred = 0;
        self.closer = None;
        self.stratum = None;
        self.sampled = false;
        self.dues.clear();
    }
}

impl Outcome {
    /// Whether the case carried what actually happened (`worked_queue`, `escalations`,
    /// `closed_by`), so that QA checked it.
    pub fn qa_checked(&self) -> bool {
        self.qa.checked
    }
    /// `qa.misrouted`: the queue that worked the case is not the one routing chose.
    pub fn misrouted(&self) -> bool {
        self.qa.misrouted.is_some()
    }
    /// `qa.late_escalations`: each escalation level due by `now` that came late or not at
    /// all, as (level, when it was due, when it happened).
    pub fn late_escalations(&self) -> impl Iterator<Item = (u32, Instant, Option<Instant>)> + '_ {
        self.qa.late.iter().map(|l| (l.level, l.due, l.at))
    }
    /// `qa.closed_without`: whether the case was closed without the approvals (first) and
    /// without the evidence (second) its `close` action requires.
    pub fn closed_without(&self) -> (bool, bool) {
        (self.qa.without_approvals, !self.qa.missing_evidence.is_empty())
    }
    /// `qa.closed_by_barred`: whether the actor who closed the case may not close it.
    pub fn closed_by_barred(&self) -> bool {
        self.qa.barred != 0
    }
    /// The stratum of the QA sample the case is sampled in (see
    /// [`Engine::strata`](crate::Engine::strata)); `None` when it is not sampled.
    pub fn sampled_stratum(&self) -> Option<u32> {
        self.qa.stratum.filter(|_| self.qa.sampled)
    }
}

/// Writes `"qa": {...}` when the case was checked or the policy samples.
pub(crate) fn write(j: &mut Json<'_>, e: &Engine, o: &Outcome) {
    let sampling = e.qa.sample.is_some();
    if !o.qa.checked && !sampling {
        return;
    }
    let q = &o.qa;
    let role = |r: u32| e.rights.roles.get(r as usize).map_or("", |x| x.name.as_str());
    j.key("qa");
    j.open();
    if q.checked {
        j.key("misrouted");
        match q.misrouted {
            None => j.null(),
            Some(actual) => {
                j.open();
                j.key("expected");
                j.opt_string(o.queue.and_then(|x| e.routing.queues.get(x as usize)).map(|x| x.name.as_str()));
                j.key("actual");
                match actual {
                    Actual::Queue(x) => j.string(e.routing.queues.get(x as usize).map_or("", |x| x.name.as_str())),
                    Actual::Name(s) => j.string(s.get(&o.text)),
                }
                j.close();
            }
        }
        j.key("late_escalations");
        j.open_array();
        for l in &q.late {
            j.item();
            j.open();
            j.key("level");
            j.uint(u64::from(l.level));
            j.key("due");
            instant(j, Some(l.due));
            j.key("at");
            instant(j, l.at);
            j.close();
        }
        j.close_array();
        j.key("closed_without");
        if q.without_approvals || !q.missing_evidence.is_empty() {
            j.open();
            if q.without_approvals {
                j.key("approvals");
                j.open_array();
                for &r in &q.open_roles {
                    j.item();
                    j.string(role(r));
                }
                j.close_array();
            }
            if !q.missing_evidence.is_empty() {
                j.key("evidence");
                j.open_array();
                for &i in &q.missing_evidence {
                    j.item();
                    j.string(e.rights.evidence_names.get(i as usize).map_or("", |x| x.as_str()));
                }
                j.close_array();
            }
            j.close();
        } else {
            j.null();
        }
        j.key("closed_by_barred");
        if q.barred == 0 {
            j.null();
        } else {
            j.open();
            j.key("by");
            j.opt_string(q.closer.map(|s| s.get(&o.text)));
            j.key("reasons");
            j.open_array();
            for (bit, code) in [
                (barred::ROLE_NOT_PERMITTED, "role_not_permitted"),
                (barred::OVER_LIMIT, "over_limit"),
                (barred::SEPARATION_OF_DUTIES, "separation_of_duties"),
            ] {
                if q.barred & bit != 0 {
                    j.item();
                    j.string(code);
                }
            }
            j.close_array();
            j.close();
        }
    }
    if sampling {
        j.key("sample");
        match o.sampled_stratum().and_then(|s| e.qa.strata.get(s as usize)) {
            Some(s) => {
                j.open();
                j.key("stratum");
                j.string(&s.name);
                j.key("rate");
                j.raw(s.text.as_bytes());
                j.close();
            }
            None => j.null(),
        }
    }
    j.close();
}

/// An instant, or `null` (out of line: the outcome writer has its own copy inline).
#[inline(never)]
fn instant(j: &mut Json<'_>, t: Option<Instant>) {
    match t {
        Some(t) => j.instant(t),
        None => j.null(),
    }
}

/// A queue's QA counts in a report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QaCounts {
    /// Cases that carried what actually happened (checked by QA).
    pub checked: u64,
    /// Cases worked by another queue than the one routing chose.
    pub misrouted: u64,
    /// Cases with at least one escalation level late or missing.
    pub late_escalations: u64,
    /// Closed cases without the approvals or the evidence their closing required.
    pub closed_without: u64,
    /// Cases closed by an actor who may not close them.
    pub closed_by_barred: u64,
    /// Cases sampled for QA.
    pub sampled: u64,
}

impl QaCounts {
    /// Adds one outcome routed to the queue.
    #[inline]
    pub(crate) fn add(&mut self, o: &Outcome) {
        if !o.qa.dirty {
            return;
        }
        let q = &o.qa;
        self.checked += u64::from(q.checked);
        self.misrouted += u64::from(q.misrouted.is_some());
        self.late_escalations += u64::from(!q.late.is_empty());
        self.closed_without += u64::from(q.without_approvals || !q.missing_evidence.is_empty());
        self.closed_by_barred += u64::from(q.barred != 0);
        self.sampled += u64::from(q.sampled);
    }

    pub(crate) fn merge(&mut self, o: &QaCounts) {
        self.checked += o.checked;
        self.misrouted += o.misrouted;
        self.late_escalations += o.late_escalations;
        self.closed_without += o.closed_without;
        self.closed_by_barred += o.closed_by_barred;
        self.sampled += o.sampled;
    }
}

impl Serialize for QaCounts {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(6))?;
        m.serialize_entry("checked", &self.checked)?;
        m.serialize_entry("misrouted", &self.misrouted)?;
        m.serialize_entry("late_escalations", &self.late_escalations)?;
        m.serialize_entry("closed_without", &self.closed_without)?;
        m.serialize_entry("closed_by_barred", &self.closed_by_barred)?;
        m.serialize_entry("sampled", &self.sampled)?;
        m.end()
    }
}

/// The cases of one stratum of the QA sample in a report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StratumCounts {
    /// Cases the sample table put in the stratum.
    pub cases: u64,
    /// Of them, the cases sampled.
    pub sampled: u64,
}

/// Counts the outcome's stratum in `strata` (by stratum index).
#[inline]
pub(crate) fn count_stratum(strata: &mut [StratumCounts], o: &Outcome) {
    if let Some(s) = o.qa.stratum.and_then(|s| strata.get_mut(s as usize)) {
        s.cases += 1;
        s.sampled += u64::from(o.qa.sampled);
    }
}

/// `"sample": {stratum: {"rate", "cases", "sampled"}}`, strata in the policy's order.
pub(crate) struct SampleView<'a>(pub &'a Engine, pub &'a [StratumCounts]);

impl Serialize for SampleView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        struct One<'a>(&'a crate::policy::qa::Stratum, StratumCounts);
        impl Serialize for One<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut m = s.serialize_map(Some(3))?;
                m.serialize_entry("rate", &Rate(&self.0.text))?;
                m.serialize_entry("cases", &self.1.cases)?;
                m.serialize_entry("sampled", &self.1.sampled)?;
                m.end()
            }
        }
        let mut m = s.serialize_map(None)?;
        for (i, st) in self.0.qa.strata.iter().enumerate() {
            m.serialize_entry(&st.name, &One(st, self.1.get(i).copied().unwrap_or_default()))?;
        }
        m.end()
    }
}

/// A rate as a JSON number written with its decimal digits (exactly the policy's rate).
pub(crate) struct Rate<'a>(pub &'a str);

impl Serialize for Rate<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        serde_json::value::RawValue::from_string(self.0.into()).map_err(serde::ser::Error::custom)?.serialize(s)
    }
}

/// Adds the report's sample counts of another part of the batch.
pub(crate) fn merge_strata(a: &mut Vec<StratumCounts>, b: &[StratumCounts]) {
    if a.len() < b.len() {
        a.resize(b.len(), StratumCounts::default());
    }
    for (x, y) in a.iter_mut().zip(b) {
        x.cases += y.cases;
        x.sampled += y.sampled;
    }
}
