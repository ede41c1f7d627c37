//! Outcomes as an Arrow record batch: one row a case, in input order.
//!
//! | column | type | null when |
//! |---|---|---|
//! | `id` | `string` | the case had no usable id |
//! | `queue`, `owner`, `priority` | `dictionary<int32, string>` | unusable, not yet open, unrouted |
//! | `<metric>_state` | `dictionary<int8, string>` (`ok`, `warning`, `breached`, `paused`, `met`, `missed`) | the case has no target for the metric |
//! | `<metric>_due` | `timestamp[s, UTC]` | as above, or no due instant (see the outcome's `due`) |
//! | `<metric>_elapsed_s`, `<metric>_remaining_s` | `int64` (business seconds; remaining may be negative) | as `_state` |
//! | `band` | `dictionary<int32, string>` | the case is not open |
//! | `next_change_at` | `timestamp[s, UTC]` | not open, or nothing scheduled |
//! | `approvals_remaining` | `list<string>` | the outcome has no `approvals` |
//! | `issues` | `list<struct<code, field, detail, reason: string>>` | unusable or not yet open |
//! | `error` | `string` (the code: `missing_id`, `bad_json`, ...) | the case is usable |
//! | `not_yet_open` | `bool` | never |
//!
//! Names come from the policy as dictionaries, so a row writes small integers, not text.

use crate::error::{Failure, Result};
use arrow_array::builder::{BooleanBuilder, ListBuilder, StringBuilder};
use arrow_array::types::{ArrowPrimitiveType, Int8Type, Int32Type, Int64Type, TimestampSecondType};
use arrow_array::{ArrayRef, DictionaryArray, ListArray, PrimitiveArray, RecordBatch, StringArray, StructArray};
use arrow_buffer::{NullBuffer, OffsetBuffer, ScalarBuffer};
use arrow_schema::{DataType, Field, Fields, Schema, SchemaRef, TimeUnit};
use docket_core::{Engine, IssueField, Outcome, SlaState};
use std::fmt::Write;
use std::sync::Arc;

/// The six clock states, in the order of the `<metric>_state` dictionaries.
const STATES: [SlaState; 6] =
    [SlaState::Ok, SlaState::Warning, SlaState::Breached, SlaState::Paused, SlaState::Met, SlaState::Missed];

fn state_index(s: SlaState) -> i8 {
    match s {
        SlaState::Ok => 0,
        SlaState::Warning => 1,
        SlaState::Breached => 2,
        SlaState::Paused => 3,
        SlaState::Met => 4,
        SlaState::Missed => 5,
    }
}

/// What every batch of one engine shares: the schema and the dictionaries' values.
pub(crate) struct Layout {
    pub(crate) schema: SchemaRef,
    queues: ArrayRef,
    owners: ArrayRef,
    /// Each queue's index into `owners` (owners are named once each).
    owner_of: Vec<i32>,
    priorities: ArrayRef,
    bands: ArrayRef,
    states: ArrayRef,
    metrics: usize,
    /// How many names each dictionary has (queues, owners, priorities, bands).
    counts: [usize; 4],
    issue_fields: Fields,
    role_names: Vec<String>,
}

fn dict(key: DataType) -> DataType {
    DataType::Dictionary(Box::new(key), Box::new(DataType::Utf8))
}

fn instant() -> DataType {
    DataType::Timestamp(TimeUnit::Second, Some("UTC".into()))
}

fn strings<'a>(names: impl Iterator<Item = &'a str>) -> ArrayRef {
    Arc::new(StringArray::from_iter_values(names))
}

impl Layout {
    pub(crate) fn new(engine: &Engine) -> Layout {
        let mut owners: Vec<&str> = Vec::new();
        let owner_of = engine
            .owners()
            .map(|o| {
                let i = owners.iter().position(|x| *x == o).unwrap_or_else(|| {
                    owners.push(o);
                    owners.len() - 1
                });
                i32::try_from(i).unwrap_or(i32::MAX)
            })
            .collect();
        let issue_fields: Fields = ["code", "field", "detail", "reason"]
            .into_iter()
            .map(|n| Field::new(n, DataType::Utf8, n != "code" && n != "detail"))
            .collect();
        let mut fields = vec![
            Field::new("id", DataType::Utf8, true),
            Field::new("queue", dict(DataType::Int32), true),
            Field::new("owner", dict(DataType::Int32), true),
            Field::new("priority", dict(DataType::Int32), true),
        ];
        for m in engine.metrics() {
            fields.push(Field::new(format!("{m}_state"), dict(DataType::Int8), true));
            fields.push(Field::new(format!("{m}_due"), instant(), true));
            fields.push(Field::new(format!("{m}_elapsed_s"), DataType::Int64, true));
            fields.push(Field::new(format!("{m}_remaining_s"), DataType::Int64, true));
        }
        fields.push(Field::new("band", dict(DataType::Int32), true));
        fields.push(Field::new("next_change_at", instant(), true));
        fields.push(Field::new(
            "approvals_remaining",
            DataType::List(Arc::new(Field::new("item", DataType::Utf8, true))),
            true,
        ));
        fields.push(Field::new(
            "issues",
            DataType::List(Arc::new(Field::new("item", DataType::Struct(issue_fields.clone()), true))),
            true,
        ));
        fields.push(Field::new("error", DataType::Utf8, true));
        fields.push(Field::new("not_yet_open", DataType::Boolean, false));
        let counts = [engine.queues().count(), owners.len(), engine.priorities().len(), engine.bands().count()];
        Layout {
            counts,
            schema: Arc::new(Schema::new(fields)),
            queues: strings(engine.queues()),
            owners: strings(owners.into_iter()),
            owner_of,
            priorities: strings(engine.priorities().iter().map(String::as_str)),
            bands: strings(engine.bands()),
            states: strings(STATES.iter().map(|s| s.as_str())),
            metrics: engine.metrics().count(),
            issue_fields,
            role_names: engine.roles().map(str::to_owned).collect(),
        }
    }
}

/// A primitive column being written: values and validity side by side, allocated for
/// the whole batch at once and written row by row.
struct Col<T> {
    values: Vec<T>,
    valid: Vec<bool>,
}

impl<T: Copy + Default + arrow_buffer::ArrowNativeType> Col<T> {
    fn new(n: usize) -> Col<T> {
        Col { values: vec![T::default(); n], valid: vec![false; n] }
    }

    /// Row `i`'s value (rows past the batch are ignored).
    #[inline(always)]
    fn set(&mut self, i: usize, x: Option<T>) {
        if let (Some(v), Some(ok)) = (self.values.get_mut(i), self.valid.get_mut(i)) {
            *v = x.unwrap_or_default();
            *ok = x.is_some();
        }
    }

    fn finish<P: ArrowPrimitiveType<Native = T>>(&mut self) -> Result<PrimitiveArray<P>> {
        let values = ScalarBuffer::from(std::mem::take(&mut self.values));
        let valid = std::mem::take(&mut self.valid);
        // Every row not set (none, as every row is) is null too.
        let nulls = valid.contains(&false).then(|| NullBuffer::from(valid));
        PrimitiveArray::try_new(values, nulls).map_err(|e| Failure::Internal(format!("cannot build a column: {e}")))
    }
}

/// Keys into a dictionary of `len` names: an index past them would be no key.
fn key(i: Option<u32>, len: usize) -> Option<i32> {
    i.filter(|&i| (i as usize) < len).and_then(|i| i32::try_from(i).ok())
}

/// A dictionary column from keys every one of which [`key`] checked against `values`.
fn dictionary<K: arrow_array::types::ArrowDictionaryKeyType>(keys: PrimitiveArray<K>, values: &ArrayRef) -> ArrayRef {
    // SAFETY: `try_new` fails only for a key that is negative or not below the number of
    // values, or for a key type that is not an integer; every key written here passed
    // `key` (or `state_index`, below 6 = `STATES.len()`) against these very values, and
    // the key types are Int32 and Int8.
    Arc::new(unsafe { DictionaryArray::new_unchecked(keys, values.clone()) })
}

/// The columns of one batch of outcomes, being written.
pub(crate) struct Out {
    id: StringBuilder,
    queue: Col<i32>,
    owner: Col<i32>,
    priority: Col<i32>,
    state: Vec<Col<i8>>,
    due: Vec<Col<i64>>,
    elapsed: Vec<Col<i64>>,
    remaining: Vec<Col<i64>>,
    band: Col<i32>,
    next: Col<i64>,
    roles: ListBuilder<StringBuilder>,
    issue_offsets: Vec<i32>,
    issue_valid: Vec<bool>,
    code: StringBuilder,
    field: StringBuilder,
    detail: StringBuilder,
    reason: StringBuilder,
    error: StringBuilder,
    not_yet_open: BooleanBuilder,
    /// Rows written.
    row: usize,
}

impl Out {
    pub(crate) fn new(layout: &Layout, n: usize) -> Out {
        let m = layout.metrics;
        Out {
            id: StringBuilder::with_capacity(n, n * 12),
            queue: Col::new(n),
            owner: Col::new(n),
            priority: Col::new(n),
            state: (0..m).map(|_| Col::new(n)).collect(),
            due: (0..m).map(|_| Col::new(n)).collect(),
            elapsed: (0..m).map(|_| Col::new(n)).collect(),
            remaining: (0..m).map(|_| Col::new(n)).collect(),
            band: Col::new(n),
            next: Col::new(n),
            roles: ListBuilder::with_capacity(StringBuilder::new(), n),
            issue_offsets: {
                let mut v = Vec::with_capacity(n + 1);
                v.push(0);
                v
            },
            issue_valid: Vec::with_capacity(n),
            // About a third of the generated cases have one issue: room for that.
            code: StringBuilder::with_capacity(n / 2, n * 8),
            field: StringBuilder::with_capacity(n / 2, n * 6),
            detail: StringBuilder::with_capacity(n / 2, n * 32),
            reason: StringBuilder::with_capacity(n / 2, n * 6),
            error: StringBuilder::new(),
            not_yet_open: BooleanBuilder::with_capacity(n),
            row: 0,
        }
    }

    /// Appends one outcome.
    pub(crate) fn push(&mut self, layout: &Layout, engine: &Engine, o: &Outcome) {
        let i = self.row;
        self.row += 1;
        self.id.append_option(o.id());
        let usable = o.error().is_none() && !o.not_yet_open();
        let [queues, owners, priorities, bands] = layout.counts;
        let queue = key(o.queue_index().filter(|_| usable), queues);
        self.queue.set(i, queue);
        let owner = queue.and_then(|q| layout.owner_of.get(q as usize).copied());
        self.owner.set(i, owner.filter(|&w| (w as usize) < owners));
        self.priority.set(i, key(o.priority_index().filter(|_| usable), priorities));
        let sla = o.sla();
        for k in 0..layout.metrics {
            let mo = sla.get(k).and_then(Option::as_ref).filter(|_| usable);
            if let (Some(s), Some(d), Some(e), Some(r)) =
                (self.state.get_mut(k), self.due.get_mut(k), self.elapsed.get_mut(k), self.remaining.get_mut(k))
            {
                s.set(i, mo.map(|m| state_index(m.state)));
                d.set(i, mo.and_then(|m| m.due));
                e.set(i, mo.map(|m| m.elapsed_s));
                r.set(i, mo.map(|m| m.remaining_s()));
            }
        }
        let open = usable && o.is_open();
        self.band.set(i, key(o.band_index().filter(|_| open), bands));
        self.next.set(i, o.next_change_at().filter(|_| open));
        if usable && o.has_approvals() {
            for st in o.steps().iter().filter(|st| o.done_by(st).is_none()) {
                self.roles.values().append_value(layout.role_names.get(st.role as usize).map_or("", String::as_str));
            }
            self.roles.append(true);
        } else {
            self.roles.append(false);
        }
        if usable {
            for issue in o.issues() {
                self.code.append_value(issue.code.as_str());
                // Written straight into the columns' text (`append_value("")` ends a value).
                match engine.issue_field(o, issue) {
                    // The usual forms without the formatting machinery.
                    Some(IssueField::Name(n)) => self.field.append_value(n),
                    Some(IssueField::Approval(k)) => {
                        self.field.write_str("approvals/").ok();
                        self.field.write_str(itoa::Buffer::new().format(k)).ok();
                        self.field.append_value("");
                    }
                    Some(f) => {
                        let _ = write!(self.field, "{f}");
                        self.field.append_value("");
                    }
                    None => self.field.append_null(),
                }
                let _ = engine.issue_detail(o, issue, &mut self.detail);
                self.detail.append_value("");
                self.reason.append_option(issue.reason());
            }
        }
        let last = self.issue_offsets.last().copied().unwrap_or(0);
        let n = if usable { o.issues().len() } else { 0 };
        self.issue_offsets.push(last.saturating_add(i32::try_from(n).unwrap_or(i32::MAX)));
        self.issue_valid.push(usable);
        self.error.append_option(o.error().map(|e| e.code()));
        self.not_yet_open.append_value(o.not_yet_open());
    }

    /// The batch.
    pub(crate) fn finish(mut self, layout: &Layout) -> Result<RecordBatch> {
        let fail = |e: arrow_schema::ArrowError| Failure::Internal(format!("cannot build the outcome table: {e}"));
        let dict32 = |keys: &mut Col<i32>, values: &ArrayRef| -> Result<ArrayRef> {
            Ok(dictionary(keys.finish::<Int32Type>()?, values))
        };
        let mut cols: Vec<ArrayRef> = vec![
            Arc::new(self.id.finish()),
            dict32(&mut self.queue, &layout.queues)?,
            dict32(&mut self.owner, &layout.owners)?,
            dict32(&mut self.priority, &layout.priorities)?,
        ];
        for (((s, d), e), r) in
            self.state.iter_mut().zip(self.due.iter_mut()).zip(self.elapsed.iter_mut()).zip(self.remaining.iter_mut())
        {
            cols.push(dictionary(s.finish::<Int8Type>()?, &layout.states));
            cols.push(Arc::new(d.finish::<TimestampSecondType>()?.with_timezone("UTC")));
            cols.push(Arc::new(e.finish::<Int64Type>()?));
            cols.push(Arc::new(r.finish::<Int64Type>()?));
        }
        cols.push(dict32(&mut self.band, &layout.bands)?);
        cols.push(Arc::new(self.next.finish::<TimestampSecondType>()?.with_timezone("UTC")));
        cols.push(Arc::new(self.roles.finish()));
        let issues = StructArray::try_new(
            layout.issue_fields.clone(),
            vec![
                Arc::new(self.code.finish()),
                Arc::new(self.field.finish()),
                Arc::new(self.detail.finish()),
                Arc::new(self.reason.finish()),
            ],
            None,
        )
        .map_err(fail)?;
        let item = Arc::new(Field::new("item", DataType::Struct(layout.issue_fields.clone()), true));
        let offsets = OffsetBuffer::new(ScalarBuffer::from(self.issue_offsets));
        let valid = arrow_buffer::NullBuffer::from(self.issue_valid);
        cols.push(Arc::new(ListArray::try_new(item, offsets, Arc::new(issues), Some(valid)).map_err(fail)?));
        cols.push(Arc::new(self.error.finish()));
        cols.push(Arc::new(self.not_yet_open.finish()));
        RecordBatch::try_new(layout.schema.clone(), cols).map_err(fail)
    }
}
