//! The engine handle: a compiled policy plus the name tables the C API hands out.

use crate::error::{Error, c_text, without_nul};
use docket_core::FieldType;
use docket_core::{ColumnTarget, Engine, Limits};
use std::sync::atomic::{AtomicU64, Ordering};

/// Which list of names (`docket_engine_list_*`). Indexes returned by the batch API refer
/// to these lists.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(non_camel_case_types)]
pub enum docket_list {
    /// Queues, policy order (`docket_outputs.queue`).
    Queue = 0,
    /// Priorities routing can output (`docket_outputs.priority`).
    Priority = 1,
    /// Ageing bands, policy order (`docket_outputs.band`).
    Band = 2,
    /// SLA metrics, policy order (the inner dimension of the `sla_*` outputs).
    Metric = 3,
    /// Input columns of the batch API (`docket_column.column`).
    Column = 4,
    /// Roles, policy order (values of the `approval_role` column).
    Role = 5,
    /// Queue owners, aligned with `DOCKET_LIST_QUEUE`.
    Owner = 6,
    /// Declared dependencies, policy order (values of the `waiting_on` and
    /// `paused_reason` columns; `docket_outputs.sla_cause`; the inner dimension of
    /// `docket_outputs.sla_waiting`).
    Dependency = 7,
    /// Strata of the policy's QA sample (`qa.sample`), in order of first appearance in
    /// the table (`docket_outputs.qa_stratum`).
    Stratum = 8,
}

/// The declared type of an input column (`docket_engine_column_type`).
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(non_camel_case_types)]
pub enum docket_field_type {
    /// Any string.
    String = 1,
    /// One of a list of values (give `DOCKET_VALUE_ENUM_INDEX` or `DOCKET_VALUE_STRING`).
    Enum = 2,
    /// An exact integer.
    Integer = 3,
    /// A double.
    Number = 4,
    /// A decimal amount (decimal strings or scaled integers).
    Money = 5,
    /// A boolean.
    Bool = 6,
    /// An instant, seconds since the Unix epoch.
    Timestamp = 7,
}

/// One input column of the batch API.
#[derive(Debug)]
pub(crate) struct ColumnDef {
    /// NUL-terminated name.
    pub name: String,
    pub ty: docket_field_type,
    /// What the column sets (the core's name for it, resolved once).
    pub target: ColumnTarget,
    /// Enum values (NUL-terminated), for `Enum` columns; for `evidence`, the items the
    /// policy names.
    pub values: Vec<String>,
}

impl ColumnDef {
    pub fn key(&self) -> &str {
        without_nul(&self.name)
    }
    /// Whether the column holds the items of every case (and takes offsets).
    pub fn is_list(&self) -> bool {
        self.target.is_list()
    }
}

/// Which text of the policy `docket_engine_policy_info` returns: one of the
/// `DOCKET_POLICY_INFO_*` values. A `uint32_t`, not a C enum, so that whatever a caller
/// passes (a plain 0, 1 or 2 too, in C and C++ alike) is a value the library can receive
/// and judge: one out of range is `DOCKET_RESULT_INVALID_ARGUMENT`.
#[repr(transparent)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(non_camel_case_types)]
pub struct docket_policy_info(u32);

/// The policy's `name`.
pub const DOCKET_POLICY_INFO_NAME: docket_policy_info = docket_policy_info(0);
/// The policy's `version` label.
pub const DOCKET_POLICY_INFO_VERSION: docket_policy_info = docket_policy_info(1);
/// The policy's fingerprint (`sha256:` and 64 hex digits).
pub const DOCKET_POLICY_INFO_FINGERPRINT: docket_policy_info = docket_policy_info(2);
/// The policy's compile warnings as a JSON array of `{"code","path","message"}` (`"[]"`
/// when there are none): the same list as `docket check --json` and the npm package's
/// `check()`.
pub const DOCKET_POLICY_INFO_WARNINGS: docket_policy_info = docket_policy_info(3);

/// Engine ids: never reused in a process, unlike addresses (an engine freed and another
/// allocated may share one), so a report can tell its own engine from any other.
static NEXT_ENGINE_ID: AtomicU64 = AtomicU64::new(1);

/// A compiled policy. Immutable once shared (`docket_engine_set_seed`, its one setter, comes
/// before): share one across threads through `const docket_engine *`.
#[allow(non_camel_case_types)]
pub struct docket_engine {
    pub(crate) core: Engine,
    /// This engine's id, unique in the process (reports remember it).
    pub(crate) id: u64,
    /// Name lists by `docket_list` value, NUL-terminated.
    pub(crate) lists: [Vec<String>; 9],
    pub(crate) columns: Vec<ColumnDef>,
    /// name, version, fingerprint, warnings (NUL-terminated), by `docket_policy_info` value.
    pub(crate) info: [String; 4],
}

fn field_type(t: FieldType) -> docket_field_type {
    match t {
        FieldType::Enum => docket_field_type::Enum,
        FieldType::String => docket_field_type::String,
        FieldType::Integer => docket_field_type::Integer,
        FieldType::Number => docket_field_type::Number,
        FieldType::Money => docket_field_type::Money,
        FieldType::Bool => docket_field_type::Bool,
        FieldType::Timestamp => docket_field_type::Timestamp,
    }
}

impl docket_engine {
    pub(crate) fn compile(policy: &str, limits: Limits) -> Result<docket_engine, Error> {
        let core = Engine::compile_with_limits(policy, limits).map_err(|e| Error::policy(&e))?;
        let queues: Vec<String> = core.queues().map(c_text).collect();
        let owners = core.owners().map(c_text).collect();
        let metrics: Vec<&str> = core.metrics().collect();
        // The core's role order: `approval_role` indexes are the core's role indexes.
        let roles: Vec<String> = core.roles().map(c_text).collect();
        // (name, type, enum values); the target is the core's for the name.
        let mut specs: Vec<(String, docket_field_type, Vec<String>)> = vec![
            ("id".into(), docket_field_type::String, Vec::new()),
            ("opened_at".into(), docket_field_type::Timestamp, Vec::new()),
            ("currency".into(), docket_field_type::String, Vec::new()),
            ("requested_by".into(), docket_field_type::String, Vec::new()),
        ];
        for m in &metrics {
            specs.push((format!("{m}_at"), docket_field_type::Timestamp, Vec::new()));
        }
        for (name, ty) in core.fields() {
            // An enum's values in declaration order: the indexes its column takes.
            let values = match (ty, core.slot(name)) {
                (FieldType::Enum, Some(slot)) => core.symbols(slot).iter().map(|v| c_text(v)).collect(),
                _ => Vec::new(),
            };
            specs.push((name.into(), field_type(ty), values));
        }
        specs.push(("paused_from".into(), docket_field_type::Timestamp, Vec::new()));
        specs.push(("paused_to".into(), docket_field_type::Timestamp, Vec::new()));
        specs.push(("approval_role".into(), docket_field_type::Enum, roles.clone()));
        specs.push(("approval_by".into(), docket_field_type::String, Vec::new()));
        specs.push(("approval_at".into(), docket_field_type::Timestamp, Vec::new()));
        // Evidence items by name, or by index among the items the policy names.
        specs.push((
            "evidence".into(),
            docket_field_type::String,
            core.evidence_items().iter().map(|x| c_text(x)).collect(),
        ));
        // After the columns above, so that their indexes stay what they were.
        let dependencies: Vec<String> = core.dependencies().map(c_text).collect();
        specs.push(("closed_at".into(), docket_field_type::Timestamp, Vec::new()));
        specs.push(("paused_reason".into(), docket_field_type::Enum, dependencies.clone()));
        specs.push(("waiting_from".into(), docket_field_type::Timestamp, Vec::new()));
        specs.push(("waiting_to".into(), docket_field_type::Timestamp, Vec::new()));
        specs.push(("waiting_on".into(), docket_field_type::Enum, dependencies.clone()));
        // QA: what actually happened (after the columns above, whose indexes stay).
        specs.push(("worked_queue".into(), docket_field_type::Enum, queues.clone()));
        specs.push(("closed_by_id".into(), docket_field_type::String, Vec::new()));
        specs.push(("closed_by_roles".into(), docket_field_type::Enum, roles.clone()));
        specs.push(("escalation_level".into(), docket_field_type::Integer, Vec::new()));
        specs.push(("escalation_at".into(), docket_field_type::Timestamp, Vec::new()));
        let columns: Vec<ColumnDef> = specs
            .into_iter()
            .filter_map(|(name, ty, values)| {
                let target = core.column_target(&name)?;
                Some(ColumnDef { name: c_text(&name), ty, target, values })
            })
            .collect();
        let lists = [
            queues,
            core.priorities().iter().map(|p| c_text(p)).collect(),
            core.bands().map(c_text).collect(),
            metrics.iter().map(|m| c_text(m)).collect(),
            columns.iter().map(|c| c.name.clone()).collect(),
            roles,
            owners,
            dependencies,
            core.strata().map(c_text).collect(),
        ];
        let info = [
            c_text(core.name()),
            c_text(core.version()),
            c_text(core.fingerprint()),
            c_text(&docket_core::diagnostics_json(core.warnings())),
        ];
        let id = NEXT_ENGINE_ID.fetch_add(1, Ordering::Relaxed);
        Ok(docket_engine { core, id, lists, columns, info })
    }

    pub(crate) fn info(&self, which: docket_policy_info) -> Result<&str, Error> {
        let docket_policy_info(i) = which;
        self.info.get(i as usize).map(String::as_str).ok_or_else(|| {
            Error::arg(
                "which",
                format!(
                    "{i} is not a docket_policy_info value (DOCKET_POLICY_INFO_NAME, _VERSION, _FINGERPRINT or _WARNINGS)"
                ),
            )
        })
    }

    pub(crate) fn list(&self, list: u32) -> Result<&[String], Error> {
        self.lists
            .get(list as usize)
            .map(Vec::as_slice)
            .ok_or_else(|| Error::arg("list", format!("{list} is not a docket_list value")))
    }

    pub(crate) fn column(&self, column: u32) -> Result<&ColumnDef, Error> {
        self.columns
            .get(column as usize)
            .ok_or_else(|| Error::arg("column", format!("{column} is not a column of this engine")))
    }

    pub(crate) fn metric_count(&self) -> usize {
        self.lists.get(docket_list::Metric as usize).map_or(0, Vec::len)
    }

    pub(crate) fn dependency_count(&self) -> usize {
        self.lists.get(docket_list::Dependency as usize).map_or(0, Vec::len)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const POLICY: &str = include_str!("../../examples/order-ops.policy.json");

    #[test]
    fn engine_ids_are_never_reused() {
        let first = docket_engine::compile(POLICY, Limits::default()).unwrap();
        let id = first.id;
        drop(first);
        let (a, b) = (
            docket_engine::compile(POLICY, Limits::default()).unwrap(),
            docket_engine::compile(POLICY, Limits::default()).unwrap(),
        );
        assert!(a.id != id && b.id != id && a.id != b.id);
    }

    #[test]
    fn names_come_from_the_core_in_its_order() {
        let e = docket_engine::compile(POLICY, Limits::default()).unwrap();
        let owners: Vec<&str> = e.core.owners().collect();
        let listed: Vec<&str> = e.list(docket_list::Owner as u32).unwrap().iter().map(|s| without_nul(s)).collect();
        assert_eq!(listed, owners);
        assert_eq!(listed.len(), e.core.queues().count());
        let kind = e.columns.iter().find(|c| c.key() == "kind").unwrap();
        let slot = e.core.slot("kind").unwrap();
        let values: Vec<&str> = kind.values.iter().map(|s| without_nul(s)).collect();
        assert_eq!(values, e.core.symbols(slot));
        assert_eq!(values.get(7), Some(&"refund"));
        let region = e.columns.iter().find(|c| c.key() == "region").unwrap();
        assert_eq!(region.ty, docket_field_type::Enum);
        assert!(!region.values.is_empty());
    }
}
