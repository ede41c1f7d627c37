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

use docket_benches::{NOW, TypedColumns, cases, cores, evaluate_parallel, routing_only_policy};
use docket_core::{Case, ColumnWorkspace, Engine, Outcome, Report, Route};
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
        (Some("profile"), Some(dir)) => {
            profile(dir, args.get(3).map_or("columnar", String::as_str), args.get(4).and_then(|n| n.parse().ok()))
        }
        _ => {
            eprintln!("usage: compare gen|run DIR | compare profile DIR batch|routing|route|columnar|warm [CALLS]");
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
fn measure(name: &str, n: usize, samples: usize, f: impl FnMut()) -> f64 {
    let (ns, reps) = sample(n, samples, f);
    let median = ns[ns.len() / 2];
    println!(
        "{}",
        json!({"name": name, "ns_per_case": median, "min": ns[0], "max": ns[ns.len() - 1], "samples": samples, "cases": n, "reps": reps})
    );
    median
}

/// Times `f` (one call handles `n` cases): `samples` samples of at least 20 ms after a
/// warm-up call, as ns per case, sorted; and the calls per sample.
fn sample(n: usize, samples: usize, mut f: impl FnMut()) -> (Vec<f64>, usize) {
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
    (ns, reps)
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
    // The routing decision alone (`Engine::route`, one `Route` kept per case), checked equal
    // to the outcomes' first.
    let mut routes = vec![Route::new(); N];
    route_loop(&routing, &routing_decoded, &mut routes);
    engine_loop(&routing, &routing_decoded, &mut outs);
    for (i, (r, o)) in routes.iter().zip(&outs).enumerate() {
        let (a, b) = ((r.queue_index(), r.priority_index()), (o.queue_index(), o.priority_index()));
        assert_eq!(a, b, "Engine::route differs from evaluate on case {i}");
    }
    measure("rust: routing only (docket Engine::route)", N, samples, || {
        route_loop(&routing, &routing_decoded, &mut routes);
    });
    measure("rust: decode JSON + full evaluation", N, samples, || {
        let (mut c, mut o) = (Case::new(), Outcome::new());
        for l in &lines {
            engine.decode_json(black_box(l), &mut c);
            engine.evaluate(&c, NOW, &mut o);
        }
    });
    // JSON text to JSON text, as the C JSON call and a host that prints outcomes do: the
    // baseline of the C JSON path and of the wasm object path.
    let mut text = Vec::with_capacity(1 << 20);
    measure("rust: decode JSON + full evaluation + render JSON", N, samples, || {
        let (mut c, mut o) = (Case::new(), Outcome::new());
        text.clear();
        for l in &lines {
            engine.decode_json(black_box(l), &mut c);
            engine.evaluate(&c, NOW, &mut o);
            engine.write_outcome(&o, None, &mut text);
            text.push(b'\n');
        }
        black_box(&text);
    });
    engine.evaluate_batch(&decoded, NOW, &mut outs);
    measure("rust: render outcomes to JSON", N, samples, || {
        text.clear();
        for o in &outs {
            engine.write_outcome(black_box(o), None, &mut text);
            text.push(b'\n');
        }
        black_box(&text);
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

    // The columnar paths' work natively: the same cases as typed columns (as the C bench
    // types them) given to Engine::evaluate_columns, outputs written to arrays.
    let cols = Columns::load(&engine, &lines);
    let mut co = ColumnOutputs::new(cols.len());
    let mut ws = ColumnWorkspace::new();
    cols.evaluate(&engine, &mut ws, &mut co);
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
    measure("rust: columnar batch (Engine::evaluate_columns), full evaluation", N, samples, || {
        cols.evaluate(&engine, &mut ws, &mut co);
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
    let mut zen = || {
        rt.block_on(async {
            for f in &facts {
                black_box(decision.evaluate(f.clone()).await.expect("zen"));
            }
        })
    };
    measure("rust: routing only (zen-engine crate, precompiled)", N, 7, &mut zen);
    // The rows above run seconds to minutes apart while the host's speed drifts, so the
    // ratio is measured again in interleaved rounds: `Engine::route`, ZEN, `Engine::route`
    // (the lower of the two), each the median of its samples.
    for round in 1..=5 {
        let median = |(ns, _): (Vec<f64>, usize)| ns[ns.len() / 2];
        let a = median(sample(N, 7, || route_loop(&routing, &routing_decoded, &mut routes)));
        let z = median(sample(N, 5, &mut zen));
        let b = median(sample(N, 7, || route_loop(&routing, &routing_decoded, &mut routes)));
        println!("{}", json!({"zen_round": round, "route": a.min(b), "zen": z}));
    }
}

/// Loops one native path for ~10 s, for a profiler (`perf record -- compare profile DIR columnar`):
/// `batch` (evaluate_batch), `routing` (evaluate_batch on the routing-only policy), `route`
/// (Engine::route on the same cases), `columnar` (Engine::evaluate_columns), `warm` (the
/// decoded cases evaluated one by one into one reused outcome). With `calls`, exactly that
/// many calls of 10,000 cases instead, for instruction counts under callgrind
/// (`scripts/instructions`).
fn profile(dir: &str, what: &str, calls: Option<usize>) {
    let lines: Vec<String> =
        fs::read_to_string(format!("{dir}/cases.ndjson")).expect("cases.ndjson").lines().map(String::from).collect();
    let engine = Engine::compile(POLICY).expect("policy");
    let decoded = decode_all(&engine, &lines);
    let mut outs = vec![Outcome::new(); decoded.len()];
    let routing = Engine::compile(&routing_only_policy(POLICY)).expect("routing policy");
    let routing_decoded = decode_all(&routing, &lines);
    let cols = Columns::load(&engine, &lines);
    let mut co = ColumnOutputs::new(cols.len());
    let mut ws = ColumnWorkspace::new();
    let mut out = Outcome::new();
    let mut routes = vec![Route::new(); N];
    let t = Instant::now();
    let mut n = 0usize;
    while calls.map_or(t.elapsed().as_secs_f64() < 10.0, |c| n < c * N) {
        match what {
            "batch" => {
                engine.evaluate_batch(black_box(&decoded), NOW, &mut outs);
            }
            "routing" => engine_loop(&routing, &routing_decoded, &mut outs),
            "route" => route_loop(&routing, &routing_decoded, &mut routes),
            "warm" => {
                for c in &decoded {
                    engine.evaluate(black_box(c), NOW, &mut out);
                }
            }
            _ => cols.evaluate(&engine, &mut ws, &mut co),
        }
        n += N;
    }
    eprintln!("{what}: {:.1} ns/case", t.elapsed().as_secs_f64() * 1e9 / n as f64);
}

fn engine_loop(e: &Engine, cases: &[Case], outs: &mut [Outcome]) {
    e.evaluate_batch(black_box(cases), NOW, outs);
}

#[inline(never)]
fn route_loop(e: &Engine, cases: &[Case], routes: &mut [Route]) {
    for (c, r) in black_box(cases).iter().zip(routes.iter_mut()) {
        e.route(c, r);
    }
}

/// The same cases as typed columns (`docket_benches::TypedColumns`: enums, roles and
/// evidence items as indexes, money in cents, timestamps in seconds, lists flattened), the
/// form `bindings-c/bench/bench.c` passes to the C API.
struct Columns(TypedColumns);

impl Columns {
    fn load(e: &Engine, lines: &[String]) -> Columns {
        Columns(TypedColumns::from_json(e, lines))
    }

    fn len(&self) -> usize {
        self.0.len()
    }

    /// What one call of the columnar API does natively: borrow the text columns, check the
    /// batch's shape (`Engine::columns`), set every case from the columns and evaluate it
    /// (`Engine::evaluate_columns`), writing the outputs bench.c asks for.
    fn evaluate(&self, e: &Engine, ws: &mut ColumnWorkspace, co: &mut ColumnOutputs) {
        let texts = self.0.texts();
        let cols = self.0.columns(e, &texts);
        let batch = e.columns(self.len(), &cols).expect("columns");
        e.evaluate_columns(&batch, NOW, ws, |i, o| co.write(i, o));
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
        ColumnOutputs {
            queue: vec![0; n],
            priority: vec![0; n],
            state: vec![0; 2 * n],
            due: vec![0; 2 * n],
            remaining: vec![0; n],
        }
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
