//! `qa`: the seed of the QA sample (`qa.seed`) and the decision table that puts a case in
//! a stratum with its sampling rate (`qa.sample`, hit `first`, outputs `stratum` and
//! `rate`). Compiles to [`Qa`], which also holds the keyed hash the sample draws with.

use super::Compiler;
use super::diagnostics::{PolicyCode, child};
use super::json;
use super::tables::RankKeys;
use crate::table::{Hit, NameIndex, Table};
use crate::value::{decimal_from_f64, parse_decimal};
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use rust_decimal::Decimal;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// One stratum of the sample: its name, its rate, and the rate as the bound the hash of a
/// sampled case falls below.
#[derive(Clone, Debug)]
pub(crate) struct Stratum {
    pub name: String,
    pub rate: Decimal,
    /// The rate's decimal text (normalized: `0.5`, `1`), as outcomes and reports write it.
    pub text: String,
    /// `ceil(rate × 2^64)`: a case is sampled when its 64-bit hash is below it.
    pub bound: u128,
}

/// The compiled `qa` section (empty without one), and the queues' index by name for
/// `worked_queue`.
#[derive(Debug, Default)]
pub(crate) struct Qa {
    /// HMAC-SHA256 keyed with the seed.
    pub key: SampleKey,
    /// The `qa.sample` table; its output is a stratum's index.
    pub sample: Option<Table<u32>>,
    pub strata: Vec<Stratum>,
    pub queue_order: NameIndex,
}

/// HMAC-SHA256 (RFC 2104) keyed with a seed: the hash states after the inner and outer
/// key blocks, so that hashing an id costs two compressions of a short message.
#[derive(Clone, Default)]
pub(crate) struct SampleKey {
    inner: Sha256,
    outer: Sha256,
}

impl core::fmt::Debug for SampleKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("SampleKey")
    }
}

impl SampleKey {
    /// The key of `seed` (its UTF-8 bytes; a seed longer than SHA-256's 64-byte block is
    /// hashed first, as HMAC says).
    pub(crate) fn new(seed: &[u8]) -> SampleKey {
        let mut block = [0u8; 64];
        if seed.len() > block.len() {
            let h = Sha256::digest(seed);
            for (b, x) in block.iter_mut().zip(h.iter()) {
                *b = *x;
            }
        } else {
            for (b, x) in block.iter_mut().zip(seed) {
                *b = *x;
            }
        }
        let pad = |x: u8| block.map(|b| b ^ x);
        SampleKey { inner: Sha256::new().chain_update(pad(0x36)), outer: Sha256::new().chain_update(pad(0x5c)) }
    }

    /// HMAC-SHA256 of `message`.
    pub(crate) fn mac(&self, message: &[u8]) -> [u8; 32] {
        let inner = self.inner.clone().chain_update(message).finalize();
        self.outer.clone().chain_update(inner).finalize().into()
    }

    /// The first 8 bytes of HMAC-SHA256 of `id`, big-endian.
    pub(crate) fn hash(&self, id: &str) -> u64 {
        let mac = self.mac(id.as_bytes());
        let mut first = [0u8; 8];
        for (b, x) in first.iter_mut().zip(mac.iter()) {
            *b = *x;
        }
        u64::from_be_bytes(first)
    }
}

/// `ceil(rate × 2^64)` of a rate from 0 to 1, by long division (exact: a decimal's
/// mantissa and its power of ten fit 96 bits).
pub(crate) fn bound(rate: Decimal) -> u128 {
    let m = rate.mantissa().unsigned_abs();
    let d = 10u128.pow(rate.scale());
    let (mut q, mut r) = (m / d, m % d);
    for _ in 0..64 {
        q <<= 1;
        r <<= 1;
        if r >= d {
            r -= d;
            q |= 1;
        }
    }
    if r > 0 { q + 1 } else { q }
}

/// Compiles `qa`: `seed` (a string) and `sample`.
pub(super) fn qa(top: &Map<String, Value>, cx: &mut Compiler<'_>, queue_names: &[&str]) -> Qa {
    let queue_order = NameIndex::new(queue_names.len(), &|i| queue_names.get(i).copied().unwrap_or(""));
    let mut qa = Qa { key: SampleKey::new(b""), sample: None, strata: Vec::new(), queue_order };
    let Some(m) = top.get("qa").and_then(|v| json::object(v, "/qa", &["seed", "sample", "description"], cx.d)) else {
        return qa;
    };
    if let Some(seed) = m.get("seed") {
        match seed {
            Value::String(s) => qa.key = SampleKey::new(s.as_bytes()),
            other => json::wrong_type("/qa/seed", "a string (write a number as text: \"42\")", other, cx.d),
        }
    }
    let Some(t) = m.get("sample") else { return qa };
    // `first` is the one hit policy a sample table has; written or not.
    let hit_ok = match t.get("hit") {
        // The table itself reports a hit policy that is not one.
        Some(Value::String(h)) => h == "first" || Hit::parse(h).is_none(),
        _ => true,
    };
    if !hit_ok {
        cx.d.error(
            PolicyCode::BadValue,
            "/qa/sample/hit",
            "`qa.sample` is a `first` table: the first matching rule puts the case in its stratum",
        );
    }
    let mut strata: Vec<Stratum> = Vec::new();
    let column = |c: &str| c == "stratum" || c == "rate";
    let table = cx.tables().table(t, "/qa/sample", "sample", false, &column, |cx, then, p| {
        let tm = json::object(then, p, &["stratum", "rate"], cx.d)?;
        let name = json::required(tm, "stratum", p, cx.d).and_then(|s| json::string(s, &child(p, "stratum"), cx.d));
        let rate = json::required(tm, "rate", p, cx.d).and_then(|r| rate(r, &child(p, "rate"), cx.d));
        let (name, rate) = (name?, rate?);
        if name.is_empty() {
            cx.d.error(PolicyCode::BadValue, &child(p, "stratum"), "a stratum has a name");
            return None;
        }
        let i = match strata.iter().position(|s| s.name == name) {
            Some(i) => {
                if strata.get(i).is_some_and(|s| s.rate != rate) {
                    cx.d.error(
                        PolicyCode::BadValue,
                        &child(p, "rate"),
                        format!(
                            "stratum `{name}` has rate {} where another rule gives it; a stratum has one rate",
                            strata.get(i).map(|s| s.rate).unwrap_or_default()
                        ),
                    );
                }
                i
            }
            None => {
                strata.push(Stratum { name: name.to_string(), rate, text: rate.to_string(), bound: bound(rate) });
                strata.len() - 1
            }
        };
        // Nothing to rank: a `first` table takes the first match.
        Some((i as u32, RankKeys::new()))
    });
    qa.sample = table.map(|mut t| {
        t.hit = Hit::First;
        t
    });
    qa.strata = strata;
    qa
}

/// A rate: a decimal (a number or decimal text) from 0 to 1.
fn rate(v: &Value, p: &str, d: &mut super::diagnostics::Diags) -> Option<Decimal> {
    let r = match v {
        Value::Number(n) => n.as_i64().map(Decimal::from).or_else(|| n.as_f64().and_then(decimal_from_f64)),
        Value::String(s) => parse_decimal(s.trim()),
        other => {
            json::wrong_type(p, "a decimal from 0 to 1, e.g. 0.05 or \"0.05\"", other, d);
            return None;
        }
    };
    match r {
        Some(r) if r >= Decimal::ZERO && r <= Decimal::ONE => Some(r.normalize()),
        Some(r) => {
            d.error(PolicyCode::BadValue, p, format!("rate {r} is outside 0 to 1"));
            None
        }
        None => {
            d.error(PolicyCode::BadDecimal, p, "a rate is a decimal from 0 to 1, e.g. 0.05 or \"0.05\"");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_are_the_rate_times_two_to_the_64_rounded_up() {
        let r = |s: &str| parse_decimal(s).unwrap_or_default();
        assert_eq!(bound(r("0")), 0);
        assert_eq!(bound(r("1")), 1u128 << 64);
        assert_eq!(bound(r("0.5")), 1u128 << 63);
        assert_eq!(bound(r("0.25")), 1u128 << 62);
        // 0.1 × 2^64 = 1844674407370955161.6: rounded up.
        assert_eq!(bound(r("0.1")), 1_844_674_407_370_955_162);
        // 28 decimals: the smallest positive rate a decimal holds.
        assert_eq!(bound(r("0.0000000000000000000000000001")), 1);
    }

    #[test]
    fn hmac_sha256_matches_rfc_4231() {
        // RFC 4231, test cases 1, 2 and 6 (a key longer than the block is hashed first).
        let hex = |b: &[u8]| b.iter().map(|x| alloc::format!("{x:02x}")).collect::<String>();
        let k1 = SampleKey::new(&[0x0b; 20]);
        assert_eq!(hex(&k1.mac(b"Hi There")), "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
        let k2 = SampleKey::new(b"Jefe");
        assert_eq!(
            hex(&k2.mac(b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        let k6 = SampleKey::new(&[0xaa; 131]);
        assert_eq!(
            hex(&k6.mac(b"Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
        assert_eq!(k2.hash("what do ya want for nothing?"), 0x5bdc_c146_bf60_754e);
    }
}
