//! Times the native paths the Python package is measured against, on the same cases:
//! `native_paths CASES.ndjson [PASSES]` prints one JSON line, nanoseconds a case, best of
//! PASSES passes of each path; `native_paths CASES.ndjson --serve` reads the name of a
//! path (`columns` or `json`) a line on standard input and answers each with the
//! nanoseconds a case of one pass, so that `bindings-python/bench.py` can alternate
//! native and Python passes one by one (load on the machine then weighs on both alike).
//! The paths:
//!
//! - `columns`: what one columnar call does natively (`TypedColumns`, as the C bench and
//!   `benches/compare` give them: borrow the text columns, `Engine::columns`,
//!   `Engine::evaluate_columns` writing queue, priority, per metric state, due, elapsed and
//!   remaining, band and the open approval steps into arrays allocated once);
//! - `json`: decoding each NDJSON line (`Engine::decode_json`) and evaluating it.

use docket_benches::{NOW, TypedColumns};
use docket_core::{Case, ColumnWorkspace, Engine, Outcome};
use std::hint::black_box;
use std::time::Instant;

/// Outputs of the columnar call, allocated once.
struct Outputs {
    queue: Vec<i32>,
    priority: Vec<i32>,
    band: Vec<i32>,
    state: Vec<u8>,
    due: Vec<i64>,
    elapsed: Vec<i64>,
    remaining: Vec<i64>,
    open_steps: Vec<u32>,
}

impl Outputs {
    fn new(n: usize, m: usize) -> Outputs {
        Outputs {
            queue: vec![0; n],
            priority: vec![0; n],
            band: vec![0; n],
            state: vec![0; m * n],
            due: vec![0; m * n],
            elapsed: vec![0; m * n],
            remaining: vec![0; m * n],
            open_steps: vec![0; n],
        }
    }

    fn write(&mut self, i: usize, m: usize, o: &Outcome) {
        let idx = |x: Option<u32>| x.map_or(-1, |x| x as i32);
        self.queue[i] = idx(o.queue_index());
        self.priority[i] = idx(o.priority_index());
        self.band[i] = idx(o.band_index());
        for k in 0..m {
            let mo = o.sla().get(k).copied().flatten();
            self.state[m * i + k] = mo.map_or(0, |x| x.state as u8 + 1);
            self.due[m * i + k] = mo.and_then(|x| x.due).unwrap_or(i64::MIN);
            self.elapsed[m * i + k] = mo.map_or(0, |x| x.elapsed_s);
            self.remaining[m * i + k] = mo.map_or(0, |x| x.remaining_s());
        }
        self.open_steps[i] = o.steps().iter().filter(|s| o.done_by(s).is_none()).count() as u32;
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: native_paths CASES.ndjson [ROUNDS]");
    let mode = args.next();
    let serve = mode.as_deref() == Some("--serve");
    let passes: usize = mode.and_then(|a| a.parse().ok()).unwrap_or(5);
    let text = std::fs::read_to_string(&path).expect("cases file");
    let lines: Vec<String> = text.lines().filter(|l| !l.trim().is_empty()).map(str::to_owned).collect();
    let policy = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/order-ops.policy.json"))
        .expect("example policy");
    let e = Engine::compile(&policy).expect("example policy compiles");
    let n = lines.len();
    let m = e.metrics().count();
    let typed = TypedColumns::from_json(&e, &lines);
    let mut ws = ColumnWorkspace::new();
    let mut out = Outputs::new(n, m);
    let columns = |ws: &mut ColumnWorkspace, out: &mut Outputs| {
        let texts = typed.texts();
        let cols = typed.columns(&e, &texts);
        let batch = e.columns(n, &cols).expect("columns");
        e.evaluate_columns(&batch, NOW, ws, |i, o| out.write(i, m, o));
    };
    let (mut case, mut outcome) = (Case::new(), Outcome::new());
    let mut json = || {
        for l in &lines {
            e.decode_json(l, &mut case);
            e.evaluate(&case, NOW, &mut outcome);
            black_box(&outcome);
        }
    };
    // Warm the buffers once.
    columns(&mut ws, &mut out);
    json();
    if serve {
        use std::io::{BufRead, Write};
        let mut stdout = std::io::stdout().lock();
        for line in std::io::stdin().lock().lines() {
            let Ok(line) = line else { break };
            let t = Instant::now();
            match line.trim() {
                "columns" => columns(&mut ws, &mut out),
                "json" => json(),
                _ => break,
            }
            let ns = t.elapsed().as_secs_f64() * 1e9 / n as f64;
            if writeln!(stdout, "{ns:.1}").and_then(|()| stdout.flush()).is_err() {
                break;
            }
        }
        return;
    }
    let best = |f: &mut dyn FnMut()| {
        (0..passes.max(1))
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed().as_secs_f64() * 1e9 / n as f64
            })
            .fold(f64::INFINITY, f64::min)
    };
    let c = best(&mut || columns(&mut ws, &mut out));
    black_box(&out.queue);
    let j = best(&mut json);
    println!("{{\"cases\":{n},\"columns_ns\":{c:.1},\"json_ns\":{j:.1}}}");
}
