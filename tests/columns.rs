//! The columnar batch path (`Engine::columns`, `Engine::evaluate_columns`) gives every
//! case exactly the outcome of decoding the same case as a JSON record: typed columns
//! (enum indexes, scaled money, instants in seconds, flattened lists) on the example
//! cases, cells of every JSON kind (wrong kinds included) on generated records, across
//! block boundaries; shape errors name the column and part at fault.

use docket_core::FieldType;
use docket_core::time::parse_rfc3339;
use docket_core::{Case, Column, ColumnTarget, ColumnValues as V, ColumnWorkspace, Engine, ErrorCode, Outcome};
use docket_tests::*;
use serde_json::{Value, json};

const NOW: &str = "2026-11-23T10:00:00Z";
const NOW_MINUS_10_MIN: &str = "2026-11-23T09:50:00Z";

/// The outcome JSON of every record, decoded as JSON.
fn by_json(e: &Engine, records: &[Value]) -> Vec<String> {
    let (mut c, mut o) = (Case::new(), Outcome::new());
    records
        .iter()
        .map(|r| {
            e.decode_json(&r.to_string(), &mut c);
            e.evaluate(&c, t(NOW), &mut o);
            e.outcome_json(&o)
        })
        .collect()
}

/// Owned column data built from records; `columns()` borrows it.
#[derive(Default)]
struct Owned {
    n: usize,
    cols: Vec<OwnedColumn>,
}

/// Target, values, presence bytes, offsets.
type OwnedColumn = (ColumnTarget, Data, Option<Vec<u8>>, Option<Vec<usize>>);

enum Data {
    I64(Vec<i64>),
    F64(Vec<f64>),
    Bool(Vec<u8>),
    Index(Vec<u32>),
    Text(Vec<String>),
    Scaled(Vec<i64>, u32),
}

impl Owned {
    fn push(&mut self, target: ColumnTarget, data: Data, present: Option<Vec<u8>>, offsets: Option<Vec<usize>>) {
        self.cols.push((target, data, present, offsets));
    }
    fn texts(&self) -> Vec<Vec<&str>> {
        self.cols
            .iter()
            .map(|(_, d, _, _)| match d {
                Data::Text(v) => v.iter().map(String::as_str).collect(),
                _ => Vec::new(),
            })
            .collect()
    }
    fn columns<'a>(&'a self, texts: &'a [Vec<&'a str>]) -> Vec<Column<'a>> {
        self.cols
            .iter()
            .zip(texts)
            .map(|((target, d, p, o), txt)| Column {
                target: *target,
                values: match d {
                    Data::I64(v) => V::I64(v),
                    Data::F64(v) => V::F64(v),
                    Data::Bool(v) => V::Bool(v),
                    Data::Index(v) => V::Index(v),
                    Data::Text(_) => V::Text(txt),
                    Data::Scaled(v, s) => V::Scaled(v, *s),
                },
                present: p.as_deref(),
                offsets: o.as_deref(),
            })
            .collect()
    }
    /// Evaluates the batch and returns every outcome's JSON.
    fn evaluate(&self, e: &Engine, ws: &mut ColumnWorkspace) -> Vec<String> {
        let texts = self.texts();
        let cols = self.columns(&texts);
        let batch = e.columns(self.n, &cols).unwrap_or_else(|err| panic!("batch refused: {err}"));
        let mut out = vec![String::new(); self.n];
        e.evaluate_columns(&batch, t(NOW), ws, |i, o| out[i] = e.outcome_json(o));
        out
    }
}

fn instant(v: &Value) -> Option<i64> {
    v.as_str().and_then(parse_rfc3339)
}

/// Scaled units of a decimal string with at most 4 decimals.
fn scaled(v: &Value) -> Option<i64> {
    let s = v.as_str()?;
    let (w, f) = s.split_once('.').unwrap_or((s, ""));
    if f.len() > 4 || !f.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole: i64 = w.parse().ok()?;
    let frac: i64 = format!("{f:0<4}").parse().ok()?;
    let sign = if w.starts_with('-') { -1 } else { 1 };
    Some(whole * 10_000 + sign * frac)
}

/// Typed columns for `records`, the way a host holding typed data passes them: enums as
/// indexes, money as scaled integers, instants as seconds, lists flattened with offsets.
/// A key whose values do not all have the typed form falls back to text columns (JSON
/// text for lists).
fn typed(e: &Engine, records: &[Value], roles_by_index: bool) -> Owned {
    let mut o = Owned { n: records.len(), ..Owned::default() };
    let mut keys: Vec<String> = Vec::new();
    for r in records {
        for k in r.as_object().expect("object").keys() {
            if !keys.contains(k) {
                keys.push(k.clone());
            }
        }
    }
    for k in &keys {
        let vals: Vec<&Value> = records.iter().map(|r| r.get(k).unwrap_or(&Value::Null)).collect();
        let present: Vec<u8> = vals.iter().map(|v| u8::from(!v.is_null())).collect();
        let all = |f: &dyn Fn(&Value) -> bool| vals.iter().all(|v| v.is_null() || f(v));
        let Some(target) = e.column_target(k) else { continue };
        let text = |v: &Value| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let texts = || Data::Text(vals.iter().map(|v| text(v)).collect());
        match target {
            ColumnTarget::OpenedAt | ColumnTarget::ClosedAt | ColumnTarget::Completed(_)
                if all(&|v| instant(v).is_some()) =>
            {
                o.push(target, Data::I64(vals.iter().map(|v| instant(v).unwrap_or(0)).collect()), Some(present), None);
            }
            ColumnTarget::Field(s) => {
                let ty = e.field_type(s).expect("field");
                let data = match ty {
                    FieldType::Enum if all(&|v| v.is_string()) => Data::Index(
                        vals.iter().map(|v| v.as_str().and_then(|x| e.symbol(s, x)).unwrap_or(u32::MAX)).collect(),
                    ),
                    FieldType::Money if all(&|v| scaled(v).is_some()) => {
                        Data::Scaled(vals.iter().map(|v| scaled(v).unwrap_or(0)).collect(), 4)
                    }
                    FieldType::Integer if all(&|v| v.is_i64()) => {
                        Data::I64(vals.iter().map(|v| v.as_i64().unwrap_or(0)).collect())
                    }
                    FieldType::Number if all(&|v| v.is_number()) => {
                        Data::F64(vals.iter().map(|v| v.as_f64().unwrap_or(0.0)).collect())
                    }
                    FieldType::Bool if all(&|v| v.is_boolean()) => {
                        Data::Bool(vals.iter().map(|v| u8::from(v.as_bool() == Some(true))).collect())
                    }
                    FieldType::Timestamp if all(&|v| instant(v).is_some()) => {
                        Data::I64(vals.iter().map(|v| instant(v).unwrap_or(0)).collect())
                    }
                    _ if all(&|v| v.is_string()) => texts(),
                    _ => continue,
                };
                o.push(target, data, Some(present), None);
            }
            ColumnTarget::Paused
                if all(&|v| {
                    v.as_array().is_some_and(|a| {
                        a.iter().all(|p| {
                            instant(&p["from"]).is_some() && (p["to"].is_null() || instant(&p["to"]).is_some())
                        })
                    })
                }) =>
            {
                let (mut off, mut from, mut to, mut to_p) = (vec![0], Vec::new(), Vec::new(), Vec::new());
                let (mut why, mut why_p) = (Vec::new(), Vec::new());
                for v in &vals {
                    for p in v.as_array().into_iter().flatten() {
                        from.push(instant(&p["from"]).unwrap_or(0));
                        to.push(instant(&p["to"]).unwrap_or(0));
                        to_p.push(u8::from(!p["to"].is_null()));
                        why.push(p["reason"].as_str().unwrap_or("").to_string());
                        why_p.push(u8::from(p["reason"].is_string()));
                    }
                    off.push(from.len());
                }
                if why_p.contains(&1) {
                    o.push(ColumnTarget::PausedReason, Data::Text(why), Some(why_p), Some(off.clone()));
                }
                o.push(ColumnTarget::PausedFrom, Data::I64(from), None, Some(off.clone()));
                o.push(ColumnTarget::PausedTo, Data::I64(to), Some(to_p), Some(off));
            }
            ColumnTarget::Waiting
                if all(&|v| {
                    v.as_array().is_some_and(|a| {
                        a.iter().all(|w| {
                            instant(&w["from"]).is_some()
                                && (w["to"].is_null() || instant(&w["to"]).is_some())
                                && w["on"].is_string()
                        })
                    })
                }) =>
            {
                let (mut off, mut from, mut to, mut to_p, mut on) =
                    (vec![0], Vec::new(), Vec::new(), Vec::new(), Vec::new());
                for v in &vals {
                    for w in v.as_array().into_iter().flatten() {
                        from.push(instant(&w["from"]).unwrap_or(0));
                        to.push(instant(&w["to"]).unwrap_or(0));
                        to_p.push(u8::from(!w["to"].is_null()));
                        on.push(w["on"].as_str().unwrap_or("").to_string());
                    }
                    off.push(from.len());
                }
                // Declared dependencies by index, when every one is declared.
                let on = match on.iter().map(|d| e.dependency(d)).collect::<Option<Vec<u32>>>() {
                    Some(ix) if roles_by_index => Data::Index(ix),
                    _ => Data::Text(on),
                };
                o.push(ColumnTarget::WaitingFrom, Data::I64(from), None, Some(off.clone()));
                o.push(ColumnTarget::WaitingTo, Data::I64(to), Some(to_p), Some(off.clone()));
                o.push(ColumnTarget::WaitingOn, on, None, Some(off));
            }
            ColumnTarget::Approvals
                if all(&|v| {
                    v.as_array().is_some_and(|a| {
                        a.iter().all(|x| {
                            x["role"].is_string()
                                && x["by"].is_string()
                                && (x["at"].is_null() || instant(&x["at"]).is_some())
                        })
                    })
                }) =>
            {
                let (mut off, mut role, mut by, mut at, mut at_p) =
                    (vec![0], Vec::new(), Vec::new(), Vec::new(), Vec::new());
                for v in &vals {
                    for x in v.as_array().into_iter().flatten() {
                        role.push(x["role"].as_str().unwrap_or("").to_string());
                        by.push(x["by"].as_str().unwrap_or("").to_string());
                        at.push(instant(&x["at"]).unwrap_or(0));
                        at_p.push(u8::from(!x["at"].is_null()));
                    }
                    off.push(by.len());
                }
                let role = if roles_by_index {
                    Data::Index(role.iter().map(|r| e.role(r).unwrap_or(u32::MAX)).collect())
                } else {
                    Data::Text(role)
                };
                o.push(ColumnTarget::ApprovalRole, role, None, Some(off.clone()));
                o.push(ColumnTarget::ApprovalBy, Data::Text(by), None, Some(off.clone()));
                o.push(ColumnTarget::ApprovalAt, Data::I64(at), Some(at_p), Some(off));
            }
            ColumnTarget::Evidence if all(&|v| v.as_array().is_some_and(|a| a.iter().all(Value::is_string))) => {
                let (mut off, mut items) = (vec![0], Vec::new());
                for v in &vals {
                    items.extend(v.as_array().into_iter().flatten().map(|x| x.as_str().unwrap_or("").to_string()));
                    off.push(items.len());
                }
                o.push(ColumnTarget::Evidence, Data::Text(items), None, Some(off));
            }
            // Lists as JSON text, ids and other text keys as text.
            ColumnTarget::Paused | ColumnTarget::Waiting | ColumnTarget::Approvals | ColumnTarget::Evidence => {
                o.push(target, Data::Text(vals.iter().map(|v| v.to_string()).collect()), Some(present), None)
            }
            _ if all(&|v| v.is_string()) => o.push(target, texts(), Some(present), None),
            _ => {}
        }
    }
    o
}

fn example_records() -> Vec<Value> {
    EXAMPLE_CASES.lines().map(|l| serde_json::from_str(l).expect("example case")).collect()
}

#[test]
fn typed_columns_give_every_example_case_its_json_outcome() {
    let e = example_engine();
    let all = example_records();
    // Without the one case whose amount is not a number, every amount is given scaled.
    let scalable: Vec<Value> =
        all.iter().filter(|r| r["amount"].is_null() || scaled(&r["amount"]).is_some()).cloned().collect();
    assert_eq!(scalable.len() + 1, all.len());
    let mut ws = ColumnWorkspace::new();
    for (records, money_scaled) in [(&all, false), (&scalable, true)] {
        let want = by_json(&e, records);
        for roles_by_index in [true, false] {
            let cols = typed(&e, records, roles_by_index);
            // The lists really are given as list columns, enums as indexes, money scaled.
            let targets: Vec<ColumnTarget> = cols.cols.iter().map(|c| c.0).collect();
            for t in [ColumnTarget::PausedFrom, ColumnTarget::ApprovalBy, ColumnTarget::Evidence] {
                assert!(targets.contains(&t), "{t:?} not among {targets:?}");
            }
            assert_eq!(cols.cols.iter().any(|c| matches!(c.1, Data::Scaled(..))), money_scaled);
            assert!(cols.cols.iter().any(|c| matches!(c.1, Data::Index(..))));
            let got = cols.evaluate(&e, &mut ws);
            for (i, (g, w)) in got.iter().zip(&want).enumerate() {
                assert_eq!(g, w, "case {i} (roles by index: {roles_by_index}, money scaled: {money_scaled})");
            }
        }
    }
}

#[test]
fn batches_across_blocks_equal_cases_one_by_one() {
    // 100 cases (the example cases over and over, ids made unique) cross several blocks of
    // the columnar path; every outcome equals its JSON outcome, in order.
    let e = example_engine();
    let base = example_records();
    let records: Vec<Value> = (0..100)
        .map(|i| {
            let mut r = base[i % base.len()].clone();
            r["id"] = json!(format!("B-{i}"));
            r
        })
        .collect();
    let want = by_json(&e, &records);
    let got = typed(&e, &records, true).evaluate(&e, &mut ColumnWorkspace::new());
    assert_eq!(got, want);
}

#[test]
fn closings_waits_and_pause_reasons_in_columns_decide_as_in_json() {
    // Clocks v2 inputs: `closed_at`, waits on declared and undeclared dependencies, pause
    // reasons, stamps after now, a case opened after now; as typed list columns (waits on
    // declared dependencies by index too) and as JSON text, equal to JSON decoding.
    let e = example_engine();
    let hold = |id: &str, extra: Value| {
        let mut r = json!({"id": id, "kind": "payment_hold", "order_id": "O", "opened_at": "2026-11-23T07:00:00Z"});
        for (k, v) in extra.as_object().expect("object") {
            r[k] = v.clone();
        }
        r
    };
    let records = vec![
        hold(
            "V0",
            json!({"response_at": "2026-11-23T09:30:00Z", "waiting": [
            {"from": "2026-11-23T07:00:00Z", "to": "2026-11-23T09:00:00Z", "on": "warehouse"},
            {"from": "2026-11-23T07:30:00Z", "to": null, "on": "carrier"}]}),
        ),
        hold(
            "V1",
            json!({"closed_at": "2026-11-23T09:00:00Z", "paused": [
            {"from": "2026-11-23T08:00:00Z", "to": "2026-11-23T08:30:00Z", "reason": "customer"}]}),
        ),
        hold("V2", json!({"opened_at": "2026-11-23T11:00:00Z"})),
        hold(
            "V3",
            json!({"response_at": "2026-11-23T12:00:00Z", "closed_at": "2026-11-23T13:00:00Z",
            "paused": [{"from": "2026-11-23T09:50:00Z", "to": "2026-11-23T11:00:00Z", "reason": "finance"},
                       {"from": "2026-11-23T08:00:00Z"}],
            "waiting": [{"from": "2026-11-23T09:00:00Z", "to": "2026-11-23T11:00:00Z", "on": "finance"}]}),
        ),
        hold("V4", json!({})),
    ];
    let mut with_undeclared = records.clone();
    with_undeclared[4]["waiting"] = json!([{"from": "2026-11-23T07:00:00Z", "on": "legal"}]);
    with_undeclared[1]["paused"][0]["reason"] = json!("lunch");
    let mut ws = ColumnWorkspace::new();
    for recs in [&records, &with_undeclared] {
        let want = by_json(&e, recs);
        for by_index in [true, false] {
            let cols = typed(&e, recs, by_index);
            let targets: Vec<ColumnTarget> = cols.cols.iter().map(|c| c.0).collect();
            for t in [ColumnTarget::ClosedAt, ColumnTarget::WaitingOn, ColumnTarget::PausedReason] {
                assert!(targets.contains(&t), "{t:?} not among {targets:?}");
            }
            assert_eq!(cols.evaluate(&e, &mut ws), want, "by index: {by_index}");
        }
        // The whole `waiting` list as JSON text per case.
        let mut text = Owned { n: recs.len(), ..Owned::default() };
        for (k, target) in [("id", ColumnTarget::Id), ("order_id", e.column_target("order_id").expect("order_id"))] {
            text.push(
                target,
                Data::Text(recs.iter().map(|r| r[k].as_str().unwrap_or("").to_string()).collect()),
                None,
                None,
            );
        }
        let kind = e.slot("kind").and_then(|k| e.symbol(k, "payment_hold")).expect("payment_hold");
        text.push(ColumnTarget::Field(e.slot("kind").expect("kind")), Data::Index(vec![kind; recs.len()]), None, None);
        for (k, target) in [
            ("opened_at", ColumnTarget::OpenedAt),
            ("response_at", e.column_target("response_at").expect("response_at")),
            ("closed_at", ColumnTarget::ClosedAt),
        ] {
            let v: Vec<i64> = recs.iter().map(|r| instant(&r[k]).unwrap_or(0)).collect();
            let p: Vec<u8> = recs.iter().map(|r| u8::from(!r[k].is_null())).collect();
            text.push(target, Data::I64(v), Some(p), None);
        }
        for (k, target) in [("paused", ColumnTarget::Paused), ("waiting", ColumnTarget::Waiting)] {
            let v: Vec<String> = recs.iter().map(|r| r[k].to_string()).collect();
            let p: Vec<u8> = recs.iter().map(|r| u8::from(!r[k].is_null())).collect();
            text.push(target, Data::Text(v), Some(p), None);
        }
        assert_eq!(text.evaluate(&e, &mut ws), want);
    }
    // What the outcomes say is checked by tests/clocks.rs; here, that they say something.
    let out: Vec<Value> =
        by_json(&e, &with_undeclared).iter().map(|s| serde_json::from_str(s).expect("json")).collect();
    assert_eq!(out[2]["not_yet_open"], true);
    assert_eq!(out[4]["sla"]["response"]["cause"], "legal");
}

/// A tiny deterministic generator (xorshift), so failures replay.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[(self.next() % xs.len() as u64) as usize]
    }
}

/// A value for `key` of any JSON kind, right or wrong for the key.
fn any_value(r: &mut Rng, key: &str) -> Value {
    let good: Vec<Value> = match key {
        "id" => vec![json!("X-1"), json!("X-2"), json!("X-3"), json!("")],
        "kind" => vec![json!("refund"), json!("fraud_review"), json!("payment_hold"), json!("nope")],
        "opened_at" | "response_at" | "resolution_at" | "promised_at" => {
            vec![json!("2026-11-23T08:00:00Z"), json!("2026-11-20T09:30:00+01:00"), json!("not a time")]
        }
        "amount" => vec![json!("1250.00"), json!("80"), json!(99.5), json!(3000), json!("1e3")],
        "currency" => vec![json!("USD"), json!("EUR"), json!("XXX"), json!("A-CURRENCY-CODE-TOO-LONG")],
        "requested_by" => vec![json!("agent-1"), json!("u-7"), json!("r".repeat(5000))],
        "fraud_score" => vec![json!(0.93), json!(0.2), json!(1)],
        "vendor_failures_90d" | "orders_affected" => vec![json!(3), json!(250), json!(2.5)],
        "split_shipment" => vec![json!(true), json!(false)],
        "customer_tier" => vec![json!("gold"), json!("platinum"), json!("tin")],
        "paused" => vec![json!([{"from": "2026-11-23T08:30:00Z", "to": "2026-11-23T09:00:00Z"}]), json!([{"to": 1}])],
        "approvals" => vec![json!([{"role": "team_lead", "by": "u-1", "at": "2026-11-23T09:00:00Z"}]), json!([3])],
        "evidence" => vec![json!(["refund_receipt"]), json!([1, 2])],
        _ => vec![json!("x")],
    };
    let wrong = [json!(null), json!(7), json!(-2.25), json!(true), json!("text"), json!(["a"]), json!({"a": 1})];
    // The keys that make a case usable are wrong less often, so most cases get evaluated.
    let odds = if matches!(key, "id" | "kind" | "opened_at") { 12 } else { 3 };
    if r.next().is_multiple_of(odds) { r.pick(&wrong).clone() } else { r.pick(&good).clone() }
}

/// One record as a one-row batch of cells: each value as the column kind of its JSON type
/// (string → Text, whole number → I64, other number → F64, bool → Bool, null → absent,
/// a list key's list → its JSON text). Returns the record holding exactly what the columns
/// carry (values no column kind can carry are left out of both).
fn cells(e: &Engine, rec: &Value) -> (Owned, Value) {
    let mut o = Owned { n: 1, ..Owned::default() };
    let mut kept = serde_json::Map::new();
    for (k, v) in rec.as_object().expect("object") {
        let Some(target) = e.column_target(k) else { continue };
        let list = matches!(target, ColumnTarget::Paused | ColumnTarget::Approvals | ColumnTarget::Evidence);
        let instants = matches!(target, ColumnTarget::OpenedAt | ColumnTarget::Completed(_))
            || matches!(target, ColumnTarget::Field(s) if e.field_type(s) == Some(FieldType::Timestamp));
        let data = match v {
            Value::Null => Data::Text(vec![String::new()]),
            // A list key's scalars go as their own kind; text and lists as JSON text.
            Value::Bool(b) if list => Data::Bool(vec![u8::from(*b)]),
            Value::Number(n) if list => Data::F64(vec![n.as_f64().unwrap_or(0.0)]),
            _ if list => Data::Text(vec![v.to_string()]),
            Value::String(s) => Data::Text(vec![s.clone()]),
            Value::Bool(b) => Data::Bool(vec![u8::from(*b)]),
            // Numbers on instant keys mean seconds in columns but are malformed in JSON.
            Value::Number(_) if instants => continue,
            Value::Number(n) if n.is_i64() => Data::I64(vec![n.as_i64().unwrap_or(0)]),
            Value::Number(n) => Data::F64(vec![n.as_f64().unwrap_or(0.0)]),
            Value::Array(_) | Value::Object(_) => continue,
        };
        let present = vec![u8::from(!v.is_null())];
        o.push(target, data, Some(present), None);
        kept.insert(k.clone(), v.clone());
    }
    (o, Value::Object(kept))
}

#[test]
fn cells_of_any_kind_read_as_their_json_values() {
    let e = example_engine();
    let keys = [
        "id",
        "kind",
        "opened_at",
        "amount",
        "currency",
        "fraud_score",
        "vendor_failures_90d",
        "orders_affected",
        "split_shipment",
        "customer_tier",
        "promised_at",
        "response_at",
        "resolution_at",
        "paused",
        "approvals",
        "evidence",
        "requested_by",
        "order_id",
    ];
    let mut r = Rng(0x9e37_79b9_7f4a_7c15);
    let mut ws = ColumnWorkspace::new();
    let mut issues_seen = 0;
    for round in 0..1000 {
        let mut rec = serde_json::Map::new();
        for k in keys {
            if !r.next().is_multiple_of(4) {
                rec.insert(k.into(), any_value(&mut r, k));
            }
        }
        let (cols, kept) = cells(&e, &Value::Object(rec));
        let want = by_json(&e, std::slice::from_ref(&kept));
        let got = cols.evaluate(&e, &mut ws);
        assert_eq!(got, want, "round {round}: {kept}");
        issues_seen += usize::from(want[0].contains("\"code\":\"bad_type\""));
    }
    // The generator really produces wrong kinds that become issues of usable cases.
    assert!(issues_seen > 100, "only {issues_seen} records with bad_type issues");
}

#[test]
fn list_items_of_the_wrong_shape_are_issues_as_in_json() {
    // Typed list items that are absent read as the JSON lists with a missing role, a
    // missing approver and a `null` item: `bad_type` issues of `approvals` and `evidence`.
    let e = example_engine();
    let tgt = |n: &str| e.column_target(n).unwrap_or_else(|| panic!("{n}"));
    let (ids, kinds, opened, amounts) = (["A"], ["refund"], [t(NOW) - 600], ["80.00"]);
    let (orders, off2, off1) = (["O-1"], [0_usize, 2], [0_usize, 1]);
    let (roles, by, ev) = (["team_lead", "team_lead"], ["u-1", "u-2"], ["refund_receipt"]);
    let cols = [
        Column::new(tgt("id"), V::Text(&ids)),
        Column::new(tgt("kind"), V::Text(&kinds)),
        Column::new(tgt("opened_at"), V::I64(&opened)),
        Column::new(tgt("amount"), V::Text(&amounts)),
        Column::new(tgt("order_id"), V::Text(&orders)),
        Column::new(tgt("approval_role"), V::Text(&roles)).present(&[1, 0]).offsets(&off2),
        Column::new(tgt("approval_by"), V::Text(&by)).offsets(&off2),
        Column::new(tgt("evidence"), V::Text(&ev)).present(&[0]).offsets(&off1),
    ];
    let batch = e.columns(1, &cols).unwrap_or_else(|x| panic!("{x}"));
    let mut got = String::new();
    e.evaluate_columns(&batch, t(NOW), &mut ColumnWorkspace::new(), |_, o| got = e.outcome_json(o));
    let record = json!({"id": "A", "kind": "refund", "opened_at": NOW_MINUS_10_MIN, "amount": "80.00", "order_id": "O-1",
        "approvals": [{"role": "team_lead", "by": "u-1"}, {"by": "u-2"}], "evidence": [null]});
    let want = by_json(&e, &[record]);
    assert_eq!(got, want[0]);
    let issues: Value = serde_json::from_str(&got).unwrap_or(Value::Null);
    let bad: Vec<&str> = issues["issues"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|i| i["code"] == "bad_type")
        .filter_map(|i| i["field"].as_str())
        .collect();
    assert_eq!(bad, ["approvals", "evidence"], "{got}");
}

#[test]
fn malformed_approvals_in_list_columns_are_issues_as_in_json() {
    // Approvals given as list columns: a missing role (wrong shape: an issue of the list),
    // an empty approver, an `at` in 2100 (after the last instant a case may carry) and an
    // unreadable `at` (-1 s, before 1970, in an I64 column; NaN in an F64 one) read as the
    // same JSON list, issue by issue and in order: `approvals`, then `approvals/1`,
    // `approvals/2`, `approvals/3` by position; then, evaluated, the same four count for
    // nothing as `malformed` (approval_ignored). The entry at position 4 is good and fills
    // the team_lead step (A1: a shipping correction of at most 50). Roles are given as
    // text and as indexes.
    let e = example_engine();
    let tgt = |n: &str| e.column_target(n).unwrap_or_else(|| panic!("{n}"));
    let (ids, kinds, opened, amounts, orders) = (["A"], ["shipping_correction"], [t(NOW) - 600], ["30.00"], ["O-1"]);
    let off = [0_usize, 5];
    let roles = ["team_lead"; 5];
    let role_ix = [e.role("team_lead").expect("team_lead"); 5];
    let by = ["u-1", "", "u-3", "u-4", "u-5"];
    let at = [t(NOW) - 300, t(NOW) - 300, 4_102_444_800, -1, t(NOW) - 60];
    let at_f = [at[0] as f64, at[1] as f64, at[2] as f64, f64::NAN, at[4] as f64];
    let record = json!({"id": "A", "kind": "shipping_correction", "opened_at": NOW_MINUS_10_MIN, "amount": "30.00",
        "order_id": "O-1", "approvals": [
            {"by": "u-1", "at": "2026-11-23T09:55:00Z"},
            {"role": "team_lead", "by": "", "at": "2026-11-23T09:55:00Z"},
            {"role": "team_lead", "by": "u-3", "at": "2100-01-01T00:00:00Z"},
            {"role": "team_lead", "by": "u-4", "at": "not a time"},
            {"role": "team_lead", "by": "u-5", "at": "2026-11-23T09:59:00Z"}]});
    let want = by_json(&e, &[record]);
    let o: Value = serde_json::from_str(&want[0]).unwrap_or(Value::Null);
    let fields: Vec<&str> = o["issues"].as_array().into_iter().flatten().filter_map(|i| i["field"].as_str()).collect();
    assert_eq!(
        fields,
        [
            "approvals",
            "approvals/1",
            "approvals/2",
            "approvals/3",
            "approvals/0",
            "approvals/1",
            "approvals/2",
            "approvals/3"
        ],
        "{o}"
    );
    assert_eq!(o["approvals"]["steps"][0]["done_by"], "u-5", "{o}");
    for by_index in [false, true] {
        let (role, when) = if by_index { (V::Index(&role_ix), V::F64(&at_f)) } else { (V::Text(&roles), V::I64(&at)) };
        let cols = [
            Column::new(tgt("id"), V::Text(&ids)),
            Column::new(tgt("kind"), V::Text(&kinds)),
            Column::new(tgt("opened_at"), V::I64(&opened)),
            Column::new(tgt("amount"), V::Text(&amounts)),
            Column::new(tgt("order_id"), V::Text(&orders)),
            Column::new(tgt("approval_role"), role).present(&[0, 1, 1, 1, 1]).offsets(&off),
            Column::new(tgt("approval_by"), V::Text(&by)).offsets(&off),
            Column::new(tgt("approval_at"), when).offsets(&off),
        ];
        let batch = e.columns(1, &cols).unwrap_or_else(|x| panic!("{x}"));
        let mut got = String::new();
        e.evaluate_columns(&batch, t(NOW), &mut ColumnWorkspace::new(), |_, o| got = e.outcome_json(o));
        assert_eq!(got, want[0], "roles by index: {by_index}");
    }
}

#[test]
fn non_finite_numbers_are_not_numbers() {
    // JSON cannot carry NaN or infinity; from a host they are `bad_type`, by cell or column.
    let e = example_engine();
    let tgt = |n: &str| e.column_target(n).unwrap_or_else(|| panic!("{n}"));
    let (ids, kinds, opened, scores) =
        (["A", "B"], ["fraud_review", "fraud_review"], [t(NOW) - 60; 2], [f64::INFINITY, 0.95]);
    let orders = ["O-1", "O-2"];
    let cols = [
        Column::new(tgt("id"), V::Text(&ids)),
        Column::new(tgt("kind"), V::Text(&kinds)),
        Column::new(tgt("opened_at"), V::I64(&opened)),
        Column::new(tgt("order_id"), V::Text(&orders)),
        Column::new(tgt("fraud_score"), V::F64(&scores)),
    ];
    let batch = e.columns(2, &cols).unwrap_or_else(|x| panic!("{x}"));
    let mut out = Vec::new();
    e.evaluate_columns(&batch, t(NOW), &mut ColumnWorkspace::new(), |_, o| out.push(e.outcome_json(o)));
    assert!(out[0].contains(r#""field":"fraud_score""#) && out[0].contains("bad_type"), "{}", out[0]);
    assert!(!out[1].contains("bad_type"), "{}", out[1]);
    // The cell decoder says the same.
    let mut case = Case::new();
    let mut d = e.decode_cells(&mut case);
    for (k, v) in [
        ("id", docket_core::Cell::Str("A")),
        ("kind", docket_core::Cell::Str("fraud_review")),
        ("opened_at", docket_core::Cell::Instant(t(NOW) - 60)),
        ("order_id", docket_core::Cell::Str("O-1")),
        ("fraud_score", docket_core::Cell::Num(f64::INFINITY)),
    ] {
        d.set(e.case_key(k).unwrap_or_else(|| panic!("{k}")), v);
    }
    d.finish();
    let mut o = Outcome::new();
    e.evaluate(&case, t(NOW), &mut o);
    assert_eq!(e.outcome_json(&o), out[0]);
}

#[test]
fn list_text_over_the_record_limit_is_too_large() {
    // A list given as JSON text longer than a whole record may be is not parsed: the case
    // is unusable with `too_large`, as the record holding it would be; its neighbour is not.
    let limits = docket_core::Limits { max_case_bytes: 200, ..docket_core::Limits::default() };
    let e = Engine::compile_with_limits(EXAMPLE_POLICY, limits).unwrap_or_else(|x| panic!("{x}"));
    let tgt = |n: &str| e.column_target(n).unwrap_or_else(|| panic!("{n}"));
    let long = format!("[{}\"refund_receipt\"]", "\"x\",".repeat(60));
    let (ids, kinds, opened) = (["A", "B"], ["refund", "refund"], [t(NOW) - 60, t(NOW) - 60]);
    let evidence = [long.as_str(), "[\"refund_receipt\"]"];
    let cols = [
        Column::new(tgt("id"), V::Text(&ids)),
        Column::new(tgt("kind"), V::Text(&kinds)),
        Column::new(tgt("opened_at"), V::I64(&opened)),
        Column::new(tgt("evidence"), V::Text(&evidence)),
    ];
    let batch = e.columns(2, &cols).unwrap_or_else(|x| panic!("{x}"));
    let mut errors = Vec::new();
    e.evaluate_columns(&batch, t(NOW), &mut ColumnWorkspace::new(), |_, o| errors.push(o.error().map(|x| x.code())));
    assert_eq!(errors, [Some("too_large"), None]);
}

#[test]
fn shape_errors_name_the_column_and_part() {
    let e = example_engine();
    let tgt = |n: &str| e.column_target(n).unwrap_or_else(|| panic!("{n}"));
    let ids = ["a", "b"];
    let from = [1_795_420_800_i64, 1_795_420_900];
    let err = |cols: &[Column<'_>]| e.columns(2, cols).err().map(|x| (x.column, x.part));
    // Too few values.
    assert_eq!(err(&[Column::new(tgt("id"), V::Text(&ids[..1]))]), Some((Some(0), "values")));
    // Too few presence bytes.
    assert_eq!(err(&[Column::new(tgt("id"), V::Text(&ids)).present(&[1])]), Some((Some(0), "present")));
    // The same target twice.
    let twice = [Column::new(tgt("id"), V::Text(&ids)), Column::new(tgt("id"), V::Text(&ids))];
    assert_eq!(err(&twice), Some((Some(1), "target")));
    // A list column without offsets; a scalar column with offsets.
    assert_eq!(err(&[Column::new(tgt("paused_from"), V::I64(&from))]), Some((Some(0), "offsets")));
    assert_eq!(err(&[Column::new(tgt("id"), V::Text(&ids)).offsets(&[0, 1, 2])]), Some((Some(0), "offsets")));
    // Offsets of the wrong length, decreasing.
    assert_eq!(err(&[Column::new(tgt("paused_from"), V::I64(&from)).offsets(&[0, 2])]), Some((Some(0), "offsets")));
    assert_eq!(err(&[Column::new(tgt("paused_from"), V::I64(&from)).offsets(&[0, 2, 1])]), Some((Some(0), "offsets")));
    // Offsets past the values.
    assert_eq!(err(&[Column::new(tgt("paused_from"), V::I64(&from)).offsets(&[0, 1, 3])]), Some((Some(0), "values")));
    // A member without its lead; item counts that differ from the lead's.
    assert_eq!(err(&[Column::new(tgt("paused_to"), V::I64(&from)).offsets(&[0, 1, 2])]), Some((Some(0), "target")));
    let differ = [
        Column::new(tgt("paused_from"), V::I64(&from)).offsets(&[0, 1, 2]),
        Column::new(tgt("paused_to"), V::I64(&from)).offsets(&[0, 2, 2]),
    ];
    assert_eq!(err(&differ), Some((Some(1), "offsets")));
    // approval_by without approval_role; list parts of the wrong kind.
    assert_eq!(err(&[Column::new(tgt("approval_by"), V::Text(&ids)).offsets(&[0, 1, 2])]), Some((Some(0), "target")));
    assert_eq!(err(&[Column::new(tgt("paused_from"), V::Text(&ids)).offsets(&[0, 1, 2])]), Some((Some(0), "values")));
    // A list given both as JSON text and as list columns would be counted twice.
    let paused_json = [r#"[{"from":"2026-11-23T08:00:00Z"}]"#, "[]"];
    let both = [
        Column::new(tgt("paused"), V::Text(&paused_json)),
        Column::new(tgt("paused_from"), V::I64(&from)).offsets(&[0, 1, 2]),
    ];
    assert_eq!(err(&both), Some((Some(1), "target")));
    let approvals_json = ["[]", "[]"];
    let both = [
        Column::new(tgt("approval_role"), V::Text(&ids)).offsets(&[0, 1, 2]),
        Column::new(tgt("approval_by"), V::Text(&ids)).offsets(&[0, 1, 2]),
        Column::new(tgt("approvals"), V::Text(&approvals_json)),
    ];
    assert_eq!(err(&both), Some((Some(1), "target")));
    // A well-formed batch is accepted; an unknown name has no target.
    let ok = [
        Column::new(tgt("paused_from"), V::I64(&from)).offsets(&[0, 1, 2]),
        Column::new(tgt("paused_to"), V::I64(&from)).offsets(&[0, 1, 2]),
    ];
    assert!(e.columns(2, &ok).is_ok());
    assert_eq!(e.column_target("no_such_column"), None);
    // More cases than one call may carry.
    let limits = docket_core::Limits { max_cases_per_call: 1, ..docket_core::Limits::default() };
    let small = Engine::compile_with_limits(EXAMPLE_POLICY, limits).unwrap_or_else(|e| panic!("{e}"));
    let too_many = small.columns(2, &[]).err();
    assert_eq!(too_many.as_ref().map(|x| (x.column, x.part)), Some((None, "len")));
    assert!(small.columns(1, &[]).is_ok());
    // The message says what is wrong.
    let msg = e.columns(2, &differ).err().map(|x| x.to_string()).unwrap_or_default();
    assert!(msg.starts_with("columns[1].offsets: items per case differ"), "{msg}");
    // Codes and messages in the host's terms: column names, not Rust names.
    let differ_err = e.columns(2, &differ).err();
    assert_eq!(
        differ_err.as_ref().map(|x| (x.code, x.path())),
        Some((ErrorCode::InvalidArgument, "columns[1].offsets".into()))
    );
    assert!(msg.contains("`paused_from`"), "{msg}");
    let no_lead = e.columns(2, &[Column::new(tgt("approval_by"), V::Text(&ids)).offsets(&[0, 1, 2])]).err();
    assert_eq!(no_lead.map(|x| x.message), Some("`approval_by` needs the `approval_role` column too".into()));
    let wrong_kind = e.columns(2, &[Column::new(tgt("paused_from"), V::Text(&ids)).offsets(&[0, 1, 2])]).err();
    assert_eq!(wrong_kind.map(|x| x.message), Some("`paused_from` cannot take text values".into()));
    assert_eq!(too_many.map(|x| (x.code, x.path())), Some((ErrorCode::LimitExceeded, "len".into())));
    assert_eq!(e.column_name(tgt("amount")), "amount");
    assert_eq!(e.column_name(tgt("resolution_at")), "resolution_at");
}
