//! A serde model of the policy format, used to generate its JSON Schema
//! (`docs/policy.schema.json`) so that editors validate policies as people type.
//! The compiler itself walks the JSON with paths (to report every problem at once);
//! a test keeps the two in agreement on the bundled example and the committed schema.

#![allow(missing_docs, dead_code, unused_imports)]

use alloc::collections::BTreeMap;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use schemars::JsonSchema;
use serde::Deserialize;

/// A Docket policy (format version 1).
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "Docket policy", extend("$id" = "https://docket.dev/schema/policy-v1.json"))]
pub struct Policy {
    /// The format's major version: 1.
    #[schemars(range(min = 1, max = 1))]
    pub docket: u32,
    /// The policy's own name; appears in every outcome.
    pub name: String,
    /// The policy's own version label; appears in every outcome.
    pub version: Option<String>,
    pub description: Option<String>,
    /// The policy currency (ISO 4217 code); money compares in it.
    pub currency: String,
    /// Exchange rates: policy-currency units per 1 unit of each foreign currency.
    pub fx: Option<BTreeMap<String, Decimal>>,
    /// The case schema. `kind` is always a field (the case's exception category).
    pub fields: BTreeMap<String, FieldDef>,
    /// Every queue a table can output, with its owning team.
    pub queues: BTreeMap<String, QueueDef>,
    /// Required fields per `kind` value, or `*` for every case.
    pub required: Option<BTreeMap<String, Vec<String>>>,
    /// Queue for cases that fail intake validation.
    pub invalid_queue: Option<String>,
    /// The routing decision table: outputs `queue` and `priority`.
    pub routing: Table<RoutingThen>,
    /// Business calendars by name.
    pub calendars: Option<BTreeMap<String, CalendarDef>>,
    /// The dependencies a case may wait on (`waiting`, a pause's `reason`): unique names,
    /// not `own`, at most 32.
    #[schemars(length(max = 32))]
    pub dependencies: Option<Vec<String>>,
    /// SLA metrics, thresholds, bands and the targets table.
    pub sla: Option<Sla>,
    /// Report settings.
    pub report: Option<ReportDef>,
    /// Roles with optional approval limits (in the policy currency).
    pub roles: Option<BTreeMap<String, RoleDef>>,
    /// The approvals decision table: each matching rule adds one step; `fill` says who
    /// may fill a step.
    pub approvals: Option<ApprovalTable>,
    /// Segregation of duties.
    pub separation: Option<Separation>,
    /// Actions that `authorize` decides.
    pub actions: Option<BTreeMap<String, ActionDef>>,
    /// Backlog controls evaluated per queue over a batch report.
    pub controls: Option<Vec<Control>>,
}

/// The `report` section.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportDef {
    /// The IANA time zone of a report's flow buckets (`--bucket day|week`); default UTC.
    pub timezone: Option<String>,
}

/// A decimal: a string such as "0.92" (exact) or a JSON number.
#[derive(Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Decimal {
    Text(#[schemars(regex(pattern = r"^[+-]?[0-9]+(\.[0-9]+)?$"))] String),
    Number(f64),
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum FieldType {
    Enum,
    String,
    Integer,
    Number,
    Money,
    Bool,
    Timestamp,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FieldDef {
    #[serde(rename = "type")]
    pub ty: FieldType,
    /// The allowed values of an `enum` field.
    pub values: Option<Vec<String>>,
    pub description: Option<String>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct QueueDef {
    pub owner: String,
    pub description: Option<String>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Hit {
    Unique,
    Any,
    Priority,
    First,
    RuleOrder,
    OutputOrder,
    Collect,
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Aggregate {
    Sum,
    Min,
    Max,
    Count,
}

/// A DMN-style decision table.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Table<T> {
    /// Hit policy; `unique` when absent.
    pub hit: Option<Hit>,
    /// With `collect`: aggregate a single numeric output.
    pub aggregate: Option<Aggregate>,
    /// Rank order of output values per output column (for `priority`, `output_order`).
    pub outputs: Option<BTreeMap<String, Vec<String>>>,
    pub rules: Vec<Rule<T>>,
    /// Output when no rule matches.
    pub default: Option<T>,
}

/// The approvals table: a decision table whose outputs are roles, and who fills a step.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApprovalTable {
    /// Who may fill a step: its own role (`same_role`, the default), or also a role that
    /// ranks above it (`same_or_higher`: a higher `limit`; a role without a limit ranks
    /// above every limited one). An approval fills the first open step, in rule order,
    /// that its role may fill.
    pub fill: Option<Fill>,
    /// Hit policy; `unique` when absent.
    pub hit: Option<Hit>,
    /// With `collect`: aggregate a single numeric output.
    pub aggregate: Option<Aggregate>,
    /// Rank order of output values per output column (for `priority`, `output_order`).
    pub outputs: Option<BTreeMap<String, Vec<String>>>,
    pub rules: Vec<Rule<ApprovalThen>>,
    /// Output when no rule matches.
    pub default: Option<ApprovalThen>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Fill {
    SameRole,
    SameOrHigher,
}

/// What an action can require to be complete first.
#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Requirement {
    /// Every approval step filled.
    Approvals,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Rule<T> {
    /// Unique within the policy; reported in the outcome's trace.
    pub id: String,
    /// Field name → test; all must hold; a missing key means "any".
    pub when: Option<BTreeMap<String, Test>>,
    pub then: T,
    pub description: Option<String>,
}

/// A test on one field: a value (equals), `"< 5"` and other comparisons, a range
/// `"[1..10)"`, a list (any holds), `null` (absent), or `{"not": ...}`.
#[derive(Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Test {
    Null(()),
    Bool(bool),
    Number(f64),
    Text(String),
    List(Vec<TestItem>),
    Not(NotTest),
}

#[derive(Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum TestItem {
    Number(f64),
    Text(String),
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NotTest {
    pub not: NotInner,
}

#[derive(Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum NotInner {
    Null(()),
    Bool(bool),
    Number(f64),
    Text(String),
    List(Vec<TestItem>),
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RoutingThen {
    pub queue: String,
    pub priority: Option<String>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApprovalThen {
    /// A role name, or `by_limit`.
    pub role: String,
    /// With `by_limit`: the money or integer field whose value picks the role.
    pub limit_field: Option<String>,
}

/// SLA target outputs: `calendar` plus a duration (`90m`, `4h`, `2h30m`) per metric;
/// `warn_at` and `escalation` replace the policy-wide ones for the cases the rule decides.
#[derive(Deserialize, JsonSchema)]
pub struct TargetThen {
    pub calendar: String,
    /// Share of the target at which a running clock turns `warning`.
    pub warn_at: Option<f64>,
    pub escalation: Option<Vec<EscalationStep>>,
    #[serde(flatten)]
    pub metrics: BTreeMap<String, Duration>,
}

/// A duration: digits with units d, h, m, s in that order (`90m`, `4h`, `2h30m`).
#[derive(Deserialize, JsonSchema)]
pub struct Duration(#[schemars(regex(pattern = r"^([0-9]+d)?([0-9]+h)?([0-9]+m)?([0-9]+s)?$"))] pub String);

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CalendarDef {
    /// IANA time zone name.
    pub timezone: String,
    /// `"24x7"`, or windows per weekday (`mon` .. `sun`).
    pub week: Week,
    /// Local dates with no working time.
    pub holidays: Option<Vec<Date>>,
    /// Local dates whose windows replace the weekday's.
    pub overrides: Option<BTreeMap<String, Vec<Window>>>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Week {
    Always(AlwaysWeek),
    Days(WeekDays),
}

#[derive(Deserialize, JsonSchema)]
pub enum AlwaysWeek {
    #[serde(rename = "24x7")]
    Always,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WeekDays {
    pub mon: Option<Vec<Window>>,
    pub tue: Option<Vec<Window>>,
    pub wed: Option<Vec<Window>>,
    pub thu: Option<Vec<Window>>,
    pub fri: Option<Vec<Window>>,
    pub sat: Option<Vec<Window>>,
    pub sun: Option<Vec<Window>>,
}

/// A local wall-clock window `HH:MM-HH:MM`; an end at or before the start runs past midnight.
#[derive(Deserialize, JsonSchema)]
pub struct Window(
    #[schemars(regex(pattern = r"^([01][0-9]|2[0-4]):[0-5][0-9]-([01][0-9]|2[0-4]):[0-5][0-9]$"))] pub String,
);

/// A local date `YYYY-MM-DD`.
#[derive(Deserialize, JsonSchema)]
pub struct Date(#[schemars(regex(pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"))] pub String);

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Sla {
    /// Metric names; a case completes metric `m` with the stamp `m_at`.
    pub metrics: Vec<String>,
    /// Share of the target at which a running clock turns `warning`.
    pub warn_at: Option<f64>,
    pub escalation: Option<Vec<EscalationStep>>,
    pub bands: Option<Bands>,
    /// The at-risk horizon of reports: a running metric whose remaining business time
    /// (on the case's calendar) is at most this duration is at risk.
    pub at_risk: Option<Duration>,
    pub targets: Table<TargetThen>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EscalationStep {
    /// Share of the target.
    pub at: f64,
    /// Role escalated to.
    pub to: String,
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum BandClock {
    Calendar,
    Business,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Bands {
    pub clock: Option<BandClock>,
    pub limits: Vec<Band>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Band {
    pub name: String,
    /// Upper age bound (exclusive); the last band has none.
    pub under: Option<Duration>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleDef {
    /// Approval limit in the policy currency; absent = unlimited.
    pub limit: Option<Decimal>,
    pub description: Option<String>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Separation {
    pub requester_cannot_approve: Option<bool>,
    pub distinct_approvers: Option<bool>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionDef {
    pub roles: Vec<String>,
    /// A money or integer field that one of the actor's roles must cover.
    pub within_limit: Option<String>,
    pub not_requester: Option<bool>,
    pub not_prior_approver: Option<bool>,
    /// Refused to an actor who gave one of the case's counted approvals.
    pub not_approver: Option<bool>,
    /// What must be complete first: `approvals` (every approval step filled).
    #[schemars(extend("uniqueItems" = true))]
    pub requires: Option<Vec<Requirement>>,
    /// Evidence items required per `kind` value.
    pub evidence: Option<BTreeMap<String, Vec<String>>>,
    pub description: Option<String>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Control {
    pub id: String,
    /// `queue` and backlog measures (open, breached, warning, paused, missed, met, oldest_age,
    /// attainment) → tests; `missed_by_cause` and `breached_by_cause` → `{cause: test}`
    /// (`own` or a declared dependency).
    pub when: BTreeMap<String, ControlTest>,
    pub then: ControlThen,
    pub description: Option<String>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum ControlTest {
    Test(Test),
    ByCause(BTreeMap<String, Test>),
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ControlThen {
    pub alert: String,
    pub to: Option<String>,
}

/// The JSON Schema of the policy format, pretty-printed.
pub fn policy_schema_json() -> String {
    let schema = schemars::schema_for!(Policy);
    serde_json::to_string_pretty(&schema).unwrap_or_default()
}
