//! `routing`: the decision table that chooses a case's queue and priority.

use super::Compiler;
use super::diagnostics::{PolicyCode, child};
use super::json;
use super::queues::Queue;
use super::tables::RankKeys;
use crate::table::Table;
use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::string::ToString;
use alloc::vec;
use alloc::vec::Vec;
use serde_json::{Map, Value};

/// Routing outputs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RouteOut {
    pub queue: u32,
    pub priority: Option<u32>,
}

/// The compiled routing: the queues, the routing table, and where invalid cases go.
#[derive(Debug)]
pub(crate) struct Routing {
    pub queues: Vec<Queue>,
    pub invalid_queue: Option<u32>,
    /// The rule id the outcome of an invalid case names (`invalid`).
    pub invalid_gid: u32,
    pub table: Table<RouteOut>,
}

/// The routing table (`queues`: each queue's index by name); a priority an output names
/// becomes a value of the derived `priority` field (at `priority_slot`), in order of
/// first appearance.
pub(super) fn table(
    top: &Map<String, Value>,
    cx: &mut Compiler<'_>,
    queues: &BTreeMap<&str, u32>,
    priority_slot: u16,
) -> Option<Table<RouteOut>> {
    let mut cx = cx.tables();
    let Some(r) = top.get("routing") else {
        cx.d.error(PolicyCode::MissingKey, "", "missing required key `routing`");
        return None;
    };
    let column = |c: &str| c == "queue" || c == "priority";
    cx.table(r, "/routing", "routing", false, &column, |cx, then, p| {
        let m = json::object(then, p, &["queue", "priority"], cx.d)?;
        let q = json::required(m, "queue", p, cx.d).and_then(|q| json::string(q, &child(p, "queue"), cx.d))?;
        let Some(queue) = queues.get(q).copied() else {
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
                Some(f.intern(s).0)
            }
        };
        Some((RouteOut { queue, priority }, keys))
    })
}
