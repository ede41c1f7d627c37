//! The columnar form, for hosts that hold tens of thousands of cases.
//!
//! Input (`ColumnarCases`): `{ length, strings, columns, offsets? }`, one typed array per
//! case key, every array at least `length` long:
//!
//! | array | meaning of entry `i` | absent |
//! |---|---|---|
//! | `Int32Array` | `strings[v]`; for `paused`, `waiting`, `approvals`, `evidence` the list as JSON text | `-1` (any negative) |
//! | `Float64Array` | a number; for `opened_at`, `closed_at`, `<metric>_at` and timestamp fields, epoch **seconds** | `NaN` |
//! | `Uint8Array` | a bool: `0` false, `1` true | any other value |
//!
//! Lists may instead be given as typed list columns, one entry per item, case `i` owning
//! items `offsets.<group>[i]..offsets.<group>[i + 1]`: `paused_from` and `paused_to`
//! (group `paused`, `Float64Array` seconds) and `paused_reason` (`Int32Array` string
//! indexes), `waiting_from` and `waiting_to` (`Float64Array` seconds) and `waiting_on`
//! (`Int32Array`) (group `waiting`), `approval_role`, `approval_by` (`Int32Array`
//! string indexes) and `approval_at` (`Float64Array` seconds) (group `approvals`),
//! `evidence` (`Int32Array`) with `offsets.evidence`, and for QA `closed_by_roles`
//! (`Int32Array`, the roles of the scalar column `closed_by_id`; group `closed_by`) and
//! `escalation_level` and `escalation_at` (`Float64Array`; group `escalations`: with it,
//! every case carries `escalations`, its items or none).
//!
//! Money may come as scaled whole numbers: `scales: { amount: 2 }` reads the
//! `Float64Array` `columns.amount` in hundredths (`125000` is `1250.00`), exact and without
//! decimal text. Every present entry must then be a whole number within
//! `Number.MAX_SAFE_INTEGER`; scales run from 0 to 18.
//!
//! The batch is read in two steps. [`Batch::read`] copies the typed arrays out of JS
//! memory and checks the batch's shape (array types and lengths, string indexes,
//! offsets, list groups); it is the only step that touches JS values (a host getter may
//! throw there). [`evaluate`] then maps every array to a core [`Column`] once per call
//! (string indexes to the strings they name, enum values resolved once per distinct
//! string, `NaN`, negative indexes and non-bool bytes to presence masks) and runs the
//! core's columnar batch path ([`Engine::evaluate_columns`]), which sets blocks of cases
//! column by column; each outcome is written straight into the result arrays. A row
//! decodes exactly like the same case as an object. Output (`ColumnarOutcomes`): typed
//! arrays of indexes into name tables (`-1` = none), SLA clocks per metric (with the cause
//! of a miss and the time waited on each dependency), counts of issues and approval
//! steps, the next instant each case changes.

use crate::error::{Failure, set};
use docket_core::FieldType;
use docket_core::{Cause, Column, ColumnError, ColumnTarget, ColumnValues, ColumnWorkspace, Engine, Outcome, SlaState};
use js_sys::{Array, Float64Array, Int8Array, Int32Array, Object, Reflect, Uint8Array, Uint32Array};
use std::collections::{BTreeMap, BTreeSet};
use wasm_bindgen::{JsCast, JsValue};

/// SLA states in the order of `names.states`.
const STATES: [SlaState; 6] =
    [SlaState::Met, SlaState::Missed, SlaState::Ok, SlaState::Warning, SlaState::Breached, SlaState::Paused];

/// The largest whole number a JS number holds exactly (`Number.MAX_SAFE_INTEGER`).
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// A typed list column group, with its member of `offsets`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Group {
    Paused = 0,
    Approvals = 1,
    Evidence = 2,
    Waiting = 3,
    ClosedBy = 4,
    Escalations = 5,
}

/// How many typed list groups there are.
const GROUPS: usize = 6;

impl Group {
    const ALL: [Group; GROUPS] =
        [Group::Paused, Group::Approvals, Group::Evidence, Group::Waiting, Group::ClosedBy, Group::Escalations];

    fn name(self) -> &'static str {
        match self {
            Group::Paused => "paused",
            Group::Approvals => "approvals",
            Group::Evidence => "evidence",
            Group::Waiting => "waiting",
            Group::ClosedBy => "closed_by",
            Group::Escalations => "escalations",
        }
    }
}

/// A typed array copied out of JS memory (only the entries the batch uses).
enum Raw {
    Str(Vec<i32>),
    Num(Vec<f64>),
    Bool(Vec<u8>),
}

/// One column of the batch as given.
struct RawColumn {
    /// Its key in `columns`.
    key: String,
    /// What it sets.
    target: ColumnTarget,
    /// For typed list columns, the group whose offsets it follows.
    group: Option<Group>,
    raw: Raw,
    /// For a money column given in `scales`: its entries are units of 10^-scale.
    scale: Option<u32>,
}

/// A columnar batch copied out of JS memory, its shape checked.
pub(crate) struct Batch {
    len: usize,
    strings: Strings,
    /// Offsets of the typed list groups, indexed by [`Group`].
    offsets: [Option<Vec<usize>>; GROUPS],
    columns: Vec<RawColumn>,
}

/// The string table: every string's UTF-8 in one buffer, string `i` ending at `ends[i]`.
#[derive(Default)]
struct Strings {
    text: String,
    ends: Vec<usize>,
}

impl Strings {
    fn len(&self) -> usize {
        self.ends.len()
    }

    /// Every string as a slice of the buffer, in table order.
    fn table(&self) -> Vec<&str> {
        let mut start = 0;
        self.ends
            .iter()
            .map(|&end| {
                // Every end is a checked char boundary at or after the previous one.
                let s = self.text.get(start..end).unwrap_or("");
                start = end;
                s
            })
            .collect()
    }

    /// `strings` as an array of strings, or packed: `{ bytes: Uint8Array, offsets:
    /// Uint32Array }`, string `i` being the UTF-8 `bytes[offsets[i]..offsets[i + 1]]`
    /// (one copy for the whole table instead of one conversion per string).
    fn read(v: &JsValue) -> Result<Strings, Failure> {
        let mut out = Strings::default();
        if v.is_undefined() {
            return Ok(out);
        }
        if Array::is_array(v) {
            let arr: &Array = v.unchecked_ref();
            for (i, s) in arr.iter().enumerate() {
                let s = s.as_string().ok_or_else(|| {
                    Failure::argument(format!("strings[{i}]"), format!("`strings[{i}]` is not a string"))
                })?;
                out.text.push_str(&s);
                out.ends.push(out.text.len());
            }
            // A lone UTF-16 surrogate arrives as U+FFFD: one scan of the whole table, and
            // only a table holding U+FFFD looks at its strings (a real U+FFFD is fine).
            if out.text.contains('\u{FFFD}') {
                let table = out.table();
                if let Some(i) = (0..arr.length())
                    .find(|&i| table.get(i as usize).is_some_and(|s| !crate::read::faithful(s, &arr.get(i))))
                {
                    return Err(Failure::argument(
                        format!("strings[{i}]"),
                        format!("`strings[{i}]` is not valid Unicode: it holds a lone UTF-16 surrogate"),
                    ));
                }
            }
            return Ok(out);
        }
        let shape = "`strings` must be an array of strings or { bytes: Uint8Array, offsets: Uint32Array }";
        if !v.is_object() {
            return Err(Failure::argument("strings", shape));
        }
        let bytes = get(v, "bytes", "strings.bytes")?
            .dyn_into::<Uint8Array>()
            .map_err(|_| Failure::argument("strings.bytes", shape))?;
        let offsets = get(v, "offsets", "strings.offsets")?
            .dyn_into::<Uint32Array>()
            .map_err(|_| Failure::argument("strings.offsets", shape))?;
        out.text = String::from_utf8(bytes.to_vec()).map_err(|e| {
            Failure::argument(
                "strings.bytes",
                format!("`strings.bytes` is not valid UTF-8 at byte {}", e.utf8_error().valid_up_to()),
            )
        })?;
        let offsets = offsets.to_vec();
        let mut prev = offsets.first().copied().unwrap_or(0) as usize;
        if prev != 0 {
            return Err(Failure::argument("strings.offsets[0]", "`strings.offsets` must start at 0"));
        }
        for (i, &o) in offsets.iter().enumerate().skip(1) {
            let o = o as usize;
            if o < prev || o > out.text.len() || !out.text.is_char_boundary(o) {
                return Err(Failure::argument(
                    format!("strings.offsets[{i}]"),
                    format!(
                        "`strings.offsets[{i}]` = {o} is not a UTF-8 boundary in `strings.bytes` at or after offsets[{}]",
                        i - 1
                    ),
                ));
            }
            out.ends.push(o);
            prev = o;
        }
        Ok(out)
    }
}

/// `obj[key]`; `at` is its path in the argument, for the error.
fn get(obj: &JsValue, key: &str, at: &str) -> Result<JsValue, Failure> {
    Reflect::get(obj, &JsValue::from_str(key)).map_err(|_| Failure::argument(at, format!("cannot read `{at}`")))
}

/// `offsets` (absent = no typed list columns): per group, `length + 1` non-decreasing
/// entries.
fn read_offsets(v: &JsValue, len: usize) -> Result<[Option<Vec<usize>>; GROUPS], Failure> {
    let mut out: [Option<Vec<usize>>; GROUPS] = [None, None, None, None, None, None];
    if v.is_undefined() || v.is_null() {
        return Ok(out);
    }
    if !v.is_object() {
        return Err(Failure::argument(
            "offsets",
            "`offsets` must be an object { paused?, waiting?, approvals?, evidence?, closed_by?, escalations? } of Uint32Array",
        ));
    }
    for (g, slot) in Group::ALL.into_iter().zip(out.iter_mut()) {
        let name = g.name();
        let at = format!("offsets.{name}");
        let a = get(v, name, &at)?;
        if a.is_undefined() {
            continue;
        }
        let a = a.dyn_into::<Uint32Array>().map_err(|_| {
            Failure::argument(&at, format!("`offsets.{name}` must be a Uint32Array of `length` + 1 entries"))
        })?;
        let o: Vec<usize> = a.to_vec().into_iter().map(|x| x as usize).collect();
        check_offsets(name, &o, len)?;
        *slot = Some(o);
    }
    Ok(out)
}

/// Offsets of one group: `len + 1` entries that never decrease.
fn check_offsets(name: &str, o: &[usize], len: usize) -> Result<(), Failure> {
    if o.len() != len + 1 {
        return Err(Failure::argument(
            format!("offsets.{name}"),
            format!("`offsets.{name}` has {} entries; it needs `length` + 1 = {}", o.len(), len + 1),
        ));
    }
    if let Some((i, w)) = o.windows(2).enumerate().find(|(_, w)| w.first() > w.get(1)) {
        let (a, b) = (w.first().copied().unwrap_or(0), w.get(1).copied().unwrap_or(0));
        return Err(Failure::argument(
            format!("offsets.{name}"),
            format!(
                "`offsets.{name}[{}]` = {b} is less than `offsets.{name}[{i}]` = {a}: offsets must not decrease",
                i + 1
            ),
        ));
    }
    Ok(())
}

/// The typed list group a column's items follow, if it is a typed list column.
fn group_of(target: ColumnTarget, evidence_items: bool) -> Option<Group> {
    use ColumnTarget as T;
    match target {
        T::PausedFrom | T::PausedTo | T::PausedReason => Some(Group::Paused),
        T::WaitingFrom | T::WaitingTo | T::WaitingOn => Some(Group::Waiting),
        T::ApprovalRole | T::ApprovalBy | T::ApprovalAt => Some(Group::Approvals),
        T::Evidence if evidence_items => Some(Group::Evidence),
        T::ClosedByRoles => Some(Group::ClosedBy),
        T::EscalationLevel | T::EscalationAt => Some(Group::Escalations),
        _ => None,
    }
}

/// The array type a typed list column takes, for its error message.
fn list_array(target: ColumnTarget) -> (bool, &'static str) {
    use ColumnTarget as T;
    match target {
        T::PausedFrom | T::PausedTo | T::WaitingFrom | T::WaitingTo | T::ApprovalAt | T::EscalationAt => {
            (true, "a Float64Array (epoch seconds, NaN = absent)")
        }
        T::EscalationLevel => (true, "a Float64Array (whole numbers from 1)"),
        _ => (false, "an Int32Array (string indexes)"),
    }
}

impl Batch {
    /// Reads and validates `{ length, strings, columns, offsets? }`.
    pub(crate) fn read(engine: &Engine, batch: &JsValue) -> Result<Batch, Failure> {
        if !batch.is_object() {
            return Err(Failure::argument(
                "batch",
                "the columnar batch must be an object { length, strings, columns }",
            ));
        }
        let max = engine.limits().max_cases_per_call;
        let len =
            get(batch, "length", "length")?.as_f64().filter(|n| n.fract() == 0.0 && *n >= 0.0).ok_or_else(|| {
                Failure::argument("length", format!("`length` must be a whole number of cases from 0 to {max}"))
            })?;
        if len > max as f64 {
            return Err(Failure::limit("length", format!("`length` is {len} cases; the limit is {max}")));
        }
        let len = len as usize;
        let strings = Strings::read(&get(batch, "strings", "strings")?)?;
        let cols_v = get(batch, "columns", "columns")?;
        if !cols_v.is_object() {
            return Err(Failure::argument("columns", "`columns` must be an object of typed arrays"));
        }
        let offsets = read_offsets(&get(batch, "offsets", "offsets")?, len)?;
        let scales = read_scales(&get(batch, "scales", "scales")?)?;
        // With `offsets.evidence`, `columns.evidence` holds items; without, JSON text per case.
        let [_, _, evidence_offsets, ..] = &offsets;
        let evidence_items = evidence_offsets.is_some();
        let cols_obj: &Object = cols_v.unchecked_ref();
        let mut columns = Vec::new();
        for entry in Object::entries(cols_obj).iter() {
            let entry: Array = entry.unchecked_into();
            let key = entry.get(0).as_string().unwrap_or_default();
            let v = entry.get(1);
            let target = engine.column_target(&key);
            let group = target.and_then(|t| group_of(t, evidence_items));
            // Entries the batch uses: `length`, or the items the group's offsets end at.
            let need = match group {
                None => len,
                Some(g) => match offsets.get(g as usize).and_then(Option::as_ref) {
                    Some(o) => o.last().copied().unwrap_or(0),
                    None => {
                        return Err(Failure::argument(
                            format!("offsets.{}", g.name()),
                            format!("column `{key}` is a list column: its items need `offsets.{}`", g.name()),
                        ));
                    }
                },
            };
            let what = if group.is_some() { "item" } else { "row" };
            let short = |n: usize| match group {
                None => format!("column `{key}` has {n} entries; `length` is {len}"),
                Some(g) => format!("column `{key}` has {n} items; `offsets.{}` ends at {need}", g.name()),
            };
            let at = column_path(&key);
            let raw = if let Some(a) = v.dyn_ref::<Int32Array>() {
                Raw::Str(prefix(a.length(), need, &at, &short, |n| a.subarray(0, n).to_vec())?)
            } else if let Some(a) = v.dyn_ref::<Float64Array>() {
                Raw::Num(prefix(a.length(), need, &at, &short, |n| a.subarray(0, n).to_vec())?)
            } else if let Some(a) = v.dyn_ref::<Uint8Array>() {
                Raw::Bool(prefix(a.length(), need, &at, &short, |n| a.subarray(0, n).to_vec())?)
            } else {
                return Err(Failure::argument(
                    &at,
                    format!(
                        "column `{key}` must be an Int32Array (string indexes), a Float64Array or a Uint8Array (bools)"
                    ),
                ));
            };
            if let (Some(t), Some(_)) = (target, group) {
                let (numbers, want) = list_array(t);
                let fits = match raw {
                    Raw::Num(_) => numbers,
                    Raw::Str(_) => !numbers,
                    Raw::Bool(_) => false,
                };
                if !fits {
                    return Err(Failure::argument(&at, format!("list column `{key}` must be {want}")));
                }
            }
            // Negative = absent; an index must name a string. One pass without an early exit
            // decides (it vectorizes); only a bad column looks for its first bad entry.
            let outside = |x: i32| x >= 0 && x as usize >= strings.len();
            if let Raw::Str(d) = &raw
                && d.iter().fold(false, |any, &x| any | outside(x))
                && let Some((k, bad)) = d.iter().enumerate().find(|(_, x)| outside(**x))
            {
                return Err(Failure::argument(
                    &at,
                    format!(
                        "column `{key}` {what} {k}: string index {bad} is outside `strings` ({} entries)",
                        strings.len()
                    ),
                ));
            }
            let scale = scales.get(&key).copied();
            if let Some(s) = scale {
                check_scaled(engine, &key, target, &raw, s)?;
            }
            // Keys the policy does not know are checked like the others, then ignored.
            let Some(target) = target else { continue };
            columns.push(RawColumn { key, target, group, raw, scale });
        }
        // A scale for a key no column has: an error (a typo would otherwise go unnoticed).
        if columns.iter().filter(|c| c.scale.is_some()).count() < scales.len() {
            let keys: BTreeSet<&str> = columns.iter().map(|c| c.key.as_str()).collect();
            if let Some(key) = scales.keys().find(|k| !keys.contains(k.as_str())) {
                return Err(Failure::argument(
                    format!("scales.{key}"),
                    format!("`scales.{key}`: the batch has no money column `{key}`"),
                ));
            }
        }
        check_groups(&columns, &offsets)?;
        Ok(Batch { len, strings, offsets, columns })
    }
}

/// Most digits after the point a scaled money column may carry (as in the C API).
const MAX_SCALE: u32 = 18;

/// `scales` (absent = none): `{ key: scale }`, each scale a whole number from 0 to
/// [`MAX_SCALE`]; a map, so that a batch of many columns and many scales is checked in
/// n log n, not n².
fn read_scales(v: &JsValue) -> Result<BTreeMap<String, u32>, Failure> {
    if v.is_undefined() || v.is_null() {
        return Ok(BTreeMap::new());
    }
    if !v.is_object() {
        return Err(Failure::argument(
            "scales",
            "`scales` must be an object { <money column>: <digits after the point> }",
        ));
    }
    let mut out = BTreeMap::new();
    for entry in Object::entries(v.unchecked_ref()).iter() {
        let entry: Array = entry.unchecked_into();
        let key = entry.get(0).as_string().unwrap_or_default();
        let scale = entry.get(1).as_f64().filter(|s| s.fract() == 0.0 && (0.0..=f64::from(MAX_SCALE)).contains(s));
        let Some(scale) = scale else {
            return Err(Failure::argument(
                format!("scales.{key}"),
                format!("`scales.{key}` must be a whole number from 0 to {MAX_SCALE}"),
            ));
        };
        out.insert(key, scale as u32);
    }
    Ok(out)
}

/// A column given a scale: a `Float64Array` for a money field, every present entry
/// (not `NaN`) a whole number within `Number.MAX_SAFE_INTEGER`.
fn check_scaled(
    engine: &Engine,
    key: &str,
    target: Option<ColumnTarget>,
    raw: &Raw,
    scale: u32,
) -> Result<(), Failure> {
    let money = matches!(target, Some(ColumnTarget::Field(s)) if engine.field_type(s) == Some(FieldType::Money));
    let Raw::Num(v) = raw else {
        return Err(Failure::argument(
            format!("scales.{key}"),
            format!("`scales.{key}`: column `{key}` must be a Float64Array of scaled whole numbers"),
        ));
    };
    if !money {
        return Err(Failure::argument(
            format!("scales.{key}"),
            format!("`scales.{key}`: `{key}` is not a money field"),
        ));
    }
    // One pass without an early exit decides (it vectorizes); only a bad column looks for
    // its first bad row.
    if all_whole(v) {
        return Ok(());
    }
    match v.iter().position(|&x| !whole_or_absent(x)) {
        Some(k) => Err(Failure::argument(
            column_path(key),
            format!(
                "column `{key}` row {k}: {} is not a whole number of 10^-{scale} units within Number.MAX_SAFE_INTEGER",
                v.get(k).copied().unwrap_or(f64::NAN)
            ),
        )),
        None => Ok(()),
    }
}

/// The first `need` entries of a typed array of `n` entries, or the `short` error at `at`.
fn prefix<T>(
    n: u32,
    need: usize,
    at: &str,
    short: &dyn Fn(usize) -> String,
    copy: impl FnOnce(u32) -> Vec<T>,
) -> Result<Vec<T>, Failure> {
    match u32::try_from(need) {
        Ok(k) if k <= n => Ok(copy(k)),
        _ => Err(Failure::argument(at, short(n as usize))),
    }
}

/// Typed list groups: every member with its lead, offsets only with a column that uses
/// them, a list given once (as JSON text or as typed columns, not both).
fn check_groups(columns: &[RawColumn], offsets: &[Option<Vec<usize>>; GROUPS]) -> Result<(), Failure> {
    use ColumnTarget as T;
    let has = |t: ColumnTarget| columns.iter().any(|c| c.target == t);
    let needs = [
        (T::PausedTo, T::PausedFrom, "paused_to", "paused_from"),
        (T::PausedReason, T::PausedFrom, "paused_reason", "paused_from"),
        (T::WaitingTo, T::WaitingFrom, "waiting_to", "waiting_from"),
        (T::WaitingOn, T::WaitingFrom, "waiting_on", "waiting_from"),
        (T::WaitingFrom, T::WaitingOn, "waiting_from", "waiting_on"),
        (T::ApprovalAt, T::ApprovalBy, "approval_at", "approval_by"),
        (T::ApprovalRole, T::ApprovalBy, "approval_role", "approval_by"),
        (T::ApprovalBy, T::ApprovalRole, "approval_by", "approval_role"),
        (T::EscalationLevel, T::EscalationAt, "escalation_level", "escalation_at"),
        (T::EscalationAt, T::EscalationLevel, "escalation_at", "escalation_level"),
        (T::ClosedByRoles, T::ClosedById, "closed_by_roles", "closed_by_id"),
    ];
    for (member, lead, m, l) in needs {
        if has(member) && !has(lead) {
            return Err(Failure::argument(column_path(m), format!("list column `{m}` needs the `{l}` column too")));
        }
    }
    for (text, lead, t, l) in [
        (T::Paused, T::PausedFrom, "paused", "paused_from"),
        (T::Waiting, T::WaitingFrom, "waiting", "waiting_from"),
        (T::Approvals, T::ApprovalBy, "approvals", "approval_by"),
        (T::Escalations, T::EscalationLevel, "escalations", "escalation_level"),
        (T::ClosedBy, T::ClosedById, "closed_by", "closed_by_id"),
    ] {
        if has(text) && has(lead) {
            return Err(Failure::argument(
                column_path(t),
                format!("`{t}` is given twice: as JSON text (column `{t}`) and as list columns (`{l}`, ...); give one"),
            ));
        }
    }
    for (g, o) in Group::ALL.into_iter().zip(offsets) {
        if o.is_some() && !columns.iter().any(|c| c.group == Some(g)) {
            return Err(Failure::argument(
                format!("offsets.{}", g.name()),
                format!("`offsets.{}` is given but no list column uses it", g.name()),
            ));
        }
    }
    Ok(())
}

/// A column's values as the core takes them, built once per call.
enum Values<'a> {
    Text(Vec<&'a str>),
    Index(Vec<u32>),
    I64(Vec<i64>),
    Scaled(Vec<i64>, u32),
    F64(&'a [f64]),
    Bool(&'a [u8]),
}

/// A column mapped for the core: values and presence mask (`None` = all present).
struct Mapped<'a> {
    values: Values<'a>,
    present: Option<Vec<u8>>,
}

impl Mapped<'_> {
    fn values(&self) -> ColumnValues<'_> {
        match &self.values {
            Values::Text(v) => ColumnValues::Text(v),
            Values::Index(v) => ColumnValues::Index(v),
            Values::I64(v) => ColumnValues::I64(v),
            Values::Scaled(v, s) => ColumnValues::Scaled(v, *s),
            Values::F64(v) => ColumnValues::F64(v),
            Values::Bool(v) => ColumnValues::Bool(v),
        }
    }
}

/// A presence mask (`0` = absent) from one flag per entry, or `None` when every entry is
/// present (the core then skips the mask).
fn mask(present: impl Iterator<Item = bool>) -> Option<Vec<u8>> {
    let mut all = true;
    let m: Vec<u8> = present
        .map(|p| {
            all &= p;
            u8::from(p)
        })
        .collect();
    (!all).then_some(m)
}

/// Presence of string indexes (negative = absent).
fn indexed(rows: &[i32]) -> Option<Vec<u8>> {
    mask(rows.iter().map(|&x| x >= 0))
}

/// Presence of numbers (`NaN` = absent).
fn numbered(v: &[f64]) -> Option<Vec<u8>> {
    mask(v.iter().map(|x| !x.is_nan()))
}

/// Presence of bools (`0` or `1`; any other byte = absent).
fn flagged(v: &[u8]) -> Option<Vec<u8>> {
    mask(v.iter().map(|&x| x <= 1))
}

/// A string index as a table position (`None` = absent).
fn position(x: i32) -> Option<usize> {
    usize::try_from(x).ok()
}

/// Looked-up indexes (enum values, roles) of the strings of a table, resolved lazily:
/// once per distinct string per column, however many rows name it.
#[derive(Default)]
struct Memo {
    /// Per string: its index, or [`Memo::UNSEEN`].
    memo: Vec<u32>,
    /// Strings resolved for the current column (reset before the next one).
    seen: Vec<usize>,
}

impl Memo {
    /// Not looked up yet. Never an index: an unknown value is `u32::MAX`, and no policy
    /// has `u32::MAX - 1` enum values or roles.
    const UNSEEN: u32 = u32::MAX - 1;

    /// `rows` (string indexes, negative = absent) as looked-up indexes; `u32::MAX` for a
    /// string `lookup` does not know.
    fn resolve(&mut self, rows: &[i32], table: &[&str], lookup: impl Fn(&str) -> Option<u32>) -> Mapped<'static> {
        if self.memo.len() != table.len() {
            self.memo = vec![Memo::UNSEEN; table.len()];
        }
        let mut values = Vec::with_capacity(rows.len());
        for &x in rows {
            let Some(s) = position(x) else {
                values.push(u32::MAX);
                continue;
            };
            let v = match self.memo.get(s).copied() {
                Some(Memo::UNSEEN) => {
                    let v =
                        table.get(s).and_then(|name| lookup(name)).filter(|&v| v < Memo::UNSEEN).unwrap_or(u32::MAX);
                    if let Some(slot) = self.memo.get_mut(s) {
                        *slot = v;
                        self.seen.push(s);
                    }
                    v
                }
                Some(v) => v,
                None => u32::MAX,
            };
            values.push(v);
        }
        for s in self.seen.drain(..) {
            if let Some(slot) = self.memo.get_mut(s) {
                *slot = Memo::UNSEEN;
            }
        }
        Mapped { present: indexed(rows), values: Values::Index(values) }
    }
}

/// String indexes as the strings they name.
fn texts<'a>(rows: &[i32], table: &[&'a str]) -> Mapped<'a> {
    let values = rows.iter().map(|&x| position(x).and_then(|s| table.get(s)).copied().unwrap_or("")).collect();
    Mapped { present: indexed(rows), values: Values::Text(values) }
}

/// Numbers (`NaN` = absent). For integer and money fields a column of whole numbers
/// within `Number.MAX_SAFE_INTEGER` goes in as integers, which is what such numbers are
/// in a case object (and skips formatting each number as decimal text); any other
/// column goes in as numbers, read as JSON numbers.
fn numbers<'a>(engine: &Engine, target: ColumnTarget, v: &'a [f64]) -> Mapped<'a> {
    let present = numbered(v);
    let integral = matches!(target, ColumnTarget::Field(s)
        if matches!(engine.field_type(s), Some(FieldType::Integer | FieldType::Money)));
    if integral && all_whole(v) {
        return Mapped { values: Values::I64(ints(v)), present };
    }
    Mapped { values: Values::F64(v), present }
}

/// Absent (`NaN`), or a whole number a JS number holds exactly.
fn whole_or_absent(x: f64) -> bool {
    x.is_nan() || (x.fract() == 0.0 && x.abs() <= MAX_SAFE_INTEGER)
}

/// Whether every entry is [`whole_or_absent`]: one pass without an early exit, so that
/// it vectorizes.
fn all_whole(v: &[f64]) -> bool {
    v.iter().fold(true, |all, &x| all & whole_or_absent(x))
}

/// Numbers checked by [`all_whole`] as integers (`NaN`, absent, as 0; the mask says so).
fn ints(v: &[f64]) -> Vec<i64> {
    v.iter().map(|&x| if x.is_nan() { 0 } else { x as i64 }).collect()
}

/// Maps one column for the core.
fn map_column<'a>(engine: &Engine, c: &'a RawColumn, table: &[&'a str], memo: &mut Memo) -> Mapped<'a> {
    use ColumnTarget as T;
    let json_list =
        matches!(c.target, T::Paused | T::Waiting | T::Approvals | T::Evidence | T::Escalations | T::ClosedBy)
            && c.group.is_none();
    match (&c.raw, c.scale) {
        (Raw::Str(rows), _) => match c.target {
            T::Field(s) if engine.field_type(s) == Some(FieldType::Enum) => {
                memo.resolve(rows, table, |name| engine.symbol(s, name))
            }
            T::ApprovalRole | T::ClosedByRoles => memo.resolve(rows, table, |name| engine.role(name)),
            // Evidence items: by index into the policy's items (an unknown item is ignored
            // either way).
            T::Evidence if c.group.is_some() => memo.resolve(rows, table, |name| engine.evidence_item(name)),
            _ => texts(rows, table),
        },
        // A number or bool where a list belongs: the core records `bad_type`, as in JSON.
        (Raw::Num(v), _) if json_list => Mapped { present: numbered(v), values: Values::F64(v) },
        // Checked whole by `Batch::read`.
        (Raw::Num(v), Some(scale)) => Mapped { present: numbered(v), values: Values::Scaled(ints(v), scale) },
        (Raw::Num(v), None) => numbers(engine, c.target, v),
        (Raw::Bool(v), _) => Mapped { present: flagged(v), values: Values::Bool(v) },
    }
}

/// A shape error of the core as the binding's error: the core's code, a message naming
/// the column, and the path in the binding's naming: the core's `columns[j].offsets` is
/// the column's group in `offsets` (`offsets.paused`), any other part of column `j` is
/// `columns.<key>`, and `len` (too many cases) is `length`.
fn column_error(e: ColumnError, columns: &[RawColumn]) -> Failure {
    let (path, message) = match e.column.and_then(|j| columns.get(j)) {
        Some(c) => {
            let path = match (e.part, c.group) {
                ("offsets", Some(g)) => format!("offsets.{}", g.name()),
                _ => column_path(&c.key),
            };
            (path, format!("column `{}` ({}): {}", c.key, e.part, e.message))
        }
        None if e.part == "len" => ("length".into(), format!("columnar batch: {}", e.message)),
        None => (e.path(), format!("columnar batch: {}", e.message)),
    };
    Failure::Argument { code: e.code, path, message }
}

/// The path of column `key` in the batch: `columns.amount`, or `columns["odd key"]`
/// for a key that is not an identifier.
fn column_path(key: &str) -> String {
    crate::read::accessor("columns", &[crate::read::Seg::Key(key.to_string())])
}

/// The result arrays, one entry per row.
struct Outputs {
    error: Vec<i32>,
    queue: Vec<i32>,
    priority: Vec<i32>,
    band: Vec<i32>,
    open: Vec<u8>,
    invalid: Vec<u8>,
    issues: Vec<u32>,
    steps: Vec<u32>,
    remaining: Vec<u32>,
    not_yet_open: Vec<u8>,
    next_change_at: Vec<f64>,
    /// QA: misrouted (0/1), late escalation levels, closed without (bits: 1 approvals, 2
    /// evidence), closed by a barred actor (0/1), the sampled stratum (`names.strata`).
    qa: QaOutputs,
    /// Per metric, in policy order.
    sla: Vec<MetricOutputs>,
    /// Error codes met so far (`names.errors`), in order of first appearance.
    errors: Vec<&'static str>,
    /// `names.causes`: `own`, the declared dependencies, then the undeclared names met.
    causes: Vec<String>,
    /// The declared dependencies (the inner dimension of `waiting`).
    dependencies: usize,
}

/// The QA arrays (`qa_*`).
struct QaOutputs {
    misrouted: Vec<u8>,
    late_escalations: Vec<u32>,
    closed_without: Vec<u8>,
    closed_by_barred: Vec<u8>,
    stratum: Vec<i32>,
}

/// One metric's SLA clock arrays (`sla[metric]`).
struct MetricOutputs {
    state: Vec<i8>,
    due: Vec<f64>,
    elapsed: Vec<f64>,
    target: Vec<f64>,
    level: Vec<i32>,
    cause: Vec<i32>,
    /// `length` × declared dependencies, row by row.
    waiting: Vec<f64>,
}

/// Sets `v[i]` if it exists.
#[inline(always)]
fn put<T>(v: &mut [T], i: usize, x: T) {
    if let Some(slot) = v.get_mut(i) {
        *slot = x;
    }
}

impl Outputs {
    fn new(engine: &Engine, n: usize, metrics: usize) -> Outputs {
        let dependencies = engine.dependencies().count();
        let metric = || MetricOutputs {
            state: vec![-1; n],
            due: vec![f64::NAN; n],
            elapsed: vec![f64::NAN; n],
            target: vec![f64::NAN; n],
            level: vec![-1; n],
            cause: vec![-1; n],
            waiting: vec![0.0; n * dependencies],
        };
        Outputs {
            error: vec![-1; n],
            queue: vec![-1; n],
            priority: vec![-1; n],
            band: vec![-1; n],
            open: vec![0; n],
            invalid: vec![0; n],
            issues: vec![0; n],
            steps: vec![0; n],
            remaining: vec![0; n],
            not_yet_open: vec![0; n],
            next_change_at: vec![f64::NAN; n],
            qa: QaOutputs {
                misrouted: vec![0; n],
                late_escalations: vec![0; n],
                closed_without: vec![0; n],
                closed_by_barred: vec![0; n],
                stratum: vec![-1; n],
            },
            sla: (0..metrics).map(|_| metric()).collect(),
            errors: Vec::new(),
            causes: core::iter::once("own").chain(engine.dependencies()).map(String::from).collect(),
            dependencies,
        }
    }

    /// Writes the outcome of row `i`.
    #[inline]
    fn write(&mut self, engine: &Engine, i: usize, out: &Outcome) {
        let index = |x: Option<u32>| x.map_or(-1, |x| x as i32);
        if let Some(e) = out.error() {
            let code = e.code();
            let idx = match self.errors.iter().position(|c| *c == code) {
                Some(k) => k,
                None => {
                    self.errors.push(code);
                    self.errors.len() - 1
                }
            };
            put(&mut self.error, i, idx as i32);
            return;
        }
        if out.not_yet_open() {
            put(&mut self.not_yet_open, i, 1);
            return;
        }
        put(&mut self.next_change_at, i, out.next_change_at().map_or(f64::NAN, |t| t as f64));
        put(&mut self.queue, i, index(out.queue_index()));
        put(&mut self.priority, i, index(out.priority_index()));
        put(&mut self.band, i, index(out.band_index()));
        put(&mut self.open, i, u8::from(out.is_open()));
        put(&mut self.invalid, i, u8::from(out.invalid()));
        put(&mut self.issues, i, out.issues().len() as u32);
        put(&mut self.steps, i, out.steps().len() as u32);
        put(&mut self.remaining, i, out.steps().iter().filter(|s| out.done_by(s).is_none()).count() as u32);
        if out.qa_checked() || out.sampled_stratum().is_some() {
            let (approvals, evidence) = out.closed_without();
            put(&mut self.qa.misrouted, i, u8::from(out.misrouted()));
            put(&mut self.qa.late_escalations, i, out.late_escalations().count() as u32);
            put(&mut self.qa.closed_without, i, u8::from(approvals) | (u8::from(evidence) << 1));
            put(&mut self.qa.closed_by_barred, i, u8::from(out.closed_by_barred()));
            put(&mut self.qa.stratum, i, index(out.sampled_stratum()));
        }
        let deps = self.dependencies;
        for (k, (m, mo)) in self.sla.iter_mut().zip(out.sla()).enumerate() {
            let Some(mo) = mo else { continue };
            for (d, secs) in out.waiting_s(k).filter(|&(d, _)| (d as usize) < deps) {
                put(&mut m.waiting, i * deps + d as usize, secs as f64);
            }
            let cause = match out.cause(k) {
                None => -1,
                Some(Cause::Own) => 0,
                Some(Cause::Dependency(d)) if (d as usize) < deps => d as i32 + 1,
                Some(Cause::Dependency(d)) => {
                    let name = out.dependency_name(engine, d);
                    match self.causes.iter().position(|c| c == name) {
                        Some(x) => x as i32,
                        None => {
                            self.causes.push(name.to_string());
                            (self.causes.len() - 1) as i32
                        }
                    }
                }
            };
            put(&mut m.cause, i, cause);
            put(&mut m.state, i, STATES.iter().position(|s| *s == mo.state).map_or(-1, |x| x as i8));
            put(&mut m.due, i, mo.due.map_or(f64::NAN, |d| d as f64));
            put(&mut m.elapsed, i, mo.elapsed_s as f64);
            put(&mut m.target, i, mo.target_s as f64);
            if let Some(esc) = mo.escalation {
                put(&mut m.level, i, esc.level as i32);
            }
        }
    }

    /// Refills an earlier result's arrays; `names.errors` is replaced (the other name
    /// tables are the engine's, as they were).
    fn copy_into(self, t: Targets) -> JsValue {
        t.error.copy_from(&self.error);
        t.queue.copy_from(&self.queue);
        t.priority.copy_from(&self.priority);
        t.band.copy_from(&self.band);
        t.open.copy_from(&self.open);
        t.invalid.copy_from(&self.invalid);
        t.issues.copy_from(&self.issues);
        t.steps.copy_from(&self.steps);
        t.remaining.copy_from(&self.remaining);
        t.not_yet_open.copy_from(&self.not_yet_open);
        t.next_change_at.copy_from(&self.next_change_at);
        t.qa_misrouted.copy_from(&self.qa.misrouted);
        t.qa_late_escalations.copy_from(&self.qa.late_escalations);
        t.qa_closed_without.copy_from(&self.qa.closed_without);
        t.qa_closed_by_barred.copy_from(&self.qa.closed_by_barred);
        t.qa_stratum.copy_from(&self.qa.stratum);
        for (m, a) in self.sla.iter().zip(&t.sla) {
            a.state.copy_from(&m.state);
            a.due.copy_from(&m.due);
            a.elapsed.copy_from(&m.elapsed);
            a.target.copy_from(&m.target);
            a.level.copy_from(&m.level);
            a.cause.copy_from(&m.cause);
            a.waiting.copy_from(&m.waiting);
        }
        set(&t.names, "errors", &self.errors.iter().map(|s| JsValue::from_str(s)).collect::<Array>().into());
        set(&t.names, "causes", &self.causes.iter().map(|s| JsValue::from_str(s)).collect::<Array>().into());
        t.result
    }

    /// The `ColumnarOutcomes` object.
    fn into_js(self, engine: &Engine, n: usize) -> JsValue {
        let res = Object::new();
        set(&res, "length", &JsValue::from_f64(n as f64));
        set(&res, "error", &Int32Array::from(self.error.as_slice()).into());
        set(&res, "queue", &Int32Array::from(self.queue.as_slice()).into());
        set(&res, "priority", &Int32Array::from(self.priority.as_slice()).into());
        set(&res, "band", &Int32Array::from(self.band.as_slice()).into());
        set(&res, "open", &Uint8Array::from(self.open.as_slice()).into());
        set(&res, "invalid", &Uint8Array::from(self.invalid.as_slice()).into());
        set(&res, "issues", &Uint32Array::from(self.issues.as_slice()).into());
        set(&res, "steps", &Uint32Array::from(self.steps.as_slice()).into());
        set(&res, "remaining", &Uint32Array::from(self.remaining.as_slice()).into());
        set(&res, "not_yet_open", &Uint8Array::from(self.not_yet_open.as_slice()).into());
        set(&res, "next_change_at", &Float64Array::from(self.next_change_at.as_slice()).into());
        set(&res, "qa_misrouted", &Uint8Array::from(self.qa.misrouted.as_slice()).into());
        set(&res, "qa_late_escalations", &Uint32Array::from(self.qa.late_escalations.as_slice()).into());
        set(&res, "qa_closed_without", &Uint8Array::from(self.qa.closed_without.as_slice()).into());
        set(&res, "qa_closed_by_barred", &Uint8Array::from(self.qa.closed_by_barred.as_slice()).into());
        set(&res, "qa_stratum", &Int32Array::from(self.qa.stratum.as_slice()).into());
        let sla = Object::new();
        for (name, m) in engine.metrics().zip(&self.sla) {
            let mc = Object::new();
            set(&mc, "state", &Int8Array::from(m.state.as_slice()).into());
            set(&mc, "due", &Float64Array::from(m.due.as_slice()).into());
            set(&mc, "elapsed", &Float64Array::from(m.elapsed.as_slice()).into());
            set(&mc, "target", &Float64Array::from(m.target.as_slice()).into());
            set(&mc, "level", &Int32Array::from(m.level.as_slice()).into());
            set(&mc, "cause", &Int32Array::from(m.cause.as_slice()).into());
            set(&mc, "waiting", &Float64Array::from(m.waiting.as_slice()).into());
            set(&sla, name, &mc.into());
        }
        set(&res, "sla", &sla.into());
        let names = Object::new();
        let list =
            |it: &mut dyn Iterator<Item = &str>| -> JsValue { it.map(JsValue::from_str).collect::<Array>().into() };
        set(&names, "queues", &list(&mut engine.queues()));
        set(&names, "priorities", &list(&mut engine.priorities().iter().map(String::as_str)));
        set(&names, "bands", &list(&mut engine.bands()));
        set(&names, "states", &list(&mut STATES.iter().map(|s| s.as_str())));
        set(&names, "errors", &list(&mut self.errors.iter().copied()));
        set(&names, "dependencies", &list(&mut engine.dependencies()));
        set(&names, "causes", &list(&mut self.causes.iter().map(String::as_str)));
        set(&names, "strata", &list(&mut engine.strata()));
        set(&res, "names", &names.into());
        res.into()
    }
}

/// Evaluates every row through the core's columnar batch path and builds the result
/// arrays, or refills those of `into` (an earlier result of the same length). Fails (an
/// argument error) only on a batch shape the core refuses or an `into` that does not fit.
pub(crate) fn evaluate(
    engine: &Engine,
    batch: &Batch,
    now: docket_core::time::Instant,
    ws: &mut ColumnWorkspace,
    into: Option<&JsValue>,
) -> Result<JsValue, Failure> {
    let table = batch.strings.table();
    let mut memo = Memo::default();
    let mapped: Vec<Mapped<'_>> = batch.columns.iter().map(|c| map_column(engine, c, &table, &mut memo)).collect();
    let cols: Vec<Column<'_>> = batch
        .columns
        .iter()
        .zip(&mapped)
        .map(|(c, m)| Column {
            target: c.target,
            values: m.values(),
            present: m.present.as_deref(),
            offsets: c.group.and_then(|g| batch.offsets.get(g as usize)).and_then(|o| o.as_deref()),
        })
        .collect();
    let checked = engine.columns(batch.len, &cols).map_err(|e| column_error(e, &batch.columns))?;
    // Checked before any work: a result that cannot be refilled is left untouched.
    let targets = into.map(|v| Targets::read(engine, v, batch.len)).transpose()?;
    let mut out = Outputs::new(engine, batch.len, engine.metrics().count());
    engine.evaluate_columns(&checked, now, ws, |i, o| out.write(engine, i, o));
    Ok(match targets {
        Some(t) => out.copy_into(t),
        None => out.into_js(engine, batch.len),
    })
}

/// The arrays of an earlier result (`into`), refilled in place instead of allocating new
/// ones: one copy per array from wasm memory, no garbage.
struct Targets {
    result: JsValue,
    names: Object,
    error: Int32Array,
    queue: Int32Array,
    priority: Int32Array,
    band: Int32Array,
    open: Uint8Array,
    invalid: Uint8Array,
    issues: Uint32Array,
    steps: Uint32Array,
    remaining: Uint32Array,
    not_yet_open: Uint8Array,
    next_change_at: Float64Array,
    qa_misrouted: Uint8Array,
    qa_late_escalations: Uint32Array,
    qa_closed_without: Uint8Array,
    qa_closed_by_barred: Uint8Array,
    qa_stratum: Int32Array,
    sla: Vec<MetricTargets>,
}

/// One metric's arrays of an earlier result.
struct MetricTargets {
    state: Int8Array,
    due: Float64Array,
    elapsed: Float64Array,
    target: Float64Array,
    level: Int32Array,
    cause: Int32Array,
    waiting: Float64Array,
}

/// `obj[key]` as the typed array `A` of `n` entries (`length` reads the array's length).
fn target<A: JsCast>(obj: &JsValue, path: &str, n: usize, length: impl Fn(&A) -> u32) -> Result<A, Failure> {
    let key = path.rsplit('.').next().unwrap_or(path);
    let at = format!("into.{path}");
    let a = get(obj, key, &at)?.dyn_into::<A>().ok().filter(|a| length(a) as usize == n);
    a.ok_or_else(|| {
        Failure::argument(
            &at,
            format!(
                "`into.{path}` is not an array of {n} entries of the type evaluateColumns returns: `into` must be an \
             earlier result of this engine with the same `length`"
            ),
        )
    })
}

impl Targets {
    /// The arrays of `into`, an earlier `evaluateColumns` result of this engine for a batch
    /// of `n` rows.
    fn read(engine: &Engine, into: &JsValue, n: usize) -> Result<Targets, Failure> {
        if !into.is_object() || get(into, "length", "into.length")?.as_f64() != Some(n as f64) {
            return Err(Failure::argument(
                "into",
                format!("`into` must be an earlier evaluateColumns result with `length` {n} (the batch's)"),
            ));
        }
        let names = get(into, "names", "into.names")?.dyn_into::<Object>().map_err(|_| {
            Failure::argument("into.names", "`into.names` is missing: `into` must be an earlier evaluateColumns result")
        })?;
        let sla_v = get(into, "sla", "into.sla")?;
        let deps = engine.dependencies().count();
        let mut sla = Vec::new();
        for name in engine.metrics() {
            let m = get(&sla_v, name, &format!("into.sla.{name}"))?;
            let at = |k: &str| format!("sla.{name}.{k}");
            sla.push(MetricTargets {
                state: target(&m, &at("state"), n, Int8Array::length)?,
                due: target(&m, &at("due"), n, Float64Array::length)?,
                elapsed: target(&m, &at("elapsed"), n, Float64Array::length)?,
                target: target(&m, &at("target"), n, Float64Array::length)?,
                level: target(&m, &at("level"), n, Int32Array::length)?,
                cause: target(&m, &at("cause"), n, Int32Array::length)?,
                waiting: target(&m, &at("waiting"), n * deps, Float64Array::length)?,
            });
        }
        Ok(Targets {
            result: into.clone(),
            names,
            error: target(into, "error", n, Int32Array::length)?,
            queue: target(into, "queue", n, Int32Array::length)?,
            priority: target(into, "priority", n, Int32Array::length)?,
            band: target(into, "band", n, Int32Array::length)?,
            open: target(into, "open", n, Uint8Array::length)?,
            invalid: target(into, "invalid", n, Uint8Array::length)?,
            issues: target(into, "issues", n, Uint32Array::length)?,
            steps: target(into, "steps", n, Uint32Array::length)?,
            remaining: target(into, "remaining", n, Uint32Array::length)?,
            not_yet_open: target(into, "not_yet_open", n, Uint8Array::length)?,
            next_change_at: target(into, "next_change_at", n, Float64Array::length)?,
            qa_misrouted: target(into, "qa_misrouted", n, Uint8Array::length)?,
            qa_late_escalations: target(into, "qa_late_escalations", n, Uint32Array::length)?,
            qa_closed_without: target(into, "qa_closed_without", n, Uint8Array::length)?,
            qa_closed_by_barred: target(into, "qa_closed_by_barred", n, Uint8Array::length)?,
            qa_stratum: target(into, "qa_stratum", n, Int32Array::length)?,
            sla,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::{
        Group, Memo, Raw, RawColumn, Values, check_offsets, column_error, column_path, flagged, indexed, mask,
        numbered, numbers,
    };
    use crate::error::Failure;
    use docket_core::{ColumnError, ErrorCode};
    use docket_core::{ColumnTarget, Engine};

    fn engine() -> Engine {
        Engine::compile(include_str!("../../examples/order-ops.policy.json"))
            .unwrap_or_else(|e| unreachable!("example policy: {e}"))
    }

    #[test]
    fn memo_resolves_each_string_once_and_resets_between_columns() {
        let table = ["refund", "nope", "eu", "refund"];
        let calls = core::cell::Cell::new(0);
        let mut memo = Memo::default();
        let lookup = |s: &str| {
            calls.set(calls.get() + 1);
            match s {
                "refund" => Some(3),
                "eu" => Some(0),
                _ => None,
            }
        };
        let m = memo.resolve(&[0, 0, 1, -1, 3, 0, 1], &table, lookup);
        let Values::Index(v) = m.values else { unreachable!("an index column") };
        assert_eq!(v, [3, 3, u32::MAX, u32::MAX, 3, 3, u32::MAX]);
        assert_eq!(m.present.as_deref(), Some(&[1, 1, 1, 0, 1, 1, 1][..]));
        // Strings 0, 1 and 3: three lookups for seven rows.
        assert_eq!(calls.get(), 3);
        // The next column (another field) resolves the same strings afresh.
        let m = memo.resolve(&[2, 0], &table, |s| (s == "refund").then_some(7));
        let Values::Index(v) = m.values else { unreachable!("an index column") };
        assert_eq!(v, [u32::MAX, 7]);
        assert!(m.present.is_none());
    }

    #[test]
    fn masks_are_none_when_everything_is_present() {
        assert!(mask([true; 3].into_iter()).is_none());
        assert_eq!(mask([true, false, true].into_iter()), Some(vec![1, 0, 1]));
        assert_eq!(indexed(&[0, -1, 7]), Some(vec![1, 0, 1]));
        assert_eq!(numbered(&[f64::NAN, 1.0]), Some(vec![0, 1]));
        assert_eq!(flagged(&[0, 1, 2, 255]), Some(vec![1, 1, 0, 0]));
    }

    #[test]
    fn whole_numbers_go_to_integer_and_money_fields_as_integers() {
        let e = engine();
        let field = |n: &str| ColumnTarget::Field(e.slot(n).unwrap_or_else(|| unreachable!("{n}")));
        let whole = [3.0, f64::NAN, -0.0, 9_007_199_254_740_991.0];
        let m = numbers(&e, field("vendor_failures_90d"), &whole);
        assert!(matches!(&m.values, Values::I64(v) if v == &[3, 0, 0, 9_007_199_254_740_991]));
        assert_eq!(m.present.as_deref(), Some(&[1, 0, 1, 1][..]));
        assert!(matches!(numbers(&e, field("amount"), &whole).values, Values::I64(_)));
        // A fraction, or beyond the safe integers: numbers, as JSON reads them.
        assert!(matches!(numbers(&e, field("amount"), &[1.5]).values, Values::F64(_)));
        assert!(matches!(numbers(&e, field("orders_affected"), &[9_007_199_254_740_992.0]).values, Values::F64(_)));
        // A number field keeps numbers.
        assert!(matches!(numbers(&e, field("fraud_score"), &[1.0]).values, Values::F64(_)));
    }

    #[test]
    fn offsets_need_length_plus_one_entries_that_never_decrease() {
        assert!(check_offsets("paused", &[0, 1, 1], 2).is_ok());
        assert!(check_offsets("paused", &[0, 1], 2).is_err());
        assert!(check_offsets("paused", &[0, 2, 1], 2).is_err());
    }

    #[test]
    fn core_shape_errors_keep_their_code_and_name_the_column() {
        let cols = [
            RawColumn {
                key: "paused_to".into(),
                target: ColumnTarget::PausedTo,
                group: Some(Group::Paused),
                raw: Raw::Num(Vec::new()),
                scale: None,
            },
            RawColumn {
                key: "paused".into(),
                target: ColumnTarget::Paused,
                group: None,
                raw: Raw::Str(Vec::new()),
                scale: None,
            },
        ];
        let parts = |e: ColumnError| match column_error(e, &cols) {
            Failure::Argument { code, path, message } => (code, path, message),
            f => unreachable!("an argument error, not {f:?}"),
        };
        let e = ColumnError {
            code: ErrorCode::InvalidArgument,
            column: Some(0),
            part: "offsets",
            message: "items per case differ".into(),
        };
        assert_eq!(
            parts(e),
            (
                ErrorCode::InvalidArgument,
                "offsets.paused".to_string(),
                "column `paused_to` (offsets): items per case differ".to_string()
            )
        );
        let e =
            ColumnError { code: ErrorCode::InvalidArgument, column: Some(1), part: "values", message: "short".into() };
        assert_eq!(parts(e).1, "columns.paused");
        let e = ColumnError { code: ErrorCode::LimitExceeded, column: None, part: "len", message: "too many".into() };
        assert_eq!(parts(e), (ErrorCode::LimitExceeded, "length".to_string(), "columnar batch: too many".to_string()));
    }

    #[test]
    fn column_paths_quote_keys_that_are_not_identifiers() {
        assert_eq!(column_path("approval_by"), "columns.approval_by");
        assert_eq!(column_path("$x1"), "columns.$x1");
        assert_eq!(column_path("odd key"), r#"columns["odd key"]"#);
        assert_eq!(column_path("1st"), r#"columns["1st"]"#);
        assert_eq!(column_path(""), r#"columns[""]"#);
    }
}
