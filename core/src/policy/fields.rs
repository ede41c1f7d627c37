//! The case schema: `fields`, the policy `currency` and `fx` rates, and `required`.
//! Compiles to [`Input`], what decoding a case needs: every key a case may carry, the
//! field slots and where a case stores each one.

use super::Compiler;
use super::diagnostics::{Diags, PolicyCode, child, index};
use super::json;
use super::limits::MAX_FIELDS;
use crate::table::{Field, Schema};
use crate::value::{FieldType, decimal_from_f64, parse_decimal};
use alloc::collections::BTreeSet;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;
use rust_decimal::Decimal;
use serde_json::{Map, Value};

/// How many values a decoded case also keeps in itself: copies of its first storage
/// positions, which hold the fields the routing table tests ([`Input::store`]). Seven
/// fill two cache lines with the flags routing reads.
pub(crate) const HEAD: usize = 7;

/// Keys of a case with a fixed meaning; a field may not take these names.
const RESERVED: &[&str] = &[
    "id",
    "opened_at",
    "closed_at",
    "paused",
    "waiting",
    "requested_by",
    "approvals",
    "evidence",
    "currency",
    "queue",
    "priority",
    "owner",
    "worked_queue",
    "escalations",
    "closed_by",
];

/// What a case key means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Key {
    Id,
    OpenedAt,
    ClosedAt,
    Completed(u16),
    Paused,
    Waiting,
    RequestedBy,
    Approvals,
    Evidence,
    Currency,
    Field(u16),
    /// QA: the queue that worked the case.
    WorkedQueue,
    /// QA: the escalations the case got.
    Escalations,
    /// QA: the actor who closed the case.
    ClosedBy,
}

/// The compiled case schema.
#[derive(Debug)]
pub(crate) struct Input {
    /// The policy currency; money in another is converted by `fx`.
    pub currency: String,
    /// The `fx` rates, sorted by currency for binary search.
    pub fx: Vec<(String, Decimal)>,
    /// Fields by slot: the declared ones, then the derived `queue` and `priority`.
    pub schema: Schema,
    /// Every key a case may carry, sorted for binary search.
    pub keys: Vec<(String, Key)>,
    pub kind_slot: u16,
    pub queue_slot: u16,
    pub priority_slot: u16,
    pub money_slots: Vec<u16>,
    /// Fields required of every case (`*`), and of each `kind` value.
    pub required_any: Vec<u16>,
    pub required: Vec<Vec<u16>>,
    /// Where a case stores each field slot's value: the fields the routing table tests
    /// first, then those the other decision tables test, so that evaluating a case reads
    /// fewer cache lines of its values; the other declared fields after them; `queue` and
    /// `priority` last (their own slots).
    pub store: Vec<u16>,
    /// Whether routing (through masks) reads only the first [`HEAD`] storage positions,
    /// which decoded cases then also keep in themselves.
    pub route_head: bool,
}

impl Input {
    pub(crate) fn key(&self, k: &str) -> Option<Key> {
        match self.keys.binary_search_by(|(n, _)| n.as_str().cmp(k)) {
            Ok(i) => self.keys.get(i).map(|(_, k)| *k),
            // The QA keys are looked up apart, so that the keys every case carries are
            // found in a table no larger than before.
            Err(_) => qa_key(k),
        }
    }
    pub(crate) fn fx_rate(&self, cur: &str) -> Option<Decimal> {
        if cur == self.currency {
            return Some(Decimal::ONE);
        }
        let i = self.fx.binary_search_by(|(c, _)| c.as_str().cmp(cur)).ok()?;
        self.fx.get(i).map(|(_, r)| *r)
    }
    pub(crate) fn required_for(&self, kind: Option<u32>) -> &[u16] {
        kind.and_then(|k| self.required.get(k as usize)).map_or(&[], Vec::as_slice)
    }
    /// Where a case stores field `slot`'s value.
    #[inline(always)]
    pub(crate) fn at(&self, slot: u16) -> usize {
        self.store.get(slot as usize).map_or(slot as usize, |&p| p as usize)
    }
    pub(crate) fn field_name(&self, slot: u16) -> &str {
        self.schema.fields.get(slot as usize).map_or("", |f| f.name.as_str())
    }
}

/// The QA keys of a case (what actually happened).
fn qa_key(k: &str) -> Option<Key> {
    match k {
        "worked_queue" => Some(Key::WorkedQueue),
        "escalations" => Some(Key::Escalations),
        "closed_by" => Some(Key::ClosedBy),
        _ => None,
    }
}

/// The policy currency and its `fx` rates.
pub(super) fn money(top: &Map<String, Value>, d: &mut Diags) -> (String, Vec<(String, Decimal)>) {
    let currency = match top.get("currency") {
        Some(v) => json::string(v, "/currency", d).unwrap_or_default().to_string(),
        None => {
            d.error(PolicyCode::MissingKey, "", "missing required key `currency` (the policy currency, e.g. \"EUR\")");
            "EUR".into()
        }
    };
    let mut fx = Vec::new();
    if let Some(m) = top.get("fx").and_then(|f| json::map(f, "/fx", d)) {
        for (c, r) in m {
            let p = child("/fx", c);
            let rate = match r {
                Value::String(s) => parse_decimal(s),
                Value::Number(n) => n.as_f64().and_then(decimal_from_f64),
                _ => None,
            };
            match rate {
                Some(r) if r > Decimal::ZERO => fx.push((c.clone(), r)),
                _ => d.error(PolicyCode::BadDecimal, &p, "an fx rate must be a positive decimal (policy-currency units per 1 unit of this currency), e.g. \"0.92\""),
            }
        }
    }
    // The keys of one object are distinct: sorted, they are a search index.
    crate::sort::sort_by(&mut fx, |a, b| a.0.cmp(&b.0));
    (currency, fx)
}

/// The declared fields, into `cx.schema`; returns the money slots and `kind`'s slot
/// (`kind` is declared as a string field when the policy does not declare it), or
/// `None` when there are too many fields to number.
pub(super) fn fields(top: &Map<String, Value>, cx: &mut Compiler<'_>) -> Option<(Vec<u16>, u16)> {
    let mut money_slots = Vec::new();
    let d = &mut *cx.d;
    if let Some(fm) = json::required(top, "fields", "", d).and_then(|f| json::map(f, "/fields", d)) {
        if fm.len() > MAX_FIELDS {
            d.error(
                PolicyCode::LimitExceeded,
                "/fields",
                format!("{} fields exceed the limit of {MAX_FIELDS} (fields are numbered in 16 bits)", fm.len()),
            );
            return None;
        }
        let metrics = metric_names(top);
        for (fname, spec) in fm {
            let p = child("/fields", fname);
            if RESERVED.contains(&fname.as_str()) || fname.strip_suffix("_at").is_some_and(|m| metrics.contains(m)) {
                d.error(
                    PolicyCode::BadValue,
                    &p,
                    format!("`{fname}` is a standard case key and cannot be declared as a field"),
                );
                continue;
            }
            let Some(f) = field(fname, spec, &p, d, cx.limits.max_values_per_field) else { continue };
            let ty = f.ty;
            let slot = cx.schema.push(f);
            if ty == FieldType::Money {
                money_slots.push(slot);
            }
        }
    }
    let kind_slot = match cx.schema.slot("kind") {
        Some(s) => {
            if !matches!(cx.schema.fields.get(s as usize).map(|f| f.ty), Some(FieldType::Enum | FieldType::String)) {
                d.error(PolicyCode::BadValue, "/fields/kind/type", "`kind` must be an enum (or string) field");
            }
            s
        }
        None => cx.schema.push(Field::new("kind".into(), FieldType::String, false)),
    };
    Some((money_slots, kind_slot))
}

/// One field: its type and, for an enum, its values (at most `max_values`).
fn field(name: &str, spec: &Value, p: &str, d: &mut Diags, max_values: usize) -> Option<Field> {
    let sm = json::object(spec, p, &["type", "values", "description"], d)?;
    let tp = child(p, "type");
    let ty = json::required(sm, "type", p, d).and_then(|t| json::string(t, &tp, d))?;
    let Some(ty) = FieldType::parse(ty) else {
        d.error(
            PolicyCode::BadValue,
            &tp,
            format!("unknown field type `{ty}` (expected enum, string, integer, number, money, bool or timestamp)"),
        );
        return None;
    };
    let mut f = Field::new(name.to_string(), ty, false);
    match (ty, sm.get("values")) {
        (FieldType::Enum, Some(vals)) => {
            let vp = child(p, "values");
            if let Some(a) = json::array(vals, &vp, d) {
                if a.len() > max_values {
                    d.error(
                        PolicyCode::LimitExceeded,
                        &vp,
                        format!("{} enum values exceed the limit of {max_values} (max_values_per_field)", a.len()),
                    );
                    return None;
                }
                for (i, x) in a.iter().enumerate() {
                    if let Some(s) = json::string(x, &index(&vp, i), d)
                        && !f.intern(s).1
                    {
                        d.error(PolicyCode::DuplicateName, &index(&vp, i), format!("enum value `{s}` is listed twice"));
                    }
                }
                if a.is_empty() {
                    d.error(PolicyCode::BadValue, &vp, "an enum needs at least one value");
                }
            }
        }
        (FieldType::Enum, None) => d.error(PolicyCode::MissingKey, p, "an enum field needs `values`"),
        (_, Some(_)) => d.error(PolicyCode::UnknownKey, &child(p, "values"), "`values` applies only to enum fields"),
        _ => {}
    }
    Some(f)
}

/// The names `sla.metrics` lists (unchecked: `sla::metrics` checks them).
fn metric_names(top: &Map<String, Value>) -> BTreeSet<&str> {
    top.get("sla")
        .and_then(|s| s.get("metrics"))
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// `required`: the fields every case (`*`) and each `kind` value must carry.
pub(super) fn required(
    top: &Map<String, Value>,
    cx: &mut Compiler<'_>,
    kind_slot: u16,
    derived: [u16; 2],
) -> (Vec<u16>, Vec<Vec<u16>>) {
    let d = &mut *cx.d;
    let schema = &cx.schema;
    let kind = schema.fields.get(kind_slot as usize);
    let mut required_any = Vec::new();
    let mut required = vec![Vec::new(); kind.map_or(0, |f| f.syms.len())];
    if let Some(rm) = top.get("required").and_then(|r| json::map(r, "/required", d)) {
        for (k, list) in rm {
            let p = child("/required", k);
            let target = if k == "*" {
                Some(&mut required_any)
            } else {
                match kind.and_then(|f| f.sym(k)) {
                    Some(i) => required.get_mut(i as usize),
                    None => {
                        d.error(PolicyCode::NotInEnum, &p, format!("`{k}` is not a value of `kind`"));
                        None
                    }
                }
            };
            let Some(a) = json::array(list, &p, d) else { continue };
            let mut slots = Vec::new();
            let mut seen = BTreeSet::new();
            for (i, f) in a.iter().enumerate() {
                let fp = index(&p, i);
                if let Some(fname) = json::string(f, &fp, d) {
                    match schema.slot(fname).filter(|s| !derived.contains(s)) {
                        Some(s) if !seen.insert(s) => {
                            d.error(PolicyCode::DuplicateName, &fp, format!("`{fname}` is listed twice"));
                        }
                        Some(s) => slots.push(s),
                        None => d.error(PolicyCode::UnknownField, &fp, format!("`{fname}` is not a declared field")),
                    }
                }
            }
            if let Some(t) = target {
                t.extend(slots);
            }
        }
    }
    (required_any, required)
}

/// Every key a case may carry, sorted for binary search.
pub(super) fn keys(schema: &Schema, metrics: &[String]) -> Vec<(String, Key)> {
    let mut keys: Vec<(String, Key)> = vec![
        ("id".into(), Key::Id),
        ("opened_at".into(), Key::OpenedAt),
        ("closed_at".into(), Key::ClosedAt),
        ("paused".into(), Key::Paused),
        ("waiting".into(), Key::Waiting),
        ("requested_by".into(), Key::RequestedBy),
        ("approvals".into(), Key::Approvals),
        ("evidence".into(), Key::Evidence),
        ("currency".into(), Key::Currency),
    ];
    for (i, m) in metrics.iter().enumerate() {
        keys.push((format!("{m}_at"), Key::Completed(i as u16)));
    }
    for (i, f) in schema.fields.iter().enumerate() {
        if !f.derived {
            keys.push((f.name.clone(), Key::Field(i as u16)));
        }
    }
    crate::sort::sort_by(&mut keys, |a, b| a.0.cmp(&b.0));
    keys.dedup_by(|a, b| a.0 == b.0);
    keys
}

/// Storage positions of the field slots (see [`Input::store`]): the declared fields that
/// `first` names, then those `tested` names, each in slot order, then the other declared
/// fields, then the derived ones (from `first_derived` on) at their own slots.
pub(super) fn storage_order(
    schema: &Schema,
    first_derived: u16,
    first: &[u16],
    tested: [Option<&Vec<u16>>; 2],
) -> Vec<u16> {
    let n = schema.fields.len();
    // The rank of each slot (0: `first` names it, 1: `tested` does, 2: neither), marked
    // in one pass: linear in the fields and the tests, whatever their numbers.
    let mut rank = alloc::vec![2u8; n];
    let marks = tested.iter().flatten().copied().flatten().map(|&s| (s, 1)).chain(first.iter().map(|&s| (s, 0)));
    for (slot, r) in marks {
        if let Some(x) = rank.get_mut(usize::from(slot)) {
            *x = (*x).min(r);
        }
    }
    let rank_of = |s: u16| rank.get(usize::from(s)).copied().unwrap_or(2);
    let declared = 0..first_derived;
    let order: Vec<u16> = (0..3u8)
        .flat_map(|r| declared.clone().filter(move |&s| rank_of(s) == r))
        .chain(first_derived..n as u16)
        .collect();
    // `order[position] = slot`; the store maps the other way.
    let mut store = alloc::vec![0u16; n];
    for (pos, &slot) in order.iter().enumerate() {
        if let Some(x) = store.get_mut(slot as usize) {
            *x = pos as u16;
        }
    }
    store
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storage_order_puts_routing_then_tested_fields_first_in_slot_order() {
        // Slots 0..6 declared, 6 and 7 derived (queue, priority). Routing tests 4 (twice),
        // another table tests 2 and 6 (a derived slot stays at its own place), a third 4
        // and 5 (routing's place wins for 4).
        let mut schema = Schema::default();
        for i in 0..8 {
            schema.push(Field::new(format!("f{i}"), FieldType::Integer, i >= 6));
        }
        let routing = alloc::vec![4u16, 4];
        let other = alloc::vec![2u16, 6];
        let third = alloc::vec![5u16, 4];
        let store = storage_order(&schema, 6, &routing, [Some(&other), Some(&third)]);
        // Positions: routing's 4; the other tested 2, 5; then the untested 0, 1, 3;
        // derived 6, 7 last. `store[slot] = position`.
        assert_eq!(store, [3, 4, 1, 5, 0, 2, 6, 7]);
        // Without tests the order is the slots'.
        assert_eq!(storage_order(&schema, 6, &[], [None, None]), [0, 1, 2, 3, 4, 5, 6, 7]);
    }

    #[test]
    fn decoded_cases_keep_the_example_routing_fields_in_themselves() {
        // The example routing table tests seven fields: kind, amount, fraud_score,
        // customer_tier, split_shipment, orders_affected, vendor_failures_90d. They take
        // storage positions 0..7, all in a case's head.
        let e = crate::Engine::compile(include_str!("../../../examples/order-ops.policy.json")).unwrap();
        assert!(e.input.route_head);
        let mut routed: Vec<u16> = e.routing.table.rules_slots().iter().map(|&s| e.input.at(s) as u16).collect();
        routed.sort_unstable();
        routed.dedup();
        assert_eq!(routed, [0, 1, 2, 3, 4, 5, 6]);
    }
}
