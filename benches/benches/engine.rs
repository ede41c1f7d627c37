//! Throughput of the core on the example policy and a generated workload.
//! `cargo bench -p docket-benches --bench engine`; `-- --test` runs each once (CI).

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use docket_benches::{NOW, cases};
use docket_core::{Actor, Case, Engine, Outcome, Report};
use std::hint::black_box;

const POLICY: &str = include_str!("../../examples/order-ops.policy.json");

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

    c.bench_function("compile example policy", |b| b.iter(|| Engine::compile(black_box(POLICY)).expect("compiles")));

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
    let actor = Actor { id: "u-9".into(), roles: vec!["team_lead".into()] };
    g.bench_function("authorize close", |b| {
        b.iter(|| {
            for case in &decoded {
                black_box(engine.authorize(case, &actor, "close"));
            }
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
