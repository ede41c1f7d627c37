//! `queues` and `invalid_queue`: the queues routing can choose and their owning teams.

use super::Compiler;
use super::diagnostics::{Diags, PolicyCode, child};
use super::json;
use crate::table::Field;
use crate::value::FieldType;
use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use serde_json::{Map, Value};

/// A queue and its owning team.
#[derive(Clone, Debug)]
pub(crate) struct Queue {
    pub name: String,
    pub owner: String,
}

/// The queues in policy order; their names also become the derived `queue` field (an
/// enum of the queue names) and an empty derived `priority` field, whose values the
/// routing table's outputs declare. Returns the queues and the two derived slots.
pub(super) fn queues(top: &Map<String, Value>, cx: &mut Compiler<'_>) -> (Vec<Queue>, u16, u16) {
    let mut queues = Vec::new();
    let d = &mut *cx.d;
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
    let mut queue = Field::new("queue".into(), FieldType::Enum, true);
    for q in &queues {
        queue.intern(&q.name);
    }
    let queue_slot = cx.schema.push(queue);
    let priority_slot = cx.schema.push(Field::new("priority".into(), FieldType::String, true));
    (queues, queue_slot, priority_slot)
}

/// `invalid_queue`: where intake validation sends an invalid case (`queues`: each
/// queue's index by name).
pub(super) fn invalid_queue(top: &Map<String, Value>, queues: &BTreeMap<&str, u32>, d: &mut Diags) -> Option<u32> {
    let q = top.get("invalid_queue").and_then(|q| json::string(q, "/invalid_queue", d))?;
    let i = queues.get(q).copied();
    if i.is_none() {
        d.error(PolicyCode::UnknownQueue, "/invalid_queue", format!("`{q}` is not a declared queue"));
    }
    i
}
