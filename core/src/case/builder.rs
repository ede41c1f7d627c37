//! Building a case field by field, without JSON: the fast path for hosts that hold their
//! cases in their own structures (columnar C and WebAssembly APIs, Rust services).

use crate::case::{Case, CaseError, Span};
use crate::engine::Engine;
use crate::issue::{Issue, IssueCode, Subject};
use crate::time::{EARLIEST_CASE_INSTANT, Instant, LATEST_CASE_INSTANT};
use crate::value::{FieldType, OTHER_SYM, Packed, Val, parse_decimal};
use rust_decimal::Decimal;

/// Fills a [`Case`] field by field; created by [`Engine::build`]. Every setter checks the
/// value against the field's declared type exactly as JSON decoding does (a mismatch is a
/// `bad_type` issue, an enum index out of range `unknown_enum_value`), and
/// [`CaseBuilder::finish`] runs intake validation. Allocation-free once the case is warm.
///
/// ```
/// use docket_core::{Case, Engine, Outcome};
/// let engine = Engine::compile(include_str!("../../../examples/order-ops.policy.json")).unwrap();
/// let (kind, amount, order) = (engine.slot("kind").unwrap(), engine.slot("amount").unwrap(), engine.slot("order_id").unwrap());
/// let refund = engine.symbol(kind, "refund").unwrap();
/// let mut case = Case::new();
/// let mut b = engine.build(&mut case);
/// b.id("C-1").enum_index(kind, refund).money_scaled(amount, 125_000, 2).string(order, "O-1").opened_at(1_795_420_800);
/// b.finish();
/// let mut out = Outcome::new();
/// engine.evaluate(&case, 1_795_428_000, &mut out);
/// assert_eq!(out.queue_index().and_then(|q| engine.queues().nth(q as usize)), Some("refund_validation"));
/// ```
pub struct CaseBuilder<'a> {
    engine: &'a Engine,
    case: &'a mut Case,
}

impl Engine {
    /// Starts filling `case` (its previous content is cleared, its buffers kept).
    pub fn build<'a>(&'a self, case: &'a mut Case) -> CaseBuilder<'a> {
        case.reset(self);
        CaseBuilder { engine: self, case }
    }
}

pub(crate) fn in_range(t: Instant) -> bool {
    (EARLIEST_CASE_INSTANT..=LATEST_CASE_INSTANT).contains(&t)
}

impl<'a> CaseBuilder<'a> {
    /// Goes on filling a case that [`Engine::build`] started (what a builder set is kept
    /// in the case itself, so the columnar path sets many cases column by column).
    #[inline(always)]
    pub(crate) fn resume(engine: &'a Engine, case: &'a mut Case) -> CaseBuilder<'a> {
        CaseBuilder { engine, case }
    }

    /// Sets a key to a scalar exactly as JSON decoding does (the columnar path's route
    /// for value kinds that no typed setter takes).
    pub(crate) fn scalar(&mut self, key: crate::policy::Key, v: crate::case::cells::Cell<'_>) -> &mut Self {
        self.case.set_cell(self.engine, key, v);
        self
    }

    /// The declared field at `slot` if a case may set it (not derived).
    #[inline(always)]
    fn field(&self, slot: u16) -> Option<&crate::table::Field> {
        self.engine.input.schema.fields.get(slot as usize).filter(|f| !f.derived)
    }

    /// Stores a value that fits its field's declared type.
    #[inline(always)]
    fn store(&mut self, slot: u16, v: Val) -> &mut Self {
        if let Some(x) = self.case.value_mut(self.engine, slot) {
            *x = Packed::pack(v);
        }
        if slot == self.engine.input.kind_slot {
            self.case.mark_kind(true);
        }
        self
    }

    /// Records a value that does not fit: the field reads as absent, with an issue.
    #[cold]
    #[inline(never)]
    pub(crate) fn reject(&mut self, slot: u16, code: IssueCode) -> &mut Self {
        if let Some(x) = self.case.value_mut(self.engine, slot) {
            *x = Packed::ABSENT;
        }
        self.case.issues.push(Issue::new(code, Subject::Field(slot)));
        if slot == self.engine.input.kind_slot {
            self.case.mark_kind(code == IssueCode::UnknownEnumValue);
        }
        self
    }

    /// Stores `v` if the field is declared with type `a` or `b`, else rejects it.
    #[inline(always)]
    fn put(&mut self, slot: u16, a: FieldType, b: FieldType, v: Result<Val, IssueCode>) -> &mut Self {
        match self.field(slot).map(|f| f.ty) {
            None => self,
            Some(t) if t != a && t != b => self.reject(slot, IssueCode::BadType),
            Some(_) => match v {
                Ok(v) => self.store(slot, v),
                Err(code) => self.reject(slot, code),
            },
        }
    }

    /// The case id (non-empty, at most the string limit; otherwise the case is unusable
    /// with `bad_id` or `id_too_long`, as in JSON).
    pub fn id(&mut self, id: &str) -> &mut Self {
        let ok = if id.is_empty() {
            Err(CaseError::BadId)
        } else if id.len() > self.engine.info.limits.max_string_len {
            Err(CaseError::IdTooLong)
        } else {
            self.case.id = Some(Span::push(&mut self.case.text, id));
            Ok(())
        };
        self.case.mark_id(ok);
        self
    }

    /// `opened_at`, seconds since the epoch (1970 through 2099).
    pub fn opened_at(&mut self, t: Instant) -> &mut Self {
        let ok = in_range(t);
        self.case.opened_at = ok.then_some(t);
        self.case.mark_opened(ok);
        self
    }

    /// The completion stamp of metric `metric` (see [`Engine::metric`]).
    pub fn completed(&mut self, metric: u16, at: Instant) -> &mut Self {
        let ok = in_range(at);
        if let Some(c) = self.case.completed.get_mut(metric as usize) {
            *c = ok.then_some(at);
        }
        if !ok {
            self.case.issues.push(Issue::new(IssueCode::BadType, Subject::Metric(metric)));
        }
        self
    }

    /// When the case was closed, seconds since the epoch (1970 through 2099; otherwise a
    /// `bad_type` issue, as in JSON).
    pub fn closed_at(&mut self, t: Instant) -> &mut Self {
        let ok = in_range(t);
        self.case.closed_at = ok.then_some(t);
        if !ok {
            self.bad_key("closed_at");
        }
        self
    }

    /// A pause; `to` `None` = still paused. An interval outside 1970 through 2099 or
    /// ending before it starts, or more pauses than the list limit, is a `bad_type` issue
    /// of `paused`, as in JSON.
    pub fn pause(&mut self, from: Instant, to: Option<Instant>) -> &mut Self {
        self.pause_reason(from, to, None)
    }

    /// A pause with the dependency it waits for (`reason`); a name the policy does not
    /// declare is the issue `unknown_dependency` (the pause still applies).
    pub fn pause_reason(&mut self, from: Instant, to: Option<Instant>, reason: Option<&str>) -> &mut Self {
        let ok = in_range(from) && to.is_none_or(|t| in_range(t) && t >= from);
        self.case.pause(self.engine, ok.then_some((from, to, reason)));
        self
    }

    /// Time the case waited on dependency `on` (see [`Engine::dependencies`]); `to`
    /// `None` = still waiting. As in JSON: a name the policy does not declare is the issue
    /// `unknown_dependency` (the time still counts, under that name); a malformed interval
    /// or more entries than the list limit is a `bad_type` issue of `waiting`.
    pub fn waiting(&mut self, from: Instant, to: Option<Instant>, on: &str) -> &mut Self {
        let ok = in_range(from) && to.is_none_or(|t| in_range(t) && t >= from);
        self.case.wait(self.engine, ok.then_some((from, to, Ok(on))));
        self
    }

    /// [`CaseBuilder::waiting`] with the dependency by index (see
    /// [`Engine::dependencies`]); an index past the declared ones is an undeclared
    /// dependency named by its decimal digits (`unknown_dependency`).
    pub fn waiting_index(&mut self, from: Instant, to: Option<Instant>, on: u32) -> &mut Self {
        let ok = in_range(from) && to.is_none_or(|t| in_range(t) && t >= from);
        self.case.wait(self.engine, ok.then_some((from, to, Err(on))));
        self
    }

    /// `requested_by` (over the string limit: a `bad_type` issue, as in JSON).
    pub fn requested_by(&mut self, actor: &str) -> &mut Self {
        if actor.len() <= self.engine.info.limits.max_string_len {
            self.case.requested_by = Some(Span::push(&mut self.case.text, actor));
        } else {
            self.bad_key("requested_by");
        }
        self
    }

    /// An approval already given.
    pub fn approval(&mut self, role: &str, by: &str, at: Option<Instant>) -> &mut Self {
        self.approval_index(self.engine.approval_role(role), by, at)
    }

    /// An approval already given, the role by index (see [`Engine::roles`]); an index out
    /// of range is a role the policy does not declare, as an unknown role name is. As in
    /// JSON: an empty approver, one over the string limit, or an `at` outside 1970
    /// through 2099 is a `bad_type` issue of `approvals/<i>` (`i` counts the approvals
    /// set so far) and the approval fills no step; more approvals than the list limit are
    /// a `bad_type` issue of `approvals` (the extra ones are not counted).
    pub fn approval_index(&mut self, role: u32, by: &str, at: Option<Instant>) -> &mut Self {
        let pos = self.case.approval_items;
        self.case.approval_items += 1;
        if pos >= self.engine.info.limits.max_list_len {
            return self.bad_key("approvals");
        }
        let role = if (role as usize) < self.engine.rights.roles.len() { role } else { u32::MAX };
        let at = match at {
            Some(t) if !in_range(t) => Err(()),
            t => Ok(t),
        };
        self.case.approval(self.engine, pos, role, by, at);
        self
    }

    /// An entry of `waiting` of the wrong shape (no dependency): a `bad_type` issue of
    /// `waiting`, and it takes its position in the list, as in JSON.
    pub(crate) fn bad_waiting(&mut self) -> &mut Self {
        self.case.wait(self.engine, None);
        self
    }

    /// An entry of `approvals` of the wrong shape (no role or no approver): a `bad_type`
    /// issue of `approvals`, and it takes its position in the list, as in JSON.
    pub(crate) fn malformed_approval(&mut self) -> &mut Self {
        let pos = self.case.approval_items;
        self.case.approval_items += 1;
        if pos >= self.engine.info.limits.max_list_len {
            return self.bad_key("approvals");
        }
        self.case.no_approver(pos, crate::case::bad_approval::WRONG_SHAPE);
        self
    }

    /// An evidence item the case carries (items the policy never names are ignored).
    pub fn evidence(&mut self, item: &str) -> &mut Self {
        match self.engine.rights.evidence_sym(item) {
            Some(i) => self.evidence_index(i),
            None => self,
        }
    }

    /// An evidence item by index (see [`Engine::evidence_items`]); an index out of range
    /// is an item the policy never names (ignored). More items than the list limit are a
    /// `bad_type` issue of `evidence`.
    pub fn evidence_index(&mut self, item: u32) -> &mut Self {
        if (item as usize) >= self.engine.rights.evidence_names.len() {
            return self;
        }
        if self.case.evidence.len() < self.engine.info.limits.max_list_len {
            self.case.evidence.push(item);
        } else {
            self.bad_key("evidence");
        }
        self
    }

    /// QA: the queue that worked the case (`worked_queue`), by name; a name the policy
    /// does not declare is the issue `unknown_queue`, as in JSON.
    pub fn worked_queue(&mut self, name: &str) -> &mut Self {
        self.case.worked_queue(self.engine, name);
        self
    }

    /// QA: `worked_queue` by index (see [`Engine::queues`]); an index past them is an
    /// undeclared name (`unknown_queue`).
    pub fn worked_queue_index(&mut self, queue: u32) -> &mut Self {
        self.case.worked_queue_index(self.engine, queue);
        self
    }

    /// QA: the case carries `escalations` (an empty list until [`CaseBuilder::escalation`]
    /// adds to it): every escalation level due by `now` without one is late.
    pub fn escalations(&mut self) -> &mut Self {
        self.case.escalations_given();
        self
    }

    /// QA: the case reached escalation `level` (from 1) at `at`; as in JSON, a level of 0,
    /// an instant outside 1970 through 2099 or more entries than the list limit is a
    /// `bad_type` issue of `escalations`.
    pub fn escalation(&mut self, level: u32, at: Instant) -> &mut Self {
        self.escalation_entry(Some((level, at)))
    }

    /// An entry of `escalations`, `None` for one of the wrong shape.
    pub(crate) fn escalation_entry(&mut self, entry: Option<(u32, Instant)>) -> &mut Self {
        self.case.escalation(self.engine, entry.filter(|&(_, t)| in_range(t)));
        self
    }

    /// QA: the id of the actor who closed the case (`closed_by.id`); empty or over the
    /// string limit: a `bad_type` issue of `closed_by`, as in JSON.
    pub fn closed_by(&mut self, id: &str) -> &mut Self {
        self.case.closed_by(self.engine, id);
        self
    }

    /// QA: a role the closer held (`closed_by.roles`); roles the policy does not declare
    /// grant nothing. More roles than the list limit: a `bad_type` issue of `closed_by`.
    pub fn closed_by_role(&mut self, role: &str) -> &mut Self {
        let r = if role.len() > self.engine.info.limits.max_string_len { None } else { self.engine.role(role) };
        self.closed_by_role_at(r)
    }

    /// [`CaseBuilder::closed_by_role`] by index (see [`Engine::roles`]).
    pub fn closed_by_role_index(&mut self, role: u32) -> &mut Self {
        self.closed_by_role_at(Some(role))
    }

    fn closed_by_role_at(&mut self, role: Option<u32>) -> &mut Self {
        if !self.case.closed_by_role(self.engine, role) {
            self.bad_key("closed_by");
        }
        self
    }

    /// The case's currency (defaults to the policy currency); a code over 16 bytes is a
    /// `bad_type` issue and makes the case invalid, as in JSON.
    pub fn currency(&mut self, code: &str) -> &mut Self {
        if code.len() <= 16 {
            self.case.currency = Some(Span::push(&mut self.case.text, code));
        } else {
            self.case.currency_bad = true;
            self.bad_key("currency");
        }
        self
    }

    /// Records one `bad_type` issue of a case key (once per key, as JSON decoding does).
    #[cold]
    pub(crate) fn bad_key(&mut self, key: &'static str) -> &mut Self {
        self.case.bad_key(key);
        self
    }

    /// An enum field (including `kind`) by value index (see [`Engine::symbol`]).
    pub fn enum_index(&mut self, slot: u16, index: u32) -> &mut Self {
        match self.field(slot).map(|f| (f.ty, f.syms.len())) {
            None => self,
            Some((FieldType::Enum, n)) if (index as usize) < n => self.store(slot, Val::Sym(index)),
            Some((FieldType::Enum, _)) => self.reject(slot, IssueCode::UnknownEnumValue),
            Some(_) => self.reject(slot, IssueCode::BadType),
        }
    }

    /// A string field, or an enum field by its value's text.
    pub fn string(&mut self, slot: u16, s: &str) -> &mut Self {
        let max = self.engine.info.limits.max_string_len;
        match self.field(slot).map(|f| (f.ty, f.sym(s))) {
            None => self,
            Some((FieldType::Enum, Some(i))) => self.store(slot, Val::Sym(i)),
            Some((FieldType::Enum, None)) => self.reject(slot, IssueCode::UnknownEnumValue),
            Some((FieldType::String, _)) if s.len() > max => self.reject(slot, IssueCode::BadType),
            Some((FieldType::String, i)) => self.store(slot, Val::Sym(i.unwrap_or(OTHER_SYM))),
            Some(_) => self.reject(slot, IssueCode::BadType),
        }
    }

    /// An integer field (or a money field in whole units).
    pub fn integer(&mut self, slot: u16, v: i64) -> &mut Self {
        self.put(slot, FieldType::Integer, FieldType::Money, Ok(Val::Dec(Decimal::from(v))))
    }

    /// A number field.
    pub fn number(&mut self, slot: u16, v: f64) -> &mut Self {
        let v = if v.is_finite() { Ok(Val::Num(v)) } else { Err(IssueCode::BadType) };
        self.put(slot, FieldType::Number, FieldType::Number, v)
    }

    /// A money field as a scaled integer: `money_scaled(slot, 125_000, 2)` is 1250.00, in
    /// the case's currency.
    pub fn money_scaled(&mut self, slot: u16, units: i64, scale: u32) -> &mut Self {
        let v =
            Decimal::try_from_i128_with_scale(i128::from(units), scale).map(Val::Dec).map_err(|_| IssueCode::BadType);
        self.put(slot, FieldType::Money, FieldType::Money, v)
    }

    /// A money field as a decimal string (`"1250.00"`), in the case's currency.
    pub fn money_str(&mut self, slot: u16, s: &str) -> &mut Self {
        let v = parse_decimal(s.trim()).map(Val::Dec).ok_or(IssueCode::BadType);
        self.put(slot, FieldType::Money, FieldType::Money, v)
    }

    /// A bool field.
    pub fn boolean(&mut self, slot: u16, v: bool) -> &mut Self {
        self.put(slot, FieldType::Bool, FieldType::Bool, Ok(Val::Bool(v)))
    }

    /// A timestamp field, seconds since the epoch.
    pub fn timestamp(&mut self, slot: u16, t: Instant) -> &mut Self {
        let v = if in_range(t) { Ok(Val::Time(t)) } else { Err(IssueCode::BadType) };
        self.put(slot, FieldType::Timestamp, FieldType::Timestamp, v)
    }

    /// Finishes the case: missing `id`/`kind`/`opened_at` make it unusable, money is
    /// converted, required fields are checked.
    pub fn finish(self) {
        self.case.finish(self.engine, true);
    }
}
