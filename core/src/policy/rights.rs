//! Decision rights: `roles` (with approval limits), `approvals` (the decision table of
//! the approval chain), `separation` (segregation of duties) and `actions` (who may
//! hold, cancel, close or approve a case, and with what evidence). Compiles to
//! [`Rights`].

use super::Compiler;
use super::diagnostics::{Diags, PolicyCode, child, index};
use super::json;
use crate::table::masks::DecBound;
use crate::table::{NameIndex, Schema, Table};
use crate::value::{FieldType, decimal_from_f64, parse_decimal};
use alloc::collections::{BTreeMap, BTreeSet};
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;
use rust_decimal::Decimal;
use serde_json::{Map, Value};

/// Approval outputs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ApprovalOut {
    Role(u32),
    ByLimit(u16),
}

#[derive(Clone, Debug)]
pub(crate) struct Role {
    pub name: String,
    pub limit: Option<Decimal>,
}

#[derive(Clone, Debug)]
pub(crate) struct Action {
    pub name: String,
    pub roles: Vec<u32>,
    pub within_limit: Option<u16>,
    pub not_requester: bool,
    pub not_prior_approver: bool,
    /// (kind symbol, evidence symbols in policy order)
    pub evidence: Vec<(u32, Vec<u32>)>,
}

/// The compiled decision rights.
#[derive(Debug)]
pub(crate) struct Rights {
    pub roles: Vec<Role>,
    /// The roles' index by name.
    pub role_order: NameIndex,
    /// Roles with a limit, by ascending limit (ties in declaration order), for `by_limit`.
    pub limit_order: Vec<(u32, DecBound)>,
    pub approvals: Option<Table<ApprovalOut>>,
    pub requester_cannot_approve: bool,
    pub distinct_approvers: bool,
    pub actions: Vec<Action>,
    /// Evidence items the actions name, in order of first appearance.
    pub evidence_names: Vec<String>,
    /// The evidence items' index by name.
    pub evidence_order: NameIndex,
}

impl Rights {
    /// The index of role `r`: a binary search, no allocation.
    pub(crate) fn role_index(&self, r: &str) -> Option<u32> {
        self.role_order.find(r, |i| self.roles.get(i).map(|x| x.name.as_str()))
    }
    /// The index of evidence item `s`: a binary search, no allocation.
    pub(crate) fn evidence_sym(&self, s: &str) -> Option<u32> {
        self.evidence_order.find(s, |i| self.evidence_names.get(i).map(String::as_str))
    }
}

/// `roles`, in policy order.
pub(super) fn roles(top: &Map<String, Value>, d: &mut Diags) -> Vec<Role> {
    let mut roles = Vec::new();
    let Some(rm) = top.get("roles").and_then(|r| json::map(r, "/roles", d)) else { return roles };
    for (rname, spec) in rm {
        let p = child("/roles", rname);
        let limit = json::object(spec, &p, &["limit", "description"], d).and_then(|m| m.get("limit")).and_then(|l| {
            let v = match l {
                Value::String(s) => parse_decimal(s),
                Value::Number(n) => n.as_i64().map(Decimal::from).or_else(|| n.as_f64().and_then(decimal_from_f64)),
                _ => None,
            };
            if v.is_none() {
                d.error(
                    PolicyCode::BadDecimal,
                    &child(&p, "limit"),
                    "a role limit must be a decimal amount in the policy currency, e.g. \"250\"",
                );
            }
            v
        });
        roles.push(Role { name: rname.clone(), limit });
    }
    roles
}

/// `approvals`: the approval chain's decision table (`role_index` resolves role names).
pub(super) fn approvals(
    top: &Map<String, Value>,
    cx: &mut Compiler<'_>,
    role_index: &impl Fn(&str) -> Option<u32>,
) -> Option<Table<ApprovalOut>> {
    let a = top.get("approvals")?;
    let column = |c: &str| c == "role";
    cx.tables().table(a, "/approvals", "approvals", false, &column, |cx, then, p| {
        let m = json::object(then, p, &["role", "limit_field"], cx.d)?;
        let r = json::required(m, "role", p, cx.d).and_then(|r| json::string(r, &child(p, "role"), cx.d))?;
        let keys = vec![("role".to_string(), r.to_string())];
        if r == "by_limit" {
            let lp = child(p, "limit_field");
            let f = json::required(m, "limit_field", p, cx.d).and_then(|f| json::string(f, &lp, cx.d))?;
            match amount_slot(cx.schema, f) {
                Some(s) => Some((ApprovalOut::ByLimit(s), keys)),
                None => {
                    cx.d.error(
                        PolicyCode::UnknownField,
                        &lp,
                        format!("`{f}` is not a declared money or integer field"),
                    );
                    None
                }
            }
        } else {
            if m.contains_key("limit_field") {
                cx.d.error(
                    PolicyCode::UnknownKey,
                    &child(p, "limit_field"),
                    "`limit_field` applies only to `\"role\": \"by_limit\"`",
                );
            }
            match role_index(r) {
                Some(i) => Some((ApprovalOut::Role(i), keys)),
                None => {
                    cx.d.error(
                        PolicyCode::UnknownRole,
                        &child(p, "role"),
                        format!("`{r}` is not a declared role (or `by_limit`)"),
                    );
                    None
                }
            }
        }
    })
}

/// The slot of the money or integer field named `f`.
fn amount_slot(schema: &Schema, f: &str) -> Option<u16> {
    schema
        .slot(f)
        .filter(|&s| matches!(schema.fields.get(s as usize).map(|x| x.ty), Some(FieldType::Money | FieldType::Integer)))
}

/// `separation`: (requester_cannot_approve, distinct_approvers).
pub(super) fn separation(top: &Map<String, Value>, d: &mut Diags) -> (bool, bool) {
    let (mut requester_cannot_approve, mut distinct_approvers) = (false, false);
    if let Some(sm) = top
        .get("separation")
        .and_then(|s| json::object(s, "/separation", &["requester_cannot_approve", "distinct_approvers"], d))
    {
        if let Some(b) = sm.get("requester_cannot_approve") {
            requester_cannot_approve = json::boolean(b, "/separation/requester_cannot_approve", d).unwrap_or(false);
        }
        if let Some(b) = sm.get("distinct_approvers") {
            distinct_approvers = json::boolean(b, "/separation/distinct_approvers", d).unwrap_or(false);
        }
    }
    (requester_cannot_approve, distinct_approvers)
}

/// `actions`, in policy order, and the evidence items they name. `role_index` resolves
/// role names; `kind` is the slot of `kind` and how many values it declares.
pub(super) fn actions(
    top: &Map<String, Value>,
    cx: &mut Compiler<'_>,
    role_index: &impl Fn(&str) -> Option<u32>,
    kind: (u16, usize),
) -> (Vec<Action>, Vec<String>) {
    let mut actions = Vec::new();
    let mut evidence_names: Vec<String> = Vec::new();
    let mut evidence_ix: BTreeMap<String, u32> = BTreeMap::new();
    let d = &mut *cx.d;
    let kind_value =
        |k: &str| cx.schema.fields.get(kind.0 as usize).and_then(|f| f.sym(k)).filter(|&i| (i as usize) < kind.1);
    let Some(am) = top.get("actions").and_then(|a| json::map(a, "/actions", d)) else {
        return (actions, evidence_names);
    };
    for (aname, spec) in am {
        let p = child("/actions", aname);
        let keys = ["roles", "within_limit", "not_requester", "not_prior_approver", "evidence", "description"];
        let Some(m) = json::object(spec, &p, &keys, d) else { continue };
        let mut aroles = Vec::new();
        if let Some(a) = json::required(m, "roles", &p, d).and_then(|r| json::array(r, &child(&p, "roles"), d)) {
            let mut seen = BTreeSet::new();
            for (i, r) in a.iter().enumerate() {
                let rp = index(&child(&p, "roles"), i);
                if let Some(r) = json::string(r, &rp, d) {
                    match role_index(r) {
                        Some(x) if !seen.insert(x) => {
                            d.error(PolicyCode::DuplicateName, &rp, format!("role `{r}` is listed twice"));
                        }
                        Some(x) => aroles.push(x),
                        None => d.error(PolicyCode::UnknownRole, &rp, format!("`{r}` is not a declared role")),
                    }
                }
            }
        }
        let within_limit = m.get("within_limit").and_then(|f| {
            let fp = child(&p, "within_limit");
            let f = json::string(f, &fp, d)?;
            let s = amount_slot(&cx.schema, f);
            if s.is_none() {
                d.error(PolicyCode::UnknownField, &fp, format!("`{f}` is not a declared money or integer field"));
            }
            s
        });
        let flag = |k: &str, d: &mut Diags| m.get(k).and_then(|b| json::boolean(b, &child(&p, k), d)).unwrap_or(false);
        let not_requester = flag("not_requester", d);
        let not_prior_approver = flag("not_prior_approver", d);
        let evidence = match m.get("evidence") {
            Some(e) => evidence(e, &child(&p, "evidence"), d, &kind_value, (&mut evidence_names, &mut evidence_ix)),
            None => Vec::new(),
        };
        actions.push(Action {
            name: aname.clone(),
            roles: aroles,
            within_limit,
            not_requester,
            not_prior_approver,
            evidence,
        });
    }
    (actions, evidence_names)
}

/// An action's `evidence`: the items each `kind` value (`kind_value` resolves them)
/// needs, as symbols of `names` (which gains the items it has not seen, with their index).
fn evidence(
    e: &Value,
    path: &str,
    d: &mut Diags,
    kind_value: &impl Fn(&str) -> Option<u32>,
    (names, ix): (&mut Vec<String>, &mut BTreeMap<String, u32>),
) -> Vec<(u32, Vec<u32>)> {
    let mut evidence = Vec::new();
    let Some(em) = json::map(e, path, d) else { return evidence };
    for (k, items) in em {
        let kp = child(path, k);
        let Some(ki) = kind_value(k) else {
            d.error(PolicyCode::NotInEnum, &kp, format!("`{k}` is not a value of `kind`"));
            continue;
        };
        let Some(a) = json::array(items, &kp, d) else { continue };
        let mut syms = Vec::new();
        let mut seen = BTreeSet::new();
        for (i, it) in a.iter().enumerate() {
            let ip = index(&kp, i);
            if let Some(s) = json::string(it, &ip, d) {
                let si = match ix.get(s) {
                    Some(&si) => si,
                    None => {
                        let si = names.len() as u32;
                        names.push(s.to_string());
                        ix.insert(s.to_string(), si);
                        si
                    }
                };
                if seen.insert(si) {
                    syms.push(si);
                } else {
                    d.error(PolicyCode::DuplicateName, &ip, format!("evidence item `{s}` is listed twice"));
                }
            }
        }
        evidence.push((ki, syms));
    }
    evidence
}

/// Roles with a limit, by ascending limit; equal limits keep declaration order.
pub(super) fn limit_order(roles: &[Role]) -> Vec<(u32, DecBound)> {
    let mut limited: Vec<(u32, Decimal)> =
        roles.iter().enumerate().filter_map(|(i, r)| Some((i as u32, r.limit?))).collect();
    // Stable: equal limits keep declaration order.
    crate::sort::sort_by_key(&mut limited, |&(_, l)| l);
    limited.into_iter().map(|(i, l)| (i, DecBound::new(l))).collect()
}
