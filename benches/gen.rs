//! A deterministic generator of realistic cases for the example policy: a mix of kinds,
//! amounts, currencies, tiers and regions, timestamps spread over four weeks, pauses and
//! completions. Fixed seed, no dependencies.

/// A small xorshift generator (deterministic across platforms).
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }
    /// The next value.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    /// A value in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
    /// One element of a slice.
    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }
}

const KINDS: &[&str] = &[
    "new_order",
    "payment_hold",
    "fraud_review",
    "allocation_failure",
    "fulfillment_release",
    "shipment_exception",
    "return_authorization",
    "refund",
    "shipping_correction",
    "adjustment",
    "vendor_failure",
    "service_incident",
];

/// `now` for generated workloads: 2026-11-23T10:00:00Z.
pub const NOW: i64 = 1_795_428_000;

fn ts(t: i64) -> String {
    docket_core::time::Rfc3339(t).to_string()
}

/// `n` cases as NDJSON lines, from a fixed seed.
pub fn cases(n: usize, seed: u64) -> Vec<String> {
    let mut r = Rng::new(seed);
    (0..n)
        .map(|i| {
            let kind = *r.pick(KINDS);
            let opened = NOW - r.below(28 * 86_400) as i64;
            let mut s = format!(r#"{{"id":"G-{i}","kind":"{kind}","order_id":"O-{i}","opened_at":"{}""#, ts(opened));
            let region = *r.pick(&["eu", "eu", "eu", "us", "uk"]);
            s += &format!(
                r#","region":"{region}","channel":"{}""#,
                r.pick(&["web", "app", "marketplace", "phone", "store"])
            );
            s += &format!(r#","customer_tier":"{}""#, r.pick(&["standard", "standard", "gold", "platinum"]));
            if matches!(kind, "refund" | "adjustment" | "shipping_correction" | "payment_hold") || r.below(3) == 0 {
                let cents = r.below(400_000) as i64;
                s += &format!(r#","amount":"{}.{:02}""#, cents / 100, cents % 100);
                if r.below(5) == 0 {
                    s += &format!(r#","currency":"{}""#, r.pick(&["USD", "GBP"]));
                }
            }
            if kind == "fraud_review" {
                s += &format!(r#","fraud_score":0.{}"#, r.below(100));
            }
            if kind == "vendor_failure" {
                s += &format!(r#","vendor_failures_90d":{}"#, r.below(6));
            }
            if kind == "service_incident" {
                s += &format!(r#","orders_affected":{}"#, r.below(400));
            }
            if kind == "allocation_failure" {
                s += &format!(r#","split_shipment":{}"#, r.below(2) == 0);
            }
            if r.below(2) == 0 {
                s += &format!(r#","response_at":"{}""#, ts(opened + r.below(6 * 3600) as i64));
            }
            if r.below(4) == 0 {
                s += &format!(r#","resolution_at":"{}""#, ts(opened + r.below(72 * 3600) as i64));
            }
            if r.below(6) == 0 {
                let from = opened + r.below(24 * 3600) as i64;
                let to = if r.below(2) == 0 {
                    format!(r#""{}""#, ts(from + r.below(48 * 3600) as i64))
                } else {
                    "null".into()
                };
                s += &format!(r#","paused":[{{"from":"{}","to":{to}}}]"#, ts(from));
            }
            s += &format!(r#","requested_by":"agent-{}""#, r.below(50));
            if r.below(3) == 0 {
                s += &format!(
                    r#","approvals":[{{"role":"{}","by":"u-{}","at":"{}"}}]"#,
                    r.pick(&["team_lead", "ops_manager", "finance_reviewer"]),
                    r.below(20),
                    ts(opened + 3600)
                );
            }
            if r.below(2) == 0 {
                s += r#","evidence":["refund_receipt","carrier_confirmation"]"#;
            }
            s.push('}');
            s
        })
        .collect()
}

/// The example policy with `sla`, `approvals`, `actions` and `controls` removed: the same
/// routing table (and intake validation), nothing else. "Routing only" benchmarks and the
/// peer comparison (`benches/compare`) compile this.
pub fn routing_only_policy(policy: &str) -> String {
    without_keys(policy, &["sla", "approvals", "actions", "controls"])
}

/// `json` (one object) without the given top-level members. A small scanner (strings and
/// nesting aware) so the benches need no JSON dependency of their own.
pub fn without_keys(json: &str, drop: &[&str]) -> String {
    let body = json.trim();
    let inner = &body[1..body.len() - 1];
    let (mut members, mut start, mut depth, mut in_str, mut esc) = (Vec::new(), 0, 0i32, false, false);
    for (i, ch) in inner.char_indices() {
        if in_str {
            match (esc, ch) {
                (true, _) => esc = false,
                (false, '\\') => esc = true,
                (false, '"') => in_str = false,
                _ => {}
            }
            continue;
        }
        match ch {
            '"' => in_str = true,
            '{' | '[' => depth += 1,
            '}' | ']' => depth -= 1,
            ',' if depth == 0 => {
                members.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    members.push(&inner[start..]);
    let kept: Vec<&str> = members
        .into_iter()
        .filter(|m| {
            let key = m.trim().split(':').next().unwrap_or("").trim().trim_matches('"');
            !drop.contains(&key)
        })
        .collect();
    format!("{{{}}}", kept.join(","))
}

/// Evaluates `cases` on `threads` std threads (contiguous chunks, one report per thread),
/// writing `outs[i]` for `cases[i]`, and returns the merged report (`Report::merge`):
/// the multi-core batch path. The core itself has no threads.
pub fn evaluate_parallel(
    engine: &docket_core::Engine,
    cases: &[docket_core::Case],
    now: i64,
    outs: &mut [docket_core::Outcome],
    threads: usize,
) -> docket_core::Report {
    let threads = threads.max(1);
    let chunk = cases.len().div_ceil(threads).max(1);
    let reports: Vec<docket_core::Report> = std::thread::scope(|s| {
        let handles: Vec<_> = cases
            .chunks(chunk)
            .zip(outs.chunks_mut(chunk))
            .map(|(cs, os)| {
                s.spawn(move || {
                    let mut r = docket_core::Report::new(engine, now);
                    for (c, o) in cs.iter().zip(os.iter_mut()) {
                        engine.evaluate(c, now, o);
                        r.add(o);
                    }
                    r
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("worker")).collect()
    });
    let mut it = reports.into_iter();
    let mut whole = it.next().unwrap_or_else(|| docket_core::Report::new(engine, now));
    for r in it {
        whole.merge(&r);
    }
    whole
}

/// The number of cores to use for multi-core runs (`available_parallelism`).
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}
