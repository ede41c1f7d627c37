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
    /// `"not_approver": true`: refused to an actor who gave one of the counted approvals.
    pub not_approver: bool,
    /// `"requires": ["approvals"]`: refused while an approval step is open.
    pub requires_approvals: bool,
    /// (kind symbol, evidence symbols in policy order)
    pub evidence: Vec<(u32, Vec<u32>)>,
}

/// Who may fill an approval step (`approvals.fill`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fill {
    /// A step's own role only (the default).
    SameRole,
    /// Its own role, or a role that ranks above it (a higher `limit`; a role without a
    /// limit ranks above every limited one).
    SameOrHigher,
}

impl Fill {
    pub(crate) const fn as_str(self) -> &'static str {
        match self {
            Fill::SameRole => "same_role",
            Fill::SameOrHigher => "same_or_higher",
        }
    }
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
    /// Who may fill a step.
    pub fill: Fill,
    /// Each role's rank by authority (its position among the distinct limits, ascending;
    /// every role without a limit shares the top rank).
    pub rank: Vec<u32>,
    /// The action named `approve`, if declared: its index in `actions`.
    pub approve: Option<usize>,
    /// By role: whether `approve` lists it.
    pub approver: Vec<bool>,
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
    /// The `approve` action, if the policy declares one.
    pub(crate) fn approve_action(&self) -> Option<&Action> {
        self.approve.and_then(|i| self.actions.get(i))
    }
    /// Whether role `r` may fill a step of role `step` under the policy's `fill`.
    #[inline]
    pub(crate) fn may_fill(&self, r: u32, step: u32) -> bool {
        r == step
            || (self.fill == Fill::SameOrHigher
                && matches!((self.rank.get(r as usize), self.rank.get(step as usize)), (Some(a), Some(b)) if a > b))
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
    // `fill` is read by `fill`; the table takes the rest.
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

/// `approvals.fill`: who may fill a step (`same_role` when absent).
pub(super) fn fill(top: &Map<String, Value>, d: &mut Diags) -> Fill {
    let Some(f) = top.get("approvals").and_then(Value::as_object).and_then(|a| a.get("fill")) else {
        return Fill::SameRole;
    };
    let p = "/approvals/fill";
    match json::string(f, p, d) {
        Some("same_role") => Fill::SameRole,
        Some("same_or_higher") => Fill::SameOrHigher,
        Some(s) => {
            d.error(PolicyCode::BadValue, p, format!("unknown fill rule `{s}` (expected same_role or same_or_higher)"));
            Fill::SameRole
        }
        None => Fill::SameRole,
    }
}

/// Each role's rank by authority: roles with a limit by ascending limit (equal limits
/// share a rank), every role without one above them all.
pub(super) fn ranks(roles: &[Role]) -> Vec<u32> {
    let mut limits: Vec<Decimal> = roles.iter().filter_map(|r| r.limit).collect();
    crate::sort::sort_by(&mut limits, Decimal::cmp);
    limits.dedup();
    let top = limits.len() as u32;
    roles
        .iter()
        .map(|r| match r.limit {
            // `partition_point`: the number of smaller limits (equal ones share a rank).
            Some(l) => limits.partition_point(|&x| x < l) as u32,
            None => top,
        })
        .collect()
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
        let keys = [
            "roles",
            "within_limit",
            "not_requester",
            "not_prior_approver",
            "not_approver",
            "requires",
            "evidence",
            "description",
        ];
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
        let not_approver = flag("not_approver", d);
        let requires_approvals = m.get("requires").is_some_and(|r| requires(r, &child(&p, "requires"), d));
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
            not_approver,
            requires_approvals,
            evidence,
        });
    }
    (actions, evidence_names)
}

/// An action's `requires`: a list of what must be complete first; `approvals` (every
/// approval step filled) is the one item there is. Whether it lists `approvals`.
fn requires(r: &Value, path: &str, d: &mut Diags) -> bool {
    let Some(a) = json::array(r, path, d) else { return false };
    let mut approvals = false;
    for (i, x) in a.iter().enumerate() {
        let ip = index(path, i);
        match json::string(x, &ip, d) {
            Some("approvals") if approvals => d.error(PolicyCode::DuplicateName, &ip, "`approvals` is listed twice"),
            Some("approvals") => approvals = true,
            Some(s) => d.error(
                PolicyCode::BadValue,
                &ip,
                format!("`{s}` is not something an action can require (expected approvals)"),
            ),
            None => {}
        }
    }
    approvals
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
