//! The compiled policy: [`Engine::compile`] validates a policy document, reports every
//! problem at once, and resolves every name so that evaluation compares no strings.

use crate::calendar::Calendar;
use crate::diag::{Diagnostic, Diags, PolicyCode, child, index};
use crate::json;
use crate::table::{Atom, Field, RankKeys, Schema, Table, TableCx};
use crate::time::parse_duration;
use crate::value::{FieldType, decimal_from_f64, parse_decimal};
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;
use rust_decimal::Decimal;
use serde_json::{Map, Value};

/// The policy format version this build reads.
pub const FORMAT_VERSION: u64 = 1;

/// Most fields a policy may declare: slots are 16-bit, with room left for the derived
/// `queue` and `priority` and for a position no case has.
pub const MAX_FIELDS: usize = 65_000;

/// Limits on hostile or accidental input. Every limit hit is a specific error, never
/// unbounded memory or time. Hosts may lower or raise them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest policy document in bytes.
    pub max_policy_bytes: usize,
    /// Largest string value kept from a case (ids, actors, string fields).
    pub max_string_len: usize,
    /// Largest `paused`, `approvals` or `evidence` list in a case.
    pub max_list_len: usize,
    /// Largest single case record in bytes (JSON entry points).
    pub max_case_bytes: usize,
    /// Most cases accepted by one call of a JSON entry point.
    pub max_cases_per_call: usize,
    /// Most rules in one decision table.
    pub max_rules_per_table: usize,
    /// Most windows in one weekday's or one override's list of a calendar.
    pub max_windows_per_day: usize,
    /// Most holidays, and most overrides, in one calendar.
    pub max_dates_per_calendar: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_policy_bytes: 4 << 20,
            max_string_len: 4096,
            max_list_len: 1000,
            max_case_bytes: 1 << 20,
            max_cases_per_call: 1_000_000,
            max_rules_per_table: 10_000,
            max_windows_per_day: 48,
            max_dates_per_calendar: 20_000,
        }
    }
}

/// A queue and its owning team.
#[derive(Clone, Debug)]
pub(crate) struct Queue {
    pub name: String,
    pub owner: String,
}

/// Routing outputs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RouteOut {
    pub queue: u32,
    pub priority: Option<u32>,
}

/// One metric's target under one SLA target rule, with thresholds precomputed in seconds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct MetricTarget {
    pub target: i64,
    /// Smallest elapsed that is a warning: ceil(warn_at × target).
    pub warn_from: i64,
    /// Escalation step k is passed when elapsed > floor(at_k × target).
    pub steps: Vec<i64>,
}

/// SLA target outputs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TargetOut {
    pub calendar: u32,
    pub metrics: Vec<Option<MetricTarget>>,
}

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

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BandClock {
    Calendar,
    Business,
}

#[derive(Clone, Debug)]
pub(crate) struct Band {
    pub name: String,
    pub under: Option<i64>,
}

#[derive(Clone, Debug)]
pub(crate) struct Escalation {
    pub at: Decimal,
    pub to: u32,
}

#[derive(Clone, Debug)]
pub(crate) struct Sla {
    pub warn_at: Decimal,
    pub escalation: Vec<Escalation>,
    pub band_clock: BandClock,
    pub bands: Vec<Band>,
    pub targets: Table<TargetOut>,
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

/// A backlog measure a control can test.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Measure {
    Open,
    Breached,
    Warning,
    Paused,
    Missed,
    Met,
    OldestAge,
    Attainment,
}

#[derive(Clone, Debug)]
pub(crate) struct Control {
    pub id: String,
    pub queues: Option<(Vec<u32>, bool)>,
    pub tests: Vec<(Measure, Vec<Atom<Decimal>>, bool)>,
    pub alert: String,
    pub to: Option<u32>,
}

/// What a case key means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Key {
    Id,
    OpenedAt,
    Completed(u16),
    Paused,
    RequestedBy,
    Approvals,
    Evidence,
    Currency,
    Field(u16),
}

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

/// A compiled, immutable policy. `Send + Sync`: share one engine across threads.
///
/// ```
/// let policy = include_str!("../../examples/order-ops.policy.json");
/// let engine = docket_core::Engine::compile(policy).unwrap();
/// assert_eq!(engine.name(), "acme-order-ops");
/// assert!(engine.warnings().is_empty());
/// ```
#[derive(Debug)]
pub struct Engine {
    pub(crate) name: String,
    pub(crate) version: String,
    pub(crate) fingerprint: String,
    pub(crate) currency: String,
    pub(crate) fx: Vec<(String, Decimal)>,
    pub(crate) schema: Schema,
    pub(crate) keys: Vec<(String, Key)>,
    pub(crate) kind_slot: u16,
    pub(crate) queue_slot: u16,
    pub(crate) priority_slot: u16,
    pub(crate) money_slots: Vec<u16>,
    pub(crate) queues: Vec<Queue>,
    pub(crate) required_any: Vec<u16>,
    pub(crate) required: Vec<Vec<u16>>,
    pub(crate) invalid_queue: Option<u32>,
    pub(crate) invalid_gid: u32,
    pub(crate) routing: Table<RouteOut>,
    pub(crate) calendars: Vec<(String, Calendar)>,
    pub(crate) metrics: Vec<String>,
    pub(crate) sla: Option<Sla>,
    pub(crate) roles: Vec<Role>,
    /// Where a case stores each field slot's value: the fields the routing table tests
    /// first, then those the other decision tables test, so that evaluating a case reads
    /// fewer cache lines of its values; the other declared fields after them; `queue` and
    /// `priority` last (their own slots).
    pub(crate) store: Vec<u16>,
    /// Whether routing (through masks) reads only the first [`crate::case::HEAD`]
    /// storage positions, which decoded cases then also keep in themselves.
    pub(crate) route_head: bool,
    /// Roles with a limit, by ascending limit (ties in declaration order), for `by_limit`.
    pub(crate) limit_order: Vec<(u32, crate::masks::DecBound)>,
    pub(crate) approvals: Option<Table<ApprovalOut>>,
    pub(crate) requester_cannot_approve: bool,
    pub(crate) distinct_approvers: bool,
    pub(crate) actions: Vec<Action>,
    pub(crate) evidence_names: Vec<String>,
    pub(crate) controls: Vec<Control>,
    pub(crate) rule_ids: Vec<String>,
    pub(crate) warnings: Vec<Diagnostic>,
    pub(crate) limits: Limits,
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
    "sla",
    "roles",
    "approvals",
    "separation",
    "actions",
    "controls",
];

/// Keys of a case with a fixed meaning; a field may not take these names.
const RESERVED: &[&str] =
    &["id", "opened_at", "paused", "requested_by", "approvals", "evidence", "currency", "queue", "priority", "owner"];

impl Engine {
    /// Compiles a policy from JSON text with default [`Limits`].
    pub fn compile(policy_json: &str) -> Result<Engine, CompileError> {
        Engine::compile_with_limits(policy_json, Limits::default())
    }

    /// Compiles a policy from JSON text with the given limits.
    pub fn compile_with_limits(policy_json: &str, limits: Limits) -> Result<Engine, CompileError> {
        let mut d = Diags::default();
        if policy_json.len() > limits.max_policy_bytes {
            d.error(
                PolicyCode::LimitExceeded,
                "",
                format!("the policy is {} bytes; the limit is {}", policy_json.len(), limits.max_policy_bytes),
            );
            return Err(CompileError { errors: d.errors, warnings: d.warnings });
        }
        match serde_json::from_str::<Value>(policy_json) {
            Ok(v) => Engine::compile_value_with_limits(&v, limits),
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

    /// Compiles a policy already parsed into a `serde_json::Value`.
    pub fn compile_value(policy: &Value) -> Result<Engine, CompileError> {
        Engine::compile_value_with_limits(policy, Limits::default())
    }

    /// Compiles a parsed policy with the given limits.
    pub fn compile_value_with_limits(policy: &Value, limits: Limits) -> Result<Engine, CompileError> {
        let mut d = Diags::default();
        let engine = compile(policy, &mut d, limits);
        match engine {
            Some(mut e) if d.errors.is_empty() => {
                e.warnings = d.warnings;
                Ok(e)
            }
            _ => Err(CompileError { errors: d.errors, warnings: d.warnings }),
        }
    }

    /// The policy's `name`.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The policy's `version` label.
    pub fn version(&self) -> &str {
        &self.version
    }
    /// SHA-256 of the policy's canonical form (`sha256:` + hex); key order and whitespace do not change it.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }
    /// Warnings found while compiling (e.g. `masked_rule`).
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }
    /// The limits in force.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }
    /// The SLA metric names, in policy order.
    pub fn metrics(&self) -> impl Iterator<Item = &str> {
        self.metrics.iter().map(String::as_str)
    }
    /// Queue names in policy order; outcome queue indexes refer to this order.
    pub fn queues(&self) -> impl Iterator<Item = &str> {
        self.queues.iter().map(|q| q.name.as_str())
    }
    /// Queue owners (teams), aligned with [`Engine::queues`].
    pub fn owners(&self) -> impl Iterator<Item = &str> {
        self.queues.iter().map(|q| q.owner.as_str())
    }
    /// Priority values routing can output; outcome priority indexes refer to this order.
    pub fn priorities(&self) -> &[String] {
        self.schema.fields.get(self.priority_slot as usize).map_or(&[], |f| f.syms.as_slice())
    }
    /// Ageing band names in policy order.
    pub fn bands(&self) -> impl Iterator<Item = &str> {
        self.sla.iter().flat_map(|s| s.bands.iter().map(|b| b.name.as_str()))
    }
    /// The declared fields (slot order): name and type.
    pub fn fields(&self) -> impl Iterator<Item = (&str, FieldType)> {
        self.schema.fields.iter().filter(|f| !f.derived).map(|f| (f.name.as_str(), f.ty))
    }

    pub(crate) fn key(&self, k: &str) -> Option<Key> {
        self.keys.binary_search_by(|(n, _)| n.as_str().cmp(k)).ok().and_then(|i| self.keys.get(i)).map(|(_, k)| *k)
    }
    pub(crate) fn fx_rate(&self, cur: &str) -> Option<Decimal> {
        if cur == self.currency {
            return Some(Decimal::ONE);
        }
        self.fx.iter().find(|(c, _)| c == cur).map(|(_, r)| *r)
    }
    pub(crate) fn required_for(&self, kind: Option<u32>) -> &[u16] {
        kind.and_then(|k| self.required.get(k as usize)).map_or(&[], Vec::as_slice)
    }
    pub(crate) fn role_index(&self, r: &str) -> Option<u32> {
        self.roles.iter().position(|x| x.name == r).map(|i| i as u32)
    }
    pub(crate) fn evidence_sym(&self, s: &str) -> Option<u32> {
        self.evidence_names.iter().position(|x| x == s).map(|i| i as u32)
    }
    pub(crate) fn rule_id(&self, gid: u32) -> &str {
        self.rule_ids.get(gid as usize).map_or("", String::as_str)
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

fn compile(v: &Value, d: &mut Diags, limits: Limits) -> Option<Engine> {
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
    let mut currency = text("currency", d);
    if top.get("currency").is_none() {
        currency = "EUR".into();
        d.error(PolicyCode::MissingKey, "", "missing required key `currency` (the policy currency, e.g. \"EUR\")");
    }
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

    // Fields.
    let mut schema = Schema::default();
    let mut money_slots = Vec::new();
    if let Some(fm) = json::required(top, "fields", "", d).and_then(|f| json::map(f, "/fields", d)) {
        if fm.len() > MAX_FIELDS {
            d.error(
                PolicyCode::LimitExceeded,
                "/fields",
                format!("{} fields exceed the limit of {MAX_FIELDS} (fields are numbered in 16 bits)", fm.len()),
            );
            return None;
        }
        for (fname, spec) in fm {
            let p = child("/fields", fname);
            if RESERVED.contains(&fname.as_str()) || fname.ends_with("_at") && is_metric_name(top, fname) {
                d.error(
                    PolicyCode::BadValue,
                    &p,
                    format!("`{fname}` is a standard case key and cannot be declared as a field"),
                );
                continue;
            }
            let Some(sm) = json::object(spec, &p, &["type", "values", "description"], d) else { continue };
            let tp = child(&p, "type");
            let Some(ty) = json::required(sm, "type", &p, d).and_then(|t| json::string(t, &tp, d)) else { continue };
            let Some(ty) = FieldType::parse(ty) else {
                d.error(
                    PolicyCode::BadValue,
                    &tp,
                    format!(
                        "unknown field type `{ty}` (expected enum, string, integer, number, money, bool or timestamp)"
                    ),
                );
                continue;
            };
            let mut syms = Vec::new();
            match (ty, sm.get("values")) {
                (FieldType::Enum, Some(vals)) => {
                    let vp = child(&p, "values");
                    if let Some(a) = json::array(vals, &vp, d) {
                        for (i, x) in a.iter().enumerate() {
                            if let Some(s) = json::string(x, &index(&vp, i), d) {
                                if syms.iter().any(|y: &String| y == s) {
                                    d.error(
                                        PolicyCode::BadValue,
                                        &index(&vp, i),
                                        format!("enum value `{s}` is listed twice"),
                                    );
                                }
                                syms.push(s.to_string());
                            }
                        }
                        if a.is_empty() {
                            d.error(PolicyCode::BadValue, &vp, "an enum needs at least one value");
                        }
                    }
                }
                (FieldType::Enum, None) => d.error(PolicyCode::MissingKey, &p, "an enum field needs `values`"),
                (_, Some(_)) => {
                    d.error(PolicyCode::UnknownKey, &child(&p, "values"), "`values` applies only to enum fields")
                }
                _ => {}
            }
            if ty == FieldType::Money {
                money_slots.push(schema.fields.len() as u16);
            }
            schema.fields.push(Field { name: fname.clone(), ty, syms, derived: false });
        }
    }
    let kind_slot = match schema.slot("kind") {
        Some(s) => {
            if !matches!(schema.fields.get(s as usize).map(|f| f.ty), Some(FieldType::Enum | FieldType::String)) {
                d.error(PolicyCode::BadValue, "/fields/kind/type", "`kind` must be an enum (or string) field");
            }
            s
        }
        None => {
            schema.fields.push(Field { name: "kind".into(), ty: FieldType::String, syms: Vec::new(), derived: false });
            (schema.fields.len() - 1) as u16
        }
    };

    // Queues.
    let mut queues = Vec::new();
    if let Some(qm) = json::required(top, "queues", "", d).and_then(|q| json::map(q, "/queues", d)) {
        for (qname, spec) in qm {
            let p = child("/queues", qname);
            let owner = json::object(spec, &p, &["owner", "description"], d)
                .and_then(|m| json::required(m, "owner", &p, d))
                .and_then(|o| json::string(o, &child(&p, "owner"), d))
                .unwrap_or_default();
            queues.push(Queue { name: qname.clone(), owner: owner.to_string() });
        }
    }
    let queue_slot = schema.fields.len() as u16;
    schema.fields.push(Field {
        name: "queue".into(),
        ty: FieldType::Enum,
        syms: queues.iter().map(|q| q.name.clone()).collect(),
        derived: true,
    });
    let priority_slot = schema.fields.len() as u16;
    schema.fields.push(Field { name: "priority".into(), ty: FieldType::String, syms: Vec::new(), derived: true });
    let queue_index = |name: &str| queues.iter().position(|q| q.name == name).map(|i| i as u32);

    // Metrics (needed for case keys and target outputs).
    let mut metrics: Vec<String> = Vec::new();
    let sla_v = top.get("sla");
    if let Some(ms) = sla_v.and_then(Value::as_object).and_then(|m| m.get("metrics"))
        && let Some(a) = json::array(ms, "/sla/metrics", d)
    {
        for (i, x) in a.iter().enumerate() {
            let p = index("/sla/metrics", i);
            if let Some(s) = json::string(x, &p, d) {
                if s.is_empty() || metrics.iter().any(|m| m == s) || schema.slot(&format!("{s}_at")).is_some() {
                    d.error(
                        PolicyCode::BadValue,
                        &p,
                        format!("metric `{s}` is empty, repeated, or clashes with a field named `{s}_at`"),
                    );
                }
                metrics.push(s.to_string());
            }
        }
    }

    // Required.
    let kind_values: Vec<String> = schema.fields.get(kind_slot as usize).map(|f| f.syms.clone()).unwrap_or_default();
    let mut required_any = Vec::new();
    let mut required = vec![Vec::new(); kind_values.len()];
    if let Some(rm) = top.get("required").and_then(|r| json::map(r, "/required", d)) {
        for (k, list) in rm {
            let p = child("/required", k);
            let target = if k == "*" {
                Some(&mut required_any)
            } else {
                match kind_values.iter().position(|x| x == k) {
                    Some(i) => required.get_mut(i),
                    None => {
                        d.error(PolicyCode::NotInEnum, &p, format!("`{k}` is not a value of `kind`"));
                        None
                    }
                }
            };
            let Some(a) = json::array(list, &p, d) else { continue };
            let mut slots = Vec::new();
            for (i, f) in a.iter().enumerate() {
                let fp = index(&p, i);
                if let Some(fname) = json::string(f, &fp, d) {
                    match schema.slot(fname).filter(|&s| s != queue_slot && s != priority_slot) {
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
    let invalid_queue = top.get("invalid_queue").and_then(|q| json::string(q, "/invalid_queue", d)).and_then(|q| {
        let i = queue_index(q);
        if i.is_none() {
            d.error(PolicyCode::UnknownQueue, "/invalid_queue", format!("`{q}` is not a declared queue"));
        }
        i
    });

    // Roles.
    let mut roles = Vec::new();
    if let Some(rm) = top.get("roles").and_then(|r| json::map(r, "/roles", d)) {
        for (rname, spec) in rm {
            let p = child("/roles", rname);
            let limit =
                json::object(spec, &p, &["limit", "description"], d).and_then(|m| m.get("limit")).and_then(|l| {
                    let lp = child(&p, "limit");
                    let v = match l {
                        Value::String(s) => parse_decimal(s),
                        Value::Number(n) => {
                            n.as_i64().map(Decimal::from).or_else(|| n.as_f64().and_then(decimal_from_f64))
                        }
                        _ => None,
                    };
                    if v.is_none() {
                        d.error(
                            PolicyCode::BadDecimal,
                            &lp,
                            "a role limit must be a decimal amount in the policy currency, e.g. \"250\"",
                        );
                    }
                    v
                });
            roles.push(Role { name: rname.clone(), limit });
        }
    }
    let role_index = |name: &str| roles.iter().position(|r| r.name == name).map(|i| i as u32);

    // Calendars.
    let mut calendars: Vec<(String, Calendar)> = Vec::new();
    if let Some(cm) = top.get("calendars").and_then(|c| json::map(c, "/calendars", d)) {
        for (cname, spec) in cm {
            if let Some(c) = Calendar::compile_with_limits(spec, &child("/calendars", cname), d, &limits) {
                calendars.push((cname.clone(), c));
            }
        }
    }
    let calendar_declared =
        |name: &str| top.get("calendars").and_then(Value::as_object).is_some_and(|m| m.contains_key(name));

    let mut rule_ids = Vec::new();
    let mut id_paths = Vec::new();
    let invalid_gid = 0u32;
    rule_ids.push("invalid".to_string());
    id_paths.push("(intake validation)".to_string());

    // Routing.
    let routing = {
        let mut cx = TableCx {
            schema: &mut schema,
            ids: &mut rule_ids,
            id_paths: &mut id_paths,
            d,
            max_rules: limits.max_rules_per_table,
        };
        match top.get("routing") {
            None => {
                cx.d.error(PolicyCode::MissingKey, "", "missing required key `routing`");
                None
            }
            Some(r) => cx.table(r, "/routing", "routing", false, |cx, then, p| {
                let m = json::object(then, p, &["queue", "priority"], cx.d)?;
                let q = json::required(m, "queue", p, cx.d).and_then(|q| json::string(q, &child(p, "queue"), cx.d))?;
                let Some(queue) = queue_index(q) else {
                    cx.d.error(PolicyCode::UnknownQueue, &child(p, "queue"), format!("`{q}` is not a declared queue"));
                    return None;
                };
                let mut keys: RankKeys = vec![("queue".into(), q.to_string())];
                let priority = match m.get("priority") {
                    None | Some(Value::Null) => None,
                    Some(pv) => {
                        let s = json::string(pv, &child(p, "priority"), cx.d)?;
                        keys.push(("priority".into(), s.to_string()));
                        let f = cx.schema.fields.get_mut(priority_slot as usize)?;
                        Some(match f.sym(s) {
                            Some(i) => i,
                            None => {
                                f.syms.push(s.to_string());
                                (f.syms.len() - 1) as u32
                            }
                        })
                    }
                };
                Some((RouteOut { queue, priority }, keys))
            }),
        }
    };

    // SLA.
    let mut sla = sla_v.and_then(|s| {
        let m = json::object(s, "/sla", &["metrics", "warn_at", "escalation", "bands", "targets"], d)?;
        let ratio = |v: &Value, p: &str, d: &mut Diags| -> Option<Decimal> {
            let r = match v {
                Value::Number(n) => n.as_i64().map(Decimal::from).or_else(|| n.as_f64().and_then(decimal_from_f64)),
                Value::String(s) => parse_decimal(s),
                _ => None,
            };
            match r {
                Some(r) if r >= Decimal::ZERO && r <= Decimal::from(1000) => Some(r),
                _ => {
                    d.error(PolicyCode::BadValue, p, "expected a non-negative share of the target, e.g. 0.75");
                    None
                }
            }
        };
        let warn_at = match m.get("warn_at") {
            Some(w) => ratio(w, "/sla/warn_at", d).unwrap_or(Decimal::ONE),
            None => Decimal::ONE,
        };
        let mut escalation: Vec<Escalation> = Vec::new();
        if let Some(a) = m.get("escalation").and_then(|e| json::array(e, "/sla/escalation", d)) {
            for (i, step) in a.iter().enumerate() {
                let p = index("/sla/escalation", i);
                let Some(sm) = json::object(step, &p, &["at", "to"], d) else { continue };
                let at = json::required(sm, "at", &p, d).and_then(|a| ratio(a, &child(&p, "at"), d));
                let to =
                    json::required(sm, "to", &p, d).and_then(|t| json::string(t, &child(&p, "to"), d)).and_then(|t| {
                        let r = role_index(t);
                        if r.is_none() {
                            d.error(PolicyCode::UnknownRole, &child(&p, "to"), format!("`{t}` is not a declared role"));
                        }
                        r
                    });
                if let (Some(at), Some(to)) = (at, to) {
                    if escalation.last().is_some_and(|l| l.at >= at) {
                        d.error(PolicyCode::BadValue, &child(&p, "at"), "escalation steps must have increasing `at`");
                    }
                    escalation.push(Escalation { at, to });
                }
            }
        }
        let mut band_clock = BandClock::Calendar;
        let mut bands = Vec::new();
        if let Some(bm) = m.get("bands").and_then(|b| json::object(b, "/sla/bands", &["clock", "limits"], d)) {
            if let Some(c) = bm.get("clock").and_then(|c| json::string(c, "/sla/bands/clock", d)) {
                band_clock = match c {
                    "calendar" => BandClock::Calendar,
                    "business" => BandClock::Business,
                    other => {
                        d.error(
                            PolicyCode::BadValue,
                            "/sla/bands/clock",
                            format!("unknown band clock `{other}` (expected calendar or business)"),
                        );
                        BandClock::Calendar
                    }
                };
            }
            if let Some(a) =
                json::required(bm, "limits", "/sla/bands", d).and_then(|l| json::array(l, "/sla/bands/limits", d))
            {
                for (i, b) in a.iter().enumerate() {
                    let p = index("/sla/bands/limits", i);
                    let Some(bm) = json::object(b, &p, &["name", "under"], d) else { continue };
                    let name = json::required(bm, "name", &p, d)
                        .and_then(|n| json::string(n, &child(&p, "name"), d))
                        .unwrap_or_default();
                    let under = bm.get("under").and_then(|u| {
                        let up = child(&p, "under");
                        let s = json::string(u, &up, d)?;
                        let v = parse_duration(s);
                        if v.is_none() {
                            d.error(
                                PolicyCode::BadDuration,
                                &up,
                                format!("cannot parse duration `{s}` (e.g. 90m, 4h, 2h30m)"),
                            );
                        }
                        v
                    });
                    let last = i + 1 == a.len();
                    if under.is_none() && !last && bm.get("under").is_none() {
                        d.error(PolicyCode::BadValue, &p, "only the last band may omit `under`");
                    }
                    if last && bm.get("under").is_some() {
                        d.error(
                            PolicyCode::BadValue,
                            &child(&p, "under"),
                            "the last band has no `under` (it takes every older case)",
                        );
                    }
                    if let (Some(u), Some(prev)) = (under, bands.last().and_then(|b: &Band| b.under))
                        && u <= prev
                    {
                        d.error(PolicyCode::BadValue, &child(&p, "under"), "band limits must increase");
                    }
                    bands.push(Band { name: name.to_string(), under });
                }
            }
        }
        let targets = {
            let mut cx = TableCx {
                schema: &mut schema,
                ids: &mut rule_ids,
                id_paths: &mut id_paths,
                d,
                max_rules: limits.max_rules_per_table,
            };
            let t = json::required(m, "targets", "/sla", cx.d)?;
            cx.table(t, "/sla/targets", "targets", true, |cx, then, p| {
                let tm = json::map(then, p, cx.d)?;
                let mut keys = RankKeys::new();
                let mut calendar = None;
                let mut out = vec![None; metrics.len()];
                for (k, v) in tm {
                    let kp = child(p, k);
                    if k == "calendar" {
                        let c = json::string(v, &kp, cx.d)?;
                        keys.push(("calendar".into(), c.to_string()));
                        calendar = calendars.iter().position(|(n, _)| n == c).map(|i| i as u32);
                        if calendar.is_none() && !calendar_declared(c) {
                            cx.d.error(PolicyCode::UnknownCalendar, &kp, format!("`{c}` is not a declared calendar"));
                        }
                    } else if let Some(mi) = metrics.iter().position(|x| x == k) {
                        let s = json::string(v, &kp, cx.d)?;
                        keys.push((k.clone(), s.to_string()));
                        match parse_duration(s) {
                            Some(t) => {
                                if let Some(o) = out.get_mut(mi) {
                                    *o = Some(t);
                                }
                            }
                            None => cx.d.error(
                                PolicyCode::BadDuration,
                                &kp,
                                format!("cannot parse duration `{s}` (e.g. 90m, 4h, 2h30m)"),
                            ),
                        }
                    } else {
                        cx.d.error(
                            PolicyCode::UnknownMetric,
                            &kp,
                            format!("`{k}` is neither `calendar` nor a metric of `sla.metrics`"),
                        );
                    }
                }
                if tm.get("calendar").is_none() {
                    cx.d.error(PolicyCode::MissingKey, p, "missing required key `calendar`");
                }
                let calendar = calendar?;
                let metrics_out = out.into_iter().map(|t| t.map(|t| thresholds(t, warn_at, &escalation))).collect();
                Some((TargetOut { calendar, metrics: metrics_out }, keys))
            })?
        };
        Some(Sla { warn_at, escalation, band_clock, bands, targets })
    });
    if sla_v.is_some() && sla.is_none() && d.errors.is_empty() {
        d.error(PolicyCode::BadValue, "/sla", "the sla section could not be compiled");
    }

    // Approvals.
    let mut approvals = top.get("approvals").and_then(|a| {
        let mut cx = TableCx {
            schema: &mut schema,
            ids: &mut rule_ids,
            id_paths: &mut id_paths,
            d,
            max_rules: limits.max_rules_per_table,
        };
        cx.table(a, "/approvals", "approvals", false, |cx, then, p| {
            let m = json::object(then, p, &["role", "limit_field"], cx.d)?;
            let r = json::required(m, "role", p, cx.d).and_then(|r| json::string(r, &child(p, "role"), cx.d))?;
            let keys = vec![("role".to_string(), r.to_string())];
            if r == "by_limit" {
                let lp = child(p, "limit_field");
                let f = json::required(m, "limit_field", p, cx.d).and_then(|f| json::string(f, &lp, cx.d))?;
                match cx.schema.slot(f).filter(|&s| {
                    matches!(
                        cx.schema.fields.get(s as usize).map(|x| x.ty),
                        Some(FieldType::Money | FieldType::Integer)
                    )
                }) {
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
    });

    // Separation.
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

    // Actions.
    let mut actions = Vec::new();
    let mut evidence_names: Vec<String> = Vec::new();
    if let Some(am) = top.get("actions").and_then(|a| json::map(a, "/actions", d)) {
        for (aname, spec) in am {
            let p = child("/actions", aname);
            let Some(m) = json::object(
                spec,
                &p,
                &["roles", "within_limit", "not_requester", "not_prior_approver", "evidence", "description"],
                d,
            ) else {
                continue;
            };
            let mut aroles = Vec::new();
            if let Some(a) = json::required(m, "roles", &p, d).and_then(|r| json::array(r, &child(&p, "roles"), d)) {
                for (i, r) in a.iter().enumerate() {
                    let rp = index(&child(&p, "roles"), i);
                    if let Some(r) = json::string(r, &rp, d) {
                        match role_index(r) {
                            Some(x) => aroles.push(x),
                            None => d.error(PolicyCode::UnknownRole, &rp, format!("`{r}` is not a declared role")),
                        }
                    }
                }
            }
            let within_limit = m.get("within_limit").and_then(|f| {
                let fp = child(&p, "within_limit");
                let f = json::string(f, &fp, d)?;
                let s = schema.slot(f).filter(|&s| {
                    matches!(schema.fields.get(s as usize).map(|x| x.ty), Some(FieldType::Money | FieldType::Integer))
                });
                if s.is_none() {
                    d.error(PolicyCode::UnknownField, &fp, format!("`{f}` is not a declared money or integer field"));
                }
                s
            });
            let flag =
                |k: &str, d: &mut Diags| m.get(k).and_then(|b| json::boolean(b, &child(&p, k), d)).unwrap_or(false);
            let not_requester = flag("not_requester", d);
            let not_prior_approver = flag("not_prior_approver", d);
            let mut evidence = Vec::new();
            if let Some(em) = m.get("evidence").and_then(|e| json::map(e, &child(&p, "evidence"), d)) {
                for (k, items) in em {
                    let kp = child(&child(&p, "evidence"), k);
                    let Some(ki) = kind_values.iter().position(|x| x == k) else {
                        d.error(PolicyCode::NotInEnum, &kp, format!("`{k}` is not a value of `kind`"));
                        continue;
                    };
                    let Some(a) = json::array(items, &kp, d) else { continue };
                    let mut syms = Vec::new();
                    for (i, it) in a.iter().enumerate() {
                        if let Some(s) = json::string(it, &index(&kp, i), d) {
                            let si = match evidence_names.iter().position(|x| x == s) {
                                Some(si) => si,
                                None => {
                                    evidence_names.push(s.to_string());
                                    evidence_names.len() - 1
                                }
                            };
                            syms.push(si as u32);
                        }
                    }
                    evidence.push((ki as u32, syms));
                }
            }
            actions.push(Action {
                name: aname.clone(),
                roles: aroles,
                within_limit,
                not_requester,
                not_prior_approver,
                evidence,
            });
        }
    }

    // Controls.
    let mut controls = Vec::new();
    if let Some(a) = top.get("controls").and_then(|c| json::array(c, "/controls", d)) {
        for (i, c) in a.iter().enumerate() {
            let p = index("/controls", i);
            let Some(m) = json::object(c, &p, &["id", "when", "then", "description"], d) else { continue };
            let id =
                json::required(m, "id", &p, d).and_then(|x| json::string(x, &child(&p, "id"), d)).unwrap_or_default();
            if !id.is_empty() {
                let mut cx = TableCx {
                    schema: &mut schema,
                    ids: &mut rule_ids,
                    id_paths: &mut id_paths,
                    d,
                    max_rules: limits.max_rules_per_table,
                };
                cx.add_id(id, &child(&p, "id"));
            }
            let mut queues_test = None;
            let mut tests = Vec::new();
            if let Some(wm) = m.get("when").and_then(|w| json::map(w, &child(&p, "when"), d)) {
                for (k, t) in wm {
                    let tp = child(&child(&p, "when"), k);
                    if k == "queue" {
                        let (inner, negate) = match t {
                            Value::Object(o) if o.len() == 1 && o.contains_key("not") => {
                                (o.get("not").unwrap_or(&Value::Null), true)
                            }
                            t => (t, false),
                        };
                        let names: Vec<&Value> = match inner {
                            Value::Array(a) => a.iter().collect(),
                            one => vec![one],
                        };
                        let mut qs = Vec::new();
                        for n in names {
                            match n.as_str().and_then(queue_index) {
                                Some(q) => qs.push(q),
                                None => d.error(PolicyCode::UnknownQueue, &tp, format!("{n} is not a declared queue")),
                            }
                        }
                        queues_test = Some((qs, negate));
                        continue;
                    }
                    let measure = match k.as_str() {
                        "open" => Measure::Open,
                        "breached" => Measure::Breached,
                        "warning" => Measure::Warning,
                        "paused" => Measure::Paused,
                        "missed" => Measure::Missed,
                        "met" => Measure::Met,
                        "oldest_age" => Measure::OldestAge,
                        "attainment" => Measure::Attainment,
                        other => {
                            d.error(PolicyCode::UnknownField, &tp, format!("`{other}` is not a backlog measure (open, breached, warning, paused, missed, met, oldest_age, attainment) or `queue`"));
                            continue;
                        }
                    };
                    if let Some((atoms, negate)) = measure_test(t, measure, &tp, d) {
                        tests.push((measure, atoms, negate));
                    }
                }
            }
            let mut alert = String::new();
            let mut to = None;
            if let Some(tm) =
                json::required(m, "then", &p, d).and_then(|t| json::object(t, &child(&p, "then"), &["alert", "to"], d))
            {
                alert = json::required(tm, "alert", &child(&p, "then"), d)
                    .and_then(|a| json::string(a, &child(&p, "then/alert"), d))
                    .unwrap_or_default()
                    .to_string();
                to = tm.get("to").and_then(|t| json::string(t, &child(&p, "then/to"), d)).and_then(|t| {
                    let r = role_index(t);
                    if r.is_none() {
                        d.error(
                            PolicyCode::UnknownRole,
                            &format!("{p}/then/to"),
                            format!("`{t}` is not a declared role"),
                        );
                    }
                    r
                });
            }
            controls.push(Control { id: id.to_string(), queues: queues_test, tests, alert, to });
        }
    }

    // Case keys, sorted for binary search.
    let mut keys: Vec<(String, Key)> = vec![
        ("id".into(), Key::Id),
        ("opened_at".into(), Key::OpenedAt),
        ("paused".into(), Key::Paused),
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
    keys.sort_by(|a, b| a.0.cmp(&b.0));
    keys.dedup_by(|a, b| a.0 == b.0);

    let fingerprint = fingerprint(v);
    let mut routing = routing?;
    // Compile the tables' tests to masks (or index large `first` tables by kind, an enum
    // every case carries) now that the schema's symbols are final.
    routing.prepare(&schema, Some(kind_slot));
    if let Some(s) = sla.as_mut() {
        s.targets.prepare(&schema, Some(kind_slot));
    }
    if let Some(a) = approvals.as_mut() {
        a.prepare(&schema, Some(kind_slot));
    }
    if !d.errors.is_empty() {
        return None;
    }
    let mut limited: Vec<(u32, Decimal)> =
        roles.iter().enumerate().filter_map(|(i, r)| Some((i as u32, r.limit?))).collect();
    // Stable: equal limits keep declaration order.
    limited.sort_by_key(|&(_, l)| l);
    let limit_order = limited.into_iter().map(|(i, l)| (i, crate::masks::DecBound::new(l))).collect();
    let routing_slots = routing.rules_slots();
    let store = storage_order(
        &schema,
        queue_slot,
        &routing_slots,
        [sla.as_ref().map(|s| s.targets.rules_slots()).as_ref(), approvals.as_ref().map(|a| a.rules_slots()).as_ref()],
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
        && routing_slots.iter().all(|&s| usize::from(position(s)) < crate::case::HEAD || position(s) == u16::MAX);
    if let Some(m) = routing.masks.as_mut() {
        m.relocate(position);
    }
    Some(Engine {
        name,
        version,
        fingerprint,
        currency,
        fx,
        schema,
        keys,
        kind_slot,
        queue_slot,
        priority_slot,
        money_slots,
        queues,
        required_any,
        required,
        invalid_queue,
        invalid_gid,
        routing,
        calendars,
        metrics,
        sla,
        roles,
        store,
        route_head,
        limit_order,
        approvals,
        requester_cannot_approve,
        distinct_approvers,
        actions,
        evidence_names,
        controls,
        rule_ids,
        warnings: Vec::new(),
        limits,
    })
}

/// Storage positions of the field slots (see `Engine::store`): the declared fields that
/// `first` names, then those `tested` names, each in slot order, then the other declared
/// fields, then the derived ones (from `first_derived` on) at their own slots.
fn storage_order(schema: &Schema, first_derived: u16, first: &[u16], tested: [Option<&Vec<u16>>; 2]) -> Vec<u16> {
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

fn is_metric_name(top: &Map<String, Value>, field: &str) -> bool {
    let Some(m) = field.strip_suffix("_at") else { return false };
    top.get("sla")
        .and_then(|s| s.get("metrics"))
        .and_then(Value::as_array)
        .is_some_and(|a| a.iter().any(|x| x.as_str() == Some(m)))
}

/// Thresholds of a summed target (collect + sum).
pub(crate) fn thresholds_for(target: i64, sla: &Sla) -> MetricTarget {
    thresholds(target, sla.warn_at, &sla.escalation)
}

/// Precomputes warning and escalation thresholds in whole seconds.
fn thresholds(target: i64, warn_at: Decimal, escalation: &[Escalation]) -> MetricTarget {
    let t = Decimal::from(target);
    let to_i64 = |x: Decimal| -> i64 { i64::try_from(x).unwrap_or(i64::MAX) };
    MetricTarget {
        target,
        warn_from: to_i64((warn_at * t).ceil()),
        steps: escalation.iter().map(|e| to_i64((e.at * t).floor())).collect(),
    }
}

fn measure_test(t: &Value, m: Measure, path: &str, d: &mut Diags) -> Option<(Vec<Atom<Decimal>>, bool)> {
    let (t, negate) = match t {
        Value::Object(o) if o.len() == 1 && o.contains_key("not") => (o.get("not").unwrap_or(&Value::Null), true),
        t => (t, false),
    };
    // The same test forms as decision tables; `oldest_age` bounds are durations.
    let atoms = if m == Measure::OldestAge {
        crate::table::atoms(t, path, d, |v| match v {
            Value::String(s) => parse_duration(s.trim()).map(Decimal::from),
            _ => None,
        })
    } else {
        crate::table::atoms(t, path, d, crate::table::parse_dec_bound)
    };
    atoms.map(|a| (a, negate))
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
            keys.sort();
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::Field;

    #[test]
    fn storage_order_puts_routing_then_tested_fields_first_in_slot_order() {
        // Slots 0..6 declared, 6 and 7 derived (queue, priority). Routing tests 4 (twice),
        // another table tests 2 and 6 (a derived slot stays at its own place), a third 4
        // and 5 (routing's place wins for 4).
        let mut schema = Schema::default();
        for i in 0..8 {
            schema.fields.push(Field {
                name: format!("f{i}"),
                ty: FieldType::Integer,
                syms: Vec::new(),
                derived: i >= 6,
            });
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
        let e = Engine::compile(include_str!("../../examples/order-ops.policy.json")).unwrap();
        assert!(e.route_head);
        let mut routed: Vec<u16> = e.routing.rules_slots().iter().map(|&s| e.at(s) as u16).collect();
        routed.sort_unstable();
        routed.dedup();
        assert_eq!(routed, [0, 1, 2, 3, 4, 5, 6]);
    }
}
