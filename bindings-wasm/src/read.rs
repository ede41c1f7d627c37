//! Reading JS values (a policy object, a case object, an actor) into the core, within
//! bounds. [`JsDe`] is a serde deserializer over a `JsValue` that reads as
//! serde-wasm-bindgen does (the same value kinds, the same shapes), plus what a value
//! handed over by any host needs, all judged by one [`Reader`] per value:
//!
//! - **depth**: arrays and objects nest at most [`MAX_DEPTH`] (127) levels, as in JSON
//!   text; deeper (or circular) input is a [`Fault::TooDeep`], never a stack overflow;
//! - **size**: the value is measured as the UTF-8 bytes of its JSON text (strings and
//!   keys with their quotes but without escapes, numbers in their shortest form, at most
//!   24 bytes, brackets, colons and commas; `undefined` as `null`); over the reader's
//!   budget it is a [`Fault::TooLarge`]. Values the decoder skips (a key it does not
//!   know) are measured without being converted (a string by its UTF-16 length);
//! - **Unicode**: a string that holds a lone UTF-16 surrogate is a
//!   [`Fault::NotUnicode`], where a plain conversion would turn it into U+FFFD and make
//!   two different strings equal;
//! - **cycles** (when the reader tracks its path): an object inside itself is a
//!   [`Fault::Circular`] at the path where it closes.
//!
//! A fault is sticky: every later read fails at once, so a decoder that recovers from an
//! error does no more work and the caller still sees the fault.

use core::cell::{Cell, RefCell};
use core::fmt;
use js_sys::{Array, ArrayBuffer, JsString, Number, Object, Uint8Array};
use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};
use wasm_bindgen::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

/// Deepest nesting of arrays and objects read from JS: as deep as serde_json reads JSON
/// text into a value (its recursion limit of 128 refuses the 128th level), so a policy
/// object and its JSON text nest alike.
pub(crate) const MAX_DEPTH: usize = 127;

#[wasm_bindgen]
extern "C" {
    /// `Reflect.get`, not caught: an exception of the host's getter or proxy propagates
    /// (see `guard` in lib.rs), as serde-wasm-bindgen lets it.
    #[wasm_bindgen(js_namespace = Reflect, js_name = get)]
    pub(crate) fn reflect_get(target: &JsValue, key: &JsValue) -> JsValue;
    /// `Reflect.has`, not caught (a proxy's `has` trap may throw).
    #[wasm_bindgen(js_namespace = Reflect, js_name = has)]
    fn reflect_has(target: &JsValue, key: &JsValue) -> bool;
    /// `String.prototype.isWellFormed.call(s)` (ES2024; where it is missing the call
    /// throws, and the caller checks the code units itself).
    #[wasm_bindgen(catch, js_namespace = ["String", "prototype", "isWellFormed"], js_name = call)]
    fn is_well_formed(s: &JsString) -> core::result::Result<bool, JsValue>;
}

/// Whether `s`, converted from `v`, is the string `v` holds: the conversion turns a lone
/// UTF-16 surrogate into U+FFFD, so only a string with U+FFFD needs a look at the JS
/// value (rare: the common case costs one scan of the converted text).
pub(crate) fn faithful(s: &str, v: &JsValue) -> bool {
    if !s.contains('\u{FFFD}') {
        return true;
    }
    match v.dyn_ref::<JsString>() {
        Some(js) => is_well_formed(js).unwrap_or_else(|_| js.is_valid_utf16()),
        None => true,
    }
}

/// Why a value could not be read, beyond a shape its decoder refuses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fault {
    /// Nested deeper than [`MAX_DEPTH`] (a circular value, when cycles are not tracked).
    TooDeep,
    /// Larger than the reader's budget.
    TooLarge,
    /// A string holds a lone UTF-16 surrogate.
    NotUnicode,
    /// An object or array inside itself.
    Circular,
}

/// One step of a path into a value: an object key or an array index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Seg {
    Key(String),
    Index(u32),
}

/// The error of a read (serde's error type for [`JsDe`]).
#[derive(Debug)]
pub(crate) struct ReadError(String);

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ReadError {}

impl de::Error for ReadError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        ReadError(msg.to_string())
    }
}

type Result<T> = core::result::Result<T, ReadError>;

/// The bounds and the findings of one read.
pub(crate) struct Reader {
    max_bytes: usize,
    bytes: Cell<usize>,
    depth: Cell<usize>,
    fault: Cell<Option<Fault>>,
    /// Whether to keep the path (for error messages) and look for cycles.
    track: bool,
    /// Where the read is, with `track`.
    path: RefCell<Vec<Seg>>,
    /// The path of the first fault or error, with `track`.
    failed_at: RefCell<Option<Vec<Seg>>>,
    /// The arrays and objects being read, outermost first, with `track`.
    open: RefCell<Vec<JsValue>>,
}

impl Reader {
    /// A reader with a budget of `max_bytes` (as JSON text); `track` keeps the path of a
    /// failure and detects cycles (for a policy or an actor; a case needs neither, and
    /// its cycles end at [`MAX_DEPTH`]).
    pub(crate) fn new(max_bytes: usize, track: bool) -> Reader {
        Reader {
            max_bytes,
            bytes: Cell::new(0),
            depth: Cell::new(0),
            fault: Cell::new(None),
            track,
            path: RefCell::new(Vec::new()),
            failed_at: RefCell::new(None),
            open: RefCell::new(Vec::new()),
        }
    }

    /// The fault met, if any.
    pub(crate) fn fault(&self) -> Option<Fault> {
        self.fault.get()
    }

    /// The path of the first fault or error (empty: the value itself, or not tracked).
    pub(crate) fn failed_at(&self) -> Vec<Seg> {
        self.failed_at.borrow().clone().unwrap_or_default()
    }

    /// A deserializer of `value` read by this reader.
    pub(crate) fn de(&self, value: JsValue) -> JsDe<'_> {
        JsDe { value, r: self }
    }

    /// Notes where an error happened (the innermost place is noted first).
    fn note(&self) {
        if self.track {
            let mut at = self.failed_at.borrow_mut();
            if at.is_none() {
                *at = Some(self.path.borrow().clone());
            }
        }
    }

    #[cold]
    fn fail(&self, f: Fault) -> ReadError {
        if self.fault.get().is_none() {
            self.fault.set(Some(f));
            self.note();
        }
        ReadError(
            match f {
                Fault::TooDeep => "nested deeper than 127 levels",
                Fault::TooLarge => "over the size limit",
                Fault::NotUnicode => "a string holds a lone UTF-16 surrogate: it is not valid Unicode",
                Fault::Circular => "an object or array inside itself",
            }
            .to_string(),
        )
    }

    /// Fails at once after a fault.
    fn ok(&self) -> Result<()> {
        match self.fault.get() {
            Some(f) => Err(self.fail(f)),
            None => Ok(()),
        }
    }

    /// Counts `n` bytes of JSON text.
    fn spend(&self, n: usize) -> Result<()> {
        let total = self.bytes.get().saturating_add(n);
        self.bytes.set(total);
        if total > self.max_bytes { Err(self.fail(Fault::TooLarge)) } else { Ok(()) }
    }

    /// Enters an array or object (two bytes of brackets); the guard leaves it.
    fn enter(&self, v: &JsValue) -> Result<Level<'_>> {
        self.ok()?;
        let depth = self.depth.get() + 1;
        if depth > MAX_DEPTH {
            return Err(self.fail(Fault::TooDeep));
        }
        if self.track {
            if self.open.borrow().iter().any(|o| Object::is(o, v)) {
                return Err(self.fail(Fault::Circular));
            }
            self.open.borrow_mut().push(v.clone());
        }
        self.depth.set(depth);
        // The guard first: a failure below leaves the level too.
        let level = Level(self);
        self.spend(2)?;
        Ok(level)
    }

    /// Reads `f` at `seg` of the path; an error notes the path there.
    fn at<T>(&self, seg: impl FnOnce() -> Seg, f: impl FnOnce() -> Result<T>) -> Result<T> {
        if !self.track {
            return f();
        }
        self.path.borrow_mut().push(seg());
        let r = f();
        if r.is_err() {
            self.note();
        }
        self.path.borrow_mut().pop();
        r
    }

    /// A string value, converted and counted; `None` when `v` is not a string.
    fn text(&self, v: &JsValue) -> Result<Option<String>> {
        let Some(js) = v.dyn_ref::<JsString>() else { return Ok(None) };
        // A string takes at least one UTF-8 byte a UTF-16 unit: one longer than what is
        // left of the budget is over it before it is converted (and copied into memory).
        if self.bytes.get().saturating_add(js.length() as usize).saturating_add(2) > self.max_bytes {
            return Err(self.fail(Fault::TooLarge));
        }
        let Some(s) = v.as_string() else { return Ok(None) };
        self.spend(s.len().saturating_add(2))?;
        if !faithful(&s, v) {
            return Err(self.fail(Fault::NotUnicode));
        }
        Ok(Some(s))
    }

    /// Measures a value the decoder skips, without converting it.
    fn skip(&self, v: &JsValue) -> Result<()> {
        self.ok()?;
        if v.is_null() || v.is_undefined() {
            return self.spend(4);
        }
        if let Some(x) = v.as_f64() {
            return self.spend(number_len(x));
        }
        if let Some(b) = v.as_bool() {
            return self.spend(if b { 4 } else { 5 });
        }
        if v.is_bigint() {
            return self.spend(20);
        }
        if let Some(s) = v.dyn_ref::<JsString>() {
            return self.spend(s.length() as usize + 2);
        }
        if !v.is_object() {
            // Functions and symbols: nothing JSON would write.
            return Ok(());
        }
        let _level = self.enter(v)?;
        if let Some(a) = v.dyn_ref::<Array>() {
            for i in 0..a.length() {
                self.spend(usize::from(i > 0))?;
                self.skip(&a.get(i))?;
            }
            return Ok(());
        }
        for (i, entry) in Object::entries(v.unchecked_ref()).iter().enumerate() {
            let entry: Array = entry.unchecked_into();
            let key = entry.get(0);
            let klen = key.dyn_ref::<JsString>().map_or(0, |k| k.length() as usize);
            // Quotes, colon and the comma before every entry but the first.
            self.spend(klen + 3 + usize::from(i > 0))?;
            self.skip(&entry.get(1))?;
        }
        Ok(())
    }
}

/// An array or object being read: leaving it restores the depth and the open values.
struct Level<'r>(&'r Reader);

impl Drop for Level<'_> {
    fn drop(&mut self) {
        let r = self.0;
        r.depth.set(r.depth.get().saturating_sub(1));
        if r.track {
            r.open.borrow_mut().pop();
        }
    }
}

/// The JSON length of a number: its digits for a whole number below 10^15, else the
/// length of its shortest decimal form, at most 24 (`JSON.stringify` would switch to an
/// exponent for very large or small numbers; an estimate above it is fine).
fn number_len(x: f64) -> usize {
    if !x.is_finite() {
        return 4;
    }
    if x.fract() == 0.0 && x.abs() < 1e15 {
        let mut n = (x.abs() as u64).max(1);
        let mut digits = usize::from(x < 0.0);
        while n > 0 {
            digits += 1;
            n /= 10;
        }
        return digits;
    }
    /// Counts what is written, allocating nothing.
    struct Count(usize);
    impl fmt::Write for Count {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            self.0 += s.len();
            Ok(())
        }
    }
    let mut c = Count(0);
    let _ = fmt::write(&mut c, format_args!("{x}"));
    c.0.min(24)
}

/// A path as a JSON pointer into the value (`/routing/rules/0/when`).
pub(crate) fn pointer(path: &[Seg]) -> String {
    let mut out = String::new();
    for s in path {
        out.push('/');
        match s {
            Seg::Key(k) => out.push_str(&k.replace('~', "~0").replace('/', "~1")),
            Seg::Index(i) => out.push_str(&i.to_string()),
        }
    }
    out
}

/// A path as a JS accessor from `base` (`policy.routing.rules[0].when`,
/// `policy.queues["odd key"]`).
pub(crate) fn accessor(base: &str, path: &[Seg]) -> String {
    let mut out = String::from(base);
    for s in path {
        match s {
            Seg::Key(k) if is_identifier(k) => {
                out.push('.');
                out.push_str(k);
            }
            Seg::Key(k) => {
                out.push('[');
                out.push_str(&serde_json::Value::from(k.as_str()).to_string());
                out.push(']');
            }
            Seg::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// Whether `key` reads as an identifier after a dot.
pub(crate) fn is_identifier(key: &str) -> bool {
    key.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
}

/// A deserializer of one JS value, reading as serde-wasm-bindgen does, within the bounds
/// of its [`Reader`].
pub(crate) struct JsDe<'r> {
    value: JsValue,
    r: &'r Reader,
}

impl<'r> JsDe<'r> {
    fn nullish(&self) -> bool {
        self.value.is_null() || self.value.is_undefined()
    }

    fn bytes(&self) -> Option<Vec<u8>> {
        if let Some(v) = self.value.dyn_ref::<Uint8Array>() {
            return Some(v.to_vec());
        }
        self.value.dyn_ref::<ArrayBuffer>().map(|b| Uint8Array::new(b).to_vec())
    }

    #[cold]
    fn invalid<'de, V: Visitor<'de>>(&self, visitor: V) -> Result<V::Value> {
        let what = if self.nullish() {
            de::Unexpected::Unit
        } else if let Some(b) = self.value.as_bool() {
            de::Unexpected::Bool(b)
        } else if let Some(x) = self.value.as_f64() {
            de::Unexpected::Float(x)
        } else if self.value.is_string() {
            de::Unexpected::Other("a string")
        } else if Array::is_array(&self.value) {
            de::Unexpected::Seq
        } else if self.value.is_object() {
            de::Unexpected::Map
        } else {
            de::Unexpected::Other("a JS value JSON cannot hold")
        };
        Err(de::Error::invalid_type(what, &visitor))
    }

    fn safe_integer(&self) -> Option<i64> {
        Number::is_safe_integer(&self.value).then(|| self.value.as_f64().unwrap_or(0.0) as i64)
    }

    fn signed<'de, V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.r.ok()?;
        if self.value.is_bigint() {
            return match i64::try_from(self.value.clone()) {
                Ok(v) => {
                    self.r.spend(20)?;
                    visitor.visit_i64(v)
                }
                Err(_) => Err(de::Error::custom("a BigInt outside the range of i64")),
            };
        }
        match self.safe_integer() {
            Some(v) => {
                self.r.spend(number_len(v as f64))?;
                visitor.visit_i64(v)
            }
            None => self.invalid(visitor),
        }
    }

    fn unsigned<'de, V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.r.ok()?;
        if self.value.is_bigint() {
            return match u64::try_from(self.value.clone()) {
                Ok(v) => {
                    self.r.spend(20)?;
                    visitor.visit_u64(v)
                }
                Err(_) => Err(de::Error::custom("a BigInt outside the range of u64")),
            };
        }
        match self.safe_integer() {
            Some(v) if v >= 0 => {
                self.r.spend(number_len(v as f64))?;
                visitor.visit_u64(v as u64)
            }
            _ => self.invalid(visitor),
        }
    }

    fn seq<'de, V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        let r = self.r;
        if let Some(a) = self.value.dyn_ref::<Array>() {
            let _level = r.enter(&self.value)?;
            return visitor.visit_seq(Seq { items: Items::Array(a.clone(), 0, a.length()), r });
        }
        match js_sys::try_iter(&self.value) {
            Ok(Some(iter)) => {
                let _level = r.enter(&self.value)?;
                visitor.visit_seq(Seq { items: Items::Iter(iter, 0), r })
            }
            Ok(None) => self.invalid(visitor),
            Err(_) => Err(de::Error::custom("the value's iterator threw")),
        }
    }

    fn map<'de, V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        let r = self.r;
        match js_sys::try_iter(&self.value) {
            Ok(Some(iter)) => {
                let _level = r.enter(&self.value)?;
                visitor.visit_map(Entries { items: Items::Iter(iter, 0), value: None, r })
            }
            Ok(None) if self.value.is_object() => {
                let _level = r.enter(&self.value)?;
                let entries = Object::entries(self.value.unchecked_ref());
                let n = entries.length();
                visitor.visit_map(Entries { items: Items::Array(entries, 0, n), value: None, r })
            }
            Ok(None) => self.invalid(visitor),
            Err(_) => Err(de::Error::custom("the value's iterator threw")),
        }
    }
}

/// The items of an array (`Array`, next index, length) or of another iterable.
enum Items {
    Array(Array, u32, u32),
    Iter(js_sys::IntoIter, u32),
}

impl Items {
    /// The next item and its index.
    fn next(&mut self) -> Result<Option<(u32, JsValue)>> {
        match self {
            Items::Array(a, i, n) => {
                if *i >= *n {
                    return Ok(None);
                }
                let at = *i;
                *i += 1;
                Ok(Some((at, a.get(at))))
            }
            Items::Iter(it, i) => match it.next() {
                None => Ok(None),
                Some(Ok(v)) => {
                    let at = *i;
                    *i = i.saturating_add(1);
                    Ok(Some((at, v)))
                }
                Some(Err(_)) => Err(de::Error::custom("the value's iterator threw")),
            },
        }
    }
}

struct Seq<'r> {
    items: Items,
    r: &'r Reader,
}

impl<'de> de::SeqAccess<'de> for Seq<'_> {
    type Error = ReadError;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>> {
        self.r.ok()?;
        let Some((i, v)) = self.items.next()? else { return Ok(None) };
        // A comma before every element but the first.
        self.r.spend(usize::from(i > 0))?;
        let r = self.r;
        r.at(|| Seg::Index(i), || seed.deserialize(r.de(v))).map(Some)
    }
}

/// The entries of an object (`Object.entries`) or of an iterable of pairs (a `Map`).
struct Entries<'r> {
    items: Items,
    /// The value of the key just read, and the key for the path.
    value: Option<(JsValue, Seg)>,
    r: &'r Reader,
}

impl<'de> de::MapAccess<'de> for Entries<'_> {
    type Error = ReadError;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        self.r.ok()?;
        let Some((i, pair)) = self.items.next()? else { return Ok(None) };
        let pair: Array = pair.dyn_into().map_err(|_| de::Error::custom("a map entry is not a [key, value] pair"))?;
        let (key, value) = (pair.get(0), pair.get(1));
        let r = self.r;
        // The comma before every entry but the first, and the colon.
        r.spend(1 + usize::from(i > 0))?;
        // A string key, counted with its quotes; any other (a `Map`'s) as
        // serde-wasm-bindgen reads it.
        match r.text(&key)? {
            Some(k) => {
                let seg = Seg::Key(if r.track { k.clone() } else { String::new() });
                self.value = Some((value, seg));
                seed.deserialize(k.into_deserializer()).map(Some)
            }
            None => {
                self.value = Some((value, Seg::Index(i)));
                seed.deserialize(r.de(key)).map(Some)
            }
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value> {
        let (value, seg) = self.value.take().ok_or_else(|| de::Error::custom("a map value without its key"))?;
        let r = self.r;
        r.at(|| seg, || seed.deserialize(r.de(value)))
    }
}

/// The fields of a struct, read by name (getters and inherited properties included), as
/// serde-wasm-bindgen reads them.
struct Fields<'r> {
    obj: JsValue,
    fields: core::slice::Iter<'static, &'static str>,
    value: Option<(JsValue, &'static str)>,
    r: &'r Reader,
}

impl<'de> de::MapAccess<'de> for Fields<'_> {
    type Error = ReadError;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        self.r.ok()?;
        for &field in self.fields.by_ref() {
            let key = JsValue::from_str(field);
            let value = reflect_get(&self.obj, &key);
            if value.is_undefined() && !reflect_has(&self.obj, &key) {
                continue;
            }
            // Quotes, colon, and a comma (an estimate: one too many for the last field).
            self.r.spend(field.len() + 4)?;
            self.value = Some((value, field));
            return seed.deserialize(field.into_deserializer()).map(Some);
        }
        Ok(None)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value> {
        let (value, field) = self.value.take().ok_or_else(|| de::Error::custom("a field value without its name"))?;
        let r = self.r;
        r.at(|| Seg::Key(field.to_string()), || seed.deserialize(r.de(value)))
    }
}

impl<'de> de::Deserializer<'de> for JsDe<'_> {
    type Error = ReadError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        let r = self.r;
        r.ok()?;
        if self.nullish() {
            r.spend(4)?;
            return visitor.visit_unit();
        }
        if let Some(b) = self.value.as_bool() {
            r.spend(if b { 4 } else { 5 })?;
            return visitor.visit_bool(b);
        }
        if self.value.is_bigint() {
            // As serde-wasm-bindgen: an i64 when it fits, else a u64.
            return if i64::try_from(self.value.clone()).is_ok() {
                self.signed(visitor)
            } else {
                self.unsigned(visitor)
            };
        }
        if let Some(x) = self.value.as_f64() {
            r.spend(number_len(x))?;
            return match self.safe_integer() {
                Some(v) => visitor.visit_i64(v),
                None => visitor.visit_f64(x),
            };
        }
        if let Some(s) = r.text(&self.value)? {
            return visitor.visit_string(s);
        }
        if Array::is_array(&self.value) {
            return self.seq(visitor);
        }
        if let Some(b) = self.bytes() {
            r.spend(b.len().saturating_mul(4))?;
            return visitor.visit_byte_buf(b);
        }
        if self.value.is_object()
            && (self.value.is_instance_of::<js_sys::Map>() || !reflect_has(&self.value, &js_sys::Symbol::iterator()))
        {
            return self.map(visitor);
        }
        self.invalid(visitor)
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.r.ok()?;
        match self.value.as_bool() {
            Some(b) => {
                self.r.spend(if b { 4 } else { 5 })?;
                visitor.visit_bool(b)
            }
            None => self.invalid(visitor),
        }
    }

    fn deserialize_i8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.signed(visitor)
    }
    fn deserialize_i16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.signed(visitor)
    }
    fn deserialize_i32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.signed(visitor)
    }
    fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.signed(visitor)
    }
    fn deserialize_u8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.unsigned(visitor)
    }
    fn deserialize_u16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.unsigned(visitor)
    }
    fn deserialize_u32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.unsigned(visitor)
    }
    fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.unsigned(visitor)
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_f64(visitor)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.r.ok()?;
        match self.value.as_f64() {
            Some(x) => {
                self.r.spend(number_len(x))?;
                visitor.visit_f64(x)
            }
            None => self.invalid(visitor),
        }
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.r.ok()?;
        let s = self.r.text(&self.value)?;
        let mut chars = s.as_deref().unwrap_or("").chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) => visitor.visit_char(c),
            _ => self.invalid(visitor),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_string(visitor)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.r.ok()?;
        match self.r.text(&self.value)? {
            Some(s) => visitor.visit_string(s),
            None => self.invalid(visitor),
        }
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_string(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_byte_buf(visitor)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.r.ok()?;
        if let Some(b) = self.bytes() {
            self.r.spend(b.len().saturating_mul(4))?;
            return visitor.visit_byte_buf(b);
        }
        if Array::is_array(&self.value) {
            return self.seq(visitor);
        }
        self.invalid(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.r.ok()?;
        if self.nullish() {
            self.r.spend(4)?;
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.r.ok()?;
        if self.nullish() {
            self.r.spend(4)?;
            visitor.visit_unit()
        } else {
            self.invalid(visitor)
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(self, _name: &'static str, visitor: V) -> Result<V::Value> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _name: &'static str, visitor: V) -> Result<V::Value> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.r.ok()?;
        self.seq(visitor)
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.r.ok()?;
        self.map(visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        let r = self.r;
        r.ok()?;
        if !self.value.is_object() {
            return self.invalid(visitor);
        }
        let _level = r.enter(&self.value)?;
        visitor.visit_map(Fields { obj: self.value.clone(), fields: fields.iter(), value: None, r })
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        self.r.ok()?;
        // A unit variant by name; the binding reads no other kind of enum.
        match self.r.text(&self.value)? {
            Some(s) => visitor.visit_enum(s.into_deserializer()),
            None => self.invalid(visitor),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.r.skip(&self.value)?;
        visitor.visit_unit()
    }
}

#[cfg(test)]
mod tests {
    use super::{Seg, accessor, number_len, pointer};

    #[test]
    fn numbers_count_their_digits() {
        assert_eq!(number_len(0.0), 1);
        assert_eq!(number_len(7.0), 1);
        assert_eq!(number_len(-12.0), 3);
        assert_eq!(number_len(1250.0), 4);
        assert_eq!(number_len(0.1), 3);
        assert_eq!(number_len(0.75), 4);
        assert_eq!(number_len(-2.5), 4);
        assert_eq!(number_len(1e300), 24);
        assert_eq!(number_len(f64::NAN), 4);
    }

    #[test]
    fn paths_read_as_pointers_and_accessors() {
        let p = [Seg::Key("queues".into()), Seg::Key("a/b~".into()), Seg::Index(3), Seg::Key("odd key".into())];
        assert_eq!(pointer(&p), "/queues/a~1b~0/3/odd key");
        assert_eq!(accessor("policy", &p), r#"policy.queues["a/b~"][3]["odd key"]"#);
        assert_eq!(accessor("actor", &[]), "actor");
    }
}
