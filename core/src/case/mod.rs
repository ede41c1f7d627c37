//! Case input: the [`Case`] buffer (how a case stores its values) and the ways to fill
//! it: a JSON record or any serde format ([`json`]), cells ([`cells`]), typed setters
//! ([`builder`]) and columns ([`columns`]). Every way decodes a value exactly as JSON
//! would, and a warmed-up `Case` is refilled without allocating.

pub(crate) mod builder;
pub(crate) mod cells;
pub(crate) mod columns;
pub(crate) mod json;
pub(crate) mod qa;

use crate::engine::Engine;
use crate::issue::{Issue, IssueCode, Subject};
use crate::policy::HEAD;
use crate::time::Instant;
pub(crate) use crate::value::Span;
use crate::value::{Kind, Packed, Val};
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use rust_decimal::Decimal;

/// Why a case is unusable (it gets an outcome with `error` and nothing else decided).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CaseError {
    /// The record is not a JSON object (or not valid JSON).
    NotAnObject,
    /// `id` is missing.
    MissingId,
    /// `id` is not a non-empty string.
    BadId,
    /// `id` is a string longer than the engine's `max_string_len`.
    IdTooLong,
    /// `kind` is missing.
    MissingKind,
    /// `kind` is not a string.
    BadKind,
    /// `opened_at` is missing.
    MissingOpenedAt,
    /// `opened_at` is not an RFC 3339 timestamp.
    BadOpenedAt,
    /// The input line is not valid JSON.
    BadJson,
    /// The input exceeds a configured limit (size, nesting).
    TooLarge,
}

impl CaseError {
    /// Stable code.
    pub const fn code(self) -> &'static str {
        match self {
            CaseError::NotAnObject => "not_an_object",
            CaseError::MissingId => "missing_id",
            CaseError::BadId => "bad_id",
            CaseError::IdTooLong => "id_too_long",
            CaseError::MissingKind => "missing_kind",
            CaseError::BadKind => "bad_kind",
            CaseError::MissingOpenedAt => "missing_opened_at",
            CaseError::BadOpenedAt => "bad_opened_at",
            CaseError::BadJson => "bad_json",
            CaseError::TooLarge => "too_large",
        }
    }
    /// Human-readable message.
    pub const fn message(self) -> &'static str {
        match self {
            CaseError::NotAnObject => "a case must be a JSON object",
            CaseError::MissingId => "the case has no `id`",
            CaseError::BadId => "`id` must be a non-empty string",
            CaseError::IdTooLong => {
                "`id` is longer than the limit on strings (`max_string_len`, 4096 bytes unless the host sets it)"
            }
            CaseError::MissingKind => "the case has no `kind`",
            CaseError::BadKind => "`kind` must be a string",
            CaseError::MissingOpenedAt => "the case has no `opened_at`",
            CaseError::BadOpenedAt => "`opened_at` must be an RFC 3339 timestamp",
            CaseError::BadJson => "the record is not valid JSON",
            CaseError::TooLarge => "the record exceeds a configured limit",
        }
    }
}

impl fmt::Display for CaseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code(), self.message())
    }
}

/// One entry of a case's `approvals` list, usable or not: every entry that is read keeps
/// its place, so that evaluation can say why each one counts or does not.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct GivenApproval {
    /// Role index, or `u32::MAX` for a role the policy does not declare.
    pub role: u32,
    /// The approver (empty for an entry that names none).
    pub by: Span,
    /// A hash of `by`, compared before the text itself.
    pub by_hash: u64,
    /// When it was given; `None` when `at` is absent or null (or malformed: see `form`).
    pub at: Option<Instant>,
    /// Position in the case's `approvals` list (what an issue's `approvals/<i>` names).
    pub pos: u32,
    /// Whether it can count at all.
    pub form: Form,
}

/// One entry of `paused`: `to` `None` = still paused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Pause {
    pub from: Instant,
    pub to: Option<Instant>,
    /// Position in the case's `paused` list (what an issue's `paused/<i>` names).
    pub pos: u16,
}

/// One entry of `waiting`: time the case waited on a dependency; `to` `None` = still
/// waiting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Wait {
    pub from: Instant,
    pub to: Option<Instant>,
    /// A declared dependency's index, or (from the count of declared ones on) the case's
    /// undeclared name `dep - declared` (see [`Case::undeclared`]).
    pub dep: u32,
    /// Position in the case's `waiting` list.
    pub pos: u16,
}

/// What an entry of `approvals` is made of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Form {
    /// It names no approver: the wrong shape, or an empty or over-long `by` (one of
    /// [`bad_approval`]). It counts for nothing and bars no one.
    NoApprover(u32),
    /// Its `at` is present but not a case timestamp: it fills no step, but its approver
    /// did approve, so they are a prior approver at every instant (this fails closed).
    BadAt,
    /// Role, approver and time are usable (the role may still be undeclared).
    Usable,
}

impl GivenApproval {
    /// When the entry counts as given at evaluation instant `now`: its `at`, or `now`
    /// for an entry without one.
    #[inline]
    pub(crate) fn effective(&self, now: Instant) -> Instant {
        self.at.unwrap_or(now)
    }
    /// Whether its approver is `by` (whose hash is `hash`).
    #[inline]
    pub(crate) fn by_is(&self, text: &str, by: &str, hash: u64) -> bool {
        !matches!(self.form, Form::NoApprover(_)) && self.by_hash == hash && self.by.get(text) == by
    }
}

/// A hash of an approver's id (FNV-1a), so that comparing approvers compares the text
/// only when it is probably equal.
#[inline]
pub(crate) fn id_hash(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// Why an entry of `approvals` names no approver or fills no step (an issue's `rules[0]`
/// for `bad_type`, and the detail of `approval_ignored`'s `malformed`).
pub(crate) mod bad_approval {
    /// `by` is the empty string.
    pub const EMPTY_BY: u32 = 0;
    /// `by` is longer than `max_string_len`.
    pub const LONG_BY: u32 = 1;
    /// `at` is present but not a case timestamp.
    pub const BAD_AT: u32 = 2;
    /// The entry is not an object with a string `role` and a string `by`.
    pub const WRONG_SHAPE: u32 = 3;
    /// The role is not one the policy declares.
    pub const UNDECLARED_ROLE: u32 = 4;
}

/// A decoded case. Create one with [`Case::new`] and refill it with
/// [`Engine::decode_json`] (or [`Engine::decode`] for any serde format) for every record;
/// its buffers keep their capacity, so a warmed-up `Case` decodes without allocating.
#[derive(Clone, Debug, Default)]
#[repr(C, align(64))]
pub struct Case {
    // Laid out by use (`repr(C)` keeps this order; cases start on a cache line): what
    // routing a decoded case reads fills the first two lines (the flags it tests and the
    // copies in `head`), so routing a large batch streams the cases from memory without
    // following a pointer. Then what the clocks and approvals read, then what only
    // decoding and authorization read.
    pub(crate) error: Option<CaseError>,
    pub(crate) invalid: bool,
    /// Whether `head` holds the values at positions `0..HEAD` (set by `finish` for the
    /// engines whose routing reads no other position; see `Engine::route_head`).
    head_ok: bool,
    kind_seen: u8,
    opened_seen: u8,
    /// How `id` was seen: 0 not, 1 usable, 2 malformed, 3 a string over `max_string_len`.
    id_seen: u8,
    pub(crate) currency_bad: bool,
    /// Copies of `values[..HEAD]` when `head_ok` (absent beyond the values).
    head: [Packed; HEAD],
    /// The values by storage position (see `Engine::store`): every read but routing's.
    pub(crate) values: Vec<Packed>,
    pub(crate) id: Option<Span>,
    pub(crate) text: String,
    pub(crate) issues: Vec<Issue>,
    pub(crate) opened_at: Option<Instant>,
    pub(crate) closed_at: Option<Instant>,
    pub(crate) completed: Vec<Option<Instant>>,
    pub(crate) pauses: Vec<Pause>,
    pub(crate) waits: Vec<Wait>,
    pub(crate) approvals: Vec<GivenApproval>,
    /// Entries of `approvals` offered so far, counted or not (the next one's position).
    pub(crate) approval_items: usize,
    pub(crate) requested_by: Option<Span>,
    pub(crate) currency: Option<Span>,
    pub(crate) evidence: Vec<u32>,
    /// The names `waiting` gives that the policy does not declare, in order of first use.
    pub(crate) undeclared: Vec<Span>,
    /// Entries of `paused` offered so far (the next one's position).
    pub(crate) pause_items: usize,
    /// Entries of `waiting` offered so far.
    pub(crate) wait_items: usize,
    /// What actually happened, for QA (`worked_queue`, `escalations`, `closed_by`).
    pub(crate) qa: qa::Given,
}

impl Case {
    /// An empty case buffer.
    pub fn new() -> Case {
        Case::default()
    }

    /// The case id, if usable.
    pub fn id(&self) -> Option<&str> {
        self.id.map(|s| s.get(&self.text))
    }

    /// The value of field `slot` (absent beyond the fields).
    #[inline(always)]
    pub(crate) fn value(&self, engine: &Engine, slot: u16) -> Val {
        self.packed(engine, slot).unpack()
    }

    /// The value of field `slot` as stored (absent beyond the fields).
    #[inline(always)]
    pub(crate) fn packed(&self, engine: &Engine, slot: u16) -> Packed {
        self.values.get(engine.input.at(slot)).copied().unwrap_or(Packed::ABSENT)
    }

    /// The values routing reads by storage position: the copies in the case itself when
    /// it holds them and `head` (the engine's routing reads only positions below
    /// [`HEAD`]) says so, else all of them.
    #[inline(always)]
    pub(crate) fn routing_values(&self, head: bool) -> &[Packed] {
        if head && self.head_ok { &self.head } else { &self.values }
    }

    /// The value stored at position `at`, to overwrite (`None` beyond the values).
    #[inline(always)]
    pub(crate) fn at_position_mut(&mut self, at: usize) -> Option<&mut Packed> {
        self.values.get_mut(at)
    }

    /// The stored value of field `slot`, to overwrite.
    #[inline(always)]
    pub(crate) fn value_mut(&mut self, engine: &Engine, slot: u16) -> Option<&mut Packed> {
        self.at_position_mut(engine.input.at(slot))
    }

    /// The reason the case is unusable, if it is.
    pub fn error(&self) -> Option<CaseError> {
        self.error
    }

    /// `opened_at` in seconds since the epoch.
    pub fn opened_at(&self) -> Option<Instant> {
        self.opened_at
    }

    /// Marks the case unusable (used by hosts whose input could not be parsed).
    pub fn set_error(&mut self, e: CaseError) {
        self.error = Some(e);
    }

    pub(crate) fn reset(&mut self, engine: &Engine) {
        self.head_ok = false;
        self.text.clear();
        self.id = None;
        self.opened_at = None;
        self.closed_at = None;
        fill(&mut self.values, engine.input.schema.fields.len(), Packed::ABSENT);
        self.currency = None;
        self.currency_bad = false;
        fill(&mut self.completed, engine.clocks.metrics.len(), None);
        self.pauses.clear();
        self.pause_items = 0;
        self.waits.clear();
        self.wait_items = 0;
        self.undeclared.clear();
        self.requested_by = None;
        self.approvals.clear();
        self.approval_items = 0;
        self.evidence.clear();
        self.issues.clear();
        self.error = None;
        self.invalid = false;
        self.kind_seen = 0;
        self.opened_seen = 0;
        self.id_seen = 0;
        if self.qa.any {
            self.qa.clear();
        }
    }

    /// Records how [`crate::CaseBuilder`] saw `kind`: a string (`true`) or a wrong type.
    pub(crate) fn mark_kind(&mut self, string: bool) {
        self.kind_seen = if string { 1 } else { 2 };
    }

    /// Records that [`crate::CaseBuilder`] set `id`: usable, or why not.
    pub(crate) fn mark_id(&mut self, id: Result<(), CaseError>) {
        self.id = self.id.filter(|_| id.is_ok());
        self.id_seen = match id {
            Ok(()) => 1,
            Err(CaseError::IdTooLong) => 3,
            Err(_) => 2,
        };
    }

    /// Records one `bad_type` issue of an entry of `approvals` that does not count; `why`
    /// is one of [`bad_approval`].
    pub(crate) fn bad_approval(&mut self, pos: usize, why: u32) {
        let mut issue = Issue::new(IssueCode::BadType, Subject::Approval(pos.min(usize::from(u16::MAX)) as u16));
        issue.rules[0] = why;
        self.issues.push(issue);
    }

    /// Records the next entry of `paused` (its position is counted here): `None` for one
    /// that is malformed (a `bad_type` issue of the list, the entry not read), else its
    /// interval and `reason` (a dependency name: one the policy does not declare is the
    /// issue `unknown_dependency` of the entry, and the pause still applies).
    pub(crate) fn pause(&mut self, engine: &Engine, entry: Option<(Instant, Option<Instant>, Option<&str>)>) {
        let pos = self.pause_items;
        self.pause_items += 1;
        let Some((from, to, reason)) = entry.filter(|_| pos < engine.info.limits.max_list_len) else {
            return self.bad_key("paused");
        };
        let pos = pos.min(usize::from(u16::MAX)) as u16;
        if let Some(r) = reason
            && engine.clocks.dependency(r).is_none()
        {
            self.issue(IssueCode::UnknownDependency, Subject::Item("paused", pos));
        }
        self.pauses.push(Pause { from, to, pos });
    }

    /// Records the next entry of `waiting`, as [`Case::pause`] does: `on` names the
    /// dependency (one the policy does not declare is the issue `unknown_dependency`, and
    /// the time still counts, under that name). `on` is `Err(i)` for a dependency given by
    /// index `i` (columnar hosts): past the declared ones, it is undeclared and named by
    /// its decimal digits.
    pub(crate) fn wait(&mut self, engine: &Engine, entry: Option<(Instant, Option<Instant>, Result<&str, u32>)>) {
        let pos = self.wait_items;
        self.wait_items += 1;
        let Some((from, to, on)) = entry.filter(|_| pos < engine.info.limits.max_list_len) else {
            return self.bad_key("waiting");
        };
        let pos = pos.min(usize::from(u16::MAX)) as u16;
        let declared = engine.clocks.dependencies.len() as u32;
        let dep = match on {
            Ok(name) => engine.clocks.dependency(name),
            Err(i) => (i < declared).then_some(i),
        };
        let dep = match dep {
            Some(d) => d,
            None => {
                self.issue(IssueCode::UnknownDependency, Subject::Item("waiting", pos));
                let mut digits = [0u8; 10];
                let name = match on {
                    Ok(name) => name,
                    Err(i) => decimal(i, &mut digits),
                };
                let known = self.undeclared.iter().position(|s| s.get(&self.text) == name);
                let k = match known {
                    Some(k) => k,
                    None => {
                        self.undeclared.push(Span::push(&mut self.text, name));
                        self.undeclared.len() - 1
                    }
                };
                declared + k as u32
            }
        };
        self.waits.push(Wait { from, to, dep, pos });
    }

    /// Records that [`crate::CaseBuilder`] set `opened_at`, usable or malformed.
    pub(crate) fn mark_opened(&mut self, usable: bool) {
        self.opened_seen = if usable { 1 } else { 2 };
    }

    pub(crate) fn issue(&mut self, code: IssueCode, subject: Subject) {
        self.issues.push(Issue::new(code, subject));
    }

    /// Records one `bad_type` issue of a case key (once per key: a list with several
    /// wrong entries has one).
    pub(crate) fn bad_key(&mut self, key: &'static str) {
        // A QA key of the wrong shape is still carried: the QA checks run.
        if matches!(key, "worked_queue" | "escalations" | "closed_by") {
            self.qa.any = true;
        }
        if !self.issues.iter().any(|i| i.code == IssueCode::BadType && i.subject == Subject::Key(key)) {
            self.issue(IssueCode::BadType, Subject::Key(key));
        }
    }

    /// Records the entry at position `pos` of `approvals`, whose role (resolved to `role`)
    /// and approver `by` are strings; `at` is `Err` when present but not a case
    /// timestamp. An empty or over-long approver makes the entry name no approver; a
    /// malformed `at` keeps it only as a prior approval (it fills no step). Either is a
    /// `bad_type` issue of `approvals/<pos>`.
    pub(crate) fn approval(
        &mut self,
        engine: &Engine,
        pos: usize,
        role: u32,
        by: &str,
        at: Result<Option<Instant>, ()>,
    ) {
        let form = if by.is_empty() {
            Form::NoApprover(bad_approval::EMPTY_BY)
        } else if by.len() > engine.info.limits.max_string_len {
            Form::NoApprover(bad_approval::LONG_BY)
        } else if at.is_err() {
            Form::BadAt
        } else {
            Form::Usable
        };
        match form {
            Form::NoApprover(why) => return self.no_approver(pos, why),
            Form::BadAt => self.bad_approval(pos, bad_approval::BAD_AT),
            Form::Usable => {}
        }
        let span = Span::push(&mut self.text, by);
        let pos = u32::try_from(pos).unwrap_or(u32::MAX);
        self.approvals.push(GivenApproval { role, by: span, by_hash: id_hash(by), at: at.ok().flatten(), pos, form });
    }

    /// Records the entry at position `pos` of `approvals` that names no approver (`why`,
    /// one of [`bad_approval`]): its `bad_type` issue (of the list for the wrong shape,
    /// else of the entry), and its place in the list.
    #[cold]
    #[inline(never)]
    pub(crate) fn no_approver(&mut self, pos: usize, why: u32) {
        if why == bad_approval::WRONG_SHAPE {
            self.bad_key("approvals");
        } else {
            self.bad_approval(pos, why);
        }
        let pos = u32::try_from(pos).unwrap_or(u32::MAX);
        let form = Form::NoApprover(why);
        self.approvals.push(GivenApproval { role: u32::MAX, by: Span::default(), by_hash: 0, at: None, pos, form });
    }

    /// Completes a decoded case: errors, money conversion, required fields, intake
    /// validity; with `keep_head`, the copies routing reads (see [`HEAD`]: for cases kept
    /// in a batch; a case evaluated at once and overwritten needs none).
    pub(crate) fn finish(&mut self, engine: &Engine, keep_head: bool) {
        if self.error.is_none() {
            self.error = match (self.id_seen, self.kind_seen, self.opened_seen) {
                (0, _, _) => Some(CaseError::MissingId),
                (2, _, _) => Some(CaseError::BadId),
                (3, _, _) => Some(CaseError::IdTooLong),
                (_, 0, _) => Some(CaseError::MissingKind),
                (_, 2, _) => Some(CaseError::BadKind),
                (_, _, 0) => Some(CaseError::MissingOpenedAt),
                (_, _, 2) => Some(CaseError::BadOpenedAt),
                _ => None,
            };
        }
        if self.error.is_some() {
            return;
        }
        // Money: convert to the policy currency, or drop it for an unknown currency.
        // `None`: the policy currency, nothing to convert (`x × 1` is `x`, scale included).
        // A conversion that overflows the decimal range drops the value with its own
        // issue (`money_overflow`), so the field is not also `missing_field`.
        let rate: Option<Option<Decimal>> = match self.currency {
            None => None,
            Some(c) => {
                let c = c.get(&self.text);
                (c != engine.input.currency).then(|| engine.input.fx_rate(c))
            }
        };
        if let Some(rate) = rate {
            if rate.is_none() {
                self.issue(IssueCode::UnknownCurrency, Subject::Key("currency"));
            }
            for &slot in &engine.input.money_slots {
                if let Some(v) = self.value_mut(engine, slot)
                    && let Val::Dec(x) = v.unpack()
                {
                    let y = rate.map(|r| x.checked_mul(r));
                    *v = Packed::pack(match y {
                        Some(Some(y)) => Val::Dec(y),
                        _ => Val::Absent,
                    });
                    if y == Some(None) {
                        self.issue(IssueCode::MoneyOverflow, Subject::Field(slot));
                    }
                }
            }
        }
        // Required fields for `*` and for the case's kind.
        // Read as stored: telling absent from present needs no unpacking of the value.
        let kind = self.packed(engine, engine.input.kind_slot);
        let kind = kind.is(Kind::Sym).then(|| kind.word());
        for list in [engine.input.required_any.as_slice(), engine.input.required_for(kind)] {
            for &slot in list {
                // A field given but rejected (absent, with its issue) is not also missing,
                // and a field missing for `*` and for the kind is missing once.
                if self.packed(engine, slot).is(Kind::Absent)
                    && !self.issues.iter().any(|i| i.subject == Subject::Field(slot))
                {
                    self.issue(IssueCode::MissingField, Subject::Field(slot));
                }
            }
        }
        self.invalid = self.currency_bad
            || self.issues.iter().any(|i| {
                matches!(
                    i.code,
                    IssueCode::MissingField
                        | IssueCode::BadType
                        | IssueCode::UnknownEnumValue
                        | IssueCode::MoneyOverflow
                )
            });
        // Completion stamps before opening count as the opening (issue `bad_timestamp`);
        // so does a closing before it.
        if let Some(open) = self.opened_at {
            if let Some(c) = self.closed_at
                && c < open
            {
                self.closed_at = Some(open);
                self.issue(IssueCode::BadTimestamp, Subject::Key("closed_at"));
            }
            for m in 0..self.completed.len() {
                if let Some(Some(t)) = self.completed.get(m).copied()
                    && t < open
                {
                    if let Some(c) = self.completed.get_mut(m) {
                        *c = Some(open);
                    }
                    self.issue(IssueCode::BadTimestamp, Subject::Metric(m as u16));
                }
            }
        }
        // Approvals in the order evaluation takes them (see `eval::approvals`): the
        // entries that cannot count first, then by `at` (those without one last), each
        // group in list order. Positions are distinct, so the order is total; sorting in
        // place allocates nothing.
        let key = |a: &GivenApproval| (a.form == Form::Usable, a.at.unwrap_or(Instant::MAX), a.pos);
        if !self.approvals.is_sorted_by_key(key) {
            self.approvals.sort_unstable_by_key(key);
        }
        if keep_head && engine.input.route_head {
            for (i, h) in self.head.iter_mut().enumerate() {
                *h = self.values.get(i).copied().unwrap_or(Packed::ABSENT);
            }
            self.head_ok = true;
        }
    }
}

/// The decimal digits of `i`, written into `buf`.
fn decimal(mut i: u32, buf: &mut [u8; 10]) -> &str {
    let mut at = buf.len();
    loop {
        at -= 1;
        if let Some(b) = buf.get_mut(at) {
            *b = b'0' + (i % 10) as u8;
        }
        i /= 10;
        if i == 0 || at == 0 {
            break;
        }
    }
    buf.get(at..).and_then(|d| core::str::from_utf8(d).ok()).unwrap_or("")
}

/// Sets `v` to `n` copies of `x`, keeping its buffer.
#[inline]
fn fill<T: Copy>(v: &mut Vec<T>, n: usize, x: T) {
    if v.len() == n {
        v.fill(x);
    } else {
        v.clear();
        v.resize(n, x);
    }
}
#[cfg(test)]
mod layout_probe {
    #[test]
    fn print_sizes() {
        std::println!(
            "Case {} Outcome {} MetricOutcome {}",
            core::mem::size_of::<super::Case>(),
            core::mem::size_of::<crate::Outcome>(),
            core::mem::size_of::<crate::MetricOutcome>()
        );
    }
}
