//! The policy compiler: a policy document (JSON) into the parts of an [`Engine`],
//! validating everything and reporting every problem at once, with its JSON pointer.
//! One file a policy section; [`compile`] runs them in dependency order.
//!
//! [`Engine`]: crate::Engine

mod calendars;
mod controls;
pub(crate) mod diagnostics;
mod fields;
mod json;
pub(crate) mod limits;
mod lint;
mod queues;
mod rights;
mod routing;
#[cfg(feature = "schema")]
pub mod schema;
mod sla;
mod tables;
mod text;

pub(crate) use controls::{Control, Measure};
pub(crate) use fields::{HEAD, Input, Key};
pub(crate) use queues::Queue;

pub(crate) use rights::{Action, ApprovalOut, Rights};
pub(crate) use routing::{RouteOut, Routing};
pub(crate) use sla::{BandClock, Clocks, MetricTarget, Sla};

use crate::table::NameIndex;
use alloc::collections::{BTreeMap, BTreeSet};
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use diagnostics::{Diagnostic, Diags, PolicyCode, child};
use limits::{Budget, FORMAT_VERSION, Limits};
use serde_json::{Map, Value};
use tables::TableCx;

/// The result of compiling a policy that has errors.
#[derive(Clone, Debug)]
pub struct CompileError {
    /// Every error found.
    pub errors: Vec<Diagnostic>,
    /// Warnings found along the way.
    pub warnings: Vec<Diagnostic>,
}

impl core::fmt::Display for CompileError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "the policy has {} error(s)", self.errors.len())?;
        for e in &self.errors {
            write!(f, "\n  {e}")?;
        }
        Ok(())
    }
}

#[cfg(feature = "std")]
impl std::error::Error for CompileError {}

impl CompileError {
    /// The binding-level code: `invalid_json` when the text is not JSON,
    /// `limit_exceeded` when the first error is a limit, `invalid_policy` otherwise.
    pub fn code(&self) -> crate::ErrorCode {
        match self.errors.first().map(|d| d.code) {
            Some(PolicyCode::InvalidJson) => crate::ErrorCode::InvalidJson,
            Some(PolicyCode::LimitExceeded) => crate::ErrorCode::LimitExceeded,
            _ => crate::ErrorCode::InvalidPolicy,
        }
    }

    /// The JSON pointer of the first error (`""`: the whole document).
    pub fn path(&self) -> &str {
        self.errors.first().map_or("", |d| d.path.as_str())
    }
}

/// The parts of a compiled policy, which [`crate::Engine`] holds.
pub(crate) struct Compiled {
    pub name: String,
    pub version: String,
    pub fingerprint: String,
    pub input: Input,
    pub routing: Routing,
    pub clocks: Clocks,
    pub rights: Rights,
    pub controls: Vec<Control>,
    pub rule_ids: Vec<String>,
}

/// What the sections of one policy share while they compile.
pub(crate) struct Compiler<'d> {
    pub d: &'d mut Diags,
    pub limits: Limits,
    /// Fields by slot; tables add the symbols their tests name to string fields.
    pub schema: crate::table::Schema,
    /// Every rule id (and control id) so far, and where each was declared.
    pub rule_ids: Vec<String>,
    pub id_paths: Vec<String>,
    /// Each id's index in `rule_ids` (its first declaration).
    pub id_index: BTreeMap<String, u32>,
    /// The string fields whose symbols reached `limits.max_values_per_field`.
    pub full: BTreeSet<u16>,
    /// What is left of `limits.max_memory_bytes`.
    pub budget: Budget,
}

impl Compiler<'_> {
    /// The context compiling a decision table needs.
    pub(crate) fn tables(&mut self) -> TableCx<'_> {
        TableCx {
            schema: &mut self.schema,
            ids: &mut self.rule_ids,
            id_paths: &mut self.id_paths,
            id_index: &mut self.id_index,
            d: &mut *self.d,
            max_rules: self.limits.max_rules_per_table,
            max_values: self.limits.max_values_per_field,
            full: &mut self.full,
        }
    }
}

const TOP_KEYS: &[&str] = &[
    "docket",
    "name",
    "version",
    "description",
    "currency",
    "fx",
    "fields",
    "queues",
    "required",
    "invalid_queue",
    "routing",
    "calendars",
    "dependencies",
    "sla",
    "report",
    "roles",
    "approvals",
    "separation",
    "actions",
    "controls",
];

/// Compiles policy JSON text (at most `limits.max_policy_bytes`).
pub(crate) fn compile_text(policy_json: &str, limits: Limits) -> Result<(Compiled, Vec<Diagnostic>), CompileError> {
    let mut d = Diags::default();
    if policy_json.len() > limits.max_policy_bytes {
        d.error(
            PolicyCode::LimitExceeded,
            "",
            format!("the policy is {} bytes; the limit is {}", policy_json.len(), limits.max_policy_bytes),
        );
        return Err(CompileError { errors: d.errors, warnings: d.warnings });
    }
    match text::parse(policy_json) {
        Ok((v, repeated)) => {
            for (p, key) in repeated {
                d.error(
                    PolicyCode::DuplicateKey,
                    &p,
                    format!("the key `{key}` appears more than once in this object (each key may appear once)"),
                );
            }
            match compile(&v, &mut d, limits) {
                Some(c) if d.errors.is_empty() => Ok((c, d.warnings)),
                _ => Err(CompileError { errors: d.errors, warnings: d.warnings }),
            }
        }
        Err(e) => {
            d.error(
                PolicyCode::InvalidJson,
                "",
                format!("invalid JSON at line {} column {}: {e}", e.line(), e.column()),
            );
            Err(CompileError { errors: d.errors, warnings: d.warnings })
        }
    }
}

/// Compiles a parsed policy: its parts and its warnings, or every error. A `Value` holds
/// one value per object key, so keys its text repeated cannot be reported here.
pub(crate) fn compile_value(policy: &Value, limits: Limits) -> Result<(Compiled, Vec<Diagnostic>), CompileError> {
    let mut d = Diags::default();
    match compile(policy, &mut d, limits) {
        Some(c) if d.errors.is_empty() => Ok((c, d.warnings)),
        _ => Err(CompileError { errors: d.errors, warnings: d.warnings }),
    }
}

/// The top-level keys and the format version.
fn header<'v>(v: &'v Value, d: &mut Diags) -> Option<(&'v Map<String, Value>, String, String)> {
    let top = json::object(v, "", TOP_KEYS, d)?;
    match top.get("docket") {
        Some(Value::Number(n)) if n.as_u64() == Some(FORMAT_VERSION) => {}
        Some(other) => d.error(
            PolicyCode::UnsupportedVersion,
            "/docket",
            format!("unsupported policy format version {other} (this build reads version {FORMAT_VERSION})"),
        ),
        None => d.error(
            PolicyCode::UnsupportedVersion,
            "/docket",
            format!("missing `docket` format version (this build reads version {FORMAT_VERSION})"),
        ),
    }
    let text = |key: &str, d: &mut Diags| -> String {
        match top.get(key) {
            Some(v) => json::string(v, &child("", key), d).unwrap_or_default().to_string(),
            None => String::new(),
        }
    };
    let name = text("name", d);
    let version = text("version", d);
    if top.get("name").is_none() {
        d.error(PolicyCode::MissingKey, "", "missing required key `name`");
    }
    Some((top, name, version))
}

/// Compiles every section, in the order their names resolve: fields and queues before
/// the tables that test and output them, roles and calendars before what names them.
fn compile(v: &Value, d: &mut Diags, limits: Limits) -> Option<Compiled> {
    let (top, name, version) = header(v, d)?;
    let (currency, fx) = fields::money(top, d);
    let mut cx = Compiler {
        d,
        limits,
        schema: Default::default(),
        rule_ids: Vec::new(),
        id_paths: Vec::new(),
        id_index: BTreeMap::new(),
        full: BTreeSet::new(),
        budget: Budget::new(&limits),
    };
    let (money_slots, kind_slot) = fields::fields(top, &mut cx)?;
    let (queues, queue_slot, priority_slot) = queues::queues(top, &mut cx);
    let queue_ix = name_index(queues.iter().map(|q| q.name.as_str()));
    // `None` over the metric limit: the SLA targets, which name metrics, are not compiled.
    let sla_metrics = sla::metrics(top, &mut cx);
    let metrics = sla_metrics.clone().unwrap_or_default();
    // How many values `kind` declares (tables may add symbols to a string `kind` later).
    let kind_declared = cx.schema.fields.get(kind_slot as usize).map_or(0, |f| f.syms.len());
    let (required_any, required) = fields::required(top, &mut cx, kind_slot, [queue_slot, priority_slot]);
    let invalid_queue = queues::invalid_queue(top, &queue_ix, cx.d);
    let roles = rights::roles(top, cx.d);
    let role_ix = name_index(roles.iter().map(|r| r.name.as_str()));
    let calendars = calendars::calendars(top, cx.d, &limits, &mut cx.budget);
    let report_tz = calendars::report_timezone(top, cx.d);
    // Rule id 0 names intake validation (an invalid case's outcome).
    let invalid_gid = 0u32;
    cx.rule_ids.push("invalid".to_string());
    cx.id_paths.push("(intake validation)".to_string());
    cx.id_index.insert("invalid".to_string(), invalid_gid);
    let routing = routing::table(top, &mut cx, &queue_ix, priority_slot);
    let role_index = |name: &str| role_ix.get(name).copied();
    let dependencies = sla::dependencies(top, cx.d);
    let mut sla = sla::sla(top, &mut cx, sla_metrics.as_deref(), &calendars, &role_index);
    let mut approvals = rights::approvals(top, &mut cx, &role_index);
    let fill = rights::fill(top, cx.d);
    let (requester_cannot_approve, distinct_approvers) = rights::separation(top, cx.d);
    let (actions, evidence_names) = rights::actions(top, &mut cx, &role_index, (kind_slot, kind_declared));
    let queue_index = |name: &str| queue_ix.get(name).copied();
    let controls = controls::controls(top, &mut cx, &queue_index, &role_index, &dependencies);
    let keys = fields::keys(&cx.schema, &metrics);
    let fingerprint = fingerprint(v);
    let mut routing = routing?;
    // Compile the tables' tests to masks (or index large `first` tables by kind, an enum
    // every case carries, within what is left of the memory budget) now that the
    // schema's symbols are final.
    let mut schema = cx.schema;
    schema.seal();
    let mut budget = cx.budget;
    budget.spend(routing.prepare(&schema, Some(kind_slot), budget.left()));
    if let Some(s) = sla.as_mut() {
        budget.spend(s.targets.prepare(&schema, Some(kind_slot), budget.left()));
    }
    if let Some(a) = approvals.as_mut() {
        budget.spend(a.prepare(&schema, Some(kind_slot), budget.left()));
    }
    if !cx.d.errors.is_empty() {
        return None;
    }
    let limit_order = rights::limit_order(&roles);
    let rank = rights::ranks(&roles);
    let approve = actions.iter().position(|a| a.name == "approve");
    let mut approver = alloc::vec![false; roles.len()];
    for &r in approve.and_then(|i| actions.get(i)).map_or(&[][..], |a| a.roles.as_slice()) {
        if let Some(x) = approver.get_mut(r as usize) {
            *x = true;
        }
    }
    // The linter reads the compiled tables (their tests by field slot, before routing's
    // masks are relocated to storage positions).
    let mut tables = alloc::vec![lint::TableView {
        path: "/routing",
        hit: routing.hit,
        one_decides: true,
        rules: routing.rules.iter().map(|r| (r.gid, r.conds.as_slice())).collect(),
        order: &routing.order,
    }];
    if let Some(s) = sla.as_ref() {
        tables.push(lint::TableView {
            path: "/sla/targets",
            hit: s.targets.hit,
            one_decides: false,
            rules: s.targets.rules.iter().map(|r| (r.gid, r.conds.as_slice())).collect(),
            order: &s.targets.order,
        });
    }
    if let Some(a) = approvals.as_ref() {
        tables.push(lint::TableView {
            path: "/approvals",
            hit: a.hit,
            one_decides: false,
            rules: a.rules.iter().map(|r| (r.gid, r.conds.as_slice())).collect(),
            order: &a.order,
        });
    }
    lint::Lint {
        schema: &schema,
        rule_ids: &cx.rule_ids,
        kind_slot,
        required_any: &required_any,
        required: &required,
        queues: &queues,
        invalid_queue,
        routing: &routing,
        tables,
        approvals: approvals.as_ref(),
        roles: &roles,
        limit_order: &limit_order,
        rank: &rank,
        fill,
        approve: approve.and_then(|i| actions.get(i)),
        approver: &approver,
    }
    .run(cx.d);
    let role_order = NameIndex::new(roles.len(), &|i| roles.get(i).map_or("", |r| r.name.as_str()));
    let evidence_order = NameIndex::new(evidence_names.len(), &|i| evidence_names.get(i).map_or("", String::as_str));
    let (store, route_head) = layout(&schema, queue_slot, &mut routing, sla.as_ref(), approvals.as_ref());
    Some(Compiled {
        name,
        version,
        fingerprint,
        input: Input {
            currency,
            fx,
            schema,
            keys,
            kind_slot,
            queue_slot,
            priority_slot,
            money_slots,
            required_any,
            required,
            store,
            route_head,
        },
        routing: Routing { queues, invalid_queue, invalid_gid, table: routing },
        clocks: Clocks { calendars, metrics, dependencies, sla, report_tz },
        rights: Rights {
            roles,
            role_order,
            limit_order,
            approvals,
            fill,
            rank,
            approve,
            approver,
            requester_cannot_approve,
            distinct_approvers,
            actions,
            evidence_names,
            evidence_order,
        },
        controls,
        rule_ids: cx.rule_ids,
    })
}

/// Each name's position in `names` (the first, when a name repeats), for compile-time
/// lookups in O(log n).
fn name_index<'a>(names: impl Iterator<Item = &'a str>) -> BTreeMap<&'a str, u32> {
    let mut ix = BTreeMap::new();
    for (i, n) in names.enumerate() {
        ix.entry(n).or_insert(i as u32);
    }
    ix
}

/// Where a case stores each field ([`Input::store`]), and whether routing reads only a
/// case's head; relocates the routing masks to read storage positions.
fn layout(
    schema: &crate::table::Schema,
    queue_slot: u16,
    routing: &mut crate::table::Table<RouteOut>,
    sla: Option<&Sla>,
    approvals: Option<&crate::table::Table<ApprovalOut>>,
) -> (Vec<u16>, bool) {
    let routing_slots = routing.rules_slots();
    let store = fields::storage_order(
        schema,
        queue_slot,
        &routing_slots,
        [sla.map(|s| s.targets.rules_slots()).as_ref(), approvals.map(|a| a.rules_slots()).as_ref()],
    );
    // Routing reads the declared fields only (the derived ones are not decided yet), so
    // its masks can address a case's values by storage position directly: one lookup
    // fewer per tested field. Derived fields get a position no case has (absent).
    let position = |slot: u16| {
        if slot < queue_slot { store.get(usize::from(slot)).copied().unwrap_or(u16::MAX) } else { u16::MAX }
    };
    // The routing fields take the first positions: if they fit in a case's head, routing
    // reads nothing else (a derived field's position reads as absent from the head too).
    let route_head = routing.masks.is_some()
        && routing_slots.iter().all(|&s| usize::from(position(s)) < HEAD || position(s) == u16::MAX);
    if let Some(m) = routing.masks.as_mut() {
        m.relocate(position);
    }
    (store, route_head)
}

/// SHA-256 (hex) of the canonical form: keys sorted, no whitespace.
fn fingerprint(v: &Value) -> String {
    use sha2::{Digest, Sha256};
    let mut s = String::new();
    canonical(v, &mut s);
    let digest = Sha256::digest(s.as_bytes());
    let mut out = String::with_capacity(7 + 64);
    out.push_str("sha256:");
    for b in digest {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        out.push(char::from(HEX.get(usize::from(b >> 4)).copied().unwrap_or(b'0')));
        out.push(char::from(HEX.get(usize::from(b & 15)).copied().unwrap_or(b'0')));
    }
    out
}

fn canonical(v: &Value, out: &mut String) {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            crate::sort::sort_by(&mut keys, |a, b| a.cmp(b));
            out.push('{');
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String((*k).clone()).to_string());
                out.push(':');
                if let Some(x) = m.get(*k) {
                    canonical(x, out);
                }
            }
            out.push('}');
        }
        Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                canonical(x, out);
            }
            out.push(']');
        }
        // Numbers by value: `1.0` and `1` are the same number (a JS host may send either).
        Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => out.push_str(&i.to_string()),
            (_, Some(u), _) => out.push_str(&u.to_string()),
            (_, _, Some(f)) if f.abs() < 9.0e15 && f == (f as i64) as f64 => out.push_str(&(f as i64).to_string()),
            _ => out.push_str(&n.to_string()),
        },
        other => out.push_str(&other.to_string()),
    }
}
