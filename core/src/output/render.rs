//! Rendering outcomes as JSON (or any serde format) with every index named.

use crate::case::bad_approval;
use crate::engine::Engine;
use crate::issue::{Issue, IssueCode, Subject};
use crate::output::outcome::{Cause, MetricOutcome, Outcome};
use crate::time::Rfc3339;
use alloc::string::String;
use core::fmt::{self, Write};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

/// An outcome with its engine, serializable with serde.
#[derive(Clone, Copy)]
pub struct OutcomeView<'a> {
    /// The engine that produced the outcome.
    pub engine: &'a Engine,
    /// The outcome.
    pub outcome: &'a Outcome,
    /// Input line number to report with an `error` (command line and NDJSON hosts).
    pub line: Option<u64>,
}

impl Engine {
    /// The outcome as one line of JSON.
    pub fn outcome_json(&self, out: &Outcome) -> String {
        serde_json::to_string(&OutcomeView { engine: self, outcome: out, line: None }).unwrap_or_default()
    }

    /// A serializable view of an outcome.
    pub fn view<'a>(&'a self, out: &'a Outcome) -> OutcomeView<'a> {
        OutcomeView { engine: self, outcome: out, line: None }
    }

    /// The id of a rule in a trace.
    pub fn trace_id(&self, gid: u32) -> &str {
        self.rule_id(gid)
    }

    /// The issue's `field` as the outcome names it.
    pub fn issue_field<'a>(&'a self, out: &'a Outcome, issue: &Issue) -> Option<IssueField<'a>> {
        Some(match issue.subject {
            Subject::None | Subject::Table(_) | Subject::Step(_) => return None,
            Subject::Field(s) => IssueField::Name(self.input.field_name(s)),
            Subject::Metric(m) => IssueField::MetricAt(
                self.clocks.metrics.get(m as usize).map_or("", String::as_str),
                issue.code != IssueCode::NoWorkingTime,
            ),
            Subject::Key(k) => IssueField::Name(k),
            Subject::Approval(i) => {
                let _ = out;
                IssueField::Approval(i)
            }
            Subject::Item(list, i) => IssueField::Item(list, i),
        })
    }

    fn issue_detail(&self, out: &Outcome, issue: &Issue, f: &mut dyn Write) -> fmt::Result {
        match issue.code {
            IssueCode::MissingField => f.write_str("required field is absent"),
            IssueCode::BadType => match issue.subject {
                Subject::Field(s) => {
                    let ty = self.input.schema.fields.get(s as usize).map_or("", |x| x.ty.as_str());
                    write!(f, "expected a value of type {ty}")
                }
                Subject::Metric(_) => f.write_str("expected an RFC 3339 timestamp or null"),
                Subject::Key("paused") => f.write_str(
                    "expected a list of {\"from\": timestamp, \"to\": timestamp or null, \"reason\": string or null}",
                ),
                Subject::Key("waiting") => {
                    f.write_str("expected a list of {\"from\": timestamp, \"to\": timestamp or null, \"on\": string}")
                }
                Subject::Key("closed_at") => f.write_str("expected an RFC 3339 timestamp or null"),
                Subject::Key("approvals") => f.write_str("expected a list of {\"role\", \"by\", \"at\"}"),
                Subject::Approval(_) => match issue.rules[0] {
                    bad_approval::EMPTY_BY => {
                        f.write_str("`by` must name the approver (a non-empty string); this approval does not count")
                    }
                    bad_approval::LONG_BY => write!(
                        f,
                        "`by` is longer than the limit on strings ({} bytes); this approval does not count",
                        self.info.limits.max_string_len
                    ),
                    _ => f.write_str(
                        "`at` must be an RFC 3339 timestamp from 1970 through 2099, or absent; this approval fills no step",
                    ),
                },
                Subject::Key("evidence") => f.write_str("expected a list of strings"),
                _ => f.write_str("expected a string"),
            },
            IssueCode::UnknownEnumValue => match issue.subject {
                Subject::Field(s) => {
                    let vals = self.input.schema.fields.get(s as usize).map(|x| x.syms.as_slice()).unwrap_or(&[]);
                    f.write_str("not one of: ")?;
                    for (i, v) in vals.iter().enumerate() {
                        if i > 0 {
                            f.write_str(", ")?;
                        }
                        f.write_str(v)?;
                    }
                    Ok(())
                }
                _ => f.write_str("not a declared value"),
            },
            IssueCode::UnknownCurrency => {
                write!(f, "currency is neither {} nor in fx; money fields count as absent", self.input.currency)
            }
            IssueCode::AmbiguousRules => {
                let table = match issue.subject {
                    Subject::Table(0) => "routing",
                    Subject::Table(1) => "sla.targets",
                    _ => "approvals",
                };
                f.write_str("rules ")?;
                for (i, &g) in issue.rules.iter().take(issue.n_rules as usize).enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    f.write_str(self.rule_id(g))?;
                }
                write!(f, " of {table} match with conflicting outputs; the table decides nothing")
            }
            IssueCode::NoAuthority => f.write_str("no role's limit covers the value"),
            IssueCode::NoWorkingTime => {
                f.write_str("the calendar has no working time within the 10-year search horizon")
            }
            IssueCode::Unrouted => f.write_str("no routing rule matched and the table has no default"),
            IssueCode::BadTimestamp => f.write_str("completion stamp is before opened_at; counted as opened_at"),
            IssueCode::MoneyOverflow => write!(
                f,
                "the amount converted to {} at its fx rate is beyond the range of money values; the field counts as absent",
                self.input.currency
            ),
            IssueCode::AfterNow => f.write_str(match issue.subject {
                Subject::Metric(_) => "the stamp is after now: it has not happened yet, the clock runs",
                Subject::Key(_) => "closed_at is after now: it has not happened yet, the case is open",
                Subject::Item("paused", _) => {
                    "the pause begins or ends after now: one not begun does not count, one not ended is still running"
                }
                _ => "the wait begins or ends after now: one not begun does not count, one not ended is still running",
            }),
            IssueCode::UnknownDependency => f.write_str(match issue.subject {
                Subject::Item("paused", _) => "the reason is not a declared dependency; the pause still applies",
                _ => "not a declared dependency; the time waited counts under this name",
            }),
            IssueCode::SeparationViolation => {
                let by = issue.text.map_or("", |s| s.get(&out.text));
                if issue.rules[0] == 1 {
                    write!(f, "approval by {by} does not count: the requester cannot approve")
                } else {
                    write!(f, "approval by {by} does not count: one actor may fill at most one step")
                }
            }
        }
    }
}

/// The `field` of an issue.
#[derive(Clone, Copy, Debug)]
pub enum IssueField<'a> {
    /// A field or key name.
    Name(&'a str),
    /// A metric (`true`: its `<metric>_at` stamp).
    MetricAt(&'a str, bool),
    /// An entry of the case's `approvals`.
    Approval(u16),
    /// An entry of another list of the case (`paused`, `waiting`).
    Item(&'a str, u16),
}

impl fmt::Display for IssueField<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IssueField::Name(n) => f.write_str(n),
            IssueField::MetricAt(m, true) => write!(f, "{m}_at"),
            IssueField::MetricAt(m, false) => f.write_str(m),
            IssueField::Approval(i) => write!(f, "approvals/{i}"),
            IssueField::Item(list, i) => write!(f, "{list}/{i}"),
        }
    }
}

/// Serializes a `Display` value as a string without allocating (via `collect_str`).
pub(crate) struct Disp<T>(pub T);
impl<T: fmt::Display> Serialize for Disp<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

struct Detail<'a>(&'a Engine, &'a Outcome, &'a Issue);
impl fmt::Display for Detail<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.issue_detail(self.1, self.2, f)
    }
}

struct Issues<'a>(&'a Engine, &'a Outcome);
impl Serialize for Issues<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (e, o) = (self.0, self.1);
        let mut seq = s.serialize_seq(Some(o.issues.len()))?;
        for i in &o.issues {
            seq.serialize_element(&IssueView(e, o, i))?;
        }
        seq.end()
    }
}

struct IssueView<'a>(&'a Engine, &'a Outcome, &'a Issue);
impl Serialize for IssueView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (e, o, i) = (self.0, self.1, self.2);
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("code", i.code.as_str())?;
        if let Some(f) = e.issue_field(o, i) {
            m.serialize_entry("field", &Disp(f))?;
        }
        m.serialize_entry("detail", &Disp(Detail(e, o, i)))?;
        m.end()
    }
}

struct Sla<'a>(&'a Engine, &'a Outcome);
impl Serialize for Sla<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (e, o) = (self.0, self.1);
        let mut m = s.serialize_map(None)?;
        for (k, (name, mo)) in e.clocks.metrics.iter().zip(o.sla.iter()).enumerate() {
            if let Some(mo) = mo {
                m.serialize_entry(name, &Metric(e, o, k, mo))?;
            }
        }
        m.end()
    }
}

struct Metric<'a>(&'a Engine, &'a Outcome, usize, &'a MetricOutcome);
impl Serialize for Metric<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (e, o, k, mo) = (self.0, self.1, self.2, self.3);
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("state", mo.state.as_str())?;
        m.serialize_entry("calendar", e.clocks.calendars.get(mo.calendar as usize).map_or("", |c| c.0.as_str()))?;
        m.serialize_entry("target_s", &mo.target_s)?;
        m.serialize_entry("due", &mo.due.map(|d| Disp(Rfc3339(d))))?;
        m.serialize_entry("elapsed_s", &mo.elapsed_s)?;
        m.serialize_entry("remaining_s", &mo.remaining_s())?;
        m.serialize_entry("consumed", &mo.consumed())?;
        if let Some(c) = mo.completed_at {
            m.serialize_entry("completed_at", &Disp(Rfc3339(c)))?;
        }
        if let Some(esc) = &mo.escalation {
            m.serialize_entry("escalation", &Esc(e, esc))?;
        }
        m.serialize_entry("waiting_s", &Waiting(e, o, k))?;
        match o.cause(k) {
            Some(Cause::Own) => m.serialize_entry("cause", "own")?,
            Some(Cause::Dependency(d)) => m.serialize_entry("cause", o.dependency_name(e, d))?,
            None => {}
        }
        m.end()
    }
}

/// `{dependency: business seconds}` of one metric.
struct Waiting<'a>(&'a Engine, &'a Outcome, usize);
impl Serialize for Waiting<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (e, o) = (self.0, self.1);
        let mut m = s.serialize_map(None)?;
        for (d, secs) in o.waiting_s(self.2) {
            m.serialize_entry(o.dependency_name(e, d), &secs)?;
        }
        m.end()
    }
}

struct Esc<'a>(&'a Engine, &'a crate::output::outcome::Escalation);
impl Serialize for Esc<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (e, x) = (self.0, self.1);
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("level", &x.level)?;
        if let Some((lvl, to)) = x.next {
            m.serialize_entry("next_level", &lvl)?;
            m.serialize_entry("next_to", e.rights.roles.get(to as usize).map_or("", |r| r.name.as_str()))?;
            m.serialize_entry("next_at", &x.next_at.map(|d| Disp(Rfc3339(d))))?;
        }
        m.end()
    }
}

struct Approvals<'a>(&'a Engine, &'a Outcome);
impl Serialize for Approvals<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (e, o) = (self.0, self.1);
        let role = |r: u32| e.rights.roles.get(r as usize).map_or("", |x| x.name.as_str());
        struct Steps<'a>(&'a Engine, &'a Outcome);
        impl Serialize for Steps<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let (e, o) = (self.0, self.1);
                let mut seq = s.serialize_seq(Some(o.steps.len()))?;
                for st in &o.steps {
                    seq.serialize_element(&StepView(e, o, st))?;
                }
                seq.end()
            }
        }
        struct StepView<'a>(&'a Engine, &'a Outcome, &'a crate::output::outcome::Step);
        impl Serialize for StepView<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let (e, o, st) = (self.0, self.1, self.2);
                let mut m = s.serialize_map(None)?;
                m.serialize_entry("role", e.rights.roles.get(st.role as usize).map_or("", |x| x.name.as_str()))?;
                m.serialize_entry("rule", e.rule_id(st.gid))?;
                if let Some(by) = o.done_by(st) {
                    m.serialize_entry("done_by", by)?;
                }
                m.end()
            }
        }
        struct Remaining<'a>(&'a Outcome, &'a dyn Fn(u32) -> &'a str);
        impl Serialize for Remaining<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut seq = s.serialize_seq(None)?;
                for st in self.0.steps.iter().filter(|st| st.done_by.is_none()) {
                    seq.serialize_element((self.1)(st.role))?;
                }
                seq.end()
            }
        }
        struct Barred<'a>(&'a Outcome);
        impl Serialize for Barred<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_seq(self.0.barred())
            }
        }
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("steps", &Steps(e, o))?;
        m.serialize_entry("remaining", &Remaining(o, &role))?;
        m.serialize_entry("barred", &Barred(o))?;
        m.end()
    }
}

struct Trace<'a>(&'a Engine, &'a Outcome);
impl Serialize for Trace<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.1.trace.iter().map(|&g| self.0.rule_id(g)))
    }
}

/// `{name, version, fingerprint}` of the policy.
pub(crate) struct PolicyRef<'a>(pub &'a Engine);
impl Serialize for PolicyRef<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(3))?;
        m.serialize_entry("name", &self.0.info.name)?;
        m.serialize_entry("version", &self.0.info.version)?;
        m.serialize_entry("fingerprint", &self.0.info.fingerprint)?;
        m.end()
    }
}

struct ErrorView(crate::case::CaseError);
impl Serialize for ErrorView {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("code", self.0.code())?;
        m.serialize_entry("message", self.0.message())?;
        m.end()
    }
}

impl Serialize for OutcomeView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (e, o) = (self.engine, self.outcome);
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("id", &o.id())?;
        if let Some(err) = o.error {
            m.serialize_entry("error", &ErrorView(err))?;
            if let Some(l) = self.line {
                m.serialize_entry("line", &l)?;
            }
            m.serialize_entry("policy", &PolicyRef(e))?;
            return m.end();
        }
        if o.not_yet_open {
            m.serialize_entry("not_yet_open", &true)?;
            m.serialize_entry("policy", &PolicyRef(e))?;
            return m.end();
        }
        let queue = o.queue.and_then(|q| e.routing.queues.get(q as usize));
        m.serialize_entry("queue", &queue.map(|q| q.name.as_str()))?;
        m.serialize_entry("owner", &queue.map(|q| q.owner.as_str()))?;
        m.serialize_entry("priority", &o.priority.and_then(|p| e.priorities().get(p as usize)))?;
        if e.clocks.sla.is_some() {
            m.serialize_entry("sla", &Sla(e, o))?;
            if let Some(b) = o.band.and_then(|b| e.clocks.sla.as_ref().and_then(|s| s.bands.get(b as usize))) {
                m.serialize_entry("band", &b.name)?;
            }
            if o.open {
                m.serialize_entry("next_change_at", &o.next_change_at.map(|t| Disp(Rfc3339(t))))?;
            }
        }
        if o.has_approvals {
            m.serialize_entry("approvals", &Approvals(e, o))?;
        }
        m.serialize_entry("issues", &Issues(e, o))?;
        m.serialize_entry("trace", &Trace(e, o))?;
        m.serialize_entry("policy", &PolicyRef(e))?;
        m.end()
    }
}
