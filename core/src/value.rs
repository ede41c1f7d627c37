//! Field types and the decoded value of one field of one case.

use alloc::string::String;
use core::fmt::{self, Write};
use rust_decimal::Decimal;

/// A range of a case's or outcome's text arena.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Span {
    start: u32,
    len: u32,
}

impl Span {
    pub(crate) fn push(text: &mut String, s: &str) -> Span {
        let start = text.len() as u32;
        text.push_str(s);
        Span { start, len: s.len() as u32 }
    }
    pub(crate) fn get(self, text: &str) -> &str {
        text.get(self.start as usize..(self.start + self.len) as usize).unwrap_or("")
    }
}

/// The declared type of a policy field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldType {
    /// One of the declared `values` (compares by equality / membership).
    Enum,
    /// Any string (compares by equality / membership).
    String,
    /// An integer (exact).
    Integer,
    /// A number (IEEE double).
    Number,
    /// A decimal amount in the case's currency, converted to the policy currency (exact).
    Money,
    /// `true` / `false`.
    Bool,
    /// An RFC 3339 instant.
    Timestamp,
}

impl FieldType {
    /// The name used in the policy format.
    pub const fn as_str(self) -> &'static str {
        match self {
            FieldType::Enum => "enum",
            FieldType::String => "string",
            FieldType::Integer => "integer",
            FieldType::Number => "number",
            FieldType::Money => "money",
            FieldType::Bool => "bool",
            FieldType::Timestamp => "timestamp",
        }
    }

    /// Parses a type name of the policy format.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "enum" => FieldType::Enum,
            "string" => FieldType::String,
            "integer" => FieldType::Integer,
            "number" => FieldType::Number,
            "money" => FieldType::Money,
            "bool" => FieldType::Bool,
            "timestamp" => FieldType::Timestamp,
            _ => return None,
        })
    }
}

/// Symbol index meaning "a string that no test of the policy mentions".
pub const OTHER_SYM: u32 = u32::MAX;

/// The decoded value of one field of a case. `Copy`, no heap.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub enum Val {
    /// Absent, null, or unusable (a decode issue was recorded).
    #[default]
    Absent,
    /// A boolean.
    Bool(bool),
    /// An exact decimal: integer fields and money (already in the policy currency).
    Dec(Decimal),
    /// A `number` field.
    Num(f64),
    /// A timestamp, seconds since the epoch.
    Time(i64),
    /// An enum or string value as an index into the field's symbol table
    /// ([`OTHER_SYM`] for a string that the policy never mentions).
    Sym(u32),
}

/// A fixed-capacity string buffer on the stack, for formatting without allocating.
pub(crate) struct StackStr<const N: usize> {
    buf: [u8; N],
    len: usize,
}

impl<const N: usize> StackStr<N> {
    pub(crate) const fn new() -> Self {
        Self { buf: [0; N], len: 0 }
    }
    pub(crate) fn as_str(&self) -> &str {
        self.buf.get(..self.len).and_then(|b| core::str::from_utf8(b).ok()).unwrap_or("")
    }
}

impl<const N: usize> Write for StackStr<N> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len.checked_add(s.len()).ok_or(fmt::Error)?;
        let dst = self.buf.get_mut(self.len..end).ok_or(fmt::Error)?;
        dst.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// Largest absolute decimal accepted for money and limits (keeps products with fx rates exact).
const MAX_MONEY_DIGITS: usize = 40;

/// Parses an exact decimal (`"1250.00"`, `"-3"`, `"0.92"`); no exponent, no spaces.
pub fn parse_decimal(s: &str) -> Option<Decimal> {
    let b = s.as_bytes();
    if b.is_empty() || b.len() > MAX_MONEY_DIGITS {
        return None;
    }
    let digits = b.strip_prefix(b"-").or_else(|| b.strip_prefix(b"+")).unwrap_or(b);
    let mut dots = 0;
    for (i, c) in digits.iter().enumerate() {
        match c {
            b'0'..=b'9' => {}
            b'.' if i > 0 && i + 1 < digits.len() => dots += 1,
            _ => return None,
        }
    }
    if digits.is_empty() || dots > 1 {
        return None;
    }
    s.strip_prefix('+').unwrap_or(s).parse::<Decimal>().ok()
}

/// Converts a JSON number read as `f64` to the decimal with the shortest round-trip
/// representation (`35.5` stays `35.5`, never `35.49999...`).
pub fn decimal_from_f64(f: f64) -> Option<Decimal> {
    if !f.is_finite() {
        return None;
    }
    let mut s = StackStr::<64>::new();
    write!(s, "{f}").ok()?;
    parse_decimal(s.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn decimals_are_exact() {
        // The spec: `1000.00` equals `1000`.
        assert_eq!(parse_decimal("1000.00"), Some(d("1000")));
        assert!(parse_decimal("250.01").unwrap() > parse_decimal("250").unwrap());
        assert_eq!(decimal_from_f64(35.5), Some(d("35.50")));
        assert_eq!(decimal_from_f64(0.1), Some(d("0.1")));
        for bad in ["", "1e3", "1.", ".5", "1.2.3", "abc", "--1", "1 "] {
            assert_eq!(parse_decimal(bad), None, "{bad}");
        }
        // 2400.00 USD at 0.92 EUR per USD = 2208.0000 EUR exactly.
        assert_eq!(d("2400.00") * d("0.92"), d("2208"));
    }
}
