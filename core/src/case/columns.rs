//! Columnar batches: cases given as typed columns (a struct of arrays) instead of records.
//!
//! A host that holds its cases in columns (a dataframe, an order table, the C and
//! WebAssembly columnar APIs) describes each column once per batch — what it sets
//! ([`ColumnTarget`]) and its values ([`ColumnValues`]) — and [`Engine::evaluate_columns`]
//! sets blocks of cases column by column (one tight loop per column, no per-cell
//! dispatch, no text formatted or parsed for typed values) and evaluates them. A row
//! decodes exactly as the same case given as a JSON record: typed values go through the
//! [`CaseBuilder`] setters, any other kind of value through the JSON decoder's own
//! per-key code, so a value of the wrong kind is a `bad_type` issue of that case, never
//! an error of the batch. Only the shape of the batch (lengths, offsets, list groups)
//! can be refused, by [`Engine::columns`], before anything is evaluated.
//!
//! ```
//! use docket_core::{ColumnTarget as T, ColumnValues as V, Column, ColumnWorkspace, Engine};
//! let engine = Engine::compile(include_str!("../../../examples/order-ops.policy.json")).unwrap();
//! let target = |name: &str| engine.column_target(name).unwrap();
//! let kind = engine.slot("kind").unwrap();
//! let refund = engine.symbol(kind, "refund").unwrap();
//! let (ids, kinds, opened) = (["C-1", "C-2"], [refund, refund], [1_795_420_800_i64, 1_795_424_400]);
//! let (orders, cents) = (["O-1", "O-2"], [8_000_i64, 125_000]);
//! let cols = [
//!     Column::new(target("id"), V::Text(&ids)),
//!     Column::new(target("kind"), V::Index(&kinds)),
//!     Column::new(target("opened_at"), V::I64(&opened)),
//!     Column::new(target("order_id"), V::Text(&orders)),
//!     Column::new(target("amount"), V::Scaled(&cents, 2)),
//! ];
//! let batch = engine.columns(2, &cols).unwrap();
//! let mut ws = ColumnWorkspace::new();
//! let mut queues = Vec::new();
//! engine.evaluate_columns(&batch, 1_795_428_000, &mut ws, |_, out| {
//!     queues.push(out.queue_index().and_then(|q| engine.queues().nth(q as usize)).unwrap_or(""));
//! });
//! assert_eq!(queues.len(), 2);
//! ```

use crate::case::builder::{CaseBuilder, in_range};
use crate::case::cells::Cell;
use crate::case::{Case, CaseError};
use crate::engine::Engine;
use crate::error::ErrorCode;
use crate::issue::IssueCode;
use crate::policy::Key;
use crate::time::Instant;
use crate::value::FieldType;
use crate::value::{OTHER_SYM, Packed, Val};
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::ops::Range;
use rust_decimal::Decimal;

/// What a column sets on each case; from [`Engine::column_target`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ColumnTarget {
    /// `id`.
    Id,
    /// `opened_at`.
    OpenedAt,
    /// `closed_at`.
    ClosedAt,
    /// `currency`.
    Currency,
    /// `requested_by`.
    RequestedBy,
    /// `<metric>_at`, by metric index.
    Completed(u16),
    /// A declared field, by slot.
    Field(u16),
    /// `paused`, the whole list as JSON text per case.
    Paused,
    /// `waiting`, the whole list as JSON text per case.
    Waiting,
    /// `approvals`, the whole list as JSON text per case.
    Approvals,
    /// `evidence`: with offsets, the items of every case (text, or indexes into
    /// [`Engine::evidence_items`]); without, the whole list as JSON text per case.
    Evidence,
    /// List column `paused_from`: start of each pause (an instant).
    PausedFrom,
    /// List column `paused_to`: end of each pause; absent = still paused.
    PausedTo,
    /// List column `paused_reason`: the dependency each pause waits for (index into
    /// [`Engine::dependencies`], or its name); may be absent.
    PausedReason,
    /// List column `waiting_from`: start of each wait (an instant).
    WaitingFrom,
    /// List column `waiting_to`: end of each wait; absent = still waiting.
    WaitingTo,
    /// List column `waiting_on`: the dependency of each wait (index into
    /// [`Engine::dependencies`], or its name).
    WaitingOn,
    /// List column `approval_role`: the role of each approval given (index into
    /// [`Engine::roles`], or its name).
    ApprovalRole,
    /// List column `approval_by`: who gave each approval.
    ApprovalBy,
    /// List column `approval_at`: when each approval was given; may be absent.
    ApprovalAt,
    /// `worked_queue` (QA): the queue that worked the case, by name or by index into
    /// [`Engine::queues`].
    WorkedQueue,
    /// `escalations` (QA), the whole list as JSON text per case.
    Escalations,
    /// `closed_by` (QA), the actor object as JSON text per case.
    ClosedBy,
    /// `closed_by_id` (QA): the id of the actor who closed the case.
    ClosedById,
    /// List column `closed_by_roles` (QA): the roles of the actor who closed the case
    /// (index into [`Engine::roles`], or its name).
    ClosedByRoles,
    /// List column `escalation_level` (QA): the level each escalation reached (a whole
    /// number from 1). With it every case of the batch carries `escalations`: its items,
    /// or none.
    EscalationLevel,
    /// List column `escalation_at` (QA): when each escalation happened (an instant).
    EscalationAt,
}

impl ColumnTarget {
    /// Whether the column sets a list of the case (`paused`, `waiting`, `approvals` or
    /// `evidence`): it holds the items of every case and takes offsets (`evidence` may
    /// also come as one JSON text a case, without offsets).
    pub fn is_list(self) -> bool {
        use ColumnTarget as T;
        matches!(
            self,
            T::PausedFrom
                | T::PausedTo
                | T::PausedReason
                | T::WaitingFrom
                | T::WaitingTo
                | T::WaitingOn
                | T::ApprovalRole
                | T::ApprovalBy
                | T::ApprovalAt
                | T::Evidence
                | T::ClosedByRoles
                | T::EscalationLevel
                | T::EscalationAt
        )
    }

    /// Whether the column holds items of every case (needs offsets).
    fn is_items(self, has_offsets: bool) -> bool {
        self.is_list() && (self != ColumnTarget::Evidence || has_offsets)
    }
    /// Whether the column's numbers are instants.
    fn takes_instants(self, engine: &Engine) -> bool {
        use ColumnTarget as T;
        match self {
            T::OpenedAt
            | T::ClosedAt
            | T::Completed(_)
            | T::PausedFrom
            | T::PausedTo
            | T::WaitingFrom
            | T::WaitingTo
            | T::ApprovalAt
            | T::EscalationAt => true,
            T::Field(s) => engine.field_type(s) == Some(FieldType::Timestamp),
            _ => false,
        }
    }
}

/// A column's values, one per case (or, for list columns, one per item).
#[derive(Clone, Copy, Debug)]
pub enum ColumnValues<'a> {
    /// Whole numbers; for instants (`opened_at`, `<metric>_at`, timestamp fields, pause
    /// and approval times), seconds since the Unix epoch.
    I64(&'a [i64]),
    /// Numbers; for instants, seconds since the Unix epoch (the fraction is dropped;
    /// non-finite or beyond ±8.64e12 reads as a malformed timestamp).
    F64(&'a [f64]),
    /// Booleans, `0` = false.
    Bool(&'a [u8]),
    /// Enum fields: the value's index ([`Engine::symbol`]); `approval_role`: the role's
    /// index ([`Engine::roles`]); evidence items: the item's index
    /// ([`Engine::evidence_items`]). An index out of range is an unknown value.
    Index(&'a [u32]),
    /// Text: ids, actors, currencies, string fields, enum values by name, money as
    /// decimal text (`"1250.00"`), timestamps as RFC 3339, lists as JSON text.
    Text(&'a [&'a str]),
    /// Money as scaled integers: `(125_000, 2)` is 1250.00.
    Scaled(&'a [i64], u32),
}

impl ColumnValues<'_> {
    fn len(&self) -> usize {
        match self {
            ColumnValues::I64(v) | ColumnValues::Scaled(v, _) => v.len(),
            ColumnValues::F64(v) => v.len(),
            ColumnValues::Bool(v) => v.len(),
            ColumnValues::Index(v) => v.len(),
            ColumnValues::Text(v) => v.len(),
        }
    }
    fn kind(&self) -> &'static str {
        match self {
            ColumnValues::I64(_) => "64-bit integer",
            ColumnValues::F64(_) => "floating-point",
            ColumnValues::Bool(_) => "boolean",
            ColumnValues::Index(_) => "enum index",
            ColumnValues::Text(_) => "text",
            ColumnValues::Scaled(..) => "scaled decimal",
        }
    }
}

/// One input column of a batch.
#[derive(Clone, Copy, Debug)]
pub struct Column<'a> {
    /// What it sets.
    pub target: ColumnTarget,
    /// Its values.
    pub values: ColumnValues<'a>,
    /// `None`: every value present; otherwise one byte per value, `0` = absent (as a JSON
    /// `null` or a missing key).
    pub present: Option<&'a [u8]>,
    /// List columns: `len + 1` non-decreasing offsets, case `i` owning items
    /// `offsets[i]..offsets[i + 1]`; `None` for every other column.
    pub offsets: Option<&'a [usize]>,
}

impl<'a> Column<'a> {
    /// A column with every value present and no offsets.
    pub fn new(target: ColumnTarget, values: ColumnValues<'a>) -> Column<'a> {
        Column { target, values, present: None, offsets: None }
    }
    /// With a presence mask.
    pub fn present(mut self, present: &'a [u8]) -> Column<'a> {
        self.present = Some(present);
        self
    }
    /// With offsets (list columns).
    pub fn offsets(mut self, offsets: &'a [usize]) -> Column<'a> {
        self.offsets = Some(offsets);
        self
    }

    /// Items of case `i` (a list column) or the value index of case `i`.
    #[inline]
    fn items(&self, i: usize) -> (usize, usize) {
        match self.offsets {
            None => (i, i + 1),
            Some(o) => {
                let a = o.get(i).copied().unwrap_or(0);
                (a, o.get(i + 1).copied().unwrap_or(a))
            }
        }
    }
    #[inline(always)]
    fn is_present(&self, k: usize) -> bool {
        self.present.is_none_or(|p| p.get(k).is_some_and(|&b| b != 0))
    }
    /// Item `k` as an instant, if present and readable as one.
    fn instant(&self, k: usize) -> Option<Instant> {
        if !self.is_present(k) {
            return None;
        }
        match self.values {
            ColumnValues::I64(v) => v.get(k).copied(),
            ColumnValues::F64(v) => v.get(k).map(|&x| instant(x)),
            _ => None,
        }
    }
    fn text(&self, k: usize) -> Option<&'a str> {
        match self.values {
            ColumnValues::Text(v) if self.is_present(k) => v.get(k).copied(),
            _ => None,
        }
    }
}

/// Why [`Engine::columns`] refused a batch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ColumnError {
    /// [`ErrorCode::LimitExceeded`] for too many cases in one batch
    /// (`Limits::max_cases_per_call`), [`ErrorCode::InvalidArgument`] otherwise.
    pub code: ErrorCode,
    /// Index of the column at fault, if one is.
    pub column: Option<usize>,
    /// The part at fault: `target`, `values`, `present` or `offsets` of the column, or
    /// `len` (too many cases for one batch).
    pub part: &'static str,
    /// What is wrong, naming columns as a host names them (`approval_by`, `amount`).
    pub message: String,
}

impl ColumnError {
    /// Where the fault is, as the bindings report it: `columns[2].offsets`, or `len`.
    pub fn path(&self) -> String {
        match self.column {
            Some(j) => format!("columns[{j}].{}", self.part),
            None => String::from(self.part),
        }
    }
}

impl core::fmt::Display for ColumnError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self.column {
            Some(j) => write!(f, "columns[{j}].{}: {}", self.part, self.message),
            None => write!(f, "columns: {}", self.message),
        }
    }
}

/// A batch of columns checked against an engine by [`Engine::columns`].
#[derive(Clone, Debug)]
pub struct Columns<'a> {
    pub(crate) len: usize,
    pub(crate) scalars: Vec<Column<'a>>,
    /// paused_from, paused_to, approval_role, approval_by, approval_at, evidence items,
    /// paused_reason, waiting_from, waiting_to, waiting_on, closed_by_roles,
    /// escalation_level, escalation_at.
    pub(crate) lists: [Option<Column<'a>>; LISTS],
}

impl Columns<'_> {
    /// Number of cases.
    pub fn len(&self) -> usize {
        self.len
    }
    /// Whether the batch has no cases.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// How many list columns a batch may have.
const LISTS: usize = 13;

/// A number read as an instant, in seconds (JavaScript's `Date` range; beyond it, or not
/// finite, it is malformed).
#[inline]
fn instant(x: f64) -> Instant {
    if x.is_finite() && x.abs() <= 8.64e12 {
        // Floor without `f64::floor` (not in `core`): exact for magnitudes this small.
        let t = x as Instant;
        if (t as f64) > x { t - 1 } else { t }
    } else {
        Instant::MIN
    }
}

impl Engine {
    /// Resolves a column name: any case key (`id`, `opened_at`, `closed_at`, a field,
    /// `<metric>_at`, `currency`, `requested_by`, `paused`, `waiting`, `approvals`,
    /// `evidence`) or a list column (`paused_from`, `paused_to`, `paused_reason`,
    /// `waiting_from`, `waiting_to`, `waiting_on`, `approval_role`, `approval_by`,
    /// `approval_at`).
    pub fn column_target(&self, name: &str) -> Option<ColumnTarget> {
        use ColumnTarget as T;
        Some(match self.input.key(name) {
            Some(Key::Id) => T::Id,
            Some(Key::OpenedAt) => T::OpenedAt,
            Some(Key::ClosedAt) => T::ClosedAt,
            Some(Key::Currency) => T::Currency,
            Some(Key::RequestedBy) => T::RequestedBy,
            Some(Key::Completed(m)) => T::Completed(m),
            Some(Key::Field(s)) => T::Field(s),
            Some(Key::Paused) => T::Paused,
            Some(Key::Waiting) => T::Waiting,
            Some(Key::Approvals) => T::Approvals,
            Some(Key::Evidence) => T::Evidence,
            Some(Key::WorkedQueue) => T::WorkedQueue,
            Some(Key::Escalations) => T::Escalations,
            Some(Key::ClosedBy) => T::ClosedBy,
            None => match name {
                "paused_from" => T::PausedFrom,
                "paused_to" => T::PausedTo,
                "paused_reason" => T::PausedReason,
                "waiting_from" => T::WaitingFrom,
                "waiting_to" => T::WaitingTo,
                "waiting_on" => T::WaitingOn,
                "approval_role" => T::ApprovalRole,
                "approval_by" => T::ApprovalBy,
                "approval_at" => T::ApprovalAt,
                "closed_by_id" => T::ClosedById,
                "closed_by_roles" => T::ClosedByRoles,
                "escalation_level" => T::EscalationLevel,
                "escalation_at" => T::EscalationAt,
                _ => return None,
            },
        })
    }

    /// The name a host gives the column of `target` (the inverse of
    /// [`Engine::column_target`]).
    pub fn column_name(&self, target: ColumnTarget) -> String {
        use ColumnTarget as T;
        let name = match target {
            T::Id => "id",
            T::OpenedAt => "opened_at",
            T::ClosedAt => "closed_at",
            T::Currency => "currency",
            T::RequestedBy => "requested_by",
            T::Completed(m) => {
                return format!("{}_at", self.clocks.metrics.get(usize::from(m)).map_or("", String::as_str));
            }
            T::Field(s) => self.input.field_name(s),
            T::Paused => "paused",
            T::Waiting => "waiting",
            T::Approvals => "approvals",
            T::Evidence => "evidence",
            T::PausedFrom => "paused_from",
            T::PausedTo => "paused_to",
            T::PausedReason => "paused_reason",
            T::WaitingFrom => "waiting_from",
            T::WaitingTo => "waiting_to",
            T::WaitingOn => "waiting_on",
            T::ApprovalRole => "approval_role",
            T::ApprovalBy => "approval_by",
            T::ApprovalAt => "approval_at",
            T::WorkedQueue => "worked_queue",
            T::Escalations => "escalations",
            T::ClosedBy => "closed_by",
            T::ClosedById => "closed_by_id",
            T::ClosedByRoles => "closed_by_roles",
            T::EscalationLevel => "escalation_level",
            T::EscalationAt => "escalation_at",
        };
        String::from(name)
    }

    /// Checks the shape of a batch of `len` cases: every column long enough, offsets of
    /// list columns (and only of those) well formed, no target given twice, list columns
    /// of one group (`paused_*`; `waiting_*`; `approval_*`) with the same items per case. Values are
    /// not checked here: a value of the wrong kind is an issue of its case.
    pub fn columns<'a>(&self, len: usize, cols: &[Column<'a>]) -> Result<Columns<'a>, ColumnError> {
        use ColumnTarget as T;
        let err = |j: usize, part: &'static str, message: String| ColumnError {
            code: ErrorCode::InvalidArgument,
            column: Some(j),
            part,
            message,
        };
        let name = |t: ColumnTarget| self.column_name(t);
        let max = self.info.limits.max_cases_per_call;
        if len > max {
            return Err(ColumnError {
                code: ErrorCode::LimitExceeded,
                column: None,
                part: "len",
                message: format!("{len} cases in one batch; the limit is {max}"),
            });
        }
        let mut scalars = Vec::with_capacity(cols.len());
        let mut lists: [Option<Column<'a>>; LISTS] = [None; LISTS];
        for (j, c) in cols.iter().enumerate() {
            if cols.iter().take(j).any(|o| o.target == c.target) {
                return Err(err(j, "target", format!("`{}` is given twice", name(c.target))));
            }
            let items_col = c.target.is_items(c.offsets.is_some());
            let items = match (items_col, c.offsets) {
                (true, None) => {
                    return Err(err(j, "offsets", format!("`{}` is a list column: it needs offsets", name(c.target))));
                }
                (false, Some(_)) => {
                    return Err(err(
                        j,
                        "offsets",
                        format!("`{}` is not a list column: it takes no offsets", name(c.target)),
                    ));
                }
                (false, None) => len,
                (true, Some(o)) => {
                    if o.len() != len + 1 {
                        return Err(err(
                            j,
                            "offsets",
                            format!("{} offsets for {len} cases; want {}", o.len(), len + 1),
                        ));
                    }
                    if o.windows(2).any(|w| w.first() > w.get(1)) {
                        return Err(err(j, "offsets", "offsets must not decrease".into()));
                    }
                    o.last().copied().unwrap_or(0)
                }
            };
            if c.values.len() < items {
                return Err(err(j, "values", format!("{} values; the batch needs {items}", c.values.len())));
            }
            if let Some(p) = c.present
                && p.len() < items
            {
                return Err(err(j, "present", format!("{} presence bytes; the batch needs {items}", p.len())));
            }
            // List items must have a kind their list can hold; every other column takes
            // any kind (a value of the wrong kind is its case's issue).
            let ok_kind = match (c.target, c.values) {
                (T::PausedFrom | T::PausedTo | T::WaitingFrom | T::WaitingTo | T::ApprovalAt | T::EscalationAt, v) => {
                    matches!(v, ColumnValues::I64(_) | ColumnValues::F64(_))
                }
                (T::EscalationLevel, v) => {
                    matches!(v, ColumnValues::I64(_) | ColumnValues::F64(_) | ColumnValues::Index(_))
                }
                (T::ApprovalRole | T::PausedReason | T::WaitingOn | T::ClosedByRoles, v) => {
                    matches!(v, ColumnValues::Index(_) | ColumnValues::Text(_))
                }
                (T::Evidence, v) if items_col => matches!(v, ColumnValues::Index(_) | ColumnValues::Text(_)),
                (T::ApprovalBy, v) => matches!(v, ColumnValues::Text(_)),
                _ => true,
            };
            if !ok_kind {
                return Err(err(j, "values", format!("`{}` cannot take {} values", name(c.target), c.values.kind())));
            }
            let slot = match c.target {
                T::PausedFrom => Some(0),
                T::PausedTo => Some(1),
                T::ApprovalRole => Some(2),
                T::ApprovalBy => Some(3),
                T::ApprovalAt => Some(4),
                T::Evidence if items_col => Some(5),
                T::PausedReason => Some(6),
                T::WaitingFrom => Some(7),
                T::WaitingTo => Some(8),
                T::WaitingOn => Some(9),
                T::ClosedByRoles => Some(10),
                T::EscalationLevel => Some(11),
                T::EscalationAt => Some(12),
                _ => None,
            };
            match slot.and_then(|s| lists.get_mut(s)) {
                Some(l) => *l = Some(*c),
                None => scalars.push(*c),
            }
        }
        // Groups: a member needs its lead, with the same number of items per case.
        let index = |t: ColumnTarget| cols.iter().position(|c| c.target == t);
        let groups = [
            (T::PausedFrom, &[T::PausedTo, T::PausedReason][..]),
            (T::WaitingFrom, &[T::WaitingTo, T::WaitingOn][..]),
            (T::ApprovalBy, &[T::ApprovalRole, T::ApprovalAt][..]),
            (T::EscalationLevel, &[T::EscalationAt][..]),
        ];
        for (lead, members) in groups {
            for &m in members {
                let Some((mj, mc)) = index(m).and_then(|j| Some((j, cols.get(j)?))) else { continue };
                let Some(l) = index(lead).and_then(|j| cols.get(j)) else {
                    return Err(err(mj, "target", format!("`{}` needs the `{}` column too", name(m), name(lead))));
                };
                let differ = match (l.offsets, mc.offsets) {
                    // Hosts usually pass one offsets array for a whole group.
                    (Some(a), Some(b)) if core::ptr::eq(a, b) => false,
                    (Some(a), Some(b)) => {
                        // Offsets were checked non-decreasing above.
                        a.windows(2).zip(b.windows(2)).any(|(x, y)| match (x, y) {
                            (&[x0, x1], &[y0, y1]) => x1 - x0 != y1 - y0,
                            _ => true,
                        })
                    }
                    _ => true,
                };
                if differ {
                    return Err(err(
                        mj,
                        "offsets",
                        format!("items per case differ from the `{}` column's", name(lead)),
                    ));
                }
            }
        }
        // Leads that need another column of their group.
        for (lead, needs) in [
            (T::ApprovalBy, T::ApprovalRole),
            (T::WaitingFrom, T::WaitingOn),
            (T::EscalationLevel, T::EscalationAt),
            (T::ClosedByRoles, T::ClosedById),
        ] {
            if let Some(j) = index(lead)
                && index(needs).is_none()
            {
                return Err(err(j, "target", format!("`{}` needs the `{}` column too", name(lead), name(needs))));
            }
        }
        // A list is given one way: as JSON text per case or as list columns, not both.
        for (whole, items) in [
            (T::Paused, T::PausedFrom),
            (T::Waiting, T::WaitingFrom),
            (T::Approvals, T::ApprovalBy),
            (T::Escalations, T::EscalationLevel),
            (T::ClosedBy, T::ClosedById),
        ] {
            if let (Some(_), Some(j)) = (index(whole), index(items)) {
                return Err(err(
                    j,
                    "target",
                    format!("`{}` is given twice: as JSON text and as `{}` list columns", name(whole), name(items)),
                ));
            }
        }
        Ok(Columns { len, scalars, lists })
    }
}

/// Runs `f` on the builder of every case of the block whose value is present.
#[inline(always)]
fn rows<T: Copy>(
    engine: &Engine,
    values: &[T],
    present: Option<&[u8]>,
    start: usize,
    block: &mut [Case],
    mut f: impl FnMut(&mut CaseBuilder<'_>, T),
) {
    let Some(values) = values.get(start..) else { return };
    match present.and_then(|p| p.get(start..)) {
        None => {
            for (case, &v) in block.iter_mut().zip(values) {
                f(&mut CaseBuilder::resume(engine, case), v);
            }
        }
        Some(p) => {
            for ((case, &v), &p) in block.iter_mut().zip(values).zip(p) {
                if p != 0 {
                    f(&mut CaseBuilder::resume(engine, case), v);
                }
            }
        }
    }
}

/// Stores `conv(value)` in field `slot` of every case of the block whose value is present;
/// the caller checked once that the values' kind fits the field's declared type, so a row
/// is one conversion and two stores (a conversion that fails is that case's issue, as the
/// typed [`CaseBuilder`] setters record it).
#[inline(always)]
fn fields<T: Copy>(
    engine: &Engine,
    slot: u16,
    values: &[T],
    present: Option<&[u8]>,
    start: usize,
    block: &mut [Case],
    conv: impl Fn(T) -> Result<Val, IssueCode>,
) {
    let is_kind = slot == engine.input.kind_slot;
    let at = engine.input.at(slot);
    let put = |case: &mut Case, x: T| match conv(x) {
        Ok(v) => {
            if let Some(d) = case.at_position_mut(at) {
                *d = Packed::pack(v);
            }
            if is_kind {
                case.mark_kind(true);
            }
        }
        Err(code) => {
            CaseBuilder::resume(engine, case).reject(slot, code);
        }
    };
    let Some(values) = values.get(start..) else { return };
    match present.and_then(|p| p.get(start..)) {
        None => block.iter_mut().zip(values).for_each(|(case, &x)| put(case, x)),
        Some(p) => {
            for ((case, &x), &p) in block.iter_mut().zip(values).zip(p) {
                if p != 0 {
                    put(case, x);
                }
            }
        }
    }
}

/// Sets one scalar column on a block of cases (case `k` of the block is row `start + k`).
pub(crate) fn set_column(engine: &Engine, col: &Column<'_>, start: usize, block: &mut [Case]) {
    use ColumnTarget as T;
    use ColumnValues as V;
    let p = col.present;
    let key = match col.target {
        T::Id => Key::Id,
        T::OpenedAt => Key::OpenedAt,
        T::ClosedAt => Key::ClosedAt,
        T::Currency => Key::Currency,
        T::RequestedBy => Key::RequestedBy,
        T::Completed(m) => Key::Completed(m),
        T::Field(s) => Key::Field(s),
        T::Paused => Key::Paused,
        T::Waiting => Key::Waiting,
        T::Approvals => Key::Approvals,
        T::Evidence => Key::Evidence,
        T::WorkedQueue => Key::WorkedQueue,
        T::Escalations => Key::Escalations,
        T::ClosedBy => Key::ClosedBy,
        T::ClosedById => return closed_by_ids(engine, col, start, block),
        // List columns are set by `set_lists`.
        _ => return,
    };
    match (col.target, col.values) {
        (T::Id, V::Text(v)) => rows(engine, v, p, start, block, |b, s| {
            b.id(s);
        }),
        (T::Currency, V::Text(v)) => rows(engine, v, p, start, block, |b, s| {
            b.currency(s);
        }),
        (T::RequestedBy, V::Text(v)) => rows(engine, v, p, start, block, |b, s| {
            b.requested_by(s);
        }),
        (T::Paused | T::Waiting | T::Approvals | T::Evidence | T::Escalations | T::ClosedBy, _) => {
            set_whole_list(engine, col, key, start, block)
        }
        (T::WorkedQueue, V::Index(v)) => rows(engine, v, p, start, block, |b, q| {
            b.worked_queue_index(q);
        }),
        (T::OpenedAt, V::I64(v)) => rows(engine, v, p, start, block, |b, t| {
            b.opened_at(t);
        }),
        (T::OpenedAt, V::F64(v)) => rows(engine, v, p, start, block, |b, x| {
            b.opened_at(instant(x));
        }),
        (T::ClosedAt, V::I64(v)) => rows(engine, v, p, start, block, |b, t| {
            b.closed_at(t);
        }),
        (T::ClosedAt, V::F64(v)) => rows(engine, v, p, start, block, |b, x| {
            b.closed_at(instant(x));
        }),
        (T::Completed(m), V::I64(v)) => rows(engine, v, p, start, block, |b, t| {
            b.completed(m, t);
        }),
        (T::Completed(m), V::F64(v)) => rows(engine, v, p, start, block, |b, x| {
            b.completed(m, instant(x));
        }),
        (T::Field(s), _) if set_typed_field(engine, s, col, start, block) => {}
        // Every other kind of value reads as the JSON value it stands for.
        _ => set_cells(engine, col, key, start, block),
    }
}

/// `paused`, `waiting`, `approvals`, `evidence`, `escalations` or `closed_by` given whole: as JSON text per case, parsed as in a
/// record; any other kind of value is the wrong shape, as a scalar is in JSON.
fn set_whole_list(engine: &Engine, col: &Column<'_>, key: Key, start: usize, block: &mut [Case]) {
    let ColumnValues::Text(v) = col.values else {
        let name = match col.target {
            ColumnTarget::Paused => "paused",
            ColumnTarget::Waiting => "waiting",
            ColumnTarget::Approvals => "approvals",
            ColumnTarget::Escalations => "escalations",
            ColumnTarget::ClosedBy => "closed_by",
            _ => "evidence",
        };
        for (k, case) in block.iter_mut().enumerate() {
            if k + start < col.values.len() && col.is_present(start + k) {
                CaseBuilder::resume(engine, case).bad_key(name);
            }
        }
        return;
    };
    let Some(v) = v.get(start..) else { return };
    let max = engine.info.limits.max_case_bytes;
    for (k, (case, &s)) in block.iter_mut().zip(v).enumerate() {
        if !col.is_present(start + k) {
            continue;
        }
        // As for a whole record: text over the size limit is not read at all.
        if s.len() > max {
            case.set_error(CaseError::TooLarge);
        } else if !case.set_json(engine, key, s) {
            case.set_error(CaseError::NotAnObject);
        }
    }
}

/// A declared field's column whose values have a kind its type takes directly (an
/// enum index, a timestamp in seconds, scaled money...); `false` for any other kind,
/// which then reads as the JSON value it stands for.
fn set_typed_field(engine: &Engine, s: u16, col: &Column<'_>, start: usize, block: &mut [Case]) -> bool {
    use ColumnValues as V;
    let p = col.present;
    match (col.values, engine.field_type(s)) {
        (V::Index(v), Some(FieldType::Enum)) => {
            let n = engine.symbols(s).len();
            let sym = |i: u32| if (i as usize) < n { Ok(Val::Sym(i)) } else { Err(IssueCode::UnknownEnumValue) };
            fields(engine, s, v, p, start, block, sym);
        }
        (V::Index(v), _) => rows(engine, v, p, start, block, |b, i| {
            b.enum_index(s, i);
        }),
        (V::Text(v), Some(FieldType::Money)) => rows(engine, v, p, start, block, |b, x| {
            b.money_str(s, x);
        }),
        (V::Text(v), Some(ty @ (FieldType::Enum | FieldType::String))) => {
            // As `CaseBuilder::string`, with the field looked up once for the column.
            let Some(f) = engine.input.schema.fields.get(s as usize) else { return true };
            let max = engine.info.limits.max_string_len;
            match ty {
                FieldType::Enum => fields(engine, s, v, p, start, block, |x: &str| {
                    f.sym(x).map(Val::Sym).ok_or(IssueCode::UnknownEnumValue)
                }),
                // A string no test names is OTHER_SYM; with no names at all, no search.
                _ if f.syms.is_empty() => fields(engine, s, v, p, start, block, |x: &str| {
                    if x.len() > max { Err(IssueCode::BadType) } else { Ok(Val::Sym(OTHER_SYM)) }
                }),
                _ => fields(engine, s, v, p, start, block, |x: &str| {
                    if x.len() > max { Err(IssueCode::BadType) } else { Ok(Val::Sym(f.sym(x).unwrap_or(OTHER_SYM))) }
                }),
            }
        }
        (V::I64(v), Some(FieldType::Timestamp)) => {
            fields(
                engine,
                s,
                v,
                p,
                start,
                block,
                |t| if in_range(t) { Ok(Val::Time(t)) } else { Err(IssueCode::BadType) },
            );
        }
        (V::F64(v), Some(FieldType::Timestamp)) => fields(engine, s, v, p, start, block, |x| {
            let t = instant(x);
            if in_range(t) { Ok(Val::Time(t)) } else { Err(IssueCode::BadType) }
        }),
        (V::I64(v), Some(FieldType::Number)) => {
            fields(engine, s, v, p, start, block, |x| Ok(Val::Num(x as f64)));
        }
        (V::F64(v), Some(FieldType::Number)) => {
            fields(engine, s, v, p, start, block, |x| {
                if x.is_finite() { Ok(Val::Num(x)) } else { Err(IssueCode::BadType) }
            });
        }
        (V::I64(v), Some(FieldType::Integer | FieldType::Money)) => {
            fields(engine, s, v, p, start, block, |x| Ok(Val::Dec(Decimal::from(x))));
        }
        (V::Bool(v), Some(FieldType::Bool)) => {
            fields(engine, s, v, p, start, block, |x| Ok(Val::Bool(x != 0)));
        }
        (V::Scaled(v, scale), Some(FieldType::Money)) => fields(engine, s, v, p, start, block, |x| {
            Decimal::try_from_i128_with_scale(i128::from(x), scale).map(Val::Dec).map_err(|_| IssueCode::BadType)
        }),
        _ => return false,
    }
    true
}

/// A column whose values read as the JSON values they stand for, through the decoder's
/// own per-key code (a value of the wrong kind is its case's `bad_type` issue).
fn set_cells(engine: &Engine, col: &Column<'_>, key: Key, start: usize, block: &mut [Case]) {
    use ColumnValues as V;
    let p = col.present;
    let instants = col.target.takes_instants(engine);
    match col.values {
        V::I64(v) if instants => rows(engine, v, p, start, block, |b, t| {
            b.scalar(key, Cell::Instant(t));
        }),
        V::F64(v) if instants => rows(engine, v, p, start, block, |b, x| {
            b.scalar(key, Cell::Instant(instant(x)));
        }),
        V::I64(v) => rows(engine, v, p, start, block, |b, x| {
            b.scalar(key, Cell::Int(x));
        }),
        V::Scaled(v, scale) => rows(engine, v, p, start, block, |b, x| {
            let ten_to = (0..scale.min(28)).fold(1f64, |p, _| p * 10.0);
            let cell = if scale == 0 { Cell::Int(x) } else { Cell::Num(x as f64 / ten_to) };
            b.scalar(key, cell);
        }),
        V::F64(v) => rows(engine, v, p, start, block, |b, x| {
            b.scalar(key, Cell::Num(x));
        }),
        V::Bool(v) => rows(engine, v, p, start, block, |b, x| {
            b.scalar(key, Cell::Bool(x != 0));
        }),
        V::Index(v) => rows(engine, v, p, start, block, |b, x| {
            b.scalar(key, Cell::Int(i64::from(x)));
        }),
        V::Text(v) => rows(engine, v, p, start, block, |b, x| {
            b.scalar(key, Cell::Str(x));
        }),
    }
}

/// Sets the list columns (pauses, waits, approvals given, evidence items) of case `i`.
#[inline]
pub(crate) fn set_lists(engine: &Engine, lists: &[Option<Column<'_>>; LISTS], i: usize, case: &mut Case) {
    let [from, to, role, by, at, evidence, reason, wait_from, wait_to, wait_on, closer_roles, level, level_at] = lists;
    if let Some(from) = from {
        let (a, z) = from.items(i);
        if a < z {
            pauses(engine, from, [to.as_ref(), reason.as_ref()], i, a..z, case);
        }
    }
    if let (Some(from), Some(on)) = (wait_from, wait_on) {
        let (a, z) = from.items(i);
        if a < z {
            waits(engine, from, [wait_to.as_ref(), Some(on)], i, a..z, case);
        }
    }
    if let (Some(by), Some(role)) = (by, role) {
        let (a, z) = by.items(i);
        if a < z {
            approvals(engine, by, role, at.as_ref(), i, a..z, case);
        }
    }
    if let (Some(level), Some(level_at)) = (level, level_at) {
        escalations(engine, level, level_at, i, case);
    }
    if let Some(roles) = closer_roles {
        closer_roles_of(engine, roles, i, case);
    }
    if let Some(ev) = evidence {
        let (a, z) = ev.items(i);
        let mut b = CaseBuilder::resume(engine, case);
        for k in a..z {
            match ev.values {
                // An absent item is the wrong shape, as `null` in a JSON list is.
                _ if !ev.is_present(k) => b.bad_key("evidence"),
                ColumnValues::Index(v) => b.evidence_index(v.get(k).copied().unwrap_or(u32::MAX)),
                _ => b.evidence(ev.text(k).unwrap_or("")),
            };
        }
    }
}

/// `closed_by_id`: the id of the actor who closed each case (text; any other kind of value
/// is the wrong shape, as in JSON).
fn closed_by_ids(engine: &Engine, col: &Column<'_>, start: usize, block: &mut [Case]) {
    match col.values {
        ColumnValues::Text(v) => rows(engine, v, col.present, start, block, |b, id| {
            b.closed_by(id);
        }),
        _ => {
            for (k, case) in block.iter_mut().enumerate() {
                if k + start < col.values.len() && col.is_present(start + k) {
                    CaseBuilder::resume(engine, case).bad_key("closed_by");
                }
            }
        }
    }
}

/// The escalations of case `i`: its items of `escalation_level` and `escalation_at` (a
/// case with none carries an empty list).
fn escalations(engine: &Engine, level: &Column<'_>, at: &Column<'_>, i: usize, case: &mut Case) {
    let (a, z) = level.items(i);
    let ta = at.items(i).0;
    let mut b = CaseBuilder::resume(engine, case);
    b.escalations();
    for (n, k) in (a..z).enumerate() {
        let lvl = if level.is_present(k) {
            match level.values {
                ColumnValues::I64(v) => v.get(k).and_then(|&x| u32::try_from(x).ok()),
                ColumnValues::Index(v) => v.get(k).copied(),
                ColumnValues::F64(v) => v
                    .get(k)
                    .copied()
                    .filter(|x| *x >= 0.0 && *x <= f64::from(u32::MAX) && *x == (*x as u32) as f64)
                    .map(|x| x as u32),
                _ => None,
            }
        } else {
            None
        };
        let when = at.instant(ta + n);
        b.escalation_entry(lvl.zip(when));
    }
}

/// The roles of the closer of case `i` (items of `closed_by_roles`), kept when the case
/// has a closer.
fn closer_roles_of(engine: &Engine, roles: &Column<'_>, i: usize, case: &mut Case) {
    let (a, z) = roles.items(i);
    if a == z || case.qa.closed_by.is_none() {
        return;
    }
    let mut b = CaseBuilder::resume(engine, case);
    for k in a..z {
        match roles.values {
            _ if !roles.is_present(k) => b.bad_key("closed_by"),
            ColumnValues::Index(v) => b.closed_by_role_index(v.get(k).copied().unwrap_or(u32::MAX)),
            _ => b.closed_by_role(roles.text(k).unwrap_or("")),
        };
    }
}

/// A dependency given by index or name in item `k` of a list column (`None`: absent).
fn dependency<'a>(engine: &'a Engine, col: &Column<'a>, k: usize) -> Option<Result<&'a str, u32>> {
    if !col.is_present(k) {
        return None;
    }
    Some(match col.values {
        ColumnValues::Index(v) => {
            let i = v.get(k).copied().unwrap_or(u32::MAX);
            engine.clocks.dependencies.get(i as usize).map(String::as_str).ok_or(i)
        }
        _ => Ok(col.text(k).unwrap_or("")),
    })
}

/// Pauses `items` of case `i` (the lead column's items; `paused_to` and `paused_reason`
/// line up with them).
fn pauses(
    engine: &Engine,
    from: &Column<'_>,
    [to, reason]: [Option<&Column<'_>>; 2],
    i: usize,
    items: Range<usize>,
    case: &mut Case,
) {
    let mut b = CaseBuilder::resume(engine, case);
    let ta = to.map_or(0, |t| t.items(i).0);
    let ra = reason.map_or(0, |r| r.items(i).0);
    for (n, k) in items.enumerate() {
        let end = to.and_then(|t| t.instant(ta + n));
        // A reason given by an index past the declared dependencies names none of them
        // (`""` is never a dependency's name): `unknown_dependency`, as an unknown name.
        let why = reason.and_then(|r| dependency(engine, r, ra + n)).map(|d| d.unwrap_or(""));
        b.pause_reason(from.instant(k).unwrap_or(Instant::MIN), end, why);
    }
}

/// Waits `items` of case `i` (the `waiting_from` column's items; `waiting_to` and
/// `waiting_on` line up with them).
fn waits(
    engine: &Engine,
    from: &Column<'_>,
    [to, on]: [Option<&Column<'_>>; 2],
    i: usize,
    items: Range<usize>,
    case: &mut Case,
) {
    let (ta, oa) = (to.map_or(0, |t| t.items(i).0), on.map_or(0, |o| o.items(i).0));
    for (n, k) in items.enumerate() {
        let end = to.and_then(|t| t.instant(ta + n));
        let start = from.instant(k).unwrap_or(Instant::MIN);
        match on.and_then(|o| dependency(engine, o, oa + n)) {
            Some(Ok(name)) => CaseBuilder::resume(engine, case).waiting(start, end, name),
            Some(Err(i)) => CaseBuilder::resume(engine, case).waiting_index(start, end, i),
            // A wait on nothing is the wrong shape, as in JSON.
            None => CaseBuilder::resume(engine, case).bad_waiting(),
        };
    }
}

/// Approvals given, `items` of case `i` (the `approval_by` column's items; role and time
/// line up with them).
fn approvals(
    engine: &Engine,
    by: &Column<'_>,
    role: &Column<'_>,
    at: Option<&Column<'_>>,
    i: usize,
    items: Range<usize>,
    case: &mut Case,
) {
    let mut b = CaseBuilder::resume(engine, case);
    let (ra, aa) = (role.items(i).0, at.map_or(0, |t| t.items(i).0));
    for (n, k) in items.enumerate() {
        let r = ra + n;
        // An approval without its role or approver is the wrong shape, as in JSON.
        let Some(who) = by.text(k).filter(|_| role.is_present(r)) else {
            b.malformed_approval();
            continue;
        };
        let when = at.and_then(|t| t.instant(aa + n));
        match role.values {
            ColumnValues::Index(v) => b.approval_index(v.get(r).copied().unwrap_or(u32::MAX), who, when),
            _ => b.approval(role.text(r).unwrap_or(""), who, when),
        };
    }
}

#[cfg(test)]
mod tests {
    use super::instant;
    use crate::time::Instant;

    #[test]
    fn numbers_read_as_instants_are_floored_seconds() {
        // Seconds with a fraction floor towards the past, before the epoch too; beyond
        // JavaScript's Date range (±8.64e12 s) or not finite: malformed (Instant::MIN).
        let cases: [(f64, Instant); 9] = [
            (1_795_428_000.0, 1_795_428_000),
            (1_795_428_000.999, 1_795_428_000),
            (0.5, 0),
            (-0.5, -1),
            (-2.0, -2),
            (-2.25, -3),
            (8.64e12, 8_640_000_000_000),
            (8.64e12 + 1.0, Instant::MIN),
            (f64::NAN, Instant::MIN),
        ];
        for (x, want) in cases {
            assert_eq!(instant(x), want, "{x}");
        }
        assert_eq!(instant(f64::NEG_INFINITY), Instant::MIN);
    }
}
