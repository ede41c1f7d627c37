//! The C boundary, in one place. The body of every `extern "C"` function is one
//! [`boundary!`]: it runs inside `catch_unwind` (a panic becomes
//! `DOCKET_RESULT_INTERNAL` instead of unwinding into C) and receives each pointer
//! argument wrapped in a view of what the function's `# Safety` section promises about
//! it ([`Ref`], [`Mut`], [`Owned`], [`Out`], [`Text`], [`Bytes`], [`ColumnsArg`],
//! [`OutputsArg`]).
//! The views' methods are safe: each checks NULL, alignment and length before the one
//! read or write it does. Every raw-pointer read or write of the library is in this file;
//! the rest of the binding works with references and slices.

use crate::engine::docket_engine;
use crate::error::{Error, c_result, docket_error, docket_result};
use crate::types::{docket_column, docket_outputs, docket_report, docket_value_kind};
use docket_core::ErrorCode;
use std::ffi::c_char;
use std::fmt;
use std::marker::PhantomData;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// The body of an `extern "C"` function: its panic boundary, with each listed pointer
/// argument shadowed by its view.
///
/// ```ignore
/// // Fallible: `err` is the `docket_error **` argument; the body is a
/// // `Result<(), Error>`; the function returns its `docket_result`.
/// ffi::boundary!(err; engine: Ref, cases: Text(len), out: Out => { ... })
/// // Accessors and `_free`, which cannot fail: FALLBACK if the body panics.
/// ffi::boundary!(or FALLBACK; err: Ref, len: Out => ...)
/// ```
///
/// A view's extra arguments in parentheses are the lengths the C contract ties to the
/// pointer (`Text(len)`: `len` bytes), so that no later code can pick another.
///
/// Use it only as the body of an `unsafe extern "C" fn` whose `# Safety` section
/// promises, for every listed argument, what its view's `new` requires: that promise,
/// made by the C caller, is what makes the views' safe methods sound.
macro_rules! boundary {
    (or $fallback:expr; $($arg:ident: $view:ident $(($($len:expr),*))?),* => $body:expr) => {{
        $(let $arg = $crate::ffi::wrap!($arg, $view, ($($($len,)*)?));)*
        $crate::ffi::guard_value($fallback, move || $body)
    }};
    ($err:ident; $($arg:ident: $view:ident $(($($len:expr),*))?),* => $body:expr) => {{
        $(let $arg = $crate::ffi::wrap!($arg, $view, ($($($len,)*)?));)*
        let $err = $crate::ffi::wrap!($err, ErrorOut, ());
        $crate::ffi::guard($err, move || $body)
    }};
}
pub(crate) use boundary;

/// One argument of [`boundary!`] wrapped in its view; the argument's name is the path
/// its errors report (`engine`, `out_len`).
macro_rules! wrap {
    ($arg:ident, $view:ident, $lens:expr) => {{
        let (ptr, name, lens) = ($arg, stringify!($arg), $lens);
        // SAFETY: `boundary!` is the body of an `unsafe extern "C" fn` whose `# Safety`
        // section promises the C caller passes this argument as the view's `new` requires
        // (see `boundary!`); `lens` are that function's own length arguments.
        unsafe { $crate::ffi::$view::new(ptr, name, lens) }
    }};
}
pub(crate) use wrap;

/// Runs a fallible body inside the panic boundary. On failure, gives `err` a new error
/// object and returns the error's code.
pub(crate) fn guard(err: ErrorOut, body: impl FnOnce() -> Result<(), Error>) -> docket_result {
    let result = catch_unwind(AssertUnwindSafe(body)).unwrap_or_else(|_| Err(Error::internal()));
    match result {
        Ok(()) => docket_result::Ok,
        Err(e) => {
            let code = c_result(e.code);
            err.set(e);
            code
        }
    }
}

/// Runs an infallible body (accessors, `_free`) inside the panic boundary.
pub(crate) fn guard_value<T>(fallback: T, body: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or(fallback)
}

/// The path an error reports for an array: an argument, or a part of a column.
#[derive(Clone, Copy, Debug)]
enum Name {
    Arg(&'static str),
    Column(usize, &'static str),
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Name::Arg(a) => f.write_str(a),
            Name::Column(j, part) => write!(f, "columns[{j}].{part}"),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Views of pointer arguments

/// `docket_error **err`: where a failing call puts its error object.
pub(crate) struct ErrorOut(*mut *mut docket_error);

impl ErrorOut {
    /// # Safety
    /// `ptr` is NULL or valid for writing one pointer (any alignment) during the call.
    pub(crate) unsafe fn new(ptr: *mut *mut docket_error, _: &'static str, _: ()) -> ErrorOut {
        ErrorOut(ptr)
    }

    /// Gives the caller the error object (when it passed somewhere to put it).
    fn set(self, e: Error) {
        if self.0.is_null() {
            return;
        }
        // An allocation failure while building the error leaves `*err` untouched; the
        // code still comes back.
        if let Ok(p) = catch_unwind(AssertUnwindSafe(|| Box::into_raw(Box::new(e.into_c())))) {
            // SAFETY: non-NULL, and writable for one pointer by `new`'s contract;
            // `write_unaligned` needs no alignment and drops nothing.
            unsafe { self.0.write_unaligned(p) };
        }
    }
}

/// An object the function only reads: a handle or a struct passed by pointer.
pub(crate) struct Ref<'a, T> {
    ptr: *const T,
    name: &'static str,
    life: PhantomData<&'a T>,
}

impl<'a, T> Ref<'a, T> {
    /// # Safety
    /// `ptr` is NULL, misaligned, or points to a live `T` not modified during `'a`.
    pub(crate) unsafe fn new(ptr: *const T, name: &'static str, _: ()) -> Ref<'a, T> {
        Ref { ptr, name, life: PhantomData }
    }

    /// The object; `null_argument` when NULL, `invalid_argument` when misaligned (a
    /// pointer that is not what it claims to be).
    pub(crate) fn get(self) -> Result<&'a T, Error> {
        if self.ptr.is_null() {
            return Err(Error::null(self.name));
        }
        self.opt().ok_or_else(|| Error::misaligned(self.name, align_of::<T>()))
    }

    /// The object, or `None` for NULL (and for a misaligned pointer, never read).
    pub(crate) fn opt(&self) -> Option<&'a T> {
        if !self.ptr.is_aligned() {
            return None;
        }
        // SAFETY: aligned, and NULL or a live `T` unmodified during `'a` (`new`'s
        // contract); `as_ref` turns NULL into `None`.
        unsafe { self.ptr.as_ref() }
    }
}

/// An object the function modifies (a workspace, a report).
pub(crate) struct Mut<'a, T> {
    ptr: *mut T,
    name: &'static str,
    life: PhantomData<&'a mut T>,
}

impl<'a, T> Mut<'a, T> {
    /// # Safety
    /// `ptr` is NULL, misaligned, or points to a live `T` that nothing reads or writes
    /// during `'a` except through the reference [`Mut::get`] returns (a [`Ref`] to the
    /// same object is the caller's mistake that [`Mut::is`] detects before either is read).
    pub(crate) unsafe fn new(ptr: *mut T, name: &'static str, _: ()) -> Mut<'a, T> {
        Mut { ptr, name, life: PhantomData }
    }

    /// Whether `other` is the same object (two NULLs are the same pointer, not the
    /// same object: see [`Mut::is_null`]).
    pub(crate) fn is(&self, other: &Ref<'_, T>) -> bool {
        std::ptr::eq(self.ptr, other.ptr)
    }

    /// Whether the pointer is NULL.
    pub(crate) fn is_null(&self) -> bool {
        self.ptr.is_null()
    }

    /// The object; `null_argument` when NULL, `invalid_argument` when misaligned.
    pub(crate) fn get(self) -> Result<&'a mut T, Error> {
        if self.ptr.is_null() {
            return Err(Error::null(self.name));
        }
        if !self.ptr.is_aligned() {
            return Err(Error::misaligned(self.name, align_of::<T>()));
        }
        // SAFETY: non-NULL, aligned, live and used by nothing else during `'a` (`new`'s
        // contract); `self` is consumed, so this is the only reference made from it.
        Ok(unsafe { &mut *self.ptr })
    }
}

/// A handle the function frees.
pub(crate) struct Owned<T> {
    ptr: *mut T,
}

impl<T> Owned<T> {
    /// # Safety
    /// `ptr` is NULL or a handle this library made with [`Slot::set_box`] for a `T`, not
    /// freed before and not used after the call.
    pub(crate) unsafe fn new(ptr: *mut T, _: &'static str, _: ()) -> Owned<T> {
        Owned { ptr }
    }

    /// Frees the handle; NULL (and a misaligned pointer, which no handle is) is a no-op.
    pub(crate) fn free(self) {
        if !self.ptr.is_null() && self.ptr.is_aligned() {
            // SAFETY: a pointer from `Box::into_raw` of a `T` (`set_box`), freed once
            // (`new`'s contract).
            drop(unsafe { Box::from_raw(self.ptr) });
        }
    }
}

/// An output the function writes on success (`T *out`).
pub(crate) struct Out<'a, T> {
    ptr: *mut T,
    name: &'static str,
    life: PhantomData<&'a mut T>,
}

impl<'a, T> Out<'a, T> {
    /// # Safety
    /// `ptr` is NULL or valid for writing one `T` (any alignment) during `'a`.
    pub(crate) unsafe fn new(ptr: *mut T, name: &'static str, _: ()) -> Out<'a, T> {
        Out { ptr, name, life: PhantomData }
    }

    /// A required output, checked before any work so that a NULL one fails the call
    /// before anything is computed.
    pub(crate) fn required(self) -> Result<Slot<'a, T>, Error> {
        if self.ptr.is_null() { Err(Error::null(self.name)) } else { Ok(Slot(self)) }
    }

    /// Writes an optional output (NULL: not wanted).
    pub(crate) fn set_if_wanted(self, value: T) {
        if let Ok(slot) = self.required() {
            slot.set(value);
        }
    }
}

/// A non-NULL [`Out`].
pub(crate) struct Slot<'a, T>(Out<'a, T>);

impl<T> Slot<'_, T> {
    pub(crate) fn set(self, value: T) {
        // SAFETY: non-NULL (`Out::required`), writable for one `T` (`Out::new`'s
        // contract); `write_unaligned` needs no alignment and drops nothing of the
        // caller's.
        unsafe { self.0.ptr.write_unaligned(value) }
    }
}

impl<U> Slot<'_, *mut U> {
    /// Moves `value` to the heap and gives the caller the handle (freed by
    /// [`Owned::free`]).
    pub(crate) fn set_box(self, value: U) {
        self.set(Box::into_raw(Box::new(value)));
    }
}

/// Text the caller passes with its length: UTF-8 of exactly `len` bytes.
pub(crate) struct Text<'a> {
    ptr: *const c_char,
    len: usize,
    name: &'static str,
    life: PhantomData<&'a [u8]>,
}

impl<'a> Text<'a> {
    /// # Safety
    /// `ptr` is NULL or valid for reads of `len` bytes, not modified during `'a`.
    pub(crate) unsafe fn new(ptr: *const c_char, name: &'static str, (len,): (usize,)) -> Text<'a> {
        Text { ptr, len, name, life: PhantomData }
    }

    /// The text: `null_argument` for NULL (even with length 0), `length_mismatch` for a
    /// NUL byte inside it, `invalid_utf8`.
    pub(crate) fn get(self) -> Result<&'a str, Error> {
        if self.ptr.is_null() {
            return Err(Error::null(self.name));
        }
        // SAFETY: readable for `len` bytes during `'a` (`new`'s contract).
        let bytes = unsafe { slice(self.ptr.cast::<u8>(), self.len, Name::Arg(self.name)) }?;
        utf8(bytes, self.name)
    }
}

/// Bytes the caller passes with their length, not yet judged as text: NDJSON, whose
/// lines are judged one by one (a line that is not UTF-8 is that record's error).
pub(crate) struct Bytes<'a> {
    ptr: *const c_char,
    len: usize,
    name: &'static str,
    life: PhantomData<&'a [u8]>,
}

impl<'a> Bytes<'a> {
    /// # Safety
    /// `ptr` is NULL or valid for reads of `len` bytes, not modified during `'a`.
    pub(crate) unsafe fn new(ptr: *const c_char, name: &'static str, (len,): (usize,)) -> Bytes<'a> {
        Bytes { ptr, len, name, life: PhantomData }
    }

    /// The bytes: `null_argument` for NULL (even with length 0).
    pub(crate) fn get(self) -> Result<&'a [u8], Error> {
        if self.ptr.is_null() {
            return Err(Error::null(self.name));
        }
        // SAFETY: readable for `len` bytes during `'a` (`new`'s contract).
        unsafe { slice(self.ptr.cast::<u8>(), self.len, Name::Arg(self.name)) }
    }
}

/// `const docket_column *columns` with `n_columns` entries for `n_cases` cases.
pub(crate) struct ColumnsArg<'a> {
    ptr: *const docket_column,
    n_columns: usize,
    n_cases: usize,
    name: &'static str,
    life: PhantomData<&'a docket_column>,
}

impl<'a> ColumnsArg<'a> {
    /// # Safety
    /// During `'a`, nothing modifies what follows, and: `ptr` is NULL or valid for
    /// reads of `n_columns` columns; in each column, `offsets` is NULL or readable for
    /// `n_cases + 1` offsets; `values`, `lens` and `present` (those not NULL) are readable
    /// for as many elements of the types `docket_value_kind` documents as the column has
    /// items (`n_cases`, or its last offset); every present string item is readable for
    /// its length.
    pub(crate) unsafe fn new(
        ptr: *const docket_column,
        name: &'static str,
        (n_columns, n_cases): (usize, usize),
    ) -> ColumnsArg<'a> {
        ColumnsArg { ptr, n_columns, n_cases, name, life: PhantomData }
    }

    /// The columns, each with its index (for the paths of its errors).
    pub(crate) fn get(self) -> Result<impl ExactSizeIterator<Item = ColumnArg<'a>>, Error> {
        // SAFETY: NULL or readable for `n_columns` columns during `'a` (`new`'s contract).
        let cols = unsafe { slice(self.ptr, self.n_columns, Name::Arg(self.name)) }?;
        let n_cases = self.n_cases;
        Ok(cols.iter().enumerate().map(move |(index, raw)| ColumnArg { raw, index, n_cases }))
    }
}

/// One column of a [`ColumnsArg`]; its arrays are read with their documented lengths.
/// Each array is checked (NULL, alignment for its type, length) once per call, never
/// per row.
pub(crate) struct ColumnArg<'a> {
    raw: &'a docket_column,
    index: usize,
    n_cases: usize,
}

/// A column's values, as its kind lays them out.
pub(crate) enum Values<'a> {
    I64(&'a [i64]),
    F64(&'a [f64]),
    Bool(&'a [u8]),
    Index(&'a [u32]),
    Scaled(&'a [i64]),
    Text(Strings<'a>),
}

impl<'a> ColumnArg<'a> {
    pub(crate) fn column(&self) -> u32 {
        self.raw.column
    }
    pub(crate) fn kind(&self) -> u32 {
        self.raw.kind
    }
    pub(crate) fn scale(&self) -> u32 {
        self.raw.scale
    }
    /// `columns[j].<part>`, for an error about this column.
    #[cold]
    pub(crate) fn path(&self, part: &'static str) -> String {
        Name::Column(self.index, part).to_string()
    }

    /// The offsets of a list column (`n_cases + 1`), or `None` when NULL.
    pub(crate) fn offsets(&self) -> Result<Option<&'a [usize]>, Error> {
        let n = self.n_cases.saturating_add(1);
        // SAFETY: NULL or readable for `n_cases + 1` offsets (`ColumnsArg::new`).
        unsafe { optional_slice(self.raw.offsets, n, Name::Column(self.index, "offsets")) }
    }

    /// How many values the column holds: `n_cases`, or its last offset.
    fn items(&self) -> Result<usize, Error> {
        Ok(self.offsets()?.map_or(self.n_cases, |o| o.last().copied().unwrap_or(0)))
    }

    /// The values, read as `kind` lays them out (`kind` is this column's parsed `kind`).
    pub(crate) fn values(&self, kind: docket_value_kind) -> Result<Values<'a>, Error> {
        let (n, at, v) = (self.items()?, Name::Column(self.index, "values"), self.raw.values);
        use docket_value_kind as K;
        // SAFETY: in every arm, `values` is NULL or readable for the column's `n` items of
        // the type `kind` documents, and `lens` for `n` lengths (`ColumnsArg::new`);
        // `slice` refuses NULL, a misaligned pointer and a length over `isize::MAX` bytes.
        Ok(unsafe {
            match kind {
                K::I64 => Values::I64(slice(v.cast::<i64>(), n, at)?),
                K::F64 => Values::F64(slice(v.cast::<f64>(), n, at)?),
                K::Bool => Values::Bool(slice(v.cast::<u8>(), n, at)?),
                K::EnumIndex => Values::Index(slice(v.cast::<u32>(), n, at)?),
                K::Scaled => Values::Scaled(slice(v.cast::<i64>(), n, at)?),
                K::String => Values::Text(Strings {
                    ptrs: slice(v.cast::<*const c_char>(), n, at)?,
                    lens: slice(self.raw.lens, n, Name::Column(self.index, "lens"))?,
                    present: self.present()?,
                    index: self.index,
                }),
            }
        })
    }

    /// One byte per value (0 = absent), or `None` when NULL (every value present).
    pub(crate) fn present(&self) -> Result<Option<&'a [u8]>, Error> {
        let n = self.items()?;
        // SAFETY: NULL or readable for the column's `n` items (`ColumnsArg::new`).
        unsafe { optional_slice(self.raw.present, n, Name::Column(self.index, "present")) }
    }
}

/// The items of a string column, not yet checked.
pub(crate) struct Strings<'a> {
    ptrs: &'a [*const c_char],
    lens: &'a [usize],
    present: Option<&'a [u8]>,
    index: usize,
}

impl<'a> Strings<'a> {
    /// The items as text, into `v` (emptied first). Absent items are not read (they may
    /// be NULL); each present one must be UTF-8 without NUL.
    pub(crate) fn read(&self, v: &mut Vec<&'a str>) -> Result<(), Error> {
        // SAFETY: every present item is readable for its length during `'a`
        // (`ColumnsArg::new`, whose arrays these are).
        unsafe { strings(self.ptrs, self.lens, self.present, v, self.index) }
    }
}

/// `const docket_outputs *outputs` for `n_cases` cases.
pub(crate) struct OutputsArg<'a> {
    ptr: *const docket_outputs,
    n_cases: usize,
    name: &'static str,
    life: PhantomData<&'a docket_outputs>,
}

/// The output arrays of a [`OutputsArg`], `None` where not wanted.
pub(crate) struct OutputArrays<'a> {
    pub queue: Option<&'a mut [i32]>,
    pub priority: Option<&'a mut [i32]>,
    pub band: Option<&'a mut [i32]>,
    pub status: Option<&'a mut [u8]>,
    pub error: Option<&'a mut [u8]>,
    pub issues: Option<&'a mut [u32]>,
    pub approvals_required: Option<&'a mut [u32]>,
    pub approvals_remaining: Option<&'a mut [u32]>,
    pub sla_state: Option<&'a mut [u8]>,
    pub sla_due: Option<&'a mut [i64]>,
    pub sla_elapsed: Option<&'a mut [i64]>,
    pub sla_target: Option<&'a mut [i64]>,
    pub escalation_level: Option<&'a mut [u32]>,
    pub escalation_next_at: Option<&'a mut [i64]>,
    pub next_change_at: Option<&'a mut [i64]>,
    pub sla_cause: Option<&'a mut [i32]>,
    pub sla_waiting: Option<&'a mut [i64]>,
    pub qa_misrouted: Option<&'a mut [u8]>,
    pub qa_late_escalations: Option<&'a mut [u32]>,
    pub qa_closed_without: Option<&'a mut [u8]>,
    pub qa_closed_by_barred: Option<&'a mut [u8]>,
    pub qa_stratum: Option<&'a mut [i32]>,
    /// The engine's dependency count (the inner dimension of `sla_waiting`).
    pub dependencies: usize,
}

impl<'a> OutputsArg<'a> {
    /// # Safety
    /// `ptr` is NULL or a readable `docket_outputs` whose arrays that are not NULL are
    /// writable, during `'a`, for their documented lengths (`n_cases` per-case elements;
    /// `n_cases` times the metric count of the call's engine per-metric ones), and
    /// used by nothing else meanwhile (no two overlap); its `report` is NULL or a live
    /// report nothing else uses during `'a`.
    pub(crate) unsafe fn new(ptr: *const docket_outputs, name: &'static str, (n_cases,): (usize,)) -> OutputsArg<'a> {
        OutputsArg { ptr, n_cases, name, life: PhantomData }
    }

    /// The output arrays and the report, for `engine` (the engine of the call, whose
    /// metric count sizes the per-metric arrays). Call it once the case count is known
    /// to be within the engine's limit.
    pub(crate) fn open(
        self,
        engine: &docket_engine,
    ) -> Result<(OutputArrays<'a>, Option<&'a mut docket_report>), Error> {
        // SAFETY: NULL, misaligned or a readable `docket_outputs` (`new`'s contract).
        let o = unsafe { Ref::new(self.ptr, self.name, ()) }.get()?;
        let n = self.n_cases;
        let nm = n.checked_mul(engine.metric_count()).ok_or_else(|| Error::arg("n_cases", "too many cases"))?;
        let deps = engine.dependency_count();
        let nmd = nm.checked_mul(deps).ok_or_else(|| Error::arg("n_cases", "too many cases"))?;
        // SAFETY: each array is NULL or writable for its documented length, overlapping
        // nothing (`new`'s contract); `optional_out` refuses a misaligned pointer.
        let arrays = unsafe {
            OutputArrays {
                queue: optional_out(o.queue, n, "outputs.queue")?,
                priority: optional_out(o.priority, n, "outputs.priority")?,
                band: optional_out(o.band, n, "outputs.band")?,
                status: optional_out(o.status, n, "outputs.status")?,
                error: optional_out(o.error, n, "outputs.error")?,
                issues: optional_out(o.issues, n, "outputs.issues")?,
                approvals_required: optional_out(o.approvals_required, n, "outputs.approvals_required")?,
                approvals_remaining: optional_out(o.approvals_remaining, n, "outputs.approvals_remaining")?,
                sla_state: optional_out(o.sla_state, nm, "outputs.sla_state")?,
                sla_due: optional_out(o.sla_due, nm, "outputs.sla_due")?,
                sla_elapsed: optional_out(o.sla_elapsed, nm, "outputs.sla_elapsed")?,
                sla_target: optional_out(o.sla_target, nm, "outputs.sla_target")?,
                escalation_level: optional_out(o.escalation_level, nm, "outputs.escalation_level")?,
                escalation_next_at: optional_out(o.escalation_next_at, nm, "outputs.escalation_next_at")?,
                next_change_at: optional_out(o.next_change_at, n, "outputs.next_change_at")?,
                sla_cause: optional_out(o.sla_cause, nm, "outputs.sla_cause")?,
                sla_waiting: optional_out(o.sla_waiting, nmd, "outputs.sla_waiting")?,
                qa_misrouted: optional_out(o.qa_misrouted, n, "outputs.qa_misrouted")?,
                qa_late_escalations: optional_out(o.qa_late_escalations, n, "outputs.qa_late_escalations")?,
                qa_closed_without: optional_out(o.qa_closed_without, n, "outputs.qa_closed_without")?,
                qa_closed_by_barred: optional_out(o.qa_closed_by_barred, n, "outputs.qa_closed_by_barred")?,
                qa_stratum: optional_out(o.qa_stratum, n, "outputs.qa_stratum")?,
                dependencies: deps,
            }
        };
        let report = match o.report.is_null() {
            true => None,
            // SAFETY: a live report nothing else uses during `'a` (`new`'s contract).
            false => Some(unsafe { Mut::new(o.report, "outputs.report", ()) }.get()?),
        };
        Ok((arrays, report))
    }
}

// ---------------------------------------------------------------------------------------
// Arrays and text

fn check_len<T>(len: usize, name: impl fmt::Display) -> Result<(), Error> {
    match len.checked_mul(size_of::<T>().max(1)) {
        Some(bytes) if bytes <= isize::MAX as usize => Ok(()),
        _ => Err(Error::arg(name.to_string(), format!("`{name}` length {len} is too large"))),
    }
}

/// A caller-owned input array of `len` elements. NULL is accepted when `len` is 0 (the
/// pointer is then not looked at); otherwise NULL is `null_argument` and a pointer not
/// aligned for `T` is `invalid_argument`.
///
/// # Safety
/// `p` is NULL or valid for reads of `len` elements, not modified during `'a`; every
/// bit pattern is a valid `T` (the element types of the C API are integers, doubles,
/// raw pointers and structs of them).
unsafe fn slice<'a, T>(p: *const T, len: usize, name: impl fmt::Display + Copy) -> Result<&'a [T], Error> {
    if len == 0 {
        return Ok(&[]);
    }
    if p.is_null() {
        return Err(Error::null(name));
    }
    if !p.is_aligned() {
        return Err(Error::misaligned(name, align_of::<T>()));
    }
    check_len::<T>(len, name)?;
    // SAFETY: non-NULL, aligned, at most `isize::MAX` bytes, readable and unmodified for
    // `'a` (this function's contract).
    Ok(unsafe { std::slice::from_raw_parts(p, len) })
}

/// An optional caller-owned input array (NULL = absent).
///
/// # Safety
/// As [`slice`].
unsafe fn optional_slice<'a, T>(p: *const T, len: usize, name: Name) -> Result<Option<&'a [T]>, Error> {
    if p.is_null() {
        return Ok(None);
    }
    // SAFETY: this function's contract is `slice`'s.
    unsafe { slice(p, len, name) }.map(Some)
}

/// An optional caller-owned output array (NULL = not wanted); a pointer not aligned for
/// `T` is `invalid_argument`.
///
/// # Safety
/// `p` is NULL or valid for writes of `len` elements during `'a`, used by nothing else
/// meanwhile; every bit pattern is a valid `T`.
unsafe fn optional_out<'a, T>(p: *mut T, len: usize, arg: &'static str) -> Result<Option<&'a mut [T]>, Error> {
    if p.is_null() {
        return Ok(None);
    }
    if len == 0 {
        return Ok(Some(&mut []));
    }
    if !p.is_aligned() {
        return Err(Error::misaligned(arg, align_of::<T>()));
    }
    check_len::<T>(len, arg)?;
    // SAFETY: non-NULL, aligned, at most `isize::MAX` bytes, writable and unaliased for
    // `'a` (this function's contract).
    Ok(Some(unsafe { std::slice::from_raw_parts_mut(p, len) }))
}

/// Checks bytes the caller passed as text.
pub(crate) fn utf8(bytes: &[u8], arg: impl fmt::Display) -> Result<&str, Error> {
    // `contains` on bytes is a word-at-a-time search; the offset is found only on error.
    if bytes.contains(&0)
        && let Some(at) = bytes.iter().position(|&b| b == 0)
    {
        return Err(Error::new(
            ErrorCode::LengthMismatch,
            format!("`{arg}` holds a NUL byte at offset {at} but its length is {}", bytes.len()),
            arg.to_string(),
        ));
    }
    std::str::from_utf8(bytes).map_err(|e| {
        Error::new(
            ErrorCode::InvalidUtf8,
            format!("`{arg}` is not valid UTF-8 at byte offset {}", e.valid_up_to()),
            arg.to_string(),
        )
    })
}

/// The items of a string column as text, into `v` (emptied first). Absent items are not
/// read (they may be NULL); each present one must be UTF-8 without NUL.
///
/// # Safety
/// Each present item is readable for its length during `'a`.
#[inline(never)]
unsafe fn strings<'a>(
    ptrs: &[*const c_char],
    lens: &[usize],
    present: Option<&[u8]>,
    v: &mut Vec<&'a str>,
    j: usize,
) -> Result<(), Error> {
    v.clear();
    v.reserve(ptrs.len());
    let item = |k: usize, p: *const c_char, l: usize| -> Result<&'a str, Error> {
        // SAFETY: a present item is readable for its length (this function's contract),
        // which is all both calls require.
        unsafe {
            match ascii_item(p, l) {
                Some(s) => Ok(s),
                None => text_item_at(p, l, || format!("columns[{j}].values[{k}]")),
            }
        }
    };
    // Written into the reserved capacity, the length set once at the end (on an error the
    // buffer stays empty).
    let slots = v.spare_capacity_mut();
    let mut n = 0;
    match present {
        None => {
            for (k, ((&p, &l), slot)) in ptrs.iter().zip(lens).zip(slots.iter_mut()).enumerate() {
                slot.write(item(k, p, l)?);
                n = k + 1;
            }
        }
        Some(pr) => {
            for (k, (((&p, &l), &here), slot)) in ptrs.iter().zip(lens).zip(pr).zip(slots.iter_mut()).enumerate() {
                slot.write(if here == 0 { "" } else { item(k, p, l)? });
                n = k + 1;
            }
        }
    }
    // SAFETY: the first `n` slots were written above (`n` ≤ the reserved capacity).
    unsafe { v.set_len(n) };
    Ok(())
}

/// One element of an array of strings with lengths: NULL with length 0 is `""`.
///
/// # Safety
/// `p` is NULL or valid for reads of `len` bytes during `'a`.
unsafe fn text_item<'a>(p: *const c_char, len: usize, arg: &str) -> Result<&'a str, Error> {
    if p.is_null() {
        return if len == 0 { Ok("") } else { Err(Error::null(arg)) };
    }
    // SAFETY: non-NULL and readable for `len` bytes (this function's contract).
    let bytes = unsafe { slice(p.cast::<u8>(), len, arg) }?;
    utf8(bytes, arg)
}

/// [`text_item`] for the items of a large array: ASCII text without NUL (ids, codes,
/// names: nearly every item) is accepted by one vectorizable pass; anything else takes the
/// full check, and the JSON path of the item is formatted only when the item is rejected.
///
/// # Safety
/// As [`text_item`].
#[inline]
unsafe fn text_item_at<'a>(p: *const c_char, len: usize, arg: impl FnOnce() -> String) -> Result<&'a str, Error> {
    // SAFETY: for every call, `p` is NULL or readable for `len` bytes during `'a`, which is
    // all `ascii_item` and `text_item` require (this function's contract is theirs).
    unsafe {
        if let Some(s) = ascii_item(p, len) {
            return Ok(s);
        }
        match text_item(p, len, "") {
            Ok(s) => Ok(s),
            // The same check again, now with the item's path in the error.
            Err(_) => text_item(p, len, &arg()),
        }
    }
}

/// The item as text when it is non-empty ASCII without NUL; `None` otherwise (the caller
/// then takes the full check). Items of up to 16 bytes, nearly all of them, are checked
/// with two possibly overlapping loads that stay inside the item.
///
/// # Safety
/// `p` is NULL or valid for reads of `len` bytes during `'a`.
#[inline(always)]
unsafe fn ascii_item<'a>(p: *const c_char, len: usize) -> Option<&'a str> {
    if p.is_null() || len == 0 || len > isize::MAX as usize {
        return None;
    }
    let p = p.cast::<u8>();
    // SAFETY: for every read, offsets below `len`, readable by this function's contract;
    // the word loads are unaligned reads, and bytes need no alignment.
    let plain = unsafe {
        if (8..=16).contains(&len) {
            let (a, b) = (p.cast::<u64>().read_unaligned(), p.add(len - 8).cast::<u64>().read_unaligned());
            plain_word(a) && plain_word(b)
        } else if (4..8).contains(&len) {
            let a = u64::from(p.cast::<u32>().read_unaligned());
            let b = u64::from(p.add(len - 4).cast::<u32>().read_unaligned());
            // The upper halves are zero bytes: fill them with 0x01 (plain) before checking.
            plain_word(a | 0x0101_0101_0000_0000) && plain_word(b | 0x0101_0101_0000_0000)
        } else if len < 4 {
            // One to three bytes: the first, middle and last cover them.
            let (x, y, z) = (*p, *p.add(len / 2), *p.add(len - 1));
            (x.wrapping_sub(1) < 0x7f) & (y.wrapping_sub(1) < 0x7f) & (z.wrapping_sub(1) < 0x7f)
        } else {
            plain_ascii(std::slice::from_raw_parts(p, len))
        }
    };
    // SAFETY: `len` readable bytes (contract), every one in 1..=127: ASCII, hence UTF-8,
    // and no NUL.
    plain.then(|| unsafe { std::str::from_utf8_unchecked(std::slice::from_raw_parts(p, len)) })
}

/// Whether no byte of `x` is zero or 128 and above.
#[inline(always)]
fn plain_word(x: u64) -> bool {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    // `x - LO & !x & HI` is non-zero iff some byte is zero; `x & HI` iff one is >= 128.
    ((x.wrapping_sub(LO) & !x) | x) & HI == 0
}

/// Whether every byte is in 1..=127 (ASCII without NUL): eight bytes at a time (a zero
/// byte or a high bit in the word), then the rest one by one.
#[inline]
fn plain_ascii(bytes: &[u8]) -> bool {
    let words = bytes.chunks_exact(8);
    let rest = words.remainder();
    let mut plain = true;
    for w in words {
        let mut b = [0u8; 8];
        b.copy_from_slice(w);
        plain &= plain_word(u64::from_le_bytes(b));
    }
    plain && rest.iter().all(|&c| c.wrapping_sub(1) < 0x7f)
}

#[cfg(test)]
#[allow(clippy::panic, clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_internal_and_an_error_object() {
        let mut err: *mut docket_error = std::ptr::null_mut();
        // SAFETY: `err` is a writable pointer slot.
        let code = guard(unsafe { ErrorOut::new(&mut err, "err", ()) }, || panic!("boom"));
        assert_eq!(code, docket_result::Internal);
        assert!(!err.is_null());
        // SAFETY: `guard` just created it with `Box::into_raw`.
        let e = unsafe { Box::from_raw(err) };
        assert_eq!(e.code, docket_result::Internal);
        assert_eq!(e.name, "internal\0");
        // A NULL `err` still yields the code.
        // SAFETY: NULL is accepted.
        let none = unsafe { ErrorOut::new(std::ptr::null_mut(), "err", ()) };
        assert_eq!(guard(none, || panic!("boom")), docket_result::Internal);
        assert_eq!(guard_value(7, || panic!("boom")), 7);
    }

    #[test]
    fn text_checks_null_nul_and_utf8() {
        assert_eq!(utf8(b"ab\0", "x").unwrap_err().code, ErrorCode::LengthMismatch);
        assert_eq!(utf8(b"\xff", "x").unwrap_err().code, ErrorCode::InvalidUtf8);
        assert_eq!(utf8(b"ok", "x").unwrap(), "ok");
        // SAFETY: NULL is always accepted and reported.
        let e = unsafe { Text::new(std::ptr::null(), "x", (0,)) }.get().unwrap_err();
        assert_eq!((e.code, e.path.as_str()), (ErrorCode::NullArgument, "x"));
    }

    #[test]
    fn arrays_refuse_misaligned_pointers_naming_them() {
        let words = [0i64; 4];
        let misaligned = words.as_ptr().cast::<u8>().wrapping_add(1).cast::<i64>();
        // SAFETY: `slice` refuses the pointer before reading through it.
        let e = unsafe { slice(misaligned, 2, Name::Column(2, "values")) }.unwrap_err();
        assert_eq!((e.code, e.path.as_str()), (ErrorCode::InvalidArgument, "columns[2].values"));
        // SAFETY: as above.
        let e = unsafe { optional_out(misaligned.cast_mut(), 2, "outputs.sla_due") }.unwrap_err();
        assert_eq!((e.code, e.path.as_str()), (ErrorCode::InvalidArgument, "outputs.sla_due"));
        // SAFETY: `words` is readable for 4 elements.
        assert_eq!(unsafe { slice(words.as_ptr(), 4, Name::Arg("x")) }.unwrap().len(), 4);
        // No element: the pointer is not looked at.
        // SAFETY: nothing is read.
        assert!(unsafe { slice(misaligned, 0, Name::Arg("x")) }.unwrap().is_empty());
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing)] // positions below the length just built
mod plain_ascii_tests {
    use super::{ascii_item, plain_ascii};

    /// Both checks on `v`: the slice check and the item check (which also refuses empty).
    fn both(v: &[u8]) -> (bool, bool) {
        // SAFETY: `v` is readable for its length.
        let item = unsafe { ascii_item(v.as_ptr().cast(), v.len()) };
        assert!(item.is_none_or(|s| s.as_bytes() == v));
        (plain_ascii(v), item.is_some())
    }

    #[test]
    fn plain_ascii_agrees_with_the_byte_by_byte_rule() {
        // Every length up to 24 with one odd byte at every position, and clean strings
        // (the item check reads items of up to 16 bytes with overlapping loads).
        for len in 0..24 {
            let clean = vec![b'a'; len];
            assert_eq!(both(&clean), (true, len > 0), "{len}");
            for at in 0..len {
                for odd in [0u8, 0x80, 0xff, 0xc3] {
                    let mut v = clean.clone();
                    v[at] = odd;
                    assert_eq!(both(&v), (false, false), "len {len} byte {odd:#x} at {at}");
                }
                let mut v = clean.clone();
                v[at] = 0x7f;
                assert_eq!(both(&v), (true, true), "DEL is ASCII: len {len} at {at}");
            }
        }
    }
}
