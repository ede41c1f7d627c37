//! Decoding a case cell by cell: hosts that hold rows resolve each key once
//! ([`CaseKey`]) and hand over typed cells, decoded exactly as the same JSON values.

use super::json::{Scalar, list_of};
use super::{Case, CaseError};
use crate::engine::Engine;
use crate::policy::Key;
use crate::time::Instant;
use alloc::borrow::Cow;

impl Case {
    /// Sets a scalar key from a cell as JSON decoding would.
    pub(crate) fn set_cell(&mut self, engine: &Engine, key: Key, v: Cell<'_>) {
        self.set_scalar(engine, key, v.into());
    }
}

/// A case key resolved once by [`Engine::case_key`], for hosts that set many rows cell by
/// cell ([`CellDecoder`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CaseKey(Key);

/// One cell of a row, as a host holds it. `Instant` is a timestamp already in seconds; it
/// reads like the RFC 3339 text of that instant.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Cell<'a> {
    /// JSON `null`: the key is absent.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A whole number.
    Int(i64),
    /// Any other number.
    Num(f64),
    /// A string.
    Str(&'a str),
    /// An instant, seconds since the epoch.
    Instant(Instant),
}

impl<'a> From<Cell<'a>> for Scalar<'a> {
    fn from(c: Cell<'a>) -> Scalar<'a> {
        match c {
            Cell::Null => Scalar::Null,
            Cell::Bool(b) => Scalar::Bool(b),
            Cell::Int(i) => Scalar::I64(i),
            Cell::Num(x) => Scalar::F64(x),
            Cell::Str(s) => Scalar::Str(Cow::Borrowed(s)),
            Cell::Instant(t) => Scalar::Instant(t),
        }
    }
}

/// Decodes a case cell by cell, exactly as [`Engine::decode_json`] decodes an object with
/// the same keys and values, without JSON or key lookups per cell; from
/// [`Engine::decode_cells`]. Allocation-free once the case is warm (lists given as JSON
/// text are parsed in place).
///
/// ```
/// use docket_core::{Case, Cell, Engine};
/// let engine = Engine::compile(include_str!("../../../examples/order-ops.policy.json")).unwrap();
/// let [id, kind, opened] = ["id", "kind", "opened_at"].map(|k| engine.case_key(k).unwrap());
/// let mut case = Case::new();
/// let mut d = engine.decode_cells(&mut case);
/// d.set(id, Cell::Str("C-1")).set(kind, Cell::Str("refund")).set(opened, Cell::Instant(1_795_420_800));
/// d.finish();
/// assert_eq!(case.id(), Some("C-1"));
/// assert_eq!(case.error(), None);
/// ```
pub struct CellDecoder<'a> {
    engine: &'a Engine,
    case: &'a mut Case,
    broken: bool,
}

impl Engine {
    /// Resolves a case key (`id`, `opened_at`, a field, `<metric>_at`, `paused`, ...); `None`
    /// for keys the policy does not know, which decoding ignores.
    pub fn case_key(&self, name: &str) -> Option<CaseKey> {
        self.input.key(name).map(CaseKey)
    }

    /// Starts decoding `case` cell by cell (its previous content is cleared, its buffers kept).
    pub fn decode_cells<'a>(&'a self, case: &'a mut Case) -> CellDecoder<'a> {
        case.reset(self);
        CellDecoder { engine: self, case, broken: false }
    }
}

impl CellDecoder<'_> {
    /// Sets a key to a scalar value. A scalar for `paused`, `approvals` or `evidence` is
    /// the wrong shape (`bad_type`), as in JSON.
    pub fn set(&mut self, key: CaseKey, v: Cell<'_>) -> &mut Self {
        match list_of(key.0) {
            // A list key: `null` leaves it empty; any scalar is the wrong shape.
            Some((_, name)) => {
                if v != Cell::Null {
                    self.case.bad_key(name);
                }
            }
            None => self.case.set_scalar(self.engine, key.0, v.into()),
        }
        self
    }

    /// Sets a key to a value given as JSON text (the form for `paused`, `approvals` and
    /// `evidence`). Text that is not JSON makes the case unusable (`not_an_object`), as a
    /// record that does not parse would.
    pub fn set_json(&mut self, key: CaseKey, json: &str) -> &mut Self {
        if !self.case.set_json(self.engine, key.0, json) {
            self.broken = true;
        }
        self
    }

    /// Finishes the case: missing `id`/`kind`/`opened_at` make it unusable, money is
    /// converted, required fields are checked.
    pub fn finish(self) {
        if self.broken {
            self.case.set_error(CaseError::NotAnObject);
        } else {
            self.case.finish(self.engine, true);
        }
    }
}
