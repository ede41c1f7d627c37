//! Decoding a case record from JSON, or from any serde format, into a [`Case`]: one
//! pass over the record, every key resolved by the policy's key table, every value
//! checked against its field's type (a mismatch is an issue of the case, never an error
//! of the call).

use super::{Case, CaseError, Span};
use crate::engine::Engine;
use crate::issue::{IssueCode, Subject};
use crate::policy::Key;
use crate::time::{Instant, parse_rfc3339};
use crate::value::{FieldType, OTHER_SYM, Packed, Val, decimal_from_f64, parse_decimal};
use alloc::borrow::Cow;
use alloc::string::String;
use core::fmt;
use rust_decimal::Decimal;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

impl Engine {
    /// Decodes a JSON case record into `case` (reusing its buffers). Problems with the
    /// record become the case's issues or its `error`; this never fails.
    ///
    /// ```
    /// # let engine = docket_core::Engine::compile(include_str!("../../../examples/order-ops.policy.json")).unwrap();
    /// let mut case = docket_core::Case::new();
    /// engine.decode_json(r#"{"id":"C-1","kind":"refund","amount":"80","order_id":"O-1","opened_at":"2026-11-23T08:00:00Z"}"#, &mut case);
    /// assert_eq!(case.id(), Some("C-1"));
    /// assert!(case.error().is_none());
    /// ```
    pub fn decode_json(&self, json: &str, case: &mut Case) {
        case.reset(self);
        if json.len() > self.info.limits.max_case_bytes {
            case.set_error(CaseError::TooLarge);
            return;
        }
        let mut de = serde_json::Deserializer::from_str(json);
        let seed = CaseSeed { engine: self, case: &mut *case };
        let res = serde::de::DeserializeSeed::deserialize(seed, &mut de).and_then(|()| de.end());
        match res {
            Ok(()) => case.finish(self, true),
            Err(e) => case.set_error(if e.is_data() { CaseError::NotAnObject } else { CaseError::BadJson }),
        }
    }

    /// Decodes a case from any serde deserializer (e.g. `serde_wasm_bindgen`).
    /// Returns the deserializer's error if the input is structurally unreadable; the case
    /// then carries `error` `not_an_object`.
    pub fn decode<'de, D: serde::Deserializer<'de>>(&self, de: D, case: &mut Case) -> Result<(), D::Error> {
        case.reset(self);
        let seed = CaseSeed { engine: self, case: &mut *case };
        match serde::de::DeserializeSeed::deserialize(seed, de) {
            Ok(()) => {
                case.finish(self, true);
                Ok(())
            }
            Err(e) => {
                case.set_error(CaseError::NotAnObject);
                Err(e)
            }
        }
    }
}

impl Case {
    /// Sets a key to a value given as JSON text, as decoding a record with it would;
    /// `false` when the text is not JSON (the record would not parse).
    pub(crate) fn set_json(&mut self, engine: &Engine, key: Key, json: &str) -> bool {
        let mut de = serde_json::Deserializer::from_str(json);
        let res = match list_of(key) {
            Some((what, name)) => {
                ListSeed { engine, case: &mut *self, what }.deserialize(&mut de).map(|ok| ok.then_some(()).ok_or(name))
            }
            None => <Scalar<'_> as de::Deserialize>::deserialize(&mut de).map(|v| {
                self.set_scalar(engine, key, v);
                Ok(())
            }),
        };
        match res.and_then(|r| de.end().map(|()| r)) {
            Ok(Ok(())) => true,
            Ok(Err(name)) => {
                self.bad_key(name);
                true
            }
            Err(_) => false,
        }
    }
}

/// A scalar read from any serde format; composite values are skipped.
pub(crate) enum Scalar<'de> {
    Null,
    Bool(bool),
    I64(i64),
    U64(u64),
    F64(f64),
    Str(Cow<'de, str>),
    /// An instant already in seconds (columnar hosts; never produced by serde).
    Instant(Instant),
    Other,
}

impl<'de> de::Deserialize<'de> for Scalar<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Scalar<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a value")
            }
            fn visit_unit<E>(self) -> Result<Scalar<'de>, E> {
                Ok(Scalar::Null)
            }
            fn visit_none<E>(self) -> Result<Scalar<'de>, E> {
                Ok(Scalar::Null)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Scalar<'de>, D::Error> {
                <Scalar<'de> as de::Deserialize<'de>>::deserialize(d)
            }
            fn visit_bool<E>(self, v: bool) -> Result<Scalar<'de>, E> {
                Ok(Scalar::Bool(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Scalar<'de>, E> {
                Ok(Scalar::I64(v))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Scalar<'de>, E> {
                Ok(Scalar::U64(v))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Scalar<'de>, E> {
                Ok(Scalar::F64(v))
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Scalar<'de>, E> {
                Ok(Scalar::Str(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Scalar<'de>, E> {
                Ok(Scalar::Str(Cow::Owned(v.into())))
            }
            fn visit_string<E>(self, v: String) -> Result<Scalar<'de>, E> {
                Ok(Scalar::Str(Cow::Owned(v)))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Scalar<'de>, A::Error> {
                while a.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Scalar::Other)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Scalar<'de>, A::Error> {
                while a.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Scalar::Other)
            }
        }
        d.deserialize_any(V)
    }
}

impl Scalar<'_> {
    fn as_str(&self) -> Option<&str> {
        match self {
            Scalar::Str(s) => Some(s),
            _ => None,
        }
    }
    /// An RFC 3339 instant within the range a case may carry (1970 through 2099).
    fn timestamp(&self) -> Option<Instant> {
        match self {
            Scalar::Instant(t) => Some(*t),
            other => other.as_str().and_then(parse_rfc3339),
        }
        .filter(|t| (crate::time::EARLIEST_CASE_INSTANT..=crate::time::LATEST_CASE_INSTANT).contains(t))
    }
}

/// A map key, borrowed when the format allows.
struct KeyStr<'de>(Cow<'de, str>);

impl<'de> de::Deserialize<'de> for KeyStr<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = KeyStr<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string key")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<KeyStr<'de>, E> {
                Ok(KeyStr(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<KeyStr<'de>, E> {
                Ok(KeyStr(Cow::Owned(v.into())))
            }
            fn visit_string<E>(self, v: String) -> Result<KeyStr<'de>, E> {
                Ok(KeyStr(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

/// Decodes one case record into a [`Case`] buffer.
pub(crate) struct CaseSeed<'a> {
    pub engine: &'a Engine,
    pub case: &'a mut Case,
}

impl<'de> DeserializeSeed<'de> for CaseSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for CaseSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a case object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let (engine, case) = (self.engine, self.case);
        while let Some(KeyStr(key)) = map.next_key()? {
            match engine.input.key(&key) {
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
                Some(k) => match list_of(k) {
                    Some((what, name)) => {
                        let ok = map.next_value_seed(ListSeed { engine, case: &mut *case, what })?;
                        if !ok {
                            case.bad_key(name);
                        }
                    }
                    None => {
                        let v: Scalar<'_> = map.next_value()?;
                        case.set_scalar(engine, k, v);
                    }
                },
            }
        }
        Ok(())
    }
}

impl Case {
    /// Sets a scalar key (anything but the lists) as decoding does.
    pub(crate) fn set_scalar(&mut self, engine: &Engine, key: Key, v: Scalar<'_>) {
        match key {
            Key::Id => match v.as_str() {
                Some(s) if !s.is_empty() && s.len() <= engine.info.limits.max_string_len => {
                    self.id = Some(Span::push(&mut self.text, s));
                    self.id_seen = 1;
                }
                Some(s) if !s.is_empty() => self.id_seen = 3,
                _ => self.id_seen = if matches!(v, Scalar::Null) { 0 } else { 2 },
            },
            Key::OpenedAt => {
                self.opened_at = v.timestamp();
                self.opened_seen = match (&v, self.opened_at) {
                    (_, Some(_)) => 1,
                    (Scalar::Null, None) => 0,
                    _ => 2,
                };
            }
            Key::Completed(m) => {
                let t = match &v {
                    Scalar::Null => None,
                    other => match other.timestamp() {
                        Some(t) => Some(t),
                        None => {
                            self.issue(IssueCode::BadType, Subject::Metric(m));
                            None
                        }
                    },
                };
                if let Some(c) = self.completed.get_mut(m as usize) {
                    *c = t;
                }
            }
            Key::Currency => match v {
                Scalar::Null => {}
                Scalar::Str(s) if s.len() <= 16 => self.currency = Some(Span::push(&mut self.text, &s)),
                _ => {
                    self.currency_bad = true;
                    self.issue(IssueCode::BadType, Subject::Key("currency"));
                }
            },
            Key::RequestedBy => match v {
                Scalar::Null => {}
                Scalar::Str(s) if s.len() <= engine.info.limits.max_string_len => {
                    self.requested_by = Some(Span::push(&mut self.text, &s));
                }
                _ => self.issue(IssueCode::BadType, Subject::Key("requested_by")),
            },
            Key::Field(slot) => {
                let is_kind = slot == engine.input.kind_slot;
                let val = field_value(engine, slot, &v);
                if is_kind {
                    self.kind_seen = match v {
                        Scalar::Null => 0,
                        Scalar::Str(_) => 1,
                        _ => 2,
                    };
                }
                let (val, code) = match val {
                    Ok(val) => (val, None),
                    Err(code) => (Val::Absent, Some(code)),
                };
                if let Some(x) = self.value_mut(engine, slot) {
                    *x = Packed::pack(val);
                }
                if let Some(code) = code
                    && !(is_kind && self.kind_seen == 2)
                {
                    self.issue(code, Subject::Field(slot));
                }
            }
            // Lists are decoded by `ListSeed`.
            Key::Paused | Key::Approvals | Key::Evidence => {}
        }
    }
}

/// Decodes a field's value; `Err` carries the intake issue.
fn field_value(engine: &Engine, slot: u16, v: &Scalar<'_>) -> Result<Val, IssueCode> {
    let Some(f) = engine.input.schema.fields.get(slot as usize) else { return Ok(Val::Absent) };
    if matches!(v, Scalar::Null) {
        return Ok(Val::Absent);
    }
    let bad = IssueCode::BadType;
    Ok(match f.ty {
        FieldType::Enum => {
            let s = v.as_str().ok_or(bad)?;
            Val::Sym(f.sym(s).ok_or(IssueCode::UnknownEnumValue)?)
        }
        FieldType::String => {
            let s = v.as_str().ok_or(bad)?;
            if s.len() > engine.info.limits.max_string_len {
                return Err(bad);
            }
            Val::Sym(f.sym(s).unwrap_or(OTHER_SYM))
        }
        FieldType::Bool => match v {
            Scalar::Bool(b) => Val::Bool(*b),
            _ => return Err(bad),
        },
        FieldType::Integer => match v {
            Scalar::I64(i) => Val::Dec(Decimal::from(*i)),
            Scalar::U64(u) => Val::Dec(Decimal::from(*u)),
            Scalar::F64(x) if x.abs() < 9.0e15 && *x == (*x as i64) as f64 => {
                Val::Dec(decimal_from_f64(*x).ok_or(bad)?)
            }
            _ => return Err(bad),
        },
        FieldType::Number => match v {
            Scalar::I64(i) => Val::Num(*i as f64),
            Scalar::U64(u) => Val::Num(*u as f64),
            // JSON has no NaN or infinity; a host's non-finite number is not a number.
            Scalar::F64(x) if x.is_finite() => Val::Num(*x),
            _ => return Err(bad),
        },
        FieldType::Money => match v {
            Scalar::I64(i) => Val::Dec(Decimal::from(*i)),
            Scalar::U64(u) => Val::Dec(Decimal::from(*u)),
            Scalar::F64(x) => Val::Dec(decimal_from_f64(*x).ok_or(bad)?),
            Scalar::Str(s) => Val::Dec(parse_decimal(s.trim()).ok_or(bad)?),
            _ => return Err(bad),
        },
        FieldType::Timestamp => Val::Time(v.timestamp().ok_or(bad)?),
    })
}

/// The list a key names, with the key's name.
pub(super) fn list_of(key: Key) -> Option<(List, &'static str)> {
    match key {
        Key::Paused => Some((List::Paused, "paused")),
        Key::Approvals => Some((List::Approvals, "approvals")),
        Key::Evidence => Some((List::Evidence, "evidence")),
        _ => None,
    }
}

#[derive(Clone, Copy)]
pub(super) enum List {
    Paused,
    Approvals,
    Evidence,
}

/// Decodes `paused`, `approvals` or `evidence`; yields `false` when the shape is wrong.
struct ListSeed<'a> {
    engine: &'a Engine,
    case: &'a mut Case,
    what: List,
}

impl<'de> DeserializeSeed<'de> for ListSeed<'_> {
    type Value = bool;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ListSeed<'_> {
    type Value = bool;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list")
    }
    fn visit_unit<E>(self) -> Result<bool, E> {
        Ok(true)
    }
    fn visit_none<E>(self) -> Result<bool, E> {
        Ok(true)
    }
    fn visit_bool<E>(self, _: bool) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_i64<E>(self, _: i64) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_u64<E>(self, _: u64) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_f64<E>(self, _: f64) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_str<E>(self, _: &str) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<bool, A::Error> {
        while a.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(false)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<bool, A::Error> {
        let (engine, case) = (self.engine, self.case);
        let mut ok = true;
        let max = engine.info.limits.max_list_len;
        let mut n = 0usize;
        match self.what {
            List::Evidence => {
                while let Some(s) = a.next_element::<Scalar<'_>>()? {
                    n += 1;
                    match s.as_str() {
                        Some(s) if n <= max => {
                            if let Some(i) = engine.rights.evidence_sym(s) {
                                case.evidence.push(i);
                            }
                        }
                        _ => ok = false,
                    }
                }
            }
            List::Paused | List::Approvals => {
                let mut told = false;
                while let Some(e) = a.next_element::<Entry<'_>>()? {
                    n += 1;
                    // The list's own issue comes before those of later entries, as when
                    // a host sets the entries one by one (`CaseBuilder::approval`).
                    if !ok && !told && matches!(self.what, List::Approvals) {
                        case.bad_key("approvals");
                        told = true;
                    }
                    if n > max {
                        ok = false;
                        continue;
                    }
                    match (self.what, e) {
                        (List::Paused, Entry { from: Some(f), to, bad: false, .. }) => {
                            let from = f.timestamp();
                            let to_t = to.as_ref().and_then(Scalar::timestamp);
                            let to_ok = matches!(to, None | Some(Scalar::Null)) || to_t.is_some();
                            match from {
                                Some(from) if to_ok && to_t.is_none_or(|t| t >= from) => case.pauses.push((from, to_t)),
                                _ => ok = false,
                            }
                        }
                        (List::Approvals, Entry { role: Some(r), by: Some(b), at, bad: false, .. }) => {
                            match (r.as_str(), b.as_str()) {
                                (Some(r), Some(b)) => {
                                    let role = engine.rights.role_index(r).unwrap_or(u32::MAX);
                                    let at = match at {
                                        None | Some(Scalar::Null) => Ok(None),
                                        Some(t) => t.timestamp().map(Some).ok_or(()),
                                    };
                                    case.approval(engine, n - 1, role, b, at);
                                }
                                _ => ok = false,
                            }
                        }
                        _ => ok = false,
                    }
                }
            }
        }
        Ok(ok)
    }
}

/// An element of `paused` or `approvals`.
#[derive(Default)]
struct Entry<'de> {
    from: Option<Scalar<'de>>,
    to: Option<Scalar<'de>>,
    role: Option<Scalar<'de>>,
    by: Option<Scalar<'de>>,
    at: Option<Scalar<'de>>,
    bad: bool,
}

impl<'de> de::Deserialize<'de> for Entry<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Entry<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Entry<'de>, A::Error> {
                let mut e = Entry::default();
                while let Some(KeyStr(k)) = a.next_key()? {
                    let slot = match &*k {
                        "from" => &mut e.from,
                        "to" => &mut e.to,
                        "role" => &mut e.role,
                        "by" => &mut e.by,
                        "at" => &mut e.at,
                        _ => {
                            a.next_value::<IgnoredAny>()?;
                            continue;
                        }
                    };
                    *slot = Some(a.next_value()?);
                }
                Ok(e)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Entry<'de>, A::Error> {
                while a.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Entry { bad: true, ..Entry::default() })
            }
            fn visit_unit<E>(self) -> Result<Entry<'de>, E> {
                Ok(Entry { bad: true, ..Entry::default() })
            }
            fn visit_bool<E>(self, _: bool) -> Result<Entry<'de>, E> {
                Ok(Entry { bad: true, ..Entry::default() })
            }
            fn visit_i64<E>(self, _: i64) -> Result<Entry<'de>, E> {
                Ok(Entry { bad: true, ..Entry::default() })
            }
            fn visit_u64<E>(self, _: u64) -> Result<Entry<'de>, E> {
                Ok(Entry { bad: true, ..Entry::default() })
            }
            fn visit_f64<E>(self, _: f64) -> Result<Entry<'de>, E> {
                Ok(Entry { bad: true, ..Entry::default() })
            }
            fn visit_str<E>(self, _: &str) -> Result<Entry<'de>, E> {
                Ok(Entry { bad: true, ..Entry::default() })
            }
        }
        d.deserialize_any(V)
    }
}
