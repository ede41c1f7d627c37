//! Output a terminal cannot be fooled by. Case ids, queue names, policy keys and the like
//! come from input; printed raw, an escape sequence or a carriage return in one could
//! move the cursor, recolour or forge rows. Text output writes such characters as
//! `\u{1b}`; JSON output writes the ones JSON itself leaves raw as `\u009b`.

use std::borrow::Cow;
use std::fmt::Write;

/// Whether `c` can act on a terminal or on the layout of what is printed: the control
/// characters (C0, DEL, C1), the line and paragraph separators and the bidirectional
/// marks, embeddings, overrides and isolates.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `s` with every [unsafe](is_unsafe) character written as `\u{1b}` (its code point in
/// hex); `s` itself when it has none.
pub fn text(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_unsafe(c) {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A message of several lines: each line as [`text`], the line breaks kept.
pub fn lines(s: &str) -> String {
    s.split('\n').map(text).collect::<Vec<_>>().join("\n")
}

/// JSON text with every [unsafe](is_unsafe) character that JSON leaves raw in a string
/// (DEL, C1, the separators and the bidirectional characters; C0 it escapes itself, and
/// outside strings C0 is whitespace, kept) written as a `\uXXXX` escape. Outside strings
/// JSON holds none of them, so the text means exactly what it meant. ASCII text, the
/// common case, is returned as it is.
pub fn json(s: &[u8]) -> Cow<'_, [u8]> {
    if s.is_ascii() && !s.contains(&0x7f) {
        return Cow::Borrowed(s);
    }
    let Ok(t) = std::str::from_utf8(s) else { return Cow::Borrowed(s) };
    let mut out = String::with_capacity(s.len() + 8);
    for c in t.chars() {
        if c >= ' ' && is_unsafe(c) {
            let _ = write!(out, "\\u{:04x}", c as u32);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsafe_characters_are_escaped() {
        assert_eq!(text("C-1001 queue_ä"), "C-1001 queue_ä");
        assert_eq!(text("a\x1b[2Jb\rc\n\u{9b}\u{202e}d\u{7f}"), r"a\u{1b}[2Jb\u{d}c\u{a}\u{9b}\u{202e}d\u{7f}");
        assert_eq!(lines("one\x1b\ntwo"), "one\\u{1b}\ntwo");
        let j = json("{\"id\":\"a\u{9b}b\u{2028}\\u001b\"}\r\n".as_bytes()).into_owned();
        assert_eq!(String::from_utf8(j).expect("utf-8"), "{\"id\":\"a\\u009bb\\u2028\\u001b\"}\r\n");
        let v: serde_json::Value = serde_json::from_slice(&json("\"\u{7f}\u{85}\"".as_bytes())).expect("json");
        assert_eq!(v, "\u{7f}\u{85}");
    }
}
