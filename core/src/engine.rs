//! The compiled policy: [`Engine`] holds the parts the policy compiler produced and
//! answers what the policy declares. Each stage adds its entry points to `Engine` in its
//! own module: decoding cases in `case`, evaluation in `eval`, JSON and
//! reports in `output`.

use crate::policy::diagnostics::Diagnostic;
use crate::policy::limits::Limits;
use crate::policy::{self, Clocks, CompileError, Control, Input, Key, Rights, Routing};
use crate::value::FieldType;
use alloc::string::String;
use alloc::vec::Vec;
use serde_json::Value;

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
    /// Name, version, fingerprint, rule ids, warnings, limits.
    pub(crate) info: Info,
    /// The case schema: keys, field slots, storage order, money, required fields.
    pub(crate) input: Input,
    /// Queues and the routing table.
    pub(crate) routing: Routing,
    /// Calendars, metrics and the SLA section.
    pub(crate) clocks: Clocks,
    /// Roles, approvals, separation of duties, actions.
    pub(crate) rights: Rights,
    /// Backlog controls.
    pub(crate) controls: Vec<Control>,
}

/// What identifies a compiled policy and what it was compiled with.
#[derive(Debug)]
pub(crate) struct Info {
    pub name: String,
    pub version: String,
    pub fingerprint: String,
    /// Every rule's id by global rule index (0: intake validation).
    pub rule_ids: Vec<String>,
    pub warnings: Vec<Diagnostic>,
    pub limits: Limits,
}

impl Engine {
    /// Compiles a policy from JSON text with default [`Limits`].
    pub fn compile(policy_json: &str) -> Result<Engine, CompileError> {
        Engine::compile_with_limits(policy_json, Limits::default())
    }

    /// Compiles a policy from JSON text with the given limits.
    pub fn compile_with_limits(policy_json: &str, limits: Limits) -> Result<Engine, CompileError> {
        policy::compile_text(policy_json, limits).map(|(c, warnings)| Engine::new(c, warnings, limits))
    }

    /// Compiles a policy already parsed into a `serde_json::Value`.
    ///
    /// A `Value` keeps one value per object key, so a key the original text repeated
    /// cannot be seen here (whoever parsed it kept one of them, serde_json the last) and is
    /// not reported as `duplicate_key`, as [`Engine::compile`] reports it for text. Nor is
    /// `max_policy_bytes` checked: there is no text to measure.
    pub fn compile_value(policy: &Value) -> Result<Engine, CompileError> {
        Engine::compile_value_with_limits(policy, Limits::default())
    }

    /// Compiles a parsed policy with the given limits.
    pub fn compile_value_with_limits(policy: &Value, limits: Limits) -> Result<Engine, CompileError> {
        policy::compile_value(policy, limits).map(|(c, warnings)| Engine::new(c, warnings, limits))
    }

    fn new(c: policy::Compiled, warnings: Vec<Diagnostic>, limits: Limits) -> Engine {
        Engine {
            info: Info {
                name: c.name,
                version: c.version,
                fingerprint: c.fingerprint,
                rule_ids: c.rule_ids,
                warnings,
                limits,
            },
            input: c.input,
            routing: c.routing,
            clocks: c.clocks,
            rights: c.rights,
            controls: c.controls,
        }
    }

    /// The policy's `name`.
    pub fn name(&self) -> &str {
        &self.info.name
    }
    /// The policy's `version` label.
    pub fn version(&self) -> &str {
        &self.info.version
    }
    /// SHA-256 of the policy's canonical form (`sha256:` + hex); key order and whitespace do not change it.
    pub fn fingerprint(&self) -> &str {
        &self.info.fingerprint
    }
    /// Warnings found while compiling (e.g. `masked_rule`).
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.info.warnings
    }
    /// The limits in force.
    pub fn limits(&self) -> &Limits {
        &self.info.limits
    }
    /// The SLA metric names, in policy order.
    pub fn metrics(&self) -> impl Iterator<Item = &str> {
        self.clocks.metrics.iter().map(String::as_str)
    }
    /// The index of a metric, for [`crate::CaseBuilder::completed`].
    pub fn metric(&self, name: &str) -> Option<u16> {
        self.clocks.metrics.iter().position(|m| m == name).map(|i| i as u16)
    }
    /// The dependencies cases may wait on (`dependencies`), in policy order: the
    /// indexes of [`crate::Cause::Dependency`] and of the `waiting_on` column.
    pub fn dependencies(&self) -> impl Iterator<Item = &str> {
        self.clocks.dependencies.iter().map(String::as_str)
    }
    /// The index of a declared dependency (see [`Engine::dependencies`]).
    pub fn dependency(&self, name: &str) -> Option<u32> {
        self.clocks.dependency(name)
    }
    /// Queue names in policy order; outcome queue indexes refer to this order.
    pub fn queues(&self) -> impl Iterator<Item = &str> {
        self.routing.queues.iter().map(|q| q.name.as_str())
    }
    /// Queue owners (teams), aligned with [`Engine::queues`].
    pub fn owners(&self) -> impl Iterator<Item = &str> {
        self.routing.queues.iter().map(|q| q.owner.as_str())
    }
    /// Priority values routing can output; outcome priority indexes refer to this order.
    pub fn priorities(&self) -> &[String] {
        self.symbols(self.input.priority_slot)
    }
    /// Ageing band names in policy order.
    pub fn bands(&self) -> impl Iterator<Item = &str> {
        self.clocks.sla.iter().flat_map(|s| s.bands.iter().map(|b| b.name.as_str()))
    }
    /// The declared fields (slot order): name and type.
    pub fn fields(&self) -> impl Iterator<Item = (&str, FieldType)> {
        self.input.schema.fields.iter().filter(|f| !f.derived).map(|f| (f.name.as_str(), f.ty))
    }
    /// The slot of a declared field (including `kind`), for [`crate::CaseBuilder`] setters.
    pub fn slot(&self, field: &str) -> Option<u16> {
        match self.input.key(field) {
            Some(Key::Field(s)) => Some(s),
            _ => None,
        }
    }
    /// The declared type of a field slot.
    pub fn field_type(&self, slot: u16) -> Option<FieldType> {
        self.input.schema.fields.get(slot as usize).filter(|f| !f.derived).map(|f| f.ty)
    }
    /// The index of an enum value (or of a string a test names) of a field slot.
    pub fn symbol(&self, slot: u16, value: &str) -> Option<u32> {
        self.input.schema.fields.get(slot as usize).and_then(|f| f.sym(value))
    }
    /// The values of an enum field slot, in declaration order.
    pub fn symbols(&self, slot: u16) -> &[String] {
        self.input.schema.fields.get(slot as usize).map_or(&[], |f| f.syms.as_slice())
    }
    /// The values of `kind` (its symbols: an enum's values, in declaration order), the
    /// kinds of a report's cycle times ([`crate::CycleCell::kind`]).
    pub fn kinds(&self) -> &[String] {
        self.symbols(self.input.kind_slot)
    }
    /// The time zone of a report's flow buckets: the policy's `report.timezone`, else `UTC`.
    pub fn report_timezone(&self) -> &str {
        self.clocks.report_tz.as_ref().map_or("UTC", |(_, name)| name.as_str())
    }
    /// The declared roles in policy order (indexes of [`crate::CaseBuilder::approval_index`]).
    pub fn roles(&self) -> impl Iterator<Item = &str> {
        self.rights.roles.iter().map(|r| r.name.as_str())
    }
    /// The index of a declared role (see [`Engine::roles`]), for
    /// [`crate::CaseBuilder::approval_index`].
    pub fn role(&self, name: &str) -> Option<u32> {
        self.rights.role_index(name)
    }
    /// The evidence items the policy names, in order (indexes of
    /// [`crate::CaseBuilder::evidence_index`]).
    pub fn evidence_items(&self) -> &[String] {
        &self.rights.evidence_names
    }
    /// The index of an evidence item the policy names (see [`Engine::evidence_items`]).
    pub fn evidence_item(&self, name: &str) -> Option<u32> {
        self.rights.evidence_sym(name)
    }

    /// The id of the rule with global index `gid`.
    pub(crate) fn rule_id(&self, gid: u32) -> &str {
        self.info.rule_ids.get(gid as usize).map_or("", String::as_str)
    }
}
