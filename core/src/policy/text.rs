//! Reading policy JSON text into a `serde_json::Value` in one pass that also finds every
//! key an object repeats. A `Value` (a map) keeps one value per key, so repeated keys
//! can only be seen in the text: each is reported as `duplicate_key` with its JSON
//! pointer, instead of the last value silently winning.

use super::diagnostics::{child, index};
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// One reference token of the path to the value being read.
enum Token {
    Key(String),
    Index(usize),
}

/// The path to the value being read and the repeated keys found so far.
#[derive(Default)]
struct Walk {
    path: Vec<Token>,
    repeated: Vec<(String, String)>,
}

impl Walk {
    /// The JSON pointer of the current path with `key` appended.
    fn pointer(&self, key: &str) -> String {
        let mut p = String::new();
        for t in &self.path {
            p = match t {
                Token::Key(k) => child(&p, k),
                Token::Index(i) => index(&p, *i),
            };
        }
        child(&p, key)
    }
}

/// Parses JSON text: the value, and every repeated key (its second and later occurrences)
/// with its JSON pointer, in document order. The value keeps the last of repeated keys.
pub(super) fn parse(text: &str) -> Result<(Value, Vec<(String, String)>), serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    let mut walk = Walk::default();
    let v = Seed(&mut walk).deserialize(&mut de)?;
    de.end()?;
    Ok((v, walk.repeated))
}

/// Reads one value at the walk's current path.
struct Seed<'w>(&'w mut Walk);

impl<'de> DeserializeSeed<'de> for Seed<'_> {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }
    fn visit_i64<E>(self, n: i64) -> Result<Value, E> {
        Ok(Value::Number(n.into()))
    }
    fn visit_u64<E>(self, n: u64) -> Result<Value, E> {
        Ok(Value::Number(n.into()))
    }
    fn visit_f64<E>(self, n: f64) -> Result<Value, E> {
        Ok(Number::from_f64(n).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::String(String::from(s)))
    }
    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::String(s))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        loop {
            self.0.path.push(Token::Index(out.len()));
            let item = seq.next_element_seed(Seed(&mut *self.0));
            self.0.path.pop();
            match item? {
                Some(v) => out.push(v),
                None => return Ok(Value::Array(out)),
            }
        }
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            self.0.path.push(Token::Key(key));
            let value = map.next_value_seed(Seed(&mut *self.0));
            let key = match self.0.path.pop() {
                Some(Token::Key(k)) => k,
                _ => String::new(),
            };
            let value = value?;
            if out.contains_key(&key) {
                let p = self.0.pointer(&key);
                self.0.repeated.push((p, key.clone()));
            }
            out.insert(key, value);
        }
        Ok(Value::Object(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_keys_are_found_with_their_pointers() {
        let (v, rep) = parse(r#"{"a": 1, "b": [{"x/y": 1, "x/y": 2}], "a": 3, "c": {"d": {}}}"#).unwrap();
        // The value is what serde_json reads (the last of repeated keys).
        assert_eq!(v, serde_json::json!({"a": 3, "b": [{"x/y": 2}], "c": {"d": {}}}));
        // In document order (RFC 6901 escapes `/` as `~1`): the second `x/y` comes
        // before the second `a`.
        let pointers: Vec<&str> = rep.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(pointers, ["/b/0/x~1y", "/a"]);
        assert_eq!(rep[0].1, "x/y");
        let (_, rep) = parse(r#"{"a": 1, "b": 2}"#).unwrap();
        assert!(rep.is_empty());
    }

    #[test]
    fn numbers_and_errors_read_as_serde_json_reads_them() {
        let text = r#"[1, -2, 3.5, 1e2, 18446744073709551615, "s", null, true]"#;
        assert_eq!(parse(text).unwrap().0, serde_json::from_str::<Value>(text).unwrap());
        assert!(parse("{").is_err());
        assert!(parse("{} x").is_err());
    }
}
