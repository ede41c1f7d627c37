//! The decision-table syntax shared by `routing`, `sla.targets` and `approvals`: hit
//! policies, aggregation, output ranking, rules with their ids, and the tests of a
//! `when` (values, comparisons, ranges, lists, `not`), into [`Table`]s.

use super::diagnostics::{Diags, PolicyCode, child, index};
use super::json;
use crate::table::{Agg, Atom, Cmp, Cond, Hit, MAX_LIST_TEST, Pred, Rule, Schema, SymSet, Table};
use crate::time::parse_rfc3339;
use crate::value::{FieldType, parse_decimal};
use alloc::collections::{BTreeMap, BTreeSet};
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use rust_decimal::Decimal;
use serde_json::{Map, Value};

/// The raw output values of one rule that ranking may look at: (column, value text).
pub(crate) type RankKeys = Vec<(String, String)>;

/// Each ranked output column with each of its values' rank (a table's `outputs`).
type Ranking<'v> = Vec<(&'v str, BTreeMap<&'v str, usize>)>;

/// How many of a field's values a `not_in_enum` message lists.
const LISTED_VALUES: usize = 12;

/// Context for compiling the tables of one policy.
pub(crate) struct TableCx<'a> {
    /// Fields by slot (string fields gain symbols as tests name them).
    pub schema: &'a mut Schema,
    /// Every rule id of the policy so far (ids are unique within a policy).
    pub ids: &'a mut Vec<String>,
    /// Where each id was declared, for duplicate messages.
    pub id_paths: &'a mut Vec<String>,
    /// Each id's index in `ids` (its first declaration).
    pub id_index: &'a mut BTreeMap<String, u32>,
    /// Diagnostics.
    pub d: &'a mut Diags,
    /// Most rules accepted in one table ([`crate::Limits::max_rules_per_table`]).
    pub max_rules: usize,
    /// Most symbols of a field ([`crate::Limits::max_values_per_field`]).
    pub max_values: usize,
    /// The string fields whose symbols reached `max_values` (reported once each).
    pub full: &'a mut BTreeSet<u16>,
}

impl TableCx<'_> {
    /// Registers a trace id, reporting duplicates.
    pub fn add_id(&mut self, id: &str, path: &str) -> u32 {
        let gid = self.ids.len() as u32;
        match self.id_index.get(id) {
            Some(&i) => {
                let first = self.id_paths.get(i as usize).cloned().unwrap_or_default();
                self.d.error(PolicyCode::DuplicateRuleId, path, format!("rule id `{id}` is already used at {first}"));
            }
            None => {
                self.id_index.insert(id.to_string(), gid);
            }
        }
        self.ids.push(id.to_string());
        self.id_paths.push(path.to_string());
        gid
    }

    /// Compiles a table at `path`. `out` parses one rule's (or the default's) `then`;
    /// `column` tells the names of the table's output columns (those `outputs` may rank).
    #[allow(clippy::too_many_arguments)]
    pub fn table<O>(
        &mut self,
        v: &Value,
        path: &str,
        name: &str,
        aggregatable: bool,
        column: &dyn Fn(&str) -> bool,
        mut out: impl FnMut(&mut Self, &Value, &str) -> Option<(O, RankKeys)>,
    ) -> Option<Table<O>> {
        let errors = self.d.error_count();
        // Only the approvals table says who may fill its steps.
        let keys: &[&str] = if name == "approvals" {
            &["hit", "aggregate", "outputs", "rules", "default", "fill"]
        } else {
            &["hit", "aggregate", "outputs", "rules", "default"]
        };
        let m = json::object(v, path, keys, self.d)?;
        let hit = hit_policy(m, path, self.d);
        let agg = aggregate(m, path, self.d, hit, name, aggregatable);
        let ranking = ranking(m, path, self.d, name, column);
        if matches!(hit, Hit::Priority | Hit::OutputOrder) && ranking.is_empty() {
            self.d.error(PolicyCode::BadOutputs, path, "hit policies `priority` and `output_order` need `outputs` listing each output column's values in rank order");
        }
        let rules_path = child(path, "rules");
        let raw_rules =
            json::required(m, "rules", path, self.d).and_then(|r| json::array(r, &rules_path, self.d)).unwrap_or(&[]);
        if raw_rules.len() > self.max_rules {
            self.d.error(
                PolicyCode::LimitExceeded,
                &rules_path,
                format!("{} rules exceed the limit of {} per table", raw_rules.len(), self.max_rules),
            );
            return None;
        }
        let (rules, keys) = self.rules(raw_rules, &rules_path, &mut out);
        let default = m.get("default").and_then(|dv| {
            let p = child(path, "default");
            let gid = self.add_id(&format!("{name}.default"), &p);
            out(self, dv, &p).map(|(o, _)| (gid, o))
        });
        let order = rank_order(&keys, &ranking, hit, &rules_path, self.d);
        if self.d.error_count() > errors {
            return None;
        }
        Some(Table { hit, agg, rules, order, default, masks: None, index: None })
    }

    /// The rules of a table (those whose outputs compile) and their outputs' rank keys
    /// (the linter, `lint.rs`, reports the rules that can never decide).
    fn rules<O>(
        &mut self,
        raw_rules: &[Value],
        rules_path: &str,
        out: &mut impl FnMut(&mut Self, &Value, &str) -> Option<(O, RankKeys)>,
    ) -> (Vec<Rule<O>>, Vec<RankKeys>) {
        let mut rules = Vec::with_capacity(raw_rules.len());
        let mut keys: Vec<RankKeys> = Vec::with_capacity(raw_rules.len());
        for (i, r) in raw_rules.iter().enumerate() {
            let rp = index(rules_path, i);
            let Some(rm) = json::object(r, &rp, &["id", "when", "then", "description"], self.d) else { continue };
            let id = json::required(rm, "id", &rp, self.d).and_then(|x| json::string(x, &child(&rp, "id"), self.d));
            let gid = match id {
                Some("") => {
                    self.d.error(PolicyCode::BadValue, &child(&rp, "id"), "rule id must not be empty");
                    0
                }
                Some(id) => self.add_id(id, &child(&rp, "id")),
                None => 0,
            };
            let conds = match rm.get("when") {
                Some(w) => self.when(w, &child(&rp, "when")),
                None => Vec::new(),
            };
            let then = json::required(rm, "then", &rp, self.d).and_then(|t| out(self, t, &child(&rp, "then")));
            if let Some((o, k)) = then {
                rules.push(Rule { gid, conds, out: o });
                keys.push(k);
            }
        }
        (rules, keys)
    }

    /// Compiles a `when` object into tests.
    pub fn when(&mut self, w: &Value, path: &str) -> Vec<Cond> {
        let mut conds = Vec::new();
        let Some(m) = json::map(w, path, self.d) else { return conds };
        for (name, test) in m {
            let p = child(path, name);
            let Some(slot) = self.schema.slot(name) else {
                self.d.error(
                    PolicyCode::UnknownField,
                    &p,
                    format!("`{name}` is not a declared field (declare it under `fields`)"),
                );
                continue;
            };
            if let Some(c) = self.test(slot, test, &p) {
                conds.push(c);
            }
        }
        conds
    }

    fn test(&mut self, slot: u16, t: &Value, path: &str) -> Option<Cond> {
        let (t, negate) = match t {
            Value::Object(o) => {
                let inner = not_only(o, path, self.d)?;
                if matches!(inner, Value::Object(_)) {
                    self.d.error(PolicyCode::BadTest, path, "`not` cannot be nested");
                    return None;
                }
                (inner, true)
            }
            t => (t, false),
        };
        if t.is_null() {
            return Some(Cond { slot, pred: Pred::Null, negate });
        }
        let field = self.schema.fields.get_mut(slot as usize)?;
        let (max_values, full) = (self.max_values, &mut *self.full);
        let pred = match field.ty {
            FieldType::Enum | FieldType::String => {
                let mut set = SymSet::default();
                let mut one = |s: &Value, p: &str, d: &mut Diags| match s {
                    Value::String(s) => match field.sym(s) {
                        Some(i) => set.insert(i),
                        None if field.ty == FieldType::String && !field.derived => {
                            if field.syms.len() >= max_values {
                                if full.insert(slot) {
                                    d.error(
                                        PolicyCode::LimitExceeded,
                                        p,
                                        format!(
                                            "the tests of `{}` name more than {max_values} distinct strings (max_values_per_field)",
                                            field.name
                                        ),
                                    );
                                }
                                return;
                            }
                            set.insert(field.intern(s).0);
                        }
                        None => {
                            let code =
                                if field.name == "queue" { PolicyCode::UnknownQueue } else { PolicyCode::NotInEnum };
                            d.error(
                                code,
                                p,
                                format!("`{s}` is not one of the values of `{}` ({})", field.name, listed(&field.syms)),
                            );
                        }
                    },
                    other => json::wrong_type(p, "a string", other, d),
                };
                match t {
                    Value::Array(a) => {
                        if a.is_empty() || a.len() > MAX_LIST_TEST {
                            self.d.error(PolicyCode::BadTest, path, "a list test needs 1 to 1000 values");
                        }
                        for (i, s) in a.iter().enumerate() {
                            one(s, &index(path, i), self.d);
                        }
                    }
                    s => one(s, path, self.d),
                }
                Pred::Sym(set)
            }
            FieldType::Bool => match t {
                Value::Bool(b) => Pred::Bool(*b),
                other => {
                    json::wrong_type(path, "true, false or null", other, self.d);
                    return None;
                }
            },
            FieldType::Integer | FieldType::Money => Pred::Dec(atoms(t, path, self.d, parse_dec_bound)?),
            FieldType::Number => Pred::Num(atoms(t, path, self.d, parse_f64_bound)?),
            FieldType::Timestamp => Pred::Time(atoms(t, path, self.d, |v| match v {
                Value::String(s) => parse_rfc3339(s.trim()),
                _ => None,
            })?),
        };
        Some(Cond { slot, pred, negate })
    }
}

/// A table's `hit` policy (`unique` when absent).
fn hit_policy(m: &Map<String, Value>, path: &str, d: &mut Diags) -> Hit {
    let Some(h) = m.get("hit") else { return Hit::Unique };
    let p = child(path, "hit");
    match json::string(h, &p, d).map(|s| (s, Hit::parse(s))) {
        Some((_, Some(h))) => h,
        Some((s, None)) => {
            d.error(PolicyCode::BadValue, &p, format!("unknown hit policy `{s}` (expected unique, any, priority, first, rule_order, output_order or collect)"));
            Hit::Unique
        }
        None => Hit::Unique,
    }
}

/// A table's `aggregate`, which only a `collect` table with one numeric output takes.
fn aggregate(
    m: &Map<String, Value>,
    path: &str,
    d: &mut Diags,
    hit: Hit,
    name: &str,
    aggregatable: bool,
) -> Option<Agg> {
    let a = m.get("aggregate")?;
    let p = child(path, "aggregate");
    let s = json::string(a, &p, d)?;
    let agg = match s {
        "sum" => Agg::Sum,
        "min" => Agg::Min,
        "max" => Agg::Max,
        "count" => Agg::Count,
        _ => {
            d.error(PolicyCode::BadValue, &p, format!("unknown aggregate `{s}` (expected sum, min, max or count)"));
            return None;
        }
    };
    if hit != Hit::Collect {
        d.error(PolicyCode::BadValue, &p, "`aggregate` requires `\"hit\": \"collect\"`");
    } else if !aggregatable || agg == Agg::Count {
        d.error(
            PolicyCode::BadValue,
            &p,
            format!("the {name} table has no single numeric output to aggregate with `{s}`"),
        );
    }
    Some(agg)
}

/// Up to [`LISTED_VALUES`] of a field's values, for a message.
fn listed(syms: &[String]) -> String {
    let mut s = String::new();
    for (i, v) in syms.iter().take(LISTED_VALUES).enumerate() {
        if i > 0 {
            s.push_str(", ");
        }
        s.push_str(v);
    }
    if syms.len() > LISTED_VALUES {
        s.push_str(&format!(", ... {} values in all", syms.len()));
    }
    s
}

/// A table's `outputs`: each ranked column's values with their rank. Each column must be
/// one of the table's output columns, and each value is listed once.
fn ranking<'v>(
    m: &'v Map<String, Value>,
    path: &str,
    d: &mut Diags,
    name: &str,
    column: &dyn Fn(&str) -> bool,
) -> Ranking<'v> {
    let mut r = Vec::new();
    let Some(o) = m.get("outputs") else { return r };
    let p = child(path, "outputs");
    let Some(om) = json::map(o, &p, d) else { return r };
    for (col, vals) in om {
        let cp = child(&p, col);
        if !column(col) {
            d.error(PolicyCode::UnknownKey, &cp, format!("`{col}` is not an output column of the {name} table"));
            continue;
        }
        let Some(arr) = json::array(vals, &cp, d) else { continue };
        let mut ranks = BTreeMap::new();
        for (i, x) in arr.iter().enumerate() {
            let vp = index(&cp, i);
            if let Some(s) = json::string(x, &vp, d)
                && ranks.insert(s, i).is_some()
            {
                d.error(PolicyCode::DuplicateName, &vp, format!("`{s}` is listed twice in `outputs.{col}`"));
            }
        }
        r.push((col.as_str(), ranks));
    }
    r
}

/// Rule indexes in rank order: by each ranked column's value position, column by
/// column, then rule order. Under `priority` and `output_order` every output must rank.
fn rank_order(keys: &[RankKeys], ranking: &Ranking<'_>, hit: Hit, rules_path: &str, d: &mut Diags) -> Vec<u32> {
    let mut ranks: Vec<Vec<usize>> = Vec::with_capacity(keys.len());
    for (i, k) in keys.iter().enumerate() {
        let mut rank = Vec::with_capacity(ranking.len());
        for (col, order) in ranking {
            let val = k.iter().find(|(c, _)| c.as_str() == *col).map(|(_, v)| v.as_str());
            match val.and_then(|v| order.get(v).copied()) {
                Some(p) => rank.push(p),
                None => {
                    if matches!(hit, Hit::Priority | Hit::OutputOrder) {
                        let rp = child(&index(rules_path, i), "then");
                        d.error(
                            PolicyCode::BadOutputs,
                            &rp,
                            format!(
                                "output `{col}` = {} is not listed in `outputs.{col}`, so it cannot be ranked",
                                val.map_or("(none)".to_string(), |v| format!("`{v}`"))
                            ),
                        );
                    }
                    rank.push(usize::MAX);
                }
            }
        }
        ranks.push(rank);
    }
    // Stable, so equal ranks keep rule order.
    crate::sort::order(ranks.len(), &mut |a, b| match (ranks.get(a), ranks.get(b)) {
        (Some(x), Some(y)) => x.cmp(y),
        _ => core::cmp::Ordering::Equal,
    })
}

fn not_only<'v>(o: &'v Map<String, Value>, path: &str, d: &mut Diags) -> Option<&'v Value> {
    match (o.len(), o.get("not")) {
        (1, Some(v)) => Some(v),
        _ => {
            d.error(PolicyCode::BadTest, path, "an object test must be exactly `{\"not\": ...}`");
            None
        }
    }
}

pub(super) fn parse_dec_bound(v: &Value) -> Option<Decimal> {
    match v {
        Value::String(s) => parse_decimal(s.trim()),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Some(Decimal::from(i))
            } else {
                n.as_f64().and_then(crate::value::decimal_from_f64)
            }
        }
        _ => None,
    }
}

fn parse_f64_bound(v: &Value) -> Option<f64> {
    match v {
        Value::String(s) => s.trim().parse::<f64>().ok().filter(|f| f.is_finite()),
        Value::Number(n) => n.as_f64(),
        _ => None,
    }
}

/// Parses a numeric/timestamp test: a bare value, `"op value"`, a range, or a list of these.
pub(super) fn atoms<T: PartialOrd + Copy>(
    t: &Value,
    path: &str,
    d: &mut Diags,
    bound: impl Fn(&Value) -> Option<T>,
) -> Option<Vec<Atom<T>>> {
    let items: &[Value] = match t {
        Value::Array(a) if a.is_empty() || a.len() > MAX_LIST_TEST => {
            d.error(PolicyCode::BadTest, path, "a list test needs 1 to 1000 alternatives");
            return None;
        }
        Value::Array(a) => a,
        one => core::slice::from_ref(one),
    };
    let list = matches!(t, Value::Array(_));
    let mut out = Vec::with_capacity(items.len());
    let mut ok = true;
    for (i, it) in items.iter().enumerate() {
        let p = if list { index(path, i) } else { path.to_string() };
        match atom(it, &bound) {
            Ok(a) => out.push(a),
            Err(code) => {
                ok = false;
                let shown = match it {
                    Value::String(s) => format!("`{s}`"),
                    other => other.to_string(),
                };
                let msg = if code == PolicyCode::EmptyRange {
                    format!("range {shown} holds for no value")
                } else {
                    format!(
                        "cannot parse test {shown} (expected a value, `< v`, `<= v`, `> v`, `>= v`, `!= v` or a range like `[1..10)`)"
                    )
                };
                d.error(code, &p, msg);
            }
        }
    }
    ok.then_some(out)
}

fn atom<T: PartialOrd + Copy>(v: &Value, bound: &impl Fn(&Value) -> Option<T>) -> Result<Atom<T>, PolicyCode> {
    let bad = PolicyCode::BadTest;
    let Value::String(s) = v else {
        return bound(v).map(|b| Atom::Cmp(Cmp::Eq, b)).ok_or(bad);
    };
    let s = s.trim();
    let first = s.as_bytes().first().copied();
    if let Some(open @ (b'[' | b'(')) = first {
        let close = s.as_bytes().last().copied();
        let hi_incl = match close {
            Some(b']') => true,
            Some(b')') => false,
            _ => return Err(bad),
        };
        let inner = s.get(1..s.len() - 1).ok_or(bad)?;
        let (lo, hi) = inner.split_once("..").ok_or(bad)?;
        let lo = bound(&Value::String(lo.trim().to_string())).ok_or(bad)?;
        let hi = bound(&Value::String(hi.trim().to_string())).ok_or(bad)?;
        let lo_incl = open == b'[';
        if lo > hi || (lo == hi && !(lo_incl && hi_incl)) {
            return Err(PolicyCode::EmptyRange);
        }
        return Ok(Atom::Range { lo, lo_incl, hi, hi_incl });
    }
    let (op, rest) = if let Some(r) = s.strip_prefix("<=") {
        (Cmp::Le, r)
    } else if let Some(r) = s.strip_prefix(">=") {
        (Cmp::Ge, r)
    } else if let Some(r) = s.strip_prefix("!=") {
        (Cmp::Ne, r)
    } else if let Some(r) = s.strip_prefix('<') {
        (Cmp::Lt, r)
    } else if let Some(r) = s.strip_prefix('>') {
        (Cmp::Gt, r)
    } else if let Some(r) = s.strip_prefix('=') {
        (Cmp::Eq, r)
    } else {
        (Cmp::Eq, s)
    };
    let b = bound(&Value::String(rest.trim().to_string())).ok_or(bad)?;
    Ok(Atom::Cmp(op, b))
}
