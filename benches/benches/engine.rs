//! Throughput of the core on the example policy and a generated workload.
//! `cargo bench -p docket-benches --bench engine`; `-- --test` runs each once (CI).
//!
//! Groups: `compile` (example and routing-only policy), `per case` (the 10,000
//! generated cases, so criterion's `elem/s` is cases per second: decode, routing only
//! (`evaluate` on the routing-only policy, and `Engine::route`),
//! full evaluation, batch, evaluate + report, the columnar batch path, authorize), `example cases` (the bundled
//! examples/cases.ndjson) and `multi-core` (one batch of 10,000 split across 1 and all
//! cores with std threads, reports merged with `Report::merge`).

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use docket_benches::{NOW, TypedColumns, cases, cores, evaluate_parallel, routing_only_policy};
use docket_core::{Actor, Case, ColumnWorkspace, Engine, Outcome, Report, Route};
use std::hint::black_box;

const POLICY: &str = include_str!("../../examples/order-ops.policy.json");
const EXAMPLE_CASES: &str = include_str!("../../examples/cases.ndjson");

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

fn bench(c: &mut Criterion) {
    let engine = Engine::compile(POLICY).expect("example policy");
    let lines = cases(10_000, 42);
    let decoded = decode_all(&engine, &lines);

    let routing_policy = routing_only_policy(POLICY);
    let routing = Engine::compile(&routing_policy).expect("routing-only policy");
    let routing_decoded = decode_all(&routing, &lines);
    // Same table, same answers: the routing-only engine routes every case as the full one,
    // and `Engine::route` as `evaluate`.
    {
        let (mut a, mut b, mut r) = (Outcome::new(), Outcome::new(), Route::new());
        for (full, only) in decoded.iter().zip(&routing_decoded) {
            engine.evaluate(full, NOW, &mut a);
            routing.evaluate(only, NOW, &mut b);
            engine.route(full, &mut r);
            assert_eq!((a.queue_index(), a.priority_index()), (b.queue_index(), b.priority_index()));
            assert_eq!((a.queue_index(), a.priority_index()), (r.queue_index(), r.priority_index()));
        }
    }

    c.bench_function("compile example policy", |b| b.iter(|| Engine::compile(black_box(POLICY)).expect("compiles")));
    c.bench_function("compile routing-only policy", |b| {
        b.iter(|| Engine::compile(black_box(&routing_policy)).expect("compiles"))
    });

    let mut g = c.benchmark_group("per case");
    g.throughput(Throughput::Elements(decoded.len() as u64));
    g.bench_function("decode json", |b| {
        let mut case = Case::new();
        b.iter(|| {
            for l in &lines {
                engine.decode_json(black_box(l), &mut case);
            }
        })
    });
    g.bench_function("routing only", |b| {
        let mut out = Outcome::new();
        b.iter(|| {
            for case in &routing_decoded {
                routing.evaluate(black_box(case), NOW, &mut out);
            }
        })
    });
    g.bench_function("routing only (Engine::route)", |b| {
        let mut route = Route::new();
        b.iter(|| {
            for case in &routing_decoded {
                routing.route(black_box(case), &mut route);
            }
        })
    });
    g.bench_function("full evaluation (routing + SLA + approvals)", |b| {
        let mut out = Outcome::new();
        b.iter(|| {
            for case in &decoded {
                engine.evaluate(black_box(case), NOW, &mut out);
            }
        })
    });
    g.bench_function("batch of 10,000", |b| {
        let mut outs = vec![Outcome::new(); decoded.len()];
        b.iter(|| engine.evaluate_batch(black_box(&decoded), NOW, &mut outs))
    });
    g.bench_function("evaluate + report", |b| {
        let mut out = Outcome::new();
        b.iter_batched(
            || Report::new(&engine, NOW),
            |mut r| {
                for case in &decoded {
                    engine.evaluate(case, NOW, &mut out);
                    r.add(&out);
                }
                r
            },
            BatchSize::SmallInput,
        )
    });
    // The same cases as typed columns (enums, roles, evidence items as indexes, money in
    // cents, timestamps in seconds, lists flattened): the columnar batch path, checked
    // equal to decoding the JSON first.
    let typed = TypedColumns::from_json(&engine, &lines);
    let texts = typed.texts();
    let cols = typed.columns(&engine, &texts);
    let batch = engine.columns(typed.len(), &cols).expect("columns");
    let mut ws = ColumnWorkspace::new();
    {
        let mut out = Outcome::new();
        let mut differ = 0;
        engine.evaluate_columns(&batch, NOW, &mut ws, |i, o| {
            engine.evaluate(&decoded[i], NOW, &mut out);
            differ += usize::from(engine.outcome_json(o) != engine.outcome_json(&out));
        });
        assert_eq!(differ, 0, "columnar outcomes differ from JSON decoding");
    }
    g.bench_function("columnar batch (evaluate_columns)", |b| {
        b.iter(|| {
            let mut queued = 0u32;
            engine.evaluate_columns(black_box(&batch), NOW, &mut ws, |_, o| queued += o.queue_index().unwrap_or(0));
            queued
        })
    });
    let actor = Actor { id: "u-9".into(), roles: vec!["team_lead".into()] };
    g.bench_function("authorize close", |b| {
        b.iter(|| {
            for case in &decoded {
                black_box(engine.authorize(case, &actor, "close", NOW));
            }
        })
    });
    g.finish();

    let examples = decode_all(&engine, &EXAMPLE_CASES.lines().map(String::from).collect::<Vec<_>>());
    let mut g = c.benchmark_group("example cases");
    g.throughput(Throughput::Elements(examples.len() as u64));
    g.bench_function("full evaluation", |b| {
        let mut out = Outcome::new();
        b.iter(|| {
            for case in &examples {
                engine.evaluate(black_box(case), NOW, &mut out);
            }
        })
    });
    g.bench_function("report", |b| {
        let mut outs = vec![Outcome::new(); examples.len()];
        b.iter(|| {
            engine.evaluate_batch(&examples, NOW, &mut outs);
            let mut r = Report::new(&engine, NOW);
            outs.iter().for_each(|o| r.add(o));
            black_box(r.to_json(&engine))
        })
    });
    g.finish();

    let mut g = c.benchmark_group("multi-core");
    g.throughput(Throughput::Elements(decoded.len() as u64));
    let mut outs = vec![Outcome::new(); decoded.len()];
    let mut counts = vec![1, cores()];
    counts.dedup();
    for threads in counts {
        g.bench_function(format!("batch of 10,000 + report, {threads} thread(s)"), |b| {
            b.iter(|| evaluate_parallel(&engine, black_box(&decoded), NOW, &mut outs, threads))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
