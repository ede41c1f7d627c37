//! Reading Python values (a policy dict, a case dict, an actor) into the core as the JSON
//! values they stand for. [`PyDe`] is a serde deserializer over a Python object:
//!
//! - `None`, `bool`, `int`, `float`, `str`, `dict` (string keys), `list` and `tuple` read
//!   as JSON null, booleans, numbers, strings, objects and arrays (an `int` beyond 64 bits
//!   as the float JSON text of it would give);
//! - a `datetime.datetime` reads as its RFC 3339 text in whole seconds, UTC (a naive one
//!   is taken as UTC; the fraction of a second is floored), and a `decimal.Decimal` as
//!   its decimal text, so money keeps every digit;
//! - anything else is not a JSON value: the read fails.
//!
//! Every read is judged by one [`Reader`]: arrays and objects nest at most [`MAX_DEPTH`]
//! levels (a value inside itself ends there, never in a stack overflow), and a string
//! that is not valid Unicode (a lone surrogate) is a [`Fault::NotUnicode`]. A fault is
//! sticky: every later read fails at once.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde::de::{self, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use std::cell::{Cell, RefCell};

/// Deepest nesting of lists and dicts read: as deep as serde_json reads JSON text (its
/// recursion limit of 128 refuses the 128th level).
pub(crate) const MAX_DEPTH: usize = 127;

/// Why a value could not be read, beyond a shape its decoder refuses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fault {
    /// Nested deeper than [`MAX_DEPTH`] (or inside itself).
    TooDeep,
    /// A string holds a lone surrogate.
    NotUnicode,
    /// A value JSON cannot hold (a set, bytes, an object of another class, a dict key
    /// that is not a string).
    NotJson,
}

/// The error of a read (serde's own error type of a message).
pub(crate) type ReadError = de::value::Error;

type Result<T> = std::result::Result<T, ReadError>;

/// The bounds and findings of one read.
pub(crate) struct Reader {
    depth: Cell<usize>,
    fault: Cell<Option<Fault>>,
    /// Whether to keep the path of a failure (a policy or an actor; a case needs none).
    track: bool,
    path: RefCell<Vec<String>>,
    failed_at: RefCell<Option<Vec<String>>>,
}

impl Reader {
    /// A reader; `track` keeps the path of the first failure.
    pub(crate) fn new(track: bool) -> Reader {
        Reader {
            depth: Cell::new(0),
            fault: Cell::new(None),
            track,
            path: RefCell::new(Vec::new()),
            failed_at: RefCell::new(None),
        }
    }

    /// The fault met, if any.
    pub(crate) fn fault(&self) -> Option<Fault> {
        self.fault.get()
    }

    /// Where the first failure was, as `root.key.0.key` (`root` alone: the value itself).
    pub(crate) fn failed_at(&self, root: &str) -> String {
        let mut s = String::from(root);
        for seg in self.failed_at.borrow().iter().flatten() {
            s.push('.');
            s.push_str(seg);
        }
        s
    }

    /// Where the first failure was, as a JSON pointer (`/fields/amount`).
    pub(crate) fn pointer(&self) -> String {
        let mut s = String::new();
        for seg in self.failed_at.borrow().iter().flatten() {
            s.push('/');
            s.push_str(&seg.replace('~', "~0").replace('/', "~1"));
        }
        s
    }

    /// A deserializer of `value`.
    pub(crate) fn de<'a, 'py>(&'a self, value: &'a Bound<'py, PyAny>) -> PyDe<'a, 'py> {
        PyDe { value, r: self }
    }

    fn fail(&self, f: Fault, msg: impl Into<String>) -> ReadError {
        if self.fault.get().is_none() {
            self.fault.set(Some(f));
        }
        self.note();
        de::Error::custom(msg.into())
    }

    /// Notes where the first failure happened.
    fn note(&self) {
        if self.track && self.failed_at.borrow().is_none() {
            *self.failed_at.borrow_mut() = Some(self.path.borrow().clone());
        }
    }

    fn check(&self) -> Result<()> {
        match self.fault.get() {
            Some(_) => Err(de::Error::custom("the value could not be read")),
            None => Ok(()),
        }
    }

    fn enter(&self) -> Result<()> {
        let d = self.depth.get() + 1;
        if d > MAX_DEPTH {
            return Err(self.fail(Fault::TooDeep, format!("nested deeper than {MAX_DEPTH} levels (or inside itself)")));
        }
        self.depth.set(d);
        Ok(())
    }

    fn leave(&self) {
        self.depth.set(self.depth.get().saturating_sub(1));
    }

    fn push(&self, seg: impl FnOnce() -> String) {
        if self.track {
            self.path.borrow_mut().push(seg());
        }
    }

    fn pop(&self) {
        if self.track {
            self.path.borrow_mut().pop();
        }
    }
}

/// The Python classes read specially, looked up once.
struct Classes {
    datetime: Py<PyAny>,
    decimal: Py<PyAny>,
    /// `datetime(1970, 1, 1)` and `datetime(1970, 1, 1, tzinfo=timezone.utc)`.
    epoch_naive: Py<PyAny>,
    epoch_utc: Py<PyAny>,
    one_second: Py<PyAny>,
}

static CLASSES: PyOnceLock<Classes> = PyOnceLock::new();

fn classes(py: Python<'_>) -> PyResult<&Classes> {
    CLASSES.get_or_try_init(py, || {
        let dt = py.import("datetime")?;
        let datetime = dt.getattr("datetime")?;
        let utc = dt.getattr("timezone")?.getattr("utc")?;
        let epoch_naive = datetime.call1((1970, 1, 1))?;
        let kw = PyDict::new(py);
        kw.set_item("tzinfo", utc)?;
        let epoch_utc = datetime.call((1970, 1, 1), Some(&kw))?;
        let one_second = dt.getattr("timedelta")?.call1((0, 1))?;
        Ok(Classes {
            datetime: datetime.unbind(),
            decimal: py.import("decimal")?.getattr("Decimal")?.unbind(),
            epoch_naive: epoch_naive.unbind(),
            epoch_utc: epoch_utc.unbind(),
            one_second: one_second.unbind(),
        })
    })
}

/// Seconds since the epoch of a `datetime.datetime`, floored (a naive one taken as UTC):
/// exact, in Python's integer arithmetic.
pub(crate) fn datetime_seconds(v: &Bound<'_, PyAny>) -> PyResult<i64> {
    let py = v.py();
    let c = classes(py)?;
    let epoch = if v.getattr("tzinfo")?.is_none() { &c.epoch_naive } else { &c.epoch_utc };
    v.call_method1("__sub__", (epoch.bind(py),))?.call_method1("__floordiv__", (c.one_second.bind(py),))?.extract()
}

/// Whether `v` is a `datetime.datetime` (a pandas `Timestamp` too).
pub(crate) fn is_datetime(v: &Bound<'_, PyAny>) -> bool {
    classes(v.py()).and_then(|c| v.is_instance(c.datetime.bind(v.py()))).unwrap_or(false)
}

fn is_decimal(v: &Bound<'_, PyAny>) -> bool {
    classes(v.py()).and_then(|c| v.is_instance(c.decimal.bind(v.py()))).unwrap_or(false)
}

/// A deserializer over one Python value.
pub(crate) struct PyDe<'a, 'py> {
    value: &'a Bound<'py, PyAny>,
    r: &'a Reader,
}

impl<'de> de::Deserializer<'de> for PyDe<'_, '_> {
    type Error = ReadError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.r.check()?;
        let v = self.value;
        if v.is_none() {
            return visitor.visit_unit();
        }
        if let Ok(s) = v.cast::<PyString>() {
            let Some(text) = crate::ffi::str_text(s) else {
                return Err(self.r.fail(Fault::NotUnicode, "a string is not valid Unicode (a lone surrogate)"));
            };
            return visitor.visit_str(text);
        }
        if let Ok(b) = v.cast::<PyBool>() {
            return visitor.visit_bool(b.is_true());
        }
        if let Ok(i) = v.cast::<PyInt>() {
            if let Ok(x) = i.extract::<i64>() {
                return visitor.visit_i64(x);
            }
            if let Ok(x) = i.extract::<u64>() {
                return visitor.visit_u64(x);
            }
            // As JSON text of the number reads: a float (infinite beyond its range).
            let x =
                i.extract::<f64>().unwrap_or(if i.lt(0).unwrap_or(false) { f64::NEG_INFINITY } else { f64::INFINITY });
            return visitor.visit_f64(x);
        }
        if let Ok(f) = v.cast::<PyFloat>() {
            return visitor.visit_f64(f.value());
        }
        if let Ok(d) = v.cast::<PyDict>() {
            self.r.enter()?;
            let res = visitor.visit_map(Map { items: d.iter(), value: None, r: self.r, pushed: false });
            self.r.leave();
            return res;
        }
        if let Ok(l) = v.cast::<PyList>() {
            self.r.enter()?;
            let res = visitor.visit_seq(Seq { list: Items::List(l), i: 0, r: self.r });
            self.r.leave();
            return res;
        }
        if let Ok(t) = v.cast::<PyTuple>() {
            self.r.enter()?;
            let res = visitor.visit_seq(Seq { list: Items::Tuple(t), i: 0, r: self.r });
            self.r.leave();
            return res;
        }
        if is_datetime(v) {
            return match datetime_seconds(v) {
                Ok(t) => visitor.visit_str(&docket_core::time::Rfc3339(t).to_string()),
                Err(_) => Err(self.r.fail(Fault::NotJson, "a datetime that cannot be read as an instant")),
            };
        }
        if is_decimal(v) {
            let s = v.str().map_err(|_| self.r.fail(Fault::NotJson, "a Decimal"))?;
            let text = crate::ffi::str_text(&s).ok_or_else(|| self.r.fail(Fault::NotJson, "a Decimal"))?;
            return visitor.visit_str(text);
        }
        let ty = v.get_type().name().map(|n| n.to_string()).unwrap_or_default();
        Err(self.r.fail(Fault::NotJson, format!("a value of type {ty} is not a JSON value")))
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.r.check()?;
        if self.value.is_none() { visitor.visit_none() } else { visitor.visit_some(self) }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _: &'static str, visitor: V) -> Result<V::Value> {
        visitor.visit_newtype_struct(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct enum identifier
        ignored_any
    }
}

enum Items<'a, 'py> {
    List(&'a Bound<'py, PyList>),
    Tuple(&'a Bound<'py, PyTuple>),
}

struct Seq<'a, 'py> {
    list: Items<'a, 'py>,
    i: usize,
    r: &'a Reader,
}

impl<'de> SeqAccess<'de> for Seq<'_, '_> {
    type Error = ReadError;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>> {
        self.r.check()?;
        // A list may change length while it is read (by a value's own code): read by index.
        let item = match self.list {
            Items::List(l) => l.get_item(self.i).ok(),
            Items::Tuple(t) => t.get_item(self.i).ok(),
        };
        let Some(item) = item else { return Ok(None) };
        let i = self.i;
        self.i += 1;
        self.r.push(|| i.to_string());
        let res = seed.deserialize(self.r.de(&item)).map(Some);
        if res.is_err() {
            self.r.note();
        }
        self.r.pop();
        res
    }

    fn size_hint(&self) -> Option<usize> {
        let n = match self.list {
            Items::List(l) => l.len(),
            Items::Tuple(t) => t.len(),
        };
        Some(n.saturating_sub(self.i))
    }
}

struct Map<'a, 'py> {
    items: pyo3::types::dict::BoundDictIterator<'py>,
    value: Option<Bound<'py, PyAny>>,
    r: &'a Reader,
    /// Whether the current key is on the reader's path.
    pushed: bool,
}

impl<'de> MapAccess<'de> for Map<'_, '_> {
    type Error = ReadError;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        self.r.check()?;
        if self.pushed {
            self.r.pop();
            self.pushed = false;
        }
        let Some((k, v)) = self.items.next() else { return Ok(None) };
        self.value = Some(v);
        let Ok(k) = k.cast::<PyString>() else {
            return Err(self.r.fail(Fault::NotJson, "a dict key is not a string"));
        };
        let r = self.r;
        let read = |key: Option<&str>| {
            let Some(key) = key else {
                return Err(r.fail(Fault::NotUnicode, "a dict key is not valid Unicode (a lone surrogate)"));
            };
            r.push(|| key.to_owned());
            let de: de::value::StrDeserializer<'_, ReadError> = key.into_deserializer();
            seed.deserialize(de).map(Some)
        };
        self.pushed = self.r.track;
        read(crate::ffi::str_text(k))
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value> {
        self.r.check()?;
        let Some(v) = self.value.take() else { return Err(de::Error::custom("a value without its key")) };
        let res = seed.deserialize(self.r.de(&v));
        if res.is_err() {
            self.r.note();
        }
        res
    }
}

impl Drop for Map<'_, '_> {
    fn drop(&mut self) {
        if self.pushed {
            self.r.pop();
        }
    }
}
