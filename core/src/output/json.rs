//! A JSON writer for outcomes: compact JSON text appended to a byte buffer, with the
//! escaping and number forms of `serde_json` (so the text is byte for byte what
//! serializing through serde gives), but with the keys written as they are and strings
//! copied a run of plain bytes at a time. Rendering is on the path of every outcome a
//! host turns into text; this writer makes it a fraction of the cost of serde's.

use alloc::vec::Vec;
use core::fmt;

/// Whether JSON strings cannot hold `b` raw: `"`, `\\` and the C0 controls.
#[inline]
fn needs_escape(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\'
}

/// Appends the escape of a byte that [`needs_escape`], as `serde_json` writes it: the
/// short forms where JSON has them, else `\u00XX` in lowercase hex.
fn push_escape(buf: &mut Vec<u8>, b: u8) {
    let short = match b {
        b'"' => b'"',
        b'\\' => b'\\',
        0x08 => b'b',
        0x0c => b'f',
        b'\n' => b'n',
        b'\r' => b'r',
        b'\t' => b't',
        _ => {
            let hex = |n: u8| if n < 10 { b'0' + n } else { b'a' + n - 10 };
            buf.extend_from_slice(&[b'\\', b'u', b'0', b'0', hex(b >> 4), hex(b & 15)]);
            return;
        }
    };
    buf.extend_from_slice(&[b'\\', short]);
}

/// Whether any of the eight bytes of `w` is below 0x20, `"` or `\` (the bytes
/// [`needs_escape`]), by the word-at-a-time tests of "Bit Twiddling Hacks": for each
/// byte `x`, `(x - n) & !x & 0x80` is set for some byte exactly when some byte is below
/// `n` (for `n` up to 0x80); a byte equal to `c` is a zero byte of `w ^ c…c`.
#[inline]
fn any_to_escape(w: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let below = |x: u64, n: u64| x.wrapping_sub(ONES * n) & !x & HIGH;
    let quote = w ^ (ONES * u64::from(b'"'));
    let backslash = w ^ (ONES * u64::from(b'\\'));
    (below(w, 0x20) | below(quote, 1) | below(backslash, 1)) != 0
}

/// Compact JSON text appended to a buffer. The caller writes a well-formed document:
/// [`Json::key`] and [`Json::item`] put the commas in.
pub(crate) struct Json<'b> {
    buf: &'b mut Vec<u8>,
    /// Whether the next key or element of the innermost object or array is its first.
    first: bool,
}

impl<'b> Json<'b> {
    pub(crate) fn new(buf: &'b mut Vec<u8>) -> Json<'b> {
        Json { buf, first: true }
    }

    /// Text written as it is (it must be JSON in its place).
    #[inline]
    pub(crate) fn raw(&mut self, s: &[u8]) {
        self.buf.extend_from_slice(s);
    }

    /// Opens an object.
    #[inline]
    pub(crate) fn open(&mut self) {
        self.buf.push(b'{');
        self.first = true;
    }

    /// Closes an object.
    #[inline]
    pub(crate) fn close(&mut self) {
        self.buf.push(b'}');
        self.first = false;
    }

    /// Opens an array.
    #[inline]
    pub(crate) fn open_array(&mut self) {
        self.buf.push(b'[');
        self.first = true;
    }

    /// Closes an array.
    #[inline]
    pub(crate) fn close_array(&mut self) {
        self.buf.push(b']');
        self.first = false;
    }

    /// The comma before a key or element that is not the first.
    #[inline]
    fn comma(&mut self) {
        if !self.first {
            self.buf.push(b',');
        }
        self.first = false;
    }

    /// A key of the open object; `key` needs no escaping (the writer's own keys).
    #[inline]
    pub(crate) fn key(&mut self, key: &str) {
        self.comma();
        self.buf.push(b'"');
        self.buf.extend_from_slice(key.as_bytes());
        self.buf.extend_from_slice(b"\":");
    }

    /// A key that comes from input or the policy (escaped).
    #[inline]
    pub(crate) fn key_escaped(&mut self, key: &str) {
        self.comma();
        self.string(key);
        self.buf.push(b':');
    }

    /// Before an element of the open array.
    #[inline]
    pub(crate) fn item(&mut self) {
        self.comma();
    }

    /// A string value, escaped.
    pub(crate) fn string(&mut self, s: &str) {
        self.buf.push(b'"');
        self.escaped(s.as_bytes());
        self.buf.push(b'"');
    }

    /// The bytes of a string's contents, escaped: runs of plain bytes are copied whole,
    /// and eight bytes at a time are tested for any byte that needs an escape.
    fn escaped(&mut self, bytes: &[u8]) {
        let mut start = 0;
        let mut i = 0;
        while let Some(word) = bytes.get(i..i + 8) {
            let w = u64::from_le_bytes(word.try_into().unwrap_or([0; 8]));
            if !any_to_escape(w) {
                i += 8;
                continue;
            }
            for (k, &b) in word.iter().enumerate() {
                if needs_escape(b) {
                    self.buf.extend_from_slice(bytes.get(start..i + k).unwrap_or_default());
                    push_escape(self.buf, b);
                    start = i + k + 1;
                }
            }
            i += 8;
        }
        for (k, &b) in bytes.get(i..).unwrap_or_default().iter().enumerate() {
            if needs_escape(b) {
                self.buf.extend_from_slice(bytes.get(start..i + k).unwrap_or_default());
                push_escape(self.buf, b);
                start = i + k + 1;
            }
        }
        self.buf.extend_from_slice(bytes.get(start..).unwrap_or_default());
    }

    /// A string value written by `f` through [`fmt::Write`], escaped as it comes.
    pub(crate) fn display(&mut self, f: impl FnOnce(&mut dyn fmt::Write) -> fmt::Result) {
        self.buf.push(b'"');
        let _ = f(&mut Escaping(self));
        self.buf.push(b'"');
    }

    /// `s`, or `null`.
    #[inline]
    pub(crate) fn opt_string(&mut self, s: Option<&str>) {
        match s {
            Some(s) => self.string(s),
            None => self.null(),
        }
    }

    #[inline]
    pub(crate) fn null(&mut self) {
        self.buf.extend_from_slice(b"null");
    }

    #[inline]
    pub(crate) fn int(&mut self, n: i64) {
        self.buf.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
    }

    #[inline]
    pub(crate) fn uint(&mut self, n: u64) {
        self.buf.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
    }

    /// A float as `serde_json` writes it: the shortest text that reads back the same, or
    /// `null` when it is not finite.
    pub(crate) fn float(&mut self, x: f64) {
        if x.is_finite() {
            self.buf.extend_from_slice(zmij::Buffer::new().format_finite(x).as_bytes());
        } else {
            self.null();
        }
    }

    /// An instant as RFC 3339 UTC.
    #[inline]
    pub(crate) fn instant(&mut self, t: crate::time::Instant) {
        match crate::time::Rfc3339(t).bytes() {
            Some(b) => {
                self.buf.push(b'"');
                self.buf.extend_from_slice(&b);
                self.buf.push(b'"');
            }
            None => self.display(|f| write!(f, "{}", crate::time::Rfc3339(t))),
        }
    }
}

/// [`fmt::Write`] into a JSON string's contents.
struct Escaping<'j, 'b>(&'j mut Json<'b>);

impl fmt::Write for Escaping<'_, '_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0.escaped(s.as_bytes());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::String;

    fn text(f: impl FnOnce(&mut Json<'_>)) -> String {
        let mut buf = Vec::new();
        f(&mut Json::new(&mut buf));
        String::from_utf8(buf).unwrap_or_default()
    }

    #[test]
    fn strings_escape_as_serde_json_does() {
        // Every byte value that is a character on its own, and some that are not ASCII.
        let mut s = String::new();
        for c in (0u8..0x80).map(char::from) {
            s.push(c);
        }
        s.push_str("é€😀\u{7f}\u{85}\u{2028}");
        let want = serde_json::to_string(&s).unwrap_or_default();
        assert_eq!(text(|j| j.string(&s)), want);
        assert_eq!(text(|j| j.display(|f| f.write_str(&s))), want);
        assert_eq!(text(|j| j.string("")), "\"\"");
    }

    #[test]
    fn the_word_test_finds_exactly_the_bytes_to_escape() {
        // Each byte value at each of the eight places, among bytes that need no escape.
        for b in 0..=255u8 {
            for at in 0..8 {
                let mut word = *b"abcdefgh";
                word[at] = b;
                let w = u64::from_le_bytes(word);
                assert_eq!(any_to_escape(w), needs_escape(b), "byte {b:#x} at {at}");
            }
        }
        // Strings longer than a word, with escapes in and across words.
        let s = "0123456\"89abcdef\\ghijklm\nnopqrstuvwxyz\u{1}é";
        assert_eq!(text(|j| j.string(s)), serde_json::to_string(s).unwrap_or_default());
    }

    #[test]
    fn numbers_and_structure_read_as_serde_json_writes_them() {
        for x in [0.0, 1.0, 0.5, 2.0 / 3.0, 1e-7, 12345.678, -3.25, 1e21] {
            assert_eq!(text(|j| j.float(x)), serde_json::to_string(&x).unwrap_or_default());
        }
        assert_eq!(text(|j| j.float(f64::NAN)), "null");
        for n in [0, -1, i64::MIN, i64::MAX, 42] {
            assert_eq!(text(|j| j.int(n)), alloc::format!("{n}"));
        }
        let doc = text(|j| {
            j.open();
            j.key("a");
            j.open_array();
            for n in 1..=3 {
                j.item();
                j.uint(n);
            }
            j.close_array();
            j.key_escaped("b\"c");
            j.open();
            j.close();
            j.key("t");
            j.instant(0);
            j.close();
        });
        assert_eq!(doc, r#"{"a":[1,2,3],"b\"c":{},"t":"1970-01-01T00:00:00Z"}"#);
    }
}
