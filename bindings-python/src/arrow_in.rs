//! Arrow record batches as the core's columns (`docket_core::Column`), for
//! `Engine::evaluate_columns`.
//!
//! A column is matched to a case key by its name (`Engine::column_target`: `id`, `kind`,
//! `opened_at`, a field, `<metric>_at`, `paused`, `approval_by`, ...); a column no key
//! takes is ignored, as an unknown key of a JSON record is. Its values are read where
//! they lie when their layout is the core's (64-bit integers, doubles, timestamps in
//! seconds); other numbers are widened, bit-packed booleans and validity bitmaps unpacked
//! to bytes, strings borrowed (one `&str` a value, no text copied). Each row reads as
//! the JSON record with the same values:
//!
//! | Arrow type | reads as |
//! |---|---|
//! | `string`, `large_string`, `string_view` | text (an enum value by name, money as decimal text, a timestamp as RFC 3339) |
//! | `dictionary<_, string>` | its values' text; an enum field's values are resolved once per batch |
//! | integers, `float`, `double`, `bool` | numbers, booleans |
//! | `timestamp`, `date32`, `date64` | instants (seconds since the epoch, floored; any time zone) |
//! | `decimal128(p, s)` | money exactly (scaled integers; as decimal text beyond 64 bits) |
//! | `list<string>` for `evidence` | its items |
//! | `list<struct<from, to, reason>>` for `paused`, `list<struct<from, to, on>>` for `waiting`, `list<struct<role, by, at>>` for `approvals` | their entries: typed instants as list columns, anything else as the JSON text of the list |
//! | any other nested type for a list key, and QA's `escalations` and `closed_by` | the JSON text of each value |
//! | a nested or binary type for any other key | a value of the wrong kind (`bad_type`, `bad_id`...) in every row that has one |
//! | `null` | absent |
//!
//! A null is an absent value (as JSON `null` or a missing key). Nothing here refuses a
//! batch but the shape checks of `Engine::columns` (a list key given twice, a list
//! column without its lead column).

use crate::error::{Failure, Result};
use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::{Array, ArrayRef, GenericListArray, OffsetSizeTrait, RecordBatch, StructArray};
use arrow_schema::{DataType, TimeUnit};
use docket_core::time::Rfc3339;
use docket_core::{Column, ColumnTarget, ColumnValues, Engine};
use std::borrow::Cow;
use std::fmt::Write;

/// A column's values, read or converted.
enum Vals<'a> {
    I64(Cow<'a, [i64]>),
    F64(Cow<'a, [f64]>),
    Bool(Vec<u8>),
    Index(Vec<u32>),
    Text(Vec<&'a str>),
    /// Text made here (decimals beyond 64 bits, lists as JSON text).
    Owned(Vec<String>),
    Scaled(Vec<i64>, u32),
}

/// One core column, before it borrows its buffers.
struct Prep<'a> {
    target: ColumnTarget,
    values: Vals<'a>,
    present: Option<Vec<u8>>,
    offsets: Option<Vec<usize>>,
}

/// The columns of one record batch, ready to be lent to the core.
pub(crate) struct Prepared<'a> {
    pub(crate) len: usize,
    preps: Vec<Prep<'a>>,
    /// Names of the columns, by the index of their `Prep` (for errors).
    names: Vec<String>,
}

impl<'a> Prepared<'a> {
    /// Reads every column of `batch` the engine knows. Fails only for a list column
    /// (`paused_from`, ...) that is not a list.
    pub(crate) fn new(engine: &Engine, batch: &'a RecordBatch) -> Result<Prepared<'a>> {
        let schema = batch.schema_ref();
        let mut p = Prepared { len: batch.num_rows(), preps: Vec::new(), names: Vec::new() };
        for (field, arr) in schema.fields().iter().zip(batch.columns()) {
            let name = field.name();
            let Some(target) = engine.column_target(name) else { continue };
            let before = p.preps.len();
            if !read_column(engine, target, arr, &mut p.preps) {
                return Err(Failure::argument(
                    format!("columns.{name}"),
                    format!(
                        "`{name}` holds the items of a list per case: it must be a list column (list<...>), not {}",
                        arr.data_type()
                    ),
                ));
            }
            for _ in before..p.preps.len() {
                p.names.push(name.clone());
            }
        }
        Ok(p)
    }

    /// The name of the Arrow column that made core column `j`.
    pub(crate) fn name(&self, j: usize) -> &str {
        self.names.get(j).map_or("", String::as_str)
    }

    /// Owned text, as slices for [`Prepared::columns`].
    pub(crate) fn texts(&self) -> Vec<Vec<&str>> {
        self.preps
            .iter()
            .map(|p| match &p.values {
                Vals::Owned(v) => v.iter().map(String::as_str).collect(),
                _ => Vec::new(),
            })
            .collect()
    }

    /// The core's columns, borrowing these buffers and `texts` (from [`Prepared::texts`]).
    pub(crate) fn columns<'b>(&'b self, texts: &'b [Vec<&'b str>]) -> Vec<Column<'b>> {
        self.preps
            .iter()
            .zip(texts)
            .map(|(p, t)| {
                let values = match &p.values {
                    Vals::I64(v) => ColumnValues::I64(v),
                    Vals::F64(v) => ColumnValues::F64(v),
                    Vals::Bool(v) => ColumnValues::Bool(v),
                    Vals::Index(v) => ColumnValues::Index(v),
                    Vals::Text(v) => ColumnValues::Text(v),
                    Vals::Owned(_) => ColumnValues::Text(t),
                    Vals::Scaled(v, s) => ColumnValues::Scaled(v, *s),
                };
                Column { target: p.target, values, present: p.present.as_deref(), offsets: p.offsets.as_deref() }
            })
            .collect()
    }
}

/// Reads one Arrow column for `target` into `out` (none, one, or a group of list columns);
/// `false` for a list column that is not a list.
fn read_column<'a>(engine: &Engine, target: ColumnTarget, arr: &'a ArrayRef, out: &mut Vec<Prep<'a>>) -> bool {
    use ColumnTarget as T;
    let nested = matches!(
        arr.data_type(),
        DataType::List(_)
            | DataType::LargeList(_)
            | DataType::FixedSizeList(..)
            | DataType::Struct(_)
            | DataType::Map(..)
            | DataType::ListView(_)
            | DataType::LargeListView(_)
    );
    match target {
        // The items of a list, one list a case.
        _ if target.is_list() && target != T::Evidence => match items(engine, arr, target) {
            Some(p) => out.push(p),
            None => return false,
        },
        T::Evidence if nested => match string_items(engine, arr) {
            Some(p) => out.push(p),
            None => out.push(json_text(arr, target)),
        },
        T::Paused | T::Waiting | T::Approvals if nested => match entries(engine, arr, target) {
            Some(ps) => out.extend(ps),
            None => out.push(json_text(arr, target)),
        },
        // QA's `escalations` (a list of structs) and `closed_by` (a struct): their JSON text.
        T::Escalations | T::ClosedBy if nested => out.push(json_text(arr, target)),
        _ if nested || is_binary(arr.data_type()) => out.push(wrong_kind(arr, target)),
        _ => {
            if let Some((values, present)) = scalars(engine, target, arr.as_ref()) {
                out.push(Prep { target, values, present, offsets: None });
            }
        }
    }
    true
}

fn is_binary(t: &DataType) -> bool {
    matches!(
        t,
        DataType::Binary
            | DataType::LargeBinary
            | DataType::BinaryView
            | DataType::FixedSizeBinary(_)
            | DataType::Union(..)
    )
}

/// One byte a value, `0` where it is null; `None` when none is.
fn present(arr: &dyn Array) -> Option<Vec<u8>> {
    let nulls = arr.logical_nulls()?;
    if nulls.null_count() == 0 {
        return None;
    }
    Some(unpack(nulls.inner()))
}

/// Each bit of a byte as a byte of its own, lowest bit first (Arrow's bit order).
static SPREAD: [[u8; 8]; 256] = spread();

// Evaluated at compile time: an index out of range would fail the build, not panic.
#[allow(clippy::indexing_slicing)]
const fn spread() -> [[u8; 8]; 256] {
    let mut t = [[0u8; 8]; 256];
    let mut i = 0;
    while i < 256 {
        let mut j = 0;
        while j < 8 {
            t[i][j] = ((i >> j) & 1) as u8;
            j += 1;
        }
        i += 1;
    }
    t
}

/// A bit-packed buffer (validity, booleans) as one byte a bit: eight bits a table lookup
/// when the buffer starts on a byte, bit by bit otherwise.
fn unpack(bits: &arrow_buffer::BooleanBuffer) -> Vec<u8> {
    let (len, offset) = (bits.len(), bits.offset());
    if offset % 8 != 0 {
        return bits.iter().map(u8::from).collect();
    }
    let bytes = bits.values().get(offset / 8..).unwrap_or_default();
    let mut out = Vec::with_capacity(len + 8);
    for &b in bytes.iter().take(len.div_ceil(8)) {
        // A u8 indexes the 256 entries: `get` always finds one.
        out.extend_from_slice(SPREAD.get(usize::from(b)).unwrap_or(&[0; 8]));
    }
    out.truncate(len);
    out
}

/// A column of a kind no key takes: a value of the wrong kind where a value is present
/// (a boolean, which no key but a bool field takes, reads as one).
fn wrong_kind<'a>(arr: &'a ArrayRef, target: ColumnTarget) -> Prep<'a> {
    // A `bool` field would take a boolean: give it a number instead, equally wrong.
    let n = arr.len();
    let present = present(arr.as_ref());
    let values = match target {
        ColumnTarget::Field(_) => Vals::F64(Cow::Owned(vec![f64::NAN; n])),
        _ => Vals::Bool(vec![0; n]),
    };
    Prep { target, values, present, offsets: None }
}

/// Texts of a string array, of any offset width or layout.
enum Strs<'a> {
    Small(&'a arrow_array::StringArray),
    Large(&'a arrow_array::LargeStringArray),
    View(&'a arrow_array::StringViewArray),
}

impl<'a> Strs<'a> {
    fn of(arr: &'a dyn Array) -> Option<Strs<'a>> {
        arr.as_string_opt::<i32>()
            .map(Strs::Small)
            .or_else(|| arr.as_string_opt::<i64>().map(Strs::Large))
            .or_else(|| arr.as_string_view_opt().map(Strs::View))
    }
    fn len(&self) -> usize {
        match self {
            Strs::Small(a) => a.len(),
            Strs::Large(a) => a.len(),
            Strs::View(a) => a.len(),
        }
    }
    /// Value `i` (`""` past the end; a null slot's bytes, usually empty).
    fn get(&self, i: usize) -> &'a str {
        if i >= self.len() {
            return "";
        }
        match self {
            Strs::Small(a) => a.value(i),
            Strs::Large(a) => a.value(i),
            Strs::View(a) => a.value(i),
        }
    }
}

/// A dictionary array's keys as indexes into its values, and its values' texts (`None`
/// unless the values are strings).
fn dictionary(arr: &dyn Array) -> Option<(Vec<usize>, Strs<'_>)> {
    let d = arr.as_any_dictionary_opt()?;
    let values = Strs::of(d.values().as_ref())?;
    if values.len() == 0 {
        // Every key is null (or the array is empty).
        return Some((vec![0; arr.len()], values));
    }
    Some((d.normalized_keys(), values))
}

/// Text values of a string or dictionary-of-strings array.
fn texts(arr: &dyn Array) -> Option<Vec<&str>> {
    // One loop a layout, each value borrowed (`value` is in range for every `i < len`).
    if let Some(a) = arr.as_string_opt::<i32>() {
        return Some((0..a.len()).map(|i| a.value(i)).collect());
    }
    if let Some(a) = arr.as_string_opt::<i64>() {
        return Some((0..a.len()).map(|i| a.value(i)).collect());
    }
    if let Some(a) = arr.as_string_view_opt() {
        return Some((0..a.len()).map(|i| a.value(i)).collect());
    }
    let (keys, values) = dictionary(arr)?;
    Some(keys.into_iter().map(|k| values.get(k)).collect())
}

/// A primitive column widened to `i64`.
fn widen<T: ArrowPrimitiveType>(arr: &dyn Array, f: impl Fn(T::Native) -> i64) -> Option<Vals<'_>> {
    let a = arr.as_primitive_opt::<T>()?;
    Some(Vals::I64(Cow::Owned(a.values().iter().map(|&x| f(x)).collect())))
}

/// Seconds from a count of `per` units a second, floored.
fn floor_div(x: i64, per: i64) -> i64 {
    x.div_euclid(per)
}

/// Values of a scalar column (or the items of a list column) and their presence.
fn scalars<'a>(engine: &Engine, target: ColumnTarget, arr: &'a dyn Array) -> Option<(Vals<'a>, Option<Vec<u8>>)> {
    let values = match arr.data_type() {
        DataType::Null => return None,
        DataType::Boolean => Vals::Bool(unpack(arr.as_boolean_opt()?.values())),
        t if t.is_integer() || t.is_floating() => numbers(arr)?,
        DataType::Timestamp(..) | DataType::Date32 | DataType::Date64 => instants(arr)?,
        DataType::Decimal128(_, scale) => decimals(arr, *scale)?,
        DataType::Decimal32(_, scale) => wide_decimals::<Decimal32Type>(arr, *scale)?,
        DataType::Decimal64(_, scale) => wide_decimals::<Decimal64Type>(arr, *scale)?,
        DataType::Decimal256(_, scale) => wide_decimals::<Decimal256Type>(arr, *scale)?,
        DataType::Dictionary(..) => match (target, dictionary(arr)) {
            // An enum field's values resolved once per batch, not once per row.
            (ColumnTarget::Field(slot), Some((keys, values)))
                if engine.field_type(slot) == Some(docket_core::FieldType::Enum) =>
            {
                let syms: Vec<u32> =
                    (0..values.len()).map(|i| engine.symbol(slot, values.get(i)).unwrap_or(u32::MAX)).collect();
                Vals::Index(keys.into_iter().map(|k| syms.get(k).copied().unwrap_or(u32::MAX)).collect())
            }
            (_, Some((keys, values))) => Vals::Text(keys.into_iter().map(|k| values.get(k)).collect()),
            // Dictionaries of anything but strings: the values' JSON text is no key's kind.
            (_, None) => Vals::F64(Cow::Owned(vec![f64::NAN; arr.len()])),
        },
        // Times of day, durations, intervals: no key takes them.
        _ => match texts(arr) {
            Some(t) => Vals::Text(t),
            None => Vals::F64(Cow::Owned(vec![f64::NAN; arr.len()])),
        },
    };
    Some((values, present(arr)))
}

/// `decimal128` values: scaled integers when they fit, else decimal text.
fn decimals(arr: &dyn Array, scale: i8) -> Option<Vals<'_>> {
    let a = arr.as_primitive_opt::<Decimal128Type>()?;
    let vals = a.values();
    if (0..=28).contains(&scale) && vals.iter().all(|&x| i64::try_from(x).is_ok()) {
        let scaled = vals.iter().map(|&x| i64::try_from(x).unwrap_or(0)).collect();
        return Some(Vals::Scaled(scaled, u32::from(scale.unsigned_abs())));
    }
    Some(Vals::Owned(vals.iter().map(|&x| decimal_text(x, scale)).collect()))
}

/// Other decimal widths: as decimal text (exact; the core reads money text exactly).
fn wide_decimals<T: DecimalType>(arr: &dyn Array, scale: i8) -> Option<Vals<'_>> {
    let a = arr.as_primitive_opt::<T>()?;
    Some(Vals::Owned(a.values().iter().map(|x| scaled_text(&x.to_string(), scale)).collect()))
}

/// The decimal text of `units × 10^-scale`.
fn decimal_text(units: i128, scale: i8) -> String {
    scaled_text(&units.to_string(), scale)
}

/// The decimal text of an integer's text times `10^-scale`.
fn scaled_text(units: &str, scale: i8) -> String {
    let (sign, digits) = match units.strip_prefix('-') {
        Some(d) => ("-", d.to_owned()),
        None => ("", units.to_owned()),
    };
    let zero = digits.bytes().all(|b| b == b'0');
    if scale <= 0 {
        let zeros = "0".repeat(usize::from(scale.unsigned_abs()));
        return if zero { "0".into() } else { format!("{sign}{digits}{zeros}") };
    }
    let s = usize::from(scale.unsigned_abs());
    let padded = if digits.len() <= s { format!("{}{digits}", "0".repeat(s + 1 - digits.len())) } else { digits };
    let (int, frac) = padded.split_at(padded.len() - s);
    format!("{sign}{int}.{frac}")
}

/// List offsets as `usize`, when no null list holds items (a null list is an empty one).
fn list_offsets<O: OffsetSizeTrait>(l: &GenericListArray<O>) -> Option<Vec<usize>> {
    let offs = l.value_offsets();
    if let Some(nulls) = l.logical_nulls() {
        for (i, valid) in nulls.iter().enumerate() {
            if !valid && offs.get(i) != offs.get(i + 1) {
                return None;
            }
        }
    }
    offs.iter().map(|o| o.to_usize()).collect()
}

/// Offsets and items of a list array.
fn list_parts(arr: &dyn Array) -> Option<(Vec<usize>, &ArrayRef)> {
    if let Some(l) = arr.as_list_opt::<i32>() {
        return Some((list_offsets(l)?, l.values()));
    }
    let l = arr.as_list_opt::<i64>()?;
    Some((list_offsets(l)?, l.values()))
}

/// A list column of items (`paused_from`, `approval_by`, ...): `list<T>`.
fn items<'a>(engine: &Engine, arr: &'a ArrayRef, target: ColumnTarget) -> Option<Prep<'a>> {
    let (offsets, child) = list_parts(arr.as_ref())?;
    let (values, present) = item_values(engine, target, child.as_ref())?;
    Some(Prep { target, values, present, offsets: Some(offsets) })
}

/// Roles and evidence items given as dictionaries: resolved once per batch, as indexes
/// (a name the policy does not know reads as an index past its names, which the core
/// judges as it judges the unknown name).
fn named_items<'a>(engine: &Engine, target: ColumnTarget, arr: &'a dyn Array) -> Option<Vals<'a>> {
    let (keys, values) = dictionary(arr)?;
    let max = engine.limits().max_string_len;
    let resolve = |name: &str| match target {
        ColumnTarget::ApprovalRole if name.len() <= max => engine.role(name),
        ColumnTarget::Evidence => engine.evidence_item(name),
        _ => None,
    };
    let ids: Vec<u32> = (0..values.len()).map(|i| resolve(values.get(i)).unwrap_or(u32::MAX)).collect();
    Some(Vals::Index(keys.into_iter().map(|k| ids.get(k).copied().unwrap_or(u32::MAX)).collect()))
}

/// Item values: instants, or texts (roles, approvers, dependencies, evidence).
fn item_values<'a>(engine: &Engine, target: ColumnTarget, child: &'a dyn Array) -> Option<(Vals<'a>, Option<Vec<u8>>)> {
    let values = match child.data_type() {
        DataType::Dictionary(..) if matches!(target, ColumnTarget::ApprovalRole | ColumnTarget::Evidence) => {
            named_items(engine, target, child)?
        }
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Dictionary(..) => {
            Vals::Text(texts(child)?)
        }
        DataType::Null => Vals::I64(Cow::Owned(vec![0; child.len()])),
        _ => return scalars_items(child),
    };
    let present = match child.data_type() {
        DataType::Null => Some(vec![0; child.len()]),
        _ => present(child),
    };
    Some((values, present))
}

fn scalars_items(child: &dyn Array) -> Option<(Vals<'_>, Option<Vec<u8>>)> {
    let values = numbers(child).or_else(|| instants(child))?;
    Some((values, present(child)))
}

/// Timestamps and dates as seconds.
fn instants(arr: &dyn Array) -> Option<Vals<'_>> {
    Some(match arr.data_type() {
        DataType::Timestamp(TimeUnit::Second, _) => {
            Vals::I64(Cow::Borrowed(arr.as_primitive_opt::<TimestampSecondType>()?.values()))
        }
        DataType::Timestamp(TimeUnit::Millisecond, _) => {
            widen::<TimestampMillisecondType>(arr, |x| floor_div(x, 1_000))?
        }
        DataType::Timestamp(TimeUnit::Microsecond, _) => {
            widen::<TimestampMicrosecondType>(arr, |x| floor_div(x, 1_000_000))?
        }
        DataType::Timestamp(TimeUnit::Nanosecond, _) => {
            widen::<TimestampNanosecondType>(arr, |x| floor_div(x, 1_000_000_000))?
        }
        DataType::Date32 => widen::<Date32Type>(arr, |d| i64::from(d) * 86_400)?,
        DataType::Date64 => widen::<Date64Type>(arr, |ms| floor_div(ms, 1_000))?,
        _ => return None,
    })
}

/// Numbers: 64-bit integers and doubles as they lie, other integers widened, other floats
/// as doubles; unsigned 64-bit integers as JSON reads them (whole numbers, or floats
/// beyond the range of `i64`).
fn numbers(arr: &dyn Array) -> Option<Vals<'_>> {
    Some(match arr.data_type() {
        DataType::Int64 => Vals::I64(Cow::Borrowed(arr.as_primitive_opt::<Int64Type>()?.values())),
        DataType::Float64 => Vals::F64(Cow::Borrowed(arr.as_primitive_opt::<Float64Type>()?.values())),
        DataType::Int32 => widen::<Int32Type>(arr, i64::from)?,
        DataType::Int16 => widen::<Int16Type>(arr, i64::from)?,
        DataType::Int8 => widen::<Int8Type>(arr, i64::from)?,
        DataType::UInt32 => widen::<UInt32Type>(arr, i64::from)?,
        DataType::UInt16 => widen::<UInt16Type>(arr, i64::from)?,
        DataType::UInt8 => widen::<UInt8Type>(arr, i64::from)?,
        DataType::UInt64 => {
            let a = arr.as_primitive_opt::<UInt64Type>()?;
            if a.values().iter().all(|&x| i64::try_from(x).is_ok()) {
                widen::<UInt64Type>(arr, |x| i64::try_from(x).unwrap_or(i64::MAX))?
            } else {
                Vals::F64(Cow::Owned(a.values().iter().map(|&x| x as f64).collect()))
            }
        }
        DataType::Float32 => {
            let a = arr.as_primitive_opt::<Float32Type>()?;
            Vals::F64(Cow::Owned(a.values().iter().map(|&x| f64::from(x)).collect()))
        }
        DataType::Float16 => {
            let a = arr.as_primitive_opt::<Float16Type>()?;
            Vals::F64(Cow::Owned(a.values().iter().map(|x| x.to_f64()).collect()))
        }
        _ => return None,
    })
}

/// `evidence` as `list<string>` (or a list of a dictionary of strings): its items.
fn string_items<'a>(engine: &Engine, arr: &'a ArrayRef) -> Option<Prep<'a>> {
    let (offsets, child) = list_parts(arr.as_ref())?;
    if !matches!(
        child.data_type(),
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Dictionary(..)
    ) {
        return None;
    }
    let (values, present) = item_values(engine, ColumnTarget::Evidence, child.as_ref())?;
    Some(Prep { target: ColumnTarget::Evidence, values, present, offsets: Some(offsets) })
}

/// `paused`, `waiting` or `approvals` as a list of structs whose members have the kinds
/// the list columns take: those columns. `None`: read as JSON text instead.
fn entries<'a>(engine: &Engine, arr: &'a ArrayRef, target: ColumnTarget) -> Option<Vec<Prep<'a>>> {
    use ColumnTarget as T;
    let (offsets, child) = list_parts(arr.as_ref())?;
    let s: &StructArray = child.as_struct_opt()?;
    if s.null_count() > 0 {
        return None;
    }
    // The struct's members by name: (name, list column, required, takes instants).
    let members: &[(&str, ColumnTarget, bool, bool)] = match target {
        T::Paused => &[
            ("from", T::PausedFrom, true, true),
            ("to", T::PausedTo, false, true),
            ("reason", T::PausedReason, false, false),
        ],
        T::Waiting => &[
            ("from", T::WaitingFrom, true, true),
            ("to", T::WaitingTo, false, true),
            ("on", T::WaitingOn, true, false),
        ],
        _ => &[
            ("by", T::ApprovalBy, true, false),
            ("role", T::ApprovalRole, true, false),
            ("at", T::ApprovalAt, false, true),
        ],
    };
    // Any other member would be read (and judged) in JSON: leave such lists to it.
    if s.column_names().iter().any(|n| !members.iter().any(|m| m.0 == *n)) {
        return None;
    }
    let mut out = Vec::new();
    for &(name, t, required, instant) in members {
        let Some(col) = s.column_by_name(name) else {
            if required {
                return None;
            }
            continue;
        };
        let ty = col.data_type();
        let (values, present) = if instant {
            let ok = matches!(ty, DataType::Timestamp(..) | DataType::Date32 | DataType::Date64)
                || ty.is_integer()
                || ty.is_floating();
            if !ok {
                return None;
            }
            scalars_items(col.as_ref())?
        } else {
            if !matches!(ty, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Dictionary(..)) {
                return None;
            }
            item_values(engine, t, col.as_ref())?
        };
        out.push(Prep { target: t, values, present, offsets: Some(offsets.clone()) });
    }
    Some(out)
}

/// Key `i` of a dictionary's keys, as an index into its values.
fn key_at(keys: &dyn Array, i: usize) -> Option<usize> {
    if keys.is_null(i) {
        return None;
    }
    macro_rules! key {
        ($($t:ty),*) => {$(
            if let Some(a) = keys.as_primitive_opt::<$t>() {
                return usize::try_from(a.values().get(i).copied()?).ok();
            }
        )*};
    }
    key!(Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type, UInt16Type, UInt32Type, UInt64Type);
    None
}

/// A nested column as the JSON text of each value (null where it is null).
fn json_text(arr: &ArrayRef, target: ColumnTarget) -> Prep<'_> {
    let mut texts = Vec::with_capacity(arr.len());
    for i in 0..arr.len() {
        let mut s = String::new();
        if arr.is_valid(i) {
            json(arr.as_ref(), i, &mut s);
        }
        texts.push(s);
    }
    Prep { target, values: Vals::Owned(texts), present: present(arr.as_ref()), offsets: None }
}

/// Writes value `i` of `arr` as JSON: strings escaped as serde_json does, instants as
/// RFC 3339 text, decimals as decimal text, lists and structs as arrays and objects.
fn json(arr: &dyn Array, i: usize, out: &mut String) {
    if arr.is_null(i) {
        out.push_str("null");
        return;
    }
    let num = |out: &mut String, x: f64| {
        if x.is_finite() {
            let _ = write!(out, "{}", serde_json::Value::from(x));
        } else {
            out.push_str("null");
        }
    };
    match arr.data_type() {
        DataType::Boolean => {
            out.push_str(if arr.as_boolean_opt().is_some_and(|a| a.value(i)) { "true" } else { "false" })
        }
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => {
            let s = Strs::of(arr).map_or("", |s| s.get(i));
            out.push_str(&serde_json::Value::from(s).to_string());
        }
        DataType::Dictionary(..) => match arr.as_any_dictionary_opt() {
            Some(d) => match key_at(d.keys(), i) {
                Some(k) if k < d.values().len() => json(d.values().as_ref(), k, out),
                _ => out.push_str("null"),
            },
            None => out.push_str("null"),
        },
        DataType::Timestamp(..) | DataType::Date32 | DataType::Date64 => match instants(arr) {
            Some(Vals::I64(v)) => match v.get(i) {
                Some(&t) => {
                    let _ = write!(out, "\"{}\"", Rfc3339(t));
                }
                None => out.push_str("null"),
            },
            _ => out.push_str("null"),
        },
        DataType::Decimal128(_, scale) => match arr.as_primitive_opt::<Decimal128Type>() {
            Some(a) => {
                let _ = write!(out, "\"{}\"", decimal_text(a.value(i), *scale));
            }
            None => out.push_str("null"),
        },
        DataType::Decimal32(_, scale) | DataType::Decimal64(_, scale) | DataType::Decimal256(_, scale) => {
            let text = match arr.data_type() {
                DataType::Decimal32(..) => arr.as_primitive_opt::<Decimal32Type>().map(|a| a.value(i).to_string()),
                DataType::Decimal64(..) => arr.as_primitive_opt::<Decimal64Type>().map(|a| a.value(i).to_string()),
                _ => arr.as_primitive_opt::<Decimal256Type>().map(|a| a.value(i).to_string()),
            };
            match text {
                Some(t) => {
                    let _ = write!(out, "\"{}\"", scaled_text(&t, *scale));
                }
                None => out.push_str("null"),
            }
        }
        t if t.is_integer() || t.is_floating() => match numbers(arr) {
            Some(Vals::I64(v)) => {
                let _ = write!(out, "{}", v.get(i).copied().unwrap_or(0));
            }
            Some(Vals::F64(v)) => num(out, v.get(i).copied().unwrap_or(f64::NAN)),
            _ => out.push_str("null"),
        },
        DataType::List(_) | DataType::LargeList(_) => {
            fn range<O: OffsetSizeTrait>(l: &GenericListArray<O>, i: usize) -> (usize, usize) {
                let at = |k: usize| l.value_offsets().get(k).and_then(|o| o.to_usize()).unwrap_or(0);
                (at(i), at(i + 1))
            }
            let ((a, z), child) = match (arr.as_list_opt::<i32>(), arr.as_list_opt::<i64>()) {
                (Some(l), _) => (range(l, i), l.values()),
                (_, Some(l)) => (range(l, i), l.values()),
                _ => {
                    out.push_str("null");
                    return;
                }
            };
            out.push('[');
            for (n, k) in (a..z).enumerate() {
                if n > 0 {
                    out.push(',');
                }
                json(child.as_ref(), k, out);
            }
            out.push(']');
        }
        DataType::FixedSizeList(_, size) => match arr.as_fixed_size_list_opt() {
            Some(l) => {
                let n = usize::try_from(*size).unwrap_or(0);
                out.push('[');
                for k in 0..n {
                    if k > 0 {
                        out.push(',');
                    }
                    json(l.values().as_ref(), i * n + k, out);
                }
                out.push(']');
            }
            None => out.push_str("null"),
        },
        DataType::Struct(fields) => match arr.as_struct_opt() {
            Some(s) => {
                out.push('{');
                for (n, (f, c)) in fields.iter().zip(s.columns()).enumerate() {
                    if n > 0 {
                        out.push(',');
                    }
                    out.push_str(&serde_json::Value::from(f.name().as_str()).to_string());
                    out.push(':');
                    json(c.as_ref(), i, out);
                }
                out.push('}');
            }
            None => out.push_str("null"),
        },
        // Maps, binaries, unions: no JSON value a case key takes.
        _ => out.push_str("null"),
    }
}
