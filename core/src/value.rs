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

/// A [`Val`] in 16 bytes where a `Val` takes 24: how a case stores its field values, so
/// that evaluating a batch streams a third less memory. Word 0 holds the variant in its
/// low byte; a decimal also keeps its flags there (scale in bits 16–23, sign in bit 31,
/// the bits [`Decimal::serialize`] sets) and its 96-bit mantissa in words 1–3; numbers and
/// timestamps take words 1–2, symbols and bools word 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Packed([u32; 4]);

const TAG_BOOL: u32 = 1;
const TAG_DEC: u32 = 2;
const TAG_NUM: u32 = 3;
const TAG_TIME: u32 = 4;
const TAG_SYM: u32 = 5;

impl Packed {
    /// [`Val::Absent`].
    pub const ABSENT: Packed = Packed([0; 4]);

    /// Packs a value.
    #[inline(always)]
    pub fn pack(v: Val) -> Packed {
        let wide = |u: u64| [u as u32, (u >> 32) as u32];
        match v {
            Val::Absent => Packed::ABSENT,
            Val::Bool(b) => Packed([TAG_BOOL, u32::from(b), 0, 0]),
            Val::Dec(d) => {
                let [f0, f1, f2, f3, l0, l1, l2, l3, m0, m1, m2, m3, h0, h1, h2, h3] = d.serialize();
                let flags = u32::from_le_bytes([f0, f1, f2, f3]);
                Packed([
                    flags | TAG_DEC,
                    u32::from_le_bytes([l0, l1, l2, l3]),
                    u32::from_le_bytes([m0, m1, m2, m3]),
                    u32::from_le_bytes([h0, h1, h2, h3]),
                ])
            }
            Val::Num(x) => {
                let [a, b] = wide(x.to_bits());
                Packed([TAG_NUM, a, b, 0])
            }
            Val::Time(t) => {
                let [a, b] = wide(t as u64);
                Packed([TAG_TIME, a, b, 0])
            }
            Val::Sym(k) => Packed::sym(k),
        }
    }

    /// A symbol.
    #[inline(always)]
    pub(crate) fn sym(k: u32) -> Packed {
        Packed([TAG_SYM, k, 0, 0])
    }

    /// Whether the value is of kind `k` (one comparison).
    #[inline(always)]
    pub(crate) fn is(self, k: Kind) -> bool {
        self.0[0] & 0xff == k as u32
    }

    /// Word 1: a symbol's index, a bool as 0 or 1.
    #[inline(always)]
    pub(crate) fn word(self) -> u32 {
        self.0[1]
    }

    /// Words 1–2: a number's bits, an instant.
    #[inline(always)]
    pub(crate) fn wide(self) -> u64 {
        u64::from(self.0[1]) | (u64::from(self.0[2]) << 32)
    }

    /// A decimal's signed mantissa and scale (as [`Decimal::mantissa`] and
    /// [`Decimal::scale`]).
    #[inline(always)]
    pub(crate) fn mantissa_scale(self) -> (i128, u32) {
        let [w0, w1, w2, w3] = self.0;
        let m = i128::from(w1) | (i128::from(w2) << 32) | (i128::from(w3) << 64);
        (if w0 & 0x8000_0000 != 0 { -m } else { m }, (w0 >> 16) & 0xff)
    }

    /// The value packed.
    #[inline(always)]
    pub fn unpack(self) -> Val {
        let [w0, w1, w2, w3] = self.0;
        match w0 & 0xff {
            TAG_BOOL => Val::Bool(w1 != 0),
            TAG_DEC => {
                // `deserialize` keeps only the flags' scale and sign bits (not the tag).
                let [f0, f1, f2, f3] = w0.to_le_bytes();
                let [l0, l1, l2, l3] = w1.to_le_bytes();
                let [m0, m1, m2, m3] = w2.to_le_bytes();
                let [h0, h1, h2, h3] = w3.to_le_bytes();
                Val::Dec(Decimal::deserialize([f0, f1, f2, f3, l0, l1, l2, l3, m0, m1, m2, m3, h0, h1, h2, h3]))
            }
            TAG_NUM => Val::Num(f64::from_bits(self.wide())),
            TAG_TIME => Val::Time(self.wide() as i64),
            TAG_SYM => Val::Sym(w1),
            _ => Val::Absent,
        }
    }
}

/// The variant of a [`Packed`] value (its tag).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Absent = 0,
    Bool = TAG_BOOL as isize,
    Dec = TAG_DEC as isize,
    Num = TAG_NUM as isize,
    Time = TAG_TIME as isize,
    Sym = TAG_SYM as isize,
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

    /// The exact representation of a value (decimals with their scale, floats by bits).
    fn exact(v: Val) -> (u8, [u8; 16]) {
        match v {
            Val::Absent => (0, [0; 16]),
            Val::Bool(b) => (1, [u8::from(b); 16]),
            Val::Dec(d) => (2, d.serialize()),
            Val::Num(x) => (3, u128::from(x.to_bits()).to_le_bytes()),
            Val::Time(t) => (4, i128::from(t).to_le_bytes()),
            Val::Sym(k) => (5, u128::from(k).to_le_bytes()),
        }
    }

    proptest::proptest! {
        /// Packing keeps every value exactly: decimals of any 96-bit mantissa, sign and
        /// scale (negative zero included), every float bit pattern, every instant and symbol.
        #[test]
        fn packed_values_unpack_exactly(
            kind in 0u8..6,
            lo in proptest::prelude::any::<u32>(),
            mid in proptest::prelude::any::<u32>(),
            hi in proptest::prelude::any::<u32>(),
            neg in proptest::prelude::any::<bool>(),
            scale in 0u32..=28,
            bits in proptest::prelude::any::<u64>(),
        ) {
            let v = match kind {
                0 => Val::Absent,
                1 => Val::Bool(neg),
                2 => Val::Dec(Decimal::from_parts(lo, mid, hi, neg, scale)),
                3 => Val::Num(f64::from_bits(bits)),
                4 => Val::Time(bits as i64),
                _ => Val::Sym(lo),
            };
            let p = Packed::pack(v);
            proptest::prop_assert_eq!(exact(p.unpack()), exact(v));
            // The accessors read what the value holds.
            match v {
                Val::Dec(d) => proptest::prop_assert_eq!((p.is(Kind::Dec), p.mantissa_scale()), (true, (d.mantissa(), d.scale()))),
                Val::Num(x) => proptest::prop_assert_eq!((p.is(Kind::Num), p.wide()), (true, x.to_bits())),
                Val::Time(t) => proptest::prop_assert_eq!((p.is(Kind::Time), p.wide()), (true, t as u64)),
                Val::Sym(k) => proptest::prop_assert_eq!((p.is(Kind::Sym), p.word(), p), (true, k, Packed::sym(k))),
                Val::Bool(b) => proptest::prop_assert_eq!((p.is(Kind::Bool), p.word()), (true, u32::from(b))),
                Val::Absent => proptest::prop_assert!(p.is(Kind::Absent)),
            }
            proptest::prop_assert_eq!(core::mem::size_of::<Packed>(), 16);
        }
    }

    #[test]
    fn packed_edge_values() {
        let neg_zero = Decimal::from_parts(0, 0, 0, true, 2);
        for v in
            [Val::Dec(Decimal::MAX), Val::Dec(Decimal::MIN), Val::Dec(neg_zero), Val::Num(-0.0), Val::Time(i64::MIN)]
        {
            assert_eq!(exact(Packed::pack(v).unpack()), exact(v));
        }
        assert_eq!(Packed::default().unpack(), Val::Absent);
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
