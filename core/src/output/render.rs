//! Rendering outcomes as JSON text with every index named ([`Engine::write_outcome`]).

use crate::case::bad_approval;
use crate::engine::Engine;
use crate::eval::Ignored;
use crate::issue::{Issue, IssueCode, Subject};
use crate::output::json::Json;
use crate::output::outcome::{Cause, MetricOutcome, Outcome};
use crate::time::Rfc3339;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::{self, Write};
use serde::ser::{Serialize, SerializeMap, Serializer};

/// An outcome with its engine, serializable with serde_json (as the text
/// [`Engine::write_outcome`] writes).
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
        let mut buf = Vec::with_capacity(1024);
        self.write_outcome(out, None, &mut buf);
        String::from_utf8(buf).unwrap_or_default()
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

    /// Writes the issue's `detail`, the text the outcome JSON gives it (for hosts that
    /// lay issues out as columns).
    pub fn issue_detail(&self, out: &Outcome, issue: &Issue, f: &mut dyn Write) -> fmt::Result {
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
                Subject::Key("worked_queue") => f.write_str("expected a queue name (a string)"),
                Subject::Key("escalations") => {
                    f.write_str("expected a list of {\"level\": a whole number from 1, \"at\": timestamp}")
                }
                Subject::Key("closed_by") => f.write_str(
                    "expected {\"id\": a non-empty string, \"roles\": [string]}; the closing is not judged by who closed",
                ),
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
                Subject::Item("escalations", _) => "the escalation is after now: it has not happened yet",
                _ => "the wait begins or ends after now: one not begun does not count, one not ended is still running",
            }),
            IssueCode::UnknownDependency => f.write_str(match issue.subject {
                Subject::Item("paused", _) => "the reason is not a declared dependency; the pause still applies",
                _ => "not a declared dependency; the time waited counts under this name",
            }),
            IssueCode::ApprovalIgnored => self.ignored_detail(out, issue, f),
            IssueCode::UnknownQueue => {
                f.write_str("not a declared queue; QA compares it with the queue routing decided")
            }
        }
    }

    /// The detail of `approval_ignored`: why the approval counts for nothing.
    fn ignored_detail(&self, out: &Outcome, issue: &Issue, f: &mut dyn Write) -> fmt::Result {
        let [reason, aux, lo, hi] = issue.rules;
        let at = Rfc3339((i64::from(hi as i32) << 32) | i64::from(lo));
        let role = |r: u32| self.rights.roles.get(r as usize).map_or("", |x| x.name.as_str());
        let by = issue.text.map_or("", |s| s.get(&out.text));
        match Ignored::from_u32(reason) {
            Some(Ignored::Malformed) => f.write_str(match aux {
                bad_approval::EMPTY_BY => "`by` is empty: the approval names no approver",
                bad_approval::LONG_BY => "`by` is longer than the limit on strings: the approval names no approver",
                bad_approval::BAD_AT => "`at` is not an RFC 3339 timestamp from 1970 through 2099",
                bad_approval::UNDECLARED_ROLE => "its role is not one the policy declares",
                _ => "not {\"role\": string, \"by\": string, \"at\": timestamp}",
            }),
            Some(Ignored::AfterNow) => write!(f, "given at {at}, after the evaluation instant {}", Rfc3339(out.now)),
            Some(Ignored::BeforeOpened) => {
                write!(f, "given at {at}, before the case was opened at {}", Rfc3339(out.opened_at))
            }
            Some(Ignored::RoleNotPermitted) => match self.rights.approve_action() {
                Some(_) => write!(f, "`{}` may not approve: actions.approve does not list it", role(aux)),
                None => f.write_str("the policy declares no `approve` action, so no role may approve"),
            },
            Some(Ignored::OverLimit) => {
                let field =
                    self.rights.approve_action().and_then(|a| a.within_limit).map_or("", |s| self.input.field_name(s));
                write!(f, "the limit of `{}` does not cover the case's {field}", role(aux))
            }
            Some(Ignored::SeparationOfDuties) => match aux {
                0 => write!(f, "{by} requested this case and may not approve it"),
                1 => write!(f, "{by} already gave an approval of this case"),
                _ => write!(f, "{by} already filled a step; one approver fills at most one"),
            },
            Some(Ignored::Duplicate) => write!(f, "repeats approvals/{aux} (same role, approver and time)"),
            Some(Ignored::NoOpenStep) => {
                write!(f, "no open step that `{}` may fill (fill: {})", role(aux), self.rights.fill.as_str())
            }
            None => f.write_str("the approval counts for nothing"),
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

impl Engine {
    /// Appends the outcome as compact JSON text (one line, no line break) to `buf`;
    /// `line` is the input line reported with an `error`. Allocates nothing once `buf`
    /// has room.
    pub fn write_outcome(&self, out: &Outcome, line: Option<u64>, buf: &mut Vec<u8>) {
        outcome(&mut Json::new(buf), self, out, line);
    }
}

fn outcome(j: &mut Json<'_>, e: &Engine, o: &Outcome, line: Option<u64>) {
    j.open();
    j.key("id");
    j.opt_string(o.id());
    if let Some(err) = o.error {
        j.key("error");
        j.open();
        j.key("code");
        j.string(err.code());
        j.key("message");
        j.string(err.message());
        j.close();
        if let Some(l) = line {
            j.key("line");
            j.uint(l);
        }
        policy(j, e);
        j.close();
        return;
    }
    if o.not_yet_open {
        j.key("not_yet_open");
        j.raw(b"true");
        policy(j, e);
        j.close();
        return;
    }
    let queue = o.queue.and_then(|q| e.routing.queues.get(q as usize));
    j.key("queue");
    j.opt_string(queue.map(|q| q.name.as_str()));
    j.key("owner");
    j.opt_string(queue.map(|q| q.owner.as_str()));
    j.key("priority");
    j.opt_string(o.priority.and_then(|p| e.priorities().get(p as usize)).map(String::as_str));
    if let Some(sla) = e.clocks.sla.as_ref() {
        j.key("sla");
        j.open();
        for (k, (name, mo)) in e.clocks.metrics.iter().zip(o.sla.iter()).enumerate() {
            if let Some(mo) = mo {
                j.key_escaped(name);
                metric(j, e, o, k, mo);
            }
        }
        j.close();
        if let Some(b) = o.band.and_then(|b| sla.bands.get(b as usize)) {
            j.key("band");
            j.string(&b.name);
        }
        if o.open {
            j.key("next_change_at");
            match o.next_change_at {
                Some(t) => j.instant(t),
                None => j.null(),
            }
        }
    }
    if o.has_approvals {
        j.key("approvals");
        approvals(j, e, o);
    }
    crate::output::qa::write(j, e, o);
    j.key("issues");
    j.open_array();
    for i in &o.issues {
        j.item();
        issue(j, e, o, i);
    }
    j.close_array();
    j.key("trace");
    j.open_array();
    for &g in &o.trace {
        j.item();
        j.string(e.rule_id(g));
    }
    j.close_array();
    policy(j, e);
    j.close();
}

fn issue(j: &mut Json<'_>, e: &Engine, o: &Outcome, i: &Issue) {
    j.open();
    j.key("code");
    j.string(i.code.as_str());
    if let Some(f) = e.issue_field(o, i) {
        j.key("field");
        j.display(|w| write!(w, "{f}"));
    }
    if let Some(r) = i.reason() {
        j.key("reason");
        j.string(r);
    }
    j.key("detail");
    j.display(|w| e.issue_detail(o, i, w));
    j.close();
}

fn metric(j: &mut Json<'_>, e: &Engine, o: &Outcome, k: usize, mo: &MetricOutcome) {
    j.open();
    j.key("state");
    j.string(mo.state.as_str());
    j.key("calendar");
    j.string(e.clocks.calendars.get(mo.calendar as usize).map_or("", |c| c.0.as_str()));
    j.key("target_s");
    j.int(mo.target_s);
    j.key("due");
    match mo.due {
        Some(d) => j.instant(d),
        None => j.null(),
    }
    j.key("elapsed_s");
    j.int(mo.elapsed_s);
    j.key("remaining_s");
    j.int(mo.remaining_s());
    j.key("consumed");
    match mo.consumed() {
        Some(c) => j.float(c),
        None => j.null(),
    }
    if let Some(c) = mo.completed_at {
        j.key("completed_at");
        j.instant(c);
    }
    if let Some(x) = &mo.escalation {
        j.key("escalation");
        j.open();
        j.key("level");
        j.uint(u64::from(x.level));
        if let Some((lvl, to)) = x.next {
            j.key("next_level");
            j.uint(u64::from(lvl));
            j.key("next_to");
            j.string(e.rights.roles.get(to as usize).map_or("", |r| r.name.as_str()));
            j.key("next_at");
            match x.next_at {
                Some(t) => j.instant(t),
                None => j.null(),
            }
        }
        j.close();
    }
    // `{dependency: business seconds}` waited within the metric's running span.
    j.key("waiting_s");
    j.open();
    for (d, secs) in o.waiting_s(k) {
        j.key_escaped(o.dependency_name(e, d));
        j.int(secs);
    }
    j.close();
    match o.cause(k) {
        Some(Cause::Own) => {
            j.key("cause");
            j.string("own");
        }
        Some(Cause::Dependency(d)) => {
            j.key("cause");
            j.string(o.dependency_name(e, d));
        }
        None => {}
    }
    j.close();
}

fn approvals(j: &mut Json<'_>, e: &Engine, o: &Outcome) {
    let role = |r: u32| e.rights.roles.get(r as usize).map_or("", |x| x.name.as_str());
    j.open();
    j.key("steps");
    j.open_array();
    for st in &o.steps {
        j.item();
        j.open();
        j.key("role");
        j.string(role(st.role));
        j.key("rule");
        j.string(e.rule_id(st.gid));
        if let Some(by) = o.done_by(st) {
            j.key("done_by");
            j.string(by);
        }
        j.close();
    }
    j.close_array();
    j.key("remaining");
    j.open_array();
    for st in o.steps.iter().filter(|st| st.done_by.is_none()) {
        j.item();
        j.string(role(st.role));
    }
    j.close_array();
    j.key("barred");
    j.open_array();
    for b in o.barred() {
        j.item();
        j.string(b);
    }
    j.close_array();
    j.close();
}

/// `"policy": {name, version, fingerprint}`.
fn policy(j: &mut Json<'_>, e: &Engine) {
    j.key("policy");
    j.open();
    j.key("name");
    j.string(&e.info.name);
    j.key("version");
    j.string(&e.info.version);
    j.key("fingerprint");
    j.string(&e.info.fingerprint);
    j.close();
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

/// Serialized as the JSON text [`Engine::write_outcome`] writes: with `serde_json`, the
/// same bytes (through [`serde_json::value::RawValue`]).
impl Serialize for OutcomeView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut buf = Vec::with_capacity(1024);
        self.engine.write_outcome(self.outcome, self.line, &mut buf);
        let text = String::from_utf8(buf).map_err(serde::ser::Error::custom)?;
        serde_json::value::RawValue::from_string(text).map_err(serde::ser::Error::custom)?.serialize(s)
    }
}
