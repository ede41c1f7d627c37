//! Decoding a case record from JSON, or from any serde format, into a [`Case`]: one
//! pass over the record, every key resolved by the policy's key table, every value
//! checked against its field's type (a mismatch is an issue of the case, never an error
//! of the call).

use super::{Case, CaseError, Span, bad_approval};
use crate::engine::Engine;
use crate::issue::{IssueCode, Subject};
use crate::policy::Key;
use crate::time::{Instant, parse_rfc3339};
use crate::value::{FieldType, OTHER_SYM, Packed, Val, decimal_from_f64, parse_decimal};
use alloc::borrow::Cow;
use alloc::string::String;
use core::cell::Cell;
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
        let seed = CaseSeed { engine: self, case: &mut *case, budget: Budget::NONE };
        let res = serde::de::DeserializeSeed::deserialize(seed, &mut de).and_then(|()| de.end());
        match res {
            Ok(()) => case.finish(self, true),
            Err(e) => case.set_error(if e.is_data() { CaseError::NotAnObject } else { CaseError::BadJson }),
        }
    }

    /// Decodes a case from any serde deserializer (e.g. `serde_wasm_bindgen`, a
    /// `serde_json::Value`). Returns the deserializer's error if the input is structurally
    /// unreadable; the case then carries `error` `not_an_object`.
    ///
    /// `max_case_bytes` applies as it does to JSON text, on the length the record would
    /// have written as compact JSON, counted as it is read: every string (key or value)
    /// its UTF-8 bytes and two quotes, every key a colon, every other scalar one byte,
    /// every list or object one byte and one per element. The count never exceeds the
    /// record's JSON text, so a record whose JSON fits is never refused. Once the count
    /// is over the limit, decoding stops with an error and the case carries `error`
    /// `too_large`.
    ///
    /// ```
    /// # let engine = docket_core::Engine::compile(include_str!("../../../examples/order-ops.policy.json")).unwrap();
    /// let mut case = docket_core::Case::new();
    /// let big = serde_json::json!({"id": "C-1", "note": "x".repeat(2 << 20)});
    /// assert!(engine.decode(&big, &mut case).is_err());
    /// assert_eq!(case.error().map(|e| e.code()), Some("too_large"));
    /// ```
    pub fn decode<'de, D: serde::Deserializer<'de>>(&self, de: D, case: &mut Case) -> Result<(), D::Error> {
        case.reset(self);
        let spent = Spent { used: Cell::new(0), max: self.info.limits.max_case_bytes };
        let seed = CaseSeed { engine: self, case: &mut *case, budget: Budget(Some(&spent)) };
        match serde::de::DeserializeSeed::deserialize(seed, de) {
            Ok(()) => {
                case.finish(self, true);
                Ok(())
            }
            Err(e) => {
                case.set_error(if spent.over() { CaseError::TooLarge } else { CaseError::NotAnObject });
                Err(e)
            }
        }
    }
}

/// Bytes of a serde-decoded record read so far (see [`Engine::decode`]).
pub(crate) struct Spent {
    used: Cell<usize>,
    max: usize,
}

impl Spent {
    fn over(&self) -> bool {
        self.used.get() > self.max
    }
}

/// What a record may still read: `Some` for a serde-decoded record, counted against
/// `max_case_bytes`; `None` for JSON text, whose length is checked before decoding.
#[derive(Clone, Copy)]
pub(crate) struct Budget<'b>(Option<&'b Spent>);

impl Budget<'_> {
    const NONE: Budget<'static> = Budget(None);

    /// Counts `n` bytes; an error once the record is over the limit.
    #[inline(always)]
    pub(super) fn spend<E: de::Error>(self, n: usize) -> Result<(), E> {
        match self.0 {
            None => Ok(()),
            Some(s) => {
                s.used.set(s.used.get().saturating_add(n));
                if s.over() { Err(E::custom("the record exceeds max_case_bytes")) } else { Ok(()) }
            }
        }
    }
}

/// Skips a value, counting it against a [`Budget`] (as `IgnoredAny` without one).
#[derive(Clone, Copy)]
pub(super) struct Skip<'b>(pub(super) Budget<'b>);

impl<'de> DeserializeSeed<'de> for Skip<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        match self.0.0 {
            None => <IgnoredAny as de::Deserialize>::deserialize(d).map(|_| ()),
            Some(_) => d.deserialize_any(self),
        }
    }
}

impl<'de> Visitor<'de> for Skip<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any value")
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        self.0.spend(1)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        self.0.spend(1)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        self.0.spend(1)
    }
    fn visit_i128<E: de::Error>(self, _: i128) -> Result<(), E> {
        self.0.spend(1)
    }
    fn visit_u128<E: de::Error>(self, _: u128) -> Result<(), E> {
        self.0.spend(1)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        self.0.spend(1)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        self.0.spend(v.len().saturating_add(2))
    }
    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<(), E> {
        self.0.spend(v.len().saturating_add(2))
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.0.spend(1)
    }
    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        self.0.spend(1)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<(), A::Error> {
        self.0.spend(1)?;
        while a.next_element_seed(self)?.is_some() {
            self.0.spend(1)?;
        }
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<(), A::Error> {
        self.0.spend(1)?;
        while a.next_key_seed(self)?.is_some() {
            self.0.spend(2)?;
            a.next_value_seed(self)?;
        }
        Ok(())
    }
    fn visit_enum<A: de::EnumAccess<'de>>(self, a: A) -> Result<(), A::Error> {
        use de::VariantAccess;
        let ((), v) = a.variant_seed(self)?;
        v.newtype_variant_seed(self)
    }
}

impl Case {
    /// Sets a key to a value given as JSON text, as decoding a record with it would;
    /// `false` when the text is not JSON (the record would not parse).
    pub(crate) fn set_json(&mut self, engine: &Engine, key: Key, json: &str) -> bool {
        let mut de = serde_json::Deserializer::from_str(json);
        let res = match list_of(key) {
            Some((what, name)) => ListSeed { engine, case: &mut *self, what, budget: Budget::NONE }
                .deserialize(&mut de)
                .map(|ok| ok.then_some(()).ok_or(name)),
            None => ScalarSeed(Budget::NONE).deserialize(&mut de).map(|v| {
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

/// Reads a [`Scalar`], counting it against a [`Budget`]; composite values are skipped.
#[derive(Clone, Copy)]
pub(super) struct ScalarSeed<'b>(pub(super) Budget<'b>);

impl<'de> DeserializeSeed<'de> for ScalarSeed<'_> {
    type Value = Scalar<'de>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Scalar<'de>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ScalarSeed<'_> {
    type Value = Scalar<'de>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Scalar<'de>, E> {
        self.0.spend(1).map(|()| Scalar::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Scalar<'de>, E> {
        self.0.spend(1).map(|()| Scalar::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Scalar<'de>, D::Error> {
        self.deserialize(d)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Scalar<'de>, E> {
        self.0.spend(1).map(|()| Scalar::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar<'de>, E> {
        self.0.spend(1).map(|()| Scalar::I64(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar<'de>, E> {
        self.0.spend(1).map(|()| Scalar::U64(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Scalar<'de>, E> {
        self.0.spend(1).map(|()| Scalar::F64(v))
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Scalar<'de>, E> {
        self.0.spend(v.len().saturating_add(2)).map(|()| Scalar::Str(Cow::Borrowed(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar<'de>, E> {
        self.0.spend(v.len().saturating_add(2))?;
        Ok(Scalar::Str(Cow::Owned(v.into())))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Scalar<'de>, E> {
        self.0.spend(v.len().saturating_add(2)).map(|()| Scalar::Str(Cow::Owned(v)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, a: A) -> Result<Scalar<'de>, A::Error> {
        Skip(self.0).visit_seq(a).map(|()| Scalar::Other)
    }
    fn visit_map<A: MapAccess<'de>>(self, a: A) -> Result<Scalar<'de>, A::Error> {
        Skip(self.0).visit_map(a).map(|()| Scalar::Other)
    }
}

impl Scalar<'_> {
    pub(super) fn as_str(&self) -> Option<&str> {
        match self {
            Scalar::Str(s) => Some(s),
            _ => None,
        }
    }
    /// An RFC 3339 instant within the range a case may carry (1970 through 2099).
    pub(super) fn timestamp(&self) -> Option<Instant> {
        match self {
            Scalar::Instant(t) => Some(*t),
            other => other.as_str().and_then(parse_rfc3339),
        }
        .filter(|t| (crate::time::EARLIEST_CASE_INSTANT..=crate::time::LATEST_CASE_INSTANT).contains(t))
    }
}

/// A map key, borrowed when the format allows.
pub(super) struct KeyStr<'de>(pub(super) Cow<'de, str>);

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
    pub budget: Budget<'a>,
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
        let (engine, case, budget) = (self.engine, self.case, self.budget);
        budget.spend(1)?;
        while let Some(KeyStr(key)) = map.next_key()? {
            // The key, its quotes, its colon and a comma or the closing brace.
            budget.spend(key.len().saturating_add(4))?;
            match engine.input.key(&key) {
                None => map.next_value_seed(Skip(budget))?,
                Some(k) => match list_of(k) {
                    Some((what, name)) => {
                        let ok = map.next_value_seed(ListSeed { engine, case: &mut *case, what, budget })?;
                        if !ok {
                            case.bad_key(name);
                        }
                    }
                    None => {
                        let v = map.next_value_seed(ScalarSeed(budget))?;
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
            Key::ClosedAt => match &v {
                Scalar::Null => self.closed_at = None,
                other => {
                    self.closed_at = other.timestamp();
                    if self.closed_at.is_none() {
                        self.issue(IssueCode::BadType, Subject::Key("closed_at"));
                    }
                }
            },
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
            Key::WorkedQueue => match v {
                Scalar::Null => {}
                Scalar::Str(s) => self.worked_queue(engine, &s),
                _ => self.bad_key("worked_queue"),
            },
            // Lists (and `closed_by`) are decoded by `ListSeed`.
            Key::Paused | Key::Waiting | Key::Approvals | Key::Evidence | Key::Escalations | Key::ClosedBy => {}
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

/// The list (or other composite value) a key names, with the key's name.
pub(super) fn list_of(key: Key) -> Option<(List, &'static str)> {
    match key {
        Key::Paused => Some((List::Paused, "paused")),
        Key::Waiting => Some((List::Waiting, "waiting")),
        Key::Approvals => Some((List::Approvals, "approvals")),
        Key::Evidence => Some((List::Evidence, "evidence")),
        Key::Escalations => Some((List::Escalations, "escalations")),
        Key::ClosedBy => Some((List::ClosedBy, "closed_by")),
        _ => None,
    }
}

#[derive(Clone, Copy)]
pub(super) enum List {
    Paused,
    Waiting,
    Approvals,
    Evidence,
    Escalations,
    /// Not a list: the actor object `{"id", "roles"}` of `closed_by`.
    ClosedBy,
    /// The `roles` of `closed_by`.
    CloserRoles,
}

/// Decodes `paused`, `waiting`, `approvals`, `evidence`, `escalations` (or the object
/// `closed_by`); yields `false` when the shape is wrong.
pub(super) struct ListSeed<'a> {
    pub(super) engine: &'a Engine,
    pub(super) case: &'a mut Case,
    pub(super) what: List,
    pub(super) budget: Budget<'a>,
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
    fn visit_unit<E: de::Error>(self) -> Result<bool, E> {
        self.budget.spend(1).map(|()| true)
    }
    fn visit_none<E: de::Error>(self) -> Result<bool, E> {
        self.budget.spend(1).map(|()| true)
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<bool, E> {
        self.budget.spend(1).map(|()| false)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<bool, E> {
        self.budget.spend(1).map(|()| false)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<bool, E> {
        self.budget.spend(1).map(|()| false)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<bool, E> {
        self.budget.spend(1).map(|()| false)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<bool, E> {
        self.budget.spend(v.len().saturating_add(2)).map(|()| false)
    }
    fn visit_map<A: MapAccess<'de>>(self, a: A) -> Result<bool, A::Error> {
        match self.what {
            List::ClosedBy => super::qa::closer(self.engine, self.case, self.budget, a),
            _ => Skip(self.budget).visit_map(a).map(|()| false),
        }
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<bool, A::Error> {
        let (engine, case, budget) = (self.engine, self.case, self.budget);
        if matches!(self.what, List::ClosedBy) {
            return Skip(budget).visit_seq(a).map(|()| false);
        }
        let mut ok = true;
        let max = engine.info.limits.max_list_len;
        let mut n = 0usize;
        budget.spend(1)?;
        match self.what {
            List::Evidence => {
                while let Some(s) = a.next_element_seed(ScalarSeed(budget))? {
                    budget.spend(1)?;
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
            List::Paused | List::Waiting => {
                while let Some(e) = a.next_element_seed(EntrySeed(budget))? {
                    budget.spend(1)?;
                    n += 1;
                    // The interval; `to` null or absent: still running. Then the name
                    // (a pause's optional `reason`, a wait's required `on`).
                    let interval = match &e {
                        Entry { from: Some(f), to, bad: false, .. } => {
                            let from = f.timestamp();
                            let to_t = to.as_ref().and_then(Scalar::timestamp);
                            let to_ok = matches!(to, None | Some(Scalar::Null)) || to_t.is_some();
                            from.filter(|&f| to_ok && to_t.is_none_or(|t| t >= f)).map(|f| (f, to_t))
                        }
                        _ => None,
                    };
                    let name = if matches!(self.what, List::Paused) { &e.reason } else { &e.on };
                    let name = match name {
                        None | Some(Scalar::Null) if matches!(self.what, List::Paused) => Ok(None),
                        Some(Scalar::Str(s)) => Ok(Some(&**s)),
                        _ => Err(()),
                    };
                    let entry = match (interval, name) {
                        (Some((f, t)), Ok(name)) => Some((f, t, name)),
                        _ => None,
                    };
                    if entry.is_none() || n > max {
                        ok = false;
                    }
                    match self.what {
                        List::Paused => case.pause(engine, entry),
                        _ => case.wait(engine, entry.and_then(|(f, t, on)| on.map(|on| (f, t, Ok(on))))),
                    }
                }
            }
            List::Escalations => {
                case.escalations_given();
                while let Some(e) = a.next_element_seed(EntrySeed(budget))? {
                    budget.spend(1)?;
                    n += 1;
                    let entry = match &e {
                        Entry { level: Some(l), at: Some(t), bad: false, .. } => super::qa::level(l).zip(t.timestamp()),
                        _ => None,
                    };
                    if entry.is_none() || n > max {
                        ok = false;
                    }
                    case.escalation(engine, entry);
                }
            }
            List::ClosedBy => {}
            List::CloserRoles => {
                while let Some(s) = a.next_element_seed(ScalarSeed(budget))? {
                    budget.spend(1)?;
                    match s.as_str() {
                        Some(r) if r.len() <= engine.info.limits.max_string_len => {
                            ok &= case.closed_by_role(engine, engine.role(r));
                        }
                        _ => ok = false,
                    }
                }
            }
            List::Approvals => {
                let mut told = false;
                while let Some(e) = a.next_element_seed(EntrySeed(budget))? {
                    budget.spend(1)?;
                    n += 1;
                    // The list's own issue comes before those of later entries, as when
                    // a host sets the entries one by one (`CaseBuilder::approval`).
                    if !ok && !told {
                        case.bad_key("approvals");
                        told = true;
                    }
                    if n > max {
                        ok = false;
                        continue;
                    }
                    match e {
                        Entry { role: Some(r), by: Some(b), at, bad: false, .. } => match (r.as_str(), b.as_str()) {
                            (Some(r), Some(b)) => {
                                let role = engine.approval_role(r);
                                let at = match at {
                                    None | Some(Scalar::Null) => Ok(None),
                                    Some(t) => t.timestamp().map(Some).ok_or(()),
                                };
                                case.approval(engine, n - 1, role, b, at);
                            }
                            _ => {
                                ok = false;
                                case.no_approver(n - 1, bad_approval::WRONG_SHAPE);
                            }
                        },
                        _ => {
                            ok = false;
                            case.no_approver(n - 1, bad_approval::WRONG_SHAPE);
                        }
                    }
                }
            }
        }
        Ok(ok)
    }
}

/// An element of `paused`, `waiting`, `approvals` or `escalations`.
#[derive(Default)]
struct Entry<'de> {
    from: Option<Scalar<'de>>,
    to: Option<Scalar<'de>>,
    reason: Option<Scalar<'de>>,
    on: Option<Scalar<'de>>,
    role: Option<Scalar<'de>>,
    by: Option<Scalar<'de>>,
    at: Option<Scalar<'de>>,
    level: Option<Scalar<'de>>,
    bad: bool,
}

/// Reads an [`Entry`], counting it against a [`Budget`].
#[derive(Clone, Copy)]
struct EntrySeed<'b>(Budget<'b>);

impl<'de> DeserializeSeed<'de> for EntrySeed<'_> {
    type Value = Entry<'de>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Entry<'de>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for EntrySeed<'_> {
    type Value = Entry<'de>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Entry<'de>, A::Error> {
        let budget = self.0;
        budget.spend(1)?;
        let mut e = Entry::default();
        while let Some(KeyStr(k)) = a.next_key()? {
            budget.spend(k.len().saturating_add(4))?;
            let slot = match &*k {
                "from" => &mut e.from,
                "to" => &mut e.to,
                "reason" => &mut e.reason,
                "on" => &mut e.on,
                "role" => &mut e.role,
                "by" => &mut e.by,
                "at" => &mut e.at,
                "level" => &mut e.level,
                _ => {
                    a.next_value_seed(Skip(budget))?;
                    continue;
                }
            };
            *slot = Some(a.next_value_seed(ScalarSeed(budget))?);
        }
        Ok(e)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, a: A) -> Result<Entry<'de>, A::Error> {
        Skip(self.0).visit_seq(a)?;
        Ok(Entry { bad: true, ..Entry::default() })
    }
    fn visit_unit<E: de::Error>(self) -> Result<Entry<'de>, E> {
        self.bad(1)
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Entry<'de>, E> {
        self.bad(1)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Entry<'de>, E> {
        self.bad(1)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Entry<'de>, E> {
        self.bad(1)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Entry<'de>, E> {
        self.bad(1)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Entry<'de>, E> {
        self.bad(v.len().saturating_add(2))
    }
}

impl EntrySeed<'_> {
    /// A scalar of `n` bytes where an entry belongs.
    fn bad<'de, E: de::Error>(self, n: usize) -> Result<Entry<'de>, E> {
        self.0.spend(n)?;
        Ok(Entry { bad: true, ..Entry::default() })
    }
}
