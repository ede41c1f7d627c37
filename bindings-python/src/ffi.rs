//! The Arrow PyCapsule interface: every pointer this module reads from or hands to
//! another library, each `unsafe` block with the reason it is sound.
//!
//! In: an object's `__arrow_c_stream__()` gives a capsule named `arrow_array_stream`
//! holding an `ArrowArrayStream`, which is moved out (the capsule is left released, as
//! the interface asks of a consumer); `__arrow_c_array__()` gives an `arrow_schema` and
//! an `arrow_array` capsule, whose array is moved out likewise. The buffers stay where
//! the producer put them: arrays are imported without copying. Every imported array is
//! then checked in full (offsets, UTF-8, dictionary keys) before it is read, so a
//! malformed producer is an error, never a wild read.
//!
//! Out: a stream of record batches in an `arrow_array_stream` capsule; dropping the
//! capsule unconsumed releases the stream.

use crate::error::{Failure, Result};
use arrow_array::ffi::{FFI_ArrowArray, FFI_ArrowSchema, from_ffi};
use arrow_array::ffi_stream::{FFI_ArrowArrayStream, RecordBatchStreamReader};
use arrow_array::{Array, RecordBatch, RecordBatchIterator, RecordBatchReader, StructArray};
use arrow_schema::{ArrowError, SchemaRef};
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyCapsuleMethods, PyString, PyTuple};
use std::ffi::{CStr, c_char};

unsafe extern "C" {
    /// Part of CPython's stable ABI since 3.10, and present with the same signature and
    /// meaning in 3.9 (whose limited API leaves it out, so `pyo3-ffi` declares it only
    /// from 3.10 on): the UTF-8 text of a `str`, kept by the object itself (for an ASCII
    /// string, its own buffer), or NULL with an exception set.
    fn PyUnicode_AsUTF8AndSize(unicode: *mut pyo3::ffi::PyObject, size: *mut pyo3::ffi::Py_ssize_t) -> *const c_char;
}

/// The UTF-8 text of a Python `str`, borrowed from the object (no copy for ASCII text);
/// `None` for a string that holds a lone surrogate (not valid Unicode).
pub(crate) fn str_text<'a>(s: &'a Bound<'_, PyString>) -> Option<&'a str> {
    let mut size: pyo3::ffi::Py_ssize_t = 0;
    // SAFETY: `s` is a live `str` (a `Bound` holds a reference) and the GIL is held (a
    // `Bound` proves it); `size` is a valid place to write the length.
    let p = unsafe { PyUnicode_AsUTF8AndSize(s.as_ptr(), &mut size) };
    if p.is_null() {
        // The exception (a UnicodeEncodeError) is the caller's `None`.
        drop(PyErr::take(s.py()));
        return None;
    }
    let len = usize::try_from(size).ok()?;
    // SAFETY: on success CPython returns `size` bytes of UTF-8 that the string object
    // owns and keeps unchanged for its whole life (a `str` is immutable); the slice
    // borrows `s`, so it cannot outlive the object.
    let bytes = unsafe { std::slice::from_raw_parts(p.cast::<u8>(), len) };
    std::str::from_utf8(bytes).ok()
}

const STREAM: &CStr = c"arrow_array_stream";
const SCHEMA: &CStr = c"arrow_schema";
const ARRAY: &CStr = c"arrow_array";

/// Record batches read from a Python object.
pub(crate) enum Batches {
    Stream(RecordBatchStreamReader),
    One(Option<RecordBatch>),
}

impl Batches {
    /// The next batch, checked in full.
    pub(crate) fn next_batch(&mut self) -> Option<Result<RecordBatch>> {
        let next = match self {
            Batches::Stream(r) => r.next()?.map_err(arrow_failure),
            Batches::One(b) => Ok(b.take()?),
        };
        Some(next.and_then(|b| {
            for c in b.columns() {
                check(c.as_ref()).map_err(arrow_failure)?;
            }
            Ok(b)
        }))
    }
}

/// Checks an imported array before any value of it is read: its buffers against its
/// length, and what reading its values relies on. Strings are checked as one text (UTF-8
/// once over the values, every offset in range and on a character boundary), which is
/// what Arrow's own full check does value by value; nested and dictionary arrays get
/// Arrow's full check; numbers and booleans need no more than their buffers' sizes.
fn check(arr: &dyn Array) -> std::result::Result<(), ArrowError> {
    use arrow_array::cast::AsArray;
    use arrow_schema::DataType;
    let data = arr.to_data();
    data.validate()?;
    let bad = |what: &str| ArrowError::InvalidArgumentError(format!("a string column {what}"));
    fn text<O: arrow_array::OffsetSizeTrait>(
        a: &arrow_array::GenericStringArray<O>,
        bad: impl Fn(&str) -> ArrowError,
    ) -> std::result::Result<(), ArrowError> {
        let offs = a.value_offsets();
        let (Some(first), Some(last)) =
            (offs.first().and_then(|o| o.to_usize()), offs.last().and_then(|o| o.to_usize()))
        else {
            return Err(bad("has no offsets"));
        };
        let bytes = a.value_data().get(first..last).ok_or_else(|| bad("has offsets past its data"))?;
        let whole = std::str::from_utf8(bytes).map_err(|_| bad("holds text that is not UTF-8"))?;
        let mut prev = first;
        for o in offs {
            let o = o.to_usize().ok_or_else(|| bad("has a negative offset"))?;
            if o < prev || !whole.is_char_boundary(o - first) {
                return Err(bad("has an offset out of order or inside a character"));
            }
            prev = o;
        }
        Ok(())
    }
    match arr.data_type() {
        DataType::Utf8 => text(arr.as_string::<i32>(), bad),
        DataType::LargeUtf8 => text(arr.as_string::<i64>(), bad),
        t if t.is_primitive() || matches!(t, DataType::Boolean | DataType::Null) => Ok(()),
        _ => data.validate_full(),
    }
}

fn arrow_failure(e: ArrowError) -> Failure {
    Failure::argument("cases", format!("the Arrow data cannot be read: {e}"))
}

/// Whether `obj` offers Arrow data through the PyCapsule interface.
pub(crate) fn is_arrow(obj: &Bound<'_, PyAny>) -> bool {
    obj.hasattr("__arrow_c_stream__").unwrap_or(false) || obj.hasattr("__arrow_c_array__").unwrap_or(false)
}

/// The record batches of an object with `__arrow_c_stream__` or `__arrow_c_array__`.
pub(crate) fn batches(obj: &Bound<'_, PyAny>) -> Result<Batches> {
    if obj.hasattr("__arrow_c_stream__")? {
        let capsule = obj.call_method0("__arrow_c_stream__")?;
        let capsule = capsule
            .cast::<PyCapsule>()
            .map_err(|_| Failure::argument("cases", "`__arrow_c_stream__()` did not return a capsule"))?;
        let ptr = capsule.pointer_checked(Some(STREAM)).map_err(|_| {
            Failure::argument("cases", "`__arrow_c_stream__()` did not return an arrow_array_stream capsule")
        })?;
        // SAFETY: a capsule named `arrow_array_stream` holds an `ArrowArrayStream` (the
        // PyCapsule interface), whose layout `FFI_ArrowArrayStream` is (`repr(C)`); the
        // pointer is non-null and, as any capsule pointer to it, aligned. `from_raw`
        // moves the stream out and leaves a released one in its place, so the capsule's
        // destructor does not release it again.
        let stream = unsafe { FFI_ArrowArrayStream::from_raw(ptr.as_ptr().cast::<FFI_ArrowArrayStream>()) };
        let reader = RecordBatchStreamReader::try_new(stream).map_err(arrow_failure)?;
        return Ok(Batches::Stream(reader));
    }
    let pair = obj.call_method0("__arrow_c_array__")?;
    let pair = pair
        .cast::<PyTuple>()
        .map_err(|_| Failure::argument("cases", "`__arrow_c_array__()` did not return a (schema, array) pair"))?;
    let (schema, array) = (pair.get_item(0)?, pair.get_item(1)?);
    let schema = schema.cast::<PyCapsule>().map_err(|_| Failure::argument("cases", "no arrow_schema capsule"))?;
    let array = array.cast::<PyCapsule>().map_err(|_| Failure::argument("cases", "no arrow_array capsule"))?;
    let sp = schema.pointer_checked(Some(SCHEMA)).map_err(|_| Failure::argument("cases", "no arrow_schema capsule"))?;
    let ap = array.pointer_checked(Some(ARRAY)).map_err(|_| Failure::argument("cases", "no arrow_array capsule"))?;
    // SAFETY: an `arrow_schema` capsule holds an `ArrowSchema` (`FFI_ArrowSchema` is its
    // `repr(C)` layout), non-null and aligned; it is only read here, and the capsule (kept
    // alive by `schema` for this whole function) still owns and releases it.
    let schema_ref: &FFI_ArrowSchema = unsafe { &*sp.as_ptr().cast::<FFI_ArrowSchema>() };
    // SAFETY: an `arrow_array` capsule holds an `ArrowArray` (`FFI_ArrowArray` is its
    // `repr(C)` layout), non-null and aligned. `replace` moves it out and leaves a
    // released (empty) array, so the capsule's destructor does not release it again.
    let array = unsafe { std::ptr::replace(ap.as_ptr().cast::<FFI_ArrowArray>(), FFI_ArrowArray::empty()) };
    // SAFETY: the array and its schema come from one `__arrow_c_array__()` call, which
    // describes the array by that schema (the interface's contract); `validate_full` in
    // `next_batch` checks the buffers against it before any value is read.
    let data = unsafe { from_ffi(array, schema_ref) }.map_err(arrow_failure)?;
    if !matches!(data.data_type(), arrow_schema::DataType::Struct(_)) {
        return Err(Failure::argument(
            "cases",
            "`__arrow_c_array__()` must give a struct array (a record batch): one field a column",
        ));
    }
    data.validate_full().map_err(arrow_failure)?;
    let structs = StructArray::from(data);
    if structs.null_count() > 0 {
        return Err(Failure::argument("cases", "a record batch cannot have null rows"));
    }
    Ok(Batches::One(Some(RecordBatch::from(structs))))
}

/// A stream of `batches` (all of `schema`) in an `arrow_array_stream` capsule.
pub(crate) fn stream_capsule<'py>(
    py: Python<'py>,
    schema: SchemaRef,
    batches: Vec<RecordBatch>,
) -> PyResult<Bound<'py, PyCapsule>> {
    let reader: Box<dyn RecordBatchReader + Send> =
        Box::new(RecordBatchIterator::new(batches.into_iter().map(Ok), schema));
    PyCapsule::new_with_value(py, FFI_ArrowArrayStream::new(reader), STREAM)
}
