//! Cases: decoding a case record (JSON or any serde format) against the policy schema
//! into a reusable buffer, without allocating once the buffer has warmed up.

use crate::engine::{Engine, Key};
use crate::issue::{Issue, IssueCode, Subject};
use crate::time::{Instant, parse_rfc3339};
pub(crate) use crate::value::Span;
use crate::value::{FieldType, Kind, OTHER_SYM, Packed, Val, decimal_from_f64, parse_decimal};
use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use rust_decimal::Decimal;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

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

/// One approval already given on a case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct GivenApproval {
    /// Role index, or `u32::MAX` for a role the policy does not declare.
    pub role: u32,
    pub by: Span,
    pub at: Option<Instant>,
}

/// How many values a decoded case also keeps in itself: copies of its first storage
/// positions, which hold the fields the routing table tests (`Engine::store`). Seven fill
/// two cache lines with the flags routing reads.
pub(crate) const HEAD: usize = 7;

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
    pub(crate) completed: Vec<Option<Instant>>,
    pub(crate) pauses: Vec<(Instant, Option<Instant>)>,
    pub(crate) approvals: Vec<GivenApproval>,
    pub(crate) requested_by: Option<Span>,
    pub(crate) currency: Option<Span>,
    pub(crate) evidence: Vec<u32>,
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
        self.values.get(engine.at(slot)).copied().unwrap_or(Packed::ABSENT)
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
        self.at_position_mut(engine.at(slot))
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
        fill(&mut self.values, engine.schema.fields.len(), Packed::ABSENT);
        self.currency = None;
        self.currency_bad = false;
        fill(&mut self.completed, engine.metrics.len(), None);
        self.pauses.clear();
        self.requested_by = None;
        self.approvals.clear();
        self.evidence.clear();
        self.issues.clear();
        self.error = None;
        self.invalid = false;
        self.kind_seen = 0;
        self.opened_seen = 0;
        self.id_seen = 0;
    }

    /// Records how [`crate::CaseBuilder`] saw `kind`: a string (`true`) or a wrong type.
    pub(crate) fn mark_kind(&mut self, string: bool) {
        self.kind_seen = if string { 1 } else { 2 };
    }

    /// Records that [`crate::CaseBuilder`] set `id`, usable or not.
    pub(crate) fn mark_id(&mut self, usable: bool) {
        self.id = self.id.filter(|_| usable);
        self.id_seen = if usable { 1 } else { 2 };
    }

    /// Records that [`crate::CaseBuilder`] set `opened_at`, usable or malformed.
    pub(crate) fn mark_opened(&mut self, usable: bool) {
        self.opened_seen = if usable { 1 } else { 2 };
    }

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
                self.issue(IssueCode::BadType, Subject::Key(name));
                true
            }
            Err(_) => false,
        }
    }

    /// Sets a scalar key from a cell as JSON decoding would.
    pub(crate) fn set_cell(&mut self, engine: &Engine, key: Key, v: Cell<'_>) {
        self.set_scalar(engine, key, v.into());
    }

    fn issue(&mut self, code: IssueCode, subject: Subject) {
        self.issues.push(Issue::new(code, subject));
    }

    /// Completes a decoded case: errors, money conversion, required fields, intake
    /// validity; with `keep_head`, the copies routing reads (see [`HEAD`]: for cases kept
    /// in a batch; a case evaluated at once and overwritten needs none).
    pub(crate) fn finish(&mut self, engine: &Engine, keep_head: bool) {
        if self.error.is_none() {
            self.error = match (self.id_seen, self.kind_seen, self.opened_seen) {
                (0, _, _) => Some(CaseError::MissingId),
                (2, _, _) => Some(CaseError::BadId),
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
        let rate: Option<Option<Decimal>> = match self.currency {
            None => None,
            Some(c) => {
                let c = c.get(&self.text);
                (c != engine.currency).then(|| engine.fx_rate(c))
            }
        };
        if let Some(rate) = rate {
            if rate.is_none() {
                self.issue(IssueCode::UnknownCurrency, Subject::Key("currency"));
            }
            for &slot in &engine.money_slots {
                if let Some(v) = self.value_mut(engine, slot)
                    && let Val::Dec(x) = v.unpack()
                {
                    *v = Packed::pack(match rate.and_then(|r| x.checked_mul(r)) {
                        Some(y) => Val::Dec(y),
                        None => Val::Absent,
                    });
                }
            }
        }
        // Required fields for `*` and for the case's kind.
        // Read as stored: telling absent from present needs no unpacking of the value.
        let kind = self.packed(engine, engine.kind_slot);
        let kind = kind.is(Kind::Sym).then(|| kind.word());
        for list in [engine.required_any.as_slice(), engine.required_for(kind)] {
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
            || self
                .issues
                .iter()
                .any(|i| matches!(i.code, IssueCode::MissingField | IssueCode::BadType | IssueCode::UnknownEnumValue));
        // Completion stamps before opening count as the opening (issue `bad_timestamp`).
        if let Some(open) = self.opened_at {
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
        if keep_head && engine.route_head {
            for (i, h) in self.head.iter_mut().enumerate() {
                *h = self.values.get(i).copied().unwrap_or(Packed::ABSENT);
            }
            self.head_ok = true;
        }
    }
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

/// A scalar read from any serde format; composite values are skipped.
enum Scalar<'de> {
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
            match engine.key(&key) {
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
                Some(k) => match list_of(k) {
                    Some((what, name)) => {
                        let ok = map.next_value_seed(ListSeed { engine, case: &mut *case, what })?;
                        if !ok {
                            case.issue(IssueCode::BadType, Subject::Key(name));
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
    fn set_scalar(&mut self, engine: &Engine, key: Key, v: Scalar<'_>) {
        match key {
            Key::Id => match v.as_str().filter(|s| !s.is_empty() && s.len() <= engine.limits.max_string_len) {
                Some(s) => {
                    self.id = Some(Span::push(&mut self.text, s));
                    self.id_seen = 1;
                }
                None => self.id_seen = if matches!(v, Scalar::Null) { 0 } else { 2 },
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
                Scalar::Str(s) if s.len() <= engine.limits.max_string_len => {
                    self.requested_by = Some(Span::push(&mut self.text, &s));
                }
                _ => self.issue(IssueCode::BadType, Subject::Key("requested_by")),
            },
            Key::Field(slot) => {
                let is_kind = slot == engine.kind_slot;
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
    let Some(f) = engine.schema.fields.get(slot as usize) else { return Ok(Val::Absent) };
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
            if s.len() > engine.limits.max_string_len {
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
fn list_of(key: Key) -> Option<(List, &'static str)> {
    match key {
        Key::Paused => Some((List::Paused, "paused")),
        Key::Approvals => Some((List::Approvals, "approvals")),
        Key::Evidence => Some((List::Evidence, "evidence")),
        _ => None,
    }
}

#[derive(Clone, Copy)]
enum List {
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
        let max = engine.limits.max_list_len;
        let mut n = 0usize;
        match self.what {
            List::Evidence => {
                while let Some(s) = a.next_element::<Scalar<'_>>()? {
                    n += 1;
                    match s.as_str() {
                        Some(s) if n <= max => {
                            if let Some(i) = engine.evidence_sym(s) {
                                case.evidence.push(i);
                            }
                        }
                        _ => ok = false,
                    }
                }
            }
            List::Paused | List::Approvals => {
                while let Some(e) = a.next_element::<Entry<'_>>()? {
                    n += 1;
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
                                (Some(r), Some(b)) if b.len() <= engine.limits.max_string_len => {
                                    let role = engine.role_index(r).unwrap_or(u32::MAX);
                                    let by = Span::push(&mut case.text, b);
                                    let at = at.as_ref().and_then(Scalar::timestamp);
                                    case.approvals.push(GivenApproval { role, by, at });
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

/// A case key resolved once by [`Engine::case_key`], for hosts that set many rows cell by
/// cell ([`CellDecoder`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CaseKey(Key);

/// One cell of a row, as a host holds it. `Instant` is a timestamp already in seconds; it
/// reads like the RFC 3339 text of that instant.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Cell<'a> {
    /// JSON `null`: the key is absent.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A whole number.
    Int(i64),
    /// Any other number.
    Num(f64),
    /// A string.
    Str(&'a str),
    /// An instant, seconds since the epoch.
    Instant(Instant),
}

impl<'a> From<Cell<'a>> for Scalar<'a> {
    fn from(c: Cell<'a>) -> Scalar<'a> {
        match c {
            Cell::Null => Scalar::Null,
            Cell::Bool(b) => Scalar::Bool(b),
            Cell::Int(i) => Scalar::I64(i),
            Cell::Num(x) => Scalar::F64(x),
            Cell::Str(s) => Scalar::Str(Cow::Borrowed(s)),
            Cell::Instant(t) => Scalar::Instant(t),
        }
    }
}

/// Decodes a case cell by cell, exactly as [`Engine::decode_json`] decodes an object with
/// the same keys and values, without JSON or key lookups per cell; from
/// [`Engine::decode_cells`]. Allocation-free once the case is warm (lists given as JSON
/// text are parsed in place).
///
/// ```
/// use docket_core::{Case, Cell, Engine};
/// let engine = Engine::compile(include_str!("../../examples/order-ops.policy.json")).unwrap();
/// let [id, kind, opened] = ["id", "kind", "opened_at"].map(|k| engine.case_key(k).unwrap());
/// let mut case = Case::new();
/// let mut d = engine.decode_cells(&mut case);
/// d.set(id, Cell::Str("C-1")).set(kind, Cell::Str("refund")).set(opened, Cell::Instant(1_795_420_800));
/// d.finish();
/// assert_eq!(case.id(), Some("C-1"));
/// assert_eq!(case.error(), None);
/// ```
pub struct CellDecoder<'a> {
    engine: &'a Engine,
    case: &'a mut Case,
    broken: bool,
}

impl Engine {
    /// Resolves a case key (`id`, `opened_at`, a field, `<metric>_at`, `paused`, ...); `None`
    /// for keys the policy does not know, which decoding ignores.
    pub fn case_key(&self, name: &str) -> Option<CaseKey> {
        self.key(name).map(CaseKey)
    }

    /// Starts decoding `case` cell by cell (its previous content is cleared, its buffers kept).
    pub fn decode_cells<'a>(&'a self, case: &'a mut Case) -> CellDecoder<'a> {
        case.reset(self);
        CellDecoder { engine: self, case, broken: false }
    }
}

impl CellDecoder<'_> {
    /// Sets a key to a scalar value. A scalar for `paused`, `approvals` or `evidence` is
    /// the wrong shape (`bad_type`), as in JSON.
    pub fn set(&mut self, key: CaseKey, v: Cell<'_>) -> &mut Self {
        match list_of(key.0) {
            // A list key: `null` leaves it empty; any scalar is the wrong shape.
            Some((_, name)) => {
                if v != Cell::Null {
                    self.case.issue(IssueCode::BadType, Subject::Key(name));
                }
            }
            None => self.case.set_scalar(self.engine, key.0, v.into()),
        }
        self
    }

    /// Sets a key to a value given as JSON text (the form for `paused`, `approvals` and
    /// `evidence`). Text that is not JSON makes the case unusable (`not_an_object`), as a
    /// record that does not parse would.
    pub fn set_json(&mut self, key: CaseKey, json: &str) -> &mut Self {
        if !self.case.set_json(self.engine, key.0, json) {
            self.broken = true;
        }
        self
    }

    /// Finishes the case: missing `id`/`kind`/`opened_at` make it unusable, money is
    /// converted, required fields are checked.
    pub fn finish(self) {
        if self.broken {
            self.case.set_error(CaseError::NotAnObject);
        } else {
            self.case.finish(self.engine, true);
        }
    }
}
