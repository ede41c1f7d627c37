//! Comparing two policies on a batch of cases: the core's comparison ([`DiffRun`]) as
//! its JSON document.

use crate::engine::docket_engine;
use crate::error::{docket_error, docket_result};
use crate::{decode_record, docket_buffer, ffi, for_each_record};
use docket_core::{Case, DiffRun};
use std::ffi::c_char;

/// Evaluates every case under the policy in force (`old`) and a proposed one (`new`) at
/// `now_unix_s`, and returns the comparison as one JSON document: `{"old": {name,
/// version, fingerprint}, "new": {...}, "now": ..., "changed": [...], "summary": {...}}`.
/// `changed` lists each case whose decisions differ (queue, owner, priority, approval
/// steps, SLA targets, due, state, band, issues), with its `line`, the aspects that
/// changed and the queue, priority, deciding rules and changed values before and after;
/// `summary` counts cases per changed aspect and gives the queue from → to matrix, each
/// queue's backlog before and after, approval steps per role, the rules whose cases
/// change, and the cases that newly become unrouted, invalid, unusable or without
/// authority. Names are matched across the two policies by text. `cases` are read as
/// `docket_evaluate_json` reads them (NDJSON or one JSON array), within `old`'s limits
/// on the number of cases; each case is decoded by each engine, within its own limits.
///
/// # Safety
/// `old` and `new` are live engines or NULL; `cases` is NULL or readable for `len` bytes;
/// `out` and `err` are writable or NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn docket_diff_json(
    old: *const docket_engine,
    new: *const docket_engine,
    cases: *const c_char,
    len: usize,
    now_unix_s: i64,
    out: *mut *mut docket_buffer,
    err: *mut *mut docket_error,
) -> docket_result {
    ffi::boundary!(err; old: Ref, new: Ref, cases: Bytes(len), out: Out => {
        let (old, new) = (old.get()?, new.get()?);
        let bytes = cases.get()?;
        let out = out.required()?;
        let mut run = DiffRun::new(&old.core, &new.core, now_unix_s);
        let (mut a, mut b) = (Case::new(), Case::new());
        for_each_record(old, bytes, |line, record| {
            decode_record(&old.core, record, &mut a);
            decode_record(&new.core, record, &mut b);
            run.add(&a, &b, Some(line));
        })?;
        out.set_box(docket_buffer::new(run.finish().into_bytes()));
        Ok(())
    })
}
