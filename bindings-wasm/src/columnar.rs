//! The columnar form, for hosts that hold tens of thousands of cases.
//!
//! Input (`ColumnarCases`): `{ length, strings, columns }`, one typed array per case
//! key, every array at least `length` long:
//!
//! | array | meaning of entry `i` | absent |
//! |---|---|---|
//! | `Int32Array` | `strings[v]`; for `paused`, `approvals`, `evidence` the list as JSON text | `-1` (any negative) |
//! | `Float64Array` | a number; for `opened_at`, `<metric>_at` and timestamp fields, epoch **seconds** | `NaN` |
//! | `Uint8Array` | a bool: `0` false, `1` true | any other value |
//!
//! Each row is set on the core's `CellDecoder` (one resolved key per column, no JSON
//! except list cells), so a row decodes exactly like the same case as an object. Output
//! (`ColumnarOutcomes`): typed arrays of indexes into name tables (`-1` = none), SLA
//! clocks per metric, counts of issues and approval steps.

use crate::error::{Failure, set};
use docket_core::time::Instant;
use docket_core::value::FieldType;
use docket_core::{Case, CaseKey, Cell, CellDecoder, Engine, Outcome, SlaState};
use js_sys::{Array, Float64Array, Int8Array, Int32Array, Object, Reflect, Uint8Array, Uint32Array};
use wasm_bindgen::{JsCast, JsValue};

/// SLA states in the order of `names.states`.
const STATES: [SlaState; 6] =
    [SlaState::Met, SlaState::Missed, SlaState::Ok, SlaState::Warning, SlaState::Breached, SlaState::Paused];

/// How a column's values are read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Plain,
    Timestamp,
    JsonList,
}

enum Data {
    Str(Vec<i32>),
    Num(Vec<f64>),
    Bool(Vec<u8>),
}

struct Column {
    key: String,
    role: Role,
    data: Data,
}

/// A columnar batch copied out of JS memory and checked.
pub(crate) struct Batch {
    len: usize,
    strings: Strings,
    columns: Vec<Column>,
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
    fn get(&self, i: usize) -> Option<&str> {
        let start = if i == 0 { 0 } else { *self.ends.get(i - 1)? };
        self.text.get(start..*self.ends.get(i)?)
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
                let s = s.as_string().ok_or_else(|| Failure::argument(format!("`strings[{i}]` is not a string")))?;
                out.text.push_str(&s);
                out.ends.push(out.text.len());
            }
            return Ok(out);
        }
        let shape = "`strings` must be an array of strings or { bytes: Uint8Array, offsets: Uint32Array }";
        if !v.is_object() {
            return Err(Failure::argument(shape));
        }
        let bytes = get(v, "bytes")?.dyn_into::<Uint8Array>().map_err(|_| Failure::argument(shape))?;
        let offsets = get(v, "offsets")?.dyn_into::<Uint32Array>().map_err(|_| Failure::argument(shape))?;
        out.text = String::from_utf8(bytes.to_vec()).map_err(|e| {
            Failure::argument(format!("`strings.bytes` is not valid UTF-8 at byte {}", e.utf8_error().valid_up_to()))
        })?;
        let offsets = offsets.to_vec();
        let mut prev = offsets.first().copied().unwrap_or(0) as usize;
        if prev != 0 {
            return Err(Failure::argument("`strings.offsets` must start at 0"));
        }
        for (i, &o) in offsets.iter().enumerate().skip(1) {
            let o = o as usize;
            if o < prev || o > out.text.len() || !out.text.is_char_boundary(o) {
                return Err(Failure::argument(format!(
                    "`strings.offsets[{i}]` = {o} is not a UTF-8 boundary in `strings.bytes` at or after offsets[{}]",
                    i - 1
                )));
            }
            out.ends.push(o);
            prev = o;
        }
        Ok(out)
    }
}

fn get(obj: &JsValue, key: &str) -> Result<JsValue, Failure> {
    Reflect::get(obj, &JsValue::from_str(key))
        .map_err(|_| Failure::argument(format!("cannot read `{key}` of the batch")))
}

impl Batch {
    /// Reads and validates `{ length, strings, columns }`.
    pub(crate) fn read(engine: &Engine, batch: &JsValue) -> Result<Batch, Failure> {
        if !batch.is_object() {
            return Err(Failure::argument("the columnar batch must be an object { length, strings, columns }"));
        }
        let len = get(batch, "length")?
            .as_f64()
            .filter(|n| n.fract() == 0.0 && *n >= 0.0 && *n <= engine.limits().max_cases_per_call as f64)
            .ok_or_else(|| {
                Failure::argument(format!(
                    "`length` must be a whole number of cases from 0 to {}",
                    engine.limits().max_cases_per_call
                ))
            })? as usize;
        let strings = Strings::read(&get(batch, "strings")?)?;
        let cols_v = get(batch, "columns")?;
        if !cols_v.is_object() {
            return Err(Failure::argument("`columns` must be an object of typed arrays"));
        }
        let cols_obj: &Object = cols_v.unchecked_ref();
        let mut columns = Vec::new();
        for entry in Object::entries(cols_obj).iter() {
            let entry: Array = entry.unchecked_into();
            let key = entry.get(0).as_string().unwrap_or_default();
            let v = entry.get(1);
            let data = if let Some(a) = v.dyn_ref::<Int32Array>() {
                let d = a.to_vec();
                if let Some((row, bad)) =
                    d.iter().take(len).enumerate().find(|(_, x)| **x >= 0 && **x as usize >= strings.len())
                {
                    return Err(Failure::argument(format!(
                        "column `{key}` row {row}: string index {bad} is outside `strings` ({} entries)",
                        strings.len()
                    )));
                }
                Data::Str(d)
            } else if let Some(a) = v.dyn_ref::<Float64Array>() {
                Data::Num(a.to_vec())
            } else if let Some(a) = v.dyn_ref::<Uint8Array>() {
                Data::Bool(a.to_vec())
            } else {
                return Err(Failure::argument(format!(
                    "column `{key}` must be an Int32Array (string indexes), a Float64Array or a Uint8Array (bools)"
                )));
            };
            let n = match &data {
                Data::Str(d) => d.len(),
                Data::Num(d) => d.len(),
                Data::Bool(d) => d.len(),
            };
            if n < len {
                return Err(Failure::argument(format!("column `{key}` has {n} entries; `length` is {len}")));
            }
            columns.push(Column { role: role(engine, &key), key, data });
        }
        Ok(Batch { len, strings, columns })
    }
}

fn role(engine: &Engine, key: &str) -> Role {
    if matches!(key, "paused" | "approvals" | "evidence") {
        return Role::JsonList;
    }
    if key == "opened_at"
        || key.strip_suffix("_at").is_some_and(|m| engine.metrics().any(|x| x == m))
        || engine.fields().any(|(n, t)| n == key && t == FieldType::Timestamp)
    {
        return Role::Timestamp;
    }
    Role::Plain
}

impl Column {
    fn present(&self, row: usize) -> bool {
        match &self.data {
            Data::Str(d) => d.get(row).is_some_and(|x| *x >= 0),
            Data::Num(d) => d.get(row).is_some_and(|x| !x.is_nan()),
            Data::Bool(d) => d.get(row).is_some_and(|x| *x <= 1),
        }
    }
}

/// Sets row `row` of the batch on a cell decoder: each present cell as the value it
/// stands for (strings from the table, whole numbers as integers, timestamps as instants,
/// lists as JSON text), so a row decodes exactly like the same case as an object.
fn feed_row(batch: &Batch, keys: &[Option<CaseKey>], row: usize, d: &mut CellDecoder<'_>) {
    for (c, key) in batch.columns.iter().zip(keys) {
        let Some(key) = *key else { continue };
        if !c.present(row) {
            continue;
        }
        match &c.data {
            Data::Str(v) => {
                let s =
                    v.get(row).and_then(|&i| usize::try_from(i).ok()).and_then(|i| batch.strings.get(i)).unwrap_or("");
                if c.role == Role::JsonList {
                    d.set_json(key, s);
                } else {
                    d.set(key, Cell::Str(s));
                }
            }
            Data::Num(v) => {
                let x = v.get(row).copied().unwrap_or(f64::NAN);
                let cell = if c.role == Role::Timestamp {
                    // Beyond a JS Date's range the stamp reads as malformed.
                    if x.abs() <= 8.64e12 { Cell::Instant(x.floor() as Instant) } else { Cell::Str("") }
                } else if x.fract() == 0.0 && x.abs() < 9.007_199_254_740_992e15 {
                    Cell::Int(x as i64)
                } else {
                    Cell::Num(x)
                };
                d.set(key, cell);
            }
            Data::Bool(v) => {
                d.set(key, Cell::Bool(v.get(row).copied() == Some(1)));
            }
        }
    }
}

/// Evaluates every row and fills the result columns.
pub(crate) fn evaluate(
    engine: &Engine,
    batch: &Batch,
    now: Instant,
    case: &mut Case,
    out: &mut Outcome,
) -> Result<JsValue, Failure> {
    let n = batch.len;
    let metrics: Vec<&str> = engine.metrics().collect();
    let m = metrics.len();
    let mut error = vec![-1i32; n];
    let mut queue = vec![-1i32; n];
    let mut priority = vec![-1i32; n];
    let mut band = vec![-1i32; n];
    let mut open = vec![0u8; n];
    let mut invalid = vec![0u8; n];
    let mut issues = vec![0u32; n];
    let mut steps = vec![0u32; n];
    let mut remaining = vec![0u32; n];
    let mut state = vec![vec![-1i8; n]; m];
    let mut due = vec![vec![f64::NAN; n]; m];
    let mut elapsed = vec![vec![f64::NAN; n]; m];
    let mut target = vec![vec![f64::NAN; n]; m];
    let mut level = vec![vec![-1i32; n]; m];
    let mut errors: Vec<&'static str> = Vec::new();
    let keys: Vec<Option<CaseKey>> = batch.columns.iter().map(|c| engine.case_key(&c.key)).collect();

    for row in 0..n {
        let mut d = engine.decode_cells(case);
        feed_row(batch, &keys, row, &mut d);
        d.finish();
        engine.evaluate(case, now, out);
        let at = |v: &mut Vec<i32>, x: Option<u32>| {
            if let (Some(slot), Some(x)) = (v.get_mut(row), x) {
                *slot = x as i32;
            }
        };
        if let Some(e) = out.error() {
            let code = e.code();
            let idx = match errors.iter().position(|c| *c == code) {
                Some(i) => i,
                None => {
                    errors.push(code);
                    errors.len() - 1
                }
            };
            at(&mut error, Some(idx as u32));
            continue;
        }
        at(&mut queue, out.queue_index());
        at(&mut priority, out.priority_index());
        at(&mut band, out.band_index());
        let put = |v: &mut Vec<u8>, x: bool| {
            if let Some(slot) = v.get_mut(row) {
                *slot = u8::from(x);
            }
        };
        put(&mut open, out.is_open());
        put(&mut invalid, out.invalid());
        let count = |v: &mut Vec<u32>, x: usize| {
            if let Some(slot) = v.get_mut(row) {
                *slot = x as u32;
            }
        };
        count(&mut issues, out.issues().len());
        count(&mut steps, out.steps().len());
        count(&mut remaining, out.steps().iter().filter(|s| out.done_by(s).is_none()).count());
        for (k, mo) in out.sla().iter().enumerate().take(m) {
            let Some(mo) = mo else { continue };
            let cell = |v: &mut Vec<Vec<f64>>, x: f64| {
                if let Some(slot) = v.get_mut(k).and_then(|c| c.get_mut(row)) {
                    *slot = x;
                }
            };
            cell(&mut due, mo.due.map_or(f64::NAN, |d| d as f64));
            cell(&mut elapsed, mo.elapsed_s as f64);
            cell(&mut target, mo.target_s as f64);
            if let Some(slot) = state.get_mut(k).and_then(|c| c.get_mut(row)) {
                *slot = STATES.iter().position(|s| *s == mo.state).map_or(-1, |i| i as i8);
            }
            if let (Some(slot), Some(esc)) = (level.get_mut(k).and_then(|c| c.get_mut(row)), mo.escalation) {
                *slot = esc.level as i32;
            }
        }
    }

    let res = Object::new();
    set(&res, "length", &JsValue::from_f64(n as f64));
    set(&res, "error", &Int32Array::from(error.as_slice()).into());
    set(&res, "queue", &Int32Array::from(queue.as_slice()).into());
    set(&res, "priority", &Int32Array::from(priority.as_slice()).into());
    set(&res, "band", &Int32Array::from(band.as_slice()).into());
    set(&res, "open", &Uint8Array::from(open.as_slice()).into());
    set(&res, "invalid", &Uint8Array::from(invalid.as_slice()).into());
    set(&res, "issues", &Uint32Array::from(issues.as_slice()).into());
    set(&res, "steps", &Uint32Array::from(steps.as_slice()).into());
    set(&res, "remaining", &Uint32Array::from(remaining.as_slice()).into());
    let sla = Object::new();
    for (k, name) in metrics.iter().enumerate() {
        let mc = Object::new();
        let f = |v: &Vec<Vec<f64>>| -> JsValue { Float64Array::from(v.get(k).map_or(&[][..], Vec::as_slice)).into() };
        set(&mc, "state", &Int8Array::from(state.get(k).map_or(&[][..], Vec::as_slice)).into());
        set(&mc, "due", &f(&due));
        set(&mc, "elapsed", &f(&elapsed));
        set(&mc, "target", &f(&target));
        set(&mc, "level", &Int32Array::from(level.get(k).map_or(&[][..], Vec::as_slice)).into());
        set(&sla, name, &mc.into());
    }
    set(&res, "sla", &sla.into());
    let names = Object::new();
    let list = |it: &mut dyn Iterator<Item = &str>| -> JsValue { it.map(JsValue::from_str).collect::<Array>().into() };
    set(&names, "queues", &list(&mut engine.queues()));
    set(&names, "priorities", &list(&mut engine.priorities().iter().map(String::as_str)));
    set(&names, "bands", &list(&mut engine.bands()));
    set(&names, "states", &list(&mut STATES.iter().map(|s| s.as_str())));
    set(&names, "errors", &list(&mut errors.iter().copied()));
    set(&res, "names", &names.into());
    Ok(res.into())
}

#[cfg(test)]
mod tests {
    use super::{Role, role};

    #[test]
    fn column_roles_follow_the_policy() {
        let engine = docket_core::Engine::compile(include_str!("../../examples/order-ops.policy.json"))
            .unwrap_or_else(|e| unreachable!("example policy: {e}"));
        assert!(role(&engine, "opened_at") == Role::Timestamp);
        // `response` and `resolution` are the example's metrics; `promised_at` a timestamp field.
        assert!(role(&engine, "response_at") == Role::Timestamp);
        assert!(role(&engine, "resolution_at") == Role::Timestamp);
        assert!(role(&engine, "promised_at") == Role::Timestamp);
        assert!(role(&engine, "shipped_at") == Role::Plain);
        assert!(role(&engine, "amount") == Role::Plain);
        for k in ["paused", "approvals", "evidence"] {
            assert!(role(&engine, k) == Role::JsonList);
        }
    }
}
