//! How compiling a policy grows with its size, one dimension at a time: rules, enum
//! values, string constants, calendars, windows per day, escalation steps and metrics.
//! `cargo bench -p docket-benches --bench policy_growth` (release build); prints one
//! Markdown table (BENCHMARKS.md, "Compile time and memory by policy size").
//!
//! Each row compiles a generated policy: the best wall time of a few compiles (at least
//! one, more while they take under a second in all), the peak heap during one compile
//! above what was allocated before it, and the heap the compiled engine keeps. A counting
//! global allocator measures the heap. `growth` is the exponent `k` of `time ∝ n^k` from
//! the previous row to this one: about 1 for linear growth, 2 for quadratic. The
//! enum rows also time decoding a case that carries the enum's last value (per case, the
//! best of five rounds of 100,000).

use docket_core::{Case, Engine, Limits};
use serde_json::{Map, Value, json};
use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::time::{Duration, Instant};

struct Counting;
static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(l) };
        if !p.is_null() {
            let now = CURRENT.fetch_add(l.size(), Relaxed) + l.size();
            PEAK.fetch_max(now, Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        unsafe { System.dealloc(p, l) };
        CURRENT.fetch_sub(l.size(), Relaxed);
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        let q = unsafe { System.realloc(p, l, new) };
        if !q.is_null() {
            if new >= l.size() {
                let now = CURRENT.fetch_add(new - l.size(), Relaxed) + (new - l.size());
                PEAK.fetch_max(now, Relaxed);
            } else {
                CURRENT.fetch_sub(l.size() - new, Relaxed);
            }
        }
        q
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

const MIB: f64 = 1024.0 * 1024.0;

/// A policy with `fields`, two queues, a routing table and the given extra sections.
fn policy(fields: Value, rules: Vec<Value>, extra: &[(&str, Value)]) -> String {
    let mut p = json!({
        "docket": 1, "name": "growth", "version": "1", "currency": "EUR",
        "fields": fields,
        "queues": {"a": {"owner": "t"}, "b": {"owner": "t"}},
        "routing": {"hit": "first", "rules": rules},
    });
    for (k, v) in extra {
        p[*k] = v.clone();
    }
    p.to_string()
}

fn kinds(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("k{i}")).collect()
}

fn base_fields(n_kinds: usize) -> Value {
    json!({"kind": {"type": "enum", "values": kinds(n_kinds)}, "n": {"type": "integer"}, "tag": {"type": "string"}})
}

/// `n` routing rules, each testing `kind`, a range of `n` and a string constant.
fn rules(n: usize) -> String {
    let rules = (0..n)
        .map(|i| {
            json!({"id": format!("R{i}"),
                   "when": {"kind": format!("k{}", i % 8), "n": format!("[{i}..{}]", i + 10), "tag": format!("t{}", i % 100)},
                   "then": {"queue": "a"}})
        })
        .collect();
    policy(base_fields(8), rules, &[])
}

/// An enum of `n` values; 64 rules test lists of four of them.
fn enum_values(n: usize) -> String {
    let rules = (0..64)
        .map(|i| {
            let vals: Vec<String> = (0..4).map(|j| format!("k{}", (i * 4 + j) * n / 256)).collect();
            json!({"id": format!("R{i}"), "when": {"kind": vals}, "then": {"queue": "a"}})
        })
        .collect();
    policy(base_fields(n), rules, &[])
}

/// `n` rules, each testing a list of 10 string constants of its own.
fn strings(n: usize) -> String {
    let rules = (0..n)
        .map(|i| {
            let vals: Vec<String> = (0..10).map(|j| format!("s{}", i * 10 + j)).collect();
            json!({"id": format!("R{i}"), "when": {"tag": vals}, "then": {"queue": "a"}})
        })
        .collect();
    policy(base_fields(8), rules, &[])
}

fn one_rule() -> Vec<Value> {
    vec![json!({"id": "R0", "then": {"queue": "a"}})]
}

/// `n` calendars of a business week (split Fridays, Saturday mornings, three holidays).
fn calendars(n: usize) -> String {
    let mut cals = Map::new();
    for i in 0..n {
        cals.insert(
            format!("c{i}"),
            json!({"timezone": "Europe/Berlin",
                   "week": {"mon": ["08:00-18:00"], "tue": ["08:00-18:00"], "wed": ["08:00-18:00"], "thu": ["08:00-18:00"],
                            "fri": ["08:00-12:00", "13:00-17:00"], "sat": ["09:00-13:00"]},
                   "holidays": ["2026-12-25", "2026-12-26", "2027-01-01"]}),
        );
    }
    policy(base_fields(8), one_rule(), &[("calendars", Value::Object(cals))])
}

/// One calendar with `n` windows every day (20 minutes every half hour).
fn windows(n: usize) -> String {
    let day: Vec<String> = (0..n)
        .map(|i| {
            let (s, e) = (i * 30, i * 30 + 20);
            format!("{:02}:{:02}-{:02}:{:02}", s / 60, s % 60, e / 60, e % 60)
        })
        .collect();
    let week: Map<String, Value> =
        ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].iter().map(|d| (d.to_string(), json!(day))).collect();
    policy(
        base_fields(8),
        one_rule(),
        &[("calendars", json!({"c": {"timezone": "Europe/Berlin", "week": Value::Object(week)}}))],
    )
}

/// An SLA section: `rules` target rules naming every one of `metrics` metrics, and an
/// escalation ladder of `steps` steps.
fn sla(rules: usize, metrics: usize, steps: usize) -> String {
    let names: Vec<String> = (0..metrics).map(|m| format!("m{m}")).collect();
    let targets: Vec<Value> = (0..rules)
        .map(|i| {
            let mut then = Map::new();
            then.insert("calendar".into(), json!("c"));
            for m in &names {
                then.insert(m.clone(), json!(format!("{}h", 1 + i % 48)));
            }
            json!({"id": format!("S{i}"), "when": {"kind": format!("k{}", i % 8), "n": i}, "then": Value::Object(then)})
        })
        .collect();
    let ladder: Vec<Value> =
        (0..steps).map(|s| json!({"at": format!("{}", 1.0 + s as f64 / 10.0), "to": "lead"})).collect();
    policy(
        base_fields(8),
        one_rule(),
        &[
            ("calendars", json!({"c": {"timezone": "UTC", "week": "24x7"}})),
            ("roles", json!({"lead": {}})),
            ("sla", json!({"metrics": names, "escalation": ladder, "targets": {"hit": "first", "rules": targets}})),
        ],
    )
}

struct Row {
    ms: f64,
    peak: usize,
    kept: usize,
}

fn measure(text: &str) -> Row {
    let compile = || Engine::compile_with_limits(black_box(text), Limits::default());
    let before = CURRENT.load(Relaxed);
    PEAK.store(before, Relaxed);
    let t = Instant::now();
    let e = compile().unwrap_or_else(|e| panic!("generated policy does not compile: {e}"));
    let mut best = t.elapsed();
    let peak = PEAK.load(Relaxed) - before;
    let kept = CURRENT.load(Relaxed) - before;
    drop(e);
    let mut spent = best;
    while spent < Duration::from_secs(1) {
        let t = Instant::now();
        let e = compile();
        let d = t.elapsed();
        drop(black_box(e));
        best = best.min(d);
        spent += d;
    }
    Row { ms: best.as_secs_f64() * 1e3, peak, kept }
}

/// Nanoseconds to decode a case carrying the enum's last value.
fn decode_ns(text: &str, n: usize) -> f64 {
    let e = Engine::compile(text).expect("compiles");
    let line = format!(r#"{{"id":"C1","kind":"k{}","opened_at":"2026-11-23T08:00:00Z","n":5}}"#, n - 1);
    let mut c = Case::new();
    e.decode_json(&line, &mut c);
    assert_eq!(c.error(), None, "the case decodes");
    let rounds = 100_000;
    (0..5)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..rounds {
                e.decode_json(black_box(&line), &mut c);
            }
            t.elapsed().as_secs_f64() * 1e9 / rounds as f64
        })
        .fold(f64::INFINITY, f64::min)
}

fn main() {
    // `cargo test --benches` runs bench targets with `--test`: compile one small policy.
    if std::env::args().any(|a| a == "--test") {
        measure(&rules(100));
        return;
    }
    type Gen = fn(usize) -> String;
    let dims: [(&str, Gen, &[usize]); 7] = [
        ("routing rules", rules, &[625, 1250, 2500, 5000, 10_000]),
        ("enum values", enum_values, &[6250, 12_500, 25_000, 50_000, 100_000]),
        ("string constants (rules × 10)", strings, &[625, 1250, 2500, 5000, 10_000]),
        ("calendars", calendars, &[10, 20, 40, 80, 160]),
        ("windows a day", windows, &[3, 6, 12, 24, 48]),
        ("escalation steps (1,000 rules × 8 metrics)", |n| sla(1000, 8, n), &[4, 8, 16, 32, 64]),
        ("metrics (1,000 rules, 4 steps)", |n| sla(1000, n, 4), &[4, 8, 16, 32, 64]),
    ];
    println!("| dimension | n | policy KiB | compile ms | growth | peak heap MiB | engine MiB | decode ns/case |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    // `DOCKET_GROWTH=calendars` runs the dimensions whose name contains the text.
    let only = std::env::var("DOCKET_GROWTH").unwrap_or_default();
    for (name, gen_policy, sizes) in dims.into_iter().filter(|d| d.0.contains(only.as_str())) {
        let mut prev: Option<(usize, f64)> = None;
        for &n in sizes {
            let text = gen_policy(n);
            let r = measure(&text);
            let growth = prev.map_or(String::from("—"), |(pn, pms)| {
                format!("{:.2}", (r.ms / pms).ln() / (n as f64 / pn as f64).ln())
            });
            let decode =
                if name == "enum values" { format!("{:.0}", decode_ns(&text, n)) } else { String::from("—") };
            println!(
                "| {name} | {n} | {:.0} | {:.2} | {growth} | {:.1} | {:.1} | {decode} |",
                text.len() as f64 / 1024.0,
                r.ms,
                r.peak as f64 / MIB,
                r.kept as f64 / MIB,
            );
            prev = Some((n, r.ms));
        }
    }
}
