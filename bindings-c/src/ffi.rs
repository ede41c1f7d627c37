//! Every raw-pointer operation of the binding lives here, each with its NULL check, and
//! the one panic boundary that every `extern "C"` body runs inside.

use crate::error::{Error, docket_error, docket_result};
use std::ffi::c_char;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// Runs a fallible body inside the panic boundary. On failure, writes a new error
/// object to `*err` (when `err` is not NULL) and returns its code.
pub(crate) fn guard(err: *mut *mut docket_error, body: impl FnOnce() -> Result<(), Error>) -> docket_result {
    let result = catch_unwind(AssertUnwindSafe(body)).unwrap_or_else(|_| Err(Error::panic()));
    match result {
        Ok(()) => docket_result::Ok,
        Err(e) => {
            let code = e.code;
            // SAFETY: `err` is NULL or valid for a write (the API contract of every function).
            if let Some(slot) = unsafe { err.as_mut() } {
                let boxed = catch_unwind(|| Box::into_raw(Box::new(e.into_c())));
                if let Ok(p) = boxed {
                    *slot = p;
                }
            }
            code
        }
    }
}

/// Runs an infallible body (accessors, `_free`) inside the panic boundary.
pub(crate) fn guard_value<T>(fallback: T, body: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or(fallback)
}

/// `&*p`, or `null_argument` naming `arg`.
///
/// # Safety
/// `p` is NULL or points to a live `T` for `'a`, not mutated meanwhile.
pub(crate) unsafe fn borrow<'a, T>(p: *const T, arg: &str) -> Result<&'a T, Error> {
    // SAFETY: per this function's contract.
    unsafe { p.as_ref() }.ok_or_else(|| Error::null(arg))
}

/// `&mut *p`, or `null_argument`.
///
/// # Safety
/// `p` is NULL or points to a live `T` for `'a`, with no other reference to it.
pub(crate) unsafe fn borrow_mut<'a, T>(p: *mut T, arg: &str) -> Result<&'a mut T, Error> {
    // SAFETY: per this function's contract.
    unsafe { p.as_mut() }.ok_or_else(|| Error::null(arg))
}

/// `&*p` for an optional argument (NULL = absent).
///
/// # Safety
/// As [`borrow_mut`].
pub(crate) unsafe fn optional_mut<'a, T>(p: *mut T) -> Option<&'a mut T> {
    // SAFETY: per this function's contract.
    unsafe { p.as_mut() }
}

fn check_len<T>(len: usize, arg: &str) -> Result<(), Error> {
    match len.checked_mul(size_of::<T>().max(1)) {
        Some(bytes) if bytes <= isize::MAX as usize => Ok(()),
        _ => Err(Error::arg(arg, format!("`{arg}` length {len} is too large"))),
    }
}

/// A caller-owned input array of `len` elements. NULL is accepted when `len` is 0.
///
/// # Safety
/// `p` is NULL or valid for reads of `len` elements for `'a`.
pub(crate) unsafe fn slice<'a, T>(p: *const T, len: usize, arg: &str) -> Result<&'a [T], Error> {
    if len == 0 {
        return Ok(&[]);
    }
    if p.is_null() {
        return Err(Error::null(arg));
    }
    check_len::<T>(len, arg)?;
    // SAFETY: non-NULL, length checked against isize::MAX, validity per the contract.
    Ok(unsafe { std::slice::from_raw_parts(p, len) })
}

/// An optional caller-owned input array (NULL = absent).
///
/// # Safety
/// As [`slice`].
pub(crate) unsafe fn optional_slice<'a, T>(p: *const T, len: usize, arg: &str) -> Result<Option<&'a [T]>, Error> {
    if p.is_null() {
        return Ok(None);
    }
    // SAFETY: per this function's contract.
    unsafe { slice(p, len, arg) }.map(Some)
}

/// An optional caller-owned output array (NULL = not wanted).
///
/// # Safety
/// `p` is NULL or valid for writes of `len` elements for `'a`, aliased by nothing else.
pub(crate) unsafe fn optional_out<'a, T>(p: *mut T, len: usize, arg: &str) -> Result<Option<&'a mut [T]>, Error> {
    if p.is_null() {
        return Ok(None);
    }
    if len == 0 {
        return Ok(Some(&mut []));
    }
    check_len::<T>(len, arg)?;
    // SAFETY: non-NULL, length checked, validity per the contract.
    Ok(Some(unsafe { std::slice::from_raw_parts_mut(p, len) }))
}

/// UTF-8 text of exactly `len` bytes: no NUL inside, valid UTF-8.
///
/// # Safety
/// `p` is NULL or valid for reads of `len` bytes for `'a`.
pub(crate) unsafe fn text<'a>(p: *const c_char, len: usize, arg: &str) -> Result<&'a str, Error> {
    if p.is_null() {
        return Err(Error::null(arg));
    }
    // SAFETY: per this function's contract.
    let bytes = unsafe { slice(p.cast::<u8>(), len, arg) }?;
    utf8(bytes, arg)
}

/// Checks bytes the caller passed as text.
pub(crate) fn utf8<'a>(bytes: &'a [u8], arg: &str) -> Result<&'a str, Error> {
    // `contains` on bytes is a word-at-a-time search; the offset is found only on error.
    if bytes.contains(&0)
        && let Some(at) = bytes.iter().position(|&b| b == 0)
    {
        return Err(Error::new(
            docket_result::LengthMismatch,
            "length_mismatch",
            format!("`{arg}` holds a NUL byte at offset {at} but its length is {}", bytes.len()),
            arg,
        ));
    }
    std::str::from_utf8(bytes).map_err(|e| {
        Error::new(
            docket_result::InvalidUtf8,
            "invalid_utf8",
            format!("`{arg}` is not valid UTF-8 at byte offset {}", e.valid_up_to()),
            arg,
        )
    })
}

/// One element of an array of C strings with lengths.
///
/// # Safety
/// `p` is NULL or valid for reads of `len` bytes for `'a`.
pub(crate) unsafe fn text_item<'a>(p: *const c_char, len: usize, arg: &str) -> Result<&'a str, Error> {
    if p.is_null() && len == 0 {
        return Ok("");
    }
    // SAFETY: per this function's contract.
    unsafe { text(p, len, arg) }
}

/// [`text_item`] for the items of a large array: ASCII text without NUL (ids, codes,
/// names: nearly every item) is accepted by one vectorizable pass; anything else takes the
/// full check, and the JSON path of the item is formatted only when the item is rejected.
///
/// # Safety
/// As [`text_item`].
#[inline]
pub(crate) unsafe fn text_item_at<'a>(
    p: *const c_char,
    len: usize,
    arg: impl FnOnce() -> String,
) -> Result<&'a str, Error> {
    // SAFETY: per this function's contract.
    if let Some(s) = unsafe { ascii_item(p, len) } {
        return Ok(s);
    }
    // SAFETY: per this function's contract.
    match unsafe { text_item(p, len, "") } {
        Ok(s) => Ok(s),
        // SAFETY: as above; the same check again, now with the item's path in the error.
        Err(_) => unsafe { text_item(p, len, &arg()) },
    }
}

/// The item as text when it is non-empty ASCII without NUL; `None` otherwise (the caller
/// then takes the full check). Items of up to 16 bytes, nearly all of them, are checked
/// with two possibly overlapping loads that stay inside the item.
///
/// # Safety
/// `p` is NULL or valid for reads of `len` bytes for `'a`.
#[inline(always)]
pub(crate) unsafe fn ascii_item<'a>(p: *const c_char, len: usize) -> Option<&'a str> {
    if p.is_null() || len == 0 || len > isize::MAX as usize {
        return None;
    }
    let p = p.cast::<u8>();
    // SAFETY (every read): offsets below `len`, readable per the contract; unaligned reads.
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
    // SAFETY: every byte is in 1..=127: ASCII, hence UTF-8, and no NUL.
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
pub(crate) fn plain_ascii(bytes: &[u8]) -> bool {
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

/// Checks that an output pointer can be written, before any work is done.
pub(crate) fn out_ok<T>(out: *mut T, arg: &str) -> Result<(), Error> {
    if out.is_null() { Err(Error::null(arg)) } else { Ok(()) }
}

/// Writes a value to a checked output pointer.
///
/// # Safety
/// `out` is valid for a write (checked non-NULL by [`out_ok`]).
pub(crate) unsafe fn write<T>(out: *mut T, value: T) -> Result<(), Error> {
    out_ok(out, "out")?;
    // SAFETY: non-NULL and valid per the contract.
    unsafe { out.write(value) };
    Ok(())
}

/// Moves a value to the heap and writes the handle to `*out`.
///
/// # Safety
/// As [`write`].
pub(crate) unsafe fn write_box<T>(out: *mut *mut T, value: T) -> Result<(), Error> {
    out_ok(out, "out")?;
    // SAFETY: per the contract.
    unsafe { out.write(Box::into_raw(Box::new(value))) };
    Ok(())
}

/// Frees a handle created by [`write_box`]; NULL is a no-op.
///
/// # Safety
/// `p` is NULL or a handle from [`write_box`] of the same type, not freed before.
pub(crate) unsafe fn free<T>(p: *mut T) {
    if !p.is_null() {
        // SAFETY: per the contract, `p` came from `Box::into_raw`.
        drop(unsafe { Box::from_raw(p) });
    }
}

#[cfg(test)]
#[allow(clippy::panic, clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_a_result_code_and_an_error_object() {
        let mut err: *mut docket_error = std::ptr::null_mut();
        let code = guard(&mut err, || panic!("boom"));
        assert_eq!(code, docket_result::Panic);
        assert!(!err.is_null());
        // SAFETY: `guard` just created it.
        let e = unsafe { Box::from_raw(err) };
        assert_eq!(e.code, docket_result::Panic);
        assert_eq!(e.name, "panic\0");
        // A NULL `err` still yields the code.
        assert_eq!(guard(std::ptr::null_mut(), || panic!("boom")), docket_result::Panic);
        assert_eq!(guard_value(7, || panic!("boom")), 7);
    }

    #[test]
    fn text_checks_nul_and_utf8() {
        assert_eq!(utf8(b"ab\0", "x").unwrap_err().code, docket_result::LengthMismatch);
        assert_eq!(utf8(b"\xff", "x").unwrap_err().code, docket_result::InvalidUtf8);
        assert_eq!(utf8(b"ok", "x").unwrap(), "ok");
        // SAFETY: NULL is always accepted and reported.
        let e = unsafe { text(std::ptr::null(), 0, "x") }.unwrap_err();
        assert_eq!(e.code, docket_result::NullArgument);
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
