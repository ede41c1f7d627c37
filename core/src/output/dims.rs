//! Dimensions of a report (`docket report --by`): every count of a queue split by the
//! values of chosen enum and bool fields of the cases (and `kind`).

use crate::case::Case;
use crate::engine::Engine;
use crate::value::{FieldType, Kind};
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use serde::ser::{Serialize, SerializeMap, Serializer};

/// Most combinations of values the dimensions of one report may have.
pub const MAX_COMBINATIONS: u32 = 1 << 16;

/// The fields a report splits its queues by, in the order given.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Dimensions {
    dims: Vec<Dim>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Dim {
    slot: u16,
    name: String,
    /// A bool field (values absent, false, true); else an enum (absent, then its values).
    boolean: bool,
    /// Values, absent included.
    radix: u32,
    /// The weight of this field's value in a combination's number.
    stride: u32,
}

/// One value of a dimension: an enum value, a bool, or absent (`None`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DimValue<'a> {
    /// An enum value.
    Enum(&'a str),
    /// A bool value.
    Bool(bool),
}

impl Serialize for DimValue<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            DimValue::Enum(v) => s.serialize_str(v),
            DimValue::Bool(b) => s.serialize_bool(*b),
        }
    }
}

impl core::fmt::Display for DimValue<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            DimValue::Enum(v) => f.write_str(v),
            DimValue::Bool(b) => write!(f, "{b}"),
        }
    }
}

impl Dimensions {
    /// The dimensions `fields` of `engine`'s policy: each an enum or bool field (`kind`
    /// is one), none twice, at most [`MAX_COMBINATIONS`] combinations of values (each
    /// field's values and absent). The error says which field is not usable and why.
    #[inline(never)]
    pub fn new<S: AsRef<str>>(engine: &Engine, fields: &[S]) -> Result<Dimensions, String> {
        let mut dims: Vec<Dim> = Vec::new();
        let mut stride: u32 = 1;
        for f in fields {
            let f = f.as_ref();
            let slot = engine.slot(f).ok_or_else(|| format!("`{f}` is not a field of the policy"))?;
            let radix = match engine.field_type(slot) {
                Some(FieldType::Enum) => {
                    u32::try_from(engine.symbols(slot).len()).unwrap_or(u32::MAX).saturating_add(1)
                }
                Some(FieldType::Bool) => 3,
                Some(t) => {
                    return Err(format!("`{f}` is a {} field; reports split by enum and bool fields", t.as_str()));
                }
                None => return Err(format!("`{f}` is not a field of the policy")),
            };
            if dims.iter().any(|d| d.slot == slot) {
                return Err(format!("`{f}` is given twice"));
            }
            let next = stride.checked_mul(radix).filter(|&n| n <= MAX_COMBINATIONS);
            let Some(next) = next else {
                return Err(format!("the fields have more than {MAX_COMBINATIONS} combinations of values"));
            };
            dims.push(Dim {
                slot,
                name: f.into(),
                boolean: engine.field_type(slot) == Some(FieldType::Bool),
                radix,
                stride: 1,
            });
            stride = next;
        }
        // The first field is the most significant: combinations in order are sorted by
        // the first field's value, then the second's, each absent first, then in the
        // policy's order of values (false before true).
        let mut weight = 1u32;
        for d in dims.iter_mut().rev() {
            d.stride = weight;
            weight = weight.saturating_mul(d.radix);
        }
        Ok(Dimensions { dims })
    }

    /// Whether there are none (the report is not split).
    pub fn is_empty(&self) -> bool {
        self.dims.is_empty()
    }

    /// The field names, in order.
    pub fn fields(&self) -> impl Iterator<Item = &str> {
        self.dims.iter().map(|d| d.name.as_str())
    }

    /// The number of the combination of values `case` has.
    pub(crate) fn combination(&self, engine: &Engine, case: &Case) -> u32 {
        let mut c = 0u32;
        for d in &self.dims {
            let p = case.packed(engine, d.slot);
            let k = p.word();
            let v = if d.boolean && p.is(Kind::Bool) {
                1 + u32::from(k != 0)
            } else if !d.boolean && p.is(Kind::Sym) && k < d.radix.saturating_sub(1) {
                k + 1
            } else {
                0
            };
            c = c.saturating_add(v.saturating_mul(d.stride));
        }
        c
    }

    /// The values of combination `c`, field by field (`None`: absent).
    pub fn values<'a>(&'a self, engine: &'a Engine, c: u32) -> impl Iterator<Item = (&'a str, Option<DimValue<'a>>)> {
        self.dims.iter().map(move |d| {
            let v = (c / d.stride.max(1)) % d.radix.max(1);
            let value = match v {
                0 => None,
                _ if d.boolean => Some(DimValue::Bool(v == 2)),
                _ => engine.symbols(d.slot).get((v - 1) as usize).map(|s| DimValue::Enum(s.as_str())),
            };
            (d.name.as_str(), value)
        })
    }
}

/// `{field: value}` of one combination, serializable.
pub(crate) struct ValuesView<'a>(pub &'a Engine, pub &'a Dimensions, pub u32);

impl Serialize for ValuesView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        for (name, v) in self.1.values(self.0, self.2) {
            m.serialize_entry(name, &v)?;
        }
        m.end()
    }
}
