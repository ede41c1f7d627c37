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
//!    `DOCKET_RESULT_INTERNAL` instead of unwinding into C.
//! 8. Borrowed pointers returned by accessors (names, buffer data, error text) live as
//!    long as the handle they come from.
#![deny(missing_docs)]
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
#![allow(clippy::missing_safety_doc)]
// Every unsafe block (all of them in ffi.rs) says why it is sound.
#![deny(clippy::undocumented_unsafe_blocks)]

mod columnar;
mod diff;
mod engine;
mod error;
mod ffi;
mod types;

pub use columnar::*;
pub use diff::docket_diff_json;
pub use engine::{
    DOCKET_POLICY_INFO_FINGERPRINT, DOCKET_POLICY_INFO_NAME, DOCKET_POLICY_INFO_VERSION, DOCKET_POLICY_INFO_WARNINGS,
    docket_engine, docket_field_type, docket_list, docket_policy_info,
};
pub use error::{docket_error, docket_result};
pub use types::*;

use docket_core::{Actor, Case, CaseError, Engine, ErrorCode, Limits, Outcome, Report};
use error::{Error, without_nul};
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
    ffi::boundary!(or c"".as_ptr(); => concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast())
}

// ---------------------------------------------------------------------------------------
// Errors

/// The error's result code (`DOCKET_RESULT_OK` for NULL).
///
/// # Safety
/// `err` is NULL or an error from this library, not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn docket_error_code(err: *const docket_error) -> docket_result {
    ffi::boundary!(or docket_result::Ok; err: Ref => err.opt().map_or(docket_result::Ok, |e| e.code))
}

/// One text of an error (or `""` for NULL), its length to `len` when wanted.
fn error_text(
    err: ffi::Ref<'_, docket_error>,
    len: ffi::Out<'_, usize>,
    pick: fn(&docket_error) -> &str,
) -> *const c_char {
    let s = err.opt().map_or("\0", pick);
    len.set_if_wanted(without_nul(s).len());
    s.as_ptr().cast()
}

/// The error's stable name: the name of its code in the error table shared by every
/// binding (docs/errors.md: `"invalid_json"`, `"invalid_policy"`, `"internal"`, ...),
/// NUL-terminated; writes its length to `*len` when `len` is not NULL. `""` for NULL.
///
/// # Safety
/// `err` is NULL or a live error; `len` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn docket_error_name(err: *const docket_error, len: *mut usize) -> *const c_char {
    ffi::boundary!(or c"".as_ptr(); err: Ref, len: Out => error_text(err, len, |e| &e.name))
}

/// The error's message, NUL-terminated (see `docket_error_name` for `len`).
///
/// # Safety
/// `err` is NULL or a live error; `len` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn docket_error_message(err: *const docket_error, len: *mut usize) -> *const c_char {
    ffi::boundary!(or c"".as_ptr(); err: Ref, len: Out => error_text(err, len, |e| &e.message))
}

/// Where the error is: a JSON pointer into the policy (`"/routing/rules/3/when"`), or
/// the argument at fault (`"cases"`, `"columns[2].values[17]"`); `""` when not applicable.
///
/// # Safety
/// `err` is NULL or a live error; `len` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn docket_error_path(err: *const docket_error, len: *mut usize) -> *const c_char {
    ffi::boundary!(or c"".as_ptr(); err: Ref, len: Out => error_text(err, len, |e| &e.path))
}

/// Every diagnostic of a policy that does not compile, as a JSON array of
/// `{"code","path","message"}` (`"[]"` for other errors). The codes are the policy's
/// compile error codes (`unknown_queue`, `unsupported_version`, ...).
///
/// # Safety
/// `err` is NULL or a live error; `len` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn docket_error_diagnostics_json(err: *const docket_error, len: *mut usize) -> *const c_char {
    ffi::boundary!(or c"".as_ptr(); err: Ref, len: Out => error_text(err, len, |e| &e.diagnostics))
}

/// Frees an error; NULL is a no-op.
///
/// # Safety
/// `err` is NULL or an error from this library, not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn docket_error_free(err: *mut docket_error) {
    ffi::boundary!(or (); err: Owned => err.free())
}

// ---------------------------------------------------------------------------------------
// Buffers

/// The buffer's bytes (NUL-terminated, the NUL not counted); `""` for NULL.
///
/// # Safety
/// `buf` is NULL or a live buffer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn docket_buffer_data(buf: *const docket_buffer) -> *const c_char {
    ffi::boundary!(or c"".as_ptr(); buf: Ref => buf.opt().map_or(c"".as_ptr(), |b| b.data.as_ptr().cast()))
}

/// The buffer's length in bytes (without the terminating NUL); 0 for NULL.
///
/// # Safety
/// `buf` is NULL or a live buffer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn docket_buffer_len(buf: *const docket_buffer) -> usize {
    ffi::boundary!(or 0; buf: Ref => buf.opt().map_or(0, |b| b.data.len().saturating_sub(1)))
}

/// Frees a buffer; NULL is a no-op.
///
/// # Safety
/// `buf` is NULL or a buffer from this library, not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn docket_buffer_free(buf: *mut docket_buffer) {
    ffi::boundary!(or (); buf: Owned => buf.free())
}

// ---------------------------------------------------------------------------------------
// Engine

/// Compiles a policy (`policy_json`, `len` bytes of UTF-8 JSON) into an engine.
/// Fails with `DOCKET_RESULT_INVALID_JSON`, `DOCKET_RESULT_LIMIT_EXCEEDED` or
/// `DOCKET_RESULT_INVALID_POLICY` (named `invalid_policy`); the error's path is the JSON
/// pointer of the first problem and `docket_error_diagnostics_json` lists them all, each
/// with its own code.
///
/// # Safety
/// `policy_json` is NULL or readable for `len` bytes; `out` and `err` are NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn docket_engine_new(
    policy_json: *const c_char,
    len: usize,
    out: *mut *mut docket_engine,
    err: *mut *mut docket_error,
) -> docket_result {
    ffi::boundary!(err; policy_json: Text(len), out: Out => {
        let text = policy_json.get()?;
        let out = out.required()?;
        out.set_box(docket_engine::compile(text, Limits::default())?);
        Ok(())
    })
}

/// The default limits (those `docket_engine_new` uses): start from these and change the
/// fields you need before `docket_engine_new_with_limits`.
#[unsafe(no_mangle)]
pub extern "C" fn docket_limits_default() -> docket_limits {
    ffi::boundary!(or docket_limits::from(Limits::default()); => docket_limits::from(Limits::default()))
}

/// Compiles a policy like `docket_engine_new`, with the limits `*limits` instead of the
/// defaults (see `docket_limits`). The engine keeps them for every later call:
/// `max_policy_bytes` and the policy limits apply to this compilation, the case limits to
/// every case the engine decodes. `limits` is required (NULL is
/// `DOCKET_RESULT_NULL_ARGUMENT`); start from `docket_limits_default()`.
///
/// # Safety
/// `policy_json` is NULL or readable for `len` bytes; `limits` is NULL or a readable
/// `docket_limits`; `out` and `err` are NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn docket_engine_new_with_limits(
    policy_json: *const c_char,
    len: usize,
    limits: *const docket_limits,
    out: *mut *mut docket_engine,
    err: *mut *mut docket_error,
) -> docket_result {
    ffi::boundary!(err; policy_json: Text(len), limits: Ref, out: Out => {
        let text = policy_json.get()?;
        let limits = Limits::from(*limits.get()?);
        let out = out.required()?;
        out.set_box(docket_engine::compile(text, limits)?);
        Ok(())
    })
}

/// Sets the seed of the engine's QA sample (`seed`, `seed_len` bytes of UTF-8), instead
/// of the policy's `qa.seed`: the key of the HMAC-SHA256 of each case id that decides
/// whether the case is sampled (docs/reports.md, "The QA sample"). Every later call of
/// the engine samples with it. Set it before the engine is shared: no other thread may
/// use the engine during this call.
///
/// # Safety
/// `engine` is NULL or a live engine nothing else uses during the call; `seed` is NULL or
/// readable for `seed_len` bytes; `err` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn docket_engine_set_seed(
    engine: *mut docket_engine,
    seed: *const c_char,
    seed_len: usize,
    err: *mut *mut docket_error,
) -> docket_result {
    ffi::boundary!(err; engine: Mut, seed: Text(seed_len) => {
        let seed = seed.get()?;
        engine.get()?.core.set_sample_seed(seed);
        Ok(())
    })
}

/// Frees an engine; NULL is a no-op. No other thread may still be using it. Its reports
/// stay valid handles to free; no other engine accepts them.
///
/// # Safety
/// `engine` is NULL or an engine from this library, not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn docket_engine_free(engine: *mut docket_engine) {
    ffi::boundary!(or (); engine: Owned => engine.free())
}

/// The policy's name (`DOCKET_POLICY_INFO_NAME`), version label
/// (`DOCKET_POLICY_INFO_VERSION`), fingerprint (`DOCKET_POLICY_INFO_FINGERPRINT`) or
/// compile warnings as a JSON array of `{"code","path","message"}`
/// (`DOCKET_POLICY_INFO_WARNINGS`), borrowed from the engine, NUL-terminated, its length
/// in `*out_len`. Any other `which` is `DOCKET_RESULT_INVALID_ARGUMENT`.
///
/// # Safety
/// `engine` is a live engine or NULL; the out pointers are writable or NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn docket_engine_policy_info(
    engine: *const docket_engine,
    which: docket_policy_info,
    out_name: *mut *const c_char,
    out_len: *mut usize,
    err: *mut *mut docket_error,
) -> docket_result {
    ffi::boundary!(err; engine: Ref, out_name: Out, out_len: Out => {
        let e = engine.get()?;
        let (out_name, out_len) = (out_name.required()?, out_len.required()?);
        let s = e.info(which)?;
        out_name.set(s.as_ptr().cast());
        out_len.set(without_nul(s).len());
        Ok(())
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
    ffi::boundary!(err; engine: Ref, out_count: Out => {
        let e = engine.get()?;
        let out_count = out_count.required()?;
        out_count.set(e.list(list)?.len());
        Ok(())
    })
}

fn item<'a>(names: &'a [String], index: usize, arg: &str) -> Result<&'a String, Error> {
    names.get(index).ok_or_else(|| Error::arg(arg, format!("index {index} is out of range (0..{})", names.len())))
}

fn find(names: &[String], name: &str) -> Result<u32, Error> {
    names
        .iter()
        .position(|n| without_nul(n) == name)
        .map(|i| i as u32)
        .ok_or_else(|| Error::new(ErrorCode::NotFound, format!("`{name}` is not known to the policy"), "name"))
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
    ffi::boundary!(err; engine: Ref, out_name: Out, out_len: Out => {
        let e = engine.get()?;
        let (out_name, out_len) = (out_name.required()?, out_len.required()?);
        let s = item(e.list(list)?, index, "index")?;
        out_name.set(s.as_ptr().cast());
        out_len.set(without_nul(s).len());
        Ok(())
    })
}

/// The index of `name` in a list; `DOCKET_RESULT_NOT_FOUND` when absent. Look names up
/// once, then use the indexes in the batch loop.
///
/// # Safety
/// `engine` is a live engine or NULL; `name` is NULL or readable for `len` bytes;
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
    ffi::boundary!(err; engine: Ref, name: Text(len), out_index: Out => {
        let e = engine.get()?;
        let name = name.get()?;
        let out_index = out_index.required()?;
        out_index.set(find(e.list(list)?, name)?);
        Ok(())
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
    ffi::boundary!(err; engine: Ref, out_type: Out => {
        let e = engine.get()?;
        let out_type = out_type.required()?;
        out_type.set(e.column(column)?.ty);
        Ok(())
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
    ffi::boundary!(err; engine: Ref, out_count: Out => {
        let e = engine.get()?;
        let out_count = out_count.required()?;
        out_count.set(e.column(column)?.values.len());
        Ok(())
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
    ffi::boundary!(err; engine: Ref, out_name: Out, out_len: Out => {
        let e = engine.get()?;
        let (out_name, out_len) = (out_name.required()?, out_len.required()?);
        let s = item(&e.column(column)?.values, index, "index")?;
        out_name.set(s.as_ptr().cast());
        out_len.set(without_nul(s).len());
        Ok(())
    })
}

/// The index of `value` among an enum column's values (the number to put in a
/// `DOCKET_VALUE_ENUM_INDEX` column); `DOCKET_RESULT_NOT_FOUND` when absent. For the
/// `evidence` column, the index among the evidence items the policy names (evidence may
/// be given as `DOCKET_VALUE_ENUM_INDEX` too).
///
/// # Safety
/// `engine` is a live engine or NULL; `value` is NULL or readable for `len` bytes;
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
    ffi::boundary!(err; engine: Ref, value: Text(len), out_index: Out => {
        let e = engine.get()?;
        let value = value.get()?;
        let out_index = out_index.required()?;
        out_index.set(find(&e.column(column)?.values, value)?);
        Ok(())
    })
}

// ---------------------------------------------------------------------------------------
// JSON entry points

/// One record of a batch: JSON text for the core's decoder, or an NDJSON line that is
/// not text (not UTF-8, or holding a NUL byte), of that many bytes once trimmed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Record<'a> {
    Json(&'a str),
    Unreadable(usize),
}

/// Decodes one record into `case`. An unreadable line is that case's error: `too_large`
/// over `max_case_bytes` (a record that long is never read, whatever it holds), `bad_json`
/// otherwise (JSON text is UTF-8 without NUL bytes).
pub(crate) fn decode_record(core: &Engine, record: Record<'_>, case: &mut Case) {
    match record {
        Record::Json(text) => core.decode_json(text, case),
        Record::Unreadable(len) => {
            // Resets the case (an empty record decodes to nothing); the error is set below.
            core.decode_json("", case);
            let too_large = len > core.limits().max_case_bytes;
            case.set_error(if too_large { CaseError::TooLarge } else { CaseError::BadJson });
        }
    }
}

/// A line of NDJSON as a record: `None` when it is blank.
fn line_record(line: &[u8]) -> Option<Record<'_>> {
    match std::str::from_utf8(line) {
        Ok(text) if !text.contains('\0') => Some(text.trim()).filter(|t| !t.is_empty()).map(Record::Json),
        // Never blank: the trimmed line still holds the byte at fault.
        _ => Some(Record::Unreadable(line.trim_ascii().len())),
    }
}

/// Calls `f(line, record)` for every case of NDJSON text or a JSON array. A JSON array
/// must be UTF-8 without NUL bytes and parse as a whole; in NDJSON each line stands alone,
/// and a line that is not text is that record's error ([`decode_record`]).
/// Whether `bytes` are meant as one JSON array: the first byte that is not whitespace is
/// `[` and that bracket closes at the end (strings and escapes respected, only
/// whitespace after it) or never closes (a truncated array, which fails the call).
/// When it closes before more than whitespace, the input is NDJSON, so NDJSON whose
/// first line is `[]` stays NDJSON.
fn is_one_array(bytes: &[u8]) -> bool {
    let ws = |b: u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r');
    let start = bytes.iter().position(|&b| !ws(b));
    if start.and_then(|i| bytes.get(i)) != Some(&b'[') {
        return false;
    }
    let (mut depth, mut in_str, mut esc) = (0u64, false, false);
    for (i, &b) in bytes.iter().enumerate().skip(start.unwrap_or(0)) {
        if in_str {
            match b {
                _ if esc => esc = false,
                b'\\' => esc = true,
                b'"' => in_str = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_str = true,
            b'[' | b'{' => depth += 1,
            b']' | b'}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return bytes.get(i + 1..).is_some_and(|rest| rest.iter().all(|&c| ws(c)));
                }
            }
            _ => {}
        }
    }
    true
}

pub(crate) fn for_each_record(
    engine: &docket_engine,
    bytes: &[u8],
    mut f: impl FnMut(u64, Record<'_>),
) -> Result<(), Error> {
    let max = engine.core.limits().max_cases_per_call;
    let too_many = |n: usize| Error::limit("cases", format!("more than {n} cases in one call (max_cases_per_call)"));
    if is_one_array(bytes) {
        let text = ffi::utf8(bytes, "cases")?;
        let records: Vec<&serde_json::value::RawValue> =
            serde_json::from_str(text).map_err(|e| Error::json("cases", &e))?;
        if records.len() > max {
            return Err(too_many(max));
        }
        for (i, r) in records.iter().enumerate() {
            f(i as u64 + 1, Record::Json(r.get()));
        }
        return Ok(());
    }
    let mut n = 0usize;
    for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
        let Some(record) = line_record(line) else { continue };
        n += 1;
        if n > max {
            return Err(too_many(max));
        }
        f(i as u64 + 1, record);
    }
    Ok(())
}

/// Evaluates cases given as NDJSON (one JSON object per line) or as one JSON array, at
/// `now_unix_s`, and returns one outcome per case as NDJSON, in input order (the
/// outcome format of the spec). A record that is not a usable case (malformed line,
/// missing `id`...) yields an outcome with `error` and its `line`; the rest of the
/// batch is unaffected. The input is one JSON array when its first `[` closes at its end
/// (or never closes), else NDJSON, so an NDJSON first line `[]` does not make it an
/// array. A malformed or truncated JSON *array* fails the whole call with
/// `DOCKET_RESULT_INVALID_JSON`.
///
/// # Safety
/// `engine` is a live engine or NULL; `cases` is NULL or readable for `len` bytes; `out`
/// and `err` are writable or NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn docket_evaluate_json(
    engine: *const docket_engine,
    cases: *const c_char,
    len: usize,
    now_unix_s: i64,
    out: *mut *mut docket_buffer,
    err: *mut *mut docket_error,
) -> docket_result {
    ffi::boundary!(err; engine: Ref, cases: Bytes(len), out: Out => {
        let e = engine.get()?;
        let bytes = cases.get()?;
        let out = out.required()?;
        let mut case = Case::new();
        let mut outcome = Outcome::new();
        let mut buf = Vec::with_capacity(bytes.len().saturating_mul(2));
        for_each_record(e, bytes, |line, record| {
            decode_record(&e.core, record, &mut case);
            e.core.evaluate(&case, now_unix_s, &mut outcome);
            e.core.write_outcome(&outcome, Some(line), &mut buf);
            buf.push(b'\n');
        })?;
        out.set_box(docket_buffer::new(buf));
        Ok(())
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
    ffi::boundary!(err; engine: Ref, cases: Bytes(len), out: Out => {
        let e = engine.get()?;
        let bytes = cases.get()?;
        let out = out.required()?;
        let mut case = Case::new();
        let mut outcome = Outcome::new();
        let mut report = Report::new(&e.core, now_unix_s);
        for_each_record(e, bytes, |_, record| {
            decode_record(&e.core, record, &mut case);
            e.core.evaluate(&case, now_unix_s, &mut outcome);
            report.add(&outcome);
        })?;
        out.set_box(docket_buffer::new(report.to_json(&e.core).into_bytes()));
        Ok(())
    })
}

/// May `actor` perform `action` on `case` at `now_unix_s`? `case_json` is one case
/// object, `actor_json` is `{"id": "...", "roles": ["..."]}`, `action` a declared action
/// name. Returns the decision record as JSON, ready to append to an audit log:
/// `{"case", "actor", "action", "now", "allowed", "reasons", "fills" (an allowed
/// approve), "policy"}`. A denial is a successful call; malformed JSON is
/// `DOCKET_RESULT_INVALID_JSON`, an actor of the wrong shape is
/// `DOCKET_RESULT_INVALID_ARGUMENT`.
///
/// # Safety
/// `engine` is a live engine or NULL; each text is NULL or readable for its length; `out`
/// and `err` are writable or NULL.
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
    now_unix_s: i64,
    out: *mut *mut docket_buffer,
    err: *mut *mut docket_error,
) -> docket_result {
    ffi::boundary!(err;
        engine: Ref, case_json: Text(case_len), actor_json: Text(actor_len), action: Text(action_len), out: Out => {
        let e = engine.get()?;
        let case_text = case_json.get()?;
        let actor_text = actor_json.get()?;
        let action = action.get()?;
        let out = out.required()?;
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
        let decision = e.core.authorize(&case, &actor, action, now_unix_s);
        let json = serde_json::to_vec(&decision).map_err(|x| Error::json("decision", &x))?;
        out.set_box(docket_buffer::new(json));
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::{Record, line_record};

    #[test]
    fn ndjson_lines_are_json_blank_or_unreadable() {
        assert_eq!(line_record(b"  {\"id\":1} \r"), Some(Record::Json("{\"id\":1}")));
        assert_eq!(line_record(b" \t\r"), None);
        assert_eq!(line_record(b""), None);
        // Not UTF-8, or a NUL byte: unreadable, its trimmed length kept for the size limit.
        assert_eq!(line_record(b" {\"k\":\"\xff\"} "), Some(Record::Unreadable(9)));
        assert_eq!(line_record(b"\0"), Some(Record::Unreadable(1)));
        assert_eq!(line_record(b"{\"a\":\"\0\"}"), Some(Record::Unreadable(9)));
    }
}
