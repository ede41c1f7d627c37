//! The Rust side of `benches/compare/run.sh`.
//!
//! `compare gen DIR` writes the shared workload (10,000 generated cases, seed 42) in the
//! forms every harness reads, plus Docket's answers to check against:
//!   cases.ndjson   the cases (JSON API paths: Rust decode, C JSON, wasm objects)
//!   cases.tsv      the same cases as columns (C columnar, wasm columnar)
//!   expected.tsv   Docket's full answers per case: queue, priority, state and due per metric
//!   facts.ndjson   routing inputs for peers (amount converted to EUR as a number)
//!   routing.tsv    Docket's routing answer per case: queue, priority
//!   routing.policy.json, routing.jdm.json   the routing table for Docket and for ZEN
//! `compare run DIR` measures the native Rust paths and ZEN (Rust crate), checking ZEN's
//! answers against Docket's first, and prints one JSON line per measurement.

use docket_benches::{NOW, cases, cores, evaluate_parallel, routing_only_policy};
use docket_core::{Case, Engine, Outcome, Report};
use serde_json::{Value, json};
use std::hint::black_box;
use std::time::Instant;
use std::{env, fs};

const POLICY: &str = include_str!("../../../examples/order-ops.policy.json");
const N: usize = 10_000;
const SEED: u64 = 42;

fn main() {
    let args: Vec<String> = env::args().collect();
    match (args.get(1).map(String::as_str), args.get(2)) {
        (Some("gen"), Some(dir)) => generate(dir),
        (Some("run"), Some(dir)) => run(dir),
        _ => {
            eprintln!("usage: compare gen|run DIR");
            std::process::exit(2)
        }
    }
}

fn secs(v: &Value) -> String {
    v.as_str().and_then(docket_core::time::parse_rfc3339).map_or(String::new(), |t| t.to_string())
}

fn text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => u8::from(*b).to_string(),
        other => other.to_string(),
    }
}

/// EUR value of a case's amount, as the policy's fx table converts it.
fn eur(case: &Value) -> Option<f64> {
    let amount: f64 = case.get("amount")?.as_str()?.parse().ok()?;
    let rate = match case.get("currency").and_then(Value::as_str) {
        Some("USD") => 0.92,
        Some("GBP") => 1.17,
        _ => 1.0,
    };
    Some(amount * rate)
}

fn decode_all(e: &Engine, lines: &[String]) -> Vec<Case> {
    lines
        .iter()
        .map(|l| {
            let mut c = Case::new();
            e.decode_json(l, &mut c);
            c
        })
        .collect()
}

fn name(list: &[String], i: Option<u32>) -> &str {
    i.and_then(|i| list.get(i as usize)).map_or("", String::as_str)
}

fn generate(dir: &str) {
    fs::create_dir_all(dir).expect("mkdir");
    let lines = cases(N, SEED);
    let engine = Engine::compile(POLICY).expect("policy");
    let routing_policy = routing_only_policy(POLICY);
    let routing = Engine::compile(&routing_policy).expect("routing policy");
    let queues: Vec<String> = engine.queues().map(String::from).collect();
    let priorities = engine.priorities().to_vec();

    let (mut tsv, mut facts, mut expected, mut routed) = (String::new(), String::new(), String::new(), String::new());
    tsv += "id\tkind\torder_id\topened_at\tregion\tchannel\tcustomer_tier\tamount\tcurrency\tfraud_score\t\
            vendor_failures_90d\torders_affected\tsplit_shipment\tresponse_at\tresolution_at\tpaused\t\
            requested_by\tapprovals\tevidence\n";
    let (mut case, mut out, mut rout) = (Case::new(), Outcome::new(), Outcome::new());
    for line in &lines {
        let v: Value = serde_json::from_str(line).expect("case");
        let g = |k: &str| v.get(k).cloned().unwrap_or(Value::Null);
        // Lists: `from>to` items joined by `;` (empty `to` = still paused), `role>by>at`, `a;b`.
        let paused = g("paused").as_array().map_or(String::new(), |ps| {
            ps.iter().map(|p| format!("{}>{}", secs(&p["from"]), secs(&p["to"]))).collect::<Vec<_>>().join(";")
        });
        let approvals = g("approvals").as_array().map_or(String::new(), |ps| {
            ps.iter()
                .map(|p| format!("{}>{}>{}", text(&p["role"]), text(&p["by"]), secs(&p["at"])))
                .collect::<Vec<_>>()
                .join(";")
        });
        let evidence =
            g("evidence").as_array().map_or(String::new(), |es| es.iter().map(text).collect::<Vec<_>>().join(";"));
        let row = [
            text(&g("id")),
            text(&g("kind")),
            text(&g("order_id")),
            secs(&g("opened_at")),
            text(&g("region")),
            text(&g("channel")),
            text(&g("customer_tier")),
            text(&g("amount")),
            text(&g("currency")),
            text(&g("fraud_score")),
            text(&g("vendor_failures_90d")),
            text(&g("orders_affected")),
            text(&g("split_shipment")),
            secs(&g("response_at")),
            secs(&g("resolution_at")),
            paused,
            text(&g("requested_by")),
            approvals,
            evidence,
        ];
        tsv += &row.join("\t");
        tsv.push('\n');

        let mut f = serde_json::Map::new();
        f.insert("kind".into(), g("kind"));
        for k in ["fraud_score", "vendor_failures_90d", "orders_affected", "split_shipment", "customer_tier"] {
            if !g(k).is_null() {
                f.insert(k.into(), g(k));
            }
        }
        if let Some(a) = eur(&v) {
            f.insert("amount".into(), json!(a));
        }
        facts += &Value::Object(f).to_string();
        facts.push('\n');

        engine.decode_json(line, &mut case);
        engine.evaluate(&case, NOW, &mut out);
        assert!(out.error().is_none() && !out.invalid(), "generated case is usable: {line}");
        let mut cols =
            vec![name(&queues, out.queue_index()).to_string(), name(&priorities, out.priority_index()).into()];
        for m in out.sla() {
            cols.push(m.as_ref().map_or("", |m| m.state.as_str()).into());
            cols.push(m.as_ref().and_then(|m| m.due).map_or(String::new(), |d| d.to_string()));
        }
        let remaining = out.steps().iter().filter(|s| out.done_by(s).is_none()).count();
        cols.push(remaining.to_string());
        expected += &cols.join("\t");
        expected.push('\n');

        routing.decode_json(line, &mut case);
        routing.evaluate(&case, NOW, &mut rout);
        assert_eq!((rout.queue_index(), rout.priority_index()), (out.queue_index(), out.priority_index()));
        routed += &format!("{}\t{}\n", name(&queues, rout.queue_index()), name(&priorities, rout.priority_index()));
    }
    let w = |f: &str, s: &str| fs::write(format!("{dir}/{f}"), s).expect("write");
    w("cases.ndjson", &(lines.join("\n") + "\n"));
    w("cases.tsv", &tsv);
    w("facts.ndjson", &facts);
    w("expected.tsv", &expected);
    w("routing.tsv", &routed);
    w("routing.policy.json", &routing_policy);
    w("routing.jdm.json", &serde_json::to_string_pretty(&jdm(POLICY)).expect("jdm"));
    eprintln!("compare gen: {N} cases (seed {SEED}) in {dir}");
}

/// The example policy's routing table as a ZEN (JDM) decision table, hit policy first.
/// Money tests compare the EUR-converted amount the facts carry.
pub fn jdm(policy: &str) -> Value {
    let p: Value = serde_json::from_str(policy).expect("policy");
    let rules = p["routing"]["rules"].as_array().expect("rules");
    let mut fields: Vec<String> = Vec::new();
    for r in rules {
        for k in r["when"].as_object().expect("when").keys() {
            if !fields.contains(k) {
                fields.push(k.clone());
            }
        }
    }
    let inputs: Vec<Value> = fields.iter().map(|f| json!({"id": format!("in_{f}"), "name": f, "field": f})).collect();
    let outputs = json!([
        {"id": "out_queue", "name": "queue", "field": "queue"},
        {"id": "out_priority", "name": "priority", "field": "priority"}
    ]);
    let cell = |t: &Value| -> String {
        match t {
            Value::String(s) if s.starts_with(['<', '>', '=', '!', '[', '(']) => s.clone(),
            Value::String(s) => format!("\"{s}\""),
            Value::Array(xs) => {
                xs.iter().map(|x| format!("\"{}\"", x.as_str().expect("str"))).collect::<Vec<_>>().join(", ")
            }
            other => other.to_string(),
        }
    };
    let zrules: Vec<Value> = rules
        .iter()
        .map(|r| {
            let mut m = serde_json::Map::new();
            m.insert("_id".into(), r["id"].clone());
            for f in &fields {
                m.insert(format!("in_{f}"), json!(r["when"].get(f).map_or(String::new(), cell)));
            }
            m.insert("out_queue".into(), json!(format!("\"{}\"", r["then"]["queue"].as_str().expect("queue"))));
            m.insert("out_priority".into(), json!(format!("\"{}\"", r["then"]["priority"].as_str().expect("p"))));
            Value::Object(m)
        })
        .collect();
    json!({
        "nodes": [
            {"id": "in", "name": "request", "type": "inputNode", "content": {}},
            {"id": "dt", "name": "routing", "type": "decisionTableNode", "content": {
                "hitPolicy": "first", "inputs": inputs, "outputs": outputs, "rules": zrules,
                "passThrough": false, "inputField": null, "outputPath": null, "executionMode": "single"}},
            {"id": "out", "name": "response", "type": "outputNode", "content": {}}
        ],
        "edges": [
            {"id": "e1", "sourceId": "in", "targetId": "dt", "type": "edge"},
            {"id": "e2", "sourceId": "dt", "targetId": "out", "type": "edge"}
        ]
    })
}

/// Times `f` (which handles `n` cases per call): a warm-up, then `samples` samples of at
/// least ~20 ms each. Prints a JSON line with ns per case (median, min, max) and returns
/// the median.
fn measure(name: &str, n: usize, samples: usize, mut f: impl FnMut()) -> f64 {
    let t = Instant::now();
    f();
    let once = t.elapsed().as_secs_f64().max(1e-9);
    let reps = ((0.02 / once).ceil() as usize).max(1);
    let mut ns: Vec<f64> = (0..samples)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..reps {
                f();
            }
            t.elapsed().as_secs_f64() * 1e9 / (reps * n) as f64
        })
        .collect();
    ns.sort_by(f64::total_cmp);
    let median = ns[ns.len() / 2];
    println!(
        "{}",
        json!({"name": name, "ns_per_case": median, "min": ns[0], "max": ns[ns.len() - 1], "samples": samples, "cases": n, "reps": reps})
    );
    median
}

fn run(dir: &str) {
    let lines: Vec<String> = fs::read_to_string(format!("{dir}/cases.ndjson"))
        .expect("cases.ndjson (run `compare gen` first)")
        .lines()
        .map(String::from)
        .collect();
    let engine = Engine::compile(POLICY).expect("policy");
    let routing = Engine::compile(&fs::read_to_string(format!("{dir}/routing.policy.json")).expect("policy"))
        .expect("routing policy");
    let decoded = decode_all(&engine, &lines);
    let routing_decoded = decode_all(&routing, &lines);
    let mut outs = vec![Outcome::new(); decoded.len()];
    let samples = 15;

    // Native Rust paths.
    measure("rust: compile example policy", 1, samples, || {
        black_box(Engine::compile(black_box(POLICY)).expect("compiles"));
    });
    measure("rust: batch (evaluate_batch), full evaluation", N, samples, || {
        engine.evaluate_batch(black_box(&decoded), NOW, &mut outs);
    });
    measure("rust: routing only (docket)", N, samples, || {
        engine_loop(&routing, &routing_decoded, &mut outs);
    });
    measure("rust: decode JSON + full evaluation", N, samples, || {
        let (mut c, mut o) = (Case::new(), Outcome::new());
        for l in &lines {
            engine.decode_json(black_box(l), &mut c);
            engine.evaluate(&c, NOW, &mut o);
        }
    });
    measure("rust: batch + report, 1 thread", N, samples, || {
        black_box(evaluate_parallel(&engine, &decoded, NOW, &mut outs, 1));
    });
    let k = cores();
    measure(&format!("rust: batch + report, {k} threads"), N, samples, || {
        black_box(evaluate_parallel(&engine, &decoded, NOW, &mut outs, k));
    });
    // The merged report equals the single-threaded one.
    let one = evaluate_parallel(&engine, &decoded, NOW, &mut outs, 1).to_json(&engine);
    let many = evaluate_parallel(&engine, &decoded, NOW, &mut outs, k).to_json(&engine);
    assert_eq!(one, many, "merged report differs from the whole");
    let mut r = Report::new(&engine, NOW);
    measure("rust: report to JSON (10,000 cases)", 1, samples, || {
        r = evaluate_parallel(&engine, &decoded, NOW, &mut outs, 1);
        black_box(r.to_json(&engine));
    });

    // The columnar paths' work natively: the same columns (cases.tsv, typed as the C bench
    // types them) set on a CaseBuilder row by row, evaluated, outputs written to arrays.
    let cols = Columns::load(&engine, dir);
    let mut co = ColumnOutputs::new(cols.len());
    let (mut case, mut out) = (Case::new(), Outcome::new());
    cols.evaluate(&engine, &mut case, &mut out, &mut co);
    engine.evaluate_batch(&decoded, NOW, &mut outs);
    let mut differ = 0;
    for (i, o) in outs.iter().enumerate() {
        let mut want = ColumnOutputs::new(1);
        want.write(0, o);
        if want.row(0) != co.row(i) {
            differ += 1;
        }
    }
    assert_eq!(differ, 0, "native columnar answers differ from evaluate_batch on {differ} cases");
    eprintln!("rust columnar: all {N} answers equal evaluate_batch's");
    measure("rust: columns → CaseBuilder → evaluate (the columnar paths' work, no boundary)", N, samples, || {
        cols.evaluate(&engine, &mut case, &mut out, &mut co);
    });

    // ZEN (Rust crate), precompiled, evaluated in a loop; answers checked first.
    let content: zen_engine::model::GraphContent =
        serde_json::from_str(&fs::read_to_string(format!("{dir}/routing.jdm.json")).expect("jdm")).expect("JDM");
    let mut decision = zen_engine::Decision::from(content);
    decision.compile();
    let facts: Vec<zen_engine::Variable> = fs::read_to_string(format!("{dir}/facts.ndjson"))
        .expect("facts")
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).expect("fact").into())
        .collect();
    let want: Vec<String> =
        fs::read_to_string(format!("{dir}/routing.tsv")).expect("routing.tsv").lines().map(String::from).collect();
    let rt = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
    let mut mismatches = 0;
    rt.block_on(async {
        for (i, f) in facts.iter().enumerate() {
            let res = decision.evaluate(f.clone()).await.expect("zen evaluates");
            let v: Value = res.result.to_value();
            let got = format!("{}\t{}", v["queue"].as_str().unwrap_or(""), v["priority"].as_str().unwrap_or(""));
            if got != want[i] {
                if mismatches < 5 {
                    eprintln!("zen mismatch on case {i}: zen {got:?}, docket {:?}; facts {}", want[i], f.to_value());
                }
                mismatches += 1;
            }
        }
    });
    if mismatches > 0 {
        eprintln!("FAIL: zen-engine (Rust) disagrees with Docket on {mismatches} of {N} cases");
        std::process::exit(1);
    }
    eprintln!("zen-engine (Rust): all {N} routing answers equal Docket's");
    measure("rust: routing only (zen-engine crate, precompiled)", N, 7, || {
        rt.block_on(async {
            for f in &facts {
                black_box(decision.evaluate(f.clone()).await.expect("zen"));
            }
        })
    });
}

fn engine_loop(e: &Engine, cases: &[Case], outs: &mut [Outcome]) {
    e.evaluate_batch(black_box(cases), NOW, outs);
}

/// cases.tsv as typed columns, the way `bindings-c/bench/bench.c` loads it: enums as
/// indexes, money as cents (scale 2), timestamps as seconds, lists flattened.
#[derive(Default)]
struct Columns {
    id: Vec<String>,
    kind: Vec<u32>,
    order_id: Vec<String>,
    opened_at: Vec<i64>,
    region: Vec<Option<u32>>,
    channel: Vec<Option<u32>>,
    tier: Vec<Option<u32>>,
    amount: Vec<Option<i64>>,
    currency: Vec<Option<String>>,
    fraud_score: Vec<Option<f64>>,
    vendor_failures: Vec<Option<i64>>,
    orders_affected: Vec<Option<i64>>,
    split: Vec<Option<bool>>,
    response_at: Vec<Option<i64>>,
    resolution_at: Vec<Option<i64>>,
    pauses: Vec<Vec<(i64, Option<i64>)>>,
    requested_by: Vec<Option<String>>,
    approvals: Vec<Vec<(String, String, i64)>>,
    evidence: Vec<Vec<String>>,
    slots: [u16; 12],
    metrics: [u16; 2],
}

impl Columns {
    fn load(e: &Engine, dir: &str) -> Columns {
        let tsv = fs::read_to_string(format!("{dir}/cases.tsv")).expect("cases.tsv");
        let slot = |f: &str| e.slot(f).expect("field");
        let names = [
            "kind", "order_id", "region", "channel", "customer_tier", "amount", "fraud_score",
            "vendor_failures_90d", "orders_affected", "split_shipment", "carrier", "promised_at",
        ];
        let metric = |m: &str| e.metric(m).expect("metric");
        let mut c =
            Columns { slots: names.map(slot), metrics: [metric("response"), metric("resolution")], ..Columns::default() };
        let sym = |s: usize, v: &str| (!v.is_empty()).then(|| e.symbol(c.slots[s], v).expect("enum value"));
        let opt_i64 = |v: &str| (!v.is_empty()).then(|| v.parse::<i64>().expect("i64"));
        let mut rows = Vec::new();
        for line in tsv.lines().skip(1).filter(|l| !l.is_empty()) {
            rows.push(line.split('\t').map(String::from).collect::<Vec<_>>());
        }
        for f in &rows {
            c.id.push(f[0].clone());
            c.kind.push(sym(0, &f[1]).expect("kind"));
            c.order_id.push(f[2].clone());
            c.opened_at.push(f[3].parse().expect("opened_at"));
            c.region.push(sym(2, &f[4]));
            c.channel.push(sym(3, &f[5]));
            c.tier.push(sym(4, &f[6]));
            c.amount.push((!f[7].is_empty()).then(|| {
                let (w, frac) = f[7].split_once('.').unwrap_or((&f[7], "0"));
                let frac: i64 = format!("{frac:0<2}").parse().expect("cents");
                w.parse::<i64>().expect("units") * 100 + frac
            }));
            c.currency.push((!f[8].is_empty()).then(|| f[8].clone()));
            c.fraud_score.push((!f[9].is_empty()).then(|| f[9].parse().expect("f64")));
            c.vendor_failures.push(opt_i64(&f[10]));
            c.orders_affected.push(opt_i64(&f[11]));
            c.split.push(opt_i64(&f[12]).map(|b| b != 0));
            c.response_at.push(opt_i64(&f[13]));
            c.resolution_at.push(opt_i64(&f[14]));
            c.pauses.push(
                f[15]
                    .split(';')
                    .filter(|x| !x.is_empty())
                    .map(|p| {
                        let (a, b) = p.split_once('>').unwrap_or((p, ""));
                        (a.parse().expect("from"), opt_i64(b))
                    })
                    .collect(),
            );
            c.requested_by.push((!f[16].is_empty()).then(|| f[16].clone()));
            c.approvals.push(
                f[17]
                    .split(';')
                    .filter(|x| !x.is_empty())
                    .map(|a| {
                        let r: Vec<&str> = a.split('>').collect();
                        (r[0].to_string(), r[1].to_string(), r[2].parse().expect("at"))
                    })
                    .collect(),
            );
            c.evidence.push(f[18].split(';').filter(|x| !x.is_empty()).map(String::from).collect());
        }
        c
    }

    fn len(&self) -> usize {
        self.id.len()
    }

    fn evaluate(&self, e: &Engine, case: &mut Case, out: &mut Outcome, co: &mut ColumnOutputs) {
        let [kind, order, region, channel, tier, amount, fraud, vendor, affected, split, ..] = self.slots;
        for i in 0..self.len() {
            let mut b = e.build(case);
            b.id(&self.id[i]).enum_index(kind, self.kind[i]).string(order, &self.order_id[i]).opened_at(self.opened_at[i]);
            if let Some(v) = self.region[i] {
                b.enum_index(region, v);
            }
            if let Some(v) = self.channel[i] {
                b.enum_index(channel, v);
            }
            if let Some(v) = self.tier[i] {
                b.enum_index(tier, v);
            }
            if let Some(v) = self.amount[i] {
                b.money_scaled(amount, v, 2);
            }
            if let Some(v) = &self.currency[i] {
                b.currency(v);
            }
            if let Some(v) = self.fraud_score[i] {
                b.number(fraud, v);
            }
            if let Some(v) = self.vendor_failures[i] {
                b.integer(vendor, v);
            }
            if let Some(v) = self.orders_affected[i] {
                b.integer(affected, v);
            }
            if let Some(v) = self.split[i] {
                b.boolean(split, v);
            }
            if let Some(v) = self.response_at[i] {
                b.completed(self.metrics[0], v);
            }
            if let Some(v) = self.resolution_at[i] {
                b.completed(self.metrics[1], v);
            }
            for &(from, to) in &self.pauses[i] {
                b.pause(from, to);
            }
            if let Some(v) = &self.requested_by[i] {
                b.requested_by(v);
            }
            for (role, by, at) in &self.approvals[i] {
                b.approval(role, by, Some(*at));
            }
            for ev in &self.evidence[i] {
                b.evidence(ev);
            }
            b.finish();
            e.evaluate(case, NOW, out);
            co.write(i, out);
        }
    }
}

/// The outputs bench.c asks for: queue, priority, per metric state and due, approvals remaining.
struct ColumnOutputs {
    queue: Vec<i32>,
    priority: Vec<i32>,
    state: Vec<u8>,
    due: Vec<i64>,
    remaining: Vec<u32>,
}

impl ColumnOutputs {
    fn new(n: usize) -> ColumnOutputs {
        ColumnOutputs { queue: vec![0; n], priority: vec![0; n], state: vec![0; 2 * n], due: vec![0; 2 * n], remaining: vec![0; n] }
    }
    fn write(&mut self, i: usize, o: &Outcome) {
        let idx = |x: Option<u32>| x.map_or(-1, |x| x as i32);
        self.queue[i] = idx(o.queue_index());
        self.priority[i] = idx(o.priority_index());
        for k in 0..2 {
            let m = o.sla().get(k).copied().flatten();
            self.state[2 * i + k] = m.map_or(0, |m| m.state as u8 + 1);
            self.due[2 * i + k] = m.and_then(|m| m.due).unwrap_or(i64::MIN);
        }
        self.remaining[i] = o.steps().iter().filter(|s| o.done_by(s).is_none()).count() as u32;
    }
    fn row(&self, i: usize) -> (i32, i32, [u8; 2], [i64; 2], u32) {
        (
            self.queue[i],
            self.priority[i],
            [self.state[2 * i], self.state[2 * i + 1]],
            [self.due[2 * i], self.due[2 * i + 1]],
            self.remaining[i],
        )
    }
}
