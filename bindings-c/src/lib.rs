//! # Docket C API (`libdocket.a`, `libdocket.so`, `include/docket.h`)
//!
//! Conventions (also at the top of `docket.h` and in the README), followed by every
//! function:
//!
//! 1. Every symbol starts with `docket_`; types are `docket_<type>`, functions
//!    `docket_<type>_<verb>`, enum values `DOCKET_<ENUM>_<VALUE>`.
//! 2. Handles are opaque and come in `_new` / `_free` pairs; `_free(NULL)` is a no-op.
//! 3. A `const` first argument is never mutated: one `docket_engine` may be used from
//!    any number of threads at once. Mutable handles (`docket_workspace`,
//!    `docket_report`) belong to one thread at a time.
//! 4. Inputs come before outputs; outputs are written only on success.
//! 5. Every buffer is followed by its `size_t` length. Text is UTF-8 of exactly that
//!    length, without a terminator; a NUL byte inside it is `DOCKET_RESULT_LENGTH_MISMATCH`.
//!    Text the library returns is also NUL-terminated (the length excludes the NUL).
//! 6. Every fallible function returns a `docket_result` (0 = `DOCKET_RESULT_OK`, values
//!    stable). Its last argument `docket_error **err` may be NULL; otherwise, on failure
//!    only, `*err` receives an error object (code, name, message, JSON path) that the
//!    caller frees with `docket_error_free`. There is no thread-local "last error".
//! 7. Every function body runs inside a panic boundary: a bug reports
//!    `DOCKET_RESULT_PANIC` instead of unwinding into C.
//! 8. Borrowed pointers returned by accessors (names, buffer data, error text) live as
//!    long as the handle they come from.
#![deny(missing_docs)]
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
#![allow(clippy::missing_safety_doc)]

mod columnar;
mod engine;
mod error;
mod ffi;

pub use columnar::*;
pub use engine::{docket_engine, docket_field_type, docket_list};
pub use error::{docket_error, docket_result};

use docket_core::{Actor, Case, Outcome, OutcomeView, Report};
use error::{Error, without_nul};
use ffi::guard;
use std::ffi::c_char;

/// Bytes returned by the library (JSON text). Free with `docket_buffer_free`.
#[allow(non_camel_case_types)]
pub struct docket_buffer {
    /// The bytes followed by one NUL (not counted in the length).
    data: Vec<u8>,
}

impl docket_buffer {
    fn new(mut data: Vec<u8>) -> docket_buffer {
        data.push(0);
        docket_buffer { data }
    }
}

/// The library version (`"0.1.0"`), a static NUL-terminated string.
#[unsafe(no_mangle)]
pub extern "C" fn docket_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

// ---------------------------------------------------------------------------------------
// Errors

/// The error's result code (`DOCKET_RESULT_OK` for NULL).
///
/// # Safety
/// `err` is NULL or an error from this library, not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn docket_error_code(err: *const docket_error) -> docket_result {
    // SAFETY: per the contract.
    ffi::guard_value(docket_result::Ok, || unsafe { ffi::borrow(err, "err") }.map_or(docket_result::Ok, |e| e.code))
}

fn error_text(err: *const docket_error, len: *mut usize, pick: fn(&docket_error) -> &str) -> *const c_char {
    ffi::guard_value(c"".as_ptr(), || {
        // SAFETY: `err` is NULL or a live error (the caller's contract).
        let s = unsafe { ffi::borrow(err, "err") }.map_or("\0", pick);
        if !len.is_null() {
            // SAFETY: non-NULL `len` is writable per the contract.
            unsafe { len.write(without_nul(s).len()) };
        }
        s.as_ptr().cast()
    })
}

/// The error's stable name (`"invalid_json"`, `"unknown_field"`, ...), NUL-terminated;
/// writes its length to `*len` when `len` is not NULL. `""` for NULL.
///
/// # Safety
/// `err` is NULL or a live error; `len` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn docket_error_name(err: *const docket_error, len: *mut usize) -> *const c_char {
    error_text(err, len, |e| &e.name)
}

/// The error's message, NUL-terminated (see `docket_error_name` for `len`).
///
/// # Safety
/// `err` is NULL or a live error; `len` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn docket_error_message(err: *const docket_error, len: *mut usize) -> *const c_char {
    error_text(err, len, |e| &e.message)
}

/// Where the error is: a JSON pointer into the policy (`"/routing/rules/3/when"`), or
/// the argument at fault (`"cases"`, `"columns[2].values[17]"`); `""` when not applicable.
///
/// # Safety
/// `err` is NULL or a live error; `len` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn docket_error_path(err: *const docket_error, len: *mut usize) -> *const c_char {
    error_text(err, len, |e| &e.path)
}

/// Every diagnostic of a policy that does not compile, as a JSON array of
/// `{"code","path","message"}` (`"[]"` for other errors).
///
/// # Safety
/// `err` is NULL or a live error; `len` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn docket_error_diagnostics_json(err: *const docket_error, len: *mut usize) -> *const c_char {
    error_text(err, len, |e| &e.diagnostics)
}

/// Frees an error; NULL is a no-op.
///
/// # Safety
/// `err` is NULL or an error from this library, not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn docket_error_free(err: *mut docket_error) {
    // SAFETY: per the contract.
    ffi::guard_value((), || unsafe { ffi::free(err) })
}

// ---------------------------------------------------------------------------------------
// Buffers

/// The buffer's bytes (NUL-terminated, the NUL not counted); `""` for NULL.
///
/// # Safety
/// `buf` is NULL or a live buffer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn docket_buffer_data(buf: *const docket_buffer) -> *const c_char {
    ffi::guard_value(c"".as_ptr(), || {
        // SAFETY: per the contract.
        unsafe { ffi::borrow(buf, "buf") }.map_or(c"".as_ptr(), |b| b.data.as_ptr().cast())
    })
}

/// The buffer's length in bytes (without the terminating NUL); 0 for NULL.
///
/// # Safety
/// `buf` is NULL or a live buffer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn docket_buffer_len(buf: *const docket_buffer) -> usize {
    ffi::guard_value(0, || {
        // SAFETY: per the contract.
        unsafe { ffi::borrow(buf, "buf") }.map_or(0, |b| b.data.len().saturating_sub(1))
    })
}

/// Frees a buffer; NULL is a no-op.
///
/// # Safety
/// `buf` is NULL or a buffer from this library, not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn docket_buffer_free(buf: *mut docket_buffer) {
    // SAFETY: per the contract.
    ffi::guard_value((), || unsafe { ffi::free(buf) })
}

// ---------------------------------------------------------------------------------------
// Engine

/// Compiles a policy (`policy_json`, `len` bytes of UTF-8 JSON) into an engine.
/// Fails with `DOCKET_RESULT_INVALID_JSON`, `DOCKET_RESULT_LIMIT_EXCEEDED` or
/// `DOCKET_RESULT_INVALID_POLICY`; the error's path is the JSON pointer of the first
/// problem and `docket_error_diagnostics_json` lists them all.
///
/// # Safety
/// `policy_json` is readable for `len` bytes; `out` and `err` are NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn docket_engine_new(
    policy_json: *const c_char,
    len: usize,
    out: *mut *mut docket_engine,
    err: *mut *mut docket_error,
) -> docket_result {
    guard(err, || {
        // SAFETY: per the contract.
        let text = unsafe { ffi::text(policy_json, len, "policy_json") }?;
        ffi::out_ok(out, "out")?;
        let engine = docket_engine::compile(text)?;
        // SAFETY: `out` checked non-NULL above.
        unsafe { ffi::write_box(out, engine) }
    })
}

/// Frees an engine; NULL is a no-op. No other thread may still be using it.
///
/// # Safety
/// `engine` is NULL or an engine from this library, not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn docket_engine_free(engine: *mut docket_engine) {
    // SAFETY: per the contract.
    ffi::guard_value((), || unsafe { ffi::free(engine) })
}

/// The policy's name (`which` = 0), version label (1) or fingerprint (2), borrowed from
/// the engine, NUL-terminated, its length in `*out_len`.
///
/// # Safety
/// `engine` is a live engine or NULL; the out pointers are writable or NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn docket_engine_policy_info(
    engine: *const docket_engine,
    which: u32,
    out_name: *mut *const c_char,
    out_len: *mut usize,
    err: *mut *mut docket_error,
) -> docket_result {
    guard(err, || {
        // SAFETY: per the contract.
        let e = unsafe { ffi::borrow(engine, "engine") }?;
        ffi::out_ok(out_name, "out_name")?;
        ffi::out_ok(out_len, "out_len")?;
        let s = e
            .info
            .get(which as usize)
            .ok_or_else(|| Error::arg("which", format!("{which} is not 0 (name), 1 (version) or 2 (fingerprint)")))?;
        // SAFETY: both checked non-NULL.
        unsafe {
            ffi::write(out_name, s.as_ptr().cast())?;
            ffi::write(out_len, without_nul(s).len())
        }
    })
}

/// The number of names in a list (`list` is a `docket_list` value).
///
/// # Safety
/// `engine` is a live engine or NULL; `out_count` is writable or NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn docket_engine_list_len(
    engine: *const docket_engine,
    list: u32,
    out_count: *mut usize,
    err: *mut *mut docket_error,
) -> docket_result {
    guard(err, || {
        // SAFETY: per the contract.
        let e = unsafe { ffi::borrow(engine, "engine") }?;
        ffi::out_ok(out_count, "out_count")?;
        let n = e.list(list)?.len();
        // SAFETY: checked non-NULL.
        unsafe { ffi::write(out_count, n) }
    })
}

fn item<'a>(names: &'a [String], index: usize, arg: &str) -> Result<&'a String, Error> {
    names.get(index).ok_or_else(|| Error::arg(arg, format!("index {index} is out of range (0..{})", names.len())))
}

fn find(names: &[String], name: &str) -> Result<u32, Error> {
    names.iter().position(|n| without_nul(n) == name).map(|i| i as u32).ok_or_else(|| {
        Error::new(docket_result::NotFound, "not_found", format!("`{name}` is not known to the policy"), "name")
    })
}

/// The name at `index` of a list, borrowed from the engine, NUL-terminated.
///
/// # Safety
/// `engine` is a live engine or NULL; the out pointers are writable or NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn docket_engine_list_item(
    engine: *const docket_engine,
    list: u32,
    index: usize,
    out_name: *mut *const c_char,
    out_len: *mut usize,
    err: *mut *mut docket_error,
) -> docket_result {
    guard(err, || {
        // SAFETY: per the contract.
        let e = unsafe { ffi::borrow(engine, "engine") }?;
        ffi::out_ok(out_name, "out_name")?;
        ffi::out_ok(out_len, "out_len")?;
        let s = item(e.list(list)?, index, "index")?;
        // SAFETY: both checked non-NULL.
        unsafe {
            ffi::write(out_name, s.as_ptr().cast())?;
            ffi::write(out_len, without_nul(s).len())
        }
    })
}

/// The index of `name` in a list; `DOCKET_RESULT_NOT_FOUND` when absent. Look names up
/// once, then use the indexes in the batch loop.
///
/// # Safety
/// `engine` is a live engine or NULL; `name` is readable for `len` bytes;
/// `out_index` is writable or NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn docket_engine_list_find(
    engine: *const docket_engine,
    list: u32,
    name: *const c_char,
    len: usize,
    out_index: *mut u32,
    err: *mut *mut docket_error,
) -> docket_result {
    guard(err, || {
        // SAFETY: per the contract.
        let e = unsafe { ffi::borrow(engine, "engine") }?;
        // SAFETY: per the contract.
        let name = unsafe { ffi::text(name, len, "name") }?;
        ffi::out_ok(out_index, "out_index")?;
        let i = find(e.list(list)?, name)?;
        // SAFETY: checked non-NULL.
        unsafe { ffi::write(out_index, i) }
    })
}

/// The declared type of an input column (a `docket_field_type` value).
///
/// # Safety
/// `engine` is a live engine or NULL; `out_type` is writable or NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn docket_engine_column_type(
    engine: *const docket_engine,
    column: u32,
    out_type: *mut docket_field_type,
    err: *mut *mut docket_error,
) -> docket_result {
    guard(err, || {
        // SAFETY: per the contract.
        let e = unsafe { ffi::borrow(engine, "engine") }?;
        ffi::out_ok(out_type, "out_type")?;
        let ty = e.column(column)?.ty;
        // SAFETY: checked non-NULL.
        unsafe { ffi::write(out_type, ty) }
    })
}

/// The number of values of an enum column (0 for other columns).
///
/// # Safety
/// `engine` is a live engine or NULL; `out_count` is writable or NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn docket_engine_enum_len(
    engine: *const docket_engine,
    column: u32,
    out_count: *mut usize,
    err: *mut *mut docket_error,
) -> docket_result {
    guard(err, || {
        // SAFETY: per the contract.
        let e = unsafe { ffi::borrow(engine, "engine") }?;
        ffi::out_ok(out_count, "out_count")?;
        let n = e.column(column)?.values.len();
        // SAFETY: checked non-NULL.
        unsafe { ffi::write(out_count, n) }
    })
}

/// The value at `index` of an enum column, borrowed from the engine, NUL-terminated.
///
/// # Safety
/// `engine` is a live engine or NULL; the out pointers are writable or NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn docket_engine_enum_item(
    engine: *const docket_engine,
    column: u32,
    index: usize,
    out_name: *mut *const c_char,
    out_len: *mut usize,
    err: *mut *mut docket_error,
) -> docket_result {
    guard(err, || {
        // SAFETY: per the contract.
        let e = unsafe { ffi::borrow(engine, "engine") }?;
        ffi::out_ok(out_name, "out_name")?;
        ffi::out_ok(out_len, "out_len")?;
        let s = item(&e.column(column)?.values, index, "index")?;
        // SAFETY: both checked non-NULL.
        unsafe {
            ffi::write(out_name, s.as_ptr().cast())?;
            ffi::write(out_len, without_nul(s).len())
        }
    })
}

/// The index of `value` among an enum column's values (the number to put in a
/// `DOCKET_VALUE_ENUM_INDEX` column); `DOCKET_RESULT_NOT_FOUND` when absent. For the
/// `evidence` column, the index among the evidence items the policy names (evidence may
/// be given as `DOCKET_VALUE_ENUM_INDEX` too).
///
/// # Safety
/// `engine` is a live engine or NULL; `value` is readable for `len` bytes;
/// `out_index` is writable or NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn docket_engine_enum_find(
    engine: *const docket_engine,
    column: u32,
    value: *const c_char,
    len: usize,
    out_index: *mut u32,
    err: *mut *mut docket_error,
) -> docket_result {
    guard(err, || {
        // SAFETY: per the contract.
        let e = unsafe { ffi::borrow(engine, "engine") }?;
        // SAFETY: per the contract.
        let value = unsafe { ffi::text(value, len, "value") }?;
        ffi::out_ok(out_index, "out_index")?;
        let i = find(&e.column(column)?.values, value)?;
        // SAFETY: checked non-NULL.
        unsafe { ffi::write(out_index, i) }
    })
}

// ---------------------------------------------------------------------------------------
// JSON entry points

/// Calls `f(line, record)` for every case of NDJSON text or a JSON array.
pub(crate) fn for_each_record(engine: &docket_engine, text: &str, mut f: impl FnMut(u64, &str)) -> Result<(), Error> {
    let max = engine.core.limits().max_cases_per_call;
    let too_many = |n: usize| {
        Error::new(
            docket_result::LimitExceeded,
            "limit_exceeded",
            format!("more than {n} cases in one call (max_cases_per_call)"),
            "cases",
        )
    };
    if text.trim_start().starts_with('[') {
        let records: Vec<&serde_json::value::RawValue> =
            serde_json::from_str(text).map_err(|e| Error::json("cases", &e))?;
        if records.len() > max {
            return Err(too_many(max));
        }
        for (i, r) in records.iter().enumerate() {
            f(i as u64 + 1, r.get());
        }
        return Ok(());
    }
    let mut n = 0usize;
    for (i, line) in text.split('\n').enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        n += 1;
        if n > max {
            return Err(too_many(max));
        }
        f(i as u64 + 1, line);
    }
    Ok(())
}

/// Evaluates cases given as NDJSON (one JSON object per line) or as one JSON array, at
/// `now_unix_s`, and returns one outcome per case as NDJSON, in input order (the
/// outcome format of the spec). A record that is not a usable case (malformed line,
/// missing `id`...) yields an outcome with `error` and its `line`; the rest of the
/// batch is unaffected. A malformed or truncated JSON *array* fails the whole call with
/// `DOCKET_RESULT_INVALID_JSON`.
///
/// # Safety
/// `engine` is a live engine or NULL; `cases` is readable for `len` bytes; `out` and
/// `err` are writable or NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn docket_evaluate_json(
    engine: *const docket_engine,
    cases: *const c_char,
    len: usize,
    now_unix_s: i64,
    out: *mut *mut docket_buffer,
    err: *mut *mut docket_error,
) -> docket_result {
    guard(err, || {
        // SAFETY: per the contract.
        let e = unsafe { ffi::borrow(engine, "engine") }?;
        // SAFETY: per the contract.
        let text = unsafe { ffi::text(cases, len, "cases") }?;
        ffi::out_ok(out, "out")?;
        let mut case = Case::new();
        let mut outcome = Outcome::new();
        let mut buf = Vec::with_capacity(text.len().saturating_mul(2));
        let mut write_err = None;
        for_each_record(e, text, |line, record| {
            e.core.decode_json(record, &mut case);
            e.core.evaluate(&case, now_unix_s, &mut outcome);
            let view = OutcomeView { engine: &e.core, outcome: &outcome, line: Some(line) };
            if let Err(x) = serde_json::to_writer(&mut buf, &view) {
                write_err.get_or_insert(x);
            }
            buf.push(b'\n');
        })?;
        if let Some(x) = write_err {
            return Err(Error::json("outcome", &x));
        }
        // SAFETY: checked non-NULL.
        unsafe { ffi::write_box(out, docket_buffer::new(buf)) }
    })
}

/// Evaluates cases like `docket_evaluate_json` and returns the batch backlog report
/// (JSON, the report format of the spec) instead of the outcomes.
///
/// # Safety
/// As `docket_evaluate_json`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn docket_report_json(
    engine: *const docket_engine,
    cases: *const c_char,
    len: usize,
    now_unix_s: i64,
    out: *mut *mut docket_buffer,
    err: *mut *mut docket_error,
) -> docket_result {
    guard(err, || {
        // SAFETY: per the contract.
        let e = unsafe { ffi::borrow(engine, "engine") }?;
        // SAFETY: per the contract.
        let text = unsafe { ffi::text(cases, len, "cases") }?;
        ffi::out_ok(out, "out")?;
        let mut case = Case::new();
        let mut outcome = Outcome::new();
        let mut report = Report::new(&e.core, now_unix_s);
        for_each_record(e, text, |_, record| {
            e.core.decode_json(record, &mut case);
            e.core.evaluate(&case, now_unix_s, &mut outcome);
            report.add(&outcome);
        })?;
        let json = report.to_json(&e.core);
        // SAFETY: checked non-NULL.
        unsafe { ffi::write_box(out, docket_buffer::new(json.into_bytes())) }
    })
}

/// May `actor` perform `action` on `case`? `case_json` is one case object, `actor_json`
/// is `{"id": "...", "roles": ["..."]}`, `action` a declared action name. Returns the
/// decision as JSON: `{"allowed": bool, "reasons": [...]}`. A denial is a successful
/// call; malformed JSON is `DOCKET_RESULT_INVALID_JSON`, an actor of the wrong shape is
/// `DOCKET_RESULT_INVALID_ARGUMENT`.
///
/// # Safety
/// `engine` is a live engine or NULL; each text is readable for its length; `out` and
/// `err` are writable or NULL.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn docket_authorize_json(
    engine: *const docket_engine,
    case_json: *const c_char,
    case_len: usize,
    actor_json: *const c_char,
    actor_len: usize,
    action: *const c_char,
    action_len: usize,
    out: *mut *mut docket_buffer,
    err: *mut *mut docket_error,
) -> docket_result {
    guard(err, || {
        // SAFETY: per the contract.
        let e = unsafe { ffi::borrow(engine, "engine") }?;
        // SAFETY: per the contract.
        let case_text = unsafe { ffi::text(case_json, case_len, "case_json") }?;
        // SAFETY: per the contract.
        let actor_text = unsafe { ffi::text(actor_json, actor_len, "actor_json") }?;
        // SAFETY: per the contract.
        let action = unsafe { ffi::text(action, action_len, "action") }?;
        ffi::out_ok(out, "out")?;
        serde_json::from_str::<serde::de::IgnoredAny>(case_text).map_err(|x| Error::json("case_json", &x))?;
        let actor: Actor = serde_json::from_str(actor_text).map_err(|x| {
            if x.is_data() {
                Error::arg("actor_json", format!("bad actor (expected {{\"id\": string, \"roles\": [string]}}): {x}"))
            } else {
                Error::json("actor_json", &x)
            }
        })?;
        let mut case = Case::new();
        e.core.decode_json(case_text, &mut case);
        let decision = e.core.authorize(&case, &actor, action);
        let json = serde_json::to_vec(&decision).map_err(|x| Error::json("decision", &x))?;
        // SAFETY: checked non-NULL.
        unsafe { ffi::write_box(out, docket_buffer::new(json)) }
    })
}
